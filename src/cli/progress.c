#include "progress.h"

#include "cli.h"
#include "report.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* Seconds on the monotonic clock. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* "<path>: <what>[: <strerror(errno)>]". */
static int fail(tn_error *err, int code, const char *what, const char *path)
{
    int e = errno;
    return tn_cli_err(err, code, "%s: %s%s%s", path, what, e ? ": " : "", e ? strerror(e) : "");
}

/* Columns of the terminal on stderr; 80 when it cannot say (e.g. a serial console). */
static int terminal_width(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col < 500 ? ws.ws_col : 500;
    return 80;
}

/* JSON has no NaN: regression runs log accuracy as null. */
static void log_number(FILE *f, const char *key, double v)
{
    if (isfinite(v))
        fprintf(f, ",\"%s\":%.9g", key, v);
    else
        fprintf(f, ",\"%s\":null", key);
}

/* The log is a regular file, or a FIFO or device someone reads (a pipe to `tail`,
 * /dev/stderr); opened without blocking, so a FIFO nobody reads is an error, not a hang,
 * and a directory is refused by its type. */
static FILE *open_log(const char *path, tn_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0666);
    if (fd < 0) {
        int e = errno;
        if (e == ENXIO)
            tn_cli_err(err, TN_EIO, "%s: cannot open the log: it is a named pipe that no "
                       "process is reading", path);
        else
            tn_cli_err(err, TN_EIO, "%s: cannot open the log: %s", path, strerror(e));
        return NULL;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    FILE *f = fdopen(fd, "w");
    if (!f) {
        tn_cli_err(err, TN_EIO, "%s: cannot open the log: %s", path, strerror(errno));
        close(fd);
    }
    return f;
}

/* Remembers the first failure to write the log, with its reason, for tn_progress_close. */
static void log_flush(tn_progress *p)
{
    if (fflush(p->log) != 0 && !p->log_errno)
        p->log_errno = errno ? errno : EIO;
    p->last_flush = now();
}

/* Epoch lines are buffered: a write per epoch cost xor's 5000 one-millisecond epochs more
 * than the training. The first epoch's line goes out at once (a reader waiting for the run
 * to start sees it), then at most every LOG_FLUSH_SECONDS, and everything at the end,
 * which a first Ctrl-C or SIGTERM reaches too (the run stops at its next step and closes
 * the log). Only a second signal, which ends the process at once, or a kill -9 can lose
 * the lines of the last seconds. */
#define LOG_FLUSH_SECONDS 2.0

static void log_flush_due(tn_progress *p, int now_anyway)
{
    if (now_anyway || now() - p->last_flush >= LOG_FLUSH_SECONDS)
        log_flush(p);
}

int tn_progress_open(tn_progress *p, const char *log_path, tn_trainer *t, tn_error *err)
{
    memset(p, 0, sizeof *p);
    tn_train_settings c;
    tn_trainer_settings(t, &c);
    const tn_model *m = tn_trainer_model(t);
    p->bar = tn_cli_show_progress();
    p->summaries = p->bar || tn_cli_verbosity > 0;
    p->every = c.epochs <= 20 || tn_cli_verbosity > 0 ? 1 : c.epochs / 20;
    p->started = p->epoch_started = now();
    int kind = tn_trainer_val_kind(t);
    (void)kind; /* the rows evaluated during training are validation rows, never the test */
    p->val_label = "validation";
    if (tn_cli_verbosity > 0 && m)
        fprintf(stderr, "tinynet: training %s: %zu parameters, seed %llu, %d BLAS thread%s, "
                "%d epochs, batches of %zu\n", tn_model_name(m), tn_model_n_params(m),
                c.seed, c.threads, c.threads == 1 ? "" : "s", c.epochs, c.batch_size);
    if (!log_path)
        return TN_OK;
    errno = 0;
    p->log = open_log(log_path, err);
    if (!p->log)
        return TN_EIO;
    p->log_path = log_path;
    setvbuf(p->log, NULL, _IOFBF, 1 << 16); /* the lines between flushes in one write */
    /* Built with cJSON so a path or name with quotes stays valid JSON. */
    cJSON *start = cJSON_CreateObject();
    char *line = NULL;
    if (m && start && cJSON_AddStringToObject(start, "event", "start") &&
        cJSON_AddStringToObject(start, "config", c.config) &&
        cJSON_AddStringToObject(start, "network", tn_model_name(m)) &&
        cJSON_AddNumberToObject(start, "seed", (double)c.seed) &&
        cJSON_AddNumberToObject(start, "threads", c.threads) &&
        cJSON_AddNumberToObject(start, "epochs", c.epochs) &&
        cJSON_AddNumberToObject(start, "batch_size", (double)c.batch_size) &&
        cJSON_AddNumberToObject(start, "parameters", (double)tn_model_n_params(m)))
        line = cJSON_PrintUnformatted(start);
    cJSON_Delete(start);
    if (!line) {
        fclose(p->log);
        p->log = NULL;
        errno = 0;
        return fail(err, TN_ENOMEM, "out of memory", log_path);
    }
    fprintf(p->log, "%s\n", line);
    cJSON_free(line);
    log_flush(p);
    return TN_OK;
}

