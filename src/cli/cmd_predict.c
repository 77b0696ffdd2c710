/* tinynet predict MODEL [DATA...|-] [--probabilities] [--raw]: a CSV of predictions, one
 * line per input row, the input read in the format the model was trained on. Standard
 * input is read record by record, and each row's prediction is flushed before predict
 * waits for more input: predict works in a pipe. */
#include "cli.h"

#include "tinynet/data.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] = "tinynet predict MODEL [DATA...|-] [--probabilities] [--raw]";

typedef struct out_opts {
    int all;        /* --probabilities: every class's probability */
    int raw;        /* --raw: the outputs, tab-separated, no header */
    int header_done;
    int ratings;    /* a recommender: its output is a score */
} out_opts;

/* A CSV field: quoted when it holds a delimiter, a quote or a line end (RFC 4180). */
static void put_field(const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, stdout);
        return;
    }
    putchar('"');
    for (; *s; s++) {
        if (*s == '"')
            putchar('"');
        putchar(*s);
    }
    putchar('"');
}

/* Class k's name, or its number. */
static const char *class_label(const tn_model *m, size_t k, char *buf, size_t n)
{
    const char *name = tn_model_class_name(m, k);
    if (name)
        return name;
    snprintf(buf, n, "%zu", k);
    return buf;
}

/* Classes: a softmax output (or log-softmax), or one sigmoid unit of a classifier. */
static int is_classifier(const tn_model *m, const out_opts *o, size_t W)
{
    int kind = tn_model_output_kind(m);
    return kind == TN_OUTPUT_CLASS_PROBABILITIES || kind == TN_OUTPUT_LOG_PROBABILITIES ||
           (kind == TN_OUTPUT_PROBABILITIES && W == 1 && !o->ratings);
}

static void print_header(const tn_model *m, const tn_data *d, out_opts *o, size_t W)
{
    char buf[32];
    o->header_done = 1;
    if (o->raw)
        return;
    if (tn_data_key(d, 0)) {
        const char *name = tn_model_key_name(m);
        put_field(name ? name : "id");
        putchar(',');
    }
    if (!is_classifier(m, o, W)) {
        for (size_t k = 0; k < W; k++)
            printf(W == 1 ? "score" : "%soutput_%zu", k ? "," : "", k + 1);
        putchar('\n');
        return;
    }
    fputs("class,probability", stdout);
    size_t n = W == 1 ? 2 : W;
    for (size_t k = 0; o->all && k < n; k++) {
        putchar(',');
        put_field(class_label(m, k, buf, sizeof buf));
    }
    putchar('\n');
}

static void print_row(const tn_model *m, const tn_data *d, size_t r, const float *y, size_t W,
                      const out_opts *o)
{
    char buf[32];
    if (o->raw) {
        for (size_t k = 0; k < W; k++)
            printf("%.9g%c", (double)y[k], k + 1 == W ? '\n' : '\t');
        return;
    }
    const char *key = tn_data_key(d, r);
    if (key) {
        put_field(key);
        putchar(',');
    }
    if (!is_classifier(m, o, W)) {
        for (size_t k = 0; k < W; k++)
            printf("%s%.9g", k ? "," : "", (double)y[k]);
        putchar('\n');
        return;
    }
    int logp = tn_model_output_kind(m) == TN_OUTPUT_LOG_PROBABILITIES;
    size_t n = W == 1 ? 2 : W, best = 0;
    double p[2], bestp = -1;
    for (size_t k = 0; k < n; k++) {
        double v = W == 1 ? (k ? y[0] : 1.0 - y[0]) : logp ? exp((double)y[k]) : (double)y[k];
        if (W == 1)
            p[k] = v;
        if (v > bestp) {
            bestp = v;
            best = k;
        }
    }
    put_field(class_label(m, best, buf, sizeof buf));
    printf(",%.9g", bestp);
    for (size_t k = 0; o->all && k < n; k++)
        printf(",%.9g", W == 1 ? p[k] : logp ? exp((double)y[k]) : (double)y[k]);
    putchar('\n');
}

/* Predicts the rows of d and prints them. */
static int predict_print(const tn_model *m, const tn_data *d, out_opts *o, tn_error *err)
{
    size_t W = tn_model_output_width(m), rows = tn_data_rows(d);
    if (!o->header_done)
        print_header(m, d, o, W);
    if (rows == 0)
        return TN_OK;
    float *out = malloc(rows * W * sizeof *out);
    if (!out)
        return tn_cli_err(err, TN_ENOMEM, "out of memory for %zu predictions", rows);
    int rc = tn_predict_data(m, d, out, err);
    for (size_t i = 0; rc == TN_OK && i < rows; i++)
        print_row(m, d, i, out + i * W, W, o);
    free(out);
    return rc;
}

