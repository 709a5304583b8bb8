/* test_pool.c -- the buffer pool (common/base/pool.h). */
#include "check.h"
#include "base/log.h"
#include "base/pool.h"

static int nalloc, nfree;
static size_t live;

static void *alloc(void *ctx, size_t bytes)
{
    (void)ctx;
    nalloc++;
    live += bytes;
    return malloc(bytes);
}

static void release(void *ctx, void *p, size_t bytes)
{
    (void)ctx;
    nfree++;
    live -= bytes;
    free(p);
}

TEST(reuses_the_smallest_fitting_block)
{
    ph_pool p = {alloc, release, NULL, {0}, {0}, {0}, 0};
    void *a = ph_pool_get(&p, 100), *b = ph_pool_get(&p, 200);
    EXPECT(a && b && a != b && nalloc == 2);
    ph_pool_put(&p, a);
    ph_pool_put(&p, b);
    EXPECT(ph_pool_get(&p, 150) == b); /* a is too small */
    EXPECT(ph_pool_get(&p, 50) == a);  /* the smallest that fits */
    EXPECT(nalloc == 2 && ph_pool_bytes(&p) == 300);
    ph_pool_put(&p, a);
    ph_pool_put(&p, NULL);
    /* nothing free is large enough: the free small block goes first */
    void *c = ph_pool_get(&p, 1000);
    EXPECT(c && nalloc == 3 && nfree == 1 && ph_pool_bytes(&p) == 1200 && live == 1200);
    ph_pool_clear(&p);
    EXPECT(p.n == 0 && live == 0 && nfree == 3);
}

TEST(too_many_blocks_is_an_error)
{
    ph_pool p = {alloc, release, NULL, {0}, {0}, {0}, 0};
    for (int i = 0; i < PH_POOL_MAX; i++)
        EXPECT(ph_pool_get(&p, 8) != NULL);
    EXPECT(ph_pool_get(&p, 8) == NULL);
    EXPECT(strstr(ph_error_message(), "more than 48 buffers"));
    ph_error_clear();
    ph_pool_clear(&p);
    EXPECT(live == 0);
}

TEST(a_detached_block_belongs_to_the_caller)
{
    ph_pool p = {alloc, release, NULL, {0}, {0}, {0}, 0};
    nalloc = nfree = 0;
    void *a = ph_pool_get(&p, 64), *b = ph_pool_get(&p, 64);
    ph_pool_put(&p, b);
    EXPECT(ph_pool_detach(&p, b) == -1); /* free blocks stay */
    EXPECT(ph_pool_detach(&p, (char *)a + 1) == -1);
    EXPECT(ph_pool_detach(&p, a) == 0);
    EXPECT(p.n == 1 && ph_pool_bytes(&p) == 64);
    EXPECT(ph_pool_get(&p, 64) == b);  /* a is not handed out again */
    void *c = ph_pool_get(&p, 64);
    EXPECT(c && c != a && nalloc == 3);
    ph_pool_clear(&p);
    EXPECT(nfree == 2 && live == 64); /* a is still alive */
    release(NULL, a, 64);
    EXPECT(live == 0);
}

int main(void)
{
    ph_verbosity = 0;
    RUN(reuses_the_smallest_fitting_block);
    RUN(too_many_blocks_is_an_error);
    RUN(a_detached_block_belongs_to_the_caller);
    return check_done();
}
