/* fuzz_imlist.c -- phrosty's image lists (common/io/csv.h ph_csv_imlist_read). */
#include "io/csv.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ph_imlist l = {0};
    if (!ph_csv_imlist_read(fuzz_file("list.csv", data, size), &l))
        ph_csv_imlist_free(&l);
    ph_error_clear();
    return 0;
}
