/* desk.c - allow-list entries and dismissal suppressions (desk.h). */
#include "desk.h"

#include <stdio.h>
#include <string.h>

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

static int same_key(const desk_allow *a, const char *account, const char *counterparty)
{
    return strcmp(a->account, account) == 0 && strcmp(a->counterparty, counterparty) == 0;
}

static desk_allow *find_allow(const desk_set *d, const char *account, const char *counterparty)
{
    desk_allow *all = d->allow.p;
    for (size_t i = 0; i < (size_t)d->allow.n; i++)
        if (same_key(&all[i], account, counterparty))
            return &all[i];
    return NULL;
}

int desk_allow_put(desk_set *d, const desk_allow *e)
{
    desk_allow *slot = find_allow(d, e->account, e->counterparty);
    if (!slot)
        slot = vec_push(&d->allow, sizeof(desk_allow));
    if (!slot)
        return -1;
    *slot = *e;
    d->dirty = 1;
    return 0;
}

/* Remove item i of an unordered array by moving the last one into it. */
static void take_out(vec *v, size_t i, size_t item)
{
    char *base = v->p;
    if (i + 1 < (size_t)v->n)
        memcpy(base + i * item, base + (size_t)(v->n - 1) * item, item);
    v->n--;
}

int desk_allow_del(desk_set *d, const char *account, const char *counterparty)
{
    desk_allow *hit = find_allow(d, account, or_empty(counterparty));
    if (!hit)
        return 0;
    take_out(&d->allow, (size_t)(hit - (desk_allow *)d->allow.p), sizeof(desk_allow));
    d->dirty = 1;
    return 1;
}

int desk_dismiss(desk_set *d, const char *account, const char *rule, const char *request_id,
                 int64_t until_ms)
{
    desk_suppress *all = d->suppress.p;
    for (size_t i = 0; i < (size_t)d->suppress.n; i++) {
        if (strcmp(all[i].account, account) != 0 || strcmp(all[i].rule, rule) != 0)
            continue;
        if (until_ms > all[i].until_ms) { /* never shorten what the desk decided */
            all[i].until_ms = until_ms;
            strncpy(all[i].request_id, request_id, IX_ID_MAX);
            d->dirty = 1;
        }
        return 0;
    }
    desk_suppress *s = vec_push(&d->suppress, sizeof(desk_suppress));
    if (!s)
        return -1;
    d->dirty = 1;
    strncpy(s->account, account, IX_ACCOUNT_MAX);
    strncpy(s->rule, rule, DESK_CODE_MAX);
    strncpy(s->request_id, request_id, IX_ID_MAX);
    s->until_ms = until_ms;
    return 0;
}

static int covers_rule(const desk_allow *a, const char *rule)
{
    if (a->n_rules == 0)
        return 1;
    for (size_t i = 0; i < a->n_rules; i++)
        if (strcmp(a->rules[i], rule) == 0)
            return 1;
    return 0;
}

static int covers_accounts(const desk_allow *a, const char *account, const char *cp)
{
    if (a->counterparty[0] == '\0')
        return strcmp(a->account, account) == 0;
    if (strcmp(a->account, account) == 0 && strcmp(a->counterparty, cp) == 0)
        return 1;
    return a->either_way && strcmp(a->account, cp) == 0 && strcmp(a->counterparty, account) == 0;
}

/* The entry that holds a finding back, allow-list first; NULL for none. */
static void *holder(const desk_set *d, const char *account, const char *counterparty,
                    const char *rule, int64_t now_ms, desk_why *why)
{
    const char *cp = or_empty(counterparty);
    desk_allow *all = d->allow.p;
    for (size_t i = 0; i < (size_t)d->allow.n; i++)
        if (now_ms < all[i].expires_ms && covers_accounts(&all[i], account, cp) &&
            covers_rule(&all[i], rule)) {
            *why = DESK_ALLOWED;
            return &all[i];
        }
    desk_suppress *sup = d->suppress.p;
    for (size_t i = 0; i < (size_t)d->suppress.n; i++)
        if (now_ms < sup[i].until_ms && strcmp(sup[i].account, account) == 0 &&
            strcmp(sup[i].rule, rule) == 0) {
            *why = DESK_DISMISSED;
            return &sup[i];
        }
    *why = DESK_NONE;
    return NULL;
}

