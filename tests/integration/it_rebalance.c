/* it_rebalance.c - a second screener joins the group mid-stream and later
 * leaves; partitions move to it and back. Each instance has its own state
 * store; output must be exact (no request lost or published twice). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "timefmt.h"

static void test_member_joins_and_leaves(void **state)
{
    (void)state;
    static const hx_chaos spec = {
        .seed = 13, .transfers = 40000, .hits = 40, .bad = 1, .rate = 2500};
    int64_t start = (tf_now_ms() / 1000) * 1000 - spec.transfers * 50 - 60000;
    hx_chaos_expect x;
    hx_env a;
    hx_setup(&a, "rebal", hx_kafka_brokers());
    hx_set(&a, "rdkafka.consumer.session.timeout.ms", "6000");
    hx_set(&a, "commit.interval", "300ms");

    /* Instance B: the same group and topics, its own id and state store. */
    hx_env b = a;
    char dir[300], state_dir[320];
    snprintf(dir, sizeof(dir), "%s/b", a.dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    snprintf(state_dir, sizeof(state_dir), "%s/state", dir);
    snprintf(b.conf_path, sizeof(b.conf_path), "%s/interdict.conf", dir);
    snprintf(b.log_path, sizeof(b.log_path), "%s/interdict.log", dir);
    char errstr[256];
    assert_int_equal(cfg_init(&b.c, errstr, sizeof(errstr)), 0);
    hx_copy_cfg(&b, &a);
    hx_set(&b, "state.dir", state_dir);
    char id[128];
    snprintf(id, sizeof(id), "%s-b", a.c.instance_id);
    hx_set(&b, "instance.id", id);

    pthread_t feeder = hx_chaos_start(&a, &spec, start, &x);
    /* A must outlast B's session: a static member that leaves cleanly keeps
     * its partitions until its session expires (6 s here), then they come
     * back to A with whatever arrived meanwhile. */
    pid_t pa = hx_spawn(&a, NULL, "run", "--until-idle", "15s", NULL);
    hx_sleep_ms(4000);
    pid_t pb = hx_spawn(&b, NULL, "run", NULL);
    hx_sleep_ms(6000);
    kill(pb, SIGTERM); /* B leaves cleanly: drains, commits, closes */
    assert_int_equal(hx_wait(&b, pb, 120, 0), 0);
    pthread_join(feeder, NULL);
    assert_int_equal(hx_wait(&a, pa, 400, 0), 0);
    hx_chaos_verify(&a, &x);

    /* Both took part: each screened some of the stream. */
    assert_true(hx_log_contains(&a, "assigned"));
    assert_true(hx_log_contains(&b, "assigned"));
    cfg_free(&b.c);
    hx_teardown(&a);
    hx_chaos_free(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_member_joins_and_leaves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
