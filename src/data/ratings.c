/* Ratings files, implicit feedback, leave-one-out, negative sampling and the ranking
 * evaluation (see ratings.h for the protocol). */
#include "data/ratings.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"
#include "core/file.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TN_RATINGS_MAX_BYTES ((size_t)1 << 31)

const char *const tn__ratings_field_names[] = {"user", "item", "rating", "timestamp", NULL};

const char *const tn__ratings_keys[] = {"train", "user_input", "item_input", "header",
                                        "id_base", "threshold", "negatives", "eval_negatives",
                                        "top_k", "oov", "user_ids", "item_ids", NULL};

/* ---- configuration ---------------------------------------------------------------- */

void tn__ratings_cfg_defaults(tn_ratings_cfg *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->user_input, sizeof c->user_input, "user");
    snprintf(c->item_input, sizeof c->item_input, "item");
    for (int f = 0; f < TN_RF_COUNT; f++)
        snprintf(c->header[f], TN_MAX_NAME, "%s", tn__ratings_field_names[f]);
    c->threshold = 4;
    c->negatives = 4;
    c->eval_negatives = 99;
    c->top_k = 10;
}

static int parse_input_name(tn_jr *r, const cJSON *data, const char *key, const tn_net *net,
                            char *out)
{
    const char *name;
    char def[TN_MAX_NAME];
    snprintf(def, sizeof def, "%s", out); /* name may point at def: copy from a copy */
    int rc = tn__jr_str(r, data, key, 0, def, &name);
    if (rc)
        return rc;
    int k = tn__net_find_node(net, name);
    if (k < 0 || k >= net->n_inputs) {
        const char *names[TN_MAX_NODES + 1];
        for (int i = 0; i < net->n_inputs; i++)
            names[i] = net->nodes[i].name;
        names[net->n_inputs] = NULL;
        const char *hint = tn__jr_suggest(name, names);
        if (hint)
            return tn__jr_fail(r, key, "no network input \"%s\" (did you mean \"%s\"?)", name,
                               hint);
        return tn__jr_fail(r, key, "no network input \"%s\"", name);
    }
    if (net->nodes[k].kind != TN_NODE_INDEX_INPUT)
        return tn__jr_fail(r, key, "input \"%s\" must be an index input (\"type\": \"index\") "
                           "to take ids", name);
    snprintf(out, TN_MAX_NAME, "%s", name);
    return TN_OK;
}

static int parse_header(tn_jr *r, const cJSON *data, tn_ratings_cfg *c)
{
    const cJSON *h;
    int rc = tn__jr_object(r, data, "header", 0, &h);
    if (rc || !h)
        return rc;
    size_t mark = tn__jr_push_key(r, "header");
    rc = tn__jr_check_keys(r, h, tn__ratings_field_names);
    for (int f = 0; rc == TN_OK && f < TN_RF_COUNT; f++) {
        const char *s;
        rc = tn__jr_str(r, h, tn__ratings_field_names[f], 0, c->header[f], &s);
        if (rc == TN_OK)
            rc = tn__jr_check_name(r, tn__ratings_field_names[f], s);
        if (rc == TN_OK)
            snprintf(c->header[f], TN_MAX_NAME, "%s", s);
        /* Each field reads its own column; a shared one would also break the layout checks. */
        for (int g = 0; rc == TN_OK && g < f; g++)
            if (strcmp(c->header[g], c->header[f]) == 0)
                rc = tn__jr_fail(r, tn__ratings_field_names[f], "column \"%s\" is already the "
                                 "%s column", c->header[f], tn__ratings_field_names[g]);
    }
    tn__jr_pop(r, mark);
    return rc;
}

