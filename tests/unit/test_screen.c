/* test_screen.c - screening one message (screen.h): every verdict and every
 * reason screening gives, with its exact detail, the requests a screened
 * message raises, and what each step leaves in the state. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "encode.h"
#include "rule_fixture.h"
#include "screen.h"

#define T0 1795000000000LL /* 2026-11-19T..., any fixed event time */

static int setup(void **state)
{
    return rfx_setup(state, NULL, RFX_BANK_BY_SIDE);
}

/* ---- helpers */

typedef struct wire {
    char buf[ENC_RECORD_MAX];
    size_t len;
} wire;

static wire encoded_transfer(const ix_transfer *t)
{
    wire w;
    int n = enc_transfer(t, w.buf, sizeof(w.buf));
    assert_true(n > 0);
    w.len = (size_t)n;
    return w;
}

static void assert_rejected(const scr_result *res, rsn_reason why, const char *detail)
{
    assert_int_equal(res->verdict, SCR_REJECTED);
    assert_string_equal(rsn_code(res->reason), rsn_code(why));
    assert_string_equal(res->detail, detail);
    assert_int_equal(res->nreqs, 0);
}

/* scr_transfer that must not fail; the verdict is in *res. */
static void screen_transfer(rfx *f, const ix_transfer *t, int64_t now_ms, scr_result *res)
{
    char errstr[256];
    if (scr_transfer(&f->scr, t, now_ms, res, errstr, sizeof(errstr)) != 0)
        fail_msg("scr_transfer: %s", errstr);
}

static void screen_report(rfx *f, const ix_report *rep, int64_t now_ms, scr_result *res)
{
    char errstr[256];
    if (scr_report(&f->scr, rep, NULL, now_ms, res, errstr, sizeof(errstr)) != 0)
        fail_msg("scr_report: %s", errstr);
}

/* Decode a table message and, when it decodes, apply it. */
static void table_message(rfx *f, int watchlist, const char *key, size_t key_len,
                          const char *payload, scr_result *res)
{
    char errstr[256];
    scr_update u;
    size_t len = payload ? strlen(payload) : 0;
    if (scr_decode_update(&f->scr, watchlist, key, key_len, payload, len, &u, res) &&
        scr_apply_update(&f->scr, &u, res, errstr, sizeof(errstr)) != 0)
        fail_msg("scr_apply_update: %s", errstr);
}

static int watched(rfx *f, const char *account)
{
    char errstr[256];
    ix_watch w;
    int rc = graph_get_watch(f->g, account, &w, errstr, sizeof(errstr));
    assert_true(rc >= 0);
    return rc;
}

/* ---- transfers */

/* From the wire to a request: decoded, admitted, applied, ruled on. */
static void test_transfer_screened_with_its_request(void **state)
{
    rfx *f = *state;
    ix_transfer t;
    scr_transfers back;
    scr_result res;
    char id[40];
    rfx_watch(f, "MULE1");
    rfx_transfer(f, &t, "T1", "VICTIM1", "MULE1", 250000, T0);
    wire w = encoded_transfer(&t);
    assert_int_equal(
        scr_decode_transfer(&f->scr, "VICTIM1", 7, w.buf, w.len, T0 + 1000, &back, &res), 1);
    assert_int_equal(back.n, 1);
    assert_memory_equal(&back.t[0], &t, sizeof(t));

    screen_transfer(f, &back.t[0], T0 + 7, &res);
    assert_int_equal(res.verdict, SCR_SCREENED);
    assert_int_equal(res.reason, RSN_OK);
    assert_string_equal(res.detail, "");
    assert_int_equal(res.nreqs, 1);
    const ix_request *q = &f->req[0];
    rules_request_id("MULE1", "T1", f->c.rule_set, id, sizeof(id));
    assert_string_equal(q->id, id);
    assert_string_equal(q->account, "MULE1");
    assert_string_equal(q->bank, "ICBKCNBJ");
    assert_int_equal(q->action, IX_ACTION_FREEZE);
    assert_int_equal(q->score, 100);
    assert_string_equal(q->trigger_id, "T1");
    assert_int_equal(q->trigger_time_ms, T0);
    assert_int_equal(q->detected_at_ms, T0 + 7); /* the caller's now_ms */
    assert_int_equal(q->nfindings, 1);
    assert_string_equal(q->findings[0].code, "WL01");
    assert_int_equal(f->hits[0], 1); /* rules_table[0] is the watch-list rule */
}

/* ---- the desk: allow-list and dismissals */

/* The desk asked by scr_transfer, with MULE1 on the watch list. The
 * default incident.cooldown (24 h) stays: a held-back finding must not open
 * the account's incident, or the next real request within a day would be
 * lost to the cooldown. */
static void desk_fixture(rfx *f, desk_set *d, uint64_t *held)
{
    f->scr.desk = d;
    f->scr.held = held;
    rfx_watch(f, "MULE1");
}

/* The watch-list pattern of test_transfer_screened_with_its_request raises
 * exactly one request; an allow-listed pair (MULE1 with VICTIM1, WL01) holds
 * it back and counts it; another counterparty still raises it. */
static void test_allow_listed_pair_raises_no_request(void **state)
{
    rfx *f = *state;
    ix_transfer t;
    scr_result res;
    desk_set d = {0};
    uint64_t held = 0;
    desk_allow e = {.account = "MULE1",
                    .counterparty = "VICTIM1",
                    .n_rules = 1,
                    .rules = {"WL01"},
                    .reason = "a known landlord",
                    .expires_ms = DESK_NO_EXPIRY};
    assert_int_equal(desk_allow_put(&d, &e), 0);
    desk_fixture(f, &d, &held);
    rfx_transfer(f, &t, "T1", "VICTIM1", "MULE1", 250000, T0);
    screen_transfer(f, &t, T0 + 7, &res);
    assert_int_equal(res.verdict, SCR_SCREENED);
    assert_int_equal(res.nreqs, 0);
    assert_int_equal(held, 1);
    assert_int_equal(f->hits[0], 1); /* the finding fired: held back, not lost */
    rfx_transfer(f, &t, "T2", "VICTIM2", "MULE1", 250000, T0 + 120000);
    screen_transfer(f, &t, T0 + 120007, &res);
    assert_int_equal(res.nreqs, 1);
    assert_string_equal(f->req[0].account, "MULE1");
    assert_string_equal(f->req[0].trigger_id, "T2");
    assert_int_equal(held, 1);
    desk_free(&d);
}

/* A dismissed WL01 request on MULE1 suppresses the rule for MULE1 until
 * its event time passes; the next transfer after it raises one again. */
