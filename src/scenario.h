/* scenario.h - the load generator's stream model: a realistic population and
 * its everyday transfers over a timeline that ends now, with labelled
 * laundering instances injected at random times and their ground truth.
 *
 * Two profiles share the population and the background. The classic one
 * injects wide, fast patterns on reserved accounts, each with an optional
 * near miss one bound short (the demo, the quality test and the classic
 * benchmark use it; scn_opts_default() picks it). The realistic one injects
 * small and slow laundering attempts of every typology, run by ordinary
 * accounts recruited from the background (they keep their everyday lives),
 * and legitimate look-alikes of each typology that a screener must not
 * freeze; interdict-gen and the benchmark default to it.
 *
 * A scenario is planned up front (scn_new): the population, every injected
 * instance (their transfers are few and held in memory), the payroll runs.
 * The background is then generated one time slice at a time while
 * scn_next() hands out the merged stream in event-time order, so memory
 * stays bounded by one slice (about 50,000 transfers) plus the salary
 * spending still to come, whatever the stream's length.
 *
 * Everything is a function of the options: the same options (seed and
 * now_ms included) give byte-identical streams, profiles and ground truth.
 * Transfer ids are "T" and 12 digits, numbered in stream order from 0;
 * report ids "R" and 10 digits. docs/generator.md describes the model, every
 * pattern, look-alike and the ground-truth format.
 *
 * @locality one thread per scn; the planned scenario is read-only apart
 *           from the stream position.
 */
#ifndef IX_SCENARIO_H
#define IX_SCENARIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"

/* What is injected, and how. */
typedef enum scn_profile_id {
    SCN_PROFILE_CLASSIC = 0, /* wide, fast patterns on reserved accounts, near misses */
    SCN_PROFILE_REALISTIC,   /* small, slow attempts by accounts with lives; look-alikes */
    SCN_PROFILE__COUNT
} scn_profile_id;

/* "classic", "realistic"; NULL when out of range. */
const char *scn_profile_name(scn_profile_id p);

/* The profile named s, or -1. */
int scn_profile_parse(const char *s);

/* The injectable patterns (typologies), in the order the ground truth lists
 * them. The classic profile has the first SCN_PATTERN__COUNT; the realistic
 * one has them all but chain_slow (its chains are fast and slow alike). */
typedef enum scn_pattern {
    SCN_PASSTHROUGH = 0,             /* victims pay a mule who forwards most of it within minutes */
    SCN_FAN_IN,                      /* many unrelated senders pay one collector within hours */
    SCN_FAN_OUT,                     /* one account pays many new receivers within hours */
    SCN_SCATTER_GATHER,              /* split over intermediaries, re-joined at a sink */
    SCN_GATHER_SCATTER,              /* collected at a hub, re-spread */
    SCN_CYCLE,                       /* money returns to the account it left */
    SCN_CHAIN,                       /* layering: A->B->C->D..., hops within a day */
    SCN_CHAIN_SLOW,                  /* layering with hops up to days apart */
    SCN_BIPARTITE,                   /* a group of senders each paying a group of receivers */
    SCN_STACK,                       /* two or more bipartite layers in sequence */
    SCN_STRUCTURING,                 /* repeated transfers just under the reporting threshold */
    SCN_NEW_ACCOUNT_BURST,           /* a days-old account moving large volume */
    SCN_DORMANT_BURST,               /* a dormant account suddenly moving volume */
    SCN_WATCHLIST,                   /* transfers with a watch-listed account */
    SCN_VICTIM_REPORT,               /* a victim's money traced downstream after a fraud report */
    SCN_PATTERN__COUNT,              /* the classic profile's patterns */
    SCN_RANDOM = SCN_PATTERN__COUNT, /* realistic: a random walk of hops among a group */
    SCN_TYPOLOGY__COUNT
} scn_pattern;

/* "passthrough", "fan_in", ...; NULL when out of range. */
const char *scn_pattern_name(scn_pattern p);

/* The pattern named s, or -1. */
int scn_pattern_parse(const char *s);

/* Whether profile f injects pattern p. */
int scn_pattern_in_profile(scn_profile_id f, scn_pattern p);

/* Legitimate look-alikes of the realistic profile: everyday money flows
 * that resemble a typology. Nobody in them is to be flagged. */
