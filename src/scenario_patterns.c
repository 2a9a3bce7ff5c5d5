/* scenario_patterns.c - the classic profile's patterns.
 *
 * Each instance is planned on its own clock starting at 0, then moved to a
 * random place in the timeline by scenario_plan.c (an instance that cannot
 * fit is dropped and counted as skipped). Mules, collectors, hubs and the other laundering
 * accounts are reserved accounts that the background never touches, so a
 * pattern's defining property holds exactly in the stream and near misses
 * miss exactly one bound. Victims, senders and counterparties are ordinary
 * persons with everyday lives of their own.
 *
 * A near miss keeps its hops slower than a pass-through (passthrough.delay_max
 * plus a minute) and its size at the pattern's minimum, so that it does not
 * satisfy any other pattern's default bounds either.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_int.h"

#define HOPS_MAX     20 /* cycle and chain hops: the table's bound */
#define GROUP_MAX    20 /* bipartite and stack groups: the table's bound */
#define TIERS_MAX    6  /* stack: layers_max 5, plus one */
#define VR_NODES_MAX 64 /* victim_report: mules of one tree, at most */
#define VR_SPLIT_MAX 6  /* victim_report: no more splitting once the tree has this many */

static int64_t P(const scn_plan *pl, scn_param p)
{
    return pl->s->o.param[p];
}

static int64_t draw(scn_plan *pl, scn_param lo, scn_param hi)
{
    return gen_range(&pl->r, P(pl, lo), P(pl, hi));
}

static int64_t amount(scn_plan *pl, scn_param lo, scn_param hi)
{
    return scn_pl_amount(&pl->r, P(pl, lo), P(pl, hi));
}

/* ---- building blocks -------------------------------------------------- */

/* A reserved account joining the instance. */
static int64_t actor_as(scn_plan *pl, const char *role, int flag)
{
    int64_t a = scn_pl_actor(pl);
    scn_pl_member(pl, a, role, flag);
    return a;
}

/* An ordinary, active person not yet part of this instance. */
static int64_t person(scn_plan *pl, const char *role)
{
    for (;;) {
        int64_t i = gen_pop_any(&pl->s->pop, &pl->r, GEN_PERSON);
        if (!scn_pl_is_member(pl, i)) {
            scn_pl_member(pl, i, role, 0);
            return i;
        }
    }
}

/* Times of n events spread over [0, window]: the first at 0, the last at
 * the window's end, so the instance spans exactly `window`. */
static int64_t spread(scn_plan *pl, int k, int n, int64_t window)
{
    if (k == 0)
        return 0;
    return k == n - 1 ? window : gen_range(&pl->r, 0, window);
}

/* Near misses keep their hops slower than a pass-through. */
static int64_t quiet_gap(const scn_plan *pl, int64_t gap_min, int64_t gap_max)
{
    int64_t q = P(pl, SCN_PT_DELAY_MAX) + SCN_MIN_MS;
    q = q > gap_min ? q : gap_min;
    return q < gap_max ? q : gap_max;
}

/* Shrink the gaps[1..hops-1] other than `pinned` towards lo so that they
 * add up to at most avail; a pinned gap may shrink down to pin_floor
 * first (pin_floor < 0: it may not). Returns 0 when they fit. */
static int fit_gaps(int64_t *gaps, int hops, int pinned, int64_t lo, int64_t pin_floor,
                    int64_t avail)
{
    int64_t sum = 0, nfree = 0, freesum = 0;
    for (int h = 1; h < hops; h++) {
        sum += gaps[h];
        if (h != pinned) {
            nfree++;
            freesum += gaps[h];
        }
    }
    if (sum <= avail)
        return 0;
    if (pinned > 0 && pin_floor >= 0 && avail - nfree * lo < gaps[pinned])
        gaps[pinned] = avail - nfree * lo > pin_floor ? avail - nfree * lo : pin_floor;
    int64_t fixed = pinned > 0 ? gaps[pinned] : 0;
    int64_t room = avail - fixed - nfree * lo, extra = freesum - nfree * lo;
    if (room < 0)
        return -1;
    for (int h = 1; h < hops; h++)
        if (h != pinned && extra > room)
            gaps[h] = lo + (gaps[h] - lo) * room / extra;
    return 0;
}

/* ---- the patterns ----------------------------------------------------- */

