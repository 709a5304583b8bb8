/* ph-lc -- collate the per-pair photometry rows into the light curve, write
 * its metadata, print it, plot it.
 *
 *   ph-lc [OPTION]... ROWS.csv... | -
 *
 * main.c: the option table, reading the inputs, running the steps, writing
 * the outputs. The work on rows is in lc.c, lctruth.c, lcprint.c; the metadata
 * in lcmeta.c; the plot in lcplot.c/lcaxis.c. */
#include "atomicfile.h"
#include "bands.h"
#include "cli.h"
#include "csv.h"
#include "lc.h"
#include "lcecsv.h"
#include "lightcurve.h"
#include "log.h"
#include "lcmeta.h"
#include "lcplot.h"
#include "lcprint.h"
#include "stats.h"
#include "timing.h"
#include "lctruth.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    K_OUTPUT = 'o', K_BAND = 'b', K_RA = 'r', K_DEC = 'd',
    K_LTCV_DIR = 256, K_OID, K_RA_ERR, K_DEC_ERR, K_IAU, K_DIAOBJ, K_PROV, K_LSB, K_META,
    K_NO_META, K_DUP, K_TRUTH, K_TRUTH_DT, K_PLOT, K_PLOT_SIZE, K_PRINT, K_TITLE, K_ECSV,
};

static const ph_opt opts[] = {
    {"output", K_OUTPUT, "FILE", "write the light curve CSV to FILE (- = stdout)", "", PH_OPT_OUT},
    {"ltcv-dir", K_LTCV_DIR, "DIR",
     "with --oid, --band: DIR/data/OID/OID_BAND_all.csv",
     "system.paths.ltcv_dir", PH_OPT_DIR},
    {"oid", K_OID, "OID", "object id (names the output and the plot)", "", 0},
    {"band", K_BAND, "BAND", "band: R062 Z087 Y106 J129 H158 F184 K213 W146", "", 0},
    {"ra", K_RA, "DEG", "object right ascension, degrees (metadata)", "", 0},
    {"dec", K_DEC, "DEG", "object declination, degrees (metadata)", "", 0},
    {"ra-err", K_RA_ERR, "DEG", "uncertainty of --ra, degrees (metadata)", "", 0},
    {"dec-err", K_DEC_ERR, "DEG", "uncertainty of --dec, degrees (metadata)", "", 0},
    {"iau-name", K_IAU, "NAME", "IAU name of the object (metadata)", "", 0},
    {"diaobject-id", K_DIAOBJ, "ID", "diaobject id (metadata; default: --oid)", "", 0},
    {"provenance-id", K_PROV, "ID", "provenance id (metadata; default: null)", "", 0},
    {"local-sb", K_LSB, "MAG", "local_surface_brightness_<band> (default -999.0)", "", 0},
    {"meta", K_META, "FILE", "metadata YAML (default: <csv stem>.meta.yaml)", "", PH_OPT_OUT},
    {"no-meta", K_NO_META, NULL, "do not write the metadata file", NULL, 0},
    {"ecsv", K_ECSV, "FILE", "also write the light curve as ECSV 1.0 (astropy)", "", PH_OPT_OUT},
    {"duplicates", K_DUP, "error|last",
     "pair given twice: fail (default) or keep the later", NULL, 0},
    {"truth", K_TRUTH, "FILE", "true light curve: CSV with mjd, flux (see man)", "", PH_OPT_IN},
    {"truth-max-dt", K_TRUTH_DT, "DAYS",
     "match truth by MJD within DAYS (default 0.5)", NULL, 0},
    {"plot", K_PLOT, "FILE", "plot flux and magnitude to FILE.png, .svg or .pdf", "", PH_OPT_OUT},
    {"plot-size", K_PLOT_SIZE, "WxH",
     "plot size, px or pt (default 1000x800, 720x576 pt)", NULL, 0},
    {"print", K_PRINT, NULL, "print the light curve as a table on stdout",
     "", 0},
    {"title", K_TITLE, "TEXT", "plot title (default: 'OID BAND')", "", 0},
    {NULL, 0, NULL, NULL, NULL, 0},
};

