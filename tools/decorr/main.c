/* ph-decorr -- whiten the noise of a difference image (phrosty's step
 * "find/apply decorrelation" and "variance", sfft-reference §6-7).
 *
 *   ph-decorr DIFF_FILE -o decorr.fits
 *
 * Reads ph-subtract's difference file (HACKING.md "Difference file"),
 * computes the decorrelation filter from both PSFs and both sky rms values
 * (and the matching kernel with --match-kernel), and writes the "Decorrelated file":
 * DECORR_DIFF, DECORR_SCI, DIFF_VAR, DECORR_PSF, DECORR_KERNEL, MASK (and
 * SCORE on request). Full planes are streamed one at a time through one
 * FFT buffer: peak memory is about 4.5 float64 planes.
 */
#include "cli.h"
#include "pair.h"
#include "diffio.h"
#include "fits.h"
#include "log.h"
#include "quality.h"
#include "timing.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { K_SCI_PSF = 256, K_REF_PSF, K_CONV_PSF, K_TARGET_PSF, K_CENTRED, K_SCI_RMS, K_REF_RMS, K_MATCH_FILE, K_PSF_SIZE,
       K_KERNEL_SIZE, K_SCORE, K_SCORE_HDU, K_MATCH, K_PHROSTY_DIR, K_QUICKLOOK };

typedef struct dc_opts {
    const char *output;
    dc_sources src;
    long psf_size;    /* 0: the size of the PSF of the difference */
    long kernel_size; /* 0: dc_default_kernel_size */
    const char *score_file;
    int score_hdu;
    long threads; /* 0: every CPU */
    const char *quicklook; /* PNG to write, or NULL */
    const char *phrosty_dir; /* also phrosty's single-image files here */
} dc_opts;

static const ph_opt opts[] = {
    {"output", 'o', "FILE", "the decorrelated file to write (required)", "", PH_OPT_OUT},
    {"science-psf", K_SCI_PSF, "FILE", "science PSF (default: HDU SCI_PSF)", "", PH_OPT_IN},
    {"template-psf", K_REF_PSF, "FILE", "rotated template PSF (default: HDU REF_PSF)", "",
     PH_OPT_IN},
    {"conv-psf", K_CONV_PSF, "FILE",
     "PSF of DIFF (default: HDU CONV_PSF or science (*) template)", "", PH_OPT_IN},
    {"target-psf", K_TARGET_PSF, "FILE",
     "science PSF at the transient's phase (default: HDU PHASED_PSF of DIFF_FILE)", "",
     PH_OPT_IN},
    {"centred-psf", K_CENTRED, NULL,
     "DECORR_PSF from the centred science PSF, not PHASED_PSF (phrosty's; biased)", NULL, 0},
    {"science-rms", K_SCI_RMS, "X", "science sky rms (default: DIFF key SKYRMS)", "", 0},
    {"template-rms", K_REF_RMS, "X", "template sky rms (default: DIFF key TPLRMS)", "", 0},
    {"match-kernel", K_MATCH, NULL, "use the matching kernel (phrosty: no)", NULL, 0},
    {"match-kernel-file", K_MATCH_FILE, "FILE",
     "matching kernel (implies --match-kernel; default: HDU)", "", PH_OPT_IN},
    {"psf-size", K_PSF_SIZE, "N", "odd size of DECORR_PSF (default: input's)",
     NULL, 0},
    {"kernel-size", K_KERNEL_SIZE, "N", "odd size of DECORR_KERNEL (default: 2L+1)",
     NULL, 0},
    {"score", K_SCORE, "FILE", "also write the score image (HDU SCORE) to FILE", "", PH_OPT_OUT},
    {"score-hdu", K_SCORE_HDU, NULL, "add the score image to the output as HDU SCORE", NULL, 0},
    {"threads", 'j', "N", "FFTW threads (default 0: the CPUs this process may use, see ph-config "
                          "cpus)", NULL, 0},
    {"quicklook", K_QUICKLOOK, "PNG",
     "also draw z = DECORR_DIFF / sqrt(DIFF_VAR) around the transient and the brightest "
     "measured stars",
     "", PH_OPT_OUT},
    {"phrosty-dir", K_PHROSTY_DIR, "DIR",
     "also write phrosty's files into DIR: diff_, decorr_diff_, decorr_zptimg_, diff_var_, "
     "decorr_psf_<S>-<T> (S, T: the images' file names)", "", PH_OPT_DIR},
    /* old spellings, accepted until the next release */
    {"sci-psf", 0, "FILE", "science-psf", "", PH_OPT_ALIAS | PH_OPT_OLD},
    {"ref-psf", 0, "FILE", "template-psf", "", PH_OPT_ALIAS | PH_OPT_OLD},
    {"sci-rms", 0, "X", "science-rms", "", PH_OPT_ALIAS | PH_OPT_OLD},
    {"ref-rms", 0, "X", "template-rms", "", PH_OPT_ALIAS | PH_OPT_OLD},
    {"", 'm', NULL, "match-kernel", "", PH_OPT_ALIAS | PH_OPT_OLD},
    {NULL, 0, NULL, NULL, NULL, 0},
};

