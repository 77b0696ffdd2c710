/* tinynet activations: list the registered activation modules, tabulate one (x, f(x),
 * f'(x)), or draw them as SVG (one file each plus a sheet of all).
 *
 * Values come from the modules themselves (forward, then backward with dy = 1), so the
 * table and the pictures show exactly what training uses. Row-wise modules (softmax,
 * log_softmax) have no scalar curve: they are evaluated on the 2-way row [x, 0] and the
 * first output is shown, with dy = [1, 0] giving d y_0 / d x. */
#include "cli.h"

#include "tinynet/train.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage[] =
    "tinynet activations [NAME [--param K=V ...] [--table FROM:TO:STEP]] "
    "[--plot DIR [--range FROM:TO]]";

#define MAX_PARAM_ARGS 16

/* ---- evaluating one module at a point ------------------------------------------------ */

typedef struct act_eval {
    const tn_activation *m;
    float hyper[TN_ACT_MAX_PARAMS];
    size_t cols;            /* 1, or 2 for row-wise modules (the row [x, 0]) */
    float *learn, *dlearn;  /* the module's learnable values at their initial value */
    size_t n_learn;
} act_eval;

static int act_eval_init(act_eval *e, const tn_activation *m, const float *hyper)
{
    memset(e, 0, sizeof *e);
    e->m = m;
    for (int i = 0; i < m->n_params; i++)
        e->hyper[i] = hyper ? hyper[i] : m->params[i].def;
    e->cols = (m->flags & TN_ACT_ROWWISE) ? 2 : 1;
    if (m->n_learnable) {
        e->n_learn = m->n_learnable(e->hyper, e->cols);
        if (e->n_learn) {
            e->learn = calloc(e->n_learn, sizeof *e->learn);
            e->dlearn = calloc(e->n_learn, sizeof *e->dlearn);
            if (!e->learn || !e->dlearn)
                return -1;
            m->init_learnable(e->hyper, e->learn, e->n_learn);
        }
    }
    return 0;
}

static void act_eval_free(act_eval *e)
{
    free(e->learn);
    free(e->dlearn);
}

/* f(x) and f'(x) in inference mode (rrelu uses its mean slope). */
static void act_eval_at(act_eval *e, float x, float *f, float *df)
{
    tn_act_ctx c = {e->hyper, e->learn, e->n_learn, 0, NULL};
    float in[2] = {x, 0.0f}, out[2] = {0}, dy[2] = {1.0f, 0.0f}, dx[2] = {0};
    e->m->forward(&c, in, out, 1, e->cols);
    e->m->backward(&c, in, out, dy, dx, e->dlearn, 1, e->cols);
    *f = out[0];
    *df = dx[0];
}

/* "name" or "name(alpha=0.1, beta=2)" */
static void act_label(const act_eval *e, char *buf, size_t n)
{
    size_t used = (size_t)snprintf(buf, n, "%s", e->m->name);
    for (int i = 0; i < e->m->n_params && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, "%s%s=%g", i ? ", " : "(",
                                 e->m->params[i].name, (double)e->hyper[i]);
    if (e->m->n_params && used < n)
        snprintf(buf + used, n - used, ")");
}

/* ---- listing ------------------------------------------------------------------------ */

static void describe(const tn_activation *m)
{
    printf("%-16s %s\n", m->name, m->formula ? m->formula : "(no formula given)");
    printf("%-16s output range %s; default init %s\n", "", m->range ? m->range : "?",
           m->default_init ? m->default_init : "glorot_uniform");
    for (int i = 0; i < m->n_params; i++)
        printf("%-16s param %s = %g, in [%g, %g]\n", "", m->params[i].name,
               (double)m->params[i].def, (double)m->params[i].min, (double)m->params[i].max);
    if (m->n_learnable)
        printf("%-16s has learnable parameters (trained with the layer's weights)\n", "");
    if (m->flags & TN_ACT_ROWWISE)
        printf("%-16s row-wise: each output depends on the whole row\n", "");
    if (m->flags & TN_ACT_RANDOM)
        printf("%-16s random in training (seeded), deterministic in inference\n", "");
    if (m->flags & TN_ACT_ZERO_GRAD)
        printf("%-16s derivative is zero: gradient descent cannot train through it\n", "");
}

