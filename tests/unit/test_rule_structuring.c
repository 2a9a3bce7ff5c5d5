/* test_rule_structuring.c - the structuring rule on a real graph: crafted transfers
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

/* A multiple of every window bucket (5 days) plus 2 h 5 min 50 s. The
 * 30-day window, the smallest that covers the 3-day interval, counts every
 * transfer of a test wherever its buckets start, so the cheap check passes
 * and the exact count in the band decides. */
#define T0 (1794960000000LL + 7550000LL)

static int setup(void **state)
{
    return rfx_setup(state, "structuring", RFX_BANK_BY_SIDE);
}

/* Amounts in minor units around the default threshold of 50,000.00 CNY
 * with a 10% band: [45,000.00, 50,000.00). */
#define THRESHOLD 5000000LL
#define FLOOR     4500000LL

/* `who` sends (out) or receives (!out) one transfer of `amount` per entry of
 * `amounts` with distinct counterparties <who>-P1.., at `times` from T0; ids
 * <who>-1... Returns the requests of the last one. */
static int series(rfx *f, const char *who, int out, const int64_t *amounts, const int64_t *times,
                  int n)
{
    char id[32], peer[32];
    int last = 0;
    for (int i = 0; i < n; i++) {
        snprintf(id, sizeof(id), "%s-%d", who, i + 1);
        snprintf(peer, sizeof(peer), "%s-P%d", who, i + 1);
        last = rfx_send(f, id, out ? who : peer, out ? peer : who, amounts[i], T0 + times[i]);
        if (i < n - 1)
            assert_int_equal(last, 0);
    }
    return last;
}

static const int64_t five[] = {4900000, 4850000, 4700000, FLOOR, THRESHOLD - 1};
static const int64_t spread[] = {0, 8 * HOUR_MS, 20 * HOUR_MS, 30 * HOUR_MS, 40 * HOUR_MS};

/* Five transfers just under the threshold within two days, each to someone
 * else. Defaults: 50,000.00 CNY, 10% band, 5 transfers, 3 days. */
static void test_sender_splitting_under_threshold(void **state)
{
    rfx *f = *state;
    assert_int_equal(series(f, "SMURF", 1, five, spread, 5), 1);
    assert_int_equal(f->hits[f->slot], 1);

    const ix_request *q = &f->req[0];
    assert_string_equal(q->account, "SMURF");
    assert_string_equal(q->bank, "BKCHCNBJ");
    assert_int_equal(q->action, IX_ACTION_HOLD);
    assert_int_equal(q->score, 60);
    assert_string_equal(q->trigger_id, "SMURF-5");
    assert_int_equal(q->nfindings, 1);
    const ix_finding *fd = &q->findings[0];
    assert_string_equal(fd->rule, "structuring");
    assert_string_equal(fd->code, "ST01");
    assert_int_equal(fd->score, 60);
    assert_int_equal(fd->amount, 4900000 + 4850000 + 4700000 + FLOOR + THRESHOLD - 1);
    assert_int_equal(fd->nfigures, 2);
    assert_figure(fd, 0, "count_under_threshold", 5, 5);
    assert_figure(fd, 1, "largest_amount", THRESHOLD - 1, THRESHOLD);
    assert_int_equal(fd->nevidence, 5);
    for (int i = 0; i < 5; i++) {
        char id[16], to[16];
        snprintf(id, sizeof(id), "SMURF-%d", i + 1);
        snprintf(to, sizeof(to), "SMURF-P%d", i + 1);
        assert_string_equal(fd->evidence[i].transfer_id, id);
        assert_string_equal(fd->evidence[i].from_account, "SMURF");
        assert_string_equal(fd->evidence[i].to_account, to);
        assert_int_equal(fd->evidence[i].amount, five[i]);
        assert_int_equal(fd->evidence[i].time_ms, T0 + spread[i]);
    }
    assert_int_equal(fd->npath, 6);
    assert_string_equal(fd->path[0], "SMURF");
    assert_string_equal(fd->path[5], "SMURF-P5");
}

