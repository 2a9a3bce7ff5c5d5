/* test_replay.c - `interdict replay` without a broker: its options, and the
 * report of two runs compared by account and reason code (exact text, and
 * the JSON's lists). The whole command runs against the real broker in
 * tests/integration/it_replay.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "replay.h"
#include "replay_int.h"

static void test_bounds(void **state)
{
    (void)state;
    char errstr[256];
    replay_bound b;
    assert_int_equal(replay_parse_bound("--from", "42", &b, errstr, sizeof(errstr)), 0);
    assert_int_equal(b.kind, REPLAY_BOUND_OFFSET);
    assert_int_equal(b.value, 42);
    assert_int_equal(replay_parse_bound("--to", "2026-11-20T09:00:00Z", &b, errstr, sizeof(errstr)),
                     0);
    assert_int_equal(b.kind, REPLAY_BOUND_TIME);
    assert_int_equal(b.value, 1795165200000LL);
    static const char *const bad[] = {"-1", "", "12x", "yesterday", "2026-11-20", "+3"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(replay_parse_bound("--from", bad[i], &b, errstr, sizeof(errstr)), -1);
        assert_non_null(strstr(errstr, ": expected an offset (0, 1, ...) or an RFC 3339 time"));
    }
}

/* An inverted range is a usage error (exit 2), found before any broker is
 * asked: the configuration points at none. (An empty one, from == to, is
 * not: it_replay replays it to nothing.) */
static void test_inverted_range(void **state)
{
    (void)state;
    char errstr[256];
    cfg c;
    volatile sig_atomic_t run = 1;
    assert_int_equal(cfg_init(&c, errstr, sizeof(errstr)), 0);
    replay_opts o;
    static const struct {
        replay_bound from, to;
    } bad[] = {
        {{REPLAY_BOUND_OFFSET, 500}, {REPLAY_BOUND_OFFSET, 100}},
        {{REPLAY_BOUND_OFFSET, 101}, {REPLAY_BOUND_OFFSET, 100}},
        {{REPLAY_BOUND_TIME, 1795165200000LL}, {REPLAY_BOUND_TIME, 1795165100000LL}},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(&o, 0, sizeof(o));
        o.from = bad[i].from;
        o.to = bad[i].to;
        assert_int_equal(replay_run(&c, &o, NULL, &run, stdout, stderr, errstr, sizeof(errstr)),
                         -2);
        assert_string_equal(errstr, "--from is after --to: the range [from, to) is inverted");
    }
    cfg_free(&c);
}

static void test_sets(void **state)
{
    (void)state;
    char errstr[256], kv[REPLAY_SETS_MAX + 1][32];
    replay_opts o;
    memset(&o, 0, sizeof(o));
    assert_int_equal(replay_add_set(&o, "rules.fanin.min.senders=12", errstr, sizeof(errstr)), 0);
    assert_int_equal(replay_add_set(&o, "action.hold.score=40", errstr, sizeof(errstr)), 0);
    assert_int_equal(replay_add_set(&o, "rule.set=next", errstr, sizeof(errstr)), 0);
    assert_int_equal(replay_add_set(&o, "incident.cooldown=1h", errstr, sizeof(errstr)), 0);
    assert_int_equal(o.nsets, 4);
    assert_int_equal(replay_add_set(&o, "state.dir=/tmp/x", errstr, sizeof(errstr)), -1);
    assert_string_equal(errstr, "--set state.dir: only rules.*, action.*, rule.set and "
                                "incident.cooldown can differ between the two runs");
    assert_int_equal(replay_add_set(&o, "rules.fanin.enabled", errstr, sizeof(errstr)), -1);
    assert_string_equal(errstr, "--set rules.fanin.enabled: expected KEY=VALUE");
    assert_int_equal(replay_add_set(&o, "=1", errstr, sizeof(errstr)), -1);
    for (int i = o.nsets; i < REPLAY_SETS_MAX; i++) {
        snprintf(kv[i], sizeof(kv[i]), "rule.set=r%d", i);
        assert_int_equal(replay_add_set(&o, kv[i], errstr, sizeof(errstr)), 0);
    }
    assert_int_equal(replay_add_set(&o, "rule.set=one-too-many", errstr, sizeof(errstr)), -1);
    assert_int_equal(replay_rule_key("rules.trace.depth"), 1);
    assert_int_equal(replay_rule_key("brokers"), 0);
}

/* ---- the report of two runs --------------------------------------------- */

