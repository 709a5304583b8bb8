/* config.c -- see config.h. libyaml parses a document; we copy it into a
 * small tree of our own so that several files and --set overrides can be
 * merged, then look keys up by walking dotted paths. */
#include "base/config.h"
#include "base/sameinput.h"
#include "base/log.h"
#include "base/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef enum { N_NULL, N_SCALAR, N_MAP, N_SEQ } ntype;

typedef struct node {
    ntype type;
    char *key;  /* name in the parent mapping; NULL in a sequence */
    char *text; /* scalar text */
    struct node **kids;
    int nkids, cap;
    unsigned long line, col; /* where the value starts in its file (1-based; 0: --set) */
    char *file;              /* that file (a preload's, maybe); NULL for --set */
} node;

struct ph_config {
    node *root; /* always a mapping */
    char *path;
};

enum { MAX_PRELOAD_DEPTH = 8, MAX_KEY = 512 };
/* Limits that keep a hostile or mistaken file from taking the machine:
 * phrosty's configs are a few kB, a few hundred values, 6 levels deep. */
enum { MAX_DEPTH = 64, MAX_NODES = 200000 };
#define MAX_CONFIG_BYTES (4L << 20)

/* ---- tree ------------------------------------------------------------ */

static node *node_new(ntype t, const char *key)
{
    node *n = ph_calloc(1, sizeof *n, "config node");
    if (!n)
        return NULL;
    n->type = t;
    if (key && !(n->key = ph_strdup(key))) {
        free(n);
        return NULL;
    }
    return n;
}

static void node_free(node *n)
{
    if (!n)
        return;
    for (int i = 0; i < n->nkids; i++)
        node_free(n->kids[i]);
    free(n->kids);
    free(n->key);
    free(n->text);
    free(n->file);
    free(n);
}

static int node_add(node *parent, node *kid)
{
    if (parent->nkids == parent->cap) {
        int cap = parent->cap ? 2 * parent->cap : 8;
        node **k = realloc(parent->kids, cap * sizeof *k);
        if (!k)
            return ph_error(PH_EFAIL, NULL, "out of memory reading the config");
        parent->kids = k;
        parent->cap = cap;
    }
    parent->kids[parent->nkids++] = kid;
    return PH_OK;
}

static node *node_child(const node *n, const char *key, size_t keylen)
{
    if (!n || n->type != N_MAP)
        return NULL;
    /* Last one wins, as for duplicate keys in YAML loaders. */
    for (int i = n->nkids - 1; i >= 0; i--)
        if (strlen(n->kids[i]->key) == keylen && !strncmp(n->kids[i]->key, key, keylen))
            return n->kids[i];
    return NULL;
}

static const node *node_find(const ph_config *cfg, const char *key)
{
    const node *n = cfg->root;
    if (!key || !*key)
        return n;
    const char *p = key;
    while (n) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        n = node_child(n, p, len);
        if (!dot)
            return n;
        p = dot + 1;
    }
    return NULL;
}

static int is_null_text(const char *s)
{
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
           !strcmp(s, "NULL");
}

/* Merge `src` (consumed) into the mapping `dst`. */
static int node_merge(node *dst, node *src)
{
    for (int i = 0; i < src->nkids; i++) {
        node *s = src->kids[i];
        src->kids[i] = NULL;
        node *d = node_child(dst, s->key, strlen(s->key));
        if (d && d->type == N_MAP && s->type == N_MAP) {
            int st = node_merge(d, s);
            node_free(s);
            if (st)
                return st;
            continue;
        }
        if (d) { /* replace in place, keeping the order of first appearance */
            for (int j = 0; j < dst->nkids; j++)
                if (dst->kids[j] == d) {
                    dst->kids[j] = s;
                    break;
                }
            node_free(d);
        } else if (node_add(dst, s)) {
            node_free(s);
            return PH_EFAIL;
        }
    }
    src->nkids = 0;
    return PH_OK;
}

/* ---- YAML document -> tree ------------------------------------------- */

