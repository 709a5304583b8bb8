/* romanpsf.c -- see romanpsf.h. */
#include "sci/romanpsf.h"
#include "base/bands.h"
#include "sci/fft.h"
#include "base/log.h"
#include "base/util.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { NTAB = 16384, NPLAN = 4 };

#define ARCSEC_PER_RAD (180.0 * 3600.0 / M_PI)
/* The table's jitter: a Gaussian of 8 mas FWHM (STScI's PSF summary). */
#define TABLE_JITTER_RMS_ARCSEC (0.008 / 2.3548200450309493)
/* Cold pupil mask of the red filters: a larger effective obscuration. */
#define RED_OBSCURATION 0.38

typedef struct plan_slot {
    long g;
    ph_fft2 *plan;
    ph_cplx *spec;
    double *img;
    /* The transfer function on this grid's Fourier modes (m / L, |m| <= tfm
     * on each axis), kept for the next object: rendering a scene draws
     * thousands of objects on the same period. */
    long tfl;         /* its period L; 0 = none yet */
    long tfm;
    double *tf;
} plan_slot;

struct ph_romanpsf {
    ph_romanpsf_opts o;
    double kmax;      /* cycles per native pixel */
    double dk;        /* table step */
    double *tab;      /* radial transfer function (no pixel), NTAB + 1 values on [0, kmax] */
    plan_slot plans[NPLAN];
    int nextplan;
};

/* ---- options ------------------------------------------------------------ */

int ph_romanpsf_defaults(ph_romanpsf_opts *o, const char *band)
{
    memset(o, 0, sizeof *o);
    const ph_band *b = ph_band_find(band);
    if (!b)
        return ph_error(PH_EUSAGE, NULL, "unknown band '%s' (bands: %s)", band ? band : "",
                        ph_band_names());
    ph_strlcpy(o->band, b->name, sizeof o->band);
    o->model = PH_RPSF_ROMAN;
    o->lambda_um = b->lambda_um;
    o->lambda_min_um = b->lambda_min_um;
    o->lambda_max_um = b->lambda_max_um;
    o->nlambda = 9;
    o->diameter_m = PH_ROMAN_DIAMETER_M;
    o->obscuration = (!strcmp(b->name, "F184") || !strcmp(b->name, "K213")) ? RED_OBSCURATION
                                                                             : PH_ROMAN_OBSCURATION;
    o->wfe_nm = 80.0;
    o->wfe_corr = 0.5;
    o->jitter_arcsec = PH_ROMAN_JITTER_ARCSEC;
    o->diffusion_px = PH_ROMAN_DIFFUSION_PX;
    o->pixscale_arcsec = PH_ROMAN_PIXSCALE_ARCSEC;
    o->sigma_px = 1.0;
    o->pixel = 1;
    return PH_OK;
}

int ph_romanpsf_parse_model(const char *s, ph_romanpsf_opts *o)
{
    if (!strcmp(s, "roman")) {
        o->model = PH_RPSF_ROMAN;
        return 0;
    }
    double sig;
    if (!strncmp(s, "gaussian:", 9) && !ph_parse_double(s + 9, &sig) && sig >= 0.2 && sig <= 50) {
        o->model = PH_RPSF_GAUSSIAN;
        o->sigma_px = sig;
        return 0;
    }
    return -1;
}

/* ---- the transfer function ---------------------------------------------- */

/* Autocorrelation of an annular pupil (outer radius 1, inner eps),
 * normalised to 1 at nu = 0; nu = k lambda / D (cut-off at nu = 1).
 * O'Neill (1956), "Transfer function for an annular aperture", JOSA 46, 285. */
