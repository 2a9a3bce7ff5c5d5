/* scenario_real.c - the realistic profile's laundering attempts, and the
 * building blocks its look-alikes (scenario_alike.c) share.
 *
 * An attempt is what an outside labelled set of laundering looks like, not
 * what a rule would like to see: small (a degree of 2 to 15 counterparties
 * or hops, most of them small), slow (a span from minutes to two weeks,
 * half of them longer than three days), amounts that shrink on the way
 * (fees, splits, part cashed out) as often as they are carried on whole,
 * every payment channel, and run by accounts recruited from the background:
 * ordinary persons who keep their salaries, shopping and friends before,
 * during and after the attempt. Only a new account is a fresh one (and it
 * shops too) and a watch-listed account a reserved one.
 *
 * Every instance takes accounts no other instance has. The size class
 * comes from a rotation by the instance's number, the degree is drawn in
 * the class, the speed from the typology's mix of fast, medium and slow;
 * the planner then takes a window in the timeline and writes absolute
 * times in it, at hours people are awake when the window allows.
 *
 * Every value drawn goes into a variable of its own before a call takes it
 * (one random argument a call at most): the order in which a call's
 * arguments are evaluated is unspecified, and the stream must not depend on
 * the compiler.
 */
#include <stdlib.h>
#include <string.h>

#include "scenario_int.h"

#define DEGREE_MAX  15     /* the largest attempts of the outside set */
#define MULES_MAX   16     /* victim_report: mules of one tree, at most */
#define GROUP_MAX   16     /* bipartite and stack: accounts of one group */
#define RECRUIT_MAX 100000 /* draws before an account in use is taken anyway */

/* ---- building blocks -------------------------------------------------- */

/* Size classes by instance number: of every ten, five small, three medium,
 * two large. */
static const scn_size rotation[10] = {
    SCN_SIZE_SMALL,  SCN_SIZE_MEDIUM, SCN_SIZE_SMALL,  SCN_SIZE_LARGE, SCN_SIZE_SMALL,
    SCN_SIZE_MEDIUM, SCN_SIZE_SMALL,  SCN_SIZE_MEDIUM, SCN_SIZE_LARGE, SCN_SIZE_SMALL};
static const int class_lo[SCN_SIZE__COUNT] = {0, 2, 5, 10};
static const int class_hi[SCN_SIZE__COUNT] = {0, 4, 9, DEGREE_MAX};

int scn_rl_degree(scn_plan *pl, int lo, int hi)
{
    int number = ((const scn_inst *)pl->s->insts.p)[pl->inst].number;
    scn_size z = rotation[(number - 1) % 10];
    int a = class_lo[z] > lo ? class_lo[z] : lo, b = class_hi[z] < hi ? class_hi[z] : hi;
    if (a > hi)
        a = b = hi; /* the kind is never that large: its largest */
    if (b < lo)
        a = b = lo;
    pl->degree = (int)gen_range(&pl->r, a, b);
    return pl->degree;
}

static int used(const scn *s, int64_t i)
{
    return s->used[i >> 3] >> (i & 7) & 1;
}

static void use(scn *s, int64_t i)
{
    s->used[i >> 3] |= (uint8_t)(1u << (i & 7));
}

int64_t scn_rl_recruit(scn_plan *pl, gen_class c, const char *role, int flag)
{
    int64_t i = -1;
    for (int tries = 0; tries < RECRUIT_MAX; tries++) {
        i = gen_pop_any(&pl->s->pop, &pl->r, c);
        if (!used(pl->s, i))
            break;
    }
    use(pl->s, i);
    scn_pl_member(pl, i, role, flag);
    return i;
}