static void plan_passthrough(scn_plan *pl)
{
    int near = pl->near;
    int64_t parts[SCN_SPLIT_MAX], last_in = 0;
    int64_t mule = actor_as(pl, "mule", !near);
    int nv = (int)draw(pl, SCN_PT_VICTIMS_MIN, SCN_PT_VICTIMS_MAX);
    int64_t total = amount(pl, SCN_PT_AMOUNT_MIN, SCN_PT_AMOUNT_MAX);
    int64_t dmin = P(pl, SCN_PT_DELAY_MIN), dmax = P(pl, SCN_PT_DELAY_MAX);
    /* Inflows close together, so every onward transfer is within
     * [delay_min, delay_max] of every inflow. */
    int64_t window = dmin < (dmax - dmin) / 2 ? dmin : (dmax - dmin) / 2;
    scn_pl_split(&pl->r, total, nv, parts);
    for (int v = 0; v < nv; v++) {
        int64_t t = v ? gen_range(&pl->r, 0, window) : 0;
        last_in = t > last_in ? t : last_in;
        scn_pl_tx(pl, person(pl, "victim"), mule, parts[v], t, IX_CHANNEL_MOBILE);
    }
    int no = (int)draw(pl, SCN_PT_ONWARD_MIN, SCN_PT_ONWARD_MAX);
    int64_t out = scn_pl_share(&pl->r, total, P(pl, SCN_PT_FORWARD_MIN), P(pl, SCN_PT_FORWARD_MAX));
    int64_t lo = last_in + dmin, hi = dmax;
    if (near) { /* one minute too slow */
        lo = last_in + dmax + SCN_MIN_MS;
        hi = lo + 5 * SCN_MIN_MS;
    }
    scn_pl_split(&pl->r, out, no, parts);
    for (int o = 0; o < no; o++) {
        int64_t t = near && o == 0 ? lo : gen_range(&pl->r, lo, hi);
        scn_pl_tx(pl, mule, actor_as(pl, "onward", 0), parts[o], t, IX_CHANNEL_MOBILE);
    }
    pl->violates = "passthrough.delay_max";
}

static void plan_fan_in(scn_plan *pl)
{
    int near = pl->near;
    int64_t collector = actor_as(pl, "collector", !near);
    int n = near ? (int)P(pl, SCN_FI_SENDERS_MIN) - 1
                 : (int)draw(pl, SCN_FI_SENDERS_MIN, SCN_FI_SENDERS_MAX);
    int64_t window = draw(pl, SCN_FI_WINDOW_MIN, SCN_FI_WINDOW_MAX);
    for (int k = 0; k < n; k++)
        scn_pl_tx(pl, person(pl, "sender"), collector,
                  amount(pl, SCN_FI_AMOUNT_MIN, SCN_FI_AMOUNT_MAX), spread(pl, k, n, window),
                  IX_CHANNEL_MOBILE);
    pl->violates = "fan_in.senders_min";
}

static void plan_fan_out(scn_plan *pl)
{
    int near = pl->near;
    int64_t payer = actor_as(pl, "payer", !near);
    int n = near ? (int)P(pl, SCN_FO_RECEIVERS_MIN) - 1
                 : (int)draw(pl, SCN_FO_RECEIVERS_MIN, SCN_FO_RECEIVERS_MAX);
    int64_t window = draw(pl, SCN_FO_WINDOW_MIN, SCN_FO_WINDOW_MAX);
    for (int k = 0; k < n; k++)
        scn_pl_tx(pl, payer, person(pl, "receiver"),
                  amount(pl, SCN_FO_AMOUNT_MIN, SCN_FO_AMOUNT_MAX), spread(pl, k, n, window),
                  IX_CHANNEL_ONLINE);
    pl->violates = "fan_out.receivers_min";
}

static void plan_scatter_gather(scn_plan *pl)
{
    int near = pl->near;
    int64_t parts[SCN_SPLIT_MAX];
    int64_t source = actor_as(pl, "source", 0), sink = actor_as(pl, "sink", !near);
    int m =
        near ? (int)P(pl, SCN_SG_MIDS_MIN) - 1 : (int)draw(pl, SCN_SG_MIDS_MIN, SCN_SG_MIDS_MAX);
    scn_pl_split(&pl->r, amount(pl, SCN_SG_AMOUNT_MIN, SCN_SG_AMOUNT_MAX), m, parts);
    for (int k = 0; k < m; k++) {
        int64_t mid = actor_as(pl, "intermediary", !near);
        int64_t t = k ? gen_range(&pl->r, 0, P(pl, SCN_SG_SPLIT_WINDOW)) : 0;
        int64_t fwd =
            scn_pl_share(&pl->r, parts[k], P(pl, SCN_SG_FORWARD_MIN), P(pl, SCN_SG_FORWARD_MAX));
        scn_pl_tx(pl, source, mid, parts[k], t, IX_CHANNEL_ONLINE);
        scn_pl_tx(pl, mid, sink, fwd, t + draw(pl, SCN_SG_DELAY_MIN, SCN_SG_DELAY_MAX),
                  IX_CHANNEL_MOBILE);
    }
    pl->violates = "scatter_gather.mids_min";
}

