/* commands.c -- see commands.h. */
#include "commands.h"
#include "base/bands.h"
#include "imlist.h"
#include "known_keys.h"
#include "base/log.h"
#include "base/ncpu.h"
#include "base/timing.h"

#include <stdio.h>
#include <string.h>

static int cmd_imlist(const char *band, int argc, char **argv)
{
    if (argc != 1)
        return ph_error(PH_EUSAGE, NULL, "imlist: expected FILE (an image list)");
    int st = config_imlist(stdout, argv[0], band);
    if (!st && fflush(stdout))
        st = ph_error(PH_EFAIL, "-", "cannot write to standard output");
    return st;
}

static const char *where(const ph_config *cfg)
{
    return ph_config_path(cfg) ? ph_config_path(cfg) : "config (no file: -c or $SNPIT_CONFIG)";
}

static int cmd_get(ph_config *cfg, int argc, char **argv)
{
    if (argc < 1 || argc > 2)
        return ph_error(PH_EUSAGE, NULL, "get: expected KEY [DEFAULT]");
    const char *v = ph_config_get(cfg, argv[0]);
    if (v) {
        puts(v);
        return PH_OK;
    }
    if (ph_config_keys(cfg, argv[0], NULL, 0) >= 0 || ph_config_list(cfg, argv[0], NULL, 0) >= 0) {
        ph_config_dump(cfg, argv[0], stdout);
        return PH_OK;
    }
    if (argc == 2) {
        puts(argv[1]);
        return PH_OK;
    }
    if (ph_config_has(cfg, argv[0]))
        return ph_error(PH_EFAIL, where(cfg), "%s is null and no default was given", argv[0]);
    return ph_error(PH_EFAIL, where(cfg), "no key %s (give a default: ph-config get KEY DEFAULT)",
                    argv[0]);
}

static int cmd_keys(ph_config *cfg, int argc, char **argv)
{
    const char *key = argc ? argv[0] : "";
    int n = ph_config_keys(cfg, key, NULL, 0);
    if (n < 0)
        return ph_error(PH_EFAIL, where(cfg), "%s is not a mapping", key);
    const char *names[n ? n : 1];
    ph_config_keys(cfg, key, names, n);
    for (int i = 0; i < n; i++)
        puts(names[i]);
    return PH_OK;
}

static int cmd_list(ph_config *cfg, int argc, char **argv)
{
    if (argc != 1)
        return ph_error(PH_EUSAGE, NULL, "list: expected KEY");
    int n = ph_config_list(cfg, argv[0], NULL, 0);
    if (n < 0)
        return ph_error(PH_EFAIL, where(cfg), "%s is not a list", argv[0]);
    const char *items[n ? n : 1];
    ph_config_list(cfg, argv[0], items, n);
    for (int i = 0; i < n; i++)
        puts(items[i]);
    return PH_OK;
}

typedef struct check_ctx {
    const ph_config *cfg;
    int unknown;
} check_ctx;

static void check_leaf(const char *key, const char *value, void *ctx)
{
    (void)value;
    check_ctx *c = ctx;
    if (!config_known_key(key)) {
        ph_warn("%s is not a key phrosty-c knows; it is ignored", key);
        c->unknown++;
        return;
    }
    /* A key read as one value (every tool option, kerpolyorder ...) that
     * holds a list or mapping would be ignored by the tools: an error. */
    const char *v;
    if (config_known_scalar(key))
        ph_config_get_value(c->cfg, key, &v); /* records the first such error */
}

int config_run(ph_config *cfg, const config_ui *u, int npos, char **pos)
{
    if (npos < 1)
        return ph_error(PH_EUSAGE, NULL, "expected a command: get, dump, keys, list, check, "
                                         "cpus, imlist or bands (try --help)");
    const char *cmd = pos[0];
    int n = npos - 1, st = PH_OK;
    char **a = pos + 1;
    ph_timing_begin(cmd);
    if (!strcmp(cmd, "get"))
        st = cmd_get(cfg, n, a);
    else if (!strcmp(cmd, "dump"))
        ph_config_dump(cfg, n ? a[0] : "", stdout);
    else if (!strcmp(cmd, "keys"))
        st = cmd_keys(cfg, n, a);
    else if (!strcmp(cmd, "list"))
        st = cmd_list(cfg, n, a);
    else if (!strcmp(cmd, "check")) {
        check_ctx c = {cfg, 0};
        ph_config_foreach_leaf(cfg, check_leaf, &c);
        st = ph_error_code();
        if (!st)
            ph_info("%s: %d key%s not used by phrosty-c", where(cfg), c.unknown,
                    c.unknown == 1 ? "" : "s");
    } else if (!strcmp(cmd, "cpus")) {
        char why[512];
        printf("%d\n", ph_ncpu_explain(why, sizeof why));
        ph_info("%s", why);
    } else if (!strcmp(cmd, "imlist"))
        st = cmd_imlist(u->band, n, a);
    else if (!strcmp(cmd, "bands"))
        config_bands(stdout);
    else
        st = ph_error(PH_EUSAGE, NULL, "unknown command '%s' (get, dump, keys, list, check, "
                      "cpus, imlist, bands)", cmd);
    ph_timing_end();
    return st;
}
