/* it_determinism.c - the same input gives the same output whatever the
 * partition count, the worker count and the timing (issue 11 item 1): one
 * generated stream with every pattern planted, produced onto 1, 8 and 12
 * partitions, screened with 1 and 2 workers, preloaded (the topics filled
 * before the screener starts) and live (produced while it runs). Every run
 * must give the same (account, reason code) set, and the runs on the same
 * partition count the same request ids.
 *
 * And hardening issue item 7: profiles published to a running screener
 * before the transfers are applied before them with two workers as with
 * one: the same requests, id for id. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <librdkafka/rdkafka.h>

#include "encode.h"
#include "harness.h"
#include "rules.h"
#include "scenario.h"
#include "timefmt.h"

#define D_ACCOUNTS  2000
#define D_TRANSFERS 4000
#define D_CHUNK     200 /* live: transfers produced between two flushes */
#define D_MAX       4096

/* What a run published: sorted "account code" findings and request ids. */
typedef struct outcome {
    char (*findings)[64];
    char (*ids)[40];
    int nfindings, nids;
} outcome;

static int on_req(const rd_kafka_message_t *m, void *arg)
{
    outcome *o = arg;
    json_error_t err;
    json_t *v = json_loadb(m->payload, m->len, 0, &err);
    assert_non_null(v);
    const char *acct = json_string_value(json_object_get(v, "account"));
    const char *id = json_string_value(json_object_get(v, "request_id"));
    json_t *fs = json_object_get(v, "findings");
    assert_non_null(acct);
    assert_non_null(id);
    assert_true(o->nids < D_MAX);
    snprintf(o->ids[o->nids++], sizeof(o->ids[0]), "%s", id);
    for (size_t i = 0; i < json_array_size(fs); i++) {
        const char *code = json_string_value(json_object_get(json_array_get(fs, i), "code"));
        assert_non_null(code);
        assert_true(o->nfindings < D_MAX);
        snprintf(o->findings[o->nfindings++], sizeof(o->findings[0]), "%s %s", acct, code);
    }
    json_decref(v);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Sort and drop repeats: the findings are a set. */
static int sort_unique(void *base, int n, size_t size)
{
    qsort(base, (size_t)n, size, cmp_str);
    int k = 0;
    for (int i = 0; i < n; i++)
        if (k == 0 ||
            strcmp((char *)base + (size_t)i * size, (char *)base + (size_t)(k - 1) * size))
            memmove((char *)base + (size_t)k++ * size, (char *)base + (size_t)i * size, size);
    return k;
}

static void outcome_init(outcome *o)
{
    memset(o, 0, sizeof(*o));
    o->findings = calloc(D_MAX, sizeof(*o->findings));
    o->ids = calloc(D_MAX, sizeof(*o->ids));
    assert_non_null(o->findings);
    assert_non_null(o->ids);
}

static void outcome_free(outcome *o)
{
    free(o->findings);
    free(o->ids);
}

/* The first difference of two sorted lists, for the failure message. */
static void same_list(const char *what, const char *name, const char *a, int na, const char *b,
                      int nb, size_t size)
{
    for (int i = 0; i < na || i < nb; i++) {
        const char *x = i < na ? a + (size_t)i * size : "(end)";
        const char *y = i < nb ? b + (size_t)i * size : "(end)";
        if (strcmp(x, y) != 0)
            fail_msg("%s: %s differ from the reference (%d vs %d): first '%s' vs '%s'", name, what,
                     nb, na, y, x);
    }
}

static scn *stream(int64_t now_ms)
{
    char errstr[256];
    scn_opts so;
    scn *s = NULL;
    scn_opts_default(&so);
    so.seed = 1111;
    so.accounts = D_ACCOUNTS;
    so.transfers = D_TRANSFERS;
    so.now_ms = now_ms;
    so.duration_ms = 6 * 3600 * 1000LL;
    for (int p = 0; p < SCN_PATTERN__COUNT; p++)
        so.count[p] = 2;
    if (scn_new(&so, &s, errstr, sizeof(errstr)) != 0)
        fail_msg("scenario: %s", errstr);
    return s;
}

static void enable_all_rules(hx_env *e)
{
    for (const rule_def *const *r = rules_table; *r; r++) {
        char key[96];
        snprintf(key, sizeof(key), "rules.%s.enabled", (*r)->name);
        hx_set(e, key, "true");
    }
}

static void produce_tables(hx_env *e, scn *s)
{
    char buf[ENC_RECORD_MAX];
    feed *f = hx_feed(e);
    for (int64_t i = 0; i < scn_accounts(s); i++) {
        ix_account a;
        scn_profile(s, i, &a);
        assert_true(enc_account(&a, buf, sizeof(buf)) > 0);
        hx_send(f, e->c.topic_accounts, a.account, buf);
    }
    for (int64_t k = 0; k < scn_watch_count(s); k++) {
        ix_watch w;
        scn_watch(s, k, &w);
        assert_true(enc_watch(&w, buf, sizeof(buf)) > 0);
        hx_send(f, e->c.topic_watchlist, w.account, buf);
    }
    hx_flush(f);
    feed_destroy(f);
}

/* The producer learns where a topic's partitions are before the stream
 * starts: the first message to a topic otherwise waits for a metadata round
 * trip while the other topic's go on, and reaches the broker later than
 * input.idle after them (a late event, as the guarantee says). */
static void know_topic(feed *f, const char *topic)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_topic_t *t = rd_kafka_topic_new(feed_handle(f), topic, NULL);
    assert_non_null(t);
    assert_int_equal(rd_kafka_metadata(feed_handle(f), 0, t, &md, 20000),
                     RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(t);
}

/* The stream in event-time order, transfers and reports, flushed every
 * `chunk` records when chunk > 0 (live: arriving while the screener runs). */
static feed *stream_feed(hx_env *e)
{
    feed *f = hx_feed(e);
    know_topic(f, e->c.topic_transfers);
    know_topic(f, e->c.topic_reports);
    return f;
}

/* Takes f. */
static int64_t produce_stream(hx_env *e, feed *f, scn *s, int chunk)
{
    char buf[ENC_RECORD_MAX], errstr[256];
    scn_event ev;
    int rc;
    int64_t n = 0;
    while ((rc = scn_next(s, &ev, errstr, sizeof(errstr))) == 1) {
        if (ev.kind == SCN_EVENT_REPORT) {
            assert_true(enc_report(&ev.report, buf, sizeof(buf)) > 0);
            hx_send(f, e->c.topic_reports, ev.report.victim_account, buf);
        } else {
            assert_true(enc_transfer(&ev.transfer, buf, sizeof(buf)) > 0);
            hx_send(f, e->c.topic_transfers, ev.transfer.from_account, buf);
        }
        if (chunk > 0 && ++n % chunk == 0) {
            hx_flush(f);
            hx_sleep_ms(20);
        }
    }
    assert_int_equal(rc, 0);
    hx_flush(f);
    feed_destroy(f);
    return n;
}

/* One screening of the stream; what it published goes to o. */
static void run_once(int64_t now_ms, int partitions, int workers, int live, outcome *o)
{
    char name[64], nworkers[8];
    hx_env e;
    int64_t t0 = tf_mono_ns();
    snprintf(name, sizeof(name), "det-p%d-w%d-%s", partitions, workers, live ? "live" : "pre");
    hx_setup_partitions(&e, name, hx_kafka_brokers(), partitions);
    enable_all_rules(&e);
    snprintf(nworkers, sizeof(nworkers), "%d", workers);
    hx_set(&e, "workers", nworkers);
    scn *s = stream(now_ms);
    produce_tables(&e, s);
    if (!live) {
        produce_stream(&e, stream_feed(&e), s, 0);
        assert_int_equal(hx_run(&e, 120, 0, "run", "--until-idle", "1s", NULL), 0);
    } else {
        /* The producer is ready before the screener starts: the stream
         * begins as soon as the partitions are assigned. */
        feed *f = stream_feed(&e);
        pid_t pid = hx_spawn(&e, NULL, "run", "--until-idle", "2s", NULL);
        hx_wait_for_log(&e, "assigned", 30000);
        produce_stream(&e, f, s, D_CHUNK);
        assert_int_equal(hx_wait(&e, pid, 120, 0), 0);
    }
    outcome_init(o);
    hx_read(&e, e.c.topic_interceptions, on_req, o);
    o->nfindings = sort_unique(o->findings, o->nfindings, sizeof(o->findings[0]));
    int n = o->nids;
    o->nids = sort_unique(o->ids, o->nids, sizeof(o->ids[0]));
    assert_int_equal(o->nids, n); /* exactly once per incident */
    /* A backlog is merged as one sort: nothing in it can be late. */
    if (!live && !hx_log_contains(&e, ", 0 late events"))
        fail_msg("%s: late events in a preloaded backlog", name);
    printf("%-18s %4d requests, %4d (account, code) findings, %.1f s\n", name, o->nids,
           o->nfindings, (double)(tf_mono_ns() - t0) / 1e9);
    scn_destroy(s);
    hx_teardown(&e);
}

static void test_same_output_on_every_partitioning(void **state)
{
    (void)state;
    static const int parts[] = {1, 8, 12};
    int64_t now_ms = (tf_now_ms() / 1000) * 1000 - 60000;
    outcome ref;
    int have_ref = 0;
    for (size_t p = 0; p < sizeof(parts) / sizeof(parts[0]); p++) {
        outcome first;
        int have_first = 0;
        for (int live = 0; live <= 1; live++)
            for (int workers = 1; workers <= 2; workers++) {
                char name[64];
                outcome o;
                snprintf(name, sizeof(name), "%d partition(s), %d worker(s), %s", parts[p], workers,
                         live ? "live" : "preloaded");
                run_once(now_ms, parts[p], workers, live, &o);
                assert_true(o.nids > 0);
                if (!have_ref) {
                    ref = o;
                    have_ref = 1;
                    continue;
                }
                same_list("(account, code) findings", name, ref.findings[0], ref.nfindings,
                          o.findings[0], o.nfindings, sizeof(o.findings[0]));
                if (!have_first && !(p == 0)) {
                    first = o;
                    have_first = 1;
                    continue;
                }
                const outcome *same = p == 0 ? &ref : &first;
                same_list("request ids", name, same->ids[0], same->nids, o.ids[0], o.nids,
                          sizeof(o.ids[0]));
                outcome_free(&o);
            }
        if (have_first)
            outcome_free(&first);
    }
    outcome_free(&ref);
}

/* Issue item 7: the profiles are published to a running screener, then the
 * transfers; the merchants' and businesses' profiles must be in place
 * before their transfers are screened, with two workers as with one. */
static void profiles_then_transfers(int64_t now_ms, int workers, outcome *o)
{
    char name[64], nworkers[8];
    hx_env e;
    snprintf(name, sizeof(name), "det-tables-w%d", workers);
    hx_setup_partitions(&e, name, hx_kafka_brokers(), 8);
    enable_all_rules(&e);
    snprintf(nworkers, sizeof(nworkers), "%d", workers);
    hx_set(&e, "workers", nworkers);
    scn *s = stream(now_ms);
    feed *f = stream_feed(&e);
    pid_t pid = hx_spawn(&e, NULL, "run", "--until-idle", "2s", NULL);
    hx_wait_for_log(&e, "assigned", 30000);
    produce_tables(&e, s);
    produce_stream(&e, f, s, 0);
    assert_int_equal(hx_wait(&e, pid, 120, 0), 0);
    outcome_init(o);
    hx_read(&e, e.c.topic_interceptions, on_req, o);
    o->nfindings = sort_unique(o->findings, o->nfindings, sizeof(o->findings[0]));
    o->nids = sort_unique(o->ids, o->nids, sizeof(o->ids[0]));
    printf("%-18s %4d requests, %4d (account, code) findings\n", name, o->nids, o->nfindings);
    scn_destroy(s);
    hx_teardown(&e);
}

static void test_profiles_before_transfers(void **state)
{
    (void)state;
    int64_t now_ms = (tf_now_ms() / 1000) * 1000 - 60000;
    outcome one, two;
    profiles_then_transfers(now_ms, 1, &one);
    profiles_then_transfers(now_ms, 2, &two);
    assert_true(one.nids > 0);
    same_list("request ids", "two workers", one.ids[0], one.nids, two.ids[0], two.nids,
              sizeof(one.ids[0]));
    outcome_free(&one);
    outcome_free(&two);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_output_on_every_partitioning),
        cmocka_unit_test(test_profiles_before_transfers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
