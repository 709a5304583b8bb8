/* skysub.h -- ph-skysub's work on arrays (no file I/O): phrosty's sky
 * subtraction (pipeline-spec.md "Sky subtraction and detection mask",
 * pipeline-reference.md §2.1):
 *
 *   1. SExtractor's background and rms on the image (bad pixels excluded);
 *   2. SExtractor's detection on the background-subtracted image, with
 *      saturated pixels counted as detected: segmentation + FLUX_RADIUS;
 *   3. the background and rms again (SEP = SExtractor's method) with every
 *      segmented pixel masked, as phrosty does: this is the sky;
 *   4. the detection mask: segments of objects with FLUX_RADIUS > cut, grown
 *      by `ndilate` 4-connected dilations into unsegmented pixels;
 *   5. SCI = image - sky, VAR (see variance.h), MASK bits.
 */
#ifndef PH_SKYSUB_H
#define PH_SKYSUB_H

#include "sci/background.h"
#include "sci/detect.h"
#include "variance.h"

#include <stdint.h>

/* Working bits of the mask beside the PH_MASK_* of io/image.h; cleared
 * before the mask is written. */
enum { SKYSUB_SATURATED = 64, SKYSUB_SEGMENT = 128 };

typedef struct skysub_params {
    int back_size;          /* BACK_SIZE, px */
    int back_filtersize;    /* BACK_FILTERSIZE, meshes */
    double detect_thresh;   /* DETECT_THRESH, sigmas */
    int detect_minarea;     /* DETECT_MINAREA, px */
    int deblend_nthresh;    /* DEBLEND_NTHRESH */
    double deblend_mincont; /* DEBLEND_MINCONT */
    int clean;              /* CLEAN */
    double clean_param;     /* CLEAN_PARAM */
    double radius_cut;      /* FLUX_RADIUS cut, px; NaN: every segment */
    int ndilate;            /* dilations of the kept segments */
    double saturation;      /* ADU; NaN: none */
    int keep_seg;           /* keep the segmentation map for check images */
} skysub_params;

/* phrosty's settings: the defaults of ph-skysub's option table (ui.c). */
void skysub_defaults(skysub_params *p);

typedef struct skysub_result {
    ph_bkg *sky;            /* the sky (background of the masked image) */
    double skyrms;          /* median of the sky rms map (phrosty's sky_rms) */
    double skylevel;        /* median of the sky map */
    double skydip, skypeak; /* Q1 - 1.5 IQR, Q3 + 1.5 IQR of the sky map */
    double det_back;        /* detection pass: global background ... */
    double det_rms;         /* ... and rms (SExtractor's) */
    double det_thresh;      /* absolute detection threshold */
    ph_detection det;       /* objects (FLUX_RADIUS etc.) */
    int32_t *seg;           /* segmentation map, when keep_seg */
    long nkept;             /* objects with FLUX_RADIUS > cut */
    long ndetmask;          /* pixels in the detection mask */
    long nbad;              /* BAD pixels */
    long nsaturated;        /* saturated pixels */
} skysub_result;

/* Run steps 1-4 on img (nx x ny). On entry mask[] holds PH_MASK_BAD for
 * flagged pixels (or 0); on return it holds BAD (flags, non-finite,
 * saturated), SKYSUB_SATURATED, SKYSUB_SEGMENT and PH_MASK_DETECTED. img is
 * left as it came (the background it borrows for detection is put back).
 * `work` (nx*ny floats, may be NULL) is scratch for the filtered image.
 * Errors are recorded (ph_error) with file = NULL. */
int skysub_detect_and_sky(float *img, uint8_t *mask, long nx, long ny, const skysub_params *p,
                          float *work, skysub_result *r);

/* Step 5, one pass: var[] (variance.h, from img before subtraction and
 * `noise` for VAR_NOISE), then img -= sky; non-finite pixels become 0. */
int skysub_finish(float *img, const float *noise, long nx, long ny, ph_bkg *sky, var_kind vk,
                  double gain, double read_noise, float *var);

/* Clear the working bits, keeping PH_MASK_DETECTED and PH_MASK_BAD. */
void skysub_final_mask(uint8_t *mask, long n);

void skysub_result_free(skysub_result *r);

#endif
