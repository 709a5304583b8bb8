/* header.c -- see header.h. Card formatting and value parsing are
 * cfitsio's (ffmkky, ffpsvc, ffc2*) so quoting and number formats follow
 * the FITS standard exactly. WCS keyword families from the FITS WCS papers
 * I-III, the SIP convention (Shupe et al. 2005) and TPV (PVi_m). */
#include "io/header.h"
#include "base/bands.h"
#include "base/log.h"
#include "base/util.h"

#include <ctype.h>
#include <fitsio.h>
#include <math.h>
#include <stddef.h>
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

/* ---- WCS cards ---- */

/* `s` is digits only (at least one)? */
static int digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

/* `s` is <digits>_<digits>? */
static int pair(const char *s)
{
    const char *u = strchr(s, '_');
    if (!u || u == s)
        return 0;
    char a[16];
    size_t n = (size_t)(u - s);
    if (n >= sizeof a)
        return 0;
    memcpy(a, s, n);
    a[n] = '\0';
    return digits(a) && digits(u + 1);
}

static int wcs_key_noalt(const char *k)
{
    static const char *exact[] = {"WCSAXES", "WCSNAME", "LONPOLE", "LATPOLE", "RADESYS",
                                  "RADECSYS", "EQUINOX", "EPOCH", "MJDREF", "A_ORDER",
                                  "B_ORDER", "AP_ORDER", "BP_ORDER", "A_DMAX", "B_DMAX"};
    for (size_t i = 0; i < sizeof exact / sizeof *exact; i++)
        if (!strcmp(k, exact[i]))
            return 1;
    /* Indexed families: PREFIX + digits. */
    static const char *idx[] = {"CTYPE", "CUNIT", "CRPIX", "CRVAL", "CDELT", "CROTA", "CNAME",
                                "CRDER", "CSYER", "CPDIS", "CQDIS", "CPERR", "CQERR", "DP", "DQ",
                                "LTV"};
    for (size_t i = 0; i < sizeof idx / sizeof *idx; i++) {
        size_t n = strlen(idx[i]);
        if (!strncmp(k, idx[i], n) && digits(k + n))
            return 1;
    }
    /* Pairs: CDi_j, PCi_j, PVi_m, PSi_m, A_p_q, B_p_q, AP_p_q, BP_p_q. */
    static const char *pairs[] = {"CD", "PC", "PV", "PS", "A_", "B_", "AP_", "BP_", "LTM"};
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
        size_t n = strlen(pairs[i]);
        if (!strncmp(k, pairs[i], n) && pair(k + n))
            return 1;
    }
    return 0;
}

int ph_header_is_wcs_key(const char *key)
{
    if (wcs_key_noalt(key))
        return 1;
    /* An alternate description: the same key with a trailing letter A-Z. */
    size_t n = strlen(key);
    if (n < 2 || n > 8 || key[n - 1] < 'A' || key[n - 1] > 'Z')
        return 0;
    char k[9];
    memcpy(k, key, n - 1);
    k[n - 1] = '\0';
    return wcs_key_noalt(k);
}

int ph_header_take_wcs(ph_header *dst, const ph_header *src)
{
    int w = 0;
    for (int i = 0; i < dst->ncards; i++) {
        char k[9];
        card_key(dst->cards[i], k);
        if (ph_header_is_wcs_key(k))
            continue;
        if (w != i)
            memcpy(dst->cards[w], dst->cards[i], sizeof *dst->cards);
        w++;
    }
    dst->ncards = w;
    for (int i = 0; i < src->ncards; i++) {
        char k[9];
        card_key(src->cards[i], k);
        if (ph_header_is_wcs_key(k) && ph_header_add_card(dst, src->cards[i]))
            return PH_EFAIL;
    }
    return PH_OK;
}

/* ---- the pipeline's metadata keys ---- */

void ph_header_meta_init(ph_meta *m)
{
    memset(m, 0, sizeof *m);
    m->sca = -1;
    m->mjd = m->exptime = m->gain = m->rdnoise = m->saturate = m->zpt = NAN;
    m->skyrms = m->skylevel = NAN;
}

