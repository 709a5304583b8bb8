/* wcscards.c -- see wcscards.h. Keyword families from the FITS WCS papers
 * I-III, the SIP convention (Shupe et al. 2005) and TPV (PVi_m). */
#include "wcscards.h"
#include "log.h"

#include <ctype.h>
#include <string.h>

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

int ph_wcscards_is_wcs_key(const char *key)
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

static void key_of(const char *card, char key[9])
{
    int n = 0;
    while (n < 8 && card[n] && card[n] != ' ' && card[n] != '=')
        n++;
    memcpy(key, card, n);
    key[n] = '\0';
}

int ph_wcscards_take_wcs(ph_header *dst, const ph_header *src)
{
    int w = 0;
    for (int i = 0; i < dst->ncards; i++) {
        char k[9];
        key_of(dst->cards[i], k);
        if (ph_wcscards_is_wcs_key(k))
            continue;
        if (w != i)
            memcpy(dst->cards[w], dst->cards[i], sizeof *dst->cards);
        w++;
    }
    dst->ncards = w;
    for (int i = 0; i < src->ncards; i++) {
        char k[9];
        key_of(src->cards[i], k);
        if (ph_wcscards_is_wcs_key(k) && ph_header_add_card(dst, src->cards[i]))
            return PH_EFAIL;
    }
    return PH_OK;
}
