/* test_rules.c - the rule engine and the watch-list rule on a real graph. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rule_fixture.h"

#define T0 1795000000000LL /* 2026-11-19T..., any fixed event time */

static int setup(void **state)
{
    return rfx_setup(state, NULL, RFX_BANK_BY_SIDE);
}

static void test_payment_into_listed_account(void **state)
{
    rfx *f = *state;
    rfx_watch(f, "MULE1");
    assert_int_equal(rfx_send(f, "T1", "VICTIM1", "MULE1", 250000, T0), 1);

    ix_request *q = &f->req[0];
    char id[40];
    rules_request_id("MULE1", "T1", f->c.rule_set, id, sizeof(id));
    assert_string_equal(q->id, id);
    assert_string_equal(q->account, "MULE1");
    assert_string_equal(q->bank, "ICBKCNBJ"); /* the receiving side's bank */
    assert_int_equal(q->action, IX_ACTION_FREEZE);
    assert_int_equal(q->score, 100);
    assert_string_equal(q->trigger_id, "T1");
    assert_int_equal(q->trigger_amount, 250000);
    assert_int_equal(q->trigger_time_ms, T0);
    assert_int_equal(q->detected_at_ms, T0 + 5);
    assert_int_equal(q->nfindings, 1);
    const ix_finding *fd = &q->findings[0];
    assert_string_equal(fd->rule, "watchlist_counterparty");
    assert_string_equal(fd->code, "WL01");
    assert_int_equal(fd->amount, 250000);
    assert_int_equal(fd->npath, 2);
    assert_string_equal(fd->path[0], "VICTIM1");
    assert_string_equal(fd->path[1], "MULE1");
    assert_int_equal(fd->nevidence, 1);
    assert_string_equal(fd->evidence[0].transfer_id, "T1");
}

static void test_payment_out_of_listed_account(void **state)
{
    rfx *f = *state;
    rfx_watch(f, "MULE2");
    assert_int_equal(rfx_send(f, "T2", "MULE2", "CASHOUT", 990000, T0), 1);
    assert_string_equal(f->req[0].account, "MULE2");
    assert_string_equal(f->req[0].bank, "BKCHCNBJ");
    assert_string_equal(f->req[0].findings[0].code, "WL02");
}

static void test_both_sides_listed_gives_two_requests(void **state)
{
    rfx *f = *state;
    rfx_watch(f, "MULE3");
    rfx_watch(f, "MULE4");
    assert_int_equal(rfx_send(f, "T3", "MULE3", "MULE4", 1000, T0), 2);
    assert_string_equal(f->req[0].account, "MULE4");
    assert_string_equal(f->req[1].account, "MULE3");
}

static void test_unlisted_accounts_raise_nothing(void **state)
{
    rfx *f = *state;
    rfx_watch(f, "MULE5");
    assert_int_equal(rfx_send(f, "T4", "ALICE", "BOB", 1000, T0), 0);
}

static void test_repeat_within_cooldown_suppressed(void **state)
{
    rfx *f = *state;
    rfx_watch(f, "MULE6");
    int64_t cooldown = f->c.incident_cooldown_ms;
    assert_int_equal(rfx_send(f, "T5", "V1", "MULE6", 1000, T0), 1);
    /* one millisecond inside the cooldown */
    assert_int_equal(rfx_send(f, "T6", "V2", "MULE6", 2000, T0 + cooldown - 1), 0);
    /* the cooldown has passed: a new incident */
    assert_int_equal(rfx_send(f, "T7", "V3", "MULE6", 3000, T0 + cooldown), 1);
    assert_string_equal(f->req[0].trigger_id, "T7");
}

static void test_delisted_account_raises_nothing(void **state)
{
    rfx *f = *state;
    char errstr[256];
    rfx_watch(f, "MULE7");
    assert_int_equal(graph_del_watch(f->g, "MULE7", NULL, errstr, sizeof(errstr)), 0);
    assert_int_equal(rfx_send(f, "T8", "V1", "MULE7", 1000, T0), 0);
}

static void test_disabled_rule_raises_nothing(void **state)
{
    rfx *f = *state;
    char errstr[256];
    assert_int_equal(cfg_set(&f->c, "rules.watchlist.enabled", "false", errstr, sizeof(errstr)), 0);
    rfx_watch(f, "MULE8");
    assert_int_equal(rfx_send(f, "T9", "V1", "MULE8", 1000, T0), 0);
}

static void test_score_maps_to_action(void **state)
{
    rfx *f = *state;
    char errstr[256];
    /* Defaults: review 20, hold 50, freeze 80. */
    assert_int_equal(rules_action_for(f->r, 19), IX_ACTION_NONE);
    assert_int_equal(rules_action_for(f->r, 20), IX_ACTION_REVIEW);
    assert_int_equal(rules_action_for(f->r, 49), IX_ACTION_REVIEW);
    assert_int_equal(rules_action_for(f->r, 50), IX_ACTION_HOLD);
    assert_int_equal(rules_action_for(f->r, 79), IX_ACTION_HOLD);
    assert_int_equal(rules_action_for(f->r, 80), IX_ACTION_FREEZE);
    /* A watch-list score of 60 asks for a HOLD, not a FREEZE. */
    assert_int_equal(cfg_set(&f->c, "rules.watchlist.score", "60", errstr, sizeof(errstr)), 0);
    rfx_watch(f, "MULE9");
    assert_int_equal(rfx_send(f, "T10", "V1", "MULE9", 1000, T0), 1);
    assert_int_equal(f->req[0].action, IX_ACTION_HOLD);
    assert_int_equal(f->req[0].score, 60);
}

static void test_escalation_within_cooldown_is_sent(void **state)
{
    rfx *f = *state;
    char errstr[256];
    assert_int_equal(cfg_set(&f->c, "rules.watchlist.score", "60", errstr, sizeof(errstr)), 0);
    rfx_watch(f, "MULE10");
    assert_int_equal(rfx_send(f, "T11", "V1", "MULE10", 1000, T0), 1);
    assert_int_equal(f->req[0].action, IX_ACTION_HOLD);
    assert_int_equal(cfg_set(&f->c, "rules.watchlist.score", "90", errstr, sizeof(errstr)), 0);
    assert_int_equal(rfx_send(f, "T12", "V2", "MULE10", 1000, T0 + 60000), 1);
    assert_int_equal(f->req[0].action, IX_ACTION_FREEZE);
    /* FREEZE again: a repeat */
    assert_int_equal(rfx_send(f, "T13", "V3", "MULE10", 1000, T0 + 120000), 0);
}

static void test_request_id_is_deterministic_and_separated(void **state)
{
    (void)state;
    char a[40], b[40], c[40];
    rules_request_id("AB", "C", "r1", a, sizeof(a));
    rules_request_id("AB", "C", "r1", b, sizeof(b));
    rules_request_id("A", "BC", "r1", c, sizeof(c));
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_int_equal(strlen(a), 19); /* "fr-" + 16 hex digits */
    assert_memory_equal(a, "fr-", 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_payment_into_listed_account, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_payment_out_of_listed_account, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_both_sides_listed_gives_two_requests, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_unlisted_accounts_raise_nothing, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_repeat_within_cooldown_suppressed, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_delisted_account_raises_nothing, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_disabled_rule_raises_nothing, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_score_maps_to_action, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_escalation_within_cooldown_is_sent, setup,
                                        rfx_teardown),
        cmocka_unit_test(test_request_id_is_deterministic_and_separated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
