/* it_replay.c - `interdict replay` against the real Kafka broker: a small
 * stream with a known structuring pattern, a watch-listed hit and a traced
 * fraud report, replayed with the defaults and compared with a stricter
 * structuring threshold; exact output, JSON, ranges by offset and by time,
 * usage and runtime errors, and the temporary state removed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "harness_replay.h"
#include "hash.h"
#include "render.h"
#include "rules.h"
#include "timefmt.h"

#define PARTITIONS 4 /* hx_setup creates every topic with 4 */

/* The accounts of the story. */
#define S   "6222000000000001" /* sends six transfers just under 50,000.00 */
#define P   "6222000000000002" /* pays the watch-listed W */
#define W   "6281799000000499" /* on the watch list */
#define V   "6222000000000003" /* a victim who reports a transfer to M */
#define M   "6222000000000004" /* passes the victim's money on to N */
#define N   "6222000000000005"
#define BG1 "6222000000002001" /* the second batch: ordinary payments */
#define BG2 "6222000000002002"

static hx_env g_env;
static char g_mid[40];  /* a Kafka time between the two batches */
static char g_tmp[400]; /* TMPDIR of the replays */
static int g_per_part[PARTITIONS];

/* ---- the stream ---------------------------------------------------------- */

static void count_part(const char *key)
{
    g_per_part[hash_partition(key, strlen(key), PARTITIONS)]++;
}

static void produce_first_batch(feed *f)
{
    static const int64_t amounts[6] = {4900000, 4880000, 4950000, 4790000, 4999000, 4825000};
    const int64_t t0 = hx_time("2026-11-20T09:00:00Z"), min = 60000;
    const int64_t opened = hx_time("2019-03-01T00:00:00Z");
    const char *people[] = {S, P, V, M, N, W, BG1, BG2};
    char id[32], to[32];
    for (size_t i = 0; i < sizeof(people) / sizeof(people[0]); i++)
        hx_send_profile(&g_env, f, people[i], "ICBKCNBJ", opened);
    hx_send_watch(&g_env, f, W, "ICBKCNBJ", "confirmed mule, police case 2026-117",
                  hx_time("2026-11-01T00:00:00Z"));
    for (int i = 0; i < 6; i++) {
        snprintf(id, sizeof(id), "T-ST-%d", i + 1);
        snprintf(to, sizeof(to), "622200000000100%d", i + 1);
        hx_send_transfer(&g_env, f, id, S, to, amounts[i], t0 + i * 20 * min);
        count_part(S);
    }
    hx_send_transfer(&g_env, f, "T-VR-1", V, M, 3000000, t0 + 10 * min);
    hx_send_transfer(&g_env, f, "T-WL-1", P, W, 2187013, t0 + 30 * min);
    hx_send_transfer(&g_env, f, "T-VR-2", M, N, 2900000, t0 + 70 * min);
    count_part(V);
    count_part(P);
    count_part(M);
    hx_send_report(&g_env, f, "R-1", "T-VR-1", V, 3000000, t0 + 180 * min);
    hx_flush(f);
}

static void produce_second_batch(feed *f)
{
    const int64_t t0 = hx_time("2026-11-20T13:00:00Z");
    hx_send_transfer(&g_env, f, "T-BG-1", BG1, BG2, 120000, t0);
    hx_send_transfer(&g_env, f, "T-BG-2", BG2, BG1, 50000, t0 + 3600000);
    count_part(BG1);
    count_part(BG2);
    hx_flush(f);
}

static int group_setup(void **state)
{
    (void)state;
    hx_setup(&g_env, "itrp", hx_kafka_brokers());
    /* The defaults: every rule on (hx_setup leaves only the watch list). */
    for (const rule_def *const *r = rules_table; *r; r++) {
        char key[96];
        snprintf(key, sizeof(key), "rules.%s.enabled", (*r)->name);
        hx_set(&g_env, key, "true");
    }
    snprintf(g_tmp, sizeof(g_tmp), "%s/tmp", g_env.dir);
    assert_int_equal(mkdir(g_tmp, 0700), 0);
    setenv("TMPDIR", g_tmp, 1);

    feed *f = hx_feed(&g_env);
    produce_first_batch(f);
    /* Kafka timestamps are the producer's clock: leave a clear gap. */
    hx_sleep_ms(1500);
    assert_true(tf_format(tf_now_ms(), g_mid, sizeof(g_mid)) > 0);
    hx_sleep_ms(1500);
    produce_second_batch(f);
    feed_destroy(f);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    hx_teardown(&g_env);
    return 0;
}

