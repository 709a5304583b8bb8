/* diffio.c -- see diffio.h. */
#include "diffio.h"
#include "pair.h"
#include "io/fits.h"
#include "io/fitsscan.h"
#include "base/log.h"
#include "io/stream.h"
#include "io/image.h"
#include "base/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const planes[] = {"DIFF", "CSCI", "SCI_VAR", "REF_VAR", "MASK"};

/* A file cut short (an interrupted copy) shows as its last HDU's data
 * ending beyond the end of the file: FITS standard data size
 * |BITPIX|/8 GCOUNT (PCOUNT + NAXIS1 ... NAXISn), the final padding not
 * required. Say so before anything else, rather than "no HDU" or a read
 * error after the heavy work. (A truncated .gz fails when it is read.) */
static int check_complete(ph_fits *fp, const char *path)
{
    int n = 0, status = 0;
    LONGLONG head, start, end, bitpix = 0, naxis = 0, pcount = 0, gcount = 1, count = 1;
    struct stat sb;
    ffthdu(fp->f, &n, &status);
    const char *real = ph_stream_in(path); /* "-": the copy of standard input */
    if (status || n < 1 || !real || stat(real, &sb) ||
        ph_fitsscan_is_gzip(path)) { /* size on disk says nothing */
        fits_clear_errmsg();
        return PH_OK; /* the checks that follow say what is wrong */
    }
    ffmahd(fp->f, n, NULL, &status);
    ffghadll(fp->f, &head, &start, &end, &status);
    ffgkyjj(fp->f, "BITPIX", &bitpix, NULL, &status);
    ffgkyjj(fp->f, "NAXIS", &naxis, NULL, &status);
    for (int i = 1; i <= naxis && !status; i++) {
        char key[16];
        LONGLONG v = 0;
        snprintf(key, sizeof key, "NAXIS%d", i);
        ffgkyjj(fp->f, key, &v, NULL, &status);
        count *= v;
    }
    int opt = 0; /* optional keys */
    ffgkyjj(fp->f, "PCOUNT", &pcount, NULL, &opt);
    opt = 0;
    ffgkyjj(fp->f, "GCOUNT", &gcount, NULL, &opt);
    fits_clear_errmsg();
    if (status)
        return ph_error(PH_EFAIL, path, "HDU %d cannot be read: the file is truncated or corrupt",
                        n - 1);
    LONGLONG bytes = naxis ? (bitpix < 0 ? -bitpix : bitpix) / 8 * gcount * (pcount + count) : 0;
    if ((LONGLONG)sb.st_size < start + bytes)
        return ph_error(PH_EFAIL, path, "the file is truncated: HDU %d needs %lld bytes, the file "
                        "has %lld", n - 1, (long long)(start + bytes), (long long)sb.st_size);
    return PH_OK;
}

/* Every full plane exists and has DIFF's size. */
static int check_planes(ph_fits *fp, dc_input *in)
{
    if (check_complete(fp, in->path))
        return PH_EFAIL;
    for (size_t i = 0; i < sizeof planes / sizeof *planes; i++) {
        long nx, ny;
        if (!ph_fits_has_hdu(fp, planes[i]))
            return ph_error(PH_EFAIL, in->path, "no %s HDU: not a difference file of ph-subtract",
                            planes[i]);
        if (ph_fits_goto(fp, planes[i]) || ph_fits_image_size(fp, &nx, &ny))
            return PH_EFAIL;
        if (i == 0) {
            in->nx = nx;
            in->ny = ny;
            if (ph_fits_read_header(fp, &in->hdr))
                return PH_EFAIL;
        } else if (nx != in->nx || ny != in->ny)
            return ph_error(PH_EFAIL, in->path, "%s is %ldx%ld but DIFF is %ldx%ld", planes[i], nx,
                            ny, in->nx, in->ny);
    }
    return PH_OK;
}

/* A PSF from `file` (its PSF HDU or first image) or from HDU `hdu` of the
 * difference file. */
static int read_psf(const dc_input *in, ph_fits *fp, const char *file, const char *hdu,
                    const char *option, ph_psf *p)
{
    if (file)
        return ph_psfstamp_read(file, NULL, p);
    if (!ph_fits_has_hdu(fp, hdu))
        return ph_error(PH_EFAIL, in->path, "no %s HDU; give the PSF with %s FILE", hdu, option);
    return ph_psfstamp_read(in->path, hdu, p);
}

