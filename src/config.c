/* config.c - the configuration key table and the engine that parses, checks and documents it. */

/*
 * Every key is one row of cfg_table[]: its name, section, type, place in struct cfg, default,
 * bounds and text. Everything else is driven by the table, so a key cannot be parsed one way
 * and documented another:
 *  - cfg_init() feeds each default through cfg_set(), the path the config file and -X options
 *    take, so a default that does not parse fails the unit tests instead of shipping;
 *  - cfg_validate() re-checks the table bounds, so a cfg filled in by code is held to the same
 *    rules as one read from a file;
 *  - --help, docs/configuration.md and the effective-config dump are printed from the rows.
 *
 * Values are parsed strictly on purpose: durations need a unit (is "500" milliseconds or
 * seconds?), unknown keys are errors with a suggestion rather than silently ignored typos, and
 * rdkafka.* properties are checked against librdkafka's own table before anything connects.
 */
#include "config.h"
#include "currency.h"
#include "model.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#define KIB ((int64_t)1024)
#define MIB (KIB * 1024)
#define GIB (MIB * 1024)
#define TIB (GIB * 1024)

#define SECOND ((int64_t)1000) /* durations are stored in milliseconds */
#define MINUTE (SECOND * 60)
#define HOUR   (MINUTE * 60)
#define DAY    (HOUR * 24)
#define WEEK   (DAY * 7)

#define RDKAFKA_PREFIX "rdkafka."
#define WRAP_WIDTH     100 /* columns of --help, the docs and config comments */
#define HELP_KEY_COL   2   /* --help: where the key starts */
#define HELP_DEF_COL   27  /* --help: where the default starts */
#define HELP_DESC_COL  50  /* --help: where the summary starts */
#define SUGGEST_MAX    64  /* keys longer than this get no "did you mean" */

static const char *const log_level_names[] = {"error", "warn", "info", "debug", NULL};