int tn__ratings_cfg_parse(tn_jr *r, const cJSON *data, const tn_net *net, tn_ratings_cfg *c)
{
    tn__ratings_cfg_defaults(c);
    long long neg, eval_neg, top_k;
    int rc;
    if ((rc = parse_input_name(r, data, "user_input", net, c->user_input)) ||
        (rc = parse_input_name(r, data, "item_input", net, c->item_input)))
        return rc;
    if (strcmp(c->user_input, c->item_input) == 0)
        return tn__jr_fail(r, "item_input", "the user and item inputs must differ, both are "
                           "\"%s\"", c->user_input);
    if (net->n_inputs != 2)
        return tn__jr_fail(r, "format", "ratings data feeds exactly two inputs (user and "
                           "item), the network has %d", net->n_inputs);
    if ((rc = parse_header(r, data, c)) ||
        (rc = tn__jr_int(r, data, "id_base", 0, 0, 0, 1, &c->id_base)) ||
        (rc = tn__jr_num(r, data, "threshold", 0, c->threshold, -1e9, 1e9, &c->threshold)) ||
        (rc = tn__jr_int(r, data, "negatives", 0, c->negatives, 1, 1000, &neg)) ||
        (rc = tn__jr_int(r, data, "eval_negatives", 0, c->eval_negatives, 1, 100000,
                         &eval_neg)) ||
        (rc = tn__jr_int(r, data, "top_k", 0, c->top_k, 1, 100000, &top_k)) ||
        (rc = tn__jr_bool(r, data, "oov", 0, 0, &c->oov)))
        return rc;
    c->negatives = (int)neg;
    c->eval_negatives = (int)eval_neg;
    c->top_k = (int)top_k;
    if (c->top_k > c->eval_negatives)
        return tn__jr_fail(r, "top_k", "%d is more than the %d ranked candidates allow (every "
                           "positive would be a hit)", c->top_k, c->eval_negatives);
    return TN_OK;
}

int tn__ratings_cfg_describe(const tn_ratings_cfg *c, const char *train_path, cJSON *o)
{
    cJSON *h = NULL;
    int ok = (!train_path || cJSON_AddStringToObject(o, "train", train_path)) &&
             cJSON_AddStringToObject(o, "user_input", c->user_input) &&
             cJSON_AddStringToObject(o, "item_input", c->item_input) &&
             (h = cJSON_AddObjectToObject(o, "header")) &&
             cJSON_AddNumberToObject(o, "id_base", (double)c->id_base) &&
             cJSON_AddNumberToObject(o, "threshold", c->threshold) &&
             cJSON_AddNumberToObject(o, "negatives", c->negatives) &&
             cJSON_AddNumberToObject(o, "eval_negatives", c->eval_negatives) &&
             cJSON_AddNumberToObject(o, "top_k", c->top_k) &&
             (!c->oov || cJSON_AddBoolToObject(o, "oov", 1));
    for (int f = 0; ok && f < TN_RF_COUNT; f++)
        ok = cJSON_AddStringToObject(h, tn__ratings_field_names[f], c->header[f]) != NULL;
    return ok ? TN_OK : TN_ENOMEM;
}

/* ---- reading ---------------------------------------------------------------------- */

typedef struct span {
    const char *p;
    size_t n;
} span;

typedef struct reader {
    const char *name;
    const char *cur, *end;
    size_t line;
    tn_error *err;
    size_t jump_at, jump_to; /* streaming: line jump_at is numbered jump_to (and on) */
} reader;

static int next_line(reader *rd, span *s)
{
    if (rd->cur >= rd->end)
        return 0;
    const char *nl = memchr(rd->cur, '\n', (size_t)(rd->end - rd->cur));
    size_t n = nl ? (size_t)(nl - rd->cur) : (size_t)(rd->end - rd->cur);
    s->p = rd->cur;
    s->n = n > 0 && rd->cur[n - 1] == '\r' ? n - 1 : n;
    rd->cur = nl ? nl + 1 : rd->end;
    rd->line++;
    if (rd->jump_at && rd->line == rd->jump_at)
        rd->line = rd->jump_to;
    return 1;
}

static int is_blank(char ch) { return ch == ' ' || ch == '\t'; }

