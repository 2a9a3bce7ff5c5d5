/* rule_scattergather.c - scatter-gather: money split by one source over several
 * intermediaries, each passing nearly all of its part on to one sink.
 *
 * Evaluated on every transfer I -> C, with C the candidate sink and I one of
 * the intermediaries, over the interval [t - rules.scattergather.window, t]. A
 * path S -> M -> C is M receiving `got` from S in the interval and sending
 * `fwd` on to C after the first of it, with got * conserve / 100 <= fwd <= got
 * (rules.scattergather.conserve). C is a sink when one source S has at least
 * rules.scattergather.min.paths such paths, through distinct intermediaries
 * that are new senders of C (their first transfer to C falls in the interval: a
 * long-standing sweep into a main account is not a gathering), and I -> C is on
 * one of them.
 *
 * Cost: cheap checks first. C is no merchant (people paying a shop with money
 * they were paid is everyday life), I no business or merchant (paying a
 * supplier with customers' money is trade), C's transfers in within the
 * shortest rolling window covering the interval, plus this one, reach
 * min.paths, and I received at least this amount in it; most transfers stop
 * here. Then the search anchors on the transfer instead of walking C's senders:
 * I's in-flows give the candidate sources (those that paid I at least this
 * amount); each candidate's out-flows give every intermediary's got, and a
 * source that paid fewer than min.paths accounts stops there; C's in-flows,
 * read once and only then, give every intermediary's fwd. So a search reads at
 * most 2 + (candidate sources) accounts' transfers (rules.search.max.flows
 * each, rules.search.max.edges sources at most, rules.search.max.visits
 * accounts in all), and C's edges only once a gathering is found, to check that
 * its senders are new. Hits: the sink (SG01, what it gathered through the
 * paths) and every intermediary (SG02, what it passed on to the sink).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rule_hops.h"
#include "rules.h"

#define SG_MINUTE_MS 60000LL /* figures are in whole minutes */

/* Its own keys, rules.scattergather.*. */
typedef struct sg_params {
    int64_t window_ms;    /* window */
    int64_t min_paths;    /* min.paths */
    int64_t conserve_pct; /* conserve */
} sg_params;

/* One counterparty's transfers of the interval, in one direction, summed. */
typedef struct sg_peer {
    const graph_flow *const *flows; /* its flows, oldest first (into sg_side.ord) */
    int count;
    int64_t sum;
} sg_peer;

/* An account's transfers of the interval, grouped by counterparty. */
typedef struct sg_side {
    graph_flow *flows;
    int n;
    const graph_flow **ord; /* flows sorted by (peer, time) */
    sg_peer *peers;         /* in account-id order */
    int npeers;
} sg_side;

/* One path S -> M -> C. */
typedef struct sg_path {
    const sg_peer *got; /* S's transfers to M, among S's out-flows */
    const sg_peer *fwd; /* M's transfers to C, among C's in-flows */
    int skip;           /* fwd's flows before the first from S: not passed on */
    int64_t fwd_sum;    /* of the others */
} sg_path;

typedef struct sg_search {
    const rule_input *in;
    const sg_params *conf;
    int score;
    int64_t since;
    sg_side mid, sink, source; /* I's in-flows, C's in-flows, S's out-flows */
    sg_path *paths;
    int npaths;
    const char *src; /* the source found */
    int visits;
} sg_search;

static const char *peer_of(const sg_peer *p)
{
    return p->flows[0]->peer;
}

static int by_peer_time(const void *a, const void *b)
{
    const graph_flow *x = *(const graph_flow *const *)a, *y = *(const graph_flow *const *)b;
    int c = strcmp(x->peer, y->peer);
    if (c)
        return c;
    return x->time_ms < y->time_ms ? -1 : x->time_ms > y->time_ms;
}

static void side_free(sg_side *s)
{
    free(s->flows);
    free(s->ord);
    free(s->peers);
    memset(s, 0, sizeof(*s));
}

