/* test_jsonlex.c - the JSON reader: tokens, strings, UTF-8, numbers, depth, duplicate keys. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jsonlex.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ------------------------------------------------------------ */

/* Reads all of s (n bytes, or strlen(s) when n is 0) with the bare reader. */
static jl_code read_all(const char *s, size_t n, jl_error *e)
{
    jl_reader r;
    jl_token t;
    jl_code c;
    jl_init(&r, s, n ? n : strlen(s));
    while ((c = jl_next(&r, &t)) == JL_OK && t.kind != JL_END) {
    }
    *e = r.err;
    return c;
}

/* Validates s and checks the verdict; for an error also the message and
 * position (a NULL msg expects success). */
static void expect_n(const char *s, size_t n, jl_code code, const char *msg, size_t pos)
{
    jl_error e;
    jl_code c = jl_validate(s, n, &e);
    if (c != code || (msg && (strcmp(e.text, msg) != 0 || e.pos != pos))) {
        fail_msg("%.60s\n  want %d \"%s\" at %zu, got %d \"%s\" at %zu", s, code, msg ? msg : "",
                 pos, c, e.text, e.pos);
    }
    if (code != JL_E_DUPLICATE) { /* the bare reader agrees, repeats aside */
        jl_error bare;
        assert_int_equal(read_all(s, n, &bare), code);
        assert_int_equal(bare.pos, e.pos);
    }
}

static void expect(const char *s, jl_code code, const char *msg, size_t pos)
{
    expect_n(s, strlen(s), code, msg, pos);
}

static void ok(const char *s)
{
    expect(s, JL_OK, NULL, 0);
}

static jl_token next(jl_reader *r)
{
    jl_token t;
    assert_int_equal(jl_next(r, &t), JL_OK);
    return t;
}

/* ---- tokens ------------------------------------------------------------- */

static void test_tokens(void **state)
{
    const char *s = " {\"a\" : [1, -2.5e1, \"x\\ny\", true, false, null], \"b\":{}}\n";
    jl_reader r;
    jl_init(&r, s, strlen(s));
    static const jl_kind want[] = {
        JL_OBJECT,     JL_KEY,        JL_ARRAY, JL_INTEGER,   JL_REAL, JL_STRING,
        JL_TRUE,       JL_FALSE,      JL_NULL,  JL_ARRAY_END, JL_KEY,  JL_OBJECT,
        JL_OBJECT_END, JL_OBJECT_END, JL_END,   JL_END, /* the end is sticky */
    };
    for (size_t i = 0; i < N_OF(want); i++) {
        jl_token t = next(&r);
        assert_int_equal(t.kind, want[i]);
        if (i == 1) { /* "a": the content, without quotes */
            assert_int_equal(t.start, 3);
            assert_int_equal(t.end, 4);
            assert_false(t.escaped);
        } else if (i == 3) {
            assert_int_equal(t.integer, 1);
            assert_int_equal(t.end - t.start, 1);
        } else if (i == 4) {
            assert_memory_equal(s + t.start, "-2.5e1", 6);
            assert_int_equal(t.end - t.start, 6);
        } else if (i == 5) {
            char buf[8];
            assert_true(t.escaped);
            assert_int_equal(jl_string(s, &t, buf, sizeof buf), 3);
            assert_memory_equal(buf, "x\ny", 3);
        }
    }
}

static void test_skip(void **state)
{
    const char *s = "{\"a\":[1,[2,[3]]],\"b\":[{\"c\":1}],\"d\":{}}";
    jl_reader r;
    jl_init(&r, s, strlen(s));
    int objects = 0;
    assert_int_equal(next(&r).kind, JL_OBJECT);
    assert_int_equal(next(&r).kind, JL_KEY);
    assert_int_equal(next(&r).kind, JL_ARRAY);
    assert_int_equal(jl_skip(&r, &objects), JL_OK);
    assert_int_equal(objects, 0);
    assert_int_equal(r.pos, 16); /* just past the array */
    assert_int_equal(next(&r).kind, JL_KEY);
    assert_int_equal(next(&r).kind, JL_ARRAY);
    assert_int_equal(jl_skip(&r, &objects), JL_OK);
    assert_int_equal(objects, 1);
    assert_int_equal(next(&r).kind, JL_KEY);
    assert_int_equal(next(&r).kind, JL_OBJECT);
    assert_int_equal(jl_skip(&r, &objects), JL_OK);
    assert_int_equal(next(&r).kind, JL_OBJECT_END);
    assert_int_equal(next(&r).kind, JL_END);
}

