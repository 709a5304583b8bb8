/* cli.h -- the command line every tool shares.
 *
 * A tool describes its options once, in a ph_opt table; ph_cli_parse()
 * builds getopt_long's table from it, prints --help from it, handles the
 * common options, and fills the tool's parameters:
 *
 *   -h/--help  -V/--version  -v/--verbose (repeatable)  -q/--quiet
 *   -c/--config FILE  --set KEY=VALUE (repeatable)  --timing  --print-params
 *
 * Typed rows (Gnuastro's model): a row names its destination, a field of
 * the tool's context (cli->ctx), with PH_AT(ctx_type, field); the field's
 * C type (int, long, double, const char *) picks the parser; lo/hi bound
 * it; `def` is its default, spelled as on the command line. ph_cli_parse
 * sets every default, then the config's values, then the command line's,
 * checking each against its range, so a default is written once: in the
 * table, from which --help, --print-params and the man page show it. A
 * PH_OPT_BOOL row or a flag (no arg) with an int field stores 0 or 1; a
 * choice (PH_CHOICE_AT, arg "a|b|c") stores the word's index or values[i].
 * Rows without a type go, as text, to the tool's handler (a value with a
 * grammar of its own); a `def` there is handed to the handler first.
 *
 * Value sources, lowest first: the table's default, the config file, --set,
 * the command line. --print-params prints, for every option, the value in
 * effect, where it came from and its config key, and exits.
 *
 * Config values: every tool option may also come from the config file (-c or
 * $SNPIT_CONFIG), under the key named in its table (`cfgkey`), by default
 * `ph.<tool>.<long_name_with_underscores>`. The handler sees a config value
 * exactly as it would see the command-line text, so validation lives in one
 * place; the command line wins over the config. ph_cli_double() and friends
 * parse an argument and, on failure, record a usage error that names where
 * the value came from ("--back-size" or "config.yaml: ph.skysub.back_size").
 *
 * Flags on a table row (`flags`, 0 for a plain option):
 *   PH_OPT_BOOL   a switch: --NAME turns it on, --no-NAME off, a config
 *                 value true/false does either; the handler receives "true"
 *                 or "false". (--NAME=WORD with a boolean word also works.)
 *   PH_OPT_ALIAS  another spelling of the option whose long name is in
 *                 `help`: hidden from --help and completion, handled as
 *                 that option. A name "" is a short letter only (`key`).
 *   PH_OPT_OLD    with PH_OPT_ALIAS: an old spelling kept for one release;
 *                 using it (or its config key) prints a warning naming
 *                 the new one.
 *   PH_OPT_IN     a file the tool reads: "-" is standard input.
 *   PH_OPT_OUT    a file the tool writes: "-" is standard output. Outputs
 *                 are left out of the settings a product records.
 *   PH_OPT_DIR    a directory the tool writes into: "-" is refused (exit
 *                 2), since a stream cannot hold a directory of files.
 * At most one input and one output may be "-" (checked by ph_cli_parse).
 *
 * Hidden common options: --list-options prints the visible options, one a
 * line ("-o --output FILE", "--no-clean"), for the bash completion that
 * the Makefile generates; --man-options prints the man page's OPTIONS
 * entries (roff: spelling, help, default, range, config key), which
 * scripts/mkman merges with the page's own paragraphs; --settings prints
 * the version and every config value the tool would read (ph-pipeline's
 * per-step settings stamps).
 *
 * Settings: after a successful parse, ph_cli_setting(i) lists the options
 * in effect (from the command line or the config, in table order, outputs
 * left out), which ph_fits_create() writes as HISTORY cards into every FITS
 * product: the same settings give the same cards, whatever their source.
 */
#ifndef PH_CLI_H
#define PH_CLI_H

#include "base/config.h"

#include <stddef.h>

typedef struct ph_opt {
    const char *name;   /* long name, no dashes: "back-size" */
    int key;            /* short option letter, or a distinct value >= 256 */
    const char *arg;    /* argument name shown in --help ("N"); NULL: a flag.
                           PH_T_CHOICE: the words, "auto|physical|model" */
    const char *help;   /* one line, without the default (rendered from def) */
    const char *cfgkey; /* config key; NULL: ph.<tool>.<name>; "": none */
    int flags;          /* PH_OPT_* below; 0: a plain option */
    /* The typed part (Gnuastro's args.h model): where the value goes, of
     * what type, in what range, and its default. Rows without a type are
     * handed, as text, to the tool's handler. */
    int type;           /* PH_T_*, set by PH_AT/PH_CHOICE_AT; 0: the handler */
    size_t off;         /* the field's offset in the tool's context (cli->ctx) */
    double lo, hi;      /* PH_T_INT, _LONG, _DOUBLE: the range; lo == hi: any */
    const char *def;    /* the default, spelled as on the command line; set in
                           the field (or handed to the handler) before the
                           config and the command line; NULL: none, or one
                           the tool derives (say which in help) */
    const int *values;  /* PH_T_CHOICE: the value stored for each word; NULL:
                           the word's index */
} ph_opt;

