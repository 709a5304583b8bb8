/* weights.h -- interpolation weights for one sample position, fast enough
 * to call twice per output pixel of a 4088x4088 image.
 *
 * Same kernels and tap layout as common/sci/interp.h (taps floor(x) - r + 1 ..
 * floor(x) + r for the fractional part t): bilinear and bicubic are
 * ph_interp_weights itself; Lanczos-3 is computed faster and agrees with it
 * to rounding (checked by tests/unit/test_align.c): one sincos instead of
 * twelve sines, since for tap offset u = t - k, sin(pi u) = (-1)^k sin(pi t),
 * sin(pi t) = sin(3a) with a = pi t / 3 (triple-angle formula), and
 * sin(pi u / 3) follows from sin a and cos a (angle difference).
 */
#ifndef ALIGN_WEIGHTS_H
#define ALIGN_WEIGHTS_H

#include "sci/interp.h"

void align_weights(ph_interp k, double t, double *w);

#endif
