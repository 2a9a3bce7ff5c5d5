/* test_encode.c - the encoders: exact wire form, round trips, escaping, never past the buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "decode.h"
#include "encode.h"
#include "timefmt.h"

#define GUARD 0xA5

/* ---- sample records ----------------------------------------------------- */

static ix_transfer sample_transfer(void)
{
    ix_transfer t;
    memset(&t, 0, sizeof t); /* records compare as bytes: zero the padding */
    strcpy(t.id, "tx-20261123-000042");
    strcpy(t.from_account, "DE89370400440532013000");
    strcpy(t.from_bank, "COBADEFFXXX");
    strcpy(t.to_account, "6222021234567890123");
    strcpy(t.to_bank, "ICBKCNBJ");
    t.amount = 1250000;
    strcpy(t.currency, "CNY");
    t.event_time_ms = 1795401061123LL;
    t.channel = IX_CHANNEL_MOBILE;
    return t;
}

static ix_account sample_account(void)
{
    ix_account a;
    memset(&a, 0, sizeof a);
    strcpy(a.account, "6222021234567890123");
    strcpy(a.bank, "ICBKCNBJ");
    a.opened_at_ms = 1795136400000LL;
    a.holder_type = IX_HOLDER_PERSON;
    a.kyc_level = 1;
    strcpy(a.holder_hash, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    strcpy(a.phone_hash, "60303ae22b998861");
    strcpy(a.device_hash, "fd61a03af4f77d87");
    a.flags = IX_ACCT_DORMANT | IX_ACCT_FROZEN;
    a.updated_at_ms = 1795428000000LL;
    return a;
}

static ix_watch sample_watch(void)
{
    ix_watch w;
    memset(&w, 0, sizeof w);
    strcpy(w.account, "6222021234567890123");
    strcpy(w.bank, "ICBKCNBJ");
    strcpy(w.list, "confirmed_mule");
    strcpy(w.reason, "Sold to a \"fraud ring\" \\ case \xe6\xa1\x88 118");
    w.added_at_ms = 1793491200000LL;
    return w;
}

static ix_report sample_report(void)
{
    ix_report r;
    memset(&r, 0, sizeof r);
    strcpy(r.id, "police:SZ-2026-004711");
    strcpy(r.transfer_id, "tx-20261123-000042");
    strcpy(r.victim_account, "DE89370400440532013000");
    r.amount = 1250000;
    strcpy(r.currency, "CNY");
    r.reported_at_ms = 1795403100000LL;
    strcpy(r.source, "police");
    return r;
}

static void fill_finding(ix_finding *f, int full)
{
    f->rule = "pass_through";
    f->code = "PT01";
    f->score = 60;
    f->amount = 1240000;
    f->npath = full ? IX_PATH_MAX : 3;
    for (int i = 0; i < f->npath; i++) {
        snprintf(f->path[i], sizeof f->path[i], "%s%030d", full ? "ACCT" : "A", i);
    }
    f->nevidence = full ? IX_EVIDENCE_MAX : 2;
    for (int i = 0; i < f->nevidence; i++) {
        ix_evidence *e = &f->evidence[i];
        snprintf(e->transfer_id, sizeof e->transfer_id, "%s%d", full ? "tx-" : "t", i);
        if (full) {
            memset(e->transfer_id, 'T', IX_ID_MAX);
            memset(e->from_account, 'F', IX_ACCOUNT_MAX);
            memset(e->to_account, 'G', IX_ACCOUNT_MAX);
        } else {
            snprintf(e->from_account, sizeof e->from_account, "A%030d", i);
            snprintf(e->to_account, sizeof e->to_account, "A%030d", i + 1);
        }
        e->amount = 1250000 - i * 10000;
        e->time_ms = 1795401061123LL + i * 191000;
    }
    f->nfigures = full ? IX_FIGURES_MAX : 2;
    for (int i = 0; i < f->nfigures; i++) {
        f->figures[i].name = i ? "dwell_seconds" : "out_in_ratio_pct";
        f->figures[i].value = full ? INT64_MIN : 99 + i;
        f->figures[i].threshold = full ? INT64_MAX : 80 + i;
    }
}

static ix_request sample_request(int full)
{
    ix_request r;
    memset(&r, 0, sizeof r);
    strcpy(r.id, "fr-3f9a1c0e5b7d2a46");
    strcpy(r.account, "6222021234567890123");
    strcpy(r.bank, "ICBKCNBJ");
    r.action = IX_ACTION_FREEZE;
    r.score = 85;
    strcpy(r.rule_set, "2026.11.1");
    strcpy(r.trigger_id, "tx-20261123-000044");
    r.trigger_amount = 1240000;
    strcpy(r.currency, "CNY");
    r.trigger_time_ms = 1795401252000LL;
    r.detected_at_ms = 1795401252087LL;
    r.nfindings = full ? IX_FINDINGS_MAX : 1;
    for (int i = 0; i < r.nfindings; i++) {
        fill_finding(&r.findings[i], full);
    }
    if (full) {
        memset(r.id, 'R', IX_ID_MAX);
        memset(r.account, 'A', IX_ACCOUNT_MAX);
        memset(r.trigger_id, 'T', IX_ID_MAX);
        memset(r.rule_set, 'S', IX_RULESET_MAX);
        strcpy(r.bank, "ICBKCNBJXXX");
    }
    return r;
}

/* ---- exact form --------------------------------------------------------- */

static void test_transfer_exact(void **state)
{
    ix_transfer t = sample_transfer();
    char buf[ENC_RECORD_MAX];
    const char *want =
        "{\"version\":1,\"transfer_id\":\"tx-20261123-000042\","
        "\"from_account\":\"DE89370400440532013000\",\"from_bank\":\"COBADEFFXXX\","
        "\"to_account\":\"6222021234567890123\",\"to_bank\":\"ICBKCNBJ\",\"amount\":1250000,"
        "\"currency\":\"CNY\",\"event_time\":\"2026-11-23T02:31:01.123Z\",\"channel\":\"mobile\"}";
    int n = enc_transfer(&t, buf, sizeof buf);
    assert_int_equal(n, (int)strlen(want));
    assert_string_equal(buf, want);
    t.channel = IX_CHANNEL_UNKNOWN; /* optional: omitted, not "unknown" */
    n = enc_transfer(&t, buf, sizeof buf);
    assert_null(strstr(buf, "channel"));
    assert_int_equal(n, (int)strlen(buf));
}

static void test_account_exact(void **state)
{
    ix_account a = sample_account();
    char buf[ENC_RECORD_MAX];
    enc_account(&a, buf, sizeof buf);
    assert_string_equal(
        buf, "{\"version\":1,\"account\":\"6222021234567890123\",\"bank\":\"ICBKCNBJ\","
             "\"opened_at\":\"2026-11-20T01:00:00.000Z\",\"holder_type\":\"person\","
             "\"kyc_level\":1,\"holder_hash\":"
             "\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\","
             "\"phone_hash\":\"60303ae22b998861\",\"device_hash\":\"fd61a03af4f77d87\","
             "\"status\":[\"dormant\",\"frozen\"],\"updated_at\":\"2026-11-23T10:00:00.000Z\"}");
    a.flags = IX_ACCT_FROZEN | IX_ACCT_WATCHLISTED; /* the graph's flag never goes out */
    enc_account(&a, buf, sizeof buf);
    assert_non_null(strstr(buf, ",\"status\":[\"frozen\"],"));
    a.flags = IX_ACCT_WATCHLISTED;
    a.device_hash[0] = '\0';
    enc_account(&a, buf, sizeof buf);
    assert_null(strstr(buf, "status"));
    assert_null(strstr(buf, "device_hash"));
}

/* ---- round trips -------------------------------------------------------- */

static void round_trip_transfer(const ix_transfer *t)
{
    char buf[ENC_RECORD_MAX];
    int n = enc_transfer(t, buf, sizeof buf);
    assert_true(n > 0);
    ix_transfer back;
    dec_error err;
    if (dec_transfer(buf, (size_t)n, NULL, &back, &err) != RSN_OK) {
        fail_msg("%s: %s", buf, err.detail);
    }
    assert_memory_equal(&back, t, sizeof back);
}

static void test_round_trip_transfer(void **state)
{
    ix_transfer t = sample_transfer();
    round_trip_transfer(&t);
    for (int c = IX_CHANNEL_UNKNOWN; c < IX_CHANNEL__COUNT; c++) {
        t.channel = (ix_channel)c;
        round_trip_transfer(&t);
    }
    memset(t.id, 'x', IX_ID_MAX);
    memset(t.from_account, '9', IX_ACCOUNT_MAX);
    t.amount = DEC_AMOUNT_MAX;
    t.event_time_ms = 253402300799999LL;
    strcpy(t.currency, "KWD");
    round_trip_transfer(&t);
    t.amount = 1;
    t.event_time_ms = 0;
    round_trip_transfer(&t);
}

static void test_round_trip_account(void **state)
{
    ix_account a = sample_account();
    char buf[ENC_RECORD_MAX];
    for (uint32_t flags = 0; flags < 4; flags++) {
        for (int h = IX_HOLDER_PERSON; h < IX_HOLDER__COUNT; h++) {
            a.flags = flags;
            a.holder_type = (ix_holder_type)h;
            a.kyc_level = (int)flags;
            memset(a.device_hash, 0, sizeof a.device_hash);
            if (flags & 1) {
                strcpy(a.device_hash, "fd61a03af4f77d87");
            }
            int n = enc_account(&a, buf, sizeof buf);
            assert_true(n > 0);
            ix_account back;
            assert_int_equal(dec_account(buf, (size_t)n, NULL, &back, NULL), RSN_OK);
            assert_memory_equal(&back, &a, sizeof a);
        }
    }
}

static void test_round_trip_watch(void **state)
{
    ix_watch w = sample_watch();
    char buf[ENC_RECORD_MAX];
    int n = enc_watch(&w, buf, sizeof buf);
    assert_true(n > 0);
    ix_watch back;
    dec_error err;
    if (dec_watch(buf, (size_t)n, NULL, &back, &err) != RSN_OK) {
        fail_msg("%s: %s", buf, err.detail);
    }
    assert_memory_equal(&back, &w, sizeof w);
    /* Longest values, a reason made only of characters that need escaping. */
    memset(w.list, 'z', IX_TEXT_MAX);
    memset(w.reason, '"', IX_TEXT_MAX);
    n = enc_watch(&w, buf, sizeof buf);
    assert_true(n > 0 && n <= ENC_RECORD_MAX);
    assert_int_equal(dec_watch(buf, (size_t)n, NULL, &back, NULL), RSN_OK);
    assert_memory_equal(&back, &w, sizeof w);
}

static void test_round_trip_report(void **state)
{
    static const char *const sources[] = {"police", "bank", "telecom", "victim"};
    ix_report r = sample_report();
    char buf[ENC_RECORD_MAX];
    for (size_t i = 0; i < 4; i++) {
        memset(r.source, 0, sizeof r.source);
        strcpy(r.source, sources[i]);
        int n = enc_report(&r, buf, sizeof buf);
        assert_true(n > 0);
        ix_report back;
        assert_int_equal(dec_report(buf, (size_t)n, NULL, &back, NULL), RSN_OK);
        assert_memory_equal(&back, &r, sizeof r);
    }
}

/* ---- escaping ----------------------------------------------------------- */

static void test_escaping(void **state)
{
    ix_watch w = sample_watch();
    memset(w.reason, 0, sizeof w.reason);
    strcpy(w.reason, "q\"b\\s/\n\r\t\x01\x1f\x7f \xe2\x82\xac");
    char buf[ENC_RECORD_MAX];
    int n = enc_watch(&w, buf, sizeof buf);
    assert_true(n > 0);
    assert_non_null(strstr(
        buf, "\"reason\":\"q\\\"b\\\\s/\\u000a\\u000d\\u0009\\u0001\\u001f\x7f \xe2\x82\xac\""));
    /* A standard parser reads back exactly the original bytes. */
    json_error_t jerr;
    json_t *j = json_loadb(buf, (size_t)n, 0, &jerr);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "reason")), w.reason);
    json_decref(j);
}

