/* test_currency.c - the ISO 4217 table: order, contents, minor units, lookups of bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "currency.h"

static void test_table_sorted_and_wellformed(void **state)
{
    assert_int_equal(cur_count(), 165);
    for (size_t i = 0; i < cur_count(); i++) {
        const char *c = cur_code(i);
        assert_non_null(c);
        assert_int_equal(strlen(c), 3);
        assert_int_equal(strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"), 3);
        if (i > 0) {
            assert_true(strcmp(cur_code(i - 1), c) < 0); /* sorted, no duplicates */
        }
        assert_true(cur_valid(c));
        int m = cur_minor_units(c);
        assert_true(m >= 0 && m <= 4);
    }
    assert_null(cur_code(cur_count()));
    assert_null(cur_code((size_t)-1));
}

static void test_known_codes(void **state)
{
    static const struct {
        const char *code;
        int minor;
    } known[] = {
        {"AED", 2}, {"BHD", 3}, {"CLF", 4}, {"CLP", 0}, {"CNY", 2}, {"EUR", 2}, {"GBP", 2},
        {"HKD", 2}, {"IQD", 3}, {"ISK", 0}, {"JOD", 3}, {"JPY", 0}, {"KRW", 0}, {"KWD", 3},
        {"LYD", 3}, {"OMR", 3}, {"TND", 3}, {"USD", 2}, {"UYW", 4}, {"VND", 0}, {"XAF", 0},
        {"XOF", 0}, {"XPF", 0}, {"ZWG", 2}, {"XCG", 2}, {"SLE", 2}, {"VED", 2}, {"ZZZ", -1},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        assert_int_equal(cur_minor_units(known[i].code), known[i].minor);
        assert_int_equal(cur_valid(known[i].code), known[i].minor >= 0);
    }
}

/* Withdrawn codes and codes without a minor unit are not money in transit. */
static void test_rejected_codes(void **state)
{
    static const char *const bad[] = {
        "HRK", "SLL", "ZWL", "CUC", "ANG",  "BGN", "DEM", "FRF",       "VEF",          "MRO",
        "STD", "BYR", /* gone */
        "XAU", "XAG", "XPT", "XPD", "XDR",  "XSU", "XUA", "XBA",       "XBB",          "XBC",
        "XBD", "XTS", "XXX", /* no minor unit */
        "CNH", "usd", "Usd", "US",  "USDX", "",    "US$", "U\xc3\x9c", "\xff\xff\xff", /* malformed
                                                                                        */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (cur_valid(bad[i])) {
            fail_msg("\"%s\" accepted", bad[i]);
        }
        assert_int_equal(cur_minor_units(bad[i]), -1);
    }
    assert_false(cur_valid(NULL));
    assert_int_equal(cur_minor_units(NULL), -1);
    /* A code followed by more bytes is not the code. */
    static const char longer[] = {'U', 'S', 'D', 'X'};
    char buf[5];
    memcpy(buf, longer, 4);
    buf[4] = '\0';
    assert_false(cur_valid(buf));
}

/* Every three-letter string: exactly the table's codes are valid. */
static void test_exhaustive(void **state)
{
    size_t valid = 0;
    char code[4] = {0};
    for (char a = 'A'; a <= 'Z'; a++) {
        for (char b = 'A'; b <= 'Z'; b++) {
            for (char c = 'A'; c <= 'Z'; c++) {
                code[0] = a;
                code[1] = b;
                code[2] = c;
                valid += (size_t)cur_valid(code);
            }
        }
    }
    assert_int_equal(valid, cur_count());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_sorted_and_wellformed),
        cmocka_unit_test(test_known_codes),
        cmocka_unit_test(test_rejected_codes),
        cmocka_unit_test(test_exhaustive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
