/* bench_graph.c - the state store's per-transfer path, measured on one core:
 * for every transfer both accounts are looked up (cache, then RocksDB
 * MultiGet on a miss), their totals, windows, flows and edges updated, and
 * every --checkpoint-every transfers everything is written to RocksDB in one
 * batch with the offsets. Prints transfers per second with and without the
 * checkpoint writes, the cache hit rate and the peak resident size.
 *
 * bench/graph.sh runs it for 1 and 10 million accounts next to RocksDB's own
 * db_bench readrandom and writes bench/results/graph.md.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench_common.h"
#include "graph.h"
#include "timefmt.h"

typedef struct bopts {
    int64_t accounts, transfers, checkpoint_every;
    int64_t cache_mb;
    const char *dir;
    uint64_t seed;
    int hot; /* percent of transfers among the hottest 1% of accounts */
} bopts;

static void usage(FILE *out)
{
    fprintf(out, "usage: bench_graph --dir DIR [--accounts N] [--transfers N] [--cache-mb N]\n"
                 "                   [--checkpoint-every N] [--hot PERCENT] [--seed N]\n"
                 "\n"
                 "Creates a state store in DIR (which must not exist), loads N accounts\n"
                 "(default 1000000) by one transfer each, then times --transfers (default\n"
                 "2000000) random transfers through graph_apply_transfer on one thread,\n"
                 "checkpointing every --checkpoint-every (default 50000) transfers.\n"
                 "--cache-mb (default 2048) is the account cache plus RocksDB's block cache.\n"
                 "--hot (default 20) percent of transfers touch the busiest 1%% of accounts.\n");
}

/* Returns 0, 1 after --help, -1 on a usage error. */
static int parse(int argc, char **argv, bopts *o)
{
    const bc_opt table[] = {{"dir", BC_STR, &o->dir, 1, NULL},
                            {"accounts", BC_I64, &o->accounts, 0, NULL},
                            {"transfers", BC_I64, &o->transfers, 0, NULL},
                            {"cache-mb", BC_I64, &o->cache_mb, 0, NULL},
                            {"checkpoint-every", BC_I64, &o->checkpoint_every, 0, NULL},
                            {"hot", BC_INT, &o->hot, 0, NULL},
                            {"seed", BC_U64, &o->seed, 0, NULL},
                            {0}};
    *o = (bopts){.accounts = 1000000,
                 .transfers = 2000000,
                 .checkpoint_every = 50000,
                 .cache_mb = 2048,
                 .seed = 1,
                 .hot = 20};
    int rc = bc_parse(argc, argv, table, usage);
    if (rc == 0 && (o->accounts < 100 || o->transfers < 1 || o->checkpoint_every < 1 ||
                    o->hot < 0 || o->hot > 100)) {
        usage(stderr);
        rc = -1;
    }
    return rc;
}

/* splitmix64: the benchmark's own small generator. */
typedef struct rng {
    uint64_t s;
} rng;

