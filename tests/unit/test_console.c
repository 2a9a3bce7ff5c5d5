/* test_console.c - the console's parts without a server: masking and link
 * tokens, the request list with its filters, counts and chart, the JSON
 * documents, the configuration checks, and the pages, which must escape
 * every string of a hostile request and show an account as inspect does. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "console.h"
#include "console_int.h"
#include "encode.h"
#include "graph.h"
#include "timefmt.h"
#include "store_fixture.h"

#define T0  1795000000000LL /* 2026-11-18T11:06:40Z */
#define MIN 60000LL

/* ---- requests ------------------------------------------------------------------ */

/* A valid request through the real encoder. */
static char *request(const char *id, ix_action action, const char *account, const char *bank,
                     int64_t detected_ms, const char *code1, const char *code2)
{
    ix_request r;
    memset(&r, 0, sizeof(r));
    snprintf(r.id, sizeof(r.id), "%s", id);
    snprintf(r.rule_set, sizeof(r.rule_set), "2026.11-1");
    snprintf(r.account, sizeof(r.account), "%s", account);
    snprintf(r.bank, sizeof(r.bank), "%s", bank);
    r.action = action;
    r.score = action == IX_ACTION_FREEZE ? 90 : action == IX_ACTION_HOLD ? 60 : 30;
    snprintf(r.trigger_id, sizeof(r.trigger_id), "T-%s", id);
    r.trigger_amount = 1250000;
    memcpy(r.currency, "CNY", 4);
    r.trigger_time_ms = detected_ms - 1000;
    r.detected_at_ms = detected_ms;
    const char *codes[] = {code1, code2};
    for (int i = 0; i < 2 && codes[i]; i++) {
        ix_finding *f = &r.findings[r.nfindings++];
        int wl = strncmp(codes[i], "WL", 2) == 0;
        *f = (ix_finding){.rule = wl ? "watchlist_counterparty" : "pass_through",
                          .code = codes[i],
                          .score = 50,
                          .amount = 1000000 + 100000 * i};
        snprintf(f->path[f->npath++], sizeof(f->path[0]), "%s", account);
        snprintf(f->path[f->npath++], sizeof(f->path[0]), "6222000000009999");
        ix_evidence *e = &f->evidence[f->nevidence++];
        snprintf(e->transfer_id, sizeof(e->transfer_id), "TX-%s-%d", id, i);
        snprintf(e->from_account, sizeof(e->from_account), "%s", account);
        snprintf(e->to_account, sizeof(e->to_account), "6222000000009999");
        e->amount = 1000000;
        e->time_ms = detected_ms - 2000;
        f->figures[f->nfigures++] =
            (ix_figure){.name = "received", .value = 1000000, .threshold = 500000};
        f->figures[f->nfigures++] =
            (ix_figure){.name = "sent_on_pct", .value = 95, .threshold = 80};
    }
    char *buf = malloc(ENC_REQUEST_MAX);
    assert_non_null(buf);
    assert_true(enc_request(&r, buf, ENC_REQUEST_MAX) > 0);
    return buf;
}

static void add(con_list *l, const char *json)
{
    char why[128];
    assert_int_equal(con_list_add(l, json, strlen(json), 0, 0, why, sizeof(why)), 0);
}

enum { NREQ = 5 };

/* Five requests, added out of detected_at order. */
static con_list *sample_list(char *json[NREQ])
{
    json[0] = request("fr-a", IX_ACTION_FREEZE, "6222000000000001", "ICBKCNBJ", T0, "WL01", NULL);
    json[1] = request("fr-b", IX_ACTION_HOLD, "6222000000000002", "ICBKCNBJ001", T0 + 3 * MIN,
                      "PT01", "WL01");
    json[2] = request("fr-c", IX_ACTION_REVIEW, "6222000000000003", "CMBCCNBS", T0 + 1 * MIN,
                      "PT01", NULL);
    json[3] = request("fr-d", IX_ACTION_FREEZE, "6222000000000001", "ICBKCNBJ", T0 + 10 * MIN,
                      "PT01", "PT01");
    json[4] =
        request("fr-e", IX_ACTION_HOLD, "6222000000000005", "BKCHCNBJ", T0 + 5 * MIN, "WL02", NULL);
    con_list *l = con_list_new(1000);
    assert_non_null(l);
    for (int i = 0; i < NREQ; i++)
        add(l, json[i]);
    return l;
}

