/* emit.h - interdict's output: freeze requests to the interceptions topic
 * and rejected input to the dead-letter topic, inside Kafka transactions.
 *
 * One transaction spans one checkpoint interval: the requests and dead
 * letters produced in it and the consumer offsets of the input they came
 * from commit together or not at all (read_committed consumers of the
 * interceptions topic never see output of input that will be re-read).
 *
 * @locality emit_request() and emit_deadletter() may be called from any
 *           thread; begin/commit/abort only from the pipeline's main thread.
 */
#ifndef IX_EMIT_H
#define IX_EMIT_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "config.h"
#include "log.h"
#include "model.h"

typedef struct emit emit;

/* Create the transactional producer (transactional.id = c->instance_id) and
 * initialise transactions, fencing any earlier producer with the same id.
 * Returns 0, or -1 with errstr filled. */
int emit_create(const cfg *c, const ix_log *lg, emit **out, char *errstr, size_t errstr_size);
void emit_destroy(emit *e);

int emit_begin(emit *e, char *errstr, size_t errstr_size);

/* Encode and produce one freeze request, keyed by account. A full local queue
 * is waited out (back-pressure), not reported as an error. */
int emit_request(emit *e, const ix_request *req, char *errstr, size_t errstr_size);

/* The original bytes of a rejected message with why, as headers:
 * interdict.reason, interdict.detail, interdict.topic, interdict.partition,
 * interdict.offset. */
typedef struct emit_source {
    const char *topic;
    int32_t partition;
    int64_t offset;
    const void *key;
    size_t key_len;
    const void *value;
    size_t value_len;
} emit_source;

int emit_deadletter(emit *e, const emit_source *src, const char *reason, const char *detail,
                    char *errstr, size_t errstr_size);

/* Outcome of a commit attempt. */
typedef enum emit_result {
    EMIT_OK = 0,  /* committed */
    EMIT_ABORTED, /* aborted: everything since emit_begin() must be redone */
    EMIT_FATAL    /* the producer cannot continue (fenced, or fatal error) */
} emit_result;

/* Attach the consumer offsets to the transaction and commit it: waits for
 * every produced message to be acknowledged. */
emit_result emit_commit(emit *e, rd_kafka_t *consumer,
                        const rd_kafka_topic_partition_list_t *offsets, char *errstr,
                        size_t errstr_size);

/* Abort the open transaction (a clean shutdown, or a lost assignment).
 * Returns 0, or -1 when the producer cannot continue and must be replaced. */
int emit_abort_open(emit *e);

/* Counters since creation. */
typedef struct emit_stats {
    uint64_t requests;    /* produced in committed transactions */
    uint64_t deadletters; /* produced in committed transactions */
    uint64_t commits;
    uint64_t aborts;
    uint64_t delivery_failures; /* delivery reports with an error */
} emit_stats;
void emit_get_stats(emit *e, emit_stats *st);

#endif /* IX_EMIT_H */
