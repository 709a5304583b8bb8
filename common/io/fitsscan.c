/* fitsscan.c -- see fitsscan.h. The structural values (BITPIX, NAXISn,
 * EXTNAME, ...) are parsed by header.h's getters on a ph_header that views
 * the HDU's raw cards, so quoting and number formats are cfitsio's. */
#include "io/fitsscan.h"
#include "base/sameinput.h"
#include "base/log.h"
#include "io/stream.h"
#include "base/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define BLOCK 2880
#define CARDS_PER_BLOCK 36

int ph_fitsscan_is_gzip(const char *path)
{
    unsigned char m[2] = {0, 0};
    const char *real = ph_stream_in(path); /* "-": standard input */
    FILE *f = real ? fopen(real, "rb") : NULL;
    if (!f)
        return 0;
    size_t n = fread(m, 1, 2, f);
    fclose(f);
    return n == 2 && m[0] == 0x1f && m[1] == 0x8b;
}

/* One HDU's header: the raw cards before END (NUL-terminated), and what
 * the structure says. */
typedef struct hdu {
    char (*cards)[81];
    int ncards, cap;
    int image;      /* an image: primary, IMAGE, or a tile-compressed BINTABLE */
    int table;      /* a table (not a compressed image) */
    int naxis;      /* of the image (ZNAXIS when compressed) */
    long naxes[3];  /* first three axes of the image, 0 beyond naxis */
    long long skip; /* bytes of the data unit, padded to whole blocks */
    long long data; /* bytes of the data unit, unpadded */
    char *raw;      /* the header's blocks as read (for ph_fitsscan_copy) */
    size_t nraw, rawcap;
    char name[72];  /* EXTNAME, "" if none */
} hdu;

/* Outcome of reading one HDU. */
enum { H_OK = 0, H_END, H_BROKEN, H_FAIL };

typedef struct stream {
    gzFile gz;
    const char *path;
    char why[160]; /* H_BROKEN: what is wrong */
    int keep_raw;  /* keep each header's blocks in hdu.raw */
    int cut;       /* H_BROKEN because the file ends inside a header */
} stream;

/* No real header comes near this; a file of blank cards without END would
 * otherwise be read (and kept) to its end. */
enum { MAX_HEADER_BLOCKS = 2800 }; /* 100,800 cards, 8 MB */

/* A ph_header view of the raw cards (read-only use of the getters). */
static ph_header view(const hdu *h)
{
    ph_header v = {h->ncards, h->ncards, h->cards};
    return v;
}

/* Read up to one block. Returns the number of bytes read (BLOCK, or fewer
 * at the end of the file), or -1 with the error recorded when the gzip
 * stream or the read fails. zlib inflates ahead of what is asked and flags
 * a stream cut short beyond it: that matters only once a block is short. */
static int read_block(stream *s, char *buf)
{
    int n = gzread(s->gz, buf, BLOCK);
    if (n == BLOCK)
        return n;
    int zerr = Z_OK;
    gzerror(s->gz, &zerr);
    if (zerr == Z_ERRNO || (n < 0 && zerr == Z_OK))
        return ph_error(PH_EFAIL, s->path, "cannot read: %s", strerror(errno)), -1;
    if (n < 0 || (zerr != Z_OK && zerr != Z_STREAM_END))
        return ph_error(PH_EFAIL, s->path, "the gzip data are truncated or corrupt"), -1;
    return n;
}

static int broken(stream *s, const char *fmt, const char *arg)
{
    snprintf(s->why, sizeof s->why, fmt, arg);
    return H_BROKEN;
}

/* The keyword of a card (cols 1-8, trailing blanks dropped). */
static void keyword(const char *card, char key[9])
{
    memcpy(key, card, 8);
    key[8] = '\0';
    for (int i = 7; i >= 0 && key[i] == ' '; i--)
        key[i] = '\0';
}

static int add_card(hdu *h, const char *card)
{
    if (h->ncards == h->cap) {
        int cap = h->cap ? 2 * h->cap : 2 * CARDS_PER_BLOCK;
        char(*c)[81] = realloc(h->cards, (size_t)cap * sizeof *c);
        if (!c)
            return ph_error(PH_EFAIL, NULL, "out of memory reading a FITS header");
        h->cards = c;
        h->cap = cap;
    }
    memcpy(h->cards[h->ncards], card, 80);
    h->cards[h->ncards][80] = '\0';
    h->ncards++;
    return PH_OK;
}

