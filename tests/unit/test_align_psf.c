/* test_align_psf.c -- common/psfrotate: SFFT's rotation against SFFT's own
 * fixture (sfft-roman-gauss, sfft-reference.md §13.3), the exact 90-degree
 * anchor (§3.7), the pattern-rotation angle and flip from synthetic WCSs,
 * and the normalised, flip-aware transform against PSFs rendered
 * analytically in each frame; plus ph-align's PSF step (align_psf). */
#include "check.h"
#include "align.h"
#include "align_wcs.h"
#include "io/fits.h"
#include "base/log.h"
#include "sci/psfrotate.h"
#include "io/psfstamp.h"

#include <stdlib.h>

/* max |a - b| / max |b| */
static double rel_maxdiff(const double *a, const double *b, long n)
{
    double d = 0, m = 0;
    for (long i = 0; i < n; i++) {
        d = fmax(d, fabs(a[i] - b[i]));
        m = fmax(m, fabs(b[i]));
    }
    return d / m;
}

TEST(sfft_fixture_92deg)
{
    const char *in = check_data("sfft-roman-gauss/inputs/gauss_objectPSF.fits");
    const char *ref = check_data("sfft-roman-gauss/outputs/resamp/resamp_objectPSF.fits");
    if (!check_have(in) || !check_have(ref))
        SKIP("sfft-roman-gauss fixture not present");
    long nx, ny, mx, my;
    double *a = NULL, *r = NULL;
    EXPECT(ph_fits_load_double(in, NULL, &nx, &ny, &a, NULL) == 0);
    EXPECT(ph_fits_load_double(ref, NULL, &mx, &my, &r, NULL) == 0);
    if (!a || !r)
        return;
    EXPECT(nx == 47 && ny == 47 && mx == 47 && my == 47);
    double *o = malloc(nx * ny * sizeof *o);
    ph_psfrotate_sfft(a, nx, 92.0, o);
    double e = rel_maxdiff(o, r, nx * ny);
    printf("# SFFT fixture, 92 deg: max |diff| / max = %.3g\n", e);
    EXPECT(e < 1e-10);
    /* The fixture's layout is ours: read transposed, the result is wrong. */
    double *t = malloc(nx * ny * sizeof *t), *ot = malloc(nx * ny * sizeof *ot);
    for (long y = 0; y < ny; y++)
        for (long x = 0; x < nx; x++)
            t[x * ny + y] = a[y * nx + x];
    ph_psfrotate_sfft(t, nx, 92.0, ot);
    for (long y = 0; y < ny; y++)
        for (long x = 0; x < nx; x++)
            t[y * nx + x] = ot[x * ny + y];
    EXPECT(rel_maxdiff(t, r, nx * ny) > 1e-4);
    /* SFFT does not renormalise: the sum drifts a little from 1. */
    double s = 0;
    for (long i = 0; i < nx * ny; i++)
        s += o[i];
    EXPECT(fabs(s - 1) > 1e-7 && fabs(s - 1) < 1e-3);
    free(a), free(r), free(o), free(t), free(ot);
}

TEST(rotation_by_90_is_exact)
{
    enum { N = 9 };
    double in[N * N], out[N * N];
    for (int i = 0; i < N * N; i++)
        in[i] = (i * 37 % 11) + 0.25 * i;
    ph_psfrotate_sfft(in, N, 90.0, out);
    /* §3.7: out[i, j] = in[j, n-1-i] in (x, y) = (column, row) terms. */
    double worst = 0;
    for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++)
            worst = fmax(worst, fabs(out[y * N + x] - in[(N - 1 - x) * N + y]));
    EXPECT(worst < 1e-12);
    /* 0 degrees is the identity */
    ph_psfrotate_sfft(in, N, 0.0, out);
    EXPECT(!memcmp(in, out, sizeof in));
}

/* An asymmetric PSF defined on the sky (arcsec offsets xi east, eta north):
 * elliptical core plus an offset wing. */
static double psf_sky(double xi, double eta)
{
    double c = cos(0.5), s = sin(0.5);
    double u = xi * c + eta * s, v = -xi * s + eta * c;
    double core = exp(-0.5 * (u * u / (0.26 * 0.26) + v * v / (0.19 * 0.19)));
    double dx = xi - 0.10, dy = eta - 0.07;
    double wing = 0.3 * exp(-0.5 * (dx * dx + dy * dy) / (0.31 * 0.31));
    return core + wing;
}

/* Render it on an n x n stamp of a frame whose local map is `cd` (arcsec per
 * pixel, d(xi, eta)/d(x, y)), normalised. */
