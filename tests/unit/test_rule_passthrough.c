/* test_rule_passthrough.c - the pass-through rule on a real graph: crafted
 * transfers applied and screened as the pipeline does, and its near misses. */
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
 * of a 4-hour, a 10-minute and a 100-second bucket. The rolling windows then
 * reach well past the rule's interval (the 1-hour window, which covers the
 * 30-minute interval, reaches back about 65 minutes), so a transfer just
 * outside the interval is still in the window totals, and the near misses
 * below show that the exact scan, not the window, decides. */
#define T0 (1794960000000LL + 7550000LL)

static int setup(void **state)
{
    return rfx_setup(state, "passthrough", RFX_BANK_BY_SIDE);
}

/* Two victims pay a mule 25,000 CNY; twenty minutes later it has sent 88%
 * of it on to two accounts. Defaults: window 30 min, 10,000 CNY, 80%. */
static void test_mule_forwarding_most_of_it(void **state)
{
    rfx *f = *state;
    assert_int_equal(rfx_send(f, "P1", "VICTIM1", "MULE", CNY(15000), T0), 0);
    assert_int_equal(rfx_send(f, "P2", "VICTIM2", "MULE", CNY(10000), T0 + MIN_MS), 0);
    /* 12,000 of 25,000 sent on (48%): not yet a conduit. */
    assert_int_equal(rfx_send(f, "P3", "MULE", "ONWARD1", CNY(12000), T0 + 10 * MIN_MS), 0);
    assert_int_equal(rfx_send(f, "P4", "MULE", "ONWARD2", CNY(10000), T0 + 20 * MIN_MS), 1);
    assert_int_equal(f->hits[f->slot], 1);

    const ix_request *q = &f->req[0];
    assert_string_equal(q->account, "MULE");
    assert_string_equal(q->bank, "BKCHCNBJ"); /* the sender's bank of the trigger */
    assert_int_equal(q->action, IX_ACTION_HOLD);
    assert_int_equal(q->score, 60);
    assert_string_equal(q->trigger_id, "P4");
    assert_int_equal(q->nfindings, 1);
    const ix_finding *fd = &q->findings[0];
    assert_string_equal(fd->rule, "passthrough");
    assert_string_equal(fd->code, "PT01");
    assert_int_equal(fd->score, 60);
    assert_int_equal(fd->amount, CNY(25000));
    assert_int_equal(fd->nfigures, 3);
    assert_figure(fd, 0, "received", CNY(25000), CNY(10000));
    assert_figure(fd, 1, "sent_on_pct", 88, 80);
    assert_figure(fd, 2, "hold_minutes", 20, 30);
    const char *ids[] = {"P1", "P2", "P3", "P4"};
    assert_int_equal(fd->nevidence, 4);
    for (int i = 0; i < 4; i++)
        assert_string_equal(fd->evidence[i].transfer_id, ids[i]);
    assert_string_equal(fd->evidence[0].from_account, "VICTIM1");
    assert_string_equal(fd->evidence[0].to_account, "MULE");
    assert_int_equal(fd->evidence[0].amount, CNY(15000));
    assert_int_equal(fd->evidence[0].time_ms, T0);
    assert_string_equal(fd->evidence[3].from_account, "MULE");
    assert_string_equal(fd->evidence[3].to_account, "ONWARD2");
    const char *path[] = {"VICTIM1", "VICTIM2", "MULE", "ONWARD1", "ONWARD2"};
    assert_int_equal(fd->npath, 5);
    for (int i = 0; i < 5; i++)
        assert_string_equal(fd->path[i], path[i]);
}

/* The interval is closed: money that arrived exactly one window before the
 * onward transfer counts; one minute more and it does not. */