static double otf_annulus(double nu, double eps)
{
    if (nu >= 1.0)
        return 0.0;
    double a = 2.0 / M_PI * (acos(nu) - nu * sqrt(1.0 - nu * nu));
    if (eps <= 0.0)
        return a;
    double e2 = eps * eps, b = 0.0, c = 0.0;
    if (nu < eps) {
        double t = nu / eps;
        b = 2.0 * e2 / M_PI * (acos(t) - t * sqrt(1.0 - t * t));
    }
    if (nu <= (1.0 - eps) / 2.0) {
        c = -2.0 * e2;
    } else if (nu < (1.0 + eps) / 2.0) {
        double cphi = (1.0 + e2 - 4.0 * nu * nu) / (2.0 * eps);
        double phi = acos(cphi < -1 ? -1 : cphi > 1 ? 1 : cphi);
        c = 2.0 * eps / M_PI * sin(phi) + (1.0 + e2) / M_PI * phi -
            2.0 * (1.0 - e2) / M_PI * atan((1.0 + eps) / (1.0 - eps) * tan(phi / 2.0)) - 2.0 * e2;
    }
    return (a + b + c) / (1.0 - e2);
}

/* Radial transfer function without the pixel response, at k cycles/px. */
static double radial_ft(const ph_romanpsf_opts *o, const double *lam_um, const double *w, int nl,
                        double k)
{
    double px_rad = o->pixscale_arcsec / ARCSEC_PER_RAD;
    double g;
    if (o->model == PH_RPSF_GAUSSIAN)
        return exp(-2.0 * M_PI * M_PI * o->sigma_px * o->sigma_px * k * k);
    double opt = 0.0;
    for (int l = 0; l < nl; l++) {
        double lam_m = lam_um[l] * 1e-6;
        double nu = k * lam_m / (o->diameter_m * px_rad); /* k in cycles/rad over cut-off */
        double t = otf_annulus(nu, o->obscuration);
        if (t != 0.0 && o->wfe_nm > 0.0) {
            double s = 2.0 * M_PI * o->wfe_nm * 1e-9 / lam_m;
            double rho = 2.0 * nu / o->wfe_corr;
            t *= exp(-s * s * (1.0 - exp(-rho * rho)));
        }
        opt += w[l] * t;
    }
    double sj = o->jitter_arcsec / o->pixscale_arcsec;
    g = exp(-2.0 * M_PI * M_PI * (sj * sj + o->diffusion_px * o->diffusion_px) * k * k);
    return opt * g;
}

static int check_opts(const ph_romanpsf_opts *o)
{
    if (o->model == PH_RPSF_GAUSSIAN) {
        if (!(o->sigma_px >= 0.2 && o->sigma_px <= 50))
            return ph_error(PH_EUSAGE, NULL, "Gaussian PSF sigma %g px is outside 0.2 ... 50",
                            o->sigma_px);
        return PH_OK;
    }
    if (o->model != PH_RPSF_ROMAN)
        return ph_error(PH_EUSAGE, NULL, "unknown PSF model %d", o->model);
    if (!(o->lambda_um > 0.1 && o->lambda_um < 10) || o->nlambda < 1 || o->nlambda > 1000 ||
        (o->nlambda > 1 && !(o->lambda_min_um > 0.1 && o->lambda_max_um > o->lambda_min_um)))
        return ph_error(PH_EUSAGE, NULL, "bad PSF wavelengths (%g um, %d samples over %g-%g um)",
                        o->lambda_um, o->nlambda, o->lambda_min_um, o->lambda_max_um);
    if (!(o->diameter_m > 0) || !(o->obscuration >= 0 && o->obscuration < 0.9) ||
        !(o->wfe_nm >= 0 && o->wfe_nm < 1000) || !(o->wfe_corr > 0.01) ||
        !(o->jitter_arcsec >= 0 && o->jitter_arcsec < 10) ||
        !(o->diffusion_px >= 0 && o->diffusion_px < 10) || !(o->pixscale_arcsec > 0))
        return ph_error(PH_EUSAGE, NULL, "bad PSF parameters (D %g m, obscuration %g, WFE %g nm, "
                        "jitter %g arcsec, diffusion %g px)", o->diameter_m, o->obscuration,
                        o->wfe_nm, o->jitter_arcsec, o->diffusion_px);
    return PH_OK;
}

