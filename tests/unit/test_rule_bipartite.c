/* test_rule_bipartite.c - the bipartite and stack rule on a real graph:
 * layers that must fire, near misses that must not, and the bounds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rule_fixture.h"

#define T0  1795000000000LL /* 2026-11-19T..., any fixed event time */
#define MIN 60000LL
#define DAY 86400000LL

static int setup(void **state)
{
    return rfx_setup(state, "bipartite", RFX_BANK_BY_ACCOUNT);
}

/* Senders <tag>S1.. pay receivers <tag>R1.. (`ns` x `nr`), pair by pair in
 * sender order, 10 minutes apart from `start`, skipping the pairs listed in
 * `skip` ("13" is S1 -> R3). Returns the requests of the last transfer; the
 * earlier ones must raise nothing when `quiet`. */
static int layer(rfx *f, const char *from, const char *to, int ns, int nr, const char *skip,
                 int64_t start, int quiet)
{
    char id[32], s[16], r[16];
    int n = 0, k = 0, total = ns * nr - (int)strlen(skip) / 2;
    for (int i = 1; i <= ns; i++)
        for (int j = 1; j <= nr; j++) {
            char pair[3] = {(char)('0' + i), (char)('0' + j), 0};
            int skipped = 0;
            for (size_t p = 0; p + 1 < strlen(skip); p += 2)
                skipped |= skip[p] == pair[0] && skip[p + 1] == pair[1];
            if (skipped)
                continue;
            snprintf(id, sizeof(id), "%s%s%s", from, to, pair);
            snprintf(s, sizeof(s), "%s%d", from, i);
            snprintf(r, sizeof(r), "%s%d", to, j);
            n = rfx_send(f, id, s, r, 500000, start + k * 10 * MIN);
            if (quiet && ++k < total)
                assert_int_equal(n, 0);
            else if (!quiet)
                k++;
        }
    return n;
}

/* Three senders each paying most of three receivers (8 of 9 pairs): every
 * receiver is flagged, the receiver of the completing transfer first. */
static void test_dense_block_flags_every_receiver(void **state)
{
    rfx *f = *state;
    assert_int_equal(layer(f, "S", "R", 3, 3, "33", T0, 1), 3);

    const char *who[] = {"R2", "R1", "R3"};
    const int64_t got[] = {1500000, 1500000, 1000000};
    for (int i = 0; i < 3; i++) {
        const ix_request *q = &f->req[i];
        char bank[16];
        snprintf(bank, sizeof(bank), "BANK%s", who[i]);
        assert_string_equal(q->account, who[i]);
        assert_string_equal(q->bank, bank);
        assert_int_equal(q->action, IX_ACTION_HOLD); /* score 50 */
        assert_int_equal(q->score, 50);
        assert_string_equal(q->trigger_id, "SR32");
        assert_int_equal(q->nfindings, 1);
        const ix_finding *fd = &q->findings[0];
        assert_string_equal(fd->rule, "bipartite");
        assert_string_equal(fd->code, "BP01");
        assert_int_equal(fd->score, 50);
        assert_int_equal(fd->amount, got[i]);
        assert_int_equal(fd->nfigures, 3);
        assert_figure(fd, 0, "senders", 3, 3);
        assert_figure(fd, 1, "receivers", 3, 3);
        assert_figure(fd, 2, "density_pct", 88, 80);
        assert_int_equal(fd->npath, 4);
        assert_string_equal(fd->path[0], "S1");
        assert_string_equal(fd->path[1], "S2");
        assert_string_equal(fd->path[2], "S3");
        assert_string_equal(fd->path[3], who[i]);
        assert_int_equal(fd->nevidence, 8);
        /* The receiver's own transfers first, then the rest of the block. */
        int own = i == 2 ? 2 : 3;
        for (int k = 0; k < fd->nevidence; k++)
            assert_true((strcmp(fd->evidence[k].to_account, who[i]) == 0) == (k < own));
    }
    const ix_finding *fd = &f->req[0].findings[0];
    assert_string_equal(fd->evidence[0].transfer_id, "SR12");
    assert_string_equal(fd->evidence[1].transfer_id, "SR22");
    assert_string_equal(fd->evidence[2].transfer_id, "SR32");
    assert_string_equal(fd->evidence[3].transfer_id, "SR11");
    assert_string_equal(fd->evidence[3].from_account, "S1");
    assert_string_equal(fd->evidence[3].to_account, "R1");
    assert_int_equal(fd->evidence[3].amount, 500000);
    assert_int_equal(fd->evidence[3].time_ms, T0);
}