static uint64_t next(rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int64_t below(rng *r, int64_t n)
{
    return (int64_t)(next(r) % (uint64_t)n);
}

/* Account ids shaped like the generator's: "62" and 14 digits. */
static void account_id(int64_t i, char *out, size_t size)
{
    snprintf(out, size, "62%06lld%08lld", (long long)((i * 7919) % 1000000), (long long)i);
}

static double secs(int64_t ns)
{
    return (double)ns / 1e9;
}

static long peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

/* A transfer between two accounts; `hot` percent among the top 1%. */
static void pick(rng *g, const bopts *o, int64_t seq, int64_t base_ms, ix_transfer *t)
{
    int64_t n = o->accounts, hotn = n / 100;
    int64_t a = below(g, 100) < o->hot ? below(g, hotn) : below(g, n);
    int64_t b = below(g, n - 1);
    if (b >= a)
        b++;
    memset(t, 0, sizeof(*t));
    snprintf(t->id, sizeof(t->id), "B%012" PRId64, seq);
    account_id(a, t->from_account, sizeof(t->from_account));
    account_id(b, t->to_account, sizeof(t->to_account));
    t->amount = 100 + below(g, 100000);
    memcpy(t->currency, "CNY", 4);
    t->event_time_ms = base_ms + seq; /* one per millisecond of event time */
}

static int checkpoint(graph *gr, int64_t offset)
{
    char errstr[512];
    graph_offset off = {"transfers", 0, offset};
    if (graph_checkpoint(gr, &off, 1, errstr, sizeof(errstr)) != 0) {
        fprintf(stderr, "bench_graph: checkpoint: %s\n", errstr);
        return -1;
    }
    return 0;
}

/* Run n transfers starting at seq; returns ns spent in checkpoints via *ck. */
static int run(graph *gr, rng *g, const bopts *o, int64_t seq0, int64_t n, int64_t base_ms,
               int64_t *ck_ns)
{
    char errstr[512];
    graph_acct from, to;
    ix_transfer t;
    *ck_ns = 0;
    for (int64_t i = 0; i < n; i++) {
        pick(g, o, seq0 + i, base_ms, &t);
        if (graph_apply_transfer(gr, &t, &from, &to, errstr, sizeof(errstr)) != 0) {
            fprintf(stderr, "bench_graph: %s\n", errstr);
            return -1;
        }
        if ((i + 1) % o->checkpoint_every == 0) {
            int64_t t0 = tf_mono_ns();
            if (checkpoint(gr, seq0 + i + 1) != 0)
                return -1;
            *ck_ns += tf_mono_ns() - t0;
        }
    }
    return 0;
}

/* Every account gets a first transfer (i -> i+1), so the store holds them all. */
static int load(graph *gr, const bopts *o, int64_t base_ms)
{
    char errstr[512];
    graph_acct from, to;
    ix_transfer t;
    for (int64_t i = 0; i < o->accounts; i++) {
        memset(&t, 0, sizeof(t));
        snprintf(t.id, sizeof(t.id), "L%012" PRId64, i);
        account_id(i, t.from_account, sizeof(t.from_account));
        account_id((i + 1) % o->accounts, t.to_account, sizeof(t.to_account));
        t.amount = 1000;
        memcpy(t.currency, "CNY", 4);
        t.event_time_ms = base_ms - o->accounts + i;
        if (graph_apply_transfer(gr, &t, &from, &to, errstr, sizeof(errstr)) != 0) {
            fprintf(stderr, "bench_graph: load: %s\n", errstr);
            return -1;
        }
        if ((i + 1) % 100000 == 0 && checkpoint(gr, 0) != 0)
            return -1;
    }
    return checkpoint(gr, 0);
}

int main(int argc, char **argv)
{
    bopts o;
    char errstr[512];
    graph *gr = NULL;
    int prc = parse(argc, argv, &o);
    if (prc != 0)
        return prc > 0 ? 0 : 2;
    graph_opts go = {.dir = o.dir, .cache_bytes = (size_t)o.cache_mb << 20, .create = 1};
    if (graph_open(&go, &gr, errstr, sizeof(errstr)) != 0) {
        fprintf(stderr, "bench_graph: %s\n", errstr);
        return 1;
    }
    rng g = {o.seed};
    int64_t base_ms = tf_now_ms() - o.transfers - 1000;

    int64_t t0 = tf_mono_ns();
    if (load(gr, &o, base_ms) != 0)
        return 1;
    double load_s = secs(tf_mono_ns() - t0);

    /* Warm the cache with one pass over a tenth of the measured volume. */
    int64_t ck = 0;
    if (run(gr, &g, &o, 0, o.transfers / 10, base_ms, &ck) != 0)
        return 1;
    graph_stats before;
    graph_get_stats(gr, &before);

    t0 = tf_mono_ns();
    if (run(gr, &g, &o, o.transfers / 10, o.transfers, base_ms, &ck) != 0)
        return 1;
    int64_t total = tf_mono_ns() - t0;
    graph_stats st;
    graph_get_stats(gr, &st);

    double misses = (double)(st.cache_misses - before.cache_misses);
    printf("accounts          %" PRId64 "\n", o.accounts);
    printf("transfers         %" PRId64 " (after %" PRId64 " to warm up)\n", o.transfers,
           o.transfers / 10);
    printf("load              %.1f s (%.0f accounts/s)\n", load_s, (double)o.accounts / load_s);
    printf("per-transfer path %.0f transfers/s including checkpoints\n",
           (double)o.transfers / secs(total));
    printf("without writes    %.0f transfers/s (lookups and cache updates only)\n",
           (double)o.transfers / secs(total - ck));
    printf("checkpoint share  %.1f %% of the time\n", 100.0 * (double)ck / (double)total);
    printf("cache misses      %.2f %% of account lookups\n",
           100.0 * misses / (2.0 * (double)o.transfers));
    printf("cached accounts   %" PRIu64 " (%.0f MB), RocksDB memory %.0f MB\n", st.cached_accounts,
           (double)st.cache_bytes / 1048576.0, (double)st.rocksdb_bytes / 1048576.0);
    printf("peak RSS          %ld MB\n", peak_rss_mb());
    graph_close(gr);
    return 0;
}
