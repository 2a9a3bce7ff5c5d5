/* harness_scenarios.c - scenarios run against both the real broker and the
 * embedded one, so the two can never drift apart.
 */
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
#include "gen.h"
#include "harness.h"
#include "rules.h"
#include "timefmt.h"

#define WL_ACCOUNTS  400
#define WL_MULES     20
#define WL_TRANSFERS 1500
#define WL_HITS      10 /* mules 0..9, one transfer each */

/* One freeze request as read back from the interceptions topic. */
typedef struct seen_req {
    char account[64], action[16], code[8], trigger[80], request_id[40];
    int64_t amount;
} seen_req;

typedef struct seen {
    seen_req req[64];
    int nreq;
    char reasons[32][64];
    int reason_count[32];
    int nreasons;
    int ndead;
} seen;

static int on_request(const rd_kafka_message_t *m, void *arg)
{
    seen *s = arg;
    json_error_t jerr;
    json_t *r = json_loadb(m->payload, m->len, 0, &jerr);
    assert_non_null(r);
    assert_true(s->nreq < 64);
    seen_req *q = &s->req[s->nreq++];
    json_t *f0 = json_array_get(json_object_get(r, "findings"), 0);
    snprintf(q->account, sizeof(q->account), "%s",
             json_string_value(json_object_get(r, "account")));
    snprintf(q->action, sizeof(q->action), "%s", json_string_value(json_object_get(r, "action")));
    snprintf(q->request_id, sizeof(q->request_id), "%s",
             json_string_value(json_object_get(r, "request_id")));
    snprintf(q->trigger, sizeof(q->trigger), "%s",
             json_string_value(json_object_get(json_object_get(r, "trigger"), "id")));
    snprintf(q->code, sizeof(q->code), "%s", json_string_value(json_object_get(f0, "code")));
    q->amount = json_integer_value(json_object_get(f0, "amount"));
    /* The message key is the account, so a desk can partition by account. */
    assert_int_equal(m->key_len, strlen(q->account));
    assert_memory_equal(m->key, q->account, m->key_len);
    json_decref(r);
    return 0;
}

static int on_dead(const rd_kafka_message_t *m, void *arg)
{
    seen *s = arg;
    char reason[64];
    hx_header(m, "interdict.reason", reason, sizeof(reason));
    s->ndead++;
    for (int i = 0; i < s->nreasons; i++)
        if (strcmp(s->reasons[i], reason) == 0) {
            s->reason_count[i]++;
            return 0;
        }
    assert_true(s->nreasons < 32);
    snprintf(s->reasons[s->nreasons], sizeof(s->reasons[0]), "%s", reason);
    s->reason_count[s->nreasons++] = 1;
    return 0;
}

static int reason_count(const seen *s, const char *reason)
{
    for (int i = 0; i < s->nreasons; i++)
        if (strcmp(s->reasons[i], reason) == 0)
            return s->reason_count[i];
    return 0;
}

static void read_all(hx_env *e, seen *s)
{
    memset(s, 0, sizeof(*s));
    hx_read(e, e->c.topic_interceptions, on_request, s);
    hx_read(e, e->c.topic_deadletter, on_dead, s);
}

static const seen_req *find_req(const seen *s, const char *account)
{
    const seen_req *found = NULL;
    for (int i = 0; i < s->nreq; i++)
        if (strcmp(s->req[i].account, account) == 0) {
            assert_null(found); /* at most one request per account */
            found = &s->req[i];
        }
    return found;
}

static void send_record(feed *f, const char *topic, const char *key, const char *json)
{
    hx_send(f, topic, key, json);
}

