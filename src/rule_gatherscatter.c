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
#include "rules.h"

static int worth_a_look(const cfg *c, const rule_input *in)
{
    const win_totals *w = &in->from->win[rule_window_covering(c->gs_window_ms)];
    return w->in_count >= c->gs_min_in && w->out_count + 1 >= c->gs_min_out;
}

/* Both counts of new counterparties, stopping at the first that falls
 * short: 1 when both reach their minimum, 0 when not, -1 on error. */
static int count_both(const rule_input *in, int64_t since, int *nin, int *nout, char *errstr,
                      size_t errstr_size)
{
    const cfg *c = in->c;
    const char *h = in->t->from_account;
    rule_edges ed = {0};
    int rc = rule_read_edges(in, h, GRAPH_IN, since, &ed, errstr, errstr_size);
    *nin = ed.nnew;
    if (rc == 0 && *nin >= c->gs_min_in) {
        rc = rule_read_edges(in, h, GRAPH_OUT, since, &ed, errstr, errstr_size);
        *nout = ed.nnew;
        rc = rc < 0 ? -1 : *nout >= c->gs_min_out;
    }
    rule_edges_free(&ed);
    return rc;
}

/* The ratio test on the interval's transfers, and the hit when it holds. */
static void judge(const rule_input *in, const rule_flows *fl, int nin, int nout, rule_hit *hits,
                  int *n, int room)
{
    const cfg *c = in->c;
    const ix_transfer *t = in->t;
    if (fl->nin == 0)
        return;
    int64_t received = rule_sum_flows(fl->in, fl->nin);
    int k;
    int64_t sent = rule_sent_on(fl, &k);
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
    rule_evidence_in_out(f, t->from_account, fl->in, fl->nin, fl->out + k, fl->nout - k);
}

static int gs_on_transfer(const rules *r, const rule_input *in, rule_hit *hits, int room,
                          char *errstr, size_t errstr_size)
{
    const cfg *c = rules_cfg(r);
    const ix_transfer *t = in->t;
    int64_t since = t->event_time_ms - c->gs_window_ms;
    rule_flows fl = {0};
    int n = 0, nin = 0, nout = 0;
    if (!c->gs_enabled || rule_is_trade(in->from) || !worth_a_look(c, in))
        return 0;
    int rc = count_both(in, since, &nin, &nout, errstr, errstr_size);
    if (rc <= 0)
        return rc;
    rc = rule_read_flows(in, t->from_account, since, t->event_time_ms, &fl, errstr, errstr_size);
    if (rc == 0)
        judge(in, &fl, nin, nout, hits, &n, room);
    rule_flows_free(&fl);
    return rc < 0 ? -1 : n;
}

const rule_def rule_gatherscatter = {
    .name = "gatherscatter",
    .code = "GS",
    .summary = "money collected from many new senders and spread on to many new receivers",
    .on_transfer = gs_on_transfer,
};