enum {
    PH_OPT_BOOL = 1 << 0,
    PH_OPT_ALIAS = 1 << 1,
    PH_OPT_OLD = 1 << 2,
    PH_OPT_IN = 1 << 3,
    PH_OPT_OUT = 1 << 4,
    PH_OPT_DIR = 1 << 5,
    PH_OPT_NONE = 1 << 6, /* typed: the word "none" is accepted and stores NaN
                             (double) or NULL (string) */
    PH_OPT_ODD = 1 << 7,  /* typed int or long: the value must be odd (a stamp
                             or box that centres on a pixel) */
};

/* How ph_cli_parse stores a typed option's value. A PH_OPT_BOOL row with
 * an int field stores 0 or 1; a flag row (no arg) with an int field, 1. */
enum {
    PH_T_NONE = 0, /* the handler gets the text */
    PH_T_STR,      /* const char *: the text (argv or the config's, which
                      live until ph_cli_free) */
    PH_T_INT,      /* int (or an enum), checked against [lo, hi] */
    PH_T_LONG,     /* long, checked against [lo, hi] */
    PH_T_DOUBLE,   /* double, checked against [lo, hi] */
    PH_T_CHOICE,   /* int (or an enum): one of the words in arg */
};

/* The destination of a typed row: `PH_AT(ctx, p.back_size)` in a row's
 * initializer names the field of the tool's context struct, and its C type
 * picks the parser (int, long, double, const char *). */
#define PH_T_OF(T, field)                                                                        \
    _Generic(((T *)0)->field, int: PH_T_INT, unsigned: PH_T_INT, long: PH_T_LONG,                 \
             double: PH_T_DOUBLE, const char *: PH_T_STR, char *: PH_T_STR)
#define PH_AT(T, field) .type = PH_T_OF(T, field), .off = offsetof(T, field)
/* A choice: the field (an int or enum) gets values[i], or i, for word i. */
#define PH_CHOICE_AT(T, field) .type = PH_T_CHOICE, .off = offsetof(T, field)

typedef struct ph_cli ph_cli;
typedef int (*ph_opt_handler)(ph_cli *cli, int key, const char *arg);

struct ph_cli {
    /* Set by the tool. */
    const char *tool;        /* "ph-skysub" */
    const char *usage;       /* "[OPTION]... IMAGE" */
    const char *summary;     /* one line */
    const char *description; /* paragraphs for --help; may be NULL */
    const char *example;     /* one example command line */
    const ph_opt *opts;      /* terminated by an entry with name NULL */
    ph_opt_handler handle;   /* called for each tool option */
    void *ctx;               /* the tool's own state, for the handler */
    int pos_in;              /* the positional arguments are input files ("-" = stdin) */
    const char *const *cfg_read; /* config subtrees the tool reads itself (NULL-ended;
                                    for --settings), e.g. "photometry.phrosty.psf" */

    /* Filled in by ph_cli_parse. */
    ph_config *cfg;  /* never NULL after a successful parse */
    int timing;      /* --timing given */
    int npos;        /* positional arguments */
    char **pos;
    const char *source; /* where the value being handled came from */
};

/* Returns PH_OK to go on, PH_EUSAGE (error recorded) for bad usage or a bad
 * config, or -1 after printing --help/--version (the tool exits 0). */
int ph_cli_parse(ph_cli *cli, int argc, char **argv);
void ph_cli_free(ph_cli *cli);

/* The end of a tool's main: print the --timing table, free, and return the
 * exit status (0 after --help; else the recorded error's, reported). */
int ph_cli_exit(ph_cli *cli, int st);

/* Set the defaults of `opts` in `ctx` (what ph_cli_parse does first): for a
 * tool's library defaults, so that they too are written only in the table.
 * With `handle`, the untyped rows' defaults go through it; NULL: the typed
 * rows' only. PH_OK, or an error if a default does not parse (a table bug). */
int ph_cli_defaults(const ph_opt *opts, ph_opt_handler handle, void *ctx);

/* Print the --help text (on stdout). */
void ph_cli_help(const ph_cli *cli);

/* Argument parsers for handlers: 0 on success, else PH_EUSAGE recorded. */
int ph_cli_double(ph_cli *cli, const char *arg, double *out);
int ph_cli_double_range(ph_cli *cli, const char *arg, double lo, double hi, double *out);
int ph_cli_long(ph_cli *cli, const char *arg, long lo, long hi, long *out);
int ph_cli_bool(ph_cli *cli, const char *arg, int *out);
/* `arg` must be one of the '|'-separated words in `choices`; *index set. */
int ph_cli_choice(ph_cli *cli, const char *arg, const char *choices, int *index);
/* Two finite numbers "A,B" into v[0], v[1]; `words` names them in the
 * message ("LO,HI": "'5' is not two numbers LO,HI"). */
int ph_cli_pair(ph_cli *cli, const char *arg, const char *words, double v[2]);
/* Record a usage error about the current value: "SOURCE: message". */
int ph_cli_bad(ph_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Version string of the toolkit ("0.1.0 (git abc123)"). */
const char *ph_cli_version(void);

/* The settings in effect after ph_cli_parse, one option a line
 * ("--kernel-order 3", "--no-clean"), in table order; NULL past the end. */
const char *ph_cli_setting(int i);

#endif
