/* scenario_int.h - internals shared by scenario.c (options, stream, truth),
 * scenario_bg.c (background traffic), scenario_plan.c (planning instances),
 * scenario_patterns.c (the classic profile's patterns), scenario_real.c (the
 * realistic profile's attempts) and scenario_alike.c (its look-alikes).
 * Not for use outside those files.
 */
#ifndef IX_SCENARIO_INT_H
#define IX_SCENARIO_INT_H

#include <stdint.h>

#include "gen.h"
#include "scenario.h"
#include "vec.h"

#define SCN_MIN_MS  60000LL
#define SCN_HOUR_MS 3600000LL
#define SCN_DAY_MS  86400000LL

/* Local time of the simulated bank (China Standard Time, UTC+8): the daily
 * rhythm and the paydays follow the customers' clock. */
#define SCN_LOCAL_OFFSET_MS (8 * SCN_HOUR_MS)

/* Sub-streams of the root generator, so each part of the scenario draws
 * from its own sequence and stays put when another part changes. */
#define SCN_STREAM_PATTERN 0x1000000ULL /* + instance number */
#define SCN_STREAM_SLICE   0x2000000ULL /* + slice number */
#define SCN_STREAM_SPEND   0x4000000ULL /* + salary number (up to 2^40) */
#define SCN_STREAM_PLAN    0x3000000ULL /* payroll selection */
/* The realistic profile's instances, far above every salary number. */
#define SCN_STREAM_REAL  (1ULL << 44) /* + (typology << 20) + instance number */
#define SCN_STREAM_ALIKE (1ULL << 45) /* + (kind << 20) + instance number */

/* Kinds of background transfer. */
typedef enum scn_bg_kind {
    SCN_BG_SHOP,   /* person -> merchant, by popularity */
    SCN_BG_BILL,   /* person -> biller */
    SCN_BG_PEER,   /* person -> friend */
    SCN_BG_TRADE,  /* business or merchant -> supplier */
    SCN_BG_SALARY, /* employer -> employee, in payroll bursts */
    SCN_BG_SPEND,  /* salary spent at merchants over the following days */
    SCN_BG_RENT    /* salary partly paid on to a landlord */
} scn_bg_kind;

/* One background transfer before it gets its id. */
typedef struct scn_bg {
    int64_t time_ms;
    int64_t amount;
    int64_t from, to;
    uint64_t tie; /* creation order: equal times keep a deterministic order */
    uint8_t kind; /* scn_bg_kind */
    uint8_t channel;
} scn_bg;

/* One planned salary payment. */
typedef struct scn_salary {
    int64_t time_ms;
    int64_t person, employer;
    int64_t amount;
} scn_salary;

/* One injected transfer. */
typedef struct scn_inj {
    int64_t time_ms;
    int64_t amount;
    int64_t from, to;
    int64_t seq;   /* stream position, -1 until emitted */
    int64_t slot;  /* its place in scn.inst_seq */
    int32_t inst;  /* owning instance */
    int32_t order; /* creation order, the tie-breaker */
    uint8_t channel;
    uint8_t cover; /* an everyday transfer of an instance's account, not part of the instance */
} scn_inj;

/* One planned fraud report. */
typedef struct scn_rep {
    int64_t time_ms;
    int64_t victim;
    int64_t amount;
    int64_t victim_tx; /* creation order of the victim's transfer, then its position */
    int32_t inst;
    const char *source;
} scn_rep;

/* Profile overrides of a reserved account. */
typedef struct scn_actor {
    int64_t opened_at_ms; /* 0: the population's */
    uint32_t flags;
    uint8_t holder_type; /* 0: a person, as reserved accounts are; else an ix_holder_type */
} scn_actor;

typedef struct scn_watchent {
    int64_t index;
    int64_t added_at_ms;
} scn_watchent;