typedef struct params {
    const char *output, *ltcv_dir, *oid, *band, *iau, *diaobj, *prov, *meta, *truth, *plot,
        *title, *ecsv;
    int ltcv_dir_on_cli, no_meta, dup, print, plot_format, plot_w, plot_h;
    double ra, dec, ra_err, dec_err, lsb, truth_dt;
} params;

static int bad_name(const char *s) { return !*s || strchr(s, '/') || !strcmp(s, ".") || !strcmp(s, ".."); }

static int handle(ph_cli *cli, int key, const char *arg)
{
    params *p = cli->ctx;
    switch (key) {
    case K_OUTPUT: p->output = arg; return PH_OK;
    case K_LTCV_DIR:
        p->ltcv_dir = arg;
        p->ltcv_dir_on_cli = cli->source && !strncmp(cli->source, "--", 2);
        return *arg ? PH_OK : ph_cli_bad(cli, "empty directory name");
    case K_OID:
        p->oid = arg;
        return bad_name(arg) ? ph_cli_bad(cli, "'%s' cannot name a directory", arg) : PH_OK;
    case K_BAND: {
        const ph_band *b = ph_band_find(arg);
        if (!b)
            return ph_cli_bad(cli, "unknown band '%s' (one of %s)", arg, ph_band_names());
        p->band = b->name;
        return PH_OK;
    }
    case K_RA: return ph_cli_double_range(cli, arg, 0, 360, &p->ra);
    case K_DEC: return ph_cli_double_range(cli, arg, -90, 90, &p->dec);
    case K_RA_ERR: return ph_cli_double_range(cli, arg, 0, 180, &p->ra_err);
    case K_DEC_ERR: return ph_cli_double_range(cli, arg, 0, 180, &p->dec_err);
    case K_IAU: p->iau = arg; return PH_OK;
    case K_DIAOBJ: p->diaobj = arg; return PH_OK;
    case K_PROV: p->prov = arg; return PH_OK;
    case K_LSB: return ph_cli_double(cli, arg, &p->lsb);
    case K_META: p->meta = arg; return PH_OK;
    case K_NO_META: p->no_meta = 1; return PH_OK;
    case K_ECSV: p->ecsv = arg; return PH_OK;
    case K_DUP: return ph_cli_choice(cli, arg, "error|last", &p->dup);
    case K_TRUTH: p->truth = arg; return PH_OK;
    case K_TRUTH_DT: return ph_cli_double_range(cli, arg, 0, 1e6, &p->truth_dt);
    case K_PLOT:
        p->plot = arg;
        if (!strcmp(arg, "-"))
            return ph_cli_bad(cli, "the plot cannot go to standard output (its format comes from "
                                   "the name); give FILE.png, .svg or .pdf");
        if ((p->plot_format = lc_plot_format(arg)) < 0)
            return ph_cli_bad(cli, "'%s': the plot's extension must be .png, .svg or .pdf", arg);
        return PH_OK;
    case K_PLOT_SIZE: {
        char x;
        long w, h;
        char *end;
        w = strtol(arg, &end, 10);
        if (end == arg || sscanf(end, "%c%ld", &x, &h) != 2 || (x != 'x' && x != 'X') ||
            w < 200 || h < 200 || w > 10000 || h > 10000)
            return ph_cli_bad(cli, "'%s' is not WIDTHxHEIGHT with sides 200 to 10000", arg);
        p->plot_w = (int)w;
        p->plot_h = (int)h;
        return PH_OK;
    }
    case K_PRINT: p->print = 1; return PH_OK;
    case K_TITLE: p->title = arg; return PH_OK;
    }
    return ph_cli_bad(cli, "unexpected option");
}