static void free_json(char *json[NREQ])
{
    for (int i = 0; i < NREQ; i++)
        free(json[i]);
}

/* The ids a filter selects, newest first, joined by spaces. */
static void selected(con_list *l, const con_filter *f, char *out, size_t size)
{
    con_sel s;
    con_list_lock(l);
    assert_int_equal(con_select(l, f, 100, &s), 0);
    out[0] = '\0';
    for (size_t i = 0; i < s.n; i++)
        snprintf(out + strlen(out), size - strlen(out), "%s%s", i ? " " : "", s.reqs[i]->id);
    con_sel_free(&s);
    con_list_unlock(l);
}

static void filter(con_filter *f, const char *key, const char *value)
{
    char errstr[256];
    if (con_filter_add(f, key, value, T0 + 11 * MIN, errstr, sizeof(errstr)) != 0)
        fail_msg("%s=%s: %s", key ? key : "-", value ? value : "-", errstr);
}

static void test_mask(void **state)
{
    (void)state;
    char buf[64];
    assert_string_equal(con_mask(CON_MASK_NONE, "6222021234567890123", buf, sizeof(buf)),
                        "6222021234567890123");
    assert_string_equal(con_mask(CON_MASK_PARTIAL, "6222021234567890123", buf, sizeof(buf)),
                        "6222***********0123");
    assert_string_equal(con_mask(CON_MASK_LAST4, "6222021234567890123", buf, sizeof(buf)),
                        "***************0123");
    assert_string_equal(con_mask(CON_MASK_PARTIAL, "DE89370400440532013000", buf, sizeof(buf)),
                        "DE89**************3000");
    /* Too short to hide anything between the kept ends: all of it. */
    assert_string_equal(con_mask(CON_MASK_PARTIAL, "1234567890", buf, sizeof(buf)), "**********");
    assert_string_equal(con_mask(CON_MASK_PARTIAL, "12345678901", buf, sizeof(buf)), "1234***8901");
    assert_string_equal(con_mask(CON_MASK_LAST4, "123456", buf, sizeof(buf)), "******");
    assert_string_equal(con_mask(CON_MASK_LAST4, "1234567", buf, sizeof(buf)), "***4567");
    assert_string_equal(con_mask(CON_MASK_LAST4, "<script>", buf, sizeof(buf)), "****ipt>");
    /* Cut to the buffer. */
    assert_string_equal(con_mask(CON_MASK_NONE, "6222021234567890123", buf, 5), "6222");
}

static void test_tokens(void **state)
{
    (void)state;
    char errstr[128], tok[128], back[64];
    con_key k1, k2;
    assert_int_equal(con_key_new(&k1, errstr, sizeof(errstr)), 0);
    assert_int_equal(con_key_new(&k2, errstr, sizeof(errstr)), 0);
    con_token(&k1, "6222021234567890123", tok, sizeof(tok));
    assert_int_equal(strlen(tok), 1 + 2 * 19);
    assert_int_equal(tok[0], '~');
    assert_null(strstr(tok, "6222021234567890123"));
    assert_int_equal(con_untoken(&k1, tok, back, sizeof(back)), 0);
    assert_string_equal(back, "6222021234567890123");
    /* Equal ids, equal tokens within a run; another key reads another id. */
    char tok2[128];
    assert_string_equal(con_token(&k1, "6222021234567890123", tok2, sizeof(tok2)), tok);
    if (con_untoken(&k2, tok, back, sizeof(back)) == 0)
        assert_string_not_equal(back, "6222021234567890123");
    /* Not tokens. */
    assert_int_equal(con_untoken(&k1, "~", back, sizeof(back)), -1);
    assert_int_equal(con_untoken(&k1, "~abc", back, sizeof(back)), -1);
    assert_int_equal(con_untoken(&k1, "~zz", back, sizeof(back)), -1);
    assert_int_equal(con_untoken(&k1, "6222", back, sizeof(back)), -1);
    assert_int_equal(con_untoken(&k1, tok, back, 10), -1); /* does not fit */
}

