#include "data/idx.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

const char *const tn__fashion_classes[TN_FASHION_CLASSES] = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot",
};

/* ---- gzip ------------------------------------------------------------------------- */

/* zlib's state goes through our allocator too, so OOM injection reaches it. */
static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return tn__calloc(items, size);
}

static void z_free(voidpf opaque, voidpf p)
{
    (void)opaque;
    tn__free(p);
}

/* The gzip trailer holds the size mod 2^32: a good first guess for the output buffer.
 * Deflate expands at most 1032:1, so a lying trailer cannot make a small file reserve
 * the whole cap up front. */
static size_t gzip_size_hint(const unsigned char *in, size_t len, size_t cap)
{
    size_t hint = 0, most;
    if (len >= 18)
        hint = (size_t)in[len - 4] | (size_t)in[len - 3] << 8 | (size_t)in[len - 2] << 16 |
               (size_t)in[len - 1] << 24;
    if (!tn__mul_size(len, 1032, &most) && hint > most)
        hint = most;
    if (hint < 4096)
        hint = 4096;
    return hint > cap ? cap + 1 : hint;
}

static int gz_corrupt(tn_error *err, const char *name, const char *why)
{
    return tn__err(err, TN_EFORMAT, "%s: gzip data is corrupt: %s", name, why);
}

/* Grows *buf so at least one more byte fits, never beyond cap + 1 (one byte over the cap
 * is how an oversized stream is detected). */
static int gz_grow(unsigned char **buf, size_t *size, size_t cap)
{
    size_t want = *size > cap / 2 ? cap + 1 : *size * 2;
    unsigned char *p = tn__realloc(*buf, want);
    if (!p)
        return -1;
    *buf = p;
    *size = want;
    return 0;
}

int tn__gunzip(const char *name, const unsigned char *in, size_t len, size_t cap,
               unsigned char **out, size_t *out_len, tn_error *err)
{
    if (!in || !out || !out_len)
        return tn__err(err, TN_EINVAL, "tn__gunzip: NULL argument");
    *out = NULL;
    *out_len = 0;
    name = name ? name : "<memory>";
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    zs.zalloc = z_alloc;
    zs.zfree = z_free;
    int zrc = inflateInit2(&zs, 16 + MAX_WBITS); /* 16: gzip wrapper only, not raw zlib */
    if (zrc != Z_OK)
        return zrc == Z_MEM_ERROR ? tn__err(err, TN_ENOMEM, "%s: out of memory", name)
                                  : tn__err(err, TN_EFORMAT, "%s: zlib init failed", name);
    size_t size = gzip_size_hint(in, len, cap), used = 0, in_pos = 0;
    unsigned char *buf = tn__malloc(size);
    int rc = buf ? TN_OK : tn__err(err, TN_ENOMEM, "%s: out of memory", name);
    while (rc == TN_OK) {
        /* avail_in/avail_out are uInt: feed and drain in pieces that fit. */
        if (zs.avail_in == 0 && in_pos < len) {
            size_t chunk = len - in_pos < UINT_MAX ? len - in_pos : UINT_MAX;
            zs.next_in = (Bytef *)(uintptr_t)(in + in_pos);
            zs.avail_in = (uInt)chunk;
            in_pos += chunk;
        }
        if (used == size && gz_grow(&buf, &size, cap)) {
            rc = tn__err(err, TN_ENOMEM, "%s: out of memory decompressing (%zu bytes)", name,
                         used);
            break;
        }
        size_t room = size - used < UINT_MAX ? size - used : UINT_MAX;
        zs.next_out = buf + used;
        zs.avail_out = (uInt)room;
        zrc = inflate(&zs, Z_NO_FLUSH);
        used += room - zs.avail_out;
        size_t left = zs.avail_in + (len - in_pos);
        if (used > cap) {
            rc = tn__err(err, TN_EFORMAT, "%s: decompressed data exceeds the limit of %zu bytes",
                         name, cap);
        } else if (zrc == Z_STREAM_END) {
            if (left == 0)
                break;
            /* gzip allows concatenated members; anything else after one is garbage. */
            const unsigned char *next = in + len - left;
            if (left < 2 || next[0] != 0x1f || next[1] != 0x8b)
                rc = gz_corrupt(err, name, "trailing garbage after the gzip stream");
            else if (inflateReset(&zs) != Z_OK)
                rc = gz_corrupt(err, name, "cannot restart for the next member");
        } else if (zrc == Z_MEM_ERROR) {
            rc = tn__err(err, TN_ENOMEM, "%s: out of memory decompressing", name);
        } else if (zrc == Z_DATA_ERROR || zrc == Z_NEED_DICT || zrc == Z_STREAM_ERROR) {
            rc = gz_corrupt(err, name, zs.msg ? zs.msg : "invalid stream");
        } else if (zrc == Z_BUF_ERROR || (left == 0 && zs.avail_out != 0)) {
            /* All input consumed, room left, stream not finished: the input ran out. */
            rc = gz_corrupt(err, name, "unexpected end of stream");
        }
    }
    inflateEnd(&zs);
    if (rc != TN_OK) {
        tn__free(buf);
        return rc;
    }
    *out = buf;
    *out_len = used;
    return TN_OK;
}