static span trim(span s)
{
    while (s.n && is_blank(*s.p)) {
        s.p++;
        s.n--;
    }
    while (s.n && is_blank(s.p[s.n - 1]))
        s.n--;
    return s;
}

static int is_skipped(span s)
{
    s = trim(s);
    return s.n == 0 || s.p[0] == '#';
}

/* Splits at delim (',' or '\t'), or at runs of blanks when delim is ' '. At most max
 * fields are stored; returns how many there are. */
static size_t split(span line, char delim, span *f, size_t max)
{
    size_t n = 0;
    line = trim(line);
    const char *p = line.p, *end = line.p + line.n;
    for (;;) {
        const char *q = p;
        if (delim == ' ')
            while (q < end && !is_blank(*q))
                q++;
        else
            while (q < end && *q != delim)
                q++;
        if (n < max)
            f[n] = trim((span){p, (size_t)(q - p)});
        n++;
        if (q >= end)
            break;
        p = q + 1;
        if (delim == ' ')
            while (p < end && is_blank(*p))
                p++;
    }
    return n;
}

static void show(span s, char *buf, size_t n)
{
    snprintf(buf, n, "%.*s%s", s.n > 40 ? 40 : (int)s.n, s.p, s.n > 40 ? "..." : "");
}

static int parse_double(span s, double *out)
{
    char buf[64];
    if (s.n == 0 || s.n >= sizeof buf || memchr(s.p, '\0', s.n))
        return -1;
    memcpy(buf, s.p, s.n);
    buf[s.n] = '\0';
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (*end || !isfinite(v) || errno == ERANGE)
        return -1;
    *out = v;
    return 0;
}

static int is_number(span s)
{
    double v;
    return parse_double(s, &v) == 0;
}

static int parse_id(reader *rd, span s, const tn_ratings_cfg *c, int field, size_t vocab,
                    uint32_t *out)
{
    char shown[64];
    const char *what = tn__ratings_field_names[field];
    tn_vocab *v = c->vocab[field];
    if (s.n >= 2 && s.p[0] == '"' && s.p[s.n - 1] == '"')
        s = (span){s.p + 1, s.n - 2};
    show(s, shown, sizeof shown);
    if (v && c->learn) {
        int rc = s.n ? tn__vocab_add(v, s.p, s.n, out, NULL) : TN_EDATA;
        if (rc == TN_ENOMEM)
            return tn__err(rd->err, TN_ENOMEM, "%s: line %zu: out of memory", rd->name, rd->line);
        if (rc)
            return tn__err(rd->err, TN_EDATA, "%s: line %zu: %s: expected an id of 1 to %d bytes "
                           "(at most %zu distinct), got \"%s\"", rd->name, rd->line, what,
                           TN_VOCAB_MAX_LEN, TN_VOCAB_MAX, shown);
        return TN_OK;
    }
    if (v) {
        long k = tn__vocab_find(v, s.p, s.n);
        if (k < 0 && !c->oov)
            return tn__err(rd->err, TN_EDATA, "%s: line %zu: %s \"%s\" is not in the model's "
                           "%zu %ss (ids seen in training; \"oov\": true reads unseen ones as "
                           "one more row)", rd->name, rd->line, what, shown, v->n, what);
        *out = k < 0 ? (uint32_t)v->n : (uint32_t)k;
        return TN_OK;
    }
    double val;
    if (parse_double(s, &val) || val != floor(val) || fabs(val) > 9e15)
        return tn__err(rd->err, TN_EDATA, "%s: line %zu: %s: expected an integer id, got "
                       "\"%s\"", rd->name, rd->line, what, shown);
    double id = val - (double)c->id_base;
    if (id < 0 || id >= (double)vocab)
        return tn__err(rd->err, TN_EDATA, "%s: line %zu: %s %.0f is outside the vocabulary "
                       "[%lld, %lld)", rd->name, rd->line, what, val, c->id_base,
                       (long long)vocab + c->id_base);
    *out = (uint32_t)id;
    return TN_OK;
}

