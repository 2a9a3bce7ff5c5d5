/* test_rule_cycle.c - the round-tripping rule on a real graph: cycles that
 * must fire, near misses that must not, and the search's bounds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rule_hops.h"
#include "rule_fixture.h"

#define T0  1795000000000LL /* 2026-11-19T..., any fixed event time */
#define MIN 60000LL
#define DAY 86400000LL

static int setup(void **state)
{
    return rfx_setup(state, "cycle", RFX_BANK_BY_ACCOUNT);
}

/* A -> B -> C -> A within two hours, 97% a hop: A, B and C are flagged. */
static void test_three_hop_cycle_flags_every_account(void **state)
{
    rfx *f = *state;
    assert_int_equal(rfx_send(f, "T1", "A", "B", 10000000, T0), 0);
    assert_int_equal(rfx_send(f, "T2", "B", "C", 9700000, T0 + 60 * MIN), 0);
    assert_int_equal(rfx_send(f, "T3", "C", "A", 9500000, T0 + 120 * MIN), 3);

    const char *who[] = {"A", "B", "C"};
    const int64_t sent[] = {10000000, 9700000, 9500000};
    const char *path[] = {"A", "B", "C", "A"};
    for (int i = 0; i < 3; i++) {
        const ix_request *q = &f->req[i];
        char bank[16];
        snprintf(bank, sizeof(bank), "BANK%s", who[i]);
        assert_string_equal(q->account, who[i]);
        assert_string_equal(q->bank, bank);
        assert_int_equal(q->action, IX_ACTION_FREEZE); /* score 80 */
        assert_int_equal(q->score, 80);
        assert_string_equal(q->trigger_id, "T3");
        assert_int_equal(q->nfindings, 1);
        const ix_finding *fd = &q->findings[0];
        assert_string_equal(fd->rule, "cycle");
        assert_string_equal(fd->code, "CY01");
        assert_int_equal(fd->score, 80);
        assert_int_equal(fd->amount, sent[i]);
        assert_int_equal(fd->nfigures, 3);
        assert_figure(fd, 0, "hops", 3, 6);
        assert_figure(fd, 1, "span_minutes", 120, 14 * 24 * 60);
        assert_figure(fd, 2, "min_conserved_pct", 97, 95);
        assert_int_equal(fd->npath, 4);
        for (int k = 0; k < 4; k++)
            assert_string_equal(fd->path[k], path[k]);
        assert_int_equal(fd->nevidence, 3);
        for (int k = 0; k < 3; k++) {
            char id[8];
            snprintf(id, sizeof(id), "T%d", k + 1);
            assert_string_equal(fd->evidence[k].transfer_id, id);
            assert_string_equal(fd->evidence[k].from_account, path[k]);
            assert_string_equal(fd->evidence[k].to_account, path[k + 1]);
            assert_int_equal(fd->evidence[k].amount, sent[k]);
            assert_int_equal(fd->evidence[k].time_ms, T0 + k * 60 * MIN);
        }
    }
}

/* Send a cycle of `hops` hops over accounts C0..C(hops-1), `gap` apart,
 * each hop keeping `keep` per mille of the previous; returns the requests
 * of the closing hop. */
static int cycle(rfx *f, const char *tag, int hops, int64_t gap, int keep)
{
    char id[16], a[16], b[16];
    int64_t amount = 100000000;
    int n = 0;
    for (int h = 0; h < hops; h++) {
        snprintf(id, sizeof(id), "%s%d", tag, h);
        snprintf(a, sizeof(a), "%s-C%d", tag, h);
        snprintf(b, sizeof(b), "%s-C%d", tag, (h + 1) % hops);
        if (h)
            amount = amount * keep / 1000;
        n = rfx_send(f, id, a, b, amount, T0 + h * gap);
        if (h < hops - 1)
            assert_int_equal(n, 0);
    }
    return n;
}

static void test_longest_cycle_searched_fires_one_longer_does_not(void **state)
{
    rfx *f = *state;
    assert_int_equal(cycle(f, "six", 6, 30 * MIN, 980), 6);
    assert_figure(&f->req[0].findings[0], 0, "hops", 6, 6);
    assert_int_equal(f->req[0].findings[0].npath, 7);
    assert_int_equal(cycle(f, "seven", 7, 30 * MIN, 980), 0);
}

