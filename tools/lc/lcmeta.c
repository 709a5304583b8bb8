/* lcmeta.c -- see lcmeta.h. */
#define _GNU_SOURCE /* open_memstream */
#include "lcmeta.h"
#include "base/cli.h"
#include "base/log.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void lc_meta_path(const char *csv_path, char *out, size_t size)
{
    size_t n = strlen(csv_path);
    if (n > 4 && !strcmp(csv_path + n - 4, ".csv"))
        n -= 4;
    snprintf(out, size, "%.*s.meta.yaml", (int)n, csv_path);
}

/* A YAML double-quoted scalar, or null. */
static void ystr(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p == '\t')
            fputs("\\t", f);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\x%02x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* A float that YAML reads back as a float (never as an int), or null. */
static void ynum(FILE *f, double v)
{
    if (!isfinite(v)) {
        fputs("null", f);
        return;
    }
    char buf[48];
    /* YAML 1.1 (PyYAML) reads a float only with a '.': 1e-05 would be a
     * string and -999 an int, so write 1.0e-05 and -999.0 */
    ph_format_double(buf, sizeof buf, v);
    char *e = strchr(buf, 'e');
    if (strchr(buf, '.'))
        fputs(buf, f);
    else if (e)
        fprintf(f, "%.*s.0%s", (int)(e - buf), buf, e);
    else
        fprintf(f, "%s.0", buf);
}

/* The config subtree at `key` as a nested block under `indent` spaces, or
 * nothing when the key is absent. */
static void ysubtree(FILE *f, const ph_config *cfg, const char *key, const char *name, int indent)
{
    if (!cfg || ph_config_keys(cfg, key, NULL, 0) < 0)
        return;
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (!m)
        return;
    ph_config_dump(cfg, key, m);
    fclose(m);
    fprintf(f, "%*s%s:", indent, "", name);
    if (!strchr(text, '\n') || text[0] == '{') { /* {} or a scalar */
        fprintf(f, " %s", text);
    } else {
        fputc('\n', f);
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
            fprintf(f, "%*s%s\n", indent + 2, "", line);
    }
    free(text);
}

/* One "key: value" line of a string or a number, under the prefix pfx. */
static void yfield_str(FILE *f, const char *pfx, const char *key, const char *v)
{
    fprintf(f, "%s%s: ", pfx, key);
    ystr(f, v);
    fputc('\n', f);
}

static void yfield_num(FILE *f, const char *pfx, const char *key, double v)
{
    fprintf(f, "%s%s: ", pfx, key);
    ynum(f, v);
    fputc('\n', f);
}

void lc_meta_write_fields(FILE *f, const lc_meta *m, const char *pfx)
{
    yfield_str(f, pfx, "provenance_id", m->provenance_id);
    yfield_str(f, pfx, "diaobject_id", m->diaobject_id);
    fprintf(f, "%sdiaobject_position_id: null\n", pfx);
    yfield_str(f, pfx, "iau_name", m->iau_name);
    yfield_str(f, pfx, "band", m->band);
    yfield_num(f, pfx, "ra", m->ra);
    yfield_num(f, pfx, "dec", m->dec);
    yfield_num(f, pfx, "ra_err", m->ra_err);
    yfield_num(f, pfx, "dec_err", m->dec_err);
    fprintf(f, "%sra_dec_covar: null\n", pfx);
    if (m->band) {
        char key[128];
        snprintf(key, sizeof key, "local_surface_brightness_%s", m->band);
        yfield_num(f, pfx, key, m->local_sb);
    }
    yfield_str(f, pfx, "object_id", m->oid);
}

void lc_meta_write_column(FILE *f, int k)
{
    const ph_lc_column *c = &ph_lc_columns[k];
    fprintf(f, "{name: %s, ", c->name);
    if (c->unit[0])
        fprintf(f, "unit: %s, ", c->unit);
    fprintf(f, "datatype: %s, description: ", c->datatype);
    ystr(f, c->doc);
    fputc('}', f);
}

