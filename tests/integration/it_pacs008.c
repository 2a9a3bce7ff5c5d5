/* it_pacs008.c - ISO 20022 pacs.008 input on the real broker.
 *
 * The same generated stream, produced once as interdict's JSON and once as
 * pacs.008 onto two topic sets, is screened by `interdict run` into exactly
 * the same freeze requests: the same ids, accounts and reason codes. Then
 * every invalid example of schemas/examples/pacs008/ goes through the
 * screener among valid messages: each is dead-lettered once with the reason
 * the examples list, a message with several transactions has each judged on
 * its own, and every valid transfer is screened. */
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
#include "harness_replay.h"
#include "rules.h"
#include "scenario.h"
#include "timefmt.h"

#define P_ACCOUNTS  2000
#define P_TRANSFERS 5000
#define P_REPORTS   64
#define EXAMPLES    IX_SOURCE_DIR "/schemas/examples/pacs008"

/* ---- the same stream in both wire forms --------------------------------- */

static void produce(hx_env *e, ix_format fmt, int64_t now_ms, ix_report *reports, int *nreports)
{
    char errstr[256];
    scn *s = NULL;
    scn_opts so;
    scn_opts_default(&so);
    so.seed = 15;
    so.accounts = P_ACCOUNTS;
    so.transfers = P_TRANSFERS;
    so.now_ms = now_ms;
    for (int p = 0; p < SCN_PATTERN__COUNT; p++)
        so.count[p] = 1;
    if (scn_new(&so, &s, errstr, sizeof(errstr)) != 0)
        fail_msg("scenario: %s", errstr);
    hx_produce_scenario(e, s, fmt, reports, P_REPORTS, nreports);
    scn_destroy(s);
}

/* Each request as "request_id account CODE,CODE,...". */
typedef struct requests {
    char (*line)[256];
    int n, cap;
} requests;

static int on_request(const rd_kafka_message_t *m, void *arg)
{
    requests *r = arg;
    json_error_t je;
    json_t *doc = json_loadb(m->payload, m->len, 0, &je);
    assert_non_null(doc);
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 256;
        r->line = realloc(r->line, (size_t)r->cap * sizeof(*r->line));
        assert_non_null(r->line);
    }
    char *l = r->line[r->n++];
    int k = snprintf(l, sizeof(*r->line), "%s %s ",
                     json_string_value(json_object_get(doc, "request_id")),
                     json_string_value(json_object_get(doc, "account")));
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(doc, "findings"), i, f)
    {
        k += snprintf(l + k, sizeof(*r->line) - (size_t)k, "%s%s", i ? "," : "",
                      json_string_value(json_object_get(f, "code")));
    }
    json_decref(doc);
    return 0;
}