static void test_dismissed_rule_suppressed_until_time_passes(void **state)
{
    rfx *f = *state;
    ix_transfer t;
    scr_result res;
    desk_set d = {0};
    uint64_t held = 0;
    int64_t until = T0 + 30LL * 24 * 3600 * 1000;
    assert_int_equal(desk_dismiss(&d, "MULE1", "WL01", "req-1", until), 0);
    desk_fixture(f, &d, &held);
    rfx_transfer(f, &t, "T1", "VICTIM1", "MULE1", 250000, T0);
    screen_transfer(f, &t, T0 + 7, &res);
    assert_int_equal(res.nreqs, 0);
    rfx_transfer(f, &t, "T2", "VICTIM2", "MULE1", 250000, until - 120000);
    screen_transfer(f, &t, until - 119993, &res);
    assert_int_equal(res.nreqs, 0);
    assert_int_equal(held, 2);
    rfx_transfer(f, &t, "T3", "VICTIM3", "MULE1", 250000, until);
    screen_transfer(f, &t, until + 7, &res);
    assert_int_equal(res.nreqs, 1);
    assert_string_equal(f->req[0].account, "MULE1");
    assert_string_equal(f->req[0].trigger_id, "T3");
    assert_int_equal(held, 2);
    desk_free(&d);
}

/* ---- the score: weak findings of different rules and days add up */

#define WEEK_MS (7 * DAY_MS)

static void reopen(rfx *f);

static void set_key(rfx *f, const char *key, const char *value)
{
    char errstr[256];
    assert_int_equal(cfg_set(&f->c, key, value, errstr, sizeof(errstr)), 0);
}

/* Part i of request q is rule `rule` with that score and event time. */
static void assert_part(const ix_request *q, int i, const char *rule, int score, int64_t at_ms)
{
    assert_true(i < q->nparts);
    assert_string_equal(q->parts[i].rule, rule);
    assert_int_equal(q->parts[i].score, score);
    assert_int_equal(q->parts[i].time_ms, at_ms);
}

/* ACC1 had one payer a week for three weeks; six in the fourth week are a
 * counterparty surge (CS01, set to 20: a REVIEW alone). Through a checkpoint and
 * a restart the finding stays in ACC1's score: once ACC1 is watch-listed,
 * the next payment (WL01, set to 30) adds to it, 50, a HOLD within the
 * cooldown of the REVIEW, with both parts; fifteen days after the surge it
 * has left the 14-day horizon and the same payment is a REVIEW of 30. */
static void test_weak_findings_add_up_over_days(void **state)
{
    rfx *f = *state;
    ix_transfer t;
    scr_result res;
    char errstr[256], id[16];
    set_key(f, "rules.watchlist.score", "30");
    set_key(f, "rules.surge.score", "20");
    int64_t w0 = (T0 / WEEK_MS + 1) * WEEK_MS; /* a week's start */
    for (int w = 0; w < 3; w++) {
        snprintf(id, sizeof(id), "H%d", w);
        rfx_transfer(f, &t, id, "PAYER0", "ACC1", CNY(100), w0 + w * WEEK_MS + DAY_MS);
        screen_transfer(f, &t, t.event_time_ms + 5, &res);
        assert_int_equal(res.nreqs, 0);
    }
    int64_t w3 = w0 + 3 * WEEK_MS, surge_at = 0;
    for (int i = 1; i <= 6; i++) {
        char payer[16];
        snprintf(id, sizeof(id), "Q%d", i);
        snprintf(payer, sizeof(payer), "PAYER%d", i);
        rfx_transfer(f, &t, id, payer, "ACC1", CNY(100), w3 + i * 3 * HOUR_MS);
        screen_transfer(f, &t, t.event_time_ms + 5, &res);
        assert_int_equal(res.nreqs, i == 6 ? 1 : 0);
        surge_at = t.event_time_ms;
    }
    const ix_request *q = &f->req[0];
    assert_string_equal(q->account, "ACC1");
    assert_int_equal(q->action, IX_ACTION_REVIEW);
    assert_int_equal(q->score, 20);
    assert_int_equal(q->nfindings, 1);
    assert_string_equal(q->findings[0].code, "CS01");
    assert_figure(&q->findings[0], 0, "counterparties_this_week", 6, 6);
    assert_figure(&q->findings[0], 1, "busiest_earlier_week", 1, 2);
    assert_figure(&q->findings[0], 2, "weeks_of_history", 3, 3);
    assert_int_equal(q->findings[0].nevidence, 6);
    assert_int_equal(q->nparts, 1);
    assert_part(q, 0, "surge", 20, surge_at);

    assert_int_equal(graph_checkpoint(f->g, NULL, 0, errstr, sizeof(errstr)), 0);
    reopen(f);
    rfx_watch(f, "ACC1");
    rfx_transfer(f, &t, "R1", "PAYER7", "ACC1", CNY(100), surge_at + 2 * HOUR_MS);
    screen_transfer(f, &t, t.event_time_ms + 5, &res);
    assert_int_equal(res.nreqs, 1);
    assert_int_equal(q->action, IX_ACTION_HOLD);
    assert_int_equal(q->score, 50);
    assert_int_equal(q->nfindings, 1);
    assert_string_equal(q->findings[0].code, "WL01");
    assert_int_equal(q->nparts, 2);
    assert_part(q, 0, "watchlist", 30, surge_at + 2 * HOUR_MS);
    assert_part(q, 1, "surge", 20, surge_at);

    rfx_transfer(f, &t, "R2", "PAYER7", "ACC1", CNY(100), surge_at + 15 * DAY_MS);
    screen_transfer(f, &t, t.event_time_ms + 5, &res);
    assert_int_equal(res.nreqs, 1);
    assert_int_equal(q->action, IX_ACTION_REVIEW);
    assert_int_equal(q->score, 30);
    assert_int_equal(q->nparts, 1);
    assert_part(q, 0, "watchlist", 30, surge_at + 15 * DAY_MS);
}

/* One rule firing again counts once, its strongest finding: a watch-listed
 * account paid five times in a day stays at the rule's score. */
static void test_one_rule_repeating_counts_once(void **state)
{
    rfx *f = *state;
    ix_transfer t;
    scr_result res;
    char id[16];
    set_key(f, "rules.watchlist.score", "30");
    set_key(f, "incident.cooldown", "1m");
    rfx_watch(f, "MULE1");
    for (int i = 0; i < 5; i++) {
        snprintf(id, sizeof(id), "T%d", i);
        rfx_transfer(f, &t, id, "VICTIM1", "MULE1", CNY(100), T0 + i * HOUR_MS);
        screen_transfer(f, &t, t.event_time_ms + 5, &res);
        assert_int_equal(res.nreqs, 1);
        assert_int_equal(f->req[0].score, 30);
        assert_int_equal(f->req[0].action, IX_ACTION_REVIEW);
        assert_int_equal(f->req[0].nparts, 1);
    }
}

