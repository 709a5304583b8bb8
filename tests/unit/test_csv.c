/* test_csv.c -- image lists (phrosty's blank-separated files and comma
 * files), tables, and writing values that pandas reads back. */
#include "check.h"
#include "io/csv.h"
#include "base/log.h"
#include "base/util.h"

static const char *write_tmp(const char *name, const char *text)
{
    static char p[8][600];
    static int k;
    static const char *dir;
    if (!dir)
        dir = strdup(check_tmpdir());
    char *path = p[k++ % 8];
    snprintf(path, 600, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

TEST(phrosty_list_blanks)
{
    const char *p = write_tmp("sci.csv",
        "path observation_id sca mjd band\n"
        "Y106/35198/Roman_TDS_simple_model_Y106_35198_2.fits.gz 35198 2 62455.669 Y106\n"
        "\n"
        "Y106/39790/Roman_TDS_simple_model_Y106_39790_15.fits.gz   39790\t15 62515.527 Y106\n");
    ph_imlist l;
    EXPECT(ph_csv_imlist_read(p, &l) == 0);
    EXPECT(l.n == 2);
    EXPECT_STR(l.e[1].path, "Y106/39790/Roman_TDS_simple_model_Y106_39790_15.fits.gz");
    EXPECT_STR(l.e[1].obsid, "39790");
    EXPECT(l.e[1].sca == 15 && l.e[1].mjd == 62515.527 && l.e[1].line == 4);
    EXPECT_STR(l.e[0].band, "Y106");
    ph_csv_imlist_free(&l);
}

TEST(comma_list_and_seed_examples)
{
    const char *p = write_tmp("c.csv", "path,observation_id,sca,mjd,band\r\na.fits,1,3,60000.5,R062\r\n");
    ph_imlist l;
    EXPECT(ph_csv_imlist_read(p, &l) == 0);
    EXPECT(l.n == 1 && l.e[0].sca == 3);
    EXPECT_STR(l.e[0].band, "R062");
    ph_csv_imlist_free(&l);
    const char *seed = "../shared/seed/examples/perlmutter_20172782_instances_science.csv";
    if (!check_have(seed))
        SKIP("../shared/seed not present");
    EXPECT(ph_csv_imlist_read(seed, &l) == 0);
    EXPECT(l.n == 53);
    ph_csv_imlist_free(&l);
}

TEST(comments_anywhere)
{
    /* '#' lines (and blank ones) are skipped wherever they are, also
     * before the header; line numbers count them */
    const char *p = write_tmp("cm.csv", "# made by hand\n\npath observation_id sca mjd band\n"
                                        "  # not this one\na 1 2 3 Y106\n");
    ph_imlist l;
    EXPECT(ph_csv_imlist_read(p, &l) == 0);
    EXPECT(l.n == 1 && l.e[0].line == 5);
    EXPECT_STR(l.e[0].path, "a");
    ph_csv_imlist_free(&l);
}

TEST(bad_lists)
{
    ph_imlist l;
    const char *cases[][2] = {
        {"", "empty"},
        {"path observation_id sca mjd band\n", "no images"},
        {"path obsid sca mjd band\na 1 2 3 Y106\n", "expected the header"},
        {"path observation_id sca mjd band\na 1 2 3\n", "got 4"},
        {"path observation_id sca mjd band\na 1 two 3 Y106\n", "sca 'two'"},
        {"path observation_id sca mjd band\na 1 2 x Y106\n", "mjd 'x'"},
        {"path observation_id sca mjd band\na 1 -2 3 Y106\n", "sca '-2'"},
        {"path observation_id sca mjd band\na 1 2 nan Y106\n", "mjd 'nan'"},
        {"path observation_id sca mjd band\nmy a.fits 1 2 3 Y106\n", "a path with a space"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ph_error_clear();
        const char *p = write_tmp("bad.csv", cases[i][0]);
        EXPECT(ph_csv_imlist_read(p, &l) != 0);
        if (!strstr(ph_error_message(), cases[i][1]))
            printf("# case %zu: message '%s' lacks '%s'\n", i, ph_error_message(), cases[i][1]);
        EXPECT(strstr(ph_error_message(), cases[i][1]) != NULL);
    }
    ph_error_clear();
}

TEST(tables_quotes_comments_append)
{
    const char *a = write_tmp("a.csv", "# meta: 1\nmjd,name,flux\n1.5,\"a, b\",nan\n2,\"say \"\"hi\"\"\",3\n");
    const char *b = write_tmp("b.csv", "flux,mjd,name\n7,0.5,c\n");
    ph_table t;
    EXPECT(ph_csv_table_read(a, &t) == 0);
    EXPECT(t.ncols == 3 && t.nrows == 2 && t.ncomments == 1);
    EXPECT_STR(ph_csv_table_cell(&t, 0, 1), "a, b");
    EXPECT_STR(ph_csv_table_cell(&t, 1, 1), "say \"hi\"");
    EXPECT(ph_csv_table_append(&t, b) == 0);
    EXPECT(t.nrows == 3);
    EXPECT_STR(ph_csv_table_cell(&t, 2, ph_csv_table_col(&t, "name")), "c");
    EXPECT_STR(ph_csv_table_cell(&t, 2, ph_csv_table_col(&t, "flux")), "7");
    ph_csv_table_free(&t);
    ph_error_clear();
    EXPECT(ph_csv_table_read(write_tmp("r.csv", "a,b\n1,2,3\n"), &t) != 0);
    EXPECT(strstr(ph_error_message(), "line 2") != NULL);
    ph_error_clear();
    EXPECT(ph_csv_table_read(write_tmp("e.csv", ""), &t) != 0);
    ph_error_clear();
}

TEST(writer_pandas_read_back)
{
    const char *dir = check_tmpdir();
    char p[600];
    snprintf(p, sizeof p, "%s/w.csv", dir);
    FILE *f = fopen(p, "w");
    ph_csv_out o;
    ph_csv_begin(&o, f);
    ph_csv_str(&o, "flux");
    ph_csv_str(&o, "name");
    ph_csv_str(&o, "ok");
    ph_csv_str(&o, "n");
    ph_csv_end_row(&o);
    ph_csv_double(&o, 0.1);
    ph_csv_str(&o, "a,\"b\"");
    ph_csv_bool(&o, 1);
    ph_csv_long(&o, -3);
    ph_csv_end_row(&o);
    ph_csv_double(&o, NAN);
    ph_csv_str(&o, " x ");
    ph_csv_bool(&o, 0);
    ph_csv_long(&o, 4);
    ph_csv_end_row(&o);
    fclose(f);
    if (!check_have("/usr/bin/python3"))
        SKIP("no /usr/bin/python3");
    char cmd[1200];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import pandas as pd, math; d = pd.read_csv('%s'); "
             "assert d.flux[0] == 0.1 and math.isnan(d.flux[1]); "
             "assert d.name[0] == 'a,\\\"b\\\"' and d.name[1] == ' x '; "
             "assert d.ok.dtype == bool and d.ok[0] and not d.ok[1]; assert list(d.n) == [-3, 4]\"",
             p);
    int r = system(cmd);
    EXPECT(r == 0);
}

TEST(format_double_round_trips)
{
    double v[] = {0.1, 1.0 / 3, 1e-300, 62455.669, -2.5e17, 1069.10031};
    char b[40];
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        ph_format_double(b, sizeof b, v[i]);
        EXPECT(strtod(b, NULL) == v[i]);
    }
    ph_format_double(b, sizeof b, 0.1);
    EXPECT_STR(b, "0.1");
}

int main(void)
{
    RUN(phrosty_list_blanks);
    RUN(comma_list_and_seed_examples);
    RUN(comments_anywhere);
    RUN(bad_lists);
    RUN(tables_quotes_comments_append);
    RUN(writer_pandas_read_back);
    RUN(format_double_round_trips);
    return check_done();
}
