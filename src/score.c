/* score.c - an account's score memory and counterparty baseline (score.h). */
#include "score.h"

#include <string.h>

#include "hash.h"

static int in_horizon(int64_t at_ms, int64_t now_ms, int64_t horizon_ms)
{
    return at_ms != 0 && at_ms <= now_ms && at_ms > now_ms - horizon_ms;
}

int score_note(score_mem *m, int slot, int score, int64_t at_ms, int64_t horizon_ms)
{
    if (slot < 0 || slot >= SCORE_SLOTS || score < 0 || score > SCORE_MAX)
        return -1;
    /* An older finding still in the horizon stays when it is stronger: the slot keeps the
     * rule's strongest evidence, not its latest. */
    if (in_horizon(m->at_ms[slot], at_ms, horizon_ms) && m->score[slot] > score)
        return 0;
    m->at_ms[slot] = at_ms;
    m->score[slot] = (uint8_t)score;
    return 0;
}

int score_total(const score_mem *m, int64_t now_ms, int64_t horizon_ms, score_part *parts,
                int *nparts)
{
    int sum = 0, n = 0;
    for (int i = 0; i < SCORE_SLOTS; i++) {
        if (m->score[i] == 0 || !in_horizon(m->at_ms[i], now_ms, horizon_ms))
            continue;
        sum += m->score[i];
        if (parts)
            parts[n] = (score_part){.slot = i, .score = m->score[i], .at_ms = m->at_ms[i]};
        n++;
    }
    if (nparts)
        *nparts = n;
    return sum > SCORE_MAX ? SCORE_MAX : sum;
}

