/* main.c - the interdict command line: parses arguments, builds the
 * configuration and wires the modules together for the chosen command.
 * Everything that can fail returns here; only main() exits.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "backup.h"
#include "config.h"
#include "console.h"
#include "demo.h"
#include "graph.h"
#include "graphviz.h"
#include "inspect.h"
#include "kafka.h"
#include "load.h"
#include "log.h"
#include "mem.h"
#include "metrics.h"
#include "pipeline.h"
#include "produce.h"
#include "rules.h"
#include "replay.h"
#include "tail.h"
#include "timefmt.h"

static volatile sig_atomic_t g_run = 1;    /* cleared by SIGINT / SIGTERM */
static volatile sig_atomic_t g_reload = 0; /* set by SIGHUP */

static void on_signal(int sig)
{
    if (sig == SIGHUP)
        g_reload = 1;
    else
        g_run = 0;
}

static void usage(FILE *out)
{
    fprintf(out,
            "interdict %s - screens bank transfers as they clear, finds mule and laundering\n"
            "patterns in the account graph and raises emergency freeze requests.\n"
            "\n"
            "Usage:\n"
            "  interdict [run] [options]         screen the transfers topic until stopped\n"
            "  interdict demo [demo options]     the whole flow on an embedded Kafka cluster\n"
            "  interdict topics [options]        create interdict's topics on the brokers\n"
            "  interdict tail [tail options]     print freeze requests from the interceptions\n"
            "                                    topic as they are committed, for a fraud desk\n"
            "  interdict inspect ACCOUNT         what the state store knows about an account\n"
            "  interdict console                 the fraud desk's web console: live freeze\n"
            "                                    requests, their evidence and the accounts,\n"
            "                                    read-only (console.* keys, docs/console.md)\n"
            "  interdict replay [replay options] re-screen a range of the input topics into a\n"
            "                                    temporary state and report the decisions, or\n"
            "                                    compare two rule configurations\n"
            "  interdict backup DIR              a consistent copy of the state store in the new\n"
            "                                    directory DIR, beside a running screener too\n"
            "  interdict load-watchlist FILE     bulk-load a watch list (JSON lines) into the\n"
            "                                    state store\n"
            "  interdict produce FILE            send your own records (JSON lines or CSV) to an\n"
            "                                    input topic, checked and keyed as run needs them\n"
            "  interdict config [--markdown]     print the effective configuration (or the\n"
            "                                    configuration reference as Markdown)\n"
            "  interdict version                 print versions of interdict and its libraries\n"
            "\n"
            "Options (every command):\n"
            "  -c, --config FILE    read configuration from FILE (key = value lines)\n"
            "  -X KEY=VALUE         set one configuration key; repeatable, wins over the file;\n"
            "                       rdkafka.* keys go to librdkafka\n"
            "  -v, --verbose        log more (repeat for debug)\n"
            "  -q, --quiet          log errors only\n"
            "  -h, --help           this help, then every configuration key\n"
            "\n"
            "Run options:\n"
            "  --until-idle DURATION  stop cleanly after DURATION without input (e.g. 5s);\n"
            "                         for batch jobs and tests. Default: run until SIGINT/SIGTERM\n"
            "  --final-metrics FILE   write the final metrics (Prometheus text) to FILE at exit\n"
            "  SIGHUP reloads rules.*, action.*, rule.set and incident.cooldown from the same\n"
            "  file and -X options; other keys need a restart.\n"
            "\n"
            "Tail options (filters combine: any given action AND any bank AND any rule):\n"
            "  --from-beginning     start at the start of the topic, not at its end\n"
            "  --action ACTION      only FREEZE, HOLD or REVIEW requests; repeatable\n"
            "  --bank BIC           only accounts at this bank; an 8-letter BIC includes every\n"
            "                       branch, an 11-letter one names a branch; repeatable\n"
            "  --rule NAME          only requests with a finding of this rule or reason code\n"
            "                       (watchlist_counterparty, WL01); repeatable\n"
            "  --json               print each request's JSON on one line, for scripts\n"
            "  --count N            stop after N requests printed\n"
            "  --until-idle DURATION  stop after DURATION without new messages\n"
            "  Requests go to stdout, a header, unreadable messages (with partition and\n"
            "  offset) and a count to stderr. Reads committed requests only (read_committed),\n"
            "  assigned every partition; commits no offsets. Stops on SIGINT/SIGTERM.\n"
            "\n"
            "Inspect options (reads the state store beside a running screener):\n"
            "  --json               one JSON document instead of text\n"
            "  --at TIME            windows end at this RFC 3339 time (default: now)\n"
            "  --top N              counterparties listed each way (default 10)\n"
            "  --flows N            recent transfers listed (default 20)\n"
            "  --memory             also print jemalloc's and RocksDB's memory figures\n"
            "                       (ACCOUNT may then be omitted)\n"
            "  --digest             print a digest of the whole committed state (ACCOUNT may\n"
            "                       be omitted): equal input, equal digest\n"
            "  --graph FILE         draw the top counterparties each way (--top), and with\n"
            "                       --request a request's evidence path, into FILE: .svg or\n"
            "                       .png (needs Graphviz's dot) or .dot\n"
            "  --request FILE       a freeze request as `interdict tail --json` prints it, for\n"
            "                       --graph; ACCOUNT may then be omitted\n"
            "\n"
            "Console (console.listen, default http://127.0.0.1:9470/): reads the\n"
            "  interceptions topic from its beginning as tail does and the state store\n"
            "  read-only as inspect does; serves pages and a JSON API under /api. A token\n"
            "  (console.token) is required when bound beyond loopback. Stops on SIGINT/SIGTERM.\n"
            "\n"
            "Replay options (a plain read_committed consumer; nothing is written to Kafka):\n"
            "  --from OFFSET|TIME   start of the range: an offset in every partition of the\n"
            "                       transfers topic, or an RFC 3339 time (default: the start)\n"
            "  --to OFFSET|TIME     end of the range, not included (default: the current end)\n"
            "  --compare-with FILE  screen again with the rule keys of this config file, and\n"
            "                       compare the two runs\n"
            "  --set KEY=VALUE      a rules.*, action.*, rule.set or incident.cooldown value for\n"
            "                       the second run; repeatable, with or without --compare-with\n"
            "  --json               one JSON document instead of text; each request in it\n"
            "                       carries the freeze request tail --json prints\n"
            "  Times select by Kafka message timestamp; the range is screened in event-time\n"
            "  order into temporary stores under $TMPDIR, removed afterwards.\n"
            "\n"
            "Produce options (FILE - is standard input; docs/produce.md):\n"
            "  --topic T          transfers (default), reports, accounts, watchlist,\n"
            "                     allowlist or verdicts (the fraud desk's, docs/desk.md);\n"
            "                     the topic itself is topic.T of the configuration\n"
            "  --format F         json (one message per line) or csv (a header row naming the\n"
            "                     schema's fields); default: csv for a .csv file, else json\n"
            "  --rate N           send N records per second\n"
            "  --speedup X        pace by event time: the gap between two records' event times\n"
            "                     divided by X (1: real time); not with --rate\n"
            "  --skip-bad         report and count bad records and go on; default: stop at the\n"
            "                     first one (exit 2), nothing after it sent\n"
            "  --dry-run          check and count only, send nothing\n"
            "  Each record is checked by the screener's decoder and keyed by the account the\n"
            "  screener requires; bad ones go to stderr as FILE:LINE: reason: detail. The\n"
            "  summary (read, sent, delivered, failed, bad, by partition) goes to stdout; exit\n"
            "  1 when --skip-bad skipped records, 3 when a record was not delivered.\n"
            "\n"
            "Demo options:\n"
            "  --transfers N     transfers over three days (default 12000)\n"
            "  --accounts N      population size (default 4000)\n"
            "  --per-pattern N   instances of each laundering pattern planted (default 2)\n"
            "  --malformed N     malformed messages mixed in (default 8)\n"
            "  --seed N          generator seed (default 20261123)\n"
            "  --show N          reason codes to show a freeze request of (default 6)\n"
            "  --keep-state    keep the demo's state directory\n"
            "  --format F        transfers as json or pacs008 (ISO 20022): sets\n"
            "                    topic.transfers.format (default json)\n"
            "\n"
            "Exit status: 0 success, 1 the demo caught less than it should (recall below\n"
            "0.95 or precision below 0.9), load-watchlist rejected entries or produce skipped\n"
            "bad records,\n"
            "2 usage or configuration error, 3 runtime error.\n"
            "\n",
            INTERDICT_VERSION);
}

