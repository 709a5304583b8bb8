/* ph-phot -- forced PSF photometry of the transient on the decorrelated
 * difference and a zero point (phrosty's steps 8-9; pipeline-spec.md
 * "Photometry", pipeline-reference.md §4).
 *
 *   ph-phot DECORR_FILE --ra RA --dec DEC [--catalog STARS] -o row.csv
 *
 * Reads ph-decorr's output (HACKING.md "Decorrelated file") and writes the
 * "Photometry row" (common/lightcurve.h). A measurement that cannot be made
 * still writes the row, with success False and NaN measurements, prints
 * one error line and exits 1, so that the pipeline keeps the pair.
 */
#include "bands.h"
#include "catalog.h"
#include "cli.h"
#include "csv.h"
#include "fits.h"
#include "gpu.h"
#include "inimage.h"
#include "io.h"
#include "lightcurve.h"
#include "atomicfile.h"
#include "log.h"
#include "ph_cuda.h" /* the GPU engine, under PH_WITH_CUDA */
#include "phimage.h"
#include "phot.h"
#include "timing.h"
#include "util.h"
#include "wcs.h"
#include "zeropoint.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The transient's fit is said to be poor beyond this reduced chi^2 (plus
 * the 3% model-error allowance): over a 5x5 box, pure noise exceeds 4 with
 * a probability of 1e-10. */
#define PHOT_FIT_CHI2_MAX 4.0

enum { K_RA = 256, K_DEC, K_X, K_Y, K_CATALOG, K_CATFMT, K_MAGS, K_MINSTARS, K_ZPTAP, K_FITSIZE,
       K_ANNULUS, K_APERTURE, K_SUBPIX, K_NOAPCORR, K_STAMPS, K_STAMPSIZE, K_ALIGNED, K_SCIIMG, K_TPLIMG, K_STARTABLE,
       K_DEVICE, K_LOCK, K_SLOTS, K_PSF, K_ZPT, K_DIFF };

typedef struct phot_opts {
    const char *output;
    double ra, dec, x0, y0;
    const char *catalog;
    int catfmt;
    double mag_lo, mag_hi;
    long min_stars;
    double zpt_aperture; /* > 0: catalogue stars by aperture of this radius; 0: PSF fit */
    ph_fit_opts fit;
    double aperture;
    long subpixels; /* 0: exact overlap */
    int no_apcorr;  /* fluxes of the normalised stamp, as phrosty */
    const char *stamps, *aligned, *star_table;
    const char *psf;      /* zero-point mode: the PSF stamp (default: the image's PSF HDU) */
    const char *zpt_file; /* the science image's zero-point file */
    const char *sci_image, *tpl_image; /* original images for stamp_<S>, stamp_<T> */
    const char *diff;                  /* the difference before decorrelation: stamp_diff_ */
    long stamp_size;
    ph_device device;
    const char *gpu_lock;
    long gpu_slots;
} phot_opts;

static const ph_opt opts[] = {
    {"output", 'o', "FILE", "the photometry row (CSV) to write (required)", "", PH_OPT_OUT},
    {"ra", K_RA, "DEG", "transient RA (with --dec; through the DECORR_DIFF WCS)", "", 0},
    {"dec", K_DEC, "DEG", "transient Dec", "", 0},
    {"x", K_X, "X0", "transient column, 0-based (with --y; instead of --ra/--dec)", "", 0},
    {"y", K_Y, "Y0", "transient row, 0-based", "", 0},
    {"catalog", K_CATALOG, "FILE",
     "stars for a zero point: OpenUniverse2024 truth file or CSV ra,dec,mag (default: header ZPT)",
     "", PH_OPT_IN},
    {"zpt", K_ZPT, "FILE",
     "the science image's zero point: the file ph-phot SKY_IMAGE --catalog wrote", "", PH_OPT_IN},
    {"science-psf", K_PSF, "FILE",
     "zero-point mode: the image's PSF stamp (ph-psf; default: the image's PSF HDU)", "",
     PH_OPT_IN},
    {"catalog-format", K_CATFMT, "auto|truth|csv", "catalogue format (auto)", NULL, 0},
    {"mag-range", K_MAGS, "LO,HI", "AB range of the zero-point stars (19,21.5)", NULL, 0},
    {"zpt-aperture", K_ZPTAP, "R|psf",
     "catalogue stars measured in an aperture of R px over the PSF's own (4), or psf: the PSF fit "
     "(phrosty; biased for undersampled PSFs)", NULL, 0},
    {"min-stars", K_MINSTARS, "N", "fewest stars for a catalogue zero point (3)", NULL, 0},
    {"fit-size", K_FITSIZE, "N", "odd side of the PSF fit box, px (5)", NULL, 0},
    {"annulus", K_ANNULUS, "RIN,ROUT", "local sky annulus, px, or none (15,25)", NULL, 0},
    {"aperture", K_APERTURE, "R", "aperture_sum radius, px (3)", NULL, 0},
    {"aperture-subpixels", K_SUBPIX, "N",
     "0: exact pixel/circle overlap (default); N: photutils' subpixel method (phrosty: 5)", NULL, 0},
    {"no-aperture-correction", K_NOAPCORR, NULL,
     "fluxes of the normalised DECORR_PSF as phrosty (default: divided by PSFFRAC x (1 - "
     "PSFLOSS), the model flux the stamp holds)", NULL, 0},
    {"stamps", K_STAMPS, "DIR", "write phrosty's stamps around the transient into DIR", "",
     PH_OPT_DIR},
    {"stamp-size", K_STAMPSIZE, "N", "stamp side, px (100)", NULL, 0},
    {"aligned", K_ALIGNED, "FILE", "aligned template (ph-align output) for its stamp", "",
     PH_OPT_IN},
    {"diff", K_DIFF, "FILE", "difference before decorrelation (ph-subtract output, or one image) "
                             "for stamp_diff_", "", PH_OPT_IN},
    {"science-image", K_SCIIMG, "FILE", "original science image (its SCI) for stamp_<S>", "",
     PH_OPT_IN},
    {"template-image", K_TPLIMG, "FILE", "original template image for stamp_<T> (through its "
                                         "WCS)", "", PH_OPT_IN},
    {"star-table", K_STARTABLE, "FILE", "write every catalogue star's fit (CSV)", "", PH_OPT_OUT},
    {"device", K_DEVICE, "auto|cpu|gpu", "where the star fits run (auto)", NULL, 0},
    {"gpu-lock", K_LOCK, "PATH", "GPU lock (default $TMPDIR/phrosty-gpu.lock; none: no lock)",
     NULL, 0},
    {"gpu-slots", K_SLOTS, "N", "jobs allowed on the GPU at once (1)", NULL, 0},
    /* old spellings, accepted until the next release */
    {"sci-image", 0, "FILE", "science-image", "", PH_OPT_ALIAS | PH_OPT_OLD},
    {"tpl-image", 0, "FILE", "template-image", "", PH_OPT_ALIAS | PH_OPT_OLD},
    {"psf", 0, "FILE", "science-psf", "", PH_OPT_ALIAS | PH_OPT_OLD},
    {NULL, 0, NULL, NULL, NULL, 0},
};

