/* interdict-gen.c - the load generator: a realistic transfer stream with
 * injected, labelled laundering patterns (and, in the realistic profile,
 * legitimate look-alikes) and their ground truth, written to JSON-lines
 * files or produced to Kafka.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "encode.h"
#include "feed.h"
#include "kafka.h"
#include "scenario.h"
#include "timefmt.h"

#define EXIT_USAGE   2
#define EXIT_RUNTIME 3
#define PROGRESS_NS  2000000000LL /* a progress line every 2 s */
#define FLUSH_MS     120000       /* wait this long for the last acknowledgements */

static volatile sig_atomic_t g_run = 1; /* cleared by SIGINT / SIGTERM */

static void on_signal(int sig)
{
    (void)sig;
    g_run = 0;
}

/* The outputs, in file order. */
enum { OUT_TRANSFERS, OUT_ACCOUNTS, OUT_WATCHLIST, OUT_REPORTS, OUT_TRUTH, OUT__COUNT };

static const char *const out_names[OUT__COUNT] = {
    "transfers.jsonl", "accounts.jsonl", "watchlist.jsonl", "reports.jsonl", "truth.jsonl"};

/* The transfers file in pacs.008: one document per line, as on the topic. */
#define OUT_TRANSFERS_PACS008 "transfers.pacs008"

typedef struct args {
    scn_opts so;
    const char *out_dir;
    const char *brokers;
    const char *config_file;
    char **sets; /* -X key=value, in order */
    int nsets;
    int64_t rate;
    int format; /* ix_format of the transfers; -1: topic.transfers.format, else JSON */
    int transfers_given;
    int create_topics;
    int quiet;
    int help;
} args;

/* Where records go: files, or Kafka through a feed (and the truth to a file). */
typedef struct sink {
    FILE *f[OUT__COUNT];
    char *iobuf[OUT__COUNT];
    feed *fd;
    cfg c;
    int have_cfg;
    ix_format format; /* of the transfers */
} sink;

/* One name of a list in --help, indented, lines of at most 80 columns;
 * returns the column reached. */
static int print_name(FILE *out, const char *name, int col)
{
    int len = (int)strlen(name);
    if (col > 0 && col + 1 + len > 80) {
        fputc('\n', out);
        col = 0;
    }
    col += fprintf(out, "%s%s", col ? " " : "  ", name);
    return col;
}

