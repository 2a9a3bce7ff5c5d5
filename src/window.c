/* window.c - bucket-ring arithmetic for rolling windows. */
#include "window.h"

#include <string.h>

#define MIN_MS ((int64_t)60 * 1000)

static const int64_t win_len[WIN__COUNT] = {10 * MIN_MS, 60 * MIN_MS, 24 * 60 * MIN_MS,
                                            30 * 24 * 60 * MIN_MS};
static const char *const win_names[WIN__COUNT] = {"10m", "1h", "1d", "30d"};

int64_t win_length_ms(win_id w)
{
    return win_len[w];
}

const char *win_name(win_id w)
{
    return win_names[w];
}

static int64_t bucket_of(win_id w, int64_t t_ms)
{
    return t_ms / (win_len[w] / (WIN_SLOTS - 1));
}

static win_bucket *slot_of(win_ring *r, int64_t bucket)
{
    return &r->slot[bucket % WIN_SLOTS];
}

void win_add(win_ring *r, win_id w, int64_t t_ms, int incoming, int64_t amount)
{
    int64_t b = bucket_of(w, t_ms);
    if (b > r->head) {
        /* Advance: the slots the ring moves over start empty. */
        int64_t steps = b - r->head;
        if (steps >= WIN_SLOTS)
            memset(r->slot, 0, sizeof(r->slot));
        else
            for (int64_t k = r->head + 1; k <= b; k++)
                memset(slot_of(r, k), 0, sizeof(win_bucket));
        r->head = b;
    } else if (b <= r->head - WIN_SLOTS) {
        return;
    }
    win_bucket *s = slot_of(r, b);
    if (incoming) {
        s->in_count++;
        s->in_sum += amount;
    } else {
        s->out_count++;
        s->out_sum += amount;
    }
}

void win_totals_at(const win_ring *r, win_id w, int64_t t_ms, win_totals *out)
{
    int64_t b = bucket_of(w, t_ms);
    memset(out, 0, sizeof(*out));
    /* Buckets in [b - 6, b] that the ring still holds: [head - 6, head]. */
    int64_t lo = b - (WIN_SLOTS - 1), hi = b;
    if (lo < r->head - (WIN_SLOTS - 1))
        lo = r->head - (WIN_SLOTS - 1);
    if (hi > r->head)
        hi = r->head;
    for (int64_t k = lo < 0 ? 0 : lo; k <= hi; k++) {
        const win_bucket *s = &r->slot[k % WIN_SLOTS];
        out->in_count += s->in_count;
        out->out_count += s->out_count;
        out->in_sum += s->in_sum;
        out->out_sum += s->out_sum;
    }
}