enum {
    OPT_UNTIL_IDLE = 1000,
    OPT_TRANSFERS,
    OPT_ACCOUNTS,
    OPT_PER_PATTERN,
    OPT_MALFORMED,
    OPT_SEED,
    OPT_SHOW,
    OPT_KEEP_STATE,
    OPT_FORMAT,
    OPT_MARKDOWN,
    OPT_FROM_BEGINNING,
    OPT_ACTION,
    OPT_BANK,
    OPT_RULE,
    OPT_JSON,
    OPT_COUNT,
    OPT_AT,
    OPT_TOP,
    OPT_FLOWS,
    OPT_MEMORY,
    OPT_DIGEST,
    OPT_FINAL_METRICS,
    OPT_FROM,
    OPT_TO,
    OPT_COMPARE_WITH,
    OPT_SET,
    OPT_GRAPH,
    OPT_REQUEST,
    OPT_TOPIC,
    OPT_RATE,
    OPT_SPEEDUP,
    OPT_DRY_RUN,
    OPT_SKIP_BAD
};

static const struct option long_opts[] = {
    {"config", required_argument, NULL, 'c'},
    {"verbose", no_argument, NULL, 'v'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"until-idle", required_argument, NULL, OPT_UNTIL_IDLE},
    {"transfers", required_argument, NULL, OPT_TRANSFERS},
    {"accounts", required_argument, NULL, OPT_ACCOUNTS},
    {"per-pattern", required_argument, NULL, OPT_PER_PATTERN},
    {"malformed", required_argument, NULL, OPT_MALFORMED},
    {"seed", required_argument, NULL, OPT_SEED},
    {"show", required_argument, NULL, OPT_SHOW},
    {"keep-state", no_argument, NULL, OPT_KEEP_STATE},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"markdown", no_argument, NULL, OPT_MARKDOWN},
    {"from-beginning", no_argument, NULL, OPT_FROM_BEGINNING},
    {"action", required_argument, NULL, OPT_ACTION},
    {"bank", required_argument, NULL, OPT_BANK},
    {"rule", required_argument, NULL, OPT_RULE},
    {"json", no_argument, NULL, OPT_JSON},
    {"count", required_argument, NULL, OPT_COUNT},
    {"at", required_argument, NULL, OPT_AT},
    {"top", required_argument, NULL, OPT_TOP},
    {"flows", required_argument, NULL, OPT_FLOWS},
    {"memory", no_argument, NULL, OPT_MEMORY},
    {"digest", no_argument, NULL, OPT_DIGEST},
    {"final-metrics", required_argument, NULL, OPT_FINAL_METRICS},
    {"from", required_argument, NULL, OPT_FROM},
    {"to", required_argument, NULL, OPT_TO},
    {"compare-with", required_argument, NULL, OPT_COMPARE_WITH},
    {"set", required_argument, NULL, OPT_SET},
    {"graph", required_argument, NULL, OPT_GRAPH},
    {"request", required_argument, NULL, OPT_REQUEST},
    {"topic", required_argument, NULL, OPT_TOPIC},
    {"rate", required_argument, NULL, OPT_RATE},
    {"speedup", required_argument, NULL, OPT_SPEEDUP},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    {"skip-bad", no_argument, NULL, OPT_SKIP_BAD},
    {NULL, 0, NULL, 0},
};

