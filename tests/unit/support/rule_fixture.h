/* rule_fixture.h - the fixture of the rule tests: a rule set over a real
 * graph in a temporary directory, transfers applied and screened as the
 * pipeline does (screen.h: admission, apply, rules), profiles and watch-list
 * entries, and the checks they share.
 *
 * Use rfx_setup() from a cmocka setup function (naming the rule under test,
 * or none for every rule) and rfx_teardown() as the teardown.
 */
#ifndef IX_TEST_RULE_FIXTURE_H
#define IX_TEST_RULE_FIXTURE_H

#include <stdint.h>
#include <time.h>

#include "config.h"
#include "graph.h"
#include "model.h"
#include "rules.h"
#include "screen.h"

#define MIN_MS    60000LL               /* a minute */
#define HOUR_MS   (60 * MIN_MS)         /* an hour */
#define DAY_MS    (24 * HOUR_MS)        /* a day */
#define CNY(yuan) ((int64_t)(yuan)*100) /* whole yuan in minor units */

#define RFX_MAX_FLAGGED 32 /* accounts remembered in rfx.flagged */

/* Which banks the transfers (and profiles) carry. */
typedef enum rfx_banks {
    RFX_BANK_BY_SIDE,    /* the sender's BKCHCNBJ, the receiver's ICBKCNBJ */
    RFX_BANK_BY_ACCOUNT, /* "BANK" and the account's first four characters */
} rfx_banks;

typedef struct rfx {
    char dir[64];
    cfg c;
    graph *g;
    rules *r;
    rfx_banks banks;
    ix_request req[SCR_MAX_REQUESTS]; /* the requests of the last rfx_send() */
    uint64_t hits[RULES_COUNTERS];    /* hits per rule, indexed like rules_table */
    scr_ctx scr;                      /* screening into g with r, requests into req */
    size_t slot;                      /* the rule under test's index in rules_table */
    char flagged[RFX_MAX_FLAGGED][IX_ACCOUNT_MAX + 1]; /* every account requested, in order */
    int nflagged;
} rfx;

/* Create the fixture in *state: a fresh graph, the default configuration
 * with only `rule` enabled among rules_table (NULL: every rule, as
 * configured), and the rule set. Returns 0; fails the test otherwise. */
int rfx_setup(void **state, const char *rule, rfx_banks banks);
int rfx_teardown(void **state);

/* A CNY transfer of `amount` from `from` to `to` at event time t, with the
 * banks of f->banks, into *x. */
void rfx_transfer(const rfx *f, ix_transfer *x, const char *id, const char *from, const char *to,
                  int64_t amount, int64_t t);

/* Screen one transfer as the pipeline does (detected 5 ms after its event
 * time); returns the requests, left in f->req. A transfer that admission
 * refuses (another currency, an id screened before) fails the test. */
int rfx_send(rfx *f, const char *id, const char *from, const char *to, int64_t amount, int64_t t);

/* Put a profile: a `holder` account opened at `opened_at_ms` with status
 * `flags` (IX_ACCT_*). rfx_profile(): opened at the epoch, no flags (only
 * the burst rule reads the opening date). */
void rfx_profile_opened(rfx *f, const char *account, ix_holder_type holder, int64_t opened_at_ms,
                        uint32_t flags);
void rfx_profile(rfx *f, const char *account, ix_holder_type holder);

/* Put `account` on the watch list as a confirmed mule. */
void rfx_watch(rfx *f, const char *account);

/* Figure i of a finding is `name` with that value and threshold. */
void assert_figure(const ix_finding *fd, int i, const char *name, int64_t value, int64_t threshold);

/* Seconds on the monotonic clock since *a. */
double rfx_seconds_since(const struct timespec *a);

#endif /* IX_TEST_RULE_FIXTURE_H */
