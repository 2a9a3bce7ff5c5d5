/* test_rule_burst.c - the new and dormant account burst rule on a real graph: crafted transfers
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
 * of a 4-hour bucket, so the 1-day window as of T0 reaches back about 26
 * hours. A transfer 25 hours before T0 is then still in the window's volume
 * but not in the day before T0, which test_volume_is_the_days_own uses to
 * show that the exact day, not the window, decides. */
#define T0 (1794960000000LL + 7550000LL)

static int setup(void **state)
{
    return rfx_setup(state, "burst", RFX_BANK_BY_SIDE);
}

/* An account opened three days ago receives 60,000 CNY and sends 55,000 on
 * two hours later. Defaults: new up to 7 days, 100,000 CNY a day. */
static void test_new_account_moving_a_lot(void **state)
{
    rfx *f = *state;
    rfx_profile_opened(f, "NEWBIE", IX_HOLDER_PERSON, T0 - 3 * DAY_MS, 0);
    assert_int_equal(rfx_send(f, "B1", "V1", "NEWBIE", CNY(60000), T0), 0);
    assert_int_equal(rfx_send(f, "B2", "NEWBIE", "R1", CNY(55000), T0 + 2 * HOUR_MS), 1);
    assert_int_equal(f->hits[f->slot], 1);

    const ix_request *q = &f->req[0];
    assert_string_equal(q->account, "NEWBIE");
    assert_string_equal(q->bank, "BKCHCNBJ");
    assert_int_equal(q->action, IX_ACTION_HOLD);
    assert_int_equal(q->score, 50);
    assert_string_equal(q->trigger_id, "B2");
    assert_int_equal(q->nfindings, 1);
    const ix_finding *fd = &q->findings[0];
    assert_string_equal(fd->rule, "burst");
    assert_string_equal(fd->code, "NB01");
    assert_int_equal(fd->score, 50);
    assert_int_equal(fd->amount, CNY(60000)); /* the larger of the day's in and out */
    assert_int_equal(fd->nfigures, 2);
    assert_figure(fd, 0, "account_age_days", 3, 7);
    assert_figure(fd, 1, "day_volume", CNY(115000), CNY(100000));
    assert_int_equal(fd->nevidence, 2);
    assert_string_equal(fd->evidence[0].transfer_id, "B1");
    assert_string_equal(fd->evidence[0].from_account, "V1");
    assert_string_equal(fd->evidence[0].to_account, "NEWBIE");
    assert_int_equal(fd->evidence[0].amount, CNY(60000));
    assert_int_equal(fd->evidence[0].time_ms, T0);
    assert_string_equal(fd->evidence[1].transfer_id, "B2");
    assert_int_equal(fd->evidence[1].time_ms, T0 + 2 * HOUR_MS);
    assert_int_equal(fd->npath, 3);
    assert_string_equal(fd->path[0], "V1");
    assert_string_equal(fd->path[1], "NEWBIE");
    assert_string_equal(fd->path[2], "R1");
}

/* Opened eight days before its first transfer: one day too old. Without a
 * profile an account is never new. */
static void test_one_day_too_old(void **state)
{
    rfx *f = *state;
    rfx_profile_opened(f, "OLDER", IX_HOLDER_PERSON, T0 - 8 * DAY_MS, 0);
    assert_int_equal(rfx_send(f, "O1", "V1", "OLDER", CNY(60000), T0), 0);
    assert_int_equal(rfx_send(f, "O2", "OLDER", "R1", CNY(55000), T0 + 2 * HOUR_MS), 0);
    assert_int_equal(rfx_send(f, "O3", "V2", "NOPROFILE", CNY(60000), T0), 0);
    assert_int_equal(rfx_send(f, "O4", "NOPROFILE", "R2", CNY(55000), T0 + 2 * HOUR_MS), 0);
    assert_int_equal(f->hits[f->slot], 0);
}

/* The age counts when the day's activity began: an account 6 days 23 hours
 * old at its first transfer is new for the rest of that day, even past its
 * seventh day; one opened 7 days and a minute before is not. */
