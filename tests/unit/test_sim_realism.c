/* test_sim_realism.c -- what ph-sim draws as in OpenUniverse2024 (issue 16),
 * against truths made elsewhere: the look-alike sample's cosmic-ray track
 * lengths, the real OU2024 truth catalogues' counts and magnitudes
 * ($PH_SHARED_DATA/ou2024-lookalike, skipped when absent), Poisson
 * statistics for the faint objects' photon draw, the per-SCA defect map,
 * the saturation clip. */
#include "check.h"
#include "cosmic.h"
#include "counts.h"
#include "defects.h"
#include "sca.h"
#include "sim.h"
#include "sim_scene.h"
#include "io/wcs.h"

#include <stdlib.h>
#include <string.h>

static int render(sim_scene *s, int k, sim_image *img)
{
    sim_params_finish(&s->p);
    s->zpt = ph_band_zeropoint(s->p.band, s->p.exptime_s);
    if (!s->ep && sim_scene_build(s))
        return -1;
    ph_romanpsf_opts po;
    sim_epoch_psf(s, &s->ep[k], &po);
    ph_romanpsf *psf = ph_romanpsf_new(&po);
    int st = sim_render(s, &s->ep[k], psf, img);
    ph_romanpsf_free(psf);
    return st;
}

/* 8-connected components of the pixels with DQ bit `bit`: their number
 * and a histogram of their sizes (1 ... 13+). */
static long components(const uint32_t *dq, long nx, long ny, uint32_t bit, long hist[14])
{
    int *seen = calloc((size_t)nx * ny, sizeof *seen);
    long *stack = malloc((size_t)nx * ny * sizeof *stack), n = 0;
    memset(hist, 0, 14 * sizeof *hist);
    for (long i = 0; i < nx * ny; i++) {
        if (!(dq[i] & bit) || seen[i])
            continue;
        long top = 0, size = 0;
        stack[top++] = i;
        seen[i] = 1;
        while (top) {
            long j = stack[--top], x = j % nx, y = j / nx;
            size++;
            for (int b = -1; b <= 1; b++)
                for (int a = -1; a <= 1; a++) {
                    long xx = x + a, yy = y + b;
                    if (xx < 0 || yy < 0 || xx >= nx || yy >= ny)
                        continue;
                    long q = yy * nx + xx;
                    if ((dq[q] & bit) && !seen[q]) {
                        seen[q] = 1;
                        stack[top++] = q;
                    }
                }
        }
        hist[size < 13 ? size : 13]++;
        n++;
    }
    free(seen);
    free(stack);
    return n;
}

