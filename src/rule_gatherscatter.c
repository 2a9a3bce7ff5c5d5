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

/* Its own keys, rules.gatherscatter.*. */
typedef struct gs_params {
    int64_t window_ms; /* window */
    int64_t min_in;    /* min.in */
    int64_t min_out;   /* min.out */
    int64_t ratio_pct; /* ratio */
} gs_params;

/* What one evaluation works with. */
typedef struct gs_eval {
    const rule_input *in;
    const gs_params *p;
    int score;
    int64_t floor; /* rules.passthrough.min.amount */
} gs_eval;

static int worth_a_look(const gs_params *p, const rule_input *in)
{
    const win_totals *w = &in->from->win[rule_window_covering(p->window_ms)];
    return w->in_count >= p->min_in && w->out_count + 1 >= p->min_out;
}

/* Both counts of new counterparties, stopping at the first that falls
 * short: 1 when both reach their minimum, 0 when not, -1 on error. */
static int count_both(const gs_eval *x, int64_t since, int *nin, int *nout, char *errstr,
                      size_t errstr_size)
{
    const rule_input *in = x->in;
    const gs_params *p = x->p;
    const char *h = in->t->from_account;
    rule_edges ed = {0};
    int rc = rule_read_edges(in, h, GRAPH_IN, since, &ed, errstr, errstr_size);
    if (rc == 0 && ed.nnew >= p->min_in)
        rc = rule_edges_keep_persons(in, &ed, since, errstr, errstr_size);
    *nin = ed.nnew;
    if (rc == 0 && *nin >= p->min_in) {
        rc = rule_read_edges(in, h, GRAPH_OUT, since, &ed, errstr, errstr_size);
        if (rc == 0 && ed.nnew >= p->min_out)
            rc = rule_edges_keep_persons(in, &ed, since, errstr, errstr_size);
        *nout = ed.nnew;
        rc = rc < 0 ? -1 : *nout >= p->min_out;
    }
    rule_edges_free(&ed);
    return rc;
}

/* The ratio test on the interval's transfers, and the hit when it holds. */
static void judge(const gs_eval *x, const rule_flows *fl, int nin, int nout, rule_hit *hits, int *n,
                  int room)
{
    const gs_params *p = x->p;
    const ix_transfer *t = x->in->t;
    if (fl->nin == 0)
        return;
    int64_t received = rule_sum_flows(fl->in, fl->nin);
    int k;
    int64_t sent = rule_sent_on(fl, &k);
    /* The pass-through floor: small sums gathered and spent are everyday
     * life (friends chipping in, then paying the shops). */
    if (received < x->floor || (__int128)sent * 100 < (__int128)received * p->ratio_pct)
        return;
    rule_hit *h = rule_hit_add(hits, n, room, t->from_account, t->from_bank, "gatherscatter",
                               "GS01", x->score, received);
    if (!h)
        return;
    ix_finding *f = &h->finding;
    rule_figure(f, "new_senders", nin, p->min_in);
    rule_figure(f, "new_receivers", nout, p->min_out);
    rule_figure(f, "sent_on_pct", (int64_t)((__int128)sent * 100 / received), p->ratio_pct);
    rule_evidence_in_out(f, t->from_account, fl->in, fl->nin, fl->out + k, fl->nout - k);
}

static int gs_on_transfer(const rules *r, const cfg_rule *self, const rule_input *in,
                          rule_hit *hits, int room, char *errstr, size_t errstr_size)
{
    const gs_eval x = {.in = in,
                       .p = self->params,
                       .score = (int)self->score,
                       .floor = rule_passthrough_min_amount(r)};
    const ix_transfer *t = in->t;
    int64_t since = t->event_time_ms - x.p->window_ms;
    rule_flows fl = {0};
    int n = 0, nin = 0, nout = 0;
    if (rule_is_trade(in->from) || !worth_a_look(x.p, in))
        return 0;
    int rc = count_both(&x, since, &nin, &nout, errstr, errstr_size);
    if (rc <= 0)
        return rc;
    rc = rule_read_flows(in, t->from_account, since, t->event_time_ms, &fl, errstr, errstr_size);
    if (rc == 0)
        judge(&x, &fl, nin, nout, hits, &n, room);
    rule_flows_free(&fl);
    return rc < 0 ? -1 : n;
}

static const cfg_entry gs_keys[] = {
    {.name = "window",
     .type = CFG_DURATION,
     .offset = offsetof(gs_params, window_ms),
     .def = "12h",
     .min = CFG_MINUTE,
     .max = 30 * CFG_DAY,
     .summary = "Time within which the hub collects and re-spreads.",
     .desc = "Time within which the hub collects and re-spreads."},
    {.name = "min.in",
     .type = CFG_INT,
     .offset = offsetof(gs_params, min_in),
     .def = "4",
     .min = 2,
     .max = 100000,
     .summary = "Distinct new senders into the hub within the window.",
     .desc = "Distinct new senders into the hub within the window."},
    {.name = "min.out",
     .type = CFG_INT,
     .offset = offsetof(gs_params, min_out),
     .def = "4",
     .min = 2,
     .max = 100000,
     .summary = "Distinct new receivers from the hub within the window.",
     .desc = "Distinct new receivers from the hub within the window."},
    {.name = "ratio",
     .type = CFG_INT,
     .offset = offsetof(gs_params, ratio_pct),
     .def = "85",
     .min = 1,
     .max = 100,
     .summary = "Percent of what the hub collected that it spread on within the window.",
     .desc = "Percent of what the hub collected that it spread on within the window."},
    {.name = NULL},
};

const rule_def rule_gatherscatter = {
    .name = "gatherscatter",
    .code = "GS",
    .summary = "money collected from many new senders and spread on to many new receivers",
    .config = {.what = "gather-scatter: money collected from many and spread to many again",
               .score = "70",
               .keys = gs_keys,
               .size = sizeof(gs_params)},
    .on_transfer = gs_on_transfer,
};