typedef enum scn_alike {
    SCN_ALIKE_PAYROLL = 0,     /* a small business paying its staff: fan-out */
    SCN_ALIKE_SUPPLIERS,       /* a business paying its suppliers: fan-out */
    SCN_ALIKE_LANDLORD,        /* a person collecting rent from tenants, paying a mortgage */
    SCN_ALIKE_VENDOR,          /* a street vendor's personal collection code: fan-in */
    SCN_ALIKE_PROCESSOR,       /* a payment processor settling to merchants: pass-through */
    SCN_ALIKE_ESCROW,          /* a house sale through escrow: pass-through, then on */
    SCN_ALIKE_FAMILY_CYCLE,    /* family money going round, loans repaid: cycle */
    SCN_ALIKE_BILL_SPLIT,      /* friends paying back their share of a bill: fan-in */
    SCN_ALIKE_DOWN_PAYMENT,    /* relatives pooling a deposit, each under the threshold */
    SCN_ALIKE_SHARED_RENT,     /* roommates paying the lead tenant, who pays the landlord */
    SCN_ALIKE_NEW_BUSINESS,    /* a days-old business with many new counterparties */
    SCN_ALIKE_NEW_SALARY,      /* a new account receiving a salary and spending it */
    SCN_ALIKE_FRIEND_GROUP,    /* friends settling up among themselves: bipartite */
    SCN_ALIKE_REGULAR_FRIENDS, /* a person paying the same few friends again and again */
    SCN_ALIKE_DORMANT_WAKEUP,  /* a dormant account back in use: a transfer in, a bill out */
    SCN_ALIKE__COUNT
} scn_alike;

/* "payroll", "suppliers", ...; NULL when out of range. */
const char *scn_alike_name(scn_alike k);

/* The kind named s, or -1. */
int scn_alike_parse(const char *s);

/* The typology a look-alike kind resembles most. */
scn_pattern scn_alike_resembles(scn_alike k);

/* Size classes of realistic instances, by degree (docs/generator.md says
 * what the degree of each typology is). */
typedef enum scn_size {
    SCN_SIZE_NONE = 0, /* classic instances have none */
    SCN_SIZE_SMALL,    /* degree 2 to 4 */
    SCN_SIZE_MEDIUM,   /* 5 to 9 */
    SCN_SIZE_LARGE,    /* 10 and more */
    SCN_SIZE__COUNT
} scn_size;

/* "small", "medium", "large"; NULL for SCN_SIZE_NONE or out of range. */
const char *scn_size_name(scn_size z);
int scn_size_parse(const char *s);
scn_size scn_size_of(int degree);

/* Speed classes of realistic instances, by span (first to last event). */
typedef enum scn_speed {
    SCN_SPEED_NONE = 0,
    SCN_SPEED_FAST,   /* under 6 hours */
    SCN_SPEED_MEDIUM, /* 6 hours to 3 days */
    SCN_SPEED_SLOW,   /* 3 days and more */
    SCN_SPEED__COUNT
} scn_speed;

const char *scn_speed_name(scn_speed v);
scn_speed scn_speed_of(int64_t span_ms);

/* Whether the pattern has a near-miss variant (all but stack, watchlist
 * and victim_report). */
int scn_pattern_has_near_miss(scn_pattern p);

/* How a parameter's value is written and read. */
typedef enum scn_unit {
    SCN_UNIT_COUNT,    /* a plain integer */
    SCN_UNIT_DURATION, /* milliseconds, written "30m", "6h", "3d" */
    SCN_UNIT_PERCENT,  /* per mille, written "85%" or "99.9%" */
    SCN_UNIT_AMOUNT    /* minor units of CNY, a plain integer */
} scn_unit;

/* Every pattern parameter. Pairs named ..._MIN and ..._MAX bound a value drawn
 * uniformly per instance; near misses step just outside one bound. */
