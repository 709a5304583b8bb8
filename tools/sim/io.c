/* io.c -- see io.h. */
#include "io.h"
#include "io/atomicfile.h"
#include "io/csv.h"
#include "io/fits.h"
#include "base/log.h"
#include "io/psfstamp.h"
#include "base/util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- atomic text files ----------------------------------------------------- */

typedef struct tfile {
    FILE *f;
    ph_atomic a;
} tfile;

/* Text outputs: written atomically (atomicfile.h), with the permissions a
 * plain fopen() gives (the umask's), as the FITS files get. */
static int t_open(tfile *t, const char *path)
{
    char dir[1100];
    ph_strlcpy(dir, path, sizeof dir);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        if (ph_mkdir_p(dir))
            return PH_EFAIL;
    }
    if (ph_atomic_open(&t->a, path))
        return PH_EFAIL;
    t->f = t->a.f;
    return PH_OK;
}

static int t_commit(tfile *t) { return ph_atomic_commit(&t->a); }

/* ---- paths ------------------------------------------------------------------- */

const char *sim_path(const char *out, const char *kind, const sim_scene *s, const sim_epoch *e)
{
    static char buf[3][1100];
    const char *b = s->p.band->name;
    int k = !strcmp(kind, "images") ? 0 : !strcmp(kind, "truth") ? 1 : 2;
    if (k == 0)
        snprintf(buf[k], sizeof buf[k], "%s/images/%s/%ld/Roman_TDS_simple_model_%s_%ld_%ld.fits.gz",
                 out, b, e->pointing, b, e->pointing, e->sca);
    else if (k == 1)
        snprintf(buf[k], sizeof buf[k], "%s/truth/%s/%ld/Roman_TDS_index_%s_%ld_%ld.txt", out, b,
                 e->pointing, b, e->pointing, e->sca);
    else
        snprintf(buf[k], sizeof buf[k], "%s/psf/%s/%ld/Roman_TDS_psf_%s_%ld_%ld.fits", out, b,
                 e->pointing, b, e->pointing, e->sca);
    return buf[k];
}

static int mkdir_for(const char *path)
{
    char dir[1100];
    ph_strlcpy(dir, path, sizeof dir);
    char *slash = strrchr(dir, '/');
    if (!slash)
        return PH_OK;
    *slash = '\0';
    return ph_mkdir_p(dir);
}

/* ---- images ----------------------------------------------------------------- */

/* The PSF model as --model spells it: "roman" or "gaussian:SIGMA". */
static void psf_model_name(const ph_romanpsf_opts *o, char *buf, size_t size)
{
    if (o->model == PH_RPSF_GAUSSIAN)
        snprintf(buf, size, "gaussian:%g", o->sigma_px);
    else
        snprintf(buf, size, "roman");
}

static int sim_keys(const sim_scene *s, const sim_epoch *e, ph_header *h)
{
    const sim_params *p = &s->p;
    const ph_romanpsf_opts *o = &p->psf;
    char model[64];
    psf_model_name(o, model, sizeof model);
    int st = ph_header_set_str(h, "SIMPSF", model, "ph-sim PSF model");
    st |= ph_header_set_double(h, "SIMJITTR", e->jitter_arcsec, "[arcsec] PSF jitter rms");
    st |= ph_header_set_long(h, "SIMSEED", (long)(p->seed & 0x7fffffffffffffffULL), "ph-sim seed");
    st |= ph_header_set_bool(h, "SIMNOISE", p->noise, "photon and read noise drawn");
    st |= ph_header_set_double(h, "SIMSKY", p->sky_e, "[e-] sky level per pixel");
    st |= ph_header_set_double(h, "SIMGRADX", p->sky_grad[0], "[e-/1000 px] sky gradient along x");
    st |= ph_header_set_double(h, "SIMGRADY", p->sky_grad[1], "[e-/1000 px] sky gradient along y");
    st |= ph_header_set_double(h, "SIMRDNS", p->read_noise_e, "[e-] read noise");
    st |= ph_header_set_double(h, "SIMDARK", p->dark_e_s, "[e-/s] dark current");
    st |= ph_header_set_double(h, "SIMSATUR", p->saturate_e, "[e-] saturation clip");
    st |= ph_header_set_bool(h, "SIMSATDQ", p->flag_saturated, "clipped pixels flagged (DQ 2)");
    st |= ph_header_set_bool(h, "SIMTMPL", e->is_template, "template epoch (no transient)");
    if (o->model == PH_RPSF_ROMAN) {
        ph_romanpsf_opts eo;
        sim_epoch_psf(s, e, &eo);
        st |= ph_header_set_double(h, "SIMWFE", eo.wfe_nm, "[nm] wavefront error (this SCA)");
    }
    return st;
}

