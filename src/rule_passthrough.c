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
#include "rules.h"

#define MINUTE_MS 60000LL

/* Whether the window totals leave any chance of a finding. */
static int worth_a_look(const cfg *c, const rule_input *in)
{
    const win_totals *w = &in->from->win[rule_window_covering(c->pt_window_ms)];
    if (w->in_sum < c->pt_min_amount)
        return 0;
    return (w->out_sum + in->t->amount) * 100 >= c->pt_min_amount * c->pt_ratio_pct;
}

/* Measure the interval and add the hit when A is a conduit. */
static void judge(const cfg *c, const rule_input *in, const rule_flows *fl, rule_hit *hits, int *n,
                  int room)
{
    const ix_transfer *t = in->t;
    if (fl->nin == 0)
        return;
    int64_t received = rule_sum_flows(fl->in, fl->nin), first_in = fl->in[0].time_ms;
    int k;
    int64_t sent = rule_sent_on(fl, &k);
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
    rule_evidence_in_out(f, t->from_account, fl->in, fl->nin, fl->out + k, fl->nout - k);
}

static int pt_on_transfer(const rules *r, const rule_input *in, rule_hit *hits, int room,
                          char *errstr, size_t errstr_size)
{
    const cfg *c = rules_cfg(r);
    const ix_transfer *t = in->t;
    rule_flows fl = {0};
    int n = 0;
    if (!c->pt_enabled || rule_is_trade(in->from) || !worth_a_look(c, in))
        return 0;
    int rc = rule_read_flows(in, t->from_account, t->event_time_ms - c->pt_window_ms,
                             t->event_time_ms, &fl, errstr, errstr_size);
    if (rc == 0)
        judge(c, in, &fl, hits, &n, room);
    rule_flows_free(&fl);
    return rc < 0 ? -1 : n;
}

const rule_def rule_passthrough = {
    .name = "passthrough",
    .code = "PT",
    .summary = "money sent on within minutes of arriving: the account is a conduit",
    .on_transfer = pt_on_transfer,
};
