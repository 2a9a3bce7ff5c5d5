/* kafka.c - client configuration, consumers, topic metadata, topic creation and
 * the embedded cluster. */
#include "kafka.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka_mock.h>

int kafka_conf_set(rd_kafka_conf_t *conf, const char *key, const char *value, char *errstr,
                   size_t errstr_size)
{
    char why[256];
    if (rd_kafka_conf_set(conf, key, value, why, sizeof(why)) != RD_KAFKA_CONF_OK) {
        snprintf(errstr, errstr_size, "%s=%s: %s", key, value, why);
        return -1;
    }
    return 0;
}

/* The pass-through key for `role`, or NULL when it belongs to another role. */
static const char *passthrough_key(const char *key, kafka_role role)
{
    if (strncmp(key, "consumer.", 9) == 0)
        return role == KAFKA_CONSUMER ? key + 9 : NULL;
    if (strncmp(key, "producer.", 9) == 0)
        return role == KAFKA_PRODUCER ? key + 9 : NULL;
    return key;
}

/* Set each (key, value) pair of a NULL-terminated list; pairs may be NULL. */
static int conf_set_pairs(rd_kafka_conf_t *conf, const char *const *pairs, char *errstr,
                          size_t errstr_size)
{
    for (size_t i = 0; pairs && pairs[i]; i += 2)
        if (kafka_conf_set(conf, pairs[i], pairs[i + 1], errstr, errstr_size) != 0)
            return -1;
    return 0;
}

/* The user's "rdkafka.*" pass-through properties that apply to `role`. */
static int conf_set_passthrough(rd_kafka_conf_t *conf, const cfg *c, kafka_role role, char *errstr,
                                size_t errstr_size)
{
    for (size_t i = 0; i < c->rdkafka_cnt; i++) {
        const char *key = passthrough_key(c->rdkafka[i].key, role);
        if (key && kafka_conf_set(conf, key, c->rdkafka[i].value, errstr, errstr_size) != 0)
            return -1;
    }
    return 0;
}

/* Bootstrap servers and client id, then two lists of defaults, then the
 * pass-through: the user's settings win over the defaults. */
static rd_kafka_conf_t *conf_build(const cfg *c, kafka_role role, const char *const *first,
                                   const char *const *defaults, char *errstr, size_t errstr_size)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (kafka_conf_set(conf, "bootstrap.servers", c->brokers, errstr, errstr_size) != 0 ||
        kafka_conf_set(conf, "client.id", c->instance_id, errstr, errstr_size) != 0 ||
        conf_set_pairs(conf, first, errstr, errstr_size) != 0 ||
        conf_set_pairs(conf, defaults, errstr, errstr_size) != 0 ||
        conf_set_passthrough(conf, c, role, errstr, errstr_size) != 0) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    return conf;
}

rd_kafka_conf_t *kafka_conf_new(const cfg *c, kafka_role role, const char *const *defaults,
                                char *errstr, size_t errstr_size)
{
    return conf_build(c, role, NULL, defaults, errstr, errstr_size);
}

/* The properties no consumer leaves to the user or to librdkafka: set after
 * the pass-through, so they win over it. */
static int conf_set_consumer(rd_kafka_conf_t *conf, const kafka_consumer_opts *o, char *errstr,
                             size_t errstr_size)
{
    if (kafka_conf_set(conf, "group.id", o->group_id, errstr, errstr_size) != 0 ||
        kafka_conf_set(conf, "enable.auto.commit", "false", errstr, errstr_size) != 0 ||
        kafka_conf_set(conf, "enable.auto.offset.store", "false", errstr, errstr_size) != 0 ||
        kafka_conf_set(conf, "isolation.level", "read_committed", errstr, errstr_size) != 0)
        return -1;
    if (o->offset_reset &&
        kafka_conf_set(conf, "auto.offset.reset", o->offset_reset, errstr, errstr_size) != 0)
        return -1;
    if (o->partition_eof &&
        kafka_conf_set(conf, "enable.partition.eof", "true", errstr, errstr_size) != 0)
        return -1;
    if (o->rebalance_cb)
        rd_kafka_conf_set_rebalance_cb(conf, o->rebalance_cb);
    if (o->opaque)
        rd_kafka_conf_set_opaque(conf, o->opaque);
    return 0;
}

/* A client from conf, which it always takes; NULL with errstr "creating
 * <what>: why". */
