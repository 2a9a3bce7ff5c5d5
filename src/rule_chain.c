/* rule_chain.c - layering chain: money hopping A -> B -> C -> D ..., each hop
 * soon after the previous one and carrying nearly all of it on.
 *
 * Evaluated on every transfer X -> Y as the newest hop of a possible chain.
 * Cheap checks first: the transfer must reach rules.passthrough.min.amount (a
 * chain is a pass-through hop after hop, and below that floor friends passing a
 * dinner bill along look the same; every earlier hop carries at least as much),
 * X must be no business or merchant, and X must have received money within
 * rules.chain.max.gap before it (its last money in), at least this transfer's
 * amount in the shortest rolling window covering the gap; nearly every transfer
 * stops here. Then a backward search (rule_hops.c) follows X's in-flows in
 * [t - max.gap, t) whose amount a conserves this one
 * (a * conserve / 100 <= x <= a), then the same from each sender, up to 16 hops
 * and within the rules.search.* bounds; money is not followed back through a
 * business or merchant (paying a supplier with a customer's money is trade),
 * though one can be the origin. The longest chain found wins (the first found
 * among equals). When it has at least rules.chain.min.hops hops, counting
 * X -> Y, every intermediary (not the origin, whose money it may be, nor Y,
 * which has not forwarded yet) gets one hit, CH01, with the whole chain as path
 * and evidence and the amount it passed on as the money at risk. The same chain
 * extended by a later hop hits its intermediaries again; rules_screen()'s
 * incidents suppress the repeats.
 */
#include <stdio.h>
#include <string.h>

#include "rule_hops.h"
#include "rules.h"

#define CH_MAX_HOPS  16      /* longest chain searched, counting the newest hop */
#define CH_MINUTE_MS 60000LL /* figures are in whole minutes */

/* Its own keys, rules.chain.*. */
typedef struct ch_params {
    int64_t max_gap_ms;   /* max.gap */
    int64_t min_hops;     /* min.hops */
    int64_t conserve_pct; /* conserve */
} ch_params;

/* floor: rules.passthrough.min.amount */
static int ch_worth_a_look(const ch_params *p, int64_t floor, const rule_input *in)
{
    const graph_acct *x = in->from;
    int64_t t = in->t->event_time_ms;
    if (in->t->amount < floor)
        return 0; /* every earlier hop carries at least this one: small change */
    if (rule_is_trade(x) || strcmp(in->t->from_account, in->t->to_account) == 0)
        return 0; /* X would be an intermediary; money to oneself is no hop */
    if (x->last_in_ms <= 0 || x->last_in_ms < t - p->max_gap_ms)
        return 0; /* nothing arrived within the gap that could be passed on */
    return x->win[rule_window_covering(p->max_gap_ms)].in_sum >= in->t->amount;
}

/* The first of the deepest nodes: breadth-first, depth never decreases. */
static int ch_deepest(const hop_search *s)
{
    int best = 0;
    for (int i = 1; i < s->n; i++)
        if (s->nodes[i].depth > s->nodes[best].depth)
            best = i;
    return best;
}

/* Figures over the hops, the newest being the triggering transfer. */
static void ch_figures(const ch_params *p, const graph_flow *const *hop, int k,
                       const ix_transfer *t, ix_finding *f)
{
    int64_t min_pct = 100, gap = 0;
    for (int j = 0; j < k; j++) {
        int64_t next_amount = j + 1 < k ? hop[j + 1]->amount : t->amount;
        int64_t next_time = j + 1 < k ? hop[j + 1]->time_ms : t->event_time_ms;
        int64_t pct = hop_pct(hop[j]->amount, next_amount);
        min_pct = pct < min_pct ? pct : min_pct;
        gap = next_time - hop[j]->time_ms > gap ? next_time - hop[j]->time_ms : gap;
    }
    rule_figure(f, "hops", k + 1, p->min_hops);
    rule_figure(f, "min_conserved_pct", min_pct, p->conserve_pct);
    rule_figure(f, "longest_gap_minutes", gap / CH_MINUTE_MS, p->max_gap_ms / CH_MINUTE_MS);
}