/* ---- strings ------------------------------------------------------------ */

static void test_string_values(void **state)
{
    static const struct {
        const char *json, *value;
    } cases[] = {
        {"\"plain\"", "plain"},
        {"\"\"", ""},
        {"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t"},
        {"\"\\u0041\\u00e9\\u20AC\"", "A\xc3\xa9\xe2\x82\xac"},
        {"\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80"}, /* a surrogate pair */
        {"\"\\uDBFF\\uDFFF\"", "\xf4\x8f\xbf\xbf"}, /* U+10FFFF */
        {"\"\xe6\xa1\x88\"", "\xe6\xa1\x88"},
        {"\"\x7f\"", "\x7f"}, /* DEL is not a JSON control character */
    };
    for (size_t i = 0; i < N_OF(cases); i++) {
        jl_reader r;
        char buf[64];
        jl_init(&r, cases[i].json, strlen(cases[i].json));
        jl_token t = next(&r);
        assert_int_equal(t.kind, JL_STRING);
        size_t n = jl_string(cases[i].json, &t, buf, sizeof buf);
        assert_int_equal(n, strlen(cases[i].value));
        assert_memory_equal(buf, cases[i].value, n);
    }
    /* A short buffer gets a prefix, and the whole length. */
    const char *s = "\"\\u00e9abc\"";
    jl_reader r;
    char buf[4] = "....";
    jl_init(&r, s, strlen(s));
    jl_token t = next(&r);
    assert_int_equal(jl_string(s, &t, buf, 3), 5);
    assert_memory_equal(buf,
                        "\xc3\xa9"
                        "a.",
                        4);
}

static void test_string_errors(void **state)
{
    expect("\"abc", JL_E_SYNTAX, "premature end of input", 4);
    expect("\"a\tb\"", JL_E_SYNTAX, "control character 0x9", 2);
    expect("\"a\nb\"", JL_E_SYNTAX, "unexpected newline", 2);
    expect("\"\\x41\"", JL_E_SYNTAX, "invalid escape", 3);
    expect("\"\\", JL_E_SYNTAX, "invalid escape", 2);
    expect("\"\\u12G4\"", JL_E_SYNTAX, "invalid escape", 6);
    expect("\"\\u12", JL_E_SYNTAX, "invalid escape", 5);
    expect("\"\\\xc3\xa9\"", JL_E_SYNTAX, "invalid escape", 3);
    expect("\"\\ud800\"", JL_E_SYNTAX, "invalid Unicode '\\uD800'", 8);
    expect("\"\\udc00\"", JL_E_SYNTAX, "invalid Unicode '\\uDC00'", 8);
    expect("\"\\ud800x\"", JL_E_SYNTAX, "invalid Unicode '\\uD800'", 9);
    expect("\"\\ud800\\u0041\"", JL_E_SYNTAX, "invalid Unicode '\\uD800\\u0041'", 14);
    /* \u0000: a value and a key are refused with jansson's two messages. */
    expect("[\"a\\u0000\"]", JL_E_SYNTAX, "\\u0000 is not allowed without JSON_ALLOW_NUL", 10);
    expect("{\"\\u0000\":1}", JL_E_SYNTAX, "NUL byte in object key not supported", 9);
    /* A raw NUL is a control character. */
    expect_n("\"a\0\"", 4, JL_E_SYNTAX, "control character 0x0", 2);
    /* The raw text is checked before the escapes: the control character wins. */
    expect("\"\\ud800\x01\"", JL_E_SYNTAX, "control character 0x1", 7);
}

/* ---- UTF-8 -------------------------------------------------------------- */

