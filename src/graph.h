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

#include "desk.h"
#include "log.h"
#include "model.h"
#include "score.h"
#include "park.h"
#include "window.h"

typedef struct graph graph;

typedef struct graph_opts {
    const char *dir;      /* database directory */
    size_t cache_bytes;   /* budget for RocksDB's block cache and the account cache */
    int create;           /* create the database when missing (else it is an error) */
    int read_only;        /* open beside a running screener (inspect); no writes */
    int64_t retention_ms; /* edges and flows older than this expire; 0 = 35 days */
    const ix_log *log;
    /* Wall clock for retention, replaceable in tests; NULL = real time. */
    int64_t (*clock_ms)(void *arg);
    void *clock_arg;
    /* With no clock_ms: retention follows the stream instead of the wall
     * clock, cutting at the latest event time applied (the screener: a
     * backfill or a late catch-up keeps its history). */
    int event_clock;
    uint64_t min_free_bytes; /* see store_opts: refuse to open or write below it */
    const char *log_dir;     /* RocksDB's info log; NULL or "" = in dir */
    /* Called by the checkpoint's writer thread before it writes a batch
     * (tests hold a batch in flight with it); NULL = none. */
    void (*write_hook)(void *arg);
    void *write_hook_arg;
} graph_opts;

/* Direction of money relative to an account. */
typedef enum graph_dir { GRAPH_IN = 0, GRAPH_OUT = 1 } graph_dir;

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
    /* aggregates over every transfer screened */
    int64_t in_count, out_count;
    int64_t in_sum, out_sum;
    int64_t first_seen_ms, last_seen_ms; /* event times; 0 when never seen */
    int64_t last_in_ms, last_out_ms;
    /* rolling windows, as of the time the snapshot was taken for */
    win_totals win[WIN__COUNT];
    /* incident bookkeeping for de-duplicating freeze requests */
    ix_action incident_action; /* highest action requested in the open incident */
    int64_t incident_at_ms;    /* event time the open incident was last raised */
    /* the findings that count towards its score, and its weekly counterparty baseline */
    score_mem score;
    score_base base;
} graph_acct;

/* Money received within a window and not sent on within it: the running
 * pass-through balance (0 when more left than arrived). */
int64_t graph_held(const graph_acct *a, win_id w);

/* A counterparty relation: every transfer between two accounts in one
 * direction, aggregated. */
typedef struct graph_edge {
    char peer[IX_ACCOUNT_MAX + 1];
    int64_t count, sum;
    int64_t first_ms, last_ms; /* event times of the first and last transfer */
} graph_edge;

/* One transfer as seen from one of its accounts. */
typedef struct graph_flow {
    char transfer_id[IX_ID_MAX + 1];
    char peer[IX_ACCOUNT_MAX + 1]; /* the other account */
    char peer_bank[IX_BANK_MAX + 1];
    graph_dir dir;
    int64_t amount;
    int64_t time_ms;
} graph_flow;

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

/* Snapshot of one account's state with its windows as of event time as_of_ms
 * (all zeros but the name when unknown). Returns 0, or -1 on a storage error. */
int graph_get(graph *g, const char *account, int64_t as_of_ms, graph_acct *out, char *errstr,
              size_t errstr_size);

/* The account's full profile: 1 found, 0 none, -1 error. */
int graph_get_profile(graph *g, const char *account, ix_account *out, char *errstr,
                      size_t errstr_size);

/* Counterparties of `account` in direction dir (GRAPH_IN: who paid it,
 * GRAPH_OUT: whom it paid) whose last transfer is at or after since_ms,
 * including changes not yet checkpointed: the stored ones in account-id
 * order, then those first met since the last checkpoint, in arrival order.
 * The bound applies to the reading: at most max stored edges are read (those
 * of them older than since_ms are dropped, not replaced), each change is found
 * by one index probe, and when stored edges were left unread at most max
 * changes are looked up in the store; the cost does not grow with the
 * account's number of counterparties. Writes up to max into out and returns how many it wrote,
 * or max + 1 when it left some unread (out then holds what was read that
 * passed), or -1. */