static void usage(FILE *out)
{
    fprintf(out,
            "interdict-gen - a realistic bank transfer stream with injected, labelled\n"
            "laundering patterns and their ground truth, for interdict's tests, demo and\n"
            "benchmarks.\n"
            "\n"
            "Usage:\n"
            "  interdict-gen --out-dir DIR [options]        write JSON-lines files\n"
            "  interdict-gen --brokers HOST:PORT [options]  produce to Kafka\n"
            "\n"
            "Profiles (--profile NAME, default realistic):\n"
            "  realistic          small, slow laundering attempts of every typology (degree 2\n"
            "                     to 15, minutes to two weeks, lossy, every channel) run by\n"
            "                     ordinary accounts that keep their everyday lives, and\n"
            "                     legitimate look-alikes of each typology (payroll, landlords,\n"
            "                     payment processors, family cycles, ...), all labelled\n"
            "  classic            wide, fast patterns on reserved accounts, with optional near\n"
            "                     misses: the demo's and the quality test's stream, unchanged\n"
            "\n"
            "The stream:\n"
            "  --accounts N       population size (default 100000): 90%% persons, 6%% merchants,\n"
            "                     4%% businesses, minus the accounts the patterns reserve\n"
            "  --transfers N      transfers in total, background and patterns (default 2000000;\n"
            "                     classic 1000000)\n"
            "  --duration D       simulated span ending now: 30s, 15m, 2h, 3d (default 28d,\n"
            "                     classic 3d; at most 30d: interdict dead-letters event times\n"
            "                     older than input.max.past, 30 days by default)\n"
            "  --now TIME         end of the timeline, RFC 3339 (default: the wall clock, to the\n"
            "                     second). The same options, --seed and --now give\n"
            "                     byte-identical output\n"
            "  --seed N           generator seed (default 1)\n"
            "  --merchants PCT    share of merchants (default 6)\n"
            "  --businesses PCT   share of businesses (default 4)\n"
            "  --threshold N      reporting threshold in minor units for structuring (default\n"
            "                     5000000 = 50,000.00 CNY)\n"
            "\n"
            "Patterns:\n"
            "  --mix P=N,...      instances per pattern or look-alike kind (lists below);\n"
            "                     'all=N' sets every pattern of the profile, 'lookalikes=N'\n"
            "                     every look-alike kind. Default: realistic accounts / 2500 of\n"
            "                     each, at least 2, at most 100; classic accounts / 20000 of\n"
            "                     each pattern, at least 2, at most 50\n"
            "  --near-misses      classic: also inject one near miss per instance, a variant\n"
            "                     that misses exactly one bound and that a correct rule must\n"
            "                     not flag\n"
            "  --set NAME=VALUE   change a classic pattern parameter (table below); repeatable\n"
            "\n"
            "Output to files:\n"
            "  --out-dir DIR      write transfers.jsonl, accounts.jsonl, watchlist.jsonl,\n"
            "                     reports.jsonl and truth.jsonl into DIR (created if missing);\n"
            "                     /dev/null discards everything (to measure generation alone)\n"
            "\n"
            "Output to Kafka:\n"
            "  --brokers LIST     bootstrap servers; produces profiles to the accounts topic and\n"
            "                     watch entries to the watchlist topic (keyed by account), then\n"
            "                     transfers (keyed by from_account) and fraud reports (keyed by\n"
            "                     victim_account) in event-time order. Topic names come from the\n"
            "                     configuration (topic.transfers, ...). Every message must be\n"
            "                     acknowledged, or interdict-gen fails. With --out-dir as well,\n"
            "                     the ground truth goes to DIR/truth.jsonl\n"
            "  -c, --config FILE  interdict's configuration file (for topic names, rdkafka.*)\n"
            "  -X KEY=VALUE       one configuration key, e.g. -X topic.transfers=tx or\n"
            "                     -X rdkafka.producer.linger.ms=5; repeatable\n"
            "  --create-topics    create interdict's topics first (existing ones are kept)\n"
            "  --format F         wire form of the transfers: json (interdict's schema) or\n"
            "                     pacs008 (ISO 20022 pacs.008.001.08, one document per\n"
            "                     transfer, docs/iso20022.md); the same transfers either way.\n"
            "                     Default: topic.transfers.format with --brokers, else json;\n"
            "                     files get transfers.pacs008, one document per line\n"
            "  --rate N           pace at N transfers per second (default 0: as fast as\n"
            "                     possible); without --transfers, N * duration transfers, so\n"
            "                     the timeline replays at its own speed\n"
            "\n"
            "Other:\n"
            "  -q, --quiet        no summary; a progress line appears on stderr every few\n"
            "                     seconds only when stderr is a terminal\n"
            "  -h, --help         this help\n"
            "\n"
            "Exit status: 0 success, 2 usage or configuration error, 3 runtime error (write\n"
            "failure, undelivered messages, interrupted).\n"
            "\n"
            "Realistic typologies (docs/generator.md describes each):\n");
    int col = 0;
    for (int p = 0; p < SCN_TYPOLOGY__COUNT; p++)
        if (scn_pattern_in_profile(SCN_PROFILE_REALISTIC, (scn_pattern)p))
            col = print_name(out, scn_pattern_name((scn_pattern)p), col);
    fprintf(out, "\nRealistic look-alikes:\n");
    col = 0;
    for (int k = 0; k < SCN_ALIKE__COUNT; k++)
        col = print_name(out, scn_alike_name((scn_alike)k), col);
    fprintf(out, "\n\nClassic patterns and their parameters (durations 30s/15m/6h/3d, shares as\n"
                 "percentages, amounts in minor units of CNY):\n");
    scn_print_params(out);
    fprintf(out, "\nSee docs/generator.md for the model, the patterns and the truth format.\n");
}

/* ---- command line ----------------------------------------------------- */

enum {
    OPT_ACCOUNTS = 1000,
    OPT_TRANSFERS,
    OPT_DURATION,
    OPT_NOW,
    OPT_SEED,
    OPT_MERCHANTS,
    OPT_BUSINESSES,
    OPT_THRESHOLD,
    OPT_MIX,
    OPT_NEAR,
    OPT_SET,
    OPT_OUT_DIR,
    OPT_BROKERS,
    OPT_CREATE,
    OPT_RATE,
    OPT_PROFILE,
    OPT_FORMAT
};