/* What the detector and the sky added to this image. */
static int image_keys(const sim_scene *s, const sim_image *img, ph_header *h)
{
    int st = ph_header_set_long(h, "SIMNCR", img->ncr, "cosmic-ray tracks drawn");
    st |= ph_header_set_bool(h, "SIMCRDQ", s->p.flag_cosmic_rays, "cosmic rays flagged (DQ 4)");
    st |= ph_header_set_long(h, "SIMNHOT", img->nhot, "hot pixels in the image (DQ 1)");
    st |= ph_header_set_long(h, "SIMNDEAD", img->ndead, "dead pixels in the image (DQ 1)");
    return st;
}

int sim_write_image(const char *path, const sim_scene *s, const sim_epoch *e,
                    const sim_image *img)
{
    ph_header *h = ph_header_new();
    if (!h)
        return ph_error(PH_EFAIL, path, "out of memory");
    int st = sim_epoch_header(s, e, h);
    if (!st && (ph_header_set_double(h, "SKY_MEAN", img->sky_mean, "[e-] mean sky + dark level") ||
                sim_keys(s, e, h) || image_keys(s, img, h)))
        st = ph_error(PH_EFAIL, path, "cannot format the header");
    if (!st)
        st = mkdir_for(path);
    ph_fits_out o;
    if (!st && !(st = ph_fits_create(&o, path, 0))) {
        st = ph_fits_write_double(&o, "SCI", img->nx, img->ny, img->sci, h);
        if (!st)
            st = ph_fits_write_float(&o, "ERR", img->nx, img->ny, img->err, h);
        if (!st)
            st = ph_fits_write_u32(&o, "DQ", img->nx, img->ny, img->dq, h);
        if (st)
            ph_fits_abort(&o);
        else
            st = ph_fits_commit(&o);
    }
    ph_header_free(h);
    return st;
}

/* ---- truth -------------------------------------------------------------------- */

int sim_write_truth(const char *path, const sim_scene *s, const sim_image *img)
{
    tfile t;
    if (t_open(&t, path))
        return PH_EFAIL;
    /* The OpenUniverse2024 layout: one '#' header line, whitespace columns,
     * x and y FITS 1-based, mag without ZPTMAG. */
    fprintf(t.f, "#%16s %22s %22s %22s %22s %16s %22s %22s %16s\n", "object_id", "ra", "dec", "x",
            "y", "realized_flux", "flux", "mag", "obj_type");
    double zptmag = 2.5 * log10(s->p.exptime_s * PH_ROMAN_AREA_CM2);
    for (int i = 0; i < img->ntruth; i++) {
        const sim_truth *r = &img->truth[i];
        const sim_obj *o = &s->obj[r->iobj];
        fprintf(t.f, " %16lld %22.15e %22.15e %22.15e %22.15e %16.9e %22.15e %22.15e %16s\n", o->id, o->ra,
                o->dec, r->x0 + 1.0, r->y0 + 1.0, r->realized, r->flux,
                -2.5 * log10(r->flux) + s->zpt - zptmag, sim_type_name(o->type));
    }
    return t_commit(&t);
}

/* ---- lists and light curve ---------------------------------------------------- */

