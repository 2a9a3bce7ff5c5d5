/* pipeline.h - the screening loop: consume, decode, update the graph, apply
 * the rules, emit, and checkpoint, with exactly-once effects.
 *
 * The protocol (docs/architecture.md, "Exactly once"):
 *  1. Everything screened since the last commit lives in memory: graph
 *     changes in the graph's cache, freeze requests and dead letters in the
 *     open Kafka transaction.
 *  2. A commit commits the transaction together with the consumer offsets.
 *     Every state.write.interval (by default at every commit; and on revoke
 *     and at shutdown) the graph
 *     changes since the last write, with the offsets they reach, are written
 *     to RocksDB in one batch, after the transaction that covers them.
 *  3. If the transaction aborts, the cache is discarded and the consumer is
 *     rewound to the store's position: what came after it is screened
 *     again, output suppressed up to the last commit (it was committed).
 *  4. If the process dies with the store's offsets behind the group's
 *     committed offsets (between writes, or between a commit and its
 *     write), the restart screens that gap again to rebuild the state, with
 *     its output suppressed because it was already committed. While it does,
 *     the offsets it commits never go below the group's.
 */
#ifndef IX_PIPELINE_H
#define IX_PIPELINE_H

#include <signal.h>
#include <stdint.h>

#include "config.h"
#include "graph.h"
#include "log.h"
#include "rules.h"
#include "stats.h"

/* Called at a checkpoint barrier (no worker is screening) when *reload is
 * set: build a new rule set from the reloaded configuration into *r (the
 * callback owns the old one and may free it now). Returns 0, or -1 with
 * errstr filled (the old rules stay). */
typedef int (*pipe_reload_fn)(void *arg, const rules **r, char *errstr, size_t errstr_size);

/* Called after every checkpoint and every few seconds with the counters so
 * far (committed, stats.h) and live figures, for metrics and progress lines. */
typedef struct pipe_live {
    uint64_t queued; /* messages consumed and not yet screened */
    int64_t lag;     /* messages in the assigned partitions not yet consumed */
    int paused;      /* consumption paused for back-pressure */
    int workers;
} pipe_live;
typedef void (*pipe_observe_fn)(void *arg, const stats *total, const pipe_live *live);

typedef struct pipe_opts {
    const cfg *c;
    graph *g;
    const rules *r;
    const ix_log *log;
    volatile sig_atomic_t *run;    /* the loop ends when this becomes 0 */
    int64_t until_idle_ms;         /* > 0: stop after this long without input */
    volatile sig_atomic_t *reload; /* when set: reload the rules at the next barrier */
    pipe_reload_fn reload_fn;
    void *reload_arg;
    pipe_observe_fn observe; /* may be NULL */
    void *observe_arg;
} pipe_opts;

/* Run until *o->run becomes 0, the idle limit passes, or a fatal error.
 * The last checkpoint is taken before returning. Returns 0, or -1 with
 * errstr filled. *st receives the counters. */
int pipe_run(const pipe_opts *o, stats *st, char *errstr, size_t errstr_size);

#endif /* IX_PIPELINE_H */
