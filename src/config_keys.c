/* config_keys.c - the table of configuration keys: the core keys, and at their place in the
 * Rules section every rule's keys, gathered from the config maps of rules_all (rules.h).
 *
 * A core key is a row below, stored in a field of struct cfg. A rule's keys are named
 * rules.<rule>.<key>: the two every rule has (`enabled`, `score`, declared once here, with
 * texts made from the rule's name) and the rule's own, declared in its rule_*.c with offsets
 * into its own struct of thresholds; cfg_init gives each rule a block of that struct
 * (cfg->rules). cfg_key_next() walks both in the order --help and the docs show them, so the
 * engine and the printers see one table.
 */
#include "config_int.h"

#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "model.h"
#include "rules.h"

static const char *const log_level_names[] = {"error", "warn", "info", "debug", NULL};
static const char *const log_accounts_names[] = {"masked", "full", NULL};

const cfg_entry cfg_core_table[] = {
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
     .min = CFG_SECOND,
     .max = CFG_HOUR,
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
     .max = 30 * CFG_SECOND,
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
    {.name = "cloudevents.source",
     .section = "Kafka",
     .type = CFG_STRING,
     .offset = offsetof(cfg, ce_source),
     .def = "",
     .summary = "CloudEvents `ce_source` of freeze requests and dead letters.",
     .desc = "Empty: `urn:interdict:<group.id>`. Freeze requests and dead letters carry "
             "CloudEvents attributes in Kafka headers "
             "(binary content mode: `ce_specversion`, `ce_id`, `ce_source`, `ce_type`, "
             "`ce_time`; schemas/README.md), so event routers and case systems can take them "
             "without knowing interdict's schema. Set it when several deployments feed one "
             "router: a URI-reference of 1 to 255 printable ASCII characters, no spaces."},

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
    {.name = "topic.transfers.format",
     .section = "Topics",
     .type = CFG_ENUM,
     .offset = offsetof(cfg, transfers_format),
     .def = "json",
     .names = ix_format_names,
     .summary = "Wire format of `topic.transfers`: `json` or `pacs008` (ISO 20022).",
     .desc = "`json` is interdict's own transfer schema (`schemas/transfer.v1.json`). "
             "`pacs008` reads ISO 20022 pacs.008.001.08 to .13 customer credit transfers as a "
             "clearing system sends them: one FIToFICstmrCdtTrf document per message, each "
             "CdtTrfTxInf in it screened as a transfer of its own, in document order "
             "(`docs/iso20022.md` has the mapping). The whole topic is in one format; the "
             "message key is the debtor account either way. Only the transfers topic has an "
             "ISO 20022 form: profiles, watch-list entries and fraud reports stay JSON."},
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
    {.name = "topic.allowlist",
     .section = "Topics",
     .type = CFG_STRING,
     .offset = offsetof(cfg, topic_allowlist),
     .def = "allowlist",
     .summary = "Compacted input topic of the fraud desk's allow-list.",
     .desc = "Accounts and account pairs the desk knows to be legitimate (a payroll, a "
             "landlord, a payment processor), with a reason: a finding an entry covers raises "
             "no request and is counted as held (docs/desk.md). Keyed by account, or "
             "account/counterparty for a pair, so that compaction keeps every pair; a tombstone "
             "removes the entry of its key. Created compacted by `interdict topics`; bulk-load "
             "with `interdict produce --topic allowlist FILE`."},
    {.name = "topic.verdicts",
     .section = "Topics",
     .type = CFG_STRING,
     .offset = offsetof(cfg, topic_verdicts),
     .def = "verdicts",
     .summary = "Input topic of the fraud desk's verdicts on freeze requests.",
     .desc = "One message per answered request, keyed by account: confirmed (the account "
             "joins the watch list, list desk_confirmed, so its counterparties are caught by "
             "the watch-list rule) or dismissed (the request's rules are suppressed for the "
             "account for verdict.dismiss.time). A verdict on a request this screener never "
             "raised is dead-lettered as unknown_request, a second one as duplicate_verdict."},
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
     .min = 8 * CFG_MIB,
     .max = CFG_TIB,
     .summary = "Memory for the state store's cache of recently used account data.",
     .desc = "The main memory cost of an instance. A cache that holds the accounts active "
             "within the longest rule window serves most lookups without touching the disk; "
             "a smaller one costs disk reads per transfer and with them throughput."},
    {.name = "state.write.interval",
     .section = "State",
     .type = CFG_DURATION,
     .offset = offsetof(cfg, state_write_interval_ms),
     .def = "0",
     .min = 0,
     .max = 10 * CFG_MINUTE,
     .summary = "How often the state is written to the store; 0 writes it at every commit.",
     .desc = "With a longer interval, transactions still commit every `commit.interval`; in "
             "between writes, what "
             "they changed stays in the account cache (it cannot be evicted until written), "
             "and the store's own position says where it stands. An account touched several "
             "times, or a pair paid again, is written once per write instead of once per "
             "commit, which is most of the store's cost. After a crash, or a transaction the "
             "broker aborts, the input since the last write is screened again from the store "
             "without re-sending what was committed, so this is also the bound on that "
             "replay. The state is written early when half the cache's accounts wait for it, "
             "and always when partitions are revoked and at shutdown. `interdict inspect` "
             "beside a running screener sees the store as of the last write. Measured on the "
             "realistic mix (bench/README.md): 5s saves 3 to 5 % of the CPU at 200,000 "
             "accounts, holds about 400 MB more, and did not speed up the wall clock; at "
             "1,000,000 accounts a single run screened about half as fast, so 0 stays the "
             "default until the account cache can hold what waits."},
    {.name = "state.retention",
     .section = "State",
     .type = CFG_DURATION,
     .offset = offsetof(cfg, state_retention_ms),
     .def = "35d",
     .min = CFG_HOUR,
     .max = 3650 * CFG_DAY,
     .summary = "How long per-transfer history (flows and counterparty edges) is kept.",
     .desc = "Flows (each account's transfers in time order, used to follow money hop by "
             "hop) and edges (who paid whom, with counts, sums, first and last time) older "
             "than this are dropped when RocksDB compacts, so the store's size follows this "
             "period, not the whole history. It must cover the longest rule window and "
             "trace horizon; account totals and profiles are kept regardless. The period is "
             "measured back from the latest event time screened, not from the wall clock, so "
             "a backfill or a late catch-up keeps its history (the screener warns once when "
             "its input lags the wall clock by more than this)."},
    {.name = "state.min.free",
     .section = "State",
     .type = CFG_SIZE,
     .offset = offsetof(cfg, state_min_free),
     .def = "512MB",
     .min = 0,
     .max = CFG_TIB,
     .summary = "Free space the store's file system must keep; below it `run` stops (exit 3).",
     .desc = "Checked when `run` opens the store and at most once a second before it writes "
             "a checkpoint. RocksDB aborts the process (an assertion in its info-log "
             "writer, exit 134) when it meets a full disk, so the screener stops with a "
             "message while there is still room; what it screened since the last checkpoint "
             "is screened again at the next start. The margin must cover the memtables "
             "RocksDB flushes meanwhile. 0 turns the check off."},
    {.name = "state.log.dir",
     .section = "State",
     .type = CFG_STRING,
     .offset = offsetof(cfg, state_log_dir),
     .def = "",
     .summary = "Directory of RocksDB's own info log (LOG files); empty: inside state.dir.",
     .desc = "RocksDB logs flushes, compactions and statistics there, in files rolled at 8 "
             "MB, 4 kept. On another file system than state.dir (/var/log/interdict, say), "
             "a full state disk cannot make that log abort the process. Created if missing; "
             "the file names carry the store's path, so stores can share it."},
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
     .summary = "Number of decode threads; 0 means one per CPU core.",
     .desc = "Workers decode and check messages, each partition on one worker; one screening "
             "thread then applies them to the state and runs the rules in event-time order, so "
             "the output does not depend on this number. Workers beyond the number of "
             "partitions assigned to the instance stay idle. Set it lower to leave cores to "
             "other processes on the host."},
    {.name = "input.idle",
     .section = "Pipeline",
     .type = CFG_DURATION,
     .offset = offsetof(cfg, input_idle_ms),
     .def = "200ms",
     .min = 0,
     .max = CFG_MINUTE,
     .summary = "How long a partition with nothing left to read holds back the event-time "
                "merge.",
     .desc = "Transfers are screened in event-time order across the assigned partitions: the "
             "earliest is taken once every partition has one waiting or has been read to its "
             "end for this long. A partition that stays quiet then stops holding the others "
             "back, and what arrives on it later with an earlier time is screened at once and "
             "counted as late (`interdict_late_events_total`). Raise it when producers write "
             "the partitions unevenly in bursts; every quiet partition adds up to this much "
             "latency."},
    {.name = "input.held.max",
     .section = "Pipeline",
     .type = CFG_INT,
     .offset = offsetof(cfg, input_held_max),
     .def = "160000",
     .min = 1000,
     .max = 100000000,
     .summary = "Messages held consumed and not yet screened before partitions are paused.",
     .desc =
         "Counted over all input partitions: a partition is paused when it holds more "
         "than this divided by the input partitions (at least 1,000) and resumed below a "
         "fifth of that. Each held message costs about 1.3 kB with its decoded event, so "
         "the default bounds them at about 200 MB. A pause makes librdkafka drop what it "
         "had prefetched of the partition and fetch it again on resume, while the "
         "event-time merge holds the partitions that are ahead, so too low a bound idles "
         "the screening thread when a backlog is read: on 16 input partitions (bench/README.md) "
         "10,000 per partition screened 1.20 times as fast as 5,000 and 40,000 1.44 times, "
         "for about 200 and 400 MB more at peak."},
    {.name = "input.max.bytes",
     .section = "Pipeline",
     .type = CFG_SIZE,
     .offset = offsetof(cfg, input_max_bytes),
     .def = "64KB",
     .min = CFG_KIB,
     .max = 16 * CFG_MIB,
     .summary = "Largest input message accepted; larger ones are dead-lettered.",
     .desc = "A transfer takes well under 1KB. The limit keeps a broken or hostile producer "
             "from making the decoder spend memory and time on huge messages."},
    {.name = "input.max.past",
     .section = "Pipeline",
     .type = CFG_DURATION,
     .offset = offsetof(cfg, input_max_past_ms),
     .def = "30d",
     .min = CFG_MINUTE,
     .max = 3650 * CFG_DAY,
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
     .max = CFG_DAY,
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
             "instance per clearing currency. The amount keys (type money) are written in it, "
             "with its ISO 4217 decimals: set them all for a currency other than CNY."},
    {.name = "reports.park.time",
     .section = "Pipeline",
     .type = CFG_DURATION,
     .offset = offsetof(cfg, reports_park_time_ms),
     .def = "2d",
     .min = 0,
     .max = 30 * CFG_DAY,
     .summary = "How long a fraud report waits for the transfer it names, in event time.",
     .desc = "A victim reports within minutes; the clearing stream may lag. A report whose "
             "transfer is not in the state yet is parked in the state store and traced as soon "
             "as that transfer is screened. Once the screening clock (the latest event time "
             "screened) is this far past its reported_at, it goes to the dead-letter topic as "
             "unknown_transfer. Two days cover a clearing feed that is a business day late "
             "and a weekend's batch; a transfer more than a day after its report is outside "
             "what the trace looks for anyway (docs/rules.md, victim trace)."},
    {.name = "verdict.dismiss.time",
     .section = "Pipeline",
     .type = CFG_DURATION,
     .offset = offsetof(cfg, verdict_dismiss_ms),
     .def = "30d",
     .min = 0,
     .max = 3650 * CFG_DAY,
     .summary = "How long a dismissed request keeps its rules quiet for its account (event time).",
     .desc = "When the desk dismisses a request (topic.verdicts), each reason code of the "
             "request raises no request on that account from then until the verdict's "
             "decided_at plus this, measured against the transfers' event times, so a replay "
             "decides as the live run did. A second dismissal extends it, never shortens it. "
             "A month keeps a dismissed payroll from coming back every week while a real "
             "change of pattern is still caught the month after; 0 suppresses nothing."},
    {.name = "reports.park.max",
     .section = "Pipeline",
     .type = CFG_INT,
     .offset = offsetof(cfg, reports_park_max),
     .def = "100000",
     .min = 0,
     .max = 10000000,
     .summary = "Most fraud reports parked at once; beyond it the oldest expires first.",
     .desc = "Bounds the memory and state of parked reports (each keeps its original "
             "message, at most input.max.bytes). When a new report would exceed it, the "
             "report with the oldest reported_at is dead-lettered as unknown_transfer, which "
             "may be the new one. 0 turns parking off: a report of an unknown transfer is "
             "dead-lettered at once."},

    /* Rules */
    {.name = "rule.set",
     .section = "Rules",
     .type = CFG_STRING,
     .offset = offsetof(cfg, rule_set),
     .def = "2026.12-1",
     .summary = "Version label of the rule configuration, carried in every freeze request.",
     .desc = "Change it whenever a rule or threshold changes, so that fraud desks and "
             "auditors can tell which rules raised a request. 1 to 15 of A-Z a-z 0-9 . _ : - "
             "(the freeze-request schema's rule_set)."},
    /* rules.<rule>.enabled, rules.<rule>.score and the rule's own keys, for each rule of
     * rules_all in turn */
    CFG_RULE_KEYS_ROW,

    {.name = "rules.search.max.edges",
     .section = "Rules",
     .type = CFG_INT,
     .offset = offsetof(cfg, search_max_edges),
     .def = "256",
     .min = 8,
     .max = 100000,
     .summary = "Counterparties read per account by one multi-account search.",
     .desc = "Bounds every search so that one hot account cannot stall a worker; a rule that meets "
             "the bound works with what it read. The bound is on the stored edges read, not on "
             "those kept, so the cost of a transfer into an account does not grow with its "
             "counterparties."},
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
     .desc = "An account's score is the sum, over the rules, of each rule's strongest "
             "finding on it within `score.horizon`, capped at 100; below this threshold nothing "
             "is published. Lower values catch more and cost the desk "
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
    {.name = "score.horizon",
     .section = "Actions",
     .type = CFG_DURATION,
     .offset = offsetof(cfg, score_horizon_ms),
     .def = "14d",
     .min = CFG_MINUTE,
     .max = 90 * CFG_DAY,
     .summary = "How long a finding counts towards its account's score.",
     .desc = "Weak findings of different rules on different days add up: an account's score "
             "is the sum, over the rules, of each rule's strongest finding on it within this "
             "time before the transfer screened (a rule firing many times counts once), "
             "capped at 100. A request lists every part of its score (`score_parts`). Longer "
             "horizons join evidence spread over more days; shorter ones let an account's "
             "past fade sooner. Event time, so a replay decides as the live run did."},
    {.name = "baseline.weeks",
     .section = "Actions",
     .type = CFG_INT,
     .offset = offsetof(cfg, baseline_weeks),
     .def = "1",
     .min = 1,
     .max = 520,
     .summary = "Earlier active weeks an account needs for its history to be its baseline.",
     .desc = "Each account keeps the money it moved in and out this week, last week and in "
             "its busiest week before (docs/rules.md). The rules with a `baseline.*` tier "
             "(fan-in, fan-out, pass-through) judge an account with this many earlier active "
             "weeks against that history: days-long windows and low counts, but only money "
             "far beyond what the account usually moves. An account with less history is "
             "judged by the rules' absolute thresholds alone (a new account is the burst "
             "rule's)."},
    {.name = "baseline.min.amount",
     .section = "Actions",
     .type = CFG_MONEY,
     .offset = offsetof(cfg, baseline_min_amount),
     .def = "8000.00",
     .min = 1,
     .max = DEC_AMOUNT_MAX,
     .summary = "Least money a finding against an account's baseline is about.",
     .desc = "A person who usually moves little is unusual at small sums too; below this "
             "floor that is pocket money, not laundering."},
    {.name = "baseline.large.amount",
     .section = "Actions",
     .type = CFG_MONEY,
     .offset = offsetof(cfg, baseline_large_amount),
     .def = "20000.00",
     .min = 1,
     .max = DEC_AMOUNT_MAX,
     .summary = "Money from which a finding against the baseline scores its large score.",
     .desc = "A baseline-tier finding scores the rule's `baseline.score` (a REVIEW alone), or "
             "its `baseline.large.score` when the money is at least this: two weak findings "
             "on one account stay a REVIEW, a large one with another makes a HOLD. The "
             "money figure of the finding shows the threshold it crossed."},
    {.name = "incident.cooldown",
     .section = "Actions",
     .type = CFG_DURATION,
     .offset = offsetof(cfg, incident_cooldown_ms),
     .def = "24h",
     .min = CFG_MINUTE,
     .max = 365 * CFG_DAY,
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
    {.name = "log.accounts",
     .section = "Operations",
     .type = CFG_ENUM,
     .offset = offsetof(cfg, log_accounts),
     .def = "masked",
     .names = log_accounts_names,
     .summary = "Account ids in log lines: `masked` (6228********1234) or `full`.",
     .desc =
         "Logs travel further than the desk's tools: to log collectors, tickets and "
         "screens. By default an account id keeps its first 4 and last 4 characters "
         "(ids of 10 or fewer all of them), as `console.mask` does. `full` writes them whole, for "
         "troubleshooting on a host whose logs are as protected as the state store. "
         "Freeze requests, dead letters, `tail`, `inspect` and the console are not "
         "affected (see `console.mask` for the console)."},
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
     .max = CFG_HOUR,
     .summary = "How often `run` and `produce` print a progress line when stderr is a terminal.",
     .desc = "For `run`, one line with the transfers screened and their rate, freeze requests, "
             "dead letters, consumer lag and queued messages; for `produce`, the records read, "
             "sent and their rate, and bad records. 0 turns it off. Not printed when stderr is "
             "a file or a pipe (services log to journald): use the metrics there."},
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

