/* config_print.c - the configuration printed for people: --help, docs/configuration.md and
 * the effective configuration as a config file, all from the one table (config_keys.c). */
#include "config_int.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define WRAP_WIDTH    100 /* columns of --help, the docs and config comments */
#define HELP_KEY_COL  2   /* --help: where the key starts */
#define HELP_DEF_COL  27  /* --help: where the default starts */
#define HELP_DESC_COL 50  /* --help: where the summary starts */

/* Write text word by word from column col, starting continuation lines with indent spaces
 * and prefix, so that no line passes WRAP_WIDTH unless a single word is longer. */
static void print_wrapped(FILE *out, const char *text, int col, int indent, const char *prefix)
{
    bool first = true;

    while (*text) {
        size_t len = strcspn(text, " ");
        if (len == 0) {
            text++;
            continue;
        }
        if (!first && col + 1 + (int)len > WRAP_WIDTH) {
            col = fprintf(out, "\n%*s%s", indent, "", prefix) - 1;
        } else if (!first) {
            col += fprintf(out, " ");
        }
        col += (int)fwrite(text, 1, len, out);
        text += len;
        first = false;
    }
    fputc('\n', out);
}

static const char *type_name(cfg_type t)
{
    static const char *const names[] = {"string", "integer", "boolean", "duration",
                                        "size",   "enum",    "money"};
    return names[t];
}

/* Whether k starts a section: the key before it, in *prev (NULL for none), is in another one.
 * Moves *prev on to k's section. */
static bool starts_section(const cfg_key *k, const char **prev)
{
    bool starts = !*prev || strcmp(*prev, k->e.section) != 0;

    *prev = k->e.section;
    return starts;
}

static void print_help_entry(FILE *out, const cfg_entry *e)
{
    const char *def = *e->def ? e->def : "\"\"";
    int col = fprintf(out, "%*s%-*s", HELP_KEY_COL, "", HELP_DEF_COL - HELP_KEY_COL - 1, e->name);

    col += fprintf(out, " %s", def);
    if (e->type == CFG_MONEY)
        col += fprintf(out, " %s", cfg_default_currency());
    if (col >= HELP_DESC_COL) {
        fputc('\n', out);
        col = 0;
    }
    fprintf(out, "%*s", HELP_DESC_COL - col, "");
    print_wrapped(out, e->summary, HELP_DESC_COL, HELP_DESC_COL, "");
}

static const char *const help_rdkafka[][2] = {
    {"rdkafka.<property>", "Passed to every librdkafka client."},
    {"rdkafka.consumer.<property>", "Passed to the consumer only."},
    {"rdkafka.producer.<property>", "Passed to the producer only."},
    {NULL, NULL},
};

void cfg_print_help(FILE *out)
{
    fputs("Configuration keys, set in the config file as \"key = value\" or on the command line\n"
          "as -X key=value; later sources win: defaults, then the file, then -X in order.\n"
          "Durations need a unit (ms, s, m, h, d, w); sizes are bytes or KB, MB, GB, TB\n"
          "(powers of 1024); money is in `currency` with its decimals (10000.00 CNY, 1000000\n"
          "JPY), not in minor units. Every key in full: docs/configuration.md, also printed by\n"
          "`interdict config --markdown`.\n",
          out);
    cfg_key k = {0};
    const char *section = NULL;

    while (cfg_key_next(&k)) {
        if (starts_section(&k, &section))
            fprintf(out, "\n%s:\n", k.e.section);
        print_help_entry(out, &k.e);
    }
    fprintf(out, "\nlibrdkafka:\n");
    for (int i = 0; help_rdkafka[i][0]; i++)
        fprintf(out, "%*s%-*s%s\n", HELP_KEY_COL, "", HELP_DESC_COL - HELP_KEY_COL,
                help_rdkafka[i][0], help_rdkafka[i][1]);
}

/* ---- markdown ---- */