static int odd_size(ph_cli *cli, const char *arg, long *out)
{
    if (ph_cli_long(cli, arg, 1, 100001, out))
        return PH_EUSAGE;
    if (*out % 2 == 0)
        return ph_cli_bad(cli, "%ld is even; the size must be odd (centre on a pixel)", *out);
    return PH_OK;
}

static int nonneg_rms(ph_cli *cli, const char *arg, double *out)
{
    if (ph_cli_double(cli, arg, out))
        return PH_EUSAGE;
    if (!isfinite(*out) || *out < 0)
        return ph_cli_bad(cli, "%s is not a finite non-negative sky rms", arg);
    return PH_OK;
}

static int handle(ph_cli *cli, int key, const char *arg)
{
    dc_opts *o = cli->ctx;
    switch (key) {
    case 'o': o->output = arg; return PH_OK;
    case K_SCI_PSF: o->src.sci_psf = arg; return PH_OK;
    case K_REF_PSF: o->src.ref_psf = arg; return PH_OK;
    case K_CONV_PSF: o->src.conv_psf = arg; return PH_OK;
    case K_TARGET_PSF: o->src.target_psf = arg; return PH_OK;
    case K_CENTRED: o->src.centred = 1; return PH_OK;
    case K_SCI_RMS: return nonneg_rms(cli, arg, &o->src.rms_sci);
    case K_REF_RMS: return nonneg_rms(cli, arg, &o->src.rms_ref);
    case K_MATCH: o->src.use_match = 1; return PH_OK;
    case K_MATCH_FILE:
        o->src.match_file = arg;
        o->src.use_match = 1;
        return PH_OK;
    case K_PSF_SIZE: return odd_size(cli, arg, &o->psf_size);
    case K_KERNEL_SIZE: return odd_size(cli, arg, &o->kernel_size);
    case K_SCORE: o->score_file = arg; return PH_OK;
    case K_SCORE_HDU: o->score_hdu = 1; return PH_OK;
    case 'j': return ph_cli_long(cli, arg, 0, 1024, &o->threads);
    case K_QUICKLOOK: o->quicklook = arg; return PH_OK;
    case K_PHROSTY_DIR: o->phrosty_dir = arg; return PH_OK;
    }
    return ph_cli_bad(cli, "unexpected option");
}

/* ---- the run ---- */

/* Errors of the array code name no file: attach the input's name. */
static int blame(const char *path)
{
    int code = ph_error_code() ? ph_error_code() : PH_EFAIL;
    if (ph_error_code() && ph_error_file() == NULL) {
        char msg[1024];
        ph_strlcpy(msg, ph_error_message(), sizeof msg);
        ph_error_clear();
        ph_error(code, path, "%s", msg);
    }
    return code;
}

/* phrosty's single-image files (pipeline.py: dia_out_dir/<prefix><S>-<T>),
 * in the order they are written. */
