/* test_vec.c - the growable array: items appended zeroed, kept across
 * growth, freed back to empty. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_push_grow_free),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
