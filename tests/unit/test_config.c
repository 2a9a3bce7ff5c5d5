/* test_config.c - unit tests of the configuration table, parser, validation and generated docs.
 *
 * Run with --write-docs to regenerate docs/configuration.md and docs/interdict.conf.example
 * from the table; test_docs_in_sync fails until the committed files match it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "rules.h"

#define DOCS_MD      IX_SOURCE_DIR "/docs/configuration.md"
#define DOCS_EXAMPLE IX_SOURCE_DIR "/docs/interdict.conf.example"

/* A scratch directory for config files, made per test and removed after it. */
typedef struct fixture {
    char dir[64];
} fixture;

/* ---- helpers ---- */

static void init_ok(cfg *c)
{
    char err[512] = "";

    if (cfg_init(c, err, sizeof(err)) != 0)
        fail_msg("cfg_init: %s", err);
}

static void set_ok(cfg *c, const char *key, const char *value)
{
    char err[512] = "";

    if (cfg_set(c, key, value, err, sizeof(err)) != 0)
        fail_msg("cfg_set(%s, %s): %s", key, value, err);
}

/* Everything in fp from the start, as a malloc'ed string. */
static char *slurp(FILE *fp)
{
    long size;
    char *buf;

    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    size = ftell(fp);
    rewind(fp);
    buf = malloc((size_t)size + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)size, fp), (size_t)size);
    buf[size] = '\0';
    return buf;
}

/* What a printing function writes, as a malloc'ed string. */
static char *capture(void (*print)(const cfg *, FILE *), const cfg *c)
{
    FILE *fp = tmpfile();
    char *text;

    assert_non_null(fp);
    print(c, fp);
    text = slurp(fp);
    fclose(fp);
    return text;
}