/* A planned instance; members and transfers are ranges of shared arrays. */
typedef struct scn_inst {
    scn_pattern pattern; /* a look-alike's: the typology it resembles */
    int number;
    int near_miss;
    int lookalike; /* scn_alike, or -1 for a laundering instance */
    int degree;    /* realistic: the instance's degree (docs/generator.md), else 0 */
    const char *violates;
    int64_t mem0, nmem; /* into scn.members */
    int64_t tx0, ntx;   /* into scn.inst_seq, after planning */
    int64_t start_ms, end_ms;
    int64_t report; /* into scn.reps, or -1 */
} scn_inst;

struct scn {
    scn_opts o;
    gen_pop pop;
    gen root; /* the seed holder that sub-streams fork from */
    int64_t start_ms, end_ms;

    /* Injected patterns. */
    vec insts;         /* scn_inst */
    vec members;       /* scn_member */
    vec injs;          /* scn_inj, sorted by time once planned */
    vec reps;          /* scn_rep, sorted by time once planned */
    int64_t *inst_seq; /* per instance, its transfers' stream positions in time order */
    scn_actor *actors; /* one per reserved account */
    int64_t actors_used;
    uint8_t *used; /* realistic: accounts already in an instance, a bit each */
    vec watch;     /* scn_watchent */

    /* Background. */
    int64_t bg_total; /* background transfers, salaries included */
    vec salaries;     /* scn_salary, by time */
    int64_t salary_next;
    vec heap; /* scn_bg: salary spending still to come, min-heap */
    uint64_t heap_tie;
    vec slice;     /* scn_bg: the current slice, sorted */
    vec slice_tmp; /* the radix sort's other buffer */
    int64_t slice_pos;
    int64_t nslices, slice_len, slice_next;
    double *mass; /* prefix sums of the daily rhythm over slices */

    /* Emission. */
    int64_t inj_next, rep_next;
    scn_stats st;
};

/* Relative weight of the daily rhythm at local hour h (0..23), per mille. */
int scn_rhythm(int hour);

/* Local hour (0..23) of a Unix time. */
int scn_local_hour(int64_t ms);

/* Background: plan payroll and slices; build the next slice. */
int scn_bg_plan(scn *s, char *errstr, size_t errstr_size);
int scn_bg_next_slice(scn *s, char *errstr, size_t errstr_size);

/* ---- planning instances (scenario_plan.c) ------------------------------ */

/* The instance counts of a scenario, defaults resolved. */
typedef struct scn_mix {
    int count[SCN_TYPOLOGY__COUNT]; /* laundering instances per pattern */
    int near[SCN_TYPOLOGY__COUNT];  /* near misses per pattern (classic) */
    int alike[SCN_ALIKE__COUNT];    /* look-alikes per kind (realistic) */
} scn_mix;

#define SCN_MARGIN_MS 1000 /* instances keep this far from both ends of the timeline */
#define SCN_SPLIT_MAX 128  /* parts of one split: every split count is bounded by 100 */

/* An instance under construction. A planner writes its members, transfers,
 * reports and watch-list entries; classic planners on the instance's own
 * clock from 0 (placement moves it), realistic ones at absolute times. */
typedef struct scn_plan {
    scn *s;
    int64_t inst; /* index in s->insts */
    int near;
    int absolute; /* the planner wrote event times in the timeline itself */
    gen r;
    int64_t mem0, inj0, rep0, watch0, actors0; /* where this instance's records start */
    int64_t opened_rank, opened_rel;           /* new account: opening time, relative */
    int64_t watch_rel;                         /* watch entry whose time is relative, or -1 */
    const char *violates;
    int degree; /* realistic: set by the planner */
    int oom;
} scn_plan;

typedef void (*scn_planner)(scn_plan *pl);

/* Log-uniform in [lo, hi]: amounts spread over orders of magnitude. */
int64_t scn_pl_amount(gen *r, int64_t lo, int64_t hi);

/* amount * k / 1000 for a k drawn inside [lo, hi] per mille, kept inside
 * in whole minor units; at least 1. */
int64_t scn_pl_share(gen *r, int64_t amount, int64_t lo, int64_t hi);

/* Split total into n parts (n <= SCN_SPLIT_MAX) in proportions of at most
 * 1:3; the parts add up to total exactly. */
void scn_pl_split(gen *r, int64_t total, int n, int64_t *parts);

