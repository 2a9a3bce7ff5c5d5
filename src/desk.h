/* desk.h - what the desk has decided: allow-list entries and the
 * suppressions left by dismissed requests, asked per finding.
 *
 * An allow-list entry names an account (the finding's account, any
 * counterparty) or a pair (from, to; unordered when `either_way`), the rule
 * codes it covers (none: every rule), a reason and an optional expiry. A
 * dismissed request suppresses its reason codes for its account until an
 * event time (the dismissal's time plus verdict.dismiss.time). Every time
 * here is event time (the stream's watermark), never wall time, so that a
 * replay decides as the live run did.
 *
 * The set only keeps and answers; decoding, the topics and persistence are
 * the callers' (not wired yet, see docs/desk.md). Lookups are linear: the
 * desk's lists are hundreds of entries, not millions.
 *
 * @locality not thread-safe: one screening thread owns a set.
 */
#ifndef IX_DESK_H
#define IX_DESK_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "vec.h"

#define DESK_RULES_MAX 8  /* rule codes one entry may name */
#define DESK_CODE_MAX  31 /* a finding's reason code, e.g. "WL01" */
#define DESK_NO_EXPIRY INT64_MAX

typedef struct desk_allow {
    char account[IX_ACCOUNT_MAX + 1];      /* the account, or the pair's from */
    char counterparty[IX_ACCOUNT_MAX + 1]; /* the pair's to; "" for an account entry */
    int either_way;                        /* a pair that matches (to, from) too */
    size_t n_rules;                        /* 0: every rule */
    char rules[DESK_RULES_MAX][DESK_CODE_MAX + 1];
    char reason[IX_TEXT_MAX + 1];
    int64_t expires_ms; /* event time; DESK_NO_EXPIRY when none */
} desk_allow;

typedef struct desk_suppress {
    char account[IX_ACCOUNT_MAX + 1];
    char rule[DESK_CODE_MAX + 1];
    char request_id[IX_ID_MAX + 1]; /* the dismissed request, for inspect */
    int64_t until_ms;               /* event time the suppression ends */
} desk_suppress;

typedef struct desk_set {
    vec allow;    /* desk_allow */
    vec suppress; /* desk_suppress */
} desk_set;

/* Why a finding is not to raise a request. */
typedef enum desk_why {
    DESK_NONE = 0,  /* raise it */
    DESK_ALLOWED,   /* an allow-list entry covers it */
    DESK_DISMISSED, /* a dismissed request suppresses it */
} desk_why;

/* Add or replace (same account, counterparty and either_way) an entry, as a
 * compacted table's update does. 0, or -1 when out of memory. */
int desk_allow_put(desk_set *d, const desk_allow *e);
/* Remove the entry with that key (a tombstone); 1 when one was removed. */
int desk_allow_del(desk_set *d, const char *account, const char *counterparty);
/* Suppress `rule` for `account` until `until_ms`; a later dismissal of the
 * same rule extends it, an earlier one never shortens it. 0, or -1. */
int desk_dismiss(desk_set *d, const char *account, const char *rule, const char *request_id,
                 int64_t until_ms);
/* Whether a finding of `rule` on `account` (its transfer's counterparty
 * `counterparty`, may be "" or NULL) at event time `now_ms` is to be held
 * back, and why. Allow-list first: an allow-listed finding is never
 * reported as merely dismissed. */
desk_why desk_check(const desk_set *d, const char *account, const char *counterparty,
                    const char *rule, int64_t now_ms);
/* Drop entries and suppressions that ended before `now_ms` (the
 * watermark); the number dropped. */
size_t desk_expire(desk_set *d, int64_t now_ms);
void desk_free(desk_set *d);

#endif