static void plan_gather_scatter(scn_plan *pl)
{
    int near = pl->near;
    int64_t parts[SCN_SPLIT_MAX], last_in = 0;
    int64_t hub = actor_as(pl, "hub", !near);
    int ns = near ? (int)P(pl, SCN_GS_SENDERS_MIN) - 1
                  : (int)draw(pl, SCN_GS_SENDERS_MIN, SCN_GS_SENDERS_MAX);
    int nr = (int)draw(pl, SCN_GS_RECEIVERS_MIN, SCN_GS_RECEIVERS_MAX);
    int64_t total = amount(pl, SCN_GS_AMOUNT_MIN, SCN_GS_AMOUNT_MAX);
    scn_pl_split(&pl->r, total, ns, parts);
    for (int k = 0; k < ns; k++) {
        int64_t t = k ? gen_range(&pl->r, 0, P(pl, SCN_GS_COLLECT_WINDOW)) : 0;
        last_in = t > last_in ? t : last_in;
        scn_pl_tx(pl, person(pl, "sender"), hub, parts[k], t, IX_CHANNEL_MOBILE);
    }
    int64_t out = scn_pl_share(&pl->r, total, P(pl, SCN_GS_FORWARD_MIN), P(pl, SCN_GS_FORWARD_MAX));
    scn_pl_split(&pl->r, out, nr, parts);
    for (int k = 0; k < nr; k++)
        scn_pl_tx(pl, hub, actor_as(pl, "receiver", 0), parts[k],
                  last_in + draw(pl, SCN_GS_DELAY_MIN, SCN_GS_DELAY_MAX), IX_CHANNEL_MOBILE);
    pl->violates = "gather_scatter.senders_min";
}

static void plan_cycle(scn_plan *pl)
{
    int near = pl->near;
    int hops = near ? (int)P(pl, SCN_CY_HOPS_MIN) : (int)draw(pl, SCN_CY_HOPS_MIN, SCN_CY_HOPS_MAX);
    int64_t acc[HOPS_MAX], gaps[HOPS_MAX] = {0};
    int64_t gmin = P(pl, SCN_CY_GAP_MIN), gmax = P(pl, SCN_CY_GAP_MAX);
    int64_t keep = P(pl, SCN_CY_KEEP_MIN);
    if (gmax > P(pl, SCN_CY_SPAN_MAX) / (hops - 1))
        gmax = P(pl, SCN_CY_SPAN_MAX) / (hops - 1);
    if (near)
        gmin = quiet_gap(pl, gmin, gmax);
    for (int h = 0; h < hops; h++)
        acc[h] = actor_as(pl, "cycle", !near);
    for (int h = 1; h < hops; h++)
        gaps[h] = gen_range(&pl->r, gmin, gmax);
    fit_gaps(gaps, hops, -1, gmin, -1, scn_pl_timeline(pl)); /* if it fails, placement skips it */
    int bad = near ? 1 + (int)gen_below(&pl->r, hops - 1) : -1;
    int64_t a = amount(pl, SCN_CY_AMOUNT_MIN, SCN_CY_AMOUNT_MAX), t = 0;
    for (int h = 0; h < hops; h++) {
        t += gaps[h];
        if (h == bad) /* 1 to 10 points below the bound */
            a = scn_pl_share(&pl->r, a, keep - 100, keep - 10);
        else if (h)
            a = scn_pl_share(&pl->r, a, keep, 999);
        scn_pl_tx(pl, acc[h], acc[(h + 1) % hops], a, t, IX_CHANNEL_ONLINE);
    }
    pl->violates = "cycle.keep_min";
}

/* The parameters of a chain and of its slow variant. */
typedef struct chain_keys {
    scn_param hops_min, hops_max, gap_min, gap_max, keep_min, keep_max, amount_min, amount_max;
} chain_keys;

