/* rule_bipartite.c - bipartite layers and stacks: a group of senders each
 * paying most of a group of receivers, and groups paying on group after group.
 *
 * Evaluated on every transfer S -> R, R a candidate receiver of a layer, over
 * the interval [t - rules.bipartite.window, t]. The candidates are the
 * transfers around the pair: R's senders and S's receivers in the interval (one
 * read each), then whichever side is smaller is read in full: what each of R's
 * senders paid, or who paid each of S's receivers and then what those paying
 * two of them or more paid. A layer is the densest block found in them by
 * peeling (rule_block.c), keeping R: at least rules.bipartite.min.senders
 * senders, rules.bipartite.min.receivers receivers and rules.bipartite.density
 * percent of its sender-receiver pairs transacting. Then every pair must be new
 * (the first transfer between the two falls in the interval: old relationships
 * are no group) and no receiver a business or merchant (paying the same
 * suppliers and shops is trade); what fails is dropped and the block peeled
 * again. Every receiver of the block gets one hit, BP01
 * (rules.bipartite.score), with what it received from the group.
 *
 * Stack: the block's senders are then checked as the receivers of an earlier
 * layer, over the window before the block's first transfer: who paid them is
 * read and peeled the same way. When they form a block too (at least
 * min.receivers of them paid by at least min.senders accounts), the hits are
 * BP02 (rules.bipartite.stack.score) and their path and evidence cover both
 * layers.
 *
 * Cost: cheap checks first. Neither S nor R is a business or merchant, R
 * received, with this transfer, at least min.senders transfers in the shortest
 * rolling window covering the interval, and S paid someone else in it too (a
 * sender completing a dense block has paid two of its receivers at the default
 * sizes and density); most transfers stop there. A search then reads
 * 2 + min(R's senders, S's receivers) accounts' transfers, plus the co-payers
 * on S's side (rules.search.max.flows each, rules.search.max.edges members a
 * side, rules.search.max.visits accounts in all), so a hot receiver paid by
 * customers who pay nobody else in common costs two reads. Edges and profiles
 * are read only for the members of a block found.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rule_block.h"
#include "rules.h"

#define BP_EVIDENCE_LAYER (IX_EVIDENCE_MAX / 2) /* a stack's evidence: half for each layer */
#define BP_PATH_BELOW     4                     /* a stack's path: earlier senders shown */

/* Its own keys, rules.bipartite.*. */
typedef struct bp_params {
    int64_t window_ms;     /* window */
    int64_t min_senders;   /* min.senders */
    int64_t min_receivers; /* min.receivers */
    int64_t density_pct;   /* density */
    int64_t stack_score;   /* stack.score */
} bp_params;

typedef struct bp_layer {
    block b; /* rows pay columns */
    int64_t since, until;
} bp_layer;

typedef struct bp_search {
    const rule_input *in;
    const bp_params *conf;
    int score;       /* of a single layer */
    graph_flow *buf; /* one read, rules.search.max.flows */
    int visits;
    bp_layer top, below;
} bp_search;

/* Read one member's transfers of the interval: a row's out, a column's in. */
static int read_member(bp_search *q, bp_layer *l, int is_row, int m, char *errstr,
                       size_t errstr_size)
{
    const cfg *c = q->in->c;
    if (q->visits >= c->search_max_visits)
        return 0; /* the budget is spent: work with what was read */
    q->visits++;
    const blk_side *s = is_row ? &l->b.rows : &l->b.cols;
    int n = graph_flows(q->in->g, s->m[m].account, is_row ? GRAPH_OUT : GRAPH_IN, l->since,
                        l->until, q->buf, (int)c->search_max_flows, errstr, errstr_size);
    if (n < 0)
        return -1;
    if (block_add_flows(&l->b, is_row, m, q->buf, n) != 0) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    return 0;
}

static int by_edge_peer(const void *a, const void *b)
{
    return strcmp(((const graph_edge *)a)->peer, ((const graph_edge *)b)->peer);
}

/* Drop the block's pairs into column j whose relationship is older than the
 * interval, given j's in-edges. An edge beyond the bound is unknown: the
 * pair stays. */
static void drop_old_of(bp_layer *l, int j, graph_edge *e, int n)
{
    qsort(e, (size_t)n, sizeof(*e), by_edge_peer);
    for (int k = 0; k < l->b.npairs; k++) {
        blk_pair *p = &l->b.pairs[k];
        if (p->col != j || !block_live(&l->b, p))
            continue;
        graph_edge key;
        snprintf(key.peer, sizeof(key.peer), "%s", l->b.rows.m[p->row].account);
        const graph_edge *hit = bsearch(&key, e, (size_t)n, sizeof(*e), by_edge_peer);
        if (hit && hit->first_ms < l->since)
            p->dead = 1;
    }
}