int sim_write_lists(const char *out, const sim_scene *s)
{
    const char *name[2] = {"templates.csv", "science.csv"};
    for (int k = 0; k < 2; k++) {
        char path[1100];
        snprintf(path, sizeof path, "%s/%s", out, name[k]);
        tfile t;
        if (t_open(&t, path))
            return PH_EFAIL;
        fprintf(t.f, "path observation_id sca mjd band\n");
        for (int i = 0; i < s->nepoch; i++) {
            const sim_epoch *e = &s->ep[i];
            if (e->is_template != (k == 0))
                continue;
            const char *b = s->p.band->name;
            fprintf(t.f, "%s/%ld/Roman_TDS_simple_model_%s_%ld_%ld.fits.gz %ld %ld %.5f %s\n", b,
                    e->pointing, b, e->pointing, e->sca, e->pointing, e->sca, e->mjd, b);
        }
        if (t_commit(&t))
            return PH_EFAIL;
    }
    return PH_OK;
}

int sim_write_lightcurve(const char *out, const sim_scene *s, const double *flux,
                         const double *realized, const double *x0, const double *y0)
{
    char path[1100];
    const sim_obj *o = &s->obj[s->itransient];
    snprintf(path, sizeof path, "%s/truth/transient_%lld_%s.csv", out, o->id, s->p.band->name);
    tfile t;
    if (t_open(&t, path))
        return PH_EFAIL;
    ph_csv_out c;
    ph_csv_begin(&c, t.f);
    const char *cols[] = {"mjd", "observation_id", "sca", "flux", "mag", "x", "y", "realized_flux",
                          "is_template", "ra", "dec", "zpt"};
    for (size_t i = 0; i < sizeof cols / sizeof *cols; i++)
        ph_csv_str(&c, cols[i]);
    ph_csv_end_row(&c);
    for (int i = 0; i < s->nepoch; i++) {
        const sim_epoch *e = &s->ep[i];
        ph_csv_double(&c, e->mjd);
        ph_csv_long(&c, e->pointing);
        ph_csv_long(&c, e->sca);
        ph_csv_double(&c, flux[i]);
        ph_csv_double(&c, flux[i] > 0 ? -2.5 * log10(flux[i]) + s->zpt : NAN);
        ph_csv_double(&c, x0[i]);
        ph_csv_double(&c, y0[i]);
        ph_csv_double(&c, realized[i]);
        ph_csv_bool(&c, e->is_template);
        ph_csv_double(&c, o->ra);
        ph_csv_double(&c, o->dec);
        ph_csv_double(&c, s->zpt);
        ph_csv_end_row(&c);
    }
    return t_commit(&t);
}

/* ---- PSF files ------------------------------------------------------------------ */

static int psf_keys(ph_header *h, const ph_romanpsf_opts *o)
{
    char model[64];
    psf_model_name(o, model, sizeof model);
    int st = ph_header_set_str(h, "PSFMODEL", model, "ph-sim analytic PSF");
    st |= ph_header_set_str(h, "FILTER", o->band, "band");
    if (o->model == PH_RPSF_ROMAN) {
        st |= ph_header_set_long(h, "NLAMBDA", o->nlambda, "wavelengths across the band");
        st |= ph_header_set_double(h, "OBSCUR", o->obscuration, "linear central obscuration");
        st |= ph_header_set_double(h, "WFE", o->wfe_nm, "[nm] static wavefront error rms");
        st |= ph_header_set_double(h, "WFECORR", o->wfe_corr, "[pupil radii] WFE correlation");
        st |= ph_header_set_double(h, "JITTER", o->jitter_arcsec, "[arcsec] jitter rms per axis");
        st |= ph_header_set_double(h, "DIFFUSE", o->diffusion_px, "[px] charge diffusion sigma");
    }
    st |= ph_header_set_double(h, "PIXSCALE", o->pixscale_arcsec, "[arcsec] native pixel");
    st |= ph_header_set_bool(h, "PIXRESP", o->pixel, "pixel response included (ePSF)");
    return st;
}

