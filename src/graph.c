/* graph.c - the account graph: a write-back account cache over the store.
 *
 * The cache holds one entry per recently used account: the view of its
 * profile and watch-list entry, its durable transfer state (gc_acct) and,
 * until the next checkpoint, the flows and edge deltas its transfers created.
 * Entries are spread over lock stripes by FNV hash; each stripe is a chained
 * hash table with a CLOCK list (clean entries are evicted from its tail when
 * the stripe is over budget) and a list of dirty entries for the checkpoint.
 *
 * Reads that reach beyond one account (edge and flow scans) combine what the
 * store has with what the cache holds but has not checkpointed, so a rule
 * sees every transfer screened so far, committed or not.
 */
#include "graph.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "graphcodec.h"
#include "hash.h"
#include "park.h"
#include "store.h"
#include "vec.h"

#define GRAPH_STRIPES  64 /* lock stripes; a power of two */
#define GRAPH_KEEP_CAP 0  /* pending-list capacity kept across checkpoints */

/* The edge deltas of one account in one direction since the last
 * checkpoint, in arrival order, with an open-addressing index by peer so
 * that neither a transfer nor a scan searches them: a hub account can meet
 * thousands of new counterparties within one checkpoint. */
typedef struct pending_delta {
    graph_edge e; /* not in the store's pinned view: what a scan merges */
    /* The part of e since the last checkpoint's barrier: what the next
     * batch merges into the store, and what e is once the batch in flight
     * has landed (graph_checkpoint_begin). */
    graph_edge live;
    /* The stored edge, once a scan looked it up (the store changes only at
     * checkpoints, which end the delta): 0 not yet, 1 none, 2 in st. */
    int looked;
    graph_edge st;
} pending_delta;

typedef struct pending_edges {
    pending_delta *v; /* in arrival order */
    size_t n, cap;
    uint32_t *slot; /* index + 1 into v, 0 empty; nslot is 0 or a power of two */
    size_t nslot;
} pending_edges;

typedef struct gentry {
    struct gentry *hnext;               /* hash chain */
    struct gentry *lru_prev, *lru_next; /* newest at the head; CLOCK order */
    struct gentry *dnext;               /* dirty list, valid when dirty */
    struct gentry *fnext;               /* frozen list, valid when frozen */
    uint64_t hash;
    int dirty;
    int used; /* looked up since the eviction hand last passed it */
    /* Its batch is being written: the first nfrozen flows and every delta's
     * e minus live are in it, and stay in memory until it lands. */
    int frozen;
    size_t nfrozen;
    char account[IX_ACCOUNT_MAX + 1];
    /* the view of the table topics */
    int has_profile;
    char bank[IX_BANK_MAX + 1];
    int64_t opened_at_ms;
    ix_holder_type holder_type;
    int kyc_level;
    uint32_t flags;
    char watch_list[IX_TEXT_MAX + 1];
    /* transfer state, and what changed since the last checkpoint */
    gc_acct rec;
    graph_flow *flows;
    size_t nflows, capflows;
    pending_edges pe[2]; /* by graph_dir */
} gentry;

typedef struct stripe {
    pthread_mutex_t lock;
    gentry **buckets;
    size_t nbuckets; /* power of two */
    size_t count, ndirty, npending;
    gentry *lru_head, *lru_tail;
    gentry *dirty_head;
    gentry *frozen_head;
    uint64_t misses, bytes;
} stripe;

/* Transfer ids seen since the last checkpoint: an open-addressing set of
 * 16-byte id hashes (two independent FNV-1a variants, so a false duplicate
 * needs a 128-bit collision). */
typedef struct idkey {
    uint64_t a, b;
    int64_t time_ms;
} idkey;

typedef struct idset {
    pthread_mutex_t lock;
    idkey *slots; /* a == 0 && b == 0 marks an empty slot */
    size_t cap, count;
} idset;

struct graph {
    store *st;
    idset ids;
    idset fids; /* the ids of the batch in flight; under ids.lock */
    const ix_log *log;
    size_t stripe_cap; /* entries per stripe before eviction */
    uint64_t checkpoints;
    _Atomic int64_t watermark_ms; /* latest event time applied */
    int event_clock;              /* retention follows watermark_ms */
    int lag_warned;               /* the stream's lag behind the clock was logged */
    pthread_mutex_t ckpt_lock;    /* one checkpoint at a time; the writer below */
    /* The batch being written by the writer thread (graph_checkpoint_begin),
     * and what became of the last one: a failure stays until the graph is
     * closed, since the store then lacks a checkpoint the memory has. */
    int writing, threaded; /* a batch not landed yet; written by g->writer */
    pthread_t writer;
    _Atomic uint64_t landings; /* batches landed: a scan that saw one land reads again */
    store_batch *wbatch;
    int wrc;
    char werr[512];
    int write_failed;
    void (*write_hook)(void *arg);
    void *write_hook_arg;
    _Atomic uint64_t edges_examined; /* stored and pending edges looked at by scans */
    pthread_mutex_t park_lock;       /* parks, parks_broken, park_clock_stored */
    park_set *parks;                 /* reports waiting for their transfer */
    _Atomic size_t nparked;          /* park_count(parks), read without the lock */
    _Atomic int64_t park_clock_ms;   /* latest event time screened: what parks expire by */
    int64_t park_clock_stored;       /* ... as the store has it */
    int parks_broken;                /* rebuilding them after a discard failed */
    char parks_error[256];
    pthread_mutex_t desk_lock; /* desk, desk_reqs, desk_broken */
    desk_set desk;             /* allow-list and suppressions, as of now */
    vec desk_reqs;             /* desk_request raised or answered since the checkpoint */
    vec desk_reqs_frozen;      /* ... in the batch in flight */
    int desk_broken;           /* rebuilding the desk after a discard failed */
    char desk_error[256];
    stripe stripes[GRAPH_STRIPES];
};

#define PARK_CLOCK_KEY     "\0clock" /* the parks family's one key that is no report id */
#define PARK_CLOCK_KEY_LEN 6

int64_t graph_held(const graph_acct *a, win_id w)
{
    int64_t held = a->win[w].in_sum - a->win[w].out_sum;
    return held > 0 ? held : 0;
}

/* ---- entries */

static size_t pending_bytes(const pending_edges *p)
{
    return p->cap * sizeof(*p->v) + p->nslot * sizeof(*p->slot);
}

static size_t entry_bytes(const gentry *e)
{
    return sizeof(*e) + e->capflows * sizeof(graph_flow) + pending_bytes(&e->pe[GRAPH_IN]) +
           pending_bytes(&e->pe[GRAPH_OUT]);
}

static void pending_free(pending_edges *p)
{
    free(p->v);
    free(p->slot);
    memset(p, 0, sizeof(*p));
}

static void entry_free(gentry *e)
{
    if (!e)
        return;
    free(e->flows);
    pending_free(&e->pe[GRAPH_IN]);
    pending_free(&e->pe[GRAPH_OUT]);
    free(e);
}

/* Drop the pending lists after a checkpoint or discard, keeping small
 * buffers for reuse and returning large ones. */
static void entry_reset_pending(stripe *s, gentry *e)
{
    e->nflows = 0;
    if (e->capflows > GRAPH_KEEP_CAP) {
        s->bytes -= e->capflows * sizeof(graph_flow);
        free(e->flows);
        e->flows = NULL;
        e->capflows = 0;
    }
    for (int d = 0; d < 2; d++) {
        s->bytes -= pending_bytes(&e->pe[d]);
        pending_free(&e->pe[d]);
    }
}

static void snapshot(const gentry *e, int64_t as_of_ms, graph_acct *a)
{
    memset(a, 0, sizeof(*a));
    memcpy(a->account, e->account, sizeof(a->account));
    a->has_profile = e->has_profile;
    memcpy(a->bank, e->bank, sizeof(a->bank));
    a->opened_at_ms = e->opened_at_ms;
    a->holder_type = e->holder_type;
    a->kyc_level = e->kyc_level;
    a->flags = e->flags;
    memcpy(a->watch_list, e->watch_list, sizeof(a->watch_list));
    a->in_count = e->rec.in_count;
    a->out_count = e->rec.out_count;
    a->in_sum = e->rec.in_sum;
    a->out_sum = e->rec.out_sum;
    a->first_seen_ms = e->rec.first_seen_ms;
    a->last_seen_ms = e->rec.last_seen_ms;
    a->last_in_ms = e->rec.last_in_ms;
    a->last_out_ms = e->rec.last_out_ms;
    for (int w = 0; w < WIN__COUNT; w++)
        win_totals_at(&e->rec.ring[w], (win_id)w, as_of_ms, &a->win[w]);
    a->incident_action = e->rec.incident_action;
    a->incident_at_ms = e->rec.incident_at_ms;
    a->score = e->rec.score;
    a->base = e->rec.base;
}

static void view_profile(gentry *e, const ix_account *p)
{
    e->has_profile = 1;
    memcpy(e->bank, p->bank, sizeof(e->bank));
    e->opened_at_ms = p->opened_at_ms;
    e->holder_type = p->holder_type;
    e->kyc_level = p->kyc_level;
    e->flags = (e->flags & IX_ACCT_WATCHLISTED) | (p->flags & (IX_ACCT_DORMANT | IX_ACCT_FROZEN));
}

static void view_watch(gentry *e, const ix_watch *w)
{
    if (w) {
        e->flags |= IX_ACCT_WATCHLISTED;
        memcpy(e->watch_list, w->list, sizeof(e->watch_list));
    } else {
        e->flags &= ~IX_ACCT_WATCHLISTED;
        e->watch_list[0] = '\0';
    }
}

