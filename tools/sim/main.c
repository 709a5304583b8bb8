/* ph-sim -- Roman-like test images with known truth, in the OpenUniverse2024
 * layout, and the analytic Roman PSF they are drawn with.
 *
 *   ph-sim [OPTION]... -o DIR            a multi-epoch scene (default command)
 *   ph-sim psf [OPTION]... -o FILE       the oversampled PSF model file
 *   ph-sim stamp [OPTION]... -o FILE     the exact native stamp at --phase
 *
 * main.c: the options and the command; options.h names the files that do
 * the rest (parameters, the scene, rendering, writing).
 */
#include "counts.h"
#include "base/log.h"
#include "options.h" /* cli.h, romanpsf_cli.h, sim.h */
#include "base/timing.h"
#include "base/util.h"

#include <string.h>

static const ph_opt opts[] = {
    {"output", 'o', "PATH", "scene directory (scene) or FITS file (psf, stamp); required", NULL,
     PH_OPT_OUT},
    {"band", 'b', "BAND", "band: R062 Z087 Y106 J129 H158 F184 K213 W146 (default Y106)", NULL, 0},
    {"size", O_SIZE, "NX[xNY]", "image size in pixels, 16 ... 4088 (default 4088)", NULL, 0},
    {"seed", O_SEED, "N", "random seed: same seed, same files (default 1)", NULL, 0},
    {"templates", O_TEMPLATES, "N", "template epochs, without the transient (default 1)", NULL, 0},
    {"science", O_SCIENCE, "N", "science epochs (default 4)", NULL, 0},
    {"mjd", O_MJD, "MJD", "first science epoch (default 62450)", NULL, 0},
    {"template-mjd", O_TMJD, "MJD", "first template epoch (default MJD - 365)", NULL, 0},
    {"cadence", O_CADENCE, "DAYS", "days between epochs (default 5)", NULL, 0},
    {"ra", O_RA, "DEG", "scene centre RA (default 7.55)", NULL, 0},
    {"dec", O_DEC, "DEG", "scene centre Dec (default -44.8)", NULL, 0},
    {"rotation", O_ROT, "DEG", "position angle of the +y axis, east of north (default 0)", NULL, 0},
    {"rolls", O_ROLLS, "DEG,...",
     "each epoch's roll about --rotation, templates then science (instead of --rotate's random "
     "ones)",
     NULL, 0},
    {"rotate", O_ROTRANGE, "DEG", "random roll per epoch, +-DEG about --rotation; 180: any roll "
     "(default 180)", NULL, 0},
    {"dither", O_DITHER, "PX", "random pointing offset per epoch, +-PX (default 5% of the size)", NULL, 0},
    {"sca", O_SCA, "N|random", "detector 1 ... 18 of every epoch, or random per epoch (default "
     "random); psf, stamp: that SCA's PSF", NULL, 0},
    {"pointing", O_POINTING, "N", "observation id of the first epoch; then +1 (default 10000)", NULL, 0},
    {"distortion", O_DISTORT, "PX", "SIP distortion at the corners of a 4088 SCA; 0: plain TAN "
     "(default 3)", NULL, 0},
    {"square-pixels", O_SQUARE, NULL, "0.11\" square pixels on every SCA, not the SCA's own plate "
     "scale", NULL, 0},
    {"nstars", O_NSTARS, "N", "random stars per image area (default: OpenUniverse2024's density "
     "in --star-mags, 202 per 4088^2)", NULL, 0},
    {"ngalaxies", O_NGAL, "N", "random galaxies per image area (default: OpenUniverse2024's "
     "density in --galaxy-mags, 16988 per 4088^2)", NULL, 0},
    {"star-mags", O_STARMAGS, "LO,HI", "AB range of random stars (default 13.9,26.7)", NULL, 0},
    {"galaxy-mags", O_GALMAGS, "LO,HI", "AB range of random galaxies (default 16,31.5)", NULL, 0},
    {"mag-dist", O_MAGDIST, "ou2024|uniform", "magnitudes of random objects: OpenUniverse2024's "
     "distribution or uniform, within the ranges (default ou2024)", NULL, 0},
    {"catalog", O_CATALOG, "FILE", "static objects: ra dec mag|flux [obj_type object_id re_arcsec "
     "sersic_n q pa_deg]; then no random objects unless --nstars/--ngalaxies", NULL, PH_OPT_IN},
    {"inject", O_INJECT, "FILE", "point sources on science epochs: ra dec flux [object_id]", NULL,
     PH_OPT_IN},
    {"no-host", O_NOHOST, NULL, "no host galaxy (the transient sits at the scene centre)", NULL, 0},
    {"no-transient", O_NOTRANS, NULL, "no transient", NULL, 0},
    {"oid", O_OID, "ID", "transient object id (default 20172782)", NULL, 0},
    {"sn-mag", O_SNMAG, "MAG", "transient peak AB magnitude (default 22)", NULL, 0},
    {"sn-peak", O_SNPEAK, "MJD", "transient peak (default: middle of the science epochs)", NULL, 0},
    {"sn-rise", O_SNRISE, "DAYS", "linear rise before the peak (default 15)", NULL, 0},
    {"sn-fall", O_SNFALL, "DAYS", "exponential decline time after the peak (default 25)", NULL, 0},
    {"sn-offset", O_SNOFF, "E,N", "transient offset from the host, arcsec east, north "
     "(default 0.25,0.15)", NULL, 0},
    {"exptime", O_EXPTIME, "S", "exposure time (default: OpenUniverse2024's for the band)", NULL, 0},
    {"sky", O_SKY, "E", "sky level, e- per pixel (default 0.37 e-/s x EXPTIME)", NULL, 0},
    {"sky-gradient", O_SKYGRAD, "GX,GY", "sky gradient, e- per 1000 px along x, y (default 0,0)",
     NULL, 0},
    {"read-noise", O_RDNOISE, "E", "read noise rms, e- (default 8.5)", NULL, 0},
    {"dark", O_DARK, "E", "dark current, e-/s (default 0.015)", NULL, 0},
    {"saturate", O_SATURATE, "E", "saturation clip, e- (default 100000)", NULL, 0},
    {"flag-saturated", O_FLAGSAT, NULL, "flag clipped pixels in DQ (bit 2); OpenUniverse2024 does "
     "not", NULL, 0},
    {"no-noise", O_NONOISE, NULL, "expected values: no photon or read noise, no quantisation, no "
     "cosmic rays", NULL, 0},
    {"cosmic-rays", O_COSMIC, "N", "cosmic-ray tracks per image (default 900 per 4088^2 per "
     "302.275 s)", NULL, 0},
    {"flag-cosmic-rays", O_FLAGCR, NULL, "flag cosmic-ray pixels in DQ (bit 4); OpenUniverse2024 "
     "does not", NULL, 0},
    {"hot-pixels", O_HOTPIX, "N", "hot pixels per 4088^2 SCA: DQ 1 (default 300)", NULL, 0},
    {"bad-pixels", O_BADPIX, "N", "dead pixels per 4088^2 SCA: SCI 0, DQ 1 (default 100)", NULL, 0},
    {"bad-columns", O_BADCOL, "N", "dead columns per 4088^2 SCA: SCI 0, DQ 1 (default 0)", NULL, 0},
    {"model", O_PSF, "MODEL", "roman or gaussian:SIGMA (native px, pixel-integrated) (default roman)",
     NULL, 0},
    PH_ROMANPSF_CLI_OPTS,
    {"jitter-vary", O_JITVARY, "FRAC", "per-epoch jitter variation, +-FRAC (default 0.1)", NULL, 0},
    {"psf-oversamp", O_PSFOVER, "N", "oversampling of PSF model files, odd (default 9)", NULL, 0},
    {"psf-size", O_PSFSIZE, "N", "native size of PSF model files, odd (default 41)", NULL, 0},
    {"no-psf-files", O_NOPSFFILES, NULL, "scene: do not write the PSF model files", NULL, 0},
    {"phase", O_PHASE, "DX,DY", "stamp: PSF centre - centre pixel, px, each in [-0.5, 0.5] "
     "(default 0,0)", NULL, 0},
    {"stamp-size", O_STAMPSIZE, "N", "stamp: size, odd (default 41)", NULL, 0},
    {"psf", 0, "MODEL", "model", NULL, PH_OPT_ALIAS | PH_OPT_OLD}, /* until the next release */
    {NULL, 0, NULL, NULL, NULL, 0},
};