/* Malformed transfers, each with the reason it must be rejected for. */
static const struct {
    const char *json;
    const char *reason;
} bad_transfers[] = {
    {"{\"version\":1,\"transfer_id\":\"B1\",\"from_acc", "malformed"},
    {"{\"version\":1,\"transfer_id\":\"B2\",\"from_account\":\"6200000000000001\","
     "\"from_bank\":\"ICBKCNBJ\",\"to_account\":\"6200000000000002\",\"to_bank\":\"ICBKCNBJ\","
     "\"amount\":\"100\",\"currency\":\"CNY\",\"event_time\":\"2026-11-23T10:00:00Z\"}",
     "wrong_type"},
    {"{\"version\":1,\"transfer_id\":\"B3\",\"from_account\":\"6200000000000001\","
     "\"from_bank\":\"ICBKCNBJ\",\"to_account\":\"6200000000000002\",\"to_bank\":\"ICBKCNBJ\","
     "\"amount\":100,\"currency\":\"CNX\",\"event_time\":\"2026-11-23T10:00:00Z\"}",
     "unknown_currency"},
    {"{\"version\":1,\"transfer_id\":\"B4\",\"from_account\":\"6200000000000001\","
     "\"from_bank\":\"ICBKCNBJ\",\"to_account\":\"6200000000000002\",\"to_bank\":\"ICBKCNBJ\","
     "\"amount\":-5,\"currency\":\"CNY\",\"event_time\":\"2026-11-23T10:00:00Z\"}",
     "bad_amount"},
    {"{\"version\":1,\"transfer_id\":\"B5\",\"from_account\":\"6200000000000001\","
     "\"from_bank\":\"ICBKCNBJ\",\"to_account\":\"6200000000000001\",\"to_bank\":\"ICBKCNBJ\","
     "\"amount\":100,\"currency\":\"CNY\",\"event_time\":\"2026-11-23T10:00:00Z\"}",
     "same_account"},
    {"{\"version\":1,\"from_account\":\"6200000000000001\","
     "\"from_bank\":\"ICBKCNBJ\",\"to_account\":\"6200000000000002\",\"to_bank\":\"ICBKCNBJ\","
     "\"amount\":100,\"currency\":\"CNY\",\"event_time\":\"2026-11-23T10:00:00Z\"}",
     "missing_field"},
};
#define NBAD ((int)(sizeof(bad_transfers) / sizeof(bad_transfers[0])))

/* Time bounds: the scenario's transfers happened in the last hour. */
static int64_t scenario_start(void)
{
    return (tf_now_ms() / 1000) * 1000 - 3600 * 1000;
}

static void produce_tables(hx_env *e, feed *f, gen *g)
{
    char buf[ENC_RECORD_MAX];
    for (int64_t i = 0; i < WL_ACCOUNTS; i++) {
        ix_account a;
        gen_profile(g, i, &a);
        assert_true(enc_account(&a, buf, sizeof(buf)) > 0);
        send_record(f, e->c.topic_accounts, a.account, buf);
    }
    for (int64_t m = 0; m < WL_MULES; m++) {
        ix_watch w;
        gen_watch(g, m, &w);
        assert_true(enc_watch(&w, buf, sizeof(buf)) > 0);
        send_record(f, e->c.topic_watchlist, w.account, buf);
    }
    /* A watch-list entry whose bank is not a BIC: dead-lettered, not applied. */
    send_record(
        f, e->c.topic_watchlist, "6299999999999999",
        "{\"version\":1,\"account\":\"6299999999999999\",\"bank\":\"nope\","
        "\"list\":\"confirmed_mule\",\"reason\":\"x\",\"added_at\":\"2026-01-01T00:00:00Z\"}");
}

/* Hit transfers are placed at fixed sequence numbers: mule h at 100 + 137 h. */
static int64_t hit_seq(int64_t h)
{
    return 100 + 137 * h;
}

/* Send a malformed transfer with its placeholder time replaced by a recent
 * one, so that only the intended defect can be the reason. */
static void send_bad(hx_env *e, feed *f, const char *tmpl)
{
    char buf[1024], now[TF_RFC3339_LEN + 1];
    const char *placeholder = "2026-11-23T10:00:00Z";
    const char *at = strstr(tmpl, placeholder);
    assert_true(tf_format(tf_now_ms() - 60000, now, sizeof(now)) > 0);
    if (at)
        snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - tmpl), tmpl, now,
                 at + strlen(placeholder));
    else
        snprintf(buf, sizeof(buf), "%s", tmpl);
    send_record(f, e->c.topic_transfers, "6200000000000001", buf);
}

