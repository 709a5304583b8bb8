/* meta.h -- what the pipeline needs to know about an image, and the header
 * keys that carry it from tool to tool.
 *
 * Keys (in the SCI header of a ph image and every later product):
 *   FILTER   band              MJD-OBS  MJD of the exposure
 *   EXPTIME  seconds           SCA_NUM  detector
 *   OBSID    observation id (pointing; a string)
 *   GAIN     e-/ADU            RDNOISE  e- rms          SATURATE  ADU
 *   ZPT      AB zero point: m = -2.5 log10(counts) + ZPT
 *   PH_NAME  file name of the original image (science_name in the LC)
 *   PH_ID    image id (file stem when there is no database)
 * and, written by ph-skysub:
 *   SKYRMS   median of the sky rms map (phrosty's sky_rms)
 *   SKYLEVEL median of the subtracted background
 * After ph-align the template's are kept with a TPL prefix: TPLNAME, TPLID,
 * TPLOBSID, TPLSCA, TPLMJD, TPLRMS (template SKYRMS), TPLZPT.
 */
#ifndef PH_META_H
#define PH_META_H

#include "header.h"

typedef struct ph_meta {
    char band[16];    /* "" if unknown */
    char obsid[64];   /* "" if unknown */
    char name[256];   /* original file name */
    char id[256];     /* image id */
    long sca;         /* -1 if unknown */
    double mjd;       /* NaN if unknown, and so on */
    double exptime;
    double gain;
    double rdnoise;
    double saturate;
    double zpt;
    double skyrms;
    double skylevel;
} ph_meta;

/* All fields unknown. */
void ph_meta_init(ph_meta *m);

/* Read the keys above (missing ones stay unknown). Also understands the
 * input layouts: OpenUniverse2024 (FILTER, MJD-OBS, SCA_NUM, EXPTIME,
 * ZPTMAG; observation id from the file name Roman_TDS_simple_model_<band>_
 * <pointing>_<sca>.fits[.gz]) and phrosty's "threefile" manual FITS (BAND,
 * MJD, SCA, POINTING, ZPT). `path` names the file for messages and the
 * name/id/obsid fallbacks (may be NULL). Fills EXPTIME from the band table
 * and ZPT from the band and exposure time when the header lacks them. */
void ph_meta_from_header(const ph_header *h, const char *path, ph_meta *m);

/* Write every known field into `h` with the keys above (replacing). */
int ph_meta_to_header(const ph_meta *m, ph_header *h);

/* Write the template's fields with the TPL prefix. */
int ph_meta_to_header_template(const ph_meta *tpl, ph_header *h);
/* Read them back (fields unknown when absent). */
void ph_meta_from_header_template(const ph_header *h, ph_meta *tpl);

#endif
