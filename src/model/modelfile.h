/* The .tnn container: magic, version, a JSON header and a float32 parameter blob, sealed by
 * a CRC-32. This layer checks only the container; whether the shapes in the header match
 * the architecture is the network loader's business.
 *
 * Layout (integers little-endian, floats as their IEEE-754 bits, little-endian):
 *   "TNN1" | u32 version | u32 header length H | H bytes JSON (no NUL) |
 *   u64 parameter count P | 4*P bytes float32 | u32 CRC-32 of every preceding byte
 * and nothing after. */
#ifndef TN_MODEL_MODELFILE_H
#define TN_MODEL_MODELFILE_H

#include "tinynet/tinynet.h"

#include <stddef.h>
#include <stdint.h>

/* 2: the header records the input format ("data"); version 1 files (with "columns") still
 * load. 3: the data record may hold vocabularies (ids, class names) that change how data
 * are read: a reader of version 2 must refuse them rather than read ids as numbers. */
#define TN_MODELFILE_VERSION 3
#define TN_MODELFILE_MAGIC "TNN1"
#define TN_MODELFILE_MAX_HEADER ((size_t)16 << 20) /* 16 MiB of JSON is far past any net */
#define TN_MODELFILE_MIN_SIZE ((size_t)24)          /* magic+version+H+P+CRC, all empty */
#define TN_MODELFILE_MAX_FILE ((uint64_t)4 << 30)   /* tn__modelfile_read refuses more */

/* Field offsets; the header, and everything after it, moves with H. */
enum { TN_MODELFILE_OFF_VERSION = 4, TN_MODELFILE_OFF_HLEN = 8, TN_MODELFILE_OFF_HEADER = 12 };

typedef struct tn_modelfile {
    char *header;      /* NUL-terminated copy of the JSON header (tn__malloc) */
    size_t header_len; /* bytes, without the NUL */
    float *params;     /* (n_params,) tn__floats_alloc'd, 64-byte aligned copy */
    size_t n_params;
    int version;       /* the container's format version */
} tn_modelfile;

/* Serialise into a new tn__malloc'd buffer (free with tn__free). The header is a
 * NUL-terminated string of at most TN_MODELFILE_MAX_HEADER bytes; params may be NULL when
 * n is 0. Non-finite weights are written as they are; the reader decides. */
int tn__modelfile_encode(const char *header, const float *params, size_t n, unsigned char **out,
                         size_t *len, tn_error *err);
/* The same container from k blocks of n floats each (the file holds k * n parameters),
 * written piecewise: no image of the file in memory. */
int tn__modelfile_write_blocks(const char *path, const char *header, const float *const *blocks,
                               size_t k, size_t n, tn_error *err);
/* encode + tn__write_atomic. */
int tn__modelfile_write(const char *path, const char *header, const float *params, size_t n,
                        tn_error *err);

/* Checks the whole container before allocating anything: size, magic, version (newer:
 * TN_EVERSION), lengths against the bytes present (truncation and trailing bytes: TN_EFORMAT
 * with expected and actual sizes), NUL in the header, CRC (TN_ECHECKSUM) and, unless
 * allow_nonfinite, that every weight is finite (TN_EFORMAT naming the first bad index).
 * Every message starts with "<name>: ". On success *out owns copies (tn__modelfile_release);
 * on failure *out is zeroed. */
int tn__modelfile_decode(const char *name, const unsigned char *buf, size_t len,
                         int allow_nonfinite, tn_modelfile *out, tn_error *err);
/* Reads path (at most TN_MODELFILE_MAX_FILE bytes) and decodes it with name = path. */
int tn__modelfile_read(const char *path, int allow_nonfinite, tn_modelfile *out, tn_error *err);
/* Frees the members and zeroes *m; harmless on a zeroed struct or NULL. */
void tn__modelfile_release(tn_modelfile *m);

#endif
