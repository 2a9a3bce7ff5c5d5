/* demo.c - the self-contained demonstration on an embedded Kafka cluster.
 *
 * The load generator plans a population with everyday traffic over three
 * days and plants every laundering pattern in it; the demo produces it all
 * to librdkafka's mock cluster (checking every delivery), screens it with the
 * real pipeline, reads the output topics back and compares them with the
 * generator's ground truth.
 */
#include "demo.h"

#include <ftw.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "encode.h"
#include "feed.h"
#include "graph.h"
#include "kafka.h"
#include "pipeline.h"
#include "render.h"
#include "rules.h"
#include "scenario.h"
#include "timefmt.h"
#include "vec.h"

#define DEMO_READ_TIMEOUT_MS 30000
#define DEMO_TRANSFERS       12000
/* A pacs.008 document is three times a JSON transfer: more would not fit the
 * embedded broker's one partition (KAFKA_MOCK_PARTITION_BYTES). */
#define DEMO_TRANSFERS_PACS008 5000

void demo_opts_default(demo_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->transfers = 0; /* DEMO_TRANSFERS, or DEMO_TRANSFERS_PACS008 */
    o->accounts = 4000;
    o->per_pattern = 2;
    o->malformed = 8;
    o->seed = 20261123;
    o->show = 6;
    o->format = -1;
}

/* ---- producing the input */

static void replace_once(char *buf, size_t cap, const char *from, const char *to)
{
    char *at = strstr(buf, from);
    size_t lf = strlen(from), lt = strlen(to), len = strlen(buf);
    if (!at || len - lf + lt + 1 > cap)
        return;
    memmove(at + lt, at + lf, len - (size_t)(at - buf) - lf + 1);
    memcpy(at, to, lt);
}

/* A malformed pacs.008 variant of a valid transfer, as malformed() below. */
static int malformed_pacs008(int64_t variant, const ix_transfer *t, char *buf, size_t cap)
{
    int n = enc_transfer_as(IX_FORMAT_PACS008, t, buf, cap);
    if (n < 0)
        return -1;
    switch (variant % 8) {
    case 0: /* truncated in transit */
        buf[n / 2] = '\0';
        break;
    case 1: /* a DTD: entities are refused, never expanded */
        memmove(buf + 44, buf, (size_t)n + 1 < cap - 44 ? (size_t)n + 1 : cap - 44);
        memcpy(buf, "<!DOCTYPE Document [<!ENTITY a \"aaaaaaaa\">]>", 44);
        break;
    case 2: /* not a currency */
        replace_once(buf, cap, "Ccy=\"CNY\"", "Ccy=\"CNX\"");
        break;
    case 3: /* a negative amount */
        replace_once(buf, cap, "Ccy=\"CNY\">", "Ccy=\"CNY\">-");
        break;
    case 4: /* more decimals than the currency has */
        replace_once(buf, cap, "</IntrBkSttlmAmt>", "1</IntrBkSttlmAmt>");
        break;
    case 5:
        snprintf(buf, cap, "PAYMENT %s->%s", t->from_account, t->to_account);
        break;
    case 6: /* another message type */
        replace_once(buf, cap, "pacs.008.001.08", "pacs.009.001.08");
        break;
    default: /* an acceptance time that is not a time */
        replace_once(buf, cap, "<AccptncDtTm>", "<AccptncDtTm>yesterday ");
        break;
    }
    return (int)strlen(buf);
}

/* A malformed variant of a valid transfer; each variant fails for a
 * different reason, as a real feed's bad records would. */