enum { PF_DIFF, PF_DECORR_DIFF, PF_ZPTIMG, PF_VAR, PF_PSF, PF_N };
static const char *const pf_prefix[PF_N] = {"diff_", "decorr_diff_", "decorr_zptimg_",
                                             "diff_var_", "decorr_psf_"};

typedef struct dc_run {
    const dc_opts *o;
    dc_input in;
    dc_pair pair;
    double *conv;       /* the PSF of the difference (in.conv.data or computed) */
    long n_conv;
    ph_decorr *d;
    ph_header *hdr;     /* DIFF header + settings: on every full plane */
    ph_fits_out out, score;
    ph_fits_out pf[PF_N]; /* --phrosty-dir: phrosty's files */
    int warned_diff;
    dc_quality q;       /* the static-star residuals, the quick-look boxes */
} dc_run;

static int setup(dc_run *r)
{
    const dc_opts *o = r->o;
    ph_timing_begin("read");
    int st = dc_input_open(r->in.path, &o->src, &r->in);
    ph_timing_end();
    if (st)
        return st;
    dc_input *in = &r->in;
    r->pair = (dc_pair){in->sci.data, in->sci.n, in->ref.data, in->ref.n, in->match, in->n_match,
                        in->rms_sci, in->rms_ref};
    if (in->conv.data) {
        r->conv = in->conv.data;
        r->n_conv = in->conv.n;
    } else {
        /* With a phased PSF (PHASED_PSF, --target-psf) the science PSF is
         * the one drawn at the transient's phase: an undersampled PSF
         * cannot be moved to a sub-pixel phase by interpolation (Y106: -8%
         * to -16% in the fitted flux), and the transient's profile in DIFF
         * is that PSF (*) the template PSF. The filter itself keeps the
         * centred PSFs. */
        dc_pair of = r->pair;
        if (in->target.data) {
            of.psf_sci = in->target.data;
            of.n_sci = in->target.n;
        }
        r->n_conv = of.n_sci;
        r->conv = ph_malloc((size_t)r->n_conv * r->n_conv * sizeof *r->conv, "difference PSF");
        if (!r->conv || dc_conv_psf(&of, r->conv))
            return blame(in->path);
        if (in->target.data)
            ph_info("PSF of the difference: science PSF at the transient's phase (%s) (*) "
                    "template PSF (%ldx%ld)", in->target_src, r->n_conv, r->n_conv);
        else
            ph_info("PSF of the difference: centred science PSF (*) template PSF (%ldx%ld)",
                    r->n_conv, r->n_conv);
    }
    if (dc_quality_init(&r->q, in->path, in->hdr, in->mask, in->nx, in->ny, o->quicklook != NULL))
        return PH_EFAIL;
    if (!in->target.data && !o->src.centred && !o->src.conv_psf)
        ph_info("%s: no PHASED_PSF (the science PSF at the transient's sub-pixel phase, which "
                  "ph-psf writes): DECORR_PSF is centred, and ph-phot's shift of it by "
                  "interpolation is biased for an undersampled PSF", in->path);
    ph_info("%s: %ldx%ld, sky rms science %g template %g, matching kernel %s", in->path, in->nx,
            in->ny, in->rms_sci, in->rms_ref, in->match ? "used" : "ignored");

    ph_fft_set_threads(o->threads ? (int)o->threads : ph_ncpu());
    ph_timing_begin("filter");
    r->d = dc_new(in->ny, in->nx, &r->pair);
    ph_timing_end();
    if (!r->d)
        return blame(in->path);
    ph_info("decorrelation filter: max gain %.4g, white-noise sigma %.6g", r->d->fmax,
            sqrt(r->d->den0));

    r->hdr = ph_header_copy(in->hdr);
    if (!r->hdr)
        return PH_EFAIL;
    /* ph-subtract's residual statistics were of DIFF: DECORR_DIFF gets its own */
    ph_header_del(r->hdr, "RESNSTAR");
    ph_header_del(r->hdr, "RESZMED");
    ph_header_del(r->hdr, "RESZP90");
    ph_header_set_double(r->hdr, "DCSKYSCI", in->rms_sci, "science sky rms used by ph-decorr");
    ph_header_set_double(r->hdr, "DCSKYREF", in->rms_ref, "template sky rms used by ph-decorr");
    ph_header_set_bool(r->hdr, "DCMATCH", in->match != NULL, "matching kernel in the filter");
    ph_header_set_double(r->hdr, "DCNOISE", sqrt(r->d->den0),
                         "sigma of DECORR_DIFF on a flat white background");
    ph_header_set_double(r->hdr, "DCFMAX", r->d->fmax, "largest gain of the filter");
    ph_header_set_str(r->hdr, "DCPSFSCI", o->src.sci_psf ? ph_path_basename(o->src.sci_psf)
                                                         : "SCI_PSF", "science PSF used");
    ph_header_set_str(r->hdr, "DCPSFREF", o->src.ref_psf ? ph_path_basename(o->src.ref_psf)
                                                         : "REF_PSF", "template PSF used");
    if (in->target.data)
        ph_header_set_str(r->hdr, "DCPSFPHS", in->target_src,
                          "science PSF at the transient's phase used");
    return ph_header_add_text(r->hdr, "HISTORY",
                              "ph-decorr: noise decorrelation, sfft-reference 6-7 (SFFT fork)");
}

