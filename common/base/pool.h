/* pool.h -- a pool of large buffers reused across the steps of a
 * computation, for memory whose first touch is expensive (fresh pages on a
 * virtual machine) or whose allocation is slow (cudaMalloc).
 *
 * The caller supplies the allocator. ph_pool_get() hands out the smallest
 * free block that is large enough, or allocates a new one (after releasing
 * the free blocks too small to serve, so that memory does not pile up when
 * the sizes grow); ph_pool_put() returns a block; ph_pool_clear() releases
 * them all. Not thread-safe.
 */
#ifndef PH_POOL_H
#define PH_POOL_H

#include <stddef.h>

enum { PH_POOL_MAX = 48 };

typedef struct ph_pool {
    /* set by the caller */
    void *(*alloc)(void *ctx, size_t bytes); /* NULL on error (recorded) */
    void (*release)(void *ctx, void *block, size_t bytes);
    void *ctx;
    /* the blocks */
    void *block[PH_POOL_MAX];
    size_t size[PH_POOL_MAX];
    int busy[PH_POOL_MAX];
    int n;
} ph_pool;

/* A block of at least `bytes`, or NULL (error recorded). */
void *ph_pool_get(ph_pool *p, size_t bytes);
/* Give a block back (NULL and unknown pointers are ignored). */
void ph_pool_put(ph_pool *p, const void *block);
/* Take a busy block out of the pool without releasing it: from now the
 * caller owns it (and releases it as the allocator would). Returns 0, or -1
 * when `block` is not a busy block of the pool. */
int ph_pool_detach(ph_pool *p, const void *block);
/* Bytes held in blocks, busy or free. */
size_t ph_pool_bytes(const ph_pool *p);
/* Release every block (busy ones too). */
void ph_pool_clear(ph_pool *p);

#endif