static int pair_arg(ph_cli *cli, const char *arg, double *a, double *b)
{
    char buf[128], *comma;
    ph_strlcpy(buf, arg, sizeof buf);
    if (!(comma = strchr(buf, ',')))
        return ph_cli_bad(cli, "'%s' is not two numbers LO,HI", arg);
    *comma = 0;
    if (ph_parse_double(buf, a) || ph_parse_double(comma + 1, b) || !isfinite(*a) ||
        !isfinite(*b))
        return ph_cli_bad(cli, "'%s' is not two numbers LO,HI", arg);
    if (!(*a < *b))
        return ph_cli_bad(cli, "'%s': the first value must be below the second", arg);
    return PH_OK;
}

static int handle(ph_cli *cli, int key, const char *arg)
{
    phot_opts *o = cli->ctx;
    int idx;
    long v;
    switch (key) {
    case 'o': o->output = arg; return PH_OK;
    case K_RA: return ph_cli_double_range(cli, arg, -360, 360, &o->ra);
    case K_DEC: return ph_cli_double_range(cli, arg, -90, 90, &o->dec);
    case K_X: return ph_cli_double_range(cli, arg, -1e9, 1e9, &o->x0);
    case K_Y: return ph_cli_double_range(cli, arg, -1e9, 1e9, &o->y0);
    case K_CATALOG: o->catalog = arg; return PH_OK;
    case K_ZPT: o->zpt_file = arg; return PH_OK;
    case K_PSF: o->psf = arg; return PH_OK;
    case K_CATFMT:
        if (ph_cli_choice(cli, arg, "auto|truth|csv", &idx))
            return PH_EUSAGE;
        o->catfmt = idx;
        return PH_OK;
    case K_MAGS: return pair_arg(cli, arg, &o->mag_lo, &o->mag_hi);
    case K_ZPTAP:
        if (!strcmp(arg, "psf")) {
            o->zpt_aperture = 0;
            return PH_OK;
        }
        return ph_cli_double_range(cli, arg, 0.5, 100, &o->zpt_aperture);
    case K_MINSTARS: return ph_cli_long(cli, arg, 1, 1000000, &o->min_stars);
    case K_FITSIZE:
        if (ph_cli_long(cli, arg, 1, 51, &v))
            return PH_EUSAGE;
        if (v % 2 == 0)
            return ph_cli_bad(cli, "%ld is even; the fit box must be odd", v);
        o->fit.box = (int)v;
        return PH_OK;
    case K_ANNULUS:
        if (!strcmp(arg, "none")) {
            o->fit.r_in = o->fit.r_out = 0;
            return PH_OK;
        }
        if (pair_arg(cli, arg, &o->fit.r_in, &o->fit.r_out))
            return PH_EUSAGE;
        if (o->fit.r_in < 0 || o->fit.r_out > 1000)
            return ph_cli_bad(cli, "'%s': radii must lie in 0 ... 1000 px", arg);
        return PH_OK;
    case K_APERTURE: return ph_cli_double_range(cli, arg, 0.1, 1000, &o->aperture);
    case K_SUBPIX: return ph_cli_long(cli, arg, 0, 100, &o->subpixels);
    case K_NOAPCORR: o->no_apcorr = 1; return PH_OK;
    case K_STAMPS: o->stamps = arg; return PH_OK;
    case K_STAMPSIZE: return ph_cli_long(cli, arg, 2, 10000, &o->stamp_size);
    case K_ALIGNED: o->aligned = arg; return PH_OK;
    case K_SCIIMG: o->sci_image = arg; return PH_OK;
    case K_TPLIMG: o->tpl_image = arg; return PH_OK;
    case K_DIFF: o->diff = arg; return PH_OK;
    case K_STARTABLE: o->star_table = arg; return PH_OK;
    case K_DEVICE:
        if (ph_device_parse(arg, &o->device))
            return ph_cli_bad(cli, "'%s' is not one of auto|cpu|gpu", arg);
        return PH_OK;
    case K_LOCK: o->gpu_lock = arg; return PH_OK;
    case K_SLOTS: return ph_cli_long(cli, arg, 1, 64, &o->gpu_slots);
    }
    return ph_cli_bad(cli, "unexpected option");
}

