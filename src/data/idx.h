/* IDX reader (the MNIST / Fashion-MNIST format), plain or gzip-compressed.
 *
 * Format: big-endian. Magic 0x00 0x00 <type> <ndim>; type 0x08 u8, 0x09 i8, 0x0B i16,
 * 0x0C i32, 0x0D float32, 0x0E float64; ndim 1..4; then ndim u32 dimensions (none 0), then
 * exactly dims[0] x ... x dims[ndim-1] values, row-major, and nothing after them.
 * A file starting with the gzip magic 1f 8b is decompressed first (all members), up to
 * TN_IDX_MAX_BYTES. Values become floats as they are (0..255 for bytes, no scaling); i32
 * beyond 2^24 loses precision, float64 must fit a float, and float NaN/Inf is rejected.
 *
 * Errors are TN_EFORMAT (TN_EIO for open/read failures, TN_ENOMEM, TN_ERANGE for a file
 * larger than the cap) with one message naming the file, e.g.
 *   train-images-idx3-ubyte.gz: truncated: 60000x28x28 bytes of data expected, 1234 present */
#ifndef TN_DATA_IDX_H
#define TN_DATA_IDX_H

#include "data/format.h"
#include "tinynet/tinynet.h"

#include <stddef.h>
#include <stdint.h>

/* Cap on both the file read and its decompressed size: the largest real IDX file
 * (MNIST-style 60000x28x28) is 47 MB, so 1 GiB only stops gzip bombs. */
#define TN_IDX_MAX_BYTES ((size_t)1 << 30)

typedef struct tn_idx {
    int type;       /* 0x08 ... 0x0E */
    int ndim;       /* 1..4 */
    size_t dims[4]; /* [ndim]; unused entries are 0 */
    size_t count;   /* dims[0] */
    size_t item;    /* product of dims[1..]; 1 for a 1-D file (labels) */
    float *values;  /* [count x item] raw values, from tn__floats_alloc */
} tn_idx;

/* Reads path (gzip detected by its magic) and parses it. On failure *out is NULL. */
int tn__idx_read(const char *path, tn_idx **out, tn_error *err);
/* Parses len bytes already decompressed. name is used in messages (NULL: "<memory>").
 * On failure *out is NULL. */
int tn__idx_parse(const char *name, const unsigned char *buf, size_t len, tn_idx **out,
                  tn_error *err);
void tn__idx_free(tn_idx *x); /* NULL is harmless */
/* Which items to keep, told the file's count: *rows[0 .. *n) ascending, below count. */
typedef int (*tn_idx_select)(void *user, size_t count, const uint32_t **rows, size_t *n,
                             tn_error *err);
/* Reads only the items select chooses (their values, in that order; (*out)->count is how
 * many): a plain file its header and then each run of chosen items by offset, a gzip file
 * (which cannot seek) decompressed whole as bytes with only the chosen items converted.
 * *count: the file's items. */
int tn__idx_read_rows(const char *path, tn_idx_select select, void *user, tn_idx **out,
                      size_t *count, tn_error *err);

/* Decompresses a whole gzip buffer (one or more members) into a tn__malloc'd buffer of at
 * most cap bytes; free it with tn__free. Corrupt or truncated data and anything but
 * another member after a member: TN_EFORMAT "<name>: gzip data is corrupt: <why>"; more
 * than cap bytes: TN_EFORMAT. On failure *out is NULL and *out_len 0. */
int tn__gunzip(const char *name, const unsigned char *in, size_t len, size_t cap,
               unsigned char **out, size_t *out_len, tn_error *err);

/* Checks that images and labels belong together: images with ndim >= 2 (TN_ESHAPE), labels
 * 1-D (TN_ESHAPE), the same count (TN_ESHAPE, naming both counts and files), and every label
 * an integer in [0, n_classes) (TN_EDATA, naming the index and the value). */
int tn__idx_check_pair(const tn_idx *images, const char *images_name, const tn_idx *labels,
                       const char *labels_name, size_t n_classes, tn_error *err);

/* Locates the Fashion-MNIST files of Debian's dataset-fashion-mnist package
 * (/usr/share/datasets/fashion-mnist), or of the directory in $TN_FASHION_MNIST_DIR when
 * that is set (then only there). which: 0 train, 1 test. Each file may be NAME.gz or
 * NAME. Writes both paths; TN_ENOTFOUND (message says `apt-get install
 * dataset-fashion-mnist`) when one is missing, TN_ERANGE when a buffer is too small. */
int tn__fashion_paths(int which, char *images, size_t n1, char *labels, size_t n2,
                      tn_error *err);

/* The 10 Fashion-MNIST class names, by label. Defined once in idx.c (a static array in a
 * header would be copied into, and warn as unused in, every file that includes it). */
#define TN_FASHION_CLASSES 10
extern const char *const tn__fashion_classes[TN_FASHION_CLASSES];

/* ---- shared by the "idx" and "fashion-mnist" formats (data/idx_format.c) ------------- */

/* Reads IDX images (any count x ... shape, flattened per item) into the network's one float
 * input, and with labels (may be NULL) class-index targets checked against the output
 * width (tn__idx_check_pair). *type_max: the largest value of the images' type (255 for
 * bytes; 0 for float types, which have none), for "unit" scaling. */
int tn__data_load_idx(const char *images, const char *labels, const tn_net *net,
                      tn_dataset **out, float *type_max, tn_error *err);
/* The same, keeping only the items sel chooses (NULL: all; tn__idx_read_rows). */
int tn__data_load_idx_rows(const char *images, const char *labels, const tn_net *net,
                           const tn_row_select *sel, tn_dataset **out, float *type_max,
                           tn_error *err);
/* paths[0] images and, with targets, paths[1] labels. */
int tn__data_read_images(const tn_data_source *src, const tn_net *net, int with_targets,
                         tn_dataset **out, tn_error *err);
/* Whether src is the one word "fashion-mnist:SET", and the set it names from Debian's
 * package (data/fashion.c): for "fashion-mnist" models and for older image models. */
int tn__data_fashion_keyword(const tn_data_source *src);
int tn__data_read_fashion(const char *keyword, const tn_net *net, tn_dataset **out,
                          tn_error *err);
/* Config checks of an image format: no CSV keys; a network with one float input and a
 * class loss. */
int tn__data_image_checks(tn_jr *r, const cJSON *obj, const char *fmt);
int tn__data_image_net(tn_jr *r, const tn_data_ctx *c, const char *fmt);

#endif
