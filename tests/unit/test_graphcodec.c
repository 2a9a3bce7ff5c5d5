/* test_graphcodec.c - the byte layout of the state store. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "graphcodec.h"

static void test_prefixes_and_edge_keys(void **state)
{
    (void)state;
    char k[GC_KEY_MAX];
    size_t n = gc_prefix(k, "ACC1");
    assert_int_equal(n, 5);
    assert_memory_equal(k, "ACC1\0", 5);
    n = gc_edge_key(k, "ACC1", "B2");
    assert_int_equal(n, 7);
    assert_memory_equal(k, "ACC1\0B2", 7);
    /* "A" and "AB" never share a prefix: the NUL ends the account. */
    char a[GC_KEY_MAX], ab[GC_KEY_MAX];
    size_t la = gc_edge_key(a, "A", "Z"), lab = gc_edge_key(ab, "AB", "C");
    assert_false(lab >= 2 && memcmp(ab, a, 2) == 0);
    (void)la;
}

static void test_flow_keys_sort_by_time(void **state)
{
    (void)state;
    char k1[GC_KEY_MAX], k2[GC_KEY_MAX], k3[GC_KEY_MAX];
    size_t n1 = gc_flow_key(k1, "ACC", GRAPH_OUT, 255, 99);
    size_t n2 = gc_flow_key(k2, "ACC", GRAPH_OUT, 256, 1);
    size_t n3 = gc_flow_key(k3, "ACC", GRAPH_OUT, 1795000000000LL, 0);
    assert_int_equal(n1, 4 + 1 + 16);
    assert_true(n1 == n2 && n2 == n3);
    assert_true(memcmp(k1, k2, n1) < 0); /* big-endian: byte order is time order */
    assert_true(memcmp(k2, k3, n2) < 0);
    assert_int_equal(gc_flow_key_time(k3, n3), 1795000000000LL);
    assert_int_equal(gc_flow_key_time(k1, n1 - 1), -1);
    char p[GC_KEY_MAX];
    size_t pn = gc_flow_prefix(p, "ACC", GRAPH_OUT);
    assert_int_equal(pn, 5);
    assert_memory_equal(k1, p, pn);
    gc_flow_prefix(p, "ACC", GRAPH_IN);
    assert_int_equal(p[4], 'i');
}

static void test_offset_key(void **state)
{
    (void)state;
    char k[16];
    size_t n = gc_offset_key(k, sizeof(k), "transfers", 258);
    assert_int_equal(n, 14);
    assert_memory_equal(k, "transfers\0\0\0\x01\x02", 14);
    assert_int_equal(gc_offset_key(k, sizeof(k), "a-topic-name-too-long", 0), 0);
}

static void test_account_state_round_trip(void **state)
{
    (void)state;
    gc_acct a, b;
    char v[GC_VAL_MAX];
    memset(&a, 0, sizeof(a));
    a.in_count = 3;
    a.out_count = 2;
    a.in_sum = 123456789012LL;
    a.out_sum = 5;
    a.first_seen_ms = 1;
    a.last_seen_ms = 1795000000000LL;
    a.last_in_ms = 17;
    a.last_out_ms = 18;
    a.incident_action = IX_ACTION_HOLD;
    a.incident_at_ms = 99;
    win_add(&a.ring[WIN_1H], WIN_1H, 1795000000000LL, 1, 500);
    win_add(&a.ring[WIN_30D], WIN_30D, 1795000000000LL, 0, 700);
    size_t n = gc_acct_pack(&a, v);
    assert_true(n < 224); /* empty buckets take no room */
    assert_int_equal(gc_acct_unpack(v, n, &b), 0);
    assert_memory_equal(&a, &b, sizeof(a));
    /* Truncated, extended or of another version: rejected. */
    assert_int_equal(gc_acct_unpack(v, n - 1, &b), -1);
    v[n] = 0;
    assert_int_equal(gc_acct_unpack(v, n + 1, &b), -1);
    v[0] = 1;
    assert_int_equal(gc_acct_unpack(v, n, &b), -1);
    /* Version 3 had the baseline without its money (the last 24 bytes): it reads as none. */
    a.base.peak = 3;
    a.base.money_prev[0] = 500;
    n = gc_acct_pack(&a, v);
    v[0] = 3;
    assert_int_equal(gc_acct_unpack(v, n - 24, &b), 0);
    assert_int_equal(b.base.peak, 3);
    assert_int_equal(b.base.money_prev[0], 0);
    assert_int_equal(b.in_sum, a.in_sum);
}

