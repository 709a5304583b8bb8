/* epsf_stars.c -- the stars an empirical PSF is built from (see
 * epsf_priv.h). Real fields (OpenUniverse2024: ~200 stars among ~16000
 * galaxies on an SCA, cosmic rays, hot pixels, stars clipped at
 * saturation without a flag) need every test below: a star that is a
 * galaxy, a blend, clipped or hit in its core pulls the whole model.
 *
 *  - saturation: the header's SATURATE (pixels above 0.8 x it), else a
 *    clipping level found in the image itself: the highest value that at
 *    least 5 pixels share within their noise (a clipped star's flat top;
 *    a real peak is one pixel), with a star rejected when its peak reaches
 *    0.9 x that level;
 *  - not elongated (cosmic-ray tracks: elongation() below);
 *  - the core (2.5 px about the detection) without a flagged pixel (a
 *    cosmic ray or a bad pixel there), on the image; the rest of the box
 *    may be off the image or flagged: those pixels are left out;
 *  - neighbours: another detection's segment within 3.5 px of the centre,
 *    one holding more than 10% of the star's flux within 6 px, or one
 *    brighter than the star anywhere in the box rejects it; the pixels of
 *    fainter, farther ones and of a 1-pixel ring around them are left out
 *    (their light spills past the isophote);
 *  - point-like: a half-light radius within 0.7 ... 1.3 of the stellar
 *    locus (locus() below); 0.6 ... 1.6 when the model varies over the
 *    image (order > 0);
 *  - S/N >= snr.
 */
#include "epsf_priv.h"
#include "sci/interp.h"
#include "sci/linalg.h"
#include "base/log.h"
#include "sci/stats.h"
#include "base/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void epsf_stars_free(star *st, int n)
{
    if (!st)
        return;
    for (int k = 0; k < n; k++) {
        free(st[k].mask);
        free(st[k].nms);
    }
    free(st);
}

