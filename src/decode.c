/* decode.c - strict decoding of the input topics' JSON into model records.
 *
 * One shape for every message type: read the top-level object once with the
 * allocation-free reader (jsonlex.h), binding each member to its schema field
 * by name as it goes by; reject the message if the object holds any other
 * key; then check each field in schema order and copy it into the caller's
 * fixed-size record. Cross-field checks (a transfer to itself, an event time
 * out of range) come last, so a message with a broken field is reported for
 * that field first.
 *
 * The reader rejects what jansson rejected, with jansson's messages, and the
 * order of the checks is the one decoding had when it built a jansson tree
 * first (tests/fuzz/decode_ref.c keeps that version; fuzz_decode_diff.c holds
 * the two to the same answers). That order matters in one place: a message
 * is only judged on its fields once all of it is known to be JSON without a
 * repeated key. A valid message has no key that the schema does not know and
 * no object below the top level, so a bit per known field finds repeats;
 * anything else (an unknown key, a nested object) makes the message invalid
 * and it is validated once more by jl_validate(), which finds repeats at every
 * depth, before its reason is decided.
 *
 * Error details may reach logs and Kafka headers, so they quote at most
 * DEC_ECHO_MAX bytes of the input, with control characters replaced.
 */
#include "decode.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "currency.h"
#include "jsonlex.h"
#include "timefmt.h"

#define DEC_MAX_FIELDS    12    /* most fields of one message type */
#define DEC_SCRATCH       256   /* decoded bytes kept of an escaped string: over every limit */
#define DEC_KEY_MAX       32    /* longer keys are not the schema's */
#define DEC_WORD_MAX      16    /* longer strings are in no enumeration */
#define DEC_DEFAULT_BYTES 65536 /* dec_limits_default() max_bytes */
#define DEC_DEFAULT_PAST  (30LL * 24 * 3600 * 1000) /* 30 days */
#define DEC_DEFAULT_AHEAD (5LL * 60 * 1000)         /* 5 minutes of clock skew */

void dec_limits_default(dec_limits *lim)
{
    lim->max_bytes = DEC_DEFAULT_BYTES;
    lim->now_ms = 0;
    lim->max_past_ms = DEC_DEFAULT_PAST;
    lim->max_future_ms = DEC_DEFAULT_AHEAD;
}

void dec_error_format(const dec_error *err, char *buf, size_t size)
{
    if (!buf || size == 0) {
        return;
    }
    if (!err) {
        buf[0] = '\0';
        return;
    }
    if (err->field[0]) {
        snprintf(buf, size, "%s: %s: %s", rsn_code(err->reason), err->field, err->detail);
    } else {
        snprintf(buf, size, "%s: %s", rsn_code(err->reason), err->detail);
    }
}

/* ---- error reporting ---------------------------------------------------- */

/* Untrusted input in a detail: never a control character (decode.h). */
void dec_echo(char *out, const char *s, size_t len, size_t max)
{
    size_t n = len;
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) {
            n--;
        }
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        out[i] = c < 0x20 || c == 0x7F ? '?' : (char)c;
    }
    memcpy(out + n, n < len ? "..." : "", n < len ? 4 : 1);
}

rsn_reason dec_fail(dec_error *err, rsn_reason r, const char *field, const char *fmt, ...)
{
    err->reason = r;
    snprintf(err->field, sizeof err->field, "%s", field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->detail, sizeof err->detail, fmt, ap);
    va_end(ap);
    return r;
}

static const char *type_name(jl_kind k)
{
    switch (k) {
    case JL_OBJECT:
        return "an object";
    case JL_ARRAY:
        return "an array";
    case JL_STRING:
        return "a string";
    case JL_INTEGER:
        return "an integer";
    case JL_REAL:
        return "a real number";
    case JL_TRUE:
    case JL_FALSE:
        return "a boolean";
    case JL_NULL:
        return "null";
    default:
        return "unknown";
    }
}

/* ---- parsing ------------------------------------------------------------ */

/* The reader's message, without the tail jansson added ("near '<input>'"),
 * which the details never carried, and with the byte offset. */
static rsn_reason malformed(const jl_error *e, size_t len, dec_error *err)
{
    char msg[DEC_ECHO_MAX + 4];
    dec_echo(msg, e->text, strlen(e->text), DEC_ECHO_MAX);
    return dec_fail(err, RSN_MALFORMED, "", "%s at byte %zu", msg, e->pos < len ? e->pos : len);
}

/* A repeated key is named as written, escapes and all; an amount too large
 * to parse is a bad amount (whatever the message type), any other number
 * too large to parse is malformed input. */
static rsn_reason parse_error(const char *buf, size_t len, const jl_error *e, dec_error *err)
{
    const char *key = buf + e->key_start;
    size_t keylen = e->key_end - e->key_start;
    char field[DEC_KEY_ECHO + 4];
    switch (e->code) {
    case JL_E_DUPLICATE:
        dec_echo(field, key, keylen, sizeof field - 4);
        return dec_fail(err, RSN_DUPLICATE_FIELD, field, "key appears more than once");
    case JL_E_OVERFLOW:
        if (e->has_key && keylen == 6 && memcmp(key, "amount", 6) == 0) {
            return dec_fail(err, RSN_AMOUNT, "amount", "number out of range");
        }
        return malformed(e, len, err);
    default:
        return malformed(e, len, err);
    }
}

