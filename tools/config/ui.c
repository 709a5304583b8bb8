/* ui.c -- see ui.h. */
#include "ui.h"
#include "base/bands.h"
#include "base/log.h"

const ph_opt config_options[] = {
    {"band", 'b', "BAND", "imlist: the images of BAND only (ph-config bands lists them)", "",
     .flags = 0},
    {0},
};

int config_ui_handle(ph_cli *cli, int key, const char *arg)
{
    config_ui *u = cli->ctx;
    if (key != 'b')
        return ph_cli_bad(cli, "unexpected option");
    const ph_band *b = ph_band_find(arg);
    if (!b)
        return ph_cli_bad(cli, "unknown band '%s' (one of %s)", arg, ph_band_names());
    u->band = b->name;
    return PH_OK;
}
