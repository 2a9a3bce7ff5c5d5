/* test_kafka.c - the consumer every mode builds and the partition lists read
 * from metadata, against the embedded mock cluster (kafka_mock). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "kafka.h"

#define TIMEOUT_MS  10000
#define FIVE        "kt-five" /* a topic of five partitions besides interdict's six */
#define FIVE_PARTS  5
#define TOPIC_PARTS 3            /* topic.partitions of interdict's six */
#define MISSING     "kt-missing" /* a topic the cluster says does not exist */

typedef struct fx {
    cfg c;
    kafka_mock *m;
} fx;

static void set(cfg *c, const char *key, const char *value)
{
    char errstr[256];
    if (cfg_set(c, key, value, errstr, sizeof(errstr)) != 0)
        fail_msg("%s", errstr);
}

static int setup(void **state)
{
    char errstr[256];
    fx *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    assert_int_equal(cfg_init(&f->c, errstr, sizeof(errstr)), 0);
    set(&f->c, "topic.partitions", "3");
    set(&f->c, "instance.id", "kt-instance");
    f->m = kafka_mock_start(&f->c, 1, errstr, sizeof(errstr));
    if (!f->m)
        fail_msg("%s", errstr);
    assert_int_equal(rd_kafka_mock_topic_create(kafka_mock_cluster(f->m), FIVE, FIVE_PARTS, 1), 0);
    /* The mock cluster creates any topic a client asks about; told to, it
     * answers as a broker does for a topic that does not exist. */
    rd_kafka_mock_topic_set_error(kafka_mock_cluster(f->m), MISSING,
                                  RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
    set(&f->c, "brokers", kafka_mock_bootstraps(f->m));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    kafka_mock_stop(f->m);
    cfg_free(&f->c);
    free(f);
    return 0;
}

static rd_kafka_t *reader(fx *f)
{
    char errstr[512];
    kafka_consumer_opts o = {.group_id = "kt-reader"};
    rd_kafka_t *rk = kafka_consumer_new(&f->c, &o, errstr, sizeof(errstr));
    if (!rk)
        fail_msg("%s", errstr);
    return rk;
}

static void close_consumer(rd_kafka_t *rk)
{
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
}

/* Whether a property of rk's configuration has a value. */
static int has_prop(rd_kafka_t *rk, const char *name)
{
    char buf[256];
    size_t size = sizeof(buf);
    return rd_kafka_conf_get(rd_kafka_conf(rk), name, buf, &size) == RD_KAFKA_CONF_OK;
}

/* The value of a property of rk's configuration (librdkafka's spelling). */
static const char *prop(rd_kafka_t *rk, const char *name, char *buf, size_t size)
{
    if (rd_kafka_conf_get(rd_kafka_conf(rk), name, buf, &size) != RD_KAFKA_CONF_OK)
        fail_msg("no property %s", name);
    return buf;
}

static void test_consumer_properties(void **state)
{
    fx *f = *state;
    char errstr[512], v[256];
    int marker = 0;
    kafka_consumer_opts o = {.group_id = "kt-group",
                             .instance_id = "kt-member",
                             .offset_reset = "earliest",
                             .partition_eof = 1,
                             .opaque = &marker};
    rd_kafka_t *rk = kafka_consumer_new(&f->c, &o, errstr, sizeof(errstr));
    if (!rk)
        fail_msg("%s", errstr);
    assert_string_equal(prop(rk, "bootstrap.servers", v, sizeof(v)), kafka_mock_bootstraps(f->m));
    assert_string_equal(prop(rk, "client.id", v, sizeof(v)), "kt-instance");
    assert_string_equal(prop(rk, "group.id", v, sizeof(v)), "kt-group");
    assert_string_equal(prop(rk, "group.instance.id", v, sizeof(v)), "kt-member");
    assert_string_equal(prop(rk, "enable.auto.commit", v, sizeof(v)), "false");
    assert_string_equal(prop(rk, "enable.auto.offset.store", v, sizeof(v)), "false");
    assert_string_equal(prop(rk, "isolation.level", v, sizeof(v)), "read_committed");
    assert_string_equal(prop(rk, "auto.offset.reset", v, sizeof(v)), "smallest"); /* earliest */
    assert_string_equal(prop(rk, "enable.partition.eof", v, sizeof(v)), "true");
    assert_ptr_equal(rd_kafka_opaque(rk), &marker);
    close_consumer(rk);
}

/* Unset options keep librdkafka's defaults; no static membership. */
static void test_consumer_defaults(void **state)
{
    fx *f = *state;
    char v[256];
    rd_kafka_t *rk = reader(f);
    assert_false(has_prop(rk, "group.instance.id"));
    /* A topic property: librdkafka has none to report until one is set. */
    assert_false(has_prop(rk, "auto.offset.reset"));
    assert_string_equal(prop(rk, "enable.partition.eof", v, sizeof(v)), "false");
    assert_null(rd_kafka_opaque(rk));
    close_consumer(rk);
}

/* The user's rdkafka.consumer.* settings win over interdict's defaults (the
 * instance id, the tuning) but not over what every consumer must have. */
static void test_consumer_passthrough(void **state)
{
    fx *f = *state;
    char errstr[512], v[256];
    cfg c;
    assert_int_equal(cfg_init(&c, errstr, sizeof(errstr)), 0);
    set(&c, "brokers", f->c.brokers);
    set(&c, "rdkafka.consumer.group.instance.id", "kt-user-member");
    set(&c, "rdkafka.consumer.fetch.wait.max.ms", "7");
    set(&c, "rdkafka.consumer.isolation.level", "read_uncommitted");
    set(&c, "rdkafka.producer.linger.ms", "77");
    const char *const tuning[] = {"fetch.wait.max.ms", "5", "fetch.min.bytes", "3", NULL};
    kafka_consumer_opts o = {
        .group_id = "kt-group", .instance_id = "kt-member", .defaults = tuning};
    rd_kafka_t *rk = kafka_consumer_new(&c, &o, errstr, sizeof(errstr));
    if (!rk)
        fail_msg("%s", errstr);
    assert_string_equal(prop(rk, "group.instance.id", v, sizeof(v)), "kt-user-member");
    assert_string_equal(prop(rk, "fetch.wait.max.ms", v, sizeof(v)), "7");
    assert_string_equal(prop(rk, "fetch.min.bytes", v, sizeof(v)), "3");
    assert_string_equal(prop(rk, "isolation.level", v, sizeof(v)), "read_committed");
    assert_string_equal(prop(rk, "linger.ms", v, sizeof(v)), "5"); /* librdkafka's default */
    close_consumer(rk);
    cfg_free(&c);
}

static void test_consumer_rejected_property(void **state)
{
    fx *f = *state;
    char errstr[512] = "";
    kafka_consumer_opts o = {.group_id = "kt-group", .offset_reset = "sideways"};
    assert_null(kafka_consumer_new(&f->c, &o, errstr, sizeof(errstr)));
    assert_non_null(strstr(errstr, "auto.offset.reset=sideways: "));
}

static void test_partitions_of_a_topic(void **state)
{
    fx *f = *state;
    char errstr[512];
    rd_kafka_t *rk = reader(f);
    rd_kafka_topic_partition_list_t *l =
        kafka_partitions(rk, FIVE, RD_KAFKA_OFFSET_BEGINNING, TIMEOUT_MS, errstr, sizeof(errstr));
    if (!l)
        fail_msg("%s", errstr);
    assert_int_equal(l->cnt, FIVE_PARTS);
    for (int i = 0; i < l->cnt; i++) {
        assert_string_equal(l->elems[i].topic, FIVE);
        assert_int_equal(l->elems[i].partition, i);
        assert_int_equal(l->elems[i].offset, RD_KAFKA_OFFSET_BEGINNING);
    }
    rd_kafka_topic_partition_list_destroy(l);
    close_consumer(rk);
}

/* With no topic: every partition of every topic, grouped by topic. */
static void test_partitions_of_every_topic(void **state)
{
    fx *f = *state;
    char errstr[512];
    const char *names[] = {f->c.topic_accounts,  f->c.topic_deadletter, f->c.topic_interceptions,
                           f->c.topic_reports,   f->c.topic_transfers,  f->c.topic_watchlist,
                           f->c.topic_allowlist, f->c.topic_verdicts};
    rd_kafka_t *rk = reader(f);
    rd_kafka_topic_partition_list_t *l =
        kafka_partitions(rk, NULL, RD_KAFKA_OFFSET_INVALID, TIMEOUT_MS, errstr, sizeof(errstr));
    if (!l)
        fail_msg("%s", errstr);
    assert_int_equal(l->cnt, 8 * TOPIC_PARTS + FIVE_PARTS);
    for (int i = 0; i < l->cnt; i++) {
        assert_int_equal(l->elems[i].offset, RD_KAFKA_OFFSET_INVALID);
        if (i > 0 && strcmp(l->elems[i - 1].topic, l->elems[i].topic) == 0)
            assert_int_equal(l->elems[i].partition, l->elems[i - 1].partition + 1);
        else
            assert_int_equal(l->elems[i].partition, 0);
    }
    for (size_t t = 0; t < 8; t++) {
        int n = 0;
        for (int i = 0; i < l->cnt; i++)
            n += strcmp(l->elems[i].topic, names[t]) == 0;
        assert_int_equal(n, TOPIC_PARTS);
    }
    rd_kafka_topic_partition_list_destroy(l);
    close_consumer(rk);
}

static void test_missing_topic(void **state)
{
    fx *f = *state;
    char errstr[512], want[512];
    rd_kafka_t *rk = reader(f);
    assert_null(
        kafka_partitions(rk, MISSING, RD_KAFKA_OFFSET_INVALID, TIMEOUT_MS, errstr, sizeof(errstr)));
    snprintf(want, sizeof(want), "topic " MISSING " on %s: Broker: Unknown topic or partition",
             kafka_mock_bootstraps(f->m));
    assert_string_equal(errstr, want);
    errstr[0] = '\0';
    assert_int_equal(
        kafka_assign_topic(rk, MISSING, RD_KAFKA_OFFSET_END, TIMEOUT_MS, errstr, sizeof(errstr)),
        -1);
    assert_string_equal(errstr, want);
    close_consumer(rk);
}

static void test_assign_topic(void **state)
{
    fx *f = *state;
    char errstr[512];
    rd_kafka_topic_partition_list_t *a = NULL;
    rd_kafka_t *rk = reader(f);
    assert_int_equal(
        kafka_assign_topic(rk, FIVE, RD_KAFKA_OFFSET_END, TIMEOUT_MS, errstr, sizeof(errstr)),
        FIVE_PARTS);
    assert_int_equal(rd_kafka_assignment(rk, &a), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_sort(a, NULL, NULL);
    assert_int_equal(a->cnt, FIVE_PARTS);
    for (int i = 0; i < a->cnt; i++) {
        assert_string_equal(a->elems[i].topic, FIVE);
        assert_int_equal(a->elems[i].partition, i);
    }
    rd_kafka_topic_partition_list_destroy(a);
    close_consumer(rk);
}

/* Messages produced to known partitions are counted and read back. */
static void produce(fx *f, const int *parts, int n)
{
    char errstr[512];
    rd_kafka_conf_t *conf = kafka_conf_new(&f->c, KAFKA_PRODUCER, NULL, errstr, sizeof(errstr));
    assert_non_null(conf);
    rd_kafka_t *p = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (!p)
        fail_msg("%s", errstr);
    for (int i = 0; i < n; i++)
        assert_int_equal(rd_kafka_producev(p, RD_KAFKA_V_TOPIC(FIVE),
                                           RD_KAFKA_V_PARTITION(parts[i]),
                                           RD_KAFKA_V_VALUE((void *)"x", 1), RD_KAFKA_V_END),
                         RD_KAFKA_RESP_ERR_NO_ERROR);
    assert_int_equal(rd_kafka_flush(p, TIMEOUT_MS), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_destroy(p);
}

static int count_message(const rd_kafka_message_t *m, void *arg)
{
    int *per_part = arg;
    per_part[m->partition]++;
    return 0;
}

static void test_counts_and_read(void **state)
{
    fx *f = *state;
    char errstr[512];
    const int parts[] = {0, 0, 1, 4, 4, 4, 2};
    int64_t messages = -1;
    int truncated = -1, per_part[FIVE_PARTS] = {0};
    produce(f, parts, 7);
    rd_kafka_t *rk = reader(f);
    assert_int_equal(
        kafka_topic_counts(rk, FIVE, &messages, &truncated, TIMEOUT_MS, errstr, sizeof(errstr)), 0);
    assert_int_equal(messages, 7);
    assert_int_equal(truncated, 0);
    assert_int_equal(
        kafka_topic_counts(rk, MISSING, &messages, &truncated, TIMEOUT_MS, errstr, sizeof(errstr)),
        -1);
    assert_non_null(strstr(errstr, "topic " MISSING " on "));
    close_consumer(rk);
    assert_int_equal(
        kafka_read_topic(&f->c, FIVE, TIMEOUT_MS, count_message, per_part, errstr, sizeof(errstr)),
        7);
    assert_int_equal(per_part[0], 2);
    assert_int_equal(per_part[1], 1);
    assert_int_equal(per_part[2], 1);
    assert_int_equal(per_part[3], 0);
    assert_int_equal(per_part[4], 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_consumer_properties),
        cmocka_unit_test(test_consumer_defaults),
        cmocka_unit_test(test_consumer_passthrough),
        cmocka_unit_test(test_consumer_rejected_property),
        cmocka_unit_test(test_partitions_of_a_topic),
        cmocka_unit_test(test_partitions_of_every_topic),
        cmocka_unit_test(test_missing_topic),
        cmocka_unit_test(test_assign_topic),
        cmocka_unit_test(test_counts_and_read),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
