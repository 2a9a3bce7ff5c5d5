/* pipeline.h - the screening loop: consume, decode, update the graph, apply
 * the rules, emit, and checkpoint, with exactly-once effects.
 *
 * The protocol (docs/architecture.md, "Exactly once"):
 *  1. Everything screened since the last checkpoint lives in memory: graph
 *     changes in the graph's cache, freeze requests and dead letters in the
 *     open Kafka transaction.
 *  2. A checkpoint commits the transaction together with the consumer
 *     offsets, then writes the graph changes and the same offsets to RocksDB
 *     in one batch.
 *  3. If the transaction aborts, the cache is discarded and the consumer is
 *     rewound to the last checkpoint: the interval is screened again.
 *  4. If the process dies between the transaction commit and the RocksDB
 *     write, the store's offsets are behind the group's committed offsets: on
 *     restart that gap is screened again to rebuild the state, with its
 *     output suppressed because it was already committed.
 */
#ifndef IX_PIPELINE_H
#define IX_PIPELINE_H

#include <signal.h>
#include <stdint.h>

#include "config.h"
#include "decode.h"
#include "graph.h"
#include "log.h"
#include "rules.h"

typedef struct pipe_opts {
    const cfg *c;
    graph *g;
    const rules *r;
    const ix_log *log;
    volatile sig_atomic_t *run; /* the loop ends when this becomes 0 */
    int64_t until_idle_ms;      /* > 0: stop after this long without input */
} pipe_opts;

/* Counters, all over committed work only (an aborted interval is not counted
 * twice). */
typedef struct pipe_stats {
    uint64_t transfers;    /* transfer messages consumed (valid or not) */
    uint64_t screened;     /* valid transfers screened */
    uint64_t replayed;     /* messages re-screened with output suppressed */
    uint64_t requests;     /* freeze requests emitted */
    uint64_t by_action[4]; /* indexed by ix_action */
    uint64_t deadletters;  /* rejected messages sent to the dead-letter topic */
    uint64_t dead_by_reason[DEC__COUNT];
    uint64_t dead_bad_key;              /* table messages with a key that is not their account */
    uint64_t dead_foreign_currency;     /* transfers not in the clearing currency */
    uint64_t reports;                   /* fraud reports consumed (valid or not) */
    uint64_t dead_unknown_transfer;     /* reports naming a transfer not in the store */
    uint64_t table_updates;             /* accounts and watch-list messages applied */
    uint64_t rule_hits[RULES_COUNTERS]; /* see rules.h */
    uint64_t checkpoints;
    uint64_t aborts;
} pipe_stats;

/* Run until *o->run becomes 0, the idle limit passes, or a fatal error.
 * The last checkpoint is taken before returning. Returns 0, or -1 with
 * errstr filled. *st receives the counters. */
int pipe_run(const pipe_opts *o, pipe_stats *st, char *errstr, size_t errstr_size);

#endif /* IX_PIPELINE_H */
