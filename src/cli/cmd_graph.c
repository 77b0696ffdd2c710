/* tinynet graph CONFIG|MODEL [-o FILE]: the network as Graphviz DOT on stdout or in FILE;
 * .svg, .png and .pdf are rendered by Graphviz' `dot`, found on PATH at run time (an
 * optional dependency, needed for images only). */
#include "cli.h"
#include "raster.h"

#include "tinynet/inspect.h"
#include "tinynet/train.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char usage[] =
    "tinynet graph CONFIG|MODEL [-o FILE.dot|.svg|.png|.pdf] [--rankdir TB|LR] [--dpi N]\n"
    "                     [--expand]";

/* Whether an executable `name` is on PATH, the way posix_spawnp will look for it. */
static int on_path(const char *name)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/bin:/bin";
    char full[4096];
    for (const char *p = path;; p++) {
        const char *q = strchr(p, ':');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        if (n && n + strlen(name) + 2 <= sizeof full) {
            snprintf(full, sizeof full, "%.*s/%s", (int)n, p, name);
            if (access(full, X_OK) == 0)
                return 1;
        }
        if (!q)
            return 0;
        p = q;
    }
}

/* Runs `dot -T<fmt> -o FILE` with the DOT text on its stdin. No shell is involved, so a
 * file name is only ever an argument. dot's stderr is captured, so that a failure is one
 * message from tinynet (with dot's first line in it) rather than dot's and then ours. */
