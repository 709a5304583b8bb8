/* steps.h -- ph-psf's run, in the order main.c takes its steps, and what
 * the steps hand each other (psf.h holds the models' work on arrays):
 *
 *   phrosty.c  the model from phrosty's photometry.phrosty.psf.type and
 *              .params, when neither --model nor ph.psf.model is given
 *   model.c    the model's name (--model), the choice of --model auto, and
 *              the two stamps drawn from the model chosen
 *   draw.c     each model's stamps: roman and gaussian, epsf, a25; the
 *              roman model fitted to the image's stars (romanfit)
 *   image.c    the image: its header, or its pixels for an ePSF; the
 *              position, band, detector and pointing on it
 *   output.c   the stamps' headers, and the file written
 */
#ifndef PH_TOOL_PSF_STEPS_H
#define PH_TOOL_PSF_STEPS_H

#include "base/config.h"
#include "io/header.h"
#include "sci/interp.h"
#include "io/ovpsf.h"
#include "psf.h"
#include "sci/romanpsf.h"
#include "sci/romanpsf_cli.h"
#include "ui.h" /* params: the options in effect */

#include <stdint.h>

/* ---- phrosty.c ---------------------------------------------------------------- */

/* The model from phrosty's config (phrosty's PSF types mapped to ours),
 * else auto. Errors (usage) for a type that cannot be honoured. */
int psf_model_from_phrosty(params *p, const ph_config *cfg);

/* ---- image.c ------------------------------------------------------------------ */

typedef struct image {
    long nx, ny;
    ph_header *hdr;
    ph_meta meta;
    float *sci;     /* epsf only: sky-subtracted */
    uint8_t *bad;   /* epsf only */
    double rms;
} image;

/* Read what the model needs: the pixels for epsf and auto, else the
 * header. *small = 1 when auto's image is too small for an ePSF (then only
 * its header is read). */
int psf_image_read(const params *p, const char *path, image *im, int *small);
void psf_image_free(image *im);

/* Where the stamp goes: the position (from --ra/--dec through the WCS, or
 * --x/--y), the band, detector and pointing (options, else the image's). */
typedef struct target {
    const char *path, *band, *pointing;
    long sca;
    double x0, y0, ra, dec; /* ra, dec NaN without a WCS */
} target;

int psf_target(const params *p, const image *im, const char *path, target *t);

/* ---- model.c and draw.c --------------------------------------------------------- */

/* One stamp of the output: the model at phase (dx, dy), not normalised
 * yet; frac = its sum over the model's flux. */
typedef struct stamp {
    double *data;
    double frac, dx, dy;
} stamp;

/* One model behind psf_stamp_fn, for the oversampled ePSF. */
typedef struct model_ctx {
    const params *p;
    ph_romanpsf *roman;
    const psf_file *file;
    const epsf_model *em;
    double x0, y0;
} model_ctx;

/* The model drawn: what the oversampled ePSF and the headers need. */
typedef struct drawn {
    model_ctx mc;
    epsf_model em;
    psf_file f;
    double fwhm;
    int oversamp;    /* the model's (OVERSAMP) */
    int ov_o;        /* the EPSF HDU's oversampling; 0: none */
    int auto_chosen; /* --model auto chose the model */
    char file[1024]; /* the model file, if any */
} drawn;

/* Parse a model name (--model, ph.psf.model, a phrosty type mapped);
 * `source` names it in errors. */
int psf_model_set(params *p, const char *arg, const char *source);

/* Choose (auto) and draw the model's two stamps sv[0], sv[1] at their
 * phases. `small`: auto's image is too small for an ePSF. */
int psf_model_draw(params *p, const image *im, const target *t, int small, stamp sv[2],
                   drawn *d);
void psf_drawn_free(drawn *d);

/* draw.c: each model's stamps, and one stamp of the model at any phase. */
int psf_roman_stamps(const params *p, const char *band, const char *image, stamp *out, int nout,
                     double *fwhm, ph_romanpsf **keep);
int psf_epsf_stamps(const params *p, const image *im, const char *band, double x0, double y0,
                    stamp *sv, epsf_model *em, const char *path);
/* --model romanfit: the band's roman model with its wavefront error and
 * jitter fitted to the image's stars (romanfit.c); p->model becomes roman
 * with the fit's values. */
int psf_roman_fit(params *p, const image *im, const char *band, const char *path);
int psf_a25_model(const char *dir, const image *im, const char *band, long sca, double x0,
                  double y0, const char *path, char *file, size_t size, psf_file *f);
int psf_model_stamp(void *ctx, double dx, double dy, long n, double *out); /* psf_stamp_fn */

/* ---- output.c ----------------------------------------------------------------- */

/* The primary stamp (centred, or phased with --at-position), the
 * PHASED_PSF extension and the oversampled EPSF (psfstamp.h). */
int psf_write_stamps(const params *p, const target *t, const image *im, const drawn *d,
                     stamp *primary, stamp *phased, ph_ovpsf *ov);

#endif