static int by_line(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void read_requests(hx_env *e, requests *r)
{
    memset(r, 0, sizeof(*r));
    hx_read(e, e->c.topic_interceptions, on_request, r);
    qsort(r->line, (size_t)r->n, sizeof(*r->line), by_line);
}

static int count_any(const rd_kafka_message_t *m, void *arg)
{
    (void)m;
    ++*(int *)arg;
    return 0;
}

static void setup_stream(hx_env *e, const char *name, const char *format)
{
    /* One partition, so hops are screened in the order they happened, and
     * every rule on (the harness turns the pattern rules off). */
    hx_setup_partitions(e, name, hx_kafka_brokers(), 1);
    for (const rule_def *const *r = rules_table; *r; r++) {
        char key[96];
        snprintf(key, sizeof(key), "rules.%s.enabled", (*r)->name);
        hx_set(e, key, "true");
    }
    hx_set(e, "topic.transfers.format", format);
}

static void test_same_requests_as_json(void **state)
{
    (void)state;
    hx_env js, px;
    ix_report reports[P_REPORTS];
    int nreports = 0, dead = 0;
    int64_t now = (tf_now_ms() / 1000) * 1000 - 60000;
    requests a, b;

    setup_stream(&js, "pjson", "json");
    setup_stream(&px, "pxml", "pacs008");
    produce(&js, IX_FORMAT_JSON, now, reports, &nreports);
    produce(&px, IX_FORMAT_PACS008, now, reports, &nreports);
    assert_int_equal(hx_run(&js, 300, 0, "run", "--until-idle", "3s", NULL), 0);
    assert_int_equal(hx_run(&px, 300, 0, "run", "--until-idle", "3s", NULL), 0);
    hx_send_reports(&js, reports, nreports);
    hx_send_reports(&px, reports, nreports);
    assert_int_equal(hx_run(&js, 300, 0, "run", "--until-idle", "3s", NULL), 0);
    assert_int_equal(hx_run(&px, 300, 0, "run", "--until-idle", "3s", NULL), 0);

    read_requests(&js, &a);
    read_requests(&px, &b);
    printf("%d freeze requests from JSON, %d from pacs.008\n", a.n, b.n);
    assert_true(a.n > 20);
    assert_int_equal(b.n, a.n);
    for (int i = 0; i < a.n; i++)
        assert_string_equal(b.line[i], a.line[i]);
    /* Nothing refused on either side. */
    hx_read(&js, js.c.topic_deadletter, count_any, &dead);
    hx_read(&px, px.c.topic_deadletter, count_any, &dead);
    assert_int_equal(dead, 0);
    assert_int_equal(hx_committed_sum(&px, px.c.topic_transfers),
                     hx_end_sum(&px, px.c.topic_transfers));
    free(a.line);
    free(b.line);
    hx_teardown(&js);
    hx_teardown(&px);
}

/* ---- the dead-letter reasons, one by one -------------------------------- */

#define MAX_SENT 64

typedef struct sent {
    char reason[MAX_SENT][48]; /* expected of the message at each offset; "" for none */
    char detail[MAX_SENT][96]; /* the start its detail must have, or "" */
    int n;
} sent;

typedef struct dead_letters {
    const sent *s;
    int got[MAX_SENT];
    int total;
} dead_letters;

static char *read_example(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", EXAMPLES, name);
    char *doc = hx_slurp(path);
    assert_true(doc[0] != '\0');
    return doc;
}

/* A valid one-transaction message of its own id (the screener refuses a
 * transfer id it has seen as duplicate_transfer). */
static const char *valid_doc(int k, const char *currency, char *buf, size_t size)
{
    ix_transfer t;
    memset(&t, 0, sizeof(t));
    snprintf(t.id, sizeof(t.id), "VAL-%d", k);
    snprintf(t.from_account, sizeof(t.from_account), "6228480012345678");
    snprintf(t.from_bank, sizeof(t.from_bank), "ABOCCNBJ");
    snprintf(t.to_account, sizeof(t.to_account), "62220202%08d", k);
    snprintf(t.to_bank, sizeof(t.to_bank), "ICBKCNBJ");
    t.amount = 10000 + k;
    memcpy(t.currency, currency, 4);
    t.event_time_ms = tf_now_ms() - 60000 + k;
    assert_true(enc_pacs008(&t, 1, buf, size) > 0);
    return buf;
}

static void send_one(feed *f, hx_env *e, sent *s, const char *key, const char *value,
                     const char *reason, const char *detail)
{
    assert_true(s->n < MAX_SENT);
    snprintf(s->reason[s->n], sizeof(s->reason[0]), "%s", reason);
    snprintf(s->detail[s->n], sizeof(s->detail[0]), "%s", detail);
    s->n++;
    hx_send(f, e->c.topic_transfers, key, value);
}

static int on_dead(const rd_kafka_message_t *m, void *arg)
{
    dead_letters *d = arg;
    char reason[48], detail[256], off[24];
    hx_header(m, "interdict.reason", reason, sizeof(reason));
    hx_header(m, "interdict.detail", detail, sizeof(detail));
    hx_header(m, "interdict.offset", off, sizeof(off));
    int i = atoi(off);
    d->total++;
    assert_true(i >= 0 && i < d->s->n);
    if (strcmp(reason, d->s->reason[i]) != 0)
        fail_msg("offset %d: dead-lettered as %s (%s), want %s", i, reason, detail,
                 d->s->reason[i][0] ? d->s->reason[i] : "no dead letter");
    /* "[*]": one per transaction, each naming its own. */
    const char *start = d->s->detail[i];
    char own[96];
    if (strcmp(start, "CdtTrfTxInf[*]") == 0) {
        snprintf(own, sizeof(own), "CdtTrfTxInf[%d]: currency: EUR", d->got[i] + 1);
        start = own;
    }
    if (strncmp(detail, start, strlen(start)) != 0)
        fail_msg("offset %d: detail \"%s\", want \"%s...\"", i, detail, start);
    d->got[i]++;
    return 0;
}

/* The number after "NAME " in a metrics file. */
static long metric_value(const char *path, const char *name)
{
    char line[512];
    long v = -1;
    size_t n = strlen(name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, name, n) == 0 && line[n] == ' ')
            v = strtol(line + n + 1, NULL, 10);
    fclose(f);
    return v;
}

