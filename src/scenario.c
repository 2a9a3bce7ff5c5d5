/* scenario.c - scenario options and parameters, planning, the merged stream
 * and the ground truth. Background traffic is in scenario_bg.c, pattern
 * injection in scenario_patterns.c.
 */
#include "scenario.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "scenario_int.h"
#include "timefmt.h"

/* ---- patterns and parameters ------------------------------------------ */

static const char *const profile_names[SCN_PROFILE__COUNT] = {"classic", "realistic"};

static const char *const pattern_names[SCN_TYPOLOGY__COUNT] = {
    "passthrough",    "fan_in",    "fan_out",       "scatter_gather",
    "gather_scatter", "cycle",     "chain",         "chain_slow",
    "bipartite",      "stack",     "structuring",   "new_account_burst",
    "dormant_burst",  "watchlist", "victim_report", "random"};

/* Look-alike kinds: name, and the typology each resembles most. */
static const struct {
    const char *name;
    scn_pattern resembles;
} alikes[SCN_ALIKE__COUNT] = {
    [SCN_ALIKE_PAYROLL] = {"payroll", SCN_FAN_OUT},
    [SCN_ALIKE_SUPPLIERS] = {"suppliers", SCN_FAN_OUT},
    [SCN_ALIKE_LANDLORD] = {"landlord", SCN_FAN_IN},
    [SCN_ALIKE_VENDOR] = {"vendor", SCN_FAN_IN},
    [SCN_ALIKE_PROCESSOR] = {"processor", SCN_PASSTHROUGH},
    [SCN_ALIKE_ESCROW] = {"escrow", SCN_PASSTHROUGH},
    [SCN_ALIKE_FAMILY_CYCLE] = {"family_cycle", SCN_CYCLE},
    [SCN_ALIKE_BILL_SPLIT] = {"bill_split", SCN_FAN_IN},
    [SCN_ALIKE_DOWN_PAYMENT] = {"down_payment", SCN_STRUCTURING},
    [SCN_ALIKE_SHARED_RENT] = {"shared_rent", SCN_GATHER_SCATTER},
    [SCN_ALIKE_NEW_BUSINESS] = {"new_business", SCN_NEW_ACCOUNT_BURST},
    [SCN_ALIKE_NEW_SALARY] = {"new_salary", SCN_NEW_ACCOUNT_BURST},
    [SCN_ALIKE_FRIEND_GROUP] = {"friend_group", SCN_BIPARTITE},
    [SCN_ALIKE_REGULAR_FRIENDS] = {"regular_friends", SCN_FAN_OUT},
    [SCN_ALIKE_DORMANT_WAKEUP] = {"dormant_wakeup", SCN_DORMANT_BURST},
};

static const char *const size_names[SCN_SIZE__COUNT] = {NULL, "small", "medium", "large"};
static const char *const speed_names[SCN_SPEED__COUNT] = {NULL, "fast", "medium", "slow"};

/* The index of s in names[0..n), or -1. */
static int name_index(const char *const *names, int n, const char *s)
{
    for (int k = 0; k < n; k++)
        if (names[k] && strcmp(s, names[k]) == 0)
            return k;
    return -1;
}

const char *scn_profile_name(scn_profile_id p)
{
    return p >= 0 && p < SCN_PROFILE__COUNT ? profile_names[p] : NULL;
}

int scn_profile_parse(const char *s)
{
    return name_index(profile_names, SCN_PROFILE__COUNT, s);
}

const char *scn_pattern_name(scn_pattern p)
{
    return p >= 0 && p < SCN_TYPOLOGY__COUNT ? pattern_names[p] : NULL;
}

int scn_pattern_parse(const char *s)
{
    return name_index(pattern_names, SCN_TYPOLOGY__COUNT, s);
}

int scn_pattern_in_profile(scn_profile_id f, scn_pattern p)
{
    if (p < 0 || p >= SCN_TYPOLOGY__COUNT)
        return 0;
    return f == SCN_PROFILE_CLASSIC ? p < SCN_PATTERN__COUNT : p != SCN_CHAIN_SLOW;
}

const char *scn_alike_name(scn_alike k)
{
    return k >= 0 && k < SCN_ALIKE__COUNT ? alikes[k].name : NULL;
}

int scn_alike_parse(const char *s)
{
    for (int k = 0; k < SCN_ALIKE__COUNT; k++)
        if (strcmp(s, alikes[k].name) == 0)
            return k;
    return -1;
}

scn_pattern scn_alike_resembles(scn_alike k)
{
    return alikes[k].resembles;
}

const char *scn_size_name(scn_size z)
{
    return z > SCN_SIZE_NONE && z < SCN_SIZE__COUNT ? size_names[z] : NULL;
}

int scn_size_parse(const char *s)
{
    return name_index(size_names, SCN_SIZE__COUNT, s);
}

scn_size scn_size_of(int degree)
{
    return degree < 5 ? SCN_SIZE_SMALL : degree < 10 ? SCN_SIZE_MEDIUM : SCN_SIZE_LARGE;
}

const char *scn_speed_name(scn_speed v)
{
    return v > SCN_SPEED_NONE && v < SCN_SPEED__COUNT ? speed_names[v] : NULL;
}

scn_speed scn_speed_of(int64_t span_ms)
{
    return span_ms < 6 * SCN_HOUR_MS  ? SCN_SPEED_FAST
           : span_ms < 3 * SCN_DAY_MS ? SCN_SPEED_MEDIUM
                                      : SCN_SPEED_SLOW;
}

int scn_pattern_has_near_miss(scn_pattern p)
{
    return p != SCN_STACK && p != SCN_WATCHLIST && p != SCN_VICTIM_REPORT && p >= 0 &&
           p < SCN_PATTERN__COUNT;
}

#define MIN_ SCN_MIN_MS
#define HOUR SCN_HOUR_MS
#define DAY  SCN_DAY_MS
#define AMAX 1000000000000LL /* 10 billion CNY: far above any transfer */