TEST(cosmic_ray_count_flags_and_track_lengths)
{
    EXPECT(sim_cosmic_default(4088, 4088, 302.275) == 900);
    EXPECT(sim_cosmic_default(2044, 2044, 302.275) == 225);
    EXPECT(sim_cosmic_default(4088, 4088, 101.7) == 303); /* Z087's exposure */
    /* 2000 tracks on a blank 2048^2: flagged, then the same without flags. */
    sim_scene s = sim_test_scene(2048);
    s.p.cosmic_rays = 2000;
    s.p.flag_cosmic_rays = 1;
    sim_image a, b;
    EXPECT(render(&s, 0, &a) == 0);
    EXPECT(a.ncr == 2000);
    long hist[14];
    long n = components(a.dq, 2048, 2048, 4, hist);
    long flagged = 0, low = 0, outside = 0, otherdq = 0;
    double dep = 0;
    for (long i = 0; i < 2048 * 2048; i++) {
        otherdq += (a.dq[i] & ~4u) != 0;
        if (a.dq[i] & 4) {
            flagged++;
            dep += a.sci[i] - a.err[i];
            low += a.sci[i] - a.err[i] < 50; /* track charge is >= 150 e- x (1 - 5 sigma) */
        } else {
            outside += a.sci[i] != a.err[i]; /* charge off the flagged pixels */
        }
    }
    /* The look-alike sample's 899 tracks (cosmic.h): 1 ... 12 pixels. */
    static const double sample[12] = {15, 309, 182, 144, 83, 50, 40, 33, 16, 11, 7, 9};
    double chi2 = 0;
    printf("# %ld tracks, %ld pixels (%.2f per track; sample 3.84), mean %.0f e-/px (sample 1400)\n",
           n, flagged, (double)flagged / n, dep / flagged);
    printf("# pixels per track:");
    for (int k = 1; k <= 13; k++)
        printf(" %ld", hist[k]);
    printf("\n");
    for (int k = 1; k <= 12; k++) {
        double want = sample[k - 1] / 899.0 * n;
        chi2 += (hist[k] - want) * (hist[k] - want) / (want * (1.0 + n / 899.0));
    }
    printf("# chi^2 against the sample's histogram: %.1f (12 bins)\n", chi2);
    EXPECT(hist[13] < 0.005 * n); /* a track is at most 12 px: only crossings are longer */
    EXPECT(chi2 < 32.9); /* 12 bins, p = 0.001, both histograms' noise counted */
    EXPECT(n > 1900 && n <= 2000); /* a few tracks touch or cross */
    EXPECT(low == 0 && outside == 0 && otherdq == 0);
    EXPECT(dep / flagged > 1200 && dep / flagged < 1550);
    s.p.flag_cosmic_rays = 0;
    ph_romanpsf_opts po;
    sim_epoch_psf(&s, &s.ep[0], &po);
    ph_romanpsf *psf = ph_romanpsf_new(&po);
    EXPECT(sim_render(&s, &s.ep[0], psf, &b) == 0);
    long same = 0, dq4 = 0;
    for (long i = 0; i < 2048 * 2048; i++) {
        same += a.sci[i] == b.sci[i];
        dq4 += (b.dq[i] & 4) != 0;
    }
    EXPECT(same == 2048L * 2048); /* the same charge, not flagged (as OU2024) */
    EXPECT(dq4 == 0);
    sim_image_free(&b);
    /* --no-noise: expected values, no cosmic rays */
    s.p.noise = 0;
    EXPECT(sim_render(&s, &s.ep[0], psf, &b) == 0);
    EXPECT(b.ncr == 0);
    sim_image_free(&b);
    ph_romanpsf_free(psf);
    sim_image_free(&a);
    sim_scene_free(&s);
}