/* One node without its children, with its position for messages. */
static node *from_yaml_node(const yaml_node_t *y, const char *key, const char *name)
{
    node *n = NULL;
    if (y->type == YAML_SCALAR_NODE) {
        const char *v = (const char *)y->data.scalar.value;
        int plain = y->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        n = node_new(plain && is_null_text(v) ? N_NULL : N_SCALAR, key);
        if (n && n->type == N_SCALAR && !(n->text = ph_strdup(v))) {
            node_free(n);
            return NULL;
        }
    } else {
        n = node_new(y->type == YAML_SEQUENCE_NODE ? N_SEQ
                     : y->type == YAML_MAPPING_NODE ? N_MAP : N_NULL, key);
    }
    if (n) {
        n->line = (unsigned long)y->start_mark.line + 1;
        n->col = (unsigned long)y->start_mark.column + 1;
        if (!(n->file = ph_strdup(name))) {
            node_free(n);
            return NULL;
        }
    }
    return n;
}

/* A first pass over the events, before libyaml builds its document: stop
 * a file nested deeper than any config at the first level too deep (libyaml
 * takes seconds on 100,000 levels and its loader recurses). */
static int check_depth(const unsigned char *text, size_t len, const char *name)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return ph_error(PH_EUSAGE, name, "cannot initialise the YAML parser");
    yaml_parser_set_input_string(&parser, text, len);
    int depth = 0, st = PH_OK;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev))
            break; /* the loader reports the syntax error */
        yaml_event_type_t t = ev.type;
        if (t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT) {
            if (++depth > MAX_DEPTH) {
                st = ph_error(PH_EUSAGE, name, "line %lu, column %lu: config nested more than %d "
                              "deep", (unsigned long)ev.start_mark.line + 1,
                              (unsigned long)ev.start_mark.column + 1, MAX_DEPTH);
            }
        } else if (t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT) {
            depth--;
        }
        yaml_event_delete(&ev);
        if (st || t == YAML_STREAM_END_EVENT)
            break;
    }
    yaml_parser_delete(&parser);
    return st;
}

static node *from_yaml(yaml_document_t *doc, yaml_node_t *y, const char *key, int depth,
                       const char *name, long *budget)
{
    if (depth > MAX_DEPTH) {
        ph_error(PH_EUSAGE, name, "line %lu, column %lu: config nested more than %d deep (or "
                 "recursive aliases)", (unsigned long)y->start_mark.line + 1,
                 (unsigned long)y->start_mark.column + 1, MAX_DEPTH);
        return NULL;
    }
    /* Aliases share nodes in libyaml's document; we copy them, so a few
     * nested aliases ("billion laughs") would expand without bound. */
    if (--*budget < 0) {
        ph_error(PH_EUSAGE, name, "line %lu, column %lu: more than %d values once aliases are "
                 "expanded (an alias bomb?)", (unsigned long)y->start_mark.line + 1,
                 (unsigned long)y->start_mark.column + 1, MAX_NODES);
        return NULL;
    }
    node *n = from_yaml_node(y, key, name);
    if (!n || y->type == YAML_SCALAR_NODE)
        return n;
    switch (y->type) {
    case YAML_SEQUENCE_NODE:
        for (yaml_node_item_t *it = y->data.sequence.items.start;
             it < y->data.sequence.items.top; it++) {
            node *k = from_yaml(doc, yaml_document_get_node(doc, *it), NULL, depth + 1, name,
                                budget);
            if (!k || node_add(n, k)) {
                node_free(k);
                node_free(n);
                return NULL;
            }
        }
        return n;
    case YAML_MAPPING_NODE:
        for (yaml_node_pair_t *p = y->data.mapping.pairs.start; p < y->data.mapping.pairs.top;
             p++) {
            yaml_node_t *k = yaml_document_get_node(doc, p->key);
            if (!k || k->type != YAML_SCALAR_NODE) {
                ph_error(PH_EUSAGE, name, "line %lu, column %lu: mapping keys must be plain text",
                         (unsigned long)(k ? k->start_mark.line + 1 : 0),
                         (unsigned long)(k ? k->start_mark.column + 1 : 0));
                node_free(n);
                return NULL;
            }
            const char *ks = (const char *)k->data.scalar.value;
            if (strchr(ks, '.') || strchr(ks, '=')) {
                ph_error(PH_EUSAGE, name, "line %lu, column %lu: key '%s' contains '.' or '='",
                         (unsigned long)k->start_mark.line + 1,
                         (unsigned long)k->start_mark.column + 1, ks);
                node_free(n);
                return NULL;
            }
            node *v = from_yaml(doc, yaml_document_get_node(doc, p->value), ks, depth + 1, name,
                                budget);
            if (!v || node_add(n, v)) {
                node_free(v);
                node_free(n);
                return NULL;
            }
        }
        return n;
    default:
        return n;
    }
}

