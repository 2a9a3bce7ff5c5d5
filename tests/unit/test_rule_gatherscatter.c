/* test_rule_gatherscatter.c - the gather-scatter rule on a real graph: crafted transfers
 * applied and screened as the pipeline does, and its near misses. */
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
#define HOUR_MS   (60 * MIN_MS)
#define CNY(yuan) ((int64_t)(yuan)*100)

/* A multiple of every window bucket (5 days) plus 2 h 5 min 50 s: the middle
 * of a 4-hour bucket. The 1-day window, the smallest that covers the 12-hour
 * interval, then reaches back about 26 hours, so the cheap check counts every
 * transfer of a test and the exact counts and ratio decide. */
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
    snprintf(f->dir, sizeof(f->dir), "/tmp/ix-rule-gs-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(cfg_init(&f->c, errstr, sizeof(errstr)), 0);
    only_rule(f, "gatherscatter");
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

/* Senders <hub>-S1.. pay the hub `in` each, 20 minutes apart from T0; three
 * hours later it pays receivers <hub>-R1.. `out` each, 10 minutes apart.
 * Transfer ids are <hub>-G1... Returns the requests of the last transfer. */
static int hub(fx *f, const char *name, int nin, int64_t in, int nout, int64_t out)
{
    char id[32], peer[32];
    int k = 0, last = 0;
    for (int i = 1; i <= nin; i++) {
        snprintf(id, sizeof(id), "%s-G%d", name, ++k);
        snprintf(peer, sizeof(peer), "%s-S%d", name, i);
        assert_int_equal(screen(f, id, peer, name, in, T0 + (i - 1) * 20 * MIN_MS), 0);
    }
    for (int i = 1; i <= nout; i++) {
        snprintf(id, sizeof(id), "%s-G%d", name, ++k);
        snprintf(peer, sizeof(peer), "%s-R%d", name, i);
        last = screen(f, id, name, peer, out, T0 + 3 * HOUR_MS + (i - 1) * 10 * MIN_MS);
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
    fx *f = *state;
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
    fx *f = *state;
    assert_int_equal(hub(f, "H84", 4, CNY(25000), 4, CNY(21000)), 0);
    assert_int_equal(f->hits[f->slot], 0);
    assert_int_equal(hub(f, "H85", 4, CNY(25000), 4, CNY(21250)), 1);
    assert_int_equal(f->req[0].findings[0].figures[2].value, 85);
}

/* Three senders are one too few, however much they send. */
static void test_three_senders_are_too_few(void **state)
{
    fx *f = *state;
    assert_int_equal(hub(f, "H3", 3, CNY(40000), 4, CNY(27000)), 0);
    assert_int_equal(f->hits[f->slot], 0);
}

/* Friends chipping in 8,000 CNY and the shops paid afterwards: below the
 * pass-through floor. */
static void test_small_sums_pass(void **state)
{
    fx *f = *state;
    assert_int_equal(hub(f, "PARTY", 4, CNY(2000), 4, CNY(1900)), 0);
    assert_int_equal(f->hits[f->slot], 0);
}

static void test_merchants_and_businesses_exempt(void **state)
{
    fx *f = *state;
    profile(f, "STORE", IX_HOLDER_MERCHANT);
    profile(f, "FIRM", IX_HOLDER_BUSINESS);
    assert_int_equal(hub(f, "STORE", 5, CNY(30000), 5, CNY(29000)), 0);
    assert_int_equal(hub(f, "FIRM", 5, CNY(30000), 5, CNY(29000)), 0);
    assert_int_equal(f->hits[f->slot], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hub_collecting_and_spreading, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ratio_edge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_three_senders_are_too_few, setup, teardown),
        cmocka_unit_test_setup_teardown(test_small_sums_pass, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merchants_and_businesses_exempt, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
