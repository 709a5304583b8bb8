/* lcplot.h -- draw the light curve with cairo: flux and magnitude against
 * MJD, error bars, one colour and marker per template, failed pairs marked,
 * the true light curve overlaid. PNG, SVG or PDF by the file's extension.
 */
#ifndef PH_LCPLOT_H
#define PH_LCPLOT_H

#include "io/lightcurve.h"

enum { LC_PLOT_PNG, LC_PLOT_SVG, LC_PLOT_PDF };

/* The format named by the extension of `path` (.png, .svg, .pdf, any
 * case), or -1. */
int lc_plot_format(const char *path);

typedef struct lc_plot_in {
    const ph_lc_row *rows; /* sorted by MJD */
    int n;
    const double *truth_mjd, *truth_flux; /* may be NULL; any order */
    int ntruth;
    const char *title; /* "20172782 Y106" */
    int width, height; /* pixels (PNG) or points (SVG, PDF); 0 = default */
} lc_plot_in;

/* Default sizes: 1000 x 800 px for PNG, 720 x 576 pt (10 x 8 in) for
 * SVG and PDF. */
void lc_plot_default_size(int format, int *width, int *height);

/* Draw into an open file (written from the start, binary). Errors are
 * recorded against `name`. */
int lc_plot_write(FILE *f, const char *name, int format, const lc_plot_in *in);

#endif
