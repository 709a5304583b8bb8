/* imlist.h -- `ph-config imlist` and `ph-config bands`: the image lists and
 * the band names as the C side reads them (common/io/csv.h, common/base/bands.h),
 * printed for scripts, so that ph-pipeline keeps no copy of either. */
#ifndef PH_CONFIG_IMLIST_H
#define PH_CONFIG_IMLIST_H

#include <stdio.h>

/* Read the image list `path` (ph_csv_imlist_read: header, 5 fields, sca, mjd)
 * and check what scripts rely on: each observation_id a plain word
 * (letters, digits and . _ + -, it names products), no field with a tab
 * or control character. Print the images of `band` (NULL: all), one a
 * line, tab-separated: LINE PATH OBSERVATION_ID SCA MJD BAND (LINE: the
 * line number in the file; MJD with the digits that read back the same). */
int config_imlist(FILE *out, const char *path, const char *band);

/* The known bands, one a line, in bands.h's order. */
void config_bands(FILE *out);

#endif
