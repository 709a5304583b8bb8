/* counts.h -- the sky of OpenUniverse2024 (OU2024): how many stars and
 * galaxies per area, their magnitude distributions, and galaxy sizes.
 *
 * Number counts: every star and galaxy on the pixels of the 8 OU2024 Y106
 * truth catalogues of Roman-Supernova-PIT/photometry_test_data (SCAs 1, 2,
 * 3, 7 and 15 of pointings 5934 ... 39790, the field of SN 20172782 at RA
 * 7.55, Dec -44.8), binned in AB magnitude (catalogue mag + ZPTMAG), over
 * the catalogues' sky area (each SCA's pixel area from a TAN fit of its x, y
 * against ra, dec: 52.73 arcmin^2 on average). That is 3.58 stars (AB 14.0
 * to 26.7) and 302.4 galaxies (AB 16.1 to 31.4) per arcmin^2: 189 and 15948
 * per SCA. The same AB distribution is used in every band.
 *
 * Galaxy sizes are not in the truth catalogues. Measured instead on the
 * 4088^2 look-alike images of the same catalogues (../shared/data/
 * ou2024-lookalike, pointing 35198): the half-light radius of isolated
 * galaxies of AB 18 to 25 (SEP flux_radius at half the true flux within
 * 25 px, the star's removed in quadrature) has a median of 0.32" at AB 24.5,
 * 0.43" at 22.5 and 0.65" at 20.5, with a 0.15 dex scatter. ph-sim draws
 * the intrinsic radius as 0.29" at AB 24.5, 0.085 dex larger per magnitude
 * brighter, 0.15 dex scatter: the same measurement on ph-sim's 4088^2
 * image then gives the look-alike's medians within 5% from AB 20 to 25. The
 * line is extended to the faint end (0.08" at AB 31).
 */
#ifndef SIM_COUNTS_H
#define SIM_COUNTS_H

#include "base/rng.h"

enum { SIM_MAGS_OU2024 = 0, SIM_MAGS_UNIFORM = 1 };

/* The AB range OU2024's counts of `type` (SIM_STAR, SIM_GALAXY) cover. */
void sim_counts_range(int type, double *lo, double *hi);

/* Objects of `type` per arcmin^2 with lo <= AB < hi (OU2024). */
double sim_counts_density(int type, double lo, double hi);

/* A magnitude drawn from OU2024's distribution of `type` restricted to
 * [lo, hi) (dist SIM_MAGS_OU2024), or uniform in [lo, hi) (SIM_MAGS_UNIFORM).
 * NAN if OU2024 has no objects of that type in the range. */
double sim_counts_draw_mag(int type, int dist, double lo, double hi, ph_rng *r);

/* A galaxy's half-light radius (arcsec) at AB magnitude `mag`: the
 * look-alike size-magnitude relation with its log-normal scatter, kept
 * within 0.05" ... 2". */
double sim_counts_galaxy_re(double mag, ph_rng *r);

#endif
