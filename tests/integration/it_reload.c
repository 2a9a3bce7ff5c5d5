/* it_reload.c - SIGHUP reloads the rule thresholds of a running screener
 * without a restart; a change to a key that needs a restart is refused and
 * the running rules stay; SIGTERM still ends it cleanly. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "encode.h"
#include "gen.h"
#include "harness.h"
#include "timefmt.h"

typedef struct actions {
    char account[8][40], action[8][16], trigger[8][IX_ID_MAX + 1];
    int n;
} actions;

static int on_req(const rd_kafka_message_t *m, void *arg)
{
    actions *a = arg;
    const char *p = memmem(m->payload, m->len, "\"action\":\"", 10);
    assert_non_null(p);
    assert_true(a->n < 8);
    snprintf(a->action[a->n], sizeof(a->action[0]), "%.*s", (int)strcspn(p + 10, "\""), p + 10);
    snprintf(a->account[a->n], sizeof(a->account[0]), "%.*s", (int)m->key_len,
             (const char *)m->key);
    const char *t = memmem(m->payload, m->len, "\"trigger\":{\"id\":\"", 17);
    assert_non_null(t);
    snprintf(a->trigger[a->n], sizeof(a->trigger[0]), "%.*s", (int)strcspn(t + 17, "\""), t + 17);
    a->n++;
    return 0;
}

/* The action of the request a transfer triggered: requests on different
 * partitions come back in no particular order. */
static const char *action_of(const actions *a, const char *trigger)
{
    for (int i = 0; i < a->n; i++)
        if (strcmp(a->trigger[i], trigger) == 0)
            return a->action[i];
    fail_msg("no freeze request triggered by %s", trigger);
    return "";
}

/* Poll the interceptions topic until it holds n requests (or 60 s pass). */
static void wait_for_requests(hx_env *e, actions *a, int n)
{
    for (int i = 0; i < 120; i++) {
        memset(a, 0, sizeof(*a));
        hx_read(e, e->c.topic_interceptions, on_req, a);
        if (a->n >= n)
            return;
        hx_sleep_ms(500);
    }
    fail_msg("only %d of %d freeze requests arrived", a->n, n);
}

/* Sends one transfer to a watch-listed mule; its id into id. */
static void send_hit(hx_env *e, gen *g, int64_t seq, int64_t mule, char *id, size_t id_size)
{
    char buf[ENC_RECORD_MAX];
    ix_transfer t;
    gen_mule_transfer(g, seq, mule, 1, &t);
    snprintf(id, id_size, "%s", t.id);
    feed *f = hx_feed(e);
    assert_true(enc_transfer(&t, buf, sizeof(buf)) > 0);
    hx_send(f, e->c.topic_transfers, t.from_account, buf);
    hx_flush(f);
    feed_destroy(f);
}

static void test_sighup_reloads_rules(void **state)
{
    (void)state;
    char buf[ENC_RECORD_MAX];
    hx_env e;
    actions a;
    gen g;
    gen_opts go = {.seed = 3,
                   .accounts = 200,
                   .mules = 4,
                   .start_ms = (tf_now_ms() / 1000) * 1000 - 600000,
                   .step_ms = 1000};
    gen_init(&g, &go);
    hx_setup(&e, "reload", hx_kafka_brokers());
    feed *f = hx_feed(&e);
    for (int64_t m = 0; m < 4; m++) {
        ix_watch w;
        gen_watch(&g, m, &w);
        assert_true(enc_watch(&w, buf, sizeof(buf)) > 0);
        hx_send(f, e.c.topic_watchlist, w.account, buf);
    }
    hx_flush(f);
    feed_destroy(f);

    pid_t pid = hx_spawn(&e, NULL, "run", NULL);
    char hit[3][IX_ID_MAX + 1];
    send_hit(&e, &g, 1, 0, hit[0], sizeof(hit[0]));
    wait_for_requests(&e, &a, 1);
    assert_string_equal(action_of(&a, hit[0]), "FREEZE"); /* the default watch-list score: 100 */

    /* Lower the watch-list score to a HOLD and reload. */
    hx_set(&e, "rules.watchlist.score", "60");
    hx_write_conf(&e);
    kill(pid, SIGHUP);
    hx_wait_for_log(&e, "rules reloaded", 60000);
    send_hit(&e, &g, 2, 1, hit[1], sizeof(hit[1]));
    wait_for_requests(&e, &a, 2);
    assert_string_equal(action_of(&a, hit[1]), "HOLD");

    /* A key that only takes effect at a restart: refused, the rules stay. */
    hx_set(&e, "state.cache.size", "64MB");
    hx_set(&e, "rules.watchlist.score", "20");
    hx_write_conf(&e);
    kill(pid, SIGHUP);
    hx_wait_for_log(&e, "state.cache.size changed: it takes effect only at a restart", 60000);
    send_hit(&e, &g, 3, 2, hit[2], sizeof(hit[2]));
    wait_for_requests(&e, &a, 3);
    assert_string_equal(action_of(&a, hit[2]), "HOLD"); /* still 60, not 20 */

    kill(pid, SIGTERM);
    assert_int_equal(hx_wait(&e, pid, 120, 0), 0);
    hx_teardown(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sighup_reloads_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
