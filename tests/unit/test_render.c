/* test_render.c - freeze requests for people: exact text, amounts, checks, hostile strings. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "render.h"
#include "timefmt.h"

/* ---- helpers ------------------------------------------------------------ */

static int64_t at(const char *rfc3339)
{
    int64_t ms = 0;
    assert_int_equal(tf_parse(rfc3339, strlen(rfc3339), &ms), 0);
    return ms;
}

/* render_request() into a string (caller frees); *rc gets its result. */
static char *render(const char *json, size_t len, int *rc, char *errstr, size_t errstr_size)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    assert_non_null(f);
    *rc = render_request(json, len, f, errstr, errstr_size);
    fclose(f);
    return text;
}

static void assert_renders(const char *json, const char *expect)
{
    char errstr[256] = "";
    int rc;
    char *text = render(json, strlen(json), &rc, errstr, sizeof(errstr));
    if (rc != 0)
        fail_msg("render_request: %s", errstr);
    if (strcmp(text, expect) != 0)
        fail_msg("rendered:\n%s\nexpected:\n%s", text, expect);
    free(text);
}

/* Fails unless json is rejected with exactly `why` and nothing is written. */
static void assert_rejects(const char *json, size_t len, const char *why)
{
    char errstr[256] = "";
    int rc;
    char *text = render(json, len, &rc, errstr, sizeof(errstr));
    assert_int_equal(rc, -1);
    assert_string_equal(errstr, why);
    assert_string_equal(text, "");
    free(text);
    errstr[0] = '\0';
    assert_int_equal(render_check(json, len, errstr, sizeof(errstr)), -1);
    assert_string_equal(errstr, why);
}

static void add_evidence(ix_finding *f, const char *id, const char *from, const char *to,
                         int64_t amount, const char *time)
{
    ix_evidence *e = &f->evidence[f->nevidence++];
    snprintf(e->transfer_id, sizeof(e->transfer_id), "%s", id);
    snprintf(e->from_account, sizeof(e->from_account), "%s", from);
    snprintf(e->to_account, sizeof(e->to_account), "%s", to);
    e->amount = amount;
    e->time_ms = at(time);
}

static void add_figure(ix_finding *f, const char *name, int64_t value, int64_t threshold)
{
    f->figures[f->nfigures++] = (ix_figure){.name = name, .value = value, .threshold = threshold};
}

static void add_path(ix_finding *f, const char *account)
{
    snprintf(f->path[f->npath++], sizeof(f->path[0]), "%s", account);
}

/* The request of schemas/examples/freeze-request.valid.json: a pass-through
 * with its path, two figures and two transfers, plus a new-account burst. */
static void sample(ix_request *r)
{
    memset(r, 0, sizeof(*r));
    strcpy(r->id, "fr-3f9a1c0e5b7d2a46");
    strcpy(r->rule_set, "2026.11.1");
    strcpy(r->account, "6222021234567890123");
    strcpy(r->bank, "ICBKCNBJ");
    r->action = IX_ACTION_FREEZE;
    r->score = 85;
    strcpy(r->trigger_id, "tx-20261123-000044");
    r->trigger_amount = 1240000;
    strcpy(r->currency, "CNY");
    r->trigger_time_ms = at("2026-11-23T02:34:12.000Z");
    r->detected_at_ms = at("2026-11-23T02:34:12.087Z");
    r->nfindings = 2;

    ix_finding *pt = &r->findings[0];
    *pt = (ix_finding){.rule = "pass_through", .code = "PT01", .score = 60, .amount = 1240000};
    add_path(pt, "DE89370400440532013000");
    add_path(pt, "6222021234567890123");
    add_path(pt, "6217000010001234567");
    add_evidence(pt, "tx-20261123-000042", "DE89370400440532013000", "6222021234567890123", 1250000,
                 "2026-11-23T02:31:01.123Z");
    add_evidence(pt, "tx-20261123-000044", "6222021234567890123", "6217000010001234567", 1240000,
                 "2026-11-23T02:34:12.000Z");
    add_figure(pt, "out_in_ratio_pct", 99, 80);
    add_figure(pt, "dwell_seconds", 191, 900);

    ix_finding *na = &r->findings[1];
    *na = (ix_finding){.rule = "new_account_burst", .code = "NA01", .score = 25, .amount = 1250000};
    add_path(na, "6222021234567890123");
    add_figure(na, "account_age_days", 3, 30);
}

