/* csv.c -- see csv.h. The whole file is read into memory (lists and light
 * curves are small) and cut into records by one tokenizer that both the
 * image-list and the table readers use. */
#include "io/csv.h"
#include "base/bands.h"
#include "base/sameinput.h"
#include "base/log.h"
#include "base/util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- tokenizer ---------------------------------------------------------- */

typedef struct record {
    int nf, cap;
    char **f;
    int line;
} record;

typedef struct records {
    int n, cap;
    record *r;
    char **comments;
    int ncomments;
} records;

static void records_free(records *rs)
{
    for (int i = 0; i < rs->n; i++) {
        for (int j = 0; j < rs->r[i].nf; j++)
            free(rs->r[i].f[j]);
        free(rs->r[i].f);
    }
    for (int i = 0; i < rs->ncomments; i++)
        free(rs->comments[i]);
    free(rs->comments);
    free(rs->r);
    memset(rs, 0, sizeof *rs);
}

static int grow(void **p, int *cap, int need, size_t el)
{
    if (need <= *cap)
        return 0;
    int c = *cap ? *cap * 2 : 16;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, (size_t)c * el);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) {
        ph_error(PH_EFAIL, path, "cannot open: %s", strerror(errno));
        return NULL;
    }
    ph_sameinput_note(path);
    size_t cap = 1 << 14, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *b = realloc(buf, 2 * cap + 1);
        if (!b)
            free(buf);
        buf = b;
        cap *= 2;
    }
    int bad = ferror(f);
    if (f != stdin)
        fclose(f);
    if (!buf || bad) {
        free(buf);
        ph_error(PH_EFAIL, path, "cannot read");
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Split `text` into records. sep: ',' or ' ' (runs of blanks). Lines
 * starting with '#' (after blanks) before the first record are kept as
 * comments; later ones are skipped. Blank lines are skipped. */
static int tokenize(const char *text, const char *path, char sep, records *rs)
{
    const char *p = text;
    int line = 1;
    memset(rs, 0, sizeof *rs);
    size_t fcap = 256;
    char *field = malloc(fcap);
    if (!field)
        return ph_error(PH_EFAIL, path, "out of memory");
    while (*p) {
        const char *q = p;
        while (*q == ' ' || *q == '\t' || *q == '\r')
            q++;
        if (*q == '\n' || *q == '\0' || *q == '#') {
            const char *eol = strchr(q, '\n');
            if (*q == '#' && rs->n == 0) {
                size_t m = eol ? (size_t)(eol - q - 1) : strlen(q + 1);
                while (m && (q[m] == '\r'))
                    m--;
                char **c = realloc(rs->comments, (size_t)(rs->ncomments + 1) * sizeof *c);
                if (!c || !(c[rs->ncomments] = strndup(q + 1, m))) {
                    if (c)
                        rs->comments = c;
                    goto oom;
                }
                rs->comments = c;
                rs->ncomments++;
            }
            p = eol ? eol + 1 : q + strlen(q);
            line++;
            continue;
        }
        if (grow((void **)&rs->r, &rs->cap, rs->n + 1, sizeof(record)))
            goto oom;
        record *r = &rs->r[rs->n++];
        memset(r, 0, sizeof *r);
        r->line = line;
        p = q;
        for (;;) { /* one field per iteration */
            size_t n = 0;
            int quoted = 0;
            if (sep == ' ')
                while (*p == ' ' || *p == '\t')
                    p++;
            if (*p == '"') {
                quoted = 1;
                p++;
                for (;;) {
                    if (*p == '\0') {
                        free(field);
                        return ph_error(PH_EFAIL, path, "line %d: unterminated quoted field",
                                        r->line);
                    }
                    if (*p == '"' && p[1] == '"') {
                        p++;
                    } else if (*p == '"') {
                        p++;
                        break;
                    }
                    if (*p == '\n')
                        line++;
                    if (n + 2 > fcap && !(field = realloc(field, fcap *= 2)))
                        goto oom;
                    field[n++] = *p++;
                }
            }
            while (*p && *p != '\n' && *p != sep && !(sep == ' ' && *p == '\t')) {
                if (n + 2 > fcap && !(field = realloc(field, fcap *= 2)))
                    goto oom;
                field[n++] = *p++;
            }
            while (n && !quoted && (field[n - 1] == '\r' || field[n - 1] == ' ' ||
                                    field[n - 1] == '\t'))
                n--;
            size_t lead = 0;
            while (!quoted && lead < n && (field[lead] == ' ' || field[lead] == '\t'))
                lead++;
            field[n] = '\0';
            if (grow((void **)&r->f, &r->cap, r->nf + 1, sizeof(char *)))
                goto oom;
            if (!(r->f[r->nf++] = strdup(field + lead)))
                goto oom;
            if (sep == ' ')
                while (*p == ' ' || *p == '\t' || *p == '\r')
                    p++;
            if (*p == sep && sep == ',') {
                p++;
                continue;
            }
            if (*p == '\n' || *p == '\0') {
                if (*p)
                    p++;
                line++;
                break;
            }
            if (sep == ' ')
                continue;
            /* a quote followed by junk before the separator */
            free(field);
            return ph_error(PH_EFAIL, path, "line %d: malformed field", r->line);
        }
    }
    free(field);
    return PH_OK;
oom:
    free(field);
    return ph_error(PH_EFAIL, path, "out of memory reading");
}

/* Comma if the first non-comment line has a comma outside quotes. */
static char detect_sep(const char *text)
{
    const char *p = text;
    while (*p) {
        const char *q = p;
        while (*q == ' ' || *q == '\t' || *q == '\r')
            q++;
        const char *eol = strchr(q, '\n');
        size_t m = eol ? (size_t)(eol - q) : strlen(q);
        if (m && *q != '#') {
            int inq = 0;
            for (size_t i = 0; i < m; i++) {
                if (q[i] == '"')
                    inq = !inq;
                else if (q[i] == ',' && !inq)
                    return ',';
            }
            return ' ';
        }
        p = eol ? eol + 1 : q + m;
    }
    return ',';
}

static int load_records(const char *path, records *rs)
{
    size_t len;
    char *text = read_all(path, &len);
    if (!text)
        return PH_EFAIL;
    if (memchr(text, '\0', len)) {
        free(text);
        return ph_error(PH_EFAIL, path, "binary data where text was expected");
    }
    int st = tokenize(text, path, detect_sep(text), rs);
    free(text);
    if (st)
        records_free(rs);
    return st;
}

/* ---- image lists -------------------------------------------------------- */

int ph_csv_imlist_read(const char *path, ph_imlist *list)
{
    static const char *hdr[5] = {"path", "observation_id", "sca", "mjd", "band"};
    memset(list, 0, sizeof *list);
    records rs;
    if (load_records(path, &rs))
        return PH_EFAIL;
    int st = PH_OK;
    if (rs.n == 0) {
        st = ph_error(PH_EFAIL, path, "empty image list (expected a header line "
                                      "'path observation_id sca mjd band' and images)");
        goto out;
    }
    int okhdr = rs.r[0].nf == 5;
    for (int i = 0; okhdr && i < 5; i++)
        okhdr = !strcmp(rs.r[0].f[i], hdr[i]);
    if (!okhdr) {
        st = ph_error(PH_EFAIL, path,
                      "line %d: expected the header 'path observation_id sca mjd band'",
                      rs.r[0].line);
        goto out;
    }
    if (rs.n == 1) {
        st = ph_error(PH_EFAIL, path, "the image list has a header but no images");
        goto out;
    }
    list->e = ph_calloc((size_t)rs.n - 1, sizeof *list->e, "image list");
    if (!list->e) {
        st = PH_EFAIL;
        goto out;
    }
    for (int i = 1; i < rs.n; i++) {
        record *r = &rs.r[i];
        ph_imlist_entry *e = &list->e[list->n];
        if (r->nf > 5 && ph_band_find(r->f[r->nf - 1])) {
            /* the band is last: the path's own blanks split it */
            st = ph_error(PH_EFAIL, path, "line %d: expected 5 fields, got %d: a path with a "
                          "space? ('%s %s'); paths with spaces are not supported, rename or "
                          "link the file", r->line, r->nf, r->f[0], r->f[1]);
            goto out;
        }
        if (r->nf != 5) {
            st = ph_error(PH_EFAIL, path, "line %d: expected 5 fields (path observation_id sca "
                          "mjd band), got %d", r->line, r->nf);
            goto out;
        }
        e->line = r->line;
        if (!r->f[0][0]) {
            st = ph_error(PH_EFAIL, path, "line %d: empty path", r->line);
            goto out;
        }
        if (ph_strlcpy(e->path, r->f[0], sizeof e->path) >= sizeof e->path) {
            st = ph_error(PH_EFAIL, path, "line %d: path too long", r->line);
            goto out;
        }
        ph_strlcpy(e->obsid, r->f[1], sizeof e->obsid);
        if (ph_parse_long(r->f[2], &e->sca) || e->sca < 0) {
            st = ph_error(PH_EFAIL, path, "line %d: sca '%s' is not a whole number", r->line,
                          r->f[2]);
            goto out;
        }
        if (ph_parse_double(r->f[3], &e->mjd) || !isfinite(e->mjd)) {
            st = ph_error(PH_EFAIL, path, "line %d: mjd '%s' is not a number", r->line, r->f[3]);
            goto out;
        }
        ph_strlcpy(e->band, r->f[4], sizeof e->band);
        list->n++;
    }
out:
    records_free(&rs);
    if (st)
        ph_csv_imlist_free(list);
    return st;
}

void ph_csv_imlist_free(ph_imlist *list)
{
    free(list->e);
    memset(list, 0, sizeof *list);
}

/* ---- tables ------------------------------------------------------------- */

static int table_add_rows(ph_table *t, records *rs, const int *order, const char *path)
{
    int nr = rs->n - 1;
    char **cells = realloc(t->cells, (size_t)(t->nrows + nr) * t->ncols * sizeof *cells + 1);
    int *lines = realloc(t->lines, (size_t)(t->nrows + nr) * sizeof *lines + 1);
    if (cells)
        t->cells = cells;
    if (lines)
        t->lines = lines;
    if (!cells || !lines)
        return ph_error(PH_EFAIL, path, "out of memory");
    for (int i = 1; i < rs->n; i++) {
        record *r = &rs->r[i];
        if (r->nf != t->ncols)
            return ph_error(PH_EFAIL, path, "line %d: %d fields, but the header has %d", r->line,
                            r->nf, t->ncols);
        for (int c = 0; c < t->ncols; c++) {
            int src = order ? order[c] : c;
            t->cells[(size_t)t->nrows * t->ncols + c] = r->f[src];
            r->f[src] = NULL;
        }
        t->lines[t->nrows++] = r->line;
    }
    return PH_OK;
}

int ph_csv_table_read(const char *path, ph_table *t)
{
    memset(t, 0, sizeof *t);
    records rs;
    if (load_records(path, &rs))
        return PH_EFAIL;
    if (rs.n == 0) {
        records_free(&rs);
        return ph_error(PH_EFAIL, path, "empty file: no header line");
    }
    t->ncols = rs.r[0].nf;
    t->names = rs.r[0].f;
    rs.r[0].f = NULL;
    rs.r[0].nf = 0;
    t->comments = rs.comments;
    t->ncomments = rs.ncomments;
    rs.comments = NULL;
    rs.ncomments = 0;
    int st = table_add_rows(t, &rs, NULL, path);
    records_free(&rs);
    if (st)
        ph_csv_table_free(t);
    return st;
}

int ph_csv_table_append(ph_table *t, const char *path)
{
    records rs;
    if (load_records(path, &rs))
        return PH_EFAIL;
    int st = PH_OK;
    int *order = NULL;
    if (rs.n == 0) {
        st = ph_error(PH_EFAIL, path, "empty file: no header line");
        goto out;
    }
    if (rs.r[0].nf != t->ncols) {
        st = ph_error(PH_EFAIL, path, "%d columns, but the first table has %d", rs.r[0].nf,
                      t->ncols);
        goto out;
    }
    order = malloc((size_t)t->ncols * sizeof *order + 1);
    if (!order) {
        st = ph_error(PH_EFAIL, path, "out of memory");
        goto out;
    }
    for (int c = 0; c < t->ncols; c++) {
        order[c] = -1;
        for (int k = 0; k < rs.r[0].nf; k++)
            if (!strcmp(rs.r[0].f[k], t->names[c]))
                order[c] = k;
        if (order[c] < 0) {
            st = ph_error(PH_EFAIL, path, "no column %s", t->names[c]);
            goto out;
        }
    }
    st = table_add_rows(t, &rs, order, path);
out:
    free(order);
    records_free(&rs);
    return st;
}

void ph_csv_table_free(ph_table *t)
{
    for (int c = 0; c < t->ncols; c++)
        free(t->names ? t->names[c] : NULL);
    for (size_t i = 0; t->cells && i < (size_t)t->nrows * t->ncols; i++)
        free(t->cells[i]);
    for (int i = 0; i < t->ncomments; i++)
        free(t->comments[i]);
    free(t->comments);
    free(t->names);
    free(t->cells);
    free(t->lines);
    memset(t, 0, sizeof *t);
}

int ph_csv_table_col(const ph_table *t, const char *name)
{
    for (int c = 0; c < t->ncols; c++)
        if (!strcmp(t->names[c], name))
            return c;
    return -1;
}

const char *ph_csv_table_cell(const ph_table *t, int row, int col)
{
    return t->cells[(size_t)row * t->ncols + col];
}

/* ---- writing ------------------------------------------------------------ */

void ph_csv_begin(ph_csv_out *o, FILE *f)
{
    o->f = f;
    o->col = 0;
}

static void sep(ph_csv_out *o)
{
    if (o->col++)
        fputc(',', o->f);
}

void ph_csv_str(ph_csv_out *o, const char *s)
{
    sep(o);
    if (!s)
        s = "";
    size_t n = strlen(s);
    int quote = strpbrk(s, ",\"\n\r") != NULL || (n && (isspace((unsigned char)s[0]) ||
                                                        isspace((unsigned char)s[n - 1])));
    if (!quote) {
        fputs(s, o->f);
        return;
    }
    fputc('"', o->f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', o->f);
        fputc(*s, o->f);
    }
    fputc('"', o->f);
}

void ph_csv_double(ph_csv_out *o, double v)
{
    char buf[40];
    sep(o);
    ph_format_double(buf, sizeof buf, v);
    fputs(buf, o->f);
}

void ph_csv_long(ph_csv_out *o, long v)
{
    sep(o);
    fprintf(o->f, "%ld", v);
}

void ph_csv_bool(ph_csv_out *o, int v)
{
    sep(o);
    fputs(v ? "True" : "False", o->f);
}

void ph_csv_end_row(ph_csv_out *o)
{
    fputc('\n', o->f);
    o->col = 0;
}