static int malformed(ix_format f, int64_t variant, const ix_transfer *t, char *buf, size_t cap)
{
    char amount[32], quoted[40];
    if (f == IX_FORMAT_PACS008)
        return malformed_pacs008(variant, t, buf, cap);
    int n = enc_transfer(t, buf, cap);
    if (n < 0)
        return -1;
    snprintf(amount, sizeof(amount), "\"amount\":%" PRId64, t->amount);
    snprintf(quoted, sizeof(quoted), "\"amount\":\"%" PRId64 "\"", t->amount);
    switch (variant % 8) {
    case 0: /* truncated in transit */
        buf[n / 2] = '\0';
        break;
    case 1: /* an amount as a string */
        replace_once(buf, cap, amount, quoted);
        break;
    case 2: /* not a currency */
        replace_once(buf, cap, "\"CNY\"", "\"CNX\"");
        break;
    case 3: /* a negative amount */
        replace_once(buf, cap, "\"amount\":", "\"amount\":-");
        break;
    case 4: /* a misspelt field */
        replace_once(buf, cap, "\"transfer_id\":", "\"transfer_ref\":");
        break;
    case 5:
        snprintf(buf, cap, "PAYMENT %s->%s", t->from_account, t->to_account);
        break;
    case 6: /* invalid UTF-8 */
        replace_once(buf, cap, "\"T", "\"\xc3\x28T");
        break;
    default: /* an event time that is not a time */
        replace_once(buf, cap, "\"event_time\":\"", "\"event_time\":\"yesterday ");
        break;
    }
    return (int)strlen(buf);
}

static int produce_tables(feed *f, const cfg *c, const scn *s, char *errstr, size_t errstr_size)
{
    char buf[ENC_RECORD_MAX];
    for (int64_t i = 0; i < scn_accounts(s); i++) {
        ix_account a;
        scn_profile(s, i, &a);
        int n = enc_account(&a, buf, sizeof(buf));
        if (n < 0 ||
            feed_send(f, c->topic_accounts, a.account, buf, (size_t)n, errstr, errstr_size) != 0)
            return -1;
    }
    for (int64_t k = 0; k < scn_watch_count(s); k++) {
        ix_watch w;
        scn_watch(s, k, &w);
        int n = enc_watch(&w, buf, sizeof(buf));
        if (n < 0 ||
            feed_send(f, c->topic_watchlist, w.account, buf, (size_t)n, errstr, errstr_size) != 0)
            return -1;
    }
    return 0;
}

/* Fraud reports held back until the transfers are screened: in life a
 * victim reports minutes after the money moved, when every hop has long been
 * screened; a report about a transfer not yet screened is dead-lettered. */
typedef struct held_reports {
    ix_report *r;
    size_t n, cap;
} held_reports;

static int hold_report(held_reports *h, const ix_report *r)
{
    if (vec_reserve((void **)&h->r, &h->cap, h->n + 1, sizeof(*h->r), 16) != 0)
        return -1;
    h->r[h->n++] = *r;
    return 0;
}

static int produce_reports(const cfg *c, const held_reports *h, char *errstr, size_t errstr_size)
{
    char buf[ENC_RECORD_MAX];
    feed *f = feed_new(c, errstr, errstr_size);
    int rc = f ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < h->n; i++) {
        int n = enc_report(&h->r[i], buf, sizeof(buf));
        rc = n < 0 ? -1
                   : feed_send(f, c->topic_reports, h->r[i].victim_account, buf, (size_t)n, errstr,
                               errstr_size);
    }
    if (rc == 0)
        rc = feed_flush(f, 30000, errstr, errstr_size);
    feed_destroy(f);
    return rc;
}

/* The stream in event-time order, with malformed copies mixed in. */
static int produce_stream(feed *f, const cfg *c, scn *s, const demo_opts *o, held_reports *h,
                          char *errstr, size_t errstr_size)
{
    char buf[ENC_TRANSFER_MAX];
    scn_event ev;
    ix_format fmt = (ix_format)c->transfers_format;
    int rc;
    int64_t seq = 0, bad = 0, every = o->malformed ? o->transfers / (o->malformed + 1) : 0;
    while ((rc = scn_next(s, &ev, errstr, errstr_size)) == 1) {
        int n;
        if (ev.kind == SCN_EVENT_REPORT) {
            if (hold_report(h, &ev.report) != 0) {
                snprintf(errstr, errstr_size, "out of memory");
                return -1;
            }
            continue;
        }
        n = enc_transfer_as(fmt, &ev.transfer, buf, sizeof(buf));
        if (n < 0 || feed_send(f, c->topic_transfers, ev.transfer.from_account, buf, (size_t)n,
                               errstr, errstr_size) != 0)
            return -1;
        if (every && bad < o->malformed && ++seq % every == 0) {
            n = malformed(fmt, bad++, &ev.transfer, buf, sizeof(buf));
            if (n < 0 || feed_send(f, c->topic_transfers, ev.transfer.from_account, buf, (size_t)n,
                                   errstr, errstr_size) != 0)
                return -1;
        }
    }
    return rc;
}

