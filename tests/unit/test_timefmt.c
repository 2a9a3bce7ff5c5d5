/* test_timefmt.c - RFC 3339 parsing and formatting: known instants, calendar edges, rejections. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "timefmt.h"

#define MAX_MS 253402300799999LL /* 9999-12-31T23:59:59.999Z */

static int64_t parse_ok(const char *s)
{
    int64_t ms = -12345;
    int rc = tf_parse(s, strlen(s), &ms);
    if (rc != 0) {
        fail_msg("tf_parse rejected \"%s\"", s);
    }
    return ms;
}

static void assert_rejected(const char *s)
{
    int64_t ms = -12345;
    if (tf_parse(s, strlen(s), &ms) != -1) {
        fail_msg("tf_parse accepted \"%s\" as %lld", s, (long long)ms);
    }
    assert_int_equal(ms, -12345); /* untouched on failure */
}

static void test_known_instants(void **state)
{
    assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(parse_ok("1970-01-01T00:00:00.001Z"), 1);
    assert_int_equal(parse_ok("2000-01-01T00:00:00Z"), 946684800000LL);
    assert_int_equal(parse_ok("2026-11-23T10:31:01.123Z"), 1795429861123LL);
    assert_int_equal(parse_ok("2038-01-19T03:14:08Z"), 2147483648000LL); /* past 32-bit time_t */
    assert_int_equal(parse_ok("9999-12-31T23:59:59.999Z"), MAX_MS);
}

static void test_leap_years(void **state)
{
    assert_int_equal(parse_ok("2024-02-29T12:00:00Z"), 1709208000000LL);
    assert_int_equal(parse_ok("2000-02-29T00:00:00Z"), 951782400000LL); /* divisible by 400 */
    assert_int_equal(parse_ok("2024-12-31T00:00:00Z") - parse_ok("2024-01-01T00:00:00Z"),
                     365LL * 86400000);
    assert_int_equal(parse_ok("2023-12-31T00:00:00Z") - parse_ok("2023-01-01T00:00:00Z"),
                     364LL * 86400000);
    assert_rejected("2026-02-29T00:00:00Z"); /* not a leap year */
    assert_rejected("2100-02-29T00:00:00Z"); /* divisible by 100, not by 400 */
    assert_rejected("2024-02-30T00:00:00Z");
}

static void test_offsets(void **state)
{
    int64_t utc = parse_ok("2026-11-23T10:31:01.123Z");
    assert_int_equal(parse_ok("2026-11-23T18:31:01.123+08:00"), utc);
    assert_int_equal(parse_ok("2026-11-23T05:01:01.123-05:30"), utc);
    assert_int_equal(parse_ok("2026-11-23T10:31:01.123+00:00"), utc);
    assert_int_equal(parse_ok("2026-11-23T10:31:01.123-00:00"), utc);
    assert_int_equal(parse_ok("2026-11-24T10:30:01.123+23:59"), utc); /* crosses a day */
    assert_int_equal(parse_ok("2026-11-23t10:31:01.123z"), utc);      /* lower case */
    assert_int_equal(parse_ok("1970-01-01T00:30:00+00:30"), 0);
    /* A local time whose UTC instant falls outside 1970..9999. */
    assert_rejected("1970-01-01T00:00:00+00:01");
    assert_rejected("9999-12-31T23:59:59.999-00:01");
}

static void test_fractions(void **state)
{
    int64_t base = parse_ok("2026-11-23T10:31:01Z");
    assert_int_equal(parse_ok("2026-11-23T10:31:01.1Z"), base + 100);
    assert_int_equal(parse_ok("2026-11-23T10:31:01.12Z"), base + 120);
    assert_int_equal(parse_ok("2026-11-23T10:31:01.000Z"), base);
    assert_int_equal(parse_ok("2026-11-23T10:31:01.9999Z"), base + 999); /* truncated */
    assert_int_equal(parse_ok("2026-11-23T10:31:01.123456789Z"), base + 123);
    assert_rejected("2026-11-23T10:31:01.1234567891Z"); /* ten digits */
    assert_rejected("2026-11-23T10:31:01.Z");
    assert_rejected("2026-11-23T10:31:01,123Z");
}