/* Decide where the light curve goes; check combinations of options. */
static int plan_outputs(const params *p, const ph_cli *cli, char *csv, size_t csz, char *meta,
                        size_t msz)
{
    csv[0] = meta[0] = '\0';
    int nstdin = 0;
    for (int i = 0; i < cli->npos; i++)
        nstdin += !strcmp(cli->pos[i], "-");
    if (cli->npos == 0)
        return ph_error(PH_EUSAGE, NULL, "no input: give photometry CSV files, or - for stdin "
                                         "(try --help)");
    if (nstdin > 1)
        return ph_error(PH_EUSAGE, NULL, "- (stdin) given more than once");
    if (p->output) {
        ph_strlcpy(csv, p->output, csz);
    } else if (p->ltcv_dir && p->oid && p->band) {
        /* phrosty's documented name (usage.rst; pipeline-reference §5.1) */
        if ((size_t)snprintf(csv, csz, "%s/data/%s/%s_%s_all.csv", p->ltcv_dir, p->oid, p->oid,
                             p->band) >= csz)
            return ph_error(PH_EUSAGE, NULL, "--ltcv-dir: path too long");
    } else if (p->ltcv_dir_on_cli) {
        return ph_error(PH_EUSAGE, NULL, "--ltcv-dir needs --oid and --band to name the file");
    } else if (!p->print && !p->plot && !p->ecsv) {
        return ph_error(PH_EUSAGE, NULL,
                        "no output: give -o FILE, or --oid and --band with --ltcv-dir DIR (or "
                        "system.paths.ltcv_dir in the config), or --ecsv, --plot, --print");
    }
    if (!strcmp(csv, "-") && p->print)
        return ph_error(PH_EUSAGE, NULL, "-o - and --print both write to stdout; choose one");
    if (p->ecsv && !strcmp(p->ecsv, "-") && (p->print || !strcmp(csv, "-")))
        return ph_error(PH_EUSAGE, NULL, "--ecsv - shares stdout with another output");
    if (p->meta && p->no_meta)
        return ph_error(PH_EUSAGE, NULL, "--meta and --no-meta contradict each other");
    if (p->meta)
        ph_strlcpy(meta, p->meta, msz);
    else if (!p->no_meta && csv[0] && strcmp(csv, "-"))
        lc_meta_path(csv, meta, msz);
    if (meta[0] && !strcmp(meta, "-") && (p->print || !strcmp(csv, "-")))
        return ph_error(PH_EUSAGE, NULL, "--meta - shares stdout with another output");
    const char *outs[4] = {csv, meta, p->plot ? p->plot : "", p->ecsv ? p->ecsv : ""};
    if (meta[0] && !strcmp(meta, "-") && p->ecsv && !strcmp(p->ecsv, "-"))
        return ph_error(PH_EUSAGE, NULL, "--meta - and --ecsv - both write to stdout");
    for (int i = 0; i < 4; i++)
        for (int j = i + 1; j < 4; j++)
            if (outs[i][0] && !strcmp(outs[i], outs[j]) && strcmp(outs[i], "-"))
                return ph_error(PH_EUSAGE, NULL, "%s named for two outputs", outs[i]);
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < cli->npos; k++)
            if (outs[i][0] && !strcmp(outs[i], cli->pos[k]) && strcmp(outs[i], "-"))
                return ph_error(PH_EUSAGE, outs[i], "is both an input and an output");
    return PH_OK;
}

static int read_inputs(const ph_cli *cli, ph_lc_rows *rows, int *nrows_of)
{
    for (int i = 0; i < cli->npos; i++) {
        const char *path = cli->pos[i];
        ph_table t;
        if (ph_table_read(path, &t))
            return PH_EFAIL;
        int before = rows->n;
        int st = ph_lc_rows_add_table(rows, &t, path);
        ph_table_free(&t);
        if (st)
            return st;
        nrows_of[i] = rows->n - before;
    }
    if (rows->n == 0)
        return ph_error(PH_EFAIL, cli->npos == 1 ? cli->pos[0] : NULL,
                        "no light-curve rows in the input%s",
                        cli->npos == 1 ? " (a header only)" : " (every file has a header only)");
    for (int i = 0; i < cli->npos; i++)
        if (!nrows_of[i])
            ph_warn("%s: no rows (a header only)", cli->pos[i]);
    return PH_OK;
}

/* Write every output to its temporary, then move them all into place, so
 * that a failure leaves none of them. */
