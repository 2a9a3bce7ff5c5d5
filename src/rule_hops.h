/* rule_hops.h - the backward search over money flows shared by the chain and
 * cycle rules.
 *
 * Both rules ask the same question of a transfer X -> Y: which sequences of
 * earlier transfers, each conserving the money of the next, led into X? The
 * search walks X's in-flows backward in time, breadth-first, one node per
 * (account, hop) reached, and stops at the depth limit, at a target account
 * (the cycle rule's Y) or when its budget is spent. It never fails because of
 * a bound: it returns what it found, with `truncated` set.
 *
 * @locality called by the rules on the screening workers; a search owns its
 *           node array and touches the graph only through graph_flows().
 */
#ifndef IX_RULE_HOPS_H
#define IX_RULE_HOPS_H

#include <stddef.h>
#include <stdint.h>

#include "graph.h"
#include "rules.h"

/* One account reached: `via` is the transfer it sent towards the root (its
 * peer is this account, seen from the receiver). The root's `via` is made up
 * from the triggering transfer: peer = X, its time and amount. */
typedef struct hop_node {
    graph_flow via;
    int parent; /* index of the node it paid; -1 for the root */
    int depth;  /* transfers between it and the root */
} hop_node;

typedef struct hop_search {
    /* what to search */
    graph *g;
    const char *root;     /* X: the sender of the triggering transfer */
    int64_t root_time_ms; /* the triggering transfer's event time */
    int64_t root_amount;  /* and amount */
    int64_t conserve_pct; /* an earlier hop a and the next x: a*pct/100 <= x <= a */
    int64_t max_gap_ms;   /* an earlier hop at most this long before the next */
    int64_t floor_ms;     /* and never before this */
    int max_depth;        /* no node deeper than this */
    const char *avoid;    /* an account never passed through (NULL: none) */
    const char *target;   /* stop at the first hop sent by this account (NULL: none) */
    int min_target_depth; /* ... found at this depth or deeper */
    int max_flows;        /* transfers read per account expanded */
    int max_edges;        /* hops followed per account expanded */
    int max_visits;       /* accounts reached in all (nodes, root excluded) */
    /* Whether money may be followed back through an account (NULL: always):
     * 1 yes, 0 no (it can still start the money's way), -1 error. */
    int (*may_pass)(graph *g, const char *account, char *errstr, size_t errstr_size);
    /* what it found */
    hop_node *nodes; /* [0] is the root; breadth-first, so depth never decreases */
    int n;
    size_t cap;
    int visits;    /* accounts expanded (flow reads) */
    int found;     /* the target's node, or -1 */
    int truncated; /* a bound was hit: the answer may be partial */
} hop_search;

/* Run the search; s's inputs set, its results zero. Returns 0, or -1 with
 * errstr filled (a storage error or out of memory). Free with
 * hop_search_free() either way. */
int hop_search_run(hop_search *s, char *errstr, size_t errstr_size);
void hop_search_free(hop_search *s);

/* The transfers from node `leaf` to the root, oldest first: out[0] was sent
 * by `leaf`, out[k-1] arrived at the root. Returns k, the leaf's depth; when
 * that exceeds max, only the newest max are given. */
int hop_path(const hop_search *s, int leaf, const graph_flow **out, int max);

/* Whether a hop of amount `next` conserves an earlier one of amount `prev`:
 * prev*pct/100 <= next <= prev, exactly, in integers. */
int hop_conserved(int64_t prev, int64_t next, int64_t pct);

/* next as a whole percentage of prev, rounded down (the figure reported). */
int64_t hop_pct(int64_t prev, int64_t next);

/* Businesses and merchants pass money on as their trade (a supplier paid
 * with a customer's money pays its own supplier): the chain and cycle rules
 * do not follow money through them. A may_pass() that reads the account's
 * profile (no profile: a person); rule_is_trade() judges from a snapshot. */
int hop_not_trade(graph *g, const char *account, char *errstr, size_t errstr_size);

/* A search rooted at the sender X of the transfer X -> Y that `in` screens:
 * its time and amount, the rules.search.* bounds, and money not followed
 * through a business or merchant (hop_not_trade). Everything else is zero;
 * the caller sets what to look for. */
void hop_search_init(hop_search *s, const rule_input *in);

#endif /* IX_RULE_HOPS_H */