static void test_utf8(void **state)
{
    static const char *const valid[] = {
        "\"\x7f\"",             /* U+007F */
        "\"\xc2\x80\"",         /* U+0080 */
        "\"\xdf\xbf\"",         /* U+07FF */
        "\"\xe0\xa0\x80\"",     /* U+0800 */
        "\"\xed\x9f\xbf\"",     /* U+D7FF */
        "\"\xee\x80\x80\"",     /* U+E000 */
        "\"\xef\xbf\xbf\"",     /* U+FFFF */
        "\"\xf0\x90\x80\x80\"", /* U+10000 */
        "\"\xf4\x8f\xbf\xbf\"", /* U+10FFFF */
    };
    for (size_t i = 0; i < N_OF(valid); i++) {
        ok(valid[i]);
    }
    static const struct {
        const char *json;
        const char *msg;
        size_t pos;
    } invalid[] = {
        {"\"\x80\"", "unable to decode byte 0x80", 1},             /* lone continuation */
        {"\"\xc0\xaf\"", "unable to decode byte 0xc0", 1},         /* overlong '/' */
        {"\"\xc1\xbf\"", "unable to decode byte 0xc1", 1},         /* overlong */
        {"\"\xe0\x9f\xbf\"", "unable to decode byte 0xe0", 1},     /* overlong U+07FF */
        {"\"\xf0\x8f\xbf\xbf\"", "unable to decode byte 0xf0", 1}, /* overlong U+FFFF */
        {"\"\xed\xa0\x80\"", "unable to decode byte 0xed", 1},     /* U+D800 */
        {"\"\xed\xbf\xbf\"", "unable to decode byte 0xed", 1},     /* U+DFFF */
        {"\"\xf4\x90\x80\x80\"", "unable to decode byte 0xf4", 1}, /* U+110000 */
        {"\"\xf5\x80\x80\x80\"", "unable to decode byte 0xf5", 1},
        {"\"\xff\"", "unable to decode byte 0xff", 1},
        {"\"ab\xe6\xa1\"", "unable to decode byte 0xe6", 3}, /* cut by the quote */
        {"\"\xe6\xa1", "unable to decode byte 0xe6", 1},     /* cut by the end */
        {"[1\xff]", "unable to decode byte 0xff", 2},        /* after a number */
        {"[true\xff]", "unable to decode byte 0xff", 5},     /* after a literal */
        {"{\"a\":1,\xff}", "unable to decode byte 0xff", 7}, /* between tokens */
        {"\xef\xbb\xbf{}", "invalid token", 3},              /* a BOM is a character */
        {"[1\xc3\xa9]", "']' expected", 4},                  /* valid, but no token */
    };
    for (size_t i = 0; i < N_OF(invalid); i++) {
        expect(invalid[i].json, JL_E_SYNTAX, invalid[i].msg, invalid[i].pos);
    }
    /* An encoding error right after a number that overflows is reported
     * first: jansson reads one character past a number before converting it. */
    expect("[99999999999999999999\xff]", JL_E_SYNTAX, "unable to decode byte 0xff", 21);
    expect("[99999999999999999999\xc3\xa9]", JL_E_OVERFLOW, "too big integer", 21);
}

/* ---- numbers ------------------------------------------------------------ */

static void test_integers(void **state)
{
    static const struct {
        const char *json;
        int64_t value;
    } cases[] = {
        {"0", 0},
        {"-0", 0},
        {"7", 7},
        {"-12", -12},
        {"9223372036854775807", INT64_MAX},
        {"-9223372036854775808", INT64_MIN},
    };
    for (size_t i = 0; i < N_OF(cases); i++) {
        jl_reader r;
        jl_init(&r, cases[i].json, strlen(cases[i].json));
        jl_token t = next(&r);
        assert_int_equal(t.kind, JL_INTEGER);
        assert_true(t.integer == cases[i].value);
    }
    expect("9223372036854775808", JL_E_OVERFLOW, "too big integer", 19);
    expect("-9223372036854775809", JL_E_OVERFLOW, "too big negative integer", 20);
    expect("[123456789012345678901234567890]", JL_E_OVERFLOW, "too big integer", 31);
}

