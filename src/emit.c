/* emit.c - the transactional producer of freeze requests and dead letters. */
#include "emit.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cevent.h"
#include "encode.h"
#include "hash.h"
#include "kafka.h"
#include "timefmt.h"

#define EMIT_COMMIT_RETRIES 5 /* retriable commit errors before giving up */

struct emit {
    rd_kafka_t *rk;
    const cfg *c;
    const ix_log *log;
    int timeout_ms;
    size_t max_value;                /* most bytes of an original message a dead letter carries */
    char source[CEV_SOURCE_MAX + 1]; /* ce_source of everything written */
    /* produced in the open transaction */
    atomic_uint_fast64_t pending_requests, pending_deadletters;
    atomic_uint_fast64_t requests, deadletters, commits, aborts, dr_failures;
};

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    emit *e = opaque;
    (void)rk;
    if (m->err) {
        atomic_fetch_add(&e->dr_failures, 1);
        /* The transaction will fail to commit and be aborted and redone. */
        LOG_WARN(e->log, "emit", "delivery to %s failed: %s", rd_kafka_topic_name(m->rkt),
                 rd_kafka_err2str(m->err));
    }
}

/* A dead letter must always fit the producer's message.max.bytes, or one
 * message would stop its partition for good: the original's bytes it carries
 * are cut to what leaves room for its key (cut too), headers and framing. */
#define EMIT_DL_MAX_KEY 1024
#define EMIT_DL_ROOM    (64 * 1024)

static size_t deadletter_room(rd_kafka_conf_t *conf)
{
    char v[32];
    size_t n = sizeof(v);
    long long max = 1000000; /* librdkafka's default */
    if (rd_kafka_conf_get(conf, "message.max.bytes", v, &n) == RD_KAFKA_CONF_OK)
        max = strtoll(v, NULL, 10);
    return max > 2 * EMIT_DL_ROOM ? (size_t)max - EMIT_DL_ROOM : EMIT_DL_ROOM;
}

static int txn_error(const char *what, rd_kafka_error_t *err, char *errstr, size_t errstr_size)
{
    snprintf(errstr, errstr_size, "%s: %s", what, rd_kafka_error_string(err));
    rd_kafka_error_destroy(err);
    return -1;
}

int emit_create(const cfg *c, const ix_log *lg, emit **out, char *errstr, size_t errstr_size)
{
    char why[512];
    rd_kafka_error_t *err;
    emit *e = calloc(1, sizeof(*e));
    if (!e) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    e->c = c;
    e->log = lg;
    e->timeout_ms = (int)c->kafka_timeout_ms;
    if (c->ce_source && *c->ce_source)
        snprintf(e->source, sizeof(e->source), "%s", c->ce_source);
    else
        cev_default_source(c->group_id, e->source, sizeof(e->source));
    /* Freeze requests are few and urgent: a short linger. */
    static const char *const defaults[] = {"linger.ms", "5", NULL};
    rd_kafka_conf_t *conf = kafka_conf_new(c, KAFKA_PRODUCER, defaults, errstr, errstr_size);
    if (!conf)
        goto fail;
    if (kafka_conf_set(conf, "transactional.id", c->instance_id, errstr, errstr_size) != 0) {
        rd_kafka_conf_destroy(conf);
        goto fail;
    }
    e->max_value = deadletter_room(conf);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, e);
    e->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof(why));
    if (!e->rk) {
        rd_kafka_conf_destroy(conf);
        snprintf(errstr, errstr_size, "creating producer: %s", why);
        goto fail;
    }
    /* rd_kafka_new() took ownership of conf. */
    err = rd_kafka_init_transactions(e->rk, e->timeout_ms);
    if (err) {
        txn_error("initialising transactions", err, errstr, errstr_size);
        goto fail;
    }
    *out = e;
    return 0;
fail:
    emit_destroy(e);
    return -1;
}

void emit_destroy(emit *e)
{
    if (!e)
        return;
    if (e->rk)
        rd_kafka_destroy(e->rk);
    free(e);
}

