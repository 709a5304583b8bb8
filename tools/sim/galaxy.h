/* galaxy.h -- Sersic galaxies as Fourier transforms, for rendering through
 * ph_romanpsf_render (common/sci/romanpsf.h).
 *
 * Profile: I(r) = exp(-b_n (r / r_e)^(1/n)), truncated at SIM_SERSIC_TRUNC
 * half-light radii (r_e is that of the untruncated profile; b_n from the
 * Ciotti & Bertin 1999 expansion), unit flux inside the truncation.
 * Shape: axis ratio q (minor/major) and position angle pa (degrees east of
 * north) on the sky; the circularised radius is sqrt(q a^2 + b^2 / q) for
 * offsets a along the major and b along the minor axis, so the area inside
 * r_e is pi r_e^2 whatever q.
 *
 * The radial transform F(kappa) (kappa in cycles per r_e) is tabulated
 * once per Sersic index through the projection-slice theorem: the 2-D
 * transform of a circular profile is the 1-D cosine transform of its
 * projection A(x) = int I(sqrt(x^2 + y^2)) dy.
 */
#ifndef SIM_GALAXY_H
#define SIM_GALAXY_H

#include "sci/romanpsf.h"

#define SIM_SERSIC_TRUNC 6.0  /* truncation radius, in r_e */
#define SIM_SERSIC_KAPPA 40.0 /* table end, cycles per r_e */

typedef struct sersic_table sersic_table;

/* Table for index n (0.3 ... 8), cached: the same pointer for the same n.
 * NULL on error (recorded). The cache lives until sersic_cache_free(). */
const sersic_table *sersic_get(double n);
void sersic_cache_free(void);

/* The radial transform at kappa (cycles per r_e); 1 at 0, 0 beyond the table. */
double sersic_ft(const sersic_table *t, double kappa);

/* b_n: the half-light constant of a Sersic profile of index n. */
double sersic_bn(double n);

/* A galaxy on an image: its transform as a ph_source_ft.
 * jac[2][2]: the local WCS d(xi, eta)/d(x, y) in ARCSEC per pixel (xi east),
 * re_arcsec, q, pa_deg: the galaxy. */
typedef struct sim_galaxy_ft {
    const sersic_table *tab;
    double t[2][2]; /* kappa vector = t . k (k in cycles per pixel) */
} sim_galaxy_ft;

/* Fill g and src (src->ft, src->ctx = g, src->kmax) and return the radius
 * (native pixels, along the major axis) beyond which the profile is zero. */
double sim_galaxy_setup(sim_galaxy_ft *g, ph_source_ft *src, const sersic_table *tab,
                        const double jac[2][2], double re_arcsec, double q, double pa_deg);

#endif
