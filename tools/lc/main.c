/* ph-lc -- collate the per-pair photometry rows into the light curve, write
 * its metadata, print it, plot it; or write a failed pair's row.
 *
 *   ph-lc [OPTION]... ROWS.csv... | -
 *   ph-lc --failure-row [-o ROW.csv] COLUMN=VALUE...
 *
 * main.c: reading the inputs and running the steps. The options are in
 * ui.c; where the outputs go and writing them, lcout.c; the work on
 * rows in lc.c, lctruth.c, lcprint.c; the metadata in lcmeta.c; the plot
 * in lcplot.c/lcaxis.c; the failure row in lcfail.c. */
#include "base/cli.h"
#include "io/csv.h"
#include "lc.h"
#include "lcfail.h"
#include "io/lightcurve.h"
#include "base/log.h"
#include "lcmeta.h"
#include "ui.h"
#include "lcout.h"
#include "lcprint.h"
#include "sci/stats.h"
#include "base/timing.h"
#include "lctruth.h"
#include "base/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int read_inputs(const ph_cli *cli, ph_lc_rows *rows, int *nrows_of)
{
    for (int i = 0; i < cli->npos; i++) {
        const char *path = cli->pos[i];
        ph_table t;
        if (ph_csv_table_read(path, &t))
            return PH_EFAIL;
        int before = rows->n;
        int st = ph_lc_rows_add_table(rows, &t, path);
        ph_csv_table_free(&t);
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

static int run(const lc_params *p, ph_cli *cli, int argc, char **argv)
{
    char csv[4200], metapath[4300];
    int st = lc_plan_outputs(p, cli, csv, sizeof csv, metapath, sizeof metapath);
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

    if ((st = lc_write_outputs(p, csv, metapath, &rows, &meta, &truth)))
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
    lc_params p;
    lc_params_init(&p);
    ph_cli cli = {
        .tool = "ph-lc",
        .usage = "[OPTION]... ROWS.csv... | -\n"
                 "   or: ph-lc --failure-row [-o ROW.csv] COLUMN=VALUE...",
        .summary = "Collate per-pair photometry rows into the light curve; print, plot it.",
        .description =
            "Reads the rows ph-phot writes (one CSV per science x template pair, or any\n"
            "number of them concatenated on stdin, each with its header) and writes\n"
            "phrosty's light curve: its 20 columns in its order, then zpt_source,\n"
            "zpt_nstars, zpt_scatter, res_nstars, res_zmed, res_zp90; sorted by MJD\n"
            "(then science, template); one row per pair, failed pairs kept with\n"
            "success False. Beside the CSV goes\n"
            "<stem>.meta.yaml: phrosty's metadata (object, band, ra, dec, ...), the\n"
            "column units and the provenance (version, command, inputs, config).\n"
            "A light curve is itself valid input: merge new rows into an old curve\n"
            "with --duplicates last.\n"
            "--failure-row writes one row instead, for a pair whose photometry could not\n"
            "run: the header, then the columns given as COLUMN=VALUE (mjd=62000.5\n"
            "sca=3 science_name=... : the light-curve columns, see man), every other\n"
            "measurement nan, success False (ph-pipeline writes them so).",
        .example = "ph-lc --ltcv-dir lc --oid 20172782 -b Y106 phot/*.csv --plot lc.png --print",
        .opts = lc_opts,
        .pos_in = 1,
        .handle = lc_handle_option,
        .ctx = &p,
    };
    int st = ph_cli_parse(&cli, argc, argv);
    if (!st && p.failure_row && (p.plot || p.print || p.ecsv || p.meta || p.truth))
        st = ph_error(PH_EUSAGE, "--failure-row", "writes one row: --plot, --print, --ecsv, "
                      "--meta and --truth do not go with it");
    if (!st)
        st = p.failure_row ? lc_failure_row(p.output, cli.npos, cli.pos)
                           : run(&p, &cli, argc, argv);
    return ph_cli_exit(&cli, st);
}
