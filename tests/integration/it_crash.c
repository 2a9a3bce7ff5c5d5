/* it_crash.c - kill -9 the screener at random moments while it screens a
 * stream with known hits, restart it each time, and require exactly the
 * requests and dead letters of an uninterrupted run (none missing, none
 * twice) and the same state, by digest, as an uninterrupted run. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "harness.h"
#include "timefmt.h"

/* 40,000 transfers arriving at 2,500 a second: 16 s of stream, killed
 * every 2.5 to 4 s. */
static const hx_chaos spec = {.seed = 77, .transfers = 40000, .hits = 40, .bad = 1, .rate = 2500};
#define HX_GAP_PARTS 8 /* more than the harness's 4 transfers partitions */

static const hx_chaos spec_fast = {.seed = 77, .transfers = 40000, .hits = 40, .bad = 1};

static void fast_restarts(hx_env *e)
{
    /* A killed member is replaced at once (static membership, on by
     * default); its session only matters if it never comes back. */
    hx_set(e, "rdkafka.consumer.session.timeout.ms", "6000");
    hx_set(e, "commit.interval", "300ms");
}

/* The uninterrupted run, on topics and a store of its own: its state
 * digest, and with verify, its output checked too. */
static void reference_run(const char *name, int64_t start, int verify, char *digest, size_t size)
{
    hx_chaos_expect ref_x;
    hx_env ref;
    hx_setup(&ref, name, hx_kafka_brokers());
    fast_restarts(&ref);
    hx_chaos_produce(&ref, &spec_fast, start, &ref_x);
    assert_int_equal(hx_run(&ref, 300, 0, "run", "--until-idle", "3s", NULL), 0);
    if (verify)
        hx_chaos_verify(&ref, &ref_x);
    hx_digest(&ref, digest, size);
    hx_teardown(&ref);
    hx_chaos_free(&ref_x);
}

/* Exactly the output of the uninterrupted run and its state, by digest;
 * then the environment goes. */
static void assert_exact(hx_env *e, hx_chaos_expect *x, const char *ref_digest)
{
    char digest[256];
    hx_chaos_verify(e, x);
    hx_digest(e, digest, sizeof(digest));
    assert_string_equal(digest, ref_digest);
    hx_teardown(e);
    hx_chaos_free(x);
}

static void test_kill_and_restart(void **state)
{
    (void)state;
    char ref_digest[256];
    int64_t start = (tf_now_ms() / 1000) * 1000 - spec.transfers * 50 - 60000;
    hx_chaos_expect x;

    reference_run("crashref", start, 1, ref_digest, sizeof(ref_digest));

    /* The same input, screened by a process killed four times. */
    hx_env e;
    hx_setup(&e, "crash", hx_kafka_brokers());
    fast_restarts(&e);
    pthread_t feeder = hx_chaos_start(&e, &spec, start, &x);
    srand(4242);
    for (int i = 0; i < 5; i++) {
        pid_t pid = hx_spawn(&e, NULL, "run", NULL);
        hx_sleep_ms(2500 + rand() % 1500);
        kill(pid, SIGKILL);
        int status = hx_wait(&e, pid, 60, 128 + SIGKILL);
        assert_int_equal(status, 128 + SIGKILL);
    }
    pthread_join(feeder, NULL);
    assert_int_equal(hx_run(&e, 300, 0, "run", "--until-idle", "3s", NULL), 0);
    assert_exact(&e, &x, ref_digest);
}

/* Count the lines of the log that say the fault point fired and that a
 * gap was rebuilt without re-sending. */
static void count_log(const hx_env *e, int *died, int *rebuilt)
{
    FILE *log = fopen(e->log_path, "r");
    char line[1024];
    *died = *rebuilt = 0;
    assert_non_null(log);
    while (fgets(line, sizeof(line), log)) {
        *died += strstr(line, "dying now") != NULL;
        *rebuilt += strstr(line, "rebuilding that gap without re-sending") != NULL;
    }
    fclose(log);
}

/* The group's committed offset per transfers partition as the nth restart
 * (0-based) that found a gap logged it; -1 where none was logged. */
static void gap_committed(const hx_env *e, int nth, int64_t out[HX_GAP_PARTS])
{
    FILE *log = fopen(e->log_path, "r");
    char line[1024];
    int start = -1, in_gap = 0;
    for (int i = 0; i < HX_GAP_PARTS; i++)
        out[i] = -1;
    assert_non_null(log);
    while (fgets(line, sizeof(line), log)) {
        const char *at = strstr(line, "output committed to ");
        const char *br = strstr(line, "-transfers [");
        if (!at || !br) {
            in_gap = 0;
            continue;
        }
        if (!in_gap)
            start++;
        in_gap = 1;
        int part = atoi(br + strlen("-transfers ["));
        if (start == nth && part >= 0 && part < HX_GAP_PARTS)
            out[part] = strtoll(at + strlen("output committed to "), NULL, 10);
    }
    fclose(log);
}

/* Kill the screener at a fault point (env=value, read at start) while the
 * stream arrives, restart it, and require the gap to be rebuilt without
 * re-sending (logged), exactly the requests of an uninterrupted run and
 * its state digest; the fault point logs that it fires, once. write is
 * state.write.interval of the killed run and its restart (NULL: the
 * default). */
