/* it_watchlist.c - the walking skeleton against the real Kafka broker:
 * watch-listed counterparties frozen exactly once, bad input dead-lettered,
 * offsets committed, restarts idempotent. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness.h"

static void test_watchlist_real_broker(void **state)
{
    (void)state;
    hx_env e;
    hx_setup(&e, "itwl", hx_kafka_brokers());
    hx_scenario_watchlist(&e);
    hx_teardown(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_watchlist_real_broker),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