static void test_one_receiver_too_few(void **state)
{
    rfx *f = *state;
    assert_int_equal(layer(f, "S", "R", 3, 2, "", T0, 1), 0);
}

/* 7 of 9 pairs is 77%, just under 80%. */
static void test_density_just_below(void **state)
{
    rfx *f = *state;
    assert_int_equal(layer(f, "S", "R", 3, 3, "3323", T0, 1), 0);
}

/* Six senders and six receivers at 29 of 36 pairs (80.5%): the block is
 * dense long before its last pair, and every receiver is flagged on the way,
 * once; no sender is. */
static void test_larger_block_flags_every_receiver_once(void **state)
{
    rfx *f = *state;
    layer(f, "S", "R", 6, 6, "16253443526166", T0, 0);
    assert_int_equal(f->nflagged, 6);
    for (int j = 1; j <= 6; j++) {
        char r[8];
        int seen = 0;
        snprintf(r, sizeof(r), "R%d", j);
        for (int i = 0; i < f->nflagged; i++)
            seen += strcmp(f->flagged[i], r) == 0;
        assert_int_equal(seen, 1);
    }
}

/* A pair paid outside the window does not count. */
static void test_pair_outside_the_window(void **state)
{
    rfx *f = *state;
    char errstr[256];
    assert_int_equal(cfg_set(&f->c, "rules.bipartite.window", "12h", errstr, sizeof(errstr)), 0);
    rfx_send(f, "EARLY", "S1", "R1", 500000, T0 - 12 * 60 * MIN + 60 * MIN - MIN);
    assert_int_equal(layer(f, "S", "R", 3, 3, "3311", T0 + 60 * MIN, 1), 0);
}

/* A pair with a relationship older than the window is not part of a new
 * group: without it, the block is too thin. */
static void test_old_relationship_does_not_count(void **state)
{
    rfx *f = *state;
    char errstr[256];
    assert_int_equal(cfg_set(&f->c, "rules.bipartite.window", "12h", errstr, sizeof(errstr)), 0);
    rfx_send(f, "OLD", "S1", "R1", 10000, T0 - 12 * 60 * MIN - MIN);
    assert_int_equal(layer(f, "S", "R", 3, 3, "33", T0, 1), 0);
}

/* Customers paying the same shops: a merchant is never a receiver. */
static void test_merchant_receivers_are_exempt(void **state)
{
    rfx *f = *state;
    rfx_profile(f, "R3", IX_HOLDER_MERCHANT);
    assert_int_equal(layer(f, "S", "R", 3, 3, "", T0, 1), 0);
}

/* Businesses paying the same suppliers is trade: a business neither
 * completes a block as its sender nor counts as its receiver. */
static void test_business_is_exempt(void **state)
{
    rfx *f = *state;
    rfx_profile(f, "S3", IX_HOLDER_BUSINESS); /* the sender of the completing transfer */
    assert_int_equal(layer(f, "S", "R", 3, 3, "33", T0, 1), 0);
    rfx_profile(f, "bR1", IX_HOLDER_BUSINESS);
    assert_int_equal(layer(f, "bS", "bR", 3, 3, "33", T0, 1), 0);
}

/* Tier 0 pays tier 1 (a layer: BP01 on tier 1), then tier 1 pays tier 2:
 * the second layer stacks on the first, BP02 on tier 2 with a FREEZE. */
