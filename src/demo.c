/* demo.c - the self-contained demonstration on an embedded Kafka cluster. */
#include "demo.h"

#include <ftw.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "encode.h"
#include "feed.h"
#include "gen.h"
#include "graph.h"
#include "kafka.h"
#include "pipeline.h"
#include "render.h"
#include "rules.h"
#include "timefmt.h"

#define DEMO_READ_TIMEOUT_MS 30000

void demo_opts_default(demo_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->transfers = 5000;
    o->accounts = 2000;
    o->mules = 40;
    o->hits = 12;
    o->repeats = 3;
    o->malformed = 8;
    o->seed = 20261123;
    o->show = 3;
}

/* What the demo planted, to compare against what came out. */
typedef struct plan {
    int64_t *hit_seq; /* transfer number of each hit, -1 when unused */
    char *kind;       /* per transfer: 0 background, 'h' hit, 'r' repeat, 'm' malformed */
    int64_t *mule_of; /* per transfer: the mule of a hit or repeat */
} plan;

static void plan_free(plan *pl)
{
    free(pl->hit_seq);
    free(pl->kind);
    free(pl->mule_of);
}

/* Pick a free transfer slot at random, at or after `from`. */
static int64_t free_slot(gen *g, const plan *pl, int64_t from, int64_t n)
{
    for (;;) {
        int64_t s = from + gen_below(g, n - from);
        if (!pl->kind[s])
            return s;
    }
}

static int plan_build(const demo_opts *o, gen *g, plan *pl)
{
    memset(pl, 0, sizeof(*pl));
    pl->kind = calloc((size_t)o->transfers, 1);
    pl->mule_of = calloc((size_t)o->transfers, sizeof(int64_t));
    pl->hit_seq = calloc((size_t)o->hits, sizeof(int64_t));
    if (!pl->kind || !pl->mule_of || !pl->hit_seq)
        return -1;
    /* Hits land in the first two thirds so that repeats can follow them. */
    int64_t span = o->transfers * 2 / 3;
    for (int64_t h = 0; h < o->hits; h++) {
        int64_t s = free_slot(g, pl, 0, span);
        pl->kind[s] = 'h';
        pl->mule_of[s] = h; /* mules 0..hits-1 are hit, the rest stay quiet */
        pl->hit_seq[h] = s;
    }
    for (int64_t r = 0; r < o->repeats; r++) {
        int64_t h = r % o->hits;
        int64_t s = free_slot(g, pl, pl->hit_seq[h] + 1, o->transfers);
        pl->kind[s] = 'r';
        pl->mule_of[s] = h;
    }
    for (int64_t m = 0; m < o->malformed; m++)
        pl->kind[free_slot(g, pl, 0, o->transfers)] = 'm';
    return 0;
}

/* Replace the first occurrence of `from` in buf (NUL-terminated, capacity
 * cap) with `to`. */
static void replace_once(char *buf, size_t cap, const char *from, const char *to)
{
    char *at = strstr(buf, from);
    size_t lf = strlen(from), lt = strlen(to), len = strlen(buf);
    if (!at || len - lf + lt + 1 > cap)
        return;
    memmove(at + lt, at + lf, len - (size_t)(at - buf) - lf + 1);
    memcpy(at, to, lt);
}

/* A malformed variant of a valid transfer; each variant fails for a
 * different reason, as a real feed's bad records would. */
