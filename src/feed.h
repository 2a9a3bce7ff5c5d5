/* feed.h - a producer of input records with full delivery accounting.
 *
 * Used wherever interdict writes input topics itself (the demo, the load
 * generator, tests): every message is counted when produced and again when
 * its delivery report arrives, and feed_flush() fails unless every message
 * was acknowledged by the broker. Nothing produced can be lost silently.
 */
#ifndef IX_FEED_H
#define IX_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

typedef struct feed feed;

typedef struct feed_stats {
    uint64_t produced;
    uint64_t delivered;
    uint64_t failed;
    uint64_t max_partition_bytes;    /* largest payload+key volume sent to one partition */
    uint64_t max_partition_messages; /* most messages sent to one partition */
} feed_stats;

/* An idempotent producer to c->brokers. Returns NULL with errstr filled. */
feed *feed_new(const cfg *c, char *errstr, size_t errstr_size);

/* Queue one message (value NULL: a tombstone). A full local queue is waited
 * out. Returns 0, or -1 with errstr filled. */
int feed_send(feed *f, const char *topic, const char *key, const void *value, size_t len,
              char *errstr, size_t errstr_size);

/* Wait until every queued message has a delivery report. Returns 0 when all
 * were delivered, -1 with errstr filled otherwise. */
int feed_flush(feed *f, int timeout_ms, char *errstr, size_t errstr_size);

void feed_get_stats(feed *f, feed_stats *st);

/* Messages delivered to each partition of topic, into msgs[0..max). Returns
 * one more than the highest partition delivered to (0: none). */
int feed_partition_counts(feed *f, const char *topic, uint64_t *msgs, int max);

/* The producer handle, for metadata queries. */
struct rd_kafka_s *feed_handle(feed *f);

void feed_destroy(feed *f);

#endif /* IX_FEED_H */