/* Path and evidence: the whole chain, or its newest part when it does not fit. */
static void ch_evidence(const graph_flow *const *hop, int k, const ix_transfer *t, ix_finding *f)
{
    int accounts = k + 2; /* origin .. X, then Y */
    for (int j = accounts > IX_PATH_MAX ? accounts - IX_PATH_MAX : 0; j < k; j++)
        rule_path(f, hop[j]->peer);
    rule_path(f, t->from_account);
    rule_path(f, t->to_account);
    for (int j = k + 1 > IX_EVIDENCE_MAX ? k + 1 - IX_EVIDENCE_MAX : 0; j < k; j++)
        rule_evidence_flow(f, j + 1 < k ? hop[j + 1]->peer : t->from_account, hop[j]);
    rule_evidence_transfer(f, t);
}

/* One hit per intermediary: hop[1..k-1]'s senders, then X. */
static void ch_hits(const cfg_rule *self, const graph_flow *const *hop, int k, const rule_input *in,
                    rule_hit *hits, int *n, int room)
{
    const ch_params *p = self->params;
    const ix_transfer *t = in->t;
    for (int i = 1; i <= k; i++) {
        const char *account = i < k ? hop[i]->peer : t->from_account;
        const char *bank = i < k ? hop[i]->peer_bank : t->from_bank;
        int64_t passed = i < k ? hop[i]->amount : t->amount; /* what it sent on */
        rule_hit *h =
            rule_hit_add(hits, n, room, account, bank, "chain", "CH01", (int)self->score, passed);
        if (!h)
            return;
        ch_figures(p, hop, k, t, &h->finding);
        ch_evidence(hop, k, t, &h->finding);
    }
    /* The end of the chain holds the money now: it is where a freeze still
     * stops it (CH02), unless it is a shop or a firm being paid. */
    if (rule_is_trade(in->to))
        return;
    rule_hit *h = rule_hit_add(hits, n, room, t->to_account, t->to_bank, "chain", "CH02",
                               (int)self->score, t->amount);
    if (!h)
        return;
    ch_figures(p, hop, k, t, &h->finding);
    ch_evidence(hop, k, t, &h->finding);
}

static int ch_on_transfer(const rules *r, const cfg_rule *self, const rule_input *in,
                          rule_hit *hits, int room, char *errstr, size_t errstr_size)
{
    const ch_params *p = self->params;
    const ix_transfer *t = in->t;
    int n = 0;
    if (!ch_worth_a_look(p, rule_passthrough_min_amount(r), in))
        return 0;
    hop_search s;
    hop_search_init(&s, in);
    s.conserve_pct = p->conserve_pct;
    s.max_gap_ms = p->max_gap_ms;
    s.max_depth = CH_MAX_HOPS - 1;
    s.avoid = t->to_account; /* a chain back into Y is a cycle, the cycle rule's */
    if (hop_search_run(&s, errstr, errstr_size) != 0) {
        hop_search_free(&s);
        return -1;
    }
    const graph_flow *hop[CH_MAX_HOPS];
    int leaf = ch_deepest(&s);
    int k = hop_path(&s, leaf, hop, CH_MAX_HOPS);
    if (k + 1 >= p->min_hops)
        ch_hits(self, hop, k, in, hits, &n, room);
    hop_search_free(&s);
    return n;
}

static const cfg_entry ch_keys[] = {
    {.name = "max.gap",
     .type = CFG_DURATION,
     .offset = offsetof(ch_params, max_gap_ms),
     .def = "7d",
     .min = CFG_MINUTE,
     .max = 30 * CFG_DAY,
     .summary = "Longest time between a hop and the next one.",
     .desc = "Street mules hop within minutes, organised layering within days; the default catches "
             "both."},
    {.name = "min.hops",
     .type = CFG_INT,
     .offset = offsetof(ch_params, min_hops),
     .def = "4",
     .min = 2,
     .max = 16,
     .summary = "Hops a chain needs before its intermediaries are flagged.",
     .desc = "A chain of four hops has three intermediaries, all flagged."},
    {.name = "conserve",
     .type = CFG_INT,
     .offset = offsetof(ch_params, conserve_pct),
     .def = "90",
     .min = 1,
     .max = 100,
     .summary = "Percent of a hop's amount the next hop must carry at least.",
     .desc = "Layering keeps amounts nearly whole; each hop may also carry at most the previous "
             "amount."},
    {.name = NULL},
};

const rule_def rule_chain = {
    .name = "chain",
    .code = "CH",
    .summary =
        "layering: money passed on hop after hop, nearly whole, each hop soon after the last",
    .config = {.what = "layering chain: money hopping A to B to C to D, each hop soon after the "
                       "last",
               .score = "60",
               .keys = ch_keys,
               .size = sizeof(ch_params)},
    .on_transfer = ch_on_transfer,
};
