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
 *
 * Baseline tier (PT02): when the strict test does not fire, an account with a history
 * (baseline.weeks earlier active weeks, score.h) paying a person is judged over days
 * (rules.passthrough.baseline.window, 7 days): the money it received from persons in the
 * interval must be at least baseline.factor times its usual week (the busiest earlier week,
 * in or out, before the interval) and at least baseline.min.amount, and what it sent on to
 * persons from the first of it on at least baseline.ratio percent. A salary from an employer
 * spent at shops, or rent collected and paid to a bank, is not passed through: only money
 * between persons counts. Cheap check: the covering window's money in against the baseline;
 * then one profile read per transfer of the interval.
 */
#include "decode.h"
#include "rules.h"

#define MINUTE_MS 60000LL

/* Its own keys, rules.passthrough.*. */
typedef struct pt_params {
    int64_t window_ms;        /* window */
    int64_t min_amount;       /* min.amount */
    int64_t ratio_pct;        /* ratio */
    int64_t base_window_ms;   /* baseline.window */
    int64_t base_ratio_pct;   /* baseline.ratio */
    int64_t base_factor;      /* baseline.factor */
    int64_t base_score;       /* baseline.score */
    int64_t base_large_score; /* baseline.large.score */
} pt_params;

/* Whether the window totals leave any chance of a finding. */
static int worth_a_look(const pt_params *p, const rule_input *in)
{
    const win_totals *w = &in->from->win[rule_window_covering(p->window_ms)];
    if (w->in_sum < p->min_amount)
        return 0;
    return (w->out_sum + in->t->amount) * 100 >= p->min_amount * p->ratio_pct;
}

/* Measure the interval and add the hit when A is a conduit. */
static void judge(const pt_params *p, int score, const rule_input *in, const rule_flows *fl,
                  rule_hit *hits, int *n, int room)
{
    const ix_transfer *t = in->t;
    if (fl->nin == 0)
        return;
    int64_t received = rule_sum_flows(fl->in, fl->nin), first_in = fl->in[0].time_ms;
    int k;
    int64_t sent = rule_sent_on(fl, &k);
    if (received < p->min_amount || (__int128)sent * 100 < (__int128)received * p->ratio_pct)
        return;
    rule_hit *h = rule_hit_add(hits, n, room, t->from_account, t->from_bank, "passthrough", "PT01",
                               score, received);
    if (!h)
        return;
    ix_finding *f = &h->finding;
    rule_figure(f, "received", received, p->min_amount);
    rule_figure(f, "sent_on_pct", (int64_t)((__int128)sent * 100 / received), p->ratio_pct);
    rule_figure(f, "hold_minutes", (t->event_time_ms - first_in) / MINUTE_MS,
                p->window_ms / MINUTE_MS);
    rule_evidence_in_out(f, t->from_account, fl->in, fl->nin, fl->out + k, fl->nout - k);
}

/* Keep the flows whose counterparty is a person (rule_is_person); returns how many, or -1. */
static int keep_persons(const rule_input *in, graph_flow *f, int n, char *errstr,
                        size_t errstr_size)
{
    int k = 0;
    for (int i = 0; i < n; i++) {
        int rc = rule_is_person(in, f[i].peer, errstr, errstr_size);
        if (rc < 0)
            return -1;
        if (rc)
            f[k++] = f[i];
    }
    return k;
}

/* The baseline tier's cheap check: a person paying a person, an account with a history, and
 * money in over the covering window beyond its usual week. */
static int worth_a_baseline_look(const pt_params *p, const rule_input *in, const rule_baseline *b)
{
    const win_totals *w = &in->from->win[rule_window_covering(p->base_window_ms)];
    int64_t in_sum = b->recent_in < w->in_sum ? b->recent_in : w->in_sum;
    return p->base_score > 0 && !rule_is_trade(in->to) &&
           rule_beyond_baseline(in, b, in_sum, p->base_factor);
}

/* The baseline tier: over days rather than minutes, money from persons far beyond what the
 * account usually receives in a week, most of it sent on to persons. */
static int judge_baseline(const pt_params *p, const rule_input *in, rule_flows *fl, rule_hit *hits,
                          int *n, int room, char *errstr, size_t errstr_size)
{
    const ix_transfer *t = in->t;
    int64_t since = t->event_time_ms - p->base_window_ms;
    rule_baseline b = rule_baseline_of(in, in->from, since);
    if (!worth_a_baseline_look(p, in, &b))
        return 0;
    if (rule_read_flows(in, t->from_account, since, t->event_time_ms, fl, errstr, errstr_size) != 0)
        return -1;
    /* Only money between persons: a salary, a refund or a loan from a business in, and
     * shopping, bills or rent to a platform out, are an ordinary life's. */
    if ((fl->nin = keep_persons(in, fl->in, fl->nin, errstr, errstr_size)) < 0)
        return -1;
    int64_t received = rule_sum_flows(fl->in, fl->nin);
    if (fl->nin == 0 || !rule_beyond_baseline(in, &b, received, p->base_factor))
        return 0;
    if ((fl->nout = keep_persons(in, fl->out, fl->nout, errstr, errstr_size)) < 0)
        return -1;
    int k;
    int64_t sent = rule_sent_on(fl, &k);
    if ((__int128)sent * 100 < (__int128)received * p->base_ratio_pct)
        return 0;
    rule_hit *h = rule_hit_add(hits, n, room, t->from_account, t->from_bank, "passthrough", "PT02",
                               (int)p->base_score, received);
    if (!h)
        return 0;
    ix_finding *f = &h->finding;
    rule_figure(f, "received", received, in->c->baseline_min_amount);
    rule_figure(f, "sent_on_pct", (int64_t)((__int128)sent * 100 / received), p->base_ratio_pct);
    rule_figure(f, "hold_minutes", (t->event_time_ms - fl->in[0].time_ms) / MINUTE_MS,
                p->base_window_ms / MINUTE_MS);
    rule_figure_baseline(f, in, &b, received, p->base_factor);
    rule_evidence_in_out(f, t->from_account, fl->in, fl->nin, fl->out + k, fl->nout - k);
    return 0;
}

