/* test_gen.c - the generator's primitives and populations: the simple layer
 * stays byte-for-byte what the demo and the scenarios were built on, and the
 * realistic population has the shape docs/generator.md promises. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode.h"
#include "encode.h"
#include "gen.h"
#include "hash.h"

#define NOW_MS 1795435200000LL /* 2026-11-23T08:00:00Z */
#define DAY_MS 86400000LL

/* ---- the simple layer: pinned outputs ------------------------------------ */

/* Digests of the encoded records of the original generator (seed 42, 400
 * accounts, 20 mules): a change here changes the demo and the scenario
 * tests' planted hits. */
static void test_simple_layer_unchanged(void **state)
{
    (void)state;
    gen g;
    gen_opts o = {
        .seed = 42, .accounts = 400, .mules = 20, .start_ms = 1795401061000LL, .step_ms = 1000};
    char buf[ENC_RECORD_MAX];
    gen_init(&g, &o);
    uint64_t h = HASH_FNV64_INIT;
    for (int64_t i = 0; i < 400; i++) {
        ix_account a;
        gen_profile(&g, i, &a);
        h = hash_fnv1a64(h, buf, (size_t)enc_account(&a, buf, sizeof(buf)));
    }
    assert_true(h == 0x2b6b694d8130d2e8ULL);
    h = HASH_FNV64_INIT;
    for (int64_t i = 0; i < 20; i++) {
        ix_watch w;
        gen_watch(&g, i, &w);
        h = hash_fnv1a64(h, buf, (size_t)enc_watch(&w, buf, sizeof(buf)));
    }
    assert_true(h == 0x5e7e5040bd50a853ULL);
    h = HASH_FNV64_INIT;
    for (int64_t s = 0; s < 1000; s++) {
        ix_transfer t;
        if (s % 10 == 0)
            gen_mule_transfer(&g, s, s % 20, (int)(s % 3 == 0), &t);
        else
            gen_background(&g, s, &t);
        h = hash_fnv1a64(h, buf, (size_t)enc_transfer(&t, buf, sizeof(buf)));
    }
    assert_true(h == 0xfe99f7373289eb4aULL);
    assert_true(gen_rand(&g) == 0xd3c52dd27ea63cfbULL);
    assert_int_equal(gen_below(&g, 1000), 189);
    char id[IX_ACCOUNT_MAX + 1];
    gen_account_id(&g, 12345678, id, sizeof(id));
    assert_string_equal(id, "6270867512345678");
    assert_string_equal(gen_account_bank(&g, 7), "BKCHCNBJ");
}

/* gen_account_id() formats without snprintf in its common case: the same
 * digits as the format it always had, for any seed and index. */
static void test_account_id_format(void **state)
{
    (void)state;
    gen g, r;
    gen_opts ro = {.seed = 1};
    gen_init(&r, &ro);
    for (int k = 0; k < 20000; k++) {
        gen_opts o = {.seed = gen_rand(&r)};
        int64_t i = k < 10 ? k : k < 20 ? 99999990 + k - 10 : gen_below(&r, 100000000);
        char fast[IX_ACCOUNT_MAX + 1], slow[IX_ACCOUNT_MAX + 1];
        gen_init(&g, &o);
        gen_account_id(&g, i, fast, sizeof(fast));
        /* the historic format, reproduced: prefix digits from the short form */
        char shortbuf[12];
        gen_account_id(&g, i, shortbuf, sizeof(shortbuf)); /* too small: snprintf path */
        snprintf(slow, sizeof(slow), "%.8s%08lld", shortbuf, (long long)i);
        assert_string_equal(fast, slow);
        assert_int_equal(strlen(fast), 16);
    }
}

/* ---- primitives ---------------------------------------------------------- */

