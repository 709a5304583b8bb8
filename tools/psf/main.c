/* ph-psf -- the PSF stamp at a position on an image (pipeline-spec.md "PSF
 * retrieval"; output: common/psfstamp.h).
 *
 *   ph-psf IMAGE (--ra RA --dec DEC | --x X --y Y) [--model MODEL] -o PSF
 *
 * main.c: options, the model from the options or phrosty's config, reading
 * the image, the position, the stamp, the header, writing.
 */
#include "background.h"
#include "bands.h"
#include "cli.h"
#include "fits.h"
#include "fitshead.h"
#include "inimage.h"
#include "log.h"
#include "meta.h"
#include "phimage.h"
#include "psf.h"
#include "psfstamp.h"
#include "romanpsf.h"
#include "timing.h"
#include "util.h"
#include "wcs.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    O_RA = 256, O_DEC, O_X, O_Y, O_SIZE, O_BAND, O_SCA, O_POINTING, O_ATPOS, O_INTERP, O_JITTER,
    O_NLAMBDA, O_WFE, O_OBSCUR, O_DIFFUSION, O_EOVER, O_ERADIUS, O_EORDER, O_EMAX, O_ESNR,
    O_ETHRESH, O_EITER
};

enum { M_NONE = 0, M_ROMAN, M_GAUSS, M_FILE, M_EPSF, M_A25, M_AUTO, M_ROMANFIT };

typedef struct params {
    const char *output, *band, *pointing;
    char model_text[1100], pattern[1024];
    int model, have_ra, have_dec, have_x, have_y, at_position;
    int autofell; /* auto: 1 when the image could not support an ePSF (roman used) */
    int fitted;   /* romanfit (or auto's choice of it): rf holds the fit */
    romanfit_result rf;
    double ra, dec, x, y, sigma;
    long size, sca;
    ph_interp interp;
    int fourier; /* --interp fourier: 1; another kernel: 0; not given: -1 */
    double jitter, wfe, obscur, diffusion; /* NaN: band default */
    long nlambda;                          /* 0: default */
    epsf_params ep;
    const char *model_source;
} params;

static const ph_opt opts[] = {
    {"output", 'o', "FILE", "PSF stamp to write (required)", "", PH_OPT_OUT},
    {"ra", O_RA, "DEG", "right ascension of the position (with --dec)", "", 0},
    {"dec", O_DEC, "DEG", "declination of the position (with --ra)", "", 0},
    {"x", O_X, "X", "0-based pixel x of the position (with --y)", "", 0},
    {"y", O_Y, "Y", "0-based pixel y of the position (with --x)", "", 0},
    {"model", 'm', "MODEL",
     "auto | epsf | romanfit | roman | gaussian:SIGMA | file:PATTERN ({band} {sca} {pointing}) "
     "| a25:DIR (the A25 ePSF library); default photometry.phrosty.psf.type, else auto: epsf "
     "where the image's stars support it, else romanfit (roman fitted to them), else roman with "
     "a warning",
     NULL, 0},
    {"size", O_SIZE, "N", "stamp size, odd, 3 ... 1001 (default 41)", NULL, 0},
    {"band", 'b', "BAND", "band, instead of the image's FILTER", "", 0},
    {"sca", O_SCA, "N", "detector for {sca}, instead of the image's SCA_NUM", "", 0},
    {"pointing", O_POINTING, "ID", "observation id for {pointing}, instead of the image's", "", 0},
    {"at-position", O_ATPOS, NULL,
     "PSF centre at the position's sub-pixel phase (phrosty's stamps) instead of the centre "
     "pixel's centre",
     NULL, 0},
    {"interp", O_INTERP, "NAME",
     "file and a25 models: bicubic|lanczos3|fourier resampling (default bicubic; a25: fourier)",
     NULL, 0},
    {"jitter", O_JITTER, "ARCSEC", "roman: pointing jitter rms per axis (default 0.014)", NULL, 0},
    {"nlambda", O_NLAMBDA, "N", "roman: wavelengths across the band (default 9)", NULL, 0},
    {"wfe", O_WFE, "NM", "roman: static wavefront error rms (default 80)", NULL, 0},
    {"obscuration", O_OBSCUR, "EPS", "roman: linear obscuration (default 0.32; F184 K213 0.38)",
     NULL, 0},
    {"diffusion", O_DIFFUSION, "PX", "roman: charge diffusion sigma (default 0.1)", NULL, 0},
    {"epsf-oversamp", O_EOVER, "N", "epsf: grid samples per pixel, 1 ... 8 (default 4)", NULL, 0},
    {"epsf-radius", O_ERADIUS, "PX", "epsf: model half-width (default: half the stamp size)", NULL, 0},
    {"epsf-order", O_EORDER, "N", "epsf: spatial variation, 0 constant, 1 linear, 2 quadratic "
                                  "(default 0; 1 and 2 take longer, see man ph-psf)",
     NULL, 0},
    {"epsf-stars", O_EMAX, "N", "epsf: brightest stars used at most (default 300)", NULL, 0},
    {"epsf-snr", O_ESNR, "SNR", "epsf: smallest star signal-to-noise (default 100)", NULL, 0},
    {"epsf-thresh", O_ETHRESH, "K", "epsf: detection threshold, x sky rms (default 5)", NULL, 0},
    {"epsf-iter", O_EITER, "N", "epsf: fit iterations (default 6)", NULL, 0},
    {"", 's', "N", "size", "", PH_OPT_ALIAS | PH_OPT_OLD}, /* old spelling, until the next release */
    {NULL, 0, NULL, NULL, NULL, 0}};

