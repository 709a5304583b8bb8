/* ui.h -- ph-psf's parameters (the options in effect, and what the run
 * learns about its model) and their option table: each option's type,
 * range, default and config key, in one place (common/cli.h). */
#ifndef PH_TOOL_PSF_UI_H
#define PH_TOOL_PSF_UI_H

#include "base/cli.h"
#include "sci/interp.h"
#include "psf.h"
#include "sci/romanpsf_cli.h"

enum { M_NONE = 0, M_ROMAN, M_GAUSS, M_FILE, M_EPSF, M_A25, M_AUTO, M_ROMANFIT };

typedef struct params {
    const char *output, *band, *pointing;
    char model_text[1100], pattern[1024];
    int model, at_position;
    int have_ra, have_dec, have_x, have_y; /* psf_ui_finish: the position's options given */
    int fitted;   /* romanfit (or auto's choice of it): rf holds the fit */
    romanfit_result rf;
    double ra, dec, x, y, sigma; /* ra ... y: NaN until given */
    long size, sca;              /* sca: -1 until given (then the image's) */
    int interp_word;             /* --interp: the word's index; -1 not given */
    ph_interp interp;            /* psf_ui_finish, from interp_word */
    int fourier; /* --interp fourier: 1; another kernel: 0; not given: -1 */
    ph_romanpsf_cli rpsf; /* --jitter ... --diffusion; NaN, 0: the band's */
    epsf_params ep;       /* ep.radius 0: half the stamp size */
    const char *model_source;
} params;

extern const ph_opt psf_options[];

/* The values before any option: the table's defaults, and NaN (or -1)
 * where the image, the band or the model decides. */
void psf_ui_init(params *p);

/* The handler of the options with a grammar of their own: --model,
 * --size (odd), --band (a band name). */
int psf_ui_handle(ph_cli *cli, int key, const char *arg);

/* After the parse: what the typed values imply (which position was
 * given, the interpolation kernel). */
void psf_ui_finish(params *p);

#endif
