/* test_schemas.c - schemas/ and the codec agree: examples, required fields, limits, encoder output.
 *
 * The schemas are the contract other teams code against; the decoders are
 * what actually runs. This test keeps them from drifting: every example goes
 * through the real decoder and through a small JSON Schema validator (the
 * subset of draft 2020-12 the schemas use; an unsupported keyword fails the
 * test rather than being ignored), and the decoder's required fields and
 * limits are checked against each schema.
 */
#include <dirent.h>
#include <locale.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "currency.h"
#include "decode.h"
#include "encode.h"
#include "timefmt.h"

#define SCHEMA_DIR   IX_SOURCE_DIR "/schemas"
#define EXAMPLE_DIR  SCHEMA_DIR "/examples"
#define SIDECAR_NAME "rejections.json"

/* ---- files -------------------------------------------------------------- */

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail_msg("cannot open %s", path);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static json_t *load_json(const char *path)
{
    json_error_t jerr;
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!j) {
        fail_msg("%s:%d: %s", path, jerr.line, jerr.text);
    }
    return j;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The example file names, sorted; *n set to the count. */
static char **list_examples(size_t *n)
{
    DIR *d = opendir(EXAMPLE_DIR);
    assert_non_null(d);
    char **names = NULL;
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        /* Subfolders hold other wire forms (pacs008/: test_iso20022). */
        if (e->d_name[0] == '.' || e->d_type == DT_DIR) {
            continue;
        }
        names = realloc(names, (count + 1) * sizeof *names);
        names[count++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, count, sizeof *names, cmp_names);
    *n = count;
    return names;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(names[i]);
    }
    free(names);
}

/* ---- the message kinds -------------------------------------------------- */

typedef struct kind {
    const char *name; /* schema and example file prefix */
    rsn_reason (*decode)(const char *buf, size_t len, dec_error *err, char *reencoded, size_t size,
                         int *n);
} kind;

/* Each decodes and, on success, encodes the record again into `reencoded`. */
static rsn_reason do_transfer(const char *buf, size_t len, dec_error *err, char *out, size_t size,
                              int *n)
{
    ix_transfer t;
    rsn_reason r = dec_transfer(buf, len, NULL, &t, err);
    *n = r == RSN_OK ? enc_transfer(&t, out, size) : -1;
    return r;
}

static rsn_reason do_account(const char *buf, size_t len, dec_error *err, char *out, size_t size,
                             int *n)
{
    ix_account a;
    rsn_reason r = dec_account(buf, len, NULL, &a, err);
    *n = r == RSN_OK ? enc_account(&a, out, size) : -1;
    return r;
}

static rsn_reason do_watch(const char *buf, size_t len, dec_error *err, char *out, size_t size,
                           int *n)
{
    ix_watch w;
    rsn_reason r = dec_watch(buf, len, NULL, &w, err);
    *n = r == RSN_OK ? enc_watch(&w, out, size) : -1;
    return r;
}

static rsn_reason do_report(const char *buf, size_t len, dec_error *err, char *out, size_t size,
                            int *n)
{
    ix_report rep;
    rsn_reason r = dec_report(buf, len, NULL, &rep, err);
    *n = r == RSN_OK ? enc_report(&rep, out, size) : -1;
    return r;
}

static rsn_reason do_allow(const char *buf, size_t len, dec_error *err, char *out, size_t size,
                           int *n)
{
    desk_allow a;
    rsn_reason r = dec_allow(buf, len, NULL, &a, err);
    *n = r == RSN_OK ? enc_allow(&a, out, size) : -1;
    return r;
}

static rsn_reason do_verdict(const char *buf, size_t len, dec_error *err, char *out, size_t size,
                             int *n)
{
    desk_verdict v;
    rsn_reason r = dec_verdict(buf, len, NULL, &v, err);
    *n = r == RSN_OK ? enc_verdict(&v, out, size) : -1;
    return r;
}