static int set_model(params *p, const char *arg, const char *source)
{
    ph_romanpsf_opts t;
    if (!strcmp(arg, "roman"))
        p->model = M_ROMAN;
    else if (!strcmp(arg, "auto"))
        p->model = M_AUTO;
    else if (!strcmp(arg, "romanfit"))
        p->model = M_ROMANFIT;
    else if (!strcmp(arg, "epsf"))
        p->model = M_EPSF;
    else if (!strncmp(arg, "file:", 5) && arg[5]) {
        p->model = M_FILE;
        ph_strlcpy(p->pattern, arg + 5, sizeof p->pattern);
    } else if (!strncmp(arg, "a25:", 4) && arg[4]) {
        p->model = M_A25;
        ph_strlcpy(p->pattern, arg + 4, sizeof p->pattern);
    } else if (!strncmp(arg, "gaussian:", 9) && !ph_romanpsf_parse_model(arg, &t)) {
        p->model = M_GAUSS;
        p->sigma = t.sigma_px;
    } else
        return ph_error(PH_EUSAGE, NULL,
                        "%s: unknown PSF model '%s' (roman, gaussian:SIGMA with SIGMA 0.2 ... 50, "
                        "file:PATTERN, a25:DIR, epsf, romanfit, auto)",
                        source, arg);
    ph_strlcpy(p->model_text, arg, sizeof p->model_text);
    return PH_OK;
}

static int handle(ph_cli *cli, int key, const char *arg)
{
    params *p = cli->ctx;
    long v;
    int i;
    switch (key) {
    case 'o': p->output = arg; return PH_OK;
    case O_RA: p->have_ra = 1; return ph_cli_double_range(cli, arg, -360, 720, &p->ra);
    case O_DEC: p->have_dec = 1; return ph_cli_double_range(cli, arg, -90, 90, &p->dec);
    case O_X: p->have_x = 1; return ph_cli_double_range(cli, arg, -1e7, 1e7, &p->x);
    case O_Y: p->have_y = 1; return ph_cli_double_range(cli, arg, -1e7, 1e7, &p->y);
    case 'm': return set_model(p, arg, cli->source);
    case O_SIZE:
        if (ph_cli_long(cli, arg, 3, 1001, &p->size))
            return PH_EUSAGE;
        if (p->size % 2 == 0)
            return ph_cli_bad(cli, "stamp size %ld is even; it must be odd (centre on a pixel)",
                              p->size);
        return PH_OK;
    case 'b':
        if (!ph_band_find(arg))
            return ph_cli_bad(cli, "unknown band '%s' (%s)", arg, ph_band_names());
        p->band = arg;
        return PH_OK;
    case O_SCA: return ph_cli_long(cli, arg, 0, 1000000, &p->sca);
    case O_POINTING: p->pointing = arg; return PH_OK;
    case O_ATPOS: p->at_position = 1; return PH_OK;
    case O_INTERP:
        if (ph_cli_choice(cli, arg, "bicubic|lanczos3|fourier", &i))
            return PH_EUSAGE;
        p->interp = i == 1 ? PH_INTERP_LANCZOS3 : PH_INTERP_BICUBIC;
        p->fourier = i == 2;
        return PH_OK;
    case O_JITTER: return ph_cli_double_range(cli, arg, 0, 1, &p->jitter);
    case O_NLAMBDA: return ph_cli_long(cli, arg, 1, 101, &p->nlambda);
    case O_WFE: return ph_cli_double_range(cli, arg, 0, 500, &p->wfe);
    case O_OBSCUR: return ph_cli_double_range(cli, arg, 0, 0.9, &p->obscur);
    case O_DIFFUSION: return ph_cli_double_range(cli, arg, 0, 5, &p->diffusion);
    case O_EOVER:
        if (ph_cli_long(cli, arg, 1, 8, &v))
            return PH_EUSAGE;
        p->ep.oversamp = (int)v;
        return PH_OK;
    case O_ERADIUS:
        if (ph_cli_long(cli, arg, 2, 50, &v))
            return PH_EUSAGE;
        p->ep.radius = (int)v;
        return PH_OK;
    case O_EORDER:
        if (ph_cli_long(cli, arg, 0, 2, &v))
            return PH_EUSAGE;
        p->ep.order = (int)v;
        return PH_OK;
    case O_EMAX:
        if (ph_cli_long(cli, arg, 5, 100000, &v))
            return PH_EUSAGE;
        p->ep.maxstars = (int)v;
        return PH_OK;
    case O_ESNR: return ph_cli_double_range(cli, arg, 5, 1e6, &p->ep.snr);
    case O_ETHRESH: return ph_cli_double_range(cli, arg, 1, 1000, &p->ep.thresh);
    case O_EITER:
        if (ph_cli_long(cli, arg, 1, 50, &v))
            return PH_EUSAGE;
        p->ep.niter = (int)v;
        return PH_OK;
    }
    return ph_cli_bad(cli, "unexpected option");
}

/* The phrosty keys read below (for --settings). */
static const char *const phrosty_keys[] = {"photometry.phrosty.psf",
                                           "system.paths.snappl.A25ePSF_path", NULL};

/* phrosty's config: photometry.phrosty.psf.type and .params, used when
 * neither --model nor ph.psf.model is given. */
