/* decode_ref.c - the jansson decoders interdict ran before src/jsonlex.c, kept as a reference.
 *
 * This is src/decode.c as it was when every message went through json_loadb():
 * jansson parses (rejecting invalid UTF-8, NUL bytes, trailing garbage and,
 * with JSON_REJECT_DUPLICATES, repeated keys), every schema field is looked up
 * by name, then checked in schema order. It is compiled only into the fuzz
 * harnesses, the tests and the decoder benchmark's reference build, never into
 * the binary: fuzz_decode_diff.c decodes every input with both and aborts on
 * any difference, and bench_decode_ref times both in one run.
 *
 * Keep it frozen: it is the definition of "the same behaviour as before". A
 * deliberate change of decoder behaviour changes both files, with the reason
 * in the commit message.
 */
#include "decode_ref.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "currency.h"
#include "timefmt.h"

#define DEC_ECHO_MAX   40 /* most input bytes an error detail repeats */
#define DEC_MAX_FIELDS 12 /* most fields of one message type */

/* ---- error reporting ---------------------------------------------------- */

/* At most max bytes of untrusted s into out (which holds max + 4), cut on a
 * UTF-8 character boundary and marked "..." when cut; control characters
 * become '?' so that a detail can never forge a log line or a header. */
static void echo(char *out, const char *s, size_t len, size_t max)
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

__attribute__((format(printf, 4, 5))) static rsn_reason
fail(dec_error *err, rsn_reason r, const char *field, const char *fmt, ...)
{
    err->reason = r;
    snprintf(err->field, sizeof err->field, "%s", field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->detail, sizeof err->detail, fmt, ap);
    va_end(ap);
    return r;
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a real number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "unknown";
}

/* ---- parsing ------------------------------------------------------------ */

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_number_char(char c)
{
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

/* The raw bytes of the JSON string token that ends at buf[end - 1] (a '"'),
 * without its quotes; 0 if there is none. Escapes stay as written: the result
 * only names a key in an error. */
static size_t string_ending_at(const char *buf, size_t end, const char **s)
{
    if (end < 2 || buf[end - 1] != '"') {
        return 0;
    }
    for (size_t i = end - 1; i-- > 0;) {
        if (buf[i] == '"' && (i == 0 || buf[i - 1] != '\\')) {
            *s = buf + i + 1;
            return end - 1 - (i + 1);
        }
    }
    return 0;
}

/* The key whose value is the number token ending at buf[end - 1]. jansson
 * reports where a parse error stopped but not in which member, and an amount
 * that overflows int64 must be told apart from other malformed input. */
static size_t key_of_number_ending_at(const char *buf, size_t end, const char **key)
{
    size_t i = end;
    while (i > 0 && is_number_char(buf[i - 1])) {
        i--;
    }
    while (i > 0 && is_ws(buf[i - 1])) {
        i--;
    }
    if (i == 0 || buf[i - 1] != ':') {
        return 0;
    }
    i--;
    while (i > 0 && is_ws(buf[i - 1])) {
        i--;
    }
    return string_ending_at(buf, i, key);
}

/* jansson's message without its "near '<input>'" tail, which may quote any
 * amount of the input, and with the byte offset instead. */
static rsn_reason malformed(const json_error_t *jerr, size_t pos, dec_error *err)
{
    const char *near = strstr(jerr->text, " near ");
    size_t n = near ? (size_t)(near - jerr->text) : strlen(jerr->text);
    char msg[DEC_ECHO_MAX + 4];
    echo(msg, jerr->text, n, DEC_ECHO_MAX);
    return fail(err, RSN_MALFORMED, "", "%s at byte %zu", msg, pos);
}

static rsn_reason parse_error(const char *buf, size_t len, const json_error_t *jerr, dec_error *err)
{
    size_t pos = jerr->position < 0 ? 0 : (size_t)jerr->position;
    if (pos > len) {
        pos = len;
    }
    const char *key = NULL;
    size_t keylen;
    char field[DEC_KEY_ECHO + 4];
    switch (json_error_code(jerr)) {
    case json_error_duplicate_key:
        keylen = string_ending_at(buf, pos, &key);
        echo(field, key ? key : "", keylen, sizeof field - 4);
        return fail(err, RSN_DUPLICATE_FIELD, field, "key appears more than once");
    case json_error_numeric_overflow:
        keylen = key_of_number_ending_at(buf, pos, &key);
        if (keylen == 6 && memcmp(key, "amount", 6) == 0) {
            return fail(err, RSN_AMOUNT, "amount", "number out of range");
        }
        return malformed(jerr, pos, err);
    default:
        return malformed(jerr, pos, err);
    }
}

/* Parses the message and checks it is a JSON object; on RSN_OK the caller
 * owns *root. */
static rsn_reason parse_root(const void *buf, size_t len, const dec_limits *lim, json_t **root,
                             dec_error *err)
{
    *root = NULL;
    if (!buf || len == 0) {
        return fail(err, RSN_EMPTY, "", "empty message");
    }
    if (len > lim->max_bytes) {
        return fail(err, RSN_TOO_LARGE, "", "%zu bytes, limit %zu", len, lim->max_bytes);
    }
    json_error_t jerr;
    json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!j) {
        return parse_error(buf, len, &jerr, err);
    }
    if (!json_is_object(j)) {
        rsn_reason r = fail(err, RSN_NOT_OBJECT, "", "top level is %s", type_name(j));
        json_decref(j);
        return r;
    }
    *root = j;
    return RSN_OK;
}