/* The cards of the next header, to END. H_END: the file ends where a
 * header would start (or with NUL or newline fill, as cfitsio takes it). */
static int read_cards(stream *s, int k, hdu *h)
{
    char buf[BLOCK];
    h->ncards = 0;
    h->nraw = 0;
    s->cut = 0;
    for (int first = 1, nblock = 0;; first = 0) {
        int n = read_block(s, buf);
        if (n < 0)
            return H_FAIL;
        if (first && (n == 0 || (k && (buf[0] == '\0' || buf[0] == '\n'))))
            return H_END;
        if (++nblock > MAX_HEADER_BLOCKS)
            return broken(s, "its header has no END card in its first 100,000 cards%s", "");
        if (s->keep_raw && n == BLOCK) {
            if (h->nraw + BLOCK > h->rawcap) {
                size_t cap = h->rawcap ? 2 * h->rawcap : 4 * BLOCK;
                char *r = realloc(h->raw, cap);
                if (!r)
                    return ph_error(PH_EFAIL, NULL, "out of memory reading a FITS header"), H_FAIL;
                h->raw = r;
                h->rawcap = cap;
            }
            memcpy(h->raw + h->nraw, buf, BLOCK);
            h->nraw += BLOCK;
        }
        const char *start = k ? "XTENSION" : "SIMPLE";
        char key[9] = "";
        if (n >= 8)
            keyword(buf, key);
        if (first && strcmp(key, start))
            return broken(s, "it does not start with %s", start);
        if (n < BLOCK) {
            s->cut = 1;
            return broken(s, "its header is cut short (no END card)%s", "");
        }
        for (int i = 0; i < CARDS_PER_BLOCK; i++) {
            const char *card = buf + 80 * i;
            for (int j = 0; j < 8; j++)
                if (card[j] < ' ' || card[j] > '~')
                    return broken(s, "its header has no END card%s", "");
            keyword(card, key);
            if (!strcmp(key, "END"))
                return H_OK;
            if (!(first && i == 0) && (!strcmp(key, "SIMPLE") || !strcmp(key, "XTENSION")))
                return broken(s, "its header has no END card before %s", key);
            if (add_card(h, card))
                return H_FAIL;
        }
    }
}

/* Structure of the header just read: image or table, axes, data size. */
static int parse(stream *s, hdu *h, int k)
{
    ph_header v = view(h);
    char xt[72] = "", key[32];
    long bitpix, naxis, pcount = 0, gcount = 1;
    memset(h->naxes, 0, sizeof h->naxes);
    h->name[0] = '\0';
    if (k && ph_header_get_str(&v, "XTENSION", xt, sizeof xt))
        return broken(s, "its XTENSION value is not a string%s", "");
    const char *x = xt + strspn(xt, " ");
    if (ph_header_get_long(&v, "BITPIX", &bitpix) ||
        (bitpix != 8 && bitpix != 16 && bitpix != 32 && bitpix != 64 && bitpix != -32 &&
         bitpix != -64))
        return broken(s, "its %s is missing or not valid", "BITPIX");
    if (ph_header_get_long(&v, "NAXIS", &naxis) || naxis < 0 || naxis > 999)
        return broken(s, "its %s is missing or not valid", "NAXIS");
    if (ph_header_get_long(&v, "PCOUNT", &pcount) == -1 ||
        ph_header_get_long(&v, "GCOUNT", &gcount) == -1 || pcount < 0 || gcount < 0)
        return broken(s, "its %s is not valid", "PCOUNT or GCOUNT");
    int groups = 0;
    double g;
    if (!k && ph_header_get_double(&v, "GROUPS", &g) == 0 && g == 1)
        groups = 1; /* random groups: NAXIS1 = 0 is not a dimension */
    long long count = naxis ? 1 : 0, bytes = 0;
    int over = 0;
    for (long i = 1; i <= naxis; i++) {
        long n;
        snprintf(key, sizeof key, "NAXIS%ld", i);
        if (ph_header_get_long(&v, key, &n) || n < 0)
            return broken(s, "its %s is missing or not valid", key);
        if (i <= 3)
            h->naxes[i - 1] = n;
        if (!(groups && i == 1))
            over |= __builtin_mul_overflow(count, (long long)n, &count);
    }
    long long per = 0; /* bytes a group's element */
    over |= __builtin_mul_overflow((long long)gcount, (bitpix < 0 ? -bitpix : bitpix) / 8, &per);
    over |= __builtin_add_overflow(count, (long long)pcount, &bytes);
    over |= __builtin_mul_overflow(bytes, per, &bytes);
    if (over || bytes > (1LL << 60))
        return broken(s, "its data size (NAXISn, PCOUNT, GCOUNT) is %s", "beyond any file");
    h->skip = (bytes + BLOCK - 1) / BLOCK * BLOCK;
    h->data = bytes;
    h->naxis = (int)naxis;
    h->image = !k || !strcmp(x, "IMAGE") || !strcmp(x, "IUEIMAGE");
    h->table = !strcmp(x, "TABLE") || !strcmp(x, "BINTABLE") || !strcmp(x, "A3DTABLE") ||
               !strcmp(x, "3DTABLE");
    double z;
    if (h->table && strcmp(x, "TABLE") && ph_header_get_double(&v, "ZIMAGE", &z) == 0 && z == 1) {
        /* a tile-compressed image: its axes are ZNAXISn */
        long zn;
        memset(h->naxes, 0, sizeof h->naxes);
        if (ph_header_get_long(&v, "ZNAXIS", &zn) || zn < 0 || zn > 999)
            return broken(s, "its %s is missing or not valid", "ZNAXIS");
        for (long i = 1; i <= zn && i <= 3; i++) {
            snprintf(key, sizeof key, "ZNAXIS%ld", i);
            if (ph_header_get_long(&v, key, &h->naxes[i - 1]) || h->naxes[i - 1] < 0)
                return broken(s, "its %s is missing or not valid", key);
        }
        h->naxis = (int)zn;
        h->image = 1;
        h->table = 0;
    }
    if (ph_header_get_str(&v, "EXTNAME", h->name, sizeof h->name))
        h->name[0] = '\0';
    return H_OK;
}

