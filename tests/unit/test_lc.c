/* test_lc.c -- ph-lc's core: sorting and duplicates, summary, template
 * groups, magnitudes, truth matching and pulls, axis ticks, the printed
 * table, the metadata path. Expected values are worked out by hand here. */
#include "lcaxis.h"
#include "check.h"
#include "lc.h"
#include "base/log.h"
#include "lcmeta.h"
#include "lcplot.h"
#include "lcprint.h"
#include "lctruth.h"

static ph_lc_row mk(double mjd, const char *sci, const char *tpl, double flux, int ok)
{
    ph_lc_row r;
    ph_lc_row_init(&r);
    r.mjd = mjd;
    snprintf(r.science_name, sizeof r.science_name, "%s.fits", sci);
    snprintf(r.template_name, sizeof r.template_name, "%s.fits", tpl);
    snprintf(r.observation_id, sizeof r.observation_id, "%s", sci);
    snprintf(r.template_observation_id, sizeof r.template_observation_id, "%s", tpl);
    r.sca = 1;
    r.template_sca = 2;
    r.flux = flux;
    r.flux_err = 10;
    r.zpt = 30;
    r.success = ok;
    r.file = "x.csv";
    return r;
}

TEST(sort_by_mjd_then_names_nan_last)
{
    ph_lc_rows rows = {0};
    ph_lc_row in[] = {
        mk(NAN, "s9", "t1", 1, 0),  mk(60010, "s2", "t2", 2, 1), mk(60000, "s1", "t2", 3, 1),
        mk(60010, "s2", "t1", 4, 1), mk(60000, "s1", "t1", 5, 1), mk(60005, "s0", "t1", 6, 0),
        mk(60010, "s10", "t1", 7, 1),
    };
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        in[i].line = (int)i + 2;
        ph_lc_rows_push(&rows, &in[i]);
    }
    int nd;
    EXPECT(lc_collate(&rows, LC_DUP_ERROR, &nd) == 0 && nd == 0);
    /* mjd, then science name (strcmp: "s10" < "s2"), then template */
    const double want[] = {5, 3, 6, 7, 4, 2, 1};
    EXPECT(rows.n == 7);
    for (int i = 0; i < 7; i++)
        EXPECT(rows.r[i].flux == want[i]);
    lc_summary s;
    lc_summarize(&rows, &s);
    EXPECT(s.nrows == 7 && s.nfailed == 2 && s.nnan_mjd == 1);
    EXPECT(s.nscience == 5 && s.ntemplates == 2);
    EXPECT(s.mjd_min == 60000 && s.mjd_max == 60010);
    int group[7], first[7];
    EXPECT(lc_template_groups(&rows, group, first) == 2);
    EXPECT(group[0] == 0 && group[1] == 1 && group[2] == 0 && group[5] == 1);
    EXPECT(first[0] == 0 && first[1] == 1);
    char lab[64];
    lc_template_label(&rows.r[1], lab, sizeof lab);
    EXPECT_STR(lab, "t2/2");
    ph_lc_rows_free(&rows);
}

TEST(duplicates_error_or_last_wins)
{
    ph_lc_rows rows = {0};
    ph_lc_row a = mk(60000, "s1", "t1", 1, 1), b = mk(60001, "s2", "t1", 2, 1),
              c = mk(60000, "s1", "t1", 3, 1);
    a.line = 2;
    b.line = 3;
    c.line = 4;
    c.file = "y.csv";
    ph_lc_rows_push(&rows, &a);
    ph_lc_rows_push(&rows, &b);
    ph_lc_rows_push(&rows, &c);
    int nd;
    ph_error_clear();
    EXPECT(lc_collate(&rows, LC_DUP_ERROR, &nd) == PH_EFAIL);
    EXPECT_STR(ph_error_file(), "y.csv");
    EXPECT(strstr(ph_error_message(), "line 4: pair s1.fits - t1.fits already given (x.csv line 2)"));
    ph_error_clear();
    EXPECT(rows.n == 3); /* untouched on error */
    EXPECT(lc_collate(&rows, LC_DUP_LAST, &nd) == 0);
    EXPECT(nd == 1 && rows.n == 2);
    EXPECT(rows.r[0].flux == 3 && rows.r[1].flux == 2); /* the later row won */
    /* same names but another template SCA: a different pair */
    ph_lc_row d = mk(60000, "s1", "t1", 4, 1);
    d.template_sca = 5;
    ph_lc_rows_push(&rows, &d);
    EXPECT(lc_collate(&rows, LC_DUP_ERROR, &nd) == 0 && rows.n == 3);
    ph_lc_rows_free(&rows);
}