/* ---- field binding ------------------------------------------------------ */

static rsn_reason unknown_field(json_t *root, const char *const *keys, size_t nkeys, dec_error *err)
{
    const char *key;
    json_t *value;
    json_object_foreach(root, key, value)
    {
        size_t i = 0;
        while (i < nkeys && strcmp(key, keys[i]) != 0) {
            i++;
        }
        if (i == nkeys) {
            char field[DEC_KEY_ECHO + 4];
            echo(field, key, strlen(key), sizeof field - 4);
            return fail(err, RSN_UNKNOWN_FIELD, field, "not defined by the schema");
        }
    }
    return RSN_OK; /* not reached: the caller counted an unknown key */
}

static rsn_reason check_version(const json_t *v, dec_error *err)
{
    if (!v) {
        return fail(err, RSN_VERSION, "version", "required");
    }
    if (!json_is_integer(v)) {
        return fail(err, RSN_VERSION, "version", "expected the integer 1, got %s", type_name(v));
    }
    if (json_integer_value(v) != 1) {
        return fail(err, RSN_VERSION, "version", "version %" JSON_INTEGER_FORMAT " not supported",
                    json_integer_value(v));
    }
    return RSN_OK;
}

/* Looks up every schema key (keys[0] is "version"); a message with any other
 * key is rejected before its fields are read. Counting is enough to detect
 * one: the object's keys are unique and every found key is one of ours. */
static rsn_reason bind_fields(json_t *root, const char *const *keys, size_t nkeys, json_t **v,
                              dec_error *err)
{
    size_t found = 0;
    for (size_t i = 0; i < nkeys; i++) {
        v[i] = json_object_get(root, keys[i]);
        found += v[i] != NULL;
    }
    if (found != json_object_size(root)) {
        return unknown_field(root, keys, nkeys, err);
    }
    return check_version(v[0], err);
}

/* ---- field checks ------------------------------------------------------- */

static rsn_reason need_string(const json_t *v, const char *name, const char **s, size_t *n,
                              dec_error *err)
{
    if (!v) {
        return fail(err, RSN_MISSING_FIELD, name, "required");
    }
    if (!json_is_string(v)) {
        return fail(err, RSN_FIELD_TYPE, name, "expected a string, got %s", type_name(v));
    }
    *s = json_string_value(v);
    *n = json_string_length(v);
    return RSN_OK;
}