/* The whole message once more, repeated keys at every depth included. */
static rsn_reason validate(const char *buf, size_t len, dec_error *err)
{
    jl_error e;
    return jl_validate(buf, len, &e) == JL_OK ? RSN_OK : parse_error(buf, len, &e, err);
}

static rsn_reason not_object(const char *buf, size_t len, jl_kind top, dec_error *err)
{
    rsn_reason r = validate(buf, len, err);
    return r != RSN_OK ? r : dec_fail(err, RSN_NOT_OBJECT, "", "top level is %s", type_name(top));
}

/* ---- field binding ------------------------------------------------------ */

/* What the message says about one schema field: tok.kind is JL_END when the
 * field is absent; for an object or an array, tok spans all of it. */
typedef struct member {
    const char *buf;
    jl_token tok;
} member;

/* Index of the key token among keys, or -1. Messages usually list their keys
 * in schema order, so the search starts at hint, the field after the last.
 * strncmp() stops at the end of a shorter schema key: decoded keys hold no
 * NUL (the reader rejects it). */
static int key_index(const char *buf, const jl_token *t, const char *const *keys, size_t nkeys,
                     size_t hint)
{
    char decoded[DEC_KEY_MAX];
    const char *s = buf + t->start;
    size_t n = t->end - t->start;
    if (t->escaped) {
        n = jl_string(buf, t, decoded, sizeof decoded);
        if (n > sizeof decoded) {
            return -1;
        }
        s = decoded;
    }
    for (size_t k = 0; k < nkeys; k++) {
        size_t i = hint + k < nkeys ? hint + k : hint + k - nkeys;
        if (strncmp(keys[i], s, n) == 0 && keys[i][n] == '\0') {
            return (int)i;
        }
    }
    return -1;
}

/* The first key that is not the schema's: the message is rejected for it
 * unless it is not even valid JSON. */
static rsn_reason unknown_field(const char *buf, size_t len, const jl_token *key, dec_error *err)
{
    rsn_reason r = validate(buf, len, err);
    if (r != RSN_OK) {
        return r;
    }
    char name[DEC_KEY_MAX * 2];
    char field[DEC_KEY_ECHO + 4];
    size_t n = jl_string(buf, key, name, sizeof name);
    dec_echo(field, name, n, sizeof field - 4);
    return dec_fail(err, RSN_UNKNOWN_FIELD, field, "not defined by the schema");
}

/* The reader stopped on an error. Unless keys went by unchecked (nested
 * objects), it is the message's first problem. */
static rsn_reason read_failed(const char *buf, size_t len, const jl_reader *r, int nested,
                              dec_error *err)
{
    return nested ? validate(buf, len, err) : parse_error(buf, len, &r->err, err);
}

static rsn_reason check_version(const member *f, dec_error *err)
{
    if (f->tok.kind == JL_END) {
        return dec_fail(err, RSN_VERSION, "version", "required");
    }
    if (f->tok.kind != JL_INTEGER) {
        return dec_fail(err, RSN_VERSION, "version", "expected the integer 1, got %s",
                        type_name(f->tok.kind));
    }
    if (f->tok.integer != 1) {
        return dec_fail(err, RSN_VERSION, "version", "version %lld not supported",
                        (long long)f->tok.integer);
    }
    return RSN_OK;
}

/* The value of the member whose key was just read into v; an object or an
 * array is read through, and *nested notes an object anywhere in it. */
static jl_code read_value(jl_reader *r, member *v, int *nested)
{
    jl_code c = jl_next(r, &v->tok);
    if (c != JL_OK || (v->tok.kind != JL_OBJECT && v->tok.kind != JL_ARRAY)) {
        return c;
    }
    *nested |= v->tok.kind == JL_OBJECT;
    c = jl_skip(r, nested);
    v->tok.end = r->pos;
    return c;
}

/* Reads the message and binds every member to its schema field (keys[0] is
 * "version"); rejects anything that is not an object of known, distinct
 * keys, then a missing or unsupported version. */
static rsn_reason bind_fields(const char *buf, size_t len, const char *const *keys, size_t nkeys,
                              member *v, dec_error *err)
{
    jl_reader r;
    jl_token t;
    uint32_t seen = 0;
    int nested = 0;
    size_t hint = 0;
    for (size_t i = 0; i < nkeys; i++) {
        v[i].buf = buf;
        v[i].tok.kind = JL_END;
    }
    jl_init(&r, buf, len);
    if (jl_next(&r, &t) != JL_OK) {
        return parse_error(buf, len, &r.err, err);
    }
    if (t.kind != JL_OBJECT) {
        return not_object(buf, len, t.kind, err);
    }
    for (;;) {
        if (jl_next(&r, &t) != JL_OK) {
            return read_failed(buf, len, &r, nested, err);
        }
        if (t.kind == JL_OBJECT_END) {
            break;
        }
        int i = key_index(buf, &t, keys, nkeys, hint);
        if (i < 0) {
            return unknown_field(buf, len, &t, err);
        }
        if (seen & (1u << i)) {
            jl_duplicate(&r, &t);
            return read_failed(buf, len, &r, nested, err);
        }
        seen |= 1u << i;
        hint = (size_t)i + 1;
        if (read_value(&r, &v[i], &nested) != JL_OK) {
            return read_failed(buf, len, &r, nested, err);
        }
    }
    if (jl_next(&r, &t) != JL_OK) { /* anything after the object */
        return read_failed(buf, len, &r, nested, err);
    }
    rsn_reason res = nested ? validate(buf, len, err) : RSN_OK;
    return res != RSN_OK ? res : check_version(&v[0], err);
}

