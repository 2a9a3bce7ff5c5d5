/* rule_fanout.c - fan-out (scatter): one account paying many new receivers
 * within a short time, spreading money before it can be stopped.
 *
 * Evaluated on every transfer out of an account A at event time t. A receiver
 * is new when A's first transfer to it falls in [t - rules.fanout.window, t]:
 * paying the same landlord, family and shops as always is not a scattering.
 * The rule fires when A has at least rules.fanout.min.receivers new
 * receivers, this one included when it is new.
 *
 * Cost: the smallest rolling window covering the fan-out window counts every
 * transfer A sent in it, so A's transfers in there (plus this one) are an
 * upper bound on its new receivers; below the minimum the rule stops at once.
 * Otherwise A's counterparty edges are read (bounded by
 * rules.search.max.edges; the edges carry the time of A's first transfer to
 * each), and only for a finding A's recent transfers, for evidence.
 * Businesses and merchants are exempt: payroll and supplier runs look exactly
 * like this. Reason code FO01; the hit is on A, with the money paid to the
 * new receivers as the amount.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

/* A's counterparties paid within the window. */
typedef struct fo_edges {
    graph_edge *e;
    int n;
    int nnew;    /* of them new within the window */
    int64_t sum; /* money paid to the new ones */
} fo_edges;

static win_id covering_window(int64_t len_ms)
{
    for (int w = 0; w < WIN__COUNT; w++)
        if (win_length_ms((win_id)w) >= len_ms)
            return (win_id)w;
    return WIN_30D;
}

static int exempt(const graph_acct *a)
{
    return a->holder_type == IX_HOLDER_BUSINESS || a->holder_type == IX_HOLDER_MERCHANT;
}

static int worth_a_look(const cfg *c, const rule_input *in)
{
    return in->from->win[covering_window(c->fo_window_ms)].out_count + 1 >= c->fo_min_receivers;
}

static int is_new(const graph_edge *e, int64_t since, int64_t t)
{
    return e->first_ms >= since && e->first_ms <= t;
}

/* Read the counterparties A paid and count the new ones. */
static int read_edges(const rule_input *in, int64_t since, fo_edges *ed, char *errstr,
                      size_t errstr_size)
{
    int max = (int)in->c->search_max_edges;
    ed->e = malloc((size_t)max * sizeof(*ed->e));
    if (!ed->e) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    int total =
        graph_edges(in->g, in->t->from_account, GRAPH_OUT, since, ed->e, max, errstr, errstr_size);
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

static int to_new_receiver(const graph_flow *fl, const fo_edges *ed, int64_t since, int64_t t)
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

/* Evidence: the most recent transfers to new receivers; path: A, then
 * their receivers, oldest first. */
static int add_evidence(const rule_input *in, int64_t since, const fo_edges *ed, ix_finding *f,
                        char *errstr, size_t errstr_size)
{
    const ix_transfer *t = in->t;
    int max = (int)in->c->search_max_flows, k = 0;
    graph_flow *fl = malloc((size_t)max * sizeof(*fl));
    if (!fl) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    int n = graph_flows(in->g, t->from_account, GRAPH_OUT, since, t->event_time_ms, fl, max, errstr,
                        errstr_size);
    for (int i = 0; i < n; i++)
        if (to_new_receiver(&fl[i], ed, since, t->event_time_ms))
            fl[k++] = fl[i];
    int first = k > IX_EVIDENCE_MAX ? k - IX_EVIDENCE_MAX : 0;
    for (int i = first; i < k; i++)
        rule_evidence_flow(f, t->from_account, &fl[i]);
    /* Receivers of the newest evidence first, so the path keeps the latest. */
    int pick[IX_PATH_MAX - 1], npick = 0;
    for (int i = k - 1; i >= first && npick < IX_PATH_MAX - 1; i--) {
        int dup = 0;
        for (int j = 0; j < npick && !dup; j++)
            dup = strcmp(fl[pick[j]].peer, fl[i].peer) == 0;
        if (!dup)
            pick[npick++] = i;
    }
    rule_path(f, t->from_account);
    for (int j = npick - 1; j >= 0; j--)
        if (!in_path(f, fl[pick[j]].peer))
            rule_path(f, fl[pick[j]].peer);
    free(fl);
    return n < 0 ? -1 : 0;
}

static int fo_on_transfer(const rules *r, const rule_input *in, rule_hit *hits, int room,
                          char *errstr, size_t errstr_size)
{
    const cfg *c = rules_cfg(r);
    const ix_transfer *t = in->t;
    int64_t since = t->event_time_ms - c->fo_window_ms;
    fo_edges ed = {0};
    int n = 0, rc;
    if (!c->fo_enabled || exempt(in->from) || !worth_a_look(c, in))
        return 0;
    rc = read_edges(in, since, &ed, errstr, errstr_size);
    if (rc == 0 && ed.nnew >= c->fo_min_receivers) {
        rule_hit *h = rule_hit_add(hits, &n, room, t->from_account, t->from_bank, "fanout", "FO01",
                                   (int)c->fo_score, ed.sum);
        if (h) {
            rule_figure(&h->finding, "new_receivers", ed.nnew, c->fo_min_receivers);
            rc = add_evidence(in, since, &ed, &h->finding, errstr, errstr_size);
        }
    }
    free(ed.e);
    return rc < 0 ? -1 : n;
}

const rule_def rule_fanout = {
    .name = "fanout",
    .code = "FO",
    .summary = "one account paying many new receivers within a short time",
    .on_transfer = fo_on_transfer,
};