static void test_rejections(void **state)
{
    static const char *const bad[] = {
        "",
        "2026-11-23",
        "2026-11-23T10:31:01",   /* no zone */
        "2026-11-23 10:31:01Z",  /* space separator */
        "2026-11-23T10:31Z",     /* no seconds */
        "2026-1-23T10:31:01Z",   /* short month */
        "26-11-23T10:31:01Z",    /* short year */
        "+2026-11-23T10:31:01Z", /* signed year */
        "02026-11-23T10:31:01Z", /* five-digit year */
        "1969-12-31T23:59:59Z",  /* before the epoch */
        "0000-01-01T00:00:00Z",
        "2026-00-23T10:31:01Z",
        "2026-13-23T10:31:01Z",
        "2026-11-00T10:31:01Z",
        "2026-11-31T10:31:01Z", /* November has 30 days */
        "2026-04-31T10:31:01Z",
        "2026-11-23T24:00:00Z",
        "2026-11-23T10:60:01Z",
        "2026-11-23T23:59:60Z", /* leap seconds are not accepted */
        "2026-11-23T10:31:01+24:00",
        "2026-11-23T10:31:01+08:60",
        "2026-11-23T10:31:01+0800",
        "2026-11-23T10:31:01+08",
        "2026-11-23T10:31:01 +08:00",
        "2026-11-23T10:31:01ZZ",
        "2026-11-23T10:31:01Z ",
        " 2026-11-23T10:31:01Z",
        "2026-11-23T1a:31:01Z",
        "2026-11-23T10:31:-1Z",
        "2026/11/23T10:31:01Z",
        "2026-11-23T10:31:01UTC",
        "2026-11-23T10:31:01\xef\xbc\xba", /* fullwidth Z */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_rejected(bad[i]);
    }
    int64_t ms;
    assert_int_equal(tf_parse(NULL, 20, &ms), -1);
}

/* The input need not be NUL-terminated: only len bytes are read. */
static void test_length_bounded(void **state)
{
    const char *s = "2026-11-23T10:31:01Zgarbage";
    int64_t ms;
    assert_int_equal(tf_parse(s, 20, &ms), 0);
    assert_int_equal(ms, 1795429861000LL);
    assert_int_equal(tf_parse(s, 21, &ms), -1);
    assert_int_equal(tf_parse(s, 19, &ms), -1);
}

static void test_format(void **state)
{
    char buf[TF_RFC3339_LEN + 1];
    assert_int_equal(tf_format(0, buf, sizeof buf), TF_RFC3339_LEN);
    assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
    assert_int_equal(tf_format(1795429861123LL, buf, sizeof buf), TF_RFC3339_LEN);
    assert_string_equal(buf, "2026-11-23T10:31:01.123Z");
    assert_int_equal(tf_format(951782400000LL, buf, sizeof buf), TF_RFC3339_LEN);
    assert_string_equal(buf, "2000-02-29T00:00:00.000Z");
    assert_int_equal(tf_format(MAX_MS, buf, sizeof buf), TF_RFC3339_LEN);
    assert_string_equal(buf, "9999-12-31T23:59:59.999Z");
    assert_int_equal(tf_format(-1, buf, sizeof buf), -1);
    assert_int_equal(tf_format(MAX_MS + 1, buf, sizeof buf), -1);
    assert_int_equal(tf_format(INT64_MIN, buf, sizeof buf), -1);
    assert_int_equal(tf_format(0, buf, sizeof buf - 1), -1); /* no room for the NUL */
    assert_int_equal(tf_format(0, NULL, 64), -1);
}

/* Every day from 1970 to 9999 at a varying time of day: format agrees with
 * the C library's gmtime_r and parses back to the same instant. */
static void test_round_trip_every_day(void **state)
{
    char buf[TF_RFC3339_LEN + 1];
    char want[TF_RFC3339_LEN + 1];
    const int64_t days = MAX_MS / 86400000 + 1;
    for (int64_t d = 0; d < days; d++) {
        int64_t ms = d * 86400000 + (d * 7919 * 1001) % 86400000;
        assert_int_equal(tf_format(ms, buf, sizeof buf), TF_RFC3339_LEN);
        time_t secs = (time_t)(ms / 1000);
        struct tm tm;
        gmtime_r(&secs, &tm);
        size_t n = strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%S", &tm);
        assert_int_equal(n, 19);
        if (memcmp(buf, want, 19) != 0) {
            fail_msg("day %lld: tf_format %s, gmtime %s", (long long)d, buf, want);
        }
        int64_t back;
        assert_int_equal(tf_parse(buf, TF_RFC3339_LEN, &back), 0);
        assert_int_equal(back, ms);
    }
}

static void test_clocks(void **state)
{
    assert_true(tf_now_ms() > 1704067200000LL); /* after 2024-01-01 */
    int64_t a = tf_mono_ns();
    int64_t b = tf_mono_ns();
    assert_true(a > 0);
    assert_true(b >= a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_instants), cmocka_unit_test(test_leap_years),
        cmocka_unit_test(test_offsets),        cmocka_unit_test(test_fractions),
        cmocka_unit_test(test_rejections),     cmocka_unit_test(test_length_bounded),
        cmocka_unit_test(test_format),         cmocka_unit_test(test_round_trip_every_day),
        cmocka_unit_test(test_clocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
