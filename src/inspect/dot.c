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

/* The activation drawn after layer L, or NULL (none or the identity). */
static const tn_act_inst *drawn_activation(const tn_layer *L)
{
    const tn_act_inst *a = L->act;
    return a && strcmp(a->m->name, "identity") != 0 ? a : NULL;
}

/* The DOT node a consumer of node k draws its arrow from: the producer's activation
 * ellipse when it has one. */
static void put_source(buf *b, const tn_net *net, int k)
{
    int l = net->nodes[k].layer;
    if (l >= 0 && drawn_activation(&net->layers[l]))
        put(b, "a%d", l);
    else
        put(b, "n%d", k);
}

int tn__net_dot(const tn_net *net, char **out, size_t *len, tn_error *err)
{
    *out = NULL;
    *len = 0;
    buf b = {0};
    put(&b, "digraph \"");
    for (const char *s = net->name; *s; s++)
        put(&b, *s == '"' || *s == '\\' ? "\\%c" : "%c", *s);
    put(&b, "\" {\n"
            "  graph [rankdir=TB, nodesep=0.5, ranksep=0.35, fontname=\"Helvetica\"];\n"
            "  node [fontname=\"Helvetica\", fontsize=11, margin=\"0.15,0.06\"];\n"
            "  edge [arrowsize=0.7, color=\"#444444\"];\n\n");
    /* Inputs: side by side on the top rank. */
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
    for (int l = 0; l < net->n_layers; l++) {
        const tn_layer *L = &net->layers[l];
        const tn_act_inst *a = drawn_activation(L);
        char details[128] = "";
        if (!a && L->ops->summary)
            L->ops->summary(L, details, sizeof details);
        /* A table rather than <br/> lines: rows get their own height, so an underscore in
         * a bold name does not run into the line below. */
        put(&b, "  n%d [shape=box, style=\"filled\", fillcolor=\"#f3f4f6\", margin=\"0.1,0.04\", "
                "label=<<table border=\"0\" cellborder=\"0\" cellspacing=\"0\" "
                "cellpadding=\"1\"><tr><td><b>", L->node);
        put_html(&b, L->name);
        put(&b, "</b> (");
        put_html(&b, L->ops->type);
        put(&b, ")</td></tr>");
        if (details[0]) {
            put(&b, "<tr><td>");
            put_html(&b, details);
            put(&b, "</td></tr>");
        }
        put(&b, "<tr><td>output (B, %zu)</td></tr><tr><td>%zu parameter%s</td></tr></table>>];\n",
            L->width, L->n_params, L->n_params == 1 ? "" : "s");
        if (a) {
            char act[96];
            tn__act_inst_summary(a, act, sizeof act);
            put(&b, "  a%d [shape=ellipse, style=\"filled\", fillcolor=\"#fef3c7\", "
                    "fontsize=10, label=<", l);
            put_html(&b, act);
            put(&b, ">];\n  n%d -> a%d;\n", L->node, l);
        }
        for (int j = 0; j < L->n_in; j++) {
            put(&b, "  ");
            put_source(&b, net, L->in[j]);
            put(&b, " -> n%d;\n", L->node);
        }
    }
    put(&b, "}\n");
    if (b.oom) {
        tn__free(b.p);
        return tn__err(err, TN_ENOMEM, "out of memory drawing the network");
    }
    *out = b.p;
    *len = b.n;
    return TN_OK;
}
