/* test_stats.c - the counters: stats_add adds every one of them, and the
 * latency histogram's buckets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "stats.h"

/* Every byte of src set: a counter that stats_add forgets stays zero in dst
 * and the two differ. */
static void test_add_covers_every_counter(void **state)
{
    (void)state;
    stats dst, src, twice;
    memset(&dst, 0, sizeof(dst));
    memset(&src, 0x01, sizeof(src));
    memset(&twice, 0x02, sizeof(twice));
    stats_add(&dst, &src);
    assert_memory_equal(&dst, &src, sizeof(dst));
    stats_add(&dst, &src);
    assert_memory_equal(&dst, &twice, sizeof(dst));
}

static void test_add_by_name(void **state)
{
    (void)state;
    stats dst, src;
    memset(&dst, 0, sizeof(dst));
    memset(&src, 0, sizeof(src));
    dst.transfers = 10;
    src.transfers = 5;
    src.dead_by_reason[RSN_BAD_KEY] = 2;
    src.rule_hits[RULES_TRACE_SLOT] = 3;
    src.e2e_hist[STATS_HIST_BUCKETS - 1] = 4;
    src.e2e_ms_sum = 7;
    stats_add(&dst, &src);
    assert_int_equal(dst.transfers, 15);
    assert_int_equal(dst.dead_by_reason[RSN_BAD_KEY], 2);
    assert_int_equal(dst.dead_by_reason[RSN_MALFORMED], 0);
    assert_int_equal(dst.rule_hits[RULES_TRACE_SLOT], 3);
    assert_int_equal(dst.e2e_hist[STATS_HIST_BUCKETS - 1], 4);
    assert_int_equal(dst.e2e_ms_sum, 7);
}

/* A bound belongs to its own bucket; past the last bound is +Inf. */
static void test_hist_bucket(void **state)
{
    (void)state;
    assert_int_equal(stats_hist_bucket(0), 0);
    assert_int_equal(stats_hist_bucket(10000), 0); /* 10 us */
    assert_int_equal(stats_hist_bucket(10001), 1);
    assert_int_equal(stats_hist_bucket(25000), 1);
    assert_int_equal(stats_hist_bucket(1000000), 6);                            /* 1 ms */
    assert_int_equal(stats_hist_bucket(10000000000LL), STATS_HIST_BUCKETS - 2); /* 10 s */
    assert_int_equal(stats_hist_bucket(10000000001LL), STATS_HIST_BUCKETS - 1);
    assert_int_equal(stats_hist_bucket(INT64_MAX), STATS_HIST_BUCKETS - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_covers_every_counter),
        cmocka_unit_test(test_add_by_name),
        cmocka_unit_test(test_hist_bucket),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
