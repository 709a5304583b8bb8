/* ph-sim -- Roman-like test images with known truth, in the OpenUniverse2024
 * layout, and the analytic Roman PSF they are drawn with.
 *
 *   ph-sim [OPTION]... -o DIR            a multi-epoch scene (default command)
 *   ph-sim psf [OPTION]... -o FILE       the oversampled PSF model file
 *   ph-sim stamp [OPTION]... -o FILE     the exact native stamp at --phase
 *
 * main.c reads the options, builds the scene (sim.c), renders each epoch
 * (render.c) and writes the files (io.c).
 */
#include "cli.h"
#include "counts.h"
#include "galaxy.h"
#include "io.h"
#include "log.h"
#include "sca.h"
#include "sim.h"
#include "timing.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    O_SIZE = 256, O_SEED, O_TEMPLATES, O_SCIENCE, O_MJD, O_TMJD, O_CADENCE, O_RA, O_DEC, O_ROT,
    O_ROTRANGE, O_DITHER, O_SCA, O_POINTING, O_DISTORT, O_NSTARS, O_NGAL, O_STARMAGS, O_GALMAGS,
    O_CATALOG, O_INJECT, O_NOHOST, O_NOTRANS, O_OID, O_SNMAG, O_SNPEAK, O_SNRISE, O_SNFALL,
    O_SNOFF, O_EXPTIME, O_SKY, O_SKYGRAD, O_RDNOISE, O_DARK, O_SATURATE, O_NONOISE, O_BADPIX,
    O_BADCOL, O_PSF, O_JITTER, O_JITVARY, O_DIFFUSION, O_NLAMBDA, O_WFE, O_OBSCUR, O_PSFOVER,
    O_PSFSIZE, O_NOPSFFILES, O_PHASE, O_STAMPSIZE, O_COSMIC, O_FLAGCR, O_HOTPIX, O_FLAGSAT,
    O_MAGDIST, O_SQUARE
};

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
    {"jitter", O_JITTER, "ARCSEC", "pointing jitter rms per axis (default 0.014)", NULL, 0},
    {"jitter-vary", O_JITVARY, "FRAC", "per-epoch jitter variation, +-FRAC (default 0.1)", NULL, 0},
    {"diffusion", O_DIFFUSION, "PX", "charge diffusion sigma (default 0.1)", NULL, 0},
    {"nlambda", O_NLAMBDA, "N", "wavelengths across the band; 1 = monochromatic (default 9)", NULL, 0},
    {"wfe", O_WFE, "NM", "static wavefront error rms (default 80)", NULL, 0},
    {"obscuration", O_OBSCUR, "EPS", "linear central obscuration (default 0.32; F184, K213 0.38)",
     NULL, 0},
    {"psf-oversamp", O_PSFOVER, "N", "oversampling of PSF model files, odd (default 9)", NULL, 0},
    {"psf-size", O_PSFSIZE, "N", "native size of PSF model files, odd (default 41)", NULL, 0},
    {"no-psf-files", O_NOPSFFILES, NULL, "scene: do not write the PSF model files", NULL, 0},
    {"phase", O_PHASE, "DX,DY", "stamp: PSF centre - centre pixel, px, each in [-0.5, 0.5] "
     "(default 0,0)", NULL, 0},
    {"stamp-size", O_STAMPSIZE, "N", "stamp: size, odd (default 41)", NULL, 0},
    {"psf", 0, "MODEL", "model", NULL, PH_OPT_ALIAS | PH_OPT_OLD}, /* until the next release */
    {NULL, 0, NULL, NULL, NULL, 0},
};

typedef struct ctx {
    sim_params p;
    const char *out, *band, *catalog, *inject, *psfmodel;
    long nx, ny, nstars, ngal, psf_size, stamp_size;
    int psf_over, psf_files, nlambda, catalog_counts;
    double jitter, diffusion, wfe, obscur, phase[2];
    /* Numeric options whose defaults depend on the band are stored here and
     * applied after parsing (sim_params_defaults resets them). */
    sim_params set;
    unsigned long long given; /* bit per option key - O_SIZE */
} ctx;

#define GIVEN(c, k) (((c)->given >> ((k) - O_SIZE)) & 1ULL)