/* A string array filled to the brim without a NUL is read up to its size. */
static void test_unterminated_field(void **state)
{
    ix_transfer t = sample_transfer();
    memset(t.id, 'x', sizeof t.id);
    char buf[ENC_RECORD_MAX];
    int n = enc_transfer(&t, buf, sizeof buf);
    assert_true(n > 0);
    char xs[sizeof t.id + 1];
    memset(xs, 'x', sizeof t.id);
    xs[sizeof t.id] = '\0';
    char want[sizeof xs + 20];
    snprintf(want, sizeof want, "\"transfer_id\":\"%s\",", xs);
    assert_non_null(strstr(buf, want));
}

static void test_bad_time(void **state)
{
    char buf[ENC_RECORD_MAX];
    ix_transfer t = sample_transfer();
    t.event_time_ms = -1;
    assert_int_equal(enc_transfer(&t, buf, sizeof buf), -1);
    t.event_time_ms = 253402300800000LL;
    assert_int_equal(enc_transfer(&t, buf, sizeof buf), -1);
    ix_request r = sample_request(0);
    r.findings[0].evidence[1].time_ms = INT64_MIN;
    char big[ENC_REQUEST_MAX];
    assert_int_equal(enc_request(&r, big, sizeof big), -1);
}

/* ---- never past the buffer ---------------------------------------------- */

