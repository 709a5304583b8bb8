/* write.c -- see write.h. */
#include "write.h"
#include "io/fits.h"
#include "base/log.h"
#include "base/util.h"

#include <stdlib.h>
#include <math.h>
#include <string.h>

/* The science header (WCS + meta) with the template's meta as TPL* keys. */
static ph_header *base_header(const sub_data *d)
{
    ph_header *h = ph_header_copy(d->sci.hdr);
    if (!h || ph_header_meta_to(&d->sci.meta, h) || ph_header_meta_to_template(&d->ref.meta, h)) {
        ph_header_free(h);
        ph_error(PH_EFAIL, NULL, "cannot build the output header");
        return NULL;
    }
    return h;
}

static int diff_keys(ph_header *h, const sub_opts *o, const sub_data *d, const sub_out *r,
                     const char *device)
{
    const ph_sfft_params *p = &r->sol.par;
    int st = ph_header_set_str(h, "DIFFTYPE", "SCI - K*REF",
                               "science minus matched reference (phrosty's sign)");
    st |= ph_header_set_long(h, "KERHW", p->w, "SFFT kernel half-width (GKerHW)");
    st |= ph_header_set_long(h, "KERORDER", p->dk, "kernel spatial polynomial order");
    st |= ph_header_set_long(h, "BGORDER", p->db, "differential background order");
    st |= ph_header_set_bool(h, "CONSTPHR", p->const_ratio, "constant photometric ratio");
    st |= ph_header_set_str(h, "SUBMETH", o->method == PH_SUB_SFFT ? "sfft" : "psf",
                            "ph-subtract method");
    st |= ph_header_set_long(h, "NSTARFIX", r->nstarfix, "template stars matched exactly");
    st |= ph_header_set_long(h, "NCLIP", r->nclip, "fitting pixels clipped as outliers");
    if (d->stars.n > 0)
        st |= ph_resid_keys(h, &r->res, "DIFF");
    st |= ph_header_set_long(h, "NFITPIX", r->sol.nfit, "pixels in the kernel fit");
    if (isfinite(o->ex_x0) && o->exclude_r > 0) {
        st |= ph_header_set_double(h, "EXCLX", o->ex_x0, "transient x (0-based), out of the fit");
        st |= ph_header_set_double(h, "EXCLY", o->ex_y0, "transient y (0-based), out of the fit");
        st |= ph_header_set_double(h, "EXCLR", o->exclude_r, "radius kept out of the fit, px");
    }
    st |= ph_header_set_long(h, "NUNKNOWN", r->sol.basis.nfree, "unknowns of the SFFT system");
    st |= ph_header_set_double(h, "KERSUM",
                               ph_sfft_ratio_at(&r->sol, r->sol.nx / 2.0 - 0.5, r->sol.ny / 2.0 - 0.5),
                               "photometric ratio (kernel sum) at the centre");
    st |= ph_header_set_double(h, "RCOND", r->sol.rcond,
                               "reciprocal condition of the equilibrated system");
    st |= ph_header_set_str(h, "SOLVER", r->sol.used_lu ? "LU" : "Cholesky",
                            "LAPACK factorisation used");
    st |= ph_header_set_double(h, "MINRCOND", o->min_rcond, "smallest accepted RCOND");
    st |= ph_header_set_str(h, "DEVICE", device, "where the subtraction ran");
    st |= ph_header_set_double(h, "SFFTSCAL", ph_sfft_scale(r->sol.nx, r->sol.ny),
                               "N0*N1: KERNEL COEF times this = SFFT Solution");
    st |= ph_header_set_str(h, "SCIPSF", ph_path_basename(o->sci_psf ? o->sci_psf : o->sci),
                            "science PSF from");
    st |= ph_header_set_str(h, "REFPSF", ph_path_basename(o->ref_psf ? o->ref_psf : o->ref),
                            "rotated reference PSF from");
    st |= ph_header_set_str(h, "REFIMAGE", ph_path_basename(o->ref), "aligned reference file");
    return st ? ph_error(PH_EFAIL, NULL, "cannot set the SFFT header keys") : PH_OK;
}

static int write_psf(ph_fits_out *f, const char *name, const double *data, long n,
                     const ph_header *src, double frac, int normalised)
{
    ph_header *h = src ? ph_header_copy(src) : ph_header_new();
    if (!h)
        return ph_error(PH_EFAIL, NULL, "out of memory");
    double s = 0;
    for (long i = 0; i < n * n; i++)
        s += data[i];
    int st = ph_header_set_double(h, "PSFSUM", s, "sum of this stamp");
    if (frac == frac)
        st |= ph_header_set_double(h, "PSFFRAC", frac, "flux inside the stamp before normalising");
    if (normalised)
        st |= ph_header_set_bool(h, "PSFNORM", 1, "the stamp sums to 1");
    if (!st)
        st = ph_fits_write_double(f, name, n, n, data, h);
    ph_header_free(h);
    return st;
}

