/* sequencer.h - the event-time merge of the input partitions: decoded events
 * go in per partition, in offset order; they come out one at a time in the
 * order of their key (event time, kind, partition, offset), the same order
 * whatever the partition count, the thread count or the timing.
 *
 * A k-way merge over one FIFO per input partition. The head with the
 * smallest key is released only when every input either has a head or is
 * caught up: nothing left to read (its fetch position reached its high
 * watermark, nothing of it in flight) for at least idle_ms, and for at
 * least idle_ms since that head arrived. An input that is not caught up may
 * still hold an earlier event, so the merge waits for it; one that is caught
 * up is given idle_ms for an earlier event produced at about the same time
 * that reaches the broker a little later.
 * A preloaded backlog is therefore released as one global sort by the key
 * (each partition being in event-time order); live input as long as
 * producers write in event-time order. An event whose key is below the last
 * key released arrived too late for its place: it is released at once and
 * counted as late.
 *
 * An unordered entry (a message refused before screening: it changes no
 * state) is released as soon as it is the head of its FIFO, so that what is
 * released of each partition is always a prefix of it, in offset order.
 *
 * The sequencer owns no items: it hands back the pointers it was given. It
 * has no lock; its user serialises the calls.
 *
 * @locality any thread, one at a time.
 */
#ifndef IX_SEQUENCER_H
#define IX_SEQUENCER_H

#include <stddef.h>
#include <stdint.h>

/* The order of release. kind breaks ties of equal time between topics
 * (transfers before the reports of the same millisecond, SEQ_TRANSFER <
 * SEQ_REPORT), partition and offset the rest. */
typedef enum seq_kind { SEQ_TRANSFER = 0, SEQ_REPORT = 1 } seq_kind;

typedef struct seq_key {
    int64_t time_ms;
    int kind; /* seq_kind */
    int32_t partition;
    int64_t offset;
} seq_key;

/* <0, 0, >0 as a is before, equal to, after b. */
int seq_key_cmp(const seq_key *a, const seq_key *b);

typedef struct seq seq;

/* A merge whose caught-up inputs hold it back for idle_ms (>= 0). NULL when
 * out of memory. */
seq *seq_new(int64_t idle_ms);

/* Free s; items still queued are the caller's (seq_drop them first). */
void seq_free(seq *s);

/* A new input, empty and not caught up: its id (>= 0), or -1 when out of
 * memory. Ids of removed inputs are reused. */
int seq_input_add(seq *s);

/* Called with each item dropped by seq_input_remove or seq_drop. */
typedef void (*seq_drop_fn)(void *item, void *arg);

/* Remove an input; its queued items go to drop (may be NULL). */
void seq_input_remove(seq *s, int in, seq_drop_fn drop, void *arg);

/* Queue an item at the tail of input in at now_ms: ordered by *k, or
 * unordered when k is NULL. Returns 0, or -1 when out of memory (nothing
 * queued). The input is no longer caught up (it has a head). */
int seq_push(seq *s, int in, const seq_key *k, void *item, int64_t now_ms);

/* Input in has nothing left to read, as of now_ms: it stops holding the
 * merge back idle_ms after the first of consecutive calls, and idle_ms after
 * the arrival of the head to be released. */
void seq_caught_up(seq *s, int in, int64_t now_ms);

/* Input in may have more to come (a message of it was consumed): the merge
 * waits for its head again. */
void seq_behind(seq *s, int in);

/* The next item to release at now_ms, or NULL when there is none yet. *late
 * is set to 1 when the item's key is below the last one released (it is
 * released at once), to 0 otherwise. */
void *seq_pop(seq *s, int64_t now_ms, int *late);

/* Items queued, over all inputs or in one. */
size_t seq_pending(const seq *s);
size_t seq_pending_input(const seq *s, int in);

/* Drop every queued item (to drop, may be NULL); the inputs stay. */
void seq_drop(seq *s, seq_drop_fn drop, void *arg);

/* Remember the last key released (at a checkpoint), and go back to it (when
 * the interval since is screened again: what is released again is not late). */
void seq_mark(seq *s);
void seq_rewind(seq *s);

#endif /* IX_SEQUENCER_H */
