/* it_rename.c - topic.transfers renamed while the group and instance id
 * stay: the group may hand the member its old partitions back. A message of
 * a topic the screener did not subscribe to is never interpreted (it once
 * went to the table decoder and was dead-lettered as unknown_field, its
 * offsets committed); the new topic is screened in full. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "harness.h"
#include "timefmt.h"

/* Counts dead letters, and shows the first few: what was made of them. */
static int dead_reason(const rd_kafka_message_t *m, void *arg)
{
    char reason[48], topic[200];
    hx_header(m, "interdict.reason", reason, sizeof(reason));
    hx_header(m, "interdict.topic", topic, sizeof(topic));
    if ((*(int *)arg)++ < 3)
        print_message("dead letter: %s from %s\n", reason, topic);
    return 0;
}

static void test_renamed_transfers_topic(void **state)
{
    (void)state;
    static const hx_chaos old = {.seed = 22, .transfers = 1500, .hits = 3, .bad = 0};
    static const hx_chaos renamed = {.seed = 23, .transfers = 1500, .hits = 3, .bad = 0};
    int64_t start = (tf_now_ms() / 1000) * 1000 - 3600 * 1000;
    char errstr[512], old_topic[200], new_topic[220];
    hx_chaos_expect xo, xn;
    hx_env e;
    hx_setup(&e, "rename", hx_kafka_brokers());
    hx_set(&e, "rdkafka.consumer.session.timeout.ms", "60000");
    snprintf(old_topic, sizeof(old_topic), "%s", e.c.topic_transfers);

    /* A first run joins the group with the old topic's partitions. */
    assert_int_equal(hx_run(&e, 240, 0, "run", "--until-idle", "3s", NULL), 0);

    /* Transfers arrive on the old topic; then the operator renames
     * topic.transfers and starts the screener again, same group and id. */
    hx_chaos_produce(&e, &old, start, &xo);
    snprintf(new_topic, sizeof(new_topic), "%s-renamed", old_topic);
    hx_set(&e, "topic.transfers", new_topic);
    assert_int_equal(kafka_create_topics(&e.c, errstr, sizeof(errstr)), 0);
    hx_chaos_produce(&e, &renamed, start, &xn);
    assert_int_equal(hx_run(&e, 240, 0, "run", "--until-idle", "3s", NULL), 0);

    /* Nothing of the old topic was read as anything, nor committed. */
    int dead = 0;
    hx_read(&e, e.c.topic_deadletter, dead_reason, &dead);
    assert_int_equal(dead, 0);
    assert_int_equal(hx_committed_sum(&e, old_topic), 0);
    assert_true(hx_log_contains(&e, "refusing"));
    /* The new topic was screened and committed in full. */
    assert_int_equal(hx_committed_sum(&e, new_topic), xn.messages);
    hx_chaos_verify_requests(&e, &xn);
    hx_teardown(&e);
    hx_chaos_free(&xo);
    hx_chaos_free(&xn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_renamed_transfers_topic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
