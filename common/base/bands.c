/* bands.c -- see bands.h. */
#include "base/bands.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>

static const ph_band bands[] = {
    {"R062", 0.620, 0.48, 0.76, 0.058, 15.2968, 161.025},
    {"Z087", 0.869, 0.76, 0.977, 0.073, 14.9644, 101.7},
    {"Y106", 1.060, 0.927, 1.192, 0.087, 15.0236, 302.275},
    {"J129", 1.293, 1.131, 1.454, 0.106, 15.0396, 302.275},
    {"H158", 1.577, 1.380, 1.774, 0.128, 15.0741, 302.275},
    {"F184", 1.842, 1.683, 2.000, 0.146, 14.6220, 901.175},
    {"K213", 2.125, 1.95, 2.30, 0.169, 14.5793, 901.175},
    {"W146", 1.464, 0.927, 2.000, 0.105, 16.2701, 0.0},
};

const ph_band *ph_band_find(const char *name)
{
    if (!name)
        return NULL;
    char s[16];
    size_t n = 0;
    for (; *name && n < sizeof s - 1; name++)
        if (!isspace((unsigned char)*name))
            s[n++] = (char)toupper((unsigned char)*name);
    s[n] = '\0';
    for (size_t i = 0; i < sizeof bands / sizeof *bands; i++) {
        if (!strcmp(s, bands[i].name))
            return &bands[i];
        /* Filter names: F + the three digits (F062 ... F213). */
        if (n == 4 && s[0] == 'F' && !strcmp(s + 1, bands[i].name + 1))
            return &bands[i];
    }
    return NULL;
}

const ph_band *ph_band_at(int i)
{
    return i >= 0 && i < (int)(sizeof bands / sizeof *bands) ? &bands[i] : NULL;
}

static char names[sizeof bands / sizeof *bands * 5];
static pthread_once_t names_once = PTHREAD_ONCE_INIT;

static void make_names(void)
{
    for (size_t i = 0; i < sizeof bands / sizeof *bands; i++) {
        if (i)
            strcat(names, " ");
        strcat(names, bands[i].name);
    }
}

const char *ph_band_names(void)
{
    pthread_once(&names_once, make_names);
    return names;
}

double ph_band_zeropoint(const ph_band *band, double exptime_s)
{
    return band->zp_ab + 2.5 * log10(exptime_s * PH_ROMAN_AREA_CM2);
}
