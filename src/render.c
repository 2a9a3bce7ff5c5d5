/* render.c - human-readable freeze requests. */
#include "render.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "currency.h"

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

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "?";
}

static int64_t num(json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

static void render_finding(json_t *f, const char *currency, FILE *out)
{
    char amt[64];
    render_amount(num(f, "amount"), currency, amt, sizeof(amt));
    fprintf(out, "    %-5s %-26s score %3" PRId64 "  at risk %s\n", str(f, "code"), str(f, "rule"),
            num(f, "score"), amt);
    json_t *path = json_object_get(f, "path");
    if (json_array_size(path) > 0) {
        fprintf(out, "          path ");
        for (size_t i = 0; i < json_array_size(path); i++)
            fprintf(out, "%s%s", i ? " -> " : "", json_string_value(json_array_get(path, i)));
        fputc('\n', out);
    }
    json_t *figs = json_object_get(f, "figures");
    for (size_t i = 0; i < json_array_size(figs); i++) {
        json_t *g = json_array_get(figs, i);
        fprintf(out, "          %s = %" PRId64 " (threshold %" PRId64 ")\n", str(g, "name"),
                num(g, "value"), num(g, "threshold"));
    }
    json_t *ev = json_object_get(f, "evidence");
    for (size_t i = 0; i < json_array_size(ev); i++) {
        json_t *e = json_array_get(ev, i);
        render_amount(num(e, "amount"), currency, amt, sizeof(amt));
        fprintf(out, "          %s  %s -> %s  %s  %s\n", str(e, "transfer_id"),
                str(e, "from_account"), str(e, "to_account"), amt, str(e, "time"));
    }
}

int render_request(const void *data, size_t len, FILE *out, char *errstr, size_t errstr_size)
{
    json_error_t jerr;
    json_t *r = json_loadb(data, len, 0, &jerr);
    if (!r || !json_is_object(r) || !json_object_get(r, "request_id")) {
        snprintf(errstr, errstr_size, "not a freeze request: %s",
                 r ? "missing request_id" : jerr.text);
        json_decref(r);
        return -1;
    }
    json_t *trig = json_object_get(r, "trigger");
    const char *currency = str(trig, "currency");
    char amt[64];
    render_amount(num(trig, "amount"), currency, amt, sizeof(amt));
    fprintf(out, "%-6s account %s at %s  score %" PRId64 "  [%s]\n", str(r, "action"),
            str(r, "account"), str(r, "bank"), num(r, "score"), str(r, "request_id"));
    fprintf(out, "    trigger %s  %s  event %s  detected %s\n", str(trig, "id"), amt,
            str(trig, "event_time"), str(r, "detected_at"));
    json_t *fs = json_object_get(r, "findings");
    for (size_t i = 0; i < json_array_size(fs); i++)
        render_finding(json_array_get(fs, i), currency, out);
    json_decref(r);
    return 0;
}