/* ---- field checks ------------------------------------------------------- */

/* A string field's decoded value: s points into the message when the string
 * has no escapes, else into scratch, which holds its first DEC_SCRATCH bytes
 * (n is the whole length; every check that reads further than that rejects
 * the string by its length first). */
typedef struct text {
    const char *s;
    size_t n;
    char scratch[DEC_SCRATCH];
} text;

static void text_of(const char *buf, const jl_token *t, text *out)
{
    if (!t->escaped) {
        out->s = buf + t->start;
        out->n = t->end - t->start;
    } else {
        out->n = jl_string(buf, t, out->scratch, sizeof out->scratch);
        out->s = out->scratch;
    }
}

static rsn_reason need_string(const member *f, const char *name, text *t, dec_error *err)
{
    if (f->tok.kind == JL_END) {
        return dec_fail(err, RSN_MISSING_FIELD, name, "required");
    }
    if (f->tok.kind != JL_STRING) {
        return dec_fail(err, RSN_FIELD_TYPE, name, "expected a string, got %s",
                        type_name(f->tok.kind));
    }
    text_of(f->buf, &f->tok, t);
    return RSN_OK;
}

/* A short string as a C string in word, or 0 if it is too long to be one
 * of a set of words (decoded strings hold no NUL: the reader rejects it). */
static int as_word(const text *t, char *word, size_t size)
{
    if (t->n >= size) {
        return 0;
    }
    memcpy(word, t->s, t->n);
    word[t->n] = '\0';
    return 1;
}

static rsn_reason bad_length(const char *name, size_t n, const char *allowed, dec_error *err)
{
    return dec_fail(err, RSN_FIELD_LENGTH, name, "%zu bytes, allowed %s", n, allowed);
}

static rsn_reason bad_char(const char *name, const char *s, size_t n, size_t at, dec_error *err)
{
    char quoted[DEC_ECHO_MAX + 4];
    dec_echo(quoted, s, n, DEC_ECHO_MAX);
    return dec_fail(err, RSN_FIELD_FORMAT, name, "byte %zu not allowed in \"%s\"", at, quoted);
}

/* Character classes of the string formats, a bit each. */
enum {
    CC_ACCOUNT = 1, /* A-Z a-z 0-9 - */
    CC_BIC = 2,     /* A-Z 0-9 */
    CC_ID = 4,      /* A-Z a-z 0-9 . _ : - */
    CC_HEX = 8,     /* 0-9 a-f */
    CC_LIST = 16,   /* a-z 0-9 _ */
};

/* The classes of each byte (bytes from 0x80 are in none): a table, as these
 * checks run over most bytes of every message. */
static const unsigned char char_classes[256] = {
    0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  /* 0x00 */
    0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  /* 0x10 */
    0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  5,  4,  0,  /* 0x20 */
    31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 4,  0,  0,  0,  0,  0,  /* 0x30 */
    0,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  /* 0x40 */
    7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  0,  0,  0,  0,  20, /* 0x50 */
    0,  29, 29, 29, 29, 29, 29, 21, 21, 21, 21, 21, 21, 21, 21, 21, /* 0x60 */
    21, 21, 21, 21, 21, 21, 21, 21, 21, 21, 21, 0,  0,  0,  0,  0,  /* 0x70 */
};

/* First byte of s[0..n) outside the class, or n. */
static size_t first_bad(const char *s, size_t n, unsigned char cls)
{
    size_t i = 0;
    while (i < n && (char_classes[(unsigned char)s[i]] & cls)) {
        i++;
    }
    return i;
}

/* 1..max bytes of one character class, into out[max + 1]. */
static rsn_reason check_token(const char *s, size_t n, const char *name, size_t max,
                              unsigned char cls, char *out, dec_error *err)
{
    if (n < 1 || n > max) {
        char allowed[32];
        snprintf(allowed, sizeof allowed, "1..%zu", max);
        return bad_length(name, n, allowed, err);
    }
    size_t at = first_bad(s, n, cls);
    if (at < n) {
        return bad_char(name, s, n, at, err);
    }
    memcpy(out, s, n);
    out[n] = '\0';
    return RSN_OK;
}

/* A string of 1..max bytes of one character class, into out[max + 1]. */
static rsn_reason take_token(const member *v, const char *name, size_t max, unsigned char cls,
                             char *out, dec_error *err)
{
    text t;
    rsn_reason r = need_string(v, name, &t, err);
    return r != RSN_OK ? r : check_token(t.s, t.n, name, max, cls, out, err);
}

