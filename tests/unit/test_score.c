/* test_score.c - score memory over a horizon, the weekly counterparty baseline, the wire form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "score.h"

#define DAY_MS     86400000LL
#define HORIZON_MS (14 * DAY_MS)
#define T0         (1780000000000LL) /* some event time in 2026 */

static void test_weak_findings_of_rules_add_up(void **state)
{
    (void)state;
    score_mem m = {0};
    assert_int_equal(score_note(&m, 0, 20, T0, HORIZON_MS), 0);
    assert_int_equal(score_note(&m, 3, 25, T0 + 2 * DAY_MS, HORIZON_MS), 0);
    assert_int_equal(score_note(&m, 5, 30, T0 + 5 * DAY_MS, HORIZON_MS), 0);
    score_part parts[SCORE_SLOTS];
    int n = -1;
    assert_int_equal(score_total(&m, T0 + 5 * DAY_MS, HORIZON_MS, parts, &n), 75);
    assert_int_equal(n, 3);
    assert_int_equal(parts[0].slot, 0);
    assert_int_equal(parts[0].score, 20);
    assert_int_equal(parts[0].at_ms, T0);
    assert_int_equal(parts[1].slot, 3);
    assert_int_equal(parts[1].score, 25);
    assert_int_equal(parts[2].slot, 5);
    assert_int_equal(parts[2].at_ms, T0 + 5 * DAY_MS);
}

static void test_one_rule_counts_its_strongest_once(void **state)
{
    (void)state;
    score_mem m = {0};
    assert_int_equal(score_note(&m, 2, 40, T0, HORIZON_MS), 0);
    assert_int_equal(score_note(&m, 2, 10, T0 + DAY_MS, HORIZON_MS), 0);
    assert_int_equal(score_note(&m, 2, 40, T0 + 2 * DAY_MS, HORIZON_MS), 0);
    int n = -1;
    assert_int_equal(score_total(&m, T0 + 2 * DAY_MS, HORIZON_MS, NULL, &n), 40);
    assert_int_equal(n, 1);
    /* An equal finding renews the slot's time, so it stays 14 days from the newer one. */
    assert_int_equal(m.at_ms[2], T0 + 2 * DAY_MS);
}

static void test_findings_leave_the_horizon(void **state)
{
    (void)state;
    score_mem m = {0};
    assert_int_equal(score_note(&m, 1, 60, T0, HORIZON_MS), 0);
    assert_int_equal(score_note(&m, 4, 30, T0 + 10 * DAY_MS, HORIZON_MS), 0);
    assert_int_equal(score_total(&m, T0 + HORIZON_MS - 1, HORIZON_MS, NULL, NULL), 90);
    assert_int_equal(score_total(&m, T0 + HORIZON_MS, HORIZON_MS, NULL, NULL), 30);
    /* A weaker finding replaces a strong one that has left the horizon. */
    assert_int_equal(score_note(&m, 1, 5, T0 + 15 * DAY_MS, HORIZON_MS), 0);
    assert_int_equal(m.score[1], 5);
    assert_int_equal(score_total(&m, T0 + 15 * DAY_MS, HORIZON_MS, NULL, NULL), 35);
}

static void test_score_is_capped_and_slots_checked(void **state)
{
    (void)state;
    score_mem m = {0};
    assert_int_equal(score_note(&m, 0, 80, T0, HORIZON_MS), 0);
    assert_int_equal(score_note(&m, 15, 50, T0, HORIZON_MS), 0);
    assert_int_equal(score_total(&m, T0, HORIZON_MS, NULL, NULL), 100);
    assert_int_equal(score_note(&m, SCORE_SLOTS, 10, T0, HORIZON_MS), -1);
    assert_int_equal(score_note(&m, -1, 10, T0, HORIZON_MS), -1);
    assert_int_equal(score_note(&m, 0, 101, T0, HORIZON_MS), -1);
    assert_int_equal(m.score[0], 80);
}

