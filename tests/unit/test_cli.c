/* test_cli.c -- typed option rows (common/cli.h): each type parsed into its
 * field, ranges checked, the table's defaults set first, then the config,
 * --set and the command line in that order of precedence; "none" words,
 * choices with values, switches and flags; ph_cli_defaults. */
#include "check.h"
#include "base/cli.h"
#include "base/log.h"

#include <math.h>

typedef struct params {
    int n, on, flag, kind, box;
    long big;
    double x, cut;
    const char *path;
} params;

enum { K_A, K_B, K_C };

#define P params
static const ph_opt table[] = {
    {"n", 'n', "N", "a count", PH_AT(P, n), .lo = 1, .hi = 10, .def = "3"},
    {"on", 0, NULL, "a switch", NULL, PH_OPT_BOOL, PH_AT(P, on), .def = "on"},
    {"flag", 0, NULL, "a flag", PH_AT(P, flag)},
    {"kind", 0, "a|b|bee|c", "a choice", PH_CHOICE_AT(P, kind), .def = "b",
     .values = (const int[]){K_A, K_B, K_B, K_C}},
    {"big", 0, "N", "a long, any", PH_AT(P, big), .def = "-5000000000"},
    {"x", 0, "X", "a real", PH_AT(P, x), .lo = 0, .hi = 1, .def = "0.25"},
    {"cut", 0, "X|none", "a real or none", NULL, PH_OPT_NONE, PH_AT(P, cut), .lo = 0, .hi = 9,
     .def = "2"},
    {"path", 'p', "FILE", "a string", PH_AT(P, path)},
    {"box", 0, "N", "an odd size", NULL, PH_OPT_ODD, PH_AT(P, box), .lo = 1, .hi = 99, .def = "5"},
    {0},
};
#undef P

/* Parse `args` (NULL-ended, after the program name) into fresh params. */
static int parse(const char **args, params *p)
{
    char *argv[32] = {"ph-test"};
    int argc = 1;
    while (*args && argc < 31)
        argv[argc++] = (char *)*args++;
    memset(p, 0, sizeof *p);
    ph_cli cli = {.tool = "ph-test", .usage = "", .summary = "", .opts = table, .ctx = p};
    int st = ph_cli_parse(&cli, argc, argv);
    ph_cli_free(&cli);
    ph_error_clear();
    return st;
}

TEST(defaults_from_the_table)
{
    params p;
    const char *a[] = {NULL};
    EXPECT(parse(a, &p) == PH_OK);
    EXPECT(p.n == 3 && p.on == 1 && p.flag == 0 && p.kind == K_B && p.big == -5000000000L);
    EXPECT_NEAR(p.x, 0.25, 0);
    EXPECT_NEAR(p.cut, 2, 0);
    EXPECT(p.path == NULL);
    EXPECT(p.box == 5);
    params q;
    memset(&q, 0, sizeof q);
    EXPECT(ph_cli_defaults(table, NULL, &q) == PH_OK);
    EXPECT(q.n == 3 && q.on == 1 && q.kind == K_B);
}

TEST(each_type_from_the_command_line)
{
    params p;
    const char *a[] = {"-n", "7", "--no-on", "--flag", "--kind", "bee", "--big", "12",
                       "--x", "1", "--cut", "none", "-p", "f.fits", NULL};
    EXPECT(parse(a, &p) == PH_OK);
    EXPECT(p.n == 7 && p.on == 0 && p.flag == 1 && p.kind == K_B && p.big == 12);
    EXPECT_NEAR(p.x, 1, 0);
    EXPECT(isnan(p.cut));
    EXPECT(p.path && !strcmp(p.path, "f.fits"));
    const char *c[] = {"--kind", "c", NULL};
    EXPECT(parse(c, &p) == PH_OK && p.kind == K_C);
}

TEST(ranges_and_words_refused)
{
    params p;
    const char *a[] = {"-n", "11", NULL}, *b[] = {"-n", "0", NULL}, *c[] = {"--x", "1.5", NULL},
               *d[] = {"--kind", "d", NULL}, *e[] = {"-n", "2.5", NULL},
               *f[] = {"--x", "none", NULL}, *g[] = {"--cut", "10", NULL},
               *h[] = {"--box", "4", NULL}, *i[] = {"--box", "7", NULL};
    EXPECT(parse(a, &p) == PH_EUSAGE);
    EXPECT(parse(b, &p) == PH_EUSAGE);
    EXPECT(parse(c, &p) == PH_EUSAGE);
    EXPECT(parse(d, &p) == PH_EUSAGE);
    EXPECT(parse(e, &p) == PH_EUSAGE);
    EXPECT(parse(f, &p) == PH_EUSAGE); /* only PH_OPT_NONE rows take none */
    EXPECT(parse(g, &p) == PH_EUSAGE);
    EXPECT(parse(h, &p) == PH_EUSAGE); /* PH_OPT_ODD */
    EXPECT(parse(i, &p) == PH_OK && p.box == 7);
}

TEST(precedence_default_config_set_command_line)
{
    char path[600];
    snprintf(path, sizeof path, "%s/c.yaml", check_tmpdir());
    FILE *fp = fopen(path, "w");
    fputs("ph:\n  test:\n    n: 4\n    x: 0.5\n    kind: c\n", fp);
    fclose(fp);
    params p;
    const char *a[] = {"-c", path, NULL};
    EXPECT(parse(a, &p) == PH_OK);
    EXPECT(p.n == 4 && p.kind == K_C);
    EXPECT_NEAR(p.x, 0.5, 0);
    const char *b[] = {"-c", path, "--set", "ph.test.n=5", NULL};
    EXPECT(parse(b, &p) == PH_OK && p.n == 5);
    const char *c[] = {"-c", path, "--set", "ph.test.n=5", "-n", "6", NULL};
    EXPECT(parse(c, &p) == PH_OK && p.n == 6);
    const char *d[] = {"--set", "ph.test.n=99", NULL}; /* a config value is checked too */
    EXPECT(parse(d, &p) == PH_EUSAGE);
}

int main(void)
{
    ph_verbosity = 0;
    RUN(defaults_from_the_table);
    RUN(each_type_from_the_command_line);
    RUN(ranges_and_words_refused);
    RUN(precedence_default_config_set_command_line);
    return check_done();
}
