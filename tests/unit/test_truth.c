/* test_truth.c - detection quality against the ground truth: a small
 * hand-made truth and request set of each profile, every measure counted
 * exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "truth.h"

#define HOUR_MS 3600000LL

static void add_line(truth *t, const char *line)
{
    char errstr[256];
    if (truth_add_instance(t, line, strlen(line), errstr, sizeof(errstr)) != 0)
        fail_msg("%s: %s", line, errstr);
}

static int add_request(truth *t, const char *json)
{
    return truth_add_request(t, json, strlen(json));
}

/* A request on `account`: its action, trigger (id, time), and findings as
 * JSON text. */
static void request(truth *t, const char *id, const char *account, const char *action,
                    const char *trigger, const char *time, const char *findings)
{
    char buf[2048];
    snprintf(buf, sizeof(buf),
             "{\"version\":1,\"request_id\":\"%s\",\"rule_set\":\"t\",\"account\":\"%s\","
             "\"bank\":\"ICBKCNBJ\",\"action\":\"%s\",\"score\":50,\"trigger\":{\"id\":\"%s\","
             "\"amount\":100,\"currency\":\"CNY\",\"event_time\":\"%s\"},"
             "\"detected_at\":\"%s\",\"findings\":[%s]}",
             id, account, action, trigger, time, time, findings);
    assert_int_equal(add_request(t, buf), 0);
}

/* A finding citing `code` with evidence transfers (a JSON list of ids). */
#define FINDING(code, ids)                                                                         \
    "{\"rule\":\"r\",\"code\":\"" code "\",\"score\":50,\"amount\":100,\"path\":[],"               \
    "\"evidence\":[" ids "],\"figures\":[]}"
#define EV(id)                                                                                     \
    "{\"transfer_id\":\"" id "\",\"from_account\":\"A\",\"to_account\":\"B\",\"amount\":1,"        \
    "\"time\":\"2026-11-01T00:00:00.000Z\"}"

static const char *const realistic_truth[] = {
    "{\"kind\":\"attempt\",\"pattern\":\"fan_in\",\"instance\":\"fan_in-0001\",\"size\":"
    "\"small\",\"degree\":2,\"speed\":\"fast\",\"accounts\":[{\"account\":\"C\",\"role\":"
    "\"collector\",\"flag\":true},{\"account\":\"S1\",\"role\":\"sender\",\"flag\":true},"
    "{\"account\":\"S2\",\"role\":\"sender\",\"flag\":true}],\"transfers\":[\"T1\",\"T2\","
    "\"T3\"],\"start\":\"2026-11-01T00:00:00.000Z\",\"end\":\"2026-11-01T05:00:00.000Z\"}",
    "{\"kind\":\"attempt\",\"pattern\":\"chain\",\"instance\":\"chain-0001\",\"size\":\"medium\","
    "\"degree\":5,\"speed\":\"medium\",\"accounts\":[{\"account\":\"O\",\"role\":\"origin\","
    "\"flag\":true},{\"account\":\"H1\",\"role\":\"hop\",\"flag\":true},{\"account\":\"H2\","
    "\"role\":\"hop\",\"flag\":true},{\"account\":\"E\",\"role\":\"end\",\"flag\":true}],"
    "\"transfers\":[\"T4\",\"T5\",\"T6\",\"T7\",\"T8\"],\"start\":\"2026-11-02T00:00:00.000Z\","
    "\"end\":\"2026-11-03T00:00:00.000Z\"}",
    "{\"kind\":\"attempt\",\"pattern\":\"passthrough\",\"instance\":\"passthrough-0001\","
    "\"size\":\"small\",\"degree\":2,\"speed\":\"fast\",\"accounts\":[{\"account\":\"M\","
    "\"role\":\"mule\",\"flag\":true},{\"account\":\"V\",\"role\":\"victim\",\"flag\":false}],"
    "\"transfers\":[\"T10\",\"T11\"],\"start\":\"2026-11-03T00:00:00.000Z\","
    "\"end\":\"2026-11-03T01:00:00.000Z\"}",
    "{\"kind\":\"attempt\",\"pattern\":\"fan_in\",\"instance\":\"fan_in-0002\",\"size\":"
    "\"small\",\"degree\":2,\"speed\":\"slow\",\"accounts\":[{\"account\":\"C4\",\"role\":"
    "\"collector\",\"flag\":true},{\"account\":\"V4\",\"role\":\"sender\",\"flag\":false}],"
    "\"transfers\":[\"T12\",\"T13\",\"T14\"],\"start\":\"2026-11-04T00:00:00.000Z\","
    "\"end\":\"2026-11-09T00:00:00.000Z\"}",
    "{\"kind\":\"lookalike\",\"lookalike\":\"landlord\",\"resembles\":\"fan_in\",\"instance\":"
    "\"landlord-0001\",\"size\":\"small\",\"degree\":2,\"speed\":\"slow\",\"accounts\":["
    "{\"account\":\"LL\",\"role\":\"landlord\",\"flag\":false},{\"account\":\"TN\",\"role\":"
    "\"tenant\",\"flag\":false}],\"transfers\":[\"T20\",\"T21\"],"
    "\"start\":\"2026-11-05T00:00:00.000Z\",\"end\":\"2026-11-08T00:00:00.000Z\"}",
};

