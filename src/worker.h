/* worker.h - the screening workers: threads that take consumed messages
 * from their queue, screen them (screen.h), count and emit the outcome.
 *
 * Every input partition belongs to one worker (by a hash of topic and
 * partition), so the messages of a partition are screened in order while
 * partitions are spread over workers. The consumer thread only dispatches; it
 * never touches RocksDB. Between checkpoints the pipeline stops dispatching
 * and waits for every queue to drain (wk_drain): that barrier is the
 * consistent cut a checkpoint needs.
 *
 * @locality wk_submit, wk_drain, wk_collect, wk_discard and wk_pool_free on
 *           the pipeline's main thread only.
 */
#ifndef IX_WORKER_H
#define IX_WORKER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "config.h"
#include "emit.h"
#include "graph.h"
#include "log.h"
#include "rules.h"
#include "stats.h"

typedef enum wk_kind { WK_TRANSFERS, WK_REPORTS, WK_TABLE } wk_kind;

/* One input partition and where we are in it. */
typedef struct wk_part {
    char *topic;
    int32_t partition;
    wk_kind kind;
    _Atomic int64_t next;   /* next offset to screen; -1 until a message since ckpt */
    int64_t ckpt;           /* where a rewind goes: `next` at the last checkpoint, or
                             * the start position (may be RD_KAFKA_OFFSET_BEGINNING) */
    int64_t suppress_until; /* output below this offset was already committed */
} wk_part;

/* What the workers share, owned by the pipeline. */
typedef struct wk_env {
    const cfg *c;
    graph *g;
    const rules *const *r; /* the current rule set; swapped only at a barrier */
    emit *const *out;      /* the producer; replaced only at a barrier */
    const ix_log *log;
} wk_env;

typedef struct wk_pool wk_pool;

/* Start n workers. Returns NULL with errstr filled. */
wk_pool *wk_pool_new(int n, const wk_env *env, char *errstr, size_t errstr_size);

/* Stop the workers (after finishing what is queued) and free everything. */
void wk_pool_free(wk_pool *w);

/* Hand a message of partition pt to its worker; the worker destroys it. */
void wk_submit(wk_pool *w, rd_kafka_message_t *m, wk_part *pt);

/* Messages queued and not yet screened, over all workers. */
size_t wk_queued(wk_pool *w);

/* Wait until every worker has screened everything submitted. */
void wk_drain(wk_pool *w);

/* At a barrier: add the workers' counters since the last call into *sum and
 * reset them (wk_collect), or just reset them (wk_discard, after an abort). */
void wk_collect(wk_pool *w, stats *sum);
void wk_discard(wk_pool *w);

/* 1 if a worker hit a fatal error (storage, producer); msg gets the first. */
int wk_failed(wk_pool *w, char *msg, size_t size);

/* Process one message on the calling thread, as a worker would (used before
 * the workers start, while the tables are loaded). */
void wk_process_inline(wk_pool *w, rd_kafka_message_t *m, wk_part *pt);

#endif /* IX_WORKER_H */