static int check_usage(const ph_cli *cli, const phot_opts *o)
{
    if (cli->npos != 1)
        return ph_error(PH_EUSAGE, NULL, "expected one decorrelated file, got %d (try --help)",
                        cli->npos);
    if (!o->output)
        return ph_error(PH_EUSAGE, NULL, "no output: give -o FILE");
    if (strcmp(o->output, "-") && !strcmp(o->output, cli->pos[0]))
        return ph_error(PH_EUSAGE, NULL, "the output %s would replace the input", o->output);
    int sky = !isnan(o->ra) || !isnan(o->dec), pix = !isnan(o->x0) || !isnan(o->y0);
    if (sky && pix)
        return ph_error(PH_EUSAGE, NULL, "give --ra/--dec or --x/--y, not both");
    if (!sky && !pix)
        return ph_error(PH_EUSAGE, NULL, "no position: give --ra and --dec (or --x and --y)");
    if (sky && (isnan(o->ra) || isnan(o->dec)))
        return ph_error(PH_EUSAGE, NULL, "--ra and --dec go together");
    if (pix && (isnan(o->x0) || isnan(o->y0)))
        return ph_error(PH_EUSAGE, NULL, "--x and --y go together");
    if (o->star_table && !o->catalog)
        return ph_error(PH_EUSAGE, NULL, "--star-table needs --catalog");
    if (o->zpt_file && o->catalog)
        return ph_error(PH_EUSAGE, NULL, "--zpt and --catalog both give the zero point; give one");
    if (o->psf)
        return ph_error(PH_EUSAGE, NULL, "--science-psf is for the zero point of a ph image; a "
                        "decorrelated file has its DECORR_PSF");
    if ((o->aligned || o->sci_image || o->tpl_image || o->diff) && !o->stamps)
        return ph_error(PH_EUSAGE, NULL, "--%s is only read for --stamps",
                        o->aligned ? "aligned" : o->sci_image ? "science-image"
                                             : o->tpl_image ? "template-image" : "diff");
    if (o->fit.r_out > 0 && o->fit.r_in >= o->fit.r_out)
        return ph_error(PH_EUSAGE, NULL, "--annulus: the inner radius must be below the outer");
    return PH_OK;
}

/* ---- the run ---- */

typedef struct phot_run {
    const phot_opts *o;
    const char *path;
    ph_phot_input in;
    ph_psf_spline spline;
    ph_wcs *wcs;
    ph_lc_row row;
    double x0, y0;
    ph_phot_meas meas;
    ph_phot_psf_model model; /* DECORR_PSF: phased or centred, aperture correction */
    int use_gpu; /* the star fits run on the GPU */
} phot_run;

static void fill_identity(phot_run *r)
{
    const ph_meta *s = &r->in.sci, *t = &r->in.tpl;
    ph_lc_row *w = &r->row;
    w->mjd = s->mjd;
    w->zpt = s->zpt;
    w->sky_rms = s->skyrms;
    ph_strlcpy(w->observation_id, s->obsid, sizeof w->observation_id);
    w->sca = s->sca;
    ph_strlcpy(w->science_name, s->name, sizeof w->science_name);
    ph_strlcpy(w->template_name, t->name, sizeof w->template_name);
    ph_strlcpy(w->science_id, s->id, sizeof w->science_id);
    ph_strlcpy(w->template_id, t->id, sizeof w->template_id);
    ph_strlcpy(w->template_observation_id, t->obsid, sizeof w->template_observation_id);
    w->template_sca = t->sca;
    w->nea = r->spline.nea;
    /* how clean the difference is: ph-decorr's static-star residuals */
    double v;
    if (!ph_header_get_double(r->in.hdr, "RESNSTAR", &v)) {
        w->res_nstars = v;
        if (ph_header_get_double(r->in.hdr, "RESZMED", &w->res_zmed))
            w->res_zmed = NAN;
        if (ph_header_get_double(r->in.hdr, "RESZP90", &w->res_zp90))
            w->res_zp90 = NAN;
    }
}

