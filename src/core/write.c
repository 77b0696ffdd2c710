/* Durable writes: a temporary file beside the target, every write checked, synced,
 * renamed over the target, the directory synced. Apart from file.c's readers, so that a
 * predict-only program links no writer. */
#include "core/file.h"

#include "core/alloc.h"
#include "core/error.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
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

/* What a write to path would replace must be a regular file (or nothing): a directory,
 * FIFO or device is refused, never replaced by a file (as root, -o /dev/null would
 * otherwise become a plain file). stat follows a symlink: a link to a file passes, and
 * the rename then replaces the link itself with the new file (as editors saving by rename
 * do). */
static int check_target(const char *path, tn_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return errno == ENOENT || errno == ENOTDIR ? TN_OK
                                                   : tn__err_errno(err, TN_EIO, path, "cannot stat", errno);
    if (S_ISREG(st.st_mode))
        return TN_OK;
    if (S_ISDIR(st.st_mode))
        return tn__err(err, TN_EIO, "%s: is a directory: give a file name (e.g. %s/model.tnn)",
                       path, path);
    return tn__err(err, TN_EIO, "%s: not a regular file (%s): tinynet writes regular files "
                   "only, and will not replace it", path,
                   S_ISFIFO(st.st_mode) ? "a named pipe" :
                   S_ISCHR(st.st_mode) ? "a character device" :
                   S_ISBLK(st.st_mode) ? "a block device" : "a socket");
}

int tn__check_writable(const char *path, tn_error *err)
{
    if (!*path)
        return tn__err(err, TN_EIO, "an empty file name: give the path of a file");
    int rc = check_target(path, err);
    if (rc)
        return rc;
    char *dir = dir_of(path);
    if (!dir)
        return tn__err(err, TN_ENOMEM, "%s: out of memory", path);
    struct stat st;
    if (stat(dir, &st) != 0)
        rc = tn__err_errno(err, TN_EIO, path, "cannot write there", errno);
    else if (!S_ISDIR(st.st_mode))
        rc = tn__err(err, TN_EIO, "%s: cannot write there: %s is not a directory", path, dir);
    else if (access(dir, W_OK | X_OK) != 0)
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

/* When this process started, in seconds since the epoch (Linux: /proc/self/stat's start
 * time after boot plus /proc/stat's boot time); 0 when it cannot be told. */
static double process_start(void)
{
    double start = 0;
    FILE *f = fopen("/proc/self/stat", "r");
    char buf[1024];
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = '\0';
    /* Field 2 (the command) may hold spaces and parentheses: count from its last ')'. */
    char *p = strrchr(buf, ')');
    unsigned long long ticks = 0;
    for (int field = 2; p && field < 22; field++)
        p = strchr(p + 1, ' ');
    if (!p || sscanf(p + 1, "%llu", &ticks) != 1)
        return 0;
    unsigned long long btime = 0;
    char line[256];
    if (!(f = fopen("/proc/stat", "r")))
        return 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "btime %llu", &btime) == 1)
            break;
    fclose(f);
    long hz = sysconf(_SC_CLK_TCK);
    if (btime && hz > 0)
        start = (double)btime + (double)ticks / (double)hz;
    return start;
}

void tn__remove_stale_temps(const char *path, int prefix)
{
    double start = process_start();
    char *dir = dir_of(path);
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
    size_t blen = strlen(base);
    DIR *d = dir && start > 0 ? opendir(dir) : NULL;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        const char *name = e->d_name;
        size_t n = strlen(name);
        /* <base><anything when prefix>.tmp.<6 letters or digits> */
        if (n < blen + 11 || (!prefix && n != blen + 11) || strncmp(name, base, blen) != 0 ||
            strncmp(name + n - 11, ".tmp.", 5) != 0)
            continue;
        int ours = 1;
        for (size_t i = n - 6; i < n; i++)
            ours &= isalnum((unsigned char)name[i]) != 0;
        struct stat st;
        if (!ours || fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
            (double)st.st_mtime >= start - 1)
            continue;
        /* A live write holds a lock on its temporary file (stopped or slow as it may be):
         * only a file nobody holds is stale. */
        int fd = openat(dirfd(d), name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
            continue;
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            (void)unlinkat(dirfd(d), name, 0);
        close(fd);
    }
    if (d)
        closedir(d);
    tn__free(dir);
}

void tn__sink_put(tn_sink *s, const void *data, size_t len)
{
    if (!s->failed && write_all(s->fd, data, len) != 0) {
        s->failed = 1;
        s->errnum = errno;
    }
}

int tn__write_atomic_with(const char *path, void (*produce)(void *user, tn_sink *sink),
                          void *user, tn_error *err)
{
    if (!path || !produce)
        return tn__err(err, TN_EINVAL, "tn__write_atomic: NULL argument");
    if (!*path)
        return tn__err(err, TN_EIO, "an empty file name: give the path of a file");
    int rc = check_target(path, err);
    if (rc)
        return rc;
    tn__remove_stale_temps(path, 0);
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
    /* Held until the file is closed: tells tn__remove_stale_temps of another process that
     * this temporary file is alive, however slow or stopped the write. */
    (void)flock(fd, LOCK_EX | LOCK_NB);
    /* mkstemp makes 0600; a model file is not a secret, and replacing a file should not
     * change who can read it. */
    struct stat st;
    mode_t mode = stat(path, &st) == 0 ? (st.st_mode & 07777) : 0644;

    const char *what = NULL;
    int saved = 0;
    tn_sink sink = {fd, 0, 0};
    if (fchmod(fd, mode) != 0) {
        what = "set permissions";
        saved = errno;
    } else {
        produce(user, &sink);
        if (sink.failed) {
            what = "write";
            saved = sink.errnum;
        } else if (fsync(fd) != 0) {
            what = "fsync";
            saved = errno;
        }
    }
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

typedef struct bytes {
    const void *data;
    size_t len;
} bytes;

static void put_bytes(void *user, tn_sink *sink)
{
    const bytes *b = user;
    tn__sink_put(sink, b->data, b->len);
}

int tn__write_atomic(const char *path, const void *data, size_t len, tn_error *err)
{
    if (!path || (!data && len > 0))
        return tn__err(err, TN_EINVAL, "tn__write_atomic: NULL argument");
    bytes b = {data, len};
    return tn__write_atomic_with(path, put_bytes, &b, err);
}
