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

enum { PW = 420, PH = 320, ML = 60, MR = 20, MT = 60, MB = 50 };

/* Series k (0 train, 1 validation or test) of epoch i. */
static double value(const tn_epoch_info *h, int i, int k, int use_acc)
{
    const tn_metrics *m = k ? &h[i].val : &h[i].train;
    return use_acc ? m->accuracy : m->loss;
}

/* One panel at x offset ox: series[0] train, series[1] val (may be absent). */
static void panel(FILE *f, int ox, const char *title, const tn_epoch_info *h, int n,
                  int use_acc, const char *val_label)
{
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < 1 + h[i].has_val; k++) {
            double v = value(h, i, k, use_acc);
            if (isfinite(v)) {
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
            }
        }
    }
    if (!(hi > lo)) { /* one point or a flat line: give the axis some height */
        lo = isfinite(lo) ? lo - 0.5 : 0;
        hi = lo + 1;
    }
    double pad = (hi - lo) * 0.05;
    /* The padding must not invent impossible values: no negative loss, no accuracy > 1. */
    lo = lo - pad < 0 && lo >= 0 ? 0 : lo - pad;
    hi = use_acc && hi + pad > 1 && hi <= 1 ? 1 : hi + pad;
    int x0 = ox + ML, x1 = ox + PW - MR, y0 = PH - MB, y1 = MT;
    fprintf(f, "<text x='%d' y='%d' text-anchor='middle' font-size='15'>%s</text>\n",
            (x0 + x1) / 2, 20, title);
    fprintf(f, "<rect x='%d' y='%d' width='%d' height='%d' fill='none' stroke='#444'/>\n", x0, y1,
            x1 - x0, y0 - y1);
    for (int k = 0; k <= 4; k++) { /* y ticks */
        double v = lo + (hi - lo) * k / 4;
        double y = y0 - (double)(y0 - y1) * k / 4;
        fprintf(f, "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#ddd'/>\n", x0, y, x1, y);
        fprintf(f, "<text x='%d' y='%.1f' text-anchor='end' font-size='11'>%.3f</text>\n",
                x0 - 4, y + 4, v);
    }
    int step = n <= 10 ? 1 : (n + 9) / 10;
    for (int i = 0; i < n; i = i + step < n - 1 || i == n - 1 ? i + step : n - 1) {
        /* x ticks: epochs, every step-th and the last */
        double x = n == 1 ? (x0 + x1) / 2.0 : x0 + (double)(x1 - x0) * i / (n - 1);
        fprintf(f, "<text x='%.1f' y='%d' text-anchor='middle' font-size='11'>%d</text>\n", x,
                y0 + 16, h[i].epoch);
    }
    fprintf(f, "<text x='%d' y='%d' text-anchor='middle' font-size='12'>epoch</text>\n",
            (x0 + x1) / 2, y0 + 36);
    static const char *const colour[2] = {"#1f77b4", "#d62728"};
    for (int k = 0; k < 2; k++) {
        if (k == 1 && (n == 0 || !h[0].has_val))
            break;
        fprintf(f, "<polyline fill='none' stroke='%s' stroke-width='2' points='", colour[k]);
        for (int i = 0; i < n; i++) {
            double v = value(h, i, k, use_acc);
            double x = n == 1 ? (x0 + x1) / 2.0 : x0 + (double)(x1 - x0) * i / (n - 1);
            fprintf(f, "%.1f,%.1f ", x, y0 - (v - lo) / (hi - lo) * (y0 - y1));
        }
        fprintf(f, "'/>\n");
        if (n == 1) /* a single epoch is a point, which a polyline does not draw */
            fprintf(f, "<circle cx='%.1f' cy='%.1f' r='3' fill='%s'/>\n", (x0 + x1) / 2.0,
                    y0 - (value(h, 0, k, use_acc) - lo) / (hi - lo) * (y0 - y1), colour[k]);
        /* The legend sits between title and box, where no curve can hide it. */
        int lx = x0 + 200 * k;
        fprintf(f, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='%s' stroke-width='2'/>"
                "<text x='%d' y='%d' font-size='12'>%s</text>\n", lx, MT - 16, lx + 20, MT - 16,
                colour[k], lx + 25, MT - 12, k ? val_label : "train (mean over the epoch)");
    }
}