rsn_reason dec_text_account(const char *s, size_t n, const char *name, char *out, dec_error *err)
{
    return check_token(s, n, name, IX_ACCOUNT_MAX, CC_ACCOUNT, out, err);
}

rsn_reason dec_text_id(const char *s, size_t n, const char *name, char *out, dec_error *err)
{
    return check_token(s, n, name, IX_ID_MAX, CC_ID, out, err);
}

int dec_is_account(const void *s, size_t n)
{
    return s && n >= 1 && n <= IX_ACCOUNT_MAX && first_bad(s, n, CC_ACCOUNT) == n;
}

static rsn_reason take_account(const member *v, const char *name, char *out, dec_error *err)
{
    return take_token(v, name, IX_ACCOUNT_MAX, CC_ACCOUNT, out, err);
}

static rsn_reason take_id(const member *v, const char *name, char *out, dec_error *err)
{
    return take_token(v, name, IX_ID_MAX, CC_ID, out, err);
}

static rsn_reason take_hash(const member *v, const char *name, char *out, dec_error *err)
{
    return take_token(v, name, IX_HASH_MAX, CC_HEX, out, err);
}

/* ISO 9362 BIC: 8 characters, or 11 with a branch code. */
rsn_reason dec_text_bank(const char *s, size_t n, const char *name, char *out, dec_error *err)
{
    if (n != 8 && n != 11) {
        return bad_length(name, n, "8 or 11", err);
    }
    size_t at = first_bad(s, n, CC_BIC);
    if (at < n) {
        return bad_char(name, s, n, at, err);
    }
    memcpy(out, s, n);
    out[n] = '\0';
    return RSN_OK;
}

static rsn_reason take_bank(const member *v, const char *name, char *out, dec_error *err)
{
    text t;
    rsn_reason r = need_string(v, name, &t, err);
    return r != RSN_OK ? r : dec_text_bank(t.s, t.n, name, out, err);
}

/* Offset of the first control character (C0, DEL or C1) in valid UTF-8, or n.
 * C1 controls are U+0080..U+009F, encoded 0xC2 0x80..0x9F. */
static size_t first_control(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F) {
            return i;
        }
        if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] <= 0x9F) {
            return i;
        }
    }
    return n;
}

/* Free text: 1..IX_TEXT_MAX bytes of printable UTF-8. */
static rsn_reason take_text(const member *v, const char *name, char *out, dec_error *err)
{
    text t;
    rsn_reason r = need_string(v, name, &t, err);
    if (r != RSN_OK) {
        return r;
    }
    const char *s = t.s;
    size_t n = t.n;
    if (n < 1 || n > IX_TEXT_MAX) {
        return bad_length(name, n, "1..127", err);
    }
    size_t at = first_control(s, n);
    if (at < n) {
        return bad_char(name, s, n, at, err);
    }
    memcpy(out, s, n);
    out[n] = '\0';
    return RSN_OK;
}

rsn_reason dec_text_currency(const char *s, size_t n, const char *name, char *out, dec_error *err)
{
    char code[IX_CURRENCY_LEN + 1];
    if (n == IX_CURRENCY_LEN) {
        memcpy(code, s, n);
        code[n] = '\0';
    }
    if (n != IX_CURRENCY_LEN || !cur_valid(code)) {
        char quoted[DEC_ECHO_MAX + 4];
        dec_echo(quoted, s, n, DEC_ECHO_MAX);
        return dec_fail(err, RSN_CURRENCY, name, "\"%s\" is not an active ISO 4217 code", quoted);
    }
    memcpy(out, code, IX_CURRENCY_LEN + 1);
    return RSN_OK;
}

static rsn_reason take_currency(const member *v, const char *name, char *out, dec_error *err)
{
    text t;
    rsn_reason r = need_string(v, name, &t, err);
    return r != RSN_OK ? r : dec_text_currency(t.s, t.n, name, out, err);
}

/* An escaped string longer than DEC_SCRATCH is not kept whole, but no time
 * is that long (tf_parse() takes at most 35 bytes). */
rsn_reason dec_text_time(const char *s, size_t n, const char *name, int64_t *out, dec_error *err)
{
    if (n > DEC_SCRATCH || tf_parse(s, n, out) != 0) {
        char quoted[DEC_ECHO_MAX + 4];
        dec_echo(quoted, s, n, DEC_ECHO_MAX);
        return dec_fail(err, RSN_TIME, name, "\"%s\" is not an RFC 3339 time", quoted);
    }
    return RSN_OK;
}

static rsn_reason take_time(const member *v, const char *name, int64_t *out, dec_error *err)
{
    text t;
    rsn_reason r = need_string(v, name, &t, err);
    return r != RSN_OK ? r : dec_text_time(t.s, t.n, name, out, err);
}

/* A JSON integer in 1..DEC_AMOUNT_MAX. A real (1.0, 1e2) is a number but not
 * an amount; a string is the wrong type altogether. */
