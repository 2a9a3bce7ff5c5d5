/* it_produce.c - `interdict produce` against the real broker: files of JSON lines and CSV land
 * keyed by the account the screener requires, on the partition murmur2 gives that key, byte for
 * byte as the encoder writes them; a bad line stops the file there; pacing by event time waits;
 * and `interdict run` screens what was produced into the exact freeze request expected. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <librdkafka/rdkafka.h>

#include "encode.h"
#include "harness.h"
#include "hash.h"
#include "rules.h"
#include "timefmt.h"

#define NTX        6
#define PARTITIONS 4

/* What a topic held, read back. */
typedef struct held {
    int n;
    char key[32][40];
    char value[32][ENC_RECORD_MAX];
    int32_t partition[32];
} held;

static int on_message(const rd_kafka_message_t *m, void *arg)
{
    held *h = arg;
    assert_true(h->n < 32);
    snprintf(h->key[h->n], sizeof(h->key[0]), "%.*s", (int)m->key_len, (const char *)m->key);
    snprintf(h->value[h->n], sizeof(h->value[0]), "%.*s", (int)m->len, (const char *)m->payload);
    h->partition[h->n++] = m->partition;
    return 0;
}

/* Every message is on the partition of its key, and that key is `field`
 * of its value. Returns how many messages equal `value`. */
static int check_placement(const held *h, const char *field, const char *value)
{
    int same = 0;
    for (int i = 0; i < h->n; i++) {
        json_t *v = json_loads(h->value[i], 0, NULL);
        assert_non_null(v);
        assert_string_equal(h->key[i], json_string_value(json_object_get(v, field)));
        assert_int_equal(h->partition[i], hash_partition(h->key[i], strlen(h->key[i]), PARTITIONS));
        json_decref(v);
        same += value && strcmp(h->value[i], value) == 0;
    }
    return same;
}

static void write_file(const hx_env *e, const char *name, const char *text, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", e->dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    fclose(f);
}

static ix_transfer mk(int i, const char *from, const char *to, int64_t t)
{
    ix_transfer x;
    memset(&x, 0, sizeof(x));
    snprintf(x.id, sizeof(x.id), "P-T%d", i);
    snprintf(x.from_account, sizeof(x.from_account), "%s", from);
    snprintf(x.from_bank, sizeof(x.from_bank), "ICBKCNBJ");
    snprintf(x.to_account, sizeof(x.to_account), "%s", to);
    snprintf(x.to_bank, sizeof(x.to_bank), "BKCHCNBJ");
    x.amount = 10000 + i;
    memcpy(x.currency, "CNY", 4);
    x.event_time_ms = t + i * 1000;
    x.channel = IX_CHANNEL_MOBILE;
    return x;
}

/* The transfers as JSON lines (the encoder's) and as CSV. */
static void write_transfers(const hx_env *e, const ix_transfer *xs, char *json_path, char *csv_path,
                            size_t size)
{
    char json[NTX * ENC_RECORD_MAX] = "",
                    csv[NTX * 512] = "transfer_id,from_account,from_bank,to_account,to_bank,amount,"
                                     "currency,event_time,channel\n";
    for (int i = 0; i < NTX; i++) {
        char buf[ENC_RECORD_MAX], at[TF_RFC3339_LEN + 1];
        assert_true(enc_transfer(&xs[i], buf, sizeof(buf)) > 0);
        strcat(strcat(json, buf), "\n");
        assert_true(tf_format(xs[i].event_time_ms, at, sizeof(at)) > 0);
        snprintf(buf, sizeof(buf), "%.64s,%.34s,%.11s,%.34s,%.11s,%" PRId64 ",CNY,%s,mobile\r\n",
                 xs[i].id, xs[i].from_account, xs[i].from_bank, xs[i].to_account, xs[i].to_bank,
                 xs[i].amount, at);
        strcat(csv, buf);
    }
    write_file(e, "transfers.jsonl", json, json_path, size);
    write_file(e, "transfers.csv", csv, csv_path, size);
}

