/* a25.c -- the A25 ePSF library (Aldoroty et al. 2025), phrosty's default
 * PSF (photometry.phrosty.psf.type A25ePSF): which file serves a position,
 * and reading one (see psf.h). The layout and the grid rule are snappl's
 * (psf.py, A25ePSF and YamlSerialized_OversampledImagePSF;
 * pipeline-reference.md §3.2):
 *
 *   <dir>/<band>/<sca>/511_<xc>_<yc>_-_19.0_21.5_-_<band>_<sca>.psf
 *
 * xc, yc: the grid centres 255.5 + 511 k (k = 0 ... 7) of a 4088-pixel SCA
 * nearest to the position, each axis on its own, a tie going to the lower
 * one (numpy's argmin keeps the first minimum), written "%.1f".
 *
 * A file is YAML: x0, y0 (where the ePSF was made), oversamp, shape0
 * (rows), shape1 (columns), dtype (numpy's name) and data (base64 of the
 * raw array, row-major). The array samples the ePSF (pixel response
 * included) every 1/oversamp pixel with the PSF centre on the centre
 * sample, normalised so that it sums to the share of the PSF's flux it
 * holds (about 1): a native-pixel value is oversamp^2 times a sample.
 */
#include "base/log.h"
#include "psf.h"
#include "base/util.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define A25_SCA 4088 /* the library's grid covers one 4088-pixel SCA */
#define A25_NGRID 8
#define A25_CELL (A25_SCA / A25_NGRID)

double a25_grid_centre(double p)
{
    int best = 0;
    double bd = INFINITY;
    for (int k = 0; k < A25_NGRID; k++) {
        double c = 0.5 * A25_CELL + (double)A25_CELL * k, d = fabs(c - p);
        if (d < bd) /* strict: a tie keeps the lower centre */
            bd = d, best = k;
    }
    return 0.5 * A25_CELL + (double)A25_CELL * best;
}

int a25_path(const char *dir, const char *band, long sca, double x, double y, char *out,
             size_t size, const char *image)
{
    if (!band || !*band)
        return ph_error(PH_EFAIL, image, "the A25 ePSF library needs the band but the image has "
                                         "no FILTER; give --band");
    if (sca < 0)
        return ph_error(PH_EFAIL, image, "the A25 ePSF library needs the detector but the image "
                                         "has no SCA_NUM; give --sca");
    if (!isfinite(x) || !isfinite(y))
        return ph_error(PH_EFAIL, image, "no finite position for the A25 ePSF grid");
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    int w = snprintf(out, size, "%.*s/%s/%ld/%d_%.1f_%.1f_-_19.0_21.5_-_%s_%ld.psf", (int)n, dir,
                     band, sca, A25_CELL, a25_grid_centre(x), a25_grid_centre(y), band, sca);
    if (w < 0 || (size_t)w >= size)
        return ph_error(PH_EUSAGE, dir, "the A25 ePSF library path is too long");
    return PH_OK;
}

/* ---- base64 (RFC 4648, standard alphabet; whitespace ignored) ------------ */

