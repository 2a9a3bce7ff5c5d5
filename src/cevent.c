/* cevent.c - CloudEvents attributes in Kafka headers (binary content mode). */
#include "cevent.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "timefmt.h"

const char *cev_default_source(const char *group_id, char *buf, size_t size)
{
    snprintf(buf, size, CEV_SOURCE_PREFIX "%s", group_id ? group_id : "");
    return buf;
}

int cev_source_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > CEV_SOURCE_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
            return 0;
    return 1;
}

/* The attributes every event carries. */
static int add_common(rd_kafka_headers_t *h, const char *id, const char *source, const char *type,
                      int64_t time_ms)
{
    char when[TF_RFC3339_LEN + 1];
    if (tf_format(time_ms, when, sizeof(when)) < 0)
        return -1;
    rd_kafka_header_add(h, "ce_specversion", -1, CEV_SPECVERSION, -1);
    rd_kafka_header_add(h, "ce_id", -1, id, -1);
    rd_kafka_header_add(h, "ce_source", -1, source, -1);
    rd_kafka_header_add(h, "ce_type", -1, type, -1);
    rd_kafka_header_add(h, "ce_time", -1, when, -1);
    return 0;
}

int cev_request_headers(rd_kafka_headers_t *h, const char *source, const ix_request *req)
{
    if (add_common(h, req->id, source, CEV_TYPE_REQUEST, req->detected_at_ms) != 0)
        return -1;
    rd_kafka_header_add(h, "ce_subject", -1, req->account, -1);
    rd_kafka_header_add(h, "ce_dataschema", -1, CEV_SCHEMA_REQUEST, -1);
    rd_kafka_header_add(h, "content-type", -1, "application/json", -1);
    return 0;
}

int cev_deadletter_headers(rd_kafka_headers_t *h, const char *source, const char *topic,
                           int32_t partition, int64_t offset, const char *reason, int64_t now_ms)
{
    /* Topic names are [a-zA-Z0-9._-], so '/' cannot occur in one. */
    char id[320];
    snprintf(id, sizeof(id), "%s/%" PRId32 "/%" PRId64, topic, partition, offset);
    if (add_common(h, id, source, CEV_TYPE_DEADLETTER, now_ms) != 0)
        return -1;
    rd_kafka_header_add(h, "ce_subject", -1, reason, -1);
    return 0;
}
