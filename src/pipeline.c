/* pipeline.c - the consume / dispatch / checkpoint loop.
 *
 * The main thread consumes and dispatches; workers decode and one screening
 * thread screens in event-time order (worker.c). After each batch the main
 * thread tells the sequencer which partitions have nothing left to read, so
 * that it stops waiting for them. Every commit.interval the main thread
 * stops dispatching, waits for the workers to drain (the barrier), commits
 * the Kafka transaction with the consumer offsets and begins the next one;
 * every state.write.interval (by default: each time) it also writes the
 * graph's changes since the last write, with the offsets they reach, to
 * RocksDB. Rebalances, reloads and shutdown all go through the same
 * barrier, and write the state. See pipeline.h for the recovery protocol.
 */
#include "pipeline.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "emit.h"
#include "kafka.h"
#include "timefmt.h"
#include "vec.h"
#include "worker.h"

#define PIPE_POLL_MS    100  /* longest wait for input; bounds reaction time */
#define PIPE_BATCH      1024 /* messages taken from the consumer at once */
#define PIPE_OBSERVE_MS 2000 /* how often live figures are reported */
#define PIPE_HELD_FLOOR 1000 /* input.held.max's share of a partition, at least */

typedef struct pipeline_ctx {
    const pipe_opts *o;
    const cfg *c;
    const rules *r;       /* the current rule set (workers read it through &r) */
    rd_kafka_t *consumer; /* the group consumer of transfers and reports */
    rd_kafka_t *tables;   /* assigned consumer of the table topics, every partition */
    rd_kafka_queue_t *cq; /* the group consumer's queue, for batch consumption */
    rd_kafka_queue_t *tq; /* the table consumer's queue */
    emit *out;
    wk_pool *pool;
    int nworkers;
    wk_part **parts; /* stable pointers: workers hold them */
    size_t nparts, capparts;
    /* Where our own transactions took each group partition's offset, kept
     * when the partition goes: a partition that comes back after a lost
     * assignment is rebuilt from the store without re-sending up to here
     * even when the broker does not tell (the embedded broker keeps no
     * transactional offsets) or another member went less far. */
    graph_offset *sent;
    size_t nsent, capsent;
    int assigned; /* the group has given us partitions at least once */
    int paused;   /* partitions paused for back-pressure */
    int failed;   /* a fatal error on the main thread */
    int refused;  /* the last assignment held other topics: join the group again */
    char fail_msg[1024];
    int64_t last_input_ns;
    int64_t last_ckpt_ns;
    int64_t last_write_ns; /* the last state write */
    int64_t last_observe_ns;
    /* Transactions aborted since the last commit, and why the last one was:
     * an --until-idle run is not idle while its interval waits to be screened
     * again, and gives up after PIPE_BATCH_ABORTS in a row. */
    int aborts_in_a_row;
    char abort_msg[512];
    stats total; /* committed */
    /* Fault injection for the recovery tests: die right after this many
     * transaction commits, before the state is written (0 = never). Set
     * from INTERDICT_TEST_CRASH_AFTER_COMMIT; see docs/reliability.md. */
    long crash_after_commit;
    long commits;
} pipeline_ctx;

static void fail(pipeline_ctx *p, const char *fmt, const char *detail)
{
    if (p->failed)
        return;
    p->failed = 1;
    snprintf(p->fail_msg, sizeof(p->fail_msg), fmt, detail);
}

static int any_failure(pipeline_ctx *p)
{
    if (!p->failed && p->pool && wk_failed(p->pool, p->fail_msg, sizeof(p->fail_msg)))
        p->failed = 1;
    return p->failed;
}

/* ---- partition bookkeeping */

static wk_part *part_find(pipeline_ctx *p, const char *topic, int32_t partition)
{
    for (size_t i = 0; i < p->nparts; i++)
        if (p->parts[i]->partition == partition && strcmp(p->parts[i]->topic, topic) == 0)
            return p->parts[i];
    return NULL;
}

static wk_kind kind_of(const pipeline_ctx *p, const char *topic)
{
    if (strcmp(topic, p->c->topic_reports) == 0)
        return WK_REPORTS;
    if (strcmp(topic, p->c->topic_transfers) == 0)
        return WK_TRANSFERS;
    return WK_TABLE;
}

static wk_part *part_add(pipeline_ctx *p, const char *topic, int32_t partition)
{
    wk_part *pt = part_find(p, topic, partition);
    if (pt)
        return pt;
    if (vec_reserve((void **)&p->parts, &p->capparts, p->nparts + 1, sizeof(*p->parts), 16) != 0)
        return NULL;
    pt = calloc(1, sizeof(*pt));
    if (!pt || !(pt->topic = strdup(topic))) {
        free(pt);
        return NULL;
    }
    pt->partition = partition;
    pt->kind = kind_of(p, topic);
    atomic_store(&pt->next, -1);
    pt->ckpt = pt->stored = -1;
    if (wk_part_open(p->pool, pt) != 0) {
        free(pt->topic);
        free(pt);
        return NULL;
    }
    p->parts[p->nparts++] = pt;
    return pt;
}

/* Only at a barrier: no worker holds a message of this partition. */
static void part_remove(pipeline_ctx *p, const char *topic, int32_t partition)
{
    for (size_t i = 0; i < p->nparts; i++) {
        wk_part *pt = p->parts[i];
        if (pt->partition == partition && strcmp(pt->topic, topic) == 0) {
            wk_part_close(p->pool, pt);
            if (pt->paused)
                p->paused--;
            free(pt->topic);
            free(pt);
            p->parts[i] = p->parts[--p->nparts];
            return;
        }
    }
}

