/* test_desk.c - the desk's set: an allow-listed account or pair holds back
 * exactly the findings it covers, until it expires; a dismissed request
 * suppresses its rule for its account until the event time passes and the
 * rule fires again after; expiry and tombstones remove what they should. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "desk.h"

#define DAY_MS (24LL * 3600 * 1000)

static desk_allow pair(const char *from, const char *to, int either_way)
{
    desk_allow e;
    memset(&e, 0, sizeof(e));
    strcpy(e.account, from);
    strcpy(e.counterparty, to);
    e.either_way = either_way;
    strcpy(e.reason, "payroll of the account's employer");
    e.expires_ms = DESK_NO_EXPIRY;
    return e;
}

static void test_account_entry_covers_its_rules_only(void **state)
{
    (void)state;
    desk_set d = {0};
    desk_allow e = pair("DE01MERCHANT", "", 0);
    e.n_rules = 1;
    strcpy(e.rules[0], "fan_in");
    assert_int_equal(desk_allow_put(&d, &e), 0);
    assert_int_equal(desk_check(&d, "DE01MERCHANT", "DE02PAYER", "fan_in", 0), DESK_ALLOWED);
    assert_int_equal(desk_check(&d, "DE01MERCHANT", "DE02PAYER", "pass_through", 0), DESK_NONE);
    assert_int_equal(desk_check(&d, "DE02PAYER", "DE01MERCHANT", "fan_in", 0), DESK_NONE);
    desk_free(&d);
}

static void test_pair_ordered_and_unordered(void **state)
{
    (void)state;
    desk_set d = {0};
    desk_allow ordered = pair("DE01A", "DE01B", 0);
    desk_allow unordered = pair("DE01C", "DE01D", 1);
    assert_int_equal(desk_allow_put(&d, &ordered), 0);
    assert_int_equal(desk_allow_put(&d, &unordered), 0);
    assert_int_equal(desk_check(&d, "DE01A", "DE01B", "cycle", 0), DESK_ALLOWED);
    assert_int_equal(desk_check(&d, "DE01B", "DE01A", "cycle", 0), DESK_NONE);
    assert_int_equal(desk_check(&d, "DE01A", "DE01X", "cycle", 0), DESK_NONE);
    assert_int_equal(desk_check(&d, "DE01A", NULL, "cycle", 0), DESK_NONE);
    assert_int_equal(desk_check(&d, "DE01C", "DE01D", "cycle", 0), DESK_ALLOWED);
    assert_int_equal(desk_check(&d, "DE01D", "DE01C", "cycle", 0), DESK_ALLOWED);
    desk_free(&d);
}

static void test_put_replaces_and_tombstone_removes(void **state)
{
    (void)state;
    desk_set d = {0};
    desk_allow e = pair("DE01A", "DE01B", 0);
    assert_int_equal(desk_allow_put(&d, &e), 0);
    e.n_rules = 1;
    strcpy(e.rules[0], "fan_out");
    assert_int_equal(desk_allow_put(&d, &e), 0); /* same key: replaced, not added */
    assert_int_equal(d.allow.n, 1);
    assert_int_equal(desk_check(&d, "DE01A", "DE01B", "cycle", 0), DESK_NONE);
    assert_int_equal(desk_check(&d, "DE01A", "DE01B", "fan_out", 0), DESK_ALLOWED);
    assert_int_equal(desk_allow_del(&d, "DE01A", "DE01B"), 1);
    assert_int_equal(desk_allow_del(&d, "DE01A", "DE01B"), 0);
    assert_int_equal(desk_check(&d, "DE01A", "DE01B", "fan_out", 0), DESK_NONE);
    desk_free(&d);
}

static void test_allow_expires_in_event_time(void **state)
{
    (void)state;
    desk_set d = {0};
    desk_allow e = pair("DE01A", "", 0);
    e.expires_ms = 10 * DAY_MS;
    assert_int_equal(desk_allow_put(&d, &e), 0);
    assert_int_equal(desk_check(&d, "DE01A", "DE01B", "fan_in", 10 * DAY_MS - 1), DESK_ALLOWED);
    assert_int_equal(desk_check(&d, "DE01A", "DE01B", "fan_in", 10 * DAY_MS), DESK_NONE);
    assert_int_equal(desk_expire(&d, 10 * DAY_MS - 1), 0);
    assert_int_equal(desk_expire(&d, 10 * DAY_MS), 1);
    assert_int_equal(d.allow.n, 0);
    desk_free(&d);
}

static void test_dismissal_suppresses_until_time_passes(void **state)
{
    (void)state;
    desk_set d = {0};
    int64_t at = 100 * DAY_MS, until = at + 30 * DAY_MS;
    assert_int_equal(desk_dismiss(&d, "DE01MULE", "fan_in", "req-1", until), 0);
    assert_int_equal(desk_check(&d, "DE01MULE", "DE01X", "fan_in", at), DESK_DISMISSED);
    assert_int_equal(desk_check(&d, "DE01MULE", "DE01X", "fan_in", until - 1), DESK_DISMISSED);
    assert_int_equal(desk_check(&d, "DE01MULE", "DE01X", "fan_in", until), DESK_NONE);
    assert_int_equal(desk_check(&d, "DE01MULE", "DE01X", "fan_out", at), DESK_NONE);
    assert_int_equal(desk_check(&d, "DE01OTHER", "DE01X", "fan_in", at), DESK_NONE);
    /* an earlier second dismissal never shortens; a later one extends */
    assert_int_equal(desk_dismiss(&d, "DE01MULE", "fan_in", "req-0", until - DAY_MS), 0);
    assert_int_equal(d.suppress.n, 1);
    assert_string_equal(((desk_suppress *)d.suppress.p)[0].request_id, "req-1");
    assert_int_equal(desk_dismiss(&d, "DE01MULE", "fan_in", "req-2", until + DAY_MS), 0);
    assert_int_equal(desk_check(&d, "DE01MULE", "DE01X", "fan_in", until), DESK_DISMISSED);
    assert_string_equal(((desk_suppress *)d.suppress.p)[0].request_id, "req-2");
    assert_int_equal(desk_expire(&d, until + DAY_MS), 1);
    assert_int_equal(d.suppress.n, 0);
    desk_free(&d);
}

