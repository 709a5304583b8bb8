/* header.h -- FITS header cards carried from file to file, which of them
 * describe the WCS, and the metadata keys the pipeline reads from them.
 *
 * A ph_header is the list of 80-character cards of an image HDU minus the
 * structural ones (SIMPLE, XTENSION, BITPIX, NAXISn, EXTEND, PCOUNT, GCOUNT,
 * EXTNAME, BSCALE, BZERO, CHECKSUM, DATASUM, END): the WCS (incl. SIP/TPV
 * keys) and the metadata (MJD-OBS, FILTER, ...). Tools read it from their
 * input and write it into their output so that later tools never need the
 * original file.
 *
 * Keys set by ph_header_set_* replace an existing card of that name (first
 * one) or are appended. Values are formatted by cfitsio.
 */
#ifndef PH_HEADER_H
#define PH_HEADER_H

#include <stddef.h>

typedef struct ph_header {
    int ncards, cap;
    char (*cards)[81];
} ph_header;

ph_header *ph_header_new(void);
ph_header *ph_header_copy(const ph_header *h);
void ph_header_free(ph_header *h);

/* Append a raw 80-column card unless it is structural; returns 0 or error. */
int ph_header_add_card(ph_header *h, const char *card);

/* Setters (NULL comment allowed). */
int ph_header_set_str(ph_header *h, const char *key, const char *value, const char *comment);
int ph_header_set_double(ph_header *h, const char *key, double value, const char *comment);
int ph_header_set_long(ph_header *h, const char *key, long value, const char *comment);
int ph_header_set_bool(ph_header *h, const char *key, int value, const char *comment);
/* A HISTORY or COMMENT line (key "HISTORY" or "COMMENT"). */
int ph_header_add_text(ph_header *h, const char *key, const char *text);

/* Getters: 0 found and parsed, 1 absent; -1 present but unparsable (no
 * error recorded: the caller names the file). */
int ph_header_get_str(const ph_header *h, const char *key, char *out, size_t size);
int ph_header_get_double(const ph_header *h, const char *key, double *out);
int ph_header_get_long(const ph_header *h, const char *key, long *out);
int ph_header_has(const ph_header *h, const char *key);
void ph_header_del(ph_header *h, const char *key);

/* Is `key` one of the structural keywords above? */
int ph_header_is_structural(const char *key);

/* All cards concatenated (80 chars each, no END), for wcslib's wcspih.
 * Caller frees. */
char *ph_header_string(const ph_header *h, int *ncards);

/* WCS cards: which header cards describe the WCS, so that a product can
 * carry one image's pixel grid (its WCS cards) and another image's
 * metadata (everything else): ph-align writes the science WCS with the
 * template's keys.
 *
 * WCS cards: WCSAXES, WCSNAME, CTYPEi, CUNITi, CRPIXi, CRVALi, CDELTi,
 * CROTAi, CDi_j, PCi_j, PVi_m, PSi_m, CNAMEi, CRDERi, CSYERi, LONPOLE,
 * LATPOLE, RADESYS, RADECSYS, EQUINOX, EPOCH, MJDREF, the SIP keys
 * (A_ORDER, A_p_q, AP_p_q, A_DMAX and the B ones) and the distortion-paper
 * keys (CPDISi, CQDISi, DPi, DQi, CPERRi, CQERRi), IRAF's LTVi and LTMi_j
 * (physical coordinates, tied to the pixel grid), each also with an
 * alternate-description letter A-Z.
 */

/* Is `key` (trimmed, upper case) a WCS keyword? */
int ph_header_is_wcs_key(const char *key);

/* Remove every WCS card from `dst`, then append the WCS cards of `src` in
 * their order. */
int ph_header_take_wcs(ph_header *dst, const ph_header *src);

/* Metadata: what the pipeline needs to know about an image, and the header
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
void ph_header_meta_init(ph_meta *m);

/* Read the keys above (missing ones stay unknown). Also understands the
 * input layouts: OpenUniverse2024 (FILTER, MJD-OBS, SCA_NUM, EXPTIME,
 * ZPTMAG; observation id from the file name Roman_TDS_simple_model_<band>_
 * <pointing>_<sca>.fits[.gz]) and phrosty's "threefile" manual FITS (BAND,
 * MJD, SCA, POINTING, ZPT). `path` names the file for messages and the
 * name/id/obsid fallbacks (may be NULL). Fills EXPTIME from the band table
 * and ZPT from the band and exposure time when the header lacks them. */
void ph_header_meta_from(const ph_header *h, const char *path, ph_meta *m);

/* Write every known field into `h` with the keys above (replacing). */
int ph_header_meta_to(const ph_meta *m, ph_header *h);

/* Write the template's fields with the TPL prefix. */
int ph_header_meta_to_template(const ph_meta *tpl, ph_header *h);
/* Read them back (fields unknown when absent). */
void ph_header_meta_from_template(const ph_header *h, ph_meta *tpl);

#endif
