/* The pictures of `tinynet train --plot DIR`, as self-contained SVG: curves drawn as
 * polylines, images as embedded PNGs (a minimal encoder over zlib, already a dependency)
 * so a browser or rsvg-convert shows them with no other file. */
#include "report.h"

#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static FILE *open_out(tn_cli_out *o, const char *dir, const char *name, char *path, size_t n,
                      tn_error *err)
{
    snprintf(path, n, "%s/%s", dir, name);
    FILE *f = tn_cli_out_open(o, path);
    if (!f)
        tn_cli_err(err, TN_ENOMEM, "%s: out of memory", path);
    return f;
}

/* ---- curves --------------------------------------------------------------------------- */

enum { PW = 470, PH = 360, ML = 74, MR = 20, MT = 78, MB = 52, TOP = 44, NOTE = 46 };

/* Series k (0 train, 1 validation or test) of epoch i. */
static double value(const tn_epoch_info *h, int i, int k, int use_acc)
{
    const tn_metrics *m = k ? &h[i].val : &h[i].train;
    return use_acc ? m->accuracy : m->loss;
}

static void xml_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '\'': fputs("&apos;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* 1, 2 or 5 times a power of ten, giving about `want` intervals over span. */
static double nice_step(double span, int want)
{
    double raw = span / want, p = pow(10.0, floor(log10(raw))), r = raw / p;
    return p * (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10);
}

/* A tick value with as many decimals as its step needs: 0.05, 0.1, 0.15, never
 * 0.15000000000000002. */
static void tick_label(char *buf, size_t n, double v, double step)
{
    int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (fabs(v) < step * 1e-6)
        v = 0;
    snprintf(buf, n, "%.*f", dec, v);
}

/* The vertical axis of one panel: linear between nice bounds, or log10 between powers of
 * ten. */
typedef struct axis {
    int log;
    double lo, hi, step;
} axis;

static double axis_pos(const axis *a, double v)
{
    if (a->log)
        return (log10(v) - log10(a->lo)) / (log10(a->hi) - log10(a->lo));
    return (v - a->lo) / (a->hi - a->lo);
}

static axis make_axis(double lo, double hi, int want_log, int is_acc)
{
    axis a = {0};
    if (!(hi > lo)) { /* one point or a flat line: give the axis some height */
        double c = isfinite(lo) ? lo : 0;
        lo = c - (c != 0 ? fabs(c) * 0.1 : 0.5);
        hi = c + (c != 0 ? fabs(c) * 0.1 : 0.5);
        if (c >= 0 && lo < 0)
            lo = 0;
    }
    if (want_log && lo > 0) {
        a.log = 1;
        a.lo = pow(10.0, floor(log10(lo)));
        a.hi = pow(10.0, ceil(log10(hi)));
        if (a.hi <= a.lo)
            a.hi = a.lo * 10;
        return a;
    }
    a.step = nice_step(hi - lo, 5);
    a.lo = floor(lo / a.step + 1e-9) * a.step;
    a.hi = ceil(hi / a.step - 1e-9) * a.step;
    if (a.hi <= a.lo)
        a.hi = a.lo + a.step;
    /* No impossible values on the axis: no negative loss, no accuracy above 1. */
    if (a.lo < 0 && lo >= 0)
        a.lo = 0;
    if (is_acc && a.hi > 1 && hi <= 1)
        a.hi = 1;
    return a;
}

/* What a panel shows and where. */
typedef struct panel_spec {
    const char *title, *ylabel;
    int use_acc, want_log;
    double kept;             /* the kept parameters' value on the training rows, or NaN */
} panel_spec;

static void panel(FILE *f, int ox, const panel_spec *ps, const tn_epoch_info *h, int n,
                  const tn_plot_info *info)
{
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < 1 + h[i].has_val; k++) {
            double v = value(h, i, k, ps->use_acc);
            if (isfinite(v) && (!ps->want_log || v > 0)) {
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
            }
        }
    }
    if (isfinite(ps->kept) && (!ps->want_log || ps->kept > 0)) {
        lo = ps->kept < lo ? ps->kept : lo;
        hi = ps->kept > hi ? ps->kept : hi;
    }
    axis ax = make_axis(lo, hi, ps->want_log, ps->use_acc);
    int x0 = ox + ML, x1 = ox + PW - MR, y0 = TOP + PH - MB, y1 = TOP + MT;
    double first = n ? h[0].epoch : 1, last = n ? h[n - 1].epoch : 1;
    double xspan = last > first ? last - first : 1;