static void read_line(const char *path, char *out, size_t size)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(out, (int)size, f));
    fclose(f);
    out[strcspn(out, "\n")] = '\0';
}

/* The summary line of a produce run of `path` with n records, all sent. */
static void expect_summary(const hx_env *e, const char *out_path, const char *path,
                           const ix_transfer *xs, int n)
{
    char want[1024], got[1024];
    int counts[PARTITIONS] = {0};
    for (int i = 0; i < n; i++)
        counts[hash_partition(xs[i].from_account, strlen(xs[i].from_account), PARTITIONS)]++;
    int k = snprintf(want, sizeof(want),
                     "%s: %d read, %d sent, %d delivered, 0 failed, 0 bad; topic %s", path, n, n, n,
                     e->c.topic_transfers);
    int top = PARTITIONS;
    while (top > 0 && counts[top - 1] == 0)
        top--;
    for (int p = 0; p < top; p++)
        k += snprintf(want + k, sizeof(want) - (size_t)k, "%s%d:%d", p ? " " : ", by partition ", p,
                      counts[p]);
    read_line(out_path, got, sizeof(got));
    assert_string_equal(got, want);
}

static int on_request(const rd_kafka_message_t *m, void *arg)
{
    json_t **out = arg;
    assert_null(*out); /* exactly one request */
    *out = json_loadb(m->payload, m->len, 0, NULL);
    assert_non_null(*out);
    return 0;
}

static int on_dead(const rd_kafka_message_t *m, void *arg)
{
    char reason[64];
    int *dups = arg;
    hx_header(m, "interdict.reason", reason, sizeof(reason));
    assert_string_equal(reason, "duplicate_transfer"); /* the CSV's copies, nothing else */
    (*dups)++;
    return 0;
}

