/* linalg.c -- see linalg.h. */
#include "sci/linalg.h"
#include "base/log.h"
#include "base/util.h"

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

int ph_linalg_solve_symmetric(int n, double *A, double *b, ph_solve_info *info, const char *what)
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

int ph_linalg_solve_small(int n, double A[4][4], double *b, double *x)
{
    for (int c = 0; c < n; c++) {
        int p = c;
        for (int r = c + 1; r < n; r++)
            if (fabs(A[r][c]) > fabs(A[p][c]))
                p = r;
        if (!(fabs(A[p][c]) > 0))
            return 1;
        if (p != c) {
            for (int k = 0; k < n; k++) {
                double t = A[c][k];
                A[c][k] = A[p][k], A[p][k] = t;
            }
            double t = b[c];
            b[c] = b[p], b[p] = t;
        }
        for (int r = c + 1; r < n; r++) {
            double f = A[r][c] / A[c][c];
            for (int k = c; k < n; k++)
                A[r][k] -= f * A[c][k];
            b[r] -= f * b[c];
        }
    }
    for (int c = n - 1; c >= 0; c--) {
        double v = b[c];
        for (int k = c + 1; k < n; k++)
            v -= A[c][k] * x[k];
        x[c] = v / A[c][c];
    }
    return 0;
}

static double det3(double M[3][3])
{
    return M[0][0] * (M[1][1] * M[2][2] - M[1][2] * M[2][1]) -
           M[0][1] * (M[1][0] * M[2][2] - M[1][2] * M[2][0]) +
           M[0][2] * (M[1][0] * M[2][1] - M[1][1] * M[2][0]);
}

int ph_linalg_solve3(double A[3][3], const double *b, double *x)
{
    double det = det3(A);
    if (!(fabs(det) > 0))
        return 1;
    for (int k = 0; k < 3; k++) {
        double M[3][3];
        memcpy(M, A, sizeof M);
        for (int a = 0; a < 3; a++)
            M[a][k] = b[a];
        x[k] = det3(M) / det;
    }
    return 0;
}

int ph_linalg_cg(long n, ph_linalg_op apply, ph_linalg_op precond, void *ctx, const double *b,
                 double *x, int maxit, double tol2, ph_linalg_cg_info *info)
{
    double *r = ph_malloc((size_t)(n > 0 ? n : 1) * 4 * sizeof *r, "conjugate gradients");
    if (!r)
        return PH_EFAIL;
    double *z = r + n, *p = z + n, *q = p + n;
    apply(ctx, x, q);
    double bn = 0, rz = 0;
    for (long i = 0; i < n; i++) {
        r[i] = b[i] - q[i];
        bn += b[i] * b[i];
    }
    if (precond)
        precond(ctx, r, z);
    else
        memcpy(z, r, (size_t)n * sizeof *z);
    for (long i = 0; i < n; i++) {
        p[i] = z[i];
        rz += r[i] * z[i];
    }
    int it;
    double rn = 0;
    for (it = 0; it < maxit; it++) {
        rn = 0;
        for (long i = 0; i < n; i++)
            rn += r[i] * r[i];
        if (rn <= tol2 * bn)
            break;
        apply(ctx, p, q);
        double pq = 0;
        for (long i = 0; i < n; i++)
            pq += p[i] * q[i];
        if (!(pq > 0))
            break;
        double alpha = rz / pq, rz1 = 0;
        for (long i = 0; i < n; i++) {
            x[i] += alpha * p[i];
            r[i] -= alpha * q[i];
        }
        if (precond)
            precond(ctx, r, z);
        else
            memcpy(z, r, (size_t)n * sizeof *z);
        for (long i = 0; i < n; i++)
            rz1 += r[i] * z[i];
        double beta = rz1 / rz;
        rz = rz1;
        for (long i = 0; i < n; i++)
            p[i] = z[i] + beta * p[i];
    }
    if (info) {
        info->iters = it;
        info->resid = sqrt(rn / (bn > 0 ? bn : 1));
    }
    free(r);
    return PH_OK;
}
