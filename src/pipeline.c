/* pipeline.c - the consume / screen / checkpoint loop. */
#include "pipeline.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "decode.h"
#include "emit.h"
#include "kafka.h"
#include "timefmt.h"

#define PIPE_POLL_MS      100             /* longest wait for input; bounds reaction time */
#define PIPE_MAX_REQUESTS RULES_MAX_TRACE /* requests one message can raise */

/* One input partition and where we are in it. */
typedef struct part {
    char *topic;
    int32_t partition;
    int is_table;           /* accounts / watchlist: global tables, not in the group */
    int64_t next;           /* next offset to screen; -1 until a message since ckpt */
    int64_t ckpt;           /* where a rewind goes: `next` at the last checkpoint, or
                             * the start position (may be RD_KAFKA_OFFSET_BEGINNING) */
    int64_t suppress_until; /* output below this offset was already committed */
} part;

typedef struct pipeline_ctx {
    const pipe_opts *o;
    const cfg *c;
    rd_kafka_t *consumer; /* the group consumer of transfers */
    rd_kafka_t *tables;   /* assigned consumer of the table topics, every partition */
    emit *out;
    part *parts;
    size_t nparts, capparts;
    int dirty;    /* something was screened since the last checkpoint */
    int assigned; /* the group has given us partitions at least once */
    int failed;   /* a fatal error happened inside a callback */
    char fail_msg[1024];
    int64_t last_input_ns;
    int64_t last_ckpt_ns;
    pipe_stats total;    /* committed */
    pipe_stats interval; /* since the last checkpoint */
    dec_limits lim;
    ix_request *reqs; /* scratch, PIPE_MAX_REQUESTS */
} pipeline_ctx;

/* ---- partition bookkeeping */

static part *part_find(pipeline_ctx *p, const char *topic, int32_t partition)
{
    for (size_t i = 0; i < p->nparts; i++)
        if (p->parts[i].partition == partition && strcmp(p->parts[i].topic, topic) == 0)
            return &p->parts[i];
    return NULL;
}

static part *part_add(pipeline_ctx *p, const char *topic, int32_t partition, int is_table)
{
    part *pt = part_find(p, topic, partition);
    if (pt)
        return pt;
    if (p->nparts == p->capparts) {
        size_t cap = p->capparts ? p->capparts * 2 : 16;
        part *np = realloc(p->parts, cap * sizeof(*np));
        if (!np)
            return NULL;
        p->parts = np;
        p->capparts = cap;
    }
    pt = &p->parts[p->nparts];
    memset(pt, 0, sizeof(*pt));
    pt->topic = strdup(topic);
    if (!pt->topic)
        return NULL;
    pt->partition = partition;
    pt->is_table = is_table;
    pt->next = pt->ckpt = -1;
    p->nparts++;
    return pt;
}

static void part_remove(pipeline_ctx *p, const char *topic, int32_t partition)
{
    part *pt = part_find(p, topic, partition);
    if (!pt)
        return;
    free(pt->topic);
    *pt = p->parts[--p->nparts];
}

static void fail(pipeline_ctx *p, const char *fmt, const char *detail)
{
    if (p->failed)
        return;
    p->failed = 1;
    snprintf(p->fail_msg, sizeof(p->fail_msg), fmt, detail);
}

/* ---- statistics */

static void stats_add(pipe_stats *dst, const pipe_stats *src)
{
    const uint64_t *s = (const uint64_t *)src;
    uint64_t *d = (uint64_t *)dst;
    for (size_t i = 0; i < sizeof(*src) / sizeof(uint64_t); i++)
        d[i] += s[i];
}

/* ---- checkpoint */

/* Build the offsets of every partition that moved: for the transaction (group
 * partitions only) and for the store (all of them). */
static int collect_offsets(pipeline_ctx *p, rd_kafka_topic_partition_list_t *txn,
                           graph_offset *store, size_t *nstore)
{
    *nstore = 0;
    for (size_t i = 0; i < p->nparts; i++) {
        part *pt = &p->parts[i];
        if (pt->next < 0 || pt->next == pt->ckpt)
            continue;
        if (!pt->is_table)
            rd_kafka_topic_partition_list_add(txn, pt->topic, pt->partition)->offset = pt->next;
        store[*nstore].topic = pt->topic;
        store[*nstore].partition = pt->partition;
        store[*nstore].offset = pt->next;
        (*nstore)++;
    }
    return 0;
}

