/* it_badinput.c - every kind of bad input on every input topic goes to the
 * dead-letter topic with its reason and its original bytes, the stream goes
 * on, and the metrics count exactly the same. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include <dirent.h>
#include <inttypes.h>
#include <sys/stat.h>

#include "config.h"
#include "encode.h"
#include "feed.h"
#include "hash.h"
#include "harness.h"
#include "rules.h"
#include "timefmt.h"

typedef struct bad {
    const char *topic_key; /* "t" transfers, "r" reports, "w" watchlist, "a" accounts */
    const char *key;
    const char *json; /* NULL: a tombstone; "@BIG": a message over the size limit */
    const char *reason;
} bad;

#define NOW "@NOW" /* replaced by a recent time */

static const bad bads[] = {
    {"t", "A1", "{\"version\":1,\"transfer_id\":\"X1\",\"from_acc", "malformed"},
    {"t", "A1", "", "empty"},
    {"t", "A1", "[1,2,3]", "not_object"},
    {"t", "A1", "@BIG", "too_large"},
    {"t", "A1",
     "{\"version\":1,\"transfer_id\":\"X2\",\"from_account\":\"A1\",\"from_bank\":"
     "\"ICBKCNBJ\",\"to_account\":\"B1\",\"to_bank\":\"ICBKCNBJ\",\"amount\":\"5\","
     "\"currency\":\"CNY\",\"event_time\":\"" NOW "\"}",
     "wrong_type"},
    {"t", "A1",
     "{\"version\":1,\"transfer_id\":\"X3\",\"from_account\":\"A1\xff\",\"from_bank\":"
     "\"ICBKCNBJ\",\"to_account\":\"B1\",\"to_bank\":\"ICBKCNBJ\",\"amount\":5,"
     "\"currency\":\"CNY\",\"event_time\":\"" NOW "\"}",
     "malformed"},
    {"t", "A1",
     "{\"version\":1,\"transfer_id\":\"X4\",\"from_account\":\"A1\",\"from_bank\":"
     "\"ICBKCNBJ\",\"to_account\":\"B1\",\"to_bank\":\"ICBKCNBJ\",\"amount\":-5,"
     "\"currency\":\"CNY\",\"event_time\":\"" NOW "\"}",
     "bad_amount"},
    {"t", "A1",
     "{\"version\":1,\"transfer_id\":\"X5\",\"from_account\":\"A1\",\"from_bank\":"
     "\"ICBKCNBJ\",\"to_account\":\"B1\",\"to_bank\":\"ICBKCNBJ\",\"amount\":"
     "99999999999999999999999,\"currency\":\"CNY\",\"event_time\":\"" NOW "\"}",
     "bad_amount"},
    {"t", "A1",
     "{\"version\":1,\"transfer_id\":\"X6\",\"from_account\":\"A1\",\"from_bank\":"
     "\"ICBKCNBJ\",\"to_account\":\"B1\",\"to_bank\":\"ICBKCNBJ\",\"amount\":5,"
     "\"currency\":\"ZZZ\",\"event_time\":\"" NOW "\"}",
     "unknown_currency"},
    {"t", "A1",
     "{\"version\":1,\"transfer_id\":\"X7\",\"from_account\":\"A1\",\"from_bank\":"
     "\"ICBKCNBJ\",\"to_account\":\"B1\",\"to_bank\":\"ICBKCNBJ\",\"amount\":5,"
     "\"currency\":\"USD\",\"event_time\":\"" NOW "\"}",
     "foreign_currency"},
    {"t", "A1",
     "{\"version\":1,\"from_account\":\"A1\",\"from_bank\":\"ICBKCNBJ\","
     "\"to_account\":\"B1\",\"to_bank\":\"ICBKCNBJ\",\"amount\":5,"
     "\"currency\":\"CNY\",\"event_time\":\"" NOW "\"}",
     "missing_field"},
    {"t", "A1",
     "{\"version\":1,\"transfer_id\":\"X8\",\"from_account\":\"A1\",\"from_bank\":"
     "\"ICBKCNBJ\",\"to_account\":\"B1\",\"to_bank\":\"ICBKCNBJ\",\"amount\":5,"
     "\"currency\":\"CNY\",\"event_time\":\"2099-01-01T00:00:00Z\"}",
     "time_out_of_range"},
    {"t", "A1",
     "{\"version\":1,\"transfer_id\":\"X9\",\"from_account\":\"A1\",\"from_bank\":"
     "\"ICBKCNBJ\",\"to_account\":\"B1\",\"to_bank\":\"ICBKCNBJ\",\"amount\":5,"
     "\"currency\":\"CNY\",\"event_time\":\"2020-01-01T00:00:00Z\"}",
     "time_out_of_range"},
    {"t", "A1", "{\"version\":2,\"transfer_id\":\"X10\"}", "unsupported_version"},
    {"r", "V1", "{\"version\":1,\"report_id\":\"R1\"}", "missing_field"},
    {"w", "MULE1", NULL, NULL}, /* a valid tombstone: deletes, no dead letter */
    /* (A key-less message cannot reach the compacted watch list: the broker
     * refuses it. A key that is not the entry's account can.) */
    {"w", "OTHER",
     "{\"version\":1,\"account\":\"MULE9\",\"bank\":\"ICBKCNBJ\",\"list\":"
     "\"confirmed_mule\",\"reason\":\"x\",\"added_at\":\"2026-01-01T00:00:00Z\"}",
     "bad_key"},
    {"a", "P1", "{\"version\":1,\"account\":\"P1\"}", "missing_field"},
};
#define NBADS ((int)(sizeof(bads) / sizeof(bads[0])))

