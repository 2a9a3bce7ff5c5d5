/* fuzz_jsonlex.c - libFuzzer harness for jsonlex: any bytes, no crash; the same verdict, message,
 * position and values as jansson.
 *
 * Every input goes through jl_validate(), through the bare reader
 * (jl_next() to the end) and through jansson's json_loadb() with the flags
 * the decoders used (JSON_REJECT_DUPLICATES | JSON_DECODE_ANY):
 *  - both accept or both reject; on rejection the same kind of error
 *    (syntax, numeric overflow, duplicate key), the same message (jansson's
 *    without its "near ..." tail) and the same byte position;
 *  - on acceptance the reader's tokens are jansson's tree in document order:
 *    the same keys and strings byte for byte after decoding, the same
 *    integers, reals of the same value;
 *  - the reader agrees with jl_validate() except where jl_validate() found
 *    a repeated key, which the reader does not look for.
 * The one tolerated difference: jansson 2.14 skips a NUL byte that follows a
 * number or a literal (its lookahead cannot push a NUL back); jsonlex
 * rejects it as an invalid token there (docs/decoding.md).
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonlex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);          \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* jsonlex rejects, at pos, a NUL that jansson skipped: a NUL right after a
 * number or a literal (the reader reports the token after it, one past it). */
static int skipped_nul(const uint8_t *data, const jl_error *e)
{
    if (e->code != JL_E_SYNTAX || e->pos < 2 || data[e->pos - 1] != 0) {
        return 0;
    }
    uint8_t before = data[e->pos - 2];
    return (before >= '0' && before <= '9') || ((before | 0x20) >= 'a' && (before | 0x20) <= 'z');
}

static void check_error(const jl_error *e, const json_error_t *jerr)
{
    const char *near = strstr(jerr->text, " near ");
    size_t n = near ? (size_t)(near - jerr->text) : strlen(jerr->text);
    enum json_error_code code = json_error_code(jerr);
    if (strlen(e->text) != n || memcmp(e->text, jerr->text, n) != 0 ||
        (size_t)jerr->position != e->pos) {
        fprintf(stderr, "jsonlex: \"%s\" at byte %zu\njansson: \"%s\" at byte %d\n", e->text,
                e->pos, jerr->text, jerr->position);
        abort();
    }
    CHECK((code == json_error_duplicate_key) == (e->code == JL_E_DUPLICATE));
    CHECK((code == json_error_numeric_overflow) == (e->code == JL_E_OVERFLOW));
}

static void next(jl_reader *r, jl_token *t)
{
    CHECK(jl_next(r, t) == JL_OK);
}

/* The decoded string of t equals s[0..n). */
static void check_string(const uint8_t *data, const jl_token *t, const char *s, size_t n)
{
    char buf[512];
    size_t got = jl_string(data, t, buf, sizeof buf);
    CHECK(got == n);
    CHECK(memcmp(buf, s, n < sizeof buf ? n : sizeof buf) == 0);
    if (!t->escaped) {
        CHECK(t->end - t->start == n);
    }
}

static void walk(const uint8_t *data, jl_reader *r, json_t *j);

static void walk_object(const uint8_t *data, jl_reader *r, json_t *j)
{
    jl_token t;
    const char *key;
    json_t *value;
    json_object_foreach(j, key, value)
    {
        next(r, &t);
        CHECK(t.kind == JL_KEY);
        check_string(data, &t, key, json_object_iter_key_len(json_object_key_to_iter(key)));
        walk(data, r, value);
    }
    next(r, &t);
    CHECK(t.kind == JL_OBJECT_END);
}

static void walk_array(const uint8_t *data, jl_reader *r, json_t *j)
{
    jl_token t;
    size_t i;
    json_t *value;
    json_array_foreach(j, i, value)
    {
        walk(data, r, value);
    }
    next(r, &t);
    CHECK(t.kind == JL_ARRAY_END);
}

/* Reads the value j was parsed from and checks it is j. */
static void walk(const uint8_t *data, jl_reader *r, json_t *j)
{
    jl_token t;
    char text[64];
    next(r, &t);
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        CHECK(t.kind == JL_OBJECT);
        walk_object(data, r, j);
        break;
    case JSON_ARRAY:
        CHECK(t.kind == JL_ARRAY);
        walk_array(data, r, j);
        break;
    case JSON_STRING:
        CHECK(t.kind == JL_STRING);
        check_string(data, &t, json_string_value(j), json_string_length(j));
        break;
    case JSON_INTEGER:
        CHECK(t.kind == JL_INTEGER && t.integer == json_integer_value(j));
        break;
    case JSON_REAL:
        CHECK(t.kind == JL_REAL);
        if (t.end - t.start < sizeof text) { /* longer ones: the overflow check is exact */
            memcpy(text, data + t.start, t.end - t.start);
            text[t.end - t.start] = '\0';
            CHECK(strtod(text, NULL) == json_real_value(j));
        }
        break;
    case JSON_TRUE:
        CHECK(t.kind == JL_TRUE);
        break;
    case JSON_FALSE:
        CHECK(t.kind == JL_FALSE);
        break;
    case JSON_NULL:
        CHECK(t.kind == JL_NULL);
        break;
    }
}

/* The bare reader to the end: the error, or JL_OK. */
static jl_code read_all(const uint8_t *data, size_t size, jl_error *e)
{
    jl_reader r;
    jl_token t;
    jl_code c;
    jl_init(&r, data, size);
    while ((c = jl_next(&r, &t)) == JL_OK && t.kind != JL_END) {
    }
    CHECK(jl_next(&r, &t) == c); /* errors and the end are sticky */
    *e = r.err;
    return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    jl_error e, bare;
    jl_code c = jl_validate(data, size, &e);
    jl_code rc = read_all(data, size, &bare);
    if (c == JL_E_DUPLICATE) {
        CHECK(rc == JL_OK || bare.pos >= e.pos);
    } else {
        CHECK(rc == c);
        CHECK(c == JL_OK || (bare.pos == e.pos && strcmp(bare.text, e.text) == 0));
    }

    json_error_t jerr;
    json_t *j =
        json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (c != JL_OK && skipped_nul(data, &e)) {
        json_decref(j);
        return 0;
    }
    if (!j) {
        CHECK(c != JL_OK);
        check_error(&e, &jerr);
        return 0;
    }
    if (c != JL_OK) {
        fprintf(stderr, "jsonlex rejects what jansson accepts: \"%s\" at byte %zu\n", e.text,
                e.pos);
        abort();
    }
    jl_reader r;
    jl_token t;
    jl_init(&r, data, size);
    walk(data, &r, j);
    next(&r, &t);
    CHECK(t.kind == JL_END);
    json_decref(j);
    return 0;
}