static void test_list_orders_and_filters(void **state)
{
    (void)state;
    char *json[NREQ], got[256], errstr[256];
    con_list *l = sample_list(json);
    con_filter f;
    memset(&f, 0, sizeof(f));
    selected(l, &f, got, sizeof(got));
    assert_string_equal(got, "fr-d fr-e fr-b fr-c fr-a"); /* newest detected first */

    filter(&f, "action", "freeze");
    selected(l, &f, got, sizeof(got));
    assert_string_equal(got, "fr-d fr-a");
    filter(&f, "action", "HOLD");
    selected(l, &f, got, sizeof(got));
    assert_string_equal(got, "fr-d fr-e fr-b fr-a");
    /* An 8-letter BIC is the bank with its branches (tail's rule). */
    filter(&f, "bank", "ICBKCNBJ");
    selected(l, &f, got, sizeof(got));
    assert_string_equal(got, "fr-d fr-b fr-a");
    filter(&f, "rule", "WL01");
    selected(l, &f, got, sizeof(got));
    assert_string_equal(got, "fr-b fr-a");

    memset(&f, 0, sizeof(f));
    filter(&f, "rule", "pass_through");
    filter(&f, "account", "6222000000000001");
    selected(l, &f, got, sizeof(got));
    assert_string_equal(got, "fr-d");

    /* [from, to) on detected_at, a form's minutes as UTC, and "the last ...". */
    memset(&f, 0, sizeof(f));
    filter(&f, "from", "2026-11-18T11:07:40Z"); /* T0 + 1 min */
    filter(&f, "to", "2026-11-18T11:11:40.000Z");
    selected(l, &f, got, sizeof(got));
    assert_string_equal(got, "fr-b fr-c");
    memset(&f, 0, sizeof(f));
    filter(&f, "from", "2026-11-18T11:09");
    selected(l, &f, got, sizeof(got));
    assert_string_equal(got, "fr-d fr-e fr-b");
    memset(&f, 0, sizeof(f));
    filter(&f, "since", "6m"); /* now is T0 + 11 min */
    selected(l, &f, got, sizeof(got));
    assert_string_equal(got, "fr-d fr-e");

    /* Bad values say which parameter and why. */
    assert_int_equal(con_filter_add(&f, "action", "STOP", T0, errstr, sizeof(errstr)), -1);
    assert_string_equal(errstr, "action STOP: expected FREEZE, HOLD or REVIEW");
    assert_int_equal(con_filter_add(&f, "bank", "ICBK", T0, errstr, sizeof(errstr)), -1);
    assert_string_equal(errstr, "bank ICBK: expected a BIC of 8 or 11 letters and digits");
    assert_int_equal(con_filter_add(&f, "account", "<script>", T0, errstr, sizeof(errstr)), -1);
    assert_int_equal(con_filter_add(&f, "from", "yesterday", T0, errstr, sizeof(errstr)), -1);
    assert_int_equal(con_filter_add(&f, "since", "soon", T0, errstr, sizeof(errstr)), -1);
    /* Empty values and unknown keys are no filter. */
    assert_int_equal(con_filter_add(&f, "bank", "", T0, errstr, sizeof(errstr)), 0);
    assert_int_equal(con_filter_add(&f, "utm_source", "x", T0, errstr, sizeof(errstr)), 0);
    con_list_free(l);
    free_json(json);
}

static void test_counts_and_chart(void **state)
{
    (void)state;
    char *json[NREQ];
    con_list *l = sample_list(json);
    con_filter f;
    con_sel s;
    memset(&f, 0, sizeof(f));
    con_list_lock(l);
    assert_int_equal(con_select(l, &f, 2, &s), 0);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.total, 5);
    assert_int_equal(s.by_action[IX_ACTION_FREEZE], 2);
    assert_int_equal(s.by_action[IX_ACTION_HOLD], 2);
    assert_int_equal(s.by_action[IX_ACTION_REVIEW], 1);
    /* Requests per code: fr-d's two PT01 findings count once. */
    assert_int_equal(s.nrules, 3);
    assert_string_equal(s.rules[0].code, "PT01");
    assert_int_equal(s.rules[0].n, 3);
    assert_string_equal(s.rules[0].rule, "pass_through");
    assert_string_equal(s.rules[1].code, "WL01");
    assert_int_equal(s.rules[1].n, 2);
    assert_string_equal(s.rules[2].code, "WL02");
    assert_int_equal(s.rules[2].n, 1);
    /* Ten minutes fit in per-minute bars; the last bar holds the newest. */
    assert_int_equal(s.bar_ms, MIN);
    assert_int_equal(s.chart_end_ms, ((T0 + 10 * MIN) / MIN + 1) * MIN);
    int64_t sum = 0;
    for (int b = 0; b < CON_CHART_BARS; b++)
        for (int a = 0; a < 4; a++)
            sum += s.bars[b][a];
    assert_int_equal(sum, 5);
    assert_int_equal(s.bars[CON_CHART_BARS - 1][IX_ACTION_FREEZE], 1);  /* fr-d */
    assert_int_equal(s.bars[CON_CHART_BARS - 11][IX_ACTION_FREEZE], 1); /* fr-a */
    assert_int_equal(s.bars[CON_CHART_BARS - 8][IX_ACTION_HOLD], 1);    /* fr-b */
    con_sel_free(&s);
    con_list_unlock(l);
    con_list_free(l);
    free_json(json);
}

