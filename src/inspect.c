/* inspect.c - one account's picture from the state store. */
#include "inspect.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "render.h"
#include "timefmt.h"

#define INSPECT_EDGE_CAP 20000 /* counterparties read to rank the top ones */
#define INSPECT_FLOW_CAP 5000  /* flows read per look-back step */
#define DAY_MS           86400000LL

/* Everything gathered before printing. */
typedef struct picture {
    graph_acct a;
    ix_account profile;
    int has_profile;
    ix_watch watch;
    int watched;
    graph_edge *in, *out;
    int nin, nout;     /* kept, sorted by amount */
    int totin, totout; /* counterparties in the last 30 days */
    graph_flow *flows; /* newest last */
    int nflows;
    const desk_set *desk; /* the graph's: entries and suppressions in force are shown */
    int ndesk;            /* of them about this account */
} picture;

static void picture_free(picture *p)
{
    free(p->in);
    free(p->out);
    free(p->flows);
}

static int by_sum_desc(const void *x, const void *y)
{
    const graph_edge *a = x, *b = y;
    if (a->sum != b->sum)
        return a->sum > b->sum ? -1 : 1;
    return strcmp(a->peer, b->peer);
}

static int load_edges(graph *g, const inspect_opts *o, graph_dir dir, graph_edge **out, int *n,
                      int *total, char *errstr, size_t errstr_size)
{
    *out = calloc(INSPECT_EDGE_CAP, sizeof(**out));
    if (!*out) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    *total = graph_edges(g, o->account, dir, o->as_of_ms - 30 * DAY_MS, *out, INSPECT_EDGE_CAP,
                         errstr, errstr_size);
    if (*total < 0)
        return -1;
    *n = *total < INSPECT_EDGE_CAP ? *total : INSPECT_EDGE_CAP;
    qsort(*out, (size_t)*n, sizeof(**out), by_sum_desc);
    return 0;
}

static int flow_time_cmp(const void *x, const void *y)
{
    const graph_flow *a = x, *b = y;
    return a->time_ms < b->time_ms ? -1 : a->time_ms > b->time_ms;
}

/* The newest o->flows transfers both ways: look back an hour, then a day, a
 * week, 35 days, until there are enough. */
static int load_flows(graph *g, const inspect_opts *o, picture *p, char *errstr, size_t errstr_size)
{
    static const int64_t back[] = {3600000LL, DAY_MS, 7 * DAY_MS, 35 * DAY_MS};
    graph_flow *buf = calloc(2 * INSPECT_FLOW_CAP, sizeof(*buf));
    if (!buf) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    int n = 0;
    for (size_t i = 0; i < sizeof(back) / sizeof(back[0]) && n < o->flows; i++) {
        int64_t from = o->as_of_ms - back[i];
        int ni = graph_flows(g, o->account, GRAPH_IN, from, o->as_of_ms, buf, INSPECT_FLOW_CAP,
                             errstr, errstr_size);
        int no = ni < 0 ? -1
                        : graph_flows(g, o->account, GRAPH_OUT, from, o->as_of_ms, buf + ni,
                                      INSPECT_FLOW_CAP, errstr, errstr_size);
        if (no < 0) {
            free(buf);
            return -1;
        }
        n = ni + no;
    }
    qsort(buf, (size_t)n, sizeof(*buf), flow_time_cmp);
    int keep = n < o->flows ? n : o->flows;
    memmove(buf, buf + (n - keep), (size_t)keep * sizeof(*buf));
    p->flows = buf;
    p->nflows = keep;
    return 0;
}

/* ---- the desk's entries about the account, in force at as_of */

typedef void (*desk_fn)(const desk_allow *a, const desk_suppress *s, void *arg);

/* fn on each allow-list entry naming the account (either side of a pair)
 * and each suppression of it, in force at o->as_of_ms; fn may be NULL.
 * Returns how many. */
static int desk_each(const picture *p, const inspect_opts *o, desk_fn fn, void *arg)
{
    int n = 0;
    const desk_allow *a = p->desk->allow.p;
    for (int64_t i = 0; i < p->desk->allow.n; i++)
        if (o->as_of_ms < a[i].expires_ms &&
            (strcmp(a[i].account, o->account) == 0 || strcmp(a[i].counterparty, o->account) == 0)) {
            n++;
            if (fn)
                fn(&a[i], NULL, arg);
        }
    const desk_suppress *s = p->desk->suppress.p;
    for (int64_t i = 0; i < p->desk->suppress.n; i++)
        if (o->as_of_ms < s[i].until_ms && strcmp(s[i].account, o->account) == 0) {
            n++;
            if (fn)
                fn(NULL, &s[i], arg);
        }
    return n;
}

