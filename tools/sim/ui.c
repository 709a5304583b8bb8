/* ui.c -- see ui.h. */
#include "ui.h"

#include "base/bands.h"
#include "counts.h"
#include "base/log.h"
#include "options.h" /* sim_arg_*: the compound arguments */

#include <math.h>
#include <string.h>

enum {
    O_OUTPUT = 'o', O_BAND = 'b', O_SIZE = 256, O_SEED, O_ROLLS, O_SCA, O_STARMAGS, O_GALMAGS,
    O_MAGDIST, O_OID, O_SNOFF, O_SKYGRAD, O_PSF, O_PSFOVER, O_PSFSIZE, O_PHASE, O_STAMPSIZE
};

#define U sim_opts
const ph_opt sim_options[] = {
    {"output", O_OUTPUT, "PATH", "scene directory (scene) or FITS file (psf, stamp); required",
     NULL, PH_OPT_OUT, PH_AT(U, out)},
    {"band", O_BAND, "BAND", "band: R062 Z087 Y106 J129 H158 F184 K213 W146", NULL,
     .flags = 0, .def = "Y106"},
    {"size", O_SIZE, "NX[xNY]", "image size in pixels, 16 ... 4088", NULL,
     .flags = 0, .def = "4088"},
    {"seed", O_SEED, "N", "random seed: same seed, same files", NULL, .flags = 0, .def = "1"},
    {"templates", 0, "N", "template epochs, without the transient", NULL, PH_AT(U, p.ntemplates),
     .lo = 0, .hi = 1000, .def = "1"},
    {"science", 0, "N", "science epochs", NULL, PH_AT(U, p.nscience), .lo = 0, .hi = 1000,
     .def = "4"},
    {"mjd", 0, "MJD", "first science epoch", NULL, PH_AT(U, p.mjd_science), .lo = 0, .hi = 1e6,
     .def = "62450"},
    {"template-mjd", 0, "MJD", "first template epoch (default MJD - 365)", NULL,
     PH_AT(U, p.mjd_template), .lo = 0, .hi = 1e6},
    {"cadence", 0, "DAYS", "days between epochs", NULL, PH_AT(U, p.cadence_days), .lo = 0,
     .hi = 1e4, .def = "5"},
    {"ra", 0, "DEG", "scene centre RA", NULL, PH_AT(U, p.ra0), .lo = 0, .hi = 360, .def = "7.55"},
    {"dec", 0, "DEG", "scene centre Dec", NULL, PH_AT(U, p.dec0), .lo = -89, .hi = 89,
     .def = "-44.8"},
    {"rotation", 0, "DEG", "position angle of the +y axis, east of north", NULL,
     PH_AT(U, p.rot_deg), .lo = -360, .hi = 360, .def = "0"},
    {"rolls", O_ROLLS, "DEG,...",
     "each epoch's roll about --rotation, templates then science (instead of --rotate's random "
     "ones)",
     NULL, .flags = 0},
    {"rotate", 0, "DEG", "random roll per epoch, +-DEG about --rotation; 180: any roll", NULL,
     PH_AT(U, p.rot_range_deg), .lo = 0, .hi = 180, .def = "180"},
    {"dither", 0, "PX", "random pointing offset per epoch, +-PX (default 5% of the size)", NULL,
     PH_AT(U, p.dither_px), .lo = 0, .hi = 4088},
    {"sca", O_SCA, "N|random", "detector 1 ... 18 of every epoch, or random per epoch; psf, "
     "stamp: that SCA's PSF", NULL, .flags = 0, .def = "random"},
    {"pointing", 0, "N", "observation id of the first epoch; then +1", NULL,
     PH_AT(U, p.pointing0), .lo = 0, .hi = 999999999, .def = "10000"},
    {"distortion", 0, "PX", "SIP distortion at the corners of a 4088 SCA; 0: plain TAN", NULL,
     PH_AT(U, p.distortion_px), .lo = 0, .hi = 50, .def = "3"},
    {"square-pixels", 0, NULL, "0.11\" square pixels on every SCA, not the SCA's own plate "
     "scale", NULL, PH_AT(U, p.square_pixels)},
    {"nstars", 0, "N", "random stars per image area (default: OpenUniverse2024's density "
     "in --star-mags, 202 per 4088^2)", NULL, PH_AT(U, p.nstars), .lo = 0, .hi = 1000000},
    {"ngalaxies", 0, "N", "random galaxies per image area (default: OpenUniverse2024's "
     "density in --galaxy-mags, 16988 per 4088^2)", NULL, PH_AT(U, p.ngalaxies), .lo = 0,
     .hi = 1000000},
    {"star-mags", O_STARMAGS, "LO,HI", "AB range of random stars (default 13.9,26.7)", NULL,
     .flags = 0},
    {"galaxy-mags", O_GALMAGS, "LO,HI", "AB range of random galaxies (default 16,31.5)", NULL,
     .flags = 0},
    {"mag-dist", O_MAGDIST, "ou2024|uniform", "magnitudes of random objects: OpenUniverse2024's "
     "distribution or uniform, within the ranges", NULL, .flags = 0, .def = "ou2024"},
    {"catalog", 0, "FILE", "static objects: ra dec mag|flux [obj_type object_id re_arcsec "
     "sersic_n q pa_deg]; then no random objects unless --nstars/--ngalaxies", NULL, PH_OPT_IN,
     PH_AT(U, catalog)},
    {"inject", 0, "FILE", "point sources on science epochs: ra dec flux [object_id]", NULL,
     PH_OPT_IN, PH_AT(U, inject)},
    {"no-host", 0, NULL, "no host galaxy (the transient sits at the scene centre)", NULL,
     PH_AT(U, no_host)},
    {"no-transient", 0, NULL, "no transient", NULL, PH_AT(U, no_transient)},
    {"oid", O_OID, "ID", "transient object id", NULL, .flags = 0, .def = "20172782"},
    {"sn-mag", 0, "MAG", "transient peak AB magnitude", NULL, PH_AT(U, p.sn_peak_mag), .lo = 5,
     .hi = 40, .def = "22"},
    {"sn-peak", 0, "MJD", "transient peak (default: middle of the science epochs)", NULL,
     PH_AT(U, p.sn_peak_mjd), .lo = 0, .hi = 1e6},
    {"sn-rise", 0, "DAYS", "linear rise before the peak", NULL, PH_AT(U, p.sn_rise_days),
     .lo = 0, .hi = 1e4, .def = "15"},
    {"sn-fall", 0, "DAYS", "exponential decline time after the peak", NULL,
     PH_AT(U, p.sn_fall_days), .lo = 0.01, .hi = 1e4, .def = "25"},
    {"sn-offset", O_SNOFF, "E,N", "transient offset from the host, arcsec east, north", NULL,
     .flags = 0, .def = "0.25,0.15"},
    {"exptime", 0, "S", "exposure time (default: OpenUniverse2024's for the band)", NULL,
     PH_AT(U, p.exptime_s), .lo = 0.1, .hi = 1e5},
    {"sky", 0, "E", "sky level, e- per pixel (default 0.37 e-/s x EXPTIME)", NULL,
     PH_AT(U, p.sky_e), .lo = 0, .hi = 1e5},
    {"sky-gradient", O_SKYGRAD, "GX,GY", "sky gradient, e- per 1000 px along x, y", NULL,
     .flags = 0, .def = "0,0"},
    {"read-noise", 0, "E", "read noise rms, e-", NULL, PH_AT(U, p.read_noise_e), .lo = 0,
     .hi = 1e4, .def = "8.5"},
    {"dark", 0, "E", "dark current, e-/s", NULL, PH_AT(U, p.dark_e_s), .lo = 0, .hi = 1e3,
     .def = "0.015"},
    {"saturate", 0, "E", "saturation clip, e-", NULL, PH_AT(U, p.saturate_e), .lo = 1, .hi = 1e12,
     .def = "100000"},
    {"flag-saturated", 0, NULL, "flag clipped pixels in DQ (bit 2); OpenUniverse2024 does "
     "not", NULL, PH_AT(U, p.flag_saturated)},
    {"no-noise", 0, NULL, "expected values: no photon or read noise, no quantisation, no "
     "cosmic rays", NULL, PH_AT(U, no_noise)},
    {"cosmic-rays", 0, "N", "cosmic-ray tracks per image (default 900 per 4088^2 per "
     "302.275 s)", NULL, PH_AT(U, p.cosmic_rays), .lo = 0, .hi = 10000000},
    {"flag-cosmic-rays", 0, NULL, "flag cosmic-ray pixels in DQ (bit 4); OpenUniverse2024 "
     "does not", NULL, PH_AT(U, p.flag_cosmic_rays)},
    {"hot-pixels", 0, "N", "hot pixels per 4088^2 SCA: DQ 1", NULL, PH_AT(U, p.hot_pixels),
     .lo = 0, .hi = 1000000, .def = "300"},
    {"bad-pixels", 0, "N", "dead pixels per 4088^2 SCA: SCI 0, DQ 1", NULL,
     PH_AT(U, p.bad_pixels), .lo = 0, .hi = 1000000, .def = "100"},
    {"bad-columns", 0, "N", "dead columns per 4088^2 SCA: SCI 0, DQ 1", NULL,
     PH_AT(U, p.bad_columns), .lo = 0, .hi = 4088, .def = "0"},
    {"model", O_PSF, "MODEL", "roman or gaussian:SIGMA (native px, pixel-integrated) (default "
     "roman)", NULL, .flags = 0},
    PH_ROMANPSF_CLI_OPTS(U, rpsf),
    {"jitter-vary", 0, "FRAC", "per-epoch jitter variation, +-FRAC", NULL,
     PH_AT(U, p.jitter_vary), .lo = 0, .hi = 0.9, .def = "0.1"},
    {"psf-oversamp", O_PSFOVER, "N", "oversampling of PSF model files, odd", NULL, PH_OPT_ODD,
     PH_AT(U, psf_over), .lo = 1, .hi = 25, .def = "9"},
    {"psf-size", O_PSFSIZE, "N", "native size of PSF model files, odd", NULL, PH_OPT_ODD,
     PH_AT(U, psf_size), .lo = 3, .hi = 501, .def = "41"},
    {"no-psf-files", 0, NULL, "scene: do not write the PSF model files", NULL,
     PH_AT(U, no_psf_files)},
    {"phase", O_PHASE, "DX,DY", "stamp: PSF centre - centre pixel, px, each in [-0.5, 0.5]",
     NULL, .flags = 0, .def = "0,0"},
    {"stamp-size", O_STAMPSIZE, "N", "stamp: size, odd", NULL, PH_OPT_ODD, PH_AT(U, stamp_size),
     .lo = 3, .hi = 501, .def = "41"},
    {"psf", 0, "MODEL", "model", NULL, .flags = PH_OPT_ALIAS | PH_OPT_OLD}, /* until the next release */
    {0},
};
#undef U