static int cfg_double(const ph_config *cfg, const char *key, double lo, double hi, double *out)
{
    const char *s;
    if (ph_config_get_value(cfg, key, &s))
        return PH_EUSAGE;
    if (!s)
        return PH_OK;
    double v;
    if (ph_parse_double(s, &v) || !(v >= lo && v <= hi))
        return ph_error(PH_EUSAGE, ph_config_path(cfg), "%s: '%s' is not a number in %g ... %g",
                        key, s, lo, hi);
    *out = v;
    return PH_OK;
}

static int model_from_phrosty(params *p, const ph_config *cfg)
{
    static const char *tk = "photometry.phrosty.psf.type";
    const char *type, *pat;
    if (ph_config_get_value(cfg, tk, &type) ||
        ph_config_get_value(cfg, "photometry.phrosty.psf.params.pattern", &pat))
        return PH_EUSAGE;
    char buf[1100], src[1200];
    snprintf(src, sizeof src, "%s: %s", ph_config_path(cfg) ? ph_config_path(cfg) : "config", tk);
    if (!type && ph_config_is_null(cfg, tk))
        return ph_error(PH_EUSAGE, ph_config_path(cfg),
                        "%s is null, which phrosty does not allow (it needs a PSF type); give "
                        "one or remove the key", tk);
    /* Neither --model, ph.psf.model nor a phrosty PSF type: the image's own
     * stars where they can support a PSF. The analytic model cannot know an
     * image's jitter or optics; measured on OpenUniverse2024 look-alikes it
     * put fluxes 2% to 11% high, and on ph-sim's fields 1% to 4% low. */
    if (!type) {
        p->model = M_AUTO;
        ph_strlcpy(p->model_text, "auto", sizeof p->model_text);
        return PH_OK;
    }
    static const char *roman[] = {"ou24PSF", "ou24PSF_slow", "ou24PSF_photonshoot",
                                  "ou24PSF_slow_photonshoot", "STPSF", "roman", NULL};
    static const char *image[] = {"A25ePSF", "OversampledImagePSF",
                                  "YamlSerialized_OversampledImagePSF",
                                  "Sampling_OversampledImagePSF", "photutilsImagePSF", NULL};
    for (int i = 0; roman[i]; i++)
        if (!strcmp(type, roman[i])) {
            int st = cfg_double(cfg, "photometry.phrosty.psf.params.jitter", 0, 1, &p->jitter);
            return st ? st : set_model(p, "roman", src);
        }
    /* Image PSFs: FITS model files when params.pattern names them (ours);
     * A25ePSF otherwise reads phrosty's library. Never another model in
     * their place: a config that cannot be honoured is an error. */
    for (int i = 0; image[i]; i++)
        if (!strcmp(type, image[i])) {
            if (pat) {
                snprintf(buf, sizeof buf, "file:%s", pat);
                return set_model(p, buf, src);
            }
            if (i == 0) {
                static const char *lk = "system.paths.snappl.A25ePSF_path";
                const char *dir = ph_config_get(cfg, lk);
                if (!dir || !*dir)
                    return ph_error(PH_EUSAGE, ph_config_path(cfg),
                                    "%s A25ePSF needs %s (the A25 ePSF library), or "
                                    "photometry.phrosty.psf.params.pattern, or --model",
                                    tk, lk);
                if (strlen(dir) >= sizeof p->pattern)
                    return ph_error(PH_EUSAGE, ph_config_path(cfg), "%s is too long", lk);
                snprintf(buf, sizeof buf, "a25:%s", dir);
                return set_model(p, buf, src);
            }
            return ph_error(PH_EUSAGE, ph_config_path(cfg),
                            "%s %s needs photometry.phrosty.psf.params.pattern (FITS model "
                            "files, see man ph-psf), or --model",
                            tk, type);
        }
    if (!strcmp(type, "gaussian")) {
        double sx = 1, sy = NAN;
        int st = cfg_double(cfg, "photometry.phrosty.psf.params.sigmax", 0.2, 50, &sx);
        if (!st)
            st = cfg_double(cfg, "photometry.phrosty.psf.params.sigmay", 0.2, 50, &sy);
        if (!st && isfinite(sy) && fabs(sy - sx) > 1e-12 * sx)
            st = ph_error(PH_EUSAGE, ph_config_path(cfg),
                          "photometry.phrosty.psf.params: sigmax %g and sigmay %g differ; only "
                          "circular Gaussians are supported",
                          sx, sy);
        if (st)
            return st;
        snprintf(buf, sizeof buf, "gaussian:%.17g", sx);
        return set_model(p, buf, src);
    }
    if (!strcmp(type, "epsf") || !strcmp(type, "auto") || !strcmp(type, "romanfit") || !strncmp(type, "file:", 5) || !strncmp(type, "gaussian:", 9) ||
        !strncmp(type, "a25:", 4))
        return set_model(p, type, src);
    return ph_error(PH_EUSAGE, ph_config_path(cfg),
                    "%s: unknown PSF type '%s' (ou24PSF, STPSF, gaussian, A25ePSF, "
                    "OversampledImagePSF, or ours: roman, romanfit, epsf, auto, file:PATTERN)",
                    tk, type);
}

/* ---- the image ------------------------------------------------------------- */

typedef struct image {
    long nx, ny;
    ph_header *hdr;
    ph_meta meta;
    float *sci;     /* epsf only: sky-subtracted */
    uint8_t *bad;   /* epsf only */
    double rms;
} image;

