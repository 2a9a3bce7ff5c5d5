/* config.h - interdict's configuration: one table of keys drives parsing, defaults,
 * validation, `--help`, docs/configuration.md and the effective-config print, so they cannot
 * drift.
 *
 * The table is the core keys (config_keys.c) and, where the Rules section has them, every
 * rule's own keys: each rule_def (rules.h) carries a config map, as a plugin does, and its
 * values live in a block of its own (cfg->rules), not in fields of struct cfg. The engine
 * (config.c) parses and checks them, config_print.c prints them.
 *
 * Sources, later ones winning: built-in defaults, the config file
 * (`key = value` lines, `#` comments), then `-X key=value` on the command
 * line. Keys starting with "rdkafka." are passed through to librdkafka
 * ("rdkafka.consumer." and "rdkafka.producer." reach only that client).
 */
#ifndef IX_CONFIG_H
#define IX_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Units of the table's bounds: durations are stored in milliseconds, sizes in bytes. */
#define CFG_SECOND ((int64_t)1000)
#define CFG_MINUTE (CFG_SECOND * 60)
#define CFG_HOUR   (CFG_MINUTE * 60)
#define CFG_DAY    (CFG_HOUR * 24)
#define CFG_WEEK   (CFG_DAY * 7)
#define CFG_KIB    ((int64_t)1024)
#define CFG_MIB    (CFG_KIB * 1024)
#define CFG_GIB    (CFG_MIB * 1024)
#define CFG_TIB    (CFG_GIB * 1024)

#define CFG_NAME_MAX 96 /* longest key name, "rules.<rule>.<key>" included */

typedef enum cfg_type {
    CFG_STRING,   /* char *, owned by the cfg */
    CFG_INT,      /* int64_t within [min, max] */
    CFG_BOOL,     /* int: true/false, yes/no, on/off, 1/0 */
    CFG_DURATION, /* int64_t ms: "250ms", "30s", "15m", "2h", "7d", "2w", "0" */
    CFG_SIZE,     /* int64_t bytes: "512", "64KB", "512MiB", "2GB"; 1KB = 1KiB = 1024 */
    CFG_ENUM,     /* int index into a NULL-terminated list of names */
    CFG_MONEY     /* int64_t minor units of `currency`: "10000.00" CNY, "1000000" JPY */
} cfg_type;

/* One configuration key: a row of the core table, or of a rule's map. Rows of one section
 * are contiguous, in the order --help and the docs show them. */
typedef struct cfg_entry {
    const char *name;         /* core: e.g. "topic.transfers"; a rule's: the part after
                                 "rules.<rule>.", e.g. "window" */
    const char *section;      /* heading in --help and docs; a rule's keys are under "Rules" */
    cfg_type type;            /* how the value is parsed and stored */
    size_t offset;            /* offsetof(cfg, field), or into the rule's own struct */
    const char *def;          /* default, written as in the file */
    int64_t min, max;         /* bounds for CFG_INT, CFG_DURATION, CFG_SIZE, CFG_MONEY
                                 (in minor units, as transfers carry amounts) */
    const char *const *names; /* allowed values for CFG_ENUM */
    const char *summary;      /* one sentence, the line --help shows */
    const char *desc;         /* the rest, for the docs: units, effects, trade-offs */
} cfg_entry;

/* The text of a key every rule has, where a rule needs its own. */
typedef struct cfg_text {
    const char *summary, *desc;
} cfg_text;

/* A rule's keys, rules.<rule>.<key>, as its rule_def declares them. The two every rule has
 * are declared once, by the engine: `enabled` (true by default) and `score` (0 to 100);
 * `keys` are the rule's own, stored in a block of `size` bytes laid out as the rule's
 * struct of thresholds (their offsets point into it). */
typedef struct cfg_rule_map {
    const char *what;      /* the pattern, as in "The rule for <what>. See docs/rules.md." */
    const char *score;     /* default of rules.<rule>.score */
    const cfg_entry *keys; /* NULL-name terminated; NULL for none */
    size_t size;           /* of the struct the keys are stored in; 0 for none */
    cfg_text enabled_text; /* NULL fields: the common text */
    cfg_text score_text;
} cfg_rule_map;

/* One rule's values: the keys every rule has, and its own in their block. */
typedef struct cfg_rule {
    int enabled;   /* rules.<rule>.enabled */
    int64_t score; /* rules.<rule>.score */
    void *params;  /* the rule's own keys, in the struct its map describes */
} cfg_rule;

