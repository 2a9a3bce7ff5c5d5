/* console_int.h - the parts of the console (console*.c) and what they share:
 * the requests read off the topic (console_list.c), the account masking and
 * link tokens (console_mask.c), the pages (console_page.c, console_view.c)
 * and the JSON documents (console_api.c). console.c is the server.
 *
 * @locality the list is filled by the consumer thread and read by the
 *           server's threads; every con_list_* call but con_list_lock takes
 *           its lock itself, and the pointers a selection hands out are valid
 *           until con_list_unlock.
 */
#ifndef IX_CONSOLE_INT_H
#define IX_CONSOLE_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "graph.h"
#include "log.h"
#include "tail.h"

/* ---- masking and link tokens (console_mask.c) ---------------------------- */

/* console.mask: how account ids are shown on the pages, in the order of
 * the key's names in the configuration table. */
typedef enum con_mask_mode {
    CON_MASK_NONE = 0, /* in full */
    CON_MASK_PARTIAL,  /* the first 4 and the last 4 characters: 6222********0123 */
    CON_MASK_LAST4     /* only the last 4: ************0123 */
} con_mask_mode;

#define CON_MASK_SHOW 4 /* characters kept at each kept end */

/* account as shown under mode, in buf (cut to fit); returns buf. Ids too
 * short to hide anything behind the kept characters are masked whole. */
const char *con_mask(con_mask_mode mode, const char *account, char *buf, size_t size);

/* A key for link tokens: with masking on, links to an account page carry
 * a token instead of the id, so the id is not in the address bar or the
 * status line either. Tokens are valid for one run of the console. */
typedef struct con_key {
    uint64_t k[2];
} con_key;

/* A random key (getrandom). Returns 0, or -1 with errstr filled. */
int con_key_new(con_key *key, char *errstr, size_t errstr_size);

/* "~" and the id encrypted with the key, in hex; buf of at least
 * 2 * strlen(account) + 2 bytes, else cut. Returns buf. */
const char *con_token(const con_key *key, const char *account, char *buf, size_t size);

/* The account id of a token. Returns 0, or -1 when it is no token of this
 * key (not hex, too long for buf, not printable when decoded). */
int con_untoken(const con_key *key, const char *token, char *buf, size_t size);

/* ---- the requests (console_list.c) --------------------------------------- */

/* One finding's rule name and reason code. */
typedef struct con_code {
    char *rule, *code;
} con_code;

/* A freeze request read off the topic: what the list shows and filters on,
 * and the message's bytes for its page and the API. */
typedef struct con_req {
    uint64_t seq; /* order of arrival, from 1 */
    int32_t partition;
    int64_t offset;
    int64_t detected_ms; /* detected_at; 0 when it is no RFC 3339 time */
    int action;          /* ix_action */
    int score;
    char *id, *account, *bank, *currency, *detected_at;
    int64_t at_risk; /* the largest amount at risk of its findings */
    con_code *codes;
    int ncodes;
    char *json; /* the message's bytes, NUL-terminated */
    size_t len;
} con_req;

typedef struct con_list con_list;

/* A list keeping at most max requests; beyond it the oldest (by
 * detected_at) are dropped, a tenth of max at a time. NULL when out of
 * memory. */
con_list *con_list_new(size_t max);
void con_list_free(con_list *l); /* l may be NULL */

/* Add a request that render_check() accepted. Returns 0, or -1 with why
 * filled (out of memory). */
int con_list_add(con_list *l, const void *json, size_t len, int32_t partition, int64_t offset,
                 char *why, size_t why_size);

/* Requests added so far (a change counter the pages poll), requests kept
 * now, and requests dropped to stay within max. */
typedef struct con_list_stats {
    uint64_t seq;
    size_t kept;
    uint64_t dropped;
} con_list_stats;
void con_list_stats_get(con_list *l, con_list_stats *st);

void con_list_lock(con_list *l);
void con_list_unlock(con_list *l);

/* With the lock held: the newest request with this id, or NULL. */
const con_req *con_list_find(con_list *l, const char *id);

/* ---- filters and what they select (console_list.c) ----------------------- */

#define CON_FILTER_ACCOUNTS 1 /* the account filter takes one account */

/* What the list shows: tail's action, bank and rule filters (all of them
 * must pass, any value of each), the request's account, and a time range
 * on detected_at. */
typedef struct con_filter {
    tail_opts t;
    char account[IX_ACCOUNT_MAX + 1]; /* "" any */
    int64_t from_ms, to_ms;           /* [from, to); 0 open */
    int64_t since_ms;                 /* "the last ...": from = now - since */
    char since[16];                   /* as given, for the form */
} con_filter;

/* Add one query parameter: action, bank, rule (repeatable), account, from,
 * to (RFC 3339, or YYYY-MM-DDTHH:MM[:SS] read as UTC) and since (a duration:
 * 15m, 1h, 7d). An empty value is no filter. Unknown keys are ignored.
 * Returns 0, or -1 with "key VALUE: why" in errstr. */
int con_filter_add(con_filter *f, const char *key, const char *value, int64_t now_ms, char *errstr,
                   size_t errstr_size);

int con_filter_match(const con_filter *f, const con_req *r);

/* The filter as a query string ("action=FREEZE&bank=..."), URL-encoded,
 * without the '?'; nothing for no filter. */