static void test_drops_the_oldest_beyond_the_cap(void **state)
{
    (void)state;
    con_list *l = con_list_new(100);
    con_list_stats st;
    char id[32];
    for (int i = 0; i < 150; i++) {
        snprintf(id, sizeof(id), "fr-%03d", i);
        char *j =
            request(id, IX_ACTION_HOLD, "6222000000000001", "ICBKCNBJ", T0 + i * MIN, "PT01", NULL);
        add(l, j);
        free(j);
    }
    con_list_stats_get(l, &st);
    assert_int_equal(st.seq, 150);
    assert_int_equal(st.kept + st.dropped, 150);
    assert_true(st.kept <= 100 && st.kept >= 90);
    con_list_lock(l);
    assert_non_null(con_list_find(l, "fr-149"));
    assert_null(con_list_find(l, "fr-000"));
    con_list_unlock(l);
    con_list_free(l);
}

static void test_query_string(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    con_filter f;
    memset(&f, 0, sizeof(f));
    filter(&f, "action", "REVIEW");
    filter(&f, "action", "FREEZE");
    filter(&f, "bank", "icbkcnbj");
    filter(&f, "rule", "WL01");
    filter(&f, "from", "2026-11-18T11:09");
    FILE *out = open_memstream(&buf, &len);
    con_filter_query(&f, out);
    fclose(out);
    assert_string_equal(buf, "action=FREEZE&action=REVIEW&bank=ICBKCNBJ&rule=WL01&from=2026-11-"
                             "18T11%3A09%3A00.000Z");
    free(buf);
}

/* ---- the JSON documents ------------------------------------------------------------ */

static void test_api_requests_are_the_topic_documents(void **state)
{
    (void)state;
    char *json[NREQ], *buf = NULL;
    size_t len = 0;
    con_list *l = sample_list(json);
    con_filter f;
    memset(&f, 0, sizeof(f));
    filter(&f, "action", "FREEZE");
    FILE *out = open_memstream(&buf, &len);
    con_api_requests(out, l, &f, 1000);
    fclose(out);
    json_error_t jerr;
    json_t *doc = json_loadb(buf, len, 0, &jerr);
    if (!doc)
        fail_msg("not JSON: %s\n%s", jerr.text, buf);
    assert_int_equal(json_integer_value(json_object_get(doc, "total")), 2);
    assert_int_equal(json_integer_value(json_object_get(doc, "shown")), 2);
    json_t *counts = json_object_get(doc, "counts");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(counts, "action"), "FREEZE")), 2);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(counts, "action"), "HOLD")),
                     0);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(counts, "rule"), "PT01")),
                     1);
    /* The requests are their own documents, byte for byte, newest first. */
    json_t *reqs = json_object_get(doc, "requests");
    assert_int_equal(json_array_size(reqs), 2);
    const int want[] = {3, 0};
    for (int i = 0; i < 2; i++) {
        json_t *orig = json_loads(json[want[i]], 0, NULL);
        assert_true(json_equal(json_array_get(reqs, (size_t)i), orig));
        json_decref(orig);
        assert_non_null(strstr(buf, json[want[i]]));
    }
    json_decref(doc);
    free(buf);

    out = open_memstream(&buf, &len);
    con_api_status(out, l, "interceptions");
    fclose(out);
    assert_string_equal(buf, "{\"topic\":\"interceptions\",\"seq\":5,\"kept\":5,\"dropped\":0}\n");
    free(buf);
    con_list_free(l);
    free_json(json);
}

/* ---- configuration ----------------------------------------------------------------- */

