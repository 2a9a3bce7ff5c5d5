/* rule_fanin.c - fan-in (gather): many new senders paying one account within
 * a short time, the collection account of a fraud or laundering ring.
 *
 * Evaluated on every transfer into an account B at event time t. A sender is
 * new when its first transfer to B falls in [t - rules.fanin.window, t]: B's
 * friends, employer and tenants of long standing are not a gathering, however
 * many pay on the same day. The rule fires when B has at least
 * rules.fanin.min.senders new senders, this one included when it is new.
 *
 * Cost: the smallest rolling window covering the fan-in window counts every
 * transfer B received in it, so B's transfers in there (plus this one) are an
 * upper bound on its new senders; below the minimum the rule stops at once.
 * Otherwise B's counterparty edges are read (bounded by
 * rules.search.max.edges; the edges carry the time of each sender's first
 * transfer), and only for a finding B's recent transfers, for evidence.
 * Merchants and businesses are exempt: many customers paying is their
 * business (a supplier's new clients paying their first invoices looks
 * exactly like a gathering). Reason code FI01; the hit is on B, with the
 * money the new senders paid as the amount.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

/* B's counterparties paying in within the window. */
typedef struct fi_edges {
    graph_edge *e;
    int n;
    int nnew;    /* of them new within the window */
    int64_t sum; /* money from the new ones */
} fi_edges;

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

static int worth_a_look(const cfg *c, const rule_input *in)
{
    return in->to->win[covering_window(c->fi_window_ms)].in_count + 1 >= c->fi_min_senders;
}

static int is_new(const graph_edge *e, int64_t since, int64_t t)
{
    return e->first_ms >= since && e->first_ms <= t;
}

/* Read B's paying counterparties and count the new ones. */
static int read_edges(const rule_input *in, int64_t since, fi_edges *ed, char *errstr,
                      size_t errstr_size)
{
    int max = (int)in->c->search_max_edges;
    ed->e = malloc((size_t)max * sizeof(*ed->e));
    if (!ed->e) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    int total =
        graph_edges(in->g, in->t->to_account, GRAPH_IN, since, ed->e, max, errstr, errstr_size);
    if (total < 0)
        return -1;
    ed->n = total < max ? total : max; /* past the bound: judge by what was read */
    for (int i = 0; i < ed->n; i++)
        if (is_new(&ed->e[i], since, in->t->event_time_ms)) {
            ed->nnew++;
            ed->sum += ed->e[i].sum;
        }
    return 0;
}

static int from_new_sender(const graph_flow *fl, const fi_edges *ed, int64_t since, int64_t t)
{
    for (int i = 0; i < ed->n; i++)
        if (strcmp(ed->e[i].peer, fl->peer) == 0)
            return is_new(&ed->e[i], since, t);
    return 0;
}

static int in_path(const ix_finding *f, const char *account)
{
    for (int i = 0; i < f->npath; i++)
        if (strcmp(f->path[i], account) == 0)
            return 1;
    return 0;
}

/* Evidence: the most recent transfers from new senders; path: their
 * senders, oldest first, then B. */
static int add_evidence(const rule_input *in, int64_t since, const fi_edges *ed, ix_finding *f,
                        char *errstr, size_t errstr_size)
{
    const ix_transfer *t = in->t;
    int max = (int)in->c->search_max_flows, k = 0;
    graph_flow *fl = malloc((size_t)max * sizeof(*fl));
    if (!fl) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    int n = graph_flows(in->g, t->to_account, GRAPH_IN, since, t->event_time_ms, fl, max, errstr,
                        errstr_size);
    for (int i = 0; i < n; i++)
        if (from_new_sender(&fl[i], ed, since, t->event_time_ms))
            fl[k++] = fl[i];
    int first = k > IX_EVIDENCE_MAX ? k - IX_EVIDENCE_MAX : 0;
    for (int i = first; i < k; i++)
        rule_evidence_flow(f, t->to_account, &fl[i]);
    /* Senders of the newest evidence first, so the path keeps the latest. */
    int pick[IX_PATH_MAX - 1], npick = 0;
    for (int i = k - 1; i >= first && npick < IX_PATH_MAX - 1; i--) {
        int dup = 0;
        for (int j = 0; j < npick && !dup; j++)
            dup = strcmp(fl[pick[j]].peer, fl[i].peer) == 0;
        if (!dup)
            pick[npick++] = i;
    }
    for (int j = npick - 1; j >= 0; j--)
        if (!in_path(f, fl[pick[j]].peer))
            rule_path(f, fl[pick[j]].peer);
    rule_path(f, t->to_account);
    free(fl);
    return n < 0 ? -1 : 0;
}

static int fi_on_transfer(const rules *r, const rule_input *in, rule_hit *hits, int room,
                          char *errstr, size_t errstr_size)
{
    const cfg *c = rules_cfg(r);
    const ix_transfer *t = in->t;
    int64_t since = t->event_time_ms - c->fi_window_ms;
    fi_edges ed = {0};
    int n = 0, rc;
    if (!c->fi_enabled || exempt(in->to) || !worth_a_look(c, in))
        return 0;
    rc = read_edges(in, since, &ed, errstr, errstr_size);
    if (rc == 0 && ed.nnew >= c->fi_min_senders) {
        rule_hit *h = rule_hit_add(hits, &n, room, t->to_account, t->to_bank, "fanin", "FI01",
                                   (int)c->fi_score, ed.sum);
        if (h) {
            rule_figure(&h->finding, "new_senders", ed.nnew, c->fi_min_senders);
            rc = add_evidence(in, since, &ed, &h->finding, errstr, errstr_size);
        }
    }
    free(ed.e);
    return rc < 0 ? -1 : n;
}

const rule_def rule_fanin = {
    .name = "fanin",
    .code = "FI",
    .summary = "many new senders paying one account within a short time",
    .on_transfer = fi_on_transfer,
};
