/* sameinput.h -- never write an output over one of the inputs.
 *
 * Every reader in libph (FITS, gzip headers, CSV tables, image lists,
 * configs, catalogues) notes the files it opens, by device and inode; every
 * writer (ph_fits_create/commit, ph_atomic_open/commit) refuses a target
 * that is one of them, under any name (a link, ./x, a symlink). So
 * `ph-skysub raw.fits -o raw.fits` is an error naming the file, and the
 * input is left as it was, in every tool, for every input.
 *
 * The check is made when the output is opened (inputs read by then) and
 * again before it is renamed into place (inputs read after).
 */
#ifndef PH_SAMEINPUT_H
#define PH_SAMEINPUT_H

/* Note `path` as an input of this run (nothing if it cannot be stat'ed,
 * or is not a regular file). */
void ph_sameinput_note(const char *path);

/* The same, for a file opened under another name: `name` is what
 * messages call it (standard input read from a file: "/proc/self/fd/0",
 * "- (standard input)"). */
void ph_sameinput_note_as(const char *path, const char *name);

/* PH_OK if `path` is none of the noted inputs (or does not exist); else
 * records "FILE: is also an input of this command (as NAME): not
 * overwritten" (usage error) and returns PH_EUSAGE. "-" checks the file
 * standard output is redirected to, if a regular file. */
int ph_sameinput_check_output(const char *path);

/* Forget every noted input (unit tests). */
void ph_sameinput_forget(void);

#endif