/* A desk message through both steps, as the screening thread applies it. */
static void desk_message(rfx *f, scr_table table, const char *key, const char *json,
                         scr_result *res)
{
    char errstr[256];
    scr_update u;
    size_t klen = key ? strlen(key) : 0;
    if (!scr_decode_update(&f->scr, table, key, klen, json, json ? strlen(json) : 0, &u, res))
        return;
    if (scr_apply_update(&f->scr, &u, res, errstr, sizeof(errstr)) != 0)
        fail_msg("scr_apply_update: %s", errstr);
}

static void verdict(rfx *f, const char *id, const char *account, const char *answer,
                    scr_result *res)
{
    char json[512];
    snprintf(json, sizeof(json),
             "{\"version\":1,\"request_id\":\"%s\",\"account\":\"%s\",\"verdict\":\"%s\","
             "\"decided_at\":\"2026-11-19T09:00:00Z\"}",
             id, account, answer);
    desk_message(f, SCR_T_VERDICTS, account, json, res);
}

/* The WL01 request on MULE1 of the watch-list pattern, raised; its id. */
static void raise_wl01(rfx *f, const char *tid, const char *victim, int64_t at, char *id)
{
    ix_transfer t;
    scr_result res;
    rfx_transfer(f, &t, tid, victim, "MULE1", 250000, at);
    screen_transfer(f, &t, at + 7, &res);
    assert_int_equal(res.nreqs, 1);
    assert_string_equal(f->req[0].account, "MULE1");
    strcpy(id, f->req[0].id);
}

/* A verdict answers a request the state recorded, once: on another id or
 * another account it is unknown_request, a second answer duplicate_verdict;
 * a dismissal then holds WL01 on MULE1 back for verdict.dismiss.time, and
 * all of it survives a checkpoint and a restart, and is forgotten by a
 * discard. */
static void test_verdict_dismisses_exactly_once(void **state)
{
    rfx *f = *state;
    char id[IX_ID_MAX + 1], errstr[256];
    scr_result res;
    ix_transfer t;
    uint64_t held = 0;
    f->scr.held = &held;
    rfx_watch(f, "MULE1");
    raise_wl01(f, "T1", "VICTIM1", T0, id);

    verdict(f, "no-such-request", "MULE1", "dismissed", &res);
    assert_rejected(&res, RSN_UNKNOWN_REQUEST, "request_id: no-such-request was never raised");
    verdict(f, id, "VICTIM1", "dismissed", &res);
    char want[256];
    snprintf(want, sizeof(want), "request_id: %s was raised for another account", id);
    assert_rejected(&res, RSN_UNKNOWN_REQUEST, want);
    verdict(f, id, "MULE1", "dismissed", &res);
    assert_int_equal(res.verdict, SCR_APPLIED);
    verdict(f, id, "MULE1", "confirmed", &res);
    snprintf(want, sizeof(want), "request_id: %s was dismissed at 2026-11-19T09:00:00.000Z", id);
    assert_rejected(&res, RSN_DUPLICATE_VERDICT, want);

    /* decided 2026-11-19T09:00Z (T0 is 2026-11-18T11:06:40Z): held until 30 days on. */
    int64_t decided = 1795078800000LL;
    assert_int_equal(desk_check(graph_desk(f->g), "MULE1", "X", "WL01", decided), DESK_DISMISSED);
    rfx_transfer(f, &t, "T2", "VICTIM2", "MULE1", 250000, decided + DAY_MS);
    screen_transfer(f, &t, decided + DAY_MS, &res);
    assert_int_equal(res.nreqs, 0);
    assert_int_equal(held, 1);

    assert_int_equal(graph_checkpoint(f->g, NULL, 0, errstr, sizeof(errstr)), 0);
    verdict(f, "later", "MULE1", "dismissed", &res); /* never raised: changes nothing */
    reopen(f);
    const desk_suppress *sup = graph_desk(f->g)->suppress.p;
    assert_int_equal(graph_desk(f->g)->suppress.n, 1);
    assert_string_equal(sup[0].rule, "WL01");
    assert_string_equal(sup[0].request_id, id);
    assert_int_equal(sup[0].until_ms, decided + 30 * DAY_MS);
    assert_int_equal(sup[0].held, 1);
    verdict(f, id, "MULE1", "dismissed", &res);
    assert_int_equal(res.reason, RSN_DUPLICATE_VERDICT);

    /* A request raised and answered after the checkpoint is gone with a
     * discard, so the interval screened again answers it again. */
    rfx_watch(f, "MULE2");
    rfx_transfer(f, &t, "T3", "VICTIM3", "MULE2", 250000, T0);
    screen_transfer(f, &t, T0 + 7, &res);
    assert_int_equal(res.nreqs, 1);
    strcpy(id, f->req[0].id);
    verdict(f, id, "MULE2", "dismissed", &res);
    assert_int_equal(res.verdict, SCR_APPLIED);
    assert_int_equal(graph_desk(f->g)->suppress.n, 2);
    graph_discard(f->g);
    assert_int_equal(graph_desk(f->g)->suppress.n, 1);
    verdict(f, id, "MULE2", "dismissed", &res);
    snprintf(want, sizeof(want), "request_id: %s was never raised", id); /* not any more */
    assert_rejected(&res, RSN_UNKNOWN_REQUEST, want);
}

/* A confirmed mule joins the watch list under the desk's list, its reason
 * naming the verdict: a payment to it now raises WL01 on the payer. */
static void test_confirmed_verdict_watch_lists_the_account(void **state)
{
    rfx *f = *state;
    char id[IX_ID_MAX + 1], errstr[256], want[IX_TEXT_MAX + 1];
    scr_result res;
    ix_watch w;
    rfx_watch(f, "MULE1");
    raise_wl01(f, "T1", "VICTIM1", T0, id);
    graph_del_watch(f->g, "MULE1", NULL, errstr, sizeof(errstr));
    verdict(f, id, "VICTIM1", "confirmed", &res); /* the request was MULE1's */
    assert_int_equal(res.reason, RSN_UNKNOWN_REQUEST);
    /* The request was on MULE1; confirm it: MULE1 is on the list again. */
    verdict(f, id, "MULE1", "confirmed", &res);
    assert_int_equal(res.verdict, SCR_APPLIED);
    assert_int_equal(graph_get_watch(f->g, "MULE1", &w, errstr, sizeof(errstr)), 1);
    assert_string_equal(w.list, "desk_confirmed");
    snprintf(want, sizeof(want), "verdict on request %s", id);
    assert_string_equal(w.reason, want);
    assert_int_equal(w.added_at_ms, 1795078800000LL);
    assert_int_equal(rfx_send(f, "T9", "PAYER9", "MULE1", 250000, T0 + 2 * DAY_MS), 1);
    assert_string_equal(f->req[0].findings[0].code, "WL01");
}

