/* tail.h - `interdict tail`: follow the interceptions topic and show each
 * freeze request to a fraud desk, readable (render.h) or as JSON lines.
 *
 * It reads like any desk consumer must, with isolation.level=read_committed,
 * so it shows exactly the requests a desk will act on and none from an
 * aborted transaction. It is assigned every partition and commits nothing:
 * running it never moves a consumer group's offsets.
 */
#ifndef IX_TAIL_H
#define IX_TAIL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <librdkafka/rdkafka.h>

#include "config.h"
#include "log.h"
#include "model.h"

#define TAIL_FILTER_MAX 16 /* values per filter (--action, --bank, --rule) */
#define TAIL_RULE_MAX   64 /* longest rule name or reason code */

/* What to show and when to stop; zero is "everything new, until signalled". */
typedef struct tail_opts {
    int from_beginning;    /* start at each partition's start, not its end */
    int json;              /* print the request's JSON, one line each */
    int64_t count;         /* stop after this many requests shown; 0: no limit */
    int64_t until_idle_ms; /* stop after this long without a message; 0: never */
    unsigned actions;      /* 1u << ix_action for each --action; 0: any action */
    int nbanks;            /* --bank values; none: any bank */
    char banks[TAIL_FILTER_MAX][IX_BANK_MAX + 1];
    int nrules; /* --rule values; none: any rule */
    char rules[TAIL_FILTER_MAX][TAIL_RULE_MAX + 1];
} tail_opts;

/* Add one filter value, checked and normalised (upper case for actions and
 * BICs). An action is FREEZE, HOLD or REVIEW in any case; a bank is a BIC of
 * 8 or 11 letters and digits; a rule is a rule name (watchlist_counterparty)
 * or a reason code (WL01). Returns 0, or -1 with "--opt VALUE: why" in errstr. */
int tail_add_action(tail_opts *o, const char *value, char *errstr, size_t errstr_size);
int tail_add_bank(tail_opts *o, const char *value, char *errstr, size_t errstr_size);
int tail_add_rule(tail_opts *o, const char *value, char *errstr, size_t errstr_size);

/* Whether a message passes the filters: its action is one of the actions
 * AND its bank one of the banks AND one of its findings has one of the
 * rules (by name or code); an empty filter passes everything. An 8-letter
 * BIC names a bank with all its branches (ICBKCNBJ matches ICBKCNBJ,
 * ICBKCNBJXXX and ICBKCNBJ001); an 11-letter one a single branch, where
 * XXX is the same as the 8-letter form.
 * Returns 1 if it passes, 0 if not, -1 with errstr filled if the message is
 * not a freeze request that render_check() accepts. */
int tail_match(const tail_opts *o, const void *json, size_t len, char *errstr, size_t errstr_size);

/* The parts of tail_match(), for readers that keep requests decoded (the
 * console): the action passes the action filter, the bank the bank filter,
 * one finding's rule name or reason code is one of the rules (0 when there
 * is no rule filter: "any finding passes" is the caller's). */
int tail_match_action(const tail_opts *o, int action);
int tail_match_bank(const tail_opts *o, const char *bank);
int tail_match_rule(const tail_opts *o, const char *rule, const char *code);

typedef struct tail_stats {
    int64_t read;       /* messages read */
    int64_t shown;      /* requests printed */
    int64_t filtered;   /* requests the filters left out */
    int64_t unreadable; /* messages that are not freeze requests, reported on err */
} tail_stats;

/* Follow c->topic_interceptions on c->brokers until o->count requests were
 * shown, o->until_idle_ms passed without a message, or *run became 0
 * (SIGINT, SIGTERM). Requests go to out, followed by a blank line (or one
 * line of JSON each with o->json), flushed one by one. A header line naming
 * the topic and the brokers, each unreadable message (with its partition and
 * offset) and a closing count go to err; the header and the count only when
 * lg's level is info or more. Broker outages are waited out (librdkafka
 * reconnects); a missing topic is an error.
 * Returns 0 (st filled), or -1 with errstr filled. */
int tail_run(const cfg *c, const tail_opts *o, const ix_log *lg, volatile sig_atomic_t *run,
             FILE *out, FILE *err, tail_stats *st, char *errstr, size_t errstr_size);

/* A request that passed the filters (render_check() accepted it), for
 * tail_follow's caller. Returns 0, or -1 with why filled: the message is
 * then counted and reported as unreadable. */
typedef int (*tail_request_fn)(void *arg, const rd_kafka_message_t *m, char *why, size_t why_size);

/* The same reading as tail_run, with each request handed to fn instead of
 * printed: the console keeps them. Report lines (header, unreadable
 * messages, the count) go to lg->out as "interdict NAME: ...". Runs until
 * *run becomes 0 or o->count / o->until_idle_ms end it. Returns 0, or -1
 * with errstr filled. */
int tail_follow(const cfg *c, const tail_opts *o, const ix_log *lg, volatile sig_atomic_t *run,
                const char *name, tail_request_fn fn, void *arg, tail_stats *st, char *errstr,
                size_t errstr_size);

#endif /* IX_TAIL_H */
