/* fuzz_fitshead.c -- streaming FITS headers, plain or gzip
 * (common/fitshead.h): the first HDU named SCI, and the first 2-D image. */
#include "fitshead.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = fuzz_file("image.fits", data, size);
    for (int k = 0; k < 2; k++) {
        long nx, ny;
        ph_header *h = NULL;
        if (!ph_fitshead_read(p, k ? NULL : "SCI", &nx, &ny, &h))
            ph_header_free(h);
        ph_error_clear();
    }
    return 0;
}
