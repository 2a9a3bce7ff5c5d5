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
 * The set keeps and answers; decoding (decode.h), the topics and
 * persistence (graph.h, at the checkpoint) are the callers'. Lookups are
 * linear: the desk's lists are hundreds of entries, not millions. The
 * records of raised requests (desk_request), which a verdict is checked
 * against, are not kept here: there may be millions, so the store keeps
 * them. This file also gives every record its stored bytes (desk_pack_*),
 * so that the store need not know their fields.
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
#define DESK_PACK_MAX  1024 /* the stored bytes of any record below, at most */

typedef struct desk_allow {
    char account[IX_ACCOUNT_MAX + 1];      /* the account, or the pair's from */
    char counterparty[IX_ACCOUNT_MAX + 1]; /* the pair's to; "" for an account entry */
    int either_way;                        /* a pair that matches (to, from) too */
    size_t n_rules;                        /* 0: every rule */
    char rules[DESK_RULES_MAX][DESK_CODE_MAX + 1];
    char reason[IX_TEXT_MAX + 1];
    int64_t added_ms;   /* event time the desk listed it */
    int64_t expires_ms; /* event time; DESK_NO_EXPIRY when none */
    uint64_t held;      /* findings it held back (desk_hold) */
} desk_allow;

typedef struct desk_suppress {
    char account[IX_ACCOUNT_MAX + 1];
    char rule[DESK_CODE_MAX + 1];
    char request_id[IX_ID_MAX + 1]; /* the dismissed request, for inspect */
    int64_t until_ms;               /* event time the suppression ends */
    uint64_t held;                  /* findings it held back (desk_hold) */
} desk_suppress;

typedef struct desk_set {
    vec allow;    /* desk_allow */
    vec suppress; /* desk_suppress */
    int dirty;    /* changed since the owner last stored it (the owner clears it) */
} desk_set;

/* The desk's answer to a request. */
typedef enum desk_answer {
    DESK_ANSWER_OPEN = 0,  /* not answered */
    DESK_ANSWER_CONFIRMED, /* a mule: the account joins the watch list */
    DESK_ANSWER_DISMISSED, /* not fraud: its rules are suppressed for the account */
} desk_answer;

/* What a raised request leaves for its verdict: whose it was, the reason
 * codes a dismissal suppresses, and whether it was answered. */
typedef struct desk_request {
    char id[IX_ID_MAX + 1];
    char account[IX_ACCOUNT_MAX + 1];
    char bank[IX_BANK_MAX + 1];
    size_t n_codes;
    char codes[IX_FINDINGS_MAX][DESK_CODE_MAX + 1];
    int64_t trigger_ms; /* event time of its trigger */
    desk_answer answer;
    int64_t answered_ms; /* the verdict's decided_at; 0 while open */
} desk_request;

/* One message of the verdicts topic (schemas/verdict.v1.json). */
typedef struct desk_verdict {
    char request_id[IX_ID_MAX + 1];
    char account[IX_ACCOUNT_MAX + 1];
    desk_answer answer;         /* DESK_ANSWER_CONFIRMED or _DISMISSED */
    char note[IX_TEXT_MAX + 1]; /* "" when none */
    int64_t decided_ms;
} desk_verdict;

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
/* desk_check, and when the answer is not DESK_NONE the entry that held the
 * finding counts it (its `held`), for inspect. */
desk_why desk_hold(desk_set *d, const char *account, const char *counterparty, const char *rule,
                   int64_t now_ms);
/* Drop entries and suppressions that ended before `now_ms` (the
 * watermark); the number dropped. */
size_t desk_expire(desk_set *d, int64_t now_ms);
void desk_free(desk_set *d);

/* The record a request leaves: its distinct reason codes in finding order. */
void desk_request_of(const ix_request *rq, desk_request *out);

/* "confirmed", "dismissed"; "" for DESK_ANSWER_OPEN. The parse is the
 * inverse (-1 for anything else, "" included). */
const char *desk_answer_name(desk_answer a);
int desk_answer_parse(const char *s);

/* Stored bytes: pack into buf (DESK_PACK_MAX) and return the length;
 * unpack returns 0, or -1 for bytes no pack wrote. */
size_t desk_pack_allow(const desk_allow *e, char *buf);
int desk_unpack_allow(const char *v, size_t len, desk_allow *e);
size_t desk_pack_suppress(const desk_suppress *s, char *buf);
int desk_unpack_suppress(const char *v, size_t len, desk_suppress *s);
size_t desk_pack_request(const desk_request *r, char *buf);
int desk_unpack_request(const char *v, size_t len, desk_request *r);

#endif
