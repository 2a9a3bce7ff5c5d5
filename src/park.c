/* park.c - fraud reports waiting for their transfer (park.h).
 *
 * Three views of one set of entries: a binary min-heap by (reported_at,
 * report id), where each entry knows its index so it can leave from the
 * middle, and two chained hash tables, by transfer (id and account) and by
 * report id. Chains are short: the tables double when they hold as many
 * entries as buckets.
 */
#include "park.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "vec.h"

#define PARK_FIRST_BUCKETS 64 /* buckets of each hash before the first growth */

typedef struct park_id {
    char id[IX_ID_MAX + 1];
} park_id;

struct park_set {
    park_entry **heap; /* heap[0] the oldest */
    size_t n, cap;
    park_entry **tb, **rb; /* by transfer, by report id; nb buckets each */
    size_t nb;
    park_id *dirty;
    size_t ndirty, capdirty;
};

/* ---- keys */

static uint64_t transfer_hash(const char *transfer_id, const char *account)
{
    uint64_t h = hash_fnv1a64(HASH_FNV64_INIT, transfer_id, strlen(transfer_id) + 1);
    return hash_fnv1a64(h, account, strlen(account));
}

static uint64_t report_hash(const char *id)
{
    return hash_fnv1a64(HASH_FNV64_INIT, id, strlen(id));
}

/* Older first; the report id breaks ties so the order never depends on
 * the order of arrival. */
static int older(const park_entry *a, const park_entry *b)
{
    if (a->rep.reported_at_ms != b->rep.reported_at_ms)
        return a->rep.reported_at_ms < b->rep.reported_at_ms;
    return strcmp(a->rep.id, b->rep.id) < 0;
}

/* ---- the heap */

static void heap_set(park_set *p, size_t i, park_entry *e)
{
    p->heap[i] = e;
    e->hpos = i;
}

