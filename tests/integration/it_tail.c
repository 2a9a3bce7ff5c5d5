/* it_tail.c - `interdict tail` against the real Kafka broker: exact readable
 * and JSON output, filters, read_committed, unreadable messages reported
 * with their place, start at the end, and the ways it stops. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "encode.h"
#include "harness.h"
#include "hash.h"
#include "timefmt.h"

#define PARTITIONS 4    /* hx_setup creates every topic with 4 */
#define IDLE       "5s" /* --until-idle for full reads: covers start-up under ASan */

/* ---- the requests ------------------------------------------------------- */

typedef struct sample {
    ix_request r;
    char json[ENC_REQUEST_MAX];
    const char *text; /* what tail must print for it */
} sample;

enum { R_WATCH, R_PASS, R_FANIN, R_EUR, R_ABORTED, R_LIVE, NSAMPLES };

static sample g_s[NSAMPLES];
static hx_env g_env;
static char g_dir[320];

static int64_t at(const char *rfc3339)
{
    int64_t ms = 0;
    assert_int_equal(tf_parse(rfc3339, strlen(rfc3339), &ms), 0);
    return ms;
}

static ix_request *request(sample *s, ix_action action, const char *id, const char *account,
                           const char *bank, int score)
{
    ix_request *r = &s->r;
    memset(r, 0, sizeof(*r));
    snprintf(r->id, sizeof(r->id), "%s", id);
    snprintf(r->rule_set, sizeof(r->rule_set), "2026.11-1");
    snprintf(r->account, sizeof(r->account), "%s", account);
    snprintf(r->bank, sizeof(r->bank), "%s", bank);
    r->action = action;
    r->score = score;
    return r;
}

static void trigger(ix_request *r, const char *id, int64_t amount, const char *currency,
                    const char *event, const char *detected)
{
    snprintf(r->trigger_id, sizeof(r->trigger_id), "%s", id);
    r->trigger_amount = amount;
    snprintf(r->currency, sizeof(r->currency), "%s", currency);
    r->trigger_time_ms = at(event);
    r->detected_at_ms = at(detected);
}

static ix_finding *finding(ix_request *r, const char *rule, const char *code, int score,
                           int64_t amount)
{
    ix_finding *f = &r->findings[r->nfindings++];
    *f = (ix_finding){.rule = rule, .code = code, .score = score, .amount = amount};
    return f;
}

static void path(ix_finding *f, const char *a, const char *b, const char *c)
{
    const char *accts[] = {a, b, c};
    for (int i = 0; i < 3 && accts[i]; i++)
        snprintf(f->path[f->npath++], sizeof(f->path[0]), "%s", accts[i]);
}

static void evidence(ix_finding *f, const char *id, const char *from, const char *to,
                     int64_t amount, const char *time)
{
    ix_evidence *e = &f->evidence[f->nevidence++];
    snprintf(e->transfer_id, sizeof(e->transfer_id), "%s", id);
    snprintf(e->from_account, sizeof(e->from_account), "%s", from);
    snprintf(e->to_account, sizeof(e->to_account), "%s", to);
    e->amount = amount;
    e->time_ms = at(time);
}

static void figure(ix_finding *f, const char *name, int64_t value, int64_t threshold)
{
    f->figures[f->nfigures++] = (ix_figure){.name = name, .value = value, .threshold = threshold};
}

