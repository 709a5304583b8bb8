/* lcout.h -- where ph-lc's outputs go (the light curve, its metadata, the
 * ECSV copy, the plot) and writing them all or none. */
#ifndef PH_LC_OUT_H
#define PH_LC_OUT_H

#include "lcmeta.h"
#include "ui.h"
#include "lctruth.h"
#include "io/lightcurve.h"

/* Decide where the light curve (csv) and its metadata (meta) go from the
 * options; check their combinations ("" when an output is not written). */
int lc_plan_outputs(const lc_params *p, const ph_cli *cli, char *csv, size_t csz, char *meta,
                    size_t msz);

/* Write every output to its temporary, then move them all into place, so
 * that a failure leaves none of them. */
int lc_write_outputs(const lc_params *p, const char *csv, const char *metapath,
                     const ph_lc_rows *rows, const lc_meta *meta, const lc_truth *truth);

#endif
