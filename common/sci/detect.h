/* detect.h -- source detection and segmentation as SExtractor does it
 * (pipeline-reference.md §2.3, read against astromatic/sextractor 2.25:
 * scan.c, filter.c, refine.c, clean.c, analyse.c, photom.c, growth.c).
 *
 * Steps, on a background-subtracted image:
 *  1. filtering: correlation with a small kernel (SExtractor's default
 *     3x3 "1 2 1 / 2 4 2 / 1 2 1", normalised by the sum of |K|); pixels
 *     outside the image contribute nothing;
 *  2. thresholding: a pixel is detected when its filtered value is above
 *     `thresh` (strictly), or when `force` marks it (saturated pixels);
 *  3. labelling: 8-connected components; those of at least `minarea`
 *     pixels are candidate objects (smaller ones stay "detected" pixels
 *     without an object);
 *  4. deblending: each component is re-thresholded at `nthresh`
 *     exponentially spaced levels between `thresh` and its peak; a branch
 *     of the tree (>= 3 pixels: SExtractor's MAXDEBAREA) becomes an object
 *     when at least two branches of one node each hold more than
 *     `mincont` of the component's filtered flux above their level; the
 *     component's remaining pixels go to the most probable object of a
 *     Gaussian model of each (SExtractor draws them at random with those
 *     probabilities; we take the most probable, which is deterministic and
 *     agrees with it more often than a second draw would);
 *  5. cleaning: an object whose brightest pixels could be the wing of a
 *     brighter neighbour's Moffat-like profile (CLEAN_PARAM beta) is merged
 *     into it;
 *  6. measurements: barycentre and second moments weighted by the filtered
 *     values, the Kron radius and FLUX_AUTO, and FLUX_RADIUS from the
 *     growth curve (64 circular bins out to 6 a, 5x5 sub-sampling near bin
 *     edges), with the pixels of other detections replaced by their mirror
 *     image through the object's centre (MASK_TYPE CORRECT).
 *
 * Memory: a float copy of the filtered image and the caller's int32
 * segmentation map, plus lists of the detected pixels.
 *
 * Coordinates are 0-based pixel centres (SExtractor's X_IMAGE = x + 1).
 */
#ifndef PH_DETECT_H
#define PH_DETECT_H

#include <stdint.h>

typedef struct ph_detect_params {
    double thresh;           /* detection threshold on the filtered image (image units) */
    int minarea;             /* DETECT_MINAREA, pixels (5) */
    int nthresh;             /* DEBLEND_NTHRESH (32) */
    double mincont;          /* DEBLEND_MINCONT (0.005) */
    int clean;               /* CLEAN (1) */
    double clean_param;      /* CLEAN_PARAM (1.0) */
    const float *kernel;     /* filter, kw x kh, row-major; NULL = no filtering */
    int kw, kh;
    int kernel_norm;         /* divide the kernel by the sum of |K| (CONV NORM) */
    double kron_fact;        /* PHOT_AUTOPARAMS (2.5, 3.5) */
    double kron_min;
    double fluxfrac;         /* PHOT_FLUXFRAC (0.5) */
    int mask_correct;        /* MASK_TYPE CORRECT (1) or NONE (0) */
} ph_detect_params;

/* phrosty's SExtractor settings (pipeline-reference.md §2.1) with
 * thresh = 0 (the caller sets DETECT_THRESH x rms). */
void ph_detect_defaults(ph_detect_params *p);

/* SExtractor's default.conv, 3x3, not normalised. */
extern const float ph_detect_default_kernel[9];

enum {
    PH_OBJ_DEBLENDED = 1, /* split from a larger component */
    PH_OBJ_CLEANED = 2,   /* has eaten at least one neighbour */
    PH_OBJ_TRUNC = 4,     /* touches the image edge */
    PH_OBJ_FORCED = 8,    /* contains forced (saturated) pixels */
};

typedef struct ph_object {
    double x, y;           /* barycentre (0-based), filtered-value weighted */
    double x2, y2, xy;     /* second moments, px^2 */
    double a, b, theta;    /* semi-axes (px) and angle (degrees from x) */
    double cxx, cyy, cxy;  /* ellipse: cxx dx^2 + cyy dy^2 + cxy dx dy = r^2 */
    double abcor;          /* SExtractor's isophote correction of a b */
    double flux_iso;       /* sum of image values over the segment */
    double fdflux;         /* sum of filtered values over the segment */
    double peak, fdpeak;   /* largest image / filtered value */
    double mthresh;        /* DETECT_MINAREA-th largest filtered value above thresh */
    double kron_radius;    /* in units of a, b (KRON_RADIUS) */
    double flux_auto;      /* FLUX_AUTO */
    double flux_radius;    /* FLUX_RADIUS at `fluxfrac`, px */
    long npix;             /* pixels in the segment */
    int xmin, xmax, ymin, ymax;
    int flags;             /* PH_OBJ_* */
} ph_object;

typedef struct ph_detection {
    long nobj;
    ph_object *obj;        /* obj[k] has label k + 1 in the segmentation map */
    long ndetected;        /* pixels above the threshold (or forced) */
    long nsmall;           /* components smaller than minarea */
    long ndeblended;       /* components split by deblending */
    long ncleaned;         /* objects merged away by cleaning */
} ph_detection;

/* Detect on `img` (nx x ny, background subtracted; non-finite pixels are
 * taken as 0 for filtering and never measured). Pixels with
 * (force[i] & forcebits) count as detected whatever their value (force
 * may be NULL). `work` (may be NULL) is room for nx*ny floats that the
 * filtered image may use instead of an allocation of its own. Fills
 * seg[nx*ny] with labels 1..nobj (0 = no object) and `out`. The objects
 * are numbered in the order SExtractor would analyse them (by the row
 * where their component ends). */
int ph_detect(const float *img, const uint8_t *force, uint8_t forcebits, long nx, long ny,
              const ph_detect_params *p, float *work, int32_t *seg, ph_detection *out);
void ph_detect_free(ph_detection *d);

/* Filtering alone (step 1), for tests and check images: out = img (*) K.
 * Non-finite inputs count as 0. */
int ph_detect_filter(const float *img, long nx, long ny, const ph_detect_params *p,
                     float *out);

#endif
