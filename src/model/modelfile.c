#include "model/modelfile.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

/* Parameters are stored as the bits of a binary32; the copy loops below rely on it. */
_Static_assert(sizeof(float) == sizeof(uint32_t) && FLT_MANT_DIG == 24 && FLT_MAX_EXP == 128,
               "float must be IEEE-754 binary32");


/* Byte by byte, so the file is the same on any host and unaligned reads are fine. */
static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const unsigned char *p)
{
    return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

static float get_f32(const unsigned char *p)
{
    uint32_t bits = get_u32(p);
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* Structural checks and the CRC, cheapest first; reads only bytes known to be present.
 * On success *hlen and *n are the header length and parameter count. */
static int check_container(const char *name, const unsigned char *buf, size_t len,
                           size_t *hlen, size_t *n, tn_error *err)
{
    const size_t min = TN_MODELFILE_MIN_SIZE;
    if (len >= 4 && memcmp(buf, TN_MODELFILE_MAGIC, 4) != 0)
        return tn__err(err, TN_EFORMAT, "%s: not a tinynet model file (bad magic)", name);
    if (len < min)
        return tn__err(err, TN_EFORMAT,
                       "%s: file is truncated: %zu bytes, a model file has at least %zu", name,
                       len, min);
    uint32_t version = get_u32(buf + TN_MODELFILE_OFF_VERSION);
    if (version == 0)
        return tn__err(err, TN_EFORMAT, "%s: invalid model format version 0", name);
    if (version > TN_MODELFILE_VERSION)
        return tn__err(err, TN_EVERSION,
                       "%s: model format version %" PRIu32
                       " is newer than this tinynet supports (%d)",
                       name, version, TN_MODELFILE_VERSION);

    uint32_t h = get_u32(buf + TN_MODELFILE_OFF_HLEN);
    if (h > TN_MODELFILE_MAX_HEADER)
        return tn__err(err, TN_EFORMAT, "%s: header length %" PRIu32 " exceeds the limit of %zu",
                       name, h, TN_MODELFILE_MAX_HEADER);
    if (h > len - min)
        return tn__err(err, TN_EFORMAT,
                       "%s: file is truncated: a %" PRIu32
                       "-byte header needs at least %zu bytes, got %zu",
                       name, h, min + h, len);

    /* The count decides how many bytes must follow, so overflow-check the size product
     * before comparing; a huge count is then a plain format error, never an allocation. */
    uint64_t count = get_u64(buf + TN_MODELFILE_OFF_HEADER + h);
    size_t blob;
    if (count > SIZE_MAX || tn__mul_size((size_t)count, 4, &blob) ||
        blob > SIZE_MAX - min - h)
        return tn__err(err, TN_EFORMAT,
                       "%s: parameter count %" PRIu64 " is impossibly large (file is %zu bytes)",
                       name, count, len);
    size_t expected = min + h + blob;
    if (expected > len)
        return tn__err(err, TN_EFORMAT,
                       "%s: file is truncated: expected %zu bytes for %" PRIu64
                       " parameters, got %zu",
                       name, expected, count, len);
    if (expected < len)
        return tn__err(err, TN_EFORMAT,
                       "%s: %zu trailing bytes after the checksum: expected %zu bytes, got %zu",
                       name, len - expected, expected, len);

    const unsigned char *nul = memchr(buf + TN_MODELFILE_OFF_HEADER, 0, h);
    if (nul)
        return tn__err(err, TN_EFORMAT, "%s: header contains a NUL byte at offset %zu", name,
                       (size_t)(nul - buf));

    uint32_t stored = get_u32(buf + len - 4), computed = tn__crc32(0, buf, len - 4);
    if (stored != computed)
        return tn__err(err, TN_ECHECKSUM,
                       "%s: checksum mismatch: stored 0x%08" PRIx32 ", computed 0x%08" PRIx32
                       " (the file is corrupted)",
                       name, stored, computed);
    *hlen = h;
    *n = (size_t)count;
    return TN_OK;
}

/* A NaN or Inf weight means a diverged run was saved; refuse it unless asked. */
static int check_finite(const char *name, const unsigned char *blob, size_t n, tn_error *err)
{
    for (size_t i = 0; i < n; i++) {
        float w = get_f32(blob + 4 * i);
        if (!isfinite(w))
            return tn__err(err, TN_EFORMAT, "%s: weight %zu is not finite (%s)", name, i,
                           isnan(w) ? "NaN" : w > 0 ? "+Inf" : "-Inf");
    }
    return TN_OK;
}

int tn__modelfile_decode(const char *name, const unsigned char *buf, size_t len,
                         int allow_nonfinite, tn_modelfile *out, tn_error *err)
{
    if (!out || (!buf && len > 0))
        return tn__err(err, TN_EINVAL, "tn__modelfile_decode: NULL argument");
    memset(out, 0, sizeof *out);
    if (!name)
        name = "model";
    size_t hlen = 0, n = 0;
    int rc = check_container(name, buf, len, &hlen, &n, err);
    if (rc != TN_OK)
        return rc;
    const unsigned char *blob = buf + TN_MODELFILE_OFF_HEADER + hlen + 8;
    if (!allow_nonfinite && (rc = check_finite(name, blob, n, err)) != TN_OK)
        return rc;

    /* Everything checked: only now allocate. */
    char *header = tn__malloc(hlen + 1);
    float *params = tn__floats_alloc(n);
    if (!header || !params) {
        tn__free(header);
        tn__floats_free(params);
        return tn__err(err, TN_ENOMEM, "%s: out of memory loading %zu parameters", name, n);
    }
    memcpy(header, buf + TN_MODELFILE_OFF_HEADER, hlen);
    header[hlen] = '\0';
    for (size_t i = 0; i < n; i++)
        params[i] = get_f32(blob + 4 * i);
    out->header = header;
    out->header_len = hlen;
    out->params = params;
    out->n_params = n;
    out->version = (int)get_u32(buf + TN_MODELFILE_OFF_VERSION); /* checked: 1 .. VERSION */
    return TN_OK;
}

int tn__modelfile_read(const char *path, int allow_nonfinite, tn_modelfile *out, tn_error *err)
{
    if (!path || !out)
        return tn__err(err, TN_EINVAL, "tn__modelfile_read: NULL argument");
    memset(out, 0, sizeof *out);
    size_t cap = TN_MODELFILE_MAX_FILE > SIZE_MAX ? SIZE_MAX : (size_t)TN_MODELFILE_MAX_FILE;
    unsigned char *buf;
    size_t len;
    int rc = tn__read_file(path, cap, &buf, &len, err);
    if (rc != TN_OK)
        return rc;
    rc = tn__modelfile_decode(path, buf, len, allow_nonfinite, out, err);
    tn__free(buf);
    return rc;
}

void tn__modelfile_release(tn_modelfile *m)
{
    if (!m)
        return;
    tn__free(m->header);
    tn__floats_free(m->params);
    memset(m, 0, sizeof *m);
}