/* Everything the command line says, before it is applied. */
typedef struct args {
    const char *command;
    const char *config_file;
    char **sets; /* "key=value" from -X, in order */
    int nsets;
    int verbosity; /* -1 quiet, 0 default, 1 info, 2 debug */
    int help;
    int markdown;
    int64_t until_idle_ms;
    demo_opts demo;
    tail_opts tail;
    inspect_opts inspect; /* account, json and currency are filled in later */
    replay_opts replay;   /* json and base_name are filled in later */
    prd_opts produce;     /* path is filled in later */
    const char *format;   /* --format: demo's json|pacs008, produce's json|csv */
    int memory;
    int digest;
    const char *graph_path;    /* inspect --graph */
    const char *request_path;  /* inspect --request */
    const char *final_metrics; /* run: write the last metrics here at exit */
    char **rest;               /* positional arguments after the command */
    int nrest;
} args;

static int parse_count(const char *opt, const char *v, int64_t *out)
{
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || *end || n < 0) {
        fprintf(stderr, "interdict: %s: not a non-negative integer: %s\n", opt, v);
        return -1;
    }
    *out = n;
    return 0;
}

static int parse_demo_opt(int opt, const char *v, demo_opts *d)
{
    int64_t n = 0;
    switch (opt) {
    case OPT_TRANSFERS:
        return parse_count("--transfers", v, &d->transfers);
    case OPT_ACCOUNTS:
        return parse_count("--accounts", v, &d->accounts);
    case OPT_PER_PATTERN:
        return parse_count("--per-pattern", v, &d->per_pattern);
    case OPT_MALFORMED:
        return parse_count("--malformed", v, &d->malformed);
    case OPT_SEED:
        if (parse_count("--seed", v, &n) != 0)
            return -1;
        d->seed = (uint64_t)n;
        return 0;
    case OPT_SHOW:
        if (parse_count("--show", v, &n) != 0)
            return -1;
        d->show = (int)(n > 1000 ? 1000 : n);
        return 0;
    default:
        return -1;
    }
}

/* Options of `interdict tail`; --until-idle is shared with run. */
static int parse_tail_opt(int opt, const char *v, tail_opts *t)
{
    char errstr[256];
    int rc = 0;
    switch (opt) {
    case OPT_FROM_BEGINNING:
        t->from_beginning = 1;
        return 0;
    case OPT_JSON:
        t->json = 1;
        return 0;
    case OPT_COUNT:
        if (parse_count("--count", v, &t->count) != 0)
            return -1;
        if (t->count == 0) {
            fprintf(stderr, "interdict: --count: must be at least 1\n");
            return -1;
        }
        return 0;
    case OPT_ACTION:
        rc = tail_add_action(t, v, errstr, sizeof(errstr));
        break;
    case OPT_BANK:
        rc = tail_add_bank(t, v, errstr, sizeof(errstr));
        break;
    default:
        rc = tail_add_rule(t, v, errstr, sizeof(errstr));
    }
    if (rc != 0)
        fprintf(stderr, "interdict: %s\n", errstr);
    return rc;
}

/* Options of `interdict inspect`; --json is shared with tail. */
static int parse_inspect_opt(int opt, const char *v, inspect_opts *o)
{
    int64_t n = 0;
    if (opt == OPT_AT) {
        if (tf_parse(v, strlen(v), &o->as_of_ms) != 0) {
            fprintf(stderr, "interdict: --at: not an RFC 3339 time: %s\n", v);
            return -1;
        }
        return 0;
    }
    if (parse_count(opt == OPT_TOP ? "--top" : "--flows", v, &n) != 0)
        return -1;
    if (n > 1000)
        n = 1000;
    if (opt == OPT_TOP)
        o->top = (int)n;
    else
        o->flows = (int)n;
    return 0;
}

/* A positive number, for --rate and --speedup. */
static int parse_positive(const char *opt, const char *v, double *out)
{
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (errno || *end || end == v || !(x > 0) || x > 1e9) {
        fprintf(stderr, "interdict: %s: not a positive number: %s\n", opt, v);
        return -1;
    }
    *out = x;
    return 0;
}