/* ---- arguments ---------------------------------------------------------------------- */

typedef struct act_opts {
    const char *name;
    const char *params[MAX_PARAM_ARGS];
    int n_params;
    const char *table, *plot, *range;
} act_opts;

static int parse_args(int argc, char **argv, act_opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        int m;
        if ((m = tn_cli_option(argc, argv, &i, "--param", &v))) {
            if (m < 0)
                return tn_cli_usage("activations", usage, "--param needs K=V");
            if (o->n_params == MAX_PARAM_ARGS)
                return tn_cli_usage("activations", usage, "at most %d --param options",
                                    MAX_PARAM_ARGS);
            o->params[o->n_params++] = v;
        } else if ((m = tn_cli_option(argc, argv, &i, "--table", &v))) {
            if (m < 0)
                return tn_cli_usage("activations", usage, "--table needs FROM:TO:STEP");
            o->table = v;
        } else if ((m = tn_cli_option(argc, argv, &i, "--plot", &v))) {
            if (m < 0)
                return tn_cli_usage("activations", usage, "--plot needs a directory");
            o->plot = v;
        } else if ((m = tn_cli_option(argc, argv, &i, "--range", &v))) {
            if (m < 0)
                return tn_cli_usage("activations", usage, "--range needs FROM:TO");
            o->range = v;
        } else if (tn_cli_is_option(i, argv[i])) {
            return tn_cli_usage("activations", usage, "unknown option \"%s\"", argv[i]);
        } else if (o->name) {
            return tn_cli_usage("activations", usage, "unexpected argument \"%s\"", argv[i]);
        } else {
            o->name = argv[i];
        }
    }
    if (!o->name && (o->n_params || o->table))
        return tn_cli_usage("activations", usage, "%s needs an activation NAME",
                            o->table ? "--table" : "--param");
    if (o->table && o->plot)
        return tn_cli_usage("activations", usage, "give either --table or --plot, not both");
    if (o->range && !o->plot)
        return tn_cli_usage("activations", usage, "--range is for --plot");
    return TN_EXIT_OK;
}

static int find_module(const char *name, const tn_activation **out)
{
    *out = tn_activation_find(name);
    if (*out)
        return TN_EXIT_OK;
    const char *hint = tn_activation_suggest(name);
    if (hint)
        return tn_cli_usage("activations", usage,
                            "unknown activation \"%s\" (did you mean \"%s\"?)", name, hint);
    return tn_cli_usage("activations", usage,
                        "unknown activation \"%s\" (`tinynet activations` lists them)", name);
}

/* A whole finite number, for command-line values. */
static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* Applies each "K=V" to hyper (which holds the defaults), checking name and range. */
static int parse_params(const tn_activation *m, const act_opts *o, float *hyper)
{
    for (int i = 0; i < m->n_params; i++)
        hyper[i] = m->params[i].def;
    for (int k = 0; k < o->n_params; k++) {
        const char *arg = o->params[k], *eq = strchr(arg, '=');
        if (!eq || eq == arg)
            return tn_cli_usage("activations", usage, "--param \"%s\": expected K=V", arg);
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)(eq - arg), arg);
        int idx = -1;
        const char *names[TN_ACT_MAX_PARAMS + 1];
        for (int i = 0; i < m->n_params; i++) {
            names[i] = m->params[i].name;
            if (strcmp(names[i], key) == 0)
                idx = i;
        }
        names[m->n_params] = NULL;
        if (idx < 0) {
            if (m->n_params == 0)
                return tn_cli_usage("activations", usage, "%s has no parameters (got \"%s\")",
                                    m->name, key);
            const char *hint = tn_suggest(key, names);
            if (hint)
                return tn_cli_usage("activations", usage, "%s has no parameter \"%s\" (did "
                                    "you mean \"%s\"?)", m->name, key, hint);
            return tn_cli_usage("activations", usage, "%s has no parameter \"%s\" "
                                "(`tinynet activations %s` lists them)", m->name, key, m->name);
        }
        const tn_act_param *p = &m->params[idx];
        double v;
        if (parse_double(eq + 1, &v) || v < p->min || v > p->max)
            return tn_cli_usage("activations", usage, "%s: %s must be a number in [%g, %g], "
                                "got \"%s\"", m->name, key, (double)p->min, (double)p->max,
                                eq + 1);
        hyper[idx] = (float)v;
    }
    return TN_EXIT_OK;
}

