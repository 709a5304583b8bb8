/* catalog.c -- see catalog.h. */
#include "catalog.h"

#include "base/sameinput.h"
#include "base/log.h"
#include "io/stream.h"
#include "base/util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAXF = 64 };

/* Split `s` in place into fields: by commas when `comma`, else by blanks.
 * Returns the number of fields (at most MAXF; more are an error: -1). */
static int split(char *s, int comma, char **f)
{
    int n = 0;
    char *p = s;
    size_t len = strlen(p);
    while (len && (p[len - 1] == '\n' || p[len - 1] == '\r'))
        p[--len] = 0;
    if (comma) {
        for (;;) {
            if (n == MAXF)
                return -1;
            while (*p == ' ' || *p == '\t')
                p++;
            f[n++] = p;
            char *e = strchr(p, ',');
            char *end = e ? e : p + strlen(p);
            char *t = end;
            while (t > p && (t[-1] == ' ' || t[-1] == '\t'))
                t--;
            *t = 0;
            if (!e)
                break;
            p = e + 1;
        }
        return n;
    }
    for (char *tok = strtok(p, " \t"); tok; tok = strtok(NULL, " \t")) {
        if (n == MAXF)
            return -1;
        f[n++] = tok;
    }
    return n;
}

static int find(char **names, int n, const char *want)
{
    for (int i = 0; i < n; i++)
        if (!strcasecmp(names[i], want))
            return i;
    return -1;
}

static int push(phot_catalog *c, long *cap, double ra, double dec, double mag)
{
    if (c->n == *cap) {
        long nc = *cap ? 2 * *cap : 1024;
        double *a = realloc(c->ra, nc * sizeof *a);
        if (a) c->ra = a;
        double *b = a ? realloc(c->dec, nc * sizeof *b) : NULL;
        if (b) c->dec = b;
        double *m = b ? realloc(c->mag, nc * sizeof *m) : NULL;
        if (m) c->mag = m;
        if (!m)
            return ph_error(PH_EFAIL, NULL, "out of memory reading the catalogue");
        *cap = nc;
    }
    c->ra[c->n] = ra, c->dec[c->n] = dec, c->mag[c->n] = mag;
    c->n++;
    return PH_OK;
}

int phot_catalog_read(const char *path, int format, double zptmag, phot_catalog *c)
{
    memset(c, 0, sizeof *c);
    const char *real = ph_stream_in(path); /* "-": standard input */
    if (!real)
        return PH_EFAIL;
    FILE *f = fopen(real, "r");
    if (!f)
        return ph_error(PH_EFAIL, path, "cannot read the catalogue: %s", strerror(errno));
    ph_sameinput_note(path);
    char line[8192], head[8192];
    char *names[MAXF], *fld[MAXF];
    int nnames = 0, comma = 0, lineno = 0, st = PH_OK;
    long cap = 0;
    int cra = -1, cdec = -1, cmag = -1, ctype = -1;
    /* the header: the first line that names ra and dec (with or without '#') */
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *p = line;
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            continue;
        int hashed = *p == '#';
        if (hashed)
            p++;
        ph_strlcpy(head, p, sizeof head);
        comma = strchr(head, ',') != NULL;
        nnames = split(head, comma, names);
        if (nnames > 0 && find(names, nnames, "ra") >= 0 && find(names, nnames, "dec") >= 0)
            break;
        if (!hashed) {
            nnames = -2;
            break;
        }
        nnames = 0;
    }
    if (nnames <= 0) {
        fclose(f);
        return ph_error(PH_EFAIL, path,
                        "%s: no header line naming the columns ra, dec and mag "
                        "(a plain CSV or an OpenUniverse2024 truth file)",
                        nnames == -2 ? "the first line is data" : "empty");
    }
    cra = find(names, nnames, "ra"), cdec = find(names, nnames, "dec");
    cmag = find(names, nnames, "mag"), ctype = find(names, nnames, "obj_type");
    if (format == PH_CAT_AUTO)
        format = ctype >= 0 || find(names, nnames, "realized_flux") >= 0 ? PH_CAT_TRUTH
                                                                          : PH_CAT_CSV;
    c->format = format;
    if (cmag < 0) {
        fclose(f);
        return ph_error(PH_EFAIL, path, "line %d: no mag column", lineno);
    }
    if (format == PH_CAT_TRUTH && !isfinite(zptmag)) {
        fclose(f);
        return ph_error(PH_EFAIL, path,
                        "truth magnitudes lack ZPTMAG and the image has no EXPTIME to make it");
    }
    while (!st && fgets(line, sizeof line, f)) {
        lineno++;
        char *p = line;
        while (isspace((unsigned char)*p))
            p++;
        if (!*p || *p == '#')
            continue;
        int nf = split(p, comma, fld);
        if (nf != nnames) {
            st = ph_error(PH_EFAIL, path, "line %d: %d fields, the header has %d", lineno, nf,
                          nnames);
            break;
        }
        if (format == PH_CAT_TRUTH && ctype >= 0 && strcasecmp(fld[ctype], "star")) {
            c->skipped++;
            continue;
        }
        double v[3];
        const int col[3] = {cra, cdec, cmag};
        for (int k = 0; k < 3 && !st; k++)
            if (ph_parse_double(fld[col[k]], &v[k]) || !isfinite(v[k]))
                st = ph_error(PH_EFAIL, path, "line %d: column %s: '%s' is not a number", lineno,
                              names[col[k]], fld[col[k]]);
        if (!st)
            st = push(c, &cap, v[0], v[1], format == PH_CAT_TRUTH ? v[2] + zptmag : v[2]);
    }
    if (!st && ferror(f))
        st = ph_error(PH_EFAIL, path, "read error");
    fclose(f);
    if (st)
        phot_catalog_free(c);
    return st;
}

void phot_catalog_free(phot_catalog *c)
{
    free(c->ra);
    free(c->dec);
    free(c->mag);
    memset(c, 0, sizeof *c);
}
