/* replay.h - `interdict replay`: re-screen a stretch of the input topics
 * into a fresh, temporary state with a chosen rule configuration, and report
 * what the decisions would have been, alone or against a second
 * configuration. The way to tune thresholds before changing them in
 * production.
 *
 * Nothing is written to Kafka and no offsets are committed: the input is read
 * by a plain assigned read_committed consumer. The table topics (accounts,
 * watchlist) are read in full first, as the pipeline does; the transfers and
 * fraud reports within the range are then read into memory, ordered by event
 * time, and screened through the same graph and rule code the pipeline runs,
 * once per configuration, each into its own state store in a temporary
 * directory that is removed afterwards.
 */
#ifndef IX_REPLAY_H
#define IX_REPLAY_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "log.h"

/* One end of the range. */
typedef enum replay_bound_kind {
    REPLAY_BOUND_NONE = 0, /* the start or the end of every partition */
    REPLAY_BOUND_OFFSET,   /* this offset in every partition of the transfers topic */
    REPLAY_BOUND_TIME      /* the first message at or after this Kafka timestamp (ms) */
} replay_bound_kind;

typedef struct replay_bound {
    replay_bound_kind kind;
    int64_t value;
} replay_bound;

#define REPLAY_SETS_MAX 64 /* --set options */

typedef struct replay_opts {
    replay_bound from, to;    /* [from, to): from included, to excluded */
    const char *base_name;    /* how to name the first configuration (its file), or NULL */
    const char *compare_file; /* --compare-with: the second configuration's file, or NULL */
    int nsets;                /* --set key=value, over the second configuration */
    const char *sets[REPLAY_SETS_MAX];
    int json; /* one JSON document instead of text */
} replay_opts;

/* Parse --from / --to: a non-negative integer offset or an RFC 3339 time.
 * Returns 0, or -1 with "OPT VALUE: why" in errstr. */
int replay_parse_bound(const char *opt, const char *value, replay_bound *b, char *errstr,
                       size_t errstr_size);

/* Add one --set key=value. Only keys that change decisions may differ
 * between the two runs: rules.*, action.*, rule.set, incident.cooldown (the
 * input is read once, with the first configuration). The value is checked
 * when the configuration is built. Returns 0, or -1 with errstr filled. */
int replay_add_set(replay_opts *o, const char *kv, char *errstr, size_t errstr_size);

/* Whether a key may differ between the two runs (see replay_add_set). */
int replay_rule_key(const char *key);

/* Replay with configuration c (the first run, "A") and, when o asks for a
 * comparison, a second one ("B"): the second is c with the rule keys of
 * o->compare_file (read over the defaults) and then o->sets. The report goes
 * to out, progress on long runs to err. *run becoming 0 stops early (an
 * error). Returns 0; -2 when the second configuration is invalid (a usage
 * error); -1 on a runtime error (Kafka, the temporary stores); errstr is
 * filled on both. */
int replay_run(const cfg *c, const replay_opts *o, const ix_log *lg, volatile sig_atomic_t *run,
               FILE *out, FILE *err, char *errstr, size_t errstr_size);

#endif /* IX_REPLAY_H */