static const struct option long_opts[] = {
    {"accounts", required_argument, NULL, OPT_ACCOUNTS},
    {"transfers", required_argument, NULL, OPT_TRANSFERS},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"now", required_argument, NULL, OPT_NOW},
    {"seed", required_argument, NULL, OPT_SEED},
    {"merchants", required_argument, NULL, OPT_MERCHANTS},
    {"businesses", required_argument, NULL, OPT_BUSINESSES},
    {"threshold", required_argument, NULL, OPT_THRESHOLD},
    {"mix", required_argument, NULL, OPT_MIX},
    {"near-misses", no_argument, NULL, OPT_NEAR},
    {"set", required_argument, NULL, OPT_SET},
    {"out-dir", required_argument, NULL, OPT_OUT_DIR},
    {"brokers", required_argument, NULL, OPT_BROKERS},
    {"config", required_argument, NULL, 'c'},
    {"create-topics", no_argument, NULL, OPT_CREATE},
    {"rate", required_argument, NULL, OPT_RATE},
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* A non-negative integer, the whole argument. */
static int parse_count(const char *opt, const char *v, int64_t max, int64_t *out, char *errstr,
                       size_t errstr_size)
{
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || end == v || *end || n < 0 || n > max) {
        snprintf(errstr, errstr_size, "--%s: \"%s\" is not a number from 0 to %" PRId64, opt, v,
                 max);
        return -1;
    }
    *out = n;
    return 0;
}

/* A share in percent with at most one decimal, as per mille. */
static int parse_share(const char *opt, const char *v, int *permille, char *errstr,
                       size_t errstr_size)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (errno || end == v || (*end && strcmp(end, "%") != 0) || !(d >= 0 && d <= 50)) {
        snprintf(errstr, errstr_size, "--%s: \"%s\" is not a percentage from 0 to 50", opt, v);
        return -1;
    }
    *permille = (int)(d * 10 + 0.5);
    return 0;
}

static int parse_set(args *a, const char *v, char *errstr, size_t errstr_size)
{
    char name[96];
    const char *eq = strchr(v, '=');
    if (!eq || eq == v || (size_t)(eq - v) >= sizeof(name)) {
        snprintf(errstr, errstr_size, "--set: \"%s\" is not NAME=VALUE", v);
        return -1;
    }
    memcpy(name, v, (size_t)(eq - v));
    name[eq - v] = '\0';
    return scn_param_set(&a->so, name, eq + 1, errstr, errstr_size);
}

static int parse_now(const char *v, int64_t *ms, char *errstr, size_t errstr_size)
{
    if (tf_parse(v, strlen(v), ms) == 0)
        return 0;
    snprintf(errstr, errstr_size, "--now: \"%s\" is not an RFC 3339 time", v);
    return -1;
}

/* One scenario option. */
static int parse_stream_opt(args *a, int opt, const char *v, char *errstr, size_t errstr_size)
{
    int64_t n;
    scn_opts *o = &a->so;
    switch (opt) {
    case OPT_ACCOUNTS:
        return parse_count("accounts", v, 100000000, &o->accounts, errstr, errstr_size);
    case OPT_TRANSFERS:
        a->transfers_given = 1;
        return parse_count("transfers", v, 999999999999LL, &o->transfers, errstr, errstr_size);
    case OPT_DURATION:
        return cfg_parse_duration("--duration", v, &o->duration_ms, errstr, errstr_size);
    case OPT_NOW:
        return parse_now(v, &o->now_ms, errstr, errstr_size);
    case OPT_SEED:
        if (parse_count("seed", v, INT64_MAX, &n, errstr, errstr_size) != 0)
            return -1;
        o->seed = (uint64_t)n;
        return 0;
    case OPT_MERCHANTS:
        return parse_share("merchants", v, &o->merchant_permille, errstr, errstr_size);
    case OPT_BUSINESSES:
        return parse_share("businesses", v, &o->business_permille, errstr, errstr_size);
    case OPT_THRESHOLD:
        return parse_count("threshold", v, 1000000000000LL, &o->threshold, errstr, errstr_size);
    case OPT_MIX:
        return scn_mix_set(o, v, errstr, errstr_size);
    case OPT_NEAR:
        o->near_misses = 1;
        return 0;
    default:
        return parse_set(a, v, errstr, errstr_size);
    }
}

