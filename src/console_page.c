/* console_page.c - the request list and a request's page.
 *
 * Every string of a request came off the topic and goes through html.h on
 * its way into the page; numbers are printed from integers. The evidence
 * picture is the one `inspect --graph --request` draws (graphviz.c), with a
 * link on each account, rendered by Graphviz, which escapes its labels for
 * SVG.
 */
#include "console_int.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "graphviz.h"
#include "html.h"
#include "render.h"
#include "timefmt.h"

#define CON_LIST_MAX 500 /* requests listed on the page; the counts cover all */
#define CHART_W      720
#define CHART_H      150

static const char *const action_colour[] = {"#98a2b3", "#175cd3", "#b54708", "#b42318"};

/* ---- the list ---------------------------------------------------------------- */

static void badge(FILE *out, int action)
{
    const char *a = ix_action_name((ix_action)action);
    fprintf(out, "<span class=\"badge %s\">%s</span>", a, a);
}

void con_request_row(FILE *out, const con_view *v, const con_req *r)
{
    fputs("<tr class=\"req\" data-id=\"", out);
    html_text(out, r->id, 0);
    fputs("\"><td>", out);
    con_time_text(out, r->detected_at);
    fputs("</td><td>", out);
    badge(out, r->action);
    fputs("</td><td>", out);
    con_account_link(out, v, r->account);
    fputs("</td><td class=\"mono bank\">", out);
    html_text(out, r->bank, 20);
    fprintf(out, "</td><td class=\"num\">%d</td><td>", r->score);
    for (int i = 0; i < r->ncodes; i++) {
        fputs("<span class=\"code\" title=\"", out);
        html_text(out, r->codes[i].rule, 80);
        fputs("\">", out);
        html_text(out, r->codes[i].code, 40);
        fputs("</span>", out);
    }
    fputs("</td><td class=\"num\">", out);
    con_money(out, r->at_risk, r->currency);
    fputs("</td><td class=\"mono\"><a class=\"rq\" href=\"/requests/", out);
    html_url(out, r->id);
    fputs("\">", out);
    html_text(out, r->id, 40);
    fputs("</a></td></tr>\n", out);
}

void con_request_table(FILE *out, const con_view *v, const con_req *const *reqs, size_t n)
{
    fputs("<table class=\"requests\"><thead><tr><th>Detected</th><th>Action</th>"
          "<th>Account</th><th>Bank</th><th class=\"num\">Score</th><th>Reasons</th>"
          "<th class=\"num\">At risk</th><th>Request</th></tr></thead><tbody>\n",
          out);
    for (size_t i = 0; i < n; i++)
        con_request_row(out, v, reqs[i]);
    fputs("</tbody></table>\n", out);
}

static void checkbox(FILE *out, const con_filter *f, int action)
{
    const char *a = ix_action_name((ix_action)action);
    fprintf(out, "<label><input type=\"checkbox\" name=\"action\" value=\"%s\"%s> %s</label>", a,
            f->t.actions & (1u << action) ? " checked" : "", a);
}

static void text_input(FILE *out, const char *name, const char *label, const char *value,
                       const char *placeholder)
{
    fprintf(out, "<label>%s<input name=\"%s\" value=\"", label, name);
    html_text(out, value, 0);
    fprintf(out, "\" placeholder=\"%s\"></label>", placeholder);
}

static void time_value(int64_t ms, char *buf, size_t size)
{
    buf[0] = '\0';
    if (ms > 0)
        tf_format(ms, buf, size);
}

static void filter_form(FILE *out, const con_filter *f)
{
    char from[32], to[32];
    static const char *const since[] = {"15m", "1h", "6h", "24h", "7d", NULL};
    time_value(f->since[0] ? 0 : f->from_ms, from, sizeof(from));
    time_value(f->to_ms, to, sizeof(to));
    fputs("<form class=\"filters card\" method=\"get\" action=\"/\"><fieldset>", out);
    for (int a = IX_ACTION_FREEZE; a >= IX_ACTION_REVIEW; a--)
        checkbox(out, f, a);
    fputs("</fieldset>", out);
    text_input(out, "bank", "Bank (BIC)", f->t.nbanks ? f->t.banks[0] : "", "ICBKCNBJ");
    text_input(out, "rule", "Rule or reason code", f->t.nrules ? f->t.rules[0] : "", "WL01");
    text_input(out, "account", "Account", f->account, "account id");
    fputs("<label>Detected in<select name=\"since\"><option value=\"\">any time</option>", out);
    for (int i = 0; since[i]; i++)
        fprintf(out, "<option value=\"%s\"%s>the last %s</option>", since[i],
                strcmp(f->since, since[i]) == 0 ? " selected" : "", since[i]);
    fputs("</select></label>", out);
    text_input(out, "from", "From (UTC)", from, "2026-11-23T08:00");
    text_input(out, "to", "To (UTC)", to, "2026-11-23T18:00");
    fputs("<button type=\"submit\">Apply</button><a class=\"button plain\" href=\"/\">Clear</a>"
          "</form>\n",
          out);
}

