/* it_trace.c - a victim's fraud report traced through the real pipeline on
 * the real broker: every account the money reached is frozen with the amount
 * traced to it, and a report naming an unknown transfer is dead-lettered. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness.h"

static void test_trace_real_broker(void **state)
{
    (void)state;
    hx_env e;
    hx_setup(&e, "ittr", hx_kafka_brokers());
    hx_scenario_trace(&e);
    hx_teardown(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trace_real_broker),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
