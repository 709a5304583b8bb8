/* test_align.c -- ph-align's resampling core (tools/align/resample.c,
 * weights.c) on synthetic WCS pairs, against values computed independently
 * from exact wcslib positions: linear/quadratic images reproduced, variance
 * weights, mask bits, the OUTSIDE fill, an integer shift as an exact copy,
 * flux scaling, and thread-count independence. */
#include "check.h"
#include "align.h"
#include "align_wcs.h"
#include "sci/interp.h"
#include "base/log.h"
#include "io/image.h"
#include "sci/pixmap.h"
#include "resample.h"
#include "weights.h"

#include <stdint.h>
#include <stdlib.h>

enum { SNX = 120, SNY = 100, TNX = 150, TNY = 140 };

typedef struct pair {
    ph_wcs *ws, *wt;
    ph_pixmap *map;
    double *ex, *ey; /* exact template position of every science pixel */
} pair;

/* Science 120x100 TAN-SIP; template 150x140 at `rot` deg, `scale` "/px,
 * `parity`, centred near the science centre (offset by dx, dy arcsec). */
static void make_pair(pair *p, double rot, double scale, int parity, double dx, double dy)
{
    tw s = {1300.5, -900.5, 7.5, -44.9, 20.0, 0.11, 1, 1};
    tw t = {-700.5, 1100.5, 7.5, -44.9, rot, scale, parity, 2};
    tw_centre(&s, (SNX - 1) / 2.0, (SNY - 1) / 2.0, 7.5, -44.9);
    tw_centre(&t, (TNX - 1) / 2.0, (TNY - 1) / 2.0, 7.5 + dx / 3600 / cos(44.9 * M_PI / 180),
              -44.9 + dy / 3600);
    p->ws = tw_wcs(&s);
    p->wt = tw_wcs(&t);
    EXPECT(ph_pixmap_make(p->ws, SNX, SNY, p->wt, TNX, TNY, 16, 1e-4, 4, &p->map) == 0);
    size_t n = (size_t)SNX * SNY;
    p->ex = malloc(4 * n * sizeof(double));
    p->ey = p->ex + n;
    double *tx = p->ey + n, *ty = tx + n, *ra = malloc(2 * n * sizeof *ra), *de = ra + n;
    for (size_t i = 0; i < n; i++)
        tx[i] = i % SNX, ty[i] = i / SNX;
    ph_wcs_pix2sky(p->ws, n, tx, ty, ra, de);
    ph_wcs_sky2pix(p->wt, n, ra, de, p->ex, p->ey);
    free(ra);
}

static void free_pair(pair *p)
{
    ph_pixmap_free(p->map);
    ph_wcs_free(p->ws);
    ph_wcs_free(p->wt);
    free(p->ex);
}

static align_opts opts_of(ph_interp k)
{
    align_opts o = {.kernel = k, .det_threshold = 0.1, .flux = ALIGN_FLUX_NONE, .area_ratio = 1,
                    .nthreads = 2};
    return o;
}

/* Is the exact position at least r + 1 pixels inside the template? */
static int deep_inside(const pair *p, size_t i, int r)
{
    return p->ex[i] >= r + 1 && p->ex[i] <= TNX - 2 - r && p->ey[i] >= r + 1 &&
           p->ey[i] <= TNY - 2 - r;
}

TEST(weights_match_common_kernels)
{
    ph_interp ks[3] = {PH_INTERP_BILINEAR, PH_INTERP_BICUBIC, PH_INTERP_LANCZOS3};
    double worst = 0;
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < 1000; i++) {
            double t = i / 1000.0 + 1e-4 * (i % 7), a[6], b[6];
            t = t >= 1 ? t - 1 : t;
            align_weights(ks[k], t, a);
            ph_interp_weights(ks[k], t, b);
            for (int j = 0; j < 2 * ph_interp_radius(ks[k]); j++)
                worst = fmax(worst, fabs(a[j] - b[j]));
        }
    EXPECT(worst < 1e-14);
}