/* Read `account`'s transfers of the interval in direction dir and group them
 * by counterparty. */
static int side_read(sg_search *q, const char *account, graph_dir dir, sg_side *s, char *errstr,
                     size_t errstr_size)
{
    int max = (int)q->in->c->search_max_flows;
    side_free(s);
    s->flows = malloc((size_t)max * sizeof(*s->flows));
    s->ord = malloc((size_t)max * sizeof(*s->ord));
    s->peers = malloc((size_t)max * sizeof(*s->peers));
    if (!s->flows || !s->ord || !s->peers) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    q->visits++;
    s->n = graph_flows(q->in->g, account, dir, q->since, q->in->t->event_time_ms, s->flows, max,
                       errstr, errstr_size);
    if (s->n < 0)
        return -1;
    for (int i = 0; i < s->n; i++)
        s->ord[i] = &s->flows[i];
    qsort(s->ord, (size_t)s->n, sizeof(*s->ord), by_peer_time);
    for (int i = 0; i < s->n; i++) {
        if (i == 0 || strcmp(s->ord[i]->peer, s->ord[i - 1]->peer) != 0)
            s->peers[s->npeers++] = (sg_peer){&s->ord[i], 0, 0};
        s->peers[s->npeers - 1].count++;
        s->peers[s->npeers - 1].sum += s->ord[i]->amount;
    }
    return 0;
}

