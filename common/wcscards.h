/* wcscards.h -- which header cards describe the WCS, so that a product can
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
#ifndef PH_WCSCARDS_H
#define PH_WCSCARDS_H

#include "header.h"

/* Is `key` (trimmed, upper case) a WCS keyword? */
int ph_wcscards_is_wcs_key(const char *key);

/* Remove every WCS card from `dst`, then append the WCS cards of `src` in
 * their order. */
int ph_wcscards_take_wcs(ph_header *dst, const ph_header *src);

#endif
