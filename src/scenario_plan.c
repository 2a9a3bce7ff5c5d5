/* scenario_plan.c - planning the injected instances: the building blocks
 * every planner uses (members, transfers, reports, watch-list entries,
 * amounts and splits), placing an instance in the timeline, and indexing
 * what was planned into stream order.
 *
 * A classic planner (scenario_patterns.c) works on the instance's own clock
 * starting at 0; placement then moves the instance to a random place in the
 * timeline (an instance that cannot fit is dropped and counted as skipped).
 * A realistic planner (scenario_real.c, scenario_alike.c) first takes a
 * window in the timeline and writes absolute times, so that its events can
 * fall at the hours people are awake; placement only checks and records it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_int.h"

/* ---- building blocks -------------------------------------------------- */

int64_t scn_pl_amount(gen *r, int64_t lo, int64_t hi)
{
    if (hi <= lo)
        return lo;
    double l = log((double)lo), h = log((double)hi);
    int64_t a = (int64_t)llround(exp(l + gen_unit(r) * (h - l)));
    return a < lo ? lo : a > hi ? hi : a;
}

int64_t scn_pl_share(gen *r, int64_t amount, int64_t lo, int64_t hi)
{
    int64_t k = hi - lo >= 2 ? gen_range(r, lo + 1, hi - 1) : lo;
    int64_t v = (amount * k + 500) / 1000;
    if (v * 1000 < amount * lo)
        v = (amount * lo + 999) / 1000;
    if (v * 1000 > amount * hi)
        v = amount * hi / 1000;
    return v < 1 ? 1 : v;
}

void scn_pl_split(gen *r, int64_t total, int n, int64_t *parts)
{
    int64_t w[SCN_SPLIT_MAX], sum = 0, given = 0;
    for (int k = 0; k < n; k++)
        sum += w[k] = gen_range(r, 1000, 3000);
    for (int k = 0; k < n - 1; k++)
        given += parts[k] = total * w[k] / sum;
    parts[n - 1] = total - given;
}

int64_t scn_pl_actor(scn_plan *pl)
{
    return gen_pop_index(&pl->s->pop, GEN_RESERVED, pl->s->actors_used++);
}

void scn_pl_member(scn_plan *pl, int64_t index, const char *role, int flag)
{
    scn_member *m = vec_push(&pl->s->members, sizeof(*m));
    if (!m) {
        pl->oom = 1;
        return;
    }
    m->index = index;
    m->role = role;
    m->flag = flag;
    m->expected_amount = -1;
}

int scn_pl_is_member(const scn_plan *pl, int64_t index)
{
    const scn_member *m = pl->s->members.p;
    for (int64_t k = pl->mem0; k < pl->s->members.n; k++)
        if (m[k].index == index)
            return 1;
    return 0;
}

int64_t scn_pl_tx(scn_plan *pl, int64_t from, int64_t to, int64_t amount, int64_t t, int channel)
{
    scn_inj *j = vec_push(&pl->s->injs, sizeof(*j));
    if (!j) {
        pl->oom = 1;
        return -1;
    }
    j->time_ms = t;
    j->amount = amount;
    j->from = from;
    j->to = to;
    j->seq = -1;
    j->slot = -1;
    j->inst = (int32_t)pl->inst;
    j->order = (int32_t)(pl->s->injs.n - 1);
    j->channel = (uint8_t)channel;
    return j->order;
}

int64_t scn_pl_timeline(const scn_plan *pl)
{
    return pl->s->end_ms - pl->s->start_ms - 2 * SCN_MARGIN_MS;
}

void scn_pl_watch(scn_plan *pl, int64_t index, int64_t added_at_ms)
{
    scn_watchent *w = vec_push(&pl->s->watch, sizeof(*w));
    if (!w) {
        pl->oom = 1;
        return;
    }
    w->index = index;
    w->added_at_ms = added_at_ms;
}