static void test_number_grammar(void **state)
{
    static const char *const reals[] = {"0.0",      "-0.5", "1e5",    "1E+5",   "1e-5",
                                        "-1.25E-0", "0e0",  "1e-999", "1.5e308"};
    for (size_t i = 0; i < N_OF(reals); i++) {
        jl_reader r;
        jl_init(&r, reals[i], strlen(reals[i]));
        assert_int_equal(next(&r).kind, JL_REAL);
    }
    static const struct {
        const char *json;
        const char *msg;
        size_t pos;
    } invalid[] = {
        {"[01]", "invalid token", 2},       {"[-01]", "invalid token", 3},
        {"[+1]", "invalid token", 2},       {"[.5]", "invalid token", 2},
        {"[1.]", "invalid token", 3},       {"[1.e5]", "invalid token", 3},
        {"[1e]", "invalid token", 3},       {"[1e+]", "invalid token", 4},
        {"[-]", "invalid token", 2},        {"[--1]", "invalid token", 2},
        {"[0x10]", "']' expected", 3},      {"[NaN]", "invalid token", 4},
        {"[Infinity]", "invalid token", 9}, {"[-Infinity]", "invalid token", 2},
        {"[1.5.3]", "']' expected", 5},
    };
    for (size_t i = 0; i < N_OF(invalid); i++) {
        expect(invalid[i].json, JL_E_SYNTAX, invalid[i].msg, invalid[i].pos);
    }
}

/* The overflow check is exact: it agrees with strtod() near DBL_MAX, where
 * a real only overflows when it rounds to infinity. */
static void test_real_overflow(void **state)
{
    static const char *const cases[] = {
        "1.7976931348623157e308",
        "1.7976931348623158e308",
        "1.79769313486231580793728971405303415e308",
        "1.797693134862315807937289714053034150799e308",
        "1.7976931348623159e308",
        "1."
        "797693134862315807937289714053034150799341327100378269361737789804449682927647509466490179"
        "775"
        "872070963302864166928879109465555478519404026306574886715058206819089020007083836762738548"
        "4581"
        "771153176447573027006985557136695962284291481986083493647529271907416844436551070434271155"
        "9699"
        "508093042880177904174497791e308",
        "1."
        "797693134862315807937289714053034150799341327100378269361737789804449682927647509466490179"
        "775"
        "872070963302864166928879109465555478519404026306574886715058206819089020007083836762738548"
        "4581"
        "771153176447573027006985557136695962284291481986083493647529271907416844436551070434271155"
        "9699"
        "508093042880177904174497792e308",
        "1."
        "797693134862315807937289714053034150799341327100378269361737789804449682927647509466490179"
        "775"
        "872070963302864166928879109465555478519404026306574886715058206819089020007083836762738548"
        "4581"
        "771153176447573027006985557136695962284291481986083493647529271907416844436551070434271155"
        "9699"
        "5080930428801779041744977919999999999999e308",
        "-1.7976931348623159e308",
        "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017"
        "977"
        "587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854"
        "8458"
        "177115317644757302700698555713669596228429148198608349364752927190741684443655107043427115"
        "5969"
        "9508093042880177904174497792.0",
        "0.000179769313486231580793728971405303415e312",
        "1e308",
        "1e309",
        "10e308",
        "0.1e310",
        "0.01e310",
        "1e99999999999999999999",
        "1e-99999999999999999999",
        "0e99999",
        "0.0000e400",
    };
    for (size_t i = 0; i < N_OF(cases); i++) {
        jl_error e;
        errno = 0;
        double d = strtod(cases[i], NULL);
        int overflows = (d == HUGE_VAL || d == -HUGE_VAL) && errno == ERANGE;
        jl_code c = jl_validate(cases[i], strlen(cases[i]), &e);
        if (c != (overflows ? JL_E_OVERFLOW : JL_OK)) {
            fail_msg("%.50s: strtod %s, jsonlex %d", cases[i], overflows ? "overflows" : "fits", c);
        }
    }
    expect("[1e309]", JL_E_OVERFLOW, "real number overflow", 6);
}

/* An overflowing number names its key when it is an object member's value:
 * the decoders tell a bad amount from malformed input by it. */