TEST(defects_belong_to_the_sca)
{
    sim_scene s = sim_test_scene(4088);
    s.p.hot_pixels = 300;
    s.p.bad_pixels = 100;
    s.p.bad_columns = 2;
    sim_params_finish(&s.p);
    sim_defects full, again, other, cut;
    EXPECT(sim_defects_get(&s.p, 5, &full) == 0);
    EXPECT(full.nhot == 300 && full.ndead == 100 && full.ncol == 2);
    EXPECT(sim_defects_get(&s.p, 5, &again) == 0);
    EXPECT(memcmp(full.hot, again.hot, 300 * sizeof(long)) == 0);
    EXPECT(memcmp(full.dead, again.dead, 100 * sizeof(long)) == 0);
    EXPECT(sim_defects_get(&s.p, 6, &other) == 0);
    EXPECT(memcmp(full.hot, other.hot, 300 * sizeof(long)) != 0);
    double rmin = 1e9, rmax = 0;
    for (long k = 0; k < full.nhot; k++) {
        rmin = fmin(rmin, full.hot_rate[k]);
        rmax = fmax(rmax, full.hot_rate[k]);
    }
    EXPECT(rmin >= 3.3 && rmax <= 100 && rmax - rmin > 80);
    /* A 1000 x 800 image is the SCA's centred cut-out: exactly the
     * full-size defects that fall inside it, shifted. */
    s.p.nx = 1000;
    s.p.ny = 800;
    EXPECT(sim_defects_get(&s.p, 5, &cut) == 0);
    long ox = (4088 - 1000) / 2, oy = (4088 - 800) / 2, want = 0, k2 = 0, match = 1;
    for (long k = 0; k < full.nhot; k++) {
        long x = full.hot[k] % 4088 - ox, y = full.hot[k] / 4088 - oy;
        if (x < 0 || y < 0 || x >= 1000 || y >= 800)
            continue;
        want++;
        match &= k2 < cut.nhot && cut.hot[k2] == y * 1000 + x && cut.hot_rate[k2] == full.hot_rate[k];
        k2++;
    }
    printf("# SCA 5: 300 hot, 100 dead, 2 columns; its 1000x800 centre holds %ld hot\n", cut.nhot);
    EXPECT(want == cut.nhot && match);
    sim_defects_free(&full);
    sim_defects_free(&again);
    sim_defects_free(&other);
    sim_defects_free(&cut);

    /* In an image: DQ 1, dead SCI 0, hot ones their dark current (Poisson). */
    sim_scene t = sim_test_scene(4088);
    t.p.hot_pixels = 300;
    t.p.bad_pixels = 100;
    t.p.sca = 9;
    sim_image img;
    EXPECT(render(&t, 0, &img) == 0);
    long dq1 = 0, dead = 0, hotok = 0;
    for (long i = 0; i < 4088L * 4088; i++) {
        if (!(img.dq[i] & 1))
            continue;
        dq1++;
        double ex = img.sci[i] - img.err[i];
        dead += img.sci[i] == 0;
        hotok += img.sci[i] != 0 && ex > 3.3 * 302.275 - 200 && ex < 100 * 302.275 + 700;
    }
    printf("# SCA 9 image: %ld DQ 1 pixels, %ld dead, %ld hot in range\n", dq1, dead, hotok);
    EXPECT(img.nhot == 300 && img.ndead == 100);
    EXPECT(dq1 >= 398 && dq1 <= 400 && dead >= 99 && dead <= 100 && dead + hotok == dq1);
    sim_image_free(&img);
    sim_scene_free(&t);
}

TEST(saturation_is_clipped_without_a_flag)
{
    for (int flag = 0; flag < 2; flag++) {
        sim_scene s = sim_test_scene(64);
        s.p.noise = 0;
        s.p.flag_saturated = flag;
        s.p.dither_px = 0;
        sim_obj o = {.id = 1, .type = SIM_STAR, .ra = 7.55, .dec = -44.8, .flux = 3e6};
        sim_scene_add(&s, &o);
        sim_image img;
        EXPECT(render(&s, 0, &img) == 0);
        long clipped = 0, dq2 = 0;
        double mx = 0;
        for (long i = 0; i < 64 * 64; i++) {
            mx = fmax(mx, img.sci[i]);
            clipped += img.sci[i] == 1e5;
            dq2 += (img.dq[i] & 2) != 0;
        }
        printf("# a 3e6 e- star: %ld pixels clipped at 1e5 e-, %ld flagged (--flag-saturated %d)\n",
               clipped, dq2, flag);
        EXPECT(mx == 1e5 && clipped >= 4);
        EXPECT(dq2 == (flag ? clipped : 0));
        sim_image_free(&img);
        sim_scene_free(&s);
    }
}

/* Faint objects are drawn photon by photon (render.c): the counts in each
 * star's central 3x3 must follow Poisson statistics about the exact ePSF
 * at the star's phase. 400 stars of 300 e- on a grid, no sky, no read noise. */
