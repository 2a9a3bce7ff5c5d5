/* console_account.c - an account's page: what `interdict inspect` shows,
 * its neighbourhood as `inspect --graph` draws it, and the requests raised
 * on it.
 *
 * The page is drawn from inspect's own JSON document (the one GET
 * /api/accounts/ID serves), so the page and `inspect --json` cannot differ.
 */
#include "console_int.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "graphviz.h"
#include "html.h"
#include "inspect.h"
#include "timefmt.h"

#define CON_TOP   10 /* counterparties each way, as inspect's default */
#define CON_FLOWS 20 /* newest transfers, as inspect's default */

int con_api_account(FILE *out, graph *g, const char *account, const char *currency, int64_t at_ms,
                    char *errstr, size_t errstr_size)
{
    inspect_opts io = {.account = account,
                       .currency = currency,
                       .as_of_ms = at_ms,
                       .top = CON_TOP,
                       .flows = CON_FLOWS,
                       .json = 1};
    return inspect_account(g, &io, out, errstr, errstr_size);
}

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static int64_t num(json_t *o, const char *key)
{
    return (int64_t)json_integer_value(json_object_get(o, key));
}

/* What the store gave for the page: inspect's document and the
 * neighbourhood's DOT, or why there are none. */
typedef struct acct_data {
    json_t *doc; /* NULL: unknown to the store, or no store */
    char *dot;
    size_t dot_len;
    int known;
    char err[512];
} acct_data;

/* The neighbourhood picture with masked accounts and links on them. */
static char *neighbourhood_dot(const con_view *v, gv_neighbourhood *nb, size_t *len)
{
    char shown[IX_ACCOUNT_MAX + 1], *dot = NULL;
    int n = 1 + nb->nin + nb->nout;
    char **hrefs = calloc((size_t)n, sizeof(*hrefs));
    gv_node **nodes = calloc((size_t)n, sizeof(*nodes));
    int ok = hrefs && nodes;
    for (int i = 0; ok && i < n; i++) {
        nodes[i] = i == 0         ? &nb->focus
                   : i <= nb->nin ? &nb->in[i - 1].node
                                  : &nb->out[i - 1 - nb->nin].node;
        hrefs[i] = con_account_href(v, nodes[i]->account);
        ok = hrefs[i] != NULL;
        nodes[i]->href = i ? hrefs[i] : NULL; /* the page itself needs no link */
        con_mask(v->mask, nodes[i]->account, shown, sizeof(shown));
        memcpy(nodes[i]->account, shown, sizeof(shown));
    }
    FILE *m = ok ? open_memstream(&dot, len) : NULL;
    if (m) {
        gv_write_dot(nb, NULL, v->c->currency, m);
        fclose(m);
    }
    for (int i = 0; hrefs && i < n; i++)
        free(hrefs[i]);
    free(hrefs);
    free(nodes);
    return dot;
}

static void gather(const con_view *v, const char *account, int64_t at_ms, acct_data *d)
{
    char *buf = NULL;
    size_t len = 0;
    gv_neighbourhood nb;
    memset(d, 0, sizeof(*d));
    memset(&nb, 0, sizeof(nb));
    graph *g = con_store_get(v->store);
    if (!g) {
        snprintf(d->err, sizeof(d->err), "%s", v->store->err);
        goto out;
    }
    FILE *m = open_memstream(&buf, &len);
    int rc = m ? con_api_account(m, g, account, v->c->currency, at_ms, d->err, sizeof(d->err)) : -1;
    if (m)
        fclose(m);
    if (rc == 0 && (d->doc = json_loadb(buf, len, 0, NULL)) != NULL) {
        d->known = 1;
        if (gv_gather(g, account, at_ms, CON_TOP, &nb, d->err, sizeof(d->err)) == 0)
            d->dot = neighbourhood_dot(v, &nb, &d->dot_len);
    } else if (rc == 1) {
        snprintf(d->err, sizeof(d->err), "the state store in %s knows nothing of this account",
                 v->c->state_dir);
    }
out:
    con_store_put(v->store);
    gv_neighbourhood_free(&nb);
    free(buf);
}

/* ---- drawing ------------------------------------------------------------------ */

static void kv_text(FILE *out, const char *key, const char *value)
{
    fprintf(out, "<dt>%s</dt><dd>", key);
    html_text(out, value, 160);
    fputs("</dd>", out);
}

static void kv_time(FILE *out, const char *key, json_t *o, const char *field)
{
    fprintf(out, "<dt>%s</dt><dd>", key);
    con_time_text(out, json_is_string(json_object_get(o, field)) ? str(o, field) : NULL);
    fputs("</dd>", out);
}