static int parse_value(reader *rd, span s, const char *what, double *out)
{
    char shown[64];
    if (parse_double(s, out)) {
        show(s, shown, sizeof shown);
        return tn__err(rd->err, TN_EDATA, "%s: line %zu: %s: expected a number, got \"%s\"",
                       rd->name, rd->line, what, shown);
    }
    return TN_OK;
}

/* Header columns of the fields (-1: absent). */
static int map_header(reader *rd, span line, char delim, const tn_ratings_cfg *c,
                      int need_rating, int *col, size_t *n_cols)
{
    span f[64];
    size_t n = split(line, delim, f, 64);
    if (n > 64)
        return tn__err(rd->err, TN_EDATA, "%s: line %zu: more than 64 columns", rd->name,
                       rd->line);
    *n_cols = n;
    for (int k = 0; k < TN_RF_COUNT; k++) {
        col[k] = -1;
        for (size_t j = 0; j < n; j++) {
            span s = f[j];
            if (s.n >= 2 && s.p[0] == '"' && s.p[s.n - 1] == '"')
                s = (span){s.p + 1, s.n - 2};
            if (s.n == strlen(c->header[k]) && memcmp(s.p, c->header[k], s.n) == 0)
                col[k] = (int)j;
        }
        if (col[k] < 0 && (k <= TN_RF_ITEM || need_rating))
            return tn__err(rd->err, TN_EDATA, "%s: line %zu: the header has no column \"%s\" "
                           "(the %s column; set data.header.%s)", rd->name, rd->line,
                           c->header[k], tn__ratings_field_names[k], tn__ratings_field_names[k]);
    }
    return TN_OK;
}

/* The training file's ids, numbered in sorted order (data/vocab.h), checked against the
 * network's index inputs (the out-of-vocabulary row needs one more). */
static int number_ids(tn_ratings *t, const tn_ratings_cfg *c, const char *name, size_t n_users,
                      size_t n_items, tn_error *err)
{
    size_t room[2] = {n_users, n_items};
    const char *input[2] = {c->user_input, c->item_input};
    uint32_t *remap[2] = {NULL, NULL};
    int rc = TN_OK;
    for (int f = 0; f < 2 && rc == TN_OK; f++) {
        size_t n = c->vocab[f]->n, need = n + (size_t)c->oov;
        if (need > room[f])
            rc = tn__err(err, TN_EDATA, "%s: %zu distinct %ss%s, but input \"%s\" has size %zu "
                         "(give it at least %zu)", name, n, tn__ratings_field_names[f],
                         c->oov ? " and the out-of-vocabulary row" : "", input[f], room[f], need);
        else if (!(remap[f] = tn__calloc(n, sizeof *remap[f])) || tn__vocab_sort(c->vocab[f], remap[f]))
            rc = tn__err(err, TN_ENOMEM, "out of memory");
    }
    for (size_t k = 0; rc == TN_OK && k < t->n; k++) {
        t->r[k].user = remap[0][t->r[k].user];
        t->r[k].item = remap[1][t->r[k].item];
    }
    if (rc == TN_OK) {
        t->n_users = c->vocab[0]->n;
        t->n_items = c->vocab[1]->n;
    }
    tn__free(remap[0]);
    tn__free(remap[1]);
    return rc;
}

static int push(tn_ratings *t, size_t *cap, const tn_rating *x)
{
    if (t->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 1024;
        tn_rating *p = tn__realloc(t->r, nc * sizeof *p);
        if (!p || nc > SIZE_MAX / sizeof *p / 2)
            return TN_ENOMEM;
        t->r = p;
        *cap = nc;
    }
    t->r[t->n++] = *x;
    return TN_OK;
}