/* cfg_set must fail with exactly `want` and leave c unchanged. */
static void set_fails(cfg *c, const char *key, const char *value, const char *want)
{
    char err[512] = "";
    char *before = capture(cfg_print_effective, c), *after;

    assert_int_equal(cfg_set(c, key, value, err, sizeof(err)), -1);
    assert_string_equal(err, want);
    after = capture(cfg_print_effective, c);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void validate_fails(const cfg *c, const char *want)
{
    char err[512] = "";

    assert_int_equal(cfg_validate(c, err, sizeof(err)), -1);
    assert_string_equal(err, want);
}

static void validate_ok(const cfg *c)
{
    char err[512] = "";

    if (cfg_validate(c, err, sizeof(err)) != 0)
        fail_msg("cfg_validate: %s", err);
}

static int64_t num(const cfg *c, const char *key)
{
    cfg_key k;

    assert_true(cfg_find(key, &k));
    assert_int_not_equal(k.e.type, CFG_STRING);
    return cfg_number(c, &k);
}

static const char *str(const cfg *c, const char *key)
{
    cfg_key k;

    assert_true(cfg_find(key, &k));
    assert_int_equal(k.e.type, CFG_STRING);
    return cfg_string(c, &k);
}

/* The values of the rule named `name`, for storing into as code would. */
static cfg_rule *rule_values(cfg *c, const char *name)
{
    for (size_t i = 0; rules_all[i]; i++)
        if (strcmp(rules_all[i]->name, name) == 0)
            return &c->rules[i];
    fail_msg("no rule %s", name);
    return NULL;
}

static void print_help(const cfg *c, FILE *out)
{
    cfg_print_help(out);
}

static void print_markdown(const cfg *c, FILE *out)
{
    cfg_print_markdown(out);
}

static char *read_all(const char *path)
{
    FILE *fp = fopen(path, "rb");
    char *text;

    if (!fp)
        return NULL;
    text = slurp(fp);
    fclose(fp);
    return text;
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");

    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
    assert_int_equal(fclose(fp), 0);
}

/* Path of `name` in the fixture directory, in buf. */
static const char *fx_path(const fixture *fx, const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", fx->dir, name);
    return buf;
}

static int fx_setup(void **state)
{
    fixture *fx = calloc(1, sizeof(*fx));

    assert_non_null(fx);
    snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_config.XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    *state = fx;
    return 0;
}

static int fx_teardown(void **state)
{
    fixture *fx = *state;
    DIR *d = opendir(fx->dir);
    struct dirent *de;
    char path[512];

    while (d && (de = readdir(d)) != NULL)
        if (de->d_name[0] != '.')
            unlink(fx_path(fx, de->d_name, path, sizeof(path)));
    if (d)
        closedir(d);
    rmdir(fx->dir);
    free(fx);
    return 0;
}

/* Load `text` as a file named "t.conf" into c; returns cfg_load_file's result. */
static int load_text(const fixture *fx, cfg *c, const char *text, char *err, size_t size)
{
    char path[512];

    write_file(fx_path(fx, "t.conf", path, sizeof(path)), text);
    return cfg_load_file(c, path, err, size);
}

static void assert_cfg_equal(const cfg *a, const cfg *b)
{
    cfg_key k = {0};

    while (cfg_key_next(&k)) {
        const char *name = k.e.name;
        if (k.e.type == CFG_STRING) {
            if (strcmp(str(a, name), str(b, name)) != 0)
                fail_msg("%s: \"%s\" != \"%s\"", name, str(a, name), str(b, name));
        } else if (num(a, name) != num(b, name)) {
            fail_msg("%s: %lld != %lld", name, (long long)num(a, name), (long long)num(b, name));
        }
    }
    assert_int_equal(a->rdkafka_cnt, b->rdkafka_cnt);
    for (size_t i = 0; i < a->rdkafka_cnt; i++) {
        assert_string_equal(a->rdkafka[i].key, b->rdkafka[i].key);
        assert_string_equal(a->rdkafka[i].value, b->rdkafka[i].value);
    }
}

/* ---- the table ---- */

static size_t type_size(cfg_type t)
{
    if (t == CFG_STRING)
        return sizeof(char *);
    if (t == CFG_BOOL || t == CFG_ENUM)
        return sizeof(int);
    return sizeof(int64_t);
}

static size_t type_align(cfg_type t)
{
    if (t == CFG_STRING)
        return _Alignof(char *);
    if (t == CFG_BOOL || t == CFG_ENUM)
        return _Alignof(int);
    return _Alignof(int64_t);
}

static size_t align_up(size_t v, size_t a)
{
    return (v + a - 1) / a * a;
}

/* Sort rows by offset (insertion sort into `sorted`, at most `max`). */
static void sort_by_offset(const cfg_entry **sorted, size_t *n, size_t max, const cfg_entry *e)
{
    size_t i = (*n)++;

    assert_true(*n <= max);
    while (i > 0 && sorted[i - 1]->offset > e->offset) {
        sorted[i] = sorted[i - 1];
        i--;
    }
    sorted[i] = e;
}

/* Rows in offset order must tile a struct from offset 0: a field without a row, or two rows on
 * one field, leaves a gap or an overlap. Returns where the last field ends. */
static size_t tile(const cfg_entry *const *sorted, size_t n, const char *what)
{
    size_t at = 0;

    for (size_t i = 0; i < n; i++) {
        at = align_up(at, type_align(sorted[i]->type));
        if (sorted[i]->offset != at)
            fail_msg("%s %s: offset %zu, expected %zu (a field has no key, or two keys share "
                     "one)",
                     what, sorted[i]->name, sorted[i]->offset, at);
        at += type_size(sorted[i]->type);
    }
    return at;
}

/* The core keys tile struct cfg up to the rules' values. */
static void test_table_covers_every_field(void **state)
{
    const cfg_entry *sorted[128];
    cfg_entry rows[128];
    size_t n = 0, nrows = 0;
    cfg_key k = {0};

    while (cfg_key_next(&k)) {
        if (k.rule != CFG_CORE)
            continue;
        assert_true(nrows < 128);
        rows[nrows] = k.e;
        sort_by_offset(sorted, &n, 128, &rows[nrows++]);
    }
    assert_int_equal(align_up(tile(sorted, n, "struct cfg:"), _Alignof(cfg_rule *)),
                     offsetof(cfg, rules));
}

/* Each rule's own keys tile the struct they are stored in, which is as large as its map says. */
static void test_rule_keys_cover_their_struct(void **state)
{
    for (size_t r = 0; rules_all[r]; r++) {
        const cfg_rule_map *m = &rules_all[r]->config;
        const cfg_entry *sorted[32];
        size_t n = 0;

        for (size_t i = 0; m->keys && m->keys[i].name; i++)
            sort_by_offset(sorted, &n, 32, &m->keys[i]);
        assert_int_equal(align_up(tile(sorted, n, rules_all[r]->name), _Alignof(int64_t)), m->size);
        assert_non_null(m->score);
        assert_true(m->what || (m->enabled_text.summary && m->enabled_text.desc));
    }
}

/* Every rule that screens transfers has its keys: it is one of rules_all, whose names are
 * distinct. */
static void test_every_rule_has_keys(void **state)
{
    char errstr[256];
    rules *rs = NULL;
    cfg c;

    for (size_t i = 0; rules_table[i]; i++) {
        int found = 0;
        for (size_t j = 0; rules_all[j]; j++)
            found += rules_all[j] == rules_table[i];
        assert_int_equal(found, 1);
    }
    for (size_t i = 0; rules_all[i]; i++)
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(rules_all[i]->name, rules_all[j]->name);
    init_ok(&c);
    assert_int_equal(rules_create(&c, &rs, errstr, sizeof(errstr)), 0);
    for (size_t i = 0; rules_all[i]; i++)
        assert_ptr_equal(rules_conf(rs, rules_all[i]), cfg_rule_at(&c, i));
    assert_null(cfg_rule_at(&c, c.rules_cnt));
    rules_destroy(rs);
    cfg_free(&c);
}

static void test_table_entries_well_formed(void **state)
{
    static const char *const sections[] = {"Kafka", "Pipeline", "Topics",     "State",
                                           "Rules", "Actions",  "Operations", NULL};
    int section_starts = 0;
    const char *section = NULL;
    cfg_key k = {0}, o;

    while (cfg_key_next(&k)) {
        const cfg_entry *e = &k.e;
        int known = 0;
        assert_int_equal(strspn(e->name, "abcdefghijklmnopqrstuvwxyz0123456789."), strlen(e->name));
        assert_null(strstr(e->name, "rdkafka"));
        assert_true(strlen(e->name) < CFG_NAME_MAX - 1); /* not cut short */
        memset(&o, 0, sizeof(o));
        while (cfg_key_next(&o) && !(o.row == k.row && o.rule == k.rule && o.item == k.item))
            assert_string_not_equal(o.e.name, e->name);
        for (int i = 0; sections[i]; i++)
            known |= strcmp(sections[i], e->section) == 0;
        if (!known)
            fail_msg("%s: unknown section %s", e->name, e->section);
        /* Sections are contiguous: each starts once. */
        section_starts += !section || strcmp(section, e->section) != 0;
        section = e->section;
        assert_non_null(e->summary);
        assert_true(strlen(e->summary) > 10 && strlen(e->summary) <= 80);
        assert_int_equal(e->summary[strlen(e->summary) - 1], '.');
        assert_true(strlen(e->desc) > 40);
        if (e->type == CFG_INT || e->type == CFG_DURATION || e->type == CFG_SIZE ||
            e->type == CFG_MONEY)
            assert_true(e->min <= e->max);
        if (e->type == CFG_ENUM)
            assert_non_null(e->names);
    }
    assert_int_equal(section_starts, 7);
    assert_int_equal(cfg_key_next(&k), 0); /* and stays at the end */
}

static void test_find(void **state)
{
    cfg_key k;

    assert_true(cfg_find("topic.deadletter", &k));
    assert_string_equal(k.e.name, "topic.deadletter");
    assert_int_equal(k.rule, CFG_CORE);
    assert_false(cfg_find("topic", &k));
    assert_false(cfg_find("rdkafka.debug", &k));
    /* A rule's keys: the common ones with texts made from its name, and its own. */
    assert_true(cfg_find("rules.chain.score", &k));
    assert_string_equal(k.e.name, "rules.chain.score");
    assert_string_equal(k.e.section, "Rules");
    assert_string_equal(k.e.def, "60");
    assert_string_equal(k.e.summary, "Score of a chain finding, from 0 to 100.");
    assert_true(cfg_find("rules.trace.enabled", &k));
    assert_string_equal(k.e.desc, "The rule for victim report: follow a reported transfer's "
                                  "money downstream and freeze where it went. See docs/rules.md.");
    assert_true(cfg_find("rules.bipartite.stack.score", &k));
    assert_int_equal(k.e.type, CFG_INT);
    assert_true(cfg_find("rules.search.max.flows", &k));
    assert_int_equal(k.rule, CFG_CORE);
    assert_false(cfg_find("rules.chain", &k));
    assert_false(cfg_find("rules.chain.", &k));
    assert_false(cfg_find("rules.chainx.score", &k));
    assert_false(cfg_find("rules.watchlist.window", &k));
}

/* ---- defaults ---- */

static void test_defaults(void **state)
{
    cfg c;

    init_ok(&c);
    assert_string_equal(c.brokers, "127.0.0.1:9092");
    assert_string_equal(c.group_id, "interdict");
    assert_string_equal(c.instance_id, "interdict-1");
    assert_string_equal(c.topic_transfers, "transfers");
    assert_string_equal(c.topic_accounts, "accounts");
    assert_string_equal(c.topic_watchlist, "watchlist");
    assert_string_equal(c.topic_reports, "fraud-reports");
    assert_string_equal(c.topic_interceptions, "interceptions");
    assert_string_equal(c.topic_deadletter, "interdict-deadletter");
    assert_int_equal(c.topic_partitions, 12);
    assert_int_equal(c.commit_interval_ms, 500);
    assert_int_equal(c.kafka_timeout_ms, 30 * 1000);
    assert_string_equal(c.state_dir, "./interdict-state");
    assert_int_equal(c.state_cache_bytes, 512LL * 1024 * 1024);
    assert_string_equal(c.watchlist_file, "");
    assert_int_equal(c.workers, 0);
    assert_int_equal(c.input_max_bytes, 64 * 1024);
    assert_int_equal(c.input_max_past_ms, 30LL * 24 * 3600 * 1000);
    assert_int_equal(c.input_max_future_ms, 5 * 60 * 1000);
    assert_string_equal(c.rule_set, "2026.12-1");
    assert_int_equal(num(&c, "rules.watchlist.enabled"), 1);
    assert_int_equal(num(&c, "rules.watchlist.score"), 100);
    assert_int_equal(num(&c, "rules.passthrough.window"), 30 * 60 * 1000);
    assert_int_equal(num(&c, "rules.bipartite.stack.score"), 80);
    assert_int_equal(c.action_review_score, 20);
    assert_int_equal(c.action_hold_score, 50);
    assert_int_equal(c.action_freeze_score, 80);
    assert_int_equal(c.incident_cooldown_ms, 24LL * 3600 * 1000);
    assert_int_equal(c.log_level, CFG_LOG_INFO);
    assert_int_equal(c.rdkafka_cnt, 0);
    validate_ok(&c);
    cfg_free(&c);
}

/* The defaults as printed are the table's text, so --help, the docs and the example file
 * show what cfg_init actually sets. */
static void test_defaults_print_as_table(void **state)
{
    cfg c;
    char *out, line[512];

    init_ok(&c);
    out = capture(cfg_print_effective, &c);
    for (cfg_key k = {0}; cfg_key_next(&k);) {
        const cfg_entry *e = &k.e;
        snprintf(line, sizeof(line), "\n%s =%s%s\n", e->name, *e->def ? " " : "", e->def);
        if (!strstr(out, line))
            fail_msg("default of %s does not print as \"%s\"", e->name, e->def);
    }
    free(out);
    cfg_free(&c);
}

/* ---- cfg_set by type ---- */

static void test_set_string(void **state)
{
    cfg c;
    char buf[] = "  kafka-1:9092, kafka-2:9092 \t";

    init_ok(&c);
    set_ok(&c, "brokers", buf);
    buf[2] = 'X'; /* the cfg holds its own copy */
    assert_string_equal(c.brokers, "kafka-1:9092, kafka-2:9092");
    set_ok(&c, "watchlist.file", "/srv/lists/mules.jsonl");
    set_ok(&c, "watchlist.file", "");
    assert_string_equal(c.watchlist_file, "");
    set_ok(&c, "group.id", "a=b # not a comment");
    assert_string_equal(c.group_id, "a=b # not a comment");
    set_fails(&c, "group.id", "evil\ninjected = 1",
              "group.id: the value contains a control "
              "character");
    set_fails(&c, "group.id", NULL, "group.id: no value");
    cfg_free(&c);
}

/* Errors quote what was given; bytes that are no printable ASCII come back
 * as \xNN, so an error cannot write escape sequences or binary to a
 * terminal or a log. */
static void test_errors_escape_bytes(void **state)
{
    cfg c;
    char err[256];

    (void)state;
    init_ok(&c);
    assert_int_equal(cfg_set(&c, "workers", "\xff\xfe", err, sizeof(err)), -1);
    assert_string_equal(err, "workers: \"\\xff\\xfe\" is not an integer");
    assert_int_equal(cfg_set(&c, "wor\x1b[31mkers", "1", err, sizeof(err)), -1);
    assert_string_equal(err, "wor\\x1b[31mkers: unknown key (interdict --help lists them all)");
    assert_int_equal(cfg_set_pair(&c, "\x1b]0;x\x07", err, sizeof(err)), -1);
    assert_string_equal(err, "-X \\x1b]0;x\\x07: expected KEY=VALUE");
    cfg_free(&c);
}

/* -X KEY=VALUE: split at the first '=', the rest is the value. */
static void test_set_pair(void **state)
{
    cfg c;
    char err[256];

    (void)state;
    init_ok(&c);
    assert_int_equal(cfg_set_pair(&c, "workers=3", err, sizeof(err)), 0);
    assert_int_equal(c.workers, 3);
    assert_int_equal(cfg_set_pair(&c, "group.id=a=b", err, sizeof(err)), 0);
    assert_string_equal(c.group_id, "a=b");
    assert_int_equal(cfg_set_pair(&c, "workers", err, sizeof(err)), -1);
    assert_string_equal(err, "-X workers: expected KEY=VALUE");
    assert_int_equal(cfg_set_pair(&c, "=3", err, sizeof(err)), -1);
    assert_string_equal(err, "-X =3: expected KEY=VALUE");
    assert_int_equal(cfg_set_pair(&c, "workers=999", err, sizeof(err)), -1);
    assert_string_equal(err, "workers: 999 is above the maximum 256");
    assert_int_equal(c.workers, 3);
    cfg_free(&c);
}

static void test_set_int(void **state)
{
    cfg c;

    init_ok(&c);
    set_ok(&c, "workers", "256");
    assert_int_equal(c.workers, 256);
    set_ok(&c, "workers", " 0 ");
    assert_int_equal(c.workers, 0);
    set_fails(&c, "workers", "257", "workers: 257 is above the maximum 256");
    set_fails(&c, "workers", "-1", "workers: -1 is below the minimum 0");
    set_fails(&c, "topic.partitions", "0", "topic.partitions: 0 is below the minimum 1");
    set_fails(&c, "workers", "four", "workers: \"four\" is not an integer");
    set_fails(&c, "workers", "4x", "workers: \"4x\" is not an integer");
    set_fails(&c, "workers", "0x10", "workers: \"0x10\" is not an integer");
    set_fails(&c, "workers", "+4", "workers: \"+4\" is not an integer");
    set_fails(&c, "workers", "", "workers: \"\" is not an integer");
    set_fails(&c, "workers", "99999999999999999999",
              "workers: \"99999999999999999999\" is too large");
    cfg_free(&c);
}

static void test_set_bool(void **state)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    cfg c;

    init_ok(&c);
    for (int i = 0; i < 4; i++) {
        set_ok(&c, "rules.watchlist.enabled", no[i]);
        assert_int_equal(rule_values(&c, "watchlist")->enabled, 0);
        set_ok(&c, "rules.watchlist.enabled", yes[i]);
        assert_int_equal(rule_values(&c, "watchlist")->enabled, 1);
    }
    set_fails(&c, "rules.watchlist.enabled", "maybe",
              "rules.watchlist.enabled: \"maybe\" is not a boolean (use true/false, yes/no, "
              "on/off or 1/0)");
    set_fails(&c, "rules.watchlist.enabled", "2",
              "rules.watchlist.enabled: \"2\" is not a boolean (use true/false, yes/no, "
              "on/off or 1/0)");
    set_fails(&c, "rules.watchlist.enabled", "TRUE",
              "rules.watchlist.enabled: \"TRUE\" is not a boolean (use true/false, yes/no, "
              "on/off or 1/0)");
    cfg_free(&c);
}

