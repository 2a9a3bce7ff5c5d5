/* rule_hops.c - the bounded backward search over money flows (rule_hops.h).
 *
 * Breadth-first from the root: expanding a node reads the in-flows of its
 * account in [time of its hop - max_gap, time of its hop), keeps those that the
 * hop conserves, and appends one node per kept flow. The graph of (account,
 * hop) states is acyclic because every step goes back in time, but an account
 * can still come back on one path (A -> B -> A -> ...); such a hop is skipped,
 * so every path is simple. A node the caller's may_pass() refuses is kept
 * (money can start there) but not expanded. Three bounds keep a hot account
 * from stalling the worker: max_flows transfers read per expansion, max_edges
 * hops kept per expansion, max_visits nodes in all.
 */
#include "rule_hops.h"
#include "vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hop_conserved(int64_t prev, int64_t next, int64_t pct)
{
    /* 128-bit: amounts go up to 10^15 minor units. */
    return next <= prev && (__int128)prev * pct <= (__int128)next * 100;
}

int64_t hop_pct(int64_t prev, int64_t next)
{
    return prev > 0 ? (int64_t)((__int128)next * 100 / prev) : 0;
}

int hop_not_trade(graph *g, const char *account, char *errstr, size_t errstr_size)
{
    ix_account a;
    int rc = graph_get_profile(g, account, &a, errstr, errstr_size);
    if (rc < 0)
        return -1;
    return rc == 0 || !rule_holder_is_trade(a.holder_type);
}

void hop_search_init(hop_search *s, const rule_input *in)
{
    memset(s, 0, sizeof(*s));
    s->g = in->g;
    s->root = in->t->from_account;
    s->root_time_ms = in->t->event_time_ms;
    s->root_amount = in->t->amount;
    s->max_flows = (int)in->c->search_max_flows;
    s->max_edges = (int)in->c->search_max_edges;
    s->max_visits = (int)in->c->search_max_visits;
    s->may_pass = hop_not_trade;
}

/* Whether `account` is node i or one of the nodes it paid on the way to the root. */
static int on_path(const hop_search *s, int i, const char *account)
{
    for (; i >= 0; i = s->nodes[i].parent)
        if (strcmp(s->nodes[i].via.peer, account) == 0)
            return 1;
    return 0;
}

/* Append a node; 0 when the budget is spent. */
static int add_node(hop_search *s, const graph_flow *via, int parent, int depth)
{
    if (s->n > s->max_visits) /* the root does not count */
        return 0;
    if (vec_reserve((void **)&s->nodes, &s->cap, (size_t)s->n + 1, sizeof(*s->nodes), 32) != 0)
        return -1;
    hop_node *nd = &s->nodes[s->n++];
    nd->via = *via;
    nd->parent = parent;
    nd->depth = depth;
    return 1;
}

/* What to do with one in-flow of node i: 1 keep it as a new node, 2 it is
 * the target, 0 skip it. */
static int judge_flow(const hop_search *s, int i, const graph_flow *f)
{
    const hop_node *nd = &s->nodes[i];
    if (!hop_conserved(f->amount, nd->via.amount, s->conserve_pct))
        return 0;
    if (s->target && strcmp(f->peer, s->target) == 0)
        return nd->depth + 1 >= s->min_target_depth ? 2 : 0;
    if (s->avoid && strcmp(f->peer, s->avoid) == 0)
        return 0;
    /* With a target, a node that cannot reach it within max_depth is useless. */
    if (s->target && nd->depth + 1 >= s->max_depth)
        return 0;
    return on_path(s, i, f->peer) ? 0 : 1;
}

/* Expand node i with the flows read into buf. */
static int expand(hop_search *s, int i, graph_flow *buf, char *errstr, size_t errstr_size)
{
    hop_node nd = s->nodes[i]; /* a copy: add_node() may move the array */
    int64_t from = nd.via.time_ms - s->max_gap_ms;
    int64_t to = nd.via.time_ms - 1; /* strictly earlier: money arrives before it leaves */
    if (from < s->floor_ms)
        from = s->floor_ms;
    if (to < from)
        return 0;
    int n =
        graph_flows(s->g, nd.via.peer, GRAPH_IN, from, to, buf, s->max_flows, errstr, errstr_size);
    if (n < 0)
        return -1;
    if (n == s->max_flows)
        s->truncated = 1; /* there may be more, unread */
    int kept = 0;
    for (int k = 0; k < n; k++) {
        int verdict = judge_flow(s, i, &buf[k]);
        if (verdict == 0)
            continue;
        if (verdict == 1 && kept++ >= s->max_edges) {
            s->truncated = 1;
            break;
        }
        int rc = add_node(s, &buf[k], i, nd.depth + 1);
        if (rc < 0) {
            snprintf(errstr, errstr_size, "out of memory");
            return -1;
        }
        if (rc == 0) {
            s->truncated = 1;
            break;
        }
        if (verdict == 2) {
            s->found = s->n - 1;
            break;
        }
    }
    return 0;
}

/* Expand node i, unless money may not be followed through its account. */
static int visit(hop_search *s, int i, graph_flow *buf, char *errstr, size_t errstr_size)
{
    s->visits++;
    if (i > 0 && s->may_pass) {
        int ok = s->may_pass(s->g, s->nodes[i].via.peer, errstr, errstr_size);
        if (ok <= 0)
            return ok;
    }
    return expand(s, i, buf, errstr, errstr_size);
}

int hop_search_run(hop_search *s, char *errstr, size_t errstr_size)
{
    graph_flow root;
    memset(&root, 0, sizeof(root));
    snprintf(root.peer, sizeof(root.peer), "%s", s->root);
    root.time_ms = s->root_time_ms;
    root.amount = s->root_amount;
    root.dir = GRAPH_IN;
    s->found = -1;
    graph_flow *buf = malloc((size_t)s->max_flows * sizeof(*buf));
    if (!buf || add_node(s, &root, -1, 0) < 0) {
        free(buf);
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < s->n && s->found < 0 && rc == 0; i++) {
        if (s->nodes[i].depth >= s->max_depth)
            break; /* breadth-first: every later node is as deep */
        if (s->n > s->max_visits) {
            s->truncated = 1;
            break;
        }
        rc = visit(s, i, buf, errstr, errstr_size);
    }
    free(buf);
    return rc;
}

void hop_search_free(hop_search *s)
{
    free(s->nodes);
    s->nodes = NULL;
    s->n = 0;
    s->cap = 0;
}

int hop_path(const hop_search *s, int leaf, const graph_flow **out, int max)
{
    /* From the leaf to the root is oldest to newest; beyond max, the oldest go. */
    int depth = s->nodes[leaf].depth, skip = depth > max ? depth - max : 0, k = 0;
    for (int step = 0, i = leaf; step < depth; step++, i = s->nodes[i].parent)
        if (step >= skip)
            out[k++] = &s->nodes[i].via;
    return k;
}