#define XPOS(e) (last > first ? x0 + (double)(x1 - x0) * ((e) - first) / xspan : (x0 + x1) / 2.0)
#define YPOS(v) (y0 - axis_pos(&ax, (v)) * (y0 - y1))
    fprintf(f, "<text x='%d' y='%d' text-anchor='middle' font-size='15' "
            "font-weight='bold'>%s</text>\n", (x0 + x1) / 2, TOP + 22, ps->title);
    fprintf(f, "<rect x='%d' y='%d' width='%d' height='%d' fill='none' stroke='#444'/>\n", x0, y1,
            x1 - x0, y0 - y1);
    char lab[32];
    if (ax.log) { /* decades, with 2 and 5 between them when there are few */
        int decades = (int)lround(log10(ax.hi / ax.lo));
        for (double d = ax.lo; d <= ax.hi * 1.0001; d *= 10) {
            static const double mult[] = {1, 2, 5};
            for (int k = 0; k < 3; k++) {
                double v = d * mult[k];
                if (v > ax.hi * 1.0001 || (k && decades > 3))
                    continue;
                double y = YPOS(v);
                fprintf(f, "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='%s'/>\n", x0, y,
                        x1, y, k ? "#eee" : "#ccc");
                snprintf(lab, sizeof lab, "%g", v);
                fprintf(f, "<text x='%d' y='%.1f' text-anchor='end' font-size='11'>%s</text>\n",
                        x0 - 5, y + 4, lab);
            }
        }
    } else {
        for (double t = ax.lo; t <= ax.hi + ax.step * 1e-6; t += ax.step) {
            double y = YPOS(t);
            fprintf(f, "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#ddd'/>\n", x0, y, x1, y);
            tick_label(lab, sizeof lab, t, ax.step);
            fprintf(f, "<text x='%d' y='%.1f' text-anchor='end' font-size='11'>%s</text>\n",
                    x0 - 5, y + 4, lab);
        }
    }
    /* Epoch ticks at multiples of a 1-2-5 step. */
    double xs = fmax(1, nice_step(xspan, 8));
    for (double e = ceil(first / xs) * xs; e <= last + 1e-9; e += xs) {
        double x = XPOS(e);
        fprintf(f, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#444'/>\n", x, y0, x,
                y0 + 4);
        fprintf(f, "<text x='%.1f' y='%d' text-anchor='middle' font-size='11'>%.0f</text>\n", x,
                y0 + 17, e);
    }
    fprintf(f, "<text x='%d' y='%d' text-anchor='middle' font-size='12'>epoch</text>\n",
            (x0 + x1) / 2, y0 + 36);
    fprintf(f, "<text x='%d' y='%d' text-anchor='middle' font-size='12' "
            "transform='rotate(-90 %d %d)'>", ox + 16, (y0 + y1) / 2, ox + 16, (y0 + y1) / 2);
    xml_text(f, ps->ylabel);
    fprintf(f, "%s</text>\n", ax.log ? " (log scale)" : "");
    /* The epoch whose parameters were kept. */
    if (info->best_epoch >= first && info->best_epoch <= last) {
        double x = XPOS(info->best_epoch);
        fprintf(f, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#555' "
                "stroke-dasharray='5 4'/>\n<text x='%.1f' y='%d' text-anchor='%s' "
                "font-size='11' fill='#333'>kept: epoch %d</text>\n", x, y1 - 6, x, y0,
                x + (x > (x0 + x1) / 2.0 ? 4 : -4), y1 - 6,
                x > (x0 + x1) / 2.0 ? "end" : "start", info->best_epoch);
    }
    static const char *const colour[2] = {"#1f77b4", "#d62728"};
    fprintf(f, "<clipPath id='c%d'><rect x='%d' y='%d' width='%d' height='%d'/></clipPath>\n"
            "<g clip-path='url(#c%d)'>\n", ox, x0, y1, x1 - x0, y0 - y1, ox);
    for (int k = 0; k < 2; k++) {
        if (k == 1 && (n == 0 || !h[0].has_val))
            break;
        fprintf(f, "<polyline fill='none' stroke='%s' stroke-width='2' points='", colour[k]);
        for (int i = 0; i < n; i++) {
            double v = value(h, i, k, ps->use_acc);
            if (isfinite(v) && (!ax.log || v > 0))
                fprintf(f, "%.1f,%.1f ", XPOS(h[i].epoch), YPOS(v));
        }
        fprintf(f, "'/>\n");
        if (n == 1) /* a single epoch is a point, which a polyline does not draw */
            fprintf(f, "<circle cx='%.1f' cy='%.1f' r='3' fill='%s'/>\n", XPOS(h[0].epoch),
                    YPOS(value(h, 0, k, ps->use_acc)), colour[k]);
    }
    fprintf(f, "</g>\n");
    /* The kept parameters on the training rows, in inference mode: the figure train prints
     * (outside the clip, so a mark on the last epoch is whole). */
    if (isfinite(ps->kept) && (!ax.log || ps->kept > 0)) {
        double x = XPOS(info->best_epoch), y = YPOS(ps->kept);
        fprintf(f, "<path d='M%.1f %.1fl9 9m0 -9l-9 9' stroke='#000' stroke-width='2'/>\n",
                x - 4.5, y - 4.5);
    }
    /* The legend sits between title and box, where no curve can hide it. */
    int lx = x0, ly = TOP + 44;
    fprintf(f, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='%s' stroke-width='2'/>"
            "<text x='%d' y='%d' font-size='11'>train (epoch mean)</text>\n", lx, ly, lx + 18,
            ly, colour[0], lx + 22, ly + 4);
    if (n && h[0].has_val)
        fprintf(f, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='%s' stroke-width='2'/>"
                "<text x='%d' y='%d' font-size='11'>%s</text>\n", lx + 135, ly, lx + 153, ly,
                colour[1], lx + 157, ly + 4, info->val_label);
    if (isfinite(ps->kept))
        fprintf(f, "<path d='M%d %dl8 8m0 -8l-8 8' stroke='#000' stroke-width='2'/>"
                "<text x='%d' y='%d' font-size='11'>train, kept</text>\n", lx + 245, ly - 4,
                lx + 258, ly + 4);