/* ---- IDX parsing ------------------------------------------------------------------ */

static int type_size(int type)
{
    switch (type) {
    case 0x08: case 0x09: return 1;
    case 0x0B: return 2;
    case 0x0C: case 0x0D: return 4;
    case 0x0E: return 8;
    default: return 0;
    }
}

static const char *type_name(int type)
{
    switch (type) {
    case 0x09: return "int8";
    case 0x0B: return "int16";
    case 0x0C: return "int32";
    case 0x0D: return "float32";
    case 0x0E: return "float64";
    default: return "uint8";
    }
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint64_t be64(const unsigned char *p) { return (uint64_t)be32(p) << 32 | be32(p + 4); }

/* "60000x28x28" */
static void shape_str(const size_t *dims, int ndim, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; i < ndim && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, i ? "x%zu" : "%zu", dims[i]);
}

/* Reads the magic and dimensions; on success *hdr is the header size in bytes. */
static int parse_header(const char *name, const unsigned char *buf, size_t len, tn_idx *x,
                        size_t *hdr, tn_error *err)
{
    if (len < 4)
        return tn__err(err, TN_EFORMAT, "%s: truncated: 4-byte IDX magic expected, %zu present",
                       name, len);
    uint32_t magic = be32(buf);
    if (buf[0] != 0 || buf[1] != 0)
        return tn__err(err, TN_EFORMAT, "%s: not an IDX file (magic 0x%08x)", name,
                       (unsigned)magic);
    x->type = buf[2];
    x->ndim = buf[3];
    if (!type_size(x->type))
        return tn__err(err, TN_EFORMAT,
                       "%s: unsupported IDX data type 0x%02x (magic 0x%08x; 0x08, 0x09, 0x0B, "
                       "0x0C, 0x0D, 0x0E are known)", name, (unsigned)x->type, (unsigned)magic);
    if (x->ndim < 1 || x->ndim > 4)
        return tn__err(err, TN_EFORMAT,
                       "%s: unsupported number of dimensions %d (magic 0x%08x; 1 to 4 supported)",
                       name, x->ndim, (unsigned)magic);
    *hdr = 4 + 4 * (size_t)x->ndim;
    if (len < *hdr)
        return tn__err(err, TN_EFORMAT,
                       "%s: truncated: %zu-byte header (%d dimensions) expected, %zu present",
                       name, *hdr, x->ndim, len);
    for (int i = 0; i < x->ndim; i++)
        x->dims[i] = be32(buf + 4 + 4 * i);
    char shape[96];
    shape_str(x->dims, x->ndim, shape, sizeof shape);
    for (int i = 0; i < x->ndim; i++)
        if (x->dims[i] == 0)
            return tn__err(err, TN_EFORMAT, "%s: dimension %d is 0 (shape %s)", name, i + 1,
                           shape);
    return TN_OK;
}