void con_filter_query(const con_filter *f, FILE *out);

#define CON_CHART_BARS 60 /* bars of the requests-per-interval chart */

/* A rule's count in a selection. */
typedef struct con_rule_count {
    const char *code, *rule;
    int64_t n;
} con_rule_count;

/* The requests a filter selects, newest first (by detected_at, then
 * arrival), at most `limit` of them listed; counts cover all of them. */
typedef struct con_sel {
    const con_req **reqs;
    size_t n, total;
    int64_t by_action[4];  /* by ix_action */
    con_rule_count *rules; /* requests by code, most frequent first */
    size_t nrules, rules_cap;
    /* The chart: bars of `bar_ms` ending at the newest selected request's
     * minute, counts by action. */
    int64_t bar_ms, chart_end_ms;
    int64_t bars[CON_CHART_BARS][4];
} con_sel;

/* Select with the lock held. Returns 0, or -1 when out of memory. Free
 * with con_sel_free (before unlocking is not required). */
int con_select(con_list *l, const con_filter *f, size_t limit, con_sel *s);
void con_sel_free(con_sel *s);

/* ---- what a page is drawn with (console.c fills it) ---------------------- */

/* The state store, opened read-only as `inspect` does and opened again when
 * the handle is older than CON_STORE_REFRESH_MS, so pages see what the
 * screener has written since (a read-only RocksDB handle sees the database
 * as it was when opened). */
#define CON_STORE_REFRESH_MS 2000

typedef struct con_store {
    pthread_mutex_t lock;
    const cfg *c;
    const ix_log *lg;
    graph *g;
    int64_t opened_ms; /* monotonic */
    char err[512];     /* why the store could not be opened */
} con_store;

void con_store_init(con_store *s, const cfg *c, const ix_log *lg);
void con_store_destroy(con_store *s);
/* The store, locked, or NULL with s->err filled (still locked: call
 * con_store_put in both cases). */
graph *con_store_get(con_store *s);
void con_store_put(con_store *s);

typedef struct con_view {
    const cfg *c;
    con_mask_mode mask;
    con_key key;
    const char *zone; /* IANA zone for local times; "" the browser's own */
    con_list *list;
    con_store *store;
} con_view;

/* ---- the pages (console_page.c, console_view.c) -------------------------- */

/* Shared pieces of every page (console_view.c): the style sheet and the
 * script, served as /static/console.css and /static/console.js. */
extern const char con_css[];
extern const char con_js[];
/* The page's frame; seq is the requests read so far. */
void con_page_head(FILE *out, const con_view *v, const char *title, uint64_t seq);
void con_page_foot(FILE *out);
/* The path of an account's page (its id, or its token with masking on),
 * malloc'd; NULL when out of memory. */
char *con_account_href(const con_view *v, const char *account);
/* An account as shown (masked) and linked to its page. */
void con_account_link(FILE *out, const con_view *v, const char *account);
/* One request as a row of the list's table (also on account pages). */
void con_request_row(FILE *out, const con_view *v, const con_req *r);
void con_request_table(FILE *out, const con_view *v, const con_req *const *reqs, size_t n);
/* An amount in a currency, as money. */
void con_money(FILE *out, int64_t minor, const char *currency);
/* A time: UTC, and the operator's zone filled in by the page's script. */
void con_time(FILE *out, int64_t ms);
/* An RFC 3339 text from input: con_time when it parses, else escaped. */
void con_time_text(FILE *out, const char *rfc3339);
/* A card titled `title` (markup) with the DOT picture as inline SVG
 * (Graphviz's dot) in a div of this id, and `note` (markup) under it; when
 * dot is NULL or Graphviz fails, "No picture: " and why (why_none, or
 * Graphviz's error), escaped. */
void con_graph_card(FILE *out, const char *title, const char *id, const char *dot, size_t dot_len,
                    const char *why_none, const char *note);

/* The request list (console_page.c). */
void con_page_list(FILE *out, const con_view *v, const con_filter *f, const char *filter_error);
/* A request's page. Returns 0, or 1 when no request has this id. */
int con_page_request(FILE *out, const con_view *v, const char *id);
/* An account's page; `at_ms` ends its windows. Returns 0, or 1 when
 * neither the store nor the list knows the account. */
int con_page_account(FILE *out, const con_view *v, const char *account, int64_t at_ms);
/* A page saying what was not found or went wrong. */
void con_page_message(FILE *out, const con_view *v, const char *title, const char *what,
                      const char *detail);

/* ---- the JSON API (console_api.c) ----------------------------------------- */

/* GET /api/requests: {"total", "shown", "counts": {"action": {...},
 * "rule": {...}}, "requests": [the requests' own documents, newest first]}. */
void con_api_requests(FILE *out, con_list *l, const con_filter *f, size_t limit);
/* GET /api/status: the change counter and the sizes of the list. */
void con_api_status(FILE *out, con_list *l, const char *topic);
/* GET /api/accounts/ID: exactly `inspect ID --json` (top 10, 20 flows).
 * Returns 0, 1 when the store knows nothing of it, or -1 with errstr. */
int con_api_account(FILE *out, graph *g, const char *account, const char *currency, int64_t at_ms,
                    char *errstr, size_t errstr_size);

#endif /* IX_CONSOLE_INT_H */