typedef int (*enc_fn)(const void *rec, char *buf, size_t size);

static int enc_transfer_v(const void *p, char *b, size_t n)
{
    return enc_transfer(p, b, n);
}
static int enc_account_v(const void *p, char *b, size_t n)
{
    return enc_account(p, b, n);
}
static int enc_watch_v(const void *p, char *b, size_t n)
{
    return enc_watch(p, b, n);
}
static int enc_report_v(const void *p, char *b, size_t n)
{
    return enc_report(p, b, n);
}
static int enc_request_v(const void *p, char *b, size_t n)
{
    return enc_request(p, b, n);
}

/* Every size from 0 to one past the needed length: -1 until it fits,
 * nothing written at or past buf[size] (a guard byte, and ASan on an exact
 * allocation), the NUL only when there is room for it. */
static void check_all_sizes(enc_fn fn, const void *rec, size_t cap)
{
    char *full = malloc(cap);
    int need = fn(rec, full, cap);
    assert_true(need > 0);
    for (size_t size = 0; size <= (size_t)need + 1; size++) {
        char *buf = malloc(size + 1);
        memset(buf, GUARD, size + 1);
        int n = fn(rec, buf, size);
        assert_int_equal((unsigned char)buf[size], GUARD);
        if (size < (size_t)need) {
            assert_int_equal(n, -1);
        } else {
            assert_int_equal(n, need);
            assert_memory_equal(buf, full, (size_t)need);
            if (size > (size_t)need) {
                assert_int_equal(buf[need], '\0');
            }
        }
        free(buf);
    }
    assert_int_equal(fn(rec, NULL, 0), -1);
    free(full);
}