/* Allow-list messages: keyed by the account or account/counterparty, a
 * tombstone by either; the entry is in the set, the tombstone removes it. */
static void test_allow_list_messages(void **state)
{
    rfx *f = *state;
    scr_result res;
    const char *pair = "{\"version\":1,\"account\":\"A1\",\"counterparty\":\"B1\",\"rules\":"
                       "[\"WL01\"],\"reason\":\"payroll\",\"added_at\":\"2026-11-19T09:00:00Z\"}";
    desk_message(f, SCR_T_ALLOWLIST, "A1", pair, &res);
    assert_rejected(&res, RSN_BAD_KEY, "message key is not the entry's account/counterparty");
    desk_message(f, SCR_T_ALLOWLIST, "A1/B1", pair, &res);
    assert_int_equal(res.verdict, SCR_APPLIED);
    assert_int_equal(desk_check(graph_desk(f->g), "A1", "B1", "WL01", T0), DESK_ALLOWED);
    assert_int_equal(desk_check(graph_desk(f->g), "A1", "B1", "FI01", T0), DESK_NONE);
    desk_message(f, SCR_T_ALLOWLIST, "A1/", NULL, &res);
    assert_rejected(&res, RSN_BAD_KEY,
                    "tombstone without a valid key (an account, or account/counterparty)");
    desk_message(f, SCR_T_ALLOWLIST, "A1", NULL, &res); /* another entry's key */
    assert_int_equal(res.verdict, SCR_APPLIED);
    assert_int_equal(graph_desk(f->g)->allow.n, 1);
    desk_message(f, SCR_T_ALLOWLIST, "A1/B1", NULL, &res);
    assert_int_equal(graph_desk(f->g)->allow.n, 0);
    desk_message(f, SCR_T_VERDICTS, "A1", "{\"version\":1}", &res);
    assert_rejected(&res, RSN_MISSING_FIELD, "request_id: required");
}

static void test_transfer_screened_without_requests(void **state)
{
    rfx *f = *state;
    ix_transfer t;
    scr_result res;
    rfx_transfer(f, &t, "T2", "ALICE", "BOB", 1000, T0);
    screen_transfer(f, &t, T0, &res);
    assert_int_equal(res.verdict, SCR_SCREENED);
    assert_int_equal(res.nreqs, 0);
    /* Applied: the receiver has the money. */
    char errstr[256];
    graph_acct a;
    assert_int_equal(graph_get(f->g, "BOB", T0, &a, errstr, sizeof(errstr)), 0);
    assert_int_equal(a.in_count, 1);
    assert_int_equal(a.in_sum, 1000);
}

static void test_foreign_currency_changes_nothing(void **state)
{
    rfx *f = *state;
    ix_transfer t;
    scr_result res;
    rfx_watch(f, "MULE2");
    rfx_transfer(f, &t, "T3", "VICTIM2", "MULE2", 5000, T0);
    memcpy(t.currency, "USD", 4);
    assert_int_equal(scr_admit_transfer(&f->scr, &t, &res), 0);
    assert_rejected(&res, RSN_FOREIGN_CURRENCY, "currency: USD, this instance screens CNY");
    screen_transfer(f, &t, T0, &res);
    assert_rejected(&res, RSN_FOREIGN_CURRENCY, "currency: USD, this instance screens CNY");
    assert_int_equal(f->hits[0], 0);
    /* Its id was not taken: the same transfer in CNY is screened. */
    memcpy(t.currency, "CNY", 4);
    assert_int_equal(scr_admit_transfer(&f->scr, &t, &res), 1);
    screen_transfer(f, &t, T0, &res);
    assert_int_equal(res.verdict, SCR_SCREENED);
    assert_int_equal(res.nreqs, 1);
}

static void test_duplicate_id_is_not_applied_again(void **state)
{
    rfx *f = *state;
    ix_transfer t;
    scr_result res;
    rfx_watch(f, "MULE3");
    rfx_transfer(f, &t, "T4", "VICTIM3", "MULE3", 5000, T0);
    screen_transfer(f, &t, T0, &res);
    assert_int_equal(res.nreqs, 1);
    /* Same id, later and elsewhere: still the same transfer. */
    rfx_transfer(f, &t, "T4", "VICTIM4", "MULE3", 7000, T0 + 60000);
    screen_transfer(f, &t, T0 + 60000, &res);
    assert_rejected(&res, RSN_DUPLICATE_TRANSFER, "transfer_id: T4 was screened before");
    assert_int_equal(f->hits[0], 1); /* the rules did not see it */
    char errstr[256];
    graph_acct a;
    assert_int_equal(graph_get(f->g, "VICTIM4", T0 + 60000, &a, errstr, sizeof(errstr)), 0);
    assert_int_equal(a.out_count, 0);
    assert_int_equal(graph_get(f->g, "MULE3", T0 + 60000, &a, errstr, sizeof(errstr)), 0);
    assert_int_equal(a.in_sum, 5000);
}

static void test_transfer_decoding(void **state)
{
    rfx *f = *state;
    ix_transfer t;
    scr_transfers back;
    scr_result res;
    char detail[SCR_DETAIL_MAX];
    assert_int_equal(scr_decode_transfer(&f->scr, "A", 1, "", 0, 0, &back, &res), 0);
    assert_rejected(&res, RSN_EMPTY, "empty message");
    assert_int_equal(scr_decode_transfer(&f->scr, "A", 1, "{", 1, 0, &back, &res), 0);
    assert_int_equal(res.reason, RSN_MALFORMED);

    /* A field's rejection names the field, as the dead letter shows it. */
    rfx_transfer(f, &t, "T5", "ALICE", "BOB", 1000, T0);
    memcpy(t.currency, "CNH", 4);
    wire w = encoded_transfer(&t);
    assert_int_equal(scr_decode_transfer(&f->scr, "ALICE", 5, w.buf, w.len, 0, &back, &res), 0);
    assert_rejected(&res, RSN_CURRENCY, "currency: \"CNH\" is not an active ISO 4217 code");

    /* The input window applies around now_ms, and not at all with 0. */
    memcpy(t.currency, "CNY", 4);
    w = encoded_transfer(&t);
    int64_t now = T0 + f->c.input_max_past_ms + 1;
    assert_int_equal(scr_decode_transfer(&f->scr, "ALICE", 5, w.buf, w.len, now, &back, &res), 0);
    snprintf(detail, sizeof(detail), "event_time: %lld ms in the past, limit %lld",
             (long long)(f->c.input_max_past_ms + 1), (long long)f->c.input_max_past_ms);
    assert_rejected(&res, RSN_TIME_RANGE, detail);
    assert_int_equal(scr_decode_transfer(&f->scr, "ALICE", 5, w.buf, w.len, now - 1, &back, &res),
                     1);
    assert_int_equal(scr_decode_transfer(&f->scr, "ALICE", 5, w.buf, w.len, 0, &back, &res), 1);

    /* The key must be the sender: else the transfer is on the partition of
     * another account's state. */
    const char *bob = "BOB", *longer = "ALICE2";
    assert_int_equal(scr_decode_transfer(&f->scr, bob, 3, w.buf, w.len, 0, &back, &res), 0);
    assert_rejected(&res, RSN_BAD_KEY, "message key is not the transfer's from_account");
    assert_int_equal(scr_decode_transfer(&f->scr, longer, 6, w.buf, w.len, 0, &back, &res), 0);
    assert_int_equal(res.reason, RSN_BAD_KEY);
    assert_int_equal(scr_decode_transfer(&f->scr, longer, 4, w.buf, w.len, 0, &back, &res), 0);
    assert_int_equal(res.reason, RSN_BAD_KEY);
    assert_int_equal(scr_decode_transfer(&f->scr, NULL, 0, w.buf, w.len, 0, &back, &res), 0);
    assert_int_equal(res.reason, RSN_BAD_KEY);
}