/* A pass-through librdkafka property. */
typedef struct cfg_kv {
    char *key; /* without the "rdkafka." prefix, e.g. "consumer.fetch.wait.max.ms" */
    char *value;
} cfg_kv;

/* Log levels, also the CFG_ENUM names of "log.level". */
typedef enum cfg_log_level {
    CFG_LOG_ERROR,
    CFG_LOG_WARN,
    CFG_LOG_INFO,
    CFG_LOG_DEBUG
} cfg_log_level;

typedef struct cfg {
    /* Kafka */
    char *brokers;
    char *group_id;
    char *instance_id;
    char *topic_transfers;
    int transfers_format; /* ix_format of topic_transfers */
    char *topic_accounts;
    char *topic_watchlist;
    char *topic_allowlist; /* the desk's allow-list (compacted) */
    char *topic_verdicts;  /* the desk's answers to requests */
    char *topic_reports;
    char *topic_interceptions;
    char *topic_deadletter;
    char *ce_source;          /* cloudevents.source; "" derives it from group.id */
    int64_t topic_partitions; /* used when interdict creates topics */
    int64_t commit_interval_ms;
    int64_t kafka_timeout_ms; /* bound on one blocking broker call */

    /* State */
    char *state_dir;
    int64_t state_cache_bytes;
    int64_t state_write_interval_ms; /* how often the store is written; 0 = every commit */
    int64_t state_retention_ms;      /* flows and edges expire after this */
    int64_t state_min_free;          /* bytes free on the store's disk below which run stops */
    char *state_log_dir;             /* RocksDB's info log; "" = in state_dir */
    char *watchlist_file;            /* bulk-loaded at start when set */

    /* Pipeline */
    int64_t workers;        /* decode threads; 0 = one per core */
    int64_t input_idle_ms;  /* a caught-up partition holds the event-time merge this long */
    int64_t input_held_max; /* messages consumed, not yet screened, before pausing */
    int64_t input_max_bytes;
    int64_t input_max_past_ms;
    int64_t input_max_future_ms;
    char *currency;               /* the clearing currency, ISO 4217 */
    int64_t reports_park_time_ms; /* a report waits this long for its transfer */
    int64_t reports_park_max;     /* reports parked at once; 0 = no parking */
    int64_t verdict_dismiss_ms;   /* a dismissed request's rules stay suppressed this long */

    /* Rules and actions; each rule's own keys are in `rules` */
    char *rule_set;
    int64_t search_max_edges;
    int64_t search_max_flows;
    int64_t search_max_visits;
    int64_t action_review_score;
    int64_t action_hold_score;
    int64_t action_freeze_score;
    int64_t score_horizon_ms;
    int64_t baseline_weeks;        /* earlier active weeks an account needs for a baseline */
    int64_t baseline_min_amount;   /* least money a finding against the baseline is about */
    int64_t baseline_large_amount; /* from here a baseline finding scores its large score */
    int64_t incident_cooldown_ms;

    /* Operations */
    int log_level;    /* cfg_log_level */
    int log_accounts; /* 0 masked, 1 full */
    char *metrics_listen;
    int64_t progress_interval_ms;

    /* Console (`interdict console`) */
    char *console_listen;
    char *console_token;
    char *console_tls_cert;
    char *console_tls_key;
    int console_mask; /* con_mask_mode */
    char *console_timezone;
    int64_t console_max_requests;

    /* rules.<rule>.*, one per rule of rules_all (rules.h) and indexed like it; allocated by
     * cfg_init, read through cfg_rule_at(). */
    cfg_rule *rules;
    size_t rules_cnt;

    /* The text of every CFG_MONEY key as written, in table order, NULL for the default: the
     * value is derived from it and `currency` whenever either is set (see cfg_validate). */
    char **money;
    size_t money_cnt;

    /* rdkafka.* pass-through, in the order given. */
    cfg_kv *rdkafka;
    size_t rdkafka_cnt;
} cfg;

/* One key of the table, as the engine walks them: its row with the full name and the texts
 * ready to print, and where its value lives. Filled by cfg_find() and cfg_key_next(). */
typedef struct cfg_key {
    cfg_entry e; /* e.name is the full name */
    size_t rule; /* its rule's index in rules_all, or CFG_CORE */
    size_t item; /* a rule's: 0 enabled, 1 score, 2 and on its own keys */
    size_t row;  /* the core table's row the walk is at */
    int started; /* whether the walk has begun */
    char name[CFG_NAME_MAX];
    char summary[160]; /* the texts of a rule's common keys, made from its name */
    char desc[320];
} cfg_key;