static const char md_head[] =
    "<!-- Generated from the key table, src/config_keys.c, and the rules' keys in src/rule_*.c:\n"
    "     edit those, not this file.\n"
    "     Regenerate with `<build-dir>/tests/test_config --write-docs`, which also\n"
    "     writes docs/interdict.conf.example; the unit test fails while they differ. -->\n"
    "\n"
    "# interdict.conf(5)\n"
    "\n"
    "## NAME\n"
    "\n"
    "interdict.conf - configuration of interdict, the bank transfer stream screener\n"
    "\n"
    "## SYNOPSIS\n"
    "\n"
    "```conf\n"
    "# a comment\n"
    "key = value\n"
    "rdkafka.<librdkafka property> = value\n"
    "```\n"
    "\n"
    "`interdict [command] [-c FILE] [-X key=value]...`\n"
    "\n"
    "## DESCRIPTION\n"
    "\n"
    "interdict takes its configuration from three sources, each overriding the one before: the\n"
    "built-in defaults listed below, the config file named by `-c`, and `-X key=value` options\n"
    "on the command line, applied in order (`-v` and `-q` then set `log.level`). The defaults\n"
    "run a single instance against a broker on the local machine; a production deployment\n"
    "usually sets `brokers`, `group.id`, `instance.id`, `state.dir` and the topic names, and\n"
    "leaves the rest.\n"
    "\n"
    "The whole configuration is checked before interdict connects to anything. An unknown key\n"
    "(with the closest known key suggested), a value of the wrong type or out of range, an\n"
    "`rdkafka.` property librdkafka does not know, or keys that contradict each other (such as\n"
    "`action.hold.score` above `action.freeze.score`) stop it with one line naming the key and,\n"
    "for a file, the line number. `interdict --help` lists every key with its default, and\n"
    "`interdict config` prints the effective configuration as a config file.\n"
    "\n"
    "## FILE FORMAT\n"
    "\n"
    "One `key = value` per line. Whitespace around the key and the value is ignored, as is the\n"
    "space around `=`, which may be left out. The value runs to the end of the line and may\n"
    "itself contain `=` or `#`; only lines whose first character other than whitespace is `#`\n"
    "are comments. Blank lines are ignored. A key given twice takes the later value. Values\n"
    "may not contain control characters, and there is no quoting: `key = \"a\"` sets the three\n"
    "characters `\"a\"`.\n"
    "\n"
    "Values are typed:\n"
    "\n"
    "- **string**: the text as written; may be empty where the key allows it.\n"
    "- **integer**: a decimal number within the key's range.\n"
    "- **boolean**: `true` or `false`, `yes` or `no`, `on` or `off`, `1` or `0`.\n"
    "- **duration**: a whole number and a unit, without a space: `ms`, `s`, `m` (minutes),\n"
    "  `h`, `d` or `w` (weeks), e.g. `250ms`, `30s`, `15m`, `7d`. Only `0` may be written\n"
    "  without a unit, so that `500` is never taken for seconds when milliseconds were meant.\n"
    "- **size**: a whole number of bytes, or a number and a unit `KB`, `MB`, `GB` or `TB`\n"
    "  (also written `KiB`, `MiB`, `GiB`, `TiB`). All are powers of 1024: `64KB` is 65536\n"
    "  bytes.\n"
    "- **enum**: one of the names listed for the key.\n"
    "- **money**: an amount in `currency`, written with that currency's ISO 4217 decimals:\n"
    "  `10000.00` in CNY or EUR, `1000000` in JPY, `10000.000` in BHD or KWD. It is stored in\n"
    "  minor units, as transfers carry amounts, and the ranges below are in minor units too\n"
    "  (shown as CNY): from one minor unit to 10^15 of them, the largest amount a transfer may\n"
    "  carry. Fewer decimals than the currency has are fine (`10000.5` is `10000.50`); more\n"
    "  are refused, and so is a number without a decimal point in a currency that has\n"
    "  decimals: older configurations wrote these keys in minor units, and `5000000` must not\n"
    "  silently become a threshold 100 times higher. The error says what to write instead\n"
    "  (`50000.00`). `currency` may be set before or after such a key. A key left at its\n"
    "  default keeps the default's minor units in any currency (`50000.00` CNY is `5000000`\n"
    "  JPY): set every amount key when screening another currency.\n"
    "\n"
    "## KEYS\n";

