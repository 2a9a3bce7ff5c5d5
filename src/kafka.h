/* kafka.h - librdkafka plumbing shared by every mode: client configuration
 * from interdict's config, the one way a consumer is built, the one reader of
 * topic metadata, topic creation, and the embedded mock cluster.
 */
#ifndef IX_KAFKA_H
#define IX_KAFKA_H

#include <stddef.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "config.h"

typedef enum kafka_role { KAFKA_CONSUMER, KAFKA_PRODUCER, KAFKA_ADMIN } kafka_role;

/* A new librdkafka configuration for `role`: bootstrap servers from
 * c->brokers, then `defaults` (NULL-terminated key, value pairs; may be NULL:
 * interdict's tuning, which the user may override), then every "rdkafka.*"
 * pass-through that applies to the role ("rdkafka.consumer.*" only for
 * consumers, "rdkafka.producer.*" only for producers). Properties interdict
 * must own are set by the caller afterwards. Returns NULL with errstr filled
 * on a rejected property. */
rd_kafka_conf_t *kafka_conf_new(const cfg *c, kafka_role role, const char *const *defaults,
                                char *errstr, size_t errstr_size);

/* Set one property or fill errstr ("key=value: why"). Returns 0 or -1. */
int kafka_conf_set(rd_kafka_conf_t *conf, const char *key, const char *value, char *errstr,
                   size_t errstr_size);

/* How one consumer differs from the others. The rest is the same for every
 * consumer interdict builds and is not the user's to change: the client never
 * commits offsets (the pipeline commits them inside its checkpoint
 * transaction, the tools and readers commit nothing) and reads only
 * committed transactional messages (isolation.level=read_committed). */
typedef struct kafka_consumer_opts {
    /* group.id. Of a consumer that assigns its partitions and never
     * subscribes, only a name librdkafka requires: no group forms. */
    const char *group_id;
    /* group.instance.id (static membership: a restarted member takes its
     * partitions back at once), a default "rdkafka.consumer.*" may
     * override; NULL for none. */
    const char *instance_id;
    const char *offset_reset;    /* auto.offset.reset; NULL keeps librdkafka's default */
    int partition_eof;           /* non-zero: an event at the end of each partition */
    const char *const *defaults; /* more tuning, as for kafka_conf_new(); may be NULL */
    /* Called on every assignment and revocation, with opaque; NULL lets
     * librdkafka assign by itself. */
    void (*rebalance_cb)(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque);
    void *opaque;
} kafka_consumer_opts;

/* A consumer from interdict's config (kafka_conf_new(c, KAFKA_CONSUMER, ...))
 * as `o` describes, its main queue forwarded to the consumer queue, so that
 * rd_kafka_consumer_poll() serves its callbacks. Returns NULL with errstr
 * filled. */
rd_kafka_t *kafka_consumer_new(const cfg *c, const kafka_consumer_opts *o, char *errstr,
                               size_t errstr_size);

/* Every partition of `topic`, by ascending id, each at `offset` (an offset,
 * RD_KAFKA_OFFSET_BEGINNING, RD_KAFKA_OFFSET_END, or RD_KAFKA_OFFSET_INVALID
 * for none), from the cluster's metadata; with topic NULL, every partition of
 * every topic on the cluster, by topic. The only reader of metadata. Returns
 * a list the caller destroys, or NULL with errstr filled ("topic T on
 * BROKERS: why"; the topic's absence, too, is an error). */
rd_kafka_topic_partition_list_t *kafka_partitions(rd_kafka_t *rk, const char *topic, int64_t offset,
                                                  int timeout_ms, char *errstr, size_t errstr_size);

/* Assign every partition of `topic` to the consumer rk, each at `offset`
 * (as for kafka_partitions()). Returns the number of partitions, or -1 with
 * errstr filled. */
int kafka_assign_topic(rd_kafka_t *rk, const char *topic, int64_t offset, int timeout_ms,
                       char *errstr, size_t errstr_size);

/* A client for admin requests (topic creation and deletion) from interdict's
 * config. Returns NULL with errstr filled. */
rd_kafka_t *kafka_admin_new(const cfg *c, char *errstr, size_t errstr_size);

/* Create interdict's topics (all six configured names) with c->topic_partitions
 * partitions; the watch list compacted. Topics that already exist are fine.
 * Returns 0, or -1 with errstr filled. */
int kafka_create_topics(const cfg *c, char *errstr, size_t errstr_size);

/* An embedded Kafka cluster: librdkafka's mock cluster, owned by a handle of
 * its own. Lives in this process only; see docs/architecture.md for its limits. */
typedef struct kafka_mock kafka_mock;

/* Start a mock cluster with `brokers` brokers and create interdict's topics on
 * it. Returns NULL with errstr filled. */
kafka_mock *kafka_mock_start(const cfg *c, int brokers, char *errstr, size_t errstr_size);

/* "host:port,..." of the mock brokers, valid until kafka_mock_stop(). */
const char *kafka_mock_bootstraps(const kafka_mock *m);

/* The cluster itself, for tests that inject broker errors. */
rd_kafka_mock_cluster_t *kafka_mock_cluster(kafka_mock *m);

void kafka_mock_stop(kafka_mock *m);

/* The mock cluster keeps at most this many bytes per partition and silently
 * drops the oldest message sets beyond it (librdkafka's rdkafka_mock.c). */
#define KAFKA_MOCK_PARTITION_BYTES (5u * 1024 * 1024)
/* ... and at most this many message sets per partition. */
#define KAFKA_MOCK_PARTITION_MSGSETS 100000

/* Sum of (high watermark - low watermark) over a topic's partitions, and
 * whether any low watermark is above zero (data was dropped by retention).
 * Returns 0, or -1 with errstr filled. */
int kafka_topic_counts(rd_kafka_t *rk, const char *topic, int64_t *messages, int *truncated,
                       int timeout_ms, char *errstr, size_t errstr_size);

/* Called for each message by kafka_read_topic(); return non-zero to stop. */
typedef int (*kafka_msg_fn)(const rd_kafka_message_t *m, void *arg);

/* Read every message of every partition of `topic` from the beginning to its
 * current end, in partition order, calling fn for each. Only committed
 * transactional messages are read. Returns the number of messages read, or -1
 * with errstr filled (also when the end is not reached within timeout_ms). */
int64_t kafka_read_topic(const cfg *c, const char *topic, int timeout_ms, kafka_msg_fn fn,
                         void *arg, char *errstr, size_t errstr_size);

#endif /* IX_KAFKA_H */
