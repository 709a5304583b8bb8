/* known_keys.c -- see known_keys.h. The list follows pipeline-spec.md
 * "Config keys" and pipeline-reference.md §5.3. */
#include "known_keys.h"

#include <string.h>

/* Exact leaf keys we read. */
static const char *exact[] = {
    "replaceable_preloads",
    "system.paths.scratch_dir",
    "system.paths.temp_dir",
    "system.paths.dia_out_dir",
    "system.paths.ltcv_dir",
    "system.paths.lightcurves",
    "system.paths.snappl.A25ePSF_path",
    "photometry.snappl.temp_dir",
    "photometry.phrosty.image_type",
    "photometry.phrosty.force_sky_subtract",
    "photometry.phrosty.keep_intermediate",
    "photometry.phrosty.remove_temp_dir",
    "photometry.phrosty.mem_trace",
    "photometry.phrosty.kerpolyorder",
    "photometry.phrosty.sfft.radius_cut_detmask",
    "photometry.phrosty.psf.type",
    "photometry.phrosty.psf.params",
};

/* Subtrees accepted as a whole: our own tools' options (ph.<tool>.<option>,
 * checked by each tool), PSF parameters, and phrosty's lookups that have
 * no meaning without its database or simulation services. */
static const char *prefix[] = {
    "ph.", "photometry.phrosty.psf.params.", "system.ou24.", "system.db.", "system.paths.",
    "db.", "photometry.snappl.",
};

int config_known_key(const char *key)
{
    for (size_t i = 0; i < sizeof exact / sizeof *exact; i++)
        if (!strcmp(key, exact[i]))
            return 1;
    for (size_t i = 0; i < sizeof prefix / sizeof *prefix; i++)
        if (!strncmp(key, prefix[i], strlen(prefix[i])))
            return 1;
    return 0;
}

int config_known_scalar(const char *key)
{
    if (!strncmp(key, "ph.", 3))
        return 1;
    for (size_t i = 0; i < sizeof exact / sizeof *exact; i++)
        if (!strcmp(key, exact[i]))
            return strcmp(key, "replaceable_preloads") && strcmp(key, "photometry.phrosty.psf.params");
    return 0;
}