#define P_(id, pat, unit, def, lo, hi, key, text)                                                  \
    [id] = {#pat "." key, pat##_ID, SCN_UNIT_##unit, def, lo, hi, text}

/* Pattern ids spelled as their wire names, for the table below. */
#define passthrough_ID       SCN_PASSTHROUGH
#define fan_in_ID            SCN_FAN_IN
#define fan_out_ID           SCN_FAN_OUT
#define scatter_gather_ID    SCN_SCATTER_GATHER
#define gather_scatter_ID    SCN_GATHER_SCATTER
#define cycle_ID             SCN_CYCLE
#define chain_ID             SCN_CHAIN
#define chain_slow_ID        SCN_CHAIN_SLOW
#define bipartite_ID         SCN_BIPARTITE
#define stack_ID             SCN_STACK
#define structuring_ID       SCN_STRUCTURING
#define new_account_burst_ID SCN_NEW_ACCOUNT_BURST
#define dormant_burst_ID     SCN_DORMANT_BURST
#define watchlist_ID         SCN_WATCHLIST
#define victim_report_ID     SCN_VICTIM_REPORT

/* The one table of pattern parameters: name, unit, default, bounds, meaning.
 * It drives parsing, validation, --help and docs/generator.md. */
const scn_param_def scn_params[SCN_PARAM__COUNT] = {
    P_(SCN_PT_VICTIMS_MIN, passthrough, COUNT, 1, 1, 100, "victims_min",
       "victims paying the mule, fewest"),
    P_(SCN_PT_VICTIMS_MAX, passthrough, COUNT, 3, 1, 100, "victims_max",
       "victims paying the mule, most"),
    P_(SCN_PT_AMOUNT_MIN, passthrough, AMOUNT, 2000000, 1000, AMAX, "amount_min",
       "total paid in by the victims, least"),
    P_(SCN_PT_AMOUNT_MAX, passthrough, AMOUNT, 20000000, 1000, AMAX, "amount_max",
       "total paid in by the victims, most"),
    P_(SCN_PT_ONWARD_MIN, passthrough, COUNT, 1, 1, 100, "onward_min",
       "accounts the mule forwards to, fewest"),
    P_(SCN_PT_ONWARD_MAX, passthrough, COUNT, 3, 1, 100, "onward_max",
       "accounts the mule forwards to, most"),
    P_(SCN_PT_FORWARD_MIN, passthrough, PERCENT, 850, 100, 1000, "forward_min",
       "share of the inflow forwarded, least"),
    P_(SCN_PT_FORWARD_MAX, passthrough, PERCENT, 980, 100, 1000, "forward_max",
       "share of the inflow forwarded, most"),
    P_(SCN_PT_DELAY_MIN, passthrough, DURATION, 2 * MIN_, 1000, 30 * DAY, "delay_min",
       "onward transfers at least this long after the last inflow"),
    P_(SCN_PT_DELAY_MAX, passthrough, DURATION, 30 * MIN_, 1000, 30 * DAY, "delay_max",
       "... and at most this long after the first (near miss: +1 minute)"),
    P_(SCN_FI_SENDERS_MIN, fan_in, COUNT, 10, 2, 1000, "senders_min",
       "distinct senders, fewest (near miss: one fewer)"),
    P_(SCN_FI_SENDERS_MAX, fan_in, COUNT, 30, 2, 1000, "senders_max", "distinct senders, most"),
    P_(SCN_FI_WINDOW_MIN, fan_in, DURATION, HOUR, MIN_, 30 * DAY, "window_min",
       "first to last payment, shortest"),
    P_(SCN_FI_WINDOW_MAX, fan_in, DURATION, 6 * HOUR, MIN_, 30 * DAY, "window_max",
       "first to last payment, longest"),
    P_(SCN_FI_AMOUNT_MIN, fan_in, AMOUNT, 100000, 100, AMAX, "amount_min", "each payment, least"),
    P_(SCN_FI_AMOUNT_MAX, fan_in, AMOUNT, 2000000, 100, AMAX, "amount_max", "each payment, most"),
    P_(SCN_FO_RECEIVERS_MIN, fan_out, COUNT, 10, 2, 1000, "receivers_min",
       "distinct new receivers, fewest (near miss: one fewer)"),
    P_(SCN_FO_RECEIVERS_MAX, fan_out, COUNT, 30, 2, 1000, "receivers_max",
       "distinct new receivers, most"),
    P_(SCN_FO_WINDOW_MIN, fan_out, DURATION, HOUR, MIN_, 30 * DAY, "window_min",
       "first to last payment, shortest"),
    P_(SCN_FO_WINDOW_MAX, fan_out, DURATION, 6 * HOUR, MIN_, 30 * DAY, "window_max",
       "first to last payment, longest"),
    P_(SCN_FO_AMOUNT_MIN, fan_out, AMOUNT, 100000, 100, AMAX, "amount_min", "each payment, least"),
    P_(SCN_FO_AMOUNT_MAX, fan_out, AMOUNT, 2000000, 100, AMAX, "amount_max", "each payment, most"),
    P_(SCN_SG_MIDS_MIN, scatter_gather, COUNT, 4, 2, 100, "mids_min",
       "intermediaries, fewest (near miss: one fewer)"),
    P_(SCN_SG_MIDS_MAX, scatter_gather, COUNT, 10, 2, 100, "mids_max", "intermediaries, most"),
    P_(SCN_SG_AMOUNT_MIN, scatter_gather, AMOUNT, 5000000, 100000, AMAX, "amount_min",
       "amount split by the source, least"),
    P_(SCN_SG_AMOUNT_MAX, scatter_gather, AMOUNT, 50000000, 100000, AMAX, "amount_max",
       "amount split by the source, most"),
    P_(SCN_SG_FORWARD_MIN, scatter_gather, PERCENT, 950, 100, 1000, "forward_min",
       "share each intermediary forwards to the sink, least"),
    P_(SCN_SG_FORWARD_MAX, scatter_gather, PERCENT, 990, 100, 1000, "forward_max",
       "share each intermediary forwards to the sink, most"),
    P_(SCN_SG_SPLIT_WINDOW, scatter_gather, DURATION, HOUR, 1000, 30 * DAY, "split_window",
       "the source pays every intermediary within this"),
    P_(SCN_SG_DELAY_MIN, scatter_gather, DURATION, 30 * MIN_, 1000, 30 * DAY, "delay_min",
       "an intermediary forwards at least this long after receiving"),
    P_(SCN_SG_DELAY_MAX, scatter_gather, DURATION, 6 * HOUR, 1000, 30 * DAY, "delay_max",
       "... and at most this long"),
    P_(SCN_GS_SENDERS_MIN, gather_scatter, COUNT, 4, 2, 100, "senders_min",
       "senders paying the hub, fewest (near miss: one fewer)"),
    P_(SCN_GS_SENDERS_MAX, gather_scatter, COUNT, 10, 2, 100, "senders_max",
       "senders paying the hub, most"),
    P_(SCN_GS_RECEIVERS_MIN, gather_scatter, COUNT, 4, 1, 100, "receivers_min",
       "receivers the hub re-spreads to, fewest"),
    P_(SCN_GS_RECEIVERS_MAX, gather_scatter, COUNT, 10, 1, 100, "receivers_max",
       "receivers the hub re-spreads to, most"),
    P_(SCN_GS_AMOUNT_MIN, gather_scatter, AMOUNT, 5000000, 100000, AMAX, "amount_min",
       "total collected, least"),
    P_(SCN_GS_AMOUNT_MAX, gather_scatter, AMOUNT, 50000000, 100000, AMAX, "amount_max",
       "total collected, most"),
    P_(SCN_GS_FORWARD_MIN, gather_scatter, PERCENT, 900, 100, 1000, "forward_min",
       "share of the collected total re-spread, least"),
    P_(SCN_GS_FORWARD_MAX, gather_scatter, PERCENT, 980, 100, 1000, "forward_max",
       "share of the collected total re-spread, most"),
    P_(SCN_GS_COLLECT_WINDOW, gather_scatter, DURATION, 2 * HOUR, 1000, 30 * DAY, "collect_window",
       "the senders pay within this"),
    P_(SCN_GS_DELAY_MIN, gather_scatter, DURATION, 30 * MIN_, 1000, 30 * DAY, "delay_min",
       "re-spread at least this long after the last inflow"),
    P_(SCN_GS_DELAY_MAX, gather_scatter, DURATION, 6 * HOUR, 1000, 30 * DAY, "delay_max",
       "... and at most this long"),
    P_(SCN_CY_HOPS_MIN, cycle, COUNT, 3, 2, 20, "hops_min", "transfers around the cycle, fewest"),
    P_(SCN_CY_HOPS_MAX, cycle, COUNT, 6, 2, 20, "hops_max", "transfers around the cycle, most"),
    P_(SCN_CY_GAP_MIN, cycle, DURATION, 5 * MIN_, 1000, 30 * DAY, "gap_min",
       "time between hops, shortest"),
    P_(SCN_CY_GAP_MAX, cycle, DURATION, 12 * HOUR, 1000, 30 * DAY, "gap_max",
       "time between hops, longest"),
    P_(SCN_CY_SPAN_MAX, cycle, DURATION, 3 * DAY, MIN_, 30 * DAY, "span_max",
       "first to last hop, longest"),
    P_(SCN_CY_KEEP_MIN, cycle, PERCENT, 950, 200, 999, "keep_min",
       "each hop carries at least this share of the previous one (near miss: "
       "one hop 1-10 points below)"),
    P_(SCN_CY_AMOUNT_MIN, cycle, AMOUNT, 5000000, 100000, AMAX, "amount_min",
       "first hop's amount, least"),
    P_(SCN_CY_AMOUNT_MAX, cycle, AMOUNT, 50000000, 100000, AMAX, "amount_max",
       "first hop's amount, most"),
    P_(SCN_CH_HOPS_MIN, chain, COUNT, 4, 3, 20, "hops_min", "hops, fewest"),
    P_(SCN_CH_HOPS_MAX, chain, COUNT, 8, 3, 20, "hops_max", "hops, most"),
    P_(SCN_CH_GAP_MIN, chain, DURATION, 10 * MIN_, 1000, 30 * DAY, "gap_min",
       "time between hops, shortest"),
    P_(SCN_CH_GAP_MAX, chain, DURATION, DAY, 1000, 30 * DAY, "gap_max",
       "time between hops, longest"),
    P_(SCN_CH_KEEP_MIN, chain, PERCENT, 900, 200, 1000, "keep_min",
       "share of the previous hop carried on, least (near miss: one hop 1-10 "
       "points below)"),
    P_(SCN_CH_KEEP_MAX, chain, PERCENT, 990, 200, 1000, "keep_max",
       "share of the previous hop carried on, most"),
    P_(SCN_CH_AMOUNT_MIN, chain, AMOUNT, 5000000, 100000, AMAX, "amount_min",
       "first hop's amount, least"),
    P_(SCN_CH_AMOUNT_MAX, chain, AMOUNT, 50000000, 100000, AMAX, "amount_max",
       "first hop's amount, most"),
    P_(SCN_CS_HOPS_MIN, chain_slow, COUNT, 4, 3, 20, "hops_min", "hops, fewest"),
    P_(SCN_CS_HOPS_MAX, chain_slow, COUNT, 8, 3, 20, "hops_max", "hops, most"),
    P_(SCN_CS_GAP_MIN, chain_slow, DURATION, 10 * MIN_, 1000, 30 * DAY, "gap_min",
       "time between hops, shortest"),
    P_(SCN_CS_GAP_MAX, chain_slow, DURATION, 3 * DAY, 1000, 30 * DAY, "gap_max",
       "time between hops, longest; one gap is longer than chain.gap_max "
       "(near miss: one gap +1 minute)"),
    P_(SCN_CS_KEEP_MIN, chain_slow, PERCENT, 900, 200, 1000, "keep_min",
       "share of the previous hop carried on, least"),
    P_(SCN_CS_KEEP_MAX, chain_slow, PERCENT, 990, 200, 1000, "keep_max",
       "share of the previous hop carried on, most"),
    P_(SCN_CS_AMOUNT_MIN, chain_slow, AMOUNT, 5000000, 100000, AMAX, "amount_min",
       "first hop's amount, least"),
    P_(SCN_CS_AMOUNT_MAX, chain_slow, AMOUNT, 50000000, 100000, AMAX, "amount_max",
       "first hop's amount, most"),
    P_(SCN_BP_SENDERS_MIN, bipartite, COUNT, 3, 3, 20, "senders_min", "senders, fewest"),
    P_(SCN_BP_SENDERS_MAX, bipartite, COUNT, 6, 3, 20, "senders_max", "senders, most"),
    P_(SCN_BP_RECEIVERS_MIN, bipartite, COUNT, 3, 3, 20, "receivers_min", "receivers, fewest"),
    P_(SCN_BP_RECEIVERS_MAX, bipartite, COUNT, 6, 3, 20, "receivers_max", "receivers, most"),
    P_(SCN_BP_DENSITY_MIN, bipartite, PERCENT, 800, 600, 1000, "density_min",
       "share of sender-receiver pairs that transact, least (near miss: "
       "one pair short, minimal group sizes)"),
    P_(SCN_BP_WINDOW_MIN, bipartite, DURATION, HOUR, 1000, 30 * DAY, "window_min",
       "first to last transfer, shortest"),
    P_(SCN_BP_WINDOW_MAX, bipartite, DURATION, 6 * HOUR, 1000, 30 * DAY, "window_max",
       "first to last transfer, longest"),
    P_(SCN_BP_AMOUNT_MIN, bipartite, AMOUNT, 500000, 100, AMAX, "amount_min",
       "each transfer, least"),
    P_(SCN_BP_AMOUNT_MAX, bipartite, AMOUNT, 5000000, 100, AMAX, "amount_max",
       "each transfer, most"),
    P_(SCN_ST_LAYERS_MIN, stack, COUNT, 2, 2, 5, "layers_min",
       "bipartite layers in sequence, fewest"),
    P_(SCN_ST_LAYERS_MAX, stack, COUNT, 3, 2, 5, "layers_max",
       "bipartite layers in sequence, most"),
    P_(SCN_ST_GROUP_MIN, stack, COUNT, 3, 3, 20, "group_min", "accounts per tier, fewest"),
    P_(SCN_ST_GROUP_MAX, stack, COUNT, 6, 3, 20, "group_max", "accounts per tier, most"),
    P_(SCN_ST_DENSITY_MIN, stack, PERCENT, 800, 600, 1000, "density_min",
       "share of pairs that transact in each layer, least"),
    P_(SCN_ST_WINDOW_MAX, stack, DURATION, 6 * HOUR, MIN_, 30 * DAY, "window_max",
       "first to last transfer of one layer, longest"),
    P_(SCN_ST_LAYER_GAP_MIN, stack, DURATION, 30 * MIN_, 1000, 30 * DAY, "layer_gap_min",
       "end of one layer to the start of the next, shortest"),
    P_(SCN_ST_LAYER_GAP_MAX, stack, DURATION, 6 * HOUR, 1000, 30 * DAY, "layer_gap_max",
       "end of one layer to the start of the next, longest"),
    P_(SCN_ST_AMOUNT_MIN, stack, AMOUNT, 500000, 100, AMAX, "amount_min", "each transfer, least"),
    P_(SCN_ST_AMOUNT_MAX, stack, AMOUNT, 5000000, 100, AMAX, "amount_max", "each transfer, most"),
    P_(SCN_SR_COUNT_MIN, structuring, COUNT, 5, 2, 100, "count_min",
       "transfers under the threshold, fewest (near miss: one fewer)"),
    P_(SCN_SR_COUNT_MAX, structuring, COUNT, 12, 2, 100, "count_max",
       "transfers under the threshold, most"),
    P_(SCN_SR_BAND_MIN, structuring, PERCENT, 900, 100, 999, "band_min",
       "each amount at least this share of the threshold"),
    P_(SCN_SR_BAND_MAX, structuring, PERCENT, 999, 101, 1000, "band_max",
       "... and below this share"),
    P_(SCN_SR_WINDOW_MIN, structuring, DURATION, DAY, MIN_, 30 * DAY, "window_min",
       "first to last transfer, shortest"),
    P_(SCN_SR_WINDOW_MAX, structuring, DURATION, 3 * DAY, MIN_, 30 * DAY, "window_max",
       "first to last transfer, longest"),
    P_(SCN_NB_AGE_MAX, new_account_burst, DURATION, 7 * DAY, MIN_, 3650 * DAY, "age_max",
       "account opened at most this long before its first transfer (near "
       "miss: +1 minute)"),
    P_(SCN_NB_VOLUME_MIN, new_account_burst, AMOUNT, 10000000, 100000, AMAX, "volume_min",
       "sent within the window, least (drawn up to 2.5 times this)"),
    P_(SCN_NB_WINDOW, new_account_burst, DURATION, DAY, MIN_, 30 * DAY, "window",
       "first to last transfer, longest"),
    P_(SCN_NB_TRANSFERS_MIN, new_account_burst, COUNT, 2, 1, 20, "transfers_min",
       "outgoing transfers, fewest"),
    P_(SCN_NB_TRANSFERS_MAX, new_account_burst, COUNT, 4, 1, 20, "transfers_max",
       "outgoing transfers, most"),
    P_(SCN_DB_VOLUME_MIN, dormant_burst, AMOUNT, 5000000, 100000, AMAX, "volume_min",
       "sent within the window, least (near miss: 1 CNY short)"),
    P_(SCN_DB_WINDOW, dormant_burst, DURATION, DAY, MIN_, 30 * DAY, "window",
       "first to last transfer, longest"),
    P_(SCN_DB_TRANSFERS_MIN, dormant_burst, COUNT, 2, 1, 20, "transfers_min",
       "outgoing transfers, fewest"),
    P_(SCN_DB_TRANSFERS_MAX, dormant_burst, COUNT, 4, 1, 20, "transfers_max",
       "outgoing transfers, most"),
    P_(SCN_WL_TRANSFERS_MIN, watchlist, COUNT, 1, 1, 100, "transfers_min",
       "transfers into or out of the listed account, fewest"),
    P_(SCN_WL_TRANSFERS_MAX, watchlist, COUNT, 4, 1, 100, "transfers_max",
       "transfers into or out of the listed account, most"),
    P_(SCN_WL_AMOUNT_MIN, watchlist, AMOUNT, 100000, 100, AMAX, "amount_min",
       "each transfer, least"),
    P_(SCN_WL_AMOUNT_MAX, watchlist, AMOUNT, 5000000, 100, AMAX, "amount_max",
       "each transfer, most"),
    P_(SCN_WL_QUIET, watchlist, COUNT, 1, 0, 100, "quiet",
       "further listed accounts per instance that never transact"),
    P_(SCN_VR_HOPS_MIN, victim_report, COUNT, 2, 1, 6, "hops_min",
       "hops the money moves on after the mule, fewest"),
    P_(SCN_VR_HOPS_MAX, victim_report, COUNT, 4, 1, 6, "hops_max",
       "hops the money moves on after the mule, most"),
    P_(SCN_VR_AMOUNT_MIN, victim_report, AMOUNT, 1000000, 10000, 1000000000, "amount_min",
       "the victim's loss, least"),
    P_(SCN_VR_AMOUNT_MAX, victim_report, AMOUNT, 20000000, 10000, 1000000000, "amount_max",
       "the victim's loss, most (at most 10,000,000.00 CNY)"),
    P_(SCN_VR_DELAY_MIN, victim_report, DURATION, MIN_, 1000, 30 * DAY, "delay_min",
       "each mule forwards at least this long after receiving"),
    P_(SCN_VR_DELAY_MAX, victim_report, DURATION, 30 * MIN_, 1000, 30 * DAY, "delay_max",
       "... and at most this long"),
    P_(SCN_VR_FORWARD_MIN, victim_report, PERCENT, 900, 100, 1000, "forward_min",
       "share each mule forwards, least"),
    P_(SCN_VR_FORWARD_MAX, victim_report, PERCENT, 990, 100, 1000, "forward_max",
       "share each mule forwards, most"),
    P_(SCN_VR_REPORT_MIN, victim_report, DURATION, 5 * MIN_, 1000, 30 * DAY, "report_min",
       "report filed at least this long after the victim's transfer"),
    P_(SCN_VR_REPORT_MAX, victim_report, DURATION, 60 * MIN_, 1000, 30 * DAY, "report_max",
       "... and at most this long"),
    P_(SCN_VR_SPLIT, victim_report, PERCENT, 400, 0, 1000, "split",
       "chance a mule splits the money over two accounts"),
    P_(SCN_VR_MIX, victim_report, PERCENT, 500, 0, 1000, "mix",
       "chance the first mule also holds another (unreported) victim's money"),
};

int scn_param_find(const char *name)
{
    for (int p = 0; p < SCN_PARAM__COUNT; p++)
        if (strcmp(name, scn_params[p].name) == 0)
            return p;
    return -1;
}

/* The largest unit that divides ms exactly, as config files write it. */
static int format_duration(int64_t ms, char *buf, size_t size)
{
    static const struct {
        int64_t ms;
        const char *unit;
    } units[] = {{DAY, "d"}, {HOUR, "h"}, {MIN_, "m"}, {1000, "s"}};
    for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++)
        if (ms != 0 && ms % units[u].ms == 0)
            return snprintf(buf, size, "%" PRId64 "%s", ms / units[u].ms, units[u].unit);
    return snprintf(buf, size, "%" PRId64 "ms", ms);
}