static const kind kinds[] = {
    {"transfer", do_transfer},   {"account", do_account},  {"watchlist", do_watch},
    {"fraud-report", do_report}, {"freeze-request", NULL}, /* output: no decoder */
    {"allowlist", do_allow},     {"verdict", do_verdict},
};

#define NKINDS (sizeof kinds / sizeof kinds[0])

static const kind *kind_of(const char *file)
{
    for (size_t i = 0; i < NKINDS; i++) {
        size_t n = strlen(kinds[i].name);
        if (strncmp(file, kinds[i].name, n) == 0 && file[n] == '.') {
            return &kinds[i];
        }
    }
    return NULL;
}

static json_t *load_schema(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.v1.json", SCHEMA_DIR, name);
    return load_json(path);
}

/* ---- a validator for the subset of JSON Schema 2020-12 in use ------------ */

typedef struct vctx {
    json_t *root;     /* the schema document, for "$ref": "#/$defs/..." */
    int bad;          /* a keyword failed */
    char failed[256]; /* JSON pointer of the first failure ("" is the root) */
    char why[128];    /* which keyword failed */
} vctx;

static int vfail(vctx *c, const char *ptr, const char *key, const char *why)
{
    if (!c->bad) {
        c->bad = 1;
        snprintf(c->failed, sizeof c->failed, "%s%s%s", ptr, key ? "/" : "", key ? key : "");
        snprintf(c->why, sizeof c->why, "%s", why);
    }
    return 0;
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++) {
        n += ((unsigned char)*s & 0xC0) != 0x80;
    }
    return n;
}

static int is_integral(const json_t *v)
{
    if (json_is_integer(v)) {
        return 1;
    }
    if (!json_is_real(v)) {
        return 0;
    }
    double d = json_real_value(v);
    return d == (double)(long long)d;
}

static int type_ok(const char *type, const json_t *v)
{
    if (strcmp(type, "object") == 0) {
        return json_is_object(v);
    }
    if (strcmp(type, "array") == 0) {
        return json_is_array(v);
    }
    if (strcmp(type, "string") == 0) {
        return json_is_string(v);
    }
    if (strcmp(type, "integer") == 0) {
        return is_integral(v); /* 2020-12: 1.0 is an integer */
    }
    if (strcmp(type, "number") == 0) {
        return json_is_number(v);
    }
    if (strcmp(type, "boolean") == 0) {
        return json_is_boolean(v);
    }
    fail_msg("unsupported type \"%s\"", type);
    return 0;
}

static double num(const json_t *v)
{
    return json_is_integer(v) ? (double)json_integer_value(v) : json_real_value(v);
}

static int pattern_ok(const char *pattern, const char *s)
{
    regex_t re;
    int rc = regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        fail_msg("pattern /%s/ does not compile as a POSIX ERE", pattern);
    }
    rc = regexec(&re, s, 0, NULL, 0);
    regfree(&re);
    return rc == 0;
}

static int validate(vctx *c, json_t *schema, json_t *v, const char *ptr);

static int validate_object(vctx *c, json_t *schema, json_t *v, const char *ptr)
{
    json_t *props = json_object_get(schema, "properties");
    json_t *req = json_object_get(schema, "required");
    json_t *addl = json_object_get(schema, "additionalProperties");
    size_t i;
    json_t *k;
    json_array_foreach(req, i, k)
    {
        if (!json_object_get(v, json_string_value(k))) {
            return vfail(c, ptr, json_string_value(k), "required");
        }
    }
    const char *key;
    json_t *member;
    json_object_foreach(v, key, member)
    {
        json_t *sub = props ? json_object_get(props, key) : NULL;
        char child[256];
        snprintf(child, sizeof child, "%s/%s", ptr, key);
        if (!sub) {
            if (addl && json_is_false(addl)) {
                return vfail(c, ptr, key, "additionalProperties");
            }
            continue;
        }
        if (!validate(c, sub, member, child)) {
            return 0;
        }
    }
    return 1;
}