static void assert_config(const char *key, const char *value, const char *error)
{
    char errstr[512];
    cfg c;
    assert_int_equal(cfg_init(&c, errstr, sizeof(errstr)), 0);
    if (key)
        assert_int_equal(cfg_set(&c, key, value, errstr, sizeof(errstr)), 0);
    int rc = con_check_config(&c, errstr, sizeof(errstr));
    if (error) {
        assert_int_equal(rc, -1);
        if (!strstr(errstr, error))
            fail_msg("%s=%s: \"%s\" does not say \"%s\"", key, value, errstr, error);
    } else if (rc != 0) {
        fail_msg("%s=%s: %s", key ? key : "-", value ? value : "-", errstr);
    }
    cfg_free(&c);
}

static void test_config_checks(void **state)
{
    (void)state;
    assert_config(NULL, NULL, NULL);
    assert_config("console.listen", "0.0.0.0:9470",
                  "console.listen: 0.0.0.0:9470 is reachable from other hosts: set console.token");
    assert_config("console.listen", "9470", "console.listen: expected HOST:PORT");
    assert_config("console.token", "short", "console.token: at least 16 characters");
    assert_config("console.token", "0123456789abcdef", NULL);
    assert_config("console.tls.cert", "/etc/ssl/cert.pem",
                  "console.tls.key: set console.tls.cert and console.tls.key together");
    assert_config("console.tls.key", "/etc/ssl/key.pem",
                  "console.tls.cert: set console.tls.cert and console.tls.key together");
    char errs[512];
    cfg t;
    assert_int_equal(cfg_init(&t, errs, sizeof(errs)), 0);
    assert_int_equal(cfg_set(&t, "console.tls.cert", "/nonexistent/cert.pem", errs, sizeof(errs)),
                     0);
    assert_int_equal(cfg_set(&t, "console.tls.key", "/nonexistent/key.pem", errs, sizeof(errs)), 0);
    assert_int_equal(con_check_config(&t, errs, sizeof(errs)), -1);
    assert_string_equal(errs, "console.tls.cert: /nonexistent/cert.pem: No such file or directory");
    cfg_free(&t);
    assert_config("console.timezone", "UTC", NULL);
    assert_config("console.timezone", "Asia/Shanghai", NULL);
    assert_config("console.timezone", "Mars/Olympus",
                  "console.timezone: \"Mars/Olympus\" is not a zone");
    assert_config("console.timezone", "../../etc/passwd", "is not a zone");
    assert_config("console.timezone", "\"><script>", "is not a zone");

    /* Beyond loopback with a token is accepted. */
    char errstr[512];
    cfg c;
    assert_int_equal(cfg_init(&c, errstr, sizeof(errstr)), 0);
    assert_int_equal(cfg_set(&c, "console.listen", "0.0.0.0:9470", errstr, sizeof(errstr)), 0);
    assert_int_equal(cfg_set(&c, "console.token", "a-long-enough-token", errstr, sizeof(errstr)),
                     0);
    assert_int_equal(con_check_config(&c, errstr, sizeof(errstr)), 0);
    /* The mask names are the table's, in con_mask_mode order. */
    assert_int_equal(cfg_set(&c, "console.mask", "last4", errstr, sizeof(errstr)), 0);
    assert_int_equal(c.console_mask, CON_MASK_LAST4);
    assert_int_equal(cfg_set(&c, "console.mask", "partial", errstr, sizeof(errstr)), 0);
    assert_int_equal(c.console_mask, CON_MASK_PARTIAL);
    cfg_free(&c);
}

/* ---- pages ------------------------------------------------------------------------- */

typedef struct page_fx {
    cfg c;
    con_store store;
    con_list *list;
    con_view v;
    char dir[64];
} page_fx;

static void page_setup(page_fx *p, const char *state_dir, con_mask_mode mask)
{
    char errstr[256];
    memset(p, 0, sizeof(*p));
    assert_int_equal(cfg_init(&p->c, errstr, sizeof(errstr)), 0);
    assert_int_equal(cfg_set(&p->c, "state.dir", state_dir, errstr, sizeof(errstr)), 0);
    static const ix_log quiet = {.level = CFG_LOG_ERROR};
    con_store_init(&p->store, &p->c, &quiet);
    p->list = con_list_new(1000);
    p->v = (con_view){.c = &p->c, .mask = mask, .zone = "", .list = p->list, .store = &p->store};
    assert_int_equal(con_key_new(&p->v.key, errstr, sizeof(errstr)), 0);
}

static void page_teardown(page_fx *p)
{
    con_list_free(p->list);
    con_store_destroy(&p->store);
    cfg_free(&p->c);
}

static int count(const char *s, const char *needle)
{
    int n = 0;
    for (const char *q = s; (q = strstr(q, needle)); q += strlen(needle))
        n++;
    return n;
}

