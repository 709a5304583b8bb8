/* ph-skysub -- sky-subtract one image the way phrosty does (SExtractor's
 * detection, SEP's background of the masked image), and write a ph image:
 * SCI (image - sky), VAR, MASK (DETECTED = SFFT's detection mask, BAD),
 * with SKYRMS, SKYLEVEL, SKYDIP, SKYPEAK and the settings in the header.
 *
 * main.c: options, read, run, write. The work is in skysub.c (steps),
 * detmask.c, variance.c; the detector's numbers in detector.c, the product
 * in output.c, --check-images in checkimg.c, --print-meta in printmeta.c;
 * the algorithms in common/background.c and common/detect*.c.
 */
#include "checkimg.h"
#include "cli.h"
#include "detector.h"
#include "fits.h"
#include "inimage.h"
#include "log.h"
#include "output.h"
#include "phimage.h"
#include "plane.h"
#include "printmeta.h"
#include "skysub.h"
#include "timing.h"
#include "util.h"
#include "variance.h"
#include "work.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum {
    O_OUTPUT = 'o', O_HDU = 256, O_NOISE_HDU, O_FLAGS_HDU, O_BACK_SIZE, O_BACK_FILTERSIZE,
    O_DETECT_THRESH, O_DETECT_MINAREA, O_DEBLEND_NTHRESH, O_DEBLEND_MINCONT, O_CLEAN,
    O_CLEAN_PARAM, O_RADIUS_CUT, O_DILATE, O_SATURATION, O_VARIANCE, O_GAIN, O_READ_NOISE,
    O_CHECK_IMAGES, O_NAME, O_PRINT_META,
};

static const ph_opt opts[] = {
    {"output", O_OUTPUT, "FILE", "output ph image (default: STEM_skysub.fits here)", NULL,
     PH_OPT_OUT},
    {"hdu", O_HDU, "HDU", "image HDU, name or number (default: SCI, else the first image)",
     NULL, 0},
    {"noise-hdu", O_NOISE_HDU, "HDU", "noise HDU, or none (default: ERR if present)", NULL, 0},
    {"flags-hdu", O_FLAGS_HDU, "HDU", "flags HDU (0 = good), or none (default: DQ if present)",
     NULL, 0},
    {"back-size", O_BACK_SIZE, "N", "background mesh, pixels (64)", NULL, 0},
    {"back-filtersize", O_BACK_FILTERSIZE, "N", "background median filter, meshes (3)", NULL, 0},
    {"detect-thresh", O_DETECT_THRESH, "X", "detection threshold, sigmas of the rms (1.5)", NULL, 0},
    {"detect-minarea", O_DETECT_MINAREA, "N", "minimum object area, pixels (5)", NULL, 0},
    {"deblend-nthresh", O_DEBLEND_NTHRESH, "N", "deblending sub-thresholds (32; 1 = none)",
     NULL, 0},
    {"deblend-mincont", O_DEBLEND_MINCONT, "X", "deblending minimum contrast (0.005)", NULL, 0},
    {"clean", O_CLEAN, NULL, "merge spurious detections as SExtractor's CLEAN (default on)", NULL,
     PH_OPT_BOOL},
    {"clean-param", O_CLEAN_PARAM, "X", "CLEAN_PARAM, Moffat beta of the wings (1.0)", NULL, 0},
    {"radius-cut", O_RADIUS_CUT, "X|none",
     "detection mask: objects with FLUX_RADIUS > X px (2); none = every segment",
     "photometry.phrosty.sfft.radius_cut_detmask", 0},
    {"dilate", O_DILATE, "N", "detection mask: 4-connected dilations (2)", NULL, 0},
    {"saturation", O_SATURATION, "X|none",
     "saturation level, ADU (default: header SATURATE; OpenUniverse2024 files: its clip, 1e5 e-, "
     "minus 5 read-noise rms; else none)",
     NULL, 0},
    {"variance", O_VARIANCE, "KIND", "auto|physical|phrosty|noise|model (auto)", NULL, 0},
    {"gain", O_GAIN, "X", "gain, e-/ADU (default: header GAIN; 1 for OpenUniverse2024)", NULL, 0},
    {"read-noise", O_READ_NOISE, "X",
     "read noise, e- (default: header RDNOISE; 8.5 for OpenUniverse2024)", NULL, 0},
    {"check-images", O_CHECK_IMAGES, "DIR", "also write the sky, rms, segmentation and catalogue",
     NULL, PH_OPT_DIR},
    {"name", O_NAME, "NAME", "the image's file name when IMAGE is - (standard input): PH_NAME, "
                             "PH_ID, an OpenUniverse2024 pointing", "", 0},
    {"print-meta", O_PRINT_META, NULL, "print the image's band, observation_id, sca and mjd as "
                                       "the tools read them, and exit", "", 0},
    {NULL, 0, NULL, NULL, NULL, 0},
};