static void test_produce(void **state)
{
    (void)state;
    hx_env e;
    char jpath[400], cpath[400], wpath[400], bpath[400], spath[400], out[400];
    hx_setup_partitions(&e, "itprd", hx_kafka_brokers(), PARTITIONS);
    snprintf(out, sizeof(out), "%s/produce.out", e.dir);
    const int64_t t0 = (tf_now_ms() / 1000) * 1000 - 600 * 1000;
    const ix_transfer xs[NTX] = {mk(0, "6200000000000001", "6200000000000002", t0),
                                 mk(1, "6200000000000003", "6200000000000004", t0),
                                 mk(2, "6200000000000005", "6200000000000006", t0),
                                 mk(3, "6200000000000007", "MULE1", t0),
                                 mk(4, "6200000000000009", "6200000000000010", t0),
                                 mk(5, "6200000000000011", "6200000000000012", t0)};
    write_transfers(&e, xs, jpath, cpath, sizeof(jpath));
    write_file(&e, "watch.jsonl",
               "{\"version\":1,\"account\":\"MULE1\",\"bank\":\"BKCHCNBJ\",\"list\":"
               "\"confirmed_mule\",\"reason\":\"police report\",\"added_at\":"
               "\"2026-01-01T00:00:00Z\"}\n",
               wpath, sizeof(wpath));

    assert_int_equal(hx_run(&e, 60, 0, "produce", "--topic", "watchlist", wpath, NULL), 0);
    assert_int_equal(hx_run_capture(&e, 60, 0, out, "produce", jpath, NULL), 0);
    expect_summary(&e, out, jpath, xs, NTX);
    assert_int_equal(hx_run_capture(&e, 60, 0, out, "produce", cpath, NULL), 0);
    expect_summary(&e, out, cpath, xs, NTX);

    /* A bad second line: reported with its line, nothing from it on sent. */
    char bad[3 * ENC_RECORD_MAX], b1[ENC_RECORD_MAX];
    ix_transfer first = mk(9, "6200000000000013", "6200000000000014", t0);
    assert_true(enc_transfer(&first, b1, sizeof(b1)) > 0);
    snprintf(bad, sizeof(bad), "%s\n%s\n%s\n", b1,
             "{\"version\":1,\"transfer_id\":\"P-X\",\"from_account\":\"A\",\"from_bank\":"
             "\"ICBKCNBJ\",\"to_account\":\"B\",\"to_bank\":\"ICBKCNBJ\",\"amount\":\"5\","
             "\"currency\":\"CNY\",\"event_time\":\"2026-01-01T00:00:00Z\"}",
             b1);
    write_file(&e, "bad.jsonl", bad, bpath, sizeof(bpath));
    assert_int_equal(hx_run(&e, 60, 2, "produce", bpath, NULL), 2);
    char line[600];
    snprintf(line, sizeof(line), "%s:2: wrong_type: amount: expected an integer, got a string",
             bpath);
    assert_true(hx_log_contains(&e, line));

    /* Two watch-list entries 2 s apart in event time, at real speed. */
    write_file(&e, "speed.jsonl",
               "{\"version\":1,\"account\":\"SLOW1\",\"bank\":\"BKCHCNBJ\",\"list\":\"l\","
               "\"reason\":\"r\",\"added_at\":\"2026-01-01T00:00:00Z\"}\n"
               "{\"version\":1,\"account\":\"SLOW2\",\"bank\":\"BKCHCNBJ\",\"list\":\"l\","
               "\"reason\":\"r\",\"added_at\":\"2026-01-01T00:00:02Z\"}\n",
               spath, sizeof(spath));
    int64_t begin = tf_mono_ns();
    assert_int_equal(
        hx_run(&e, 60, 0, "produce", "--topic", "watchlist", "--speedup", "1", spath, NULL), 0);
    assert_true(tf_mono_ns() - begin >= 1500000000LL);

    /* The transfers topic: each transfer twice (the JSON line, the CSV row
     * through the encoder: the same bytes), the bad file's first line once. */
    held h = {0};
    hx_read(&e, e.c.topic_transfers, on_message, &h);
    assert_int_equal(h.n, 2 * NTX + 1);
    for (int i = 0; i < NTX; i++) {
        char buf[ENC_RECORD_MAX];
        assert_true(enc_transfer(&xs[i], buf, sizeof(buf)) > 0);
        assert_int_equal(check_placement(&h, "from_account", buf), 2);
    }
    assert_int_equal(check_placement(&h, "from_account", b1), 1);
    held w = {0};
    hx_read(&e, e.c.topic_watchlist, on_message, &w);
    assert_int_equal(w.n, 3);
    check_placement(&w, "account", NULL);

    /* Screened: the payment to the watch-listed MULE1 is frozen, once; the
     * CSV's copies are duplicates. */
    assert_int_equal(hx_run(&e, 120, 0, "run", "--until-idle", "3s", NULL), 0);
    json_t *req = NULL;
    int dups = 0;
    hx_read(&e, e.c.topic_interceptions, on_request, &req);
    hx_read(&e, e.c.topic_deadletter, on_dead, &dups);
    assert_non_null(req);
    char id[40];
    rules_request_id("MULE1", "P-T3", e.c.rule_set, id, sizeof(id));
    assert_string_equal(json_string_value(json_object_get(req, "request_id")), id);
    assert_string_equal(json_string_value(json_object_get(req, "account")), "MULE1");
    assert_string_equal(json_string_value(json_object_get(req, "action")), "FREEZE");
    json_t *f0 = json_array_get(json_object_get(req, "findings"), 0);
    assert_string_equal(json_string_value(json_object_get(f0, "code")), "WL01");
    assert_int_equal(json_integer_value(json_object_get(f0, "amount")), xs[3].amount);
    assert_int_equal(dups, NTX);
    json_decref(req);
    hx_teardown(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_produce),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