/* The same on the receiving side: ST02 on the receiver, senders first. */
static void test_receiver_collecting_under_threshold(void **state)
{
    rfx *f = *state;
    assert_int_equal(series(f, "SINK", 0, five, spread, 5), 1);
    const ix_request *q = &f->req[0];
    assert_string_equal(q->account, "SINK");
    assert_string_equal(q->bank, "ICBKCNBJ");
    assert_int_equal(q->action, IX_ACTION_HOLD);
    assert_int_equal(q->score, 60);
    const ix_finding *fd = &q->findings[0];
    assert_string_equal(fd->code, "ST02");
    assert_figure(fd, 0, "count_under_threshold", 5, 5);
    assert_int_equal(fd->nevidence, 5);
    assert_string_equal(fd->evidence[4].transfer_id, "SINK-5");
    assert_int_equal(fd->npath, 6);
    assert_string_equal(fd->path[0], "SINK-P1");
    assert_string_equal(fd->path[5], "SINK");
}

/* One transfer can complete both sides' series: two requests. */
static void test_both_sides_at_once(void **state)
{
    rfx *f = *state;
    assert_int_equal(series(f, "A", 1, five, spread, 4), 0);
    assert_int_equal(series(f, "B", 0, five, spread, 4), 0);
    assert_int_equal(rfx_send(f, "AB", "A", "B", 4800000, T0 + 2 * DAY_MS), 2);
    assert_string_equal(f->req[0].account, "A");
    assert_string_equal(f->req[0].findings[0].code, "ST01");
    assert_string_equal(f->req[1].account, "B");
    assert_string_equal(f->req[1].findings[0].code, "ST02");
    assert_int_equal(f->hits[f->slot], 2);
}

/* An amount at the threshold is reported, so it is not under it; one below
 * the band is not "just under". Neither counts toward the five. */
static void test_band_edges(void **state)
{
    rfx *f = *state;
    const int64_t at[] = {THRESHOLD, 4900000, 4850000, 4700000, FLOOR};
    const int64_t below[] = {FLOOR - 1, 4900000, 4850000, 4700000, FLOOR};
    assert_int_equal(series(f, "AT", 1, at, spread, 5), 0);
    assert_int_equal(series(f, "BELOW", 1, below, spread, 5), 0);
    assert_int_equal(f->hits[f->slot], 0);
}

/* The interval is closed: a transfer exactly one window (set to 3 days) before counts; one
 * minute earlier it does not. */
static void test_window_edge(void **state)
{
    rfx *f = *state;
    char errstr[256];
    assert_int_equal(cfg_set(&f->c, "rules.structuring.window", "3d", errstr, sizeof(errstr)), 0);
    const int64_t edge[] = {0, HOUR_MS, 2 * HOUR_MS, 3 * HOUR_MS, 3 * DAY_MS};
    const int64_t late[] = {0, HOUR_MS, 2 * HOUR_MS, 3 * HOUR_MS, 3 * DAY_MS + MIN_MS};
    assert_int_equal(series(f, "EDGE", 1, five, edge, 5), 1);
    assert_int_equal(series(f, "LATE", 1, five, late, 5), 0);
    assert_int_equal(f->hits[f->slot], 1);
}

/* The default threshold is a person's: businesses and merchants are exempt,
 * on either side. */
static void test_businesses_and_merchants_exempt(void **state)
{
    rfx *f = *state;
    rfx_profile(f, "FIRM", IX_HOLDER_BUSINESS);
    rfx_profile(f, "STORE", IX_HOLDER_MERCHANT);
    assert_int_equal(series(f, "FIRM", 1, five, spread, 5), 0);
    assert_int_equal(series(f, "STORE", 0, five, spread, 5), 0);
    assert_int_equal(f->hits[f->slot], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sender_splitting_under_threshold, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_receiver_collecting_under_threshold, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_both_sides_at_once, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_band_edges, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_window_edge, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_businesses_and_merchants_exempt, setup, rfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
