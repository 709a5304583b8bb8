/* stamps.h -- phrosty's stamps around the transient (--stamps DIR): the
 * decorrelated file's planes, the aligned template, the difference before
 * decorrelation, and the original images, each cut at the transient and
 * written as DIR/stamp_<what>_<S>-<T>, phrosty's names. */
#ifndef PH_PHOT_STAMPS_H
#define PH_PHOT_STAMPS_H

#include "io/header.h"
#include "transient.h"

/* Every stamp the options ask for, around the transient (r->x0, r->y0). */
int phot_write_stamps(phot_run *r);

/* Write a size x size float32 stamp of `plane` (nx x ny) around (x0, y0) to
 * DIR/stamp_<what>_<S>-<T>, phrosty's name exactly (gzip-compressed when it
 * ends in .gz), NaN outside the image, header `hdr` with CRPIX shifted.
 * `what` may be NULL for stamp_<S>. */
int phot_write_stamp(const char *dir, const char *what, const char *sname, const char *tname,
                     const float *plane, long nx, long ny, const ph_header *hdr, double x0,
                     double y0, long size);

/* The image in HDU `hdu` of `path` if it has one, else its first 2-D
 * image, as float32, with its header (ph-subtract's DIFF, or phrosty's
 * single-image diff_ file). */
int phot_read_plane(const char *path, const char *hdu, long *nx, long *ny, float **plane,
                    ph_header **hdr);

#endif
