/* variance.h -- the VAR plane of ph-skysub's output (pipeline-spec.md
 * "Input images", pipeline-reference.md §1.1).
 *
 *   physical  counts over gain plus read noise squared, in ADU^2:
 *             max(image, 0) / gain + (read_noise / gain)^2, image = the
 *             input before sky subtraction (sky + sources + dark);
 *             OpenUniverse2024's default (its ERR HDU is the sky image,
 *             not a noise map);
 *   noise     the noise plane squared (ERR^2: what phrosty uses, selected
 *             with --variance phrosty);
 *   model     the sky rms map squared, plus the sources' Poisson term
 *             max(image - sky, 0) / gain when the gain is known.
 */
#ifndef PH_SKYSUB_VARIANCE_H
#define PH_SKYSUB_VARIANCE_H

#include "background.h"

typedef enum { VAR_AUTO, VAR_PHYSICAL, VAR_NOISE, VAR_MODEL } var_kind;

/* The key VARTYPE written in the header: "physical", "noise^2",
 * "rms^2+poisson" or "rms^2". */
const char *variance_name(var_kind k, double gain);

/* var[] from the input image (before subtraction) and the sky; `noise` is
 * used for VAR_NOISE. Non-finite image pixels get 0 (they are BAD). */
int variance_make(var_kind k, const float *img, const float *noise, ph_bkg *sky, long nx,
                  long ny, double gain, double read_noise, float *var);

#endif