static void image_free(image *im)
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
    int st = ph_fitshead_read(path, "SCI", &im->nx, &im->ny, &im->hdr);
    if (!st)
        ph_meta_from_header(im->hdr, path, &im->meta);
    return st;
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
        im->sci = ph_malloc((size_t)n * sizeof(float), "image");
        im->bad = ph_malloc((size_t)n, "mask");
        if (im->sci && im->bad) {
            memcpy(im->sci, pi.sci, (size_t)n * sizeof(float));
            for (long i = 0; i < n; i++)
                im->bad[i] = (pi.mask[i] & (PH_MASK_BAD | PH_MASK_OUTSIDE)) || !isfinite(pi.sci[i]);
        }
        pi.hdr = NULL;
        ph_image_free(&pi);
        if (!im->sci || !im->bad)
            return PH_EFAIL;
        im->rms = im->meta.skyrms;
    } else {
        ph_input_lite in = {0};
        ph_input_opts io = {0};
        st = ph_input_read_lite(path, &io, PH_NOISE_NO, &in);
        if (st)
            return st;
        im->nx = in.nx, im->ny = in.ny, im->hdr = in.hdr, im->meta = in.meta;
        in.hdr = NULL;
        n = in.nx * in.ny;
        im->sci = ph_malloc((size_t)n * sizeof(float), "image");
        im->bad = ph_malloc((size_t)n, "mask");
        if (im->sci && im->bad) {
            memcpy(im->sci, in.sci, (size_t)n * sizeof(float));
            for (long i = 0; i < n; i++)
                im->bad[i] = (in.flagged && in.flagged[i]) || !isfinite(in.sci[i]);
        }
        ph_input_lite_free(&in);
        if (!im->sci || !im->bad)
            return PH_EFAIL;
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
        im->rms = bkg->globalrms;
    ph_bkg_free(bkg);
    return PH_OK;
}

/* ---- the stamp ------------------------------------------------------------- */

/* One stamp of the output: the model at phase (dx, dy), not normalised
 * yet; frac = its sum over the model's flux. */
typedef struct stamp {
    double *data;
    double frac, dx, dy;
} stamp;

static int roman_stamp(const params *p, const char *band, const char *image, stamp *out, int nout,
                       double *fwhm, ph_romanpsf **keep)
{
    ph_romanpsf_opts o;
    if (ph_romanpsf_defaults(&o, band)) {
        ph_error_clear();
        return ph_error(PH_EFAIL, image, "unknown band '%s' (%s); give --band", band,
                        ph_band_names());
    }
    if (p->model == M_GAUSS) {
        o.model = PH_RPSF_GAUSSIAN;
        o.sigma_px = p->sigma;
    }
    if (isfinite(p->jitter)) o.jitter_arcsec = p->jitter;
    if (isfinite(p->wfe)) o.wfe_nm = p->wfe;
    if (isfinite(p->obscur)) o.obscuration = p->obscur;
    if (isfinite(p->diffusion)) o.diffusion_px = p->diffusion;
    if (p->nlambda > 0) o.nlambda = (int)p->nlambda;
    ph_romanpsf *r = ph_romanpsf_new(&o);
    if (!r)
        return PH_EFAIL;
    *fwhm = ph_romanpsf_fwhm_epsf(&o);
    int st = PH_OK;
    for (int k = 0; k < nout && !st; k++) {
        st = ph_romanpsf_stamp(r, out[k].dx, out[k].dy, p->size, out[k].data);
        double s = 0;
        for (long i = 0; !st && i < p->size * p->size; i++)
            s += out[k].data[i];
        out[k].frac = s;
    }
    if (st)
        ph_romanpsf_free(r);
    else
        *keep = r;
    return st;
}

/* One model behind psf_stamp_fn, for the oversampled ePSF. */
typedef struct model_ctx {
    const params *p;
    ph_romanpsf *roman;
    const psf_file *file;
    const epsf_model *em;
    double x0, y0;
} model_ctx;

static int model_stamp(void *ctx, double dx, double dy, long n, double *out)
{
    const model_ctx *m = ctx;
    double frac;
    if (m->roman)
        return ph_romanpsf_stamp(m->roman, dx, dy, n, out);
    if (m->file)
        return psf_file_stamp(m->file, m->x0, m->y0, dx, dy, n, m->p->interp, out, &frac);
    epsf_stamp(m->em, m->x0, m->y0, dx, dy, n, out, &frac);
    return PH_OK;
}

/* The A25 library's model for (x0, y0). The library's grid is over a
 * whole 4088-pixel SCA: a cut-out's position there is x0 - LTV1, y0 -
 * LTV2 (IRAF's physical coordinates, which cut-outs carry). */
static int a25_model(const char *dir, const image *im, const char *band, long sca, double x0,
                     double y0, const char *path, char *file, size_t size, psf_file *f)
{
    double ltv1 = 0, ltv2 = 0;
    int h1 = ph_header_get_double(im->hdr, "LTV1", &ltv1) == 0;
    int h2 = ph_header_get_double(im->hdr, "LTV2", &ltv2) == 0;
    if (!h1)
        ltv1 = 0;
    if (!h2)
        ltv2 = 0;
    if (!h1 && !h2 && (im->nx != 4088 || im->ny != 4088))
        ph_warn("%s: a %ldx%ld image without LTV1/LTV2: its pixel positions are taken as the "
                "SCA's for the A25 ePSF grid",
                path, im->nx, im->ny);
    a25_psf a;
    int st = a25_path(dir, band, sca, x0 - ltv1, y0 - ltv2, file, size, path);
    if (!st)
        st = a25_read(file, &a);
    if (!st) {
        st = a25_to_model(&a, file, f);
        a25_free(&a);
    }
    return st;
}