void scn_pl_report(scn_plan *pl, int64_t t, int64_t victim, int64_t amount, int64_t victim_order)
{
    static const char *const sources[] = {"police", "bank", "telecom", "victim"};
    scn_rep *r = vec_push(&pl->s->reps, sizeof(*r));
    if (!r) {
        pl->oom = 1;
        return;
    }
    r->time_ms = t;
    r->victim = victim;
    r->amount = amount;
    r->victim_tx = victim_order;
    r->inst = (int32_t)pl->inst;
    r->source = sources[gen_below(&pl->r, 4)];
}

/* ---- placing an instance ---------------------------------------------- */

/* The first and last event of the instance (its everyday cover transfers
 * left out), and whether every event, cover included, lies in [lo, hi]. */
static void extent(const scn_plan *pl, int64_t *first, int64_t *last, int64_t *all_lo,
                   int64_t *all_hi)
{
    const scn *s = pl->s;
    const scn_inj *j = s->injs.p;
    const scn_rep *r = s->reps.p;
    *first = *all_lo = INT64_MAX;
    *last = *all_hi = INT64_MIN;
    for (int64_t k = pl->inj0; k < s->injs.n; k++) {
        int64_t t = j[k].time_ms;
        *all_lo = t < *all_lo ? t : *all_lo;
        *all_hi = t > *all_hi ? t : *all_hi;
        if (j[k].cover)
            continue;
        *first = t < *first ? t : *first;
        *last = t > *last ? t : *last;
    }
    for (int64_t k = pl->rep0; k < s->reps.n; k++) {
        *last = r[k].time_ms > *last ? r[k].time_ms : *last;
        *all_hi = r[k].time_ms > *all_hi ? r[k].time_ms : *all_hi;
    }
}

/* Move the instance from its own clock to a random place in the timeline
 * (an absolute one stays). Returns 0, or 1 when it does not fit. */
static int place(scn_plan *pl)
{
    scn *s = pl->s;
    scn_inj *j = s->injs.p;
    scn_rep *r = s->reps.p;
    int64_t lo, hi, all_lo, all_hi, base = 0;
    extent(pl, &lo, &hi, &all_lo, &all_hi);
    if (lo > hi)
        return 1;
    if (pl->absolute) {
        if (all_lo < s->start_ms + SCN_MARGIN_MS || all_hi > s->end_ms - SCN_MARGIN_MS)
            return 1;
    } else {
        if (hi - lo > scn_pl_timeline(pl))
            return 1;
        base = s->start_ms + SCN_MARGIN_MS +
               gen_below(&pl->r, scn_pl_timeline(pl) - (hi - lo) + 1) - lo;
    }
    for (int64_t k = pl->inj0; k < s->injs.n; k++)
        j[k].time_ms += base;
    for (int64_t k = pl->rep0; k < s->reps.n; k++)
        r[k].time_ms += base;
    scn_inst *in = (scn_inst *)s->insts.p + pl->inst;
    in->start_ms = lo + base;
    in->end_ms = hi + base;
    if (pl->opened_rank >= 0)
        s->actors[pl->opened_rank].opened_at_ms = pl->opened_rel + lo + base;
    if (pl->watch_rel >= 0)
        ((scn_watchent *)s->watch.p)[pl->watch_rel].added_at_ms += lo + base;
    return 0;
}

static void set_used(scn *s, int64_t i, int on)
{
    if (!s->used)
        return;
    if (on)
        s->used[i >> 3] |= (uint8_t)(1u << (i & 7));
    else
        s->used[i >> 3] &= (uint8_t) ~(1u << (i & 7));
}

/* Forget an instance that does not fit; its accounts go back. */
static void rollback(scn_plan *pl)
{
    scn *s = pl->s;
    const scn_member *m = s->members.p;
    for (int64_t k = pl->mem0; k < s->members.n; k++)
        set_used(s, m[k].index, 0);
    s->members.n = pl->mem0;
    s->injs.n = pl->inj0;
    s->reps.n = pl->rep0;
    s->watch.n = pl->watch0;
    memset(s->actors + pl->actors0, 0, (size_t)(s->actors_used - pl->actors0) * sizeof(scn_actor));
    s->actors_used = pl->actors0;
    s->insts.n--;
    s->st.skipped++;
}

