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

typedef enum { VAR_AUTO, VAR_PHYSICAL, VAR_NOISE, VAR_MODEL } var_kind;

/* The key VARTYPE written in the header: "physical", "noise^2",
 * "rms^2+poisson" or "rms^2" (model without a gain). */
const char *variance_name(var_kind k, double gain);

/* One row of VAR from the input row (before subtraction), the noise row
 * (VAR_NOISE) and the sky and rms rows (VAR_MODEL); unused rows may be
 * NULL. gain NaN: no Poisson term in the model. Non-finite image pixels
 * get 0 (they are BAD). */
void variance_row(var_kind k, const float *img, const float *noise, const float *sky,
                  const float *rms, long nx, double gain, double read_noise, float *var);

#endif