static void test_set_duration(void **state)
{
    static const struct {
        const char *text;
        int64_t ms;
    } ok[] = {
        {"250ms", 250},     {"30s", 30000}, {"15m", 900000},     {"2h", 7200000}, {"7d", 604800000},
        {"2w", 1209600000}, {"0", 0},       {"1440m", 86400000}, {"90s", 90000},
    };
    cfg c;

    init_ok(&c);
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        /* Two keys, as no single range spans all the examples. */
        if (ok[i].ms >= 60000) {
            set_ok(&c, "input.max.past", ok[i].text);
            assert_int_equal(c.input_max_past_ms, ok[i].ms);
        }
        if (ok[i].ms <= 86400000) {
            set_ok(&c, "input.max.future", ok[i].text);
            assert_int_equal(c.input_max_future_ms, ok[i].ms);
        }
    }
    set_fails(&c, "commit.interval", "500",
              "commit.interval: \"500\" needs a unit (ms, s, m, h, d or w), e.g. \"500ms\" or "
              "\"500s\"");
    set_fails(&c, "commit.interval", "5x",
              "commit.interval: \"5x\" has an unknown unit \"x\" (use ms, s, m, h, d or w)");
    set_fails(&c, "commit.interval", "5S",
              "commit.interval: \"5S\" has an unknown unit \"S\" (use ms, s, m, h, d or w)");
    set_fails(&c, "commit.interval", "5 s",
              "commit.interval: \"5 s\" has an unknown unit \" s\" (use ms, s, m, h, d or w)");
    set_fails(&c, "commit.interval", "1.5s",
              "commit.interval: \"1.5s\" has an unknown unit \".5s\" (use ms, s, m, h, d or w)");
    set_fails(&c, "commit.interval", "-5s",
              "commit.interval: \"-5s\" is not a duration (a number and a unit: ms, s, m, h, d "
              "or w)");
    set_fails(&c, "commit.interval", "s",
              "commit.interval: \"s\" is not a duration (a number and a unit: ms, s, m, h, d "
              "or w)");
    set_fails(&c, "commit.interval", "5ms", "commit.interval: 5ms is below the minimum 10ms");
    set_fails(&c, "commit.interval", "31s", "commit.interval: 31s is above the maximum 30s");
    set_fails(&c, "commit.interval", "0", "commit.interval: 0 is below the minimum 10ms");
    set_fails(&c, "commit.interval", "99999999999999999w",
              "commit.interval: \"99999999999999999w\" is too large");
    set_fails(&c, "input.max.past", "3651d", "input.max.past: 3651d is above the maximum 3650d");
    cfg_free(&c);
}