static int locate(phot_run *r)
{
    const phot_opts *o = r->o;
    if (isnan(o->ra)) {
        r->x0 = o->x0, r->y0 = o->y0;
        return PH_OK;
    }
    if (ph_wcs_from_header(r->in.hdr, r->path, &r->wcs))
        return PH_EFAIL;
    return ph_wcs_sky2pix_one(r->wcs, o->ra, o->dec, &r->x0, &r->y0);
}

static int measure(phot_run *r)
{
    const phot_opts *o = r->o;
    ph_fit_plane p = {r->in.diff, r->in.var, r->in.mask, PH_MASK_BAD | PH_MASK_OUTSIDE,
                      r->in.nx, r->in.ny};
    ph_fit_opts fo = o->fit;
    fo.full_box = 0;
    ph_timing_begin("transient");
    /* A phased DECORR_PSF already holds the transient's sub-pixel offset:
     * the spline puts its centre pixel on the transient's pixel, unshifted. */
    double fx = r->x0 - r->model.dx, fy = r->y0 - r->model.dy;
    int st = ph_phot_measure_at(&p, &r->spline, &fo, r->x0, r->y0, fx, fy, r->model.apcorr,
                                o->aperture, (int)o->subpixels, o->stamp_size, &r->meas);
    ph_timing_end();
    if (st)
        return st;
    r->row.pix_x0 = r->x0, r->row.pix_y0 = r->y0;
    if (r->meas.fit.status != PH_FIT_OK)
        return ph_error(PH_EFAIL, r->path, "transient at pixel (%.3f, %.3f) of %ldx%ld: %s",
                        r->x0, r->y0, r->in.nx, r->in.ny, ph_fit_status_text(r->meas.fit.status));
    r->row.flux = r->meas.fit.flux;
    r->row.flux_err = r->meas.fit.flux_err;
    r->row.aperture_sum = r->meas.aperture_sum;
    r->row.mag = r->meas.mag;
    r->row.mag_err = r->meas.mag_err;
    ph_info("transient at (%.3f, %.3f): flux %.6g +- %.6g, local sky %.4g, aperture %.6g",
            r->x0, r->y0, r->row.flux, r->row.flux_err, r->meas.fit.sky, r->row.aperture_sum);
    /* Nothing silently wrong: a fit box the model does not describe (a
     * static star under the transient left by the subtraction, a cosmic
     * ray) gives a flux that looks fine and is not. */
    double allow, chi2 = ph_phot_fit_chi2(&p, &r->spline, &fo, fx, fy,
                                          r->meas.fit.flux * r->model.apcorr, r->meas.fit.sky,
                                          &allow);
    if (isfinite(chi2) && chi2 > PHOT_FIT_CHI2_MAX + allow)
        ph_warn("%s: the PSF fit at the transient leaves reduced chi^2 %.1f over its %dx%d box "
                "(about 1 for a point source on the noise): a source or a subtraction residual "
                "under it biases the flux; look at the difference there",
                r->path, chi2, fo.box, fo.box);
    else if (isfinite(chi2))
        ph_info("PSF fit: reduced chi^2 %.2f", chi2);
    return PH_OK;
}

/* The star fits on the chosen device (ph_zp_fitter). */
static int fit_stars(const ph_zp_opts *o, const ph_psf_spline *s, const ph_fit_plane *p,
                     const ph_fit_opts *fo, long n, const double *x, const double *y,
                     ph_fit_result *res)
{
#ifdef PH_WITH_CUDA
    if (o->use_gpu) {
        int fd = -1;
        if (ph_gpu_lock_option(o->gpu_lock, (int)o->gpu_slots, &fd))
            return PH_EFAIL;
        ph_psffit_gpu *g = ph_psffit_gpu_new(p, s, fo);
        int st = g ? ph_psffit_gpu_run(g, n, x, y, res) : PH_EFAIL;
        if (g)
            ph_info("star fits on %s", ph_psffit_gpu_desc(g));
        ph_psffit_gpu_free(g);
        ph_gpu_unlock(fd);
        if (!st || o->device == PH_DEVICE_GPU)
            return st;
        ph_notice("the GPU star fit failed (%s); running on the CPU", ph_error_message());
        ph_error_clear();
    }
#else
    (void)o;
#endif
    return ph_psffit_batch(p, s, fo, n, x, y, res);
}

/* The zero-point options as ph_zp_measure takes them. */
static ph_zp_opts zp_opts(const phot_opts *o, int use_gpu)
{
    return (ph_zp_opts){o->catalog, o->catfmt, o->mag_lo, o->mag_hi, o->min_stars,
                        o->zpt_aperture, o->fit, o->star_table, fit_stars, use_gpu, o->device,
                        o->gpu_lock, o->gpu_slots};
}

/* Too few catalogue stars: the header zero point, with a warning (a
 * measured flux never fails for its zero point). */
