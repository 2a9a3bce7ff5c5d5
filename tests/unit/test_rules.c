/* test_rules.c - the rule engine and the watch-list rule on a real graph. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "graph.h"
#include "rules.h"

#define T0 1795000000000LL /* 2026-11-19T..., any fixed event time */

typedef struct fx {
    char dir[64];
    cfg c;
    graph *g;
    rules *r;
    ix_request req[4];
} fx;

static int setup(void **state)
{
    char errstr[512];
    fx *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/ix-rules-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(cfg_init(&f->c, errstr, sizeof(errstr)), 0);
    graph_opts o = {.dir = f->dir, .cache_bytes = 16 << 20, .create = 1};
    assert_int_equal(graph_open(&o, &f->g, errstr, sizeof(errstr)), 0);
    assert_int_equal(rules_create(&f->c, &f->r, errstr, sizeof(errstr)), 0);
    *state = f;
    return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int teardown(void **state)
{
    fx *f = *state;
    rules_destroy(f->r);
    graph_close(f->g);
    cfg_free(&f->c);
    nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

static void watch(fx *f, const char *account)
{
    char errstr[256];
    ix_watch w;
    memset(&w, 0, sizeof(w));
    snprintf(w.account, sizeof(w.account), "%s", account);
    snprintf(w.bank, sizeof(w.bank), "ICBKCNBJ");
    snprintf(w.list, sizeof(w.list), "confirmed_mule");
    w.added_at_ms = T0 - 86400000;
    assert_int_equal(graph_put_watch(f->g, &w, NULL, errstr, sizeof(errstr)), 0);
}

static ix_transfer transfer(const char *id, const char *from, const char *to, int64_t amount,
                            int64_t t)
{
    ix_transfer x;
    memset(&x, 0, sizeof(x));
    snprintf(x.id, sizeof(x.id), "%s", id);
    snprintf(x.from_account, sizeof(x.from_account), "%s", from);
    snprintf(x.from_bank, sizeof(x.from_bank), "BKCHCNBJ");
    snprintf(x.to_account, sizeof(x.to_account), "%s", to);
    snprintf(x.to_bank, sizeof(x.to_bank), "ICBKCNBJ");
    x.amount = amount;
    memcpy(x.currency, "CNY", 4);
    x.event_time_ms = t;
    return x;
}

/* Apply and screen one transfer as the pipeline does. */
static int screen(fx *f, const ix_transfer *t)
{
    char errstr[256];
    graph_acct from, to;
    assert_int_equal(graph_apply_transfer(f->g, t, &from, &to, errstr, sizeof(errstr)), 0);
    int n =
        rules_screen(f->r, f->g, t, &from, &to, T0 + 5, f->req, 4, NULL, errstr, sizeof(errstr));
    assert_true(n >= 0);
    return n;
}

static void test_payment_into_listed_account(void **state)
{
    fx *f = *state;
    watch(f, "MULE1");
    ix_transfer t = transfer("T1", "VICTIM1", "MULE1", 250000, T0);
    assert_int_equal(screen(f, &t), 1);

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
    fx *f = *state;
    watch(f, "MULE2");
    ix_transfer t = transfer("T2", "MULE2", "CASHOUT", 990000, T0);
    assert_int_equal(screen(f, &t), 1);
    assert_string_equal(f->req[0].account, "MULE2");
    assert_string_equal(f->req[0].bank, "BKCHCNBJ");
    assert_string_equal(f->req[0].findings[0].code, "WL02");
}

static void test_both_sides_listed_gives_two_requests(void **state)
{
    fx *f = *state;
    watch(f, "MULE3");
    watch(f, "MULE4");
    ix_transfer t = transfer("T3", "MULE3", "MULE4", 1000, T0);
    assert_int_equal(screen(f, &t), 2);
    assert_string_equal(f->req[0].account, "MULE4");
    assert_string_equal(f->req[1].account, "MULE3");
}

static void test_unlisted_accounts_raise_nothing(void **state)
{
    fx *f = *state;
    watch(f, "MULE5");
    ix_transfer t = transfer("T4", "ALICE", "BOB", 1000, T0);
    assert_int_equal(screen(f, &t), 0);
}

static void test_repeat_within_cooldown_suppressed(void **state)
{
    fx *f = *state;
    watch(f, "MULE6");
    ix_transfer a = transfer("T5", "V1", "MULE6", 1000, T0);
    ix_transfer b = transfer("T6", "V2", "MULE6", 2000, T0 + f->c.incident_cooldown_ms - 1);
    ix_transfer c = transfer("T7", "V3", "MULE6", 3000, T0 + f->c.incident_cooldown_ms);
    assert_int_equal(screen(f, &a), 1);
    assert_int_equal(screen(f, &b), 0); /* one millisecond inside the cooldown */
    assert_int_equal(screen(f, &c), 1); /* the cooldown has passed: a new incident */
    assert_string_equal(f->req[0].trigger_id, "T7");
}

static void test_delisted_account_raises_nothing(void **state)
{
    fx *f = *state;
    char errstr[256];
    watch(f, "MULE7");
    assert_int_equal(graph_del_watch(f->g, "MULE7", NULL, errstr, sizeof(errstr)), 0);
    ix_transfer t = transfer("T8", "V1", "MULE7", 1000, T0);
    assert_int_equal(screen(f, &t), 0);
}

static void test_disabled_rule_raises_nothing(void **state)
{
    fx *f = *state;
    char errstr[256];
    assert_int_equal(cfg_set(&f->c, "rules.watchlist.enabled", "false", errstr, sizeof(errstr)), 0);
    watch(f, "MULE8");
    ix_transfer t = transfer("T9", "V1", "MULE8", 1000, T0);
    assert_int_equal(screen(f, &t), 0);
}

static void test_score_maps_to_action(void **state)
{
    fx *f = *state;
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
    watch(f, "MULE9");
    ix_transfer t = transfer("T10", "V1", "MULE9", 1000, T0);
    assert_int_equal(screen(f, &t), 1);
    assert_int_equal(f->req[0].action, IX_ACTION_HOLD);
    assert_int_equal(f->req[0].score, 60);
}

static void test_escalation_within_cooldown_is_sent(void **state)
{
    fx *f = *state;
    char errstr[256];
    assert_int_equal(cfg_set(&f->c, "rules.watchlist.score", "60", errstr, sizeof(errstr)), 0);
    watch(f, "MULE10");
    ix_transfer a = transfer("T11", "V1", "MULE10", 1000, T0);
    assert_int_equal(screen(f, &a), 1);
    assert_int_equal(f->req[0].action, IX_ACTION_HOLD);
    assert_int_equal(cfg_set(&f->c, "rules.watchlist.score", "90", errstr, sizeof(errstr)), 0);
    ix_transfer b = transfer("T12", "V2", "MULE10", 1000, T0 + 60000);
    assert_int_equal(screen(f, &b), 1);
    assert_int_equal(f->req[0].action, IX_ACTION_FREEZE);
    ix_transfer c = transfer("T13", "V3", "MULE10", 1000, T0 + 120000);
    assert_int_equal(screen(f, &c), 0); /* FREEZE again: a repeat */
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
        cmocka_unit_test_setup_teardown(test_payment_into_listed_account, setup, teardown),
        cmocka_unit_test_setup_teardown(test_payment_out_of_listed_account, setup, teardown),
        cmocka_unit_test_setup_teardown(test_both_sides_listed_gives_two_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unlisted_accounts_raise_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_repeat_within_cooldown_suppressed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delisted_account_raises_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disabled_rule_raises_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_score_maps_to_action, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escalation_within_cooldown_is_sent, setup, teardown),
        cmocka_unit_test(test_request_id_is_deterministic_and_separated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