static void test_allowed_wins_over_dismissed(void **state)
{
    (void)state;
    desk_set d = {0};
    desk_allow e = pair("DE01A", "", 0);
    assert_int_equal(desk_allow_put(&d, &e), 0);
    assert_int_equal(desk_dismiss(&d, "DE01A", "fan_in", "req-1", DAY_MS), 0);
    assert_int_equal(desk_check(&d, "DE01A", "", "fan_in", 0), DESK_ALLOWED);
    desk_free(&d);
}

/* desk_hold answers as desk_check and counts the finding on the entry
 * that held it, marking the set changed; nothing is counted for DESK_NONE. */
static void test_hold_counts_on_the_entry(void **state)
{
    (void)state;
    desk_set d = {0};
    desk_allow e = pair("DE01A", "DE01B", 0);
    assert_int_equal(desk_allow_put(&d, &e), 0);
    assert_int_equal(desk_dismiss(&d, "DE01C", "WL01", "req-1", DAY_MS), 0);
    d.dirty = 0;
    assert_int_equal(desk_hold(&d, "DE01X", "DE01B", "WL01", 0), DESK_NONE);
    assert_int_equal(d.dirty, 0);
    assert_int_equal(desk_hold(&d, "DE01A", "DE01B", "WL01", 0), DESK_ALLOWED);
    assert_int_equal(desk_hold(&d, "DE01C", "DE01Z", "WL01", 0), DESK_DISMISSED);
    assert_int_equal(desk_hold(&d, "DE01C", "DE01Z", "WL01", 1), DESK_DISMISSED);
    assert_int_equal(((desk_allow *)d.allow.p)[0].held, 1);
    assert_int_equal(((desk_suppress *)d.suppress.p)[0].held, 2);
    assert_int_equal(d.dirty, 1);
    desk_free(&d);
}

/* Every record reads back as it was packed; a byte short, a byte more or
 * another version is refused, never read past. */
static void test_pack_round_trip(void **state)
{
    (void)state;
    char buf[DESK_PACK_MAX];
    desk_allow e = pair("DE01A", "DE01B", 1), a;
    e.n_rules = 2;
    strcpy(e.rules[0], "WL01");
    strcpy(e.rules[1], "FI01");
    e.added_ms = 5;
    e.held = 7;
    size_t n = desk_pack_allow(&e, buf);
    assert_true(n < DESK_PACK_MAX);
    assert_int_equal(desk_unpack_allow(buf, n, &a), 0);
    assert_memory_equal(&a, &e, sizeof(a));
    assert_int_equal(desk_unpack_allow(buf, n - 1, &a), -1);
    assert_int_equal(desk_unpack_allow(buf, n + 1, &a), -1);
    buf[0] = 9;
    assert_int_equal(desk_unpack_allow(buf, n, &a), -1);

    desk_suppress s = {.account = "DE01A",
                       .rule = "WL01",
                       .request_id = "r:1",
                       .until_ms = -3,
                       .held = 2},
                  s2;
    n = desk_pack_suppress(&s, buf);
    assert_int_equal(desk_unpack_suppress(buf, n, &s2), 0);
    assert_memory_equal(&s2, &s, sizeof(s));

    ix_request rq;
    memset(&rq, 0, sizeof(rq));
    strcpy(rq.id, "fr-1");
    strcpy(rq.account, "DE01A");
    strcpy(rq.bank, "ICBKCNBJ");
    rq.trigger_time_ms = 11;
    rq.nfindings = 3;
    rq.findings[0].code = "PT01";
    rq.findings[1].code = "FI01";
    rq.findings[2].code = "PT01";
    desk_request q, q2;
    desk_request_of(&rq, &q);
    assert_int_equal(q.n_codes, 2); /* distinct, in finding order */
    assert_string_equal(q.codes[1], "FI01");
    q.answer = DESK_ANSWER_DISMISSED;
    q.answered_ms = 12;
    n = desk_pack_request(&q, buf);
    assert_int_equal(desk_unpack_request(buf, n, &q2), 0);
    assert_memory_equal(&q2, &q, sizeof(q));
    for (size_t k = 0; k < n; k++)
        assert_int_equal(desk_unpack_request(buf, k, &q2), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_account_entry_covers_its_rules_only),
        cmocka_unit_test(test_pair_ordered_and_unordered),
        cmocka_unit_test(test_put_replaces_and_tombstone_removes),
        cmocka_unit_test(test_allow_expires_in_event_time),
        cmocka_unit_test(test_dismissal_suppresses_until_time_passes),
        cmocka_unit_test(test_allowed_wins_over_dismissed),
        cmocka_unit_test(test_hold_counts_on_the_entry),
        cmocka_unit_test(test_pack_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