static const chain_keys fast_keys = {SCN_CH_HOPS_MIN,   SCN_CH_HOPS_MAX,  SCN_CH_GAP_MIN,
                                     SCN_CH_GAP_MAX,    SCN_CH_KEEP_MIN,  SCN_CH_KEEP_MAX,
                                     SCN_CH_AMOUNT_MIN, SCN_CH_AMOUNT_MAX};
static const chain_keys slow_keys = {SCN_CS_HOPS_MIN,   SCN_CS_HOPS_MAX,  SCN_CS_GAP_MIN,
                                     SCN_CS_GAP_MAX,    SCN_CS_KEEP_MIN,  SCN_CS_KEEP_MAX,
                                     SCN_CS_AMOUNT_MIN, SCN_CS_AMOUNT_MAX};

/* Gaps between hops. A slow chain has one gap longer than a fast chain
 * allows (a near miss: one minute longer than its own bound). */
static void chain_gaps(scn_plan *pl, const chain_keys *k, int slow, int hops, int64_t *gaps)
{
    int64_t gmin = P(pl, k->gap_min), gmax = P(pl, k->gap_max), fast = P(pl, SCN_CH_GAP_MAX);
    int64_t hi = slow && pl->near ? (fast < gmax ? fast : gmax) : gmax;
    if (pl->near)
        gmin = quiet_gap(pl, gmin, hi);
    for (int h = 1; h < hops; h++)
        gaps[h] = gen_range(&pl->r, gmin, hi);
    int pinned = -1;
    int64_t floor = -1;
    if (slow) {
        pinned = 1 + (int)gen_below(&pl->r, hops - 1);
        gaps[pinned] = pl->near ? gmax + SCN_MIN_MS : gen_range(&pl->r, fast + 1, gmax);
        floor = pl->near ? -1 : fast + 1;
    }
    fit_gaps(gaps, hops, pinned, gmin, floor, scn_pl_timeline(pl));
}

static void plan_chain_with(scn_plan *pl, const chain_keys *k, int slow)
{
    int near = pl->near;
    int hops = near ? (int)P(pl, k->hops_min) : (int)draw(pl, k->hops_min, k->hops_max);
    int64_t acc[HOPS_MAX + 1], gaps[HOPS_MAX] = {0};
    int64_t kmin = P(pl, k->keep_min), kmax = P(pl, k->keep_max);
    acc[0] = actor_as(pl, "origin", 0);
    for (int h = 1; h <= hops; h++)
        acc[h] = actor_as(pl, h == hops ? "end" : "hop", !near);
    chain_gaps(pl, k, slow, hops, gaps);
    /* The broken hop sits in the middle, so no stretch of hops_min valid
     * hops remains on either side of it. */
    int bad = near && !slow ? hops / 2 : -1;
    int64_t a = amount(pl, k->amount_min, k->amount_max), t = 0;
    for (int h = 0; h < hops; h++) {
        t += gaps[h];
        if (h == bad)
            a = scn_pl_share(&pl->r, a, kmin - 100, kmin - 10);
        else if (h)
            a = scn_pl_share(&pl->r, a, kmin, kmax);
        scn_pl_tx(pl, acc[h], acc[h + 1], a, t, IX_CHANNEL_ONLINE);
    }
    pl->violates = slow ? "chain_slow.gap_max" : "chain.keep_min";
}

static void plan_chain(scn_plan *pl)
{
    plan_chain_with(pl, &fast_keys, 0);
}

static void plan_chain_slow(scn_plan *pl)
{
    plan_chain_with(pl, &slow_keys, 1);
}

/* Remove `missing` of the ns x nr pairs at random, never a sender's or a
 * receiver's last one (always possible at the densities allowed). */
static void thin_pairs(gen *r, int ns, int nr, int missing, uint8_t *present)
{
    int order[GROUP_MAX * GROUP_MAX], rowc[GROUP_MAX], colc[GROUP_MAX], total = ns * nr;
    for (int k = 0; k < total; k++) {
        present[k] = 1;
        order[k] = k;
    }
    for (int k = total - 1; k > 0; k--) {
        int j = (int)gen_below(r, k + 1), t = order[k];
        order[k] = order[j];
        order[j] = t;
    }
    for (int i = 0; i < ns; i++)
        rowc[i] = nr;
    for (int j = 0; j < nr; j++)
        colc[j] = ns;
    for (int k = 0; k < total && missing > 0; k++) {
        int i = order[k] / nr, j = order[k] % nr;
        if (rowc[i] > 1 && colc[j] > 1) {
            present[order[k]] = 0;
            rowc[i]--;
            colc[j]--;
            missing--;
        }
    }
}

