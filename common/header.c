/* header.c -- see header.h. Card formatting and value parsing are
 * cfitsio's (ffmkky, ffpsvc, ffc2*) so quoting and number formats follow
 * the FITS standard exactly. */
#include "header.h"
#include "log.h"
#include "util.h"

#include <fitsio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

ph_header *ph_header_new(void) { return ph_calloc(1, sizeof(ph_header), "FITS header"); }

ph_header *ph_header_copy(const ph_header *h)
{
    ph_header *c = ph_header_new();
    if (!c || !h)
        return c;
    if (h->ncards) {
        c->cards = ph_malloc((size_t)h->ncards * sizeof *c->cards, "FITS header");
        if (!c->cards) {
            free(c);
            return NULL;
        }
        memcpy(c->cards, h->cards, (size_t)h->ncards * sizeof *c->cards);
    }
    c->ncards = c->cap = h->ncards;
    return c;
}

void ph_header_free(ph_header *h)
{
    if (h) {
        free(h->cards);
        free(h);
    }
}

/* The keyword of a card, blank-trimmed, into key[9]. */
static void card_key(const char *card, char key[9])
{
    int n = 0;
    while (n < 8 && card[n] && card[n] != ' ' && card[n] != '=')
        n++;
    memcpy(key, card, n);
    key[n] = '\0';
}

int ph_header_is_structural(const char *key)
{
    static const char *s[] = {"SIMPLE", "XTENSION", "BITPIX", "EXTEND", "PCOUNT", "GCOUNT",
                              "EXTNAME", "BSCALE",  "BZERO",  "CHECKSUM", "DATASUM", "END",
                              "BLANK", "ZIMAGE", "ZBITPIX", "ZCMPTYPE", "TFIELDS", "THEAP"};
    for (size_t i = 0; i < sizeof s / sizeof *s; i++)
        if (!strcmp(key, s[i]))
            return 1;
    return !strncmp(key, "NAXIS", 5) || !strncmp(key, "ZNAXIS", 6) || !strncmp(key, "ZTILE", 5) ||
           !strncmp(key, "TTYPE", 5) || !strncmp(key, "TFORM", 5) || !strncmp(key, "TUNIT", 5);
}

static int push(ph_header *h, const char *card)
{
    if (h->ncards == h->cap) {
        int cap = h->cap ? 2 * h->cap : 64;
        char(*c)[81] = realloc(h->cards, (size_t)cap * sizeof *c);
        if (!c)
            return ph_error(PH_EFAIL, NULL, "out of memory in a FITS header");
        h->cards = c;
        h->cap = cap;
    }
    snprintf(h->cards[h->ncards], 81, "%-80.80s", card);
    h->ncards++;
    return PH_OK;
}

int ph_header_add_card(ph_header *h, const char *card)
{
    char key[9];
    card_key(card, key);
    if (ph_header_is_structural(key))
        return PH_OK;
    return push(h, card);
}

static int find(const ph_header *h, const char *key)
{
    for (int i = 0; i < h->ncards; i++) {
        char k[9];
        card_key(h->cards[i], k);
        if (!strcasecmp(k, key))
            return i;
    }
    return -1;
}

static int set_card(ph_header *h, const char *key, const char *valstr, const char *comment)
{
    char card[FLEN_CARD];
    int status = 0;
    ffmkky(key, (char *)valstr, comment ? comment : "", card, &status);
    if (status)
        return ph_error(PH_EFAIL, NULL, "cannot format FITS keyword %s", key);
    int i = find(h, key);
    if (i >= 0) {
        snprintf(h->cards[i], 81, "%-80.80s", card);
        return PH_OK;
    }
    return push(h, card);
}

/* A FITS string value: quoted, ' doubled, padded to 8 characters, at most
 * 68 characters in all (longer text is truncated). */
static void quote_fits(const char *s, char *out)
{
    size_t n = 0;
    out[n++] = '\'';
    for (; *s && n < 66; s++) {
        if (*s == '\'') {
            if (n > 64)
                break;
            out[n++] = '\'';
        }
        out[n++] = *s;
    }
    while (n < 9)
        out[n++] = ' ';
    out[n++] = '\'';
    out[n] = '\0';
}

int ph_header_set_str(ph_header *h, const char *key, const char *value, const char *comment)
{
    char v[FLEN_VALUE];
    quote_fits(value ? value : "", v);
    return set_card(h, key, v, comment);
}