/* ---- checkpoint */

/* The offsets for the transaction: every group partition that moved since
 * the last commit. In a gap screened again the group's offset stays where
 * the output went (suppress_until): committing less would let a second
 * crash send that output again. */
static void collect_commit(pipeline_ctx *p, rd_kafka_topic_partition_list_t *txn)
{
    for (size_t i = 0; i < p->nparts; i++) {
        wk_part *pt = p->parts[i];
        int64_t next = atomic_load(&pt->next);
        if (pt->kind == WK_TABLE || next < 0 || next == pt->ckpt)
            continue;
        rd_kafka_topic_partition_list_add(txn, pt->topic, pt->partition)->offset =
            next > pt->suppress_until ? next : pt->suppress_until;
    }
}

/* The index of a partition in p->sent, or p->nsent. */
static size_t sent_find(const pipeline_ctx *p, const char *topic, int32_t partition)
{
    size_t i = 0;
    while (i < p->nsent &&
           (p->sent[i].partition != partition || strcmp(p->sent[i].topic, topic) != 0))
        i++;
    return i;
}

static int64_t sent_offset(const pipeline_ctx *p, const char *topic, int32_t partition)
{
    size_t i = sent_find(p, topic, partition);
    return i < p->nsent ? p->sent[i].offset : -1;
}

/* After a commit: remember the offsets it took. Out of memory only loses
 * the fallback; the broker's offsets still count. */
static void remember_sent(pipeline_ctx *p, const rd_kafka_topic_partition_list_t *txn)
{
    for (int k = 0; k < txn->cnt; k++) {
        const rd_kafka_topic_partition_t *tp = &txn->elems[k];
        size_t i = sent_find(p, tp->topic, tp->partition);
        if (i == p->nsent) {
            char *topic = strdup(tp->topic);
            if (!topic || vec_reserve((void **)&p->sent, &p->capsent, p->nsent + 1,
                                      sizeof(*p->sent), 16) != 0) {
                free(topic);
                continue;
            }
            p->sent[p->nsent++] = (graph_offset){.topic = topic, .partition = tp->partition};
        }
        p->sent[i].offset = tp->offset;
    }
}

/* The offsets for the store: every partition, tables too, that moved since
 * the last state write. Returns how many. */
static size_t collect_store(pipeline_ctx *p, graph_offset *store)
{
    size_t n = 0;
    for (size_t i = 0; i < p->nparts; i++) {
        wk_part *pt = p->parts[i];
        int64_t next = atomic_load(&pt->next);
        if (next < 0 || next == pt->stored)
            continue;
        store[n].topic = pt->topic;
        store[n].partition = pt->partition;
        store[n].offset = next;
        n++;
    }
    return n;
}

static int rewind_consumer(pipeline_ctx *p, rd_kafka_t *rk, int tables, char *errstr,
                           size_t errstr_size)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)p->nparts + 1);
    for (size_t i = 0; i < p->nparts; i++) {
        wk_part *pt = p->parts[i];
        int64_t next = atomic_load(&pt->next);
        int consumed = atomic_load(&pt->pending) > 0; /* held by the sequencer */
        if ((pt->kind == WK_TABLE) != tables || ((next < 0 || next == pt->stored) && !consumed))
            continue;
        rd_kafka_topic_partition_list_add(l, pt->topic, pt->partition)->offset = pt->stored;
        atomic_store(&pt->next, -1);
    }
    int rc = 0;
    if (l->cnt > 0) {
        rd_kafka_error_t *err = rd_kafka_seek_partitions(rk, l, (int)p->c->kafka_timeout_ms);
        if (err) {
            snprintf(errstr, errstr_size, "rewinding: %s", rd_kafka_error_string(err));
            rd_kafka_error_destroy(err);
            rc = -1;
        }
        for (int i = 0; rc == 0 && i < l->cnt; i++)
            if (l->elems[i].err) {
                snprintf(errstr, errstr_size, "rewinding %s [%d]: %s", l->elems[i].topic,
                         l->elems[i].partition, rd_kafka_err2str(l->elems[i].err));
                rc = -1;
            }
    }
    rd_kafka_topic_partition_list_destroy(l);
    return rc;
}

/* Replace a producer that cannot continue (fenced after a long broker
 * outage, or a fatal error): a new one with the same transactional id fences
 * the old epoch. Retries until it works or the screener is stopped. */
static int restart_output(pipeline_ctx *p, char *errstr, size_t errstr_size)
{
    emit_destroy(p->out);
    p->out = NULL;
    while (*p->o->run) {
        if (emit_create(p->c, p->o->log, &p->out, errstr, errstr_size) == 0)
            return 0;
        LOG_WARN(p->o->log, "pipeline", "replacing the producer: %s; retrying", errstr);
        sleep(1);
    }
    snprintf(errstr, errstr_size, "stopped while replacing the producer");
    return -1;
}

/* After an aborted transaction: forget what the store does not have and
 * screen it again from the store's position, with what the sequencer holds
 * (consumed after the commit too); what earlier transactions committed of
 * it goes out again only as state, its output suppressed. */