static int render(const char *dot_text, size_t len, const char *fmt, const char *file,
                  long long dpi, tn_error *err)
{
    if (!on_path("dot"))
        return tn_cli_err(err, TN_ENOTFOUND, "cannot draw %s: Graphviz' \"dot\" is not on PATH "
                       "(install Graphviz, e.g. apt-get install graphviz, or write .dot; "
                       "without it tinynet draws only a chain of layers, as .png)", file);
    int in[2], ep[2];
    if (pipe(in) != 0)
        return tn_cli_err(err, TN_EIO, "pipe: %s", strerror(errno));
    if (pipe(ep) != 0) {
        int e = errno;
        close(in[0]);
        close(in[1]);
        return tn_cli_err(err, TN_EIO, "pipe: %s", strerror(e));
    }
    char tflag[16], dflag[32];
    snprintf(tflag, sizeof tflag, "-T%s", fmt);
    /* The resolution matters for a bitmap only; dot's own default, 96, looks blurred in a
     * report. */
    snprintf(dflag, sizeof dflag, "-Gdpi=%lld", dpi);
    char *args[] = {"dot", tflag, "-o", (char *)file, strcmp(fmt, "png") ? NULL : dflag, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, ep[1], 2);
    posix_spawn_file_actions_addclose(&fa, in[1]);
    posix_spawn_file_actions_addclose(&fa, ep[0]);
    pid_t pid;
    int e = posix_spawnp(&pid, "dot", &fa, NULL, args, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(ep[1]);
    if (e != 0) {
        close(in[1]);
        close(ep[0]);
        return tn_cli_err(err, TN_EIO, "cannot run dot: %s", strerror(e));
    }
    /* dot may exit early on an error; see that as its status, not as SIGPIPE. */
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    /* Feed stdin and drain stderr together: dot blocks if either pipe fills. Only the
     * start of stderr is kept, for the message. */
    char msg[512];
    size_t done = 0, got = 0;
    int wfd = in[1], rfd = ep[0];
    /* Non-blocking, so a large write cannot wait on dot while dot waits on its stderr. */
    fcntl(wfd, F_SETFL, fcntl(wfd, F_GETFL) | O_NONBLOCK);
    if (len == 0) {
        close(wfd);
        wfd = -1;
    }
    while (wfd >= 0 || rfd >= 0) {
        struct pollfd p[2] = {{.fd = wfd, .events = POLLOUT}, {.fd = rfd, .events = POLLIN}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (wfd >= 0 && p[0].revents) {
            ssize_t k = write(wfd, dot_text + done, len - done);
            if (k > 0)
                done += (size_t)k;
            if ((k < 0 && errno != EINTR && errno != EAGAIN) || k == 0 || done == len) {
                close(wfd);
                wfd = -1;
            }
        }
        if (rfd >= 0 && p[1].revents) {
            char buf[512];
            ssize_t k = read(rfd, buf, sizeof buf);
            if (k > 0 && got < sizeof msg - 1) {
                size_t n = (size_t)k < sizeof msg - 1 - got ? (size_t)k : sizeof msg - 1 - got;
                memcpy(msg + got, buf, n);
                got += n;
            }
            if (k == 0 || (k < 0 && errno != EINTR && errno != EAGAIN)) {
                close(rfd);
                rfd = -1;
            }
        }
    }
    if (wfd >= 0)
        close(wfd);
    if (rfd >= 0)
        close(rfd);
    signal(SIGPIPE, old);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return tn_cli_err(err, TN_EIO, "waiting for dot: %s", strerror(errno));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || done < len) {
        /* dot's first line, without its own "Error: " label and trailing blanks. */
        msg[got] = 0;
        char *line = msg + strspn(msg, " \t\r\n");
        line[strcspn(line, "\r\n")] = 0;
        if (!strncmp(line, "Error: ", 7))
            line += 7;
        for (size_t n = strlen(line); n && (line[n - 1] == ' ' || line[n - 1] == '\t'); n--)
            line[n - 1] = 0;
        if (*line)
            return tn_cli_err(err, TN_EIO, "dot failed to write %s: %s", file, line);
        return tn_cli_err(err, TN_EIO, "dot failed to write %s (status %d)", file,
                       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    return TN_OK;
}

static const char *extension(const char *file)
{
    const char *dot = strrchr(file, '.'), *slash = strrchr(file, '/');
    return dot && (!slash || dot > slash) ? dot + 1 : "";
}

int tn_cli_graph(int argc, char **argv)
{
    if (tn_cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n"
               "Draws the network of a JSON config or a .tnn model under a title with its name\n"
               "and totals: inputs side by side, each layer a box (name, type, output shape,\n"
               "parameters), activations as ellipses, arrows for the data flow, the output\n"
               "marked with what it holds. A chain of three or more identical layers is one\n"
               "box marked with its count. Writes Graphviz DOT to stdout, or to FILE by its\n"
               "extension: .dot (DOT text), .svg, .png or .pdf (rendered by Graphviz' dot,\n"
               "which must be installed for images only, e.g. apt-get install graphviz).\n"
               "Without Graphviz, tinynet draws a .png of a chain of layers itself (one\n"
               "input, each layer reading the one before), every layer in its own box.\n\n"
               "  -o, --output FILE   the file to write\n"
               "  --rankdir TB|LR     top to bottom (default) or left to right\n"
               "  --dpi N             the resolution of a .png, 36 to 1200 (default 150)\n"
               "  --expand            draw every layer, even in a chain of identical ones\n",
               usage);
        return TN_EXIT_OK;
    }
    const char *in = NULL, *file = NULL;
    tn_dot_options dopt = {0};
    long long dpi = 150;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int m;
        if ((m = tn_cli_option(argc, argv, &i, "-o", &v)) ||
            (m = tn_cli_option(argc, argv, &i, "--output", &v))) {
            if (m < 0)
                return tn_cli_usage("graph", usage, "%s needs a file name", argv[i]);
            file = v;
        } else if ((m = tn_cli_option(argc, argv, &i, "--rankdir", &v))) {
            if (m < 0 || (strcmp(v, "TB") && strcmp(v, "LR")))
                return tn_cli_usage("graph", usage, "--rankdir needs TB or LR");
            dopt.left_to_right = strcmp(v, "LR") == 0;
        } else if ((m = tn_cli_option(argc, argv, &i, "--dpi", &v))) {
            if (m < 0 || tn_cli_int(v, 36, 1200, &dpi))
                return tn_cli_usage("graph", usage, "--dpi needs an integer in [36, 1200]");
        } else if (i < tn_cli_operands_from && strcmp(argv[i], "--expand") == 0) {
            dopt.expand = 1;
        } else if (tn_cli_is_option(i, argv[i])) {
            return tn_cli_usage("graph", usage, "unknown option \"%s\"", argv[i]);
        } else if (in) {
            return tn_cli_usage("graph", usage, "unexpected argument \"%s\"", argv[i]);
        } else {
            in = argv[i];
        }
    }
    if (!in)
        return tn_cli_usage("graph", usage, "missing CONFIG or MODEL");
    const char *ext = file ? extension(file) : "dot";
    if (strcmp(ext, "dot") && strcmp(ext, "gv") && strcmp(ext, "svg") && strcmp(ext, "png") &&
        strcmp(ext, "pdf"))
        return tn_cli_usage("graph", usage, "cannot tell the format of \"%s\": use .dot, .svg, "
                            ".png or .pdf", file);
    tn_error err = {0};
    tn_trainer *t = NULL;
    tn_model *m = NULL;
    const tn_model *net = NULL;
    char *text = NULL;
    size_t len = 0;
    int rc = tn_cli_is_model_file(in) ? tn_model_load(in, 0, &m, &err) : tn_trainer_new(in, &t, &err);
    if (rc == TN_OK && !(net = m ? m : tn_trainer_model(t)))
        rc = tn_cli_err(&err, TN_ENOMEM, "%s", tn_trainer_errmsg(t));
    if (rc == TN_OK)
        rc = tn_model_dot(net, &dopt, &text, &len, &err);
    if (rc == TN_OK && !file) {
        if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0)
            rc = tn_cli_err(&err, TN_EIO, "cannot write to stdout");
    } else if (rc == TN_OK && (!strcmp(ext, "dot") || !strcmp(ext, "gv"))) {
        rc = tn_write_file(file, text, len, &err);
    } else if (rc == TN_OK && !strcmp(ext, "png") && !on_path("dot") && tn_cli_is_chain(net)) {
        /* No Graphviz: a chain needs no layout, and tinynet draws it itself. */
        rc = tn_cli_draw_chain_png(net, file, (int)dpi, &err);
    } else if (rc == TN_OK) {
        rc = render(text, len, ext, file, dpi, &err);
    }
    if (rc == TN_OK && file)
        printf("wrote %s\n", file); /* on stdout, as train and activations do */
    tn_free(text);
    tn_model_free(m);
    tn_trainer_free(t);
    return rc ? tn_cli_fail(&err) : TN_EXIT_OK;
}