TEST(faint_objects_photon_draw_is_poisson)
{
    sim_scene s = sim_test_scene(640);
    sim_test_no_background(&s.p);
    s.p.read_noise_e = 0;
    sim_test_fixed_grid(&s.p);
    s.p.square_pixels = 1;
    sim_params_finish(&s.p);
    double sc = 0.11 / 3600;
    for (int j = 0; j < 20; j++)
        for (int i = 0; i < 20; i++) {
            /* tangent-plane offsets of about 32 px, off the pixel grid */
            double xi = (i - 9.5) * 31.73 * sc, eta = (j - 9.5) * 31.41 * sc;
            sim_obj o = {.id = 100 + 20 * j + i, .type = SIM_STAR,
                         .ra = 7.55 + xi / cos(-44.8 * M_PI / 180), .dec = -44.8 + eta, .flux = 300};
            sim_scene_add(&s, &o);
        }
    sim_image img;
    EXPECT(render(&s, 0, &img) == 0);
    ph_romanpsf_opts po;
    sim_epoch_psf(&s, &s.ep[0], &po);
    ph_romanpsf *psf = ph_romanpsf_new(&po);
    double got = 0, want = 0, drawn = 0, flux = 0, z2 = 0;
    for (int t = 0; t < img.ntruth; t++) {
        double x0 = img.truth[t].x0, y0 = img.truth[t].y0, st[9];
        long ix = (long)floor(x0 + 0.5), iy = (long)floor(y0 + 0.5);
        ph_romanpsf_stamp(psf, x0 - ix, y0 - iy, 3, st);
        double g = 0, w = 0;
        for (int b = 0; b < 3; b++)
            for (int a = 0; a < 3; a++) {
                g += img.sci[(iy + b - 1) * 640 + ix + a - 1];
                w += 300 * st[b * 3 + a];
            }
        got += g;
        want += w;
        z2 += (g - w) * (g - w) / w;
        drawn += img.truth[t].realized;
        flux += img.truth[t].flux;
    }
    printf("# %d stars of 300 e-: central 3x3 %.0f e- (expected %.0f), chi^2/n %.3f; drawn %.0f of "
           "%.0f\n", img.ntruth, got, want, z2 / img.ntruth, drawn, flux);
    EXPECT(img.ntruth == 400);
    EXPECT(fabs(got - want) < 4 * sqrt(want));
    EXPECT(fabs(z2 / img.ntruth - 1) < 4 * sqrt(2.0 / img.ntruth));
    EXPECT(fabs(drawn - flux) < 4 * sqrt(flux));
    double sum = 0;
    for (long i = 0; i < 640 * 640; i++)
        sum += img.sci[i];
    EXPECT(sum == drawn); /* every photon on the image, none lost in the sweep */
    ph_romanpsf_free(psf);
    sim_image_free(&img);
    sim_scene_free(&s);
}

/* ---- OU2024's sky: counts and magnitudes against its truth catalogues ---- */

typedef struct cat {
    int n[2];
    double *mag[2]; /* AB of stars, galaxies on the pixels */
} cat;

static int read_truth(const char *path, cat *c)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[512];
    size_t cap[2] = {0, 0};
    double zptmag = 2.5 * log10(302.275 * 37570.0);
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        double v[8];
        char type[32];
        if (sscanf(line, "%lf %lf %lf %lf %lf %lf %lf %lf %31s", &v[0], &v[1], &v[2], &v[3], &v[4],
                   &v[5], &v[6], &v[7], type) != 9)
            continue;
        int k = !strcmp(type, "star") ? 0 : !strcmp(type, "galaxy") ? 1 : -1;
        if (k < 0 || v[3] < 0.5 || v[3] > 4088.5 || v[4] < 0.5 || v[4] > 4088.5)
            continue;
        if ((size_t)c->n[k] == cap[k]) {
            cap[k] = cap[k] ? 2 * cap[k] : 1024;
            c->mag[k] = realloc(c->mag[k], cap[k] * sizeof(double));
        }
        c->mag[k][c->n[k]++] = v[7] + zptmag;
    }
    fclose(f);
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Two-sample Kolmogorov-Smirnov statistic. */
static double ks(double *a, int na, double *b, int nb)
{
    qsort(a, (size_t)na, sizeof *a, cmp_double);
    qsort(b, (size_t)nb, sizeof *b, cmp_double);
    int i = 0, j = 0;
    double d = 0;
    while (i < na && j < nb) {
        double v = fmin(a[i], b[j]);
        while (i < na && a[i] <= v)
            i++;
        while (j < nb && b[j] <= v)
            j++;
        d = fmax(d, fabs((double)i / na - (double)j / nb));
    }
    return d;
}