TEST(magnitudes)
{
    ph_lc_row r = mk(60000, "s", "t", 1000, 1);
    r.flux_err = 100;
    r.zpt = 32.6617;
    EXPECT_NEAR(lc_mag_ab(&r), 32.6617 - 7.5, 1e-12);
    EXPECT_NEAR(lc_mag_err(&r), 0.1 * 2.5 / log(10), 1e-15);
    EXPECT_NEAR(lc_mag_err(&r), 0.10857, 1e-5); /* phrosty's 1.0857 */
    r.flux = -5;
    EXPECT(isnan(lc_mag_ab(&r)) && isnan(lc_mag_err(&r)));
    r.flux = 10;
    r.zpt = NAN;
    EXPECT(isnan(lc_mag_ab(&r)));
}

TEST(truth_match_by_id_and_by_mjd)
{
    double mjd[] = {60000.0, 60010.0, 60020.0, 60030.0};
    double flux[] = {0, 100, 200, NAN};
    char obsid[4][64] = {"a", "b", "c", "d"};
    long sca[] = {1, 1, 1, 1};
    lc_truth t = {4, mjd, flux, obsid, sca};
    ph_lc_row rows[5] = {mk(60010.3, "b", "t", 90, 1), mk(60020.0, "c", "t", 230, 1),
                         mk(60000.0, "zz", "t", 1, 1), mk(60030.0, "d", "t", 1, 1),
                         mk(NAN, "a", "t", 1, 1)};
    rows[1].sca = 7; /* the truth has no "c" on SCA 7 */
    int m[5];
    lc_truth_match(&t, rows, 5, 0.5, m);
    EXPECT(m[0] == 1 && m[1] == -1 && m[2] == -1 && m[3] == 3 && m[4] == 0);
    /* without observation ids: nearest MJD within max_dt */
    lc_truth u = {4, mjd, flux, NULL, NULL};
    lc_truth_match(&u, rows, 5, 0.5, m);
    EXPECT(m[0] == 1 && m[1] == 2 && m[2] == 0 && m[3] == 3 && m[4] == -1);
    lc_truth_match(&u, rows, 1, 0.2, m);
    EXPECT(m[0] == -1);
    /* pulls */
    EXPECT_NEAR(lc_pull(&rows[0], 100), -1.0, 1e-15);
    EXPECT_NEAR(lc_pull(&rows[1], 200), 3.0, 1e-15);
    EXPECT(isnan(lc_pull(&rows[0], NAN)));
    rows[0].success = 0;
    EXPECT(isnan(lc_pull(&rows[0], 100)));
    rows[1].flux_err = 0;
    EXPECT(isnan(lc_pull(&rows[1], 100)));
}

