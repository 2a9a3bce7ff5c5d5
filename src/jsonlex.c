/* jsonlex.c - a strict, allocation-free JSON reader for interdict's flat wire messages.
 *
 * Why hand-written: jansson built a tree for every message, a node per value
 * and a hash table per object, and that was 90% of decoding a transfer. The
 * decoders only need to walk a flat object once, so this reader hands out
 * tokens as offsets into the message and never allocates.
 *
 * Why it mimics jansson so closely: the decoders' accept/reject decisions and
 * dead-letter details are a contract, and they were defined by jansson 2.14.
 * The scanner is therefore modelled on jansson's load.c: the same grammar
 * states, the same one-character lookahead after numbers and literals (which
 * decides whether invalid UTF-8 after a number is reported before the number
 * overflows), the same order of checks on a string (raw characters first,
 * then surrogate pairs, then NUL), the same messages and the same byte
 * positions. tests/fuzz/fuzz_jsonlex.c checks all of it against jansson
 * itself.
 *
 * Positions follow jansson's stream: after a token, the position is one past
 * its last byte; a rejected byte is reported at its own offset for invalid
 * UTF-8 and control characters in strings, one past it otherwise.
 *
 * Duplicate keys: jl_validate() keeps the keys of every open object in a
 * fixed table on the stack, a stack itself (an object's keys are dropped
 * when it closes) with hash chains that unwind in the same order. When more
 * keys are open than the table holds, it makes more passes: pass p remembers
 * keys p*JL_SLOTS .. (p+1)*JL_SLOTS-1 and looks every later key up, so every
 * pair of equal keys is compared in the pass of the first one.
 */
#include "jsonlex.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Tokens of the scanner, as jansson's lex_scan() returns them. */
enum {
    T_EOF,
    T_LBRACE,
    T_RBRACE,
    T_LBRACKET,
    T_RBRACKET,
    T_COLON,
    T_COMMA,
    T_STRING,
    T_INTEGER,
    T_REAL,
    T_TRUE,
    T_FALSE,
    T_NULL,
    T_INVALID, /* not a token; no error yet, the grammar reports it */
    T_ERROR    /* the scanner rejected the input; r->err says why */
};

/* Grammar states: what the next token may be. */
enum {
    ST_VALUE,     /* the top-level value */
    ST_OBJ_FIRST, /* after '{': a key or '}' */
    ST_COLON,     /* after a key: ':' and the value */
    ST_OBJ_NEXT,  /* after a member: ',' and a key, or '}' */
    ST_ARR_FIRST, /* after '[': a value or ']' */
    ST_ARR_NEXT,  /* after an element: ',' or ']' */
    ST_END,       /* after the top-level value: the end of input */
    ST_DONE,
    ST_FAILED
};

/* Classes of string bytes: the scanner loops over C_PLAIN. */
enum { C_PLAIN, C_QUOTE, C_ESCAPE, C_CONTROL, C_HIGH };

static const unsigned char string_class[256] = {
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, /* 0x00 */
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, /* 0x10 */
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x20: '"' */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x30 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x40 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, /* 0x50: '\\' */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x60 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x70 */
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, /* 0x80 */
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, /* 0x90 */
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, /* 0xa0 */
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, /* 0xb0 */
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, /* 0xc0 */
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, /* 0xd0 */
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, /* 0xe0 */
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, /* 0xf0 */
};

/* ---- errors ------------------------------------------------------------- */

/* Keeps the first error only, as jansson does: a scanner error stands even
 * though the grammar then fails on the token too. */
__attribute__((format(printf, 4, 5))) static jl_code set_error(jl_reader *r, jl_code code,
                                                               size_t pos, const char *fmt, ...)
{
    if (r->err.code != JL_OK) {
        return r->err.code;
    }
    r->err.code = code;
    r->err.pos = pos;
    r->err.has_key = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err.text, sizeof r->err.text, fmt, ap);
    va_end(ap);
    r->state = ST_FAILED;
    return code;
}

/* A grammar error is reported where the scanner stopped. */
static jl_code syntax(jl_reader *r, const char *msg)
{
    return set_error(r, JL_E_SYNTAX, r->pos, "%s", msg);
}

/* Scanner errors: they return T_ERROR so that callers can pass them on. */
static int bad_utf8(jl_reader *r, size_t at)
{
    set_error(r, JL_E_SYNTAX, at, "unable to decode byte 0x%x", r->buf[at]);
    return T_ERROR;
}

