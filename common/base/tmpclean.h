/* tmpclean.h -- temporary files removed when the program is stopped.
 *
 * Outputs are written to a temporary beside the target and renamed into
 * place (fits.h, atomicfile.h). A run stopped by SIGTERM, SIGINT or SIGHUP
 * (make's or SLURM's kill, Ctrl-C, a closed terminal) removes every
 * temporary registered here before it dies by that signal, so nothing is
 * left behind but the files that were complete. (SIGKILL cannot be caught:
 * inputs inflated from .gz are therefore kept in unlinked files, see fits.h.)
 *
 * The handlers are installed on the first registration and only call
 * unlink() (async-signal-safe); a program's own SIG_IGN (nohup) is kept.
 */
#ifndef PH_TMPCLEAN_H
#define PH_TMPCLEAN_H

/* Remember `path` for removal on a signal; returns a slot for
 * ph_tmp_forget(), or -1 if the table is full (the path is then not
 * removed on a signal; nothing else changes). */
int ph_tmp_remember(const char *path);

/* mkstemps(templ, suffixlen), with the name remembered before a signal
 * can land: SIGTERM, SIGINT and SIGHUP are held across the two (a signal
 * between them would leave the new file behind). *slot as from
 * ph_tmp_remember (-1 on failure). Returns the descriptor, or -1 (errno). */
int ph_tmp_mkstemps(char *templ, int suffixlen, int *slot);

/* The temporary was renamed or removed: forget it. slot -1 is ignored. */
void ph_tmp_forget(int slot);

/* Finish the temporary of an output: when `ok`, check that `path` is not
 * one of the inputs (sameinput.h: one read after the output was opened)
 * and rename `tmp` onto it; otherwise, or when that fails (error
 * recorded), remove it. Slot + 1 in *slotp1 (0: none) is forgotten either
 * way. Returns PH_OK, or the error's code (PH_EFAIL when !ok). */
int ph_tmp_finish(const char *tmp, const char *path, int ok, int *slotp1);

#endif
