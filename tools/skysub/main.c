/* ph-skysub -- sky-subtract one image the way phrosty does (SExtractor's
 * detection, SEP's background of the masked image), and write a ph image:
 * SCI (image - sky), VAR, MASK (DETECTED = SFFT's detection mask, BAD),
 * with SKYRMS, SKYLEVEL, SKYDIP, SKYPEAK and the settings in the header.
 *
 * main.c: options, read, run, write. The work is in skysub.c (steps),
 * detmask.c, variance.c; the algorithms in common/background.c and
 * common/detect*.c.
 */
#include "bands.h"
#include "checkimg.h"
#include "cli.h"
#include "fits.h"
#include "fitshead.h"
#include "inimage.h"
#include "log.h"
#include "plane.h"
#include "phimage.h"
#include "skysub.h"
#include "stream.h"
#include "timing.h"
#include "util.h"
#include "variance.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    O_OUTPUT = 'o',
    O_HDU = 256,
    O_NOISE_HDU,
    O_FLAGS_HDU,
    O_BACK_SIZE,
    O_BACK_FILTERSIZE,
    O_DETECT_THRESH,
    O_DETECT_MINAREA,
    O_DEBLEND_NTHRESH,
    O_DEBLEND_MINCONT,
    O_CLEAN,
    O_CLEAN_PARAM,
    O_RADIUS_CUT,
    O_DILATE,
    O_SATURATION,
    O_VARIANCE,
    O_GAIN,
    O_READ_NOISE,
    O_CHECK_IMAGES,
    O_NAME,
    O_PRINT_META,
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

static int handle(ph_cli *cli, int key, const char *arg)
{
    ctx *c = cli->ctx;
    long l;
    int i, st = PH_OK;
    switch (key) {
    case O_OUTPUT:
        c->output = arg;
        break;
    case O_HDU:
        c->in.hdu = arg;
        break;
    case O_NOISE_HDU:
        c->in.noise_hdu = arg;
        break;
    case O_FLAGS_HDU:
        c->in.flags_hdu = arg;
        break;
    case O_BACK_SIZE:
        if (!(st = ph_cli_long(cli, arg, 1, 1000000, &l)))
            c->p.back_size = (int)l;
        break;
    case O_BACK_FILTERSIZE:
        if (!(st = ph_cli_long(cli, arg, 1, 63, &l)))
            c->p.back_filtersize = (int)l;
        break;
    case O_DETECT_THRESH:
        st = ph_cli_double_range(cli, arg, 1e-6, 1e6, &c->p.detect_thresh);
        break;
    case O_DETECT_MINAREA:
        if (!(st = ph_cli_long(cli, arg, 1, 100000000, &l)))
            c->p.detect_minarea = (int)l;
        break;
    case O_DEBLEND_NTHRESH:
        if (!(st = ph_cli_long(cli, arg, 1, 64, &l)))
            c->p.deblend_nthresh = (int)l;
        break;
    case O_DEBLEND_MINCONT:
        st = ph_cli_double_range(cli, arg, 0, 1, &c->p.deblend_mincont);
        break;
    case O_CLEAN:
        st = ph_cli_bool(cli, arg, &c->p.clean);
        break;
    case O_CLEAN_PARAM:
        st = ph_cli_double_range(cli, arg, 0.1, 10, &c->p.clean_param);
        break;
    case O_RADIUS_CUT:
        st = parse_none_or_double(cli, arg, 0, 1e6, &c->p.radius_cut);
        break;
    case O_DILATE:
        if (!(st = ph_cli_long(cli, arg, 0, 250, &l)))
            c->p.ndilate = (int)l;
        break;
    case O_SATURATION:
        st = parse_none_or_double(cli, arg, -1e30, 1e30, &c->p.saturation);
        if (!st && isnan(c->p.saturation))
            c->p.saturation = -INFINITY; /* "none": not even the header's */
        break;
    case O_VARIANCE: {
        static const var_kind kinds[] = {VAR_AUTO, VAR_PHYSICAL, VAR_NOISE, VAR_NOISE,
                                         VAR_MODEL};
        if (!(st = ph_cli_choice(cli, arg, "auto|physical|phrosty|noise|model", &i)))
            c->variance = kinds[i];
        break;
    }
    case O_GAIN:
        st = ph_cli_double_range(cli, arg, 1e-6, 1e6, &c->gain);
        break;
    case O_READ_NOISE:
        st = ph_cli_double_range(cli, arg, 0, 1e6, &c->read_noise);
        break;
    case O_CHECK_IMAGES:
        c->check_dir = arg;
        break;
    case O_NAME:
        c->name = arg;
        break;
    case O_PRINT_META:
        c->print_meta = 1;
        break;
    default:
        st = ph_cli_bad(cli, "unexpected option");
    }
    return st;
}