static int gather(graph *g, const inspect_opts *o, picture *p, char *errstr, size_t errstr_size)
{
    memset(p, 0, sizeof(*p));
    if (graph_get(g, o->account, o->as_of_ms, &p->a, errstr, errstr_size) != 0)
        return -1;
    p->has_profile = graph_get_profile(g, o->account, &p->profile, errstr, errstr_size);
    if (p->has_profile < 0)
        return -1;
    p->watched = graph_get_watch(g, o->account, &p->watch, errstr, errstr_size);
    if (p->watched < 0)
        return -1;
    p->desk = graph_desk(g);
    p->ndesk = desk_each(p, o, NULL, NULL);
    if (load_edges(g, o, GRAPH_IN, &p->in, &p->nin, &p->totin, errstr, errstr_size) != 0 ||
        load_edges(g, o, GRAPH_OUT, &p->out, &p->nout, &p->totout, errstr, errstr_size) != 0)
        return -1;
    return load_flows(g, o, p, errstr, errstr_size);
}

/* ---- text */

static const char *when(int64_t ms, char *buf, size_t size)
{
    if (ms <= 0 || tf_format(ms, buf, size) < 0)
        snprintf(buf, size, "-");
    return buf;
}

static const char *money(const inspect_opts *o, int64_t v, char *buf, size_t size)
{
    render_amount(v, o->currency, buf, size);
    return buf;
}

static void text_desk_entry(const desk_allow *a, const desk_suppress *s, void *arg)
{
    char t1[32], t2[32];
    FILE *out = arg;
    if (s) {
        fprintf(out, "  SUPPRESSED %s until %s: request %s dismissed; %" PRIu64 " held back\n",
                s->rule, when(s->until_ms, t1, sizeof(t1)), s->request_id, s->held);
        return;
    }
    fprintf(out, "  ALLOW-LISTED");
    if (a->counterparty[0])
        fprintf(out, " %s -> %s%s", a->account, a->counterparty,
                a->either_way ? " either way" : "");
    fprintf(out, " for ");
    for (size_t i = 0; i < a->n_rules; i++)
        fprintf(out, "%s%s", i ? " " : "", a->rules[i]);
    fprintf(out, "%s since %s", a->n_rules ? "" : "every rule", when(a->added_ms, t1, sizeof(t1)));
    if (a->expires_ms != DESK_NO_EXPIRY)
        fprintf(out, " until %s", when(a->expires_ms, t2, sizeof(t2)));
    fprintf(out, ": %s; %" PRIu64 " held back\n", a->reason, a->held);
}

static void text_header(const inspect_opts *o, const picture *p, FILE *out)
{
    char t1[32], t2[32];
    const graph_acct *a = &p->a;
    fprintf(out, "account %s", o->account);
    if (p->has_profile)
        fprintf(out, " at %s  %s, KYC level %d, opened %s\n", p->profile.bank,
                ix_holder_type_name(p->profile.holder_type), p->profile.kyc_level,
                when(p->profile.opened_at_ms, t1, sizeof(t1)));
    else
        fprintf(out, "  (no profile received)\n");
    if (p->watched)
        fprintf(out, "  WATCH-LISTED on %s since %s: %s\n", p->watch.list,
                when(p->watch.added_at_ms, t1, sizeof(t1)), p->watch.reason);
    desk_each(p, o, text_desk_entry, out);
    if (a->flags & IX_ACCT_DORMANT)
        fprintf(out, "  reported dormant by the bank\n");
    if (a->flags & IX_ACCT_FROZEN)
        fprintf(out, "  already frozen at the bank\n");
    if (a->incident_action != IX_ACTION_NONE)
        fprintf(out, "  open incident: %s raised for the transfer at %s\n",
                ix_action_name(a->incident_action), when(a->incident_at_ms, t1, sizeof(t1)));
    fprintf(out, "  first seen %s, last seen %s\n", when(a->first_seen_ms, t1, sizeof(t1)),
            when(a->last_seen_ms, t2, sizeof(t2)));
}