static void produce_transfers(hx_env *e, feed *f, gen *g, ix_transfer *hits)
{
    char buf[ENC_RECORD_MAX];
    for (int64_t s = 0, h = 0; s < WL_TRANSFERS; s++) {
        ix_transfer t;
        if (h < WL_HITS && s == hit_seq(h)) {
            gen_mule_transfer(g, s, h, (int)(h % 2 == 0), &t);
            hits[h++] = t;
        } else {
            gen_background(g, s, &t);
        }
        assert_true(enc_transfer(&t, buf, sizeof(buf)) > 0);
        send_record(f, e->c.topic_transfers, t.from_account, buf);
        if (s % 250 == 0 && s / 250 < NBAD)
            send_bad(e, f, bad_transfers[s / 250].json);
    }
}

static void check_requests(hx_env *e, const seen *s, const ix_transfer *hits, int nhits)
{
    assert_int_equal(s->nreq, nhits);
    for (int h = 0; h < nhits; h++) {
        const ix_transfer *t = &hits[h];
        int incoming = h % 2 == 0;
        const char *mule = incoming ? t->to_account : t->from_account;
        const seen_req *q = find_req(s, mule);
        if (!q)
            fail_msg("no freeze request for watch-listed account %s (hit %d)", mule, h);
        char id[40];
        rules_request_id(mule, t->id, e->c.rule_set, id, sizeof(id));
        assert_string_equal(q->action, "FREEZE");
        assert_string_equal(q->code, incoming ? "WL01" : "WL02");
        assert_string_equal(q->trigger, t->id);
        assert_string_equal(q->request_id, id);
        assert_int_equal(q->amount, t->amount);
    }
}

static void check_deadletters(const seen *s, int extra_transfers_rejected)
{
    for (int i = 0; i < NBAD; i++)
        assert_int_equal(reason_count(s, bad_transfers[i].reason), 1);
    /* The bad watch-list entry: a bank of 4 characters. */
    assert_int_equal(reason_count(s, "bad_length") + reason_count(s, "bad_format"), 1);
    assert_int_equal(s->ndead, NBAD + 1 + extra_transfers_rejected);
}

/* Every message is accounted for in the state store, and, on a real broker,
 * in the group's committed offsets too. (The embedded mock cluster accepts
 * transactional offset commits but does not record them.) */
static void check_offsets(hx_env *e, int64_t total)
{
    assert_int_equal(hx_stored_sum(e, e->c.topic_transfers), total);
    if (!e->mock)
        assert_int_equal(hx_committed_sum(e, e->c.topic_transfers), total);
}

void hx_scenario_watchlist(hx_env *e)
{
    gen g;
    gen_opts go = {.seed = 42,
                   .accounts = WL_ACCOUNTS,
                   .mules = WL_MULES,
                   .start_ms = scenario_start(),
                   .step_ms = 1000};
    gen_init(&g, &go);
    ix_transfer hits[WL_HITS + 1];
    seen s;

    feed *f = hx_feed(e);
    produce_tables(e, f, &g);
    produce_transfers(e, f, &g, hits);
    hx_flush(f);

    /* First run: everything is screened once. */
    assert_int_equal(hx_run(e, 240, 0, "run", "--until-idle", "3s", NULL), 0);
    read_all(e, &s);
    check_requests(e, &s, hits, WL_HITS);
    check_deadletters(&s, 0);
    int64_t total = WL_TRANSFERS + NBAD;
    assert_int_equal(hx_end_sum(e, e->c.topic_transfers), total);
    check_offsets(e, total);

    /* Second run with no new input: nothing is screened again. */
    assert_int_equal(hx_run(e, 240, 0, "run", "--until-idle", "3s", NULL), 0);
    read_all(e, &s);
    check_requests(e, &s, hits, WL_HITS);
    check_deadletters(&s, 0);
    check_offsets(e, total);

    /* Third run: a repeat on mule 0 inside the cooldown is suppressed (the
     * incident survived the restart in the state store), a first hit on
     * mule 10 is not. */
    char buf[ENC_RECORD_MAX];
    ix_transfer rep, fresh;
    gen_mule_transfer(&g, WL_TRANSFERS, 0, 1, &rep);
    gen_mule_transfer(&g, WL_TRANSFERS + 1, WL_HITS, 1, &fresh);
    assert_true(enc_transfer(&rep, buf, sizeof(buf)) > 0);
    send_record(f, e->c.topic_transfers, rep.from_account, buf);
    assert_true(enc_transfer(&fresh, buf, sizeof(buf)) > 0);
    send_record(f, e->c.topic_transfers, fresh.from_account, buf);
    hx_flush(f);
    feed_destroy(f);
    hits[WL_HITS] = fresh;
    assert_int_equal(hx_run(e, 240, 0, "run", "--until-idle", "3s", NULL), 0);
    read_all(e, &s);
    check_requests(e, &s, hits, WL_HITS + 1);
    check_deadletters(&s, 0);
    check_offsets(e, total + 2);
}