int ph_header_set_double(ph_header *h, const char *key, double value, const char *comment)
{
    char v[FLEN_VALUE];
    if (value != value)
        return ph_header_set_str(h, key, "NaN", comment); /* FITS has no NaN number */
    /* 17 significant digits round-trip a double; FITS wants an E exponent
     * or a decimal point so that readers take it as real. */
    snprintf(v, sizeof v, "%.17G", value);
    if (!strpbrk(v, ".E"))
        strcat(v, ".");
    else if (strchr(v, 'E') && !strchr(v, '.')) {
        char m[FLEN_VALUE];
        char *e = strchr(v, 'E');
        snprintf(m, sizeof m, "%.*s.%s", (int)(e - v), v, e);
        strcpy(v, m);
    }
    return set_card(h, key, v, comment);
}

int ph_header_set_long(ph_header *h, const char *key, long value, const char *comment)
{
    char v[32];
    snprintf(v, sizeof v, "%ld", value);
    return set_card(h, key, v, comment);
}

int ph_header_set_bool(ph_header *h, const char *key, int value, const char *comment)
{
    return set_card(h, key, value ? "T" : "F", comment);
}

int ph_header_add_text(ph_header *h, const char *key, const char *text)
{
    /* Long text is split over several cards of 72 characters. */
    size_t n = strlen(text);
    for (size_t i = 0; i < n || i == 0; i += 72) {
        char card[81];
        snprintf(card, sizeof card, "%-8.8s%.72s", key, text + i);
        if (push(h, card))
            return PH_EFAIL;
        if (!n)
            break;
    }
    return PH_OK;
}

/* Value text and comment of `key`; 0 found, 1 absent. */
static int value_of(const ph_header *h, const char *key, char *val)
{
    int i = find(h, key);
    if (i < 0)
        return 1;
    char comm[FLEN_COMMENT];
    int status = 0;
    ffpsvc(h->cards[i], val, comm, &status);
    return status ? -1 : 0;
}

int ph_header_get_str(const ph_header *h, const char *key, char *out, size_t size)
{
    char val[FLEN_VALUE], s[FLEN_VALUE];
    int r = value_of(h, key, val);
    if (r)
        return r;
    if (val[0] == '\'') {
        /* Unquote: '' stands for one quote. */
        size_t k = 0;
        const char *p = val + 1;
        for (; *p; p++) {
            if (*p == '\'') {
                if (p[1] != '\'')
                    break;
                p++;
            }
            s[k++] = *p;
        }
        if (*p != '\'')
            return -1;
        s[k] = '\0';
        /* FITS pads strings with blanks; they are not part of the value. */
        size_t n = strlen(s);
        while (n && s[n - 1] == ' ')
            s[--n] = '\0';
        ph_strlcpy(out, s, size);
    } else {
        ph_strlcpy(out, val, size);
    }
    return 0;
}

int ph_header_get_double(const ph_header *h, const char *key, double *out)
{
    char val[FLEN_VALUE];
    int r = value_of(h, key, val);
    if (r)
        return r;
    if (val[0] == '\'') { /* a number written as a string ('NaN', '1.5') */
        char s[FLEN_VALUE];
        if (ph_header_get_str(h, key, s, sizeof s) || ph_parse_double(s, out))
            return -1;
        return 0;
    }
    /* FITS also allows a D exponent (Fortran double). */
    for (char *p = val; *p; p++)
        if (*p == 'D' || *p == 'd')
            *p = 'E';
    if (val[0] == 'T' || val[0] == 'F') { /* logical */
        *out = val[0] == 'T';
        return val[1] ? -1 : 0;
    }
    return ph_parse_double(val, out) ? -1 : 0;
}

int ph_header_get_long(const ph_header *h, const char *key, long *out)
{
    double d;
    int r = ph_header_get_double(h, key, &d);
    if (r)
        return r;
    if (d != (long)d)
        return -1;
    *out = (long)d;
    return 0;
}

int ph_header_has(const ph_header *h, const char *key) { return find(h, key) >= 0; }

void ph_header_del(ph_header *h, const char *key)
{
    int i;
    while ((i = find(h, key)) >= 0) {
        memmove(h->cards[i], h->cards[i + 1], (size_t)(h->ncards - i - 1) * sizeof *h->cards);
        h->ncards--;
    }
}

char *ph_header_string(const ph_header *h, int *ncards)
{
    char *s = ph_malloc((size_t)h->ncards * 80 + 1, "FITS header text");
    if (!s)
        return NULL;
    for (int i = 0; i < h->ncards; i++)
        memcpy(s + 80 * i, h->cards[i], 80);
    s[80 * h->ncards] = '\0';
    if (ncards)
        *ncards = h->ncards;
    return s;
}
