/* test_vec.c - the growable array: items appended zeroed, kept across
 * growth, freed back to empty; vec_reserve's growth rule for arrays with
 * their own count and capacity. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vec.h"

typedef struct item {
    int64_t key;
    char tag[13];
} item;

static void test_push_grow_free(void **state)
{
    (void)state;
    vec v = {0};
    for (int64_t k = 0; k < 1000; k++) {
        item *it = vec_push(&v, sizeof(item));
        assert_non_null(it);
        assert_int_equal(it->key, 0); /* zeroed, whatever realloc left there */
        assert_int_equal(it->tag[0], 0);
        it->key = k * 7;
        it->tag[0] = (char)('a' + k % 26);
    }
    assert_int_equal(v.n, 1000);
    assert_true(v.cap >= 1000 && v.cap < 2000);
    const item *all = v.p;
    for (int64_t k = 0; k < 1000; k++) { /* every item survived the moves */
        assert_int_equal(all[k].key, k * 7);
        assert_int_equal(all[k].tag[0], 'a' + k % 26);
    }
    vec_free(&v);
    assert_null(v.p);
    assert_int_equal(v.n + v.cap, 0);
    vec_free(&v); /* an empty vector frees again */
}

static void test_reserve_doubles(void **state)
{
    (void)state;
    int *a = NULL;
    size_t cap = 0;
    assert_int_equal(vec_reserve((void **)&a, &cap, 1, sizeof(*a), 4), 0);
    assert_int_equal(cap, 4); /* the first capacity */
    a[0] = 41;
    void *before = a;
    assert_int_equal(vec_reserve((void **)&a, &cap, 4, sizeof(*a), 4), 0);
    assert_int_equal(cap, 4); /* room enough: nothing moves */
    assert_ptr_equal(a, before);
    assert_int_equal(vec_reserve((void **)&a, &cap, 5, sizeof(*a), 4), 0);
    assert_int_equal(cap, 8);
    assert_int_equal(vec_reserve((void **)&a, &cap, 100, sizeof(*a), 4), 0);
    assert_int_equal(cap, 128); /* doubled until it holds 100 */
    assert_int_equal(a[0], 41);
    a[99] = 7;
    free(a);
}

static void test_reserve_overflow(void **state)
{
    (void)state;
    char *a = NULL;
    size_t cap = 0;
    assert_int_equal(vec_reserve((void **)&a, &cap, 3, 1, 2), 0);
    assert_int_equal(cap, 4);
    a[0] = 'x';
    /* more items than size_t bytes can hold: refused, the array unchanged */
    assert_int_equal(vec_reserve((void **)&a, &cap, SIZE_MAX / 8 + 1, 16, 2), -1);
    assert_int_equal(cap, 4);
    assert_int_equal(a[0], 'x');
    free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_push_grow_free),
        cmocka_unit_test(test_reserve_doubles),
        cmocka_unit_test(test_reserve_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
