/* io.h -- ph-sim's files: the OpenUniverse2024 layout (images, truth
 * catalogues), phrosty's image lists, the transient's light curve, PSF
 * model files, and the object catalogues it reads. Every file is written
 * to a temporary beside its target and renamed into place. */
#ifndef SIM_IO_H
#define SIM_IO_H

#include "sim.h"

/* <out>/images/<band>/<pointing>/Roman_TDS_simple_model_<band>_<pointing>_<sca>.fits.gz
 * and the same stem under truth/ (.txt) and psf/ (.fits). `kind` is
 * "images", "truth" or "psf". Returns the path (static buffer per kind). */
const char *sim_path(const char *out, const char *kind, const sim_scene *s, const sim_epoch *e);

/* The image: empty primary, SCI float64, ERR float32, DQ uint32, each with
 * the epoch header (WCS + metadata + SKY_MEAN + simulation keys). */
int sim_write_image(const char *path, const sim_scene *s, const sim_epoch *e,
                    const sim_image *img);

/* The truth catalogue of one image (OpenUniverse2024 columns). */
int sim_write_truth(const char *path, const sim_scene *s, const sim_image *img);

/* templates.csv and science.csv (phrosty's lists, paths relative to
 * <out>/images), and truth/transient_<oid>_<band>.csv. `flux`, `x0`, `y0`
 * per epoch (NaN when the transient is off the image). */
int sim_write_lists(const char *out, const sim_scene *s);
int sim_write_lightcurve(const char *out, const sim_scene *s, const double *flux,
                         const double *realized, const double *x0, const double *y0);

/* A PSF model file: the oversampled ePSF (odd oversampling, odd native
 * size) as the primary image, with its description in the header. */
int sim_write_psf_model(const char *path, ph_romanpsf *psf, int oversamp, long native_size,
                        long nx, long ny, const sim_epoch *e);

/* A native stamp at phase (dx, dy), psfstamp.h format (not renormalised:
 * PSFNORM F, PSFFRAC = its sum). */
int sim_write_stamp(const char *path, ph_romanpsf *psf, double dx, double dy, long n);

/* Objects from a table (ph_csv_table_read formats). Catalogue columns: ra dec,
 * mag (AB) or flux (counts per exposure), optional obj_type (star|galaxy),
 * object_id, re_arcsec, sersic_n, q, pa_deg. Inject columns: ra dec flux,
 * optional object_id; injected sources are drawn on science epochs only. */
int sim_read_catalog(const char *path, sim_scene *s, int inject);

#endif