ph_romanpsf *ph_romanpsf_new(const ph_romanpsf_opts *o)
{
    if (check_opts(o))
        return NULL;
    ph_romanpsf *p = ph_calloc(1, sizeof *p, "PSF model");
    if (!p)
        return NULL;
    p->o = *o;
    int nl = o->model == PH_RPSF_ROMAN ? o->nlambda : 1;
    double lam[1000], w[1000], wsum = 0.0, lmin = o->lambda_um;
    for (int l = 0; l < nl; l++) {
        /* Midpoints of equal bins; photons of a flat-f_nu source go as 1/lambda. */
        lam[l] = nl == 1 ? o->lambda_um
                         : o->lambda_min_um + (l + 0.5) * (o->lambda_max_um - o->lambda_min_um) / nl;
        w[l] = 1.0 / lam[l];
        wsum += w[l];
        if (lam[l] < lmin)
            lmin = lam[l];
    }
    for (int l = 0; l < nl; l++)
        w[l] /= wsum;
    if (o->model == PH_RPSF_ROMAN)
        p->kmax = o->diameter_m / (lmin * 1e-6) * (o->pixscale_arcsec / ARCSEC_PER_RAD);
    else
        p->kmax = sqrt(log(1e15) / (2.0 * M_PI * M_PI)) / o->sigma_px;
    p->tab = ph_malloc((NTAB + 2) * sizeof *p->tab, "PSF transfer table");
    if (!p->tab) {
        free(p);
        return NULL;
    }
    p->dk = p->kmax / NTAB;
    for (int i = 0; i <= NTAB; i++)
        p->tab[i] = radial_ft(o, lam, w, nl, i * p->dk);
    p->tab[NTAB] = o->model == PH_RPSF_ROMAN ? 0.0 : p->tab[NTAB];
    p->tab[NTAB + 1] = 0.0;
    /* Trim the band where the transfer function is negligible (strong jitter). */
    int last = NTAB;
    while (last > 16 && fabs(p->tab[last - 1]) < 1e-15)
        last--;
    if (last < NTAB)
        p->kmax = last * p->dk;
    return p;
}

void ph_romanpsf_free(ph_romanpsf *p)
{
    if (!p)
        return;
    for (int i = 0; i < NPLAN; i++) {
        ph_fft2_free(p->plans[i].plan);
        ph_fft_free(p->plans[i].spec);
        ph_fft_free(p->plans[i].img);
        free(p->plans[i].tf);
    }
    free(p->tab);
    free(p);
}

const ph_romanpsf_opts *ph_romanpsf_get_opts(const ph_romanpsf *p) { return &p->o; }

double ph_romanpsf_kmax(const ph_romanpsf *p) { return p->kmax; }

static inline double radial(const ph_romanpsf *p, double k)
{
    double t = k / p->dk;
    if (!(t < NTAB))
        return 0.0;
    int i = (int)t;
    double f = t - i;
    return p->tab[i] + f * (p->tab[i + 1] - p->tab[i]);
}

static inline double sinc(double x)
{
    if (x == 0.0)
        return 1.0;
    double a = M_PI * x;
    return sin(a) / a;
}

double ph_romanpsf_ft(const ph_romanpsf *p, double kx, double ky)
{
    double r = radial(p, sqrt(kx * kx + ky * ky));
    return p->o.pixel ? r * sinc(kx) * sinc(ky) : r;
}

/* ---- sampling ------------------------------------------------------------ */

static plan_slot *get_plan(ph_romanpsf *p, long g)
{
    for (int i = 0; i < NPLAN; i++)
        if (p->plans[i].g == g && p->plans[i].plan)
            return &p->plans[i];
    plan_slot *s = &p->plans[p->nextplan];
    p->nextplan = (p->nextplan + 1) % NPLAN;
    ph_fft2_free(s->plan);
    ph_fft_free(s->spec);
    ph_fft_free(s->img);
    free(s->tf);
    memset(s, 0, sizeof *s);
    s->plan = ph_fft2_new(g, g);
    s->spec = ph_fft_alloc_cplx((size_t)g * (g / 2 + 1));
    s->img = ph_fft_alloc_real((size_t)g * g);
    if (!s->plan || !s->spec || !s->img) {
        ph_fft2_free(s->plan);
        ph_fft_free(s->spec);
        ph_fft_free(s->img);
        memset(s, 0, sizeof *s);
        ph_error(PH_EFAIL, NULL, "out of memory for a %ldx%ld PSF transform", g, g);
        return NULL;
    }
    s->g = g;
    return s;
}

