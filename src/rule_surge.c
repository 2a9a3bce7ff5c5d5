/* rule_surge.c - an account's counterparties surge past its own history:
 * a person who never had more than two counterparties a week now has six.
 *
 * Each account keeps a weekly baseline (score.h): the distinct counterparties
 * of the current week (7 days of event time from 1970-01-01 UTC) and the most of any earlier
 * week. Evaluated for both accounts of every transfer. CS01 fires on the
 * transfer that brings the week's count to a surge: at least
 * rules.surge.min.weeks earlier active weeks of history, at least
 * rules.surge.min.counterparties this week, and at least rules.surge.factor
 * times the busiest earlier week. It fires at the crossing only, so a surging
 * week costs one finding, not one per transfer. Alone it is a weak signal
 * (a new landlord, a birthday): its default score (10) raises no request
 * alone, and it adds to the account's other findings within score.horizon.
 *
 * Cost: the baseline is in the account's value, so the test is a few
 * instructions; only a finding reads the week's transfers (bounded by
 * rules.search.max.flows each way) for the evidence. The count is a lower
 * bound (hashed counterparties may share a bit), which errs on the quiet side.
 */
#include <string.h>

#include "rules.h"
#include "score.h"

/* Its own keys, rules.surge.*. */
typedef struct su_params {
    int64_t min_weeks;          /* min.weeks */
    int64_t min_counterparties; /* min.counterparties */
    int64_t factor;             /* factor */
} su_params;

static int surging(const su_params *p, const score_base *b)
{
    return score_base_surge(b, (int)p->min_weeks, (int)p->min_counterparties, (int)p->factor);
}

static int judge_side(const rule_input *in, const cfg_rule *self, graph_dir dir, rule_hit *hits,
                      int *n, int room, char *errstr, size_t errstr_size)
{
    const su_params *p = self->params;
    rule_side side = rule_side_of(in, dir);
    const char *peer = dir == GRAPH_IN ? in->t->from_account : in->t->to_account;
    score_base after = side.state->base;
    score_base_note(&after, score_peer_hash(peer), dir == GRAPH_IN, in->t->amount,
                    in->t->event_time_ms);
    if (!surging(p, &after) || surging(p, &side.state->base))
        return 0; /* no surge, or it crossed on an earlier transfer */
    int now = score_base_now(&after);
    rule_hit *h = rule_hit_add(hits, n, room, side.account, side.bank, "surge", "CS01",
                               (int)self->score, in->t->amount);
    if (!h)
        return 0;
    ix_finding *f = &h->finding;
    rule_figure(f, "counterparties_this_week", now, p->min_counterparties);
    rule_figure(f, "busiest_earlier_week", after.peak, now / p->factor);
    rule_figure(f, "weeks_of_history", after.weeks, p->min_weeks);
    rule_flows fl = {0};
    int64_t week_start = after.week * SCORE_WEEK_MS;
    if (rule_read_flows(in, side.account, week_start, in->t->event_time_ms, &fl, errstr,
                        errstr_size) != 0) {
        rule_flows_free(&fl);
        return -1;
    }
    rule_evidence_in_out(f, side.account, fl.in, fl.nin, fl.out, fl.nout);
    rule_flows_free(&fl);
    return 0;
}

static int su_on_transfer(const rules *r, const cfg_rule *self, const rule_input *in,
                          rule_hit *hits, int room, char *errstr, size_t errstr_size)
{
    int n = 0;
    (void)r;
    if (judge_side(in, self, GRAPH_OUT, hits, &n, room, errstr, errstr_size) != 0 ||
        judge_side(in, self, GRAPH_IN, hits, &n, room, errstr, errstr_size) != 0)
        return -1;
    return n;
}

static const cfg_entry su_keys[] = {
    {.name = "min.weeks",
     .type = CFG_INT,
     .offset = offsetof(su_params, min_weeks),
     .def = "3",
     .min = 1,
     .max = 520,
     .summary = "Earlier weeks with any counterparty an account needs before it can surge.",
     .desc = "A baseline of one or two weeks says little; a new account is the burst rule's."},
    {.name = "min.counterparties",
     .type = CFG_INT,
     .offset = offsetof(su_params, min_counterparties),
     .def = "6",
     .min = 2,
     .max = 64,
     .summary = "Distinct counterparties within the week that can make a surge.",
     .desc = "Counted over money in and out, in 7-day weeks of event time counted from "
             "1970-01-01 UTC (a Thursday). The count "
             "is kept as a 64-bit hashed set, so 64 is the most it can tell apart."},
    {.name = "factor",
     .type = CFG_INT,
     .offset = offsetof(su_params, factor),
     .def = "3",
     .min = 2,
     .max = 64,
     .summary = "How many times its busiest earlier week the account's week must reach.",
     .desc = "Three: a person who never had more than two counterparties a week surges at six."},
    {.name = NULL},
};

const rule_def rule_surge = {
    .name = "surge",
    .code = "CS", /* CS01 */
    .summary = "an account's counterparties surge past its own weekly history",
    .config = {.what = "counterparty surge: far more counterparties in a week than the account "
                       "ever had",
               .score = "10",
               .keys = su_keys,
               .size = sizeof(su_params)},
    .on_transfer = su_on_transfer,
};