desk_why desk_check(const desk_set *d, const char *account, const char *counterparty,
                    const char *rule, int64_t now_ms)
{
    desk_why why;
    holder(d, account, counterparty, rule, now_ms, &why);
    return why;
}

desk_why desk_hold(desk_set *d, const char *account, const char *counterparty, const char *rule,
                   int64_t now_ms)
{
    desk_why why;
    void *h = holder(d, account, counterparty, rule, now_ms, &why);
    if (why == DESK_ALLOWED)
        ((desk_allow *)h)->held++;
    else if (why == DESK_DISMISSED)
        ((desk_suppress *)h)->held++;
    d->dirty |= why != DESK_NONE;
    return why;
}

size_t desk_expire(desk_set *d, int64_t now_ms)
{
    size_t dropped = 0;
    for (size_t i = (size_t)d->allow.n; i-- > 0;)
        if (((desk_allow *)d->allow.p)[i].expires_ms <= now_ms) {
            take_out(&d->allow, i, sizeof(desk_allow));
            dropped++;
        }
    for (size_t i = (size_t)d->suppress.n; i-- > 0;)
        if (((desk_suppress *)d->suppress.p)[i].until_ms <= now_ms) {
            take_out(&d->suppress, i, sizeof(desk_suppress));
            dropped++;
        }
    d->dirty |= dropped > 0;
    return dropped;
}

void desk_free(desk_set *d)
{
    vec_free(&d->allow);
    vec_free(&d->suppress);
}

void desk_request_of(const ix_request *rq, desk_request *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->id, sizeof(out->id), "%s", rq->id);
    snprintf(out->account, sizeof(out->account), "%s", rq->account);
    snprintf(out->bank, sizeof(out->bank), "%s", rq->bank);
    out->trigger_ms = rq->trigger_time_ms;
    for (int f = 0; f < rq->nfindings && out->n_codes < IX_FINDINGS_MAX; f++) {
        const char *code = rq->findings[f].code ? rq->findings[f].code : "";
        int seen = 0;
        for (size_t j = 0; j < out->n_codes && !seen; j++)
            seen = strcmp(out->codes[j], code) == 0;
        if (!seen)
            snprintf(out->codes[out->n_codes++], DESK_CODE_MAX + 1, "%s", code);
    }
}

static const char *const answer_names[] = {"", "confirmed", "dismissed"};

const char *desk_answer_name(desk_answer a)
{
    return (int)a >= 0 && (int)a < 3 ? answer_names[a] : "";
}

int desk_answer_parse(const char *s)
{
    for (int i = 1; i < 3; i++)
        if (strcmp(s, answer_names[i]) == 0)
            return i;
    return -1;
}

/* ---- stored bytes: a version byte, then each field in order; a string as
 * a length byte and its bytes, a number as 8 bytes big-endian. Read back
 * with every length checked against the field and the bytes left. */

#define DESK_PACK_VERSION 1

typedef struct wbuf {
    char *p;
    size_t n;
} wbuf;

typedef struct rbuf {
    const char *p;
    size_t n, at;
    int bad;
} rbuf;

static void put_str(wbuf *w, const char *s)
{
    size_t n = strlen(s);
    w->p[w->n++] = (char)(unsigned char)n;
    memcpy(w->p + w->n, s, n);
    w->n += n;
}

static void put_u64(wbuf *w, uint64_t v)
{
    for (int i = 7; i >= 0; i--)
        w->p[w->n++] = (char)(unsigned char)(v >> (i * 8));
}

static unsigned get_u8(rbuf *r)
{
    if (r->at + 1 > r->n) {
        r->bad = 1;
        return 0;
    }
    return (unsigned char)r->p[r->at++];
}

/* Into out[size]: a string that does not fit is bad bytes. */
static void get_str(rbuf *r, char *out, size_t size)
{
    size_t n = get_u8(r);
    if (r->bad || n >= size || r->at + n > r->n || memchr(r->p + r->at, 0, n)) {
        r->bad = 1;
        out[0] = '\0';
        return;
    }
    memcpy(out, r->p + r->at, n);
    out[n] = '\0';
    r->at += n;
}

static uint64_t get_u64(rbuf *r)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | get_u8(r);
    return v;
}