/* ---- the keys every rule has */

static const cfg_entry rule_enabled = {
    .name = "enabled",
    .type = CFG_BOOL,
    .offset = offsetof(cfg_rule, enabled),
    .def = "true",
};

static const cfg_entry rule_score = {
    .name = "score",
    .type = CFG_INT,
    .offset = offsetof(cfg_rule, score),
    .min = 0,
    .max = 100,
    .desc = "Findings on one account add up to its score (capped at 100), which picks the action.",
};

#define RULE_COMMON_KEYS 2 /* enabled and score come before a rule's own keys */

size_t cfg_rule_count(void)
{
    size_t n = 0;
    while (rules_all[n])
        n++;
    return n;
}

size_t cfg_rule_size(size_t i)
{
    return rules_all[i]->config.size;
}

/* The row of a rule's item: enabled, score, then its own keys; NULL past the last. */
static const cfg_entry *rule_row(const rule_def *d, size_t item)
{
    if (item == 0)
        return &rule_enabled;
    if (item == 1)
        return &rule_score;
    for (size_t i = 0; d->config.keys && d->config.keys[i].name; i++)
        if (i == item - RULE_COMMON_KEYS)
            return &d->config.keys[i];
    return NULL;
}

static bool is_rule_keys_row(size_t row)
{
    return strcmp(cfg_core_table[row].name, CFG_RULE_KEYS_NAME) == 0;
}