TEST(ou2024_counts_and_magnitudes)
{
    const char *files[2] = {
        check_data("ou2024-lookalike/full/truth/Y106/35198/Roman_TDS_index_Y106_35198_2.txt"),
        check_data("ou2024-lookalike/full/truth/Y106/19009/Roman_TDS_index_Y106_19009_7.txt")};
    long scas[2] = {2, 7};
    if (!check_have(files[0]) || !check_have(files[1]))
        SKIP("no $PH_SHARED_DATA/ou2024-lookalike truth catalogues");
    cat ou = {{0, 0}, {NULL, NULL}}, sim = {{0, 0}, {NULL, NULL}};
    const char *name[2] = {"stars", "galaxies"};
    for (int f = 0; f < 2; f++) {
        cat one = {{0, 0}, {NULL, NULL}};
        EXPECT(read_truth(files[f], &one) == 0);
        /* ph-sim's default sky on the same SCA: the objects on its pixels. */
        sim_scene s = {.itransient = -1};
        sim_params_defaults(&s.p, "Y106");
        s.p.sca = scas[f];
        s.p.seed = 5 + (uint64_t)f;
        s.p.host = s.p.transient = 0;
        s.p.ntemplates = 1;
        s.p.nscience = 0;
        sim_params_finish(&s.p);
        s.zpt = ph_band_zeropoint(s.p.band, s.p.exptime_s);
        EXPECT(sim_scene_build(&s) == 0);
        ph_header *h = ph_header_new();
        ph_wcs *w = NULL;
        sim_epoch_header(&s, &s.ep[0], h);
        EXPECT(ph_wcs_from_header(h, "scene", &w) == 0);
        int n[2] = {0, 0};
        for (int i = 0; i < s.nobj; i++) {
            double x, y;
            ph_wcs_sky2pix(w, 1, &s.obj[i].ra, &s.obj[i].dec, &x, &y);
            if (!(x >= -0.5 && x < 4087.5 && y >= -0.5 && y < 4087.5))
                continue;
            int k = s.obj[i].type == SIM_STAR ? 0 : 1;
            n[k]++;
            sim.mag[k] = realloc(sim.mag[k], (size_t)(sim.n[k] + 1) * sizeof(double));
            sim.mag[k][sim.n[k]++] = -2.5 * log10(s.obj[i].flux) + s.zpt;
        }
        for (int k = 0; k < 2; k++) {
            printf("# SCA %ld: %d %s (OU2024 catalogue: %d)\n", scas[f], n[k], name[k], one.n[k]);
            EXPECT(fabs((double)(n[k] - one.n[k])) < 4 * sqrt(2.0 * one.n[k]) + 0.04 * one.n[k]);
            ou.mag[k] = realloc(ou.mag[k], (size_t)(ou.n[k] + one.n[k]) * sizeof(double));
            memcpy(ou.mag[k] + ou.n[k], one.mag[k], (size_t)one.n[k] * sizeof(double));
            ou.n[k] += one.n[k];
            free(one.mag[k]);
        }
        ph_wcs_free(w);
        ph_header_free(h);
        sim_scene_free(&s);
    }
    for (int k = 0; k < 2; k++) {
        double d = ks(sim.mag[k], sim.n[k], ou.mag[k], ou.n[k]);
        double crit = 1.95 * sqrt((double)(sim.n[k] + ou.n[k]) / ((double)sim.n[k] * ou.n[k]));
        printf("# %s: KS distance of the AB magnitudes %.4f (p = 0.001 at %.4f); medians %.2f, "
               "%.2f\n", name[k], d, crit, sim.mag[k][sim.n[k] / 2], ou.mag[k][ou.n[k] / 2]);
        EXPECT(d < crit);
        free(sim.mag[k]);
        free(ou.mag[k]);
    }
}

