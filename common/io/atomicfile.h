/* atomicfile.h -- write a text or binary file atomically, the way
 * ph_fits_create()/ph_fits_commit() write FITS: the data go to a temporary
 * file beside the target (".NAME.XXXXXX" in the same directory, so the
 * rename never crosses a file system), and only a complete file is renamed
 * into place. An interrupted or failed run leaves no file that looks
 * finished, and make never skips a half-written target.
 *
 *   ph_atomic a;
 *   if (ph_atomic_open(&a, "lc.csv")) return PH_EFAIL;
 *   fprintf(a.f, ...);
 *   return ph_atomic_commit(&a);      // or ph_atomic_abort(&a) on error
 *
 * The path "-" means standard output: no temporary, nothing renamed.
 * So is an existing target that is not a regular file (/dev/null, a fifo):
 * it is written directly, never replaced.
 */
#ifndef PH_ATOMICFILE_H
#define PH_ATOMICFILE_H

#include <stdio.h>

typedef struct ph_atomic {
    FILE *f;         /* write here */
    char path[4096]; /* the target */
    char tmp[4200];  /* the temporary ("" for stdout) */
    int tmpslot;     /* tmpclean.h slot + 1 (0: none) */
} ph_atomic;

/* Create the temporary (the directory must exist). Error recorded. */
int ph_atomic_open(ph_atomic *a, const char *path);
/* Flush, check for write errors (disk full), close and rename into place.
 * On failure the temporary is removed and an error naming the target is
 * recorded. */
int ph_atomic_commit(ph_atomic *a);
/* Close and remove the temporary; the target is left as it was. */
void ph_atomic_abort(ph_atomic *a);

#endif