static int header_fallback(const char *what, const phot_opts *o, long nused, double hdr_zpt,
                           double *zpt, char *source, size_t size)
{
    *zpt = NAN;
    if (!isfinite(hdr_zpt))
        return ph_error(PH_EFAIL, o->catalog, "only %ld catalogue star%s with %g < mag < %g "
                        "measured on %s (--min-stars %ld), and no header zero point",
                        nused, nused == 1 ? "" : "s", o->mag_lo, o->mag_hi, what, o->min_stars);
    ph_warn("%s: only %ld catalogue star%s with %g < mag < %g measured on %s (--min-stars %ld): "
            "using the header zero point %.4f (zpt_source header)", o->catalog, nused,
            nused == 1 ? "" : "s", o->mag_lo, o->mag_hi, what, o->min_stars, hdr_zpt);
    *zpt = hdr_zpt;
    ph_strlcpy(source, "header", size);
    return PH_OK;
}

/* The zero-point file belongs to this pair's science image. */
static int zpt_file_matches(const phot_run *r, const ph_zp_file *z)
{
    const ph_meta *s = &r->in.sci;
    int differ = (z->observation_id[0] && s->obsid[0] && strcmp(z->observation_id, s->obsid)) ||
                 (z->sca >= 0 && s->sca >= 0 && z->sca != s->sca) ||
                 (z->science_name[0] && s->name[0] && strcmp(z->science_name, s->name));
    if (differ)
        return ph_error(PH_EFAIL, r->o->zpt_file, "the zero point of science image %s "
                        "(observation %s, SCA %ld), but %s's science image is %s (observation %s, "
                        "SCA %ld)", z->science_name, z->observation_id, z->sca, r->path, s->name,
                        s->obsid, s->sca);
    return PH_OK;
}

static int zeropoint(phot_run *r)
{
    const phot_opts *o = r->o;
    double hdr_zpt = r->row.zpt;
    if (o->zpt_file) {
        ph_zp_file z;
        int st = ph_zp_file_read(o->zpt_file, &z);
        if (!st)
            st = zpt_file_matches(r, &z);
        if (st)
            return st;
        r->row.zpt = z.zpt;
        ph_strlcpy(r->row.zpt_source, z.zpt_source, sizeof r->row.zpt_source);
        r->row.zpt_nstars = z.zpt_nstars;
        r->row.zpt_scatter = z.zpt_scatter;
        return PH_OK;
    }
    if (!o->catalog) {
        ph_strlcpy(r->row.zpt_source, "header", sizeof r->row.zpt_source);
        r->row.zpt_nstars = 0;
        if (!isfinite(r->row.zpt))
            return ph_error(PH_EFAIL, r->path,
                            "no zero point: the header has no ZPT and no band/EXPTIME to make "
                            "one (give --catalog or --zpt)");
        return PH_OK;
    }
    /* per pair, on DECORR_SCI: only where the template overlaps */
    ph_strlcpy(r->row.zpt_source, "catalog", sizeof r->row.zpt_source);
    ph_zp_opts zo = zp_opts(o, r->use_gpu);
    ph_zp_image im = {r->path, r->in.zpimg, r->in.var, r->in.mask, r->in.nx, r->in.ny, r->in.hdr,
                      r->in.sci.exptime, r->in.psf.data, r->in.psf.n, &r->spline, r->model.dx,
                      r->model.dy, r->model.apcorr};
    ph_zp_result zr;
    int st = ph_zp_measure(&zo, &im, &zr);
    if (st)
        return st;
    r->row.zpt = zr.zpt;
    r->row.zpt_scatter = zr.scatter;
    r->row.zpt_nstars = (double)zr.nused;
    if (zr.nused < o->min_stars) {
        r->row.zpt_scatter = NAN;
        return header_fallback("DECORR_SCI", o, zr.nused, hdr_zpt, &r->row.zpt,
                               r->row.zpt_source, sizeof r->row.zpt_source);
    }
    return PH_OK;
}