/* A header line: no field is a number, and with text ids one names the user or item column. */
static int is_header(span line, char delim, const tn_ratings_cfg *c)
{
    span f[64];
    size_t n = split(line, delim, f, 64);
    int header = 1, names = 0;
    for (size_t j = 0; j < n && j < 64; j++) {
        span u = f[j];
        if (u.n >= 2 && u.p[0] == '"' && u.p[u.n - 1] == '"')
            u = (span){u.p + 1, u.n - 2};
        header &= !is_number(f[j]);
        for (int k = TN_RF_USER; k <= TN_RF_ITEM; k++)
            names |= u.n == strlen(c->header[k]) && memcmp(u.p, c->header[k], u.n) == 0;
    }
    return header && (!c->vocab[0] || names);
}

int tn__ratings_first_is_header(const tn_ratings_cfg *c, const char *text, size_t len)
{
    reader rd = {.name = "", .cur = text, .end = text + len};
    span s;
    while (next_line(&rd, &s))
        if (!is_skipped(s))
            return is_header(s, memchr(s.p, ',', s.n) ? ',' : memchr(s.p, '\t', s.n) ? '\t' : ' ', c);
    return 0;
}

int tn__ratings_parse(const char *name, const char *text, size_t len, const tn_ratings_cfg *c,
                      size_t n_users, size_t n_items, int need_rating, tn_ratings **out,
                      tn_error *err)
{
    return tn__ratings_parse_at(name, text, len, 0, 0, c, n_users, n_items, need_rating, out, err);
}

int tn__ratings_parse_at(const char *name, const char *text, size_t len, size_t jump_at,
                         size_t jump_to, const tn_ratings_cfg *c, size_t n_users, size_t n_items,
                         int need_rating, tn_ratings **out, tn_error *err)
{
    *out = NULL;
    name = name ? name : "<memory>";
    reader rd = {name, text, text + len, 0, err, jump_at, jump_to};
    tn_ratings *t = tn__calloc(1, sizeof *t);
    if (!t)
        return tn__err(err, TN_ENOMEM, "out of memory");
    t->n_users = n_users;
    t->n_items = n_items;
    size_t cap = 0, n_cols = 4;
    int col[TN_RF_COUNT] = {0, 1, 2, 3}, rc = TN_OK, first = 1;
    char delim = ' ';
    span line;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) /* a UTF-8 byte order mark */
        rd.cur += 3;
    while (rc == TN_OK && next_line(&rd, &line)) {
        const char *nul = memchr(line.p, '\0', line.n);
        if (nul) {
            rc = tn__err(err, TN_EDATA, "%s: line %zu: a NUL byte at column %zu: not a text "
                         "file of ratings", name, rd.line, (size_t)(nul - line.p) + 1);
            break;
        }
        if (is_skipped(line))
            continue;
        span f[64];
        if (first) {
            first = 0;
            /* A comma makes it CSV; a line without a single number is a header (so a bad
             * value in the first data line is reported as such, not as a header). */
            delim = memchr(line.p, ',', line.n) ? ',' : memchr(line.p, '\t', line.n) ? '\t' : ' ';
            size_t n = split(line, delim, f, 64);
            int header = is_header(line, delim, c);
            if (header) {
                rc = map_header(&rd, line, delim, c, need_rating, col, &n_cols);
                continue;
            }
            if (!need_rating) {
                col[TN_RF_RATING] = n > 2 ? 2 : -1;
                col[TN_RF_TIMESTAMP] = n > 3 ? 3 : -1;
            }
            n_cols = need_rating || n > 4 ? 4 : n < 2 ? 2 : n;
        }
        size_t n = split(line, delim, f, 64);
        if (n != n_cols) {
            static const char *const layouts[] = {"user item", "user item rating",
                                                  "user item rating timestamp"};
            rc = tn__err(err, TN_EDATA, "%s: line %zu: expected %zu fields (%s), got %zu", name,
                         rd.line, n_cols, delim == ',' || n_cols > 4 ? "as in the header"
                         : layouts[n_cols - 2], n);
            break;
        }
        tn_rating x = {0};
        double v;
        if ((rc = parse_id(&rd, f[col[TN_RF_USER]], c, TN_RF_USER, n_users, &x.user)) ||
            (rc = parse_id(&rd, f[col[TN_RF_ITEM]], c, TN_RF_ITEM, n_items, &x.item)))
            break;
        if (col[TN_RF_RATING] >= 0) {
            if ((rc = parse_value(&rd, f[col[TN_RF_RATING]], "rating", &v)))
                break;
            /* Ratings are kept as floats: beyond float's range the conversion is undefined
             * (in practice +-inf, a positive at any threshold). From FLT_MAX + half an ulp
             * on a double rounds past FLT_MAX, as in the CSV reader. */
            if (fabs(v) >= 0x1.ffffffp127) {
                rc = tn__err(err, TN_EDATA, "%s: line %zu: rating: %g is out of float range",
                             name, rd.line, v);
                break;
            }
            x.rating = (float)v;
        }
        if (col[TN_RF_TIMESTAMP] >= 0) {
            if ((rc = parse_value(&rd, f[col[TN_RF_TIMESTAMP]], "timestamp", &x.timestamp)))
                break;
        }
        if (push(t, &cap, &x))
            rc = tn__err(err, TN_ENOMEM, "%s: out of memory at line %zu", name, rd.line);
    }
    if (rc == TN_OK && t->n == 0)
        rc = tn__err(err, TN_EDATA, "%s: no ratings", name);
    if (rc == TN_OK && c->vocab[0] && c->learn)
        rc = number_ids(t, c, name, n_users, n_items, err);
    else if (rc == TN_OK && c->vocab[0])
        t->n_users = c->vocab[0]->n + (size_t)c->oov, t->n_items = c->vocab[1]->n + (size_t)c->oov;
    if (rc) {
        tn__ratings_free(t);
        return rc;
    }
    *out = t;
    return TN_OK;
}


