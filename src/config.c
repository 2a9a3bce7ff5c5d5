/* config.c - the configuration engine: parsing, defaults, validation and copying of the keys
 * of the table (config_keys.c). */

/*
 * Everything is driven by the table, so a key cannot be parsed one way and documented another:
 *  - cfg_init() feeds each default through cfg_set(), the path the config file and -X options
 *    take, so a default that does not parse fails the unit tests instead of shipping;
 *  - cfg_validate() re-checks the table bounds, so a cfg filled in by code is held to the same
 *    rules as one read from a file;
 *  - --help, docs/configuration.md and the effective-config dump are printed from the rows
 *    (config_print.c).
 *
 * Values are parsed strictly on purpose: durations need a unit (is "500" milliseconds or
 * seconds?), unknown keys are errors with a suggestion rather than silently ignored typos, and
 * rdkafka.* properties are checked against librdkafka's own table before anything connects.
 */
#include "cevent.h"
#include "config_int.h"
#include "currency.h"
#include "model.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#define SUGGEST_MAX 64 /* keys longer than this get no "did you mean" */

/* A unit of durations or sizes. Aliases parse but are never printed. */
typedef struct unit {
    const char *name;
    int64_t mult;
    bool alias;
} unit;

/* Largest first, so printing picks the largest unit that divides a value. */
static const unit duration_units[] = {
    {"w", CFG_WEEK, false},   {"d", CFG_DAY, false},    {"h", CFG_HOUR, false},
    {"m", CFG_MINUTE, false}, {"s", CFG_SECOND, false}, {"ms", 1, false},
    {NULL, 0, false},
};
static const unit size_units[] = {
    {"TB", CFG_TIB, false}, {"TiB", CFG_TIB, true}, {"GB", CFG_GIB, false}, {"GiB", CFG_GIB, true},
    {"MB", CFG_MIB, false}, {"MiB", CFG_MIB, true}, {"KB", CFG_KIB, false}, {"KiB", CFG_KIB, true},
    {"B", 1, true},         {NULL, 0, false},
};
#define DURATION_UNITS "ms, s, m, h, d or w"
#define SIZE_UNITS     "KB, MB, GB, TB (or KiB, MiB, GiB, TiB), all powers of 1024"

/* Properties the pass-through may not set, because interdict sets them itself. */
static const struct {
    const char *name;
    const char *why;
} rdkafka_owned[] = {
    {"bootstrap.servers", "use the brokers key"},
    {"metadata.broker.list", "use the brokers key"},
    {"group.id", "use the group.id key"},
    {"transactional.id", "it is derived from instance.id"},
    {"enable.idempotence", "exactly-once delivery depends on it"},
    {"isolation.level", "exactly-once delivery depends on it"},
    {"enable.auto.commit", "offsets are committed in transactions"},
    {"enable.auto.offset.store", "offsets are committed in transactions"},
    {"auto.offset.reset", "a new group starts at the earliest offset, so no input is skipped"},
    {NULL, NULL},
};

/* Strings that must not be empty; topic names are checked on their own. */
static const char *const required_keys[] = {"brokers",   "group.id", "instance.id",
                                            "state.dir", "rule.set", NULL};

/* ---- small helpers ---- */

