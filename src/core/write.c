/* Durable writes: a temporary file beside the target, every write checked, synced,
 * renamed over the target, the directory synced. Apart from file.c's readers, so that a
 * predict-only program links no writer. */
#include "core/file.h"

#include "core/alloc.h"
#include "core/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Full write: write() may be short or interrupted. */
static int write_all(int fd, const unsigned char *p, size_t len)
{
    while (len > 0) {
        size_t chunk = len > ((size_t)1 << 30) ? ((size_t)1 << 30) : len;
        ssize_t w = write(fd, p, chunk);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* The directory holding path, as a new string ("." for a bare name). */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return tn__strdup(".");
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    char *d = tn__malloc(n + 1);
    if (d) {
        memcpy(d, path, n);
        d[n] = '\0';
    }
    return d;
}

int tn__check_writable(const char *path, tn_error *err)
{
    char *dir = dir_of(path);
    if (!dir)
        return tn__err(err, TN_ENOMEM, "%s: out of memory", path);
    int rc = TN_OK;
    if (access(dir, W_OK | X_OK) != 0)
        rc = tn__err_errno(err, TN_EIO, path, "cannot write there", errno);
    tn__free(dir);
    return rc;
}

/* Makes the rename itself durable. Filesystems that cannot sync a directory say EINVAL;
 * there is nothing more to do there, so that is not an error. */
static int fsync_dir(const char *path, tn_error *err)
{
    char *dir = dir_of(path);
    if (!dir)
        return tn__err(err, TN_ENOMEM, "%s: out of memory", path);
    int rc = TN_OK;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        rc = tn__err_errno(err, TN_EIO, dir, "open directory for fsync", errno);
    } else {
        if (fsync(fd) != 0 && errno != EINVAL)
            rc = tn__err_errno(err, TN_EIO, dir, "fsync directory", errno);
        close(fd);
    }
    tn__free(dir);
    return rc;
}

int tn__write_atomic(const char *path, const void *data, size_t len, tn_error *err)
{
    if (!path || (!data && len > 0))
        return tn__err(err, TN_EINVAL, "tn__write_atomic: NULL argument");
    static const char suffix[] = ".tmp.XXXXXX";
    size_t plen = strlen(path);
    char *tmp = tn__malloc(plen + sizeof suffix);
    if (!tmp)
        return tn__err(err, TN_ENOMEM, "%s: out of memory", path);
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, suffix, sizeof suffix);

    int fd = mkstemp(tmp);
    if (fd < 0) {
        int rc = tn__err_errno(err, TN_EIO, path, "create temporary file", errno);
        tn__free(tmp);
        return rc;
    }
    /* mkstemp makes 0600; a model file is not a secret, and replacing a file should not
     * change who can read it. */
    struct stat st;
    mode_t mode = stat(path, &st) == 0 ? (st.st_mode & 07777) : 0644;

    const char *what = NULL;
    int saved = 0;
    if (fchmod(fd, mode) != 0)
        what = "set permissions";
    else if (write_all(fd, data, len) != 0)
        what = "write";
    else if (fsync(fd) != 0)
        what = "fsync";
    if (what)
        saved = errno;
    /* close() can report a deferred write error (NFS, quota), so it is checked too. */
    if (close(fd) != 0 && !what) {
        what = "close";
        saved = errno;
    }
    if (!what && rename(tmp, path) != 0) {
        what = "rename";
        saved = errno;
    }
    if (what) {
        unlink(tmp);
        tn__free(tmp);
        return tn__err_errno(err, TN_EIO, path, what, saved);
    }
    tn__free(tmp);
    return fsync_dir(path, err);
}

