/* test_html.c - escaping for pages: every character that could leave a
 * text node or an attribute, cuts at character boundaries, URL encoding. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "http.h"

static char *text(const char *s, size_t max)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    html_text(out, s, max);
    fclose(out);
    return buf;
}

static char *url(const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    html_url(out, s);
    fclose(out);
    return buf;
}

static void assert_text(const char *in, size_t max, const char *want)
{
    char *got = text(in, max);
    assert_string_equal(got, want);
    free(got);
}

static void test_text_escapes_markup_and_quotes(void **state)
{
    (void)state;
    assert_text("<script>alert(1)</script>", 0, "&lt;script&gt;alert(1)&lt;/script&gt;");
    assert_text("a\"b'c&d", 0, "a&quot;b&#39;c&amp;d");
    assert_text("\"><img src=x onerror=alert(2)>", 0,
                "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;");
    assert_text("tab\there\nnew\x7f", 0, "tab?here?new?");
    assert_text("6222021234567890123", 0, "6222021234567890123");
    assert_text("", 0, "");
    char *got = text(NULL, 0);
    assert_string_equal(got, "");
    free(got);
}

static void test_text_cuts_at_a_character(void **state)
{
    (void)state;
    /* "é" is two bytes: a cut at 2 must not split it. */
    assert_text("a\xc3\xa9z", 2, "a\xe2\x80\xa6");
    assert_text("a\xc3\xa9z", 3, "a\xc3\xa9\xe2\x80\xa6");
    assert_text("abcd", 4, "abcd");
    /* The limit counts input bytes; escapes do not use it up. */
    assert_text("<<<<<", 3, "&lt;&lt;&lt;\xe2\x80\xa6");
    char *longer = malloc(5001);
    memset(longer, 'x', 5000);
    longer[5000] = '\0';
    char *got = text(longer, 80);
    assert_int_equal(strlen(got), 83);
    free(got);
    free(longer);
}

static void test_escape_into_a_buffer(void **state)
{
    (void)state;
    char buf[16];
    assert_string_equal(html_escape("<a href='x'>", buf, sizeof(buf)), "&lt;a href=");
    /* A reference never half written, a character never split. */
    assert_string_equal(html_escape("abcdefghijklm&", buf, sizeof(buf)), "abcdefghijklm");
    assert_string_equal(html_escape("abcdefghijklmn\xc3\xa9", buf, sizeof(buf)), "abcdefghijklmn");
    assert_string_equal(html_escape(NULL, buf, sizeof(buf)), "");
}

static void test_url_encodes_all_but_unreserved(void **state)
{
    (void)state;
    char *got = url("fr-1_a.b~c");
    assert_string_equal(got, "fr-1_a.b~c");
    free(got);
    got = url("'\"><svg onload=x>/?&#%");
    assert_string_equal(got, "%27%22%3E%3Csvg%20onload%3Dx%3E%2F%3F%26%23%25");
    free(got);
    got = url("\xc3\xa9");
    assert_string_equal(got, "%C3%A9");
    free(got);
}

static void test_listen_addresses(void **state)
{
    (void)state;
    char errstr[256];
    struct sockaddr_in sa;
    assert_int_equal(http_parse_listen("k", "127.0.0.1:9470", &sa, errstr, sizeof(errstr)), 0);
    assert_true(http_is_loopback(&sa));
    assert_int_equal(http_parse_listen("k", "localhost:0", &sa, errstr, sizeof(errstr)), 0);
    assert_true(http_is_loopback(&sa));
    assert_int_equal(http_parse_listen("k", "127.8.9.10:1", &sa, errstr, sizeof(errstr)), 0);
    assert_true(http_is_loopback(&sa));
    assert_int_equal(http_parse_listen("k", "0.0.0.0:9470", &sa, errstr, sizeof(errstr)), 0);
    assert_false(http_is_loopback(&sa));
    assert_int_equal(http_parse_listen("k", "10.1.2.3:80", &sa, errstr, sizeof(errstr)), 0);
    assert_false(http_is_loopback(&sa));
    assert_int_equal(http_parse_listen("console.listen", "nonsense", &sa, errstr, sizeof(errstr)),
                     -1);
    assert_string_equal(errstr, "console.listen: expected HOST:PORT, got \"nonsense\"");
    assert_int_equal(http_parse_listen("k", "1.2.3.4:70000", &sa, errstr, sizeof(errstr)), -1);
    assert_string_equal(errstr, "k: bad port in \"1.2.3.4:70000\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_escapes_markup_and_quotes),
        cmocka_unit_test(test_text_cuts_at_a_character),
        cmocka_unit_test(test_escape_into_a_buffer),
        cmocka_unit_test(test_url_encodes_all_but_unreserved),
        cmocka_unit_test(test_listen_addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
