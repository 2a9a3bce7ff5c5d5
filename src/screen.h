/* screen.h - screening one message: decode, admission, apply, rules.
 *
 * The one path every input message takes, whoever reads it: the pipeline's
 * workers, `interdict replay` and the tests that screen in process. A
 * message goes through two steps, which a caller may take at different
 * times (replay decodes everything first and screens in event-time order):
 *
 *  1. scr_decode_*: the bytes to a record, strictly (decode.h), and the
 *     checks a message fails on its own: a table message's key must be its
 *     account (so that compaction keeps the latest entry per account; an
 *     allow-list pair's is account/counterparty), a tombstone's key must be
 *     a valid account (or pair).
 *  2. scr_transfer, scr_report, scr_apply_update: the record against the
 *     configuration and the state. A transfer must be in the clearing
 *     currency and its id new; then it is applied to the graph and the
 *     rules judge it. A report is traced; one naming a transfer the state
 *     does not have is parked (graph.h) until that transfer comes. A table
 *     update is written to the state.
 *  3. scr_next_park, after each transfer or report of step 2: the parked
 *     reports that came due, one at a time: traced when the transfer just
 *     screened is theirs, refused (unknown_transfer, with their original
 *     message) when their time ran out or the park is full.
 *
 * Each step fills a scr_result: SCR_SCREENED (a transfer ruled on or a
 * report traced, its requests in the context's buffer), SCR_APPLIED (a table
 * update written), SCR_PARKED (a report kept to wait for its transfer:
 * nothing to emit) or SCR_REJECTED (a reason from reason.h and a detail for
 * the dead letter; the state is unchanged). Emitting, counting and dead
 * letters are the caller's.
 *
 * @locality any thread, one scr_ctx per thread: the request buffer and the
 *           hit counters are the caller's, the graph's locking is its own.
 */
#ifndef IX_SCREEN_H
#define IX_SCREEN_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "decode.h"
#include "desk.h"
#include "graph.h"
#include "iso20022.h"
#include "model.h"
#include "reason.h"
#include "rules.h"

#define SCR_MAX_REQUESTS  RULES_MAX_TRACE /* requests one message can raise */
#define SCR_DETAIL_MAX    256             /* a rejection's detail, with its NUL */
#define SCR_MAX_TRANSFERS ISO_MAX_TX      /* transfers one message can carry (pacs.008) */

/* What screening reads and where it writes; every pointer is the caller's. */
typedef struct scr_ctx {
    const char *currency;   /* the clearing currency: transfers in another are refused */
    ix_format format;       /* of the transfers topic (topic.transfers.format) */
    dec_limits lim;         /* decoding bounds; now_ms is given per transfer */
    int64_t report_past_ms; /* a report's time may be at most this far before now:
                               the longer of input.max.past and state.retention */
    int64_t park_time_ms;   /* reports.park.time */
    size_t park_max;        /* reports.park.max; 0: a report is never parked */
    graph *g;
    const rules *r;
    ix_request *reqs;   /* room for SCR_MAX_REQUESTS requests */
    uint64_t *hits;     /* RULES_COUNTERS rule-hit counters, added to; may be NULL */
    desk_set *desk;     /* allow-list and dismissals (desk.h); NULL: none */
    uint64_t *held;     /* findings the desk held back, added to; may be NULL */
    int64_t dismiss_ms; /* verdict.dismiss.time */
} scr_ctx;

/* A context for c's currency and input limits over g and r, asking g's
 * desk (graph_desk) when g is given. */
void scr_init(scr_ctx *s, const cfg *c, graph *g, const rules *r, ix_request *reqs, uint64_t *hits);

typedef enum scr_verdict {
    SCR_SCREENED, /* a transfer ruled on, a report traced: nreqs requests */
    SCR_APPLIED,  /* a table update written to the state */
    SCR_PARKED,   /* a report waiting for its transfer (graph_park): nothing to emit */
    SCR_REJECTED, /* refused, for reason; nothing changed */
} scr_verdict;

typedef struct scr_result {
    scr_verdict verdict;
    rsn_reason reason;           /* SCR_REJECTED: why; RSN_OK otherwise */
    char detail[SCR_DETAIL_MAX]; /* SCR_REJECTED: one line for the dead letter */
    int nreqs;                   /* SCR_SCREENED: requests in s->reqs */
} scr_result;

/* The table topics: what a message of each decodes to. */
typedef enum scr_table {
    SCR_T_ACCOUNTS = 0,  /* profiles */
    SCR_T_WATCHLIST = 1, /* watch-list entries; a null value is a tombstone */
    SCR_T_ALLOWLIST,     /* the desk's allow-list; a null value is a tombstone */
    SCR_T_VERDICTS,      /* the desk's verdicts */
} scr_table;