/* Parse YAML text into a mapping tree; NULL on error (recorded). */
static node *parse_yaml(const unsigned char *text, size_t len, const char *name)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    if (check_depth(text, len, name))
        return NULL;
    if (!yaml_parser_initialize(&parser)) {
        ph_error(PH_EUSAGE, name, "cannot initialise the YAML parser");
        return NULL;
    }
    yaml_parser_set_input_string(&parser, text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        ph_error(PH_EUSAGE, name, "malformed YAML at line %lu, column %lu: %s%s%s",
                 (unsigned long)parser.problem_mark.line + 1,
                 (unsigned long)parser.problem_mark.column + 1,
                 parser.problem ? parser.problem : "syntax error",
                 parser.context ? " " : "", parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        return NULL;
    }
    node *root = NULL;
    yaml_node_t *top = yaml_document_get_root_node(&doc);
    if (!top || (top->type == YAML_SCALAR_NODE && is_null_text((char *)top->data.scalar.value)))
        root = node_new(N_MAP, NULL); /* empty file */
    else if (top->type != YAML_MAPPING_NODE)
        ph_error(PH_EUSAGE, name, "line %lu: the top level of a config must be a mapping (key: value)",
                 (unsigned long)top->start_mark.line + 1);
    else {
        long budget = MAX_NODES;
        root = from_yaml(&doc, top, NULL, 0, name, &budget);
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return root;
}

/* ---- loading ------------------------------------------------------------ */

ph_config *ph_config_new(void)
{
    ph_config *c = ph_calloc(1, sizeof *c, "config");
    if (c && !(c->root = node_new(N_MAP, NULL))) {
        free(c);
        return NULL;
    }
    return c;
}

void ph_config_free(ph_config *cfg)
{
    if (!cfg)
        return;
    node_free(cfg->root);
    free(cfg->path);
    free(cfg);
}

static int merge_tree(ph_config *cfg, node *tree)
{
    int st = node_merge(cfg->root, tree);
    node_free(tree);
    return st;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        ph_error(PH_EUSAGE, path, "cannot open config: %s", strerror(errno));
        return NULL;
    }
    ph_sameinput_note(path);
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        if (n >= (size_t)MAX_CONFIG_BYTES) { /* /dev/zero, a data file given by mistake */
            free(buf);
            fclose(f);
            ph_error(PH_EUSAGE, path, "larger than %ld MB: not a config file",
                     MAX_CONFIG_BYTES >> 20);
            return NULL;
        }
        char *b = realloc(buf, cap *= 2);
        if (!b)
            free(buf);
        buf = b;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        ph_error(PH_EUSAGE, path, "cannot read config");
        return NULL;
    }
    *len = n;
    return buf;
}