/* Plan one instance like `proto` (pattern, number, near miss, look-alike)
 * with `fn` drawing from sub-stream `stream`. */
static int plan_one(scn *s, const scn_inst *proto, uint64_t stream, scn_planner fn)
{
    scn_inst *in = vec_push(&s->insts, sizeof(*in));
    if (!in)
        return -1;
    *in = *proto;
    in->report = -1;
    scn_plan pl = {.s = s,
                   .inst = s->insts.n - 1,
                   .near = proto->near_miss,
                   .absolute = s->o.profile == SCN_PROFILE_REALISTIC,
                   .mem0 = s->members.n,
                   .inj0 = s->injs.n,
                   .rep0 = s->reps.n,
                   .watch0 = s->watch.n,
                   .actors0 = s->actors_used,
                   .opened_rank = -1,
                   .watch_rel = -1};
    gen_fork(&pl.r, &s->root, stream);
    fn(&pl);
    if (pl.oom)
        return -1;
    if (place(&pl) != 0) {
        rollback(&pl);
        return 0;
    }
    in = (scn_inst *)s->insts.p + pl.inst;
    in->violates = proto->near_miss ? pl.violates : NULL;
    in->degree = pl.degree;
    in->mem0 = pl.mem0;
    in->nmem = s->members.n - pl.mem0;
    s->st.near_misses += proto->near_miss;
    s->st.lookalikes += proto->lookalike >= 0;
    return 0;
}

static int cmp_inj(const void *a, const void *b)
{
    const scn_inj *x = a, *y = b;
    if (x->time_ms != y->time_ms)
        return x->time_ms < y->time_ms ? -1 : 1;
    return (x->order > y->order) - (x->order < y->order);
}

static int cmp_rep(const void *a, const void *b)
{
    const scn_rep *x = a, *y = b;
    if (x->time_ms != y->time_ms)
        return x->time_ms < y->time_ms ? -1 : 1;
    return (x->inst > y->inst) - (x->inst < y->inst);
}

/* Sort what was planned into stream order and index it per instance; cover
 * transfers belong to no instance's list. */
static int finish(scn *s)
{
    scn_inj *j = s->injs.p;
    scn_inst *in = s->insts.p;
    int64_t n = s->injs.n;
    int64_t *pos = malloc((size_t)(n ? n : 1) * sizeof(*pos));
    s->inst_seq = malloc((size_t)(n ? n : 1) * sizeof(*s->inst_seq));
    if (!pos || !s->inst_seq) {
        free(pos);
        return -1;
    }
    if (n > 0)
        qsort(j, (size_t)n, sizeof(*j), cmp_inj);
    for (int64_t k = 0; k < n; k++)
        in[j[k].inst].ntx += !j[k].cover;
    for (int64_t k = 0, at = 0; k < s->insts.n; k++) {
        in[k].tx0 = at;
        at += in[k].ntx;
        in[k].ntx = 0;
    }
    for (int64_t k = 0; k < n; k++) {
        scn_inst *owner = &in[j[k].inst];
        if (!j[k].cover) {
            j[k].slot = owner->tx0 + owner->ntx++;
            s->inst_seq[j[k].slot] = -1;
        }
        pos[j[k].order] = k;
    }
    scn_rep *r = s->reps.p;
    if (s->reps.n > 0)
        qsort(r, (size_t)s->reps.n, sizeof(*r), cmp_rep);
    for (int64_t k = 0; k < s->reps.n; k++) {
        r[k].victim_tx = pos[r[k].victim_tx];
        in[r[k].inst].report = k;
    }
    free(pos);
    return 0;
}

/* ---- the mix ------------------------------------------------------------ */

int64_t scn_pat_reserve(const scn_opts *o, const scn_mix *mix)
{
    int64_t total = 0;
    if (o->profile == SCN_PROFILE_CLASSIC) {
        for (int p = 0; p < SCN_PATTERN__COUNT; p++)
            total += (int64_t)(mix->count[p] + mix->near[p]) *
                     scn_classic_reserve(o->param, (scn_pattern)p);
        return total;
    }
    for (int p = 0; p < SCN_TYPOLOGY__COUNT; p++)
        total += (int64_t)mix->count[p] * scn_real_reserve((scn_pattern)p);
    for (int k = 0; k < SCN_ALIKE__COUNT; k++)
        total += (int64_t)mix->alike[k] * scn_alike_reserve((scn_alike)k);
    return total;
}