/* Checks that exactly count x item values follow the header. */
static int check_data_size(const char *name, const tn_idx *x, size_t have, tn_error *err)
{
    char shape[96];
    shape_str(x->dims, x->ndim, shape, sizeof shape);
    size_t n = 1, bytes;
    for (int i = 0; i < x->ndim; i++)
        if (tn__mul_size(n, x->dims[i], &n))
            n = SIZE_MAX;
    int esize = type_size(x->type);
    if (n == SIZE_MAX || tn__mul_size(n, (size_t)esize, &bytes))
        bytes = SIZE_MAX; /* cannot be present; reported as truncated below */
    char what[160];
    if (esize == 1)
        snprintf(what, sizeof what, "%s bytes of data", shape);
    else if (bytes == SIZE_MAX)
        snprintf(what, sizeof what, "%s %s values (too many bytes) of data", shape,
                 type_name(x->type));
    else
        snprintf(what, sizeof what, "%s %s values (%zu bytes) of data", shape,
                 type_name(x->type), bytes);
    if (have < bytes)
        return tn__err(err, TN_EFORMAT, "%s: truncated: %s expected, %zu present", name, what,
                       have);
    if (have > bytes)
        return tn__err(err, TN_EFORMAT, "%s: %zu trailing bytes after the %s", name,
                       have - bytes, what);
    return TN_OK;
}

/* Integer types convert exactly up to 2^24; floats must be finite (and fit a float). */
static int convert(const char *name, int type, const unsigned char *p, size_t n, float *v,
                   tn_error *err)
{
    size_t i;
    switch (type) {
    case 0x08:
        for (i = 0; i < n; i++)
            v[i] = (float)p[i];
        break;
    case 0x09:
        for (i = 0; i < n; i++)
            v[i] = (float)(int8_t)p[i];
        break;
    case 0x0B:
        for (i = 0; i < n; i++)
            v[i] = (float)(int16_t)(uint16_t)((unsigned)p[2 * i] << 8 | p[2 * i + 1]);
        break;
    case 0x0C:
        for (i = 0; i < n; i++)
            v[i] = (float)(int32_t)be32(p + 4 * i);
        break;
    case 0x0D:
        for (i = 0; i < n; i++) {
            uint32_t u = be32(p + 4 * i);
            memcpy(&v[i], &u, sizeof u);
            if (!isfinite(v[i]))
                return tn__err(err, TN_EFORMAT, "%s: value %zu is not finite", name, i);
        }
        break;
    default: /* 0x0E */
        for (i = 0; i < n; i++) {
            uint64_t u = be64(p + 8 * i);
            double d;
            memcpy(&d, &u, sizeof d);
            if (!isfinite(d) || fabs(d) > (double)FLT_MAX)
                return tn__err(err, TN_EFORMAT, "%s: value %zu (%g) is not a finite float", name,
                               i, d);
            v[i] = (float)d;
        }
        break;
    }
    return TN_OK;
}

