/* import.c -- see import.h. */
#include "import.h"
#include "base/log.h"
#include "io/image.h"
#include "sci/stats.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int import_build(const import_planes *in, import_out *out)
{
    memset(out, 0, sizeof *out);
    size_t n = (size_t)in->nx * in->ny;
    out->sci = ph_malloc(n * sizeof *out->sci, "SCI");
    out->var = ph_malloc(n * sizeof *out->var, "VAR");
    out->mask = ph_malloc(n, "MASK");
    double *work = ph_malloc(n * sizeof *work, "statistics");
    if (!out->sci || !out->var || !out->mask || !work) {
        free(work);
        import_out_free(out);
        return PH_EFAIL;
    }
    long ngood = 0;
    for (size_t i = 0; i < n; i++) {
        double v = in->image[i], s2 = NAN;
        uint8_t m = 0;
        if (in->noise)
            s2 = in->noise[i] * in->noise[i];
        else if (in->var)
            s2 = in->var[i];
        if (!isfinite(v))
            m = in->nan_outside ? PH_MASK_OUTSIDE : PH_MASK_BAD;
        else if ((in->noise || in->var) && !(isfinite(s2) && s2 > 0))
            m = PH_MASK_BAD;
        else if (in->bad && in->bad[i] != 0)
            m = PH_MASK_BAD;
        if (!m && (in->det_all || (in->det && in->det[i] != 0)))
            m = PH_MASK_DETECTED;
        out->mask[i] = m;
        out->sci[i] = isfinite(v) ? (float)v : 0.0f;
        out->var[i] = (in->noise || in->var) && isfinite(s2) && s2 > 0 ? (float)s2 : 0.0f;
        out->nbad += (m & PH_MASK_BAD) != 0;
        out->noutside += (m & PH_MASK_OUTSIDE) != 0;
        out->ndet += (m & PH_MASK_DETECTED) != 0;
        if (!(m & (PH_MASK_BAD | PH_MASK_OUTSIDE)))
            work[ngood++] = in->noise || in->var ? sqrt(s2) : v;
    }
    if (ngood == 0) {
        free(work);
        import_out_free(out);
        return ph_error(PH_EFAIL, NULL,
                        "no usable pixel: every pixel is masked, NaN or has no "
                        "positive noise");
    }
    if (in->skyrms > 0) {
        out->skyrms = in->skyrms;
        out->skyrms_src = "option";
    } else if (in->noise || in->var) {
        out->skyrms = ph_median_inplace(work, (size_t)ngood);
        out->skyrms_src = "median noise";
    } else {
        out->skyrms = ph_iqr_sigma(work, (size_t)ngood);
        out->skyrms_src = "image IQR sigma";
    }
    free(work);
    if (!(out->skyrms > 0) || !isfinite(out->skyrms)) {
        import_out_free(out);
        return ph_error(PH_EFAIL, NULL, "the sky rms estimate is %g: give --skyrms", out->skyrms);
    }
    if (!in->noise && !in->var)
        for (size_t i = 0; i < n; i++)
            out->var[i] = (float)(out->skyrms * out->skyrms);
    return PH_OK;
}

void import_out_free(import_out *out)
{
    free(out->sci);
    free(out->var);
    free(out->mask);
    memset(out, 0, sizeof *out);
}

void import_crop(const double *in, long n, long m, double *out)
{
    long off = (n - m) / 2;
    for (long y = 0; y < m; y++)
        memcpy(out + y * m, in + (y + off) * n + off, (size_t)m * sizeof *out);
}
