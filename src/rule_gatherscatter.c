/* rule_gatherscatter.c - gather-scatter: a hub that collects money from many
 * new senders and spreads nearly all of it over many new receivers.
 *
 * Evaluated on every transfer out of an account H at event time t, over the
 * interval [t - rules.gatherscatter.window, t]. H is a hub when it has at
 * least rules.gatherscatter.min.in new senders and rules.gatherscatter.min.out
 * new receivers (a relationship is new when its first transfer falls in the
 * interval, as for fan-in and fan-out; this transfer's receiver counts), and
 * what it received in the interval is at least rules.passthrough.min.amount
 * (a hub is a pass-through with many parties: below that floor, friends
 * chipping in and the shops paid afterwards look the same), and what it sent
 * since the first money in of the interval is at least
 * rules.gatherscatter.ratio percent of that.
 *
 * Cost: the smallest rolling window covering the interval bounds both counts
 * from above (H's transfers in and out in it, plus this one), so most
 * transfers stop there. Then the edges are read one direction at a time,
 * stopping as soon as one count falls short (rules.search.max.edges each),
 * and last H's transfers of the interval (rules.search.max.flows each way)
 * for the exact ratio and the evidence. Businesses and merchants are exempt:
 * collecting from customers and paying suppliers is their trade. Reason code
 * GS01; the hit is on H, with the money it received in the interval.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

/* H's transfers of the interval, oldest first. */
typedef struct gs_flows {
    graph_flow *in, *out;
    int nin, nout;
} gs_flows;

static win_id covering_window(int64_t len_ms)
{
    for (int w = 0; w < WIN__COUNT; w++)
        if (win_length_ms((win_id)w) >= len_ms)
            return (win_id)w;
    return WIN_30D;
}

static int exempt(const graph_acct *a)
{
    return a->holder_type == IX_HOLDER_BUSINESS || a->holder_type == IX_HOLDER_MERCHANT;
}

static int worth_a_look(const cfg *c, const rule_input *in)
{
    const win_totals *w = &in->from->win[covering_window(c->gs_window_ms)];
    return w->in_count >= c->gs_min_in && w->out_count + 1 >= c->gs_min_out;
}

/* Counterparties of H in direction dir whose first transfer falls in
 * [since, t], among the first rules.search.max.edges read; -1 on error. */
static int count_new(const rule_input *in, graph_dir dir, int64_t since, graph_edge *buf,
                     char *errstr, size_t errstr_size)
{
    int max = (int)in->c->search_max_edges, nnew = 0;
    int total = graph_edges(in->g, in->t->from_account, dir, since, buf, max, errstr, errstr_size);
    if (total < 0)
        return -1;
    for (int i = 0; i < total && i < max; i++)
        if (buf[i].first_ms >= since && buf[i].first_ms <= in->t->event_time_ms)
            nnew++;
    return nnew;
}

/* Both counts, stopping at the first that falls short: 1 when both reach
 * their minimum, 0 when not, -1 on error. */
static int count_both(const rule_input *in, int64_t since, int *nin, int *nout, char *errstr,
                      size_t errstr_size)
{
    const cfg *c = in->c;
    graph_edge *buf = malloc((size_t)c->search_max_edges * sizeof(*buf));
    int rc = -1;
    if (!buf) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    *nin = count_new(in, GRAPH_IN, since, buf, errstr, errstr_size);
    if (*nin >= 0 && *nin < c->gs_min_in)
        rc = 0;
    else if (*nin >= 0) {
        *nout = count_new(in, GRAPH_OUT, since, buf, errstr, errstr_size);
        rc = *nout < 0 ? -1 : *nout >= c->gs_min_out;
    }
    free(buf);
    return rc;
}

static int read_flows(const rule_input *in, int64_t since, gs_flows *fl, char *errstr,
                      size_t errstr_size)
{
    const ix_transfer *t = in->t;
    int max = (int)in->c->search_max_flows;
    fl->in = malloc(2 * (size_t)max * sizeof(graph_flow));
    if (!fl->in) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    fl->out = fl->in + max;
    fl->nin = graph_flows(in->g, t->from_account, GRAPH_IN, since, t->event_time_ms, fl->in, max,
                          errstr, errstr_size);
    if (fl->nin < 0)
        return -1;
    fl->nout = graph_flows(in->g, t->from_account, GRAPH_OUT, since, t->event_time_ms, fl->out, max,
                           errstr, errstr_size);
    return fl->nout < 0 ? -1 : 0;
}

