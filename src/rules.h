/* rules.h - the detection engine: named rules over the account graph, their
 * findings, and the freeze requests that follow from them.
 *
 * Every rule has the same shape (rule_def): a name, a stable reason code, its
 * configuration keys (a config map, rules.<name>.*), and an evaluation
 * function that reads the transfer, both accounts' state just before it and,
 * when it needs to, the graph; it returns hits (an account and a finding with
 * evidence). Adding a rule is a rule_*.c file and a line in rules_all (and in
 * rules_table when it screens transfers). rules_screen() remembers each
 * account's findings in its score memory (each rule's strongest within
 * score.horizon, score.h), maps the account's score to an action with the
 * configured thresholds, asks the graph whether the account already has an
 * open incident, and builds one freeze request per account that needs one,
 * with every part of its score.
 *
 * @locality rules_screen() is called concurrently by the workers; neither the
 *           rule set nor the cfg it reads changes once created (a reload
 *           builds a new cfg and a new rule set).
 */
#ifndef IX_RULES_H
#define IX_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "graph.h"
#include "model.h"

typedef struct rules rules;

/* What one rule evaluation sees. */
typedef struct rule_input {
    const ix_transfer *t;
    const graph_acct *from; /* sender's state just before t (t is already applied) */
    const graph_acct *to;   /* receiver's state just before t */
    graph *g;               /* for rules that look further than the two accounts */
    const cfg *c;           /* the configuration: rules.search.* bounds and the like */
} rule_input;

/* One account a rule wants acted upon, with why. */
typedef struct rule_hit {
    char account[IX_ACCOUNT_MAX + 1];
    char bank[IX_BANK_MAX + 1];
    ix_finding finding;
    int slot; /* the rule's index in rules_table: its slot in the score memory */
} rule_hit;

#define RULES_MAX_HITS  32 /* hits one transfer can produce, over all rules */
#define RULES_MAX_TRACE 64 /* accounts one victim report can reach */

typedef struct rule_def {
    const char *name; /* config prefix "rules.<name>." and metrics label */
    const char *code; /* stable reason-code family, e.g. "WL" */
    const char *summary;
    cfg_rule_map config; /* its keys: enabled, score and its own thresholds */
    /* Append up to `room` hits to `hits`; return how many, or -1 on error. Called only
     * while the rule is enabled; `self` holds its score and its own thresholds. NULL for a
     * rule that screens no transfers (the trace). */
    int (*on_transfer)(const rules *r, const cfg_rule *self, const rule_input *in, rule_hit *hits,
                       int room, char *errstr, size_t errstr_size);
} rule_def;

/* Build a rule set from the configuration. The rule set reads its thresholds from `c` for its
 * whole life rather than copying them, so `c` must outlive it and not change while workers
 * screen: a SIGHUP reload builds a new cfg and a new rule set, and frees the old pair together
 * once no worker uses it (main.c). Fails when a rule of rules_table is missing from rules_all. */
int rules_create(const cfg *c, rules **out, char *errstr, size_t errstr_size);
void rules_destroy(rules *r);

/* The configuration a rule set was built from. */
const cfg *rules_cfg(const rules *r);

/* The values of rule `d`, one of rules_all: whether it is enabled, its score, its own
 * thresholds. */
const cfg_rule *rules_conf(const rules *r, const rule_def *d);

/* rules.passthrough.min.amount, the floor below which the chain, cycle and gather-scatter
 * rules also take money for small change (rule_passthrough.c). */
int64_t rule_passthrough_min_amount(const rules *r);

/* Findings the fraud desk holds back (allow-listed, or the rule dismissed
 * for the account: desk.h). holds() says whether the finding `code` on
 * `account` of transfer t is held back; a held finding is counted in
 * *held (when not NULL) and in the rule's hit count, and takes no part in
 * the account's score, its incident or its request. */
typedef struct rules_hold {
    int (*holds)(const void *ud, const ix_transfer *t, const char *account, const char *code);
    const void *ud;
    uint64_t *held;
} rules_hold;

/* Screen one transfer whose state change has already been applied: evaluate
 * every enabled rule, drop the findings `hold` holds back (hold may be NULL),
 * then build at most `max` requests into `out`.
 * Returns the number of requests, or -1 with errstr filled. `hit_counts`,
 * when not NULL, receives per-rule hit counts (indexed like rules_table). */
int rules_screen(const rules *r, graph *g, const ix_transfer *t, const graph_acct *from,
                 const graph_acct *to, int64_t now_ms, const rules_hold *hold, ix_request *out,
                 int max, uint64_t *hit_counts, char *errstr, size_t errstr_size);

