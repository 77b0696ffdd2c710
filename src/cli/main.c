/* tinynet command line: dispatches to one file per subcommand. The process stays in the
 * C locale (no setlocale), so numbers are parsed and printed with a decimal point. */
#include "cli.h"


#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char tn_cli_usage_text[] =
    "usage: tinynet [-q|-v] [--progress=auto|always|never] <command> [options] [--] [args]\n"
    "\n"
    "commands:\n"
    "  train CONFIG [-o MODEL] [--epochs N] [--seed S] [--threads T] [--log FILE.jsonl]\n"
    "        [--plot DIR]\n"
    "                        train the network a JSON config describes\n"
    "  eval MODEL DATA       loss, accuracy and confusion matrix of a trained model on\n"
    "                        labelled data (CSV, IMAGES LABELS in IDX, fashion-mnist:test)\n"
    "  predict MODEL [DATA]  one prediction per row of DATA (a CSV file, or - for stdin)\n"
    "  info MODEL|CONFIG     describe a model file, or summarise a config's network\n"
    "  activations [NAME] [--param K=V] [--table FROM:TO:STEP] [--plot DIR]\n"
    "                        list, tabulate or draw the activation functions\n"
    "  study CONFIG [--activations A,B,...]\n"
    "                        train once per hidden activation; compare the statistics\n"
    "  graph CONFIG|MODEL [-o FILE.dot|.svg|.png|.pdf]\n"
    "                        draw the network (images need Graphviz' dot)\n"
    "  recommend MODEL --user U [--top N] [--ratings FILE]\n"
    "                        the best items a user has not rated yet\n"
    "  export MODEL (--c DIR | -o FILE.c | --onnx FILE) [--int8 --calibrate DATA]\n"
    "                        the model as dependency-free C (float or int8) or ONNX\n"
    "  help [COMMAND|config] a command's options, or the reference of the JSON config\n"
    "\n"
    "  -q, --quiet           no progress or notes on stderr (errors still show)\n"
    "  -v, --verbose         a progress line every epoch, on stderr even when redirected\n"
    "  --progress=WHEN       auto (while stderr is a terminal), always or never\n"
    "  --                    every later argument is a file name, even one starting with -\n"
    "  --memory-limit SIZE   refuse work that would need more memory than SIZE (e.g. 8G;\n"
    "                        default 3/4 of the machine's; also TN_MEMORY_LIMIT=SIZE)\n"
    "\n"
    "  tinynet COMMAND --help shows a command's options; tinynet --version its version.\n"
    "  man tinynet and man tinynet-config once installed.\n";

int tn_cli_err(tn_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tn_error_vset(err, code, fmt, ap); /* escaped and elided as the library's messages */
    va_end(ap);
    return code;
}

int tn_cli_trainer_err(tn_trainer *t, int code, tn_error *err)
{
    return code ? tn_cli_err(err, code, "%s", tn_trainer_errmsg(t)) : TN_OK;
}

int tn_cli_fail(const tn_error *err)
{
    fprintf(stderr, "tinynet: %s\n", err->msg[0] ? err->msg : tn_strerror(err->code));
    return TN_EXIT_FAIL;
}

int tn_cli_usage(const char *cmd, const char *usage, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "tinynet %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nusage: %s\n", usage);
    return TN_EXIT_USAGE;
}

int tn_cli_option(int argc, char **argv, int *i, const char *name, const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (*i >= tn_cli_operands_from || strncmp(a, name, n) != 0)
        return 0;
    if (a[n] == '=') { /* --name=VALUE, and -o=FILE as before -oFILE was accepted */
        *value = a + n + 1;
        return 1;
    }
    if (n == 2 && name[0] == '-' && name[1] != '-' && a[n] != '\0') {
        *value = a + n; /* -oFILE, as getopt reads it */
        return 1;
    }
    if (a[n] != '\0')
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *value = argv[++*i];
    return 1;
}

int tn_cli_int(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    if (!*s)
        return -1;
    long long v = strtoll(s, &end, 10);
    if (*end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int tn_cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc && i < tn_cli_operands_from; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    return 0;
}

int tn_cli_override(const char *cmd, const char *usage, int argc, char **argv, int *i,
                    tn_cli_overrides *o)
{
    static const struct {
        const char *name, *range;
        long long lo, hi;
        size_t field;
    } opts[] = {
        {"--epochs", "[1, 1000000]", 1, 1000000, offsetof(tn_cli_overrides, epochs)},
        {"--seed", "[0, 2^53]", 0, 1LL << 53, offsetof(tn_cli_overrides, seed)},
        {"--threads", "[1, 256]", 1, 256, offsetof(tn_cli_overrides, threads)},
    };
    for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) {
        const char *v;
        int m = tn_cli_option(argc, argv, i, opts[k].name, &v);
        if (m == 0)
            continue;
        long long *field = (long long *)((char *)o + opts[k].field);
        if (m < 0 || tn_cli_int(v, opts[k].lo, opts[k].hi, field))
            return tn_cli_usage(cmd, usage, "%s needs an integer in %s", opts[k].name,
                                opts[k].range);
        return 1;
    }
    return 0;
}