/* Produce everything and prove it all arrived and fits the embedded broker. */
static int load_input(const cfg *c, scn *s, const demo_opts *o, held_reports *h, FILE *out,
                      char *errstr, size_t errstr_size)
{
    feed *f = feed_new(c, errstr, errstr_size);
    int rc = -1;
    if (!f)
        return -1;
    if (produce_tables(f, c, s, errstr, errstr_size) != 0 ||
        produce_stream(f, c, s, o, h, errstr, errstr_size) != 0 ||
        feed_flush(f, 60000, errstr, errstr_size) != 0)
        goto out;
    feed_stats fs;
    feed_get_stats(f, &fs);
    /* The mock cluster drops the oldest data of a partition beyond these
     * limits without telling anyone; refuse rather than lose input. */
    if (fs.max_partition_bytes > KAFKA_MOCK_PARTITION_BYTES * 8 / 10 ||
        fs.max_partition_messages > KAFKA_MOCK_PARTITION_MSGSETS / 2) {
        snprintf(errstr, errstr_size,
                 "%" PRIu64 " bytes / %" PRIu64 " messages in one partition is too close to "
                 "the embedded broker's limit (5 MiB, 100,000 message sets); use fewer "
                 "transfers",
                 fs.max_partition_bytes, fs.max_partition_messages);
        goto out;
    }
    int64_t in_topic = 0;
    int truncated = 0;
    if (kafka_topic_counts(feed_handle(f), c->topic_transfers, &in_topic, &truncated, 10000, errstr,
                           errstr_size) != 0)
        goto out;
    if (truncated || in_topic != o->transfers + o->malformed) {
        snprintf(errstr, errstr_size,
                 "the transfers topic holds %" PRId64 " of %" PRId64 " messages: input was lost",
                 in_topic, o->transfers + o->malformed);
        goto out;
    }
    fprintf(out,
            "  produced %" PRIu64 " messages (profiles, watch list, transfers), all %" PRIu64
            " acknowledged by the broker\n",
            fs.produced, fs.delivered);
    rc = 0;
out:
    feed_destroy(f);
    return rc;
}

/* ---- reading the results back */

typedef struct results {
    const demo_opts *o;
    FILE *out;
    char *requested; /* per account index: got a freeze request */
    int64_t naccounts;
    char shown_codes[32][8];
    int nshown;
    int64_t requests, by_action[4], dead, on_planted;
    const char *planted; /* per account index: member of a planted instance */
} results;

static int64_t account_index(const char *account, size_t len)
{
    /* Generated ids end in the account's index (8 digits, gen.h). */
    char digits[9];
    if (len < 8)
        return -1;
    memcpy(digits, account + len - 8, 8);
    digits[8] = '\0';
    return strtoll(digits, NULL, 10);
}

/* Show the first request of each reason code, up to o->show of them. */
static void maybe_show(results *r, const rd_kafka_message_t *m)
{
    char errstr[256], code[8] = "";
    const char *p = memmem(m->payload, m->len, "\"code\":\"", 8);
    if (!p || r->nshown >= r->o->show)
        return;
    snprintf(code, sizeof(code), "%.4s", p + 8);
    for (int i = 0; i < r->nshown; i++)
        if (strcmp(r->shown_codes[i], code) == 0)
            return;
    memcpy(r->shown_codes[r->nshown++], code, sizeof(code));
    fputc('\n', r->out);
    if (render_request(m->payload, m->len, r->out, errstr, sizeof(errstr)) != 0)
        fprintf(r->out, "  (unreadable request: %s)\n", errstr);
}