static int write_stamps(phot_run *r)
{
    const phot_opts *o = r->o;
    const ph_phot_input *in = &r->in;
    const char *S = in->sci.name[0] ? in->sci.name : "science";
    const char *T = in->tpl.name[0] ? in->tpl.name : "template";
    ph_timing_begin("stamps");
    int st = ph_mkdir_p(o->stamps);
    struct { const char *what; const float *plane; } s[] = {
        {"decorr_diff", in->diff}, {"diff_var", in->var}, {"decorr_zptimg", in->zpimg}};
    for (size_t i = 0; i < sizeof s / sizeof *s && !st; i++)
        st = ph_phot_write_stamp(o->stamps, s[i].what, S, T, s[i].plane, in->nx, in->ny, in->hdr,
                                 r->x0, r->y0, o->stamp_size);
    if (!st && o->aligned) {
        ph_image al;
        st = ph_image_read(o->aligned, PH_PLANE_SCI, &al);
        if (!st && (al.nx != in->nx || al.ny != in->ny))
            st = ph_error(PH_EFAIL, o->aligned,
                          "the aligned template is %ldx%ld, the difference %ldx%ld", al.nx,
                          al.ny, in->nx, in->ny);
        if (!st)
            st = ph_phot_write_stamp(o->stamps, "aligned", S, T, al.sci, al.nx, al.ny, al.hdr,
                                     r->x0, r->y0, o->stamp_size);
        ph_image_free(&al);
    }
    if (!st && o->diff) { /* phrosty's stamp_diff_: the difference before decorrelation */
        long nx = 0, ny = 0;
        float *plane = NULL;
        ph_header *h = NULL;
        st = ph_phot_read_plane(o->diff, "DIFF", &nx, &ny, &plane, &h);
        if (!st && (nx != in->nx || ny != in->ny))
            st = ph_error(PH_EFAIL, o->diff, "the difference is %ldx%ld, DECORR_DIFF %ldx%ld", nx,
                          ny, in->nx, in->ny);
        if (!st)
            st = ph_phot_write_stamp(o->stamps, "diff", S, T, plane, nx, ny, h, r->x0, r->y0,
                                     o->stamp_size);
        free(plane);
        ph_header_free(h);
    }
    /* the original images, each through its own WCS at the transient's sky
     * position (phrosty's stamp_<S>, stamp_<T>: raw SCI, sky included) */
    const char *orig[2] = {o->sci_image, o->tpl_image}, *names[2] = {S, T};
    double ra = o->ra, dec = o->dec;
    if (!st && (orig[0] || orig[1]) && isnan(ra)) {
        if (!r->wcs)
            st = ph_wcs_from_header(in->hdr, r->path, &r->wcs);
        if (!st)
            st = ph_wcs_pix2sky(r->wcs, 1, &r->x0, &r->y0, &ra, &dec);
    }
    for (int k = 0; k < 2 && !st; k++) {
        if (!orig[k])
            continue;
        ph_input_lite im;
        ph_wcs *w = NULL;
        double x, y;
        st = ph_input_read_lite(orig[k], NULL, PH_NOISE_NO, &im);
        if (!st)
            st = ph_wcs_from_header(im.hdr, orig[k], &w);
        if (!st)
            st = ph_wcs_sky2pix(w, 1, &ra, &dec, &x, &y);
        if (!st && !(isfinite(x) && isfinite(y)))
            st = ph_error(PH_EFAIL, orig[k], "the transient has no pixel position in its WCS");
        if (!st)
            st = ph_phot_write_stamp(o->stamps, NULL, names[k], NULL, im.sci, im.nx, im.ny,
                                     im.hdr, x, y, o->stamp_size);
        ph_wcs_free(w);
        ph_input_lite_free(&im);
    }
    ph_timing_end();
    return st;
}

static int run(phot_run *r)
{
    const phot_opts *o = r->o;
    ph_timing_begin("read");
    int st = ph_phot_input_read(r->path, o->catalog || o->stamps, &r->in);
    ph_timing_end();
    if (st)
        return st;
    if (ph_psf_spline_init(&r->spline, r->in.psf.data, r->in.psf.n)) {
        char msg[1024];
        ph_strlcpy(msg, ph_error_message(), sizeof msg);
        ph_error_clear();
        return ph_error(PH_EFAIL, r->path, "DECORR_PSF: %s", msg);
    }
    fill_identity(r);
    ph_phot_psf_model_read(r->in.psf.hdr, &r->model);
    if (o->no_apcorr)
        r->model.apcorr = 1.0;
    /* the device only matters for the star fits; --device gpu without a
     * GPU is an error all the same */
    ph_gpu_info info;
    if (((o->catalog && o->zpt_aperture == 0) || o->device == PH_DEVICE_GPU) &&
        ph_device_resolve(o->device, &r->use_gpu, &info))
        return PH_EFAIL;
    if (!isfinite(r->row.mjd)) /* a row without its epoch is no light-curve point */
        return ph_error(PH_EFAIL, r->path, "DECORR_DIFF has no MJD-OBS: the row would have no "
                        "epoch");
    if ((st = locate(r)))
        return st;
    if (!(r->x0 >= -0.5 && r->x0 < r->in.nx - 0.5 && r->y0 >= -0.5 && r->y0 < r->in.ny - 0.5))
        return ph_error(PH_EFAIL, r->path, "transient at pixel (%.3f, %.3f) of %ldx%ld: position "
                        "off the image", r->x0, r->y0, r->in.nx, r->in.ny);
    if (r->model.phased && (fabs(r->model.psfx - r->x0) > 0.02 || fabs(r->model.psfy - r->y0) > 0.02))
        return ph_error(PH_EFAIL, r->path, "DECORR_PSF was drawn for pixel (%.3f, %.3f) but the "
                        "transient is at (%.3f, %.3f); make the science PSF (ph-psf) at the "
                        "transient's position", r->model.psfx, r->model.psfy, r->x0, r->y0);
    double phx = r->x0 - floor(r->x0 + 0.5), phy = r->y0 - floor(r->y0 + 0.5);
    if (!r->model.phased && hypot(phx, phy) > 0.05)
        ph_info("%s: DECORR_PSF is centred: shifted by interpolation to the transient's phase "
                "(%.2f, %.2f), biased for an undersampled PSF (ph-decorr makes it at the phase "
                "from ph-psf's PHASED_PSF)", r->path, phx, phy);
    if (r->model.phased || r->model.apcorr != 1.0)
        ph_info("DECORR_PSF: %s, aperture correction %.5f",
                r->model.phased ? "drawn at the transient's phase" : "centred, shifted by spline",
                r->model.apcorr);
    if ((st = measure(r)))
        return st;
    if ((st = zeropoint(r)))
        return st;
    if (o->stamps)
        st = write_stamps(r);
    return st;
}

