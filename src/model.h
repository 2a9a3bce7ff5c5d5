/* model.h - the domain records that flow through interdict.
 *
 * Every record here is a plain value type with fixed-size fields: decoders fill
 * them without allocating, the graph copies them, and rules read them. Field
 * limits match the JSON schemas in schemas/ (the decoder rejects anything
 * longer, it never truncates).
 */
#ifndef IX_MODEL_H
#define IX_MODEL_H

#include <stddef.h>
#include <stdint.h>

#define IX_ACCOUNT_MAX  34  /* ISO 13616 IBAN maximum; also fits domestic numbers */
#define IX_BANK_MAX     11  /* ISO 9362 BIC, 8 or 11 characters */
#define IX_ID_MAX       64  /* transfer, report and request identifiers */
#define IX_CURRENCY_LEN 3   /* ISO 4217 alphabetic code */
#define IX_TEXT_MAX     127 /* free-text reasons and list names */
#define IX_HASH_MAX     64  /* hex-encoded hashed identifiers (SHA-256) */

/* The wire format of the transfers topic (topic.transfers.format):
 * interdict's JSON (schemas/transfer.v1.json) or ISO 20022 pacs.008
 * (docs/iso20022.md). */
typedef enum ix_format { IX_FORMAT_JSON = 0, IX_FORMAT_PACS008, IX_FORMAT__COUNT } ix_format;

/* Indexed by ix_format, NULL-terminated: "json", "pacs008" (also the
 * configuration key's values). */
extern const char *const ix_format_names[IX_FORMAT__COUNT + 1];

/* Channel a transfer was initiated on; optional on the wire. */
typedef enum ix_channel {
    IX_CHANNEL_UNKNOWN = 0,
    IX_CHANNEL_MOBILE,
    IX_CHANNEL_ONLINE,
    IX_CHANNEL_BRANCH,
    IX_CHANNEL_ATM,
    IX_CHANNEL_POS,
    IX_CHANNEL__COUNT
} ix_channel;

/* One cleared bank transfer (schemas/transfer.v1.json). */
typedef struct ix_transfer {
    char id[IX_ID_MAX + 1];
    char from_account[IX_ACCOUNT_MAX + 1];
    char from_bank[IX_BANK_MAX + 1];
    char to_account[IX_ACCOUNT_MAX + 1];
    char to_bank[IX_BANK_MAX + 1];
    int64_t amount; /* minor units of currency, always > 0 */
    char currency[IX_CURRENCY_LEN + 1];
    int64_t event_time_ms; /* when the transfer cleared, Unix epoch milliseconds */
    ix_channel channel;
} ix_transfer;

typedef enum ix_holder_type {
    IX_HOLDER_UNKNOWN = 0,
    IX_HOLDER_PERSON,
    IX_HOLDER_BUSINESS,
    IX_HOLDER_MERCHANT,
    IX_HOLDER__COUNT
} ix_holder_type;

/* Account status flags, a bit set. */
#define IX_ACCT_DORMANT     0x01u /* reported dormant by the bank */
#define IX_ACCT_FROZEN      0x02u /* already frozen at the bank */
#define IX_ACCT_WATCHLISTED 0x04u /* on the watch list (set by the graph, not the wire) */

/* An account profile update (schemas/account.v1.json). */
typedef struct ix_account {
    char account[IX_ACCOUNT_MAX + 1];
    char bank[IX_BANK_MAX + 1];
    int64_t opened_at_ms;
    ix_holder_type holder_type;
    int kyc_level; /* 0 (none) .. 3 (full) */
    char holder_hash[IX_HASH_MAX + 1];
    char phone_hash[IX_HASH_MAX + 1];
    char device_hash[IX_HASH_MAX + 1];
    uint32_t flags; /* IX_ACCT_DORMANT | IX_ACCT_FROZEN */
    int64_t updated_at_ms;
} ix_account;

/* A watch-list entry (schemas/watchlist.v1.json). The Kafka key is the
 * account; a null value (tombstone) removes the entry. */
typedef struct ix_watch {
    char account[IX_ACCOUNT_MAX + 1];
    char bank[IX_BANK_MAX + 1];
    char list[IX_TEXT_MAX + 1];   /* e.g. "confirmed_mule", "police_report" */
    char reason[IX_TEXT_MAX + 1]; /* free text from the listing authority */
    int64_t added_at_ms;
} ix_watch;

/* A victim's fraud report naming one of their transfers
 * (schemas/fraud-report.v1.json). */
typedef struct ix_report {
    char id[IX_ID_MAX + 1];
    char transfer_id[IX_ID_MAX + 1];
    char victim_account[IX_ACCOUNT_MAX + 1];
    int64_t amount; /* reported loss in minor units, > 0 */
    char currency[IX_CURRENCY_LEN + 1];
    int64_t reported_at_ms;
    char source[IX_TEXT_MAX + 1]; /* "police", "bank", "telecom", "victim" */
} ix_report;