/* One message of a table topic, decoded. */
typedef enum scr_update_kind {
    SCR_PROFILE, /* an account profile: profile */
    SCR_WATCH,   /* a watch-list entry: watch */
    SCR_UNWATCH, /* a watch-list tombstone: watch.account only */
    SCR_ALLOW,   /* an allow-list entry: allow */
    SCR_UNALLOW, /* an allow-list tombstone: allow.account and .counterparty only */
    SCR_VERDICT, /* a verdict: verdict */
} scr_update_kind;

typedef struct scr_update {
    scr_update_kind kind;
    union {
        ix_account profile;
        ix_watch watch;
        desk_allow allow;
        desk_verdict verdict;
    };
} scr_update;

/* The transfers of one message of the transfers topic: one in JSON, one per
 * CdtTrfTxInf in pacs.008, in document order. */
typedef struct scr_transfers {
    size_t n;
    ix_transfer t[SCR_MAX_TRANSFERS];
} scr_transfers;

/* ---- step 1: decoding. Each returns 1 with the record filled, or 0 with
 * *res rejected. */

/* A message of the transfers topic in the context's format, the one
 * decoding of transfers wherever they are read. The event time must lie
 * within the input window around now_ms (0: no window, for history), and the
 * message key must be the sending account of every transfer in it: the
 * partition of the key is the partition that holds the sender's state. A
 * message is accepted or refused whole; its transfers are then screened one
 * by one (scr_transfer), each with a verdict of its own. */
int scr_decode_transfer(const scr_ctx *s, const void *key, size_t key_len, const void *buf,
                        size_t len, int64_t now_ms, scr_transfers *out, scr_result *res);

/* Transfer i of the n of one message was refused in step 2: when n > 1, the
 * detail starts with the transaction it was ("CdtTrfTxInf[2]: "), since the
 * dead letter carries the whole message. */
void scr_name_transaction(scr_result *res, size_t i, size_t n);

/* A report may name an old transfer: no time window (the trace bounds it). */
int scr_decode_report(const scr_ctx *s, const void *buf, size_t len, ix_report *rep,
                      scr_result *res);

/* A message of a table topic (a NULL payload is a tombstone on the watch
 * list and the allow-list). Table times may be old: no time window. */
int scr_decode_update(const scr_ctx *s, scr_table table, const void *key, size_t key_len,
                      const void *payload, size_t len, scr_update *u, scr_result *res);

/* Which table topic of c a topic is; -1 when none. */
int scr_table_of(const cfg *c, const char *topic);

/* ---- step 2: the state. Each returns 0 with *res filled, or -1 with errstr
 * on a storage or rule error (fatal: the state may be half changed). */

/* Admission (currency, then a new id), apply, rules. now_ms is when the
 * transfer is screened: the wall clock live, its event time in a replay. */
int scr_transfer(const scr_ctx *s, const ix_transfer *t, int64_t now_ms, scr_result *res,
                 char *errstr, size_t errstr_size);

/* Trace the reported transfer's money and raise a request where it went.
 * A report whose transfer the state does not have is parked with src, the
 * message it came in (its dead letter, should it expire). src may be NULL
 * where there is no message to keep (replay): the dead letter is then empty. */
int scr_report(const scr_ctx *s, const ix_report *rep, const park_src *src, int64_t now_ms,
               scr_result *res, char *errstr, size_t errstr_size);

/* Step 3, after every scr_transfer (t: that transfer) and scr_report (t
 * NULL), until it returns 0: the next parked report that came due, taken
 * out of the park into *out (the caller frees it, park_entry_free), with
 * *res: SCR_SCREENED when t is the transfer it names (traced as scr_report
 * would have traced it had it come after t, requests in s->reqs), or
 * SCR_REJECTED, unknown_transfer, when it expired (out->src is its
 * original message). Returns 1, 0 when nothing is due, or -1 with errstr. */
int scr_next_park(const scr_ctx *s, const ix_transfer *t, int64_t now_ms, park_entry **out,
                  scr_result *res, char *errstr, size_t errstr_size);

/* Write a table update to the state. A verdict is refused (unknown_request,
 * duplicate_verdict) unless it answers an open request of its account. */
int scr_apply_update(const scr_ctx *s, const scr_update *u, scr_result *res, char *errstr,
                     size_t errstr_size);

/* The admission of step 2 that needs no state (the currency), for a caller
 * that filters before it screens. Returns 1, or 0 with *res rejected. */
int scr_admit_transfer(const scr_ctx *s, const ix_transfer *t, scr_result *res);

#endif /* IX_SCREEN_H */
