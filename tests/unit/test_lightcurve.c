/* test_lightcurve.c -- the light-curve row schema (common/io/lightcurve.h):
 * phrosty's column order, reading with every kind of bad cell, writing
 * what reads back bit-exactly, concatenated CSVs; and the atomic writer. */
#include "io/atomicfile.h"
#include "check.h"
#include "io/csv.h"
#include "io/lightcurve.h"
#include "base/log.h"

#include <sys/stat.h>

static const char *HDR =
    "mjd,flux,flux_err,zpt,NEA,sky_rms,observation_id,sca,pix_x,pix_y,science_name,"
    "template_name,science_id,template_id,template_observation_id,template_sca,aperture_sum,"
    "mag,mag_err,success,zpt_source,zpt_nstars,zpt_scatter\n";
static const char *ROW1 =
    "62455.669,1193.509,540,32.6617,12.5,18.7,35198,2,2044.25,2043.75,"
    "Roman_TDS_simple_model_Y106_35198_2.fits.gz,Roman_TDS_simple_model_Y106_5934_3.fits.gz,"
    "None,None,5934,3,1006.897,-7.692,0.49,True,header,0,nan\n";

static const char *tmpdir(void)
{
    static const char *d;
    if (!d)
        d = strdup(check_tmpdir());
    return d;
}