static rd_kafka_t *client_new(rd_kafka_type_t type, rd_kafka_conf_t *conf, const char *what,
                              char *errstr, size_t errstr_size)
{
    char why[512];
    rd_kafka_t *rk = rd_kafka_new(type, conf, why, sizeof(why));
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        snprintf(errstr, errstr_size, "creating %s: %s", what, why);
    }
    /* Otherwise rd_kafka_new() took ownership of conf. */
    return rk;
}

rd_kafka_t *kafka_consumer_new(const cfg *c, const kafka_consumer_opts *o, char *errstr,
                               size_t errstr_size)
{
    const char *const member[] = {"group.instance.id", o->instance_id, NULL};
    rd_kafka_conf_t *conf = conf_build(c, KAFKA_CONSUMER, o->instance_id ? member : NULL,
                                       o->defaults, errstr, errstr_size);
    if (!conf)
        return NULL;
    if (conf_set_consumer(conf, o, errstr, errstr_size) != 0) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_t *rk = client_new(RD_KAFKA_CONSUMER, conf, "the consumer", errstr, errstr_size);
    if (rk)
        rd_kafka_poll_set_consumer(rk);
    return rk;
}

#define KAFKA_TOPICS 8 /* the topics `interdict topics` creates */

static const char *const *topic_names(const cfg *c, const char *names[KAFKA_TOPICS])
{
    names[0] = c->topic_transfers;
    names[1] = c->topic_accounts;
    names[2] = c->topic_watchlist;
    names[3] = c->topic_reports;
    names[4] = c->topic_interceptions;
    names[5] = c->topic_deadletter;
    names[6] = c->topic_allowlist;
    names[7] = c->topic_verdicts;
    return names;
}

static int new_topics(const cfg *c, rd_kafka_NewTopic_t *nt[KAFKA_TOPICS], char *errstr,
                      size_t errstr_size)
{
    const char *names[KAFKA_TOPICS];
    char why[256];
    topic_names(c, names);
    for (int i = 0; i < KAFKA_TOPICS; i++) {
        nt[i] = rd_kafka_NewTopic_new(names[i], (int)c->topic_partitions, -1, why, sizeof(why));
        if (!nt[i]) {
            snprintf(errstr, errstr_size, "topic %s: %s", names[i], why);
            return -1;
        }
    }
    /* The watch list is a table: only the latest entry per account matters. */
    rd_kafka_NewTopic_set_config(nt[2], "cleanup.policy", "compact");
    /* So is the allow-list, keyed by entry; verdicts are a log of answers. */
    rd_kafka_NewTopic_set_config(nt[6], "cleanup.policy", "compact");
    return 0;
}

static int check_create_result(rd_kafka_event_t *ev, char *errstr, size_t errstr_size)
{
    if (rd_kafka_event_error(ev)) {
        snprintf(errstr, errstr_size, "creating topics: %s", rd_kafka_event_error_string(ev));
        return -1;
    }
    size_t cnt = 0;
    const rd_kafka_topic_result_t **res =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &cnt);
    for (size_t i = 0; i < cnt; i++) {
        rd_kafka_resp_err_t err = rd_kafka_topic_result_error(res[i]);
        if (err && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
            snprintf(errstr, errstr_size, "creating topic %s: %s",
                     rd_kafka_topic_result_name(res[i]),
                     rd_kafka_topic_result_error_string(res[i]));
            return -1;
        }
    }
    return 0;
}

rd_kafka_t *kafka_admin_new(const cfg *c, char *errstr, size_t errstr_size)
{
    rd_kafka_conf_t *conf = kafka_conf_new(c, KAFKA_ADMIN, NULL, errstr, errstr_size);
    if (!conf)
        return NULL;
    /* Admin requests go through any handle; a producer needs no group. */
    return client_new(RD_KAFKA_PRODUCER, conf, "admin client", errstr, errstr_size);
}

int kafka_create_topics(const cfg *c, char *errstr, size_t errstr_size)
{
    rd_kafka_NewTopic_t *nt[KAFKA_TOPICS] = {0};
    rd_kafka_t *rk = NULL;
    rd_kafka_queue_t *q = NULL;
    rd_kafka_AdminOptions_t *ao = NULL;
    int rc = -1;
    char why[256];

    rk = kafka_admin_new(c, errstr, errstr_size);
    if (!rk)
        return -1;
    if (new_topics(c, nt, errstr, errstr_size) != 0)
        goto out;
    q = rd_kafka_queue_new(rk);
    ao = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_operation_timeout(ao, (int)c->kafka_timeout_ms, why, sizeof(why));
    rd_kafka_AdminOptions_set_request_timeout(ao, (int)c->kafka_timeout_ms, why, sizeof(why));
    rd_kafka_CreateTopics(rk, nt, KAFKA_TOPICS, ao, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, (int)c->kafka_timeout_ms + 5000);
    if (!ev) {
        snprintf(errstr, errstr_size, "creating topics: no answer from %s within %lld ms",
                 c->brokers, (long long)c->kafka_timeout_ms);
        goto out;
    }
    rc = check_create_result(ev, errstr, errstr_size);
    rd_kafka_event_destroy(ev);
out:
    for (int i = 0; i < KAFKA_TOPICS; i++)
        if (nt[i])
            rd_kafka_NewTopic_destroy(nt[i]);
    if (ao)
        rd_kafka_AdminOptions_destroy(ao);
    if (q)
        rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
    return rc;
}

