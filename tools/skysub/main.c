/* ph-skysub -- sky-subtract one image the way phrosty does (SExtractor's
 * detection, SEP's background of the masked image), and write a ph image:
 * SCI (image - sky), VAR, MASK (DETECTED = SFFT's detection mask, BAD),
 * with SKYRMS, SKYLEVEL, SKYDIP, SKYPEAK and the settings in the header.
 *
 * main.c: options, read, run, write. The work is in skysub.c (steps),
 * detmask.c, variance.c; the detector's numbers in detector.c, the product
 * in output.c, --check-images in checkimg.c, --print-meta in printmeta.c;
 * the algorithms in common/sci/background.c and common/detect*.c.
 */
#include "checkimg.h"
#include "base/cli.h"
#include "detector.h"
#include "io/fits.h"
#include "io/image.h"
#include "base/log.h"
#include "output.h"
#include "base/planealloc.h"
#include "printmeta.h"
#include "skysub.h"
#include "base/timing.h"
#include "ui.h"
#include "base/util.h"
#include "variance.h"
#include "work.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void default_output(const char *input, char *out, size_t size)
{
    char stem[512];
    ph_path_stem(input, stem, sizeof stem);
    snprintf(out, size, "%s_skysub.fits", stem);
}

static int run(skysub_ui *c, const char *input)
{
    char outbuf[1024];
    const char *output = c->output;
    if (!output) {
        default_output(input, outbuf, sizeof outbuf);
        output = outbuf;
    }
    /* The noise plane is read only when the variance may need it. */
    int want_noise = c->variance == VAR_NOISE  ? PH_NOISE_YES
                     : c->variance == VAR_AUTO ? PH_NOISE_UNLESS_OU
                                               : PH_NOISE_NO;
    ph_input_lite in;
    ph_timing_begin("read");
    ph_fits_scratch_beside(output); /* a .fits.gz inflates beside the output */
    int st = ph_image_input_read_lite(input, &c->in, want_noise, &in);
    /* a streamed image's names, ids and pointing come from --name */
    if (!st && c->name)
        ph_header_meta_from(in.hdr, c->name, &in.meta);
    ph_timing_end();
    if (st)
        return st;
    var_kind vk = c->variance;
    double gain, rn;
    if ((st = skysub_noise_model(input, c->in.noise_hdu, c->gain, c->read_noise, &in, &vk, &gain,
                                 &rn))) {
        ph_image_input_lite_free(&in);
        return st;
    }
    skysub_params p = c->p;
    p.saturation = skysub_saturation(input, p.saturation, &in, rn);
    p.keep_seg = c->check_dir != NULL;

    uint8_t *mask = NULL;
    float *var = NULL;
    skysub_result r = {0};
    st = skysub_work(input, output, c->check_dir, &in, &p, vk, gain, rn, &mask, &var, &r);
    if (!st)
        st = skysub_write(output, &in, var, mask, &r, &p, vk, gain, rn);
    skysub_result_free(&r);
    ph_plane_free(var);
    ph_plane_free(mask);
    ph_image_input_lite_free(&in);
    return st;
}

int main(int argc, char **argv)
{
    skysub_ui c;
    skysub_ui_init(&c);
    ph_cli cli = {
        .tool = "ph-skysub",
        .usage = "[OPTION]... IMAGE",
        .summary = "Sky-subtract an image as phrosty does, with its detection mask.",
        .description =
            "Detects sources as SExtractor does with phrosty's settings (3x3 filter,\n"
            "1.5 sigma, 5 pixels, deblending, cleaning), computes the sky as SEP does\n"
            "on the image with every detected segment masked, and writes a ph image:\n"
            "SCI = image - sky, VAR (see --variance), MASK (1 = in the detection mask:\n"
            "segments of objects with FLUX_RADIUS > --radius-cut grown by --dilate;\n"
            "2 = flagged, saturated or not finite). Header: SKYRMS (median of the sky\n"
            "rms map, phrosty's sky_rms), SKYLEVEL, SKYDIP, SKYPEAK, the settings.\n"
            "IMAGE: OpenUniverse2024 FITS (.fits or .fits.gz), phrosty's threefile\n"
            "PATH (PATH_image.fits ...), or any FITS image (--hdu).",
        .example = "ph-skysub -o sci.fits Roman_TDS_simple_model_Y106_35198_2.fits.gz",
        .opts = skysub_options,
        .pos_in = 1,
        .handle = skysub_ui_handle,
        .ctx = &c,
    };
    int st = ph_cli_parse(&cli, argc, argv);
    if (!st && cli.npos != 1)
        st = ph_error(PH_EUSAGE, NULL, "expected one input image, got %d (try --help)",
                      cli.npos);
    if (!st && !strcmp(cli.pos[0], "-") && !c.output && !c.print_meta)
        st = ph_error(PH_EUSAGE, NULL, "the image is standard input: give -o FILE (- for "
                                       "standard output)");
    if (!st && c.print_meta)
        st = skysub_print_meta(cli.pos[0], c.name);
    else if (!st)
        st = run(&c, cli.pos[0]);
    return ph_cli_exit(&cli, st);
}