/* ---- running it ---------------------------------------------------------- */

typedef struct run_out {
    char *out, *err;
} run_out;

static long file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    long n = 0;
    if (f && fseek(f, 0, SEEK_END) == 0)
        n = ftell(f);
    if (f)
        fclose(f);
    return n;
}

/* interdict replay ARGS... (NULL-terminated, at most 10); stderr of this
 * run only. */
static run_out replay(int expect, ...)
{
    char out_path[400];
    const char *a[11] = {0};
    va_list ap;
    va_start(ap, expect);
    for (int i = 0; i < 10 && (a[i] = va_arg(ap, const char *)); i++)
        ;
    va_end(ap);
    snprintf(out_path, sizeof(out_path), "%s/replay.out", g_env.dir);
    long from = file_size(g_env.log_path);
    int status = hx_run_capture(&g_env, 120, expect, out_path, "replay", a[0], a[1], a[2], a[3],
                                a[4], a[5], a[6], a[7], a[8], a[9], NULL);
    run_out r = {hx_slurp(out_path), hx_slurp(g_env.log_path)};
    memmove(r.err, r.err + from, strlen(r.err + from) + 1);
    if (status != expect)
        fail_msg("replay exited %d, expected %d; stdout:\n%s", status, expect, r.out);
    return r;
}

static void free_run(run_out *r)
{
    free(r->out);
    free(r->err);
}

/* The temporary stores are gone after every run. */
static void assert_tmp_empty(void)
{
    DIR *d = opendir(g_tmp);
    assert_non_null(d);
    for (struct dirent *de; (de = readdir(d));)
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            fail_msg("left behind in TMPDIR: %s", de->d_name);
    closedir(d);
}

static void assert_text(const char *got, const char *want)
{
    if (strcmp(got, want) != 0) {
        /* In full: fail_msg cuts long messages. */
        fprintf(stderr, "output differs; expected:\n%s\ngot:\n%s\n", want, got);
        fail_msg("output differs (both above)");
    }
}

/* The lines every replay of the first batch, or of both, prints first. */
static void input_lines(char *buf, size_t size, int transfers)
{
    snprintf(buf, size,
             "replay: %d transfers and 1 fraud report, event times "
             "2026-11-20T09:00:00.000Z .. %s\n"
             "  transfers      %s: read %d from 4 partitions, screened %d, duplicates 0, "
             "rejected 0, other currency 0\n"
             "  fraud reports  %s: read 1, traced 1, transfer not screened 0, rejected 0\n"
             "  tables         profiles 8, watch-list entries 1, removals 0, rejected 0\n"
             "  desk           allow-list entries 0, removals 0, verdicts 0, rejected 0\n",
             transfers, transfers == 11 ? "2026-11-20T14:00:00.000Z" : "2026-11-20T12:00:00.000Z",
             g_env.c.topic_transfers, transfers, transfers, g_env.c.topic_reports);
}

/* Run A: what the defaults decide. The six transfers just under 50,000.00
 * make two structuring findings (at the fifth and the sixth) and one request,
 * the second being inside the incident's cooldown; the payment into W is a
 * watch-list FREEZE; the report traces the victim's money to M and on to N. */
static const char RUN_A_BODY[] =
    "  4 requests on 4 accounts: FREEZE 3, HOLD 1, REVIEW 0\n"
    "  desk: 0 findings held back, 0 verdicts applied, 0 refused\n"
    "  rule              findings  requests  FREEZE    HOLD  REVIEW\n"
    "  watchlist                1         1       1       0       0\n"
    "  structuring              2         1       0       1       0\n"
    "  trace                    2         2       2       0       0\n"
    "  accounts flagged\n"
    "    FREEZE  6222000000000004      ICBKCNBJ     1 request   VR01\n"
    "    FREEZE  6222000000000005      ICBKCNBJ     1 request   VR02\n"
    "    FREEZE  6281799000000499      ICBKCNBJ     1 request   WL01\n"
    "    HOLD    6222000000000001      ICBKCNBJ     1 request   ST01\n";