int scn_param_format(scn_param p, int64_t v, char *buf, size_t size)
{
    switch (scn_params[p].unit) {
    case SCN_UNIT_DURATION:
        return format_duration(v, buf, size);
    case SCN_UNIT_PERCENT:
        if (v % 10)
            return snprintf(buf, size, "%" PRId64 ".%" PRId64 "%%", v / 10, v % 10);
        return snprintf(buf, size, "%" PRId64 "%%", v / 10);
    default:
        return snprintf(buf, size, "%" PRId64, v);
    }
}

/* A decimal integer, the whole string. */
static int parse_int(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end)
        return -1;
    *out = v;
    return 0;
}

/* "85", "85%", "99.9%": per mille, at most one decimal. */
static int parse_percent(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long whole = strtoll(s, &end, 10), tenth = 0;
    if (errno || end == s || whole < 0)
        return -1;
    if (*end == '.') {
        if (end[1] < '0' || end[1] > '9')
            return -1;
        tenth = end[1] - '0';
        end += 2;
    }
    if (*end == '%')
        end++;
    if (*end || whole > 1000)
        return -1;
    *out = whole * 10 + tenth;
    return 0;
}

static int parse_value(scn_param p, const char *value, int64_t *v, char *errstr, size_t errstr_size)
{
    const scn_param_def *d = &scn_params[p];
    switch (d->unit) {
    case SCN_UNIT_DURATION:
        return cfg_parse_duration(d->name, value, v, errstr, errstr_size);
    case SCN_UNIT_PERCENT:
        if (parse_percent(value, v) == 0)
            return 0;
        snprintf(errstr, errstr_size, "%s: \"%s\" is not a percentage like 85%% or 99.9%%", d->name,
                 value);
        return -1;
    default:
        if (parse_int(value, v) == 0)
            return 0;
        snprintf(errstr, errstr_size, "%s: \"%s\" is not an integer", d->name, value);
        return -1;
    }
}

