/* worker.h - the threads between the consumer and the producer: decode
 * workers, the event-time sequencer, and one screening thread.
 *
 * Every input partition belongs to one decode worker (by a hash of topic
 * and partition), which decodes its messages in offset order and does the
 * checks a message fails on its own (screen.h step 1, and the currency).
 * Decoded events, and refused messages with their reason, go per partition
 * into the sequencer (sequencer.h), which releases them in event-time order
 * across the partitions to the one screening thread: it applies each to the
 * state, runs the rules, and sends requests and dead letters to the
 * producer. Table messages (profiles, the watch list) go straight to the
 * screening thread and are applied ahead of every event released after they
 * arrived, so a table message consumed before a transfer is applied before
 * the transfer is screened. State changes happen on one thread in one
 * order: the output does not depend on the number of workers or on timing.
 *
 * What is screened of each partition is a prefix of it (the sequencer keeps
 * offset order within a partition), so `next` of a partition is always the
 * next offset to screen. Between checkpoints the pipeline stops dispatching
 * and waits (wk_drain) until the workers are idle and nothing the sequencer
 * may release is left: that barrier is the consistent cut a checkpoint
 * needs. Events the sequencer still holds are not screened yet and stay
 * beyond the checkpoint's offsets.
 *
 * @locality every wk_ function on the pipeline's main thread only.
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
    _Atomic int64_t next;    /* next offset to screen; -1 until a message since ckpt */
    int64_t ckpt;            /* `next` at the last commit, or the start position (may be
                              * RD_KAFKA_OFFSET_BEGINNING) */
    int64_t stored;          /* the store's position: `next` at the last state write, or
                              * the start position; a rewind goes here */
    int64_t suppress_until;  /* output below this offset was already committed */
    int seq_in;              /* its input of the sequencer; -1 for a table partition */
    _Atomic int64_t pending; /* consumed and not yet screened (or dropped) */
    int paused;              /* consumption paused for back-pressure (main thread) */
} wk_part;

/* What the workers share, owned by the pipeline. */
typedef struct wk_env {
    const cfg *c;
    graph *g;
    const rules *const *r; /* the current rule set; swapped only at a barrier */
    emit *const *out;      /* the producer; replaced only at a barrier */
    const ix_log *log;
    int64_t idle_ms; /* input.idle: how long a caught-up partition holds the merge */
} wk_env;

typedef struct wk_pool wk_pool;

/* Start n decode workers and the screening thread. Returns NULL with errstr
 * filled. */
wk_pool *wk_pool_new(int n, const wk_env *env, char *errstr, size_t errstr_size);

/* Stop the workers (after finishing what is queued) and free everything. */
void wk_pool_free(wk_pool *w);

/* A partition joins (an input of the sequencer for transfers and reports)
 * or leaves (at a barrier: what the sequencer holds of it is dropped, its
 * messages unscreened). wk_part_open returns 0, or -1 when out of memory. */
int wk_part_open(wk_pool *w, wk_part *pt);
void wk_part_close(wk_pool *w, wk_part *pt);

/* Hand a message of partition pt on; the pool destroys it. */
void wk_submit(wk_pool *w, rd_kafka_message_t *m, wk_part *pt);

/* Whether partition pt (transfers or reports) has nothing left to read: its
 * fetch position reached its high watermark and nothing of it is pending.
 * Then wk_wake, once the partitions are updated. */
void wk_caught_up(wk_pool *w, wk_part *pt, int caught_up);
void wk_wake(wk_pool *w);

/* Messages consumed and not yet screened: in the workers' queues, held by
 * the sequencer, or waiting for the screening thread. */
size_t wk_queued(wk_pool *w);

/* Wait until the workers are idle and the screening thread has screened
 * everything the sequencer may release; it stays idle until the next
 * wk_submit or wk_wake. */
void wk_drain(wk_pool *w);

/* At a barrier: add the counters since the last call into *sum and reset
 * them, the interval being committed (wk_collect); or, after an abort or a
 * lost assignment, reset them and drop what the sequencer holds: the
 * interval is screened again from the checkpoint (wk_discard). */
void wk_collect(wk_pool *w, stats *sum);
void wk_discard(wk_pool *w);

/* 1 if a worker hit a fatal error (storage, producer); msg gets the first. */
int wk_failed(wk_pool *w, char *msg, size_t size);

/* Apply one table message on the calling thread, as the screening thread
 * would (while the tables are loaded, before anything is submitted). */
void wk_process_inline(wk_pool *w, rd_kafka_message_t *m, wk_part *pt);

#endif /* IX_WORKER_H */
