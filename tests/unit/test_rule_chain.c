/* test_rule_chain.c - the layering chain rule on a real graph: chains that
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
    return rfx_setup(state, "chain", RFX_BANK_BY_ACCOUNT);
}

/* A -> B -> C -> D -> E, 10 minutes a hop, 95% a hop: the fourth hop flags
 * B, C and D, each with the whole chain. */
static void test_four_hops_flag_the_intermediaries(void **state)
{
    rfx *f = *state;
    assert_int_equal(rfx_send(f, "T1", "A", "B", 10000000, T0), 0);
    assert_int_equal(rfx_send(f, "T2", "B", "C", 9500000, T0 + 10 * MIN), 0);
    assert_int_equal(rfx_send(f, "T3", "C", "D", 9025000, T0 + 20 * MIN),
                     0); /* 3 hops: too short */
    assert_int_equal(rfx_send(f, "T4", "D", "E", 8573750, T0 + 30 * MIN), 4);

    const char *who[] = {"B", "C", "D"};
    const int64_t passed[] = {9500000, 9025000, 8573750};
    const char *ids[] = {"T1", "T2", "T3", "T4"};
    const char *path[] = {"A", "B", "C", "D", "E"};
    for (int i = 0; i < 3; i++) {
        const ix_request *q = &f->req[i];
        assert_string_equal(q->account, who[i]);
        char bank[16];
        snprintf(bank, sizeof(bank), "BANK%s", who[i]);
        assert_string_equal(q->bank, bank);
        assert_int_equal(q->action, IX_ACTION_HOLD); /* score 60 */
        assert_int_equal(q->score, 60);
        assert_string_equal(q->trigger_id, "T4");
        assert_int_equal(q->nfindings, 1);
        const ix_finding *fd = &q->findings[0];
        assert_string_equal(fd->rule, "chain");
        assert_string_equal(fd->code, "CH01");
        assert_int_equal(fd->score, 60);
        assert_int_equal(fd->amount, passed[i]);
        assert_int_equal(fd->nfigures, 3);
        assert_figure(fd, 0, "hops", 4, 4);
        assert_figure(fd, 1, "min_conserved_pct", 95, 90);
        assert_figure(fd, 2, "longest_gap_minutes", 10, 7 * 24 * 60);
        assert_int_equal(fd->npath, 5);
        for (int k = 0; k < 5; k++)
            assert_string_equal(fd->path[k], path[k]);
        assert_int_equal(fd->nevidence, 4);
        for (int k = 0; k < 4; k++) {
            assert_string_equal(fd->evidence[k].transfer_id, ids[k]);
            assert_string_equal(fd->evidence[k].from_account, path[k]);
            assert_string_equal(fd->evidence[k].to_account, path[k + 1]);
            assert_int_equal(fd->evidence[k].time_ms, T0 + k * 10 * MIN);
        }
        assert_int_equal(fd->evidence[3].amount, 8573750);
    }
    /* E, the end of the chain, holds the money: CH02, with the whole chain. */
    const ix_request *end = &f->req[3];
    assert_string_equal(end->account, "E");
    assert_int_equal(end->action, IX_ACTION_HOLD);
    assert_string_equal(end->findings[0].code, "CH02");
    assert_int_equal(end->findings[0].amount, 8573750);
    assert_int_equal(end->findings[0].npath, 5);
    assert_int_equal(end->findings[0].nevidence, 4);
}

/* A fifth hop extends the chain: E, already flagged as its end, is inside
 * its incident's cooldown, and so are the others; F, the new end, is flagged. */
static void test_longer_chain_flags_the_new_intermediary(void **state)
{
    rfx *f = *state;
    rfx_send(f, "T1", "A", "B", 10000000, T0);
    rfx_send(f, "T2", "B", "C", 9900000, T0 + 10 * MIN);
    rfx_send(f, "T3", "C", "D", 9800000, T0 + 20 * MIN);
    assert_int_equal(rfx_send(f, "T4", "D", "E", 9700000, T0 + 30 * MIN), 4);
    assert_int_equal(rfx_send(f, "T5", "E", "F", 9600000, T0 + 40 * MIN), 1);
    assert_string_equal(f->req[0].account, "F");
    assert_string_equal(f->req[0].findings[0].code, "CH02");
    assert_figure(&f->req[0].findings[0], 0, "hops", 5, 4);
    assert_int_equal(f->req[0].findings[0].npath, 6);
}