static int rewind_to_checkpoint(pipeline_ctx *p, char *errstr, size_t errstr_size)
{
    for (size_t i = 0; i < p->nparts; i++) {
        wk_part *pt = p->parts[i];
        if (pt->kind != WK_TABLE && pt->ckpt > pt->stored && pt->ckpt > pt->suppress_until)
            pt->suppress_until = pt->ckpt;
    }
    int rc = rewind_consumer(p, p->consumer, 0, errstr, errstr_size);
    if (rc == 0)
        rc = rewind_consumer(p, p->tables, 1, errstr, errstr_size);
    for (size_t i = 0; i < p->nparts; i++)
        p->parts[i]->ckpt = p->parts[i]->stored;
    graph_discard(p->o->g);
    wk_discard(p->pool);
    if (rc != 0)
        return -1;
    return emit_begin(p->out, errstr, errstr_size);
}

static int moved(const pipeline_ctx *p)
{
    for (size_t i = 0; i < p->nparts; i++) {
        int64_t next = atomic_load(&p->parts[i]->next);
        if (next >= 0 && next != p->parts[i]->ckpt)
            return 1;
    }
    return 0;
}

/* A new rule set, between intervals, when asked for (SIGHUP). */
static void maybe_reload(pipeline_ctx *p)
{
    char errstr[512];
    if (!p->o->reload || !*p->o->reload || !p->o->reload_fn)
        return;
    *p->o->reload = 0;
    const rules *r = p->r;
    if (p->o->reload_fn(p->o->reload_arg, &r, errstr, sizeof(errstr)) != 0) {
        LOG_ERROR(p->o->log, "pipeline", "reload failed, keeping the current rules: %s", errstr);
        return;
    }
    p->r = r;
    p->total.reloads++;
    LOG_INFO(p->o->log, "pipeline", "rules reloaded");
}

static void observe(pipeline_ctx *p);

static int store_behind(const pipeline_ctx *p)
{
    for (size_t i = 0; i < p->nparts; i++) {
        int64_t next = atomic_load(&p->parts[i]->next);
        if (next >= 0 && next != p->parts[i]->stored)
            return 1;
    }
    return 0;
}

/* Due by the interval, by the cache filling up, or because a partition
 * that moved has no position in the store yet: a restart would take the
 * group's offset for it and start without the state built before it. */
static int write_due(pipeline_ctx *p)
{
    for (size_t i = 0; i < p->nparts; i++)
        if (p->parts[i]->stored < 0 && atomic_load(&p->parts[i]->next) >= 0)
            return 1;
    return tf_mono_ns() - p->last_write_ns >= p->c->state_write_interval_ms * 1000000 ||
           graph_write_wanted(p->o->g);
}

/* Write the graph's changes since the last write with the offsets they
 * reach, after the transactions that cover them. The batch lands while the
 * next interval is screened (the next write waits for it); with `wait` it
 * has landed on return. */
static int write_state(pipeline_ctx *p, int wait, char *errstr, size_t errstr_size)
{
    graph_offset *store = calloc(p->nparts ? p->nparts : 1, sizeof(*store));
    if (!store) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    int rc = graph_checkpoint_begin(p->o->g, store, collect_store(p, store), errstr, errstr_size);
    free(store);
    if (rc == 0 && wait)
        rc = graph_sync(p->o->g, errstr, errstr_size);
    if (rc != 0)
        return -1;
    for (size_t i = 0; i < p->nparts; i++) {
        int64_t next = atomic_load(&p->parts[i]->next);
        if (next >= 0)
            p->parts[i]->stored = next;
    }
    p->last_write_ns = tf_mono_ns();
    return 0;
}

/* The barrier, then commit and, when due, write the state. Called by the
 * loop, on revoke and at the end; the workers are idle for the barrier and
 * the commit. With `wait` (on revoke and at the end) the state is written
 * and has landed on return. */
static int checkpoint(pipeline_ctx *p, int wait, char *errstr, size_t errstr_size)
{
    int rc = -1;
    wk_drain(p->pool);
    p->last_ckpt_ns = tf_mono_ns();
    if (any_failure(p)) {
        snprintf(errstr, errstr_size, "%s", p->fail_msg);
        return -1;
    }
    int write = wait || write_due(p);
    if (!moved(p)) {
        maybe_reload(p);
        if (write && store_behind(p))
            return write_state(p, wait, errstr, errstr_size);
        return wait ? graph_sync(p->o->g, errstr, errstr_size) : 0;
    }
    rd_kafka_topic_partition_list_t *txn = rd_kafka_topic_partition_list_new((int)p->nparts);
    collect_commit(p, txn);
    emit_result er = emit_commit(p->out, p->consumer, txn, errstr, errstr_size);
    if (er == EMIT_FATAL || er == EMIT_ABORTED) {
        p->aborts_in_a_row++;
        snprintf(p->abort_msg, sizeof(p->abort_msg), "%s", errstr);
    }
    if (er == EMIT_FATAL) {
        /* Nothing of the interval was committed: a new producer, and the
         * interval screened again. */
        LOG_ERROR(p->o->log, "pipeline", "%s; replacing the producer", errstr);
        p->total.aborts++;
        if (restart_output(p, errstr, errstr_size) == 0)
            rc = rewind_to_checkpoint(p, errstr, errstr_size);
        goto out;
    }
    if (er == EMIT_ABORTED) {
        LOG_WARN(p->o->log, "pipeline", "%s; screening the interval again", errstr);
        p->total.aborts++;
        rc = rewind_to_checkpoint(p, errstr, errstr_size);
        goto out;
    }
    /* The transaction is committed: from here a failure leaves the store
     * behind the group, which a restart repairs (pipeline.h, step 4). */
    if (p->crash_after_commit && ++p->commits == p->crash_after_commit) {
        LOG_WARN(p->o->log, "pipeline", "INTERDICT_TEST_CRASH_AFTER_COMMIT: dying now");
        raise(SIGKILL);
    }
    p->aborts_in_a_row = 0;
    remember_sent(p, txn);
    for (size_t i = 0; i < p->nparts; i++) {
        int64_t next = atomic_load(&p->parts[i]->next);
        if (next >= 0)
            p->parts[i]->ckpt = next;
    }
    if (write && write_state(p, wait, errstr, errstr_size) != 0)
        goto out;
    wk_collect(p->pool, &p->total);
    p->total.checkpoints++;
    maybe_reload(p);
    rc = emit_begin(p->out, errstr, errstr_size);
    observe(p);
out:
    rd_kafka_topic_partition_list_destroy(txn);
    return rc;
}

