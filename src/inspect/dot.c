#include "inspect/dot.h"

#include "core/alloc.h"
#include "core/error.h"
#include "act/inst.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct buf {
    char *p;
    size_t n, cap;
    int oom;
} buf;

static void put(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(buf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        /* The first call has no buffer yet: NULL + 0 is undefined, vsnprintf(NULL, 0) not. */
        int k = vsnprintf(b->p ? b->p + b->n : NULL, b->cap - b->n, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->oom = 1;
            return;
        }
        if ((size_t)k < b->cap - b->n) {
            b->n += (size_t)k;
            return;
        }
        size_t cap = (b->cap + (size_t)k + 1) * 2;
        char *p = tn__realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
}

/* Text inside an HTML-like label: names come from config files, so escape markup. */
static void put_html(buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': put(b, "&amp;"); break;
        case '<': put(b, "&lt;"); break;
        case '>': put(b, "&gt;"); break;
        case '"': put(b, "&quot;"); break;
        default: put(b, "%c", *s);
        }
    }
}

/* n with thousands separators: "235,146". */
static const char *thousands(char *buf, size_t size, size_t n)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%zu", n);
    size_t o = 0;
    for (int i = 0; i < len && o + 2 < size; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

/* The activation drawn after layer L, or NULL (none or the identity). */
static const tn_act_inst *drawn_activation(const tn_layer *L)
{
    const tn_act_inst *a = L->act;
    return a && strcmp(a->m->name, "identity") != 0 ? a : NULL;
}

/* How many layers read node k. */
static int consumers(const tn_net *net, int k)
{
    int n = 0;
    for (int l = 0; l < net->n_layers; l++)
        for (int j = 0; j < net->layers[l].n_in; j++)
            n += net->layers[l].in[j] == k;
    return n;
}

/* Layers a and b look the same in a drawing: type, settings, width, parameter count and
 * activation. */
static int same_layer(const tn_layer *a, const tn_layer *b)
{
    char sa[128] = "", sb[128] = "";
    if (a->ops != b->ops || a->width != b->width || a->n_params != b->n_params ||
        a->n_in != 1 || b->n_in != 1)
        return 0;
    if (a->ops->summary) {
        a->ops->summary(a, sa, sizeof sa);
        b->ops->summary(b, sb, sizeof sb);
    }
    const tn_act_inst *x = drawn_activation(a), *y = drawn_activation(b);
    char ax[96] = "", ay[96] = "";
    if (x)
        tn__act_inst_summary(x, ax, sizeof ax);
    if (y)
        tn__act_inst_summary(y, ay, sizeof ay);
    return strcmp(sa, sb) == 0 && strcmp(ax, ay) == 0;
}

/* A chain of at least this many identical layers, each reading only the previous one,
 * is drawn as one box: a deep stack stays readable. */
#define TN_DOT_MIN_RUN 3

/* run[l]: the length of the chain of identical layers starting at l (1: none), for the
 * first layer of each chain; 0 for the others of a chain. */
static void find_runs(const tn_net *net, int expand, int *run)
{
    for (int l = 0; l < net->n_layers; l++)
        run[l] = 1;
    if (expand)
        return;
    for (int l = 0; l < net->n_layers;) {
        int k = 1;
        while (l + k < net->n_layers) {
            const tn_layer *prev = &net->layers[l + k - 1], *next = &net->layers[l + k];
            if (!same_layer(&net->layers[l], next) || next->in[0] != prev->node ||
                consumers(net, prev->node) != 1)
                break;
            k++;
        }
        if (k >= TN_DOT_MIN_RUN) {
            run[l] = k;
            for (int j = 1; j < k; j++)
                run[l + j] = 0;
        }
        l += k >= TN_DOT_MIN_RUN ? k : 1;
    }
}

/* The DOT node an arrow from node k starts at: the input, the layer's activation ellipse
 * when it has one, or the box of the chain it ends. */
static void put_source(buf *b, const tn_net *net, const int *run, int k)
{
    int l = net->nodes[k].layer;
    if (l < 0) {
        put(b, "n%d", k);
        return;
    }
    int first = l;
    while (run[first] == 0)
        first--;
    if (run[first] > 1)
        put(b, "r%d", first);
    else if (drawn_activation(&net->layers[l]))
        put(b, "a%d", l);
    else
        put(b, "n%d", k);
}

static const char *const output_kinds[] = {"values", "probabilities (sigmoid)",
                                           "class probabilities (softmax)",
                                           "log class probabilities (log_softmax)"};

static void put_title(buf *b, const tn_net *net)
{
    char n[32], bytes[32];
    put(b, "  label=<<b>");
    put_html(b, net->name);
    put(b, "</b><br/><font point-size=\"11\">%s parameters (%s bytes of float32), %d layer%s, "
           "%d input%s</font><br/> >;\n", thousands(n, sizeof n, net->n_params),
        thousands(bytes, sizeof bytes, 4 * net->n_params), net->n_layers,
        net->n_layers == 1 ? "" : "s", net->n_inputs, net->n_inputs == 1 ? "" : "s");
}

static void put_layer(buf *b, const tn_net *net, int l, int is_output)
{
    const tn_layer *L = &net->layers[l];
    const tn_act_inst *a = drawn_activation(L);
    char details[128] = "", n[32];
    if (!a && L->ops->summary)
        L->ops->summary(L, details, sizeof details);
    /* A table rather than <br/> lines: rows get their own height, so an underscore in a
     * bold name does not run into the line below. */
    put(b, "  n%d [shape=box, style=\"filled\", fillcolor=\"#f3f4f6\", margin=\"0.1,0.04\"%s, "
           "label=<<table border=\"0\" cellborder=\"0\" cellspacing=\"0\" "
           "cellpadding=\"1\"><tr><td><b>", L->node, is_output ? ", penwidth=2" : "");
    put_html(b, L->name);
    put(b, "</b> (");
    put_html(b, L->ops->type);
    put(b, ")</td></tr>");
    if (details[0]) {
        put(b, "<tr><td>");
        put_html(b, details);
        put(b, "</td></tr>");
    }
    put(b, "<tr><td>output (B, %zu)</td></tr><tr><td>%s parameter%s</td></tr></table>>];\n",
        L->width, thousands(n, sizeof n, L->n_params), L->n_params == 1 ? "" : "s");
    if (a) {
        char act[96];
        tn__act_inst_summary(a, act, sizeof act);
        put(b, "  a%d [shape=ellipse, style=\"filled\", fillcolor=\"#fef3c7\", "
               "fontsize=10, label=<", l);
        put_html(b, act);
        put(b, ">];\n  n%d -> a%d;\n", L->node, l);
    }
}

/* k identical layers from l, as one stacked box: "dense_2 ... dense_10 (dense) x9". */
static void put_run(buf *b, const tn_net *net, int l, int k, int is_output)
{
    const tn_layer *L = &net->layers[l], *last = &net->layers[l + k - 1];
    const tn_act_inst *a = drawn_activation(L);
    char details[128] = "", act[96] = "", each[32], total[32];
    if (L->ops->summary)
        L->ops->summary(L, details, sizeof details);
    if (a)
        tn__act_inst_summary(a, act, sizeof act);
    put(b, "  r%d [shape=box3d, style=\"filled\", fillcolor=\"#e5e7eb\", margin=\"0.1,0.04\"%s, "
           "label=<<table border=\"0\" cellborder=\"0\" cellspacing=\"0\" "
           "cellpadding=\"1\"><tr><td><b>", l, is_output ? ", penwidth=2" : "");
    put_html(b, L->name);
    put(b, "</b> ... <b>");
    put_html(b, last->name);
    put(b, "</b> (");
    put_html(b, L->ops->type);
    put(b, ") <b>&#215;%d</b></td></tr><tr><td>each: ", k);
    put_html(b, a ? act : details[0] ? details : L->ops->type);
    put(b, ", output (B, %zu)</td></tr><tr><td>%d &#215; %s = %s parameters</td></tr>"
           "</table>>];\n", L->width, k, thousands(each, sizeof each, L->n_params),
        thousands(total, sizeof total, (size_t)k * L->n_params));
}

int tn__net_dot(const tn_net *net, const tn_dot_opts *opt, char **out, size_t *len,
                tn_error *err)
{
    *out = NULL;
    *len = 0;
    tn_dot_opts o = opt ? *opt : (tn_dot_opts){0};
    int *run = tn__malloc((size_t)(net->n_layers ? net->n_layers : 1) * sizeof *run);
    if (!run)
        return tn__err(err, TN_ENOMEM, "out of memory drawing the network");
    find_runs(net, o.expand, run);
    buf b = {0};
    put(&b, "digraph \"");
    for (const char *s = net->name; *s; s++)
        put(&b, *s == '"' || *s == '\\' ? "\\%c" : "%c", *s);
    put(&b, "\" {\n"
            "  graph [rankdir=%s, nodesep=0.5, ranksep=0.35, fontname=\"Helvetica\", "
            "labelloc=t, fontsize=16];\n"
            "  node [fontname=\"Helvetica\", fontsize=11, margin=\"0.15,0.06\"];\n"
            "  edge [arrowsize=0.7, color=\"#444444\"];\n", o.left_to_right ? "LR" : "TB");
    put_title(&b, net);
    put(&b, "\n");
    /* Inputs: side by side on the first rank. */
    for (int i = 0; i < net->n_inputs; i++) {
        const tn_node *n = &net->nodes[i];
        put(&b, "  n%d [shape=box, style=\"rounded,filled\", fillcolor=\"#dbeafe\", "
                "label=<<table border=\"0\" cellborder=\"0\" cellspacing=\"0\" "
                "cellpadding=\"1\"><tr><td><b>", i);
        put_html(&b, n->name);
        if (n->kind == TN_NODE_INDEX_INPUT)
            put(&b, "</b> (input)</td></tr><tr><td>ids in [0, %zu)</td></tr>", n->vocab);
        else
            put(&b, "</b> (input)</td></tr><tr><td>floats</td></tr>");
        put(&b, "<tr><td>(B, %zu)</td></tr></table>>];\n", n->width);
    }
    if (net->n_inputs > 1) {
        put(&b, "  { rank=same;");
        for (int i = 0; i < net->n_inputs; i++)
            put(&b, " n%d;", i);
        put(&b, " }\n");
    }
    put(&b, "\n");
    int out_layer = net->nodes[net->output].layer;
    for (int l = 0; l < net->n_layers; l++) {
        if (run[l] == 0)
            continue;
        const tn_layer *L = &net->layers[l];
        int is_output = out_layer >= l && out_layer < l + run[l];
        if (run[l] > 1)
            put_run(&b, net, l, run[l], is_output);
        else
            put_layer(&b, net, l, is_output);
        for (int j = 0; j < L->n_in; j++) {
            put(&b, "  ");
            put_source(&b, net, run, L->in[j]);
            if (run[l] > 1)
                put(&b, " -> r%d;\n", l);
            else
                put(&b, " -> n%d;\n", L->node);
        }
    }
    /* The output, marked at the end as the inputs are at the start. */
    int kind = tn__net_output_kind(net);
    put(&b, "\n  output [shape=box, style=\"rounded,filled\", fillcolor=\"#dcfce7\", "
            "label=<<table border=\"0\" cellborder=\"0\" cellspacing=\"0\" cellpadding=\"1\">"
            "<tr><td><b>output</b></td></tr><tr><td>(B, %zu): %s</td></tr></table>>];\n  ",
        net->nodes[net->output].width, output_kinds[kind >= 0 && kind <= 3 ? kind : 0]);
    put_source(&b, net, run, net->output);
    put(&b, " -> output;\n}\n");
    tn__free(run);
    if (b.oom) {
        tn__free(b.p);
        return tn__err(err, TN_ENOMEM, "out of memory drawing the network");
    }
    *out = b.p;
    *len = b.n;
    return TN_OK;
}
