/* test_rule_fanin.c - the fan-in rule on a real graph: crafted transfers
 * applied and screened as the pipeline does, and its near misses. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rule_fixture.h"

/* A multiple of every window bucket (5 days) plus 2 h 5 min 50 s: the middle
 * of a 4-hour bucket. The 1-day window, the smallest that covers the 6-hour
 * fan-in window, then reaches back about 26 hours, so the cheap check counts
 * every transfer of a test and the count of new senders decides. */
#define T0 (1794960000000LL + 7550000LL)

static int setup(void **state)
{
    return rfx_setup(state, "fanin", RFX_BANK_BY_SIDE);
}

/* Senders S01..S<n> each pay `to` 1,000 CNY, `gap` apart from `start`;
 * transfer ids are <prefix>01.. Returns the requests of the last one. */
static int senders(rfx *f, const char *prefix, const char *to, int n, int64_t start, int64_t gap)
{
    char id[16], from[16];
    int last = 0;
    for (int i = 1; i <= n; i++) {
        snprintf(id, sizeof(id), "%s%02d", prefix, i);
        snprintf(from, sizeof(from), "S%02d", i);
        last = rfx_send(f, id, from, to, CNY(1000), start + (i - 1) * gap);
        if (i < n)
            assert_int_equal(last, 0);
    }
    return last;
}

/* Ten people who never paid the collector before pay it within 4.5 hours.
 * Defaults: window 6 h, 10 new senders. */
static void test_collector_with_ten_new_senders(void **state)
{
    rfx *f = *state;
    assert_int_equal(senders(f, "F", "COLLECTOR", 10, T0, 30 * MIN_MS), 1);
    assert_int_equal(f->hits[f->slot], 1);

    const ix_request *q = &f->req[0];
    assert_string_equal(q->account, "COLLECTOR");
    assert_string_equal(q->bank, "ICBKCNBJ"); /* the receiver's bank of the trigger */
    assert_int_equal(q->action, IX_ACTION_HOLD);
    assert_int_equal(q->score, 60);
    assert_string_equal(q->trigger_id, "F10");
    assert_int_equal(q->nfindings, 1);
    const ix_finding *fd = &q->findings[0];
    assert_string_equal(fd->rule, "fanin");
    assert_string_equal(fd->code, "FI01");
    assert_int_equal(fd->score, 60);
    assert_int_equal(fd->amount, CNY(10000));
    assert_int_equal(fd->nfigures, 1);
    assert_figure(fd, 0, "new_senders", 10, 10);
    assert_int_equal(fd->nevidence, 10);
    for (int i = 0; i < 10; i++) {
        char id[8], from[8];
        snprintf(id, sizeof(id), "F%02d", i + 1);
        snprintf(from, sizeof(from), "S%02d", i + 1);
        assert_string_equal(fd->evidence[i].transfer_id, id);
        assert_string_equal(fd->evidence[i].from_account, from);
        assert_string_equal(fd->evidence[i].to_account, "COLLECTOR");
        assert_int_equal(fd->evidence[i].amount, CNY(1000));
        assert_int_equal(fd->evidence[i].time_ms, T0 + i * 30 * MIN_MS);
    }
    /* The path holds nine senders, the most recent ones, then the collector. */
    assert_int_equal(fd->npath, IX_PATH_MAX);
    for (int i = 0; i < 9; i++) {
        char from[8];
        snprintf(from, sizeof(from), "S%02d", i + 2);
        assert_string_equal(fd->path[i], from);
    }
    assert_string_equal(fd->path[9], "COLLECTOR");
}

/* Nine distinct senders, one of them paying twice: ten transfers pass the
 * cheap check, but only nine senders are new. */
static void test_nine_senders_are_too_few(void **state)
{
    rfx *f = *state;
    assert_int_equal(senders(f, "N", "COLLECTOR", 9, T0, 30 * MIN_MS), 0);
    assert_int_equal(rfx_send(f, "N10", "S01", "COLLECTOR", CNY(1000), T0 + 5 * HOUR_MS), 0);
    assert_int_equal(f->hits[f->slot], 0);
}

/* The interval is closed: a first payment exactly one window before counts;
 * one minute earlier it does not. */
