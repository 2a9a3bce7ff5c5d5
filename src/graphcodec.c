/* graphcodec.c - keys and values of the account graph's column families. */
#include "graphcodec.h"

#include <string.h>

#define GC_ACCT_VERSION    4 /* 3: the baseline without the money; 2: no score block */
#define GC_PROFILE_VERSION 1
#define GC_WATCH_VERSION   1
#define GC_EDGE_VERSION    1
#define GC_FLOW_VERSION    2
#define GC_PARK_VERSION    1

/* ---- writer and reader over a bounded buffer */

typedef struct wbuf {
    char *p;
    size_t len;
} wbuf;

static void put_u8(wbuf *b, uint8_t v)
{
    b->p[b->len++] = (char)v;
}

static void put_u32(wbuf *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b->p[b->len++] = (char)(v >> (8 * i));
}

static void put_i64(wbuf *b, int64_t v)
{
    uint64_t u = (uint64_t)v;
    for (int i = 0; i < 8; i++)
        b->p[b->len++] = (char)(u >> (8 * i));
}

/* Strings are model fields of at most 127 bytes: a one-byte length. */
static void put_str(wbuf *b, const char *s)
{
    size_t n = strnlen(s, 255);
    put_u8(b, (uint8_t)n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

/* Bytes of any length: a four-byte length. */
static void put_bytes(wbuf *b, const void *v, size_t n)
{
    put_u32(b, (uint32_t)n);
    if (n)
        memcpy(b->p + b->len, v, n);
    b->len += n;
}

typedef struct rbuf {
    const unsigned char *p;
    size_t left;
    int bad;
} rbuf;

static int need(rbuf *r, size_t n)
{
    if (r->bad || r->left < n) {
        r->bad = 1;
        return 0;
    }
    return 1;
}

static uint8_t get_u8(rbuf *r)
{
    if (!need(r, 1))
        return 0;
    r->left--;
    return *r->p++;
}

static uint32_t get_u32(rbuf *r)
{
    uint32_t u = 0;
    if (!need(r, 4))
        return 0;
    for (int i = 0; i < 4; i++)
        u |= (uint32_t)r->p[i] << (8 * i);
    r->p += 4;
    r->left -= 4;
    return u;
}

static int64_t get_i64(rbuf *r)
{
    uint64_t u = 0;
    if (!need(r, 8))
        return 0;
    for (int i = 0; i < 8; i++)
        u |= (uint64_t)r->p[i] << (8 * i);
    r->p += 8;
    r->left -= 8;
    return (int64_t)u;
}

static void get_str(rbuf *r, char *dst, size_t cap)
{
    size_t n = get_u8(r);
    dst[0] = '\0';
    if (n >= cap || !need(r, n)) {
        r->bad = 1;
        return;
    }
    memcpy(dst, r->p, n);
    dst[n] = '\0';
    r->p += n;
    r->left -= n;
}

/* Borrowed: *out points into the value. */
static size_t get_bytes(rbuf *r, const void **out)
{
    size_t n = get_u32(r);
    *out = NULL;
    if (n == 0 || !need(r, n))
        return 0;
    *out = r->p;
    r->p += n;
    r->left -= n;
    return n;
}

static int finish(const rbuf *r)
{
    return r->bad || r->left != 0 ? -1 : 0;
}

/* ---- keys */

void gc_be64_put(char *buf, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        buf[i] = (char)(v >> (56 - 8 * i));
}

uint64_t gc_be64_get(const char *buf)
{
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u = u << 8 | (unsigned char)buf[i];
    return u;
}

size_t gc_prefix(char *buf, const char *account)
{
    size_t n = strnlen(account, IX_ACCOUNT_MAX);
    memcpy(buf, account, n);
    buf[n] = '\0';
    return n + 1;
}

size_t gc_edge_key(char *buf, const char *account, const char *peer)
{
    size_t n = gc_prefix(buf, account);
    size_t m = strnlen(peer, IX_ACCOUNT_MAX);
    memcpy(buf + n, peer, m);
    return n + m;
}

size_t gc_flow_prefix(char *buf, const char *account, graph_dir dir)
{
    size_t n = gc_prefix(buf, account);
    buf[n] = dir == GRAPH_IN ? 'i' : 'o';
    return n + 1;
}

size_t gc_flow_key(char *buf, const char *account, graph_dir dir, int64_t time_ms, uint64_t id_hash)
{
    size_t n = gc_flow_prefix(buf, account, dir);
    gc_be64_put(buf + n, (uint64_t)time_ms);
    gc_be64_put(buf + n + 8, id_hash);
    return n + 16;
}

int64_t gc_flow_key_time(const char *key, size_t len)
{
    const char *nul = memchr(key, '\0', len);
    if (!nul || (size_t)(nul - key) + 1 + 1 + 16 != len)
        return -1;
    return (int64_t)gc_be64_get(nul + 2);
}

size_t gc_offset_key(char *buf, size_t size, const char *topic, int32_t partition)
{
    size_t n = strlen(topic);
    if (n + 5 > size)
        return 0;
    memcpy(buf, topic, n);
    buf[n] = '\0';
    for (int i = 0; i < 4; i++)
        buf[n + 1 + i] = (char)((uint32_t)partition >> (24 - 8 * i));
    return n + 5;
}

/* ---- account transfer state: rings are stored sparsely, because most
 * accounts leave most buckets empty */

static int bucket_empty(const win_bucket *b)
{
    return b->in_count == 0 && b->out_count == 0 && b->in_sum == 0 && b->out_sum == 0;
}

static void put_ring(wbuf *b, const win_ring *r)
{
    uint8_t mask = 0;
    for (int i = 0; i < WIN_SLOTS; i++)
        if (!bucket_empty(&r->slot[i]))
            mask |= (uint8_t)(1u << i);
    put_i64(b, r->head);
    put_u8(b, mask);
    for (int i = 0; i < WIN_SLOTS; i++) {
        if (!(mask & (1u << i)))
            continue;
        put_u32(b, r->slot[i].in_count);
        put_u32(b, r->slot[i].out_count);
        put_i64(b, r->slot[i].in_sum);
        put_i64(b, r->slot[i].out_sum);
    }
}

static void get_ring(rbuf *r, win_ring *ring)
{
    memset(ring, 0, sizeof(*ring));
    ring->head = get_i64(r);
    uint8_t mask = get_u8(r);
    for (int i = 0; i < WIN_SLOTS; i++) {
        if (!(mask & (1u << i)))
            continue;
        ring->slot[i].in_count = get_u32(r);
        ring->slot[i].out_count = get_u32(r);
        ring->slot[i].in_sum = get_i64(r);
        ring->slot[i].out_sum = get_i64(r);
    }
    if (mask >> WIN_SLOTS)
        r->bad = 1;
}

size_t gc_acct_pack(const gc_acct *a, char *buf)
{
    wbuf b = {buf, 0};
    put_u8(&b, GC_ACCT_VERSION);
    put_i64(&b, a->in_count);
    put_i64(&b, a->out_count);
    put_i64(&b, a->in_sum);
    put_i64(&b, a->out_sum);
    put_i64(&b, a->first_seen_ms);
    put_i64(&b, a->last_seen_ms);
    put_i64(&b, a->last_in_ms);
    put_i64(&b, a->last_out_ms);
    put_u8(&b, (uint8_t)a->incident_action);
    put_i64(&b, a->incident_at_ms);
    for (int w = 0; w < WIN__COUNT; w++)
        put_ring(&b, &a->ring[w]);
    b.len += score_encode(&a->score, &a->base, (uint8_t *)b.p + b.len);
    return b.len;
}

int gc_acct_unpack(const char *v, size_t len, gc_acct *a)
{
    rbuf r = {(const unsigned char *)v, len, 0};
    memset(a, 0, sizeof(*a));
    uint8_t version = get_u8(&r);
    if (version < 2 || version > GC_ACCT_VERSION)
        return -1;
    a->in_count = get_i64(&r);
    a->out_count = get_i64(&r);
    a->in_sum = get_i64(&r);
    a->out_sum = get_i64(&r);
    a->first_seen_ms = get_i64(&r);
    a->last_seen_ms = get_i64(&r);
    a->last_in_ms = get_i64(&r);
    a->last_out_ms = get_i64(&r);
    uint8_t action = get_u8(&r);
    if (action > IX_ACTION_FREEZE)
        r.bad = 1;
    a->incident_action = (ix_action)action;
    a->incident_at_ms = get_i64(&r);
    for (int w = 0; w < WIN__COUNT; w++)
        get_ring(&r, &a->ring[w]);
    /* A value of version 2 (before the score) reads as an account with no finding and no
     * baseline yet, one of version 3 as one whose baseline has no money yet: a store is
     * upgraded in place as its accounts are written again. */
    if (version >= 3 && !r.bad) {
        size_t base_wire = version == 3 ? SCORE_BASE_V1 : SCORE_BASE_WIRE;
        if (score_decode(r.p, r.left, base_wire, &a->score, &a->base) != 0)
            return -1;
        r.p += r.left;
        r.left = 0;
    }
    return finish(&r);
}

/* ---- edges */

size_t gc_edge_pack(const graph_edge *e, char *buf)
{
    wbuf b = {buf, 0};
    put_u8(&b, GC_EDGE_VERSION);
    put_i64(&b, e->count);
    put_i64(&b, e->sum);
    put_i64(&b, e->first_ms);
    put_i64(&b, e->last_ms);
    return b.len;
}

int gc_edge_unpack(const char *v, size_t len, graph_edge *e)
{
    rbuf r = {(const unsigned char *)v, len, 0};
    if (get_u8(&r) != GC_EDGE_VERSION)
        return -1;
    e->count = get_i64(&r);
    e->sum = get_i64(&r);
    e->first_ms = get_i64(&r);
    e->last_ms = get_i64(&r);
    return finish(&r);
}

void gc_edge_merge(graph_edge *e, const graph_edge *d)
{
    if (e->count == 0) {
        e->first_ms = d->first_ms;
        e->last_ms = d->last_ms;
    } else if (d->count != 0) {
        if (d->first_ms < e->first_ms)
            e->first_ms = d->first_ms;
        if (d->last_ms > e->last_ms)
            e->last_ms = d->last_ms;
    }
    e->count += d->count;
    e->sum += d->sum;
}

/* ---- flows */

size_t gc_flow_pack(const graph_flow *f, char *buf)
{
    wbuf b = {buf, 0};
    put_u8(&b, GC_FLOW_VERSION);
    put_str(&b, f->peer);
    put_str(&b, f->peer_bank);
    put_i64(&b, f->amount);
    put_str(&b, f->transfer_id);
    return b.len;
}

int gc_flow_unpack(const char *v, size_t len, graph_flow *f)
{
    rbuf r = {(const unsigned char *)v, len, 0};
    if (get_u8(&r) != GC_FLOW_VERSION)
        return -1;
    get_str(&r, f->peer, sizeof(f->peer));
    get_str(&r, f->peer_bank, sizeof(f->peer_bank));
    f->amount = get_i64(&r);
    get_str(&r, f->transfer_id, sizeof(f->transfer_id));
    return finish(&r);
}

/* ---- table records */

size_t gc_profile_pack(const ix_account *p, char *buf)
{
    wbuf b = {buf, 0};
    put_u8(&b, GC_PROFILE_VERSION);
    put_str(&b, p->bank);
    put_i64(&b, p->opened_at_ms);
    put_u8(&b, (uint8_t)p->holder_type);
    put_u8(&b, (uint8_t)p->kyc_level);
    put_str(&b, p->holder_hash);
    put_str(&b, p->phone_hash);
    put_str(&b, p->device_hash);
    put_u32(&b, p->flags);
    put_i64(&b, p->updated_at_ms);
    return b.len;
}

int gc_profile_unpack(const char *v, size_t len, ix_account *p)
{
    rbuf r = {(const unsigned char *)v, len, 0};
    if (get_u8(&r) != GC_PROFILE_VERSION)
        return -1;
    get_str(&r, p->bank, sizeof(p->bank));
    p->opened_at_ms = get_i64(&r);
    p->holder_type = (ix_holder_type)get_u8(&r);
    p->kyc_level = get_u8(&r);
    get_str(&r, p->holder_hash, sizeof(p->holder_hash));
    get_str(&r, p->phone_hash, sizeof(p->phone_hash));
    get_str(&r, p->device_hash, sizeof(p->device_hash));
    p->flags = get_u32(&r);
    p->updated_at_ms = get_i64(&r);
    return finish(&r);
}

size_t gc_watch_pack(const ix_watch *w, char *buf)
{
    wbuf b = {buf, 0};
    put_u8(&b, GC_WATCH_VERSION);
    put_str(&b, w->bank);
    put_str(&b, w->list);
    put_str(&b, w->reason);
    put_i64(&b, w->added_at_ms);
    return b.len;
}

int gc_watch_unpack(const char *v, size_t len, ix_watch *w)
{
    rbuf r = {(const unsigned char *)v, len, 0};
    if (get_u8(&r) != GC_WATCH_VERSION)
        return -1;
    get_str(&r, w->bank, sizeof(w->bank));
    get_str(&r, w->list, sizeof(w->list));
    get_str(&r, w->reason, sizeof(w->reason));
    w->added_at_ms = get_i64(&r);
    return finish(&r);
}

size_t gc_park_size(const ix_report *rep, const park_src *src)
{
    (void)rep;
    /* version, six strings of at most 256, amount and time, partition,
     * offset, two lengths */
    return 1 + 6 * 256 + 8 + 8 + 4 + 8 + 4 + src->key_len + 4 + src->value_len;
}

size_t gc_park_pack(const ix_report *rep, const park_src *src, char *buf)
{
    wbuf b = {buf, 0};
    put_u8(&b, GC_PARK_VERSION);
    put_str(&b, rep->id);
    put_str(&b, rep->transfer_id);
    put_str(&b, rep->victim_account);
    put_i64(&b, rep->amount);
    put_str(&b, rep->currency);
    put_i64(&b, rep->reported_at_ms);
    put_str(&b, rep->source);
    put_str(&b, src->topic ? src->topic : "");
    put_u32(&b, (uint32_t)src->partition);
    put_i64(&b, src->offset);
    put_bytes(&b, src->key, src->key ? src->key_len : 0);
    put_bytes(&b, src->value, src->value ? src->value_len : 0);
    return b.len;
}

int gc_park_unpack(const char *v, size_t len, ix_report *rep, park_src *src, char *topic)
{
    rbuf r = {(const unsigned char *)v, len, 0};
    memset(rep, 0, sizeof(*rep));
    memset(src, 0, sizeof(*src));
    if (get_u8(&r) != GC_PARK_VERSION)
        return -1;
    get_str(&r, rep->id, sizeof(rep->id));
    get_str(&r, rep->transfer_id, sizeof(rep->transfer_id));
    get_str(&r, rep->victim_account, sizeof(rep->victim_account));
    rep->amount = get_i64(&r);
    get_str(&r, rep->currency, sizeof(rep->currency));
    rep->reported_at_ms = get_i64(&r);
    get_str(&r, rep->source, sizeof(rep->source));
    get_str(&r, topic, PARK_TOPIC_MAX + 1);
    src->topic = topic;
    src->partition = (int32_t)get_u32(&r);
    src->offset = get_i64(&r);
    src->key_len = get_bytes(&r, &src->key);
    src->value_len = get_bytes(&r, &src->value);
    return finish(&r);
}
