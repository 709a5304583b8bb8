/* check.h -- a minimal unit-test harness printing TAP.
 *
 *   TEST(median_odd) { EXPECT_NEAR(ph_median(x, 3), 2.0, 0); }
 *   int main(void) { RUN(median_odd); return check_done(); }
 *
 * Each TEST is one TAP line ("ok N - name" / "not ok N - name"); failed
 * expectations print a "# file:line: ..." diagnostic. tests/run counts the
 * lines of every unit program and bats suite.
 *
 * Fixtures: check_data(path) gives the shared peer data directory
 * ($PH_SHARED_DATA, default ../shared/data beside the repository) joined
 * with `path`; check_tmpdir() a fresh directory for the test's files.
 */
#ifndef PH_CHECK_H
#define PH_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int check_ntests, check_nfailed, check_cur_failed;
static const char *check_skip_reason;

#define TEST(name) static void name(void)

#define EXPECT(cond)                                                                  \
    do {                                                                              \
        if (!(cond)) {                                                                \
            printf("# %s:%d: expected %s\n", __FILE__, __LINE__, #cond);              \
            check_cur_failed = 1;                                                     \
        }                                                                             \
    } while (0)

#define EXPECT_NEAR(a, b, tol) check_close(__FILE__, __LINE__, #a, (a), (b), (tol), 0)

#define EXPECT_REL(a, b, rtol) check_close(__FILE__, __LINE__, #a, (a), (b), (rtol), 1)

/* EXPECT_NEAR (rel 0: |a - b| <= t) and EXPECT_REL (rel 1: |a - b| <= t |b|);
 * NaN on either side fails. */
static inline void check_close(const char *file, int line, const char *what, double a, double b,
                               double t, int rel)
{
    if (!(fabs(a - b) <= (rel ? t * fabs(b) : t))) {
        printf("# %s:%d: %s = %.17g, expected %.17g within %s%g\n", file, line, what, a, b,
               rel ? "relative " : "", t);
        check_cur_failed = 1;
    }
}

#define EXPECT_STR(a, b)                                                              \
    do {                                                                              \
        const char *a_ = (a), *b_ = (b);                                              \
        if (!a_ || !b_ || strcmp(a_, b_)) {                                           \
            printf("# %s:%d: %s = \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, \
                   a_ ? a_ : "(null)", b_ ? b_ : "(null)");                           \
            check_cur_failed = 1;                                                     \
        }                                                                             \
    } while (0)

/* Mark the running test skipped (with a reason) and leave it. */
#define SKIP(reason)                                                                  \
    do {                                                                              \
        check_skip_reason = (reason);                                                 \
        return;                                                                       \
    } while (0)

#define RUN(name) check_run(#name, name)

static inline void check_run(const char *name, void (*fn)(void))
{
    check_cur_failed = 0;
    check_skip_reason = NULL;
    fn();
    check_ntests++;
    fflush(stdout);
    if (check_skip_reason)
        printf("ok %d - %s # skip %s\n", check_ntests, name, check_skip_reason);
    else if (check_cur_failed) {
        check_nfailed++;
        printf("not ok %d - %s\n", check_ntests, name);
    } else
        printf("ok %d - %s\n", check_ntests, name);
    fflush(stdout);
}

static inline int check_done(void)
{
    printf("1..%d\n", check_ntests);
    return check_nfailed ? 1 : 0;
}

static inline const char *check_data(const char *rel)
{
    static char buf[8][2048];
    static int k;
    const char *base = getenv("PH_SHARED_DATA");
    char *out = buf[k++ % 8];
    snprintf(out, sizeof buf[0], "%s/%s", base && *base ? base : "../shared/data", rel);
    return out;
}

static inline int check_have(const char *path) { return access(path, R_OK) == 0; }

static inline const char *check_tmpdir(void)
{
    static char dir[256];
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/phunit.XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(2);
    }
    return dir;
}

#endif