/* Options of `interdict produce`. */
static int parse_produce_opt(int opt, const char *v, prd_opts *p)
{
    switch (opt) {
    case OPT_TOPIC:
        if ((p->topic = prd_topic_parse(v)) < 0) {
            fprintf(stderr,
                    "interdict: --topic: not transfers, reports, accounts, watchlist, allowlist "
                    "or verdicts: %s\n",
                    v);
            return -1;
        }
        return 0;
    case OPT_RATE:
        return parse_positive("--rate", v, &p->rate);
    case OPT_SPEEDUP:
        return parse_positive("--speedup", v, &p->speedup);
    case OPT_DRY_RUN:
        p->dry_run = 1;
        return 0;
    default:
        p->skip_bad = 1;
        return 0;
    }
}

/* Options of `interdict replay`; --json is shared with tail. */
static int parse_replay_opt(int opt, const char *v, replay_opts *r)
{
    char errstr[256];
    int rc;
    if (opt == OPT_COMPARE_WITH) {
        r->compare_file = v;
        return 0;
    }
    if (opt == OPT_SET)
        rc = replay_add_set(r, v, errstr, sizeof(errstr));
    else
        rc = replay_parse_bound(opt == OPT_FROM ? "--from" : "--to", v,
                                opt == OPT_FROM ? &r->from : &r->to, errstr, sizeof(errstr));
    if (rc != 0)
        fprintf(stderr, "interdict: %s\n", errstr);
    return rc;
}

static int parse_args(int argc, char **argv, args *a)
{
    char errstr[256];
    memset(a, 0, sizeof(*a));
    demo_opts_default(&a->demo);
    a->inspect.top = 10;
    a->inspect.flows = 20;
    a->sets = calloc((size_t)argc, sizeof(*a->sets));
    a->rest = calloc((size_t)argc, sizeof(*a->rest));
    if (!a->sets || !a->rest)
        return -1;
    int opt;
    /* '+' stops at the first non-option, so "interdict -X a=b run" and
     * "interdict run -X a=b" both work (options are parsed again after the
     * command below). */
    while ((opt = getopt_long(argc, argv, "+c:X:vqh", long_opts, NULL)) != -1 || optind < argc) {
        if (opt == -1) {
            if (!a->command)
                a->command = argv[optind];
            else
                a->rest[a->nrest++] = argv[optind];
            optind++;
            continue;
        }
        switch (opt) {
        case 'c':
            a->config_file = optarg;
            break;
        case 'X':
            a->sets[a->nsets++] = optarg;
            break;
        case 'v':
            a->verbosity = a->verbosity < 0 ? 1 : a->verbosity + 1;
            break;
        case 'q':
            a->verbosity = -1;
            break;
        case 'h':
            a->help = 1;
            break;
        case OPT_UNTIL_IDLE:
            if (cfg_parse_duration("--until-idle", optarg, &a->until_idle_ms, errstr,
                                   sizeof(errstr)) != 0) {
                fprintf(stderr, "interdict: %s\n", errstr);
                return -1;
            }
            break;
        case OPT_KEEP_STATE:
            a->demo.keep_state = 1;
            break;
        case OPT_MARKDOWN:
            a->markdown = 1;
            break;
        case OPT_AT:
        case OPT_TOP:
        case OPT_FLOWS:
            if (parse_inspect_opt(opt, optarg, &a->inspect) != 0)
                return -1;
            break;
        case OPT_MEMORY:
            a->memory = 1;
            break;
        case OPT_DIGEST:
            a->digest = 1;
            break;
        case OPT_GRAPH:
            a->graph_path = optarg;
            break;
        case OPT_REQUEST:
            a->request_path = optarg;
            break;
        case OPT_FINAL_METRICS:
            a->final_metrics = optarg;
            break;
        case OPT_FORMAT:
            a->format = optarg;
            break;
        case OPT_TOPIC:
        case OPT_RATE:
        case OPT_SPEEDUP:
        case OPT_DRY_RUN:
        case OPT_SKIP_BAD:
            if (parse_produce_opt(opt, optarg, &a->produce) != 0)
                return -1;
            break;
        case OPT_FROM:
        case OPT_TO:
        case OPT_COMPARE_WITH:
        case OPT_SET:
            if (parse_replay_opt(opt, optarg, &a->replay) != 0)
                return -1;
            break;
        case OPT_FROM_BEGINNING:
        case OPT_ACTION:
        case OPT_BANK:
        case OPT_RULE:
        case OPT_JSON:
        case OPT_COUNT:
            if (parse_tail_opt(opt, optarg, &a->tail) != 0)
                return -1;
            break;
        case '?':
            return -1;
        default:
            if (parse_demo_opt(opt, optarg, &a->demo) != 0)
                return -1;
        }
    }
    if (!a->command)
        a->command = "run";
    return 0;
}

/* Defaults, then the file, then -X, then the verbosity flags; validated. */
static int build_config(const args *a, cfg *c, char *errstr, size_t errstr_size)
{
    if (cfg_init(c, errstr, errstr_size) != 0)
        return -1;
    if (a->config_file && cfg_load_file(c, a->config_file, errstr, errstr_size) != 0)
        return -1;
    for (int i = 0; i < a->nsets; i++)
        if (cfg_set_pair(c, a->sets[i], errstr, errstr_size) != 0)
            return -1;
    if (a->verbosity < 0)
        c->log_level = CFG_LOG_ERROR;
    else if (a->verbosity > 0)
        c->log_level = a->verbosity >= 2 ? CFG_LOG_DEBUG : CFG_LOG_INFO;
    return cfg_validate(c, errstr, errstr_size);
}

/* INTERDICT_TEST_CRASH_DURING_WRITE=N (it_crash): SIGKILL from the
 * checkpoint's writer thread as it starts the N-th batch, the interval's
 * transaction committed and the next interval being screened. */
