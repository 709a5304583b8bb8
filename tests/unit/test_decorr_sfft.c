/* test_decorr_sfft.c -- ph-decorr against SFFT's own outputs
 * ($PH_SHARED_DATA, see its README.md; skipped when absent).
 *
 * 1. sfft-decorr/ (sfft-reference §6.4, §13.1): upstream SFFT's test
 *    test/difference_noise_decorrelation/decorr.py, stacked case.
 *    Inputs: the ten raw DECam exposures DEC-OBS04{a..e} (science, J side)
 *    and DEC-OBS18{a..e} (reference, I side); their matching kernels
 *    DEC-OBS04{b..e}.MatchKernel, DEC-OBS18{b..e}.MatchKernel (exposure a:
 *    no kernel, SFFT's None); FinalMatchKernel (applied to the reference
 *    side); the sky sigma of each exposure = DAOPHOT MMM sigma of the raw
 *    image (SFFT's SkyLevel_Estimator; ~34.0 27.0 26.1 29.4 30.1 and 53.8
 *    43.0 46.8 58.1 48.3); KERatio 2 -> a 51x51 kernel from a 64x64 grid,
 *    normalised to sum 1, applied to 4check/FinalDifference.fits by
 *    real-space convolution with "extend" boundaries.
 *    Expected: 4check/DeCorrKernel.fits and FinalDifference.DeCorr.fits.
 *    Required by the issue: kernel relative L2 < 1e-3, image r >= 0.999;
 *    asserted tighter (1e-4 both) since the exact MMM sigmas give ~5e-6.
 *    FITS arrays are read as stored (row = y); SFFT transposes on reading
 *    and back on writing, and the whole computation is transpose-
 *    equivariant, so no transposition is needed.
 * 2. sfft-roman-gauss/ (sfft-reference §13.3): phrosty's settings. The
 *    decorrelated cross-convolved PSF decorrelation_PSF_Ctarget at
 *    N0 = N1 = 1024 from inputs/gauss_targetPSF (science PSF),
 *    outputs/resamp/resamp_objectPSF (rotated template PSF),
 *    outputs/crossconv/crossConv_PSF_Ctarget (the PSF decorrelated), sky rms
 *    98.62380981445312 (target) and 98.61939239501953 (object) from
 *    inputs/sfft_params.json, Consider_Matching_Kernel false: to 1e-10.
 *    Also ph-decorr's own PSF of the difference (dc_conv_psf) against
 *    crossConv_PSF_Ctarget.
 */
#include "check.h"
#include "sci/decorr.h"
#include "io/fits.h"
#include "base/log.h"
#include "mmm.h"
#include "pair.h"

static double *load(const char *rel, long *nx, long *ny)
{
    double *d = NULL;
    if (ph_fits_load_double(check_data(rel), NULL, nx, ny, &d, NULL)) {
        printf("# %s: %s\n", rel, ph_error_message());
        ph_error_clear();
        return NULL;
    }
    return d;
}

static double rel_l2(const double *a, const double *b, size_t n)
{
    double num = 0, den = 0;
    for (size_t i = 0; i < n; i++) {
        num += (a[i] - b[i]) * (a[i] - b[i]);
        den += b[i] * b[i];
    }
    return sqrt(num / den);
}

static double pearson(const double *a, const double *b, size_t n)
{
    double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < n; i++) {
        ma += a[i];
        mb += b[i];
    }
    ma /= n;
    mb /= n;
    for (size_t i = 0; i < n; i++) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return sab / sqrt(saa * sbb);
}