/* ---- zero-point mode: a science image's field-star zero point ---- */

/* A ph image (SCI, VAR, MASK; not a decorrelated file). */
static int is_ph_image(const char *path)
{
    ph_fits fp;
    if (ph_fits_open(&fp, path)) {
        ph_error_clear(); /* the pair mode says what is wrong with it */
        return 0;
    }
    int yes = !ph_fits_has_hdu(&fp, "DECORR_DIFF") && ph_fits_has_hdu(&fp, "SCI") &&
              ph_fits_has_hdu(&fp, "VAR") && ph_fits_has_hdu(&fp, "MASK");
    ph_fits_close(&fp);
    return yes;
}

static int check_usage_zp(const phot_opts *o)
{
    const char *pair = !isnan(o->ra) || !isnan(o->dec) ? "--ra/--dec"
                       : !isnan(o->x0) || !isnan(o->y0) ? "--x/--y"
                       : o->stamps                       ? "--stamps"
                       : o->zpt_file                     ? "--zpt"
                       : o->aligned                      ? "--aligned"
                       : o->diff                         ? "--diff"
                       : o->sci_image || o->tpl_image    ? "--science-image/--template-image"
                                                         : NULL;
    if (!o->catalog)
        return ph_error(PH_EUSAGE, NULL, "a ph image is given: ph-phot measures its zero point, "
                        "which needs --catalog STARS (the transient is measured on ph-decorr's "
                        "file)");
    if (pair)
        return ph_error(PH_EUSAGE, NULL, "%s is for a decorrelated file; a ph image only gets "
                        "its zero point", pair);
    if (!o->output)
        return ph_error(PH_EUSAGE, NULL, "no output: give -o FILE");
    return PH_OK;
}

/* The zero point of a sky-subtracted science image over its whole field,
 * on the flux scale of its decorrelated differences (zeropoint.h). */
static int run_zp(const phot_opts *o, const char *path)
{
    ph_image im = {0};
    ph_psf psf = {0};
    ph_psf_spline spline = {0};
    ph_timing_begin("read");
    int st = ph_image_read(path, PH_PLANE_ALL, &im);
    if (!st && o->psf)
        st = ph_psf_read(o->psf, NULL, &psf);
    else if (!st && im.psf) {
        psf.n = im.psf_size;
        psf.data = im.psf;
        im.psf = NULL;
    } else if (!st)
        st = ph_error(PH_EUSAGE, path, "no PSF HDU: give the image's PSF stamp with --science-psf");
    ph_timing_end();
    ph_phot_psf_model model = {0};
    if (!st) {
        ph_phot_psf_model_read(psf.hdr, &model);
        if (ph_psf_spline_init(&spline, psf.data, psf.n)) {
            char msg[1024];
            ph_strlcpy(msg, ph_error_message(), sizeof msg);
            ph_error_clear();
            st = ph_error(PH_EFAIL, o->psf ? o->psf : path, "PSF: %s", msg);
        }
    }
    int use_gpu = 0;
    ph_gpu_info info;
    if (!st && (o->zpt_aperture == 0 || o->device == PH_DEVICE_GPU))
        st = ph_device_resolve(o->device, &use_gpu, &info);
    ph_zp_result zr;
    if (!st) {
        ph_zp_opts zo = zp_opts(o, use_gpu);
        ph_zp_image zi = {path, im.sci, im.var, im.mask, im.nx, im.ny, im.hdr, im.meta.exptime,
                          psf.data, psf.n, &spline, model.dx, model.dy, model.apcorr};
        st = ph_zp_measure(&zo, &zi, &zr);
    }
    ph_zp_file z = {.sca = im.meta.sca, .mjd = im.meta.mjd, .zpt_header = im.meta.zpt};
    if (!st) {
        ph_strlcpy(z.science_name, im.meta.name, sizeof z.science_name);
        ph_strlcpy(z.observation_id, im.meta.obsid, sizeof z.observation_id);
        ph_strlcpy(z.band, im.meta.band, sizeof z.band);
        ph_strlcpy(z.catalog, ph_path_basename(o->catalog), sizeof z.catalog);
        ph_zp_method(o->zpt_aperture, z.method, sizeof z.method);
        z.zpt = zr.zpt;
        z.zpt_nstars = (double)zr.nused;
        z.zpt_scatter = zr.scatter;
        z.ncatalog = (double)zr.ncatalog;
        ph_strlcpy(z.zpt_source, "catalog", sizeof z.zpt_source);
        if (zr.nused < o->min_stars) {
            z.zpt_scatter = NAN;
            st = header_fallback(path, o, zr.nused, im.meta.zpt, &z.zpt, z.zpt_source,
                                 sizeof z.zpt_source);
        }
    }
    if (!st) {
        ph_timing_begin("write");
        st = ph_zp_file_write(o->output, &z);
        ph_timing_end();
        ph_info("%s: zero point %.5f (%s, %g stars, scatter %.4f mag) -> %s", path, z.zpt,
                z.zpt_source, z.zpt_nstars, z.zpt_scatter, o->output);
    }
    ph_psf_spline_free(&spline);
    ph_psf_free(&psf);
    ph_image_free(&im);
    return st;
}

