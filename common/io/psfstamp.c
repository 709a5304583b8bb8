/* psfstamp.c -- see psfstamp.h. */
#include "io/psfstamp.h"
#include "io/fits.h"
#include "base/log.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int ph_psfstamp_check(const double *d, long nx, long ny, const char *file)
{
    if (nx != ny)
        return ph_error(PH_EFAIL, file, "PSF is %ldx%ld; it must be square", nx, ny);
    if (nx % 2 == 0)
        return ph_error(PH_EFAIL, file, "PSF has even size %ld; it must be odd (centre on a pixel)",
                        nx);
    if (nx < 3)
        return ph_error(PH_EFAIL, file, "PSF of size %ld is too small", nx);
    double s = 0;
    for (long i = 0; i < nx * ny; i++) {
        if (!isfinite(d[i]))
            return ph_error(PH_EFAIL, file, "PSF has a non-finite value at pixel (%ld, %ld)",
                            i % nx, i / nx);
        s += d[i];
    }
    if (!(s > 0))
        return ph_error(PH_EFAIL, file, "PSF sums to %g; it must have a positive sum", s);
    return PH_OK;
}

int ph_psfstamp_read(const char *path, const char *hdu, ph_psf *p)
{
    memset(p, 0, sizeof *p);
    ph_fits fp;
    if (ph_fits_open(&fp, path))
        return PH_EFAIL;
    long nx = 0, ny = 0;
    int st;
    if (hdu)
        st = ph_fits_goto(&fp, hdu);
    else if (ph_fits_has_hdu(&fp, "PSF"))
        st = ph_fits_goto(&fp, "PSF");
    else if (ph_fits_has_hdu(&fp, PH_PSF_PHASED_HDU) || ph_fits_has_hdu(&fp, "EPSF"))
        st = ph_fits_goto(&fp, "0"); /* ph-psf's file: the centred stamp is the primary */
    else
        st = ph_fits_goto_first_image(&fp);
    if (!st)
        st = ph_fits_read_double(&fp, &nx, &ny, &p->data);
    if (!st)
        st = ph_fits_read_header(&fp, &p->hdr);
    ph_fits_close(&fp);
    if (!st)
        st = ph_psfstamp_check(p->data, nx, ny, path);
    if (!st && !(p->ov = ph_calloc(1, sizeof *p->ov, "oversampled PSF")))
        st = PH_EFAIL;
    int found = 0;
    if (!st)
        st = ph_ovpsf_read(path, "EPSF", p->ov, &found);
    if (!st && !found) {
        free(p->ov);
        p->ov = NULL;
    }
    if (st) {
        ph_psfstamp_free(p);
        return PH_EFAIL;
    }
    p->n = nx;
    return PH_OK;
}

double ph_psfstamp_normalise(double *d, long n)
{
    double s = 0;
    for (long i = 0; i < n * n; i++)
        s += d[i];
    if (!(s > 0))
        return 0;
    for (long i = 0; i < n * n; i++)
        d[i] /= s;
    return s;
}

void ph_psfstamp_centroid(const double *d, long n, double *dx, double *dy)
{
    double s = 0, sx = 0, sy = 0;
    long c = (n - 1) / 2;
    for (long y = 0; y < n; y++)
        for (long x = 0; x < n; x++) {
            double v = d[y * n + x];
            s += v;
            sx += v * (x - c);
            sy += v * (y - c);
        }
    *dx = s != 0 ? sx / s : 0;
    *dy = s != 0 ? sy / s : 0;
}

int ph_psfstamp_write_phased(const char *path, const ph_psf *p, const ph_psf *phased)
{
    ph_fits_out o;
    if (ph_fits_create(&o, path, 1))
        return PH_EFAIL;
    if (ph_fits_write_double(&o, NULL, p->n, p->n, p->data, p->hdr) ||
        (phased && ph_fits_write_double(&o, PH_PSF_PHASED_HDU, phased->n, phased->n,
                                        phased->data, phased->hdr)) ||
        (p->ov && ph_ovpsf_write(&o, "EPSF", p->ov, NULL))) {
        ph_fits_abort(&o);
        return PH_EFAIL;
    }
    return ph_fits_commit(&o);
}

int ph_psfstamp_write(const char *path, const ph_psf *p)
{
    return ph_psfstamp_write_phased(path, p, NULL);
}

int ph_psfstamp_read_phased(const char *path, ph_psf *p)
{
    memset(p, 0, sizeof *p);
    ph_fits fp;
    if (ph_fits_open(&fp, path))
        return PH_EFAIL;
    int has = ph_fits_has_hdu(&fp, PH_PSF_PHASED_HDU);
    ph_fits_close(&fp);
    return has ? ph_psfstamp_read(path, PH_PSF_PHASED_HDU, p) : PH_OK;
}

void ph_psfstamp_free(ph_psf *p)
{
    free(p->data);
    ph_header_free(p->hdr);
    if (p->ov)
        ph_ovpsf_free(p->ov);
    free(p->ov);
    memset(p, 0, sizeof *p);
}
