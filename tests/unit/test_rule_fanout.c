/* test_rule_fanout.c - the fan-out rule on a real graph: crafted transfers
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
 * fan-out window, then reaches back about 26 hours, so the cheap check counts
 * every transfer of a test and the count of new receivers decides. */
#define T0 (1794960000000LL + 7550000LL)

static int setup(void **state)
{
    return rfx_setup(state, "fanout", RFX_BANK_BY_SIDE);
}

/* `from` pays receivers R01..R<n> 1,000 CNY each, `gap` apart from `start`;
 * transfer ids are <prefix>01.. Returns the requests of the last one. */
static int receivers(rfx *f, const char *prefix, const char *from, int n, int64_t start,
                     int64_t gap)
{
    char id[16], to[16];
    int last = 0;
    for (int i = 1; i <= n; i++) {
        snprintf(id, sizeof(id), "%s%02d", prefix, i);
        snprintf(to, sizeof(to), "R%02d", i);
        last = rfx_send(f, id, from, to, CNY(1000), start + (i - 1) * gap);
        if (i < n)
            assert_int_equal(last, 0);
    }
    return last;
}

/* A payer sends money to ten accounts it never paid before within 4.5 hours.
 * Defaults: window 6 h, 10 new receivers. */
static void test_payer_with_ten_new_receivers(void **state)
{
    rfx *f = *state;
    assert_int_equal(receivers(f, "F", "PAYER", 10, T0, 30 * MIN_MS), 1);
    assert_int_equal(f->hits[f->slot], 1);

    const ix_request *q = &f->req[0];
    assert_string_equal(q->account, "PAYER");
    assert_string_equal(q->bank, "BKCHCNBJ"); /* the sender's bank of the trigger */
    assert_int_equal(q->action, IX_ACTION_HOLD);
    assert_int_equal(q->score, 60);
    assert_string_equal(q->trigger_id, "F10");
    assert_int_equal(q->nfindings, 1);
    const ix_finding *fd = &q->findings[0];
    assert_string_equal(fd->rule, "fanout");
    assert_string_equal(fd->code, "FO01");
    assert_int_equal(fd->score, 60);
    assert_int_equal(fd->amount, CNY(10000));
    assert_int_equal(fd->nfigures, 1);
    assert_figure(fd, 0, "new_receivers", 10, 10);
    assert_int_equal(fd->nevidence, 10);
    for (int i = 0; i < 10; i++) {
        char id[8], to[8];
        snprintf(id, sizeof(id), "F%02d", i + 1);
        snprintf(to, sizeof(to), "R%02d", i + 1);
        assert_string_equal(fd->evidence[i].transfer_id, id);
        assert_string_equal(fd->evidence[i].from_account, "PAYER");
        assert_string_equal(fd->evidence[i].to_account, to);
        assert_int_equal(fd->evidence[i].amount, CNY(1000));
        assert_int_equal(fd->evidence[i].time_ms, T0 + i * 30 * MIN_MS);
    }
    /* The path holds the payer, then nine receivers, the most recent ones. */
    assert_int_equal(fd->npath, IX_PATH_MAX);
    assert_string_equal(fd->path[0], "PAYER");
    for (int i = 1; i < 10; i++) {
        char to[8];
        snprintf(to, sizeof(to), "R%02d", i + 1);
        assert_string_equal(fd->path[i], to);
    }
}

/* Nine distinct receivers, one of them paid twice: ten transfers pass the
 * cheap check, but only nine receivers are new. */
static void test_nine_receivers_are_too_few(void **state)
{
    rfx *f = *state;
    assert_int_equal(receivers(f, "N", "PAYER", 9, T0, 30 * MIN_MS), 0);
    assert_int_equal(rfx_send(f, "N10", "PAYER", "R01", CNY(1000), T0 + 5 * HOUR_MS), 0);
    assert_int_equal(f->hits[f->slot], 0);
}

/* The interval is closed: a first payment exactly one window before counts;
 * one minute earlier it does not. */