static inline long wrap(long m, long g)
{
    long r = m % g;
    return r < 0 ? r + g : r;
}

/* The Fourier series of the L-periodised model, sampled on a g-point grid
 * (g = oversamp * L), is the inverse DFT of the spectrum folded modulo g:
 *   p(u) = L^-2 sum_m P(m/L) S(m/L) exp(2 pi i m (u - d) / L),  u = j / oversamp.
 * Only the half-plane that a real-to-complex transform stores is filled. */
int ph_romanpsf_render(ph_romanpsf *p, const ph_source_ft *src, long L, int oversamp, double dx,
                       double dy, double *out)
{
    if (L < 8 || L % 2 || oversamp < 1 || L * oversamp > 16384)
        return ph_error(PH_EFAIL, NULL, "bad PSF grid (period %ld px, oversampling %d)", L,
                        oversamp);
    long g = L * oversamp, gh = g / 2 + 1;
    plan_slot *s = get_plan(p, g);
    if (!s)
        return PH_EFAIL;
    double kmax = p->kmax;
    if (src && src->kmax > 0 && src->kmax < kmax)
        kmax = src->kmax;
    long M = (long)ceil(kmax * L);
    size_t nm = (size_t)(2 * M + 1);
    ph_cplx *phx = malloc(nm * sizeof *phx), *phy = malloc(nm * sizeof *phy);
    long *jx = malloc(nm * sizeof *jx);
    if (!phx || !phy || !jx) {
        free(phx);
        free(phy);
        free(jx);
        return ph_error(PH_EFAIL, NULL, "out of memory rendering a PSF");
    }
    for (long m = -M; m <= M; m++) {
        double k = (double)m / L;
        phx[m + M] = cexp(-2.0 * M_PI * I * k * dx);
        phy[m + M] = cexp(-2.0 * M_PI * I * k * dy);
        jx[m + M] = wrap(m, g); /* the grid column of mode m (no division per mode below) */
    }
    /* The PSF's transfer function on the modes of period L (the whole disc
     * |k| <= p->kmax), once per period: the same products as below. */
    long MT = (long)ceil(p->kmax * L), nt = 2 * MT + 1;
    if (s->tfl != L) {
        free(s->tf);
        s->tfl = 0;
        s->tf = malloc((size_t)nt * nt * sizeof *s->tf);
        if (!s->tf) {
            free(phx);
            free(phy);
            free(jx);
            return ph_error(PH_EFAIL, NULL, "out of memory rendering a PSF");
        }
        double p2 = p->kmax * p->kmax;
        for (long my = -MT; my <= MT; my++) {
            double ky = (double)my / L, wy = p->o.pixel ? sinc(ky) : 1.0;
            for (long mx = -MT; mx <= MT; mx++) {
                double kx = (double)mx / L, k2 = kx * kx + ky * ky;
                s->tf[(my + MT) * nt + mx + MT] =
                    k2 > p2 ? 0.0 : radial(p, sqrt(k2)) * (p->o.pixel ? sinc(kx) : 1.0) * wy;
            }
        }
        s->tfl = L;
        s->tfm = MT;
    }
    memset(s->spec, 0, (size_t)g * gh * sizeof *s->spec);
    double k2max = kmax * kmax;
    for (long my = -M; my <= M; my++) {
        double ky = (double)my / L;
        ph_cplx *row = s->spec + wrap(my, g) * gh;
        const double *tfrow = s->tf + (my + MT) * nt + MT;
        ph_cplx py = phy[my + M];
        for (long mx = -M; mx <= M; mx++) {
            long j = jx[mx + M];
            if (j >= gh)
                continue;
            double kx = (double)mx / L, k2 = kx * kx + ky * ky;
            if (k2 > k2max)
                continue;
            double v = tfrow[mx];
            if (src)
                v *= src->ft(kx, ky, src->ctx);
            row[j] += v * (phx[mx + M] * py);
        }
    }
    free(phx);
    free(phy);
    free(jx);
    ph_fft2_inverse(s->plan, s->spec, s->img);
    double norm = 1.0 / ((double)L * L);
    for (long j = 0; j < g; j++) {
        const double *in = s->img + wrap(j - g / 2, g) * g;
        double *o = out + j * g;
        for (long i = 0; i < g; i++)
            o[i] = in[wrap(i - g / 2, g)] * norm;
    }
    return PH_OK;
}