static int fail(char *errstr, size_t errstr_size, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Write "key: why" into errstr (if any); returns -1 so callers can `return fail(...)`. */
static int fail(char *errstr, size_t errstr_size, const char *key, const char *fmt, ...)
{
    char why[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    if (errstr && errstr_size)
        snprintf(errstr, errstr_size, "%s: %s", key, why);
    return -1;
}

bool cfg_is_numeric(const cfg_entry *e)
{
    return e->type == CFG_INT || e->type == CFG_DURATION || e->type == CFG_SIZE ||
           e->type == CFG_MONEY;
}

/* Numeric and enum/bool values are read the same way whatever their storage; a key without
 * storage (a cfg never initialised) reads as 0, which validation refuses where it matters. */
int64_t cfg_number(const cfg *c, const cfg_key *k)
{
    const void *p = cfg_key_cfield(c, k);

    if (!p || k->e.type == CFG_STRING)
        return 0;
    if (k->e.type == CFG_BOOL || k->e.type == CFG_ENUM)
        return *(const int *)p;
    return *(const int64_t *)p;
}

const char *cfg_string(const cfg *c, const cfg_key *k)
{
    const void *p = cfg_key_cfield(c, k);
    const char *s = p && k->e.type == CFG_STRING ? *(char *const *)p : NULL;
    return s ? s : "";
}

/* A malloc'ed copy of s without surrounding whitespace, or NULL when out of memory. */
static char *trimmed_copy(const char *s)
{
    size_t len;
    char *out;

    while (isspace((unsigned char)*s))
        s++;
    len = strlen(s);
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    out = malloc(len + 1);
    if (out) {
        memcpy(out, s, len);
        out[len] = '\0';
    }
    return out;
}

static bool has_control(const char *s)
{
    for (; *s; s++)
        if (iscntrl((unsigned char)*s))
            return true;
    return false;
}

/* ---- number formats ---- */

/* Leading decimal digits of s; *end points past them.
 * Returns 0, -1 if there are none, -2 if they exceed INT64_MAX. */
static int parse_digits(const char *s, int64_t *out, const char **end)
{
    int64_t v = 0;

    if (!isdigit((unsigned char)*s))
        return -1;
    for (; isdigit((unsigned char)*s); s++) {
        int d = *s - '0';
        if (v > (INT64_MAX - d) / 10)
            return -2;
        v = v * 10 + d;
    }
    *out = v;
    *end = s;
    return 0;
}

static const unit *find_unit(const unit *units, const char *name)
{
    for (; units->name; units++)
        if (strcmp(units->name, name) == 0)
            return units;
    return NULL;
}

/* A value in the largest unit that divides it exactly, e.g. "30s"; 0 is "0" and a value no
 * unit divides is bare (bytes), so the text always parses back to the same number. */
static void format_scaled(int64_t v, const unit *units, char *buf, size_t size)
{
    if (v != 0) {
        for (; units->name; units++) {
            if (!units->alias && v % units->mult == 0) {
                snprintf(buf, size, "%lld%s", (long long)(v / units->mult), units->name);
                return;
            }
        }
    }
    snprintf(buf, size, "%lld", (long long)v);
}

void cfg_format_number(const cfg_entry *e, int64_t v, const char *currency, char *buf, size_t size)
{
    if (e->type == CFG_DURATION)
        format_scaled(v, duration_units, buf, size);
    else if (e->type == CFG_SIZE)
        format_scaled(v, size_units, buf, size);
    else if (e->type == CFG_MONEY && v >= 0 && cur_minor_units(currency) >= 0)
        cur_format_decimal(v, cur_minor_units(currency), buf, size);
    else
        snprintf(buf, size, "%lld", (long long)v);
}

static int parse_int(const char *key, const char *v, int64_t *out, char *errstr, size_t n)
{
    bool neg = v[0] == '-';
    const char *end;
    int rc = parse_digits(v + neg, out, &end);

    if (rc == -2)
        return fail(errstr, n, key, "\"%s\" is too large", v);
    if (rc != 0 || *end != '\0')
        return fail(errstr, n, key, "\"%s\" is not an integer", v);
    if (neg)
        *out = -*out;
    return 0;
}

/* num units of mult, refusing what int64_t cannot hold. */
static int scale(const char *key, const char *v, int64_t num, int64_t mult, int64_t *out,
                 char *errstr, size_t n)
{
    if (num > INT64_MAX / mult)
        return fail(errstr, n, key, "\"%s\" is too large", v);
    *out = num * mult;
    return 0;
}

static int parse_duration(const char *key, const char *v, int64_t *out, char *errstr, size_t n)
{
    const char *suffix;
    const unit *u;
    int64_t num;
    int rc = parse_digits(v, &num, &suffix);

    if (rc == -2)
        return fail(errstr, n, key, "\"%s\" is too large", v);
    if (rc != 0)
        return fail(errstr, n, key, "\"%s\" is not a duration (a number and a unit: %s)", v,
                    DURATION_UNITS);
    if (*suffix == '\0' && num == 0) {
        *out = 0;
        return 0;
    }
    /* A bare number is refused: "500" could mean milliseconds or seconds. */
    if (*suffix == '\0')
        return fail(errstr, n, key, "\"%s\" needs a unit (%s), e.g. \"%sms\" or \"%ss\"", v,
                    DURATION_UNITS, v, v);
    u = find_unit(duration_units, suffix);
    if (!u)
        return fail(errstr, n, key, "\"%s\" has an unknown unit \"%s\" (use %s)", v, suffix,
                    DURATION_UNITS);
    return scale(key, v, num, u->mult, out, errstr, n);
}

static int parse_size(const char *key, const char *v, int64_t *out, char *errstr, size_t n)
{
    const char *suffix;
    const unit *u;
    int64_t num;
    int rc = parse_digits(v, &num, &suffix);

    if (rc == -2)
        return fail(errstr, n, key, "\"%s\" is too large", v);
    if (rc != 0)
        return fail(errstr, n, key, "\"%s\" is not a size (bytes, or a number and a unit: %s)", v,
                    SIZE_UNITS);
    if (*suffix == '\0') {
        *out = num;
        return 0;
    }
    u = find_unit(size_units, suffix);
    if (!u)
        return fail(errstr, n, key, "\"%s\" has an unknown unit \"%s\" (use %s)", v, suffix,
                    SIZE_UNITS);
    return scale(key, v, num, u->mult, out, errstr, n);
}

static int parse_bool(const char *key, const char *v, int *out, char *errstr, size_t n)
{
    static const char *const yes[] = {"true", "yes", "on", "1", NULL};
    static const char *const no[] = {"false", "no", "off", "0", NULL};

    for (int i = 0; yes[i]; i++) {
        if (strcmp(v, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcmp(v, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    return fail(errstr, n, key, "\"%s\" is not a boolean (use true/false, yes/no, on/off or 1/0)",
                v);
}

void cfg_join_names(const char *const *names, char *buf, size_t size)
{
    size_t used = 0;

    buf[0] = '\0';
    for (int i = 0; names[i] && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", names[i]);
}

static int parse_enum(const cfg_entry *e, const char *v, int *out, char *errstr, size_t n)
{
    char list[256];

    for (int i = 0; e->names[i]; i++) {
        if (strcmp(v, e->names[i]) == 0) {
            *out = i;
            return 0;
        }
    }
    cfg_join_names(e->names, list, sizeof(list));
    return fail(errstr, n, e->name, "\"%s\" is not one of %s", v, list);
}

/* Bounds of money are in minor units, and shown as money of `currency`. */
static int check_range(const cfg_entry *e, int64_t v, const char *currency, char *errstr, size_t n)
{
    char have[32], bound[32];

    if (v >= e->min && v <= e->max)
        return 0;
    cfg_format_number(e, v, currency, have, sizeof(have));
    cfg_format_number(e, v < e->min ? e->min : e->max, currency, bound, sizeof(bound));
    return fail(errstr, n, e->name, "%s is %s the %s %s", have, v < e->min ? "below" : "above",
                v < e->min ? "minimum" : "maximum", bound);
}

/* ---- setting values ---- */

int cfg_parse_number(const cfg_entry *e, const char *v, int64_t *out, char *errstr, size_t n)
{
    int rc;

    if (e->type == CFG_DURATION)
        rc = parse_duration(e->name, v, out, errstr, n);
    else if (e->type == CFG_SIZE)
        rc = parse_size(e->name, v, out, errstr, n);
    else
        rc = parse_int(e->name, v, out, errstr, n);
    return rc == 0 ? check_range(e, *out, NULL, errstr, n) : rc;
}

/* ---- money ---- */

/*
 * A money key is written in the currency's major unit with its ISO 4217 decimals ("10000.00"
 * CNY, "1000000" JPY, "10000.000" BHD) and stored in minor units, as transfers carry amounts.
 * Older configurations wrote these keys in minor units, so a plain "5000000" in a currency
 * with decimals is refused rather than read as 100 times the old threshold: the error says
 * how to write the value it used to mean. As `currency` may come after the key (file order,
 * -X order), cfg_set checks only the form; the text is kept and the value derived again
 * whenever the key or `currency` is set, and cfg_validate reports what does not fit.
 *
 * A key left at its default keeps the default's minor units whatever the currency (the
 * default is written as money of the default currency), so that a deployment that relied
 * on the defaults screens exactly as before.
 */

#define MONEY_CAP ((INT64_MAX - 9) / 10) /* cur_parse_decimal's largest exact value */

/* The currency the table's money defaults are written in: the default of `currency`. */
const char *cfg_default_currency(void)
{
    cfg_key k;
    return cfg_find("currency", &k) ? k.e.def : "";
}

static size_t money_count(void)
{
    cfg_key k = {0};
    size_t cnt = 0;

    while (cfg_key_next(&k))
        cnt += k.e.type == CFG_MONEY;
    return cnt;
}

/* k's place in c->money: its rank among the money keys in table order. */
static size_t money_slot(const cfg_key *k)
{
    cfg_key o = {0};
    size_t slot = 0;

    while (cfg_key_next(&o) && strcmp(o.e.name, k->e.name) != 0)
        slot += o.e.type == CFG_MONEY;
    return slot;
}

static const char *money_text(const cfg *c, const cfg_key *k)
{
    size_t slot = money_slot(k);
    return c->money && slot < c->money_cnt ? c->money[slot] : NULL;
}

/* What money looks like in any currency; refused at once, so a file's error has its line. */
static int money_form(const char *key, const char *v, char *errstr, size_t n)
{
    cur_decimal d;

    if (v[0] == '-')
        return fail(errstr, n, key, "\"%s\" is negative", v);
    if (cur_parse_decimal(v, strlen(v), 0, MONEY_CAP, &d) != 0)
        return fail(errstr, n, key,
                    "\"%s\" is not money (digits and a decimal point, e.g. 10000.00; no sign, "
                    "exponent or separators)",
                    v);
    return 0;
}

/* text as minor units of `currency`; the errors say how to write it. */
static int money_convert(const char *key, const char *text, const char *currency, int64_t *out,
                         char *errstr, size_t n)
{
    int exp = cur_minor_units(currency);
    char example[32];
    cur_decimal d;

    if (exp < 0)
        return fail(errstr, n, key, "money needs a valid currency, not \"%s\"", currency);
    if (money_form(key, text, errstr, n) != 0 ||
        cur_parse_decimal(text, strlen(text), exp, MONEY_CAP, &d) != 0)
        return -1;
    if (d.decimals > exp)
        return fail(errstr, n, key, "\"%s\" has %d decimal%s, %s has %d", text, d.decimals,
                    d.decimals == 1 ? "" : "s", currency, exp);
    if (d.minor > MONEY_CAP)
        return fail(errstr, n, key, "\"%s\" is too large", text);
    if (d.decimals < 0 && exp > 0) {
        /* The number as the minor units it meant before: the value to write now. */
        int64_t per_major = 1;
        for (int i = 0; i < exp; i++)
            per_major *= 10;
        cur_format_decimal(d.minor / per_major, exp, example, sizeof(example));
        return fail(errstr, n, key,
                    "write money with %d decimals for %s, e.g. %s (the key is no longer in "
                    "minor units)",
                    exp, currency, example);
    }
    *out = d.minor;
    return 0;
}

/* The minor units of k's default, money of the default currency. */
static int money_default(const cfg_key *k, int64_t *out, char *errstr, size_t n)
{
    return money_convert(k->e.name, k->e.def, cfg_default_currency(), out, errstr, n);
}

/* k's value from its text and c's currency; 0, below every money key's bounds, while they do
 * not fit together (cfg_validate says why). */
static void money_derive(cfg *c, const cfg_key *k)
{
    const char *text = money_text(c, k);
    int64_t *p = cfg_key_field(c, k), v = 0;

    if (!p)
        return;
    if (text ? money_convert(k->e.name, text, c->currency, &v, NULL, 0) != 0
             : money_default(k, &v, NULL, 0) != 0)
        v = 0;
    *p = v;
}

static void money_derive_all(cfg *c)
{
    cfg_key k = {0};

    while (cfg_key_next(&k))
        if (k.e.type == CFG_MONEY)
            money_derive(c, &k);
}

/* Keep the text (taking ownership of *v) and derive the value. */
static int set_money(cfg *c, const cfg_key *k, char **v, char *errstr, size_t n)
{
    size_t slot = money_slot(k);

    if (!c->money || slot >= c->money_cnt)
        return fail(errstr, n, k->e.name, "the configuration was not initialised (cfg_init)");
    if (money_form(k->e.name, *v, errstr, n) != 0)
        return -1;
    free(c->money[slot]);
    c->money[slot] = *v;
    *v = NULL;
    money_derive(c, k);
    return 0;
}

void cfg_format_money(const cfg *c, const cfg_key *k, char *buf, size_t size)
{
    const char *text = money_text(c, k);
    int64_t v;

    if (text && money_convert(k->e.name, text, c->currency, &v, NULL, 0) != 0)
        snprintf(buf, size, "%s", text);
    else if (!text && cur_minor_units(c->currency) < 0)
        snprintf(buf, size, "%s", k->e.def);
    else
        cfg_format_number(&k->e, cfg_number(c, k), c->currency, buf, size);
}

/* Set a table key; a string takes ownership of *v. */
static int set_entry(cfg *c, const cfg_key *k, char **v, char *errstr, size_t n)
{
    const cfg_entry *e = &k->e;
    void *p = cfg_key_field(c, k);
    int64_t num = 0;
    int flag = 0;

    if (!p)
        return fail(errstr, n, e->name, "the configuration was not initialised (cfg_init)");
    switch (e->type) {
    case CFG_STRING:
        free(*(char **)p);
        *(char **)p = *v;
        *v = NULL;
        if (p == (void *)&c->currency)
            money_derive_all(c); /* every amount is in it */
        return 0;
    case CFG_BOOL:
        if (parse_bool(e->name, *v, &flag, errstr, n) != 0)
            return -1;
        *(int *)p = flag;
        return 0;
    case CFG_ENUM:
        if (parse_enum(e, *v, &flag, errstr, n) != 0)
            return -1;
        *(int *)p = flag;
        return 0;
    case CFG_MONEY:
        return set_money(c, k, v, errstr, n);
    default:
        if (cfg_parse_number(e, *v, &num, errstr, n) != 0)
            return -1;
        *(int64_t *)p = num;
        return 0;
    }
}

/* librdkafka property names are dotted lowercase words; anything else is a typo. */
static bool valid_property_name(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' && *s != '-')
            return false;
    return true;
}

/* Append or replace a pass-through property; takes ownership of *v. */
static int set_rdkafka(cfg *c, const char *key, char **v, char *errstr, size_t n)
{
    const char *prop = key + strlen(CFG_RDKAFKA_PREFIX);
    cfg_kv *grown;
    char *name;

    if (!valid_property_name(prop))
        return fail(errstr, n, key, "not a librdkafka property name");
    for (size_t i = 0; i < c->rdkafka_cnt; i++) {
        if (strcmp(c->rdkafka[i].key, prop) == 0) {
            free(c->rdkafka[i].value);
            c->rdkafka[i].value = *v;
            *v = NULL;
            return 0;
        }
    }
    name = strdup(prop);
    grown = name ? realloc(c->rdkafka, (c->rdkafka_cnt + 1) * sizeof(*grown)) : NULL;
    if (!grown) {
        free(name);
        return fail(errstr, n, key, "out of memory");
    }
    c->rdkafka = grown;
    c->rdkafka[c->rdkafka_cnt].key = name;
    c->rdkafka[c->rdkafka_cnt].value = *v;
    c->rdkafka_cnt++;
    *v = NULL;
    return 0;
}

/* Levenshtein distance ignoring case, or SIZE_MAX for strings too long to bother. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t prev[SUGGEST_MAX + 1], cur[SUGGEST_MAX + 1];

    if (la > SUGGEST_MAX || lb > SUGGEST_MAX)
        return SIZE_MAX;
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] +
                         (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, (lb + 1) * sizeof(prev[0]));
    }
    return prev[lb];
}

/* The known key closest to a mistyped one, if it is close enough to be the likely intent:
 * returns 1 with its name in `best`, or 0. */
static int closest_key(const char *key, char *best, size_t size)
{
    size_t limit = strlen(key) / 3 > 2 ? strlen(key) / 3 : 2;
    size_t best_d = limit + 1;
    cfg_key k = {0};

    while (cfg_key_next(&k)) {
        size_t d = edit_distance(key, k.e.name);
        if (d < best_d) {
            snprintf(best, size, "%s", k.e.name);
            best_d = d;
        }
    }
    return best_d <= limit;
}

/* Whether librdkafka knows `name` as a global or topic property. conf_get has no side
 * effects, unlike conf_set, which loads plugins for plugin.library.paths. */
static bool is_rdkafka_property(const char *name)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_topic_conf_t *tconf = rd_kafka_topic_conf_new();
    char buf[512];
    size_t size = sizeof(buf);
    bool known = rd_kafka_conf_get(conf, name, buf, &size) != RD_KAFKA_CONF_UNKNOWN;

    size = sizeof(buf);
    known = known || rd_kafka_topic_conf_get(tconf, name, buf, &size) != RD_KAFKA_CONF_UNKNOWN;
    rd_kafka_topic_conf_destroy(tconf);
    rd_kafka_conf_destroy(conf);
    return known;
}

/* Why a property may not be passed through, or NULL if it may. */
static const char *rdkafka_owned_why(const char *prop)
{
    for (int i = 0; rdkafka_owned[i].name; i++)
        if (strcmp(prop, rdkafka_owned[i].name) == 0)
            return rdkafka_owned[i].why;
    return NULL;
}

/* The error for an unknown key, with the most likely intent: a near key of ours first (so
 * "log_level" suggests "log.level", not librdkafka's log_level), then librdkafka's. */
static int unknown_key(const char *key, char *errstr, size_t n)
{
    char near[CFG_NAME_MAX];

    if (rdkafka_owned_why(key))
        return fail(errstr, n, key, "unknown key; interdict sets librdkafka's %s itself (%s)", key,
                    rdkafka_owned_why(key));
    if (closest_key(key, near, sizeof(near)))
        return fail(errstr, n, key, "unknown key (did you mean \"%s\"?)", near);
    if (valid_property_name(key) && is_rdkafka_property(key))
        return fail(errstr, n, key,
                    "unknown key (librdkafka properties take the \"" CFG_RDKAFKA_PREFIX
                    "\" prefix: \"" CFG_RDKAFKA_PREFIX "%s\")",
                    key);
    return fail(errstr, n, key, "unknown key (interdict --help lists them all)");
}

/* ---- public: lifecycle and setting ---- */

const cfg_rule *cfg_rule_at(const cfg *c, size_t i)
{
    return i < c->rules_cnt ? &c->rules[i] : NULL;
}

int cfg_parse_duration(const char *name, const char *text, int64_t *ms, char *errstr,
                       size_t errstr_size)
{
    return parse_duration(name, text ? text : "", ms, errstr, errstr_size);
}

/* Every rule's block of values, zeroed, and the money keys' texts, all NULL (the defaults).
 * Returns 0, or -1 when out of memory. */
static int alloc_rules(cfg *c)
{
    size_t n = cfg_rule_count(), m = money_count();

    c->money = m ? calloc(m, sizeof(*c->money)) : NULL;
    if (m && !c->money)
        return -1;
    c->money_cnt = m;

    c->rules = n ? calloc(n, sizeof(*c->rules)) : NULL;
    if (n && !c->rules)
        return -1;
    c->rules_cnt = n;
    for (size_t i = 0; i < n; i++) {
        size_t size = cfg_rule_size(i);
        if (size && !(c->rules[i].params = calloc(1, size)))
            return -1;
    }
    return 0;
}

int cfg_init(cfg *c, char *errstr, size_t errstr_size)
{
    char why[512];
    cfg_key k = {0};

    memset(c, 0, sizeof(*c));
    if (alloc_rules(c) != 0) {
        snprintf(errstr, errstr_size, "out of memory");
        cfg_free(c);
        return -1;
    }
    while (cfg_key_next(&k)) {
        /* A money default has no text: it keeps its minor units in any currency. */
        int rc = k.e.type == CFG_MONEY ? money_default(&k, cfg_key_field(c, &k), why, sizeof(why))
                                       : cfg_set(c, k.e.name, k.e.def, why, sizeof(why));
        if (rc != 0) {
            snprintf(errstr, errstr_size, "bad built-in default: %s", why);
            cfg_free(c);
            return -1;
        }
    }
    return 0;
}

void cfg_free(cfg *c)
{
    cfg_key k = {0};

    if (!c)
        return;
    while (cfg_key_next(&k))
        if (k.e.type == CFG_STRING && cfg_key_field(c, &k))
            free(*(char **)cfg_key_field(c, &k));
    for (size_t i = 0; i < c->rules_cnt; i++)
        free(c->rules[i].params);
    free(c->rules);
    for (size_t i = 0; i < c->money_cnt; i++)
        free(c->money[i]);
    free(c->money);
    for (size_t i = 0; i < c->rdkafka_cnt; i++) {
        free(c->rdkafka[i].key);
        free(c->rdkafka[i].value);
    }
    free(c->rdkafka);
    memset(c, 0, sizeof(*c));
}

/* Error messages quote keys and values as given, which may hold any byte:
 * control characters and bytes beyond ASCII are written as \xNN, so an error
 * printed to a terminal or a log cannot carry escape sequences or raw
 * binary. */
static void escape_error(char *errstr, size_t size)
{
    char out[1024];
    size_t o = 0;
    if (!errstr || size == 0)
        return;
    for (const unsigned char *p = (const unsigned char *)errstr; *p && o + 5 < sizeof(out); p++) {
        if (*p >= 0x20 && *p < 0x7f)
            out[o++] = (char)*p;
        else
            o += (size_t)snprintf(out + o, sizeof(out) - o, "\\x%02x", *p);
    }
    size_t n = o < size - 1 ? o : size - 1;
    memcpy(errstr, out, n);
    errstr[n] = '\0';
}

static int cfg_set_raw(cfg *c, const char *key, const char *value, char *errstr, size_t errstr_size)
{
    cfg_key k;
    char *v = NULL;
    int rc = -1;

    if (!key || !*key)
        return fail(errstr, errstr_size, "(empty)", "a key is missing");
    if (!value)
        return fail(errstr, errstr_size, key, "no value");
    v = trimmed_copy(value);
    if (!v)
        return fail(errstr, errstr_size, key, "out of memory");
    /* Control characters could not be written back to a file, and have no use in any key. */
    if (has_control(v)) {
        fail(errstr, errstr_size, key, "the value contains a control character");
        goto cleanup;
    }
    if (strncmp(key, CFG_RDKAFKA_PREFIX, strlen(CFG_RDKAFKA_PREFIX)) == 0)
        rc = set_rdkafka(c, key, &v, errstr, errstr_size);
    else if (cfg_find(key, &k))
        rc = set_entry(c, &k, &v, errstr, errstr_size);
    else
        rc = unknown_key(key, errstr, errstr_size);
cleanup:
    free(v);
    return rc;
}

int cfg_set(cfg *c, const char *key, const char *value, char *errstr, size_t errstr_size)
{
    int rc = cfg_set_raw(c, key, value, errstr, errstr_size);
    if (rc != 0)
        escape_error(errstr, errstr_size);
    return rc;
}

int cfg_set_pair(cfg *c, const char *kv, char *errstr, size_t errstr_size)
{
    const char *eq = strchr(kv, '=');
    char key[256];
    if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof(key)) {
        snprintf(errstr, errstr_size, "-X %.200s: expected KEY=VALUE", kv);
        escape_error(errstr, errstr_size);
        return -1;
    }
    memcpy(key, kv, (size_t)(eq - kv));
    key[eq - kv] = '\0';
    return cfg_set(c, key, eq + 1, errstr, errstr_size);
}

/* ---- config files ---- */

/* s without surrounding whitespace, in place. */
static char *trim(char *s)
{
    char *end;

    while (isspace((unsigned char)*s))
        s++;
    end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return s;
}

/* Apply one line of a config file; comments and blank lines are no-ops. */
static int load_line(cfg *c, char *line, char *errstr, size_t n)
{
    char *s = trim(line), *eq;

    if (*s == '\0' || *s == '#')
        return 0;
    eq = strchr(s, '=');
    if (!eq) {
        snprintf(errstr, n, "expected \"key = value\"");
        return -1;
    }
    *eq = '\0';
    if (*trim(s) == '\0') {
        snprintf(errstr, n, "missing key before '='");
        return -1;
    }
    return cfg_set(c, trim(s), eq + 1, errstr, n);
}

static int cfg_load_file_raw(cfg *c, const char *path, char *errstr, size_t errstr_size)
{
    FILE *fp = fopen(path, "r");
    char *line = NULL, why[512];
    size_t cap = 0;
    int lineno = 0, rc = -1;

    if (!fp) {
        snprintf(errstr, errstr_size, "%s: %s", path, strerror(errno));
        return -1;
    }
    ssize_t len;
    while ((len = getline(&line, &cap, fp)) != -1) {
        lineno++;
        /* A NUL would silently end the line's value where C strings end. */
        if (memchr(line, '\0', (size_t)len)) {
            snprintf(errstr, errstr_size, "%s:%d: a NUL byte in the line", path, lineno);
            goto cleanup;
        }
        /* A UTF-8 byte order mark, as some editors write, is not part of the first key. */
        char *s = lineno == 1 && strncmp(line, "\xEF\xBB\xBF", 3) == 0 ? line + 3 : line;
        if (load_line(c, s, why, sizeof(why)) != 0) {
            snprintf(errstr, errstr_size, "%s:%d: %s", path, lineno, why);
            goto cleanup;
        }
    }
    if (ferror(fp)) {
        snprintf(errstr, errstr_size, "%s: %s", path, strerror(errno));
        goto cleanup;
    }
    rc = 0;
cleanup:
    free(line);
    fclose(fp);
    return rc;
}

int cfg_load_file(cfg *c, const char *path, char *errstr, size_t errstr_size)
{
    int rc = cfg_load_file_raw(c, path, errstr, errstr_size);
    if (rc != 0)
        escape_error(errstr, errstr_size);
    return rc;
}

/* ---- validation ---- */

static int64_t enum_count(const cfg_entry *e)
{
    int64_t cnt = 0;

    while (e->names[cnt])
        cnt++;
    return cnt;
}

bool cfg_enum_ok(const cfg *c, const cfg_key *k)
{
    return cfg_number(c, k) >= 0 && cfg_number(c, k) < enum_count(&k->e);
}

/* The table's type and bounds, for values code stored without cfg_set. */
static int check_key_bounds(const cfg *c, const cfg_key *k, char *errstr, size_t n)
{
    const cfg_entry *e = &k->e;
    int64_t v = cfg_number(c, k);

    if (cfg_is_numeric(e))
        return check_range(e, v, c->currency, errstr, n);
    if (e->type == CFG_BOOL && v != 0 && v != 1)
        return fail(errstr, n, e->name, "%lld is not a boolean", (long long)v);
    if (e->type == CFG_ENUM && !cfg_enum_ok(c, k))
        return fail(errstr, n, e->name, "%lld is not a valid choice", (long long)v);
    return 0;
}

static int check_bounds(const cfg *c, char *errstr, size_t n)
{
    cfg_key k = {0};

    while (cfg_key_next(&k))
        if (check_key_bounds(c, &k, errstr, n) != 0)
            return -1;
    return 0;
}

/* The value of the string key `name`, which the table has. */
static const char *string_of(const cfg *c, const char *name)
{
    cfg_key k;
    return cfg_find(name, &k) ? cfg_string(c, &k) : "";
}

static int check_required(const cfg *c, char *errstr, size_t n)
{
    for (int i = 0; required_keys[i]; i++)
        if (*string_of(c, required_keys[i]) == '\0')
            return fail(errstr, n, required_keys[i], "must not be empty");
    return 0;
}

/* Kafka's rule for topic names. */
static bool valid_topic(const char *s)
{
    size_t len = strlen(s);

    if (len == 0 || len > 249 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' && *s != '-')
            return false;
    return true;
}

static bool is_topic(const cfg_key *k)
{
    return k->e.type == CFG_STRING && strcmp(k->e.section, "Topics") == 0;
}

/* A topic key before k with the same value, or 0. */
static int earlier_topic(const cfg *c, const cfg_key *k, cfg_key *o)
{
    memset(o, 0, sizeof(*o));
    while (cfg_key_next(o) && strcmp(o->e.name, k->e.name) != 0)
        if (is_topic(o) && strcmp(cfg_string(c, o), cfg_string(c, k)) == 0)
            return 1;
    return 0;
}

/* Every topic key names a valid topic, and no two name the same one: reading our own output,
 * or dead-lettering into an input, would loop. */
static int check_topics(const cfg *c, char *errstr, size_t n)
{
    cfg_key k = {0}, o;

    while (cfg_key_next(&k)) {
        if (!is_topic(&k))
            continue;
        if (!valid_topic(cfg_string(c, &k)))
            return fail(errstr, n, k.e.name,
                        "\"%s\" is not a valid topic name (1 to 249 of a-z A-Z 0-9 . _ -)",
                        cfg_string(c, &k));
        if (earlier_topic(c, &k, &o))
            return fail(errstr, n, k.e.name, "\"%s\" is also the value of %s", cfg_string(c, &k),
                        o.e.name);
    }
    return 0;
}

static int check_scores(const cfg *c, char *errstr, size_t n)
{
    if (c->action_hold_score < c->action_review_score)
        return fail(errstr, n, "action.hold.score",
                    "%lld is below action.review.score (%lld); scores must rise from review to "
                    "hold to freeze",
                    (long long)c->action_hold_score, (long long)c->action_review_score);
    if (c->action_freeze_score < c->action_hold_score)
        return fail(errstr, n, "action.freeze.score",
                    "%lld is below action.hold.score (%lld); scores must rise from review to "
                    "hold to freeze",
                    (long long)c->action_freeze_score, (long long)c->action_hold_score);
    return 0;
}

static int check_rule_set(const cfg *c, char *errstr, size_t n)
{
    /* Every freeze request carries it: the schema's rule_set is
     * [A-Za-z0-9._:-]{1,15}, in a fixed-size field (model.h). */
    static const char allowed[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-";
    const char *s = string_of(c, "rule.set");
    size_t len = strlen(s), ok = strspn(s, allowed);
    if (ok < len)
        return fail(errstr, n, "rule.set",
                    "byte %zu (0x%02x) is not one of A-Z a-z 0-9 . _ : - (the freeze-request "
                    "schema's rule_set)",
                    ok + 1, (unsigned)(unsigned char)s[ok]);
    if (len > IX_RULESET_MAX)
        return fail(errstr, n, "rule.set", "\"%s\" is longer than %d characters", s,
                    IX_RULESET_MAX);
    return 0;
}

/* The property a pass-through key sets, without a "consumer." or "producer." scope. */
static const char *unscoped(const char *key)
{
    if (strncmp(key, "consumer.", 9) == 0)
        return key + 9;
    if (strncmp(key, "producer.", 9) == 0)
        return key + 9;
    return key;
}

static int check_ce_source(const cfg *c, char *errstr, size_t n)
{
    const char *s = string_of(c, "cloudevents.source");
    if (*s && !cev_source_valid(s))
        return fail(errstr, n, "cloudevents.source",
                    "must be 1 to %d printable ASCII characters without spaces (a "
                    "URI-reference)",
                    CEV_SOURCE_MAX);
    return 0;
}

static int check_rdkafka_one(rd_kafka_conf_t *conf, const cfg_kv *kv, char *errstr, size_t n)
{
    const char *prop = unscoped(kv->key);
    char key[256], why[512];

    snprintf(key, sizeof(key), CFG_RDKAFKA_PREFIX "%s", kv->key);
    if (rdkafka_owned_why(prop))
        return fail(errstr, n, key, "interdict sets this itself (%s)", rdkafka_owned_why(prop));
    if (rd_kafka_conf_set(conf, prop, kv->value, why, sizeof(why)) != RD_KAFKA_CONF_OK)
        return fail(errstr, n, key, "%s", why);
    return 0;
}

/* Try every pass-through property on a scratch librdkafka conf, so a typo or a bad value is
 * reported at start, naming the key, instead of when a client is created. */
static int check_rdkafka(const cfg *c, char *errstr, size_t n)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    int rc = 0;

    for (size_t i = 0; i < c->rdkafka_cnt && rc == 0; i++)
        rc = check_rdkafka_one(conf, &c->rdkafka[i], errstr, n);
    rd_kafka_conf_destroy(conf);
    return rc;
}

static int check_currency(const cfg *c, char *errstr, size_t errstr_size)
{
    if (!c->currency || !cur_valid(c->currency))
        return fail(errstr, errstr_size, "currency", "\"%s\" is not an active ISO 4217 code",
                    c->currency ? c->currency : "");
    return 0;
}

/* Every money key written as money of the final currency; the bounds come after. */
static int check_money(const cfg *c, char *errstr, size_t n)
{
    cfg_key k = {0};
    int64_t v;

    while (cfg_key_next(&k)) {
        const char *text = k.e.type == CFG_MONEY ? money_text(c, &k) : NULL;
        if (text && money_convert(k.e.name, text, c->currency, &v, errstr, n) != 0)
            return -1;
    }
    return 0;
}

static int cfg_validate_raw(const cfg *c, char *errstr, size_t errstr_size)
{
    /* The currency first: money is read in it. */
    static int (*const checks[])(const cfg *, char *, size_t) = {
        check_currency, check_money,    check_bounds,    check_required, check_topics,
        check_scores,   check_rule_set, check_ce_source, check_rdkafka,
    };

    for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
        if (checks[i](c, errstr, errstr_size) != 0)
            return -1;
    return 0;
}

int cfg_validate(const cfg *c, char *errstr, size_t errstr_size)
{
    int rc = cfg_validate_raw(c, errstr, errstr_size);
    if (rc != 0)
        escape_error(errstr, errstr_size);
    return rc;
}

/* ---- copying and comparing ---- */

/* The text as written and the value derived from it, as they are: both cfgs are in one
 * currency wherever interdict copies money. */
static int copy_money(cfg *dst, const cfg *src, const cfg_key *k, char *errstr, size_t n)
{
    const char *text = money_text(src, k);
    char *copy = text ? strdup(text) : NULL;
    size_t slot = money_slot(k);

    if (text && !copy)
        return fail(errstr, n, k->e.name, "out of memory");
    if (!dst->money || slot >= dst->money_cnt) {
        free(copy);
        return fail(errstr, n, k->e.name, "the configuration was not initialised (cfg_init)");
    }
    free(dst->money[slot]);
    dst->money[slot] = copy;
    *(int64_t *)cfg_key_field(dst, k) = cfg_number(src, k);
    return 0;
}

static int copy_value(cfg *dst, const cfg *src, const cfg_key *k, char *errstr, size_t n)
{
    void *to = cfg_key_field(dst, k);
    char *copy;

    if (!to)
        return fail(errstr, n, k->e.name, "the configuration was not initialised (cfg_init)");
    if (k->e.type == CFG_MONEY)
        return copy_money(dst, src, k, errstr, n);
    if (k->e.type != CFG_STRING) {
        if (k->e.type == CFG_BOOL || k->e.type == CFG_ENUM)
            *(int *)to = (int)cfg_number(src, k);
        else
            *(int64_t *)to = cfg_number(src, k);
        return 0;
    }
    copy = strdup(cfg_string(src, k));
    if (!copy)
        return fail(errstr, n, k->e.name, "out of memory");
    free(*(char **)to);
    *(char **)to = copy;
    return 0;
}

int cfg_copy(cfg *dst, const cfg *src, int (*pick)(const char *key), char *errstr,
             size_t errstr_size)
{
    cfg_key k = {0};

    while (cfg_key_next(&k))
        if ((!pick || pick(k.e.name)) && copy_value(dst, src, &k, errstr, errstr_size) != 0)
            return -1;
    return 0;
}

int cfg_differs(const cfg *a, const cfg *b, int (*pick)(const char *key), char *key,
                size_t key_size)
{
    cfg_key k = {0};

    while (cfg_key_next(&k)) {
        if (pick && !pick(k.e.name))
            continue;
        if (k.e.type == CFG_STRING ? strcmp(cfg_string(a, &k), cfg_string(b, &k)) != 0
                                   : cfg_number(a, &k) != cfg_number(b, &k)) {
            snprintf(key, key_size, "%s", k.e.name);
            return 1;
        }
    }
    return 0;
}