/* Gain and read noise for the variance: option, header, the Roman
 * simulation's values for OpenUniverse2024. */
static void noise_params(const ctx *c, const ph_input_lite *in, double *gain, double *rn)
{
    double g = NAN, r = NAN;
    ph_header_get_double(in->hdr, "GAIN", &g);
    ph_header_get_double(in->hdr, "RDNOISE", &r);
    if (in->layout == PH_LAYOUT_OU2024) {
        if (!(g > 0))
            g = PH_ROMAN_GAIN;
        if (!(r >= 0))
            r = PH_ROMAN_READNOISE;
    }
    *gain = !isnan(c->gain) ? c->gain : g > 0 ? g : NAN;
    *rn = !isnan(c->read_noise) ? c->read_noise : r >= 0 ? r : NAN;
}

static int add_settings(ph_header *h, const ctx *c, const skysub_result *r, var_kind vk,
                        double gain, double rn, long n)
{
    const skysub_params *p = &c->p;
    int st = ph_header_set_double(h, "SKYDIP", r->skydip, "Q1 - 1.5 IQR of the sky map");
    st |= ph_header_set_double(h, "SKYPEAK", r->skypeak, "Q3 + 1.5 IQR of the sky map");
    if (isfinite(p->saturation)) {
        st |= ph_header_set_double(h, "SATLEVEL", p->saturation, "[ADU] saturation used");
        st |= ph_header_set_double(h, "ESATUR", p->saturation - r->skypeak,
                                   "[ADU] saturation after sky subtraction");
    }
    st |= ph_header_set_long(h, "BACKSIZE", p->back_size, "[px] background mesh (BACK_SIZE)");
    st |= ph_header_set_long(h, "BACKFILT", p->back_filtersize,
                             "[meshes] median filter (BACK_FILTERSIZE)");
    st |= ph_header_set_double(h, "DETTHRSH", p->detect_thresh,
                               "[sigma] detection threshold (DETECT_THRESH)");
    st |= ph_header_set_long(h, "DETMINAR", p->detect_minarea, "[px] DETECT_MINAREA");
    st |= ph_header_set_long(h, "DEBNTHR", p->deblend_nthresh, "DEBLEND_NTHRESH");
    st |= ph_header_set_double(h, "DEBMINC", p->deblend_mincont, "DEBLEND_MINCONT");
    st |= ph_header_set_bool(h, "CLEAN", p->clean, "SExtractor's CLEAN");
    st |= ph_header_set_double(h, "CLEANPAR", p->clean_param, "CLEAN_PARAM");
    if (isnan(p->radius_cut))
        st |= ph_header_set_str(h, "RADCUT", "none", "detection mask: every segment");
    else
        st |= ph_header_set_double(h, "RADCUT", p->radius_cut,
                                   "[px] detection mask: FLUX_RADIUS > RADCUT");
    st |= ph_header_set_long(h, "NDILATE", p->ndilate, "detection mask: cross dilations");
    st |= ph_header_set_double(h, "DETBACK", r->det_back, "global background, detection pass");
    st |= ph_header_set_double(h, "DETRMS", r->det_rms, "global rms, detection pass");
    st |= ph_header_set_double(h, "DETLEVEL", r->det_thresh, "detection threshold, image units");
    st |= ph_header_set_long(h, "NOBJ", r->det.nobj, "objects detected");
    st |= ph_header_set_long(h, "NOBJMASK", r->nkept, "objects in the detection mask");
    st |= ph_header_set_double(h, "DETMFRAC", (double)r->ndetmask / n,
                               "fraction of pixels in the detection mask");
    st |= ph_header_set_long(h, "NBADPIX", r->nbad, "pixels flagged, saturated or not finite");
    st |= ph_header_set_str(h, "VARTYPE", variance_name(vk, gain), "what VAR holds");
    if (vk == VAR_PHYSICAL) {
        st |= ph_header_set_double(h, "GAIN", gain, "[e-/ADU] gain used for VAR");
        st |= ph_header_set_double(h, "RDNOISE", rn, "[e-] read noise used for VAR");
    } else if (vk == VAR_MODEL && gain > 0) {
        st |= ph_header_set_double(h, "GAIN", gain, "[e-/ADU] gain used for VAR");
    }
    st |= ph_header_add_text(h, "HISTORY",
                             "ph-skysub: sky = SExtractor background of the image with "
                             "detected segments masked");
    return st ? PH_EFAIL : PH_OK;
}

