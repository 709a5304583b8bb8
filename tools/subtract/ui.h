/* ui.h -- ph-subtract's options and their table, and reading and checking its inputs so
 * that the work in subtract.c never sees a bad value. */
#ifndef PH_SUBTRACT_UI_H
#define PH_SUBTRACT_UI_H

#include "base/cli.h"
#include "base/gpu.h"
#include "io/image.h"
#include "io/psfstamp.h"
#include "sci/sfft.h"
#include "stars.h"
#include "subtract.h"

typedef struct sub_opts {
    const char *sci, *sci_psf, *ref, *ref_psf, *output;
    ph_sfft_params par;  /* --kernel-halfwidth, --kernel-order, --bg-order, --const-phot-ratio */
    double min_rcond;    /* --min-rcond */
    long kernel_grid;    /* --kernel-grid (0: none) */
    ph_device device;    /* --device */
    long threads;        /* --threads (0: every CPU) */
    const char *gpu_lock; /* --gpu-lock ("" or "none": no lock) */
    long gpu_slots;      /* --gpu-slots */
    double ra, dec;      /* --ra, --dec: the transient (NaN: none) */
    double exclude_r;    /* --exclude-radius, px */
    double ex_x0, ex_y0; /* the transient on the science grid, 0-based (set by main) */
    int method;          /* --method: PH_SUB_PSF or PH_SUB_SFFT */
    int fit_pixels;      /* --fit-pixels: PH_SUB_FIT_*; -1: the method's */
    long star_r;         /* --star-radius */
    double clip;         /* --clip (NaN: the method's) */
    int order_src;       /* where --kernel-order came from: 0 default, 1 phrosty's
                          * kerpolyorder, 2 the command line or ph.subtract.kernel_order;
                          * -1 before the parse hands the handler the default */
} sub_opts;

enum { PH_SUB_PSF = 0, PH_SUB_SFFT = 1 };

/* The option table (ui.c): each option's field, type, range, default and
 * config key (common/cli.h). */
extern const ph_opt subtract_options[];

/* The values before any option: the table's typed defaults, NaN or -1
 * where the method or the image decides. */
void sub_opts_default(sub_opts *o);

/* The handler of the one untyped option, --kernel-order. */
int sub_ui_handle(ph_cli *cli, int key, const char *arg);

/* The usage: no argument, --science, --template and -o given, --ra with
 * --dec; and the psf method's kernel order 0 unless asked (phrosty's
 * kerpolyorder is the sfft method's). Errors PH_EUSAGE. */
int sub_opts_check(const ph_cli *cli, sub_opts *o);

/* Everything read from the input files. */
typedef struct sub_data {
    ph_image sci, ref;  /* VAR, MASK (+ PSF HDU), header; ref.meta = the template's;
                         * their SCI planes (sci.sci, ref.sci) are NULL: */
    double *sci_plane, *ref_plane; /* the SCI planes in double (ph_sfft_alloc_big), what
                         * the subtraction works in; sub_run takes them over */
    ph_psf psf_sci; /* science PSF stamp */
    ph_psf psf_ref; /* rotated template PSF: --template-psf or the aligned file's PSF HDU */
    ph_psf psf_phased;  /* the science PSF at the transient's phase: the PHASED_PSF HDU of
                         * --science-psf (ph-psf writes it), carried to ph-decorr; data NULL
                         * when the file has none */
    const char *psf_sci_src, *psf_ref_src; /* where they came from, for the header */
    ph_startab stars;   /* the aligned template's STARS table (n = 0: none) */
    const ph_ovpsf *ov_sci, *ov_ref; /* the PSFs' EPSF HDUs (NULL: none) */
} sub_data;

/* Read both images and PSFs and check them: same grid (size, and WCS when
 * both have one), same band when both are known, odd PSFs with a positive
 * sum, no NaN in a pixel not flagged BAD or OUTSIDE (those are set to 0).
 * Each SCI plane is made double as soon as it is checked, its float copy
 * freed before the next image is read (the memory at 4088 x 4088). */
int sub_read(const sub_opts *o, sub_data *d);
void sub_data_free(sub_data *d);

/* With --ra/--dec, the transient's pixel on the science grid (o->ex_x0,
 * o->ex_y0, through the science WCS), and a warning when the carried
 * PHASED_PSF was drawn elsewhere. */
int sub_locate(sub_opts *o, const sub_data *d);

/* The work's input from the options and the data: each method's defaults
 * for the fit pixels, the guard and the clip resolved. The SCI planes are
 * handed over (d's are set to NULL: sub_run frees them). */
void sub_in_make(const sub_opts *o, sub_data *d, sub_in *in);

#endif
