/* imlist.c -- see imlist.h. */
#include "imlist.h"
#include "base/bands.h"
#include "io/csv.h"
#include "base/log.h"
#include "base/util.h"

#include <string.h>

/* A plain word: it names products and make variables. */
static int plain_word(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-", *s))
            return 0;
    return 1;
}

static int has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

int config_imlist(FILE *out, const char *path, const char *band)
{
    ph_imlist l;
    if (ph_csv_imlist_read(path, &l))
        return PH_EFAIL;
    int st = PH_OK;
    for (int i = 0; i < l.n && !st; i++) {
        const ph_imlist_entry *e = &l.e[i];
        if (!plain_word(e->obsid))
            st = ph_error(PH_EFAIL, path, "line %d: observation_id '%s' is not a plain word",
                          e->line, e->obsid);
        else if (has_control(e->path) || has_control(e->band))
            st = ph_error(PH_EFAIL, path, "line %d: a tab or control character in a field",
                          e->line);
    }
    for (int i = 0; i < l.n && !st; i++) {
        const ph_imlist_entry *e = &l.e[i];
        if (band && strcmp(e->band, band))
            continue;
        char mjd[40];
        ph_format_double(mjd, sizeof mjd, e->mjd);
        fprintf(out, "%d\t%s\t%s\t%ld\t%s\t%s\n", e->line, e->path, e->obsid, e->sca, mjd,
                e->band);
    }
    ph_csv_imlist_free(&l);
    return st;
}

void config_bands(FILE *out)
{
    const ph_band *b;
    for (int i = 0; (b = ph_band_at(i)); i++)
        fprintf(out, "%s\n", b->name);
}