static void profile_card(FILE *out, json_t *doc)
{
    json_t *p = json_object_get(doc, "profile");
    fputs("<div class=\"card\"><h2>Profile</h2>", out);
    if (!json_is_object(p)) {
        fputs("<p class=\"note\">No profile received on the accounts topic.</p></div>", out);
        return;
    }
    fputs("<dl class=\"kv\">", out);
    kv_text(out, "Bank", str(p, "bank"));
    kv_text(out, "Holder", str(p, "holder_type"));
    fprintf(out, "<dt>KYC level</dt><dd>%lld</dd>", (long long)num(p, "kyc_level"));
    kv_time(out, "Opened", p, "opened_at");
    kv_text(out, "Dormant", json_is_true(json_object_get(p, "dormant")) ? "yes" : "no");
    kv_text(out, "Frozen at the bank", json_is_true(json_object_get(p, "frozen")) ? "yes" : "no");
    fputs("</dl></div>", out);
}

static void status_card(FILE *out, json_t *doc)
{
    json_t *w = json_object_get(doc, "watchlist"), *inc = json_object_get(doc, "incident");
    fputs("<div class=\"card\"><h2>Status</h2><dl class=\"kv\">", out);
    if (json_is_object(w)) {
        fputs("<dt>Watch list</dt><dd class=\"over\">WATCH-LISTED on ", out);
        html_text(out, str(w, "list"), 80);
        fputs("</dd>", out);
        kv_text(out, "Reason", str(w, "reason"));
        kv_time(out, "Listed", w, "added_at");
    } else {
        kv_text(out, "Watch list", "not listed");
    }
    if (json_is_object(inc)) {
        fputs("<dt>Open incident</dt><dd>", out);
        fprintf(out, "<span class=\"badge %s\">",
                ix_action_name((ix_action)ix_action_parse(str(inc, "action"))));
        html_text(out, str(inc, "action"), 10);
        fputs("</span> raised for the transfer at ", out);
        con_time_text(out, str(inc, "at"));
        fputs("</dd>", out);
    } else {
        kv_text(out, "Open incident", "none");
    }
    kv_time(out, "First seen", doc, "first_seen");
    kv_time(out, "Last seen", doc, "last_seen");
    fputs("</dl></div>", out);
}

static void window_row(FILE *out, const char *name, json_t *x, const char *currency, int held)
{
    fputs("<tr class=\"window\"><td>", out);
    html_text(out, name, 20);
    fprintf(out, "</td><td class=\"num\">%lld</td><td class=\"num\">",
            (long long)num(x, "in_count"));
    con_money(out, num(x, "in_amount"), currency);
    fprintf(out, "</td><td class=\"num\">%lld</td><td class=\"num\">",
            (long long)num(x, "out_count"));
    con_money(out, num(x, "out_amount"), currency);
    fputs("</td><td class=\"num\">", out);
    if (held)
        con_money(out, num(x, "held"), currency);
    fputs("</td></tr>", out);
}

static void windows_card(FILE *out, json_t *doc, const char *currency)
{
    json_t *w = json_object_get(doc, "windows");
    const char *name;
    json_t *x;
    fputs("<div class=\"card\"><h2>Activity up to ", out);
    con_time_text(out, str(doc, "as_of"));
    fputs("</h2><table class=\"windows\"><thead><tr><th>Window</th><th class=\"num\">In</th>"
          "<th class=\"num\">Amount in</th><th class=\"num\">Out</th><th class=\"num\">Amount "
          "out</th><th class=\"num\">Held (in - out)</th></tr></thead><tbody>",
          out);
    json_object_foreach(w, name, x) window_row(out, name, x, currency, 1);
    window_row(out, "all time", json_object_get(doc, "all_time"), currency, 0);
    fputs("</tbody></table></div>\n", out);
}

static void peers_card(FILE *out, const con_view *v, json_t *arr, const char *title,
                       const char *currency)
{
    fputs("<div class=\"card\"><h2>", out);
    fputs(title, out);
    fputs("</h2><table class=\"peers\"><thead><tr><th>Account</th><th class=\"num\">"
          "Transfers</th><th class=\"num\">Amount</th><th>First</th><th>Last</th></tr></thead>"
          "<tbody>",
          out);
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);
        fputs("<tr class=\"peer\"><td>", out);
        con_account_link(out, v, str(e, "account"));
        fprintf(out, "</td><td class=\"num\">%lld</td><td class=\"num\">",
                (long long)num(e, "count"));
        con_money(out, num(e, "amount"), currency);
        fputs("</td><td>", out);
        con_time_text(out, str(e, "first"));
        fputs("</td><td>", out);
        con_time_text(out, str(e, "last"));
        fputs("</td></tr>", out);
    }
    if (json_array_size(arr) == 0)
        fputs("<tr><td colspan=\"5\" class=\"note\">none in the last 30 days</td></tr>", out);
    fputs("</tbody></table></div>", out);
}

