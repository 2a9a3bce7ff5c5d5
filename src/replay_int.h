/* replay_int.h - what replay.c (reading and screening) hands to
 * replay_report.c (the text and JSON report). Not for other modules.
 */
#ifndef IX_REPLAY_INT_H
#define IX_REPLAY_INT_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "decode.h"
#include "graph.h"
#include "model.h"
#include "rules.h"
#include "screen.h"

#define RP_CODE_MAX 8 /* a reason code with its NUL, "WL01" */

/* One freeze request, as much of it as the report shows. */
typedef struct rp_req {
    char account[IX_ACCOUNT_MAX + 1];
    char bank[IX_BANK_MAX + 1];
    char id[IX_ID_MAX + 1];
    char trigger[IX_ID_MAX + 1];
    int64_t trigger_time_ms;
    ix_action action;
    int score;
    int ncodes; /* distinct reason codes of its findings, in finding order */
    char codes[IX_FINDINGS_MAX][RP_CODE_MAX];
    /* The whole request as the screener publishes it (enc_request), with
     * its evidence: the document `tail --json` prints. Owned. */
    char *doc;
    size_t doc_len;
} rp_req;

/* One screening of the input with one configuration. */
typedef struct rp_run {
    char label[2];  /* "A" or "B" */
    char desc[512]; /* where the configuration came from, for people */
    cfg c;          /* owned */
    rules *r;
    graph *g;
    char dir[PATH_MAX]; /* its state store, inside the temporary directory */
    uint64_t hits[RULES_COUNTERS];
    ix_request *q; /* the requests of the event in hand */
    scr_ctx scr;   /* screening into g with r, requests into q, hits */
    rp_req *reqs;
    size_t nreqs, capreqs;
    int64_t screened, duplicates; /* transfers applied; ids seen before */
    int64_t traced, unknown;      /* reports traced; naming a transfer not in the state */
    uint64_t held;                /* findings the desk held back (docs/desk.md) */
    int64_t verdicts, refused; /* verdicts applied; refused (unknown_request, duplicate_verdict) */
} rp_run;

/* The part of one topic that was read: [start, end) per partition. */
typedef struct rp_range {
    const char *topic;
    int n;
    int32_t *part;
    int64_t *start, *end;
    int64_t messages;          /* read within the range */
    int64_t first_ts, last_ts; /* smallest and largest Kafka timestamp read; 0 when none */
} rp_range;

/* What was read, and what could not be screened. */
typedef struct rp_input {
    rp_range transfers, reports, accounts, watchlist, allowlist, verdicts;
    int64_t profiles, watch, tombstones; /* table records applied */
    int64_t table_rejected;
    int64_t allows, unallows, verdicts_read, desk_rejected; /* the desk's messages decoded */
    int64_t rejected[RSN_DECODE_COUNT]; /* transfers the decoder refused, by reason */
    int64_t rejected_total;
    int64_t foreign; /* transfers not in the clearing currency */
    int64_t reports_rejected;
    int64_t first_event_ms, last_event_ms; /* event times of what was screened */
} rp_input;

/* The report: text for people, or one JSON document. Returns 0, or -1 when
 * the JSON could not be built. */
void rp_report_text(const rp_input *in, const rp_run *runs, int nruns, const char *currency,
                    FILE *out);
int rp_report_json(const rp_input *in, const rp_run *runs, int nruns, const char *currency,
                   FILE *out);

#endif /* IX_REPLAY_INT_H */
