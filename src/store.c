/* store.c - the RocksDB database behind the account graph.
 *
 * Per family: a bloom filter (10 bits per key) in a bounded, shared block
 * cache; for the prefix-scanned families (edges, flows) a prefix extractor
 * that cuts keys after the account's NUL, so prefix seeks use the bloom filter
 * and the memtable's prefix bloom. Edges are counters written as merge
 * operands (graphcodec.h gc_edge_merge), so no read is needed to update them.
 * Edges and flows older than the retention are dropped by a compaction
 * filter, so the database's size follows the retention, not the history.
 */
#include "store.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>

#include <rocksdb/c.h>

#include "graphcodec.h"
#include "timefmt.h"

#define STORE_FORMAT         "3"          /* bump on incompatible layout changes */
#define STORE_SPACE_EVERY_NS 1000000000LL /* free space checked at most once a second */
#define STORE_LOG_FILE_BYTES (8u << 20)   /* RocksDB's info log: rolled at this size */
#define STORE_LOG_FILES      4            /* ... and this many kept */

static const char *const cf_names[SCF__COUNT + 1] = {
    "accounts", "profiles", "watchlist", "edges_out", "edges_in", "flows",
    "offsets",  "ids",      "parks",     "desk",      "meta",     "default",
};
#define CF_DEFAULT SCF__COUNT /* RocksDB requires it to exist; unused */

struct store {
    rocksdb_t *db;
    rocksdb_options_t *dbopts;
    rocksdb_options_t *cfopts[SCF__COUNT + 1];
    rocksdb_block_based_table_options_t *topts;
    rocksdb_cache_t *cache;
    /* Compaction filters are borrowed by the options (the prefix extractor
     * and merge operator are owned by them, one per family). */
    rocksdb_compactionfilter_t *flow_filter, *edge_filter, *id_filter;
    rocksdb_column_family_handle_t *cf[SCF__COUNT + 1];
    rocksdb_readoptions_t *ropts;
    rocksdb_writeoptions_t *wopts;
    /* store_pin: the snapshot the pinned families are read at, and the read
     * options carrying it; the lock keeps a read from meeting an unpin. */
    pthread_rwlock_t pin_lock;
    const rocksdb_snapshot_t *pin;
    rocksdb_readoptions_t *pin_ropts;
    int64_t retention_ms;
    int64_t (*clock_ms)(void *arg);
    void *clock_arg;
    char *dir;
    uint64_t min_free;
    int64_t space_checked_ns; /* monotonic time of the last free-space check */
};

struct store_batch {
    store *s;
    rocksdb_writebatch_t *wb;
};

struct store_iter {
    store *s;
    int pinned; /* holds s->pin_lock for reading */
    rocksdb_iterator_t *it;
    rocksdb_readoptions_t *ropts;
    char upper[GC_KEY_MAX];
    char prefix[GC_KEY_MAX];
    size_t plen;
};

/* ---- the prefix extractor: everything up to and including the first NUL */

static char *prefix_transform(void *arg, const char *key, size_t len, size_t *dst_len)
{
    (void)arg;
    const char *nul = memchr(key, '\0', len);
    *dst_len = nul ? (size_t)(nul - key) + 1 : len;
    return (char *)key;
}

static unsigned char prefix_in_domain(void *arg, const char *key, size_t len)
{
    (void)arg;
    return memchr(key, '\0', len) != NULL;
}

static unsigned char prefix_in_range(void *arg, const char *key, size_t len)
{
    (void)arg;
    return len > 0 && key[len - 1] == '\0' && memchr(key, '\0', len) == key + len - 1;
}

static const char *prefix_name(void *arg)
{
    (void)arg;
    return "interdict.account-prefix";
}

/* ---- the edge merge operator */

static char *edge_fold(const char *existing, size_t elen, const char *const *ops,
                       const size_t *oplens, int nops, unsigned char *success, size_t *outlen)
{
    graph_edge e;
    memset(&e, 0, sizeof(e));
    *success = 0;
    if (existing && gc_edge_unpack(existing, elen, &e) != 0)
        return NULL;
    for (int i = 0; i < nops; i++) {
        graph_edge d;
        memset(&d, 0, sizeof(d));
        if (gc_edge_unpack(ops[i], oplens[i], &d) != 0)
            return NULL;
        gc_edge_merge(&e, &d);
    }
    char *out = malloc(GC_EDGE_LEN);
    if (!out)
        return NULL;
    *outlen = gc_edge_pack(&e, out);
    *success = 1;
    return out;
}