static int rewind_to_checkpoint(pipeline_ctx *p, char *errstr, size_t errstr_size);

static int checkpoint(pipeline_ctx *p, char *errstr, size_t errstr_size)
{
    if (!p->dirty)
        return 0;
    int rc = -1;
    size_t nstore = 0;
    graph_offset *store = calloc(p->nparts ? p->nparts : 1, sizeof(*store));
    rd_kafka_topic_partition_list_t *txn = rd_kafka_topic_partition_list_new((int)p->nparts);
    if (!store) {
        snprintf(errstr, errstr_size, "out of memory");
        goto out;
    }
    collect_offsets(p, txn, store, &nstore);
    emit_result er = emit_commit(p->out, p->consumer, txn, errstr, errstr_size);
    if (er == EMIT_FATAL)
        goto out;
    if (er == EMIT_ABORTED) {
        LOG_WARN(p->o->log, "pipeline", "%s; screening the interval again", errstr);
        p->total.aborts++;
        rc = rewind_to_checkpoint(p, errstr, errstr_size);
        goto out;
    }
    /* The transaction is committed: from here a failure leaves the store
     * behind the group, which a restart repairs (pipeline.h, step 4). */
    if (graph_checkpoint(p->o->g, store, nstore, errstr, errstr_size) != 0)
        goto out;
    for (size_t i = 0; i < p->nparts; i++)
        if (p->parts[i].next >= 0)
            p->parts[i].ckpt = p->parts[i].next;
    p->interval.checkpoints++;
    stats_add(&p->total, &p->interval);
    memset(&p->interval, 0, sizeof(p->interval));
    p->dirty = 0;
    rc = emit_begin(p->out, errstr, errstr_size);
out:
    p->last_ckpt_ns = tf_mono_ns();
    rd_kafka_topic_partition_list_destroy(txn);
    free(store);
    return rc;
}