static void build_samples(void)
{
    ix_request *r;
    ix_finding *f;

    r = request(&g_s[R_WATCH], IX_ACTION_FREEZE, "fr-it-0001", "6222000000000001", "ICBKCNBJ", 100);
    trigger(r, "T-0001", 2187013, "CNY", "2026-11-23T11:07:44.800Z", "2026-11-23T11:10:15.544Z");
    f = finding(r, "watchlist_counterparty", "WL01", 100, 2187013);
    path(f, "6222000000000001", "6281799000000499", NULL);
    evidence(f, "T-0001", "6222000000000001", "6281799000000499", 2187013,
             "2026-11-23T11:07:44.800Z");
    g_s[R_WATCH].text =
        "FREEZE account 6222000000000001 at ICBKCNBJ  score 100  [fr-it-0001]\n"
        "    trigger T-0001  21,870.13 CNY  event 2026-11-23T11:07:44.800Z  detected "
        "2026-11-23T11:10:15.544Z\n"
        "    WL01  watchlist_counterparty     score 100  at risk 21,870.13 CNY\n"
        "          path 6222000000000001 -> 6281799000000499\n"
        "          T-0001  6222000000000001 -> 6281799000000499  21,870.13 CNY  "
        "2026-11-23T11:07:44.800Z\n";

    r = request(&g_s[R_PASS], IX_ACTION_HOLD, "fr-it-0002", "6222000000000002", "CMBCCNBSXXX", 60);
    trigger(r, "T-0002", 4950000, "CNY", "2026-11-23T11:20:00.000Z", "2026-11-23T11:20:01.250Z");
    f = finding(r, "pass_through", "PT01", 40, 4950000);
    path(f, "6222000000000077", "6222000000000002", "6222000000000088");
    evidence(f, "T-0002a", "6222000000000077", "6222000000000002", 5000000,
             "2026-11-23T11:12:00.000Z");
    evidence(f, "T-0002", "6222000000000002", "6222000000000088", 4950000,
             "2026-11-23T11:20:00.000Z");
    figure(f, "out_in_ratio_pct", 99, 80);
    figure(f, "dwell_seconds", 480, 900);
    f = finding(r, "new_account_burst", "NA01", 20, 5000000);
    path(f, "6222000000000002", NULL, NULL);
    figure(f, "account_age_days", 2, 30);
    g_s[R_PASS].text =
        "HOLD   account 6222000000000002 at CMBCCNBSXXX  score 60  [fr-it-0002]\n"
        "    trigger T-0002  49,500.00 CNY  event 2026-11-23T11:20:00.000Z  detected "
        "2026-11-23T11:20:01.250Z\n"
        "    PT01  pass_through               score  40  at risk 49,500.00 CNY\n"
        "          path 6222000000000077 -> 6222000000000002 -> 6222000000000088\n"
        "          out_in_ratio_pct = 99 (threshold 80)\n"
        "          dwell_seconds = 480 (threshold 900)\n"
        "          T-0002a  6222000000000077 -> 6222000000000002  50,000.00 CNY  "
        "2026-11-23T11:12:00.000Z\n"
        "          T-0002  6222000000000002 -> 6222000000000088  49,500.00 CNY  "
        "2026-11-23T11:20:00.000Z\n"
        "    NA01  new_account_burst          score  20  at risk 50,000.00 CNY\n"
        "          path 6222000000000002\n"
        "          account_age_days = 2 (threshold 30)\n";

    r = request(&g_s[R_FANIN], IX_ACTION_REVIEW, "fr-it-0003", "6222000000000003", "ICBKCNBJ001",
                30);
    trigger(r, "T-0003", 900000, "CNY", "2026-11-23T12:00:00.000Z", "2026-11-23T12:00:00.500Z");
    f = finding(r, "fan_in", "FI01", 30, 900000);
    figure(f, "distinct_senders", 14, 10);
    g_s[R_FANIN].text =
        "REVIEW account 6222000000000003 at ICBKCNBJ001  score 30  [fr-it-0003]\n"
        "    trigger T-0003  9,000.00 CNY  event 2026-11-23T12:00:00.000Z  detected "
        "2026-11-23T12:00:00.500Z\n"
        "    FI01  fan_in                     score  30  at risk 9,000.00 CNY\n"
        "          distinct_senders = 14 (threshold 10)\n";

    r = request(&g_s[R_EUR], IX_ACTION_FREEZE, "fr-it-0004", "DE89370400440532013000",
                "COBADEFFXXX", 90);
    trigger(r, "T-0004", 1240000, "EUR", "2026-11-23T13:00:00.000Z", "2026-11-23T13:00:00.100Z");
    f = finding(r, "pass_through", "PT01", 90, 1240000);
    path(f, "DE89370400440532013000", "FR7630006000011234567890189", NULL);
    evidence(f, "T-0004", "DE89370400440532013000", "FR7630006000011234567890189", 1240000,
             "2026-11-23T13:00:00.000Z");
    figure(f, "out_in_ratio_pct", 99, 80);
    g_s[R_EUR].text =
        "FREEZE account DE89370400440532013000 at COBADEFFXXX  score 90  [fr-it-0004]\n"
        "    trigger T-0004  12,400.00 EUR  event 2026-11-23T13:00:00.000Z  detected "
        "2026-11-23T13:00:00.100Z\n"
        "    PT01  pass_through               score  90  at risk 12,400.00 EUR\n"
        "          path DE89370400440532013000 -> FR7630006000011234567890189\n"
        "          out_in_ratio_pct = 99 (threshold 80)\n"
        "          T-0004  DE89370400440532013000 -> FR7630006000011234567890189  12,400.00 EUR  "
        "2026-11-23T13:00:00.000Z\n";

    /* Produced in a transaction that is aborted: never shown. */
    r = request(&g_s[R_ABORTED], IX_ACTION_FREEZE, "fr-it-0005", "6222000000000005", "ICBKCNBJ",
                100);
    trigger(r, "T-0005", 100000, "CNY", "2026-11-23T14:00:00.000Z", "2026-11-23T14:00:00.100Z");
    finding(r, "watchlist_counterparty", "WL01", 100, 100000);
    g_s[R_ABORTED].text = "(aborted)";

    /* Produced while a tail follows the end of the topic. */
    r = request(&g_s[R_LIVE], IX_ACTION_REVIEW, "fr-it-0006", "6222000000000006", "BKCHCNBJ", 25);
    trigger(r, "T-0006", 4990000, "CNY", "2026-11-23T15:00:00.000Z", "2026-11-23T15:00:00.200Z");
    f = finding(r, "structuring", "ST01", 25, 4990000);
    figure(f, "transfers_under_threshold", 6, 5);
    g_s[R_LIVE].text = "REVIEW account 6222000000000006 at BKCHCNBJ  score 25  [fr-it-0006]\n"
                       "    trigger T-0006  49,900.00 CNY  event 2026-11-23T15:00:00.000Z  "
                       "detected 2026-11-23T15:00:00.200Z\n"
                       "    ST01  structuring                score  25  at risk 49,900.00 CNY\n"
                       "          transfers_under_threshold = 6 (threshold 5)\n";

    for (int i = 0; i < NSAMPLES; i++)
        assert_true(enc_request(&g_s[i].r, g_s[i].json, sizeof(g_s[i].json)) > 0);
}

