/* rule_fan.c - fan-in and fan-out: many new counterparties paying one
 * account, or paid by it, within a short time. Two rules, one mirror of the
 * other, sharing this implementation with the direction as a parameter.
 *
 * Fan-in (gather, FI01): evaluated on every transfer into an account B at
 * event time t. A sender is new when its first transfer to B falls in
 * [t - rules.fanin.window, t]: B's friends, employer and tenants of long
 * standing are not a gathering, however many pay on the same day. It fires
 * when B has at least rules.fanin.min.senders new senders, this one included
 * when it is new: the collection account of a fraud or laundering ring. The
 * hit is on B, with the money the new senders paid as the amount.
 *
 * Fan-out (scatter, FO01): evaluated on every transfer out of an account A.
 * A receiver is new when A's first transfer to it falls in
 * [t - rules.fanout.window, t]: paying the same landlord, family and shops as
 * always is not a scattering. It fires when A has at least
 * rules.fanout.min.receivers new receivers, this one included when it is new:
 * money spread before it can be stopped. The hit is on A, with the money paid
 * to the new receivers as the amount.
 *
 * Baseline tier (FI02, FO02): an account with a history (baseline.weeks earlier active
 * weeks, score.h) is also judged over days (rules.<rule>.baseline.window, 7 days): at
 * least baseline.min.senders (baseline.min.receivers) new counterparties that are persons
 * whose money is at least baseline.factor times the account's usual week (its busiest
 * earlier week, in or out, before the window) and at least baseline.min.amount. Few
 * counterparties, so the money's size against the account's own history is the evidence,
 * and the finding scores baseline.score (a REVIEW alone). Businesses and merchants as
 * counterparties do not count: an employer's salary, shopping and bills are an ordinary
 * life's new counterparties. The tier is tried when the strict one did not fire; its cheap
 * check is the covering window's count and money against the baseline, and a finding costs
 * one profile read per new counterparty.
 *
 * Cost: the smallest rolling window covering the rule's window counts every
 * transfer the account received (fan-in) or sent (fan-out) in it, so those
 * (plus this one) are an upper bound on its new counterparties; below the
 * minimum the rule stops at once. Otherwise the account's counterparty edges
 * in that direction are read (bounded by rules.search.max.edges; the edges
 * carry the time of the first transfer between the two), and only for a
 * finding its recent transfers, for evidence. Merchants and businesses are
 * exempt: many customers paying, or a supplier's new clients paying their
 * first invoices, is their business; payroll and supplier runs look exactly
 * like a scattering.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

/* The own keys of either rule: rules.fanin.* or rules.fanout.*. */
typedef struct fan_params {
    int64_t window_ms;        /* window */
    int64_t min_new;          /* min.senders, min.receivers */
    int64_t base_window_ms;   /* baseline.window */
    int64_t base_min_new;     /* baseline.min.senders, baseline.min.receivers */
    int64_t base_factor;      /* baseline.factor */
    int64_t base_score;       /* baseline.score */
    int64_t base_large_score; /* baseline.large.score */
} fan_params;

/* One of the two rules: its direction, names and thresholds. */
typedef struct fan_rule {
    graph_dir dir; /* GRAPH_IN: fan-in, on the receiver; GRAPH_OUT: fan-out, on the sender */
    const char *name, *code;
    const char *figure;    /* the count of new counterparties */
    const char *base_code; /* the baseline tier's */
    int64_t score, window_ms, min_new;
    const fan_params *k;
} fan_rule;

static int worth_a_look(const fan_rule *p, const rule_side *s)
{
    const win_totals *w = &s->state->win[rule_window_covering(p->window_ms)];
    return (p->dir == GRAPH_IN ? w->in_count : w->out_count) + 1 >= p->min_new;
}

