/* graph.c - the account graph on RocksDB with a write-back account cache.
 *
 * Layout (column families; docs/architecture.md has the full table):
 *   accounts   account -> transfer aggregates and incident state (exactly-once,
 *                         written only by graph_checkpoint)
 *   profiles   account -> profile from the accounts topic (upsert)
 *   watchlist  account -> watch-list entry (upsert, delete on tombstone)
 *   offsets    topic NUL partition(be32) -> next offset (be64)
 *   meta       "format" -> store format version
 *
 * The cache holds one entry per recently used account: the merge of the three
 * per-account families plus the uncheckpointed effect of transfers. Entries
 * are spread over lock stripes by FNV hash; each stripe is a chained hash
 * table with an LRU list (clean entries are evicted from its tail when the
 * stripe is over budget) and a list of dirty entries for the checkpoint.
 */
#include "graph.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rocksdb/c.h>

#include "hash.h"

#define GRAPH_FORMAT       "1" /* bump on incompatible layout changes */
#define GRAPH_STRIPES      64  /* lock stripes; a power of two */
#define GRAPH_AGG_VERSION  1   /* first byte of an accounts value */
#define GRAPH_PROF_VERSION 1   /* first byte of a profiles value */
#define GRAPH_WL_VERSION   1   /* first byte of a watchlist value */

enum { CF_DEFAULT, CF_ACCOUNTS, CF_PROFILES, CF_WATCHLIST, CF_OFFSETS, CF_META, CF__COUNT };

static const char *const cf_names[CF__COUNT] = {"default",   "accounts", "profiles",
                                                "watchlist", "offsets",  "meta"};

typedef struct gentry {
    struct gentry *hnext;               /* hash chain */
    struct gentry *lru_prev, *lru_next; /* most recent at the head */
    struct gentry *dnext;               /* dirty list, valid when dirty */
    uint64_t hash;
    int dirty;
    graph_acct a;
} gentry;

typedef struct stripe {
    pthread_mutex_t lock;
    gentry **buckets;
    size_t nbuckets; /* power of two */
    size_t count;
    size_t ndirty;
    gentry *lru_head, *lru_tail;
    gentry *dirty_head;
    uint64_t misses;
} stripe;

struct graph {
    rocksdb_t *db;
    rocksdb_options_t *opts;
    rocksdb_block_based_table_options_t *topts;
    rocksdb_cache_t *block_cache;
    rocksdb_filterpolicy_t *bloom; /* owned by topts once set */
    rocksdb_column_family_handle_t *cf[CF__COUNT];
    rocksdb_readoptions_t *ropts;
    rocksdb_writeoptions_t *wopts;
    const ix_log *log;
    size_t stripe_cap; /* entries per stripe before eviction */
    uint64_t checkpoints;
    pthread_mutex_t ckpt_lock; /* one checkpoint at a time */
    stripe stripes[GRAPH_STRIPES];
};

/* ---- small binary codec: little-endian fixed ints, length-prefixed strings */

typedef struct wbuf {
    char data[1024];
    size_t len;
} wbuf;

static void put_u8(wbuf *b, uint8_t v)
{
    b->data[b->len++] = (char)v;
}

static void put_i64(wbuf *b, int64_t v)
{
    uint64_t u = (uint64_t)v;
    for (int i = 0; i < 8; i++)
        b->data[b->len++] = (char)(u >> (8 * i));
}

