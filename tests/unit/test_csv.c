/* test_csv.c - the strict RFC 4180 record split: quoting, empty fields, and every refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "csv.h"

/* Split s (copied, with its spare byte) and return the field count, or -1. */
static int split(const char *s, csv_row *row, char *buf, size_t size, char *why, size_t why_size)
{
    size_t n = strlen(s);
    assert_true(n + 1 <= size);
    memcpy(buf, s, n + 1);
    return csv_split(buf, n, row, why, why_size) == 0 ? (int)row->n : -1;
}

static void assert_field(const csv_row *row, size_t i, const char *want)
{
    assert_true(i < row->n);
    assert_int_equal(row->len[i], strlen(want));
    assert_memory_equal(row->field[i], want, row->len[i]);
    assert_int_equal(row->field[i][row->len[i]], '\0');
}

static void test_plain_and_empty(void **state)
{
    (void)state;
    char buf[256], why[128];
    csv_row row;
    assert_int_equal(split("a,bc,,d", &row, buf, sizeof(buf), why, sizeof(why)), 4);
    assert_field(&row, 0, "a");
    assert_field(&row, 1, "bc");
    assert_field(&row, 2, "");
    assert_field(&row, 3, "d");
    assert_int_equal(split("", &row, buf, sizeof(buf), why, sizeof(why)), 1);
    assert_field(&row, 0, "");
    assert_int_equal(split("x,", &row, buf, sizeof(buf), why, sizeof(why)), 2);
    assert_field(&row, 1, "");
}

static void test_quoted(void **state)
{
    (void)state;
    char buf[256], why[128];
    csv_row row;
    assert_int_equal(split("\"a,b\",\"say \"\"hi\"\"\",\"\",\"two\r\nlines\"", &row, buf,
                           sizeof(buf), why, sizeof(why)),
                     4);
    assert_field(&row, 0, "a,b");
    assert_field(&row, 1, "say \"hi\"");
    assert_field(&row, 2, "");
    assert_field(&row, 3, "two\r\nlines");
}

static void assert_refused(const char *s, const char *reason)
{
    char buf[256], why[128];
    csv_row row;
    if (split(s, &row, buf, sizeof(buf), why, sizeof(why)) != -1)
        fail_msg("accepted: %s", s);
    if (!strstr(why, reason))
        fail_msg("%s: %s, expected %s", s, why, reason);
}

static void test_refusals(void **state)
{
    (void)state;
    assert_refused("a,b\"c", "CSV field 2 (byte 4): quote in a field that is not quoted");
    assert_refused("\"ab\"c,d", "CSV field 1 (byte 5): character after the closing quote");
    assert_refused("a,\"open", "CSV field 2 (byte 3): quoted field not terminated");
    assert_refused("a\rb", "line end in a field that is not quoted");
    assert_refused("a\nb", "line end in a field that is not quoted");
    char many[3 * CSV_MAX_FIELDS + 1] = {0};
    for (int i = 0; i < CSV_MAX_FIELDS; i++)
        strcat(many, "x,");
    assert_refused(many, "too many fields");
    /* A NUL inside a record, bare and quoted. */
    char buf[16], why[128];
    csv_row row;
    memcpy(buf, "a\0b", 4);
    assert_int_equal(csv_split(buf, 3, &row, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "NUL byte"));
    memcpy(buf, "\"a\0b\"", 6);
    assert_int_equal(csv_split(buf, 5, &row, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "NUL byte"));
}

static void test_record_open(void **state)
{
    (void)state;
    assert_int_equal(csv_record_open("a,\"b", 4), 1);
    assert_int_equal(csv_record_open("a,\"b\"\"", 6), 1);
    assert_int_equal(csv_record_open("a,\"b\"", 5), 0);
    assert_int_equal(csv_record_open("", 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_empty),
        cmocka_unit_test(test_quoted),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_record_open),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