/* The HDU is the one named `name` (EXTNAME, read by parse(), else
 * HDUNAME). */
static int named(const hdu *h, const char *name)
{
    if (!strcasecmp(h->name, name))
        return 1;
    ph_header v = view(h);
    char s[72];
    return !ph_header_get_str(&v, "HDUNAME", s, sizeof s) && !strcasecmp(s, name);
}

/* The wanted HDU's size and cards, as ph_fits_image_size() and
 * ph_fits_read_header() give them. */
static int result(const char *path, const hdu *h, int k, long *nx, long *ny, ph_header **hdr)
{
    char hn[96];
    if (h->name[0])
        snprintf(hn, sizeof hn, "HDU %s", h->name);
    else
        snprintf(hn, sizeof hn, "HDU %d", k);
    if (!h->image)
        return ph_error(PH_EFAIL, path, "%s is a table, not an image", hn);
    int naxis = h->naxis == 3 && h->naxes[2] == 1 ? 2 : h->naxis;
    if (naxis == 2 && (h->naxes[0] < 1 || h->naxes[1] < 1))
        return ph_error(PH_EFAIL, path, "%s has NAXIS%d = %ld: an image without pixels", hn,
                        h->naxes[0] < 1 ? 1 : 2, h->naxes[0] < 1 ? h->naxes[0] : h->naxes[1]);
    if (naxis != 2)
        return ph_error(PH_EFAIL, path, "%s is not a 2-D image (NAXIS = %d)", hn, h->naxis);
    /* cfitsio's header ends at the last card that is not blank */
    int n = h->ncards;
    while (n > 0 && strspn(h->cards[n - 1], " ") == 80)
        n--;
    if (!(*hdr = ph_header_new()))
        return PH_EFAIL;
    for (int i = 0; i < n; i++)
        if (ph_header_add_card(*hdr, h->cards[i])) {
            ph_header_free(*hdr);
            *hdr = NULL;
            return PH_EFAIL;
        }
    *nx = h->naxes[0];
    *ny = h->naxes[1];
    return PH_OK;
}