typedef enum scn_param {
    SCN_PT_VICTIMS_MIN = 0,
    SCN_PT_VICTIMS_MAX,
    SCN_PT_AMOUNT_MIN,
    SCN_PT_AMOUNT_MAX,
    SCN_PT_ONWARD_MIN,
    SCN_PT_ONWARD_MAX,
    SCN_PT_FORWARD_MIN,
    SCN_PT_FORWARD_MAX,
    SCN_PT_DELAY_MIN,
    SCN_PT_DELAY_MAX,
    SCN_FI_SENDERS_MIN,
    SCN_FI_SENDERS_MAX,
    SCN_FI_WINDOW_MIN,
    SCN_FI_WINDOW_MAX,
    SCN_FI_AMOUNT_MIN,
    SCN_FI_AMOUNT_MAX,
    SCN_FO_RECEIVERS_MIN,
    SCN_FO_RECEIVERS_MAX,
    SCN_FO_WINDOW_MIN,
    SCN_FO_WINDOW_MAX,
    SCN_FO_AMOUNT_MIN,
    SCN_FO_AMOUNT_MAX,
    SCN_SG_MIDS_MIN,
    SCN_SG_MIDS_MAX,
    SCN_SG_AMOUNT_MIN,
    SCN_SG_AMOUNT_MAX,
    SCN_SG_FORWARD_MIN,
    SCN_SG_FORWARD_MAX,
    SCN_SG_SPLIT_WINDOW,
    SCN_SG_DELAY_MIN,
    SCN_SG_DELAY_MAX,
    SCN_GS_SENDERS_MIN,
    SCN_GS_SENDERS_MAX,
    SCN_GS_RECEIVERS_MIN,
    SCN_GS_RECEIVERS_MAX,
    SCN_GS_AMOUNT_MIN,
    SCN_GS_AMOUNT_MAX,
    SCN_GS_FORWARD_MIN,
    SCN_GS_FORWARD_MAX,
    SCN_GS_COLLECT_WINDOW,
    SCN_GS_DELAY_MIN,
    SCN_GS_DELAY_MAX,
    SCN_CY_HOPS_MIN,
    SCN_CY_HOPS_MAX,
    SCN_CY_GAP_MIN,
    SCN_CY_GAP_MAX,
    SCN_CY_SPAN_MAX,
    SCN_CY_KEEP_MIN,
    SCN_CY_AMOUNT_MIN,
    SCN_CY_AMOUNT_MAX,
    SCN_CH_HOPS_MIN,
    SCN_CH_HOPS_MAX,
    SCN_CH_GAP_MIN,
    SCN_CH_GAP_MAX,
    SCN_CH_KEEP_MIN,
    SCN_CH_KEEP_MAX,
    SCN_CH_AMOUNT_MIN,
    SCN_CH_AMOUNT_MAX,
    SCN_CS_HOPS_MIN,
    SCN_CS_HOPS_MAX,
    SCN_CS_GAP_MIN,
    SCN_CS_GAP_MAX,
    SCN_CS_KEEP_MIN,
    SCN_CS_KEEP_MAX,
    SCN_CS_AMOUNT_MIN,
    SCN_CS_AMOUNT_MAX,
    SCN_BP_SENDERS_MIN,
    SCN_BP_SENDERS_MAX,
    SCN_BP_RECEIVERS_MIN,
    SCN_BP_RECEIVERS_MAX,
    SCN_BP_DENSITY_MIN,
    SCN_BP_WINDOW_MIN,
    SCN_BP_WINDOW_MAX,
    SCN_BP_AMOUNT_MIN,
    SCN_BP_AMOUNT_MAX,
    SCN_ST_LAYERS_MIN,
    SCN_ST_LAYERS_MAX,
    SCN_ST_GROUP_MIN,
    SCN_ST_GROUP_MAX,
    SCN_ST_DENSITY_MIN,
    SCN_ST_WINDOW_MAX,
    SCN_ST_LAYER_GAP_MIN,
    SCN_ST_LAYER_GAP_MAX,
    SCN_ST_AMOUNT_MIN,
    SCN_ST_AMOUNT_MAX,
    SCN_SR_COUNT_MIN,
    SCN_SR_COUNT_MAX,
    SCN_SR_BAND_MIN,
    SCN_SR_BAND_MAX,
    SCN_SR_WINDOW_MIN,
    SCN_SR_WINDOW_MAX,
    SCN_NB_AGE_MAX,
    SCN_NB_VOLUME_MIN,
    SCN_NB_WINDOW,
    SCN_NB_TRANSFERS_MIN,
    SCN_NB_TRANSFERS_MAX,
    SCN_DB_VOLUME_MIN,
    SCN_DB_WINDOW,
    SCN_DB_TRANSFERS_MIN,
    SCN_DB_TRANSFERS_MAX,
    SCN_WL_TRANSFERS_MIN,
    SCN_WL_TRANSFERS_MAX,
    SCN_WL_AMOUNT_MIN,
    SCN_WL_AMOUNT_MAX,
    SCN_WL_QUIET,
    SCN_VR_HOPS_MIN,
    SCN_VR_HOPS_MAX,
    SCN_VR_AMOUNT_MIN,
    SCN_VR_AMOUNT_MAX,
    SCN_VR_DELAY_MIN,
    SCN_VR_DELAY_MAX,
    SCN_VR_FORWARD_MIN,
    SCN_VR_FORWARD_MAX,
    SCN_VR_REPORT_MIN,
    SCN_VR_REPORT_MAX,
    SCN_VR_SPLIT,
    SCN_VR_MIX,
    SCN_PARAM__COUNT
} scn_param;

