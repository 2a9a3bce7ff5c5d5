/* timefmt.c - strict RFC 3339 parsing and formatting, and the process clocks.
 *
 * Hand-written rather than strptime()/timegm(): those depend on the locale and
 * the TZ environment, accept sloppy input (missing digits, out-of-range
 * fields that they normalise), and timegm() is not standard C. The civil-date
 * arithmetic is Howard Hinnant's days_from_civil / civil_from_days, which is
 * exact for the proleptic Gregorian calendar and needs no tables.
 */
#include "timefmt.h"

#include <string.h>
#include <time.h>

#define TF_MS_PER_DAY 86400000LL
/* 9999-12-31T23:59:59.999Z, the last instant tf_format() can write. */
#define TF_MAX_MS   253402300799999LL
#define TF_FRAC_MAX 9 /* fraction digits accepted: down to nanoseconds */
/* "YYYY-MM-DDTHH:MM:SS" + "." + 9 digits + "+HH:MM" */
#define TF_PARSE_MAX (19 + 1 + TF_FRAC_MAX + 6)

/* Days since 1970-01-01 of a proleptic Gregorian date (m 1..12, d 1..31). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                                   /* [0, 399] */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

/* Inverse of days_from_civil. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Exactly n ASCII digits at s, as a number; -1 if any is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* The fraction after the '.', if any: advances *pos past it and returns the
 * milliseconds it holds (digits beyond the third truncated), or -1. */
static int parse_fraction(const char *s, size_t len, size_t *pos)
{
    size_t p = *pos;
    if (p >= len || s[p] != '.') {
        return 0;
    }
    p++;
    int ms = 0;
    int n = 0;
    while (p < len && s[p] >= '0' && s[p] <= '9') {
        if (n < 3) {
            ms = ms * 10 + (s[p] - '0');
        }
        n++;
        p++;
    }
    if (n == 0 || n > TF_FRAC_MAX) {
        return -1;
    }
    for (int i = n; i < 3; i++) {
        ms *= 10;
    }
    *pos = p;
    return ms;
}

/* The zone designator at s[pos..len): "Z", "z" or "+HH:MM" / "-HH:MM",
 * which must end the string. Sets *offset_min (east of UTC positive). */
static int parse_zone(const char *s, size_t len, size_t pos, int *offset_min)
{
    if (pos + 1 == len && (s[pos] == 'Z' || s[pos] == 'z')) {
        *offset_min = 0;
        return 0;
    }
    if (pos + 6 != len || (s[pos] != '+' && s[pos] != '-') || s[pos + 3] != ':') {
        return -1;
    }
    int hh = digits(s + pos + 1, 2);
    int mm = digits(s + pos + 4, 2);
    if (hh < 0 || hh > 23 || mm < 0 || mm > 59) {
        return -1;
    }
    *offset_min = (s[pos] == '-' ? -1 : 1) * (hh * 60 + mm);
    return 0;
}

int tf_parse(const char *s, size_t len, int64_t *ms)
{
    if (!s || len < 20 || len > TF_PARSE_MAX) {
        return -1;
    }
    if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
        s[16] != ':') {
        return -1;
    }
    int year = digits(s, 4);
    int month = digits(s + 5, 2);
    int day = digits(s + 8, 2);
    int hour = digits(s + 11, 2);
    int min = digits(s + 14, 2);
    int sec = digits(s + 17, 2);
    if (year < 1970 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) ||
        hour < 0 || hour > 23 || min < 0 || min > 59 || sec < 0 || sec > 59) {
        return -1;
    }
    size_t pos = 19;
    int frac = parse_fraction(s, len, &pos);
    int offset_min;
    if (frac < 0 || parse_zone(s, len, pos, &offset_min) < 0) {
        return -1;
    }
    int64_t t = days_from_civil(year, month, day) * TF_MS_PER_DAY +
                ((int64_t)hour * 3600 + min * 60 + sec) * 1000 + frac - (int64_t)offset_min * 60000;
    /* A local time late on 9999-12-31 or early on 1970-01-01 can fall outside
     * the range in UTC; tf_format() could not write it back. */
    if (t < 0 || t > TF_MAX_MS) {
        return -1;
    }
    *ms = t;
    return 0;
}

/* n digits of v, zero-padded, at p. */
static void put_digits(char *p, int64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

int tf_format(int64_t ms, char *buf, size_t size)
{
    if (!buf || size < TF_RFC3339_LEN + 1 || ms < 0 || ms > TF_MAX_MS) {
        return -1;
    }
    int64_t days = ms / TF_MS_PER_DAY;
    int64_t rem = ms % TF_MS_PER_DAY;
    int64_t year;
    int month, day;
    civil_from_days(days, &year, &month, &day);
    memcpy(buf, "0000-00-00T00:00:00.000Z", TF_RFC3339_LEN + 1);
    put_digits(buf, year, 4);
    put_digits(buf + 5, month, 2);
    put_digits(buf + 8, day, 2);
    put_digits(buf + 11, rem / 3600000, 2);
    put_digits(buf + 14, rem / 60000 % 60, 2);
    put_digits(buf + 17, rem / 1000 % 60, 2);
    put_digits(buf + 20, rem % 1000, 3);
    return TF_RFC3339_LEN;
}

int64_t tf_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t tf_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