static int load_file(ph_config *cfg, const char *path, int depth)
{
    if (depth > MAX_PRELOAD_DEPTH)
        return ph_error(PH_EUSAGE, path, "replaceable_preloads nested more than %d deep",
                        MAX_PRELOAD_DEPTH);
    size_t len;
    char *text = read_file(path, &len);
    if (!text)
        return PH_EFAIL;
    node *tree = parse_yaml((unsigned char *)text, len, path);
    free(text);
    if (!tree)
        return PH_EFAIL;

    /* Preloads first, relative paths taken from the file's directory. */
    node *pre = node_child(tree, "replaceable_preloads", strlen("replaceable_preloads"));
    if (pre && pre->type == N_SEQ) {
        for (int i = 0; i < pre->nkids; i++) {
            const node *it = pre->kids[i];
            if (it->type != N_SCALAR)
                continue;
            char p[4096];
            if (it->text[0] != '/' && strchr(path, '/'))
                snprintf(p, sizeof p, "%.*s/%s", (int)(ph_path_basename(path) - path - 1), path,
                         it->text);
            else
                snprintf(p, sizeof p, "%s", it->text);
            if (!ph_path_exists(p)) {
                ph_warn("%s: preload %s does not exist; skipped", path, p);
                continue;
            }
            if (load_file(cfg, p, depth + 1)) {
                node_free(tree);
                return PH_EFAIL;
            }
        }
    }
    if (merge_tree(cfg, tree))
        return PH_EFAIL;
    free(cfg->path);
    cfg->path = ph_strdup(path);
    return PH_OK;
}

int ph_config_load(ph_config *cfg, const char *path) { return load_file(cfg, path, 0); }

int ph_config_load_string(ph_config *cfg, const char *yaml, const char *name)
{
    node *tree = parse_yaml((const unsigned char *)yaml, strlen(yaml), name);
    return tree ? merge_tree(cfg, tree) : PH_EFAIL;
}

const char *ph_config_path(const ph_config *cfg) { return cfg->path; }

int ph_config_set(ph_config *cfg, const char *assignment)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment)
        return ph_error(PH_EUSAGE, NULL, "--set '%s': expected KEY=VALUE, e.g. "
                        "photometry.phrosty.kerpolyorder=2", assignment);
    size_t klen = (size_t)(eq - assignment);
    if (klen >= MAX_KEY)
        return ph_error(PH_EUSAGE, NULL, "--set: key too long");
    char key[MAX_KEY];
    memcpy(key, assignment, klen);
    key[klen] = '\0';
    if (key[0] == '.' || key[klen - 1] == '.' || strstr(key, ".."))
        return ph_error(PH_EUSAGE, NULL, "--set '%s': malformed key", assignment);

    node *n = cfg->root;
    char *p = key;
    for (;;) {
        char *dot = strchr(p, '.');
        if (dot)
            *dot = '\0';
        node *k = node_child(n, p, strlen(p));
        if (!dot) {
            const char *v = eq + 1;
            node *leaf = node_new(is_null_text(v) ? N_NULL : N_SCALAR, p);
            if (!leaf || (leaf->type == N_SCALAR && !(leaf->text = ph_strdup(v)))) {
                node_free(leaf);
                return PH_EFAIL;
            }
            if (k) {
                for (int j = 0; j < n->nkids; j++)
                    if (n->kids[j] == k)
                        n->kids[j] = leaf;
                node_free(k);
                return PH_OK;
            }
            return node_add(n, leaf);
        }
        if (!k || k->type != N_MAP) {
            node *m = node_new(N_MAP, p);
            if (!m)
                return PH_EFAIL;
            if (k) {
                for (int j = 0; j < n->nkids; j++)
                    if (n->kids[j] == k)
                        n->kids[j] = m;
                node_free(k);
            } else if (node_add(n, m)) {
                node_free(m);
                return PH_EFAIL;
            }
            k = m;
        }
        n = k;
        p = dot + 1;
    }
}

/* ---- lookups ------------------------------------------------------------ */

/* phrosty's keys that may be null (Python's None), and what None does
 * there (pipeline.py, imagesubtraction.py): the detection mask keeps every
 * segment; the flags are tested for truth, so None is false. Every other
 * phrosty key needs a value (None fails in phrosty). */
static const char *const null_meaning[][2] = {
    {"photometry.phrosty.sfft.radius_cut_detmask", "none"},
    {"photometry.phrosty.keep_intermediate", "false"},
    {"photometry.phrosty.remove_temp_dir", "false"},
    {"photometry.phrosty.mem_trace", "false"},
    {"photometry.phrosty.force_sky_subtract", "false"},
};