/* One dense layer: `pairs` of the sender-receiver pairs transact, within
 * [t0, t0 + window]. */
static void layer(scn_plan *pl, const int64_t *snd, int ns, const int64_t *rcv, int nr,
                  int64_t pairs, int64_t t0, int64_t window, scn_param amin, scn_param amax)
{
    uint8_t present[GROUP_MAX * GROUP_MAX];
    thin_pairs(&pl->r, ns, nr, (int)(ns * nr - pairs), present);
    int first = -1, last = -1;
    for (int k = 0; k < ns * nr; k++)
        if (present[k]) {
            first = first < 0 ? k : first;
            last = k;
        }
    for (int k = 0; k < ns * nr; k++) {
        if (!present[k])
            continue;
        int64_t t = k == first ? t0 : k == last ? t0 + window : t0 + gen_range(&pl->r, 0, window);
        scn_pl_tx(pl, snd[k / nr], rcv[k % nr], amount(pl, amin, amax), t, IX_CHANNEL_ONLINE);
    }
}

/* Pairs needed for a density (per mille): ceil(density * ns * nr). */
static int64_t pairs_needed(int64_t density, int ns, int nr)
{
    return (density * ns * nr + 999) / 1000;
}

static void plan_bipartite(scn_plan *pl)
{
    int near = pl->near;
    int64_t snd[GROUP_MAX], rcv[GROUP_MAX];
    int ns = near ? (int)P(pl, SCN_BP_SENDERS_MIN)
                  : (int)draw(pl, SCN_BP_SENDERS_MIN, SCN_BP_SENDERS_MAX);
    int nr = near ? (int)P(pl, SCN_BP_RECEIVERS_MIN)
                  : (int)draw(pl, SCN_BP_RECEIVERS_MIN, SCN_BP_RECEIVERS_MAX);
    for (int k = 0; k < ns; k++)
        snd[k] = actor_as(pl, "sender", 0);
    for (int k = 0; k < nr; k++)
        rcv[k] = actor_as(pl, "receiver", !near);
    int64_t need = pairs_needed(P(pl, SCN_BP_DENSITY_MIN), ns, nr);
    int64_t pairs = near ? need - 1 : gen_range(&pl->r, need, (int64_t)ns * nr);
    layer(pl, snd, ns, rcv, nr, pairs, 0, draw(pl, SCN_BP_WINDOW_MIN, SCN_BP_WINDOW_MAX),
          SCN_BP_AMOUNT_MIN, SCN_BP_AMOUNT_MAX);
    pl->violates = "bipartite.density_min";
}

static void plan_stack(scn_plan *pl)
{
    static const char *const roles[TIERS_MAX] = {"tier0", "tier1", "tier2",
                                                 "tier3", "tier4", "tier5"};
    int64_t tier[TIERS_MAX][GROUP_MAX], t = 0;
    int size[TIERS_MAX];
    int layers = (int)draw(pl, SCN_ST_LAYERS_MIN, SCN_ST_LAYERS_MAX);
    for (int l = 0; l <= layers; l++) {
        size[l] = (int)draw(pl, SCN_ST_GROUP_MIN, SCN_ST_GROUP_MAX);
        for (int k = 0; k < size[l]; k++)
            tier[l][k] = actor_as(pl, roles[l], l > 0);
    }
    for (int l = 0; l < layers; l++) {
        int64_t need = pairs_needed(P(pl, SCN_ST_DENSITY_MIN), size[l], size[l + 1]);
        int64_t pairs = gen_range(&pl->r, need, (int64_t)size[l] * size[l + 1]);
        int64_t window = gen_range(&pl->r, P(pl, SCN_ST_WINDOW_MAX) / 6, P(pl, SCN_ST_WINDOW_MAX));
        layer(pl, tier[l], size[l], tier[l + 1], size[l + 1], pairs, t, window, SCN_ST_AMOUNT_MIN,
              SCN_ST_AMOUNT_MAX);
        t += window + draw(pl, SCN_ST_LAYER_GAP_MIN, SCN_ST_LAYER_GAP_MAX);
    }
}

