/* diffio.h -- reading ph-subtract's "Difference file" (HACKING.md) for
 * ph-decorr: the DIFF header, the PSFs, the matching kernel and the sky rms
 * values up front (small, checked before any heavy work), then one full
 * plane at a time straight into the caller's FFT buffer.
 */
#ifndef PH_DECORR_DIFFIO_H
#define PH_DECORR_DIFFIO_H

#include "io/header.h"
#include "io/psfstamp.h"

#include <stdint.h>

/* Where the small inputs come from: a file given by option, else the HDU
 * or header key of the difference file. */
typedef struct dc_sources {
    const char *sci_psf;    /* file, or NULL: HDU SCI_PSF */
    const char *ref_psf;    /* file, or NULL: HDU REF_PSF */
    const char *conv_psf;   /* file, or NULL: HDU CONV_PSF (see conv_given) */
    const char *target_psf; /* file: the science PSF rendered at the transient's
                             * sub-pixel phase (its PHASED_PSF HDU, else its PSF
                             * or first image: ph-psf --at-position), or NULL:
                             * the PHASED_PSF HDU of --science-psf's file, else of
                             * the difference file (ph-subtract carries it) */
    int centred;            /* --centred-psf: no phased PSF, DECORR_PSF centred */
    const char *match_file; /* file, or NULL: HDU MATCH_KERNEL */
    int use_match;          /* read a matching kernel at all */
    double rms_sci;         /* NaN: key SKYRMS of DIFF */
    double rms_ref;         /* NaN: key TPLRMS of DIFF */
} dc_sources;

typedef struct dc_input {
    const char *path;
    long nx, ny;
    ph_header *hdr;   /* the DIFF header (science WCS, meta, TPL*, SFFT keys) */
    ph_psf sci, ref;  /* science PSF, rotated template PSF */
    ph_psf conv;      /* PSF of the difference; conv.data NULL: compute it */
    ph_psf target;    /* the science PSF at the transient's phase, or data NULL */
    char target_src[256]; /* where it came from: "HDU PHASED_PSF" or a file name */
    double *match;    /* n_match^2, or NULL */
    long n_match;
    double rms_sci, rms_ref;
    uint8_t *mask;      /* MASK (1 fit, 2 BAD, 4 OUTSIDE) and its header */
    ph_header *mask_hdr;
} dc_input;

/* Read and check everything but the float planes: the file is complete
 * and holds DIFF, CSCI, SCI_VAR, REF_VAR and MASK of one size; the PSFs are
 * odd, square, finite with a positive sum; the sky rms values are finite
 * and >= 0. The phased science PSF (target) is read as dc_sources says;
 * CONV_PSF is taken from the file only when there is none and neither PSF
 * was replaced by an option (else it would not belong to them). MASK is
 * read. */
int dc_input_open(const char *path, const dc_sources *src, dc_input *in);
void dc_input_free(dc_input *in);

/* Read plane `hdu` (nx x ny) as doubles into buf. A pixel that is not
 * finite (or negative, when nonneg is set) is an error unless MASK flags it
 * BAD or OUTSIDE: then it is set to 0 (no data: it must not spread NaN over
 * the whole frame through the FFT) and counted in *zeroed. */
int dc_input_plane(const dc_input *in, const char *hdu, int nonneg, double *buf, size_t *zeroed);

#endif
