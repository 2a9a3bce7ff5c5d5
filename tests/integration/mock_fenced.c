/* mock_fenced.c - the group consumer raises a fatal error mid-stream (the
 * coordinator answers a heartbeat with FENCED_INSTANCE_ID, which is what
 * librdkafka does to itself when a broker outage outlasts a static member's
 * session): the screener replaces its consumer, screens again what the
 * store lacks (output suppressed up to its last commit) and commits every
 * transfer, request and dead letter exactly once. Runs on the embedded
 * broker, whose error injection makes the failure certain rather than a matter of timing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>

#include "harness.h"
#include "kafka.h"
#include "timefmt.h"

#define HEARTBEAT_API 12 /* the Kafka protocol's ApiKey of Heartbeat */

static void test_consumer_fenced(void **state)
{
    (void)state;
    /* 12,000 transfers over 6 s, so the fence lands in the stream. */
    static const hx_chaos spec = {
        .seed = 17, .transfers = 12000, .hits = 12, .bad = 1, .rate = 2000};
    int64_t start = (tf_now_ms() / 1000) * 1000 - spec.transfers * 50 - 60000;
    hx_chaos_expect x;
    hx_env e;
    hx_setup(&e, "mockfence", NULL);
    hx_set(&e, "rdkafka.consumer.heartbeat.interval.ms", "500");
    hx_set(&e, "state.write.interval", "30s");
    hx_write_conf(&e);
    pthread_t feeder = hx_chaos_start(&e, &spec, start, &x);
    pid_t pid = hx_spawn(&e, NULL, "run", "--until-idle", "4s", NULL);
    hx_wait_for_log(&e, "assigned", 30000);
    /* Past the first commits (the first takes a second or two here). */
    hx_sleep_ms(3000);
    rd_kafka_mock_push_request_errors(kafka_mock_cluster(e.mock), HEARTBEAT_API, 1,
                                      RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID);
    pthread_join(feeder, NULL);
    assert_int_equal(hx_wait(&e, pid, 120, 0), 0);
    assert_true(hx_log_contains(&e, "consumer failed"));
    /* The store is written at the first commit and then every 30 s, so the
     * fence leaves commits it does not have: they are screened again
     * without re-sending, from the offsets the screener itself committed
     * (the embedded broker does not give them back). */
    assert_true(hx_log_contains(&e, "rebuilding that gap without re-sending"));
    /* The embedded broker shows aborted transactions to every reader and
     * does not record transactional offset commits, so exactness is read
     * from the screener's committed counters: each transfer screened once,
     * each expected request and dead letter committed once. */
    char line[256];
    snprintf(line, sizeof(line),
             "%d transfers, %d screened, %d freeze requests (FREEZE %d, HOLD 0, REVIEW 0), "
             "%d dead letters",
             (int)x.messages, (int)spec.transfers, x.nids, x.nids, x.malformed + x.duplicates);
    if (!hx_log_contains(&e, line))
        fail_msg("the screener's final figures are not \"%s\"", line);
    hx_chaos_verify_present(&e, &x);
    hx_teardown(&e);
    hx_chaos_free(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_consumer_fenced),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