static void test_overflow_key(void **state)
{
    jl_error e;
    const char *s = "{\"x\":{\"amount\" : 1e999}}";
    assert_int_equal(jl_validate(s, strlen(s), &e), JL_E_OVERFLOW);
    assert_true(e.has_key);
    assert_int_equal(e.key_end - e.key_start, 6);
    assert_memory_equal(s + e.key_start, "amount", 6);
    s = "{\"amount\":[1e999]}";
    assert_int_equal(jl_validate(s, strlen(s), &e), JL_E_OVERFLOW);
    assert_false(e.has_key);
    s = "99999999999999999999";
    assert_int_equal(jl_validate(s, strlen(s), &e), JL_E_OVERFLOW);
    assert_false(e.has_key);
}

/* ---- structure ---------------------------------------------------------- */

static void test_grammar(void **state)
{
    ok("{}");
    ok("[]");
    ok("\"top\"");
    ok("  7 \r\n\t");
    expect("", JL_E_SYNTAX, "unexpected token", 0);
    expect(" \t\r\n", JL_E_SYNTAX, "unexpected token", 4);
    expect("\f{}", JL_E_SYNTAX, "invalid token", 1); /* only four whitespace bytes */
    expect("{\"a\":1,}", JL_E_SYNTAX, "string or '}' expected", 8);
    expect("{\"a\" 1}", JL_E_SYNTAX, "':' expected", 6);
    expect("{\"a\":1 \"b\":2}", JL_E_SYNTAX, "'}' expected", 10);
    expect("{'a':1}", JL_E_SYNTAX, "string or '}' expected", 2);
    expect("{a:1}", JL_E_SYNTAX, "string or '}' expected", 2);
    expect("[1,]", JL_E_SYNTAX, "unexpected token", 4);
    expect("[1,", JL_E_SYNTAX, "']' expected", 3);
    expect("[", JL_E_SYNTAX, "']' expected", 1);
    expect("[1 2]", JL_E_SYNTAX, "']' expected", 4);
    expect("{\"a\":}", JL_E_SYNTAX, "unexpected token", 6);
    expect("{} {}", JL_E_SYNTAX, "end of file expected", 4);
    expect("{}x", JL_E_SYNTAX, "end of file expected", 3);
    expect("[tru]", JL_E_SYNTAX, "invalid token", 4);
    expect("[nulll]", JL_E_SYNTAX, "invalid token", 6);
    /* The first error stands: the scanner's before the grammar's. */
    expect("{\"a\" \"\xff\"}", JL_E_SYNTAX, "unable to decode byte 0xff", 6);
}

/* jansson skips a NUL after a number or a literal; this reader does not. */
static void test_nul_after_token(void **state)
{
    expect_n("[1\0]", 4, JL_E_SYNTAX, "']' expected", 3);
    expect_n("{\"a\":true\0}", 11, JL_E_SYNTAX, "'}' expected", 10);
    expect_n("7\0", 2, JL_E_SYNTAX, "end of file expected", 2);
}

static void test_depth(void **state)
{
    char *deep = malloc(2 * JL_MAX_DEPTH + 2);
    memset(deep, '[', JL_MAX_DEPTH);
    memset(deep + JL_MAX_DEPTH, ']', JL_MAX_DEPTH);
    expect_n(deep, 2 * JL_MAX_DEPTH, JL_OK, NULL, 0);
    /* A value inside the deepest array is one level too deep. */
    memcpy(deep + JL_MAX_DEPTH, "1", 1);
    memset(deep + JL_MAX_DEPTH + 1, ']', JL_MAX_DEPTH);
    expect_n(deep, 2 * JL_MAX_DEPTH + 1, JL_E_SYNTAX, "maximum parsing depth reached",
             JL_MAX_DEPTH + 1);
    memset(deep, '[', JL_MAX_DEPTH + 1);
    memset(deep + JL_MAX_DEPTH + 1, ']', JL_MAX_DEPTH + 1);
    expect_n(deep, 2 * JL_MAX_DEPTH + 2, JL_E_SYNTAX, "maximum parsing depth reached",
             JL_MAX_DEPTH + 1);
    /* Objects count the same. */
    char *objects = malloc(6 * JL_MAX_DEPTH);
    size_t n = 0;
    for (int i = 0; i < JL_MAX_DEPTH + 1; i++) {
        memcpy(objects + n, "{\"a\":", 5);
        n += 5;
    }
    expect_n(objects, n, JL_E_SYNTAX, "maximum parsing depth reached", n - 4); /* after the '{' */
    free(objects);
    free(deep);
}

