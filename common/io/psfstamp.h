/* psfstamp.h -- PSF stamps: the files ph-psf writes and every later tool
 * reads.
 *
 * A stamp is an odd n x n float64 image, normalised to sum 1, with the PSF
 * centred on the centre of the centre pixel [(n-1)/2][(n-1)/2] (the
 * convention SFFT documents). In a file it is the primary image (or an HDU
 * named PSF); its header keys:
 *   PSFX, PSFY    0-based pixel position on the image it belongs to
 *   PSFRA, PSFDEC sky position (deg)
 *   FILTER        band
 *   PSFMODEL      model that made it (file:..., roman, epsf, ...)
 *   OVERSAMP      oversampling of the model it was made from
 *   PSFFRAC       fraction of the model's flux inside the stamp (before
 *                 normalisation)
 *   PSFNORM       T: the stamp sums to 1
 *
 * ph-psf also writes, as image extension PHASED_PSF, the same PSF drawn at
 * the position's sub-pixel phase: its centre (PSFDX, PSFDY) = (PSFX -
 * round(PSFX), PSFY - round(PSFY)) from the centre pixel's centre, key
 * PSFPHASE T. That is the transient's exact pixel profile: an undersampled
 * PSF cannot be moved to another phase by interpolation, so ph-subtract
 * carries it into the difference file and ph-decorr makes DECORR_PSF from
 * it. The primary stays the centred stamp SFFT wants.
 *
 * Beside them, HDU EPSF: the same PSF oversampled (ovpsf.h), centred,
 * scaled like the centred stamp (its native samples at phase 0 sum to 1),
 * from which a tool draws the PSF at any phase or in another image's frame.
 */
#ifndef PH_PSFSTAMP_H
#define PH_PSFSTAMP_H

#include "io/header.h"
#include "io/ovpsf.h"

typedef struct ph_psf {
    long n;          /* size (odd) */
    double *data;    /* n * n, row-major */
    ph_header *hdr;  /* may be NULL */
    ph_ovpsf *ov;    /* HDU EPSF, or NULL */
} ph_psf;

/* Read a stamp from `path`: HDU `hdu` if not NULL, else the PSF HDU if there
 * is one, else the primary of ph-psf's file (one with PHASED_PSF or EPSF:
 * the centred stamp, as the contract says), else the first image (with a
 * notice when there are several). Checked with ph_psfstamp_check. The EPSF HDU,
 * when the file has one, is read into p->ov. */
int ph_psfstamp_read(const char *path, const char *hdu, ph_psf *p);

/* Check: square, odd size >= 3, all finite, sum > 0. `file` names it. */
int ph_psfstamp_check(const double *d, long nx, long ny, const char *file);

/* Divide by the sum; returns the sum (0 if it was not positive). */
double ph_psfstamp_normalise(double *d, long n);

/* First moments, as offsets of the light-weighted centre from the centre
 * pixel (pixels, +x right, +y up in array order). */
void ph_psfstamp_centroid(const double *d, long n, double *dx, double *dy);

/* The extension holding the stamp at the position's sub-pixel phase. */
#define PH_PSF_PHASED_HDU "PHASED_PSF"

/* Write as the primary image of `path` (atomic), with p->ov as EPSF. */
int ph_psfstamp_write(const char *path, const ph_psf *p);

/* The same, with `phased` (may be NULL) as image extension PHASED_PSF. */
int ph_psfstamp_write_phased(const char *path, const ph_psf *p, const ph_psf *phased);

/* Read the PHASED_PSF extension of `path` into *p when it has one: returns
 * PH_OK with p->data NULL when it has none, PH_EFAIL on a read error or a
 * bad stamp. */
int ph_psfstamp_read_phased(const char *path, ph_psf *p);

void ph_psfstamp_free(ph_psf *p);

#endif