static void test_buffer_sizes(void **state)
{
    ix_transfer t = sample_transfer();
    ix_account a = sample_account();
    ix_watch w = sample_watch();
    ix_report r = sample_report();
    ix_request *q = malloc(sizeof *q);
    *q = sample_request(0);
    check_all_sizes(enc_transfer_v, &t, ENC_RECORD_MAX);
    check_all_sizes(enc_account_v, &a, ENC_RECORD_MAX);
    check_all_sizes(enc_watch_v, &w, ENC_RECORD_MAX);
    check_all_sizes(enc_report_v, &r, ENC_RECORD_MAX);
    check_all_sizes(enc_request_v, q, ENC_REQUEST_MAX);
    free(q);
}

/* ---- freeze requests ---------------------------------------------------- */

static void test_request_structure(void **state)
{
    ix_request r = sample_request(0);
    char *buf = malloc(ENC_REQUEST_MAX);
    int n = enc_request(&r, buf, ENC_REQUEST_MAX);
    assert_true(n > 0);
    assert_string_equal(
        buf,
        "{\"version\":1,\"request_id\":\"fr-3f9a1c0e5b7d2a46\",\"rule_set\":\"2026.11.1\","
        "\"account\":\"6222021234567890123\",\"bank\":\"ICBKCNBJ\",\"action\":\"FREEZE\","
        "\"score\":85,\"trigger\":{\"id\":\"tx-20261123-000044\",\"amount\":1240000,"
        "\"currency\":\"CNY\",\"event_time\":\"2026-11-23T02:34:12.000Z\"},"
        "\"detected_at\":\"2026-11-23T02:34:12.087Z\",\"findings\":[{\"rule\":\"pass_through\","
        "\"code\":\"PT01\",\"score\":60,\"amount\":1240000,\"path\":"
        "[\"A000000000000000000000000000000\",\"A000000000000000000000000000001\","
        "\"A000000000000000000000000000002\"],\"evidence\":[{\"transfer_id\":\"t0\","
        "\"from_account\":\"A000000000000000000000000000000\","
        "\"to_account\":\"A000000000000000000000000000001\",\"amount\":1250000,"
        "\"time\":\"2026-11-23T02:31:01.123Z\"},{\"transfer_id\":\"t1\","
        "\"from_account\":\"A000000000000000000000000000001\","
        "\"to_account\":\"A000000000000000000000000000002\",\"amount\":1240000,"
        "\"time\":\"2026-11-23T02:34:12.123Z\"}],\"figures\":[{\"name\":\"out_in_ratio_pct\","
        "\"value\":99,\"threshold\":80},{\"name\":\"dwell_seconds\",\"value\":100,"
        "\"threshold\":81}]}]}");

    static const char *const actions[] = {"NONE", "REVIEW", "HOLD", "FREEZE"};
    for (int a = IX_ACTION_NONE; a <= IX_ACTION_FREEZE; a++) {
        r.action = (ix_action)a;
        n = enc_request(&r, buf, ENC_REQUEST_MAX);
        char want[40];
        snprintf(want, sizeof want, "\"action\":\"%s\"", actions[a]);
        assert_non_null(strstr(buf, want));
    }
    free(buf);
}