/* The next reserved account. */
int64_t scn_pl_actor(scn_plan *pl);

/* An account joins the instance in a role; role is a static string. */
void scn_pl_member(scn_plan *pl, int64_t index, const char *role, int flag);
int scn_pl_is_member(const scn_plan *pl, int64_t index);

/* One injected transfer at time t; returns its creation order. */
int64_t scn_pl_tx(scn_plan *pl, int64_t from, int64_t to, int64_t amount, int64_t t, int channel);

/* The span an instance may take: the timeline less the margins. */
int64_t scn_pl_timeline(const scn_plan *pl);

/* A watch-list entry and a fraud report of the instance. */
void scn_pl_watch(scn_plan *pl, int64_t index, int64_t added_at_ms);
void scn_pl_report(scn_plan *pl, int64_t t, int64_t victim, int64_t amount, int64_t victim_order);

/* Reserved accounts the mix needs at most; plan every instance. */
int64_t scn_pat_reserve(const scn_opts *o, const scn_mix *mix);
int scn_pat_plan(scn *s, const scn_mix *mix, char *errstr, size_t errstr_size);

/* ---- the profiles' planners -------------------------------------------- */

/* Classic (scenario_patterns.c): the planner of pattern p, the reserved
 * accounts and distinct persons one instance needs at most. */
scn_planner scn_classic_planner(scn_pattern p);
int64_t scn_classic_reserve(const int64_t *param, scn_pattern p);
int64_t scn_classic_persons(const int64_t *param);

/* Realistic (scenario_real.c, scenario_alike.c): the planner of typology p
 * and of look-alike kind k; reserved accounts one instance needs at most. */
scn_planner scn_real_planner(scn_pattern p);
scn_planner scn_alike_planner(scn_alike k);
int64_t scn_real_reserve(scn_pattern p);
int64_t scn_alike_reserve(scn_alike k);

/* ---- building blocks of the realistic profile (scenario_real.c) --------- */

/* The instance's degree: its size class by its number (a fixed rotation,
 * so that every class is present in every mix of ten or more), then a
 * degree in the class, at least lo and at most hi. Sets pl->degree. */
int scn_rl_degree(scn_plan *pl, int lo, int hi);

/* An ordinary account of class c (a person: active) that no instance has
 * yet, joining this one. */
int64_t scn_rl_recruit(scn_plan *pl, gen_class c, const char *role, int flag);

/* A dormant person that no instance has yet, joining this one. */
int64_t scn_rl_dormant(scn_plan *pl, const char *role, int flag);

/* A reserved account (a fresh account with no life before the instance),
 * joining this one; opened `age_ms` before `first_ms`. holder: 0 or an
 * ix_holder_type. */
int64_t scn_rl_fresh(scn_plan *pl, const char *role, int flag, int64_t first_ms, int64_t age_ms,
                     int holder);

/* A window of *span ms placed at random in the timeline, starting at an
 * hour the daily rhythm makes likely; *span is shortened to fit. Returns
 * its start. */
int64_t scn_rl_window(scn_plan *pl, int64_t *span);

/* A time in [lo, hi], at an hour of day the daily rhythm makes likely when
 * the interval is long enough to choose. */
int64_t scn_rl_when(scn_plan *pl, int64_t lo, int64_t hi);

/* n times in [lo, hi], sorted, the first at lo and the last at hi (one
 * time: lo). */
void scn_rl_times(scn_plan *pl, int64_t lo, int64_t hi, int n, int64_t *out);

/* A transfer on a payment channel drawn from the everyday mix. */
int64_t scn_rl_tx(scn_plan *pl, int64_t from, int64_t to, int64_t amount, int64_t t);

/* An everyday transfer of an instance's account, in the stream but not in
 * the instance's ground truth. */
void scn_rl_cover(scn_plan *pl, int64_t from, int64_t to, int64_t amount, int64_t t);

/* An amount as people choose them: rounded to 100 CNY some of the time. */
int64_t scn_rl_round(scn_plan *pl, int64_t amount);

#endif /* IX_SCENARIO_INT_H */
