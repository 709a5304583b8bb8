/* bands.h -- Roman WFI bands and telescope constants.
 *
 * Sources: pipeline-spec.md / pipeline-reference.md §1.1, §3.3 (GalSim's
 * Roman module: AB zero points of the bandpasses in photons/s/cm^2, the
 * collecting area, the OU2024 exposure times; the WFI technical table for
 * the optical FWHMs and effective wavelengths).
 */
#ifndef PH_BANDS_H
#define PH_BANDS_H

#define PH_ROMAN_PIXSCALE_ARCSEC 0.11  /* arcsec per pixel */
#define PH_ROMAN_DIAMETER_M 2.36       /* primary mirror diameter */
#define PH_ROMAN_OBSCURATION 0.32      /* linear central obscuration */
#define PH_ROMAN_AREA_CM2 37570.0      /* collecting area (GalSim) */
#define PH_ROMAN_GAIN 1.0              /* e-/ADU in OpenUniverse2024 */
#define PH_ROMAN_READNOISE 8.5         /* e- rms */
#define PH_OU2024_CLIP 100000.0        /* e-: OpenUniverse2024 clips counts here, before the read
                                        * noise, and flags nothing (pipeline-reference.md 1.1) */
#define PH_ROMAN_DARK 0.015            /* e-/px/s */
#define PH_ROMAN_JITTER_ARCSEC 0.014   /* rms per axis */
#define PH_ROMAN_DIFFUSION_PX 0.1      /* charge diffusion, Gaussian sigma */
#define PH_ROMAN_NPIX 4088             /* active pixels per side of an SCA */

typedef struct ph_band {
    const char *name;     /* "Y106" */
    double lambda_um;     /* effective wavelength */
    double lambda_min_um; /* bandpass edges */
    double lambda_max_um;
    double fwhm_arcsec;   /* published optical PSF FWHM */
    double zp_ab;         /* AB zero point for counts/s/cm^2 (GalSim) */
    double exptime_s;     /* OU2024 exposure time; 0 if none */
} ph_band;

/* Look a band up by name, ignoring case and blanks; also accepts the filter
 * names F062 ... F213 and F146. NULL if unknown. */
const ph_band *ph_band_find(const char *name);

/* The i-th band of the table (0-based, in the order of ph_band_names()),
 * NULL past the end: for listing them (ph-config bands). */
const ph_band *ph_band_at(int i);

/* "R062 Z087 Y106 J129 H158 F184 K213 W146", for error messages (made
 * from the table). */
const char *ph_band_names(void);

/* Zero point (AB) of an exposure of `exptime_s` seconds in `band`:
 * zp_ab + 2.5 log10(exptime * area), counts per exposure. */
double ph_band_zeropoint(const ph_band *band, double exptime_s);

#endif
