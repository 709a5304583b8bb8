/* linalg.h -- linear solves: dense symmetric (LAPACK), small dense
 * (Gaussian elimination, Cramer's rule) and large sparse symmetric
 * positive-definite (preconditioned conjugate gradients).
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
int ph_linalg_solve_symmetric(int n, double *A, double *b, ph_solve_info *info, const char *what);

/* A x = b for a small n x n A (n <= 4) by Gaussian elimination with
 * partial pivoting: A and b are destroyed, x gets the solution. Returns
 * non-zero (nothing recorded) if A is singular (a zero pivot). */
int ph_linalg_solve_small(int n, double A[4][4], double *b, double *x);

/* A x = b for a 3x3 A by Cramer's rule (A and b untouched). Returns
 * non-zero (nothing recorded) if the determinant is zero. */
int ph_linalg_solve3(double A[3][3], const double *b, double *x);

/* y = Op x for vectors of the solver's length n; ctx is the caller's. */
typedef void (*ph_linalg_op)(void *ctx, const double *x, double *y);

typedef struct ph_linalg_cg_info {
    int iters;     /* iterations taken */
    double resid;  /* |b - A x| / |b| at the end (|b| = 0: / 1) */
} ph_linalg_cg_info;

/* Preconditioned conjugate gradients for a symmetric positive-definite A
 * given as the product `apply` (y = A x), from the x passed in (updated in
 * place). `precond` (z = M^-1 r, M symmetric positive definite) may be
 * NULL: no preconditioning. Stops after maxit iterations, when |r|^2 <=
 * tol2 |b|^2 (tol2: the square of the relative residual), or when p.A p
 * is not positive (A not positive definite along p, or a zero matrix: x
 * is left as it is then; check info->resid). info (may be NULL) gets the
 * iterations and the relative residual. Errors: allocation only (4 n
 * doubles), recorded. */
int ph_linalg_cg(long n, ph_linalg_op apply, ph_linalg_op precond, void *ctx, const double *b,
                 double *x, int maxit, double tol2, ph_linalg_cg_info *info);

#endif