int emit_begin(emit *e, char *errstr, size_t errstr_size)
{
    rd_kafka_error_t *err = rd_kafka_begin_transaction(e->rk);
    if (err)
        return txn_error("beginning transaction", err, errstr, errstr_size);
    atomic_store(&e->pending_requests, 0);
    atomic_store(&e->pending_deadletters, 0);
    return 0;
}

/* Produce, waiting out a full local queue: that is back-pressure from the
 * broker, not a failure. */
static int produce(emit *e, const char *topic, const void *key, size_t key_len, const void *val,
                   size_t val_len, rd_kafka_headers_t *hdrs, char *errstr, size_t errstr_size)
{
    for (;;) {
        rd_kafka_resp_err_t err = rd_kafka_producev(
            e->rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, key_len),
            RD_KAFKA_V_VALUE((void *)val, val_len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
        if (!err)
            return 0;
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            if (hdrs)
                rd_kafka_headers_destroy(hdrs);
            snprintf(errstr, errstr_size, "producing to %s: %s", topic, rd_kafka_err2str(err));
            return -1;
        }
        rd_kafka_poll(e->rk, 10);
    }
}

int emit_request(emit *e, const ix_request *req, char *errstr, size_t errstr_size)
{
    char *buf = malloc(ENC_REQUEST_MAX);
    if (!buf) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    int n = enc_request(req, buf, ENC_REQUEST_MAX);
    rd_kafka_headers_t *h = rd_kafka_headers_new(8);
    int rc = -1;
    if (n < 0 || cev_request_headers(h, e->source, req) != 0) {
        snprintf(errstr, errstr_size,
                 "freeze request %s cannot be encoded (over %d bytes, or a time outside "
                 "1970..9999)",
                 req->id, ENC_REQUEST_MAX);
        rd_kafka_headers_destroy(h);
    } else {
        /* produce() owns h from here, delivered or not. */
        rc = produce(e, e->c->topic_interceptions, req->account, strlen(req->account), buf,
                     (size_t)n, h, errstr, errstr_size);
    }
    free(buf);
    if (rc == 0)
        atomic_fetch_add(&e->pending_requests, 1);
    rd_kafka_poll(e->rk, 0);
    return rc;
}

/* Cut what does not fit, and say so: the original's sizes and a hash of its
 * value, so it can still be recognised (and found again on its topic, by the
 * offset headers). */
static void truncate_original(const emit *e, const emit_source *src, rd_kafka_headers_t *h,
                              size_t *key_len, size_t *value_len)
{
    char n[24], hash[24];
    if (src->key_len <= EMIT_DL_MAX_KEY && src->value_len <= e->max_value)
        return;
    if (src->key_len > EMIT_DL_MAX_KEY)
        *key_len = EMIT_DL_MAX_KEY;
    if (src->value_len > e->max_value)
        *value_len = e->max_value;
    rd_kafka_header_add(h, "interdict.truncated", -1, "true", -1);
    snprintf(n, sizeof(n), "%zu", src->key_len);
    rd_kafka_header_add(h, "interdict.original.key.bytes", -1, n, -1);
    snprintf(n, sizeof(n), "%zu", src->value_len);
    rd_kafka_header_add(h, "interdict.original.bytes", -1, n, -1);
    uint64_t v = hash_fnv1a64(HASH_FNV64_INIT, src->value, src->value ? src->value_len : 0);
    snprintf(hash, sizeof(hash), "%016" PRIx64, v);
    rd_kafka_header_add(h, "interdict.original.fnv1a64", -1, hash, -1);
}

int emit_deadletter(emit *e, const emit_source *src, const char *reason, const char *detail,
                    char *errstr, size_t errstr_size)
{
    char part[16], off[24];
    snprintf(part, sizeof(part), "%" PRId32, src->partition);
    snprintf(off, sizeof(off), "%" PRId64, src->offset);
    rd_kafka_headers_t *h = rd_kafka_headers_new(16);
    /* The time is the wall clock's, always within 1970..9999. */
    (void)cev_deadletter_headers(h, e->source, src->topic, src->partition, src->offset, reason,
                                 tf_now_ms());
    rd_kafka_header_add(h, "interdict.reason", -1, reason, -1);
    rd_kafka_header_add(h, "interdict.detail", -1, detail, -1);
    rd_kafka_header_add(h, "interdict.topic", -1, src->topic, -1);
    rd_kafka_header_add(h, "interdict.partition", -1, part, -1);
    rd_kafka_header_add(h, "interdict.offset", -1, off, -1);
    size_t key_len = src->key_len, value_len = src->value_len;
    truncate_original(e, src, h, &key_len, &value_len);
    int rc = produce(e, e->c->topic_deadletter, src->key, key_len, src->value, value_len, h, errstr,
                     errstr_size);
    if (rc == 0)
        atomic_fetch_add(&e->pending_deadletters, 1);
    rd_kafka_poll(e->rk, 0);
    return rc;
}

