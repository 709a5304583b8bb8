/* planealloc.c -- see planealloc.h. A 64-byte header before the data
 * keeps the size (and whether the block was mapped) for ph_plane_free(). */
#define _GNU_SOURCE
#include "base/planealloc.h"
#include "base/log.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#define HEADER 64
#define MAP_MIN ((size_t)1 << 20)

typedef struct plane_hdr {
    size_t bytes;  /* whole block, header included */
    int mapped;
} plane_hdr;

void *ph_plane_alloc(size_t n, size_t size, const char *what)
{
    if (size && n > (SIZE_MAX - HEADER) / size) {
        ph_error(PH_EFAIL, NULL, "out of memory allocating %s (too large)", what);
        return NULL;
    }
    size_t bytes = n * size + HEADER;
    void *base;
    int mapped = bytes >= MAP_MIN;
    if (mapped) {
#ifdef MAP_POPULATE
        const int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE;
#else
        const int flags = MAP_PRIVATE | MAP_ANONYMOUS;
#endif
        base = mmap(NULL, bytes, PROT_READ | PROT_WRITE, flags, -1, 0);
        if (base == MAP_FAILED)
            base = NULL;
    } else {
        base = calloc(1, bytes);
    }
    if (!base) {
        ph_error(PH_EFAIL, NULL, "out of memory allocating %s (%.0f MB)", what,
                 bytes / 1048576.0);
        return NULL;
    }
    plane_hdr *h = base;
    h->bytes = bytes;
    h->mapped = mapped;
    return (char *)base + HEADER;
}

void ph_plane_free(void *p)
{
    if (!p)
        return;
    plane_hdr *h = (plane_hdr *)((char *)p - HEADER);
    if (h->mapped)
        munmap(h, h->bytes);
    else
        free(h);
}
