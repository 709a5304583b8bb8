/* psfrotate.c -- see psfrotate.h. The angle follows SFFT's
 * PatternRotationCalculator and the resampling its zoom-rotate
 * (sfft-reference.md §3.7); the mirror for opposite parities and the
 * normalisation are ours (SFFT cannot represent a flip). */
#include "sci/psfrotate.h"
#include "base/log.h"

#include <math.h>

static const double D2R = M_PI / 180.0;

double ph_psfrotate_mat2_inverse(const double a[2][2], double inv[2][2])
{
    double det = a[0][0] * a[1][1] - a[0][1] * a[1][0];
    if (det == 0 || !isfinite(det))
        return 0;
    inv[0][0] = a[1][1] / det;
    inv[0][1] = -a[0][1] / det;
    inv[1][0] = -a[1][0] / det;
    inv[1][1] = a[0][0] / det;
    return det;
}

/* CCW angle from u to v, radians in (-pi, pi]. */
static double angle_between(const double u[2], const double v[2])
{
    return atan2(u[0] * v[1] - u[1] * v[0], u[0] * v[0] + u[1] * v[1]);
}

int ph_psfrotate_pattern_rotation(ph_wcs *object, double ox0, double oy0, ph_wcs *target,
                                  ph_pattern_rot *out)
{
    /* Points 0..4: the anchor and +-0.5 px in x and y (for the Jacobian). */
    const double h = 0.5;
    double ox[5] = {ox0, ox0 + h, ox0 - h, ox0, ox0}, oy[5] = {oy0, oy0, oy0, oy0 + h, oy0 - h};
    double ra[6], dec[6], tx[6], ty[6];
    if (ph_wcs_pix2sky(object, 5, ox, oy, ra, dec))
        return PH_EFAIL;
    /* Point 5: 1 arcsec north of the anchor (SFFT's shift_dec = 1.0). */
    ra[5] = ra[0];
    dec[5] = dec[0] + 1.0 / 3600.0;
    double nx, ny;
    if (ph_wcs_sky2pix(object, 1, &ra[5], &dec[5], &nx, &ny))
        return PH_EFAIL;
    if (ph_wcs_sky2pix(target, 6, ra, dec, tx, ty))
        return PH_EFAIL;
    int ok = isfinite(nx) && isfinite(ny);
    for (int i = 0; i < 6; i++)
        ok = ok && isfinite(ra[i]) && isfinite(dec[i]) && isfinite(tx[i]) && isfinite(ty[i]);
    if (!ok)
        return ph_error(PH_EFAIL, NULL,
                        "cannot map object pixel (%g, %g) into the target frame: the WCSs are "
                        "undefined there",
                        ox0, oy0);

    out->jac[0][0] = (tx[1] - tx[2]) / (2 * h);
    out->jac[1][0] = (ty[1] - ty[2]) / (2 * h);
    out->jac[0][1] = (tx[3] - tx[4]) / (2 * h);
    out->jac[1][1] = (ty[3] - ty[4]) / (2 * h);
    double det = out->jac[0][0] * out->jac[1][1] - out->jac[0][1] * out->jac[1][0];
    if (!(fabs(det) > 1e-12))
        return ph_error(PH_EFAIL, NULL,
                        "the pixel map between the two WCSs is degenerate at object pixel "
                        "(%g, %g)",
                        ox0, oy0);

    double vo[2] = {nx - ox0, ny - oy0};           /* north in the object frame */
    double vt[2] = {tx[5] - tx[0], ty[5] - ty[0]}; /* north in the target frame */
    double a = angle_between(vo, vt) / D2R;
    out->alpha_deg = a < 0 ? a + 360.0 : a;
    out->flip = det < 0;
    if (!out->flip) {
        out->beta_deg = out->alpha_deg;
        double c = cos(out->alpha_deg * D2R), s = sin(out->alpha_deg * D2R);
        out->q[0][0] = c, out->q[0][1] = -s, out->q[1][0] = s, out->q[1][1] = c;
    } else {
        double vf[2] = {-vo[0], vo[1]}; /* north after the x mirror */
        double b = angle_between(vf, vt) / D2R;
        out->beta_deg = b < 0 ? b + 360.0 : b;
        double c = cos(out->beta_deg * D2R), s = sin(out->beta_deg * D2R);
        /* R(beta) * diag(-1, 1) */
        out->q[0][0] = -c, out->q[0][1] = -s, out->q[1][0] = -s, out->q[1][1] = c;
    }
    return PH_OK;
}

void ph_psfrotate_sfft(const double *in, long n, double alpha_deg, double *out)
{
    /* Source = R(-alpha) (X - c) + c (§3.7). R(-alpha) = [[c, s], [-s, c]]. */
    double c = cos(alpha_deg * D2R), s = sin(alpha_deg * D2R);
    const double m[2][2] = {{c, s}, {-s, c}};
    ph_psfrotate_transform(in, n, m, PH_INTERP_BILINEAR, 0, out);
}

double ph_psfrotate_transform(const double *in, long n, const double m[2][2], ph_interp k,
                              int normalise, double *out)
{
    /* SFFT's centre 0.5 + n/2 (1-based) is (n - 1) / 2 0-based. */
    double ctr = (n - 1) / 2.0, sum = 0;
    for (long y = 0; y < n; y++)
        for (long x = 0; x < n; x++) {
            double dx = x - ctr, dy = y - ctr;
            double sx = m[0][0] * dx + m[0][1] * dy + ctr;
            double sy = m[1][0] * dx + m[1][1] * dy + ctr;
            double v = ph_interp_sample(in, n, n, sx, sy, k, 0.0);
            out[y * n + x] = v;
            sum += v;
        }
    if (normalise && sum > 0)
        for (long i = 0; i < n * n; i++)
            out[i] /= sum;
    return sum;
}