static rp_req req(const char *account, ix_action action, const char *code1, const char *code2)
{
    rp_req q;
    memset(&q, 0, sizeof(q));
    snprintf(q.account, sizeof(q.account), "%s", account);
    snprintf(q.bank, sizeof(q.bank), "ICBKCNBJ");
    snprintf(q.id, sizeof(q.id), "fr-%s", account);
    q.action = action;
    q.score = action == IX_ACTION_FREEZE ? 100 : 60;
    snprintf(q.codes[q.ncodes++], RP_CODE_MAX, "%s", code1);
    if (code2)
        snprintf(q.codes[q.ncodes++], RP_CODE_MAX, "%s", code2);
    return q;
}

static rp_req g_a[3], g_b[3];
static int32_t g_part[4] = {0, 1, 2, 3};
static int64_t g_start[4] = {0, 0, 0, 0}, g_end[4] = {3, 3, 4, 2};
static rp_run g_runs[2];
static rp_input g_in;

/* A: S structures (HOLD), W is paid by a watch-listed account (FREEZE), M is
 * a pass-through and a fan-in (HOLD). B: stricter structuring, a fan-in
 * scored higher (M FREEZE), and a new fan-out on F. */
static void build(void)
{
    g_a[0] = req("6222000000000001", IX_ACTION_HOLD, "ST01", NULL);
    g_a[1] = req("6281799000000499", IX_ACTION_FREEZE, "WL01", NULL);
    g_a[2] = req("6222000000000004", IX_ACTION_HOLD, "PT01", "FI01");
    g_b[0] = req("6281799000000499", IX_ACTION_FREEZE, "WL01", NULL);
    g_b[1] = req("6222000000000004", IX_ACTION_FREEZE, "FI01", "PT01");
    g_b[2] = req("6222000000000009", IX_ACTION_REVIEW, "FO01", NULL);
    for (int i = 0; i < 2; i++) {
        rp_run *r = &g_runs[i];
        snprintf(r->label, sizeof(r->label), "%s", i ? "B" : "A");
        snprintf(r->desc, sizeof(r->desc), "%s", i ? "--set rules.fanin.score=90" : "x.conf");
        r->c.rule_set = (char *)"2026.11-1";
        r->reqs = i ? g_b : g_a;
        r->nreqs = 3;
        r->screened = 11;
        r->traced = 1;
        r->held = i ? 0 : 2;
        r->verdicts = 1;
        r->refused = i;
    }
    /* findings by rule: watchlist 1, structuring 2 (A only), passthrough 1,
     * fanin 1, fanout 1 (B only); indexes as in rules_table */
    for (int i = 0; rules_table[i]; i++) {
        const char *n = rules_table[i]->name;
        g_runs[0].hits[i] =
            !strcmp(n, "watchlist") || !strcmp(n, "passthrough") || !strcmp(n, "fanin") ? 1
            : !strcmp(n, "structuring")                                                 ? 2
                                                                                        : 0;
        g_runs[1].hits[i] = !strcmp(n, "watchlist") || !strcmp(n, "passthrough") ||
                            !strcmp(n, "fanin") || !strcmp(n, "fanout");
    }
    g_in.transfers.topic = "tx";
    g_in.transfers.n = 4;
    g_in.transfers.part = g_part;
    g_in.transfers.start = g_start;
    g_in.transfers.end = g_end;
    g_in.transfers.messages = 12;
    g_in.reports.topic = "rep";
    g_in.reports.messages = 1;
    g_in.profiles = 8;
    g_in.watch = 1;
    g_in.allows = 2;
    g_in.verdicts_read = 1;
    g_in.desk_rejected = 1;
    g_in.rejected[RSN_MALFORMED] = 1;
    g_in.rejected_total = 1;
    g_in.first_event_ms = 1795165200000LL;
    g_in.last_event_ms = 1795183200000LL;
}

static char *report(int json)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_non_null(m);
    if (json)
        assert_int_equal(rp_report_json(&g_in, g_runs, 2, "CNY", m), 0);
    else
        rp_report_text(&g_in, g_runs, 2, "CNY", m);
    fclose(m);
    return buf;
}