/* Write one of phrosty's files (--phrosty-dir): DIR/<prefix><S>-<T>, S and
 * T the file names of the science and template images (PH_NAME, TPLNAME),
 * a single image with the header given; committed with the main output.
 * `data` is float (double_data 0) or double. */
static int write_phrosty(dc_run *r, int which, const void *data, int double_data, long nx, long ny,
                         const ph_header *h)
{
    const char *dir = r->o->phrosty_dir;
    if (!dir)
        return PH_OK;
    char s[256] = "", t[256] = "", path[4200];
    ph_header_get_str(r->in.hdr, "PH_NAME", s, sizeof s);
    ph_header_get_str(r->in.hdr, "TPLNAME", t, sizeof t);
    if ((size_t)snprintf(path, sizeof path, "%s/%s%s-%s", dir, pf_prefix[which],
                         s[0] ? s : "science", t[0] ? t : "template") >= sizeof path)
        return ph_error(PH_EFAIL, dir, "--phrosty-dir: file name too long");
    ph_fits_out *o = &r->pf[which];
    int st = ph_mkdir_p(dir);
    if (!st)
        st = ph_fits_create(o, path, 1);
    if (!st)
        st = double_data ? ph_fits_write_double(o, NULL, nx, ny, data, h)
                         : ph_fits_write_float(o, NULL, nx, ny, data, h);
    return st;
}

/* Read a plane into the FFT buffer; say how many flagged bad pixels were
 * set to 0 (once per plane: the score reads DIFF again). */
static int read_plane(dc_run *r, const char *hdu, int nonneg, double *buf)
{
    size_t zeroed = 0;
    int st = dc_input_plane(&r->in, hdu, nonneg, buf, &zeroed);
    int again = !strcmp(hdu, "DIFF") && r->warned_diff;
    if (!st && zeroed && !again) {
        ph_warn("%s: %s: %zu %s pixel%s flagged BAD or OUTSIDE in MASK set to 0", r->in.path, hdu,
                zeroed, nonneg ? "non-finite or negative" : "non-finite", zeroed == 1 ? "" : "s");
        if (!strcmp(hdu, "DIFF"))
            r->warned_diff = 1;
    }
    return st;
}

