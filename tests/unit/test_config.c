/* test_config.c -- YAML config: phrosty's layout, preloads, --set, types,
 * malformed input with line and column. */
#include "check.h"
#include "base/config.h"
#include "base/log.h"
#include "base/util.h"

static const char *phrosty_yaml =
    "replaceable_preloads:\n"
    "  - /nonexistent/container_config.yaml\n"
    "system:\n"
    "  paths:\n"
    "    scratch_dir: /scratch/phrosty_temp\n"
    "    dia_out_dir: /scratch/dia_out_dir/\n"
    "photometry:\n"
    "  phrosty:\n"
    "    keep_intermediate: true\n"
    "    remove_temp_dir: false\n"
    "    kerpolyorder: 2\n"
    "    sfft:\n"
    "      radius_cut_detmask: 2\n"
    "    psf:\n"
    "      type: A25ePSF\n"
    "      params: {}\n";

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

TEST(phrosty_layout)
{
    ph_config *c = ph_config_new();
    EXPECT(ph_config_load_string(c, phrosty_yaml, "cfg") == 0);
    EXPECT_STR(ph_config_get(c, "system.paths.scratch_dir"), "/scratch/phrosty_temp");
    long k = 0;
    EXPECT(ph_config_get_long(c, "photometry.phrosty.kerpolyorder", 9, &k) == 0);
    EXPECT(k == 2);
    int b = -1;
    EXPECT(ph_config_get_bool(c, "photometry.phrosty.keep_intermediate", 0, &b) == 0 && b == 1);
    EXPECT(ph_config_get_bool(c, "photometry.phrosty.remove_temp_dir", 1, &b) == 0 && b == 0);
    double r = 0;
    EXPECT(ph_config_get_double(c, "photometry.phrosty.sfft.radius_cut_detmask", 0, &r) == 0);
    EXPECT_NEAR(r, 2.0, 0);
    /* defaults for absent keys */
    EXPECT(ph_config_get_double(c, "photometry.phrosty.nothing", 1.5, &r) == 0);
    EXPECT_NEAR(r, 1.5, 0);
    EXPECT(ph_config_get(c, "photometry.phrosty.psf") == NULL); /* a mapping */
    EXPECT(ph_config_keys(c, "photometry.phrosty.psf.params", NULL, 0) == 0);
    EXPECT(ph_config_list(c, "replaceable_preloads", NULL, 0) == 1);
    ph_config_free(c);
}

TEST(wrong_type_names_key)
{
    ph_config *c = ph_config_new();
    ph_config_load_string(c, "photometry:\n  phrosty:\n    kerpolyorder: two\n", "cfg");
    long k;
    ph_error_clear();
    EXPECT(ph_config_get_long(c, "photometry.phrosty.kerpolyorder", 2, &k) == PH_EUSAGE);
    EXPECT(strstr(ph_error_message(), "kerpolyorder") != NULL);
    EXPECT(strstr(ph_error_message(), "two") != NULL);
    ph_error_clear();
    ph_config_free(c);
}

/* Issue 17: a list where one value is read is an error with its place,
 * never the default in silence. */
TEST(list_for_a_value_has_line_and_column)
{
    ph_config *c = ph_config_new();
    EXPECT(ph_config_load_string(c, "photometry:\n  phrosty:\n    kerpolyorder: [0]\n", "k.yaml")
           == 0);
    const char *v = "x";
    ph_error_clear();
    EXPECT(ph_config_get_value(c, "photometry.phrosty.kerpolyorder", &v) == PH_EUSAGE);
    EXPECT_STR(ph_error_message(),
               "line 3, column 19: photometry.phrosty.kerpolyorder: expected a single value, "
               "found a list");
    EXPECT_STR(ph_error_file(), "k.yaml");
    ph_error_clear();
    EXPECT(ph_config_get_value(c, "photometry.absent", &v) == 0 && v == NULL);
    ph_config_free(c);
}