int graph_edges(graph *g, const char *account, graph_dir dir, int64_t since_ms, graph_edge *out,
                int max, char *errstr, size_t errstr_size);

/* The account's transfers in direction dir with event time in
 * [from_ms, to_ms], oldest first, including changes not yet checkpointed.
 * Writes up to max (the oldest ones) and returns how many it wrote, or -1. */
int graph_flows(graph *g, const char *account, graph_dir dir, int64_t from_ms, int64_t to_ms,
                graph_flow *out, int max, char *errstr, size_t errstr_size);

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

/* One finding to remember in an account's score: its rule slot and score. */
typedef struct graph_score_note {
    int slot, score;
} graph_score_note;

/* Remember findings of one transfer at event time `at_ms` in `account`'s
 * score memory (score_note: each slot keeps its strongest finding within
 * `horizon_ms`) and return the account's score at `at_ms`, with the slots
 * that make it up in `parts` (SCORE_SLOTS entries) and *nparts. -1 on error
 * (errstr) or for a slot or score out of range. Durable at the next
 * checkpoint, like the incident. */
int graph_score(graph *g, const char *account, const graph_score_note *notes, int n, int64_t at_ms,
                int64_t horizon_ms, score_part *parts, int *nparts, char *errstr,
                size_t errstr_size);

/* Duplicate detection: 1 when a transfer with this id was seen before
 * (within state.retention), else 0 and the id is recorded (durable at the
 * next checkpoint; forgotten by graph_discard). -1 on a storage error. The
 * check and the record are one atomic step. */
int graph_seen_transfer(graph *g, const char *id, int64_t time_ms, char *errstr,
                        size_t errstr_size);

/* The same for fraud report ids, in a space of their own (a report may carry
 * the id of a transfer). With record 0 it only asks: a report is recorded
 * once it was traced, so one that named a transfer not yet screened can be
 * sent again. */
int graph_seen_report(graph *g, const char *id, int64_t time_ms, int record, char *errstr,
                      size_t errstr_size);

/* Fraud reports waiting for their transfer (park.h): kept in memory, O(1)
 * to find by the transfer they name, rebuilt from the store at open and by
 * graph_discard, written by graph_checkpoint with everything else. Only the
 * screening thread parks and unparks.
 *
 * graph_park keeps a report with its message (the report id must not be
 * parked: graph_parked); 0, or -1 when out of memory. */
int graph_park(graph *g, const ix_report *rep, const park_src *src, char *errstr,
               size_t errstr_size);
int graph_parked(graph *g, const char *report_id);

/* Take out the oldest report parked for this transfer of this account;
 * NULL when none. The caller frees it (park_entry_free). */
park_entry *graph_unpark_transfer(graph *g, const char *transfer_id, const char *account);

/* Take out the oldest parked report when it is due: more than max are
 * parked, or the park clock is more than wait_ms past its reported_at.
 * NULL when none is due. */
park_entry *graph_unpark_due(graph *g, int64_t wait_ms, size_t max);

/* The park clock: the latest event time screened (graph_park_advance by
 * the screening step), durable with the parks. */
void graph_park_advance(graph *g, int64_t t_ms);
int64_t graph_park_clock(graph *g);

/* fn on every parked report, oldest first not promised, until it returns
 * non-zero (what graph_parks then returns). */
typedef int (*graph_park_fn)(const park_entry *e, void *arg);
int graph_parks(graph *g, graph_park_fn fn, void *arg);