/* Decorrelate plane `hdu` of the input and write it as float32 `extname`. */
static int decorrelate_plane(dc_run *r, const char *hdu, const char *extname)
{
    double *plane = ph_decorr_plane(r->d);
    ph_timing_begin(extname);
    int st = read_plane(r, hdu, 0, plane);
    if (!st && !strcmp(hdu, "DIFF")) /* phrosty's diff_: the difference itself */
        st = write_phrosty(r, PF_DIFF, plane, 1, r->in.nx, r->in.ny, r->in.hdr);
    if (!st) {
        ph_decorr_apply_plane(r->d);
        if (!strcmp(extname, "DECORR_DIFF"))
            dc_quality_take_diff(&r->q, plane);
        size_t n = (size_t)r->in.nx * r->in.ny;
        float *f = dc_to_float_inplace(plane, n);
        st = ph_fits_write_float(&r->out, extname, r->in.nx, r->in.ny, f, r->hdr);
        if (!st)
            st = write_phrosty(r, !strcmp(hdu, "DIFF") ? PF_DECORR_DIFF : PF_ZPTIMG, f, 0,
                               r->in.nx, r->in.ny, r->hdr);
    }
    ph_timing_end();
    return st;
}

static int write_variance(dc_run *r)
{
    size_t n = (size_t)r->in.nx * r->in.ny;
    double *plane = ph_decorr_plane(r->d);
    ph_timing_begin("DIFF_VAR");
    float *acc = ph_calloc(n, sizeof *acc, "DIFF_VAR");
    int st = acc ? PH_OK : PH_EFAIL;
    if (!st && !(st = read_plane(r, "REF_VAR", 1, plane)))
        st = dc_variance_ref(r->d, &r->pair, acc);
    if (!st && !(st = read_plane(r, "SCI_VAR", 1, plane)))
        st = dc_variance_sci(r->d, &r->pair, acc);
    if (!st) {
        dc_variance_finish(acc, n);
        dc_quality_take_var(&r->q, acc);
        st = ph_fits_write_float(&r->out, "DIFF_VAR", r->in.nx, r->in.ny, acc, r->hdr);
        if (!st)
            st = write_phrosty(r, PF_VAR, acc, 0, r->in.nx, r->in.ny, r->hdr);
    }
    free(acc);
    ph_timing_end();
    return st;
}

static int write_psf(dc_run *r)
{
    long n = r->o->psf_size ? r->o->psf_size : r->n_conv;
    ph_timing_begin("DECORR_PSF");
    double *psf = ph_malloc((size_t)n * n * sizeof *psf, "DECORR_PSF"), lost = 0;
    const ph_header *src = r->in.target.hdr ? r->in.target.hdr : r->in.conv.hdr;
    ph_header *h = src ? ph_header_copy(src) : ph_header_new();
    int st = psf && h ? dc_psf(r->d, r->conv, r->n_conv, n, psf, &lost) : PH_EFAIL;
    if (st)
        blame(r->in.path);
    if (!st) {
        ph_header_set_double(h, "PSFLOSS", lost, "flux fraction lost by cropping (decorrelated)");
        ph_header_set_bool(h, "PSFNORM", 1, "the stamp sums to 1");
        ph_header_set_bool(h, "PSFPHASE", r->in.target.data != NULL,
                           "T: drawn at the sub-pixel phase of PSFX, PSFY (no shift)");
        ph_header_add_text(h, "HISTORY", "ph-decorr: PSF of the difference, decorrelated");
        st = ph_fits_write_double(&r->out, "DECORR_PSF", n, n, psf, h);
        if (!st)
            st = write_phrosty(r, PF_PSF, psf, 1, n, n, h);
        ph_info("DECORR_PSF %ldx%ld, flux lost by cropping %.3g", n, n, lost);
    }
    free(psf);
    ph_header_free(h);
    ph_timing_end();
    return st;
}

static int write_kernel(dc_run *r)
{
    long n = r->o->kernel_size ? r->o->kernel_size
                               : dc_default_kernel_size(&r->pair, r->in.ny, r->in.nx);
    ph_timing_begin("DECORR_KERNEL");
    double *k = ph_malloc((size_t)n * n * sizeof *k, "DECORR_KERNEL"), lost = 0, sum = 0;
    ph_header *h = ph_header_new();
    int st = k && h ? ph_decorr_kernel(r->d, n, n, k, &lost, &sum) : PH_EFAIL;
    if (st)
        blame(r->in.path);
    if (!st) {
        ph_header_set_double(h, "KSUM", sum, "sum of the cropped kernel");
        ph_header_set_double(h, "KLOSS", lost, "1 - sum|crop| / sum|full kernel|");
        ph_header_add_text(h, "COMMENT", "real-space kernel of the full-frame filter, D(0) = 1");
        st = ph_fits_write_double(&r->out, "DECORR_KERNEL", n, n, k, h);
    }
    free(k);
    ph_header_free(h);
    ph_timing_end();
    return st;
}

