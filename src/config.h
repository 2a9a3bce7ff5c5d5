/* config.h - interdict's configuration: one table drives parsing, defaults,
 * validation, `--help` and docs/configuration.md, so they cannot drift.
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

typedef enum cfg_type {
    CFG_STRING,   /* char *, owned by the cfg */
    CFG_INT,      /* int64_t within [min, max] */
    CFG_BOOL,     /* int: true/false, yes/no, on/off, 1/0 */
    CFG_DURATION, /* int64_t ms: "250ms", "30s", "15m", "2h", "7d", "2w", "0" */
    CFG_SIZE,     /* int64_t bytes: "512", "64KB", "512MiB", "2GB"; 1KB = 1KiB = 1024 */
    CFG_ENUM      /* int index into a NULL-terminated list of names */
} cfg_type;

/* One configuration key. Entries of one section are contiguous in the table,
 * in the order --help and the docs show them. */
typedef struct cfg_entry {
    const char *name;         /* e.g. "topic.transfers" */
    const char *section;      /* heading in --help and docs, e.g. "Kafka" */
    cfg_type type;            /* how the value is parsed and stored */
    size_t offset;            /* offsetof(cfg, field) */
    const char *def;          /* default, written as in the file */
    int64_t min, max;         /* bounds for CFG_INT, CFG_DURATION, CFG_SIZE */
    const char *const *names; /* allowed values for CFG_ENUM */
    const char *summary;      /* one sentence, the line --help shows */
    const char *desc;         /* the rest, for the docs: units, effects, trade-offs */
} cfg_entry;

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
    char *topic_accounts;
    char *topic_watchlist;
    char *topic_reports;
    char *topic_interceptions;
    char *topic_deadletter;
    int64_t topic_partitions; /* used when interdict creates topics */
    int64_t commit_interval_ms;
    int64_t kafka_timeout_ms; /* bound on one blocking broker call */

    /* State */
    char *state_dir;
    int64_t state_cache_bytes;
    int64_t state_retention_ms; /* flows and edges expire after this */
    char *watchlist_file;       /* bulk-loaded at start when set */

    /* Pipeline */
    int64_t workers; /* 0 = one per core */
    int64_t input_max_bytes;
    int64_t input_max_past_ms;
    int64_t input_max_future_ms;
    char *currency; /* the clearing currency, ISO 4217 */

    /* Rules and actions */
    char *rule_set;
    int wl_enabled;
    int64_t wl_score;
    int pt_enabled;
    int64_t pt_score;
    int64_t pt_window_ms;
    int64_t pt_min_amount;
    int64_t pt_ratio_pct;
    int fi_enabled;
    int64_t fi_score;
    int64_t fi_window_ms;
    int64_t fi_min_senders;
    int fo_enabled;
    int64_t fo_score;
    int64_t fo_window_ms;
    int64_t fo_min_receivers;
    int sg_enabled;
    int64_t sg_score;
    int64_t sg_window_ms;
    int64_t sg_min_paths;
    int64_t sg_conserve_pct;
    int gs_enabled;
    int64_t gs_score;
    int64_t gs_window_ms;
    int64_t gs_min_in;
    int64_t gs_min_out;
    int64_t gs_ratio_pct;
    int ch_enabled;
    int64_t ch_score;
    int64_t ch_max_gap_ms;
    int64_t ch_min_hops;
    int64_t ch_conserve_pct;
    int cy_enabled;
    int64_t cy_score;
    int64_t cy_window_ms;
    int64_t cy_max_hops;
    int64_t cy_conserve_pct;
    int bp_enabled;
    int64_t bp_score;
    int64_t bp_window_ms;
    int64_t bp_min_senders;
    int64_t bp_min_receivers;
    int64_t bp_density_pct;
    int64_t bp_stack_score;
    int st_enabled;
    int64_t st_score;
    int64_t st_threshold;
    int64_t st_band_pct;
    int64_t st_min_count;
    int64_t st_window_ms;
    int bu_enabled;
    int64_t bu_score;
    int64_t bu_new_age_ms;
    int64_t bu_new_volume;
    int64_t bu_dormant_after_ms;
    int64_t bu_dormant_volume;
    int tr_enabled;
    int64_t tr_score;
    int64_t tr_depth;
    int64_t tr_horizon_ms;
    int64_t tr_min_amount;
    int64_t search_max_edges;
    int64_t search_max_flows;
    int64_t search_max_visits;
    int64_t action_review_score;
    int64_t action_hold_score;
    int64_t action_freeze_score;
    int64_t incident_cooldown_ms;

    /* Operations */
    int log_level; /* cfg_log_level */
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

    /* rdkafka.* pass-through, in the order given. */
    cfg_kv *rdkafka;
    size_t rdkafka_cnt;
} cfg;

/* The table, terminated by an entry with name == NULL. */
extern const cfg_entry cfg_table[];

/* The entry named `name`, or NULL (rdkafka.* keys have none). */
const cfg_entry *cfg_find(const char *name);

/* Set every key to its default. Returns 0, or -1 with errstr filled. */
int cfg_init(cfg *c, char *errstr, size_t errstr_size);

/* Free everything the cfg owns; c may be NULL. Leaves *c zeroed. */
void cfg_free(cfg *c);

/* Set one key from its textual value, validating type and range. Surrounding
 * whitespace is ignored; control characters are rejected, so every value can
 * be written back to a file. An unknown key's error suggests the closest known
 * one. "rdkafka.*" keys are appended to c->rdkafka, or replace the value of an
 * earlier one in place. On error c is unchanged.
 * Returns 0, or -1 with "key: why" in errstr. */
int cfg_set(cfg *c, const char *key, const char *value, char *errstr, size_t errstr_size);

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
 * cfg_set: every value within its table bounds, review <= hold <= freeze
 * scores, six distinct valid topic names, required strings non-empty, and
 * each rdkafka.* property known to librdkafka and not one interdict owns.
 * Returns 0, or -1 with the first problem, "key: why", in errstr. */
int cfg_validate(const cfg *c, char *errstr, size_t errstr_size);

/* Human-readable table of every key, default and summary (for --help),
 * grouped by section, no line over 100 columns. */
void cfg_print_help(FILE *out);

/* docs/configuration.md, man-page style. The committed file must equal this
 * output; regenerate it with `tests/unit/test_config --write-docs`. */
void cfg_print_markdown(FILE *out);

/* The effective configuration as a commented config file that cfg_load_file
 * reads back to the same values, rdkafka.* included. Defaults keep the
 * spelling of the table; other durations and sizes use the largest exact unit. */
void cfg_print_effective(const cfg *c, FILE *out);

#endif /* IX_CONFIG_H */
