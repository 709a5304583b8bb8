/* linalg.h -- dense symmetric solves (LAPACK).
 *
 * Matrices are row-major n x n. A symmetric positive-definite system is
 * solved by Cholesky (dpotrf/dpotrs) with its reciprocal condition number
 * estimated (dpocon); when Cholesky fails (not positive definite) the
 * solver falls back to LU with partial pivoting (dgesv, what SFFT uses).
 */
#ifndef PH_LINALG_H
#define PH_LINALG_H

typedef struct ph_solve_info {
    int used_lu;   /* 1 if Cholesky failed and LU was used */
    double rcond;  /* reciprocal condition estimate (1-norm); 0 if singular */
} ph_solve_info;

/* Solve A x = b in place: A (n*n, destroyed), b (n, becomes x). Error
 * (recorded, no file) if the matrix is singular or not finite. `what`
 * names the system in messages. */
int ph_solve_symmetric(int n, double *A, double *b, ph_solve_info *info, const char *what);

#endif