/* Three hops are one too few, whatever follows elsewhere. */
static void test_three_hops_do_not_fire(void **state)
{
    rfx *f = *state;
    assert_int_equal(rfx_send(f, "T1", "A", "B", 10000000, T0), 0);
    assert_int_equal(rfx_send(f, "T2", "B", "C", 9500000, T0 + 10 * MIN), 0);
    assert_int_equal(rfx_send(f, "T3", "C", "D", 9025000, T0 + 20 * MIN), 0);
    assert_int_equal(rfx_send(f, "T4", "X", "Y", 8573750, T0 + 30 * MIN), 0); /* unrelated */
}

/* A gap of exactly max.gap still chains; one minute more breaks it. */
static void test_gap_at_the_bound_and_one_minute_over(void **state)
{
    rfx *f = *state;
    char errstr[256];
    int64_t gap = 3 * DAY;
    assert_int_equal(cfg_set(&f->c, "rules.chain.max.gap", "3d", errstr, sizeof(errstr)), 0);
    rfx_send(f, "T1", "A", "B", 10000000, T0);
    rfx_send(f, "T2", "B", "C", 9500000, T0 + gap);
    rfx_send(f, "T3", "C", "D", 9025000, T0 + gap + 10 * MIN);
    assert_int_equal(rfx_send(f, "T4", "D", "E", 8573750, T0 + gap + 20 * MIN), 4);
    assert_figure(&f->req[0].findings[0], 2, "longest_gap_minutes", gap / MIN, gap / MIN);

    rfx_send(f, "U1", "P", "Q", 10000000, T0);
    rfx_send(f, "U2", "Q", "R", 9500000, T0 + gap + MIN); /* one minute too late */
    rfx_send(f, "U3", "R", "S", 9025000, T0 + gap + 10 * MIN);
    assert_int_equal(rfx_send(f, "U4", "S", "W", 8573750, T0 + gap + 20 * MIN), 0);
}

/* Each hop must carry at least conserve percent: exactly 90% chains, one
 * percent less on one hop does not. */
static void test_conservation_at_the_bound_and_one_percent_under(void **state)
{
    rfx *f = *state;
    rfx_send(f, "T1", "A", "B", 10000000, T0);
    rfx_send(f, "T2", "B", "C", 9000000, T0 + 10 * MIN); /* exactly 90% */
    rfx_send(f, "T3", "C", "D", 8100000, T0 + 20 * MIN);
    assert_int_equal(rfx_send(f, "T4", "D", "E", 7290000, T0 + 30 * MIN), 4);
    assert_figure(&f->req[0].findings[0], 1, "min_conserved_pct", 90, 90);

    rfx_send(f, "U1", "P", "Q", 10000000, T0);
    rfx_send(f, "U2", "Q", "R", 9500000, T0 + 10 * MIN);
    rfx_send(f, "U3", "R", "S", 8455000, T0 + 20 * MIN); /* 89% of 9500000 */
    assert_int_equal(rfx_send(f, "U4", "S", "W", 8032250, T0 + 30 * MIN), 0);
}

/* More than the previous hop carried is not the same money passed on. */
static void test_growing_amount_breaks_the_chain(void **state)
{
    rfx *f = *state;
    rfx_send(f, "T1", "A", "B", 10000000, T0);
    rfx_send(f, "T2", "B", "C", 10000010, T0 + 10 * MIN);
    rfx_send(f, "T3", "C", "D", 9500000, T0 + 20 * MIN);
    assert_int_equal(rfx_send(f, "T4", "D", "E", 9000000, T0 + 30 * MIN), 0);
}

/* Organised layering: hops two days apart fire with the defaults. */
static void test_slow_chain_fires_with_defaults(void **state)
{
    rfx *f = *state;
    rfx_send(f, "T1", "A", "B", 50000000, T0);
    rfx_send(f, "T2", "B", "C", 49000000, T0 + 2 * DAY);
    rfx_send(f, "T3", "C", "D", 48000000, T0 + 4 * DAY);
    assert_int_equal(rfx_send(f, "T4", "D", "E", 47000000, T0 + 6 * DAY), 4);
    assert_figure(&f->req[1].findings[0], 2, "longest_gap_minutes", 2 * 24 * 60, 7 * 24 * 60);
}

