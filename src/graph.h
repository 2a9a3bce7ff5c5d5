/* graph.h - the account graph: what interdict knows about every account,
 * kept in RocksDB and cached in memory.
 *
 * Two kinds of writers, two durability schemes:
 *  - Table topics (accounts, watchlist) are idempotent upserts. Each update is
 *    written at once, in one WriteBatch with the offset of its message, so a
 *    restart resumes exactly after the last applied update.
 *  - Transfers change counters, which must be applied exactly once. Their
 *    effects accumulate in the in-memory cache (marked dirty) and reach
 *    RocksDB only through graph_checkpoint(), in one WriteBatch together with
 *    the consumer offsets they cover. graph_discard() drops everything since
 *    the last checkpoint, for when the output transaction had to be aborted.
 *
 * Keys are the account strings themselves (see docs/architecture.md, "State
 * layout"): any key can be mapped to its Kafka partition with hash_partition().
 *
 * @locality all functions are thread-safe unless noted; one account's cached
 *           state is guarded by a lock stripe chosen by the account's hash.
 */
#ifndef IX_GRAPH_H
#define IX_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "log.h"
#include "model.h"

typedef struct graph graph;

typedef struct graph_opts {
    const char *dir;    /* database directory */
    size_t cache_bytes; /* budget for RocksDB's block cache and the account cache */
    int create;         /* create the database when missing (else it is an error) */
    const ix_log *log;
} graph_opts;

/* What the rules see of one account at the moment a transfer is screened. */
typedef struct graph_acct {
    char account[IX_ACCOUNT_MAX + 1];
    /* from the accounts topic; has_profile == 0 when never seen there */
    int has_profile;
    char bank[IX_BANK_MAX + 1];
    int64_t opened_at_ms;
    ix_holder_type holder_type;
    int kyc_level;
    uint32_t flags; /* IX_ACCT_* including IX_ACCT_WATCHLISTED */
    /* from the watch list; valid when flags & IX_ACCT_WATCHLISTED */
    char watch_list[IX_TEXT_MAX + 1];
    /* aggregates over all transfers screened */
    int64_t in_count, out_count;
    int64_t in_sum, out_sum;
    int64_t first_seen_ms, last_seen_ms; /* event times; 0 when never seen */
    /* incident bookkeeping for de-duplicating freeze requests */
    ix_action incident_action; /* highest action requested in the open incident */
    int64_t incident_at_ms;    /* event time the open incident was last raised */
} graph_acct;

/* A consumer position: the next offset to read. */
typedef struct graph_offset {
    const char *topic;
    int32_t partition;
    int64_t offset;
} graph_offset;

/* Open (or create) the database. Returns 0, or -1 with errstr filled: a
 * missing database without opts->create, a lock held by another process or
 * an incompatible format are reported as such. */
int graph_open(const graph_opts *opts, graph **out, char *errstr, size_t errstr_size);

/* Flush nothing, close everything; uncheckpointed changes are dropped. g may be NULL. */
void graph_close(graph *g);

/* Snapshot of one account's state (all zeros but the name when unknown).
 * Returns 0, or -1 on a storage error. */
int graph_get(graph *g, const char *account, graph_acct *out, char *errstr, size_t errstr_size);

/* Apply one transfer to both accounts' cached state, and return their state
 * as it was just before (what rules compare against). The change becomes
 * durable at the next graph_checkpoint(). Returns 0, or -1 on storage error. */
int graph_apply_transfer(graph *g, const ix_transfer *t, graph_acct *from_before,
                         graph_acct *to_before, char *errstr, size_t errstr_size);

/* Open or escalate an incident on `account` for a request with `action`
 * triggered at event time `at_ms`. Returns 1 when the request must be sent
 * (no incident within `cooldown_ms` before `at_ms`, or `action` is more severe
 * than the open incident's), 0 when it is a repeat to suppress, -1 on error.
 * Check and update are one atomic step, so two workers hitting the same
 * account cannot both send. Durable at the next checkpoint. */
int graph_raise_incident(graph *g, const char *account, ix_action action, int64_t at_ms,
                         int64_t cooldown_ms, char *errstr, size_t errstr_size);

/* Write every change since the last checkpoint and the given offsets in one
 * atomic WriteBatch. Returns 0, or -1 (nothing was written). */
int graph_checkpoint(graph *g, const graph_offset *offsets, size_t n, char *errstr,
                     size_t errstr_size);

/* Forget every change since the last checkpoint. */
void graph_discard(graph *g);

/* Table updates, durable on return together with their offset (off may be NULL
 * for bulk loads). */
int graph_put_watch(graph *g, const ix_watch *w, const graph_offset *off, char *errstr,
                    size_t errstr_size);
int graph_del_watch(graph *g, const char *account, const graph_offset *off, char *errstr,
                    size_t errstr_size);
int graph_put_profile(graph *g, const ix_account *a, const graph_offset *off, char *errstr,
                      size_t errstr_size);

/* Look up a watch-list entry: 1 found, 0 not found, -1 error. */
int graph_get_watch(graph *g, const char *account, ix_watch *out, char *errstr, size_t errstr_size);

/* The stored position of a topic partition: 1 found (sets *offset), 0 none,
 * -1 error. */
int graph_get_offset(graph *g, const char *topic, int32_t partition, int64_t *offset, char *errstr,
                     size_t errstr_size);

/* Counts for progress reports and tests. */
typedef struct graph_stats {
    uint64_t cached_accounts;
    uint64_t dirty_accounts;
    uint64_t checkpoints;
    uint64_t cache_misses;
} graph_stats;
void graph_get_stats(graph *g, graph_stats *st);

#endif /* IX_GRAPH_H */
