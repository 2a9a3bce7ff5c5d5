/* park.h - fraud reports waiting for their transfer: the in-memory set.
 *
 * A victim reports within minutes; the clearing stream may lag. A report
 * whose transfer is not in the state yet is parked here with its original
 * message, found again in O(1) by the transfer it names (when that transfer
 * is screened) and by its own id (a duplicate while it waits), and kept in a
 * min-heap by (reported_at, report id) so that the oldest expires first.
 * Ties are broken by the report id, never by arrival, so a set rebuilt from
 * the store gives the same order as the one that was written.
 *
 * The set only keeps and orders; the graph owns one (graph.h), writes what
 * changed since its last checkpoint (park_dirty) into the checkpoint's batch
 * and rebuilds the set from the store at open and after a discard.
 *
 * @locality not thread-safe: the graph serialises every call.
 */
#ifndef IX_PARK_H
#define IX_PARK_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

#define PARK_TOPIC_MAX 249 /* Kafka's longest topic name */

/* The message a report came in: its dead letter carries it, bytes and all.
 * In a park_entry every pointer is owned by the entry; as an argument, the
 * caller's (copied). value and key may be NULL (no original to keep:
 * replay). */
typedef struct park_src {
    const char *topic;
    int32_t partition;
    int64_t offset;
    const void *key;
    size_t key_len;
    const void *value;
    size_t value_len;
} park_src;

typedef struct park_entry {
    ix_report rep;
    park_src src;
    /* the set's own links */
    size_t hpos;                    /* index in the heap */
    struct park_entry *tnext;       /* chain of the transfer-id hash */
    struct park_entry *rnext;       /* chain of the report-id hash */
    uint64_t thash, rhash;          /* of transfer_id + victim_account, of id */
    char topic[PARK_TOPIC_MAX + 1]; /* src.topic points here */
} park_entry;

typedef struct park_set park_set;

/* An empty set, or NULL when out of memory. */
park_set *park_new(void);
/* Free every entry and the set; p may be NULL. */
void park_free(park_set *p);
/* An entry taken out of the set (park_take_*); e may be NULL. */
void park_entry_free(park_entry *e);

size_t park_count(const park_set *p);

/* Park a report with its message. The report id must not be parked already
 * (park_has). Returns 0, or -1 when out of memory (the set unchanged). */
int park_add(park_set *p, const ix_report *rep, const park_src *src);

/* 1 when a report with this id is parked, else 0. */
int park_has(const park_set *p, const char *report_id);

/* The parked report named by id (NULL: none), for reading. */
const park_entry *park_find(const park_set *p, const char *report_id);

/* Take out the oldest report parked for this transfer of this account
 * (NULL: none); the caller owns it. O(1) when the transfer has none. */
park_entry *park_take_transfer(park_set *p, const char *transfer_id, const char *account);

/* The oldest parked report (NULL: none), to read; and taking it out. */
const park_entry *park_oldest(const park_set *p);
park_entry *park_take_oldest(park_set *p);

/* What changed since park_clean: the report ids parked or taken out, in
 * order (an id may appear twice); park_find tells which it is now. */
size_t park_ndirty(const park_set *p);
const char *park_dirty(const park_set *p, size_t i);
void park_clean(park_set *p);

/* Every parked report, in no order (inspect, checkpoints). i < park_count. */
const park_entry *park_at(const park_set *p, size_t i);

#endif /* IX_PARK_H */
