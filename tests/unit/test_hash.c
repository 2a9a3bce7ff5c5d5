/* test_hash.c - known answers: murmur2 and the partitions the Java client
 * computes, FNV-1a 64 as published. A change here moves state between
 * partitions or changes published request ids, so the values are pinned. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hash.h"

/* Keys and hashes from the Java client's own test of Utils.murmur2
 * (clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java),
 * and the partition its default partitioner derives from them:
 * Utils.toPositive(murmur2(key)) % numPartitions, toPositive = h & 0x7fffffff. */
typedef struct kat {
    const char *key;
    int32_t java_hash; /* as the Java int prints it */
    int32_t part[4];   /* among 1, 3, 8 and 12 partitions */
} kat;

static const kat kats[] = {
    {"21", -973932308, {0, 0, 4, 0}},
    {"foobar", -790332482, {0, 0, 6, 6}},
    {"a-little-bit-long-string", -985981536, {0, 2, 0, 8}},
    {"a-little-bit-longer-string", -1486304829, {0, 2, 3, 11}},
    {"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971, {0, 2, 5, 5}},
    {"abc", 479470107, {0, 0, 3, 3}},
};

static void test_murmur2_matches_java(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
        uint32_t h = hash_murmur2(kats[i].key, strlen(kats[i].key));
        assert_int_equal(h, (uint32_t)kats[i].java_hash);
    }
}

static void test_partition_matches_java(void **state)
{
    static const int32_t counts[4] = {1, 3, 8, 12};
    (void)state;
    for (size_t i = 0; i < sizeof(kats) / sizeof(kats[0]); i++)
        for (int c = 0; c < 4; c++)
            assert_int_equal(hash_partition(kats[i].key, strlen(kats[i].key), counts[c]),
                             kats[i].part[c]);
}

/* Published FNV-1a 64 test vectors (Fowler, Noll, Vo). */
static void test_fnv1a64(void **state)
{
    (void)state;
    assert_true(hash_fnv1a64(HASH_FNV64_INIT, "", 0) == 0xcbf29ce484222325ULL);
    assert_true(hash_fnv1a64(HASH_FNV64_INIT, "a", 1) == 0xaf63dc4c8601ec8cULL);
    assert_true(hash_fnv1a64(HASH_FNV64_INIT, "foobar", 6) == 0x85944171f73967e8ULL);
    /* Continuing a hash equals hashing the concatenation. */
    uint64_t h = hash_fnv1a64(HASH_FNV64_INIT, "foo", 3);
    assert_true(hash_fnv1a64(h, "bar", 3) == 0x85944171f73967e8ULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_murmur2_matches_java),
        cmocka_unit_test(test_partition_matches_java),
        cmocka_unit_test(test_fnv1a64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