static const char *write_tmp(const char *name, const char *text)
{
    static char p[8][600];
    static int k;
    char *path = p[k++ % 8];
    snprintf(path, 600, "%s/%s", tmpdir(), name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

/* Read `text` as rows; returns the status, error message in *msg. */
static int read_rows(const char *text, ph_lc_rows *rows, const char **msg)
{
    ph_error_clear();
    const char *p = write_tmp("rows.csv", text);
    ph_table t;
    int st = ph_csv_table_read(p, &t);
    if (!st) {
        st = ph_lc_rows_add_table(rows, &t, p);
        ph_csv_table_free(&t);
    }
    *msg = ph_error_message();
    return st;
}

TEST(schema_is_phrostys_order)
{
    /* pipeline-reference §5.1, "exactly in this order (test-asserted)" */
    const char *phrosty[20] = {"mjd", "flux", "flux_err", "zpt", "NEA", "sky_rms",
                               "observation_id", "sca", "pix_x", "pix_y", "science_name",
                               "template_name", "science_id", "template_id",
                               "template_observation_id", "template_sca", "aperture_sum", "mag",
                               "mag_err", "success"};
    EXPECT(PH_LC_NPHROSTY == 20 && PH_LC_NCOLS == 26);
    for (int k = 0; k < 20; k++)
        EXPECT_STR(ph_lc_columns[k].name, phrosty[k]);
    EXPECT_STR(ph_lc_columns[20].name, "zpt_source");
    EXPECT_STR(ph_lc_columns[21].name, "zpt_nstars");
    EXPECT_STR(ph_lc_columns[22].name, "zpt_scatter");
    EXPECT_STR(ph_lc_columns[23].name, "res_nstars");
    EXPECT_STR(ph_lc_columns[24].name, "res_zmed");
    EXPECT_STR(ph_lc_columns[25].name, "res_zp90");
    EXPECT(ph_lc_column_index("template_sca") == 15);
    EXPECT(ph_lc_column_index("nope") == -1);
}

TEST(read_one_row)
{
    char text[2048];
    snprintf(text, sizeof text, "%s%s", HDR, ROW1);
    ph_lc_rows rows = {0};
    const char *msg;
    EXPECT(read_rows(text, &rows, &msg) == 0);
    EXPECT(rows.n == 1);
    const ph_lc_row *r = &rows.r[0];
    EXPECT(r->mjd == 62455.669 && r->flux == 1193.509 && r->flux_err == 540);
    EXPECT(r->zpt == 32.6617 && r->nea == 12.5 && r->sky_rms == 18.7);
    EXPECT_STR(r->observation_id, "35198");
    EXPECT(r->sca == 2 && r->template_sca == 3);
    EXPECT(r->pix_x0 == 2044.25 && r->pix_y0 == 2043.75);
    EXPECT_STR(r->template_name, "Roman_TDS_simple_model_Y106_5934_3.fits.gz");
    EXPECT_STR(r->science_id, "None");
    EXPECT_STR(r->template_observation_id, "5934");
    EXPECT(r->aperture_sum == 1006.897 && r->mag == -7.692 && r->mag_err == 0.49);
    EXPECT(r->success == 1);
    EXPECT_STR(r->zpt_source, "header");
    EXPECT(r->zpt_nstars == 0 && isnan(r->zpt_scatter));
    EXPECT(r->line == 2);
    ph_lc_rows_free(&rows);
}

TEST(failed_row_and_nan_spellings)
{
    const char *text =
        "mjd,flux,flux_err,zpt,NEA,sky_rms,observation_id,sca,pix_x,pix_y,science_name,"
        "template_name,science_id,template_id,template_observation_id,template_sca,"
        "aperture_sum,mag,mag_err,success\n"
        "62515.527,nan,NaN,,nan,nan,39790,15,nan,nan,s.fits,t.fits,s,t,5934,3,nan,nan,nan,"
        "False\n"
        "62515.527,1,1,1,1,1,39790,15,1,1,s.fits,u.fits,s,u,5934,3,1,1,1,false\n"
        "62515.527,1,1,1,1,1,39790,15,1,1,s.fits,v.fits,s,v,5934,3,1,1,1,1\n";
    ph_lc_rows rows = {0};
    const char *msg;
    EXPECT(read_rows(text, &rows, &msg) == 0);
    EXPECT(rows.n == 3);
    EXPECT(isnan(rows.r[0].flux) && isnan(rows.r[0].flux_err) && isnan(rows.r[0].zpt));
    EXPECT(rows.r[0].success == 0 && rows.r[1].success == 0 && rows.r[2].success == 1);
    /* extras absent: empty, NaN, NaN */
    EXPECT_STR(rows.r[0].zpt_source, "");
    EXPECT(isnan(rows.r[0].zpt_nstars) && isnan(rows.r[0].zpt_scatter));
    ph_lc_rows_free(&rows);
}

TEST(bad_cells_name_line_and_column)
{
    struct {
        const char *from, *to, *msg;
    } cases[] = {
        {"1193.509", "12abc", "line 2: column flux: '12abc' is not a number"},
        {",35198,2,", ",35198,2.5,", "line 2: column sca: '2.5' is not a whole number"},
        {",True,", ",yes,", "line 2: column success: 'yes' is not True or False"},
        {",header,0,", ",header,x,", "line 2: column zpt_nstars: 'x' is not a whole number"},
        {"None,None", "None,None,extra", "line 2: 24 fields, but the header has 23"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char row[1024], text[2048];
        const char *at = strstr(ROW1, cases[i].from);
        snprintf(row, sizeof row, "%.*s%s%s", (int)(at - ROW1), ROW1, cases[i].to,
                 at + strlen(cases[i].from));
        snprintf(text, sizeof text, "%s%s", HDR, row);
        ph_lc_rows rows = {0};
        const char *msg;
        EXPECT(read_rows(text, &rows, &msg) == PH_EFAIL);
        if (!strstr(msg, cases[i].msg)) {
            printf("# case %zu: got '%s'\n", i, msg);
            EXPECT(0);
        }
        EXPECT(strstr(ph_error_file(), "rows.csv") != NULL);
        ph_lc_rows_free(&rows);
    }
    /* a string longer than its field */
    char name[400], text[4096];
    memset(name, 'a', 300);
    name[300] = '\0';
    const char *at = strstr(ROW1, "Roman_TDS_simple_model_Y106_35198_2.fits.gz");
    snprintf(text, sizeof text, "%s%.*s%s%s", HDR, (int)(at - ROW1), ROW1, name,
             at + strlen("Roman_TDS_simple_model_Y106_35198_2.fits.gz"));
    ph_lc_rows rows = {0};
    const char *msg;
    EXPECT(read_rows(text, &rows, &msg) == PH_EFAIL);
    EXPECT(strstr(msg, "column science_name: longer than 255 characters") != NULL);
    ph_lc_rows_free(&rows);
}

TEST(bad_headers)
{
    ph_lc_rows rows = {0};
    const char *msg;
    EXPECT(read_rows("mjd,flux\n1,2\n", &rows, &msg) == PH_EFAIL);
    EXPECT(strstr(msg, "header: no column flux_err") != NULL);
    char text[2048];
    snprintf(text, sizeof text, "mjd,%s%s", HDR, ROW1);
    EXPECT(read_rows(text, &rows, &msg) == PH_EFAIL); /* also a ragged row */
    snprintf(text, sizeof text, "mjd,%.*s,x\n", (int)strlen(HDR) - 1, HDR);
    EXPECT(read_rows(text, &rows, &msg) == PH_EFAIL);
    EXPECT(strstr(msg, "header: column mjd appears twice") != NULL);
    EXPECT(rows.n == 0);
}

TEST(concatenated_sections_and_unknown_columns)
{
    /* a second header, columns in another order (mjd and flux swapped),
     * and an unknown column that is dropped */
    char h2[1024], r2[1024], text[8192];
    snprintf(h2, sizeof h2, "flux,mjd,%s", HDR + strlen("mjd,flux,"));
    const char *rest = ROW1 + strlen("62455.669,1193.509,");
    snprintf(r2, sizeof r2, "5.5,62400.25,%s", rest);
    snprintf(text, sizeof text, "%.*s,comment\n%.*s,hello\n%.*s,comment\n%.*s,world\n",
             (int)strlen(HDR) - 1, HDR, (int)strlen(ROW1) - 1, ROW1, (int)strlen(h2) - 1, h2,
             (int)strlen(r2) - 1, r2);
    ph_lc_rows rows = {0};
    const char *msg;
    int v = ph_verbosity;
    ph_verbosity = 0; /* the dropped column's warning */
    EXPECT(read_rows(text, &rows, &msg) == 0);
    ph_verbosity = v;
    EXPECT(rows.n == 2);
    EXPECT(rows.r[0].mjd == 62455.669 && rows.r[0].flux == 1193.509);
    EXPECT(rows.r[1].mjd == 62400.25 && rows.r[1].flux == 5.5);
    EXPECT(rows.r[1].line == 4);
    ph_lc_rows_free(&rows);
}

TEST(write_reads_back_bit_exact)
{
    ph_lc_row r;
    ph_lc_row_init(&r);
    EXPECT(isnan(r.mjd) && isnan(r.flux) && isnan(r.zpt_nstars) && r.success == 0);
    r.mjd = 62455.669123456789;
    r.flux = 0.1 + 0.2; /* needs 17 digits */
    r.flux_err = 1e-300;
    r.zpt = 32.6617;
    strcpy(r.observation_id, "35198");
    r.sca = 2;
    strcpy(r.science_name, "a, \"quoted\" name.fits");
    strcpy(r.template_name, "t.fits");
    r.template_sca = 18;
    r.mag = -7.692;
    r.success = 1;
    strcpy(r.zpt_source, "catalog");
    r.zpt_nstars = 42;
    r.zpt_scatter = 0.013;
    const char *p = write_tmp("out.csv", "");
    FILE *f = fopen(p, "w");
    ph_lc_write_header(f);
    ph_lc_write_row(f, &r);
    fclose(f);
    ph_table t;
    EXPECT(ph_csv_table_read(p, &t) == 0);
    ph_lc_rows rows = {0};
    EXPECT(ph_lc_rows_add_table(&rows, &t, p) == 0);
    ph_csv_table_free(&t);
    EXPECT(rows.n == 1);
    const ph_lc_row *q = &rows.r[0];
    EXPECT(q->mjd == r.mjd && q->flux == r.flux && q->flux_err == r.flux_err);
    EXPECT(isnan(q->nea) && isnan(q->aperture_sum));
    EXPECT_STR(q->science_name, r.science_name);
    EXPECT(q->template_sca == 18 && q->success == 1 && q->zpt_nstars == 42);
    EXPECT_STR(q->zpt_source, "catalog");
    EXPECT(q->zpt_scatter == 0.013);
    ph_lc_rows_free(&rows);
    char buf[320];
    ph_lc_format_cell(&r, 19, buf, sizeof buf);
    EXPECT_STR(buf, "True");
    ph_lc_format_cell(&r, 4, buf, sizeof buf);
    EXPECT_STR(buf, "nan");
}

TEST(atomic_writer)
{
    char path[700];
    snprintf(path, sizeof path, "%s/atomic.txt", tmpdir());
    ph_atomic a;
    EXPECT(ph_atomic_open(&a, path) == 0);
    fputs("hello\n", a.f);
    EXPECT(access(path, F_OK) != 0); /* not there before the commit */
    EXPECT(ph_atomic_commit(&a) == 0);
    EXPECT(access(path, F_OK) == 0);
    struct stat st;
    EXPECT(stat(path, &st) == 0 && st.st_size == 6);
    EXPECT((st.st_mode & 0444) == 0444); /* readable, not mkstemp's 0600 */
    /* abort leaves the old file and no temporary */
    EXPECT(ph_atomic_open(&a, path) == 0);
    fputs("partial", a.f);
    ph_atomic_abort(&a);
    EXPECT(stat(path, &st) == 0 && st.st_size == 6);
    char cmd[800];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | grep -q '^\\.atomic'", tmpdir());
    EXPECT(system(cmd) != 0);
    ph_error_clear();
    EXPECT(ph_atomic_open(&a, "/nonexistent-dir/x.csv") == PH_EFAIL);
    EXPECT(strstr(ph_error_message(), "cannot create output") != NULL);
    ph_error_clear();
}

int main(void)
{
    RUN(schema_is_phrostys_order);
    RUN(read_one_row);
    RUN(failed_row_and_nan_spellings);
    RUN(bad_cells_name_line_and_column);
    RUN(bad_headers);
    RUN(concatenated_sections_and_unknown_columns);
    RUN(write_reads_back_bit_exact);
    RUN(atomic_writer);
    return check_done();
}
