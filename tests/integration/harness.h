/* harness.h - shared helpers of the scenario tests: an isolated environment
 * per test (unique topics, group and state directory), running the real
 * interdict binary, producing input and reading output back.
 */
#ifndef IX_HARNESS_H
#define IX_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <sys/types.h>

#include "config.h"
#include "feed.h"
#include "kafka.h"
#include "model.h"
#include "scenario.h"

typedef struct hx_env {
    char name[64];
    char dir[256];       /* temporary: state store, config file, logs */
    char conf_path[320]; /* config file the binary is started with */
    char log_path[320];  /* the binary's stderr, appended per run */
    cfg c;               /* this test's configuration */
    kafka_mock *mock;    /* when running on the embedded cluster */
} hx_env;

/* Set up an environment on `brokers`, or on a fresh embedded mock cluster
 * when brokers is NULL. Topics are named "<name>-<pid>-<topic>" and created. */
void hx_setup(hx_env *e, const char *name, const char *brokers);
/* The same with a number of partitions per topic other than 4. */
void hx_setup_partitions(hx_env *e, const char *name, const char *brokers, int partitions);
void hx_teardown(hx_env *e);

/* The real broker's address from KAFKA_BROKERS; fails the test if unset. */
const char *hx_kafka_brokers(void);

/* Run `interdict <command> -c conf [args...] ` (args NULL-terminated) and
 * return its exit status; its stderr goes to e->log_path and is printed if
 * the status is not `expect`. Kills it after timeout_s. */
int hx_run(hx_env *e, int timeout_s, int expect, const char *command, ...);

/* As hx_run, and the binary's stdout goes to out_path (truncated first), for
 * commands whose output is the result (tail, config). */
int hx_run_capture(hx_env *e, int timeout_s, int expect, const char *out_path, const char *command,
                   ...);

/* Start interdict without waiting (stdout to out_path, or the log when NULL),
 * and wait for a started one (kills it after timeout_s; prints the log when
 * its status is not `expect`). */
pid_t hx_spawn(hx_env *e, const char *out_path, const char *command, ...);
int hx_wait(hx_env *e, pid_t pid, int timeout_s, int expect);

/* The state store's digest line (`interdict inspect --digest`); the binary
 * must not be running. */
void hx_digest(hx_env *e, char *out, size_t size);

/* scripts/kafka.sh with these arguments (e.g. "stop --keep-data"). */
void hx_kafka(const char *args);
void hx_sleep_ms(int ms);

/* Read every committed message of a topic; see kafka_read_topic(). */
int64_t hx_read(hx_env *e, const char *topic, kafka_msg_fn fn, void *arg);

/* Sum over a topic's partitions of the group's committed offsets (missing
 * ones count 0), and of the high watermarks. */
int64_t hx_committed_sum(hx_env *e, const char *topic);
int64_t hx_end_sum(hx_env *e, const char *topic);

/* Sum over a topic's partitions of the offsets stored in the state store
 * (the binary must not be running). */
int64_t hx_stored_sum(hx_env *e, const char *topic);

/* A producer to the environment's brokers; hx_flush asserts full delivery. */
feed *hx_feed(hx_env *e);
void hx_send(feed *f, const char *topic, const char *key, const char *value);
void hx_flush(feed *f);

/* Value of a header of a message as a NUL-terminated string ("" if absent). */
const char *hx_header(const void *rkmessage, const char *name, char *buf, size_t size);

/* Copy every setting of src's configuration into dst's (an independently
 * owned copy), and whether a log of e's mentions `text`. */
void hx_copy_cfg(hx_env *dst, const hx_env *src);
int hx_log_contains(const hx_env *e, const char *text);
/* Polls the log until it contains text; fails after timeout_ms. */
void hx_wait_for_log(const hx_env *e, const char *text, int timeout_ms);

/* Write the configuration file now (a running interdict reads it on SIGHUP). */
void hx_write_conf(hx_env *e);

/* Set a configuration key of the environment (written at the next run). */
void hx_set(hx_env *e, const char *key, const char *value);

/* A stream with a known outcome (harness_chaos.c): background transfers,
 * `hits` transfers each touching a different watch-listed account, and with
 * `bad`, a malformed message and a duplicate transfer every 1000. */
typedef struct hx_chaos {
    uint64_t seed;
    int64_t transfers;
    int hits;
    int bad;
    int rate; /* transfers per second; 0 = as fast as the broker takes them */
} hx_chaos;

typedef struct hx_chaos_expect {
    char (*ids)[40]; /* the freeze-request ids that must appear, once each */
    int nids;
    int malformed, duplicates;
    int64_t messages; /* on the transfers topic */
} hx_chaos_expect;

void hx_chaos_produce(hx_env *e, const hx_chaos *spec, int64_t start_ms, hx_chaos_expect *x);
/* The same on a thread of its own, so the stream arrives while the test
 * disrupts the screener; returns once the watch list is on the broker, so a
 * screener started after it screens every transfer against it. Join the
 * returned thread before verifying. */
pthread_t hx_chaos_start(hx_env *e, const hx_chaos *spec, int64_t start_ms, hx_chaos_expect *x);
/* The output topics hold exactly the expected requests and dead letters,
 * and the group committed every message. */
void hx_chaos_verify(hx_env *e, const hx_chaos_expect *x);
void hx_chaos_free(hx_chaos_expect *x);
/* Only the freeze requests: exactly the expected ids, once each. */
void hx_chaos_verify_requests(hx_env *e, const hx_chaos_expect *x);
/* Every expected id is there, repeats allowed: for the embedded broker,
 * which serves aborted transactions to read_committed consumers. */
void hx_chaos_verify_present(hx_env *e, const hx_chaos_expect *x);

/* A generated stream onto e's topics, keyed as production keys it: the
 * profiles, the watch list, then the transfers in the wire form fmt, in
 * event-time order. Its fraud reports are kept in reports[0..*n) (room for
 * max) for hx_send_reports() once the transfers are screened, as victims
 * report after the money moved. */
void hx_produce_scenario(hx_env *e, scn *s, ix_format fmt, ix_report *reports, int max, int *n);
void hx_send_reports(hx_env *e, const ix_report *reports, int n);

/* The scenario shared by the real-broker and embedded-broker tests
 * (harness_scenarios.c). */
void hx_scenario_watchlist(hx_env *e);
void hx_scenario_trace(hx_env *e);

#endif /* IX_HARNESS_H */