static int with_new_peer(const graph_flow *fl, const rule_edges *ed, int64_t since, int64_t t)
{
    for (int i = 0; i < ed->n; i++)
        if (strcmp(ed->e[i].peer, fl->peer) == 0)
            return rule_edge_is_new(&ed->e[i], since, t);
    return 0;
}

/* Evidence: the most recent transfers with new counterparties; path: their
 * senders then B, or A then their receivers. */
static int add_evidence(const rule_input *in, const rule_side *s, int64_t since,
                        const rule_edges *ed, ix_finding *f, char *errstr, size_t errstr_size)
{
    int64_t t = in->t->event_time_ms;
    int max = (int)in->c->search_max_flows, k = 0;
    graph_flow *fl = malloc((size_t)max * sizeof(*fl));
    if (!fl) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    int n = graph_flows(in->g, s->account, s->dir, since, t, fl, max, errstr, errstr_size);
    for (int i = 0; i < n; i++)
        if (with_new_peer(&fl[i], ed, since, t))
            fl[k++] = fl[i];
    rule_evidence_flows(f, s->account, s->dir, fl, k);
    free(fl);
    return n < 0 ? -1 : 0;
}

/* The baseline tier's cheap check: enough transfers that way in the covering window, and
 * their money (an upper bound on the new counterparties') beyond the account's usual week. */
static int worth_a_baseline_look(const fan_rule *p, const rule_input *in, const rule_side *s,
                                 const rule_baseline *b)
{
    const win_totals *w = &s->state->win[rule_window_covering(p->k->base_window_ms)];
    int64_t count = p->dir == GRAPH_IN ? w->in_count : w->out_count;
    int64_t sum = p->dir == GRAPH_IN ? w->in_sum : w->out_sum;
    int64_t recent = p->dir == GRAPH_IN ? b->recent_in : b->recent_out;
    sum = (recent < sum ? recent : sum) + in->t->amount;
    return p->k->base_score > 0 && count + 1 >= p->k->base_min_new &&
           rule_beyond_baseline(in, b, sum, p->k->base_factor);
}

/* The strict tier: many new counterparties within `window`. 1 when it found them. */
static int fan_strict(const fan_rule *p, const rule_input *in, const rule_side *s, rule_edges *ed,
                      rule_hit *hits, int *n, int room, char *errstr, size_t errstr_size)
{
    int64_t since = in->t->event_time_ms - p->window_ms;
    if (!worth_a_look(p, s))
        return 0;
    if (rule_read_edges(in, s->account, p->dir, since, ed, errstr, errstr_size) != 0)
        return -1;
    if (ed->nnew < p->min_new)
        return 0;
    rule_hit *h = rule_hit_add(hits, n, room, s->account, s->bank, p->name, p->code, (int)p->score,
                               ed->sum_new);
    if (!h)
        return 1;
    rule_figure(&h->finding, p->figure, ed->nnew, p->min_new);
    return add_evidence(in, s, since, ed, &h->finding, errstr, errstr_size) < 0 ? -1 : 1;
}

/* The baseline tier: fewer new counterparties over days, whose money is far beyond what the
 * account usually moves in a week. */
