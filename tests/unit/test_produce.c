/* test_produce.c - the records of `interdict produce`: the JSON-lines and CSV reader with its
 * line numbers, the CSV header and row mapping, and the key each topic's record is sent with. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "produce.h"
#include "timefmt.h"

typedef struct got {
    int n;
    char text[8][256];
    int64_t line[8];
} got;

/* Every record of s read in format fmt. */
static void read_all(const char *s, prd_format fmt, got *g)
{
    char errstr[256], *text;
    size_t len;
    int64_t line;
    FILE *f = fmemopen((void *)s, strlen(s), "r");
    assert_non_null(f);
    prd_reader *r = prd_reader_new(f, fmt);
    assert_non_null(r);
    memset(g, 0, sizeof(*g));
    while (prd_reader_next(r, &text, &len, &line, errstr, sizeof(errstr)) == 1) {
        assert_true(g->n < 8);
        assert_int_equal(strlen(text), len);
        snprintf(g->text[g->n], sizeof(g->text[0]), "%s", text);
        g->line[g->n++] = line;
    }
    prd_reader_destroy(r);
    fclose(f);
}

static void test_json_lines(void **state)
{
    (void)state;
    got g;
    read_all("{\"a\":1}\r\n\n# a comment\n   \n{\"b\":2}\n{\"c\":3}", PRD_JSON, &g);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.text[0], "{\"a\":1}");
    assert_int_equal(g.line[0], 1);
    assert_string_equal(g.text[1], "{\"b\":2}");
    assert_int_equal(g.line[1], 5);
    assert_string_equal(g.text[2], "{\"c\":3}");
    assert_int_equal(g.line[2], 6);
}

static void test_csv_records(void **state)
{
    (void)state;
    got g;
    /* A quoted field over two lines is one record, numbered by its first
     * line; a blank line between records is skipped; CRLF ends a record. */
    read_all("h1,h2\r\n\r\na,\"two\nlines\"\r\n#b,c\n\"open", PRD_CSV, &g);
    assert_int_equal(g.n, 4);
    assert_string_equal(g.text[0], "h1,h2");
    assert_int_equal(g.line[0], 1);
    assert_string_equal(g.text[1], "a,\"two\nlines\"");
    assert_int_equal(g.line[1], 3);
    assert_string_equal(g.text[2], "#b,c");
    assert_int_equal(g.line[2], 5);
    assert_string_equal(g.text[3], "\"open");
    assert_int_equal(g.line[3], 6);
}

static void split(char *s, csv_row *row)
{
    char why[128];
    assert_int_equal(csv_split(s, strlen(s), row, why, sizeof(why)), 0);
}

static void test_csv_header(void **state)
{
    (void)state;
    char errstr[512];
    csv_row row;
    prd_columns cols;
    char ok[] = "account,bank,list,reason,added_at";
    split(ok, &row);
    assert_int_equal(prd_csv_header(PRD_WATCHLIST, &row, &cols, errstr, sizeof(errstr)), 0);
    assert_int_equal(cols.n, 5);
    char unknown[] = "account,bank,list,reason,added_at,colour";
    split(unknown, &row);
    assert_int_equal(prd_csv_header(PRD_WATCHLIST, &row, &cols, errstr, sizeof(errstr)), -1);
    assert_string_equal(errstr, "column 6 'colour': not a field of this topic (columns: version "
                                "account bank list reason added_at)");
    char twice[] = "account,bank,list,reason,added_at,bank";
    split(twice, &row);
    assert_int_equal(prd_csv_header(PRD_WATCHLIST, &row, &cols, errstr, sizeof(errstr)), -1);
    assert_non_null(strstr(errstr, "column 6 'bank': named twice"));
    char missing[] = "account,bank,list,added_at";
    split(missing, &row);
    assert_int_equal(prd_csv_header(PRD_WATCHLIST, &row, &cols, errstr, sizeof(errstr)), -1);
    assert_non_null(strstr(errstr, "no column 'reason', which every record needs"));
}

/* A header and a row of topic t as the JSON prd_csv_json makes of them. */
static size_t csv_json(prd_topic t, const char *header, const char *line, char *out, size_t size,
                       scr_result *res)
{
    char errstr[512], h[512], l[512];
    csv_row hrow, row;
    prd_columns cols;
    snprintf(h, sizeof(h), "%s", header);
    snprintf(l, sizeof(l), "%s", line);
    split(h, &hrow);
    assert_int_equal(prd_csv_header(t, &hrow, &cols, errstr, sizeof(errstr)), 0);
    split(l, &row);
    return prd_csv_json(&cols, &row, out, size, res);
}