static void test_window_edge(void **state)
{
    rfx *f = *state;
    assert_int_equal(receivers(f, "A", "P1", 9, T0, 30 * MIN_MS), 0);
    assert_int_equal(rfx_send(f, "A10", "P1", "R10", CNY(1000), T0 + 6 * HOUR_MS), 1);
    assert_int_equal(f->req[0].findings[0].figures[0].value, 10);

    assert_int_equal(receivers(f, "B", "P2", 9, T0, 30 * MIN_MS), 0);
    assert_int_equal(rfx_send(f, "B10", "P2", "R10", CNY(1000), T0 + 6 * HOUR_MS + MIN_MS), 0);
    assert_int_equal(f->hits[f->slot], 1);
}

/* Receivers paid before the window (landlord, family, the usual shops) are
 * not new, even when paid again inside it. */
static void test_long_standing_receivers_do_not_count(void **state)
{
    rfx *f = *state;
    char errstr[256];
    /* The strict tier's count: the account's week-old history would bring in the baseline
     * tier, which is not under test here. */
    assert_int_equal(cfg_set(&f->c, "rules.fanout.baseline.score", "0", errstr, sizeof(errstr)), 0);
    const char *old[] = {"R01", "R02", "R03"};
    char id[16];
    for (int i = 0; i < 3; i++) {
        snprintf(id, sizeof(id), "OLD%d", i);
        assert_int_equal(rfx_send(f, id, "HOUSEHOLD", old[i], CNY(500), T0 - 10 * DAY_MS), 0);
    }
    /* Ten receivers in the window, three of them long-standing: 7 new. */
    assert_int_equal(receivers(f, "L", "HOUSEHOLD", 10, T0, 20 * MIN_MS), 0);
    assert_int_equal(f->hits[f->slot], 0);
    /* Three more new ones make 10 new (not 13). */
    assert_int_equal(rfx_send(f, "L11", "HOUSEHOLD", "R11", CNY(1000), T0 + 4 * HOUR_MS), 0);
    assert_int_equal(rfx_send(f, "L12", "HOUSEHOLD", "R12", CNY(1000), T0 + 4 * HOUR_MS + MIN_MS),
                     0);
    assert_int_equal(
        rfx_send(f, "L13", "HOUSEHOLD", "R13", CNY(1000), T0 + 4 * HOUR_MS + 2 * MIN_MS), 1);
    const ix_finding *fd = &f->req[0].findings[0];
    assert_int_equal(fd->figures[0].value, 10);
    assert_int_equal(fd->amount, CNY(10000)); /* paid to the new receivers only */
    assert_int_equal(fd->nevidence, 10);
    assert_string_equal(fd->evidence[0].transfer_id, "L04");
}

/* Payroll and supplier runs by businesses and merchants look like this. */
static void test_businesses_and_merchants_exempt(void **state)
{
    rfx *f = *state;
    rfx_profile(f, "EMPLOYER", IX_HOLDER_BUSINESS);
    rfx_profile(f, "STORE", IX_HOLDER_MERCHANT);
    assert_int_equal(receivers(f, "P", "EMPLOYER", 12, T0, MIN_MS), 0);
    assert_int_equal(receivers(f, "S", "STORE", 12, T0, 10 * MIN_MS), 0);
    assert_int_equal(f->hits[f->slot], 0);
}

/* ---- the baseline tier (FO02): few new receivers over days, far beyond the account's usual */

#define WEEK_MS (7 * DAY_MS)

/* A pays its landlord L0 2,000 CNY in week 0 (a week of score.h after T0, plus 12 hours) and
 * `usual` in week 1; in week 3 it pays new receivers R1..R3 4,000 CNY a day apart, or the
 * merchants M1..M3 when `merchants`. Returns the requests of the last. */
