/* io.h -- ph-phot's input: the decorrelated file of ph-decorr (HACKING.md
 * "Decorrelated file"); the stamps it writes are stamps.h's. */
#ifndef PH_PHOT_IO_H
#define PH_PHOT_IO_H

#include "io/header.h"
#include "io/psfstamp.h"

#include <stdint.h>

typedef struct phot_input {
    const char *path;
    long nx, ny;
    ph_header *hdr;  /* DECORR_DIFF's: science WCS, meta, TPL* keys */
    ph_meta sci, tpl;
    float *diff, *var, *zpimg; /* DECORR_DIFF, DIFF_VAR, DECORR_SCI (NULL unless asked) */
    uint8_t *mask;
    ph_psf psf;      /* DECORR_PSF */
} phot_input;

/* Read the header and the PSF (and check that every plane is there), then
 * the planes: DECORR_DIFF, DIFF_VAR, MASK, and DECORR_SCI when want_zpimg. */
int phot_input_read(const char *path, int want_zpimg, phot_input *in);
void phot_input_free(phot_input *in);

#endif