/* ---- reports */

static ix_report report(const char *id, const char *transfer_id, const char *victim, int64_t amount,
                        int64_t at)
{
    ix_report rep;
    memset(&rep, 0, sizeof(rep));
    snprintf(rep.id, sizeof(rep.id), "%s", id);
    snprintf(rep.transfer_id, sizeof(rep.transfer_id), "%s", transfer_id);
    snprintf(rep.victim_account, sizeof(rep.victim_account), "%s", victim);
    rep.amount = amount;
    memcpy(rep.currency, "CNY", 4);
    rep.reported_at_ms = at;
    snprintf(rep.source, sizeof(rep.source), "police");
    return rep;
}

/* V pays A, A sends most of it on to B: both are reached, with what was
 * traced to each. */
static void test_report_traced_to_every_account(void **state)
{
    rfx *f = *state;
    scr_result res;
    char id[40];
    rfx_send(f, "T10", "V1", "A1", 100000, T0);
    rfx_send(f, "T11", "A1", "B1", 90000, T0 + 10 * MIN_MS);
    ix_report rep = report("R1", "T10", "V1", 100000, T0 + HOUR_MS);

    screen_report(f, &rep, T0 + HOUR_MS + 3, &res);
    assert_int_equal(res.verdict, SCR_SCREENED);
    assert_int_equal(res.nreqs, 2);
    const char *accounts[] = {"A1", "B1"}, *codes[] = {"VR01", "VR02"};
    const int64_t traced[] = {100000, 90000};
    for (int i = 0; i < 2; i++) {
        const ix_request *q = &f->req[i];
        rules_request_id(accounts[i], "R1", f->c.rule_set, id, sizeof(id));
        assert_string_equal(q->id, id);
        assert_string_equal(q->account, accounts[i]);
        assert_string_equal(q->bank, "ICBKCNBJ");
        assert_int_equal(q->action, IX_ACTION_FREEZE);
        assert_string_equal(q->trigger_id, "R1");
        assert_int_equal(q->trigger_time_ms, T0 + HOUR_MS);
        assert_int_equal(q->detected_at_ms, T0 + HOUR_MS + 3);
        assert_int_equal(q->nfindings, 1);
        assert_string_equal(q->findings[0].code, codes[i]);
        assert_int_equal(q->findings[0].amount, traced[i]);
    }
    assert_int_equal(f->hits[RULES_TRACE_SLOT], 2);
}

/* With parking off (reports.park.max 0), a report naming a transfer the
 * state does not have is refused at once. */
static void test_report_of_unknown_transfer(void **state)
{
    rfx *f = *state;
    scr_result res;
    f->scr.park_max = 0;
    ix_report rep = report("R2", "T99", "V2", 5000, T0);
    screen_report(f, &rep, T0, &res);
    assert_rejected(&res, RSN_UNKNOWN_TRANSFER,
                    "transfer_id: T99 of V2 is not in the state store (not screened yet, or older "
                    "than state.retention)");
    assert_int_equal(f->hits[RULES_TRACE_SLOT], 0);
}

/* The same report twice (a resend, a replayed source): one trace, one set of
 * requests; the second is dead-lettered. */
static void test_duplicate_report_traced_once(void **state)
{
    rfx *f = *state;
    scr_result res;
    rfx_send(f, "T20", "V4", "A4", 100000, T0);
    ix_report rep = report("R4", "T20", "V4", 100000, T0 + HOUR_MS);
    screen_report(f, &rep, T0 + HOUR_MS, &res);
    assert_int_equal(res.verdict, SCR_SCREENED);
    assert_int_equal(res.nreqs, 1);
    screen_report(f, &rep, T0 + HOUR_MS + 5, &res);
    assert_rejected(&res, RSN_DUPLICATE_REPORT, "report_id: R4 was traced before");
    assert_int_equal(res.nreqs, 0);
    assert_int_equal(f->hits[RULES_TRACE_SLOT], 1);
    /* A report id may equal a transfer id: the two sets are apart. */
    ix_report same = report("T20", "T20", "V4", 100000, T0 + HOUR_MS);
    screen_report(f, &same, T0 + HOUR_MS + 6, &res);
    assert_int_equal(res.verdict, SCR_SCREENED);
}

/* A report that named a transfer not screened yet is not remembered: sent
 * again once the transfer is in, it is traced. */
static void test_report_of_unknown_transfer_can_come_again(void **state)
{
    rfx *f = *state;
    scr_result res;
    f->scr.park_max = 0;
    ix_report rep = report("R5", "T30", "V5", 100000, T0 + HOUR_MS);
    screen_report(f, &rep, T0 + HOUR_MS, &res);
    assert_int_equal(res.verdict, SCR_REJECTED);
    assert_int_equal(res.reason, RSN_UNKNOWN_TRANSFER);
    rfx_send(f, "T30", "V5", "A5", 100000, T0);
    screen_report(f, &rep, T0 + HOUR_MS + 1, &res);
    assert_int_equal(res.verdict, SCR_SCREENED);
    assert_int_equal(res.nreqs, 1);
}

/* A report in another currency than the clearing one is refused before it
 * is traced: its amounts cannot be compared with the flows'. */
