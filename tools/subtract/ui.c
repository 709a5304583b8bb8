/* ui.c -- see ui.h. */
#include "ui.h"
#include "base/log.h"
#include "subtract.h"
#include "base/util.h"
#include "io/wcs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { K_ORDER = 256 };

#define O sub_opts
const ph_opt subtract_options[] = {
    {"science", 0, "FILE", "science ph image (SCI, VAR, MASK; header SKYRMS)", "", PH_OPT_IN,
     PH_AT(O, sci)},
    {"science-psf", 0, "FILE", "science PSF stamp (default: the PSF HDU of --science)", "",
     PH_OPT_IN, PH_AT(O, sci_psf)},
    {"template", 0, "FILE", "aligned template: ph image on the science grid with a PSF HDU", "",
     PH_OPT_IN, PH_AT(O, ref)},
    {"template-psf", 0, "FILE", "rotated template PSF (default: the PSF HDU of --template)", "",
     PH_OPT_IN, PH_AT(O, ref_psf)},
    {"output", 'o', "FILE", "the difference file to write", "", PH_OPT_OUT, PH_AT(O, output)},
    {"ra", 0, "DEG", "transient RA (with --dec): its pixels stay out of the kernel fit", "",
     PH_AT(O, ra), .lo = -360, .hi = 360},
    {"dec", 0, "DEG", "transient Dec", "", PH_AT(O, dec), .lo = -90, .hi = 90},
    {"exclude-radius", 0, "PX", "radius around --ra/--dec kept out of the fit; 0: none, as phrosty",
     PH_AT(O, exclude_r), .lo = 0, .hi = 10000, .def = "15"},
    {"method", 0, "psf|sfft",
     "psf: the template's modelled stars (ph-align's STARS) matched exactly, a constant kernel "
     "fitted on them; sfft: phrosty's SFFT exactly",
     PH_CHOICE_AT(O, method), .def = "psf", .values = (const int[]){PH_SUB_PSF, PH_SUB_SFFT}},
    {"fit-pixels", 0, "stars|signal|detected|all",
     "stars: about the drawn template stars (psf default; every source when fewer than 5); "
     "signal: every source, 3 sigma in either cross-convolved image; detected: DETECTED in "
     "both masks (sfft default); all: every pixel; never BAD or OUTSIDE",
     PH_CHOICE_AT(O, fit_pixels), .values = (const int[]){PH_SUB_FIT_STARS, PH_SUB_FIT_SIGNAL,
                                                          PH_SUB_FIT_DETECTED, PH_SUB_FIT_ALL}},
    {"star-radius", 0, "PX", "psf method: radius of the star correction", PH_AT(O, star_r),
     .lo = 2, .hi = 30, .def = "8"},
    {"clip", 0, "K",
     "fit again without the pixels beyond K sigma of the first fit (psf default 10; sfft: 0, "
     "one fit)",
     PH_AT(O, clip), .lo = 0, .hi = 1000},
    {"kernel-halfwidth", 0, "N", "matching-kernel half-width w, (2w+1)^2 kernel", PH_AT(O, par.w),
     .lo = 1, .hi = 100, .def = "9"},
    /* untyped: the handler records where the order came from (below) */
    {"kernel-order", K_ORDER, "N", "kernel spatial polynomial order",
     "photometry.phrosty.kerpolyorder", .def = "2"},
    {"bg-order", 0, "N", "differential background polynomial order", PH_AT(O, par.db), .lo = 0,
     .hi = 10, .def = "0"},
    {"const-phot-ratio", 0, NULL, "kernel sum constant over the image", NULL, PH_OPT_BOOL,
     PH_AT(O, par.const_ratio), .def = "on"},
    {"kernel-grid", 0, "N", "also write the kernel at N x N positions (KERNEL_GRID; 0: none)",
     PH_AT(O, kernel_grid), .lo = 0, .hi = 64, .def = "0"},
    {"min-rcond", 0, "X", "smallest reciprocal condition accepted", PH_AT(O, min_rcond), .lo = 0,
     .hi = 1, .def = "1e-18"},
    PH_GPU_DEVICE_OPT(O, device, "where to run (auto: the GPU when one is usable)"),
    {"threads", 'j', "N", "CPU threads (0: the CPUs this process may use, see ph-config cpus)",
     PH_AT(O, threads), .lo = 0, .hi = 256, .def = "0"},
    PH_GPU_LOCK_OPTS(O, gpu_lock, gpu_slots),
    /* old spellings, accepted until the next release */
    {"sci", 0, "FILE", "science", "", .flags = PH_OPT_ALIAS | PH_OPT_OLD},
    {"sci-psf", 0, "FILE", "science-psf", "", .flags = PH_OPT_ALIAS | PH_OPT_OLD},
    {"ref", 0, "FILE", "template", "", .flags = PH_OPT_ALIAS | PH_OPT_OLD},
    {"ref-psf", 0, "FILE", "template-psf", "", .flags = PH_OPT_ALIAS | PH_OPT_OLD},
    {0},
};
#undef O

