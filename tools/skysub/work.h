/* work.h -- ph-skysub's steps on one image read into memory, between
 * reading and writing (skysub.h has the steps themselves): the flags
 * become the mask, detection and sky, subtraction and variance,
 * --check-images, the final mask. */
#ifndef PH_SKYSUB_WORK_H
#define PH_SKYSUB_WORK_H

#include "io/image.h"
#include "skysub.h"

/* in->sci becomes SCI (the sky subtracted), in->flagged and in->noise are
 * consumed; *mask_out, *var_out (the caller frees them, also on error)
 * the MASK and VAR planes; r the sky and the detections. Errors of the
 * array code are given `input`'s name. */
int skysub_work(const char *input, const char *output, const char *check_dir, ph_input_lite *in,
                const skysub_params *p, var_kind vk, double gain, double rn, uint8_t **mask_out,
                float **var_out, skysub_result *r);

#endif
