/* detector.h -- the numbers of the detector that ph-skysub needs for one
 * image, each from the option, else the header, else the Roman
 * simulation's values for OpenUniverse2024: the gain and read noise, the
 * variance kind they allow (variance.h), and the saturation level. */
#ifndef PH_SKYSUB_DETECTOR_H
#define PH_SKYSUB_DETECTOR_H

#include "io/image.h"
#include "variance.h"

/* *vk: the kind asked (VAR_AUTO resolved: physical for OpenUniverse2024,
 * else the noise plane if there is one, else the model); the noise plane
 * is freed unless used. *gain, *rn: NaN where unknown. Errors (usage) when
 * the kind cannot be made; `noise_hdu` (NULL: ERR) names the plane. */
int skysub_noise_model(const char *input, const char *noise_hdu, double opt_gain, double opt_rn,
                       ph_input_lite *in, var_kind *vk, double *gain, double *rn);

/* The saturation level (ADU): `opt` (NaN: not given, -inf: none), else
 * the header's SATURATE, else OpenUniverse2024's unflagged clip less 5
 * read-noise rms; NaN for none. */
double skysub_saturation(const char *input, double opt, const ph_input_lite *in, double rn);

#endif