void sub_opts_default(sub_opts *o)
{
    memset(o, 0, sizeof *o);
    o->ra = o->dec = o->ex_x0 = o->ex_y0 = NAN;
    o->fit_pixels = -1; /* the method's */
    o->clip = NAN;      /* the method's */
    o->order_src = -1;  /* the handler's first --kernel-order is the table's default */
    ph_cli_defaults(subtract_options, NULL, o); /* the table's: they parse (tests/cli) */
}

/* --kernel-order: phrosty's kerpolyorder is the order of its SFFT kernel, so
 * it sets the sfft method's order, not the psf method's (sub_opts_check):
 * the handler records where the value came from, which a typed row cannot.
 * ph_cli_parse hands it the table's default before any other value. */
int sub_ui_handle(ph_cli *cli, int key, const char *arg)
{
    sub_opts *o = cli->ctx;
    long v;
    int st;
    if (key != K_ORDER)
        return ph_cli_bad(cli, "unexpected option");
    if ((st = ph_cli_long(cli, arg, 0, 10, &v)))
        return st;
    o->par.dk = (int)v;
    o->order_src = o->order_src < 0                                          ? 0
                   : cli->source && strstr(cli->source, "photometry.phrosty.") ? 1
                                                                               : 2;
    return PH_OK;
}

static int has_wcs(const ph_header *h)
{
    return ph_header_has(h, "CTYPE1") && ph_header_has(h, "CTYPE2");
}

/* The aligned reference must carry the science grid (HACKING.md "Aligned
 * template"): a 3x3 grid of science pixels mapped to the sky and back
 * through the reference's WCS must land within 0.01 px. */
static int check_grid(const ph_image *sci, const char *spath, const ph_image *ref,
                      const char *rpath)
{
    int ws = has_wcs(sci->hdr), wr = has_wcs(ref->hdr);
    if (!ws && !wr) {
        ph_warn("%s, %s: no WCS in either image; assuming they share one pixel grid", spath,
                rpath);
        return PH_OK;
    }
    if (!ws || !wr)
        return ph_error(PH_EFAIL, ws ? rpath : spath,
                        "no WCS (CTYPE1/CTYPE2) while the other image has one: cannot check "
                        "that the images share a pixel grid");
    ph_wcs *a = NULL, *b = NULL;
    int st = ph_wcs_from_header(sci->hdr, spath, &a);
    if (!st)
        st = ph_wcs_from_header(ref->hdr, rpath, &b);
    double x[9], y[9], ra[9], dec[9], xr[9], yr[9];
    for (int j = 0; j < 3; j++)
        for (int i = 0; i < 3; i++) {
            x[j * 3 + i] = i * (sci->nx - 1) / 2.0;
            y[j * 3 + i] = j * (sci->ny - 1) / 2.0;
        }
    if (!st)
        st = ph_wcs_pix2sky(a, 9, x, y, ra, dec);
    if (!st)
        st = ph_wcs_sky2pix(b, 9, ra, dec, xr, yr);
    for (int k = 0; k < 9 && !st; k++) {
        double d = hypot(xr[k] - x[k], yr[k] - y[k]);
        if (!(d < 0.01))
            st = ph_error(PH_EFAIL, rpath,
                          "not on the science pixel grid: science pixel (%.1f, %.1f) is at "
                          "(%.3f, %.3f) here (0-based); resample it with ph-align first",
                          x[k], y[k], xr[k], yr[k]);
    }
    ph_wcs_free(a);
    ph_wcs_free(b);
    return st;
}

