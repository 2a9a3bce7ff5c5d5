/* rule_trace.c - victim report: follow a reported transfer's money
 * downstream through the recent flow and ask for a freeze wherever it went.
 *
 * The search is breadth-first in time order. Money that reaches an account at
 * time t is followed into the account's transfers out after t (within the
 * horizon from the victim's transfer), split proportionally: when the account
 * sent on more than the traced amount (mixing in money of its own), each
 * onward transfer carries its share of the traced amount; when it sent on
 * less, the rest stays with it. A branch stops at the depth limit, below the
 * minimum amount, or when the search budget is spent. Every account reached
 * gets one request with the total traced to it: VR01 for the direct recipient
 * of the victim's money, VR02 further downstream.
 */
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "rules.h"

#define DAY_MS 86400000LL

/* Its own keys, rules.trace.*. */
typedef struct tr_params {
    int64_t depth;      /* depth */
    int64_t horizon_ms; /* horizon */
    int64_t min_amount; /* min.amount */
} tr_params;

typedef struct node {
    char account[IX_ACCOUNT_MAX + 1];
    char bank[IX_BANK_MAX + 1];
    int64_t traced;  /* money of the victim that arrived here, in total */
    int64_t arrived; /* when it first arrived */
    int depth;
    int parent;     /* index of the node it came from; -1 for the first */
    graph_flow via; /* the transfer that brought it here (first path) */
} node;

typedef struct trace {
    const cfg *c;
    const tr_params *p;
    int64_t score;
    graph *g;
    node *nodes;
    int n, cap;
    int64_t horizon_end;
    const char *victim; /* never a target, even if money flows back */
    graph_flow *buf;    /* scratch for flow reads */
} trace;

static int find_node(const trace *t, const char *account)
{
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->nodes[i].account, account) == 0)
            return i;
    return -1;
}

/* Add money arriving at an account; a new account joins the queue. */
static void arrive(trace *t, const graph_flow *via, int parent, int64_t amount, int depth)
{
    if (strcmp(via->peer, t->victim) == 0)
        return;
    int i = find_node(t, via->peer);
    if (i >= 0) {
        t->nodes[i].traced += amount;
        return;
    }
    if (t->n >= t->cap)
        return; /* budget spent: the account is not followed */
    node *nd = &t->nodes[t->n++];
    memset(nd, 0, sizeof(*nd));
    memcpy(nd->account, via->peer, sizeof(nd->account));
    memcpy(nd->bank, via->peer_bank, sizeof(nd->bank));
    nd->traced = amount;
    nd->arrived = via->time_ms;
    nd->depth = depth;
    nd->parent = parent;
    nd->via = *via;
}

/* Follow the money at node i into its onward transfers. */
static int follow(trace *t, int i, char *errstr, size_t errstr_size)
{
    node nd = t->nodes[i]; /* a copy: arrive() appends to the array */
    if (nd.depth >= t->p->depth)
        return 0;
    int n = graph_flows(t->g, nd.account, GRAPH_OUT, nd.arrived, t->horizon_end, t->buf,
                        (int)t->c->search_max_flows, errstr, errstr_size);
    if (n < 0)
        return -1;
    int64_t total = 0;
    for (int k = 0; k < n; k++)
        total += t->buf[k].amount;
    for (int k = 0; k < n && total > 0; k++) {
        const graph_flow *f = &t->buf[k];
        /* share = amount * min(1, traced / total), in 128-bit to avoid overflow */
        int64_t share =
            total > nd.traced ? (int64_t)((__int128)f->amount * nd.traced / total) : f->amount;
        if (share >= t->p->min_amount)
            arrive(t, f, i, share, nd.depth + 1);
    }
    return 0;
}

/* The victim's transfer, from the victim's recent outgoing flows. */
static int find_victim_transfer(trace *t, const ix_report *rep, graph_flow *out, char *errstr,
                                size_t errstr_size)
{
    int64_t from = rep->reported_at_ms - t->p->horizon_ms - DAY_MS;
    int cap = (int)t->c->search_max_flows * 16;
    graph_flow *buf = calloc((size_t)cap, sizeof(*buf));
    if (!buf) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    int n = graph_flows(t->g, rep->victim_account, GRAPH_OUT, from, rep->reported_at_ms + DAY_MS,
                        buf, cap, errstr, errstr_size);
    int found = 0;
    for (int k = 0; k < n && !found; k++)
        if (strcmp(buf[k].transfer_id, rep->transfer_id) == 0) {
            *out = buf[k];
            found = 1;
        }
    free(buf);
    return n < 0 ? -1 : found;
}

/* The path from the victim to node i, oldest hop first. */
static void fill_path(const trace *t, int i, const ix_report *rep, ix_finding *f)
{
    int chain[IX_PATH_MAX];
    int len = 0;
    for (int k = i; k >= 0 && len < IX_PATH_MAX - 1; k = t->nodes[k].parent)
        chain[len++] = k;
    rule_path(f, rep->victim_account);
    for (int k = len - 1; k >= 0; k--) {
        const node *nd = &t->nodes[chain[k]];
        const char *from = nd->parent >= 0 ? t->nodes[nd->parent].account : rep->victim_account;
        rule_path(f, nd->account);
        rule_evidence_flow(f, from, &nd->via); /* an outgoing flow of `from` */
    }
}

