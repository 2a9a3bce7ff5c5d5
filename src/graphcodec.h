/* graphcodec.h - the byte layout of the account graph in RocksDB: keys and
 * values of every column family (docs/architecture.md, "State layout").
 *
 * Keys start with the account id followed by a NUL byte (account ids never
 * contain one), so "everything about account A" is a prefix scan over
 * "A\0", and the prefix extractor cuts at the first NUL. Integers inside keys
 * are big-endian so that byte order is numeric order; values are
 * little-endian and start with a format version byte.
 */
#ifndef IX_GRAPHCODEC_H
#define IX_GRAPHCODEC_H

#include <stddef.h>
#include <stdint.h>

#include "graph.h"
#include "park.h"
#include "score.h"
#include "window.h"

#define GC_KEY_MAX 128  /* longest key any function here writes */
#define GC_VAL_MAX 2048 /* longest value any function here writes */

/* The durable part of an account's transfer state (family "accounts"). */
typedef struct gc_acct {
    int64_t in_count, out_count, in_sum, out_sum;
    int64_t first_seen_ms, last_seen_ms, last_in_ms, last_out_ms;
    ix_action incident_action;
    int64_t incident_at_ms;
    win_ring ring[WIN__COUNT];
    score_mem score; /* the findings that count towards its score (score.h) */
    score_base base; /* its weekly counterparty baseline */
} gc_acct;

/* "account\0": the prefix of everything keyed by an account. */
size_t gc_prefix(char *buf, const char *account);

/* edges_out: "src\0dst"; edges_in: "dst\0src". */
size_t gc_edge_key(char *buf, const char *account, const char *peer);

/* flows: "account\0" dir(1: 'i' or 'o') time_ms(8, BE) id_hash(8, BE).
 * The id hash keeps two transfers in the same millisecond apart. */
size_t gc_flow_key(char *buf, const char *account, graph_dir dir, int64_t time_ms,
                   uint64_t id_hash);
size_t gc_flow_prefix(char *buf, const char *account, graph_dir dir);

/* The time in a flow key, or -1 when it is not a flow key. */
int64_t gc_flow_key_time(const char *key, size_t len);

/* offsets: "topic\0" partition(4, BE). Returns 0 if the topic is too long. */
size_t gc_offset_key(char *buf, size_t size, const char *topic, int32_t partition);

/* Values. *_pack return the length written (never more than GC_VAL_MAX);
 * *_unpack return 0, or -1 for a value that is not of this kind/version. */
size_t gc_acct_pack(const gc_acct *a, char *buf);
int gc_acct_unpack(const char *v, size_t len, gc_acct *a);

#define GC_EDGE_LEN 33
size_t gc_edge_pack(const graph_edge *e, char *buf);
int gc_edge_unpack(const char *v, size_t len, graph_edge *e); /* leaves e->peer alone */
/* Fold edge delta d into e: the edges' merge operator. Commutative and
 * associative, so merge operands may be combined in any grouping. */
void gc_edge_merge(graph_edge *e, const graph_edge *d);

size_t gc_flow_pack(const graph_flow *f, char *buf);
int gc_flow_unpack(const char *v, size_t len, graph_flow *f); /* fills all but time and dir */

size_t gc_profile_pack(const ix_account *p, char *buf);
int gc_profile_unpack(const char *v, size_t len, ix_account *p);
size_t gc_watch_pack(const ix_watch *w, char *buf);
int gc_watch_unpack(const char *v, size_t len, ix_watch *w);

/* A parked fraud report with its original message (family "parks", keyed by
 * the report id). The message is bounded by input.max.bytes, not by
 * GC_VAL_MAX: gc_park_size is what gc_park_pack writes. Unpacked, src->key
 * and src->value point into v and src->topic into topic
 * (PARK_TOPIC_MAX + 1 bytes). */
size_t gc_park_size(const ix_report *rep, const park_src *src);
size_t gc_park_pack(const ix_report *rep, const park_src *src, char *buf);
int gc_park_unpack(const char *v, size_t len, ix_report *rep, park_src *src, char *topic);

void gc_be64_put(char *buf, uint64_t v);
uint64_t gc_be64_get(const char *buf);

#endif /* IX_GRAPHCODEC_H */
