/* rule_cycle.c - round-tripping: money coming back to an account it left,
 * within a few hops and a window, nearly whole at every hop.
 *
 * Evaluated on every transfer X -> Y as the hop that may close a cycle
 * Y -> ... -> X -> Y. Cheap checks first: the transfer must reach
 * rules.passthrough.min.amount (small change goes round among friends), X and Y
 * must be no business or merchant (trade goes round between suppliers), Y must
 * have sent money within rules.cycle.window before it, and X received some (its
 * last money in), at least this transfer's amount in the shortest rolling
 * window covering the window; nearly every transfer stops here. Then a backward
 * search (rule_hops.c) from X through in-flows further and further back, all
 * within [t - window, t), each conserving the next hop
 * (a * conserve / 100 <= x <= a), looking for a transfer sent by Y.
 * Breadth-first, so the shortest cycle is found first; its hops may number from
 * 3 (a payment and its refund, two hops, is everyday life) to
 * rules.cycle.max.hops, through distinct accounts none of which is a business
 * or merchant. Every account on the cycle gets one hit, CY01, with the cycle as
 * path and evidence and the amount it sent on around the cycle as the money at
 * risk.
 */
#include <string.h>

#include "rule_hops.h"
#include "rules.h"

#define CY_MIN_HOPS  3       /* two hops are a payment and its refund */
#define CY_MAX_HOPS  16      /* the configuration's own bound */
#define CY_MINUTE_MS 60000LL /* figures are in whole minutes */

/* Its own keys, rules.cycle.*. */
typedef struct cy_params {
    int64_t window_ms;    /* window */
    int64_t max_hops;     /* max.hops */
    int64_t conserve_pct; /* conserve */
} cy_params;

/* floor: rules.passthrough.min.amount */
static int cy_worth_a_look(const cy_params *p, int64_t floor, const rule_input *in)
{
    int64_t since = in->t->event_time_ms - p->window_ms;
    const graph_acct *x = in->from, *y = in->to;
    if (in->t->amount < floor)
        return 0; /* every earlier hop carries at least this one: small change */
    if (rule_is_trade(x) || rule_is_trade(y))
        return 0; /* both would be on the cycle */
    if (y->last_out_ms <= 0 || y->last_out_ms < since)
        return 0; /* Y sent nothing that could have come back */
    if (x->last_in_ms <= 0 || x->last_in_ms < since)
        return 0;
    return x->win[rule_window_covering(p->window_ms)].in_sum >= in->t->amount;
}

static void cy_figures(const cy_params *p, const graph_flow *const *hop, int k,
                       const ix_transfer *t, ix_finding *f)
{
    int64_t min_pct = 100;
    for (int j = 0; j < k; j++) {
        int64_t pct = hop_pct(hop[j]->amount, j + 1 < k ? hop[j + 1]->amount : t->amount);
        min_pct = pct < min_pct ? pct : min_pct;
    }
    rule_figure(f, "hops", k + 1, p->max_hops);
    rule_figure(f, "span_minutes", (t->event_time_ms - hop[0]->time_ms) / CY_MINUTE_MS,
                p->window_ms / CY_MINUTE_MS);
    rule_figure(f, "min_conserved_pct", min_pct, p->conserve_pct);
}

/* Path Y, ..., X, Y and every transfer around the cycle. */
static void cy_evidence(const graph_flow *const *hop, int k, const ix_transfer *t, ix_finding *f)
{
    for (int j = 0; j < k; j++)
        rule_path(f, hop[j]->peer);
    rule_path(f, t->from_account);
    rule_path(f, t->to_account);
    for (int j = 0; j < k; j++)
        rule_evidence_flow(f, j + 1 < k ? hop[j + 1]->peer : t->from_account, hop[j]);
    rule_evidence_transfer(f, t);
}

/* One hit per account on the cycle, Y first: hop[j]'s sender sent hop[j]. */
static void cy_hits(const cfg_rule *self, const graph_flow *const *hop, int k, const ix_transfer *t,
                    rule_hit *hits, int *n, int room)
{
    const cy_params *p = self->params;
    for (int i = 0; i <= k; i++) {
        const char *account = i < k ? hop[i]->peer : t->from_account;
        const char *bank = i == 0 ? t->to_bank : i < k ? hop[i]->peer_bank : t->from_bank;
        int64_t sent = i < k ? hop[i]->amount : t->amount;
        rule_hit *h =
            rule_hit_add(hits, n, room, account, bank, "cycle", "CY01", (int)self->score, sent);
        if (!h)
            return;
        cy_figures(p, hop, k, t, &h->finding);
        cy_evidence(hop, k, t, &h->finding);
    }
}

static int cy_on_transfer(const rules *r, const cfg_rule *self, const rule_input *in,
                          rule_hit *hits, int room, char *errstr, size_t errstr_size)
{
    const cy_params *p = self->params;
    const ix_transfer *t = in->t;
    int n = 0;
    if (p->max_hops < CY_MIN_HOPS || strcmp(t->from_account, t->to_account) == 0 ||
        !cy_worth_a_look(p, rule_passthrough_min_amount(r), in))
        return 0;
    hop_search s;
    hop_search_init(&s, in);
    s.conserve_pct = p->conserve_pct;
    s.max_gap_ms = p->window_ms; /* no gap of its own: the window bounds all */
    s.floor_ms = t->event_time_ms - p->window_ms;
    s.max_depth = (int)p->max_hops - 1; /* the hop from Y is the deepest */
    s.target = t->to_account;
    s.min_target_depth = CY_MIN_HOPS - 1;
    if (hop_search_run(&s, errstr, errstr_size) != 0) {
        hop_search_free(&s);
        return -1;
    }
    if (s.found >= 0) {
        const graph_flow *hop[CY_MAX_HOPS];
        int k = hop_path(&s, s.found, hop, CY_MAX_HOPS);
        cy_hits(self, hop, k, t, hits, &n, room);
    }
    hop_search_free(&s);
    return n;
}

static const cfg_entry cy_keys[] = {
    {.name = "window",
     .type = CFG_DURATION,
     .offset = offsetof(cy_params, window_ms),
     .def = "14d",
     .min = CFG_MINUTE,
     .max = 30 * CFG_DAY,
     .summary = "Time from the money leaving to its return.",
     .desc = "Time from the money leaving to its return."},
    {.name = "max.hops",
     .type = CFG_INT,
     .offset = offsetof(cy_params, max_hops),
     .def = "6",
     .min = 2,
     .max = 16,
     .summary = "Longest cycle searched, in hops.",
     .desc =
         "Longer cycles cost more to search and are rarer; A to B to C and back is three hops."},
    {.name = "conserve",
     .type = CFG_INT,
     .offset = offsetof(cy_params, conserve_pct),
     .def = "95",
     .min = 1,
     .max = 100,
     .summary = "Percent of a hop's amount the next hop must carry at least.",
     .desc = "Percent of a hop's amount the next hop must carry at least."},
    {.name = NULL},
};

const rule_def rule_cycle = {
    .name = "cycle",
    .code = "CY",
    .summary = "round-tripping: money back at an account it left, within a few hops and a window",
    .config = {.what = "cycle (round-tripping): money coming back to an account it left",
               .score = "80",
               .keys = cy_keys,
               .size = sizeof(cy_params)},
    .on_transfer = cy_on_transfer,
};