static int write_kernel_table(ph_fits_out *f, const ph_sfft_solution *s)
{
    const ph_sfft_basis *b = &s->basis;
    int n = b->neq, nk = b->fij * b->fab, w = s->par.w;
    long long *term = malloc((size_t)n * sizeof *term), *dx = malloc((size_t)n * sizeof *dx),
              *dy = malloc((size_t)n * sizeof *dy), *bg = malloc((size_t)n * sizeof *bg),
              *px = malloc((size_t)n * sizeof *px), *py = malloc((size_t)n * sizeof *py);
    int st = !term || !dx || !dy || !bg || !px || !py ? ph_error(PH_EFAIL, NULL, "out of memory")
                                                     : PH_OK;
    for (int k = 0; k < n && !st; k++) {
        int i, j;
        if (k < nk) {
            term[k] = k / b->fab;
            dx[k] = (k % b->fab) / b->L - w;
            dy[k] = (k % b->fab) % b->L - w;
            bg[k] = 0;
            ph_sfft_term_powers(s->par.dk, (int)term[k], &i, &j);
        } else {
            term[k] = k - nk;
            dx[k] = dy[k] = -1;
            bg[k] = 1;
            ph_sfft_term_powers(s->par.db, (int)term[k], &i, &j);
        }
        px[k] = i;
        py[k] = j;
    }
    ph_header *h = ph_header_new();
    if (!st && h) {
        st |= ph_header_set_long(h, "KERHW", w, "kernel half-width");
        st |= ph_header_set_long(h, "KERORDER", s->par.dk, "kernel polynomial order");
        st |= ph_header_set_long(h, "BGORDER", s->par.db, "background polynomial order");
        st |= ph_header_set_bool(h, "CONSTPHR", s->par.const_ratio, "constant photometric ratio");
        st |= ph_header_set_long(h, "NEQ", n, "rows: SFFT's full unknown vector");
        st |= ph_header_set_long(h, "NKERROW", nk, "kernel rows (then background rows)");
        st |= ph_header_set_double(h, "SFFTSCAL", ph_sfft_scale(s->nx, s->ny),
                                   "kernel COEF times this = SFFT Solution");
        st |= ph_header_add_text(h, "COMMENT",
                                 "Rows in SFFT order: term ij outer, DX (along x) then DY.");
        st |= ph_header_add_text(h, "COMMENT",
                                 "Kernel rows: modified delta basis delta(DX,DY) - delta(0,0)");
        st |= ph_header_add_text(h, "COMMENT",
                                 "for (DX,DY) != 0, times cx^PX cy^PY, cx = (x0+1)/NAXIS1.");
        st |= ph_header_add_text(h, "COMMENT",
                                 "BG = 1: background rows (DX = DY = -1), cx^PX cy^PY.");
        st |= ph_header_add_text(h, "COMMENT",
                                 "Forbidden stripes (CONSTPHR, TERM > 0, DX = DY = 0) are 0.");
    } else if (!st)
        st = ph_error(PH_EFAIL, NULL, "out of memory");
    if (!st) {
        ph_column cols[7] = {
            {"TERM", NULL, NULL, term}, {"DX", "pixel", NULL, dx}, {"DY", "pixel", NULL, dy},
            {"COEF", NULL, s->coef, NULL}, {"BG", NULL, NULL, bg}, {"PX", NULL, NULL, px},
            {"PY", NULL, NULL, py},
        };
        st = ph_fits_write_table(f, "KERNEL", n, 7, cols, h);
    }
    ph_header_free(h);
    free(term);
    free(dx);
    free(dy);
    free(bg);
    free(px);
    free(py);
    return st;
}

/* The kernel realised at the centres of an n x n grid of cells, as one
 * mosaic image of n x n kernels. */
static int write_kernel_grid(ph_fits_out *f, const ph_sfft_solution *s, long n)
{
    int L = s->basis.L;
    long m = n * L;
    double *mos = ph_calloc((size_t)m * m, sizeof *mos, "KERNEL_GRID");
    double *k = ph_malloc((size_t)L * L * sizeof *k, "KERNEL_GRID");
    ph_header *h = ph_header_new();
    int st = !mos || !k || !h ? PH_EFAIL : PH_OK;
    for (long gy = 0; gy < n && !st; gy++)
        for (long gx = 0; gx < n; gx++) {
            double x0 = (gx + 0.5) * s->nx / n - 0.5, y0 = (gy + 0.5) * s->ny / n - 0.5;
            ph_sfft_kernel_at(s, x0, y0, k);
            for (int y = 0; y < L; y++)
                memcpy(mos + (gy * L + y) * m + gx * L, k + y * L, (size_t)L * sizeof *k);
        }
    if (!st) {
        st |= ph_header_set_long(h, "KGRIDN", n, "kernels per side");
        st |= ph_header_set_long(h, "KGRIDL", L, "kernel size");
        st |= ph_header_add_text(h, "COMMENT",
                                 "Cell (i, j) holds the kernel at 0-based x0 = (i + 0.5) NAXIS1 / "
                                 "KGRIDN - 0.5,");
        st |= ph_header_add_text(h, "COMMENT",
                                 "y0 = (j + 0.5) NAXIS2 / KGRIDN - 0.5 of the difference image.");
        if (!st)
            st = ph_fits_write_double(f, "KERNEL_GRID", m, m, mos, h);
    }
    ph_header_free(h);
    free(mos);
    free(k);
    return st;
}