static int read_psfs(const sub_opts *o, sub_data *d)
{
    if (o->sci_psf) {
        if (ph_psfstamp_read(o->sci_psf, NULL, &d->psf_sci) ||
            ph_psfstamp_read_phased(o->sci_psf, &d->psf_phased))
            return PH_EFAIL;
        d->psf_sci_src = o->sci_psf;
    } else if (d->sci.psf) {
        if (ph_psfstamp_check(d->sci.psf, d->sci.psf_size, d->sci.psf_size, o->sci))
            return PH_EFAIL;
        d->psf_sci.n = d->sci.psf_size;
        d->psf_sci.data = d->sci.psf;
        d->sci.psf = NULL;
        d->psf_sci_src = o->sci;
    } else
        return ph_error(PH_EUSAGE, o->sci, "no PSF HDU: give the science PSF with --science-psf");
    if (o->ref_psf) {
        if (ph_psfstamp_read(o->ref_psf, NULL, &d->psf_ref))
            return PH_EFAIL;
        d->psf_ref_src = o->ref_psf;
    } else if (d->ref.psf) {
        if (ph_psfstamp_check(d->ref.psf, d->ref.psf_size, d->ref.psf_size, o->ref))
            return PH_EFAIL;
        d->psf_ref.n = d->ref.psf_size;
        d->psf_ref.data = d->ref.psf;
        d->ref.psf = NULL;
        d->psf_ref_src = o->ref;
    } else
        return ph_error(PH_EUSAGE, o->ref,
                        "no PSF HDU (the rotated template PSF ph-align writes): give --template-psf");
    d->ov_sci = d->psf_sci.ov ? d->psf_sci.ov : d->sci.psf_ov;
    d->ov_ref = d->psf_ref.ov ? d->psf_ref.ov : d->ref.psf_ov;
    long n = d->sci.nx < d->sci.ny ? d->sci.nx : d->sci.ny;
    if (d->psf_sci.n > n)
        return ph_error(PH_EFAIL, d->psf_sci_src, "the PSF (%ld px) is larger than the image",
                        d->psf_sci.n);
    if (d->psf_ref.n > n)
        return ph_error(PH_EFAIL, d->psf_ref_src, "the PSF (%ld px) is larger than the image",
                        d->psf_ref.n);
    return PH_OK;
}

/* Check and sanitise an image's SCI and VAR planes, then replace SCI by a
 * double copy in *plane. */
static int planes_of(ph_image *im, const char *path, double **plane)
{
    size_t n = (size_t)im->nx * im->ny;
    if (sub_sanitise(im->sci, im->mask, im->nx, im->ny, path, "SCI") ||
        sub_sanitise(im->var, im->mask, im->nx, im->ny, path, "VAR") ||
        !(*plane = ph_sfft_alloc_big(n * sizeof **plane, "a SCI plane")))
        return PH_EFAIL;
    for (size_t i = 0; i < n; i++)
        (*plane)[i] = im->sci[i];
    free(im->sci);
    im->sci = NULL;
    return PH_OK;
}

int sub_read(const sub_opts *o, sub_data *d)
{
    memset(d, 0, sizeof *d);
    if (ph_image_read(o->sci, PH_PLANE_ALL, &d->sci) || planes_of(&d->sci, o->sci, &d->sci_plane) ||
        ph_image_read(o->ref, PH_PLANE_ALL, &d->ref))
        return PH_EFAIL;
    if (d->sci.nx != d->ref.nx || d->sci.ny != d->ref.ny)
        return ph_error(PH_EFAIL, o->ref,
                        "mismatched grids: the reference is %ldx%ld but the science image is "
                        "%ldx%ld; resample it onto the science grid with ph-align",
                        d->ref.nx, d->ref.ny, d->sci.nx, d->sci.ny);
    if (check_grid(&d->sci, o->sci, &d->ref, o->ref))
        return PH_EFAIL;
    if (d->sci.meta.band[0] && d->ref.meta.band[0] && strcmp(d->sci.meta.band, d->ref.meta.band))
        return ph_error(PH_EFAIL, o->ref, "band %s differs from the science image's %s",
                        d->ref.meta.band, d->sci.meta.band);
    if (read_psfs(o, d))
        return ph_error_code();
    int found;
    if (ph_startab_read(o->ref, &d->stars, &found))
        return PH_EFAIL;
    long drawn = 0;
    for (long i = 0; i < d->stars.n; i++)
        drawn += d->stars.drawn[i] == 1;
    if (o->method == PH_SUB_PSF && drawn > 0 && (!d->ov_sci || !d->ov_ref))
        ph_notice("%s: no EPSF HDU (the oversampled PSF ph-psf writes) for the %s PSF: the "
                  "%ld stars ph-align drew are cross-convolved like the rest, and leave "
                  "residuals of a few %% of their peaks",
                  d->ov_sci ? d->psf_ref_src : d->psf_sci_src, d->ov_sci ? "reference" : "science",
                  drawn);
    return planes_of(&d->ref, o->ref, &d->ref_plane);
}

