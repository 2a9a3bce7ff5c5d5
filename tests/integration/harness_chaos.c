/* harness_chaos.c - a stream with a known outcome, for the tests that try
 * to break the pipeline (crash, broker outage, rebalance, bad input): every
 * freeze request it must yield is known in advance by id, every dead letter
 * by reason, so the union of everything on the output topics can be checked
 * exactly: nothing missing, nothing twice.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "cevent.h"
#include "encode.h"
#include "gen.h"
#include "harness.h"
#include "rules.h"
#include "timefmt.h"

#define CH_ACCOUNTS 3000

static void put(feed *f, const char *topic, const char *key, const char *json)
{
    hx_send(f, topic, key, json);
}

/* Sleep as needed to keep to `rate` messages per second since t0. */
static void pace(int64_t sent, int rate, int64_t t0_ns)
{
    if (rate <= 0)
        return;
    int64_t due_ns = t0_ns + sent * 1000000000LL / rate;
    int64_t now = tf_mono_ns();
    if (due_ns > now)
        hx_sleep_ms((int)((due_ns - now) / 1000000));
}

/* `listed`, if given, is posted once the watch list is on the broker: the
 * transfers that follow are only meaningful against it. */
static void produce(hx_env *e, const hx_chaos *spec, int64_t start_ms, hx_chaos_expect *x,
                    sem_t *listed)
{
    int64_t t0 = tf_mono_ns();
    char buf[ENC_RECORD_MAX];
    gen g;
    gen_opts go = {.seed = spec->seed,
                   .accounts = CH_ACCOUNTS,
                   .mules = spec->hits + 10,
                   .start_ms = start_ms,
                   .step_ms = 50};
    gen_init(&g, &go);
    memset(x, 0, sizeof(*x));
    x->nids = spec->hits;
    x->ids = calloc((size_t)spec->hits, sizeof(*x->ids));
    assert_non_null(x->ids);

    feed *f = hx_feed(e);
    for (int64_t m = 0; m < go.mules; m++) {
        ix_watch w;
        gen_watch(&g, m, &w);
        assert_true(enc_watch(&w, buf, sizeof(buf)) > 0);
        put(f, e->c.topic_watchlist, w.account, buf);
    }
    hx_flush(f);
    if (listed)
        sem_post(listed);
    int64_t every = spec->transfers / (spec->hits + 1);
    for (int64_t s = 0, h = 0; s < spec->transfers; s++) {
        ix_transfer t;
        if (h < spec->hits && s == (h + 1) * every) {
            gen_mule_transfer(&g, s, h, (int)(h % 2), &t);
            const char *mule = h % 2 ? t.to_account : t.from_account;
            rules_request_id(mule, t.id, e->c.rule_set, x->ids[h], sizeof(x->ids[h]));
            h++;
        } else {
            gen_background(&g, s, &t);
        }
        assert_true(enc_transfer(&t, buf, sizeof(buf)) > 0);
        put(f, e->c.topic_transfers, t.from_account, buf);
        if (s % 100 == 0)
            pace(s, spec->rate, t0);
        /* Every so often a malformed message and a duplicate of a transfer. */
        if (spec->bad && s % 1000 == 500) {
            put(f, e->c.topic_transfers, t.from_account, "{\"version\":1,\"transfer_id\":");
            x->malformed++;
            put(f, e->c.topic_transfers, t.from_account, buf);
            x->duplicates++;
        }
    }
    hx_flush(f);
    feed_destroy(f);
    x->messages = spec->transfers + x->malformed + x->duplicates;
}

void hx_chaos_produce(hx_env *e, const hx_chaos *spec, int64_t start_ms, hx_chaos_expect *x)
{
    produce(e, spec, start_ms, x, NULL);
}

typedef struct collected {
    char (*ids)[40];
    int n, cap;
    int dead, malformed, duplicates;
    char source[CEV_SOURCE_MAX + 1]; /* the ce_source every event must carry */
} collected;

static void expect_header(const rd_kafka_message_t *m, const char *name, const char *want)
{
    char v[400];
    if (strcmp(hx_header(m, name, v, sizeof(v)), want) != 0)
        fail_msg("header %s is \"%s\", want \"%s\"", name, v, want);
}

/* Every request carries its CloudEvents attributes: its own id, this group's source. */
static int on_req(const rd_kafka_message_t *m, void *arg)
{
    collected *c = arg;
    char when[40];
    const char *p = memmem(m->payload, m->len, "\"request_id\":\"", 14);
    assert_non_null(p);
    p += 14;
    assert_true(c->n < c->cap);
    snprintf(c->ids[c->n], sizeof(c->ids[0]), "%.19s", p);
    expect_header(m, "ce_specversion", "1.0");
    expect_header(m, "ce_id", c->ids[c->n]);
    expect_header(m, "ce_source", c->source);
    expect_header(m, "ce_type", CEV_TYPE_REQUEST);
    expect_header(m, "content-type", "application/json");
    assert_int_equal(strlen(hx_header(m, "ce_time", when, sizeof(when))), TF_RFC3339_LEN);
    c->n++;
    return 0;
}

/* A dead letter's ce_id is the coordinates of the message it copies. */
static int on_dead(const rd_kafka_message_t *m, void *arg)
{
    collected *c = arg;
    char reason[64], topic[256], part[16], off[24], id[320];
    hx_header(m, "interdict.reason", reason, sizeof(reason));
    hx_header(m, "interdict.topic", topic, sizeof(topic));
    hx_header(m, "interdict.partition", part, sizeof(part));
    hx_header(m, "interdict.offset", off, sizeof(off));
    snprintf(id, sizeof(id), "%s/%s/%s", topic, part, off);
    expect_header(m, "ce_specversion", "1.0");
    expect_header(m, "ce_id", id);
    expect_header(m, "ce_source", c->source);
    expect_header(m, "ce_type", CEV_TYPE_DEADLETTER);
    expect_header(m, "ce_subject", reason);
    c->dead++;
    c->malformed += strcmp(reason, "malformed") == 0;
    c->duplicates += strcmp(reason, "duplicate_transfer") == 0;
    return 0;
}