/* One parameter: its name on the command line, default and bounds (in the
 * stored unit: ms, per mille, minor units), and what it means. */
typedef struct scn_param_def {
    const char *name; /* "<pattern>.<key>", e.g. "fan_in.senders_min" */
    scn_pattern pattern;
    scn_unit unit;
    int64_t def, min, max;
    const char *summary;
} scn_param_def;

/* Indexed by scn_param. */
extern const scn_param_def scn_params[SCN_PARAM__COUNT];

/* The parameter named `name`, or -1. */
int scn_param_find(const char *name);

/* A value written in the parameter's unit; returns the length, as snprintf. */
int scn_param_format(scn_param p, int64_t v, char *buf, size_t size);

/* Options of a scenario. scn_opts_default() fills every field (the classic
 * profile); then set now_ms (required) and whatever else differs. */
typedef struct scn_opts {
    scn_profile_id profile;
    uint64_t seed;
    int64_t accounts;               /* population size; default 100000 */
    int64_t transfers;              /* total transfers, background and injected; default 1000000 */
    int64_t now_ms;                 /* end of the timeline, Unix ms; required */
    int64_t duration_ms;            /* the timeline's span, 1 minute .. 30 days; default 3 days */
    int merchant_permille;          /* shares of the population; default 60 */
    int business_permille;          /* default 40; persons are the rest */
    int64_t threshold;              /* reporting threshold in minor units; default 5000000 */
    int count[SCN_TYPOLOGY__COUNT]; /* instances per pattern; -1: the profile's default */
    int near[SCN_TYPOLOGY__COUNT];  /* near misses per pattern; -1: as count when near_misses */
    int alike[SCN_ALIKE__COUNT];    /* look-alikes per kind (realistic); -1: the default */
    int near_misses;                /* inject near-miss variants (classic) */
    int64_t param[SCN_PARAM__COUNT];
} scn_opts;

void scn_opts_default(scn_opts *o);

/* Switch to profile f with its stream defaults: classic 1,000,000 transfers
 * over 3 days, realistic 2,000,000 over 28 days. Other fields are kept. */
void scn_opts_profile(scn_opts *o, scn_profile_id f);

/* Classic instances per pattern when not given: a handful, scaled with
 * the population (accounts / 20000, at least 2, at most 50). */
int scn_default_count(int64_t accounts);

/* Realistic attempts per typology and look-alikes per kind when not given:
 * accounts / 2500, at least 2, at most 100. */
int scn_default_count_realistic(int64_t accounts);

/* Set parameter `name` from its written value, checking its bounds.
 * Returns 0, or -1 with "name: why" in errstr. */
int scn_param_set(scn_opts *o, const char *name, const char *value, char *errstr,
                  size_t errstr_size);

/* Apply a mix: "name=count,..." where a name is a pattern or (realistic) a
 * look-alike kind; "all=N" sets every pattern of the options' profile,
 * "lookalikes=N" every look-alike kind. Returns 0, or -1 with errstr filled. */
int scn_mix_set(scn_opts *o, const char *spec, char *errstr, size_t errstr_size);

/* Every parameter with its default and summary, for --help. */
void scn_print_params(FILE *out);

typedef struct scn scn;

/* Plan a scenario. Returns 0 and sets *out, or -1 with errstr filled
 * (inconsistent options, a mix that does not fit the population or the
 * transfer count, out of memory). */
int scn_new(const scn_opts *o, scn **out, char *errstr, size_t errstr_size);