/* Messages on the topic that are not freeze requests, and where they land. */
static const struct {
    const char *key, *value, *why;
} g_bad[] = {
    {"6222000000000009", "not a request", "not JSON: '[' or '{' expected near 'not' at byte 3"},
    {"bad-2", "{\"version\":1,\"request_id\":\"x\"}", "rule_set: missing"},
};
#define NBAD 2
static int64_t g_bad_offset[NBAD];

/* ---- producing ---------------------------------------------------------- */

static void produce_aborted(const char *key, const char *value)
{
    char errstr[512], txid[128];
    const char *topic = g_env.c.topic_interceptions;
    rd_kafka_conf_t *conf = kafka_conf_new(&g_env.c, KAFKA_PRODUCER, NULL, errstr, sizeof(errstr));
    assert_non_null(conf);
    snprintf(txid, sizeof(txid), "%s-aborter", g_env.c.instance_id);
    assert_int_equal(kafka_conf_set(conf, "transactional.id", txid, errstr, sizeof(errstr)), 0);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    assert_non_null(rk);
    assert_null(rd_kafka_init_transactions(rk, 30000));
    assert_null(rd_kafka_begin_transaction(rk));
    assert_int_equal(rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic),
                                       RD_KAFKA_V_KEY(key, strlen(key)),
                                       RD_KAFKA_V_VALUE((void *)value, strlen(value)),
                                       RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
                     RD_KAFKA_RESP_ERR_NO_ERROR);
    /* In the log before the abort, so a read_uncommitted reader would see it. */
    assert_int_equal(rd_kafka_flush(rk, 30000), RD_KAFKA_RESP_ERR_NO_ERROR);
    assert_null(rd_kafka_abort_transaction(rk, 30000));
    rd_kafka_destroy(rk);
}