/* A payment and its refund is everyday life, not a cycle. */
static void test_two_hops_are_a_refund(void **state)
{
    rfx *f = *state;
    assert_int_equal(rfx_send(f, "T1", "A", "B", 10000000, T0), 0);
    assert_int_equal(rfx_send(f, "T2", "B", "A", 10000000, T0 + 60 * MIN), 0);
}

/* The whole cycle within the window: exactly at it fires, one minute over does not. */
static void test_span_at_the_window_and_one_minute_over(void **state)
{
    rfx *f = *state;
    char errstr[256];
    int64_t w = 3 * DAY;
    assert_int_equal(cfg_set(&f->c, "rules.cycle.window", "3d", errstr, sizeof(errstr)), 0);
    rfx_send(f, "T1", "A", "B", 10000000, T0);
    rfx_send(f, "T2", "B", "C", 9700000, T0 + DAY);
    assert_int_equal(rfx_send(f, "T3", "C", "A", 9500000, T0 + w), 3);
    assert_figure(&f->req[0].findings[0], 1, "span_minutes", w / MIN, w / MIN);

    rfx_send(f, "U1", "P", "Q", 10000000, T0);
    rfx_send(f, "U2", "Q", "R", 9700000, T0 + DAY);
    assert_int_equal(rfx_send(f, "U3", "R", "P", 9500000, T0 + w + MIN), 0);
}

/* Each hop keeps at least conserve percent: exactly 95% fires, 94% does not. */
static void test_conservation_at_the_bound_and_one_percent_under(void **state)
{
    rfx *f = *state;
    rfx_send(f, "T1", "A", "B", 10000000, T0);
    rfx_send(f, "T2", "B", "C", 9500000, T0 + 60 * MIN);
    assert_int_equal(rfx_send(f, "T3", "C", "A", 9025000, T0 + 120 * MIN), 3);
    assert_figure(&f->req[0].findings[0], 2, "min_conserved_pct", 95, 95);

    rfx_send(f, "U1", "P", "Q", 10000000, T0);
    rfx_send(f, "U2", "Q", "R", 9400000, T0 + 60 * MIN); /* 94% */
    assert_int_equal(rfx_send(f, "U3", "R", "P", 8930000, T0 + 120 * MIN), 0);
}

/* Money that grows on the way round is not the same money coming back. */
static void test_growing_amount_is_no_cycle(void **state)
{
    rfx *f = *state;
    rfx_send(f, "T1", "A", "B", 10000000, T0);
    rfx_send(f, "T2", "B", "C", 10000010, T0 + 60 * MIN);
    assert_int_equal(rfx_send(f, "T3", "C", "A", 9500000, T0 + 120 * MIN), 0);
}

/* Hops out of time order do not carry the money round. */
static void test_hops_out_of_order_are_no_cycle(void **state)
{
    rfx *f = *state;
    rfx_send(f, "T1", "B", "C", 9700000, T0);
    rfx_send(f, "T2", "A", "B", 10000000, T0 + 60 * MIN);
    assert_int_equal(rfx_send(f, "T3", "C", "A", 9500000, T0 + 120 * MIN), 0);
}

/* Below rules.passthrough.min.amount (10,000.00) a hop is small change. */
static void test_small_change_is_not_followed(void **state)
{
    rfx *f = *state;
    rfx_send(f, "T1", "A", "B", 1100000, T0);
    rfx_send(f, "T2", "B", "C", 1050000, T0 + 60 * MIN);
    assert_int_equal(rfx_send(f, "T3", "C", "A", 999999, T0 + 120 * MIN), 0);

    rfx_send(f, "U1", "P", "Q", 1100000, T0);
    rfx_send(f, "U2", "Q", "R", 1050000, T0 + 60 * MIN);
    assert_int_equal(rfx_send(f, "U3", "R", "P", 1000000, T0 + 120 * MIN), 3);
}

/* Businesses and merchants pass money on as their trade: no cycle runs
 * through one. */
