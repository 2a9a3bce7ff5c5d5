/* kafka.h - librdkafka plumbing shared by every mode: client configuration
 * from interdict's config, topic creation, and the embedded mock cluster.
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