/* Seek one consumer's partitions back to their checkpointed positions. */
static int rewind_consumer(pipeline_ctx *p, rd_kafka_t *rk, int tables, char *errstr,
                           size_t errstr_size)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)p->nparts);
    for (size_t i = 0; i < p->nparts; i++) {
        part *pt = &p->parts[i];
        if (pt->is_table != tables || pt->next < 0 || pt->next == pt->ckpt)
            continue;
        rd_kafka_topic_partition_list_add(l, pt->topic, pt->partition)->offset = pt->ckpt;
        pt->next = -1;
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

static int rewind_to_checkpoint(pipeline_ctx *p, char *errstr, size_t errstr_size)
{
    graph_discard(p->o->g);
    memset(&p->interval, 0, sizeof(p->interval));
    p->dirty = 0;
    if (rewind_consumer(p, p->consumer, 0, errstr, errstr_size) != 0 ||
        rewind_consumer(p, p->tables, 1, errstr, errstr_size) != 0)
        return -1;
    return emit_begin(p->out, errstr, errstr_size);
}

/* ---- screening */

static void deadletter(pipeline_ctx *p, const rd_kafka_message_t *m, int suppress,
                       const char *reason, const char *detail)
{
    char errstr[512];
    if (suppress)
        return;
    emit_source src = {rd_kafka_topic_name(m->rkt),
                       m->partition,
                       m->offset,
                       m->key,
                       m->key_len,
                       m->payload,
                       m->len};
    if (emit_deadletter(p->out, &src, reason, detail, errstr, sizeof(errstr)) != 0)
        fail(p, "dead-letter: %s", errstr);
    p->interval.deadletters++;
}

static void reject(pipeline_ctx *p, const rd_kafka_message_t *m, int suppress, const dec_error *de)
{
    char detail[256];
    /* The reason has a header of its own; the detail names the field. */
    if (de->field[0])
        snprintf(detail, sizeof(detail), "%s: %s", de->field, de->detail);
    else
        snprintf(detail, sizeof(detail), "%s", de->detail);
    p->interval.dead_by_reason[de->reason]++;
    LOG_DEBUG(p->o->log, "pipeline", "%s [%d] @%" PRId64 " rejected: %s",
              rd_kafka_topic_name(m->rkt), m->partition, m->offset, detail);
    deadletter(p, m, suppress, dec_reason_code(de->reason), detail);
}

static void emit_requests(pipeline_ctx *p, int n, int suppress)
{
    char errstr[512];
    for (int i = 0; i < n; i++) {
        const ix_request *rq = &p->reqs[i];
        if (!suppress && emit_request(p->out, rq, errstr, sizeof(errstr)) != 0) {
            fail(p, "emitting request: %s", errstr);
            return;
        }
        if (!suppress) {
            p->interval.requests++;
            p->interval.by_action[rq->action]++;
        }
        LOG_DEBUG(p->o->log, "pipeline", "%s %s %s score %d%s", ix_action_name(rq->action),
                  rq->account, rq->id, rq->score, suppress ? " (replayed, not re-sent)" : "");
    }
}

static void screen_transfer(pipeline_ctx *p, part *pt, const rd_kafka_message_t *m)
{
    char errstr[512];
    ix_transfer t;
    dec_error de;
    graph_acct from, to;
    int suppress = m->offset < pt->suppress_until;

    p->interval.transfers++;
    if (suppress)
        p->interval.replayed++;
    p->lim.now_ms = tf_now_ms();
    if (dec_transfer(m->payload, m->len, &p->lim, &t, &de) != DEC_OK) {
        reject(p, m, suppress, &de);
        return;
    }
    if (strcmp(t.currency, p->c->currency) != 0) {
        char detail[96];
        snprintf(detail, sizeof(detail), "currency: %s, this instance screens %s", t.currency,
                 p->c->currency);
        p->interval.dead_foreign_currency++;
        deadletter(p, m, suppress, "foreign_currency", detail);
        return;
    }
    if (graph_apply_transfer(p->o->g, &t, &from, &to, errstr, sizeof(errstr)) != 0) {
        fail(p, "graph: %s", errstr);
        return;
    }
    int n = rules_screen(p->o->r, p->o->g, &t, &from, &to, tf_now_ms(), p->reqs, PIPE_MAX_REQUESTS,
                         p->interval.rule_hits, errstr, sizeof(errstr));
    if (n < 0) {
        fail(p, "rules: %s", errstr);
        return;
    }
    p->interval.screened++;
    emit_requests(p, n, suppress);
}

/* A victim's fraud report: trace the reported money and freeze where it went. */
static void screen_report(pipeline_ctx *p, part *pt, const rd_kafka_message_t *m)
{
    char errstr[512];
    ix_report rep;
    dec_error de;
    int suppress = m->offset < pt->suppress_until, found = 0;

    p->interval.reports++;
    p->lim.now_ms = 0; /* a report may name an old transfer; the trace bounds time */
    if (dec_report(m->payload, m->len, &p->lim, &rep, &de) != DEC_OK) {
        reject(p, m, suppress, &de);
        return;
    }
    int n = rules_trace(p->o->r, p->o->g, &rep, tf_now_ms(), p->reqs, PIPE_MAX_REQUESTS, &found,
                        p->interval.rule_hits, errstr, sizeof(errstr));
    if (n < 0) {
        fail(p, "trace: %s", errstr);
        return;
    }
    if (!found) {
        char detail[256];
        snprintf(detail, sizeof(detail),
                 "transfer_id: %s of %s is not in the state store (not screened yet, or older "
                 "than state.retention)",
                 rep.transfer_id, rep.victim_account);
        p->interval.dead_unknown_transfer++;
        deadletter(p, m, suppress, "unknown_transfer", detail);
        return;
    }
    LOG_INFO(p->o->log, "pipeline", "report %s: money of %s traced to %d account(s)", rep.id,
             rep.victim_account, n);
    emit_requests(p, n, suppress);
}

/* The key of a table message must be its account, so that compaction keeps
 * the latest entry per account. */
static int key_is(const rd_kafka_message_t *m, const char *account)
{
    size_t n = strlen(account);
    return m->key && m->key_len == n && memcmp(m->key, account, n) == 0;
}

static void apply_tombstone(pipeline_ctx *p, const rd_kafka_message_t *m)
{
    char errstr[512], account[IX_ACCOUNT_MAX + 1];
    if (!m->key || m->key_len == 0 || m->key_len > IX_ACCOUNT_MAX ||
        memchr(m->key, '\0', m->key_len)) {
        p->interval.dead_bad_key++;
        deadletter(p, m, 0, "bad_key", "tombstone without a valid account key");
        return;
    }
    memcpy(account, m->key, m->key_len);
    account[m->key_len] = '\0';
    if (graph_del_watch(p->o->g, account, NULL, errstr, sizeof(errstr)) != 0)
        fail(p, "graph: %s", errstr);
}

static void apply_table(pipeline_ctx *p, const rd_kafka_message_t *m)
{
    char errstr[512];
    dec_error de;
    const char *topic = rd_kafka_topic_name(m->rkt);
    int is_watch = strcmp(topic, p->c->topic_watchlist) == 0;
    int rc = 0;

    p->lim.now_ms = 0; /* table entries may be old; no event-time range */
    if (is_watch && !m->payload) {
        apply_tombstone(p, m);
    } else if (is_watch) {
        ix_watch w;
        if (dec_watch(m->payload, m->len, &p->lim, &w, &de) != DEC_OK) {
            reject(p, m, 0, &de);
            return;
        }
        if (!key_is(m, w.account)) {
            p->interval.dead_bad_key++;
            deadletter(p, m, 0, "bad_key", "message key is not the entry's account");
            return;
        }
        rc = graph_put_watch(p->o->g, &w, NULL, errstr, sizeof(errstr));
    } else {
        ix_account a;
        if (dec_account(m->payload, m->len, &p->lim, &a, &de) != DEC_OK) {
            reject(p, m, 0, &de);
            return;
        }
        if (!key_is(m, a.account)) {
            p->interval.dead_bad_key++;
            deadletter(p, m, 0, "bad_key", "message key is not the profile's account");
            return;
        }
        rc = graph_put_profile(p->o->g, &a, NULL, errstr, sizeof(errstr));
    }
    if (rc != 0)
        fail(p, "graph: %s", errstr);
    p->interval.table_updates++;
}

/* Handle one message (or event) from either consumer. Returns 1 if it was
 * input, 0 for an event. */
static int handle(pipeline_ctx *p, rd_kafka_message_t *m, int is_table)
{
    if (m->err) {
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
            return 0;
        /* Transient errors (broker down, timeouts) are retried by librdkafka. */
        LOG_WARN(p->o->log, "pipeline", "consumer: %s", rd_kafka_message_errstr(m));
        if (m->err == RD_KAFKA_RESP_ERR__FATAL)
            fail(p, "consumer: %s", rd_kafka_message_errstr(m));
        return 0;
    }
    part *pt = part_find(p, rd_kafka_topic_name(m->rkt), m->partition);
    if (!pt) {
        /* A message of a partition we no longer own: drop it unprocessed; its
         * new owner screens it from the committed offset. */
        return 0;
    }
    if (is_table)
        apply_table(p, m);
    else if (strcmp(rd_kafka_topic_name(m->rkt), p->c->topic_reports) == 0)
        screen_report(p, pt, m);
    else
        screen_transfer(p, pt, m);
    pt->next = m->offset + 1;
    p->dirty = 1;
    p->last_input_ns = tf_mono_ns();
    return 1;
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
static int plan_start(pipeline_ctx *p, rd_kafka_topic_partition_t *tp, int is_table)
{
    char errstr[512];
    int64_t stored = -1;
    int found =
        graph_get_offset(p->o->g, tp->topic, tp->partition, &stored, errstr, sizeof(errstr));
    if (found < 0) {
        fail(p, "graph: %s", errstr);
        return -1;
    }
    part *pt = part_add(p, tp->topic, tp->partition, is_table);
    if (!pt) {
        fail(p, "%s", "out of memory");
        return -1;
    }
    int64_t committed = is_table ? -1 : committed_offset(p, tp->topic, tp->partition);
    pt->suppress_until = -1;
    if (found) {
        tp->offset = stored;
        pt->next = pt->ckpt = stored;
        if (committed > stored) {
            pt->suppress_until = committed;
            LOG_INFO(p->o->log, "pipeline",
                     "%s [%d]: state at %" PRId64 ", output committed to %" PRId64
                     ": rebuilding that gap without re-sending",
                     tp->topic, tp->partition, stored, committed);
        }
    } else if (committed >= 0) {
        tp->offset = committed;
        pt->next = pt->ckpt = committed;
        LOG_WARN(p->o->log, "pipeline",
                 "%s [%d]: no position in the state store; resuming at the group's offset "
                 "%" PRId64 " (state from before it is not in this store)",
                 tp->topic, tp->partition, committed);
    } else {
        tp->offset = RD_KAFKA_OFFSET_BEGINNING;
        pt->ckpt = RD_KAFKA_OFFSET_BEGINNING;
        pt->next = -1;
    }
    return 0;
}

static void on_assign(pipeline_ctx *p, rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts)
{
    for (int i = 0; i < parts->cnt; i++)
        if (plan_start(p, &parts->elems[i], 0) != 0)
            break;
    rd_kafka_assign(rk, parts);
    p->assigned = 1;
    p->last_input_ns = tf_mono_ns();
    LOG_INFO(p->o->log, "pipeline", "assigned %d partition(s)", parts->cnt);
}

static void on_revoke(pipeline_ctx *p, rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts)
{
    char errstr[512];
    /* Finish what is in flight for the partitions we are losing. */
    if (checkpoint(p, errstr, sizeof(errstr)) != 0)
        fail(p, "checkpoint on revoke: %s", errstr);
    for (int i = 0; i < parts->cnt; i++)
        part_remove(p, parts->elems[i].topic, parts->elems[i].partition);
    rd_kafka_assign(rk, NULL);
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
    char why[512];
    rd_kafka_conf_t *conf = kafka_conf_new(p->c, KAFKA_CONSUMER, NULL, errstr, errstr_size);
    if (!conf)
        return NULL;
    if (kafka_conf_set(conf, "group.id", group, errstr, errstr_size) != 0 ||
        kafka_conf_set(conf, "enable.auto.commit", "false", errstr, errstr_size) != 0 ||
        kafka_conf_set(conf, "enable.auto.offset.store", "false", errstr, errstr_size) != 0 ||
        kafka_conf_set(conf, "isolation.level", "read_committed", errstr, errstr_size) != 0 ||
        kafka_conf_set(conf, "auto.offset.reset", "earliest", errstr, errstr_size) != 0) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    if (with_rebalance) {
        rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
        rd_kafka_conf_set_opaque(conf, p);
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof(why));
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        snprintf(errstr, errstr_size, "creating consumer: %s", why);
        return NULL;
    }
    rd_kafka_poll_set_consumer(rk);
    return rk;
}

/* Assign every partition of the table topics from the stored positions and
 * return their high watermarks, so the caller can read up to them. */
static int assign_tables(pipeline_ctx *p, rd_kafka_topic_partition_list_t *hw, char *errstr,
                         size_t errstr_size)
{
    const char *topics[2] = {p->c->topic_accounts, p->c->topic_watchlist};
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(32);
    int rc = -1;
    for (int t = 0; t < 2; t++) {
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(p->tables, topics[t], NULL);
        rd_kafka_resp_err_t err =
            rd_kafka_metadata(p->tables, 0, rkt, &md, (int)p->c->kafka_timeout_ms);
        rd_kafka_topic_destroy(rkt);
        if (err || md->topic_cnt != 1 || md->topics[0].err) {
            snprintf(errstr, errstr_size,
                     "topic %s: %s (create the topics with `interdict topics`)", topics[t],
                     rd_kafka_err2str(err             ? err
                                      : md->topic_cnt ? md->topics[0].err
                                                      : RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC));
            if (md)
                rd_kafka_metadata_destroy(md);
            goto out;
        }
        for (int i = 0; i < md->topics[0].partition_cnt; i++) {
            rd_kafka_topic_partition_t *tp =
                rd_kafka_topic_partition_list_add(l, topics[t], md->topics[0].partitions[i].id);
            if (plan_start(p, tp, 1) != 0) {
                rd_kafka_metadata_destroy(md);
                snprintf(errstr, errstr_size, "%s", p->fail_msg);
                goto out;
            }
            int64_t lo = 0, hi = 0;
            rd_kafka_query_watermark_offsets(p->tables, topics[t], tp->partition, &lo, &hi,
                                             (int)p->c->kafka_timeout_ms);
            rd_kafka_topic_partition_list_add(hw, topics[t], tp->partition)->offset = hi;
        }
        rd_kafka_metadata_destroy(md);
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
        part *pt = part_find(p, hw->elems[i].topic, hw->elems[i].partition);
        int64_t pos = pt && pt->next >= 0 ? pt->next : 0;
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
 * that a transfer is never screened against a stale watch list at start. */
static int bootstrap_tables(pipeline_ctx *p, char *errstr, size_t errstr_size)
{
    rd_kafka_topic_partition_list_t *hw = rd_kafka_topic_partition_list_new(32);
    int rc = assign_tables(p, hw, errstr, errstr_size);
    int64_t deadline = tf_mono_ns() + p->c->kafka_timeout_ms * 1000000;
    while (rc == 0 && !tables_caught_up(p, hw) && !p->failed && *p->o->run) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(p->tables, PIPE_POLL_MS);
        if (m) {
            handle(p, m, 1);
            rd_kafka_message_destroy(m);
        }
        if (tf_mono_ns() > deadline) {
            snprintf(errstr, errstr_size,
                     "loading the account and watch-list topics took "
                     "longer than kafka.timeout");
            rc = -1;
        }
    }
    if (rc == 0 && p->failed) {
        snprintf(errstr, errstr_size, "%s", p->fail_msg);
        rc = -1;
    }
    rd_kafka_topic_partition_list_destroy(hw);
    return rc;
}

static int subscribe(pipeline_ctx *p, char *errstr, size_t errstr_size)
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

static int pipe_setup(pipeline_ctx *p, char *errstr, size_t errstr_size)
{
    char group[512];
    p->reqs = calloc(PIPE_MAX_REQUESTS, sizeof(*p->reqs));
    if (!p->reqs) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    if (emit_create(p->c, p->o->log, &p->out, errstr, errstr_size) != 0 ||
        emit_begin(p->out, errstr, errstr_size) != 0)
        return -1;
    p->consumer = new_consumer(p, p->c->group_id, 1, errstr, errstr_size);
    snprintf(group, sizeof(group), "%s-tables", p->c->group_id);
    if (p->consumer)
        p->tables = new_consumer(p, group, 0, errstr, errstr_size);
    if (!p->consumer || !p->tables)
        return -1;
    if (bootstrap_tables(p, errstr, errstr_size) != 0)
        return -1;
    return subscribe(p, errstr, errstr_size);
}

static void pipe_teardown(pipeline_ctx *p)
{
    if (p->consumer) {
        rd_kafka_consumer_close(p->consumer); /* revokes: final checkpoint */
        rd_kafka_destroy(p->consumer);
    }
    if (p->tables) {
        rd_kafka_consumer_close(p->tables);
        rd_kafka_destroy(p->tables);
    }
    if (p->out) {
        emit_abort_open(p->out);
        emit_destroy(p->out);
    }
    for (size_t i = 0; i < p->nparts; i++)
        free(p->parts[i].topic);
    free(p->parts);
    free(p->reqs);
}

/* ---- the loop */

static int idle_expired(const pipeline_ctx *p)
{
    if (p->o->until_idle_ms <= 0 || !p->assigned)
        return 0;
    return tf_mono_ns() - p->last_input_ns >= p->o->until_idle_ms * 1000000;
}

static int loop(pipeline_ctx *p, char *errstr, size_t errstr_size)
{
    while (*p->o->run && !p->failed && !idle_expired(p)) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(p->tables, 0);
        if (m) {
            handle(p, m, 1);
            rd_kafka_message_destroy(m);
        }
        m = rd_kafka_consumer_poll(p->consumer, PIPE_POLL_MS);
        if (m) {
            handle(p, m, 0);
            rd_kafka_message_destroy(m);
        }
        if (tf_mono_ns() - p->last_ckpt_ns >= p->c->commit_interval_ms * 1000000 &&
            checkpoint(p, errstr, errstr_size) != 0)
            return -1;
    }
    if (p->failed) {
        snprintf(errstr, errstr_size, "%s", p->fail_msg);
        return -1;
    }
    return checkpoint(p, errstr, errstr_size);
}

int pipe_run(const pipe_opts *o, pipe_stats *st, char *errstr, size_t errstr_size)
{
    pipeline_ctx p;
    memset(&p, 0, sizeof(p));
    p.o = o;
    p.c = o->c;
    dec_limits_default(&p.lim);
    p.lim.max_bytes = (size_t)o->c->input_max_bytes;
    p.lim.max_past_ms = o->c->input_max_past_ms;
    p.lim.max_future_ms = o->c->input_max_future_ms;
    p.last_ckpt_ns = p.last_input_ns = tf_mono_ns();

    int rc = pipe_setup(&p, errstr, errstr_size);
    if (rc == 0)
        rc = loop(&p, errstr, errstr_size);
    pipe_teardown(&p);
    if (rc == 0 && p.failed) {
        snprintf(errstr, errstr_size, "%s", p.fail_msg);
        rc = -1;
    }
    if (st)
        *st = p.total;
    return rc;
}