/* ---- tests ----------------------------------------------------------------- */

static void test_defaults(void **state)
{
    (void)state;
    char want[4096], in[1024];
    run_out r = replay(0, NULL);
    input_lines(in, sizeof(in), 11);
    snprintf(want, sizeof(want), "%s\nA: %s (rule set 2026.12-1)\n%s", in, g_env.conf_path,
             RUN_A_BODY);
    assert_text(r.out, want);
    assert_tmp_empty();
    free_run(&r);
}

static void test_compare_set(void **state)
{
    (void)state;
    char want[8192], in[1024];
    run_out r = replay(0, "--set", "rules.structuring.min.count=10", NULL);
    input_lines(in, sizeof(in), 11);
    snprintf(want, sizeof(want),
             "%s\nA: %s (rule set 2026.12-1)\n%s"
             "\nB: --set rules.structuring.min.count=10 (rule set 2026.12-1)\n"
             "  3 requests on 3 accounts: FREEZE 3, HOLD 0, REVIEW 0\n"
             "  desk: 0 findings held back, 0 verdicts applied, 0 refused\n"
             "  rule              findings  requests  FREEZE    HOLD  REVIEW\n"
             "  watchlist                1         1       1       0       0\n"
             "  trace                    2         2       2       0       0\n"
             "  accounts flagged\n"
             "    FREEZE  6222000000000004      ICBKCNBJ     1 request   VR01\n"
             "    FREEZE  6222000000000005      ICBKCNBJ     1 request   VR02\n"
             "    FREEZE  6281799000000499      ICBKCNBJ     1 request   WL01\n"
             "\nA against B, by account and reason code\n"
             "  only in A: 1\n"
             "    HOLD    6222000000000001      ST01\n"
             "  only in B: 0\n"
             "  in both: 3\n"
             "    FREEZE  6222000000000004      VR01\n"
             "    FREEZE  6222000000000005      VR02\n"
             "    FREEZE  6281799000000499      WL01\n",
             in, g_env.conf_path, RUN_A_BODY);
    assert_text(r.out, want);
    assert_tmp_empty();
    free_run(&r);
}

static json_t *pair_list(json_t *root, const char *which)
{
    json_t *l = json_object_get(json_object_get(root, "comparison"), which);
    assert_true(json_is_array(l));
    return l;
}

static void test_compare_file_json(void **state)
{
    (void)state;
    char path[400];
    /* A second config file: only its rule keys count. Its structuring
     * threshold puts the six transfers out of the band; its rule set label
     * changes the request ids, not the comparison. */
    snprintf(path, sizeof(path), "%s/stricter.conf", g_env.dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "rule.set = 2026.12-1\nrules.structuring.threshold = 40000.00\n"
               "topic.transfers = ignored-by-replay\n");
    fclose(f);
    run_out r = replay(0, "--compare-with", path, "--json", NULL);
    json_error_t jerr;
    json_t *root = json_loads(r.out, 0, &jerr);
    if (!root)
        fail_msg("not JSON (%s):\n%s", jerr.text, r.out);
    json_t *runs = json_object_get(root, "runs");
    assert_int_equal(json_array_size(runs), 2);
    json_t *b = json_array_get(runs, 1);
    assert_string_equal(json_string_value(json_object_get(b, "rule_set")), "2026.12-1");
    assert_int_equal(json_integer_value(json_object_get(b, "request_count")), 3);
    json_t *only_a = pair_list(root, "only_a"), *both = pair_list(root, "both");
    assert_int_equal(json_array_size(only_a), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(only_a, 0), "code")),
                        "ST01");
    assert_string_equal(json_string_value(json_object_get(json_array_get(only_a, 0), "account")),
                        S);
    assert_int_equal(json_array_size(pair_list(root, "only_b")), 0);
    assert_int_equal(json_array_size(both), 3);
    json_t *input = json_object_get(root, "input");
    json_t *tr = json_object_get(input, "transfers");
    assert_int_equal(json_integer_value(json_object_get(tr, "read")), 11);
    assert_int_equal(json_array_size(json_object_get(tr, "partitions")), PARTITIONS);
    json_decref(root);
    assert_tmp_empty();
    free_run(&r);
}