/* Where rules_screen() and rules_trace() count hits: rules_table's index for
 * the transfer rules, this slot for victim traces. Counter arrays need
 * RULES_COUNTERS entries. */
#define RULES_TRACE_SLOT 31
#define RULES_COUNTERS   32

/* Follow a victim's reported transfer downstream (rules.trace.*) and build a
 * freeze request for every account the money reached, with the amount traced
 * to it; the trigger is the report. Returns the number of requests (0 when
 * the transfer is not in the store, *found then 0), or -1 with errstr. */
int rules_trace(const rules *r, graph *g, const ix_report *rep, int64_t now_ms, ix_request *out,
                int max, int *found, uint64_t *hit_counts, char *errstr, size_t errstr_size);

/* ---- helpers for writing rules (rules.c) */

/* Start hit number *n in hits (if *n < room): account, bank, and a finding of
 * rule `rule` with reason code `code`, score and amount at risk. Returns the
 * hit, or NULL when there is no room. */
rule_hit *rule_hit_add(rule_hit *hits, int *n, int room, const char *account, const char *bank,
                       const char *rule, const char *code, int score, int64_t amount);

/* Evidence: an account on the path (consecutive repeats are ignored), a
 * transfer, a flow seen from `account`, a figure that crossed a threshold.
 * Each is dropped silently when its list is full. */
void rule_path(ix_finding *f, const char *account);
void rule_evidence_transfer(ix_finding *f, const ix_transfer *t);
void rule_evidence_flow(ix_finding *f, const char *account, const graph_flow *fl);
void rule_figure(ix_finding *f, const char *name, int64_t value, int64_t threshold);

/* One account of the transfer: the sender (GRAPH_OUT: the money leaves it)
 * or the receiver (GRAPH_IN), with its bank and its state just before. */
typedef struct rule_side {
    graph_dir dir;
    const char *account, *bank;
    const graph_acct *state;
} rule_side;

rule_side rule_side_of(const rule_input *in, graph_dir dir);

/* The shortest rolling window at least `len_ms` long (WIN_30D when none is):
 * its totals bound from above what happened within len_ms, the cheap check
 * before any read. */
win_id rule_window_covering(int64_t len_ms);

/* Businesses and merchants, whose trade looks like many patterns (paying
 * suppliers, taking payments, payroll). An account without a profile has
 * the unknown holder type: not trade. */
int rule_holder_is_trade(ix_holder_type holder);
int rule_is_trade(const graph_acct *a);

/* An account's own history as the baseline of a finding (score.h): the money it usually
 * moves in a week, the busiest earlier week in or out before a window that starts at
 * `since` (what a person receives it can spend, and the other way round). Known when the
 * account has at least baseline.weeks earlier active weeks; an account without is judged by
 * the rules' absolute thresholds alone. */
typedef struct rule_baseline {
    int known;
    int weeks;     /* earlier active weeks */
    int64_t usual; /* the busiest earlier week's money, in or out, minor units */
    /* At least the money in and out from `since` on, before this transfer (score_base_recent):
     * with the covering window, the cheap check of a baseline tier. */
    int64_t recent_in, recent_out;
} rule_baseline;

rule_baseline rule_baseline_of(const rule_input *in, const graph_acct *a, int64_t since);

/* Whether `amount` is beyond the baseline: known, at least baseline.min.amount, and at least
 * `factor` times the usual week. */
int rule_beyond_baseline(const rule_input *in, const rule_baseline *b, int64_t amount,
                         int64_t factor);

/* The score of a baseline-tier finding about `amount`: `large` from baseline.large.amount on,
 * else `weak`; *threshold receives the money threshold that applied (baseline.large.amount
 * or baseline.min.amount), for the finding's money figure. */
/* The two score keys of a baseline tier, the same in every rule that has one: T is the
 * rule's params struct, with int64_t base_score and base_large_score (the arguments of
 * rule_baseline_score). */
#define RULE_BASELINE_SCORE_KEYS(T)                                                                \
    {.name = "baseline.score",                                                                     \
     .type = CFG_INT,                                                                              \
     .offset = offsetof(T, base_score),                                                            \
     .def = "20",                                                                                  \
     .min = 0,                                                                                     \
     .max = 100,                                                                                   \
     .summary = "Score of a baseline-tier finding; 0 turns the tier off.",                         \
     .desc = "A REVIEW alone by default; with another weak finding still a REVIEW."},              \
    {                                                                                              \
        .name = "baseline.large.score", .type = CFG_INT, .offset = offsetof(T, base_large_score),  \
        .def = "30", .min = 0, .max = 100,                                                         \
        .summary = "Score of a baseline-tier finding about at least baseline.large.amount.",       \
        .desc = "With another finding within `score.horizon`, a HOLD."                             \
    }

