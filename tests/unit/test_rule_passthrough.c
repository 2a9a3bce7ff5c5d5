/* test_rule_passthrough.c - the pass-through rule on a real graph: crafted
 * transfers applied and screened as the pipeline does, and its near misses. */
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

#define MIN_MS    60000LL
#define CNY(yuan) ((int64_t)(yuan)*100)

/* A multiple of every window bucket (5 days) plus 2 h 5 min 50 s: the middle
 * of a 4-hour, a 10-minute and a 100-second bucket. The rolling windows then
 * reach well past the rule's interval (the 1-hour window, which covers the
 * 30-minute interval, reaches back about 65 minutes), so a transfer just
 * outside the interval is still in the window totals, and the near misses
 * below show that the exact scan, not the window, decides. */
#define T0 (1794960000000LL + 7550000LL)

typedef struct fx {
    char dir[64];
    cfg c;
    graph *g;
    rules *r;
    ix_request req[8];
    uint64_t hits[RULES_COUNTERS];
    size_t slot; /* the rule's index in rules_table */
} fx;

/* Only the rule under test is enabled, so a request's score is its own. */
static void only_rule(fx *f, const char *name)
{
    char key[96], errstr[256];
    for (size_t i = 0; rules_table[i]; i++) {
        int mine = strcmp(rules_table[i]->name, name) == 0;
        snprintf(key, sizeof(key), "rules.%s.enabled", rules_table[i]->name);
        assert_int_equal(cfg_set(&f->c, key, mine ? "true" : "false", errstr, sizeof(errstr)), 0);
        if (mine)
            f->slot = i;
    }
}