/* The request of run A on `account`, and its document. */
static json_t *request_on(json_t *run, const char *account)
{
    json_t *reqs = json_object_get(run, "requests");
    for (size_t i = 0; i < json_array_size(reqs); i++) {
        json_t *q = json_array_get(reqs, i);
        if (strcmp(json_string_value(json_object_get(q, "account")), account) == 0)
            return q;
    }
    fail_msg("no request on %s", account);
    return NULL;
}

/* The first evidence transfer of a request's first finding with `code`. */
static json_t *evidence_of(json_t *doc, const char *code, size_t i)
{
    json_t *fs = json_object_get(doc, "findings");
    for (size_t f = 0; f < json_array_size(fs); f++) {
        json_t *fi = json_array_get(fs, f);
        if (strcmp(json_string_value(json_object_get(fi, "code")), code) == 0)
            return json_array_get(json_object_get(fi, "evidence"), i);
    }
    fail_msg("no %s finding", code);
    return NULL;
}

static void assert_evidence(json_t *ev, const char *id, const char *from, const char *to,
                            int64_t amount)
{
    assert_non_null(ev);
    assert_string_equal(json_string_value(json_object_get(ev, "transfer_id")), id);
    assert_string_equal(json_string_value(json_object_get(ev, "from_account")), from);
    assert_string_equal(json_string_value(json_object_get(ev, "to_account")), to);
    assert_int_equal(json_integer_value(json_object_get(ev, "amount")), amount);
}

/* replay --json once gave a request's id, action and codes but not its
 * evidence: each request now carries the freeze request itself, the
 * document the screener publishes and `tail --json` prints, checked by the
 * same schema check tail applies. */
static void test_json_evidence(void **state)
{
    (void)state;
    char errstr[512];
    run_out r = replay(0, "--json", NULL);
    json_error_t jerr;
    json_t *root = json_loads(r.out, 0, &jerr);
    if (!root)
        fail_msg("not JSON (%s):\n%s", jerr.text, r.out);
    json_t *a = json_array_get(json_object_get(root, "runs"), 0);
    json_t *reqs = json_object_get(a, "requests");
    assert_int_equal(json_array_size(reqs), 4);
    for (size_t i = 0; i < json_array_size(reqs); i++) {
        json_t *q = json_array_get(reqs, i), *doc = json_object_get(q, "request");
        assert_true(json_is_object(doc));
        char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (render_check(text, strlen(text), errstr, sizeof(errstr)) != 0)
            fail_msg("request %zu does not pass tail's check: %s\n%s", i, errstr, text);
        free(text);
        assert_string_equal(json_string_value(json_object_get(doc, "request_id")),
                            json_string_value(json_object_get(q, "id")));
        assert_string_equal(json_string_value(json_object_get(doc, "action")),
                            json_string_value(json_object_get(q, "action")));
        assert_string_equal(json_string_value(json_object_get(doc, "rule_set")), "2026.12-1");
    }
    /* The evidence a desk acts on: the payment into W, and the victim's
     * money followed from V through M to N. */
    json_t *wl = json_object_get(request_on(a, W), "request");
    assert_evidence(evidence_of(wl, "WL01", 0), "T-WL-1", P, W, 2187013);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(wl, "trigger"), "event_time")),
        "2026-11-20T09:30:00.000Z");
    json_t *vr = json_object_get(request_on(a, N), "request");
    assert_evidence(evidence_of(vr, "VR02", 0), "T-VR-1", V, M, 3000000);
    assert_evidence(evidence_of(vr, "VR02", 1), "T-VR-2", M, N, 2900000);
    json_decref(root);
    assert_tmp_empty();
    free_run(&r);
}