static int popcount64(uint64_t v)
{
    int n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

static int64_t week_of(int64_t at_ms)
{
    /* Floor division, so that instants before 1970 fall in the week they belong to. */
    return at_ms >= 0 ? at_ms / SCORE_WEEK_MS : -((-at_ms + SCORE_WEEK_MS - 1) / SCORE_WEEK_MS);
}

uint64_t score_peer_hash(const char *account)
{
    return hash_fnv1a64(HASH_FNV64_INIT, account, strlen(account));
}

/* The current week is over: its money moves to the previous week's place, whose own goes
 * into the peak, unless weeks in between were silent. */
static void roll_money(score_base *b, int64_t week)
{
    for (int d = 0; d < 2; d++) {
        uint32_t older = b->money_prev[d], last = b->money_now[d];
        if (week > b->week + 1) { /* the week before `week` was silent */
            older = older > last ? older : last;
            last = 0;
        }
        if (older > b->money_peak[d])
            b->money_peak[d] = older;
        b->money_prev[d] = last;
        b->money_now[d] = 0;
    }
}

void score_base_note(score_base *b, uint64_t who, int incoming, int64_t amount, int64_t at_ms)
{
    int64_t week = week_of(at_ms);
    if (week < b->week)
        return;
    if (week > b->week) {
        int was = popcount64(b->seen);
        if (was > 0) {
            if (was > b->peak)
                b->peak = (uint16_t)was;
            if (b->weeks < UINT16_MAX)
                b->weeks++;
        }
        roll_money(b, week);
        b->week = week;
        b->seen = 0;
    }
    b->seen |= UINT64_C(1) << (who % 64);
    uint32_t *m = &b->money_now[incoming ? 0 : 1];
    int64_t units = amount > 0 ? (amount + 99) / 100 : 0; /* up: a bound from above */
    *m = units >= (int64_t)(UINT32_MAX - *m) ? UINT32_MAX : *m + (uint32_t)units;
}

int64_t score_base_recent(const score_base *b, int incoming, int64_t since_ms)
{
    int d = incoming ? 0 : 1;
    int64_t ws = week_of(since_ms), sum = 0;
    if (ws < b->week - 1)
        return INT64_MAX;
    if (ws <= b->week)
        sum += b->money_now[d];
    if (ws <= b->week - 1)
        sum += b->money_prev[d];
    return sum * 100;
}

int64_t score_base_money(const score_base *b, int incoming, int64_t since_ms)
{
    int d = incoming ? 0 : 1;
    int64_t ws = week_of(since_ms);
    uint32_t best = 0;
    if (b->week < ws && b->money_now[d] > best)
        best = b->money_now[d];
    if (b->week - 1 < ws && b->money_prev[d] > best)
        best = b->money_prev[d];
    if (b->money_peak[d] > best)
        best = b->money_peak[d]; /* weeks two or more before the current: before the window */
    return (int64_t)best * 100;
}

int score_base_weeks(const score_base *b, int64_t now_ms)
{
    int past = b->seen != 0 && week_of(now_ms) > b->week;
    return b->weeks + past > UINT16_MAX ? UINT16_MAX : b->weeks + past;
}

int score_base_now(const score_base *b)
{
    return popcount64(b->seen);
}

int score_base_surge(const score_base *b, int min_weeks, int min_now, int factor)
{
    int now = score_base_now(b);
    int peak = b->peak > 0 ? b->peak : 1;
    return b->weeks >= min_weeks && now >= min_now && now >= factor * peak;
}

static void put_le(uint8_t *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

size_t score_encode(const score_mem *m, const score_base *b, uint8_t *out)
{
    /* Sparse: most accounts have no finding at all, so only the slots that hold one are
     * written, after a mask of them. */
    uint16_t mask = 0;
    for (int i = 0; i < SCORE_SLOTS; i++)
        if (m->score[i] != 0)
            mask |= (uint16_t)(1u << i);
    uint8_t *p = out;
    put_le(p, mask, 2);
    p += 2;
    for (int i = 0; i < SCORE_SLOTS; i++) {
        if (!(mask & (1u << i)))
            continue;
        put_le(p, (uint64_t)m->at_ms[i], 8);
        p[8] = m->score[i];
        p += 9;
    }
    put_le(p, (uint64_t)b->week, 8);
    put_le(p + 8, b->seen, 8);
    put_le(p + 16, b->peak, 2);
    put_le(p + 18, b->weeks, 2);
    for (int d = 0; d < 2; d++) {
        put_le(p + 20 + 4 * d, b->money_now[d], 4);
        put_le(p + 28 + 4 * d, b->money_prev[d], 4);
        put_le(p + 36 + 4 * d, b->money_peak[d], 4);
    }
    return (size_t)(p + SCORE_BASE_WIRE - out);
}

int score_decode(const uint8_t *in, size_t len, size_t base_wire, score_mem *m, score_base *b)
{
    if ((base_wire != SCORE_BASE_WIRE && base_wire != SCORE_BASE_V1) || len < 2 + base_wire)
        return -1;
    uint16_t mask = (uint16_t)get_le(in, 2);
    size_t slots = 0;
    for (int i = 0; i < SCORE_SLOTS; i++)
        slots += (mask >> i) & 1u;
    if (len != 2 + 9 * slots + base_wire)
        return -1;
    score_mem mm;
    memset(&mm, 0, sizeof(mm));
    const uint8_t *p = in + 2;
    for (int i = 0; i < SCORE_SLOTS; i++) {
        if (!(mask & (1u << i)))
            continue;
        mm.at_ms[i] = (int64_t)get_le(p, 8);
        mm.score[i] = p[8];
        if (mm.score[i] == 0 || mm.score[i] > SCORE_MAX)
            return -1; /* the mask says the slot holds a finding */
        p += 9;
    }
    *m = mm;
    b->week = (int64_t)get_le(p, 8);
    b->seen = get_le(p + 8, 8);
    b->peak = (uint16_t)get_le(p + 16, 2);
    b->weeks = (uint16_t)get_le(p + 18, 2);
    for (int d = 0; d < 2; d++) {
        int has = base_wire == SCORE_BASE_WIRE;
        b->money_now[d] = has ? (uint32_t)get_le(p + 20 + 4 * d, 4) : 0;
        b->money_prev[d] = has ? (uint32_t)get_le(p + 28 + 4 * d, 4) : 0;
        b->money_peak[d] = has ? (uint32_t)get_le(p + 36 + 4 * d, 4) : 0;
    }
    return 0;
}