static int pt_on_transfer(const rules *r, const cfg_rule *self, const rule_input *in,
                          rule_hit *hits, int room, char *errstr, size_t errstr_size)
{
    const pt_params *p = self->params;
    const ix_transfer *t = in->t;
    rule_flows fl = {0};
    int n = 0, rc = 0;
    (void)r;
    if (rule_is_trade(in->from))
        return 0;
    if (worth_a_look(p, in)) {
        rc = rule_read_flows(in, t->from_account, t->event_time_ms - p->window_ms, t->event_time_ms,
                             &fl, errstr, errstr_size);
        if (rc == 0)
            judge(p, (int)self->score, in, &fl, hits, &n, room);
    }
    if (rc == 0 && n == 0)
        rc = judge_baseline(p, in, &fl, hits, &n, room, errstr, errstr_size);
    rule_flows_free(&fl);
    return rc < 0 ? -1 : n;
}

static const cfg_entry pt_keys[] = {
    {.name = "window",
     .type = CFG_DURATION,
     .offset = offsetof(pt_params, window_ms),
     .def = "30m",
     .min = CFG_MINUTE,
     .max = 30 * CFG_DAY,
     .summary = "How soon money must leave again after arriving to count as passing through.",
     .desc = "The rule looks at an account's transfers within this time before each outgoing "
             "transfer. Street-level mules forward within minutes; a longer window also catches "
             "slower mules, at the cost of catching people who spend a salary quickly."},
    {.name = "min.amount",
     .type = CFG_MONEY,
     .offset = offsetof(pt_params, min_amount),
     .def = "10000.00",
     .min = 1,
     .max = DEC_AMOUNT_MAX,
     .summary = "Money received within the window before the rule looks further.",
     .desc = "Small sums passing through are everyday life. Also the floor of the chain, cycle "
             "and gather-scatter rules."},
    {.name = "ratio",
     .type = CFG_INT,
     .offset = offsetof(pt_params, ratio_pct),
     .def = "80",
     .min = 1,
     .max = 100,
     .summary = "Percent of the money received that must have been sent on within the window.",
     .desc = "80 means at most a fifth stays: the account is a conduit, not a destination."},
    {.name = "baseline.window",
     .type = CFG_DURATION,
     .offset = offsetof(pt_params, base_window_ms),
     .def = "7d",
     .min = CFG_MINUTE,
     .max = 30 * CFG_DAY,
     .summary = "Window of the baseline tier, judged against the account's own history.",
     .desc = "With a baseline (`baseline.weeks`), the rule also fires over this longer time "
             "when the money the account received from persons is at least `baseline.factor` "
             "times its usual week (its busiest earlier week, in or out) and at least "
             "`baseline.min.amount`, and at least "
             "`baseline.ratio` percent of it went on to persons. Money from or to businesses "
             "and merchants (a salary, shopping, rent to a platform) does not count."},
    {.name = "baseline.ratio",
     .type = CFG_INT,
     .offset = offsetof(pt_params, base_ratio_pct),
     .def = "50",
     .min = 1,
     .max = 100,
     .summary = "Percent of the money from persons sent on to persons (baseline tier).",
     .desc = "Lower than the strict ratio: over days a mule keeps or cashes out part of it."},
    {.name = "baseline.factor",
     .type = CFG_INT,
     .offset = offsetof(pt_params, base_factor),
     .def = "3",
     .min = 1,
     .max = 1000,
     .summary = "How many times its usual week the money received from persons must reach.",
     .desc = "The usual week is the busiest earlier week the account remembers, in or out, "
             "before the window."},
    RULE_BASELINE_SCORE_KEYS(pt_params),
    {.name = NULL},
};

const rule_def rule_passthrough = {
    .name = "passthrough",
    .code = "PT",
    .summary = "money sent on within minutes of arriving: the account is a conduit",
    .config = {.what = "fast in, fast out: an account that sends on most of what it just "
                       "received",
               .score = "60",
               .keys = pt_keys,
               .size = sizeof(pt_params)},
    .on_transfer = pt_on_transfer,
};

int64_t rule_passthrough_min_amount(const rules *r)
{
    const pt_params *p = rules_conf(r, &rule_passthrough)->params;
    return p->min_amount;
}
