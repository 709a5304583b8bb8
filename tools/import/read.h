/* read.h -- ph-import's inputs besides the image: the planes of the
 * image's size (noise, variance, masks) and the PSF, checked as they are
 * read so that every error names the file at fault. */
#ifndef PH_IMPORT_READ_H
#define PH_IMPORT_READ_H

#include "io/psfstamp.h"

/* The first 2-D image of `path` (NULL: none, *data NULL) into *data;
 * error if it is not nx x ny. */
int import_read_plane(const char *path, long nx, long ny, double **data);

/* The PSF of `path`: checked (odd, square, finite), cropped to size x size
 * around its centre (0: as it is), normalised to sum 1; its header
 * (PSFMODEL, PSFFRAC = its sum before, PSFNORM, OVERSAMP, FILTER = band if
 * not empty) for the stamp file. */
int import_read_psf(const char *path, long size, const char *band, ph_psf *p);

#endif
