/* lcout.c -- see lcout.h. */
#include "lcout.h"
#include "io/atomicfile.h"
#include "lcecsv.h"
#include "lcplot.h"
#include "base/log.h"
#include "base/timing.h"
#include "base/util.h"

#include <stdio.h>
#include <string.h>

int lc_plan_outputs(const lc_params *p, const ph_cli *cli, char *csv, size_t csz, char *meta,
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

int lc_write_outputs(const lc_params *p, const char *csv, const char *metapath,
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