/* A person with two payers a week for three weeks, then six in the fourth week. */
static void test_baseline_surge_of_payers(void **state)
{
    (void)state;
    score_base b = {0};
    int64_t w0 = (T0 / SCORE_WEEK_MS + 1) * SCORE_WEEK_MS; /* the start of a week */
    for (int w = 0; w < 3; w++) {
        score_base_note(&b, 7, 1, 0, w0 + w * SCORE_WEEK_MS);
        score_base_note(&b, 9, 1, 0, w0 + w * SCORE_WEEK_MS + DAY_MS);
        score_base_note(&b, 7, 1, 0, w0 + w * SCORE_WEEK_MS + 2 * DAY_MS);
    }
    assert_int_equal(score_base_now(&b), 2);
    assert_int_equal(b.weeks, 2);
    assert_int_equal(b.peak, 2);
    for (uint64_t who = 20; who < 26; who++)
        score_base_note(&b, who, 1, 0, w0 + 3 * SCORE_WEEK_MS + (int64_t)(who - 20) * DAY_MS);
    assert_int_equal(b.weeks, 3);
    assert_int_equal(b.peak, 2);
    assert_int_equal(score_base_now(&b), 6);
    assert_true(score_base_surge(&b, 3, 5, 3));
    assert_false(score_base_surge(&b, 4, 5, 3)); /* too short a history */
    assert_false(score_base_surge(&b, 3, 7, 3)); /* too few now */
    assert_false(score_base_surge(&b, 3, 5, 4)); /* not four times the peak */
    /* A transfer of an earlier week does not count in the current one. */
    score_base_note(&b, 40, 1, 0, w0);
    assert_int_equal(score_base_now(&b), 6);
}

static void test_quiet_weeks_do_not_count_as_history(void **state)
{
    (void)state;
    score_base b = {0};
    int64_t w0 = (T0 / SCORE_WEEK_MS + 1) * SCORE_WEEK_MS;
    score_base_note(&b, 1, 1, 0, w0);
    score_base_note(&b, 2, 1, 0, w0 + 5 * SCORE_WEEK_MS); /* four silent weeks between */
    assert_int_equal(b.weeks, 1);
    assert_int_equal(b.peak, 1);
    assert_int_equal(score_base_now(&b), 1);
}

static void test_wire_round_trip_and_refusal(void **state)
{
    (void)state;
    score_mem m = {0};
    score_base b = {.week = 2943,
                    .seen = UINT64_C(0x8000000000000101),
                    .peak = 4,
                    .weeks = 9,
                    .money_now = {1200, 0},
                    .money_prev = {0, 7},
                    .money_peak = {90000, 0}};
    assert_int_equal(score_note(&m, 0, 20, T0, HORIZON_MS), 0);
    assert_int_equal(score_note(&m, 15, 100, T0 + 1, HORIZON_MS), 0);
    uint8_t wire[SCORE_WIRE_MAX];
    size_t len = score_encode(&m, &b, wire);
    assert_int_equal(len, 2 + 2 * 9 + 44); /* two slots hold a finding */
    assert_int_equal(wire[0], 0x01);       /* mask: slots 0 and 15 */
    assert_int_equal(wire[1], 0x80);
    score_mem m2;
    score_base b2;
    assert_int_equal(score_decode(wire, len, SCORE_BASE_WIRE, &m2, &b2), 0);
    assert_memory_equal(m2.at_ms, m.at_ms, sizeof m.at_ms);
    assert_memory_equal(m2.score, m.score, sizeof m.score);
    assert_int_equal(b2.week, 2943);
    assert_int_equal(b2.seen, UINT64_C(0x8000000000000101));
    assert_int_equal(b2.peak, 4);
    assert_int_equal(b2.weeks, 9);
    assert_int_equal(score_decode(wire, len - 1, SCORE_BASE_WIRE, &m2, &b2), -1);
    wire[2 + 9 + 8] = 101; /* slot 15's score byte */
    assert_int_equal(score_decode(wire, len, SCORE_BASE_WIRE, &m2, &b2), -1);
    wire[2 + 9 + 8] = 0; /* masked, yet empty */
    assert_int_equal(score_decode(wire, len, SCORE_BASE_WIRE, &m2, &b2), -1);
    /* An account with no finding costs the mask and the baseline only. */
    score_mem empty = {0};
    assert_int_equal(score_encode(&empty, &b, wire), 46);
    assert_int_equal(score_decode(wire, 46, SCORE_BASE_WIRE, &m2, &b2), 0);
    assert_int_equal(score_total(&m2, T0, HORIZON_MS, NULL, NULL), 0);
    assert_int_equal(b2.money_now[0], 1200);
    assert_int_equal(b2.money_prev[1], 7);
    assert_int_equal(b2.money_peak[0], 90000);
    /* A baseline written before the money was kept: its first 20 bytes, no money. */
    assert_int_equal(score_decode(wire, 22, SCORE_BASE_V1, &m2, &b2), 0);
    assert_int_equal(b2.peak, 4);
    assert_int_equal(b2.weeks, 9);
    assert_int_equal(b2.money_now[0], 0);
    assert_int_equal(b2.money_peak[0], 0);
    assert_int_equal(score_decode(wire, 46, SCORE_BASE_V1, &m2, &b2), -1);
}