static void test_report_in_foreign_currency(void **state)
{
    rfx *f = *state;
    scr_result res;
    rfx_send(f, "T40", "V6", "A6", 100000, T0);
    ix_report rep = report("R6", "T40", "V6", 100000, T0 + HOUR_MS);
    memcpy(rep.currency, "USD", 4);
    screen_report(f, &rep, T0 + HOUR_MS, &res);
    assert_rejected(&res, RSN_FOREIGN_CURRENCY, "currency: USD, this instance screens CNY");
    assert_int_equal(f->hits[RULES_TRACE_SLOT], 0);
    memcpy(rep.currency, "CNY", 4); /* not remembered either */
    screen_report(f, &rep, T0 + HOUR_MS, &res);
    assert_int_equal(res.verdict, SCR_SCREENED);
}

/* Reports dated 1970 or 9999 are a bad time, not an unknown transfer. */
static void test_report_bad_time(void **state)
{
    rfx *f = *state;
    scr_result res;
    char detail[SCR_DETAIL_MAX];
    int64_t keep = f->c.input_max_past_ms > f->c.state_retention_ms ? f->c.input_max_past_ms
                                                                    : f->c.state_retention_ms;
    rfx_send(f, "T50", "V7", "A7", 100000, T0);
    ix_report old = report("R7", "T50", "V7", 100000, 0); /* 1970-01-01 */
    screen_report(f, &old, T0 + HOUR_MS, &res);
    snprintf(detail, sizeof(detail),
             "reported_at: %lld ms before now, longer than input.max.past and state.retention "
             "(%lld)",
             (long long)(T0 + HOUR_MS), (long long)keep);
    assert_rejected(&res, RSN_TIME, detail);
    ix_report far = report("R8", "T50", "V7", 100000, 253402300799000LL); /* 9999-12-31 */
    screen_report(f, &far, T0 + HOUR_MS, &res);
    assert_int_equal(res.verdict, SCR_REJECTED);
    assert_int_equal(res.reason, RSN_TIME);
    assert_int_equal(f->hits[RULES_TRACE_SLOT], 0);
    /* Within the bounds, the same report is traced. */
    ix_report ok = report("R9", "T50", "V7", 100000, T0 + HOUR_MS);
    screen_report(f, &ok, T0 + HOUR_MS + f->c.input_max_future_ms, &res);
    assert_int_equal(res.verdict, SCR_SCREENED);
}

/* ---- parked reports */

static const char park_bytes[] = "{\"report_id\":\"the original bytes\"}";

static park_src park_message(int64_t offset)
{
    park_src src = {"fraud-reports", 2, offset, "V9", 2, park_bytes, sizeof(park_bytes) - 1};
    return src;
}

static void screen_report_from(rfx *f, const ix_report *rep, const park_src *src, int64_t now_ms,
                               scr_result *res)
{
    char errstr[256];
    if (scr_report(&f->scr, rep, src, now_ms, res, errstr, sizeof(errstr)) != 0)
        fail_msg("scr_report: %s", errstr);
}

/* Step 3 once: the entry that came due (the caller frees it), or NULL. */
static park_entry *next_park(rfx *f, const ix_transfer *t, int64_t now_ms, scr_result *res)
{
    char errstr[256];
    park_entry *e = NULL;
    int k = scr_next_park(&f->scr, t, now_ms, &e, res, errstr, sizeof(errstr));
    if (k < 0)
        fail_msg("scr_next_park: %s", errstr);
    assert_int_equal(k, e != NULL);
    return e;
}

/* A transfer screened as the pipeline does, with step 3 after it: how many
 * parked reports came due (none may, for the caller that asserts so). */
static void send_checked(rfx *f, ix_transfer *t, const char *id, const char *from, const char *to,
                         int64_t amount, int64_t at)
{
    scr_result res;
    rfx_transfer(f, t, id, from, to, amount, at);
    screen_transfer(f, t, at + 5, &res);
    assert_int_equal(res.verdict, SCR_SCREENED);
}

static uint64_t parked_now(rfx *f)
{
    graph_stats st;
    graph_get_stats(f->g, &st);
    return st.parked;
}

/* A report that comes before its transfer is parked, not refused; when the
 * transfer is screened it is traced right after it, with exactly the
 * requests the order transfer-then-report gives. */
static void test_report_before_its_transfer_is_parked_then_traced(void **state)
{
    rfx *f = *state, *ref = NULL;
    scr_result res;
    ix_transfer t60, t61;
    const int64_t now = T0 + HOUR_MS + 3;
    ix_report rep = report("R60", "T60", "V8", 100000, T0 + HOUR_MS);

    /* The reference: V8 pays A8, A8 pays B8, then the report. */
    assert_int_equal(rfx_setup((void **)&ref, NULL, RFX_BANK_BY_SIDE), 0);
    rfx_send(ref, "T60", "V8", "A8", 100000, T0);
    rfx_send(ref, "T61", "A8", "B8", 90000, T0 + 10 * MIN_MS);
    screen_report(ref, &rep, now, &res);
    assert_int_equal(res.verdict, SCR_SCREENED);
    assert_int_equal(res.nreqs, 2);

    /* The onward transfer, the report, and only then the victim's transfer. */
    send_checked(f, &t61, "T61", "A8", "B8", 90000, T0 + 10 * MIN_MS);
    assert_null(next_park(f, &t61, now, &res));
    park_src src = park_message(41);
    screen_report_from(f, &rep, &src, now, &res);
    assert_int_equal(res.verdict, SCR_PARKED);
    assert_int_equal(res.reason, RSN_OK);
    assert_int_equal(res.nreqs, 0);
    assert_null(next_park(f, NULL, now, &res)); /* no dead letter */
    assert_int_equal(parked_now(f), 1);
    assert_int_equal(f->hits[RULES_TRACE_SLOT], 0);

    send_checked(f, &t60, "T60", "V8", "A8", 100000, T0);
    park_entry *e = next_park(f, &t60, now, &res);
    assert_non_null(e);
    assert_string_equal(e->rep.id, "R60");
    assert_int_equal(res.verdict, SCR_SCREENED);
    assert_int_equal(res.nreqs, 2);
    for (int i = 0; i < 2; i++)
        assert_memory_equal(&f->req[i], &ref->req[i], sizeof(f->req[i]));
    park_entry_free(e);
    assert_null(next_park(f, &t60, now, &res));
    assert_int_equal(parked_now(f), 0);
    assert_int_equal(f->hits[RULES_TRACE_SLOT], 2);
    /* Traced: the same report again is a duplicate. */
    screen_report_from(f, &rep, &src, now, &res);
    assert_rejected(&res, RSN_DUPLICATE_REPORT, "report_id: R60 was traced before");
    rfx_teardown((void **)&ref);
}

/* A transfer of the same id from another account is not the reported one. */
static void test_parked_report_needs_its_account(void **state)
{
    rfx *f = *state;
    scr_result res;
    ix_transfer t;
    ix_report rep = report("R65", "T65", "V8", 100000, T0 + HOUR_MS);
    screen_report_from(f, &rep, NULL, T0 + HOUR_MS, &res);
    assert_int_equal(res.verdict, SCR_PARKED);
    send_checked(f, &t, "T65", "OTHER", "A8", 100000, T0);
    assert_null(next_park(f, &t, T0 + HOUR_MS, &res));
    assert_int_equal(parked_now(f), 1);
}

