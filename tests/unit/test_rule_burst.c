/* test_rule_burst.c - the new and dormant account burst rule on a real graph: crafted transfers
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
#define DAY_MS    (24 * HOUR_MS)
#define CNY(yuan) ((int64_t)(yuan)*100)

/* A multiple of every window bucket (5 days) plus 2 h 5 min 50 s: the middle
 * of a 4-hour bucket, so the 1-day window as of T0 reaches back about 26
 * hours. A transfer 25 hours before T0 is then still in the window's volume
 * but not in the day before T0, which test_volume_is_the_days_own uses to
 * show that the exact day, not the window, decides. */
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
    snprintf(f->dir, sizeof(f->dir), "/tmp/ix-rule-bu-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(cfg_init(&f->c, errstr, sizeof(errstr)), 0);
    only_rule(f, "burst");
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

static void profile(fx *f, const char *account, int64_t opened_at_ms, uint32_t flags)
{
    char errstr[256];
    ix_account a;
    memset(&a, 0, sizeof(a));
    snprintf(a.account, sizeof(a.account), "%s", account);
    snprintf(a.bank, sizeof(a.bank), "BKCHCNBJ");
    a.opened_at_ms = opened_at_ms;
    a.holder_type = IX_HOLDER_PERSON;
    a.kyc_level = 1;
    a.flags = flags;
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

/* An account opened three days ago receives 60,000 CNY and sends 55,000 on
 * two hours later. Defaults: new up to 7 days, 100,000 CNY a day. */
static void test_new_account_moving_a_lot(void **state)
{
    fx *f = *state;
    profile(f, "NEWBIE", T0 - 3 * DAY_MS, 0);
    assert_int_equal(screen(f, "B1", "V1", "NEWBIE", CNY(60000), T0), 0);
    assert_int_equal(screen(f, "B2", "NEWBIE", "R1", CNY(55000), T0 + 2 * HOUR_MS), 1);
    assert_int_equal(f->hits[f->slot], 1);

    const ix_request *q = &f->req[0];
    assert_string_equal(q->account, "NEWBIE");
    assert_string_equal(q->bank, "BKCHCNBJ");
    assert_int_equal(q->action, IX_ACTION_HOLD);
    assert_int_equal(q->score, 50);
    assert_string_equal(q->trigger_id, "B2");
    assert_int_equal(q->nfindings, 1);
    const ix_finding *fd = &q->findings[0];
    assert_string_equal(fd->rule, "burst");
    assert_string_equal(fd->code, "NB01");
    assert_int_equal(fd->score, 50);
    assert_int_equal(fd->amount, CNY(60000)); /* the larger of the day's in and out */
    assert_int_equal(fd->nfigures, 2);
    assert_figure(fd, 0, "account_age_days", 3, 7);
    assert_figure(fd, 1, "day_volume", CNY(115000), CNY(100000));
    assert_int_equal(fd->nevidence, 2);
    assert_string_equal(fd->evidence[0].transfer_id, "B1");
    assert_string_equal(fd->evidence[0].from_account, "V1");
    assert_string_equal(fd->evidence[0].to_account, "NEWBIE");
    assert_int_equal(fd->evidence[0].amount, CNY(60000));
    assert_int_equal(fd->evidence[0].time_ms, T0);
    assert_string_equal(fd->evidence[1].transfer_id, "B2");
    assert_int_equal(fd->evidence[1].time_ms, T0 + 2 * HOUR_MS);
    assert_int_equal(fd->npath, 3);
    assert_string_equal(fd->path[0], "V1");
    assert_string_equal(fd->path[1], "NEWBIE");
    assert_string_equal(fd->path[2], "R1");
}

/* Opened eight days before its first transfer: one day too old. Without a
 * profile an account is never new. */
static void test_one_day_too_old(void **state)
{
    fx *f = *state;
    profile(f, "OLDER", T0 - 8 * DAY_MS, 0);
    assert_int_equal(screen(f, "O1", "V1", "OLDER", CNY(60000), T0), 0);
    assert_int_equal(screen(f, "O2", "OLDER", "R1", CNY(55000), T0 + 2 * HOUR_MS), 0);
    assert_int_equal(screen(f, "O3", "V2", "NOPROFILE", CNY(60000), T0), 0);
    assert_int_equal(screen(f, "O4", "NOPROFILE", "R2", CNY(55000), T0 + 2 * HOUR_MS), 0);
    assert_int_equal(f->hits[f->slot], 0);
}

/* The age counts when the day's activity began: an account 6 days 23 hours
 * old at its first transfer is new for the rest of that day, even past its
 * seventh day; one opened 7 days and a minute before is not. */
static void test_age_taken_when_the_day_began(void **state)
{
    fx *f = *state;
    profile(f, "EDGE", T0 - 7 * DAY_MS + HOUR_MS, 0);
    assert_int_equal(screen(f, "E1", "V1", "EDGE", CNY(60000), T0), 0);
    assert_int_equal(screen(f, "E2", "EDGE", "R1", CNY(55000), T0 + 5 * HOUR_MS), 1);
    assert_string_equal(f->req[0].findings[0].code, "NB01");
    assert_int_equal(f->req[0].findings[0].figures[0].value, 6);

    profile(f, "LATE", T0 - 7 * DAY_MS - MIN_MS, 0);
    assert_int_equal(screen(f, "L1", "V2", "LATE", CNY(60000), T0), 0);
    assert_int_equal(screen(f, "L2", "LATE", "R2", CNY(55000), T0 + 5 * HOUR_MS), 0);
    assert_int_equal(f->hits[f->slot], 1);
}

/* Money moved 25 hours ago is still in the 1-day window's buckets but not in
 * the day: it does not count. */
static void test_volume_is_the_days_own(void **state)
{
    fx *f = *state;
    profile(f, "NEWBIE", T0 - 3 * DAY_MS, 0);
    assert_int_equal(screen(f, "D1", "V1", "NEWBIE", CNY(80000), T0 - 25 * HOUR_MS), 0);
    char errstr[256];
    graph_acct a;
    assert_int_equal(graph_get(f->g, "NEWBIE", T0, &a, errstr, sizeof(errstr)), 0);
    assert_int_equal(a.win[WIN_1D].in_sum, CNY(80000)); /* the premise: still in the window */
    assert_int_equal(screen(f, "D2", "NEWBIE", "R1", CNY(30000), T0), 0);
    assert_int_equal(f->hits[f->slot], 0);
    /* 30,000 + 75,000 within the day is a burst. The day began a day before
     * this transfer (the account was active earlier): 2 days after opening. */
    assert_int_equal(screen(f, "D3", "NEWBIE", "R2", CNY(75000), T0 + 30 * MIN_MS), 1);
    const ix_finding *fd = &f->req[0].findings[0];
    assert_figure(fd, 0, "account_age_days", 2, 7);
    assert_figure(fd, 1, "day_volume", CNY(105000), CNY(100000));
    assert_int_equal(fd->amount, CNY(105000));
    assert_int_equal(fd->nevidence, 2);
    assert_string_equal(fd->evidence[0].transfer_id, "D2");
    assert_string_equal(fd->evidence[1].transfer_id, "D3");
}

/* An account its bank reports dormant moves 55,000 CNY in three hours.
 * Defaults: 50,000 CNY a day. */
static void test_reported_dormant_account(void **state)
{
    fx *f = *state;
    profile(f, "SLEEPER", T0 - 400 * DAY_MS, IX_ACCT_DORMANT);
    assert_int_equal(screen(f, "S1", "SLEEPER", "R1", CNY(30000), T0), 0);
    assert_int_equal(screen(f, "S2", "SLEEPER", "R2", CNY(25000), T0 + 3 * HOUR_MS), 1);
    const ix_request *q = &f->req[0];
    assert_string_equal(q->account, "SLEEPER");
    assert_string_equal(q->bank, "BKCHCNBJ");
    assert_int_equal(q->action, IX_ACTION_HOLD);
    assert_int_equal(q->score, 50);
    const ix_finding *fd = &q->findings[0];
    assert_string_equal(fd->rule, "burst");
    assert_string_equal(fd->code, "DB01");
    assert_int_equal(fd->amount, CNY(55000));
    assert_int_equal(fd->nfigures, 2);
    assert_figure(fd, 0, "reported_dormant", 1, 1);
    assert_figure(fd, 1, "day_volume", CNY(55000), CNY(50000));
    assert_int_equal(fd->nevidence, 2);
    assert_string_equal(fd->evidence[0].transfer_id, "S1");
    assert_string_equal(fd->evidence[1].transfer_id, "S2");
    assert_int_equal(fd->npath, 3);
    assert_string_equal(fd->path[0], "SLEEPER");
    assert_string_equal(fd->path[2], "R2");
}

/* One yuan short of the dormant volume. */
static void test_dormant_one_yuan_short(void **state)
{
    fx *f = *state;
    profile(f, "SLEEPER", T0 - 400 * DAY_MS, IX_ACCT_DORMANT);
    assert_int_equal(screen(f, "S1", "SLEEPER", "R1", CNY(30000), T0), 0);
    assert_int_equal(screen(f, "S2", "SLEEPER", "R2", CNY(19999), T0 + 3 * HOUR_MS), 0);
    assert_int_equal(f->hits[f->slot], 0);
}

/* Silent for 100 days, then 60,000 CNY arrives: dormant by time. The next
 * transfer comes after no silence and raises nothing by time. */
static void test_silent_for_months(void **state)
{
    fx *f = *state;
    profile(f, "QUIET", T0 - 400 * DAY_MS, 0);
    assert_int_equal(screen(f, "Q0", "QUIET", "SHOP", CNY(100), T0 - 100 * DAY_MS), 0);
    assert_int_equal(screen(f, "Q1", "V1", "QUIET", CNY(60000), T0), 1);
    const ix_request *q = &f->req[0];
    assert_string_equal(q->account, "QUIET");
    assert_string_equal(q->bank, "ICBKCNBJ");
    const ix_finding *fd = &q->findings[0];
    assert_string_equal(fd->code, "DB01");
    assert_int_equal(fd->amount, CNY(60000));
    assert_int_equal(fd->nfigures, 2);
    assert_figure(fd, 0, "silent_days", 100, 90);
    assert_figure(fd, 1, "day_volume", CNY(60000), CNY(50000));
    assert_int_equal(fd->nevidence, 1);
    assert_string_equal(fd->evidence[0].transfer_id, "Q1");
    assert_int_equal(screen(f, "Q2", "QUIET", "R1", CNY(1000), T0 + HOUR_MS), 0);
    assert_int_equal(f->hits[f->slot], 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_new_account_moving_a_lot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_day_too_old, setup, teardown),
        cmocka_unit_test_setup_teardown(test_age_taken_when_the_day_began, setup, teardown),
        cmocka_unit_test_setup_teardown(test_volume_is_the_days_own, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reported_dormant_account, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dormant_one_yuan_short, setup, teardown),
        cmocka_unit_test_setup_teardown(test_silent_for_months, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