long ph_romanpsf_period(const ph_romanpsf *p, long n)
{
    (void)p;
    long L = 64;
    while (L < n + 16)
        L *= 2;
    return L;
}

/* Render the model on an L-pixel period sampled oversamp times per pixel
 * (offset dx, dy) and keep the central m x m samples in out; what names
 * the array in an allocation error. */
static int render_centre(ph_romanpsf *p, long L, int oversamp, double dx, double dy, long m,
                         double *out, const char *what)
{
    long g = L * oversamp;
    double *full = ph_malloc((size_t)g * g * sizeof *full, what);
    if (!full)
        return PH_EFAIL;
    int st = ph_romanpsf_render(p, NULL, L, oversamp, dx, dy, full);
    if (!st) {
        long off = g / 2 - (m - 1) / 2;
        for (long j = 0; j < m; j++)
            memcpy(out + j * m, full + (j + off) * g + off, (size_t)m * sizeof *out);
    }
    free(full);
    return st;
}

int ph_romanpsf_stamp(ph_romanpsf *p, double dx, double dy, long n, double *out)
{
    if (n < 3 || n % 2 == 0)
        return ph_error(PH_EFAIL, NULL, "PSF stamp size %ld must be odd and >= 3", n);
    return render_centre(p, ph_romanpsf_period(p, n), 1, dx, dy, n, out, "PSF stamp");
}

int ph_romanpsf_oversampled(ph_romanpsf *p, int oversamp, long n, double *out)
{
    if (n < 3 || n % 2 == 0 || oversamp < 1 || oversamp % 2 == 0)
        return ph_error(PH_EFAIL, NULL,
                        "oversampled PSF: size %ld and oversampling %d must both be odd", n,
                        oversamp);
    return render_centre(p, ph_romanpsf_period(p, n), oversamp, 0.0, 0.0, n * oversamp, out,
                         "oversampled PSF");
}

/* ---- FWHM ------------------------------------------------------------------ */

double ph_romanpsf_fwhm_halfmax(const double *img, long n, double step)
{
    long c = n / 2;
    double half = img[c * n + c] / 2.0, sum = 0.0;
    int got = 0;
    for (int axis = 0; axis < 2; axis++) {
        for (long i = c + 1; i < n; i++) {
            double v1 = axis ? img[i * n + c] : img[c * n + i];
            double v0 = axis ? img[(i - 1) * n + c] : img[c * n + i - 1];
            if (v1 <= half) {
                sum += (i - 1 - c + (v0 - half) / (v0 - v1)) * step;
                got++;
                break;
            }
        }
    }
    return got == 2 ? 2.0 * sum / 2.0 : NAN;
}

/* Residual of the best-amplitude centred Gaussian of width sigma. */
static double gauss_sse(const double *r2, const double *v, long m, double sigma)
{
    double svg = 0, sgg = 0, svv = 0;
    for (long i = 0; i < m; i++) {
        double gi = exp(-r2[i] / (2.0 * sigma * sigma));
        svg += v[i] * gi;
        sgg += gi * gi;
        svv += v[i] * v[i];
    }
    return svv - svg * svg / sgg;
}