/* ---- victim report: trace and freeze */

static ix_transfer mk(const char *id, const char *from, const char *to, int64_t amount, int64_t t)
{
    ix_transfer x;
    memset(&x, 0, sizeof(x));
    snprintf(x.id, sizeof(x.id), "%s", id);
    snprintf(x.from_account, sizeof(x.from_account), "%s", from);
    snprintf(x.from_bank, sizeof(x.from_bank), "ICBKCNBJ");
    snprintf(x.to_account, sizeof(x.to_account), "%s", to);
    snprintf(x.to_bank, sizeof(x.to_bank), "BKCHCNBJ");
    x.amount = amount;
    memcpy(x.currency, "CNY", 4);
    x.event_time_ms = t;
    return x;
}

static void send_transfer(hx_env *e, feed *f, const ix_transfer *t)
{
    char buf[ENC_RECORD_MAX];
    assert_true(enc_transfer(t, buf, sizeof(buf)) > 0);
    send_record(f, e->c.topic_transfers, t->from_account, buf);
}

static void send_report(hx_env *e, feed *f, const char *id, const char *transfer_id,
                        const char *victim, int64_t amount, int64_t at)
{
    char buf[ENC_RECORD_MAX];
    ix_report r;
    memset(&r, 0, sizeof(r));
    snprintf(r.id, sizeof(r.id), "%s", id);
    snprintf(r.transfer_id, sizeof(r.transfer_id), "%s", transfer_id);
    snprintf(r.victim_account, sizeof(r.victim_account), "%s", victim);
    r.amount = amount;
    memcpy(r.currency, "CNY", 4);
    r.reported_at_ms = at;
    snprintf(r.source, sizeof(r.source), "police");
    assert_true(enc_report(&r, buf, sizeof(buf)) > 0);
    send_record(f, e->c.topic_reports, victim, buf);
}

static const seen_req *req_of(const seen *s, const char *account)
{
    const seen_req *q = find_req(s, account);
    if (!q)
        fail_msg("no freeze request for %s", account);
    return q;
}

/* The victim pays 1,000.00 to M1, who sends 600.00 to M2 and 390.00 to M3;
 * M2 sends 590.00 on to M4. Unrelated traffic and an older transfer of M1
 * (before the victim's money arrived) must not be followed. The report names
 * the victim's transfer; a second report names a transfer nobody saw. */