static int fan_baseline(const fan_rule *p, const rule_input *in, const rule_side *s, rule_edges *ed,
                        rule_hit *hits, int *n, int room, char *errstr, size_t errstr_size)
{
    const fan_params *k = p->k;
    int64_t since = in->t->event_time_ms - k->base_window_ms;
    rule_baseline b = rule_baseline_of(in, s->state, since);
    if (!worth_a_baseline_look(p, in, s, &b))
        return 0;
    if (rule_read_edges(in, s->account, p->dir, since, ed, errstr, errstr_size) != 0)
        return -1;
    if (ed->nnew < k->base_min_new || !rule_beyond_baseline(in, &b, ed->sum_new, k->base_factor))
        return 0;
    /* Only persons: a salary from an employer, shopping, bills, rent to a platform are an
     * ordinary life's new counterparties. */
    if (rule_edges_keep_persons(in, ed, since, errstr, errstr_size) != 0)
        return -1;
    if (ed->nnew < k->base_min_new || !rule_beyond_baseline(in, &b, ed->sum_new, k->base_factor))
        return 0;
    int64_t floor;
    int score = rule_baseline_score(in, ed->sum_new, k->base_score, k->base_large_score, &floor);
    rule_hit *h =
        rule_hit_add(hits, n, room, s->account, s->bank, p->name, p->base_code, score, ed->sum_new);
    if (!h)
        return 0;
    rule_figure(&h->finding, p->figure, ed->nnew, k->base_min_new);
    rule_figure(&h->finding, p->dir == GRAPH_IN ? "money_in_new" : "money_out_new", ed->sum_new,
                floor);
    rule_figure_baseline(&h->finding, in, &b, ed->sum_new, k->base_factor);
    return add_evidence(in, s, since, ed, &h->finding, errstr, errstr_size) < 0 ? -1 : 0;
}

static int fan_on_transfer(const fan_rule *p, const rule_input *in, rule_hit *hits, int room,
                           char *errstr, size_t errstr_size)
{
    rule_side s = rule_side_of(in, p->dir);
    rule_edges ed = {0};
    int n = 0, rc = 0;
    if (rule_is_trade(s.state))
        return 0;
    rc = fan_strict(p, in, &s, &ed, hits, &n, room, errstr, errstr_size);
    if (rc == 0)
        rc = fan_baseline(p, in, &s, &ed, hits, &n, room, errstr, errstr_size);
    rule_edges_free(&ed);
    return rc < 0 ? -1 : n;
}

static int fi_on_transfer(const rules *r, const cfg_rule *self, const rule_input *in,
                          rule_hit *hits, int room, char *errstr, size_t errstr_size)
{
    const fan_params *k = self->params;
    const fan_rule p = {.dir = GRAPH_IN,
                        .name = "fanin",
                        .code = "FI01",
                        .base_code = "FI02",
                        .figure = "new_senders",
                        .score = self->score,
                        .window_ms = k->window_ms,
                        .min_new = k->min_new,
                        .k = k};
    (void)r;
    return fan_on_transfer(&p, in, hits, room, errstr, errstr_size);
}

static int fo_on_transfer(const rules *r, const cfg_rule *self, const rule_input *in,
                          rule_hit *hits, int room, char *errstr, size_t errstr_size)
{
    const fan_params *k = self->params;
    const fan_rule p = {.dir = GRAPH_OUT,
                        .name = "fanout",
                        .code = "FO01",
                        .base_code = "FO02",
                        .figure = "new_receivers",
                        .score = self->score,
                        .window_ms = k->window_ms,
                        .min_new = k->min_new,
                        .k = k};
    (void)r;
    return fan_on_transfer(&p, in, hits, room, errstr, errstr_size);
}

static const cfg_entry fi_keys[] = {
    {.name = "window",
     .type = CFG_DURATION,
     .offset = offsetof(fan_params, window_ms),
     .def = "6h",
     .min = CFG_MINUTE,
     .max = 30 * CFG_DAY,
     .summary = "Time within which the senders must have paid.",
     .desc = "Only senders whose first transfer to the account falls within the window count: "
             "friends of long standing are not a gathering."},
    {.name = "min.senders",
     .type = CFG_INT,
     .offset = offsetof(fan_params, min_new),
     .def = "10",
     .min = 2,
     .max = 100000,
     .summary = "Distinct new senders within the window that make a gathering.",
     .desc = "Merchants are exempt: receiving from many customers is their business."},
    {.name = "baseline.window",
     .type = CFG_DURATION,
     .offset = offsetof(fan_params, base_window_ms),
     .def = "7d",
     .min = CFG_MINUTE,
     .max = 30 * CFG_DAY,
     .summary = "Window of the baseline tier, judged against the account's own history.",
     .desc = "With a baseline (`baseline.weeks`), the rule also fires on fewer new senders "
             "over this longer time when the money from them is at least `baseline.factor` "
             "times the account's usual week (its busiest earlier week, in or out) and at least "
             "`baseline.min.amount`."},
    {.name = "baseline.min.senders",
     .type = CFG_INT,
     .offset = offsetof(fan_params, base_min_new),
     .def = "2",
     .min = 1,
     .max = 100000,
     .summary = "New senders within the baseline window that can make a finding.",
     .desc = "Fewer than the strict minimum: the money's size against the account's history "
             "is the evidence."},
    {.name = "baseline.factor",
     .type = CFG_INT,
     .offset = offsetof(fan_params, base_factor),
     .def = "3",
     .min = 1,
     .max = 1000,
     .summary = "How many times its usual week the money from new senders must reach.",
     .desc = "The usual week is the busiest earlier week, in or out, the account remembers "
             "(this week before the window, last week, the busiest before), so money of the "
             "window is never its own baseline."},
    RULE_BASELINE_SCORE_KEYS(fan_params),
    {.name = NULL},
};