static void test_age_taken_when_the_day_began(void **state)
{
    rfx *f = *state;
    rfx_profile_opened(f, "EDGE", IX_HOLDER_PERSON, T0 - 7 * DAY_MS + HOUR_MS, 0);
    assert_int_equal(rfx_send(f, "E1", "V1", "EDGE", CNY(60000), T0), 0);
    assert_int_equal(rfx_send(f, "E2", "EDGE", "R1", CNY(55000), T0 + 5 * HOUR_MS), 1);
    assert_string_equal(f->req[0].findings[0].code, "NB01");
    assert_int_equal(f->req[0].findings[0].figures[0].value, 6);

    rfx_profile_opened(f, "LATE", IX_HOLDER_PERSON, T0 - 7 * DAY_MS - MIN_MS, 0);
    assert_int_equal(rfx_send(f, "L1", "V2", "LATE", CNY(60000), T0), 0);
    assert_int_equal(rfx_send(f, "L2", "LATE", "R2", CNY(55000), T0 + 5 * HOUR_MS), 0);
    assert_int_equal(f->hits[f->slot], 1);
}

/* Money moved 25 hours ago is still in the 1-day window's buckets but not in
 * the day: it does not count. */
static void test_volume_is_the_days_own(void **state)
{
    rfx *f = *state;
    rfx_profile_opened(f, "NEWBIE", IX_HOLDER_PERSON, T0 - 3 * DAY_MS, 0);
    assert_int_equal(rfx_send(f, "D1", "V1", "NEWBIE", CNY(80000), T0 - 25 * HOUR_MS), 0);
    char errstr[256];
    graph_acct a;
    assert_int_equal(graph_get(f->g, "NEWBIE", T0, &a, errstr, sizeof(errstr)), 0);
    assert_int_equal(a.win[WIN_1D].in_sum, CNY(80000)); /* the premise: still in the window */
    assert_int_equal(rfx_send(f, "D2", "NEWBIE", "R1", CNY(30000), T0), 0);
    assert_int_equal(f->hits[f->slot], 0);
    /* 30,000 + 75,000 within the day is a burst. The day began a day before
     * this transfer (the account was active earlier): 2 days after opening. */
    assert_int_equal(rfx_send(f, "D3", "NEWBIE", "R2", CNY(75000), T0 + 30 * MIN_MS), 1);
    const ix_finding *fd = &f->req[0].findings[0];
    assert_figure(fd, 0, "account_age_days", 2, 7);
    assert_figure(fd, 1, "day_volume", CNY(105000), CNY(100000));
    assert_int_equal(fd->amount, CNY(105000));
    assert_int_equal(fd->nevidence, 2);
    assert_string_equal(fd->evidence[0].transfer_id, "D2");
    assert_string_equal(fd->evidence[1].transfer_id, "D3");
}

/* An account its bank reports dormant moves 55,000 CNY in three hours.
 * Defaults: 50,000 CNY a day. */
static void test_reported_dormant_account(void **state)
{
    rfx *f = *state;
    rfx_profile_opened(f, "SLEEPER", IX_HOLDER_PERSON, T0 - 400 * DAY_MS, IX_ACCT_DORMANT);
    assert_int_equal(rfx_send(f, "S1", "SLEEPER", "R1", CNY(30000), T0), 0);
    assert_int_equal(rfx_send(f, "S2", "SLEEPER", "R2", CNY(25000), T0 + 3 * HOUR_MS), 1);
    const ix_request *q = &f->req[0];
    assert_string_equal(q->account, "SLEEPER");
    assert_string_equal(q->bank, "BKCHCNBJ");
    assert_int_equal(q->action, IX_ACTION_HOLD);
    assert_int_equal(q->score, 50);
    const ix_finding *fd = &q->findings[0];
    assert_string_equal(fd->rule, "burst");
    assert_string_equal(fd->code, "DB01");
    assert_int_equal(fd->amount, CNY(55000));
    assert_int_equal(fd->nfigures, 3);
    assert_figure(fd, 0, "reported_dormant", 1, 1);
    assert_figure(fd, 1, "day_volume", CNY(55000), CNY(50000));
    assert_figure(fd, 2, "to_persons_pct", 100, 50); /* all of it to persons: the full score */
    assert_int_equal(fd->nevidence, 2);
    assert_string_equal(fd->evidence[0].transfer_id, "S1");
    assert_string_equal(fd->evidence[1].transfer_id, "S2");
    assert_int_equal(fd->npath, 3);
    assert_string_equal(fd->path[0], "SLEEPER");
    assert_string_equal(fd->path[2], "R2");
}

