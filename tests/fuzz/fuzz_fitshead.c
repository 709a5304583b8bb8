/* fuzz_fitshead.c -- streaming FITS headers, plain or gzip
 * (common/io/fitsscan.h): the first HDU named SCI, the first 2-D image, and
 * the whole file's layout (sizes claimed against held), read and copied. */
#include "io/fitsscan.h"
#include "fuzz.h"

#include <fcntl.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = fuzz_file("image.fits", data, size);
    for (int k = 0; k < 2; k++) {
        long nx, ny;
        ph_header *h = NULL;
        if (!ph_fitsscan_read(p, k ? NULL : "SCI", &nx, &ny, &h))
            ph_header_free(h);
        ph_error_clear();
    }
    long long total = 0;
    ph_fitsscan_check(p, -1, &total);
    ph_error_clear();
    int null = open("/dev/null", O_WRONLY);
    ph_fitsscan_check(p, null, &total);
    close(null);
    ph_error_clear();
    return 0;
}
