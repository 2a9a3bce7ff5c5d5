/* produce_input.c - the records of `interdict produce`: reading a file of
 * JSON lines or CSV, a CSV row as the schema's JSON, and the check of each
 * record by the screener's decoders with the key they require.
 *
 * A CSV row becomes JSON generically, from one column table per topic: the
 * decoder stays the only judge of every field, so CSV and JSON input are
 * refused for the same reasons with the same details.
 */
#include "produce.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "decode.h"
#include "encode.h"

#define PRD_RECORD_MAX (1u << 20) /* a CSV record open longer than this is cut */

int prd_topic_parse(const char *s)
{
    static const char *const names[PRD__TOPICS] = {"transfers", "reports",   "accounts",
                                                   "watchlist", "allowlist", "verdicts"};
    for (int i = 0; i < PRD__TOPICS; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

int prd_format_parse(const char *s)
{
    if (strcmp(s, "json") == 0)
        return PRD_JSON;
    if (strcmp(s, "csv") == 0)
        return PRD_CSV;
    return -1;
}

prd_format prd_format_of(const char *path)
{
    size_t n = strlen(path);
    return n > 4 && strcmp(path + n - 4, ".csv") == 0 ? PRD_CSV : PRD_JSON;
}

/* ---- reading */

struct prd_reader {
    FILE *f;
    prd_format fmt;
    char *line; /* getline's buffer */
    size_t cap;
    char *rec; /* a CSV record joined over its lines */
    size_t len, rec_cap;
    int64_t lineno;
};

prd_reader *prd_reader_new(FILE *f, prd_format fmt)
{
    prd_reader *r = calloc(1, sizeof(*r));
    if (r) {
        r->f = f;
        r->fmt = fmt;
    }
    return r;
}

void prd_reader_destroy(prd_reader *r)
{
    if (!r)
        return;
    free(r->line);
    free(r->rec);
    free(r);
}

static int read_failed(prd_reader *r, char *errstr, size_t errstr_size)
{
    if (!ferror(r->f))
        return 0;
    snprintf(errstr, errstr_size, "read error after line %lld", (long long)r->lineno);
    return -1;
}

static int next_json(prd_reader *r, char **text, size_t *len, int64_t *line, char *errstr,
                     size_t errstr_size)
{
    ssize_t n;
    while ((n = getline(&r->line, &r->cap, r->f)) >= 0) {
        r->lineno++;
        while (n > 0 && (r->line[n - 1] == '\n' || r->line[n - 1] == '\r'))
            r->line[--n] = '\0';
        size_t skip = strspn(r->line, " \t");
        if (r->line[skip] == '\0' || r->line[skip] == '#')
            continue;
        *text = r->line;
        *len = (size_t)n;
        *line = r->lineno;
        return 1;
    }
    return read_failed(r, errstr, errstr_size);
}

static int append(prd_reader *r, const char *s, size_t n)
{
    if (r->len + n + 1 > r->rec_cap) {
        size_t cap = (r->len + n + 1) * 2;
        char *p = realloc(r->rec, cap);
        if (!p)
            return -1;
        r->rec = p;
        r->rec_cap = cap;
    }
    memcpy(r->rec + r->len, s, n);
    r->len += n;
    r->rec[r->len] = '\0';
    return 0;
}

/* The joined record without its final line end. */
static int csv_done(prd_reader *r, char **text, size_t *len)
{
    if (r->len > 0 && r->rec[r->len - 1] == '\n')
        r->rec[--r->len] = '\0';
    if (r->len > 0 && r->rec[r->len - 1] == '\r')
        r->rec[--r->len] = '\0';
    *text = r->rec;
    *len = r->len;
    return 1;
}

static int next_csv(prd_reader *r, char **text, size_t *len, int64_t *line, char *errstr,
                    size_t errstr_size)
{
    ssize_t n;
    int open = 0;
    r->len = 0;
    while ((n = getline(&r->line, &r->cap, r->f)) >= 0) {
        r->lineno++;
        if (r->len == 0 && strspn(r->line, "\r\n") == (size_t)n)
            continue; /* a blank line between records */
        if (r->len == 0)
            *line = r->lineno;
        if (append(r, r->line, (size_t)n) != 0) {
            snprintf(errstr, errstr_size, "out of memory at line %lld", (long long)r->lineno);
            return -1;
        }
        open ^= csv_record_open(r->line, (size_t)n);
        if (!open || r->len >= PRD_RECORD_MAX)
            return csv_done(r, text, len);
    }
    if (read_failed(r, errstr, errstr_size) != 0)
        return -1;
    return r->len > 0 ? csv_done(r, text, len) : 0;
}

int prd_reader_next(prd_reader *r, char **text, size_t *len, int64_t *line, char *errstr,
                    size_t errstr_size)
{
    if (r->fmt == PRD_CSV)
        return next_csv(r, text, len, line, errstr, errstr_size);
    return next_json(r, text, len, line, errstr, errstr_size);
}

/* ---- CSV columns: the fields of the schemas (schemas/NAME.v1.json) */

typedef enum col_type {
    COL_STRING,
    COL_NUMBER, /* a JSON number when the cell is one, else a string (refused) */
    COL_LIST,   /* strings separated by '|' (an account's status, an entry's rules) */
    COL_BOOL,   /* true or false when the cell is one, else a string (refused) */
} col_type;

typedef struct col_def {
    const char *name;
    col_type type;
    int required;
} col_def;

#define COLS_MAX 12

/* Every field of each schema; version is optional (1 when absent). */
static const col_def cols_of[PRD__TOPICS][COLS_MAX] = {
    [PRD_TRANSFERS] = {{"version", COL_NUMBER, 0},
                       {"transfer_id", COL_STRING, 1},
                       {"from_account", COL_STRING, 1},
                       {"from_bank", COL_STRING, 1},
                       {"to_account", COL_STRING, 1},
                       {"to_bank", COL_STRING, 1},
                       {"amount", COL_NUMBER, 1},
                       {"currency", COL_STRING, 1},
                       {"event_time", COL_STRING, 1},
                       {"channel", COL_STRING, 0}},
    [PRD_REPORTS] = {{"version", COL_NUMBER, 0},
                     {"report_id", COL_STRING, 1},
                     {"transfer_id", COL_STRING, 1},
                     {"victim_account", COL_STRING, 1},
                     {"amount", COL_NUMBER, 1},
                     {"currency", COL_STRING, 1},
                     {"reported_at", COL_STRING, 1},
                     {"source", COL_STRING, 1}},
    [PRD_ACCOUNTS] = {{"version", COL_NUMBER, 0},
                      {"account", COL_STRING, 1},
                      {"bank", COL_STRING, 1},
                      {"opened_at", COL_STRING, 1},
                      {"holder_type", COL_STRING, 1},
                      {"kyc_level", COL_NUMBER, 1},
                      {"holder_hash", COL_STRING, 1},
                      {"phone_hash", COL_STRING, 1},
                      {"device_hash", COL_STRING, 0},
                      {"status", COL_LIST, 0},
                      {"updated_at", COL_STRING, 1}},
    [PRD_WATCHLIST] = {{"version", COL_NUMBER, 0},
                       {"account", COL_STRING, 1},
                       {"bank", COL_STRING, 1},
                       {"list", COL_STRING, 1},
                       {"reason", COL_STRING, 1},
                       {"added_at", COL_STRING, 1}},
    [PRD_ALLOWLIST] = {{"version", COL_NUMBER, 0},
                       {"account", COL_STRING, 1},
                       {"counterparty", COL_STRING, 0},
                       {"either_way", COL_BOOL, 0},
                       {"rules", COL_LIST, 0},
                       {"reason", COL_STRING, 1},
                       {"added_at", COL_STRING, 1},
                       {"expires_at", COL_STRING, 0}},
    [PRD_VERDICTS] = {{"version", COL_NUMBER, 0},
                      {"request_id", COL_STRING, 1},
                      {"account", COL_STRING, 1},
                      {"verdict", COL_STRING, 1},
                      {"decided_at", COL_STRING, 1},
                      {"note", COL_STRING, 0}},
};

static int col_find(prd_topic t, const char *name, size_t len)
{
    for (int i = 0; i < COLS_MAX && cols_of[t][i].name; i++)
        if (strlen(cols_of[t][i].name) == len && memcmp(cols_of[t][i].name, name, len) == 0)
            return i;
    return -1;
}

static void col_names(prd_topic t, char *buf, size_t size)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int i = 0; i < COLS_MAX && cols_of[t][i].name && k < size; i++)
        k += (size_t)snprintf(buf + k, size - k, "%s%s", i ? " " : "", cols_of[t][i].name);
}