int tn__ratings_read(const char *path, const tn_ratings_cfg *c, size_t n_users, size_t n_items,
                     int need_rating, tn_ratings **out, tn_error *err)
{
    *out = NULL;
    unsigned char *buf;
    size_t len;
    int rc = tn__read_file(path, TN_RATINGS_MAX_BYTES, &buf, &len, err);
    if (rc)
        return rc;
    rc = tn__ratings_parse(path, (const char *)buf, len, c, n_users, n_items, need_rating, out,
                           err);
    tn__free(buf);
    return rc;
}

int tn__ratings_is_headerless(const char *text, size_t len)
{
    reader rd = {.name = "", .cur = text, .end = text + len};
    span s;
    while (next_line(&rd, &s)) {
        if (is_skipped(s))
            continue;
        char delim = memchr(s.p, ',', s.n) ? ',' : memchr(s.p, '\t', s.n) ? '\t' : ' ';
        span fl[64];
        size_t n = split(s, delim, fl, 64);
        for (size_t j = 0; j < n && j < 64; j++)
            if (is_number(fl[j]))
                return 1;
        return 0;
    }
    return 0;
}

void tn__ratings_free(tn_ratings *r)
{
    if (!r)
        return;
    tn__free(r->r);
    tn__free(r);
}

/* A two-input dataset for net, with the inputs in the network's order. */
int tn__ratings_pairs_dataset(const tn_net *net, const tn_ratings_cfg *c, size_t rows,
                              int labelled, tn_dataset **out, int *ui, int *ii, tn_error *err)
{
    *ui = tn__net_find_node(net, c->user_input);
    *ii = tn__net_find_node(net, c->item_input);
    if (net->n_inputs != 2 || *ui < 0 || *ii < 0 || *ui >= 2 || *ii >= 2 || *ui == *ii)
        return tn__err(err, TN_ESHAPE, "ratings need a network with the two index inputs "
                       "\"%s\" and \"%s\"", c->user_input, c->item_input);
    size_t w[2] = {1, 1};
    return tn__dataset_new(rows, 2, w, labelled ? 1 : 0, out, err);
}

