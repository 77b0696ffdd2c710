#include "graph/plan.h"

#include "graph/graph.h"

#include "core/alloc.h"
#include "tinynet/tinynet.h"

int tn__plan_add(tn_plan *p, size_t bytes, int first, int kind, int owner)
{
    if (bytes == 0 || p->n == p->cap)
        return -1;
    tn_plan_buf *b = &p->buf[p->n];
    b->bytes = (bytes + TN_PLAN_ALIGN - 1) / TN_PLAN_ALIGN * TN_PLAN_ALIGN;
    b->offset = 0;
    b->first = b->last = first;
    b->kind = kind;
    b->owner = owner;
    return p->n++;
}

void tn__plan_use(tn_plan *p, int b, int s)
{
    if (b >= 0 && s > p->buf[b].last)
        p->buf[b].last = s;
}

static int live_together(const tn_plan_buf *a, const tn_plan_buf *b)
{
    return a->first <= b->last && b->first <= a->last;
}

int tn__plan_shares(const tn_plan *p, int a, int b)
{
    const tn_plan_buf *x = &p->buf[a], *y = &p->buf[b];
    return a != b && !live_together(x, y) && x->offset < y->offset + y->bytes &&
           y->offset < x->offset + x->bytes;
}

/* Larger first; ties by earlier start, then by index: a fixed order, so a fixed plan. */
static int before(const tn_plan_buf *buf, int a, int b)
{
    if (buf[a].bytes != buf[b].bytes)
        return buf[a].bytes > buf[b].bytes;
    if (buf[a].first != buf[b].first)
        return buf[a].first < buf[b].first;
    return a < b;
}

int tn__plan_pack(tn_plan *p)
{
    p->arena = p->unshared = 0;
    if (p->n == 0)
        return TN_OK;
    int *order = tn__calloc((size_t)p->n * 2, sizeof *order);
    if (!order)
        return TN_ENOMEM;
    int *placed = order + p->n; /* indices of placed buffers, by increasing offset */
    for (int i = 0; i < p->n; i++) {
        int j = i;
        for (; j > 0 && before(p->buf, i, order[j - 1]); j--)
            order[j] = order[j - 1];
        order[j] = i;
        p->unshared += p->buf[i].bytes;
    }
    for (int k = 0; k < p->n; k++) {
        tn_plan_buf *b = &p->buf[order[k]];
        /* The lowest offset below, between or above the live buffers already placed. */
        size_t at = 0;
        for (int j = 0; j < k; j++) {
            const tn_plan_buf *o = &p->buf[placed[j]];
            if (!live_together(b, o))
                continue;
            if (o->offset >= at + b->bytes)
                break;
            if (o->offset + o->bytes > at)
                at = o->offset + o->bytes;
        }
        b->offset = at;
        if (at + b->bytes > p->arena)
            p->arena = at + b->bytes;
        int j = k;
        for (; j > 0 && p->buf[placed[j - 1]].offset > at; j--)
            placed[j] = placed[j - 1];
        placed[j] = order[k];
    }
    tn__free(order);
    return TN_OK;
}

void tn__plan_free(tn_plan *p)
{
    if (p) {
        tn__free(p->buf);
        p->buf = NULL;
        p->n = p->cap = 0;
    }
}

/* ---- the float network's plan ---------------------------------------------------------- */

static int pass_through(const tn_layer *L)
{
    return (L->ops->flags & TN_LAYER_PASS_THROUGH) != 0;
}

int tn__net_plan_build(tn_net *net)
{
    tn_net_plan *np = tn__calloc(1, sizeof *np);
    int nl = net->n_layers;
    if (!np || !(np->p.buf = tn__calloc((size_t)(net->n_nodes + 2 * nl), sizeof *np->p.buf))) {
        tn__free(np);
        return TN_ENOMEM;
    }
    tn_plan *p = &np->p;
    p->cap = net->n_nodes + 2 * nl;
    for (int i = 0; i < net->n_inputs; i++)
        np->node[i] = tn__plan_add(p, net->nodes[i].width * sizeof(float), 0, TN_BUF_NODE, i);
    for (int l = 0; l < nl; l++) {
        const tn_layer *L = &net->layers[l];
        np->pre[l] = np->work[l] = -1;
        for (int j = 0; j < L->n_in; j++)
            tn__plan_use(p, np->node[L->in[j]], l);
        if (pass_through(L)) { /* its output is its input, read for longer */
            np->node[L->node] = np->node[L->in[0]];
            continue;
        }
        np->node[L->node] = tn__plan_add(p, L->width * sizeof(float), l, TN_BUF_NODE, L->node);
        if (L->act && !tn__act_builtin(L->act->m))
            np->pre[l] = tn__plan_add(p, L->width * sizeof(float), l, TN_BUF_PRE, l);
        np->work[l] = tn__plan_add(p, L->work * sizeof(float), l, TN_BUF_WORK, l);
    }
    tn__plan_use(p, np->node[net->output], nl - 1);
    int rc = tn__plan_pack(p);
    if (rc) {
        tn__net_plan_free(np);
        return rc;
    }
    net->plan = np;
    return TN_OK;
}

void tn__net_plan_free(tn_net_plan *np)
{
    if (np) {
        tn__plan_free(&np->p);
        tn__free(np);
    }
}