/* The desk (desk.h): the allow-list and the suppressions in memory, the
 * requests raised (what a verdict is checked against) in the store. Both
 * are written by graph_checkpoint with everything else, and rebuilt from
 * the store at open and by graph_discard, so that a desk message or a
 * request counts once however often its interval is screened.
 *
 * graph_desk: the set, valid until graph_close (graph_discard refills it in
 * place); changed only by the screening thread, or by whoever holds the
 * graph alone (a barrier, a test, inspect). Its `dirty` tells the next
 * checkpoint to write it. */
desk_set *graph_desk(graph *g);

/* Record a request raised, or answered (the same id again: the latest
 * record wins). Durable at the next checkpoint. 0, or -1 out of memory. */
int graph_desk_put_request(graph *g, const desk_request *q, char *errstr, size_t errstr_size);

/* The latest record of request id: 1 found, 0 not, -1 on a storage error. */
int graph_desk_get_request(graph *g, const char *id, desk_request *out, char *errstr,
                           size_t errstr_size);

/* Write every change since the last checkpoint and the given offsets in one
 * atomic WriteBatch, and wait for it to land. Returns 0, or -1 (nothing of
 * this checkpoint was written). */
int graph_checkpoint(graph *g, const graph_offset *offsets, size_t n, char *errstr,
                     size_t errstr_size);

/* The same without waiting: the batch is built at once (a consistent cut of
 * every change since the last one) and written by a thread of the graph
 * while screening goes on. Until it lands, every read sees exactly what it
 * would see after: edge and flow scans read the store as it was before the
 * batch (store_pin) and the batch's changes from memory, where they stay,
 * with their entries, until then. The next checkpoint, graph_sync,
 * graph_discard and every read of the store as a whole (offsets, digest,
 * copy) wait for it first. Returns 0, or -1 when this batch could not be
 * built or the previous one failed to land (then the store lacks that
 * checkpoint, and every later call fails the same way). */
int graph_checkpoint_begin(graph *g, const graph_offset *offsets, size_t n, char *errstr,
                           size_t errstr_size);

/* Wait for the batch in flight, if any: 0 when it (and every earlier one)
 * landed, else -1 with why. */
int graph_sync(graph *g, char *errstr, size_t errstr_size);

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

/* A digest of everything checkpointed about transfers and tables (not the
 * offsets): two stores that screened the same input end with the same
 * digest, whatever the order or the interruptions. */
typedef struct graph_digest {
    uint64_t hash;
    uint64_t accounts, edges, flows, ids, profiles, watch, parks;
} graph_digest;
int graph_get_digest(graph *g, graph_digest *d, char *errstr, size_t errstr_size);

/* A consistent copy of everything checkpointed into dest, which must not
 * exist (`interdict backup`). Returns 0, or -1 with errstr filled. */
int graph_copy(graph *g, const char *dest, char *errstr, size_t errstr_size);

/* The latest event time of a transfer applied since the graph was opened
 * (0: none yet), which an event_clock graph's retention follows. */
int64_t graph_watermark(graph *g);

/* Run the retention filter over edges and flows now (tests, maintenance).
 * In normal running RocksDB's own compactions do it; an edge updated
 * recently enough to still be a merge operand expires one compaction later. */
void graph_compact(graph *g);

/* Counts for progress reports, metrics and tests. */
typedef struct graph_stats {
    uint64_t cached_accounts;
    uint64_t dirty_accounts;
    uint64_t pending_flows; /* flows not yet checkpointed */
    uint64_t checkpoints;
    uint64_t cache_misses;
    uint64_t cache_bytes;    /* the account cache's own memory */
    uint64_t rocksdb_bytes;  /* memtables, table readers and block cache */
    uint64_t edges_examined; /* stored and pending edges graph_edges() looked at, in all */
    uint64_t parked;         /* fraud reports waiting for their transfer */
} graph_stats;
void graph_get_stats(graph *g, graph_stats *st);

/* Whether the changes waiting to be written fill half the account cache
 * (its dirty entries cannot be evicted): time to write them, whatever the
 * interval. */
int graph_write_wanted(graph *g);

#endif /* IX_GRAPH_H */