int sub_write(const char *path, const sub_opts *o, const sub_data *d, const sub_out *r,
              const char *device)
{
    long nx = d->sci.nx, ny = d->sci.ny;
    ph_header *h = base_header(d), *hw = ph_header_copy(d->sci.hdr), *hm = ph_header_new();
    ph_fits_out f;
    memset(&f, 0, sizeof f);
    int st = !h || !hw || !hm ? PH_EFAIL : diff_keys(h, o, d, r, device);
    if (!st)
        st = ph_fits_create(&f, path, 0);
    if (!st)
        st = ph_fits_write_double(&f, "DIFF", nx, ny, r->diff, h);
    if (!st) {
        ph_header_set_str(hw, "PLANE", "science (*) rotated reference PSF", "C_target");
        st = ph_fits_write_double(&f, "CSCI", nx, ny, r->csci, hw);
    }
    if (!st) {
        ph_header_set_str(hw, "PLANE", "aligned reference (*) science PSF", "C_object");
        st = ph_fits_write_double(&f, "CREF", nx, ny, r->cref, hw);
    }
    if (!st) {
        ph_header_set_str(hw, "PLANE", "science variance", NULL);
        st = ph_fits_write_float(&f, "SCI_VAR", nx, ny, d->sci.var, hw);
    }
    if (!st) {
        ph_header_set_str(hw, "PLANE", "aligned reference variance", NULL);
        st = ph_fits_write_float(&f, "REF_VAR", nx, ny, d->ref.var, hw);
    }
    if (!st) {
        ph_header_set_str(hm, "MASKBITS", "1=FIT 2=BAD 4=OUTSIDE 8=CLIPPED", "bit meanings");
        st = ph_fits_write_u8(&f, "MASK", nx, ny, r->mask, hm);
    }
    if (!st)
        st = write_psf(&f, "SCI_PSF", d->psf_sci.data, d->psf_sci.n, d->psf_sci.hdr, 0.0 / 0.0, 0);
    if (!st)
        st = write_psf(&f, "REF_PSF", d->psf_ref.data, d->psf_ref.n, d->psf_ref.hdr, 0.0 / 0.0, 0);
    if (!st)
        st = write_psf(&f, "CONV_PSF", r->conv_psf, d->psf_sci.n, NULL, r->conv_frac, 1);
    /* ph-decorr makes DECORR_PSF from it (psfstamp.h) */
    if (!st && d->psf_phased.data)
        st = write_psf(&f, PH_PSF_PHASED_HDU, d->psf_phased.data, d->psf_phased.n,
                       d->psf_phased.hdr, 0.0 / 0.0, 0);
    if (!st) {
        ph_header *hk = ph_header_new();
        int L = r->sol.basis.L;
        double s = 0;
        for (int i = 0; i < L * L; i++)
            s += r->match_kernel[i];
        st = !hk;
        st = st || ph_header_set_double(hk, "KERX0", nx / 2.0 - 0.5, "0-based x of the kernel");
        st = st || ph_header_set_double(hk, "KERY0", ny / 2.0 - 0.5, "0-based y of the kernel");
        st = st || ph_header_set_double(hk, "KERSUM", s, "kernel sum (photometric ratio)");
        st = st ? ph_error(PH_EFAIL, NULL, "out of memory")
                : ph_fits_write_double(&f, "MATCH_KERNEL", L, L, r->match_kernel, hk);
        ph_header_free(hk);
    }
    if (!st)
        st = write_kernel_table(&f, &r->sol);
    if (!st && o->kernel_grid > 0)
        st = write_kernel_grid(&f, &r->sol, o->kernel_grid);
    if (!st && d->stars.n > 0)
        st = ph_startab_write(&f, &d->stars); /* for ph-decorr's residuals */
    ph_header_free(h);
    ph_header_free(hw);
    ph_header_free(hm);
    if (st) {
        if (f.f)
            ph_fits_abort(&f);
        return PH_EFAIL;
    }
    return ph_fits_commit(&f);
}