static int write_outputs(const params *p, const char *csv, const char *metapath,
                         const ph_lc_rows *rows, const lc_meta *meta, const lc_truth *truth)
{
    ph_atomic out[4];
    int nout = 0, st = PH_OK;
    if (!p->output && csv[0]) { /* phrosty's path: make its directories */
        char dir[4200];
        ph_strlcpy(dir, csv, sizeof dir);
        char *slash = strrchr(dir, '/');
        if (slash && slash != dir) {
            *slash = '\0';
            if (ph_mkdir_p(dir))
                return PH_EFAIL;
        }
    }
    if (csv[0]) {
        ph_timing_begin("write");
        if ((st = ph_atomic_open(&out[nout], csv)))
            goto fail;
        nout++;
        ph_lc_write_header(out[nout - 1].f);
        for (int i = 0; i < rows->n; i++)
            ph_lc_write_row(out[nout - 1].f, &rows->r[i]);
        ph_timing_end();
    }
    if (metapath[0]) {
        if ((st = ph_atomic_open(&out[nout], metapath)))
            goto fail;
        nout++;
        if ((st = lc_meta_write(out[nout - 1].f, meta)))
            goto fail;
    }
    if (p->ecsv) {
        if ((st = ph_atomic_open(&out[nout], p->ecsv)))
            goto fail;
        nout++;
        if ((st = lc_ecsv_write(out[nout - 1].f, rows, meta)))
            goto fail;
    }
    if (p->plot) {
        ph_timing_begin("plot");
        if ((st = ph_atomic_open(&out[nout], p->plot)))
            goto fail;
        nout++;
        char title[256];
        if (p->title)
            ph_strlcpy(title, p->title, sizeof title);
        else
            snprintf(title, sizeof title, "%s%s%s", p->oid ? p->oid : "",
                     p->oid && p->band ? "  " : "", p->band ? p->band : "");
        lc_plot_in in = {rows->r, rows->n, truth->mjd, truth->flux, truth->n,
                         title, p->plot_w, p->plot_h};
        if ((st = lc_plot_write(out[nout - 1].f, p->plot, p->plot_format, &in)))
            goto fail;
        ph_timing_end();
    }
    for (int i = 0; i < nout; i++) /* commit also checks for write errors */
        if ((st = ph_atomic_commit(&out[i]))) {
            for (int j = i + 1; j < nout; j++)
                ph_atomic_abort(&out[j]);
            return st;
        }
    return PH_OK;
fail:
    for (int i = 0; i < nout; i++)
        ph_atomic_abort(&out[i]);
    return st ? st : PH_EFAIL;
}