static const char *topic_of(const hx_env *e, const char *k)
{
    switch (k[0]) {
    case 't':
        return e->c.topic_transfers;
    case 'r':
        return e->c.topic_reports;
    case 'w':
        return e->c.topic_watchlist;
    default:
        return e->c.topic_accounts;
    }
}

/* The message text with @NOW replaced by a time a minute ago. */
static char *materialise(const char *json)
{
    char now[TF_RFC3339_LEN + 1];
    size_t cap = strlen(json) + 64;
    char *out = malloc(cap);
    const char *at = strstr(json, NOW);
    assert_true(tf_format(tf_now_ms() - 60000, now, sizeof(now)) > 0);
    if (at)
        snprintf(out, cap, "%.*s%s%s", (int)(at - json), json, now, at + strlen(NOW));
    else
        snprintf(out, cap, "%s", json);
    return out;
}

typedef struct tally {
    char reasons[32][48];
    int counts[32];
    int n, total;
} tally;

static int on_dead(const rd_kafka_message_t *m, void *arg)
{
    tally *t = arg;
    char reason[48];
    hx_header(m, "interdict.reason", reason, sizeof(reason));
    t->total++;
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->reasons[i], reason) == 0) {
            t->counts[i]++;
            return 0;
        }
    assert_true(t->n < 32);
    snprintf(t->reasons[t->n], sizeof(t->reasons[0]), "%s", reason);
    t->counts[t->n++] = 1;
    return 0;
}

static int count_of(const tally *t, const char *reason)
{
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->reasons[i], reason) == 0)
            return t->counts[i];
    return 0;
}

/* The value of `interdict_deadletters_total{reason="R"}` in a metrics file. */
static long metric(const char *path, const char *reason)
{
    char line[512], want[128];
    long v = -1;
    snprintf(want, sizeof(want), "interdict_deadletters_total{reason=\"%s\"} ", reason);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, want, strlen(want)) == 0)
            v = strtol(line + strlen(want), NULL, 10);
    fclose(f);
    return v;
}