static int write_mask(dc_run *r)
{
    ph_timing_begin("MASK");
    int st = ph_fits_write_u8(&r->out, "MASK", r->in.nx, r->in.ny, r->in.mask, r->in.mask_hdr);
    ph_timing_end();
    return st;
}

static int write_score(dc_run *r)
{
    double *plane = ph_decorr_plane(r->d), sigma = 0;
    ph_timing_begin("SCORE");
    int st = read_plane(r, "DIFF", 0, plane);
    if (!st && (st = dc_score(r->d, &r->pair, &sigma)))
        blame(r->in.path);
    ph_header *h = st ? NULL : ph_header_copy(r->hdr);
    if (!st && !h)
        st = PH_EFAIL;
    if (!st) {
        ph_header_set_double(h, "SCORESIG", sigma, "DAOPHOT-MMM sigma the score was divided by");
        ph_header_add_text(h, "HISTORY", "ph-decorr: score = matched filter of DECORR_DIFF with "
                                         "the decorrelated PSF, rotated template PSF");
        float *f = dc_to_float_inplace(plane, (size_t)r->in.nx * r->in.ny);
        if (r->o->score_hdu)
            st = ph_fits_write_float(&r->out, "SCORE", r->in.nx, r->in.ny, f, h);
        if (!st && r->o->score_file)
            st = ph_fits_write_float(&r->score, "SCORE", r->in.nx, r->in.ny, f, h);
    }
    ph_header_free(h);
    ph_timing_end();
    return st;
}

/* The static-star residuals of DECORR_DIFF (resid.h) into its header, the
 * STARS table carried on, the quick-look PNG. */
static int quality(dc_run *r)
{
    if (r->q.stars.n == 0 && !r->o->quicklook)
        return PH_OK;
    ph_timing_begin("quality");
    ph_resid_stats s;
    int st = dc_quality_stats(&r->q, &s);
    ph_header *h = st ? NULL : ph_header_new();
    if (!st && !h)
        st = PH_EFAIL;
    if (!st && r->q.stars.n > 0) {
        st = ph_resid_keys(h, &s, "decorrelated");
        if (!st)
            st = ph_fits_update_keys(&r->out, "DECORR_DIFF", h);
        if (!st)
            st = ph_startab_write(&r->out, &r->q.stars);
        if (!st)
            ph_info("static stars: %ld measured (S/N >= %g), median max|z| %.2f, 90th percentile "
                    "%.2f",
                    s.nstars, s.snr_min, s.zmed, s.zp90);
    }
    if (!st && r->o->quicklook)
        st = dc_quality_png(&r->q, &s, r->o->quicklook);
    ph_header_free(h);
    ph_timing_end();
    return st;
}

static int run(dc_run *r)
{
    int st = setup(r);
    if (st)
        return st;
    if (ph_fits_create(&r->out, r->o->output, 0))
        return PH_EFAIL;
    if (r->o->score_file && ph_fits_create(&r->score, r->o->score_file, 0)) {
        ph_fits_abort(&r->out);
        return PH_EFAIL;
    }
    st = decorrelate_plane(r, "DIFF", "DECORR_DIFF");
    if (!st)
        st = decorrelate_plane(r, "CSCI", "DECORR_SCI");
    if (!st)
        st = write_variance(r);
    if (!st)
        st = write_psf(r);
    if (!st)
        st = write_kernel(r);
    if (!st)
        st = write_mask(r);
    if (!st && (r->o->score_hdu || r->o->score_file))
        st = write_score(r);
    if (!st)
        st = quality(r);
    ph_timing_begin("write");
    /* phrosty's files first: the main output (make's target) comes last */
    for (int i = 0; i < PF_N; i++) { /* {0} when not opened: abort is safe */
        if (!st && r->pf[i].f)
            st = ph_fits_commit(&r->pf[i]);
        else
            ph_fits_abort(&r->pf[i]);
    }
    if (!st)
        st = ph_fits_commit(&r->out);
    else
        ph_fits_abort(&r->out);
    if (r->o->score_file) {
        if (!st)
            st = ph_fits_commit(&r->score);
        else
            ph_fits_abort(&r->score);
    }

    ph_timing_end();
    return st;
}

