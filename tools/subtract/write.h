/* write.h -- ph-subtract's product: the "Difference file" of HACKING.md. */
#ifndef PH_SUBTRACT_WRITE_H
#define PH_SUBTRACT_WRITE_H

#include "subtract.h"
#include "ui.h"

/* Write `path` atomically: DIFF, CSCI, CREF, SCI_VAR, REF_VAR, MASK,
 * SCI_PSF, REF_PSF, CONV_PSF, MATCH_KERNEL, KERNEL (+ KERNEL_GRID with
 * --kernel-grid). `device` names where it ran (DEVICE key). */
int sub_write(const char *path, const sub_opts *o, const sub_data *d, const sub_out *r,
              const char *device);

#endif