const cfg_entry cfg_table[] = {
    /* Kafka */
    {.name = "brokers",
     .section = "Kafka",
     .type = CFG_STRING,
     .offset = offsetof(cfg, brokers),
     .def = "127.0.0.1:9092",
     .summary = "Bootstrap brokers, as host:port[,host:port...].",
     .desc = "They are only used to discover the cluster, so two or three brokers are enough; "
             "list more than one so that interdict can start while a broker is down. The "
             "consumer, the transactional producer and topic creation all use this list. "
             "TLS and SASL settings go through the rdkafka pass-through, e.g. "
             "`rdkafka.security.protocol`."},
    {.name = "group.id",
     .section = "Kafka",
     .type = CFG_STRING,
     .offset = offsetof(cfg, group_id),
     .def = "interdict",
     .summary = "Kafka consumer group shared by all instances of one deployment.",
     .desc = "Instances with the same `group.id` split the partitions of the input topics "
             "between them and resume from the offsets the group committed. Give every "
             "independent deployment (production, a case replay, a benchmark) its own group, "
             "or they will take partitions and offsets from each other."},
    {.name = "instance.id",
     .section = "Kafka",
     .type = CFG_STRING,
     .offset = offsetof(cfg, instance_id),
     .def = "interdict-1",
     .summary = "Name of this instance: unique in the group and stable across restarts.",
     .desc = "It is the base of the producer's `transactional.id`, which is how Kafka fences a "
             "zombie: when an instance restarts under the same `instance.id`, the broker aborts "
             "the transaction its previous run left open and rejects late writes from it, so "
             "no freeze request is published twice. Two live instances with the same "
             "`instance.id` fence each other and keep failing. If an instance comes back under "
             "a new name instead, a transaction left open by the old one holds back "
             "read_committed readers of its partitions until the broker times it out."},
    {.name = "kafka.timeout",
     .section = "Kafka",
     .type = CFG_DURATION,
     .offset = offsetof(cfg, kafka_timeout_ms),
     .def = "30s",
     .min = SECOND,
     .max = HOUR,
     .summary = "Upper bound on one blocking call to the brokers.",
     .desc = "It bounds start-up steps (metadata, topic creation, transaction set-up), each "
             "transaction commit or abort, and the final flush at shutdown; a call that takes "
             "longer is treated as a broker failure. Too short turns a slow but healthy "
             "cluster, e.g. during a leader election, into an outage; too long delays noticing "
             "a real one."},
    {.name = "commit.interval",
     .section = "Kafka",
     .type = CFG_DURATION,
     .offset = offsetof(cfg, commit_interval_ms),
     .def = "500ms",
     .min = 10,
     .max = 30 * SECOND,
     .summary = "How often input offsets, state and freeze requests are committed together.",
     .desc = "Each commit is one Kafka transaction holding the freeze requests produced since "
             "the last one and the input offsets they came from, with the state store synced "
             "to match: after a crash at most one interval of input is screened again, and no "
             "request is published twice. Fraud desks reading with "
             "`isolation.level=read_committed` see a request only once it is committed, so the "
             "interval is also the floor of alert latency. Shorter intervals cut that latency "
             "and the replay after a crash, but every commit costs broker round trips and a "
             "store sync, which caps throughput; below about 100ms the commits dominate. Keep "
             "it well under the producer's `transaction.timeout.ms` (60s unless changed)."},

    /* Topics */
    {.name = "topic.transfers",
     .section = "Topics",
     .type = CFG_STRING,
     .offset = offsetof(cfg, topic_transfers),
     .def = "transfers",
     .summary = "Input topic of cleared transfers to screen.",
     .desc = "Messages that cannot be decoded, are too large or carry an implausible event "
             "time are copied to `topic.deadletter` and skipped, so one bad message never "
             "stops screening."},
    {.name = "topic.accounts",
     .section = "Topics",
     .type = CFG_STRING,
     .offset = offsetof(cfg, topic_accounts),
     .def = "accounts",
     .summary = "Input topic of account profile updates.",
     .desc = "Profiles (opening date, holder type, bank) feed the rules that need an "
             "account's age or kind, such as the new or dormant account burst. Without them "
             "those rules only see what the transfers reveal."},
    {.name = "topic.watchlist",
     .section = "Topics",
     .type = CFG_STRING,
     .offset = offsetof(cfg, topic_watchlist),
     .def = "watchlist",
     .summary = "Compacted input topic of watch-listed accounts.",
     .desc = "Confirmed mule accounts and accounts reported by police, keyed by account. "
             "Create it with `cleanup.policy=compact` so that the latest record for every "
             "listed account is kept however old it is; with time-based retention, old "
             "listings would silently expire."},
    {.name = "topic.reports",
     .section = "Topics",
     .type = CFG_STRING,
     .offset = offsetof(cfg, topic_reports),
     .def = "fraud-reports",
     .summary = "Input topic of victim fraud reports to trace and freeze.",
     .desc = "Each report names a victim's transfer; interdict follows that money downstream "
             "through the account graph, hop by hop in time order, and asks to freeze every "
             "account it reached, with the amount traced to each."},
    {.name = "topic.interceptions",
     .section = "Topics",
     .type = CFG_STRING,
     .offset = offsetof(cfg, topic_interceptions),
     .def = "interceptions",
     .summary = "Output topic of emergency freeze requests for the fraud desks.",
     .desc = "Written in transactions: consumers must read it with "
             "`isolation.level=read_committed` to see every request exactly once, and they see "
             "a request only after its commit (see `commit.interval`)."},
    {.name = "topic.deadletter",
     .section = "Topics",
     .type = CFG_STRING,
     .offset = offsetof(cfg, topic_deadletter),
     .def = "interdict-deadletter",
     .summary = "Output topic for input that could not be screened.",
     .desc = "Undecodable, oversized (`input.max.bytes`) and out-of-time (`input.max.past`, "
             "`input.max.future`) messages are copied here with the reason, and the stream "
             "moves on. Watch its rate: a jump usually means a producer changed its format."},
    {.name = "topic.partitions",
     .section = "Topics",
     .type = CFG_INT,
     .offset = offsetof(cfg, topic_partitions),
     .def = "12",
     .min = 1,
     .max = 10000,
     .summary = "Partition count of the topics interdict creates because they are missing.",
     .desc = "Existing topics are used as they are. Partitions cap parallelism: a consumer "
             "group cannot use more instances than the input topics have partitions. Kafka "
             "can add partitions later but that moves accounts to other partitions, and so "
             "away from their state, so size it for the largest deployment you expect."},

    /* State */
    {.name = "state.dir",
     .section = "State",
     .type = CFG_STRING,
     .offset = offsetof(cfg, state_dir),
     .def = "./interdict-state",
     .summary = "Directory of the RocksDB state store: account graph, aggregates, incidents.",
     .desc = "Created if missing. Every transfer reads and writes it, so put it on a local "
             "SSD, not a network file system. Each instance needs its own directory. "
             "Deleting it forgets all account history: patterns that span the lost history "
             "go unseen until it builds up again."},
    {.name = "state.cache.size",
     .section = "State",
     .type = CFG_SIZE,
     .offset = offsetof(cfg, state_cache_bytes),
     .def = "512MB",
     .min = 8 * MIB,
     .max = TIB,
     .summary = "Memory for the state store's cache of recently used account data.",
     .desc = "The main memory cost of an instance. A cache that holds the accounts active "
             "within the longest rule window serves most lookups without touching the disk; "
             "a smaller one costs disk reads per transfer and with them throughput."},
    {.name = "state.retention",
     .section = "State",
     .type = CFG_DURATION,
     .offset = offsetof(cfg, state_retention_ms),
     .def = "35d",
     .min = HOUR,
     .max = 3650 * DAY,
     .summary = "How long per-transfer history (flows and counterparty edges) is kept.",
     .desc = "Flows (each account's transfers in time order, used to follow money hop by "
             "hop) and edges (who paid whom, with counts, sums, first and last time) older "
             "than this are dropped when RocksDB compacts, so the store's size follows this "
             "period, not the whole history. It must cover the longest rule window and "
             "trace horizon; account totals and profiles are kept regardless."},
    {.name = "watchlist.file",
     .section = "State",
     .type = CFG_STRING,
     .offset = offsetof(cfg, watchlist_file),
     .def = "",
     .summary = "JSON-lines file of watch-listed accounts bulk-loaded at start; empty for none.",
     .desc = "For lists too large to publish through `topic.watchlist` in one go, such as the "
             "result of a card-breaking campaign. Each line is one record in the watchlist "
             "schema (`schemas/`). The file is loaded before screening starts; `topic.watchlist` "
             "keeps updating the list afterwards."},

    /* Pipeline */
    {.name = "workers",
     .section = "Pipeline",
     .type = CFG_INT,
     .offset = offsetof(cfg, workers),
     .def = "0",
     .min = 0,
     .max = 256,
     .summary = "Number of screening threads; 0 means one per CPU core.",
     .desc = "Partitions are spread over the workers, so workers beyond the number of "
             "partitions assigned to the instance stay idle. Set it lower to leave cores to "
             "other processes on the host."},
    {.name = "input.max.bytes",
     .section = "Pipeline",
     .type = CFG_SIZE,
     .offset = offsetof(cfg, input_max_bytes),
     .def = "64KB",
     .min = KIB,
     .max = 16 * MIB,
     .summary = "Largest input message accepted; larger ones are dead-lettered.",
     .desc = "A transfer takes well under 1KB. The limit keeps a broken or hostile producer "
             "from making the decoder spend memory and time on huge messages."},
    {.name = "input.max.past",
     .section = "Pipeline",
     .type = CFG_DURATION,
     .offset = offsetof(cfg, input_max_past_ms),
     .def = "30d",
     .min = MINUTE,
     .max = 3650 * DAY,
     .summary = "How far back an event time may be; older events are dead-lettered.",
     .desc = "Very old events are usually replays or a producer with a broken clock, and they "
             "would land in windows that were evaluated long ago. Raise it to load history on "
             "purpose, e.g. when building up state from a topic with long retention."},
    {.name = "input.max.future",
     .section = "Pipeline",
     .type = CFG_DURATION,
     .offset = offsetof(cfg, input_max_future_ms),
     .def = "5m",
     .min = 0,
     .max = DAY,
     .summary = "How far ahead of now an event time may be, to allow for clock skew.",
     .desc = "Events further ahead are dead-lettered: a timestamp in the future would keep an "
             "account's windows open and distort its rates. Raise it only if the clocks of "
             "the producing systems are known to drift further."},

    {.name = "currency",
     .section = "Pipeline",
     .type = CFG_STRING,
     .offset = offsetof(cfg, currency),
     .def = "CNY",
     .summary = "The clearing currency: the ISO 4217 code every screened transfer is in.",
     .desc = "Totals, windows and thresholds are sums of amounts, which only mean something "
             "in one currency. A transfer in any other currency is not screened: it goes to "
             "the dead-letter topic with reason foreign_currency, and is counted. Run one "
             "instance per clearing currency."},

    /* Rules */
    {.name = "rule.set",
     .section = "Rules",
     .type = CFG_STRING,
     .offset = offsetof(cfg, rule_set),
     .def = "2026.11-1",
     .summary = "Version label of the rule configuration, carried in every freeze request.",
     .desc = "Change it whenever a rule or threshold changes, so that fraud desks and "
             "auditors can tell which rules raised a request. At most 15 characters."},
    {.name = "rules.watchlist.enabled",
     .section = "Rules",
     .type = CFG_BOOL,
     .offset = offsetof(cfg, wl_enabled),
     .def = "true",
     .summary = "Flag accounts that pay into or receive from a watch-listed account.",
     .desc = "This is the watch-listed counterparty rule. The list comes from "
             "`topic.watchlist` and `watchlist.file`; every hit cites the transfer and the "
             "listed account as evidence."},
    {.name = "rules.watchlist.score",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, wl_score),
     .def = "100",
     .min = 0,
     .max = 100,
     .summary = "Score of a watch-list hit, from 0 to 100.",
     .desc = "An account's findings add up to its score (capped at 100), and the score picks "
             "the action (see the Actions keys). The default makes any dealing with a listed "
             "account a FREEZE request on its own; set it below `action.freeze.score` to ask "
             "only for a HOLD or a REVIEW unless other findings add to it."},

    {.name = "rules.passthrough.enabled",
     .section = "Rules",
     .type = CFG_BOOL,
     .offset = offsetof(cfg, pt_enabled),
     .def = "true",
     .summary = "Enable the passthrough rule.",
     .desc = "The rule for fast in, fast out: an account that sends on most of what it just "
             "received. See docs/rules.md."},
    {.name = "rules.passthrough.score",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, pt_score),
     .def = "60",
     .min = 0,
     .max = 100,
     .summary = "Score of a passthrough finding, from 0 to 100.",
     .desc =
         "Findings on one account add up to its score (capped at 100), which picks the action."},
    {.name = "rules.passthrough.window",
     .section = "Rules",
     .type = CFG_DURATION,
     .offset = offsetof(cfg, pt_window_ms),
     .def = "30m",
     .min = MINUTE,
     .max = 30 * DAY,
     .summary = "How soon money must leave again after arriving to count as passing through.",
     .desc = "The rule looks at an account's transfers within this time before each outgoing "
             "transfer. Street-level mules forward within minutes; a longer window also catches "
             "slower mules, at the cost of catching people who spend a salary quickly."},
    {.name = "rules.passthrough.min.amount",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, pt_min_amount),
     .def = "1000000",
     .min = 1,
     .max = 1000000000000000,
     .summary = "Money received within the window, in minor units, before the rule looks further.",
     .desc = "Small sums passing through are everyday life; the default is 10,000.00 in a "
             "two-decimal currency."},
    {.name = "rules.passthrough.ratio",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, pt_ratio_pct),
     .def = "80",
     .min = 1,
     .max = 100,
     .summary = "Percent of the money received that must have been sent on within the window.",
     .desc = "80 means at most a fifth stays: the account is a conduit, not a destination."},
    {.name = "rules.fanin.enabled",
     .section = "Rules",
     .type = CFG_BOOL,
     .offset = offsetof(cfg, fi_enabled),
     .def = "true",
     .summary = "Enable the fanin rule.",
     .desc = "The rule for fan-in (gather): many new senders paying one account in a short time. "
             "See docs/rules.md."},
    {.name = "rules.fanin.score",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, fi_score),
     .def = "60",
     .min = 0,
     .max = 100,
     .summary = "Score of a fanin finding, from 0 to 100.",
     .desc =
         "Findings on one account add up to its score (capped at 100), which picks the action."},
    {.name = "rules.fanin.window",
     .section = "Rules",
     .type = CFG_DURATION,
     .offset = offsetof(cfg, fi_window_ms),
     .def = "6h",
     .min = MINUTE,
     .max = 30 * DAY,
     .summary = "Time within which the senders must have paid.",
     .desc = "Only senders whose first transfer to the account falls within the window count: "
             "friends of long standing are not a gathering."},
    {.name = "rules.fanin.min.senders",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, fi_min_senders),
     .def = "10",
     .min = 2,
     .max = 100000,
     .summary = "Distinct new senders within the window that make a gathering.",
     .desc = "Merchants are exempt: receiving from many customers is their business."},
    {.name = "rules.fanout.enabled",
     .section = "Rules",
     .type = CFG_BOOL,
     .offset = offsetof(cfg, fo_enabled),
     .def = "true",
     .summary = "Enable the fanout rule.",
     .desc = "The rule for fan-out (scatter): one account paying many new receivers in a short "
             "time. See docs/rules.md."},
    {.name = "rules.fanout.score",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, fo_score),
     .def = "60",
     .min = 0,
     .max = 100,
     .summary = "Score of a fanout finding, from 0 to 100.",
     .desc =
         "Findings on one account add up to its score (capped at 100), which picks the action."},
    {.name = "rules.fanout.window",
     .section = "Rules",
     .type = CFG_DURATION,
     .offset = offsetof(cfg, fo_window_ms),
     .def = "6h",
     .min = MINUTE,
     .max = 30 * DAY,
     .summary = "Time within which the payments to new receivers must fall.",
     .desc = "Only receivers the account never paid before the window count."},
    {.name = "rules.fanout.min.receivers",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, fo_min_receivers),
     .def = "10",
     .min = 2,
     .max = 100000,
     .summary = "Distinct new receivers within the window that make a scattering.",
     .desc = "Businesses and merchants are exempt: payroll and supplier runs look like this."},
    {.name = "rules.scattergather.enabled",
     .section = "Rules",
     .type = CFG_BOOL,
     .offset = offsetof(cfg, sg_enabled),
     .def = "true",
     .summary = "Enable the scattergather rule.",
     .desc = "The rule for scatter-gather: money split over intermediaries and joined again. See "
             "docs/rules.md."},
    {.name = "rules.scattergather.score",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, sg_score),
     .def = "70",
     .min = 0,
     .max = 100,
     .summary = "Score of a scattergather finding, from 0 to 100.",
     .desc =
         "Findings on one account add up to its score (capped at 100), which picks the action."},
    {.name = "rules.scattergather.window",
     .section = "Rules",
     .type = CFG_DURATION,
     .offset = offsetof(cfg, sg_window_ms),
     .def = "12h",
     .min = MINUTE,
     .max = 30 * DAY,
     .summary = "Time from the split to the joining.",
     .desc = "The sink must receive from the intermediaries, and they from one source, all within "
             "this time."},
    {.name = "rules.scattergather.min.paths",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, sg_min_paths),
     .def = "4",
     .min = 2,
     .max = 1000,
     .summary = "Intermediaries that must carry money from the same source to the sink.",
     .desc = "Intermediaries that must carry money from the same source to the sink."},
    {.name = "rules.scattergather.conserve",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, sg_conserve_pct),
     .def = "90",
     .min = 1,
     .max = 100,
     .summary = "Percent of what an intermediary received that it must pass on to the sink.",
     .desc = "Intermediaries keep little: 90 means at most a tenth stays behind."},
    {.name = "rules.gatherscatter.enabled",
     .section = "Rules",
     .type = CFG_BOOL,
     .offset = offsetof(cfg, gs_enabled),
     .def = "true",
     .summary = "Enable the gatherscatter rule.",
     .desc = "The rule for gather-scatter: money collected from many and spread to many again. See "
             "docs/rules.md."},
    {.name = "rules.gatherscatter.score",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, gs_score),
     .def = "70",
     .min = 0,
     .max = 100,
     .summary = "Score of a gatherscatter finding, from 0 to 100.",
     .desc =
         "Findings on one account add up to its score (capped at 100), which picks the action."},
    {.name = "rules.gatherscatter.window",
     .section = "Rules",
     .type = CFG_DURATION,
     .offset = offsetof(cfg, gs_window_ms),
     .def = "12h",
     .min = MINUTE,
     .max = 30 * DAY,
     .summary = "Time within which the hub collects and re-spreads.",
     .desc = "Time within which the hub collects and re-spreads."},
    {.name = "rules.gatherscatter.min.in",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, gs_min_in),
     .def = "4",
     .min = 2,
     .max = 100000,
     .summary = "Distinct new senders into the hub within the window.",
     .desc = "Distinct new senders into the hub within the window."},
    {.name = "rules.gatherscatter.min.out",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, gs_min_out),
     .def = "4",
     .min = 2,
     .max = 100000,
     .summary = "Distinct new receivers from the hub within the window.",
     .desc = "Distinct new receivers from the hub within the window."},
    {.name = "rules.gatherscatter.ratio",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, gs_ratio_pct),
     .def = "85",
     .min = 1,
     .max = 100,
     .summary = "Percent of what the hub collected that it spread on within the window.",
     .desc = "Percent of what the hub collected that it spread on within the window."},
    {.name = "rules.chain.enabled",
     .section = "Rules",
     .type = CFG_BOOL,
     .offset = offsetof(cfg, ch_enabled),
     .def = "true",
     .summary = "Enable the chain rule.",
     .desc = "The rule for layering chain: money hopping A to B to C to D, each hop soon after the "
             "last. See docs/rules.md."},
    {.name = "rules.chain.score",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, ch_score),
     .def = "60",
     .min = 0,
     .max = 100,
     .summary = "Score of a chain finding, from 0 to 100.",
     .desc =
         "Findings on one account add up to its score (capped at 100), which picks the action."},
    {.name = "rules.chain.max.gap",
     .section = "Rules",
     .type = CFG_DURATION,
     .offset = offsetof(cfg, ch_max_gap_ms),
     .def = "3d",
     .min = MINUTE,
     .max = 30 * DAY,
     .summary = "Longest time between a hop and the next one.",
     .desc = "Street mules hop within minutes, organised layering within days; the default catches "
             "both."},
    {.name = "rules.chain.min.hops",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, ch_min_hops),
     .def = "4",
     .min = 2,
     .max = 16,
     .summary = "Hops a chain needs before its intermediaries are flagged.",
     .desc = "A chain of four hops has three intermediaries, all flagged."},
    {.name = "rules.chain.conserve",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, ch_conserve_pct),
     .def = "90",
     .min = 1,
     .max = 100,
     .summary = "Percent of a hop's amount the next hop must carry at least.",
     .desc = "Layering keeps amounts nearly whole; each hop may also carry at most the previous "
             "amount."},
    {.name = "rules.cycle.enabled",
     .section = "Rules",
     .type = CFG_BOOL,
     .offset = offsetof(cfg, cy_enabled),
     .def = "true",
     .summary = "Enable the cycle rule.",
     .desc = "The rule for cycle (round-tripping): money coming back to an account it left. See "
             "docs/rules.md."},
    {.name = "rules.cycle.score",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, cy_score),
     .def = "80",
     .min = 0,
     .max = 100,
     .summary = "Score of a cycle finding, from 0 to 100.",
     .desc =
         "Findings on one account add up to its score (capped at 100), which picks the action."},
    {.name = "rules.cycle.window",
     .section = "Rules",
     .type = CFG_DURATION,
     .offset = offsetof(cfg, cy_window_ms),
     .def = "3d",
     .min = MINUTE,
     .max = 30 * DAY,
     .summary = "Time from the money leaving to its return.",
     .desc = "Time from the money leaving to its return."},
    {.name = "rules.cycle.max.hops",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, cy_max_hops),
     .def = "6",
     .min = 2,
     .max = 16,
     .summary = "Longest cycle searched, in hops.",
     .desc =
         "Longer cycles cost more to search and are rarer; A to B to C and back is three hops."},
    {.name = "rules.cycle.conserve",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, cy_conserve_pct),
     .def = "95",
     .min = 1,
     .max = 100,
     .summary = "Percent of a hop's amount the next hop must carry at least.",
     .desc = "Percent of a hop's amount the next hop must carry at least."},
    {.name = "rules.bipartite.enabled",
     .section = "Rules",
     .type = CFG_BOOL,
     .offset = offsetof(cfg, bp_enabled),
     .def = "true",
     .summary = "Enable the bipartite rule.",
     .desc = "The rule for bipartite and stack: a group of senders each paying a group of "
             "receivers. See docs/rules.md."},
    {.name = "rules.bipartite.score",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, bp_score),
     .def = "50",
     .min = 0,
     .max = 100,
     .summary = "Score of a bipartite finding, from 0 to 100.",
     .desc =
         "Findings on one account add up to its score (capped at 100), which picks the action."},
    {.name = "rules.bipartite.window",
     .section = "Rules",
     .type = CFG_DURATION,
     .offset = offsetof(cfg, bp_window_ms),
     .def = "12h",
     .min = MINUTE,
     .max = 30 * DAY,
     .summary = "Time within which the group's payments fall.",
     .desc = "Time within which the group's payments fall."},
    {.name = "rules.bipartite.min.senders",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, bp_min_senders),
     .def = "3",
     .min = 2,
     .max = 1000,
     .summary = "Senders in the group.",
     .desc = "The fewest senders that make a group, each paying most of the receivers."},
    {.name = "rules.bipartite.min.receivers",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, bp_min_receivers),
     .def = "3",
     .min = 2,
     .max = 1000,
     .summary = "Receivers in the group.",
     .desc = "The fewest receivers that make a group, each paid by most of the senders."},
    {.name = "rules.bipartite.density",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, bp_density_pct),
     .def = "80",
     .min = 1,
     .max = 100,
     .summary = "Percent of sender-receiver pairs that must have paid.",
     .desc = "Percent of sender-receiver pairs that must have paid."},
    {.name = "rules.bipartite.stack.score",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, bp_stack_score),
     .def = "80",
     .min = 0,
     .max = 100,
     .summary = "Score when two or more such layers follow each other (a stack).",
     .desc = "A single layer scores `rules.bipartite.score`; a receiver group that pays on as the "
             "sender group of another layer scores this."},
    {.name = "rules.structuring.enabled",
     .section = "Rules",
     .type = CFG_BOOL,
     .offset = offsetof(cfg, st_enabled),
     .def = "true",
     .summary = "Enable the structuring rule.",
     .desc = "The rule for structuring (smurfing): repeated transfers just under the reporting "
             "threshold. See docs/rules.md."},
    {.name = "rules.structuring.score",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, st_score),
     .def = "60",
     .min = 0,
     .max = 100,
     .summary = "Score of a structuring finding, from 0 to 100.",
     .desc =
         "Findings on one account add up to its score (capped at 100), which picks the action."},
    {.name = "rules.structuring.threshold",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, st_threshold),
     .def = "5000000",
     .min = 1,
     .max = 1000000000000000,
     .summary = "The reporting threshold, in minor units.",
     .desc = "The default is 50,000.00 in a two-decimal currency."},
    {.name = "rules.structuring.band",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, st_band_pct),
     .def = "10",
     .min = 1,
     .max = 50,
     .summary = "How far under the threshold counts as just under, in percent.",
     .desc = "10 means from 90% of the threshold up to just below it."},
    {.name = "rules.structuring.min.count",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, st_min_count),
     .def = "5",
     .min = 2,
     .max = 100000,
     .summary = "Transfers just under the threshold by one account within the window.",
     .desc = "Counted separately for money sent and money received."},
    {.name = "rules.structuring.window",
     .section = "Rules",
     .type = CFG_DURATION,
     .offset = offsetof(cfg, st_window_ms),
     .def = "3d",
     .min = MINUTE,
     .max = 30 * DAY,
     .summary = "Time within which the transfers just under the threshold are counted.",
     .desc = "Time within which the transfers just under the threshold are counted."},
    {.name = "rules.burst.enabled",
     .section = "Rules",
     .type = CFG_BOOL,
     .offset = offsetof(cfg, bu_enabled),
     .def = "true",
     .summary = "Enable the burst rule.",
     .desc = "The rule for new or dormant account burst: a young or silent account suddenly moving "
             "large sums. See docs/rules.md."},
    {.name = "rules.burst.score",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, bu_score),
     .def = "50",
     .min = 0,
     .max = 100,
     .summary = "Score of a burst finding, from 0 to 100.",
     .desc =
         "Findings on one account add up to its score (capped at 100), which picks the action."},
    {.name = "rules.burst.new.age",
     .section = "Rules",
     .type = CFG_DURATION,
     .offset = offsetof(cfg, bu_new_age_ms),
     .def = "7d",
     .min = HOUR,
     .max = 365 * DAY,
     .summary = "An account opened at most this long before a transfer is new.",
     .desc = "The opening time comes from the account's profile; without a profile the account is "
             "never new."},
    {.name = "rules.burst.new.volume",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, bu_new_volume),
     .def = "10000000",
     .min = 1,
     .max = 1000000000000000,
     .summary = "A new account's money in and out within a day that is a burst (minor units).",
     .desc = "A new account's money in and out within a day that is a burst (minor units)."},
    {.name = "rules.burst.dormant.after",
     .section = "Rules",
     .type = CFG_DURATION,
     .offset = offsetof(cfg, bu_dormant_after_ms),
     .def = "90d",
     .min = DAY,
     .max = 3650 * DAY,
     .summary = "Silence after which an account counts as dormant.",
     .desc = "An account is also dormant when its bank reports it so in its profile."},
    {.name = "rules.burst.dormant.volume",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, bu_dormant_volume),
     .def = "5000000",
     .min = 1,
     .max = 1000000000000000,
     .summary = "A dormant account's money in and out within a day that is a burst (minor units).",
     .desc = "A dormant account's money in and out within a day that is a burst (minor units)."},
    {.name = "rules.trace.enabled",
     .section = "Rules",
     .type = CFG_BOOL,
     .offset = offsetof(cfg, tr_enabled),
     .def = "true",
     .summary = "Enable the trace rule.",
     .desc = "The rule for victim report: follow a reported transfer's money downstream and freeze "
             "where it went. See docs/rules.md."},
    {.name = "rules.trace.score",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, tr_score),
     .def = "100",
     .min = 0,
     .max = 100,
     .summary = "Score of a trace finding, from 0 to 100.",
     .desc =
         "Findings on one account add up to its score (capped at 100), which picks the action."},
    {.name = "rules.trace.depth",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, tr_depth),
     .def = "5",
     .min = 1,
     .max = 16,
     .summary = "Hops followed downstream from the victim's transfer.",
     .desc = "Hops followed downstream from the victim's transfer."},
    {.name = "rules.trace.horizon",
     .section = "Rules",
     .type = CFG_DURATION,
     .offset = offsetof(cfg, tr_horizon_ms),
     .def = "7d",
     .min = MINUTE,
     .max = 30 * DAY,
     .summary = "Time after the victim's transfer within which onward transfers are followed.",
     .desc = "Time after the victim's transfer within which onward transfers are followed."},
    {.name = "rules.trace.min.amount",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, tr_min_amount),
     .def = "10000",
     .min = 1,
     .max = 1000000000000000,
     .summary = "Traced amount below which a branch is not followed further, in minor units.",
     .desc = "Money is split proportionally over an account's onward transfers; tiny shares are "
             "noise."},
    {.name = "rules.search.max.edges",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, search_max_edges),
     .def = "256",
     .min = 8,
     .max = 100000,
     .summary = "Counterparties read per account by one multi-account search.",
     .desc = "Bounds every search so that one hot account cannot stall a worker; a rule that meets "
             "the bound works with what it read."},
    {.name = "rules.search.max.flows",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, search_max_flows),
     .def = "256",
     .min = 8,
     .max = 100000,
     .summary = "Transfers read per account by one multi-hop search.",
     .desc = "Bounds chain, cycle and trace searches per account visited."},
    {.name = "rules.search.max.visits",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, search_max_visits),
     .def = "2000",
     .min = 16,
     .max = 10000000,
     .summary = "Accounts one multi-hop search may visit in all.",
     .desc = "The total budget of one chain, cycle or trace search."},

    /* Actions */
    {.name = "action.review.score",
     .section = "Actions",
     .type = CFG_INT,
     .offset = offsetof(cfg, action_review_score),
     .def = "20",
     .min = 1,
     .max = 100,
     .summary = "Lowest score that asks the fraud desk to REVIEW an account.",
     .desc = "An account's score is the sum of its findings' scores, capped at 100; below "
             "this threshold nothing is published. Lower values catch more and cost the desk "
             "more false alarms. Must not exceed `action.hold.score`."},
    {.name = "action.hold.score",
     .section = "Actions",
     .type = CFG_INT,
     .offset = offsetof(cfg, action_hold_score),
     .def = "50",
     .min = 1,
     .max = 100,
     .summary = "Lowest score that asks to HOLD an account's outgoing payments.",
     .desc = "A hold stops money leaving the account while the desk looks at it, without the "
             "legal weight of a freeze. Must lie between `action.review.score` and "
             "`action.freeze.score`; set it equal to `action.freeze.score` to never ask for a "
             "hold."},
    {.name = "action.freeze.score",
     .section = "Actions",
     .type = CFG_INT,
     .offset = offsetof(cfg, action_freeze_score),
     .def = "80",
     .min = 1,
     .max = 100,
     .summary = "Lowest score that asks for an emergency FREEZE of an account.",
     .desc = "The strongest action, meant for accounts the money is flowing into right now. "
             "Must not be below `action.hold.score`."},
    {.name = "incident.cooldown",
     .section = "Actions",
     .type = CFG_DURATION,
     .offset = offsetof(cfg, incident_cooldown_ms),
     .def = "24h",
     .min = MINUTE,
     .max = 365 * DAY,
     .summary = "Time an incident stays open: one request per account per incident.",
     .desc = "Findings on an account within this time after its first request belong to the "
             "same incident and raise no further request, so the desk is not flooded while a "
             "mule stays active. Shorter values alert again sooner on an account that keeps "
             "moving money; longer ones spare the desk repeats of a case it is already "
             "handling."},

    /* Operations */
    {.name = "log.level",
     .section = "Operations",
     .type = CFG_ENUM,
     .offset = offsetof(cfg, log_level),
     .def = "info",
     .names = log_level_names,
     .summary = "Least severe messages written to stderr.",
     .desc = "`error`: failures only; `warn`: also degraded conditions such as dead-lettered "
             "input and lost brokers; `info`: also start-up, shutdown and periodic progress; "
             "`debug`: detail per message, for troubleshooting only, as it slows screening at "
             "high rates."},
    {.name = "metrics.listen",
     .section = "Operations",
     .type = CFG_STRING,
     .offset = offsetof(cfg, metrics_listen),
     .def = "127.0.0.1:9464",
     .summary = "Where `interdict run` serves Prometheus metrics (HOST:PORT, or off).",
     .desc = "GET /metrics returns the counters, gauges and latency histograms listed in "
             "docs/metrics.md. The default binds to the loopback interface only; use 0.0.0.0 "
             "to let a Prometheus server on another host scrape it, and `off` to serve nothing. "
             "Port 0 picks a free port (it is logged)."},
    {.name = "progress.interval",
     .section = "Operations",
     .type = CFG_DURATION,
     .offset = offsetof(cfg, progress_interval_ms),
     .def = "5s",
     .min = 0,
     .max = HOUR,
     .summary = "How often `interdict run` prints a progress line when stderr is a terminal.",
     .desc = "One line with the transfers screened and their rate, freeze requests, dead "
             "letters, consumer lag and queued messages. 0 turns it off. Not printed when "
             "stderr is a file or a pipe (services log to journald): use the metrics there."},
    {.name = "console.listen",
     .section = "Operations",
     .type = CFG_STRING,
     .offset = offsetof(cfg, console_listen),
     .def = "127.0.0.1:9470",
     .summary = "Where `interdict console` serves the fraud desk's web console (HOST:PORT).",
     .desc = "The console is read-only: the freeze requests of the interceptions topic and the "
             "accounts of the state store, as pages and as a JSON API (docs/console.md). The "
             "default binds to the loopback interface only. An address beyond loopback is "
             "refused unless `console.token` is set. Port 0 picks a free port (it is logged)."},
    {.name = "console.token",
     .section = "Operations",
     .type = CFG_STRING,
     .offset = offsetof(cfg, console_token),
     .def = "",
     .summary = "Access token the console requires of every request; empty: none.",
     .desc = "At least 16 characters. Sent as `Authorization: Bearer TOKEN` by scripts, or as "
             "the password of HTTP basic authentication (any user name) by a browser, which "
             "asks for it. Required when `console.listen` is not a loopback address; without "
             "TLS it crosses the network in the clear, so set `console.tls.cert` too."},
    {.name = "console.tls.cert",
     .section = "Operations",
     .type = CFG_STRING,
     .offset = offsetof(cfg, console_tls_cert),
     .def = "",
     .summary = "PEM certificate (chain) file: the console serves HTTPS; empty: plain HTTP.",
     .desc = "Needs `console.tls.key`. TLS is libmicrohttpd's, through GnuTLS (Debian's "
             "libmicrohttpd12 is built with it); a build without TLS refuses the setting at "
             "start."},
    {.name = "console.tls.key",
     .section = "Operations",
     .type = CFG_STRING,
     .offset = offsetof(cfg, console_tls_key),
     .def = "",
     .summary = "PEM private key file of `console.tls.cert`.",
     .desc = "Read once at start; keep it readable by the console's user only."},
    {.name = "console.mask",
     .section = "Operations",
     .type = CFG_ENUM,
     .offset = offsetof(cfg, console_mask),
     .def = "none",
     .names = (const char *const[]){"none", "partial", "last4", NULL},
     .summary = "How account ids are shown on the console's pages: none, partial or last4.",
     .desc = "`partial` keeps the first and the last four characters (6222********0123), "
             "`last4` only the last four, for screens that others can see. Links to account "
             "pages then carry a token valid for the console's run instead of the id. The JSON "
             "API is not masked: it serves the documents as they are."},
    {.name = "console.timezone",
     .section = "Operations",
     .type = CFG_STRING,
     .offset = offsetof(cfg, console_timezone),
     .def = "",
     .summary = "IANA time zone of the desk (Asia/Shanghai); empty: the browser's own.",
     .desc = "Every time on the pages is shown in UTC and in this zone, which the page's "
             "script converts to with the browser's time-zone data. It must name a zone of "
             "/usr/share/zoneinfo."},
    {.name = "console.max.requests",
     .section = "Operations",
     .type = CFG_INT,
     .offset = offsetof(cfg, console_max_requests),
     .def = "100000",
     .min = 100,
     .max = 10000000,
     .summary = "Freeze requests the console keeps in memory; the oldest go beyond it.",
     .desc = "The console reads the interceptions topic from its beginning and keeps each "
             "request (its JSON, about 1 to 4 KB). The page says how many were dropped."},

    {.name = NULL},
};