static void test_range_by_time(void **state)
{
    (void)state;
    char want[4096], in[1024];
    /* Up to the gap: the first batch alone decides as before. */
    run_out r = replay(0, "--to", g_mid, NULL);
    input_lines(in, sizeof(in), 9);
    snprintf(want, sizeof(want), "%s\nA: %s (rule set 2026.12-1)\n%s", in, g_env.conf_path,
             RUN_A_BODY);
    assert_text(r.out, want);
    free_run(&r);
    /* From the gap: two ordinary payments, no report, nothing to ask. */
    r = replay(0, "--from", g_mid, NULL);
    assert_non_null(strstr(r.out, "replay: 2 transfers and 0 fraud reports, event times "
                                  "2026-11-20T13:00:00.000Z .. 2026-11-20T14:00:00.000Z\n"));
    assert_non_null(strstr(r.out, ": read 2 from 4 partitions, screened 2,"));
    assert_non_null(strstr(r.out, "  0 requests on 0 accounts: FREEZE 0, HOLD 0, REVIEW 0\n"));
    free_run(&r);
}

static void test_range_by_offset(void **state)
{
    (void)state;
    char line[256];
    int read = 0;
    for (int p = 0; p < PARTITIONS; p++)
        read += g_per_part[p] < 3 ? g_per_part[p] : 3;
    /* Three transfers of each partition: S's first three are not yet a
     * pattern, so no structuring; the report is within the Kafka time of
     * the transfers read only if the last one read is after it. */
    run_out r = replay(0, "--to", "3", NULL);
    snprintf(line, sizeof(line), ": read %d from 4 partitions, screened %d,", read, read);
    assert_non_null(strstr(r.out, line));
    assert_null(strstr(r.out, "ST01"));
    free_run(&r);
    /* From offset 3 to 6: S's last three transfers, and whatever else a
     * partition holds there. */
    read = 0;
    for (int p = 0; p < PARTITIONS; p++)
        read += g_per_part[p] > 3 ? (g_per_part[p] < 6 ? g_per_part[p] : 6) - 3 : 0;
    r = replay(0, "--from", "3", "--to", "6", NULL);
    snprintf(line, sizeof(line), ": read %d from 4 partitions, screened %d,", read, read);
    assert_non_null(strstr(r.out, line));
    assert_null(strstr(r.out, "ST01"));
    free_run(&r);
    /* An empty range is not an error. */
    r = replay(0, "--from", "5", "--to", "5", NULL);
    assert_non_null(strstr(r.out, "replay: 0 transfers and 0 fraud reports\n"));
    free_run(&r);
}

static void test_errors(void **state)
{
    (void)state;
    run_out r = replay(2, "--set", "state.dir=/tmp/x", NULL);
    assert_non_null(strstr(r.err, "interdict: --set state.dir: only rules.*, action.*, rule.set "
                                  "and incident.cooldown can differ between the two runs\n"));
    free_run(&r);
    r = replay(2, "--from", "6", "--to", "3", NULL);
    assert_non_null(strstr(
        r.err, "interdict replay: --from is after --to: the range [from, to) is inverted\n"));
    free_run(&r);
    r = replay(2, "--from", "yesterday", NULL);
    assert_non_null(strstr(
        r.err,
        "interdict: --from yesterday: expected an offset (0, 1, ...) or an RFC 3339 time\n"));
    free_run(&r);
    r = replay(2, "--set", "rules.structuring.min.count=1", NULL);
    assert_non_null(strstr(r.err, "interdict replay: --set rules.structuring.min.count: "));
    free_run(&r);
    r = replay(2, "--compare-with", "/nonexistent/stricter.conf", NULL);
    assert_non_null(strstr(r.err, "interdict replay: --compare-with /nonexistent/stricter.conf: No "
                                  "such file or directory\n"));
    free_run(&r);
    r = replay(2, "extra", NULL);
    free_run(&r);
    r = replay(3, "-X", "topic.transfers=itrp-no-such-topic", NULL);
    assert_non_null(strstr(r.err, "interdict replay: topic itrp-no-such-topic on "));
    assert_string_equal(r.out, "");
    free_run(&r);
    assert_tmp_empty();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_compare_set),
        cmocka_unit_test(test_compare_file_json),
        cmocka_unit_test(test_json_evidence),
        cmocka_unit_test(test_range_by_time),
        cmocka_unit_test(test_range_by_offset),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
