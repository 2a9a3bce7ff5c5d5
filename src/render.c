/* render.c - human-readable freeze requests.
 *
 * Everything shown comes off a Kafka topic that anyone with write access can
 * fill, so the request is checked in full before a line is written (no half
 * printed requests), and every string is cleaned of control characters on
 * its way to the terminal.
 */
#include "render.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "currency.h"
#include "model.h"

/* Longest string shown for one field; longer values are cut. Every field a
 * valid request carries is far shorter (ids 64, rule names 64 bytes). */
#define FIELD_MAX 160

void render_amount(int64_t minor, const char *currency, char *buf, size_t size)
{
    int digits = cur_minor_units(currency);
    if (digits < 0)
        digits = 2;
    int64_t unit = 1;
    for (int i = 0; i < digits; i++)
        unit *= 10;
    int neg = minor < 0;
    uint64_t v = neg ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    uint64_t whole = v / (uint64_t)unit, frac = v % (uint64_t)unit;

    /* Thousands separators, built right to left. */
    char w[40];
    int n = 0;
    do {
        if (n && n % 4 == 3)
            w[n++] = ',';
        w[n++] = (char)('0' + whole % 10);
        whole /= 10;
    } while (whole && n < (int)sizeof(w) - 2);
    char wr[40];
    for (int i = 0; i < n; i++)
        wr[i] = w[n - 1 - i];
    wr[n] = '\0';
    if (digits > 0) {
        char fr[24];
        snprintf(fr, sizeof(fr), "%0*" PRIu64, digits & 7, frac);
        snprintf(buf, size, "%s%s.%s %s", neg ? "-" : "", wr, fr, currency);
    } else {
        snprintf(buf, size, "%s%s %s", neg ? "-" : "", wr, currency);
    }
}

/* Length of the UTF-8 sequence led by byte c (1 for a stray byte: jansson
 * only hands out valid UTF-8, this just keeps the loop safe). */
static size_t utf8_len(unsigned char c)
{
    if (c >= 0xf0 && c < 0xf8)
        return 4;
    if (c >= 0xe0)
        return c < 0xf0 ? 3 : 1;
    if (c >= 0xc0)
        return 2;
    return 1;
}

/* s for a terminal, in buf: C0 controls, DEL and C1 controls (U+0080 to
 * U+009F, which some terminals obey like ESC sequences) become '?'. Cut at a
 * character boundary when buf is full. Returns buf. */
static const char *clean(const char *s, char *buf, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; s[i];) {
        unsigned char c = (unsigned char)s[i];
        size_t n = utf8_len(c);
        for (size_t k = 1; k < n; k++)
            if (!s[i + k])
                n = k; /* truncated sequence: stop at the NUL */
        int control =
            c < 0x20 || c == 0x7f || (n == 2 && c == 0xc2 && (unsigned char)s[i + 1] <= 0x9f);
        size_t need = control ? 1 : n;
        if (o + need >= size)
            break;
        if (control) {
            buf[o++] = '?';
        } else {
            memcpy(buf + o, s + i, n);
            o += n;
        }
        i += n;
    }
    buf[o] = '\0';
    return buf;
}

/* The cleaned string at o[key], or "?" if it is not a string. */
static const char *str(json_t *o, const char *key, char *buf, size_t size)
{
    const char *s = json_string_value(json_object_get(o, key));
    return clean(s ? s : "?", buf, size);
}

static int64_t num(json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

/* ---- checking ----------------------------------------------------------- */

typedef enum ftype { F_STR, F_INT, F_OBJ, F_ARR } ftype;

/* One required field of an object and its JSON type. */
typedef struct fspec {
    const char *key;
    ftype type;
} fspec;

static const fspec request_fields[] = {
    {"version", F_INT},     {"request_id", F_STR}, {"rule_set", F_STR}, {"account", F_STR},
    {"bank", F_STR},        {"action", F_STR},     {"score", F_INT},    {"trigger", F_OBJ},
    {"detected_at", F_STR}, {"findings", F_ARR},   {NULL, F_STR},
};
static const fspec trigger_fields[] = {
    {"id", F_STR}, {"amount", F_INT}, {"currency", F_STR}, {"event_time", F_STR}, {NULL, F_STR},
};
static const fspec finding_fields[] = {
    {"rule", F_STR}, {"code", F_STR},     {"score", F_INT},   {"amount", F_INT},
    {"path", F_ARR}, {"evidence", F_ARR}, {"figures", F_ARR}, {NULL, F_STR},
};
static const fspec evidence_fields[] = {
    {"transfer_id", F_STR}, {"from_account", F_STR}, {"to_account", F_STR},
    {"amount", F_INT},      {"time", F_STR},         {NULL, F_STR},
};
static const fspec figure_fields[] = {
    {"name", F_STR}, {"value", F_INT}, {"threshold", F_INT}, {NULL, F_STR}};

static const char *type_name(ftype t)
{
    static const char *const names[] = {"a string", "an integer", "an object", "an array"};
    return names[t];
}

static const char *json_type_name(const json_t *v)
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
        return "true";
    case JSON_FALSE:
        return "false";
    default:
        return "null";
    }
}