static void test_csv_json(void **state)
{
    (void)state;
    char out[1024];
    scr_result res;
    assert_true(csv_json(PRD_ACCOUNTS,
                         "account,bank,opened_at,holder_type,kyc_level,holder_hash,phone_hash,"
                         "status,updated_at",
                         "A1,ICBKCNBJ,2020-01-01T00:00:00Z,person,2,ab,cd,dormant|frozen,"
                         "2026-01-01T00:00:00Z",
                         out, sizeof(out), &res) > 0);
    assert_string_equal(out,
                        "{\"version\":1,\"account\":\"A1\",\"bank\":\"ICBKCNBJ\",\"opened_at\":"
                        "\"2020-01-01T00:00:00Z\",\"holder_type\":\"person\",\"kyc_level\":2,"
                        "\"holder_hash\":\"ab\",\"phone_hash\":\"cd\",\"status\":[\"dormant\","
                        "\"frozen\"],\"updated_at\":\"2026-01-01T00:00:00Z\"}");
    /* An empty cell leaves the field out; a number column that is no
     * number stays a string for the decoder to refuse. */
    assert_true(csv_json(PRD_REPORTS,
                         "report_id,transfer_id,victim_account,amount,currency,reported_at,source",
                         "R1,T1,,12x,CNY,2026-01-01T00:00:00Z,police", out, sizeof(out), &res) > 0);
    assert_string_equal(out, "{\"version\":1,\"report_id\":\"R1\",\"transfer_id\":\"T1\","
                             "\"amount\":\"12x\",\"currency\":\"CNY\",\"reported_at\":"
                             "\"2026-01-01T00:00:00Z\",\"source\":\"police\"}");
    assert_int_equal(csv_json(PRD_WATCHLIST, "account,bank,list,reason,added_at", "A1,B,L,R", out,
                              sizeof(out), &res),
                     0);
    assert_int_equal(res.reason, RSN_MALFORMED);
    assert_string_equal(res.detail, "CSV: 4 fields, the header has 5");
    assert_int_equal(csv_json(PRD_WATCHLIST, "account,bank,list,reason,added_at",
                              "A1,B,L,\xff\xfe,2026-01-01T00:00:00Z", out, sizeof(out), &res),
                     0);
    assert_int_equal(res.reason, RSN_MALFORMED);
    assert_string_equal(res.detail, "reason: not valid UTF-8");
}

typedef struct fixture {
    cfg c;
    scr_ctx scr;
    scr_transfers tx;
} fixture;

static int setup(void **state)
{
    char errstr[256];
    fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    assert_int_equal(cfg_init(&f->c, errstr, sizeof(errstr)), 0);
    scr_init(&f->scr, &f->c, NULL, NULL, NULL, NULL);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    cfg_free(&f->c);
    free(f);
    return 0;
}

static int check(fixture *f, prd_topic t, const char *json, prd_record *rec, scr_result *res)
{
    return prd_check(&f->scr, t, json, strlen(json), tf_now_ms(), &f->tx, rec, res);
}