/* ---- standard input, record by record ----------------------------------------------- */

typedef struct buf {
    char *p;
    size_t n, cap;
} buf;

static int buf_add(buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->n + n + 1) * 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return -1;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
    return 0;
}

static int quotes_odd(const char *s, size_t n)
{
    int odd = 0;
    for (size_t i = 0; i < n; i++)
        odd ^= s[i] == '"';
    return odd;
}

static int is_data_line(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
        s++;
        n--;
    }
    return n && *s != '#';
}

/* Standard input line by line over read(2), so that the output is flushed exactly when
 * no complete line is left to answer: each prediction reaches an interactive peer before
 * the next read can block, and a fast pipe costs one write per 4 KiB of output, not one
 * per row (a per-row flush made a 400k-row pipe 38x slower than the same file). */
typedef struct line_reader {
    char buf[1 << 16];
    size_t start, end;
    int eof;
} line_reader;

/* The next line (with its '\n', if any) in *line, *len > 0; 0 at the end of input, -1 on a
 * read error (errno). The line stays valid until the next call. */
static int next_line(line_reader *r, const char **line, size_t *len, buf *longline)
{
    longline->n = 0;
    for (;;) {
        char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
        if (nl || r->eof) {
            size_t n = nl ? (size_t)(nl + 1 - (r->buf + r->start)) : r->end - r->start;
            if (!n && !longline->n)
                return 0;
            if (longline->n) { /* the tail of a line longer than the buffer */
                if (buf_add(longline, r->buf + r->start, n))
                    return -1;
                *line = longline->p;
                *len = longline->n;
            } else {
                *line = r->buf + r->start;
                *len = n;
            }
            r->start += n;
            return 1;
        }
        if (r->start == 0 && r->end == sizeof r->buf) { /* full with no line end: keep it */
            if (buf_add(longline, r->buf, r->end))
                return -1;
            r->end = 0;
        }
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
        fflush(stdout); /* every answer is out before we may wait */
        ssize_t got;
        do
            got = read(STDIN_FILENO, r->buf + r->end, sizeof r->buf - r->end);
        while (got < 0 && errno == EINTR);
        if (got < 0)
            return -1;
        r->eof = got == 0;
        r->end += (size_t)got;
    }
}

static int stream_stdin(const tn_model *m, out_opts *o, tn_error *err)
{
    buf head = {0}, batch = {0}, longline = {0};
    line_reader *reader = malloc(sizeof *reader);
    const char *line = NULL;
    size_t len = 0, line_no = 1, batch_lines = 0, batch_rows = 0;
    int rc = TN_OK, have_head = 0, decided = 0, in_quotes = 0, got;
    if (!reader)
        return tn_cli_err(err, TN_ENOMEM, "out of memory for the input buffer");
    reader->start = reader->end = 0;
    reader->eof = 0;
    /* One record may span lines (a quoted newline): a batch ends only between records.
     * Each record is predicted alone, however fast the input comes: a batch of one row
     * runs as sgemv, whose last bits differ from sgemm's, so batching what happens to be
     * waiting would make the printed digits depend on the pipe's timing. (A file on
     * standard input is read whole instead.) */
    for (;;) {
        got = next_line(reader, &line, &len, &longline);
        if (got < 0) {
            rc = tn_cli_err(err, TN_EIO, "<stdin>: cannot read: %s", strerror(errno));
            break;
        }
        if (got > 0) {
            if (!decided && !in_quotes && !is_data_line(line, len) && !batch.n) {
                if (buf_add(&head, line, len)) /* comments before the header */
                    goto oom;
                continue;
            }
            if (buf_add(decided ? &batch : &head, line, len))
                goto oom;
            in_quotes ^= quotes_odd(line, len);
            if (in_quotes)
                continue;
            if (!decided) {
                decided = 1;
                int h = tn_model_data_stream_header(m, head.p, head.n);
                for (size_t i = 0; i < head.n; i++)
                    line_no += head.p[i] == '\n';
                if (h == 1) {
                    have_head = 1;
                    while (head.n && (head.p[head.n - 1] == '\n' || head.p[head.n - 1] == '\r'))
                        head.p[--head.n] = '\0';
                } else {
                    line_no = 1;
                    if (buf_add(&batch, head.p, head.n))
                        goto oom;
                    head.n = 0;
                }
            }
            if (batch.n) {
                batch_rows += is_data_line(line, len);
                batch_lines = 0;
                for (size_t i = 0; i < batch.n; i++)
                    batch_lines += batch.p[i] == '\n';
            }
        }
        if (batch_rows) {
            tn_data *d = NULL;
            rc = tn_data_parse_part(m, "<stdin>", have_head ? head.p : NULL, have_head ? head.n : 0,
                                    batch.p, batch.n, line_no, 0, &d, err);
            if (rc == TN_OK)
                rc = predict_print(m, d, o, err);
            tn_data_free(d);
            if (rc)
                break;
            line_no += batch_lines;
            batch.n = 0;
            batch_rows = 0;
        } else if (batch.n) {
            line_no += batch_lines;
            batch.n = 0;
        }
        if (got <= 0)
            break;
    }
    if (0) {
oom:
        rc = tn_cli_err(err, TN_ENOMEM, "<stdin>: out of memory for a record");
    }
    if (rc == TN_OK && in_quotes)
        rc = tn_cli_err(err, TN_EDATA, "<stdin>: line %zu: a quoted field is never closed",
                        line_no);
    if (rc == TN_OK && !decided && !head.n)
        rc = tn_cli_err(err, TN_EDATA, "<stdin>: no rows");
    free(longline.p);
    free(reader);
    free(head.p);
    free(batch.p);
    return rc;
}

