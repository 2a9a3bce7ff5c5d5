/* test_decode.c - the strict decoders: exact values, every rejection reason, boundaries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode.h"
#include "timefmt.h"

/* ---- message building --------------------------------------------------- */

/* One member of a message: the key and its value as raw JSON text. */
typedef struct kv {
    const char *key;
    const char *raw;
} kv;

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const kv transfer_base[] = {
    {"version", "1"},
    {"transfer_id", "\"tx-20261123-000042\""},
    {"from_account", "\"DE89370400440532013000\""},
    {"from_bank", "\"COBADEFFXXX\""},
    {"to_account", "\"6222021234567890123\""},
    {"to_bank", "\"ICBKCNBJ\""},
    {"amount", "1250000"},
    {"currency", "\"CNY\""},
    {"event_time", "\"2026-11-23T10:31:01.123+08:00\""},
    {"channel", "\"mobile\""},
};

static const kv account_base[] = {
    {"version", "1"},
    {"account", "\"6222021234567890123\""},
    {"bank", "\"ICBKCNBJ\""},
    {"opened_at", "\"2026-11-20T09:00:00+08:00\""},
    {"holder_type", "\"business\""},
    {"kyc_level", "2"},
    {"holder_hash", "\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\""},
    {"phone_hash", "\"60303ae22b998861\""},
    {"device_hash", "\"fd61a03af4f77d87\""},
    {"status", "[\"frozen\",\"dormant\"]"},
    {"updated_at", "\"2026-11-23T10:00:00Z\""},
};

static const kv watch_base[] = {
    {"version", "1"},
    {"account", "\"6222021234567890123\""},
    {"bank", "\"ICBKCNBJ\""},
    {"list", "\"confirmed_mule\""},
    {"reason", "\"Sold to a fraud ring (\xe6\xa1\x88\xe4\xbb\xb6 118)\""},
    {"added_at", "\"2026-11-01T08:00:00+08:00\""},
};

static const kv report_base[] = {
    {"version", "1"},
    {"report_id", "\"police:SZ-2026-004711\""},
    {"transfer_id", "\"tx-20261123-000042\""},
    {"victim_account", "\"DE89370400440532013000\""},
    {"amount", "1250000"},
    {"currency", "\"CNY\""},
    {"reported_at", "\"2026-11-23T11:05:00+08:00\""},
    {"source", "\"police\""},
};

typedef struct msg {
    char text[4096];
    size_t len;
} msg;

static void append(msg *m, const char *s)
{
    size_t n = strlen(s);
    assert_true(m->len + n < sizeof m->text);
    memcpy(m->text + m->len, s, n + 1);
    m->len += n;
}

/* The base message with `key` set to the raw JSON `raw` (NULL removes it; a
 * key the base lacks is appended). */
static msg build(const kv *base, size_t n, const char *key, const char *raw)
{
    msg m = {.len = 0};
    int found = 0;
    append(&m, "{");
    for (size_t i = 0; i < n; i++) {
        const char *value = base[i].raw;
        if (key && strcmp(base[i].key, key) == 0) {
            found = 1;
            value = raw;
        }
        if (!value) {
            continue;
        }
        append(&m, m.len > 1 ? ",\"" : "\"");
        append(&m, base[i].key);
        append(&m, "\":");
        append(&m, value);
    }
    if (key && !found && raw) {
        append(&m, m.len > 1 ? ",\"" : "\"");
        append(&m, key);
        append(&m, "\":");
        append(&m, raw);
    }
    append(&m, "}");
    return m;
}

/* ---- running the decoders uniformly ------------------------------------- */

typedef enum kind { K_TRANSFER, K_ACCOUNT, K_WATCH, K_REPORT } kind;

static rsn_reason run(kind k, const char *buf, size_t len, const dec_limits *lim, dec_error *err)
{
    ix_transfer t;
    ix_account a;
    ix_watch w;
    ix_report r;
    switch (k) {
    case K_TRANSFER:
        return dec_transfer(buf, len, lim, &t, err);
    case K_ACCOUNT:
        return dec_account(buf, len, lim, &a, err);
    case K_WATCH:
        return dec_watch(buf, len, lim, &w, err);
    case K_REPORT:
        return dec_report(buf, len, lim, &r, err);
    }
    return RSN_DECODE_COUNT;
}

static msg build_kind(kind k, const char *key, const char *raw)
{
    switch (k) {
    case K_TRANSFER:
        return build(transfer_base, N_OF(transfer_base), key, raw);
    case K_ACCOUNT:
        return build(account_base, N_OF(account_base), key, raw);
    case K_WATCH:
        return build(watch_base, N_OF(watch_base), key, raw);
    case K_REPORT:
        return build(report_base, N_OF(report_base), key, raw);
    }
    fail();
    return (msg){.len = 0};
}

/* Decodes and checks the exact reason and field; reports the detail on a
 * mismatch so a failure says what the decoder thought. */
static void expect_raw(kind k, const char *buf, size_t len, const dec_limits *lim, rsn_reason want,
                       const char *field)
{
    dec_error err;
    memset(&err, 0x5a, sizeof err); /* decoders must fully set it */
    rsn_reason got = run(k, buf, len, lim, &err);
    if (got != want || strcmp(err.field, field) != 0 || err.reason != got) {
        fail_msg("%.200s\n  want %s field \"%s\", got %s field \"%.31s\" (%.159s)", buf,
                 rsn_code(want), field, rsn_code(got), err.field, err.detail);
    }
    assert_true(memchr(err.detail, '\0', sizeof err.detail) != NULL);
    if (got != RSN_OK) {
        assert_true(err.detail[0] != '\0');
    }
}

static void expect(kind k, const char *key, const char *raw, rsn_reason want, const char *field)
{
    msg m = build_kind(k, key, raw);
    expect_raw(k, m.text, m.len, NULL, want, field);
}

/* ---- valid messages ----------------------------------------------------- */

static int64_t parse_time(const char *s)
{
    int64_t ms = -1;
    assert_int_equal(tf_parse(s, strlen(s), &ms), 0);
    return ms;
}

