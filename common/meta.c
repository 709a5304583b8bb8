/* meta.c -- see meta.h. */
#include "meta.h"
#include "bands.h"
#include "util.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

void ph_meta_init(ph_meta *m)
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

void ph_meta_from_header(const ph_header *h, const char *path, ph_meta *m)
{
    ph_meta_init(m);
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

int ph_meta_to_header(const ph_meta *m, ph_header *h)
{
    return put_keys(image_keys, NKEYS(image_keys), m, h);
}

int ph_meta_to_header_template(const ph_meta *t, ph_header *h)
{
    return put_keys(template_keys, NKEYS(template_keys), t, h);
}

void ph_meta_from_header_template(const ph_header *h, ph_meta *t)
{
    ph_meta_init(t);
    get_keys(template_keys, NKEYS(template_keys), h, t);
}
