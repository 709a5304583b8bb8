/* printmeta.h -- ph-skysub --print-meta: what the tools take from an
 * image's header (and, for OpenUniverse2024, its name), for ph-pipeline's
 * check of the image lists. */
#ifndef PH_SKYSUB_PRINTMETA_H
#define PH_SKYSUB_PRINTMETA_H

/* One line on standard output, "band=B observation_id=O sca=S mjd=M
 * name=N" (empty where unknown), from the header alone. `input` may be
 * phrosty's threefile PATH (PATH_image.fits); `name` (may be NULL) is the
 * file name of a streamed image. */
int skysub_print_meta(const char *input, const char *name);

#endif
