/* rng.h -- a deterministic random number generator (xoshiro256**, seeded
 * through splitmix64), the same sequence on every machine, for simulations
 * and any random sampling, so that CPU outputs are bit-identical run to run.
 */
#ifndef PH_RNG_H
#define PH_RNG_H

#include <stdint.h>

typedef struct ph_rng {
    uint64_t s[4];
    int has_spare;
    double spare;
} ph_rng;

void ph_rng_seed(ph_rng *r, uint64_t seed);
/* An independent stream for (seed, stream), e.g. one per image or row. */
void ph_rng_seed2(ph_rng *r, uint64_t seed, uint64_t stream);
uint64_t ph_rng_u64(ph_rng *r);
double ph_rng_uniform(ph_rng *r);          /* [0, 1) */
double ph_rng_gauss(ph_rng *r);            /* N(0, 1) */
/* Poisson deviate: inversion for small mean, PTRS (Hormann 1993) above 10. */
double ph_rng_poisson(ph_rng *r, double mean);

#endif
