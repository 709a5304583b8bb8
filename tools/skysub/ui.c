/* ui.c -- see ui.h. The defaults are phrosty's SExtractor settings. */
#include "ui.h"
#include "base/log.h"

#include <math.h>
#include <string.h>

enum { O_OUTPUT = 'o', O_SATURATION = 256 };

#define U skysub_ui
const ph_opt skysub_options[] = {
    {"output", O_OUTPUT, "FILE", "output ph image (default: STEM_skysub.fits here)", NULL,
     PH_OPT_OUT, PH_AT(U, output)},
    {"hdu", 0, "HDU", "image HDU, name or number (default: SCI, else the first image)",
     PH_AT(U, in.hdu)},
    {"noise-hdu", 0, "HDU", "noise HDU, or none (default: ERR if present)", PH_AT(U, in.noise_hdu)},
    {"flags-hdu", 0, "HDU", "flags HDU (0 = good), or none (default: DQ if present)",
     PH_AT(U, in.flags_hdu)},
    {"back-size", 0, "N", "background mesh, pixels", PH_AT(U, p.back_size), .lo = 1,
     .hi = 1000000, .def = "64"},
    {"back-filtersize", 0, "N", "background median filter, meshes", PH_AT(U, p.back_filtersize),
     .lo = 1, .hi = 63, .def = "3"},
    {"detect-thresh", 0, "X", "detection threshold, sigmas of the rms", PH_AT(U, p.detect_thresh),
     .lo = 1e-6, .hi = 1e6, .def = "1.5"},
    {"detect-minarea", 0, "N", "minimum object area, pixels", PH_AT(U, p.detect_minarea), .lo = 1,
     .hi = 100000000, .def = "5"},
    {"deblend-nthresh", 0, "N", "deblending sub-thresholds (1 = none)",
     PH_AT(U, p.deblend_nthresh), .lo = 1, .hi = 64, .def = "32"},
    {"deblend-mincont", 0, "X", "deblending minimum contrast", PH_AT(U, p.deblend_mincont),
     .lo = 0, .hi = 1, .def = "0.005"},
    {"clean", 0, NULL, "merge spurious detections as SExtractor's CLEAN", NULL, PH_OPT_BOOL,
     PH_AT(U, p.clean), .def = "on"},
    {"clean-param", 0, "X", "CLEAN_PARAM, Moffat beta of the wings", PH_AT(U, p.clean_param),
     .lo = 0.1, .hi = 10, .def = "1.0"},
    {"radius-cut", 0, "X|none",
     "detection mask: objects with FLUX_RADIUS > X px; none = every segment",
     "photometry.phrosty.sfft.radius_cut_detmask", PH_OPT_NONE, PH_AT(U, p.radius_cut), .lo = 0,
     .hi = 1e6, .def = "2"},
    {"dilate", 0, "N", "detection mask: 4-connected dilations", PH_AT(U, p.ndilate), .lo = 0,
     .hi = 250, .def = "2"},
    {"saturation", O_SATURATION, "X|none",
     "saturation level, ADU (default: header SATURATE; OpenUniverse2024 files: its clip, 1e5 e-, "
     "minus 5 read-noise rms; else none)",
     .flags = 0},
    {"variance", 0, "auto|physical|phrosty|noise|model", "what VAR holds",
     PH_CHOICE_AT(U, variance), .def = "auto",
     .values = (const int[]){VAR_AUTO, VAR_PHYSICAL, VAR_NOISE, VAR_NOISE, VAR_MODEL}},
    {"gain", 0, "X", "gain, e-/ADU (default: header GAIN; 1 for OpenUniverse2024)",
     PH_AT(U, gain), .lo = 1e-6, .hi = 1e6},
    {"read-noise", 0, "X", "read noise, e- (default: header RDNOISE; 8.5 for OpenUniverse2024)",
     PH_AT(U, read_noise), .lo = 0, .hi = 1e6},
    {"check-images", 0, "DIR", "also write the sky, rms, segmentation and catalogue", NULL,
     PH_OPT_DIR, PH_AT(U, check_dir)},
    {"name", 0, "NAME", "the image's file name when IMAGE is - (standard input): PH_NAME, "
                        "PH_ID, an OpenUniverse2024 pointing", "", PH_AT(U, name)},
    {"print-meta", 0, NULL, "print the image's band, observation_id, sca and mjd as the tools "
                            "read them, and exit", "", PH_AT(U, print_meta)},
    {0},
};
#undef U

void skysub_ui_init(skysub_ui *u)
{
    memset(u, 0, sizeof *u);
    u->gain = u->read_noise = NAN;
    u->p.saturation = NAN;
    ph_cli_defaults(skysub_options, NULL, u); /* the table's: they parse (tests/cli) */
}

void skysub_defaults(skysub_params *p)
{
    skysub_ui u;
    skysub_ui_init(&u);
    *p = u.p;
}

int skysub_ui_handle(ph_cli *cli, int key, const char *arg)
{
    skysub_ui *u = cli->ctx;
    if (key != O_SATURATION)
        return ph_cli_bad(cli, "unexpected option");
    if (arg && !strcmp(arg, "none")) {
        u->p.saturation = -INFINITY; /* not even the header's */
        return PH_OK;
    }
    return ph_cli_double_range(cli, arg, -1e30, 1e30, &u->p.saturation);
}