static int run(const params *p, ph_cli *cli, int argc, char **argv)
{
    char csv[4200], metapath[4300];
    int st = plan_outputs(p, cli, csv, sizeof csv, metapath, sizeof metapath);
    if (st)
        return st;
    ph_lc_rows rows = {0};
    lc_truth truth = {0};
    double *true_flux = NULL, *pull = NULL;
    int *nrows_of = ph_calloc((size_t)cli->npos, sizeof *nrows_of, "inputs");
    if (!nrows_of)
        return PH_EFAIL;

    ph_timing_begin("read");
    if ((st = read_inputs(cli, &rows, nrows_of)))
        goto out;
    ph_timing_end();

    ph_timing_begin("collate");
    int ndropped;
    if ((st = lc_collate(&rows, p->dup, &ndropped)))
        goto out;
    if (ndropped)
        ph_notice("%d duplicate row%s replaced by a later one (--duplicates last)", ndropped,
                  ndropped == 1 ? "" : "s");
    lc_summary sum;
    lc_summarize(&rows, &sum);
    if (sum.nnan_mjd)
        ph_warn("%d row%s without an MJD (sorted last)", sum.nnan_mjd,
                sum.nnan_mjd == 1 ? "" : "s");
    ph_timing_end();

    lc_meta meta = {
        .csv_name = csv[0] && strcmp(csv, "-") ? ph_path_basename(csv) : NULL,
        .oid = p->oid, .band = p->band, .iau_name = p->iau,
        .diaobject_id = p->diaobj ? p->diaobj : p->oid, .provenance_id = p->prov,
        .ra = p->ra, .dec = p->dec, .ra_err = p->ra_err, .dec_err = p->dec_err,
        .local_sb = p->lsb, .sum = &sum, .ndropped = ndropped,
        .duplicates = p->dup == LC_DUP_LAST ? "last" : "error",
        .ninputs = cli->npos, .inputs = cli->pos, .input_rows = nrows_of,
        .truth = p->truth, .truth_max_dt = p->truth_dt, .pull_mean = NAN, .pull_std = NAN,
        .argc = argc, .argv = argv, .cfg = cli->cfg,
    };

    char line[512];
    if (p->truth) {
        ph_timing_begin("truth");
        if ((st = lc_truth_read(p->truth, &truth)))
            goto out;
        int *match = ph_malloc((size_t)rows.n * sizeof *match, "truth matches");
        true_flux = ph_malloc((size_t)rows.n * sizeof *true_flux, "truth");
        pull = ph_malloc((size_t)rows.n * sizeof *pull, "pulls");
        if (!match || !true_flux || !pull) {
            free(match);
            st = PH_EFAIL;
            goto out;
        }
        lc_truth_match(&truth, rows.r, rows.n, p->truth_dt, match);
        int nmatched = 0;
        for (int i = 0; i < rows.n; i++) {
            true_flux[i] = match[i] >= 0 ? truth.flux[match[i]] : NAN;
            nmatched += match[i] >= 0;
            pull[i] = lc_pull(&rows.r[i], true_flux[i]);
        }
        free(match);
        if (!nmatched)
            ph_warn("%s: no row matched the truth (by observation_id, or by MJD within %g d)",
                    p->truth, p->truth_dt);
        meta.npulls = lc_pull_line(line, sizeof line, pull, rows.n);
        if (meta.npulls)
            ph_mean_std(pull, (size_t)rows.n, &meta.pull_mean, &meta.pull_std);
        ph_timing_end();
    }

    char name[160];
    snprintf(name, sizeof name, "%s%s%s", p->oid ? p->oid : "", p->oid && p->band ? " " : "",
             p->band ? p->band : "");
    char summary[512];
    lc_summary_line(summary, sizeof summary, name, &sum);
    ph_info("%s", summary);
    if (p->truth)
        ph_info("%s", line);

    if ((st = write_outputs(p, csv, metapath, &rows, &meta, &truth)))
        goto out;
    if (csv[0])
        ph_info("light curve written to %s%s%s", csv, metapath[0] ? ", metadata to " : "",
                metapath);
    if (p->print) {
        lc_print_table(stdout, &rows, true_flux);
        printf("%s\n", summary);
        if (p->truth)
            printf("%s\n", line);
        if (fflush(stdout))
            st = ph_error(PH_EFAIL, "-", "cannot write to standard output");
    }
out:
    free(nrows_of);
    free(true_flux);
    free(pull);
    lc_truth_free(&truth);
    ph_lc_rows_free(&rows);
    return st;
}

int main(int argc, char **argv)
{
    params p = {.ra = NAN, .dec = NAN, .ra_err = NAN, .dec_err = NAN, .lsb = -999.0,
                .truth_dt = 0.5, .plot_format = -1};
    ph_cli cli = {
        .tool = "ph-lc",
        .usage = "[OPTION]... ROWS.csv... | -",
        .summary = "Collate per-pair photometry rows into the light curve; print, plot it.",
        .description =
            "Reads the rows ph-phot writes (one CSV per science x template pair, or any\n"
            "number of them concatenated on stdin, each with its header) and writes\n"
            "phrosty's light curve: its 20 columns in its order, then zpt_source,\n"
            "zpt_nstars, zpt_scatter; sorted by MJD (then science, template); one row\n"
            "per pair, failed pairs kept with success False. Beside the CSV goes\n"
            "<stem>.meta.yaml: phrosty's metadata (object, band, ra, dec, ...), the\n"
            "column units and the provenance (version, command, inputs, config).\n"
            "A light curve is itself valid input: merge new rows into an old curve\n"
            "with --duplicates last.",
        .example = "ph-lc --ltcv-dir lc --oid 20172782 -b Y106 phot/*.csv --plot lc.png --print",
        .opts = opts,
        .pos_in = 1,
        .handle = handle,
        .ctx = &p,
    };
    int st = ph_cli_parse(&cli, argc, argv);
    if (st < 0)
        return 0;
    if (!st)
        st = run(&p, &cli, argc, argv);
    if (cli.timing)
        ph_timing_report();
    ph_cli_free(&cli);
    return st ? ph_report_error() : 0;
}