void sub_data_free(sub_data *d)
{
    ph_image_free(&d->sci);
    ph_image_free(&d->ref);
    ph_sfft_free_big(d->sci_plane);
    ph_sfft_free_big(d->ref_plane);
    ph_psfstamp_free(&d->psf_sci);
    ph_psfstamp_free(&d->psf_ref);
    ph_startab_free(&d->stars);
    ph_psfstamp_free(&d->psf_phased);
}

int sub_opts_check(const ph_cli *cli, sub_opts *o)
{
    if (cli->npos > 0)
        return ph_error(PH_EUSAGE, NULL, "unexpected argument '%s' (inputs are given with "
                                         "--science and --template; try --help)",
                        cli->pos[0]);
    if (!o->sci || !o->ref || !o->output)
        return ph_error(PH_EUSAGE, NULL, "--science, --template and -o are required (try --help)");
    if (isnan(o->ra) != isnan(o->dec))
        return ph_error(PH_EUSAGE, NULL, "--ra and --dec go together");
    /* The psf method matches the stars exactly: what is left for the kernel is
     * the photometric ratio and the mean PSF mismatch, which do not vary over
     * the image; spatial terms fitted there only add noise to every star
     * (man ph-subtract, "Methods"). */
    if (o->method == PH_SUB_PSF && o->order_src < 2) {
        if (o->order_src == 1 && o->par.dk != 0)
            ph_info("photometry.phrosty.kerpolyorder (%d) is the sfft method's kernel order; the "
                    "psf method fits order 0 unless --kernel-order says otherwise",
                    o->par.dk);
        o->par.dk = 0;
    }
    return PH_OK;
}

/* The transient's pixel on the science grid, through the science WCS. */
static int transient_pixel(sub_opts *o, const sub_data *d)
{
    ph_wcs *w = NULL;
    int st = ph_wcs_from_header(d->sci.hdr, o->sci, &w);
    if (!st)
        st = ph_wcs_sky2pix_one(w, o->ra, o->dec, &o->ex_x0, &o->ex_y0);
    ph_wcs_free(w);
    return st;
}

int sub_locate(sub_opts *o, const sub_data *d)
{
    if (isnan(o->ra))
        return PH_OK;
    int st = transient_pixel(o, d);
    double px, py; /* where the carried PHASED_PSF was drawn */
    if (!st && d->psf_phased.hdr && !ph_header_get_double(d->psf_phased.hdr, "PSFX", &px) &&
        !ph_header_get_double(d->psf_phased.hdr, "PSFY", &py) &&
        hypot(px - o->ex_x0, py - o->ex_y0) > 0.02)
        ph_warn("%s: PHASED_PSF was drawn at pixel (%.3f, %.3f) but the transient is at (%.3f, "
                "%.3f): make the science PSF at --ra/--dec", o->sci_psf, px, py, o->ex_x0,
                o->ex_y0);
    return st;
}

void sub_in_make(const sub_opts *o, sub_data *d, sub_in *in)
{
    int fp = o->fit_pixels >= 0        ? o->fit_pixels
             : o->method == PH_SUB_PSF ? PH_SUB_FIT_STARS
                                       : PH_SUB_FIT_DETECTED,
        all = fp != PH_SUB_FIT_DETECTED;
    *in = (sub_in){.nx = d->sci.nx,
                      .ny = d->sci.ny,
                      .sci = d->sci_plane,
                      .ref = d->ref_plane,
                      .sci_var = d->sci.var,
                      .ref_var = d->ref.var,
                      .sci_mask = d->sci.mask,
                      .ref_mask = d->ref.mask,
                      .psf_sci = d->psf_sci.data,
                      .n_sci = d->psf_sci.n,
                      .psf_ref = d->psf_ref.data,
                      .n_ref = d->psf_ref.n,
                      .sci_name = o->sci,
                      .ref_name = o->ref,
                      .ex_x0 = o->ex_x0,
                      .ex_y0 = o->ex_y0,
                      .ex_r = o->exclude_r,
                      .fit_pixels = fp,
                      .stars = &d->stars,
                      .correct = o->method == PH_SUB_PSF && d->ov_sci && d->ov_ref,
                      .ov_sci = d->ov_sci,
                      .ov_ref = d->ov_ref,
                      .star_r = (int)o->star_r,
                      .guard = all ? o->par.w + 4 : 0,
                      .clip = !isnan(o->clip) ? o->clip : o->method == PH_SUB_PSF ? 10 : 0};
    d->sci_plane = d->ref_plane = NULL; /* the run's now */
}