static void plan_structuring(scn_plan *pl)
{
    int near = pl->near;
    int64_t a = actor_as(pl, "structurer", !near), thr = pl->s->o.threshold;
    int n =
        near ? (int)P(pl, SCN_SR_COUNT_MIN) - 1 : (int)draw(pl, SCN_SR_COUNT_MIN, SCN_SR_COUNT_MAX);
    int incoming = (int)gen_below(&pl->r, 2);
    int64_t window = draw(pl, SCN_SR_WINDOW_MIN, SCN_SR_WINDOW_MAX);
    /* [band_min, band_max) of the threshold, in whole minor units. */
    int64_t lo = (thr * P(pl, SCN_SR_BAND_MIN) + 999) / 1000;
    int64_t hi = (thr * P(pl, SCN_SR_BAND_MAX) + 999) / 1000 - 1;
    for (int k = 0; k < n; k++) {
        int64_t cp = person(pl, "counterparty"), v = gen_range(&pl->r, lo, hi);
        if (gen_below(&pl->r, 2) && v - v % 10000 >= lo)
            v -= v % 10000; /* a round hundred yuan, as people choose */
        if (incoming)
            scn_pl_tx(pl, cp, a, v, spread(pl, k, n, window), IX_CHANNEL_MOBILE);
        else
            scn_pl_tx(pl, a, cp, v, spread(pl, k, n, window), IX_CHANNEL_ONLINE);
    }
    pl->violates = "structuring.count_min";
}

/* A burst's amounts: none in the structuring band, which is another
 * pattern (rare enough that a few redraws always find a split). */
static void burst_parts(scn_plan *pl, int64_t volume, int n, int64_t *parts)
{
    int64_t thr = pl->s->o.threshold, lo = thr * P(pl, SCN_SR_BAND_MIN) / 1000;
    for (int tries = 0; tries < 64; tries++) {
        int bad = 0;
        scn_pl_split(&pl->r, volume, n, parts);
        for (int k = 0; k < n; k++)
            bad |= parts[k] >= lo && parts[k] < thr;
        if (!bad)
            return;
    }
}

static void plan_burst(scn_plan *pl, int dormant)
{
    int near = pl->near;
    int64_t parts[SCN_SPLIT_MAX], rank;
    int64_t a = actor_as(pl, dormant ? "dormant_account" : "new_account", !near);
    gen_pop_class(&pl->s->pop, a, &rank);
    int64_t vmin = P(pl, dormant ? SCN_DB_VOLUME_MIN : SCN_NB_VOLUME_MIN);
    int64_t volume = dormant && near ? vmin - 100 : gen_range(&pl->r, vmin, vmin * 5 / 2);
    int n = dormant ? (int)draw(pl, SCN_DB_TRANSFERS_MIN, SCN_DB_TRANSFERS_MAX)
                    : (int)draw(pl, SCN_NB_TRANSFERS_MIN, SCN_NB_TRANSFERS_MAX);
    int64_t window = P(pl, dormant ? SCN_DB_WINDOW : SCN_NB_WINDOW);
    burst_parts(pl, volume, n, parts);
    for (int k = 0; k < n; k++)
        scn_pl_tx(pl, a, person(pl, "receiver"), parts[k], k ? gen_range(&pl->r, 0, window) : 0,
                  k % 2 ? IX_CHANNEL_ONLINE : IX_CHANNEL_MOBILE);
    if (dormant) {
        pl->s->actors[rank].flags |= IX_ACCT_DORMANT;
        pl->violates = "dormant_burst.volume_min";
        return;
    }
    int64_t age_max = P(pl, SCN_NB_AGE_MAX);
    pl->opened_rank = rank;
    pl->opened_rel = -(near ? age_max + SCN_MIN_MS : gen_range(&pl->r, SCN_MIN_MS, age_max));
    pl->violates = "new_account_burst.age_max";
}

static void plan_new_account_burst(scn_plan *pl)
{
    plan_burst(pl, 0);
}

static void plan_dormant_burst(scn_plan *pl)
{
    plan_burst(pl, 1);
}

static void plan_watchlist(scn_plan *pl)
{
    int64_t listed = actor_as(pl, "listed", 1);
    int n = (int)draw(pl, SCN_WL_TRANSFERS_MIN, SCN_WL_TRANSFERS_MAX);
    for (int k = 0; k < n; k++) {
        int64_t cp = person(pl, "counterparty");
        int64_t v = amount(pl, SCN_WL_AMOUNT_MIN, SCN_WL_AMOUNT_MAX);
        int64_t t = k ? gen_range(&pl->r, 0, 12 * SCN_HOUR_MS) : 0;
        if (gen_below(&pl->r, 2))
            scn_pl_tx(pl, cp, listed, v, t, IX_CHANNEL_MOBILE);
        else
            scn_pl_tx(pl, listed, cp, v, t, IX_CHANNEL_MOBILE);
    }
    /* Listed one to sixty days before its first transfer (made absolute
     * by place()); quiet listings are relative to the end of the timeline. */
    scn_pl_watch(pl, listed, -gen_range(&pl->r, SCN_DAY_MS, 60 * SCN_DAY_MS));
    pl->watch_rel = pl->s->watch.n - 1;
    for (int64_t q = 0; q < P(pl, SCN_WL_QUIET); q++)
        scn_pl_watch(pl, scn_pl_actor(pl),
                     pl->s->end_ms - gen_range(&pl->r, SCN_DAY_MS, 60 * SCN_DAY_MS));
}