/* Once the screening clock is more than reports.park.time past its
 * reported_at, the report goes to the dead-letter topic with its own bytes,
 * once. */
static void test_parked_report_expires(void **state)
{
    rfx *f = *state;
    scr_result res;
    ix_transfer t;
    f->scr.park_time_ms = HOUR_MS;
    ix_report rep = report("R70", "T70", "V9", 100000, T0);
    park_src src = park_message(41);
    screen_report_from(f, &rep, &src, T0, &res);
    assert_int_equal(res.verdict, SCR_PARKED);
    send_checked(f, &t, "X1", "P", "Q", 100, T0 + HOUR_MS); /* exactly the park time */
    assert_null(next_park(f, &t, T0, &res));
    send_checked(f, &t, "X2", "P", "Q", 100, T0 + HOUR_MS + 1000);
    park_entry *e = next_park(f, &t, T0, &res);
    assert_non_null(e);
    assert_rejected(&res, RSN_UNKNOWN_TRANSFER,
                    "transfer_id: T70 of V9 never came: the report waited 3601s and expired "
                    "(reports.park.time 3600s)");
    assert_string_equal(e->src.topic, "fraud-reports");
    assert_int_equal(e->src.partition, 2);
    assert_int_equal(e->src.offset, 41);
    assert_int_equal(e->src.key_len, 2);
    assert_memory_equal(e->src.key, "V9", 2);
    assert_int_equal(e->src.value_len, sizeof(park_bytes) - 1);
    assert_memory_equal(e->src.value, park_bytes, sizeof(park_bytes) - 1);
    park_entry_free(e);
    assert_null(next_park(f, &t, T0, &res));
    assert_int_equal(parked_now(f), 0);
    /* Expired, not traced: the report may be sent again. */
    screen_report_from(f, &rep, &src, T0 + HOUR_MS, &res);
    assert_int_equal(res.verdict, SCR_PARKED);
}

/* reports.park.max: the report with the oldest reported_at expires first,
 * the new one if it is the oldest. */
static void test_park_is_bounded_in_count(void **state)
{
    rfx *f = *state;
    scr_result res;
    f->scr.park_max = 2;
    ix_report a = report("R81", "T81", "V9", 100000, T0 + 2 * MIN_MS);
    ix_report b = report("R82", "T82", "V9", 100000, T0 + MIN_MS);
    ix_report c = report("R83", "T83", "V9", 100000, T0 + 3 * MIN_MS);
    ix_report d = report("R84", "T84", "V9", 100000, T0);
    screen_report_from(f, &a, NULL, T0 + HOUR_MS, &res);
    assert_null(next_park(f, NULL, T0 + HOUR_MS, &res));
    screen_report_from(f, &b, NULL, T0 + HOUR_MS, &res);
    assert_null(next_park(f, NULL, T0 + HOUR_MS, &res));
    screen_report_from(f, &c, NULL, T0 + HOUR_MS, &res);
    assert_int_equal(res.verdict, SCR_PARKED);
    park_entry *e = next_park(f, NULL, T0 + HOUR_MS, &res);
    assert_non_null(e);
    assert_string_equal(e->rep.id, "R82");
    assert_rejected(&res, RSN_UNKNOWN_TRANSFER,
                    "transfer_id: T82 of V9 never came: the report waited 120s and expired, the "
                    "oldest of reports.park.max (2) parked reports");
    park_entry_free(e);
    assert_null(next_park(f, NULL, T0 + HOUR_MS, &res));
    screen_report_from(f, &d, NULL, T0 + HOUR_MS, &res);
    e = next_park(f, NULL, T0 + HOUR_MS, &res);
    assert_non_null(e);
    assert_string_equal(e->rep.id, "R84"); /* the new one, the oldest */
    park_entry_free(e);
    assert_null(next_park(f, NULL, T0 + HOUR_MS, &res));
    assert_int_equal(parked_now(f), 2);
}

static void test_duplicate_of_a_parked_report(void **state)
{
    rfx *f = *state;
    scr_result res;
    ix_report rep = report("R90", "T90", "V9", 100000, T0);
    screen_report_from(f, &rep, NULL, T0, &res);
    assert_int_equal(res.verdict, SCR_PARKED);
    screen_report_from(f, &rep, NULL, T0 + 1, &res);
    assert_rejected(&res, RSN_DUPLICATE_REPORT,
                    "report_id: R90 is parked, waiting for transfer_id T90");
    assert_null(next_park(f, NULL, T0 + 1, &res));
    assert_int_equal(parked_now(f), 1);
}

static void reopen(rfx *f)
{
    char errstr[256];
    graph_close(f->g);
    graph_opts o = {.dir = f->dir, .cache_bytes = 64 << 20, .create = 0};
    assert_int_equal(graph_open(&o, &f->g, errstr, sizeof(errstr)), 0);
    scr_init(&f->scr, &f->c, f->g, f->r, f->req, f->hits);
}

/* Parks are state: a checkpoint keeps them (with their message and the
 * clock) through a restart; a discard forgets what came after it. */
static void test_parks_survive_a_restart(void **state)
{
    rfx *f = *state;
    scr_result res;
    ix_transfer t;
    char errstr[256];
    ix_report rep = report("R100", "T100", "V9", 100000, T0 + HOUR_MS);
    ix_report later = report("R101", "T101", "V9", 100000, T0 + HOUR_MS);
    park_src src = park_message(7);
    screen_report_from(f, &rep, &src, T0 + HOUR_MS, &res);
    assert_int_equal(res.verdict, SCR_PARKED);
    assert_int_equal(graph_checkpoint(f->g, NULL, 0, errstr, sizeof(errstr)), 0);
    screen_report_from(f, &later, &src, T0 + HOUR_MS, &res);
    assert_int_equal(parked_now(f), 2);
    graph_discard(f->g);
    assert_int_equal(parked_now(f), 1);

    reopen(f);
    assert_int_equal(parked_now(f), 1);
    assert_int_equal(graph_park_clock(f->g), T0 + HOUR_MS);
    screen_report_from(f, &rep, &src, T0 + HOUR_MS, &res);
    assert_int_equal(res.reason, RSN_DUPLICATE_REPORT);
    send_checked(f, &t, "T100", "V9", "A9", 100000, T0);
    park_entry *e = next_park(f, &t, T0 + HOUR_MS, &res);
    assert_non_null(e);
    assert_int_equal(res.verdict, SCR_SCREENED);
    assert_int_equal(res.nreqs, 1);
    assert_int_equal(e->src.offset, 7);
    assert_memory_equal(e->src.value, park_bytes, sizeof(park_bytes) - 1);
    park_entry_free(e);
    assert_int_equal(graph_checkpoint(f->g, NULL, 0, errstr, sizeof(errstr)), 0);
    reopen(f);
    assert_int_equal(parked_now(f), 0);
}