int lc_meta_write(FILE *f, const lc_meta *m)
{
    const lc_summary *s = m->sum;
    fprintf(f, "# Metadata of a phrosty-c light curve, written by ph-lc; see ph-lc(1).\n");
    fprintf(f, "lightcurve: ");
    ystr(f, m->csv_name);
    fprintf(f, "\n\n# phrosty's Lightcurve metadata (snappl), null where unknown\nmeta:\n");
    lc_meta_write_fields(f, m, "  ");
    fprintf(f, "\n# the CSV's columns, in order (ECSV-style name, unit, datatype)\ncolumns:\n");
    for (int k = 0; k < PH_LC_NCOLS; k++) {
        fprintf(f, "  - ");
        lc_meta_write_column(f, k);
        fputc('\n', f);
    }

    fprintf(f, "\nsummary:\n  rows: %d\n  failed: %d\n  science_images: %d\n  templates: %d\n",
            s->nrows, s->nfailed, s->nscience, s->ntemplates);
    fprintf(f, "  mjd_min: ");
    ynum(f, s->mjd_min);
    fprintf(f, "\n  mjd_max: ");
    ynum(f, s->mjd_max);
    fprintf(f, "\n  rows_without_mjd: %d\n  duplicates_dropped: %d\n", s->nnan_mjd, m->ndropped);
    fprintf(f, "  # static stars on the differences (RESZMED: ~2 at the noise)\n"
               "  static_star_pairs: %d\n  static_star_zmed_max: ",
            s->res_pairs);
    ynum(f, s->res_zmed_max);
    fprintf(f, "\n  static_star_zp90_max: ");
    ynum(f, s->res_zp90_max);
    fprintf(f, "\n  static_star_pairs_above_5: %d\n", s->res_above5);
    if (m->truth) {
        fprintf(f, "  truth_pulls: %d\n  pull_mean: ", m->npulls);
        ynum(f, m->pull_mean);
        fprintf(f, "\n  pull_std: ");
        ynum(f, m->pull_std);
        fputc('\n', f);
    }

    fprintf(f, "\nprovenance:\n  tool: ph-lc\n  version: ");
    ystr(f, ph_cli_version());
    fprintf(f, "\n  command:\n");
    for (int i = 0; i < m->argc; i++) {
        fprintf(f, "    - ");
        ystr(f, m->argv[i]);
        fputc('\n', f);
    }
    fprintf(f, "  inputs:\n");
    for (int i = 0; i < m->ninputs; i++) {
        fprintf(f, "    - {file: ");
        ystr(f, strcmp(m->inputs[i], "-") ? m->inputs[i] : "(stdin)");
        fprintf(f, ", rows: %d}\n", m->input_rows[i]);
    }
    fprintf(f, "  options:\n    duplicates: %s\n    truth: ", m->duplicates);
    ystr(f, m->truth);
    fprintf(f, "\n    truth_max_dt: ");
    ynum(f, m->truth_max_dt);
    fprintf(f, "\n  config_file: ");
    ystr(f, m->cfg ? ph_config_path(m->cfg) : NULL);
    fprintf(f, "\n  # the config values that matter here, as a config file would hold them\n");
    fprintf(f, "  config:\n");
    int any = 0;
    static const char *subtrees[][3] = {
        {"system", "system.paths", "paths"},
        {"photometry", "photometry.phrosty", "phrosty"},
        {"ph", "ph.lc", "lc"},
    };
    for (int i = 0; i < 3; i++) {
        if (!m->cfg || ph_config_keys(m->cfg, subtrees[i][1], NULL, 0) < 0)
            continue;
        fprintf(f, "    %s:\n", subtrees[i][0]);
        ysubtree(f, m->cfg, subtrees[i][1], subtrees[i][2], 6);
        any = 1;
    }
    if (!any)
        fprintf(f, "    {}\n");
    return ferror(f) ? ph_error(PH_EFAIL, NULL, "cannot write the metadata") : PH_OK;
}
