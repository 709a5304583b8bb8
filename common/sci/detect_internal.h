/* detect_internal.h -- what detect.c, detect_deblend.c and detect_measure.c
 * share. Not a public header: use detect.h. */
#ifndef PH_DETECT_INTERNAL_H
#define PH_DETECT_INTERNAL_H

#include "sci/detect.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>

/* SExtractor constants (define.h, clean.h, photom.h, growth.h). */
#define DET_MAXDEBAREA 3       /* branches of the deblending tree need >= 3 pixels */
#define DET_NSONMAX 1024       /* more nodes on one level: the component is kept whole */
#define DET_CLEAN_ZONE 10.0    /* cleaning looks within 10 (a1 + a2) */
#define DET_KRON_NSIG 6.0      /* 3 * MARGIN_SCALE: Kron first-moment ellipse */
#define DET_GROWTH_NSTEP 64    /* growth-curve bins */
#define DET_GROWTH_OVERSAMP 5  /* sub-sampling near a bin edge */
#define DET_GROWTH_NSIG 6.0    /* growth curve out to 6 a */

typedef struct det_ctx {
    const float *img;          /* background-subtracted image ("dvalue") */
    const float *filt;         /* filtered image ("cdvalue") */
    const uint8_t *force;      /* forced pixels where (force[i] & forcebits), or NULL */
    uint8_t forcebits;
    long nx, ny;
    const ph_detect_params *p;
    float thresh;              /* detection threshold (float, as SExtractor compares) */
} det_ctx;

static inline int det_forced(const det_ctx *c, size_t i)
{
    return c->force && (c->force[i] & c->forcebits);
}

/* Image value used in sums: non-finite pixels count as 0. */
static inline float det_dv(const det_ctx *c, size_t i)
{
    float v = c->img[i];
    return isfinite(v) ? v : 0.0f;
}

/* One piece of a component after deblending: pixels pix[start .. start+n). */
typedef struct det_child {
    long start, n;
    int deblended;
    double core_x, core_y;     /* barycentre of the branch before it gathered
                                  the faint pixels (SExtractor keeps it) */
} det_child;

/* Split the component whose n pixels (global indices) are in pix; pix is
 * reordered so that the children are contiguous. *children is allocated
 * (free()); *nchild >= 1. */
int det_deblend(const det_ctx *c, uint32_t *pix, long n, det_child **children, int *nchild);

/* SExtractor's preanalyse(): counts, fluxes, peaks, box, barycentre and
 * moments of the pixels pix[0..n) at isophote `thresh`. With `center`
 * (not NULL), the second moments are taken about that point and it is
 * the barycentre (ANALYSE_ROBUST for deblended objects). */
void det_preanalyse(const det_ctx *c, const uint32_t *pix, long n, double thresh,
                    const double *center, ph_object *o);

/* The DETECT_MINAREA-th largest (filtered value - thresh) of the pixels,
 * 0 when there are fewer (SExtractor's mthresh, used by cleaning). */
double det_mthresh(const det_ctx *c, const uint32_t *pix, long n);

/* Cleaning (clean.c), with the list of objects SExtractor keeps for it.
 * The list is indexed by a grid so that a newcomer meets only its
 * neighbours; objects leave it as SExtractor's scan would end them. */
typedef struct det_cleaner det_cleaner;
det_cleaner *det_cleaner_new(long nx, long ny);
void det_cleaner_free(det_cleaner *cl);
/* Before the objects of a component whose last row is ymax: end the
 * objects SExtractor's 1024-line strip has left behind. */
void det_cleaner_expire(det_cleaner *cl, int ymax);
/* Clean newcomer `in` (obj[in] analysed): returns 1 if it survives (it
 * may have eaten others: master[] set to in), 0 if a neighbour ate it
 * (master[in] set), -1 on error (recorded). */
int det_clean(det_cleaner *cl, ph_object *obj, long *master, long in, double beta,
              double thresh);

/* FLUX_AUTO, KRON_RADIUS and FLUX_RADIUS of object `self` (label self+1
 * in seg, where -1 marks detected pixels of no object); pixels of other
 * detections are replaced by their mirror image through the centre, or 0
 * (mask_correct = 0). `unmasked[k]` non-zero: pixels of object k are data
 * for everyone (objects eaten by cleaning, whose pixels SExtractor pastes
 * back). */
void det_measure(const det_ctx *c, const int32_t *seg, const uint8_t *unmasked, long self,
                 ph_object *o);

#endif