static int b64_value(int c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* Decode s into out (room for cap bytes); the byte count, -1 when s is
 * not base64, -2 when it decodes to more than cap bytes. */
static long b64_decode(const char *s, unsigned char *out, size_t cap)
{
    size_t o = 0;
    unsigned acc = 0;
    int nbits = 0, pad = 0;
    for (; *s; s++) {
        int c = (unsigned char)*s;
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
            continue;
        if (c == '=') {
            pad++;
            continue;
        }
        int v = b64_value(c);
        if (v < 0 || pad)
            return -1; /* a foreign character, or data after padding */
        acc = (acc << 6) | (unsigned)v;
        nbits += 6;
        if (nbits >= 8) {
            nbits -= 8;
            if (o >= cap)
                return -2;
            out[o++] = (unsigned char)(acc >> nbits);
            acc &= (1u << nbits) - 1;
        }
    }
    if (pad > 2 || nbits >= 6)
        return -1;
    return (long)o;
}

/* ---- the YAML file ------------------------------------------------------- */

enum { K_X0, K_Y0, K_OVER, K_SHAPE0, K_SHAPE1, K_DTYPE, K_DATA, K_N };
static const char *const keys[K_N] = {"x0", "y0", "oversamp", "shape0", "shape1", "dtype", "data"};

/* The scalars of the top-level mapping that we need (pointers into doc). */
static int yaml_fields(yaml_document_t *doc, const char *path, const char **val)
{
    yaml_node_t *top = yaml_document_get_root_node(doc);
    if (!top || top->type != YAML_MAPPING_NODE)
        return ph_error(PH_EFAIL, path, "not an A25 ePSF file: the YAML is not a mapping");
    for (yaml_node_pair_t *p = top->data.mapping.pairs.start; p < top->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        yaml_node_t *v = yaml_document_get_node(doc, p->value);
        if (!k || k->type != YAML_SCALAR_NODE)
            continue;
        for (int i = 0; i < K_N; i++)
            if (!strcmp((const char *)k->data.scalar.value, keys[i])) {
                if (!v || v->type != YAML_SCALAR_NODE)
                    return ph_error(PH_EFAIL, path, "A25 ePSF file: '%s' is not a scalar", keys[i]);
                val[i] = (const char *)v->data.scalar.value;
            }
    }
    for (int i = 0; i < K_N; i++)
        if (!val[i])
            return ph_error(PH_EFAIL, path, "not an A25 ePSF file: no '%s' key", keys[i]);
    return PH_OK;
}

static int field_long(const char *path, const char *key, const char *s, long lo, long hi,
                      long *out)
{
    double d;
    if (ph_parse_long(s, out)) {
        /* PyYAML may write an integer-valued float ("3.0") */
        if (ph_parse_double(s, &d) || d != floor(d) || fabs(d) > 1e9)
            return ph_error(PH_EFAIL, path, "A25 ePSF file: %s '%s' is not an integer", key, s);
        *out = (long)d;
    }
    if (*out < lo || *out > hi)
        return ph_error(PH_EFAIL, path, "A25 ePSF file: %s = %ld is not in %ld ... %ld", key,
                        *out, lo, hi);
    return PH_OK;
}

/* numpy dtype names of floats: size and byte order (0 little, 1 big). */
static int dtype_parse(const char *s, int *size, int *big)
{
    static const struct {
        const char *name;
        int size, big;
    } t[] = {{"float64", 8, 0}, {"<f8", 8, 0}, {"f8", 8, 0},   {">f8", 8, 1}, {"float32", 4, 0},
             {"<f4", 4, 0},     {"f4", 4, 0},  {">f4", 4, 1}, {"=f8", 8, 0}, {"=f4", 4, 0}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (!strcmp(s, t[i].name)) {
            *size = t[i].size, *big = t[i].big;
            return 0;
        }
    return -1;
}

static double read_float(const unsigned char *b, int size, int big)
{
    unsigned char c[8];
    for (int i = 0; i < size; i++)
        c[i] = big ? b[size - 1 - i] : b[i]; /* to little-endian */
    if (size == 8) {
        uint64_t u = 0;
        for (int i = 7; i >= 0; i--)
            u = (u << 8) | c[i];
        double d;
        memcpy(&d, &u, 8);
        return d;
    }
    uint32_t u = 0;
    for (int i = 3; i >= 0; i--)
        u = (u << 8) | c[i];
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* The whole file in memory (the library's files are 63 kB). */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        ph_error(PH_EFAIL, path, errno == ENOENT ? "A25 ePSF library file not found"
                                                 : "cannot open the A25 ePSF file: %s",
                 strerror(errno));
        return NULL;
    }
    long size = -1;
    if (!fseek(f, 0, SEEK_END))
        size = ftell(f);
    char *buf = NULL;
    if (size >= 0 && size <= (1L << 30) && !fseek(f, 0, SEEK_SET) &&
        (buf = malloc((size_t)size + 1)) && fread(buf, 1, (size_t)size, f) == (size_t)size) {
        fclose(f);
        *len = (size_t)size;
        return buf;
    }
    free(buf);
    fclose(f);
    ph_error(PH_EFAIL, path, size > (1L << 30) ? "the A25 ePSF file is larger than 1 GB"
                                               : "cannot read the A25 ePSF file");
    return NULL;
}

int a25_read(const char *path, a25_psf *out)
{
    memset(out, 0, sizeof *out);
    size_t len = 0;
    char *text = slurp(path, &len);
    if (!text)
        return PH_EFAIL;
    yaml_parser_t parser;
    yaml_document_t doc;
    int st = PH_OK;
    if (!yaml_parser_initialize(&parser)) {
        free(text);
        return ph_error(PH_EFAIL, path, "cannot initialise the YAML parser");
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        st = ph_error(PH_EFAIL, path, "not an A25 ePSF file: malformed YAML at line %lu: %s",
                      (unsigned long)parser.problem_mark.line + 1,
                      parser.problem ? parser.problem : "syntax error");
        yaml_parser_delete(&parser);
        free(text);
        return st;
    }
    const char *val[K_N] = {0};
    long ov = 0, s0 = 0, s1 = 0;
    int size = 0, big = 0;
    st = yaml_fields(&doc, path, val);
    if (!st && (ph_parse_double(val[K_X0], &out->x0) || ph_parse_double(val[K_Y0], &out->y0) ||
                !isfinite(out->x0) || !isfinite(out->y0)))
        st = ph_error(PH_EFAIL, path, "A25 ePSF file: x0 '%s', y0 '%s' are not numbers",
                      val[K_X0], val[K_Y0]);
    if (!st)
        st = field_long(path, "oversamp", val[K_OVER], 1, 64, &ov);
    if (!st)
        st = field_long(path, "shape0", val[K_SHAPE0], 3, 100001, &s0);
    if (!st)
        st = field_long(path, "shape1", val[K_SHAPE1], 3, 100001, &s1);
    if (!st && (s0 != s1 || s0 % 2 == 0))
        st = ph_error(PH_EFAIL, path, "A25 ePSF file: the array is %ldx%ld; it must be square and "
                                      "odd",
                      s0, s1);
    if (!st && dtype_parse(val[K_DTYPE], &size, &big))
        st = ph_error(PH_EFAIL, path, "A25 ePSF file: dtype '%s' is not a float type (float64, "
                                      "float32, <f8, >f8, <f4, >f4)",
                      val[K_DTYPE]);
    unsigned char *raw = NULL;
    size_t want = (size_t)s0 * s1 * size;
    if (!st) {
        /* one spare byte: a longer array is detected, not truncated */
        raw = ph_malloc(want + 1, "A25 ePSF data");
        if (!raw)
            st = PH_EFAIL;
    }
    if (!st) {
        long got = b64_decode(val[K_DATA], raw, want + 1);
        if (got == -1)
            st = ph_error(PH_EFAIL, path, "A25 ePSF file: data is not base64");
        else if (got < 0 || (size_t)got > want)
            st = ph_error(PH_EFAIL, path, "A25 ePSF file: data holds more than the %zu bytes of "
                                          "a %ldx%ld %s array",
                          want, s0, s1, val[K_DTYPE]);
        else if ((size_t)got < want)
            st = ph_error(PH_EFAIL, path, "A25 ePSF file: data holds %ld bytes; a %ldx%ld %s "
                                          "array needs %zu",
                          got, s0, s1, val[K_DTYPE], want);
    }
    if (!st && !(out->data = ph_malloc((size_t)s0 * s1 * sizeof *out->data, "A25 ePSF")))
        st = PH_EFAIL;
    double sum = 0;
    for (long i = 0; !st && i < s0 * s1; i++) {
        double v = read_float(raw + (size_t)i * size, size, big);
        if (!isfinite(v))
            st = ph_error(PH_EFAIL, path, "A25 ePSF file: a non-finite value at (%ld, %ld)",
                          i % s1, i / s1);
        out->data[i] = v;
        sum += v;
    }
    if (!st && !(sum > 0))
        st = ph_error(PH_EFAIL, path, "A25 ePSF file: the array sums to %g; it must be positive",
                      sum);
    free(raw);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    free(text);
    if (st) {
        free(out->data);
        out->data = NULL;
        return st;
    }
    out->n = s0;
    out->oversamp = (int)ov;
    out->sum = sum;
    return PH_OK;
}

void a25_free(a25_psf *a)
{
    free(a->data);
    memset(a, 0, sizeof *a);
}

int a25_to_model(const a25_psf *a, const char *path, psf_file *f)
{
    memset(f, 0, sizeof *f);
    ph_strlcpy(f->path, path, sizeof f->path);
    long mm = a->n * a->n;
    double o2 = (double)a->oversamp * a->oversamp;
    f->m = a->n;
    f->oversamp = a->oversamp;
    f->pixresp = 1;
    f->fourier = 1;
    /* The array sums to the share of the PSF's flux it holds; a sum a
     * little above 1 is rounding (snappl's own test asserts 1 to 1e-9). */
    if (a->sum > 1.001)
        ph_warn("%s: the A25 ePSF sums to %.6f, more than the whole PSF; taken as 1", path,
                a->sum);
    f->fluxfrac = a->sum < 1 ? a->sum : 1;
    f->ngx = f->ngy = 1;
    f->gx = ph_calloc(1, sizeof *f->gx, "PSF grid");
    f->gy = ph_calloc(1, sizeof *f->gy, "PSF grid");
    f->planes = ph_malloc((size_t)mm * sizeof *f->planes, "PSF model");
    if (!f->gx || !f->gy || !f->planes) {
        psf_file_free(f);
        return PH_EFAIL;
    }
    f->gx[0] = a->x0, f->gy[0] = a->y0;
    for (long i = 0; i < mm; i++)
        f->planes[i] = a->data[i] * o2; /* ePSF value per native pixel */
    return PH_OK;
}
