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

/* 1 if code is exactly three uppercase letters naming an active currency,
 * else 0 (also for NULL). */
int cur_valid(const char *code);

/* Decimal places of the minor unit (0..4), or -1 if code is not valid. */
int cur_minor_units(const char *code);

/* Number of codes in the table, and the i-th code in ascending order (NULL
 * when i is out of range): for listings and tests. */
size_t cur_count(void);
const char *cur_code(size_t i);

#endif /* IX_CURRENCY_H */