static void test_bad_input_everywhere(void **state)
{
    (void)state;
    static const hx_chaos spec = {.seed = 5, .transfers = 6000, .hits = 10, .bad = 1};
    hx_chaos_expect x;
    hx_env e;
    tally t = {0};
    char path[400];
    hx_setup(&e, "badin", hx_kafka_brokers());
    hx_chaos_produce(&e, &spec, (tf_now_ms() / 1000) * 1000 - 3600 * 1000, &x);

    feed *f = hx_feed(&e);
    for (int i = 0; i < NBADS; i++) {
        if (bads[i].json && strcmp(bads[i].json, "@BIG") == 0) {
            size_t n = 70 * 1024;
            char *big = malloc(n + 1);
            memset(big, ' ', n);
            big[0] = '{';
            big[n - 1] = '}';
            big[n] = '\0';
            hx_send(f, topic_of(&e, bads[i].topic_key), bads[i].key, big);
            free(big);
            continue;
        }
        char *json = bads[i].json ? materialise(bads[i].json) : NULL;
        hx_send(f, topic_of(&e, bads[i].topic_key), bads[i].key, json);
        free(json);
    }
    hx_flush(f);
    feed_destroy(f);

    snprintf(path, sizeof(path), "%s/metrics.txt", e.dir);
    assert_int_equal(hx_run(&e, 300, 0, "run", "--until-idle", "3s", "--final-metrics", path, NULL),
                     0);

    hx_read(&e, e.c.topic_deadletter, on_dead, &t);
    /* Expected per reason: the table above plus the stream's own. */
    int want_total = x.malformed + x.duplicates;
    for (int i = 0; i < NBADS; i++)
        want_total += bads[i].reason != NULL;
    assert_int_equal(t.total, want_total);
    for (int i = 0; i < NBADS; i++) {
        if (!bads[i].reason)
            continue;
        int want = 0;
        for (int j = 0; j < NBADS; j++)
            want += bads[j].reason && strcmp(bads[j].reason, bads[i].reason) == 0;
        if (strcmp(bads[i].reason, "malformed") == 0)
            want += x.malformed;
        assert_int_equal(count_of(&t, bads[i].reason), want);
        assert_int_equal(metric(path, bads[i].reason), want);
    }
    assert_int_equal(count_of(&t, "duplicate_transfer"), x.duplicates);
    assert_int_equal(metric(path, "duplicate_transfer"), x.duplicates);
    /* The good part of the stream was screened as if nothing had happened,
     * and every message of the transfers topic is committed. */
    hx_chaos_verify_requests(&e, &x);
    assert_int_equal(hx_committed_sum(&e, e.c.topic_transfers),
                     hx_end_sum(&e, e.c.topic_transfers));
    hx_teardown(&e);
    hx_chaos_free(&x);
}

/* ---- a record over a megabyte */

/* Every file and folder below dir is its owner's only (no group or other
 * bits), whatever the umask the test runs with. Returns how many it saw. */
static int assert_private(const char *dir)
{
    struct stat st;
    char path[1024];
    int n = 1;
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 077, 0);
    DIR *d = opendir(dir);
    assert_non_null(d);
    for (struct dirent *de; (de = readdir(d));) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        assert_int_equal(lstat(path, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            n += assert_private(path);
            continue;
        }
        if ((st.st_mode & 077) != 0)
            fail_msg("%s has mode %o", path, (unsigned)(st.st_mode & 0777));
        n++;
    }
    closedir(d);
    return n;
}

typedef struct big_dead {
    int n;
    char reason[48], truncated[8], bytes[24], key_bytes[24], hash[24];
    size_t len, key_len;
} big_dead;

static int on_big_dead(const rd_kafka_message_t *m, void *arg)
{
    big_dead *d = arg;
    char truncated[8];
    hx_header(m, "interdict.truncated", truncated, sizeof(truncated));
    if (!truncated[0])
        return 0; /* the chaos stream's own dead letters */
    snprintf(d->truncated, sizeof(d->truncated), "%s", truncated);
    d->n++;
    hx_header(m, "interdict.reason", d->reason, sizeof(d->reason));
    hx_header(m, "interdict.original.bytes", d->bytes, sizeof(d->bytes));
    hx_header(m, "interdict.original.key.bytes", d->key_bytes, sizeof(d->key_bytes));
    hx_header(m, "interdict.original.fnv1a64", d->hash, sizeof(d->hash));
    d->len = m->len;
    d->key_len = m->key_len;
    return 0;
}

/* A record the topic accepts but the screener's producer could not send
 * back whole (over its message.max.bytes of 1,000,000) once stopped every
 * run at the same offset. Its dead letter now carries a cut copy, with the
 * original's size and hash, and the partition goes on. */
