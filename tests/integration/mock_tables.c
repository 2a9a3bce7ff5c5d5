/* mock_tables.c - watch-list entries published while the screener runs are
 * all applied, and promptly: a bulk update of thousands of entries must not
 * trickle in at one entry per poll of the transfer stream (which, with no
 * transfers arriving, meant ten entries a second). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "encode.h"
#include "feed.h"
#include "gen.h"
#include "graph.h"
#include "harness.h"
#include "timefmt.h"

#define LIVE_ENTRIES 4000

static void check_listed(hx_env *e, const gen *g, int64_t mule)
{
    char errstr[512];
    ix_watch want, got;
    graph *gr = NULL;
    graph_opts o = {.dir = e->c.state_dir, .cache_bytes = 8 << 20, .create = 0};
    gen_watch(g, mule, &want);
    if (graph_open(&o, &gr, errstr, sizeof(errstr)) != 0)
        fail_msg("opening the state store: %s", errstr);
    assert_int_equal(graph_get_watch(gr, want.account, &got, errstr, sizeof(errstr)), 1);
    assert_string_equal(got.account, want.account);
    graph_close(gr);
}

static void test_live_watchlist(void **state)
{
    (void)state;
    char buf[ENC_RECORD_MAX];
    hx_env e;
    gen g;
    gen_opts go = {.seed = 5,
                   .accounts = 2 * LIVE_ENTRIES,
                   .mules = LIVE_ENTRIES,
                   .start_ms = (tf_now_ms() / 1000) * 1000 - 86400000,
                   .step_ms = 50};
    gen_init(&g, &go);
    hx_setup(&e, "mocktables", NULL);
    /* Idle after 3 s without input. At one entry per 100 ms poll (the old
     * code) 4,000 entries take 400 s, far past the 90 s wait below. */
    pid_t pid = hx_spawn(&e, NULL, "run", "--until-idle", "3s", NULL);
    hx_wait_for_log(&e, "assigned", 30000);
    feed *f = hx_feed(&e);
    for (int64_t m = 0; m < LIVE_ENTRIES; m++) {
        ix_watch w;
        gen_watch(&g, m, &w);
        assert_true(enc_watch(&w, buf, sizeof(buf)) > 0);
        hx_send(f, e.c.topic_watchlist, w.account, buf);
    }
    hx_flush(f);
    feed_destroy(f);
    assert_int_equal(hx_wait(&e, pid, 90, 0), 0);
    /* Every entry applied and its offset checkpointed. */
    assert_int_equal(hx_stored_sum(&e, e.c.topic_watchlist), LIVE_ENTRIES);
    check_listed(&e, &g, 0);
    check_listed(&e, &g, LIVE_ENTRIES - 1);
    hx_teardown(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_live_watchlist),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