int tn__idx_parse(const char *name, const unsigned char *buf, size_t len, tn_idx **out,
                  tn_error *err)
{
    if (!out || (!buf && len))
        return tn__err(err, TN_EINVAL, "tn__idx_parse: NULL argument");
    *out = NULL;
    name = name ? name : "<memory>";
    tn_idx h;
    memset(&h, 0, sizeof h);
    size_t hdr = 0;
    int rc = parse_header(name, buf, len, &h, &hdr, err);
    if (rc == TN_OK)
        rc = check_data_size(name, &h, len - hdr, err);
    if (rc != TN_OK)
        return rc;
    /* The size check bounds count x item by the bytes present, so these cannot overflow. */
    h.count = h.dims[0];
    h.item = 1;
    for (int i = 1; i < h.ndim; i++)
        h.item *= h.dims[i];
    tn_idx *x = tn__calloc(1, sizeof *x);
    if (!x)
        return tn__err(err, TN_ENOMEM, "%s: out of memory", name);
    *x = h;
    x->values = tn__floats_alloc_raw(h.count * h.item); /* convert() writes every value */
    if (!x->values) {
        tn__free(x);
        return tn__err(err, TN_ENOMEM, "%s: out of memory (%zu values)", name, h.count * h.item);
    }
    rc = convert(name, h.type, buf + hdr, h.count * h.item, x->values, err);
    if (rc != TN_OK) {
        tn__idx_free(x);
        return rc;
    }
    *out = x;
    return TN_OK;
}

int tn__idx_read(const char *path, tn_idx **out, tn_error *err)
{
    if (!path || !out)
        return tn__err(err, TN_EINVAL, "tn__idx_read: NULL argument");
    *out = NULL;
    unsigned char *raw = NULL, *plain = NULL;
    size_t raw_len = 0, plain_len = 0;
    int rc = tn__read_file(path, TN_IDX_MAX_BYTES, &raw, &raw_len, err);
    if (rc != TN_OK)
        return rc;
    if (raw_len >= 2 && raw[0] == 0x1f && raw[1] == 0x8b) {
        rc = tn__gunzip(path, raw, raw_len, TN_IDX_MAX_BYTES, &plain, &plain_len, err);
        tn__free(raw); /* free early: the compressed copy is not needed while parsing */
        raw = NULL;
    } else {
        plain = raw;
        plain_len = raw_len;
    }
    if (rc == TN_OK)
        rc = tn__idx_parse(path, plain, plain_len, out, err);
    tn__free(plain);
    return rc;
}

/* ---- chosen items only -------------------------------------------------------------- */

