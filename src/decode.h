/* decode.h - strict decoding of untrusted wire messages into model records.
 *
 * Every input topic carries JSON (schemas/<name>.v1.json). The decoders accept
 * exactly what the schemas allow and nothing else: unknown fields, wrong
 * types, over-long strings, invalid UTF-8, non-integer or out-of-range amounts,
 * unknown currencies and unparseable times are rejected with a reason that the
 * pipeline puts on the dead-letter record. Decoders never allocate into the
 * output record and never crash on any input (they are fuzzed).
 *
 * @locality any thread; decoders keep no state.
 */
#ifndef IX_DECODE_H
#define IX_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "desk.h"
#include "model.h"
#include "reason.h"

/* Largest accepted amount in minor units: 10^15, i.e. ten trillion in a
 * two-decimal currency; far above any real transfer, far below INT64_MAX so
 * that sums over windows cannot overflow. */
#define DEC_AMOUNT_MAX 1000000000000000LL

/* Bounds applied while decoding. The time range applies to a transfer's
 * event_time only: profile, watch-list and report times may legitimately be
 * old (compacted topics are replayed from the start). */
typedef struct dec_limits {
    size_t max_bytes;      /* reject larger messages (RSN_TOO_LARGE) */
    int64_t now_ms;        /* reference time for the range check, 0 = skip it */
    int64_t max_past_ms;   /* event time may be at most this far before now_ms */
    int64_t max_future_ms; /* event time may be at most this far after now_ms */
} dec_limits;

/* What was wrong, for people: the reason, the field involved (may be empty)
 * and a one-line detail. */
typedef struct dec_error {
    rsn_reason reason;
    char field[64]; /* a JSON key (at most DEC_KEY_ECHO bytes of it), or an XML
                       element path (iso20022.h) */
    char detail[160];
} dec_error;

/* Fill *lim with the defaults: 64 KiB, no time range check (now_ms 0; the
 * range itself defaults to 30 days back and 5 minutes ahead, for callers
 * that only set now_ms). */
void dec_limits_default(dec_limits *lim);

/* Each returns RSN_OK and fills *out, or a reason below RSN_DECODE_COUNT
 * (reason.h) and fills *err (err may
 * be NULL; lim may be NULL for the defaults). *out is zeroed first, so equal
 * messages give byte-identical records; on failure its content is
 * unspecified. Optional fields absent from the message are left zero (an
 * empty string, IX_CHANNEL_UNKNOWN, no status flags). */
rsn_reason dec_transfer(const void *buf, size_t len, const dec_limits *lim, ix_transfer *out,
                        dec_error *err);
rsn_reason dec_account(const void *buf, size_t len, const dec_limits *lim, ix_account *out,
                       dec_error *err);
rsn_reason dec_watch(const void *buf, size_t len, const dec_limits *lim, ix_watch *out,
                     dec_error *err);

/* The desk's messages (schemas/allowlist.v1.json, verdict.v1.json). An
 * allow-list entry names an account, or with `counterparty` a pair (not
 * an account with itself); `either_way` means nothing without one and is
 * read as false; `rules` are
 * 1 to DESK_RULES_MAX distinct reason codes (A-Z 0-9, the form of "WL01"),
 * absent for every rule; `expires_at`, when given, is after `added_at`
 * (else expires_ms is DESK_NO_EXPIRY). A verdict's `note` is optional. */
rsn_reason dec_allow(const void *buf, size_t len, const dec_limits *lim, desk_allow *out,
                     dec_error *err);
rsn_reason dec_verdict(const void *buf, size_t len, const dec_limits *lim, desk_verdict *out,
                       dec_error *err);

/* 1 when the n bytes at s are an account id as every schema writes one
 * (1 to IX_ACCOUNT_MAX of A-Z a-z 0-9 -), else 0: for account ids that come
 * without a document, such as the key of a watch-list tombstone. */
int dec_is_account(const void *s, size_t n);
rsn_reason dec_report(const void *buf, size_t len, const dec_limits *lim, ix_report *out,
                      dec_error *err);

/* ---- the field checks, for the decoders of other wire forms (iso20022.h).
 * Each takes the n bytes of a value already read (s need not be
 * NUL-terminated), names the field `name` in *err (not NULL) on failure,
 * and applies exactly the rules of the JSON schemas: */

/* An account id, 1 to IX_ACCOUNT_MAX of A-Z a-z 0-9 -, into out[IX_ACCOUNT_MAX + 1]. */
rsn_reason dec_text_account(const char *s, size_t n, const char *name, char *out, dec_error *err);
/* A BIC, 8 or 11 of A-Z 0-9, into out[IX_BANK_MAX + 1]. */
rsn_reason dec_text_bank(const char *s, size_t n, const char *name, char *out, dec_error *err);
/* A transfer id, 1 to IX_ID_MAX of A-Z a-z 0-9 . _ : -, into out[IX_ID_MAX + 1]. */
rsn_reason dec_text_id(const char *s, size_t n, const char *name, char *out, dec_error *err);
/* An active ISO 4217 code with a minor unit, into out[IX_CURRENCY_LEN + 1]. */
rsn_reason dec_text_currency(const char *s, size_t n, const char *name, char *out, dec_error *err);
/* An RFC 3339 time with a zone, to epoch milliseconds. */
rsn_reason dec_text_time(const char *s, size_t n, const char *name, int64_t *out, dec_error *err);

/* The checks of a whole transfer, after its fields: not to its own account
 * (reported on to_name), its event time within lim's window (on time_name). */
rsn_reason dec_transfer_check(const ix_transfer *t, const dec_limits *lim, const char *to_name,
                              const char *time_name, dec_error *err);

/* Most input bytes an error detail repeats, and an error field of a key
 * the message names (unknown or repeated). */
#define DEC_ECHO_MAX 40
#define DEC_KEY_ECHO 28

/* At most max bytes of untrusted s into out (which holds max + 4), cut on a
 * UTF-8 character boundary and marked "..." when cut; control characters
 * become '?' so that a detail can never forge a log line or a header. */
void dec_echo(char *out, const char *s, size_t len, size_t max);

/* Return the reason of a check that failed (expr an rsn_reason): the
 * decoders' way of running field checks in order. */
#define DEC_CHECK(expr)                                                                            \
    do {                                                                                           \
        rsn_reason r_ = (expr);                                                                    \
        if (r_ != RSN_OK) {                                                                        \
            return r_;                                                                             \
        }                                                                                          \
    } while (0)

/* Fill *err with r, the field and the detail; returns r. */
__attribute__((format(printf, 4, 5))) rsn_reason dec_fail(dec_error *err, rsn_reason r,
                                                          const char *field, const char *fmt, ...);

/* "reason_code: field: detail" into buf, always NUL-terminated. */
void dec_error_format(const dec_error *err, char *buf, size_t size);

#endif /* IX_DECODE_H */