/* What both stamps' headers share. */
typedef struct stamp_info {
    const char *path, *band, *src;
    const image *im;
    double x0, y0, ra, dec, fwhm;
    int oversamp;
    const epsf_model *em;
    int chosen; /* --model auto chose the model */
    const romanfit_result *rf; /* romanfit: the fit */
} stamp_info;

/* Normalise `s` and make its header: the position, the model, its phase. */
static int stamp_finish(const params *p, const stamp_info *si, stamp *s, int phased,
                        ph_psf *out)
{
    const char *where = si->src ? si->src : si->path;
    *out = (ph_psf){.n = p->size, .data = s->data, .hdr = ph_header_new()};
    if (!out->hdr)
        return PH_EFAIL;
    double sum = ph_psf_normalise(s->data, p->size);
    if (!(sum > 0) || ph_psf_check(s->data, p->size, p->size, where))
        return ph_error(PH_EFAIL, where, "the %s PSF has no positive flux in a %ld-pixel stamp",
                        p->model_text, p->size);
    ph_header *h = out->hdr;
    int k = ph_header_set_double(h, "PSFX", si->x0, "0-based x on the image");
    k |= ph_header_set_double(h, "PSFY", si->y0, "0-based y on the image");
    if (isfinite(si->ra) && isfinite(si->dec)) {
        k |= ph_header_set_double(h, "PSFRA", si->ra, "[deg] position");
        k |= ph_header_set_double(h, "PSFDEC", si->dec, "[deg] position");
    }
    k |= ph_header_set_str(h, "FILTER", si->band, "band");
    /* A long file pattern does not fit a card: its file name part. */
    char mt[80];
    if (strlen(p->model_text) <= 60 || (p->model != M_FILE && p->model != M_A25))
        ph_strlcpy(mt, p->model_text, sizeof mt);
    else
        snprintf(mt, sizeof mt, "%s:%.60s", p->model == M_FILE ? "file" : "a25",
                 ph_path_basename(p->pattern));
    k |= ph_header_set_str(h, "PSFMODEL", mt, "model");
    if (si->chosen)
        k |= ph_header_set_bool(h, "PSFAUTO", 1, "model chosen by --model auto");
    if (si->rf) {
        k |= ph_header_set_double(h, "PSFWFE", si->rf->wfe_nm, "[nm] fitted wavefront error rms");
        k |= ph_header_set_double(h, "PSFJITTR", si->rf->jitter_arcsec, "[arcsec] fitted jitter");
        k |= ph_header_set_long(h, "PSFFITN", si->rf->nstars, "stars the roman model was fitted to");
        k |= ph_header_set_double(h, "PSFFITC2", si->rf->chi2, "their median reduced chi^2");
    }
    k |= ph_header_set_long(h, "OVERSAMP", si->oversamp, "oversampling of the model");
    k |= ph_header_set_double(h, "PSFFRAC", s->frac, "model flux fraction inside the stamp");
    k |= ph_header_set_bool(h, "PSFNORM", 1, "stamp normalised to sum 1");
    if (isfinite(si->fwhm))
        k |= ph_header_set_double(h, "PSFFWHM", si->fwhm, "[px] FWHM of the oversampled ePSF");
    k |= ph_header_set_double(h, "PSFDX", s->dx, "[px] PSF centre - centre pixel centre, x");
    k |= ph_header_set_double(h, "PSFDY", s->dy, "[px] PSF centre - centre pixel centre, y");
    k |= ph_header_set_bool(h, "PSFPHASE", phased, "T: at the sub-pixel phase of PSFX, PSFY");
    k |= ph_header_set_str(h, "PSFIMAGE", ph_path_basename(si->path), "image");
    if (si->src)
        k |= ph_header_set_str(h, "PSFSRC", ph_path_basename(si->src), "model file");
    if (si->im->meta.obsid[0])
        k |= ph_header_set_str(h, "OBSID", si->im->meta.obsid, "observation id");
    if (si->im->meta.sca >= 0)
        k |= ph_header_set_long(h, "SCA_NUM", si->im->meta.sca, "detector");
    if (si->em) {
        const epsf_model *em = si->em;
        k |= ph_header_set_long(h, "EPSFNSTR", em->nstars, "stars in the ePSF");
        k |= ph_header_set_long(h, "EPSFORD", em->order, "ePSF spatial order");
        k |= ph_header_set_long(h, "EPSFRAD", em->radius, "[px] ePSF model half-width");
        k |= ph_header_set_double(h, "EPSFCHI2", em->chi2, "median reduced chi^2 of stars");
    }
    return k ? ph_error(PH_EFAIL, p->output, "cannot format the header") : PH_OK;
}

/* The primary stamp (centred, or phased with --at-position), the
 * PHASED_PSF extension and the oversampled EPSF (psfstamp.h). */
static int write_stamps(const params *p, const stamp_info *si, stamp *primary, stamp *phased,
                        ph_ovpsf *ov)
{
    ph_psf a = {0}, b = {0};
    int st = stamp_finish(p, si, primary, p->at_position, &a);
    a.ov = ov;
    if (!st)
        st = stamp_finish(p, si, phased, 1, &b);
    if (!st)
        st = ph_psf_write_phased(p->output, &a, &b);
    ph_header_free(a.hdr);
    ph_header_free(b.hdr);
    return st;
}