static void test_stack_of_two_layers(void **state)
{
    rfx *f = *state;
    assert_int_equal(layer(f, "A", "B", 3, 3, "", T0, 0), 0); /* the 9th pair: a repeat */
    assert_int_equal(f->nflagged, 3);                         /* tier 1, at the 8th pair */
    for (int i = 0; i < 3; i++)
        assert_int_equal(f->flagged[i][0], 'B');
    assert_int_equal(layer(f, "B", "C", 3, 3, "21", T0 + 3 * 60 * MIN, 1), 3);

    const char *who[] = {"C3", "C1", "C2"};
    for (int i = 0; i < 3; i++) {
        const ix_request *q = &f->req[i];
        assert_string_equal(q->account, who[i]);
        assert_int_equal(q->action, IX_ACTION_FREEZE);
        assert_int_equal(q->score, 80);
        const ix_finding *fd = &q->findings[0];
        assert_string_equal(fd->code, "BP02");
        assert_int_equal(fd->score, 80);
        assert_int_equal(fd->nfigures, 4);
        assert_figure(fd, 0, "senders", 3, 3);
        assert_figure(fd, 1, "receivers", 3, 3);
        assert_figure(fd, 2, "density_pct", 88, 80);
        assert_figure(fd, 3, "layers", 2, 2);
        assert_int_equal(fd->npath, 7);
        const char *path[] = {"A1", "A2", "A3", "B1", "B2", "B3"};
        for (int k = 0; k < 6; k++)
            assert_string_equal(fd->path[k], path[k]);
        assert_string_equal(fd->path[6], who[i]);
        /* Both layers: 8 of the newer, then 8 of the 9 of the earlier. */
        assert_int_equal(fd->nevidence, 16);
        for (int k = 0; k < 16; k++)
            assert_int_equal(fd->evidence[k].from_account[0], k < 8 ? 'B' : 'A');
    }
    assert_int_equal(f->nflagged, 6); /* tier 1 pays: it is not flagged again */
}

/* The first layer alone, earlier in the same test: BP01 on tier 1. */
static void test_first_layer_of_a_stack_is_a_layer(void **state)
{
    rfx *f = *state;
    assert_int_equal(layer(f, "A", "B", 3, 3, "33", T0, 1), 3);
    assert_string_equal(f->req[0].findings[0].code, "BP01");
}

/* HOT has 3000 senders, each also paying X: a group with only two
 * receivers, no block. The search reads what its bounds allow (HOT's and
 * X's first 256 senders, each one's payments) and returns promptly. */
static void test_hot_receiver_stays_within_bounds(void **state)
{
    rfx *f = *state;
    char errstr[256], id[32], s[32];
    /* built quickly; searched once, below */
    assert_int_equal(cfg_set(&f->c, "rules.bipartite.enabled", "false", errstr, sizeof(errstr)), 0);
    for (int i = 0; i < 3000; i++) {
        if (i % 250 == 0)
            assert_int_equal(graph_checkpoint(f->g, NULL, 0, errstr, sizeof(errstr)), 0);
        snprintf(s, sizeof(s), "S%05d", i);
        snprintf(id, sizeof(id), "X%05d", i);
        rfx_send(f, id, s, "X", 100000, T0 + i * 10);
        snprintf(id, sizeof(id), "H%05d", i);
        rfx_send(f, id, s, "HOT", 100000, T0 + 60000 + i * 10);
    }
    assert_int_equal(graph_checkpoint(f->g, NULL, 0, errstr, sizeof(errstr)), 0);
    assert_int_equal(cfg_set(&f->c, "rules.bipartite.enabled", "true", errstr, sizeof(errstr)), 0);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(rfx_send(f, "LAST", "S00001", "HOT", 100000, T0 + 60 * MIN), 0);
    double took = rfx_seconds_since(&t0);
    print_message("bipartite search on a receiver with 3000 senders: %.2f ms\n", took * 1e3);
    assert_true(took < 2.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_dense_block_flags_every_receiver, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_one_receiver_too_few, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_density_just_below, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_larger_block_flags_every_receiver_once, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_pair_outside_the_window, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_old_relationship_does_not_count, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_merchant_receivers_are_exempt, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_business_is_exempt, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_stack_of_two_layers, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_first_layer_of_a_stack_is_a_layer, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_hot_receiver_stays_within_bounds, setup, rfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