/* A .fits.gz input: ph_fits_open() inflates it, no further than its HDUs,
 * into an unlinked scratch file (cfitsio would inflate it whole into
 * memory: 268 MB for an OpenUniverse2024 frame, over ph-skysub's budget).
 * The scratch file goes in the output's directory, where the space is
 * needed anyway, and is gone however the run ends. */
static void scratch_beside(const char *output)
{
    if (ph_is_stdio(output)) /* $TMPDIR, as for standard input's copy */
        return;
    char dir[1024];
    const char *base = ph_path_basename(output);
    if (base == output)
        ph_strlcpy(dir, ".", sizeof dir);
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(base - output), output);
    ph_fits_scratch_dir(dir);
}

/* --print-meta: what the tools take from the image's header (and, for
 * OpenUniverse2024, its name), one line of KEY=VALUE, for ph-pipeline's
 * check of the image lists. Only the header is read. */
static int print_meta(const char *input, const char *name)
{
    char three[1100];
    const char *path = input;
    snprintf(three, sizeof three, "%s_image.fits", input);
    if (strcmp(input, "-") && !ph_path_exists(input) && ph_path_exists(three))
        path = three; /* phrosty's threefile PATH */
    long nx, ny;
    ph_header *h = NULL;
    if (ph_fitshead_read(path, "SCI", &nx, &ny, &h))
        return PH_EFAIL;
    ph_meta m;
    ph_meta_from_header(h, name ? name : input, &m);
    ph_header_free(h);
    printf("band=%s observation_id=%s sca=", m.band, m.obsid);
    if (m.sca >= 0)
        printf("%ld", m.sca);
    printf(" mjd=");
    if (isfinite(m.mjd))
        printf("%.17g", m.mjd);
    printf(" name=%s\n", m.name);
    return fflush(stdout) || ferror(stdout)
               ? ph_error(PH_EFAIL, "-", "cannot write to standard output")
               : PH_OK;
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
    scratch_beside(output);
    int st = ph_input_read_lite(input, &c->in, want_noise, &in);
    /* a streamed image's names, ids and pointing come from --name */
    if (!st && c->name)
        ph_meta_from_header(in.hdr, c->name, &in.meta);
    ph_timing_end();
    if (st)
        return st;
    const long nx = in.nx, ny = in.ny, n = nx * ny;
    var_kind vk = c->variance;
    if (vk == VAR_AUTO)
        vk = in.layout == PH_LAYOUT_OU2024 ? VAR_PHYSICAL : in.noise ? VAR_NOISE : VAR_MODEL;
    if (vk != VAR_NOISE && in.noise) {
        ph_plane_free(in.noise);
        in.noise = NULL;
    }
    double gain, rn;
    noise_params(c, &in, &gain, &rn);
    if (vk == VAR_NOISE && !in.noise)
        st = ph_error(PH_EUSAGE, input,
                      "the variance from the noise plane needs one: there is no %s HDU (give "
                      "--noise-hdu, or another --variance)",
                      c->in.noise_hdu ? c->in.noise_hdu : "ERR");
    else if (vk == VAR_PHYSICAL && (isnan(gain) || isnan(rn)))
        st = ph_error(PH_EUSAGE, input,
                      "the physical variance needs the gain and read noise: the header has no "
                      "%s; give --gain and --read-noise",
                      isnan(gain) ? "GAIN" : "RDNOISE");
    if (st) {
        ph_input_lite_free(&in);
        return st;
    }
    if (vk == VAR_MODEL && isnan(gain))
        ph_info("%s: no GAIN: VAR is the sky rms squared, without the sources' Poisson term",
                input);

    skysub_params p = c->p;
    if (isnan(p.saturation))
        p.saturation = in.meta.saturate; /* header SATURATE, or NaN */
    if (isnan(p.saturation) && in.layout == PH_LAYOUT_OU2024 && !isnan(rn)) {
        /* Unflagged clipping: a pixel within 5 read-noise rms of the clip is
         * a clipped one (an unclipped pixel gets there with odds ~3e-7). */
        p.saturation = PH_OU2024_CLIP - 5 * rn;
        ph_info("%s: OpenUniverse2024 clips at %.0f e- without a flag: pixels >= %.1f are "
                "saturated", input, PH_OU2024_CLIP, p.saturation);
    }
    else if (isinf(p.saturation))
        p.saturation = NAN;
    c->p.saturation = p.saturation;
    p.keep_seg = c->check_dir != NULL;

    /* The flags plane (0/1) becomes the mask (BAD bits) in place. */
    ph_timing_begin("prepare");
    uint8_t *mask = in.flagged;
    in.flagged = NULL;
    if (mask) {
        for (long i = 0; i < n; i++)
            mask[i] = mask[i] ? PH_MASK_BAD : 0;
    } else {
        mask = ph_plane_alloc((size_t)n, 1, "mask");
    }
    float *var = NULL;
    skysub_result r = {0};
    ph_image out = {0};
    /* One float plane serves as the filtered image, then as VAR. */
    if (mask)
        var = ph_plane_alloc((size_t)n, sizeof *var, "variance");
    ph_timing_end();
    if (!mask || !var) {
        st = PH_EFAIL;
        goto done;
    }
    if ((st = skysub_detect_and_sky(in.sci, mask, nx, ny, &p, var, &r))) {
        /* Errors of the array code name no file: this input is the one. */
        if (!ph_error_file() && ph_error_code()) {
            char msg[512];
            int code = ph_error_code();
            ph_strlcpy(msg, ph_error_message(), sizeof msg);
            ph_error_clear();
            st = ph_error(code, input, "%s", msg);
        }
        goto done;
    }
    ph_info("%s: %ld objects (%ld in the detection mask, %.1f%% of the pixels), "
            "sky %.6g, rms %.6g",
            input, r.det.nobj, r.nkept, 100.0 * r.ndetmask / n, r.skylevel, r.skyrms);

    ph_timing_begin("subtraction and variance");
    st = skysub_finish(in.sci, in.noise, nx, ny, r.sky, vk, gain, rn, var);
    ph_timing_end();
    ph_plane_free(in.noise);
    in.noise = NULL;
    if (st)
        goto done;

    if (c->check_dir) {
        char stem[512];
        ph_path_stem(output, stem, sizeof stem);
        ph_timing_begin("check images");
        st = checkimg_write(c->check_dir, stem, r.sky, r.seg, &r.det, p.radius_cut, in.hdr);
        ph_timing_end();
        if (st)
            goto done;
    }
    ph_plane_free(r.seg);
    r.seg = NULL;
    skysub_final_mask(mask, n);

    out.nx = nx;
    out.ny = ny;
    out.sci = in.sci;
    out.var = var;
    out.mask = mask;
    out.hdr = in.hdr;
    out.meta = in.meta;
    out.meta.skyrms = r.skyrms;
    out.meta.skylevel = r.skylevel;
    if (vk == VAR_PHYSICAL)
        out.meta.rdnoise = rn;
    if (!isnan(gain))
        out.meta.gain = gain;
    if (isfinite(p.saturation))
        out.meta.saturate = p.saturation;
    if ((st = add_settings(in.hdr, c, &r, vk, gain, rn, n)))
        goto done;
    ph_timing_begin("write");
    st = ph_image_write(output, &out);
    ph_timing_end();
done:
    skysub_result_free(&r);
    ph_plane_free(var);
    ph_plane_free(mask);
    ph_input_lite_free(&in);
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
        st = print_meta(cli.pos[0], c.name);
    else if (!st)
        st = run(&c, cli.pos[0]);
    if (cli.timing)
        ph_timing_report();
    ph_cli_free(&cli);
    return st ? ph_report_error() : 0;
}