/* Each topic's record is keyed by the account the screener requires. */
static void test_keys(void **state)
{
    fixture *f = *state;
    char json[1024], now[TF_RFC3339_LEN + 1];
    prd_record rec;
    scr_result res;
    int64_t at = (tf_now_ms() / 1000 - 60) * 1000;
    assert_true(tf_format(at, now, sizeof(now)) > 0);
    snprintf(json, sizeof(json),
             "{\"version\":1,\"transfer_id\":\"T1\",\"from_account\":\"FROM1\",\"from_bank\":"
             "\"ICBKCNBJ\",\"to_account\":\"TO1\",\"to_bank\":\"ICBKCNBJ\",\"amount\":5,"
             "\"currency\":\"CNY\",\"event_time\":\"%s\"}",
             now);
    assert_int_equal(check(f, PRD_TRANSFERS, json, &rec, &res), 1);
    assert_string_equal(rec.key, "FROM1");
    assert_int_equal(rec.event_ms, at);
    assert_string_equal(rec.transfer.to_account, "TO1");
    assert_int_equal(check(f, PRD_REPORTS,
                           "{\"version\":1,\"report_id\":\"R1\",\"transfer_id\":\"T1\","
                           "\"victim_account\":\"VICTIM\",\"amount\":5,\"currency\":\"CNY\","
                           "\"reported_at\":\"2026-01-01T00:00:00Z\",\"source\":\"police\"}",
                           &rec, &res),
                     1);
    assert_string_equal(rec.key, "VICTIM");
    assert_int_equal(check(f, PRD_WATCHLIST,
                           "{\"version\":1,\"account\":\"MULE1\",\"bank\":\"ICBKCNBJ\","
                           "\"list\":\"confirmed_mule\",\"reason\":\"r\",\"added_at\":"
                           "\"2026-01-01T00:00:00Z\"}",
                           &rec, &res),
                     1);
    assert_string_equal(rec.key, "MULE1");
    assert_int_equal(rec.update.kind, SCR_WATCH);
    assert_int_equal(
        check(f, PRD_ACCOUNTS,
              "{\"version\":1,\"account\":\"ACC1\",\"bank\":\"ICBKCNBJ\",\"opened_at\":"
              "\"2020-01-01T00:00:00Z\",\"holder_type\":\"person\",\"kyc_level\":2,"
              "\"holder_hash\":\"ab\",\"phone_hash\":\"cd\",\"updated_at\":"
              "\"2026-01-01T00:00:00Z\"}",
              &rec, &res),
        1);
    assert_string_equal(rec.key, "ACC1");
    assert_int_equal(rec.update.kind, SCR_PROFILE);
}

/* A record is refused for what the screener refuses it for: a transfer out
 * of the input window, a message of another topic. */
static void test_refused_as_run_would(void **state)
{
    fixture *f = *state;
    prd_record rec;
    scr_result res;
    assert_int_equal(check(f, PRD_TRANSFERS,
                           "{\"version\":1,\"transfer_id\":\"T1\",\"from_account\":\"A\","
                           "\"from_bank\":\"ICBKCNBJ\",\"to_account\":\"B\",\"to_bank\":"
                           "\"ICBKCNBJ\",\"amount\":5,\"currency\":\"CNY\",\"event_time\":"
                           "\"2001-01-01T00:00:00Z\"}",
                           &rec, &res),
                     0);
    assert_string_equal(rsn_code(res.reason), "time_out_of_range");
    assert_int_equal(check(f, PRD_WATCHLIST, "{\"version\":1,\"transfer_id\":\"T1\"}", &rec, &res),
                     0);
    assert_string_equal(rsn_code(res.reason), "unknown_field");
    assert_int_equal(check(f, PRD_REPORTS, "{\"version\":1", &rec, &res), 0);
    assert_string_equal(rsn_code(res.reason), "malformed");
}

/* Pacing: --rate spaces records by count, --speedup by event time divided
 * by the factor; earlier event times are due at once (before start). */
static void test_pacing(void **state)
{
    (void)state;
    const int64_t start = 5000000000LL, first = 1700000000000LL;
    prd_opts o = {.rate = 1000};
    assert_int_equal(prd_due_ns(&o, start, 0, first, first), start);
    assert_int_equal(prd_due_ns(&o, start, 5, first, first + 999999), start + 5000000);
    assert_int_equal(prd_due_ns(&o, start, 2000, first, first), start + 2000000000LL);
    o = (prd_opts){.speedup = 60};
    assert_int_equal(prd_due_ns(&o, start, 7, first, first), start);
    assert_int_equal(prd_due_ns(&o, start, 7, first, first + 60000), start + 1000000000LL);
    assert_int_equal(prd_due_ns(&o, start, 1, first, first + 3600000), start + 60000000000LL);
    assert_true(prd_due_ns(&o, start, 2, first, first - 60000) < start);
    o = (prd_opts){.speedup = 0.5};
    assert_int_equal(prd_due_ns(&o, start, 1, first, first + 1000), start + 2000000000LL);
    o = (prd_opts){0};
    assert_int_equal(prd_due_ns(&o, start, 9, first, first + 60000), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_lines),
        cmocka_unit_test(test_csv_records),
        cmocka_unit_test(test_csv_header),
        cmocka_unit_test(test_csv_json),
        cmocka_unit_test(test_pacing),
        cmocka_unit_test_setup_teardown(test_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_as_run_would, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