static int on_request(const rd_kafka_message_t *m, void *arg)
{
    results *r = arg;
    r->requests++;
    int64_t k = m->key ? account_index(m->key, m->key_len) : -1;
    if (k >= 0 && k < r->naccounts) {
        r->requested[k] = 1;
        r->on_planted += r->planted[k] != 0;
    }
    for (int a = IX_ACTION_REVIEW; a <= IX_ACTION_FREEZE; a++) {
        char needle[32];
        snprintf(needle, sizeof(needle), "\"action\":\"%s\"", ix_action_name((ix_action)a));
        if (memmem(m->payload, m->len, needle, strlen(needle)))
            r->by_action[a]++;
    }
    maybe_show(r, m);
    return 0;
}

static const char *header(const rd_kafka_message_t *m, const char *name, char *buf, size_t size)
{
    rd_kafka_headers_t *h = NULL;
    const void *v = NULL;
    size_t len = 0;
    if (rd_kafka_message_headers(m, &h) || rd_kafka_header_get_last(h, name, &v, &len))
        return "?";
    snprintf(buf, size, "%.*s", (int)len, (const char *)v);
    return buf;
}

static int on_dead(const rd_kafka_message_t *m, void *arg)
{
    results *r = arg;
    char part[16], off[24], reason[64], detail[256], topic[256];
    r->dead++;
    fprintf(r->out, "  %s [%s] @%-6s %-17s %s\n",
            header(m, "interdict.topic", topic, sizeof(topic)),
            header(m, "interdict.partition", part, sizeof(part)),
            header(m, "interdict.offset", off, sizeof(off)),
            header(m, "interdict.reason", reason, sizeof(reason)),
            header(m, "interdict.detail", detail, sizeof(detail)));
    return 0;
}

static int read_results(const cfg *c, FILE *out, results *r, char *errstr, size_t errstr_size)
{
    fprintf(out, "\nFreeze requests on '%s' (the first of each reason code):\n",
            c->topic_interceptions);
    if (kafka_read_topic(c, c->topic_interceptions, DEMO_READ_TIMEOUT_MS, on_request, r, errstr,
                         errstr_size) < 0)
        return -1;
    fprintf(out, "\nDead letters on '%s':\n", c->topic_deadletter);
    if (kafka_read_topic(c, c->topic_deadletter, DEMO_READ_TIMEOUT_MS, on_dead, r, errstr,
                         errstr_size) < 0)
        return -1;
    return 0;
}

/* ---- comparing with the ground truth */

typedef struct verdict {
    int planted[SCN_PATTERN__COUNT], caught[SCN_PATTERN__COUNT];
    int total_planted, total_caught;
} verdict;

static char *mark_planted(const scn *s)
{
    char *planted = calloc((size_t)scn_accounts(s), 1);
    for (int64_t i = 0; planted && i < scn_instance_count(s); i++) {
        scn_instance in;
        scn_instance_get(s, i, &in);
        for (int m = 0; m < in.nmembers && !in.near_miss; m++)
            planted[in.members[m].index] = 1;
    }
    return planted;
}

static void judge(const scn *s, const results *r, verdict *v)
{
    memset(v, 0, sizeof(*v));
    for (int64_t i = 0; i < scn_instance_count(s); i++) {
        scn_instance in;
        scn_instance_get(s, i, &in);
        if (in.near_miss)
            continue;
        int hit = 0;
        for (int m = 0; m < in.nmembers && !hit; m++)
            hit = in.members[m].flag && r->requested[in.members[m].index];
        v->planted[in.pattern]++;
        v->caught[in.pattern] += hit;
        v->total_planted++;
        v->total_caught += hit;
    }
}