/* ---- back-pressure and live figures */

static int64_t lag_of(pipeline_ctx *p)
{
    int64_t lag = 0;
    for (size_t i = 0; i < p->nparts; i++) {
        wk_part *pt = p->parts[i];
        int64_t lo = 0, hi = 0, pos = atomic_load(&pt->next);
        rd_kafka_t *rk = pt->kind == WK_TABLE ? p->tables : p->consumer;
        if (rd_kafka_get_watermark_offsets(rk, pt->topic, pt->partition, &lo, &hi) != 0)
            continue;
        if (pos < 0)
            pos = pt->ckpt >= 0 ? pt->ckpt : lo;
        if (hi > pos)
            lag += hi - pos;
    }
    return lag;
}

static void observe(pipeline_ctx *p)
{
    p->last_observe_ns = tf_mono_ns();
    if (!p->o->observe)
        return;
    pipe_live live = {.queued = wk_queued(p->pool),
                      .lag = lag_of(p),
                      .paused = p->paused > 0,
                      .workers = p->nworkers};
    p->o->observe(p->o->observe_arg, &p->total, &live);
}

static void pause_partition(pipeline_ctx *p, wk_part *pt, int pause)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, pt->topic, pt->partition);
    if (pause)
        rd_kafka_pause_partitions(p->consumer, l);
    else
        rd_kafka_resume_partitions(p->consumer, l);
    rd_kafka_topic_partition_list_destroy(l);
    pt->paused = pause;
    p->paused += pause ? 1 : -1;
    LOG_DEBUG(p->o->log, "pipeline", "%s [%d] %s", pt->topic, pt->partition,
              pause ? "paused" : "resumed");
}

/* Pause a partition that is far ahead of the others, so memory stays
 * bounded. Per partition, not all of them: the sequencer may be waiting for
 * a partition with nothing pending, which must go on being read. */
static void back_pressure(pipeline_ctx *p)
{
    int64_t inputs = 0;
    for (size_t i = 0; i < p->nparts; i++)
        inputs += p->parts[i]->kind != WK_TABLE;
    /* input.held.max over the partitions: a pause makes librdkafka drop
     * what it had fetched of the partition, to fetch it again on resume,
     * so the bound is high enough for pauses to be rare. */
    int64_t high = inputs ? p->c->input_held_max / inputs : PIPE_HELD_FLOOR;
    if (high < PIPE_HELD_FLOOR)
        high = PIPE_HELD_FLOOR;
    for (size_t i = 0; i < p->nparts; i++) {
        wk_part *pt = p->parts[i];
        int64_t pending = atomic_load(&pt->pending);
        if (pt->kind == WK_TABLE)
            continue;
        if (!pt->paused && pending > high)
            pause_partition(p, pt, 1);
        else if (pt->paused && pending < high / 5)
            pause_partition(p, pt, 0);
    }
}

/* Tell the sequencer which partitions have nothing left to read: nothing
 * pending, and the position (which also moves past transaction markers)
 * at the high watermark of the last fetch. */
static void update_caught_up(pipeline_ctx *p)
{
    rd_kafka_topic_partition_list_t *l = NULL;
    if (rd_kafka_assignment(p->consumer, &l) != RD_KAFKA_RESP_ERR_NO_ERROR || !l)
        return;
    rd_kafka_position(p->consumer, l);
    for (int i = 0; i < l->cnt; i++) {
        wk_part *pt = part_find(p, l->elems[i].topic, l->elems[i].partition);
        int64_t lo = 0, hi = -1, pos = l->elems[i].offset;
        if (!pt || pt->kind == WK_TABLE)
            continue;
        int caught = atomic_load(&pt->pending) == 0 &&
                     rd_kafka_get_watermark_offsets(p->consumer, pt->topic, pt->partition, &lo,
                                                    &hi) == RD_KAFKA_RESP_ERR_NO_ERROR &&
                     hi >= 0;
        if (caught && pos < 0)
            pos = pt->ckpt >= 0 ? pt->ckpt : lo;
        wk_caught_up(p->pool, pt, caught && pos >= hi);
    }
    rd_kafka_topic_partition_list_destroy(l);
    wk_wake(p->pool);
}

/* ---- consuming */

/* Dispatch one message (or handle an event) from either consumer. */
static void dispatch(pipeline_ctx *p, rd_kafka_message_t *m)
{
    if (m->err) {
        /* Transient errors (broker down, timeouts) are retried by librdkafka. */
        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
            LOG_WARN(p->o->log, "pipeline", "consumer: %s", rd_kafka_message_errstr(m));
        /* The group consumer's own fatal error is handled by the loop
         * (replace_consumer); the table consumer's ends the run. */
        if (m->err == RD_KAFKA_RESP_ERR__FATAL && !rd_kafka_fatal_error(p->consumer, NULL, 0))
            fail(p, "consumer: %s", rd_kafka_message_errstr(m));
        rd_kafka_message_destroy(m);
        return;
    }
    wk_part *pt = part_find(p, rd_kafka_topic_name(m->rkt), m->partition);
    if (!pt) {
        /* A message of a partition we no longer own: its new owner screens it
         * from the committed offset. */
        rd_kafka_message_destroy(m);
        return;
    }
    p->last_input_ns = tf_mono_ns();
    wk_submit(p->pool, m, pt);
}

