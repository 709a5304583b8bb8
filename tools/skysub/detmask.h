/* detmask.h -- the detection mask SFFT uses to choose its fitting pixels
 * (pipeline-reference.md §2.1 step 7, SFFT's SEx_SkySubtract):
 *
 *   ACTIVE  = pixels of segments whose object has FLUX_RADIUS > cut
 *             (strictly; stars and undersampled sources drop out);
 *   GROWN   = ACTIVE dilated `ndilate` times by the 3x3 cross (pixels
 *             within Manhattan distance ndilate; outside the image is 0);
 *   DETMASK = ACTIVE or (GROWN and not in any segment).
 *
 * With a NaN cut every segment is ACTIVE and there is no growth (phrosty's
 * RADIUS_CUT_DETMASK = None: DETMASK = SEG > 0).
 */
#ifndef PH_SKYSUB_DETMASK_H
#define PH_SKYSUB_DETMASK_H

#include "sci/detect.h"

#include <stdint.h>

/* Sets `bit` in mask[] on the detection mask; returns the number of
 * objects kept (FLUX_RADIUS > cut) in *nkept and of mask pixels in
 * *npix. seg holds labels 1..nobj (0 = none). */
int detmask_make(const int32_t *seg, const ph_object *obj, long nobj, long nx, long ny,
                 double radius_cut, int ndilate, uint8_t *mask, uint8_t bit, long *nkept,
                 long *npix);

#endif
