/* planealloc.h -- large arrays (image planes) allocated pre-faulted.
 *
 * A 4088x4088 float plane is 67 MB, 16 000 pages. Touching them one fault
 * at a time costs 0.2 s on a virtual machine where a page fault is slow
 * (measured: 12 us per fault here), more than filling them. These arrays
 * are mapped with MAP_POPULATE, which faults them in with one system call
 * (0.01 s for 67 MB here), and unmapped on free so that the memory goes
 * back to the system at once. They come zero-filled.
 *
 * Free them with ph_plane_free(), never free(). Small requests (below
 * 1 MB) use calloc() behind the same interface.
 */
#ifndef PH_PLANEALLOC_H
#define PH_PLANEALLOC_H

#include <stddef.h>

/* n elements of `size` bytes, zero-filled; records "out of memory
 * allocating WHAT (N MB)" and returns NULL on failure. */
void *ph_plane_alloc(size_t n, size_t size, const char *what);
void ph_plane_free(void *p);

#endif
