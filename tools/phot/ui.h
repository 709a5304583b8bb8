/* ui.h -- ph-phot's settings and their option table (each option's type,
 * range, default and config key, in one place: common/base/cli.h), and
 * the checks that decide the mode and refuse a combination of options
 * before any file is read: a decorrelated file gets the transient's row
 * (transient.c), a ph image its field-star zero point (zpsource.c). */
#ifndef PH_PHOT_UI_H
#define PH_PHOT_UI_H

#include "base/cli.h"
#include "base/gpu.h"
#include "sci/psffit.h"
#include "zeropoint.h"

typedef struct phot_opts {
    const char *output;
    double ra, dec, x0, y0;
    const char *catalog;
    int catfmt;
    double mag_lo, mag_hi;
    long min_stars;
    double zpt_aperture; /* > 0: catalogue stars by aperture of this radius; 0: PSF fit */
    ph_fit_opts fit;
    double aperture;
    long subpixels; /* 0: exact overlap */
    int no_apcorr;  /* fluxes of the normalised stamp, as phrosty */
    const char *stamps, *aligned, *star_table;
    const char *psf;      /* zero-point mode: the PSF stamp (default: the image's PSF HDU) */
    const char *zpt_file; /* the science image's zero-point file */
    const char *sci_image, *tpl_image; /* original images for stamp_<S>, stamp_<T> */
    const char *diff;                  /* the difference before decorrelation: stamp_diff_ */
    long stamp_size;
    ph_device device;
    const char *gpu_lock;
    long gpu_slots;
    /* The calls that reach the CUDA code are main.c's: the unit tests link
     * the rest of tools/phot/ without it. */
    int (*resolve_device)(ph_device want, int *use_gpu); /* ph_gpu_device_resolve */
    phot_zp_fitter fit_stars; /* the star fits on the chosen device */
} phot_opts;

extern const ph_opt phot_options[];

/* The values before any option: the table's defaults (those of the
 * handler's rows through phot_ui_handle), NaN for the position (none
 * given). */
void phot_opts_default(phot_opts *o);

/* The handler of the options with a grammar of their own. */
int phot_ui_handle(ph_cli *cli, int key, const char *arg);

/* The pair mode's usage: one decorrelated file, an output, one position,
 * options that go together. Errors PH_EUSAGE. */
int phot_check_pair(const ph_cli *cli, const phot_opts *o);

/* Is `path` a ph image (SCI, VAR, MASK; not a decorrelated file)? Then
 * ph-phot measures its zero point. An unreadable file is not (the pair
 * mode says what is wrong with it). */
int phot_is_ph_image(const char *path);

/* The zero-point mode's usage: --catalog and -o, none of the pair's
 * options. Errors PH_EUSAGE. */
int phot_check_zp(const phot_opts *o);

#endif