TEST(truth_file)
{
    const char *dir = check_tmpdir();
    char p[600];
    snprintf(p, sizeof p, "%s/truth.csv", dir);
    FILE *f = fopen(p, "w");
    fputs("mjd,observation_id,sca,flux,mag,x,y\n62000.5,35198,2,1069.1,25.1,1,2\n"
          "62001.5,35199,3,nan,nan,1,2\n", f);
    fclose(f);
    lc_truth t;
    EXPECT(lc_truth_read(p, &t) == 0);
    EXPECT(t.n == 2 && t.mjd[1] == 62001.5 && t.flux[0] == 1069.1 && isnan(t.flux[1]));
    EXPECT(t.obsid && !strcmp(t.obsid[1], "35199") && t.sca && t.sca[1] == 3);
    lc_truth_free(&t);
    static const char *const bad[][2] = {
        {"mjd,flux\n62000.5,1\nsoon,2\n", "line 3: column mjd: 'soon' is not a number"},
        {"time,flux\n62000.5,1\n", "needs columns mjd and flux (it has no mjd)"},
        {"mjd,flux\n", "header but no rows"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        f = fopen(p, "w");
        fputs(bad[k][0], f);
        fclose(f);
        ph_error_clear();
        EXPECT(lc_truth_read(p, &t) == PH_EFAIL);
        EXPECT(strstr(ph_error_message(), bad[k][1]));
    }
    ph_error_clear();
}

TEST(ticks)
{
    double t[64];
    int nd;
    int n = lc_ticks(0, 10, 5, t, 64, &nd);
    EXPECT(n == 6 && t[0] == 0 && t[5] == 10 && nd == 0);
    n = lc_ticks(61999.1, 62061.3, 8, t, 64, &nd); /* step 10 (raw 7.8, nearer 10 than 5 in log) */
    EXPECT(n == 7 && t[0] == 62000 && t[6] == 62060 && nd == 0);
    n = lc_ticks(23.41, 23.62, 4, t, 64, &nd); /* step 0.05 */
    EXPECT(n == 4 && nd == 2);
    EXPECT_NEAR(t[0], 23.45, 1e-12);
    EXPECT_NEAR(t[3], 23.60, 1e-12);
    n = lc_ticks(-1100, 5300, 6, t, 64, &nd); /* step 1000 */
    EXPECT(n == 7 && t[0] == -1000 && t[1] == 0 && t[6] == 5000);
    EXPECT(lc_ticks(1, 1, 5, t, 64, &nd) == 0);
    EXPECT(lc_ticks(NAN, 1, 5, t, 64, &nd) == 0);
    char buf[32];
    lc_tick_label(-1e-17, 2, buf, sizeof buf);
    EXPECT_STR(buf, "0.00");
    lc_tick_label(-0.5, 1, buf, sizeof buf);
    EXPECT_STR(buf, "-0.5");
    double lo = 5, hi = 5;
    lc_pad_range(&lo, &hi, 0.1, 0.5);
    EXPECT(lo == 4.5 && hi == 5.5);
    lo = NAN, hi = NAN;
    lc_pad_range(&lo, &hi, 0.1, 1);
    EXPECT(lo == -1 && hi == 1);
    lo = 0, hi = 10;
    lc_pad_range(&lo, &hi, 0.1, 1);
    EXPECT(lo == -1 && hi == 11);
}

TEST(plot_formats)
{
    EXPECT(lc_plot_format("a/lc.png") == LC_PLOT_PNG);
    EXPECT(lc_plot_format("LC.SVG") == LC_PLOT_SVG);
    EXPECT(lc_plot_format("x.pdf") == LC_PLOT_PDF);
    EXPECT(lc_plot_format("x.gif") == -1);
    EXPECT(lc_plot_format("dir.png/x") == -1);
    EXPECT(lc_plot_format("png") == -1);
    int w, h;
    lc_plot_default_size(LC_PLOT_PDF, &w, &h);
    EXPECT(w == 720 && h == 576);
}

TEST(printed_table_and_summary)
{
    ph_lc_rows rows = {0};
    ph_lc_row a = mk(60000, "s1", "t1", 1000, 1), b = mk(60001.5, "s2", "t1", NAN, 0);
    ph_lc_rows_push(&rows, &a);
    ph_lc_rows_push(&rows, &b);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    double tf[2] = {980, NAN};
    EXPECT(lc_print_table(f, &rows, tf) == 0);
    fclose(f);
    /* mag = -2.5 log10(1000) + 30 = 22.5; pull = (1000 - 980) / 10 = +2 */
    EXPECT(strstr(text, "mjd") == text + strspn(text, " "));
    EXPECT(strstr(text, "60000.0000  s1/1     t1/2") != NULL);
    EXPECT(strstr(text, "22.500") && strstr(text, "+2.00") && strstr(text, "FAILED"));
    EXPECT(strstr(text, "true_flux") != NULL);
    free(text);
    lc_summary s;
    lc_summarize(&rows, &s);
    char line[256];
    lc_summary_line(line, sizeof line, "X Y106", &s);
    EXPECT_STR(line, "X Y106: 2 pairs (1 failed), 2 science x 1 template, MJD 60000.0000 to "
                     "60001.5000");
    double pull[3] = {1, NAN, -1};
    EXPECT(lc_pull_line(line, sizeof line, pull, 3) == 2);
    EXPECT_STR(line, "pull (flux - true)/flux_err over 2 rows: mean +0.000, std 1.000");
    ph_lc_rows_free(&rows);
}

TEST(meta_path)
{
    char p[256];
    lc_meta_path("lc/data/1/1_Y106_all.csv", p, sizeof p);
    EXPECT_STR(p, "lc/data/1/1_Y106_all.meta.yaml");
    lc_meta_path("out.txt", p, sizeof p);
    EXPECT_STR(p, "out.txt.meta.yaml");
}

int main(void)
{
    RUN(sort_by_mjd_then_names_nan_last);
    RUN(duplicates_error_or_last_wins);
    RUN(magnitudes);
    RUN(truth_match_by_id_and_by_mjd);
    RUN(truth_file);
    RUN(ticks);
    RUN(plot_formats);
    RUN(printed_table_and_summary);
    RUN(meta_path);
    return check_done();
}