typedef struct ctx {
    const char *output;
    ph_input_opts in;
    skysub_params p;
    var_kind variance;
    double gain, read_noise;
    const char *check_dir;
    const char *name; /* --name: the file name of a streamed image */
    int print_meta;
} ctx;

static int parse_none_or_double(ph_cli *cli, const char *arg, double lo, double hi, double *out)
{
    if (arg && !strcmp(arg, "none")) {
        *out = NAN;
        return PH_OK;
    }
    return ph_cli_double_range(cli, arg, lo, hi, out);
}

/* A whole number into an int field. */
static int cli_int(ph_cli *cli, const char *arg, long lo, long hi, int *out)
{
    long l;
    if (ph_cli_long(cli, arg, lo, hi, &l))
        return PH_EUSAGE;
    *out = (int)l;
    return PH_OK;
}

static int handle(ph_cli *cli, int key, const char *arg)
{
    ctx *c = cli->ctx;
    int i, st;
    switch (key) {
    case O_OUTPUT: c->output = arg; return PH_OK;
    case O_HDU: c->in.hdu = arg; return PH_OK;
    case O_NOISE_HDU: c->in.noise_hdu = arg; return PH_OK;
    case O_FLAGS_HDU: c->in.flags_hdu = arg; return PH_OK;
    case O_BACK_SIZE: return cli_int(cli, arg, 1, 1000000, &c->p.back_size);
    case O_BACK_FILTERSIZE: return cli_int(cli, arg, 1, 63, &c->p.back_filtersize);
    case O_DETECT_THRESH: return ph_cli_double_range(cli, arg, 1e-6, 1e6, &c->p.detect_thresh);
    case O_DETECT_MINAREA: return cli_int(cli, arg, 1, 100000000, &c->p.detect_minarea);
    case O_DEBLEND_NTHRESH: return cli_int(cli, arg, 1, 64, &c->p.deblend_nthresh);
    case O_DEBLEND_MINCONT: return ph_cli_double_range(cli, arg, 0, 1, &c->p.deblend_mincont);
    case O_CLEAN: return ph_cli_bool(cli, arg, &c->p.clean);
    case O_CLEAN_PARAM: return ph_cli_double_range(cli, arg, 0.1, 10, &c->p.clean_param);
    case O_RADIUS_CUT: return parse_none_or_double(cli, arg, 0, 1e6, &c->p.radius_cut);
    case O_DILATE: return cli_int(cli, arg, 0, 250, &c->p.ndilate);
    case O_SATURATION:
        st = parse_none_or_double(cli, arg, -1e30, 1e30, &c->p.saturation);
        if (!st && isnan(c->p.saturation))
            c->p.saturation = -INFINITY; /* "none": not even the header's */
        return st;
    case O_VARIANCE: {
        static const var_kind kinds[] = {VAR_AUTO, VAR_PHYSICAL, VAR_NOISE, VAR_NOISE,
                                         VAR_MODEL};
        if (!(st = ph_cli_choice(cli, arg, "auto|physical|phrosty|noise|model", &i)))
            c->variance = kinds[i];
        return st;
    }
    case O_GAIN: return ph_cli_double_range(cli, arg, 1e-6, 1e6, &c->gain);
    case O_READ_NOISE: return ph_cli_double_range(cli, arg, 0, 1e6, &c->read_noise);
    case O_CHECK_IMAGES: c->check_dir = arg; return PH_OK;
    case O_NAME: c->name = arg; return PH_OK;
    case O_PRINT_META: c->print_meta = 1; return PH_OK;
    }
    return ph_cli_bad(cli, "unexpected option");
}

static void default_output(const char *input, char *out, size_t size)
{
    char stem[512];
    ph_path_stem(input, stem, sizeof stem);
    snprintf(out, size, "%s_skysub.fits", stem);
}

static int run(ctx *c, const char *input)
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
    int st = ph_inimage_read_lite(input, &c->in, want_noise, &in);
    /* a streamed image's names, ids and pointing come from --name */
    if (!st && c->name)
        ph_meta_from_header(in.hdr, c->name, &in.meta);
    ph_timing_end();
    if (st)
        return st;
    var_kind vk = c->variance;
    double gain, rn;
    if ((st = skysub_noise_model(input, c->in.noise_hdu, c->gain, c->read_noise, &in, &vk, &gain,
                                 &rn))) {
        ph_inimage_lite_free(&in);
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
    ph_inimage_lite_free(&in);
    return st;
}

int main(int argc, char **argv)
{
    ctx c = {0};
    skysub_defaults(&c.p);
    c.variance = VAR_AUTO;
    c.gain = c.read_noise = NAN;
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
        .opts = opts,
        .pos_in = 1,
        .handle = handle,
        .ctx = &c,
    };
    int st = ph_cli_parse(&cli, argc, argv);
    if (st < 0)
        return 0;
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
    if (cli.timing)
        ph_timing_report();
    ph_cli_free(&cli);
    return st ? ph_report_error() : 0;
}