static void test_window_edge(void **state)
{
    rfx *f = *state;
    assert_int_equal(senders(f, "A", "C1", 9, T0, 30 * MIN_MS), 0);
    assert_int_equal(rfx_send(f, "A10", "S10", "C1", CNY(1000), T0 + 6 * HOUR_MS), 1);
    assert_int_equal(f->req[0].findings[0].figures[0].value, 10);

    assert_int_equal(senders(f, "B", "C2", 9, T0, 30 * MIN_MS), 0);
    assert_int_equal(rfx_send(f, "B10", "S10", "C2", CNY(1000), T0 + 6 * HOUR_MS + MIN_MS), 0);
    assert_int_equal(f->hits[f->slot], 1);
}

/* Senders who paid the account before the window are not new, even when
 * they pay again inside it. */
static void test_long_standing_senders_do_not_count(void **state)
{
    rfx *f = *state;
    char errstr[256];
    /* The strict tier's count: the account's week-old history would bring in the baseline
     * tier, which is not under test here. */
    assert_int_equal(cfg_set(&f->c, "rules.fanin.baseline.score", "0", errstr, sizeof(errstr)), 0);
    const char *old[] = {"S01", "S02", "S03"};
    char id[16];
    for (int i = 0; i < 3; i++) {
        snprintf(id, sizeof(id), "OLD%d", i);
        assert_int_equal(rfx_send(f, id, old[i], "FAMILY", CNY(500), T0 - 10 * DAY_MS), 0);
    }
    /* Ten senders in the window, three of them long-standing: 7 new. */
    assert_int_equal(senders(f, "L", "FAMILY", 10, T0, 20 * MIN_MS), 0);
    assert_int_equal(f->hits[f->slot], 0);
    /* Three more new ones make 10 new (not 13). */
    assert_int_equal(rfx_send(f, "L11", "S11", "FAMILY", CNY(1000), T0 + 4 * HOUR_MS), 0);
    assert_int_equal(rfx_send(f, "L12", "S12", "FAMILY", CNY(1000), T0 + 4 * HOUR_MS + MIN_MS), 0);
    assert_int_equal(rfx_send(f, "L13", "S13", "FAMILY", CNY(1000), T0 + 4 * HOUR_MS + 2 * MIN_MS),
                     1);
    const ix_finding *fd = &f->req[0].findings[0];
    assert_int_equal(fd->figures[0].value, 10);
    assert_int_equal(fd->amount, CNY(10000)); /* the new senders' money only */
    assert_int_equal(fd->nevidence, 10);
    assert_string_equal(fd->evidence[0].transfer_id, "L04");
}

/* Customers paying a merchant, or clients paying a business, are its trade. */
static void test_merchants_and_businesses_exempt(void **state)
{
    rfx *f = *state;
    rfx_profile(f, "STORE", IX_HOLDER_MERCHANT);
    rfx_profile(f, "FIRM", IX_HOLDER_BUSINESS);
    assert_int_equal(senders(f, "M", "STORE", 12, T0, 10 * MIN_MS), 0);
    assert_int_equal(senders(f, "B", "FIRM", 12, T0, 10 * MIN_MS), 0);
    assert_int_equal(f->hits[f->slot], 0);
}

/* ---- the baseline tier (FI02): few new senders over days, far beyond the account's usual */

#define WEEK_MS (7 * DAY_MS)

/* The start of a week (score.h) after T0, plus 12 hours. */
static int64_t week0(void)
{
    return (T0 / WEEK_MS + 1) * WEEK_MS + 12 * HOUR_MS;
}

/* B's history: its friend P0 pays it 2,000 CNY in week 0 and `usual` CNY in week 1, nothing
 * in week 2. Then in week 3 new senders N1..N<n> pay it 4,000 CNY a day apart; returns the
 * requests of the last. */