static int pair(ph_cli *cli, const char *arg, double v[2])
{
    char a[64];
    ph_strlcpy(a, arg, sizeof a);
    char *comma = strchr(a, ',');
    if (!comma)
        return ph_cli_bad(cli, "expected two numbers A,B, got '%s'", arg);
    *comma = '\0';
    if (ph_parse_double(a, &v[0]) || ph_parse_double(comma + 1, &v[1]) || !isfinite(v[0]) ||
        !isfinite(v[1]))
        return ph_cli_bad(cli, "expected two numbers A,B, got '%s'", arg);
    return 0;
}

static int parse_size(ph_cli *cli, const char *arg, long *nx, long *ny)
{
    char a[64], *x;
    ph_strlcpy(a, arg, sizeof a);
    if ((x = strchr(a, 'x')))
        *x = '\0';
    if (ph_parse_long(a, nx) || (x && ph_parse_long(x + 1, ny)))
        return ph_cli_bad(cli, "expected NX or NXxNY, got '%s'", arg);
    if (!x)
        *ny = *nx;
    if (*nx < 16 || *ny < 16 || *nx > PH_ROMAN_NPIX || *ny > PH_ROMAN_NPIX)
        return ph_cli_bad(cli, "image size %ldx%ld is outside 16 ... %d", *nx, *ny, PH_ROMAN_NPIX);
    return 0;
}

static int handle(ph_cli *cli, int key, const char *arg)
{
    ctx *c = cli->ctx;
    sim_params *s = &c->set;
    long v;
    double d;
    if (key >= O_SIZE)
        c->given |= 1ULL << (key - O_SIZE);
    switch (key) {
    case 'o': c->out = arg; return 0;
    case 'b':
        if (!ph_band_find(arg))
            return ph_cli_bad(cli, "unknown band '%s' (bands: %s)", arg, ph_band_names());
        c->band = arg;
        return 0;
    case O_SIZE: return parse_size(cli, arg, &c->nx, &c->ny);
    case O_SEED:
        if (ph_cli_long(cli, arg, 0, 0x7fffffffffffffffL, &v))
            return PH_EUSAGE;
        s->seed = (uint64_t)v;
        return 0;
    case O_TEMPLATES:
        if (ph_cli_long(cli, arg, 0, 1000, &v))
            return PH_EUSAGE;
        s->ntemplates = (int)v;
        return 0;
    case O_SCIENCE:
        if (ph_cli_long(cli, arg, 0, 1000, &v))
            return PH_EUSAGE;
        s->nscience = (int)v;
        return 0;
    case O_MJD: return ph_cli_double_range(cli, arg, 0, 1e6, &s->mjd_science);
    case O_TMJD: return ph_cli_double_range(cli, arg, 0, 1e6, &s->mjd_template);
    case O_CADENCE: return ph_cli_double_range(cli, arg, 0, 1e4, &s->cadence_days);
    case O_RA: return ph_cli_double_range(cli, arg, 0, 360, &s->ra0);
    case O_DEC: return ph_cli_double_range(cli, arg, -89, 89, &s->dec0);
    case O_ROT: return ph_cli_double_range(cli, arg, -360, 360, &s->rot_deg);
    case O_ROTRANGE: return ph_cli_double_range(cli, arg, 0, 180, &s->rot_range_deg);
    case O_DITHER: return ph_cli_double_range(cli, arg, 0, 4088, &s->dither_px);
    case O_SCA:
        if (!strcmp(arg, "random")) {
            s->sca = -1;
            return 0;
        }
        return ph_cli_long(cli, arg, 1, 18, &s->sca);
    case O_POINTING: return ph_cli_long(cli, arg, 0, 999999999, &s->pointing0);
    case O_DISTORT: return ph_cli_double_range(cli, arg, 0, 50, &s->distortion_px);
    case O_NSTARS: return ph_cli_long(cli, arg, 0, 1000000, &c->nstars);
    case O_NGAL: return ph_cli_long(cli, arg, 0, 1000000, &c->ngal);
    case O_STARMAGS: return pair(cli, arg, s->star_mag);
    case O_GALMAGS: return pair(cli, arg, s->gal_mag);
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
    case O_SNOFF: return pair(cli, arg, s->sn_offset_arcsec);
    case O_EXPTIME: return ph_cli_double_range(cli, arg, 0.1, 1e5, &s->exptime_s);
    case O_SKY: return ph_cli_double_range(cli, arg, 0, 1e5, &s->sky_e);
    case O_SKYGRAD: return pair(cli, arg, s->sky_grad);
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
        ph_romanpsf_opts t;
        memset(&t, 0, sizeof t);
        if (ph_romanpsf_parse_model(arg, &t))
            return ph_cli_bad(cli, "PSF model '%s' is not roman or gaussian:SIGMA with SIGMA in "
                              "0.2 ... 50 px", arg);
        c->psfmodel = arg;
        return 0;
    }
    case O_JITTER: return ph_cli_double_range(cli, arg, 0, 1, &c->jitter);
    case O_JITVARY: return ph_cli_double_range(cli, arg, 0, 0.9, &s->jitter_vary);
    case O_DIFFUSION: return ph_cli_double_range(cli, arg, 0, 5, &c->diffusion);
    case O_NLAMBDA:
        if (ph_cli_long(cli, arg, 1, 200, &v))
            return PH_EUSAGE;
        c->nlambda = (int)v;
        return 0;
    case O_WFE: return ph_cli_double_range(cli, arg, 0, 500, &c->wfe);
    case O_OBSCUR: return ph_cli_double_range(cli, arg, 0, 0.8, &c->obscur);
    case O_PSFOVER:
        if (ph_cli_long(cli, arg, 1, 25, &v))
            return PH_EUSAGE;
        if (v % 2 == 0)
            return ph_cli_bad(cli, "oversampling %ld must be odd", v);
        c->psf_over = (int)v;
        return 0;
    case O_PSFSIZE:
    case O_STAMPSIZE:
        if (ph_cli_long(cli, arg, 3, 501, &v))
            return PH_EUSAGE;
        if (v % 2 == 0)
            return ph_cli_bad(cli, "size %ld must be odd", v);
        *(key == O_PSFSIZE ? &c->psf_size : &c->stamp_size) = v;
        return 0;
    case O_NOPSFFILES: c->psf_files = 0; return 0;
    case O_PHASE:
        if (pair(cli, arg, c->phase))
            return PH_EUSAGE;
        if (fabs(c->phase[0]) > 0.5 || fabs(c->phase[1]) > 0.5)
            return ph_cli_bad(cli, "phase %s: each component must be within -0.5 ... 0.5", arg);
        return 0;
    }
    (void)d;
    return ph_cli_bad(cli, "unexpected option");
}