TEST(polynomial_images_are_reproduced)
{
    pair p;
    make_pair(&p, 57.0, 0.11, 1, 2.0, -1.5);
    float *sci = malloc(TNX * TNY * sizeof *sci);
    /* bilinear reproduces linear images, bicubic quadratic ones */
    for (int deg = 1; deg <= 2; deg++) {
        for (int y = 0; y < TNY; y++)
            for (int x = 0; x < TNX; x++)
                sci[y * TNX + x] = (float)(10 + 0.5 * x - 0.25 * y +
                                           (deg == 2 ? 0.004 * x * x - 0.003 * x * y : 0));
        align_planes in = {TNX, TNY, sci, NULL, NULL}, out;
        align_opts o = opts_of(deg == 1 ? PH_INTERP_BILINEAR : PH_INTERP_BICUBIC);
        align_stats st;
        EXPECT(align_resample(p.map, &in, &o, &out, &st) == 0);
        double worst = 0;
        long n = 0;
        for (size_t i = 0; i < (size_t)SNX * SNY; i++) {
            if (!deep_inside(&p, i, 2))
                continue;
            double x = p.ex[i], y = p.ey[i];
            double f = 10 + 0.5 * x - 0.25 * y + (deg == 2 ? 0.004 * x * x - 0.003 * x * y : 0);
            worst = fmax(worst, fabs(out.sci[i] - f));
            EXPECT(out.mask[i] == 0);
            n++;
        }
        printf("# degree %d: %ld pixels, max error %.3g\n", deg, n, worst);
        EXPECT(n > 5000);
        EXPECT(worst < 2e-5); /* float32 output of values ~100 */
        EXPECT(out.var == NULL);
        align_planes_free(&out);
    }
    free(sci);
    free_pair(&p);
}

TEST(variance_weights)
{
    pair p;
    make_pair(&p, 33.0, 0.11, 1, 0, 0);
    float *sci = calloc(TNX * TNY, sizeof *sci), *var = malloc(TNX * TNY * sizeof *var);
    for (int i = 0; i < TNX * TNY; i++)
        var[i] = 4.0f;
    for (int lin = 0; lin < 2; lin++) {
        align_planes in = {TNX, TNY, sci, var, NULL}, out;
        align_opts o = opts_of(PH_INTERP_BILINEAR);
        o.var_linear = lin;
        align_stats st;
        EXPECT(align_resample(p.map, &in, &o, &out, &st) == 0);
        double worst = 0;
        for (size_t i = 0; i < (size_t)SNX * SNY; i++) {
            if (!deep_inside(&p, i, 1))
                continue;
            double tx = p.ex[i] - floor(p.ex[i]), ty = p.ey[i] - floor(p.ey[i]);
            double w2 = ((1 - tx) * (1 - tx) + tx * tx) * ((1 - ty) * (1 - ty) + ty * ty);
            worst = fmax(worst, fabs(out.var[i] - 4.0 * (lin ? 1.0 : w2)));
        }
        EXPECT(worst < 1e-5);
        align_planes_free(&out);
    }
    free(sci);
    free(var);
    free_pair(&p);
}

