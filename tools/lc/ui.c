/* ui.c -- see ui.h. */
#include "ui.h"
#include "base/bands.h"
#include "lc.h"
#include "lcplot.h"
#include "base/log.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The rows the handler checks: values with a grammar (or a check) of
 * their own. */
enum { K_BAND = 'b', K_LTCV_DIR = 256, K_OID, K_PLOT, K_PLOT_SIZE };

#define U lc_params
const ph_opt lc_opts[] = {
    {"output", 'o', "FILE", "write the light curve CSV to FILE (- = stdout)", "", PH_OPT_OUT,
     PH_AT(U, output)},
    {"ltcv-dir", K_LTCV_DIR, "DIR", "with --oid, --band: DIR/data/OID/OID_BAND_all.csv",
     "system.paths.ltcv_dir", .flags = PH_OPT_DIR},
    {"oid", K_OID, "OID", "object id (names the output and the plot)", "", .flags = 0},
    {"band", K_BAND, "BAND", "band (ph-config bands lists them)", "", .flags = 0},
    {"ra", 'r', "DEG", "object right ascension, degrees (metadata)", "", PH_AT(U, ra), .lo = 0,
     .hi = 360},
    {"dec", 'd', "DEG", "object declination, degrees (metadata)", "", PH_AT(U, dec), .lo = -90,
     .hi = 90},
    {"ra-err", 0, "DEG", "uncertainty of --ra, degrees (metadata)", "", PH_AT(U, ra_err), .lo = 0,
     .hi = 180},
    {"dec-err", 0, "DEG", "uncertainty of --dec, degrees (metadata)", "", PH_AT(U, dec_err),
     .lo = 0, .hi = 180},
    {"iau-name", 0, "NAME", "IAU name of the object (metadata)", "", PH_AT(U, iau)},
    {"diaobject-id", 0, "ID", "diaobject id (metadata; default: --oid)", "", PH_AT(U, diaobj)},
    {"provenance-id", 0, "ID", "provenance id (metadata; default: null)", "", PH_AT(U, prov)},
    {"local-sb", 0, "MAG", "local_surface_brightness_<band>", "", PH_AT(U, lsb),
     .def = "-999.0"},
    {"meta", 0, "FILE", "metadata YAML (default: <csv stem>.meta.yaml)", "", PH_OPT_OUT,
     PH_AT(U, meta)},
    {"no-meta", 0, NULL, "do not write the metadata file", PH_AT(U, no_meta)},
    {"ecsv", 0, "FILE", "also write the light curve as ECSV 1.0 (astropy)", "", PH_OPT_OUT,
     PH_AT(U, ecsv)},
    {"duplicates", 0, "error|last", "pair given twice: fail (error) or keep the later (last)",
     PH_CHOICE_AT(U, dup), .def = "error", .values = (const int[]){LC_DUP_ERROR, LC_DUP_LAST}},
    {"truth", 0, "FILE", "true light curve: CSV with mjd, flux (see man)", "", PH_OPT_IN,
     PH_AT(U, truth)},
    {"truth-max-dt", 0, "DAYS", "match truth by MJD within DAYS", PH_AT(U, truth_dt), .lo = 0,
     .hi = 1e6, .def = "0.5"},
    {"plot", K_PLOT, "FILE", "plot flux and magnitude to FILE.png, .svg or .pdf", "",
     .flags = PH_OPT_OUT},
    {"plot-size", K_PLOT_SIZE, "WxH", "plot size, px or pt (default 1000x800, 720x576 pt)",
     .flags = 0},
    {"print", 0, NULL, "print the light curve as a table on stdout", "", PH_AT(U, print)},
    {"title", 0, "TEXT", "plot title (default: 'OID BAND')", "", PH_AT(U, title)},
    {"failure-row", 0, NULL,
     "write a failed pair's row (to -o, else stdout) from COLUMN=VALUE arguments", "",
     PH_AT(U, failure_row)},
    {0},
};
#undef U

void lc_params_init(lc_params *p)
{
    *p = (lc_params){.ra = NAN, .dec = NAN, .ra_err = NAN, .dec_err = NAN, .plot_format = -1};
    ph_cli_defaults(lc_opts, NULL, p); /* the table's: they parse (tests/cli) */
}

static int bad_name(const char *s) { return !*s || strchr(s, '/') || !strcmp(s, ".") || !strcmp(s, ".."); }

int lc_handle_option(ph_cli *cli, int key, const char *arg)
{
    lc_params *p = cli->ctx;
    switch (key) {
    case K_LTCV_DIR: /* where it came from matters: without --oid and --band, lcout.c
                        refuses the option but not phrosty's config key */
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
    }
    return ph_cli_bad(cli, "unexpected option");
}
