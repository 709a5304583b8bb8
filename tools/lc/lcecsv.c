/* lcecsv.c -- see lcecsv.h. */
#include "lcecsv.h"
#include "base/log.h"

#include <string.h>

int lc_ecsv_write(FILE *f, const ph_lc_rows *rows, const lc_meta *m)
{
    fputs("# %ECSV 1.0\n# ---\n# delimiter: ','\n# datatype:\n", f);
    for (int k = 0; k < PH_LC_NCOLS; k++) {
        fputs("# - ", f);
        lc_meta_write_column(f, k);
        fputc('\n', f);
    }
    fputs("# meta:\n", f);
    lc_meta_write_fields(f, m, "#   ");
    fputs("# schema: astropy-2.0\n", f);
    ph_lc_write_header(f);
    int k_nstars = ph_lc_column_index("zpt_nstars");
    char buf[320];
    for (int i = 0; i < rows->n; i++) {
        ph_csv_out o;
        ph_csv_begin(&o, f);
        for (int k = 0; k < PH_LC_NCOLS; k++) {
            ph_lc_format_cell(&rows->r[i], k, buf, sizeof buf);
            ph_csv_str(&o, k == k_nstars && !strcmp(buf, "nan") ? "" : buf);
        }
        ph_csv_end_row(&o);
    }
    return ferror(f) ? ph_error(PH_EFAIL, NULL, "cannot write the ECSV file") : PH_OK;
}
