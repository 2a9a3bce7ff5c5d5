/* test_rule_scattergather.c - the scatter-gather rule on a real graph:
 * gatherings that must fire, near misses that must not, and the bounds. */
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
    return rfx_setup(state, "scattergather", RFX_BANK_BY_ACCOUNT);
}

/* S splits money over `paths` intermediaries M1.. (10 minutes apart, from
 * `start`), each forwarding `keep` per mille of it to C an hour apart from
 * start + 1h; `last_at`, when not 0, moves the last forward. Returns the
 * requests of the last forward; the earlier ones must raise nothing. */
static int gather(rfx *f, const char *tag, int paths, int keep, int64_t start, int64_t last_at)
{
    char id[16], m[16], sink[16], src[16];
    snprintf(src, sizeof(src), "%sS", tag);
    snprintf(sink, sizeof(sink), "%sC", tag);
    for (int k = 0; k < paths; k++) {
        snprintf(id, sizeof(id), "%sG%d", tag, k + 1);
        snprintf(m, sizeof(m), "%sM%d", tag, k + 1);
        assert_int_equal(rfx_send(f, id, src, m, 1000000, start + k * 10 * MIN), 0);
    }
    int n = 0;
    for (int k = 0; k < paths; k++) {
        snprintf(id, sizeof(id), "%sF%d", tag, k + 1);
        snprintf(m, sizeof(m), "%sM%d", tag, k + 1);
        int64_t at = k == paths - 1 && last_at ? last_at : start + (k + 1) * 60 * MIN;
        n = rfx_send(f, id, m, sink, 1000000 * (keep > 0 ? keep : 950) / 1000, at);
        if (k < paths - 1)
            assert_int_equal(n, 0);
    }
    return n;
}

/* Four intermediaries each pass 95% on within four hours: the sink and
 * every intermediary are flagged. */
static void test_four_paths_flag_sink_and_intermediaries(void **state)
{
    rfx *f = *state;
    assert_int_equal(gather(f, "", 4, 950, T0, 0), 5);

    const ix_request *q = &f->req[0];
    assert_string_equal(q->account, "C");
    assert_string_equal(q->bank, "BANKC");
    assert_int_equal(q->action, IX_ACTION_HOLD); /* score 70 */
    assert_int_equal(q->score, 70);
    assert_string_equal(q->trigger_id, "F4");
    assert_int_equal(q->nfindings, 1);
    const ix_finding *fd = &q->findings[0];
    assert_string_equal(fd->rule, "scattergather");
    assert_string_equal(fd->code, "SG01");
    assert_int_equal(fd->score, 70);
    assert_int_equal(fd->amount, 4 * 950000);
    assert_int_equal(fd->nfigures, 3);
    assert_figure(fd, 0, "paths", 4, 4);
    assert_figure(fd, 1, "min_conserved_pct", 95, 50);
    assert_figure(fd, 2, "span_minutes", 240, 7 * 24 * 60);
    const char *path[] = {"S", "M1", "M2", "M3", "M4", "C"};
    assert_int_equal(fd->npath, 6);
    for (int k = 0; k < 6; k++)
        assert_string_equal(fd->path[k], path[k]);
    assert_int_equal(fd->nevidence, 8);
    for (int k = 0; k < 4; k++) {
        char g[8], fw[8], m[8];
        snprintf(g, sizeof(g), "G%d", k + 1);
        snprintf(fw, sizeof(fw), "F%d", k + 1);
        snprintf(m, sizeof(m), "M%d", k + 1);
        assert_string_equal(fd->evidence[2 * k].transfer_id, g);
        assert_string_equal(fd->evidence[2 * k].from_account, "S");
        assert_string_equal(fd->evidence[2 * k].to_account, m);
        assert_int_equal(fd->evidence[2 * k].amount, 1000000);
        assert_int_equal(fd->evidence[2 * k].time_ms, T0 + k * 10 * MIN);
        assert_string_equal(fd->evidence[2 * k + 1].transfer_id, fw);
        assert_string_equal(fd->evidence[2 * k + 1].from_account, m);
        assert_string_equal(fd->evidence[2 * k + 1].to_account, "C");
        assert_int_equal(fd->evidence[2 * k + 1].amount, 950000);
        assert_int_equal(fd->evidence[2 * k + 1].time_ms, T0 + (k + 1) * 60 * MIN);
    }

    for (int i = 1; i <= 4; i++) {
        char m[8], bank[16], g[8], fw[8];
        snprintf(m, sizeof(m), "M%d", i);
        snprintf(bank, sizeof(bank), "BANKM%d", i);
        snprintf(g, sizeof(g), "G%d", i);
        snprintf(fw, sizeof(fw), "F%d", i);
        q = &f->req[i];
        assert_string_equal(q->account, m);
        assert_string_equal(q->bank, bank);
        assert_int_equal(q->action, IX_ACTION_HOLD);
        assert_int_equal(q->score, 70);
        fd = &q->findings[0];
        assert_string_equal(fd->code, "SG02");
        assert_int_equal(fd->amount, 950000);
        assert_figure(fd, 0, "paths", 4, 4);
        assert_int_equal(fd->npath, 3);
        assert_string_equal(fd->path[0], "S");
        assert_string_equal(fd->path[1], m);
        assert_string_equal(fd->path[2], "C");
        assert_int_equal(fd->nevidence, 2);
        assert_string_equal(fd->evidence[0].transfer_id, g);
        assert_string_equal(fd->evidence[1].transfer_id, fw);
    }
}

