/* test_graph.c - the account graph: persistence, checkpoints, discards,
 * table updates, errors, and exact counters under concurrent workers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"

#define T0 1795000000000LL

typedef struct fx {
    char dir[64];
    graph *g;
} fx;

static graph *open_graph(const char *dir, int create)
{
    char errstr[512];
    graph *g = NULL;
    graph_opts o = {.dir = dir, .cache_bytes = 16 << 20, .create = create};
    if (graph_open(&o, &g, errstr, sizeof(errstr)) != 0)
        fail_msg("graph_open: %s", errstr);
    return g;
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/ix-graph-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    f->g = open_graph(f->dir, 1);
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
    graph_close(f->g);
    nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

static ix_transfer transfer(const char *from, const char *to, int64_t amount, int64_t t)
{
    ix_transfer x;
    memset(&x, 0, sizeof(x));
    snprintf(x.id, sizeof(x.id), "T-%s-%lld", from, (long long)t);
    snprintf(x.from_account, sizeof(x.from_account), "%s", from);
    snprintf(x.to_account, sizeof(x.to_account), "%s", to);
    x.amount = amount;
    memcpy(x.currency, "CNY", 4);
    x.event_time_ms = t;
    return x;
}

static void apply(graph *g, const char *from, const char *to, int64_t amount, int64_t t)
{
    char errstr[256];
    graph_acct a, b;
    ix_transfer x = transfer(from, to, amount, t);
    assert_int_equal(graph_apply_transfer(g, &x, &a, &b, errstr, sizeof(errstr)), 0);
}

static graph_acct get(graph *g, const char *account)
{
    char errstr[256];
    graph_acct a;
    assert_int_equal(graph_get(g, account, T0 + 60000, &a, errstr, sizeof(errstr)), 0);
    return a;
}

static void checkpoint(graph *g, int64_t offset)
{
    char errstr[256];
    graph_offset off = {"transfers", 3, offset};
    assert_int_equal(graph_checkpoint(g, &off, 1, errstr, sizeof(errstr)), 0);
}

static void test_apply_returns_state_before(void **state)
{
    fx *f = *state;
    char errstr[256];
    graph_acct from, to;
    apply(f->g, "A", "B", 100, T0);
    ix_transfer x = transfer("A", "B", 50, T0 + 10);
    assert_int_equal(graph_apply_transfer(f->g, &x, &from, &to, errstr, sizeof(errstr)), 0);
    assert_int_equal(from.out_count, 1);
    assert_int_equal(from.out_sum, 100);
    assert_int_equal(to.in_count, 1);
    assert_int_equal(to.in_sum, 100);
    graph_acct a = get(f->g, "A"), b = get(f->g, "B");
    assert_int_equal(a.out_count, 2);
    assert_int_equal(a.out_sum, 150);
    assert_int_equal(a.in_count, 0);
    assert_int_equal(b.in_sum, 150);
    assert_int_equal(b.first_seen_ms, T0);
    assert_int_equal(b.last_seen_ms, T0 + 10);
}

static void test_checkpoint_survives_reopen(void **state)
{
    fx *f = *state;
    char errstr[256];
    int64_t off = 0;
    apply(f->g, "A", "B", 100, T0);
    apply(f->g, "B", "C", 90, T0 + 1000);
    checkpoint(f->g, 2);
    graph_close(f->g);
    f->g = open_graph(f->dir, 0);
    graph_acct b = get(f->g, "B");
    assert_int_equal(b.in_sum, 100);
    assert_int_equal(b.out_sum, 90);
    assert_int_equal(b.first_seen_ms, T0);
    assert_int_equal(b.last_seen_ms, T0 + 1000);
    assert_int_equal(graph_get_offset(f->g, "transfers", 3, &off, errstr, sizeof(errstr)), 1);
    assert_int_equal(off, 2);
    assert_int_equal(graph_get_offset(f->g, "transfers", 2, &off, errstr, sizeof(errstr)), 0);
}

static void test_uncheckpointed_changes_are_lost_on_reopen(void **state)
{
    fx *f = *state;
    char errstr[256];
    int64_t off = 0;
    apply(f->g, "A", "B", 100, T0);
    checkpoint(f->g, 1);
    apply(f->g, "A", "B", 7, T0 + 1);
    graph_close(f->g);
    f->g = open_graph(f->dir, 0);
    assert_int_equal(get(f->g, "A").out_sum, 100);
    assert_int_equal(graph_get_offset(f->g, "transfers", 3, &off, errstr, sizeof(errstr)), 1);
    assert_int_equal(off, 1);
}

static void test_discard_drops_changes_since_checkpoint(void **state)
{
    fx *f = *state;
    apply(f->g, "A", "B", 100, T0);
    checkpoint(f->g, 1);
    apply(f->g, "A", "B", 7, T0 + 1);
    assert_int_equal(get(f->g, "A").out_sum, 107);
    graph_discard(f->g);
    assert_int_equal(get(f->g, "A").out_sum, 100);
    assert_int_equal(get(f->g, "B").in_count, 1);
}

static void test_watch_and_profile_updates_reach_cached_accounts(void **state)
{
    fx *f = *state;
    char errstr[256];
    ix_watch w;
    ix_account p;
    memset(&w, 0, sizeof(w));
    memset(&p, 0, sizeof(p));
    assert_int_equal(get(f->g, "M").flags & IX_ACCT_WATCHLISTED, 0); /* now cached */
    snprintf(w.account, sizeof(w.account), "M");
    snprintf(w.list, sizeof(w.list), "police_report");
    assert_int_equal(graph_put_watch(f->g, &w, NULL, errstr, sizeof(errstr)), 0);
    graph_acct m = get(f->g, "M");
    assert_true(m.flags & IX_ACCT_WATCHLISTED);
    assert_string_equal(m.watch_list, "police_report");

    snprintf(p.account, sizeof(p.account), "M");
    snprintf(p.bank, sizeof(p.bank), "ICBKCNBJ");
    p.opened_at_ms = T0 - 86400000;
    p.holder_type = IX_HOLDER_PERSON;
    p.kyc_level = 2;
    p.flags = IX_ACCT_DORMANT;
    graph_offset off = {"accounts", 0, 42};
    assert_int_equal(graph_put_profile(f->g, &p, &off, errstr, sizeof(errstr)), 0);
    m = get(f->g, "M");
    assert_int_equal(m.has_profile, 1);
    assert_string_equal(m.bank, "ICBKCNBJ");
    assert_int_equal(m.kyc_level, 2);
    assert_int_equal(m.flags, IX_ACCT_DORMANT | IX_ACCT_WATCHLISTED);

    assert_int_equal(graph_del_watch(f->g, "M", NULL, errstr, sizeof(errstr)), 0);
    assert_int_equal(get(f->g, "M").flags, IX_ACCT_DORMANT);
    assert_int_equal(graph_get_watch(f->g, "M", &w, errstr, sizeof(errstr)), 0);

    /* Table updates are durable at once, with their offset. */
    graph_close(f->g);
    f->g = open_graph(f->dir, 0);
    m = get(f->g, "M");
    assert_int_equal(m.flags, IX_ACCT_DORMANT);
    int64_t o = 0;
    assert_int_equal(graph_get_offset(f->g, "accounts", 0, &o, errstr, sizeof(errstr)), 1);
    assert_int_equal(o, 42);
}