static rsn_reason take_amount(const member *v, const char *name, int64_t *out, dec_error *err)
{
    if (v->tok.kind == JL_END) {
        return dec_fail(err, RSN_MISSING_FIELD, name, "required");
    }
    if (v->tok.kind == JL_REAL) {
        return dec_fail(err, RSN_AMOUNT, name, "not an integer number of minor units");
    }
    if (v->tok.kind != JL_INTEGER) {
        return dec_fail(err, RSN_FIELD_TYPE, name, "expected an integer, got %s",
                        type_name(v->tok.kind));
    }
    int64_t a = v->tok.integer;
    if (a < 1 || a > DEC_AMOUNT_MAX) {
        return dec_fail(err, RSN_AMOUNT, name, "%lld outside 1..%lld", (long long)a,
                        DEC_AMOUNT_MAX);
    }
    *out = a;
    return RSN_OK;
}

/* A string naming a value of parse()'s set; the zero value ("unknown") is
 * never valid on the wire. */
static rsn_reason take_enum(const member *v, const char *name, int (*parse)(const char *), int *out,
                            dec_error *err)
{
    text t;
    char word[DEC_WORD_MAX];
    rsn_reason r = need_string(v, name, &t, err);
    if (r != RSN_OK) {
        return r;
    }
    int x = as_word(&t, word, sizeof word) ? parse(word) : -1;
    if (x <= 0) {
        char quoted[DEC_ECHO_MAX + 4];
        dec_echo(quoted, t.s, t.n, DEC_ECHO_MAX);
        return dec_fail(err, RSN_ENUM, name, "\"%s\" is not an allowed value", quoted);
    }
    *out = x;
    return RSN_OK;
}

/* ---- the message types -------------------------------------------------- */

typedef rsn_reason (*fields_fn)(const member *v, const dec_limits *lim, void *out, dec_error *err);

/* Everything the message types share: limits, reading, binding. */
static rsn_reason decode(const void *buf, size_t len, const dec_limits *lim,
                         const char *const *keys, size_t nkeys, fields_fn fields, void *out,
                         dec_error *err)
{
    dec_error scratch;
    dec_limits defaults;
    member v[DEC_MAX_FIELDS];
    if (!err) {
        err = &scratch;
    }
    if (!lim) {
        dec_limits_default(&defaults);
        lim = &defaults;
    }
    memset(err, 0, sizeof *err);
    if (!buf || len == 0) {
        return dec_fail(err, RSN_EMPTY, "", "empty message");
    }
    if (len > lim->max_bytes) {
        return dec_fail(err, RSN_TOO_LARGE, "", "%zu bytes, limit %zu", len, lim->max_bytes);
    }
    rsn_reason r = bind_fields(buf, len, keys, nkeys, v, err);
    return r != RSN_OK ? r : fields(v, lim, out, err);
}

enum {
    TR_VERSION,
    TR_ID,
    TR_FROM_ACCOUNT,
    TR_FROM_BANK,
    TR_TO_ACCOUNT,
    TR_TO_BANK,
    TR_AMOUNT,
    TR_CURRENCY,
    TR_EVENT_TIME,
    TR_CHANNEL,
    TR__COUNT
};

static const char *const transfer_keys[TR__COUNT] = {
    "version", "transfer_id", "from_account", "from_bank",  "to_account",
    "to_bank", "amount",      "currency",     "event_time", "channel",
};

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* now_ms and the bounds come from configuration: clamped to a few thousand
 * years (2^52 ms) so that no value can make the subtraction overflow. */
static rsn_reason check_time_range(int64_t t, const char *name, const dec_limits *lim,
                                   dec_error *err)
{
    const int64_t span = (int64_t)1 << 52;
    if (lim->now_ms == 0) {
        return RSN_OK;
    }
    int64_t d = t - clamp64(lim->now_ms, -span, span);
    int64_t past = clamp64(lim->max_past_ms, 0, span);
    int64_t future = clamp64(lim->max_future_ms, 0, span);
    if (d < -past) {
        return dec_fail(err, RSN_TIME_RANGE, name, "%lld ms in the past, limit %lld", (long long)-d,
                        (long long)past);
    }
    if (d > future) {
        return dec_fail(err, RSN_TIME_RANGE, name, "%lld ms in the future, limit %lld",
                        (long long)d, (long long)future);
    }
    return RSN_OK;
}

static rsn_reason transfer_fields(const member *v, const dec_limits *lim, void *out, dec_error *err)
{
    ix_transfer *t = out;
    DEC_CHECK(take_id(&v[TR_ID], "transfer_id", t->id, err));
    DEC_CHECK(take_account(&v[TR_FROM_ACCOUNT], "from_account", t->from_account, err));
    DEC_CHECK(take_bank(&v[TR_FROM_BANK], "from_bank", t->from_bank, err));
    DEC_CHECK(take_account(&v[TR_TO_ACCOUNT], "to_account", t->to_account, err));
    DEC_CHECK(take_bank(&v[TR_TO_BANK], "to_bank", t->to_bank, err));
    DEC_CHECK(take_amount(&v[TR_AMOUNT], "amount", &t->amount, err));
    DEC_CHECK(take_currency(&v[TR_CURRENCY], "currency", t->currency, err));
    DEC_CHECK(take_time(&v[TR_EVENT_TIME], "event_time", &t->event_time_ms, err));
    if (v[TR_CHANNEL].tok.kind != JL_END) {
        int ch;
        DEC_CHECK(take_enum(&v[TR_CHANNEL], "channel", ix_channel_parse, &ch, err));
        t->channel = (ix_channel)ch;
    }
    return dec_transfer_check(t, lim, "to_account", "event_time", err);
}

