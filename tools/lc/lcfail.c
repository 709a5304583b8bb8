/* lcfail.c -- see lcfail.h. */
#include "lcfail.h"
#include "io/atomicfile.h"
#include "io/lightcurve.h"
#include "base/log.h"
#include "base/util.h"

#include <stdio.h>
#include <string.h>

/* Re-record the error of a bad argument as a usage error (exit 2). */
static int bad_arg(void)
{
    char msg[600];
    ph_strlcpy(msg, ph_error_message(), sizeof msg);
    ph_error_clear();
    return ph_error(PH_EUSAGE, "--failure-row", "%s", msg);
}

int lc_failure_row(const char *output, int nargs, char **args)
{
    ph_lc_row row;
    ph_lc_row_init(&row);
    int given[PH_LC_NCOLS] = {0};
    if (!nargs)
        return ph_error(PH_EUSAGE, "--failure-row", "no COLUMN=VALUE given (the pair's mjd, "
                        "observation_id, sca, science_name ...)");
    for (int i = 0; i < nargs; i++) {
        const char *eq = strchr(args[i], '=');
        char name[64];
        if (!eq || eq == args[i] || (size_t)(eq - args[i]) >= sizeof name)
            return ph_error(PH_EUSAGE, "--failure-row", "'%s': expected COLUMN=VALUE", args[i]);
        memcpy(name, args[i], (size_t)(eq - args[i]));
        name[eq - args[i]] = '\0';
        int k = ph_lc_column_index(name);
        if (k >= 0 && !strcmp(name, "success"))
            return ph_error(PH_EUSAGE, "--failure-row", "success: a failure row has success False");
        if (k >= 0 && given[k]++)
            return ph_error(PH_EUSAGE, "--failure-row", "column %s given twice", name);
        if (ph_lc_row_set(&row, name, eq + 1, "--failure-row"))
            return bad_arg();
    }
    row.success = 0;
    if (!output || !strcmp(output, "-")) {
        ph_lc_write_header(stdout);
        ph_lc_write_row(stdout, &row);
        return fflush(stdout) ? ph_error(PH_EFAIL, "-", "cannot write to standard output") : PH_OK;
    }
    ph_atomic out;
    if (ph_atomic_open(&out, output))
        return PH_EFAIL;
    ph_lc_write_header(out.f);
    ph_lc_write_row(out.f, &row);
    return ph_atomic_commit(&out);
}