static int parse_opt(args *a, int opt, const char *v, char *errstr, size_t errstr_size)
{
    switch (opt) {
    case OPT_OUT_DIR:
        a->out_dir = v;
        return 0;
    case OPT_BROKERS:
        a->brokers = v;
        return 0;
    case 'c':
        a->config_file = v;
        return 0;
    case 'X':
        a->sets[a->nsets++] = (char *)v;
        return 0;
    case OPT_CREATE:
        a->create_topics = 1;
        return 0;
    case OPT_RATE:
        return parse_count("rate", v, 100000000, &a->rate, errstr, errstr_size);
    case OPT_PROFILE: /* applied before the other options: see apply_profile() */
        return 0;
    case OPT_FORMAT:
        if ((a->format = ix_format_parse(v)) < 0) {
            snprintf(errstr, errstr_size, "--format: \"%s\" is not json or pacs008", v);
            return -1;
        }
        return 0;
    case 'q':
        a->quiet = 1;
        return 0;
    case 'h':
        a->help = 1;
        return 0;
    default:
        return parse_stream_opt(a, opt, v, errstr, errstr_size);
    }
}

/* The profile sets the defaults other options change, so it is read first,
 * wherever it stands on the command line (the last one counts). */
static int apply_profile(int argc, char **argv, scn_opts *o, char *errstr, size_t errstr_size)
{
    const char *name = "realistic";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc)
            name = argv[++i];
        else if (strncmp(argv[i], "--profile=", 10) == 0)
            name = argv[i] + 10;
    }
    int f = scn_profile_parse(name);
    if (f < 0) {
        snprintf(errstr, errstr_size, "--profile: \"%s\" is not realistic or classic", name);
        return -1;
    }
    scn_opts_profile(o, (scn_profile_id)f);
    return 0;
}

static int parse_args(int argc, char **argv, args *a, char *errstr, size_t errstr_size)
{
    int opt;
    memset(a, 0, sizeof(*a));
    a->format = -1;
    scn_opts_default(&a->so);
    if (apply_profile(argc, argv, &a->so, errstr, errstr_size) != 0)
        return -1;
    a->sets = calloc((size_t)argc, sizeof(char *));
    if (!a->sets) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":c:X:qh", long_opts, NULL)) != -1) {
        if (opt == '?' || opt == ':') {
            snprintf(errstr, errstr_size, "%s '%s' (see --help)",
                     opt == '?' ? "unknown option" : "missing value for", argv[optind - 1]);
            return -1;
        }
        if (parse_opt(a, opt, optarg, errstr, errstr_size) != 0)
            return -1;
    }
    if (optind < argc) {
        snprintf(errstr, errstr_size, "unexpected argument '%s' (see --help)", argv[optind]);
        return -1;
    }
    if (!a->help && !a->out_dir && !a->brokers) {
        snprintf(errstr, errstr_size, "say where to write: --out-dir DIR or --brokers HOST:PORT");
        return -1;
    }
    return 0;
}

/* Derived settings: the timeline's end, and the count a paced run implies. */
static void finish_args(args *a)
{
    if (!a->so.now_ms)
        a->so.now_ms = tf_now_ms() / 1000 * 1000;
    if (a->rate > 0 && !a->transfers_given)
        a->so.transfers = a->rate * (a->so.duration_ms / 1000);
}

/* ---- sinks ------------------------------------------------------------ */

static FILE *open_out(const char *dir, const char *name, char **iobuf, char *errstr,
                      size_t errstr_size)
{
    char path[4096];
    if (strcmp(dir, "/dev/null") == 0)
        snprintf(path, sizeof(path), "/dev/null");
    else
        snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(errstr, errstr_size, "%.300s: %s", path, strerror(errno));
        return NULL;
    }
    *iobuf = malloc(1 << 20); /* large writes: the stream is the hot path */
    if (*iobuf)
        setvbuf(f, *iobuf, _IOFBF, 1 << 20);
    return f;
}

