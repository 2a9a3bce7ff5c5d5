/* rule_passthrough.c - fast in, fast out: an account that sends on most of
 * what it has just received is a conduit (a mule), not a destination.
 *
 * Evaluated on every transfer out of an account A at event time t. Over the
 * interval [t - rules.passthrough.window, t], A is a conduit when the money it
 * received is at least rules.passthrough.min.amount and what it sent on since
 * the first of those receipts (this transfer included) is at least
 * rules.passthrough.ratio percent of it. Money A sent before anything arrived
 * in the interval was its own, so it does not count as sent on.
 *
 * Cost: the window totals decide most transfers at no cost. The smallest
 * rolling window that covers the interval holds at least everything in it, so
 * when its money in is below the minimum, or its money out (plus this
 * transfer) below the ratio of the minimum, the rule cannot fire and stops.
 * Only then are A's transfers of the interval read (bounded by
 * rules.search.max.flows per direction) for exact figures and evidence.
 * Merchants and businesses are exempt: taking payments and paying suppliers
 * the same hour is their trade. Reason code PT01; the hit is on A.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

#define MINUTE_MS 60000LL

/* A's transfers of the interval, oldest first. */
typedef struct pt_flows {
    graph_flow *in, *out;
    int nin, nout;
} pt_flows;

/* The smallest rolling window at least `len_ms` long. */
static win_id covering_window(int64_t len_ms)
{
    for (int w = 0; w < WIN__COUNT; w++)
        if (win_length_ms((win_id)w) >= len_ms)
            return (win_id)w;
    return WIN_30D;
}

static int exempt(const graph_acct *a)
{
    return a->holder_type == IX_HOLDER_MERCHANT || a->holder_type == IX_HOLDER_BUSINESS;
}

/* Whether the window totals leave any chance of a finding. */
static int worth_a_look(const cfg *c, const rule_input *in)
{
    const win_totals *w = &in->from->win[covering_window(c->pt_window_ms)];
    if (w->in_sum < c->pt_min_amount)
        return 0;
    return (w->out_sum + in->t->amount) * 100 >= c->pt_min_amount * c->pt_ratio_pct;
}

static int read_flows(const rule_input *in, pt_flows *fl, char *errstr, size_t errstr_size)
{
    const ix_transfer *t = in->t;
    int max = (int)in->c->search_max_flows;
    int64_t since = t->event_time_ms - in->c->pt_window_ms;
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

/* Up to `limit` distinct counterparties of the flows, in their order. */
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

/* Measure the interval and add the hit when A is a conduit. */
static void judge(const cfg *c, const rule_input *in, const pt_flows *fl, rule_hit *hits, int *n,
                  int room)
{
    const ix_transfer *t = in->t;
    if (fl->nin == 0)
        return;
    int64_t received = sum_flows(fl->in, fl->nin), first_in = fl->in[0].time_ms;
    int k = 0;
    while (k < fl->nout && fl->out[k].time_ms < first_in)
        k++; /* sent before any money arrived: A's own */
    const graph_flow *onward = fl->out + k;
    int nonward = fl->nout - k;
    int64_t sent = sum_flows(onward, nonward);
    if (received < c->pt_min_amount || (__int128)sent * 100 < (__int128)received * c->pt_ratio_pct)
        return;
    rule_hit *h = rule_hit_add(hits, n, room, t->from_account, t->from_bank, "passthrough", "PT01",
                               (int)c->pt_score, received);
    if (!h)
        return;
    ix_finding *f = &h->finding;
    rule_figure(f, "received", received, c->pt_min_amount);
    rule_figure(f, "sent_on_pct", (int64_t)((__int128)sent * 100 / received), c->pt_ratio_pct);
    rule_figure(f, "hold_minutes", (t->event_time_ms - first_in) / MINUTE_MS,
                c->pt_window_ms / MINUTE_MS);
    add_evidence(f, t->from_account, fl->in, fl->nin, onward, nonward);
    path_peers(f, fl->in, fl->nin, 4);
    rule_path(f, t->from_account);
    path_peers(f, onward, nonward, IX_PATH_MAX - f->npath);
}

static int pt_on_transfer(const rules *r, const rule_input *in, rule_hit *hits, int room,
                          char *errstr, size_t errstr_size)
{
    const cfg *c = rules_cfg(r);
    pt_flows fl = {0};
    int n = 0;
    if (!c->pt_enabled || exempt(in->from) || !worth_a_look(c, in))
        return 0;
    int rc = read_flows(in, &fl, errstr, errstr_size);
    if (rc == 0)
        judge(c, in, &fl, hits, &n, room);
    free(fl.in);
    return rc < 0 ? -1 : n;
}

const rule_def rule_passthrough = {
    .name = "passthrough",
    .code = "PT",
    .summary = "money sent on within minutes of arriving: the account is a conduit",
    .on_transfer = pt_on_transfer,
};