static int validate_array(vctx *c, json_t *schema, json_t *v, const char *ptr)
{
    json_t *items = json_object_get(schema, "items");
    json_t *min = json_object_get(schema, "minItems");
    json_t *max = json_object_get(schema, "maxItems");
    if (min && json_array_size(v) < (size_t)json_integer_value(min)) {
        return vfail(c, ptr, NULL, "minItems");
    }
    if (max && json_array_size(v) > (size_t)json_integer_value(max)) {
        return vfail(c, ptr, NULL, "maxItems");
    }
    if (json_is_true(json_object_get(schema, "uniqueItems"))) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            for (size_t j = 0; j < i; j++) {
                if (json_equal(json_array_get(v, i), json_array_get(v, j))) {
                    return vfail(c, ptr, NULL, "uniqueItems");
                }
            }
        }
    }
    for (size_t i = 0; items && i < json_array_size(v); i++) {
        char child[256];
        snprintf(child, sizeof child, "%s/%zu", ptr, i);
        if (!validate(c, items, json_array_get(v, i), child)) {
            return 0;
        }
    }
    return 1;
}

static int validate_string(vctx *c, json_t *schema, json_t *v, const char *ptr)
{
    const char *s = json_string_value(v);
    json_t *min = json_object_get(schema, "minLength");
    json_t *max = json_object_get(schema, "maxLength");
    json_t *pattern = json_object_get(schema, "pattern");
    json_t *format = json_object_get(schema, "format");
    if (min && utf8_chars(s) < (size_t)json_integer_value(min)) {
        return vfail(c, ptr, NULL, "minLength");
    }
    if (max && utf8_chars(s) > (size_t)json_integer_value(max)) {
        return vfail(c, ptr, NULL, "maxLength");
    }
    if (pattern && !pattern_ok(json_string_value(pattern), s)) {
        return vfail(c, ptr, NULL, "pattern");
    }
    if (format) {
        int64_t ms;
        assert_string_equal(json_string_value(format), "date-time");
        if (tf_parse(s, json_string_length(v), &ms) != 0) {
            return vfail(c, ptr, NULL, "format");
        }
    }
    return 1;
}

static int validate_number(vctx *c, json_t *schema, json_t *v, const char *ptr)
{
    json_t *min = json_object_get(schema, "minimum");
    json_t *max = json_object_get(schema, "maximum");
    if (min && num(v) < num(min)) {
        return vfail(c, ptr, NULL, "minimum");
    }
    if (max && num(v) > num(max)) {
        return vfail(c, ptr, NULL, "maximum");
    }
    /* Doubles cannot order integers near 2^63 exactly; compare as integers. */
    if (max && json_is_integer(v) && json_is_integer(max) &&
        json_integer_value(v) > json_integer_value(max)) {
        return vfail(c, ptr, NULL, "maximum");
    }
    return 1;
}

static int in_enum(json_t *values, json_t *v)
{
    size_t i;
    json_t *e;
    json_array_foreach(values, i, e)
    {
        if (json_equal(e, v)) {
            return 1;
        }
    }
    return 0;
}

/* Every keyword of the schema is either understood here or an annotation. */
static void check_keywords(json_t *schema)
{
    static const char *const known[] = {
        "$schema", "$id",      "$ref",     "$defs",       "title",      "description",
        "type",    "const",    "enum",     "required",    "properties", "additionalProperties",
        "items",   "minItems", "maxItems", "uniqueItems", "minLength",  "maxLength",
        "pattern", "format",   "minimum",  "maximum",
    };
    const char *key;
    json_t *value;
    json_object_foreach(schema, key, value)
    {
        size_t i = 0;
        while (i < sizeof known / sizeof known[0] && strcmp(key, known[i]) != 0) {
            i++;
        }
        if (i == sizeof known / sizeof known[0]) {
            fail_msg("schema keyword \"%s\" is not supported by this test's validator", key);
        }
    }
}

