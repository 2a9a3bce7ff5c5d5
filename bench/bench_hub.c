/* bench_hub.c - the cost of one transfer into a hub account: an account
 * already paid by N distinct senders (10^4, 10^5, 10^6 by default) receives
 * --transfers more, each from a new sender, screened in process through
 * scr_transfer (admission, apply, every rule) with a checkpoint every
 * --checkpoint-every transfers, as a backlog is screened. Collection accounts
 * with many payers are what the screener hunts, so the cost per transfer must
 * not grow with N: the figure printed per size is microseconds per transfer
 * into the hub (checkpoints included), which should be flat.
 *
 * The stored senders are loaded through graph_apply_transfer (no rules) a
 * day before the measured ones, which arrive one per second of event time.
 */
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_common.h"
#include "graph.h"
#include "rules.h"
#include "screen.h"
#include "timefmt.h"

#define HUB_ACCOUNT "62999999HUB00001"
#define DAY_MS      86400000LL
#define LOAD_CKPT   20000 /* stored senders per checkpoint while loading */

typedef struct hopts {
    const char *sizes; /* comma-separated counts of stored senders */
    const char *dir;   /* parent of the temporary stores */
    int64_t transfers, checkpoint_every;
} hopts;

static void usage(FILE *out)
{
    fprintf(out, "usage: bench_hub [--sizes N,N,...] [--transfers N] [--checkpoint-every N]\n"
                 "                 [--dir DIR]\n"
                 "\n"
                 "For each size N (default 10000,100000,1000000) a fresh state store under\n"
                 "DIR (default /tmp) gets one hub account paid once by each of N senders,\n"
                 "then --transfers (default 1000) transfers from new senders into the hub\n"
                 "are screened with every rule, checkpointing every --checkpoint-every\n"
                 "(default 1000) of them. Prints microseconds per transfer into the hub.\n");
}

static int parse(int argc, char **argv, hopts *o)
{
    const bc_opt table[] = {{"sizes", BC_STR, &o->sizes, 0, NULL},
                            {"dir", BC_STR, &o->dir, 0, NULL},
                            {"transfers", BC_I64, &o->transfers, 0, NULL},
                            {"checkpoint-every", BC_I64, &o->checkpoint_every, 0, NULL},
                            {0}};
    *o = (hopts){.sizes = "10000,100000,1000000",
                 .dir = "/tmp",
                 .transfers = 1000,
                 .checkpoint_every = 1000};
    int rc = bc_parse(argc, argv, table, usage);
    if (rc == 0 && (o->transfers < 1 || o->checkpoint_every < 1)) {
        usage(stderr);
        rc = -1;
    }
    return rc;
}

static void sender(const char *kind, int64_t i, char *out, size_t size)
{
    snprintf(out, size, "62%s%012lld", kind, (long long)i);
}

static void transfer(ix_transfer *t, const char *from, int64_t seq, int64_t time_ms)
{
    memset(t, 0, sizeof(*t));
    snprintf(t->id, sizeof(t->id), "H%012" PRId64, seq);
    snprintf(t->from_account, sizeof(t->from_account), "%s", from);
    snprintf(t->to_account, sizeof(t->to_account), "%s", HUB_ACCOUNT);
    snprintf(t->from_bank, sizeof(t->from_bank), "BANKA");
    snprintf(t->to_bank, sizeof(t->to_bank), "BANKB");
    t->amount = 50000 + seq % 1000;
    memcpy(t->currency, "CNY", 4);
    t->event_time_ms = time_ms;
}

/* Adds the time it took to *ck_ns. */
static int checkpoint(graph *g, int64_t offset, int64_t *ck_ns)
{
    char errstr[512];
    int64_t t0 = tf_mono_ns();
    graph_offset off = {"transfers", 0, offset};
    if (graph_checkpoint(g, &off, 1, errstr, sizeof(errstr)) != 0) {
        fprintf(stderr, "bench_hub: checkpoint: %s\n", errstr);
        return -1;
    }
    *ck_ns += tf_mono_ns() - t0;
    return 0;
}