static void flows_card(FILE *out, const con_view *v, json_t *arr, const char *currency)
{
    fputs("<div class=\"card\"><h2>Newest transfers</h2><table class=\"flows\"><thead><tr>"
          "<th>Time</th><th>Direction</th><th>Counterparty</th><th class=\"num\">Amount</th>"
          "<th>Transfer</th></tr></thead><tbody>",
          out);
    for (size_t i = json_array_size(arr); i-- > 0;) {
        json_t *f = json_array_get(arr, i);
        int in = strcmp(str(f, "direction"), "in") == 0;
        fputs("<tr class=\"flow\"><td>", out);
        con_time_text(out, str(f, "time"));
        fprintf(out, "</td><td>%s</td><td>", in ? "&larr; from" : "&rarr; to");
        con_account_link(out, v, str(f, "counterparty"));
        fputs("</td><td class=\"num\">", out);
        con_money(out, num(f, "amount"), currency);
        fputs("</td><td class=\"mono\">", out);
        html_text(out, str(f, "transfer_id"), 64);
        fputs("</td></tr>", out);
    }
    fputs("</tbody></table></div>\n", out);
}

static void graph_card(FILE *out, acct_data *d)
{
    con_graph_card(out, "Neighbourhood, last 30 days", "neighbourhood-graph", d->dot, d->dot_len,
                   "no neighbourhood in the store",
                   "Who paid the account on the left, whom it paid on the right, the top 10 "
                   "each way by amount; red: on the watch list.");
}

/* The requests raised on the account; returns how many. */
static size_t requests_card(FILE *out, const con_view *v, const char *account)
{
    con_filter f;
    con_sel s;
    memset(&f, 0, sizeof(f));
    snprintf(f.account, sizeof(f.account), "%s", account);
    con_list_lock(v->list);
    size_t n = 0;
    if (strlen(account) <= IX_ACCOUNT_MAX && con_select(v->list, &f, 500, &s) == 0) {
        n = s.total;
        fprintf(out,
                "<div class=\"card\" id=\"account-requests\"><h2>Freeze requests raised on "
                "it (%zu)</h2>",
                s.total);
        con_request_table(out, v, s.reqs, s.n);
        fputs("</div>\n", out);
        con_sel_free(&s);
    }
    con_list_unlock(v->list);
    return n;
}

static void account_title(FILE *out, const con_view *v, const char *account, json_t *doc)
{
    char shown[256];
    fputs("<h1>Account <span class=\"mono\">", out);
    html_text(out, con_mask(v->mask, account, shown, sizeof(shown)), 80);
    fputs("</span>", out);
    if (json_is_object(json_object_get(doc, "watchlist")))
        fputs(" <span class=\"badge FREEZE\">WATCH-LISTED</span>", out);
    fputs("</h1><p class=\"sub\">What the state store knows of it, read-only", out);
    if (doc && v->mask == CON_MASK_NONE) {
        fputs(" &middot; <a href=\"/api/accounts/", out);
        html_url(out, account);
        fputs("\">JSON</a>", out);
    }
    fputs("</p>\n", out);
}

int con_page_account(FILE *out, const con_view *v, const char *account, int64_t at_ms)
{
    acct_data d;
    gather(v, account, at_ms, &d);
    char *body = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&body, &len);
    if (!m) {
        json_decref(d.doc);
        free(d.dot);
        return -1;
    }
    if (d.doc) {
        const char *cur = v->c->currency;
        fputs("<div class=\"row\">", m);
        profile_card(m, d.doc);
        status_card(m, d.doc);
        fputs("</div>\n", m);
        windows_card(m, d.doc, cur);
        json_t *cp = json_object_get(d.doc, "counterparties");
        fputs("<div class=\"row\">", m);
        peers_card(m, v, json_object_get(cp, "in"), "Counterparties paying in", cur);
        peers_card(m, v, json_object_get(cp, "out"), "Counterparties paid", cur);
        fputs("</div>\n", m);
        graph_card(m, &d);
        flows_card(m, v, json_object_get(d.doc, "recent"), cur);
    } else {
        fputs("<div class=\"card note\">", m);
        html_text(m, d.err, 300);
        fputs("</div>\n", m);
    }
    size_t nreq = requests_card(m, v, account);
    fclose(m);
    int rc = 1;
    if (d.doc || nreq > 0) {
        con_list_stats st;
        char shown[48], title[64];
        con_list_stats_get(v->list, &st);
        snprintf(title, sizeof(title), "Account %s",
                 con_mask(v->mask, account, shown, sizeof(shown)));
        con_page_head(out, v, title, st.seq);
        account_title(out, v, account, d.doc);
        fwrite(body, 1, len, out);
        con_page_foot(out);
        rc = 0;
    }
    free(body);
    json_decref(d.doc);
    free(d.dot);
    return rc;
}