typedef struct crash_hook {
    const ix_log *log;
    long at, n;
} crash_hook;

static void crash_during_write(void *arg)
{
    crash_hook *h = arg;
    if (++h->n == h->at) {
        LOG_WARN(h->log, "main", "INTERDICT_TEST_CRASH_DURING_WRITE: dying now");
        raise(SIGKILL);
    }
}

static int open_graph(const cfg *c, const ix_log *lg, graph **g, char *errstr, size_t errstr_size)
{
    static crash_hook hook; /* lives as long as the graph; only ever set here */
    const char *crash = getenv("INTERDICT_TEST_CRASH_DURING_WRITE");
    hook.log = lg;
    hook.at = crash ? strtol(crash, NULL, 10) : 0;
    graph_opts o = {.dir = c->state_dir,
                    .write_hook = hook.at > 0 ? crash_during_write : NULL,
                    .write_hook_arg = &hook,
                    .cache_bytes = (size_t)c->state_cache_bytes,
                    .create = 1,
                    .log = lg,
                    .retention_ms = c->state_retention_ms,
                    .event_clock = 1,
                    .min_free_bytes = (uint64_t)c->state_min_free,
                    .log_dir = c->state_log_dir};
    return graph_open(&o, g, errstr, errstr_size);
}

static int preload_watchlist(const cfg *c, graph *g, const ix_log *lg, char *errstr,
                             size_t errstr_size)
{
    load_stats st;
    if (!c->watchlist_file || !c->watchlist_file[0])
        return 0;
    if (load_watchlist(g, c->watchlist_file, stderr, &st, errstr, errstr_size) != 0)
        return -1;
    LOG_INFO(lg, "main", "watch list %s: %" PRId64 " loaded, %" PRId64 " rejected",
             c->watchlist_file, st.loaded, st.rejected);
    return 0;
}

static void print_run_summary(const ix_log *lg, const stats *st)
{
    LOG_INFO(lg, "main",
             "stopped: %" PRIu64 " transfers, %" PRIu64 " screened, %" PRIu64
             " freeze requests (FREEZE %" PRIu64 ", HOLD %" PRIu64 ", REVIEW %" PRIu64 "), %" PRIu64
             " dead letters, %" PRIu64 " checkpoints, %" PRIu64 " late events, %" PRIu64
             " replayed",
             st->transfers, st->screened, st->requests, st->by_action[IX_ACTION_FREEZE],
             st->by_action[IX_ACTION_HOLD], st->by_action[IX_ACTION_REVIEW], st->deadletters,
             st->checkpoints, st->late, st->replayed);
}

/* SIGHUP: the rules and actions are read again from the same sources; keys
 * that only take effect at start must not change. */
typedef struct reloader {
    const args *a;
    const cfg *base; /* the configuration the pipeline was started with */
    cfg *cur;        /* the rules' configuration after the last reload, if any */
    rules *r;        /* the current rule set */
    const ix_log *lg;
} reloader;

/* A reload may change rules, actions and the rule-set label, nothing else. */
static int reloadable(const char *key)
{
    return strncmp(key, "rules.", 6) == 0 || strncmp(key, "action.", 7) == 0 ||
           strcmp(key, "rule.set") == 0 || strcmp(key, "incident.cooldown") == 0;
}

static int restart_only(const char *key)
{
    return !reloadable(key);
}

static int same_startup_keys(const cfg *a, const cfg *b, char *errstr, size_t errstr_size)
{
    char key[CFG_NAME_MAX];
    if (cfg_differs(a, b, restart_only, key, sizeof(key))) {
        snprintf(errstr, errstr_size, "%s changed: it takes effect only at a restart", key);
        return -1;
    }
    return 0;
}

static int reload_rules(void *arg, const rules **out, char *errstr, size_t errstr_size)
{
    reloader *rl = arg;
    cfg *next = calloc(1, sizeof(*next));
    rules *r = NULL;
    if (!next) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    if (build_config(rl->a, next, errstr, errstr_size) != 0 ||
        same_startup_keys(rl->base, next, errstr, errstr_size) != 0 ||
        rules_create(next, &r, errstr, errstr_size) != 0) {
        cfg_free(next);
        free(next);
        return -1;
    }
    /* The pipeline is at a barrier: no worker uses the old rules now. */
    rules_destroy(rl->r);
    if (rl->cur) {
        cfg_free(rl->cur);
        free(rl->cur);
    }
    rl->cur = next;
    rl->r = r;
    *out = r;
    LOG_INFO(rl->lg, "main", "rules reloaded: rule set %s", next->rule_set);
    return 0;
}

/* Live figures: the metrics snapshot, and a progress line on a terminal. */
typedef struct observer {
    metrics *met;
    const cfg *c;
    int tty;
    int64_t last_ns, last_transfers;
    int64_t next_line_ns;
} observer;

static void on_observe(void *arg, const stats *t, const pipe_live *l)
{
    observer *ob = arg;
    met_update(ob->met, t, l);
    int64_t now = tf_mono_ns();
    if (!ob->tty || ob->c->progress_interval_ms <= 0 || now < ob->next_line_ns)
        return;
    double secs = (double)(now - ob->last_ns) / 1e9;
    double rate = secs > 0 ? (double)((int64_t)t->transfers - ob->last_transfers) / secs : 0;
    fprintf(stderr,
            "interdict: %" PRIu64 " transfers screened (%.0f/s), %" PRIu64
            " freeze requests, %" PRIu64 " dead letters, lag %" PRId64 ", queued %" PRIu64 "%s\n",
            t->transfers, rate, t->requests, t->deadletters, l->lag, l->queued,
            l->paused ? ", paused" : "");
    ob->last_ns = now;
    ob->last_transfers = (int64_t)t->transfers;
    ob->next_line_ns = now + ob->c->progress_interval_ms * 1000000;
}

