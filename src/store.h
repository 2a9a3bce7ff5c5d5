/* store.h - interdict's RocksDB database: column families, their options
 * (bloom filters, prefix extractor, merge operator, retention filter), and
 * thin wrappers for reads, batches and prefix scans. The graph module gives
 * the bytes meaning (graphcodec.h); this one only knows how they are kept.
 */
#ifndef IX_STORE_H
#define IX_STORE_H

#include <stddef.h>
#include <stdint.h>

typedef enum store_cf {
    SCF_ACCOUNTS,  /* account -> transfer state (gc_acct) */
    SCF_PROFILES,  /* account -> profile */
    SCF_WATCHLIST, /* account -> watch-list entry */
    SCF_EDGES_OUT, /* src \0 dst -> edge (merge operator) */
    SCF_EDGES_IN,  /* dst \0 src -> edge (merge operator) */
    SCF_FLOWS,     /* account \0 dir time id -> flow */
    SCF_OFFSETS,   /* topic \0 partition -> next offset */
    SCF_IDS,       /* transfer id hash (16 bytes) -> event time: duplicate detection */
    SCF_PARKS,     /* report id -> a parked fraud report and its message; NUL "clock" */
    SCF_DESK,      /* the desk: 'a' allow-list, 's' suppressions, 'r' raised requests */
    SCF_META,      /* "format" -> store format */
    SCF__COUNT
} store_cf;

typedef struct store store;
typedef struct store_batch store_batch;
typedef struct store_iter store_iter;

typedef struct store_opts {
    const char *dir;
    size_t block_cache_bytes;
    int create;           /* create a missing database */
    int read_only;        /* open beside a running screener (no lock taken) */
    int64_t retention_ms; /* edges and flows older than this are dropped at compaction */
    /* Refuse to open, or to write a batch, with less than this free on the
     * store's file system (0 = no check): RocksDB asserts (abort, exit 134)
     * when its own info log meets a full disk. */
    uint64_t min_free_bytes;
    const char *log_dir; /* RocksDB's info log (LOG files); NULL or "" = in dir */
    /* Wall clock for retention, replaceable in tests; NULL = real time. */
    int64_t (*clock_ms)(void *arg);
    void *clock_arg;
} store_opts;

/* Whether the file system holding dir (or its nearest existing parent, for
 * a store not created yet) has at least min_free bytes free for this user:
 * 0 yes, -1 no or unknown, with errstr saying how much there is. */
int store_check_space(const char *dir, uint64_t min_free, char *errstr, size_t errstr_size);

/* Open; errors say which: missing database, held lock, incompatible format,
 * too little free space. Returns 0, or -1 with errstr filled. */
int store_open(const store_opts *o, store **out, char *errstr, size_t errstr_size);
void store_close(store *s);

/* Get one value: 1 found (*val malloc'ed, free with free()), 0 not found,
 * -1 error. */
int store_get(store *s, store_cf cf, const char *key, size_t klen, char **val, size_t *vlen,
              char *errstr, size_t errstr_size);

/* Get n values at once (RocksDB MultiGet). vals[i] is NULL when not found,
 * else malloc'ed. Returns 0, or -1 (all vals NULL). */
int store_multi_get(store *s, size_t n, const store_cf *cfs, const char *const *keys,
                    const size_t *klens, char **vals, size_t *vlens, char *errstr,
                    size_t errstr_size);

store_batch *store_batch_new(store *s);
void store_batch_put(store_batch *b, store_cf cf, const char *k, size_t kl, const char *v,
                     size_t vl);
void store_batch_merge(store_batch *b, store_cf cf, const char *k, size_t kl, const char *v,
                       size_t vl);
void store_batch_delete(store_batch *b, store_cf cf, const char *k, size_t kl);
size_t store_batch_count(const store_batch *b); /* operations queued */
void store_batch_clear(store_batch *b);
void store_batch_destroy(store_batch *b);

/* Pin the families a checkpoint merges into (edges, flows) at the store's
 * present state: until store_unpin, reads of them see that state and not a
 * batch written since, so a batch can be written in the background while
 * what it carries is still read from memory. Pinned again, it stays where
 * it was. Reads may run on other threads; an iterator of those families
 * holds the pin in place until it is destroyed, so destroy it before
 * unpinning on the same thread. Returns 0, or -1 with errstr filled. */
int store_pin(store *s, char *errstr, size_t errstr_size);
void store_unpin(store *s);

/* Apply a batch atomically. Returns 0, or -1 with errstr filled. */
int store_write(store *s, store_batch *b, char *errstr, size_t errstr_size);

/* Iterate the keys of cf that start with prefix, from the first key >= start
 * (start may be NULL: from the prefix), in byte order. */
store_iter *store_iter_new(store *s, store_cf cf, const char *prefix, size_t plen,
                           const char *start, size_t slen);
/* Every key of a family in byte order (a total-order scan; never pinned). */
store_iter *store_iter_all(store *s, store_cf cf);
int store_iter_valid(const store_iter *it);
void store_iter_next(store_iter *it);
const char *store_iter_key(const store_iter *it, size_t *len);
const char *store_iter_value(const store_iter *it, size_t *len);
/* 0, or -1 with errstr filled if the iteration stopped on an error. */
int store_iter_error(const store_iter *it, char *errstr, size_t errstr_size);
void store_iter_destroy(store_iter *it);

/* The retention in force: store_opts.retention_ms, or its default. */
int64_t store_retention(const store *s);

/* Compact a family (the retention filter runs). For tests and maintenance. */
void store_compact(store *s, store_cf cf);

/* A RocksDB checkpoint of the open database into dest, which must not
 * exist: table files hard-linked (copied across file systems), manifest and
 * log copied. Works on a read-only handle (no flush first; the log is
 * copied instead). Returns 0, or -1 with errstr filled. */
int store_copy(store *s, const char *dest, char *errstr, size_t errstr_size);

/* Approximate memory: memtables and block cache, in bytes. */
uint64_t store_memory(store *s);

/* A RocksDB property of one family as text (NULL if unknown; free()). */
char *store_property(store *s, store_cf cf, const char *name);

#endif /* IX_STORE_H */