/* Nothing of the hostile strings survives as markup. */
static void assert_inert(const char *page)
{
    /* Our own script tag only, loaded from /static. */
    assert_int_equal(count(page, "<script"), 1);
    assert_non_null(strstr(page, "<script src=\"/static/console.js\"></script>"));
    assert_null(strstr(page, "<img"));
    assert_null(strstr(page, "<svg onload"));
    assert_null(strstr(page, "alert(1)</script>"));
    /* Each payload ends in a '>' that would close its tag: never raw. */
    assert_null(strstr(page, "alert(2)>"));
    assert_null(strstr(page, "alert(4)>"));
    assert_null(strstr(page, "alert(5)>"));
    assert_null(strstr(page, "<img>"));
    assert_null(strstr(page, "href=\"javascript"));
}

/* A request whose every string is hostile; render_check() accepts it, as
 * it checks types, not contents: anyone who can write to the topic can put
 * it there. */
static char *hostile_request(char *long_id)
{
    memset(long_id, 'A', 5000);
    memcpy(long_id, "<b>", 3);
    long_id[5000] = '\0';
    json_t *ev = json_pack("[{s:s,s:s,s:s,s:I,s:s}]", "transfer_id", "<script>alert(1)</script>",
                           "from_account", "\"><img src=x onerror=alert(2)>", "to_account",
                           "javascript:alert(3)", "amount", (json_int_t)500, "time",
                           "2026-11-18T11:06:40Z\"><img src=x>");
    json_t *r = json_pack(
        "{s:i,s:s,s:s,s:s,s:s,s:s,s:i,s:{s:s,s:I,s:s,s:s},s:s,s:[{s:s,s:s,s:i,s:I,s:[s,s],s:o,"
        "s:[{s:s,s:I,s:I}]}]}",
        "version", 1, "request_id", "'\"><svg onload=alert(4)>", "rule_set", "<i>rs</i>", "account",
        "<script>alert(1)</script>", "bank", "\"><img src=x onerror=alert(5)>", "action", "FREEZE",
        "score", 100, "trigger", "id", long_id, "amount", (json_int_t)1000, "currency", "<CNY>",
        "event_time", "<now>", "detected_at", "2026-11-18T11:06:40Z", "findings", "rule",
        "<u>rule</u>", "code", "'\"><img>", "score", 100, "amount", (json_int_t)1000, "path",
        "<script>alert(1)</script>", "\"><img src=x onerror=alert(2)>", "evidence", ev, "figures",
        "name", "<img src=x>", "value", (json_int_t)1, "threshold", (json_int_t)2);
    assert_non_null(r);
    char *s = json_dumps(r, JSON_COMPACT);
    json_decref(r);
    return s;
}

static char *render(int (*fn)(FILE *, const con_view *, const char *), const con_view *v,
                    const char *arg, int *rc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    *rc = fn(out, v, arg);
    fclose(out);
    return buf;
}

static int list_page(FILE *out, const con_view *v, const char *arg)
{
    con_filter f;
    memset(&f, 0, sizeof(f));
    con_page_list(out, v, &f, arg);
    return 0;
}

static int account_page(FILE *out, const con_view *v, const char *account)
{
    return con_page_account(out, v, account, T0 + 30 * MIN);
}