/* "A:B" or "A:B:C" into n numbers. */
static int parse_colon_list(const char *s, double *v, int n)
{
    char buf[256];
    if (strlen(s) >= sizeof buf)
        return -1;
    strcpy(buf, s);
    char *p = buf;
    for (int i = 0; i < n; i++) {
        char *colon = strchr(p, ':');
        if ((i < n - 1) != (colon != NULL))
            return -1;
        if (colon)
            *colon = '\0';
        if (parse_double(p, &v[i]))
            return -1;
        p = colon + 1;
    }
    return 0;
}

#define TABLE_MAX_ROWS 10000000.0

static int print_table(act_eval *e, const char *spec)
{
    double v[3];
    if (parse_colon_list(spec, v, 3))
        return tn_cli_usage("activations", usage,
                            "--table \"%s\": expected FROM:TO:STEP (three numbers)", spec);
    double from = v[0], to = v[1], step = v[2];
    if (!(step > 0) || from > to)
        return tn_cli_usage("activations", usage, "--table \"%s\": need FROM <= TO and STEP > 0",
                            spec);
    /* A tiny slack so that TO is included when (TO - FROM) / STEP is whole up to rounding. */
    double rows = floor((to - from) / step + 1e-9) + 1;
    if (!(rows <= TABLE_MAX_ROWS))
        return tn_cli_usage("activations", usage, "--table \"%s\": more than %.0f rows", spec,
                            TABLE_MAX_ROWS);
    for (long long i = 0; i < (long long)rows; i++) {
        /* x from the index, not by repeated addition, so rounding does not drift. */
        float x = (float)(from + (double)i * step), f, df;
        act_eval_at(e, x, &f, &df);
        printf("%.9g\t%.9g\t%.9g\n", (double)x, (double)f, (double)df);
    }
    return TN_EXIT_OK;
}

/* ---- drawing ------------------------------------------------------------------------ */

#define PLOT_SAMPLES 800   /* intervals; even, so x = 0 of a symmetric range is a sample */
#define COLOR_F "#1f5fbf"
#define COLOR_DF "#e0661a"

typedef struct curve {
    double xmin, xmax, ymin, ymax;
    float x[PLOT_SAMPLES + 1], f[PLOT_SAMPLES + 1], df[PLOT_SAMPLES + 1];
    char title[160], subtitle[200];
} curve;

static void xml_escaped(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(*s, out);
        }
    }
}

/* 1, 2 or 5 times a power of ten, giving about `want` intervals over span. */
static double nice_step(double span, int want)
{
    double raw = span / want, p = pow(10.0, floor(log10(raw))), r = raw / p;
    return p * (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10);
}