/* Only new relationships make a group: read the in-edges of the block's
 * receivers and drop the old pairs. */
static int drop_old_pairs(bp_search *q, bp_layer *l, char *errstr, size_t errstr_size)
{
    int max = (int)q->in->c->search_max_edges;
    graph_edge *e = malloc((size_t)max * sizeof(*e));
    if (!e) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    for (int j = 0; j < l->b.cols.n; j++) {
        if (!l->b.cols.in[j])
            continue;
        int total = graph_edges(q->in->g, l->b.cols.m[j].account, GRAPH_IN, l->since, e, max,
                                errstr, errstr_size);
        if (total < 0) {
            free(e);
            return -1;
        }
        drop_old_of(l, j, e, total < max ? total : max);
    }
    free(e);
    return 0;
}

/* Take businesses and merchants out of the block's receivers (R was
 * checked before): paying suppliers and shops is trade. */
static int drop_trade(bp_search *q, bp_layer *l, char *errstr, size_t errstr_size)
{
    for (int j = 1; j < l->b.cols.n; j++) {
        ix_account a;
        if (!l->b.cols.in[j])
            continue;
        int rc = graph_get_profile(q->in->g, l->b.cols.m[j].account, &a, errstr, errstr_size);
        if (rc < 0)
            return -1;
        if (rc == 1 && rule_holder_is_trade(a.holder_type))
            l->b.cols.in[j] = 0;
    }
    return 0;
}

/* Peel, check what needs more than flows on the block's members, and peel
 * again: 1 a block remains, 0 not, -1 error. */
static int settle(bp_search *q, bp_layer *l, int anchor, int trade, char *errstr,
                  size_t errstr_size)
{
    const bp_params *conf = q->conf;
    int rc = block_peel(&l->b, anchor, conf->min_senders, conf->min_receivers, conf->density_pct);
    if (rc == 1) {
        if (drop_old_pairs(q, l, errstr, errstr_size) != 0 ||
            (trade && drop_trade(q, l, errstr, errstr_size) != 0))
            return -1;
        rc = block_peel(&l->b, anchor, conf->min_senders, conf->min_receivers, conf->density_pct);
    }
    if (rc < 0)
        snprintf(errstr, errstr_size, "out of memory");
    return rc;
}

/* S's side is the smaller: who paid each of S's receivers, then what those
 * who paid two of them or more paid (S's own was read). */
static int read_via_receivers(bp_search *q, bp_layer *l, char *errstr, size_t errstr_size)
{
    int ncols = l->b.cols.n;
    for (int j = 1; j < ncols; j++)
        if (read_member(q, l, 0, j, errstr, errstr_size) != 0)
            return -1;
    if (block_finalize(&l->b) != 0) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    int nrows = l->b.rows.n;
    for (int i = 1; i < nrows; i++) {
        int paid = 0;
        for (int k = 0; k < l->b.npairs && paid < 2; k++)
            paid += l->b.pairs[k].row == i;
        if (paid >= 2 && read_member(q, l, 1, i, errstr, errstr_size) != 0)
            return -1;
    }
    return 0;
}

/* The layer R belongs to: 1 found (q->top's block marked), 0 none, -1 error. */
static int find_top(bp_search *q, char *errstr, size_t errstr_size)
{
    const rule_input *in = q->in;
    const cfg *c = in->c;
    const bp_params *conf = q->conf;
    const ix_transfer *t = in->t;
    bp_layer *l = &q->top;
    l->since = t->event_time_ms - conf->window_ms;
    l->until = t->event_time_ms;
    if (block_init(&l->b, (int)c->search_max_edges) != 0) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    int r = block_member(&l->b.cols, t->to_account, t->to_bank);     /* column 0: the anchor */
    int s = block_member(&l->b.rows, t->from_account, t->from_bank); /* row 0 */
    if (read_member(q, l, 0, r, errstr, errstr_size) != 0)
        return -1;
    if (l->b.rows.n < conf->min_senders)
        return 0; /* R has too few senders for a group */
    if (read_member(q, l, 1, s, errstr, errstr_size) != 0)
        return -1;
    int rc = 0, nrows = l->b.rows.n;
    if (nrows <= l->b.cols.n) {
        for (int i = 1; i < nrows && rc == 0; i++) /* what each of R's senders paid */
            rc = read_member(q, l, 1, i, errstr, errstr_size);
    } else {
        rc = read_via_receivers(q, l, errstr, errstr_size);
    }
    if (rc != 0)
        return -1;
    if (block_finalize(&l->b) != 0) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    return settle(q, l, 0, 1, errstr, errstr_size);
}