static char *edge_full_merge(void *arg, const char *key, size_t klen, const char *existing,
                             size_t elen, const char *const *ops, const size_t *oplens, int nops,
                             unsigned char *success, size_t *outlen)
{
    (void)arg;
    (void)key;
    (void)klen;
    return edge_fold(existing, elen, ops, oplens, nops, success, outlen);
}

static char *edge_partial_merge(void *arg, const char *key, size_t klen, const char *const *ops,
                                const size_t *oplens, int nops, unsigned char *success,
                                size_t *outlen)
{
    (void)arg;
    (void)key;
    (void)klen;
    return edge_fold(NULL, 0, ops, oplens, nops, success, outlen);
}

static void merge_free(void *arg, const char *value, size_t len)
{
    (void)arg;
    (void)len;
    free((char *)value);
}

static const char *edge_merge_name(void *arg)
{
    (void)arg;
    return "interdict.edge";
}

/* ---- retention */

int64_t store_retention(const store *s)
{
    return s->retention_ms;
}

static int64_t now_ms(const store *s)
{
    if (s->clock_ms)
        return s->clock_ms(s->clock_arg);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static unsigned char flow_filter(void *arg, int level, const char *key, size_t klen,
                                 const char *val, size_t vlen, char **nv, size_t *nvlen,
                                 unsigned char *changed)
{
    const store *s = arg;
    (void)level;
    (void)val;
    (void)vlen;
    (void)nv;
    (void)nvlen;
    *changed = 0;
    int64_t t = gc_flow_key_time(key, klen);
    return t >= 0 && t < now_ms(s) - s->retention_ms;
}

static unsigned char edge_filter(void *arg, int level, const char *key, size_t klen,
                                 const char *val, size_t vlen, char **nv, size_t *nvlen,
                                 unsigned char *changed)
{
    const store *s = arg;
    graph_edge e;
    (void)level;
    (void)key;
    (void)klen;
    (void)nv;
    (void)nvlen;
    *changed = 0;
    memset(&e, 0, sizeof(e));
    if (gc_edge_unpack(val, vlen, &e) != 0)
        return 0; /* not ours to judge; keep */
    return e.last_ms < now_ms(s) - s->retention_ms;
}

/* Transfer ids: the value is the transfer's event time. */
static unsigned char id_filter(void *arg, int level, const char *key, size_t klen, const char *val,
                               size_t vlen, char **nv, size_t *nvlen, unsigned char *changed)
{
    const store *s = arg;
    (void)level;
    (void)key;
    (void)klen;
    (void)nv;
    (void)nvlen;
    *changed = 0;
    return vlen == 8 && (int64_t)gc_be64_get(val) < now_ms(s) - s->retention_ms;
}

static const char *id_filter_name(void *arg)
{
    (void)arg;
    return "interdict.id-retention";
}

static const char *flow_filter_name(void *arg)
{
    (void)arg;
    return "interdict.flow-retention";
}

static const char *edge_filter_name(void *arg)
{
    (void)arg;
    return "interdict.edge-retention";
}

static void noop_destroy(void *arg)
{
    (void)arg;
}

/* ---- open and close */

static void build_options(store *s, const store_opts *o)
{
    s->dbopts = rocksdb_options_create();
    rocksdb_options_set_create_if_missing(s->dbopts, o->create ? 1 : 0);
    /* RocksDB's own info log grows without bound by default (one file, a
     * thousand kept): keep it small, and where the operator says, so that
     * a full state disk does not also fill, or abort, the logger. */
    rocksdb_options_set_max_log_file_size(s->dbopts, STORE_LOG_FILE_BYTES);
    rocksdb_options_set_keep_log_file_num(s->dbopts, STORE_LOG_FILES);
    if (o->log_dir && *o->log_dir)
        rocksdb_options_set_db_log_dir(s->dbopts, o->log_dir);
    rocksdb_options_set_create_missing_column_families(s->dbopts, 1);
    rocksdb_options_increase_parallelism(s->dbopts, 2);
    /* One flush point for every family: whatever a crash leaves is a state
     * some checkpoint wrote, whole. */
    rocksdb_options_set_atomic_flush(s->dbopts, 1);
    /* Checkpoints arrive as large sorted batches: big memtables absorb
     * them, and flushes are few and large. */
    rocksdb_options_set_write_buffer_size(s->dbopts, 128u << 20);
    rocksdb_options_set_max_write_buffer_number(s->dbopts, 4);
    rocksdb_options_set_level0_slowdown_writes_trigger(s->dbopts, 40);
    rocksdb_options_set_level0_stop_writes_trigger(s->dbopts, 60);
    /* Batches reach the memtables one at a time (the checkpoint's writer
     * and the table updates queue in RocksDB's write group). */
    rocksdb_options_set_allow_concurrent_memtable_write(s->dbopts, 0);

    s->cache = rocksdb_cache_create_lru(o->block_cache_bytes ? o->block_cache_bytes : 32 << 20);
    s->topts = rocksdb_block_based_options_create();
    rocksdb_block_based_options_set_block_cache(s->topts, s->cache);
    rocksdb_block_based_options_set_filter_policy(s->topts,
                                                  rocksdb_filterpolicy_create_bloom_full(10));
    rocksdb_block_based_options_set_cache_index_and_filter_blocks(s->topts, 1);
    rocksdb_block_based_options_set_whole_key_filtering(s->topts, 1);

    s->flow_filter =
        rocksdb_compactionfilter_create(s, noop_destroy, flow_filter, flow_filter_name);
    s->edge_filter =
        rocksdb_compactionfilter_create(s, noop_destroy, edge_filter, edge_filter_name);
    s->id_filter = rocksdb_compactionfilter_create(s, noop_destroy, id_filter, id_filter_name);
    for (int i = 0; i <= SCF__COUNT; i++) {
        rocksdb_options_t *co = rocksdb_options_create_copy(s->dbopts);
        rocksdb_options_set_block_based_table_factory(co, s->topts);
        rocksdb_options_set_compression(co, rocksdb_lz4_compression);
        if (i == SCF_EDGES_OUT || i == SCF_EDGES_IN || i == SCF_FLOWS) {
            rocksdb_options_set_prefix_extractor(
                co, rocksdb_slicetransform_create(NULL, noop_destroy, prefix_transform,
                                                  prefix_in_domain, prefix_in_range, prefix_name));
            rocksdb_options_set_memtable_prefix_bloom_size_ratio(co, 0.05);
            /* The default skip-list memtable, not a hash of per-prefix
             * lists: a checkpoint's sorted batch inserts into it with the
             * splice of the previous key, where the hash lists searched
             * each bucket from the top (bench/ab.sh, three alternated
             * pairs: 0.850 times the CPU per transfer; bench/README.md). */
        } else {
            /* Point lookups, most of them for keys that are not there (a
             * new transfer id, an account seen for the first time): a
             * whole-key bloom lets them skip each memtable without a
             * skiplist search, which otherwise dominates their cost. */
            rocksdb_options_set_memtable_prefix_bloom_size_ratio(co, 0.05);
            rocksdb_options_set_memtable_whole_key_filtering(co, 1);
        }
        if (i == SCF_EDGES_OUT || i == SCF_EDGES_IN) {
            rocksdb_options_set_merge_operator(
                co, rocksdb_mergeoperator_create(NULL, noop_destroy, edge_full_merge,
                                                 edge_partial_merge, merge_free, edge_merge_name));
            rocksdb_options_set_compaction_filter(co, s->edge_filter);
        }
        if (i == SCF_FLOWS)
            rocksdb_options_set_compaction_filter(co, s->flow_filter);
        if (i == SCF_IDS)
            rocksdb_options_set_compaction_filter(co, s->id_filter);
        s->cfopts[i] = co;
    }
}

static int check_format(store *s, const store_opts *o, char *errstr, size_t errstr_size)
{
    char *v = NULL;
    size_t vlen = 0;
    int found = store_get(s, SCF_META, "format", 6, &v, &vlen, errstr, errstr_size);
    if (found < 0)
        return -1;
    if (!found) {
        if (o->read_only) {
            snprintf(errstr, errstr_size, "state store %s has no format record", o->dir);
            return -1;
        }
        store_batch *b = store_batch_new(s);
        store_batch_put(b, SCF_META, "format", 6, STORE_FORMAT, strlen(STORE_FORMAT));
        int rc = store_write(s, b, errstr, errstr_size);
        store_batch_destroy(b);
        return rc;
    }
    int ok = vlen == strlen(STORE_FORMAT) && memcmp(v, STORE_FORMAT, vlen) == 0;
    if (!ok)
        snprintf(errstr, errstr_size,
                 "state store %s has format %.*s, this interdict reads format %s: rebuild "
                 "the state from the topics (see docs/operations.md)",
                 o->dir, (int)(vlen > 16 ? 16 : vlen), v, STORE_FORMAT);
    free(v);
    return ok ? 0 : -1;
}

static void open_error(const store_opts *o, char *err, char *errstr, size_t errstr_size)
{
    if (strstr(err, "does not exist"))
        snprintf(errstr, errstr_size,
                 "no state store at %s (run `interdict run` once to create it)", o->dir);
    else if (strstr(err, "lock"))
        snprintf(errstr, errstr_size,
                 "state store %s is locked: another interdict process is using it", o->dir);
    else if (strstr(err, "olumn famil") && o->read_only)
        /* A read-only open cannot add a family a newer version brought
         * (parked reports): the screener adds it when it first opens. */
        snprintf(errstr, errstr_size,
                 "state store %s lacks what this interdict keeps (%s): run `interdict run` of "
                 "this version on it once, then open it read-only",
                 o->dir, err);
    else if (strstr(err, "olumn famil"))
        snprintf(errstr, errstr_size,
                 "state store %s was written by an incompatible interdict (%s)", o->dir, err);
    else
        snprintf(errstr, errstr_size, "opening state store %s: %s", o->dir, err);
    free(err);
}

/* The nearest existing folder at or above path: statvfs needs one. */
static int nearest_statvfs(const char *path, struct statvfs *vfs)
{
    char p[4096];
    snprintf(p, sizeof(p), "%s", *path ? path : ".");
    for (;;) {
        if (statvfs(p, vfs) == 0)
            return 0;
        if (errno != ENOENT)
            return -1;
        char *slash = strrchr(p, '/');
        if (!slash)
            return statvfs(".", vfs);
        if (slash == p) {
            p[1] = '\0';
            return statvfs(p, vfs);
        }
        *slash = '\0';
    }
}

int store_check_space(const char *dir, uint64_t min_free, char *errstr, size_t errstr_size)
{
    struct statvfs vfs;
    if (nearest_statvfs(dir, &vfs) != 0) {
        snprintf(errstr, errstr_size, "state store %s: cannot read its free space: %s", dir,
                 strerror(errno));
        return -1;
    }
    uint64_t avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
    if (avail >= min_free)
        return 0;
    snprintf(errstr, errstr_size,
             "state store %s: %.1f MB free on its file system, state.min.free asks for %.1f "
             "MB: free some space or move the store",
             dir, (double)avail / (1 << 20), (double)min_free / (1 << 20));
    return -1;
}

/* Before a write: stop while there is still room, before RocksDB meets a
 * full disk (its info-log writer asserts on one). Checked at most once a
 * second; the margin covers what is written in between. */
static int space_for_write(store *s, char *errstr, size_t errstr_size)
{
    if (!s->min_free)
        return 0;
    int64_t now = tf_mono_ns();
    if (s->space_checked_ns && now - s->space_checked_ns < STORE_SPACE_EVERY_NS)
        return 0;
    if (store_check_space(s->dir, s->min_free, errstr, errstr_size) != 0)
        return -1;
    s->space_checked_ns = now;
    return 0;
}

int store_open(const store_opts *o, store **out, char *errstr, size_t errstr_size)
{
    char *err = NULL;
    if (!o->read_only && o->min_free_bytes &&
        store_check_space(o->dir, o->min_free_bytes, errstr, errstr_size) != 0)
        return -1;
    store *s = calloc(1, sizeof(*s));
    if (!s || !(s->dir = strdup(o->dir))) {
        free(s);
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    s->min_free = o->read_only ? 0 : o->min_free_bytes;
    s->retention_ms = o->retention_ms > 0 ? o->retention_ms : (int64_t)35 * 86400000;
    s->clock_ms = o->clock_ms;
    s->clock_arg = o->clock_arg;
    pthread_rwlock_init(&s->pin_lock, NULL);
    build_options(s, o);
    const rocksdb_options_t *cfo[SCF__COUNT + 1];
    for (int i = 0; i <= SCF__COUNT; i++)
        cfo[i] = s->cfopts[i];
    if (o->read_only)
        s->db = rocksdb_open_for_read_only_column_families(s->dbopts, o->dir, SCF__COUNT + 1,
                                                           cf_names, cfo, s->cf, 0, &err);
    else
        s->db = rocksdb_open_column_families(s->dbopts, o->dir, SCF__COUNT + 1, cf_names, cfo,
                                             s->cf, &err);
    if (err) {
        open_error(o, err, errstr, errstr_size);
        goto fail;
    }
    s->ropts = rocksdb_readoptions_create();
    s->wopts = rocksdb_writeoptions_create();
    /* No fsync per write: see docs/architecture.md, "Exactly once". */
    rocksdb_writeoptions_set_sync(s->wopts, 0);
    if (check_format(s, o, errstr, errstr_size) != 0)
        goto fail;
    *out = s;
    return 0;
fail:
    store_close(s);
    return -1;
}

void store_close(store *s)
{
    if (!s)
        return;
    store_unpin(s);
    pthread_rwlock_destroy(&s->pin_lock);
    for (int i = 0; i <= SCF__COUNT; i++)
        if (s->cf[i])
            rocksdb_column_family_handle_destroy(s->cf[i]);
    if (s->db)
        rocksdb_close(s->db);
    if (s->ropts)
        rocksdb_readoptions_destroy(s->ropts);
    if (s->wopts)
        rocksdb_writeoptions_destroy(s->wopts);
    for (int i = 0; i <= SCF__COUNT; i++)
        if (s->cfopts[i])
            rocksdb_options_destroy(s->cfopts[i]);
    if (s->flow_filter)
        rocksdb_compactionfilter_destroy(s->flow_filter);
    if (s->edge_filter)
        rocksdb_compactionfilter_destroy(s->edge_filter);
    if (s->id_filter)
        rocksdb_compactionfilter_destroy(s->id_filter);
    if (s->dbopts)
        rocksdb_options_destroy(s->dbopts);
    if (s->topts)
        rocksdb_block_based_options_destroy(s->topts);
    if (s->cache)
        rocksdb_cache_destroy(s->cache);
    free(s->dir);
    free(s);
}

/* ---- reads and writes */

/* The families a checkpoint's batch merges into (docs/state.md, "The
 * checkpoint"): a read of them while a batch is being written must not
 * depend on whether it has landed yet. */
static int pinnable(store_cf cf)
{
    return cf == SCF_EDGES_OUT || cf == SCF_EDGES_IN || cf == SCF_FLOWS;
}

/* The read options for cf, with the pin lock held for reading when cf is
 * pinnable (release with read_done). */
static const rocksdb_readoptions_t *read_begin(store *s, store_cf cf)
{
    if (!pinnable(cf))
        return s->ropts;
    pthread_rwlock_rdlock(&s->pin_lock);
    return s->pin ? s->pin_ropts : s->ropts;
}

static void read_done(store *s, store_cf cf)
{
    if (pinnable(cf))
        pthread_rwlock_unlock(&s->pin_lock);
}

int store_pin(store *s, char *errstr, size_t errstr_size)
{
    int rc = 0;
    pthread_rwlock_wrlock(&s->pin_lock);
    if (!s->pin) {
        s->pin_ropts = rocksdb_readoptions_create();
        s->pin = rocksdb_create_snapshot(s->db);
        if (s->pin_ropts && s->pin)
            rocksdb_readoptions_set_snapshot(s->pin_ropts, s->pin);
        else
            rc = -1;
    }
    pthread_rwlock_unlock(&s->pin_lock);
    if (rc != 0) {
        store_unpin(s);
        snprintf(errstr, errstr_size, "out of memory");
    }
    return rc;
}

void store_unpin(store *s)
{
    pthread_rwlock_wrlock(&s->pin_lock);
    if (s->pin)
        rocksdb_release_snapshot(s->db, s->pin);
    if (s->pin_ropts)
        rocksdb_readoptions_destroy(s->pin_ropts);
    s->pin = NULL;
    s->pin_ropts = NULL;
    pthread_rwlock_unlock(&s->pin_lock);
}

static int fail_with(char *err, const char *what, char *errstr, size_t errstr_size)
{
    snprintf(errstr, errstr_size, "%s: %s", what, err);
    free(err);
    return -1;
}

int store_get(store *s, store_cf cf, const char *key, size_t klen, char **val, size_t *vlen,
              char *errstr, size_t errstr_size)
{
    char *err = NULL;
    *val = rocksdb_get_cf(s->db, read_begin(s, cf), s->cf[cf], key, klen, vlen, &err);
    read_done(s, cf);
    if (err)
        return fail_with(err, "reading state", errstr, errstr_size);
    return *val ? 1 : 0;
}

int store_multi_get(store *s, size_t n, const store_cf *cfs, const char *const *keys,
                    const size_t *klens, char **vals, size_t *vlens, char *errstr,
                    size_t errstr_size)
{
    const rocksdb_column_family_handle_t *h[8] = {NULL};
    char *errs[8] = {NULL};
    int rc = 0;
    if (n > 8) {
        snprintf(errstr, errstr_size, "multi-get of %zu keys (at most 8)", n);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (pinnable(cfs[i])) {
            snprintf(errstr, errstr_size, "multi-get of a pinnable family");
            return -1;
        }
        h[i] = s->cf[cfs[i]];
    }
    rocksdb_multi_get_cf(s->db, s->ropts, h, n, keys, klens, vals, vlens, errs);
    for (size_t i = 0; i < n; i++)
        if (errs[i]) {
            if (rc == 0)
                fail_with(errs[i], "reading state", errstr, errstr_size);
            else
                free(errs[i]);
            rc = -1;
        }
    if (rc != 0)
        for (size_t i = 0; i < n; i++) {
            free(vals[i]);
            vals[i] = NULL;
        }
    return rc;
}

store_batch *store_batch_new(store *s)
{
    store_batch *b = calloc(1, sizeof(*b));
    if (!b)
        return NULL;
    b->s = s;
    b->wb = rocksdb_writebatch_create();
    return b;
}

void store_batch_put(store_batch *b, store_cf cf, const char *k, size_t kl, const char *v,
                     size_t vl)
{
    rocksdb_writebatch_put_cf(b->wb, b->s->cf[cf], k, kl, v, vl);
}

void store_batch_merge(store_batch *b, store_cf cf, const char *k, size_t kl, const char *v,
                       size_t vl)
{
    rocksdb_writebatch_merge_cf(b->wb, b->s->cf[cf], k, kl, v, vl);
}

void store_batch_delete(store_batch *b, store_cf cf, const char *k, size_t kl)
{
    rocksdb_writebatch_delete_cf(b->wb, b->s->cf[cf], k, kl);
}

size_t store_batch_count(const store_batch *b)
{
    return (size_t)rocksdb_writebatch_count(b->wb);
}

void store_batch_clear(store_batch *b)
{
    rocksdb_writebatch_clear(b->wb);
}

void store_batch_destroy(store_batch *b)
{
    if (!b)
        return;
    rocksdb_writebatch_destroy(b->wb);
    free(b);
}

int store_write(store *s, store_batch *b, char *errstr, size_t errstr_size)
{
    char *err = NULL;
    if (space_for_write(s, errstr, errstr_size) != 0)
        return -1;
    rocksdb_write(s->db, s->wopts, b->wb, &err);
    if (err)
        return fail_with(err, "writing state", errstr, errstr_size);
    return 0;
}

/* ---- iteration */

store_iter *store_iter_new(store *s, store_cf cf, const char *prefix, size_t plen,
                           const char *start, size_t slen)
{
    store_iter *it = calloc(1, sizeof(*it));
    if (!it || plen == 0 || plen > sizeof(it->upper)) {
        free(it);
        return NULL;
    }
    memcpy(it->prefix, prefix, plen);
    it->plen = plen;
    /* Upper bound: the prefix with its last byte incremented (account
     * prefixes end in NUL or a direction letter, never 0xff). */
    memcpy(it->upper, prefix, plen);
    it->upper[plen - 1] = (char)((unsigned char)it->upper[plen - 1] + 1);
    it->ropts = rocksdb_readoptions_create();
    rocksdb_readoptions_set_iterate_upper_bound(it->ropts, it->upper, plen);
    it->s = s;
    if ((it->pinned = pinnable(cf))) {
        pthread_rwlock_rdlock(&s->pin_lock);
        if (s->pin)
            rocksdb_readoptions_set_snapshot(it->ropts, s->pin);
    }
    it->it = rocksdb_create_iterator_cf(s->db, it->ropts, s->cf[cf]);
    if (start)
        rocksdb_iter_seek(it->it, start, slen);
    else
        rocksdb_iter_seek(it->it, prefix, plen);
    return it;
}

store_iter *store_iter_all(store *s, store_cf cf)
{
    store_iter *it = calloc(1, sizeof(*it));
    if (!it)
        return NULL;
    it->plen = 0;
    it->ropts = rocksdb_readoptions_create();
    rocksdb_readoptions_set_total_order_seek(it->ropts, 1);
    it->it = rocksdb_create_iterator_cf(s->db, it->ropts, s->cf[cf]);
    rocksdb_iter_seek_to_first(it->it);
    return it;
}

int store_iter_valid(const store_iter *it)
{
    size_t kl = 0;
    if (!rocksdb_iter_valid(it->it))
        return 0;
    const char *k = rocksdb_iter_key(it->it, &kl);
    return kl >= it->plen && memcmp(k, it->prefix, it->plen) == 0;
}

void store_iter_next(store_iter *it)
{
    rocksdb_iter_next(it->it);
}

const char *store_iter_key(const store_iter *it, size_t *len)
{
    return rocksdb_iter_key(it->it, len);
}

const char *store_iter_value(const store_iter *it, size_t *len)
{
    return rocksdb_iter_value(it->it, len);
}

int store_iter_error(const store_iter *it, char *errstr, size_t errstr_size)
{
    char *err = NULL;
    rocksdb_iter_get_error(it->it, &err);
    return err ? fail_with(err, "scanning state", errstr, errstr_size) : 0;
}

void store_iter_destroy(store_iter *it)
{
    if (!it)
        return;
    rocksdb_iter_destroy(it->it);
    rocksdb_readoptions_destroy(it->ropts);
    if (it->pinned)
        pthread_rwlock_unlock(&it->s->pin_lock);
    free(it);
}

int store_copy(store *s, const char *dest, char *errstr, size_t errstr_size)
{
    char *err = NULL;
    rocksdb_checkpoint_t *cp = rocksdb_checkpoint_object_create(s->db, &err);
    if (!err)
        rocksdb_checkpoint_create(cp, dest, UINT64_MAX, &err);
    if (cp)
        rocksdb_checkpoint_object_destroy(cp);
    return err ? fail_with(err, "checkpoint of the state store", errstr, errstr_size) : 0;
}

void store_compact(store *s, store_cf cf)
{
    rocksdb_compact_range_cf(s->db, s->cf[cf], NULL, 0, NULL, 0);
}

uint64_t store_memory(store *s)
{
    char *err = NULL;
    uint64_t total = 0;
    rocksdb_memory_consumers_t *mc = rocksdb_memory_consumers_create();
    rocksdb_memory_consumers_add_db(mc, s->db);
    rocksdb_memory_consumers_add_cache(mc, s->cache);
    rocksdb_memory_usage_t *mu = rocksdb_approximate_memory_usage_create(mc, &err);
    if (mu) {
        total = rocksdb_approximate_memory_usage_get_mem_table_total(mu) +
                rocksdb_approximate_memory_usage_get_mem_table_readers_total(mu) +
                rocksdb_approximate_memory_usage_get_cache_total(mu);
        rocksdb_approximate_memory_usage_destroy(mu);
    }
    free(err);
    rocksdb_memory_consumers_destroy(mc);
    return total;
}

char *store_property(store *s, store_cf cf, const char *name)
{
    return rocksdb_property_value_cf(s->db, s->cf[cf], name);
}
