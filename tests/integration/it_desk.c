/* it_desk.c - the fraud desk closes the loop against the real Kafka broker:
 * an allow-listed pair and a dismissed request hold their findings back
 * across a restart of the screener, each exactly once; bad desk messages
 * are dead-lettered with their reasons; inspect and replay show it.
 *
 * Two watch-listed accounts, MULEA and MULEB: a payment into either raises
 * WL01 on it. The desk allow-lists the pair MULEA <- PAYER1 for WL01.
 *  run 1: PAYER1 -> MULEA (held: allow-listed), PAYER2 -> MULEB (raised:
 *         request B). Three bad desk messages.
 *  run 2, a new process: the desk dismisses request B, and answers it twice.
 *         PAYER1 -> MULEA again (held: the entry survived the restart),
 *         PAYER3 -> MULEB two days after request B (held: dismissed, not a
 *         cooldown), PAYER4 -> MULEA (raised: the pair covers PAYER1 only).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "encode.h"
#include "harness.h"
#include "timefmt.h"

#define DAY_MS (24LL * 3600 * 1000)

typedef struct outcome {
    char requests[8][128]; /* "account trigger", in topic order */
    char request_id[8][IX_ID_MAX + 1];
    int nreq;
    char dead[8][320]; /* "topic-suffix reason" */
    int ndead;
} outcome;

static int on_request(const rd_kafka_message_t *m, void *arg)
{
    outcome *o = arg;
    json_t *doc = json_loadb(m->payload, m->len, 0, NULL);
    assert_non_null(doc);
    assert_true(o->nreq < 8);
    snprintf(o->requests[o->nreq], sizeof(o->requests[0]), "%s %s",
             json_string_value(json_object_get(doc, "account")),
             json_string_value(json_object_get(json_object_get(doc, "trigger"), "id")));
    snprintf(o->request_id[o->nreq++], IX_ID_MAX + 1, "%s",
             json_string_value(json_object_get(doc, "request_id")));
    json_decref(doc);
    return 0;
}

static int on_dead(const rd_kafka_message_t *m, void *arg)
{
    outcome *o = arg;
    char topic[256], reason[64];
    hx_header(m, "interdict.topic", topic, sizeof(topic));
    hx_header(m, "interdict.reason", reason, sizeof(reason));
    const char *dash = strrchr(topic, '-');
    assert_true(o->ndead < 8);
    snprintf(o->dead[o->ndead++], sizeof(o->dead[0]), "%s %s", dash ? dash + 1 : topic, reason);
    return 0;
}