static void test_hostile_request_is_escaped_everywhere(void **state)
{
    (void)state;
    char long_id[5001];
    page_fx p;
    int rc;
    page_setup(&p, "/nonexistent/state", CON_MASK_NONE);
    char *json = hostile_request(long_id);
    add(p.list, json);

    char *page = render(list_page, &p.v, "bank <script>x</script>: no", &rc);
    assert_inert(page);
    assert_non_null(strstr(page, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(page, "data-id=\"&#39;&quot;&gt;&lt;svg onload=alert(4)&gt;\""));
    assert_non_null(strstr(page, "href=\"/requests/%27%22%3E%3Csvg%20onload%3Dalert%284%29%3E\""));
    assert_non_null(strstr(page, "&lt;script&gt;x&lt;/script&gt;: no")); /* the filter error */
    free(page);

    page = render(con_page_request, &p.v, "'\"><svg onload=alert(4)>", &rc);
    assert_int_equal(rc, 0);
    assert_inert(page);
    assert_non_null(strstr(page, "&quot;&gt;&lt;img src=x onerror=alert(5)&gt;"));
    assert_non_null(strstr(page, "&lt;u&gt;rule&lt;/u&gt;"));
    assert_non_null(strstr(page, "&lt;img src=x&gt;")); /* the figure's name */
    assert_non_null(strstr(page, "href=\"/accounts/javascript%3Aalert%283%29\""));
    /* The 5000-byte trigger id is cut for the page. */
    assert_null(strstr(page, long_id + 4000));
    /* The picture, drawn by Graphviz, escapes its labels for SVG. */
    assert_non_null(strstr(page, "<svg"));
    assert_non_null(strstr(page, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_int_equal(count(page, "<svg"), 1);
    free(page);

    page = render(account_page, &p.v, "<script>alert(1)</script>", &rc);
    assert_int_equal(rc, 0); /* no store, but a request is raised on it */
    assert_inert(page);
    assert_non_null(strstr(page, "opening state store /nonexistent/state: "));
    free(page);
    free(json);
    page_teardown(&p);
}

static void test_masked_pages_hide_the_ids(void **state)
{
    (void)state;
    char *json[NREQ];
    page_fx p;
    int rc;
    page_setup(&p, "/nonexistent/state", CON_MASK_PARTIAL);
    con_list_free(p.list);
    p.list = p.v.list = sample_list(json);
    char *page = render(list_page, &p.v, NULL, &rc);
    assert_null(strstr(page, "6222000000000001"));
    assert_non_null(strstr(page, "6222********0001"));
    /* The link carries the token, which leads back to the account. */
    char tok[64], back[64];
    con_token(&p.v.key, "6222000000000001", tok, sizeof(tok));
    char href[96];
    snprintf(href, sizeof(href), "href=\"/accounts/%s\"", tok);
    assert_non_null(strstr(page, href));
    assert_int_equal(con_untoken(&p.v.key, tok, back, sizeof(back)), 0);
    assert_string_equal(back, "6222000000000001");
    free(page);
    page = render(con_page_request, &p.v, "fr-b", &rc);
    assert_int_equal(rc, 0);
    assert_null(strstr(page, "6222000000000002"));
    assert_null(strstr(page, "6222000000009999"));
    assert_non_null(strstr(page, "6222********9999"));
    free(page);
    page_teardown(&p);
    free_json(json);
}

static void test_request_page(void **state)
{
    (void)state;
    char *json[NREQ];
    page_fx p;
    int rc;
    page_setup(&p, "/nonexistent/state", CON_MASK_NONE);
    con_list_free(p.list);
    p.list = p.v.list = sample_list(json);
    char *page = render(con_page_request, &p.v, "fr-b", &rc);
    assert_int_equal(rc, 0);
    /* Both reasons with their figures, money as money, against thresholds. */
    assert_non_null(strstr(page, "<span class=\"code\">PT01</span> pass_through"));
    assert_non_null(strstr(page, "<span class=\"code\">WL01</span> watchlist_counterparty"));
    assert_int_equal(count(page, "<td class=\"mono\">received</td><td class=\"num\">10,000.00 CNY"
                                 "</td><td class=\"num\">5,000.00 CNY</td>"),
                     2);
    assert_int_equal(count(page, "<td class=\"mono\">sent_on_pct</td><td class=\"num\">95</td>"
                                 "<td class=\"num\">80</td>"),
                     2);
    assert_int_equal(count(page, "<tr class=\"transfer\">"), 2);
    assert_non_null(strstr(page, "TX-fr-b-1"));
    /* The largest amount at risk of the findings. */
    assert_non_null(strstr(page, "<b>11,000.00 CNY</b><span>amount at risk</span>"));
    /* The evidence graph, with a link on each account. */
    assert_int_equal(count(page, "class=\"node\""), 2);
    assert_non_null(strstr(page, "xlink:href=\"/accounts/6222000000000002\""));
    assert_non_null(strstr(page, "xlink:href=\"/accounts/6222000000009999\""));
    free(page);
    page = render(con_page_request, &p.v, "fr-none", &rc);
    assert_int_equal(rc, 1);
    free(page);
    page_teardown(&p);
    free_json(json);
}

/* ---- an account page from a real store ------------------------------------------- */

static void build_store(const char *dir)
{
    char errstr[512];
    graph *g = NULL;
    graph_opts o = {.dir = dir, .cache_bytes = 16 << 20, .create = 1};
    assert_int_equal(graph_open(&o, &g, errstr, sizeof(errstr)), 0);
    ix_watch w;
    memset(&w, 0, sizeof(w));
    snprintf(w.account, sizeof(w.account), "6222000000000001");
    snprintf(w.list, sizeof(w.list), "police_report");
    snprintf(w.reason, sizeof(w.reason), "<b>case 7</b>");
    w.added_at_ms = T0 - 86400000LL;
    assert_int_equal(graph_put_watch(g, &w, NULL, errstr, sizeof(errstr)), 0);
    sfx_apply(g, "T1", "6222000000000101", "6222000000000001", 3000000, T0);
    sfx_apply(g, "T2", "6222000000000102", "6222000000000001", 2000000, T0 + 2 * MIN);
    sfx_apply(g, "T3", "6222000000000001", "6222000000000201", 4800000, T0 + 9 * MIN);
    graph_offset off = {"transfers", 0, 3};
    assert_int_equal(graph_checkpoint(g, &off, 1, errstr, sizeof(errstr)), 0);
    graph_close(g);
}

static void test_account_page_shows_what_inspect_shows(void **state)
{
    (void)state;
    char dir[64] = "/tmp/ix-console-XXXXXX", errstr[256], *json[NREQ];
    int rc;
    assert_non_null(mkdtemp(dir));
    build_store(dir);
    page_fx p;
    page_setup(&p, dir, CON_MASK_NONE);
    con_list_free(p.list);
    p.list = p.v.list = sample_list(json);

    /* The API is inspect's document itself. */
    char *api = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&api, &len);
    graph *g = con_store_get(&p.store);
    assert_non_null(g);
    assert_int_equal(
        con_api_account(out, g, "6222000000000001", "CNY", T0 + 30 * MIN, errstr, sizeof(errstr)),
        0);
    con_store_put(&p.store);
    fclose(out);
    json_t *doc = json_loadb(api, len, 0, NULL);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "account")), "6222000000000001");

    char *page = render(account_page, &p.v, "6222000000000001", &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(page, "WATCH-LISTED on police_report"));
    assert_non_null(strstr(page, "&lt;b&gt;case 7&lt;/b&gt;"));
    /* Every counterparty and transfer of the document, and the windows. */
    json_t *cp = json_object_get(doc, "counterparties");
    for (int dir_ = 0; dir_ < 2; dir_++) {
        json_t *arr = json_object_get(cp, dir_ ? "out" : "in");
        for (size_t i = 0; i < json_array_size(arr); i++) {
            char href[96];
            snprintf(href, sizeof(href), "<a class=\"acct mono\" href=\"/accounts/%s\">",
                     json_string_value(json_object_get(json_array_get(arr, i), "account")));
            assert_non_null(strstr(page, href));
        }
    }
    assert_int_equal(json_array_size(json_object_get(doc, "recent")), 3);
    assert_int_equal(count(page, "<tr class=\"flow\">"), 3);
    assert_non_null(strstr(page, "<td class=\"mono\">T3</td>"));
    assert_non_null(strstr(page, "<tr class=\"window\"><td>30d</td><td class=\"num\">2</td>"
                                 "<td class=\"num\">50,000.00 CNY</td><td class=\"num\">1</td>"
                                 "<td class=\"num\">48,000.00 CNY</td><td class=\"num\">"
                                 "2,000.00 CNY</td></tr>"));
    /* The neighbourhood picture, linked, and the requests raised on it. */
    assert_int_equal(count(page, "class=\"node\""), 4);
    assert_non_null(strstr(page, "xlink:href=\"/accounts/6222000000000101\""));
    assert_non_null(strstr(page, "Freeze requests raised on it (2)"));
    assert_int_equal(count(page, "<tr class=\"req\""), 2);
    free(page);

    page = render(account_page, &p.v, "6222000000000777", &rc);
    assert_int_equal(rc, 1);
    free(page);
    json_decref(doc);
    free(api);
    page_teardown(&p);
    free_json(json);
    sfx_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mask),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_list_orders_and_filters),
        cmocka_unit_test(test_counts_and_chart),
        cmocka_unit_test(test_drops_the_oldest_beyond_the_cap),
        cmocka_unit_test(test_query_string),
        cmocka_unit_test(test_api_requests_are_the_topic_documents),
        cmocka_unit_test(test_config_checks),
        cmocka_unit_test(test_hostile_request_is_escaped_everywhere),
        cmocka_unit_test(test_masked_pages_hide_the_ids),
        cmocka_unit_test(test_request_page),
        cmocka_unit_test(test_account_page_shows_what_inspect_shows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