static void print_verdict(FILE *out, const verdict *v, const results *r, const stats *ps,
                          double secs)
{
    fprintf(out, "\nPlanted patterns, and what the screener caught\n");
    fprintf(out, "  %-20s %8s %8s\n", "pattern", "planted", "caught");
    for (int p = 0; p < SCN_PATTERN__COUNT; p++)
        fprintf(out, "  %-20s %8d %8d\n", scn_pattern_name((scn_pattern)p), v->planted[p],
                v->caught[p]);
    fprintf(out, "\nSummary\n");
    fprintf(out,
            "  transfers screened     %8" PRIu64 "  (the pipeline ran %.1f s in two runs, "
            "including group joins and idle waits)\n",
            ps->screened, secs);
    fprintf(out, "  fraud reports traced   %8" PRIu64 "\n", ps->reports);
    fprintf(out,
            "  freeze requests        %8" PRId64 "  (FREEZE %" PRId64 ", HOLD %" PRId64
            ", REVIEW %" PRId64 ")\n",
            r->requests, r->by_action[IX_ACTION_FREEZE], r->by_action[IX_ACTION_HOLD],
            r->by_action[IX_ACTION_REVIEW]);
    fprintf(out, "  on planted accounts    %8" PRId64 "  (precision %.2f)\n", r->on_planted,
            r->requests ? (double)r->on_planted / (double)r->requests : 1.0);
    fprintf(out, "  patterns caught        %8d  of %d (recall %.2f)\n", v->total_caught,
            v->total_planted, v->total_planted ? (double)v->total_caught / v->total_planted : 1.0);
    fprintf(out, "  dead letters           %8" PRId64 "  expected %" PRId64 "\n", r->dead,
            r->o->malformed);
}

/* ---- the demo */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int check_opts(const demo_opts *o, char *errstr, size_t errstr_size)
{
    if (o->transfers < 1000 || o->accounts < 1000 || o->per_pattern < 0 || o->per_pattern > 20 ||
        o->malformed < 0 || o->malformed > o->transfers / 10) {
        snprintf(errstr, errstr_size,
                 "demo sizes: need transfers >= 1000, accounts >= 1000, 0 <= per-pattern <= 20 "
                 "and malformed <= transfers / 10");
        return -1;
    }
    return 0;
}

static int plan_scenario(const demo_opts *o, scn **s, char *errstr, size_t errstr_size)
{
    scn_opts so;
    scn_opts_default(&so);
    so.seed = o->seed;
    so.accounts = o->accounts;
    so.transfers = o->transfers;
    so.now_ms = (tf_now_ms() / 1000) * 1000 - 60000;
    for (int p = 0; p < SCN_PATTERN__COUNT; p++)
        so.count[p] = (int)o->per_pattern;
    return scn_new(&so, s, errstr, errstr_size);
}

/* The embedded cluster, and the configuration pointing at it. One partition
 * for transfers and reports: the mock's broker serves them in order, so
 * multi-hop patterns are screened hop after hop as they happened. */
static kafka_mock *start_cluster(cfg *c, const char *dir, char *errstr, size_t errstr_size)
{
    kafka_mock *mock = NULL;
    /* The mock cluster ignores LeaveGroup: the second run's member would
     * wait out the first one's session. */
    if (cfg_set(c, "metrics.listen", "off", errstr, errstr_size) != 0 ||
        cfg_set(c, "rdkafka.consumer.session.timeout.ms", "6000", errstr, errstr_size) != 0 ||
        cfg_set(c, "topic.partitions", "1", errstr, errstr_size) != 0 ||
        !(mock = kafka_mock_start(c, 1, errstr, errstr_size)) ||
        cfg_set(c, "brokers", kafka_mock_bootstraps(mock), errstr, errstr_size) != 0 ||
        cfg_set(c, "state.dir", dir, errstr, errstr_size) != 0) {
        kafka_mock_stop(mock);
        return NULL;
    }
    return mock;
}

/* One run of the real pipeline until the input is exhausted; counters add
 * up over runs. */
static int screen(cfg *c, const char *dir, const ix_log *lg, volatile sig_atomic_t *run, stats *ps,
                  double *secs, char *errstr, size_t errstr_size)
{
    stats one;
    graph *g = NULL;
    rules *rs = NULL;
    int rc = -1;
    graph_opts gopts = {.dir = dir,
                        .cache_bytes = (size_t)c->state_cache_bytes,
                        .create = 1,
                        .retention_ms = c->state_retention_ms,
                        .log = lg};
    if (graph_open(&gopts, &g, errstr, errstr_size) == 0 &&
        rules_create(c, &rs, errstr, errstr_size) == 0) {
        pipe_opts po = {.c = c, .g = g, .r = rs, .log = lg, .run = run, .until_idle_ms = 2000};
        int64_t t0 = tf_mono_ns();
        memset(&one, 0, sizeof(one));
        rc = pipe_run(&po, &one, errstr, errstr_size);
        *secs += (double)(tf_mono_ns() - t0) / 1e9;
        ps->screened += one.screened;
        ps->reports += one.reports;
    }
    rules_destroy(rs);
    graph_close(g);
    return rc;
}