/* Read the three per-account families of one account into e (MultiGet). */
static int load_entry(graph *g, gentry *e, char *errstr, size_t errstr_size)
{
    const store_cf cfs[3] = {SCF_ACCOUNTS, SCF_PROFILES, SCF_WATCHLIST};
    size_t klen = strlen(e->account);
    const char *keys[3] = {e->account, e->account, e->account};
    size_t klens[3] = {klen, klen, klen};
    char *vals[3] = {NULL, NULL, NULL};
    size_t vlens[3] = {0, 0, 0};
    const char *bad = NULL;

    if (store_multi_get(g->st, 3, cfs, keys, klens, vals, vlens, errstr, errstr_size) != 0)
        return -1;
    if (vals[0] && gc_acct_unpack(vals[0], vlens[0], &e->rec) != 0)
        bad = "transfer state";
    if (!bad && vals[1]) {
        ix_account p;
        memset(&p, 0, sizeof(p));
        if (gc_profile_unpack(vals[1], vlens[1], &p) != 0)
            bad = "profile";
        else
            view_profile(e, &p);
    }
    if (!bad && vals[2]) {
        ix_watch w;
        memset(&w, 0, sizeof(w));
        if (gc_watch_unpack(vals[2], vlens[2], &w) != 0)
            bad = "watch-list entry";
        else
            view_watch(e, &w);
    }
    for (int i = 0; i < 3; i++)
        free(vals[i]);
    if (bad)
        snprintf(errstr, errstr_size, "account %s: corrupt %s record", e->account, bad);
    return bad ? -1 : 0;
}

/* ---- stripes */

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
        if (e->hash == h && strcmp(e->account, account) == 0)
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
    s->bytes -= entry_bytes(e);
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

/* Evict clean entries from the list's tail until the stripe is within
 * budget, giving each entry used since it was last passed a second chance
 * at the head (CLOCK: a lookup only sets `used`, so it writes to no other
 * entry). Dirty and frozen entries stay: they hold changes not yet in the
 * store. */
static void stripe_evict(stripe *s, size_t cap, const gentry *keep)
{
    gentry *e = s->lru_tail;
    for (size_t left = s->count; s->count > cap && e && left > 0; left--) {
        gentry *prev = e->lru_prev;
        if (e->used) {
            e->used = 0;
            lru_unlink(s, e);
            lru_push_head(s, e);
        } else if (!e->dirty && !e->frozen && e != keep) {
            lru_unlink(s, e);
            stripe_unhash(s, e);
            entry_free(e);
        }
        e = prev;
    }
}

static void stripe_clear(stripe *s)
{
    for (size_t b = 0; b < s->nbuckets; b++) {
        gentry *e = s->buckets[b];
        while (e) {
            gentry *next = e->hnext;
            entry_free(e);
            e = next;
        }
        s->buckets[b] = NULL;
    }
    s->count = s->ndirty = s->npending = 0;
    s->bytes = 0;
    s->lru_head = s->lru_tail = s->dirty_head = s->frozen_head = NULL;
}

/* Find or load an account's entry; the stripe must be locked. */
static gentry *entry_get(graph *g, stripe *s, uint64_t h, const char *account, char *errstr,
                         size_t errstr_size)
{
    gentry *e = stripe_find(s, h, account);
    if (e) {
        e->used = 1;
        return e;
    }
    size_t n = strlen(account);
    if (n == 0 || n > IX_ACCOUNT_MAX) {
        snprintf(errstr, errstr_size, "account id of %zu bytes (1..%d allowed)", n, IX_ACCOUNT_MAX);
        return NULL;
    }
    e = calloc(1, sizeof(*e));
    if (!e) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    memcpy(e->account, account, n + 1);
    if (load_entry(g, e, errstr, errstr_size) != 0) {
        entry_free(e);
        return NULL;
    }
    s->misses++;
    e->hash = h;
    e->hnext = s->buckets[h & (s->nbuckets - 1)];
    s->buckets[h & (s->nbuckets - 1)] = e;
    s->count++;
    s->bytes += entry_bytes(e);
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

/* Run fn on an account's entry under its stripe's lock. */
typedef int (*entry_fn)(graph *g, stripe *s, gentry *e, void *arg);

static int with_entry(graph *g, const char *account, entry_fn fn, void *arg, char *errstr,
                      size_t errstr_size)
{
    uint64_t h = acct_hash(account);
    stripe *s = stripe_of(g, h);
    pthread_mutex_lock(&s->lock);
    gentry *e = entry_get(g, s, h, account, errstr, errstr_size);
    int rc = e ? fn(g, s, e, arg) : -1;
    pthread_mutex_unlock(&s->lock);
    return rc;
}

/* ---- transfer ids */

static void id_hash(const char *id, idkey *k)
{
    size_t n = strlen(id);
    k->a = hash_fnv1a64(HASH_FNV64_INIT, id, n);
    k->b = hash_fnv1a64(0x84222325cbf29ce4ULL, id, n) ^ 0x9e3779b97f4a7c15ULL;
    if (k->a == 0 && k->b == 0)
        k->b = 1; /* never the empty marker */
}

static idkey *idset_find(idset *s, const idkey *k)
{
    size_t i = (size_t)k->a & (s->cap - 1);
    while (s->slots[i].a || s->slots[i].b) {
        if (s->slots[i].a == k->a && s->slots[i].b == k->b)
            return &s->slots[i];
        i = (i + 1) & (s->cap - 1);
    }
    return &s->slots[i];
}

static int idset_has(idset *s, const idkey *k)
{
    if (!s->cap)
        return 0;
    const idkey *at = idset_find(s, k);
    return at->a || at->b;
}

static int idset_grow(idset *s)
{
    size_t cap = s->cap ? s->cap * 2 : 1024;
    idkey *old = s->slots, *n = calloc(cap, sizeof(*n));
    if (!n)
        return -1;
    size_t oldcap = s->cap;
    s->slots = n;
    s->cap = cap;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].a || old[i].b)
            *idset_find(s, &old[i]) = old[i];
    free(old);
    return 0;
}

static void idset_clear(idset *s)
{
    free(s->slots);
    s->slots = NULL;
    s->cap = s->count = 0;
}

static size_t id_store_key(const idkey *k, char *buf)
{
    gc_be64_put(buf, k->a);
    gc_be64_put(buf + 8, k->b);
    return 16;
}

/* Check an id of the set, and record it when asked and new. */
static int seen_id(graph *g, const idkey *id, int record, char *errstr, size_t errstr_size)
{
    idkey k = *id;
    char key[16], *v = NULL;
    size_t vlen = 0;
    int rc = -1;
    pthread_mutex_lock(&g->ids.lock);
    if ((g->ids.count + 1) * 2 > g->ids.cap && idset_grow(&g->ids) != 0) {
        snprintf(errstr, errstr_size, "out of memory");
        goto out;
    }
    idkey *slot = idset_find(&g->ids, &k);
    if (slot->a || slot->b || idset_has(&g->fids, &k)) {
        rc = 1;
        goto out;
    }
    int found =
        store_get(g->st, SCF_IDS, key, id_store_key(&k, key), &v, &vlen, errstr, errstr_size);
    free(v);
    if (found < 0)
        goto out;
    if (found) {
        rc = 1;
        goto out;
    }
    if (record) {
        *slot = k;
        g->ids.count++;
    }
    rc = 0;
out:
    pthread_mutex_unlock(&g->ids.lock);
    return rc;
}

int graph_seen_transfer(graph *g, const char *id, int64_t time_ms, char *errstr, size_t errstr_size)
{
    idkey k;
    id_hash(id, &k);
    k.time_ms = time_ms;
    return seen_id(g, &k, 1, errstr, errstr_size);
}

int graph_seen_report(graph *g, const char *id, int64_t time_ms, int record, char *errstr,
                      size_t errstr_size)
{
    idkey k;
    id_hash(id, &k);
    k.a ^= 0x7265706f72742e31ULL; /* "report.1": apart from the transfer ids */
    if (k.a == 0 && k.b == 0)
        k.b = 1;
    k.time_ms = time_ms;
    return seen_id(g, &k, record, errstr, errstr_size);
}

static void batch_ids(store_batch *b, const idset *s)
{
    char key[16], val[8];
    for (size_t i = 0; i < s->cap; i++) {
        const idkey *k = &s->slots[i];
        if (!k->a && !k->b)
            continue;
        gc_be64_put(val, (uint64_t)k->time_ms);
        store_batch_put(b, SCF_IDS, key, id_store_key(k, key), val, sizeof(val));
    }
}

/* ---- the stream's clock */

static void advance_watermark(graph *g, int64_t t_ms)
{
    int64_t seen = atomic_load(&g->watermark_ms);
    while (t_ms > seen && !atomic_compare_exchange_weak(&g->watermark_ms, &seen, t_ms))
        ;
}

int64_t graph_watermark(graph *g)
{
    return atomic_load(&g->watermark_ms);
}

/* The store's clock for an event_clock graph. Before the first transfer it
 * is 0, so nothing expires. */
static int64_t watermark_clock(void *arg)
{
    return graph_watermark(arg);
}

/* Once: a stream whose event times are older than the retention before the
 * wall clock is being screened; windows and flows are kept by event time,
 * but an operator should know (input.max.past and state.retention). */
static void warn_lag(graph *g)
{
    struct timespec ts;
    int64_t w = graph_watermark(g);
    if (!g->event_clock || g->lag_warned || w == 0)
        return;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t lag = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 - w;
    int64_t retention = store_retention(g->st);
    if (lag <= retention)
        return;
    g->lag_warned = 1;
    LOG_WARN(g->log, "graph",
             "input event times lag the wall clock by %" PRId64 " days, more than state.retention "
             "(%" PRId64 " days): retention follows the stream's event time, so its history is "
             "kept",
             lag / 86400000, retention / 86400000);
}

/* ---- parked reports (park.h): kept in memory, written at checkpoints */

/* One stored park into p. */
static int load_park(park_set *p, int64_t *clock_ms, const char *k, size_t kl, const char *v,
                     size_t vl, char *errstr, size_t errstr_size)
{
    ix_report rep;
    park_src src;
    char topic[PARK_TOPIC_MAX + 1];
    if (kl == PARK_CLOCK_KEY_LEN && memcmp(k, PARK_CLOCK_KEY, kl) == 0) {
        if (vl != 8) {
            snprintf(errstr, errstr_size, "corrupt park clock record");
            return -1;
        }
        *clock_ms = (int64_t)gc_be64_get(v);
        return 0;
    }
    if (gc_park_unpack(v, vl, &rep, &src, topic) != 0 || strlen(rep.id) != kl ||
        memcmp(rep.id, k, kl) != 0) {
        snprintf(errstr, errstr_size, "corrupt parked report %.*s", (int)(kl > 64 ? 64 : kl), k);
        return -1;
    }
    if (park_add(p, &rep, &src) != 0) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    return 0;
}