void hx_scenario_trace(hx_env *e)
{
    const int64_t t0 = (tf_now_ms() / 1000) * 1000 - 3600 * 1000, min = 60000;
    seen s;
    feed *f = hx_feed(e);
    ix_transfer xs[] = {
        mk("X0", "M1", "OLDPEER", 5000, t0 - 10 * min),
        mk("V1", "VICTIM", "M1", 100000, t0),
        mk("X1", "M1", "M2", 60000, t0 + 2 * min),
        mk("X2", "M1", "M3", 39000, t0 + 3 * min),
        mk("X3", "M2", "M4", 59000, t0 + 5 * min),
        mk("X4", "BYSTANDER", "M4", 7000, t0 + 6 * min),
    };
    /* A report that comes before its transfer waits for it, parked; one
     * whose transfer never comes waits reports.park.time of event time. */
    hx_set(e, "reports.park.time", "10m");
    for (size_t i = 0; i < sizeof(xs) / sizeof(xs[0]); i++)
        send_transfer(e, f, &xs[i]);
    send_report(e, f, "R-3", "V2", "VICTIM2", 80000, t0 + 20 * min);
    hx_flush(f);
    /* Screen the transfers first, so the report finds them. */
    assert_int_equal(hx_run(e, 240, 0, "run", "--until-idle", "3s", NULL), 0);
    read_all(e, &s);
    assert_int_equal(s.nreq, 0);
    assert_int_equal(s.ndead, 0); /* R-3 is parked */
    ix_transfer v2 = mk("V2", "VICTIM2", "M5", 80000, t0 + min);
    ix_transfer later = mk("X9", "P1", "P2", 1000, t0 + 45 * min);
    send_transfer(e, f, &v2);
    send_report(e, f, "R-1", "V1", "VICTIM", 100000, t0 + 20 * min);
    send_report(e, f, "R-2", "NOPE", "VICTIM", 100000, t0 + 20 * min);
    send_transfer(e, f, &later); /* 25 minutes after R-2: it expires */
    hx_flush(f);
    feed_destroy(f);
    assert_int_equal(hx_run(e, 240, 0, "run", "--until-idle", "3s", NULL), 0);

    read_all(e, &s);
    assert_int_equal(s.nreq, 5);
    const seen_req *m5 = req_of(&s, "M5");
    char id5[40];
    rules_request_id("M5", "R-3", e->c.rule_set, id5, sizeof(id5));
    assert_string_equal(m5->request_id, id5);
    assert_string_equal(m5->code, "VR01");
    assert_string_equal(m5->trigger, "R-3");
    assert_int_equal(m5->amount, 80000);
    const struct {
        const char *account, *code;
        int64_t traced;
    } want[] = {{"M1", "VR01", 100000},
                {"M2", "VR02", 60000},
                {"M3", "VR02", 39000},
                {"M4", "VR02", 59000}};
    for (size_t i = 0; i < 4; i++) {
        const seen_req *q = req_of(&s, want[i].account);
        char id[40];
        rules_request_id(want[i].account, "R-1", e->c.rule_set, id, sizeof(id));
        assert_string_equal(q->action, "FREEZE");
        assert_string_equal(q->code, want[i].code);
        assert_string_equal(q->trigger, "R-1");
        assert_string_equal(q->request_id, id);
        assert_int_equal(q->amount, want[i].traced);
    }
    assert_null(find_req(&s, "OLDPEER"));
    assert_null(find_req(&s, "VICTIM"));
    assert_int_equal(s.ndead, 1);
    assert_int_equal(reason_count(&s, "unknown_transfer"), 1);
}

void hx_produce_scenario(hx_env *e, scn *s, ix_format fmt, ix_report *reports, int max, int *n)
{
    char buf[ENC_TRANSFER_MAX], errstr[256];
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
    scn_event ev;
    int rc;
    *n = 0;
    while ((rc = scn_next(s, &ev, errstr, sizeof(errstr))) == 1) {
        if (ev.kind == SCN_EVENT_REPORT) {
            assert_true(*n < max);
            reports[(*n)++] = ev.report;
            continue;
        }
        assert_true(enc_transfer_as(fmt, &ev.transfer, buf, sizeof(buf)) > 0);
        hx_send(f, e->c.topic_transfers, ev.transfer.from_account, buf);
    }
    assert_int_equal(rc, 0);
    hx_flush(f);
    feed_destroy(f);
}

void hx_send_reports(hx_env *e, const ix_report *reports, int n)
{
    char buf[ENC_RECORD_MAX];
    feed *f = hx_feed(e);
    for (int i = 0; i < n; i++) {
        assert_true(enc_report(&reports[i], buf, sizeof(buf)) > 0);
        hx_send(f, e->c.topic_reports, reports[i].victim_account, buf);
    }
    hx_flush(f);
    feed_destroy(f);
}