static void test_deadletter_reasons(void **state)
{
    (void)state;
    hx_env e;
    sent s;
    dead_letters d;
    char path[400], buf[2 * ENC_TRANSFER_MAX];
    json_error_t je;
    const char *file;
    json_t *want;
    memset(&s, 0, sizeof(s));
    memset(&d, 0, sizeof(d));

    hx_setup_partitions(&e, "pdead", hx_kafka_brokers(), 1);
    hx_set(&e, "topic.transfers.format", "pacs008");
    hx_set(&e, "input.max.past", "3650d"); /* the examples are dated 2026-11-23 */
    json_t *exp = json_load_file(EXAMPLES "/expected.json", 0, &je);
    assert_non_null(exp);

    feed *f = hx_feed(&e);
    char *valid = read_example("pacs008.valid-single-othr.xml");
    send_one(f, &e, &s, "6228480012345678", valid, "", "");
    json_object_foreach(json_object_get(exp, "invalid"), file, want)
    {
        char *doc = read_example(file);
        send_one(f, &e, &s, "6228480012345678", doc,
                 json_string_value(json_object_get(want, "reason")),
                 json_string_value(json_object_get(want, "field")));
        free(doc);
        /* ... and a valid one behind each: nothing after a bad one is lost. */
        send_one(f, &e, &s, "6228480012345678", valid_doc(s.n, "CNY", buf, sizeof(buf)), "", "");
    }
    /* A message keyed by another account than its debtor's. */
    send_one(f, &e, &s, "6228480012345679", valid_doc(s.n, "CNY", buf, sizeof(buf)), "bad_key",
             "message key is not");
    /* Three EUR transactions on a CNY screener: three dead letters. */
    char *eur = read_example("pacs008.valid-multiple-iban.xml");
    send_one(f, &e, &s, "DE89370400440532013000", eur, "foreign_currency", "CdtTrfTxInf[*]");
    free(eur);
    /* Two transactions, the second in EUR: the first is screened. */
    ix_transfer two[2];
    memset(two, 0, sizeof(two));
    for (int i = 0; i < 2; i++) {
        snprintf(two[i].id, sizeof(two[i].id), "MIX-%d", i + 1);
        snprintf(two[i].from_account, sizeof(two[i].from_account), "6228480012345678");
        snprintf(two[i].from_bank, sizeof(two[i].from_bank), "ABOCCNBJ");
        snprintf(two[i].to_account, sizeof(two[i].to_account), "622202020011223%d", i);
        snprintf(two[i].to_bank, sizeof(two[i].to_bank), "ICBKCNBJ");
        two[i].amount = 10000 + i;
        memcpy(two[i].currency, i ? "EUR" : "CNY", 4);
        two[i].event_time_ms = tf_now_ms() - 60000;
    }
    assert_true(enc_pacs008(two, 2, buf, sizeof(buf)) > 0);
    send_one(f, &e, &s, "6228480012345678", buf, "foreign_currency",
             "CdtTrfTxInf[2]: currency: EUR, this instance screens CNY");
    hx_flush(f);
    feed_destroy(f);
    free(valid);

    snprintf(path, sizeof(path), "%s/metrics.txt", e.dir);
    assert_int_equal(hx_run(&e, 300, 0, "run", "--until-idle", "3s", "--final-metrics", path, NULL),
                     0);
    d.s = &s;
    hx_read(&e, e.c.topic_deadletter, on_dead, &d);
    int valid_msgs = 0, want_dead = 0;
    for (int i = 0; i < s.n; i++) {
        int want_n = !s.reason[i][0] ? 0 : strcmp(s.detail[i], "CdtTrfTxInf[*]") == 0 ? 3 : 1;
        if (d.got[i] != want_n)
            fail_msg("offset %d: %d dead letters, want %d (%s)", i, d.got[i], want_n, s.reason[i]);
        valid_msgs += !s.reason[i][0];
        want_dead += want_n;
    }
    assert_int_equal(d.total, want_dead);
    /* Every valid transfer screened: one per valid message, and the mixed
     * message's CNY transaction; every message committed. */
    assert_int_equal(metric_value(path, "interdict_transfers_screened_total"), valid_msgs + 1);
    assert_int_equal(metric_value(path, "interdict_transfers_consumed_total"), s.n);
    assert_int_equal(hx_committed_sum(&e, e.c.topic_transfers), s.n);
    json_decref(exp);
    hx_teardown(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deadletter_reasons),
        cmocka_unit_test(test_same_requests_as_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