int ph_fitsscan_read(const char *path, const char *name, long *nx, long *ny, ph_header **hdr)
{
    *hdr = NULL;
    const char *real = ph_stream_in(path); /* "-": standard input */
    if (!real)
        return PH_EFAIL;
    if (access(real, R_OK))
        return ph_error(PH_EFAIL, path, "cannot open: %s", strerror(errno));
    stream s = {gzopen(real, "rb"), path, "", 0, 0};
    if (!s.gz)
        return ph_error(PH_EFAIL, path, "cannot open: %s", errno ? strerror(errno) : "zlib");
    ph_sameinput_note(path);
    gzbuffer(s.gz, 1 << 17);
    hdu cur = {0}, first = {0};
    int kfirst = -1, kfound = -1, kcube = -1, st = PH_OK, k;
    for (k = 0;; k++) {
        int r = read_cards(&s, k, &cur);
        if (r == H_OK)
            r = parse(&s, &cur, k);
        if (r == H_FAIL) {
            st = PH_EFAIL;
            break;
        }
        if (r == H_END && !k)
            st = ph_error(PH_EFAIL, path, "not a readable FITS file: it is empty");
        else if (r == H_BROKEN && !k)
            st = ph_error(PH_EFAIL, path, "not a readable FITS file: HDU 0: %s", s.why);
        if (r != H_OK)
            break; /* the HDUs end here, as cfitsio sees them */
        if (name && named(&cur, name)) {
            kfound = k;
            break;
        }
        long long skip = cur.skip;
        if (kfirst < 0 && kcube < 0 && cur.image && cur.naxis >= 3 &&
            !(cur.naxis == 3 && cur.naxes[2] == 1))
            kcube = k; /* a cube before any 2-D image: not skipped in silence */
        if (kfirst < 0 && cur.image && cur.naxis == 2) {
            kfirst = k;
            hdu t = first;
            first = cur;
            cur = t;
            if (!name)
                break;
        }
        if (skip && gzseek(s.gz, (z_off_t)skip, SEEK_CUR) < 0) {
            int zerr = Z_OK;
            gzerror(s.gz, &zerr);
            st = zerr == Z_ERRNO ? ph_error(PH_EFAIL, path, "cannot read: %s", strerror(errno))
                                 : ph_error(PH_EFAIL, path, "the gzip data are truncated or corrupt");
            break;
        }
    }
    if (!st) {
        if (kfound >= 0)
            st = result(path, &cur, kfound, nx, ny, hdr);
        else if (kcube >= 0 && (kfirst < 0 || kcube < kfirst))
            st = ph_error(PH_EFAIL, path, "HDU %d is a %d-D cube, not a 2-D image: name the "
                          "image's HDU", kcube, 3);
        else if (kfirst >= 0)
            st = result(path, &first, kfirst, nx, ny, hdr);
        else if (s.why[0])
            st = ph_error(PH_EFAIL, path, "HDU %d cannot be read: %s: the file is truncated or "
                          "corrupt", k, s.why);
        else
            st = ph_error(PH_EFAIL, path, "no 2-D image HDU");
    }
    free(cur.cards);
    free(first.cards);
    free(cur.raw);
    free(first.raw);
    gzclose(s.gz);
    return st;
}

/* ---- the whole file's layout: sizes claimed against sizes held ---------- */

static void mb(char *buf, size_t size, long long bytes)
{
    if (bytes >= 10LL << 20)
        snprintf(buf, size, "%lld MB", bytes >> 20);
    else
        snprintf(buf, size, "%lld bytes", bytes);
}

static void hdu_label(char *buf, size_t size, const hdu *h, int k)
{
    if (h->name[0])
        snprintf(buf, size, "HDU %d (%s)", k, h->name);
    else
        snprintf(buf, size, "HDU %d", k);
}

/* Copy `n` bytes of the stream to fd `out` (-1: skip them). Returns the
 * number copied (fewer at the end of the data), -1 on an error (recorded). */
static long long pass(stream *s, int out, long long n)
{
    enum { PASS_BUF = 1 << 16 };
    long long done = 0;
    if (out < 0) {
        z_off_t before = gztell(s->gz);
        if (n && gzseek(s->gz, (z_off_t)n, SEEK_CUR) < 0) {
            int zerr = Z_OK;
            gzerror(s->gz, &zerr);
            return ph_error(PH_EFAIL, s->path, zerr == Z_ERRNO ? "cannot read: %s"
                            : "the gzip data are truncated or corrupt%s",
                            zerr == Z_ERRNO ? strerror(errno) : ""), -1;
        }
        return (long long)(gztell(s->gz) - before);
    }
    char *buf = ph_malloc(PASS_BUF, "inflate buffer"); /* not static: readers may be threads */
    if (!buf)
        return -1;
    while (done < n) {
        int want = n - done < PASS_BUF ? (int)(n - done) : PASS_BUF;
        int got = gzread(s->gz, buf, (unsigned)want);
        if (got < 0) {
            int zerr = Z_OK;
            gzerror(s->gz, &zerr);
            free(buf);
            return ph_error(PH_EFAIL, s->path, zerr == Z_ERRNO ? "cannot read: %s"
                            : "the gzip data are truncated or corrupt%s",
                            zerr == Z_ERRNO ? strerror(errno) : ""), -1;
        }
        if (got == 0)
            break;
        if (write(out, buf, (size_t)got) != got) {
            free(buf);
            return ph_error(PH_EFAIL, s->path, "cannot inflate it: %s", strerror(errno)), -1;
        }
        done += got;
    }
    free(buf);
    return done;
}