static int baseline_senders(rfx *f, const char *to, int64_t usual, int n)
{
    char id[16], from[16];
    int64_t w0 = week0(), w3 = w0 + 3 * WEEK_MS;
    int last = 0;
    snprintf(id, sizeof(id), "%sH0", to);
    assert_int_equal(rfx_send(f, id, "P0", to, CNY(2000), w0), 0);
    snprintf(id, sizeof(id), "%sH1", to);
    assert_int_equal(rfx_send(f, id, "P0", to, CNY(usual), w0 + WEEK_MS), 0);
    for (int i = 1; i <= n; i++) {
        snprintf(id, sizeof(id), "%sN%d", to, i);
        snprintf(from, sizeof(from), "N%d", i);
        last = rfx_send(f, id, from, to, CNY(4000), w3 + (i - 1) * DAY_MS);
        if (i < n)
            assert_int_equal(last, 0);
    }
    return last;
}

/* A person whose busiest week brought 3,000 CNY receives 12,000 from three new senders over
 * three days: at least 2 new senders, 8,000 CNY (baseline.min.amount) and three times its
 * usual week. A weak finding (20, below baseline.large.amount): a REVIEW, with the baseline it
 * was compared against in the evidence. */
static void test_baseline_low_usual_week_fires(void **state)
{
    rfx *f = *state;
    assert_int_equal(baseline_senders(f, "B", 3000, 3), 1);
    const ix_request *q = &f->req[0];
    assert_string_equal(q->account, "B");
    assert_int_equal(q->action, IX_ACTION_REVIEW);
    assert_int_equal(q->score, 20);
    const ix_finding *fd = &q->findings[0];
    assert_string_equal(fd->code, "FI02");
    assert_int_equal(fd->score, 20);
    assert_int_equal(fd->amount, CNY(12000));
    assert_int_equal(fd->nfigures, 4);
    assert_figure(fd, 0, "new_senders", 3, 2);
    assert_figure(fd, 1, "money_in_new", CNY(12000), CNY(8000));
    assert_figure(fd, 2, "usual_week", CNY(3000), CNY(4000)); /* 12,000 / 3 */
    assert_figure(fd, 3, "weeks_of_history", 2, 1);
    assert_int_equal(fd->nevidence, 3);
}

/* The same senders for a person whose busiest week brought 5,000 CNY: 12,000 is less than
 * three times that, quiet; a fourth new sender brings 16,000, and it fires. */
static void test_baseline_high_usual_week_is_quiet(void **state)
{
    rfx *f = *state;
    assert_int_equal(baseline_senders(f, "B", 5000, 3), 0);
    assert_int_equal(f->hits[f->slot], 0);
    assert_int_equal(rfx_send(f, "BN4", "N4", "B", CNY(4000), week0() + 3 * WEEK_MS + 3 * DAY_MS),
                     1);
    const ix_finding *fd = &f->req[0].findings[0];
    assert_string_equal(fd->code, "FI02");
    assert_figure(fd, 0, "new_senders", 4, 2);
    assert_figure(fd, 2, "usual_week", CNY(5000), CNY(16000) / 3);
}

/* New senders that are businesses (an employer, a refund) are an ordinary life's: quiet. And
 * an account whose first week is not over has no baseline yet (baseline.weeks 1). */
static void test_baseline_counts_persons_and_needs_history(void **state)
{
    rfx *f = *state;
    for (int i = 1; i <= 3; i++) {
        char who[8];
        snprintf(who, sizeof(who), "N%d", i);
        rfx_profile(f, who, IX_HOLDER_BUSINESS);
    }
    assert_int_equal(baseline_senders(f, "B", 3000, 3), 0);
    int64_t w1 = week0() + WEEK_MS;
    assert_int_equal(rfx_send(f, "YH", "P0", "YOUNG", CNY(1000), w1), 0);
    assert_int_equal(rfx_send(f, "Y1", "M1", "YOUNG", CNY(4000), w1 + DAY_MS), 0);
    assert_int_equal(rfx_send(f, "Y2", "M2", "YOUNG", CNY(4000), w1 + 2 * DAY_MS), 0);
    assert_int_equal(rfx_send(f, "Y3", "M3", "YOUNG", CNY(4000), w1 + 3 * DAY_MS), 0);
    assert_int_equal(f->hits[f->slot], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_collector_with_ten_new_senders, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_nine_senders_are_too_few, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_window_edge, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_long_standing_senders_do_not_count, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_merchants_and_businesses_exempt, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_baseline_low_usual_week_fires, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_baseline_high_usual_week_is_quiet, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_baseline_counts_persons_and_needs_history, setup,
                                        rfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
