/* Files: CRC-32, bounded whole-file and stream reads (file.c), paths relative to a file,
 * and durable (atomic) writes (write.c, apart so a predict-only program links no writer).
 * Errors come back as a status plus "<path>: <what failed>: <reason>" in err. */
#ifndef TN_CORE_FILE_H
#define TN_CORE_FILE_H

#include "tinynet/tinynet.h"

#include <stddef.h>
#include <stdint.h>

/* IEEE 802.3 CRC-32, the same as zlib's crc32(): start with 0, feed chunks in order. */
uint32_t tn__crc32(uint32_t crc, const void *data, size_t n);

/* Write len bytes to path durably: a temporary file in the same directory
 * (path + ".tmp.XXXXXX"), every write and the close checked, fsync, rename over path,
 * fsync the directory. On failure before the rename the temporary file is removed and any
 * old file is untouched; returns TN_EIO (TN_ENOMEM if the temporary name cannot be
 * allocated). The new file keeps the old file's permission bits, or gets 0644. */
int tn__write_atomic(const char *path, const void *data, size_t len, tn_error *err);
/* The same, the content produced piecewise by produce(user, sink) through tn__sink_put
 * (nothing is held in memory at once); a failed put is remembered and reported as the
 * write's failure. */
typedef struct tn_sink {
    int fd;
    int failed, errnum;
} tn_sink;
void tn__sink_put(tn_sink *s, const void *data, size_t len);
int tn__write_atomic_with(const char *path, void (*produce)(void *user, tn_sink *sink),
                          void *user, tn_error *err);

/* Removes the temporary files of earlier writes to path that a kill left behind (called by
 * tn__write_atomic): only names of its own pattern (path + ".tmp." + 6 letters or digits;
 * with prefix, any name that starts with path's and ends so), only regular files of this
 * user, only those last modified a second or more before this process started and locked
 * by nobody (every write holds a lock on its temporary file until it is closed, so a slow
 * or stopped write of another process is left alone). Best effort: failures are ignored. */
void tn__remove_stale_temps(const char *path, int prefix);
/* Whether tn__write_atomic could write path (its directory exists and is writable), so a
 * long job can fail before it starts rather than at the end. */
int tn__check_writable(const char *path, tn_error *err);

/* Opens path for reading, refusing by its type (before anything can block) what is not a
 * regular file: a directory, FIFO, device or socket gets "<path>: not a regular file (a
 * named pipe)"; an empty path its own message. TN_EIO on failure (*fd -1). */
int tn__open_regular(const char *path, int *fd, tn_error *err);

/* Read a whole regular file into a tn__malloc'd buffer, NUL-terminated for convenience
 * (*len excludes the NUL); free it with tn__free. Files larger than max_bytes are refused
 * with TN_ERANGE before anything is allocated; open/read errors and non-regular files give
 * TN_EIO. On failure *out is NULL and *len is 0. A path is only ever a path: the library
 * never reads the process's standard input unless a caller hands it over (below). */
int tn__read_file(const char *path, size_t max_bytes, unsigned char **out, size_t *len,
                  tn_error *err);

/* The same for an open stream (a pipe, a terminal, the standard input the CLI passes on),
 * read to its end; name is used in messages. */
int tn__read_stream(const char *name, int fd, size_t max_bytes, unsigned char **out,
                    size_t *len, tn_error *err);

/* p as seen from the directory of file: unchanged when absolute (or "-"), else joined to
 * that directory (so paths in a config are relative to the config). tn__malloc'd; NULL
 * when out of memory. */
char *tn__path_beside(const char *file, const char *p);

#endif