/* n senders, each paying the hub once, a day or more before base_ms. */
static int load(graph *g, int64_t n, int64_t base_ms)
{
    char errstr[512], from[IX_ACCOUNT_MAX + 1];
    graph_acct a, b;
    ix_transfer t;
    int64_t ck = 0;
    for (int64_t i = 0; i < n; i++) {
        sender("10", i, from, sizeof(from));
        transfer(&t, from, i, base_ms - DAY_MS - (n - i));
        if (graph_apply_transfer(g, &t, &a, &b, errstr, sizeof(errstr)) != 0) {
            fprintf(stderr, "bench_hub: load: %s\n", errstr);
            return -1;
        }
        if ((i + 1) % LOAD_CKPT == 0 && checkpoint(g, 0, &ck) != 0)
            return -1;
    }
    if (checkpoint(g, 0, &ck) != 0)
        return -1;
    graph_compact(g); /* the measured part starts from flushed, compacted tables */
    return 0;
}

/* The measured transfers: new senders into the hub through every rule. */
static int screen(graph *g, const cfg *c, const rules *r, const hopts *o, int64_t n,
                  int64_t base_ms, int64_t *requests, int64_t *ck_ns)
{
    char errstr[512], from[IX_ACCOUNT_MAX + 1];
    ix_request *reqs = calloc(SCR_MAX_REQUESTS, sizeof(*reqs));
    scr_ctx x;
    scr_result res;
    ix_transfer t;
    int rc = -1;
    if (!reqs)
        return -1;
    scr_init(&x, c, g, r, reqs, NULL);
    *requests = 0;
    for (int64_t i = 0; i < o->transfers; i++) {
        sender("20", i, from, sizeof(from));
        transfer(&t, from, n + i, base_ms + i * 1000);
        if (scr_transfer(&x, &t, t.event_time_ms, &res, errstr, sizeof(errstr)) != 0) {
            fprintf(stderr, "bench_hub: %s\n", errstr);
            goto out;
        }
        *requests += res.nreqs;
        if ((i + 1) % o->checkpoint_every == 0 && checkpoint(g, n + i + 1, ck_ns) != 0)
            goto out;
    }
    rc = checkpoint(g, n + o->transfers, ck_ns);
out:
    free(reqs);
    return rc;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* One size in a store of its own; prints one line. */
static int run_size(const cfg *c, const rules *r, const hopts *o, int64_t n)
{
    char dir[4096], errstr[512];
    graph *g = NULL;
    int rc = -1;
    snprintf(dir, sizeof(dir), "%s/ix-hub-XXXXXX", o->dir);
    if (!mkdtemp(dir)) {
        fprintf(stderr, "bench_hub: %s: cannot create\n", dir);
        return -1;
    }
    graph_opts go = {.dir = dir, .cache_bytes = (size_t)256 << 20, .create = 1, .event_clock = 1};
    if (graph_open(&go, &g, errstr, sizeof(errstr)) != 0) {
        fprintf(stderr, "bench_hub: %s\n", errstr);
        goto out;
    }
    int64_t base_ms = 1795400000000LL, requests = 0, ck = 0;
    int64_t t0 = tf_mono_ns();
    if (load(g, n, base_ms) != 0)
        goto out;
    double load_s = (double)(tf_mono_ns() - t0) / 1e9;
    t0 = tf_mono_ns();
    if (screen(g, c, r, o, n, base_ms, &requests, &ck) != 0)
        goto out;
    double per = 1e3 * (double)o->transfers, all = (double)(tf_mono_ns() - t0);
    printf("senders %8" PRId64 "  load %6.1f s  us per transfer into the hub: %8.1f screening, "
           "%8.1f with checkpoints  requests %" PRId64 "\n",
           n, load_s, (all - (double)ck) / per, all / per, requests);
    fflush(stdout);
    rc = 0;
out:
    graph_close(g);
    nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    return rc;
}

int main(int argc, char **argv)
{
    hopts o;
    cfg c;
    rules *r = NULL;
    char errstr[512];
    int prc = parse(argc, argv, &o);
    if (prc != 0)
        return prc > 0 ? 0 : 2;
    if (cfg_init(&c, errstr, sizeof(errstr)) != 0 ||
        cfg_validate(&c, errstr, sizeof(errstr)) != 0 ||
        rules_create(&c, &r, errstr, sizeof(errstr)) != 0) {
        fprintf(stderr, "bench_hub: %s\n", errstr);
        return 3;
    }
    int rc = 0;
    for (const char *p = o.sizes; *p && rc == 0;) {
        char *end;
        long long n = strtoll(p, &end, 10);
        if (end == p || n < 1) {
            fprintf(stderr, "bench_hub: --sizes: not a list of counts: %s\n", o.sizes);
            rc = 2;
            break;
        }
        if (run_size(&c, r, &o, n) != 0)
            rc = 3;
        p = *end == ',' ? end + 1 : end;
    }
    rules_destroy(r);
    cfg_free(&c);
    return rc;
}