static void consume_some(pipeline_ctx *p)
{
    rd_kafka_message_t *batch[PIPE_BATCH];
    /* Every table update that is waiting goes first: a watch-list entry
     * must not queue behind the transfer stream, nor trickle in at one per
     * poll while the transfers are quiet. */
    ssize_t nt = rd_kafka_consume_batch_queue(p->tq, 0, batch, PIPE_BATCH);
    for (ssize_t i = 0; i < nt; i++)
        dispatch(p, batch[i]);
    ssize_t n = rd_kafka_consume_batch_queue(p->cq, nt > 0 ? 0 : PIPE_POLL_MS, batch, PIPE_BATCH);
    for (ssize_t i = 0; i < n; i++)
        dispatch(p, batch[i]);
    update_caught_up(p);
}

/* ---- group membership */

static int64_t committed_offset(pipeline_ctx *p, const char *topic, int32_t partition)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, partition);
    int64_t off = -1;
    rd_kafka_resp_err_t err = rd_kafka_committed(p->consumer, l, (int)p->c->kafka_timeout_ms);
    if (!err && l->elems[0].err == 0 && l->elems[0].offset >= 0)
        off = l->elems[0].offset;
    else if (err)
        LOG_WARN(p->o->log, "pipeline", "reading committed offset of %s [%d]: %s", topic, partition,
                 rd_kafka_err2str(err));
    rd_kafka_topic_partition_list_destroy(l);
    return off;
}

/* Decide where to start a partition: the store's position is authoritative
 * for the state; the group's committed offset tells how far output went. */
static int plan_start(pipeline_ctx *p, rd_kafka_topic_partition_t *tp)
{
    char errstr[512];
    int64_t stored = -1;
    int found =
        graph_get_offset(p->o->g, tp->topic, tp->partition, &stored, errstr, sizeof(errstr));
    if (found < 0) {
        fail(p, "graph: %s", errstr);
        return -1;
    }
    wk_part *pt = part_add(p, tp->topic, tp->partition);
    if (!pt) {
        fail(p, "%s", "out of memory");
        return -1;
    }
    int64_t committed = -1;
    if (pt->kind != WK_TABLE) {
        committed = committed_offset(p, tp->topic, tp->partition);
        int64_t sent = sent_offset(p, tp->topic, tp->partition);
        if (sent > committed)
            committed = sent;
    }
    pt->suppress_until = -1;
    if (found) {
        tp->offset = stored;
        pt->ckpt = pt->stored = stored;
        atomic_store(&pt->next, stored);
        if (committed > stored) {
            pt->suppress_until = committed;
            LOG_INFO(p->o->log, "pipeline",
                     "%s [%d]: state at %" PRId64 ", output committed to %" PRId64
                     ": rebuilding that gap without re-sending",
                     tp->topic, tp->partition, stored, committed);
        }
    } else if (committed >= 0) {
        tp->offset = committed;
        pt->ckpt = pt->stored = committed;
        atomic_store(&pt->next, committed);
        LOG_WARN(p->o->log, "pipeline",
                 "%s [%d]: no position in the state store; resuming at the group's offset "
                 "%" PRId64 " (state from before it is not in this store)",
                 tp->topic, tp->partition, committed);
    } else {
        tp->offset = RD_KAFKA_OFFSET_BEGINNING;
        pt->ckpt = pt->stored = RD_KAFKA_OFFSET_BEGINNING;
        atomic_store(&pt->next, -1);
    }
    return 0;
}

/* The partitions of an assignment that belong to the topics we subscribed
 * to. The group may hand back partitions of a topic we no longer ask for
 * (topic.transfers renamed, same group and instance id): they are refused,
 * never read, so no message is taken for what it is not. */
static rd_kafka_topic_partition_list_t *own_partitions(pipeline_ctx *p,
                                                       const rd_kafka_topic_partition_list_t *parts)
{
    rd_kafka_topic_partition_list_t *own = rd_kafka_topic_partition_list_new(parts->cnt);
    for (int i = 0; i < parts->cnt; i++) {
        const rd_kafka_topic_partition_t *tp = &parts->elems[i];
        if (strcmp(tp->topic, p->c->topic_transfers) == 0 ||
            strcmp(tp->topic, p->c->topic_reports) == 0)
            rd_kafka_topic_partition_list_add(own, tp->topic, tp->partition);
        else
            LOG_WARN(p->o->log, "pipeline",
                     "refusing %s [%d]: the group assigned a topic that is neither "
                     "topic.transfers nor topic.reports (renamed with the same group.id?)",
                     tp->topic, tp->partition);
    }
    return own;
}

static void on_assign(pipeline_ctx *p, rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts)
{
    rd_kafka_topic_partition_list_t *own = own_partitions(p, parts);
    for (int i = 0; i < own->cnt; i++)
        if (plan_start(p, &own->elems[i]) != 0)
            break;
    rd_kafka_assign(rk, own);
    p->refused = own->cnt < parts->cnt;
    p->assigned = 1;
    p->last_input_ns = tf_mono_ns();
    LOG_INFO(p->o->log, "pipeline", "assigned %d partition(s)", own->cnt);
    rd_kafka_topic_partition_list_destroy(own);
}

