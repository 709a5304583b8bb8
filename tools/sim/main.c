/* ph-sim -- Roman-like test images with known truth, in the OpenUniverse2024
 * layout, and the analytic Roman PSF they are drawn with.
 *
 *   ph-sim [OPTION]... -o DIR            a multi-epoch scene (default command)
 *   ph-sim psf [OPTION]... -o FILE       the oversampled PSF model file
 *   ph-sim stamp [OPTION]... -o FILE     the exact native stamp at --phase
 *
 * main.c: the options and the command; options.h names the files that do
 * the rest (parameters, the scene, rendering, writing).
 */
#include "counts.h"
#include "base/log.h"
#include "options.h" /* cli.h, romanpsf_cli.h, sim.h */
#include "base/timing.h"
#include "base/util.h"

#include <string.h>

int main(int argc, char **argv)
{
    sim_opts c;
    sim_opts_init(&c);
    ph_cli cli = {
        .tool = "ph-sim",
        .usage = "[scene|psf|stamp] [OPTION]... -o PATH",
        .summary = "Roman-like test images with known truth (OpenUniverse2024 layout), and the "
                   "analytic Roman PSF.",
        .description =
            "  scene (default)  templates and science epochs of one static sky with a\n"
            "                   transient on a host galaxy: images/, truth/, psf/,\n"
            "                   templates.csv, science.csv under the directory -o\n"
            "  psf              the oversampled PSF model file (ph-psf file: mode)\n"
            "  stamp            the exact native stamp ph-sim draws at --phase\n"
            "Deterministic: the same options and --seed give the same files.",
        .example = "ph-sim -b Y106 --size 512 --templates 2 --science 5 --seed 7 -o sim",
        .opts = sim_options,
        .handle = sim_ui_handle,
        .ctx = &c,
    };
    int st = ph_cli_parse(&cli, argc, argv);
    int cmd = 0;
    if (!st && cli.npos > 1)
        st = ph_error(PH_EUSAGE, NULL, "expected at most one command (scene, psf or stamp)");
    if (!st && cli.npos == 1) {
        const char *w = cli.pos[0];
        cmd = !strcmp(w, "scene") ? 0 : !strcmp(w, "psf") ? 1 : !strcmp(w, "stamp") ? 2 : -1;
        if (cmd < 0)
            st = ph_error(PH_EUSAGE, NULL, "unknown command '%s' (scene, psf or stamp)", w);
    }
    if (!st && !c.out)
        st = ph_error(PH_EUSAGE, NULL, "no output: give -o %s", cmd ? "FILE" : "DIR");
    if (!st && cmd == 0 && !strcmp(c.out, "-"))
        st = ph_error(PH_EUSAGE, NULL, "-o -: a scene is a directory of files and cannot go to "
                                       "standard output; give a directory (psf and stamp can)");
    if (!st)
        st = sim_opts_finish(&c);
    if (!st)
        st = cmd == 0 ? sim_run_scene(&c) : sim_run_psf(&c, cmd == 2);
    return ph_cli_exit(&cli, st);
}
