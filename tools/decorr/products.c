/* products.c -- see products.h. */
#include "products.h"

#include "base/log.h"
#include "base/timing.h"
#include "base/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the file name prefixes of phrosty's files, in PF_* order */
static const char *const pf_prefix[PF_N] = {"diff_", "decorr_diff_", "decorr_zptimg_",
                                             "diff_var_", "decorr_psf_"};

/* Write one of phrosty's files (--phrosty-dir): DIR/<prefix><S>-<T>, S and
 * T the file names of the science and template images (PH_NAME, TPLNAME),
 * a single image with the header given; committed with the main output.
 * `data` is float (double_data 0) or double. */
static int write_phrosty(dc_run *r, int which, const void *data, int double_data, long nx, long ny,
                         const ph_header *h)
{
    const char *dir = r->o->phrosty_dir;
    if (!dir)
        return PH_OK;
    char s[256] = "", t[256] = "", path[4200];
    ph_header_get_str(r->in.hdr, "PH_NAME", s, sizeof s);
    ph_header_get_str(r->in.hdr, "TPLNAME", t, sizeof t);
    if ((size_t)snprintf(path, sizeof path, "%s/%s%s-%s", dir, pf_prefix[which],
                         s[0] ? s : "science", t[0] ? t : "template") >= sizeof path)
        return ph_error(PH_EFAIL, dir, "--phrosty-dir: file name too long");
    ph_fits_out *o = &r->pf[which];
    int st = ph_mkdir_p(dir);
    if (!st)
        st = ph_fits_create(o, path, 1);
    if (!st)
        st = double_data ? ph_fits_write_double(o, NULL, nx, ny, data, h)
                         : ph_fits_write_float(o, NULL, nx, ny, data, h);
    return st;
}

/* Read a plane into the FFT buffer; say how many flagged bad pixels were
 * set to 0 (once per plane: the score reads DIFF again). */
static int read_plane(dc_run *r, const char *hdu, int nonneg, double *buf)
{
    size_t zeroed = 0;
    int st = dc_input_plane(&r->in, hdu, nonneg, buf, &zeroed);
    int again = !strcmp(hdu, "DIFF") && r->warned_diff;
    if (!st && zeroed && !again) {
        ph_warn("%s: %s: %zu %s pixel%s flagged BAD or OUTSIDE in MASK set to 0", r->in.path, hdu,
                zeroed, nonneg ? "non-finite or negative" : "non-finite", zeroed == 1 ? "" : "s");
        if (!strcmp(hdu, "DIFF"))
            r->warned_diff = 1;
    }
    return st;
}

/* Decorrelate plane `hdu` of the input and write it as float32 `extname`. */
int dc_decorrelate_plane(dc_run *r, const char *hdu, const char *extname)
{
    double *plane = ph_decorr_plane(r->d);
    ph_timing_begin(extname);
    int st = read_plane(r, hdu, 0, plane);
    if (!st && !strcmp(hdu, "DIFF")) /* phrosty's diff_: the difference itself */
        st = write_phrosty(r, PF_DIFF, plane, 1, r->in.nx, r->in.ny, r->in.hdr);
    if (!st) {
        ph_decorr_apply_plane(r->d);
        if (!strcmp(extname, "DECORR_DIFF"))
            dc_quality_take_diff(&r->q, plane);
        size_t n = (size_t)r->in.nx * r->in.ny;
        float *f = dc_to_float_inplace(plane, n);
        st = ph_fits_write_float(&r->out, extname, r->in.nx, r->in.ny, f, r->hdr);
        if (!st)
            st = write_phrosty(r, !strcmp(hdu, "DIFF") ? PF_DECORR_DIFF : PF_ZPTIMG, f, 0,
                               r->in.nx, r->in.ny, r->hdr);
    }
    ph_timing_end();
    return st;
}

int dc_write_variance(dc_run *r)
{
    size_t n = (size_t)r->in.nx * r->in.ny;
    double *plane = ph_decorr_plane(r->d);
    ph_timing_begin("DIFF_VAR");
    float *acc = ph_calloc(n, sizeof *acc, "DIFF_VAR");
    int st = acc ? PH_OK : PH_EFAIL;
    if (!st && !(st = read_plane(r, "REF_VAR", 1, plane)))
        st = dc_variance_ref(r->d, &r->pair, acc);
    if (!st && !(st = read_plane(r, "SCI_VAR", 1, plane)))
        st = dc_variance_sci(r->d, &r->pair, acc);
    if (!st) {
        dc_variance_finish(acc, n);
        dc_quality_take_var(&r->q, acc);
        st = ph_fits_write_float(&r->out, "DIFF_VAR", r->in.nx, r->in.ny, acc, r->hdr);
        if (!st)
            st = write_phrosty(r, PF_VAR, acc, 0, r->in.nx, r->in.ny, r->hdr);
    }
    free(acc);
    ph_timing_end();
    return st;
}