static int cmp_desc_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* The clipping level of an image saturated without a flag: scanning the
 * good pixels' values downwards from the highest, the first value v with
 * at least 5 values within max(1e-3 v, 5 rms) below it, if no more than 5
 * values lie above it (clipped pixels are the image's highest); NaN if
 * none. Pixel values of real peaks differ by their photon noise, which is
 * far larger than that window; clipped ones by the read noise and the sky
 * alone. */
static double clip_level(const ctx *c)
{
    long n = c->nx * c->ny;
    double mx = -INFINITY;
    for (long i = 0; i < n; i++)
        if (!c->bad[i] && c->img[i] > mx)
            mx = c->img[i];
    if (!(mx > 0))
        return NAN;
    long m = 0, cap = 200000;
    double *v = ph_malloc((size_t)cap * sizeof *v, "saturation scan");
    if (!v)
        return NAN; /* not fatal: no clipping found */
    for (long i = 0; i < n && m < cap; i++)
        if (!c->bad[i] && c->img[i] > 0.5 * mx)
            v[m++] = c->img[i];
    qsort(v, (size_t)m, sizeof *v, cmp_desc_d);
    double level = NAN, rms = sqrt(c->rms2);
    for (long i = 0; i + 4 < m && i <= 5; i++) {
        double tol = fmax(1e-3 * v[i], 5 * rms);
        if (v[i] - v[i + 4] <= tol) {
            long k = i + 4;
            while (k + 1 < m && v[i] - v[k + 1] <= tol)
                k++;
            level = v[k]; /* the lowest clipped value */
            ph_info("ePSF: %ld pixels at %.6g ... %.6g: clipped at saturation", k - i + 1, v[k],
                    v[i]);
            break;
        }
    }
    free(v);
    return level;
}

/* The star's box of usable pixels (half-width H about (cx, cy)): on the
 * image, not flagged, its own or no object's, and not next to another
 * object's pixel. */
static int make_mask(const ctx *c, star *s, long cx, long cy, long H)
{
    s->mw = 2 * H + 1;
    s->mx0 = cx - H, s->my0 = cy - H;
    s->mask = ph_malloc((size_t)s->mw * s->mw, "ePSF star mask");
    if (!s->mask)
        return PH_EFAIL;
    for (long b = 0; b < s->mw; b++)
        for (long a = 0; a < s->mw; a++) {
            long i = s->mx0 + a, j = s->my0 + b, q = j * c->nx + i;
            s->mask[b * s->mw + a] = i >= 0 && j >= 0 && i < c->nx && j < c->ny && !c->bad[q] &&
                                     (c->seg[q] == 0 || c->seg[q] == s->label);
        }
    /* the 1-pixel ring around other objects */
    for (long b = -1; b <= s->mw; b++)
        for (long a = -1; a <= s->mw; a++) {
            long i = s->mx0 + a, j = s->my0 + b;
            if (i < 0 || j < 0 || i >= c->nx || j >= c->ny)
                continue;
            int32_t l = c->seg[j * c->nx + i];
            if (!l || l == s->label)
                continue;
            for (long db = -1; db <= 1; db++)
                for (long da = -1; da <= 1; da++) {
                    long aa = a + da, bb = b + db;
                    if (aa >= 0 && bb >= 0 && aa < s->mw && bb < s->mw)
                        s->mask[bb * s->mw + aa] = 0;
                }
        }
    return PH_OK;
}

/* Elongation of the light about pixel (cx, cy): the square root of the
 * ratio of the principal second moments of the positive pixels of the
 * 5x5 box. The detection's own moments are of the filtered image, which
 * rounds a cosmic ray's 2-pixel track into a star; these are not. A star
 * gives 1 at a pixel centre and up to 1.6 between two pixels (Y106); a
 * track of 2 pixels 3 or more. */
static double elongation(const ctx *c, long cx, long cy)
{
    double s = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    for (long j = cy - 2; j <= cy + 2; j++)
        for (long i = cx - 2; i <= cx + 2; i++) {
            if (i < 0 || j < 0 || i >= c->nx || j >= c->ny)
                continue;
            double v = c->img[j * c->nx + i];
            if (!(v > 0) || c->bad[j * c->nx + i])
                continue;
            double u = i - cx, w = j - cy;
            s += v, sx += v * u, sy += v * w;
            sxx += v * u * u, syy += v * w * w, sxy += v * u * w;
        }
    if (!(s > 0))
        return INFINITY;
    double mx = sx / s, my = sy / s;
    double a = sxx / s - mx * mx, b = syy / s - my * my, d = sxy / s - mx * my;
    double tr = a + b, det = a * b - d * d, disc = sqrt(fmax(0, tr * tr / 4 - det));
    double l1 = tr / 2 + disc, l2 = tr / 2 - disc;
    return l2 > 0 ? sqrt(l1 / l2) : INFINITY;
}

/* Why a detection is not a star for the model; 0 if it may be one. */
enum {
    R_OK, R_FLAGS, R_SNR, R_EDGE, R_CORE_BAD, R_SATURATED, R_ELONGATED, R_NEIGHBOUR, R_FLUX,
    R_SIZE, R_N
};
static const char *const reason_name[R_N] = {"kept", "deblended/truncated", "S/N", "edge",
                                             "flagged core", "saturated", "elongated",
                                             "neighbour", "no flux", "not point-like"};

static int check(const ctx *c, const ph_detection *det, long k, const epsf_params *p, double sat,
                 double satfrac, long R)
{
    const ph_object *ob = &det->obj[k];
    if (ob->flags & (PH_OBJ_DEBLENDED | PH_OBJ_TRUNC | PH_OBJ_FORCED))
        return R_FLAGS;
    double snr = ob->flux_iso / sqrt(fmax(ob->flux_iso, 0) / c->gain + ob->npix * c->rms2);
    if (!(snr >= p->snr))
        return R_SNR;
    long cx = (long)floor(ob->x + 0.5), cy = (long)floor(ob->y + 0.5);
    if (cx - 3 < 0 || cy - 3 < 0 || cx + 3 >= c->nx || cy + 3 >= c->ny)
        return R_EDGE;
    if (elongation(c, cx, cy) > 2)
        return R_ELONGATED;
    int reason = R_OK;
    for (long j = cy - R; j <= cy + R && reason == R_OK; j++)
        for (long i = cx - R; i <= cx + R && reason == R_OK; i++) {
            if (i < 0 || j < 0 || i >= c->nx || j >= c->ny)
                continue;
            long q = j * c->nx + i;
            double d = hypot(i - ob->x, j - ob->y);
            if (d <= 2.5 && c->bad[q])
                reason = R_CORE_BAD;
            else if (d <= 3 && isfinite(sat) && !c->bad[q] && c->img[q] >= satfrac * sat)
                reason = R_SATURATED;
            int32_t l = c->seg[q];
            if (reason || !l || l == k + 1)
                continue;
            double fn = det->obj[l - 1].flux_iso;
            if (d < 3.5 || (d < 6 && fn > 0.1 * ob->flux_iso) || fn > ob->flux_iso)
                reason = R_NEIGHBOUR;
        }
    return reason;
}

/* The stellar locus in the candidates' half-light radii: stars share one
 * radius (spread by the sub-pixel phase, +-25% for an undersampled PSF),
 * galaxies spread above it and, at low S/N, outnumber them. Hence not the
 * densest point but the smallest radius r where the counts within +-12%
 * (in ln r) peak, holding at least 5 candidates and 30% of the highest
 * such count; r0 is the mean of ln r there. Radii below 0.45 px (a pixel's
 * own half-light radius is 0.4: cosmic rays, hot pixels) are left out. */
/* The stellar locus: the narrowest well-populated peak of the widths (5
 * members and 30% of the largest). Where the band's optics give a
 * reference width wref (> 0) and that peak lies beyond any width a PSF can
 * have (1.6 wref), while 3 or more candidates lie within 0.6 to 1.6 wref,
 * their median is the locus: on a cut-out of a sparse field the few stars
 * are outnumbered by compact galaxies (an OpenUniverse2024 look-alike
 * cut-out: 6 stars at 0.46 to 0.65 px, their phases spreading them wider
 * than a peak's window, and 15 galaxies about 1.4 px). */
static double locus(const double *r, int n, double wref)
{
    double *l = ph_malloc((size_t)(n > 0 ? n : 1) * sizeof *l, "ePSF sizes");
    int *cnt = ph_malloc((size_t)(n > 0 ? n : 1) * sizeof *cnt, "ePSF sizes");
    if (!l || !cnt) {
        free(l), free(cnt);
        return ph_percentile(r, (size_t)n, 30);
    }
    int m = 0;
    for (int i = 0; i < n; i++)
        if (r[i] >= 0.45)
            l[m++] = log(r[i]);
    qsort(l, (size_t)m, sizeof *l, cmp_desc_d);
    const double w = 0.12;
    int cmax = 0;
    for (int i = 0, lo = 0, hi = 0; i < m; i++) { /* l is descending */
        while (l[lo] > l[i] + w)
            lo++;
        while (hi + 1 < m && l[hi + 1] >= l[i] - w)
            hi++;
        cnt[i] = hi - lo + 1;
        if (cnt[i] > cmax)
            cmax = cnt[i];
    }
    int best = -1;
    for (int i = m - 1; i >= 0 && best < 0; i--) { /* smallest first */
        if (cnt[i] < 5 || cnt[i] < 0.3 * cmax)
            continue;
        int peak = 1;
        for (int k = i - 1; k >= 0 && l[k] <= l[i] + w && peak; k--)
            peak = cnt[k] <= cnt[i];
        for (int k = i + 1; k < m && l[k] >= l[i] - w && peak; k++)
            peak = cnt[k] <= cnt[i];
        if (peak)
            best = i;
    }
    double r0;
    if (best < 0) /* too few to find a peak: the median */
        r0 = m > 0 ? exp(l[m / 2]) : ph_percentile(r, (size_t)n, 50);
    else {
        double s = 0;
        int q = 0;
        for (int i = 0; i < m; i++)
            if (fabs(l[i] - l[best]) <= w)
                s += l[i], q++;
        r0 = exp(s / q);
    }
    if (wref > 0 && r0 > 1.6 * wref) {
        int q = 0;
        for (int i = 0; i < m; i++) /* descending: the plausible ones, in order */
            if (exp(l[i]) >= 0.6 * wref && exp(l[i]) <= 1.6 * wref)
                cnt[q++] = i;
        if (q >= 3)
            r0 = exp(l[cnt[q / 2]]);
    }
    free(l), free(cnt);
    return r0;
}

/* Flux, centre and width of a candidate: a fit of a pixel-integrated
 * circular Gaussian (Gauss-Newton, F, x, y and sigma) over the 7x7 usable
 * pixels about the detection. The width is the best size measure for
 * telling stars apart: the pixel integration is modelled, so unlike the
 * half-light radius (which an undersampled star's sub-pixel phase spreads
 * by +-25%) it is nearly the same for every star; compact galaxies are
 * wider, cosmic rays narrower. The centre has no phase-dependent bias for
 * a symmetric PSF, unlike the barycentre. Returns sigma (px), NaN if the
 * fit fails (then the star keeps its detection centre). */
static double gauss_fit(const ctx *c, star *s)
{
    double f = 0;
    long cx = (long)floor(s->x + 0.5), cy = (long)floor(s->y + 0.5);
    for (long j = cy - 3; j <= cy + 3; j++)
        for (long i = cx - 3; i <= cx + 3; i++)
            if (epsf_usable(s, i, j))
                f += c->img[j * c->nx + i] - s->b;
    if (!(f > 0))
        return NAN;
    /* start from the rms of a Gaussian of the detection's half-light
     * radius, less the pixel's 1/12 */
    double x = s->x, y = s->y, sig = sqrt(fmax(0.04, s->rad * s->rad / (1.1774 * 1.1774) - 1.0 / 12));
    for (int it = 0; it < 12; it++) {
        const double k = 1.0 / (sqrt(2.0) * sig), nrm = 1.0 / (sqrt(2 * M_PI) * sig);
        double gx[7], gy[7], dgx[7], dgy[7], sgx[7], sgy[7];
        for (int a = 0; a < 7; a++) {
            double t[2] = {cx - 3 + a - x, cy - 3 + a - y}, *g[2] = {gx, gy}, *dg[2] = {dgx, dgy},
                   *sg[2] = {sgx, sgy};
            for (int q = 0; q < 2; q++) {
                double p = t[q] + 0.5, m = t[q] - 0.5, ep = exp(-p * p * k * k),
                       em = exp(-m * m * k * k);
                g[q][a] = 0.5 * (erf(p * k) - erf(m * k));
                dg[q][a] = -nrm * (ep - em);                         /* d/d centre */
                sg[q][a] = -(p * ep - m * em) * k / (sqrt(M_PI) * sig); /* d/d sigma */
            }
        }
        double A[4][4] = {{0}}, b[4] = {0};
        for (int q = 0; q < 7; q++)
            for (int a = 0; a < 7; a++) {
                long i = cx - 3 + a, j = cy - 3 + q;
                if (!epsf_usable(s, i, j))
                    continue;
                double m = gx[a] * gy[q], mod = f * m;
                double w = 1.0 / (c->rms2 + (mod > 0 ? mod : 0) / c->gain);
                double r = c->img[j * c->nx + i] - s->b - mod;
                double J[4] = {m, f * dgx[a] * gy[q], f * gx[a] * dgy[q],
                               f * (sgx[a] * gy[q] + gx[a] * sgy[q])};
                for (int u = 0; u < 4; u++) {
                    b[u] += w * J[u] * r;
                    for (int v = 0; v < 4; v++)
                        A[u][v] += w * J[u] * J[v];
                }
            }
        double d[4];
        if (ph_linalg_solve_small(4, A, b, d))
            return NAN;
        f += d[0];
        x += fmax(-0.3, fmin(0.3, d[1]));
        y += fmax(-0.3, fmin(0.3, d[2]));
        sig = fmin(5, fmax(0.05, sig + fmax(-0.3 * sig, fmin(0.3 * sig, d[3]))));
        if (!(f > 0) || fabs(x - s->x_det) > 1.5 || fabs(y - s->y_det) > 1.5)
            return NAN;
    }
    s->x = x, s->y = y;
    return sig;
}

static int cmp_flux_desc(const void *a, const void *b)
{
    double fa = ((const star *)a)->f, fb = ((const star *)b)->f;
    return fa < fb ? 1 : fa > fb ? -1 : 0;
}

int epsf_select_stars(const ctx *c, const ph_detection *det, const epsf_params *p, star **out,
                      int *nout, double *rhalf, double *width)
{
    long nobj = det->nobj, R = p->radius;
    *out = NULL, *nout = 0;
    star *st = ph_calloc(nobj > 0 ? (size_t)nobj : 1, sizeof *st, "ePSF stars");
    double *fr = ph_malloc((nobj > 0 ? (size_t)nobj : 1) * sizeof *fr, "ePSF stars");
    if (!st || !fr) {
        free(st), free(fr);
        return PH_EFAIL;
    }
    double sat = p->saturate, satfrac = 0.8;
    if (!isfinite(sat)) {
        sat = clip_level(c);
        satfrac = 0.9;
    }
    long count[R_N] = {0};
    int n = 0, st_ = PH_OK;
    for (long k = 0; k < nobj && !st_; k++) {
        int why = check(c, det, k, p, sat, satfrac, R);
        ph_debug("ePSF detection %.3f %.3f %.1f %.4f %.1f %d", det->obj[k].x, det->obj[k].y,
                 det->obj[k].flux_iso, det->obj[k].flux_radius, det->obj[k].peak, why);
        if (why) {
            count[why]++;
            continue;
        }
        const ph_object *ob = &det->obj[k];
        star *s = &st[n];
        s->x = s->x_det = ob->x;
        s->y = s->y_det = ob->y;
        s->label = (int)(k + 1);
        s->use = 1;
        s->peak = ob->peak;
        s->rad = ob->flux_radius;
        long cx = (long)floor(ob->x + 0.5), cy = (long)floor(ob->y + 0.5);
        /* room for the centre to move by 2 px (the fit drops a star that
         * moves farther) */
        if ((st_ = make_mask(c, s, cx, cy, R + 3)))
            break;
        /* The background left about the star starts at 0: a median of
         * the box is biased by the star's own wings (1e-5 of its flux a
         * pixel at 10 px is percents of it over the box); the fit refines
         * it with the model. */
        s->b = 0;
        double f = 0;
        for (long j = cy - R; j <= cy + R; j++)
            for (long i = cx - R; i <= cx + R; i++)
                if (epsf_usable(s, i, j))
                    f += c->img[j * c->nx + i] - s->b;
        s->f = f;
        if (!(f > 0)) {
            count[R_FLUX]++;
            free(s->mask);
            s->mask = NULL;
            continue;
        }
        double sig = gauss_fit(c, s);
        if (!(sig > 0)) {
            count[R_FLUX]++;
            free(s->mask);
            s->mask = NULL;
            continue;
        }
        s->rad = sig;
        fr[n++] = sig;
        ph_debug("ePSF candidate %.3f %.3f %.1f width %.4f radius %.4f", s->x, s->y, ob->flux_iso,
                 sig, ob->flux_radius);
    }
    if (st_) {
        epsf_stars_free(st, n + 1);
        free(fr);
        return st_;
    }
    if (n > 0) {
        /* the widths' locus; the core radius wants the half-light radius */
        /* the optics' Gaussian width: FWHM / 2.3548 */
        double s0 = locus(fr, n, p->fwhm_ref > 0 ? p->fwhm_ref / 2.3548 : 0);
        double lo = p->order ? 0.65 : 0.75, hi = p->order ? 1.5 : 1.25;
        int m = 0;
        for (int k = 0; k < n; k++) {
            if (st[k].rad >= lo * s0 && st[k].rad <= hi * s0)
                st[m++] = st[k];
            else {
                count[R_SIZE]++;
                free(st[k].mask);
            }
        }
        n = m;
        *width = s0;
        for (int k = 0; k < n; k++)
            fr[k] = det->obj[st[k].label - 1].flux_radius;
        *rhalf = n > 0 ? ph_median(fr, (size_t)n) : 1;
        ph_info("ePSF: stellar locus at a Gaussian width of %.3f px (half-light radius %.3f px)",
                s0, *rhalf);
    }
    free(fr);
    char why[512];
    size_t o = 0;
    for (int r = 1; r < R_N && o < sizeof why; r++)
        o += (size_t)snprintf(why + o, sizeof why - o, "%s%ld %s", r > 1 ? ", " : "", count[r],
                              reason_name[r]);
    ph_info("ePSF: %ld detections: %d star candidates; rejected: %s", nobj, n, why);
    qsort(st, (size_t)n, sizeof *st, cmp_flux_desc);
    for (int k = p->maxstars; k < n; k++)
        free(st[k].mask);
    if (n > p->maxstars)
        n = p->maxstars;
    *out = st;
    *nout = n;
    return PH_OK;
}