/* The requests of the realistic set; the comments say what each tests. */
static void realistic_requests(truth *t)
{
    /* A REVIEW on the collector citing one of its transfers: caught (any). */
    request(t, "R1", "C", "REVIEW", "T99", "2026-11-01T01:00:00.000Z", FINDING("FI01", EV("T2")));
    /* A HOLD on it citing only other transfers: right, but no catch. */
    request(t, "R2", "C", "HOLD", "T98", "2026-11-01T02:00:00.000Z", FINDING("FI01", EV("T97")));
    /* The chain's trigger: caught by a FREEZE; a code cited twice counts once. */
    request(t, "R3", "H2", "FREEZE", "T6", "2026-11-02T06:00:00.000Z",
            FINDING("CH01", "") "," FINDING("CH01", "") "," FINDING("PT01", ""));
    /* Wrong: a look-alike, a victim, the background. */
    request(t, "R4", "LL", "HOLD", "T20", "2026-11-05T01:00:00.000Z", FINDING("FI01", ""));
    request(t, "R5", "V", "FREEZE", "T10", "2026-11-03T00:10:00.000Z", FINDING("PT01", ""));
    request(t, "R6", "X", "HOLD", "T500", "2026-11-06T00:00:00.000Z", FINDING("FI01", ""));
    /* R3 again: a duplicate, judged again. */
    request(t, "R3", "H2", "FREEZE", "T6", "2026-11-02T06:00:00.000Z",
            FINDING("CH01", "") "," FINDING("CH01", "") "," FINDING("PT01", ""));
    assert_int_equal(add_request(t, "not json"), 1);
    /* A REVIEW on an innocent account. */
    request(t, "R9", "X2", "REVIEW", "T501", "2026-11-06T00:00:00.000Z", FINDING("ST01", ""));
    /* The short attempt caught. */
    request(t, "R10", "M", "FREEZE", "T11", "2026-11-03T00:30:00.000Z", FINDING("PT01", ""));
    /* The chain caught earlier, by a HOLD citing its evidence. */
    request(t, "R11", "H1", "HOLD", "T100", "2026-11-02T03:00:00.000Z", FINDING("CH01", EV("T5")));
    assert_int_equal(add_request(t, "{\"request_id\":\"R12\",\"account\":\"C\",\"findings\":[]}"),
                     1);
}

static truth *realistic_set(void)
{
    truth *t = truth_new(1000);
    assert_non_null(t);
    for (size_t k = 0; k < sizeof(realistic_truth) / sizeof(realistic_truth[0]); k++)
        add_line(t, realistic_truth[k]);
    realistic_requests(t);
    assert_true(truth_realistic(t));
    return t;
}

static void check_cell(const truth *t, scn_pattern p, scn_size z, int attempts, int caught,
                       int hold, int shorts, int short_caught, int64_t median, int64_t median_hold)
{
    truth_cell c;
    truth_cell_get(t, p, z, &c);
    assert_int_equal(c.attempts, attempts);
    assert_int_equal(c.caught, caught);
    assert_int_equal(c.caught_hold, hold);
    assert_int_equal(c.short_attempts, shorts);
    assert_int_equal(c.short_caught, short_caught);
    assert_int_equal(c.median_ms, median);
    assert_int_equal(c.median_hold_ms, median_hold);
}