static int bad_string(jl_reader *r, size_t at, const char *msg)
{
    set_error(r, JL_E_SYNTAX, at, "%s", msg);
    return T_ERROR;
}

/* ---- characters --------------------------------------------------------- */

static int is_digit(unsigned c)
{
    return c - '0' < 10;
}

static int is_alpha(unsigned c)
{
    return (c | 0x20) - 'a' < 26;
}

static int hex_value(unsigned c)
{
    if (is_digit(c)) {
        return (int)(c - '0');
    }
    c |= 0x20;
    return c - 'a' < 6 ? (int)(c - 'a' + 10) : -1;
}

/* Length of the valid UTF-8 sequence at p (2 to 4), or 0: overlong forms,
 * surrogates, values above U+10FFFF and cut sequences are invalid. */
static size_t utf8_length(const unsigned char *p, size_t avail)
{
    unsigned c = p[0];
    size_t n;
    uint32_t v;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        v = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        v = c & 0x07;
    } else {
        return 0;
    }
    if (avail < n) {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            return 0;
        }
        v = v << 6 | (p[i] & 0x3Fu);
    }
    if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || (n == 3 && v < 0x800) ||
        (n == 4 && v < 0x10000)) {
        return 0;
    }
    return n;
}

/* jansson validates every character it reads, lookahead included: a number
 * followed by invalid UTF-8 is an encoding error, not a number error. */
static int lookahead_bad(jl_reader *r, size_t at)
{
    return at < r->len && r->buf[at] >= 0x80 && utf8_length(r->buf + at, r->len - at) == 0;
}

/* The code unit of the \uXXXX escape at p (p[0] is the backslash). */
static unsigned escape_unit(const unsigned char *p)
{
    unsigned v = 0;
    for (int i = 2; i < 6; i++) {
        v = v << 4 | (unsigned)hex_value(p[i]);
    }
    return v;
}

/* ---- scanner: strings --------------------------------------------------- */

/* One escape at b[i] (a backslash) of the raw scan; returns its length or 0
 * with the error set. */
static size_t scan_escape(jl_reader *r, size_t i, int *unicode)
{
    const unsigned char *b = r->buf;
    size_t len = r->len;
    if (i + 1 >= len) {
        bad_string(r, len, "invalid escape");
        return 0;
    }
    if (lookahead_bad(r, i + 1)) {
        bad_utf8(r, i + 1);
        return 0;
    }
    switch (b[i + 1]) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
        return 2;
    case 'u':
        break;
    default:
        bad_string(r, i + 2, "invalid escape");
        return 0;
    }
    for (size_t at = i + 2; at < i + 6; at++) {
        if (at >= len) {
            bad_string(r, len, "invalid escape");
            return 0;
        }
        if (lookahead_bad(r, at)) {
            bad_utf8(r, at);
            return 0;
        }
        if (hex_value(b[at]) < 0) {
            bad_string(r, at + 1, "invalid escape");
            return 0;
        }
    }
    *unicode = 1;
    return 6;
}

/* The second look jansson takes at a string with \u escapes, once its raw
 * text is known to be well formed: surrogates must pair up, and a \u0000
 * is noted (whether it is allowed depends on key or value). */
static int check_units(jl_reader *r, const jl_token *t)
{
    const unsigned char *b = r->buf;
    size_t i = t->start;
    while (i < t->end) {
        if (b[i] != '\\') {
            i++;
            continue;
        }
        if (b[i + 1] != 'u') {
            i += 2;
            continue;
        }
        unsigned u = escape_unit(b + i);
        i += 6;
        if (u >= 0xD800 && u <= 0xDBFF) {
            if (i + 1 < t->end && b[i] == '\\' && b[i + 1] == 'u') {
                unsigned low = escape_unit(b + i);
                i += 6;
                if (low < 0xDC00 || low > 0xDFFF) {
                    set_error(r, JL_E_SYNTAX, r->pos, "invalid Unicode '\\u%04X\\u%04X'", u, low);
                    return T_ERROR;
                }
            } else {
                set_error(r, JL_E_SYNTAX, r->pos, "invalid Unicode '\\u%04X'", u);
                return T_ERROR;
            }
        } else if (u >= 0xDC00 && u <= 0xDFFF) {
            set_error(r, JL_E_SYNTAX, r->pos, "invalid Unicode '\\u%04X'", u);
            return T_ERROR;
        }
        r->nul |= u == 0;
    }
    return T_STRING;
}