int ph_fitsscan_check(const char *path, int out, long long *total)
{
    struct stat sb;
    const char *real = ph_stream_in(path); /* "-": standard input */
    if (!real)
        return PH_EFAIL;
    if (stat(real, &sb))
        return ph_error(PH_EFAIL, path, "cannot open: %s", strerror(errno));
    int gz = ph_fitsscan_is_gzip(path);
    /* Deflate cannot inflate more than 1032 bytes from one: past that a
     * header's size is a lie (a bomb, or a corrupt card). */
    long long held = gz ? (long long)sb.st_size * 1032 + (1 << 20) : (long long)sb.st_size;
    stream s = {gzopen(real, "rb"), path, "", out >= 0, 0};
    if (!s.gz)
        return ph_error(PH_EFAIL, path, "cannot open: %s", errno ? strerror(errno) : "zlib");
    ph_sameinput_note(path);
    gzbuffer(s.gz, 1 << 17);
    hdu cur = {0};
    long long pos = 0;
    int st = PH_OK;
    for (int k = 0; !st; k++) {
        int r = read_cards(&s, k, &cur);
        if (r == H_OK)
            r = parse(&s, &cur, k);
        char hn[96], a[32], b[32];
        hdu_label(hn, sizeof hn, &cur, k);
        if (r == H_FAIL)
            st = PH_EFAIL;
        else if (r == H_END && !k)
            st = ph_error(PH_EFAIL, path, "not a readable FITS file: it is empty");
        else if (r == H_BROKEN && !k)
            st = ph_error(PH_EFAIL, path, "not a readable FITS file: HDU 0: %s", s.why);
        else if (r == H_BROKEN && s.cut)
            st = ph_error(PH_EFAIL, path, "the file is truncated: the header of HDU %d is cut "
                          "short", k);
        if (st || r != H_OK)
            break; /* the HDUs end here, as cfitsio sees them */
        long long hbytes = (long long)(cur.ncards / CARDS_PER_BLOCK + 1) * BLOCK;
        if (out >= 0) {
            hbytes = (long long)cur.nraw;
            if (write(out, cur.raw, cur.nraw) != (ssize_t)cur.nraw) {
                st = ph_error(PH_EFAIL, path, "cannot inflate it: %s", strerror(errno));
                break;
            }
        }
        pos += hbytes;
        if (pos + cur.data > held) {
            mb(a, sizeof a, cur.data);
            mb(b, sizeof b, (long long)sb.st_size);
            if (gz)
                st = ph_error(PH_EFAIL, path, "%s claims %s of data, more than a %s gzip file "
                              "can hold: a corrupt header or a gzip bomb", hn, a, b);
            else
                st = ph_error(PH_EFAIL, path, "the file is truncated: %s claims %s of data, "
                              "ending at byte %lld, but the file has %lld bytes", hn, a,
                              pos + cur.data, (long long)sb.st_size);
            break;
        }
        long long got = pass(&s, out, cur.skip);
        if (got < 0) {
            st = PH_EFAIL;
            break;
        }
        if (got < cur.data) {
            mb(a, sizeof a, cur.data);
            mb(b, sizeof b, got);
            st = ph_error(PH_EFAIL, path, "the file is truncated: %s claims %s of data, the file "
                          "holds %s of it", hn, a, b);
            break;
        }
        if (got < cur.skip && out >= 0) { /* the last block's padding left out: add it */
            static const char zero[BLOCK];
            if (write(out, zero, (size_t)(cur.skip - got)) != (ssize_t)(cur.skip - got)) {
                st = ph_error(PH_EFAIL, path, "cannot inflate it: %s", strerror(errno));
                break;
            }
        }
        pos += cur.skip;
        if (got < cur.skip)
            break; /* the end of the file */
    }
    free(cur.cards);
    free(cur.raw);
    gzclose(s.gz);
    if (total)
        *total = pos;
    return st;
}