static int baseline_receivers(rfx *f, int64_t usual, int merchants)
{
    char id[16], to[16];
    int64_t w0 = (T0 / WEEK_MS + 1) * WEEK_MS + 12 * HOUR_MS, w3 = w0 + 3 * WEEK_MS;
    int last = 0;
    assert_int_equal(rfx_send(f, "H0", "A", "L0", CNY(2000), w0), 0);
    assert_int_equal(rfx_send(f, "H1", "A", "L0", CNY(usual), w0 + WEEK_MS), 0);
    for (int i = 1; i <= 3; i++) {
        snprintf(id, sizeof(id), "R%d", i);
        snprintf(to, sizeof(to), "%c%d", merchants ? 'M' : 'R', i);
        if (merchants)
            rfx_profile(f, to, IX_HOLDER_MERCHANT);
        last = rfx_send(f, id, "A", to, CNY(4000), w3 + (i - 1) * DAY_MS);
        if (i < 3)
            assert_int_equal(last, 0);
    }
    return last;
}

/* Usual week 3,000 CNY: 12,000 to three new persons is at least three times it and 8,000
 * CNY: a weak finding (20) and a REVIEW, with the baseline in the evidence. */
static void test_baseline_low_usual_week_fires(void **state)
{
    rfx *f = *state;
    assert_int_equal(baseline_receivers(f, 3000, 0), 1);
    const ix_request *q = &f->req[0];
    assert_string_equal(q->account, "A");
    assert_int_equal(q->action, IX_ACTION_REVIEW);
    const ix_finding *fd = &q->findings[0];
    assert_string_equal(fd->code, "FO02");
    assert_int_equal(fd->score, 20);
    assert_int_equal(fd->amount, CNY(12000));
    assert_figure(fd, 0, "new_receivers", 3, 3);
    assert_figure(fd, 1, "money_out_new", CNY(12000), CNY(8000));
    assert_figure(fd, 2, "usual_week", CNY(3000), CNY(4000));
    assert_figure(fd, 3, "weeks_of_history", 2, 1);
}

/* Paying 24,000 CNY to the three new receivers (8,000 each) is at least baseline.large.amount
 * (20,000): the finding scores 30, and the money figure shows that threshold. */
static void test_baseline_large_amount_scores_more(void **state)
{
    rfx *f = *state;
    int64_t w0 = (T0 / WEEK_MS + 1) * WEEK_MS + 12 * HOUR_MS, w3 = w0 + 3 * WEEK_MS;
    assert_int_equal(rfx_send(f, "H0", "A", "L0", CNY(2000), w0), 0);
    assert_int_equal(rfx_send(f, "H1", "A", "L0", CNY(3000), w0 + WEEK_MS), 0);
    assert_int_equal(rfx_send(f, "R1", "A", "R1", CNY(8000), w3), 0);
    assert_int_equal(rfx_send(f, "R2", "A", "R2", CNY(8000), w3 + DAY_MS), 0);
    assert_int_equal(rfx_send(f, "R3", "A", "R3", CNY(8000), w3 + 2 * DAY_MS), 1);
    const ix_finding *fd = &f->req[0].findings[0];
    assert_string_equal(fd->code, "FO02");
    assert_int_equal(fd->score, 30);
    assert_int_equal(f->req[0].action, IX_ACTION_REVIEW);
    assert_figure(fd, 1, "money_out_new", CNY(24000), CNY(20000));
    assert_figure(fd, 2, "usual_week", CNY(3000), CNY(8000));
}

/* Usual week 5,000 CNY: 12,000 is less than three times it, quiet. */
static void test_baseline_high_usual_week_is_quiet(void **state)
{
    rfx *f = *state;
    assert_int_equal(baseline_receivers(f, 5000, 0), 0);
    assert_int_equal(f->hits[f->slot], 0);
}

/* Paying three new shops is shopping, whatever the sums. */
static void test_baseline_counts_persons_only(void **state)
{
    rfx *f = *state;
    assert_int_equal(baseline_receivers(f, 3000, 1), 0);
    assert_int_equal(f->hits[f->slot], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_payer_with_ten_new_receivers, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_nine_receivers_are_too_few, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_window_edge, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_long_standing_receivers_do_not_count, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_businesses_and_merchants_exempt, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_baseline_low_usual_week_fires, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_baseline_large_amount_scores_more, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_baseline_high_usual_week_is_quiet, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_baseline_counts_persons_only, setup, rfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