void tn_progress_batch(void *user, int epoch, size_t batch, size_t n_batches)
{
    tn_progress *p = user;
    double t = now();
    if (!p->bar || (t - p->last_draw < 0.1 && batch != n_batches))
        return;
    p->last_draw = t;
    /* The line is redrawn in place with \r, which only works while it fits on one row. */
    int cols = terminal_width();
    char line[512];
    int head = snprintf(line, sizeof line, "epoch %d [", epoch);
    char tail[128];
    int tail_len = snprintf(tail, sizeof tail, "] %zu/%zu batches  %.1fs", batch, n_batches,
                            t - p->epoch_started);
    int width = cols - 1 - head - tail_len; /* the last column would wrap on some terminals */
    if (width > 30)
        width = 30;
    if (width < 5)
        width = 5;
    int filled = (int)((double)width * (double)batch / (double)n_batches);
    for (int i = 0; i < width; i++)
        line[head + i] = i < filled ? '#' : '.';
    snprintf(line + head + width, sizeof line - (size_t)(head + width), "%s", tail);
    int len = (int)strlen(line);
    if (len > cols - 1)
        len = cols - 1 > 0 ? cols - 1 : 0;
    fprintf(stderr, "\r\033[K%.*s", len, line);
    fflush(stderr);
}

static void format_metrics(char *buf, size_t n, const char *label, const tn_metrics *m)
{
    if (isnan(m->accuracy))
        snprintf(buf, n, "%s loss %.4f", label, m->loss);
    else
        snprintf(buf, n, "%s loss %.4f acc %.4f", label, m->loss, m->accuracy);
}

void tn_progress_epoch(void *user, const tn_epoch_info *r)
{
    tn_progress *p = user;
    if (p->log) {
        fprintf(p->log, "{\"event\":\"epoch\",\"epoch\":%d", r->epoch);
        log_number(p->log, "train_loss", r->train.loss);
        log_number(p->log, "train_accuracy", r->train.accuracy);
        if (r->has_val) {
            log_number(p->log, "val_loss", r->val.loss);
            log_number(p->log, "val_accuracy", r->val.accuracy);
            for (size_t k = 2; k < TN_METRIC_COUNT; k++) /* the config's "metrics" */
                if (!isnan(r->val_metric[k])) {
                    char key[32];
                    snprintf(key, sizeof key, "val_%s", tn_metric_name(k));
                    log_number(p->log, key, r->val_metric[k]);
                }
        }
        log_number(p->log, "lr", r->lr);
        fprintf(p->log, ",\"improved\":%s,\"seconds\":%.6f}\n", r->improved ? "true" : "false",
                r->seconds);
        log_flush_due(p, r->epoch == 1);
    }
    if (!p->summaries)
        return;
    if (r->epoch % p->every == 0 || r->epoch == r->epochs || r->epoch == 1) {
        char tr[64], va[64] = "";
        format_metrics(tr, sizeof tr, "train", &r->train);
        /* The summary names the monitored rows as the final report does ("test" or
         * "validation"), not as the log's keys do. */
        if (r->has_val)
            format_metrics(va, sizeof va, p->val_label, &r->val);
        fprintf(stderr, "%sepoch %*d/%d  %s  %s\n", p->bar ? "\r\033[K" : "",
                r->epochs >= 100 ? 4 : 2, r->epoch, r->epochs, tr, va);
    }
    p->epoch_started = now(); /* the next epoch starts now */
}

