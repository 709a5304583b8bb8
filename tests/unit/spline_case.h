/* spline_case.h -- the not-a-knot spline case shared by test_psffit.c and
 * test_psffit_elem.c: a flat N x N PSF (the spline's knots) and samples
 * y[k] = cubic(k) of a cubic, which such a spline reproduces exactly. */
#ifndef TEST_SPLINE_CASE_H
#define TEST_SPLINE_CASE_H

#include "sci/psffit.h"

static inline double cubic(double u) { return 0.3 - 0.7 * u + 0.11 * u * u - 0.013 * u * u * u; }

/* Fill psf (n x n) with 1 and y (n) with the cubic, and set up s on psf;
 * returns ph_psffit_spline_init's status. */
static inline int spline_case(ph_psf_spline *s, double *psf, double *y, int n)
{
    for (int i = 0; i < n * n; i++)
        psf[i] = 1;
    for (int k = 0; k < n; k++)
        y[k] = cubic(k);
    return ph_psffit_spline_init(s, psf, n);
}

#endif