static int make_dir(const char *dir, char *errstr, size_t errstr_size)
{
    struct stat st;
    if (strcmp(dir, "/dev/null") == 0 || (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)))
        return 0;
    if (mkdir(dir, 0777) == 0)
        return 0;
    snprintf(errstr, errstr_size, "%s: %s", dir, strerror(errno));
    return -1;
}

static const char *out_name(const sink *k, int out)
{
    return out == OUT_TRANSFERS && k->format == IX_FORMAT_PACS008 ? OUT_TRANSFERS_PACS008
                                                                  : out_names[out];
}

static int open_files(sink *k, const char *dir, int truth_only, char *errstr, size_t errstr_size)
{
    if (make_dir(dir, errstr, errstr_size) != 0)
        return -1;
    for (int i = 0; i < OUT__COUNT; i++) {
        if (truth_only && i != OUT_TRUTH)
            continue;
        if (!(k->f[i] = open_out(dir, out_name(k, i), &k->iobuf[i], errstr, errstr_size)))
            return -1;
    }
    return 0;
}

static int load_cfg(sink *k, const args *a, char *errstr, size_t errstr_size)
{
    if (cfg_init(&k->c, errstr, errstr_size) != 0)
        return -1;
    k->have_cfg = 1;
    if (a->config_file && cfg_load_file(&k->c, a->config_file, errstr, errstr_size) != 0)
        return -1;
    for (int i = 0; i < a->nsets; i++)
        if (cfg_set_pair(&k->c, a->sets[i], errstr, errstr_size) != 0)
            return -1;
    if (cfg_set(&k->c, "brokers", a->brokers, errstr, errstr_size) != 0)
        return -1;
    return cfg_validate(&k->c, errstr, errstr_size);
}

/* Returns 0, or -1 with errstr filled; *usage_error tells the two apart. */
static int sink_open(sink *k, const args *a, int *usage_error, char *errstr, size_t errstr_size)
{
    memset(k, 0, sizeof(*k));
    *usage_error = 0;
    k->format = a->format >= 0 ? (ix_format)a->format : IX_FORMAT_JSON;
    if (!a->brokers)
        return open_files(k, a->out_dir, 0, errstr, errstr_size);
    if (load_cfg(k, a, errstr, errstr_size) != 0) {
        *usage_error = 1;
        return -1;
    }
    k->format = a->format >= 0 ? (ix_format)a->format : (ix_format)k->c.transfers_format;
    if (a->out_dir && open_files(k, a->out_dir, 1, errstr, errstr_size) != 0)
        return -1;
    if (a->create_topics && kafka_create_topics(&k->c, errstr, errstr_size) != 0)
        return -1;
    k->fd = feed_new(&k->c, errstr, errstr_size);
    return k->fd ? 0 : -1;
}

static const char *topic_of(const sink *k, int out)
{
    switch (out) {
    case OUT_ACCOUNTS:
        return k->c.topic_accounts;
    case OUT_WATCHLIST:
        return k->c.topic_watchlist;
    case OUT_REPORTS:
        return k->c.topic_reports;
    default:
        return k->c.topic_transfers;
    }
}

/* One encoded record to its file (with a newline) or topic. */
static int sink_put(sink *k, int out, const char *key, char *buf, int len, char *errstr,
                    size_t errstr_size)
{
    if (len < 0) {
        snprintf(errstr, errstr_size, "a record could not be encoded");
        return -1;
    }
    if (k->fd)
        return feed_send(k->fd, topic_of(k, out), key, buf, (size_t)len, errstr, errstr_size);
    buf[len] = '\n';
    if (fwrite(buf, 1, (size_t)len + 1, k->f[out]) != (size_t)len + 1) {
        snprintf(errstr, errstr_size, "writing %s: %s", out_name(k, out), strerror(errno));
        return -1;
    }
    return 0;
}

/* Close everything; returns -1 with errstr filled if a file could not be
 * completed (unless an error was already reported). */
static int sink_close(sink *k, int ok, char *errstr, size_t errstr_size)
{
    int rc = 0;
    for (int i = 0; i < OUT__COUNT; i++) {
        if (!k->f[i])
            continue;
        if ((fclose(k->f[i]) != 0) && ok && rc == 0) {
            snprintf(errstr, errstr_size, "writing %s: %s", out_name(k, i), strerror(errno));
            rc = -1;
        }
        free(k->iobuf[i]);
    }
    feed_destroy(k->fd);
    if (k->have_cfg)
        cfg_free(&k->c);
    return rc;
}