static int64_t sum_flows(const graph_flow *f, int n)
{
    int64_t s = 0;
    for (int i = 0; i < n; i++)
        s += f[i].amount;
    return s;
}

static int in_path(const ix_finding *f, const char *account)
{
    for (int i = 0; i < f->npath; i++)
        if (strcmp(f->path[i], account) == 0)
            return 1;
    return 0;
}

static void path_peers(ix_finding *f, const graph_flow *fl, int n, int limit)
{
    for (int i = 0; i < n && limit > 0; i++)
        if (!in_path(f, fl[i].peer)) {
            rule_path(f, fl[i].peer);
            limit--;
        }
}

/* The most recent money in and out, sharing the evidence slots: each side
 * gets half, or more when the other needs less. */
static void add_evidence(ix_finding *f, const char *account, const graph_flow *in, int nin,
                         const graph_flow *out, int nout)
{
    int room = IX_EVIDENCE_MAX - f->nevidence;
    int kin = nout < room / 2 ? room - nout : room / 2;
    if (kin > nin)
        kin = nin;
    int kout = room - kin < nout ? room - kin : nout;
    for (int i = nin - kin; i < nin; i++)
        rule_evidence_flow(f, account, &in[i]);
    for (int i = nout - kout; i < nout; i++)
        rule_evidence_flow(f, account, &out[i]);
}

/* The ratio test on the interval's transfers, and the hit when it holds. */
static void judge(const rule_input *in, const gs_flows *fl, int nin, int nout, rule_hit *hits,
                  int *n, int room)
{
    const cfg *c = in->c;
    const ix_transfer *t = in->t;
    if (fl->nin == 0)
        return;
    int64_t received = sum_flows(fl->in, fl->nin);
    int k = 0;
    while (k < fl->nout && fl->out[k].time_ms < fl->in[0].time_ms)
        k++; /* sent before anything arrived: not money passed on */
    const graph_flow *onward = fl->out + k;
    int nonward = fl->nout - k;
    int64_t sent = sum_flows(onward, nonward);
    /* The pass-through floor: small sums gathered and spent are everyday
     * life (friends chipping in, then paying the shops). */
    if (received < c->pt_min_amount || (__int128)sent * 100 < (__int128)received * c->gs_ratio_pct)
        return;
    rule_hit *h = rule_hit_add(hits, n, room, t->from_account, t->from_bank, "gatherscatter",
                               "GS01", (int)c->gs_score, received);
    if (!h)
        return;
    ix_finding *f = &h->finding;
    rule_figure(f, "new_senders", nin, c->gs_min_in);
    rule_figure(f, "new_receivers", nout, c->gs_min_out);
    rule_figure(f, "sent_on_pct", (int64_t)((__int128)sent * 100 / received), c->gs_ratio_pct);
    add_evidence(f, t->from_account, fl->in, fl->nin, onward, nonward);
    path_peers(f, fl->in, fl->nin, 4);
    rule_path(f, t->from_account);
    path_peers(f, onward, nonward, IX_PATH_MAX - f->npath);
}

static int gs_on_transfer(const rules *r, const rule_input *in, rule_hit *hits, int room,
                          char *errstr, size_t errstr_size)
{
    const cfg *c = rules_cfg(r);
    int64_t since = in->t->event_time_ms - c->gs_window_ms;
    gs_flows fl = {0};
    int n = 0, nin = 0, nout = 0;
    if (!c->gs_enabled || exempt(in->from) || !worth_a_look(c, in))
        return 0;
    int rc = count_both(in, since, &nin, &nout, errstr, errstr_size);
    if (rc <= 0)
        return rc;
    rc = read_flows(in, since, &fl, errstr, errstr_size);
    if (rc == 0)
        judge(in, &fl, nin, nout, hits, &n, room);
    free(fl.in);
    return rc < 0 ? -1 : n;
}

const rule_def rule_gatherscatter = {
    .name = "gatherscatter",
    .code = "GS",
    .summary = "money collected from many new senders and spread on to many new receivers",
    .on_transfer = gs_on_transfer,
};