static void test_three_paths_are_one_too_few(void **state)
{
    rfx *f = *state;
    assert_int_equal(gather(f, "", 3, 950, T0, 0), 0);
}

/* The split and the gathering within the window: the last forward exactly
 * a window after the first split fires, one minute later does not. */
static void test_span_at_the_window_and_one_minute_over(void **state)
{
    rfx *f = *state;
    char errstr[256];
    int64_t w = 12 * 60 * MIN;
    assert_int_equal(cfg_set(&f->c, "rules.scattergather.window", "12h", errstr, sizeof(errstr)),
                     0);
    assert_int_equal(gather(f, "a", 4, 950, T0, T0 + w), 5);
    assert_figure(&f->req[0].findings[0], 2, "span_minutes", w / MIN, w / MIN);
    assert_int_equal(gather(f, "b", 4, 950, T0, T0 + w + MIN), 0);
}

/* Each intermediary passes on at least conserve percent (set to 90): exactly 90% fires,
 * 89% on one path leaves three. */
static void test_conservation_at_the_bound_and_one_percent_under(void **state)
{
    rfx *f = *state;
    char errstr[256];
    assert_int_equal(cfg_set(&f->c, "rules.scattergather.conserve", "90", errstr, sizeof(errstr)),
                     0);
    assert_int_equal(gather(f, "a", 4, 900, T0, 0), 5);
    assert_figure(&f->req[0].findings[0], 1, "min_conserved_pct", 90, 90);

    char id[8], m[8];
    for (int k = 0; k < 4; k++) {
        snprintf(id, sizeof(id), "bG%d", k + 1);
        snprintf(m, sizeof(m), "bM%d", k + 1);
        rfx_send(f, id, "bS", m, 1000000, T0 + k * 10 * MIN);
    }
    for (int k = 0; k < 4; k++) {
        snprintf(id, sizeof(id), "bF%d", k + 1);
        snprintf(m, sizeof(m), "bM%d", k + 1);
        assert_int_equal(
            rfx_send(f, id, m, "bC", k == 1 ? 890000 : 950000, T0 + (k + 1) * 60 * MIN), 0);
    }
}

/* An intermediary that forwards more than it got from the source mixes in
 * money of its own: not the source's money passed on. */
static void test_forwarding_more_than_received_is_no_path(void **state)
{
    rfx *f = *state;
    char id[8], m[8];
    for (int k = 0; k < 4; k++) {
        snprintf(id, sizeof(id), "G%d", k + 1);
        snprintf(m, sizeof(m), "M%d", k + 1);
        rfx_send(f, id, "S", m, 1000000, T0 + k * 10 * MIN);
    }
    rfx_send(f, "X1", "OTHER", "M2", 500000, T0 + 50 * MIN);
    for (int k = 0; k < 4; k++) {
        snprintf(id, sizeof(id), "F%d", k + 1);
        snprintf(m, sizeof(m), "M%d", k + 1);
        assert_int_equal(
            rfx_send(f, id, m, "C", k == 1 ? 1400000 : 950000, T0 + (k + 1) * 60 * MIN), 0);
    }
}

