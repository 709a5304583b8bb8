/* ui.h -- ph-config's option and what it sets (common/base/cli.h). Its
 * commands (get, dump, keys, ...) and their arguments are positional. */
#ifndef PH_CONFIG_UI_H
#define PH_CONFIG_UI_H

#include "base/cli.h"

typedef struct config_ui {
    const char *band; /* -b: imlist prints this band's images only; NULL: all */
} config_ui;

extern const ph_opt config_options[];

/* The handler of -b/--band, a band name (any case, F-names accepted)
 * stored as bands.h spells it: a lookup, not a type. */
int config_ui_handle(ph_cli *cli, int key, const char *arg);

#endif