struct kafka_mock {
    rd_kafka_t *rk; /* owns the cluster */
    rd_kafka_mock_cluster_t *mc;
    char *bootstraps;
};

kafka_mock *kafka_mock_start(const cfg *c, int brokers, char *errstr, size_t errstr_size)
{
    char why[256];
    const char *names[KAFKA_TOPICS];
    kafka_mock *m = calloc(1, sizeof(*m));
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (!m)
        goto fail;
    /* A quiet handle whose only job is to own the mock cluster. */
    rd_kafka_conf_set(conf, "log_level", "3", NULL, 0);
    m->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof(why));
    if (!m->rk) {
        snprintf(errstr, errstr_size, "starting embedded broker: %s", why);
        goto fail;
    }
    conf = NULL;
    m->mc = rd_kafka_mock_cluster_new(m->rk, brokers);
    if (!m->mc) {
        snprintf(errstr, errstr_size, "starting embedded broker: mock cluster failed");
        goto fail;
    }
    topic_names(c, names);
    for (int i = 0; i < KAFKA_TOPICS; i++) {
        rd_kafka_resp_err_t err =
            rd_kafka_mock_topic_create(m->mc, names[i], (int)c->topic_partitions, 1);
        if (err) {
            snprintf(errstr, errstr_size, "embedded broker: topic %s: %s", names[i],
                     rd_kafka_err2str(err));
            goto fail;
        }
    }
    m->bootstraps = strdup(rd_kafka_mock_cluster_bootstraps(m->mc));
    if (!m->bootstraps)
        goto fail;
    return m;
fail:
    if (conf)
        rd_kafka_conf_destroy(conf);
    if (errstr[0] == '\0')
        snprintf(errstr, errstr_size, "out of memory");
    kafka_mock_stop(m);
    return NULL;
}

const char *kafka_mock_bootstraps(const kafka_mock *m)
{
    return m->bootstraps;
}

rd_kafka_mock_cluster_t *kafka_mock_cluster(kafka_mock *m)
{
    return m->mc;
}

void kafka_mock_stop(kafka_mock *m)
{
    if (!m)
        return;
    if (m->mc)
        rd_kafka_mock_cluster_destroy(m->mc);
    if (m->rk)
        rd_kafka_destroy(m->rk);
    free(m->bootstraps);
    free(m);
}

/* The bootstrap servers rk was made with, for messages. */
static const char *brokers_of(rd_kafka_t *rk, char *buf, size_t size)
{
    if (rd_kafka_conf_get(rd_kafka_conf(rk), "bootstrap.servers", buf, &size) != RD_KAFKA_CONF_OK)
        snprintf(buf, size, "the brokers");
    return buf;
}

/* The error of one topic's metadata, or 0. */
static rd_kafka_resp_err_t topic_error(const struct rd_kafka_metadata *md)
{
    if (md->topic_cnt != 1)
        return RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC;
    return md->topics[0].err;
}

static rd_kafka_topic_partition_list_t *metadata_list(const struct rd_kafka_metadata *md,
                                                      int64_t offset)
{
    int n = 0;
    for (int t = 0; t < md->topic_cnt; t++)
        n += md->topics[t].partition_cnt;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(n > 0 ? n : 1);
    for (int t = 0; t < md->topic_cnt; t++)
        for (int i = 0; i < md->topics[t].partition_cnt; i++)
            rd_kafka_topic_partition_list_add(l, md->topics[t].topic,
                                              md->topics[t].partitions[i].id)
                ->offset = offset;
    /* Brokers list partitions in no promised order. */
    rd_kafka_topic_partition_list_sort(l, NULL, NULL);
    return l;
}