static void test_realistic_recall(void **state)
{
    (void)state;
    truth *t = realistic_set();
    truth_totals x;
    truth_totals_get(t, &x);
    assert_int_equal(x.attempts, 4);
    assert_int_equal(x.counted, 3);
    assert_int_equal(x.caught, 2);
    assert_int_equal(x.caught_hold, 1);
    assert_int_equal(x.lookalikes, 1);
    assert_int_equal(x.median_ms, HOUR_MS);
    assert_int_equal(x.median_hold_ms, 3 * HOUR_MS);
    check_cell(t, SCN_FAN_IN, SCN_SIZE_SMALL, 2, 1, 0, 0, 0, HOUR_MS, -1);
    check_cell(t, SCN_CHAIN, SCN_SIZE_MEDIUM, 1, 1, 1, 0, 0, 3 * HOUR_MS, 3 * HOUR_MS);
    check_cell(t, SCN_PASSTHROUGH, SCN_SIZE_SMALL, 0, 0, 0, 1, 1, -1, -1);
    check_cell(t, SCN_CYCLE, SCN_SIZE_SMALL, 0, 0, 0, 0, 0, -1, -1);
    truth_destroy(t);
}

static void check_code(const truth *t, int i, const char *name, int64_t review, int64_t hold,
                       int64_t freeze, int64_t right, int64_t part, int64_t alike, int64_t bg)
{
    truth_code c;
    truth_code_get(t, i, &c);
    assert_string_equal(c.code, name);
    assert_int_equal(c.review, review);
    assert_int_equal(c.hold, hold);
    assert_int_equal(c.freeze, freeze);
    assert_int_equal(c.right, right);
    assert_int_equal(c.on_participant, part);
    assert_int_equal(c.on_lookalike, alike);
    assert_int_equal(c.on_background, bg);
}

static void test_realistic_precision(void **state)
{
    (void)state;
    truth *t = realistic_set();
    truth_totals x;
    truth_totals_get(t, &x);
    assert_int_equal(x.requests, 10);
    assert_int_equal(x.review, 2);
    assert_int_equal(x.hold, 4);
    assert_int_equal(x.freeze, 4);
    assert_int_equal(x.duplicates, 1);
    assert_int_equal(x.unreadable, 2);
    assert_int_equal(x.hf_right, 5);
    assert_int_equal(x.hf_participant, 1);
    assert_int_equal(x.hf_lookalike, 1);
    assert_int_equal(x.hf_background, 1);
    assert_int_equal(truth_code_count(t), 4);
    check_code(t, 0, "FI01", 1, 3, 0, 1, 0, 1, 1);
    check_code(t, 1, "CH01", 0, 1, 2, 3, 0, 0, 0);
    check_code(t, 2, "PT01", 0, 0, 4, 3, 1, 0, 0);
    check_code(t, 3, "ST01", 1, 0, 0, 0, 0, 0, 0);
    /* Nine accounts flagged; three innocent ones held, one reviewed. */
    assert_int_equal(x.accounts, 1000);
    assert_int_equal(x.flagged, 9);
    assert_int_equal(x.innocent, 991);
    assert_int_equal(x.innocent_held, 3);
    assert_int_equal(x.innocent_reviewed, 1);
    truth_alike a;
    truth_alike_get(t, SCN_ALIKE_LANDLORD, &a);
    assert_int_equal(a.instances, 1);
    assert_int_equal(a.accounts, 2);
    assert_int_equal(a.held, 1);
    assert_int_equal(a.reviewed, 0);
    truth_alike_get(t, SCN_ALIKE_PAYROLL, &a);
    assert_int_equal(a.instances + a.accounts, 0);
    truth_destroy(t);
}

/* The text a writer produced. */
static char *written(const truth *t, void (*fn)(const truth *, FILE *))
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    fn(t, f);
    fclose(f);
    return buf;
}