static int plan_classic(scn *s, const scn_mix *mix, char *errstr, size_t errstr_size)
{
    int64_t persons = gen_pop_count(&s->pop, GEN_PERSON);
    if (scn_classic_persons(s->o.param) > persons / 4) {
        snprintf(errstr, errstr_size,
                 "the pattern parameters need up to %lld distinct persons per instance, too "
                 "many for %lld persons",
                 (long long)scn_classic_persons(s->o.param), (long long)persons);
        return -1;
    }
    for (int p = 0; p < SCN_PATTERN__COUNT; p++) {
        for (int k = 0; k < mix->count[p] + mix->near[p]; k++) {
            int near = k >= mix->count[p];
            scn_inst proto = {
                .pattern = (scn_pattern)p, .number = k + 1, .near_miss = near, .lookalike = -1};
            uint64_t stream = SCN_STREAM_PATTERN + ((uint64_t)p << 19) + ((uint64_t)near << 18) +
                              (uint64_t)(k + 1);
            if (plan_one(s, &proto, stream, scn_classic_planner((scn_pattern)p)) != 0)
                return 1;
        }
    }
    return 0;
}

/* Realistic instances take accounts of their own: every one a different
 * group, at most a third of the persons in all. */
#define REAL_ACCOUNTS_MAX 16 /* accounts of one realistic instance, at most, on average */

static int plan_realistic(scn *s, const scn_mix *mix, char *errstr, size_t errstr_size)
{
    int64_t n = 0;
    for (int p = 0; p < SCN_TYPOLOGY__COUNT; p++)
        n += mix->count[p];
    for (int k = 0; k < SCN_ALIKE__COUNT; k++)
        n += mix->alike[k];
    if (n * REAL_ACCOUNTS_MAX > gen_pop_count(&s->pop, GEN_PERSON) / 3) {
        snprintf(errstr, errstr_size,
                 "the mix has %lld instances, too many for %lld persons: use more accounts or a "
                 "smaller mix",
                 (long long)n, (long long)gen_pop_count(&s->pop, GEN_PERSON));
        return -1;
    }
    for (int p = 0; p < SCN_TYPOLOGY__COUNT; p++)
        for (int k = 0; k < mix->count[p]; k++) {
            scn_inst proto = {.pattern = (scn_pattern)p, .number = k + 1, .lookalike = -1};
            uint64_t stream = SCN_STREAM_REAL + ((uint64_t)p << 20) + (uint64_t)(k + 1);
            if (plan_one(s, &proto, stream, scn_real_planner((scn_pattern)p)) != 0)
                return 1;
        }
    for (int a = 0; a < SCN_ALIKE__COUNT; a++)
        for (int k = 0; k < mix->alike[a]; k++) {
            scn_inst proto = {
                .pattern = scn_alike_resembles((scn_alike)a), .number = k + 1, .lookalike = a};
            uint64_t stream = SCN_STREAM_ALIKE + ((uint64_t)a << 20) + (uint64_t)(k + 1);
            if (plan_one(s, &proto, stream, scn_alike_planner((scn_alike)a)) != 0)
                return 1;
        }
    return 0;
}

int scn_pat_plan(scn *s, const scn_mix *mix, char *errstr, size_t errstr_size)
{
    int rc = s->o.profile == SCN_PROFILE_CLASSIC ? plan_classic(s, mix, errstr, errstr_size)
                                                 : plan_realistic(s, mix, errstr, errstr_size);
    if (rc < 0)
        return -1;
    s->st.instances = s->insts.n;
    if (rc == 0 && finish(s) == 0)
        return 0;
    snprintf(errstr, errstr_size, "out of memory planning the patterns");
    return -1;
}