TEST(mag_ranges_and_densities)
{
    double lo, hi;
    sim_counts_range(SIM_GALAXY, &lo, &hi);
    EXPECT(lo == 16.0 && hi == 31.5);
    /* 3.58 stars and 302.4 galaxies per arcmin^2 (8 catalogues) */
    EXPECT_NEAR(sim_counts_density(SIM_STAR, 0, 99), 1510 / 421.87, 1e-9);
    EXPECT_NEAR(sim_counts_density(SIM_GALAXY, 0, 99), 127585 / 421.87, 1e-9);
    ph_rng r;
    ph_rng_seed(&r, 3);
    int in = 1;
    for (int i = 0; i < 20000; i++) {
        double m = sim_counts_draw_mag(SIM_GALAXY, SIM_MAGS_OU2024, 22.25, 23.0, &r);
        in &= m >= 22.25 && m <= 23.0;
    }
    EXPECT(in);
    EXPECT(isnan(sim_counts_draw_mag(SIM_STAR, SIM_MAGS_OU2024, 5, 10, &r)));
    EXPECT(sim_counts_draw_mag(SIM_STAR, SIM_MAGS_UNIFORM, 5, 10, &r) >= 5);
    /* The default counts per image follow the area (at 0.11"/px). */
    sim_params p;
    sim_params_defaults(&p, "Y106");
    sim_params_finish(&p);
    printf("# 4088^2 defaults: %ld stars, %ld galaxies, %ld cosmic rays\n", p.nstars, p.ngalaxies,
           p.cosmic_rays);
    EXPECT(p.nstars == 202 && p.ngalaxies == 16988 && p.cosmic_rays == 900);
}

TEST(sca_geometry_and_optics)
{
    /* OU2024's SCA 2 (look-alike 35198): 0.10915" along x, 0.10556" along y. */
    sim_sca a = sim_sca_get(2, 0), m = sim_sca_get(11, 0), q = sim_sca_get(2, 1);
    EXPECT(a.sx == 0.10915 && a.sy == 0.10556 && !a.mirror);
    EXPECT(m.sx == a.sx && m.cosxy == -a.cosxy && m.mirror);
    EXPECT(q.sx == 0.11 && q.sy == 0.11 && q.cosxy == 0);
    EXPECT(sim_sca_get(1, 0).wfe_scale == 1.0 && sim_sca_get(18, 0).wfe_scale == 1.25);
    /* The WCS carries the scale and roll of its SCA and epoch. */
    sim_scene s = sim_test_scene(4088);
    s.p.sca = 2;
    sim_params_finish(&s.p);
    EXPECT(sim_scene_build(&s) == 0);
    ph_header *h = ph_header_new();
    sim_epoch_header(&s, &s.ep[0], h);
    ph_wcs *w = NULL;
    EXPECT(ph_wcs_from_header(h, "scene", &w) == 0);
    ph_wcs_local loc;
    EXPECT(ph_wcs_local_at(w, 2043.5, 2043.5, &loc) == 0);
    double sx = hypot(loc.cd[0][0], loc.cd[1][0]) * 3600, sy = hypot(loc.cd[0][1], loc.cd[1][1]) * 3600;
    double pa = atan2(loc.cd[0][1], loc.cd[1][1]) * 180 / M_PI;
    double dpa = fmod(pa - s.ep[0].rot_deg + 540.0, 360.0) - 180.0;
    printf("# SCA 2 at the centre: %.5f\" x %.5f\", +y at PA %.2f (epoch roll %.2f)\n", sx, sy, pa,
           s.ep[0].rot_deg);
    EXPECT_REL(sx, 0.10915, 2e-3);
    EXPECT_REL(sy, 0.10556, 2e-3);
    EXPECT(fabs(dpa) < 0.2);
    ph_wcs_free(w);
    ph_header_free(h);
    sim_scene_free(&s);
}

int main(void)
{
    RUN(cosmic_ray_count_flags_and_track_lengths);
    RUN(defects_belong_to_the_sca);
    RUN(saturation_is_clipped_without_a_flag);
    RUN(faint_objects_photon_draw_is_poisson);
    RUN(ou2024_counts_and_magnitudes);
    RUN(mag_ranges_and_densities);
    RUN(sca_geometry_and_optics);
    return check_done();
}