static void test_window_edge(void **state)
{
    rfx *f = *state;
    assert_int_equal(rfx_send(f, "E1", "V1", "MULE1", CNY(20000), T0), 0);
    assert_int_equal(rfx_send(f, "E2", "MULE1", "OUT1", CNY(19000), T0 + 30 * MIN_MS), 1);
    assert_string_equal(f->req[0].findings[0].code, "PT01");
    assert_int_equal(f->req[0].findings[0].figures[2].value, 30);

    assert_int_equal(rfx_send(f, "E3", "V2", "MULE2", CNY(20000), T0), 0);
    char errstr[256];
    graph_acct a;
    assert_int_equal(graph_get(f->g, "MULE2", T0 + 31 * MIN_MS, &a, errstr, sizeof(errstr)), 0);
    assert_int_equal(a.win[WIN_1H].in_sum, CNY(20000)); /* the premise: still in the window */
    assert_int_equal(rfx_send(f, "E4", "MULE2", "OUT2", CNY(19000), T0 + 31 * MIN_MS), 0);
    assert_int_equal(f->hits[f->slot], 1);
}

/* 80% sent on fires; 79% does not. */
static void test_ratio_edge(void **state)
{
    rfx *f = *state;
    assert_int_equal(rfx_send(f, "R1", "V1", "MULE1", CNY(20000), T0), 0);
    assert_int_equal(rfx_send(f, "R2", "MULE1", "OUT1", CNY(15800), T0 + 5 * MIN_MS), 0); /* 79% */
    assert_int_equal(f->hits[f->slot], 0);
    assert_int_equal(rfx_send(f, "R3", "V2", "MULE2", CNY(20000), T0), 0);
    assert_int_equal(rfx_send(f, "R4", "MULE2", "OUT2", CNY(16000), T0 + 5 * MIN_MS), 1); /* 80% */
    assert_int_equal(f->req[0].findings[0].figures[1].value, 80);
}

/* Below the minimum received nothing is looked at. */
static void test_small_sums_pass(void **state)
{
    rfx *f = *state;
    assert_int_equal(rfx_send(f, "S1", "V1", "MULE1", CNY(10000) - 1, T0), 0);
    assert_int_equal(rfx_send(f, "S2", "MULE1", "OUT1", CNY(9999), T0 + 5 * MIN_MS), 0);
    assert_int_equal(f->hits[f->slot], 0);
}

/* Money sent before anything arrived in the interval was the account's own:
 * it is not money passed on. */
static void test_earlier_spending_is_not_passing_on(void **state)
{
    rfx *f = *state;
    assert_int_equal(rfx_send(f, "O1", "ALICE", "SHOP", CNY(20000), T0), 0);
    assert_int_equal(rfx_send(f, "O2", "EMPLOYER", "ALICE", CNY(20000), T0 + 5 * MIN_MS), 0);
    assert_int_equal(rfx_send(f, "O3", "ALICE", "FRIEND", CNY(1000), T0 + 10 * MIN_MS), 0);
    assert_int_equal(f->hits[f->slot], 0);
}

/* Merchants and businesses pay on what they take in as a matter of course. */
static void test_merchants_and_businesses_exempt(void **state)
{
    rfx *f = *state;
    rfx_profile(f, "STORE", IX_HOLDER_MERCHANT);
    rfx_profile(f, "FIRM", IX_HOLDER_BUSINESS);
    rfx_profile(f, "PERSON", IX_HOLDER_PERSON);
    assert_int_equal(rfx_send(f, "X1", "C1", "STORE", CNY(50000), T0), 0);
    assert_int_equal(rfx_send(f, "X2", "STORE", "SUPPLIER", CNY(48000), T0 + 5 * MIN_MS), 0);
    assert_int_equal(rfx_send(f, "X3", "C2", "FIRM", CNY(50000), T0), 0);
    assert_int_equal(rfx_send(f, "X4", "FIRM", "SUPPLIER", CNY(48000), T0 + 5 * MIN_MS), 0);
    assert_int_equal(f->hits[f->slot], 0);
    /* A person with a profile is not exempt. */
    assert_int_equal(rfx_send(f, "X5", "C3", "PERSON", CNY(50000), T0), 0);
    assert_int_equal(rfx_send(f, "X6", "PERSON", "SUPPLIER", CNY(48000), T0 + 5 * MIN_MS), 1);
}