static const cfg_entry fo_keys[] = {
    {.name = "window",
     .type = CFG_DURATION,
     .offset = offsetof(fan_params, window_ms),
     .def = "6h",
     .min = CFG_MINUTE,
     .max = 30 * CFG_DAY,
     .summary = "Time within which the payments to new receivers must fall.",
     .desc = "Only receivers the account never paid before the window count."},
    {.name = "min.receivers",
     .type = CFG_INT,
     .offset = offsetof(fan_params, min_new),
     .def = "10",
     .min = 2,
     .max = 100000,
     .summary = "Distinct new receivers within the window that make a scattering.",
     .desc = "Businesses and merchants are exempt: payroll and supplier runs look like this."},
    {.name = "baseline.window",
     .type = CFG_DURATION,
     .offset = offsetof(fan_params, base_window_ms),
     .def = "7d",
     .min = CFG_MINUTE,
     .max = 30 * CFG_DAY,
     .summary = "Window of the baseline tier, judged against the account's own history.",
     .desc = "With a baseline (`baseline.weeks`), the rule also fires on fewer new receivers "
             "over this longer time when the money to them is at least `baseline.factor` "
             "times the account's usual week (its busiest earlier week, in or out) and at least "
             "`baseline.min.amount`."},
    {.name = "baseline.min.receivers",
     .type = CFG_INT,
     .offset = offsetof(fan_params, base_min_new),
     .def = "3",
     .min = 1,
     .max = 100000,
     .summary = "New receivers within the baseline window that can make a finding.",
     .desc = "Fewer than the strict minimum: the money's size against the account's history "
             "is the evidence."},
    {.name = "baseline.factor",
     .type = CFG_INT,
     .offset = offsetof(fan_params, base_factor),
     .def = "3",
     .min = 1,
     .max = 1000,
     .summary = "How many times its usual week the money to new receivers must reach.",
     .desc = "The usual week is the busiest earlier week, in or out, the account remembers "
             "(this week before the window, last week, the busiest before), so money of the "
             "window is never its own baseline."},
    RULE_BASELINE_SCORE_KEYS(fan_params),
    {.name = NULL},
};

const rule_def rule_fanin = {
    .name = "fanin",
    .code = "FI",
    .summary = "many new senders paying one account within a short time",
    .config = {.what = "fan-in (gather): many new senders paying one account in a short time",
               .score = "60",
               .keys = fi_keys,
               .size = sizeof(fan_params)},
    .on_transfer = fi_on_transfer,
};

const rule_def rule_fanout = {
    .name = "fanout",
    .code = "FO",
    .summary = "one account paying many new receivers within a short time",
    .config = {.what = "fan-out (scatter): one account paying many new receivers in a short time",
               .score = "60",
               .keys = fo_keys,
               .size = sizeof(fan_params)},
    .on_transfer = fo_on_transfer,
};