int sim_write_psf_model(const char *path, ph_romanpsf *psf, int oversamp, long n, long nx, long ny,
                        const sim_epoch *e)
{
    long m = n * oversamp;
    double *d = ph_malloc((size_t)m * m * sizeof *d, "PSF model");
    ph_header *h = ph_header_new();
    int st = d && h ? ph_romanpsf_oversampled(psf, oversamp, n, d) : PH_EFAIL;
    if (!st) {
        int k = psf_keys(h, ph_romanpsf_get_opts(psf));
        k |= ph_header_set_long(h, "OVERSAMP", oversamp, "samples per native pixel (odd)");
        k |= ph_header_set_long(h, "PSFNATIV", n, "native pixels across");
        k |= ph_header_set_long(h, "NGRID", 1, "PSF grid positions (constant PSF: 1)");
        double flux = 0;
        for (long i = 0; i < m * m; i++)
            flux += d[i];
        k |= ph_header_set_double(h, "PSFFRAC", flux / ((double)oversamp * oversamp),
                                  "share of the PSF's flux inside the model");
        k |= ph_header_set_double(h, "GRIDX0", (nx - 1) / 2.0, "0-based x of grid position 0");
        k |= ph_header_set_double(h, "GRIDY0", (ny - 1) / 2.0, "0-based y of grid position 0");
        if (e) {
            k |= ph_header_set_long(h, "OBSID", e->pointing, "observation id (pointing)");
            k |= ph_header_set_long(h, "SCA_NUM", e->sca, "detector");
        }
        k |= ph_header_add_text(h, "COMMENT", "Samples of the ePSF (flux fraction per native pixel) "
                                "every 1/OVERSAMP px; centre sample = PSF centre.");
        if (k)
            st = ph_error(PH_EFAIL, path, "cannot format the header");
    }
    ph_fits_out o;
    if (!st)
        st = mkdir_for(path);
    if (!st && !(st = ph_fits_create(&o, path, 1))) {
        st = ph_fits_write_double(&o, NULL, m, m, d, h);
        if (st)
            ph_fits_abort(&o);
        else
            st = ph_fits_commit(&o);
    }
    free(d);
    ph_header_free(h);
    return st;
}

int sim_write_stamp(const char *path, ph_romanpsf *psf, double dx, double dy, long n)
{
    ph_psf p = {.n = n, .data = ph_malloc((size_t)n * n * sizeof(double), "PSF stamp"),
                .hdr = ph_header_new()};
    int st = p.data && p.hdr ? ph_romanpsf_stamp(psf, dx, dy, n, p.data) : PH_EFAIL;
    if (!st) {
        double sum = 0;
        for (long i = 0; i < n * n; i++)
            sum += p.data[i];
        int k = psf_keys(p.hdr, ph_romanpsf_get_opts(psf));
        k |= ph_header_set_double(p.hdr, "PSFDX", dx, "[px] PSF centre - centre pixel, x");
        k |= ph_header_set_double(p.hdr, "PSFDY", dy, "[px] PSF centre - centre pixel, y");
        k |= ph_header_set_long(p.hdr, "OVERSAMP", 1, "native sampling");
        k |= ph_header_set_double(p.hdr, "PSFFRAC", sum, "flux fraction inside the stamp");
        k |= ph_header_set_bool(p.hdr, "PSFNORM", 0, "not renormalised: what ph-sim draws");
        if (k)
            st = ph_error(PH_EFAIL, path, "cannot format the header");
    }
    if (!st)
        st = ph_psfstamp_write(path, &p);
    ph_psfstamp_free(&p);
    return st;
}

/* ---- catalogues ------------------------------------------------------------------ */

static int cell_double(const ph_table *t, const char *path, int row, int col, double *v)
{
    if (col < 0)
        return 1;
    if (ph_parse_double(ph_csv_table_cell(t, row, col), v) || !isfinite(*v)) {
        ph_error(PH_EFAIL, path, "line %d: %s '%s' is not a number", t->lines[row], t->names[col],
                 ph_csv_table_cell(t, row, col));
        return -1;
    }
    return 0;
}