#undef XPOS
#undef YPOS
}

int tn_plot_curves(const char *dir, const tn_epoch_info *h, int n, const tn_plot_info *info,
                   tn_error *err)
{
    char path[4096];
    tn_cli_out out;
    FILE *f = open_out(&out, dir, "curves.svg", path, sizeof path, err);
    if (!f)
        return TN_EIO;
    int has_acc = n > 0 && isfinite(h[0].train.accuracy);
    /* A loss falling over more than two decades (xor's, to almost 0) is flat on a linear
     * axis after its first epochs: a log scale shows its whole course. */
    double lo = INFINITY, hi = 0;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 1 + h[i].has_val; k++) {
            double v = value(h, i, k, 0);
            if (isfinite(v) && v > 0) {
                lo = fmin(lo, v);
                hi = fmax(hi, v);
            }
        }
    int want_log = info->scale == TN_PLOT_LOG ||
                   (info->scale == TN_PLOT_AUTO && isfinite(lo) && hi / lo > 100);
    int W = has_acc ? 2 * PW : PW, H = TOP + PH + NOTE;
    fprintf(f, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
            "viewBox='0 0 %d %d' font-family='DejaVu Sans, Arial, sans-serif'>\n"
            "<rect width='100%%' height='100%%' fill='white'/>\n", W, H, W, H);
    fprintf(f, "<text x='%d' y='28' text-anchor='middle' font-size='18' font-weight='bold'>",
            W / 2);
    xml_text(f, info->model);
    fprintf(f, ": training curves, %d epoch%s</text>\n", n, n == 1 ? "" : "s");
    char ylabel[200];
    snprintf(ylabel, sizeof ylabel, "%s loss (mean per row)", info->loss);
    panel_spec loss = {"loss", ylabel, 0, want_log, info->kept_train.loss};
    panel(f, 0, &loss, h, n, info);
    if (has_acc) {
        panel_spec acc = {"accuracy", "accuracy (fraction correct)", 1, 0,
                          info->kept_train.accuracy};
        panel(f, PW, &acc, h, n, info);
    }
    /* Why the last point of the train curve is not the train figure printed. */
    fprintf(f, "<text x='12' y='%d' font-size='11' fill='#333'>train curve: the mean over each "
            "epoch's batches in training mode (dropout on, parameters moving); "
            "&#215;: the kept parameters (epoch %d)</text>\n<text x='12' y='%d' font-size='11' "
            "fill='#333'>on the training rows in inference mode, the figure train prints "
            "(loss %.6f).%s%s%s</text>\n", TOP + PH + 12, info->best_epoch, TOP + PH + 28,
            info->kept_train.loss, n && h[0].has_val ? " " : "",
            n && h[0].has_val ? info->val_label : "",
            n && h[0].has_val ? ": after each epoch, in inference mode." : "");
    fprintf(f, "</svg>\n");
    return tn_cli_out_commit(&out, err);
}