rsn_reason dec_transfer_check(const ix_transfer *t, const dec_limits *lim, const char *to_name,
                              const char *time_name, dec_error *err)
{
    if (strcmp(t->from_account, t->to_account) == 0) {
        return dec_fail(err, RSN_SAME_ACCOUNT, to_name, "equals from_account");
    }
    return check_time_range(t->event_time_ms, time_name, lim, err);
}

rsn_reason dec_transfer(const void *buf, size_t len, const dec_limits *lim, ix_transfer *out,
                        dec_error *err)
{
    memset(out, 0, sizeof *out);
    return decode(buf, len, lim, transfer_keys, TR__COUNT, transfer_fields, out, err);
}

enum {
    AC_VERSION,
    AC_ACCOUNT,
    AC_BANK,
    AC_OPENED_AT,
    AC_HOLDER_TYPE,
    AC_KYC_LEVEL,
    AC_HOLDER_HASH,
    AC_PHONE_HASH,
    AC_DEVICE_HASH,
    AC_STATUS,
    AC_UPDATED_AT,
    AC__COUNT
};

_Static_assert(AC__COUNT <= DEC_MAX_FIELDS, "DEC_MAX_FIELDS too small");
_Static_assert(DEC_MAX_FIELDS <= 32, "bind_fields() keeps a bit per field");

static const char *const account_keys[AC__COUNT] = {
    "version",     "account",    "bank",        "opened_at", "holder_type", "kyc_level",
    "holder_hash", "phone_hash", "device_hash", "status",    "updated_at",
};

static rsn_reason take_kyc(const member *v, const char *name, int *out, dec_error *err)
{
    if (v->tok.kind == JL_END) {
        return dec_fail(err, RSN_MISSING_FIELD, name, "required");
    }
    if (v->tok.kind != JL_INTEGER) {
        return dec_fail(err, RSN_FIELD_TYPE, name, "expected an integer, got %s",
                        type_name(v->tok.kind));
    }
    int64_t k = v->tok.integer;
    if (k < 0 || k > 3) {
        return dec_fail(err, RSN_ENUM, name, "%lld outside 0..3", (long long)k);
    }
    *out = (int)k;
    return RSN_OK;
}

/* Optional array of distinct "dormant" / "frozen" into IX_ACCT_* flags. The
 * array was validated when the message was read: reading it again cannot
 * fail. */
static rsn_reason take_status(const member *v, const char *name, uint32_t *flags, dec_error *err)
{
    *flags = 0;
    if (v->tok.kind == JL_END) {
        return RSN_OK;
    }
    if (v->tok.kind != JL_ARRAY) {
        return dec_fail(err, RSN_FIELD_TYPE, name, "expected an array, got %s",
                        type_name(v->tok.kind));
    }
    const char *array = v->buf + v->tok.start;
    jl_reader r;
    jl_token item;
    jl_init(&r, array, v->tok.end - v->tok.start);
    jl_next(&r, &item); /* the '[' */
    for (size_t i = 0; jl_next(&r, &item) == JL_OK && item.kind != JL_ARRAY_END; i++) {
        if (item.kind != JL_STRING) {
            return dec_fail(err, RSN_FIELD_TYPE, name, "item %zu: expected a string, got %s", i,
                            type_name(item.kind));
        }
        text t;
        char word[DEC_WORD_MAX];
        text_of(array, &item, &t);
        int known = as_word(&t, word, sizeof word);
        uint32_t bit = known && strcmp(word, "dormant") == 0  ? IX_ACCT_DORMANT
                       : known && strcmp(word, "frozen") == 0 ? IX_ACCT_FROZEN
                                                              : 0;
        if (bit == 0 || (*flags & bit)) {
            char quoted[DEC_ECHO_MAX + 4];
            dec_echo(quoted, t.s, t.n, DEC_ECHO_MAX);
            return dec_fail(err, RSN_ENUM, name, "item %zu \"%s\" is %s", i, quoted,
                            bit ? "listed twice" : "not an allowed value");
        }
        *flags |= bit;
    }
    return RSN_OK;
}

static rsn_reason account_fields(const member *v, const dec_limits *lim, void *out, dec_error *err)
{
    ix_account *a = out;
    int holder = 0;
    DEC_CHECK(take_account(&v[AC_ACCOUNT], "account", a->account, err));
    DEC_CHECK(take_bank(&v[AC_BANK], "bank", a->bank, err));
    DEC_CHECK(take_time(&v[AC_OPENED_AT], "opened_at", &a->opened_at_ms, err));
    DEC_CHECK(take_enum(&v[AC_HOLDER_TYPE], "holder_type", ix_holder_type_parse, &holder, err));
    a->holder_type = (ix_holder_type)holder;
    DEC_CHECK(take_kyc(&v[AC_KYC_LEVEL], "kyc_level", &a->kyc_level, err));
    DEC_CHECK(take_hash(&v[AC_HOLDER_HASH], "holder_hash", a->holder_hash, err));
    DEC_CHECK(take_hash(&v[AC_PHONE_HASH], "phone_hash", a->phone_hash, err));
    if (v[AC_DEVICE_HASH].tok.kind != JL_END) {
        DEC_CHECK(take_hash(&v[AC_DEVICE_HASH], "device_hash", a->device_hash, err));
    }
    DEC_CHECK(take_status(&v[AC_STATUS], "status", &a->flags, err));
    return take_time(&v[AC_UPDATED_AT], "updated_at", &a->updated_at_ms, err);
}