static void get_d(const ph_header *h, const char *key, double *out)
{
    double v;
    if (ph_header_get_double(h, key, &v) == 0 && isfinite(v))
        *out = v;
}

static void get_s(const ph_header *h, const char *key, char *out, size_t size)
{
    char v[256];
    if (ph_header_get_str(h, key, v, sizeof v) == 0 && v[0])
        ph_strlcpy(out, v, size);
}

/* OpenUniverse2024 file names: Roman_TDS_simple_model_<band>_<pointing>_<sca>.fits[.gz] */
static void obsid_from_name(const char *name, char *obsid, size_t size, long *sca)
{
    static const char prefix[] = "Roman_TDS_simple_model_";
    if (strncmp(name, prefix, sizeof prefix - 1))
        return;
    char band[16];
    long pointing, s;
    if (sscanf(name + sizeof prefix - 1, "%15[^_]_%ld_%ld", band, &pointing, &s) == 3) {
        snprintf(obsid, size, "%ld", pointing);
        if (*sca < 0)
            *sca = s;
    }
}

void ph_header_meta_from(const ph_header *h, const char *path, ph_meta *m)
{
    ph_header_meta_init(m);
    get_s(h, "FILTER", m->band, sizeof m->band);
    if (!m->band[0])
        get_s(h, "BAND", m->band, sizeof m->band);
    const ph_band *b = ph_band_find(m->band);
    if (b) /* "F106" and " Y106 " become "Y106" */
        ph_strlcpy(m->band, b->name, sizeof m->band);

    get_d(h, "MJD-OBS", &m->mjd);
    if (isnan(m->mjd))
        get_d(h, "MJD", &m->mjd);
    get_d(h, "EXPTIME", &m->exptime);
    get_d(h, "GAIN", &m->gain);
    get_d(h, "RDNOISE", &m->rdnoise);
    get_d(h, "SATURATE", &m->saturate);
    get_d(h, "SKYRMS", &m->skyrms);
    get_d(h, "SKYLEVEL", &m->skylevel);
    long v;
    if (ph_header_get_long(h, "SCA_NUM", &v) == 0 || ph_header_get_long(h, "SCA", &v) == 0)
        m->sca = v;
    get_s(h, "OBSID", m->obsid, sizeof m->obsid);
    if (!m->obsid[0]) {
        if (ph_header_get_long(h, "POINTING", &v) == 0)
            snprintf(m->obsid, sizeof m->obsid, "%ld", v);
        else
            get_s(h, "POINTING", m->obsid, sizeof m->obsid);
    }
    get_s(h, "PH_NAME", m->name, sizeof m->name);
    get_s(h, "PH_ID", m->id, sizeof m->id);
    if (path) {
        if (!m->name[0])
            ph_strlcpy(m->name, ph_path_basename(path), sizeof m->name);
        if (!m->id[0])
            ph_path_stem(m->name, m->id, sizeof m->id);
    }
    if (!m->obsid[0])
        obsid_from_name(m->name, m->obsid, sizeof m->obsid, &m->sca);

    if (isnan(m->exptime) && b && b->exptime_s > 0)
        m->exptime = b->exptime_s;
    if (isnan(m->gain))
        m->gain = PH_ROMAN_GAIN;
    get_d(h, "ZPT", &m->zpt);
    if (isnan(m->zpt) && b) {
        double zptmag = NAN;
        get_d(h, "ZPTMAG", &zptmag);
        if (isfinite(zptmag))
            m->zpt = b->zp_ab + zptmag;
        else if (m->exptime > 0)
            m->zpt = ph_band_zeropoint(b, m->exptime);
    }
}

static int put_d(ph_header *h, const char *key, double v, const char *comment)
{
    return isnan(v) ? 0 : ph_header_set_double(h, key, v, comment);
}

static int put_s(ph_header *h, const char *key, const char *v, const char *comment)
{
    return v[0] ? ph_header_set_str(h, key, v, comment) : 0;
}