const char *ph_config_null_meaning(const char *key)
{
    for (size_t i = 0; key && i < sizeof null_meaning / sizeof *null_meaning; i++)
        if (!strcmp(key, null_meaning[i][0]))
            return null_meaning[i][1];
    return NULL;
}

int ph_config_is_null(const ph_config *cfg, const char *key)
{
    const node *n = node_find(cfg, key);
    return n && n->type == N_NULL;
}

const char *ph_config_get(const ph_config *cfg, const char *key)
{
    const node *n = node_find(cfg, key);
    if (n && n->type == N_NULL)
        return ph_config_null_meaning(key);
    return n && n->type == N_SCALAR ? n->text : NULL;
}

int ph_config_has(const ph_config *cfg, const char *key) { return node_find(cfg, key) != NULL; }

static int wrong_type(const ph_config *cfg, const char *key, const char *want)
{
    const node *n = node_find(cfg, key);
    const char *what = n->type == N_MAP ? "a mapping" : n->type == N_SEQ ? "a list" : NULL;
    char where[64] = "";
    if (n->line) /* from a file, not --set */
        snprintf(where, sizeof where, "line %lu, column %lu: ", n->line, n->col);
    const char *file = n->file ? n->file : "--set";
    if (what)
        return ph_error(PH_EUSAGE, file, "%s%s: expected %s, found %s", where, key, want, what);
    return ph_error(PH_EUSAGE, file, "%s%s: expected %s, found '%s'", where, key, want, n->text);
}

int ph_config_get_value(const ph_config *cfg, const char *key, const char **out)
{
    const node *n = node_find(cfg, key);
    *out = NULL;
    if (!n || n->type == N_NULL)
        return PH_OK;
    if (n->type != N_SCALAR)
        return wrong_type(cfg, key, "a single value");
    *out = n->text;
    return PH_OK;
}

/* 0: absent or null (use default); 1: scalar in *text (a null where
 * phrosty gives None a meaning: that meaning); error otherwise. */
static int lookup(const ph_config *cfg, const char *key, const char *want, const char **text)
{
    const node *n = node_find(cfg, key);
    if (n && n->type == N_NULL && ph_config_null_meaning(key)) {
        *text = ph_config_null_meaning(key);
        return 1;
    }
    if (!n || n->type == N_NULL)
        return 0;
    if (n->type != N_SCALAR)
        return -wrong_type(cfg, key, want);
    *text = n->text;
    return 1;
}

int ph_config_get_str(const ph_config *cfg, const char *key, const char *def, const char **out)
{
    const char *t = NULL;
    int r = lookup(cfg, key, "a text value", &t);
    if (r < 0)
        return -r;
    *out = r ? t : def;
    return PH_OK;
}

int ph_config_get_double(const ph_config *cfg, const char *key, double def, double *out)
{
    const char *t = NULL;
    int r = lookup(cfg, key, "a number", &t);
    if (r < 0)
        return -r;
    if (!r) {
        *out = def;
        return PH_OK;
    }
    return ph_parse_double(t, out) ? wrong_type(cfg, key, "a number") : PH_OK;
}

int ph_config_get_long(const ph_config *cfg, const char *key, long def, long *out)
{
    const char *t = NULL;
    int r = lookup(cfg, key, "a whole number", &t);
    if (r < 0)
        return -r;
    if (!r) {
        *out = def;
        return PH_OK;
    }
    return ph_parse_long(t, out) ? wrong_type(cfg, key, "a whole number") : PH_OK;
}

int ph_config_get_bool(const ph_config *cfg, const char *key, int def, int *out)
{
    const char *t = NULL;
    int r = lookup(cfg, key, "true or false", &t);
    if (r < 0)
        return -r;
    if (!r) {
        *out = def;
        return PH_OK;
    }
    return ph_parse_bool(t, out) ? wrong_type(cfg, key, "true or false") : PH_OK;
}