static const char WANT[] =
    "replay: 11 transfers and 1 fraud report, event times 2026-11-20T09:00:00.000Z .. "
    "2026-11-20T14:00:00.000Z\n"
    "  transfers      tx: read 12 from 4 partitions, screened 11, duplicates 0, rejected 1, "
    "other currency 0\n"
    "  rejected       malformed 1\n"
    "  fraud reports  rep: read 1, traced 1, transfer not screened 0, rejected 0\n"
    "  tables         profiles 8, watch-list entries 1, removals 0, rejected 0\n"
    "  desk           allow-list entries 2, removals 0, verdicts 1, rejected 1\n"
    "\n"
    "A: x.conf (rule set 2026.11-1)\n"
    "  3 requests on 3 accounts: FREEZE 1, HOLD 2, REVIEW 0\n"
    "  desk: 2 findings held back, 1 verdict applied, 0 refused\n"
    "  rule              findings  requests  FREEZE    HOLD  REVIEW\n"
    "  watchlist                1         1       1       0       0\n"
    "  structuring              2         1       0       1       0\n"
    "  passthrough              1         1       0       1       0\n"
    "  fanin                    1         1       0       1       0\n"
    "  accounts flagged\n"
    "    FREEZE  6281799000000499      ICBKCNBJ     1 request   WL01\n"
    "    HOLD    6222000000000001      ICBKCNBJ     1 request   ST01\n"
    "    HOLD    6222000000000004      ICBKCNBJ     1 request   PT01 FI01\n"
    "\n"
    "B: --set rules.fanin.score=90 (rule set 2026.11-1)\n"
    "  3 requests on 3 accounts: FREEZE 2, HOLD 0, REVIEW 1\n"
    "  desk: 0 findings held back, 1 verdict applied, 1 refused\n"
    "  rule              findings  requests  FREEZE    HOLD  REVIEW\n"
    "  watchlist                1         1       1       0       0\n"
    "  passthrough              1         1       1       0       0\n"
    "  fanin                    1         1       1       0       0\n"
    "  fanout                   1         1       0       0       1\n"
    "  accounts flagged\n"
    "    FREEZE  6222000000000004      ICBKCNBJ     1 request   FI01 PT01\n"
    "    FREEZE  6281799000000499      ICBKCNBJ     1 request   WL01\n"
    "    REVIEW  6222000000000009      ICBKCNBJ     1 request   FO01\n"
    "\n"
    "A against B, by account and reason code\n"
    "  only in A: 1\n"
    "    HOLD    6222000000000001      ST01\n"
    "  only in B: 1\n"
    "    REVIEW  6222000000000009      FO01\n"
    "  in both: 3\n"
    "    HOLD    6222000000000004      FI01  (B: FREEZE)\n"
    "    HOLD    6222000000000004      PT01  (B: FREEZE)\n"
    "    FREEZE  6281799000000499      WL01\n";

static void test_text(void **state)
{
    (void)state;
    char *got = report(0);
    if (strcmp(got, WANT) != 0)
        fail_msg("expected:\n%s\ngot:\n%s", WANT, got);
    free(got);
}

static void test_json(void **state)
{
    (void)state;
    char *got = report(1);
    json_error_t jerr;
    json_t *root = json_loads(got, 0, &jerr);
    assert_non_null(root);
    json_t *cmp = json_object_get(root, "comparison");
    json_t *only_b = json_object_get(cmp, "only_b"), *both = json_object_get(cmp, "both");
    assert_int_equal(json_array_size(json_object_get(cmp, "only_a")), 1);
    assert_int_equal(json_array_size(only_b), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(only_b, 0), "code")),
                        "FO01");
    assert_null(json_object_get(json_array_get(only_b, 0), "action_a"));
    assert_int_equal(json_array_size(both), 3);
    json_t *fi = json_array_get(both, 0);
    assert_string_equal(json_string_value(json_object_get(fi, "action_a")), "HOLD");
    assert_string_equal(json_string_value(json_object_get(fi, "action_b")), "FREEZE");
    json_t *a = json_array_get(json_object_get(root, "runs"), 0);
    assert_int_equal(json_integer_value(json_object_get(a, "request_count")), 3);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(a, "desk"), "held")), 2);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(json_object_get(root, "input"), "desk"), "verdicts")),
                     1);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(json_object_get(root, "input"), "transfers"), "read")),
                     12);
    json_t *parts =
        json_object_get(json_object_get(json_object_get(root, "input"), "transfers"), "partitions");
    assert_int_equal(json_array_size(parts), 4);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(parts, 2), "to")), 4);
    json_decref(root);
    free(got);
}

int main(void)
{
    build();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bounds), cmocka_unit_test(test_inverted_range),
        cmocka_unit_test(test_sets),   cmocka_unit_test(test_text),
        cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