static void test_edge_merge_is_order_free(void **state)
{
    (void)state;
    graph_edge d1 = {.count = 1, .sum = 100, .first_ms = 50, .last_ms = 50};
    graph_edge d2 = {.count = 2, .sum = 7, .first_ms = 10, .last_ms = 60};
    graph_edge d3 = {.count = 1, .sum = 1, .first_ms = 55, .last_ms = 55};
    graph_edge x, y;
    memset(&x, 0, sizeof(x));
    memset(&y, 0, sizeof(y));
    gc_edge_merge(&x, &d1);
    gc_edge_merge(&x, &d2);
    gc_edge_merge(&x, &d3);
    gc_edge_merge(&y, &d3);
    gc_edge_merge(&y, &d1);
    gc_edge_merge(&y, &d2);
    assert_memory_equal(&x, &y, sizeof(x));
    assert_int_equal(x.count, 4);
    assert_int_equal(x.sum, 108);
    assert_int_equal(x.first_ms, 10);
    assert_int_equal(x.last_ms, 60);

    char v[GC_VAL_MAX];
    graph_edge z;
    memset(&z, 0, sizeof(z));
    assert_int_equal(gc_edge_pack(&x, v), GC_EDGE_LEN);
    assert_int_equal(gc_edge_unpack(v, GC_EDGE_LEN, &z), 0);
    assert_int_equal(z.count, 4);
    assert_int_equal(z.last_ms, 60);
    assert_int_equal(gc_edge_unpack(v, GC_EDGE_LEN - 1, &z), -1);
}

static void test_flow_and_table_records_round_trip(void **state)
{
    (void)state;
    char v[GC_VAL_MAX];
    graph_flow f = {.transfer_id = "T-1", .peer = "6200000000000001", .amount = 42}, g;
    memset(&g, 0, sizeof(g));
    size_t n = gc_flow_pack(&f, v);
    assert_int_equal(gc_flow_unpack(v, n, &g), 0);
    assert_string_equal(g.transfer_id, "T-1");
    assert_string_equal(g.peer, "6200000000000001");
    assert_int_equal(g.amount, 42);

    ix_account p, q;
    memset(&p, 0, sizeof(p));
    memset(&q, 0, sizeof(q));
    snprintf(p.bank, sizeof(p.bank), "ICBKCNBJ");
    p.opened_at_ms = 1600000000000LL;
    p.holder_type = IX_HOLDER_MERCHANT;
    p.kyc_level = 3;
    memset(p.device_hash, 'a', IX_HASH_MAX);
    p.flags = IX_ACCT_DORMANT | IX_ACCT_FROZEN;
    p.updated_at_ms = 7;
    n = gc_profile_pack(&p, v);
    assert_int_equal(gc_profile_unpack(v, n, &q), 0);
    assert_memory_equal(&p, &q, sizeof(p));

    ix_watch w, x;
    memset(&w, 0, sizeof(w));
    memset(&x, 0, sizeof(x));
    snprintf(w.bank, sizeof(w.bank), "BKCHCNBJ");
    snprintf(w.list, sizeof(w.list), "police_report");
    snprintf(w.reason, sizeof(w.reason), "case 2026-118");
    w.added_at_ms = 5;
    n = gc_watch_pack(&w, v);
    assert_int_equal(gc_watch_unpack(v, n, &x), 0);
    assert_memory_equal(&w, &x, sizeof(w));
    assert_int_equal(gc_watch_unpack(v, n - 1, &x), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prefixes_and_edge_keys),
        cmocka_unit_test(test_flow_keys_sort_by_time),
        cmocka_unit_test(test_offset_key),
        cmocka_unit_test(test_account_state_round_trip),
        cmocka_unit_test(test_edge_merge_is_order_free),
        cmocka_unit_test(test_flow_and_table_records_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
