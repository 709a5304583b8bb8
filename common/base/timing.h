/* timing.h -- the per-step table that every tool prints with --timing.
 *
 *   ph_timing_begin("read");   ...   ph_timing_end();
 *
 * Steps may repeat (times add up). GPU code adds device time measured with
 * CUDA events through ph_timing_add_device(). ph_timing_report() prints, on
 * stderr, one line per step in first-use order:
 *
 *   timing ph-subtract  step  wall_s  device_s
 *   timing ph-subtract  read  0.412  -
 *
 * a format that bench/ collects with grep. Not thread-safe: call it from the
 * main thread around whole steps.
 */
#ifndef PH_TIMING_H
#define PH_TIMING_H

void ph_timing_begin(const char *step);
void ph_timing_end(void);
void ph_timing_add_device(const char *step, double seconds);
/* Print the table (and a total line) on stderr. */
void ph_timing_report(void);

#endif
