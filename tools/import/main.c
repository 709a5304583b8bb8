/* ph-import -- make a ph image (and a PSF stamp) from plain FITS files:
 * an image, its noise or variance, a bad-pixel mask, a detection mask and a
 * PSF, as data from other telescopes come (e.g. JWST: i2d image, ERR map,
 * WebbPSF model). The result feeds ph-subtract directly when the images
 * already share a pixel grid.
 *
 * main: options, read the planes (read.c), build (import.c), write. */
#include "base/cli.h"
#include "io/fits.h"
#include "import.h"
#include "base/log.h"
#include "io/image.h"
#include "io/psfstamp.h"
#include "read.h"
#include "base/timing.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { K_HDU = 256, K_NOISE, K_VAR, K_MASK, K_DET, K_PSF, K_PSFSIZE, K_PSFOUT, K_SKYRMS,
       K_NANOUT, K_BAND, K_MJD, K_ZPT };

typedef struct opts {
    const char *hdu, *noise, *var, *mask, *det, *psf, *psf_out, *output, *band;
    long psf_size;
    double skyrms, mjd, zpt;
    int nan_outside;
} opts;

static const ph_opt options[] = {
    {"output", 'o', "FILE", "the ph image to write", "", .flags = PH_OPT_OUT},
    {"hdu", K_HDU, "HDU", "image HDU, name or number (default: the first 2-D image)", "", .flags = 0},
    {"noise", K_NOISE, "FILE", "noise (1-sigma) map: VAR = noise^2", "", .flags = PH_OPT_IN},
    {"var", K_VAR, "FILE", "variance map (instead of --noise)", "", .flags = PH_OPT_IN},
    {"mask", K_MASK, "FILE", "bad-pixel mask: non-zero pixels are BAD", "", .flags = PH_OPT_IN},
    {"detmask", K_DET, "FILE", "detection mask: non-zero pixels are DETECTED (the SFFT fitting "
                               "pixels); all or none (default all)", "", .flags = PH_OPT_IN},
    {"psf", K_PSF, "FILE", "PSF model (odd square): written as the PSF HDU, sum 1", "", .flags = PH_OPT_IN},
    {"psf-size", K_PSFSIZE, "N", "crop the PSF to N x N around its centre (odd)", "", .flags = 0},
    {"psf-out", K_PSFOUT, "FILE", "also write the PSF as a stamp file (ph-psf's format)", "", .flags = PH_OPT_OUT},
    {"skyrms", K_SKYRMS, "X", "sky rms for SKYRMS (default: median noise, or the image's "
                              "robust sigma)", "", .flags = 0},
    {"nan-outside", K_NANOUT, NULL, "NaN image pixels are OUTSIDE (no data), not BAD", "", .flags = 0},
    {"band", K_BAND, "NAME", "band (default: the FILTER key)", "", .flags = 0},
    {"mjd", K_MJD, "MJD", "MJD of the exposure (default: MJD-OBS)", "", .flags = 0},
    {"zpt", K_ZPT, "MAG", "AB zero point (default: ZPT, else from the band)", "", .flags = 0},
    {0},
};

static int handle(ph_cli *cli, int key, const char *arg)
{
    opts *o = cli->ctx;
    switch (key) {
    case 'o':
        o->output = arg;
        return PH_OK;
    case K_HDU:
        o->hdu = arg;
        return PH_OK;
    case K_NOISE:
        o->noise = arg;
        return PH_OK;
    case K_VAR:
        o->var = arg;
        return PH_OK;
    case K_MASK:
        o->mask = arg;
        return PH_OK;
    case K_DET:
        o->det = arg;
        return PH_OK;
    case K_PSF:
        o->psf = arg;
        return PH_OK;
    case K_PSFSIZE:
        if (ph_cli_long(cli, arg, 3, 100001, &o->psf_size))
            return PH_EUSAGE;
        return o->psf_size % 2 ? PH_OK : ph_cli_bad(cli, "%ld is even; the PSF size must be odd",
                                                    o->psf_size);
    case K_PSFOUT:
        o->psf_out = arg;
        return PH_OK;
    case K_SKYRMS:
        if (ph_cli_double(cli, arg, &o->skyrms))
            return PH_EUSAGE;
        return o->skyrms > 0 && isfinite(o->skyrms) ? PH_OK
                                                     : ph_cli_bad(cli, "%s is not positive", arg);
    case K_NANOUT:
        o->nan_outside = 1;
        return PH_OK;
    case K_BAND:
        o->band = arg;
        return PH_OK;
    case K_MJD:
        return ph_cli_double(cli, arg, &o->mjd);
    case K_ZPT:
        return ph_cli_double(cli, arg, &o->zpt);
    }
    return ph_cli_bad(cli, "unexpected option");
}

static int run(const opts *o, const char *input)
{
    ph_fits fp;
    ph_image img;
    memset(&img, 0, sizeof img);
    double *image = NULL, *noise = NULL, *var = NULL, *bad = NULL, *det = NULL;
    ph_psf psf;
    memset(&psf, 0, sizeof psf);
    ph_import_out out;
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
        ph_import_planes in = {nx, ny, image, noise, var, bad, det, det_all,
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
    opts o;
    memset(&o, 0, sizeof o);
    o.mjd = o.zpt = NAN;
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
        .opts = options,
        .pos_in = 1,
        .handle = handle,
        .ctx = &o,
    };
    int st = ph_cli_parse(&cli, argc, argv);
    if (st < 0)
        return 0;
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
    if (cli.timing)
        ph_timing_report();
    ph_cli_free(&cli);
    return st ? ph_report_error() : 0;
}
