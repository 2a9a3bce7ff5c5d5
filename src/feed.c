/* feed.c - counted, checked production of input records. */
#include "feed.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "kafka.h"

#define FEED_MAX_TOPICS     8
#define FEED_MAX_PARTITIONS 256

/* Volume per topic partition; written only by the delivery callback, which
 * runs on the thread that polls (rd_kafka_poll/flush), so no lock. */
typedef struct feed_tally {
    char topic[256];
    uint64_t bytes[FEED_MAX_PARTITIONS];
    uint64_t msgs[FEED_MAX_PARTITIONS];
} feed_tally;

struct feed {
    rd_kafka_t *rk;
    atomic_uint_fast64_t produced, delivered, failed;
    char first_error[256];
    feed_tally tally[FEED_MAX_TOPICS];
    int ntally;
};

static feed_tally *tally_of(feed *f, const char *topic)
{
    for (int i = 0; i < f->ntally; i++)
        if (strcmp(f->tally[i].topic, topic) == 0)
            return &f->tally[i];
    if (f->ntally == FEED_MAX_TOPICS)
        return NULL;
    feed_tally *t = &f->tally[f->ntally++];
    snprintf(t->topic, sizeof(t->topic), "%s", topic);
    return t;
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    feed *f = opaque;
    (void)rk;
    if (m->err) {
        if (atomic_fetch_add(&f->failed, 1) == 0)
            snprintf(f->first_error, sizeof(f->first_error), "%s [%d]: %s",
                     rd_kafka_topic_name(m->rkt), m->partition, rd_kafka_err2str(m->err));
        return;
    }
    atomic_fetch_add(&f->delivered, 1);
    feed_tally *t = tally_of(f, rd_kafka_topic_name(m->rkt));
    if (t && m->partition >= 0 && m->partition < FEED_MAX_PARTITIONS) {
        t->bytes[m->partition] += m->len + m->key_len;
        t->msgs[m->partition]++;
    }
}

feed *feed_new(const cfg *c, char *errstr, size_t errstr_size)
{
    char why[512];
    feed *f = calloc(1, sizeof(*f));
    if (!f) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    static const char *const defaults[] = {"linger.ms", "20", NULL};
    rd_kafka_conf_t *conf = kafka_conf_new(c, KAFKA_PRODUCER, defaults, errstr, errstr_size);
    if (!conf)
        goto fail;
    /* Idempotence: retries cannot duplicate or reorder what we send. The
     * murmur2 partitioner places keys as the Java clients do, which the
     * state layout relies on (docs/architecture.md). */
    if (kafka_conf_set(conf, "enable.idempotence", "true", errstr, errstr_size) != 0 ||
        kafka_conf_set(conf, "partitioner", "murmur2_random", errstr, errstr_size) != 0) {
        rd_kafka_conf_destroy(conf);
        goto fail;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, f);
    f->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof(why));
    if (!f->rk) {
        rd_kafka_conf_destroy(conf);
        snprintf(errstr, errstr_size, "creating producer: %s", why);
        goto fail;
    }
    return f;
fail:
    free(f);
    return NULL;
}

int feed_send(feed *f, const char *topic, const char *key, const void *value, size_t len,
              char *errstr, size_t errstr_size)
{
    for (;;) {
        rd_kafka_resp_err_t err = rd_kafka_producev(
            f->rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, key ? strlen(key) : 0),
            RD_KAFKA_V_VALUE((void *)value, value ? len : 0),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (!err) {
            atomic_fetch_add(&f->produced, 1);
            rd_kafka_poll(f->rk, 0);
            return 0;
        }
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            snprintf(errstr, errstr_size, "producing to %s: %s", topic, rd_kafka_err2str(err));
            return -1;
        }
        rd_kafka_poll(f->rk, 50);
    }
}

int feed_flush(feed *f, int timeout_ms, char *errstr, size_t errstr_size)
{
    rd_kafka_resp_err_t err = rd_kafka_flush(f->rk, timeout_ms);
    uint64_t produced = atomic_load(&f->produced), delivered = atomic_load(&f->delivered);
    uint64_t failed = atomic_load(&f->failed);
    if (failed) {
        snprintf(errstr, errstr_size, "%llu of %llu messages were not delivered (first: %s)",
                 (unsigned long long)failed, (unsigned long long)produced, f->first_error);
        return -1;
    }
    if (err || delivered != produced) {
        snprintf(errstr, errstr_size, "only %llu of %llu messages acknowledged within %d ms",
                 (unsigned long long)delivered, (unsigned long long)produced, timeout_ms);
        return -1;
    }
    return 0;
}

void feed_get_stats(feed *f, feed_stats *st)
{
    memset(st, 0, sizeof(*st));
    st->produced = atomic_load(&f->produced);
    st->delivered = atomic_load(&f->delivered);
    st->failed = atomic_load(&f->failed);
    for (int i = 0; i < f->ntally; i++)
        for (int p = 0; p < FEED_MAX_PARTITIONS; p++) {
            if (f->tally[i].bytes[p] > st->max_partition_bytes)
                st->max_partition_bytes = f->tally[i].bytes[p];
            if (f->tally[i].msgs[p] > st->max_partition_messages)
                st->max_partition_messages = f->tally[i].msgs[p];
        }
}

int feed_partition_counts(feed *f, const char *topic, uint64_t *msgs, int max)
{
    int top = 0;
    for (int p = 0; p < max; p++)
        msgs[p] = 0;
    for (int i = 0; i < f->ntally; i++) {
        if (strcmp(f->tally[i].topic, topic) != 0)
            continue;
        for (int p = 0; p < max && p < FEED_MAX_PARTITIONS; p++) {
            msgs[p] = f->tally[i].msgs[p];
            if (msgs[p])
                top = p + 1;
        }
    }
    return top;
}

struct rd_kafka_s *feed_handle(feed *f)
{
    return f->rk;
}

void feed_destroy(feed *f)
{
    if (!f)
        return;
    rd_kafka_destroy(f->rk);
    free(f);
}