static int validate(vctx *c, json_t *schema, json_t *v, const char *ptr)
{
    check_keywords(schema);
    json_t *ref = json_object_get(schema, "$ref");
    if (ref) {
        const char *r = json_string_value(ref);
        assert_int_equal(strncmp(r, "#/$defs/", 8), 0);
        json_t *target = json_object_get(json_object_get(c->root, "$defs"), r + 8);
        if (!target) {
            fail_msg("dangling $ref %s", r);
        }
        if (!validate(c, target, v, ptr)) {
            return 0;
        }
    }
    json_t *type = json_object_get(schema, "type");
    if (type && !type_ok(json_string_value(type), v)) {
        return vfail(c, ptr, NULL, "type");
    }
    json_t *cst = json_object_get(schema, "const");
    if (cst && !json_equal(cst, v)) {
        return vfail(c, ptr, NULL, "const");
    }
    json_t *en = json_object_get(schema, "enum");
    if (en && !in_enum(en, v)) {
        return vfail(c, ptr, NULL, "enum");
    }
    if (json_is_object(v)) {
        return validate_object(c, schema, v, ptr);
    }
    if (json_is_array(v)) {
        return validate_array(c, schema, v, ptr);
    }
    if (json_is_string(v)) {
        return validate_string(c, schema, v, ptr);
    }
    if (json_is_number(v)) {
        return validate_number(c, schema, v, ptr);
    }
    return 1;
}

/* NULL if inst is valid, else the JSON pointer of the first failure. */
static const char *schema_check(json_t *schema, json_t *inst, vctx *c)
{
    memset(c, 0, sizeof *c);
    c->root = schema;
    validate(c, schema, inst, "");
    return c->bad ? c->failed : NULL;
}

/* ---- tests -------------------------------------------------------------- */

static void test_schema_files(void **state)
{
    for (size_t i = 0; i < NKINDS; i++) {
        json_t *s = load_schema(kinds[i].name);
        char id[128];
        snprintf(id, sizeof id, "urn:interdict:schema:%s:v1", kinds[i].name);
        assert_string_equal(json_string_value(json_object_get(s, "$schema")),
                            "https://json-schema.org/draft/2020-12/schema");
        assert_string_equal(json_string_value(json_object_get(s, "$id")), id);
        assert_string_equal(json_string_value(json_object_get(s, "type")), "object");
        assert_true(json_is_false(json_object_get(s, "additionalProperties")));
        json_t *props = json_object_get(s, "properties");
        json_t *version = json_object_get(props, "version");
        assert_int_equal(json_integer_value(json_object_get(version, "const")), 1);
        json_t *req = json_object_get(s, "required");
        assert_string_equal(json_string_value(json_array_get(req, 0)), "version");
        size_t j;
        json_t *k;
        json_array_foreach(req, j, k)
        {
            if (!json_object_get(props, json_string_value(k))) {
                fail_msg("%s: required \"%s\" has no property", kinds[i].name,
                         json_string_value(k));
            }
        }
        json_decref(s);
    }
}

/* Limits written in the schemas are the model's limits. */
static void test_schema_limits(void **state)
{
    json_t *s = load_schema("transfer");
    json_t *defs = json_object_get(s, "$defs");
    json_t *account = json_object_get(defs, "account");
    json_t *id = json_object_get(defs, "id");
    json_t *amount = json_object_get(defs, "amount");
    assert_int_equal(json_integer_value(json_object_get(account, "maxLength")), IX_ACCOUNT_MAX);
    assert_int_equal(json_integer_value(json_object_get(id, "maxLength")), IX_ID_MAX);
    assert_int_equal(json_integer_value(json_object_get(amount, "minimum")), 1);
    assert_int_equal(json_integer_value(json_object_get(amount, "maximum")), DEC_AMOUNT_MAX);
    json_decref(s);
    s = load_schema("watchlist");
    json_t *props = json_object_get(s, "properties");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(props, "reason"), "maxLength")),
        IX_TEXT_MAX);
    json_decref(s);
    s = load_schema("account");
    json_t *hash = json_object_get(json_object_get(s, "$defs"), "hash");
    assert_int_equal(json_integer_value(json_object_get(hash, "maxLength")), IX_HASH_MAX);
    json_decref(s);
    s = load_schema("freeze-request");
    defs = json_object_get(s, "$defs");
    props = json_object_get(json_object_get(defs, "finding"), "properties");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(props, "path"), "maxItems")),
        IX_PATH_MAX);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(props, "evidence"), "maxItems")),
        IX_EVIDENCE_MAX);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(props, "figures"), "maxItems")),
        IX_FIGURES_MAX);
    json_t *findings = json_object_get(json_object_get(s, "properties"), "findings");
    assert_int_equal(json_integer_value(json_object_get(findings, "maxItems")), IX_FINDINGS_MAX);
    json_decref(s);
}

