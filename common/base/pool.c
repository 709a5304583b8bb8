/* pool.c -- see pool.h. */
#include "base/pool.h"
#include "base/log.h"

static void drop(ph_pool *p, int i)
{
    p->release(p->ctx, p->block[i], p->size[i]);
    p->n--;
    p->block[i] = p->block[p->n];
    p->size[i] = p->size[p->n];
    p->busy[i] = p->busy[p->n];
}

void *ph_pool_get(ph_pool *p, size_t bytes)
{
    int best = -1;
    for (int i = 0; i < p->n; i++)
        if (!p->busy[i] && p->size[i] >= bytes && (best < 0 || p->size[i] < p->size[best]))
            best = i;
    if (best < 0) {
        for (int i = 0; i < p->n;)
            if (!p->busy[i])
                drop(p, i);
            else
                i++;
        if (p->n == PH_POOL_MAX) {
            ph_error(PH_EFAIL, NULL, "buffer pool: more than %d buffers", PH_POOL_MAX);
            return NULL;
        }
        void *b = p->alloc(p->ctx, bytes);
        if (!b)
            return NULL;
        best = p->n++;
        p->block[best] = b;
        p->size[best] = bytes;
    }
    p->busy[best] = 1;
    return p->block[best];
}

void ph_pool_put(ph_pool *p, const void *block)
{
    for (int i = 0; block && i < p->n; i++)
        if (p->block[i] == block)
            p->busy[i] = 0;
}

int ph_pool_detach(ph_pool *p, const void *block)
{
    for (int i = 0; block && i < p->n; i++)
        if (p->block[i] == block && p->busy[i]) {
            p->n--;
            p->block[i] = p->block[p->n];
            p->size[i] = p->size[p->n];
            p->busy[i] = p->busy[p->n];
            return 0;
        }
    return -1;
}

size_t ph_pool_bytes(const ph_pool *p)
{
    size_t s = 0;
    for (int i = 0; i < p->n; i++)
        s += p->size[i];
    return s;
}

void ph_pool_clear(ph_pool *p)
{
    while (p->n > 0)
        drop(p, p->n - 1);
}