static int cmd_run(const args *a, const cfg *c, const ix_log *lg)
{
    char errstr[1024];
    graph *g = NULL;
    metrics *met = NULL;
    reloader rl = {.a = a, .base = c, .lg = lg};
    stats st;
    int rc = 3;
    memset(&st, 0, sizeof(st));

    if (a->nrest != 0) {
        fprintf(stderr, "interdict run: unexpected argument '%s' (see interdict --help)\n",
                a->rest[0]);
        return 2;
    }
    if (met_check_listen(c->metrics_listen, errstr, sizeof(errstr)) != 0) {
        fprintf(stderr, "interdict run: %s\n", errstr);
        return 2;
    }
    if (open_graph(c, lg, &g, errstr, sizeof(errstr)) != 0 ||
        preload_watchlist(c, g, lg, errstr, sizeof(errstr)) != 0 ||
        rules_create(c, &rl.r, errstr, sizeof(errstr)) != 0 ||
        !(met = met_start(c->metrics_listen, g, errstr, sizeof(errstr))))
        goto out;
    LOG_INFO(lg, "main", "screening %s from %s as %s (group %s), state in %s", c->topic_transfers,
             c->brokers, c->instance_id, c->group_id, c->state_dir);
    if (met_port(met))
        LOG_INFO(lg, "main", "metrics on http://%s/metrics (port %d)", c->metrics_listen,
                 met_port(met));
    observer ob = {.met = met, .c = c, .tty = isatty(2), .last_ns = tf_mono_ns()};
    pipe_opts po = {.c = c,
                    .g = g,
                    .r = rl.r,
                    .log = lg,
                    .run = &g_run,
                    .until_idle_ms = a->until_idle_ms,
                    .reload = &g_reload,
                    .reload_fn = reload_rules,
                    .reload_arg = &rl,
                    .observe = on_observe,
                    .observe_arg = &ob};
    if (pipe_run(&po, &st, errstr, sizeof(errstr)) != 0)
        goto out;
    print_run_summary(lg, &st);
    rc = 0;
    if (a->final_metrics) {
        FILE *f = fopen(a->final_metrics, "w");
        if (f) {
            met_render(met, f);
            fclose(f);
        } else {
            snprintf(errstr, sizeof(errstr), "%s: %s", a->final_metrics, strerror(errno));
            rc = 3;
        }
    }
out:
    if (rc)
        fprintf(stderr, "interdict: %s\n", errstr);
    met_stop(met);
    rules_destroy(rl.r);
    if (rl.cur) {
        cfg_free(rl.cur);
        free(rl.cur);
    }
    graph_close(g);
    return rc;
}

static int cmd_demo(const args *a, cfg *c, const ix_log *lg)
{
    char errstr[1024];
    demo_opts o = a->demo;
    if (a->format && (o.format = ix_format_parse(a->format)) < 0) {
        fprintf(stderr, "interdict demo: --format: not json or pacs008: %s\n", a->format);
        return 2;
    }
    /* The demo's output is its report on stdout; keep the log to warnings
     * unless asked for more. */
    ix_log quiet = *lg;
    if (a->verbosity == 0 && quiet.level > CFG_LOG_WARN)
        quiet.level = CFG_LOG_WARN;
    int rc = demo_run(c, &o, &quiet, &g_run, stdout, errstr, sizeof(errstr));
    if (rc < 0) {
        fprintf(stderr, "interdict demo: %s\n", errstr);
        return 3;
    }
    return rc;
}

static int cmd_topics(const cfg *c)
{
    char errstr[1024];
    if (kafka_create_topics(c, errstr, sizeof(errstr)) != 0) {
        fprintf(stderr, "interdict topics: %s\n", errstr);
        return 3;
    }
    printf("topics ready on %s: %s, %s, %s (compacted), %s, %s, %s, %s (compacted), %s; %" PRId64
           " partitions each\n",
           c->brokers, c->topic_transfers, c->topic_accounts, c->topic_watchlist, c->topic_reports,
           c->topic_interceptions, c->topic_deadletter, c->topic_allowlist, c->topic_verdicts,
           c->topic_partitions);
    return 0;
}

static int cmd_backup(const args *a, const cfg *c, const ix_log *lg)
{
    char errstr[1024];
    backup_stats st;
    if (a->nrest != 1) {
        fprintf(stderr, "interdict backup: expected one DIR argument\n");
        return 2;
    }
    int rc = backup_create(c->state_dir, a->rest[0], lg, &st, errstr, sizeof(errstr));
    if (rc != 0) {
        fprintf(stderr, "interdict backup: %s\n", errstr);
        return rc == -2 ? 2 : 3;
    }
    printf("backup of %s in %s: %llu files, %.1f MB, attempt %d\n", c->state_dir, a->rest[0],
           (unsigned long long)st.files, (double)st.bytes / 1048576, st.attempts);
    return 0;
}