TEST(stacked_decam_fixture)
{
    if (!check_have(check_data("sfft-decorr/4check/DeCorrKernel.fits")))
        SKIP("peer data sfft-decorr not present");
    static const char groups[2][8] = {"04", "18"};
    static const double spec_sigma[2][5] = {{34.0, 27.0, 26.1, 29.4, 30.1},
                                            {53.8, 43.0, 46.8, 58.1, 48.3}};
    /* SFFT's SkyLevel_Estimator.SLE (upstream fa820e8) run on the same files
     * during this work gave these; our DAOPHOT MMM must agree closely. */
    static const double sle_sigma[2][5] = {
        {33.98624421095301, 26.95985495692494, 26.14571102751445, 29.369087006067822,
         30.09951750033807},
        {53.77603716597694, 42.98492877362599, 46.83312421275806, 58.084417747951434,
         48.288657144230456}};
    ph_decorr_term terms[2][5];
    double *kernels[2][5] = {{NULL}}, *fin = NULL;
    long fny = 0, fnx = 0;
    int ok = 1;
    for (int g = 0; g < 2; g++)
        for (int e = 0; e < 5; e++) {
            char rel[160];
            long nx, ny, kny = 0, knx = 0;
            snprintf(rel, sizeof rel, "sfft-decorr/input_data/DEC-OBS%s%c.mini.fits", groups[g],
                     'a' + e);
            double *img = load(rel, &nx, &ny), sigma = -1;
            ok &= img && dc_mmm(img, (size_t)nx * ny, NULL, &sigma, NULL) == 0;
            free(img);
            /* the spec quotes these to 3 digits */
            EXPECT_NEAR(sigma, spec_sigma[g][e], 0.05 + 1e-9);
            EXPECT_REL(sigma, sle_sigma[g][e], 1e-10);
            printf("# sky sigma DEC-OBS%s%c: %.10f\n", groups[g], 'a' + e, sigma);
            if (e > 0) {
                snprintf(rel, sizeof rel, "sfft-decorr/input_data/DEC-OBS%s%c.MatchKernel.fits",
                         groups[g], 'a' + e);
                ok &= (kernels[g][e] = load(rel, &knx, &kny)) != NULL;
            }
            terms[g][e] = (ph_decorr_term){kernels[g][e], knx, kny, sigma};
        }
    fin = load("sfft-decorr/input_data/FinalMatchKernel.fits", &fnx, &fny);
    long rnx, rny, dnx, dny, enx, eny;
    double *want_k = load("sfft-decorr/4check/DeCorrKernel.fits", &rnx, &rny);
    double *diff = load("sfft-decorr/4check/FinalDifference.fits", &dnx, &dny);
    double *want_d = load("sfft-decorr/4check/FinalDifference.DeCorr.fits", &enx, &eny);
    EXPECT(ok && fin && want_k && diff && want_d);
    if (ok && fin && want_k && diff && want_d) {
        ph_decorr_model m = {terms[0], 5, terms[1], 5, fin, fnx, fny};
        long ky, kx;
        double *k = NULL, lost;
        EXPECT(ph_decorr_truncated_kernel(&m, 2.0, &kx, &ky, &k, &lost) == 0);
        EXPECT(ky == 51 && kx == 51 && rny == 51 && rnx == 51);
        if (k && ky == rny && kx == rnx) {
            double e = rel_l2(k, want_k, (size_t)ky * kx);
            printf("# DeCorrKernel: relative L2 %.3g, centre %.6f (SFFT %.6f), lost weight %.4f\n",
                   e, k[25 * 51 + 25], want_k[25 * 51 + 25], lost);
            EXPECT(e < 1e-4);
            double *out = malloc((size_t)dnx * dny * sizeof *out);
            ph_decorr_convolve_extend(diff, dnx, dny, k, kx, ky, out);
            double r = pearson(out, want_d, (size_t)dnx * dny);
            double l2 = rel_l2(out, want_d, (size_t)dnx * dny);
            printf("# FinalDifference.DeCorr: r = %.12f, relative L2 %.3g\n", r, l2);
            EXPECT(r >= 0.999);
            EXPECT(l2 < 1e-4);
            free(out);
        }
        free(k);
    }
    for (int g = 0; g < 2; g++)
        for (int e = 0; e < 5; e++)
            free(kernels[g][e]);
    free(fin);
    free(want_k);
    free(diff);
    free(want_d);
}