#define ONES  0x0101010101010101ULL /* a byte of 1 in every lane */
#define HIGHS 0x8080808080808080ULL /* the top bit of every lane */

/* Offset of the first byte at or after b[i] that is not C_PLAIN. Strings are
 * most of a message, so eight bytes are tested at a time: a lane is flagged
 * if it is below 0x20 ((v - 0x20) & ~v has its top bit set), a quote or a
 * backslash (the same test for zero after an exclusive or), or not ASCII.
 * A borrow can also flag a lane above a real match, never below one, so the
 * lowest flag is exact; it is the only one used (the first byte in memory on
 * a little-endian machine; elsewhere bytes are tested one at a time). */
static size_t skip_plain(const unsigned char *b, size_t len, size_t i)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    while (i + 8 <= len) {
        uint64_t x;
        memcpy(&x, b + i, 8);
        uint64_t quote = x ^ (ONES * '"');
        uint64_t escape = x ^ (ONES * '\\');
        uint64_t hit = (((x - ONES * 0x20) & ~x) | ((quote - ONES) & ~quote) |
                        ((escape - ONES) & ~escape) | x) &
                       HIGHS;
        if (hit) {
            return i + (size_t)__builtin_ctzll(hit) / 8;
        }
        i += 8;
    }
#endif
    while (i < len && string_class[b[i]] == C_PLAIN) {
        i++;
    }
    return i;
}

/* A string starting at the quote at r->pos. */
static int scan_string(jl_reader *r, jl_token *t)
{
    const unsigned char *b = r->buf;
    size_t len = r->len;
    size_t i = r->pos + 1;
    int unicode = 0;
    t->start = i;
    t->escaped = 0;
    r->nul = 0;
    for (;;) {
        i = skip_plain(b, len, i);
        if (i >= len) {
            return bad_string(r, len, "premature end of input");
        }
        if (b[i] == '"') {
            t->end = i;
            r->pos = i + 1;
            return unicode ? check_units(r, t) : T_STRING;
        }
        size_t n;
        switch (string_class[b[i]]) {
        case C_CONTROL:
            if (b[i] == '\n') {
                return bad_string(r, i, "unexpected newline");
            }
            set_error(r, JL_E_SYNTAX, i, "control character 0x%x", b[i]);
            return T_ERROR;
        case C_HIGH:
            n = utf8_length(b + i, len - i);
            if (n == 0) {
                return bad_utf8(r, i);
            }
            i += n;
            break;
        default: /* C_ESCAPE */
            n = scan_escape(r, i, &unicode);
            if (n == 0) {
                return T_ERROR;
            }
            t->escaped = 1;
            i += n;
            break;
        }
    }
}

/* ---- scanner: numbers --------------------------------------------------- */

/* The digits of 2^1024 - 2^970, halfway between DBL_MAX and the next power
 * of two: strtod() rounds anything at or above it to infinity, and that is
 * when jansson rejects a real. */
static const char real_limit[] =
    "17976931348623158079372897140530341507993413271003782693617377898044496829276475094664901797"
    "75872070963302864166928879109465555478519404026306574886715058206819089020007083836762738548"
    "45817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711"
    "559699508093042880177904174497792";

#define REAL_LIMIT_EXP 309 /* real_limit is 0.<digits> * 10^309 */

/* Whether the JSON real p[0..n) is too large for a double: its significant
 * digits and decimal exponent against real_limit, exactly. */
static int real_overflows(const unsigned char *p, size_t n)
{
    size_t i = p[0] == '-';
    size_t first = 0, ndigits = 0; /* significant digits, as offsets into p */
    int64_t exp10 = 0;             /* the value is 0.<digits> * 10^exp10 */
    int seen_point = 0;
    for (; i < n && (is_digit(p[i]) || p[i] == '.'); i++) {
        if (p[i] == '.') {
            seen_point = 1;
        } else if (ndigits == 0 && p[i] == '0') {
            exp10 -= seen_point; /* a leading zero after the point */
        } else {
            first = ndigits == 0 ? i : first;
            ndigits++;
            exp10 += !seen_point;
        }
    }
    if (ndigits == 0) {
        return 0; /* zero */
    }
    if (i < n) { /* 'e' or 'E' */
        int neg = p[++i] == '-';
        int64_t e = 0;
        i += p[i] == '-' || p[i] == '+';
        for (; i < n; i++) {
            e = e < 100000000 ? e * 10 + (p[i] - '0') : e; /* far past any double */
        }
        exp10 += neg ? -e : e;
    }
    if (exp10 != REAL_LIMIT_EXP) {
        return exp10 > REAL_LIMIT_EXP;
    }
    /* Same magnitude: compare the digits, the shorter padded with zeros. */
    size_t k = 0;
    for (i = first; i < n && (is_digit(p[i]) || p[i] == '.'); i++) {
        if (p[i] == '.') {
            continue;
        }
        char limit = real_limit[k] ? real_limit[k] : '0';
        if (p[i] != limit) {
            return p[i] > limit;
        }
        k += real_limit[k] != '\0';
    }
    return real_limit[k] == '\0'; /* equal to the limit: rounds up, overflows */
}