/* The currency enum in every schema that has one is exactly src/currency.c's table. */
static void test_currency_enum(void **state)
{
    static const char *const with_currency[] = {"transfer", "fraud-report", "freeze-request"};
    for (size_t i = 0; i < 3; i++) {
        json_t *s = load_schema(with_currency[i]);
        json_t *e =
            json_object_get(json_object_get(json_object_get(s, "$defs"), "currency"), "enum");
        assert_int_equal(json_array_size(e), cur_count());
        for (size_t j = 0; j < cur_count(); j++) {
            assert_string_equal(json_string_value(json_array_get(e, j)), cur_code(j));
        }
        json_decref(s);
    }
}

static void check_valid_example(const kind *k, const char *file, const char *buf, size_t len,
                                json_t *schema)
{
    vctx c;
    json_error_t jerr;
    json_t *doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        fail_msg("%s: %s", file, jerr.text);
    }
    if (schema_check(schema, doc, &c)) {
        fail_msg("%s: schema rejects it at %s (%s)", file, c.failed, c.why);
    }
    json_decref(doc);
    if (!k->decode) {
        return;
    }
    dec_error err;
    char out[ENC_RECORD_MAX];
    int n;
    if (k->decode(buf, len, &err, out, sizeof out, &n) != RSN_OK) {
        fail_msg("%s: decoder rejects it: %s: %s", file, err.field, err.detail);
    }
    /* What the encoder writes back is valid too. */
    assert_true(n > 0);
    doc = json_loadb(out, (size_t)n, JSON_REJECT_DUPLICATES, &jerr);
    assert_non_null(doc);
    if (schema_check(schema, doc, &c)) {
        fail_msg("%s re-encoded: schema rejects %s at %s (%s)", file, out, c.failed, c.why);
    }
    json_decref(doc);
}

static void check_invalid_example(const kind *k, const char *file, const char *buf, size_t len,
                                  json_t *schema, json_t *expect)
{
    if (!expect) {
        fail_msg("%s: no entry in %s", file, SIDECAR_NAME);
    }
    vctx c;
    json_t *doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
    int parsed = doc != NULL;
    const char *failed = parsed ? schema_check(schema, doc, &c) : "(not JSON)";
    json_decref(doc);
    if (!k->decode) {
        const char *want = json_string_value(json_object_get(expect, "pointer"));
        assert_non_null(want);
        if (!failed || strcmp(failed, want) != 0) {
            fail_msg("%s: schema failure at \"%s\", expected \"%s\"", file,
                     failed ? failed : "(none)", want);
        }
        return;
    }
    dec_error err;
    char out[ENC_RECORD_MAX];
    int n;
    rsn_reason r = k->decode(buf, len, &err, out, sizeof out, &n);
    const char *want = json_string_value(json_object_get(expect, "reason"));
    const char *field = json_string_value(json_object_get(expect, "field"));
    assert_non_null(want);
    assert_non_null(field);
    if (strcmp(rsn_code(r), want) != 0 || strcmp(err.field, field) != 0) {
        fail_msg("%s: decoder says %s \"%s\" (%s), expected %s \"%s\"", file, rsn_code(r),
                 err.field, err.detail, want, field);
    }
    /* The schema rejects it too, unless the entry says why it cannot. */
    if (parsed && !failed && !json_object_get(expect, "schema_accepts")) {
        fail_msg("%s: the schema accepts it; mark it schema_accepts or fix the schema", file);
    }
}