TEST(mask_bits_and_outside_fill)
{
    pair p;
    make_pair(&p, 120.0, 0.11, -1, 3.0, 2.0);
    float *sci = malloc(TNX * TNY * sizeof *sci), *var = malloc(TNX * TNY * sizeof *var);
    uint8_t *mask = calloc(TNX * TNY, 1);
    for (int i = 0; i < TNX * TNY; i++)
        sci[i] = 1.0f, var[i] = 1.0f;
    const int bx = 70, by = 66, dx = 80, dy = 75, nx_ = 90, ny_ = 60;
    mask[by * TNX + bx] = PH_MASK_BAD;
    mask[dy * TNX + dx] = PH_MASK_DETECTED;
    sci[ny_ * TNX + nx_] = NAN;
    align_planes in = {TNX, TNY, sci, var, mask}, out;
    align_opts o = opts_of(PH_INTERP_BILINEAR);
    align_stats st;
    EXPECT(align_resample(p.map, &in, &o, &out, &st) == 0);
    long nbad = 0, ndet = 0, nout = 0, nedge = 0;
    for (size_t i = 0; i < (size_t)SNX * SNY; i++) {
        double x = p.ex[i], y = p.ey[i];
        int outside = !(x >= -0.5 && x <= TNX - 0.5 && y >= -0.5 && y <= TNY - 0.5);
        if (outside) {
            EXPECT(out.mask[i] == PH_MASK_OUTSIDE && out.sci[i] == 0 && out.var[i] == 0);
            nout++;
            continue;
        }
        /* bilinear taps: floor(x), floor(x) + 1 (and the same in y) */
        long fx = (long)floor(x), fy = (long)floor(y);
        int touches_edge = fx < 0 || fx + 1 >= TNX || fy < 0 || fy + 1 >= TNY;
        int touches_bad = (fx == bx || fx + 1 == bx) && (fy == by || fy + 1 == by);
        int touches_nan = (fx == nx_ || fx + 1 == nx_) && (fy == ny_ || fy + 1 == ny_);
        double wdet = fmax(0, 1 - fabs(x - dx)) * fmax(0, 1 - fabs(y - dy));
        uint8_t want = (touches_edge || touches_bad || touches_nan ? PH_MASK_BAD : 0) |
                       (wdet >= 0.1 ? PH_MASK_DETECTED : 0);
        if (out.mask[i] != want) {
            printf("# pixel %zu at template (%.4f, %.4f): mask %d, expected %d\n", i, x, y,
                   out.mask[i], want);
            EXPECT(0);
        }
        nbad += touches_bad || touches_nan;
        ndet += wdet >= 0.1;
        nedge += touches_edge;
        EXPECT(isfinite(out.sci[i]));
    }
    printf("# %ld OUTSIDE, %ld edge BAD, %ld BAD from a BAD or NaN pixel, %ld DETECTED\n", nout,
           nedge, nbad, ndet);
    EXPECT(nout > 100 && nedge > 10 && nbad >= 2 && ndet >= 1);
    EXPECT(st.n_inside == SNX * SNY - nout);
    align_planes_free(&out);
    free(sci), free(var), free(mask);
    free_pair(&p);
}

TEST(integer_shift_is_an_exact_copy)
{
    tw s = {60.5, 50.5, 7.5, -44.9, 20.0, 0.11, 1, 1}, t = s;
    t.crpix1 += 3; /* template pixel = science pixel + (3, -2) */
    t.crpix2 -= 2;
    ph_wcs *ws = tw_wcs(&s), *wt = tw_wcs(&t);
    ph_pixmap *m = NULL;
    EXPECT(ph_pixmap_make(ws, SNX, SNY, wt, SNX, SNY, 32, 1e-4, 4, &m) == 0);
    float *sci = malloc(SNX * SNY * sizeof *sci);
    uint8_t *mask = malloc(SNX * SNY);
    for (int i = 0; i < SNX * SNY; i++)
        sci[i] = (float)((i * 7919) % 1000) / 7.0f, mask[i] = (i % 13 == 0) ? 1 : 0;
    ph_interp ks[3] = {PH_INTERP_BILINEAR, PH_INTERP_BICUBIC, PH_INTERP_LANCZOS3};
    for (int k = 0; k < 3; k++) {
        align_planes in = {SNX, SNY, sci, NULL, mask}, out;
        align_opts o = opts_of(ks[k]);
        align_stats st;
        EXPECT(align_resample(m, &in, &o, &out, &st) == 0);
        long bad = 0;
        for (int y = 0; y < SNY; y++)
            for (int x = 0; x < SNX; x++) {
                int tx = x + 3, ty = y - 2;
                size_t i = (size_t)y * SNX + x;
                if (tx >= SNX || ty < 0) {
                    bad += out.mask[i] != PH_MASK_OUTSIDE || out.sci[i] != 0;
                    continue;
                }
                bad += out.sci[i] != sci[ty * SNX + tx];
                bad += out.mask[i] != mask[ty * SNX + tx];
            }
        printf("# %s: %ld pixels differ from the shifted copy\n", ph_interp_name(ks[k]), bad);
        EXPECT(bad == 0);
        EXPECT(st.n_inside == (long)(SNX - 3) * (SNY - 2) && st.n_bad == 0);
        align_planes_free(&out);
    }
    free(sci), free(mask);
    ph_pixmap_free(m);
    ph_wcs_free(ws);
    ph_wcs_free(wt);
}