/* The group gave our partitions away without asking (our session expired,
 * e.g. in a broker outage): nothing in flight may be committed, because
 * another member may already screen them. Forget the interval; the next
 * assignment starts from the store. */
static void drop_interval(pipeline_ctx *p)
{
    char errstr[512];
    wk_drain(p->pool);
    graph_discard(p->o->g);
    wk_discard(p->pool);
    if ((emit_abort_open(p->out) != 0 && restart_output(p, errstr, sizeof(errstr)) != 0) ||
        emit_begin(p->out, errstr, sizeof(errstr)) != 0)
        fail(p, "after a lost assignment: %s", errstr);
}

static rd_kafka_t *new_consumer(pipeline_ctx *p, const char *group, int with_rebalance,
                                char *errstr, size_t errstr_size);
static int subscribe(pipeline_ctx *p, char *errstr, size_t errstr_size);

/* The group consumer raised a fatal error. The one seen in practice is
 * librdkafka fencing its own static membership after a broker outage that
 * outlasted the session: its rejoin registers a new member id for our
 * group.instance.id and the old id's next heartbeat is refused. A new
 * consumer with the same instance id takes the membership back; what was
 * screened since the last checkpoint is dropped and screened again from the
 * store, as after any lost assignment. */
static int replace_consumer(pipeline_ctx *p, char *errstr, size_t errstr_size)
{
    char why[512];
    rd_kafka_fatal_error(p->consumer, why, sizeof(why));
    LOG_WARN(p->o->log, "pipeline",
             "consumer failed (%s): dropping the uncommitted interval and joining again; "
             "if this repeats, another screener runs with instance.id %s",
             why, p->c->instance_id);
    drop_interval(p);
    for (size_t i = p->nparts; i-- > 0;)
        if (p->parts[i]->kind != WK_TABLE)
            part_remove(p, p->parts[i]->topic, p->parts[i]->partition);
    rd_kafka_queue_destroy(p->cq);
    p->cq = NULL;
    rd_kafka_consumer_close(p->consumer);
    rd_kafka_destroy(p->consumer);
    p->assigned = 0;
    p->paused = 0;
    p->consumer = new_consumer(p, p->c->group_id, 1, errstr, errstr_size);
    if (!p->consumer)
        return -1;
    return subscribe(p, errstr, errstr_size);
}

static void on_revoke(pipeline_ctx *p, rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts)
{
    char errstr[512];
    if (rd_kafka_assignment_lost(rk)) {
        LOG_WARN(p->o->log, "pipeline",
                 "assignment lost (session expired): dropping the uncommitted interval");
        drop_interval(p);
    } else if (checkpoint(p, 1, errstr, sizeof(errstr)) != 0) {
        /* Finish and commit what is in flight for the partitions we lose. */
        fail(p, "checkpoint on revoke: %s", errstr);
    }
    for (int i = 0; i < parts->cnt; i++)
        part_remove(p, parts->elems[i].topic, parts->elems[i].partition);
    rd_kafka_assign(rk, NULL);
    /* Without partitions there is no input to wait for: the idle clock
     * restarts at the next assignment. */
    p->assigned = 0;
    LOG_INFO(p->o->log, "pipeline", "revoked %d partition(s)", parts->cnt);
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    pipeline_ctx *p = opaque;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS)
        on_assign(p, rk, parts);
    else
        on_revoke(p, rk, parts);
}

/* ---- setup */

static rd_kafka_t *new_consumer(pipeline_ctx *p, const char *group, int with_rebalance,
                                char *errstr, size_t errstr_size)
{
    kafka_consumer_opts o = {.group_id = group, .offset_reset = "earliest"};
    if (with_rebalance) {
        /* Static membership: a restarted instance takes its partitions back
         * at once instead of waiting for a rebalance (session.timeout.ms
         * still frees them if it does not come back). */
        o.instance_id = p->c->instance_id;
        o.rebalance_cb = rebalance_cb;
        o.opaque = p;
    }
    return kafka_consumer_new(p->c, &o, errstr, errstr_size);
}

/* Assign every partition of the table topics from the stored positions and
 * return their high watermarks, so the caller can read up to them. */
static int assign_tables(pipeline_ctx *p, rd_kafka_topic_partition_list_t *hw, char *errstr,
                         size_t errstr_size)
{
    const char *topics[4] = {p->c->topic_accounts, p->c->topic_watchlist, p->c->topic_allowlist,
                             p->c->topic_verdicts};
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(32);
    int rc = -1;
    for (int t = 0; t < 4; t++) {
        char why[512];
        rd_kafka_topic_partition_list_t *parts =
            kafka_partitions(p->tables, topics[t], RD_KAFKA_OFFSET_INVALID,
                             (int)p->c->kafka_timeout_ms, why, sizeof(why));
        if (!parts) {
            snprintf(errstr, errstr_size, "%s (create the topics with `interdict topics`)", why);
            goto out;
        }
        for (int i = 0; i < parts->cnt; i++) {
            rd_kafka_topic_partition_t *tp =
                rd_kafka_topic_partition_list_add(l, topics[t], parts->elems[i].partition);
            if (plan_start(p, tp) != 0) {
                rd_kafka_topic_partition_list_destroy(parts);
                snprintf(errstr, errstr_size, "%s", p->fail_msg);
                goto out;
            }
            int64_t lo = 0, hi = 0;
            rd_kafka_query_watermark_offsets(p->tables, topics[t], tp->partition, &lo, &hi,
                                             (int)p->c->kafka_timeout_ms);
            rd_kafka_topic_partition_list_add(hw, topics[t], tp->partition)->offset = hi;
        }
        rd_kafka_topic_partition_list_destroy(parts);
    }
    rd_kafka_resp_err_t err = rd_kafka_assign(p->tables, l);
    if (err) {
        snprintf(errstr, errstr_size, "assigning table topics: %s", rd_kafka_err2str(err));
        goto out;
    }
    rc = 0;
out:
    rd_kafka_topic_partition_list_destroy(l);
    return rc;
}

