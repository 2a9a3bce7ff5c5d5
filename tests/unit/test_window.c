/* test_window.c - rolling-window arithmetic at its boundaries. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "window.h"

#define MIN 60000LL
#define T0  (1795000000000LL / (10 * MIN) * (10 * MIN)) /* on a 10-minute boundary */

static win_totals at(const win_ring *r, win_id w, int64_t t)
{
    win_totals x;
    win_totals_at(r, w, t, &x);
    return x;
}

static void test_lengths_and_names(void **state)
{
    (void)state;
    assert_int_equal(win_length_ms(WIN_10M), 10 * MIN);
    assert_int_equal(win_length_ms(WIN_1H), 60 * MIN);
    assert_int_equal(win_length_ms(WIN_1D), 24 * 60 * MIN);
    assert_int_equal(win_length_ms(WIN_30D), 30 * 24 * 60 * MIN);
    assert_string_equal(win_name(WIN_10M), "10m");
    assert_string_equal(win_name(WIN_30D), "30d");
}

/* A 10-minute window has buckets of 100 s and covers at least the last 10
 * minutes and at most 11 min 40 s. */
static void test_ten_minute_window_boundaries(void **state)
{
    (void)state;
    win_ring r;
    memset(&r, 0, sizeof(r));
    win_add(&r, WIN_10M, T0, 1, 500); /* at the start of bucket b */
    /* Counted at its own time and for exactly 6 more buckets after it. */
    assert_int_equal(at(&r, WIN_10M, T0).in_sum, 500);
    assert_int_equal(at(&r, WIN_10M, T0 + 10 * MIN).in_sum, 500);
    assert_int_equal(at(&r, WIN_10M, T0 + 10 * MIN + 100000 - 1).in_sum, 500);
    assert_int_equal(at(&r, WIN_10M, T0 + 10 * MIN + 100000).in_sum, 0);
    /* A transfer at the end of its bucket leaves exactly 10 minutes later
     * plus one millisecond: the window always covers the last 10 minutes. */
    win_ring r2;
    memset(&r2, 0, sizeof(r2));
    win_add(&r2, WIN_10M, T0 + 99999, 0, 7);
    assert_int_equal(at(&r2, WIN_10M, T0 + 99999 + 10 * MIN).out_sum, 7);
    assert_int_equal(at(&r2, WIN_10M, T0 + 99999 + 10 * MIN + 1).out_sum, 0);
    /* Nothing is counted before it happened. */
    assert_int_equal(at(&r2, WIN_10M, T0 - 1).out_sum, 0);
}

static void test_in_and_out_are_counted_apart(void **state)
{
    (void)state;
    win_ring r;
    memset(&r, 0, sizeof(r));
    win_add(&r, WIN_1H, T0, 1, 100);
    win_add(&r, WIN_1H, T0 + MIN, 1, 50);
    win_add(&r, WIN_1H, T0 + 2 * MIN, 0, 120);
    win_totals x = at(&r, WIN_1H, T0 + 3 * MIN);
    assert_int_equal(x.in_count, 2);
    assert_int_equal(x.in_sum, 150);
    assert_int_equal(x.out_count, 1);
    assert_int_equal(x.out_sum, 120);
}

static void test_old_transfers_fall_out_and_late_ones_are_dropped(void **state)
{
    (void)state;
    win_ring r;
    memset(&r, 0, sizeof(r));
    const int64_t day = 24 * 60 * MIN, bucket = day / 6;
    win_add(&r, WIN_1D, T0, 1, 1);
    win_add(&r, WIN_1D, T0 + 3 * day, 1, 2); /* moves the ring a long way */
    assert_int_equal(at(&r, WIN_1D, T0 + 3 * day).in_sum, 2);
    /* A transfer from before the ring's oldest bucket is ignored... */
    win_add(&r, WIN_1D, T0 + 3 * day - 7 * bucket, 1, 1000);
    assert_int_equal(at(&r, WIN_1D, T0 + 3 * day).in_sum, 2);
    /* ...but one inside the ring is counted, even when it arrives late. */
    win_add(&r, WIN_1D, T0 + 3 * day - 6 * bucket, 1, 40);
    assert_int_equal(at(&r, WIN_1D, T0 + 3 * day).in_sum, 42);
    assert_int_equal(at(&r, WIN_1D, T0 + 3 * day).in_count, 2);
}

static void test_thirty_day_window(void **state)
{
    (void)state;
    win_ring r;
    memset(&r, 0, sizeof(r));
    const int64_t day = 24 * 60 * MIN;
    for (int d = 0; d < 40; d++)
        win_add(&r, WIN_30D, T0 + d * day, 0, 10);
    /* Buckets are 5 days wide: the window ending on day 39 holds the
     * transfers of buckets floor(39/5)-6 .. floor(39/5) when T0 is aligned to
     * 5 days; count them from the definition. */
    int64_t width = 5 * day, end = T0 + 39 * day, b = end / width, expect = 0;
    for (int d = 0; d < 40; d++) {
        int64_t bd = (T0 + d * day) / width;
        expect += bd >= b - 6 && bd <= b;
    }
    assert_int_equal(at(&r, WIN_30D, end).out_count, expect);
    assert_true(expect >= 30 && expect <= 35);
}

/* The result of a set of updates must not depend on their order. */
static void test_order_does_not_matter(void **state)
{
    (void)state;
    enum { N = 400 };
    int64_t times[N], amounts[N];
    srand(7);
    for (int i = 0; i < N; i++) {
        times[i] = T0 + (int64_t)(rand() % (3 * 24 * 60)) * MIN;
        amounts[i] = 1 + rand() % 1000;
    }
    for (int w = 0; w < WIN__COUNT; w++) {
        win_ring a, b;
        memset(&a, 0, sizeof(a));
        memset(&b, 0, sizeof(b));
        for (int i = 0; i < N; i++)
            win_add(&a, (win_id)w, times[i], i % 2, amounts[i]);
        for (int i = N - 1; i >= 0; i--)
            win_add(&b, (win_id)w, times[i], i % 2, amounts[i]);
        assert_memory_equal(&a, &b, sizeof(a));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lengths_and_names),
        cmocka_unit_test(test_ten_minute_window_boundaries),
        cmocka_unit_test(test_in_and_out_are_counted_apart),
        cmocka_unit_test(test_old_transfers_fall_out_and_late_ones_are_dropped),
        cmocka_unit_test(test_thirty_day_window),
        cmocka_unit_test(test_order_does_not_matter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