static const char sample_text[] =
    "FREEZE account 6222021234567890123 at ICBKCNBJ  score 85  [fr-3f9a1c0e5b7d2a46]\n"
    "    trigger tx-20261123-000044  12,400.00 CNY  event 2026-11-23T02:34:12.000Z  detected "
    "2026-11-23T02:34:12.087Z\n"
    "    PT01  pass_through               score  60  at risk 12,400.00 CNY\n"
    "          path DE89370400440532013000 -> 6222021234567890123 -> 6217000010001234567\n"
    "          out_in_ratio_pct = 99 (threshold 80)\n"
    "          dwell_seconds = 191 (threshold 900)\n"
    "          tx-20261123-000042  DE89370400440532013000 -> 6222021234567890123  12,500.00 CNY  "
    "2026-11-23T02:31:01.123Z\n"
    "          tx-20261123-000044  6222021234567890123 -> 6217000010001234567  12,400.00 CNY  "
    "2026-11-23T02:34:12.000Z\n"
    "    NA01  new_account_burst          score  25  at risk 12,500.00 CNY\n"
    "          path 6222021234567890123\n"
    "          account_age_days = 3 (threshold 30)\n";

/* A valid request's JSON with one key's value replaced (for the checks). */
static char *with(const char *key_and_old, const char *key_and_new)
{
    ix_request r;
    static char enc[ENC_REQUEST_MAX];
    sample(&r);
    assert_true(enc_request(&r, enc, sizeof(enc)) > 0);
    char *p = strstr(enc, key_and_old);
    assert_non_null(p);
    size_t n = strlen(enc) + strlen(key_and_new) + 1;
    char *out = malloc(n);
    assert_non_null(out);
    snprintf(out, n, "%.*s%s%s", (int)(p - enc), enc, key_and_new, p + strlen(key_and_old));
    return out;
}

/* ---- tests -------------------------------------------------------------- */

static void test_amounts(void **state)
{
    (void)state;
    static const struct {
        int64_t minor;
        const char *currency, *text;
    } cases[] = {
        {1240000, "CNY", "12,400.00 CNY"},
        {0, "CNY", "0.00 CNY"},
        {5, "EUR", "0.05 EUR"},
        {99999, "EUR", "999.99 EUR"},
        {100000, "EUR", "1,000.00 EUR"},
        {123456789, "JPY", "123,456,789 JPY"},
        {1234567, "KWD", "1,234.567 KWD"},
        {12345, "CLF", "1.2345 CLF"},
        {-100050, "USD", "-1,000.50 USD"},
        {1000000000000000LL, "CNY", "10,000,000,000,000.00 CNY"},
        {150, "ZZZ", "1.50 ZZZ"}, /* unknown code: two decimals */
    };
    char buf[64];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        render_amount(cases[i].minor, cases[i].currency, buf, sizeof(buf));
        assert_string_equal(buf, cases[i].text);
    }
    /* Cut, never overrun. */
    char small[8];
    render_amount(1240000, "CNY", small, sizeof(small));
    assert_string_equal(small, "12,400.");
}

static void test_two_findings(void **state)
{
    (void)state;
    ix_request r;
    char enc[ENC_REQUEST_MAX];
    sample(&r);
    assert_true(enc_request(&r, enc, sizeof(enc)) > 0);
    assert_renders(enc, sample_text);
    char errstr[64];
    assert_int_equal(render_check(enc, strlen(enc), errstr, sizeof(errstr)), 0);
}

static void test_schema_example(void **state)
{
    (void)state;
    char path[512], buf[8192];
    snprintf(path, sizeof(path), "%s/schemas/examples/freeze-request.valid.json", IX_SOURCE_DIR);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* Pretty-printed, with another key order than the encoder's: same text. */
    assert_renders(buf, sample_text);
}

static void test_bare_finding(void **state)
{
    (void)state;
    ix_request r;
    char enc[ENC_REQUEST_MAX];
    sample(&r);
    r.action = IX_ACTION_REVIEW;
    r.score = 20;
    strcpy(r.currency, "JPY");
    r.trigger_amount = 98000;
    r.nfindings = 1;
    r.findings[0] =
        (ix_finding){.rule = "watchlist_counterparty", .code = "WL01", .score = 20, .amount = 0};
    assert_true(enc_request(&r, enc, sizeof(enc)) > 0);
    assert_renders(
        enc, "REVIEW account 6222021234567890123 at ICBKCNBJ  score 20  [fr-3f9a1c0e5b7d2a46]\n"
             "    trigger tx-20261123-000044  98,000 JPY  event 2026-11-23T02:34:12.000Z  "
             "detected 2026-11-23T02:34:12.087Z\n"
             "    WL01  watchlist_counterparty     score  20  at risk 0 JPY\n");
}