static int tables_caught_up(pipeline_ctx *p, const rd_kafka_topic_partition_list_t *hw)
{
    for (int i = 0; i < hw->cnt; i++) {
        wk_part *pt = part_find(p, hw->elems[i].topic, hw->elems[i].partition);
        int64_t next = pt ? atomic_load(&pt->next) : -1;
        int64_t pos = next >= 0 ? next : 0;
        if (hw->elems[i].offset > 0 && pos < hw->elems[i].offset) {
            /* Control records of transactional producers also take offsets;
             * the consumer's position tells whether they were passed. */
            rd_kafka_topic_partition_list_t *q = rd_kafka_topic_partition_list_new(1);
            rd_kafka_topic_partition_list_add(q, hw->elems[i].topic, hw->elems[i].partition);
            rd_kafka_position(p->tables, q);
            int64_t cpos = q->elems[0].offset;
            rd_kafka_topic_partition_list_destroy(q);
            if (cpos < hw->elems[i].offset)
                return 0;
        }
    }
    return 1;
}

/* Load the tables up to their current end before screening any transfer, so
 * that a transfer is never screened against a stale watch list at start.
 * Done on this thread before the workers get anything. */
static int bootstrap_tables(pipeline_ctx *p, char *errstr, size_t errstr_size)
{
    rd_kafka_topic_partition_list_t *hw = rd_kafka_topic_partition_list_new(32);
    int rc = assign_tables(p, hw, errstr, errstr_size);
    int64_t deadline = tf_mono_ns() + p->c->kafka_timeout_ms * 1000000;
    while (rc == 0 && !tables_caught_up(p, hw) && !any_failure(p) && *p->o->run) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(p->tables, PIPE_POLL_MS);
        wk_part *pt = m && !m->err ? part_find(p, rd_kafka_topic_name(m->rkt), m->partition) : NULL;
        if (pt)
            wk_process_inline(p->pool, m, pt);
        else if (m)
            rd_kafka_message_destroy(m);
        if (tf_mono_ns() > deadline) {
            snprintf(errstr, errstr_size,
                     "loading the account, watch-list and desk topics took longer than "
                     "kafka.timeout");
            rc = -1;
        }
    }
    if (rc == 0 && any_failure(p)) {
        snprintf(errstr, errstr_size, "%s", p->fail_msg);
        rc = -1;
    }
    rd_kafka_topic_partition_list_destroy(hw);
    return rc;
}