static void fill_core(cfg_key *k, size_t row)
{
    k->e = cfg_core_table[row];
    k->row = row;
    k->rule = CFG_CORE;
    k->item = 0;
    snprintf(k->name, sizeof(k->name), "%s", k->e.name);
    k->e.name = k->name;
}

/* The texts of the common keys: the rule's own where it has them, else made from its name and
 * the pattern it finds. */
static void common_texts(cfg_key *k, const rule_def *d, size_t item)
{
    const cfg_text *own = item == 0 ? &d->config.enabled_text : &d->config.score_text;
    const char *what = d->config.what ? d->config.what : d->name;

    if (item == 0) {
        snprintf(k->summary, sizeof(k->summary), "Enable the %s rule.", d->name);
        snprintf(k->desc, sizeof(k->desc), "The rule for %s. See docs/rules.md.", what);
    } else {
        snprintf(k->summary, sizeof(k->summary), "Score of a %s finding, from 0 to 100.", d->name);
        snprintf(k->desc, sizeof(k->desc), "%s", rule_score.desc);
    }
    k->e.summary = own->summary ? own->summary : k->summary;
    k->e.desc = own->desc ? own->desc : k->desc;
}

/* Fill k with item `item` of rule `rule`, found at core row `row`; 0 when there is none. */
static int fill_rule(cfg_key *k, size_t row, size_t rule, size_t item)
{
    const rule_def *d = rules_all[rule];
    const cfg_entry *e = rule_row(d, item);

    if (!e)
        return 0;
    k->e = *e;
    k->e.section = cfg_core_table[row].section;
    k->row = row;
    k->rule = rule;
    k->item = item;
    snprintf(k->name, sizeof(k->name), "rules.%s.%s", d->name, e->name);
    k->e.name = k->name;
    if (item < RULE_COMMON_KEYS)
        common_texts(k, d, item);
    if (item == 1)
        k->e.def = d->config.score;
    return 1;
}