int rule_baseline_score(const rule_input *in, int64_t amount, int64_t weak, int64_t large,
                        int64_t *threshold);

/* The baseline's figures in the evidence: `usual_week` (threshold: the most it could have
 * been for `amount` to be beyond it, amount / factor) and `weeks_of_history` (threshold:
 * baseline.weeks). */
void rule_figure_baseline(ix_finding *f, const rule_input *in, const rule_baseline *b,
                          int64_t amount, int64_t factor);

/* An account's transfers of an interval, each way, oldest first. */
typedef struct rule_flows {
    graph_flow *in, *out;
    int nin, nout;
} rule_flows;

/* Read `account`'s transfers in and out with event time in [since, until],
 * up to rules.search.max.flows each way. The buffer is allocated on first
 * use and reused by later reads into the same rule_flows. Returns 0, or -1
 * with errstr filled. */
int rule_read_flows(const rule_input *in, const char *account, int64_t since, int64_t until,
                    rule_flows *fl, char *errstr, size_t errstr_size);
void rule_flows_free(rule_flows *fl);
int64_t rule_sum_flows(const graph_flow *f, int n);

/* The money passed on (fl->nin > 0): the transfers out from the first money
 * in on (those sent before it were the account's own). *first receives the
 * index of the first of them in fl->out; returns their sum. */
int64_t rule_sent_on(const rule_flows *fl, int *first);

/* An account's counterparties in one direction since a time (up to
 * rules.search.max.edges; past the bound, judged by what was read), and the
 * new ones among them: their first transfer falls in [since, the transfer's
 * event time]. */
typedef struct rule_edges {
    graph_edge *e;
    int n;
    int nnew;        /* of them new */
    int64_t sum_new; /* money that moved with the new ones */
} rule_edges;

/* Read and count; the buffer is allocated on first use and reused. Returns
 * 0, or -1 with errstr filled. */
int rule_read_edges(const rule_input *in, const char *account, graph_dir dir, int64_t since,
                    rule_edges *ed, char *errstr, size_t errstr_size);
void rule_edges_free(rule_edges *ed);

/* 1 when `account` is not a business or a merchant by its profile (no profile: a person), 0
 * when it is, -1 with errstr filled on a storage error. One profile read. */
int rule_is_person(const rule_input *in, const char *account, char *errstr, size_t errstr_size);

/* Keep the new edges (first transfer in [since, the transfer's event time]) whose peer is
 * not a business or a merchant (no profile: a person), recounting nnew and sum_new; the
 * others are dropped. One profile read per new edge. Returns 0, or -1 with errstr filled. */
int rule_edges_keep_persons(const rule_input *in, rule_edges *ed, int64_t since, char *errstr,
                            size_t errstr_size);
int rule_edge_is_new(const graph_edge *e, int64_t since, int64_t until);

/* Evidence and path of a finding on transfers one way: the newest of `n`
 * flows of `account` in direction `dir` (as many as there are evidence
 * slots), and a path in the money's direction through the counterparties of
 * the newest evidence: senders then the account (GRAPH_IN), or the account
 * then its receivers (GRAPH_OUT). */
void rule_evidence_flows(ix_finding *f, const char *account, graph_dir dir, const graph_flow *fl,
                         int n);

/* Evidence and path of a finding on money in and out: the most recent
 * transfers each way, sharing the evidence slots (each side half, or more
 * when the other needs less); path: up to four senders, the account, then
 * its receivers. */
void rule_evidence_in_out(ix_finding *f, const char *account, const graph_flow *in, int nin,
                          const graph_flow *out, int nout);

/* Map a score to an action with the configured thresholds. */
ix_action rules_action_for(const rules *r, int score);

/* The deterministic id of a request: the same account, trigger and rule set
 * always give the same id, so replays do not create new requests. */
void rules_request_id(const char *account, const char *trigger_id, const char *rule_set, char *out,
                      size_t size);

/* The rules that screen transfers, in evaluation order (cheap first); their index is their
 * hit counter's. NULL-terminated. */
extern const rule_def *const rules_table[];
size_t rules_count(void);

/* Every rule, the trace included, in the order their keys are documented; the cfg's rule
 * values (cfg->rules) are indexed like it. NULL-terminated. */
extern const rule_def *const rules_all[];

#endif /* IX_RULES_H */