rd_kafka_topic_partition_list_t *kafka_partitions(rd_kafka_t *rk, const char *topic, int64_t offset,
                                                  int timeout_ms, char *errstr, size_t errstr_size)
{
    char brokers[512];
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_topic_t *rkt = topic ? rd_kafka_topic_new(rk, topic, NULL) : NULL;
    rd_kafka_resp_err_t err = topic && !rkt ? rd_kafka_last_error() : 0;
    if (!err)
        err = rd_kafka_metadata(rk, !topic, rkt, &md, timeout_ms);
    if (rkt)
        rd_kafka_topic_destroy(rkt);
    if (!err && topic)
        err = topic_error(md);
    rd_kafka_topic_partition_list_t *l = err ? NULL : metadata_list(md, offset);
    if (md)
        rd_kafka_metadata_destroy(md);
    if (err && topic)
        snprintf(errstr, errstr_size, "topic %s on %s: %s", topic,
                 brokers_of(rk, brokers, sizeof(brokers)), rd_kafka_err2str(err));
    else if (err)
        snprintf(errstr, errstr_size, "listing the topics on %s: %s",
                 brokers_of(rk, brokers, sizeof(brokers)), rd_kafka_err2str(err));
    return l;
}

int kafka_assign_topic(rd_kafka_t *rk, const char *topic, int64_t offset, int timeout_ms,
                       char *errstr, size_t errstr_size)
{
    rd_kafka_topic_partition_list_t *l =
        kafka_partitions(rk, topic, offset, timeout_ms, errstr, errstr_size);
    if (!l)
        return -1;
    int n = l->cnt;
    rd_kafka_resp_err_t err = rd_kafka_assign(rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (err) {
        snprintf(errstr, errstr_size, "assigning %s: %s", topic, rd_kafka_err2str(err));
        return -1;
    }
    return n;
}

int kafka_topic_counts(rd_kafka_t *rk, const char *topic, int64_t *messages, int *truncated,
                       int timeout_ms, char *errstr, size_t errstr_size)
{
    *messages = 0;
    *truncated = 0;
    rd_kafka_topic_partition_list_t *l =
        kafka_partitions(rk, topic, RD_KAFKA_OFFSET_INVALID, timeout_ms, errstr, errstr_size);
    if (!l)
        return -1;
    int rc = 0;
    for (int i = 0; rc == 0 && i < l->cnt; i++) {
        int64_t lo = 0, hi = 0;
        rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(rk, topic, l->elems[i].partition,
                                                                   &lo, &hi, timeout_ms);
        if (err) {
            snprintf(errstr, errstr_size, "watermarks of %s [%d]: %s", topic, l->elems[i].partition,
                     rd_kafka_err2str(err));
            rc = -1;
        } else {
            *messages += hi - lo;
            *truncated |= lo > 0;
        }
    }
    rd_kafka_topic_partition_list_destroy(l);
    return rc;
}

int64_t kafka_read_topic(const cfg *c, const char *topic, int timeout_ms, kafka_msg_fn fn,
                         void *arg, char *errstr, size_t errstr_size)
{
    int64_t count = -1;
    /* A throwaway group: nothing is committed, assignment is manual. */
    kafka_consumer_opts o = {.group_id = "interdict-reader", .partition_eof = 1};
    rd_kafka_t *rk = kafka_consumer_new(c, &o, errstr, errstr_size);
    if (!rk)
        return -1;
    int nparts =
        kafka_assign_topic(rk, topic, RD_KAFKA_OFFSET_BEGINNING, timeout_ms, errstr, errstr_size);
    if (nparts < 0)
        goto out;
    int eof = 0, stop = 0;
    int64_t n = 0;
    rd_kafka_topic_partition_list_t *done = rd_kafka_topic_partition_list_new(nparts);
    int64_t deadline = (int64_t)timeout_ms;
    while (eof < nparts && !stop && deadline > 0) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        deadline -= m ? 0 : 100;
        if (!m)
            continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            /* Count each partition's end once: more EOFs follow new data. */
            if (!rd_kafka_topic_partition_list_find(done, topic, m->partition)) {
                rd_kafka_topic_partition_list_add(done, topic, m->partition);
                eof++;
            }
        } else if (m->err) {
            snprintf(errstr, errstr_size, "reading %s: %s", topic, rd_kafka_message_errstr(m));
            stop = -1;
        } else {
            n++;
            stop = fn(m, arg);
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_topic_partition_list_destroy(done);
    if (stop < 0)
        goto out;
    if (eof < nparts && !stop) {
        snprintf(errstr, errstr_size, "reading %s: end not reached within %d ms", topic,
                 timeout_ms);
        goto out;
    }
    count = n;
out:
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return count;
}
