/* transient.h -- ph-phot's pair mode: the transient measured on ph-decorr's
 * file at a fixed position (PSF fit, its chi^2 check, aperture sum), the
 * row's identity and zero point, and the light-curve row written, a
 * failure row too (success False, NaN measurements) so that the pipeline
 * keeps the pair. */
#ifndef PH_PHOT_TRANSIENT_H
#define PH_PHOT_TRANSIENT_H

#include "io.h"
#include "io/lightcurve.h"
#include "phot.h"
#include "ui.h"
#include "io/wcs.h"

typedef struct phot_run {
    const phot_opts *o;
    const char *path;
    phot_input in;
    ph_psf_spline spline;
    ph_wcs *wcs;
    ph_lc_row row;
    double x0, y0;
    phot_meas meas;
    phot_psf_model model; /* DECORR_PSF: phased or centred, aperture correction */
    int use_gpu; /* the star fits run on the GPU */
} phot_run;

/* Measure the transient on the decorrelated file `path` and write o->output
 * (stamps too with o->stamps). Returns the first error, recorded (log.h),
 * after the row is written. */
int phot_transient(const phot_opts *o, const char *path);

#endif