static void test_set_size(void **state)
{
    static const struct {
        const char *text;
        int64_t bytes;
    } ok[] = {
        {"4096", 4096},    {"64KB", 65536}, {"64KiB", 65536},   {"2MB", 2097152},
        {"2MiB", 2097152}, {"1536B", 1536}, {"16MB", 16777216},
    };
    cfg c;

    init_ok(&c);
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        set_ok(&c, "input.max.bytes", ok[i].text);
        assert_int_equal(c.input_max_bytes, ok[i].bytes);
    }
    set_ok(&c, "state.cache.size", "2GB");
    assert_int_equal(c.state_cache_bytes, 2LL << 30);
    set_ok(&c, "state.cache.size", "3GiB");
    assert_int_equal(c.state_cache_bytes, 3LL << 30);
    set_ok(&c, "state.cache.size", "1TB");
    assert_int_equal(c.state_cache_bytes, 1LL << 40);
    set_ok(&c, "state.cache.size", "1TiB");
    set_fails(&c, "state.cache.size", "2TB", "state.cache.size: 2TB is above the maximum 1TB");
    set_fails(&c, "state.cache.size", "1MB", "state.cache.size: 1MB is below the minimum 8MB");
    set_fails(&c, "input.max.bytes", "1000", "input.max.bytes: 1000 is below the minimum 1KB");
    set_fails(&c, "input.max.bytes", "64kb",
              "input.max.bytes: \"64kb\" has an unknown unit \"kb\" (use KB, MB, GB, TB (or KiB, "
              "MiB, GiB, TiB), all powers of 1024)");
    set_fails(&c, "input.max.bytes", "64K",
              "input.max.bytes: \"64K\" has an unknown unit \"K\" (use KB, MB, GB, TB (or KiB, "
              "MiB, GiB, TiB), all powers of 1024)");
    set_fails(&c, "input.max.bytes", "big",
              "input.max.bytes: \"big\" is not a size (bytes, or a number and a unit: KB, MB, "
              "GB, TB (or KiB, MiB, GiB, TiB), all powers of 1024)");
    set_fails(&c, "state.cache.size", "9999999999TB",
              "state.cache.size: \"9999999999TB\" is too large");
    cfg_free(&c);
}

static void test_set_enum(void **state)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    cfg c;

    init_ok(&c);
    for (int i = 0; i < 4; i++) {
        set_ok(&c, "log.level", names[i]);
        assert_int_equal(c.log_level, i);
    }
    set_fails(&c, "log.level", "verbose",
              "log.level: \"verbose\" is not one of error, warn, info, debug");
    set_fails(&c, "log.level", "INFO",
              "log.level: \"INFO\" is not one of error, warn, info, debug");
    set_fails(&c, "log.level", "2", "log.level: \"2\" is not one of error, warn, info, debug");
    cfg_free(&c);
}

static void test_unknown_keys(void **state)
{
    cfg c;

    init_ok(&c);
    set_fails(&c, "topic.transfer", "x",
              "topic.transfer: unknown key (did you mean \"topic.transfers\"?)");
    set_fails(&c, "comit.interval", "1s",
              "comit.interval: unknown key (did you mean \"commit.interval\"?)");
    set_fails(&c, "log_level", "info", "log_level: unknown key (did you mean \"log.level\"?)");
    set_fails(&c, "Workers", "4", "Workers: unknown key (did you mean \"workers\"?)");
    set_fails(&c, "action.frezee.score", "90",
              "action.frezee.score: unknown key (did you mean \"action.freeze.score\"?)");
    set_fails(&c, "fetch.wait.max.ms", "10",
              "fetch.wait.max.ms: unknown key (librdkafka properties take the \"rdkafka.\" "
              "prefix: \"rdkafka.fetch.wait.max.ms\")");
    set_fails(&c, "message.timeout.ms", "30000",
              "message.timeout.ms: unknown key (librdkafka properties take the \"rdkafka.\" "
              "prefix: \"rdkafka.message.timeout.ms\")");
    set_fails(&c, "bootstrap.servers", "k:9092",
              "bootstrap.servers: unknown key; interdict sets librdkafka's bootstrap.servers "
              "itself (use the brokers key)");
    set_fails(&c, "auto.offset.reset", "latest",
              "auto.offset.reset: unknown key; interdict sets librdkafka's auto.offset.reset "
              "itself (a new group starts at the earliest offset, so no input is skipped)");
    set_fails(&c, "frobnicate", "1", "frobnicate: unknown key (interdict --help lists them all)");
    set_fails(&c, "", "1", "(empty): a key is missing");
    cfg_free(&c);
}

/* ---- rdkafka pass-through ---- */

static void test_rdkafka_passthrough(void **state)
{
    cfg c;

    init_ok(&c);
    set_ok(&c, "rdkafka.security.protocol", "ssl");
    set_ok(&c, "rdkafka.consumer.fetch.wait.max.ms", "10");
    set_ok(&c, "rdkafka.linger.ms", "5");
    set_ok(&c, "rdkafka.security.protocol", " plaintext ");
    assert_int_equal(c.rdkafka_cnt, 3);
    assert_string_equal(c.rdkafka[0].key, "security.protocol");
    assert_string_equal(c.rdkafka[0].value, "plaintext");
    assert_string_equal(c.rdkafka[1].key, "consumer.fetch.wait.max.ms");
    assert_string_equal(c.rdkafka[1].value, "10");
    assert_string_equal(c.rdkafka[2].key, "linger.ms");
    assert_string_equal(c.rdkafka[2].value, "5");
    set_fails(&c, "rdkafka.", "x", "rdkafka.: not a librdkafka property name");
    set_fails(&c, "rdkafka.a b", "x", "rdkafka.a b: not a librdkafka property name");
    set_fails(&c, "rdkafka.debug", "a\tb", "rdkafka.debug: the value contains a control character");
    assert_int_equal(c.rdkafka_cnt, 3);
    validate_ok(&c);
    cfg_free(&c);
}

/* ---- files ---- */

static void test_load_file(void **state)
{
    const fixture *fx = *state;
    char err[512] = "";
    cfg c;

    init_ok(&c);
    assert_int_equal(load_text(fx, &c,
                               "# interdict test config\n"
                               "\n"
                               "brokers = k1:9092,k2:9092\n"
                               "   # an indented comment\n"
                               "group.id=tight\n"
                               "\tinstance.id \t=\t spaced-out  \t\n"
                               "rule.set = a=b=c\n"
                               "state.dir = /srv/state # stays part of the value\n"
                               "watchlist.file =\n"
                               "workers = 3\r\n"
                               "   \n"
                               "workers = 4\n"
                               "commit.interval = 250ms\n"
                               "rdkafka.client.id = screener\n"
                               "log.level = debug",
                               err, sizeof(err)),
                     0);
    assert_string_equal(c.brokers, "k1:9092,k2:9092");
    assert_string_equal(c.group_id, "tight");
    assert_string_equal(c.instance_id, "spaced-out");
    assert_string_equal(c.rule_set, "a=b=c");
    assert_string_equal(c.state_dir, "/srv/state # stays part of the value");
    assert_string_equal(c.watchlist_file, "");
    assert_int_equal(c.workers, 4);
    assert_int_equal(c.commit_interval_ms, 250);
    assert_int_equal(c.log_level, CFG_LOG_DEBUG);
    assert_int_equal(c.rdkafka_cnt, 1);
    assert_string_equal(c.rdkafka[0].value, "screener");
    cfg_free(&c);
}