static int handle(ph_cli *cli, int key, const char *arg)
{
    sim_opts *c = cli->ctx;
    sim_params *s = &c->set;
    long v;
    if (ph_romanpsf_cli_owns(key))
        return ph_romanpsf_cli_handle(cli, key, arg, &c->rpsf);
    if (key >= O_SIZE)
        c->given |= 1ULL << (key - O_SIZE);
    switch (key) {
    case 'o': c->out = arg; return 0;
    case 'b':
        if (!ph_band_find(arg))
            return ph_cli_bad(cli, "unknown band '%s' (bands: %s)", arg, ph_band_names());
        c->band = arg;
        return 0;
    case O_SIZE: return sim_arg_size(cli, arg, &c->nx, &c->ny);
    case O_SEED:
        if (ph_cli_long(cli, arg, 0, 0x7fffffffffffffffL, &v))
            return PH_EUSAGE;
        s->seed = (uint64_t)v;
        return 0;
    case O_TEMPLATES: return sim_arg_int(cli, arg, 0, 1000, &s->ntemplates);
    case O_SCIENCE: return sim_arg_int(cli, arg, 0, 1000, &s->nscience);
    case O_MJD: return ph_cli_double_range(cli, arg, 0, 1e6, &s->mjd_science);
    case O_TMJD: return ph_cli_double_range(cli, arg, 0, 1e6, &s->mjd_template);
    case O_CADENCE: return ph_cli_double_range(cli, arg, 0, 1e4, &s->cadence_days);
    case O_RA: return ph_cli_double_range(cli, arg, 0, 360, &s->ra0);
    case O_DEC: return ph_cli_double_range(cli, arg, -89, 89, &s->dec0);
    case O_ROT: return ph_cli_double_range(cli, arg, -360, 360, &s->rot_deg);
    case O_ROTRANGE: return ph_cli_double_range(cli, arg, 0, 180, &s->rot_range_deg);
    case O_ROLLS: return sim_arg_rolls(cli, arg, c);
    case O_DITHER: return ph_cli_double_range(cli, arg, 0, 4088, &s->dither_px);
    case O_SCA:
        if (strcmp(arg, "random"))
            return ph_cli_long(cli, arg, 1, 18, &s->sca);
        s->sca = -1;
        return 0;
    case O_POINTING: return ph_cli_long(cli, arg, 0, 999999999, &s->pointing0);
    case O_DISTORT: return ph_cli_double_range(cli, arg, 0, 50, &s->distortion_px);
    case O_NSTARS: return ph_cli_long(cli, arg, 0, 1000000, &c->nstars);
    case O_NGAL: return ph_cli_long(cli, arg, 0, 1000000, &c->ngal);
    case O_STARMAGS: return sim_arg_pair(cli, arg, s->star_mag);
    case O_GALMAGS: return sim_arg_pair(cli, arg, s->gal_mag);
    case O_CATALOG: c->catalog = arg; return 0;
    case O_INJECT: c->inject = arg; return 0;
    case O_NOHOST: s->host = 0; return 0;
    case O_NOTRANS: s->transient = 0; return 0;
    case O_OID:
        if (ph_cli_long(cli, arg, 0, 0x7fffffffffffffffL, &v))
            return PH_EUSAGE;
        s->oid = v;
        return 0;
    case O_SNMAG: return ph_cli_double_range(cli, arg, 5, 40, &s->sn_peak_mag);
    case O_SNPEAK: return ph_cli_double_range(cli, arg, 0, 1e6, &s->sn_peak_mjd);
    case O_SNRISE: return ph_cli_double_range(cli, arg, 0, 1e4, &s->sn_rise_days);
    case O_SNFALL: return ph_cli_double_range(cli, arg, 0.01, 1e4, &s->sn_fall_days);
    case O_SNOFF: return sim_arg_pair(cli, arg, s->sn_offset_arcsec);
    case O_EXPTIME: return ph_cli_double_range(cli, arg, 0.1, 1e5, &s->exptime_s);
    case O_SKY: return ph_cli_double_range(cli, arg, 0, 1e5, &s->sky_e);
    case O_SKYGRAD: return sim_arg_pair(cli, arg, s->sky_grad);
    case O_RDNOISE: return ph_cli_double_range(cli, arg, 0, 1e4, &s->read_noise_e);
    case O_DARK: return ph_cli_double_range(cli, arg, 0, 1e3, &s->dark_e_s);
    case O_SATURATE: return ph_cli_double_range(cli, arg, 1, 1e12, &s->saturate_e);
    case O_NONOISE: s->noise = 0; return 0;
    case O_FLAGSAT: s->flag_saturated = 1; return 0;
    case O_COSMIC: return ph_cli_long(cli, arg, 0, 10000000, &s->cosmic_rays);
    case O_FLAGCR: s->flag_cosmic_rays = 1; return 0;
    case O_HOTPIX: return ph_cli_long(cli, arg, 0, 1000000, &s->hot_pixels);
    case O_BADPIX: return ph_cli_long(cli, arg, 0, 1000000, &s->bad_pixels);
    case O_BADCOL: return ph_cli_long(cli, arg, 0, 4088, &s->bad_columns);
    case O_SQUARE: s->square_pixels = 1; return 0;
    case O_MAGDIST:
        if (!strcmp(arg, "ou2024"))
            s->mag_dist = SIM_MAGS_OU2024;
        else if (!strcmp(arg, "uniform"))
            s->mag_dist = SIM_MAGS_UNIFORM;
        else
            return ph_cli_bad(cli, "'%s' is not ou2024 or uniform", arg);
        return 0;
    case O_PSF: {
        ph_romanpsf_opts t = {0};
        if (ph_romanpsf_parse_model(arg, &t))
            return ph_cli_bad(cli, "PSF model '%s' is not roman or gaussian:SIGMA with SIGMA in "
                              "0.2 ... 50 px", arg);
        c->psfmodel = arg;
        return 0;
    }
    case O_JITVARY: return ph_cli_double_range(cli, arg, 0, 0.9, &s->jitter_vary);
    case O_PSFOVER:
        if (sim_arg_odd(cli, arg, 1, 25, "oversampling", &v))
            return PH_EUSAGE;
        c->psf_over = (int)v;
        return 0;
    case O_PSFSIZE: return sim_arg_odd(cli, arg, 3, 501, "size", &c->psf_size);
    case O_STAMPSIZE: return sim_arg_odd(cli, arg, 3, 501, "size", &c->stamp_size);
    case O_NOPSFFILES: c->psf_files = 0; return 0;
    case O_PHASE: return sim_arg_phase(cli, arg, c->phase);
    }
    return ph_cli_bad(cli, "unexpected option");
}