int tn_cli_apply_overrides(const tn_cli_overrides *o, tn_trainer *t)
{
    int rc = TN_OK;
    if (o->epochs > 0)
        rc = tn_trainer_set_epochs(t, (int)o->epochs);
    if (rc == TN_OK && o->seed >= 0)
        rc = tn_trainer_set_seed(t, (unsigned long long)o->seed);
    if (rc == TN_OK && o->threads > 0)
        rc = tn_trainer_set_threads(t, (int)o->threads);
    return rc;
}


int tn_cli_read_stdin(char **text, size_t *len, tn_error *err)
{
    return tn_read_fd(STDIN_FILENO, "<stdin>", (size_t)4 << 30, text, len, err);
}

int tn_cli_positional(const char *cmd, const char *usage, int i, const char *arg,
                      const char **slot)
{
    if (tn_cli_is_option(i, arg))
        return tn_cli_usage(cmd, usage, "unknown option \"%s\"", arg);
    if (*slot)
        return tn_cli_usage(cmd, usage, "unexpected argument \"%s\"", arg);
    *slot = arg;
    return 0;
}

int tn_cli_no_options(const char *cmd, const char *usage, int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (tn_cli_is_option(i, argv[i]))
            return tn_cli_usage(cmd, usage, "unknown option \"%s\"", argv[i]);
    return 0;
}

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"train", tn_cli_train},
    {"eval", tn_cli_eval},
    {"predict", tn_cli_predict},
    {"info", tn_cli_info},
    {"activations", tn_cli_activations},
    {"study", tn_cli_study},
    {"graph", tn_cli_graph},
    {"recommend", tn_cli_recommend},
    {"export", tn_cli_export},
};

/* Every command's results go to stdout: a full disk or a closed pipe is a failure, said
 * once here rather than in each command. */
static int flushed(int status)
{
    if (fflush(stdout) == 0 && !ferror(stdout))
        return status;
    fprintf(stderr, "tinynet: cannot write the results to stdout: %s\n", strerror(errno));
    return status == TN_EXIT_OK ? TN_EXIT_FAIL : status;
}

/* "8G", "512M", "1.5GiB", "4096" (bytes): binary units, as the limit's messages print. */
static int parse_size(const char *s, unsigned long long *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || !(v > 0) || *s == '-')
        return -1;
    static const char *const units = "KMGTP";
    double scale = 1;
    if (*end) {
        const char *u = strchr(units, *end == 'k' ? 'K' : *end);
        if (!u || !*end)
            return -1;
        for (const char *p = units; p <= u; p++)
            scale *= 1024;
        end++;
        if (*end == 'i')
            end++;
        if (*end == 'B')
            end++;
    }
    if (*end || v * scale >= 1.8e19 || v * scale < 1)
        return -1;
    *out = (unsigned long long)(v * scale);
    return 0;
}

/* The memory budget: TN_MEMORY_LIMIT, overridden by --memory-limit SIZE anywhere on the
 * command line before "--" (taken out of argv before the command sees it). */
static int memory_limit(int *argc, char **argv)
{
    const char *env = getenv("TN_MEMORY_LIMIT"), *v = NULL;
    unsigned long long bytes;
    if (env && *env && parse_size(env, &bytes)) {
        fprintf(stderr, "tinynet: TN_MEMORY_LIMIT=%s: expected a size such as 8G or 512M\n",
                env);
        return TN_EXIT_USAGE;
    }
    if (env && *env)
        tn_set_memory_limit(bytes);
    for (int i = 1; i < *argc && strcmp(argv[i], "--") != 0; i++) {
        int at = i, m = tn_cli_option(*argc, argv, &i, "--memory-limit", &v);
        if (m == 0)
            continue;
        if (m < 0 || parse_size(v, &bytes)) {
            fprintf(stderr, "tinynet: --memory-limit needs a size such as 8G or 512M\n");
            return TN_EXIT_USAGE;
        }
        tn_set_memory_limit(bytes);
        int used = i - at + 1;
        memmove(argv + at, argv + i + 1, (size_t)(*argc - i) * sizeof *argv); /* with NULL */
        *argc -= used;
        i = at - 1;
    }
    return TN_EXIT_OK;
}

int tn_cli_command_help(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(name, commands[i].name) == 0) {
            char *args[] = {(char *)name, "--help", NULL};
            return flushed(commands[i].run(2, args));
        }
    }
    return -1;
}

int main(int argc, char **argv)
{
    int rc = memory_limit(&argc, argv);
    if (rc)
        return rc;
    int bad = tn_cli_global_options(&argc, argv);
    if (bad)
        return bad;
    if (argc < 2) {
        fputs(tn_cli_usage_text, stderr);
        return TN_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("tinynet %s\n", tn_version());
        return flushed(TN_EXIT_OK);
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(tn_cli_usage_text, stdout);
        return flushed(TN_EXIT_OK);
    }
    if (strcmp(argv[1], "help") == 0)
        return flushed(tn_cli_help(argc - 1, argv + 1));
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return flushed(commands[i].run(argc - 1, argv + 1));
    fprintf(stderr, "tinynet: unknown command \"%s\"\n\n%s", argv[1], tn_cli_usage_text);
    return TN_EXIT_USAGE;
}
