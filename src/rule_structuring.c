/* rule_structuring.c - structuring (smurfing): repeated transfers just under
 * the reporting threshold, splitting a large sum so that none is reported.
 *
 * The band is [threshold * (100 - band) / 100, threshold) with
 * rules.structuring.threshold and rules.structuring.band: an amount at the
 * threshold is reported, so it is not under it. Only a transfer in the band
 * is looked at any further, which settles almost every transfer with two
 * comparisons. For one in the band, the sender's transfers out in the band
 * within [t - rules.structuring.window, t] (this one included) are counted,
 * and separately the receiver's transfers in: at least
 * rules.structuring.min.count fires ST01 on the sender, ST02 on the receiver.
 *
 * Before reading any transfers, the smallest rolling window covering the
 * interval must hold enough transfers in that direction (plus this one); the
 * read is bounded by rules.search.max.flows. The amount at risk is the sum of
 * the transfers in the band. Businesses and merchants are exempt: the
 * default threshold is the one for persons (businesses report transfers at
 * far higher amounts), and trade between businesses often falls just under
 * it without any intent.
 */
#include <stdio.h>
#include <stdlib.h>

#include "rules.h"

/* Where the band starts: the smallest amount that is "just under" (the
 * threshold is at most 10^15, so the product cannot overflow). */
static int64_t band_floor(const cfg *c)
{
    return c->st_threshold * (100 - c->st_band_pct) / 100;
}

static int in_band(const cfg *c, int64_t amount)
{
    return amount >= band_floor(c) && amount < c->st_threshold;
}

static int worth_a_look(const cfg *c, const rule_side *s)
{
    if (rule_is_trade(s->state))
        return 0;
    const win_totals *w = &s->state->win[rule_window_covering(c->st_window_ms)];
    return (s->dir == GRAPH_OUT ? w->out_count : w->in_count) + 1 >= c->st_min_count;
}

static void add_hit(const cfg *c, const rule_side *s, const graph_flow *fl, int k, rule_hit *hits,
                    int *n, int room)
{
    int64_t sum = 0, largest = 0;
    for (int i = 0; i < k; i++) {
        sum += fl[i].amount;
        if (fl[i].amount > largest)
            largest = fl[i].amount;
    }
    rule_hit *h = rule_hit_add(hits, n, room, s->account, s->bank, "structuring",
                               s->dir == GRAPH_OUT ? "ST01" : "ST02", (int)c->st_score, sum);
    if (!h)
        return;
    ix_finding *f = &h->finding;
    rule_figure(f, "count_under_threshold", k, c->st_min_count);
    rule_figure(f, "largest_amount", largest, c->st_threshold);
    rule_evidence_flows(f, s->account, s->dir, fl, k);
}

/* Count one side's transfers in the band; *buf is allocated on first use
 * and reused for the other side. */
static int judge_side(const rule_input *in, graph_dir dir, graph_flow **buf, rule_hit *hits, int *n,
                      int room, char *errstr, size_t errstr_size)
{
    const cfg *c = in->c;
    const ix_transfer *t = in->t;
    rule_side s = rule_side_of(in, dir);
    int max = (int)c->search_max_flows, k = 0;
    if (!worth_a_look(c, &s))
        return 0;
    if (!*buf && !(*buf = malloc((size_t)max * sizeof(**buf)))) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    graph_flow *fl = *buf;
    int nf = graph_flows(in->g, s.account, dir, t->event_time_ms - c->st_window_ms,
                         t->event_time_ms, fl, max, errstr, errstr_size);
    if (nf < 0)
        return -1;
    for (int i = 0; i < nf; i++)
        if (in_band(c, fl[i].amount))
            fl[k++] = fl[i];
    if (k >= c->st_min_count)
        add_hit(c, &s, fl, k, hits, n, room);
    return 0;
}

static int st_on_transfer(const rules *r, const rule_input *in, rule_hit *hits, int room,
                          char *errstr, size_t errstr_size)
{
    const cfg *c = rules_cfg(r);
    graph_flow *buf = NULL;
    int n = 0, rc = 0;
    if (!c->st_enabled || !in_band(c, in->t->amount))
        return 0;
    rc = judge_side(in, GRAPH_OUT, &buf, hits, &n, room, errstr, errstr_size);
    if (rc == 0)
        rc = judge_side(in, GRAPH_IN, &buf, hits, &n, room, errstr, errstr_size);
    free(buf);
    return rc < 0 ? -1 : n;
}

const rule_def rule_structuring = {
    .name = "structuring",
    .code = "ST",
    .summary = "repeated transfers just under the reporting threshold",
    .on_transfer = st_on_transfer,
};