rsn_reason dec_account(const void *buf, size_t len, const dec_limits *lim, ix_account *out,
                       dec_error *err)
{
    memset(out, 0, sizeof *out);
    return decode(buf, len, lim, account_keys, AC__COUNT, account_fields, out, err);
}

enum { WL_VERSION, WL_ACCOUNT, WL_BANK, WL_LIST, WL_REASON, WL_ADDED_AT, WL__COUNT };

static const char *const watch_keys[WL__COUNT] = {
    "version", "account", "bank", "list", "reason", "added_at",
};

static rsn_reason watch_fields(const member *v, const dec_limits *lim, void *out, dec_error *err)
{
    ix_watch *w = out;
    DEC_CHECK(take_account(&v[WL_ACCOUNT], "account", w->account, err));
    DEC_CHECK(take_bank(&v[WL_BANK], "bank", w->bank, err));
    DEC_CHECK(take_token(&v[WL_LIST], "list", IX_TEXT_MAX, CC_LIST, w->list, err));
    DEC_CHECK(take_text(&v[WL_REASON], "reason", w->reason, err));
    return take_time(&v[WL_ADDED_AT], "added_at", &w->added_at_ms, err);
}

rsn_reason dec_watch(const void *buf, size_t len, const dec_limits *lim, ix_watch *out,
                     dec_error *err)
{
    memset(out, 0, sizeof *out);
    return decode(buf, len, lim, watch_keys, WL__COUNT, watch_fields, out, err);
}

enum {
    AL_VERSION,
    AL_ACCOUNT,
    AL_COUNTERPARTY,
    AL_EITHER_WAY,
    AL_RULES,
    AL_REASON,
    AL_ADDED_AT,
    AL_EXPIRES_AT,
    AL__COUNT
};

static const char *const allow_keys[AL__COUNT] = {
    "version", "account", "counterparty", "either_way", "rules", "reason", "added_at", "expires_at",
};

static rsn_reason take_bool(const member *v, const char *name, int *out, dec_error *err)
{
    if (v->tok.kind != JL_TRUE && v->tok.kind != JL_FALSE) {
        return dec_fail(err, RSN_FIELD_TYPE, name, "expected a boolean, got %s",
                        type_name(v->tok.kind));
    }
    *out = v->tok.kind == JL_TRUE;
    return RSN_OK;
}

/* An array of 1..DESK_RULES_MAX distinct reason codes. Like status, the
 * array was validated when the message was read. */
static rsn_reason take_rules(const member *v, const char *name, desk_allow *a, dec_error *err)
{
    if (v->tok.kind != JL_ARRAY) {
        return dec_fail(err, RSN_FIELD_TYPE, name, "expected an array, got %s",
                        type_name(v->tok.kind));
    }
    const char *array = v->buf + v->tok.start;
    jl_reader r;
    jl_token item;
    jl_init(&r, array, v->tok.end - v->tok.start);
    jl_next(&r, &item); /* the '[' */
    for (size_t i = 0; jl_next(&r, &item) == JL_OK && item.kind != JL_ARRAY_END; i++) {
        if (item.kind != JL_STRING) {
            return dec_fail(err, RSN_FIELD_TYPE, name, "item %zu: expected a string, got %s", i,
                            type_name(item.kind));
        }
        if (a->n_rules == DESK_RULES_MAX) {
            return bad_length(name, i + 1, "1..8 items", err);
        }
        text t;
        text_of(array, &item, &t);
        char *code = a->rules[a->n_rules];
        DEC_CHECK(check_token(t.s, t.n, name, DESK_CODE_MAX, CC_BIC, code, err));
        for (size_t j = 0; j < a->n_rules; j++) {
            if (strcmp(a->rules[j], code) == 0) {
                return dec_fail(err, RSN_ENUM, name, "item %zu \"%s\" is listed twice", i, code);
            }
        }
        a->n_rules++;
    }
    if (a->n_rules == 0) {
        return bad_length(name, 0, "1..8 items (leave it out for every rule)", err);
    }
    return RSN_OK;
}