/* Issue 17: hostile configs end at once with an error naming the file. */
TEST(bombs_end_at_once)
{
    const char *dir = check_tmpdir();
    char deep[600], alias[600];
    snprintf(deep, sizeof deep, "%s/deep.yaml", dir);
    snprintf(alias, sizeof alias, "%s/alias.yaml", dir);
    size_t n = 100000;
    char *text = malloc(2 * n + 8);
    memcpy(text, "a: ", 3);
    memset(text + 3, '[', n);
    memset(text + 3 + n, ']', n);
    strcpy(text + 3 + 2 * n, "\n");
    write_file(deep, text);
    free(text);
    write_file(alias, "a: &a [1,2,3,4,5,6,7,8,9]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                      "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                      "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                      "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n");
    const char *files[3] = {deep, alias, "/dev/zero"};
    const char *what[3] = {"nested more than 64 deep", "alias bomb", "not a config file"};
    for (int i = 0; i < 3; i++) {
        ph_config *c = ph_config_new();
        ph_error_clear();
        double t0 = ph_now();
        EXPECT(ph_config_load(c, files[i]) != 0 && ph_error_code() == PH_EUSAGE);
        double dt = ph_now() - t0;
        printf("# %s: %.3f s: %s\n", files[i], dt, ph_error_message());
        EXPECT(dt < 1.0);
        EXPECT(strstr(ph_error_message(), what[i]) != NULL);
        EXPECT_STR(ph_error_file(), files[i]);
        ph_config_free(c);
    }
    ph_error_clear();
    unlink(deep);
    unlink(alias);
    rmdir(dir);
}

TEST(set_overrides)
{
    ph_config *c = ph_config_new();
    ph_config_load_string(c, phrosty_yaml, "cfg");
    EXPECT(ph_config_set(c, "photometry.phrosty.kerpolyorder=3") == 0);
    EXPECT(ph_config_set(c, "ph.skysub.back_size=32") == 0);
    EXPECT(ph_config_set(c, "system.paths=flat") == 0); /* replaces a mapping */
    EXPECT_STR(ph_config_get(c, "photometry.phrosty.kerpolyorder"), "3");
    EXPECT_STR(ph_config_get(c, "ph.skysub.back_size"), "32");
    EXPECT_STR(ph_config_get(c, "system.paths"), "flat");
    ph_error_clear();
    EXPECT(ph_config_set(c, "novalue") == PH_EUSAGE);
    ph_error_clear();
    EXPECT(ph_config_set(c, "a..b=1") == PH_EUSAGE);
    ph_error_clear();
    ph_config_free(c);
}

TEST(malformed_yaml_line_column)
{
    ph_config *c = ph_config_new();
    ph_error_clear();
    EXPECT(ph_config_load_string(c, "a:\n  b: 1\n c: [1, 2\n", "bad.yaml") != 0);
    EXPECT(strstr(ph_error_message(), "line 3") != NULL);
    EXPECT(strstr(ph_error_message(), "column") != NULL);
    EXPECT_STR(ph_error_file(), "bad.yaml");
    ph_error_clear();
    EXPECT(ph_config_load_string(c, "- just\n- a list\n", "list.yaml") != 0);
    EXPECT(strstr(ph_error_message(), "mapping") != NULL);
    ph_error_clear();
    ph_config_free(c);
}

TEST(preloads_merge_under_file)
{
    const char *d = check_tmpdir();
    char base[512], main_[512];
    snprintf(base, sizeof base, "%s/base.yaml", d);
    snprintf(main_, sizeof main_, "%s/main.yaml", d);
    write_file(base, "system:\n  paths:\n    temp_dir: /base/tmp\n    ltcv_dir: /base/lc\n"
                     "photometry:\n  phrosty:\n    kerpolyorder: 1\n");
    write_file(main_, "replaceable_preloads:\n  - base.yaml\n  - missing.yaml\n"
                      "system:\n  paths:\n    ltcv_dir: /main/lc\n");
    ph_config *c = ph_config_new();
    int v = ph_verbosity;
    ph_verbosity = 0; /* the missing preload warns */
    EXPECT(ph_config_load(c, main_) == 0);
    ph_verbosity = v;
    EXPECT_STR(ph_config_get(c, "system.paths.temp_dir"), "/base/tmp");
    EXPECT_STR(ph_config_get(c, "system.paths.ltcv_dir"), "/main/lc");
    EXPECT_STR(ph_config_get(c, "photometry.phrosty.kerpolyorder"), "1");
    EXPECT_STR(ph_config_path(c), main_);
    ph_config_free(c);
}

TEST(missing_file)
{
    ph_config *c = ph_config_new();
    ph_error_clear();
    EXPECT(ph_config_load(c, "/nonexistent/x.yaml") != 0);
    EXPECT_STR(ph_error_file(), "/nonexistent/x.yaml");
    ph_error_clear();
    ph_config_free(c);
}

TEST(nulls_and_quotes)
{
    ph_config *c = ph_config_new();
    ph_config_load_string(c, "a: ~\nb: ''\nc: 'null'\nd:\n", "cfg");
    EXPECT(ph_config_has(c, "a") && ph_config_get(c, "a") == NULL);
    EXPECT_STR(ph_config_get(c, "b"), "");
    EXPECT_STR(ph_config_get(c, "c"), "null");
    EXPECT(ph_config_get(c, "d") == NULL);
    double x;
    EXPECT(ph_config_get_double(c, "a", 4.0, &x) == 0 && x == 4.0);
    ph_config_free(c);
}

int main(void)
{
    RUN(phrosty_layout);
    RUN(wrong_type_names_key);
    RUN(list_for_a_value_has_line_and_column);
    RUN(bombs_end_at_once);
    RUN(set_overrides);
    RUN(malformed_yaml_line_column);
    RUN(preloads_merge_under_file);
    RUN(missing_file);
    RUN(nulls_and_quotes);
    return check_done();
}