static const char md_tail[] =
    "\n"
    "## LIBRDKAFKA PASS-THROUGH\n"
    "\n"
    "Keys that start with `rdkafka.` are handed to librdkafka without the prefix, in the order\n"
    "given (a key given twice keeps its place and takes the later value):\n"
    "\n"
    "- `rdkafka.<property>` reaches every Kafka client interdict creates;\n"
    "- `rdkafka.consumer.<property>` reaches only the consumer;\n"
    "- `rdkafka.producer.<property>` reaches only the producer.\n"
    "\n"
    "Use them for security (`security.protocol`, `ssl.*`, `sasl.*`) and tuning\n"
    "(`compression.type`, `fetch.wait.max.ms`, `socket.keepalive.enable`, ...); librdkafka's\n"
    "CONFIGURATION.md lists them all. Each one is checked against librdkafka at start, so a\n"
    "misspelt property or a bad value is an error, not a silent no-op. Properties that\n"
    "interdict sets itself are refused: `bootstrap.servers` and `metadata.broker.list` (use\n"
    "`brokers`), `group.id` (use `group.id`), `transactional.id` (derived from `instance.id`),\n"
    "`enable.idempotence`, `isolation.level`, `enable.auto.commit` and\n"
    "`enable.auto.offset.store`, on which exactly-once processing depends, and\n"
    "`auto.offset.reset`: a new group always starts at the earliest offset, so that no\n"
    "transfer is skipped.\n"
    "\n"
    "## EXAMPLES\n"
    "\n"
    "One of three instances at a clearing house, over TLS with SCRAM authentication:\n"
    "\n"
    "```conf\n"
    "brokers = kafka-1.clearing.internal:9093,kafka-2.clearing.internal:9093\n"
    "group.id = interdict-prod\n"
    "instance.id = interdict-prod-2\n"
    "state.dir = /var/lib/interdict\n"
    "state.cache.size = 8GB\n"
    "commit.interval = 200ms\n"
    "\n"
    "# Rules changed: bump the label carried in every freeze request.\n"
    "rule.set = 2026.12-1\n"
    "rules.watchlist.score = 60\n"
    "\n"
    "rdkafka.security.protocol = sasl_ssl\n"
    "rdkafka.sasl.mechanisms = SCRAM-SHA-512\n"
    "rdkafka.sasl.username = interdict\n"
    "rdkafka.sasl.password = change-me\n"
    "rdkafka.ssl.ca.location = /etc/interdict/ca.pem\n"
    "rdkafka.consumer.fetch.wait.max.ms = 10\n"
    "rdkafka.producer.compression.type = lz4\n"
    "```\n"
    "\n"
    "Replaying a year of retained transfers into a fresh state store, under its own group so\n"
    "that production offsets are untouched:\n"
    "\n"
    "```conf\n"
    "group.id = interdict-replay\n"
    "instance.id = interdict-replay-1\n"
    "state.dir = /var/lib/interdict-replay\n"
    "topic.interceptions = interceptions-replay\n"
    "topic.deadletter = interdict-deadletter-replay\n"
    "input.max.past = 400d\n"
    "```\n"
    "\n"
    "`state.retention` follows the stream's event time, not the wall clock: the replayed\n"
    "year keeps, at each point, the flows and edges of the `state.retention` before its\n"
    "latest event, exactly as the live run kept them.\n"
    "\n"
    "Raising the log level for one run without editing the file: `-X log.level=debug`.\n"
    "\n"
    "## SEE ALSO\n"
    "\n"
    "`docs/interdict.conf.example` (every key at its default), `schemas/` (message formats),\n"
    "librdkafka's CONFIGURATION.md (the `rdkafka.` properties).\n";

