/* window.h - rolling per-account counters over fixed time windows.
 *
 * A window of length W is kept as a ring of WIN_SLOTS buckets of width W/6,
 * indexed by absolute bucket number floor(t / width). The value of the window
 * ending at time t is the sum of the buckets numbered floor(t/width) - 6 up
 * to floor(t/width): it covers at least the last W and at most W + W/6
 * (docs/architecture.md, "Windows"). Buckets are keyed by event time, and a
 * bucket that falls off the ring is gone whichever order transfers arrive in,
 * so the result of a set of updates does not depend on their order: state
 * rebuilt by a replay equals the state of an uninterrupted run.
 */
#ifndef IX_WINDOW_H
#define IX_WINDOW_H

#include <stdint.h>

#define WIN_SLOTS 7 /* 6 full buckets of W/6 plus the current one */

/* The windows every account keeps. */
typedef enum win_id { WIN_10M, WIN_1H, WIN_1D, WIN_30D, WIN__COUNT } win_id;

typedef struct win_bucket {
    uint32_t in_count, out_count;
    int64_t in_sum, out_sum;
} win_bucket;

typedef struct win_ring {
    int64_t head; /* absolute number of the newest bucket; 0 with all slots empty */
    win_bucket slot[WIN_SLOTS];
} win_ring;

/* Totals over one window. */
typedef struct win_totals {
    int64_t in_count, out_count;
    int64_t in_sum, out_sum;
} win_totals;

/* Length of window w in milliseconds, and its name ("10m", "1h", "1d", "30d"). */
int64_t win_length_ms(win_id w);
const char *win_name(win_id w);

/* Count one transfer of `amount` at event time t_ms (>= 0) in ring r of
 * window w. A transfer older than the ring is ignored: it would already have
 * fallen out of every total. */
void win_add(win_ring *r, win_id w, int64_t t_ms, int incoming, int64_t amount);

/* Totals of the window ending at t_ms. */
void win_totals_at(const win_ring *r, win_id w, int64_t t_ms, win_totals *out);

#endif /* IX_WINDOW_H */