static int subscribe_topics(pipeline_ctx *p, char *errstr, size_t errstr_size)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(2);
    rd_kafka_topic_partition_list_add(l, p->c->topic_transfers, RD_KAFKA_PARTITION_UA);
    rd_kafka_topic_partition_list_add(l, p->c->topic_reports, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(p->consumer, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (err) {
        snprintf(errstr, errstr_size, "subscribing: %s", rd_kafka_err2str(err));
        return -1;
    }
    return 0;
}

static int subscribe(pipeline_ctx *p, char *errstr, size_t errstr_size)
{
    if (subscribe_topics(p, errstr, errstr_size) != 0)
        return -1;
    p->cq = rd_kafka_queue_get_consumer(p->consumer);
    return 0;
}

/* A static member that comes back is handed its cached assignment without
 * a rebalance, even when its subscription changed. Subscribing again makes
 * it join the group anew, and the assignment is computed for the topics it
 * asks for now. */
static int rejoin(pipeline_ctx *p, char *errstr, size_t errstr_size)
{
    p->refused = 0;
    LOG_INFO(p->o->log, "pipeline", "joining the group again for %s and %s", p->c->topic_transfers,
             p->c->topic_reports);
    return subscribe_topics(p, errstr, errstr_size);
}

static int worker_count(const cfg *c)
{
    if (c->workers > 0)
        return (int)c->workers;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static int pipe_setup(pipeline_ctx *p, char *errstr, size_t errstr_size)
{
    char group[512];
    if (emit_create(p->c, p->o->log, &p->out, errstr, errstr_size) != 0 ||
        emit_begin(p->out, errstr, errstr_size) != 0)
        return -1;
    p->nworkers = worker_count(p->c);
    wk_env env = {.c = p->c,
                  .g = p->o->g,
                  .r = &p->r,
                  .out = &p->out,
                  .log = p->o->log,
                  .idle_ms = p->c->input_idle_ms};
    p->pool = wk_pool_new(p->nworkers, &env, errstr, errstr_size);
    if (!p->pool)
        return -1;
    p->consumer = new_consumer(p, p->c->group_id, 1, errstr, errstr_size);
    snprintf(group, sizeof(group), "%s-tables", p->c->group_id);
    if (p->consumer)
        p->tables = new_consumer(p, group, 0, errstr, errstr_size);
    if (!p->consumer || !p->tables)
        return -1;
    if (bootstrap_tables(p, errstr, errstr_size) != 0)
        return -1;
    p->tq = rd_kafka_queue_get_consumer(p->tables);
    LOG_INFO(p->o->log, "pipeline",
             "tables loaded; %d decode worker(s), one screening thread in event-time order",
             p->nworkers);
    return subscribe(p, errstr, errstr_size);
}

static void pipe_teardown(pipeline_ctx *p)
{
    if (p->cq)
        rd_kafka_queue_destroy(p->cq);
    if (p->tq)
        rd_kafka_queue_destroy(p->tq);
    if (p->consumer) {
        rd_kafka_consumer_close(p->consumer); /* revokes: final checkpoint */
        rd_kafka_destroy(p->consumer);
    }
    if (p->tables) {
        rd_kafka_consumer_close(p->tables);
        rd_kafka_destroy(p->tables);
    }
    wk_pool_free(p->pool); /* after the last checkpoint: nothing is queued */
    p->pool = NULL;
    if (p->out) {
        (void)emit_abort_open(p->out);
        emit_destroy(p->out);
    }
    for (size_t i = 0; i < p->nparts; i++) {
        free(p->parts[i]->topic);
        free(p->parts[i]);
    }
    free(p->parts);
    for (size_t i = 0; i < p->nsent; i++)
        free((char *)p->sent[i].topic);
    free(p->sent);
}

/* ---- the loop */

/* Whether the group consumer's fetch position is behind the end of any of
 * its partitions. Positions, not the offsets of delivered messages: the
 * position also moves past transaction markers, which are never delivered. */
static int fetch_behind(pipeline_ctx *p)
{
    rd_kafka_topic_partition_list_t *l = NULL;
    int behind = 0;
    if (rd_kafka_assignment(p->consumer, &l) != RD_KAFKA_RESP_ERR_NO_ERROR || !l)
        return 0;
    rd_kafka_position(p->consumer, l);
    for (int i = 0; i < l->cnt && !behind; i++) {
        int64_t lo = 0, hi = 0;
        if (rd_kafka_get_watermark_offsets(p->consumer, l->elems[i].topic, l->elems[i].partition,
                                           &lo, &hi) != RD_KAFKA_RESP_ERR_NO_ERROR)
            continue;
        behind = l->elems[i].offset >= 0 && l->elems[i].offset < hi;
    }
    rd_kafka_topic_partition_list_destroy(l);
    return behind;
}

/* Idle means caught up and quiet: nothing queued, nothing left in the
 * assigned partitions (a paused or checkpointing screener under load sees no
 * input for a while without being done), and no input for until_idle. */
static int idle_expired(pipeline_ctx *p)
{
    if (p->o->until_idle_ms <= 0 || !p->assigned || p->refused || p->aborts_in_a_row > 0)
        return 0;
    if (tf_mono_ns() - p->last_input_ns < p->o->until_idle_ms * 1000000)
        return 0;
    if (wk_queued(p->pool) != 0 || p->paused)
        return 0;
    if (fetch_behind(p)) {
        p->last_input_ns = tf_mono_ns(); /* not idle: wait a whole period again */
        return 0;
    }
    return 1;
}

/* A batch job (--until-idle) must not end as if it had finished when its
 * output cannot be committed: live, the screener retries for ever (an
 * outage passes); a batch gives up after this many aborts in a row. */
#define PIPE_BATCH_ABORTS 3

static int batch_gave_up(pipeline_ctx *p, char *errstr, size_t errstr_size)
{
    if (p->o->until_idle_ms <= 0 || p->aborts_in_a_row < PIPE_BATCH_ABORTS)
        return 0;
    snprintf(errstr, errstr_size,
             "--until-idle: %d transactions in a row aborted, the input is not committed (last: "
             "%s)",
             p->aborts_in_a_row, p->abort_msg);
    return 1;
}

static int loop(pipeline_ctx *p, char *errstr, size_t errstr_size)
{
    while (*p->o->run && !any_failure(p) && !idle_expired(p)) {
        if (batch_gave_up(p, errstr, errstr_size))
            return -1;
        consume_some(p);
        if (p->refused && rejoin(p, errstr, errstr_size) != 0)
            return -1;
        if (rd_kafka_fatal_error(p->consumer, NULL, 0) &&
            replace_consumer(p, errstr, errstr_size) != 0)
            return -1;
        back_pressure(p);
        int64_t now = tf_mono_ns();
        if (now - p->last_ckpt_ns >= p->c->commit_interval_ms * 1000000 &&
            checkpoint(p, 0, errstr, errstr_size) != 0)
            return -1;
        if (now - p->last_observe_ns >= (int64_t)PIPE_OBSERVE_MS * 1000000)
            observe(p);
    }
    if (any_failure(p)) {
        snprintf(errstr, errstr_size, "%s", p->fail_msg);
        return -1;
    }
    /* Shutdown: what was consumed is screened, committed and written. */
    return checkpoint(p, 1, errstr, errstr_size);
}

int pipe_run(const pipe_opts *o, stats *st, char *errstr, size_t errstr_size)
{
    pipeline_ctx p;
    memset(&p, 0, sizeof(p));
    p.o = o;
    p.c = o->c;
    p.r = o->r;
    p.last_ckpt_ns = p.last_write_ns = p.last_input_ns = p.last_observe_ns = tf_mono_ns();
    const char *crash = getenv("INTERDICT_TEST_CRASH_AFTER_COMMIT");
    p.crash_after_commit = crash ? strtol(crash, NULL, 10) : 0;

    int rc = pipe_setup(&p, errstr, errstr_size);
    if (rc == 0)
        rc = loop(&p, errstr, errstr_size);
    pipe_teardown(&p);
    if (rc == 0 && any_failure(&p)) {
        snprintf(errstr, errstr_size, "%s", p.fail_msg);
        rc = -1;
    }
    if (st)
        *st = p.total;
    return rc;
}