/* The ePSF of the image's stars and its two stamps. Its flux is what the
 * stars show inside the model's box; the wings beyond it are below any
 * star's noise, so the fraction of the flux inside the box (PSFFRAC, the
 * photometry's aperture correction) is the band's optical model's. */
static int epsf_stamps(const params *p, const image *im, const char *band, double x0, double y0,
                       stamp *sv, epsf_model *em, const char *path)
{
    long n = p->size;
    epsf_params ep = p->ep;
    if (ep.radius <= 0)
        ep.radius = (int)(n / 2 < 50 ? n / 2 : 50);
    if (!isfinite(ep.saturate))
        ep.saturate = im->meta.saturate;
    if (isfinite(im->meta.gain) && im->meta.gain > 0)
        ep.gain = im->meta.gain;
    const ph_band *bd = band[0] ? ph_band_find(band) : NULL;
    if (bd && ep.kmax == 0)
        ep.kmax = PH_ROMAN_DIAMETER_M / (bd->lambda_min_um * 1e-6) *
                  (PH_ROMAN_PIXSCALE_ARCSEC / 206264.806);
    ph_romanpsf_opts ro;
    int have_ro = bd && !ph_romanpsf_defaults(&ro, band);
    if (have_ro)
        ep.fwhm_ref = ph_romanpsf_fwhm_epsf(&ro);
    ph_error_clear();
    int st = epsf_build(im->sci, im->bad, im->nx, im->ny, im->rms, &ep, em, path);
    if (st)
        return st;
    double inside = 1;
    if (have_ro) {
        long b = 2L * em->radius + 1;
        ph_romanpsf *r = ph_romanpsf_new(&ro);
        double *box = r ? ph_malloc((size_t)b * b * sizeof *box, "PSF box") : NULL;
        if (!r || !box || ph_romanpsf_stamp(r, 0, 0, b, box))
            st = PH_EFAIL;
        if (!st)
            inside = 0;
        for (long i = 0; !st && i < b * b; i++)
            inside += box[i];
        free(box);
        if (r)
            ph_romanpsf_free(r);
        if (st)
            return st;
    }
    for (int k = 0; k < 2; k++) {
        epsf_stamp(em, x0, y0, sv[k].dx, sv[k].dy, n, sv[k].data, &sv[k].frac);
        sv[k].frac *= inside;
    }
    ph_info("ePSF from %d stars (%d candidates), median reduced chi^2 %.3g; flux inside its "
            "%dx%d box %.5f (the %s optical model's)",
            em->nstars, em->ncand, em->chi2, 2 * em->radius + 1, 2 * em->radius + 1, inside,
            have_ro ? band : "none: 1,");
    return PH_OK;
}

/* --model romanfit: the band's roman model with its wavefront error and
 * jitter fitted to the image's stars (romanfit.c). */
static int roman_fit(params *p, const image *im, const char *band, const char *path)
{
    ph_romanpsf_opts base;
    if (!band[0])
        return ph_error(PH_EFAIL, path, "the image has no FILTER; give --band");
    if (ph_romanpsf_defaults(&base, band)) {
        ph_error_clear();
        return ph_error(PH_EFAIL, path, "unknown band '%s' (%s); give --band", band,
                        ph_band_names());
    }
    if (isfinite(p->obscur)) base.obscuration = p->obscur;
    if (isfinite(p->diffusion)) base.diffusion_px = p->diffusion;
    if (p->nlambda > 0) base.nlambda = (int)p->nlambda;
    epsf_params ep = p->ep;
    ep.radius = 8;
    ep.fwhm_ref = ph_romanpsf_fwhm_epsf(&base);
    if (!isfinite(ep.saturate))
        ep.saturate = im->meta.saturate;
    if (isfinite(im->meta.gain) && im->meta.gain > 0)
        ep.gain = im->meta.gain;
    int st = romanfit_run(im->sci, im->bad, im->nx, im->ny, im->rms, &ep, &base, &p->rf, path);
    if (st)
        return st;
    p->fitted = 1;
    p->model = M_ROMAN;
    p->wfe = p->rf.wfe_nm;
    p->jitter = p->rf.jitter_arcsec;
    ph_strlcpy(p->model_text, "romanfit", sizeof p->model_text);
    return PH_OK;
}

/* --model auto: the ePSF where the image's stars support one, else the
 * band's analytic model fitted to them (romanfit), else that model as it
 * is, with a warning that says why. */
