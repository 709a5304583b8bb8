/* ph-import -- make a ph image (and a PSF stamp) from plain FITS files:
 * an image, its noise or variance, a bad-pixel mask, a detection mask and a
 * PSF, as data from other telescopes come (e.g. JWST: i2d image, ERR map,
 * WebbPSF model). The result feeds ph-subtract directly when the images
 * already share a pixel grid.
 *
 * main: read the planes (read.c), build (import.c), write; the options
 * are ui.c's. */
#include "base/cli.h"
#include "io/fits.h"
#include "import.h"
#include "base/log.h"
#include "io/image.h"
#include "io/psfstamp.h"
#include "read.h"
#include "base/timing.h"
#include "ui.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int run(const import_ui *o, const char *input)
{
    ph_fits fp;
    ph_image img;
    memset(&img, 0, sizeof img);
    double *image = NULL, *noise = NULL, *var = NULL, *bad = NULL, *det = NULL;
    ph_psf psf;
    memset(&psf, 0, sizeof psf);
    import_out out;
    memset(&out, 0, sizeof out);
    long nx = 0, ny = 0;
    ph_timing_begin("read");
    if (ph_fits_open(&fp, input))
        return PH_EFAIL;
    int st = o->hdu ? ph_fits_goto(&fp, o->hdu) : ph_fits_goto_first_image(&fp);
    if (!st)
        st = ph_fits_read_double(&fp, &nx, &ny, &image);
    if (!st)
        st = ph_fits_read_header(&fp, &img.hdr);
    ph_fits_close(&fp);
    int det_all = !o->det || !strcmp(o->det, "all"), det_none = o->det && !strcmp(o->det, "none");
    if (!st)
        st = import_read_plane(o->noise, nx, ny, &noise);
    if (!st)
        st = import_read_plane(o->var, nx, ny, &var);
    if (!st)
        st = import_read_plane(o->mask, nx, ny, &bad);
    if (!st && !det_all && !det_none)
        st = import_read_plane(o->det, nx, ny, &det);
    if (!st) {
        ph_header_meta_from(img.hdr, input, &img.meta);
        if (o->band)
            ph_strlcpy(img.meta.band, o->band, sizeof img.meta.band);
        if (!isnan(o->mjd))
            img.meta.mjd = o->mjd;
        if (!isnan(o->zpt))
            img.meta.zpt = o->zpt;
    }
    if (!st && o->psf)
        st = import_read_psf(o->psf, o->psf_size, img.meta.band, &psf);
    if (!st) {
        ph_timing_begin("build");
        import_planes in = {nx, ny, image, noise, var, bad, det, det_all,
                               o->nan_outside, o->skyrms};
        if ((st = import_build(&in, &out))) /* name the input in the message */
            ph_error_context(input, NULL);
    }
    free(image);
    free(noise);
    free(var);
    free(bad);
    free(det);
    if (!st) {
        ph_info("%ldx%ld: %ld DETECTED, %ld BAD, %ld OUTSIDE; SKYRMS %.6g (%s)", nx, ny, out.ndet,
                out.nbad, out.noutside, out.skyrms, out.skyrms_src);
        if (!out.ndet)
            ph_warn("%s: no pixel is DETECTED: ph-subtract needs a detection mask to fit", input);
        img.nx = nx;
        img.ny = ny;
        img.sci = out.sci;
        img.var = out.var;
        img.mask = out.mask;
        img.meta.skyrms = out.skyrms;
        img.psf = psf.data;
        img.psf_size = psf.n;
        st = ph_header_set_str(img.hdr, "SKYRMSSR", out.skyrms_src, "where SKYRMS came from");
        st |= ph_header_set_str(img.hdr, "IMPFROM", ph_path_basename(input), "ph-import input");
        if (o->noise || o->var)
            st |= ph_header_set_str(img.hdr, "IMPNOISE", ph_path_basename(o->noise ? o->noise : o->var),
                                    o->noise ? "noise map" : "variance map");
        if (st)
            st = ph_error(PH_EFAIL, input, "cannot build the header");
    }
    ph_timing_begin("write");
    if (!st && o->psf_out)
        st = ph_psfstamp_write(o->psf_out, &psf);
    if (!st && (st = ph_image_write(o->output, &img)) && o->psf_out)
        remove(o->psf_out); /* no half product */
    ph_timing_end();
    img.sci = img.var = NULL;
    img.mask = NULL;
    img.psf = NULL;
    ph_image_free(&img);
    import_out_free(&out);
    ph_psfstamp_free(&psf);
    return st;
}

int main(int argc, char **argv)
{
    import_ui o;
    import_ui_init(&o);
    ph_cli cli = {
        .tool = "ph-import",
        .usage = "[OPTION]... IMAGE -o OUT.fits",
        .summary = "Make a ph image from plain FITS files (image, noise, masks, PSF).",
        .description =
            "The image keeps its header (WCS and metadata). VAR is the square of --noise or\n"
            "--var (a constant SKYRMS^2 without either); MASK is BAD where the image is NaN,\n"
            "the noise is not positive or --mask is non-zero, DETECTED where --detmask is\n"
            "non-zero (every good pixel by default). --psf becomes the PSF HDU, normalised.",
        .example = "ph-import sci_i2d.fits --noise sci_err.fits --detmask fitmask.fits --psf "
                   "sci_webbpsf.fits --psf-out sci_psf.fits -o sci.fits",
        .opts = import_options,
        .pos_in = 1,
        .handle = import_ui_handle,
        .ctx = &o,
    };
    int st = ph_cli_parse(&cli, argc, argv);
    if (!st && cli.npos != 1)
        st = ph_error(PH_EUSAGE, NULL, "expected one IMAGE (try --help)");
    if (!st && !o.output)
        st = ph_error(PH_EUSAGE, NULL, "-o OUT.fits is required");
    if (!st && o.noise && o.var)
        st = ph_error(PH_EUSAGE, NULL, "give --noise or --var, not both");
    if (!st && o.psf_out && !o.psf)
        st = ph_error(PH_EUSAGE, NULL, "--psf-out needs --psf");
    if (!st && o.psf_size && !o.psf)
        st = ph_error(PH_EUSAGE, NULL, "--psf-size needs --psf");
    if (!st)
        st = run(&o, cli.pos[0]);
    return ph_cli_exit(&cli, st);
}
