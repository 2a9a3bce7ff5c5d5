/* scenario_int.h - internals shared by scenario.c (options, stream, truth),
 * scenario_bg.c (background traffic) and scenario_patterns.c (injection).
 * Not for use outside those three files.
 */
#ifndef IX_SCENARIO_INT_H
#define IX_SCENARIO_INT_H

#include <stdint.h>

#include "gen.h"
#include "scenario.h"

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
} scn_actor;

typedef struct scn_watchent {
    int64_t index;
    int64_t added_at_ms;
} scn_watchent;

/* A planned instance; members and transfers are ranges of shared arrays. */
typedef struct scn_inst {
    scn_pattern pattern;
    int number;
    int near_miss;
    const char *violates;
    int64_t mem0, nmem; /* into scn.members */
    int64_t tx0, ntx;   /* into scn.inst_seq, after planning */
    int64_t start_ms, end_ms;
    int64_t report; /* into scn.reps, or -1 */
} scn_inst;

/* A growable array of fixed-size items. */
typedef struct scn_vec {
    void *p;
    int64_t n, cap;
} scn_vec;

struct scn {
    scn_opts o;
    gen_pop pop;
    gen root; /* the seed holder that sub-streams fork from */
    int64_t start_ms, end_ms;

    /* Injected patterns. */
    scn_vec insts;     /* scn_inst */
    scn_vec members;   /* scn_member */
    scn_vec injs;      /* scn_inj, sorted by time once planned */
    scn_vec reps;      /* scn_rep, sorted by time once planned */
    int64_t *inst_seq; /* per instance, its transfers' stream positions in time order */
    scn_actor *actors; /* one per reserved account */
    int64_t actors_used;
    scn_vec watch; /* scn_watchent */

    /* Background. */
    int64_t bg_total; /* background transfers, salaries included */
    scn_vec salaries; /* scn_salary, by time */
    int64_t salary_next;
    scn_vec heap; /* scn_bg: salary spending still to come, min-heap */
    uint64_t heap_tie;
    scn_vec slice;     /* scn_bg: the current slice, sorted */
    scn_vec slice_tmp; /* the radix sort's other buffer */
    int64_t slice_pos;
    int64_t nslices, slice_len, slice_next;
    double *mass; /* prefix sums of the daily rhythm over slices */

    /* Emission. */
    int64_t inj_next, rep_next;
    scn_stats st;
};

/* Append one zeroed item; returns it, or NULL when out of memory. */
void *scn_vec_push(scn_vec *v, size_t item);
void scn_vec_free(scn_vec *v);

/* Relative weight of the daily rhythm at local hour h (0..23), per mille. */
int scn_rhythm(int hour);

/* Local hour (0..23) of a Unix time. */
int scn_local_hour(int64_t ms);

/* Background: plan payroll and slices; build the next slice. */
int scn_bg_plan(scn *s, char *errstr, size_t errstr_size);
int scn_bg_next_slice(scn *s, char *errstr, size_t errstr_size);

/* Patterns: reserved accounts the mix needs at most; plan every instance. */
int64_t scn_pat_reserve(const scn_opts *o, const int *count, const int *near);
int scn_pat_plan(scn *s, const int *count, const int *near, char *errstr, size_t errstr_size);

#endif /* IX_SCENARIO_INT_H */