static void build(const trace *t, const rules *r, const ix_report *rep, int i, int64_t now_ms,
                  ix_request *q)
{
    const node *nd = &t->nodes[i];
    memset(q, 0, sizeof(*q));
    rules_request_id(nd->account, rep->id, t->c->rule_set, q->id, sizeof(q->id));
    memcpy(q->account, nd->account, sizeof(q->account));
    memcpy(q->bank, nd->bank, sizeof(q->bank));
    q->score = (int)(t->score > 100 ? 100 : t->score);
    q->action = rules_action_for(r, q->score);
    snprintf(q->rule_set, sizeof(q->rule_set), "%s", t->c->rule_set);
    memcpy(q->trigger_id, rep->id, sizeof(q->trigger_id));
    q->trigger_amount = rep->amount;
    memcpy(q->currency, rep->currency, sizeof(q->currency));
    q->trigger_time_ms = rep->reported_at_ms;
    q->detected_at_ms = now_ms;
    q->nfindings = 1;
    ix_finding *f = &q->findings[0];
    f->rule = "victim_trace";
    f->code = nd->depth == 1 ? "VR01" : "VR02";
    f->score = q->score;
    f->amount = nd->traced;
    fill_path(t, i, rep, f);
    rule_figure(f, "hops_from_victim", nd->depth, t->p->depth);
    rule_figure(f, "traced_amount", nd->traced, t->p->min_amount);
}

static const cfg_entry tr_keys[] = {
    {.name = "depth",
     .type = CFG_INT,
     .offset = offsetof(tr_params, depth),
     .def = "5",
     .min = 1,
     .max = 16,
     .summary = "Hops followed downstream from the victim's transfer.",
     .desc = "Hops followed downstream from the victim's transfer."},
    {.name = "horizon",
     .type = CFG_DURATION,
     .offset = offsetof(tr_params, horizon_ms),
     .def = "7d",
     .min = CFG_MINUTE,
     .max = 30 * CFG_DAY,
     .summary = "Time after the victim's transfer within which onward transfers are followed.",
     .desc = "Time after the victim's transfer within which onward transfers are followed."},
    {.name = "min.amount",
     .type = CFG_MONEY,
     .offset = offsetof(tr_params, min_amount),
     .def = "100.00",
     .min = 1,
     .max = DEC_AMOUNT_MAX,
     .summary = "Traced amount below which a branch is not followed further.",
     .desc = "Money is split proportionally over an account's onward transfers; tiny shares are "
             "noise."},
    {.name = NULL},
};

/* Not one of rules_table: it follows victim reports, not transfers (rules_trace()). */
const rule_def rule_trace = {
    .name = "trace",
    .code = "VR",
    .summary = "a victim's reported transfer followed downstream to every account it reached",
    .config = {.what = "victim report: follow a reported transfer's money downstream and freeze "
                       "where it went",
               .score = "100",
               .keys = tr_keys,
               .size = sizeof(tr_params)},
};

int rules_trace(const rules *r, graph *g, const ix_report *rep, int64_t now_ms, ix_request *out,
                int max, int *found, uint64_t *hit_counts, char *errstr, size_t errstr_size)
{
    const cfg *c = rules_cfg(r);
    const cfg_rule *self = rules_conf(r, &rule_trace);
    trace t = {
        .c = c, .p = self->params, .score = self->score, .g = g, .victim = rep->victim_account};
    graph_flow first;
    int rc = -1, nout = 0;
    *found = 0;
    if (!self->enabled)
        return 0;
    t.cap = (int)(c->search_max_visits < RULES_MAX_TRACE * 16 ? c->search_max_visits
                                                              : RULES_MAX_TRACE * 16);
    t.nodes = calloc((size_t)t.cap, sizeof(*t.nodes));
    t.buf = calloc((size_t)c->search_max_flows, sizeof(*t.buf));
    if (!t.nodes || !t.buf) {
        snprintf(errstr, errstr_size, "out of memory");
        goto out;
    }
    int ok = find_victim_transfer(&t, rep, &first, errstr, errstr_size);
    if (ok <= 0) {
        rc = ok;
        goto out;
    }
    *found = 1;
    t.horizon_end = first.time_ms + t.p->horizon_ms;
    int64_t start = first.amount < rep->amount ? first.amount : rep->amount;
    arrive(&t, &first, -1, start, 1);
    /* Breadth-first: nodes are appended as they are reached. */
    for (int i = 0; i < t.n; i++)
        if (follow(&t, i, errstr, errstr_size) != 0)
            goto out;
    for (int i = 0; i < t.n && nout < max; i++) {
        build(&t, r, rep, i, now_ms, &out[nout]);
        /* Record the incident; a victim report is always sent, as a new incident. */
        if (graph_raise_incident(g, t.nodes[i].account, out[nout].action, rep->reported_at_ms,
                                 c->incident_cooldown_ms, errstr, errstr_size) < 0)
            goto out;
        nout++;
    }
    if (hit_counts)
        hit_counts[RULES_TRACE_SLOT] += (uint64_t)nout;
    rc = nout;
out:
    free(t.nodes);
    free(t.buf);
    return rc;
}