/* A header key of a ph_meta field: a string, the detector (long, -1
 * unknown) or a double (NaN unknown); unknown fields are not written. */
typedef struct meta_key {
    const char *key;
    enum { MK_STR, MK_LONG, MK_DBL } kind;
    size_t off, size;
    const char *comment;
} meta_key;

#define MK(key, kind, field, comment)                                                       \
    {key, kind, offsetof(ph_meta, field), sizeof(((ph_meta *)0)->field), comment}

/* The image's own keys, in the order they are written. */
static const meta_key image_keys[] = {
    MK("FILTER", MK_STR, band, "band"),
    MK("MJD-OBS", MK_DBL, mjd, "MJD of the exposure"),
    MK("EXPTIME", MK_DBL, exptime, "[s] exposure time"),
    MK("SCA_NUM", MK_LONG, sca, "detector"),
    MK("OBSID", MK_STR, obsid, "observation id (pointing)"),
    MK("GAIN", MK_DBL, gain, "[e-/ADU]"),
    MK("RDNOISE", MK_DBL, rdnoise, "[e-] read noise"),
    MK("SATURATE", MK_DBL, saturate, "[ADU] saturation level"),
    MK("ZPT", MK_DBL, zpt, "AB zero point, m = -2.5 log10(counts) + ZPT"),
    MK("PH_NAME", MK_STR, name, "original image file name"),
    MK("PH_ID", MK_STR, id, "image id"),
    MK("SKYRMS", MK_DBL, skyrms, "median sky rms (phrosty sky_rms)"),
    MK("SKYLEVEL", MK_DBL, skylevel, "median subtracted background"),
};

/* The template's keys on a product of both images, written and read. */
static const meta_key template_keys[] = {
    MK("TPLNAME", MK_STR, name, "template file name"),
    MK("TPLID", MK_STR, id, "template image id"),
    MK("TPLOBSID", MK_STR, obsid, "template observation id"),
    MK("TPLSCA", MK_LONG, sca, "template detector"),
    MK("TPLMJD", MK_DBL, mjd, "template MJD"),
    MK("TPLRMS", MK_DBL, skyrms, "template median sky rms"),
    MK("TPLZPT", MK_DBL, zpt, "template AB zero point"),
    MK("TPLBAND", MK_STR, band, "template band"),
};

#define NKEYS(t) (sizeof(t) / sizeof(t)[0])

static int put_keys(const meta_key *k, size_t n, const ph_meta *m, ph_header *h)
{
    int st = 0;
    for (size_t i = 0; i < n; i++) {
        const char *p = (const char *)m + k[i].off;
        if (k[i].kind == MK_STR)
            st |= put_s(h, k[i].key, p, k[i].comment);
        else if (k[i].kind == MK_LONG) {
            if (*(const long *)p >= 0)
                st |= ph_header_set_long(h, k[i].key, *(const long *)p, k[i].comment);
        } else
            st |= put_d(h, k[i].key, *(const double *)p, k[i].comment);
    }
    return st ? 1 : 0;
}

static void get_keys(const meta_key *k, size_t n, const ph_header *h, ph_meta *m)
{
    for (size_t i = 0; i < n; i++) {
        char *p = (char *)m + k[i].off;
        long v;
        if (k[i].kind == MK_STR)
            get_s(h, k[i].key, p, k[i].size);
        else if (k[i].kind == MK_LONG) {
            if (ph_header_get_long(h, k[i].key, &v) == 0)
                *(long *)p = v;
        } else
            get_d(h, k[i].key, (double *)p);
    }
}

int ph_header_meta_to(const ph_meta *m, ph_header *h)
{
    return put_keys(image_keys, NKEYS(image_keys), m, h);
}

int ph_header_meta_to_template(const ph_meta *t, ph_header *h)
{
    return put_keys(template_keys, NKEYS(template_keys), t, h);
}

void ph_header_meta_from_template(const ph_header *h, ph_meta *t)
{
    ph_header_meta_init(t);
    get_keys(template_keys, NKEYS(template_keys), h, t);
}
