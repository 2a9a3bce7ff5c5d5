/* test_reason.c - the table of dead-letter reasons: stable, distinct codes,
 * the decoder's first, and schemas/README.md listing exactly these. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "reason.h"

static void test_codes(void **state)
{
    (void)state;
    for (int r = 0; r < RSN__COUNT; r++) {
        const char *c = rsn_code((rsn_reason)r);
        assert_true(strlen(c) > 1);
        assert_int_equal(strspn(c, "abcdefghijklmnopqrstuvwxyz_"), strlen(c));
        assert_true(strlen(rsn_text((rsn_reason)r)) > 0);
        for (int q = 0; q < r; q++)
            assert_string_not_equal(c, rsn_code((rsn_reason)q));
    }
    assert_string_equal(rsn_code(RSN_OK), "ok");
    assert_string_equal(rsn_code(RSN_CURRENCY), "unknown_currency");
    assert_string_equal(rsn_code(RSN_ENUM), "not_in_enum");
    assert_string_equal(rsn_code(RSN_BAD_KEY), "bad_key");
    assert_string_equal(rsn_code(RSN_FOREIGN_CURRENCY), "foreign_currency");
    assert_string_equal(rsn_code(RSN_DUPLICATE_TRANSFER), "duplicate_transfer");
    assert_string_equal(rsn_code(RSN_UNKNOWN_TRANSFER), "unknown_transfer");
    assert_string_equal(rsn_code(RSN_DUPLICATE_REPORT), "duplicate_report");
    assert_string_equal(rsn_code(RSN_UNKNOWN_REQUEST), "unknown_request");
    assert_string_equal(rsn_code(RSN_DUPLICATE_VERDICT), "duplicate_verdict");
    assert_string_equal(rsn_code(RSN__COUNT), "unknown_reason");
    assert_string_equal(rsn_code((rsn_reason)-1), "unknown_reason");
    assert_string_equal(rsn_text(RSN__COUNT), "");
    /* The decoder's reasons are a prefix: screening's follow them. */
    assert_string_equal(rsn_code(RSN_XML_DOCTYPE), "xml_doctype");
    assert_string_equal(rsn_code(RSN_MESSAGE_TYPE), "wrong_message_type");
    assert_int_equal(RSN_MESSAGE_TYPE + 1, RSN_DECODE_COUNT);
    assert_int_equal(RSN_BAD_KEY, RSN_DECODE_COUNT);
    assert_int_equal(RSN_DUPLICATE_VERDICT + 1, RSN__COUNT);
}

/* schemas/README.md has a row "| `code` | `RSN_...` | when |" for every
 * reason but RSN_OK, and none for anything else. */
static void test_documented(void **state)
{
    (void)state;
    char line[1024], code[64];
    int rows[RSN__COUNT] = {0}, n = 0;
    FILE *f = fopen(IX_SOURCE_DIR "/schemas/README.md", "r");
    assert_non_null(f);
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, "| `", 3) != 0 || !strstr(line, "` | `RSN_"))
            continue;
        size_t len = strcspn(line + 3, "`");
        snprintf(code, sizeof(code), "%.*s", (int)len, line + 3);
        int found = 0;
        for (int r = 1; r < RSN__COUNT && !found; r++)
            if (strcmp(code, rsn_code((rsn_reason)r)) == 0) {
                rows[r]++;
                found = 1;
            }
        if (!found)
            fail_msg("schemas/README.md lists %s, which is not a reason", code);
        n++;
    }
    fclose(f);
    for (int r = 1; r < RSN__COUNT; r++)
        if (rows[r] != 1)
            fail_msg("schemas/README.md lists %s %d times", rsn_code((rsn_reason)r), rows[r]);
    assert_int_equal(n, RSN__COUNT - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codes),
        cmocka_unit_test(test_documented),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