/* ---- victim report ---------------------------------------------------- */

typedef struct vr_node {
    int64_t index, avail, t_in;
    int level;
} vr_node;

static int member_pos(const scn_plan *pl, int64_t index)
{
    const scn_member *m = pl->s->members.p;
    for (int64_t k = pl->mem0; k < pl->s->members.n; k++)
        if (m[k].index == index)
            return (int)(k - pl->mem0);
    return -1;
}

/* This instance's transfers in stream order: (time, creation order). */
static int sorted_injs(const scn_plan *pl, int64_t *idx)
{
    const scn_inj *j = pl->s->injs.p;
    int n = 0;
    for (int64_t k = pl->inj0; k < pl->s->injs.n; k++) {
        int at = n++;
        while (at > 0 && (j[idx[at - 1]].time_ms > j[k].time_ms ||
                          (j[idx[at - 1]].time_ms == j[k].time_ms && idx[at - 1] > k))) {
            idx[at] = idx[at - 1];
            at--;
        }
        idx[at] = k;
    }
    return n;
}

/* Proportional tracing, as docs/generator.md defines it: each outflow of a
 * tainted account carries floor(amount * tainted / balance) of the
 * victim's money, balance being all the account received minus all it sent. */
static void trace_expected(scn_plan *pl, int64_t victim_order)
{
    int64_t idx[2 * VR_NODES_MAX + 2];
    int64_t bal[VR_NODES_MAX + 2] = {0}, taint[VR_NODES_MAX + 2] = {0};
    int64_t got[VR_NODES_MAX + 2] = {0};
    const scn_inj *j = pl->s->injs.p;
    int n = sorted_injs(pl, idx);
    for (int k = 0; k < n; k++) {
        const scn_inj *x = &j[idx[k]];
        int f = member_pos(pl, x->from), t = member_pos(pl, x->to);
        int64_t moved = x->order == victim_order ? x->amount : 0;
        if (x->order != victim_order && bal[f] > 0 && taint[f] > 0)
            moved = taint[f] * x->amount / bal[f];
        moved = moved > taint[f] && x->order != victim_order ? taint[f] : moved;
        bal[f] -= x->amount;
        taint[f] -= x->order == victim_order ? 0 : moved;
        bal[t] += x->amount;
        taint[t] += moved;
        got[t] += moved;
    }
    scn_member *m = (scn_member *)pl->s->members.p + pl->mem0;
    for (int64_t k = 0; k < pl->s->members.n - pl->mem0; k++)
        if (strcmp(m[k].role, "mule") == 0)
            m[k].expected_amount = got[k];
}

/* Each mule forwards most of what it holds, sometimes split over two. */
static void spread_tree(scn_plan *pl, vr_node *nodes, int hops)
{
    int n = 1;
    for (int q = 0; q < n; q++) {
        vr_node nd = nodes[q];
        int64_t parts[2];
        if (nd.level == hops)
            continue;
        int64_t out =
            scn_pl_share(&pl->r, nd.avail, P(pl, SCN_VR_FORWARD_MIN), P(pl, SCN_VR_FORWARD_MAX));
        int c = n <= VR_SPLIT_MAX && gen_below(&pl->r, 1000) < P(pl, SCN_VR_SPLIT) ? 2 : 1;
        scn_pl_split(&pl->r, out, c, parts);
        for (int e = 0; e < c && n < VR_NODES_MAX; e++) {
            int64_t next = actor_as(pl, "mule", 1);
            int64_t t = nd.t_in + draw(pl, SCN_VR_DELAY_MIN, SCN_VR_DELAY_MAX);
            scn_pl_tx(pl, nd.index, next, parts[e], t, IX_CHANNEL_MOBILE);
            nodes[n++] = (vr_node){next, parts[e], t, nd.level + 1};
        }
    }
}

