/* args.c -- ph-sim's compound option arguments (options.h): lists of
 * rolls, A,B pairs, NXxNY sizes, odd sizes, phases. Kept out of ui.c's
 * handler so that it reads one line per option. */
#include "options.h"

#include "base/log.h"
#include "base/util.h"

#include <math.h>
#include <string.h>

int sim_arg_rolls(ph_cli *cli, const char *arg, sim_opts *c)
{
    char buf[1024];
    ph_strlcpy(buf, arg, sizeof buf);
    c->nrolls = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        double v;
        if (c->nrolls == SIM_MAX_ROLLS)
            return ph_cli_bad(cli, "more than %d rolls", SIM_MAX_ROLLS);
        if (ph_parse_double(t, &v) || !isfinite(v) || fabs(v) > 360)
            return ph_cli_bad(cli, "'%s' is not a roll in degrees (-360 ... 360)", t);
        c->rolls[c->nrolls++] = v;
    }
    return c->nrolls ? PH_OK : ph_cli_bad(cli, "expected DEG,DEG,..., got '%s'", arg);
}

int sim_arg_size(ph_cli *cli, const char *arg, long *nx, long *ny)
{
    char a[64], *x;
    ph_strlcpy(a, arg, sizeof a);
    if ((x = strchr(a, 'x')))
        *x = '\0';
    if (ph_parse_long(a, nx) || (x && ph_parse_long(x + 1, ny)))
        return ph_cli_bad(cli, "expected NX or NXxNY, got '%s'", arg);
    if (!x)
        *ny = *nx;
    if (*nx < 16 || *ny < 16 || *nx > PH_ROMAN_NPIX || *ny > PH_ROMAN_NPIX)
        return ph_cli_bad(cli, "image size %ldx%ld is outside 16 ... %d", *nx, *ny, PH_ROMAN_NPIX);
    return 0;
}

int sim_arg_phase(ph_cli *cli, const char *arg, double phase[2])
{
    if (ph_cli_pair(cli, arg, "DX,DY", phase))
        return PH_EUSAGE;
    if (fabs(phase[0]) > 0.5 || fabs(phase[1]) > 0.5)
        return ph_cli_bad(cli, "phase %s: each component must be within -0.5 ... 0.5", arg);
    return 0;
}