static void test_realistic_reports(void **state)
{
    (void)state;
    truth *t = realistic_set();
    char *s = written(t, truth_write_summary), *md = written(t, truth_write_markdown);
    static const char *const want[] = {"profile realistic\n",
                                       "\nattempts 4\n",
                                       "\ncounted 3\n",
                                       "\ncaught 2\n",
                                       "\nrecall 0.667\n",
                                       "\nrecall_hold 0.333\n",
                                       "\nworst_cell_recall 0.500\n",
                                       "\nworst_cell fan_in/small\n",
                                       "\nworst_cell_recall_hold 0.000\n",
                                       "\nprecision 0.625\n",
                                       "\nworst_precision 0.333\n",
                                       "\nworst_precision_code FI01\n",
                                       "\ninnocent_held 3\n",
                                       "\nfalse_hold_per_100k 302.7\n",
                                       "\nreview_pct 0.101\n",
                                       "\nmedian_first_request_s 3600\n",
                                       "\nmedian_first_hold_s 10800\n",
                                       "\nduplicates 1\n",
                                       "\nunreadable 2\n"};
    for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++)
        if (!strstr(s, want[k]))
            fail_msg("summary lacks \"%s\":\n%s", want[k], s);
    assert_non_null(
        strstr(md, "| fan_in | small | 2 | 1 | 0.50 | 0 | 0.00 | 60 min | – | 0 / 0 |"));
    assert_non_null(
        strstr(md, "| chain | medium | 1 | 1 | 1.00 | 1 | 1.00 | 3.0 h | 3.0 h | 0 / 0 |"));
    assert_non_null(strstr(md, "| passthrough | small | 0 | 0 | – | 0 | – | – | – | 1 / 1 |"));
    assert_non_null(strstr(md, "| PT01 | 0 | 0 | 4 | 3 | 1 | 0 | 0 | 0.750 |"));
    assert_non_null(strstr(md, "| **all** | 2 | 4 | 4 | 5 | 1 | 1 | 1 | **0.625** |"));
    assert_non_null(strstr(md, "| 1000 | 9 | 991 | 3 | 302.7 | 1 | 0.101 % |"));
    assert_non_null(strstr(md, "| landlord | fan_in | 1 | 2 | 1 | 0 |"));
    free(s);
    free(md);
    truth_destroy(t);
}

/* Classic truth: the measures the benchmark always had. A request on any
 * account of a planted instance is right; any request on a flagged
 * account catches; near misses are not planted. */