/* What the fraud desk is asked to do, in increasing severity. */
typedef enum ix_action {
    IX_ACTION_NONE = 0,
    IX_ACTION_REVIEW,
    IX_ACTION_HOLD,
    IX_ACTION_FREEZE
} ix_action;

/* Evidence limits: a finding lists at most this many of each kind. */
#define IX_PATH_MAX     10 /* accounts on an evidence path */
#define IX_EVIDENCE_MAX 16 /* transfers cited by one finding */
#define IX_FIGURES_MAX  6  /* measured figures that crossed thresholds */
#define IX_FINDINGS_MAX 8  /* findings carried by one freeze request */
#define IX_PARTS_MAX    16 /* parts of one request's score: one per rule */
#define IX_RULESET_MAX  15 /* rule-set version string */

/* One transfer cited as evidence. */
typedef struct ix_evidence {
    char transfer_id[IX_ID_MAX + 1];
    char from_account[IX_ACCOUNT_MAX + 1];
    char to_account[IX_ACCOUNT_MAX + 1];
    int64_t amount;
    int64_t time_ms;
} ix_evidence;

/* A measured figure next to the threshold it crossed, e.g. 12 distinct
 * senders against a threshold of 10. `name` points to static storage. */
typedef struct ix_figure {
    const char *name;
    int64_t value;
    int64_t threshold;
} ix_figure;

/* What one rule found about one account. `rule` and `code` point to static
 * storage (the rule table), so a finding is freely copyable. */
typedef struct ix_finding {
    const char *rule; /* rule name, e.g. "watchlist_counterparty" */
    const char *code; /* stable reason code, e.g. "WL01" */
    int score;        /* 0..100 */
    int64_t amount;   /* money at risk on this account, minor units */
    int npath;
    char path[IX_PATH_MAX][IX_ACCOUNT_MAX + 1];
    int nevidence;
    ix_evidence evidence[IX_EVIDENCE_MAX];
    int nfigures;
    ix_figure figures[IX_FIGURES_MAX];
} ix_finding;

/* One part of a request's score: a rule's strongest finding on the account
 * within the score horizon, this transfer's or an earlier one. `rule` and
 * `code` (the rule's code family, e.g. "FI/FO") are static. */
typedef struct ix_score_part {
    const char *rule;
    const char *code;
    int score;
    int64_t time_ms; /* event time of the finding */
} ix_score_part;

/* An emergency freeze request for one account (schemas/freeze-request.v1.json). */
typedef struct ix_request {
    char id[IX_ID_MAX + 1]; /* deterministic: same input, same id */
    char account[IX_ACCOUNT_MAX + 1];
    char bank[IX_BANK_MAX + 1];
    ix_action action;
    int score; /* sum of the parts' scores, capped at 100 */
    char rule_set[IX_RULESET_MAX + 1];
    char trigger_id[IX_ID_MAX + 1]; /* transfer or report that triggered it */
    int64_t trigger_amount;
    char currency[IX_CURRENCY_LEN + 1];
    int64_t trigger_time_ms; /* event time of the trigger */
    int64_t detected_at_ms;  /* wall clock at detection; informational only */
    int nfindings;
    ix_finding findings[IX_FINDINGS_MAX]; /* this trigger's findings on the account */
    int nparts;                           /* 0: the score is the findings' sum (a trace) */
    ix_score_part parts[IX_PARTS_MAX];
} ix_request;

/* Wire names, as the schemas spell them: "FREEZE", "HOLD", "REVIEW";
 * "mobile", "online", "branch", "atm", "pos"; "person", "business",
 * "merchant". The zero values are "NONE" and "unknown", which no schema
 * allows on the wire; a value out of range is "invalid". Static strings. */
const char *ix_action_name(ix_action a);

/* 1 when the n bytes of an account id have the shape of an ISO 13616 IBAN:
 * two letters A-Z, two digits, then letters and digits (5 to 34 in all;
 * the check digits are not verified). The pacs.008 wire form writes such an
 * account as IBAN, any other as Othr/Id, and reads an IBAN only in this
 * shape. */
int ix_iban_shaped(const char *s, size_t n);

/* The account id with every character but the first `head` and the last
 * `tail` written as '*' (all of them when the id is too short to keep both
 * ends and still hide two), into buf, cut to its size. The one masking of
 * screens others see (console.mask) and of log lines (log.accounts).
 * Returns buf. */
const char *ix_mask_account(const char *account, size_t head, size_t tail, char *buf, size_t size);
const char *ix_channel_name(ix_channel c);
const char *ix_holder_type_name(ix_holder_type h);

/* Inverse of the *_name functions (exact, case-sensitive match); return -1
 * when the name is unknown. */
int ix_action_parse(const char *s);
int ix_channel_parse(const char *s);
int ix_holder_type_parse(const char *s);
int ix_format_parse(const char *s);

#endif /* IX_MODEL_H */