static void test_rejects(void **state)
{
    (void)state;
    assert_rejects("", 0, "empty message");
    assert_rejects(NULL, 0, "empty message");
    assert_rejects("not json", 8, "not JSON: '[' or '{' expected near 'not' at byte 3");
    assert_rejects("[1]", 3, "expected a JSON object, got an array");
    assert_rejects("{\"version\":1}", 13, "request_id: missing");

    char *j = with("\"findings\":[", "\"findings\":{},\"x\":[");
    assert_rejects(j, strlen(j), "findings: expected an array, got an object");
    free(j);
    j = with("\"version\":1", "\"version\":2");
    assert_rejects(j, strlen(j), "version: 2 is not supported (only 1 is)");
    free(j);
    j = with("\"action\":\"FREEZE\"", "\"action\":\"STOP\"");
    assert_rejects(j, strlen(j), "action: \"STOP\" is not FREEZE, HOLD or REVIEW");
    free(j);
    j = with("\"amount\":1240000,\"currency\"", "\"amount\":\"1240000\",\"currency\"");
    assert_rejects(j, strlen(j), "trigger.amount: expected an integer, got a string");
    free(j);
    j = with("\"time\":\"2026-11-23T02:34:12.000Z\"", "\"time\":null");
    assert_rejects(j, strlen(j), "findings[0].evidence[1].time: expected a string, got null");
    free(j);
    j = with("\"figures\":[{\"name\":\"account_age_days\"", "\"figures\":[7,{\"name\":\"x\"");
    assert_rejects(j, strlen(j), "findings[1].figures[0]: expected an object, got an integer");
    free(j);
    j = with("\"path\":[\"6222021234567890123\"]", "\"path\":[true]");
    assert_rejects(j, strlen(j), "findings[1].path[0]: expected a string, got true");
    free(j);
    j = with("\"code\":\"NA01\",", "");
    assert_rejects(j, strlen(j), "findings[1].code: missing");
    free(j);
}

static void test_control_characters(void **state)
{
    (void)state;
    /* A hostile producer's strings: an ESC sequence, a newline, a C1 CSI
     * (U+009B) and DEL become '?'; other UTF-8 is kept. */
    char *j = with("\"account\":\"6222021234567890123\"",
                   "\"account\":\"AB\\u001b[2J\\nC\\u009bD\\u007fé\"");
    char errstr[256];
    int rc;
    char *text = render(j, strlen(j), &rc, errstr, sizeof(errstr));
    assert_int_equal(rc, 0);
    assert_non_null(strstr(text, "FREEZE account AB?[2J?C?D?é at ICBKCNBJ  score 85"));
    for (const char *p = text; *p; p++)
        assert_true(*p == '\n' || (unsigned char)*p >= 0x20);
    free(text);
    free(j);

    /* jansson quotes the offending input in its message: cleaned too. */
    assert_int_equal(render_check("\x1b[31m", 5, errstr, sizeof(errstr)), -1);
    for (const char *p = errstr; *p; p++)
        assert_true((unsigned char)*p >= 0x20);
}

static void test_long_values_cut(void **state)
{
    (void)state;
    char big[400];
    memset(big, 'A', 300);
    big[300] = '\0';
    char repl[420];
    snprintf(repl, sizeof(repl), "\"bank\":\"%s\"", big);
    char *j = with("\"bank\":\"ICBKCNBJ\"", repl);
    char errstr[256];
    int rc;
    char *text = render(j, strlen(j), &rc, errstr, sizeof(errstr));
    assert_int_equal(rc, 0);
    /* Shown cut to 159 bytes, the rest of the line intact. */
    char expect[200];
    snprintf(expect, sizeof(expect), " at %.159s  score 85", big);
    assert_non_null(strstr(text, expect));
    free(text);
    free(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_amounts),         cmocka_unit_test(test_two_findings),
        cmocka_unit_test(test_schema_example),  cmocka_unit_test(test_bare_finding),
        cmocka_unit_test(test_rejects),         cmocka_unit_test(test_control_characters),
        cmocka_unit_test(test_long_values_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