TEST(roman_gauss_decorrelated_psf_bit_level)
{
    if (!check_have(check_data("sfft-roman-gauss/outputs/decorrelation/"
                               "decorrelation_PSF_Ctarget.fits")))
        SKIP("peer data sfft-roman-gauss not present");
    long n1, n2, n3, n4, m;
    double *pt = load("sfft-roman-gauss/inputs/gauss_targetPSF.fits", &n1, &m);
    double *po = load("sfft-roman-gauss/outputs/resamp/resamp_objectPSF.fits", &n2, &m);
    double *pc = load("sfft-roman-gauss/outputs/crossconv/crossConv_PSF_Ctarget.fits", &n3, &m);
    double *want = load("sfft-roman-gauss/outputs/decorrelation/decorrelation_PSF_Ctarget.fits",
                        &n4, &m);
    EXPECT(pt && po && pc && want && n1 == 47 && n2 == 47 && n3 == 47 && n4 == 47);
    if (!(pt && po && pc && want)) {
        free(pt), free(po), free(pc), free(want);
        return;
    }
    /* sfft_params.json: target_skyrms, object_skyrms */
    dc_pair p = {pt, 47, po, 47, NULL, 0, 98.62380981445312, 98.61939239501953};

    /* the PSF of the difference: science PSF (*) rotated template PSF */
    double conv[47 * 47], worst = 0, peak = 0;
    EXPECT(dc_conv_psf(&p, conv) == 0);
    for (int i = 0; i < 47 * 47; i++) {
        worst = fmax(worst, fabs(conv[i] - pc[i]));
        peak = fmax(peak, fabs(pc[i]));
    }
    printf("# crossConv_PSF_Ctarget: max |difference| %.3g of peak %.4f\n", worst, peak);
    EXPECT(worst <= 1e-15 * peak * 100);

    ph_decorr *d = dc_new(1024, 1024, &p);
    EXPECT(d != NULL);
    if (d) {
        double out[47 * 47], lost;
        EXPECT(ph_decorr_stamp(d, pc, 47, 47, out, &lost) == 0);
        worst = peak = 0;
        for (int i = 0; i < 47 * 47; i++) {
            worst = fmax(worst, fabs(out[i] - want[i]));
            peak = fmax(peak, fabs(want[i]));
        }
        printf("# decorrelation_PSF_Ctarget: max |difference| %.3g of peak %.4f (max gain of "
               "the filter %.3g, PSFLOSS %.3g)\n", worst, peak, d->fmax, lost);
        EXPECT(worst <= 1e-10 * peak);
        /* SFFT's stamp sums to 1 + 8e-9: the crop keeps that much */
        EXPECT_NEAR(lost, -7.98e-9, 0.05e-9);
        ph_decorr_free(d);
    }
    free(pt);
    free(po);
    free(pc);
    free(want);
}

TEST(mmm_on_known_samples)
{
    /* A normal sample (seeded) with 5 % positive contamination: MMM's sigma
     * is the core's, its mode below the contaminated mean. */
    enum { N = 20000 };
    static double x[N];
    unsigned long long s = 88172645463325252ULL;
    for (int i = 0; i < N; i += 2) { /* Box-Muller on xorshift */
        double u1, u2;
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        u1 = ((s >> 11) + 0.5) / 9007199254740992.0;
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        u2 = ((s >> 11) + 0.5) / 9007199254740992.0;
        x[i] = 100 + 5 * sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
        x[i + 1] = 100 + 5 * sqrt(-2 * log(u1)) * sin(2 * M_PI * u2);
    }
    for (int i = 0; i < N; i += 20)
        x[i] += 200; /* stars */
    double mode, sigma, skew;
    EXPECT(dc_mmm(x, N, &mode, &sigma, &skew) == 0);
    printf("# mmm: mode %.3f sigma %.3f skew %.3f\n", mode, sigma, skew);
    EXPECT_NEAR(sigma, 5, 0.15);
    EXPECT_NEAR(mode, 100, 0.3);
    /* too few values, NaNs skipped */
    double few[19] = {1, 2, 3};
    EXPECT(dc_mmm(few, 19, &mode, &sigma, NULL) != 0 && sigma == -1);
    x[7] = NAN;
    EXPECT(dc_mmm(x, N, &mode, &sigma, NULL) == 0 && isfinite(sigma));
}

int main(void)
{
    RUN(stacked_decam_fixture);
    RUN(roman_gauss_decorrelated_psf_bit_level);
    RUN(mmm_on_known_samples);
    return check_done();
}