static void test_examples(void **state)
{
    size_t n;
    char **names = list_examples(&n);
    json_t *sidecar = load_json(EXAMPLE_DIR "/" SIDECAR_NAME);
    int valid[NKINDS] = {0}, invalid[NKINDS] = {0};
    for (size_t i = 0; i < n; i++) {
        if (strcmp(names[i], SIDECAR_NAME) == 0) {
            continue;
        }
        const kind *k = kind_of(names[i]);
        if (!k) {
            fail_msg("%s: not named after a schema", names[i]);
        }
        const char *rest = names[i] + strlen(k->name);
        int is_valid = strncmp(rest, ".valid", 6) == 0;
        int is_invalid = strncmp(rest, ".invalid", 8) == 0;
        size_t nl = strlen(names[i]);
        if ((!is_valid && !is_invalid) || nl < 5 || strcmp(names[i] + nl - 5, ".json") != 0) {
            fail_msg("%s: expected <schema>.valid*.json or <schema>.invalid*.json", names[i]);
        }
        char path[512];
        snprintf(path, sizeof path, "%s/%s", EXAMPLE_DIR, names[i]);
        size_t len;
        char *buf = read_file(path, &len);
        json_t *schema = load_schema(k->name);
        if (is_valid) {
            check_valid_example(k, names[i], buf, len, schema);
            valid[k - kinds]++;
        } else {
            check_invalid_example(k, names[i], buf, len, schema,
                                  json_object_get(sidecar, names[i]));
            invalid[k - kinds]++;
        }
        json_decref(schema);
        free(buf);
    }
    for (size_t i = 0; i < NKINDS; i++) {
        if (!valid[i] || !invalid[i]) {
            fail_msg("%s: needs a valid and an invalid example", kinds[i].name);
        }
    }
    /* No stale entries in the sidecar. */
    const char *key;
    json_t *value;
    json_object_foreach(sidecar, key, value)
    {
        size_t j = 0;
        while (j < n && strcmp(names[j], key) != 0) {
            j++;
        }
        if (j == n) {
            fail_msg("%s names %s, which does not exist", SIDECAR_NAME, key);
        }
    }
    json_decref(sidecar);
    free_names(names, n);
}

/* The decoder requires exactly the schema's "required" fields and knows
 * every property: drop each field from the full valid example in turn. */
static void test_required_fields(void **state)
{
    for (size_t i = 0; i < NKINDS; i++) {
        const kind *k = &kinds[i];
        if (!k->decode) {
            continue;
        }
        char path[512];
        snprintf(path, sizeof path, "%s/%s.valid.json", EXAMPLE_DIR, k->name);
        json_t *example = load_json(path);
        json_t *schema = load_schema(k->name);
        json_t *props = json_object_get(schema, "properties");
        json_t *req = json_object_get(schema, "required");
        /* The full example carries every property, optional ones included. */
        assert_int_equal(json_object_size(example), json_object_size(props));
        const char *key;
        json_t *sub;
        json_object_foreach(props, key, sub)
        {
            json_t *copy = json_deep_copy(example);
            json_object_del(copy, key);
            char *text = json_dumps(copy, JSON_COMPACT);
            int required = 0;
            size_t j;
            json_t *r;
            json_array_foreach(req, j, r)
            {
                required |= strcmp(json_string_value(r), key) == 0;
            }
            dec_error err;
            char out[ENC_RECORD_MAX];
            int n;
            rsn_reason got = k->decode(text, strlen(text), &err, out, sizeof out, &n);
            rsn_reason want = !required                     ? RSN_OK
                              : strcmp(key, "version") == 0 ? RSN_VERSION
                                                            : RSN_MISSING_FIELD;
            if (got != want || (required && strcmp(err.field, key) != 0)) {
                fail_msg("%s without \"%s\": %s \"%s\", expected %s", k->name, key, rsn_code(got),
                         err.field, rsn_code(want));
            }
            free(text);
            json_decref(copy);
        }
        /* And nothing beyond the properties. */
        json_t *copy = json_deep_copy(example);
        json_object_set_new(copy, "x_extension", json_integer(1));
        char *text = json_dumps(copy, JSON_COMPACT);
        dec_error err;
        char out[ENC_RECORD_MAX];
        int n;
        assert_int_equal(k->decode(text, strlen(text), &err, out, sizeof out, &n),
                         RSN_UNKNOWN_FIELD);
        assert_string_equal(err.field, "x_extension");
        free(text);
        json_decref(copy);
        json_decref(schema);
        json_decref(example);
    }
}