static int read_done(const rbuf *r)
{
    return r->bad || r->at != r->n ? -1 : 0;
}

size_t desk_pack_allow(const desk_allow *e, char *buf)
{
    wbuf w = {buf, 0};
    w.p[w.n++] = DESK_PACK_VERSION;
    put_str(&w, e->account);
    put_str(&w, e->counterparty);
    w.p[w.n++] = (char)(e->either_way ? 1 : 0);
    w.p[w.n++] = (char)e->n_rules;
    for (size_t i = 0; i < e->n_rules; i++)
        put_str(&w, e->rules[i]);
    put_str(&w, e->reason);
    put_u64(&w, (uint64_t)e->added_ms);
    put_u64(&w, (uint64_t)e->expires_ms);
    put_u64(&w, e->held);
    return w.n;
}

int desk_unpack_allow(const char *v, size_t len, desk_allow *e)
{
    rbuf r = {v, len, 0, 0};
    memset(e, 0, sizeof(*e));
    if (get_u8(&r) != DESK_PACK_VERSION)
        return -1;
    get_str(&r, e->account, sizeof(e->account));
    get_str(&r, e->counterparty, sizeof(e->counterparty));
    e->either_way = get_u8(&r) != 0;
    e->n_rules = get_u8(&r);
    if (e->n_rules > DESK_RULES_MAX)
        return -1;
    for (size_t i = 0; i < e->n_rules; i++)
        get_str(&r, e->rules[i], sizeof(e->rules[i]));
    get_str(&r, e->reason, sizeof(e->reason));
    e->added_ms = (int64_t)get_u64(&r);
    e->expires_ms = (int64_t)get_u64(&r);
    e->held = get_u64(&r);
    return read_done(&r);
}

size_t desk_pack_suppress(const desk_suppress *s, char *buf)
{
    wbuf w = {buf, 0};
    w.p[w.n++] = DESK_PACK_VERSION;
    put_str(&w, s->account);
    put_str(&w, s->rule);
    put_str(&w, s->request_id);
    put_u64(&w, (uint64_t)s->until_ms);
    put_u64(&w, s->held);
    return w.n;
}

int desk_unpack_suppress(const char *v, size_t len, desk_suppress *s)
{
    rbuf r = {v, len, 0, 0};
    memset(s, 0, sizeof(*s));
    if (get_u8(&r) != DESK_PACK_VERSION)
        return -1;
    get_str(&r, s->account, sizeof(s->account));
    get_str(&r, s->rule, sizeof(s->rule));
    get_str(&r, s->request_id, sizeof(s->request_id));
    s->until_ms = (int64_t)get_u64(&r);
    s->held = get_u64(&r);
    return read_done(&r);
}

size_t desk_pack_request(const desk_request *q, char *buf)
{
    wbuf w = {buf, 0};
    w.p[w.n++] = DESK_PACK_VERSION;
    put_str(&w, q->id);
    put_str(&w, q->account);
    put_str(&w, q->bank);
    w.p[w.n++] = (char)q->n_codes;
    for (size_t i = 0; i < q->n_codes; i++)
        put_str(&w, q->codes[i]);
    put_u64(&w, (uint64_t)q->trigger_ms);
    w.p[w.n++] = (char)q->answer;
    put_u64(&w, (uint64_t)q->answered_ms);
    return w.n;
}

int desk_unpack_request(const char *v, size_t len, desk_request *q)
{
    rbuf r = {v, len, 0, 0};
    memset(q, 0, sizeof(*q));
    if (get_u8(&r) != DESK_PACK_VERSION)
        return -1;
    get_str(&r, q->id, sizeof(q->id));
    get_str(&r, q->account, sizeof(q->account));
    get_str(&r, q->bank, sizeof(q->bank));
    q->n_codes = get_u8(&r);
    if (q->n_codes > IX_FINDINGS_MAX)
        return -1;
    for (size_t i = 0; i < q->n_codes; i++)
        get_str(&r, q->codes[i], sizeof(q->codes[i]));
    q->trigger_ms = (int64_t)get_u64(&r);
    unsigned a = get_u8(&r);
    if (a > DESK_ANSWER_DISMISSED)
        return -1;
    q->answer = (desk_answer)a;
    q->answered_ms = (int64_t)get_u64(&r);
    return read_done(&r);
}
