/* test_rule_scattergather.c - the scatter-gather rule on a real graph:
 * gatherings that must fire, near misses that must not, and the bounds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "graph.h"
#include "rules.h"

#define T0  1795000000000LL /* 2026-11-19T..., any fixed event time */
#define MIN 60000LL
#define DAY 86400000LL

typedef struct fx {
    char dir[64];
    cfg c;
    graph *g;
    rules *r;
    ix_request req[RULES_MAX_HITS];
    int seq;
} fx;

/* Only the rule under test, so every request is its own. */
static void only_rule(cfg *c, const char *keep)
{
    char errstr[256];
    for (const cfg_entry *e = cfg_table; e->name; e++) {
        size_t n = strlen(e->name);
        if (strncmp(e->name, "rules.", 6) == 0 && n > 8 && strcmp(e->name + n - 8, ".enabled") == 0)
            assert_int_equal(cfg_set(c, e->name, strstr(e->name, keep) ? "true" : "false", errstr,
                                     sizeof(errstr)),
                             0);
    }
}

static int setup(void **state)
{
    char errstr[512];
    fx *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/ix-sg-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(cfg_init(&f->c, errstr, sizeof(errstr)), 0);
    only_rule(&f->c, ".scattergather.");
    graph_opts o = {.dir = f->dir, .cache_bytes = 64 << 20, .create = 1};
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

/* Apply and screen one transfer as the pipeline does; returns the requests. */
static int send(fx *f, const char *id, const char *from, const char *to, int64_t amount, int64_t t)
{
    char errstr[256];
    ix_transfer x;
    memset(&x, 0, sizeof(x));
    snprintf(x.id, sizeof(x.id), "%s", id);
    snprintf(x.from_account, sizeof(x.from_account), "%s", from);
    snprintf(x.from_bank, sizeof(x.from_bank), "BANK%.4s", from);
    snprintf(x.to_account, sizeof(x.to_account), "%s", to);
    snprintf(x.to_bank, sizeof(x.to_bank), "BANK%.4s", to);
    x.amount = amount;
    memcpy(x.currency, "CNY", 4);
    x.event_time_ms = t;
    graph_acct a, b;
    assert_int_equal(graph_apply_transfer(f->g, &x, &a, &b, errstr, sizeof(errstr)), 0);
    int n = rules_screen(f->r, f->g, &x, &a, &b, t + 5, f->req, RULES_MAX_HITS, NULL, errstr,
                         sizeof(errstr));
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

/* S splits money over `paths` intermediaries M1.. (10 minutes apart, from
 * `start`), each forwarding `keep` per mille of it to C an hour apart from
 * start + 1h; `last_at`, when not 0, moves the last forward. Returns the
 * requests of the last forward; the earlier ones must raise nothing. */
static int gather(fx *f, const char *tag, int paths, int keep, int64_t start, int64_t last_at)
{
    char id[16], m[16], sink[16], src[16];
    snprintf(src, sizeof(src), "%sS", tag);
    snprintf(sink, sizeof(sink), "%sC", tag);
    for (int k = 0; k < paths; k++) {
        snprintf(id, sizeof(id), "%sG%d", tag, k + 1);
        snprintf(m, sizeof(m), "%sM%d", tag, k + 1);
        assert_int_equal(send(f, id, src, m, 1000000, start + k * 10 * MIN), 0);
    }
    int n = 0;
    for (int k = 0; k < paths; k++) {
        snprintf(id, sizeof(id), "%sF%d", tag, k + 1);
        snprintf(m, sizeof(m), "%sM%d", tag, k + 1);
        int64_t at = k == paths - 1 && last_at ? last_at : start + (k + 1) * 60 * MIN;
        n = send(f, id, m, sink, 1000000 * (keep > 0 ? keep : 950) / 1000, at);
        if (k < paths - 1)
            assert_int_equal(n, 0);
    }
    return n;
}

/* Four intermediaries each pass 95% on within four hours: the sink and
 * every intermediary are flagged. */
static void test_four_paths_flag_sink_and_intermediaries(void **state)
{
    fx *f = *state;
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
    assert_figure(fd, 1, "min_conserved_pct", 95, 90);
    assert_figure(fd, 2, "span_minutes", 240, 12 * 60);
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
    fx *f = *state;
    assert_int_equal(gather(f, "", 3, 950, T0, 0), 0);
}

/* The split and the gathering within the window: the last forward exactly
 * a window after the first split fires, one minute later does not. */
static void test_span_at_the_window_and_one_minute_over(void **state)
{
    fx *f = *state;
    int64_t w = f->c.sg_window_ms;
    assert_int_equal(gather(f, "a", 4, 950, T0, T0 + w), 5);
    assert_figure(&f->req[0].findings[0], 2, "span_minutes", w / MIN, w / MIN);
    assert_int_equal(gather(f, "b", 4, 950, T0, T0 + w + MIN), 0);
}

/* Each intermediary passes on at least conserve percent: exactly 90% fires,
 * 89% on one path leaves three. */
static void test_conservation_at_the_bound_and_one_percent_under(void **state)
{
    fx *f = *state;
    assert_int_equal(gather(f, "a", 4, 900, T0, 0), 5);
    assert_figure(&f->req[0].findings[0], 1, "min_conserved_pct", 90, 90);

    char id[8], m[8];
    for (int k = 0; k < 4; k++) {
        snprintf(id, sizeof(id), "bG%d", k + 1);
        snprintf(m, sizeof(m), "bM%d", k + 1);
        send(f, id, "bS", m, 1000000, T0 + k * 10 * MIN);
    }
    for (int k = 0; k < 4; k++) {
        snprintf(id, sizeof(id), "bF%d", k + 1);
        snprintf(m, sizeof(m), "bM%d", k + 1);
        assert_int_equal(send(f, id, m, "bC", k == 1 ? 890000 : 950000, T0 + (k + 1) * 60 * MIN),
                         0);
    }
}

/* An intermediary that forwards more than it got from the source mixes in
 * money of its own: not the source's money passed on. */
static void test_forwarding_more_than_received_is_no_path(void **state)
{
    fx *f = *state;
    char id[8], m[8];
    for (int k = 0; k < 4; k++) {
        snprintf(id, sizeof(id), "G%d", k + 1);
        snprintf(m, sizeof(m), "M%d", k + 1);
        send(f, id, "S", m, 1000000, T0 + k * 10 * MIN);
    }
    send(f, "X1", "OTHER", "M2", 500000, T0 + 50 * MIN);
    for (int k = 0; k < 4; k++) {
        snprintf(id, sizeof(id), "F%d", k + 1);
        snprintf(m, sizeof(m), "M%d", k + 1);
        assert_int_equal(send(f, id, m, "C", k == 1 ? 1400000 : 950000, T0 + (k + 1) * 60 * MIN),
                         0);
    }
}

/* An intermediary that has paid the sink for longer than the window is an
 * old relationship (a sweep into a main account): its path does not count. */
static void test_old_relationship_does_not_count(void **state)
{
    fx *f = *state;
    send(f, "OLD", "M1", "C", 10000, T0 - 13 * 60 * MIN);
    assert_int_equal(gather(f, "", 4, 950, T0, 0), 0);
}

/* A forward sent before the source's money arrived is no path. */
static void test_forward_before_the_split_is_no_path(void **state)
{
    fx *f = *state;
    char id[8], m[8];
    send(f, "EARLY", "M1", "C", 950000, T0 - MIN);
    send(f, "FUND", "OTHER", "M1", 950000, T0 - 2 * MIN);
    for (int k = 0; k < 4; k++) {
        snprintf(id, sizeof(id), "G%d", k + 1);
        snprintf(m, sizeof(m), "M%d", k + 1);
        send(f, id, "S", m, 1000000, T0 + k * 10 * MIN);
    }
    for (int k = 1; k < 4; k++) {
        snprintf(id, sizeof(id), "F%d", k + 1);
        snprintf(m, sizeof(m), "M%d", k + 1);
        assert_int_equal(send(f, id, m, "C", 950000, T0 + (k + 1) * 60 * MIN), 0);
    }
}

static void profile(fx *f, const char *account, ix_holder_type holder)
{
    char errstr[256];
    ix_account a;
    memset(&a, 0, sizeof(a));
    snprintf(a.account, sizeof(a.account), "%s", account);
    snprintf(a.bank, sizeof(a.bank), "BANK%.4s", account);
    a.holder_type = holder;
    a.kyc_level = 3;
    assert_int_equal(graph_put_profile(f->g, &a, NULL, errstr, sizeof(errstr)), 0);
}

/* People paying a shop with money they were paid is everyday life: a
 * merchant is never a sink. */
static void test_merchant_sink_is_exempt(void **state)
{
    fx *f = *state;
    profile(f, "C", IX_HOLDER_MERCHANT);
    assert_int_equal(gather(f, "", 4, 950, T0, 0), 0);
}

/* A business paying its supplier with its customers' money is trade: it is
 * no intermediary. */
static void test_business_intermediary_is_exempt(void **state)
{
    fx *f = *state;
    profile(f, "M4", IX_HOLDER_BUSINESS);
    assert_int_equal(gather(f, "", 4, 950, T0, 0), 0);
}

static double seconds_since(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

/* A hot sink with 3000 senders, a hot source paying 3000 accounts, and an
 * intermediary paid by 1000 sources: the search reads what its bounds allow,
 * returns promptly and finds no gathering (nobody passes enough on). */
static void test_hot_accounts_stay_within_bounds(void **state)
{
    fx *f = *state;
    char errstr[256], id[32], a[32];
    assert_int_equal(cfg_set(&f->c, "rules.search.max.visits", "100", errstr, sizeof(errstr)), 0);
    for (int i = 0; i < 3000; i++) {
        if (i % 250 == 0) /* as the pipeline checkpoints every commit interval */
            assert_int_equal(graph_checkpoint(f->g, NULL, 0, errstr, sizeof(errstr)), 0);
        snprintf(a, sizeof(a), "M%05d", i);
        snprintf(id, sizeof(id), "G%05d", i);
        send(f, id, "SRC", a, 1000000, T0 + i * 10);
        snprintf(id, sizeof(id), "F%05d", i);
        send(f, id, a, "HOT", 500000, T0 + 3600000 + i * 10); /* 50%: no path */
    }
    for (int i = 0; i < 1000; i++) {
        snprintf(a, sizeof(a), "P%05d", i);
        snprintf(id, sizeof(id), "I%05d", i);
        send(f, id, a, "MID", 1000000, T0 + i * 10);
    }
    assert_int_equal(graph_checkpoint(f->g, NULL, 0, errstr, sizeof(errstr)), 0);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(send(f, "LAST", "MID", "HOT", 950000, T0 + 2 * 3600000), 0);
    double took = seconds_since(&t0);
    print_message("scatter-gather search on a hot sink: %.2f ms\n", took * 1e3);
    assert_true(took < 2.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_four_paths_flag_sink_and_intermediaries, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_three_paths_are_one_too_few, setup, teardown),
        cmocka_unit_test_setup_teardown(test_span_at_the_window_and_one_minute_over, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_conservation_at_the_bound_and_one_percent_under, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_forwarding_more_than_received_is_no_path, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_old_relationship_does_not_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forward_before_the_split_is_no_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merchant_sink_is_exempt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_business_intermediary_is_exempt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hot_accounts_stay_within_bounds, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