static int check_bounds(scn_param p, int64_t v, char *errstr, size_t errstr_size)
{
    const scn_param_def *d = &scn_params[p];
    if (v >= d->min && v <= d->max)
        return 0;
    char lo[32], hi[32], got[32];
    scn_param_format(p, d->min, lo, sizeof(lo));
    scn_param_format(p, d->max, hi, sizeof(hi));
    scn_param_format(p, v, got, sizeof(got));
    snprintf(errstr, errstr_size, "%s: %s is outside %s .. %s", d->name, got, lo, hi);
    return -1;
}

int scn_param_set(scn_opts *o, const char *name, const char *value, char *errstr,
                  size_t errstr_size)
{
    int p = scn_param_find(name);
    int64_t v;
    if (p < 0) {
        snprintf(errstr, errstr_size, "%s: no such pattern parameter (see --help)", name);
        return -1;
    }
    if (parse_value((scn_param)p, value, &v, errstr, errstr_size) != 0 ||
        check_bounds((scn_param)p, v, errstr, errstr_size) != 0)
        return -1;
    o->param[p] = v;
    return 0;
}

void scn_opts_default(scn_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->profile = SCN_PROFILE_CLASSIC;
    o->seed = 1;
    o->accounts = 100000;
    o->transfers = 1000000;
    o->duration_ms = 3 * DAY;
    o->merchant_permille = 60;
    o->business_permille = 40;
    o->threshold = 5000000;
    for (int p = 0; p < SCN_TYPOLOGY__COUNT; p++)
        o->count[p] = o->near[p] = -1;
    for (int k = 0; k < SCN_ALIKE__COUNT; k++)
        o->alike[k] = -1;
    for (int p = 0; p < SCN_PARAM__COUNT; p++)
        o->param[p] = scn_params[p].def;
}