static int group_setup(void **state)
{
    (void)state;
    int64_t next[PARTITIONS] = {0};
    build_samples();
    hx_setup(&g_env, "ittail", hx_kafka_brokers());
    snprintf(g_dir, sizeof(g_dir), "%s", g_env.dir);

    /* Plain messages, each partition's offsets counted as they are sent. */
    feed *f = hx_feed(&g_env);
    const char *topic = g_env.c.topic_interceptions;
    for (int i = R_WATCH; i <= R_EUR; i++) {
        const char *key = g_s[i].r.account;
        next[hash_partition(key, strlen(key), PARTITIONS)]++;
        hx_send(f, topic, key, g_s[i].json);
        if (i == R_PASS) {
            for (int b = 0; b < NBAD; b++) {
                int32_t p = hash_partition(g_bad[b].key, strlen(g_bad[b].key), PARTITIONS);
                g_bad_offset[b] = next[p]++;
                hx_send(f, topic, g_bad[b].key, g_bad[b].value);
            }
        }
    }
    hx_flush(f);
    feed_destroy(f);

    int64_t end = hx_end_sum(&g_env, topic);
    assert_int_equal(end, 6);
    produce_aborted(g_s[R_ABORTED].r.account, g_s[R_ABORTED].json);
    /* The aborted request and the abort marker are in the log. The
     * coordinator writes the marker after the abort returns, and until then
     * the end a read_committed client sees (the last stable offset) stays
     * before the aborted request. */
    int64_t now = end;
    for (int i = 0; i < 200 && now != end + 2; i++) {
        struct timespec ts = {0, 50 * 1000000};
        nanosleep(&ts, NULL);
        now = hx_end_sum(&g_env, topic);
    }
    assert_int_equal(now, end + 2);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    hx_teardown(&g_env);
    return 0;
}

/* ---- reading results ---------------------------------------------------- */

