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
 *
 * main.c: the command line; the commands are commands.c's.
 */
#include "base/cli.h"
#include "commands.h"
#include "base/timing.h"
#include "ui.h"

int main(int argc, char **argv)
{
    config_ui u = {0};
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
        .opts = config_options,
        .handle = config_ui_handle,
        .ctx = &u,
    };
    ph_timing_begin("read config");
    int st = ph_cli_parse(&cli, argc, argv);
    ph_timing_end();
    if (!st)
        st = config_run(cli.cfg, &u, cli.npos, cli.pos);
    return ph_cli_exit(&cli, st);
}