static void test_no_cycle_through_a_business(void **state)
{
    rfx *f = *state;
    rfx_profile(f, "B", IX_HOLDER_BUSINESS);
    rfx_send(f, "T1", "A", "B", 10000000, T0);
    rfx_send(f, "T2", "B", "C", 9700000, T0 + 60 * MIN);
    assert_int_equal(rfx_send(f, "T3", "C", "A", 9500000, T0 + 120 * MIN), 0);

    rfx_profile(f, "P", IX_HOLDER_MERCHANT); /* the receiver of the closing hop */
    rfx_send(f, "U1", "P", "Q", 10000000, T0);
    rfx_send(f, "U2", "Q", "R", 9700000, T0 + 60 * MIN);
    assert_int_equal(rfx_send(f, "U3", "R", "P", 9500000, T0 + 120 * MIN), 0);
}

/* HOT has 3000 senders, each paid by two more, and Y paid someone else: the
 * search for a way back to Y stays within its bounds and finds none. */
static void test_hot_account_stays_within_bounds(void **state)
{
    rfx *f = *state;
    char errstr[256], id[32], s[32], u[32];
    assert_int_equal(cfg_set(&f->c, "rules.search.max.visits", "600", errstr, sizeof(errstr)), 0);
    assert_int_equal(cfg_set(&f->c, "rules.search.max.edges", "200", errstr, sizeof(errstr)), 0);
    assert_int_equal(cfg_set(&f->c, "rules.cycle.conserve", "95", errstr, sizeof(errstr)), 0);
    assert_int_equal(cfg_set(&f->c, "rules.cycle.window", "3d", errstr, sizeof(errstr)), 0);
    assert_int_equal(cfg_set(&f->c, "rules.cycle.max.hops", "6", errstr, sizeof(errstr)), 0);
    rfx_send(f, "Y0", "Y", "Z", 10000000, T0);
    for (int i = 0; i < 3000; i++) {
        if (i % 250 == 0) /* as the pipeline checkpoints every commit interval */
            assert_int_equal(graph_checkpoint(f->g, NULL, 0, errstr, sizeof(errstr)), 0);
        snprintf(s, sizeof(s), "S%05d", i);
        for (int k = 0; k < 2; k++) {
            snprintf(u, sizeof(u), "U%05d-%d", i, k);
            snprintf(id, sizeof(id), "P%05d-%d", i, k);
            rfx_send(f, id, u, s, 10000000, T0 + 1000 + i * 1000 + k);
        }
        snprintf(id, sizeof(id), "H%05d", i);
        rfx_send(f, id, s, "HOT", 9900000, T0 + 3600000 + i * 100);
    }
    assert_int_equal(graph_checkpoint(f->g, NULL, 0, errstr, sizeof(errstr)), 0);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(rfx_send(f, "OUT", "HOT", "Y", 9800000, T0 + 2 * 3600000), 0);
    double took = rfx_seconds_since(&t0);

    hop_search hs = {.g = f->g,
                     .root = "HOT",
                     .root_time_ms = T0 + 2 * 3600000,
                     .root_amount = 9800000,
                     .conserve_pct = 95,
                     .max_gap_ms = 3 * DAY,
                     .floor_ms = T0 + 2 * 3600000 - 3 * DAY,
                     .max_depth = 6 - 1,
                     .target = "Y",
                     .min_target_depth = 2,
                     .max_flows = (int)f->c.search_max_flows,
                     .max_edges = (int)f->c.search_max_edges,
                     .max_visits = (int)f->c.search_max_visits};
    assert_int_equal(hop_search_run(&hs, errstr, sizeof(errstr)), 0);
    assert_int_equal(hs.found, -1);
    assert_true(hs.truncated);
    assert_true(hs.visits <= 600);
    assert_true(hs.n <= 601);
    hop_search_free(&hs);
    print_message("cycle search on an account with 3000 senders: %.2f ms\n", took * 1e3);
    assert_true(took < 2.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_three_hop_cycle_flags_every_account, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_longest_cycle_searched_fires_one_longer_does_not,
                                        setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_two_hops_are_a_refund, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_span_at_the_window_and_one_minute_over, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_conservation_at_the_bound_and_one_percent_under, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_growing_amount_is_no_cycle, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_hops_out_of_order_are_no_cycle, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_small_change_is_not_followed, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_no_cycle_through_a_business, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_hot_account_stays_within_bounds, setup, rfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