/* A person paid a salary of 7,500.00 a week, who once received 9,000.00 in a week: before a
 * window that starts this week its usual money in is the busiest earlier week; before one
 * that started last week, last week is the window's own and does not count. */
static void test_baseline_money_before_a_window(void **state)
{
    (void)state;
    score_base b = {0};
    int64_t w0 = (T0 / SCORE_WEEK_MS + 1) * SCORE_WEEK_MS;
    score_base_note(&b, 1, 1, 750000, w0);                      /* week 0: 7,500.00 in */
    score_base_note(&b, 2, 1, 900000, w0 + SCORE_WEEK_MS);      /* week 1: 9,000.00 */
    score_base_note(&b, 1, 1, 750000, w0 + 2 * SCORE_WEEK_MS);  /* week 2: 7,500.00 */
    score_base_note(&b, 3, 0, 12345, w0 + 2 * SCORE_WEEK_MS);   /* and 123.45 out */
    score_base_note(&b, 4, 1, 3000000, w0 + 3 * SCORE_WEEK_MS); /* week 3: 30,000.00 */
    assert_int_equal(b.money_now[0], 30000);
    assert_int_equal(b.money_prev[0], 7500);
    assert_int_equal(b.money_peak[0], 9000);
    assert_int_equal(b.money_prev[1], 124); /* 123.45, rounded up */
    int64_t now = w0 + 3 * SCORE_WEEK_MS + DAY_MS;
    assert_int_equal(b.weeks, 3);
    assert_int_equal(score_base_weeks(&b, now), 3);
    assert_int_equal(score_base_weeks(&b, now + SCORE_WEEK_MS), 4); /* week 3 is over */
    assert_int_equal(score_base_money(&b, 1, now - DAY_MS), 900000);
    assert_int_equal(score_base_money(&b, 1, now - 3 * DAY_MS), 900000);
    assert_int_equal(score_base_money(&b, 0, now - DAY_MS), 12400);
    /* The money since a time: this week's, and last week's when the time lies in it. */
    assert_int_equal(score_base_recent(&b, 1, now - DAY_MS), 3000000);
    assert_int_equal(score_base_recent(&b, 0, now - 3 * DAY_MS), 12400);
    assert_int_equal(score_base_recent(&b, 1, now - 3 * DAY_MS), 3750000);
    assert_int_equal(score_base_recent(&b, 1, now - 9 * DAY_MS), INT64_MAX);
    assert_int_equal(score_base_money(&b, 0, now - 3 * DAY_MS), 0); /* week 2 is the window's */
    /* A window starting after the current week: the current week is history too. */
    assert_int_equal(score_base_money(&b, 1, w0 + 4 * SCORE_WEEK_MS), 3000000);
    /* Two silent weeks: the last active one goes into the peak. */
    score_base_note(&b, 5, 1, 100, w0 + 6 * SCORE_WEEK_MS);
    assert_int_equal(b.money_prev[0], 0);
    assert_int_equal(b.money_peak[0], 30000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weak_findings_of_rules_add_up),
        cmocka_unit_test(test_one_rule_counts_its_strongest_once),
        cmocka_unit_test(test_findings_leave_the_horizon),
        cmocka_unit_test(test_score_is_capped_and_slots_checked),
        cmocka_unit_test(test_baseline_surge_of_payers),
        cmocka_unit_test(test_quiet_weeks_do_not_count_as_history),
        cmocka_unit_test(test_wire_round_trip_and_refusal),
        cmocka_unit_test(test_baseline_money_before_a_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
