/* harness_replay.h - helpers of the operator-tool scenario tests (replay,
 * backup): input records built from a few fields and produced keyed as
 * production keys them, and whole files read back. */
#ifndef IX_HARNESS_REPLAY_H
#define IX_HARNESS_REPLAY_H

#include <stdint.h>

#include "feed.h"
#include "harness.h"

/* Unix ms of an RFC 3339 time; fails the test when it is not one. */
int64_t hx_time(const char *rfc3339);

/* A CNY transfer from -> to (both at `bank`), keyed by its sender. */
void hx_send_transfer(hx_env *e, feed *f, const char *id, const char *from, const char *to,
                      int64_t amount, int64_t time_ms);

/* A person's profile at `bank`, opened at opened_ms, keyed by the account. */
void hx_send_profile(hx_env *e, feed *f, const char *account, const char *bank, int64_t opened_ms);

/* A watch-list entry on the confirmed_mule list, keyed by the account. */
void hx_send_watch(hx_env *e, feed *f, const char *account, const char *bank, const char *reason,
                   int64_t added_ms);

/* A victim's report of their transfer `transfer_id`, keyed by the victim. */
void hx_send_report(hx_env *e, feed *f, const char *id, const char *transfer_id, const char *victim,
                    int64_t amount, int64_t reported_ms);

/* The whole file as a string (free it); "" when missing. */
char *hx_slurp(const char *path);

#endif /* IX_HARNESS_REPLAY_H */
