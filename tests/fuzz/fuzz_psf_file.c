/* fuzz_psf_file.c -- ph-psf's PSF model files (tools/psf/psf.h): load,
 * then a stamp and the FWHM from what loaded. */
#include "fuzz.h"
#include "psf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    psf_file f;
    memset(&f, 0, sizeof f);
    if (!psf_file_load(fuzz_file("psf.fits", data, size), &f)) {
        double stamp[15 * 15], frac;
        psf_file_stamp(&f, 10.0, 20.0, 0.3, -0.2, 15, PH_INTERP_LANCZOS3, stamp, &frac);
        psf_file_fwhm(&f, 10.0, 20.0);
        psf_file_free(&f);
    }
    ph_error_clear();
    return 0;
}