/* Whether the top block's senders were the receivers of an earlier block:
 * 1 (q->below's block marked), 0, -1 error. */
static int find_below(bp_search *q, char *errstr, size_t errstr_size)
{
    const cfg *c = q->in->c;
    const bp_params *conf = q->conf;
    const block *top = &q->top.b;
    bp_layer *l = &q->below;
    int64_t first = q->top.until;
    for (int p = 0; p < top->npairs; p++)
        if (block_live(top, &top->pairs[p]) && top->pairs[p].first_ms < first)
            first = top->pairs[p].first_ms;
    l->since = first - conf->window_ms;
    l->until = q->top.until;
    if (block_init(&l->b, (int)c->search_max_edges) != 0) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    for (int i = 0; i < top->rows.n; i++) {
        if (!top->rows.in[i])
            continue;
        int j = block_member(&l->b.cols, top->rows.m[i].account, top->rows.m[i].bank);
        if (read_member(q, l, 0, j, errstr, errstr_size) != 0)
            return -1;
    }
    if (block_finalize(&l->b) != 0) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    return settle(q, l, -1, 0, errstr, errstr_size);
}

/* A block's transfers, read again from its receivers for the evidence. */
typedef struct bp_evidence {
    graph_flow *flows;
    int *col; /* the column each was read from */
    int n;
} bp_evidence;

static int collect(bp_search *q, const bp_layer *l, bp_evidence *ev, char *errstr,
                   size_t errstr_size)
{
    int max = (int)q->in->c->search_max_flows;
    ev->flows = malloc((size_t)max * sizeof(*ev->flows));
    ev->col = malloc((size_t)max * sizeof(*ev->col));
    if (!ev->flows || !ev->col) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    for (int j = 0; j < l->b.cols.n && ev->n < max; j++) {
        if (!l->b.cols.in[j])
            continue;
        int n = graph_flows(q->in->g, l->b.cols.m[j].account, GRAPH_IN, l->since, l->until, q->buf,
                            max, errstr, errstr_size);
        if (n < 0)
            return -1;
        for (int k = 0; k < n && ev->n < max; k++) {
            int i = block_find(&l->b.rows, q->buf[k].peer);
            if (i < 0 || !l->b.rows.in[i])
                continue; /* not a transfer within the block */
            ev->flows[ev->n] = q->buf[k];
            ev->col[ev->n++] = j;
        }
    }
    return 0;
}

static void evidence_free(bp_evidence *ev)
{
    free(ev->flows);
    free(ev->col);
}

/* Up to `quota` of a layer's transfers: those into column `own` first. */
static void cite(const bp_layer *l, const bp_evidence *ev, int own, int quota, ix_finding *f)
{
    for (int pass = 0; pass < 2; pass++)
        for (int k = 0; k < ev->n && quota > 0; k++) {
            if ((ev->col[k] == own) != (pass == 0))
                continue;
            rule_evidence_flow(f, l->b.cols.m[ev->col[k]].account, &ev->flows[k]);
            quota--;
        }
}

/* Money column j received from the block's senders in the interval. */
static int64_t received(const block *b, int j)
{
    int64_t sum = 0;
    for (int p = 0; p < b->npairs; p++)
        if (b->pairs[p].col == j && block_live(b, &b->pairs[p]))
            sum += b->pairs[p].sum;
    return sum;
}

static void figures(const bp_params *conf, const block *b, int stacked, ix_finding *f)
{
    int ns, nr;
    int64_t pairs;
    block_size(b, &ns, &nr, &pairs);
    rule_figure(f, "senders", ns, conf->min_senders);
    rule_figure(f, "receivers", nr, conf->min_receivers);
    rule_figure(f, "density_pct", pairs * 100 / ((int64_t)ns * nr), conf->density_pct);
    if (stacked)
        rule_figure(f, "layers", 2, 2);
}

/* Up to `limit` of a block's senders on the path, in account order. */
static void path_rows(const block *b, int limit, ix_finding *f)
{
    for (int k = 0; k < b->rows.n && limit > 0; k++) {
        int i = b->rows.sorted[k];
        if (b->rows.in[i]) {
            rule_path(f, b->rows.m[i].account);
            limit--;
        }
    }
}