static rsn_reason bad_length(const char *name, size_t n, const char *allowed, dec_error *err)
{
    return fail(err, RSN_FIELD_LENGTH, name, "%zu bytes, allowed %s", n, allowed);
}

static rsn_reason bad_char(const char *name, const char *s, size_t n, size_t at, dec_error *err)
{
    char quoted[DEC_ECHO_MAX + 4];
    echo(quoted, s, n, DEC_ECHO_MAX);
    return fail(err, RSN_FIELD_FORMAT, name, "byte %zu not allowed in \"%s\"", at, quoted);
}

typedef int (*char_class)(unsigned char c);

static int is_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int account_char(unsigned char c)
{
    return is_alnum(c) || c == '-';
}

static int bic_char(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
}

static int id_char(unsigned char c)
{
    return is_alnum(c) || c == '.' || c == '_' || c == ':' || c == '-';
}

static int hex_char(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static int list_char(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '_';
}

/* First byte of s[0..n) outside the class, or n. */
static size_t first_bad(const char *s, size_t n, char_class ok)
{
    size_t i = 0;
    while (i < n && ok((unsigned char)s[i])) {
        i++;
    }
    return i;
}

/* A string of 1..max bytes of one character class, into out[max + 1]. */
static rsn_reason take_token(const json_t *v, const char *name, size_t max, char_class ok,
                             char *out, dec_error *err)
{
    const char *s = NULL;
    size_t n = 0;
    rsn_reason r = need_string(v, name, &s, &n, err);
    if (r != RSN_OK) {
        return r;
    }
    if (n < 1 || n > max) {
        char allowed[32];
        snprintf(allowed, sizeof allowed, "1..%zu", max);
        return bad_length(name, n, allowed, err);
    }
    size_t at = first_bad(s, n, ok);
    if (at < n) {
        return bad_char(name, s, n, at, err);
    }
    memcpy(out, s, n);
    out[n] = '\0';
    return RSN_OK;
}

static rsn_reason take_account(const json_t *v, const char *name, char *out, dec_error *err)
{
    return take_token(v, name, IX_ACCOUNT_MAX, account_char, out, err);
}

static rsn_reason take_id(const json_t *v, const char *name, char *out, dec_error *err)
{
    return take_token(v, name, IX_ID_MAX, id_char, out, err);
}

static rsn_reason take_hash(const json_t *v, const char *name, char *out, dec_error *err)
{
    return take_token(v, name, IX_HASH_MAX, hex_char, out, err);
}

/* ISO 9362 BIC: 8 characters, or 11 with a branch code. */
static rsn_reason take_bank(const json_t *v, const char *name, char *out, dec_error *err)
{
    const char *s = NULL;
    size_t n = 0;
    rsn_reason r = need_string(v, name, &s, &n, err);
    if (r != RSN_OK) {
        return r;
    }
    if (n != 8 && n != 11) {
        return bad_length(name, n, "8 or 11", err);
    }
    size_t at = first_bad(s, n, bic_char);
    if (at < n) {
        return bad_char(name, s, n, at, err);
    }
    memcpy(out, s, n);
    out[n] = '\0';
    return RSN_OK;
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
static rsn_reason take_text(const json_t *v, const char *name, char *out, dec_error *err)
{
    const char *s = NULL;
    size_t n = 0;
    rsn_reason r = need_string(v, name, &s, &n, err);
    if (r != RSN_OK) {
        return r;
    }
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

static rsn_reason take_currency(const json_t *v, const char *name, char *out, dec_error *err)
{
    const char *s = NULL;
    size_t n = 0;
    rsn_reason r = need_string(v, name, &s, &n, err);
    if (r != RSN_OK) {
        return r;
    }
    if (n != IX_CURRENCY_LEN || !cur_valid(s)) {
        char quoted[DEC_ECHO_MAX + 4];
        echo(quoted, s, n, DEC_ECHO_MAX);
        return fail(err, RSN_CURRENCY, name, "\"%s\" is not an active ISO 4217 code", quoted);
    }
    memcpy(out, s, IX_CURRENCY_LEN + 1);
    return RSN_OK;
}

static rsn_reason take_time(const json_t *v, const char *name, int64_t *out, dec_error *err)
{
    const char *s = NULL;
    size_t n = 0;
    rsn_reason r = need_string(v, name, &s, &n, err);
    if (r != RSN_OK) {
        return r;
    }
    if (tf_parse(s, n, out) != 0) {
        char quoted[DEC_ECHO_MAX + 4];
        echo(quoted, s, n, DEC_ECHO_MAX);
        return fail(err, RSN_TIME, name, "\"%s\" is not an RFC 3339 time", quoted);
    }
    return RSN_OK;
}

/* A JSON integer in 1..DEC_AMOUNT_MAX. A real (1.0, 1e2) is a number but not
 * an amount; a string is the wrong type altogether. */
static rsn_reason take_amount(const json_t *v, const char *name, int64_t *out, dec_error *err)
{
    if (!v) {
        return fail(err, RSN_MISSING_FIELD, name, "required");
    }
    if (json_is_real(v)) {
        return fail(err, RSN_AMOUNT, name, "not an integer number of minor units");
    }
    if (!json_is_integer(v)) {
        return fail(err, RSN_FIELD_TYPE, name, "expected an integer, got %s", type_name(v));
    }
    json_int_t a = json_integer_value(v);
    if (a < 1 || a > DEC_AMOUNT_MAX) {
        return fail(err, RSN_AMOUNT, name, "%" JSON_INTEGER_FORMAT " outside 1..%lld", a,
                    DEC_AMOUNT_MAX);
    }
    *out = a;
    return RSN_OK;
}

/* A string naming a value of parse()'s set; the zero value ("unknown") is
 * never valid on the wire. */
static rsn_reason take_enum(const json_t *v, const char *name, int (*parse)(const char *), int *out,
                            dec_error *err)
{
    const char *s = NULL;
    size_t n = 0;
    rsn_reason r = need_string(v, name, &s, &n, err);
    if (r != RSN_OK) {
        return r;
    }
    int x = parse(s);
    if (x <= 0) {
        char quoted[DEC_ECHO_MAX + 4];
        echo(quoted, s, n, DEC_ECHO_MAX);
        return fail(err, RSN_ENUM, name, "\"%s\" is not an allowed value", quoted);
    }
    *out = x;
    return RSN_OK;
}

/* ---- the message types -------------------------------------------------- */

typedef rsn_reason (*fields_fn)(json_t *const *v, const dec_limits *lim, void *out, dec_error *err);

/* Everything the message types share: limits, parsing, binding, cleanup. */
static rsn_reason decode(const void *buf, size_t len, const dec_limits *lim,
                         const char *const *keys, size_t nkeys, fields_fn fields, void *out,
                         dec_error *err)
{
    dec_error scratch;
    dec_limits defaults;
    json_t *root = NULL;
    json_t *v[DEC_MAX_FIELDS];
    if (!err) {
        err = &scratch;
    }
    if (!lim) {
        dec_limits_default(&defaults);
        lim = &defaults;
    }
    memset(err, 0, sizeof *err);
    rsn_reason r = parse_root(buf, len, lim, &root, err);
    if (r != RSN_OK) {
        goto cleanup;
    }
    r = bind_fields(root, keys, nkeys, v, err);
    if (r != RSN_OK) {
        goto cleanup;
    }
    r = fields(v, lim, out, err);
cleanup:
    json_decref(root);
    return r;
}

#define CHECK(expr)                                                                                \
    do {                                                                                           \
        rsn_reason r_ = (expr);                                                                    \
        if (r_ != RSN_OK) {                                                                        \
            return r_;                                                                             \
        }                                                                                          \
    } while (0)

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
        return fail(err, RSN_TIME_RANGE, name, "%lld ms in the past, limit %lld", (long long)-d,
                    (long long)past);
    }
    if (d > future) {
        return fail(err, RSN_TIME_RANGE, name, "%lld ms in the future, limit %lld", (long long)d,
                    (long long)future);
    }
    return RSN_OK;
}

static rsn_reason transfer_fields(json_t *const *v, const dec_limits *lim, void *out,
                                  dec_error *err)
{
    ix_transfer *t = out;
    CHECK(take_id(v[TR_ID], "transfer_id", t->id, err));
    CHECK(take_account(v[TR_FROM_ACCOUNT], "from_account", t->from_account, err));
    CHECK(take_bank(v[TR_FROM_BANK], "from_bank", t->from_bank, err));
    CHECK(take_account(v[TR_TO_ACCOUNT], "to_account", t->to_account, err));
    CHECK(take_bank(v[TR_TO_BANK], "to_bank", t->to_bank, err));
    CHECK(take_amount(v[TR_AMOUNT], "amount", &t->amount, err));
    CHECK(take_currency(v[TR_CURRENCY], "currency", t->currency, err));
    CHECK(take_time(v[TR_EVENT_TIME], "event_time", &t->event_time_ms, err));
    if (v[TR_CHANNEL]) {
        int ch;
        CHECK(take_enum(v[TR_CHANNEL], "channel", ix_channel_parse, &ch, err));
        t->channel = (ix_channel)ch;
    }
    if (strcmp(t->from_account, t->to_account) == 0) {
        return fail(err, RSN_SAME_ACCOUNT, "to_account", "equals from_account");
    }
    return check_time_range(t->event_time_ms, "event_time", lim, err);
}

rsn_reason ref_dec_transfer(const void *buf, size_t len, const dec_limits *lim, ix_transfer *out,
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

static const char *const account_keys[AC__COUNT] = {
    "version",     "account",    "bank",        "opened_at", "holder_type", "kyc_level",
    "holder_hash", "phone_hash", "device_hash", "status",    "updated_at",
};

static rsn_reason take_kyc(const json_t *v, const char *name, int *out, dec_error *err)
{
    if (!v) {
        return fail(err, RSN_MISSING_FIELD, name, "required");
    }
    if (!json_is_integer(v)) {
        return fail(err, RSN_FIELD_TYPE, name, "expected an integer, got %s", type_name(v));
    }
    json_int_t k = json_integer_value(v);
    if (k < 0 || k > 3) {
        return fail(err, RSN_ENUM, name, "%" JSON_INTEGER_FORMAT " outside 0..3", k);
    }
    *out = (int)k;
    return RSN_OK;
}

/* Optional array of distinct "dormant" / "frozen" into IX_ACCT_* flags. */
static rsn_reason take_status(const json_t *v, const char *name, uint32_t *flags, dec_error *err)
{
    *flags = 0;
    if (!v) {
        return RSN_OK;
    }
    if (!json_is_array(v)) {
        return fail(err, RSN_FIELD_TYPE, name, "expected an array, got %s", type_name(v));
    }
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        if (!json_is_string(item)) {
            return fail(err, RSN_FIELD_TYPE, name, "item %zu: expected a string, got %s", i,
                        type_name(item));
        }
        const char *s = json_string_value(item);
        uint32_t bit = strcmp(s, "dormant") == 0  ? IX_ACCT_DORMANT
                       : strcmp(s, "frozen") == 0 ? IX_ACCT_FROZEN
                                                  : 0;
        if (bit == 0 || (*flags & bit)) {
            char quoted[DEC_ECHO_MAX + 4];
            echo(quoted, s, json_string_length(item), DEC_ECHO_MAX);
            return fail(err, RSN_ENUM, name, "item %zu \"%s\" is %s", i, quoted,
                        bit ? "listed twice" : "not an allowed value");
        }
        *flags |= bit;
    }
    return RSN_OK;
}

static rsn_reason account_fields(json_t *const *v, const dec_limits *lim, void *out, dec_error *err)
{
    ix_account *a = out;
    int holder = 0;
    CHECK(take_account(v[AC_ACCOUNT], "account", a->account, err));
    CHECK(take_bank(v[AC_BANK], "bank", a->bank, err));
    CHECK(take_time(v[AC_OPENED_AT], "opened_at", &a->opened_at_ms, err));
    CHECK(take_enum(v[AC_HOLDER_TYPE], "holder_type", ix_holder_type_parse, &holder, err));
    a->holder_type = (ix_holder_type)holder;
    CHECK(take_kyc(v[AC_KYC_LEVEL], "kyc_level", &a->kyc_level, err));
    CHECK(take_hash(v[AC_HOLDER_HASH], "holder_hash", a->holder_hash, err));
    CHECK(take_hash(v[AC_PHONE_HASH], "phone_hash", a->phone_hash, err));
    if (v[AC_DEVICE_HASH]) {
        CHECK(take_hash(v[AC_DEVICE_HASH], "device_hash", a->device_hash, err));
    }
    CHECK(take_status(v[AC_STATUS], "status", &a->flags, err));
    return take_time(v[AC_UPDATED_AT], "updated_at", &a->updated_at_ms, err);
}

rsn_reason ref_dec_account(const void *buf, size_t len, const dec_limits *lim, ix_account *out,
                           dec_error *err)
{
    memset(out, 0, sizeof *out);
    return decode(buf, len, lim, account_keys, AC__COUNT, account_fields, out, err);
}

enum { WL_VERSION, WL_ACCOUNT, WL_BANK, WL_LIST, WL_REASON, WL_ADDED_AT, WL__COUNT };

static const char *const watch_keys[WL__COUNT] = {
    "version", "account", "bank", "list", "reason", "added_at",
};

static rsn_reason watch_fields(json_t *const *v, const dec_limits *lim, void *out, dec_error *err)
{
    ix_watch *w = out;
    CHECK(take_account(v[WL_ACCOUNT], "account", w->account, err));
    CHECK(take_bank(v[WL_BANK], "bank", w->bank, err));
    CHECK(take_token(v[WL_LIST], "list", IX_TEXT_MAX, list_char, w->list, err));
    CHECK(take_text(v[WL_REASON], "reason", w->reason, err));
    return take_time(v[WL_ADDED_AT], "added_at", &w->added_at_ms, err);
}

rsn_reason ref_dec_watch(const void *buf, size_t len, const dec_limits *lim, ix_watch *out,
                         dec_error *err)
{
    memset(out, 0, sizeof *out);
    return decode(buf, len, lim, watch_keys, WL__COUNT, watch_fields, out, err);
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

static rsn_reason report_fields(json_t *const *v, const dec_limits *lim, void *out, dec_error *err)
{
    ix_report *r = out;
    int source = 0;
    CHECK(take_id(v[FR_ID], "report_id", r->id, err));
    CHECK(take_id(v[FR_TRANSFER_ID], "transfer_id", r->transfer_id, err));
    CHECK(take_account(v[FR_VICTIM_ACCOUNT], "victim_account", r->victim_account, err));
    CHECK(take_amount(v[FR_AMOUNT], "amount", &r->amount, err));
    CHECK(take_currency(v[FR_CURRENCY], "currency", r->currency, err));
    CHECK(take_time(v[FR_REPORTED_AT], "reported_at", &r->reported_at_ms, err));
    CHECK(take_enum(v[FR_SOURCE], "source", source_parse, &source, err));
    snprintf(r->source, sizeof r->source, "%s", report_sources[source]);
    return RSN_OK;
}

rsn_reason ref_dec_report(const void *buf, size_t len, const dec_limits *lim, ix_report *out,
                          dec_error *err)
{
    memset(out, 0, sizeof *out);
    return decode(buf, len, lim, report_keys, FR__COUNT, report_fields, out, err);
}
