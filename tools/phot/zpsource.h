/* zpsource.h -- where ph-phot's zero point comes from. A pair's row takes
 * it from --zpt's file (checked to be its science image's), from the
 * catalogue stars measured on DECORR_SCI (--catalog), or from the header;
 * the zero-point mode measures a ph image's stars over its whole field and
 * writes the zero-point file each pair reads. Too few stars: the header's,
 * with a warning. The measuring itself is zeropoint.c's. */
#ifndef PH_PHOT_ZPSOURCE_H
#define PH_PHOT_ZPSOURCE_H

#include "transient.h"
#include "ui.h"

/* The row's zpt, zpt_source, zpt_nstars, zpt_scatter. */
int phot_pair_zeropoint(phot_run *r);

/* The zero-point mode: the zero point of the sky-subtracted science image
 * `path`, on the flux scale of its decorrelated differences (zeropoint.h),
 * written to o->output. */
int phot_zp_mode(const phot_opts *o, const char *path);

#endif
