/* lcaxis.h -- axis ranges and tick marks for the light-curve plot (numbers
 * only; lcplot.c draws them). */
#ifndef PH_LCAXIS_H
#define PH_LCAXIS_H

/* Tick values inside [lo, hi] (lo < hi) at a "nice" step of 1, 2 or 5 x
 * 10^k chosen to give about `target` ticks: the step is the nice value
 * nearest (in log) to (hi - lo) / target. Writes at most `max` ticks,
 * returns their number; *ndec = decimals that show the step exactly
 * (0 for steps >= 1). */
int lc_ticks(double lo, double hi, int target, double *ticks, int max, int *ndec);

/* Grow [*lo, *hi] by `frac` of its width on each side; an empty or
 * degenerate range (NaN, or lo == hi) becomes [c - minhalf, c + minhalf]
 * around its centre (0 when there is none). */
void lc_pad_range(double *lo, double *hi, double frac, double minhalf);

/* Write a tick label with ndec decimals; never "-0". */
void lc_tick_label(double v, int ndec, char *buf, int size);

#endif
