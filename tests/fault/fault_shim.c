/* LD_PRELOAD fault injection for the fault suite (tests/cli_faults.sh): makes chosen system
 * calls fail on chosen paths, as a full disk, a failing disk or a read-only directory
 * would, where the test cannot mount a small or read-only file system.
 *
 *   TN_FAULT_PATH   substring of the path (of the file an fd refers to) that fails
 *   TN_FAULT_OPS    comma-separated: write, fsync, close, mkstemp, rename, access (fail),
 *                   slow (writes take 0.3 s each, to signal a process mid-save)
 *   TN_FAULT_ERRNO  ENOSPC (default), EIO or EROFS
 *
 * The library calls these through the PLT, so interposing them works; stdio's own writes
 * do not pass through here (the log is tested on /dev/full instead). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int fault_errno(void)
{
    const char *e = getenv("TN_FAULT_ERRNO");
    if (e && !strcmp(e, "EIO"))
        return EIO;
    if (e && !strcmp(e, "EROFS"))
        return EROFS;
    return ENOSPC;
}

static int op_on(const char *op)
{
    const char *ops = getenv("TN_FAULT_OPS");
    size_t n = strlen(op);
    for (const char *p = ops; p && *p;) {
        const char *q = strchr(p, ',');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        if (len == n && !strncmp(p, op, n))
            return 1;
        p = q ? q + 1 : p + len;
    }
    return 0;
}

static int path_hit(const char *path)
{
    const char *want = getenv("TN_FAULT_PATH");
    return want && *want && path && strstr(path, want) != NULL;
}

static int fd_hit(int fd)
{
    char link[64], target[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n < 0)
        return 0;
    target[n] = '\0';
    return path_hit(target);
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

ssize_t write(int fd, const void *buf, size_t n)
{
    if (op_on("slow") && fd_hit(fd))
        usleep(300000); /* a slow disk: time for a signal to arrive mid-save */
    if (op_on("write") && fd_hit(fd)) {
        errno = fault_errno();
        return -1;
    }
    return REAL(write)(fd, buf, n);
}

int fsync(int fd)
{
    if (op_on("fsync") && fd_hit(fd)) {
        errno = fault_errno();
        return -1;
    }
    return REAL(fsync)(fd);
}

int close(int fd)
{
    int hit = op_on("close") && fd_hit(fd);
    int rc = REAL(close)(fd);
    if (hit) {
        errno = fault_errno();
        return -1;
    }
    return rc;
}

int mkstemp(char *tmpl)
{
    if (op_on("mkstemp") && path_hit(tmpl)) {
        errno = fault_errno();
        return -1;
    }
    return REAL(mkstemp)(tmpl);
}

int rename(const char *from, const char *to)
{
    if (op_on("rename") && (path_hit(from) || path_hit(to))) {
        errno = fault_errno();
        return -1;
    }
    return REAL(rename)(from, to);
}

int access(const char *path, int mode)
{
    if (op_on("access") && (mode & W_OK) && path_hit(path)) {
        errno = fault_errno();
        return -1;
    }
    return REAL(access)(path, mode);
}
