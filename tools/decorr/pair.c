/* pair.c -- see pair.h. */
#include "pair.h"
#include "base/log.h"
#include "mmm.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The model of sfft-reference §6.1: den = sigma_sci^2 |F P_ref|^2 +
 * sigma_ref^2 |F P_s|^2 |F M|^2. */
static void pair_model(const dc_pair *p, ph_decorr_term t[2], ph_decorr_model *m)
{
    t[0] = (ph_decorr_term){p->psf_ref, p->n_ref, p->n_ref, p->rms_sci};
    t[1] = (ph_decorr_term){p->psf_sci, p->n_sci, p->n_sci, p->rms_ref};
    *m = (ph_decorr_model){.j = &t[0], .nj = 1, .i = &t[1], .ni = 1, .match = p->match,
                           .mny = p->n_match, .mnx = p->n_match};
}

ph_decorr *dc_new(long nx, long ny, const dc_pair *p)
{
    ph_decorr_term t[2];
    ph_decorr_model m;
    pair_model(p, t, &m);
    ph_decorr *d = ph_decorr_new(nx, ny);
    if (d && ph_decorr_set_model(d, &m, 1)) {
        ph_decorr_free(d);
        return NULL;
    }
    return d;
}

long dc_default_kernel_size(const dc_pair *p, long nx, long ny)
{
    long l = p->n_sci > p->n_ref ? p->n_sci : p->n_ref;
    if (p->match && p->n_match > l)
        l = p->n_match;
    long s = 2 * l + 1;
    long lim = ny < nx ? ny : nx;
    if (s > lim)
        s = lim % 2 ? lim : lim - 1;
    return s;
}

int dc_conv_psf(const dc_pair *p, double *out)
{
    size_t nr = (size_t)p->n_ref * p->n_ref;
    double *b = ph_malloc(nr * sizeof *b, "normalised template PSF"), s = 0;
    if (!b)
        return PH_EFAIL;
    for (size_t i = 0; i < nr; i++)
        s += p->psf_ref[i];
    for (size_t i = 0; i < nr; i++)
        b[i] = p->psf_ref[i] / s;
    ph_fft_convolve_small(p->psf_sci, p->n_sci, p->n_sci, b, p->n_ref, p->n_ref, out);
    free(b);
    return PH_OK;
}

int dc_psf(ph_decorr *d, const double *conv_psf, long n, long outn, double *out, double *lost)
{
    if (ph_decorr_stamp(d, conv_psf, n, outn, out, lost))
        return PH_EFAIL;
    double s = 0;
    for (long i = 0; i < outn * outn; i++)
        s += out[i];
    if (!(s > 0))
        return ph_error(PH_EFAIL, NULL, "the decorrelated PSF sums to %g inside %ldx%ld pixels; "
                        "it cannot be normalised", s, outn, outn);
    for (long i = 0; i < outn * outn; i++)
        out[i] /= s;
    return PH_OK;
}

int dc_variance_ref(ph_decorr *d, const dc_pair *p, float *acc)
{
    return ph_decorr_variance_add(d, p->psf_sci, p->n_sci, p->n_sci, p->match, p->n_match,
                                  p->n_match, 1.0, acc);
}

int dc_variance_sci(ph_decorr *d, const dc_pair *p, float *acc)
{
    return ph_decorr_variance_add(d, p->psf_ref, p->n_ref, p->n_ref, NULL, 0, 0, 1.0, acc);
}

void dc_variance_finish(float *acc, size_t n)
{
    float vmax = 0;
    for (size_t i = 0; i < n; i++)
        if (acc[i] > vmax)
            vmax = acc[i];
    /* FFT round-off leaves ~1e-16 relative residues where the variance is 0
     * (outside the footprint); a negative variance would break sqrt later. */
    for (size_t i = 0; i < n; i++)
        if (acc[i] < 0 && acc[i] >= -1e-12f * vmax)
            acc[i] = 0;
}

int dc_score(ph_decorr *d, const dc_pair *p, double *sigma)
{
    long n = p->n_sci + p->n_ref - 1;
    double *k = ph_malloc((size_t)n * n * sizeof *k, "score kernel");
    if (!k)
        return PH_EFAIL;
    ph_decorr_convolve_full(p->psf_ref, p->n_ref, p->n_ref, p->psf_sci, p->n_sci, p->n_sci, k);
    int st = ph_decorr_matched_filter(d, k, n, n);
    free(k);
    if (st)
        return st;
    size_t np = (size_t)d->ny * d->nx;
    double *x = ph_decorr_plane(d);
    if (dc_mmm(x, np, NULL, sigma, NULL) || !(*sigma > 0))
        return ph_error(PH_EFAIL, NULL, "cannot estimate the sky sigma of the score image "
                        "(DAOPHOT MMM failed: too few or degenerate values)");
    for (size_t i = 0; i < np; i++)
        x[i] /= *sigma;
    return PH_OK;
}

size_t dc_count_nonfinite(const double *x, size_t n, long *first)
{
    size_t c = 0;
    *first = -1;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]) && c++ == 0)
            *first = (long)i;
    return c;
}

size_t dc_count_negative(const double *x, size_t n, long *first)
{
    size_t c = 0;
    *first = -1;
    for (size_t i = 0; i < n; i++)
        if (x[i] < 0 && c++ == 0)
            *first = (long)i;
    return c;
}

float *dc_to_float_inplace(double *buf, size_t n)
{
    /* float i lives in bytes [4i, 4i+4), inside double i/2, which has been
     * read already; memcpy keeps the compiler's aliasing rules satisfied. */
    unsigned char *bytes = (unsigned char *)buf;
    for (size_t i = 0; i < n; i++) {
        double v;
        memcpy(&v, bytes + 8 * i, sizeof v);
        float f = (float)v;
        memcpy(bytes + 4 * i, &f, sizeof f);
    }
    return (float *)buf;
}