static void sample_curve(act_eval *e, double xmin, double xmax, curve *c)
{
    c->xmin = xmin;
    c->xmax = xmax;
    double lo = 0, hi = 0; /* the y range always shows y = 0 */
    for (int i = 0; i <= PLOT_SAMPLES; i++) {
        c->x[i] = (float)(xmin + (xmax - xmin) * i / PLOT_SAMPLES);
        act_eval_at(e, c->x[i], &c->f[i], &c->df[i]);
        for (int k = 0; k < 2; k++) {
            double y = k ? c->df[i] : c->f[i];
            if (isfinite(y)) {
                lo = fmin(lo, y);
                hi = fmax(hi, y);
            }
        }
    }
    hi = fmax(hi, lo + 1.0); /* a flat curve still gets a unit of height */
    double pad = 0.08 * (hi - lo);
    c->ymin = lo - pad;
    c->ymax = hi + pad;
    char label[128];
    act_label(e, label, sizeof label);
    if (e->m->flags & TN_ACT_ROWWISE)
        snprintf(c->title, sizeof c->title, "%s: first output of %s([x, 0])", label,
                 e->m->name);
    else
        snprintf(c->title, sizeof c->title, "%s", label);
    snprintf(c->subtitle, sizeof c->subtitle, "%s", e->m->formula ? e->m->formula : "");
}

/* |y[i] - y[i-1]|, or 0 outside the samples. */
static double step_at(const float *y, int i)
{
    return (i < 1 || i > PLOT_SAMPLES) ? 0.0 : fabs((double)y[i] - (double)y[i - 1]);
}

/* A jump (binary_step, relu's derivative) rather than a steep stretch: a visible step
 * much larger than the steps on either side of it. */
static int is_jump(const curve *c, const float *y, int i)
{
    double d = step_at(y, i);
    return d > 0.02 * (c->ymax - c->ymin) && d > 8.0 * fmax(step_at(y, i - 1), step_at(y, i + 1));
}

/* One polyline per continuous piece, so that a jump is drawn as a gap, not a wall. */
static void draw_series(FILE *out, const curve *c, const float *y, double px, double py,
                        double pw, double ph, const char *color, double width, int dashed)
{
    int open = 0;
    for (int i = 0; i <= PLOT_SAMPLES; i++) {
        if (!isfinite(y[i]) || (open && is_jump(c, y, i))) {
            if (open)
                fputs("\"/>\n", out);
            open = 0;
            if (!isfinite(y[i]))
                continue;
        }
        double sx = px + pw * ((double)c->x[i] - c->xmin) / (c->xmax - c->xmin);
        double sy = py + ph * (c->ymax - (double)y[i]) / (c->ymax - c->ymin);
        if (!open) {
            fprintf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%g\"%s "
                    "stroke-linejoin=\"round\" points=\"", color, width,
                    dashed ? " stroke-dasharray=\"6 4\"" : "");
            open = 1;
        }
        fprintf(out, "%.2f,%.2f ", sx, sy);
    }
    if (open)
        fputs("\"/>\n", out);
}

/* A panel at (x0, y0) of size w x h: title, grid, axes, ticks, both curves, legend.
 * `small` shrinks text for the sheet. */