int prd_csv_header(prd_topic t, const csv_row *row, prd_columns *cols, char *errstr,
                   size_t errstr_size)
{
    char names[256], echo[DEC_ECHO_MAX + 4];
    int seen[COLS_MAX] = {0};
    col_names(t, names, sizeof(names));
    cols->topic = t;
    cols->n = row->n;
    for (size_t i = 0; i < row->n; i++) {
        int f = col_find(t, row->field[i], row->len[i]);
        dec_echo(echo, row->field[i], row->len[i], DEC_ECHO_MAX);
        if (f < 0 || seen[f]) {
            snprintf(errstr, errstr_size, "column %zu '%s': %s (columns: %s)", i + 1, echo,
                     f < 0 ? "not a field of this topic" : "named twice", names);
            return -1;
        }
        seen[f] = 1;
        cols->field[i] = f;
    }
    for (int f = 0; f < COLS_MAX && cols_of[t][f].name; f++)
        if (cols_of[t][f].required && !seen[f]) {
            snprintf(errstr, errstr_size, "no column '%s', which every record needs (columns: %s)",
                     cols_of[t][f].name, names);
            return -1;
        }
    return 0;
}

/* Always 0: the row is refused. */
static size_t refuse_row(scr_result *res, rsn_reason r, const char *detail)
{
    memset(res, 0, sizeof(*res));
    res->verdict = SCR_REJECTED;
    res->reason = r;
    snprintf(res->detail, sizeof(res->detail), "%s", detail);
    return 0;
}