static void stat(FILE *out, int64_t n, const char *label)
{
    fprintf(out, "<div class=\"stat\"><b>%lld</b><span>%s</span></div>", (long long)n, label);
}

static void bar_label(FILE *out, int64_t ms, int64_t bar_ms)
{
    char t[32];
    if (tf_format(ms, t, sizeof(t)) < 0)
        return;
    t[10] = ' ';
    t[bar_ms >= 86400000 ? 10 : 16] = '\0';
    fprintf(out, "%s", t);
}

/* Requests per bar by action, stacked: FREEZE at the bottom. */
static void chart(FILE *out, const con_sel *s)
{
    int64_t top = 1;
    for (int b = 0; b < CON_CHART_BARS; b++) {
        int64_t sum = s->bars[b][1] + s->bars[b][2] + s->bars[b][3];
        top = sum > top ? sum : top;
    }
    /* The bar widths are 1, 5, 15 minutes, 1, 6 hours, 1 and 7 days. */
    int64_t minutes = s->bar_ms ? s->bar_ms / 60000 : 1;
    if (minutes == 1 || minutes == 60 || minutes == 1440)
        fprintf(out, "<h2>Requests per %s, by action</h2>",
                minutes == 1    ? "minute"
                : minutes == 60 ? "hour"
                                : "day");
    else
        fprintf(out, "<h2>Requests per %lld %s, by action</h2>",
                (long long)(minutes % 1440 == 0 ? minutes / 1440
                            : minutes % 60 == 0 ? minutes / 60
                                                : minutes),
                minutes % 1440 == 0 ? "days"
                : minutes % 60 == 0 ? "hours"
                                    : "minutes");
    fprintf(out,
            "<div class=\"chart\"><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d "
            "%d\" role=\"img\" aria-label=\"requests per interval\">",
            CHART_W, CHART_H + 20);
    double w = (double)(CHART_W - 40) / CON_CHART_BARS;
    for (int b = 0; s->bar_ms && b < CON_CHART_BARS; b++) {
        double y = CHART_H;
        int64_t start = s->chart_end_ms - (int64_t)(CON_CHART_BARS - b) * s->bar_ms;
        for (int a = IX_ACTION_FREEZE; a >= IX_ACTION_REVIEW; a--) {
            double h = (double)s->bars[b][a] * (CHART_H - 10) / (double)top;
            if (h <= 0)
                continue;
            y -= h;
            fprintf(out,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                    "<title>",
                    40 + b * w, y, w - 1, h, action_colour[a]);
            bar_label(out, start, s->bar_ms);
            fprintf(out, " UTC: %lld %s</title></rect>", (long long)s->bars[b][a],
                    ix_action_name((ix_action)a));
        }
    }
    fprintf(out,
            "<line x1=\"40\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#98a2b3\"/>"
            "<text x=\"34\" y=\"14\" font-size=\"11\" text-anchor=\"end\" fill=\"#5b6878\">%lld"
            "</text><text x=\"34\" y=\"%d\" font-size=\"11\" text-anchor=\"end\" "
            "fill=\"#5b6878\">0</text>",
            CHART_H, CHART_W, CHART_H, (long long)top, CHART_H);
    if (s->bar_ms) {
        fprintf(out, "<text x=\"40\" y=\"%d\" font-size=\"11\" fill=\"#5b6878\">", CHART_H + 15);
        bar_label(out, s->chart_end_ms - CON_CHART_BARS * s->bar_ms, s->bar_ms);
        fprintf(out,
                " UTC</text><text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\" "
                "fill=\"#5b6878\">",
                CHART_W, CHART_H + 15);
        bar_label(out, s->chart_end_ms, s->bar_ms);
        fputs(" UTC</text>", out);
    }
    fputs("</svg></div><div class=\"legend\">", out);
    for (int a = IX_ACTION_FREEZE; a >= IX_ACTION_REVIEW; a--)
        fprintf(out, "<span><i class=\"%s\"></i>%s</span>", ix_action_name((ix_action)a),
                ix_action_name((ix_action)a));
    fputs("</div>\n", out);
}