static void hits_for_block(bp_search *q, int stacked, const bp_evidence *ev_top,
                           const bp_evidence *ev_below, rule_hit *hits, int *n, int room)
{
    const bp_params *conf = q->conf;
    const block *top = &q->top.b;
    for (int j = 0; j < top->cols.n; j++) {
        if (!top->cols.in[j])
            continue;
        rule_hit *h = rule_hit_add(hits, n, room, top->cols.m[j].account, top->cols.m[j].bank,
                                   "bipartite", stacked ? "BP02" : "BP01",
                                   stacked ? (int)conf->stack_score : q->score, received(top, j));
        if (!h)
            return;
        ix_finding *f = &h->finding;
        figures(conf, top, stacked, f);
        if (stacked)
            path_rows(&q->below.b, BP_PATH_BELOW, f);
        path_rows(top, IX_PATH_MAX - 1 - f->npath, f);
        rule_path(f, top->cols.m[j].account);
        int below_n = stacked ? ev_below->n : 0;
        int quota = below_n < BP_EVIDENCE_LAYER ? IX_EVIDENCE_MAX - below_n : BP_EVIDENCE_LAYER;
        cite(&q->top, ev_top, j, quota, f);
        if (stacked)
            cite(&q->below, ev_below, -1, IX_EVIDENCE_MAX - f->nevidence, f);
    }
}

static int worth_a_look(const bp_params *conf, const rule_input *in)
{
    win_id w = rule_window_covering(conf->window_ms);
    if (rule_is_trade(in->to) || rule_is_trade(in->from))
        return 0; /* paying the same suppliers and shops is trade */
    if (strcmp(in->t->from_account, in->t->to_account) == 0)
        return 0;
    return in->to->win[w].in_count + 1 >= conf->min_senders && in->from->win[w].out_count >= 1;
}

static int bp_on_transfer(const rules *r, const cfg_rule *self, const rule_input *in,
                          rule_hit *hits, int room, char *errstr, size_t errstr_size)
{
    bp_search q = {.in = in, .conf = self->params, .score = (int)self->score};
    bp_evidence ev_top = {0}, ev_below = {0};
    int n = 0, rc, stacked = 0;
    (void)r;
    if (!worth_a_look(q.conf, in))
        return 0;
    q.buf = malloc((size_t)in->c->search_max_flows * sizeof(*q.buf));
    if (!q.buf) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    rc = find_top(&q, errstr, errstr_size);
    if (rc == 1)
        stacked = find_below(&q, errstr, errstr_size);
    if (stacked < 0 || (rc == 1 && collect(&q, &q.top, &ev_top, errstr, errstr_size) != 0) ||
        (rc == 1 && stacked == 1 && collect(&q, &q.below, &ev_below, errstr, errstr_size) != 0))
        rc = -1;
    if (rc == 1)
        hits_for_block(&q, stacked == 1, &ev_top, &ev_below, hits, &n, room);
    evidence_free(&ev_top);
    evidence_free(&ev_below);
    block_free(&q.top.b);
    block_free(&q.below.b);
    free(q.buf);
    return rc < 0 ? -1 : n;
}

static const cfg_entry bp_keys[] = {
    {.name = "window",
     .type = CFG_DURATION,
     .offset = offsetof(bp_params, window_ms),
     .def = "7d",
     .min = CFG_MINUTE,
     .max = 30 * CFG_DAY,
     .summary = "Time within which the group's payments fall.",
     .desc = "Time within which the group's payments fall."},
    {.name = "min.senders",
     .type = CFG_INT,
     .offset = offsetof(bp_params, min_senders),
     .def = "3",
     .min = 2,
     .max = 1000,
     .summary = "Senders in the group.",
     .desc = "The fewest senders that make a group, each paying most of the receivers."},
    {.name = "min.receivers",
     .type = CFG_INT,
     .offset = offsetof(bp_params, min_receivers),
     .def = "3",
     .min = 2,
     .max = 1000,
     .summary = "Receivers in the group.",
     .desc = "The fewest receivers that make a group, each paid by most of the senders."},
    {.name = "density",
     .type = CFG_INT,
     .offset = offsetof(bp_params, density_pct),
     .def = "80",
     .min = 1,
     .max = 100,
     .summary = "Percent of sender-receiver pairs that must have paid.",
     .desc = "Percent of sender-receiver pairs that must have paid."},
    {.name = "stack.score",
     .type = CFG_INT,
     .offset = offsetof(bp_params, stack_score),
     .def = "80",
     .min = 0,
     .max = 100,
     .summary = "Score when two or more such layers follow each other (a stack).",
     .desc = "A single layer scores `rules.bipartite.score`; a receiver group that pays on as the "
             "sender group of another layer scores this."},
    {.name = NULL},
};

const rule_def rule_bipartite = {
    .name = "bipartite",
    .code = "BP",
    .summary = "a group of senders each paying most of a group of receivers; layers in sequence",
    .config = {.what = "bipartite and stack: a group of senders each paying a group of receivers",
               .score = "50",
               .keys = bp_keys,
               .size = sizeof(bp_params)},
    .on_transfer = bp_on_transfer,
};