int tn_plot_curves(const char *dir, const tn_epoch_info *h, int n, const char *val_label,
                   tn_error *err)
{
    char path[4096];
    tn_cli_out out;
    FILE *f = open_out(&out, dir, "curves.svg", path, sizeof path, err);
    if (!f)
        return TN_EIO;
    int has_acc = n > 0 && isfinite(h[0].train.accuracy);
    fprintf(f, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
            "font-family='sans-serif'>\n<rect width='100%%' height='100%%' fill='white'/>\n",
            has_acc ? 2 * PW : PW, PH);
    panel(f, 0, "loss per epoch", h, n, 0, val_label);
    if (has_acc)
        panel(f, PW, "accuracy per epoch", h, n, 1, val_label);
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

enum { COLS = 8, MAX_SHOWN = 40, ZOOM = 4, CELL_W = 150, CELL_H = 150 };

int tn_plot_misclassified(const char *dir, const tn_model *m, const tn_data *d, tn_error *err)
{
    size_t W = tn_model_output_width(m), width = tn_model_input_width(m, 0), tw = 0;
    size_t side = (size_t)(sqrt((double)width) + 0.5), rows = tn_data_rows(d);
    tn_data_target(d, 0, &tw);
    if (side * side != width || side > 64 || tn_model_n_inputs(m) != 1 || tw != 1)
        return tn_cli_err(err, TN_ESHAPE, "no picture of misclassified rows: the input (%zu "
                    "values) is not a square image of at most 64x64 with class labels", width);
    float *y = malloc((rows ? rows : 1) * W * sizeof *y);
    float *row = malloc(width * sizeof *row);
    unsigned char pix[64 * 64], png[4096 + 2 * 64 * 64];
    int rc = y && row ? TN_OK : tn_cli_err(err, TN_ENOMEM, "out of memory");
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
        return rc;
    }
    size_t wrong = 0, shown = 0;
    for (size_t r = 0; r < rows; r++)
        wrong += argmax(y + r * W, W) != (size_t)*tn_data_target(d, r, NULL);
    size_t rows_of_cells = (size_t)((wrong < MAX_SHOWN ? wrong : MAX_SHOWN) + COLS - 1) / COLS;
    fprintf(f, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%zu' "
            "font-family='sans-serif'>\n<rect width='100%%' height='100%%' fill='white'/>\n"
            "<text x='10' y='22' font-size='15'>%zu of %zu rows misclassified; the first %zu "
            "(true / predicted)</text>\n", COLS * CELL_W, 40 + rows_of_cells * CELL_H, wrong,
            rows, wrong < MAX_SHOWN ? wrong : (size_t)MAX_SHOWN);
    for (size_t r = 0; r < rows && shown < MAX_SHOWN; r++) {
        size_t p = argmax(y + r * W, W), t = (size_t)*tn_data_target(d, r, NULL);
        if (p == t)
            continue;
        tn_data_row(d, 0, r, row); /* as the data hold it: the scaling undone */
        /* Each image stretched to its own range: contrast, whatever the data's units. */
        float lo = row[0], hi = row[0];
        for (size_t j = 1; j < width; j++) {
            lo = row[j] < lo ? row[j] : lo;
            hi = row[j] > hi ? row[j] : hi;
        }
        for (size_t j = 0; j < width; j++)
            pix[j] = hi > lo ? (unsigned char)lrintf(255.0f * (row[j] - lo) / (hi - lo)) : 0;
        size_t len = png_grey(pix, side, png);
        int cx = (int)(shown % COLS) * CELL_W, cy = 40 + (int)(shown / COLS) * CELL_H;
        int img = (int)side * ZOOM > CELL_W - 20 ? CELL_W - 20 : (int)side * ZOOM;
        char tn[32], pn[32];
        class_name(tn, sizeof tn, m, t);
        class_name(pn, sizeof pn, m, p);
        fprintf(f, "<image x='%d' y='%d' width='%d' height='%d' style='image-rendering:"
                "pixelated' href='data:image/png;base64,", cx + (CELL_W - img) / 2, cy, img, img);
        base64(f, png, len);
        fprintf(f, "'/>\n<text x='%d' y='%d' text-anchor='middle' font-size='11'>"
                "<tspan fill='#2a7'>%s</tspan> / <tspan fill='#c22'>%s</tspan></text>\n",
                cx + CELL_W / 2, cy + img + 14, tn, pn);
        shown++;
    }
    fprintf(f, "</svg>\n");
    free(y);
    free(row);
    return tn_cli_out_commit(&out, err);
}