static int auto_model(params *p, const image *im, const char *band, double x0, double y0,
                      stamp *sv, epsf_model *em, const char *path, int small)
{
    char why[600];
    if (small)
        snprintf(why, sizeof why, "a %ldx%ld image is too small for an empirical PSF", im->nx,
                 im->ny);
    else {
        int st = epsf_stamps(p, im, band, x0, y0, sv, em, path);
        if (!st) {
            p->model = M_EPSF;
            ph_strlcpy(p->model_text, "epsf", sizeof p->model_text);
            return PH_OK;
        }
        ph_strlcpy(why, ph_error_message(), sizeof why);
        ph_error_clear();
        epsf_free(em);
        memset(em, 0, sizeof *em);
        if (band[0]) {
            if (!roman_fit(p, im, band, path)) {
                ph_notice("%s: too few stars for an empirical PSF; the roman model fitted to %d "
                          "of them: wavefront error %.0f nm, jitter %.4f\" (median reduced chi^2 "
                          "%.2f)",
                          path, p->rf.nstars, p->rf.wfe_nm, p->rf.jitter_arcsec, p->rf.chi2);
                return PH_OK;
            }
            char w2[300];
            ph_strlcpy(w2, ph_error_message(), sizeof w2);
            ph_error_clear();
            size_t l = strlen(why);
            snprintf(why + l, sizeof why - l, "; %s", w2);
        }
    }
    if (!band[0])
        return ph_error(PH_EFAIL, path, "the image has no FILTER; give --band (auto: %s)", why);
    p->model = M_ROMAN;
    p->autofell = 1;
    ph_strlcpy(p->model_text, "roman", sizeof p->model_text);
    ph_warn("%s: %s; the band's analytic PSF (roman) is used, which knows neither this image's "
            "jitter nor its optics, so fluxes may be off by a few per cent (give --model "
            "file:PATTERN or a25:DIR with the image's own PSF)",
            path, why);
    return PH_OK;
}

static int run(params *p, const char *path)
{
    image im = {0};
    ph_timing_begin("read");
    int st, small = 0;
    if (p->model == M_EPSF || p->model == M_AUTO || p->model == M_ROMANFIT) {
        st = read_pixels(path, &im);
        /* auto: an image too small for an ePSF is read for its header */
        if (st && p->model == M_AUTO && im.nx > 0 && (im.nx < 64 || im.ny < 64)) {
            ph_error_clear();
            small = 1;
            st = PH_OK;
        }
    } else
        st = read_header(path, &im);
    ph_timing_end();

    /* Position. */
    double x0 = p->x, y0 = p->y, ra = p->ra, dec = p->dec;
    ph_wcs *w = NULL;
    if (!st) {
        int havewcs = !ph_wcs_from_header(im.hdr, path, &w);
        char why[600] = "no usable WCS";
        if (!havewcs) { /* kept to name a bad WCS, not just "no WCS" */
            ph_strlcpy(why, ph_error_message(), sizeof why);
            ph_error_clear();
        }
        if (p->have_ra) {
            if (!havewcs)
                st = ph_error(PH_EFAIL, path, "%s: cannot place RA, Dec (or give --x --y)", why);
            else if (ph_wcs_sky2pix(w, 1, &ra, &dec, &x0, &y0) || !isfinite(x0) || !isfinite(y0))
                st = ph_error(PH_EFAIL, path, "RA %.8g, Dec %.8g cannot be placed on the image",
                              ra, dec);
        } else if (havewcs)
            ph_wcs_pix2sky(w, 1, &x0, &y0, &ra, &dec);
        else
            ra = dec = NAN;
    }
    ph_wcs_free(w);
    if (!st && !(x0 >= -0.5 && x0 < im.nx - 0.5 && y0 >= -0.5 && y0 < im.ny - 0.5))
        st = ph_error(PH_EFAIL, path, "position (%.3f, %.3f) is off the %ldx%ld image", x0, y0,
                      im.nx, im.ny);
    /* Two stamps: [0] the primary (centred, or at the position's phase
     * with --at-position), [1] PHASED_PSF, always at the position's phase
     * (psfstamp.h). */
    stamp sv[2] = {{0}};
    sv[1].dx = x0 - floor(x0 + 0.5);
    sv[1].dy = y0 - floor(y0 + 0.5);
    if (p->at_position)
        sv[0].dx = sv[1].dx, sv[0].dy = sv[1].dy;

    /* Band, detector, pointing. */
    const char *band = p->band ? p->band : im.meta.band;
    long sca = p->sca >= 0 ? p->sca : im.meta.sca;
    const char *pointing = p->pointing ? p->pointing : im.meta.obsid;
    long n = p->size;
    for (int k = 0; k < 2 && !st; k++)
        if (!(sv[k].data = ph_malloc((size_t)n * n * sizeof *sv[k].data, "PSF stamp")))
            st = PH_EFAIL;
    epsf_model em = {0};
    ph_timing_begin("model");
    int auto_chosen = p->model == M_AUTO;
    if (!st && p->model == M_AUTO)
        st = auto_model(p, &im, band, x0, y0, sv, &em, path, small);
    else if (!st && p->model == M_EPSF)
        st = epsf_stamps(p, &im, band, x0, y0, sv, &em, path);
    else if (!st && p->model == M_ROMANFIT)
        st = roman_fit(p, &im, band, path);
    if (!st && (p->model == M_ROMAN || p->model == M_GAUSS) && !band[0])
        st = ph_error(PH_EFAIL, path, "the image has no FILTER; give --band");
    double fwhm = NAN;
    int oversamp = 1, ov_o = 0;
    char file[1024] = "";
    psf_file f = {0};
    model_ctx mc = {.p = p, .x0 = x0, .y0 = y0};
    if (!st && p->model == M_EPSF) {
        oversamp = em.oversamp;
        fwhm = epsf_fwhm(&em, x0, y0);
        mc.em = &em;
        ov_o = em.oversamp >= 2 ? em.oversamp : 0;
    } else if (!st && (p->model == M_ROMAN || p->model == M_GAUSS)) {
        st = roman_stamp(p, band, path, sv, 2, &fwhm, &mc.roman);
        ov_o = 8; /* analytic: exact at any phase; 8x resolves R062's band limit */
    } else if (!st && (p->model == M_FILE || p->model == M_A25)) {
        if (p->model == M_FILE) {
            st = psf_pattern_expand(p->pattern, band, sca, pointing, file, sizeof file, path);
            if (!st)
                st = psf_file_load(file, &f);
        } else
            st = a25_model(p->pattern, &im, band, sca, x0, y0, path, file, sizeof file, &f);
        if (!st && p->fourier >= 0)
            f.fourier = p->fourier;
        if (!st) {
            mc.file = &f;
            oversamp = f.oversamp;
            ov_o = f.oversamp >= 2 ? f.oversamp : 0;
            fwhm = psf_file_fwhm(&f, x0, y0);
            for (int k = 0; k < 2 && !st; k++)
                st = psf_file_stamp(&f, x0, y0, sv[k].dx, sv[k].dy, n, p->interp, sv[k].data,
                                    &sv[k].frac);
        }
    }
    ph_timing_end();

    /* The oversampled ePSF beside the stamps, for the tools that draw the
     * PSF at other phases or in another image's frame (ph-align,
     * ph-subtract). */
    ph_timing_begin("oversampled");
    ph_ovpsf ov = {0};
    if (!st && ov_o)
        st = psf_oversampled(model_stamp, &mc, ov_o, n, file[0] ? file : path, &ov);
    else if (!st)
        ph_notice("%s: the model is not oversampled (OVERSAMP 1): no EPSF HDU, so later "
                  "steps cannot draw this PSF at other phases",
                  file[0] ? file : path);
    ph_timing_end();

    ph_timing_begin("write");
    stamp_info si = {path, band, file[0] ? file : NULL, &im, x0, y0, ra, dec, fwhm, oversamp,
                     p->model == M_EPSF ? &em : NULL, auto_chosen, p->fitted ? &p->rf : NULL};
    if (!st)
        st = write_stamps(p, &si, &sv[0], &sv[1], ov.v ? &ov : NULL);
    ph_timing_end();
    if (!st)
        ph_info("%s PSF at (%.3f, %.3f), %ldx%ld, flux fraction %.5f; phase (%.3f, %.3f) in %s",
                p->model_text, x0, y0, n, n, sv[0].frac, sv[1].dx, sv[1].dy, PH_PSF_PHASED_HDU);
    epsf_free(&em);
    ph_ovpsf_free(&ov);
    if (mc.roman)
        ph_romanpsf_free(mc.roman);
    if (mc.file)
        psf_file_free(&f);
    free(sv[0].data);
    free(sv[1].data);
    image_free(&im);
    return st;
}