static void render(const double cd[2][2], long n, double *out)
{
    double c = (n - 1) / 2.0, s = 0;
    for (long y = 0; y < n; y++)
        for (long x = 0; x < n; x++) {
            double dx = x - c, dy = y - c;
            out[y * n + x] = psf_sky(cd[0][0] * dx + cd[0][1] * dy, cd[1][0] * dx + cd[1][1] * dy);
            s += out[y * n + x];
        }
    for (long i = 0; i < n * n; i++)
        out[i] /= s;
}

static void local_cd(ph_wcs *w, double x0, double y0, double cd[2][2])
{
    ph_wcs_local l;
    ph_wcs_local_at(w, x0, y0, &l);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            cd[i][j] = l.cd[i][j] * 3600;
}

static double rel_l2(const double *a, const double *b, long n)
{
    double d = 0, m = 0;
    for (long i = 0; i < n; i++) {
        d += (a[i] - b[i]) * (a[i] - b[i]);
        m += b[i] * b[i];
    }
    return sqrt(d / m);
}

/* The direction of north in a frame's pixels, from its local CD, radians. */
static double north_angle(const double cd[2][2])
{
    double inv[2][2];
    ph_psfrotate_mat2_inverse(cd, inv);
    return atan2(inv[1][1], inv[0][1]); /* CD^-1 (0, 1) */
}

static double expected_alpha; /* independent: the turn of north between local CDs */

/* Template frame vs science frame: the PSF carried over with `mode` and
 * kernel k must match the PSF rendered in the science frame. */
static double carry(const tw *tpl, int mode, ph_interp k, ph_pattern_rot *rot_out)
{
    enum { N = 41 };
    tw s = {1000.5, 1200.5, 7.5, -44.9, 20.0, 0.11, 1, 1}, t = *tpl;
    tw_centre(&s, 255.5, 255.5, 7.5, -44.9);
    tw_centre(&t, 300, 300, 7.5, -44.9);
    ph_wcs *ws = tw_wcs(&s), *wt = tw_wcs(&t);
    double cdt[2][2], cds[2][2], in[N * N], truth[N * N], out[N * N], sx, sy;
    double x0 = 300, y0 = 300, ra, dec;
    ph_wcs_pix2sky(wt, 1, &x0, &y0, &ra, &dec);
    ph_wcs_sky2pix(ws, 1, &ra, &dec, &sx, &sy);
    local_cd(wt, x0, y0, cdt);
    local_cd(ws, sx, sy, cds);
    render(cdt, N, in);
    render(cds, N, truth);
    expected_alpha = fmod((north_angle(cds) - north_angle(cdt)) * 180 / M_PI + 720, 360);
    align_geom g = {0};
    EXPECT(ph_psfrotate_pattern_rotation(wt, x0, y0, ws, &g.rot) == 0);
    double sum;
    align_psf(in, N, &g, (align_psf_mode)mode, k, out, &sum);
    if (rot_out)
        *rot_out = g.rot;
    ph_wcs_free(ws);
    ph_wcs_free(wt);
    return rel_l2(out, truth, N * N);
}

TEST(pattern_rotation_angle_and_flip)
{
    ph_pattern_rot r;
    /* Template grid rotated by 57 deg vs the science's 20: SFFT's angle is
     * the turn of north, 37 deg plus the distortions' local twist. */
    tw t = {-500, 900, 7.5, -44.9, 57.0, 0.11, 1, 2};
    carry(&t, ALIGN_PSF_ROTATE, PH_INTERP_LANCZOS3, &r);
    EXPECT_NEAR(r.alpha_deg, 37.0, 0.2);
    EXPECT_NEAR(r.alpha_deg, expected_alpha, 5e-4); /* SFFT steps 1" (9 px): curvature */
    EXPECT(!r.flip);
    EXPECT_NEAR(r.q[0][0], cos(r.alpha_deg * M_PI / 180), 1e-12);
    /* Opposite parity: flipped, and q has determinant -1. */
    tw f = {-500, 900, 7.5, -44.9, 35.0, 0.11, -1, 2};
    carry(&f, ALIGN_PSF_ROTATE, PH_INTERP_LANCZOS3, &r);
    EXPECT(r.flip);
    EXPECT_NEAR(r.q[0][0] * r.q[1][1] - r.q[0][1] * r.q[1][0], -1, 1e-12);
    /* q is the orthogonal part of the local map: close to jac / scale. */
    double sc = sqrt(fabs(r.jac[0][0] * r.jac[1][1] - r.jac[0][1] * r.jac[1][0]));
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            EXPECT_NEAR(r.q[i][j], r.jac[i][j] / sc, 2e-3);
}