void tn_progress_checkpoint(void *user, const char *path)
{
    tn_progress *p = user;
    if (!p->log)
        return;
    cJSON *o = cJSON_CreateObject();
    char *line = NULL;
    if (o && cJSON_AddStringToObject(o, "event", "checkpoint") &&
        cJSON_AddStringToObject(o, "path", path))
        line = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (line)
        fprintf(p->log, "%s\n", line);
    cJSON_free(line);
    log_flush(p);
}

/* The kept parameters' metrics on each split: {"train": {...}, "validation": ..., "test"}. */
static int add_reports(cJSON *o, const tn_progress_end *end)
{
    static const char *const names[] = {"train", "validation", "test"};
    for (int i = 0; i < 3; i++) {
        if (!end->report[i])
            continue;
        cJSON *v = tn_cli_report_json(end->report[i]);
        if (!v)
            return 0;
        cJSON_AddItemToObject(o, names[i], v);
    }
    return 1;
}

int tn_progress_close(tn_progress *p, const tn_progress_end *end, tn_error *err)
{
    if (p->bar)
        fprintf(stderr, "\r\033[K");
    if (!p->log)
        return TN_OK;
    /* Every log that starts also ends, saying why: finished, stopped early, interrupted
     * by a signal, or failed with the message. */
    const tn_fit_result *res = end->res;
    double secs = floor((now() - p->started) * 1000 + 0.5) / 1000; /* milliseconds suffice */
    cJSON *o = cJSON_CreateObject();
    const char *reason = end->error ? "failed"
                         : end->signo && res && res->interrupted ? "interrupted"
                         : res && res->stopped_early ? "stopped early" : "finished";
    int ok = o && cJSON_AddStringToObject(o, "event", "end") &&
             cJSON_AddStringToObject(o, "reason", reason) &&
             (!end->error || cJSON_AddStringToObject(o, "error", end->error)) &&
             (!end->signo || cJSON_AddStringToObject(o, "signal", end->signal)) &&
             (!res || (cJSON_AddNumberToObject(o, "epochs", res->epochs_run) &&
                       cJSON_AddNumberToObject(o, "best_epoch", res->best_epoch) &&
                       cJSON_AddBoolToObject(o, "stopped_early", res->stopped_early))) &&
             (!end->chosen_by || cJSON_AddStringToObject(o, "chosen_by", end->chosen_by)) &&
             add_reports(o, end) &&
             (!end->checkpoint || cJSON_AddStringToObject(o, "checkpoint", end->checkpoint)) &&
             (!end->checkpoint_error ||
              cJSON_AddStringToObject(o, "checkpoint_error", end->checkpoint_error)) &&
             cJSON_AddNumberToObject(o, "seconds", secs);
    char *line = ok ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    if (line)
        fprintf(p->log, "%s\n", line);
    cJSON_free(line);
    log_flush(p);
    int e = p->log_errno;
    if (fclose(p->log) != 0 && !e)
        e = errno ? errno : EIO;
    p->log = NULL;
    if (e)
        return tn_cli_err(err, TN_EIO, "%s: writing the log failed: %s", p->log_path,
                          strerror(e));
    if (!line)
        return tn_cli_err(err, TN_ENOMEM, "%s: out of memory writing the log", p->log_path);
    return TN_OK;
}
