/* mock_watchlist.c - the same scenario as it_watchlist.c on librdkafka's
 * embedded mock cluster, which the demo uses. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness.h"

static void test_watchlist_embedded_broker(void **state)
{
    (void)state;
    hx_env e;
    hx_setup(&e, "mockwl", NULL);
    hx_scenario_watchlist(&e);
    hx_teardown(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_watchlist_embedded_broker),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