int sim_read_catalog(const char *path, sim_scene *s, int inject)
{
    ph_table t;
    if (ph_csv_table_read(path, &t))
        return PH_EFAIL;
    int cra = ph_csv_table_col(&t, "ra"), cdec = ph_csv_table_col(&t, "dec");
    int cmag = ph_csv_table_col(&t, "mag"), cflux = ph_csv_table_col(&t, "flux");
    int ctype = ph_csv_table_col(&t, "obj_type"), cid = ph_csv_table_col(&t, "object_id");
    int cre = ph_csv_table_col(&t, "re_arcsec"), cn = ph_csv_table_col(&t, "sersic_n");
    int cq = ph_csv_table_col(&t, "q"), cpa = ph_csv_table_col(&t, "pa_deg");
    int st = PH_OK;
    if (cra < 0 || cdec < 0 || (inject ? cflux < 0 : cmag < 0 && cflux < 0))
        st = ph_error(PH_EFAIL, path, "needs the columns %s", inject ? "ra dec flux"
                                                                     : "ra dec and mag or flux");
    else if (t.nrows == 0)
        st = ph_error(PH_EFAIL, path, "no objects in the catalogue");
    for (int r = 0; r < t.nrows && !st; r++) {
        sim_obj o = {.type = inject ? SIM_TRANSIENT : SIM_STAR, .re_arcsec = 0.3, .n = 1.0,
                     .q = 1.0, .science_only = inject};
        o.id = (inject ? 9000000 : 4000000) + r;
        double v;
        if (cell_double(&t, path, r, cra, &o.ra) || cell_double(&t, path, r, cdec, &o.dec)) {
            st = PH_EFAIL;
            break;
        }
        if (cflux >= 0) {
            if (cell_double(&t, path, r, cflux, &o.flux)) {
                st = PH_EFAIL;
                break;
            }
        } else if (cell_double(&t, path, r, cmag, &v)) {
            st = PH_EFAIL;
            break;
        } else {
            o.flux = sim_mag_to_flux(s, v);
        }
        if (!(o.flux > 0) || fabs(o.dec) > 90) {
            st = ph_error(PH_EFAIL, path, "line %d: %s", t.lines[r],
                          o.flux > 0 ? "dec outside -90 ... 90" : "flux must be positive");
            break;
        }
        int got = cell_double(&t, path, r, cid, &v);
        if (got < 0) {
            st = PH_EFAIL;
            break;
        }
        if (got == 0)
            o.id = (long long)v;
        if (!inject && ctype >= 0) {
            const char *ty = ph_csv_table_cell(&t, r, ctype);
            if (!strcmp(ty, "galaxy"))
                o.type = SIM_GALAXY;
            else if (strcmp(ty, "star")) {
                st = ph_error(PH_EFAIL, path, "line %d: obj_type '%s' is not star or galaxy",
                              t.lines[r], ty);
                break;
            }
        }
        if ((cre >= 0 && cell_double(&t, path, r, cre, &o.re_arcsec) < 0) ||
            (cn >= 0 && cell_double(&t, path, r, cn, &o.n) < 0) ||
            (cq >= 0 && cell_double(&t, path, r, cq, &o.q) < 0) ||
            (cpa >= 0 && cell_double(&t, path, r, cpa, &o.pa_deg) < 0)) {
            st = PH_EFAIL;
            break;
        }
        if (o.type == SIM_GALAXY &&
            (!(o.re_arcsec > 0) || !(o.q > 0.05 && o.q <= 1) || !(o.n >= 0.3 && o.n <= 8))) {
            st = ph_error(PH_EFAIL, path, "line %d: galaxy needs re_arcsec > 0, 0.05 < q <= 1 and "
                          "0.3 <= sersic_n <= 8", t.lines[r]);
            break;
        }
        st = sim_scene_add(s, &o);
    }
    ph_csv_table_free(&t);
    return st;
}
