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
    int64_t window_ms; /* window */
    int64_t min_new;   /* min.senders, min.receivers */
} fan_params;

/* One of the two rules: its direction, names and thresholds. */
typedef struct fan_rule {
    graph_dir dir; /* GRAPH_IN: fan-in, on the receiver; GRAPH_OUT: fan-out, on the sender */
    const char *name, *code;
    const char *figure; /* the count of new counterparties */
    int64_t score, window_ms, min_new;
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

static int fan_on_transfer(const fan_rule *p, const rule_input *in, rule_hit *hits, int room,
                           char *errstr, size_t errstr_size)
{
    rule_side s = rule_side_of(in, p->dir);
    int64_t since = in->t->event_time_ms - p->window_ms;
    rule_edges ed = {0};
    int n = 0, rc;
    if (rule_is_trade(s.state) || !worth_a_look(p, &s))
        return 0;
    rc = rule_read_edges(in, s.account, p->dir, since, &ed, errstr, errstr_size);
    if (rc == 0 && ed.nnew >= p->min_new) {
        rule_hit *h = rule_hit_add(hits, &n, room, s.account, s.bank, p->name, p->code,
                                   (int)p->score, ed.sum_new);
        if (h) {
            rule_figure(&h->finding, p->figure, ed.nnew, p->min_new);
            rc = add_evidence(in, &s, since, &ed, &h->finding, errstr, errstr_size);
        }
    }
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
                        .figure = "new_senders",
                        .score = self->score,
                        .window_ms = k->window_ms,
                        .min_new = k->min_new};
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
                        .figure = "new_receivers",
                        .score = self->score,
                        .window_ms = k->window_ms,
                        .min_new = k->min_new};
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