static void test_classic(void **state)
{
    (void)state;
    truth *t = truth_new(0);
    add_line(t, "{\"pattern\":\"fan_in\",\"instance\":\"fan_in-0001\",\"near_miss\":false,"
                "\"accounts\":[{\"account\":\"K\",\"role\":\"collector\",\"flag\":true},"
                "{\"account\":\"Q\",\"role\":\"sender\",\"flag\":false}],\"transfers\":[\"T1\"],"
                "\"start\":\"2026-11-01T00:00:00.000Z\",\"end\":\"2026-11-01T00:00:00.000Z\"}");
    add_line(t, "{\"pattern\":\"cycle\",\"instance\":\"cycle-0001\",\"near_miss\":false,"
                "\"accounts\":[{\"account\":\"Y1\",\"role\":\"cycle\",\"flag\":true},"
                "{\"account\":\"Y2\",\"role\":\"cycle\",\"flag\":true}],\"transfers\":[\"T2\"],"
                "\"start\":\"2026-11-01T00:00:00.000Z\",\"end\":\"2026-11-01T00:00:00.000Z\"}");
    add_line(t, "{\"pattern\":\"fan_in\",\"instance\":\"fan_in-0002\",\"near_miss\":true,"
                "\"violates\":\"fan_in.senders_min\",\"limit\":10,\"accounts\":[{\"account\":"
                "\"NN\",\"role\":\"collector\",\"flag\":false}],\"transfers\":[\"T3\"],"
                "\"start\":\"2026-11-01T00:00:00.000Z\",\"end\":\"2026-11-01T00:00:00.000Z\"}");
    assert_false(truth_realistic(t));
    request(t, "a", "Q", "HOLD", "T9", "2026-11-01T00:00:00.000Z", FINDING("FI01", ""));
    request(t, "b", "NN", "HOLD", "T3", "2026-11-01T00:00:00.000Z", FINDING("FI01", ""));
    request(t, "c", "Y2", "FREEZE", "T9", "2026-11-01T00:00:00.000Z", FINDING("CY01", ""));
    request(t, "d", "Z", "FREEZE", "T9", "2026-11-01T00:00:00.000Z", FINDING("FO01", ""));
    truth_totals x;
    truth_totals_get(t, &x);
    assert_int_equal(x.classic_planted, 2);
    assert_int_equal(x.classic_caught, 1);
    assert_int_equal(x.requests, 4);
    assert_int_equal(x.classic_right, 2);
    assert_int_equal(x.hf_near, 1);
    truth_code c;
    truth_code_get(t, 0, &c);
    assert_string_equal(c.code, "FI01");
    assert_int_equal(c.requests, 2);
    assert_int_equal(c.classic_right, 1);
    char *s = written(t, truth_write_summary), *md = written(t, truth_write_markdown);
    assert_string_equal(s, "planted 2\ncaught 1\nrecall 0.500\nrequests 4\nright 2\n"
                           "precision 0.500\nduplicates 0\nunreadable 0\nworst_recall 0.000\n"
                           "worst_recall_pattern fan_in\nworst_precision 0.000\n"
                           "worst_precision_code FO01\n");
    assert_non_null(strstr(md, "| fan_in | 1 | 0 | 0.00 | FI01 | 2 | 1 | 0.500 |\n"));
    assert_non_null(strstr(md, "| cycle | 1 | 1 | 1.00 | CY01 | 1 | 1 | 1.000 |\n"));
    assert_non_null(strstr(md, "| fan_out | 0 | 0 | 1.00 | FO01 | 1 | 0 | 0.000 |\n"));
    assert_non_null(strstr(md, "| **all** | 2 | 1 | **0.500** | | 4 requests | 2 | **0.500** |\n"));
    free(s);
    free(md);
    truth_destroy(t);
    /* Every code right: the weakest is the first one, as it always was. */
    t = truth_new(0);
    add_line(t, "{\"pattern\":\"cycle\",\"instance\":\"cycle-0001\",\"near_miss\":false,"
                "\"accounts\":[{\"account\":\"Y1\",\"role\":\"cycle\",\"flag\":true}],"
                "\"transfers\":[\"T2\"],\"start\":\"2026-11-01T00:00:00.000Z\",\"end\":"
                "\"2026-11-01T00:00:00.000Z\"}");
    request(t, "e", "Y1", "FREEZE", "T2", "2026-11-01T00:00:00.000Z", FINDING("CY01", ""));
    request(t, "f", "Y1", "FREEZE", "T2", "2026-11-01T00:00:00.000Z", FINDING("BP01", ""));
    s = written(t, truth_write_summary);
    assert_non_null(strstr(s, "\nworst_precision 1.000\nworst_precision_code CY01\n"));
    free(s);
    truth_destroy(t);
}

static void test_bad_lines(void **state)
{
    (void)state;
    char errstr[256];
    truth *t = truth_new(0);
    static const char *const bad[] = {
        "{",
        "{\"pattern\":\"nope\",\"accounts\":[],\"transfers\":[],\"start\":\"2026-11-01T00:00:"
        "00Z\"}",
        "{\"kind\":\"attempt\",\"pattern\":\"fan_in\",\"accounts\":[],\"transfers\":[],"
        "\"start\":\"2026-11-01T00:00:00Z\"}", /* no size */
        "{\"kind\":\"lookalike\",\"lookalike\":\"nope\",\"accounts\":[],\"transfers\":[],"
        "\"start\":\"2026-11-01T00:00:00Z\"}",
        "{\"pattern\":\"fan_in\",\"accounts\":[],\"transfers\":[]}", /* no start */
    };
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        errstr[0] = '\0';
        assert_int_equal(truth_add_instance(t, bad[k], strlen(bad[k]), errstr, sizeof(errstr)), -1);
        assert_non_null(strstr(errstr, "not a truth line"));
    }
    truth_totals x;
    truth_totals_get(t, &x);
    assert_int_equal(x.attempts + x.classic_planted + x.lookalikes, 0);
    truth_destroy(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_realistic_recall),  cmocka_unit_test(test_realistic_precision),
        cmocka_unit_test(test_realistic_reports), cmocka_unit_test(test_classic),
        cmocka_unit_test(test_bad_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
