/* sequencer.c - the event-time merge of the input partitions (sequencer.h).
 *
 * Inputs are few (the partitions of one instance), so the smallest head is
 * found by a scan rather than a heap: every release is O(inputs), and no
 * structure has to be repaired when an input is removed or rewound.
 */
#include "sequencer.h"

#include <stdlib.h>
#include <string.h>

#include "vec.h"

typedef struct entry {
    seq_key key;
    int ordered; /* 0: released as soon as it is the head */
    int64_t arrived_ms;
    void *item;
} entry;

typedef struct input {
    int used;
    entry *q; /* ring buffer */
    size_t head, len, cap;
    int caught;       /* nothing left to read ... */
    int64_t since_ms; /* ... since then */
} input;

struct seq {
    int64_t idle_ms;
    input *in;
    size_t nin, capin;
    size_t pending;
    int released; /* last is set */
    seq_key last; /* the last ordered key released */
    int marked;   /* the same at seq_mark */
    seq_key mark;
};

int seq_key_cmp(const seq_key *a, const seq_key *b)
{
    if (a->time_ms != b->time_ms)
        return a->time_ms < b->time_ms ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    if (a->partition != b->partition)
        return a->partition < b->partition ? -1 : 1;
    if (a->offset != b->offset)
        return a->offset < b->offset ? -1 : 1;
    return 0;
}

seq *seq_new(int64_t idle_ms)
{
    seq *s = calloc(1, sizeof(*s));
    if (s)
        s->idle_ms = idle_ms < 0 ? 0 : idle_ms;
    return s;
}

void seq_free(seq *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nin; i++)
        free(s->in[i].q);
    free(s->in);
    free(s);
}

int seq_input_add(seq *s)
{
    size_t i = 0;
    while (i < s->nin && s->in[i].used)
        i++;
    if (i == s->nin) {
        if (vec_reserve((void **)&s->in, &s->capin, s->nin + 1, sizeof(*s->in), 16) != 0)
            return -1;
        memset(&s->in[s->nin++], 0, sizeof(*s->in));
    }
    input *in = &s->in[i];
    free(in->q);
    memset(in, 0, sizeof(*in));
    in->used = 1;
    return (int)i;
}

static entry *head_of(const input *in)
{
    return in->len ? &in->q[in->head] : NULL;
}

static void *take_head(seq *s, input *in)
{
    void *item = in->q[in->head].item;
    in->head = (in->head + 1) % in->cap;
    in->len--;
    s->pending--;
    return item;
}

static void drop_all(seq *s, input *in, seq_drop_fn drop, void *arg)
{
    while (in->len) {
        void *item = take_head(s, in);
        if (drop)
            drop(item, arg);
    }
    in->head = 0;
}

void seq_input_remove(seq *s, int in, seq_drop_fn drop, void *arg)
{
    drop_all(s, &s->in[in], drop, arg);
    s->in[in].used = 0;
}

/* Double the ring, unrolled to start at 0. */
static int grow(input *in)
{
    size_t cap = in->cap ? in->cap * 2 : 64;
    entry *q = malloc(cap * sizeof(*q));
    if (!q)
        return -1;
    for (size_t k = 0; k < in->len; k++)
        q[k] = in->q[(in->head + k) % in->cap];
    free(in->q);
    in->q = q;
    in->cap = cap;
    in->head = 0;
    return 0;
}

int seq_push(seq *s, int i, const seq_key *k, void *item, int64_t now_ms)
{
    input *in = &s->in[i];
    if (in->len == in->cap && grow(in) != 0)
        return -1;
    entry *e = &in->q[(in->head + in->len) % in->cap];
    memset(e, 0, sizeof(*e));
    e->ordered = k != NULL;
    if (k)
        e->key = *k;
    e->item = item;
    e->arrived_ms = now_ms;
    in->len++;
    in->caught = 0;
    s->pending++;
    return 0;
}

void seq_caught_up(seq *s, int i, int64_t now_ms)
{
    input *in = &s->in[i];
    if (in->caught)
        return;
    in->caught = 1;
    in->since_ms = now_ms;
}

void seq_behind(seq *s, int i)
{
    s->in[i].caught = 0;
}

/* Whether an input without a head lets head h go: it has been caught up
 * for idle_ms, counted from when h arrived if that is later. An event that
 * was produced before h but reached its partition a little after (another
 * producer batch, another topic) still comes in time for its place. */
static int quiet(const seq *s, const input *in, const entry *h, int64_t now_ms)
{
    int64_t from = in->since_ms > h->arrived_ms ? in->since_ms : h->arrived_ms;
    return in->caught && now_ms - from >= s->idle_ms;
}

void *seq_pop(seq *s, int64_t now_ms, int *late)
{
    input *min = NULL;
    *late = 0;
    for (size_t i = 0; i < s->nin; i++) {
        input *in = &s->in[i];
        const entry *h = in->used ? head_of(in) : NULL;
        if (h && !h->ordered)
            return take_head(s, in);
        if (h && (!min || seq_key_cmp(&h->key, &head_of(min)->key) < 0))
            min = in;
    }
    if (!min)
        return NULL;
    const entry *h = head_of(min);
    if (s->released && seq_key_cmp(&h->key, &s->last) < 0) {
        *late = 1; /* its place has passed: now is as good as it gets */
        return take_head(s, min);
    }
    for (size_t i = 0; i < s->nin; i++) {
        const input *in = &s->in[i];
        if (in->used && !in->len && !quiet(s, in, h, now_ms))
            return NULL; /* it may still bring an earlier event */
    }
    s->last = h->key;
    s->released = 1;
    return take_head(s, min);
}

size_t seq_pending(const seq *s)
{
    return s->pending;
}

size_t seq_pending_input(const seq *s, int in)
{
    return s->in[in].len;
}

void seq_drop(seq *s, seq_drop_fn drop, void *arg)
{
    for (size_t i = 0; i < s->nin; i++)
        drop_all(s, &s->in[i], drop, arg);
}

void seq_mark(seq *s)
{
    s->marked = s->released;
    s->mark = s->last;
}

void seq_rewind(seq *s)
{
    s->released = s->marked;
    s->last = s->mark;
}