TEST(overlap_of_a_sliver)
{
    /* The template shares only the science image's last 2 columns: no node
     * of a 32-px grid lands on it, the pixel scan finds them. */
    tw s = {60.5, 50.5, 7.5, -44.9, 20.0, 0.11, 1, 1}, t = s;
    ph_wcs *ws = tw_wcs(&s);
    for (int k = 0; k < 2; k++) {
        t.crpix1 = s.crpix1 - (SNX - 2) - k * 2; /* template x = science x - (SNX - 2) (- 2) */
        ph_wcs *wt = tw_wcs(&t);
        ph_pixmap *m = NULL;
        EXPECT(ph_pixmap_make(ws, SNX, SNY, wt, SNX, SNY, 32, 1e-4, 4, &m) == 0);
        EXPECT(align_overlaps(m, SNX, SNY) == (k == 0));
        ph_pixmap_free(m);
        ph_wcs_free(wt);
    }
    ph_wcs_free(ws);
}

TEST(flux_scaling)
{
    pair p;
    make_pair(&p, 75.0, 0.10, 1, 0, 0); /* science pixel = 1.21 template pixels */
    float *sci = malloc(TNX * TNY * sizeof *sci), *var = malloc(TNX * TNY * sizeof *var);
    for (int i = 0; i < TNX * TNY; i++)
        sci[i] = 5.0f, var[i] = 2.0f;
    align_planes in = {TNX, TNY, sci, var, NULL}, out;
    align_flux modes[3] = {ALIGN_FLUX_NONE, ALIGN_FLUX_MEAN, ALIGN_FLUX_JACOBIAN};
    for (int k = 0; k < 3; k++) {
        align_opts o = opts_of(PH_INTERP_BILINEAR);
        o.flux = modes[k];
        o.area_ratio = 1.2;
        o.var_linear = 1;
        align_stats st;
        EXPECT(align_resample(p.map, &in, &o, &out, &st) == 0);
        double worst = 0;
        for (size_t i = 0; i < (size_t)SNX * SNY; i += 37) {
            if (!deep_inside(&p, i, 1))
                continue;
            double f = 1;
            if (modes[k] == ALIGN_FLUX_MEAN)
                f = 1.2;
            if (modes[k] == ALIGN_FLUX_JACOBIAN) {
                ph_wcs_local ls, lt;
                ph_wcs_local_at(p.ws, (double)(i % SNX), (double)(i / SNX), &ls);
                ph_wcs_local_at(p.wt, p.ex[i], p.ey[i], &lt);
                f = ls.area_arcsec2 / lt.area_arcsec2;
                EXPECT(fabs(f - 1.21) < 0.01);
            }
            worst = fmax(worst, fabs(out.sci[i] / (5 * f) - 1));
            worst = fmax(worst, fabs(out.var[i] / (2 * f * f) - 1));
        }
        EXPECT(worst < 1e-6);
        align_planes_free(&out);
    }
    free(sci), free(var);
    free_pair(&p);
}

TEST(threads_do_not_change_the_result)
{
    pair p;
    make_pair(&p, 41.0, 0.11, 1, 1.0, 1.0);
    float *sci = malloc(TNX * TNY * sizeof *sci), *var = malloc(TNX * TNY * sizeof *var);
    uint8_t *mask = malloc(TNX * TNY);
    for (int i = 0; i < TNX * TNY; i++)
        sci[i] = (float)sin(i * 0.01), var[i] = 1 + (i % 5), mask[i] = (uint8_t)(i % 17 == 0);
    align_planes in = {TNX, TNY, sci, var, mask}, a, b;
    align_opts o = opts_of(PH_INTERP_LANCZOS3);
    align_stats sa, sb;
    o.nthreads = 1;
    EXPECT(align_resample(p.map, &in, &o, &a, &sa) == 0);
    o.nthreads = 5;
    EXPECT(align_resample(p.map, &in, &o, &b, &sb) == 0);
    size_t n = (size_t)SNX * SNY;
    EXPECT(!memcmp(a.sci, b.sci, n * sizeof(float)) && !memcmp(a.var, b.var, n * sizeof(float)) &&
           !memcmp(a.mask, b.mask, n));
    EXPECT(sa.n_inside == sb.n_inside && sa.n_bad == sb.n_bad);
    align_planes_free(&a);
    align_planes_free(&b);
    free(sci), free(var), free(mask);
    free_pair(&p);
}

int main(void)
{
    RUN(weights_match_common_kernels);
    RUN(polynomial_images_are_reproduced);
    RUN(variance_weights);
    RUN(mask_bits_and_outside_fill);
    RUN(integer_shift_is_an_exact_copy);
    RUN(overlap_of_a_sliver);
    RUN(flux_scaling);
    RUN(threads_do_not_change_the_result);
    return check_done();
}
