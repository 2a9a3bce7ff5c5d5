/* stats.h - the screener's counters: what was consumed, screened, sent and
 * refused, and how long screening took, in two latency histograms.
 *
 * Each thread counts into a stats of its own; at every checkpoint barrier
 * the pipeline adds them into its total (stats_add) and hands the total to
 * whoever watches it (metrics, the demo, main's progress line and summary).
 * A total counts committed work only: the counters of an aborted interval are
 * dropped, not added, so nothing is counted twice.
 *
 * @locality any thread; one stats belongs to one thread at a time.
 */
#ifndef IX_STATS_H
#define IX_STATS_H

#include <stdint.h>

#include "reason.h"
#include "rules.h"

/* Latency histogram buckets: upper bounds in microseconds; the last is +Inf. */
#define STATS_HIST_BUCKETS 20
extern const double stats_hist_bounds_us[STATS_HIST_BUCKETS - 1];

/* The bucket of a duration in nanoseconds. */
int stats_hist_bucket(int64_t ns);

typedef struct stats {
    /* A message screened again in a replayed gap (its output committed
     * before) counts only as replayed. */
    uint64_t transfers;                  /* transfer messages consumed (valid or not) */
    uint64_t screened;                   /* valid transfers screened */
    uint64_t replayed;                   /* messages re-screened with output suppressed */
    uint64_t requests;                   /* freeze requests emitted */
    uint64_t by_action[4];               /* indexed by ix_action */
    uint64_t deadletters;                /* rejected messages sent to the dead-letter topic */
    uint64_t dead_by_reason[RSN__COUNT]; /* rejected messages by reason (reason.h) */
    uint64_t reports;                    /* fraud reports consumed (valid or not) */
    uint64_t parked;                     /* reports parked to wait for their transfer */
    uint64_t park_traced;                /* ... traced once it came */
    uint64_t park_expired;               /* ... dead-lettered: it never came */
    uint64_t table_updates;              /* accounts and watch-list messages applied */
    uint64_t desk_updates;               /* allow-list entries and verdicts applied */
    uint64_t held;                       /* findings the desk held back (docs/desk.md) */
    uint64_t rule_hits[RULES_COUNTERS];  /* see rules.h */
    uint64_t checkpoints;
    uint64_t aborts;
    uint64_t reloads;
    uint64_t late;      /* events screened after a later one: out of event-time order */
    uint64_t busy_ns;   /* time spent decoding and screening, over all threads */
    uint64_t decode_ns; /* ... of it decoding, on the workers */
    uint64_t screen_ns; /* ... of it screening, on the screening thread */
    /* Time to screen one message, and from its Kafka timestamp (the
     * producer's create time) to the end of its screening. */
    uint64_t proc_hist[STATS_HIST_BUCKETS];
    uint64_t e2e_hist[STATS_HIST_BUCKETS];
    uint64_t proc_ns_sum, e2e_ms_sum;
} stats;

/* Add every counter of src to dst's. */
void stats_add(stats *dst, const stats *src);

#endif /* IX_STATS_H */
