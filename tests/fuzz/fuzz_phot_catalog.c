/* fuzz_phot_catalog.c -- ph-phot's star catalogues (tools/phot/catalog.h):
 * detected format, then each forced. */
#include "catalog.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = fuzz_file("stars.csv", data, size);
    for (int format = PH_CAT_AUTO; format <= PH_CAT_CSV; format++) {
        phot_catalog c = {0};
        if (!phot_catalog_read(p, format, 26.0, &c))
            phot_catalog_free(&c);
        ph_error_clear();
    }
    return 0;
}
