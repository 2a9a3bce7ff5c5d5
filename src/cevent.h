/* cevent.h - CloudEvents attributes of what interdict writes, in Kafka
 * headers (the Kafka protocol binding's binary content mode).
 *
 * A freeze request's value stays the freeze-request JSON and a dead letter's
 * the original message; the headers let an event router or a case system
 * take either without knowing interdict's own headers or schema:
 *
 *   ce_specversion  "1.0"
 *   ce_id           request: its id; dead letter: "<topic>/<partition>/<offset>"
 *   ce_source       cloudevents.source (default "urn:interdict:<group.id>")
 *   ce_type         CEV_TYPE_REQUEST or CEV_TYPE_DEADLETTER
 *   ce_time         request: detected_at; dead letter: when it was written
 *   ce_subject      request: the account; dead letter: the reason
 *   ce_dataschema   request only: the freeze-request schema's $id
 *   content-type    request only: application/json
 *
 * The pair (ce_source, ce_id) is unique per event, as the specification
 * asks: request ids are unique per incident, and a message's coordinates are
 * unique on its cluster. Both are the same when a transaction is redone, so
 * a consumer can deduplicate on them. */
#ifndef IX_CEVENT_H
#define IX_CEVENT_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

#define CEV_SPECVERSION     "1.0"
#define CEV_TYPE_REQUEST    "io.interdict.freeze-request.v1"
#define CEV_TYPE_DEADLETTER "io.interdict.dead-letter.v1"
#define CEV_SCHEMA_REQUEST  "urn:interdict:schema:freeze-request:v1"
#define CEV_SOURCE_PREFIX   "urn:interdict:"
#define CEV_SOURCE_MAX      255

/* The default ce_source of a group, "urn:interdict:<group_id>", into buf.
 * Returns buf. */
const char *cev_default_source(const char *group_id, char *buf, size_t size);

/* 1 if s may be a ce_source here: 1 to CEV_SOURCE_MAX bytes of printable
 * ASCII without spaces (a URI-reference carries no raw space or control
 * byte; anything else is the operator's choice). */
int cev_source_valid(const char *s);

/* Add the attributes of a freeze request to h. Returns 0, or -1 if its
 * detection time cannot be written as RFC 3339 (nothing added then). */
int cev_request_headers(rd_kafka_headers_t *h, const char *source, const ix_request *req);

/* Add the attributes of a dead letter of the message at topic/partition/
 * offset, refused for reason, written at now_ms. Returns 0, or -1 as above. */
int cev_deadletter_headers(rd_kafka_headers_t *h, const char *source, const char *topic,
                           int32_t partition, int64_t offset, const char *reason, int64_t now_ms);

#endif /* IX_CEVENT_H */