/* ---- the baseline tier (PT02): money between persons passed on over days */

#define WEEK_MS (7 * DAY_MS)

/* A's friend P0 pays it 2,000 CNY in week 0 (a week of score.h after T0, plus 12 hours) and
 * `usual` in week 1; in week 3 V1 and V2 pay it 5,000 CNY each, and two days later it pays
 * 8,000 to O1 (a merchant when `merchant`). Returns the requests of the last. */
static int baseline_conduit(rfx *f, int64_t usual, int merchant)
{
    int64_t w0 = (T0 / WEEK_MS + 1) * WEEK_MS + 12 * HOUR_MS, w3 = w0 + 3 * WEEK_MS;
    if (merchant)
        rfx_profile(f, "O1", IX_HOLDER_MERCHANT);
    assert_int_equal(rfx_send(f, "H0", "P0", "A", CNY(2000), w0), 0);
    assert_int_equal(rfx_send(f, "H1", "P0", "A", CNY(usual), w0 + WEEK_MS), 0);
    assert_int_equal(rfx_send(f, "V1", "V1", "A", CNY(5000), w3), 0);
    assert_int_equal(rfx_send(f, "V2", "V2", "A", CNY(5000), w3 + HOUR_MS), 0);
    return rfx_send(f, "O1", "A", "O1", CNY(8000), w3 + 2 * DAY_MS);
}

/* Usual week 2,000 CNY: 10,000 from persons is at least 8,000 CNY and three times it, and
 * 80 % of it went on to a person within the week: a weak finding (20), a REVIEW, with the
 * baseline. */
static void test_baseline_low_usual_week_fires(void **state)
{
    rfx *f = *state;
    assert_int_equal(baseline_conduit(f, 2000, 0), 1);
    const ix_request *q = &f->req[0];
    assert_string_equal(q->account, "A");
    assert_int_equal(q->action, IX_ACTION_REVIEW);
    const ix_finding *fd = &q->findings[0];
    assert_string_equal(fd->code, "PT02");
    assert_int_equal(fd->score, 20);
    assert_int_equal(fd->amount, CNY(10000));
    assert_int_equal(fd->nfigures, 5);
    assert_figure(fd, 0, "received", CNY(10000), CNY(8000));
    assert_figure(fd, 1, "sent_on_pct", 80, 50);
    assert_figure(fd, 2, "hold_minutes", 2 * 24 * 60, 7 * 24 * 60);
    assert_figure(fd, 3, "usual_week", CNY(2000), CNY(10000) / 3);
    assert_figure(fd, 4, "weeks_of_history", 2, 1);
    assert_int_equal(fd->nevidence, 3);
}

/* Usual week 4,000 CNY: 10,000 is less than three times it, quiet. */
static void test_baseline_high_usual_week_is_quiet(void **state)
{
    rfx *f = *state;
    assert_int_equal(baseline_conduit(f, 4000, 0), 0);
    assert_int_equal(f->hits[f->slot], 0);
}

/* Money spent at a shop is spent, not passed on. */
static void test_baseline_paying_a_merchant_is_quiet(void **state)
{
    rfx *f = *state;
    assert_int_equal(baseline_conduit(f, 2000, 1), 0);
    assert_int_equal(f->hits[f->slot], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_mule_forwarding_most_of_it, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_window_edge, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_ratio_edge, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_small_sums_pass, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_earlier_spending_is_not_passing_on, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_merchants_and_businesses_exempt, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_baseline_low_usual_week_fires, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_baseline_high_usual_week_is_quiet, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_baseline_paying_a_merchant_is_quiet, setup,
                                        rfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
