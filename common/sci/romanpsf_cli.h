/* romanpsf_cli.h -- the Roman-PSF options that ph-psf and ph-sim share:
 * --jitter, --nlambda, --wfe, --obscuration, --diffusion (romanpsf.h's
 * parameters). Written once here, as typed rows of a tool's ph_opt table
 * (common/cli.h), so that the two tools cannot drift apart in names,
 * ranges or help. Each tool's rows point at its own ph_romanpsf_cli, a
 * field of its context. Config keys follow the tool (ph.psf.jitter,
 * ph.sim.jitter, ...).
 *
 *   ph_opt rows:  {..., PH_ROMANPSF_CLI_OPTS(my_ctx, rpsf), ...};
 *   before parse: ph_romanpsf_cli_init(&ctx->rpsf);
 *   then:         ph_romanpsf_defaults(&o, band); ph_romanpsf_cli_apply(&ctx->rpsf, &o);
 *
 * The rows have no table default: the defaults depend on the band (the
 * obscuration's does), so a value not given stays NaN (nlambda 0) and the
 * band's default stands; the help lines say what those are.
 */
#ifndef PH_ROMANPSF_CLI_H
#define PH_ROMANPSF_CLI_H

#include "base/cli.h"
#include "sci/romanpsf.h"

/* The values given; NaN (nlambda 0) where the band's default stands. */
typedef struct ph_romanpsf_cli {
    double jitter, wfe, obscuration, diffusion;
    long nlambda;
} ph_romanpsf_cli;

/* The rows, to put in a tool's table where they should appear in --help:
 * T is the tool's context type, F its ph_romanpsf_cli field. The ranges
 * are the union of what ph-psf and ph-sim accepted before they shared
 * these options; the model itself (ph_romanpsf_new) has the last word on
 * the edges. */
#define PH_ROMANPSF_CLI_OPTS(T, F)                                                                \
    {"jitter", 0, "ARCSEC", "roman: pointing jitter rms per axis (default 0.014)", NULL,          \
     PH_AT(T, F.jitter), .lo = 0, .hi = 1},                                                      \
    {"nlambda", 0, "N", "roman: wavelengths across the band; 1 = monochromatic (default 9)",      \
     NULL, PH_AT(T, F.nlambda), .lo = 1, .hi = 200},                                             \
    {"wfe", 0, "NM", "roman: static wavefront error rms (default 80)", NULL, PH_AT(T, F.wfe),     \
     .lo = 0, .hi = 500},                                                                        \
    {"obscuration", 0, "EPS", "roman: linear central obscuration (default 0.32; F184, K213 0.38)", \
     NULL, PH_AT(T, F.obscuration), .lo = 0, .hi = 0.9},                                         \
    {"diffusion", 0, "PX", "roman: charge diffusion sigma (default 0.1)", NULL,                   \
     PH_AT(T, F.diffusion), .lo = 0, .hi = 5}

/* Nothing given. */
void ph_romanpsf_cli_init(ph_romanpsf_cli *s);

/* The values given, over the band defaults already in `o`. */
void ph_romanpsf_cli_apply(const ph_romanpsf_cli *s, ph_romanpsf_opts *o);

#endif
