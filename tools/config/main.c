/* ph-config -- read the config the way every tool reads it, for shell
 * scripts and Makefiles.
 *
 *   ph-config get KEY [DEFAULT]   the value (YAML for a mapping or list)
 *   ph-config dump [KEY]          the merged config, or a subtree, as YAML
 *   ph-config keys [KEY]          child keys of a mapping, one per line
 *   ph-config list KEY            items of a list, one per line
 *   ph-config check               parse, merge preloads, warn about keys
 *                                 phrosty-c does not know
 *   ph-config cpus                the threads a tool runs by default
 *   ph-config imlist FILE [-b B]  an image list as the tools read it
 *   ph-config bands               the known bands
 */
#include "base/bands.h"
#include "base/cli.h"
#include "base/config.h"
#include "imlist.h"
#include "known_keys.h"
#include "base/log.h"
#include "base/ncpu.h"
#include "base/timing.h"

#include <stdio.h>
#include <string.h>

static const char *imlist_band; /* -b: imlist prints this band's images only */

static int handle(ph_cli *cli, int key, const char *arg)
{
    if (key == 'b') {
        const ph_band *b = ph_band_find(arg);
        if (!b)
            return ph_cli_bad(cli, "unknown band '%s' (one of %s)", arg, ph_band_names());
        imlist_band = b->name;
        return PH_OK;
    }
    return ph_cli_bad(cli, "unexpected option");
}

static const ph_opt opts[] = {
    {"band", 'b', "BAND", "imlist: the images of BAND only (ph-config bands lists them)", "", .flags = 0},
    {0},
};

static int cmd_imlist(int argc, char **argv)
{
    if (argc != 1)
        return ph_error(PH_EUSAGE, NULL, "imlist: expected FILE (an image list)");
    int st = config_imlist(stdout, argv[0], imlist_band);
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

int main(int argc, char **argv)
{
    ph_cli cli = {
        .tool = "ph-config",
        .usage = "[OPTION]... get KEY [DEFAULT] | dump [KEY] | keys [KEY] | list KEY | check |\n"
                 "       cpus | imlist FILE | bands",
        .summary = "Read phrosty's YAML config as every ph tool reads it.",
        .description =
            "The config comes from -c FILE or $SNPIT_CONFIG, with the files named in\n"
            "replaceable_preloads merged first and --set KEY=VALUE applied last.\n"
            "  get KEY [DEFAULT]  print a value (a mapping or list as YAML); without a\n"
            "                     default, a missing key is an error (exit 1)\n"
            "  dump [KEY]         print the merged config or a subtree as YAML\n"
            "  keys [KEY]         print the child keys of a mapping\n"
            "  list KEY           print the items of a list\n"
            "  check              warn about keys phrosty-c does not use\n"
            "  cpus               print the threads a tool runs by default: the smallest of\n"
            "                     the CPU affinity, the cgroup CPU quota, SLURM_CPUS_PER_TASK\n"
            "                     and OMP_NUM_THREADS (-v: each of them)\n"
            "  imlist FILE        read an image list (path observation_id sca mjd band) as\n"
            "                     the tools do and print its images, -b BAND's only, one a\n"
            "                     line: LINE PATH OBSERVATION_ID SCA MJD BAND, tab-separated\n"
            "                     (LINE: its line in FILE); a bad list is an error naming\n"
            "                     the line (exit 1)\n"
            "  bands              print the known bands, one a line\n"
            "A null (~) at a phrosty key means what None means to phrosty: for\n"
            "photometry.phrosty.sfft.radius_cut_detmask every segment (none), for its\n"
            "flags false; get prints that meaning.",
        .example = "ph-config -c config.yaml get photometry.phrosty.kerpolyorder 2",
        .opts = opts,
        .handle = handle,
    };
    ph_timing_begin("read config");
    int st = ph_cli_parse(&cli, argc, argv);
    ph_timing_end();
    if (st < 0)
        return 0;
    if (!st) {
        if (cli.npos < 1) {
            st = ph_error(PH_EUSAGE, NULL, "expected a command: get, dump, keys, list, check, "
                                           "cpus, imlist or bands (try --help)");
        } else {
            const char *cmd = cli.pos[0];
            int n = cli.npos - 1;
            char **a = cli.pos + 1;
            ph_timing_begin(cmd);
            if (!strcmp(cmd, "get"))
                st = cmd_get(cli.cfg, n, a);
            else if (!strcmp(cmd, "dump"))
                ph_config_dump(cli.cfg, n ? a[0] : "", stdout);
            else if (!strcmp(cmd, "keys"))
                st = cmd_keys(cli.cfg, n, a);
            else if (!strcmp(cmd, "list"))
                st = cmd_list(cli.cfg, n, a);
            else if (!strcmp(cmd, "check")) {
                check_ctx c = {cli.cfg, 0};
                ph_config_foreach_leaf(cli.cfg, check_leaf, &c);
                st = ph_error_code();
                if (!st)
                    ph_info("%s: %d key%s not used by phrosty-c", where(cli.cfg), c.unknown,
                            c.unknown == 1 ? "" : "s");
            } else if (!strcmp(cmd, "cpus")) {
                char why[512];
                printf("%d\n", ph_ncpu_explain(why, sizeof why));
                ph_info("%s", why);
            } else if (!strcmp(cmd, "imlist"))
                st = cmd_imlist(n, a);
            else if (!strcmp(cmd, "bands"))
                config_bands(stdout);
            else
                st = ph_error(PH_EUSAGE, NULL, "unknown command '%s' (get, dump, keys, list, check, "
                              "cpus, imlist, bands)", cmd);
            ph_timing_end();
        }
    }
    if (!st && cli.timing)
        ph_timing_report();
    ph_cli_free(&cli);
    return st ? ph_report_error() : 0;
}