/* n bytes at off of fd; a short file is truncation. */
static int read_at(const char *name, int fd, unsigned char *buf, size_t n, off_t off,
                   tn_error *err)
{
    while (n > 0) {
        ssize_t got = pread(fd, buf, n, off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return tn__err_errno(err, TN_EIO, name, "cannot read", errno);
        if (got == 0)
            return tn__err(err, TN_EFORMAT, "%s: truncated while reading", name);
        buf += got;
        n -= (size_t)got;
        off += got;
    }
    return TN_OK;
}

/* The chosen items of h (count known) into a new tn_idx; get(user, first, k, bytes) gives
 * the bytes of items [first, first + k). */
typedef int (*item_bytes)(void *user, size_t first, size_t k, unsigned char *bytes,
                          tn_error *err);

static int convert_chosen(const char *name, const tn_idx *h, const uint32_t *rows, size_t n,
                          item_bytes get, void *user, tn_idx **out, tn_error *err)
{
    size_t esize = (size_t)type_size(h->type), row_bytes = h->item * esize;
    /* a run of consecutive items is read at once, up to about 4 MB */
    size_t cap = row_bytes > ((size_t)4 << 20) ? 1 : ((size_t)4 << 20) / row_bytes;
    tn_idx *x = tn__calloc(1, sizeof *x);
    unsigned char *chunk = tn__malloc(cap * row_bytes);
    if (x) {
        *x = *h;
        x->count = x->dims[0] = n;
        x->values = tn__floats_alloc_raw(n ? n * h->item : 1);
    }
    int rc = x && chunk && x->values ? TN_OK : tn__err(err, TN_ENOMEM, "%s: out of memory", name);
    for (size_t i = 0; rc == TN_OK && i < n;) {
        size_t k = 1;
        while (i + k < n && k < cap && rows[i + k] == rows[i] + k)
            k++;
        rc = get(user, rows[i], k, chunk, err);
        if (rc == TN_OK)
            rc = convert(name, h->type, chunk, k * h->item, x->values + i * h->item, err);
        i += k;
    }
    tn__free(chunk);
    if (rc) {
        tn__idx_free(x);
        return rc;
    }
    *out = x;
    return TN_OK;
}

typedef struct plain_src {
    const char *name;
    int fd;
    size_t hdr, row_bytes;
} plain_src;

static int plain_bytes(void *user, size_t first, size_t k, unsigned char *bytes, tn_error *err)
{
    plain_src *p = user;
    return read_at(p->name, p->fd, bytes, k * p->row_bytes,
                   (off_t)(p->hdr + first * p->row_bytes), err);
}

typedef struct mem_src {
    const unsigned char *data;
    size_t row_bytes;
} mem_src;

static int mem_bytes(void *user, size_t first, size_t k, unsigned char *bytes, tn_error *err)
{
    (void)err;
    mem_src *m = user;
    memcpy(bytes, m->data + first * m->row_bytes, k * m->row_bytes);
    return TN_OK;
}

static int header_of(const char *name, const unsigned char *buf, size_t len, size_t data_len,
                     tn_idx *h, size_t *hdr, tn_error *err)
{
    memset(h, 0, sizeof *h);
    int rc = parse_header(name, buf, len, h, hdr, err);
    if (rc == TN_OK)
        rc = check_data_size(name, h, data_len - (data_len < *hdr ? data_len : *hdr), err);
    if (rc == TN_OK) {
        h->count = h->dims[0];
        h->item = 1;
        for (int i = 1; i < h->ndim; i++)
            h->item *= h->dims[i];
    }
    return rc;
}

int tn__idx_read_rows(const char *path, tn_idx_select select, void *user, tn_idx **out,
                      size_t *count, tn_error *err)
{
    *out = NULL;
    *count = 0;
    int fd;
    int rc = tn__open_regular(path, &fd, err);
    if (rc)
        return rc;
    unsigned char head[4 + 4 * 4] = {0};
    struct stat st;
    size_t size = fstat(fd, &st) == 0 ? (size_t)st.st_size : 0, got = size < sizeof head ? size
                                                                              : sizeof head;
    rc = read_at(path, fd, head, got, 0, err);
    const uint32_t *rows;
    size_t n, hdr = 0;
    tn_idx h;
    if (rc == TN_OK && !(got >= 2 && head[0] == 0x1f && head[1] == 0x8b)) {
        /* plain: the header, then only the chosen items, by offset */
        rc = header_of(path, head, got, size, &h, &hdr, err);
        if (rc == TN_OK && (rc = select(user, h.count, &rows, &n, err)) == TN_OK) {
            plain_src p = {path, fd, hdr, h.item * (size_t)type_size(h.type)};
            rc = convert_chosen(path, &h, rows, n, plain_bytes, &p, out, err);
        }
        *count = rc == TN_OK ? h.count : 0;
        close(fd);
        return rc;
    }
    close(fd);
    if (rc)
        return rc;
    /* gzip cannot seek: decompressed whole (bytes), only the chosen items become floats */
    unsigned char *raw = NULL, *plain = NULL;
    size_t raw_len = 0, plain_len = 0;
    rc = tn__read_file(path, TN_IDX_MAX_BYTES, &raw, &raw_len, err);
    if (rc == TN_OK)
        rc = tn__gunzip(path, raw, raw_len, TN_IDX_MAX_BYTES, &plain, &plain_len, err);
    tn__free(raw);
    if (rc == TN_OK)
        rc = header_of(path, plain, plain_len, plain_len, &h, &hdr, err);
    if (rc == TN_OK && (rc = select(user, h.count, &rows, &n, err)) == TN_OK) {
        mem_src m = {plain + hdr, h.item * (size_t)type_size(h.type)};
        rc = convert_chosen(path, &h, rows, n, mem_bytes, &m, out, err);
    }
    *count = rc == TN_OK ? h.count : 0;
    tn__free(plain);
    return rc;
}

void tn__idx_free(tn_idx *x)
{
    if (!x)
        return;
    tn__floats_free(x->values);
    tn__free(x);
}

/* ---- Images and labels ------------------------------------------------------------ */

int tn__idx_check_pair(const tn_idx *images, const char *images_name, const tn_idx *labels,
                       const char *labels_name, size_t n_classes, tn_error *err)
{
    if (!images || !labels || n_classes == 0)
        return tn__err(err, TN_EINVAL, "tn__idx_check_pair: NULL argument or no classes");
    images_name = images_name ? images_name : "<images>";
    labels_name = labels_name ? labels_name : "<labels>";
    if (images->ndim < 2)
        return tn__err(err, TN_ESHAPE,
                       "%s: images need at least 2 dimensions (count x features), got %d",
                       images_name, images->ndim);
    if (labels->ndim != 1)
        return tn__err(err, TN_ESHAPE, "%s: labels must be 1-D, got %d dimensions", labels_name,
                       labels->ndim);
    if (images->count != labels->count)
        return tn__err(err, TN_ESHAPE, "%s has %zu images but %s has %zu labels", images_name,
                       images->count, labels_name, labels->count);
    for (size_t i = 0; i < labels->count; i++) {
        float v = labels->values[i];
        if (!(v >= 0.0f && (double)v < (double)n_classes && v == floorf(v)))
            return tn__err(err, TN_EDATA,
                           "%s: label %zu is %g, expected an integer in [0, %zu)", labels_name,
                           i, (double)v, n_classes);
    }
    return TN_OK;
}

/* ---- Fashion-MNIST ---------------------------------------------------------------- */

#define TN__FASHION_DIR "/usr/share/datasets/fashion-mnist"

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Writes dir/base.gz or dir/base, whichever exists (the .gz first, as Debian ships it). */
static int find_one(const char *dir, const char *base, char *buf, size_t cap, tn_error *err)
{
    static const char *const suffix[2] = {".gz", ""};
    for (int i = 0; i < 2; i++) {
        int n = snprintf(buf, cap, "%s/%s%s", dir, base, suffix[i]);
        if (n < 0 || (size_t)n >= cap)
            return tn__err(err, TN_ERANGE, "path %s/%s%s does not fit in %zu bytes", dir, base,
                           suffix[i], cap);
        if (is_file(buf))
            return TN_OK;
    }
    snprintf(buf, cap, "%s/%s.gz", dir, base);
    return tn__err(err, TN_ENOTFOUND,
                   "Fashion-MNIST file %s not found: install it with `apt-get install "
                   "dataset-fashion-mnist`%s", buf,
                   strcmp(dir, TN__FASHION_DIR) ? " (or fix TN_FASHION_MNIST_DIR)"
                                                : " or set TN_FASHION_MNIST_DIR");
}

int tn__fashion_paths(int which, char *images, size_t n1, char *labels, size_t n2,
                      tn_error *err)
{
    if ((which != 0 && which != 1) || !images || !labels || !n1 || !n2)
        return tn__err(err, TN_EINVAL, "tn__fashion_paths: which must be 0 (train) or 1 (test), "
                                       "with non-empty buffers");
    const char *dir = getenv("TN_FASHION_MNIST_DIR");
    if (!dir || !*dir)
        dir = TN__FASHION_DIR;
    const char *prefix = which == 0 ? "train" : "t10k";
    char base[64];
    snprintf(base, sizeof base, "%s-images-idx3-ubyte", prefix);
    int rc = find_one(dir, base, images, n1, err);
    if (rc != TN_OK)
        return rc;
    snprintf(base, sizeof base, "%s-labels-idx1-ubyte", prefix);
    return find_one(dir, base, labels, n2, err);
}