/* The next position after k's: the next item of the rule, the next rule, the next row. */
static void advance(cfg_key *k)
{
    if (!is_rule_keys_row(k->row)) {
        k->row++;
        k->rule = k->item = 0;
    } else if (rule_row(rules_all[k->rule], ++k->item) == NULL) {
        k->item = 0;
        if (!rules_all[++k->rule]) {
            k->row++;
            k->rule = 0;
        }
    }
}

int cfg_key_next(cfg_key *k)
{
    if (!k->started) {
        k->started = 1;
        k->row = k->rule = k->item = 0;
    } else if (cfg_core_table[k->row].name) {
        advance(k);
    }
    if (cfg_core_table[k->row].name && is_rule_keys_row(k->row) && !rules_all[0])
        k->row++; /* no rule has keys */
    if (!cfg_core_table[k->row].name)
        return 0;
    if (is_rule_keys_row(k->row))
        return fill_rule(k, k->row, k->rule, k->item);
    fill_core(k, k->row);
    return 1;
}

/* rules.<rule>.<key>: the rule by its name, then the key among its items. */
static int find_rule_key(const char *name, cfg_key *k)
{
    size_t row = 0;

    if (strncmp(name, "rules.", 6) != 0)
        return 0;
    while (cfg_core_table[row].name && !is_rule_keys_row(row))
        row++;
    if (!cfg_core_table[row].name)
        return 0;
    for (size_t r = 0; rules_all[r]; r++) {
        size_t len = strlen(rules_all[r]->name);
        const char *key = name + 6 + len;
        if (strncmp(name + 6, rules_all[r]->name, len) != 0 || *key != '.')
            continue;
        for (size_t item = 0; rule_row(rules_all[r], item); item++)
            if (strcmp(rule_row(rules_all[r], item)->name, key + 1) == 0)
                return fill_rule(k, row, r, item);
    }
    return 0;
}

int cfg_find(const char *name, cfg_key *k)
{
    memset(k, 0, sizeof(*k));
    k->started = 1;
    if (find_rule_key(name, k))
        return 1;
    for (size_t row = 0; cfg_core_table[row].name; row++) {
        if (!is_rule_keys_row(row) && strcmp(cfg_core_table[row].name, name) == 0) {
            fill_core(k, row);
            return 1;
        }
    }
    return 0;
}

void *cfg_key_field(cfg *c, const cfg_key *k)
{
    cfg_rule *r;

    if (k->rule == CFG_CORE)
        return (char *)c + k->e.offset;
    if (!c->rules || k->rule >= c->rules_cnt)
        return NULL;
    r = &c->rules[k->rule];
    if (k->item < RULE_COMMON_KEYS)
        return (char *)r + k->e.offset;
    return r->params ? (char *)r->params + k->e.offset : NULL;
}

const void *cfg_key_cfield(const cfg *c, const cfg_key *k)
{
    /* One computation for both; nothing is written through the result. */
    return cfg_key_field((cfg *)c, k);
}