/* Accepts NULL. */
void scn_destroy(scn *s);

/* The timeline: [start, end] with end == now_ms. */
int64_t scn_start_ms(const scn *s);
int64_t scn_end_ms(const scn *s);

/* Population size, and the profile of account i (0 <= i < accounts),
 * including what patterns need (opening date, dormant flag). */
int64_t scn_accounts(const scn *s);
void scn_profile(const scn *s, int64_t i, ix_account *out);

/* The watch list: entries for watch-listed pattern accounts and for quiet
 * listed accounts that never transact. */
int64_t scn_watch_count(const scn *s);
void scn_watch(const scn *s, int64_t k, ix_watch *out);

typedef enum scn_event_kind { SCN_EVENT_TRANSFER = 1, SCN_EVENT_REPORT } scn_event_kind;

/* One record of the stream: a transfer for the transfers topic or a fraud
 * report for the fraud-reports topic, at its event time. */
typedef struct scn_event {
    scn_event_kind kind;
    ix_transfer transfer; /* SCN_EVENT_TRANSFER */
    ix_report report;     /* SCN_EVENT_REPORT */
    int64_t time_ms;      /* event time / reported_at */
} scn_event;

/* The next record in event-time order (ties: background, then injected
 * transfers, then reports). Returns 1 with *ev filled, 0 at the end of the
 * stream, -1 with errstr filled (out of memory). */
int scn_next(scn *s, scn_event *ev, char *errstr, size_t errstr_size);

/* Transfer id of stream position seq. */
void scn_transfer_id(int64_t seq, char *out, size_t size);

/* One account of a pattern instance. */
typedef struct scn_member {
    int64_t index;           /* account index in the population */
    const char *role;        /* static string: "mule", "collector", "sender", ... */
    int flag;                /* a correct screener freezes / flags this account */
    int64_t expected_amount; /* victim_report: money traced to it; -1 otherwise */
} scn_member;

/* A pattern instance as planned. Transfer positions are valid once the
 * stream has passed the instance's end. */
typedef struct scn_instance {
    scn_pattern pattern; /* a look-alike's: the typology it resembles */
    int number;          /* per pattern or kind, from 1: "<pattern>-<number>", "<kind>-<number>" */
    int near_miss;
    int lookalike;        /* scn_alike, or -1 for a laundering instance */
    scn_size size;        /* realistic: the size class of the degree; classic: none */
    int degree;           /* realistic: counterparties or hops (docs/generator.md), else 0 */
    scn_speed speed;      /* realistic: the speed class of the span; classic: none */
    const char *violates; /* near misses: the parameter whose bound is missed */
    int nmembers;
    const scn_member *members;
    int ntransfers;
    const int64_t *transfers; /* stream positions (ids via scn_transfer_id), -1 if not yet out */
    int64_t start_ms, end_ms; /* first and last event, the report included */
    int64_t report_seq;       /* victim_report: report number, else -1 */
} scn_instance;

int64_t scn_instance_count(const scn *s);

/* Instance k (0 <= k < scn_instance_count()), valid until scn_destroy(). */
void scn_instance_get(const scn *s, int64_t k, scn_instance *out);

/* Write instance k's ground-truth line (JSON and a newline; the format is
 * in docs/generator.md). Fails when the stream has not yet passed the
 * instance's end. Returns 0, or -1 with errstr filled. */
int scn_truth_write(const scn *s, int64_t k, FILE *out, char *errstr, size_t errstr_size);

typedef struct scn_stats {
    int64_t transfers;     /* emitted so far */
    int64_t background;    /* of which background */
    int64_t salaries;      /* of which payroll */
    int64_t spending;      /* of which salary spending (and rent) */
    int64_t injected;      /* of which pattern transfers */
    int64_t reports;       /* fraud reports emitted */
    int64_t planned;       /* total transfers the stream will have */
    int64_t instances;     /* pattern instances planned */
    int64_t near_misses;   /* of which near misses */
    int64_t lookalikes;    /* of which look-alikes */
    int64_t skipped;       /* instances that did not fit the timeline */
    int64_t spend_dropped; /* salary spending over a slice's quota, dropped */
} scn_stats;

void scn_get_stats(const scn *s, scn_stats *st);

#endif /* IX_SCENARIO_H */