/* A number as JSON reads it (jansson's own grammar), or the text as a
 * string, which the decoder refuses as the wrong type. */
static json_t *number_cell(const char *s, size_t n)
{
    if (n > 0 && s[0] != ' ' && s[0] != '\t' && s[n - 1] != ' ' && s[n - 1] != '\t') {
        json_t *v = json_loadb(s, n, JSON_DECODE_ANY, NULL);
        if (v && json_is_number(v))
            return v;
        json_decref(v);
    }
    return json_stringn(s, n);
}

static json_t *list_cell(const char *s, size_t n)
{
    json_t *arr = json_array();
    for (size_t at = 0; arr && at <= n;) {
        const char *bar = memchr(s + at, '|', n - at);
        size_t end = bar ? (size_t)(bar - s) : n;
        if (json_array_append_new(arr, json_stringn(s + at, end - at)) != 0) {
            json_decref(arr);
            return NULL;
        }
        at = end + 1;
    }
    return arr;
}

static json_t *cell_json(col_type type, const char *s, size_t n)
{
    if (type == COL_NUMBER)
        return number_cell(s, n);
    if (type == COL_LIST)
        return list_cell(s, n);
    if (type == COL_BOOL && (n == 4 || n == 5) && memcmp(s, n == 4 ? "true" : "false", n) == 0)
        return json_boolean(n == 4);
    return json_stringn(s, n);
}

