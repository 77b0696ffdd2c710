/* The conventions every command shares: the global options -q, -v and --progress, "--"
 * as the end of options, and what counts as an option. main applies them once, so each
 * command (and any new one) gets them without parsing them itself. */
#include "cli.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int tn_cli_verbosity = 0;
int tn_cli_progress = TN_PROGRESS_AUTO;
int tn_cli_operands_from = INT_MAX;

static int progress_value(const char *v)
{
    static const char *const names[] = {"auto", "always", "never"};
    for (int k = 0; k < 3; k++)
        if (strcmp(v, names[k]) == 0)
            return k;
    return -1;
}

int tn_cli_global_options(int *argc, char **argv)
{
    int out = 1, progress_given = 0;
    for (int i = 1; i < *argc; i++) {
        const char *a = argv[i];
        if (tn_cli_operands_from == INT_MAX && strcmp(a, "--") == 0) {
            /* In the command's argv (argv + 1) the operands start at out - 1. */
            tn_cli_operands_from = out - 1;
            continue;
        }
        if (tn_cli_operands_from == INT_MAX) {
            if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
                tn_cli_verbosity = -1;
                continue;
            }
            if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
                tn_cli_verbosity = 1;
                continue;
            }
            if (strncmp(a, "--progress", 10) == 0 && (a[10] == '=' || a[10] == '\0')) {
                const char *v = a[10] == '=' ? a + 11 : i + 1 < *argc ? argv[++i] : "";
                int k = progress_value(v);
                if (k < 0) {
                    fprintf(stderr, "tinynet: --progress needs auto, always or never, got "
                            "\"%s\"\n", v);
                    return TN_EXIT_USAGE;
                }
                tn_cli_progress = k;
                progress_given = 1;
                continue;
            }
        }
        argv[out++] = argv[i];
    }
    argv[out] = NULL;
    *argc = out;
    if (tn_cli_verbosity < 0 && !progress_given)
        tn_cli_progress = TN_PROGRESS_NEVER;
    return 0;
}

int tn_cli_show_progress(void)
{
    if (tn_cli_progress == TN_PROGRESS_AUTO)
        return isatty(STDERR_FILENO);
    return tn_cli_progress == TN_PROGRESS_ALWAYS;
}

int tn_cli_is_option(int i, const char *arg)
{
    return i < tn_cli_operands_from && arg[0] == '-' && arg[1] != '\0';
}

/* A model file starts with its magic. A binary file that does not (a NUL byte in its
 * start) is read as a damaged model too, so its message is "bad magic", not a JSON error.
 * Only a regular file is looked into, and never by a blocking open: anything else is left
 * to the config reader, which refuses it by its type. */
int tn_cli_is_model_file(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    char head[4096];
    ssize_t got = fd >= 0 ? read(fd, head, sizeof head) : -1;
    if (fd >= 0)
        close(fd);
    size_t n = got > 0 ? (size_t)got : 0;
    return (n >= 4 && memcmp(head, "TNN1", 4) == 0) || memchr(head, '\0', n) != NULL;
}

const char *tn_cli_thousands(char *buf, size_t size, size_t n)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%zu", n);
    size_t o = 0;
    for (int i = 0; i < len && o + 1 < size; i++) {
        if (i > 0 && (len - i) % 3 == 0 && o + 2 < size)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    if (size)
        buf[o < size ? o : size - 1] = '\0';
    return buf;
}