void scn_opts_profile(scn_opts *o, scn_profile_id f)
{
    o->profile = f;
    o->transfers = f == SCN_PROFILE_REALISTIC ? 2000000 : 1000000;
    o->duration_ms = f == SCN_PROFILE_REALISTIC ? 28 * DAY : 3 * DAY;
}

int scn_default_count(int64_t accounts)
{
    int64_t n = accounts / 20000;
    return n < 2 ? 2 : n > 50 ? 50 : (int)n;
}

int scn_default_count_realistic(int64_t accounts)
{
    int64_t n = accounts / 2500;
    return n < 2 ? 2 : n > 100 ? 100 : (int)n;
}

#define SCN_COUNT_MAX 100000 /* instances of one pattern */

/* One "name=count" item of a mix. */
static int mix_item(scn_opts *o, const char *item, size_t len, char *errstr, size_t errstr_size)
{
    char name[64];
    const char *eq = memchr(item, '=', len);
    int64_t n;
    if (!eq || (size_t)(eq - item) >= sizeof(name)) {
        snprintf(errstr, errstr_size, "--mix: \"%.*s\" is not pattern=count", (int)len, item);
        return -1;
    }
    memcpy(name, item, (size_t)(eq - item));
    name[eq - item] = '\0';
    char num[32];
    size_t nl = len - (size_t)(eq - item) - 1;
    if (nl == 0 || nl >= sizeof(num)) {
        snprintf(errstr, errstr_size, "--mix: \"%.*s\" has no count", (int)len, item);
        return -1;
    }
    memcpy(num, eq + 1, nl);
    num[nl] = '\0';
    if (parse_int(num, &n) != 0 || n < 0 || n > SCN_COUNT_MAX) {
        snprintf(errstr, errstr_size, "--mix: %s: \"%s\" is not a count 0..%d", name, num,
                 SCN_COUNT_MAX);
        return -1;
    }
    int p = scn_pattern_parse(name), k = scn_alike_parse(name);
    if (strcmp(name, "lookalikes") == 0 || k >= 0) {
        for (int q = 0; q < SCN_ALIKE__COUNT; q++)
            if (q == k || k < 0)
                o->alike[q] = (int)n;
        return 0;
    }
    if (p < 0 && strcmp(name, "all") != 0) {
        snprintf(errstr, errstr_size, "--mix: %s: no such pattern or look-alike (see --help)",
                 name);
        return -1;
    }
    for (int q = 0; q < SCN_TYPOLOGY__COUNT; q++)
        if (q == p || (p < 0 && scn_pattern_in_profile(o->profile, (scn_pattern)q)))
            o->count[q] = (int)n;
    return 0;
}

int scn_mix_set(scn_opts *o, const char *spec, char *errstr, size_t errstr_size)
{
    const char *s = spec;
    for (;;) {
        size_t len = strcspn(s, ",");
        if (mix_item(o, s, len, errstr, errstr_size) != 0)
            return -1;
        if (!s[len])
            return 0;
        s += len + 1;
    }
}

/* Text wrapped at word boundaries to `width` columns, continuation lines
 * indented by `indent`. */