static size_t row_to(json_t *obj, const prd_columns *cols, const csv_row *row, char *buf,
                     size_t size, scr_result *res)
{
    char why[SCR_DETAIL_MAX];
    if (row->n != cols->n) {
        snprintf(why, sizeof(why), "CSV: %zu fields, the header has %zu", row->n, cols->n);
        return refuse_row(res, RSN_MALFORMED, why);
    }
    /* First, so that the JSON reads as the schema's; a version cell replaces it. */
    json_object_set_new(obj, "version", json_integer(1));
    for (size_t i = 0; i < row->n; i++) {
        const col_def *d = &cols_of[cols->topic][cols->field[i]];
        if (row->len[i] == 0)
            continue; /* an empty cell: the field is absent */
        json_t *v = cell_json(d->type, row->field[i], row->len[i]);
        if (!v || json_object_set_new(obj, d->name, v) != 0) {
            snprintf(why, sizeof(why), "%s: not valid UTF-8", d->name);
            return refuse_row(res, RSN_MALFORMED, why);
        }
    }
    size_t n = json_dumpb(obj, buf, size, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (n == 0 || n >= size)
        return refuse_row(res, RSN_TOO_LARGE, "the record does not fit a message");
    buf[n] = '\0';
    return n;
}

size_t prd_csv_json(const prd_columns *cols, const csv_row *row, char *buf, size_t size,
                    scr_result *res)
{
    json_t *obj = json_object();
    if (!obj)
        return refuse_row(res, RSN_TOO_LARGE, "out of memory");
    size_t n = row_to(obj, cols, row, buf, size, res);
    json_decref(obj);
    return n;
}

/* ---- checking */

static void set_key(prd_record *rec, const char *account, int64_t event_ms)
{
    snprintf(rec->key, sizeof(rec->key), "%s", account);
    rec->event_ms = event_ms;
}

/* The key a transfer must have is its from_account: read it with the
 * decoder, then let the screener's own step decide with that key. A
 * message the decoder refuses is refused by the screener for the same
 * reason, key or not. */
static int check_transfer(const scr_ctx *s, const void *buf, size_t len, int64_t now_ms,
                          scr_transfers *tx, prd_record *rec, scr_result *res)
{
    dec_limits lim = s->lim;
    lim.now_ms = now_ms;
    const char *key = NULL;
    if (dec_transfer(buf, len, &lim, &rec->transfer, NULL) == RSN_OK)
        key = rec->transfer.from_account;
    if (!scr_decode_transfer(s, key, key ? strlen(key) : 0, buf, len, now_ms, tx, res))
        return 0;
    rec->transfer = tx->t[0];
    set_key(rec, rec->transfer.from_account, rec->transfer.event_time_ms);
    return 1;
}

/* A profile or a watch-list entry: keyed by its account, as above. */
static int check_update(const scr_ctx *s, int watchlist, const void *buf, size_t len,
                        prd_record *rec, scr_result *res)
{
    ix_account a;
    ix_watch w;
    const char *key = NULL;
    if (watchlist ? dec_watch(buf, len, &s->lim, &w, NULL) == RSN_OK
                  : dec_account(buf, len, &s->lim, &a, NULL) == RSN_OK)
        key = watchlist ? w.account : a.account;
    if (!scr_decode_update(s, watchlist, key, key ? strlen(key) : 0, buf, len, &rec->update, res))
        return 0;
    if (watchlist)
        set_key(rec, rec->update.watch.account, rec->update.watch.added_at_ms);
    else
        set_key(rec, rec->update.profile.account, rec->update.profile.updated_at_ms);
    return 1;
}

/* The desk's messages: an allow-list entry keyed by its account, or
 * account/counterparty for a pair (screen.h); a verdict by its account. */
static int check_desk(const scr_ctx *s, prd_topic t, const void *buf, size_t len, prd_record *rec,
                      scr_result *res)
{
    desk_allow a;
    desk_verdict v;
    if (t == PRD_ALLOWLIST && dec_allow(buf, len, &s->lim, &a, NULL) == RSN_OK)
        snprintf(rec->key, sizeof(rec->key), "%s%s%s", a.account, a.counterparty[0] ? "/" : "",
                 a.counterparty);
    if (t == PRD_VERDICTS && dec_verdict(buf, len, &s->lim, &v, NULL) == RSN_OK)
        snprintf(rec->key, sizeof(rec->key), "%s", v.account);
    scr_table table = t == PRD_ALLOWLIST ? SCR_T_ALLOWLIST : SCR_T_VERDICTS;
    if (!scr_decode_update(s, table, rec->key[0] ? rec->key : NULL, strlen(rec->key), buf, len,
                           &rec->update, res))
        return 0;
    rec->event_ms =
        t == PRD_ALLOWLIST ? rec->update.allow.added_ms : rec->update.verdict.decided_ms;
    return 1;
}

int prd_check(const scr_ctx *s, prd_topic t, const void *buf, size_t len, int64_t now_ms,
              scr_transfers *tx, prd_record *rec, scr_result *res)
{
    memset(rec, 0, sizeof(*rec));
    switch (t) {
    case PRD_TRANSFERS:
        return check_transfer(s, buf, len, now_ms, tx, rec, res);
    case PRD_REPORTS:
        /* Not checked against a key by the screener; keyed by the victim's
         * account as the demo and the generator key them. */
        if (!scr_decode_report(s, buf, len, &rec->report, res))
            return 0;
        set_key(rec, rec->report.victim_account, rec->report.reported_at_ms);
        return 1;
    case PRD_ALLOWLIST:
    case PRD_VERDICTS:
        return check_desk(s, t, buf, len, rec, res);
    default:
        return check_update(s, t == PRD_WATCHLIST, buf, len, rec, res);
    }
}

int prd_encode(prd_topic t, const prd_record *rec, char *buf, size_t size)
{
    switch (t) {
    case PRD_TRANSFERS:
        return enc_transfer(&rec->transfer, buf, size);
    case PRD_REPORTS:
        return enc_report(&rec->report, buf, size);
    case PRD_ACCOUNTS:
        return enc_account(&rec->update.profile, buf, size);
    case PRD_ALLOWLIST:
        return enc_allow(&rec->update.allow, buf, size);
    case PRD_VERDICTS:
        return enc_verdict(&rec->update.verdict, buf, size);
    default:
        return enc_watch(&rec->update.watch, buf, size);
    }
}
