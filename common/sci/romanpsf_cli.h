/* romanpsf_cli.h -- the Roman-PSF options that ph-psf and ph-sim share:
 * --jitter, --nlambda, --wfe, --obscuration, --diffusion (romanpsf.h's
 * parameters). Written once here, as a fragment of a tool's ph_opt table
 * and one handler, so that the two tools cannot drift apart in names,
 * ranges, help or defaults. Config keys follow the tool
 * (ph.psf.jitter, ph.sim.jitter, ...).
 *
 *   static const ph_opt opts[] = {..., PH_ROMANPSF_CLI_OPTS, ...};
 *   handler:  if (ph_romanpsf_cli_owns(key))
 *                 return ph_romanpsf_cli_handle(cli, key, arg, &ctx->rpsf);
 *   then:     ph_romanpsf_defaults(&o, band); ph_romanpsf_cli_apply(&ctx->rpsf, &o);
 */
#ifndef PH_ROMANPSF_CLI_H
#define PH_ROMANPSF_CLI_H

#include "base/cli.h"
#include "sci/romanpsf.h"

/* Option keys: above any tool's own (tools number theirs from 256). */
enum {
    PH_ROMANPSF_CLI_JITTER = 0x5200,
    PH_ROMANPSF_CLI_NLAMBDA,
    PH_ROMANPSF_CLI_WFE,
    PH_ROMANPSF_CLI_OBSCURATION,
    PH_ROMANPSF_CLI_DIFFUSION,
    PH_ROMANPSF_CLI_END
};

/* The rows, to put in a tool's table where they should appear in --help. */
#define PH_ROMANPSF_CLI_OPTS                                                                       \
    {"jitter", PH_ROMANPSF_CLI_JITTER, "ARCSEC",                                                   \
     "roman: pointing jitter rms per axis (default 0.014)", NULL, 0},                              \
    {"nlambda", PH_ROMANPSF_CLI_NLAMBDA, "N",                                                      \
     "roman: wavelengths across the band; 1 = monochromatic (default 9)", NULL, 0},                \
    {"wfe", PH_ROMANPSF_CLI_WFE, "NM", "roman: static wavefront error rms (default 80)", NULL, 0}, \
    {"obscuration", PH_ROMANPSF_CLI_OBSCURATION, "EPS",                                            \
     "roman: linear central obscuration (default 0.32; F184, K213 0.38)", NULL, 0},                \
    {"diffusion", PH_ROMANPSF_CLI_DIFFUSION, "PX", "roman: charge diffusion sigma (default 0.1)",  \
     NULL, 0}

/* The values given; NaN (nlambda 0) where the band's default stands. */
typedef struct ph_romanpsf_cli {
    double jitter, wfe, obscuration, diffusion;
    long nlambda;
} ph_romanpsf_cli;

/* Nothing given. */
void ph_romanpsf_cli_init(ph_romanpsf_cli *s);

/* Whether `key` is one of the rows above. */
int ph_romanpsf_cli_owns(int key);

/* Parse one value (a ph_opt_handler's work for these keys): PH_OK, or
 * PH_EUSAGE recorded naming the value's source. */
int ph_romanpsf_cli_handle(ph_cli *cli, int key, const char *arg, ph_romanpsf_cli *s);

/* The values given, over the band defaults already in `o`. */
void ph_romanpsf_cli_apply(const ph_romanpsf_cli *s, ph_romanpsf_opts *o);

#endif