/* The largest request the model can hold fits ENC_REQUEST_MAX and is JSON. */
static void test_request_full(void **state)
{
    ix_request *r = malloc(sizeof *r);
    *r = sample_request(1);
    char *buf = malloc(ENC_REQUEST_MAX);
    int n = enc_request(r, buf, ENC_REQUEST_MAX);
    assert_true(n > 0 && n < ENC_REQUEST_MAX);
    json_error_t jerr;
    json_t *j = json_loadb(buf, (size_t)n, JSON_REJECT_DUPLICATES, &jerr);
    assert_non_null(j);
    json_t *findings = json_object_get(j, "findings");
    assert_int_equal(json_array_size(findings), IX_FINDINGS_MAX);
    json_t *f = json_array_get(findings, 7);
    assert_int_equal(json_array_size(json_object_get(f, "path")), IX_PATH_MAX);
    assert_int_equal(json_array_size(json_object_get(f, "evidence")), IX_EVIDENCE_MAX);
    json_t *figs = json_object_get(f, "figures");
    assert_int_equal(json_array_size(figs), IX_FIGURES_MAX);
    json_t *fig = json_array_get(figs, 0);
    assert_int_equal(json_integer_value(json_object_get(fig, "value")), INT64_MIN);
    assert_int_equal(json_integer_value(json_object_get(fig, "threshold")), INT64_MAX);
    assert_int_equal(json_string_length(json_object_get(j, "request_id")), IX_ID_MAX);
    json_decref(j);
    free(buf);
    free(r);
}

/* Counts outside their arrays are clamped, NULL names become "". */
static void test_request_defensive(void **state)
{
    ix_request *r = malloc(sizeof *r);
    *r = sample_request(0);
    r->nfindings = 1000;
    r->findings[0].npath = -5;
    r->findings[0].nevidence = 17;
    r->findings[0].nfigures = 1;
    r->findings[0].figures[0].name = NULL;
    r->findings[0].rule = NULL;
    r->findings[0].code = NULL;
    for (int i = 1; i < IX_FINDINGS_MAX; i++) {
        fill_finding(&r->findings[i], 0);
    }
    for (int i = 2; i < IX_EVIDENCE_MAX; i++) {
        r->findings[0].evidence[i] = r->findings[0].evidence[0];
    }
    char *buf = malloc(ENC_REQUEST_MAX);
    int n = enc_request(r, buf, ENC_REQUEST_MAX);
    assert_true(n > 0);
    json_error_t jerr;
    json_t *j = json_loadb(buf, (size_t)n, 0, &jerr);
    assert_non_null(j);
    json_t *findings = json_object_get(j, "findings");
    assert_int_equal(json_array_size(findings), IX_FINDINGS_MAX);
    json_t *f = json_array_get(findings, 0);
    assert_int_equal(json_array_size(json_object_get(f, "path")), 0);
    assert_int_equal(json_array_size(json_object_get(f, "evidence")), IX_EVIDENCE_MAX);
    assert_string_equal(json_string_value(json_object_get(f, "rule")), "");
    json_decref(j);
    r->nfindings = -1;
    n = enc_request(r, buf, ENC_REQUEST_MAX);
    assert_non_null(strstr(buf, "\"findings\":[]}"));
    free(buf);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transfer_exact),
        cmocka_unit_test(test_account_exact),
        cmocka_unit_test(test_round_trip_transfer),
        cmocka_unit_test(test_round_trip_account),
        cmocka_unit_test(test_round_trip_watch),
        cmocka_unit_test(test_round_trip_report),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_unterminated_field),
        cmocka_unit_test(test_bad_time),
        cmocka_unit_test(test_buffer_sizes),
        cmocka_unit_test(test_request_structure),
        cmocka_unit_test(test_request_full),
        cmocka_unit_test(test_request_defensive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