static int check_usage(const ph_cli *cli, const dc_opts *o)
{
    if (cli->npos != 1)
        return ph_error(PH_EUSAGE, NULL, "expected one difference file, got %d (try --help)",
                        cli->npos);
    if (!o->output)
        return ph_error(PH_EUSAGE, NULL, "no output: give -o FILE");
    if (strcmp(o->output, "-") && !strcmp(o->output, cli->pos[0]))
        return ph_error(PH_EUSAGE, NULL, "the output %s would replace the input", o->output);
    if (o->score_file && !strcmp(o->score_file, o->output))
        return ph_error(PH_EUSAGE, NULL, "--score and -o name the same file %s", o->output);
    if (o->score_file && strcmp(o->score_file, "-") && !strcmp(o->score_file, cli->pos[0]))
        return ph_error(PH_EUSAGE, NULL, "the score file %s would replace the input",
                        o->score_file);
    return PH_OK;
}

int main(int argc, char **argv)
{
    dc_opts o = {.src = {.rms_sci = NAN, .rms_ref = NAN}};
    ph_cli cli = {
        .tool = "ph-decorr",
        .usage = "[OPTION]... DIFF_FILE -o OUTPUT",
        .summary = "Whiten the noise of a difference image; its variance and PSF.",
        .description =
            "Reads the difference file of ph-subtract (DIFF, CSCI, SCI_VAR, REF_VAR, MASK,\n"
            "SCI_PSF, REF_PSF, CONV_PSF, MATCH_KERNEL; sky rms SKYRMS and TPLRMS in the DIFF\n"
            "header). The decorrelation filter, in Fourier space on the full frame,\n"
            "  D = [sci_rms^2 |F REF_PSF|^2 + ref_rms^2 |F SCI_PSF|^2 |F M|^2]^-1/2, D(0) = 1\n"
            "(M: the matching kernel with --match-kernel, else a delta, as phrosty), is\n"
            "applied circularly to DIFF and CSCI and to the PSF of the difference: by\n"
            "default PHASED_PSF (the science PSF at the transient's sub-pixel phase,\n"
            "ph-psf's) (*) REF_PSF, the transient's own profile. Writes\n"
            "DECORR_DIFF, DECORR_SCI, DIFF_VAR (variance of DECORR_DIFF), DECORR_PSF\n"
            "(odd, sum 1, key PSFLOSS), DECORR_KERNEL and MASK; optionally SCORE.\n"
            "Edges wrap around: keep photometry away from them.",
        .example = "ph-decorr diff.fits -o decorr.fits --score score.fits",
        .opts = opts,
        .pos_in = 1,
        .handle = handle,
        .ctx = &o,
    };
    int st = ph_cli_parse(&cli, argc, argv);
    if (st < 0)
        return 0;
    if (!st)
        st = check_usage(&cli, &o);
    if (!st) {
        dc_run r = {.o = &o, .in = {.path = cli.pos[0]}};
        st = run(&r);
        ph_decorr_free(r.d);
        if (r.conv != r.in.conv.data)
            free(r.conv);
        ph_header_free(r.hdr);
        dc_input_free(&r.in);
        dc_quality_free(&r.q);
        if (cli.timing)
            ph_timing_report();
    }
    ph_cli_free(&cli);
    return st ? ph_report_error() : 0;
}