/* ---- misclassified images ------------------------------------------------------------ */

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* Appends a PNG chunk (length, type, data, CRC of type and data) at out. */
static size_t chunk(unsigned char *out, const char *type, const unsigned char *data, size_t n)
{
    put32(out, (uint32_t)n);
    memcpy(out + 4, type, 4);
    if (n)
        memcpy(out + 8, data, n);
    put32(out + 8 + n, (uint32_t)crc32(0, out + 4, (uInt)(n + 4)));
    return n + 12;
}

/* An 8-bit grey PNG of side x side pixels into out (room for 4096 + 2 * side * side bytes);
 * returns its length, 0 on failure. */
static size_t png_grey(const unsigned char *pix, size_t side, unsigned char *out)
{
    unsigned char raw[(64 + 1) * 64], ihdr[13], z[8192];
    if (side > 64)
        return 0;
    for (size_t r = 0; r < side; r++) {
        raw[r * (side + 1)] = 0; /* filter: none */
        memcpy(raw + r * (side + 1) + 1, pix + r * side, side);
    }
    uLongf zn = sizeof z;
    if (compress2(z, &zn, raw, (uLong)(side * (side + 1)), 9) != Z_OK)
        return 0;
    put32(ihdr, (uint32_t)side);
    put32(ihdr + 4, (uint32_t)side);
    memcpy(ihdr + 8, "\x08\x00\x00\x00\x00", 5); /* 8-bit, grey, deflate, no filter, no interlace */
    size_t n = 8;
    memcpy(out, "\x89PNG\r\n\x1a\n", 8);
    n += chunk(out + n, "IHDR", ihdr, sizeof ihdr);
    n += chunk(out + n, "IDAT", z, zn);
    n += chunk(out + n, "IEND", NULL, 0);
    return n;
}

static void base64(FILE *f, const unsigned char *p, size_t n)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        fputc(a[v >> 18 & 63], f);
        fputc(a[v >> 12 & 63], f);
        fputc(i + 1 < n ? a[v >> 6 & 63] : '=', f);
        fputc(i + 2 < n ? a[v & 63] : '=', f);
    }
}

static size_t argmax(const float *v, size_t n)
{
    size_t best = 0;
    for (size_t k = 1; k < n; k++)
        best = v[k] > v[best] ? k : best;
    return best;
}

static void class_name(char *buf, size_t n, const tn_model *m, size_t k)
{
    const char *name = tn_model_class_name(m, k);
    if (name)
        snprintf(buf, n, "%s", name);
    else
        snprintf(buf, n, "%zu", k);
}

enum { COLS = 8, MAX_SHOWN = 40, ZOOM = 4, CELL_W = 150, CELL_H = 178, HEAD = 58 };

/* A misclassified row and how sure the model was of its wrong answer. */
typedef struct wrong_row {
    size_t row, truth, pred;
    float conf;
} wrong_row;

