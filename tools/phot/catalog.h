/* catalog.h -- the star catalogues ph-phot takes for a zero point.
 *
 * Two formats, told apart by the header line (or forced):
 *  - OpenUniverse2024 truth: a '#'-prefixed header line naming the
 *    whitespace-separated columns (object_id ra dec x y realized_flux flux
 *    mag obj_type); only obj_type `star` rows are kept, and `mag` lacks
 *    ZPTMAG (AB = mag + zptmag, the caller's value).
 *  - plain CSV (or blank-separated) with a header naming at least ra, dec
 *    and mag (AB), optionally preceded by '#' comment lines.
 */
#ifndef PH_PHOT_CATALOG_H
#define PH_PHOT_CATALOG_H

enum { PH_CAT_AUTO = 0, PH_CAT_TRUTH = 1, PH_CAT_CSV = 2 };

typedef struct phot_catalog {
    long n;
    double *ra, *dec, *mag; /* mag: AB */
    int format;             /* PH_CAT_TRUTH or PH_CAT_CSV */
    long skipped;           /* rows that are not stars (truth) */
} phot_catalog;

/* Read `path`; for truth files add `zptmag` to mag (it must be finite
 * then). Errors name the file and line. */
int phot_catalog_read(const char *path, int format, double zptmag, phot_catalog *c);
void phot_catalog_free(phot_catalog *c);

#endif
