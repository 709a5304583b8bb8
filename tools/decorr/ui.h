/* ui.h -- ph-decorr's option table: each option's field of dc_opts
 * (run.h), type, range, default and config key, in one place
 * (common/cli.h). */
#ifndef PH_DECORR_UI_H
#define PH_DECORR_UI_H

#include "base/cli.h"
#include "run.h"

extern const ph_opt decorr_options[];

/* The values before any option: the table's defaults, NaN or 0 where the
 * difference file decides. */
void dc_ui_init(dc_opts *o);

/* The handler of the options with a check of their own: the sky rms
 * values (finite, non-negative) and the stamp sizes (odd). */
int dc_ui_handle(ph_cli *cli, int key, const char *arg);

/* What the options imply once all are read: --match-kernel-file, the
 * matching kernel's use. */
void dc_ui_resolve(dc_opts *o);

#endif