void sim_opts_init(sim_opts *c)
{
    sim_params *p = &c->p;
    memset(c, 0, sizeof *c);
    /* derived from the band, the size or another option (sim_params_finish) */
    p->mjd_template = p->dither_px = p->sn_peak_mjd = p->exptime_s = p->sky_e = NAN;
    p->star_mag[0] = p->star_mag[1] = p->gal_mag[0] = p->gal_mag[1] = NAN; /* counts.h's */
    p->nstars = p->ngalaxies = p->cosmic_rays = -1;
    p->host = p->transient = p->noise = 1; /* --no-host, --no-transient, --no-noise */
    ph_romanpsf_cli_init(&c->rpsf);
    /* the table's defaults, the handler's rows' too: they parse (tests/cli) */
    ph_cli_defaults(sim_options, sim_ui_handle, c);
}

int sim_ui_handle(ph_cli *cli, int key, const char *arg)
{
    sim_opts *c = cli->ctx;
    sim_params *p = &c->p;
    long v;
    switch (key) {
    case O_BAND:
        if (!ph_band_find(arg))
            return ph_cli_bad(cli, "unknown band '%s' (bands: %s)", arg, ph_band_names());
        c->band = arg;
        return 0;
    case O_SIZE: return sim_arg_size(cli, arg, &p->nx, &p->ny);
    case O_SEED: /* a uint64_t */
        if (ph_cli_long(cli, arg, 0, 0x7fffffffffffffffL, &v))
            return PH_EUSAGE;
        p->seed = (uint64_t)v;
        return 0;
    case O_ROLLS: return sim_arg_rolls(cli, arg, c);
    case O_SCA:
        if (strcmp(arg, "random"))
            return ph_cli_long(cli, arg, 1, 18, &p->sca);
        p->sca = -1;
        return 0;
    case O_STARMAGS: return ph_cli_pair(cli, arg, "LO,HI", p->star_mag);
    case O_GALMAGS: return ph_cli_pair(cli, arg, "LO,HI", p->gal_mag);
    case O_MAGDIST:
        if (!strcmp(arg, "ou2024"))
            p->mag_dist = SIM_MAGS_OU2024;
        else if (!strcmp(arg, "uniform"))
            p->mag_dist = SIM_MAGS_UNIFORM;
        else
            return ph_cli_bad(cli, "'%s' is not ou2024 or uniform", arg);
        return 0;
    case O_OID: /* a long long */
        if (ph_cli_long(cli, arg, 0, 0x7fffffffffffffffL, &v))
            return PH_EUSAGE;
        p->oid = v;
        return 0;
    case O_SNOFF: return ph_cli_pair(cli, arg, "E,N", p->sn_offset_arcsec);
    case O_SKYGRAD: return ph_cli_pair(cli, arg, "GX,GY", p->sky_grad);
    case O_PSF: {
        ph_romanpsf_opts t = {0};
        if (ph_romanpsf_parse_model(arg, &t))
            return ph_cli_bad(cli, "PSF model '%s' is not roman or gaussian:SIGMA with SIGMA in "
                                   "0.2 ... 50 px",
                              arg);
        c->psfmodel = arg;
        return 0;
    }
    case O_PHASE: return sim_arg_phase(cli, arg, c->phase);
    }
    return ph_cli_bad(cli, "unexpected option");
}