static rsn_reason allow_fields(const member *v, const dec_limits *lim, void *out, dec_error *err)
{
    desk_allow *a = out;
    (void)lim;
    DEC_CHECK(take_account(&v[AL_ACCOUNT], "account", a->account, err));
    if (v[AL_COUNTERPARTY].tok.kind != JL_END) {
        DEC_CHECK(take_account(&v[AL_COUNTERPARTY], "counterparty", a->counterparty, err));
    }
    if (v[AL_EITHER_WAY].tok.kind != JL_END) {
        DEC_CHECK(take_bool(&v[AL_EITHER_WAY], "either_way", &a->either_way, err));
    }
    if (v[AL_RULES].tok.kind != JL_END) {
        DEC_CHECK(take_rules(&v[AL_RULES], "rules", a, err));
    }
    DEC_CHECK(take_text(&v[AL_REASON], "reason", a->reason, err));
    DEC_CHECK(take_time(&v[AL_ADDED_AT], "added_at", &a->added_ms, err));
    a->expires_ms = DESK_NO_EXPIRY;
    if (v[AL_EXPIRES_AT].tok.kind != JL_END) {
        DEC_CHECK(take_time(&v[AL_EXPIRES_AT], "expires_at", &a->expires_ms, err));
    }
    /* Cross-field checks last, as for a transfer. */
    if (strcmp(a->account, a->counterparty) == 0) {
        return dec_fail(err, RSN_SAME_ACCOUNT, "counterparty", "equals account");
    }
    /* An account entry covers every counterparty already, both ways. */
    a->either_way &= a->counterparty[0] != '\0';
    if (a->expires_ms <= a->added_ms) {
        return dec_fail(err, RSN_TIME_RANGE, "expires_at", "not after added_at");
    }
    return RSN_OK;
}

rsn_reason dec_allow(const void *buf, size_t len, const dec_limits *lim, desk_allow *out,
                     dec_error *err)
{
    memset(out, 0, sizeof *out);
    return decode(buf, len, lim, allow_keys, AL__COUNT, allow_fields, out, err);
}

enum { VD_VERSION, VD_REQUEST_ID, VD_ACCOUNT, VD_VERDICT, VD_DECIDED_AT, VD_NOTE, VD__COUNT };

static const char *const verdict_keys[VD__COUNT] = {
    "version", "request_id", "account", "verdict", "decided_at", "note",
};

static rsn_reason verdict_fields(const member *v, const dec_limits *lim, void *out, dec_error *err)
{
    desk_verdict *d = out;
    int answer = 0;
    (void)lim;
    DEC_CHECK(take_id(&v[VD_REQUEST_ID], "request_id", d->request_id, err));
    DEC_CHECK(take_account(&v[VD_ACCOUNT], "account", d->account, err));
    DEC_CHECK(take_enum(&v[VD_VERDICT], "verdict", desk_answer_parse, &answer, err));
    d->answer = (desk_answer)answer;
    DEC_CHECK(take_time(&v[VD_DECIDED_AT], "decided_at", &d->decided_ms, err));
    if (v[VD_NOTE].tok.kind != JL_END) {
        DEC_CHECK(take_text(&v[VD_NOTE], "note", d->note, err));
    }
    return RSN_OK;
}

rsn_reason dec_verdict(const void *buf, size_t len, const dec_limits *lim, desk_verdict *out,
                       dec_error *err)
{
    memset(out, 0, sizeof *out);
    return decode(buf, len, lim, verdict_keys, VD__COUNT, verdict_fields, out, err);
}

enum {
    FR_VERSION,
    FR_ID,
    FR_TRANSFER_ID,
    FR_VICTIM_ACCOUNT,
    FR_AMOUNT,
    FR_CURRENCY,
    FR_REPORTED_AT,
    FR_SOURCE,
    FR__COUNT
};

static const char *const report_keys[FR__COUNT] = {
    "version", "report_id", "transfer_id", "victim_account",
    "amount",  "currency",  "reported_at", "source",
};

/* Who filed a fraud report; index 0 is the invalid zero value. */
static const char *const report_sources[] = {"", "police", "bank", "telecom", "victim"};

static int source_parse(const char *s)
{
    for (size_t i = 1; i < sizeof report_sources / sizeof report_sources[0]; i++) {
        if (strcmp(s, report_sources[i]) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static rsn_reason report_fields(const member *v, const dec_limits *lim, void *out, dec_error *err)
{
    ix_report *r = out;
    int source = 0;
    DEC_CHECK(take_id(&v[FR_ID], "report_id", r->id, err));
    DEC_CHECK(take_id(&v[FR_TRANSFER_ID], "transfer_id", r->transfer_id, err));
    DEC_CHECK(take_account(&v[FR_VICTIM_ACCOUNT], "victim_account", r->victim_account, err));
    DEC_CHECK(take_amount(&v[FR_AMOUNT], "amount", &r->amount, err));
    DEC_CHECK(take_currency(&v[FR_CURRENCY], "currency", r->currency, err));
    DEC_CHECK(take_time(&v[FR_REPORTED_AT], "reported_at", &r->reported_at_ms, err));
    DEC_CHECK(take_enum(&v[FR_SOURCE], "source", source_parse, &source, err));
    snprintf(r->source, sizeof r->source, "%s", report_sources[source]);
    return RSN_OK;
}

rsn_reason dec_report(const void *buf, size_t len, const dec_limits *lim, ix_report *out,
                      dec_error *err)
{
    memset(out, 0, sizeof *out);
    return decode(buf, len, lim, report_keys, FR__COUNT, report_fields, out, err);
}
