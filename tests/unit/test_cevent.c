/* test_cevent.c - CloudEvents attributes in Kafka headers: every attribute of
 * a freeze request and of a dead letter, exactly, and what is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cevent.h"

/* The value of header name in h as a string, or fail: each must be there once. */
static void assert_header(const rd_kafka_headers_t *h, const char *name, const char *want)
{
    const void *v = NULL;
    size_t len = 0;
    if (rd_kafka_header_get(h, 0, name, &v, &len) != RD_KAFKA_RESP_ERR_NO_ERROR)
        fail_msg("header %s missing", name);
    if (rd_kafka_header_get(h, 1, name, &v, &len) == RD_KAFKA_RESP_ERR_NO_ERROR)
        fail_msg("header %s twice", name);
    rd_kafka_header_get(h, 0, name, &v, &len);
    if (len != strlen(want) || memcmp(v, want, len) != 0)
        fail_msg("header %s is \"%.*s\", want \"%s\"", name, (int)len, (const char *)v, want);
}

static void assert_no_header(const rd_kafka_headers_t *h, const char *name)
{
    const void *v;
    size_t len;
    if (rd_kafka_header_get(h, 0, name, &v, &len) == RD_KAFKA_RESP_ERR_NO_ERROR)
        fail_msg("header %s present", name);
}

static void request_headers(void **state)
{
    (void)state;
    ix_request r;
    memset(&r, 0, sizeof(r));
    strcpy(r.id, "req-0c4f2a9e1b7d3355");
    strcpy(r.account, "ACC00000042");
    r.detected_at_ms = 1764757861123LL; /* 2025-12-03T10:31:01.123Z */
    rd_kafka_headers_t *h = rd_kafka_headers_new(8);
    assert_int_equal(cev_request_headers(h, "urn:interdict:g1", &r), 0);
    assert_int_equal(rd_kafka_header_cnt(h), 8);
    assert_header(h, "ce_specversion", "1.0");
    assert_header(h, "ce_id", "req-0c4f2a9e1b7d3355");
    assert_header(h, "ce_source", "urn:interdict:g1");
    assert_header(h, "ce_type", "io.interdict.freeze-request.v1");
    assert_header(h, "ce_time", "2025-12-03T10:31:01.123Z");
    assert_header(h, "ce_subject", "ACC00000042");
    assert_header(h, "ce_dataschema", "urn:interdict:schema:freeze-request:v1");
    assert_header(h, "content-type", "application/json");
    rd_kafka_headers_destroy(h);
}

static void request_time_out_of_range(void **state)
{
    (void)state;
    ix_request r;
    memset(&r, 0, sizeof(r));
    strcpy(r.id, "x");
    r.detected_at_ms = -1;
    rd_kafka_headers_t *h = rd_kafka_headers_new(8);
    assert_int_equal(cev_request_headers(h, "urn:interdict:g1", &r), -1);
    assert_int_equal(rd_kafka_header_cnt(h), 0);
    rd_kafka_headers_destroy(h);
}

static void deadletter_headers(void **state)
{
    (void)state;
    rd_kafka_headers_t *h = rd_kafka_headers_new(8);
    assert_int_equal(cev_deadletter_headers(h, "urn:interdict:g1", "transfers", 7, 123456789012LL,
                                            "bad_json", 0),
                     0);
    assert_int_equal(rd_kafka_header_cnt(h), 6);
    assert_header(h, "ce_specversion", "1.0");
    assert_header(h, "ce_id", "transfers/7/123456789012");
    assert_header(h, "ce_source", "urn:interdict:g1");
    assert_header(h, "ce_type", "io.interdict.dead-letter.v1");
    assert_header(h, "ce_time", "1970-01-01T00:00:00.000Z");
    assert_header(h, "ce_subject", "bad_json");
    /* The value is the original message, of no known media type. */
    assert_no_header(h, "content-type");
    assert_no_header(h, "ce_dataschema");
    rd_kafka_headers_destroy(h);
}

static void sources(void **state)
{
    (void)state;
    char buf[CEV_SOURCE_MAX + 1], longest[CEV_SOURCE_MAX + 2];
    assert_string_equal(cev_default_source("interdict", buf, sizeof(buf)),
                        "urn:interdict:interdict");
    assert_true(cev_source_valid("urn:interdict:g1"));
    assert_true(cev_source_valid("https://bank.example/screening?region=eu#1"));
    assert_false(cev_source_valid(""));
    assert_false(cev_source_valid(NULL));
    assert_false(cev_source_valid("urn:a b"));
    assert_false(cev_source_valid("urn:a\tb"));
    assert_false(cev_source_valid("urn:\x7f"));
    assert_false(cev_source_valid("urn:\xc3\xa9"));
    memset(longest, 'a', CEV_SOURCE_MAX);
    longest[CEV_SOURCE_MAX] = '\0';
    assert_true(cev_source_valid(longest));
    longest[CEV_SOURCE_MAX] = 'a';
    longest[CEV_SOURCE_MAX + 1] = '\0';
    assert_false(cev_source_valid(longest));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(request_headers),
        cmocka_unit_test(request_time_out_of_range),
        cmocka_unit_test(deadletter_headers),
        cmocka_unit_test(sources),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
