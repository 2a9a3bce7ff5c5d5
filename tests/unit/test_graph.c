/* test_graph.c - the account graph: persistence, checkpoints, discards,
 * table updates, errors, and exact counters under concurrent workers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"

#define T0 1795000000000LL

/* A gate the writer thread waits at until the test opens it. */
typedef struct gate {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int open, waited;
} gate;

static void gate_wait(void *arg)
{
    gate *gt = arg;
    pthread_mutex_lock(&gt->lock);
    gt->waited++;
    while (!gt->open)
        pthread_cond_wait(&gt->cond, &gt->lock);
    pthread_mutex_unlock(&gt->lock);
}

static void gate_open(gate *gt)
{
    pthread_mutex_lock(&gt->lock);
    gt->open = 1;
    pthread_cond_broadcast(&gt->cond);
    pthread_mutex_unlock(&gt->lock);
}

typedef struct fx {
    char dir[64];
    graph *g;
    gate gt; /* for tests that hold a batch in flight: opened at teardown */
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
    pthread_mutex_init(&f->gt.lock, NULL);
    pthread_cond_init(&f->gt.cond, NULL);
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
    gate_open(&f->gt);
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

static void test_windows_in_snapshots(void **state)
{
    fx *f = *state;
    char errstr[256];
    graph_acct from, to;
    const int64_t min = 60000;
    apply(f->g, "A", "M", 1000, T0);
    apply(f->g, "B", "M", 2000, T0 + 30 * min);
    ix_transfer x = transfer("M", "C", 2500, T0 + 50 * min);
    assert_int_equal(graph_apply_transfer(f->g, &x, &from, &to, errstr, sizeof(errstr)), 0);
    /* The snapshot is before the transfer, with windows as of its time. */
    assert_int_equal(from.win[WIN_1H].in_sum, 3000);
    assert_int_equal(from.win[WIN_1H].out_sum, 0);
    assert_int_equal(from.win[WIN_10M].in_sum, 0);
    assert_int_equal(from.last_in_ms, T0 + 30 * min);
    graph_acct m;
    assert_int_equal(graph_get(f->g, "M", T0 + 50 * min, &m, errstr, sizeof(errstr)), 0);
    assert_int_equal(m.win[WIN_1H].out_sum, 2500);
    assert_int_equal(graph_held(&m, WIN_1H), 500);
    assert_int_equal(graph_held(&m, WIN_10M), 0); /* more left than arrived */
    assert_int_equal(m.win[WIN_1D].in_count, 2);
    /* A day later the hour is empty, the 30 days are not. */
    assert_int_equal(graph_get(f->g, "M", T0 + 25 * 60 * min, &m, errstr, sizeof(errstr)), 0);
    assert_int_equal(m.win[WIN_1H].in_count, 0);
    assert_int_equal(m.win[WIN_30D].in_sum, 3000);
}

static void test_edges_merge_store_and_pending(void **state)
{
    fx *f = *state;
    char errstr[256];
    graph_edge e[8];
    apply(f->g, "S1", "R", 100, T0);
    apply(f->g, "S2", "R", 200, T0 + 10);
    apply(f->g, "S1", "R", 50, T0 + 20);
    checkpoint(f->g, 3);
    /* After the checkpoint: one more from S1 (pending) and a new sender. */
    apply(f->g, "S1", "R", 1, T0 + 30);
    apply(f->g, "S3", "R", 7, T0 + 40);
    int n = graph_edges(f->g, "R", GRAPH_IN, 0, e, 8, errstr, sizeof(errstr));
    assert_int_equal(n, 3);
    assert_string_equal(e[0].peer, "S1"); /* stored ones come in key order */
    assert_int_equal(e[0].count, 3);
    assert_int_equal(e[0].sum, 151);
    assert_int_equal(e[0].first_ms, T0);
    assert_int_equal(e[0].last_ms, T0 + 30);
    assert_string_equal(e[1].peer, "S2");
    assert_int_equal(e[1].sum, 200);
    assert_string_equal(e[2].peer, "S3");
    assert_int_equal(e[2].count, 1);
    /* Only counterparties active since a time; and more than max: max + 1. */
    assert_int_equal(graph_edges(f->g, "R", GRAPH_IN, T0 + 25, e, 8, errstr, sizeof(errstr)), 2);
    assert_int_equal(graph_edges(f->g, "R", GRAPH_IN, 0, e, 1, errstr, sizeof(errstr)), 2);
    assert_string_equal(e[0].peer, "S1");
    /* The other direction, from the sender's side. */
    assert_int_equal(graph_edges(f->g, "S1", GRAPH_OUT, 0, e, 8, errstr, sizeof(errstr)), 1);
    assert_string_equal(e[0].peer, "R");
    assert_int_equal(e[0].sum, 151);
    assert_int_equal(graph_edges(f->g, "S1", GRAPH_IN, 0, e, 8, errstr, sizeof(errstr)), 0);
    /* And after another checkpoint and a restart, the same. */
    checkpoint(f->g, 5);
    graph_close(f->g);
    f->g = open_graph(f->dir, 0);
    assert_int_equal(graph_edges(f->g, "R", GRAPH_IN, 0, e, 8, errstr, sizeof(errstr)), 3);
    assert_int_equal(e[0].count, 3);
    assert_int_equal(e[0].sum, 151);
}

/* The fixture's graph again, its writer waiting at f->gt for each batch. */
static void reopen_gated(fx *f)
{
    char errstr[512];
    graph_close(f->g);
    graph_opts o = {
        .dir = f->dir, .cache_bytes = 16 << 20, .write_hook = gate_wait, .write_hook_arg = &f->gt};
    if (graph_open(&o, &f->g, errstr, sizeof(errstr)) != 0)
        fail_msg("graph_open: %s", errstr);
}

static void assert_edge(const graph_edge *e, const char *peer, int64_t count, int64_t sum,
                        int64_t first, int64_t last)
{
    assert_string_equal(e->peer, peer);
    assert_int_equal(e->count, count);
    assert_int_equal(e->sum, sum);
    assert_int_equal(e->first_ms, first);
    assert_int_equal(e->last_ms, last);
}

/* What the in-flight case must read of R whenever it looks: three
 * senders and four flows, oldest 100, newest 7. */
static void assert_r_sees(graph *g)
{
    char errstr[256];
    graph_edge e[8];
    graph_flow fl[8];
    assert_int_equal(graph_edges(g, "R", GRAPH_IN, 0, e, 8, errstr, sizeof(errstr)), 3);
    assert_edge(&e[0], "S1", 2, 150, T0, T0 + 20);
    assert_edge(&e[1], "S2", 1, 200, T0 + 10, T0 + 10);
    assert_edge(&e[2], "S3", 1, 7, T0 + 30, T0 + 30);
    assert_int_equal(graph_flows(g, "R", GRAPH_IN, 0, T0 + 60000, fl, 8, errstr, sizeof(errstr)),
                     4);
    assert_int_equal(fl[0].amount, 100);
    assert_int_equal(fl[3].amount, 7);
}

/* While a checkpoint's batch is being written, reads see exactly what they
 * see once it landed: its changes from memory, the store without them, and
 * nothing twice after it lands. */
static void test_reads_while_a_batch_is_in_flight(void **state)
{
    fx *f = *state;
    char errstr[256];
    graph_edge e[8];
    gate *gt = &f->gt;
    reopen_gated(f);
    apply(f->g, "S1", "R", 100, T0);
    apply(f->g, "S2", "R", 200, T0 + 10);
    assert_int_equal(graph_seen_transfer(f->g, "ID-1", T0, errstr, sizeof(errstr)), 0);
    graph_offset off = {"transfers", 3, 2};
    assert_int_equal(graph_checkpoint_begin(f->g, &off, 1, errstr, sizeof(errstr)), 0);
    /* In flight now (the writer waits at the gate); more arrives. */
    apply(f->g, "S1", "R", 50, T0 + 20);
    apply(f->g, "S3", "R", 7, T0 + 30);
    assert_r_sees(f->g);
    assert_int_equal(graph_seen_transfer(f->g, "ID-1", T0, errstr, sizeof(errstr)), 1);
    assert_int_equal(get(f->g, "R").in_sum, 357);
    /* The next checkpoint lands the first batch before its own. */
    gate_open(gt);
    off.offset = 4;
    assert_int_equal(graph_checkpoint_begin(f->g, &off, 1, errstr, sizeof(errstr)), 0);
    assert_int_equal(graph_edges(f->g, "R", GRAPH_IN, 0, e, 8, errstr, sizeof(errstr)), 3);
    assert_edge(&e[0], "S1", 2, 150, T0, T0 + 20);
    assert_int_equal(graph_sync(f->g, errstr, sizeof(errstr)), 0);
    assert_int_equal(gt->waited, 2); /* both batches went through the writer */
    assert_r_sees(f->g);
    int64_t at = 0;
    assert_int_equal(graph_get_offset(f->g, "transfers", 3, &at, errstr, sizeof(errstr)), 1);
    assert_int_equal(at, 4);
    /* And the store alone has the same after a restart. */
    graph_close(f->g);
    f->g = open_graph(f->dir, 0);
    assert_r_sees(f->g);
    assert_int_equal(get(f->g, "R").in_sum, 357);
    assert_int_equal(graph_seen_transfer(f->g, "ID-1", T0, errstr, sizeof(errstr)), 1);
    assert_int_equal(graph_seen_transfer(f->g, "ID-2", T0, errstr, sizeof(errstr)), 0);
}

/* Discarding with a batch in flight keeps that batch (its transaction was
 * committed) and drops only what came after it. */
static void test_discard_with_a_batch_in_flight(void **state)
{
    fx *f = *state;
    char errstr[256];
    graph_edge e[8];
    gate *gt = &f->gt;
    reopen_gated(f);
    apply(f->g, "S1", "R", 100, T0);
    graph_offset off = {"transfers", 3, 1};
    assert_int_equal(graph_checkpoint_begin(f->g, &off, 1, errstr, sizeof(errstr)), 0);
    apply(f->g, "S1", "R", 50, T0 + 20);
    gate_open(gt);
    graph_discard(f->g);
    assert_int_equal(graph_edges(f->g, "R", GRAPH_IN, 0, e, 8, errstr, sizeof(errstr)), 1);
    assert_edge(&e[0], "S1", 1, 100, T0, T0);
    assert_int_equal(get(f->g, "R").in_sum, 100);
    int64_t at = 0;
    assert_int_equal(graph_get_offset(f->g, "transfers", 3, &at, errstr, sizeof(errstr)), 1);
    assert_int_equal(at, 1);
}

static uint64_t examined(graph *g)
{
    graph_stats st;
    graph_get_stats(g, &st);
    return st.edges_examined;
}

/* A hub account (issue 16): 2,000 stored senders and 600 since the last
 * checkpoint. Reading its edges compared every stored edge with every
 * pending one (2,000 rows read, 1.2 million comparisons per transfer into
 * it, the screener stalled); now the scan reads at most max stored edges and
 * finds each pending one by its index, whatever the account's size. */
static void test_hub_edge_scan_is_bounded(void **state)
{
    fx *f = *state;
    char errstr[256], peer[32];
    graph_edge e[64];
    for (int i = 0; i < 2000; i++) {
        snprintf(peer, sizeof(peer), "S%04d", i);
        apply(f->g, peer, "HUB", 10, T0 + i);
    }
    checkpoint(f->g, 1);
    /* First 100 stored senders again (S0000..S0099: the first by key), then
     * 500 new ones. */
    for (int i = 0; i < 100; i++) {
        snprintf(peer, sizeof(peer), "S%04d", i);
        apply(f->g, peer, "HUB", 1, T0 + 10000 + i);
    }
    for (int i = 0; i < 500; i++) {
        snprintf(peer, sizeof(peer), "N%04d", i);
        apply(f->g, peer, "HUB", 1, T0 + 20000 + i);
    }
    /* All of them: the first 64 stored ones by key, merged; nothing more. */
    uint64_t before = examined(f->g);
    assert_int_equal(graph_edges(f->g, "HUB", GRAPH_IN, 0, e, 64, errstr, sizeof(errstr)), 65);
    assert_int_equal(examined(f->g) - before, 64);
    assert_string_equal(e[0].peer, "S0000");
    assert_int_equal(e[0].count, 2);
    assert_int_equal(e[0].sum, 11);
    assert_int_equal(e[0].first_ms, T0);
    assert_string_equal(e[63].peer, "S0063");
    /* Active since the 65th re-send: the 64 stored edges read are all older,
     * so the pending ones fill the room in arrival order: 64 skipped (merged
     * into edges read), S0064..S0099 with their stored history (one store
     * read each), then the first 28 new senders. */
    before = examined(f->g);
    assert_int_equal(graph_edges(f->g, "HUB", GRAPH_IN, T0 + 10064, e, 64, errstr, sizeof(errstr)),
                     65);
    assert_int_equal(examined(f->g) - before, 64 + 64 + 36 + 28);
    assert_string_equal(e[0].peer, "S0064");
    assert_int_equal(e[0].count, 2);
    assert_int_equal(e[0].first_ms, T0 + 64);
    assert_int_equal(e[0].last_ms, T0 + 10064);
    assert_string_equal(e[35].peer, "S0099");
    assert_string_equal(e[36].peer, "N0000");
    assert_int_equal(e[36].count, 1);
    assert_int_equal(e[36].first_ms, T0 + 20000);
    assert_string_equal(e[63].peer, "N0027");
    /* The same again costs the same (the store reads are remembered). */
    before = examined(f->g);
    assert_int_equal(graph_edges(f->g, "HUB", GRAPH_IN, T0 + 10064, e, 64, errstr, sizeof(errstr)),
                     65);
    assert_int_equal(examined(f->g) - before, 64 + 64 + 36 + 28);
    assert_string_equal(e[0].peer, "S0064");
    assert_int_equal(e[0].first_ms, T0 + 64);
    /* Checkpointed, the pending edges are stored ones: read in key order. */
    checkpoint(f->g, 2);
    assert_int_equal(graph_edges(f->g, "HUB", GRAPH_IN, 0, e, 64, errstr, sizeof(errstr)), 65);
    assert_string_equal(e[0].peer, "N0000");
    assert_int_equal(graph_edges(f->g, "HUB", GRAPH_IN, T0 + 10000, e, 64, errstr, sizeof(errstr)),
                     65);
    assert_string_equal(e[0].peer, "N0000");
    assert_int_equal(e[0].count, 1);
}

static void test_flows_in_time_order(void **state)
{
    fx *f = *state;
    char errstr[256];
    graph_flow fl[8];
    apply(f->g, "A", "X", 1, T0 + 300);
    apply(f->g, "A", "Y", 2, T0 + 100);
    checkpoint(f->g, 2);
    apply(f->g, "A", "Z", 3, T0 + 200); /* pending, between the stored ones */
    apply(f->g, "A", "W", 4, T0 + 400);
    int n = graph_flows(f->g, "A", GRAPH_OUT, T0, T0 + 1000, fl, 8, errstr, sizeof(errstr));
    assert_int_equal(n, 4);
    assert_string_equal(fl[0].peer, "Y");
    assert_string_equal(fl[1].peer, "Z");
    assert_string_equal(fl[2].peer, "X");
    assert_string_equal(fl[3].peer, "W");
    assert_int_equal(fl[1].amount, 3);
    assert_int_equal(fl[1].time_ms, T0 + 200);
    assert_int_equal(fl[1].dir, GRAPH_OUT);
    assert_string_equal(fl[0].transfer_id, "T-A-1795000000100");
    /* A time range and a cap keep the oldest. */
    n = graph_flows(f->g, "A", GRAPH_OUT, T0 + 150, T0 + 350, fl, 8, errstr, sizeof(errstr));
    assert_int_equal(n, 2);
    assert_string_equal(fl[0].peer, "Z");
    assert_string_equal(fl[1].peer, "X");
    n = graph_flows(f->g, "A", GRAPH_OUT, T0, T0 + 1000, fl, 2, errstr, sizeof(errstr));
    assert_int_equal(n, 2);
    assert_string_equal(fl[1].peer, "Z");
    /* The receiver sees its side. */
    n = graph_flows(f->g, "X", GRAPH_IN, T0, T0 + 1000, fl, 8, errstr, sizeof(errstr));
    assert_int_equal(n, 1);
    assert_string_equal(fl[0].peer, "A");
    assert_int_equal(fl[0].dir, GRAPH_IN);
    /* A discard forgets the pending ones. */
    graph_discard(f->g);
    assert_int_equal(graph_flows(f->g, "A", GRAPH_OUT, T0, T0 + 1000, fl, 8, errstr, 256), 2);
}

static int64_t fake_now;

static int64_t fake_clock(void *arg)
{
    (void)arg;
    return fake_now;
}

static void test_retention_drops_old_edges_and_flows(void **state)
{
    fx *f = *state;
    char errstr[512];
    graph_edge e[4];
    graph_flow fl[4];
    const int64_t day = 86400000;
    graph_close(f->g);
    graph_opts o = {
        .dir = f->dir, .cache_bytes = 16 << 20, .retention_ms = 10 * day, .clock_ms = fake_clock};
    fake_now = T0;
    assert_int_equal(graph_open(&o, &f->g, errstr, sizeof(errstr)), 0);
    apply(f->g, "OLD", "R", 5, T0 - 20 * day);
    apply(f->g, "NEW", "R", 6, T0 - 2 * day);
    checkpoint(f->g, 2);
    graph_compact(f->g);
    assert_int_equal(graph_edges(f->g, "R", GRAPH_IN, 0, e, 4, errstr, sizeof(errstr)), 1);
    assert_string_equal(e[0].peer, "NEW");
    assert_int_equal(graph_flows(f->g, "R", GRAPH_IN, 0, T0, fl, 4, errstr, sizeof(errstr)), 1);
    assert_int_equal(graph_flows(f->g, "OLD", GRAPH_OUT, 0, T0, fl, 4, errstr, 256), 0);
    /* Totals are kept whatever the retention. */
    assert_int_equal(get(f->g, "R").in_sum, 11);
    /* Nine days on, the newer ones go too. */
    fake_now = T0 + 9 * day;
    graph_compact(f->g);
    assert_int_equal(graph_edges(f->g, "R", GRAPH_IN, 0, e, 4, errstr, sizeof(errstr)), 0);
    assert_int_equal(graph_flows(f->g, "R", GRAPH_IN, 0, T0, fl, 4, errstr, sizeof(errstr)), 0);
}

/* The screener's graph cuts at the stream's own time: a backfill of flows a
 * year old keeps those within state.retention of its latest event. */
static void test_retention_follows_the_event_time(void **state)
{
    fx *f = *state;
    char errstr[512];
    graph_edge e[4];
    graph_flow fl[4];
    const int64_t day = 86400000, old = T0 - 365 * day;
    graph_close(f->g);
    graph_opts o = {
        .dir = f->dir, .cache_bytes = 16 << 20, .retention_ms = 10 * day, .event_clock = 1};
    assert_int_equal(graph_open(&o, &f->g, errstr, sizeof(errstr)), 0);
    assert_int_equal(graph_watermark(f->g), 0);
    apply(f->g, "OLD", "R", 5, old - 20 * day);
    apply(f->g, "NEW", "R", 6, old - 2 * day);
    apply(f->g, "NOW", "R", 7, old);
    assert_int_equal(graph_watermark(f->g), old);
    apply(f->g, "LATE", "R", 8, old - 1 * day); /* out of order: the mark stays */
    assert_int_equal(graph_watermark(f->g), old);
    checkpoint(f->g, 4);
    graph_compact(f->g);
    /* Against the wall clock all four would be gone. */
    assert_int_equal(graph_edges(f->g, "R", GRAPH_IN, 0, e, 4, errstr, sizeof(errstr)), 3);
    assert_int_equal(graph_flows(f->g, "R", GRAPH_IN, 0, old, fl, 4, errstr, sizeof(errstr)), 3);
    assert_int_equal(graph_flows(f->g, "OLD", GRAPH_OUT, 0, old, fl, 4, errstr, 256), 0);
    assert_int_equal(get(f->g, "R").in_sum, 26);
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

/* Crash atomicity: a child process screens and checkpoints as fast as it
 * can until it is killed with SIGKILL at a random moment. Whatever the store
 * holds afterwards must be one whole checkpoint: the stored offset says how
 * many transfers were applied, and the account state, its flows and its
 * edges must say exactly the same. */
static int crash_child(const char *dir, int ready_fd)
{
    graph *g = open_graph(dir, 1);
    char errstr[256], name[32];
    for (int64_t n = 1;; n++) {
        snprintf(name, sizeof(name), "C%lld", (long long)(n % 50));
        apply(g, name, "HOT", 1, T0 + n);
        if (n % 7 == 0) {
            graph_offset off = {"transfers", 0, n};
            if (graph_checkpoint(g, &off, 1, errstr, sizeof(errstr)) != 0)
                return 1;
            if (ready_fd >= 0) {
                /* Tell the parent the first checkpoint is written. */
                (void)!write(ready_fd, "r", 1);
                close(ready_fd);
                ready_fd = -1;
            }
        }
    }
}

static void test_checkpoints_are_atomic_across_kill(void **state)
{
    fx *f = *state;
    char self[512], errstr[256], dir[128];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    assert_true(n > 0);
    self[n] = '\0';
    for (int round = 0; round < 4; round++) {
        snprintf(dir, sizeof(dir), "%s/crash%d", f->dir, round);
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            char fd[16];
            close(fds[0]);
            snprintf(fd, sizeof(fd), "%d", fds[1]);
            execl(self, self, "--crash-child", dir, fd, (char *)NULL);
            _exit(127);
        }
        close(fds[1]);
        char ready;
        assert_int_equal(read(fds[0], &ready, 1), 1); /* the first checkpoint is in */
        close(fds[0]);
        /* Then kill it at a different moment each round. */
        struct timespec ts = {0, (20 + 90 * round) * 1000000L};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        assert_true(WIFSIGNALED(status));

        graph *g = open_graph(dir, 0);
        int64_t off = 0;
        assert_int_equal(graph_get_offset(g, "transfers", 0, &off, errstr, sizeof(errstr)), 1);
        assert_true(off > 0 && off % 7 == 0);
        graph_acct hot;
        assert_int_equal(graph_get(g, "HOT", T0 + off, &hot, errstr, sizeof(errstr)), 0);
        assert_int_equal(hot.in_count, off);
        assert_int_equal(hot.in_sum, off);
        assert_int_equal(hot.last_in_ms, T0 + off);
        graph_edge e[64];
        int ne = graph_edges(g, "HOT", GRAPH_IN, 0, e, 64, errstr, sizeof(errstr));
        int64_t count = 0;
        for (int i = 0; i < ne; i++)
            count += e[i].count;
        assert_int_equal(count, off);
        graph_flow *fl = calloc((size_t)off + 1, sizeof(*fl));
        int nf =
            graph_flows(g, "HOT", GRAPH_IN, 0, INT64_MAX, fl, (int)off + 1, errstr, sizeof(errstr));
        assert_int_equal(nf, off);
        free(fl);
        graph_close(g);
    }
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--crash-child") == 0)
        return crash_child(argv[2], atoi(argv[3]));
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
        cmocka_unit_test_setup_teardown(test_windows_in_snapshots, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edges_merge_store_and_pending, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reads_while_a_batch_is_in_flight, setup, teardown),
        cmocka_unit_test_setup_teardown(test_discard_with_a_batch_in_flight, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hub_edge_scan_is_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flows_in_time_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retention_drops_old_edges_and_flows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retention_follows_the_event_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checkpoints_are_atomic_across_kill, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