static int malformed(int64_t variant, const ix_transfer *t, char *buf, size_t cap)
{
    char amount[32];
    int n = enc_transfer(t, buf, cap);
    if (n < 0)
        return -1;
    snprintf(amount, sizeof(amount), "\"amount\":%" PRId64, t->amount);
    switch (variant % 8) {
    case 0: /* truncated in transit */
        buf[n / 2] = '\0';
        break;
    case 1: { /* amount as a string */
        char quoted[40];
        snprintf(quoted, sizeof(quoted), "\"amount\":\"%" PRId64 "\"", t->amount);
        replace_once(buf, cap, amount, quoted);
        break;
    }
    case 2: /* not a currency */
        replace_once(buf, cap, "\"CNY\"", "\"CNX\"");
        break;
    case 3: /* a negative amount */
        replace_once(buf, cap, "\"amount\":", "\"amount\":-");
        break;
    case 4: /* no transfer id */
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

static int produce_tables(feed *f, const cfg *c, gen *g, const demo_opts *o, char *errstr,
                          size_t errstr_size)
{
    char buf[ENC_RECORD_MAX];
    for (int64_t i = 0; i < o->accounts; i++) {
        ix_account a;
        gen_profile(g, i, &a);
        int n = enc_account(&a, buf, sizeof(buf));
        if (n < 0 ||
            feed_send(f, c->topic_accounts, a.account, buf, (size_t)n, errstr, errstr_size) != 0)
            return -1;
    }
    for (int64_t m = 0; m < o->mules; m++) {
        ix_watch w;
        gen_watch(g, m, &w);
        int n = enc_watch(&w, buf, sizeof(buf));
        if (n < 0 ||
            feed_send(f, c->topic_watchlist, w.account, buf, (size_t)n, errstr, errstr_size) != 0)
            return -1;
    }
    return 0;
}

static int produce_transfers(feed *f, const cfg *c, gen *g, const demo_opts *o, const plan *pl,
                             char *errstr, size_t errstr_size)
{
    char buf[ENC_RECORD_MAX];
    int64_t nbad = 0;
    for (int64_t s = 0; s < o->transfers; s++) {
        ix_transfer t;
        int n;
        if (pl->kind[s] == 'h' || pl->kind[s] == 'r')
            gen_mule_transfer(g, s, pl->mule_of[s], (int)(s % 2), &t);
        else
            gen_background(g, s, &t);
        if (pl->kind[s] == 'm')
            n = malformed(nbad++, &t, buf, sizeof(buf));
        else
            n = enc_transfer(&t, buf, sizeof(buf));
        if (n < 0 || feed_send(f, c->topic_transfers, t.from_account, buf, (size_t)n, errstr,
                               errstr_size) != 0)
            return -1;
    }
    return 0;
}

/* Produce everything and prove it all arrived and fits the embedded broker. */
static int load_input(const cfg *c, const demo_opts *o, const plan *pl, FILE *out, char *errstr,
                      size_t errstr_size)
{
    gen g;
    gen_opts go = {.seed = o->seed,
                   .accounts = o->accounts,
                   .mules = o->mules,
                   .start_ms = (tf_now_ms() / 1000) * 1000 - o->transfers * 100,
                   .step_ms = 100};
    gen_init(&g, &go);
    feed *f = feed_new(c, errstr, errstr_size);
    if (!f)
        return -1;
    int rc = -1;
    if (produce_tables(f, c, &g, o, errstr, errstr_size) != 0 ||
        produce_transfers(f, c, &g, o, pl, errstr, errstr_size) != 0 ||
        feed_flush(f, 30000, errstr, errstr_size) != 0)
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
                 "transfers or more partitions (-X topic.partitions=N)",
                 fs.max_partition_bytes, fs.max_partition_messages);
        goto out;
    }
    int64_t in_topic = 0;
    int truncated = 0;
    if (kafka_topic_counts(feed_handle(f), c->topic_transfers, &in_topic, &truncated, 10000, errstr,
                           errstr_size) != 0)
        goto out;
    if (truncated || in_topic != o->transfers) {
        snprintf(errstr, errstr_size,
                 "the transfers topic holds %" PRId64 " of %" PRId64 " messages: input was lost",
                 in_topic, o->transfers);
        goto out;
    }
    fprintf(out, "  produced %" PRIu64 " messages, all %" PRIu64 " acknowledged by the broker\n",
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
    int64_t requests, by_action[4], shown;
    char (*accounts)[IX_ACCOUNT_MAX + 1];
    int64_t naccounts, capaccounts;
    int64_t dead;
} results;

static int on_request(const rd_kafka_message_t *m, void *arg)
{
    results *r = arg;
    char errstr[256];
    r->requests++;
    if (r->naccounts < r->capaccounts && m->key && m->key_len <= IX_ACCOUNT_MAX) {
        memcpy(r->accounts[r->naccounts], m->key, m->key_len);
        r->accounts[r->naccounts++][m->key_len] = '\0';
    }
    const char *p = m->payload;
    for (int a = IX_ACTION_REVIEW; a <= IX_ACTION_FREEZE; a++) {
        char needle[32];
        snprintf(needle, sizeof(needle), "\"action\":\"%s\"", ix_action_name((ix_action)a));
        if (memmem(p, m->len, needle, strlen(needle)))
            r->by_action[a]++;
    }
    if (r->shown < r->o->show) {
        r->shown++;
        fputc('\n', r->out);
        if (render_request(m->payload, m->len, r->out, errstr, sizeof(errstr)) != 0)
            fprintf(r->out, "  (unreadable request: %s)\n", errstr);
    }
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

static int cmp_acct(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Exactly the hit mules, each once? Returns the number of mismatches. */
static int64_t check_accounts(results *r, const demo_opts *o)
{
    gen g;
    gen_opts go = {.seed = o->seed, .accounts = o->accounts, .mules = o->mules};
    gen_init(&g, &go);
    qsort(r->accounts, (size_t)r->naccounts, sizeof(r->accounts[0]), cmp_acct);
    int64_t bad = 0;
    for (int64_t i = 1; i < r->naccounts; i++)
        bad += strcmp(r->accounts[i - 1], r->accounts[i]) == 0; /* duplicate */
    for (int64_t h = 0; h < o->hits; h++) {
        char id[IX_ACCOUNT_MAX + 1];
        gen_account_id(&g, h, id, sizeof(id));
        bad += !bsearch(id, r->accounts, (size_t)r->naccounts, sizeof(r->accounts[0]), cmp_acct);
    }
    bad += r->naccounts > o->hits ? r->naccounts - o->hits : 0;
    return bad;
}

static int read_results(const cfg *c, const demo_opts *o, FILE *out, results *r, char *errstr,
                        size_t errstr_size)
{
    memset(r, 0, sizeof(*r));
    r->o = o;
    r->out = out;
    r->capaccounts = o->hits + o->repeats + 16;
    r->accounts = calloc((size_t)r->capaccounts, sizeof(r->accounts[0]));
    if (!r->accounts)
        return -1;
    fprintf(out, "\nFreeze requests on '%s' (first %d shown):\n", c->topic_interceptions, o->show);
    if (kafka_read_topic(c, c->topic_interceptions, DEMO_READ_TIMEOUT_MS, on_request, r, errstr,
                         errstr_size) < 0)
        return -1;
    fprintf(out, "\nDead letters on '%s':\n", c->topic_deadletter);
    if (kafka_read_topic(c, c->topic_deadletter, DEMO_READ_TIMEOUT_MS, on_dead, r, errstr,
                         errstr_size) < 0)
        return -1;
    return 0;
}

/* ---- the demo */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void print_summary(FILE *out, const demo_opts *o, const pipe_stats *ps, const results *r,
                          int64_t mismatches, double secs)
{
    fprintf(out, "\nSummary\n");
    fprintf(out,
            "  transfers streamed     %8" PRId64 "  (pipeline ran %.1f s, including group join "
            "and the idle wait before stopping)\n",
            o->transfers, secs);
    fprintf(out, "  screened               %8" PRIu64 "\n", ps->screened);
    fprintf(out,
            "  watch-list hits        %8" PRId64 "  on %" PRId64 " accounts, plus %" PRId64
            " repeats inside the cooldown\n",
            o->hits + o->repeats, o->hits, o->repeats);
    fprintf(out,
            "  freeze requests        %8" PRId64 "  (FREEZE %" PRId64 ", HOLD %" PRId64
            ", REVIEW %" PRId64 "); expected %" PRId64 "\n",
            r->requests, r->by_action[IX_ACTION_FREEZE], r->by_action[IX_ACTION_HOLD],
            r->by_action[IX_ACTION_REVIEW], o->hits);
    fprintf(out, "  dead letters           %8" PRId64 "  expected %" PRId64 "\n", r->dead,
            o->malformed);
    fprintf(out, "  checkpoints            %8" PRIu64 "\n", ps->checkpoints);
    if (mismatches == 0 && r->requests == o->hits && r->dead == o->malformed)
        fprintf(out, "\nOK: every planted hit was caught once, every bad message dead-lettered.\n");
    else
        fprintf(out,
                "\nMISMATCH: results differ from what was planted (%" PRId64 " account "
                "differences).\n",
                mismatches);
}

static int check_opts(const demo_opts *o, char *errstr, size_t errstr_size)
{
    if (o->transfers < 10 || o->accounts < 10 || o->mules < 1 || o->mules >= o->accounts ||
        o->hits < 1 || o->hits > o->mules || o->repeats < 0 || o->malformed < 0 ||
        o->hits + o->repeats + o->malformed > o->transfers / 2) {
        snprintf(errstr, errstr_size,
                 "inconsistent demo sizes: need transfers >= 10, 1 <= hits <= mules < accounts, "
                 "and hits + repeats + malformed <= transfers / 2");
        return -1;
    }
    return 0;
}

int demo_run(cfg *c, const demo_opts *o, const ix_log *lg, volatile sig_atomic_t *run, FILE *out,
             char *errstr, size_t errstr_size)
{
    char dir[] = "/tmp/interdict-demo-XXXXXX";
    kafka_mock *mock = NULL;
    graph *g = NULL;
    rules *rs = NULL;
    plan pl;
    results r;
    pipe_stats ps;
    int rc = -1;
    memset(&pl, 0, sizeof(pl));
    memset(&r, 0, sizeof(r));

    if (check_opts(o, errstr, errstr_size) != 0)
        return -1;
    if (!mkdtemp(dir)) {
        snprintf(errstr, errstr_size, "creating a state directory: %m");
        return -1;
    }
    fprintf(out,
            "interdict demo: embedded Kafka cluster, %" PRId64 " accounts (%" PRId64
            " on the watch list), %" PRId64 " transfers\n",
            o->accounts, o->mules, o->transfers);
    /* This demo plants watch-list hits in uniform random traffic, which the
     * pattern rules would read as mule activity; they are off here. */
    for (const rule_def *const *rd = rules_table; *rd; rd++) {
        char key[96];
        snprintf(key, sizeof(key), "rules.%s.enabled", (*rd)->name);
        if (strcmp((*rd)->name, "watchlist") != 0 &&
            cfg_set(c, key, "false", errstr, errstr_size) != 0)
            goto out;
    }
    if (cfg_set(c, "metrics.listen", "off", errstr, errstr_size) != 0 ||
        cfg_set(c, "topic.partitions", "4", errstr, errstr_size) != 0 ||
        !(mock = kafka_mock_start(c, 1, errstr, errstr_size)) ||
        cfg_set(c, "brokers", kafka_mock_bootstraps(mock), errstr, errstr_size) != 0 ||
        cfg_set(c, "state.dir", dir, errstr, errstr_size) != 0)
        goto out;
    fprintf(out, "  embedded broker at %s, state in %s\n", c->brokers, dir);

    gen g0;
    gen_opts go = {.seed = o->seed ^ 0x5eed};
    gen_init(&g0, &go);
    if (plan_build(o, &g0, &pl) != 0) {
        snprintf(errstr, errstr_size, "out of memory");
        goto out;
    }
    if (load_input(c, o, &pl, out, errstr, errstr_size) != 0)
        goto out;

    graph_opts gopts = {.dir = dir,
                        .cache_bytes = (size_t)c->state_cache_bytes,
                        .create = 1,
                        .retention_ms = c->state_retention_ms,
                        .log = lg};
    if (graph_open(&gopts, &g, errstr, errstr_size) != 0 ||
        rules_create(c, &rs, errstr, errstr_size) != 0)
        goto out;
    fprintf(out, "  screening...\n");
    pipe_opts po = {.c = c, .g = g, .r = rs, .log = lg, .run = run, .until_idle_ms = 1500};
    int64_t t0 = tf_mono_ns();
    if (pipe_run(&po, &ps, errstr, errstr_size) != 0)
        goto out;
    double secs = (double)(tf_mono_ns() - t0) / 1e9;
    if (read_results(c, o, out, &r, errstr, errstr_size) != 0)
        goto out;
    int64_t mismatches = check_accounts(&r, o);
    print_summary(out, o, &ps, &r, mismatches, secs);
    rc = (mismatches == 0 && r.requests == o->hits && r.dead == o->malformed) ? 0 : 1;
out:
    free(r.accounts);
    plan_free(&pl);
    rules_destroy(rs);
    graph_close(g);
    kafka_mock_stop(mock);
    if (o->keep_state)
        fprintf(out, "  state kept in %s\n", dir);
    else
        nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}
