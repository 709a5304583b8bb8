/* fuzz_lightcurve.c -- light-curve CSV rows (common/io/csv.h ph_csv_table_read,
 * common/io/lightcurve.h ph_lc_rows_add_table), as ph-lc reads them. */
#include "io/csv.h"
#include "fuzz.h"
#include "io/lightcurve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = fuzz_file("rows.csv", data, size);
    ph_table t;
    memset(&t, 0, sizeof t);
    if (!ph_csv_table_read(p, &t)) {
        ph_lc_rows rows = {0};
        if (!ph_lc_rows_add_table(&rows, &t, p)) {
            char buf[64];
            for (int i = 0; i < rows.n; i++)
                for (int c = 0; c < 23; c++)
                    ph_lc_format_cell(&rows.r[i], c, buf, sizeof buf);
        }
        ph_lc_rows_free(&rows);
        ph_csv_table_free(&t);
    }
    ph_error_clear();
    return 0;
}