static emit_result abort_txn(emit *e, const char *why, char *errstr, size_t errstr_size)
{
    LOG_WARN(e->log, "emit", "aborting transaction: %s", why);
    rd_kafka_error_t *err = rd_kafka_abort_transaction(e->rk, e->timeout_ms);
    atomic_fetch_add(&e->aborts, 1);
    if (err) {
        int fatal = rd_kafka_error_is_fatal(err);
        txn_error("aborting transaction", err, errstr, errstr_size);
        return fatal ? EMIT_FATAL : EMIT_ABORTED;
    }
    snprintf(errstr, errstr_size, "transaction aborted: %s", why);
    return EMIT_ABORTED;
}

/* Classify a transactional error: abort, or give up. */
static emit_result on_txn_error(emit *e, const char *what, rd_kafka_error_t *err, char *errstr,
                                size_t errstr_size)
{
    char why[512];
    snprintf(why, sizeof(why), "%s: %s", what, rd_kafka_error_string(err));
    int requires_abort = rd_kafka_error_txn_requires_abort(err);
    int fatal = rd_kafka_error_is_fatal(err);
    rd_kafka_error_destroy(err);
    if (fatal || !requires_abort) {
        snprintf(errstr, errstr_size, "%s", why);
        return EMIT_FATAL;
    }
    return abort_txn(e, why, errstr, errstr_size);
}

emit_result emit_commit(emit *e, rd_kafka_t *consumer,
                        const rd_kafka_topic_partition_list_t *offsets, char *errstr,
                        size_t errstr_size)
{
    rd_kafka_error_t *err;
    if (offsets && offsets->cnt > 0) {
        rd_kafka_consumer_group_metadata_t *md = rd_kafka_consumer_group_metadata(consumer);
        err = rd_kafka_send_offsets_to_transaction(e->rk, offsets, md, e->timeout_ms);
        rd_kafka_consumer_group_metadata_destroy(md);
        if (err)
            return on_txn_error(e, "sending offsets to transaction", err, errstr, errstr_size);
    }
    for (int attempt = 0;; attempt++) {
        err = rd_kafka_commit_transaction(e->rk, e->timeout_ms);
        if (!err)
            break;
        if (rd_kafka_error_is_retriable(err) && attempt < EMIT_COMMIT_RETRIES) {
            LOG_WARN(e->log, "emit", "commit failed, retrying: %s", rd_kafka_error_string(err));
            rd_kafka_error_destroy(err);
            continue;
        }
        return on_txn_error(e, "committing transaction", err, errstr, errstr_size);
    }
    atomic_fetch_add(&e->requests, atomic_load(&e->pending_requests));
    atomic_fetch_add(&e->deadletters, atomic_load(&e->pending_deadletters));
    atomic_fetch_add(&e->commits, 1);
    return EMIT_OK;
}

int emit_abort_open(emit *e)
{
    rd_kafka_error_t *err = rd_kafka_abort_transaction(e->rk, e->timeout_ms);
    if (!err)
        return 0;
    LOG_DEBUG(e->log, "emit", "aborting open transaction: %s", rd_kafka_error_string(err));
    int fatal = rd_kafka_error_is_fatal(err);
    rd_kafka_error_destroy(err);
    return fatal ? -1 : 0;
}

void emit_get_stats(emit *e, emit_stats *st)
{
    st->requests = atomic_load(&e->requests);
    st->deadletters = atomic_load(&e->deadletters);
    st->commits = atomic_load(&e->commits);
    st->aborts = atomic_load(&e->aborts);
    st->delivery_failures = atomic_load(&e->dr_failures);
}