int64_t scn_rl_dormant(scn_plan *pl, const char *role, int flag)
{
    const gen_pop *p = &pl->s->pop;
    int64_t n = gen_pop_count(p, GEN_PERSON), i = -1;
    for (int tries = 0; tries < RECRUIT_MAX; tries++) {
        i = gen_pop_index(p, GEN_PERSON, gen_below(&pl->r, n));
        if (gen_pop_dormant(p, i) && !used(pl->s, i))
            break;
    }
    if (!gen_pop_dormant(p, i)) /* a population without a dormant person left */
        i = gen_pop_any(p, &pl->r, GEN_PERSON);
    use(pl->s, i);
    scn_pl_member(pl, i, role, flag);
    return i;
}

int64_t scn_rl_fresh(scn_plan *pl, const char *role, int flag, int64_t first_ms, int64_t age_ms,
                     int holder)
{
    int64_t a = scn_pl_actor(pl), rank;
    gen_pop_class(&pl->s->pop, a, &rank);
    pl->s->actors[rank].opened_at_ms = first_ms - age_ms;
    pl->s->actors[rank].holder_type = (uint8_t)holder;
    use(pl->s, a);
    scn_pl_member(pl, a, role, flag);
    return a;
}

int64_t scn_rl_when(scn_plan *pl, int64_t lo, int64_t hi)
{
    int64_t t = lo;
    if (hi <= lo)
        return lo;
    for (int tries = 0; tries < 8; tries++) {
        t = lo + gen_below(&pl->r, hi - lo + 1);
        if (hi - lo < 2 * SCN_HOUR_MS || gen_below(&pl->r, 1000) < scn_rhythm(scn_local_hour(t)))
            break;
    }
    return t;
}