static int by_text(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Dead letters sorted: the table topics are read side by side, in no
 * order between them. */
static void read_outcome(hx_env *e, outcome *o)
{
    memset(o, 0, sizeof(*o));
    hx_read(e, e->c.topic_interceptions, on_request, o);
    hx_read(e, e->c.topic_deadletter, on_dead, o);
    qsort(o->dead, (size_t)o->ndead, sizeof(o->dead[0]), by_text);
}

static void send_transfer(hx_env *e, feed *f, const char *id, const char *from, const char *to,
                          int64_t t)
{
    char buf[ENC_RECORD_MAX];
    ix_transfer x;
    memset(&x, 0, sizeof(x));
    snprintf(x.id, sizeof(x.id), "%s", id);
    snprintf(x.from_account, sizeof(x.from_account), "%s", from);
    snprintf(x.from_bank, sizeof(x.from_bank), "ICBKCNBJ");
    snprintf(x.to_account, sizeof(x.to_account), "%s", to);
    snprintf(x.to_bank, sizeof(x.to_bank), "BKCHCNBJ");
    x.amount = 250000;
    memcpy(x.currency, "CNY", 4);
    x.event_time_ms = t;
    assert_true(enc_transfer(&x, buf, sizeof(buf)) > 0);
    hx_send(f, e->c.topic_transfers, from, buf);
}

static void send_watch(hx_env *e, feed *f, const char *account, int64_t t)
{
    char buf[ENC_RECORD_MAX];
    ix_watch w;
    memset(&w, 0, sizeof(w));
    snprintf(w.account, sizeof(w.account), "%s", account);
    snprintf(w.bank, sizeof(w.bank), "BKCHCNBJ");
    snprintf(w.list, sizeof(w.list), "confirmed_mule");
    snprintf(w.reason, sizeof(w.reason), "police report");
    w.added_at_ms = t;
    assert_true(enc_watch(&w, buf, sizeof(buf)) > 0);
    hx_send(f, e->c.topic_watchlist, account, buf);
}

static void send_verdict(hx_env *e, feed *f, const char *id, const char *account,
                         const char *answer, int64_t t)
{
    char buf[512], at[TF_RFC3339_LEN + 1];
    assert_true(tf_format(t, at, sizeof(at)) > 0);
    snprintf(buf, sizeof(buf),
             "{\"version\":1,\"request_id\":\"%s\",\"account\":\"%s\",\"verdict\":\"%s\","
             "\"decided_at\":\"%s\",\"note\":\"checked by phone\"}",
             id, account, answer, at);
    hx_send(f, e->c.topic_verdicts, account, buf);
}

static void assert_outcome(const outcome *o, const char *const *reqs, int nreq,
                           const char *const *dead, int ndead)
{
    assert_int_equal(o->nreq, nreq);
    for (int i = 0; i < nreq; i++)
        assert_string_equal(o->requests[i], reqs[i]);
    assert_int_equal(o->ndead, ndead);
    for (int i = 0; i < ndead; i++)
        assert_string_equal(o->dead[i], dead[i]);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_desk_real_broker(void **state)
{
    (void)state;
    hx_env e;
    outcome o;
    char al[512], at[TF_RFC3339_LEN + 1], path[600];
    /* One partition: the interceptions topic's order is the screening's. */
    hx_setup_partitions(&e, "itdesk", hx_kafka_brokers(), 1);
    int64_t t0 = (tf_now_ms() / 1000) * 1000 - 4 * DAY_MS;

    feed *f = hx_feed(&e);
    send_watch(&e, f, "MULEA", t0 - DAY_MS);
    send_watch(&e, f, "MULEB", t0 - DAY_MS);
    assert_true(tf_format(t0 - DAY_MS, at, sizeof(at)) > 0);
    snprintf(al, sizeof(al),
             "{\"version\":1,\"account\":\"MULEA\",\"counterparty\":\"PAYER1\",\"rules\":"
             "[\"WL01\"],\"reason\":\"the landlord's rent account\",\"added_at\":\"%s\"}",
             at);
    hx_send(f, e.c.topic_allowlist, "MULEA/PAYER1", al);
    hx_send(f, e.c.topic_allowlist, "MULEA", al); /* a pair keyed as an account: bad_key */
    hx_send(f, e.c.topic_allowlist, "MULEC", "{\"version\":1,");      /* malformed */
    send_verdict(&e, f, "fr-never-raised", "MULEB", "dismissed", t0); /* unknown_request */
    send_transfer(&e, f, "T1", "PAYER1", "MULEA", t0);
    send_transfer(&e, f, "T2", "PAYER2", "MULEB", t0 + 60000);
    hx_flush(f);

    assert_int_equal(hx_run(&e, 240, 0, "run", "--until-idle", "3s", NULL), 0);
    read_outcome(&e, &o);
    static const char *const reqs1[] = {"MULEB T2"};
    static const char *const dead1[] = {"allowlist bad_key", "allowlist malformed",
                                        "verdicts unknown_request"};
    assert_outcome(&o, reqs1, 1, dead1, 3);
    char request_b[IX_ID_MAX + 1];
    snprintf(request_b, sizeof(request_b), "%s", o.request_id[0]);

    /* The screener is stopped; the desk answers and the stream goes on. */
    send_verdict(&e, f, request_b, "MULEB", "dismissed", t0 + DAY_MS);
    send_verdict(&e, f, request_b, "MULEB", "confirmed", t0 + DAY_MS + 1000); /* duplicate */
    send_transfer(&e, f, "T3", "PAYER1", "MULEA", t0 + 2 * DAY_MS);
    send_transfer(&e, f, "T4", "PAYER3", "MULEB", t0 + 2 * DAY_MS + 60000);
    send_transfer(&e, f, "T5", "PAYER4", "MULEA", t0 + 2 * DAY_MS + 120000);
    hx_flush(f);
    feed_destroy(f);

    assert_int_equal(hx_run(&e, 240, 0, "run", "--until-idle", "3s", NULL), 0);
    read_outcome(&e, &o);
    static const char *const reqs2[] = {"MULEB T2", "MULEA T5"};
    static const char *const dead2[] = {"allowlist bad_key", "allowlist malformed",
                                        "verdicts duplicate_verdict", "verdicts unknown_request"};
    assert_outcome(&o, reqs2, 2, dead2, 4);

    /* A third run with nothing new applies nothing twice. */
    assert_int_equal(hx_run(&e, 240, 0, "run", "--until-idle", "3s", NULL), 0);
    read_outcome(&e, &o);
    assert_outcome(&o, reqs2, 2, dead2, 4);

    /* inspect shows what holds each account back and how often it did. */
    snprintf(path, sizeof(path), "%s/inspect.json", e.dir);
    assert_int_equal(hx_run_capture(&e, 60, 0, path, "inspect", "MULEB", "--json", NULL), 0);
    json_t *doc = json_loads(slurp(path), 0, NULL);
    assert_non_null(doc);
    json_t *sup = json_object_get(json_object_get(doc, "desk"), "suppressions");
    assert_int_equal(json_array_size(sup), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(sup, 0), "rule")), "WL01");
    assert_string_equal(json_string_value(json_object_get(json_array_get(sup, 0), "request_id")),
                        request_b);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(sup, 0), "held")), 1);
    json_decref(doc);
    assert_int_equal(hx_run_capture(&e, 60, 0, path, "inspect", "MULEA", NULL), 0);
    assert_non_null(strstr(slurp(path), "ALLOW-LISTED MULEA -> PAYER1 for WL01 since "));
    assert_non_null(strstr(slurp(path), ": the landlord's rent account; 2 held back"));

    /* replay decides as the live run did, in event-time order. */
    snprintf(path, sizeof(path), "%s/replay.json", e.dir);
    assert_int_equal(hx_run_capture(&e, 120, 0, path, "replay", "--json", NULL), 0);
    doc = json_loads(slurp(path), 0, NULL);
    assert_non_null(doc);
    json_t *run = json_array_get(json_object_get(doc, "runs"), 0);
    json_t *desk = json_object_get(run, "desk");
    assert_int_equal(json_integer_value(json_object_get(desk, "held")), 3); /* T1, T3, T4 */
    assert_int_equal(json_integer_value(json_object_get(desk, "verdicts")), 1);
    assert_int_equal(json_integer_value(json_object_get(desk, "refused")), 2);
    assert_int_equal(json_integer_value(json_object_get(run, "request_count")), 2);
    json_decref(doc);
    hx_teardown(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_desk_real_broker),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