static void text_windows(const inspect_opts *o, const picture *p, FILE *out)
{
    char t[32], in[48], outs[48], held[48];
    const graph_acct *a = &p->a;
    fprintf(out, "\nactivity up to %s\n", when(o->as_of_ms, t, sizeof(t)));
    fprintf(out, "  %-9s %8s %24s %8s %24s %24s\n", "window", "in", "amount in", "out",
            "amount out", "held (in - out)");
    for (int w = 0; w < WIN__COUNT; w++) {
        const win_totals *x = &a->win[w];
        fprintf(out, "  %-9s %8" PRId64 " %24s %8" PRId64 " %24s %24s\n", win_name((win_id)w),
                x->in_count, money(o, x->in_sum, in, sizeof(in)), x->out_count,
                money(o, x->out_sum, outs, sizeof(outs)),
                money(o, graph_held(a, (win_id)w), held, sizeof(held)));
    }
    fprintf(out, "  %-9s %8" PRId64 " %24s %8" PRId64 " %24s\n", "all time", a->in_count,
            money(o, a->in_sum, in, sizeof(in)), a->out_count,
            money(o, a->out_sum, outs, sizeof(outs)));
}

static void text_edges(const inspect_opts *o, const char *title, const graph_edge *e, int n,
                       int total, FILE *out)
{
    char amt[48], t1[32], t2[32];
    if (total > INSPECT_EDGE_CAP) /* graph_edges() stopped reading there */
        fprintf(out, "\n%s (more than %d in the last 30 days, top %d by amount of those read)\n",
                title, INSPECT_EDGE_CAP, n < o->top ? n : o->top);
    else
        fprintf(out, "\n%s (%d in the last 30 days, top %d by amount)\n", title, total,
                n < o->top ? n : o->top);
    for (int i = 0; i < n && i < o->top; i++)
        fprintf(out, "  %-34s %6" PRId64 "x %22s  %s .. %s\n", e[i].peer, e[i].count,
                money(o, e[i].sum, amt, sizeof(amt)), when(e[i].first_ms, t1, sizeof(t1)),
                when(e[i].last_ms, t2, sizeof(t2)));
}

static void text_flows(const inspect_opts *o, const picture *p, FILE *out)
{
    char amt[48], t[32];
    fprintf(out, "\nrecent transfers (%d, oldest first)\n", p->nflows);
    for (int i = 0; i < p->nflows; i++) {
        const graph_flow *f = &p->flows[i];
        fprintf(out, "  %s  %s %-34s %22s  %s\n", when(f->time_ms, t, sizeof(t)),
                f->dir == GRAPH_IN ? "<-" : "->", f->peer, money(o, f->amount, amt, sizeof(amt)),
                f->transfer_id);
    }
}

/* ---- JSON */

static json_t *time_json(int64_t ms)
{
    char t[32];
    return ms > 0 && tf_format(ms, t, sizeof(t)) > 0 ? json_string(t) : json_null();
}

static json_t *edges_json(const graph_edge *e, int n, int top)
{
    json_t *arr = json_array();
    for (int i = 0; i < n && i < top; i++)
        json_array_append_new(arr, json_pack("{s:s,s:I,s:I,s:o,s:o}", "account", e[i].peer, "count",
                                             (json_int_t)e[i].count, "amount", (json_int_t)e[i].sum,
                                             "first", time_json(e[i].first_ms), "last",
                                             time_json(e[i].last_ms)));
    return arr;
}

static json_t *windows_json(const graph_acct *a)
{
    json_t *w = json_object();
    for (int i = 0; i < WIN__COUNT; i++) {
        const win_totals *x = &a->win[i];
        json_object_set_new(
            w, win_name((win_id)i),
            json_pack("{s:I,s:I,s:I,s:I,s:I}", "in_count", (json_int_t)x->in_count, "in_amount",
                      (json_int_t)x->in_sum, "out_count", (json_int_t)x->out_count, "out_amount",
                      (json_int_t)x->out_sum, "held", (json_int_t)graph_held(a, (win_id)i)));
    }
    return w;
}

static json_t *profile_json(const picture *p)
{
    if (!p->has_profile)
        return json_null();
    const ix_account *pr = &p->profile;
    return json_pack("{s:s,s:o,s:s,s:i,s:s,s:s,s:s,s:b,s:b}", "bank", pr->bank, "opened_at",
                     time_json(pr->opened_at_ms), "holder_type",
                     ix_holder_type_name(pr->holder_type), "kyc_level", pr->kyc_level,
                     "holder_hash", pr->holder_hash, "phone_hash", pr->phone_hash, "device_hash",
                     pr->device_hash, "dormant", (pr->flags & IX_ACCT_DORMANT) != 0, "frozen",
                     (pr->flags & IX_ACCT_FROZEN) != 0);
}

