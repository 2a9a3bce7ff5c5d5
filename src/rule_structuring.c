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

#include "decode.h"
#include "rules.h"

/* Its own keys, rules.structuring.*. */
typedef struct st_params {
    int64_t threshold; /* threshold */
    int64_t band_pct;  /* band */
    int64_t min_count; /* min.count */
    int64_t window_ms; /* window */
} st_params;

/* One evaluation: the transfer, the rule's values, and a flow buffer allocated on first use
 * and reused for the other side. */
typedef struct st_eval {
    const rule_input *in;
    const st_params *p;
    int score;
    graph_flow *buf;
} st_eval;

/* Where the band starts: the smallest amount that is "just under" (the
 * threshold is at most 10^15, so the product cannot overflow). */
static int64_t band_floor(const st_params *p)
{
    return p->threshold * (100 - p->band_pct) / 100;
}

static int in_band(const st_params *p, int64_t amount)
{
    return amount >= band_floor(p) && amount < p->threshold;
}

static int worth_a_look(const st_params *p, const rule_side *s)
{
    if (rule_is_trade(s->state))
        return 0;
    const win_totals *w = &s->state->win[rule_window_covering(p->window_ms)];
    return (s->dir == GRAPH_OUT ? w->out_count : w->in_count) + 1 >= p->min_count;
}

static void add_hit(const st_eval *x, const rule_side *s, const graph_flow *fl, int k,
                    rule_hit *hits, int *n, int room)
{
    const st_params *p = x->p;
    int64_t sum = 0, largest = 0;
    for (int i = 0; i < k; i++) {
        sum += fl[i].amount;
        if (fl[i].amount > largest)
            largest = fl[i].amount;
    }
    rule_hit *h = rule_hit_add(hits, n, room, s->account, s->bank, "structuring",
                               s->dir == GRAPH_OUT ? "ST01" : "ST02", x->score, sum);
    if (!h)
        return;
    ix_finding *f = &h->finding;
    rule_figure(f, "count_under_threshold", k, p->min_count);
    rule_figure(f, "largest_amount", largest, p->threshold);
    rule_evidence_flows(f, s->account, s->dir, fl, k);
}

/* Count one side's transfers in the band. */
static int judge_side(st_eval *x, graph_dir dir, rule_hit *hits, int *n, int room, char *errstr,
                      size_t errstr_size)
{
    const rule_input *in = x->in;
    const st_params *p = x->p;
    const ix_transfer *t = in->t;
    rule_side s = rule_side_of(in, dir);
    int max = (int)in->c->search_max_flows, k = 0;
    if (!worth_a_look(p, &s))
        return 0;
    if (!x->buf && !(x->buf = malloc((size_t)max * sizeof(*x->buf)))) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    graph_flow *fl = x->buf;
    int nf = graph_flows(in->g, s.account, dir, t->event_time_ms - p->window_ms, t->event_time_ms,
                         fl, max, errstr, errstr_size);
    if (nf < 0)
        return -1;
    for (int i = 0; i < nf; i++)
        if (in_band(p, fl[i].amount))
            fl[k++] = fl[i];
    if (k >= p->min_count)
        add_hit(x, &s, fl, k, hits, n, room);
    return 0;
}

static int st_on_transfer(const rules *r, const cfg_rule *self, const rule_input *in,
                          rule_hit *hits, int room, char *errstr, size_t errstr_size)
{
    st_eval x = {.in = in, .p = self->params, .score = (int)self->score};
    int n = 0, rc = 0;
    (void)r;
    if (!in_band(x.p, in->t->amount))
        return 0;
    rc = judge_side(&x, GRAPH_OUT, hits, &n, room, errstr, errstr_size);
    if (rc == 0)
        rc = judge_side(&x, GRAPH_IN, hits, &n, room, errstr, errstr_size);
    free(x.buf);
    return rc < 0 ? -1 : n;
}

static const cfg_entry st_keys[] = {
    {.name = "threshold",
     .type = CFG_MONEY,
     .offset = offsetof(st_params, threshold),
     .def = "50000.00",
     .min = 1,
     .max = DEC_AMOUNT_MAX,
     .summary = "The reporting threshold that structured transfers stay just under.",
     .desc = "A large-value or cash reporting threshold of the clearing currency, as money of "
             "`currency`."},
    {.name = "band",
     .type = CFG_INT,
     .offset = offsetof(st_params, band_pct),
     .def = "10",
     .min = 1,
     .max = 50,
     .summary = "How far under the threshold counts as just under, in percent.",
     .desc = "10 means from 90% of the threshold up to just below it."},
    {.name = "min.count",
     .type = CFG_INT,
     .offset = offsetof(st_params, min_count),
     .def = "5",
     .min = 2,
     .max = 100000,
     .summary = "Transfers just under the threshold by one account within the window.",
     .desc = "Counted separately for money sent and money received."},
    {.name = "window",
     .type = CFG_DURATION,
     .offset = offsetof(st_params, window_ms),
     .def = "7d",
     .min = CFG_MINUTE,
     .max = 30 * CFG_DAY,
     .summary = "Time within which the transfers just under the threshold are counted.",
     .desc = "Time within which the transfers just under the threshold are counted."},
    {.name = NULL},
};

const rule_def rule_structuring = {
    .name = "structuring",
    .code = "ST",
    .summary = "repeated transfers just under the reporting threshold",
    .config = {.what = "structuring (smurfing): repeated transfers just under the reporting "
                       "threshold",
               .score = "60",
               .keys = st_keys,
               .size = sizeof(st_params)},
    .on_transfer = st_on_transfer,
};
