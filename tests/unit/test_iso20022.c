/* test_iso20022.c - pacs.008 decoding (iso20022.c): the examples of
 * schemas/examples/pacs008/ field by field and reason by reason, the
 * encoder's round trip, the limits, entities refused, and the message key
 * through scr_decode_transfer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "encode.h"
#include "iso20022.h"
#include "screen.h"
#include "timefmt.h"

#define EXAMPLES IX_SOURCE_DIR "/schemas/examples/pacs008"

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static char *example(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", EXAMPLES, name);
    return read_file(path, len);
}

static int64_t ms_of(const char *rfc3339)
{
    int64_t ms;
    assert_int_equal(tf_parse(rfc3339, strlen(rfc3339), &ms), 0);
    return ms;
}

static ix_transfer out[ISO_MAX_TX];

/* ---- the examples ------------------------------------------------------- */

static void check_transfer(const char *file, size_t i, const ix_transfer *t, json_t *want)
{
    const char *keys[] = {"transfer_id", "from_account", "from_bank",
                          "to_account",  "to_bank",      "currency"};
    const char *got[] = {t->id,         t->from_account, t->from_bank,
                         t->to_account, t->to_bank,      t->currency};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        const char *w = json_string_value(json_object_get(want, keys[k]));
        assert_non_null(w);
        if (strcmp(w, got[k]) != 0) {
            fail_msg("%s [%zu] %s: got %s, want %s", file, i, keys[k], got[k], w);
        }
    }
    assert_int_equal(t->amount, json_integer_value(json_object_get(want, "amount")));
    assert_int_equal(t->event_time_ms,
                     ms_of(json_string_value(json_object_get(want, "event_time"))));
    assert_int_equal(t->channel, IX_CHANNEL_UNKNOWN);
}

static void test_valid_examples(void **state)
{
    (void)state;
    json_error_t je;
    json_t *exp = json_load_file(EXAMPLES "/expected.json", 0, &je);
    assert_non_null(exp);
    const char *file;
    json_t *list;
    int files = 0;
    json_object_foreach(json_object_get(exp, "valid"), file, list)
    {
        size_t len, n;
        dec_error err;
        char *buf = example(file, &len);
        rsn_reason r = iso_decode_pacs008(buf, len, NULL, out, &n, &err);
        if (r != RSN_OK) {
            fail_msg("%s: %s: %s: %s", file, rsn_code(r), err.field, err.detail);
        }
        assert_int_equal(n, json_array_size(list));
        for (size_t i = 0; i < n; i++) {
            check_transfer(file, i, &out[i], json_array_get(list, i));
        }
        free(buf);
        files++;
    }
    assert_int_equal(files, 2);
    json_decref(exp);
}

static void test_invalid_examples(void **state)
{
    (void)state;
    json_error_t je;
    json_t *exp = json_load_file(EXAMPLES "/expected.json", 0, &je);
    assert_non_null(exp);
    const char *file;
    json_t *want;
    int seen[RSN_DECODE_COUNT] = {0};
    json_object_foreach(json_object_get(exp, "invalid"), file, want)
    {
        size_t len, n = 99;
        dec_error err;
        char *buf = example(file, &len);
        rsn_reason r = iso_decode_pacs008(buf, len, NULL, out, &n, &err);
        const char *reason = json_string_value(json_object_get(want, "reason"));
        const char *field = json_string_value(json_object_get(want, "field"));
        if (strcmp(rsn_code(r), reason) != 0 || strcmp(err.field, field) != 0) {
            fail_msg("%s: got %s at \"%s\" (%s), want %s at \"%s\"", file, rsn_code(r), err.field,
                     err.detail, reason, field);
        }
        assert_int_equal(n, 0);
        assert_int_equal(err.reason, r);
        assert_true(err.detail[0] != '\0');
        seen[r] = 1;
        free(buf);
    }
    /* Every reason the XML decoder can give on its own has an example. */
    rsn_reason all[] = {RSN_MALFORMED,     RSN_XML_DOCTYPE,     RSN_MESSAGE_TYPE, RSN_VERSION,
                        RSN_MISSING_FIELD, RSN_DUPLICATE_FIELD, RSN_FIELD_TYPE,   RSN_FIELD_LENGTH,
                        RSN_FIELD_FORMAT,  RSN_AMOUNT,          RSN_CURRENCY,     RSN_TIME,
                        RSN_SAME_ACCOUNT};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (!seen[all[i]]) {
            fail_msg("no example is refused as %s", rsn_code(all[i]));
        }
    }
    json_decref(exp);
}