static int has_type(const json_t *v, ftype t)
{
    switch (t) {
    case F_STR:
        return json_is_string(v);
    case F_INT:
        return json_is_integer(v);
    case F_OBJ:
        return json_is_object(v);
    default:
        return json_is_array(v);
    }
}

/* `where` is the JSON path of o ("" at the top, else "findings[0]." style). */
static int check_fields(json_t *o, const fspec *spec, const char *where, char *errstr,
                        size_t errstr_size)
{
    if (!json_is_object(o)) {
        /* Name the path without its trailing '.'; the top level has none. */
        int n = (int)strlen(where);
        if (n)
            snprintf(errstr, errstr_size, "%.*s: expected an object, got %s", n - 1, where,
                     json_type_name(o));
        else
            snprintf(errstr, errstr_size, "expected a JSON object, got %s", json_type_name(o));
        return -1;
    }
    for (const fspec *f = spec; f->key; f++) {
        json_t *v = json_object_get(o, f->key);
        if (!v) {
            snprintf(errstr, errstr_size, "%s%s: missing", where, f->key);
            return -1;
        }
        if (!has_type(v, f->type)) {
            snprintf(errstr, errstr_size, "%s%s: expected %s, got %s", where, f->key,
                     type_name(f->type), json_type_name(v));
            return -1;
        }
    }
    return 0;
}

/* Every element of o[key] an object with `spec`, or a string when spec is NULL. */
static int check_array(json_t *o, const char *key, const fspec *spec, const char *where,
                       char *errstr, size_t errstr_size)
{
    json_t *a = json_object_get(o, key);
    char at[96];
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *v = json_array_get(a, i);
        if (!spec && !json_is_string(v)) {
            snprintf(errstr, errstr_size, "%s%s[%zu]: expected a string, got %s", where, key, i,
                     json_type_name(v));
            return -1;
        }
        snprintf(at, sizeof(at), "%s%s[%zu].", where, key, i);
        if (spec && check_fields(v, spec, at, errstr, errstr_size) != 0)
            return -1;
    }
    return 0;
}

static int check_finding(json_t *f, size_t i, char *errstr, size_t errstr_size)
{
    char at[32];
    snprintf(at, sizeof(at), "findings[%zu].", i);
    if (check_fields(f, finding_fields, at, errstr, errstr_size) != 0 ||
        check_array(f, "path", NULL, at, errstr, errstr_size) != 0 ||
        check_array(f, "evidence", evidence_fields, at, errstr, errstr_size) != 0 ||
        check_array(f, "figures", figure_fields, at, errstr, errstr_size) != 0)
        return -1;
    return 0;
}

static int check_tree(json_t *r, char *errstr, size_t errstr_size)
{
    char buf[FIELD_MAX];
    if (check_fields(r, request_fields, "", errstr, errstr_size) != 0)
        return -1;
    if (num(r, "version") != 1) {
        snprintf(errstr, errstr_size, "version: %" PRId64 " is not supported (only 1 is)",
                 num(r, "version"));
        return -1;
    }
    int a = ix_action_parse(json_string_value(json_object_get(r, "action")));
    if (a < IX_ACTION_REVIEW || a > IX_ACTION_FREEZE) {
        snprintf(errstr, errstr_size, "action: \"%.40s\" is not FREEZE, HOLD or REVIEW",
                 str(r, "action", buf, sizeof(buf)));
        return -1;
    }
    if (check_fields(json_object_get(r, "trigger"), trigger_fields, "trigger.", errstr,
                     errstr_size) != 0)
        return -1;
    json_t *fs = json_object_get(r, "findings");
    for (size_t i = 0; i < json_array_size(fs); i++)
        if (check_finding(json_array_get(fs, i), i, errstr, errstr_size) != 0)
            return -1;
    return 0;
}

/* The parsed request, or NULL with errstr filled. */
static json_t *load_request(const void *data, size_t len, char *errstr, size_t errstr_size)
{
    json_error_t jerr;
    char why[FIELD_MAX];
    if (!data || len == 0) {
        snprintf(errstr, errstr_size, "empty message");
        return NULL;
    }
    json_t *r = json_loadb(data, len, 0, &jerr);
    if (!r) {
        /* jansson quotes the offending input: clean it before anyone prints it. */
        snprintf(errstr, errstr_size, "not JSON: %s at byte %d", clean(jerr.text, why, sizeof(why)),
                 jerr.position);
        return NULL;
    }
    if (check_tree(r, errstr, errstr_size) != 0) {
        json_decref(r);
        return NULL;
    }
    return r;
}