static void draw_panel(FILE *out, const curve *c, double x0, double y0, double w, double h,
                       int small)
{
    double fs = small ? 10 : 13;
    double ml = small ? 38 : 55, mr = 12, mt = small ? 34 : 52, mb = small ? 26 : 42;
    double px = x0 + ml, py = y0 + mt, pw = w - ml - mr, ph = h - mt - mb;
    fprintf(out, "<g font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"%g\">\n", fs);
    fprintf(out, "<text x=\"%g\" y=\"%g\" text-anchor=\"middle\" font-weight=\"bold\" "
            "font-size=\"%g\">", x0 + w / 2, y0 + fs + 4, fs + 2);
    xml_escaped(out, c->title);
    fputs("</text>\n", out);
    fprintf(out, "<text x=\"%g\" y=\"%g\" text-anchor=\"middle\" font-size=\"%g\" "
            "fill=\"#444\">", x0 + w / 2, y0 + 2 * fs + 10, small ? fs - 2.5 : fs - 1);
    xml_escaped(out, c->subtitle);
    fputs("</text>\n", out);
    fprintf(out, "<rect x=\"%g\" y=\"%g\" width=\"%g\" height=\"%g\" fill=\"#fff\" "
            "stroke=\"#999\"/>\n", px, py, pw, ph);
    /* Gridlines and tick labels. */
    double xs = nice_step(c->xmax - c->xmin, small ? 4 : 8);
    double ys = nice_step(c->ymax - c->ymin, small ? 4 : 6);
    for (double t = ceil(c->xmin / xs) * xs; t <= c->xmax + 1e-9 * xs; t += xs) {
        double sx = px + pw * (t - c->xmin) / (c->xmax - c->xmin);
        double v = fabs(t) < 1e-9 * xs ? 0 : t;
        fprintf(out, "<line x1=\"%.2f\" y1=\"%g\" x2=\"%.2f\" y2=\"%g\" stroke=\"%s\"/>\n", sx,
                py, sx, py + ph, v == 0 ? "#555" : "#e3e3e3");
        fprintf(out, "<text x=\"%.2f\" y=\"%g\" text-anchor=\"middle\">%g</text>\n", sx,
                py + ph + fs + 3, v);
    }
    for (double t = ceil(c->ymin / ys) * ys; t <= c->ymax + 1e-9 * ys; t += ys) {
        double sy = py + ph * (c->ymax - t) / (c->ymax - c->ymin);
        double v = fabs(t) < 1e-9 * ys ? 0 : t;
        fprintf(out, "<line x1=\"%g\" y1=\"%.2f\" x2=\"%g\" y2=\"%.2f\" stroke=\"%s\"/>\n", px,
                sy, px + pw, sy, v == 0 ? "#555" : "#e3e3e3");
        fprintf(out, "<text x=\"%g\" y=\"%.2f\" text-anchor=\"end\">%g</text>\n", px - 4,
                sy + fs / 3, v);
    }
    if (!small) {
        fprintf(out, "<text x=\"%g\" y=\"%g\" text-anchor=\"middle\" font-style=\"italic\">x"
                "</text>\n", px + pw / 2, py + ph + 2 * fs + 8);
        fprintf(out, "<text x=\"%g\" y=\"%g\" text-anchor=\"middle\" font-style=\"italic\" "
                "transform=\"rotate(-90 %g %g)\">y</text>\n", x0 + 14, py + ph / 2, x0 + 14,
                py + ph / 2);
    }
    /* Clip the curves to the plot area. */
    static int clip_id;
    clip_id++;
    fprintf(out, "<clipPath id=\"c%d\"><rect x=\"%g\" y=\"%g\" width=\"%g\" height=\"%g\"/>"
            "</clipPath>\n<g clip-path=\"url(#c%d)\">\n", clip_id, px, py, pw, ph, clip_id);
    /* f' last: dashed over solid keeps both visible where they coincide (binary_step). */
    draw_series(out, c, c->f, px, py, pw, ph, COLOR_F, small ? 1.8 : 2.5, 0);
    draw_series(out, c, c->df, px, py, pw, ph, COLOR_DF, small ? 1.6 : 2.2, 1);
    fputs("</g>\n", out);
    if (!small) {
        /* Legend in the inner corner that the curves cross least. */
        double lx = px + 10, ly = py + 10, best = INFINITY;
        for (int k = 0; k < 4; k++) {
            double cx = (k & 1) ? px + pw - 106 : px + 10, cy = (k & 2) ? py + ph - 56 : py + 10;
            int hits = 0;
            for (int i = 0; i <= PLOT_SAMPLES; i++) {
                double sx = px + pw * ((double)c->x[i] - c->xmin) / (c->xmax - c->xmin);
                for (int s = 0; s < 2; s++) {
                    double sy = py + ph * (c->ymax - (double)(s ? c->df[i] : c->f[i])) /
                                         (c->ymax - c->ymin);
                    hits += sx >= cx - 4 && sx <= cx + 100 && sy >= cy - 4 && sy <= cy + 50;
                }
            }
            if (hits < best) {
                best = hits;
                lx = cx;
                ly = cy;
            }
        }
        fprintf(out, "<rect x=\"%g\" y=\"%g\" width=\"96\" height=\"46\" fill=\"#fff\" "
                "fill-opacity=\"0.9\" stroke=\"#bbb\"/>\n", lx, ly);
        fprintf(out, "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"%s\" "
                "stroke-width=\"2.5\"/>\n<text x=\"%g\" y=\"%g\">f(x)</text>\n", lx + 8,
                ly + 15, lx + 38, ly + 15, COLOR_F, lx + 45, ly + 19);
        fprintf(out, "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"%s\" "
                "stroke-width=\"2.2\" stroke-dasharray=\"6 4\"/>\n<text x=\"%g\" y=\"%g\">"
                "f'(x)</text>\n", lx + 8, ly + 33, lx + 38, ly + 33, COLOR_DF, lx + 45, ly + 37);
    }
    fputs("</g>\n", out);
}