TEST(carried_psf_matches_psf_rendered_in_science_frame)
{
    tw rot = {-500, 900, 7.5, -44.9, 57.0, 0.11, 1, 2};
    tw flip = {-500, 900, 7.5, -44.9, 35.0, 0.11, -1, 2};
    tw scale = {800, -600, 7.5, -44.9, 80.0, 0.10, 1, 2};
    const tw *cases[3] = {&rot, &flip, &scale};
    const char *names[3] = {"rot 37", "flip", "scale 0.10"};
    for (int c = 0; c < 3; c++) {
        double r3 = carry(cases[c], c == 2 ? ALIGN_PSF_AFFINE : ALIGN_PSF_ROTATE,
                          PH_INTERP_LANCZOS3, NULL);
        double rc = carry(cases[c], c == 2 ? ALIGN_PSF_AFFINE : ALIGN_PSF_ROTATE,
                          PH_INTERP_BICUBIC, NULL);
        double r1 = carry(cases[c], c == 2 ? ALIGN_PSF_AFFINE : ALIGN_PSF_ROTATE,
                          PH_INTERP_BILINEAR, NULL);
        printf("# %-10s relative L2 vs truth: lanczos3 %.4f bicubic %.4f bilinear %.4f\n",
               names[c], r3, rc, r1);
        EXPECT(r3 < 0.01 && rc < 0.01);
        EXPECT(r1 < 0.04); /* bilinear sampling broadens the PSF (§12.3) */
    }
    /* Without the flip (SFFT), a mirrored pair is wrong; without the zoom
     * (rotate mode), a 10% scale change is. */
    EXPECT(carry(&flip, ALIGN_PSF_SFFT, PH_INTERP_BILINEAR, NULL) > 0.2);
    EXPECT(carry(&scale, ALIGN_PSF_ROTATE, PH_INTERP_LANCZOS3, NULL) > 0.05);
}

TEST(normalised_and_centred)
{
    enum { N = 25 };
    double in[N * N], out[N * N], c = (N - 1) / 2.0;
    for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++)
            in[y * N + x] = exp(-0.5 * ((x - c) * (x - c) / 4.0 + (y - c) * (y - c) / 2.25));
    ph_psfstamp_normalise(in, N);
    double th = 0.7, m[2][2] = {{cos(th), sin(th)}, {-sin(th), cos(th)}};
    double sum = ph_psfrotate_transform(in, N, m, PH_INTERP_BILINEAR, 1, out);
    EXPECT(fabs(sum - 1) > 1e-9); /* bilinear changes the sum a little ... */
    double s = 0, dx, dy;
    for (int i = 0; i < N * N; i++)
        s += out[i];
    EXPECT_NEAR(s, 1, 1e-14); /* ... and normalising restores it */
    ph_psfstamp_centroid(out, N, &dx, &dy);
    EXPECT_NEAR(dx, 0, 1e-12); /* a centred PSF stays centred */
    EXPECT_NEAR(dy, 0, 1e-12);
    double sing[2][2] = {{1, 2}, {2, 4}}, inv[2][2];
    EXPECT(ph_psfrotate_mat2_inverse(sing, inv) == 0);
}

/* ph_psfrotate_pattern_rotation of science s and template t at (50, 50) fails with
 * a message holding msg. */
static void expect_rotation_error(const tw *s, const tw *t, const char *msg)
{
    ph_wcs *ws = tw_wcs(s), *wt = tw_wcs(t);
    ph_pattern_rot r;
    ph_error_clear();
    EXPECT(ph_psfrotate_pattern_rotation(wt, 50, 50, ws, &r) == PH_EFAIL);
    EXPECT(strstr(ph_error_message(), msg) != NULL);
    ph_error_clear();
    ph_wcs_free(ws);
    ph_wcs_free(wt);
}

TEST(undefined_orientation_is_an_error)
{
    tw s = {50.5, 50.5, 10.0, 0.0, 0.0, 0.11, 1, 0}, t = {50.5, 50.5, 110.0, 0.0, 0.0, 0.11, 1, 0};
    expect_rotation_error(&s, &t, "undefined");
}

TEST(degenerate_map_is_an_error)
{
    /* Template pixels 1e7 times smaller than the science ones. */
    tw s = {50.5, 50.5, 10.0, 0.0, 0.0, 0.11, 1, 0}, t = {50.5, 50.5, 10.0, 0.0, 0.0, 1.1e-8, 1, 0};
    expect_rotation_error(&s, &t, "degenerate");
}

int main(void)
{
    RUN(sfft_fixture_92deg);
    RUN(rotation_by_90_is_exact);
    RUN(pattern_rotation_angle_and_flip);
    RUN(carried_psf_matches_psf_rendered_in_science_frame);
    RUN(normalised_and_centred);
    RUN(undefined_orientation_is_an_error);
    RUN(degenerate_map_is_an_error);
    return check_done();
}