/* The science PSF at the transient's sub-pixel phase: --target-psf (its
 * PHASED_PSF HDU when it has one, so that ph-psf's file serves as it is),
 * else by default the PHASED_PSF HDU of --science-psf's file or of the
 * difference file. None with --centred-psf or --conv-psf. */
static int read_target(dc_input *in, ph_fits *fp, const dc_sources *src)
{
    const char *file = src->target_psf;
    if (file) {
        if (ph_psfstamp_read_phased(file, &in->target))
            return PH_EFAIL;
        snprintf(in->target_src, sizeof in->target_src, "%s", ph_path_basename(file));
        return in->target.data ? PH_OK : ph_psfstamp_read(file, NULL, &in->target);
    }
    if (src->centred || src->conv_psf)
        return PH_OK;
    if (src->sci_psf) {
        if (ph_psfstamp_read_phased(src->sci_psf, &in->target))
            return PH_EFAIL;
        snprintf(in->target_src, sizeof in->target_src, "%s[%s]", ph_path_basename(src->sci_psf),
                 PH_PSF_PHASED_HDU);
        return PH_OK;
    }
    snprintf(in->target_src, sizeof in->target_src, "HDU %s", PH_PSF_PHASED_HDU);
    return ph_fits_has_hdu(fp, PH_PSF_PHASED_HDU)
               ? ph_psfstamp_read(in->path, PH_PSF_PHASED_HDU, &in->target)
               : PH_OK;
}

static int read_match(dc_input *in, ph_fits *fp, const char *file)
{
    const char *where = file ? file : in->path;
    if (!file && !ph_fits_has_hdu(fp, "MATCH_KERNEL"))
        return ph_error(PH_EFAIL, in->path, "no MATCH_KERNEL HDU; give the matching kernel with "
                        "--match-kernel-file FILE");
    long nx, ny;
    if (ph_fits_load_double(where, file ? NULL : "MATCH_KERNEL", &nx, &ny, &in->match, NULL))
        return PH_EFAIL;
    if (nx != ny || nx % 2 == 0)
        return ph_error(PH_EFAIL, where, "matching kernel is %ldx%ld; it must be square and odd",
                        nx, ny);
    long first;
    if (dc_count_nonfinite(in->match, (size_t)nx * ny, &first))
        return ph_error(PH_EFAIL, where, "matching kernel has a non-finite value at pixel "
                        "(%ld, %ld)", first % nx, first / nx);
    in->n_match = nx;
    return PH_OK;
}

/* A sky rms: the option's value, else header key `key`. */
static int read_rms(const dc_input *in, double given, const char *key, const char *option,
                    double *out)
{
    if (!isnan(given)) {
        *out = given;
        return PH_OK;
    }
    int g = ph_header_get_double(in->hdr, key, out);
    if (g > 0)
        return ph_error(PH_EFAIL, in->path, "no %s key in the DIFF header; give the value with %s",
                        key, option);
    if (g < 0 || !isfinite(*out) || *out < 0)
        return ph_error(PH_EFAIL, in->path, "%s in the DIFF header is not a non-negative number; "
                        "give the value with %s", key, option);
    return PH_OK;
}