static FILE *svg_open(tn_cli_out *o, const char *dir, const char *file, double w, double h,
                      char *path, size_t n)
{
    snprintf(path, n, "%s/%s", dir, file);
    FILE *out = tn_cli_out_open(o, path);
    if (out)
        fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%g\" height=\"%g\" "
                "viewBox=\"0 0 %g %g\">\n<rect width=\"100%%\" height=\"100%%\" "
                "fill=\"#fafafa\"/>\n", w, h, w, h);
    else
        fprintf(stderr, "tinynet: %s: out of memory\n", path);
    return out;
}

/* Written whole or not at all (tn_cli_out_commit). */
static int svg_close(tn_cli_out *o)
{
    fputs("</svg>\n", o->f);
    tn_error err = {0};
    if (tn_cli_out_commit(o, &err))
        return tn_cli_fail(&err);
    return TN_EXIT_OK;
}

static int plot_one(const char *dir, act_eval *e, double xmin, double xmax, curve *c)
{
    char path[4096], file[160];
    sample_curve(e, xmin, xmax, c);
    snprintf(file, sizeof file, "%s.svg", e->m->name);
    tn_cli_out o;
    FILE *out = svg_open(&o, dir, file, 680, 460, path, sizeof path);
    if (!out)
        return TN_EXIT_FAIL;
    draw_panel(out, c, 0, 0, 680, 460, 0);
    int rc = svg_close(&o);
    if (rc == TN_EXIT_OK)
        printf("wrote %s\n", path);
    return rc;
}

#define SHEET_COLS 4
#define SHEET_W 330.0
#define SHEET_H 240.0
#define SHEET_TOP 60.0

/* One file per module and the sheet activations.svg; only `only` when given. */
static int plot_all(const char *dir, const tn_activation *only, const float *hyper,
                    double xmin, double xmax)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "tinynet: %s: cannot create directory: %s\n", dir, strerror(errno));
        return TN_EXIT_FAIL;
    }
    curve *c = malloc(sizeof *c);
    if (!c) {
        fprintf(stderr, "tinynet: out of memory\n");
        return TN_EXIT_FAIL;
    }
    size_t n = only ? 1 : tn_activation_count();
    size_t rows = (n + SHEET_COLS - 1) / SHEET_COLS;
    char path[4096];
    tn_cli_out o;
    FILE *sheet = NULL;
    int rc = TN_EXIT_OK;
    if (!only) {
        sheet = svg_open(&o, dir, "activations.svg", SHEET_COLS * SHEET_W,
                         SHEET_TOP + (double)rows * SHEET_H, path, sizeof path);
        if (!sheet) {
            free(c);
            return TN_EXIT_FAIL;
        }
        fprintf(sheet, "<g font-family=\"DejaVu Sans, Arial, sans-serif\">\n<text x=\"%g\" "
                "y=\"28\" text-anchor=\"middle\" font-size=\"20\" font-weight=\"bold\">"
                "tinynet activations: f(x) and its derivative f'(x)</text>\n",
                SHEET_COLS * SHEET_W / 2);
        double lx = SHEET_COLS * SHEET_W / 2 - 120;
        fprintf(sheet, "<line x1=\"%g\" y1=\"46\" x2=\"%g\" y2=\"46\" stroke=\"%s\" "
                "stroke-width=\"2.5\"/><text x=\"%g\" y=\"51\" font-size=\"14\">f(x)</text>\n",
                lx, lx + 30, COLOR_F, lx + 36);
        fprintf(sheet, "<line x1=\"%g\" y1=\"46\" x2=\"%g\" y2=\"46\" stroke=\"%s\" "
                "stroke-width=\"2.2\" stroke-dasharray=\"6 4\"/><text x=\"%g\" y=\"51\" "
                "font-size=\"14\">f'(x)  (defaults; x from %g to %g)</text>\n</g>\n",
                lx + 90, lx + 120, COLOR_DF, lx + 126, xmin, xmax);
    }
    for (size_t i = 0; i < n && rc == TN_EXIT_OK; i++) {
        act_eval e;
        const tn_activation *m = only ? only : tn_activation_at(i);
        if (act_eval_init(&e, m, only ? hyper : NULL)) {
            fprintf(stderr, "tinynet: out of memory\n");
            rc = TN_EXIT_FAIL;
        } else {
            rc = plot_one(dir, &e, xmin, xmax, c);
        }
        act_eval_free(&e);
        if (rc == TN_EXIT_OK && sheet)
            draw_panel(sheet, c, (double)(i % SHEET_COLS) * SHEET_W,
                       SHEET_TOP + (double)(i / SHEET_COLS) * SHEET_H, SHEET_W, SHEET_H, 1);
    }
    if (sheet && rc != TN_EXIT_OK) {
        tn_cli_out_discard(&o);
    } else if (sheet) {
        rc = svg_close(&o);
        if (rc == TN_EXIT_OK)
            printf("wrote %s\n", path);
    }
    free(c);
    return rc;
}

