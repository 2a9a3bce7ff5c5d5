/* currency.h - the active ISO 4217 alphabetic currency codes and their minor units.
 *
 * Amounts travel as integers in minor units, so a screener must know which
 * codes are real money and how many decimals each has (JPY 0, EUR 2, KWD 3,
 * CLF 4). The table is ISO 4217 List One as published on 2026-01-01, less
 * the codes that have no minor unit (units of account such as XDR, precious
 * metals such as XAU, and the XTS/XXX test and no-currency codes): those are
 * not money that moves between bank accounts, so transfers in them are
 * rejected.
 *
 * @locality any thread; the table is constant.
 */
#ifndef IX_CURRENCY_H
#define IX_CURRENCY_H

#include <stddef.h>
#include <stdint.h>

/* 1 if code is exactly three uppercase letters naming an active currency,
 * else 0 (also for NULL). */
int cur_valid(const char *code);

/* Decimal places of the minor unit (0..4), or -1 if code is not valid. */
int cur_minor_units(const char *code);

/* Number of codes in the table, and the i-th code in ascending order (NULL
 * when i is out of range): for listings and tests. */
size_t cur_count(void);
const char *cur_code(size_t i);

/* A decimal amount as ISO 20022 and the configuration write money: digits,
 * optionally a point and more digits ("1234", "1234.5"); no sign, exponent,
 * separator or whitespace, and digits on both sides of a point. */
typedef struct cur_decimal {
    int64_t minor; /* the value in minor units of `exponent` decimals, exact up
                      to `cap`; above it, some value larger than cap */
    int decimals;  /* digits after the point, -1 without a point; minor is
                      meaningful only when decimals <= exponent */
} cur_decimal;

/* Read s[0..n) in that form for a currency of `exponent` decimals; cap is at
 * most (INT64_MAX - 9) / 10. Returns 0, or -1 when s is not of that form. */
int cur_parse_decimal(const char *s, size_t n, int exponent, int64_t cap, cur_decimal *out);

/* minor units as "1234.50" with `exponent` decimals ("1234" for 0): the form
 * cur_parse_decimal() reads back. minor >= 0. */
void cur_format_decimal(int64_t minor, int exponent, char *buf, size_t size);

#endif /* IX_CURRENCY_H */