int dc_write_psf(dc_run *r)
{
    long n = r->o->psf_size ? r->o->psf_size : r->n_conv;
    ph_timing_begin("DECORR_PSF");
    double *psf = ph_malloc((size_t)n * n * sizeof *psf, "DECORR_PSF"), lost = 0;
    const ph_header *src = r->in.target.hdr ? r->in.target.hdr : r->in.conv.hdr;
    ph_header *h = src ? ph_header_copy(src) : ph_header_new();
    int st = psf && h ? dc_psf(r->d, r->conv, r->n_conv, n, psf, &lost) : PH_EFAIL;
    if (st)
        dc_blame(r->in.path);
    if (!st) {
        ph_header_set_double(h, "PSFLOSS", lost, "flux fraction lost by cropping (decorrelated)");
        ph_header_set_bool(h, "PSFNORM", 1, "the stamp sums to 1");
        ph_header_set_bool(h, "PSFPHASE", r->in.target.data != NULL,
                           "T: drawn at the sub-pixel phase of PSFX, PSFY (no shift)");
        ph_header_add_text(h, "HISTORY", "ph-decorr: PSF of the difference, decorrelated");
        st = ph_fits_write_double(&r->out, "DECORR_PSF", n, n, psf, h);
        if (!st)
            st = write_phrosty(r, PF_PSF, psf, 1, n, n, h);
        ph_info("DECORR_PSF %ldx%ld, flux lost by cropping %.3g", n, n, lost);
    }
    free(psf);
    ph_header_free(h);
    ph_timing_end();
    return st;
}

int dc_write_kernel(dc_run *r)
{
    long n = r->o->kernel_size ? r->o->kernel_size
                               : dc_default_kernel_size(&r->pair, r->in.nx, r->in.ny);
    ph_timing_begin("DECORR_KERNEL");
    double *k = ph_malloc((size_t)n * n * sizeof *k, "DECORR_KERNEL"), lost = 0, sum = 0;
    ph_header *h = ph_header_new();
    int st = k && h ? ph_decorr_kernel(r->d, n, n, k, &lost, &sum) : PH_EFAIL;
    if (st)
        dc_blame(r->in.path);
    if (!st) {
        ph_header_set_double(h, "KSUM", sum, "sum of the cropped kernel");
        ph_header_set_double(h, "KLOSS", lost, "1 - sum|crop| / sum|full kernel|");
        ph_header_add_text(h, "COMMENT", "real-space kernel of the full-frame filter, D(0) = 1");
        st = ph_fits_write_double(&r->out, "DECORR_KERNEL", n, n, k, h);
    }
    free(k);
    ph_header_free(h);
    ph_timing_end();
    return st;
}

int dc_write_mask(dc_run *r)
{
    ph_timing_begin("MASK");
    int st = ph_fits_write_u8(&r->out, "MASK", r->in.nx, r->in.ny, r->in.mask, r->in.mask_hdr);
    ph_timing_end();
    return st;
}

int dc_write_score(dc_run *r)
{
    double *plane = ph_decorr_plane(r->d), sigma = 0;
    ph_timing_begin("SCORE");
    int st = read_plane(r, "DIFF", 0, plane);
    if (!st && (st = dc_score(r->d, &r->pair, &sigma)))
        dc_blame(r->in.path);
    ph_header *h = st ? NULL : ph_header_copy(r->hdr);
    if (!st && !h)
        st = PH_EFAIL;
    if (!st) {
        ph_header_set_double(h, "SCORESIG", sigma, "DAOPHOT-MMM sigma the score was divided by");
        ph_header_add_text(h, "HISTORY", "ph-decorr: score = matched filter of DECORR_DIFF with "
                                         "the decorrelated PSF, rotated template PSF");
        float *f = dc_to_float_inplace(plane, (size_t)r->in.nx * r->in.ny);
        if (r->o->score_hdu)
            st = ph_fits_write_float(&r->out, "SCORE", r->in.nx, r->in.ny, f, h);
        if (!st && r->o->score_file)
            st = ph_fits_write_float(&r->score, "SCORE", r->in.nx, r->in.ny, f, h);
    }
    ph_header_free(h);
    ph_timing_end();
    return st;
}

/* The static-star residuals of DECORR_DIFF (resid.h) into its header, the
 * STARS table carried on, the quick-look PNG. */
int dc_write_quality(dc_run *r)
{
    if (r->q.stars.n == 0 && !r->o->quicklook)
        return PH_OK;
    ph_timing_begin("quality");
    ph_resid_stats s;
    int st = dc_quality_stats(&r->q, &s);
    ph_header *h = st ? NULL : ph_header_new();
    if (!st && !h)
        st = PH_EFAIL;
    if (!st && r->q.stars.n > 0) {
        st = ph_resid_keys(h, &s, "decorrelated");
        if (!st)
            st = ph_fits_update_keys(&r->out, "DECORR_DIFF", h);
        if (!st)
            st = ph_startab_write(&r->out, &r->q.stars);
        /* nothing silently wrong: stars well above the noise are said */
        if (!st && s.nstars >= 3 && s.zmed > 5)
            ph_warn("%s: static stars are not subtracted to the noise: median max|z| %.1f over "
                    "%ld stars (about 2 when they are; see RESZMED)",
                    r->o->output, s.zmed, s.nstars);
        else if (!st)
            ph_info("static stars: %ld measured (S/N >= %g), median max|z| %.2f, 90th percentile "
                    "%.2f",
                    s.nstars, s.snr_min, s.zmed, s.zp90);
    }
    if (!st && r->o->quicklook)
        st = dc_quality_png(&r->q, &s, r->o->quicklook);
    ph_header_free(h);
    ph_timing_end();
    return st;
}