static int cmd_load_watchlist(const args *a, const cfg *c, const ix_log *lg)
{
    char errstr[1024];
    graph *g = NULL;
    load_stats st;
    if (a->nrest != 1) {
        fprintf(stderr, "interdict load-watchlist: expected one FILE argument\n");
        return 2;
    }
    if (open_graph(c, lg, &g, errstr, sizeof(errstr)) != 0 ||
        load_watchlist(g, a->rest[0], stderr, &st, errstr, sizeof(errstr)) != 0) {
        fprintf(stderr, "interdict load-watchlist: %s\n", errstr);
        graph_close(g);
        return 3;
    }
    graph_close(g);
    printf("%s: %" PRId64 " entries loaded into %s, %" PRId64 " rejected\n", a->rest[0], st.loaded,
           c->state_dir, st.rejected);
    return st.rejected ? 1 : 0;
}

static int cmd_tail(const args *a, const cfg *c, const ix_log *lg)
{
    char errstr[1024];
    tail_stats st;
    tail_opts o = a->tail;
    o.until_idle_ms = a->until_idle_ms;
    if (a->nrest != 0) {
        fprintf(stderr, "interdict tail: unexpected argument '%s' (see interdict --help)\n",
                a->rest[0]);
        return 2;
    }
    if (tail_run(c, &o, lg, &g_run, stdout, stderr, &st, errstr, sizeof(errstr)) != 0) {
        fprintf(stderr, "interdict tail: %s\n", errstr);
        return 3;
    }
    return 0;
}

static void print_memory(graph *g)
{
    graph_stats gs;
    mem_stats ms;
    graph_get_stats(g, &gs);
    if (mem_get(&ms) == 0)
        printf("jemalloc: %.1f MB allocated, %.1f MB active, %.1f MB resident, %.1f MB mapped\n",
               (double)ms.allocated / 1048576, (double)ms.active / 1048576,
               (double)ms.resident / 1048576, (double)ms.mapped / 1048576);
    else
        printf("jemalloc: not linked in this build\n");
    printf("RocksDB: %.1f MB in memtables, table readers and block cache\n\n",
           (double)gs.rocksdb_bytes / 1048576);
    mem_print(stdout);
}

/* inspect --graph: the picture goes to a file, a line naming it to stdout. */
static int cmd_inspect_graph(const args *a, const cfg *c, const ix_log *lg)
{
    char errstr[1024], summary[1024];
    graph *g = NULL;
    if (!a->graph_path || gv_format_of(a->graph_path) < 0) {
        fprintf(stderr, "interdict inspect: %s\n",
                a->graph_path ? "--graph: name the file .svg, .png or .dot"
                              : "--request draws a picture: give --graph FILE too");
        return 2;
    }
    if (a->nrest > 1 || (a->nrest == 0 && !a->request_path)) {
        fprintf(stderr, "interdict inspect: expected one ACCOUNT argument (or --request FILE)\n");
        return 2;
    }
    graph_opts o = {.dir = c->state_dir,
                    .cache_bytes = 64 << 20,
                    .read_only = 1,
                    .retention_ms = c->state_retention_ms,
                    .log = lg};
    gv_opts go = {.account = a->nrest ? a->rest[0] : NULL,
                  .currency = c->currency,
                  .as_of_ms = a->inspect.as_of_ms ? a->inspect.as_of_ms : tf_now_ms(),
                  .top = a->inspect.top,
                  .request_path = a->request_path,
                  .out_path = a->graph_path};
    int rc = graph_open(&o, &g, errstr, sizeof(errstr)) != 0
                 ? -1
                 : gv_inspect(g, &go, summary, sizeof(summary), errstr, sizeof(errstr));
    if (rc == 1)
        fprintf(stderr, "interdict inspect: %s: the state store in %s knows nothing of it\n",
                go.account, c->state_dir);
    else if (rc < 0)
        fprintf(stderr, "interdict inspect: %s\n", errstr);
    else
        printf("%s\n", summary);
    graph_close(g);
    return rc < 0 ? 3 : rc;
}

static int cmd_inspect(const args *a, const cfg *c, const ix_log *lg)
{
    char errstr[1024];
    graph *g = NULL;
    if (a->graph_path || a->request_path)
        return cmd_inspect_graph(a, c, lg);
    if (a->nrest != 1 && !((a->memory || a->digest) && a->nrest == 0)) {
        fprintf(stderr, "interdict inspect: expected one ACCOUNT argument\n");
        return 2;
    }
    graph_opts o = {.dir = c->state_dir,
                    .cache_bytes = 64 << 20,
                    .read_only = 1,
                    .retention_ms = c->state_retention_ms,
                    .log = lg};
    if (graph_open(&o, &g, errstr, sizeof(errstr)) != 0) {
        fprintf(stderr, "interdict inspect: %s\n", errstr);
        return 3;
    }
    int rc = 0;
    if (a->nrest == 1) {
        inspect_opts io = a->inspect;
        io.account = a->rest[0];
        io.currency = c->currency;
        io.json = a->tail.json;
        if (io.as_of_ms == 0)
            io.as_of_ms = tf_now_ms();
        rc = inspect_account(g, &io, stdout, errstr, sizeof(errstr));
        if (rc == 1)
            fprintf(stderr, "interdict inspect: %s: the state store in %s knows nothing of it\n",
                    io.account, c->state_dir);
        else if (rc < 0)
            fprintf(stderr, "interdict inspect: %s\n", errstr);
        rc = rc < 0 ? 3 : rc;
    }
    if (a->memory)
        print_memory(g);
    if (a->digest && rc == 0) {
        graph_digest d;
        if (graph_get_digest(g, &d, errstr, sizeof(errstr)) != 0) {
            fprintf(stderr, "interdict inspect: %s\n", errstr);
            rc = 3;
        } else {
            printf("digest %016llx accounts %llu edges %llu flows %llu ids %llu profiles %llu "
                   "watchlist %llu\n",
                   (unsigned long long)d.hash, (unsigned long long)d.accounts,
                   (unsigned long long)d.edges, (unsigned long long)d.flows,
                   (unsigned long long)d.ids, (unsigned long long)d.profiles,
                   (unsigned long long)d.watch);
        }
    }
    graph_close(g);
    return rc;
}