static void test_transfer_values(void **state)
{
    msg m = build(transfer_base, N_OF(transfer_base), NULL, NULL);
    ix_transfer t;
    dec_error err;
    assert_int_equal(dec_transfer(m.text, m.len, NULL, &t, &err), RSN_OK);
    assert_int_equal(err.reason, RSN_OK);
    assert_string_equal(t.id, "tx-20261123-000042");
    assert_string_equal(t.from_account, "DE89370400440532013000");
    assert_string_equal(t.from_bank, "COBADEFFXXX");
    assert_string_equal(t.to_account, "6222021234567890123");
    assert_string_equal(t.to_bank, "ICBKCNBJ");
    assert_int_equal(t.amount, 1250000);
    assert_string_equal(t.currency, "CNY");
    assert_int_equal(t.event_time_ms, 1795401061123LL); /* 02:31:01.123Z */
    assert_int_equal(t.channel, IX_CHANNEL_MOBILE);

    static const char *const channels[] = {"mobile", "online", "branch", "atm", "pos"};
    for (size_t i = 0; i < N_OF(channels); i++) {
        char raw[32];
        snprintf(raw, sizeof raw, "\"%s\"", channels[i]);
        m = build(transfer_base, N_OF(transfer_base), "channel", raw);
        assert_int_equal(dec_transfer(m.text, m.len, NULL, &t, NULL), RSN_OK);
        assert_int_equal(t.channel, (int)i + 1);
    }
    m = build(transfer_base, N_OF(transfer_base), "channel", NULL);
    assert_int_equal(dec_transfer(m.text, m.len, NULL, &t, NULL), RSN_OK);
    assert_int_equal(t.channel, IX_CHANNEL_UNKNOWN);
}

/* Whitespace, key order and escapes that decode to allowed characters are
 * all fine: the decoder reads values, not bytes. */
static void test_transfer_layout_free(void **state)
{
    const char *s = "\n{ \"channel\" : \"pos\" ,\t\"event_time\":\"2026-11-23T02:31:01Z\",\r\n"
                    "\"currency\":\"EUR\",\"amount\":1,\"to_bank\":\"ICBKCNBJ\","
                    "\"to_account\":\"B\",\"from_bank\":\"COBADEFF\",\"from_account\":\"\\u0041\","
                    "\"transfer_id\":\"x\",\"version\":1 }  \n";
    ix_transfer t;
    assert_int_equal(dec_transfer(s, strlen(s), NULL, &t, NULL), RSN_OK);
    assert_string_equal(t.from_account, "A");
    assert_string_equal(t.id, "x");
    assert_int_equal(t.amount, 1);
    assert_int_equal(t.channel, IX_CHANNEL_POS);
}