int render_check(const void *data, size_t len, char *errstr, size_t errstr_size)
{
    json_t *r = load_request(data, len, errstr, errstr_size);
    json_decref(r);
    return r ? 0 : -1;
}

/* ---- rendering ---------------------------------------------------------- */

static void render_evidence(json_t *e, const char *currency, FILE *out)
{
    char amt[64], id[FIELD_MAX], from[FIELD_MAX], to[FIELD_MAX], t[FIELD_MAX];
    render_amount(num(e, "amount"), currency, amt, sizeof(amt));
    fprintf(out, "          %s  %s -> %s  %s  %s\n", str(e, "transfer_id", id, sizeof(id)),
            str(e, "from_account", from, sizeof(from)), str(e, "to_account", to, sizeof(to)), amt,
            str(e, "time", t, sizeof(t)));
}

/* Figures that are money are shown as money; counts, percents and times as
 * numbers. */
int render_is_money(const char *name)
{
    return strstr(name, "amount") || strstr(name, "volume") || strcmp(name, "received") == 0 ||
           strcmp(name, "sent") == 0;
}

static void render_figure(json_t *g, const char *currency, FILE *out)
{
    char buf[96], v[64], t[64];
    const char *name = str(g, "name", buf, sizeof(buf));
    if (render_is_money(name)) {
        render_amount(num(g, "value"), currency, v, sizeof(v));
        render_amount(num(g, "threshold"), currency, t, sizeof(t));
        fprintf(out, "          %s = %s (threshold %s)\n", name, v, t);
    } else {
        fprintf(out, "          %s = %" PRId64 " (threshold %" PRId64 ")\n", name, num(g, "value"),
                num(g, "threshold"));
    }
}

static void render_finding(json_t *f, const char *currency, FILE *out)
{
    char amt[64], code[FIELD_MAX], rule[FIELD_MAX], buf[FIELD_MAX];
    render_amount(num(f, "amount"), currency, amt, sizeof(amt));
    fprintf(out, "    %-5s %-26s score %3" PRId64 "  at risk %s\n",
            str(f, "code", code, sizeof(code)), str(f, "rule", rule, sizeof(rule)), num(f, "score"),
            amt);
    json_t *path = json_object_get(f, "path");
    if (json_array_size(path) > 0) {
        fprintf(out, "          path ");
        for (size_t i = 0; i < json_array_size(path); i++) {
            const char *acct = json_string_value(json_array_get(path, i));
            fprintf(out, "%s%s", i ? " -> " : "", clean(acct ? acct : "?", buf, sizeof(buf)));
        }
        fputc('\n', out);
    }
    json_t *figs = json_object_get(f, "figures");
    for (size_t i = 0; i < json_array_size(figs); i++)
        render_figure(json_array_get(figs, i), currency, out);
    json_t *ev = json_object_get(f, "evidence");
    for (size_t i = 0; i < json_array_size(ev); i++)
        render_evidence(json_array_get(ev, i), currency, out);
}

static void render_header(json_t *r, FILE *out)
{
    char action[FIELD_MAX], account[FIELD_MAX], bank[FIELD_MAX], id[FIELD_MAX];
    fprintf(out, "%-6s account %s at %s  score %" PRId64 "  [%s]\n",
            str(r, "action", action, sizeof(action)), str(r, "account", account, sizeof(account)),
            str(r, "bank", bank, sizeof(bank)), num(r, "score"),
            str(r, "request_id", id, sizeof(id)));
}

static void render_trigger(json_t *r, const char *currency, FILE *out)
{
    char amt[64], id[FIELD_MAX], ev[FIELD_MAX], det[FIELD_MAX];
    json_t *trig = json_object_get(r, "trigger");
    render_amount(num(trig, "amount"), currency, amt, sizeof(amt));
    fprintf(out, "    trigger %s  %s  event %s  detected %s\n", str(trig, "id", id, sizeof(id)),
            amt, str(trig, "event_time", ev, sizeof(ev)), str(r, "detected_at", det, sizeof(det)));
}

int render_request(const void *data, size_t len, FILE *out, char *errstr, size_t errstr_size)
{
    char currency[FIELD_MAX];
    json_t *r = load_request(data, len, errstr, errstr_size);
    if (!r)
        return -1;
    str(json_object_get(r, "trigger"), "currency", currency, sizeof(currency));
    render_header(r, out);
    render_trigger(r, currency, out);
    json_t *fs = json_object_get(r, "findings");
    for (size_t i = 0; i < json_array_size(fs); i++)
        render_finding(json_array_get(fs, i), currency, out);
    json_decref(r);
    return 0;
}
