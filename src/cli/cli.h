/* Shared pieces of the command line: one file per subcommand, these helpers between them.
 * Only the CLI prints and chooses exit codes: 0 success, 1 failure, 2 usage error. The
 * command line stands on the public headers alone (include/tinynet/). */
#ifndef TN_CLI_CLI_H
#define TN_CLI_CLI_H

#include "tinynet/train.h"

#include <stdio.h>

enum { TN_EXIT_OK = 0, TN_EXIT_FAIL = 1, TN_EXIT_USAGE = 2 };

int tn_cli_train(int argc, char **argv);
int tn_cli_eval(int argc, char **argv);
int tn_cli_predict(int argc, char **argv);
int tn_cli_info(int argc, char **argv);
int tn_cli_activations(int argc, char **argv);
int tn_cli_study(int argc, char **argv);
int tn_cli_graph(int argc, char **argv);
int tn_cli_recommend(int argc, char **argv);
int tn_cli_export(int argc, char **argv);

/* ---- conventions every command shares (src/cli/options.c) ----
 * main strips the global options from the arguments before a command sees them: -q
 * (--quiet), -v (--verbose) and --progress=auto|always|never, anywhere before "--"; and
 * "--" itself, after which every argument is an operand, even one starting with '-'. */
enum { TN_PROGRESS_AUTO, TN_PROGRESS_ALWAYS, TN_PROGRESS_NEVER };
extern int tn_cli_verbosity;     /* -1 quiet, 0 normal, 1 verbose */
/* Data-parallel `train` (src/cli/dist.c): starts MPI under mpirun and quiets the processes
 * but 0; the end says, with -v, the time process 0 spent communicating, and ends MPI. */
int tn_cli_dist_start(tn_error *err);
void tn_cli_dist_end(void);
extern int tn_cli_progress;      /* TN_PROGRESS_*; -q makes it NEVER unless given */
extern int tn_cli_operands_from; /* index in the command's argv of the first argument after "--" */
/* Strips the global options and "--" from argv (main's), updating *argc. Returns 0, or
 * TN_EXIT_USAGE after a message for a bad --progress value. */
int tn_cli_global_options(int *argc, char **argv);
/* Whether the progress display goes to stderr: --progress, or whether it is a terminal. */
int tn_cli_show_progress(void);
/* argv[i] of a command is an option: it starts with '-', is not "-" and is before "--". */
int tn_cli_is_option(int i, const char *arg);
/* n with thousands separators ("235,146") into buf; returns buf. */
const char *tn_cli_thousands(char *buf, size_t size, size_t n);
/* Whether path is a model file: its magic, or binary content (anything else is read as a
 * config). */
int tn_cli_is_model_file(const char *path);
/* `tinynet help [COMMAND|config]` (src/cli/cmd_help.c); the command's own --help through
 * tn_cli_command_help (main.c), -1 when there is no such command. */
int tn_cli_help(int argc, char **argv);
int tn_cli_command_help(const char *name);
extern const char tn_cli_usage_text[];
/* The config reference (src/cli/reference.c): Markdown, or troff for tinynet-config(5).
 * TN_EXIT_FAIL (after printing it) when a key or module has no description. */
int tn_cli_reference(FILE *f, int man);

/* Fills err (NULL: nothing) with code and a printf-formatted message; returns code. The
 * command line's own failures take the library's form, so one printer reports both. */
int tn_cli_err(tn_error *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same with the message of trainer t's last failure; TN_OK passes through. */
int tn_cli_trainer_err(tn_trainer *t, int code, tn_error *err);
/* Prints "tinynet: <message>" on stderr; returns TN_EXIT_FAIL. */
int tn_cli_fail(const tn_error *err);
/* Prints "tinynet <cmd>: <message>" and the command's usage line; returns TN_EXIT_USAGE. */
int tn_cli_usage(const char *cmd, const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Matches "--name VALUE" and "--name=VALUE" at argv[*i] (a short option "-o" also
 * "-oVALUE", as getopt does, and "-o=VALUE"); advances *i past the value. Returns 1 and sets *value when
 * matched, 0 when argv[*i] is another option or an operand after "--", -1 when the value
 * is missing (after printing nothing). */
int tn_cli_option(int argc, char **argv, int *i, const char *name, const char **value);
/* Parses a whole decimal integer in [lo, hi]; 0 on success. */
int tn_cli_int(const char *s, long long lo, long long hi, long long *out);
int tn_cli_wants_help(int argc, char **argv);

/* The config overrides train and study share; -1 leaves the config's value. */
typedef struct tn_cli_overrides {
    long long epochs, seed, threads;
} tn_cli_overrides;
/* Matches --epochs/--seed/--threads at argv[*i]: 1 when parsed, 0 when argv[*i] is another
 * argument, TN_EXIT_USAGE (after the message) when its value is missing or bad. */
int tn_cli_override(const char *cmd, const char *usage, int argc, char **argv, int *i,
                    tn_cli_overrides *o);
/* Applies them to a trainer. */
int tn_cli_apply_overrides(const tn_cli_overrides *o, tn_trainer *t);
/* Standard input read whole (at most 4 GiB); tn_free the text. */
int tn_cli_read_stdin(char **text, size_t *len, tn_error *err);
/* argv[i] (arg) matched no option: the command's one positional argument (stored in
 * *slot), or a usage error for an unknown option or a second argument. Returns 0 or
 * TN_EXIT_USAGE. */
int tn_cli_positional(const char *cmd, const char *usage, int i, const char *arg,
                      const char **slot);
/* For commands that take no options: an argument starting with '-' (other than "-" for
 * stdin) is a usage error, not a file name. Returns TN_EXIT_USAGE after printing, or 0. */
int tn_cli_no_options(const char *cmd, const char *usage, int argc, char **argv);

/* A file composed piecewise and written whole (outfile.c): open, fprintf to o->f, then
 * commit (atomically through tn_write_file) or discard. path must outlive o. */
typedef struct tn_cli_out {
    FILE *f;
    const char *path;
    char *buf;
    size_t len;
} tn_cli_out;
FILE *tn_cli_out_open(tn_cli_out *o, const char *path);
int tn_cli_out_commit(tn_cli_out *o, tn_error *err);
void tn_cli_out_discard(tn_cli_out *o);

#endif