/* What enc_request() writes is a valid freeze request. */
static void test_request_output(void **state)
{
    ix_request *r = calloc(1, sizeof *r);
    strcpy(r->id, "fr-3f9a1c0e5b7d2a46");
    strcpy(r->rule_set, "2026.11.1");
    strcpy(r->account, "6222021234567890123");
    strcpy(r->bank, "ICBKCNBJ");
    r->action = IX_ACTION_HOLD;
    r->score = 55;
    strcpy(r->trigger_id, "tx-1");
    r->trigger_amount = 500000;
    strcpy(r->currency, "EUR");
    r->trigger_time_ms = 1795401061123LL;
    r->detected_at_ms = 1795401061200LL;
    r->nfindings = IX_FINDINGS_MAX;
    for (int i = 0; i < IX_FINDINGS_MAX; i++) {
        ix_finding *f = &r->findings[i];
        f->rule = "fan_in";
        f->code = "FI01";
        f->score = 10 + i;
        f->amount = 500000;
        f->npath = IX_PATH_MAX;
        for (int p = 0; p < IX_PATH_MAX; p++) {
            snprintf(f->path[p], sizeof f->path[p], "ACC-%d-%d", i, p);
        }
        f->nevidence = IX_EVIDENCE_MAX;
        for (int e = 0; e < IX_EVIDENCE_MAX; e++) {
            snprintf(f->evidence[e].transfer_id, IX_ID_MAX + 1, "tx:%d.%d", i, e);
            snprintf(f->evidence[e].from_account, IX_ACCOUNT_MAX + 1, "S%d", e);
            strcpy(f->evidence[e].to_account, "6222021234567890123");
            f->evidence[e].amount = 31250;
            f->evidence[e].time_ms = 1795401061123LL - e * 60000;
        }
        f->nfigures = IX_FIGURES_MAX;
        for (int g = 0; g < IX_FIGURES_MAX; g++) {
            f->figures[g].name = "distinct_senders";
            f->figures[g].value = 16;
            f->figures[g].threshold = 10;
        }
    }
    char *buf = malloc(ENC_REQUEST_MAX);
    int n = enc_request(r, buf, ENC_REQUEST_MAX);
    assert_true(n > 0);
    json_error_t jerr;
    json_t *doc = json_loadb(buf, (size_t)n, JSON_REJECT_DUPLICATES, &jerr);
    assert_non_null(doc);
    json_t *schema = load_schema("freeze-request");
    vctx c;
    if (schema_check(schema, doc, &c)) {
        fail_msg("enc_request output rejected at %s (%s)", c.failed, c.why);
    }
    /* And the validator is not blind: NONE is not a wire action. */
    r->action = IX_ACTION_NONE;
    n = enc_request(r, buf, ENC_REQUEST_MAX);
    json_decref(doc);
    doc = json_loadb(buf, (size_t)n, 0, &jerr);
    assert_string_equal(schema_check(schema, doc, &c), "/action");
    json_decref(doc);
    json_decref(schema);
    free(buf);
    free(r);
}

int main(void)
{
    /* Schema patterns are matched per character, not per byte. */
    if (!setlocale(LC_ALL, "C.UTF-8")) {
        fprintf(stderr, "C.UTF-8 locale not available\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_files),    cmocka_unit_test(test_schema_limits),
        cmocka_unit_test(test_currency_enum),   cmocka_unit_test(test_examples),
        cmocka_unit_test(test_required_fields), cmocka_unit_test(test_request_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