static int cmp_id(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Sorts what was collected and fails on the first expected id not in it. */
static void check_present(collected *c, const hx_chaos_expect *x)
{
    qsort(c->ids, (size_t)c->n, sizeof(c->ids[0]), cmp_id);
    for (int i = 0; i < x->nids; i++)
        if (!bsearch(x->ids[i], c->ids, (size_t)c->n, sizeof(c->ids[0]), cmp_id))
            fail_msg("freeze request %s is missing", x->ids[i]);
}

static void check_ids(collected *c, const hx_chaos_expect *x)
{
    check_present(c, x);
    for (int i = 1; i < c->n; i++)
        if (strcmp(c->ids[i - 1], c->ids[i]) == 0)
            fail_msg("freeze request %s was published twice", c->ids[i]);
    assert_int_equal(c->n, x->nids);
}

void hx_chaos_verify_requests(hx_env *e, const hx_chaos_expect *x)
{
    collected c = {.cap = x->nids + 1000};
    c.ids = calloc((size_t)c.cap, sizeof(*c.ids));
    cev_default_source(e->c.group_id, c.source, sizeof(c.source));
    assert_non_null(c.ids);
    hx_read(e, e->c.topic_interceptions, on_req, &c);
    check_ids(&c, x);
    free(c.ids);
}

void hx_chaos_verify_present(hx_env *e, const hx_chaos_expect *x)
{
    collected c = {.cap = 4 * x->nids + 1000};
    c.ids = calloc((size_t)c.cap, sizeof(*c.ids));
    cev_default_source(e->c.group_id, c.source, sizeof(c.source));
    assert_non_null(c.ids);
    hx_read(e, e->c.topic_interceptions, on_req, &c);
    check_present(&c, x);
    free(c.ids);
}

void hx_chaos_verify(hx_env *e, const hx_chaos_expect *x)
{
    collected c = {.cap = x->nids + 1000};
    c.ids = calloc((size_t)c.cap, sizeof(*c.ids));
    cev_default_source(e->c.group_id, c.source, sizeof(c.source));
    assert_non_null(c.ids);
    hx_read(e, e->c.topic_interceptions, on_req, &c);
    hx_read(e, e->c.topic_deadletter, on_dead, &c);
    check_ids(&c, x);
    assert_int_equal(c.malformed, x->malformed);
    assert_int_equal(c.duplicates, x->duplicates);
    assert_int_equal(c.dead, x->malformed + x->duplicates);
    assert_int_equal(hx_end_sum(e, e->c.topic_transfers), x->messages);
    assert_int_equal(hx_committed_sum(e, e->c.topic_transfers), x->messages);
    free(c.ids);
}

void hx_chaos_free(hx_chaos_expect *x)
{
    free(x->ids);
    x->ids = NULL;
}

void hx_set(hx_env *e, const char *key, const char *value)
{
    char errstr[512];
    if (cfg_set(&e->c, key, value, errstr, sizeof(errstr)) != 0)
        fail_msg("cfg_set %s=%s: %s", key, value, errstr);
}

typedef struct chaos_job {
    hx_env *e;
    const hx_chaos *spec;
    int64_t start_ms;
    hx_chaos_expect *x;
    sem_t listed;
} chaos_job;

static void *chaos_thread(void *arg)
{
    chaos_job *j = arg;
    produce(j->e, j->spec, j->start_ms, j->x, &j->listed);
    return NULL;
}

pthread_t hx_chaos_start(hx_env *e, const hx_chaos *spec, int64_t start_ms, hx_chaos_expect *x)
{
    static chaos_job job; /* one feeder at a time per test process */
    pthread_t th;
    job = (chaos_job){e, spec, start_ms, x, {{0}}};
    assert_int_equal(sem_init(&job.listed, 0, 0), 0);
    assert_int_equal(pthread_create(&th, NULL, chaos_thread, &job), 0);
    /* The screener started next loads the watch list before it screens:
     * which hits are caught does not depend on who starts faster. */
    while (sem_wait(&job.listed) != 0)
        ;
    sem_destroy(&job.listed);
    return th;
}

void hx_copy_cfg(hx_env *dst, const hx_env *src)
{
    char *text = NULL, errstr[512], path[400];
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    cfg_print_effective(&src->c, f);
    fclose(f);
    snprintf(path, sizeof(path), "%s.copy", dst->conf_path);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(text);
    if (cfg_load_file(&dst->c, path, errstr, sizeof(errstr)) != 0)
        fail_msg("copying configuration: %s", errstr);
}

int hx_log_contains(const hx_env *e, const char *text)
{
    char line[2048];
    int found = 0;
    FILE *f = fopen(e->log_path, "r");
    if (!f)
        return 0;
    while (!found && fgets(line, sizeof(line), f))
        found = strstr(line, text) != NULL;
    fclose(f);
    return found;
}

void hx_wait_for_log(const hx_env *e, const char *text, int timeout_ms)
{
    for (int waited = 0; !hx_log_contains(e, text); waited += 100) {
        if (waited >= timeout_ms)
            fail_msg("the screener never logged \"%s\"", text);
        hx_sleep_ms(100);
    }
}