/* The row, success or not: written atomically. */
static int write_row(const char *path, const ph_lc_row *row)
{
    ph_atomic a;
    if (ph_atomic_open(&a, path))
        return PH_EFAIL;
    ph_lc_write_header(a.f);
    ph_lc_write_row(a.f, row);
    return ph_atomic_commit(&a);
}

int main(int argc, char **argv)
{
    phot_opts o = {.ra = NAN, .dec = NAN, .x0 = NAN, .y0 = NAN, .mag_lo = 19, .mag_hi = 21.5,
                   .min_stars = 3, .zpt_aperture = 4, .fit = {.box = 5, .r_in = 15, .r_out = 25}, .aperture = 3,
                   .stamp_size = 100, .gpu_slots = 1};
    ph_cli cli = {
        .tool = "ph-phot",
        .usage = "[OPTION]... DECORR_FILE (--ra RA --dec DEC | --x X0 --y Y0) -o ROW.csv\n"
                 "  or:  ph-phot [OPTION]... SKY_IMAGE --catalog STARS [--science-psf PSF] -o ZPT.csv",
        .summary = "Forced PSF photometry of a transient on a decorrelated difference; zero point.",
        .description =
            "Reads ph-decorr's file (DECORR_DIFF, DIFF_VAR, MASK, DECORR_PSF, DECORR_SCI).\n"
            "At the fixed position, DECORR_PSF shifted by its bicubic interpolating spline\n"
            "(photutils' ImagePSF) is fitted, linear in the flux, to the fit box of\n"
            "DECORR_DIFF weighted by 1/DIFF_VAR after subtracting the annulus MMM sky;\n"
            "flux_err = 1/sqrt(sum P^2/var). aperture_sum: exact pixel/circle overlap\n"
            "after the stamp's background. NEA = (sum P)^2 / sum P^2. Zero point: the\n"
            "header's ZPT, or with --catalog the median of m_cat + 2.5 log10(flux) over\n"
            "catalogue stars measured on DECORR_SCI in an aperture over DECORR_PSF's own\n"
            "(or, --zpt-aperture psf, PSF-fitted in a batch, on the GPU with --device).\n"
            "Writes one CSV row: phrosty's 20 light-curve columns, zpt_source,\n"
            "zpt_nstars, zpt_scatter. A failed measurement still writes the row\n"
            "(success False, NaN measurements), prints the reason and exits 1.\n"
            "Given a ph image (ph-skysub's sky-subtracted science image) with --catalog\n"
            "and --science-psf instead, it measures that image's field-star zero point\n"
            "once, over the whole field, and writes the zero-point file each pair's --zpt\n"
            "reads.",
        .example = "ph-phot decorr.fits --ra 7.5512 --dec -44.8013 --zpt zpt_sci.csv -o row.csv",
        .opts = opts,
        .pos_in = 1,
        .handle = handle,
        .ctx = &o,
    };
    int st = ph_cli_parse(&cli, argc, argv);
    if (st < 0)
        return 0;
    int zp_mode = !st && cli.npos == 1 && is_ph_image(cli.pos[0]);
    if (!st && zp_mode) {
        st = check_usage_zp(&o);
        if (!st)
            st = run_zp(&o, cli.pos[0]);
        if (cli.timing)
            ph_timing_report();
    } else if (!st)
        st = check_usage(&cli, &o);
    if (!st && !zp_mode) {
        phot_run r = {.o = &o, .path = cli.pos[0]};
        ph_lc_row_init(&r.row);
        r.row.pix_x0 = r.row.pix_y0 = NAN;
        st = run(&r);
        if (st) {
            /* a failure row: identity kept, measurements NaN (the zero
             * point's failure keeps the flux, as phrosty) */
            ph_lc_row *w = &r.row;
            if (r.meas.fit.status != PH_FIT_OK || !isfinite(w->flux)) {
                w->flux = w->flux_err = w->aperture_sum = w->mag = w->mag_err = NAN;
                w->zpt = w->nea = w->sky_rms = w->zpt_nstars = w->zpt_scatter = NAN;
                w->zpt_source[0] = 0;
            }
            w->success = 0;
        } else {
            r.row.success = 1;
        }
        ph_timing_begin("write");
        int wst;
        if (st) {
            /* keep the first error for the report */
            char msg[2048], file[1024];
            int code = ph_error_code();
            ph_strlcpy(msg, ph_error_message(), sizeof msg);
            ph_strlcpy(file, ph_error_file() ? ph_error_file() : "", sizeof file);
            ph_error_clear();
            wst = write_row(o.output, &r.row);
            if (wst)
                ph_report_error();
            ph_error_clear();
            ph_error(code ? code : PH_EFAIL, file[0] ? file : NULL, "%s", msg);
        } else {
            wst = write_row(o.output, &r.row);
            st = wst;
        }
        ph_timing_end();
        ph_wcs_free(r.wcs);
        ph_psf_spline_free(&r.spline);
        ph_phot_input_free(&r.in);
        if (cli.timing)
            ph_timing_report();
    }
    ph_cli_free(&cli);
    return st ? ph_report_error() : 0;
}