static json_t *flows_json(const picture *p)
{
    json_t *arr = json_array();
    for (int i = 0; i < p->nflows; i++) {
        const graph_flow *f = &p->flows[i];
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:I,s:o}", "transfer_id", f->transfer_id,
                                             "direction", f->dir == GRAPH_IN ? "in" : "out",
                                             "counterparty", f->peer, "amount",
                                             (json_int_t)f->amount, "time", time_json(f->time_ms)));
    }
    return arr;
}

static void json_desk_entry(const desk_allow *a, const desk_suppress *s, void *arg)
{
    json_t **lists = arg;
    if (s) {
        json_array_append_new(
            lists[1], json_pack("{s:s,s:s,s:o,s:I}", "rule", s->rule, "request_id", s->request_id,
                                "until", time_json(s->until_ms), "held", (json_int_t)s->held));
        return;
    }
    json_t *rules = a->n_rules ? json_array() : json_null(); /* null: every rule */
    for (size_t i = 0; i < a->n_rules; i++)
        json_array_append_new(rules, json_string(a->rules[i]));
    json_array_append_new(
        lists[0],
        json_pack("{s:s,s:o,s:b,s:o,s:s,s:o,s:o,s:I}", "account", a->account, "counterparty",
                  a->counterparty[0] ? json_string(a->counterparty) : json_null(), "either_way",
                  a->either_way, "rules", rules, "reason", a->reason, "added_at",
                  time_json(a->added_ms), "expires_at",
                  a->expires_ms == DESK_NO_EXPIRY ? json_null() : time_json(a->expires_ms), "held",
                  (json_int_t)a->held));
}

/* {"allowlist": [...], "suppressions": [...]}: what holds the account's
 * findings back now. */
static json_t *desk_json(const inspect_opts *o, const picture *p)
{
    json_t *lists[2] = {json_array(), json_array()};
    desk_each(p, o, json_desk_entry, lists);
    return json_pack("{s:o,s:o}", "allowlist", lists[0], "suppressions", lists[1]);
}

static int print_json(const inspect_opts *o, const picture *p, FILE *out)
{
    const graph_acct *a = &p->a;
    json_t *watch = p->watched
                        ? json_pack("{s:s,s:s,s:o}", "list", p->watch.list, "reason",
                                    p->watch.reason, "added_at", time_json(p->watch.added_at_ms))
                        : json_null();
    json_t *incident = a->incident_action == IX_ACTION_NONE
                           ? json_null()
                           : json_pack("{s:s,s:o}", "action", ix_action_name(a->incident_action),
                                       "at", time_json(a->incident_at_ms));
    json_t *root = json_pack(
        "{s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:{s:I,s:I,s:I,s:I},s:o,s:o,s:o}", "account", o->account,
        "currency", o->currency, "as_of", time_json(o->as_of_ms), "profile", profile_json(p),
        "watchlist", watch, "incident", incident, "first_seen", time_json(a->first_seen_ms),
        "last_seen", time_json(a->last_seen_ms), "all_time", "in_count", (json_int_t)a->in_count,
        "in_amount", (json_int_t)a->in_sum, "out_count", (json_int_t)a->out_count, "out_amount",
        (json_int_t)a->out_sum, "windows", windows_json(a), "counterparties",
        json_pack("{s:o,s:o}", "in", edges_json(p->in, p->nin, o->top), "out",
                  edges_json(p->out, p->nout, o->top)),
        "recent", flows_json(p));
    if (root)
        json_object_set_new(root, "desk", desk_json(o, p));
    if (!root)
        return -1;
    int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', out);
    json_decref(root);
    return rc;
}

int inspect_account(graph *g, const inspect_opts *o, FILE *out, char *errstr, size_t errstr_size)
{
    picture p;
    int rc = -1;
    if (gather(g, o, &p, errstr, errstr_size) != 0)
        goto done;
    if (!p.has_profile && !p.watched && p.a.first_seen_ms == 0 && p.ndesk == 0) {
        rc = 1;
        goto done;
    }
    if (o->json) {
        rc = print_json(o, &p, out);
        if (rc != 0)
            snprintf(errstr, errstr_size, "encoding JSON failed");
        goto done;
    }
    text_header(o, &p, out);
    text_windows(o, &p, out);
    text_edges(o, "counterparties paying in", p.in, p.nin, p.totin, out);
    text_edges(o, "counterparties paid", p.out, p.nout, p.totout, out);
    text_flows(o, &p, out);
    rc = 0;
done:
    picture_free(&p);
    return rc;
}