static void print_wrapped(FILE *out, const char *text, int indent, int width)
{
    int col = indent;
    while (*text) {
        int len = (int)strcspn(text, " ");
        if (col > indent && col + 1 + len > width) {
            fprintf(out, "\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', out);
            col++;
        }
        fprintf(out, "%.*s", len, text);
        col += len;
        text += len;
        text += strspn(text, " ");
    }
    fputc('\n', out);
}

void scn_print_params(FILE *out)
{
    scn_pattern last = SCN_PATTERN__COUNT;
    for (int p = 0; p < SCN_PARAM__COUNT; p++) {
        const scn_param_def *d = &scn_params[p];
        char def[32];
        if (d->pattern != last)
            fprintf(out, "  %s%s\n", scn_pattern_name(d->pattern),
                    scn_pattern_has_near_miss(d->pattern) ? "" : " (no near miss)");
        last = d->pattern;
        scn_param_format((scn_param)p, d->def, def, sizeof(def));
        fprintf(out, "    %-32s %-9s ", d->name, def);
        print_wrapped(out, d->summary, 47, 100);
    }
}

/* ---- validation ------------------------------------------------------- */

/* Every "x_min" parameter is at most its "x_max" sibling. */
static int check_pairs(const scn_opts *o, char *errstr, size_t errstr_size)
{
    for (int p = 0; p < SCN_PARAM__COUNT; p++) {
        const char *name = scn_params[p].name;
        size_t n = strlen(name);
        if (n < 4 || strcmp(name + n - 4, "_min") != 0)
            continue;
        char sibling[96];
        snprintf(sibling, sizeof(sibling), "%.*s_max", (int)(n - 4), name);
        int q = scn_param_find(sibling);
        if (q >= 0 && o->param[p] > o->param[q]) {
            snprintf(errstr, errstr_size, "%s is above %s", name, sibling);
            return -1;
        }
    }
    return 0;
}

/* Relations between parameters that the generator relies on. */
static const char *check_relations(const scn_opts *o)
{
    const int64_t *v = o->param;
    if (v[SCN_CS_GAP_MAX] <= v[SCN_CH_GAP_MAX])
        return "chain_slow.gap_max must be longer than chain.gap_max";
    if (v[SCN_CY_GAP_MIN] * v[SCN_CY_HOPS_MAX] > v[SCN_CY_SPAN_MAX])
        return "cycle.gap_min times cycle.hops_max exceeds cycle.span_max";
    if (v[SCN_SR_BAND_MIN] >= v[SCN_SR_BAND_MAX])
        return "structuring.band_min must be below structuring.band_max";
    if (v[SCN_DB_VOLUME_MIN] < 1000 * v[SCN_DB_TRANSFERS_MAX] ||
        v[SCN_NB_VOLUME_MIN] < 1000 * v[SCN_NB_TRANSFERS_MAX])
        return "burst volume_min must be at least 10.00 CNY per transfer";
    if (v[SCN_PT_AMOUNT_MIN] < 100 * (v[SCN_PT_VICTIMS_MAX] + v[SCN_PT_ONWARD_MAX]))
        return "passthrough.amount_min is too small to split";
    if (o->threshold * v[SCN_SR_BAND_MIN] / 1000 + 1 >= o->threshold * v[SCN_SR_BAND_MAX] / 1000)
        return "the structuring band holds no amount: raise the threshold";
    return NULL;
}

static int check_opts(const scn_opts *o, char *errstr, size_t errstr_size)
{
    const char *why = NULL;
    if (o->now_ms < 31LL * 365 * DAY)
        why = "now must be set (a time after 2001)";
    else if (o->duration_ms < MIN_ || o->duration_ms > 30 * DAY)
        why = "duration must be 1 minute to 30 days (interdict rejects older event times)";
    else if (o->transfers < 0 || o->transfers > 999999999999LL)
        why = "transfers must be 0 to 999999999999";
    else if (o->threshold < 100000 || o->threshold > AMAX)
        why = "threshold must be 1,000.00 to 10,000,000,000.00 CNY (100000 .. 10^12 minor units)";
    if (why) {
        snprintf(errstr, errstr_size, "%s", why);
        return -1;
    }
    for (int p = 0; p < SCN_PARAM__COUNT; p++)
        if (check_bounds((scn_param)p, o->param[p], errstr, errstr_size) != 0)
            return -1;
    if (check_pairs(o, errstr, errstr_size) != 0)
        return -1;
    if ((why = check_relations(o)) != NULL) {
        snprintf(errstr, errstr_size, "%s", why);
        return -1;
    }
    return 0;
}

/* Classic instances per pattern, defaults resolved. The realistic
 * typology and the look-alikes are not part of it: left at their default,
 * they are none. */
static int resolve_classic(const scn_opts *o, scn_mix *mix, char *errstr, size_t errstr_size)
{
    for (int p = 0; p < SCN_PATTERN__COUNT; p++) {
        int *count = mix->count, *near = mix->near;
        count[p] = o->count[p] >= 0 ? o->count[p] : scn_default_count(o->accounts);
        int has = scn_pattern_has_near_miss((scn_pattern)p);
        near[p] = o->near[p] >= 0 ? o->near[p] : (o->near_misses && has ? count[p] : 0);
        if (count[p] > SCN_COUNT_MAX || near[p] > SCN_COUNT_MAX) {
            snprintf(errstr, errstr_size, "%s: more than %d instances", pattern_names[p],
                     SCN_COUNT_MAX);
            return -1;
        }
        if (near[p] > 0 && !has) {
            snprintf(errstr, errstr_size, "%s has no near-miss variant", pattern_names[p]);
            return -1;
        }
    }
    for (int p = SCN_PATTERN__COUNT; p < SCN_TYPOLOGY__COUNT; p++)
        if (o->count[p] > 0) {
            snprintf(errstr, errstr_size, "%s: only in the realistic profile", pattern_names[p]);
            return -1;
        }
    for (int k = 0; k < SCN_ALIKE__COUNT; k++)
        if (o->alike[k] > 0) {
            snprintf(errstr, errstr_size, "%s: look-alikes are in the realistic profile only",
                     alikes[k].name);
            return -1;
        }
    return 0;
}

/* Realistic attempts per typology and look-alikes per kind. */
static int resolve_realistic(const scn_opts *o, scn_mix *mix, char *errstr, size_t errstr_size)
{
    int def = scn_default_count_realistic(o->accounts);
    const char *why = NULL;
    if (o->near_misses)
        why = "the realistic profile has look-alikes, not near misses";
    else if (o->count[SCN_CHAIN_SLOW] > 0)
        why = "chain_slow: the realistic profile's chains are fast and slow alike (use chain)";
    for (int p = 0; p < SCN_TYPOLOGY__COUNT && !why; p++) {
        int in = scn_pattern_in_profile(SCN_PROFILE_REALISTIC, (scn_pattern)p);
        mix->count[p] = !in ? 0 : o->count[p] >= 0 ? o->count[p] : def;
        why = o->near[p] > 0 ? "the realistic profile has look-alikes, not near misses" : NULL;
    }
    for (int k = 0; k < SCN_ALIKE__COUNT; k++)
        mix->alike[k] = o->alike[k] >= 0 ? o->alike[k] : def;
    if (why) {
        snprintf(errstr, errstr_size, "%s", why);
        return -1;
    }
    for (int p = 0; p < SCN_TYPOLOGY__COUNT; p++)
        if (mix->count[p] > SCN_COUNT_MAX)
            why = pattern_names[p];
    for (int k = 0; k < SCN_ALIKE__COUNT; k++)
        if (mix->alike[k] > SCN_COUNT_MAX)
            why = alikes[k].name;
    if (why)
        snprintf(errstr, errstr_size, "%s: more than %d instances", why, SCN_COUNT_MAX);
    return why ? -1 : 0;
}

static int resolve_mix(const scn_opts *o, scn_mix *mix, char *errstr, size_t errstr_size)
{
    memset(mix, 0, sizeof(*mix));
    if (o->profile == SCN_PROFILE_REALISTIC)
        return resolve_realistic(o, mix, errstr, errstr_size);
    return resolve_classic(o, mix, errstr, errstr_size);
}

/* ---- life cycle ------------------------------------------------------- */

static int init_population(scn *s, const scn_mix *mix, char *errstr, size_t errstr_size)
{
    gen_pop_opts po;
    gen_pop_defaults(&po);
    po.seed = s->o.seed;
    po.accounts = s->o.accounts;
    po.reserved = scn_pat_reserve(&s->o, mix);
    po.merchant_permille = s->o.merchant_permille;
    po.business_permille = s->o.business_permille;
    po.now_ms = s->o.now_ms;
    if (po.reserved > po.accounts / 4) {
        snprintf(errstr, errstr_size,
                 "the mix needs up to %" PRId64 " pattern accounts, more than a quarter of "
                 "%" PRId64 " accounts: use more accounts or a smaller mix",
                 po.reserved, po.accounts);
        return -1;
    }
    if (gen_pop_init(&s->pop, &po, errstr, errstr_size) != 0)
        return -1;
    s->actors = calloc((size_t)(po.reserved ? po.reserved : 1), sizeof(*s->actors));
    if (s->o.profile == SCN_PROFILE_REALISTIC)
        s->used = calloc((size_t)(po.accounts / 8 + 1), 1);
    if (!s->actors || (s->o.profile == SCN_PROFILE_REALISTIC && !s->used)) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    return 0;
}

int scn_new(const scn_opts *o, scn **out, char *errstr, size_t errstr_size)
{
    scn_mix mix;
    *out = NULL;
    if (check_opts(o, errstr, errstr_size) != 0 || resolve_mix(o, &mix, errstr, errstr_size) != 0)
        return -1;
    scn *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    s->o = *o;
    s->end_ms = o->now_ms;
    s->start_ms = o->now_ms - o->duration_ms;
    gen_opts go = {.seed = o->seed};
    gen_init(&s->root, &go);
    if (init_population(s, &mix, errstr, errstr_size) != 0 ||
        scn_pat_plan(s, &mix, errstr, errstr_size) != 0)
        goto fail;
    s->bg_total = o->transfers - s->injs.n;
    if (s->bg_total < 0) {
        snprintf(errstr, errstr_size,
                 "the mix injects %" PRId64 " transfers, more than the %" PRId64
                 " transfers asked for: raise --transfers or lower --mix",
                 s->injs.n, o->transfers);
        goto fail;
    }
    if (scn_bg_plan(s, errstr, errstr_size) != 0)
        goto fail;
    s->st.planned = o->transfers;
    *out = s;
    return 0;
fail:
    scn_destroy(s);
    return -1;
}

void scn_destroy(scn *s)
{
    if (!s)
        return;
    vec_free(&s->insts);
    vec_free(&s->members);
    vec_free(&s->injs);
    vec_free(&s->reps);
    vec_free(&s->watch);
    vec_free(&s->salaries);
    vec_free(&s->heap);
    vec_free(&s->slice);
    vec_free(&s->slice_tmp);
    free(s->inst_seq);
    free(s->actors);
    free(s->used);
    free(s->mass);
    free(s);
}

/* ---- population ------------------------------------------------------- */

int64_t scn_start_ms(const scn *s)
{
    return s->start_ms;
}

int64_t scn_end_ms(const scn *s)
{
    return s->end_ms;
}

int64_t scn_accounts(const scn *s)
{
    return s->o.accounts;
}

void scn_profile(const scn *s, int64_t i, ix_account *out)
{
    int64_t k;
    gen_pop_profile(&s->pop, i, out);
    if (gen_pop_class(&s->pop, i, &k) != GEN_RESERVED)
        return;
    const scn_actor *a = &s->actors[k];
    out->flags |= a->flags;
    if (a->holder_type)
        out->holder_type = (ix_holder_type)a->holder_type;
    if (a->opened_at_ms) {
        out->opened_at_ms = a->opened_at_ms;
        out->updated_at_ms = a->opened_at_ms; /* unchanged since it was opened */
    }
}

int64_t scn_watch_count(const scn *s)
{
    return s->watch.n;
}

void scn_watch(const scn *s, int64_t k, ix_watch *out)
{
    const scn_watchent *w = (const scn_watchent *)s->watch.p + k;
    memset(out, 0, sizeof(*out));
    gen_account_id(&s->pop.g, w->index, out->account, sizeof(out->account));
    snprintf(out->bank, sizeof(out->bank), "%s", gen_account_bank(&s->pop.g, w->index));
    snprintf(out->list, sizeof(out->list), "%s", k % 2 ? "police_report" : "confirmed_mule");
    snprintf(out->reason, sizeof(out->reason), "synthetic listing %" PRId64, k);
    out->added_at_ms = w->added_at_ms;
}

/* ---- the stream ------------------------------------------------------- */

void scn_transfer_id(int64_t seq, char *out, size_t size)
{
    if (seq < 0 || seq > 999999999999LL || size < 14) {
        snprintf(out, size, "T%012" PRId64, seq);
        return;
    }
    /* The same as the snprintf above, without it: once per transfer. */
    out[0] = 'T';
    for (int k = 12; k >= 1; k--, seq /= 10)
        out[k] = (char)('0' + seq % 10);
    out[13] = '\0';
}

/* A bank code into a record's field (codes are at most IX_BANK_MAX long). */
static void copy_bank(char *out, const char *bank)
{
    size_t n = strlen(bank);
    memcpy(out, bank, n + 1);
}

static void report_id(int64_t k, char *out, size_t size)
{
    snprintf(out, size, "R%010" PRId64, k);
}

static void fill_transfer(const scn *s, int64_t seq, int64_t from, int64_t to, int64_t amount,
                          int64_t time_ms, int channel, ix_transfer *t)
{
    memset(t, 0, sizeof(*t));
    scn_transfer_id(seq, t->id, sizeof(t->id));
    gen_account_id(&s->pop.g, from, t->from_account, sizeof(t->from_account));
    copy_bank(t->from_bank, gen_account_bank(&s->pop.g, from));
    gen_account_id(&s->pop.g, to, t->to_account, sizeof(t->to_account));
    copy_bank(t->to_bank, gen_account_bank(&s->pop.g, to));
    t->amount = amount;
    memcpy(t->currency, "CNY", 4);
    t->event_time_ms = time_ms;
    t->channel = (ix_channel)channel;
}

static void emit_background(scn *s, scn_event *ev)
{
    const scn_bg *b = (const scn_bg *)s->slice.p + s->slice_pos++;
    ev->kind = SCN_EVENT_TRANSFER;
    ev->time_ms = b->time_ms;
    fill_transfer(s, s->st.transfers, b->from, b->to, b->amount, b->time_ms, b->channel,
                  &ev->transfer);
    s->st.background++;
    s->st.salaries += b->kind == SCN_BG_SALARY;
    s->st.spending += b->kind == SCN_BG_SPEND || b->kind == SCN_BG_RENT;
    s->st.transfers++;
}

static void emit_injected(scn *s, scn_event *ev)
{
    scn_inj *j = (scn_inj *)s->injs.p + s->inj_next++;
    j->seq = s->st.transfers;
    if (j->slot >= 0) /* a cover transfer is in no instance's list */
        s->inst_seq[j->slot] = j->seq;
    ev->kind = SCN_EVENT_TRANSFER;
    ev->time_ms = j->time_ms;
    fill_transfer(s, j->seq, j->from, j->to, j->amount, j->time_ms, j->channel, &ev->transfer);
    s->st.injected++;
    s->st.transfers++;
}

static int emit_report(scn *s, scn_event *ev, char *errstr, size_t errstr_size)
{
    const scn_rep *r = (const scn_rep *)s->reps.p + s->rep_next;
    const scn_inj *victim = (const scn_inj *)s->injs.p + r->victim_tx;
    if (victim->seq < 0) { /* cannot happen: reports follow their transfer */
        snprintf(errstr, errstr_size, "report %" PRId64 " precedes its transfer", s->rep_next);
        return -1;
    }
    ix_report *rp = &ev->report;
    memset(rp, 0, sizeof(*rp));
    report_id(s->rep_next, rp->id, sizeof(rp->id));
    scn_transfer_id(victim->seq, rp->transfer_id, sizeof(rp->transfer_id));
    gen_account_id(&s->pop.g, r->victim, rp->victim_account, sizeof(rp->victim_account));
    rp->amount = r->amount;
    memcpy(rp->currency, "CNY", 4);
    rp->reported_at_ms = r->time_ms;
    snprintf(rp->source, sizeof(rp->source), "%s", r->source);
    ev->kind = SCN_EVENT_REPORT;
    ev->time_ms = r->time_ms;
    s->rep_next++;
    s->st.reports++;
    return 0;
}

int scn_next(scn *s, scn_event *ev, char *errstr, size_t errstr_size)
{
    /* The slice holds every background transfer before the next slice's
     * start, so merging it with the injected transfers keeps time order. */
    while (s->slice_pos == s->slice.n && s->slice_next < s->nslices)
        if (scn_bg_next_slice(s, errstr, errstr_size) != 0)
            return -1;
    const int64_t never = INT64_MAX;
    int64_t tb = s->slice_pos < s->slice.n ? ((scn_bg *)s->slice.p)[s->slice_pos].time_ms : never;
    int64_t ti = s->inj_next < s->injs.n ? ((scn_inj *)s->injs.p)[s->inj_next].time_ms : never;
    int64_t tr = s->rep_next < s->reps.n ? ((scn_rep *)s->reps.p)[s->rep_next].time_ms : never;
    if (tb == never && ti == never && tr == never)
        return 0;
    if (tb <= ti && tb <= tr)
        emit_background(s, ev);
    else if (ti <= tr)
        emit_injected(s, ev);
    else if (emit_report(s, ev, errstr, errstr_size) != 0)
        return -1;
    return 1;
}

/* ---- ground truth ----------------------------------------------------- */

int64_t scn_instance_count(const scn *s)
{
    return s->insts.n;
}

void scn_instance_get(const scn *s, int64_t k, scn_instance *out)
{
    const scn_inst *in = (const scn_inst *)s->insts.p + k;
    memset(out, 0, sizeof(*out));
    out->pattern = in->pattern;
    out->number = in->number;
    out->near_miss = in->near_miss;
    out->lookalike = in->lookalike;
    out->degree = in->degree;
    out->size = s->o.profile == SCN_PROFILE_REALISTIC ? scn_size_of(in->degree) : SCN_SIZE_NONE;
    out->speed = s->o.profile == SCN_PROFILE_REALISTIC ? scn_speed_of(in->end_ms - in->start_ms)
                                                       : SCN_SPEED_NONE;
    out->violates = in->violates;
    out->nmembers = (int)in->nmem;
    out->members = (const scn_member *)s->members.p + in->mem0;
    out->ntransfers = (int)in->ntx;
    out->transfers = s->inst_seq + in->tx0;
    out->start_ms = in->start_ms;
    out->end_ms = in->end_ms;
    out->report_seq = in->report;
}

static void put_time(FILE *out, const char *key, int64_t ms)
{
    char t[TF_RFC3339_LEN + 1];
    if (tf_format(ms, t, sizeof(t)) < 0)
        snprintf(t, sizeof(t), "invalid");
    fprintf(out, ",\"%s\":\"%s\"", key, t);
}

static void put_members(const scn *s, const scn_instance *in, FILE *out)
{
    fputs(",\"accounts\":[", out);
    for (int m = 0; m < in->nmembers; m++) {
        const scn_member *mb = &in->members[m];
        char acct[IX_ACCOUNT_MAX + 1];
        gen_account_id(&s->pop.g, mb->index, acct, sizeof(acct));
        fprintf(out, "%s{\"account\":\"%s\",\"role\":\"%s\",\"flag\":%s", m ? "," : "", acct,
                mb->role, mb->flag ? "true" : "false");
        if (mb->expected_amount >= 0)
            fprintf(out, ",\"expected_amount\":%" PRId64, mb->expected_amount);
        fputc('}', out);
    }
    fputc(']', out);
}

/* A classic line starts with the pattern, the instance and whether it is a
 * near miss (with the bound it misses). */
static void put_classic_head(const scn *s, const scn_instance *in, FILE *out)
{
    fprintf(out, "{\"pattern\":\"%s\",\"instance\":\"%s-%04d\",\"near_miss\":%s",
            pattern_names[in->pattern], pattern_names[in->pattern], in->number,
            in->near_miss ? "true" : "false");
    if (in->near_miss) {
        int p = scn_param_find(in->violates);
        fprintf(out, ",\"violates\":\"%s\",\"limit\":%" PRId64, in->violates,
                p >= 0 ? s->o.param[p] : 0);
    }
}

/* A realistic line says what kind of instance it is: an attempt names its
 * pattern, a look-alike its kind and the pattern it resembles (and no
 * "pattern", so that a reader of classic lines cannot count it as planted). */
static void put_realistic_head(const scn_instance *in, FILE *out)
{
    if (in->lookalike >= 0) {
        const char *kind = alikes[in->lookalike].name;
        fprintf(out,
                "{\"kind\":\"lookalike\",\"lookalike\":\"%s\",\"resembles\":\"%s\","
                "\"instance\":\"%s-%04d\"",
                kind, pattern_names[in->pattern], kind, in->number);
    } else {
        fprintf(out, "{\"kind\":\"attempt\",\"pattern\":\"%s\",\"instance\":\"%s-%04d\"",
                pattern_names[in->pattern], pattern_names[in->pattern], in->number);
    }
    fprintf(out, ",\"size\":\"%s\",\"degree\":%d,\"speed\":\"%s\"", size_names[in->size],
            in->degree, speed_names[in->speed]);
}

int scn_truth_write(const scn *s, int64_t k, FILE *out, char *errstr, size_t errstr_size)
{
    scn_instance in;
    scn_instance_get(s, k, &in);
    for (int t = 0; t < in.ntransfers; t++) {
        if (in.transfers[t] < 0) {
            snprintf(errstr, errstr_size, "%s-%04d: the stream has not reached its end yet",
                     in.lookalike >= 0 ? alikes[in.lookalike].name : pattern_names[in.pattern],
                     in.number);
            return -1;
        }
    }
    if (s->o.profile == SCN_PROFILE_REALISTIC)
        put_realistic_head(&in, out);
    else
        put_classic_head(s, &in, out);
    put_members(s, &in, out);
    fputs(",\"transfers\":[", out);
    for (int t = 0; t < in.ntransfers; t++) {
        char id[IX_ID_MAX + 1];
        scn_transfer_id(in.transfers[t], id, sizeof(id));
        fprintf(out, "%s\"%s\"", t ? "," : "", id);
    }
    fputc(']', out);
    put_time(out, "start", in.start_ms);
    put_time(out, "end", in.end_ms);
    if (in.report_seq >= 0) {
        char id[IX_ID_MAX + 1];
        report_id(in.report_seq, id, sizeof(id));
        fprintf(out, ",\"report_id\":\"%s\"", id);
    }
    fputs("}\n", out);
    if (ferror(out)) {
        snprintf(errstr, errstr_size, "writing the ground truth: %s", strerror(errno));
        return -1;
    }
    return 0;
}

void scn_get_stats(const scn *s, scn_stats *st)
{
    *st = s->st;
}
