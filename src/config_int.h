/* config_int.h - what the configuration engine (config.c), its key table (config_keys.c) and
 * its printers (config_print.c) share; no other module includes it. */
#ifndef IX_CONFIG_INT_H
#define IX_CONFIG_INT_H

#include <stdbool.h>

#include "config.h"

#define CFG_RDKAFKA_PREFIX "rdkafka."

/* The row of cfg_core_table where every rule's keys stand: not a key itself. */
#define CFG_RULE_KEYS_NAME "rules.*"
#define CFG_RULE_KEYS_ROW                                                                          \
    {                                                                                              \
        .name = CFG_RULE_KEYS_NAME, .section = "Rules"                                             \
    }

/* The core keys, in the order they are shown; {.name = NULL} ends it (config_keys.c). */
extern const cfg_entry cfg_core_table[];

/* How many rules have keys (rules_all), and the size of rule i's block of its own keys. */
size_t cfg_rule_count(void);
size_t cfg_rule_size(size_t i);

/* Where k's value lives in c, or NULL when c has no block for k's rule (not initialised). */
void *cfg_key_field(cfg *c, const cfg_key *k);
const void *cfg_key_cfield(const cfg *c, const cfg_key *k);

/* ---- values (config.c) */

bool cfg_is_numeric(const cfg_entry *e);

/* Whether an enum key holds an index into its names; code may have stored anything. */
bool cfg_enum_ok(const cfg *c, const cfg_key *k);

/* A numeric value of e's type as the file would write it: durations and sizes in the largest
 * unit that divides them exactly, money with the decimals of `currency` (which only money
 * reads). */
void cfg_format_number(const cfg_entry *e, int64_t v, const char *currency, char *buf, size_t size);

/* A money key's value as the file would write it: as money of c's currency, or the text as
 * written while it does not fit the currency (cfg_validate refuses it). */
void cfg_format_money(const cfg *c, const cfg_key *k, char *buf, size_t size);

/* The currency the table's money defaults are written in: the default of `currency`. */
const char *cfg_default_currency(void);

/* Parse a number of e's type and check it against e's bounds. Returns 0, or -1 with
 * "name: why" in errstr (which may be NULL). */
int cfg_parse_number(const cfg_entry *e, const char *v, int64_t *out, char *errstr, size_t n);

/* "a, b, c" from a NULL-terminated list of names. */
void cfg_join_names(const char *const *names, char *buf, size_t size);

#endif /* IX_CONFIG_INT_H */