static int setup(void **state)
{
    char errstr[512];
    fx *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/ix-rule-pt-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(cfg_init(&f->c, errstr, sizeof(errstr)), 0);
    only_rule(f, "passthrough");
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

static void profile(fx *f, const char *account, ix_holder_type holder)
{
    char errstr[256];
    ix_account a;
    memset(&a, 0, sizeof(a));
    snprintf(a.account, sizeof(a.account), "%s", account);
    snprintf(a.bank, sizeof(a.bank), "BKCHCNBJ");
    a.opened_at_ms = T0 - 400LL * 86400000;
    a.holder_type = holder;
    a.kyc_level = 3;
    assert_int_equal(graph_put_profile(f->g, &a, NULL, errstr, sizeof(errstr)), 0);
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

/* Apply and screen one transfer as the pipeline does; returns the requests. */
static int screen(fx *f, const char *id, const char *from, const char *to, int64_t amount,
                  int64_t t)
{
    char errstr[256];
    graph_acct a, b;
    ix_transfer x = transfer(id, from, to, amount, t);
    assert_int_equal(graph_apply_transfer(f->g, &x, &a, &b, errstr, sizeof(errstr)), 0);
    int n = rules_screen(f->r, f->g, &x, &a, &b, T0, f->req, 8, f->hits, errstr, sizeof(errstr));
    assert_true(n >= 0);
    return n;
}

static void assert_figure(const ix_finding *fd, int i, const char *name, int64_t value,
                          int64_t threshold)
{
    assert_true(i < fd->nfigures);
    assert_string_equal(fd->figures[i].name, name);
    assert_int_equal(fd->figures[i].value, value);
    assert_int_equal(fd->figures[i].threshold, threshold);
}

/* Two victims pay a mule 25,000 CNY; twenty minutes later it has sent 88%
 * of it on to two accounts. Defaults: window 30 min, 10,000 CNY, 80%. */
static void test_mule_forwarding_most_of_it(void **state)
{
    fx *f = *state;
    assert_int_equal(screen(f, "P1", "VICTIM1", "MULE", CNY(15000), T0), 0);
    assert_int_equal(screen(f, "P2", "VICTIM2", "MULE", CNY(10000), T0 + MIN_MS), 0);
    /* 12,000 of 25,000 sent on (48%): not yet a conduit. */
    assert_int_equal(screen(f, "P3", "MULE", "ONWARD1", CNY(12000), T0 + 10 * MIN_MS), 0);
    assert_int_equal(screen(f, "P4", "MULE", "ONWARD2", CNY(10000), T0 + 20 * MIN_MS), 1);
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
    fx *f = *state;
    assert_int_equal(screen(f, "E1", "V1", "MULE1", CNY(20000), T0), 0);
    assert_int_equal(screen(f, "E2", "MULE1", "OUT1", CNY(19000), T0 + 30 * MIN_MS), 1);
    assert_string_equal(f->req[0].findings[0].code, "PT01");
    assert_int_equal(f->req[0].findings[0].figures[2].value, 30);

    assert_int_equal(screen(f, "E3", "V2", "MULE2", CNY(20000), T0), 0);
    char errstr[256];
    graph_acct a;
    assert_int_equal(graph_get(f->g, "MULE2", T0 + 31 * MIN_MS, &a, errstr, sizeof(errstr)), 0);
    assert_int_equal(a.win[WIN_1H].in_sum, CNY(20000)); /* the premise: still in the window */
    assert_int_equal(screen(f, "E4", "MULE2", "OUT2", CNY(19000), T0 + 31 * MIN_MS), 0);
    assert_int_equal(f->hits[f->slot], 1);
}

/* 80% sent on fires; 79% does not. */
static void test_ratio_edge(void **state)
{
    fx *f = *state;
    assert_int_equal(screen(f, "R1", "V1", "MULE1", CNY(20000), T0), 0);
    assert_int_equal(screen(f, "R2", "MULE1", "OUT1", CNY(15800), T0 + 5 * MIN_MS), 0); /* 79% */
    assert_int_equal(f->hits[f->slot], 0);
    assert_int_equal(screen(f, "R3", "V2", "MULE2", CNY(20000), T0), 0);
    assert_int_equal(screen(f, "R4", "MULE2", "OUT2", CNY(16000), T0 + 5 * MIN_MS), 1); /* 80% */
    assert_int_equal(f->req[0].findings[0].figures[1].value, 80);
}

/* Below the minimum received nothing is looked at. */
static void test_small_sums_pass(void **state)
{
    fx *f = *state;
    assert_int_equal(screen(f, "S1", "V1", "MULE1", CNY(10000) - 1, T0), 0);
    assert_int_equal(screen(f, "S2", "MULE1", "OUT1", CNY(9999), T0 + 5 * MIN_MS), 0);
    assert_int_equal(f->hits[f->slot], 0);
}

/* Money sent before anything arrived in the interval was the account's own:
 * it is not money passed on. */
static void test_earlier_spending_is_not_passing_on(void **state)
{
    fx *f = *state;
    assert_int_equal(screen(f, "O1", "ALICE", "SHOP", CNY(20000), T0), 0);
    assert_int_equal(screen(f, "O2", "EMPLOYER", "ALICE", CNY(20000), T0 + 5 * MIN_MS), 0);
    assert_int_equal(screen(f, "O3", "ALICE", "FRIEND", CNY(1000), T0 + 10 * MIN_MS), 0);
    assert_int_equal(f->hits[f->slot], 0);
}

/* Merchants and businesses pay on what they take in as a matter of course. */
static void test_merchants_and_businesses_exempt(void **state)
{
    fx *f = *state;
    profile(f, "STORE", IX_HOLDER_MERCHANT);
    profile(f, "FIRM", IX_HOLDER_BUSINESS);
    profile(f, "PERSON", IX_HOLDER_PERSON);
    assert_int_equal(screen(f, "X1", "C1", "STORE", CNY(50000), T0), 0);
    assert_int_equal(screen(f, "X2", "STORE", "SUPPLIER", CNY(48000), T0 + 5 * MIN_MS), 0);
    assert_int_equal(screen(f, "X3", "C2", "FIRM", CNY(50000), T0), 0);
    assert_int_equal(screen(f, "X4", "FIRM", "SUPPLIER", CNY(48000), T0 + 5 * MIN_MS), 0);
    assert_int_equal(f->hits[f->slot], 0);
    /* A person with a profile is not exempt. */
    assert_int_equal(screen(f, "X5", "C3", "PERSON", CNY(50000), T0), 0);
    assert_int_equal(screen(f, "X6", "PERSON", "SUPPLIER", CNY(48000), T0 + 5 * MIN_MS), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_mule_forwarding_most_of_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_window_edge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ratio_edge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_small_sums_pass, setup, teardown),
        cmocka_unit_test_setup_teardown(test_earlier_spending_is_not_passing_on, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merchants_and_businesses_exempt, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