int64_t scn_rl_window(scn_plan *pl, int64_t *span)
{
    int64_t room = scn_pl_timeline(pl);
    *span = *span < room ? *span : room;
    int64_t lo = pl->s->start_ms + SCN_MARGIN_MS;
    return scn_rl_when(pl, lo, lo + room - *span);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

void scn_rl_times(scn_plan *pl, int64_t lo, int64_t hi, int n, int64_t *out)
{
    out[0] = lo;
    for (int k = 1; k < n - 1; k++)
        out[k] = scn_rl_when(pl, lo, hi);
    if (n > 1)
        out[n - 1] = hi;
    qsort(out, (size_t)n, sizeof(*out), cmp_i64);
}

/* Payment channels of laundering and everyday transfers alike. */
static int channel(gen *r)
{
    static const int share[] = {500, 300, 80, 70, 50};
    static const int ch[] = {IX_CHANNEL_MOBILE, IX_CHANNEL_ONLINE, IX_CHANNEL_ATM,
                             IX_CHANNEL_BRANCH, IX_CHANNEL_POS};
    int64_t u = gen_below(r, 1000);
    for (int k = 0; k < 4; k++) {
        if (u < share[k])
            return ch[k];
        u -= share[k];
    }
    return ch[4];
}

int64_t scn_rl_tx(scn_plan *pl, int64_t from, int64_t to, int64_t amount, int64_t t)
{
    return scn_pl_tx(pl, from, to, amount, t, channel(&pl->r));
}

void scn_rl_cover(scn_plan *pl, int64_t from, int64_t to, int64_t amount, int64_t t)
{
    int64_t k = scn_pl_tx(pl, from, to, amount, t, IX_CHANNEL_MOBILE);
    if (k >= 0)
        ((scn_inj *)pl->s->injs.p)[k].cover = 1;
}

int64_t scn_rl_round(scn_plan *pl, int64_t amount)
{
    if (amount >= 20000 && gen_below(&pl->r, 10) < 4)
        return amount - amount % 10000;
    return amount;
}

/* ---- an attempt under construction -------------------------------------- */

typedef struct attempt {
    scn_plan *pl;
    int64_t t0, t1; /* the window: first and last event */
    int lossy;      /* hops keep 50-90% (fees, part cashed out), else 90-99.5% */
} attempt;

/* Speed mixes: per mille fast (5 minutes to 6 hours), medium (6 hours to
 * 3 days); the rest slow (3 to 14 days). */
static const int speed_default[2] = {150, 200};
static const int speed_passthrough[2] = {300, 250};
static const int speed_victim[2] = {450, 300};

static int64_t draw_span(gen *r, const int *mix)
{
    int64_t u = gen_below(r, 1000);
    if (u < mix[0])
        return scn_pl_amount(r, 5 * SCN_MIN_MS, 6 * SCN_HOUR_MS - 1);
    if (u < mix[0] + mix[1])
        return scn_pl_amount(r, 6 * SCN_HOUR_MS, 3 * SCN_DAY_MS - 1);
    return gen_range(r, 3 * SCN_DAY_MS, 14 * SCN_DAY_MS);
}

/* Degree, window and style of an attempt; returns the degree. */
static int begin(scn_plan *pl, attempt *a, int lo, const int *speed)
{
    int d = scn_rl_degree(pl, lo, DEGREE_MAX);
    int64_t span = draw_span(&pl->r, speed);
    a->pl = pl;
    a->t0 = scn_rl_window(pl, &span);
    a->t1 = a->t0 + span;
    a->lossy = gen_below(&pl->r, 1000) < 400;
    return d;
}

/* What a hop carries on of what it got. */
static int64_t keep(attempt *a, int64_t amount)
{
    return a->lossy ? scn_pl_share(&a->pl->r, amount, 500, 900)
                    : scn_pl_share(&a->pl->r, amount, 900, 995);
}

/* The money an attempt starts with: 3,000 to 300,000 CNY. */
static int64_t base(attempt *a)
{
    return scn_rl_round(a->pl, scn_pl_amount(&a->pl->r, 300000, 30000000));
}

/* A point a fraction (per mille) into the window. */
static int64_t at(const attempt *a, int permille)
{
    return a->t0 + (a->t1 - a->t0) * permille / 1000;
}

static int64_t person(attempt *a, const char *role, int flag)
{
    return scn_rl_recruit(a->pl, GEN_PERSON, role, flag);
}

/* n accounts paying `to` the parts of total at times in [lo, hi]; returns
 * the time of the last. */
static int64_t gather(attempt *a, const char *role, int flag, int n, int64_t to, int64_t total,
                      int64_t lo, int64_t hi)
{
    int64_t parts[SCN_SPLIT_MAX], t[SCN_SPLIT_MAX];
    scn_pl_split(&a->pl->r, total, n, parts);
    scn_rl_times(a->pl, lo, hi, n, t);
    for (int k = 0; k < n; k++) {
        int64_t from = person(a, role, flag);
        scn_rl_tx(a->pl, from, to, scn_rl_round(a->pl, parts[k]), t[k]);
    }
    return t[n - 1];
}

/* `from` paying n new accounts the parts of total at times in [lo, hi]. */
static void scatter(attempt *a, const char *role, int flag, int n, int64_t from, int64_t total,
                    int64_t lo, int64_t hi)
{
    int64_t parts[SCN_SPLIT_MAX], t[SCN_SPLIT_MAX];
    scn_pl_split(&a->pl->r, total, n, parts);
    scn_rl_times(a->pl, lo, hi, n, t);
    for (int k = 0; k < n; k++)
        scn_rl_tx(a->pl, from, person(a, role, flag), parts[k], t[k]);
}

/* The start of an onward phase: after `after`, a random part of the
 * remaining window in (the money rests a while). */
static int64_t rest(attempt *a, int64_t after)
{
    int64_t room = a->t1 - after;
    return after + (room > 0 ? gen_below(&a->pl->r, room * 8 / 10 + 1) : 0);
}

/* Money through `hub`: nin accounts in role `in` pay it total in the first
 * `permille` of the window; after a rest it sends what it keeps on to nout
 * new accounts in role `out` (flagged). */
static void relay(attempt *a, int64_t hub, int64_t total, const char *in, int in_flag, int nin,
                  const char *out, int nout, int permille)
{
    int64_t last = gather(a, in, in_flag, nin, hub, total, a->t0, at(a, permille));
    int64_t kept = keep(a, total);
    scatter(a, out, 1, nout, hub, kept, rest(a, last), a->t1);
}

/* ---- the typologies ------------------------------------------------------ */

/* Degree: the mule's counterparties, victims in and onward accounts out. */
static void real_passthrough(scn_plan *pl)
{
    attempt a;
    int d = begin(pl, &a, 2, speed_passthrough);
    int nin = (int)gen_range(&pl->r, 1, d - 1), nout = d - nin;
    int64_t mule = person(&a, "mule", 1);
    relay(&a, mule, base(&a), "victim", 0, nin, "onward", nout, 300);
}

/* Degree: the senders. Most collectors cash part of it out. */
static void real_fan_in(scn_plan *pl)
{
    attempt a;
    int d = begin(pl, &a, 2, speed_default);
    int cash = gen_below(&pl->r, 1000) < 600;
    int64_t collector = person(&a, "collector", 1), total = 0;
    int64_t t[DEGREE_MAX], each = scn_pl_amount(&pl->r, 100000, 5000000);
    scn_rl_times(pl, a.t0, cash ? at(&a, 700) : a.t1, d, t);
    for (int k = 0; k < d; k++) {
        int64_t v = scn_rl_round(pl, scn_pl_share(&pl->r, each, 600, 1400));
        scn_rl_tx(pl, person(&a, "sender", 1), collector, v, t[k]);
        total += v;
    }
    if (cash) {
        int n = 1 + (int)gen_below(&pl->r, 2);
        int64_t kept = keep(&a, total);
        scatter(&a, "cashout", 1, n, collector, kept, rest(&a, t[d - 1]), a.t1);
    }
}

/* Degree: the receivers. Most payers are funded first. */
static void real_fan_out(scn_plan *pl)
{
    attempt a;
    int d = begin(pl, &a, 2, speed_default);
    int funded = gen_below(&pl->r, 1000) < 600;
    int64_t payer = person(&a, "payer", 1), total = base(&a), lo = a.t0;
    if (funded) {
        lo = rest(&a, gather(&a, "source", 1, 1 + (int)gen_below(&pl->r, 2), payer, total, a.t0,
                             at(&a, 200)));
        total = keep(&a, total);
    }
    scatter(&a, "receiver", 1, d, payer, total, lo, a.t1);
}

/* Degree: the intermediaries between the source and the sink. */
static void real_scatter_gather(scn_plan *pl)
{
    attempt a;
    int d = begin(pl, &a, 2, speed_default);
    int64_t parts[DEGREE_MAX], t[DEGREE_MAX];
    int64_t source = person(&a, "source", 1), sink = person(&a, "sink", 1);
    scn_pl_split(&pl->r, base(&a), d, parts);
    scn_rl_times(pl, a.t0, at(&a, 400), d, t);
    for (int k = 0; k < d; k++) {
        int64_t mid = person(&a, "intermediary", 1), fwd = keep(&a, parts[k]);
        scn_rl_tx(pl, source, mid, parts[k], t[k]);
        int64_t out = k == d - 1 ? a.t1 : scn_rl_when(pl, t[k] + SCN_MIN_MS, a.t1);
        if (gen_below(&pl->r, 10) < 2) { /* in two transfers */
            int64_t first = fwd * gen_range(&pl->r, 300, 700) / 1000;
            scn_rl_tx(pl, mid, sink, first, scn_rl_when(pl, t[k] + SCN_MIN_MS, out));
            fwd -= first;
        }
        scn_rl_tx(pl, mid, sink, fwd, out);
    }
}

/* Degree: the hub's senders and receivers (at least three). */
static void real_gather_scatter(scn_plan *pl)
{
    attempt a;
    int d = begin(pl, &a, 3, speed_default);
    int ns = (d + 1) / 2, nr = d - ns;
    int64_t hub = person(&a, "hub", 1);
    relay(&a, hub, base(&a), "sender", 1, ns, "receiver", nr, 400);
}

/* Degree: the accounts on the cycle (its hops). */
static void real_cycle(scn_plan *pl)
{
    attempt a;
    int d = begin(pl, &a, 2, speed_default);
    int64_t acc[DEGREE_MAX], t[DEGREE_MAX], v = base(&a);
    for (int k = 0; k < d; k++)
        acc[k] = person(&a, "cycle", 1);
    scn_rl_times(pl, a.t0, a.t1, d, t);
    for (int k = 0; k < d; k++) {
        v = k ? keep(&a, v) : v;
        scn_rl_tx(pl, acc[k], acc[(k + 1) % d], v, t[k]);
    }
}

/* Degree: the hops, A->B->C... Now and then a hop goes in two transfers. */
static void real_chain(scn_plan *pl)
{
    attempt a;
    int d = begin(pl, &a, 2, speed_default);
    int64_t acc[DEGREE_MAX + 1], t[DEGREE_MAX], v = base(&a);
    for (int k = 0; k <= d; k++)
        acc[k] = person(&a, k == 0 ? "origin" : k == d ? "end" : "hop", 1);
    scn_rl_times(pl, a.t0, a.t1, d, t);
    for (int k = 0; k < d; k++) {
        v = k ? keep(&a, v) : v;
        int64_t first = gen_below(&pl->r, 10) < 2 ? v * gen_range(&pl->r, 300, 700) / 1000 : 0;
        if (first > 0)
            scn_rl_tx(pl, acc[k], acc[k + 1], first, scn_rl_when(pl, k ? t[k - 1] : t[0], t[k]));
        scn_rl_tx(pl, acc[k], acc[k + 1], v - first, t[k]);
    }
}

/* Which of the ns x nr pairs transact: each with probability `p` per
 * mille, and every sender and receiver in at least one. */
static int pairs(gen *r, int ns, int nr, int64_t p, uint8_t *present)
{
    int n = 0;
    for (int k = 0; k < ns * nr; k++)
        present[k] = gen_below(r, 1000) < p;
    for (int i = 0; i < ns; i++) {
        int any = 0;
        for (int j = 0; j < nr; j++)
            any |= present[i * nr + j];
        if (!any)
            present[i * nr + gen_below(r, nr)] = 1;
    }
    for (int j = 0; j < nr; j++) {
        int any = 0;
        for (int i = 0; i < ns; i++)
            any |= present[i * nr + j];
        if (!any)
            present[gen_below(r, ns) * nr + j] = 1;
    }
    for (int k = 0; k < ns * nr; k++)
        n += present[k];
    return n;
}

/* One layer from snd to rcv within [lo, hi]: each sender spreads `out[i]`
 * over its pairs; what each receiver got is added to got[]. */
static void layer(attempt *a, const int64_t *snd, int ns, const int64_t *out, const int64_t *rcv,
                  int nr, int64_t lo, int64_t hi, int64_t *got)
{
    uint8_t present[GROUP_MAX * GROUP_MAX];
    int64_t t[GROUP_MAX * GROUP_MAX], parts[GROUP_MAX];
    int n = pairs(&a->pl->r, ns, nr, gen_range(&a->pl->r, 500, 1000), present), e = 0;
    scn_rl_times(a->pl, lo, hi, n, t);
    for (int k = n - 1; k > 0; k--) { /* the pairs transact in no particular order */
        int j = (int)gen_below(&a->pl->r, k + 1);
        int64_t x = t[k];
        t[k] = t[j];
        t[j] = x;
    }
    for (int i = 0; i < ns; i++) {
        int deg = 0, q = 0;
        for (int j = 0; j < nr; j++)
            deg += present[i * nr + j];
        scn_pl_split(&a->pl->r, out[i], deg, parts);
        for (int j = 0; j < nr; j++) {
            if (!present[i * nr + j])
                continue;
            scn_rl_tx(a->pl, snd[i], rcv[j], parts[q], t[e++]);
            got[j] += parts[q++];
        }
    }
}

/* Degree: the senders and receivers together (at least four). */
static void real_bipartite(scn_plan *pl)
{
    attempt a;
    int d = begin(pl, &a, 4, speed_default);
    int ns = d / 2, nr = d - ns;
    int64_t snd[GROUP_MAX], rcv[GROUP_MAX], out[GROUP_MAX], got[GROUP_MAX] = {0};
    int64_t each = scn_pl_amount(&pl->r, 300000, 10000000);
    for (int i = 0; i < ns; i++) {
        snd[i] = person(&a, "sender", 1);
        out[i] = scn_rl_round(pl, scn_pl_share(&pl->r, each, 600, 1400));
    }
    for (int j = 0; j < nr; j++)
        rcv[j] = person(&a, "receiver", 1);
    layer(&a, snd, ns, out, rcv, nr, a.t0, a.t1, got);
}

/* Degree: the accounts of the tiers that receive (at least four): two
 * layers, three for some larger stacks; each tier passes on what it got. */
static void real_stack(scn_plan *pl)
{
    static const char *const roles[4] = {"tier0", "tier1", "tier2", "tier3"};
    attempt a;
    int d = begin(pl, &a, 4, speed_default);
    int layers = d >= 9 && gen_below(&pl->r, 2) ? 3 : 2, w[4];
    int64_t tier[4][GROUP_MAX], out[GROUP_MAX], got[GROUP_MAX];
    for (int l = 1; l <= layers; l++)
        w[l] = 2;
    for (int k = 2 * layers; k < d; k++)
        w[1 + gen_below(&pl->r, layers)]++;
    w[0] = (int)gen_range(&pl->r, 2, w[1]);
    for (int l = 0; l <= layers; l++)
        for (int k = 0; k < w[l]; k++)
            tier[l][k] = person(&a, roles[l], 1);
    int64_t each = scn_pl_amount(&pl->r, 300000, 10000000);
    for (int k = 0; k < w[0]; k++)
        out[k] = scn_rl_round(pl, scn_pl_share(&pl->r, each, 600, 1400));
    for (int l = 0; l < layers; l++) {
        int64_t lo = a.t0 + (a.t1 - a.t0) * l / layers,
                hi = a.t0 + (a.t1 - a.t0) * (l + 1) / layers;
        memset(got, 0, sizeof(got));
        layer(&a, tier[l], w[l], out, tier[l + 1], w[l + 1], l ? lo + 1 : lo, hi, got);
        for (int k = 0; k < w[l + 1]; k++)
            out[k] = keep(&a, got[k]);
    }
}

/* Degree: the transfers just under the reporting threshold, sent to (or
 * received from) one to four counterparties, often as round sums. */
static void real_structuring(scn_plan *pl)
{
    attempt a;
    int d = begin(pl, &a, 2, speed_default);
    int incoming = (int)gen_below(&pl->r, 2), nc = 1 + (int)gen_below(&pl->r, d < 4 ? d : 4);
    int64_t thr = pl->s->o.threshold, cps[4], t[DEGREE_MAX];
    int64_t lo = (thr * 850 + 999) / 1000, hi = (thr * 999 + 999) / 1000 - 1;
    int64_t a0 = person(&a, "structurer", 1);
    for (int k = 0; k < nc; k++)
        cps[k] = person(&a, incoming ? "smurf" : "receiver", 1);
    scn_rl_times(pl, a.t0, a.t1, d, t);
    for (int k = 0; k < d; k++) {
        int64_t v = gen_range(&pl->r, lo, hi), cp = cps[gen_below(&pl->r, nc)];
        if (gen_below(&pl->r, 2) && v - v % 100000 >= lo)
            v -= v % 100000; /* a round thousand yuan */
        if (incoming)
            scn_rl_tx(pl, cp, a0, v, t[k]);
        else
            scn_rl_tx(pl, a0, cp, v, t[k]);
    }
}

/* A burst through `acct`: one or two sources pay it volume, which it sends
 * on to the rest of its d counterparties. */
static void burst(attempt *a, int64_t acct, int d, int64_t volume)
{
    int nin = 1 + (int)gen_below(&a->pl->r, d - 1 < 2 ? 1 : 2);
    relay(a, acct, volume, "source", 1, nin, "receiver", d - nin, 250);
}

/* Degree: the new account's counterparties. Opened an hour to a week
 * before (some up to a month), it also shops a little. */
static void real_new_account_burst(scn_plan *pl)
{
    attempt a;
    int d = begin(pl, &a, 2, speed_default);
    int64_t age = gen_below(&pl->r, 10) < 7
                      ? scn_pl_amount(&pl->r, SCN_HOUR_MS, 7 * SCN_DAY_MS)
                      : gen_range(&pl->r, 7 * SCN_DAY_MS + 1, 30 * SCN_DAY_MS);
    int64_t acct = scn_rl_fresh(pl, "new_account", 1, a.t0, age, 0);
    burst(&a, acct, d, scn_pl_amount(&pl->r, 2000000, 30000000));
    int64_t from =
        a.t0 - age > pl->s->start_ms + SCN_MARGIN_MS ? a.t0 - age : pl->s->start_ms + SCN_MARGIN_MS;
    for (int k = (int)gen_range(&pl->r, 2, 6); k > 0; k--) {
        int64_t shop = gen_pop_shop(&pl->s->pop, &pl->r);
        int64_t v = gen_lognormal(&pl->r, 6000, 1.0, 100, 500000);
        scn_rl_cover(pl, acct, shop, v, scn_rl_when(pl, from, pl->s->end_ms - SCN_MARGIN_MS));
    }
}

/* Degree: the dormant account's counterparties. */
static void real_dormant_burst(scn_plan *pl)
{
    attempt a;
    int d = begin(pl, &a, 2, speed_default);
    int64_t acct = scn_rl_dormant(pl, "dormant_account", 1);
    burst(&a, acct, d, scn_pl_amount(&pl->r, 1000000, 20000000));
}

/* Degree: the counterparties paying into or out of a listed account; one
 * more listed account never transacts. */
static void real_watchlist(scn_plan *pl)
{
    attempt a;
    int d = begin(pl, &a, 2, speed_default);
    int64_t listed = scn_pl_actor(pl), t[DEGREE_MAX];
    scn_pl_member(pl, listed, "listed", 1);
    scn_rl_times(pl, a.t0, a.t1, d, t);
    for (int k = 0; k < d; k++) {
        int64_t cp = person(&a, "counterparty", 0), v = base(&a);
        if (gen_below(&pl->r, 2))
            scn_rl_tx(pl, cp, listed, v, t[k]);
        else
            scn_rl_tx(pl, listed, cp, v, t[k]);
    }
    scn_pl_watch(pl, listed, a.t0 - gen_range(&pl->r, SCN_DAY_MS, 60 * SCN_DAY_MS));
    scn_pl_watch(pl, scn_pl_actor(pl),
                 pl->s->end_ms - gen_range(&pl->r, SCN_DAY_MS, 60 * SCN_DAY_MS));
}

/* Degree: the mules the victim's money reaches. Each forwards what it got
 * (a part of it when lossy) to one or two more, until there are d. */
static void real_victim_report(scn_plan *pl)
{
    attempt a;
    int d = begin(pl, &a, 2, speed_victim);
    int64_t node[MULES_MAX], avail[MULES_MAX], t_in[MULES_MAX];
    int64_t victim = person(&a, "victim", 0), loss = base(&a);
    int64_t tv = a.t0, hop = (a.t1 - a.t0) / d;
    node[0] = person(&a, "mule", 1);
    avail[0] = loss;
    if (gen_below(&pl->r, 10) < 4) { /* the mule already holds another victim's money */
        tv = a.t0 + gen_range(&pl->r, SCN_MIN_MS, 20 * SCN_MIN_MS);
        int64_t more = loss * gen_range(&pl->r, 300, 1000) / 1000;
        scn_rl_tx(pl, person(&a, "other_victim", 0), node[0], more, a.t0);
        avail[0] += more;
    }
    int64_t victim_order = scn_rl_tx(pl, victim, node[0], loss, tv);
    t_in[0] = tv;
    for (int q = 0, n = 1; q < n && n < d; q++) {
        int c = n + 2 <= d && gen_below(&pl->r, 1000) < 350 ? 2 : 1;
        int64_t parts[2];
        scn_pl_split(&pl->r, keep(&a, avail[q]), c, parts);
        for (int e = 0; e < c; e++, n++) {
            node[n] = person(&a, "mule", 1);
            t_in[n] = t_in[q] + gen_range(&pl->r, SCN_MIN_MS, hop > SCN_MIN_MS ? hop : SCN_MIN_MS);
            avail[n] = parts[e];
            scn_rl_tx(pl, node[q], node[n], parts[e], t_in[n]);
        }
    }
    /* Reported minutes to two days later, before the end of the timeline
     * (at the victim's transfer's time at the latest: reports follow
     * transfers of the same time). */
    int64_t lag = scn_pl_amount(&pl->r, 5 * SCN_MIN_MS, 2 * SCN_DAY_MS);
    int64_t last = pl->s->end_ms - SCN_MARGIN_MS;
    scn_pl_report(pl, tv + lag < last ? tv + lag : last, victim, loss, victim_order);
}

/* Degree: the hops of a random walk among a group of 2 + d/2 accounts
 * (AMLSim's "random"): each holder pays a part of what it got to another. */
static void real_random(scn_plan *pl)
{
    attempt a;
    int d = begin(pl, &a, 2, speed_default);
    int m = 2 + d / 2, cur = 0;
    int64_t acc[2 + DEGREE_MAX / 2], t[DEGREE_MAX], v = base(&a);
    for (int k = 0; k < m; k++)
        acc[k] = person(&a, "member", 1);
    scn_rl_times(pl, a.t0, a.t1, d, t);
    for (int h = 0; h < d; h++) {
        int next = (int)gen_below(&pl->r, m - 1);
        next += next >= cur;
        v = h ? scn_pl_share(&pl->r, v, 500, 1000) : v;
        scn_rl_tx(pl, acc[cur], acc[next], scn_rl_round(pl, v), t[h]);
        cur = next;
    }
}

static const scn_planner planners[SCN_TYPOLOGY__COUNT] = {
    [SCN_PASSTHROUGH] = real_passthrough,
    [SCN_FAN_IN] = real_fan_in,
    [SCN_FAN_OUT] = real_fan_out,
    [SCN_SCATTER_GATHER] = real_scatter_gather,
    [SCN_GATHER_SCATTER] = real_gather_scatter,
    [SCN_CYCLE] = real_cycle,
    [SCN_CHAIN] = real_chain,
    [SCN_BIPARTITE] = real_bipartite,
    [SCN_STACK] = real_stack,
    [SCN_STRUCTURING] = real_structuring,
    [SCN_NEW_ACCOUNT_BURST] = real_new_account_burst,
    [SCN_DORMANT_BURST] = real_dormant_burst,
    [SCN_WATCHLIST] = real_watchlist,
    [SCN_VICTIM_REPORT] = real_victim_report,
    [SCN_RANDOM] = real_random,
};

scn_planner scn_real_planner(scn_pattern p)
{
    return planners[p];
}

int64_t scn_real_reserve(scn_pattern p)
{
    return p == SCN_NEW_ACCOUNT_BURST ? 1 : p == SCN_WATCHLIST ? 2 : 0;
}