static char *slurp(const char *path, long from)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    assert_true(size >= from);
    assert_int_equal(fseek(f, from, SEEK_SET), 0);
    char *buf = malloc((size_t)(size - from) + 1);
    assert_non_null(buf);
    size_t n = fread(buf, 1, (size_t)(size - from), f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

/* The output of one run: stdout, and the stderr it appended to the log. */
typedef struct run_out {
    char *out, *err;
    int status;
} run_out;

static void free_run(run_out *r)
{
    free(r->out);
    free(r->err);
}

/* interdict tail ARGS... (NULL-terminated, at most 12) */
static run_out tail(int expect, ...)
{
    char out_path[400];
    const char *a[13] = {0};
    va_list ap;
    va_start(ap, expect);
    for (int i = 0; i < 12 && (a[i] = va_arg(ap, const char *)); i++)
        ;
    va_end(ap);
    snprintf(out_path, sizeof(out_path), "%s/tail.out", g_dir);
    long from = file_size(g_env.log_path);
    run_out r;
    r.status = hx_run_capture(&g_env, 90, expect, out_path, "tail", a[0], a[1], a[2], a[3], a[4],
                              a[5], a[6], a[7], a[8], a[9], a[10], a[11], NULL);
    r.out = slurp(out_path, 0);
    r.err = slurp(g_env.log_path, from);
    if (r.status != expect)
        fail_msg("tail exited %d, expected %d; stdout:\n%s", r.status, expect, r.out);
    return r;
}

/* Readable output is blocks, each followed by a blank line; returns how
 * many, and fails unless each block is the text of one of `want` (indices
 * into g_s, -1 terminated) and each of `want` is printed exactly once. */
static void assert_blocks(const char *out, const int *want)
{
    int nwant = 0, seen[NSAMPLES] = {0};
    while (want[nwant] >= 0)
        nwant++;
    const char *p = out;
    int blocks = 0;
    while (*p) {
        const char *end = strstr(p, "\n\n");
        if (!end)
            fail_msg("output does not end in a blank line:\n%s", out);
        size_t len = (size_t)(end - p) + 1;
        int found = -1;
        for (int i = 0; i < nwant; i++)
            if (strlen(g_s[want[i]].text) == len && memcmp(g_s[want[i]].text, p, len) == 0)
                found = want[i];
        if (found < 0)
            fail_msg("unexpected block:\n%.*s\nin output:\n%s", (int)len, p, out);
        assert_int_equal(seen[found]++, 0);
        blocks++;
        p = end + 2;
    }
    assert_int_equal(blocks, nwant);
}

/* JSON lines: each line the exact bytes of one of `want`, each once. */
static void assert_json_lines(const char *out, const int *want)
{
    int nwant = 0, seen[NSAMPLES] = {0}, lines = 0;
    while (want[nwant] >= 0)
        nwant++;
    for (const char *p = out; *p;) {
        const char *nl = strchr(p, '\n');
        assert_non_null(nl);
        size_t len = (size_t)(nl - p);
        int found = -1;
        for (int i = 0; i < nwant; i++)
            if (strlen(g_s[want[i]].json) == len && memcmp(g_s[want[i]].json, p, len) == 0)
                found = want[i];
        if (found < 0)
            fail_msg("unexpected line: %.*s", (int)len, p);
        assert_int_equal(seen[found]++, 0);
        lines++;
        p = nl + 1;
    }
    assert_int_equal(lines, nwant);
}

static int count_lines_with(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static void assert_has_line(const char *text, const char *line)
{
    char buf[1024];
    snprintf(buf, sizeof(buf), "%s\n", line);
    if (!strstr(text, buf))
        fail_msg("missing line:\n%s\nin:\n%s", line, text);
}

static void assert_header(const char *err, const char *from)
{
    char line[512];
    snprintf(line, sizeof(line),
             "interdict tail: topic %s on %s, 4 partitions, from the %s, committed requests only",
             g_env.c.topic_interceptions, g_env.c.brokers, from);
    assert_has_line(err, line);
}

/* ---- tests -------------------------------------------------------------- */

static void test_everything_readable(void **state)
{
    (void)state;
    run_out r = tail(0, "--from-beginning", "--until-idle", IDLE, NULL);
    const int want[] = {R_WATCH, R_PASS, R_FANIN, R_EUR, -1};
    assert_blocks(r.out, want); /* and not the aborted one */
    assert_header(r.err, "beginning");
    char line[512];
    for (int b = 0; b < NBAD; b++) {
        snprintf(line, sizeof(line), "interdict tail: skipped %s [%d] @%lld (key %s): %s",
                 g_env.c.topic_interceptions,
                 (int)hash_partition(g_bad[b].key, strlen(g_bad[b].key), PARTITIONS),
                 (long long)g_bad_offset[b], g_bad[b].key, g_bad[b].why);
        assert_has_line(r.err, line);
    }
    assert_int_equal(count_lines_with(r.err, "interdict tail: skipped"), NBAD);
    assert_has_line(r.err, "interdict tail: 6 read, 4 shown, 0 filtered out, 2 unreadable");
    free_run(&r);
}

static void test_filters_combine(void **state)
{
    (void)state;
    /* (FREEZE or HOLD) and (ICBKCNBJ or CMBCCNBS, every branch): the fan-in
     * is a REVIEW, the EUR one at another bank. Case does not matter. */
    run_out r = tail(0, "--from-beginning", "--until-idle", IDLE, "--action", "freeze", "--action",
                     "HOLD", "--bank", "ICBKCNBJ", "--bank", "cmbccnbs", NULL);
    const int want[] = {R_WATCH, R_PASS, -1};
    assert_blocks(r.out, want);
    assert_has_line(r.err, "interdict tail: 6 read, 2 shown, 2 filtered out, 2 unreadable");
    free_run(&r);

    /* A rule by reason code and a bank with all its branches. */
    r = tail(0, "--from-beginning", "--until-idle", IDLE, "--rule", "FI01", "--rule", "WL01",
             "--bank", "ICBKCNBJ", NULL);
    const int want2[] = {R_WATCH, R_FANIN, -1};
    assert_blocks(r.out, want2);
    free_run(&r);

    /* An 11-letter BIC is one branch; XXX is the head office, the 8-letter form. */
    r = tail(0, "--from-beginning", "--until-idle", IDLE, "--bank", "ICBKCNBJXXX", NULL);
    const int want3[] = {R_WATCH, -1};
    assert_blocks(r.out, want3);
    free_run(&r);
}

static void test_json_count(void **state)
{
    (void)state;
    /* Both pass-through requests, as their exact JSON; exits at the count
     * without waiting for anything else. */
    run_out r =
        tail(0, "--from-beginning", "--rule", "pass_through", "--json", "--count", "2", NULL);
    const int want[] = {R_PASS, R_EUR, -1};
    assert_json_lines(r.out, want);
    free_run(&r);
}

static void test_starts_at_end(void **state)
{
    (void)state;
    run_out r = tail(0, "--until-idle", "3s", NULL);
    assert_string_equal(r.out, "");
    assert_header(r.err, "end");
    assert_has_line(r.err, "interdict tail: 0 read, 0 shown, 0 filtered out, 0 unreadable");
    free_run(&r);
}

static void test_usage_errors(void **state)
{
    (void)state;
    run_out r = tail(2, "--action", "STOP", NULL);
    assert_non_null(strstr(r.err, "--action STOP: expected FREEZE, HOLD or REVIEW"));
    free_run(&r);
    r = tail(2, "--bank", "ICBK", NULL);
    assert_non_null(strstr(r.err, "--bank ICBK: expected a BIC of 8 or 11 letters and digits"));
    free_run(&r);
    r = tail(2, "--rule", "a-b", NULL);
    free_run(&r);
    r = tail(2, "--count", "0", NULL);
    free_run(&r);
    r = tail(2, "extra", NULL);
    free_run(&r);
    r = tail(3, "-X", "topic.interceptions=ittail-no-such-topic", NULL);
    assert_non_null(strstr(r.err, "interdict tail: topic ittail-no-such-topic on "));
    assert_string_equal(r.out, "");
    free_run(&r);
}

/* ---- a tail running in the background ----------------------------------- */

static pid_t spawn_tail(const char *out_path, const char *err_path, const char *extra)
{
    const char *bin = getenv("INTERDICT_BIN");
    assert_non_null(bin);
    /* Empty before the child starts: a header left by an earlier run must
     * not be taken for this one's. */
    for (int i = 0; i < 2; i++) {
        FILE *f = fopen(i ? err_path : out_path, "w");
        assert_non_null(f);
        fclose(f);
    }
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (!freopen(out_path, "w", stdout) || !freopen(err_path, "w", stderr))
            _exit(126);
        execl(bin, bin, "tail", "-c", g_env.conf_path, extra, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* The exit status, or -1 if it is still running after timeout_ms. */
static int wait_exit(pid_t pid, int timeout_ms)
{
    int status = 0;
    for (int waited = 0; waited <= timeout_ms; waited += 50) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        assert_true(r == 0);
        struct timespec ts = {0, 50 * 1000000};
        nanosleep(&ts, NULL);
    }
    return -1;
}

static void wait_for_header(pid_t pid, const char *err_path)
{
    for (int waited = 0; waited < 60000; waited += 100) {
        char *err = slurp(err_path, 0);
        int ready = strstr(err, "interdict tail: topic ") != NULL;
        free(err);
        if (ready)
            return;
        if (wait_exit(pid, 100) >= 0)
            fail_msg("tail exited before it was ready");
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    fail_msg("tail printed no header within 60 s");
}

static void test_follows_new_requests(void **state)
{
    (void)state;
    char out_path[400], err_path[400];
    snprintf(out_path, sizeof(out_path), "%s/live.out", g_dir);
    snprintf(err_path, sizeof(err_path), "%s/live.err", g_dir);
    pid_t pid = spawn_tail(out_path, err_path, "--count=1");
    wait_for_header(pid, err_path);
    /* The end offset is resolved just after the header: produce until the
     * tail sees one, so the test does not depend on that moment. */
    feed *f = hx_feed(&g_env);
    int status = -1;
    for (int i = 0; i < 30 && status < 0; i++) {
        hx_send(f, g_env.c.topic_interceptions, g_s[R_LIVE].r.account, g_s[R_LIVE].json);
        hx_flush(f);
        status = wait_exit(pid, 1000);
    }
    feed_destroy(f);
    if (status < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    assert_int_equal(status, 0);
    char *out = slurp(out_path, 0);
    const int want[] = {R_LIVE, -1};
    assert_blocks(out, want); /* only the new one: the old ones were before the end */
    free(out);
}

static void stops_on(int sig)
{
    char out_path[400], err_path[400];
    snprintf(out_path, sizeof(out_path), "%s/sig%d.out", g_dir, sig);
    snprintf(err_path, sizeof(err_path), "%s/sig%d.err", g_dir, sig);
    pid_t pid = spawn_tail(out_path, err_path, "--from-beginning");
    wait_for_header(pid, err_path);
    kill(pid, sig);
    int status = wait_exit(pid, 15000);
    if (status < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    assert_int_equal(status, 0);
    char *err = slurp(err_path, 0);
    assert_non_null(strstr(err, " shown, "));
    free(err);
}

static void test_stops_on_signals(void **state)
{
    (void)state;
    stops_on(SIGTERM);
    stops_on(SIGINT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_everything_readable), cmocka_unit_test(test_filters_combine),
        cmocka_unit_test(test_json_count),          cmocka_unit_test(test_starts_at_end),
        cmocka_unit_test(test_usage_errors),        cmocka_unit_test(test_follows_new_requests),
        cmocka_unit_test(test_stops_on_signals),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