int tn_cli_predict(int argc, char **argv)
{
    if (tn_cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nReads DATA in the format the model was trained on (a CSV with a header\n"
               "naming at least the model's input columns; IDX images; for a recommender\n"
               "`user item` lines or a CSV with the user and item columns; - or nothing reads\n"
               "stdin, for text formats, a record at a time) and writes a CSV with a header\n"
               "line and one line per row: the row's id when the model records an id column;\n"
               "for a classifier the class (its name when the model has names) and its\n"
               "probability; otherwise the score (output_1, ... for several outputs).\n"
               "  --probabilities  also every class's probability, one column per class\n"
               "  --raw            the model's outputs only, tab-separated, no header\n", usage);
        return TN_EXIT_OK;
    }
    out_opts o = {0};
    const char *paths[64];
    int n_paths = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--probabilities") == 0)
            o.all = 1;
        else if (strcmp(argv[i], "--raw") == 0)
            o.raw = 1;
        else if (tn_cli_is_option(i, argv[i]))
            return tn_cli_usage("predict", usage, "unknown option \"%s\"", argv[i]);
        else if (n_paths < 64)
            paths[n_paths++] = argv[i];
        else
            return tn_cli_usage("predict", usage, "too many files");
    }
    if (n_paths < 1)
        return tn_cli_usage("predict", usage, "expected MODEL and optionally DATA");
    int from_stdin = n_paths == 1 || (n_paths == 2 && strcmp(paths[1], "-") == 0);
    tn_error err = {0};
    tn_model *m = NULL;
    tn_data *d = NULL;
    char *text = NULL;
    size_t len = 0;
    int rc = tn_model_load(paths[0], 0, &m, &err);
    if (rc == TN_OK)
        o.ratings = strcmp(tn_model_data_format(m), "ratings") == 0;
    /* Waiting silently on a terminal looks like a hang: say what is expected, and how to end. */
    if (rc == TN_OK && from_stdin && isatty(STDIN_FILENO) && tn_cli_verbosity >= 0)
        fprintf(stderr, "tinynet predict: reading rows from the terminal (%s); end with Ctrl-D, "
                "or give DATA\n", tn_model_data_sources(m));
    /* From a pipe or a terminal, text formats stream, a record at a time; a file on
     * standard input (and libsvm) is read whole, as a DATA file is, so `predict M F` and
     * `predict M < F` print the same digits. */
    struct stat st;
    int piped = from_stdin && fstat(STDIN_FILENO, &st) == 0 && !S_ISREG(st.st_mode);
    if (rc == TN_OK && piped && tn_model_data_stream_header(m, "", 0) >= 0) {
        rc = stream_stdin(m, &o, &err);
        goto done;
    } else if (rc == TN_OK && from_stdin) {
        if (!(rc = tn_cli_read_stdin(&text, &len, &err)))
            rc = tn_data_parse(m, "<stdin>", text, len, 0, &d, &err);
    } else if (rc == TN_OK) {
        rc = tn_data_read(m, paths + 1, n_paths - 1, 0, &d, &err);
    }
    if (rc == TN_OK)
        rc = predict_print(m, d, &o, &err);
done:
    tn_free(text);
    tn_data_free(d);
    tn_model_free(m);
    return rc ? tn_cli_fail(&err) : TN_EXIT_OK;
}
