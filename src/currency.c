/* currency.c - ISO 4217 active currency table and its lookups. */
#include "currency.h"

#include <stdint.h>
#include <stdio.h>

typedef struct cur_entry {
    char code[4];        /* three uppercase letters and a NUL */
    unsigned char minor; /* decimal places of the minor unit */
} cur_entry;

/* ISO 4217 List One, published 2026-01-01, codes with a minor unit only
 * (see currency.h). Sorted by code: the lookup is a binary search, and a
 * unit test checks the order. Amendments: add or remove a line here. */
static const cur_entry cur_table[] = {
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2}, {"AWG", 2},
    {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BHD", 3}, {"BIF", 0}, {"BMD", 2}, {"BND", 2},
    {"BOB", 2}, {"BOV", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2}, {"BYN", 2}, {"BZD", 2},
    {"CAD", 2}, {"CDF", 2}, {"CHE", 2}, {"CHF", 2}, {"CHW", 2}, {"CLF", 4}, {"CLP", 0}, {"CNY", 2},
    {"COP", 2}, {"COU", 2}, {"CRC", 2}, {"CUP", 2}, {"CVE", 2}, {"CZK", 2}, {"DJF", 0}, {"DKK", 2},
    {"DOP", 2}, {"DZD", 2}, {"EGP", 2}, {"ERN", 2}, {"ETB", 2}, {"EUR", 2}, {"FJD", 2}, {"FKP", 2},
    {"GBP", 2}, {"GEL", 2}, {"GHS", 2}, {"GIP", 2}, {"GMD", 2}, {"GNF", 0}, {"GTQ", 2}, {"GYD", 2},
    {"HKD", 2}, {"HNL", 2}, {"HTG", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2}, {"IQD", 3},
    {"IRR", 2}, {"ISK", 0}, {"JMD", 2}, {"JOD", 3}, {"JPY", 0}, {"KES", 2}, {"KGS", 2}, {"KHR", 2},
    {"KMF", 0}, {"KPW", 2}, {"KRW", 0}, {"KWD", 3}, {"KYD", 2}, {"KZT", 2}, {"LAK", 2}, {"LBP", 2},
    {"LKR", 2}, {"LRD", 2}, {"LSL", 2}, {"LYD", 3}, {"MAD", 2}, {"MDL", 2}, {"MGA", 2}, {"MKD", 2},
    {"MMK", 2}, {"MNT", 2}, {"MOP", 2}, {"MRU", 2}, {"MUR", 2}, {"MVR", 2}, {"MWK", 2}, {"MXN", 2},
    {"MXV", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2}, {"NGN", 2}, {"NIO", 2}, {"NOK", 2}, {"NPR", 2},
    {"NZD", 2}, {"OMR", 3}, {"PAB", 2}, {"PEN", 2}, {"PGK", 2}, {"PHP", 2}, {"PKR", 2}, {"PLN", 2},
    {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2}, {"RUB", 2}, {"RWF", 0}, {"SAR", 2}, {"SBD", 2},
    {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2}, {"SHP", 2}, {"SLE", 2}, {"SOS", 2}, {"SRD", 2},
    {"SSP", 2}, {"STN", 2}, {"SVC", 2}, {"SYP", 2}, {"SZL", 2}, {"THB", 2}, {"TJS", 2}, {"TMT", 2},
    {"TND", 3}, {"TOP", 2}, {"TRY", 2}, {"TTD", 2}, {"TWD", 2}, {"TZS", 2}, {"UAH", 2}, {"UGX", 0},
    {"USD", 2}, {"USN", 2}, {"UYI", 0}, {"UYU", 2}, {"UYW", 4}, {"UZS", 2}, {"VED", 2}, {"VES", 2},
    {"VND", 0}, {"VUV", 0}, {"WST", 2}, {"XAD", 2}, {"XAF", 0}, {"XCD", 2}, {"XCG", 2}, {"XOF", 0},
    {"XPF", 0}, {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWG", 2},
};

#define CUR_COUNT (sizeof cur_table / sizeof cur_table[0])

/* The code as one integer, so that the search compares once per step; 0 if
 * the string is not exactly three uppercase letters. Reads at most 4 bytes
 * and stops at the first NUL. */
static uint32_t cur_key(const char *s)
{
    uint32_t key = 0;
    for (int i = 0; i < 3; i++) {
        if (s[i] < 'A' || s[i] > 'Z') {
            return 0;
        }
        key = key << 8 | (uint32_t)(unsigned char)s[i];
    }
    return s[3] == '\0' ? key : 0;
}

static const cur_entry *cur_find(const char *code)
{
    if (!code) {
        return NULL;
    }
    uint32_t key = cur_key(code);
    if (!key) {
        return NULL;
    }
    size_t lo = 0;
    size_t hi = CUR_COUNT;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t k = cur_key(cur_table[mid].code);
        if (k == key) {
            return &cur_table[mid];
        }
        if (k < key) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

int cur_valid(const char *code)
{
    return cur_find(code) != NULL;
}

int cur_minor_units(const char *code)
{
    const cur_entry *e = cur_find(code);
    return e ? e->minor : -1;
}

size_t cur_count(void)
{
    return CUR_COUNT;
}

const char *cur_code(size_t i)
{
    return i < CUR_COUNT ? cur_table[i].code : NULL;
}

int cur_parse_decimal(const char *s, size_t n, int exponent, int64_t cap, cur_decimal *out)
{
    int64_t v = 0;
    size_t i = 0, int_digits = 0, frac = 0;
    int point = 0;

    /* Past cap the value stops growing exactly, the form is read on. */
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, int_digits++) {
        v = v <= cap ? v * 10 + (s[i] - '0') : v;
    }
    if (i < n && s[i] == '.') {
        point = 1;
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, frac++) {
            v = v <= cap ? v * 10 + (s[i] - '0') : v;
        }
    }
    if (i < n || int_digits == 0 || (point && frac == 0)) {
        return -1;
    }
    for (size_t k = frac; k < (size_t)exponent && v <= cap; k++) {
        v *= 10;
    }
    out->minor = v;
    out->decimals = point ? (int)(frac < 100 ? frac : 100) : -1;
    return 0;
}

void cur_format_decimal(int64_t minor, int exponent, char *buf, size_t size)
{
    int64_t unit = 1;
    for (int i = 0; i < exponent; i++) {
        unit *= 10;
    }
    if (exponent == 0) {
        snprintf(buf, size, "%lld", (long long)minor);
    } else {
        snprintf(buf, size, "%lld.%0*lld", (long long)(minor / unit), exponent,
                 (long long)(minor % unit));
    }
}