/* A reported-dormant account receives 60,000 CNY: kept so far, a REVIEW (20); an hour later
 * it sends 40,000 on to a person, two thirds of it: the full score (50), a HOLD. */
static void test_dormant_money_moving_on_to_persons(void **state)
{
    rfx *f = *state;
    rfx_profile_opened(f, "SLEEPER", IX_HOLDER_PERSON, T0 - 400 * DAY_MS, IX_ACCT_DORMANT);
    assert_int_equal(rfx_send(f, "W1", "V1", "SLEEPER", CNY(60000), T0), 1);
    assert_int_equal(f->req[0].action, IX_ACTION_REVIEW);
    assert_int_equal(f->req[0].findings[0].score, 20);
    assert_int_equal(rfx_send(f, "W2", "SLEEPER", "R1", CNY(40000), T0 + HOUR_MS), 1);
    const ix_request *q = &f->req[0];
    assert_int_equal(q->action, IX_ACTION_HOLD);
    assert_int_equal(q->score, 50);
    assert_figure(&q->findings[0], 1, "day_volume", CNY(100000), CNY(50000));
    assert_figure(&q->findings[0], 2, "to_persons_pct", 66, 50);
}

/* One yuan short of the dormant volume. */
static void test_dormant_one_yuan_short(void **state)
{
    rfx *f = *state;
    rfx_profile_opened(f, "SLEEPER", IX_HOLDER_PERSON, T0 - 400 * DAY_MS, IX_ACCT_DORMANT);
    assert_int_equal(rfx_send(f, "S1", "SLEEPER", "R1", CNY(30000), T0), 0);
    assert_int_equal(rfx_send(f, "S2", "SLEEPER", "R2", CNY(19999), T0 + 3 * HOUR_MS), 0);
    assert_int_equal(f->hits[f->slot], 0);
}

/* Silent for 100 days, then 60,000 CNY arrives: dormant by time. Nothing of it went on to
 * persons yet: dormant.kept.score (20), a REVIEW. The next transfer comes after no silence
 * and raises nothing by time. */
static void test_silent_for_months(void **state)
{
    rfx *f = *state;
    rfx_profile_opened(f, "QUIET", IX_HOLDER_PERSON, T0 - 400 * DAY_MS, 0);
    assert_int_equal(rfx_send(f, "Q0", "QUIET", "SHOP", CNY(100), T0 - 100 * DAY_MS), 0);
    assert_int_equal(rfx_send(f, "Q1", "V1", "QUIET", CNY(60000), T0), 1);
    const ix_request *q = &f->req[0];
    assert_string_equal(q->account, "QUIET");
    assert_string_equal(q->bank, "ICBKCNBJ");
    const ix_finding *fd = &q->findings[0];
    assert_string_equal(fd->code, "DB01");
    assert_int_equal(fd->amount, CNY(60000));
    assert_int_equal(fd->score, 20);
    assert_int_equal(q->action, IX_ACTION_REVIEW);
    assert_int_equal(fd->nfigures, 3);
    assert_figure(fd, 0, "silent_days", 100, 90);
    assert_figure(fd, 1, "day_volume", CNY(60000), CNY(50000));
    assert_figure(fd, 2, "to_persons_pct", 0, 50);
    assert_int_equal(fd->nevidence, 1);
    assert_string_equal(fd->evidence[0].transfer_id, "Q1");
    assert_int_equal(rfx_send(f, "Q2", "QUIET", "R1", CNY(1000), T0 + HOUR_MS), 0);
    assert_int_equal(f->hits[f->slot], 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_new_account_moving_a_lot, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_one_day_too_old, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_age_taken_when_the_day_began, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_volume_is_the_days_own, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_reported_dormant_account, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_dormant_money_moving_on_to_persons, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_dormant_one_yuan_short, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_silent_for_months, setup, rfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