/* The parks and their clock as of the last checkpoint, from the store; the
 * park lock is held (or the graph not yet shared). */
static int load_parks(graph *g, char *errstr, size_t errstr_size)
{
    int64_t clock_ms = 0;
    park_set *p = park_new();
    store_iter *it = p ? store_iter_all(g->st, SCF_PARKS) : NULL;
    int rc = 0;
    if (!it) {
        park_free(p);
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    for (; rc == 0 && store_iter_valid(it); store_iter_next(it)) {
        size_t kl, vl;
        const char *k = store_iter_key(it, &kl);
        const char *v = store_iter_value(it, &vl);
        rc = load_park(p, &clock_ms, k, kl, v, vl, errstr, errstr_size);
    }
    if (rc == 0)
        rc = store_iter_error(it, errstr, errstr_size);
    store_iter_destroy(it);
    if (rc != 0) {
        park_free(p);
        return -1;
    }
    park_clean(p);
    park_free(g->parks);
    g->parks = p;
    atomic_store(&g->nparked, park_count(p));
    atomic_store(&g->park_clock_ms, clock_ms);
    g->park_clock_stored = clock_ms;
    return 0;
}

/* What changed since the last checkpoint, and the clock when it moved (a
 * restart must expire on the same event as the run before it); the park
 * lock is held. */
static int batch_parks(store_batch *b, graph *g, int64_t now, char *errstr, size_t errstr_size)
{
    park_set *p = g->parks;
    char clock[8];
    for (size_t i = 0; i < park_ndirty(p); i++) {
        const char *id = park_dirty(p, i);
        const park_entry *e = park_find(p, id);
        if (!e) {
            store_batch_delete(b, SCF_PARKS, id, strlen(id));
            continue;
        }
        char *val = malloc(gc_park_size(&e->rep, &e->src));
        if (!val) {
            snprintf(errstr, errstr_size, "out of memory");
            return -1;
        }
        size_t vl = gc_park_pack(&e->rep, &e->src, val);
        store_batch_put(b, SCF_PARKS, id, strlen(id), val, vl);
        free(val);
    }
    if (now != g->park_clock_stored) {
        gc_be64_put(clock, (uint64_t)now);
        store_batch_put(b, SCF_PARKS, PARK_CLOCK_KEY, PARK_CLOCK_KEY_LEN, clock, sizeof(clock));
    }
    return 0;
}

int graph_park(graph *g, const ix_report *rep, const park_src *src, char *errstr,
               size_t errstr_size)
{
    pthread_mutex_lock(&g->park_lock);
    int rc = park_add(g->parks, rep, src);
    atomic_store(&g->nparked, park_count(g->parks));
    pthread_mutex_unlock(&g->park_lock);
    if (rc != 0)
        snprintf(errstr, errstr_size, "out of memory");
    return rc;
}

int graph_parked(graph *g, const char *report_id)
{
    if (atomic_load(&g->nparked) == 0)
        return 0;
    pthread_mutex_lock(&g->park_lock);
    int rc = park_has(g->parks, report_id);
    pthread_mutex_unlock(&g->park_lock);
    return rc;
}

/* Every transfer asks: with nothing parked, one atomic load and no lock. */
park_entry *graph_unpark_transfer(graph *g, const char *transfer_id, const char *account)
{
    if (atomic_load(&g->nparked) == 0)
        return NULL;
    pthread_mutex_lock(&g->park_lock);
    park_entry *e = park_take_transfer(g->parks, transfer_id, account);
    atomic_store(&g->nparked, park_count(g->parks));
    pthread_mutex_unlock(&g->park_lock);
    return e;
}

park_entry *graph_unpark_due(graph *g, int64_t wait_ms, size_t max)
{
    park_entry *e = NULL;
    if (atomic_load(&g->nparked) == 0)
        return NULL;
    pthread_mutex_lock(&g->park_lock);
    const park_entry *old = park_oldest(g->parks);
    if (old && (park_count(g->parks) > max ||
                atomic_load(&g->park_clock_ms) - old->rep.reported_at_ms > wait_ms))
        e = park_take_oldest(g->parks);
    atomic_store(&g->nparked, park_count(g->parks));
    pthread_mutex_unlock(&g->park_lock);
    return e;
}

void graph_park_advance(graph *g, int64_t t_ms)
{
    int64_t seen = atomic_load(&g->park_clock_ms);
    while (t_ms > seen && !atomic_compare_exchange_weak(&g->park_clock_ms, &seen, t_ms))
        ;
}

int64_t graph_park_clock(graph *g)
{
    return atomic_load(&g->park_clock_ms);
}

int graph_parks(graph *g, graph_park_fn fn, void *arg)
{
    int rc = 0;
    pthread_mutex_lock(&g->park_lock);
    for (size_t i = 0; rc == 0 && i < park_count(g->parks); i++)
        rc = fn(park_at(g->parks, i), arg);
    pthread_mutex_unlock(&g->park_lock);
    return rc;
}

/* ---- the desk (desk.h): the set in memory, raised requests in the store,
 * both written at checkpoints */

#define DESK_KEY_ALLOW    'a' /* 'a' account \0 counterparty -> desk_allow */
#define DESK_KEY_SUPPRESS 's' /* 's' account \0 rule -> desk_suppress */
#define DESK_KEY_REQUEST  'r' /* 'r' request id -> desk_request */
#define DESK_KEY_MAX      (1 + IX_ID_MAX + 1 + IX_ACCOUNT_MAX + 1)

static size_t desk_key(char *buf, char kind, const char *a, const char *b)
{
    size_t na = strlen(a), n = 0;
    buf[n++] = kind;
    memcpy(buf + n, a, na);
    n += na;
    if (b) {
        size_t nb = strlen(b);
        buf[n++] = '\0';
        memcpy(buf + n, b, nb);
        n += nb;
    }
    return n;
}

/* Every stored record of one kind into d (NULL: only counted, for
 * deleting them) and, when del is set, a delete of each into b. */
static int desk_scan(graph *g, char kind, desk_set *d, store_batch *del, char *errstr,
                     size_t errstr_size)
{
    char prefix[1] = {kind};
    store_iter *it = store_iter_new(g->st, SCF_DESK, prefix, 1, NULL, 0);
    int rc = 0;
    if (!it) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    for (; rc == 0 && store_iter_valid(it); store_iter_next(it)) {
        size_t kl, vl;
        const char *k = store_iter_key(it, &kl);
        const char *v = store_iter_value(it, &vl);
        desk_allow a;
        desk_suppress sup;
        if (del)
            store_batch_delete(del, SCF_DESK, k, kl);
        if (!d)
            continue;
        if (kind == DESK_KEY_ALLOW)
            rc = desk_unpack_allow(v, vl, &a) == 0 && desk_allow_put(d, &a) == 0 ? 0 : -1;
        else
            rc = desk_unpack_suppress(v, vl, &sup) == 0 &&
                         desk_dismiss(d, sup.account, sup.rule, sup.request_id, sup.until_ms) == 0
                     ? 0
                     : -1;
        if (rc == 0 && kind == DESK_KEY_SUPPRESS) /* the count is not desk_dismiss's */
            ((desk_suppress *)d->suppress.p)[d->suppress.n - 1].held = sup.held;
        if (rc != 0)
            snprintf(errstr, errstr_size, "corrupt desk record %.*s", (int)(kl > 64 ? 64 : kl), k);
    }
    if (rc == 0)
        rc = store_iter_error(it, errstr, errstr_size);
    store_iter_destroy(it);
    return rc;
}

/* The desk as of the last checkpoint, from the store; the desk lock is held
 * (or the graph not yet shared). The set is refilled in place: callers hold
 * a pointer to it (graph_desk). */
static int load_desk(graph *g, char *errstr, size_t errstr_size)
{
    desk_set d = {0};
    if (desk_scan(g, DESK_KEY_ALLOW, &d, NULL, errstr, errstr_size) != 0 ||
        desk_scan(g, DESK_KEY_SUPPRESS, &d, NULL, errstr, errstr_size) != 0) {
        desk_free(&d);
        return -1;
    }
    d.dirty = 0;
    desk_free(&g->desk);
    g->desk = d;
    vec_free(&g->desk_reqs);
    vec_free(&g->desk_reqs_frozen);
    return 0;
}

/* The whole set when it changed (it is small: rewriting it is simpler than
 * tracking each entry), and the requests since the last checkpoint; the
 * desk lock is held. */
static int batch_desk(store_batch *b, graph *g, char *errstr, size_t errstr_size)
{
    char key[DESK_KEY_MAX], val[DESK_PACK_MAX];
    if (g->desk.dirty) {
        if (desk_scan(g, DESK_KEY_ALLOW, NULL, b, errstr, errstr_size) != 0 ||
            desk_scan(g, DESK_KEY_SUPPRESS, NULL, b, errstr, errstr_size) != 0)
            return -1;
        const desk_allow *a = g->desk.allow.p;
        for (int64_t i = 0; i < g->desk.allow.n; i++)
            store_batch_put(b, SCF_DESK, key,
                            desk_key(key, DESK_KEY_ALLOW, a[i].account, a[i].counterparty), val,
                            desk_pack_allow(&a[i], val));
        const desk_suppress *sup = g->desk.suppress.p;
        for (int64_t i = 0; i < g->desk.suppress.n; i++)
            store_batch_put(b, SCF_DESK, key,
                            desk_key(key, DESK_KEY_SUPPRESS, sup[i].account, sup[i].rule), val,
                            desk_pack_suppress(&sup[i], val));
    }
    /* In order: a request answered in the interval it was raised in is
     * written twice, the answer last. */
    const desk_request *q = g->desk_reqs.p;
    for (int64_t i = 0; i < g->desk_reqs.n; i++)
        store_batch_put(b, SCF_DESK, key, desk_key(key, DESK_KEY_REQUEST, q[i].id, NULL), val,
                        desk_pack_request(&q[i], val));
    return 0;
}

desk_set *graph_desk(graph *g)
{
    return &g->desk;
}

int graph_desk_put_request(graph *g, const desk_request *q, char *errstr, size_t errstr_size)
{
    pthread_mutex_lock(&g->desk_lock);
    desk_request *slot = vec_push(&g->desk_reqs, sizeof(*q));
    if (slot)
        *slot = *q;
    pthread_mutex_unlock(&g->desk_lock);
    if (!slot)
        snprintf(errstr, errstr_size, "out of memory");
    return slot ? 0 : -1;
}

int graph_desk_get_request(graph *g, const char *id, desk_request *out, char *errstr,
                           size_t errstr_size)
{
    char key[DESK_KEY_MAX], *v = NULL;
    size_t vlen = 0;
    int found = 0;
    pthread_mutex_lock(&g->desk_lock);
    const vec *sets[2] = {&g->desk_reqs, &g->desk_reqs_frozen}; /* the latest first */
    for (int k = 0; k < 2 && !found; k++) {
        const desk_request *q = sets[k]->p;
        for (int64_t i = sets[k]->n; i-- > 0 && !found;)
            if (strcmp(q[i].id, id) == 0) {
                *out = q[i];
                found = 1;
            }
    }
    pthread_mutex_unlock(&g->desk_lock);
    if (found)
        return 1;
    int rc = store_get(g->st, SCF_DESK, key, desk_key(key, DESK_KEY_REQUEST, id, NULL), &v, &vlen,
                       errstr, errstr_size);
    if (rc <= 0)
        return rc;
    rc = desk_unpack_request(v, vlen, out) == 0 ? 1 : -1;
    if (rc < 0)
        snprintf(errstr, errstr_size, "request %.64s: corrupt desk record", id);
    free(v);
    return rc;
}

/* ---- open and close */

int graph_open(const graph_opts *o, graph **out, char *errstr, size_t errstr_size)
{
    graph *g = calloc(1, sizeof(*g));
    if (!g) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    g->log = o->log;
    g->write_hook = o->write_hook;
    g->write_hook_arg = o->write_hook_arg;
    pthread_mutex_init(&g->ckpt_lock, NULL);
    pthread_mutex_init(&g->ids.lock, NULL);
    pthread_mutex_init(&g->park_lock, NULL);
    pthread_mutex_init(&g->desk_lock, NULL);
    for (int i = 0; i < GRAPH_STRIPES; i++) {
        pthread_mutex_init(&g->stripes[i].lock, NULL);
        g->stripes[i].nbuckets = 256;
        g->stripes[i].buckets = calloc(256, sizeof(gentry *));
        if (!g->stripes[i].buckets) {
            snprintf(errstr, errstr_size, "out of memory");
            goto fail;
        }
    }
    /* Half the budget for RocksDB's block cache, half for the account cache. */
    size_t budget = o->cache_bytes ? o->cache_bytes : (size_t)64 << 20;
    g->stripe_cap = budget / 2 / sizeof(gentry) / GRAPH_STRIPES;
    if (g->stripe_cap < 16)
        g->stripe_cap = 16;
    g->event_clock = o->event_clock && !o->clock_ms;
    store_opts so = {.dir = o->dir,
                     .block_cache_bytes = budget / 2,
                     .create = o->create,
                     .read_only = o->read_only,
                     .retention_ms = o->retention_ms,
                     .min_free_bytes = o->min_free_bytes,
                     .log_dir = o->log_dir,
                     .clock_ms = g->event_clock ? watermark_clock : o->clock_ms,
                     .clock_arg = g->event_clock ? (void *)g : o->clock_arg};
    if (store_open(&so, &g->st, errstr, errstr_size) != 0 ||
        load_parks(g, errstr, errstr_size) != 0 || load_desk(g, errstr, errstr_size) != 0)
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
    char why[512];
    if (graph_sync(g, why, sizeof(why)) != 0)
        LOG_ERROR(g->log, "graph", "%s", why);
    for (int i = 0; i < GRAPH_STRIPES; i++) {
        if (g->stripes[i].buckets)
            stripe_clear(&g->stripes[i]);
        free(g->stripes[i].buckets);
        pthread_mutex_destroy(&g->stripes[i].lock);
    }
    store_close(g->st);
    park_free(g->parks);
    pthread_mutex_destroy(&g->park_lock);
    desk_free(&g->desk);
    vec_free(&g->desk_reqs);
    vec_free(&g->desk_reqs_frozen);
    pthread_mutex_destroy(&g->desk_lock);
    idset_clear(&g->ids);
    idset_clear(&g->fids);
    pthread_mutex_destroy(&g->ids.lock);
    pthread_mutex_destroy(&g->ckpt_lock);
    free(g);
}

/* ---- reading one account */

typedef struct get_arg {
    int64_t as_of_ms;
    graph_acct *out;
} get_arg;

static int do_get(graph *g, stripe *s, gentry *e, void *arg)
{
    get_arg *a = arg;
    (void)g;
    (void)s;
    snapshot(e, a->as_of_ms, a->out);
    return 0;
}

int graph_get(graph *g, const char *account, int64_t as_of_ms, graph_acct *out, char *errstr,
              size_t errstr_size)
{
    get_arg a = {as_of_ms, out};
    return with_entry(g, account, do_get, &a, errstr, errstr_size);
}

int graph_get_profile(graph *g, const char *account, ix_account *out, char *errstr,
                      size_t errstr_size)
{
    char *v = NULL;
    size_t vlen = 0;
    int found =
        store_get(g->st, SCF_PROFILES, account, strlen(account), &v, &vlen, errstr, errstr_size);
    if (found <= 0)
        return found;
    memset(out, 0, sizeof(*out));
    snprintf(out->account, sizeof(out->account), "%s", account);
    int rc = gc_profile_unpack(v, vlen, out) == 0 ? 1 : -1;
    if (rc < 0)
        snprintf(errstr, errstr_size, "account %s: corrupt profile record", account);
    free(v);
    return rc;
}

int graph_get_watch(graph *g, const char *account, ix_watch *out, char *errstr, size_t errstr_size)
{
    char *v = NULL;
    size_t vlen = 0;
    int found =
        store_get(g->st, SCF_WATCHLIST, account, strlen(account), &v, &vlen, errstr, errstr_size);
    if (found <= 0)
        return found;
    memset(out, 0, sizeof(*out));
    snprintf(out->account, sizeof(out->account), "%s", account);
    int rc = gc_watch_unpack(v, vlen, out) == 0 ? 1 : -1;
    if (rc < 0)
        snprintf(errstr, errstr_size, "account %s: corrupt watch-list record", account);
    free(v);
    return rc;
}

/* ---- applying a transfer */

static int push_flow(stripe *s, gentry *e, const graph_flow *f)
{
    size_t had = e->capflows;
    if (vec_reserve((void **)&e->flows, &e->capflows, e->nflows + 1, sizeof(*e->flows), 2) != 0)
        return -1;
    s->bytes += (e->capflows - had) * sizeof(*e->flows);
    e->flows[e->nflows++] = *f;
    s->npending++;
    return 0;
}

/* ---- pending edges: the index */

static uint64_t peer_hash(const char *peer)
{
    return hash_fnv1a64(HASH_FNV64_INIT, peer, strlen(peer));
}

/* The delta of the edge to `peer`, or NULL. */
static pending_delta *pending_find(const pending_edges *p, const char *peer)
{
    if (!p->nslot)
        return NULL;
    size_t mask = p->nslot - 1;
    for (size_t i = peer_hash(peer) & mask;; i = (i + 1) & mask) {
        uint32_t at = p->slot[i];
        if (!at)
            return NULL;
        if (strcmp(p->v[at - 1].e.peer, peer) == 0)
            return &p->v[at - 1];
    }
}

static void pending_index(pending_edges *p, size_t k)
{
    size_t mask = p->nslot - 1, i = peer_hash(p->v[k].e.peer) & mask;
    while (p->slot[i])
        i = (i + 1) & mask;
    p->slot[i] = (uint32_t)(k + 1);
}

/* Rebuild the index at nslot slots (a power of two above 2n). */
static int pending_reindex(pending_edges *p, size_t nslot)
{
    uint32_t *slot = calloc(nslot, sizeof(*slot));
    if (!slot)
        return -1;
    free(p->slot);
    p->slot = slot;
    p->nslot = nslot;
    for (size_t k = 0; k < p->n; k++)
        pending_index(p, k);
    return 0;
}

/* Add a transfer to the pending delta of the edge to `peer`. */
static int push_edge(stripe *s, gentry *e, graph_dir dir, const char *peer, int64_t amount,
                     int64_t t_ms)
{
    pending_edges *p = &e->pe[dir];
    graph_edge d = {.count = 1, .sum = amount, .first_ms = t_ms, .last_ms = t_ms};
    pending_delta *have = pending_find(p, peer);
    if (have) {
        gc_edge_merge(&have->e, &d);
        gc_edge_merge(&have->live, &d);
        return 0;
    }
    size_t had = pending_bytes(p);
    int rc =
        p->n >= UINT32_MAX - 1 ||
                vec_reserve((void **)&p->v, &p->cap, p->n + 1, sizeof(*p->v), 2) != 0 ||
                (2 * (p->n + 1) > p->nslot && pending_reindex(p, p->nslot ? 2 * p->nslot : 8) != 0)
            ? -1
            : 0;
    s->bytes += pending_bytes(p) - had;
    if (rc != 0)
        return -1;
    snprintf(d.peer, sizeof(d.peer), "%s", peer);
    memset(&p->v[p->n], 0, sizeof(p->v[p->n]));
    p->v[p->n].e = d;
    p->v[p->n].live = d;
    pending_index(p, p->n++);
    return 0;
}

static void count_transfer(gc_acct *r, graph_dir dir, int64_t amount, int64_t t)
{
    if (dir == GRAPH_IN) {
        r->in_count++;
        r->in_sum += amount;
        if (t > r->last_in_ms)
            r->last_in_ms = t;
    } else {
        r->out_count++;
        r->out_sum += amount;
        if (t > r->last_out_ms)
            r->last_out_ms = t;
    }
    /* min/max keep the state independent of the order in which concurrently
     * screened transfers reach the account. */
    if (r->first_seen_ms == 0 || t < r->first_seen_ms)
        r->first_seen_ms = t;
    if (t > r->last_seen_ms)
        r->last_seen_ms = t;
    for (int w = 0; w < WIN__COUNT; w++)
        win_add(&r->ring[w], (win_id)w, t, dir == GRAPH_IN, amount);
}

typedef struct side_arg {
    const ix_transfer *t;
    graph_dir dir;
    graph_acct *before;
    char *errstr;
    size_t errstr_size;
} side_arg;

static int do_side(graph *g, stripe *s, gentry *e, void *arg)
{
    side_arg *a = arg;
    const ix_transfer *t = a->t;
    const char *peer = a->dir == GRAPH_IN ? t->from_account : t->to_account;
    const char *peer_bank = a->dir == GRAPH_IN ? t->from_bank : t->to_bank;
    graph_flow f;
    (void)g;
    snapshot(e, t->event_time_ms, a->before);
    memset(&f, 0, sizeof(f));
    memcpy(f.transfer_id, t->id, sizeof(f.transfer_id));
    snprintf(f.peer, sizeof(f.peer), "%s", peer);
    snprintf(f.peer_bank, sizeof(f.peer_bank), "%s", peer_bank);
    f.dir = a->dir;
    f.amount = t->amount;
    f.time_ms = t->event_time_ms;
    if (push_flow(s, e, &f) != 0 ||
        push_edge(s, e, a->dir, peer, t->amount, t->event_time_ms) != 0) {
        snprintf(a->errstr, a->errstr_size, "out of memory");
        return -1;
    }
    count_transfer(&e->rec, a->dir, t->amount, t->event_time_ms);
    score_base_note(&e->rec.base, score_peer_hash(peer), a->dir == GRAPH_IN, t->amount,
                    t->event_time_ms);
    entry_mark_dirty(s, e);
    return 0;
}

int graph_apply_transfer(graph *g, const ix_transfer *t, graph_acct *from_before,
                         graph_acct *to_before, char *errstr, size_t errstr_size)
{
    side_arg out = {t, GRAPH_OUT, from_before, errstr, errstr_size};
    side_arg in = {t, GRAPH_IN, to_before, errstr, errstr_size};
    if (with_entry(g, t->from_account, do_side, &out, errstr, errstr_size) != 0 ||
        with_entry(g, t->to_account, do_side, &in, errstr, errstr_size) != 0)
        return -1;
    advance_watermark(g, t->event_time_ms);
    return 0;
}

/* ---- incidents */

static int incident_is_new(const gc_acct *a, ix_action action, int64_t at_ms, int64_t cooldown_ms)
{
    if (a->incident_action == IX_ACTION_NONE)
        return 1;
    if (action > a->incident_action)
        return 1; /* escalation */
    /* Event time, not wall clock: a replay must decide the same way. */
    return at_ms >= a->incident_at_ms + cooldown_ms || at_ms < a->incident_at_ms - cooldown_ms;
}

typedef struct incident_arg {
    ix_action action;
    int64_t at_ms, cooldown_ms;
} incident_arg;

static int do_incident(graph *g, stripe *s, gentry *e, void *arg)
{
    incident_arg *a = arg;
    (void)g;
    if (!incident_is_new(&e->rec, a->action, a->at_ms, a->cooldown_ms))
        return 0;
    e->rec.incident_action = a->action;
    e->rec.incident_at_ms = a->at_ms;
    entry_mark_dirty(s, e);
    return 1;
}

int graph_raise_incident(graph *g, const char *account, ix_action action, int64_t at_ms,
                         int64_t cooldown_ms, char *errstr, size_t errstr_size)
{
    incident_arg a = {action, at_ms, cooldown_ms};
    return with_entry(g, account, do_incident, &a, errstr, errstr_size);
}

/* ---- score memory */

typedef struct score_arg {
    const graph_score_note *notes;
    int n;
    int64_t at_ms, horizon_ms;
    score_part *parts;
    int *nparts;
    char *errstr;
    size_t errstr_size;
} score_arg;

static int do_score(graph *g, stripe *s, gentry *e, void *arg)
{
    score_arg *a = arg;
    (void)g;
    for (int i = 0; i < a->n; i++)
        if (score_note(&e->rec.score, a->notes[i].slot, a->notes[i].score, a->at_ms,
                       a->horizon_ms) != 0) {
            snprintf(a->errstr, a->errstr_size, "score slot %d or score %d out of range",
                     a->notes[i].slot, a->notes[i].score);
            return -1;
        }
    if (a->n > 0)
        entry_mark_dirty(s, e);
    return score_total(&e->rec.score, a->at_ms, a->horizon_ms, a->parts, a->nparts);
}

int graph_score(graph *g, const char *account, const graph_score_note *notes, int n, int64_t at_ms,
                int64_t horizon_ms, score_part *parts, int *nparts, char *errstr,
                size_t errstr_size)
{
    score_arg a = {notes, n, at_ms, horizon_ms, parts, nparts, errstr, errstr_size};
    return with_entry(g, account, do_score, &a, errstr, errstr_size);
}

/* ---- scans: the store plus what is pending in the cache */

/* Read up to max stored edges of an account in account-id order into out,
 * unfiltered: the bound applies to what is read, not to what passes, so a
 * hub with a million counterparties costs what one with max costs. Returns
 * how many were read (*more: the store has further ones), or -1. */
static int read_stored_edges(graph *g, const char *account, graph_dir dir, graph_edge *out, int max,
                             int *more, char *errstr, size_t errstr_size)
{
    char prefix[GC_KEY_MAX];
    int n = 0, rc = -1;
    size_t plen = gc_prefix(prefix, account);
    store_iter *it = store_iter_new(g->st, dir == GRAPH_IN ? SCF_EDGES_IN : SCF_EDGES_OUT, prefix,
                                    plen, NULL, 0);
    if (!it) {
        snprintf(errstr, errstr_size, "cannot scan edges of %s", account);
        return -1;
    }
    for (; n < max && store_iter_valid(it); store_iter_next(it)) {
        size_t kl, vl;
        const char *k = store_iter_key(it, &kl);
        const char *v = store_iter_value(it, &vl);
        graph_edge *e = &out[n++];
        memset(e, 0, sizeof(*e));
        if (kl - plen > IX_ACCOUNT_MAX || gc_edge_unpack(v, vl, e) != 0) {
            snprintf(errstr, errstr_size, "account %s: corrupt edge record", account);
            goto out;
        }
        memcpy(e->peer, k + plen, kl - plen);
        e->peer[kl - plen] = '\0';
    }
    *more = store_iter_valid(it);
    if (store_iter_error(it, errstr, errstr_size) == 0)
        rc = n;
out:
    store_iter_destroy(it);
    return rc;
}

static int edge_passes(const graph_edge *e, int64_t since_ms)
{
    return e->count != 0 && e->last_ms >= since_ms;
}

static int ptr_cmp(const void *x, const void *y)
{
    const pending_delta *const *a = x, *const *b = y;
    return *a < *b ? -1 : *a > *b;
}

/* The delta's edge: its stored edge (looked up once per checkpoint
 * interval, then remembered) merged with it. Returns 0, or -1 with errstr. */
static int with_stored(graph *g, const char *account, graph_dir dir, pending_delta *d,
                       graph_edge *e, char *errstr, size_t errstr_size)
{
    char key[GC_KEY_MAX], *v = NULL;
    size_t vl = 0;
    if (!d->looked) {
        size_t kl = gc_edge_key(key, account, d->e.peer);
        int found = store_get(g->st, dir == GRAPH_IN ? SCF_EDGES_IN : SCF_EDGES_OUT, key, kl, &v,
                              &vl, errstr, errstr_size);
        if (found < 0)
            return -1;
        memset(&d->st, 0, sizeof(d->st));
        if (found && gc_edge_unpack(v, vl, &d->st) != 0) {
            free(v);
            snprintf(errstr, errstr_size, "account %s: corrupt edge record", account);
            return -1;
        }
        free(v);
        memcpy(d->st.peer, d->e.peer, sizeof(d->st.peer));
        d->looked = found ? 2 : 1;
    }
    *e = d->looked == 2 ? d->st : d->e;
    if (d->looked == 2)
        gc_edge_merge(e, &d->e);
    return 0;
}

/* What one edge scan works on: the stored edges read, and the stripe-locked
 * pending deltas of the account in that direction (NULL: none). */
typedef struct edge_scan {
    const char *account;
    graph_dir dir;
    int64_t since_ms;
    pending_edges *p;
    graph_edge *out;
    int n, max, more; /* stored edges read; room; the store has further ones */
} edge_scan;

/* Merge the pending deltas into the stored edges read (one index probe
 * each) and keep those that pass the time filter. Then the deltas that met
 * no stored edge read, in arrival order, up to max: when every stored edge
 * was read they are new edges; otherwise each is looked up in the store
 * (one point read each, max at most), since its edge may be beyond the
 * bound. This keeps what arrived since the last checkpoint in view on an
 * account with more counterparties than the bound: a gathering on a busy
 * collection account is made of such new senders. The stripe is locked.
 * Returns how many are in out, or max + 1 when some were left unread; -1. */
static int merge_pending(graph *g, edge_scan *q, char *errstr, size_t errstr_size)
{
    pending_edges *p = q->p;
    const pending_delta **used = NULL;
    size_t nused = 0, looked = (size_t)q->n, k = 0;
    int w = 0, rc = -1;
    if (p && p->n && !(used = malloc(((size_t)q->n + 1) * sizeof(*used)))) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    for (int i = 0; i < q->n; i++) {
        const pending_delta *d = used ? pending_find(p, q->out[i].peer) : NULL;
        if (d) {
            gc_edge_merge(&q->out[i], &d->e);
            used[nused++] = d;
        }
        if (edge_passes(&q->out[i], q->since_ms))
            q->out[w++] = q->out[i];
    }
    if (used)
        qsort(used, nused, sizeof(*used), ptr_cmp);
    for (; used && k < p->n && w < q->max; k++, looked++) {
        pending_delta *d = &p->v[k];
        graph_edge e = d->e;
        if (bsearch(&d, used, nused, sizeof(*used), ptr_cmp))
            continue;
        if (q->more && with_stored(g, q->account, q->dir, d, &e, errstr, errstr_size) < 0)
            goto out;
        if (edge_passes(&e, q->since_ms))
            q->out[w++] = e;
    }
    rc = q->more || (p && k < p->n) ? q->max + 1 : w;
out:
    free(used);
    atomic_fetch_add(&g->edges_examined, looked);
    return rc;
}

int graph_edges(graph *g, const char *account, graph_dir dir, int64_t since_ms, graph_edge *out,
                int max, char *errstr, size_t errstr_size)
{
    edge_scan q = {.account = account, .dir = dir, .since_ms = since_ms, .out = out, .max = max};
    if (max <= 0)
        return 0;
    uint64_t h = acct_hash(account);
    stripe *s = stripe_of(g, h);
    for (;;) {
        uint64_t landed = atomic_load(&g->landings);
        q.n = read_stored_edges(g, account, dir, out, max, &q.more, errstr, errstr_size);
        if (q.n < 0)
            return -1;
        pthread_mutex_lock(&s->lock);
        if (atomic_load(&g->landings) == landed)
            break;
        pthread_mutex_unlock(&s->lock); /* a batch landed in between: again */
    }
    gentry *e = stripe_find(s, h, account);
    q.p = e ? &e->pe[dir] : NULL;
    int rc = merge_pending(g, &q, errstr, errstr_size);
    pthread_mutex_unlock(&s->lock);
    return rc;
}

static int flow_cmp(const void *a, const void *b)
{
    const graph_flow *x = a, *y = b;
    if (x->time_ms != y->time_ms)
        return x->time_ms < y->time_ms ? -1 : 1;
    return strcmp(x->transfer_id, y->transfer_id);
}

/* Pending flows of an account in [from, to] and direction dir, appended. */
/* Returns 0, -1 out of memory, or 1 when a batch landed since `landed`
 * (what the store gave may overlap the memory: read again). */
static int add_pending_flows(graph *g, const char *account, graph_dir dir, int64_t from_ms,
                             int64_t to_ms, uint64_t landed, graph_flow **buf, size_t *n,
                             size_t *cap)
{
    uint64_t h = acct_hash(account);
    stripe *s = stripe_of(g, h);
    int rc = 0;
    pthread_mutex_lock(&s->lock);
    if (atomic_load(&g->landings) != landed) {
        pthread_mutex_unlock(&s->lock);
        return 1;
    }
    gentry *e = stripe_find(s, h, account);
    for (size_t i = 0; e && i < e->nflows && rc == 0; i++) {
        const graph_flow *f = &e->flows[i];
        if (f->dir != dir || f->time_ms < from_ms || f->time_ms > to_ms)
            continue;
        if (vec_reserve((void **)buf, cap, *n + 1, sizeof(**buf), 16) != 0) {
            rc = -1;
            break;
        }
        (*buf)[(*n)++] = *f;
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

static int scan_flows(graph *g, const char *account, graph_dir dir, int64_t from_ms, int64_t to_ms,
                      graph_flow *out, int max, int *n, char *errstr, size_t errstr_size)
{
    char prefix[GC_KEY_MAX], start[GC_KEY_MAX];
    size_t plen = gc_flow_prefix(prefix, account, dir);
    size_t slen = gc_flow_key(start, account, dir, from_ms, 0);
    store_iter *it = store_iter_new(g->st, SCF_FLOWS, prefix, plen, start, slen);
    int rc = 0;
    *n = 0;
    if (!it) {
        snprintf(errstr, errstr_size, "cannot scan flows of %s", account);
        return -1;
    }
    for (; *n < max && store_iter_valid(it); store_iter_next(it)) {
        size_t kl, vl;
        const char *k = store_iter_key(it, &kl);
        const char *v = store_iter_value(it, &vl);
        int64_t t = gc_flow_key_time(k, kl);
        if (t > to_ms)
            break;
        graph_flow *f = &out[*n];
        memset(f, 0, sizeof(*f));
        if (t < 0 || gc_flow_unpack(v, vl, f) != 0) {
            snprintf(errstr, errstr_size, "account %s: corrupt flow record", account);
            rc = -1;
            break;
        }
        f->time_ms = t;
        f->dir = dir;
        (*n)++;
    }
    if (rc == 0)
        rc = store_iter_error(it, errstr, errstr_size);
    store_iter_destroy(it);
    return rc;
}

int graph_flows(graph *g, const char *account, graph_dir dir, int64_t from_ms, int64_t to_ms,
                graph_flow *out, int max, char *errstr, size_t errstr_size)
{
    graph_flow *buf = NULL;
    size_t n = 0, cap = 0;
    int stored = 0;
    if (max <= 0)
        return 0;
    /* The stored flows are the oldest `max` of the store; pending ones can be
     * older than some of them, so take both, sort, and cut. */
    for (int more = 1; more;) {
        uint64_t landed = atomic_load(&g->landings);
        if (scan_flows(g, account, dir, from_ms, to_ms, out, max, &stored, errstr, errstr_size) !=
            0)
            return -1;
        n = 0;
        more = add_pending_flows(g, account, dir, from_ms, to_ms, landed, &buf, &n, &cap);
        if (more < 0) {
            snprintf(errstr, errstr_size, "out of memory");
            free(buf);
            return -1;
        }
    }
    if (n == 0)
        return stored;
    graph_flow *all = realloc(buf, (n + (size_t)stored) * sizeof(*all));
    if (!all) {
        snprintf(errstr, errstr_size, "out of memory");
        free(buf);
        return -1;
    }
    memcpy(all + n, out, (size_t)stored * sizeof(*all));
    n += (size_t)stored;
    qsort(all, n, sizeof(*all), flow_cmp);
    int w = 0;
    for (size_t i = 0; i < n && w < max; i++)
        if (w == 0 || flow_cmp(&all[i], &out[w - 1]) != 0)
            out[w++] = all[i];
    free(all);
    return w;
}

/* ---- checkpoint */

/* Keys go into the batch in ascending order per family: RocksDB's memtable
 * skip list then inserts each next to the previous one instead of searching
 * from the top, which makes checkpoints several times faster. */
static int flow_key_cmp(const void *x, const void *y)
{
    const graph_flow *a = x, *b = y;
    if (a->dir != b->dir)
        return a->dir == GRAPH_IN ? -1 : 1; /* 'i' < 'o' */
    if (a->time_ms != b->time_ms)
        return a->time_ms < b->time_ms ? -1 : 1;
    uint64_t ha = hash_fnv1a64(HASH_FNV64_INIT, a->transfer_id, strlen(a->transfer_id));
    uint64_t hb = hash_fnv1a64(HASH_FNV64_INIT, b->transfer_id, strlen(b->transfer_id));
    return ha < hb ? -1 : ha > hb;
}

static int edge_key_cmp(const void *x, const void *y)
{
    const pending_delta *a = x, *b = y;
    return strcmp(a->e.peer, b->e.peer);
}

/* Sort the deltas by peer and index them again where they now are (a failed
 * checkpoint keeps them). */
static void pending_sort(pending_edges *p)
{
    if (p->n < 2)
        return;
    qsort(p->v, p->n, sizeof(*p->v), edge_key_cmp);
    memset(p->slot, 0, p->nslot * sizeof(*p->slot));
    for (size_t k = 0; k < p->n; k++)
        pending_index(p, k);
}

static int entry_cmp(const void *x, const void *y)
{
    const gentry *const *a = x, *const *b = y;
    return strcmp((*a)->account, (*b)->account);
}

static void batch_entry(store_batch *b, gentry *e)
{
    char key[GC_KEY_MAX], val[GC_VAL_MAX];
    size_t vl = gc_acct_pack(&e->rec, val);
    store_batch_put(b, SCF_ACCOUNTS, e->account, strlen(e->account), val, vl);
    if (e->nflows > 1)
        qsort(e->flows, e->nflows, sizeof(*e->flows), flow_key_cmp);
    for (size_t i = 0; i < e->nflows; i++) {
        const graph_flow *f = &e->flows[i];
        uint64_t idh = hash_fnv1a64(HASH_FNV64_INIT, f->transfer_id, strlen(f->transfer_id));
        size_t kl = gc_flow_key(key, e->account, f->dir, f->time_ms, idh);
        vl = gc_flow_pack(f, val);
        store_batch_put(b, SCF_FLOWS, key, kl, val, vl);
    }
    for (int d = 0; d < 2; d++) {
        pending_edges *p = &e->pe[d];
        pending_sort(p);
        for (size_t i = 0; i < p->n; i++) {
            size_t kl = gc_edge_key(key, e->account, p->v[i].e.peer);
            vl = gc_edge_pack(&p->v[i].e, val);
            store_batch_merge(b, d == GRAPH_IN ? SCF_EDGES_IN : SCF_EDGES_OUT, key, kl, val, vl);
        }
    }
}

/* All dirty entries of all stripes, sorted by account. */
static gentry **sorted_dirty(graph *g, size_t *n)
{
    size_t total = 0;
    for (int i = 0; i < GRAPH_STRIPES; i++)
        total += g->stripes[i].ndirty;
    gentry **v = malloc((total ? total : 1) * sizeof(*v));
    if (!v)
        return NULL;
    *n = 0;
    for (int i = 0; i < GRAPH_STRIPES; i++)
        for (gentry *e = g->stripes[i].dirty_head; e; e = e->dnext)
            v[(*n)++] = e;
    qsort(v, *n, sizeof(*v), entry_cmp);
    return v;
}

static int batch_offsets(store_batch *b, const graph_offset *offsets, size_t n, char *errstr,
                         size_t errstr_size)
{
    for (size_t i = 0; i < n; i++) {
        char key[300], val[8];
        size_t klen = gc_offset_key(key, sizeof(key), offsets[i].topic, offsets[i].partition);
        if (!klen) {
            snprintf(errstr, errstr_size, "topic name too long: %s", offsets[i].topic);
            return -1;
        }
        gc_be64_put(val, (uint64_t)offsets[i].offset);
        store_batch_put(b, SCF_OFFSETS, key, klen, val, sizeof(val));
    }
    return 0;
}

/* ---- the batch in flight */

static void *write_main(void *arg)
{
    graph *g = arg;
    if (g->write_hook)
        g->write_hook(g->write_hook_arg);
    g->wrc = store_write(g->st, g->wbatch, g->werr, sizeof(g->werr));
    return NULL;
}

/* The batch has landed: what it carried leaves the memory. An entry keeps
 * what came after the barrier; one with nothing left is clean. */
static void thaw_entry(stripe *s, gentry *e)
{
    if (e->nfrozen) {
        memmove(e->flows, e->flows + e->nfrozen, (e->nflows - e->nfrozen) * sizeof(*e->flows));
        e->nflows -= e->nfrozen;
        s->npending -= e->nfrozen;
        e->nfrozen = 0;
    }
    for (int d = 0; d < 2; d++) {
        pending_edges *p = &e->pe[d];
        size_t w = 0;
        for (size_t i = 0; i < p->n; i++) {
            if (p->v[i].live.count == 0)
                continue;
            pending_delta *x = &p->v[w++];
            *x = p->v[i];
            memcpy(x->live.peer, x->e.peer, sizeof(x->live.peer));
            x->e = x->live;
            x->looked = 0; /* the stored edge moved */
        }
        if (w == 0) {
            s->bytes -= pending_bytes(p);
            pending_free(p);
        } else if (w != p->n) {
            p->n = w;
            memset(p->slot, 0, p->nslot * sizeof(*p->slot));
            for (size_t k = 0; k < p->n; k++)
                pending_index(p, k);
        } else {
            for (size_t k = 0; k < p->n; k++)
                p->v[k].looked = 0;
        }
    }
    e->frozen = 0;
    if (!e->dirty)
        entry_reset_pending(s, e);
}

/* Wait for the batch in flight and, when it landed, drop what it carried
 * from memory and let reads see the store as it is again. ckpt_lock is
 * held. Returns 0, or -1 (this write or an earlier one failed). */
static int land(graph *g, char *errstr, size_t errstr_size)
{
    if (g->writing) {
        if (g->threaded)
            pthread_join(g->writer, NULL);
        g->writing = g->threaded = 0;
        store_batch_destroy(g->wbatch);
        g->wbatch = NULL;
        if (g->wrc != 0)
            g->write_failed = 1;
        if (!g->write_failed) {
            /* Every stripe at once: a scan holding one sees the memory and
             * the pinned store either both before or both after. */
            for (int i = 0; i < GRAPH_STRIPES; i++)
                pthread_mutex_lock(&g->stripes[i].lock);
            for (int i = 0; i < GRAPH_STRIPES; i++) {
                stripe *s = &g->stripes[i];
                for (gentry *e = s->frozen_head; e; e = e->fnext)
                    thaw_entry(s, e);
                s->frozen_head = NULL;
            }
            store_unpin(g->st);
            atomic_fetch_add(&g->landings, 1);
            for (int i = GRAPH_STRIPES - 1; i >= 0; i--)
                pthread_mutex_unlock(&g->stripes[i].lock);
            pthread_mutex_lock(&g->ids.lock);
            idset_clear(&g->fids);
            pthread_mutex_unlock(&g->ids.lock);
            pthread_mutex_lock(&g->desk_lock);
            vec_free(&g->desk_reqs_frozen);
            pthread_mutex_unlock(&g->desk_lock);
        }
    }
    if (g->write_failed)
        snprintf(errstr, errstr_size, "%s", g->werr);
    return g->write_failed ? -1 : 0;
}

int graph_sync(graph *g, char *errstr, size_t errstr_size)
{
    pthread_mutex_lock(&g->ckpt_lock);
    int rc = land(g, errstr, errstr_size);
    pthread_mutex_unlock(&g->ckpt_lock);
    return rc;
}

/* After the batch is built: its entries' changes stay in memory, marked as
 * in flight, and new ones start from here. The stripe is locked. */
static void freeze(stripe *s)
{
    for (gentry *e = s->dirty_head; e; e = e->dnext) {
        e->dirty = 0;
        e->nfrozen = e->nflows;
        for (int d = 0; d < 2; d++)
            for (size_t i = 0; i < e->pe[d].n; i++)
                memset(&e->pe[d].v[i].live, 0, sizeof(e->pe[d].v[i].live));
        e->frozen = 1;
        e->fnext = s->frozen_head;
        s->frozen_head = e;
    }
    s->dirty_head = NULL;
    s->ndirty = 0;
}

int graph_checkpoint_begin(graph *g, const graph_offset *offsets, size_t n, char *errstr,
                           size_t errstr_size)
{
    int rc = -1;
    store_batch *b = store_batch_new(g->st);
    if (!b) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    pthread_mutex_lock(&g->ckpt_lock);
    if (land(g, errstr, errstr_size) != 0) {
        pthread_mutex_unlock(&g->ckpt_lock);
        store_batch_destroy(b);
        return -1;
    }
    warn_lag(g);
    /* Hold every stripe so the batch is one consistent cut. */
    for (int i = 0; i < GRAPH_STRIPES; i++)
        pthread_mutex_lock(&g->stripes[i].lock);
    size_t ndirty = 0;
    gentry **dirty = sorted_dirty(g, &ndirty);
    if (!dirty) {
        snprintf(errstr, errstr_size, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < ndirty; i++)
        batch_entry(b, dirty[i]);
    free(dirty);
    pthread_mutex_lock(&g->ids.lock);
    batch_ids(b, &g->ids);
    pthread_mutex_unlock(&g->ids.lock);
    pthread_mutex_lock(&g->park_lock);
    pthread_mutex_lock(&g->desk_lock);
    int64_t clock_now = atomic_load(&g->park_clock_ms);
    int parks_ok = !g->parks_broken && batch_parks(b, g, clock_now, errstr, errstr_size) == 0;
    if (g->parks_broken)
        snprintf(errstr, errstr_size, "%s", g->parks_error);
    int desk_ok = parks_ok && !g->desk_broken && batch_desk(b, g, errstr, errstr_size) == 0;
    if (parks_ok && g->desk_broken)
        snprintf(errstr, errstr_size, "%s", g->desk_error);
    /* The pin comes before the write: until the batch lands, scans read
     * the store without it and what it carries from memory. */
    if (!desk_ok || batch_offsets(b, offsets, n, errstr, errstr_size) != 0 ||
        store_pin(g->st, errstr, errstr_size) != 0) {
        pthread_mutex_unlock(&g->desk_lock);
        pthread_mutex_unlock(&g->park_lock);
        goto out;
    }
    park_clean(g->parks);
    g->park_clock_stored = clock_now;
    g->desk.dirty = 0;
    /* land() emptied the frozen sets: this batch's take their place. */
    g->desk_reqs_frozen = g->desk_reqs;
    memset(&g->desk_reqs, 0, sizeof(g->desk_reqs));
    pthread_mutex_unlock(&g->desk_lock);
    pthread_mutex_unlock(&g->park_lock);
    for (int i = 0; i < GRAPH_STRIPES; i++)
        freeze(&g->stripes[i]);
    pthread_mutex_lock(&g->ids.lock);
    g->fids.slots = g->ids.slots;
    g->fids.cap = g->ids.cap;
    g->fids.count = g->ids.count;
    g->ids.slots = NULL;
    g->ids.cap = g->ids.count = 0;
    pthread_mutex_unlock(&g->ids.lock);
    g->checkpoints++;
    g->wbatch = b;
    b = NULL;
    g->wrc = 0;
    g->writing = 1;
    g->threaded = pthread_create(&g->writer, NULL, write_main, g) == 0;
    if (!g->threaded)
        write_main(g); /* no thread to be had: write it here */
    rc = 0;
out:
    for (int i = GRAPH_STRIPES - 1; i >= 0; i--)
        pthread_mutex_unlock(&g->stripes[i].lock);
    pthread_mutex_unlock(&g->ckpt_lock);
    store_batch_destroy(b);
    return rc;
}

int graph_checkpoint(graph *g, const graph_offset *offsets, size_t n, char *errstr,
                     size_t errstr_size)
{
    if (graph_checkpoint_begin(g, offsets, n, errstr, errstr_size) != 0)
        return -1;
    return graph_sync(g, errstr, errstr_size);
}

/* State kept in memory since the last checkpoint (the parks, the desk),
 * as of it again. Should the store fail us here, the next checkpoint fails
 * with why: nothing is written from a set that lost its changes. */
static void reload(graph *g, pthread_mutex_t *lock, int (*load)(graph *, char *, size_t),
                   int *broken, char *error, size_t error_size, const char *what)
{
    char why[200];
    pthread_mutex_lock(lock);
    if (load(g, why, sizeof(why)) != 0) {
        *broken = 1;
        snprintf(error, error_size, "%s: %s", what, why);
        LOG_ERROR(g->log, "graph", "%s", error);
    }
    pthread_mutex_unlock(lock);
}

void graph_discard(graph *g)
{
    char why[512];
    /* The batch in flight belongs to a committed transaction: it lands
     * first, and the store then has everything up to the last barrier. */
    if (graph_sync(g, why, sizeof(why)) != 0)
        LOG_ERROR(g->log, "graph", "%s", why);
    pthread_mutex_lock(&g->ids.lock);
    idset_clear(&g->ids);
    pthread_mutex_unlock(&g->ids.lock);
    reload(g, &g->park_lock, load_parks, &g->parks_broken, g->parks_error, sizeof(g->parks_error),
           "parked reports");
    reload(g, &g->desk_lock, load_desk, &g->desk_broken, g->desk_error, sizeof(g->desk_error),
           "desk");
    /* Clean entries could be kept, but dropping everything is simple and
     * only happens after an aborted transaction. */
    for (int i = 0; i < GRAPH_STRIPES; i++) {
        pthread_mutex_lock(&g->stripes[i].lock);
        stripe_clear(&g->stripes[i]);
        pthread_mutex_unlock(&g->stripes[i].lock);
    }
}

/* ---- table updates */

static int write_table(graph *g, store_cf cf, const char *key, const char *val, size_t vlen,
                       const graph_offset *off, char *errstr, size_t errstr_size)
{
    store_batch *b = store_batch_new(g->st);
    int rc = -1;
    if (!b) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    if (val)
        store_batch_put(b, cf, key, strlen(key), val, vlen);
    else
        store_batch_delete(b, cf, key, strlen(key));
    if ((!off || batch_offsets(b, off, 1, errstr, errstr_size) == 0) &&
        store_write(g->st, b, errstr, errstr_size) == 0)
        rc = 0;
    store_batch_destroy(b);
    return rc;
}

/* Update the cached copy, if any: the store already has the new value, so an
 * account not in the cache will load it on first use. */
typedef void (*view_fn)(gentry *e, const void *arg);

static void view_update(graph *g, const char *account, view_fn fn, const void *arg)
{
    uint64_t h = acct_hash(account);
    stripe *s = stripe_of(g, h);
    pthread_mutex_lock(&s->lock);
    gentry *e = stripe_find(s, h, account);
    if (e)
        fn(e, arg);
    pthread_mutex_unlock(&s->lock);
}

static void upd_watch(gentry *e, const void *arg)
{
    view_watch(e, arg);
}

static void upd_profile(gentry *e, const void *arg)
{
    view_profile(e, arg);
}

int graph_put_watch(graph *g, const ix_watch *w, const graph_offset *off, char *errstr,
                    size_t errstr_size)
{
    char val[GC_VAL_MAX];
    size_t vl = gc_watch_pack(w, val);
    if (write_table(g, SCF_WATCHLIST, w->account, val, vl, off, errstr, errstr_size) != 0)
        return -1;
    view_update(g, w->account, upd_watch, w);
    return 0;
}

int graph_del_watch(graph *g, const char *account, const graph_offset *off, char *errstr,
                    size_t errstr_size)
{
    if (write_table(g, SCF_WATCHLIST, account, NULL, 0, off, errstr, errstr_size) != 0)
        return -1;
    view_update(g, account, upd_watch, NULL);
    return 0;
}

int graph_put_profile(graph *g, const ix_account *a, const graph_offset *off, char *errstr,
                      size_t errstr_size)
{
    char val[GC_VAL_MAX];
    size_t vl = gc_profile_pack(a, val);
    if (write_table(g, SCF_PROFILES, a->account, val, vl, off, errstr, errstr_size) != 0)
        return -1;
    view_update(g, a->account, upd_profile, a);
    return 0;
}

int graph_get_offset(graph *g, const char *topic, int32_t partition, int64_t *offset, char *errstr,
                     size_t errstr_size)
{
    char key[300], *v = NULL;
    size_t vlen = 0;
    if (graph_sync(g, errstr, errstr_size) != 0)
        return -1;
    size_t klen = gc_offset_key(key, sizeof(key), topic, partition);
    if (!klen) {
        snprintf(errstr, errstr_size, "topic name too long: %s", topic);
        return -1;
    }
    int found = store_get(g->st, SCF_OFFSETS, key, klen, &v, &vlen, errstr, errstr_size);
    if (found <= 0)
        return found;
    int rc = 1;
    if (vlen == 8)
        *offset = (int64_t)gc_be64_get(v);
    else {
        snprintf(errstr, errstr_size, "corrupt stored offset for %s [%d]", topic, partition);
        rc = -1;
    }
    free(v);
    return rc;
}

/* ---- digest */

static uint64_t mix(uint64_t h, const char *k, size_t kl, const char *v, size_t vl)
{
    h = hash_fnv1a64(h, &kl, sizeof(kl));
    h = hash_fnv1a64(h, k, kl);
    h = hash_fnv1a64(h, &vl, sizeof(vl));
    return hash_fnv1a64(h, v, vl);
}

/* Fold one iterator into the digest; returns the number of records, or -1. */
static int64_t fold(store_iter *it, uint64_t *h, char *errstr, size_t errstr_size)
{
    int64_t n = 0;
    if (!it) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    for (; store_iter_valid(it); store_iter_next(it), n++) {
        size_t kl, vl;
        const char *k = store_iter_key(it, &kl);
        const char *v = store_iter_value(it, &vl);
        *h = mix(*h, k, kl, v, vl);
    }
    int rc = store_iter_error(it, errstr, errstr_size);
    store_iter_destroy(it);
    return rc ? -1 : n;
}

/* Edges and flows are per-account prefixes; every account that has any has
 * a transfer-state record, so walk those. */
static int fold_account(graph *g, const char *acct, size_t len, graph_digest *d, char *errstr,
                        size_t errstr_size)
{
    char prefix[GC_KEY_MAX], name[IX_ACCOUNT_MAX + 1];
    static const store_cf cfs[3] = {SCF_EDGES_OUT, SCF_EDGES_IN, SCF_FLOWS};
    uint64_t *counts[3] = {&d->edges, &d->edges, &d->flows};
    if (len > IX_ACCOUNT_MAX)
        return 0;
    memcpy(name, acct, len);
    name[len] = '\0';
    size_t plen = gc_prefix(prefix, name);
    for (int i = 0; i < 3; i++) {
        int64_t n = fold(store_iter_new(g->st, cfs[i], prefix, plen, NULL, 0), &d->hash, errstr,
                         errstr_size);
        if (n < 0)
            return -1;
        *counts[i] += (uint64_t)n;
    }
    return 0;
}

/* The parked reports, not the park clock: the clock is written at
 * checkpoints, whose cuts differ between two runs of the same input. */
static int fold_parks(graph *g, graph_digest *d, char *errstr, size_t errstr_size)
{
    store_iter *it = store_iter_all(g->st, SCF_PARKS);
    if (!it) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    for (; store_iter_valid(it); store_iter_next(it)) {
        size_t kl, vl;
        const char *k = store_iter_key(it, &kl);
        const char *v = store_iter_value(it, &vl);
        if (kl == PARK_CLOCK_KEY_LEN && memcmp(k, PARK_CLOCK_KEY, kl) == 0)
            continue;
        d->hash = mix(d->hash, k, kl, v, vl);
        d->parks++;
    }
    int rc = store_iter_error(it, errstr, errstr_size);
    store_iter_destroy(it);
    return rc ? -1 : 0;
}

int graph_get_digest(graph *g, graph_digest *d, char *errstr, size_t errstr_size)
{
    memset(d, 0, sizeof(*d));
    d->hash = HASH_FNV64_INIT;
    if (graph_sync(g, errstr, errstr_size) != 0)
        return -1;
    store_iter *it = store_iter_all(g->st, SCF_ACCOUNTS);
    if (!it) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    int rc = 0;
    for (; rc == 0 && store_iter_valid(it); store_iter_next(it)) {
        size_t kl, vl;
        const char *k = store_iter_key(it, &kl);
        const char *v = store_iter_value(it, &vl);
        d->hash = mix(d->hash, k, kl, v, vl);
        d->accounts++;
        rc = fold_account(g, k, kl, d, errstr, errstr_size);
    }
    if (rc == 0)
        rc = store_iter_error(it, errstr, errstr_size);
    store_iter_destroy(it);
    if (rc != 0)
        return -1;
    int64_t n[3];
    static const store_cf rest[3] = {SCF_IDS, SCF_PROFILES, SCF_WATCHLIST};
    for (int i = 0; i < 3; i++)
        if ((n[i] = fold(store_iter_all(g->st, rest[i]), &d->hash, errstr, errstr_size)) < 0)
            return -1;
    d->ids = (uint64_t)n[0];
    d->profiles = (uint64_t)n[1];
    d->watch = (uint64_t)n[2];
    return fold_parks(g, d, errstr, errstr_size);
}

int graph_copy(graph *g, const char *dest, char *errstr, size_t errstr_size)
{
    if (graph_sync(g, errstr, errstr_size) != 0)
        return -1;
    return store_copy(g->st, dest, errstr, errstr_size);
}

void graph_compact(graph *g)
{
    char why[512];
    if (graph_sync(g, why, sizeof(why)) != 0)
        LOG_ERROR(g->log, "graph", "%s", why);
    store_compact(g->st, SCF_FLOWS);
    store_compact(g->st, SCF_IDS);
    /* Edge updates are merge operands; RocksDB's filter sees values only,
     * and operands become one in the first pass: the second one filters. */
    for (int pass = 0; pass < 2; pass++) {
        store_compact(g->st, SCF_EDGES_OUT);
        store_compact(g->st, SCF_EDGES_IN);
    }
}

void graph_get_stats(graph *g, graph_stats *st)
{
    memset(st, 0, sizeof(*st));
    for (int i = 0; i < GRAPH_STRIPES; i++) {
        stripe *s = &g->stripes[i];
        pthread_mutex_lock(&s->lock);
        st->cached_accounts += s->count;
        st->dirty_accounts += s->ndirty;
        st->pending_flows += s->npending;
        st->cache_misses += s->misses;
        st->cache_bytes += s->bytes;
        pthread_mutex_unlock(&s->lock);
    }
    st->edges_examined = atomic_load(&g->edges_examined);
    pthread_mutex_lock(&g->ckpt_lock);
    st->checkpoints = g->checkpoints;
    pthread_mutex_unlock(&g->ckpt_lock);
    st->rocksdb_bytes = store_memory(g->st);
    pthread_mutex_lock(&g->park_lock);
    st->parked = park_count(g->parks);
    pthread_mutex_unlock(&g->park_lock);
}

int graph_write_wanted(graph *g)
{
    size_t dirty = 0;
    for (int i = 0; i < GRAPH_STRIPES; i++) {
        pthread_mutex_lock(&g->stripes[i].lock);
        dirty += g->stripes[i].ndirty;
        pthread_mutex_unlock(&g->stripes[i].lock);
    }
    return dirty > g->stripe_cap * GRAPH_STRIPES / 2;
}