static void rule_counts(FILE *out, const con_sel *s)
{
    fputs("<h2>Requests by reason</h2><table class=\"rules\"><thead><tr><th>Code</th>"
          "<th>Rule</th><th class=\"num\">Requests</th></tr></thead><tbody>",
          out);
    for (size_t i = 0; i < s->nrules; i++) {
        fputs("<tr><td><span class=\"code\">", out);
        html_text(out, s->rules[i].code, 40);
        fputs("</span></td><td>", out);
        html_text(out, s->rules[i].rule, 80);
        fprintf(out, "</td><td class=\"num\">%lld</td></tr>", (long long)s->rules[i].n);
    }
    if (s->nrules == 0)
        fputs("<tr><td colspan=\"3\" class=\"note\">none</td></tr>", out);
    fputs("</tbody></table>\n", out);
}

static void live_section(FILE *out, const con_view *v, const con_sel *s, uint64_t seq)
{
    fprintf(out, "<section id=\"live\" data-seq=\"%llu\">\n<div class=\"stats\">",
            (unsigned long long)seq);
    stat(out, (int64_t)s->total, "requests shown");
    stat(out, s->by_action[IX_ACTION_FREEZE], "FREEZE");
    stat(out, s->by_action[IX_ACTION_HOLD], "HOLD");
    stat(out, s->by_action[IX_ACTION_REVIEW], "REVIEW");
    fputs("</div>\n<div class=\"row\"><div class=\"card wide\">", out);
    chart(out, s);
    fputs("</div><div class=\"card\">", out);
    rule_counts(out, s);
    fputs("</div></div>\n<div class=\"card\">", out);
    fprintf(out, "<p class=\"note\"><span class=\"live\"></span>Live: new requests appear as "
                 "they are committed. ");
    if (s->n < s->total)
        fprintf(out, "The newest %zu of %zu are listed; the counts cover all of them.", s->n,
                s->total);
    else
        fprintf(out, "%zu listed.", s->n);
    fputs("</p>\n", out);
    con_request_table(out, v, s->reqs, s->n);
    fputs("</div>\n</section>\n", out);
}

void con_page_list(FILE *out, const con_view *v, const con_filter *f, const char *filter_error)
{
    con_sel s;
    con_list_stats st;
    con_list_stats_get(v->list, &st);
    con_page_head(out, v, "Freeze requests", st.seq);
    fputs("<h1>Freeze requests</h1><p class=\"sub\">Committed requests on <b>", out);
    html_text(out, v->c->topic_interceptions, 100);
    fputs("</b>, newest first.", out);
    if (st.dropped)
        fprintf(out,
                " The oldest %llu were dropped to keep %zu in memory "
                "(console.max.requests).",
                (unsigned long long)st.dropped, st.kept);
    fputs("</p>\n", out);
    if (filter_error) {
        fputs("<div class=\"error\">", out);
        html_text(out, filter_error, 300);
        fputs("</div>\n", out);
    }
    filter_form(out, f);
    con_list_lock(v->list);
    if (con_select(v->list, f, CON_LIST_MAX, &s) == 0) {
        live_section(out, v, &s, st.seq);
        con_sel_free(&s);
    } else {
        fputs("<div class=\"error\">out of memory</div>", out);
    }
    con_list_unlock(v->list);
    con_page_foot(out);
}

/* ---- a request --------------------------------------------------------------- */

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static int64_t num(json_t *o, const char *key)
{
    return (int64_t)json_integer_value(json_object_get(o, key));
}

/* A measured value or threshold, as the next cell: money as money. */
static void figure_value(FILE *out, const char *name, int64_t v, const char *currency)
{
    fputs("</td><td class=\"num\">", out);
    if (render_is_money(name))
        con_money(out, v, currency);
    else
        fprintf(out, "%lld", (long long)v);
}