/* Build the final parameters: band defaults, then every option given. */
static int make_params(ctx *c)
{
    sim_params *p = &c->p, *s = &c->set;
    if (sim_params_defaults(p, c->band))
        return PH_EUSAGE;
    p->nx = c->nx;
    p->ny = c->ny;
    struct { int key; void *dst; const void *src; size_t n; } copy[] = {
        {O_SEED, &p->seed, &s->seed, sizeof p->seed},
        {O_TEMPLATES, &p->ntemplates, &s->ntemplates, sizeof(int)},
        {O_SCIENCE, &p->nscience, &s->nscience, sizeof(int)},
        {O_MJD, &p->mjd_science, &s->mjd_science, sizeof(double)},
        {O_TMJD, &p->mjd_template, &s->mjd_template, sizeof(double)},
        {O_CADENCE, &p->cadence_days, &s->cadence_days, sizeof(double)},
        {O_RA, &p->ra0, &s->ra0, sizeof(double)},
        {O_DEC, &p->dec0, &s->dec0, sizeof(double)},
        {O_ROT, &p->rot_deg, &s->rot_deg, sizeof(double)},
        {O_ROTRANGE, &p->rot_range_deg, &s->rot_range_deg, sizeof(double)},
        {O_DITHER, &p->dither_px, &s->dither_px, sizeof(double)},
        {O_SCA, &p->sca, &s->sca, sizeof(long)},
        {O_POINTING, &p->pointing0, &s->pointing0, sizeof(long)},
        {O_DISTORT, &p->distortion_px, &s->distortion_px, sizeof(double)},
        {O_STARMAGS, p->star_mag, s->star_mag, 2 * sizeof(double)},
        {O_GALMAGS, p->gal_mag, s->gal_mag, 2 * sizeof(double)},
        {O_NOHOST, &p->host, &s->host, sizeof(int)},
        {O_NOTRANS, &p->transient, &s->transient, sizeof(int)},
        {O_OID, &p->oid, &s->oid, sizeof p->oid},
        {O_SNMAG, &p->sn_peak_mag, &s->sn_peak_mag, sizeof(double)},
        {O_SNPEAK, &p->sn_peak_mjd, &s->sn_peak_mjd, sizeof(double)},
        {O_SNRISE, &p->sn_rise_days, &s->sn_rise_days, sizeof(double)},
        {O_SNFALL, &p->sn_fall_days, &s->sn_fall_days, sizeof(double)},
        {O_SNOFF, p->sn_offset_arcsec, s->sn_offset_arcsec, 2 * sizeof(double)},
        {O_EXPTIME, &p->exptime_s, &s->exptime_s, sizeof(double)},
        {O_SKY, &p->sky_e, &s->sky_e, sizeof(double)},
        {O_SKYGRAD, p->sky_grad, s->sky_grad, 2 * sizeof(double)},
        {O_RDNOISE, &p->read_noise_e, &s->read_noise_e, sizeof(double)},
        {O_DARK, &p->dark_e_s, &s->dark_e_s, sizeof(double)},
        {O_SATURATE, &p->saturate_e, &s->saturate_e, sizeof(double)},
        {O_NONOISE, &p->noise, &s->noise, sizeof(int)},
        {O_FLAGSAT, &p->flag_saturated, &s->flag_saturated, sizeof(int)},
        {O_COSMIC, &p->cosmic_rays, &s->cosmic_rays, sizeof(long)},
        {O_FLAGCR, &p->flag_cosmic_rays, &s->flag_cosmic_rays, sizeof(int)},
        {O_HOTPIX, &p->hot_pixels, &s->hot_pixels, sizeof(long)},
        {O_SQUARE, &p->square_pixels, &s->square_pixels, sizeof(int)},
        {O_MAGDIST, &p->mag_dist, &s->mag_dist, sizeof(int)},
        {O_BADPIX, &p->bad_pixels, &s->bad_pixels, sizeof(long)},
        {O_BADCOL, &p->bad_columns, &s->bad_columns, sizeof(long)},
        {O_JITVARY, &p->jitter_vary, &s->jitter_vary, sizeof(double)},
    };
    for (size_t i = 0; i < sizeof copy / sizeof *copy; i++)
        if (GIVEN(c, copy[i].key))
            memcpy(copy[i].dst, copy[i].src, copy[i].n);
    if (GIVEN(c, O_NSTARS))
        p->nstars = c->nstars;
    else if (c->catalog)
        p->nstars = 0;
    if (GIVEN(c, O_NGAL))
        p->ngalaxies = c->ngal;
    else if (c->catalog)
        p->ngalaxies = 0;
    if (c->psfmodel)
        ph_romanpsf_parse_model(c->psfmodel, &p->psf);
    if (GIVEN(c, O_JITTER))
        p->psf.jitter_arcsec = c->jitter;
    if (GIVEN(c, O_DIFFUSION))
        p->psf.diffusion_px = c->diffusion;
    if (GIVEN(c, O_NLAMBDA))
        p->psf.nlambda = c->nlambda;
    if (GIVEN(c, O_WFE))
        p->psf.wfe_nm = c->wfe;
    if (GIVEN(c, O_OBSCUR))
        p->psf.obscuration = c->obscur;
    sim_params_finish(p);
    if (p->star_mag[0] > p->star_mag[1] || p->gal_mag[0] > p->gal_mag[1])
        return ph_error(PH_EUSAGE, NULL, "magnitude ranges must be LO,HI with LO <= HI");
    return PH_OK;
}

