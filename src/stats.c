/* stats.c - the screener's counters and latency histograms (stats.h). */
#include "stats.h"

#include <stddef.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

const double stats_hist_bounds_us[STATS_HIST_BUCKETS - 1] = {
    10,    25,    50,     100,    250,    500,     1000,    2500,    5000,    10000,
    25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000};

int stats_hist_bucket(int64_t ns)
{
    double us = (double)ns / 1000.0;
    int b = 0;
    while (b < STATS_HIST_BUCKETS - 1 && us > stats_hist_bounds_us[b])
        b++;
    return b;
}

static void add_each(uint64_t *dst, const uint64_t *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] += src[i];
}

/* Field by field: a counter added to the struct and not here is caught by
 * test_stats, which fills every byte of src. */
void stats_add(stats *dst, const stats *src)
{
    dst->transfers += src->transfers;
    dst->screened += src->screened;
    dst->replayed += src->replayed;
    dst->requests += src->requests;
    add_each(dst->by_action, src->by_action, N_OF(src->by_action));
    dst->deadletters += src->deadletters;
    add_each(dst->dead_by_reason, src->dead_by_reason, N_OF(src->dead_by_reason));
    dst->reports += src->reports;
    dst->parked += src->parked;
    dst->park_traced += src->park_traced;
    dst->park_expired += src->park_expired;
    dst->table_updates += src->table_updates;
    dst->desk_updates += src->desk_updates;
    dst->held += src->held;
    add_each(dst->rule_hits, src->rule_hits, N_OF(src->rule_hits));
    dst->checkpoints += src->checkpoints;
    dst->aborts += src->aborts;
    dst->reloads += src->reloads;
    dst->late += src->late;
    dst->busy_ns += src->busy_ns;
    dst->decode_ns += src->decode_ns;
    dst->screen_ns += src->screen_ns;
    add_each(dst->proc_hist, src->proc_hist, N_OF(src->proc_hist));
    add_each(dst->e2e_hist, src->e2e_hist, N_OF(src->e2e_hist));
    dst->proc_ns_sum += src->proc_ns_sum;
    dst->e2e_ms_sum += src->e2e_ms_sum;
}