/* "integer, default `12`, from `1` to `10000`"; money adds the default currency. */
static void print_md_meta(FILE *out, const cfg_entry *e)
{
    char lo[32], hi[32], names[256];
    const char *ccy = cfg_default_currency();

    if (*e->def)
        fprintf(out, "%s, default `%s`", type_name(e->type), e->def);
    else
        fprintf(out, "%s, empty by default", type_name(e->type));
    if (cfg_is_numeric(e)) {
        cfg_format_number(e, e->min, ccy, lo, sizeof(lo));
        cfg_format_number(e, e->max, ccy, hi, sizeof(hi));
        fprintf(out, ", from `%s` to `%s`", lo, hi);
    }
    if (e->type == CFG_MONEY)
        fprintf(out, " %s", ccy);
    if (e->type == CFG_ENUM) {
        cfg_join_names(e->names, names, sizeof(names));
        fprintf(out, ", one of: %s", names);
    }
    fputs("\n\n", out);
}

static void print_md_entry(FILE *out, const cfg_entry *e)
{
    char text[2048];

    fprintf(out, "\n#### `%s`\n\n", e->name);
    print_md_meta(out, e);
    snprintf(text, sizeof(text), "%s %s", e->summary, e->desc);
    print_wrapped(out, text, 0, 0, "");
}

void cfg_print_markdown(FILE *out)
{
    cfg_key k = {0};
    const char *section = NULL;

    fputs(md_head, out);
    while (cfg_key_next(&k)) {
        if (starts_section(&k, &section))
            fprintf(out, "\n### %s\n", k.e.section);
        print_md_entry(out, &k.e);
    }
    fputs(md_tail, out);
}

/* ---- effective configuration ---- */

/* k's value as the file writes it; a default keeps the table's spelling ("24h", not "1d"). */
static void format_value(const cfg *c, const cfg_key *k, char *buf, size_t size)
{
    const cfg_entry *e = &k->e;
    int64_t def = 0, v = cfg_number(c, k);

    switch (e->type) {
    case CFG_STRING:
        snprintf(buf, size, "%s", cfg_string(c, k));
        break;
    case CFG_BOOL:
        snprintf(buf, size, "%s", v ? "true" : "false");
        break;
    case CFG_ENUM:
        if (cfg_enum_ok(c, k))
            snprintf(buf, size, "%s", e->names[v]);
        else
            snprintf(buf, size, "%lld", (long long)v);
        break;
    case CFG_MONEY:
        cfg_format_money(c, k, buf, size);
        break;
    default:
        if (cfg_parse_number(e, e->def, &def, NULL, 0) == 0 && def == v)
            snprintf(buf, size, "%s", e->def);
        else
            cfg_format_number(e, v, NULL, buf, size);
    }
}

static void print_effective_entry(FILE *out, const cfg *c, const cfg_key *k)
{
    char *value;
    size_t size = (k->e.type == CFG_STRING ? strlen(cfg_string(c, k)) : 0) + 64;

    fputs("# ", out);
    print_wrapped(out, k->e.summary, 2, 0, "# ");
    value = malloc(size);
    if (!value)
        return;
    format_value(c, k, value, size);
    /* No space after '=' when empty: the file should carry no trailing whitespace. */
    fprintf(out, "%s =%s%s\n\n", k->e.name, *value ? " " : "", value);
    free(value);
}

void cfg_print_effective(const cfg *c, FILE *out)
{
    fputs("# interdict configuration. Every key, its type, range and trade-offs:\n"
          "# docs/configuration.md. A value runs to the end of its line; durations need a\n"
          "# unit (ms, s, m, h, d, w), sizes may have one (KB, MB, GB, TB; powers of 1024);\n"
          "# money is in `currency`, with its decimals.\n\n",
          out);
    cfg_key k = {0};
    const char *section = NULL;

    while (cfg_key_next(&k)) {
        if (starts_section(&k, &section))
            fprintf(out, "# ---- %s ----\n\n", k.e.section);
        print_effective_entry(out, c, &k);
    }
    fputs("# ---- librdkafka ----\n\n"
          "# rdkafka.<property> reaches every Kafka client, rdkafka.consumer.<property> and\n"
          "# rdkafka.producer.<property> only that one. For example:\n"
          "# rdkafka.security.protocol = ssl\n",
          out);
    for (size_t i = 0; i < c->rdkafka_cnt; i++)
        fprintf(out, CFG_RDKAFKA_PREFIX "%s =%s%s\n", c->rdkafka[i].key,
                *c->rdkafka[i].value ? " " : "", c->rdkafka[i].value);
}