/* An intermediary that has paid the sink for longer than the window is an
 * old relationship (a sweep into a main account): its path does not count. */
static void test_old_relationship_does_not_count(void **state)
{
    rfx *f = *state;
    rfx_send(f, "OLD", "M1", "C", 10000, T0 - 7 * 24 * 60 * MIN - 60 * MIN);
    assert_int_equal(gather(f, "", 4, 950, T0, 0), 0);
}

/* A forward sent before the source's money arrived is no path. */
static void test_forward_before_the_split_is_no_path(void **state)
{
    rfx *f = *state;
    char id[8], m[8];
    rfx_send(f, "EARLY", "M1", "C", 950000, T0 - MIN);
    rfx_send(f, "FUND", "OTHER", "M1", 950000, T0 - 2 * MIN);
    for (int k = 0; k < 4; k++) {
        snprintf(id, sizeof(id), "G%d", k + 1);
        snprintf(m, sizeof(m), "M%d", k + 1);
        rfx_send(f, id, "S", m, 1000000, T0 + k * 10 * MIN);
    }
    for (int k = 1; k < 4; k++) {
        snprintf(id, sizeof(id), "F%d", k + 1);
        snprintf(m, sizeof(m), "M%d", k + 1);
        assert_int_equal(rfx_send(f, id, m, "C", 950000, T0 + (k + 1) * 60 * MIN), 0);
    }
}

/* People paying a shop with money they were paid is everyday life: a
 * merchant is never a sink. */
static void test_merchant_sink_is_exempt(void **state)
{
    rfx *f = *state;
    rfx_profile(f, "C", IX_HOLDER_MERCHANT);
    assert_int_equal(gather(f, "", 4, 950, T0, 0), 0);
}

/* A business paying its supplier with its customers' money is trade: it is
 * no intermediary. */
static void test_business_intermediary_is_exempt(void **state)
{
    rfx *f = *state;
    rfx_profile(f, "M4", IX_HOLDER_BUSINESS);
    assert_int_equal(gather(f, "", 4, 950, T0, 0), 0);
}

/* A hot sink with 3000 senders, a hot source paying 3000 accounts, and an
 * intermediary paid by 1000 sources: the search reads what its bounds allow,
 * returns promptly and finds no gathering (nobody passes enough on). */
static void test_hot_accounts_stay_within_bounds(void **state)
{
    rfx *f = *state;
    char errstr[256], id[32], a[32];
    assert_int_equal(cfg_set(&f->c, "rules.search.max.visits", "100", errstr, sizeof(errstr)), 0);
    for (int i = 0; i < 3000; i++) {
        if (i % 250 == 0) /* as the pipeline checkpoints every commit interval */
            assert_int_equal(graph_checkpoint(f->g, NULL, 0, errstr, sizeof(errstr)), 0);
        snprintf(a, sizeof(a), "M%05d", i);
        snprintf(id, sizeof(id), "G%05d", i);
        rfx_send(f, id, "SRC", a, 1000000, T0 + i * 10);
        snprintf(id, sizeof(id), "F%05d", i);
        rfx_send(f, id, a, "HOT", 500000, T0 + 3600000 + i * 10); /* 50%: no path */
    }
    for (int i = 0; i < 1000; i++) {
        snprintf(a, sizeof(a), "P%05d", i);
        snprintf(id, sizeof(id), "I%05d", i);
        rfx_send(f, id, a, "MID", 1000000, T0 + i * 10);
    }
    assert_int_equal(graph_checkpoint(f->g, NULL, 0, errstr, sizeof(errstr)), 0);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(rfx_send(f, "LAST", "MID", "HOT", 950000, T0 + 2 * 3600000), 0);
    double took = rfx_seconds_since(&t0);
    print_message("scatter-gather search on a hot sink: %.2f ms\n", took * 1e3);
    assert_true(took < 2.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_four_paths_flag_sink_and_intermediaries, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_three_paths_are_one_too_few, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_span_at_the_window_and_one_minute_over, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_conservation_at_the_bound_and_one_percent_under, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_forwarding_more_than_received_is_no_path, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_old_relationship_does_not_count, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_forward_before_the_split_is_no_path, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_merchant_sink_is_exempt, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_business_intermediary_is_exempt, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_hot_accounts_stay_within_bounds, setup, rfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
