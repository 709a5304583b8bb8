/* meta.c -- see meta.h. */
#include "meta.h"
#include "bands.h"
#include "util.h"

#include <math.h>
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

int ph_meta_to_header(const ph_meta *m, ph_header *h)
{
    int st = put_s(h, "FILTER", m->band, "band");
    st |= put_d(h, "MJD-OBS", m->mjd, "MJD of the exposure");
    st |= put_d(h, "EXPTIME", m->exptime, "[s] exposure time");
    if (m->sca >= 0)
        st |= ph_header_set_long(h, "SCA_NUM", m->sca, "detector");
    st |= put_s(h, "OBSID", m->obsid, "observation id (pointing)");
    st |= put_d(h, "GAIN", m->gain, "[e-/ADU]");
    st |= put_d(h, "RDNOISE", m->rdnoise, "[e-] read noise");
    st |= put_d(h, "SATURATE", m->saturate, "[ADU] saturation level");
    st |= put_d(h, "ZPT", m->zpt, "AB zero point, m = -2.5 log10(counts) + ZPT");
    st |= put_s(h, "PH_NAME", m->name, "original image file name");
    st |= put_s(h, "PH_ID", m->id, "image id");
    st |= put_d(h, "SKYRMS", m->skyrms, "median sky rms (phrosty sky_rms)");
    st |= put_d(h, "SKYLEVEL", m->skylevel, "median subtracted background");
    return st ? 1 : 0;
}

int ph_meta_to_header_template(const ph_meta *t, ph_header *h)
{
    int st = put_s(h, "TPLNAME", t->name, "template file name");
    st |= put_s(h, "TPLID", t->id, "template image id");
    st |= put_s(h, "TPLOBSID", t->obsid, "template observation id");
    if (t->sca >= 0)
        st |= ph_header_set_long(h, "TPLSCA", t->sca, "template detector");
    st |= put_d(h, "TPLMJD", t->mjd, "template MJD");
    st |= put_d(h, "TPLRMS", t->skyrms, "template median sky rms");
    st |= put_d(h, "TPLZPT", t->zpt, "template AB zero point");
    st |= put_s(h, "TPLBAND", t->band, "template band");
    return st ? 1 : 0;
}

void ph_meta_from_header_template(const ph_header *h, ph_meta *t)
{
    ph_meta_init(t);
    get_s(h, "TPLNAME", t->name, sizeof t->name);
    get_s(h, "TPLID", t->id, sizeof t->id);
    get_s(h, "TPLOBSID", t->obsid, sizeof t->obsid);
    get_s(h, "TPLBAND", t->band, sizeof t->band);
    long v;
    if (ph_header_get_long(h, "TPLSCA", &v) == 0)
        t->sca = v;
    get_d(h, "TPLMJD", &t->mjd);
    get_d(h, "TPLRMS", &t->skyrms);
    get_d(h, "TPLZPT", &t->zpt);
}