static void plan_victim_report(scn_plan *pl)
{
    vr_node nodes[VR_NODES_MAX];
    int64_t t0 = 30 * SCN_MIN_MS; /* room for another victim's money to arrive first */
    int64_t victim = person(pl, "victim");
    int64_t loss = amount(pl, SCN_VR_AMOUNT_MIN, SCN_VR_AMOUNT_MAX);
    int64_t mule = actor_as(pl, "mule", 1);
    int64_t victim_order = scn_pl_tx(pl, victim, mule, loss, t0, IX_CHANNEL_MOBILE);
    nodes[0] = (vr_node){mule, loss, t0, 0};
    if (gen_below(&pl->r, 1000) < P(pl, SCN_VR_MIX)) {
        int64_t other = person(pl, "other_victim");
        int64_t more = loss * gen_range(&pl->r, 300, 1000) / 1000;
        scn_pl_tx(pl, other, mule, more, t0 - gen_range(&pl->r, SCN_MIN_MS, 20 * SCN_MIN_MS),
                  IX_CHANNEL_MOBILE);
        nodes[0].avail += more;
    }
    spread_tree(pl, nodes, (int)draw(pl, SCN_VR_HOPS_MIN, SCN_VR_HOPS_MAX));
    scn_pl_report(pl, t0 + draw(pl, SCN_VR_REPORT_MIN, SCN_VR_REPORT_MAX), victim, loss,
                  victim_order);
    if (!pl->oom)
        trace_expected(pl, victim_order);
}

/* ---- planning --------------------------------------------------------- */

static const scn_planner planners[SCN_PATTERN__COUNT] = {
    [SCN_PASSTHROUGH] = plan_passthrough,
    [SCN_FAN_IN] = plan_fan_in,
    [SCN_FAN_OUT] = plan_fan_out,
    [SCN_SCATTER_GATHER] = plan_scatter_gather,
    [SCN_GATHER_SCATTER] = plan_gather_scatter,
    [SCN_CYCLE] = plan_cycle,
    [SCN_CHAIN] = plan_chain,
    [SCN_CHAIN_SLOW] = plan_chain_slow,
    [SCN_BIPARTITE] = plan_bipartite,
    [SCN_STACK] = plan_stack,
    [SCN_STRUCTURING] = plan_structuring,
    [SCN_NEW_ACCOUNT_BURST] = plan_new_account_burst,
    [SCN_DORMANT_BURST] = plan_dormant_burst,
    [SCN_WATCHLIST] = plan_watchlist,
    [SCN_VICTIM_REPORT] = plan_victim_report,
};

/* Reserved accounts one instance of pattern p takes, at most. */
int64_t scn_classic_reserve(const int64_t *v, scn_pattern p)
{
    switch (p) {
    case SCN_PASSTHROUGH:
        return 1 + v[SCN_PT_ONWARD_MAX];
    case SCN_SCATTER_GATHER:
        return 2 + v[SCN_SG_MIDS_MAX];
    case SCN_GATHER_SCATTER:
        return 1 + v[SCN_GS_RECEIVERS_MAX];
    case SCN_CYCLE:
        return v[SCN_CY_HOPS_MAX];
    case SCN_CHAIN:
        return 1 + v[SCN_CH_HOPS_MAX];
    case SCN_CHAIN_SLOW:
        return 1 + v[SCN_CS_HOPS_MAX];
    case SCN_BIPARTITE:
        return v[SCN_BP_SENDERS_MAX] + v[SCN_BP_RECEIVERS_MAX];
    case SCN_STACK:
        return (v[SCN_ST_LAYERS_MAX] + 1) * v[SCN_ST_GROUP_MAX];
    case SCN_WATCHLIST:
        return 1 + v[SCN_WL_QUIET];
    case SCN_VICTIM_REPORT:
        return VR_NODES_MAX;
    default:
        return 1;
    }
}

scn_planner scn_classic_planner(scn_pattern p)
{
    return planners[p];
}

/* Ordinary persons one instance may need, at most. */
int64_t scn_classic_persons(const int64_t *v)
{
    const scn_param keys[] = {SCN_PT_VICTIMS_MAX,   SCN_FI_SENDERS_MAX,  SCN_FO_RECEIVERS_MAX,
                              SCN_GS_SENDERS_MAX,   SCN_SR_COUNT_MAX,    SCN_NB_TRANSFERS_MAX,
                              SCN_DB_TRANSFERS_MAX, SCN_WL_TRANSFERS_MAX};
    int64_t most = 2;
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
        most = v[keys[k]] > most ? v[keys[k]] : most;
    return most;
}