/* ---- entry -------------------------------------------------------------------------- */

int tn_cli_activations(int argc, char **argv)
{
    if (tn_cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n"
               "Without arguments, lists every registered activation: formula, output range,\n"
               "parameters (default and accepted range) and the default weight init.\n\n"
               "  NAME                    describe one activation\n"
               "  --param K=V             set a parameter of NAME (repeatable)\n"
               "  --table FROM:TO:STEP    print x, f(x), f'(x) (tab-separated, %%.9g) for x =\n"
               "                          FROM, FROM+STEP, ... <= TO\n"
               "  --plot DIR              draw f and f' as SVG: DIR/NAME.svg for each activation\n"
               "                          and the sheet DIR/activations.svg (with NAME: only\n"
               "                          that one, with its --param values)\n"
               "  --range FROM:TO         x range of the plots (default -7:7)\n\n"
               "softmax and log_softmax work on rows: they are shown as the first output of\n"
               "the 2-way row [x, 0] (softmax([x, 0])_0 = sigmoid(x)). rrelu is shown in\n"
               "inference mode (the mean slope), prelu at its initial slope.\n", usage);
        return TN_EXIT_OK;
    }
    act_opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc;
    const tn_activation *m = NULL;
    float hyper[TN_ACT_MAX_PARAMS] = {0};
    if (o.name && ((rc = find_module(o.name, &m)) || (rc = parse_params(m, &o, hyper))))
        return rc;
    if (o.plot) {
        double r[2] = {-7, 7};
        if (o.range && (parse_colon_list(o.range, r, 2) || !(r[0] < r[1])))
            return tn_cli_usage("activations", usage,
                                "--range \"%s\": expected FROM:TO with FROM < TO", o.range);
        return plot_all(o.plot, m, hyper, r[0], r[1]);
    }
    if (o.table) {
        act_eval e;
        if (act_eval_init(&e, m, hyper)) {
            act_eval_free(&e);
            fprintf(stderr, "tinynet: out of memory\n");
            return TN_EXIT_FAIL;
        }
        rc = print_table(&e, o.table);
        act_eval_free(&e);
        return rc;
    }
    if (m) {
        describe(m);
        return TN_EXIT_OK;
    }
    size_t n = tn_activation_count();
    for (size_t i = 0; i < n; i++)
        describe(tn_activation_at(i));
    return TN_EXIT_OK;
}