/* ---- duplicate keys ----------------------------------------------------- */

static void expect_duplicate(const char *s, size_t pos, const char *raw_key)
{
    jl_error e;
    assert_int_equal(jl_validate(s, strlen(s), &e), JL_E_DUPLICATE);
    assert_string_equal(e.text, "duplicate object key");
    assert_int_equal(e.pos, pos);
    assert_true(e.has_key);
    assert_int_equal(e.key_end - e.key_start, strlen(raw_key));
    assert_memory_equal(s + e.key_start, raw_key, strlen(raw_key));
}

static void test_duplicates(void **state)
{
    expect_duplicate("{\"a\":1,\"a\":2}", 10, "a");
    expect_duplicate("{\"a\":1,\"\\u0061\":2}", 15, "\\u0061"); /* compared decoded */
    expect_duplicate("{\"\\u00e9\":1,\"\xc3\xa9\":2}", 16, "\xc3\xa9");
    expect_duplicate("[{\"a\":1,\"b\":{\"c\":1,\"c\":2}}]", 22, "c");
    expect_duplicate("{\"a\":{},\"a\":[1,}", 11, "a"); /* before the syntax error */
    expect("{\"a\":[1,}, \"a\":1}", JL_E_SYNTAX, "unexpected token", 9);
    ok("[{\"a\":1},{\"a\":2}]");             /* sibling objects */
    ok("{\"a\":{\"a\":{\"a\":1}},\"b\":1}"); /* different depths */
    ok("{\"a\":1,\"A\":2,\"a \":3,\"\":4}");
    ok("{\"\\ud83d\\ude00\":1,\"\\ud83d\\ude01\":1}");
    /* The bare reader leaves repeats to its caller. */
    jl_error e;
    assert_int_equal(read_all("{\"a\":1,\"a\":2}", 0, &e), JL_OK);
}

/* Appends "k<i>":0 members to an object being built in buf. */
static size_t add_keys(char *buf, size_t n, int from, int to)
{
    for (int i = from; i < to; i++) {
        n += (size_t)sprintf(buf + n, "%s\"k%d\":0", buf[n - 1] == '{' ? "" : ",", i);
    }
    return n;
}

/* More keys than one pass remembers: every pair is still compared, and
 * the first repeat in the input is the one reported. */
static void test_many_keys(void **state)
{
    char *buf = malloc(64 * 1024);
    size_t n = add_keys(buf, (size_t)sprintf(buf, "{"), 0, 3000);
    strcpy(buf + n, "}");
    ok(buf);

    /* A repeat of key 5 after 2000 others. */
    n = add_keys(buf, (size_t)sprintf(buf, "{"), 0, 2000);
    n += (size_t)sprintf(buf + n, ",\"k5\":1");
    size_t first_end = n - 2; /* past the quote of "k5" */
    n += (size_t)sprintf(buf + n, ",\"k1999\":1}");
    expect_duplicate(buf, first_end, "k5");

    /* Two repeats: of key 1500 (found in a later pass) before key 3 (found in
     * the first pass); the earlier one in the input wins. */
    n = add_keys(buf, (size_t)sprintf(buf, "{"), 0, 1600);
    n += (size_t)sprintf(buf + n, ",\"k1500\":1");
    size_t later_pass_end = n - 2;
    n += (size_t)sprintf(buf + n, ",\"k3\":1}");
    expect_duplicate(buf, later_pass_end, "k1500");

    /* Many keys in an outer object around a small inner one. */
    n = add_keys(buf, (size_t)sprintf(buf, "{"), 0, 1000);
    n += (size_t)sprintf(buf + n, ",\"in\":{\"k1\":1,\"k2\":2}");
    n = add_keys(buf, n, 1000, 2000);
    strcpy(buf + n, ",\"in\":0}");
    expect_duplicate(buf, n + 5, "in");
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_skip),
        cmocka_unit_test(test_string_values),
        cmocka_unit_test(test_string_errors),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_number_grammar),
        cmocka_unit_test(test_real_overflow),
        cmocka_unit_test(test_overflow_key),
        cmocka_unit_test(test_grammar),
        cmocka_unit_test(test_nul_after_token),
        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_many_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