static void test_load_file_bom_and_empty(void **state)
{
    const fixture *fx = *state;
    char err[512] = "";
    cfg c;

    init_ok(&c);
    assert_int_equal(load_text(fx, &c, "\xEF\xBB\xBFworkers = 2\n", err, sizeof(err)), 0);
    assert_int_equal(c.workers, 2);
    assert_int_equal(load_text(fx, &c, "", err, sizeof(err)), 0);
    assert_int_equal(c.workers, 2);
    cfg_free(&c);
}

/* "group.id = ab\0cd" read as "ab" before: a NUL ends C strings, so it is
 * refused rather than cut at. */
static void test_load_file_nul(void **state)
{
    const fixture *fx = *state;
    char err[512] = "", path[512], want[600];
    static const char text[] = "workers = 2\ngroup.id = ab\0cd\n";
    cfg c;

    init_ok(&c);
    fx_path(fx, "nul.conf", path, sizeof(path));
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, sizeof(text) - 1, fp), sizeof(text) - 1);
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(cfg_load_file(&c, path, err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "%s:2: a NUL byte in the line", path);
    assert_string_equal(err, want);
    assert_string_not_equal(c.group_id, "ab");
    cfg_free(&c);
}

/* Load `text` and expect exactly "<path>:<want>". */
static void load_fails(const fixture *fx, const char *text, const char *want)
{
    char err[512] = "", expect[1024], path[512];
    cfg c;

    init_ok(&c);
    assert_int_equal(load_text(fx, &c, text, err, sizeof(err)), -1);
    snprintf(expect, sizeof(expect), "%s:%s", fx_path(fx, "t.conf", path, sizeof(path)), want);
    assert_string_equal(err, expect);
    cfg_free(&c);
}

static void test_load_file_errors(void **state)
{
    const fixture *fx = *state;

    load_fails(fx, "# ok\nworkers = 2\njust some words\n", "3: expected \"key = value\"");
    load_fails(fx, "workers = 2\n = 5\n", "2: missing key before '='");
    load_fails(fx, "\n\nworkers = 300\n", "3: workers: 300 is above the maximum 256");
    load_fails(fx, "topic.transfer = t\n",
               "1: topic.transfer: unknown key (did you mean \"topic.transfers\"?)");
    load_fails(fx, "# c\n\n# c\ncommit.interval = 500\n",
               "4: commit.interval: \"500\" needs a unit (ms, s, m, h, d or w), e.g. \"500ms\" "
               "or \"500s\"");
    load_fails(fx, "log.level = loud\n",
               "1: log.level: \"loud\" is not one of error, warn, info, debug");
    load_fails(fx,
               "group.id = a\x01"
               "b\n",
               "1: group.id: the value contains a control character");
}