/* The int64 value of the JSON integer p[0..n), or -1 if it does not fit. */
static int integer_value(const unsigned char *p, size_t n, int64_t *out)
{
    int neg = p[0] == '-';
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t v = 0;
    for (size_t i = (size_t)neg; i < n; i++) {
        unsigned d = p[i] - '0';
        if (v > (limit - d) / 10) {
            return -1;
        }
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

static int overflow(jl_reader *r, size_t at, const char *msg)
{
    set_error(r, JL_E_OVERFLOW, at, "%s", msg);
    r->err.has_key = r->in_member;
    r->err.key_start = r->key_start;
    r->err.key_end = r->key_end;
    return T_ERROR;
}

/* Digits from b[i]; returns the offset of the first byte after them. */
static size_t skip_digits(const unsigned char *b, size_t len, size_t i)
{
    while (i < len && is_digit(b[i])) {
        i++;
    }
    return i;
}

/* Not a number after all: jansson stops before the offending byte. */
static int not_number(jl_reader *r, size_t at)
{
    r->pos = at;
    return T_INVALID;
}

/* The fraction and exponent of a real whose integer part ends at b[i]. */
static int scan_real(jl_reader *r, jl_token *t, size_t i)
{
    const unsigned char *b = r->buf;
    size_t len = r->len;
    if (b[i] == '.') {
        i++;
        if (lookahead_bad(r, i)) {
            return bad_utf8(r, i);
        }
        if (i >= len || !is_digit(b[i])) {
            return not_number(r, i);
        }
        i = skip_digits(b, len, i);
        if (lookahead_bad(r, i)) {
            return bad_utf8(r, i);
        }
    }
    if (i < len && (b[i] == 'e' || b[i] == 'E')) {
        i++;
        if (lookahead_bad(r, i)) {
            return bad_utf8(r, i);
        }
        if (i < len && (b[i] == '+' || b[i] == '-')) {
            i++;
            if (lookahead_bad(r, i)) {
                return bad_utf8(r, i);
            }
        }
        if (i >= len || !is_digit(b[i])) {
            return not_number(r, i);
        }
        i = skip_digits(b, len, i);
        if (lookahead_bad(r, i)) {
            return bad_utf8(r, i);
        }
    }
    r->pos = t->end = i;
    if (real_overflows(b + t->start, i - t->start)) {
        return overflow(r, i, "real number overflow");
    }
    return T_REAL;
}

/* A number starting at r->pos ('-' or a digit). */
static int scan_number(jl_reader *r, jl_token *t)
{
    const unsigned char *b = r->buf;
    size_t len = r->len;
    size_t i = r->pos + (b[r->pos] == '-');
    t->start = r->pos;
    if (lookahead_bad(r, i)) {
        return bad_utf8(r, i);
    }
    if (i < len && b[i] == '0') {
        i++;
        if (lookahead_bad(r, i)) {
            return bad_utf8(r, i);
        }
        if (i < len && is_digit(b[i])) {
            return not_number(r, i); /* a leading zero */
        }
    } else if (i < len && is_digit(b[i])) {
        i = skip_digits(b, len, i);
        if (lookahead_bad(r, i)) {
            return bad_utf8(r, i);
        }
    } else {
        return not_number(r, i);
    }
    if (i < len && (b[i] == '.' || b[i] == 'e' || b[i] == 'E')) {
        return scan_real(r, t, i);
    }
    r->pos = t->end = i;
    if (integer_value(b + t->start, i - t->start, &t->integer) != 0) {
        return overflow(r, i, b[t->start] == '-' ? "too big negative integer" : "too big integer");
    }
    return T_INTEGER;
}

/* ---- scanner: the rest -------------------------------------------------- */

/* A run of letters: true, false, null, or an invalid token. */
static int scan_word(jl_reader *r)
{
    const unsigned char *b = r->buf;
    size_t start = r->pos;
    size_t i = start;
    while (i < r->len && is_alpha(b[i])) {
        i++;
    }
    if (lookahead_bad(r, i)) {
        return bad_utf8(r, i);
    }
    r->pos = i;
    size_t n = i - start;
    if (n == 4 && memcmp(b + start, "true", 4) == 0) {
        return T_TRUE;
    }
    if (n == 5 && memcmp(b + start, "false", 5) == 0) {
        return T_FALSE;
    }
    if (n == 4 && memcmp(b + start, "null", 4) == 0) {
        return T_NULL;
    }
    return T_INVALID;
}

/* Any other byte: one invalid token, a whole character long. */
static int scan_other(jl_reader *r)
{
    size_t at = r->pos;
    if (r->buf[at] < 0x80) {
        r->pos = at + 1;
        return T_INVALID;
    }
    size_t n = utf8_length(r->buf + at, r->len - at);
    if (n == 0) {
        return bad_utf8(r, at);
    }
    r->pos = at + n;
    return T_INVALID;
}

/* The token of a one-byte punctuation character, or 0. */
static int punctuation(unsigned c)
{
    switch (c) {
    case '{':
        return T_LBRACE;
    case '}':
        return T_RBRACE;
    case '[':
        return T_LBRACKET;
    case ']':
        return T_RBRACKET;
    case ':':
        return T_COLON;
    case ',':
        return T_COMMA;
    default:
        return 0;
    }
}

/* The next token, after whitespace; t->start/end span it. Strings and
 * numbers are tested for first: they are most tokens of a message. */
static int scan(jl_reader *r, jl_token *t)
{
    const unsigned char *b = r->buf;
    size_t len = r->len;
    size_t i = r->pos;
    while (i < len && b[i] <= ' ' &&
           (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
        i++;
    }
    r->pos = i;
    t->start = i;
    if (i >= len) {
        t->end = i;
        return T_EOF;
    }
    unsigned c = b[i];
    if (c == '"') {
        return scan_string(r, t);
    }
    if (is_digit(c) || c == '-') {
        return scan_number(r, t);
    }
    int k = punctuation(c);
    if (k != 0) {
        r->pos = t->end = i + 1;
        return k;
    }
    return is_alpha(c) ? scan_word(r) : scan_other(r);
}

/* ---- grammar ------------------------------------------------------------ */

void jl_init(jl_reader *r, const void *buf, size_t len)
{
    r->buf = buf;
    r->len = len;
    r->pos = 0;
    r->state = ST_VALUE;
    r->depth = 0;
    r->nul = 0;
    r->in_member = 0;
    r->key_start = r->key_end = 0;
    r->err.code = JL_OK;
    r->err.pos = 0;
    r->err.has_key = 0;
    r->err.key_start = r->err.key_end = 0;
    r->err.text[0] = '\0';
}

static int parent_is_object(const jl_reader *r)
{
    unsigned d = r->depth - 1;
    return r->is_object[d / 8] >> (d % 8) & 1;
}

static void after_value(jl_reader *r)
{
    if (r->depth == 0) {
        r->state = ST_END;
    } else {
        r->state = parent_is_object(r) ? ST_OBJ_NEXT : ST_ARR_NEXT;
    }
}

static void open_level(jl_reader *r, int object)
{
    unsigned d = r->depth++;
    unsigned char bit = (unsigned char)(1u << (d % 8));
    r->is_object[d / 8] =
        (unsigned char)(object ? r->is_object[d / 8] | bit : r->is_object[d / 8] & ~bit);
    r->state = object ? ST_OBJ_FIRST : ST_ARR_FIRST;
}

static jl_code close_level(jl_reader *r, jl_token *t, jl_kind kind)
{
    r->depth--;
    t->kind = kind;
    after_value(r);
    return JL_OK;
}

/* A value whose first token k was just scanned (jansson's parse_value()). */
static jl_code value(jl_reader *r, int k, jl_token *t)
{
    static const jl_kind scalars[] = {
        [T_STRING] = JL_STRING, [T_INTEGER] = JL_INTEGER, [T_REAL] = JL_REAL,
        [T_TRUE] = JL_TRUE,     [T_FALSE] = JL_FALSE,     [T_NULL] = JL_NULL,
    };
    if (r->depth >= JL_MAX_DEPTH) {
        return syntax(r, "maximum parsing depth reached");
    }
    switch (k) {
    case T_STRING:
        if (r->nul) {
            return syntax(r, "\\u0000 is not allowed without JSON_ALLOW_NUL");
        }
        /* fall through */
    case T_INTEGER:
    case T_REAL:
    case T_TRUE:
    case T_FALSE:
    case T_NULL:
        t->kind = scalars[k];
        after_value(r);
        return JL_OK;
    case T_LBRACE:
    case T_LBRACKET:
        t->kind = k == T_LBRACE ? JL_OBJECT : JL_ARRAY;
        open_level(r, k == T_LBRACE);
        return JL_OK;
    case T_INVALID:
        return syntax(r, "invalid token");
    default:
        return syntax(r, "unexpected token");
    }
}

/* A member name whose token k was just scanned. */
static jl_code key(jl_reader *r, int k, jl_token *t)
{
    if (k != T_STRING) {
        return syntax(r, "string or '}' expected");
    }
    if (r->nul) {
        return syntax(r, "NUL byte in object key not supported");
    }
    t->kind = JL_KEY;
    r->key_start = t->start;
    r->key_end = t->end;
    r->state = ST_COLON;
    return JL_OK;
}

/* Whether the next byte is c, taken if so: compact JSON needs no scan() for
 * its punctuation. */
static int take(jl_reader *r, unsigned char c)
{
    if (r->pos < r->len && r->buf[r->pos] == c) {
        r->pos++;
        return 1;
    }
    return 0;
}

static jl_code member_value(jl_reader *r, jl_token *t)
{
    if (!take(r, ':') && scan(r, t) != T_COLON) {
        return syntax(r, "':' expected");
    }
    r->in_member = 1; /* an overflowing number names its key */
    int k = scan(r, t);
    r->in_member = 0;
    return value(r, k, t);
}

/* The states' readers, one small function each so that jl_next() stays a
 * dispatcher that jumps to one of them. */
static jl_code object_first(jl_reader *r, jl_token *t)
{
    int k = scan(r, t);
    return k == T_RBRACE ? close_level(r, t, JL_OBJECT_END) : key(r, k, t);
}

static jl_code object_next(jl_reader *r, jl_token *t)
{
    int k = take(r, ',') ? T_COMMA : scan(r, t);
    if (k == T_COMMA) {
        return key(r, scan(r, t), t);
    }
    return k == T_RBRACE ? close_level(r, t, JL_OBJECT_END) : syntax(r, "'}' expected");
}

static jl_code array_first(jl_reader *r, jl_token *t)
{
    int k = scan(r, t);
    if (k == T_RBRACKET) {
        return close_level(r, t, JL_ARRAY_END);
    }
    return k == T_EOF ? syntax(r, "']' expected") : value(r, k, t);
}

static jl_code array_next(jl_reader *r, jl_token *t)
{
    int k = take(r, ',') ? T_COMMA : scan(r, t);
    if (k == T_RBRACKET) {
        return close_level(r, t, JL_ARRAY_END);
    }
    if (k != T_COMMA) {
        return syntax(r, "']' expected");
    }
    k = scan(r, t);
    if (k == T_EOF) {
        return syntax(r, "']' expected");
    }
    return value(r, k, t);
}

static jl_code end_of_input(jl_reader *r, jl_token *t)
{
    if (scan(r, t) != T_EOF) {
        return syntax(r, "end of file expected");
    }
    r->state = ST_DONE;
    t->kind = JL_END;
    return JL_OK;
}

jl_code jl_next(jl_reader *r, jl_token *t)
{
    switch (r->state) {
    case ST_VALUE:
        return value(r, scan(r, t), t);
    case ST_OBJ_FIRST:
        return object_first(r, t);
    case ST_COLON:
        return member_value(r, t);
    case ST_OBJ_NEXT:
        return object_next(r, t);
    case ST_ARR_FIRST:
        return array_first(r, t);
    case ST_ARR_NEXT:
        return array_next(r, t);
    case ST_END:
        return end_of_input(r, t);
    case ST_DONE:
        t->kind = JL_END;
        return JL_OK;
    default:
        return r->err.code;
    }
}

jl_code jl_skip(jl_reader *r, int *objects)
{
    unsigned outer = r->depth - 1;
    jl_token t;
    while (r->depth > outer) {
        jl_code c = jl_next(r, &t);
        if (c != JL_OK) {
            return c;
        }
        *objects |= t.kind == JL_OBJECT;
    }
    return JL_OK;
}

jl_code jl_duplicate(jl_reader *r, const jl_token *key)
{
    set_error(r, JL_E_DUPLICATE, key->end + 1, "duplicate object key");
    r->err.has_key = 1;
    r->err.key_start = key->start;
    r->err.key_end = key->end;
    return JL_E_DUPLICATE;
}

/* ---- decoding strings --------------------------------------------------- */

/* Walks the decoded bytes of a validated string's raw text. */
typedef struct cursor {
    const unsigned char *p, *end;
    unsigned char pending[4]; /* the rest of an escape's UTF-8 encoding */
    unsigned npending, next;
} cursor;

static void cursor_init(cursor *c, const void *buf, const jl_token *t)
{
    c->p = (const unsigned char *)buf + t->start;
    c->end = (const unsigned char *)buf + t->end;
    c->npending = c->next = 0;
}

static void encode_utf8(cursor *c, uint32_t v)
{
    if (v < 0x80) {
        c->pending[0] = (unsigned char)v;
        c->npending = 1;
    } else if (v < 0x800) {
        c->pending[0] = (unsigned char)(0xC0 | v >> 6);
        c->pending[1] = (unsigned char)(0x80 | (v & 0x3F));
        c->npending = 2;
    } else if (v < 0x10000) {
        c->pending[0] = (unsigned char)(0xE0 | v >> 12);
        c->pending[1] = (unsigned char)(0x80 | (v >> 6 & 0x3F));
        c->pending[2] = (unsigned char)(0x80 | (v & 0x3F));
        c->npending = 3;
    } else {
        c->pending[0] = (unsigned char)(0xF0 | v >> 18);
        c->pending[1] = (unsigned char)(0x80 | (v >> 12 & 0x3F));
        c->pending[2] = (unsigned char)(0x80 | (v >> 6 & 0x3F));
        c->pending[3] = (unsigned char)(0x80 | (v & 0x3F));
        c->npending = 4;
    }
    c->next = 0;
}

/* The byte a one-letter escape stands for. */
static unsigned char simple_escape(unsigned char e)
{
    switch (e) {
    case 'b':
        return '\b';
    case 'f':
        return '\f';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    default: /* '"', '\\' and '/' stand for themselves */
        return e;
    }
}

/* Decodes the escape at c->p into c->pending. */
static void decode_escape(cursor *c)
{
    if (c->p[1] != 'u') {
        c->pending[0] = simple_escape(c->p[1]);
        c->npending = 1;
        c->next = 0;
        c->p += 2;
        return;
    }
    uint32_t v = escape_unit(c->p);
    c->p += 6;
    if (v >= 0xD800 && v <= 0xDBFF) { /* validated: a low surrogate follows */
        v = 0x10000 + ((v - 0xD800) << 10) + (escape_unit(c->p) - 0xDC00);
        c->p += 6;
    }
    encode_utf8(c, v);
}

/* The next decoded byte, or -1 at the end. */
static int cursor_next(cursor *c)
{
    if (c->next < c->npending) {
        return c->pending[c->next++];
    }
    if (c->p >= c->end) {
        return -1;
    }
    if (*c->p != '\\') {
        return *c->p++;
    }
    decode_escape(c);
    return c->pending[c->next++];
}

size_t jl_string(const void *buf, const jl_token *t, char *out, size_t size)
{
    if (!t->escaped) {
        size_t n = t->end - t->start;
        memcpy(out, (const char *)buf + t->start, n < size ? n : size);
        return n;
    }
    cursor c;
    size_t n = 0;
    int ch;
    cursor_init(&c, buf, t);
    while ((ch = cursor_next(&c)) >= 0) {
        if (n < size) {
            out[n] = (char)ch;
        }
        n++;
    }
    return n;
}

/* ---- whole-message validation ------------------------------------------- */

#define JL_SLOTS   512  /* keys remembered per pass */
#define JL_BUCKETS 1024 /* hash chains; a power of two */
#define JL_NIL     0xFFFF

typedef struct key_slot {
    size_t start, end; /* raw key */
    uint32_t hash;
    uint16_t depth; /* of its object: keys of one open object share it */
    uint16_t next;  /* the older slot in the same chain */
    int escaped;
} key_slot;

/* The keys of the open objects, innermost last. */
typedef struct key_stack {
    key_slot slot[JL_SLOTS];
    uint16_t head[JL_BUCKETS];
    unsigned top;
} key_stack;

/* FNV-1a over the decoded key. */
static uint32_t key_hash(const void *buf, const jl_token *t)
{
    uint32_t h = 2166136261u;
    if (!t->escaped) {
        const unsigned char *p = (const unsigned char *)buf + t->start;
        for (size_t i = 0; i < t->end - t->start; i++) {
            h = (h ^ p[i]) * 16777619u;
        }
        return h;
    }
    cursor c;
    int ch;
    cursor_init(&c, buf, t);
    while ((ch = cursor_next(&c)) >= 0) {
        h = (h ^ (unsigned)ch) * 16777619u;
    }
    return h;
}

static int same_key(const void *buf, const key_slot *s, const jl_token *t)
{
    if (!s->escaped && !t->escaped) {
        return s->end - s->start == t->end - t->start &&
               memcmp((const char *)buf + s->start, (const char *)buf + t->start,
                      t->end - t->start) == 0;
    }
    jl_token old = {.kind = JL_KEY, .escaped = s->escaped, .start = s->start, .end = s->end};
    cursor a, b;
    int x, y;
    cursor_init(&a, buf, &old);
    cursor_init(&b, buf, t);
    do {
        x = cursor_next(&a);
        y = cursor_next(&b);
    } while (x == y && x >= 0);
    return x == y;
}

static int key_seen(const key_stack *ks, const void *buf, const jl_token *t, uint32_t h,
                    unsigned depth)
{
    for (unsigned i = ks->head[h & (JL_BUCKETS - 1)]; i != JL_NIL; i = ks->slot[i].next) {
        const key_slot *s = &ks->slot[i];
        if (s->depth == depth && s->hash == h && same_key(buf, s, t)) {
            return 1;
        }
    }
    return 0;
}

static void key_push(key_stack *ks, const jl_token *t, uint32_t h, unsigned depth)
{
    key_slot *s = &ks->slot[ks->top];
    uint16_t *head = &ks->head[h & (JL_BUCKETS - 1)];
    s->start = t->start;
    s->end = t->end;
    s->escaped = t->escaped;
    s->hash = h;
    s->depth = (uint16_t)depth;
    s->next = *head;
    *head = (uint16_t)ks->top++;
}

/* An object at depth closed: its keys leave, newest first, so each chain
 * head goes back to what it was before the key came. */
static void key_pop_object(key_stack *ks, unsigned depth)
{
    while (ks->top > 0 && ks->slot[ks->top - 1].depth == depth) {
        const key_slot *s = &ks->slot[--ks->top];
        ks->head[s->hash & (JL_BUCKETS - 1)] = s->next;
    }
}

/* One pass: remembers keys numbered first .. first + JL_SLOTS - 1 (in input
 * order), looks up every key from first on, and stops at the first repeat,
 * the first error, or a key ending after stop. *nkeys counts the keys read. */
static jl_code validate_pass(const void *buf, size_t len, size_t first, size_t stop, jl_error *err,
                             size_t *nkeys)
{
    key_stack ks;
    jl_reader r;
    jl_token t;
    size_t n = 0;
    ks.top = 0;
    memset(ks.head, 0xFF, sizeof ks.head);
    jl_init(&r, buf, len);
    for (;;) {
        jl_code c = jl_next(&r, &t);
        if (c != JL_OK || t.kind == JL_END) {
            *err = r.err;
            *nkeys = n;
            return c;
        }
        if (t.kind == JL_OBJECT_END) {
            key_pop_object(&ks, r.depth + 1);
        } else if (t.kind == JL_KEY && n++ >= first) {
            if (t.end >= stop) {
                *nkeys = n;
                return JL_OK;
            }
            uint32_t h = key_hash(buf, &t);
            if (key_seen(&ks, buf, &t, h, r.depth)) {
                jl_duplicate(&r, &t);
                *err = r.err;
                *nkeys = n;
                return JL_E_DUPLICATE;
            }
            if (n - 1 < first + JL_SLOTS) {
                key_push(&ks, &t, h, r.depth);
            }
        }
    }
}

jl_code jl_validate(const void *buf, size_t len, jl_error *err)
{
    size_t nkeys = 0, more;
    jl_code c = validate_pass(buf, len, 0, (size_t)-1, err, &nkeys);
    /* Later passes can only find a repeat before the one already found. */
    for (size_t first = JL_SLOTS; first < nkeys; first += JL_SLOTS) {
        jl_error e;
        size_t stop = c == JL_E_DUPLICATE ? err->key_end : (size_t)-1;
        if (validate_pass(buf, len, first, stop, &e, &more) == JL_E_DUPLICATE) {
            c = JL_E_DUPLICATE;
            *err = e;
        }
    }
    return c;
}
