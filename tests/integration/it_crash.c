/* it_crash.c - kill -9 the screener at random moments while it screens a
 * stream with known hits, restart it each time, and require exactly the
 * requests and dead letters of an uninterrupted run (none missing, none
 * twice) and the same state, by digest, as an uninterrupted run. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

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
static const hx_chaos spec_fast = {.seed = 77, .transfers = 40000, .hits = 40, .bad = 1};

static void fast_restarts(hx_env *e)
{
    /* A killed member is replaced at once (static membership, on by
     * default); its session only matters if it never comes back. */
    hx_set(e, "rdkafka.consumer.session.timeout.ms", "6000");
    hx_set(e, "commit.interval", "300ms");
}

static void test_kill_and_restart(void **state)
{
    (void)state;
    char ref_digest[256], digest[256];
    int64_t start = (tf_now_ms() / 1000) * 1000 - spec.transfers * 50 - 60000;
    hx_chaos_expect ref_x, x;

    /* The uninterrupted run, on topics and a store of its own. */
    hx_env ref;
    hx_setup(&ref, "crashref", hx_kafka_brokers());
    fast_restarts(&ref);
    hx_chaos_produce(&ref, &spec_fast, start, &ref_x);
    assert_int_equal(hx_run(&ref, 300, 0, "run", "--until-idle", "3s", NULL), 0);
    hx_chaos_verify(&ref, &ref_x);
    hx_digest(&ref, ref_digest, sizeof(ref_digest));
    hx_teardown(&ref);
    hx_chaos_free(&ref_x);

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
    hx_chaos_verify(&e, &x);
    hx_digest(&e, digest, sizeof(digest));
    assert_string_equal(digest, ref_digest);
    hx_teardown(&e);
    hx_chaos_free(&x);
}

/* Kill the screener at a fault point (env=value, read at start) while the
 * stream arrives, restart it, and require the gap to be rebuilt without
 * re-sending (logged), exactly the requests of an uninterrupted run and
 * its state digest; the fault point logs that it fires, once. */
static void crash_at(const char *name, const char *env, const char *value)
{
    char ref_digest[256], digest[256], refname[64];
    int64_t start = (tf_now_ms() / 1000) * 1000 - spec.transfers * 50 - 60000;
    hx_chaos_expect ref_x, x;

    snprintf(refname, sizeof(refname), "%sref", name);
    hx_env ref;
    hx_setup(&ref, refname, hx_kafka_brokers());
    fast_restarts(&ref);
    hx_chaos_produce(&ref, &spec_fast, start, &ref_x);
    assert_int_equal(hx_run(&ref, 300, 0, "run", "--until-idle", "3s", NULL), 0);
    hx_digest(&ref, ref_digest, sizeof(ref_digest));
    hx_teardown(&ref);
    hx_chaos_free(&ref_x);

    hx_env e;
    hx_setup(&e, name, hx_kafka_brokers());
    fast_restarts(&e);
    /* The stream arrives over 16 s, so there are many commits to die after. */
    pthread_t feeder = hx_chaos_start(&e, &spec, start, &x);
    setenv(env, value, 1);
    int status = hx_run(&e, 300, 128 + SIGKILL, "run", "--until-idle", "3s", NULL);
    unsetenv(env);
    assert_int_equal(status, 128 + SIGKILL);
    pthread_join(feeder, NULL);
    assert_int_equal(hx_run(&e, 300, 0, "run", "--until-idle", "3s", NULL), 0);
    FILE *log = fopen(e.log_path, "r");
    char line[1024];
    int died = 0, rebuilt = 0;
    assert_non_null(log);
    while (fgets(line, sizeof(line), log)) {
        died += strstr(line, "dying now") != NULL;
        rebuilt += strstr(line, "rebuilding that gap without re-sending") != NULL;
    }
    fclose(log);
    assert_int_equal(died, 1);
    assert_true(rebuilt > 0);
    hx_chaos_verify(&e, &x);
    hx_digest(&e, digest, sizeof(digest));
    assert_string_equal(digest, ref_digest);
    hx_teardown(&e);
    hx_chaos_free(&x);
}

/* The narrow window of the protocol: the Kafka transaction is committed but
 * the state is not written yet. The restart must rebuild the state of that
 * interval from the topic without publishing its requests again. */
static void test_crash_between_commit_and_state(void **state)
{
    (void)state;
    crash_at("gap", "INTERDICT_TEST_CRASH_AFTER_COMMIT", "5");
}

/* The state's batch is written by a thread of its own while the next
 * interval is screened: SIGKILL as that thread starts writing (the
 * transaction of the interval committed, the batch not in the store, the
 * screening thread busy with what came after). */
static void test_crash_while_the_state_is_written(void **state)
{
    (void)state;
    crash_at("wr", "INTERDICT_TEST_CRASH_DURING_WRITE", "6");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_and_restart),
        cmocka_unit_test(test_crash_between_commit_and_state),
        cmocka_unit_test(test_crash_while_the_state_is_written),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
