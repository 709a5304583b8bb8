/* image.c -- the image ph-psf places the PSF on: only its header and size
 * for the models that need no pixels (roman, gaussian, file, a25; a
 * .fits.gz is streamed, not inflated), its sky-subtracted pixels and bad
 * pixels for the ePSF of its stars; and the target on it: the position
 * through its WCS, its band, detector and pointing.
 */
#include "steps.h"

#include "sci/background.h"
#include "io/fits.h"
#include "io/fitsscan.h"
#include "io/image.h"
#include "base/log.h"
#include "base/util.h"
#include "io/wcs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void psf_image_free(image *im)
{
    ph_header_free(im->hdr);
    free(im->sci);
    free(im->bad);
    memset(im, 0, sizeof *im);
}

/* Header and size only (roman, file). */
static int read_header(const char *path, image *im)
{
    /* streamed: a .fits.gz is not inflated into memory for its header */
    int st = ph_fitsscan_read(path, "SCI", &im->nx, &im->ny, &im->hdr);
    if (!st)
        ph_header_meta_from(im->hdr, path, &im->meta);
    return st;
}

/* The n pixels into im->sci, and im->bad: where mask (may be NULL) has
 * one of `bits`, or the pixel is not finite. */
static int copy_pixels(image *im, const float *sci, const uint8_t *mask, uint8_t bits, long n)
{
    im->sci = ph_malloc((size_t)n * sizeof(float), "image");
    im->bad = ph_malloc((size_t)n, "mask");
    if (!im->sci || !im->bad)
        return PH_EFAIL;
    memcpy(im->sci, sci, (size_t)n * sizeof(float));
    for (long i = 0; i < n; i++)
        im->bad[i] = (mask && (mask[i] & bits)) || !isfinite(sci[i]);
    return PH_OK;
}

/* Pixels for epsf: a ph image as it is, an input image sky-subtracted here. */
static int read_pixels(const char *path, image *im)
{
    ph_fits fp;
    if (ph_fits_open(&fp, path))
        return PH_EFAIL;
    int is_ph = ph_fits_has_hdu(&fp, "SCI") && ph_fits_has_hdu(&fp, "VAR") &&
                ph_fits_has_hdu(&fp, "MASK");
    ph_fits_close(&fp);
    long n = 0;
    int st;
    if (is_ph) {
        ph_image pi = {0};
        st = ph_image_read(path, PH_PLANE_SCI | PH_PLANE_MASK, &pi);
        if (st)
            return st;
        im->nx = pi.nx, im->ny = pi.ny, im->hdr = pi.hdr, im->meta = pi.meta;
        n = pi.nx * pi.ny;
        st = copy_pixels(im, pi.sci, pi.mask, PH_MASK_BAD | PH_MASK_OUTSIDE, n);
        pi.hdr = NULL;
        ph_image_free(&pi);
        if (st)
            return st;
        im->rms = im->meta.skyrms;
    } else {
        ph_input_lite in = {0};
        ph_input_opts io = {0};
        st = ph_image_input_read_lite(path, &io, PH_NOISE_NO, &in);
        if (st)
            return st;
        im->nx = in.nx, im->ny = in.ny, im->hdr = in.hdr, im->meta = in.meta;
        in.hdr = NULL;
        n = in.nx * in.ny;
        st = copy_pixels(im, in.sci, in.flagged, 0xff, n);
        ph_image_input_lite_free(&in);
        if (st)
            return st;
        im->rms = NAN;
    }
    /* Subtract the background (input images) and measure the sky rms. */
    ph_bkg *bkg = NULL;
    if (im->nx < 64 || im->ny < 64)
        return ph_error(PH_EFAIL, path, "image of %ldx%ld is too small for an empirical PSF",
                        im->nx, im->ny);
    st = ph_bkg_make(im->sci, im->bad, 1, im->nx, im->ny, 64, 64, 3, 3, &bkg);
    if (st)
        return st;
    if (!is_ph) {
        float *row = ph_malloc((size_t)im->nx * sizeof *row, "background row");
        if (!row) {
            ph_bkg_free(bkg);
            return PH_EFAIL;
        }
        for (long y = 0; y < im->ny; y++) {
            ph_bkg_row(bkg, PH_BKG_BACK, y, row);
            for (long x = 0; x < im->nx; x++)
                im->sci[y * im->nx + x] -= row[x];
        }
        free(row);
    }
    if (!(im->rms > 0))
        im->rms = ph_bkg_globalrms(bkg);
    ph_bkg_free(bkg);
    return PH_OK;
}

int psf_image_read(const params *p, const char *path, image *im, int *small)
{
    *small = 0;
    if (p->model != M_EPSF && p->model != M_AUTO && p->model != M_ROMANFIT)
        return read_header(path, im);
    int st = read_pixels(path, im);
    /* auto: an image too small for an ePSF is read for its header */
    if (st && p->model == M_AUTO && im->nx > 0 && (im->nx < 64 || im->ny < 64)) {
        ph_error_clear();
        *small = 1;
        st = PH_OK;
    }
    return st;
}

int psf_target(const params *p, const image *im, const char *path, target *t)
{
    double x0 = p->x, y0 = p->y, ra = p->ra, dec = p->dec;
    ph_wcs *w = NULL;
    int st = PH_OK;
    int havewcs = !ph_wcs_from_header(im->hdr, path, &w);
    char why[600] = "no usable WCS";
    if (!havewcs) { /* kept to name a bad WCS, not just "no WCS" */
        ph_strlcpy(why, ph_error_message(), sizeof why);
        ph_error_clear();
    }
    if (p->have_ra) {
        if (!havewcs)
            st = ph_error(PH_EFAIL, path, "%s: cannot place RA, Dec (or give --x --y)", why);
        else if (ph_wcs_sky2pix(w, 1, &ra, &dec, &x0, &y0) || !isfinite(x0) || !isfinite(y0))
            st = ph_error(PH_EFAIL, path, "RA %.8g, Dec %.8g cannot be placed on the image", ra,
                          dec);
    } else if (havewcs)
        ph_wcs_pix2sky(w, 1, &x0, &y0, &ra, &dec);
    else
        ra = dec = NAN;
    ph_wcs_free(w);
    if (!st && !(x0 >= -0.5 && x0 < im->nx - 0.5 && y0 >= -0.5 && y0 < im->ny - 0.5))
        st = ph_error(PH_EFAIL, path, "position (%.3f, %.3f) is off the %ldx%ld image", x0, y0,
                      im->nx, im->ny);
    *t = (target){.path = path,
                  .band = p->band ? p->band : im->meta.band,
                  .sca = p->sca >= 0 ? p->sca : im->meta.sca,
                  .pointing = p->pointing ? p->pointing : im->meta.obsid,
                  .x0 = x0, .y0 = y0, .ra = ra, .dec = dec};
    return st;
}