#define CFG_CORE ((size_t)-1)

/* Walk every key in table order: start with a zeroed k; each call fills in the next key and
 * returns 1, or returns 0 after the last. */
int cfg_key_next(cfg_key *k);

/* Fill k with the key named `name`. Returns 1, or 0 if there is none (rdkafka.* keys have
 * none). */
int cfg_find(const char *name, cfg_key *k);

/* A key's value: numbers, booleans and enum indexes as a number; a string ("" when unset). */
int64_t cfg_number(const cfg *c, const cfg_key *k);
const char *cfg_string(const cfg *c, const cfg_key *k);

/* Rule i's values (indexed like rules_all), or NULL past the last. */
const cfg_rule *cfg_rule_at(const cfg *c, size_t i);

/* Set every key to its default. Returns 0, or -1 with errstr filled. */
int cfg_init(cfg *c, char *errstr, size_t errstr_size);

/* Free everything the cfg owns; c may be NULL. Leaves *c zeroed. */
void cfg_free(cfg *c);

/* Set one key from its textual value, validating type and range. Surrounding
 * whitespace is ignored; control characters are rejected, so every value can
 * be written back to a file. An unknown key's error suggests the closest known
 * one. "rdkafka.*" keys are appended to c->rdkafka, or replace the value of an
 * earlier one in place. On error c is unchanged. A money key's form is checked here
 * (digits and a decimal point, no sign); whether it has the decimals of `currency`, which
 * may be set after it, is left to cfg_validate, and until it has, its value is 0. Setting
 * `currency` derives every money key again from its text.
 * Returns 0, or -1 with "key: why" in errstr. */
int cfg_set(cfg *c, const char *key, const char *value, char *errstr, size_t errstr_size);

/* cfg_set() from "KEY=VALUE", as the command lines' -X gives it. */
int cfg_set_pair(cfg *c, const char *kv, char *errstr, size_t errstr_size);

/* Parse a duration written as in the config file ("250ms", "30s", ..., "0"; a bare
 * number other than 0 is refused), for command-line options that take one. No bounds.
 * Returns 0 and sets *ms, or -1 with "name: why" in errstr. */
int cfg_parse_duration(const char *name, const char *text, int64_t *ms, char *errstr,
                       size_t errstr_size);

/* Read a config file: `key = value` lines, `#` comments on lines of their own,
 * blank lines; a value runs to the end of its line and may contain '=' or '#'.
 * Errors name the place: "path:line: why". Lines before a bad one have been
 * applied, so discard c on error.
 * Returns 0, or -1 with errstr filled (a missing file is an error). */
int cfg_load_file(cfg *c, const char *path, char *errstr, size_t errstr_size);

/* Checks a whole cfg before use, also one filled in by code rather than
 * cfg_set: a valid currency, every money key written with its decimals
 * (a key written in minor units, as older files did, is refused with the
 * value to write), every value within its table bounds, review <= hold <= freeze
 * scores, six distinct valid topic names, required strings non-empty, and
 * each rdkafka.* property known to librdkafka and not one interdict owns.
 * Returns 0, or -1 with the first problem, "key: why", in errstr. */
int cfg_validate(const cfg *c, char *errstr, size_t errstr_size);

/* Copy the value of every key `pick` accepts (NULL: every key) from src to dst, both
 * initialised; rdkafka.* properties are not copied. Returns 0, or -1 with errstr filled (out
 * of memory; dst then holds some of the values). */
int cfg_copy(cfg *dst, const cfg *src, int (*pick)(const char *key), char *errstr,
             size_t errstr_size);

/* The first key in table order that `pick` accepts (NULL: every key) and whose value differs
 * between a and b. Returns 1 with its name in `key`, or 0 when they agree. */
int cfg_differs(const cfg *a, const cfg *b, int (*pick)(const char *key), char *key,
                size_t key_size);

/* Human-readable table of every key, default and summary (for --help),
 * grouped by section, no line over 100 columns. */
void cfg_print_help(FILE *out);

/* docs/configuration.md, man-page style. The committed file must equal this
 * output; regenerate it with `tests/test_config --write-docs`. */
void cfg_print_markdown(FILE *out);

/* The effective configuration as a commented config file that cfg_load_file
 * reads back to the same values, rdkafka.* included. Defaults keep the
 * spelling of the table; other durations and sizes use the largest exact unit. */
void cfg_print_effective(const cfg *c, FILE *out);

#endif /* IX_CONFIG_H */