static int cmd_console(const args *a, const cfg *c, const ix_log *lg)
{
    char errstr[1024];
    if (a->nrest != 0) {
        fprintf(stderr, "interdict console: unexpected argument '%s' (see interdict --help)\n",
                a->rest[0]);
        return 2;
    }
    int rc = con_run(c, lg, &g_run, errstr, sizeof(errstr));
    if (rc != 0)
        fprintf(stderr, "interdict console: %s\n", errstr);
    return rc == 0 ? 0 : rc == -2 ? 2 : 3;
}

static int cmd_replay(const args *a, const cfg *c, const ix_log *lg)
{
    char errstr[1024];
    replay_opts o = a->replay;
    o.json = a->tail.json;
    o.base_name = a->config_file;
    if (a->nrest != 0) {
        fprintf(stderr, "interdict replay: unexpected argument '%s' (see interdict --help)\n",
                a->rest[0]);
        return 2;
    }
    int rc = replay_run(c, &o, lg, &g_run, stdout, stderr, errstr, sizeof(errstr));
    if (rc != 0) {
        fprintf(stderr, "interdict replay: %s\n", errstr);
        return rc == -2 ? 2 : 3;
    }
    return 0;
}

static int cmd_produce(const args *a, const cfg *c)
{
    char errstr[1024];
    prd_stats st;
    prd_opts o = a->produce;
    o.format = -1;
    if (a->nrest != 1) {
        fprintf(stderr, "interdict produce: expected one FILE argument (- for stdin)\n");
        return 2;
    }
    if (o.rate > 0 && o.speedup > 0) {
        fprintf(stderr, "interdict produce: --rate and --speedup exclude each other\n");
        return 2;
    }
    if (a->format && (o.format = prd_format_parse(a->format)) < 0) {
        fprintf(stderr, "interdict produce: --format: not json or csv: %s\n", a->format);
        return 2;
    }
    o.path = a->rest[0];
    int rc = prd_run(c, &o, &g_run, stdout, stderr, &st, errstr, sizeof(errstr));
    if (rc < 0)
        fprintf(stderr, "interdict produce: %s\n", errstr);
    return rc == -2 ? 2 : rc < 0 ? 3 : rc;
}

static int cmd_version(void)
{
    printf("interdict %s\nlibrdkafka %s\nRocksDB (C API) linked\n", INTERDICT_VERSION,
           rd_kafka_version_str());
    return 0;
}

static int dispatch(const args *a, cfg *c, const ix_log *lg)
{
    if (strcmp(a->command, "run") == 0)
        return cmd_run(a, c, lg);
    if (strcmp(a->command, "demo") == 0)
        return cmd_demo(a, c, lg);
    if (strcmp(a->command, "topics") == 0)
        return cmd_topics(c);
    if (strcmp(a->command, "backup") == 0)
        return cmd_backup(a, c, lg);
    if (strcmp(a->command, "load-watchlist") == 0)
        return cmd_load_watchlist(a, c, lg);
    if (strcmp(a->command, "tail") == 0)
        return cmd_tail(a, c, lg);
    if (strcmp(a->command, "produce") == 0)
        return cmd_produce(a, c);
    if (strcmp(a->command, "inspect") == 0)
        return cmd_inspect(a, c, lg);
    if (strcmp(a->command, "replay") == 0)
        return cmd_replay(a, c, lg);
    if (strcmp(a->command, "console") == 0)
        return cmd_console(a, c, lg);
    if (strcmp(a->command, "config") == 0) {
        if (a->markdown)
            cfg_print_markdown(stdout);
        else
            cfg_print_effective(c, stdout);
        return 0;
    }
    if (strcmp(a->command, "version") == 0)
        return cmd_version();
    fprintf(stderr, "interdict: unknown command '%s' (see interdict --help)\n", a->command);
    return 2;
}

int main(int argc, char **argv)
{
    char errstr[1024];
    args a;
    cfg c;
    memset(&c, 0, sizeof(c));
    int rc = 2;

    if (parse_args(argc, argv, &a) != 0) {
        fprintf(stderr, "interdict: see interdict --help\n");
        goto out;
    }
    if (a.help) {
        usage(stdout);
        cfg_print_help(stdout);
        rc = 0;
        goto out;
    }
    if (build_config(&a, &c, errstr, sizeof(errstr)) != 0) {
        fprintf(stderr, "interdict: %s\n", errstr);
        goto out;
    }
    ix_log lg = {.level = c.log_level, .out = stderr, .full_accounts = c.log_accounts == 1};
    /* State, backups and metric files hold victims' account ids: owner only,
     * whatever the umask the service was started with. */
    umask(077);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
    rc = dispatch(&a, &c, &lg);
out:
    cfg_free(&c);
    free(a.sets);
    free(a.rest);
    return rc;
}