int ph_config_keys(const ph_config *cfg, const char *key, const char **names, int max)
{
    const node *n = node_find(cfg, key);
    if (!n || n->type != N_MAP)
        return -1;
    for (int i = 0; names && i < n->nkids && i < max; i++)
        names[i] = n->kids[i]->key;
    return n->nkids;
}

int ph_config_list(const ph_config *cfg, const char *key, const char **items, int max)
{
    const node *n = node_find(cfg, key);
    if (!n || n->type != N_SEQ)
        return -1;
    int k = 0;
    for (int i = 0; i < n->nkids; i++)
        if (n->kids[i]->type == N_SCALAR) {
            if (items && k < max)
                items[k] = n->kids[i]->text;
            k++;
        }
    return k;
}

static void leaves(const node *n, char *prefix, size_t len,
                   void (*fn)(const char *, const char *, void *), void *ctx)
{
    for (int i = 0; i < n->nkids; i++) {
        const node *k = n->kids[i];
        int m = snprintf(prefix + len, MAX_KEY - len, "%s%s", len ? "." : "", k->key);
        if (m < 0 || len + m >= MAX_KEY)
            continue;
        if (k->type == N_MAP && k->nkids)
            leaves(k, prefix, len + m, fn, ctx);
        else
            fn(prefix, k->type == N_SCALAR ? k->text : NULL, ctx);
        prefix[len] = '\0';
    }
}

void ph_config_foreach_leaf(const ph_config *cfg,
                            void (*fn)(const char *key, const char *value, void *ctx), void *ctx)
{
    char prefix[MAX_KEY] = "";
    leaves(cfg->root, prefix, 0, fn, ctx);
}

/* ---- dump --------------------------------------------------------------- */

static void put_scalar(FILE *out, const char *s)
{
    int quote = !*s || strpbrk(s, ":#{}[],&*!|>'\"%@`\n\t") || s[0] == ' ' || s[0] == '-' ||
                s[0] == '?' || s[strlen(s) - 1] == ' ' || is_null_text(s);
    if (!quote) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(out, "\\%c", *s);
        else if (*s == '\n')
            fputs("\\n", out);
        else if (*s == '\t')
            fputs("\\t", out);
        else
            fputc(*s, out);
    }
    fputc('"', out);
}

static void dump_node(const node *n, int indent, FILE *out)
{
    for (int i = 0; i < n->nkids; i++) {
        const node *k = n->kids[i];
        fprintf(out, "%*s", indent, "");
        if (n->type == N_MAP)
            fprintf(out, "%s:", k->key);
        else
            fputs("-", out);
        switch (k->type) {
        case N_NULL:
            fputs(n->type == N_MAP ? "\n" : " null\n", out);
            break;
        case N_SCALAR:
            fputc(' ', out);
            put_scalar(out, k->text);
            fputc('\n', out);
            break;
        case N_MAP:
        case N_SEQ:
            if (!k->nkids) {
                fputs(k->type == N_MAP ? " {}\n" : " []\n", out);
                break;
            }
            fputc('\n', out);
            dump_node(k, indent + 2, out);
            break;
        }
    }
}

void ph_config_dump(const ph_config *cfg, const char *key, FILE *out)
{
    const node *n = node_find(cfg, key);
    if (!n)
        return;
    if (n->type == N_SCALAR) {
        put_scalar(out, n->text);
        fputc('\n', out);
    } else if (n->type == N_NULL) {
        fputs("null\n", out);
    } else if (!n->nkids) {
        fputs(n->type == N_MAP ? "{}\n" : "[]\n", out);
    } else {
        dump_node(n, 0, out);
    }
}

ph_config *ph_config_open(const char *path)
{
    ph_config *cfg = ph_config_new();
    if (!cfg)
        return NULL;
    if (!path || !*path)
        path = getenv("SNPIT_CONFIG");
    if (path && *path && ph_config_load(cfg, path)) {
        ph_config_free(cfg);
        return NULL;
    }
    return cfg;
}