int main(int argc, char **argv)
{
    params p = {.size = 41, .sca = -1, .interp = PH_INTERP_BICUBIC, .fourier = -1, .jitter = NAN,
                .wfe = NAN, .obscur = NAN, .diffusion = NAN};
    epsf_defaults(&p.ep);
    p.ep.radius = 0;
    p.ep.saturate = NAN;
    ph_cli cli = {
        .tool = "ph-psf",
        .usage = "[OPTION]... IMAGE (--ra RA --dec DEC | --x X --y Y) -o PSF",
        .summary = "Write the PSF stamp of an image at a position: odd, sum 1, centred, and at "
                   "the position's phase.",
        .description =
            "IMAGE is a ph image (ph-skysub output) or an input image. The model is the\n"
            "analytic Roman PSF of the image's band (roman), a pixel-integrated Gaussian\n"
            "(gaussian:SIGMA), PSF model files (file:PATTERN, {band} {sca} {pointing}\n"
            "filled from the image), phrosty's A25 ePSF library (a25:DIR), or an empirical\n"
            "PSF built from the image's stars (epsf). Without --model,\n"
            "photometry.phrosty.psf.type of the config decides; with none, auto: epsf\n"
            "where the image's stars support it, else romanfit (roman with its wavefront\n"
            "error and jitter fitted to 3 or more stars), else roman with a warning.\n"
            "The primary image is the centred stamp (SFFT's); extension PHASED_PSF holds\n"
            "the PSF at the position's sub-pixel phase, the transient's own pixel profile,\n"
            "which ph-subtract carries and ph-decorr turns into the photometry's PSF.",
        .example = "ph-psf sci.fits --ra 7.551 --dec -44.807 -m roman -o psf.fits",
        .opts = opts,
        .pos_in = 1,
        .cfg_read = phrosty_keys,
        .handle = handle,
        .ctx = &p,
    };
    int st = ph_cli_parse(&cli, argc, argv);
    if (st < 0)
        return 0;
    if (!st && cli.npos != 1)
        st = ph_error(PH_EUSAGE, NULL, "expected one IMAGE, got %d arguments (try --help)",
                      cli.npos);
    if (!st && !p.output)
        st = ph_error(PH_EUSAGE, NULL, "-o/--output FILE is required");
    if (!st && (p.have_ra != p.have_dec || p.have_x != p.have_y))
        st = ph_error(PH_EUSAGE, NULL, "give --ra with --dec, and --x with --y");
    if (!st && p.have_ra == p.have_x)
        st = ph_error(PH_EUSAGE, NULL, "give the position as either --ra/--dec or --x/--y");
    if (!st && p.model == M_NONE)
        st = model_from_phrosty(&p, cli.cfg);
    if (!st)
        st = run(&p, cli.pos[0]);
    if (cli.timing)
        ph_timing_report();
    ph_cli_free(&cli);
    return st ? ph_report_error() : 0;
}