/* Money that waited and a hop that left before the money arrived do not chain. */
static void test_hop_before_the_money_arrived(void **state)
{
    rfx *f = *state;
    rfx_send(f, "T1", "B", "C", 9500000, T0); /* B pays before it is paid */
    rfx_send(f, "T2", "A", "B", 10000000, T0 + 10 * MIN);
    rfx_send(f, "T3", "C", "D", 9025000, T0 + 20 * MIN);
    assert_int_equal(rfx_send(f, "T4", "D", "E", 8573750, T0 + 30 * MIN), 0);
}

/* A chain that comes back into its receiver is a cycle, not a chain. */
static void test_chain_back_into_the_receiver_is_not_followed(void **state)
{
    rfx *f = *state;
    rfx_send(f, "T1", "E", "B", 10000000, T0);
    rfx_send(f, "T2", "B", "C", 9500000, T0 + 10 * MIN);
    rfx_send(f, "T3", "C", "D", 9025000, T0 + 20 * MIN);
    assert_int_equal(rfx_send(f, "T4", "D", "E", 8573750, T0 + 30 * MIN), 0);
}

/* Below rules.passthrough.min.amount (10,000.00) a hop is small change:
 * the newest hop must reach it, and every earlier one carries at least as much. */
static void test_small_change_is_not_followed(void **state)
{
    rfx *f = *state;
    rfx_send(f, "T1", "A", "B", 1100000, T0);
    rfx_send(f, "T2", "B", "C", 1080000, T0 + 10 * MIN);
    rfx_send(f, "T3", "C", "D", 1050000, T0 + 20 * MIN);
    assert_int_equal(rfx_send(f, "T4", "D", "E", 999999, T0 + 30 * MIN), 0);

    rfx_send(f, "U1", "P", "Q", 1100000, T0);
    rfx_send(f, "U2", "Q", "R", 1080000, T0 + 10 * MIN);
    rfx_send(f, "U3", "R", "S", 1050000, T0 + 20 * MIN);
    assert_int_equal(rfx_send(f, "U4", "S", "W", 1000000, T0 + 30 * MIN), 4);
}

/* Businesses and merchants pass money on as their trade: no chain runs
 * through one, but one can start a chain. */
static void test_no_chain_through_a_business(void **state)
{
    rfx *f = *state;
    rfx_profile(f, "C", IX_HOLDER_BUSINESS);
    rfx_send(f, "T1", "A", "B", 10000000, T0);
    rfx_send(f, "T2", "B", "C", 9500000, T0 + 10 * MIN);
    rfx_send(f, "T3", "C", "D", 9025000, T0 + 20 * MIN);
    assert_int_equal(rfx_send(f, "T4", "D", "E", 8573750, T0 + 30 * MIN), 0);
    assert_int_equal(rfx_send(f, "T5", "E", "F", 8500000, T0 + 40 * MIN), 0); /* C..F: 3 hops */

    rfx_profile(f, "P", IX_HOLDER_MERCHANT);
    rfx_send(f, "U1", "P", "Q", 10000000, T0);
    rfx_send(f, "U2", "Q", "R", 9500000, T0 + 10 * MIN);
    rfx_send(f, "U3", "R", "S", 9025000, T0 + 20 * MIN);
    assert_int_equal(rfx_send(f, "U4", "S", "W", 8573750, T0 + 30 * MIN),
                     4); /* P is the origin; W the end */

    rfx_profile(f, "Z", IX_HOLDER_BUSINESS); /* the newest hop's sender */
    rfx_send(f, "V1", "I", "J", 10000000, T0);
    rfx_send(f, "V2", "J", "K", 9500000, T0 + 10 * MIN);
    rfx_send(f, "V3", "K", "Z", 9025000, T0 + 20 * MIN);
    assert_int_equal(rfx_send(f, "V4", "Z", "L", 8573750, T0 + 30 * MIN), 0);

    /* A chain that ends by paying a shop: the intermediaries, not the shop. */
    rfx_profile(f, "SHOP", IX_HOLDER_MERCHANT);
    rfx_send(f, "W1", "M", "N", 10000000, T0);
    rfx_send(f, "W2", "N", "O", 9500000, T0 + 10 * MIN);
    rfx_send(f, "W3", "O", "P2", 9025000, T0 + 20 * MIN);
    assert_int_equal(rfx_send(f, "W4", "P2", "SHOP", 8573750, T0 + 30 * MIN), 3);
    for (int i = 0; i < 3; i++)
        assert_string_equal(f->req[i].findings[0].code, "CH01");
}

