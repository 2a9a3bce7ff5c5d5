/* test_model.c - wire names of the model's enumerations and their inverses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "model.h"

static void test_action_names(void **state)
{
    assert_string_equal(ix_action_name(IX_ACTION_NONE), "NONE");
    assert_string_equal(ix_action_name(IX_ACTION_REVIEW), "REVIEW");
    assert_string_equal(ix_action_name(IX_ACTION_HOLD), "HOLD");
    assert_string_equal(ix_action_name(IX_ACTION_FREEZE), "FREEZE");
    for (int a = IX_ACTION_NONE; a <= IX_ACTION_FREEZE; a++) {
        assert_int_equal(ix_action_parse(ix_action_name((ix_action)a)), a);
    }
    assert_int_equal(ix_action_parse("freeze"), -1); /* case-sensitive, as on the wire */
    assert_int_equal(ix_action_parse("invalid"), -1);
    assert_int_equal(ix_action_parse(""), -1);
    assert_int_equal(ix_action_parse(NULL), -1);
}

static void test_channel_names(void **state)
{
    static const char *const names[] = {"unknown", "mobile", "online", "branch", "atm", "pos"};
    for (int c = 0; c < IX_CHANNEL__COUNT; c++) {
        assert_string_equal(ix_channel_name((ix_channel)c), names[c]);
        assert_int_equal(ix_channel_parse(names[c]), c);
    }
    assert_string_equal(ix_channel_name(IX_CHANNEL__COUNT), "invalid");
    assert_int_equal(ix_channel_parse("MOBILE"), -1);
    assert_int_equal(ix_channel_parse("mobile "), -1);
    assert_int_equal(ix_channel_parse(NULL), -1);
}

static void test_holder_type_names(void **state)
{
    static const char *const names[] = {"unknown", "person", "business", "merchant"};
    for (int h = 0; h < IX_HOLDER__COUNT; h++) {
        assert_string_equal(ix_holder_type_name((ix_holder_type)h), names[h]);
        assert_int_equal(ix_holder_type_parse(names[h]), h);
    }
    assert_string_equal(ix_holder_type_name(IX_HOLDER__COUNT), "invalid");
    assert_int_equal(ix_holder_type_parse("Person"), -1);
    assert_int_equal(ix_holder_type_parse(NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_action_names),
        cmocka_unit_test(test_channel_names),
        cmocka_unit_test(test_holder_type_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