static const sg_peer *side_find(const sg_side *s, const char *account)
{
    int lo = 0, hi = s->npeers - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2, c = strcmp(peer_of(&s->peers[mid]), account);
        if (c == 0)
            return &s->peers[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

/* The path S -> M -> C for M paid by S (got), if it conserves the money. */
static int path_of(const sg_search *q, const sg_peer *got, sg_path *p)
{
    const ix_transfer *t = q->in->t;
    const char *m = peer_of(got);
    if (strcmp(m, t->to_account) == 0)
        return 0; /* S paying C directly is no intermediary */
    const sg_peer *fwd = side_find(&q->sink, m);
    if (!fwd)
        return 0;
    int64_t first_got = got->flows[0]->time_ms;
    p->got = got;
    p->fwd = fwd;
    p->skip = 0;
    p->fwd_sum = fwd->sum;
    while (p->skip < fwd->count && fwd->flows[p->skip]->time_ms < first_got)
        p->fwd_sum -= fwd->flows[p->skip++]->amount;
    return p->fwd_sum > 0 && hop_conserved(got->sum, p->fwd_sum, q->conf->conserve_pct);
}

/* C's senders whose first transfer to C is older than the interval: their
 * paths do not count. Reads C's edges, once a gathering has been found. */
static int drop_old_senders(sg_search *q, char *errstr, size_t errstr_size)
{
    const rule_input *in = q->in;
    int max = (int)in->c->search_max_edges;
    graph_edge *e = malloc((size_t)max * sizeof(*e));
    if (!e) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    int total =
        graph_edges(in->g, in->t->to_account, GRAPH_IN, q->since, e, max, errstr, errstr_size);
    int w = 0;
    for (int i = 0; i < q->npaths && total >= 0; i++) {
        int old = 0;
        /* An edge beyond the bound is unknown: the sender counts as new. */
        for (int k = 0; k < total && k < max && !old; k++)
            old = strcmp(e[k].peer, peer_of(q->paths[i].got)) == 0 && e[k].first_ms < q->since;
        if (!old)
            q->paths[w++] = q->paths[i];
    }
    free(e);
    if (total < 0)
        return -1;
    q->npaths = w;
    return 0;
}

static int has_mid(const sg_search *q, const char *account)
{
    for (int i = 0; i < q->npaths; i++)
        if (strcmp(peer_of(q->paths[i].got), account) == 0)
            return 1;
    return 0;
}

/* The paths from source S; 1 when they make a gathering through I. */
static int try_source(sg_search *q, const char *src, char *errstr, size_t errstr_size)
{
    const rule_input *in = q->in;
    if (side_read(q, src, GRAPH_OUT, &q->source, errstr, errstr_size) != 0)
        return -1;
    if (q->source.npeers - (side_find(&q->source, in->t->to_account) != NULL) < q->conf->min_paths)
        return 0; /* S split its money over too few accounts */
    /* C's transfers in are read once, when a source could make enough paths. */
    if (!q->sink.flows &&
        side_read(q, in->t->to_account, GRAPH_IN, &q->sink, errstr, errstr_size) != 0)
        return -1;
    q->npaths = 0;
    for (int i = 0; i < q->source.npeers; i++)
        if (path_of(q, &q->source.peers[i], &q->paths[q->npaths]))
            q->npaths++;
    if (q->npaths < q->conf->min_paths || !has_mid(q, in->t->from_account))
        return 0;
    if (drop_old_senders(q, errstr, errstr_size) != 0)
        return -1;
    if (q->npaths < q->conf->min_paths || !has_mid(q, in->t->from_account))
        return 0;
    q->src = src;
    return 1;
}

/* Try I's senders as the source, in account-id order, within the budget. */
static int find_source(sg_search *q, char *errstr, size_t errstr_size)
{
    const rule_input *in = q->in;
    const cfg *c = in->c;
    if (side_read(q, in->t->from_account, GRAPH_IN, &q->mid, errstr, errstr_size) != 0)
        return -1;
    q->paths = malloc((size_t)c->search_max_flows * sizeof(*q->paths));
    if (!q->paths) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    int tried = 0;
    for (int i = 0; i < q->mid.npeers; i++) {
        const sg_peer *p = &q->mid.peers[i];
        /* I passes on at most what S gave it, and at least this transfer. */
        if (p->sum < in->t->amount || strcmp(peer_of(p), in->t->to_account) == 0)
            continue;
        if (tried++ >= c->search_max_edges || q->visits >= c->search_max_visits)
            return 0;
        int rc = try_source(q, peer_of(p), errstr, errstr_size);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Figures of the gathering, the same on every hit. */
static void sg_figures(const sg_search *q, ix_finding *f)
{
    int64_t min_pct = 100, start = q->in->t->event_time_ms;
    for (int i = 0; i < q->npaths; i++) {
        const sg_path *p = &q->paths[i];
        int64_t pct = hop_pct(p->got->sum, p->fwd_sum);
        min_pct = pct < min_pct ? pct : min_pct;
        start = p->got->flows[0]->time_ms < start ? p->got->flows[0]->time_ms : start;
    }
    rule_figure(f, "paths", q->npaths, q->conf->min_paths);
    rule_figure(f, "min_conserved_pct", min_pct, q->conf->conserve_pct);
    rule_figure(f, "span_minutes", (q->in->t->event_time_ms - start) / SG_MINUTE_MS,
                q->conf->window_ms / SG_MINUTE_MS);
}

/* One path's transfers: S to M, then M on to C. */
static void path_evidence(const sg_search *q, const sg_path *p, ix_finding *f)
{
    for (int k = 0; k < p->got->count; k++)
        rule_evidence_flow(f, q->src, p->got->flows[k]);
    for (int k = p->skip; k < p->fwd->count; k++)
        rule_evidence_flow(f, q->in->t->to_account, p->fwd->flows[k]);
}

static void sink_hit(const sg_search *q, rule_hit *hits, int *n, int room)
{
    const ix_transfer *t = q->in->t;
    int64_t gathered = 0;
    for (int i = 0; i < q->npaths; i++)
        gathered += q->paths[i].fwd_sum;
    rule_hit *h = rule_hit_add(hits, n, room, t->to_account, t->to_bank, "scattergather", "SG01",
                               q->score, gathered);
    if (!h)
        return;
    sg_figures(q, &h->finding);
    rule_path(&h->finding, q->src);
    for (int i = 0; i < q->npaths && i < IX_PATH_MAX - 2; i++)
        rule_path(&h->finding, peer_of(q->paths[i].got));
    rule_path(&h->finding, t->to_account);
    for (int i = 0; i < q->npaths; i++)
        path_evidence(q, &q->paths[i], &h->finding);
}

static void mid_hits(const sg_search *q, rule_hit *hits, int *n, int room)
{
    const ix_transfer *t = q->in->t;
    for (int i = 0; i < q->npaths; i++) {
        const sg_path *p = &q->paths[i];
        rule_hit *h = rule_hit_add(hits, n, room, peer_of(p->got), p->fwd->flows[0]->peer_bank,
                                   "scattergather", "SG02", q->score, p->fwd_sum);
        if (!h)
            return;
        sg_figures(q, &h->finding);
        rule_path(&h->finding, q->src);
        rule_path(&h->finding, peer_of(p->got));
        rule_path(&h->finding, t->to_account);
        path_evidence(q, p, &h->finding);
    }
}

static int sg_worth_a_look(const sg_params *p, const rule_input *in)
{
    win_id w = rule_window_covering(p->window_ms);
    const graph_acct *i = in->from;
    int64_t since = in->t->event_time_ms - p->window_ms;
    if (in->to->has_profile && in->to->holder_type == IX_HOLDER_MERCHANT)
        return 0; /* people paying a shop with money they were paid is everyday life */
    if (rule_is_trade(i))
        return 0; /* a business paying its supplier with its customers' money is trade */
    if (in->to->win[w].in_count + 1 < p->min_paths)
        return 0; /* too few transfers into C for that many paths */
    if (i->last_in_ms <= 0 || i->last_in_ms < since)
        return 0; /* I received nothing in the interval to pass on */
    return i->win[w].in_sum >= in->t->amount && strcmp(in->t->from_account, in->t->to_account);
}

static int sg_on_transfer(const rules *r, const cfg_rule *self, const rule_input *in,
                          rule_hit *hits, int room, char *errstr, size_t errstr_size)
{
    const sg_params *p = self->params;
    sg_search q = {.in = in,
                   .conf = p,
                   .score = (int)self->score,
                   .since = in->t->event_time_ms - p->window_ms};
    int n = 0;
    (void)r;
    if (!sg_worth_a_look(p, in))
        return 0;
    int rc = find_source(&q, errstr, errstr_size);
    if (rc == 1 && q.src) {
        sink_hit(&q, hits, &n, room);
        mid_hits(&q, hits, &n, room);
    }
    side_free(&q.mid);
    side_free(&q.sink);
    side_free(&q.source);
    free(q.paths);
    return rc < 0 ? -1 : n;
}

static const cfg_entry sg_keys[] = {
    {.name = "window",
     .type = CFG_DURATION,
     .offset = offsetof(sg_params, window_ms),
     .def = "7d",
     .min = CFG_MINUTE,
     .max = 30 * CFG_DAY,
     .summary = "Time from the split to the joining.",
     .desc = "The sink must receive from the intermediaries, and they from one source, all within "
             "this time."},
    {.name = "min.paths",
     .type = CFG_INT,
     .offset = offsetof(sg_params, min_paths),
     .def = "4",
     .min = 2,
     .max = 1000,
     .summary = "Intermediaries that must carry money from the same source to the sink.",
     .desc = "Intermediaries that must carry money from the same source to the sink."},
    {.name = "conserve",
     .type = CFG_INT,
     .offset = offsetof(sg_params, conserve_pct),
     .def = "50",
     .min = 1,
     .max = 100,
     .summary = "Percent of what an intermediary received that it must pass on to the sink.",
     .desc = "Intermediaries keep little: 90 means at most a tenth stays behind."},
    {.name = NULL},
};

const rule_def rule_scattergather = {
    .name = "scattergather",
    .code = "SG",
    .summary = "money split by one source over intermediaries and gathered again at one sink",
    .config = {.what = "scatter-gather: money split over intermediaries and joined again",
               .score = "70",
               .keys = sg_keys,
               .size = sizeof(sg_params)},
    .on_transfer = sg_on_transfer,
};