/* ---- generation ------------------------------------------------------- */

typedef struct run {
    const args *a;
    scn *s;
    sink *k;
    int64_t t0_ns, last_progress_ns;
    int progress, since_check;
} run;

static int write_tables(run *r, char *errstr, size_t errstr_size)
{
    char buf[ENC_RECORD_MAX + 1];
    for (int64_t i = 0; i < scn_accounts(r->s) && g_run; i++) {
        ix_account acc;
        scn_profile(r->s, i, &acc);
        if (sink_put(r->k, OUT_ACCOUNTS, acc.account, buf, enc_account(&acc, buf, ENC_RECORD_MAX),
                     errstr, errstr_size) != 0)
            return -1;
    }
    for (int64_t i = 0; i < scn_watch_count(r->s) && g_run; i++) {
        ix_watch w;
        scn_watch(r->s, i, &w);
        if (sink_put(r->k, OUT_WATCHLIST, w.account, buf, enc_watch(&w, buf, ENC_RECORD_MAX),
                     errstr, errstr_size) != 0)
            return -1;
    }
    return 0;
}

/* Sleep until transfer n is due at the requested rate. */
static void pace(const run *r, int64_t n)
{
    int64_t due = r->t0_ns + (int64_t)((double)n * 1e9 / (double)r->a->rate);
    int64_t wait = due - tf_mono_ns();
    if (wait > 1000000) {
        struct timespec ts = {wait / 1000000000, wait % 1000000000};
        nanosleep(&ts, NULL);
    }
}

static void progress(run *r, const scn_event *ev, int done)
{
    if (!r->progress || (!done && ++r->since_check < 4096))
        return; /* the clock is read once per 4096 records */
    r->since_check = 0;
    int64_t now = tf_mono_ns();
    if (!done && now - r->last_progress_ns < PROGRESS_NS)
        return;
    scn_stats st;
    char t[TF_RFC3339_LEN + 1] = "";
    scn_get_stats(r->s, &st);
    double secs = (double)(now - r->t0_ns) / 1e9;
    if (ev)
        tf_format(ev->time_ms, t, sizeof(t));
    fprintf(stderr, "\rinterdict-gen: %" PRId64 "/%" PRId64 " transfers (%3.0f%%), %.0f/s, at %s ",
            st.transfers, st.planned,
            st.planned ? 100.0 * (double)st.transfers / (double)st.planned : 100.0,
            secs > 0 ? (double)st.transfers / secs : 0.0, t);
    if (done)
        fputc('\n', stderr);
    r->last_progress_ns = now;
}

static int put_event(run *r, const scn_event *ev, char *errstr, size_t errstr_size)
{
    char buf[ENC_TRANSFER_MAX + 1];
    if (ev->kind == SCN_EVENT_REPORT)
        return sink_put(r->k, OUT_REPORTS, ev->report.victim_account, buf,
                        enc_report(&ev->report, buf, ENC_RECORD_MAX), errstr, errstr_size);
    return sink_put(r->k, OUT_TRANSFERS, ev->transfer.from_account, buf,
                    enc_transfer_as(r->k->format, &ev->transfer, buf, ENC_TRANSFER_MAX), errstr,
                    errstr_size);
}

static int stream(run *r, char *errstr, size_t errstr_size)
{
    scn_event ev;
    int64_t n = 0;
    int got;
    while ((got = scn_next(r->s, &ev, errstr, errstr_size)) == 1) {
        if (!g_run) {
            snprintf(errstr, errstr_size, "interrupted after %" PRId64 " transfers", n);
            return -1;
        }
        if (ev.kind == SCN_EVENT_TRANSFER && r->a->rate > 0)
            pace(r, n);
        n += ev.kind == SCN_EVENT_TRANSFER;
        if (put_event(r, &ev, errstr, errstr_size) != 0)
            return -1;
        progress(r, &ev, 0);
    }
    progress(r, NULL, 1);
    return got;
}