static void crash_at(const char *name, const char *env, const char *value, const char *write)
{
    char ref_digest[256], refname[64];
    int64_t start = (tf_now_ms() / 1000) * 1000 - spec.transfers * 50 - 60000;
    hx_chaos_expect x;

    snprintf(refname, sizeof(refname), "%sref", name);
    reference_run(refname, start, 0, ref_digest, sizeof(ref_digest));

    hx_env e;
    hx_setup(&e, name, hx_kafka_brokers());
    fast_restarts(&e);
    if (write)
        hx_set(&e, "state.write.interval", write);
    /* The stream arrives over 16 s, so there are many commits to die after. */
    pthread_t feeder = hx_chaos_start(&e, &spec, start, &x);
    setenv(env, value, 1);
    int status = hx_run(&e, 300, 128 + SIGKILL, "run", "--until-idle", "3s", NULL);
    unsetenv(env);
    assert_int_equal(status, 128 + SIGKILL);
    pthread_join(feeder, NULL);
    assert_int_equal(hx_run(&e, 300, 0, "run", "--until-idle", "3s", NULL), 0);
    int died, rebuilt;
    count_log(&e, &died, &rebuilt);
    assert_int_equal(died, 1);
    assert_true(rebuilt > 0);
    assert_exact(&e, &x, ref_digest);
}

/* Transactions are committed but the state is not written yet: with the
 * state written every 5 s (state.write.interval) the store holds the
 * first commit and the group the fifth. The restart must rebuild the state
 * of those four intervals from the topic without publishing their requests
 * again. */
static void test_crash_between_commit_and_state(void **state)
{
    (void)state;
    crash_at("gap", "INTERDICT_TEST_CRASH_AFTER_COMMIT", "5", "5s");
}

/* A second crash while the first one's gap is screened again: the commits
 * the restart makes in the gap must not take the group's offsets back
 * (the output up to them is out already), or the third start would send it
 * again. The store is written once (the first commit) and never again
 * before the end: every crash leaves a gap of many commits. */
static void test_crash_in_a_replayed_gap(void **state)
{
    (void)state;
    char ref_digest[256];
    int64_t start = (tf_now_ms() / 1000) * 1000 - spec.transfers * 50 - 60000;
    hx_chaos_expect x;

    reference_run("gap2ref", start, 0, ref_digest, sizeof(ref_digest));

    hx_env e;
    hx_setup(&e, "gap2", hx_kafka_brokers());
    fast_restarts(&e);
    hx_set(&e, "state.write.interval", "10m");
    pthread_t feeder = hx_chaos_start(&e, &spec, start, &x);
    /* 40 commits of 300 ms: about 28,000 transfers the store lacks. */
    setenv("INTERDICT_TEST_CRASH_AFTER_COMMIT", "40", 1);
    assert_int_equal(hx_run(&e, 300, 128 + SIGKILL, "run", "--until-idle", "3s", NULL),
                     128 + SIGKILL);
    /* Commits every 10 ms, and at most 1,000 messages held per partition
     * (each barrier screens what is held before it commits): the first
     * commit comes while the gap is screened. */
    hx_set(&e, "commit.interval", "10ms");
    hx_set(&e, "input.held.max", "8000");
    setenv("INTERDICT_TEST_CRASH_AFTER_COMMIT", "1", 1);
    assert_int_equal(hx_run(&e, 300, 128 + SIGKILL, "run", "--until-idle", "3s", NULL),
                     128 + SIGKILL);
    unsetenv("INTERDICT_TEST_CRASH_AFTER_COMMIT");
    hx_set(&e, "commit.interval", "300ms");
    hx_set(&e, "input.held.max", "160000");
    pthread_join(feeder, NULL);
    assert_int_equal(hx_run(&e, 300, 0, "run", "--until-idle", "3s", NULL), 0);
    int died, rebuilt;
    count_log(&e, &died, &rebuilt);
    assert_int_equal(died, 2);
    assert_true(rebuilt >= 2);
    /* The second start died inside the gap (the third found the same gap
     * to the output, on every partition): the group's offsets neither
     * moved back nor on. */
    int64_t second[HX_GAP_PARTS], third[HX_GAP_PARTS];
    gap_committed(&e, 0, second);
    gap_committed(&e, 1, third);
    for (int i = 0; i < 4; i++) {
        assert_true(second[i] > 0);
        if (third[i] < second[i])
            fail_msg("partition %d: the group's offset went back from %" PRId64 " to %" PRId64, i,
                     second[i], third[i]);
        if (third[i] > second[i])
            fail_msg("partition %d: the second start committed past its gap (%" PRId64
                     " to %" PRId64 ") before it died: the case did not happen",
                     i, second[i], third[i]);
    }
    assert_exact(&e, &x, ref_digest);
}

/* The state's batch is written by a thread of its own while the next
 * interval is screened: SIGKILL as that thread starts writing (the
 * transaction of the interval committed, the batch not in the store, the
 * screening thread busy with what came after). The state is written at
 * every commit (the default), so the sixth batch comes early in the
 * stream. */
static void test_crash_while_the_state_is_written(void **state)
{
    (void)state;
    crash_at("wr", "INTERDICT_TEST_CRASH_DURING_WRITE", "6", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_and_restart),
        cmocka_unit_test(test_crash_between_commit_and_state),
        cmocka_unit_test(test_crash_while_the_state_is_written),
        cmocka_unit_test(test_crash_in_a_replayed_gap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