double ph_romanpsf_fwhm_gauss(const double *img, long n, double step)
{
    long c = n / 2, m = 0;
    double peak = -INFINITY;
    for (long i = 0; i < n * n; i++)
        if (img[i] > peak)
            peak = img[i];
    for (long i = 0; i < n * n; i++)
        m += img[i] > 0.1 * peak;
    double *r2 = malloc((size_t)(m ? m : 1) * sizeof *r2), *v = malloc((size_t)(m ? m : 1) * sizeof *v);
    if (!r2 || !v || m < 3) {
        free(r2);
        free(v);
        return NAN;
    }
    m = 0;
    for (long j = 0; j < n; j++)
        for (long i = 0; i < n; i++)
            if (img[j * n + i] > 0.1 * peak) {
                r2[m] = ((i - c) * (i - c) + (j - c) * (j - c)) * step * step;
                v[m++] = img[j * n + i] / peak;
            }
    /* Golden-section search on log(sigma) around the half-max estimate. */
    double s0 = ph_romanpsf_fwhm_halfmax(img, n, step) / 2.3548200450309493;
    if (!(s0 > 0))
        s0 = step;
    double a = log(s0 / 4), b = log(s0 * 4), gr = (sqrt(5.0) - 1) / 2;
    double x1 = b - gr * (b - a), x2 = a + gr * (b - a);
    double f1 = gauss_sse(r2, v, m, exp(x1)), f2 = gauss_sse(r2, v, m, exp(x2));
    for (int it = 0; it < 200 && b - a > 1e-12; it++) {
        if (f1 < f2) {
            b = x2;
            x2 = x1;
            f2 = f1;
            x1 = b - gr * (b - a);
            f1 = gauss_sse(r2, v, m, exp(x1));
        } else {
            a = x1;
            x1 = x2;
            f1 = f2;
            x2 = a + gr * (b - a);
            f2 = gauss_sse(r2, v, m, exp(x2));
        }
    }
    free(r2);
    free(v);
    return 2.3548200450309493 * exp((a + b) / 2);
}

double ph_romanpsf_fwhm_optical(const ph_romanpsf_opts *o, double jitter_arcsec)
{
    ph_romanpsf_opts q = *o;
    q.pixel = 0;
    q.diffusion_px = 0.0;
    q.jitter_arcsec = jitter_arcsec >= 0 ? jitter_arcsec : TABLE_JITTER_RMS_ARCSEC;
    ph_romanpsf *p = ph_romanpsf_new(&q);
    if (!p)
        return NAN;
    const int N = 8;
    long L = 64, g = N * L, n = 161;
    double *full = ph_malloc((size_t)g * g * sizeof *full, "PSF image");
    double *img = ph_malloc((size_t)n * n * sizeof *img, "PSF image");
    double f = NAN;
    if (full && img && !ph_romanpsf_render(p, NULL, L, N, 0, 0, full)) {
        long off = g / 2 - n / 2;
        for (long j = 0; j < n; j++)
            memcpy(img + j * n, full + (j + off) * g + off, (size_t)n * sizeof *img);
        f = ph_romanpsf_fwhm_gauss(img, n, q.pixscale_arcsec / N);
    }
    free(full);
    free(img);
    ph_romanpsf_free(p);
    return f;
}

double ph_romanpsf_fwhm_epsf(const ph_romanpsf_opts *o)
{
    ph_romanpsf_opts q = *o;
    q.pixel = 1;
    ph_romanpsf *p = ph_romanpsf_new(&q);
    if (!p)
        return NAN;
    const int N = 8;
    long L = 64, g = N * L;
    double *full = ph_malloc((size_t)g * g * sizeof *full, "PSF image");
    double f = NAN;
    if (full && !ph_romanpsf_render(p, NULL, L, N, 0, 0, full))
        f = ph_romanpsf_fwhm_halfmax(full, g, 1.0 / N);
    free(full);
    ph_romanpsf_free(p);
    return f;
}