static void figures(FILE *out, json_t *figs, const char *currency)
{
    if (json_array_size(figs) == 0)
        return;
    fputs("<h2>Measured against thresholds</h2><table class=\"figures\"><thead><tr>"
          "<th>Measure</th><th class=\"num\">Measured</th><th class=\"num\">Threshold</th>"
          "</tr></thead><tbody>",
          out);
    for (size_t i = 0; i < json_array_size(figs); i++) {
        json_t *g = json_array_get(figs, i);
        const char *name = str(g, "name");
        fputs("<tr class=\"figure\"><td class=\"mono\">", out);
        html_text(out, name, 80);
        figure_value(out, name, num(g, "value"), currency);
        figure_value(out, name, num(g, "threshold"), currency);
        fputs("</td></tr>", out);
    }
    fputs("</tbody></table>\n", out);
}

static void evidence(FILE *out, const con_view *v, json_t *ev, const char *currency)
{
    if (json_array_size(ev) == 0)
        return;
    fputs("<h2>Evidence transfers</h2><table class=\"evidence\"><thead><tr><th>Transfer</th>"
          "<th>From</th><th>To</th><th class=\"num\">Amount</th><th>Time</th></tr></thead>"
          "<tbody>",
          out);
    for (size_t i = 0; i < json_array_size(ev); i++) {
        json_t *e = json_array_get(ev, i);
        fputs("<tr class=\"transfer\"><td class=\"mono\">", out);
        html_text(out, str(e, "transfer_id"), 64);
        fputs("</td><td>", out);
        con_account_link(out, v, str(e, "from_account"));
        fputs("</td><td>", out);
        con_account_link(out, v, str(e, "to_account"));
        fputs("</td><td class=\"num\">", out);
        con_money(out, num(e, "amount"), currency);
        fputs("</td><td>", out);
        con_time_text(out, str(e, "time"));
        fputs("</td></tr>", out);
    }
    fputs("</tbody></table>\n", out);
}

static void finding(FILE *out, const con_view *v, json_t *f, const char *currency)
{
    fputs("<div class=\"card finding\"><h2><span class=\"code\">", out);
    html_text(out, str(f, "code"), 40);
    fputs("</span> ", out);
    html_text(out, str(f, "rule"), 80);
    fprintf(out, " &middot; score %lld &middot; at risk ", (long long)num(f, "score"));
    con_money(out, num(f, "amount"), currency);
    fputs("</h2>", out);
    json_t *path = json_object_get(f, "path");
    if (json_array_size(path)) {
        fputs("<p class=\"path\">Path: ", out);
        for (size_t i = 0; i < json_array_size(path); i++) {
            fputs(i ? " &rarr; " : "", out);
            const char *a = json_string_value(json_array_get(path, i));
            con_account_link(out, v, a ? a : "");
        }
        fputs("</p>", out);
    }
    figures(out, json_object_get(f, "figures"), currency);
    evidence(out, v, json_object_get(f, "evidence"), currency);
    fputs("</div>\n", out);
}

/* The request's accounts masked for the picture, each with its link. */
static int mask_nodes(const con_view *v, gv_request *rq, char **hrefs)
{
    char shown[IX_ACCOUNT_MAX + 1];
    for (int i = 0; i < rq->nnodes; i++) {
        hrefs[i] = con_account_href(v, rq->nodes[i].account);
        if (!hrefs[i])
            return -1;
        rq->nodes[i].href = hrefs[i];
        con_mask(v->mask, rq->nodes[i].account, shown, sizeof(shown));
        memcpy(rq->nodes[i].account, shown, sizeof(shown));
    }
    con_mask(v->mask, rq->account, shown, sizeof(shown));
    memcpy(rq->account, shown, sizeof(shown));
    return 0;
}

/* The DOT of a request's evidence, or NULL with errstr filled. */
static char *request_dot(const con_view *v, const con_req *r, size_t *len, char *errstr,
                         size_t errstr_size)
{
    gv_request rq;
    char *dot = NULL, **hrefs = NULL;
    graph *g = con_store_get(v->store); /* banks and watch-list status; NULL: without */
    int rc = gv_parse_request(r->json, r->len, g, &rq, errstr, errstr_size);
    con_store_put(v->store);
    if (rc == 0 && !(hrefs = calloc((size_t)rq.nnodes + 1, sizeof(*hrefs))))
        rc = -1;
    if (rc == 0 && mask_nodes(v, &rq, hrefs) == 0) {
        FILE *m = open_memstream(&dot, len);
        if (m) {
            gv_write_dot(NULL, &rq, v->c->currency, m);
            fclose(m);
        }
    }
    for (int i = 0; hrefs && i < rq.nnodes; i++)
        free(hrefs[i]);
    free(hrefs);
    gv_request_free(&rq);
    if (!dot && rc == 0)
        snprintf(errstr, errstr_size, "out of memory");
    return dot;
}

