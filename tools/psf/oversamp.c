/* oversamp.c -- the oversampled ePSF of any model, interleaved from native
 * stamps drawn at o x o sub-pixel phases (see psf.h). */
#include "psf.h"

#include "base/log.h"
#include "base/util.h"

#include <stdlib.h>

int psf_oversampled(psf_stamp_fn fn, void *ctx, int o, long n, const char *file, ph_ovpsf *out)
{
    long c = (n - 1) / 2, h = (long)o * c, g = 2 * h + 1;
    double *grid = ph_calloc((size_t)g * g, sizeof *grid, "oversampled PSF");
    double *st = ph_malloc((size_t)n * n * sizeof *st, "PSF stamp");
    int rc = !grid || !st ? PH_EFAIL : PH_OK;
    double norm = 0;
    /* Residue r' in (-o/2, o/2]: grid sample o m + r' is at offset m + r'/o,
     * the value of the native stamp whose PSF centre sits at -r'/o. */
    for (int rs = 0; !rc && rs < o; rs++)
        for (int rr = 0; !rc && rr < o; rr++) {
            int ry = rs <= o / 2 ? rs : rs - o, rx = rr <= o / 2 ? rr : rr - o;
            rc = fn(ctx, -(double)rx / o, -(double)ry / o, n, st);
            for (long j = 0; !rc && j < n; j++) {
                long gy = (long)o * j + ry;
                if (gy < 0 || gy >= g)
                    continue;
                for (long i = 0; i < n; i++) {
                    long gx = (long)o * i + rx;
                    if (gx >= 0 && gx < g)
                        grid[gy * g + gx] = st[j * n + i];
                }
            }
            if (!rc && rx == 0 && ry == 0)
                for (long i = 0; i < n * n; i++)
                    norm += st[i];
        }
    if (!rc && !(norm > 0))
        rc = ph_error(PH_EFAIL, file, "the PSF has no positive flux at phase 0");
    if (!rc) {
        for (long i = 0; i < g * g; i++)
            grid[i] /= norm;
        rc = ph_ovpsf_init(out, o, h, grid, file);
    }
    free(grid);
    free(st);
    return rc;
}
