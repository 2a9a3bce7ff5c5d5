/* it_backup.c - `interdict backup` against the real Kafka broker: a backup
 * taken while the screener runs, restored after the stream was screened to
 * its end; the restored screener rebuilds what came after the backup
 * without sending any request twice and ends with the same state, by
 * digest. Then the errors: the directory exists, its parent does not, no
 * store. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness_replay.h"
#include "timefmt.h"

/* 30,000 transfers at 2,500 a second: 12 s of stream. */
static const hx_chaos spec = {.seed = 91, .transfers = 30000, .hits = 30, .bad = 1, .rate = 2500};

static void shell(const char *fmt, const char *a, const char *b)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), fmt, a, b);
    if (system(cmd) != 0)
        fail_msg("%s failed", cmd);
}

static void test_backup_while_running_then_restore(void **state)
{
    (void)state;
    char backup[400], aside[400], out[400], digest[256], restored[256];
    int64_t start = (tf_now_ms() / 1000) * 1000 - spec.transfers * 50 - 60000;
    hx_chaos_expect x;
    hx_env e;
    hx_setup(&e, "itbk", hx_kafka_brokers());
    hx_set(&e, "rdkafka.consumer.session.timeout.ms", "6000");
    snprintf(backup, sizeof(backup), "%s/backup", e.dir);
    snprintf(aside, sizeof(aside), "%s/state.before-restore", e.dir);
    snprintf(out, sizeof(out), "%s/backup.out", e.dir);

    /* The screener runs while the stream arrives; the backup is taken in
     * the middle, beside it. */
    pthread_t feeder = hx_chaos_start(&e, &spec, start, &x);
    pid_t pid = hx_spawn(&e, NULL, "run", NULL);
    /* Mid-stream: once the screener has committed a few thousand transfers
     * (and, a moment later, written them to its store). */
    for (int waited = 0; hx_committed_sum(&e, e.c.topic_transfers) < 5000; waited += 250) {
        if (waited > 90000)
            fail_msg("the screener committed nothing within 90 s");
        hx_sleep_ms(250);
    }
    hx_sleep_ms(1000);
    assert_int_equal(hx_run_capture(&e, 60, 0, out, "backup", backup, NULL), 0);
    char *said = hx_slurp(out);
    assert_non_null(strstr(said, " in "));
    assert_non_null(strstr(said, "/backup: "));
    free(said);
    pthread_join(feeder, NULL);
    kill(pid, SIGTERM);
    assert_int_equal(hx_wait(&e, pid, 60, 0), 0);
    /* Whatever was left after SIGTERM, then the whole stream is screened. */
    assert_int_equal(hx_run(&e, 300, 0, "run", "--until-idle", "3s", NULL), 0);
    hx_chaos_verify(&e, &x);
    hx_digest(&e, digest, sizeof(digest));
    int64_t end = hx_stored_sum(&e, e.c.topic_transfers);

    /* Restore: the screener is stopped; its directory goes aside and the
     * backup is copied in its place. */
    shell("mv '%s' '%s'", e.c.state_dir, aside);
    shell("cp -a '%s' '%s'", backup, e.c.state_dir);
    int64_t at_backup = hx_stored_sum(&e, e.c.topic_transfers);
    print_message("backup at %lld of %lld transfer messages\n", (long long)at_backup,
                  (long long)end);
    assert_true(at_backup > 0 && at_backup < end);
    assert_int_equal(hx_run(&e, 300, 0, "run", "--until-idle", "3s", NULL), 0);
    assert_true(hx_log_contains(&e, "rebuilding that gap without re-sending"));
    hx_chaos_verify_requests(&e, &x); /* still each request exactly once */
    hx_digest(&e, restored, sizeof(restored));
    assert_string_equal(restored, digest);
    assert_int_equal(hx_stored_sum(&e, e.c.topic_transfers), end);
    hx_teardown(&e);
    hx_chaos_free(&x);
}

static void test_errors(void **state)
{
    (void)state;
    char dir[400], out[400];
    hx_env e;
    hx_setup(&e, "itbkerr", hx_kafka_brokers());
    snprintf(out, sizeof(out), "%s/backup.out", e.dir);

    /* No store yet. */
    snprintf(dir, sizeof(dir), "%s/b1", e.dir);
    assert_int_equal(hx_run(&e, 60, 3, "backup", dir, NULL), 3);
    char want[800];
    snprintf(want, sizeof(want),
             "interdict backup: no state store at %s (No such file or directory)", e.c.state_dir);
    assert_true(hx_log_contains(&e, want));

    assert_int_equal(hx_run(&e, 120, 0, "run", "--until-idle", "2s", NULL), 0);
    /* The directory exists: nothing is overwritten. */
    assert_int_equal(hx_run(&e, 60, 2, "backup", e.dir, NULL), 2);
    snprintf(want, sizeof(want),
             "interdict backup: %s already exists: a backup goes into a new directory", e.dir);
    assert_true(hx_log_contains(&e, want));
    /* Its parent is missing. */
    snprintf(dir, sizeof(dir), "%s/no/such/b2", e.dir);
    assert_int_equal(hx_run(&e, 60, 2, "backup", dir, NULL), 2);
    snprintf(want, sizeof(want),
             "interdict backup: %s/no/such: no such directory to put the backup in", e.dir);
    assert_true(hx_log_contains(&e, want));
    assert_int_equal(hx_run(&e, 60, 2, "backup", NULL), 2);
    assert_true(hx_log_contains(&e, "interdict backup: expected one DIR argument"));
    /* A stopped store backs up the same way. */
    snprintf(dir, sizeof(dir), "%s/b3", e.dir);
    assert_int_equal(hx_run_capture(&e, 60, 0, out, "backup", dir, NULL), 0);
    char *said = hx_slurp(out);
    assert_non_null(strstr(said, ", attempt 1\n"));
    free(said);
    hx_teardown(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backup_while_running_then_restore),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