int demo_run(cfg *c, const demo_opts *given, const ix_log *lg, volatile sig_atomic_t *run,
             FILE *out, char *errstr, size_t errstr_size)
{
    demo_opts sized = *given;
    const demo_opts *o = &sized;
    char dir[] = "/tmp/interdict-demo-XXXXXX";
    kafka_mock *mock = NULL;
    scn *s = NULL;
    held_reports held = {0};
    results r;
    verdict v;
    stats ps;
    double secs = 0;
    int rc = -1;
    memset(&r, 0, sizeof(r));

    if (o->format >= 0 &&
        cfg_set(c, "topic.transfers.format", ix_format_names[o->format], errstr, errstr_size) != 0)
        return -1;
    if (!sized.transfers)
        sized.transfers =
            c->transfers_format == IX_FORMAT_PACS008 ? DEMO_TRANSFERS_PACS008 : DEMO_TRANSFERS;
    if (check_opts(o, errstr, errstr_size) != 0)
        return -1;
    if (!mkdtemp(dir)) {
        snprintf(errstr, errstr_size, "creating a state directory: %m");
        return -1;
    }
    if (plan_scenario(o, &s, errstr, errstr_size) != 0)
        goto out;
    fprintf(out,
            "interdict demo: embedded Kafka cluster, %" PRId64 " accounts, %" PRId64
            " transfers over three days, every laundering pattern planted %" PRId64 " times\n",
            o->accounts, o->transfers, o->per_pattern);
    if (!(mock = start_cluster(c, dir, errstr, errstr_size)))
        goto out;
    fprintf(out, "  embedded broker at %s, state in %s\n", c->brokers, dir);
    if (c->transfers_format == IX_FORMAT_PACS008)
        fprintf(out, "  transfers as ISO 20022 pacs.008 documents (topic.transfers.format)\n");
    if (load_input(c, s, o, &held, out, errstr, errstr_size) != 0)
        goto out;
    fprintf(out, "  screening...\n");
    memset(&ps, 0, sizeof(ps));
    if (screen(c, dir, lg, run, &ps, &secs, errstr, errstr_size) != 0)
        goto out;
    fprintf(out, "  %zu victims report fraud; tracing their money...\n", held.n);
    if (produce_reports(c, &held, errstr, errstr_size) != 0 ||
        screen(c, dir, lg, run, &ps, &secs, errstr, errstr_size) != 0)
        goto out;
    r.o = o;
    r.out = out;
    r.naccounts = scn_accounts(s);
    r.requested = calloc((size_t)r.naccounts, 1);
    r.planted = mark_planted(s);
    if (!r.requested || !r.planted) {
        snprintf(errstr, errstr_size, "out of memory");
        goto out;
    }
    if (read_results(c, out, &r, errstr, errstr_size) != 0)
        goto out;
    judge(s, &r, &v);
    print_verdict(out, &v, &r, &ps, secs);
    double precision = r.requests ? (double)r.on_planted / (double)r.requests : 1.0;
    double recall = v.total_planted ? (double)v.total_caught / v.total_planted : 1.0;
    int ok = recall >= 0.95 && precision >= 0.9 && r.dead == o->malformed;
    fprintf(out,
            ok ? "\nOK: %d of %d planted patterns caught, %.0f%% of the requests on "
                 "planted accounts, every bad message dead-lettered.\n"
               : "\nBELOW EXPECTATION: %d of %d planted patterns caught, %.0f%% of the "
                 "requests on planted accounts.\n",
            v.total_caught, v.total_planted, 100.0 * precision);
    rc = ok ? 0 : 1;
out:
    free(r.requested);
    free((char *)r.planted);
    free(held.r);
    scn_destroy(s);
    kafka_mock_stop(mock);
    if (o->keep_state)
        fprintf(out, "  state kept in %s\n", dir);
    else
        nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}