/* A unit of durations or sizes. Aliases parse but are never printed. */
typedef struct unit {
    const char *name;
    int64_t mult;
    bool alias;
} unit;

/* Largest first, so printing picks the largest unit that divides a value. */
static const unit duration_units[] = {
    {"w", WEEK, false},   {"d", DAY, false}, {"h", HOUR, false}, {"m", MINUTE, false},
    {"s", SECOND, false}, {"ms", 1, false},  {NULL, 0, false},
};
static const unit size_units[] = {
    {"TB", TIB, false}, {"TiB", TIB, true}, {"GB", GIB, false}, {"GiB", GIB, true},
    {"MB", MIB, false}, {"MiB", MIB, true}, {"KB", KIB, false}, {"KiB", KIB, true},
    {"B", 1, true},     {NULL, 0, false},
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

static void *field(cfg *c, const cfg_entry *e)
{
    return (char *)c + e->offset;
}

static const void *cfield(const cfg *c, const cfg_entry *e)
{
    return (const char *)c + e->offset;
}

static bool is_numeric(const cfg_entry *e)
{
    return e->type == CFG_INT || e->type == CFG_DURATION || e->type == CFG_SIZE;
}

/* Numeric and enum/bool values are read the same way whatever their storage. */
static int64_t get_number(const cfg *c, const cfg_entry *e)
{
    if (e->type == CFG_BOOL || e->type == CFG_ENUM)
        return *(const int *)cfield(c, e);
    return *(const int64_t *)cfield(c, e);
}

static const char *get_string(const cfg *c, const cfg_entry *e)
{
    const char *s = *(char *const *)cfield(c, e);
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

/* A numeric value as the file would write it. */
static void format_number(const cfg_entry *e, int64_t v, char *buf, size_t size)
{
    if (e->type == CFG_DURATION)
        format_scaled(v, duration_units, buf, size);
    else if (e->type == CFG_SIZE)
        format_scaled(v, size_units, buf, size);
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

/* "a, b, c" from a NULL-terminated list of names. */
static void join_names(const char *const *names, char *buf, size_t size)
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
    join_names(e->names, list, sizeof(list));
    return fail(errstr, n, e->name, "\"%s\" is not one of %s", v, list);
}

static int check_range(const cfg_entry *e, int64_t v, char *errstr, size_t n)
{
    char have[32], bound[32];

    if (v >= e->min && v <= e->max)
        return 0;
    format_number(e, v, have, sizeof(have));
    format_number(e, v < e->min ? e->min : e->max, bound, sizeof(bound));
    return fail(errstr, n, e->name, "%s is %s the %s %s", have, v < e->min ? "below" : "above",
                v < e->min ? "minimum" : "maximum", bound);
}

/* ---- setting values ---- */

/* Parse a number of e's type from v and check it against the table bounds. */
static int parse_number(const cfg_entry *e, const char *v, int64_t *out, char *errstr, size_t n)
{
    int rc;

    if (e->type == CFG_DURATION)
        rc = parse_duration(e->name, v, out, errstr, n);
    else if (e->type == CFG_SIZE)
        rc = parse_size(e->name, v, out, errstr, n);
    else
        rc = parse_int(e->name, v, out, errstr, n);
    return rc == 0 ? check_range(e, *out, errstr, n) : rc;
}

/* Set a table key; a string takes ownership of *v. */
static int set_entry(cfg *c, const cfg_entry *e, char **v, char *errstr, size_t n)
{
    int64_t num = 0;
    int flag = 0;

    switch (e->type) {
    case CFG_STRING:
        free(*(char **)field(c, e));
        *(char **)field(c, e) = *v;
        *v = NULL;
        return 0;
    case CFG_BOOL:
        if (parse_bool(e->name, *v, &flag, errstr, n) != 0)
            return -1;
        *(int *)field(c, e) = flag;
        return 0;
    case CFG_ENUM:
        if (parse_enum(e, *v, &flag, errstr, n) != 0)
            return -1;
        *(int *)field(c, e) = flag;
        return 0;
    default:
        if (parse_number(e, *v, &num, errstr, n) != 0)
            return -1;
        *(int64_t *)field(c, e) = num;
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
    const char *prop = key + strlen(RDKAFKA_PREFIX);
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

/* The known key closest to a mistyped one, if it is close enough to be the likely intent. */
static const cfg_entry *closest_key(const char *key)
{
    size_t limit = strlen(key) / 3 > 2 ? strlen(key) / 3 : 2;
    const cfg_entry *best = NULL;
    size_t best_d = limit + 1;

    for (const cfg_entry *e = cfg_table; e->name; e++) {
        size_t d = edit_distance(key, e->name);
        if (d < best_d) {
            best = e;
            best_d = d;
        }
    }
    return best;
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
    const cfg_entry *near = closest_key(key);

    if (rdkafka_owned_why(key))
        return fail(errstr, n, key, "unknown key; interdict sets librdkafka's %s itself (%s)", key,
                    rdkafka_owned_why(key));
    if (near)
        return fail(errstr, n, key, "unknown key (did you mean \"%s\"?)", near->name);
    if (valid_property_name(key) && is_rdkafka_property(key))
        return fail(errstr, n, key,
                    "unknown key (librdkafka properties take the \"" RDKAFKA_PREFIX
                    "\" prefix: \"" RDKAFKA_PREFIX "%s\")",
                    key);
    return fail(errstr, n, key, "unknown key (interdict --help lists them all)");
}

/* ---- public: lifecycle and setting ---- */

const cfg_entry *cfg_find(const char *name)
{
    for (const cfg_entry *e = cfg_table; e->name; e++)
        if (strcmp(e->name, name) == 0)
            return e;
    return NULL;
}

int cfg_parse_duration(const char *name, const char *text, int64_t *ms, char *errstr,
                       size_t errstr_size)
{
    return parse_duration(name, text ? text : "", ms, errstr, errstr_size);
}

int cfg_init(cfg *c, char *errstr, size_t errstr_size)
{
    char why[512];

    memset(c, 0, sizeof(*c));
    for (const cfg_entry *e = cfg_table; e->name; e++) {
        if (cfg_set(c, e->name, e->def, why, sizeof(why)) != 0) {
            snprintf(errstr, errstr_size, "bad built-in default: %s", why);
            cfg_free(c);
            return -1;
        }
    }
    return 0;
}

void cfg_free(cfg *c)
{
    if (!c)
        return;
    for (const cfg_entry *e = cfg_table; e->name; e++)
        if (e->type == CFG_STRING)
            free(*(char **)field(c, e));
    for (size_t i = 0; i < c->rdkafka_cnt; i++) {
        free(c->rdkafka[i].key);
        free(c->rdkafka[i].value);
    }
    free(c->rdkafka);
    memset(c, 0, sizeof(*c));
}

int cfg_set(cfg *c, const char *key, const char *value, char *errstr, size_t errstr_size)
{
    const cfg_entry *e;
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
    if (strncmp(key, RDKAFKA_PREFIX, strlen(RDKAFKA_PREFIX)) == 0)
        rc = set_rdkafka(c, key, &v, errstr, errstr_size);
    else if ((e = cfg_find(key)) != NULL)
        rc = set_entry(c, e, &v, errstr, errstr_size);
    else
        rc = unknown_key(key, errstr, errstr_size);
cleanup:
    free(v);
    return rc;
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

int cfg_load_file(cfg *c, const char *path, char *errstr, size_t errstr_size)
{
    FILE *fp = fopen(path, "r");
    char *line = NULL, why[512];
    size_t cap = 0;
    int lineno = 0, rc = -1;

    if (!fp) {
        snprintf(errstr, errstr_size, "%s: %s", path, strerror(errno));
        return -1;
    }
    while (getline(&line, &cap, fp) != -1) {
        lineno++;
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

/* ---- validation ---- */

static int64_t enum_count(const cfg_entry *e)
{
    int64_t cnt = 0;

    while (e->names[cnt])
        cnt++;
    return cnt;
}

/* Whether an enum field holds an index into its names; code may have stored anything. */
static bool enum_ok(const cfg *c, const cfg_entry *e)
{
    return get_number(c, e) >= 0 && get_number(c, e) < enum_count(e);
}

/* The table's type and bounds, for values code stored without cfg_set. */
static int check_entry_bounds(const cfg *c, const cfg_entry *e, char *errstr, size_t n)
{
    if (is_numeric(e))
        return check_range(e, get_number(c, e), errstr, n);
    if (e->type == CFG_BOOL && get_number(c, e) != 0 && get_number(c, e) != 1)
        return fail(errstr, n, e->name, "%lld is not a boolean", (long long)get_number(c, e));
    if (e->type == CFG_ENUM && !enum_ok(c, e))
        return fail(errstr, n, e->name, "%lld is not a valid choice", (long long)get_number(c, e));
    return 0;
}

static int check_bounds(const cfg *c, char *errstr, size_t n)
{
    for (const cfg_entry *e = cfg_table; e->name; e++)
        if (check_entry_bounds(c, e, errstr, n) != 0)
            return -1;
    return 0;
}

static int check_required(const cfg *c, char *errstr, size_t n)
{
    for (int i = 0; required_keys[i]; i++)
        if (*get_string(c, cfg_find(required_keys[i])) == '\0')
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

static bool is_topic(const cfg_entry *e)
{
    return e->type == CFG_STRING && strcmp(e->section, "Topics") == 0;
}

/* Every topic key names a valid topic, and no two name the same one: reading our own output,
 * or dead-lettering into an input, would loop. */
static int check_topics(const cfg *c, char *errstr, size_t n)
{
    for (const cfg_entry *e = cfg_table; e->name; e++) {
        if (!is_topic(e))
            continue;
        if (!valid_topic(get_string(c, e)))
            return fail(errstr, n, e->name,
                        "\"%s\" is not a valid topic name (1 to 249 of a-z A-Z 0-9 . _ -)",
                        get_string(c, e));
        for (const cfg_entry *o = cfg_table; o < e; o++)
            if (is_topic(o) && strcmp(get_string(c, o), get_string(c, e)) == 0)
                return fail(errstr, n, e->name, "\"%s\" is also the value of %s", get_string(c, e),
                            o->name);
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
    /* Freeze requests carry it in a fixed-size field (model.h). */
    if (strlen(get_string(c, cfg_find("rule.set"))) > IX_RULESET_MAX)
        return fail(errstr, n, "rule.set", "\"%s\" is longer than %d characters", c->rule_set,
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

static int check_rdkafka_one(rd_kafka_conf_t *conf, const cfg_kv *kv, char *errstr, size_t n)
{
    const char *prop = unscoped(kv->key);
    char key[256], why[512];

    snprintf(key, sizeof(key), RDKAFKA_PREFIX "%s", kv->key);
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

int cfg_validate(const cfg *c, char *errstr, size_t errstr_size)
{
    static int (*const checks[])(const cfg *, char *, size_t) = {
        check_bounds,   check_required, check_topics,  check_scores,
        check_rule_set, check_currency, check_rdkafka,
    };

    for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
        if (checks[i](c, errstr, errstr_size) != 0)
            return -1;
    return 0;
}

/* ---- printing ---- */

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
    static const char *const names[] = {"string", "integer", "boolean", "duration", "size", "enum"};
    return names[t];
}

/* Whether e starts a section, i.e. the entry before it is in another one. */
static bool starts_section(const cfg_entry *e)
{
    return e == cfg_table || strcmp(e[-1].section, e->section) != 0;
}

static void print_help_entry(FILE *out, const cfg_entry *e)
{
    const char *def = *e->def ? e->def : "\"\"";
    int col = fprintf(out, "%*s%-*s", HELP_KEY_COL, "", HELP_DEF_COL - HELP_KEY_COL - 1, e->name);

    col += fprintf(out, " %s", def);
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
          "(powers of 1024). Every key in full: docs/configuration.md, also printed by\n"
          "`interdict config --markdown`.\n",
          out);
    for (const cfg_entry *e = cfg_table; e->name; e++) {
        if (starts_section(e))
            fprintf(out, "\n%s:\n", e->section);
        print_help_entry(out, e);
    }
    fprintf(out, "\nlibrdkafka:\n");
    for (int i = 0; help_rdkafka[i][0]; i++)
        fprintf(out, "%*s%-*s%s\n", HELP_KEY_COL, "", HELP_DESC_COL - HELP_KEY_COL,
                help_rdkafka[i][0], help_rdkafka[i][1]);
}

/* ---- markdown ---- */

static const char md_head[] =
    "<!-- Generated from cfg_table[] in src/config.c: edit the table, not this file.\n"
    "     Regenerate with `<build-dir>/tests/unit/test_config --write-docs`, which also\n"
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
    "Raising the log level for one run without editing the file: `-X log.level=debug`.\n"
    "\n"
    "## SEE ALSO\n"
    "\n"
    "`docs/interdict.conf.example` (every key at its default), `schemas/` (message formats),\n"
    "librdkafka's CONFIGURATION.md (the `rdkafka.` properties).\n";

/* "integer, default `12`, from `1` to `10000`" */
static void print_md_meta(FILE *out, const cfg_entry *e)
{
    char lo[32], hi[32], names[256];

    if (*e->def)
        fprintf(out, "%s, default `%s`", type_name(e->type), e->def);
    else
        fprintf(out, "%s, empty by default", type_name(e->type));
    if (is_numeric(e)) {
        format_number(e, e->min, lo, sizeof(lo));
        format_number(e, e->max, hi, sizeof(hi));
        fprintf(out, ", from `%s` to `%s`", lo, hi);
    }
    if (e->type == CFG_ENUM) {
        join_names(e->names, names, sizeof(names));
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
    fputs(md_head, out);
    for (const cfg_entry *e = cfg_table; e->name; e++) {
        if (starts_section(e))
            fprintf(out, "\n### %s\n", e->section);
        print_md_entry(out, e);
    }
    fputs(md_tail, out);
}

/* ---- effective configuration ---- */

/* e's value as the file writes it; a default keeps the table's spelling ("24h", not "1d"). */
static void format_value(const cfg *c, const cfg_entry *e, char *buf, size_t size)
{
    int64_t def = 0;

    switch (e->type) {
    case CFG_STRING:
        snprintf(buf, size, "%s", get_string(c, e));
        break;
    case CFG_BOOL:
        snprintf(buf, size, "%s", get_number(c, e) ? "true" : "false");
        break;
    case CFG_ENUM:
        if (enum_ok(c, e))
            snprintf(buf, size, "%s", e->names[get_number(c, e)]);
        else
            snprintf(buf, size, "%lld", (long long)get_number(c, e));
        break;
    default:
        if (parse_number(e, e->def, &def, NULL, 0) == 0 && def == get_number(c, e))
            snprintf(buf, size, "%s", e->def);
        else
            format_number(e, get_number(c, e), buf, size);
    }
}

static void print_effective_entry(FILE *out, const cfg *c, const cfg_entry *e)
{
    char *value;
    size_t size = (e->type == CFG_STRING ? strlen(get_string(c, e)) : 0) + 64;

    fputs("# ", out);
    print_wrapped(out, e->summary, 2, 0, "# ");
    value = malloc(size);
    if (!value)
        return;
    format_value(c, e, value, size);
    /* No space after '=' when empty: the file should carry no trailing whitespace. */
    fprintf(out, "%s =%s%s\n\n", e->name, *value ? " " : "", value);
    free(value);
}

void cfg_print_effective(const cfg *c, FILE *out)
{
    fputs("# interdict configuration. Every key, its type, range and trade-offs:\n"
          "# docs/configuration.md. A value runs to the end of its line; durations need a\n"
          "# unit (ms, s, m, h, d, w), sizes may have one (KB, MB, GB, TB; powers of 1024).\n\n",
          out);
    for (const cfg_entry *e = cfg_table; e->name; e++) {
        if (starts_section(e))
            fprintf(out, "# ---- %s ----\n\n", e->section);
        print_effective_entry(out, c, e);
    }
    fputs("# ---- librdkafka ----\n\n"
          "# rdkafka.<property> reaches every Kafka client, rdkafka.consumer.<property> and\n"
          "# rdkafka.producer.<property> only that one. For example:\n"
          "# rdkafka.security.protocol = ssl\n",
          out);
    for (size_t i = 0; i < c->rdkafka_cnt; i++)
        fprintf(out, RDKAFKA_PREFIX "%s =%s%s\n", c->rdkafka[i].key,
                *c->rdkafka[i].value ? " " : "", c->rdkafka[i].value);
}
