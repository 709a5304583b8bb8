/* cosmic.h -- cosmic-ray hits: straight tracks of charge, new on every
 * exposure, modelled on the OU2024 look-alike sample's (about 900 tracks
 * per 4088^2 exposure of 302 s, flagged there with DQ 4; OU2024 itself
 * does not flag them):
 *  - a track starts at a random pixel and runs at a random angle for a
 *    length (pixel centre to pixel centre) of 0.5 px plus an exponential of
 *    mean 2.8 px, at most 11.5 px; its pixels are those of the digital
 *    line between the end pixels (one per step along the longer axis: 1 to
 *    12 pixels, most often 2; the sample's 899 tracks have 15, 309, 182,
 *    144, 83, 50, 40, 33, 16, 11, 7, 9 tracks of 1 ... 12 pixels);
 *  - each track deposits a level uniform in 150 ... 2600 e- per pixel (the
 *    sample's track means: median 1390, 10% 375, 90% 2320), each pixel
 *    varying about it by 16% rms (Gaussian, never negative);
 *  - nothing spills to the neighbouring pixels (as the sample).
 * The charge adds to the pixel before the saturation clip.
 */
#ifndef SIM_COSMIC_H
#define SIM_COSMIC_H

#include "base/rng.h"

#include <stdint.h>

/* Draw `n` tracks (random stream `seed`) onto sci (nx x ny, e-); with
 * `flag`, set DQ bit 4 on their pixels. Returns the pixels hit (a pixel hit
 * twice counts twice). */
long sim_cosmic_rays(long nx, long ny, long n, uint64_t seed, int flag, double *sci,
                     uint32_t *dq);

/* The default number of tracks on an image of nx x ny pixels exposed for
 * exptime_s seconds: 900 per 4088^2 per 302.275 s. */
long sim_cosmic_default(long nx, long ny, double exptime_s);

#endif
