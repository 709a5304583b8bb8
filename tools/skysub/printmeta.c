/* printmeta.c -- see printmeta.h. Kept out of main.c: it is a second
 * command of the tool, which reads only the header and writes no image. */
#include "printmeta.h"

#include "io/fitsscan.h"
#include "base/log.h"
#include "io/header.h"
#include "base/util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* --print-meta: what the tools take from the image's header (and, for
 * OpenUniverse2024, its name), one line of KEY=VALUE, for ph-pipeline's
 * check of the image lists. Only the header is read. */
int skysub_print_meta(const char *input, const char *name)
{
    char three[1100];
    const char *path = input;
    snprintf(three, sizeof three, "%s_image.fits", input);
    if (strcmp(input, "-") && !ph_path_exists(input) && ph_path_exists(three))
        path = three; /* phrosty's threefile PATH */
    long nx, ny;
    ph_header *h = NULL;
    if (ph_fitsscan_read(path, "SCI", &nx, &ny, &h))
        return PH_EFAIL;
    ph_meta m;
    ph_header_meta_from(h, name ? name : input, &m);
    ph_header_free(h);
    printf("band=%s observation_id=%s sca=", m.band, m.obsid);
    if (m.sca >= 0)
        printf("%ld", m.sca);
    printf(" mjd=");
    if (isfinite(m.mjd))
        printf("%.17g", m.mjd);
    printf(" name=%s\n", m.name);
    return fflush(stdout) || ferror(stdout)
               ? ph_error(PH_EFAIL, "-", "cannot write to standard output")
               : PH_OK;
}