/* ---- commands ------------------------------------------------------------------ */

static int run_scene(ctx *c)
{
    sim_scene s = {.p = c->p, .itransient = -1};
    s.zpt = ph_band_zeropoint(s.p.band, s.p.exptime_s);
    int st = PH_OK;
    ph_timing_begin("scene");
    if (c->catalog)
        st = sim_read_catalog(c->catalog, &s, 0);
    if (!st && c->inject)
        st = sim_read_catalog(c->inject, &s, 1);
    if (!st)
        st = sim_scene_build(&s);
    if (!st && s.nepoch == 0)
        st = ph_error(PH_EUSAGE, NULL, "no epochs: give --templates or --science > 0");
    if (!st)
        st = ph_mkdir_p(c->out);
    ph_timing_end();
    ph_info("%d objects, %d epochs of %ldx%ld in %s", s.nobj, s.nepoch, s.p.nx, s.p.ny,
            s.p.band->name);
    int ne = s.nepoch ? s.nepoch : 1;
    double *lc = calloc((size_t)ne * 4, sizeof *lc);
    if (!st && !lc)
        st = ph_error(PH_EFAIL, NULL, "out of memory");
    for (int k = 0; k < s.nepoch && !st; k++) {
        const sim_epoch *e = &s.ep[k];
        ph_romanpsf_opts po;
        sim_epoch_psf(&s, e, &po);
        ph_timing_begin("psf");
        ph_romanpsf *psf = ph_romanpsf_new(&po);
        ph_timing_end();
        if (!psf) {
            st = PH_EFAIL;
            break;
        }
        sim_image img;
        ph_timing_begin("render");
        st = sim_render(&s, e, psf, &img);
        ph_timing_end();
        if (!st) {
            ph_timing_begin("write image");
            st = sim_write_image(sim_path(c->out, "images", &s, e), &s, e, &img);
            ph_timing_end();
        }
        if (!st) {
            ph_timing_begin("write truth");
            st = sim_write_truth(sim_path(c->out, "truth", &s, e), &s, &img);
            ph_timing_end();
        }
        if (!st && c->psf_files) {
            ph_timing_begin("write psf");
            st = sim_write_psf_model(sim_path(c->out, "psf", &s, e), psf, c->psf_over, c->psf_size,
                                     s.p.nx, s.p.ny, e);
            ph_timing_end();
        }
        if (!st && s.itransient >= 0) {
            lc[k] = 0.0;
            lc[ne + k] = 0.0;
            lc[2 * ne + k] = lc[3 * ne + k] = NAN;
            for (int i = 0; i < img.ntruth; i++)
                if (img.truth[i].iobj == s.itransient) {
                    lc[k] = img.truth[i].flux;
                    lc[ne + k] = img.truth[i].realized;
                    lc[2 * ne + k] = img.truth[i].x0;
                    lc[3 * ne + k] = img.truth[i].y0;
                }
            if (isnan(lc[2 * ne + k]) && !e->is_template)
                lc[k] = sim_transient_flux(&s.p, e->mjd);
        }
        if (!st)
            ph_info("%s: %d objects drawn", sim_path(c->out, "images", &s, e), img.ntruth);
        sim_image_free(&img);
        ph_romanpsf_free(psf);
    }
    if (!st && s.itransient >= 0)
        st = sim_write_lightcurve(c->out, &s, lc, lc + ne, lc + 2 * ne, lc + 3 * ne);
    /* The lists last: a scene with lists is complete. */
    if (!st)
        st = sim_write_lists(c->out, &s);
    free(lc);
    sim_scene_free(&s);
    sersic_cache_free();
    return st;
}

static int run_psf(ctx *c, int stamp)
{
    if (c->p.sca > 0) /* that SCA's optics (sca.h) */
        c->p.psf.wfe_nm *= sim_sca_get(c->p.sca, 0).wfe_scale;
    ph_romanpsf *psf = ph_romanpsf_new(&c->p.psf);
    if (!psf)
        return PH_EFAIL;
    int st = stamp ? sim_write_stamp(c->out, psf, c->phase[0], c->phase[1], c->stamp_size)
                   : sim_write_psf_model(c->out, psf, c->psf_over, c->psf_size, c->p.nx, c->p.ny,
                                         NULL);
    ph_romanpsf_free(psf);
    return st;
}

int main(int argc, char **argv)
{
    ctx c = {.band = "Y106", .nx = PH_ROMAN_NPIX, .ny = PH_ROMAN_NPIX, .psf_size = 41,
             .stamp_size = 41, .psf_over = 9, .psf_files = 1};
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
        st = make_params(&c);
    if (!st)
        st = cmd == 0 ? run_scene(&c) : run_psf(&c, cmd == 2);
    if (cli.timing)
        ph_timing_report();
    ph_cli_free(&cli);
    return st ? ph_report_error() : 0;
}
