/* test_linalg.c -- linalg.h's small solves and conjugate gradients against
 * analytic cases: systems with known solutions, singular systems, and the
 * iteration counts exact arithmetic guarantees. (ph_linalg_solve_symmetric is
 * tested in test_numeric.c.) */
#include "check.h"
#include "sci/linalg.h"

/* y = A x for a dense row-major n x n A: the test's matrix product. */
typedef struct dense {
    long n;
    const double *A;
    const double *dinv; /* Jacobi preconditioner: 1 / diag, or NULL */
} dense;

static void dense_apply(void *ctx, const double *x, double *y)
{
    const dense *d = ctx;
    for (long i = 0; i < d->n; i++) {
        double s = 0;
        for (long j = 0; j < d->n; j++)
            s += d->A[i * d->n + j] * x[j];
        y[i] = s;
    }
}

static void dense_jacobi(void *ctx, const double *r, double *z)
{
    const dense *d = ctx;
    for (long i = 0; i < d->n; i++)
        z[i] = d->dinv[i] * r[i];
}

/* CG on d from x = 0, preconditioned with d->dinv when it is set. */
static int cg_from_zero(const dense *d, const double *b, double *x, int maxit, double tol2,
                        ph_linalg_cg_info *info)
{
    for (long i = 0; i < d->n; i++)
        x[i] = 0;
    return ph_linalg_cg(d->n, dense_apply, d->dinv ? dense_jacobi : NULL, (void *)d, b, x,
                        maxit, tol2, info);
}

TEST(cg_laplacian_known_solution)
{
    /* The 1-D Laplacian (2 on the diagonal, -1 beside it) is SPD; b = A x*
     * for a chosen x*, so CG must return x* (n distinct eigenvalues: at
     * most n steps in exact arithmetic). */
    enum { N = 40 };
    static double A[N * N];
    double xt[N], b[N], x[N], dinv[N];
    for (int i = 0; i < N; i++) {
        A[i * N + i] = 2;
        if (i > 0)
            A[i * N + i - 1] = -1;
        if (i + 1 < N)
            A[i * N + i + 1] = -1;
        xt[i] = sin(0.3 * i) + 0.01 * i;
        dinv[i] = 0.5;
    }
    dense d = {N, A, NULL};
    dense_apply(&d, xt, b);
    for (int pre = 0; pre < 2; pre++) {
        d.dinv = pre ? dinv : NULL;
        ph_linalg_cg_info info = {-1, -1};
        EXPECT(cg_from_zero(&d, b, x, 1000, 1e-26, &info) == 0);
        EXPECT(info.iters <= N + 5);
        EXPECT(info.resid <= 1e-13);
        for (int i = 0; i < N; i++)
            EXPECT_NEAR(x[i], xt[i], 1e-10);
    }
}

TEST(cg_distinct_eigenvalues_bound_the_steps)
{
    /* A diagonal matrix with three distinct eigenvalues: CG from 0 is exact
     * after 3 steps (its Krylov space holds the solution), and with the
     * exact (Jacobi) preconditioner after 1. */
    enum { N = 12 };
    static double A[N * N];
    double b[N], x[N], dinv[N];
    static const double ev[3] = {1, 2, 5};
    for (int i = 0; i < N; i++) {
        A[i * N + i] = ev[i % 3];
        dinv[i] = 1 / ev[i % 3];
        b[i] = 1 + i;
    }
    dense d = {N, A, NULL};
    ph_linalg_cg_info info;
    /* without and with the exact preconditioner: 3 steps, then 1 */
    static const int steps[2] = {3, 1};
    static const double tol[2] = {1e-12, 1e-14};
    for (int pre = 0; pre < 2; pre++) {
        d.dinv = pre ? dinv : NULL;
        EXPECT(cg_from_zero(&d, b, x, 100, 1e-24, &info) == 0);
        EXPECT(info.iters == steps[pre]);
        for (int i = 0; i < N; i++)
            EXPECT_NEAR(x[i], b[i] / ev[i % 3], tol[pre]);
    }
    d.dinv = NULL;
    /* A start at the solution takes no step; maxit bounds the steps. */
    EXPECT(ph_linalg_cg(N, dense_apply, NULL, &d, b, x, 100, 1e-24, &info) == 0);
    EXPECT(info.iters == 0);
    EXPECT(cg_from_zero(&d, b, x, 2, 1e-24, &info) == 0);
    EXPECT(info.iters == 2 && info.resid > 1e-6);
}