static int write_truth(run *r, char *errstr, size_t errstr_size)
{
    FILE *f = r->k->f[OUT_TRUTH];
    for (int64_t i = 0; f && i < scn_instance_count(r->s); i++)
        if (scn_truth_write(r->s, i, f, errstr, errstr_size) != 0)
            return -1;
    return 0;
}

static int flush_feed(run *r, char *errstr, size_t errstr_size)
{
    if (!r->k->fd)
        return 0;
    return feed_flush(r->k->fd, FLUSH_MS, errstr, errstr_size);
}

static void summary(const run *r)
{
    scn_stats st;
    scn_get_stats(r->s, &st);
    double secs = (double)(tf_mono_ns() - r->t0_ns) / 1e9;
    fprintf(stderr,
            "interdict-gen: %" PRId64 " transfers (%" PRId64 " background, of which %" PRId64
            " salaries and %" PRId64 " salary spending; %" PRId64 " injected), %" PRId64
            " reports, %" PRId64 " accounts, %" PRId64 " watch-list entries\n",
            st.transfers, st.background, st.salaries, st.spending, st.injected, st.reports,
            scn_accounts(r->s), scn_watch_count(r->s));
    if (r->a->so.profile == SCN_PROFILE_REALISTIC)
        fprintf(stderr,
                "interdict-gen: %" PRId64 " instances (%" PRId64 " laundering attempts, %" PRId64
                " look-alikes, %" PRId64 " skipped: too long for the timeline), %.2f s, %.0f "
                "transfers/s\n",
                st.instances, st.instances - st.lookalikes, st.lookalikes, st.skipped, secs,
                secs > 0 ? (double)st.transfers / secs : 0.0);
    else
        fprintf(stderr,
                "interdict-gen: %" PRId64 " pattern instances (%" PRId64 " near misses, %" PRId64
                " skipped: too long for the timeline), %.2f s, %.0f transfers/s\n",
                st.instances, st.near_misses, st.skipped, secs,
                secs > 0 ? (double)st.transfers / secs : 0.0);
    if (st.spend_dropped)
        fprintf(stderr,
                "interdict-gen: %" PRId64 " salary payments spent in a busy hour were left out "
                "to keep the count exact\n",
                st.spend_dropped);
}

static int generate(const args *a, sink *k, scn *s, char *errstr, size_t errstr_size)
{
    run r = {.a = a, .s = s, .k = k, .t0_ns = tf_mono_ns()};
    r.progress = !a->quiet && isatty(STDERR_FILENO);
    r.last_progress_ns = r.t0_ns;
    if (write_tables(&r, errstr, errstr_size) != 0)
        return -1;
    r.t0_ns = tf_mono_ns(); /* pace and measure the stream itself */
    if (stream(&r, errstr, errstr_size) != 0 || write_truth(&r, errstr, errstr_size) != 0 ||
        flush_feed(&r, errstr, errstr_size) != 0)
        return -1;
    if (!a->quiet)
        summary(&r);
    return 0;
}

/* Everything after the command line; returns the exit status. */
static int run_main(args *a, char *errstr, size_t errstr_size)
{
    sink k;
    scn *s = NULL;
    int usage_error = 0, rc = 0;
    memset(&k, 0, sizeof(k));
    finish_args(a);
    if (scn_new(&a->so, &s, errstr, errstr_size) != 0)
        return EXIT_USAGE;
    if (sink_open(&k, a, &usage_error, errstr, errstr_size) != 0) {
        rc = usage_error ? EXIT_USAGE : EXIT_RUNTIME;
    } else {
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        rc = generate(a, &k, s, errstr, errstr_size) == 0 ? 0 : EXIT_RUNTIME;
    }
    if (sink_close(&k, rc == 0, errstr, errstr_size) != 0)
        rc = EXIT_RUNTIME;
    scn_destroy(s);
    return rc;
}

int main(int argc, char **argv)
{
    char errstr[512] = "";
    args a;
    int rc;
    if (parse_args(argc, argv, &a, errstr, sizeof(errstr)) != 0) {
        rc = EXIT_USAGE;
    } else if (a.help) {
        usage(stdout);
        rc = 0;
    } else {
        rc = run_main(&a, errstr, sizeof(errstr));
    }
    if (rc != 0)
        fprintf(stderr, "interdict-gen: %s\n", errstr);
    free(a.sets);
    return rc;
}
