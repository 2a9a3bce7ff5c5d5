/* truth.h - detection quality: freeze requests judged against the load
 * generator's ground truth (truth.jsonl, docs/generator.md).
 *
 * Feed it every truth line and every request (in any order, requests after
 * the truth), then read the measures. Two sets of measures, by the truth's
 * profile:
 *
 * Classic truth (lines without "kind"), the measures the quality test and
 * the benchmark have always used:
 *  - an instance (near misses left out) is caught when any account the
 *    truth flags received a request;
 *  - a request is right when its account takes part in a planted instance
 *    in any role; precision per reason code and overall.
 *
 * Realistic truth (lines with "kind": attempt or lookalike):
 *  - an attempt is caught when a request on one of its flagged accounts
 *    cites one of its transfers (the trigger or the evidence of a finding);
 *    counted with every action, and apart with HOLD and FREEZE only;
 *  - recall per typology and size class over the attempts with at least
 *    three transfers (TRUTH_MIN_TRANSFERS; shorter ones are shown apart);
 *  - the time from an attempt's first transfer to the event time of the
 *    first request that catches it;
 *  - precision of HOLD and FREEZE per reason code: right when the account
 *    is flagged in an attempt; wrong ones split into other accounts of
 *    attempts (victims, innocent counterparties), look-alike accounts and
 *    the background (every other account);
 *  - innocent accounts (every account the truth does not flag: look-alikes,
 *    victims, the background) with a HOLD or FREEZE, per 100,000, and with
 *    a REVIEW, in percent; per look-alike kind too.
 * A request id seen twice counts as a duplicate (and is judged once).
 */
#ifndef IX_TRUTH_H
#define IX_TRUTH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "scenario.h"

#define TRUTH_MIN_TRANSFERS 3 /* attempts with fewer are shown apart from the recall */
#define TRUTH_CODES_MAX     64

typedef struct truth truth;

/* An empty judge of a population of `accounts` (0 if unknown: the figures
 * per 100,000 are then left out). NULL when out of memory. */
truth *truth_new(int64_t accounts);

/* Accepts NULL. */
void truth_destroy(truth *t);

/* One line of truth.jsonl. Returns 0, or -1 with errstr filled (not JSON,
 * not a truth line, or out of memory). */
int truth_add_instance(truth *t, const char *json, size_t len, char *errstr, size_t errstr_size);

/* One freeze request (schemas/freeze-request.v1.json). Returns 0, 1 when it
 * could not be read (counted as unreadable), -1 when out of memory. */
int truth_add_request(truth *t, const char *json, size_t len);

/* Whether the truth read so far is of the realistic profile. */
int truth_realistic(const truth *t);

/* Recall of one typology and size class (realistic), or of one pattern
 * (classic: size SCN_SIZE_NONE, every instance counted). */
typedef struct truth_cell {
    int attempts;           /* with at least TRUTH_MIN_TRANSFERS transfers (classic: all) */
    int caught;             /* of which caught, any action */
    int caught_hold;        /* of which caught by a HOLD or FREEZE */
    int short_attempts;     /* realistic: fewer transfers, left out above */
    int short_caught;       /* of which caught, any action */
    int64_t median_ms;      /* first transfer to first catching request, caught ones; -1 */
    int64_t median_hold_ms; /* the same, HOLD or FREEZE; -1 */
} truth_cell;

void truth_cell_get(const truth *t, scn_pattern p, scn_size z, truth_cell *out);

/* Requests citing one reason code (a request citing two codes counts for
 * both). The hold_* and on_* fields count HOLD and FREEZE requests only. */
typedef struct truth_code {
    char code[8];
    int64_t review, hold, freeze;
    int64_t right;          /* HOLD/FREEZE on an account flagged in an attempt */
    int64_t on_participant; /* on another account of an attempt (victim, counterparty) */
    int64_t on_lookalike;   /* on an account of a look-alike */
    int64_t on_near;        /* classic: on an account of a near miss only */
    int64_t on_background;  /* on any other account */
    int64_t requests;       /* classic: every request citing it */
    int64_t classic_right;  /* classic: of which on a planted instance's account */
} truth_code;

int truth_code_count(const truth *t);
void truth_code_get(const truth *t, int i, truth_code *out);

/* The look-alikes of one kind: instances, their accounts, and how many of
 * those received a HOLD or FREEZE, and a REVIEW. */
typedef struct truth_alike {
    int instances;
    int64_t accounts, held, reviewed;
} truth_alike;

void truth_alike_get(const truth *t, scn_alike k, truth_alike *out);

typedef struct truth_totals {
    int attempts, counted, caught, caught_hold; /* counted: with enough transfers */
    int lookalikes;
    int classic_planted, classic_caught; /* classic measures */
    int64_t requests, review, hold, freeze, duplicates, unreadable;
    int64_t classic_right; /* classic: requests on a planted instance's account */
    int64_t hf_right, hf_participant, hf_lookalike, hf_near, hf_background; /* HOLD/FREEZE */
    int64_t accounts;                  /* the population, as given (0: unknown) */
    int64_t flagged;                   /* accounts flagged in an attempt */
    int64_t innocent;                  /* accounts - flagged (0 when unknown) */
    int64_t innocent_held;             /* innocent accounts with a HOLD or FREEZE */
    int64_t innocent_reviewed;         /* innocent accounts with a REVIEW */
    int64_t median_ms, median_hold_ms; /* over every counted attempt caught; -1 */
} truth_totals;

void truth_totals_get(const truth *t, truth_totals *out);

/* The report, Markdown (classic: the per-pattern table the benchmark has
 * always written; realistic: recall by typology and size, precision by
 * code, innocent accounts, look-alikes). */
void truth_write_markdown(const truth *t, FILE *out);

/* The summary for scripts, one "key value" a line (docs in bench/README.md). */
void truth_write_summary(const truth *t, FILE *out);

#endif /* IX_TRUTH_H */