TEST(cg_singular)
{
    /* The zero matrix: p.A p = 0 at once, x stays, the residual is |b|. */
    double Z[9] = {0}, b[3] = {1, 2, 2}, x[3] = {0.5, 0, 0};
    dense d = {3, Z, NULL};
    ph_linalg_cg_info info;
    EXPECT(ph_linalg_cg(3, dense_apply, NULL, &d, b, x, 100, 1e-24, &info) == 0);
    EXPECT(info.iters == 0 && x[0] == 0.5 && x[1] == 0 && x[2] == 0);
    EXPECT_NEAR(info.resid, 1, 1e-15);
    /* Semi-definite, b in its range: the range part is solved, the null
     * space keeps the start. */
    double S[9] = {4, 0, 0, 0, 0, 0, 0, 0, 1}, c[3] = {2, 0, 3}, y[3] = {0, 7, 0};
    d.A = S;
    EXPECT(ph_linalg_cg(3, dense_apply, NULL, &d, c, y, 100, 1e-24, &info) == 0);
    EXPECT_NEAR(y[0], 0.5, 1e-14);
    EXPECT(y[1] == 7);
    EXPECT_NEAR(y[2], 3, 1e-14);
    EXPECT(info.resid <= 1e-12);
}

TEST(solve3_cramer)
{
    /* x = (1, -2, 3) of a non-symmetric system. */
    double A[3][3] = {{2, 1, -1}, {-3, -1, 2}, {-2, 1, 2}}, xt[3] = {1, -2, 3}, b[3], x[3];
    for (int i = 0; i < 3; i++)
        b[i] = A[i][0] * xt[0] + A[i][1] * xt[1] + A[i][2] * xt[2];
    EXPECT(ph_linalg_solve3(A, b, x) == 0);
    for (int i = 0; i < 3; i++)
        EXPECT_NEAR(x[i], xt[i], 1e-14);
    EXPECT(A[0][0] == 2 && b[0] == 2 * 1 + 1 * -2 - 3); /* untouched */
    /* singular: the third row is the sum of the first two */
    double S[3][3] = {{1, 2, 3}, {4, 5, 6}, {5, 7, 9}};
    EXPECT(ph_linalg_solve3(S, b, x) != 0);
}

TEST(solve_small_pivots)
{
    /* A zero first pivot needs the row exchange; x = (1, 2, 3, 4). */
    double A[4][4] = {{0, 1, 2, 3}, {1, 0, 1, 0}, {2, 1, 0, 1}, {3, 0, 1, 5}};
    double xt[4] = {1, 2, 3, 4}, b[4], x[4];
    for (int i = 0; i < 4; i++)
        b[i] = A[i][0] * xt[0] + A[i][1] * xt[1] + A[i][2] * xt[2] + A[i][3] * xt[3];
    EXPECT(ph_linalg_solve_small(4, A, b, x) == 0);
    for (int i = 0; i < 4; i++)
        EXPECT_NEAR(x[i], xt[i], 1e-13);
    /* n = 1 and n = 2 use the top-left corner only */
    double B[4][4] = {{4, 9, 9, 9}, {9, 9, 9, 9}}, c[1] = {2}, y[1];
    EXPECT(ph_linalg_solve_small(1, B, c, y) == 0 && y[0] == 0.5);
    /* singular: rank 3 (the last column the sum of the first two) */
    double S[4][4] = {{1, 0, 2, 1}, {0, 1, 1, 1}, {1, 1, 0, 2}, {2, 1, 1, 3}}, d[4] = {1, 2, 3, 4};
    EXPECT(ph_linalg_solve_small(4, S, d, x) != 0);
    double Z[4][4] = {{0}}, e[2] = {1, 1};
    EXPECT(ph_linalg_solve_small(2, Z, e, x) != 0);
}

int main(void)
{
    RUN(cg_laplacian_known_solution);
    RUN(cg_distinct_eigenvalues_bound_the_steps);
    RUN(cg_singular);
    RUN(solve3_cramer);
    RUN(solve_small_pivots);
    return check_done();
}