static void test_primitives(void **state)
{
    (void)state;
    gen g, a, b;
    gen_opts o = {.seed = 9};
    gen_init(&g, &o);
    for (int k = 0; k < 10000; k++) {
        double u = gen_unit(&g);
        assert_true(u >= 0 && u < 1);
        int64_t r = gen_range(&g, -3, 3);
        assert_true(r >= -3 && r <= 3);
    }
    assert_int_equal(gen_range(&g, 5, 5), 5);
    assert_int_equal(gen_range(&g, 5, 2), 5);
    /* A fork depends on the parent's seed and the stream only. */
    gen_fork(&a, &g, 77);
    gen_rand(&g);
    gen_fork(&b, &g, 77);
    assert_true(gen_rand(&a) == gen_rand(&b));
    gen_fork(&b, &g, 78);
    assert_true(gen_rand(&a) != gen_rand(&b));
    assert_true(gen_hash(1, 2) == gen_hash(1, 2) && gen_hash(1, 2) != gen_hash(2, 1));
    /* Log-normal: the median where it was asked for, clamped. */
    int64_t below = 0, n = 20000;
    for (int64_t k = 0; k < n; k++) {
        int64_t v = gen_lognormal(&g, 10000, 1.0, 100, 1000000);
        assert_true(v >= 100 && v <= 1000000);
        below += v < 10000;
    }
    assert_true(below > n * 45 / 100 && below < n * 55 / 100);
    double mean = 0;
    for (int64_t k = 0; k < n; k++)
        mean += gen_normal(&g);
    mean /= (double)n;
    assert_true(mean > -0.05 && mean < 0.05);
}

/* ---- the realistic population ------------------------------------------- */

static void pop_make(gen_pop *p, int64_t accounts, int64_t reserved)
{
    gen_pop_opts o;
    char errstr[256];
    gen_pop_defaults(&o);
    o.seed = 3;
    o.accounts = accounts;
    o.reserved = reserved;
    o.now_ms = NOW_MS;
    if (gen_pop_init(p, &o, errstr, sizeof(errstr)) != 0)
        fail_msg("gen_pop_init: %s", errstr);
}

static void test_population_classes(void **state)
{
    (void)state;
    gen_pop p;
    int64_t n = 10007, reserved = 500; /* a prime size: the bijection must still hold */
    pop_make(&p, n, reserved);
    assert_int_equal(gen_pop_count(&p, GEN_RESERVED), reserved);
    int64_t rest = n - reserved;
    assert_int_equal(gen_pop_count(&p, GEN_BUSINESS), rest * 40 / 1000);
    assert_int_equal(gen_pop_count(&p, GEN_MERCHANT), rest * 60 / 1000);
    int64_t total = 0;
    for (int c = 0; c < GEN_CLASS__COUNT; c++)
        total += gen_pop_count(&p, (gen_class)c);
    assert_int_equal(total, n);
    /* index <-> (class, rank) is a bijection over the whole population */
    uint8_t *seen = calloc((size_t)n, 1);
    assert_non_null(seen);
    for (int c = 0; c < GEN_CLASS__COUNT; c++)
        for (int64_t k = 0; k < gen_pop_count(&p, (gen_class)c); k++) {
            int64_t i = gen_pop_index(&p, (gen_class)c, k), back;
            assert_true(i >= 0 && i < n && !seen[i]);
            seen[i] = 1;
            assert_int_equal(gen_pop_class(&p, i, &back), c);
            assert_int_equal(back, k);
        }
    free(seen);
    /* Classes interleave: reserved accounts are not one block of ids. */
    assert_true(gen_pop_index(&p, GEN_RESERVED, 1) - gen_pop_index(&p, GEN_RESERVED, 0) != 1);
}

static void test_population_profiles(void **state)
{
    (void)state;
    gen_pop p;
    char buf[ENC_RECORD_MAX];
    pop_make(&p, 5000, 100);
    int64_t dormant = 0, persons = 0;
    for (int64_t i = 0; i < 5000; i++) {
        ix_account a, back;
        gen_pop_profile(&p, i, &a);
        int n = enc_account(&a, buf, sizeof(buf));
        assert_true(n > 0);
        assert_int_equal(dec_account(buf, (size_t)n, NULL, &back, NULL), RSN_OK);
        assert_memory_equal(&a, &back, sizeof(a));
        int64_t age = NOW_MS - a.opened_at_ms;
        assert_true(age >= 365 * DAY_MS && age <= 3651 * DAY_MS);
        assert_true(a.updated_at_ms >= a.opened_at_ms && a.updated_at_ms <= NOW_MS);
        gen_class c = gen_pop_class(&p, i, NULL);
        ix_holder_type want = c == GEN_BUSINESS   ? IX_HOLDER_BUSINESS
                              : c == GEN_MERCHANT ? IX_HOLDER_MERCHANT
                                                  : IX_HOLDER_PERSON;
        assert_int_equal(a.holder_type, want);
        assert_int_equal(!!(a.flags & IX_ACCT_DORMANT), gen_pop_dormant(&p, i));
        persons += c == GEN_PERSON;
        dormant += gen_pop_dormant(&p, i);
    }
    assert_true(dormant > 0 && dormant < persons * 3 / 100); /* about 1% */
}

