/* lcopts.c -- see lcopts.h. */
#include "lcopts.h"
#include "base/bands.h"
#include "lc.h"
#include "lcplot.h"
#include "base/log.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const ph_opt lc_opts[] = {
    {"output", K_OUTPUT, "FILE", "write the light curve CSV to FILE (- = stdout)", "", .flags = PH_OPT_OUT},
    {"ltcv-dir", K_LTCV_DIR, "DIR",
     "with --oid, --band: DIR/data/OID/OID_BAND_all.csv",
     "system.paths.ltcv_dir", .flags = PH_OPT_DIR},
    {"oid", K_OID, "OID", "object id (names the output and the plot)", "", .flags = 0},
    {"band", K_BAND, "BAND", "band (ph-config bands lists them)", "", .flags = 0},
    {"ra", K_RA, "DEG", "object right ascension, degrees (metadata)", "", .flags = 0},
    {"dec", K_DEC, "DEG", "object declination, degrees (metadata)", "", .flags = 0},
    {"ra-err", K_RA_ERR, "DEG", "uncertainty of --ra, degrees (metadata)", "", .flags = 0},
    {"dec-err", K_DEC_ERR, "DEG", "uncertainty of --dec, degrees (metadata)", "", .flags = 0},
    {"iau-name", K_IAU, "NAME", "IAU name of the object (metadata)", "", .flags = 0},
    {"diaobject-id", K_DIAOBJ, "ID", "diaobject id (metadata; default: --oid)", "", .flags = 0},
    {"provenance-id", K_PROV, "ID", "provenance id (metadata; default: null)", "", .flags = 0},
    {"local-sb", K_LSB, "MAG", "local_surface_brightness_<band> (default -999.0)", "", .flags = 0},
    {"meta", K_META, "FILE", "metadata YAML (default: <csv stem>.meta.yaml)", "", .flags = PH_OPT_OUT},
    {"no-meta", K_NO_META, NULL, "do not write the metadata file", NULL, .flags = 0},
    {"ecsv", K_ECSV, "FILE", "also write the light curve as ECSV 1.0 (astropy)", "", .flags = PH_OPT_OUT},
    {"duplicates", K_DUP, "error|last",
     "pair given twice: fail (default) or keep the later", NULL, .flags = 0},
    {"truth", K_TRUTH, "FILE", "true light curve: CSV with mjd, flux (see man)", "", .flags = PH_OPT_IN},
    {"truth-max-dt", K_TRUTH_DT, "DAYS",
     "match truth by MJD within DAYS (default 0.5)", NULL, .flags = 0},
    {"plot", K_PLOT, "FILE", "plot flux and magnitude to FILE.png, .svg or .pdf", "", .flags = PH_OPT_OUT},
    {"plot-size", K_PLOT_SIZE, "WxH",
     "plot size, px or pt (default 1000x800, 720x576 pt)", NULL, .flags = 0},
    {"print", K_PRINT, NULL, "print the light curve as a table on stdout",
     "", .flags = 0},
    {"title", K_TITLE, "TEXT", "plot title (default: 'OID BAND')", "", .flags = 0},
    {"failure-row", K_FAILURE_ROW, NULL,
     "write a failed pair's row (to -o, else stdout) from COLUMN=VALUE arguments", "", .flags = 0},
    {0},
};

void lc_params_init(lc_params *p)
{
    *p = (lc_params){.ra = NAN, .dec = NAN, .ra_err = NAN, .dec_err = NAN, .lsb = -999.0,
                     .truth_dt = 0.5, .plot_format = -1};
}

static int bad_name(const char *s) { return !*s || strchr(s, '/') || !strcmp(s, ".") || !strcmp(s, ".."); }

int lc_handle_option(ph_cli *cli, int key, const char *arg)
{
    lc_params *p = cli->ctx;
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
    case K_FAILURE_ROW: p->failure_row = 1; return PH_OK;
    }
    return ph_cli_bad(cli, "unexpected option");
}
