/* it_outage.c - the broker goes away for longer than the consumer session
 * while the screener works, then comes back on the same data: the screener
 * recovers by itself and the output is exact. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>

#include "harness.h"
#include "timefmt.h"

static void test_broker_outage(void **state)
{
    (void)state;
    /* 30,000 transfers arriving over 12 s; the broker is away from the 3rd
     * to the 15th second (the feeder's producer waits it out too). */
    static const hx_chaos spec = {
        .seed = 91, .transfers = 30000, .hits = 30, .bad = 1, .rate = 2500};
    int64_t start = (tf_now_ms() / 1000) * 1000 - spec.transfers * 50 - 60000;
    hx_chaos_expect x;
    hx_env e;
    hx_setup(&e, "outage", hx_kafka_brokers());
    hx_set(&e, "rdkafka.consumer.session.timeout.ms", "6000");
    hx_set(&e, "kafka.timeout", "60s");
    pthread_t feeder = hx_chaos_start(&e, &spec, start, &x);

    /* Idle long enough to outlast the outage: the screener must not take
     * the silence of a dead broker for the end of the input. */
    pid_t pid = hx_spawn(&e, NULL, "run", "--until-idle", "25s", NULL);
    hx_sleep_ms(3000);
    hx_kafka("stop --keep-data");
    hx_sleep_ms(12000); /* twice the session timeout */
    hx_kafka("start --reuse-data");
    pthread_join(feeder, NULL);
    assert_int_equal(hx_wait(&e, pid, 400, 0), 0);
    /* The outage really hit the screener mid-stream: it lost its session
     * or had to abort a transaction, and still ended exact. */
    assert_true(hx_log_contains(&e, "assignment lost") ||
                hx_log_contains(&e, "aborting transaction") ||
                hx_log_contains(&e, "replacing the producer"));
    hx_chaos_verify(&e, &x);
    hx_teardown(&e);
    hx_chaos_free(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_broker_outage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