static void test_population_relations(void **state)
{
    (void)state;
    gen_pop p;
    gen g;
    gen_opts go = {.seed = 4};
    pop_make(&p, 20000, 0);
    gen_init(&g, &go);
    int64_t employed = 0, persons = gen_pop_count(&p, GEN_PERSON);
    for (int64_t k = 0; k < persons; k += 7) {
        int64_t i = gen_pop_index(&p, GEN_PERSON, k), f[32];
        int n = gen_pop_friends(&p, i, f, 32);
        assert_true(n >= 5 && n <= 20);
        assert_int_equal(gen_pop_friend_count(&p, i), n);
        assert_int_equal(gen_pop_friend(&p, i, n), -1);
        for (int a = 0; a < n; a++)
            assert_int_equal(gen_pop_friend(&p, i, a), f[a]);
        for (int a = 0; a < n; a++) {
            assert_true(f[a] != i);
            assert_int_equal(gen_pop_class(&p, f[a], NULL), GEN_PERSON);
            for (int b = 0; b < a; b++)
                assert_true(f[a] != f[b]);
        }
        int64_t b = gen_pop_employer(&p, i);
        if (b >= 0) {
            employed++;
            assert_int_equal(gen_pop_class(&p, b, NULL), GEN_BUSINESS);
            int64_t sal = gen_pop_salary(&p, i);
            assert_true(sal >= 200000 && sal <= 10000000 && sal % 100 == 0);
        }
    }
    int64_t sampled = (persons + 6) / 7;
    assert_true(employed > sampled * 55 / 100 && employed < sampled * 75 / 100);
    for (int64_t k = 0; k < gen_pop_count(&p, GEN_BUSINESS); k++) {
        int64_t b = gen_pop_index(&p, GEN_BUSINESS, k), s[16], off;
        int n = gen_pop_suppliers(&p, b, s, 16);
        assert_true(n >= 3 && n <= 10);
        for (int a = 0; a < n; a++)
            assert_true(s[a] != b && gen_pop_class(&p, s[a], NULL) == GEN_BUSINESS);
        int day = gen_pop_payday(&p, b, &off);
        assert_true(day >= 1 && day <= 28 && off >= 0 && off < 3 * 3600000LL);
    }
    assert_int_equal(gen_pop_friends(&p, gen_pop_index(&p, GEN_MERCHANT, 0), NULL, 0), 0);
    /* Popularity: the top merchant takes far more than its fair share. */
    int64_t top = gen_pop_index(&p, GEN_MERCHANT, 0), hits = 0, draws = 20000;
    for (int64_t k = 0; k < draws; k++) {
        int64_t m = gen_pop_shop(&p, &g);
        assert_int_equal(gen_pop_class(&p, m, NULL), GEN_MERCHANT);
        hits += m == top;
        assert_int_equal(gen_pop_class(&p, gen_pop_biller(&p, &g), NULL), GEN_MERCHANT);
        int64_t any = gen_pop_any(&p, &g, GEN_PERSON);
        assert_false(gen_pop_dormant(&p, any));
    }
    assert_true(hits * gen_pop_count(&p, GEN_MERCHANT) > draws * 20);
}

static void test_population_errors(void **state)
{
    (void)state;
    gen_pop p;
    gen_pop_opts o;
    char errstr[256];
    gen_pop_defaults(&o);
    o.now_ms = NOW_MS;
    o.accounts = 999;
    assert_int_equal(gen_pop_init(&p, &o, errstr, sizeof(errstr)), -1);
    o.accounts = 1000;
    o.reserved = 251;
    assert_int_equal(gen_pop_init(&p, &o, errstr, sizeof(errstr)), -1);
    assert_non_null(strstr(errstr, "quarter"));
    o.reserved = 0;
    o.merchant_permille = 400;
    o.business_permille = 200;
    assert_int_equal(gen_pop_init(&p, &o, errstr, sizeof(errstr)), -1);
    o.merchant_permille = 60;
    o.now_ms = 0;
    assert_int_equal(gen_pop_init(&p, &o, errstr, sizeof(errstr)), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_layer_unchanged),
        cmocka_unit_test(test_account_id_format),
        cmocka_unit_test(test_primitives),
        cmocka_unit_test(test_population_classes),
        cmocka_unit_test(test_population_profiles),
        cmocka_unit_test(test_population_relations),
        cmocka_unit_test(test_population_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