static void test_load_file_missing(void **state)
{
    const fixture *fx = *state;
    char err[512] = "", path[512], want[1024];
    cfg c;

    init_ok(&c);
    fx_path(fx, "absent.conf", path, sizeof(path));
    assert_int_equal(cfg_load_file(&c, path, err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "%s: No such file or directory", path);
    assert_string_equal(err, want);
    assert_int_equal(cfg_load_file(&c, fx->dir, err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "%s: Is a directory", fx->dir);
    assert_string_equal(err, want);
    cfg_free(&c);
}

/* Defaults, then the file, then -X: each later source wins key by key. */
static void test_later_sources_win(void **state)
{
    const fixture *fx = *state;
    char err[512] = "";
    cfg c;

    init_ok(&c);
    assert_int_equal(
        load_text(fx, &c, "workers = 2\nlog.level = warn\nworkers = 3\n", err, sizeof(err)), 0);
    set_ok(&c, "log.level", "debug"); /* as -X log.level=debug */
    assert_int_equal(c.workers, 3);
    assert_int_equal(c.log_level, CFG_LOG_DEBUG);
    assert_int_equal(c.topic_partitions, 12);
    cfg_free(&c);
}

/* ---- validation ---- */

static void test_validate_scores(void **state)
{
    cfg c;

    init_ok(&c);
    set_ok(&c, "action.review.score", "60");
    validate_fails(&c, "action.hold.score: 50 is below action.review.score (60); scores must "
                       "rise from review to hold to freeze");
    set_ok(&c, "action.review.score", "50");
    validate_ok(&c); /* equal thresholds are allowed: that action is never asked for */
    set_ok(&c, "action.freeze.score", "40");
    validate_fails(&c, "action.freeze.score: 40 is below action.hold.score (50); scores must "
                       "rise from review to hold to freeze");
    set_ok(&c, "action.freeze.score", "50");
    validate_ok(&c);
    cfg_free(&c);
}

static void test_validate_topics(void **state)
{
    char long_name[300];
    cfg c;

    init_ok(&c);
    set_ok(&c, "topic.interceptions", "transfers");
    validate_fails(&c, "topic.interceptions: \"transfers\" is also the value of topic.transfers");
    set_ok(&c, "topic.interceptions", "interceptions");
    set_ok(&c, "topic.deadletter", "watchlist");
    validate_fails(&c, "topic.deadletter: \"watchlist\" is also the value of topic.watchlist");
    set_ok(&c, "topic.deadletter", "dlq.v1_x-y");
    validate_ok(&c);
    set_ok(&c, "topic.reports", "fraud reports");
    validate_fails(&c, "topic.reports: \"fraud reports\" is not a valid topic name (1 to 249 of "
                       "a-z A-Z 0-9 . _ -)");
    set_ok(&c, "topic.reports", "");
    validate_fails(&c,
                   "topic.reports: \"\" is not a valid topic name (1 to 249 of a-z A-Z 0-9 . _ -)");
    set_ok(&c, "topic.reports", "..");
    validate_fails(&c, "topic.reports: \"..\" is not a valid topic name (1 to 249 of a-z A-Z "
                       "0-9 . _ -)");
    memset(long_name, 'r', 249);
    long_name[249] = '\0';
    set_ok(&c, "topic.reports", long_name);
    validate_ok(&c);
    long_name[249] = 'r';
    long_name[250] = '\0';
    set_ok(&c, "topic.reports", long_name);
    assert_int_equal(cfg_validate(&c, NULL, 0), -1);
    cfg_free(&c);
}

static void test_validate_required(void **state)
{
    static const char *const keys[] = {"brokers", "group.id", "instance.id", "state.dir",
                                       "rule.set"};
    char want[128];
    cfg c;

    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        init_ok(&c);
        set_ok(&c, keys[i], " ");
        snprintf(want, sizeof(want), "%s: must not be empty", keys[i]);
        validate_fails(&c, want);
        cfg_free(&c);
    }
    init_ok(&c);
    free(c.state_dir); /* a cfg filled in by code may hold NULL */
    c.state_dir = NULL;
    validate_fails(&c, "state.dir: must not be empty");
    cfg_free(&c);
}

static void test_validate_rule_set(void **state)
{
    cfg c;

    init_ok(&c);
    set_ok(&c, "rule.set", "123456789012345");
    validate_ok(&c);
    set_ok(&c, "rule.set", "1234567890123456");
    validate_fails(&c, "rule.set: \"1234567890123456\" is longer than 15 characters");
    set_ok(&c, "rule.set", "A-z.0_9:x");
    validate_ok(&c);
    /* The schema's [A-Za-z0-9._:-]{1,15}: what would break a freeze request. */
    set_ok(&c, "rule.set", "2026 v1");
    validate_fails(&c, "rule.set: byte 5 (0x20) is not one of A-Z a-z 0-9 . _ : - (the "
                       "freeze-request schema's rule_set)");
    set_ok(&c, "rule.set", "v\"1");
    validate_fails(&c, "rule.set: byte 2 (0x22) is not one of A-Z a-z 0-9 . _ : - (the "
                       "freeze-request schema's rule_set)");
    set_ok(&c, "rule.set", "a\\b");
    validate_fails(&c, "rule.set: byte 2 (0x5c) is not one of A-Z a-z 0-9 . _ : - (the "
                       "freeze-request schema's rule_set)");
    set_ok(&c, "rule.set", "r\xc3\xa8gle");
    validate_fails(&c, "rule.set: byte 2 (0xc3) is not one of A-Z a-z 0-9 . _ : - (the "
                       "freeze-request schema's rule_set)");
    set_ok(&c, "rule.set", "");
    validate_fails(&c, "rule.set: must not be empty");
    cfg_free(&c);
}

/* Values stored by code, bypassing cfg_set, are held to the table's bounds. */
static void test_validate_bounds(void **state)
{
    cfg c;
    cfg_key k;
    int64_t *hops;

    init_ok(&c);
    c.commit_interval_ms = 5;
    validate_fails(&c, "commit.interval: 5ms is below the minimum 10ms");
    c.commit_interval_ms = 10;
    validate_ok(&c);
    c.workers = 1000;
    validate_fails(&c, "workers: 1000 is above the maximum 256");
    c.workers = 0;
    rule_values(&c, "watchlist")->enabled = 2;
    validate_fails(&c, "rules.watchlist.enabled: 2 is not a boolean");
    rule_values(&c, "watchlist")->enabled = 0;
    assert_true(cfg_find("rules.cycle.max.hops", &k));
    hops = (int64_t *)((char *)rule_values(&c, "cycle")->params + k.e.offset);
    *hops = 17;
    validate_fails(&c, "rules.cycle.max.hops: 17 is above the maximum 16");
    *hops = 16;
    c.log_level = 4;
    validate_fails(&c, "log.level: 4 is not a valid choice");
    c.log_level = CFG_LOG_ERROR;
    validate_ok(&c);
    cfg_free(&c);
}

static void test_validate_rdkafka(void **state)
{
    cfg c;

    init_ok(&c);
    set_ok(&c, "rdkafka.consumer.fetch.wait.max.ms", "10");
    set_ok(&c, "rdkafka.producer.linger.ms", "5");
    set_ok(&c, "rdkafka.producer.message.timeout.ms", "30000"); /* a topic-level property */
    set_ok(&c, "rdkafka.statistics.interval.ms", "60000");
    validate_ok(&c);
    set_ok(&c, "rdkafka.fetch.wiat.max.ms", "10");
    validate_fails(
        &c, "rdkafka.fetch.wiat.max.ms: No such configuration property: \"fetch.wiat.max.ms\"");
    cfg_free(&c);

    init_ok(&c);
    set_ok(&c, "rdkafka.linger.ms", "soon");
    assert_int_equal(cfg_validate(&c, NULL, 0), -1);
    cfg_free(&c);

    init_ok(&c);
    set_ok(&c, "rdkafka.producer.enable.idempotence", "false");
    validate_fails(&c, "rdkafka.producer.enable.idempotence: interdict sets this itself "
                       "(exactly-once delivery depends on it)");
    cfg_free(&c);

    init_ok(&c);
    set_ok(&c, "rdkafka.consumer.auto.offset.reset", "latest");
    validate_fails(&c, "rdkafka.consumer.auto.offset.reset: interdict sets this itself (a new "
                       "group starts at the earliest offset, so no input is skipped)");
    cfg_free(&c);

    init_ok(&c);
    set_ok(&c, "rdkafka.bootstrap.servers", "k:9092");
    validate_fails(&c, "rdkafka.bootstrap.servers: interdict sets this itself (use the brokers "
                       "key)");
    cfg_free(&c);
}

/* ---- money ---- */

#define THRESHOLD "rules.structuring.threshold"

/* Money in the currency's own decimals, stored in minor units. */
static void test_money_currencies(void **state)
{
    cfg c;

    init_ok(&c);
    set_ok(&c, THRESHOLD, "12345.67");
    assert_int_equal(num(&c, THRESHOLD), 1234567);
    set_ok(&c, THRESHOLD, " 12345.6 "); /* fewer decimals than CNY has */
    assert_int_equal(num(&c, THRESHOLD), 1234560);
    validate_ok(&c);
    set_ok(&c, "currency", "JPY");
    set_ok(&c, THRESHOLD, "1000000");
    assert_int_equal(num(&c, THRESHOLD), 1000000);
    validate_ok(&c);
    set_ok(&c, "currency", "BHD");
    set_ok(&c, THRESHOLD, "10000.000");
    assert_int_equal(num(&c, THRESHOLD), 10000000);
    set_ok(&c, "rules.trace.min.amount", "0.005");
    assert_int_equal(num(&c, "rules.trace.min.amount"), 5);
    validate_ok(&c);
    cfg_free(&c);
}

/* `currency` after the key, as a file or -X may give it: the value waits for it. */
static void test_money_currency_after_key(void **state)
{
    const fixture *fx = *state;
    char err[512] = "";
    cfg c;

    init_ok(&c);
    set_ok(&c, THRESHOLD, "1000000");
    assert_int_equal(num(&c, THRESHOLD), 0); /* not money in CNY (yet) */
    validate_fails(&c, THRESHOLD ": write money with 2 decimals for CNY, e.g. 10000.00 (the key "
                                 "is no longer in minor units)");
    assert_int_equal(cfg_set_pair(&c, "currency=JPY", err, sizeof(err)), 0);
    assert_int_equal(num(&c, THRESHOLD), 1000000);
    validate_ok(&c);
    cfg_free(&c);

    init_ok(&c);
    if (load_text(fx, &c, THRESHOLD " = 10000.000\ncurrency = KWD\n", err, sizeof(err)) != 0)
        fail_msg("%s", err);
    assert_int_equal(num(&c, THRESHOLD), 10000000);
    validate_ok(&c);
    cfg_free(&c);
}

/* Every change of `currency` derives the values again from the text as written; defaults keep
 * their minor units, so a deployment on the defaults screens as before. */
static void test_money_currency_changed(void **state)
{
    cfg c, d;
    char *out;

    init_ok(&c);
    assert_int_equal(num(&c, "rules.passthrough.min.amount"), 1000000);
    assert_int_equal(num(&c, THRESHOLD), 5000000);
    assert_int_equal(num(&c, "rules.burst.new.volume"), 10000000);
    assert_int_equal(num(&c, "rules.burst.dormant.volume"), 5000000);
    assert_int_equal(num(&c, "rules.trace.min.amount"), 10000);
    set_ok(&c, THRESHOLD, "500.5");
    assert_int_equal(num(&c, THRESHOLD), 50050);
    set_ok(&c, "currency", "KWD");
    assert_int_equal(num(&c, THRESHOLD), 500500);
    validate_ok(&c);
    set_ok(&c, "currency", "JPY");
    assert_int_equal(num(&c, THRESHOLD), 0);
    validate_fails(&c, THRESHOLD ": \"500.5\" has 1 decimal, JPY has 0");
    set_ok(&c, THRESHOLD, "500");
    assert_int_equal(num(&c, THRESHOLD), 500);
    assert_int_equal(num(&c, "rules.passthrough.min.amount"), 1000000);
    validate_ok(&c);
    out = capture(cfg_print_effective, &c);
    assert_non_null(strstr(out, "\nrules.passthrough.min.amount = 1000000\n"));
    assert_non_null(strstr(out, "\n" THRESHOLD " = 500\n"));
    free(out);

    /* A copy carries the text, so it too follows a change of currency. */
    init_ok(&d);
    assert_int_equal(cfg_copy(&d, &c, NULL, NULL, 0), 0);
    assert_int_equal(num(&d, THRESHOLD), 500);
    set_ok(&d, "currency", "CNY");
    validate_fails(&d, THRESHOLD ": write money with 2 decimals for CNY, e.g. 5.00 (the key is no "
                                 "longer in minor units)");
    cfg_free(&d);
    cfg_free(&c);
}

static void test_money_errors(void **state)
{
    static const char *const not_money[] = {"1,000.00", "1e6",   "1.5E3", "fifty", "",
                                            "12.",      ".50",   "+5.00", "1 000", "0x10",
                                            "5.00 CNY", "1.2.3", "١٢"};
    char want[512];
    cfg c;

    init_ok(&c);
    set_fails(&c, THRESHOLD, "-100.00", THRESHOLD ": \"-100.00\" is negative");
    for (size_t i = 0; i < sizeof(not_money) / sizeof(not_money[0]); i++) {
        char shown[64];
        snprintf(shown, sizeof(shown), "%s", not_money[i]);
        if (strcmp(not_money[i], "١٢") == 0)
            snprintf(shown, sizeof(shown), "\\xd9\\xa1\\xd9\\xa2");
        snprintf(want, sizeof(want),
                 THRESHOLD ": \"%s\" is not money (digits and a decimal point, e.g. 10000.00; no "
                           "sign, exponent or separators)",
                 shown);
        set_fails(&c, THRESHOLD, not_money[i], want);
    }
    set_ok(&c, THRESHOLD, "5000000");
    validate_fails(&c, THRESHOLD ": write money with 2 decimals for CNY, e.g. 50000.00 (the key "
                                 "is no longer in minor units)");
    set_ok(&c, THRESHOLD, "100.001");
    validate_fails(&c, THRESHOLD ": \"100.001\" has 3 decimals, CNY has 2");
    set_ok(&c, THRESHOLD, "99999999999999999999.00");
    validate_fails(&c, THRESHOLD ": \"99999999999999999999.00\" is too large");
    set_ok(&c, THRESHOLD, "99999999999999999999");
    validate_fails(&c, THRESHOLD ": \"99999999999999999999\" is too large");
    set_ok(&c, THRESHOLD, "50000.00");
    validate_ok(&c);
    set_ok(&c, "currency", "XAU"); /* no minor unit: no money */
    validate_fails(&c, "currency: \"XAU\" is not an active ISO 4217 code");
    cfg_free(&c);
}

/* Bounds are in minor units, checked after the conversion and shown as money. */
static void test_money_bounds(void **state)
{
    cfg c;

    init_ok(&c);
    set_ok(&c, THRESHOLD, "0.00");
    validate_fails(&c, THRESHOLD ": 0.00 is below the minimum 0.01");
    set_ok(&c, THRESHOLD, "0.01");
    validate_ok(&c);
    set_ok(&c, THRESHOLD, "10000000000000.00");
    validate_ok(&c);
    set_ok(&c, THRESHOLD, "10000000000000.01");
    validate_fails(&c, THRESHOLD ": 10000000000000.01 is above the maximum 10000000000000.00");
    set_ok(&c, "currency", "JPY");
    set_ok(&c, THRESHOLD, "0");
    validate_fails(&c, THRESHOLD ": 0 is below the minimum 1");
    set_ok(&c, THRESHOLD, "1000000000000001");
    validate_fails(&c, THRESHOLD ": 1000000000000001 is above the maximum 1000000000000000");
    set_ok(&c, "currency", "CLF"); /* 4 decimals */
    set_ok(&c, THRESHOLD, "100000000000.0001");
    validate_fails(&c, THRESHOLD ": 100000000000.0001 is above the maximum 100000000000.0000");
    cfg_free(&c);
}

/* ---- printing ---- */

/* A value different from the default but in range, so the round trip proves something. */
static void other_value(const cfg_entry *e, char *buf, size_t size)
{
    cfg d;
    int64_t v, def;

    init_ok(&d);
    def = num(&d, e->name);
    cfg_free(&d);
    switch (e->type) {
    case CFG_BOOL:
        snprintf(buf, size, "%s", def ? "off" : "on");
        return;
    case CFG_ENUM:
        snprintf(buf, size, "%s", e->names[def ? 0 : 1]);
        return;
    case CFG_MONEY:
        snprintf(buf, size, "1234.567"); /* in BHD, which test_round_trip sets */
        return;
    default:
        v = e->min + (e->max - e->min) / 2;
        if (v == def)
            v = e->min;
        snprintf(buf, size, "%lld%s", (long long)v, e->type == CFG_DURATION && v ? "ms" : "");
    }
}

static void test_round_trip(void **state)
{
    const fixture *fx = *state;
    char value[128], err[512] = "", path[512];
    char *first, *second;
    cfg a, b;

    init_ok(&a);
    for (cfg_key k = {0}; cfg_key_next(&k);) {
        const cfg_entry *e = &k.e;
        if (e->type == CFG_STRING)
            snprintf(value, sizeof(value), "x.%s = # kept", e->name);
        else
            other_value(e, value, sizeof(value));
        set_ok(&a, e->name, value);
    }
    set_ok(&a, "watchlist.file", "");
    set_ok(&a, "currency", "BHD");
    set_ok(&a, "rdkafka.security.protocol", "ssl");
    set_ok(&a, "rdkafka.consumer.fetch.wait.max.ms", "10");
    set_ok(&a, "rdkafka.client.id", "");
    set_ok(&a, "rdkafka.sasl.password", "p=q # r");

    first = capture(cfg_print_effective, &a);
    write_file(fx_path(fx, "effective.conf", path, sizeof(path)), first);
    init_ok(&b);
    if (cfg_load_file(&b, path, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    assert_cfg_equal(&a, &b);
    second = capture(cfg_print_effective, &b);
    assert_string_equal(first, second);

    free(first);
    free(second);
    cfg_free(&a);
    cfg_free(&b);
}

static void assert_lines_fit(const char *text, const char *what)
{
    int lineno = 1;

    for (const char *p = text; *p; lineno++) {
        size_t len = strcspn(p, "\n");
        if (len > 100)
            fail_msg("%s line %d is %zu columns: %.*s", what, lineno, len, (int)len, p);
        p += len + (p[len] == '\n');
    }
}

static void test_help(void **state)
{
    char *help = capture(print_help, NULL), needle[128];

    assert_lines_fit(help, "--help");
    for (cfg_key k = {0}; cfg_key_next(&k);) {
        const cfg_entry *e = &k.e;
        snprintf(needle, sizeof(needle), "\n  %s ", e->name);
        if (!strstr(help, needle))
            fail_msg("--help lacks %s", e->name);
        snprintf(needle, sizeof(needle), "\n%s:\n", e->section);
        assert_non_null(strstr(help, needle));
    }
    assert_non_null(strstr(help, "rdkafka.<property>"));
    assert_non_null(strstr(
        help, "  brokers                  127.0.0.1:9092         Bootstrap brokers, as host:port"));
    assert_non_null(strstr(help, "  watchlist.file           \"\"                     JSON-lines"));
    free(help);
}

static void test_markdown(void **state)
{
    static const char *const headings[] = {"## NAME",        "## SYNOPSIS", "## DESCRIPTION",
                                           "## FILE FORMAT", "## KEYS",     "## LIBRDKAFKA",
                                           "## EXAMPLES",    NULL};
    char *md = capture(print_markdown, NULL), needle[128];
    const char *last = md;

    assert_lines_fit(md, "configuration.md");
    for (int i = 0; headings[i]; i++) {
        const char *at = strstr(md, headings[i]);
        if (!at || at < last)
            fail_msg("%s missing or out of order", headings[i]);
        last = at;
    }
    for (cfg_key k = {0}; cfg_key_next(&k);) {
        const cfg_entry *e = &k.e;
        snprintf(needle, sizeof(needle), "\n#### `%s`\n", e->name);
        if (!strstr(md, needle))
            fail_msg("configuration.md lacks %s", e->name);
    }
    assert_non_null(strstr(md, "duration, default `500ms`, from `10ms` to `30s`\n"));
    assert_non_null(strstr(md, "enum, default `info`, one of: error, warn, info, debug\n"));
    free(md);
}

/* Every ```conf block in the EXAMPLES section loads and validates. */
static void test_markdown_examples_work(void **state)
{
    const fixture *fx = *state;
    char *md = capture(print_markdown, NULL), err[512] = "", path[512];
    const char *p = strstr(md, "## EXAMPLES");
    int blocks = 0;

    assert_non_null(p);
    while ((p = strstr(p, "```conf\n")) != NULL) {
        const char *end = strstr(p + 8, "```\n");
        char *block;
        cfg c;

        assert_non_null(end);
        block = strndup(p + 8, (size_t)(end - p - 8));
        write_file(fx_path(fx, "example.conf", path, sizeof(path)), block);
        init_ok(&c);
        if (cfg_load_file(&c, path, err, sizeof(err)) != 0 ||
            cfg_validate(&c, err, sizeof(err)) != 0)
            fail_msg("example %d: %s\n%s", blocks + 1, err, block);
        cfg_free(&c);
        free(block);
        blocks++;
        p = end + 4;
    }
    assert_true(blocks >= 2);
    free(md);
}

/* The generated files, as --write-docs would write them. */
static char *expected_doc(const char *path)
{
    cfg c;
    char *text;

    if (strcmp(path, DOCS_MD) == 0)
        return capture(print_markdown, NULL);
    init_ok(&c);
    text = capture(cfg_print_effective, &c);
    cfg_free(&c);
    return text;
}

static void assert_doc_in_sync(const char *path)
{
    char *want = expected_doc(path), *have = read_all(path);
    int line = 1;

    if (!have)
        fail_msg("%s: %s. Generate it with `tests/test_config --write-docs` in the build "
                 "directory and commit it.",
                 path, strerror(errno));
    if (strcmp(want, have) != 0) {
        for (size_t i = 0; want[i] && want[i] == have[i]; i++)
            line += want[i] == '\n';
        fail_msg("%s differs from the key table (src/config_keys.c, src/rule_*.c) from line %d on. "
                 "Regenerate it with "
                 "`tests/test_config --write-docs` in the build directory and commit it.",
                 path, line);
    }
    free(want);
    free(have);
}

static void test_docs_in_sync(void **state)
{
    assert_doc_in_sync(DOCS_MD);
    assert_doc_in_sync(DOCS_EXAMPLE);
}

/* ---- memory ---- */

/* Many replacements, failures included, then cfg_free: LeakSanitizer checks nothing is lost. */
static void test_many_sets_free_everything(void **state)
{
    char key[64], value[64], err[512];
    cfg c;

    init_ok(&c);
    for (int i = 0; i < 5000; i++) {
        snprintf(value, sizeof(value), "broker-%d:9092", i);
        set_ok(&c, "brokers", value);
        set_ok(&c, "watchlist.file", i % 2 ? "" : "/tmp/list.jsonl");
        snprintf(key, sizeof(key), "rdkafka.p%d", i % 40);
        set_ok(&c, key, value);
        set_ok(&c, "log.level", i % 2 ? "debug" : "warn");
        assert_int_equal(cfg_set(&c, "workers", "lots", err, sizeof(err)), -1);
        assert_int_equal(cfg_set(&c, "no.such.key", "x", err, sizeof(err)), -1);
        assert_int_equal(cfg_set(&c, "rdkafka.", "x", err, sizeof(err)), -1);
    }
    assert_int_equal(c.rdkafka_cnt, 40);
    cfg_free(&c);
    assert_null(c.brokers);
    assert_int_equal(c.rdkafka_cnt, 0);
    cfg_free(&c); /* freeing a freed (zeroed) cfg is harmless */
    cfg_free(NULL);
}

/* ---- regeneration ---- */

/* Write path atomically, so an interrupted run leaves the old file. */
static int write_doc(const char *path)
{
    char tmp[1024];
    char *text = expected_doc(path);
    FILE *fp;
    int rc = -1;

    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    fp = fopen(tmp, "wb");
    if (!fp) {
        fprintf(stderr, "%s: %s\n", tmp, strerror(errno));
        goto cleanup;
    }
    if (fputs(text, fp) < 0 || fclose(fp) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        goto cleanup;
    }
    printf("wrote %s\n", path);
    rc = 0;
cleanup:
    free(text);
    return rc;
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_covers_every_field),
        cmocka_unit_test(test_set_pair),
        cmocka_unit_test(test_errors_escape_bytes),
        cmocka_unit_test_setup_teardown(test_load_file_nul, fx_setup, fx_teardown),
        cmocka_unit_test(test_rule_keys_cover_their_struct),
        cmocka_unit_test(test_every_rule_has_keys),
        cmocka_unit_test(test_table_entries_well_formed),
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_defaults_print_as_table),
        cmocka_unit_test(test_set_string),
        cmocka_unit_test(test_set_int),
        cmocka_unit_test(test_set_bool),
        cmocka_unit_test(test_set_duration),
        cmocka_unit_test(test_set_size),
        cmocka_unit_test(test_set_enum),
        cmocka_unit_test(test_unknown_keys),
        cmocka_unit_test(test_rdkafka_passthrough),
        cmocka_unit_test_setup_teardown(test_load_file, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_load_file_bom_and_empty, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_load_file_errors, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_load_file_missing, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_later_sources_win, fx_setup, fx_teardown),
        cmocka_unit_test(test_validate_scores),
        cmocka_unit_test(test_validate_topics),
        cmocka_unit_test(test_validate_required),
        cmocka_unit_test(test_validate_rule_set),
        cmocka_unit_test(test_validate_bounds),
        cmocka_unit_test(test_validate_rdkafka),
        cmocka_unit_test(test_money_currencies),
        cmocka_unit_test_setup_teardown(test_money_currency_after_key, fx_setup, fx_teardown),
        cmocka_unit_test(test_money_currency_changed),
        cmocka_unit_test(test_money_errors),
        cmocka_unit_test(test_money_bounds),
        cmocka_unit_test_setup_teardown(test_round_trip, fx_setup, fx_teardown),
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_markdown),
        cmocka_unit_test_setup_teardown(test_markdown_examples_work, fx_setup, fx_teardown),
        cmocka_unit_test(test_docs_in_sync),
        cmocka_unit_test(test_many_sets_free_everything),
    };

    if (argc == 2 && strcmp(argv[1], "--write-docs") == 0)
        return write_doc(DOCS_MD) == 0 && write_doc(DOCS_EXAMPLE) == 0 ? 0 : 1;
    if (argc > 1) {
        fprintf(stderr, "usage: %s [--write-docs]\n", argv[0]);
        return 2;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