static void sift_up(park_set *p, size_t i)
{
    park_entry *e = p->heap[i];
    while (i > 0 && older(e, p->heap[(i - 1) / 2])) {
        heap_set(p, i, p->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    heap_set(p, i, e);
}

static void sift_down(park_set *p, size_t i)
{
    park_entry *e = p->heap[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= p->n)
            break;
        if (c + 1 < p->n && older(p->heap[c + 1], p->heap[c]))
            c++;
        if (!older(p->heap[c], e))
            break;
        heap_set(p, i, p->heap[c]);
        i = c;
    }
    heap_set(p, i, e);
}

static void heap_remove(park_set *p, park_entry *e)
{
    size_t i = e->hpos;
    park_entry *last = p->heap[--p->n];
    if (i == p->n)
        return;
    heap_set(p, i, last);
    sift_down(p, i);
    sift_up(p, last->hpos);
}

/* ---- the hashes */

static void chain_unlink(park_entry **bucket, park_entry *e, int by_transfer)
{
    park_entry **pp = bucket;
    while (*pp != e)
        pp = by_transfer ? &(*pp)->tnext : &(*pp)->rnext;
    *pp = by_transfer ? e->tnext : e->rnext;
}

static void chain_link(park_set *p, park_entry *e)
{
    size_t mask = p->nb - 1;
    e->tnext = p->tb[e->thash & mask];
    p->tb[e->thash & mask] = e;
    e->rnext = p->rb[e->rhash & mask];
    p->rb[e->rhash & mask] = e;
}

/* Double the buckets (or make the first ones). Returns 0, or -1 when out of
 * memory (the old tables kept). */
static int rehash(park_set *p)
{
    size_t nb = p->nb ? p->nb * 2 : PARK_FIRST_BUCKETS;
    park_entry **tb = calloc(nb, sizeof(*tb)), **rb = calloc(nb, sizeof(*rb));
    if (!tb || !rb) {
        free(tb);
        free(rb);
        return -1;
    }
    free(p->tb);
    free(p->rb);
    p->tb = tb;
    p->rb = rb;
    p->nb = nb;
    for (size_t i = 0; i < p->n; i++)
        chain_link(p, p->heap[i]);
    return 0;
}

static int mark_dirty(park_set *p, const char *id)
{
    if (vec_reserve((void **)&p->dirty, &p->capdirty, p->ndirty + 1, sizeof(*p->dirty), 64) != 0)
        return -1;
    memcpy(p->dirty[p->ndirty++].id, id, sizeof(p->dirty[0].id));
    return 0;
}

/* Out of all three views; the caller owns e. */
static park_entry *take(park_set *p, park_entry *e)
{
    size_t mask = p->nb - 1;
    heap_remove(p, e);
    chain_unlink(&p->tb[e->thash & mask], e, 1);
    chain_unlink(&p->rb[e->rhash & mask], e, 0);
    /* Out of memory here leaves the store's copy until it expires again
     * after a restart: the report is dead-lettered twice, never lost. */
    (void)mark_dirty(p, e->rep.id);
    return e;
}

/* ---- the set */

park_set *park_new(void)
{
    park_set *p = calloc(1, sizeof(*p));
    if (p && rehash(p) != 0) {
        free(p);
        return NULL;
    }
    return p;
}

void park_entry_free(park_entry *e)
{
    if (!e)
        return;
    free((void *)e->src.key);
    free((void *)e->src.value);
    free(e);
}

void park_free(park_set *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        park_entry_free(p->heap[i]);
    free(p->heap);
    free(p->tb);
    free(p->rb);
    free(p->dirty);
    free(p);
}

size_t park_count(const park_set *p)
{
    return p->n;
}

static void *copy_bytes(const void *b, size_t n, int *bad)
{
    if (!b)
        return NULL;
    void *c = malloc(n ? n : 1);
    if (!c)
        *bad = 1;
    else
        memcpy(c, b, n);
    return c;
}

static park_entry *entry_new(const ix_report *rep, const park_src *src)
{
    int bad = 0;
    park_entry *e = calloc(1, sizeof(*e));
    if (!e)
        return NULL;
    e->rep = *rep;
    e->src.partition = src->partition;
    e->src.offset = src->offset;
    e->src.key_len = src->key ? src->key_len : 0;
    e->src.value_len = src->value ? src->value_len : 0;
    e->src.key = copy_bytes(src->key, src->key_len, &bad);
    e->src.value = copy_bytes(src->value, src->value_len, &bad);
    snprintf(e->topic, sizeof(e->topic), "%s", src->topic ? src->topic : "");
    e->src.topic = e->topic;
    e->thash = transfer_hash(rep->transfer_id, rep->victim_account);
    e->rhash = report_hash(rep->id);
    if (bad) {
        park_entry_free(e);
        return NULL;
    }
    return e;
}

int park_add(park_set *p, const ix_report *rep, const park_src *src)
{
    if ((p->n + 1 > p->nb && rehash(p) != 0) ||
        vec_reserve((void **)&p->heap, &p->cap, p->n + 1, sizeof(*p->heap), 64) != 0)
        return -1;
    park_entry *e = entry_new(rep, src);
    if (!e)
        return -1;
    if (mark_dirty(p, rep->id) != 0) {
        park_entry_free(e);
        return -1;
    }
    chain_link(p, e);
    heap_set(p, p->n++, e);
    sift_up(p, e->hpos);
    return 0;
}

const park_entry *park_find(const park_set *p, const char *report_id)
{
    uint64_t h = report_hash(report_id);
    for (park_entry *e = p->rb[h & (p->nb - 1)]; e; e = e->rnext)
        if (e->rhash == h && strcmp(e->rep.id, report_id) == 0)
            return e;
    return NULL;
}

int park_has(const park_set *p, const char *report_id)
{
    return park_find(p, report_id) != NULL;
}

park_entry *park_take_transfer(park_set *p, const char *transfer_id, const char *account)
{
    if (p->n == 0)
        return NULL;
    uint64_t h = transfer_hash(transfer_id, account);
    park_entry *best = NULL;
    for (park_entry *e = p->tb[h & (p->nb - 1)]; e; e = e->tnext)
        if (e->thash == h && strcmp(e->rep.transfer_id, transfer_id) == 0 &&
            strcmp(e->rep.victim_account, account) == 0 && (!best || older(e, best)))
            best = e;
    return best ? take(p, best) : NULL;
}

const park_entry *park_oldest(const park_set *p)
{
    return p->n ? p->heap[0] : NULL;
}

park_entry *park_take_oldest(park_set *p)
{
    return p->n ? take(p, p->heap[0]) : NULL;
}

size_t park_ndirty(const park_set *p)
{
    return p->ndirty;
}

const char *park_dirty(const park_set *p, size_t i)
{
    return p->dirty[i].id;
}

void park_clean(park_set *p)
{
    p->ndirty = 0;
}

const park_entry *park_at(const park_set *p, size_t i)
{
    return p->heap[i];
}