static void put_str(wbuf *b, const char *s)
{
    size_t n = strlen(s);
    if (n > 255)
        n = 255; /* model fields are far shorter; never reached */
    put_u8(b, (uint8_t)n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
}

typedef struct rbuf {
    const unsigned char *p;
    size_t left;
    int bad;
} rbuf;

static uint8_t get_u8(rbuf *r)
{
    if (r->left < 1) {
        r->bad = 1;
        return 0;
    }
    r->left--;
    return *r->p++;
}

static int64_t get_i64(rbuf *r)
{
    uint64_t u = 0;
    if (r->left < 8) {
        r->bad = 1;
        return 0;
    }
    for (int i = 0; i < 8; i++)
        u |= (uint64_t)r->p[i] << (8 * i);
    r->p += 8;
    r->left -= 8;
    return (int64_t)u;
}

static void get_str(rbuf *r, char *dst, size_t cap)
{
    size_t n = get_u8(r);
    if (r->bad || n > r->left || n >= cap) {
        r->bad = 1;
        dst[0] = '\0';
        return;
    }
    memcpy(dst, r->p, n);
    dst[n] = '\0';
    r->p += n;
    r->left -= n;
}

/* ---- value encodings */

static void agg_pack(wbuf *b, const graph_acct *a)
{
    b->len = 0;
    put_u8(b, GRAPH_AGG_VERSION);
    put_i64(b, a->in_count);
    put_i64(b, a->out_count);
    put_i64(b, a->in_sum);
    put_i64(b, a->out_sum);
    put_i64(b, a->first_seen_ms);
    put_i64(b, a->last_seen_ms);
    put_u8(b, (uint8_t)a->incident_action);
    put_i64(b, a->incident_at_ms);
}

static int agg_unpack(const char *v, size_t len, graph_acct *a)
{
    rbuf r = {(const unsigned char *)v, len, 0};
    if (get_u8(&r) != GRAPH_AGG_VERSION)
        return -1;
    a->in_count = get_i64(&r);
    a->out_count = get_i64(&r);
    a->in_sum = get_i64(&r);
    a->out_sum = get_i64(&r);
    a->first_seen_ms = get_i64(&r);
    a->last_seen_ms = get_i64(&r);
    a->incident_action = (ix_action)get_u8(&r);
    a->incident_at_ms = get_i64(&r);
    return r.bad ? -1 : 0;
}

static void profile_pack(wbuf *b, const ix_account *p)
{
    b->len = 0;
    put_u8(b, GRAPH_PROF_VERSION);
    put_str(b, p->bank);
    put_i64(b, p->opened_at_ms);
    put_u8(b, (uint8_t)p->holder_type);
    put_u8(b, (uint8_t)p->kyc_level);
    put_str(b, p->holder_hash);
    put_str(b, p->phone_hash);
    put_str(b, p->device_hash);
    put_i64(b, (int64_t)p->flags);
    put_i64(b, p->updated_at_ms);
}

static int profile_unpack(const char *v, size_t len, ix_account *p)
{
    rbuf r = {(const unsigned char *)v, len, 0};
    if (get_u8(&r) != GRAPH_PROF_VERSION)
        return -1;
    get_str(&r, p->bank, sizeof(p->bank));
    p->opened_at_ms = get_i64(&r);
    p->holder_type = (ix_holder_type)get_u8(&r);
    p->kyc_level = get_u8(&r);
    get_str(&r, p->holder_hash, sizeof(p->holder_hash));
    get_str(&r, p->phone_hash, sizeof(p->phone_hash));
    get_str(&r, p->device_hash, sizeof(p->device_hash));
    p->flags = (uint32_t)get_i64(&r);
    p->updated_at_ms = get_i64(&r);
    return r.bad ? -1 : 0;
}

static void watch_pack(wbuf *b, const ix_watch *w)
{
    b->len = 0;
    put_u8(b, GRAPH_WL_VERSION);
    put_str(b, w->bank);
    put_str(b, w->list);
    put_str(b, w->reason);
    put_i64(b, w->added_at_ms);
}

static int watch_unpack(const char *v, size_t len, ix_watch *w)
{
    rbuf r = {(const unsigned char *)v, len, 0};
    if (get_u8(&r) != GRAPH_WL_VERSION)
        return -1;
    get_str(&r, w->bank, sizeof(w->bank));
    get_str(&r, w->list, sizeof(w->list));
    get_str(&r, w->reason, sizeof(w->reason));
    w->added_at_ms = get_i64(&r);
    return r.bad ? -1 : 0;
}

static size_t offset_key(char *buf, size_t cap, const char *topic, int32_t partition)
{
    size_t n = strlen(topic);
    if (n + 5 > cap)
        return 0;
    memcpy(buf, topic, n);
    buf[n] = '\0';
    for (int i = 0; i < 4; i++)
        buf[n + 1 + i] = (char)((uint32_t)partition >> (24 - 8 * i));
    return n + 5;
}

static void be64_put(char *buf, int64_t v)
{
    for (int i = 0; i < 8; i++)
        buf[i] = (char)((uint64_t)v >> (56 - 8 * i));
}

static int64_t be64_get(const char *buf)
{
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u = u << 8 | (unsigned char)buf[i];
    return (int64_t)u;
}

static int set_err(char *errstr, size_t size, const char *what, char *rerr)
{
    snprintf(errstr, size, "%s: %s", what, rerr ? rerr : "unknown error");
    free(rerr);
    return -1;
}

/* ---- open and close */

static int check_format(graph *g, char *errstr, size_t errstr_size)
{
    char *err = NULL;
    size_t vlen = 0;
    char *v = rocksdb_get_cf(g->db, g->ropts, g->cf[CF_META], "format", 6, &vlen, &err);
    if (err)
        return set_err(errstr, errstr_size, "reading store format", err);
    if (!v) {
        rocksdb_put_cf(g->db, g->wopts, g->cf[CF_META], "format", 6, GRAPH_FORMAT,
                       strlen(GRAPH_FORMAT), &err);
        return err ? set_err(errstr, errstr_size, "writing store format", err) : 0;
    }
    int ok = vlen == strlen(GRAPH_FORMAT) && memcmp(v, GRAPH_FORMAT, vlen) == 0;
    if (!ok)
        snprintf(errstr, errstr_size,
                 "state store has format %.*s, this interdict reads format %s: "
                 "rebuild the state (see docs/operations.md)",
                 (int)(vlen > 16 ? 16 : vlen), v, GRAPH_FORMAT);
    rocksdb_free(v);
    return ok ? 0 : -1;
}

static void stripes_init(graph *g)
{
    for (int i = 0; i < GRAPH_STRIPES; i++) {
        stripe *s = &g->stripes[i];
        pthread_mutex_init(&s->lock, NULL);
        s->nbuckets = 256;
        s->buckets = calloc(s->nbuckets, sizeof(*s->buckets));
    }
}

static int stripes_ok(const graph *g)
{
    for (int i = 0; i < GRAPH_STRIPES; i++)
        if (!g->stripes[i].buckets)
            return 0;
    return 1;
}

static void stripe_clear(stripe *s)
{
    for (size_t b = 0; b < s->nbuckets; b++) {
        gentry *e = s->buckets[b];
        while (e) {
            gentry *next = e->hnext;
            free(e);
            e = next;
        }
        s->buckets[b] = NULL;
    }
    s->count = s->ndirty = 0;
    s->lru_head = s->lru_tail = s->dirty_head = NULL;
}

int graph_open(const graph_opts *o, graph **out, char *errstr, size_t errstr_size)
{
    char *err = NULL;
    graph *g = calloc(1, sizeof(*g));
    if (!g) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    g->log = o->log;
    pthread_mutex_init(&g->ckpt_lock, NULL);
    stripes_init(g);
    if (!stripes_ok(g)) {
        snprintf(errstr, errstr_size, "out of memory");
        goto fail;
    }
    /* Half the budget for RocksDB's block cache, half for the account cache. */
    size_t budget = o->cache_bytes ? o->cache_bytes : (size_t)64 << 20;
    g->stripe_cap = budget / 2 / sizeof(gentry) / GRAPH_STRIPES;
    if (g->stripe_cap < 16)
        g->stripe_cap = 16;

    g->opts = rocksdb_options_create();
    rocksdb_options_set_create_if_missing(g->opts, o->create ? 1 : 0);
    rocksdb_options_set_create_missing_column_families(g->opts, 1);
    rocksdb_options_increase_parallelism(g->opts, 2);
    g->topts = rocksdb_block_based_options_create();
    g->block_cache = rocksdb_cache_create_lru(budget / 2);
    rocksdb_block_based_options_set_block_cache(g->topts, g->block_cache);
    g->bloom = rocksdb_filterpolicy_create_bloom_full(10);
    rocksdb_block_based_options_set_filter_policy(g->topts, g->bloom);
    rocksdb_block_based_options_set_cache_index_and_filter_blocks(g->topts, 1);
    rocksdb_options_set_block_based_table_factory(g->opts, g->topts);

    const rocksdb_options_t *cfopts[CF__COUNT];
    for (int i = 0; i < CF__COUNT; i++)
        cfopts[i] = g->opts;
    g->db = rocksdb_open_column_families(g->opts, o->dir, CF__COUNT, cf_names, cfopts, g->cf, &err);
    if (err) {
        if (strstr(err, "does not exist"))
            snprintf(errstr, errstr_size,
                     "no state store at %s (run with a writable state.dir, "
                     "or create it first)",
                     o->dir);
        else if (strstr(err, "lock"))
            snprintf(errstr, errstr_size,
                     "state store %s is locked: another interdict process is using it", o->dir);
        else
            snprintf(errstr, errstr_size, "opening state store %s: %s", o->dir, err);
        free(err);
        goto fail;
    }
    g->ropts = rocksdb_readoptions_create();
    g->wopts = rocksdb_writeoptions_create();
    /* No fsync per write: a process crash loses nothing (the WAL is in the
     * page cache), and a machine crash only loses checkpoints whose Kafka
     * transaction is already committed; those are replayed from the topic. */
    rocksdb_writeoptions_set_sync(g->wopts, 0);
    if (check_format(g, errstr, errstr_size) != 0)
        goto fail;
    *out = g;
    return 0;
fail:
    graph_close(g);
    return -1;
}

void graph_close(graph *g)
{
    if (!g)
        return;
    for (int i = 0; i < GRAPH_STRIPES; i++) {
        if (g->stripes[i].buckets)
            stripe_clear(&g->stripes[i]);
        free(g->stripes[i].buckets);
        pthread_mutex_destroy(&g->stripes[i].lock);
    }
    for (int i = 0; i < CF__COUNT; i++)
        if (g->cf[i])
            rocksdb_column_family_handle_destroy(g->cf[i]);
    if (g->db)
        rocksdb_close(g->db);
    if (g->ropts)
        rocksdb_readoptions_destroy(g->ropts);
    if (g->wopts)
        rocksdb_writeoptions_destroy(g->wopts);
    if (g->opts)
        rocksdb_options_destroy(g->opts);
    if (g->topts)
        rocksdb_block_based_options_destroy(g->topts); /* also frees the bloom policy */
    if (g->block_cache)
        rocksdb_cache_destroy(g->block_cache);
    pthread_mutex_destroy(&g->ckpt_lock);
    free(g);
}

/* ---- cache */

static stripe *stripe_of(graph *g, uint64_t h)
{
    return &g->stripes[(h >> 32) & (GRAPH_STRIPES - 1)];
}

static uint64_t acct_hash(const char *account)
{
    return hash_fnv1a64(HASH_FNV64_INIT, account, strlen(account));
}

static void lru_unlink(stripe *s, gentry *e)
{
    if (e->lru_prev)
        e->lru_prev->lru_next = e->lru_next;
    else
        s->lru_head = e->lru_next;
    if (e->lru_next)
        e->lru_next->lru_prev = e->lru_prev;
    else
        s->lru_tail = e->lru_prev;
    e->lru_prev = e->lru_next = NULL;
}

static void lru_push_head(stripe *s, gentry *e)
{
    e->lru_prev = NULL;
    e->lru_next = s->lru_head;
    if (s->lru_head)
        s->lru_head->lru_prev = e;
    s->lru_head = e;
    if (!s->lru_tail)
        s->lru_tail = e;
}

static gentry *stripe_find(stripe *s, uint64_t h, const char *account)
{
    for (gentry *e = s->buckets[h & (s->nbuckets - 1)]; e; e = e->hnext)
        if (e->hash == h && strcmp(e->a.account, account) == 0)
            return e;
    return NULL;
}

static void stripe_unhash(stripe *s, gentry *e)
{
    gentry **pp = &s->buckets[e->hash & (s->nbuckets - 1)];
    while (*pp != e)
        pp = &(*pp)->hnext;
    *pp = e->hnext;
    s->count--;
}

static void stripe_grow(stripe *s)
{
    size_t n = s->nbuckets * 2;
    gentry **nb = calloc(n, sizeof(*nb));
    if (!nb)
        return; /* keep the longer chains; correctness does not depend on it */
    for (size_t b = 0; b < s->nbuckets; b++) {
        gentry *e = s->buckets[b];
        while (e) {
            gentry *next = e->hnext;
            e->hnext = nb[e->hash & (n - 1)];
            nb[e->hash & (n - 1)] = e;
            e = next;
        }
    }
    free(s->buckets);
    s->buckets = nb;
    s->nbuckets = n;
}

/* Evict clean entries from the LRU tail until the stripe is within budget.
 * Dirty entries stay: they hold changes not yet checkpointed. */
static void stripe_evict(stripe *s, size_t cap, const gentry *keep)
{
    gentry *e = s->lru_tail;
    while (s->count > cap && e) {
        gentry *prev = e->lru_prev;
        if (!e->dirty && e != keep) {
            lru_unlink(s, e);
            stripe_unhash(s, e);
            free(e);
        }
        e = prev;
    }
}

/* Read the three per-account families of one account into *a. */
static int load_account(graph *g, const char *account, graph_acct *a, char *errstr,
                        size_t errstr_size)
{
    const rocksdb_column_family_handle_t *cfs[3] = {g->cf[CF_ACCOUNTS], g->cf[CF_PROFILES],
                                                    g->cf[CF_WATCHLIST]};
    size_t klen = strlen(account);
    const char *keys[3] = {account, account, account};
    size_t klens[3] = {klen, klen, klen};
    char *vals[3] = {NULL, NULL, NULL};
    size_t vlens[3] = {0, 0, 0};
    char *errs[3] = {NULL, NULL, NULL};
    int rc = 0;

    memset(a, 0, sizeof(*a));
    memcpy(a->account, account, klen + 1);
    rocksdb_multi_get_cf(g->db, g->ropts, cfs, 3, keys, klens, vals, vlens, errs);
    for (int i = 0; i < 3; i++) {
        if (errs[i] && rc == 0) {
            snprintf(errstr, errstr_size, "reading account %s: %s", account, errs[i]);
            rc = -1;
        }
        free(errs[i]);
    }
    if (rc == 0 && vals[0] && agg_unpack(vals[0], vlens[0], a) != 0) {
        snprintf(errstr, errstr_size, "account %s: corrupt aggregate record", account);
        rc = -1;
    }
    if (rc == 0 && vals[1]) {
        ix_account p;
        memset(&p, 0, sizeof(p));
        if (profile_unpack(vals[1], vlens[1], &p) != 0) {
            snprintf(errstr, errstr_size, "account %s: corrupt profile record", account);
            rc = -1;
        } else {
            a->has_profile = 1;
            memcpy(a->bank, p.bank, sizeof(a->bank));
            a->opened_at_ms = p.opened_at_ms;
            a->holder_type = p.holder_type;
            a->kyc_level = p.kyc_level;
            a->flags |= p.flags & (IX_ACCT_DORMANT | IX_ACCT_FROZEN);
        }
    }
    if (rc == 0 && vals[2]) {
        ix_watch w;
        memset(&w, 0, sizeof(w));
        if (watch_unpack(vals[2], vlens[2], &w) != 0) {
            snprintf(errstr, errstr_size, "account %s: corrupt watch-list record", account);
            rc = -1;
        } else {
            a->flags |= IX_ACCT_WATCHLISTED;
            memcpy(a->watch_list, w.list, sizeof(a->watch_list));
        }
    }
    for (int i = 0; i < 3; i++)
        free(vals[i]);
    return rc;
}

/* Find or load an account's entry; the stripe must be locked. */
static gentry *entry_get(graph *g, stripe *s, uint64_t h, const char *account, char *errstr,
                         size_t errstr_size)
{
    gentry *e = stripe_find(s, h, account);
    if (e) {
        lru_unlink(s, e);
        lru_push_head(s, e);
        return e;
    }
    if (strlen(account) > IX_ACCOUNT_MAX) {
        snprintf(errstr, errstr_size, "account id longer than %d bytes", IX_ACCOUNT_MAX);
        return NULL;
    }
    e = calloc(1, sizeof(*e));
    if (!e) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    if (load_account(g, account, &e->a, errstr, errstr_size) != 0) {
        free(e);
        return NULL;
    }
    s->misses++;
    e->hash = h;
    e->hnext = s->buckets[h & (s->nbuckets - 1)];
    s->buckets[h & (s->nbuckets - 1)] = e;
    s->count++;
    lru_push_head(s, e);
    if (s->count > s->nbuckets)
        stripe_grow(s);
    stripe_evict(s, g->stripe_cap, e);
    return e;
}

static void entry_mark_dirty(stripe *s, gentry *e)
{
    if (e->dirty)
        return;
    e->dirty = 1;
    e->dnext = s->dirty_head;
    s->dirty_head = e;
    s->ndirty++;
}

int graph_get(graph *g, const char *account, graph_acct *out, char *errstr, size_t errstr_size)
{
    uint64_t h = acct_hash(account);
    stripe *s = stripe_of(g, h);
    pthread_mutex_lock(&s->lock);
    gentry *e = entry_get(g, s, h, account, errstr, errstr_size);
    if (e)
        *out = e->a;
    pthread_mutex_unlock(&s->lock);
    return e ? 0 : -1;
}

/* Apply one side of a transfer under its stripe's lock. */
static int apply_side(graph *g, const char *account, const ix_transfer *t, int incoming,
                      graph_acct *before, char *errstr, size_t errstr_size)
{
    uint64_t h = acct_hash(account);
    stripe *s = stripe_of(g, h);
    pthread_mutex_lock(&s->lock);
    gentry *e = entry_get(g, s, h, account, errstr, errstr_size);
    if (!e) {
        pthread_mutex_unlock(&s->lock);
        return -1;
    }
    *before = e->a;
    graph_acct *a = &e->a;
    if (incoming) {
        a->in_count++;
        a->in_sum += t->amount;
    } else {
        a->out_count++;
        a->out_sum += t->amount;
    }
    /* min/max keep the aggregates independent of the order in which
     * concurrently screened transfers reach the account. */
    if (a->first_seen_ms == 0 || t->event_time_ms < a->first_seen_ms)
        a->first_seen_ms = t->event_time_ms;
    if (t->event_time_ms > a->last_seen_ms)
        a->last_seen_ms = t->event_time_ms;
    entry_mark_dirty(s, e);
    pthread_mutex_unlock(&s->lock);
    return 0;
}

int graph_apply_transfer(graph *g, const ix_transfer *t, graph_acct *from_before,
                         graph_acct *to_before, char *errstr, size_t errstr_size)
{
    if (apply_side(g, t->from_account, t, 0, from_before, errstr, errstr_size) != 0)
        return -1;
    return apply_side(g, t->to_account, t, 1, to_before, errstr, errstr_size);
}

static int incident_is_new(const graph_acct *a, ix_action action, int64_t at_ms,
                           int64_t cooldown_ms)
{
    if (a->incident_action == IX_ACTION_NONE)
        return 1;
    if (action > a->incident_action)
        return 1; /* escalation */
    /* Event time, not wall clock: a replay must decide the same way. */
    return at_ms >= a->incident_at_ms + cooldown_ms || at_ms < a->incident_at_ms - cooldown_ms;
}

int graph_raise_incident(graph *g, const char *account, ix_action action, int64_t at_ms,
                         int64_t cooldown_ms, char *errstr, size_t errstr_size)
{
    uint64_t h = acct_hash(account);
    stripe *s = stripe_of(g, h);
    int rc = -1;
    pthread_mutex_lock(&s->lock);
    gentry *e = entry_get(g, s, h, account, errstr, errstr_size);
    if (e) {
        rc = incident_is_new(&e->a, action, at_ms, cooldown_ms);
        if (rc) {
            e->a.incident_action = action;
            e->a.incident_at_ms = at_ms;
            entry_mark_dirty(s, e);
        }
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

/* ---- checkpoint */

static int batch_offsets(rocksdb_writebatch_t *wb, rocksdb_column_family_handle_t *cf,
                         const graph_offset *offsets, size_t n, char *errstr, size_t errstr_size)
{
    for (size_t i = 0; i < n; i++) {
        char key[300], val[8];
        size_t klen = offset_key(key, sizeof(key), offsets[i].topic, offsets[i].partition);
        if (!klen) {
            snprintf(errstr, errstr_size, "topic name too long: %s", offsets[i].topic);
            return -1;
        }
        be64_put(val, offsets[i].offset);
        rocksdb_writebatch_put_cf(wb, cf, key, klen, val, sizeof(val));
    }
    return 0;
}

int graph_checkpoint(graph *g, const graph_offset *offsets, size_t n, char *errstr,
                     size_t errstr_size)
{
    char *err = NULL;
    int rc = -1;
    wbuf b;
    rocksdb_writebatch_t *wb = rocksdb_writebatch_create();

    pthread_mutex_lock(&g->ckpt_lock);
    /* Hold every stripe so the batch is one consistent cut. */
    for (int i = 0; i < GRAPH_STRIPES; i++)
        pthread_mutex_lock(&g->stripes[i].lock);
    for (int i = 0; i < GRAPH_STRIPES; i++) {
        for (gentry *e = g->stripes[i].dirty_head; e; e = e->dnext) {
            agg_pack(&b, &e->a);
            rocksdb_writebatch_put_cf(wb, g->cf[CF_ACCOUNTS], e->a.account, strlen(e->a.account),
                                      b.data, b.len);
        }
    }
    if (batch_offsets(wb, g->cf[CF_OFFSETS], offsets, n, errstr, errstr_size) != 0)
        goto out;
    rocksdb_write(g->db, g->wopts, wb, &err);
    if (err) {
        set_err(errstr, errstr_size, "writing checkpoint", err);
        goto out;
    }
    for (int i = 0; i < GRAPH_STRIPES; i++) {
        stripe *s = &g->stripes[i];
        for (gentry *e = s->dirty_head; e; e = e->dnext)
            e->dirty = 0;
        s->dirty_head = NULL;
        s->ndirty = 0;
    }
    g->checkpoints++;
    rc = 0;
out:
    for (int i = GRAPH_STRIPES - 1; i >= 0; i--)
        pthread_mutex_unlock(&g->stripes[i].lock);
    pthread_mutex_unlock(&g->ckpt_lock);
    rocksdb_writebatch_destroy(wb);
    return rc;
}

void graph_discard(graph *g)
{
    /* Clean entries could be kept, but dropping everything is simple and
     * only happens after an aborted transaction. */
    for (int i = 0; i < GRAPH_STRIPES; i++) {
        pthread_mutex_lock(&g->stripes[i].lock);
        stripe_clear(&g->stripes[i]);
        pthread_mutex_unlock(&g->stripes[i].lock);
    }
}

/* ---- table updates */

static int write_table(graph *g, int cf, const char *key, const wbuf *val, const graph_offset *off,
                       char *errstr, size_t errstr_size)
{
    char *err = NULL;
    rocksdb_writebatch_t *wb = rocksdb_writebatch_create();
    int rc = 0;
    if (val)
        rocksdb_writebatch_put_cf(wb, g->cf[cf], key, strlen(key), val->data, val->len);
    else
        rocksdb_writebatch_delete_cf(wb, g->cf[cf], key, strlen(key));
    if (off && batch_offsets(wb, g->cf[CF_OFFSETS], off, 1, errstr, errstr_size) != 0)
        rc = -1;
    if (rc == 0) {
        rocksdb_write(g->db, g->wopts, wb, &err);
        if (err)
            rc = set_err(errstr, errstr_size, "writing table update", err);
    }
    rocksdb_writebatch_destroy(wb);
    return rc;
}

/* Update the cached copy, if any; the store already has the new value, so
 * an account not in the cache will load it on first use. */
typedef void (*cache_update_fn)(graph_acct *a, const void *arg);

static void cache_update(graph *g, const char *account, cache_update_fn fn, const void *arg)
{
    uint64_t h = acct_hash(account);
    stripe *s = stripe_of(g, h);
    pthread_mutex_lock(&s->lock);
    gentry *e = stripe_find(s, h, account);
    if (e)
        fn(&e->a, arg);
    pthread_mutex_unlock(&s->lock);
}

static void upd_watch(graph_acct *a, const void *arg)
{
    const ix_watch *w = arg;
    a->flags |= IX_ACCT_WATCHLISTED;
    memcpy(a->watch_list, w->list, sizeof(a->watch_list));
}

static void upd_unwatch(graph_acct *a, const void *arg)
{
    (void)arg;
    a->flags &= ~IX_ACCT_WATCHLISTED;
    a->watch_list[0] = '\0';
}

static void upd_profile(graph_acct *a, const void *arg)
{
    const ix_account *p = arg;
    a->has_profile = 1;
    memcpy(a->bank, p->bank, sizeof(a->bank));
    a->opened_at_ms = p->opened_at_ms;
    a->holder_type = p->holder_type;
    a->kyc_level = p->kyc_level;
    a->flags = (a->flags & IX_ACCT_WATCHLISTED) | (p->flags & (IX_ACCT_DORMANT | IX_ACCT_FROZEN));
}

int graph_put_watch(graph *g, const ix_watch *w, const graph_offset *off, char *errstr,
                    size_t errstr_size)
{
    wbuf b;
    watch_pack(&b, w);
    if (write_table(g, CF_WATCHLIST, w->account, &b, off, errstr, errstr_size) != 0)
        return -1;
    cache_update(g, w->account, upd_watch, w);
    return 0;
}

int graph_del_watch(graph *g, const char *account, const graph_offset *off, char *errstr,
                    size_t errstr_size)
{
    if (write_table(g, CF_WATCHLIST, account, NULL, off, errstr, errstr_size) != 0)
        return -1;
    cache_update(g, account, upd_unwatch, NULL);
    return 0;
}

int graph_put_profile(graph *g, const ix_account *a, const graph_offset *off, char *errstr,
                      size_t errstr_size)
{
    wbuf b;
    profile_pack(&b, a);
    if (write_table(g, CF_PROFILES, a->account, &b, off, errstr, errstr_size) != 0)
        return -1;
    cache_update(g, a->account, upd_profile, a);
    return 0;
}

int graph_get_watch(graph *g, const char *account, ix_watch *out, char *errstr, size_t errstr_size)
{
    char *err = NULL;
    size_t vlen = 0;
    char *v =
        rocksdb_get_cf(g->db, g->ropts, g->cf[CF_WATCHLIST], account, strlen(account), &vlen, &err);
    if (err)
        return set_err(errstr, errstr_size, "reading watch list", err);
    if (!v)
        return 0;
    memset(out, 0, sizeof(*out));
    snprintf(out->account, sizeof(out->account), "%s", account);
    int rc = watch_unpack(v, vlen, out) == 0 ? 1 : -1;
    if (rc < 0)
        snprintf(errstr, errstr_size, "account %s: corrupt watch-list record", account);
    rocksdb_free(v);
    return rc;
}

int graph_get_offset(graph *g, const char *topic, int32_t partition, int64_t *offset, char *errstr,
                     size_t errstr_size)
{
    char key[300], *err = NULL;
    size_t vlen = 0;
    size_t klen = offset_key(key, sizeof(key), topic, partition);
    if (!klen) {
        snprintf(errstr, errstr_size, "topic name too long: %s", topic);
        return -1;
    }
    char *v = rocksdb_get_cf(g->db, g->ropts, g->cf[CF_OFFSETS], key, klen, &vlen, &err);
    if (err)
        return set_err(errstr, errstr_size, "reading stored offset", err);
    if (!v)
        return 0;
    int rc = 1;
    if (vlen == 8)
        *offset = be64_get(v);
    else {
        snprintf(errstr, errstr_size, "corrupt stored offset for %s [%d]", topic, partition);
        rc = -1;
    }
    rocksdb_free(v);
    return rc;
}

void graph_get_stats(graph *g, graph_stats *st)
{
    memset(st, 0, sizeof(*st));
    for (int i = 0; i < GRAPH_STRIPES; i++) {
        stripe *s = &g->stripes[i];
        pthread_mutex_lock(&s->lock);
        st->cached_accounts += s->count;
        st->dirty_accounts += s->ndirty;
        st->cache_misses += s->misses;
        pthread_mutex_unlock(&s->lock);
    }
    pthread_mutex_lock(&g->ckpt_lock);
    st->checkpoints = g->checkpoints;
    pthread_mutex_unlock(&g->ckpt_lock);
}