static void test_report_decoding(void **state)
{
    rfx *f = *state;
    char buf[ENC_RECORD_MAX];
    ix_report back;
    scr_result res;
    /* Reported long ago: reports have no input window. */
    ix_report rep = report("R3", "T1", "V3", 5000, 86400000LL);
    int n = enc_report(&rep, buf, sizeof(buf));
    assert_true(n > 0);
    assert_int_equal(scr_decode_report(&f->scr, buf, (size_t)n, &back, &res), 1);
    assert_memory_equal(&back, &rep, sizeof(rep));
    assert_int_equal(scr_decode_report(&f->scr, "[]", 2, &back, &res), 0);
    assert_rejected(&res, RSN_NOT_OBJECT, "top level is an array");
}

/* ---- table messages */

static void test_profile_updates(void **state)
{
    rfx *f = *state;
    char buf[ENC_RECORD_MAX], errstr[256];
    scr_result res;
    ix_account a, got;
    memset(&a, 0, sizeof(a));
    snprintf(a.account, sizeof(a.account), "ACC1");
    snprintf(a.bank, sizeof(a.bank), "BKCHCNBJ");
    a.opened_at_ms = T0;
    a.holder_type = IX_HOLDER_PERSON;
    a.kyc_level = 2;
    memset(a.holder_hash, 'a', 64);
    memset(a.phone_hash, 'b', 64);
    a.updated_at_ms = T0;
    assert_true(enc_account(&a, buf, sizeof(buf)) > 0);

    table_message(f, 0, "ACC2", 4, buf, &res);
    assert_rejected(&res, RSN_BAD_KEY, "message key is not the profile's account");
    table_message(f, 0, NULL, 0, buf, &res);
    assert_rejected(&res, RSN_BAD_KEY, "message key is not the profile's account");
    assert_int_equal(graph_get_profile(f->g, "ACC1", &got, errstr, sizeof(errstr)), 0);

    table_message(f, 0, "ACC1", 4, buf, &res);
    assert_int_equal(res.verdict, SCR_APPLIED);
    assert_int_equal(res.reason, RSN_OK);
    assert_int_equal(graph_get_profile(f->g, "ACC1", &got, errstr, sizeof(errstr)), 1);
    assert_int_equal(got.opened_at_ms, T0);
    assert_int_equal(got.kyc_level, 2);

    /* A null value is no tombstone on the profiles topic. */
    table_message(f, 0, "ACC1", 4, NULL, &res);
    assert_rejected(&res, RSN_EMPTY, "empty message");
    table_message(f, 0, "ACC1", 4, "{\"version\":1}", &res);
    assert_rejected(&res, RSN_MISSING_FIELD, "account: required");
}

static void test_watch_list_updates(void **state)
{
    rfx *f = *state;
    char buf[ENC_RECORD_MAX];
    scr_result res;
    ix_watch w;
    memset(&w, 0, sizeof(w));
    snprintf(w.account, sizeof(w.account), "MULE9");
    snprintf(w.bank, sizeof(w.bank), "ICBKCNBJ");
    snprintf(w.list, sizeof(w.list), "confirmed_mule");
    snprintf(w.reason, sizeof(w.reason), "police report");
    w.added_at_ms = T0;
    assert_true(enc_watch(&w, buf, sizeof(buf)) > 0);

    table_message(f, 1, "MULE8", 5, buf, &res);
    assert_rejected(&res, RSN_BAD_KEY, "message key is not the entry's account");
    assert_int_equal(watched(f, "MULE9"), 0);
    table_message(f, 1, "MULE9", 5, buf, &res);
    assert_int_equal(res.verdict, SCR_APPLIED);
    assert_int_equal(watched(f, "MULE9"), 1);

    /* An empty value is a broken entry, not a tombstone. */
    table_message(f, 1, "MULE9", 5, "", &res);
    assert_rejected(&res, RSN_EMPTY, "empty message");
    assert_int_equal(watched(f, "MULE9"), 1);

    /* Tombstones need a key that can be an account. */
    const struct {
        const char *key;
        size_t len;
    } bad[] = {{NULL, 0},
               {"", 0},
               {"MULE9\0X", 7},
               {"A234567890123456789012345678901234X", 35},
               {"MULE\xff", 5}, /* not UTF-8 */
               {"MUL\xc3\xa9"
                "9",
                6}, /* UTF-8, but no account id */
               {"MULE 9", 6}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        table_message(f, 1, bad[i].key, bad[i].len, NULL, &res);
        assert_rejected(&res, RSN_BAD_KEY, "tombstone without a valid account key");
    }
    assert_int_equal(watched(f, "MULE9"), 1);
    table_message(f, 1, "MULE9", 5, NULL, &res);
    assert_int_equal(res.verdict, SCR_APPLIED);
    assert_int_equal(watched(f, "MULE9"), 0);
    /* The longest account is a valid key, listed or not. */
    table_message(f, 1, "A23456789012345678901234567890123X", 34, NULL, &res);
    assert_int_equal(res.verdict, SCR_APPLIED);
}

static void test_update_kinds(void **state)
{
    rfx *f = *state;
    scr_update u;
    scr_result res;
    assert_int_equal(scr_decode_update(&f->scr, 1, "MULE7", 5, NULL, 0, &u, &res), 1);
    assert_int_equal(u.kind, SCR_UNWATCH);
    assert_string_equal(u.watch.account, "MULE7");
    assert_string_equal(u.watch.list, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_transfer_screened_with_its_request, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_weak_findings_add_up_over_days, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_one_rule_repeating_counts_once, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_transfer_screened_without_requests, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_allow_listed_pair_raises_no_request, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_dismissed_rule_suppressed_until_time_passes, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_foreign_currency_changes_nothing, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_id_is_not_applied_again, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_transfer_decoding, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_report_traced_to_every_account, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_report_of_unknown_transfer, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_report_traced_once, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_report_of_unknown_transfer_can_come_again, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_report_in_foreign_currency, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_report_bad_time, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_report_before_its_transfer_is_parked_then_traced,
                                        setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_parked_report_needs_its_account, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_parked_report_expires, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_park_is_bounded_in_count, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_of_a_parked_report, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_parks_survive_a_restart, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_report_decoding, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_profile_updates, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_watch_list_updates, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_update_kinds, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_verdict_dismisses_exactly_once, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_confirmed_verdict_watch_lists_the_account, setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_allow_list_messages, setup, rfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