/* Every file of the folder is in expected.json, and the other way round. */
static void test_examples_listed(void **state)
{
    (void)state;
    json_error_t je;
    json_t *exp = json_load_file(EXAMPLES "/expected.json", 0, &je);
    assert_non_null(exp);
    size_t listed = json_object_size(json_object_get(exp, "valid")) +
                    json_object_size(json_object_get(exp, "invalid"));
    DIR *d = opendir(EXAMPLES);
    assert_non_null(d);
    size_t files = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "expected.json") == 0) {
            continue;
        }
        int valid = strncmp(e->d_name, "pacs008.valid", 13) == 0;
        if (!json_object_get(json_object_get(exp, valid ? "valid" : "invalid"), e->d_name)) {
            fail_msg("%s is not in expected.json", e->d_name);
        }
        files++;
    }
    closedir(d);
    assert_int_equal(files, listed);
    json_decref(exp);
}

/* The reasons' details, as the dead letter shows them. */
static void test_details(void **state)
{
    (void)state;
    struct {
        const char *file, *detail;
    } cases[] = {
        {"pacs008.invalid-amount-decimals.xml", "3 decimals, the currency has 2"},
        {"pacs008.invalid-amount-negative.xml", "negative"},
        {"pacs008.invalid-amount-zero.xml", "0 minor units, allowed 1..1000000000000000"},
        {"pacs008.invalid-amount-overflow.xml",
         "more than 10^15 minor units, allowed 1..1000000000000000"},
        {"pacs008.invalid-amount-exponent.xml", "\"1.25E4\" is not a decimal amount"},
        {"pacs008.invalid-count-mismatch.xml", "says 2, the message holds 1 CdtTrfTxInf"},
        {"pacs008.invalid-unsupported-version.xml", "pacs.008.001.02 not supported (08 to 13 are)"},
        {"pacs008.invalid-billion-laughs.xml",
         "a DOCTYPE: DTDs and entity declarations are refused"},
        {"pacs008.invalid-currency-unknown.xml", "\"CNH\" is not an active ISO 4217 code"},
        {"pacs008.invalid-date.xml", "\"2026-11-31\" is not an ISO 8601 date (YYYY-MM-DD)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len, n;
        dec_error err;
        char *buf = example(cases[i].file, &len);
        iso_decode_pacs008(buf, len, NULL, out, &n, &err);
        if (strcmp(err.detail, cases[i].detail) != 0) {
            fail_msg("%s: detail \"%s\", want \"%s\"", cases[i].file, err.detail, cases[i].detail);
        }
        free(buf);
    }
}

/* ---- entities ----------------------------------------------------------- */

/* The entity would make a valid TxId: refused all the same, and nothing of
 * the external file reaches the record or the detail. */
static void test_entities_refused(void **state)
{
    (void)state;
    size_t len, n = 7;
    dec_error err;
    char *base = example("pacs008.valid-single-othr.xml", &len);
    char *body = strstr(base, "<Document");
    char doc[8192];
    char *at = strstr(body, "TX-20261123-000001");
    snprintf(doc, sizeof doc, "<!DOCTYPE Document [<!ENTITY id \"TX-1\">]>%.*s&id;%s",
             (int)(at - body), body, at + strlen("TX-20261123-000001"));
    memset(out, 0x5a, sizeof out[0]);
    assert_int_equal(iso_decode_pacs008(doc, strlen(doc), NULL, out, &n, &err), RSN_XML_DOCTYPE);
    assert_int_equal(n, 0);
    /* Without a DTD the reference is undefined: malformed, not expanded. */
    snprintf(doc, sizeof doc, "%.*s&id;%s", (int)(at - body), body,
             at + strlen("TX-20261123-000001"));
    assert_int_equal(iso_decode_pacs008(doc, strlen(doc), NULL, out, &n, &err), RSN_MALFORMED);
    assert_non_null(strstr(err.detail, "undefined entity"));
    free(base);

    char *xxe = example("pacs008.invalid-external-entity.xml", &len);
    assert_int_equal(iso_decode_pacs008(xxe, len, NULL, out, &n, &err), RSN_XML_DOCTYPE);
    assert_null(strstr(err.detail, "root:"));
    free(xxe);
}

/* ---- the wire form written by enc_pacs008 -------------------------------- */

static ix_transfer sample(int i)
{
    ix_transfer t;
    memset(&t, 0, sizeof t);
    snprintf(t.id, sizeof t.id, "T%012d", i);
    snprintf(t.from_account, sizeof t.from_account, "%s",
             i % 2 ? "6228480012345678" : "DE89370400440532013000");
    snprintf(t.from_bank, sizeof t.from_bank, "ABOCCNBJ");
    snprintf(t.to_account, sizeof t.to_account, "ACC-%08d", i + 1);
    snprintf(t.to_bank, sizeof t.to_bank, "ICBKCNBJ100");
    t.amount = 1 + i * 1234567;
    memcpy(t.currency, "CNY", 4);
    t.event_time_ms = ms_of("2026-11-23T02:31:01.123Z") + i * 1001;
    return t;
}

static void test_roundtrip(void **state)
{
    (void)state;
    ix_transfer in[3];
    char buf[3 * ENC_TRANSFER_MAX];
    size_t n;
    dec_error err;
    for (int i = 0; i < 3; i++) {
        in[i] = sample(i);
    }
    /* One transaction: what the generator writes. */
    int len = enc_transfer_as(IX_FORMAT_PACS008, &in[0], buf, ENC_TRANSFER_MAX);
    assert_true(len > 0);
    assert_non_null(strstr(buf, "<IntrBkSttlmAmt Ccy=\"CNY\">0.01</IntrBkSttlmAmt>"));
    assert_non_null(strstr(buf, "<IBAN>DE89370400440532013000</IBAN>"));
    assert_int_equal(iso_decode_pacs008(buf, (size_t)len, NULL, out, &n, &err), RSN_OK);
    assert_int_equal(n, 1);
    assert_memory_equal(&out[0], &in[0], sizeof in[0]);
    /* Three, and a currency of three decimals and one of none. */
    memcpy(in[1].currency, "KWD", 4);
    memcpy(in[2].currency, "JPY", 4);
    len = enc_pacs008(in, 3, buf, sizeof buf);
    assert_true(len > 0);
    assert_non_null(strstr(buf, "<Othr><Id>6228480012345678</Id></Othr>"));
    assert_non_null(strstr(buf, "Ccy=\"KWD\">1234.568<"));
    assert_non_null(strstr(buf, "Ccy=\"JPY\">2469135<"));
    assert_int_equal(iso_decode_pacs008(buf, (size_t)len, NULL, out, &n, &err), RSN_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(out, in, sizeof in);
    /* The channel has no place in pacs.008. */
    in[0].channel = IX_CHANNEL_MOBILE;
    len = enc_pacs008(in, 1, buf, sizeof buf);
    assert_int_equal(iso_decode_pacs008(buf, (size_t)len, NULL, out, &n, &err), RSN_OK);
    assert_int_equal(out[0].channel, IX_CHANNEL_UNKNOWN);
    /* Too small a buffer: -1, never a cut document. */
    assert_int_equal(enc_pacs008(in, 1, buf, 100), -1);
}

/* ---- limits ------------------------------------------------------------- */

static void test_limits(void **state)
{
    (void)state;
    static ix_transfer many[ISO_MAX_TX + 1];
    size_t n, cap = (ISO_MAX_TX + 1) * ENC_TRANSFER_MAX;
    char *buf = malloc(cap);
    dec_error err;
    dec_limits lim;
    assert_non_null(buf);
    assert_int_equal(iso_decode_pacs008("", 0, NULL, out, &n, &err), RSN_EMPTY);
    assert_int_equal(iso_decode_pacs008(NULL, 0, NULL, out, &n, &err), RSN_EMPTY);
    for (int i = 0; i <= ISO_MAX_TX; i++) {
        many[i] = sample(i);
    }
    dec_limits_default(&lim);
    lim.max_bytes = cap;
    int len = enc_pacs008(many, ISO_MAX_TX, buf, cap);
    assert_true(len > 0);
    assert_int_equal(iso_decode_pacs008(buf, (size_t)len, &lim, out, &n, &err), RSN_OK);
    assert_int_equal(n, ISO_MAX_TX);
    len = enc_pacs008(many, ISO_MAX_TX + 1, buf, cap);
    assert_int_equal(iso_decode_pacs008(buf, (size_t)len, &lim, out, &n, &err), RSN_TOO_LARGE);
    assert_string_equal(err.detail, "more than 256 CdtTrfTxInf in one message");
    /* The size limit comes first. */
    assert_int_equal(iso_decode_pacs008(buf, (size_t)len, NULL, out, &n, &err), RSN_TOO_LARGE);
    assert_non_null(strstr(err.detail, "limit 65536"));
    /* The input window, on the time the transfer took. */
    len = enc_pacs008(many, 2, buf, cap);
    lim.now_ms = many[1].event_time_ms - lim.max_future_ms - 1;
    assert_int_equal(iso_decode_pacs008(buf, (size_t)len, &lim, out, &n, &err), RSN_TIME_RANGE);
    assert_string_equal(err.field, "CdtTrfTxInf[2]/AccptncDtTm");
    lim.now_ms = many[0].event_time_ms + lim.max_past_ms + 1;
    assert_int_equal(iso_decode_pacs008(buf, (size_t)len, &lim, out, &n, &err), RSN_TIME_RANGE);
    assert_string_equal(err.field, "CdtTrfTxInf[1]/AccptncDtTm");
    lim.now_ms = many[0].event_time_ms + lim.max_past_ms;
    assert_int_equal(iso_decode_pacs008(buf, (size_t)len, &lim, out, &n, &err), RSN_OK);
    /* The window comes last, as in JSON: a later transaction's bad time
     * outranks an earlier one's window. */
    char *second = strstr(strstr(buf, "<AccptncDtTm>") + 1, "<AccptncDtTm>");
    assert_non_null(second);
    second[strlen("<AccptncDtTm>")] = 'x';
    lim.now_ms = many[0].event_time_ms + lim.max_past_ms + 1;
    assert_int_equal(iso_decode_pacs008(buf, (size_t)len, &lim, out, &n, &err), RSN_TIME);
    assert_string_equal(err.field, "CdtTrfTxInf[2]/AccptncDtTm");
    /* A field problem before a break in the XML: the break is reported. */
    char bad[] = "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08\">"
                 "<FIToFICstmrCdtTrf><GrpHdr><NbOfTxs>x</NbOfTxs></GrpHdr>"
                 "<CdtTrfTxInf><PmtId><TxId>a b</TxId></PmtId></CdtTrfTxInf><oops>";
    assert_int_equal(iso_decode_pacs008(bad, strlen(bad), NULL, out, &n, &err), RSN_MALFORMED);
    /* Not XML at all, and XML of another kind. */
    assert_int_equal(iso_decode_pacs008("{\"version\":1}", 13, NULL, out, &n, &err), RSN_MALFORMED);
    assert_int_equal(iso_decode_pacs008("<Document/>", 11, NULL, out, &n, &err), RSN_MESSAGE_TYPE);
    char empty[] = "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pacs.008.001.13\"/>";
    assert_int_equal(iso_decode_pacs008(empty, strlen(empty), NULL, out, &n, &err),
                     RSN_MESSAGE_TYPE);
    free(buf);
}

/* ---- through screening: the format and the message key ------------------- */

static void test_screen_decoding(void **state)
{
    (void)state;
    static scr_transfers got;
    scr_ctx s;
    scr_result res;
    ix_transfer in[2] = {sample(1), sample(3)};
    char buf[2 * ENC_TRANSFER_MAX];
    memset(&s, 0, sizeof s);
    dec_limits_default(&s.lim);
    s.currency = "CNY";
    s.format = IX_FORMAT_PACS008;
    int len = enc_pacs008(in, 2, buf, sizeof buf);
    /* Both from 6228480012345678: keyed by it, both decoded, in order. */
    assert_int_equal(
        scr_decode_transfer(&s, "6228480012345678", 16, buf, (size_t)len, 0, &got, &res), 1);
    assert_int_equal(got.n, 2);
    assert_memory_equal(got.t, in, sizeof in);
    assert_int_equal(
        scr_decode_transfer(&s, "6228480012345679", 16, buf, (size_t)len, 0, &got, &res), 0);
    assert_int_equal(res.reason, RSN_BAD_KEY);
    /* Every transaction must be the key's account's. */
    in[1] = sample(2);
    len = enc_pacs008(in, 2, buf, sizeof buf);
    assert_int_equal(
        scr_decode_transfer(&s, "6228480012345678", 16, buf, (size_t)len, 0, &got, &res), 0);
    assert_int_equal(res.reason, RSN_BAD_KEY);
    assert_string_equal(res.detail, "message key is not the from_account of CdtTrfTxInf[2] "
                                    "(every transaction of a message must be from the key's "
                                    "account)");
    /* A refusal names the field path in the detail. */
    assert_int_equal(scr_decode_transfer(&s, "A", 1, "<x/>", 4, 0, &got, &res), 0);
    assert_int_equal(res.reason, RSN_MESSAGE_TYPE);
    assert_string_equal(res.detail, "root element is \"x\"");
    /* The JSON format reads JSON only. */
    s.format = IX_FORMAT_JSON;
    assert_int_equal(
        scr_decode_transfer(&s, "6228480012345678", 16, buf, (size_t)len, 0, &got, &res), 0);
    assert_int_equal(res.reason, RSN_MALFORMED);
    len = enc_transfer_as(IX_FORMAT_JSON, &in[0], buf, sizeof buf);
    assert_int_equal(
        scr_decode_transfer(&s, "6228480012345678", 16, buf, (size_t)len, 0, &got, &res), 1);
    assert_int_equal(got.n, 1);
    /* A transaction refused in screening names itself when it has company. */
    in[1] = sample(3);
    memcpy(in[1].currency, "EUR", 4);
    assert_int_equal(scr_admit_transfer(&s, &in[1], &res), 0);
    scr_name_transaction(&res, 1, 2);
    assert_string_equal(res.detail, "CdtTrfTxInf[2]: currency: EUR, this instance screens CNY");
    assert_int_equal(scr_admit_transfer(&s, &in[1], &res), 0);
    scr_name_transaction(&res, 0, 1);
    assert_string_equal(res.detail, "currency: EUR, this instance screens CNY");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_examples),   cmocka_unit_test(test_invalid_examples),
        cmocka_unit_test(test_examples_listed),  cmocka_unit_test(test_details),
        cmocka_unit_test(test_entities_refused), cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_limits),           cmocka_unit_test(test_screen_decoding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