int main(int argc, char **argv)
{
    sim_opts c = {.band = "Y106", .nx = PH_ROMAN_NPIX, .ny = PH_ROMAN_NPIX, .psf_size = 41,
                  .stamp_size = 41, .psf_over = 9, .psf_files = 1};
    ph_romanpsf_cli_init(&c.rpsf);
    ph_cli cli = {
        .tool = "ph-sim",
        .usage = "[scene|psf|stamp] [OPTION]... -o PATH",
        .summary = "Roman-like test images with known truth (OpenUniverse2024 layout), and the "
                   "analytic Roman PSF.",
        .description =
            "  scene (default)  templates and science epochs of one static sky with a\n"
            "                   transient on a host galaxy: images/, truth/, psf/,\n"
            "                   templates.csv, science.csv under the directory -o\n"
            "  psf              the oversampled PSF model file (ph-psf file: mode)\n"
            "  stamp            the exact native stamp ph-sim draws at --phase\n"
            "Deterministic: the same options and --seed give the same files.",
        .example = "ph-sim -b Y106 --size 512 --templates 2 --science 5 --seed 7 -o sim",
        .opts = opts,
        .handle = handle,
        .ctx = &c,
    };
    int st = ph_cli_parse(&cli, argc, argv);
    if (st < 0)
        return 0;
    int cmd = 0;
    if (!st && cli.npos > 1)
        st = ph_error(PH_EUSAGE, NULL, "expected at most one command (scene, psf or stamp)");
    if (!st && cli.npos == 1) {
        const char *w = cli.pos[0];
        cmd = !strcmp(w, "scene") ? 0 : !strcmp(w, "psf") ? 1 : !strcmp(w, "stamp") ? 2 : -1;
        if (cmd < 0)
            st = ph_error(PH_EUSAGE, NULL, "unknown command '%s' (scene, psf or stamp)", w);
    }
    if (!st && !c.out)
        st = ph_error(PH_EUSAGE, NULL, "no output: give -o %s", cmd ? "FILE" : "DIR");
    if (!st && cmd == 0 && !strcmp(c.out, "-"))
        st = ph_error(PH_EUSAGE, NULL, "-o -: a scene is a directory of files and cannot go to "
                                       "standard output; give a directory (psf and stamp can)");
    if (!st)
        st = sim_opts_finish(&c);
    if (!st)
        st = cmd == 0 ? sim_run_scene(&c) : sim_run_psf(&c, cmd == 2);
    if (cli.timing)
        ph_timing_report();
    ph_cli_free(&cli);
    return st ? ph_report_error() : 0;
}
