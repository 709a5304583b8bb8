/* commands.h -- ph-config's commands (get, dump, keys, list, check, cpus,
 * imlist, bands), on the config ph_cli_parse read. */
#ifndef PH_CONFIG_COMMANDS_H
#define PH_CONFIG_COMMANDS_H

#include "base/config.h"
#include "ui.h"

/* Run the command pos[0] with its arguments pos[1 ...]: PH_OK, or the
 * error recorded (PH_EUSAGE for a missing or unknown command or bad
 * arguments). */
int config_run(ph_config *cfg, const config_ui *u, int npos, char **pos);

#endif