/* Most confident first; equal confidence in row order, so the picture is reproducible. */
static int by_confidence(const void *a, const void *b)
{
    const wrong_row *x = a, *y = b;
    if (x->conf != y->conf)
        return x->conf > y->conf ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

int tn_plot_misclassified(const char *dir, const tn_model *m, const tn_data *d,
                          const char *label, tn_error *err)
{
    size_t W = tn_model_output_width(m), width = tn_model_input_width(m, 0), tw = 0;
    size_t side = (size_t)(sqrt((double)width) + 0.5), rows = tn_data_rows(d);
    tn_data_target(d, 0, &tw);
    if (side * side != width || side > 64 || tn_model_n_inputs(m) != 1 || tw != 1)
        return tn_cli_err(err, TN_ESHAPE, "no picture of misclassified rows: the input (%zu "
                    "values) is not a square image of at most 64x64 with class labels", width);
    float *y = malloc((rows ? rows : 1) * W * sizeof *y);
    float *row = malloc(width * sizeof *row);
    wrong_row *wr = malloc((rows ? rows : 1) * sizeof *wr);
    unsigned char pix[64 * 64], png[4096 + 2 * 64 * 64];
    int rc = y && row && wr ? TN_OK : tn_cli_err(err, TN_ENOMEM, "out of memory");
    if (rc == TN_OK)
        rc = tn_predict_data(m, d, y, err);
    char path[4096];
    tn_cli_out out;
    FILE *f = rc == TN_OK ? open_out(&out, dir, "misclassified.svg", path, sizeof path, err)
                          : NULL;
    if (rc == TN_OK && !f)
        rc = TN_ENOMEM;
    if (rc) {
        free(y);
        free(row);
        free(wr);
        return rc;
    }
    size_t wrong = 0;
    for (size_t r = 0; r < rows; r++) {
        size_t p = argmax(y + r * W, W), t = (size_t)*tn_data_target(d, r, NULL);
        if (p != t)
            wr[wrong++] = (wrong_row){r, t, p, y[r * W + p]};
    }
    qsort(wr, wrong, sizeof *wr, by_confidence);
    size_t shown = wrong < MAX_SHOWN ? wrong : MAX_SHOWN;
    /* Softmax outputs are probabilities, shown as percentages; other outputs as scores. */
    int probs = tn_model_output_kind(m) == TN_OUTPUT_CLASS_PROBABILITIES;
    size_t rows_of_cells = (shown + COLS - 1) / COLS;
    fprintf(f, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%zu' "
            "font-family='DejaVu Sans, Arial, sans-serif'>\n"
            "<rect width='100%%' height='100%%' fill='white'/>\n<text x='10' y='22' "
            "font-size='16' font-weight='bold'>", COLS * CELL_W, HEAD + rows_of_cells * CELL_H + 8);
    xml_text(f, tn_model_name(m));
    fprintf(f, ": %zu of %zu %s rows misclassified; the %zu most confident mistakes</text>\n"
            "<text x='10' y='44' font-size='12'>#row (from 0), "
            "<tspan fill='#1a7f37' font-weight='bold'>&#10003; true class</tspan>, "
            "<tspan fill='#c0262d' font-weight='bold'>&#10007; predicted class</tspan> "
            "and the model's %s for it</text>\n", wrong, rows, label, shown,
            probs ? "probability" : "score");
    for (size_t k = 0; k < shown; k++) {
        const wrong_row *w = &wr[k];
        tn_data_row(d, 0, w->row, row); /* as the data hold it: the scaling undone */
        /* Each image stretched to its own range: contrast, whatever the data's units. */
        float lo = row[0], hi = row[0];
        for (size_t j = 1; j < width; j++) {
            lo = row[j] < lo ? row[j] : lo;
            hi = row[j] > hi ? row[j] : hi;
        }
        for (size_t j = 0; j < width; j++)
            pix[j] = hi > lo ? (unsigned char)lrintf(255.0f * (row[j] - lo) / (hi - lo)) : 0;
        size_t len = png_grey(pix, side, png);
        int cx = (int)(k % COLS) * CELL_W, cy = HEAD + (int)(k / COLS) * CELL_H;
        int img = (int)side * ZOOM > CELL_W - 30 ? CELL_W - 30 : (int)side * ZOOM;
        char tn[32], pn[32], conf[32];
        class_name(tn, sizeof tn, m, w->truth);
        class_name(pn, sizeof pn, m, w->pred);
        /* Rounded down, so a wrong answer never reads as a certain 100% (a float softmax
         * can round to exactly 1). */
        double pct = floor(1000.0 * (double)w->conf) / 10.0;
        if (!probs)
            snprintf(conf, sizeof conf, "%.3g", (double)w->conf);
        else if (pct >= 100.0)
            snprintf(conf, sizeof conf, "&gt;99.9%%");
        else
            snprintf(conf, sizeof conf, "%.1f%%", pct);
        fprintf(f, "<text x='%d' y='%d' font-size='10' fill='#555'>#%zu</text>\n",
                cx + (CELL_W - img) / 2, cy + 10, w->row);
        fprintf(f, "<image x='%d' y='%d' width='%d' height='%d' style='image-rendering:"
                "pixelated' href='data:image/png;base64,", cx + (CELL_W - img) / 2, cy + 14, img,
                img);
        base64(f, png, len);
        fprintf(f, "'/>\n<text x='%d' y='%d' text-anchor='middle' font-size='11' "
                "fill='#1a7f37'>&#10003; ", cx + CELL_W / 2, cy + 14 + img + 14);
        xml_text(f, tn);
        fprintf(f, "</text>\n<text x='%d' y='%d' text-anchor='middle' font-size='11' "
                "fill='#c0262d'>&#10007; ", cx + CELL_W / 2, cy + 14 + img + 28);
        xml_text(f, pn);
        fprintf(f, " %s</text>\n", conf);
    }
    fprintf(f, "</svg>\n");
    free(y);
    free(row);
    free(wr);
    return tn_cli_out_commit(&out, err);
}
