/* test_rule_gatherscatter.c - the gather-scatter rule on a real graph: crafted transfers
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
 * of a 4-hour bucket. The 1-day window, the smallest that covers the 12-hour
 * interval, then reaches back about 26 hours, so the cheap check counts every
 * transfer of a test and the exact counts and ratio decide. */
#define T0 (1794960000000LL + 7550000LL)

static int setup(void **state)
{
    return rfx_setup(state, "gatherscatter", RFX_BANK_BY_SIDE);
}

/* Senders <hub>-S1.. pay the hub `in` each, 20 minutes apart from T0; three
 * hours later it pays receivers <hub>-R1.. `out` each, 10 minutes apart.
 * Transfer ids are <hub>-G1... Returns the requests of the last transfer. */
static int hub(rfx *f, const char *name, int nin, int64_t in, int nout, int64_t out)
{
    char id[32], peer[32];
    int k = 0, last = 0;
    for (int i = 1; i <= nin; i++) {
        snprintf(id, sizeof(id), "%s-G%d", name, ++k);
        snprintf(peer, sizeof(peer), "%s-S%d", name, i);
        assert_int_equal(rfx_send(f, id, peer, name, in, T0 + (i - 1) * 20 * MIN_MS), 0);
    }
    for (int i = 1; i <= nout; i++) {
        snprintf(id, sizeof(id), "%s-G%d", name, ++k);
        snprintf(peer, sizeof(peer), "%s-R%d", name, i);
        last = rfx_send(f, id, name, peer, out, T0 + 3 * HOUR_MS + (i - 1) * 10 * MIN_MS);
        if (i < nout)
            assert_int_equal(last, 0);
    }
    return last;
}

/* Four senders pay a hub 120,000 CNY within an hour; three hours later it
 * spreads 90% of it over four receivers. Defaults: window 12 h, 4 new
 * senders, 4 new receivers, 85%, and the pass-through floor 10,000 CNY. */
static void test_hub_collecting_and_spreading(void **state)
{
    rfx *f = *state;
    assert_int_equal(hub(f, "HUB", 4, CNY(30000), 4, CNY(27000)), 1);
    assert_int_equal(f->hits[f->slot], 1);

    const ix_request *q = &f->req[0];
    assert_string_equal(q->account, "HUB");
    assert_string_equal(q->bank, "BKCHCNBJ"); /* the sender's bank of the trigger */
    assert_int_equal(q->action, IX_ACTION_HOLD);
    assert_int_equal(q->score, 70);
    assert_string_equal(q->trigger_id, "HUB-G8");
    assert_int_equal(q->nfindings, 1);
    const ix_finding *fd = &q->findings[0];
    assert_string_equal(fd->rule, "gatherscatter");
    assert_string_equal(fd->code, "GS01");
    assert_int_equal(fd->score, 70);
    assert_int_equal(fd->amount, CNY(120000));
    assert_int_equal(fd->nfigures, 3);
    assert_figure(fd, 0, "new_senders", 4, 4);
    assert_figure(fd, 1, "new_receivers", 4, 4);
    assert_figure(fd, 2, "sent_on_pct", 90, 85);
    assert_int_equal(fd->nevidence, 8);
    for (int i = 0; i < 8; i++) {
        char id[16];
        snprintf(id, sizeof(id), "HUB-G%d", i + 1);
        assert_string_equal(fd->evidence[i].transfer_id, id);
        assert_int_equal(fd->evidence[i].amount, i < 4 ? CNY(30000) : CNY(27000));
    }
    assert_string_equal(fd->evidence[0].from_account, "HUB-S1");
    assert_string_equal(fd->evidence[0].to_account, "HUB");
    assert_int_equal(fd->evidence[0].time_ms, T0);
    assert_string_equal(fd->evidence[7].from_account, "HUB");
    assert_string_equal(fd->evidence[7].to_account, "HUB-R4");
    assert_int_equal(fd->evidence[7].time_ms, T0 + 3 * HOUR_MS + 30 * MIN_MS);
    const char *path[] = {"HUB-S1", "HUB-S2", "HUB-S3", "HUB-S4", "HUB",
                          "HUB-R1", "HUB-R2", "HUB-R3", "HUB-R4"};
    assert_int_equal(fd->npath, 9);
    for (int i = 0; i < 9; i++)
        assert_string_equal(fd->path[i], path[i]);
}

/* 85% spread on fires; 84% does not. */
static void test_ratio_edge(void **state)
{
    rfx *f = *state;
    assert_int_equal(hub(f, "H84", 4, CNY(25000), 4, CNY(21000)), 0);
    assert_int_equal(f->hits[f->slot], 0);
    assert_int_equal(hub(f, "H85", 4, CNY(25000), 4, CNY(21250)), 1);
    assert_int_equal(f->req[0].findings[0].figures[2].value, 85);
}

/* Three senders are one too few, however much they send. */
static void test_three_senders_are_too_few(void **state)
{
    rfx *f = *state;
    assert_int_equal(hub(f, "H3", 3, CNY(40000), 4, CNY(27000)), 0);
    assert_int_equal(f->hits[f->slot], 0);
}

/* Friends chipping in 8,000 CNY and the shops paid afterwards: below the
 * pass-through floor. */
static void test_small_sums_pass(void **state)
{
    rfx *f = *state;
    assert_int_equal(hub(f, "PARTY", 4, CNY(2000), 4, CNY(1900)), 0);
    assert_int_equal(f->hits[f->slot], 0);
}

static void test_merchants_and_businesses_exempt(void **state)
{
    rfx *f = *state;
    rfx_profile(f, "STORE", IX_HOLDER_MERCHANT);
    rfx_profile(f, "FIRM", IX_HOLDER_BUSINESS);
    assert_int_equal(hub(f, "STORE", 5, CNY(30000), 5, CNY(29000)), 0);
    assert_int_equal(hub(f, "FIRM", 5, CNY(30000), 5, CNY(29000)), 0);
    assert_int_equal(f->hits[f->slot], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hub_collecting_and_spreading, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_ratio_edge, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_three_senders_are_too_few, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_small_sums_pass, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_merchants_and_businesses_exempt, setup, rfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