static void test_account_values(void **state)
{
    msg m = build(account_base, N_OF(account_base), NULL, NULL);
    ix_account a;
    assert_int_equal(dec_account(m.text, m.len, NULL, &a, NULL), RSN_OK);
    assert_string_equal(a.account, "6222021234567890123");
    assert_string_equal(a.bank, "ICBKCNBJ");
    assert_int_equal(a.opened_at_ms, parse_time("2026-11-20T01:00:00Z"));
    assert_int_equal(a.holder_type, IX_HOLDER_BUSINESS);
    assert_int_equal(a.kyc_level, 2);
    assert_string_equal(a.holder_hash,
                        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    assert_string_equal(a.phone_hash, "60303ae22b998861");
    assert_string_equal(a.device_hash, "fd61a03af4f77d87");
    assert_int_equal(a.flags, IX_ACCT_FROZEN | IX_ACCT_DORMANT);
    assert_int_equal(a.updated_at_ms, parse_time("2026-11-23T10:00:00Z"));

    m = build(account_base, N_OF(account_base), "status", NULL);
    assert_int_equal(dec_account(m.text, m.len, NULL, &a, NULL), RSN_OK);
    assert_int_equal(a.flags, 0);
    m = build(account_base, N_OF(account_base), "status", "[]");
    assert_int_equal(dec_account(m.text, m.len, NULL, &a, NULL), RSN_OK);
    assert_int_equal(a.flags, 0);
    m = build(account_base, N_OF(account_base), "status", "[\"dormant\"]");
    assert_int_equal(dec_account(m.text, m.len, NULL, &a, NULL), RSN_OK);
    assert_int_equal(a.flags, IX_ACCT_DORMANT);
    m = build(account_base, N_OF(account_base), "device_hash", NULL);
    assert_int_equal(dec_account(m.text, m.len, NULL, &a, NULL), RSN_OK);
    assert_string_equal(a.device_hash, "");
    for (int k = 0; k <= 3; k++) {
        char raw[4];
        snprintf(raw, sizeof raw, "%d", k);
        m = build(account_base, N_OF(account_base), "kyc_level", raw);
        assert_int_equal(dec_account(m.text, m.len, NULL, &a, NULL), RSN_OK);
        assert_int_equal(a.kyc_level, k);
    }
    m = build(account_base, N_OF(account_base), "holder_type", "\"person\"");
    assert_int_equal(dec_account(m.text, m.len, NULL, &a, NULL), RSN_OK);
    assert_int_equal(a.holder_type, IX_HOLDER_PERSON);
    m = build(account_base, N_OF(account_base), "holder_type", "\"merchant\"");
    assert_int_equal(dec_account(m.text, m.len, NULL, &a, NULL), RSN_OK);
    assert_int_equal(a.holder_type, IX_HOLDER_MERCHANT);
}

static void test_watch_values(void **state)
{
    msg m = build(watch_base, N_OF(watch_base), NULL, NULL);
    ix_watch w;
    assert_int_equal(dec_watch(m.text, m.len, NULL, &w, NULL), RSN_OK);
    assert_string_equal(w.account, "6222021234567890123");
    assert_string_equal(w.bank, "ICBKCNBJ");
    assert_string_equal(w.list, "confirmed_mule");
    assert_string_equal(w.reason, "Sold to a fraud ring (\xe6\xa1\x88\xe4\xbb\xb6 118)");
    assert_int_equal(w.added_at_ms, parse_time("2026-11-01T00:00:00Z"));
}

static void test_report_values(void **state)
{
    msg m = build(report_base, N_OF(report_base), NULL, NULL);
    ix_report r;
    assert_int_equal(dec_report(m.text, m.len, NULL, &r, NULL), RSN_OK);
    assert_string_equal(r.id, "police:SZ-2026-004711");
    assert_string_equal(r.transfer_id, "tx-20261123-000042");
    assert_string_equal(r.victim_account, "DE89370400440532013000");
    assert_int_equal(r.amount, 1250000);
    assert_string_equal(r.currency, "CNY");
    assert_int_equal(r.reported_at_ms, parse_time("2026-11-23T03:05:00Z"));
    assert_string_equal(r.source, "police");
    static const char *const sources[] = {"\"bank\"", "\"telecom\"", "\"victim\""};
    for (size_t i = 0; i < N_OF(sources); i++) {
        m = build(report_base, N_OF(report_base), "source", sources[i]);
        assert_int_equal(dec_report(m.text, m.len, NULL, &r, NULL), RSN_OK);
        assert_memory_equal(r.source, sources[i] + 1, strlen(sources[i]) - 2);
    }
}

/* Decoding a short message after a long one leaves no stale bytes: records
 * are compared and stored as raw bytes elsewhere. */
static void test_record_zeroed(void **state)
{
    ix_transfer a, b;
    msg m = build(transfer_base, N_OF(transfer_base), "transfer_id",
                  "\"a-very-long-transfer-identifier-of-sixty-four-characters-0123456\"");
    assert_int_equal(dec_transfer(m.text, m.len, NULL, &a, NULL), RSN_OK);
    m = build(transfer_base, N_OF(transfer_base), "transfer_id", "\"t\"");
    assert_int_equal(dec_transfer(m.text, m.len, NULL, &a, NULL), RSN_OK);
    memset(&b, 0xff, sizeof b);
    assert_int_equal(dec_transfer(m.text, m.len, NULL, &b, NULL), RSN_OK);
    assert_memory_equal(&a, &b, sizeof a);
}

/* ---- every reason ------------------------------------------------------- */

typedef struct reason_case {
    kind k;
    const char *key; /* NULL with raw_msg: the whole message is raw_msg */
    const char *raw;
    const char *raw_msg;
    rsn_reason want;
    const char *field;
} reason_case;

/* At least one input per reason; test_every_reason checks the coverage. */
static const reason_case reason_cases[] = {
    {K_TRANSFER, NULL, NULL, "", RSN_EMPTY, ""},
    {K_TRANSFER, NULL, NULL, "{\"version\":1,", RSN_MALFORMED, ""},
    {K_TRANSFER, NULL, NULL, "[1,2]", RSN_NOT_OBJECT, ""},
    {K_TRANSFER, NULL, NULL, "\"x\"", RSN_NOT_OBJECT, ""},
    {K_TRANSFER, NULL, NULL, "null", RSN_NOT_OBJECT, ""},
    {K_TRANSFER, NULL, NULL, "{\"version\":1,\"version\":1}", RSN_DUPLICATE_FIELD, "version"},
    {K_ACCOUNT, NULL, NULL, "{\"bank\":\"ICBKCNBJ\",\"bank\" : \"ICBKCNBJ\"}", RSN_DUPLICATE_FIELD,
     "bank"},
    {K_TRANSFER, "memo", "\"rent\"", NULL, RSN_UNKNOWN_FIELD, "memo"},
    {K_TRANSFER, "Amount", "1", NULL, RSN_UNKNOWN_FIELD, "Amount"}, /* keys are case-sensitive */
    {K_WATCH, "", "1", NULL, RSN_UNKNOWN_FIELD, ""},
    {K_TRANSFER, "version", NULL, NULL, RSN_VERSION, "version"},
    {K_TRANSFER, "version", "2", NULL, RSN_VERSION, "version"},
    {K_TRANSFER, "version", "0", NULL, RSN_VERSION, "version"},
    {K_TRANSFER, "version", "\"1\"", NULL, RSN_VERSION, "version"},
    {K_TRANSFER, "version", "1.0", NULL, RSN_VERSION, "version"},
    {K_ACCOUNT, "version", "null", NULL, RSN_VERSION, "version"},
    {K_TRANSFER, "transfer_id", NULL, NULL, RSN_MISSING_FIELD, "transfer_id"},
    {K_TRANSFER, "amount", NULL, NULL, RSN_MISSING_FIELD, "amount"},
    {K_ACCOUNT, "kyc_level", NULL, NULL, RSN_MISSING_FIELD, "kyc_level"},
    {K_WATCH, "reason", NULL, NULL, RSN_MISSING_FIELD, "reason"},
    {K_REPORT, "source", NULL, NULL, RSN_MISSING_FIELD, "source"},
    {K_TRANSFER, "from_account", "12345", NULL, RSN_FIELD_TYPE, "from_account"},
    {K_TRANSFER, "amount", "\"100\"", NULL, RSN_FIELD_TYPE, "amount"},
    {K_TRANSFER, "amount", "null", NULL, RSN_FIELD_TYPE, "amount"},
    {K_TRANSFER, "amount", "true", NULL, RSN_FIELD_TYPE, "amount"},
    {K_TRANSFER, "amount", "{\"units\":1}", NULL, RSN_FIELD_TYPE, "amount"},
    {K_TRANSFER, "channel", "null", NULL, RSN_FIELD_TYPE, "channel"},
    {K_TRANSFER, "event_time", "1795401061123", NULL, RSN_FIELD_TYPE, "event_time"},
    {K_ACCOUNT, "kyc_level", "\"2\"", NULL, RSN_FIELD_TYPE, "kyc_level"},
    {K_ACCOUNT, "kyc_level", "2.0", NULL, RSN_FIELD_TYPE, "kyc_level"},
    {K_ACCOUNT, "status", "\"frozen\"", NULL, RSN_FIELD_TYPE, "status"},
    {K_ACCOUNT, "status", "[1]", NULL, RSN_FIELD_TYPE, "status"},
    {K_TRANSFER, "from_account", "\"\"", NULL, RSN_FIELD_LENGTH, "from_account"},
    {K_TRANSFER, "to_bank", "\"ICBKCNBJX\"", NULL, RSN_FIELD_LENGTH, "to_bank"},
    {K_ACCOUNT, "holder_hash", "\"\"", NULL, RSN_FIELD_LENGTH, "holder_hash"},
    {K_WATCH, "list", "\"\"", NULL, RSN_FIELD_LENGTH, "list"},
    {K_WATCH, "reason", "\"\"", NULL, RSN_FIELD_LENGTH, "reason"},
    {K_TRANSFER, "from_account", "\"DE89 3704\"", NULL, RSN_FIELD_FORMAT, "from_account"},
    {K_TRANSFER, "from_account", "\"DE89_3704\"", NULL, RSN_FIELD_FORMAT, "from_account"},
    {K_TRANSFER, "to_account",
     "\"\xc3\x9c"
     "1\"",
     NULL, RSN_FIELD_FORMAT, "to_account"},
    {K_TRANSFER, "from_bank", "\"cobadeff\"", NULL, RSN_FIELD_FORMAT, "from_bank"},
    {K_TRANSFER, "transfer_id", "\"tx 1\"", NULL, RSN_FIELD_FORMAT, "transfer_id"},
    {K_TRANSFER, "transfer_id", "\"tx\\\"1\"", NULL, RSN_FIELD_FORMAT, "transfer_id"},
    {K_TRANSFER, "transfer_id", "\"tx/1\"", NULL, RSN_FIELD_FORMAT, "transfer_id"},
    {K_ACCOUNT, "phone_hash", "\"60303AE2\"", NULL, RSN_FIELD_FORMAT, "phone_hash"},
    {K_ACCOUNT, "device_hash", "\"xyz\"", NULL, RSN_FIELD_FORMAT, "device_hash"},
    {K_WATCH, "list", "\"police-report\"", NULL, RSN_FIELD_FORMAT, "list"},
    {K_WATCH, "reason", "\"tab\\there\"", NULL, RSN_FIELD_FORMAT, "reason"},
    {K_WATCH, "reason", "\"del\\u007f\"", NULL, RSN_FIELD_FORMAT, "reason"},
    {K_WATCH, "reason", "\"next line \\u0085\"", NULL, RSN_FIELD_FORMAT, "reason"},
    {K_REPORT, "report_id", "\"r'1\"", NULL, RSN_FIELD_FORMAT, "report_id"},
    {K_TRANSFER, "amount", "0", NULL, RSN_AMOUNT, "amount"},
    {K_TRANSFER, "amount", "-1", NULL, RSN_AMOUNT, "amount"},
    {K_TRANSFER, "amount", "1.0", NULL, RSN_AMOUNT, "amount"},
    {K_REPORT, "amount", "0", NULL, RSN_AMOUNT, "amount"},
    {K_TRANSFER, "currency", "\"CNH\"", NULL, RSN_CURRENCY, "currency"},
    {K_TRANSFER, "currency", "\"cny\"", NULL, RSN_CURRENCY, "currency"},
    {K_TRANSFER, "currency", "\"CNYX\"", NULL, RSN_CURRENCY, "currency"},
    {K_TRANSFER, "currency", "\"\"", NULL, RSN_CURRENCY, "currency"},
    {K_TRANSFER, "currency", "\"XAU\"", NULL, RSN_CURRENCY, "currency"}, /* no minor unit */
    {K_TRANSFER, "currency", "\"HRK\"", NULL, RSN_CURRENCY, "currency"}, /* withdrawn 2023 */
    {K_REPORT, "currency", "\"usd\"", NULL, RSN_CURRENCY, "currency"},
    {K_TRANSFER, "event_time", "\"2026-02-29T10:31:01Z\"", NULL, RSN_TIME, "event_time"},
    {K_TRANSFER, "event_time", "\"2026-11-23T10:31:01\"", NULL, RSN_TIME, "event_time"},
    {K_TRANSFER, "event_time", "\"yesterday\"", NULL, RSN_TIME, "event_time"},
    {K_ACCOUNT, "opened_at", "\"1969-12-31T23:59:59Z\"", NULL, RSN_TIME, "opened_at"},
    {K_ACCOUNT, "updated_at", "\"2026-11-23T23:59:60Z\"", NULL, RSN_TIME, "updated_at"},
    {K_WATCH, "added_at", "\"2026-11-23\"", NULL, RSN_TIME, "added_at"},
    {K_REPORT, "reported_at", "\"\"", NULL, RSN_TIME, "reported_at"},
    {K_TRANSFER, "to_account", "\"DE89370400440532013000\"", NULL, RSN_SAME_ACCOUNT, "to_account"},
    {K_TRANSFER, "channel", "\"fax\"", NULL, RSN_ENUM, "channel"},
    {K_TRANSFER, "channel", "\"unknown\"", NULL, RSN_ENUM, "channel"}, /* zero value */
    {K_TRANSFER, "channel", "\"Mobile\"", NULL, RSN_ENUM, "channel"},
    {K_ACCOUNT, "holder_type", "\"trust\"", NULL, RSN_ENUM, "holder_type"},
    {K_ACCOUNT, "holder_type", "\"unknown\"", NULL, RSN_ENUM, "holder_type"},
    {K_ACCOUNT, "kyc_level", "4", NULL, RSN_ENUM, "kyc_level"},
    {K_ACCOUNT, "kyc_level", "-1", NULL, RSN_ENUM, "kyc_level"},
    {K_ACCOUNT, "status", "[\"closed\"]", NULL, RSN_ENUM, "status"},
    {K_ACCOUNT, "status", "[\"frozen\",\"frozen\"]", NULL, RSN_ENUM, "status"},
    {K_REPORT, "source", "\"bank_app\"", NULL, RSN_ENUM, "source"},
    {K_REPORT, "source", "\"\"", NULL, RSN_ENUM, "source"},
};

static void test_every_reason(void **state)
{
    int seen[RSN_DECODE_COUNT] = {0};
    for (size_t i = 0; i < N_OF(reason_cases); i++) {
        const reason_case *c = &reason_cases[i];
        if (c->raw_msg) {
            expect_raw(c->k, c->raw_msg, strlen(c->raw_msg), NULL, c->want, c->field);
        } else {
            expect(c->k, c->key, c->raw, c->want, c->field);
        }
        seen[c->want] = 1;
    }
    /* The reasons the table cannot express without a limit or a large input. */
    seen[RSN_TOO_LARGE] = seen[RSN_TIME_RANGE] = 1; /* see test_size and test_time_range */
    /* The XML decoder's own: test_iso20022 produces them. */
    seen[RSN_XML_DOCTYPE] = seen[RSN_MESSAGE_TYPE] = 1;
    for (int r = 1; r < RSN_DECODE_COUNT; r++) {
        if (!seen[r]) {
            fail_msg("no test input produces %s", rsn_code((rsn_reason)r));
        }
    }
}

/* ---- boundaries --------------------------------------------------------- */

static void test_account_lengths(void **state)
{
    char raw[64];
    snprintf(raw, sizeof raw, "\"%.*s\"", 34, "A123456789-123456789012345678901234567890");
    expect(K_TRANSFER, "from_account", raw, RSN_OK, "");
    snprintf(raw, sizeof raw, "\"%.*s\"", 35, "A123456789-123456789012345678901234567890");
    expect(K_TRANSFER, "from_account", raw, RSN_FIELD_LENGTH, "from_account");
    expect(K_TRANSFER, "to_account", "\"1\"", RSN_OK, "");
    expect(K_TRANSFER, "to_account", "\"-\"", RSN_OK, "");
    snprintf(raw, sizeof raw, "\"%.*s\"", 35, "A123456789-123456789012345678901234567890");
    expect(K_ACCOUNT, "account", raw, RSN_FIELD_LENGTH, "account");
    expect(K_WATCH, "account", raw, RSN_FIELD_LENGTH, "account");
    expect(K_REPORT, "victim_account", raw, RSN_FIELD_LENGTH, "victim_account");
}

static void test_bic_lengths(void **state)
{
    expect(K_TRANSFER, "from_bank", "\"COBADEFF\"", RSN_OK, "");                        /* 8 */
    expect(K_TRANSFER, "from_bank", "\"COBADEFF1\"", RSN_FIELD_LENGTH, "from_bank");    /* 9 */
    expect(K_TRANSFER, "from_bank", "\"COBADEFF12\"", RSN_FIELD_LENGTH, "from_bank");   /* 10 */
    expect(K_TRANSFER, "from_bank", "\"COBADEFF123\"", RSN_OK, "");                     /* 11 */
    expect(K_TRANSFER, "from_bank", "\"COBADEFF1234\"", RSN_FIELD_LENGTH, "from_bank"); /* 12 */
    expect(K_TRANSFER, "from_bank", "\"COBADEF\"", RSN_FIELD_LENGTH, "from_bank");      /* 7 */
    expect(K_TRANSFER, "from_bank", "\"\"", RSN_FIELD_LENGTH, "from_bank");
    expect(K_TRANSFER, "from_bank", "\"COBADEF-\"", RSN_FIELD_FORMAT, "from_bank");
    expect(K_ACCOUNT, "bank", "\"ICBKCNBJ00A\"", RSN_OK, "");
}

static void test_id_lengths(void **state)
{
    char raw[80];
    const char *chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-xyz";
    snprintf(raw, sizeof raw, "\"%.*s\"", 64, chars);
    expect(K_TRANSFER, "transfer_id", raw, RSN_OK, "");
    expect(K_REPORT, "report_id", raw, RSN_OK, "");
    snprintf(raw, sizeof raw, "\"%.*s\"", 65, chars);
    expect(K_TRANSFER, "transfer_id", raw, RSN_FIELD_LENGTH, "transfer_id");
    expect(K_REPORT, "transfer_id", raw, RSN_FIELD_LENGTH, "transfer_id");
    expect(K_TRANSFER, "transfer_id", "\"\"", RSN_FIELD_LENGTH, "transfer_id");
}

static void test_text_lengths(void **state)
{
    char raw[300];
    char text[200];
    /* 127 bytes: 42 three-byte characters and one ASCII byte. */
    text[0] = '\0';
    for (int i = 0; i < 42; i++) {
        strcat(text, "\xe6\xa1\x88");
    }
    strcat(text, "x");
    snprintf(raw, sizeof raw, "\"%s\"", text);
    expect(K_WATCH, "reason", raw, RSN_OK, "");
    snprintf(raw, sizeof raw, "\"%sy\"", text); /* 128 bytes, 44 characters */
    expect(K_WATCH, "reason", raw, RSN_FIELD_LENGTH, "reason");
    memset(text, 'a', 127);
    text[127] = '\0';
    snprintf(raw, sizeof raw, "\"%s\"", text);
    expect(K_WATCH, "list", raw, RSN_OK, "");
    snprintf(raw, sizeof raw, "\"%s_\"", text);
    expect(K_WATCH, "list", raw, RSN_FIELD_LENGTH, "list");
    memset(text, 'f', 64);
    text[64] = '\0';
    snprintf(raw, sizeof raw, "\"%s\"", text);
    expect(K_ACCOUNT, "device_hash", raw, RSN_OK, "");
    snprintf(raw, sizeof raw, "\"%s0\"", text);
    expect(K_ACCOUNT, "device_hash", raw, RSN_FIELD_LENGTH, "device_hash");
    expect(K_WATCH, "reason", "\"\\\"quoted\\\" \\\\ and / fine \xe2\x82\xac\"", RSN_OK, "");
}

static void test_amount_bounds(void **state)
{
    static const struct {
        const char *raw;
        rsn_reason want;
    } cases[] = {
        {"1", RSN_OK},
        {"0", RSN_AMOUNT},
        {"-0", RSN_AMOUNT},
        {"-1", RSN_AMOUNT},
        {"1000000000000000", RSN_OK},        /* DEC_AMOUNT_MAX */
        {"1000000000000001", RSN_AMOUNT},    /* DEC_AMOUNT_MAX + 1 */
        {"9223372036854775807", RSN_AMOUNT}, /* INT64_MAX */
        {"9223372036854775808", RSN_AMOUNT}, /* 2^63: overflows the parser */
        {"99999999999999999999999", RSN_AMOUNT},
        {"-9223372036854775809", RSN_AMOUNT},
        {"1e999", RSN_AMOUNT},
        {"1.0", RSN_AMOUNT},
        {"1e2", RSN_AMOUNT},
        {"100.5", RSN_AMOUNT},
        {"\"100\"", RSN_FIELD_TYPE},
        {"[100]", RSN_FIELD_TYPE},
        {"01", RSN_MALFORMED}, /* JSON has no leading zeros */
        {"+1", RSN_MALFORMED},
        {"0x10", RSN_MALFORMED},
    };
    for (size_t i = 0; i < N_OF(cases); i++) {
        expect(K_TRANSFER, "amount", cases[i].raw, cases[i].want,
               cases[i].want == RSN_OK || cases[i].want == RSN_MALFORMED ? "" : "amount");
    }
    ix_transfer t;
    msg m = build(transfer_base, N_OF(transfer_base), "amount", "1000000000000000");
    assert_int_equal(dec_transfer(m.text, m.len, NULL, &t, NULL), RSN_OK);
    assert_int_equal(t.amount, DEC_AMOUNT_MAX);
    /* An overflowing number outside "amount" is plain malformed input. */
    expect(K_TRANSFER, "version", "99999999999999999999", RSN_MALFORMED, "");
    expect(K_ACCOUNT, "kyc_level", "99999999999999999999", RSN_MALFORMED, "");
    const char *spaced = "{\"version\":1, \"amount\" :  99999999999999999999 }";
    expect_raw(K_REPORT, spaced, strlen(spaced), NULL, RSN_AMOUNT, "amount");
}

static void test_malformed(void **state)
{
    msg m = build(transfer_base, N_OF(transfer_base), NULL, NULL);
    /* Every truncation of a valid message. */
    for (size_t len = 1; len < m.len; len++) {
        char *copy = malloc(len); /* exact size: ASan catches any read past it */
        memcpy(copy, m.text, len);
        expect_raw(K_TRANSFER, copy, len, NULL, RSN_MALFORMED, "");
        free(copy);
    }
    static const char *const bad[] = {
        "{\"version\":1,\"transfer_id\":\"\xff\"}",         /* invalid byte */
        "{\"version\":1,\"transfer_id\":\"\xc0\xaf\"}",     /* overlong '/' */
        "{\"version\":1,\"transfer_id\":\"\xed\xa0\x80\"}", /* UTF-16 surrogate */
        "{\"version\":1,\"transfer_id\":\"\xe6\xa1\"}",     /* cut character */
        "{\"version\":1,\"transfer_id\":\"a\\u0000b\"}",    /* escaped NUL */
        "{\"version\":1,\"transfer_id\":\"\\ud800\"}",      /* lone surrogate escape */
        "{\"version\":1,\"transfer_id\":\"\\x41\"}",        /* not a JSON escape */
        "{\"version\":1,\"transfer_id\":\"a\tb\"}",         /* raw control character */
        "{\"version\":1} {\"version\":1}",                  /* trailing data */
        "{\"version\":1,}",                                 /* trailing comma */
        "{'version':1}",
        "{version:1}",
        "{\"version\":NaN}",
        "   ",
        "\xef\xbb\xbf{\"version\":1}", /* byte order mark */
    };
    for (size_t i = 0; i < N_OF(bad); i++) {
        expect_raw(K_TRANSFER, bad[i], strlen(bad[i]), NULL, RSN_MALFORMED, "");
    }
    /* A NUL byte inside the message. */
    static const char nul[] = "{\"version\":1,\"transfer_id\":\"a\0b\"}";
    expect_raw(K_TRANSFER, nul, sizeof nul - 1, NULL, RSN_MALFORMED, "");
    /* Deep nesting is bounded by the parser, not by the stack. */
    char deep[4200];
    memset(deep, '[', 2100);
    memset(deep + 2100, ']', 2100);
    expect_raw(K_TRANSFER, deep, 4200, NULL, RSN_MALFORMED, "");
    expect_raw(K_TRANSFER, NULL, 10, NULL, RSN_EMPTY, "");
}

static void test_size(void **state)
{
    /* A 70 KB message: a valid transfer padded with an unknown field. */
    size_t big = 70 * 1024;
    char *buf = malloc(big + 1);
    msg m = build(transfer_base, N_OF(transfer_base), NULL, NULL);
    memcpy(buf, m.text, m.len - 1);
    size_t n = m.len - 1;
    n += (size_t)sprintf(buf + n, ",\"padding\":\"");
    memset(buf + n, 'x', big - n - 2);
    memcpy(buf + big - 2, "\"}", 3);
    expect_raw(K_TRANSFER, buf, big, NULL, RSN_TOO_LARGE, "");
    dec_limits lim;
    dec_limits_default(&lim);
    assert_int_equal(lim.max_bytes, 65536);
    assert_int_equal(lim.now_ms, 0);
    lim.max_bytes = 1 << 20;
    expect_raw(K_TRANSFER, buf, big, &lim, RSN_UNKNOWN_FIELD, "padding");
    free(buf);

    /* The limit is inclusive. */
    lim.max_bytes = m.len;
    expect_raw(K_TRANSFER, m.text, m.len, &lim, RSN_OK, "");
    lim.max_bytes = m.len - 1;
    expect_raw(K_TRANSFER, m.text, m.len, &lim, RSN_TOO_LARGE, "");
}

static void test_time_range(void **state)
{
    dec_limits lim;
    dec_limits_default(&lim);
    msg m = build(transfer_base, N_OF(transfer_base), NULL, NULL);
    const int64_t t = 1795401061123LL; /* the base's event_time */
    lim.max_past_ms = 3600 * 1000;
    lim.max_future_ms = 60 * 1000;

    lim.now_ms = t;
    expect_raw(K_TRANSFER, m.text, m.len, &lim, RSN_OK, "");
    lim.now_ms = t + lim.max_past_ms; /* exactly at the limit */
    expect_raw(K_TRANSFER, m.text, m.len, &lim, RSN_OK, "");
    lim.now_ms = t + lim.max_past_ms + 1;
    expect_raw(K_TRANSFER, m.text, m.len, &lim, RSN_TIME_RANGE, "event_time");
    lim.now_ms = t - lim.max_future_ms;
    expect_raw(K_TRANSFER, m.text, m.len, &lim, RSN_OK, "");
    lim.now_ms = t - lim.max_future_ms - 1;
    expect_raw(K_TRANSFER, m.text, m.len, &lim, RSN_TIME_RANGE, "event_time");
    lim.now_ms = 0; /* check disabled */
    expect_raw(K_TRANSFER, m.text, m.len, &lim, RSN_OK, "");

    /* Limits from configuration cannot overflow the arithmetic. */
    lim.now_ms = INT64_MIN;
    lim.max_past_ms = INT64_MAX;
    lim.max_future_ms = INT64_MAX;
    expect_raw(K_TRANSFER, m.text, m.len, &lim, RSN_TIME_RANGE, "event_time");
    lim.now_ms = INT64_MAX;
    expect_raw(K_TRANSFER, m.text, m.len, &lim, RSN_OK, "");
    lim.max_past_ms = INT64_MIN; /* a negative bound allows no slack */
    lim.now_ms = t + 1;
    expect_raw(K_TRANSFER, m.text, m.len, &lim, RSN_TIME_RANGE, "event_time");

    /* Only transfers are range-checked: compacted topics replay old records. */
    lim.now_ms = t + 365LL * 86400000;
    msg a = build(account_base, N_OF(account_base), NULL, NULL);
    expect_raw(K_ACCOUNT, a.text, a.len, &lim, RSN_OK, "");
    msg w = build(watch_base, N_OF(watch_base), NULL, NULL);
    expect_raw(K_WATCH, w.text, w.len, &lim, RSN_OK, "");
    msg r = build(report_base, N_OF(report_base), NULL, NULL);
    expect_raw(K_REPORT, r.text, r.len, &lim, RSN_OK, "");
}

/* ---- error reporting ---------------------------------------------------- */

/* Longest run of the byte c in s. */
static size_t longest_run(const char *s, char c)
{
    size_t best = 0, run = 0;
    for (; *s; s++) {
        run = *s == c ? run + 1 : 0;
        best = run > best ? run : best;
    }
    return best;
}

static void test_detail_bounded(void **state)
{
    char *raw = malloc(2100);
    dec_error err;
    ix_transfer t;
    /* A long currency value: the detail quotes at most 40 bytes of it. */
    raw[0] = '"';
    memset(raw + 1, 'Q', 2000);
    strcpy(raw + 2001, "\"");
    msg m = build(transfer_base, N_OF(transfer_base), "currency", raw);
    assert_int_equal(dec_transfer(m.text, m.len, NULL, &t, &err), RSN_CURRENCY);
    assert_true(longest_run(err.detail, 'Q') <= 40);
    assert_non_null(strstr(err.detail, "..."));

    /* A long unknown key: the field holds a bounded, terminated prefix. */
    char *big = malloc(3000);
    memset(big, 'K', 1000);
    big[1000] = '\0';
    m = build(transfer_base, N_OF(transfer_base), NULL, NULL);
    snprintf(raw, 2100, "{\"%s\":1}", big);
    assert_int_equal(dec_transfer(raw, strlen(raw), NULL, &t, &err), RSN_UNKNOWN_FIELD);
    assert_true(strlen(err.field) < sizeof err.field);
    assert_true(longest_run(err.field, 'K') <= 40);
    assert_true(longest_run(err.detail, 'K') <= 40);

    /* Control characters never reach the detail; a cut never splits a
     * UTF-8 character. */
    snprintf(raw, 2100, "\"%s\\n\\u001b[31m\"", "line");
    m = build(transfer_base, N_OF(transfer_base), "event_time", raw);
    assert_int_equal(dec_transfer(m.text, m.len, NULL, &t, &err), RSN_TIME);
    assert_null(strchr(err.detail, '\n'));
    assert_null(strchr(err.detail, '\x1b'));
    snprintf(raw, 2100, "\"%.39s\xe6\xa1\x88\xe6\xa1\x88\"", big);
    m = build(transfer_base, N_OF(transfer_base), "currency", raw);
    assert_int_equal(dec_transfer(m.text, m.len, NULL, &t, &err), RSN_CURRENCY);
    assert_null(strstr(err.detail, "\xe6\xa1\x88"));
    assert_null(strchr(err.detail, '\xe6'));

    /* jansson's own message is kept, the input it quotes is not. */
    snprintf(raw, 2100, "{\"version\":1,\"transfer_id\":\"%s", big);
    assert_int_equal(dec_transfer(raw, strlen(raw), NULL, &t, &err), RSN_MALFORMED);
    assert_true(longest_run(err.detail, 'K') == 0);
    free(big);
    free(raw);
}

static void test_error_format(void **state)
{
    dec_error err;
    char line[256];
    msg m = build(transfer_base, N_OF(transfer_base), "currency", "\"CNH\"");
    ix_transfer t;
    assert_int_equal(dec_transfer(m.text, m.len, NULL, &t, &err), RSN_CURRENCY);
    dec_error_format(&err, line, sizeof line);
    assert_string_equal(line, "unknown_currency: currency: \"CNH\" is not an active ISO 4217 code");
    dec_error_format(&err, line, 10);
    assert_string_equal(line, "unknown_c");
    assert_int_equal(dec_transfer("", 0, NULL, &t, &err), RSN_EMPTY);
    dec_error_format(&err, line, sizeof line);
    assert_string_equal(line, "empty: empty message");
    dec_error_format(NULL, line, sizeof line);
    assert_string_equal(line, "");
    dec_error_format(&err, NULL, 0); /* must not crash */
}

/* The desk's messages: values, and each refusal with its reason and field. */
static void test_desk_messages(void **state)
{
    (void)state;
    desk_allow a;
    desk_verdict v;
    dec_error err;
    const char *ok = "{\"version\":1,\"account\":\"A1\",\"counterparty\":\"B1\",\"either_way\":"
                     "true,\"rules\":[\"WL01\",\"FI01\"],\"reason\":\"payroll\",\"added_at\":"
                     "\"2026-11-20T09:00:00Z\",\"expires_at\":\"2026-11-21T09:00:00Z\"}";
    assert_int_equal(dec_allow(ok, strlen(ok), NULL, &a, &err), RSN_OK);
    assert_string_equal(a.counterparty, "B1");
    assert_int_equal(a.either_way, 1);
    assert_int_equal(a.n_rules, 2);
    assert_string_equal(a.rules[1], "FI01");
    assert_int_equal(a.expires_ms - a.added_ms, 86400000);
    const char *acct = "{\"version\":1,\"account\":\"A1\",\"either_way\":true,\"reason\":\"x\","
                       "\"added_at\":\"2026-11-20T09:00:00Z\"}";
    assert_int_equal(dec_allow(acct, strlen(acct), NULL, &a, &err), RSN_OK);
    assert_int_equal(a.either_way, 0); /* nothing to turn round */
    assert_int_equal(a.expires_ms, DESK_NO_EXPIRY);
    static const struct {
        const char *json;
        rsn_reason r;
        const char *field;
    } bad[] = {
        {"{\"version\":1,\"account\":\"A1\",\"rules\":[],\"reason\":\"x\",\"added_at\":"
         "\"2026-11-20T09:00:00Z\"}",
         RSN_FIELD_LENGTH, "rules"},
        {"{\"version\":1,\"account\":\"A1\",\"rules\":[\"WL01\",\"WL01\"],\"reason\":\"x\","
         "\"added_at\":\"2026-11-20T09:00:00Z\"}",
         RSN_ENUM, "rules"},
        {"{\"version\":1,\"account\":\"A1\",\"rules\":[\"a\",\"B\",\"C\",\"D\",\"E\",\"F\",\"G\","
         "\"H\",\"I\"],\"reason\":\"x\",\"added_at\":\"2026-11-20T09:00:00Z\"}",
         RSN_FIELD_FORMAT, "rules"},
        {"{\"version\":1,\"account\":\"A1\",\"rules\":[\"A\",\"B\",\"C\",\"D\",\"E\",\"F\",\"G\","
         "\"H\",\"I\"],\"reason\":\"x\",\"added_at\":\"2026-11-20T09:00:00Z\"}",
         RSN_FIELD_LENGTH, "rules"},
        {"{\"version\":1,\"account\":\"A1\",\"rules\":[7],\"reason\":\"x\",\"added_at\":"
         "\"2026-11-20T09:00:00Z\"}",
         RSN_FIELD_TYPE, "rules"},
        {"{\"version\":1,\"account\":\"A1\",\"either_way\":1,\"reason\":\"x\",\"added_at\":"
         "\"2026-11-20T09:00:00Z\"}",
         RSN_FIELD_TYPE, "either_way"},
        {"{\"version\":1,\"account\":\"A1\",\"counterparty\":\"A1\",\"reason\":\"x\","
         "\"added_at\":\"2026-11-20T09:00:00Z\"}",
         RSN_SAME_ACCOUNT, "counterparty"},
        {"{\"version\":1,\"account\":\"A1\",\"reason\":\"x\",\"added_at\":\"2026-11-20T09:00:00Z\","
         "\"expires_at\":\"2026-11-20T09:00:00Z\"}",
         RSN_TIME_RANGE, "expires_at"},
        {"{\"version\":1,\"account\":\"A1\",\"reason\":\"x\"}", RSN_MISSING_FIELD, "added_at"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (dec_allow(bad[i].json, strlen(bad[i].json), NULL, &a, &err) != bad[i].r ||
            strcmp(err.field, bad[i].field) != 0)
            fail_msg("allow %zu: %s %s, expected %s %s", i, rsn_code(err.reason), err.field,
                     rsn_code(bad[i].r), bad[i].field);
    }
    const char *vd = "{\"version\":1,\"request_id\":\"fr-1\",\"account\":\"A1\",\"verdict\":"
                     "\"confirmed\",\"decided_at\":\"2026-11-20T09:00:00Z\",\"note\":\"mule\"}";
    assert_int_equal(dec_verdict(vd, strlen(vd), NULL, &v, &err), RSN_OK);
    assert_int_equal(v.answer, DESK_ANSWER_CONFIRMED);
    assert_string_equal(v.note, "mule");
    const char *maybe = "{\"version\":1,\"request_id\":\"fr-1\",\"account\":\"A1\",\"verdict\":"
                        "\"maybe\",\"decided_at\":\"2026-11-20T09:00:00Z\"}";
    assert_int_equal(dec_verdict(maybe, strlen(maybe), NULL, &v, &err), RSN_ENUM);
    assert_string_equal(err.field, "verdict");
    const char *open = "{\"version\":1,\"request_id\":\"fr-1\",\"account\":\"A1\",\"verdict\":"
                       "\"\",\"decided_at\":\"2026-11-20T09:00:00Z\"}";
    assert_int_equal(dec_verdict(open, strlen(open), NULL, &v, &err), RSN_ENUM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transfer_values), cmocka_unit_test(test_transfer_layout_free),
        cmocka_unit_test(test_account_values),  cmocka_unit_test(test_watch_values),
        cmocka_unit_test(test_report_values),   cmocka_unit_test(test_record_zeroed),
        cmocka_unit_test(test_every_reason),    cmocka_unit_test(test_account_lengths),
        cmocka_unit_test(test_bic_lengths),     cmocka_unit_test(test_id_lengths),
        cmocka_unit_test(test_text_lengths),    cmocka_unit_test(test_amount_bounds),
        cmocka_unit_test(test_malformed),       cmocka_unit_test(test_size),
        cmocka_unit_test(test_time_range),      cmocka_unit_test(test_detail_bounded),
        cmocka_unit_test(test_error_format),    cmocka_unit_test(test_desk_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