static void test_missing_and_locked_store_are_clear_errors(void **state)
{
    fx *f = *state;
    char errstr[512];
    graph *g = NULL;
    graph_opts missing = {.dir = "/tmp/ix-graph-does-not-exist", .cache_bytes = 8 << 20};
    assert_int_equal(graph_open(&missing, &g, errstr, sizeof(errstr)), -1);
    assert_non_null(strstr(errstr, "no state store at /tmp/ix-graph-does-not-exist"));
    graph_opts same = {.dir = f->dir, .cache_bytes = 8 << 20};
    assert_int_equal(graph_open(&same, &g, errstr, sizeof(errstr)), -1);
    assert_non_null(strstr(errstr, "locked"));
}

static void test_incident_check_and_set(void **state)
{
    fx *f = *state;
    char errstr[256];
    const int64_t day = 86400000;
    assert_int_equal(graph_raise_incident(f->g, "M", IX_ACTION_HOLD, T0, day, errstr, 256), 1);
    assert_int_equal(graph_raise_incident(f->g, "M", IX_ACTION_HOLD, T0 + 1, day, errstr, 256), 0);
    assert_int_equal(graph_raise_incident(f->g, "M", IX_ACTION_REVIEW, T0 + 2, day, errstr, 256),
                     0);
    assert_int_equal(graph_raise_incident(f->g, "M", IX_ACTION_FREEZE, T0 + 3, day, errstr, 256),
                     1);
    assert_int_equal(
        graph_raise_incident(f->g, "M", IX_ACTION_FREEZE, T0 + 3 + day, day, errstr, 256), 1);
    checkpoint(f->g, 9);
    graph_close(f->g);
    f->g = open_graph(f->dir, 0);
    graph_acct m = get(f->g, "M");
    assert_int_equal(m.incident_action, IX_ACTION_FREEZE);
    assert_int_equal(m.incident_at_ms, T0 + 3 + day);
}

/* Several workers hammer one account: not one update may be lost. */
#define HAMMER_THREADS 8
#define HAMMER_EACH    5000

static void *hammer(void *arg)
{
    graph *g = arg;
    char name[16];
    snprintf(name, sizeof(name), "S%lu", (unsigned long)pthread_self() % 1000);
    for (int i = 0; i < HAMMER_EACH; i++)
        apply(g, name, "HOT", 3, T0 + i);
    return NULL;
}

static void test_concurrent_updates_are_exact(void **state)
{
    fx *f = *state;
    pthread_t t[HAMMER_THREADS];
    for (int i = 0; i < HAMMER_THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, hammer, f->g), 0);
    for (int i = 0; i < HAMMER_THREADS; i++)
        pthread_join(t[i], NULL);
    graph_acct hot = get(f->g, "HOT");
    assert_int_equal(hot.in_count, HAMMER_THREADS * HAMMER_EACH);
    assert_int_equal(hot.in_sum, 3 * HAMMER_THREADS * HAMMER_EACH);
    assert_int_equal(hot.first_seen_ms, T0);
    assert_int_equal(hot.last_seen_ms, T0 + HAMMER_EACH - 1);
    checkpoint(f->g, 1);
    graph_close(f->g);
    f->g = open_graph(f->dir, 0);
    assert_int_equal(get(f->g, "HOT").in_count, HAMMER_THREADS * HAMMER_EACH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_apply_returns_state_before, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checkpoint_survives_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_uncheckpointed_changes_are_lost_on_reopen, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_discard_drops_changes_since_checkpoint, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_watch_and_profile_updates_reach_cached_accounts, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_missing_and_locked_store_are_clear_errors, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_incident_check_and_set, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_updates_are_exact, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