static void test_poison_pill_over_a_megabyte(void **state)
{
    (void)state;
    char errstr[512], path[400], hash[24];
    hx_env e;
    cfg big;
    big_dead d = {0};
    hx_setup(&e, "pill", hx_kafka_brokers());
    umask(022); /* what a service manager may well give */

    /* Only the test's producer may send records that large. */
    assert_int_equal(cfg_init(&big, errstr, sizeof(errstr)), 0);
    assert_int_equal(cfg_copy(&big, &e.c, NULL, errstr, sizeof(errstr)), 0);
    assert_int_equal(
        cfg_set(&big, "rdkafka.producer.message.max.bytes", "1040000", errstr, sizeof(errstr)), 0);
    feed *f = feed_new(&big, errstr, sizeof(errstr));
    assert_non_null(f);
    size_t n = 1030000;
    char *pill = malloc(n + 1);
    assert_non_null(pill);
    memset(pill, 'x', n);
    pill[n] = '\0';
    hx_send(f, e.c.topic_transfers, "A1", pill);
    hx_send(f, e.c.topic_accounts, "P1", pill);
    hx_flush(f);
    feed_destroy(f);
    snprintf(hash, sizeof(hash), "%016" PRIx64, hash_fnv1a64(HASH_FNV64_INIT, pill, n));
    free(pill);
    cfg_free(&big);

    /* Then an ordinary stream behind it, all screened. */
    static const hx_chaos spec = {.seed = 9, .transfers = 2000, .hits = 4, .bad = 0};
    hx_chaos_expect x;
    hx_chaos_produce(&e, &spec, (tf_now_ms() / 1000) * 1000 - 3600 * 1000, &x);

    /* A surplus argument is a usage error, not ignored. */
    assert_int_equal(hx_run(&e, 60, 2, "run", "--until-idle", "3s", "surplus", NULL), 2);
    /* So is a metrics address that cannot be bound, before anything starts. */
    assert_int_equal(
        hx_run(&e, 60, 2, "run", "--until-idle", "3s", "-X", "metrics.listen=1.2.3:99", NULL), 2);
    snprintf(path, sizeof(path), "%s/metrics.txt", e.dir);
    assert_int_equal(hx_run(&e, 300, 0, "run", "--until-idle", "3s", "--final-metrics", path, NULL),
                     0);
    hx_read(&e, e.c.topic_deadletter, on_big_dead, &d);
    assert_int_equal(d.n, 2); /* the transfer and the profile */
    assert_string_equal(d.reason, "too_large");
    assert_string_equal(d.truncated, "true");
    assert_string_equal(d.bytes, "1030000");
    assert_string_equal(d.key_bytes, "2");
    assert_string_equal(d.hash, hash);
    assert_int_equal(d.len, 1000000 - 64 * 1024); /* the default message.max.bytes, less room */
    assert_int_equal(d.key_len, 2);
    assert_int_equal(metric(path, "too_large"), 2);
    /* The state and the final metrics hold account ids: 700 and 600, though
     * the screener was started with umask 022. */
    assert_true(assert_private(e.c.state_dir) > 5);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 077, 0);
    hx_chaos_verify_requests(&e, &x);
    assert_int_equal(hx_committed_sum(&e, e.c.topic_transfers),
                     hx_end_sum(&e, e.c.topic_transfers));
    hx_teardown(&e);
    hx_chaos_free(&x);
}

/* A batch run whose output cannot be committed (its requests topic does not
 * exist) once ended with 0 and nothing committed; now it fails. A batch that
 * happens to carry no request may still commit before the first one that
 * does (how the transfers fall into batches is the broker's timing), so the
 * test asserts what matters: the run fails, not everything is committed, and
 * a run with the topic back gives every request exactly once. */
static void test_batch_that_cannot_commit_fails(void **state)
{
    (void)state;
    hx_env e;
    hx_chaos_expect x;
    static const hx_chaos spec = {.seed = 11, .transfers = 2000, .hits = 4, .bad = 0};
    hx_setup(&e, "nocommit", hx_kafka_brokers());
    hx_chaos_produce(&e, &spec, (tf_now_ms() / 1000) * 1000 - 3600 * 1000, &x);
    assert_int_equal(hx_run(&e, 240, 3, "run", "--until-idle", "3s", "-X",
                            "topic.interceptions=nocommit-no-such-topic", NULL),
                     3);
    assert_true(hx_committed_sum(&e, e.c.topic_transfers) < hx_end_sum(&e, e.c.topic_transfers));
    assert_int_equal(hx_run(&e, 240, 0, "run", "--until-idle", "3s", NULL), 0);
    hx_chaos_verify_requests(&e, &x);
    assert_int_equal(hx_committed_sum(&e, e.c.topic_transfers),
                     hx_end_sum(&e, e.c.topic_transfers));
    hx_teardown(&e);
    hx_chaos_free(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_input_everywhere),
        cmocka_unit_test(test_poison_pill_over_a_megabyte),
        cmocka_unit_test(test_batch_that_cannot_commit_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