int dc_input_open(const char *path, const dc_sources *src, dc_input *in)
{
    memset(in, 0, sizeof *in);
    in->path = path;
    ph_fits fp;
    if (ph_fits_open(&fp, path))
        return PH_EFAIL;
    int st = check_planes(&fp, in);
    if (!st)
        st = read_psf(in, &fp, src->sci_psf, "SCI_PSF", "--science-psf", &in->sci);
    if (!st)
        st = read_psf(in, &fp, src->ref_psf, "REF_PSF", "--template-psf", &in->ref);
    if (!st && src->target_psf && src->conv_psf)
        st = ph_error(PH_EUSAGE, src->target_psf, "--target-psf and --conv-psf both give the "
                      "PSF of the difference; give one");
    if (!st && src->target_psf && src->centred)
        st = ph_error(PH_EUSAGE, src->target_psf, "--target-psf and --centred-psf contradict "
                      "each other; give one");
    if (!st)
        st = read_target(in, &fp, src);
    if (!st) {
        if (src->conv_psf)
            st = ph_psfstamp_read(src->conv_psf, NULL, &in->conv);
        else if (!src->sci_psf && !src->ref_psf && !in->target.data &&
                 ph_fits_has_hdu(&fp, "CONV_PSF"))
            st = ph_psfstamp_read(path, "CONV_PSF", &in->conv);
    }
    if (!st && src->use_match)
        st = read_match(in, &fp, src->match_file);
    if (!st)
        st = read_rms(in, src->rms_sci, "SKYRMS", "--science-rms", &in->rms_sci);
    if (!st)
        st = read_rms(in, src->rms_ref, "TPLRMS", "--template-rms", &in->rms_ref);
    long mx, my;
    if (!st && !(st = ph_fits_goto(&fp, "MASK")) && !(st = ph_fits_read_u8(&fp, &mx, &my, &in->mask)))
        st = ph_fits_read_header(&fp, &in->mask_hdr);
    ph_fits_close(&fp);
    if (st)
        dc_input_free(in);
    return st;
}

void dc_input_free(dc_input *in)
{
    ph_header_free(in->hdr);
    ph_psfstamp_free(&in->sci);
    ph_psfstamp_free(&in->ref);
    ph_psfstamp_free(&in->conv);
    ph_psfstamp_free(&in->target);
    free(in->match);
    free(in->mask);
    ph_header_free(in->mask_hdr);
    in->hdr = NULL;
    in->match = NULL;
    in->mask = NULL;
    in->mask_hdr = NULL;
}

int dc_input_plane(const dc_input *in, const char *hdu, int nonneg, double *buf, size_t *zeroed)
{
    ph_fits fp;
    *zeroed = 0;
    if (ph_fits_open(&fp, in->path))
        return PH_EFAIL;
    long nx, ny;
    int st = ph_fits_goto(&fp, hdu) || ph_fits_image_size(&fp, &nx, &ny) ? PH_EFAIL : PH_OK;
    if (!st && (nx != in->nx || ny != in->ny))
        st = ph_error(PH_EFAIL, in->path, "%s is %ldx%ld but DIFF is %ldx%ld", hdu, nx, ny, in->nx,
                      in->ny);
    if (!st) {
        int status = 0, anynul = 0;
        long first[2] = {1, 1};
        if (ffgpxv(fp.f, TDOUBLE, first, (LONGLONG)nx * ny, NULL, buf, &anynul, &status)) {
            char text[FLEN_STATUS];
            ffgerr(status, text);
            fits_clear_errmsg();
            st = ph_error(PH_EFAIL, in->path, "cannot read %s: the file is truncated or corrupt "
                          "(cfitsio: %s)", hdu, text);
        }
    }
    ph_fits_close(&fp);
    if (st)
        return st;
    size_t n = (size_t)nx * ny, nonfinite = 0, negative = 0;
    long first_nf = -1, first_neg = -1;
    for (size_t i = 0; i < n; i++) {
        int bad = !isfinite(buf[i]), neg = nonneg && buf[i] < 0;
        if (!bad && !neg)
            continue;
        if (in->mask && (in->mask[i] & (PH_MASK_BAD | PH_MASK_OUTSIDE))) {
            buf[i] = 0;
            (*zeroed)++;
        } else if (bad && nonfinite++ == 0)
            first_nf = (long)i;
        else if (!bad && negative++ == 0)
            first_neg = (long)i;
    }
    if (nonfinite)
        return ph_error(PH_EFAIL, in->path, "%s has %zu non-finite pixel%s not flagged BAD or "
                        "OUTSIDE in MASK (first at x0 = %ld, y0 = %ld); the FFT would spread them "
                        "over the whole image", hdu, nonfinite, nonfinite == 1 ? "" : "s",
                        first_nf % nx, first_nf / nx);
    if (negative)
        return ph_error(PH_EFAIL, in->path, "%s has %zu negative pixel%s not flagged BAD or "
                        "OUTSIDE in MASK (first at x0 = %ld, y0 = %ld); a variance cannot be "
                        "negative", hdu, negative, negative == 1 ? "" : "s", first_neg % nx,
                        first_neg / nx);
    return PH_OK;
}
