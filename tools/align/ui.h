/* ui.h -- ph-align's option table: each option's field of align_params
 * (run.h), type, range, default and config key, in one place
 * (common/cli.h). */
#ifndef PH_ALIGN_UI_H
#define PH_ALIGN_UI_H

#include "base/cli.h"
#include "run.h"

extern const ph_opt align_options[];

/* The values before any option: the table's defaults, and -1 (--interp)
 * where the method decides. */
void align_ui_init(align_params *p);

/* The settings the options leave to the tool: --interp's default from the
 * method, --threads 0 as the CPUs this process may use. */
void align_ui_resolve(align_params *p);

#endif
