/* sim.h -- ph-sim's scene: the static sky, the transient, the epochs, and
 * the rendering of one epoch into arrays (no file I/O here).
 *
 * Units: fluxes in counts (e- = ADU, gain 1) per exposure; sky in e- per
 * pixel per exposure; positions on the sky in degrees; pixel positions
 * 0-based (x0, y0) unless named x1/y1.
 */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#define SIM_MAX_ROLLS 256 /* --rolls values at most */

#include "base/bands.h"
#include "io/header.h"
#include "base/rng.h"
#include "sci/romanpsf.h"

#include <stdint.h>

enum { SIM_STAR = 0, SIM_GALAXY = 1, SIM_TRANSIENT = 2 };

typedef struct sim_obj {
    long long id;
    int type;          /* SIM_STAR, SIM_GALAXY, SIM_TRANSIENT */
    double ra, dec;    /* degrees */
    double flux;       /* counts per exposure (static objects; injected sources) */
    double re_arcsec;  /* galaxies: half-light radius */
    double n;          /* Sersic index */
    double q;          /* axis ratio */
    double pa_deg;     /* position angle, east of north */
    int science_only;  /* injected sources: drawn on science epochs only */
} sim_obj;

typedef struct sim_params {
    const ph_band *band;
    long nx, ny;
    uint64_t seed;
    int ntemplates, nscience;
    double mjd_science;      /* first science epoch */
    double mjd_template;     /* first template epoch */
    double cadence_days;
    double ra0, dec0;        /* scene centre */
    double rot_deg;          /* position angle of the +y axis (east of north) about which ... */
    double rot_range_deg;    /* ... each epoch is rolled at random by +- this (180: any roll) */
    const double *rolls;     /* or by these, one per epoch (templates, then science); NULL: random */
    int nrolls;
    double dither_px;        /* +- random pointing offset per epoch and axis */
    long sca;                /* SCA of every epoch, or -1: random 1..18 per epoch */
    long pointing0;          /* first pointing (observation id) */
    double distortion_px;    /* SIP displacement at the corners of a 4088 SCA; 0 = TAN */
    int square_pixels;       /* 1: 0.11" square pixels on every SCA (sca.h) */
    /* objects */
    long nstars, ngalaxies;  /* per image area (at 0.11"/px); -1: OU2024's density */
    double star_mag[2], gal_mag[2]; /* AB ranges; NaN: OU2024's (counts.h) */
    int mag_dist;            /* SIM_MAGS_OU2024 or SIM_MAGS_UNIFORM (counts.h) */
    int host, transient;
    long long oid;
    double sn_peak_mag, sn_peak_mjd, sn_rise_days, sn_fall_days;
    double sn_offset_arcsec[2]; /* transient offset from the host centre (east, north) */
    /* exposure and detector */
    double exptime_s;
    double sky_e;            /* sky level, e-/px per exposure */
    double sky_grad[2];      /* e-/px per 1000 px along x, y */
    double read_noise_e, dark_e_s, saturate_e;
    int flag_saturated;      /* 1: DQ bit 2 where the clip applied (OU2024: 0) */
    int noise;               /* 0: expected values, no noise, no quantisation, no cosmic rays */
    long cosmic_rays;        /* tracks per image; -1: 900 per 4088^2 per 302.275 s (cosmic.h) */
    int flag_cosmic_rays;    /* 1: DQ bit 4 on their pixels (OU2024: 0) */
    long hot_pixels, bad_pixels, bad_columns; /* per 4088^2 SCA (defects.h) */
    /* PSF */
    ph_romanpsf_opts psf;
    double jitter_vary;      /* per-epoch jitter = jitter * (1 + U(-v, v)) */
} sim_params;

/* Defaults for a band (PH_EUSAGE error if unknown). */
int sim_params_defaults(sim_params *p, const char *band);
/* Derived defaults that depend on the size and band (object counts and
 * magnitude ranges, dither, sky, exposure time, cosmic rays), filled where
 * still unset (< 0 or NaN). */
void sim_params_finish(sim_params *p);

typedef struct sim_epoch {
    int is_template;
    long pointing;
    long sca;
    double mjd;
    double ra0, dec0;     /* image centre (CRVAL) */
    double rot_deg;
    double jitter_arcsec;
    uint64_t seed;        /* noise stream of this epoch */
} sim_epoch;

typedef struct sim_scene {
    sim_params p;
    int nobj;
    sim_obj *obj;
    int nepoch;
    sim_epoch *ep;
    int itransient;       /* index of the transient in obj, -1 if none */
    double zpt;           /* AB zero point of an exposure (ZP_band + ZPTMAG) */
} sim_scene;

/* Draw the static sky (random objects, host, transient) and the epochs.
 * Objects already in *s (from a catalogue or --inject) are kept. */
int sim_scene_build(sim_scene *s);
/* Append an object (copies it). */
int sim_scene_add(sim_scene *s, const sim_obj *o);
void sim_scene_free(sim_scene *s);

/* The transient's expected flux (counts per exposure) at `mjd`. */
double sim_transient_flux(const sim_params *p, double mjd);
/* Counts per exposure of an AB magnitude / AB magnitude of counts. */
double sim_mag_to_flux(const sim_scene *s, double mag);

/* The epoch's WCS header cards (TAN or TAN-SIP) and metadata keys. */
int sim_epoch_header(const sim_scene *s, const sim_epoch *e, ph_header *h);

/* One rendered epoch. */
typedef struct sim_truth {
    int iobj;             /* index in scene obj */
    double x0, y0;        /* 0-based pixel position */
    double flux;          /* expected counts in this exposure */
    double realized;      /* photons drawn (= flux without noise) */
} sim_truth;

typedef struct sim_image {
    long nx, ny;
    double *sci;          /* e-; sky not subtracted */
    float *err;           /* the sky-only image (sky + dark + read noise) */
    uint32_t *dq;         /* 1 hot/dead pixel or dead column, 2 saturated, 4 cosmic ray
                           * (2 and 4 only when flag_saturated, flag_cosmic_rays) */
    double sky_mean;      /* mean sky + dark level, e- */
    long ncr;             /* cosmic-ray tracks drawn */
    long nhot, ndead;     /* hot and dead pixels in the image */
    int ntruth;
    sim_truth *truth;
} sim_image;

/* Render epoch `e`: objects through the epoch's WCS and PSF, sky, noise.
 * `psf` is the epoch's PSF model (its options from sim_epoch_psf). */
int sim_render(const sim_scene *s, const sim_epoch *e, ph_romanpsf *psf, sim_image *img);
void sim_image_free(sim_image *img);

/* The PSF options of an epoch (the scene's, with the epoch's jitter and
 * its SCA's wavefront error, sca.h). */
void sim_epoch_psf(const sim_scene *s, const sim_epoch *e, ph_romanpsf_opts *o);

const char *sim_type_name(int type);

#endif
