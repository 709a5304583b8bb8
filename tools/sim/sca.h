/* sca.h -- what differs between Roman's 18 detectors (SCAs) in ph-sim:
 * the plate scale and skew of the pixels on the sky, the orientation of the
 * SIP distortion pattern, and the static wavefront error of the optics.
 *
 * The WFI focal plane holds the SCAs in 6 columns of 3, SCAs 1-9 on one
 * side of its axis of symmetry and 10-18 on the other (SCA 9 + k mirrors
 * SCA k). Within a column the SCAs run (top, middle, bottom) = (3, 1, 2),
 * (6, 4, 5), (9, 7, 8) from the inner column outwards (GalSim's Roman
 * focal-plane description, cycle 6 onwards).
 *
 * Plate scale: OpenUniverse2024's pixels are not 0.11" squares. Fitting
 * each of its truth catalogues' x, y against ra, dec (a TAN plane, 8 Y106
 * exposures of Roman-Supernova-PIT/photometry_test_data on SCAs 1, 2, 3, 7
 * and 15) gives per SCA the length on the sky of a step along x and along
 * y and the cosine of the angle between them; the rest of each catalogue's
 * mapping is linear to 0.01 px. The SCAs measured are used as measured;
 * the others are filled in from them (mirror images, and the row and column
 * trends of the measured ones), so they are plausible, not Roman's values.
 *
 * Wavefront error: STScI's PSF summary (roman-technical-information,
 * SummaryPSFstats) gives SCA 1 (inner column) and SCA 18 (outer column):
 * the same FWHM, 8 to 14% more noise pixels on SCA 18, which our model
 * reproduces with 25% more wavefront error. ph-sim scales the wavefront
 * error by column: inner x1.00 (the published PSF table), middle x1.125,
 * outer x1.25.
 */
#ifndef SIM_SCA_H
#define SIM_SCA_H

typedef struct sim_sca {
    double sx, sy;   /* arcsec on the sky of one pixel step along x, along y */
    double cosxy;    /* cosine of the angle between the x and y steps on the sky */
    int mirror;      /* 1 for SCAs 10-18: the SIP pattern mirrored in x */
    double wfe_scale;/* multiplies the band's wavefront error */
} sim_sca;

/* The SCA's properties (sca 1 ... 18). With `square` set, 0.11" square
 * pixels instead of the SCA's own scale (mirror and wfe_scale kept). */
sim_sca sim_sca_get(long sca, int square);

#endif