/* The evidence picture, or a note saying why there is none. */
static void request_graph(FILE *out, const con_view *v, const con_req *r)
{
    char errstr[512];
    size_t dot_len = 0;
    char *dot = request_dot(v, r, &dot_len, errstr, sizeof(errstr));
    con_graph_card(out, "Evidence graph", "evidence-graph", dot, dot_len, errstr,
                   "Money flows left to right; red: on the watch list; bold: the account of the "
                   "request. Each account links to its page.");
    free(dot);
}

static void request_summary(FILE *out, const con_view *v, const con_req *r, json_t *j)
{
    json_t *trig = json_object_get(j, "trigger");
    fputs("<h1>", out);
    badge(out, r->action);
    fputs(" account ", out);
    con_account_link(out, v, r->account);
    fputs("</h1><p class=\"sub\">Request <span class=\"mono\">", out);
    html_text(out, r->id, 0);
    fputs("</span> &middot; rule set ", out);
    html_text(out, str(j, "rule_set"), 40);
    fprintf(out, " &middot; partition %d, offset %lld &middot; <a href=\"/api/requests/",
            (int)r->partition, (long long)r->offset);
    html_url(out, r->id);
    fputs("\">JSON</a></p>\n<div class=\"stats\">", out);
    stat(out, r->score, "score");
    fputs("<div class=\"stat\"><b>", out);
    con_money(out, r->at_risk, r->currency);
    fputs("</b><span>amount at risk</span></div></div>\n<div class=\"card\"><dl class=\"kv\">"
          "<dt>Account</dt><dd>",
          out);
    con_account_link(out, v, r->account);
    fputs("</dd><dt>Bank</dt><dd class=\"mono\">", out);
    html_text(out, r->bank, 40);
    fputs("</dd><dt>Trigger</dt><dd><span class=\"mono\">", out);
    html_text(out, str(trig, "id"), 64);
    fputs("</span>, ", out);
    con_money(out, num(trig, "amount"), r->currency);
    fputs("</dd><dt>Trigger time</dt><dd>", out);
    con_time_text(out, str(trig, "event_time"));
    fputs("</dd><dt>Detected</dt><dd>", out);
    con_time_text(out, r->detected_at);
    fputs("</dd></dl></div>\n", out);
}

int con_page_request(FILE *out, const con_view *v, const char *id)
{
    con_list_stats st;
    con_list_stats_get(v->list, &st);
    con_list_lock(v->list);
    const con_req *r = con_list_find(v->list, id);
    if (!r) {
        con_list_unlock(v->list);
        return 1;
    }
    /* The text is drawn with the lock held: requests are only dropped under it. */
    json_t *j = json_loadb(r->json, r->len, 0, NULL);
    char title[96];
    snprintf(title, sizeof(title), "%s %.60s", ix_action_name((ix_action)r->action), r->id);
    con_page_head(out, v, title, st.seq);
    request_summary(out, v, r, j);
    /* The picture first, as the desk reads it first; it runs Graphviz, so
     * not with the list locked, which would hold up the consumer (r is not
     * used after the unlock: it may be dropped). */
    con_req copy = {.len = r->len, .json = strdup(r->json)};
    con_list_unlock(v->list);
    if (copy.json)
        request_graph(out, v, &copy);
    free(copy.json);
    json_t *fs = json_object_get(j, "findings");
    for (size_t i = 0; i < json_array_size(fs); i++)
        finding(out, v, json_array_get(fs, i), str(json_object_get(j, "trigger"), "currency"));
    json_decref(j);
    con_page_foot(out);
    return 0;
}

/* ---- messages ---------------------------------------------------------------- */

void con_page_message(FILE *out, const con_view *v, const char *title, const char *what,
                      const char *detail)
{
    con_list_stats st;
    con_list_stats_get(v->list, &st);
    con_page_head(out, v, title, st.seq);
    fputs("<h1>", out);
    html_text(out, title, 200);
    fputs("</h1><div class=\"card\"><p>", out);
    html_text(out, what, 300);
    fputs("</p>", out);
    if (detail && *detail) {
        fputs("<p class=\"mono\">", out);
        html_text(out, detail, 300);
        fputs("</p>", out);
    }
    fputs("<p><a href=\"/\">Back to the freeze requests</a></p></div>\n", out);
    con_page_foot(out);
}
