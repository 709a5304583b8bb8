/* linalg.c -- see linalg.h. */
#include "linalg.h"
#include "log.h"
#include "util.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static double norm1(int n, const double *A)
{
    double best = 0;
    for (int j = 0; j < n; j++) {
        double s = 0;
        for (int i = 0; i < n; i++)
            s += fabs(A[(size_t)i * n + j]);
        if (s > best)
            best = s;
    }
    return best;
}

int ph_solve_symmetric(int n, double *A, double *b, ph_solve_info *info, const char *what)
{
    ph_solve_info tmp;
    if (!info)
        info = &tmp;
    memset(info, 0, sizeof *info);
    for (size_t i = 0; i < (size_t)n * n; i++)
        if (!isfinite(A[i]))
            return ph_error(PH_EFAIL, NULL, "%s: the matrix has non-finite entries", what);
    double anorm = norm1(n, A);
    double *copy = ph_malloc((size_t)n * n * sizeof *copy, what);
    double *bcopy = ph_malloc((size_t)n * sizeof *bcopy, what);
    if (!copy || !bcopy) {
        free(copy);
        free(bcopy);
        return PH_EFAIL;
    }
    memcpy(copy, A, (size_t)n * n * sizeof *copy);
    memcpy(bcopy, b, (size_t)n * sizeof *bcopy);

    /* Row-major symmetric: the lower triangle of row-major is the upper of
     * column-major; LAPACKE handles the layout. */
    lapack_int r = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', n, A, n);
    if (r == 0) {
        LAPACKE_dpocon(LAPACK_ROW_MAJOR, 'L', n, A, n, anorm, &info->rcond);
        LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'L', n, 1, A, n, b, 1);
    } else {
        info->used_lu = 1;
        memcpy(A, copy, (size_t)n * n * sizeof *A);
        memcpy(b, bcopy, (size_t)n * sizeof *b);
        lapack_int *piv = ph_malloc((size_t)n * sizeof *piv, what);
        if (!piv) {
            free(copy);
            free(bcopy);
            return PH_EFAIL;
        }
        r = LAPACKE_dgetrf(LAPACK_ROW_MAJOR, n, n, A, n, piv);
        if (r == 0) {
            LAPACKE_dgecon(LAPACK_ROW_MAJOR, '1', n, A, n, anorm, &info->rcond);
            LAPACKE_dgetrs(LAPACK_ROW_MAJOR, 'N', n, 1, A, n, piv, b, 1);
        }
        free(piv);
    }
    free(copy);
    free(bcopy);
    if (r != 0 || info->rcond < 1e-300 || info->rcond != info->rcond)
        return ph_error(PH_EFAIL, NULL, "%s: the system is singular (rcond %.3g)", what,
                        info->rcond);
    for (int i = 0; i < n; i++)
        if (!isfinite(b[i]))
            return ph_error(PH_EFAIL, NULL, "%s: the solution is not finite", what);
    return PH_OK;
}