/* HOT has 3000 senders in the last hour, each paid by two more: the search
 * reads at most max.flows of HOT's transfers, keeps max.edges hops per
 * account and visits max.visits accounts, then stops without a false hit. */
static void test_hot_account_stays_within_bounds(void **state)
{
    rfx *f = *state;
    char errstr[256], id[32], s[32], u[32];
    assert_int_equal(cfg_set(&f->c, "rules.search.max.visits", "600", errstr, sizeof(errstr)), 0);
    assert_int_equal(cfg_set(&f->c, "rules.search.max.edges", "200", errstr, sizeof(errstr)), 0);
    assert_int_equal(cfg_set(&f->c, "rules.chain.conserve", "90", errstr, sizeof(errstr)), 0);
    assert_int_equal(cfg_set(&f->c, "rules.chain.max.gap", "3d", errstr, sizeof(errstr)), 0);
    for (int i = 0; i < 3000; i++) {
        if (i % 250 == 0) /* as the pipeline checkpoints every commit interval */
            assert_int_equal(graph_checkpoint(f->g, NULL, 0, errstr, sizeof(errstr)), 0);
        snprintf(s, sizeof(s), "S%05d", i);
        for (int k = 0; k < 2; k++) {
            snprintf(u, sizeof(u), "U%05d-%d", i, k);
            snprintf(id, sizeof(id), "P%05d-%d", i, k);
            rfx_send(f, id, u, s, 10000000, T0 + i * 1000 + k);
        }
        snprintf(id, sizeof(id), "H%05d", i);
        rfx_send(f, id, s, "HOT", 9900000, T0 + 3600000 + i * 100);
    }
    /* From the store, as a screener reads an account written at a checkpoint. */
    assert_int_equal(graph_checkpoint(f->g, NULL, 0, errstr, sizeof(errstr)), 0);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(rfx_send(f, "OUT", "HOT", "Y", 9800000, T0 + 2 * 3600000), 0);
    double took = rfx_seconds_since(&t0);

    hop_search hs = {.g = f->g,
                     .root = "HOT",
                     .root_time_ms = T0 + 2 * 3600000,
                     .root_amount = 9800000,
                     .conserve_pct = 90,
                     .max_gap_ms = 3 * DAY,
                     .max_depth = 15,
                     .avoid = "Y",
                     .max_flows = (int)f->c.search_max_flows,
                     .max_edges = (int)f->c.search_max_edges,
                     .max_visits = (int)f->c.search_max_visits};
    assert_int_equal(hop_search_run(&hs, errstr, sizeof(errstr)), 0);
    assert_true(hs.truncated);
    assert_true(hs.visits <= 600);
    assert_true(hs.n <= 601);
    /* HOT's children: the first 200 of the 256 read; the rest of the budget
     * goes to their senders, two each. */
    int depth1 = 0;
    for (int i = 0; i < hs.n; i++)
        depth1 += hs.nodes[i].depth == 1;
    assert_int_equal(depth1, 200);
    assert_int_equal(hs.n, 601);
    hop_search_free(&hs);
    print_message("chain search on an account with 3000 senders: %.2f ms\n", took * 1e3);
    assert_true(took < 2.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_four_hops_flag_the_intermediaries, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_longer_chain_flags_the_new_intermediary, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_three_hops_do_not_fire, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_gap_at_the_bound_and_one_minute_over, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_conservation_at_the_bound_and_one_percent_under, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_growing_amount_breaks_the_chain, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_slow_chain_fires_with_defaults, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_hop_before_the_money_arrived, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_chain_back_into_the_receiver_is_not_followed, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_small_change_is_not_followed, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_no_chain_through_a_business, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_hot_account_stays_within_bounds, setup, rfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
