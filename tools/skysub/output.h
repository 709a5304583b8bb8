/* output.h -- ph-skysub's product: the ph image (io/image.h) with the
 * sky-subtracted SCI, VAR and MASK, the meta keys it measured (SKYRMS,
 * SKYLEVEL, GAIN, RDNOISE, SATURATE) and, in the SCI header, the settings
 * and results of the run. */
#ifndef PH_SKYSUB_OUTPUT_H
#define PH_SKYSUB_OUTPUT_H

#include "io/image.h"
#include "skysub.h"

/* Write `output` from the input's sky-subtracted plane and header (both
 * borrowed; the header gains the settings), `var` and `mask`. */
int skysub_write(const char *output, ph_input_lite *in, float *var, uint8_t *mask,
                 const skysub_result *r, const skysub_params *p, var_kind vk, double gain,
                 double rn);

#endif
