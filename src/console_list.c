/* console_list.c - the freeze requests the console has read, kept in memory
 * in detected_at order, and the filters, counts and chart over them.
 *
 * Kept sorted on insertion: requests arrive nearly in detected_at order, so
 * an insertion is a search from the end and a short move. Beyond the cap a
 * tenth of the oldest go at once, so dropping costs one move per tenth.
 */
#include "console_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "html.h"
#include "timefmt.h"
#include "vec.h"

struct con_list {
    pthread_mutex_t lock;
    con_req **v; /* ascending (detected_ms, seq) */
    size_t n, cap, max;
    uint64_t seq, dropped;
};

con_list *con_list_new(size_t max)
{
    con_list *l = calloc(1, sizeof(*l));
    if (!l)
        return NULL;
    pthread_mutex_init(&l->lock, NULL);
    l->max = max ? max : 1;
    return l;
}

static void req_free(con_req *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->ncodes; i++) {
        free(r->codes[i].rule);
        free(r->codes[i].code);
    }
    free(r->codes);
    free(r->id);
    free(r->account);
    free(r->bank);
    free(r->currency);
    free(r->detected_at);
    free(r->json);
    free(r);
}

void con_list_free(con_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        req_free(l->v[i]);
    free(l->v);
    pthread_mutex_destroy(&l->lock);
    free(l);
}

void con_list_lock(con_list *l)
{
    pthread_mutex_lock(&l->lock);
}

void con_list_unlock(con_list *l)
{
    pthread_mutex_unlock(&l->lock);
}

/* ---- adding ---------------------------------------------------------------- */

static char *dup_str(json_t *o, const char *key, int *oom)
{
    const char *s = json_string_value(json_object_get(o, key));
    char *d = strdup(s ? s : "");
    *oom |= d == NULL;
    return d;
}

/* The summary of a request render_check() accepted; NULL when out of memory. */
static con_req *summarise(json_t *r)
{
    int oom = 0;
    con_req *q = calloc(1, sizeof(*q));
    if (!q)
        return NULL;
    json_t *trig = json_object_get(r, "trigger"), *fs = json_object_get(r, "findings");
    q->id = dup_str(r, "request_id", &oom);
    q->account = dup_str(r, "account", &oom);
    q->bank = dup_str(r, "bank", &oom);
    q->currency = dup_str(trig, "currency", &oom);
    q->detected_at = dup_str(r, "detected_at", &oom);
    q->action = ix_action_parse(json_string_value(json_object_get(r, "action")));
    q->score = (int)json_integer_value(json_object_get(r, "score"));
    if (!oom && tf_parse(q->detected_at, strlen(q->detected_at), &q->detected_ms) != 0)
        q->detected_ms = 0;
    q->codes = calloc(json_array_size(fs) + 1, sizeof(*q->codes));
    oom |= q->codes == NULL;
    for (size_t i = 0; !oom && i < json_array_size(fs); i++) {
        json_t *f = json_array_get(fs, i);
        int64_t amount = json_integer_value(json_object_get(f, "amount"));
        q->at_risk = amount > q->at_risk ? amount : q->at_risk;
        q->codes[i].rule = dup_str(f, "rule", &oom);
        q->codes[i].code = dup_str(f, "code", &oom);
        q->ncodes++;
    }
    if (oom) {
        req_free(q);
        return NULL;
    }
    return q;
}

static int before(const con_req *a, const con_req *b)
{
    return a->detected_ms != b->detected_ms ? a->detected_ms < b->detected_ms : a->seq < b->seq;
}

/* Make room: grow the array, or drop the oldest tenth at the cap. */
static int make_room(con_list *l)
{
    if (l->n >= l->max) {
        size_t drop = l->max / 10 ? l->max / 10 : 1;
        drop = drop > l->n ? l->n : drop;
        for (size_t i = 0; i < drop; i++)
            req_free(l->v[i]);
        memmove(l->v, l->v + drop, (l->n - drop) * sizeof(*l->v));
        l->n -= drop;
        l->dropped += drop;
    }
    return vec_reserve((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v), 256);
}

int con_list_add(con_list *l, const void *json, size_t len, int32_t partition, int64_t offset,
                 char *why, size_t why_size)
{
    json_t *r = json_loadb(json, len, 0, NULL);
    con_req *q = r ? summarise(r) : NULL;
    json_decref(r);
    if (q) {
        q->json = malloc(len + 1);
        if (q->json) {
            memcpy(q->json, json, len);
            q->json[len] = '\0';
            q->len = len;
        }
    }
    if (!q || !q->json) {
        req_free(q);
        snprintf(why, why_size, r ? "out of memory" : "not JSON");
        return -1;
    }
    q->partition = partition;
    q->offset = offset;
    con_list_lock(l);
    if (make_room(l) != 0) {
        con_list_unlock(l);
        req_free(q);
        snprintf(why, why_size, "out of memory");
        return -1;
    }
    q->seq = ++l->seq;
    size_t at = l->n;
    while (at > 0 && before(q, l->v[at - 1]))
        at--;
    memmove(l->v + at + 1, l->v + at, (l->n - at) * sizeof(*l->v));
    l->v[at] = q;
    l->n++;
    con_list_unlock(l);
    return 0;
}

void con_list_stats_get(con_list *l, con_list_stats *st)
{
    con_list_lock(l);
    st->seq = l->seq;
    st->kept = l->n;
    st->dropped = l->dropped;
    con_list_unlock(l);
}

const con_req *con_list_find(con_list *l, const char *id)
{
    for (size_t i = l->n; i-- > 0;)
        if (strcmp(l->v[i]->id, id) == 0)
            return l->v[i];
    return NULL;
}

/* ---- filters ----------------------------------------------------------------- */

/* RFC 3339, or the "YYYY-MM-DDTHH:MM[:SS]" of a form, read as UTC. */
static int parse_time(const char *v, int64_t *ms)
{
    char buf[40];
    size_t n = strlen(v);
    if (tf_parse(v, n, ms) == 0)
        return 0;
    if (n == 16)
        snprintf(buf, sizeof(buf), "%s:00Z", v);
    else if (n == 19)
        snprintf(buf, sizeof(buf), "%sZ", v);
    else
        return -1;
    return tf_parse(buf, strlen(buf), ms);
}

static int add_account(con_filter *f, const char *value, char *errstr, size_t errstr_size)
{
    size_t n = strlen(value);
    int ok = n <= IX_ACCOUNT_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = isalnum((unsigned char)value[i]) || value[i] == '-';
    if (!ok) {
        snprintf(errstr, errstr_size,
                 "account %.40s: expected an account id (up to %d letters, digits and -)", value,
                 IX_ACCOUNT_MAX);
        return -1;
    }
    memcpy(f->account, value, n + 1);
    return 0;
}

static int add_time(const char *key, const char *value, int64_t *ms, char *errstr,
                    size_t errstr_size)
{
    if (parse_time(value, ms) == 0)
        return 0;
    snprintf(errstr, errstr_size, "%s %.40s: expected an RFC 3339 time or YYYY-MM-DDTHH:MM (UTC)",
             key, value);
    return -1;
}

static int add_since(con_filter *f, const char *value, int64_t now_ms, char *errstr,
                     size_t errstr_size)
{
    int64_t d = 0;
    if (strlen(value) >= sizeof(f->since) ||
        cfg_parse_duration("since", value, &d, errstr, errstr_size) != 0 || d <= 0) {
        snprintf(errstr, errstr_size, "since %.40s: expected a duration such as 15m, 1h or 7d",
                 value);
        return -1;
    }
    snprintf(f->since, sizeof(f->since), "%s", value);
    f->since_ms = d;
    f->from_ms = now_ms - d;
    return 0;
}

int con_filter_add(con_filter *f, const char *key, const char *value, int64_t now_ms, char *errstr,
                   size_t errstr_size)
{
    int rc = 0;
    if (!value || !*value)
        return 0;
    if (strcmp(key, "action") == 0)
        rc = tail_add_action(&f->t, value, errstr, errstr_size);
    else if (strcmp(key, "bank") == 0)
        rc = tail_add_bank(&f->t, value, errstr, errstr_size);
    else if (strcmp(key, "rule") == 0)
        rc = tail_add_rule(&f->t, value, errstr, errstr_size);
    else if (strcmp(key, "account") == 0)
        return add_account(f, value, errstr, errstr_size);
    else if (strcmp(key, "from") == 0)
        return add_time(key, value, &f->from_ms, errstr, errstr_size);
    else if (strcmp(key, "to") == 0)
        return add_time(key, value, &f->to_ms, errstr, errstr_size);
    else if (strcmp(key, "since") == 0)
        return add_since(f, value, now_ms, errstr, errstr_size);
    /* tail's messages name its options ("--bank X: ..."): the form has no dashes. */
    if (rc != 0 && strncmp(errstr, "--", 2) == 0)
        memmove(errstr, errstr + 2, strlen(errstr + 2) + 1);
    return rc;
}

static int any_rule(const con_filter *f, const con_req *r)
{
    if (f->t.nrules == 0)
        return 1;
    for (int i = 0; i < r->ncodes; i++)
        if (tail_match_rule(&f->t, r->codes[i].rule, r->codes[i].code))
            return 1;
    return 0;
}

int con_filter_match(const con_filter *f, const con_req *r)
{
    if (f->account[0] && strcmp(f->account, r->account) != 0)
        return 0;
    if (f->from_ms && r->detected_ms < f->from_ms)
        return 0;
    if (f->to_ms && r->detected_ms >= f->to_ms)
        return 0;
    return tail_match_action(&f->t, r->action) && tail_match_bank(&f->t, r->bank) && any_rule(f, r);
}

static void param(FILE *out, int *first, const char *key, const char *value)
{
    fprintf(out, "%s%s=", *first ? "" : "&", key);
    html_url(out, value);
    *first = 0;
}

void con_filter_query(const con_filter *f, FILE *out)
{
    char t[32];
    int first = 1;
    for (int a = IX_ACTION_FREEZE; a >= IX_ACTION_REVIEW; a--)
        if (f->t.actions & (1u << a))
            param(out, &first, "action", ix_action_name((ix_action)a));
    for (int i = 0; i < f->t.nbanks; i++)
        param(out, &first, "bank", f->t.banks[i]);
    for (int i = 0; i < f->t.nrules; i++)
        param(out, &first, "rule", f->t.rules[i]);
    if (f->account[0])
        param(out, &first, "account", f->account);
    if (f->since[0]) {
        param(out, &first, "since", f->since);
    } else if (f->from_ms && tf_format(f->from_ms, t, sizeof(t)) > 0) {
        param(out, &first, "from", t);
    }
    if (f->to_ms && tf_format(f->to_ms, t, sizeof(t)) > 0)
        param(out, &first, "to", t);
}

/* ---- selections ------------------------------------------------------------ */

/* Count a request under code c[i], once however many findings have it. */
static int count_rule(con_sel *s, const con_code *c, int at)
{
    for (int k = 0; k < at; k++)
        if (strcmp(c[k].code, c[at].code) == 0)
            return 0;
    c = &c[at];
    for (size_t i = 0; i < s->nrules; i++)
        if (strcmp(s->rules[i].code, c->code) == 0) {
            s->rules[i].n++;
            return 0;
        }
    if (vec_reserve((void **)&s->rules, &s->rules_cap, s->nrules + 1, sizeof(*s->rules), 16) != 0)
        return -1;
    s->rules[s->nrules++] = (con_rule_count){.code = c->code, .rule = c->rule, .n = 1};
    return 0;
}

static int by_count_desc(const void *x, const void *y)
{
    const con_rule_count *a = x, *b = y;
    if (a->n != b->n)
        return a->n > b->n ? -1 : 1;
    return strcmp(a->code, b->code);
}

/* The bar width: the shortest of these that puts the whole selection into
 * the chart's bars, else the longest. */
static int64_t bar_width(int64_t span_ms)
{
    static const int64_t widths[] = {60000,    300000,   900000,    3600000,
                                     21600000, 86400000, 604800000, 0};
    int i = 0;
    while (widths[i + 1] && span_ms >= widths[i] * CON_CHART_BARS)
        i++;
    return widths[i];
}

static void chart(con_sel *s, const con_req *const *all, size_t n)
{
    int64_t newest = 0, oldest = 0;
    for (size_t i = 0; i < n; i++)
        if (all[i]->detected_ms > 0) {
            newest = newest ? newest : all[i]->detected_ms;
            oldest = all[i]->detected_ms;
        }
    if (!newest)
        return;
    s->bar_ms = bar_width(newest - oldest);
    s->chart_end_ms = (newest / s->bar_ms + 1) * s->bar_ms;
    for (size_t i = 0; i < n; i++) {
        int64_t t = all[i]->detected_ms;
        if (t <= 0)
            continue;
        int64_t bar = CON_CHART_BARS - 1 - (s->chart_end_ms - 1 - t) / s->bar_ms;
        if (bar >= 0 && all[i]->action >= 0 && all[i]->action < 4)
            s->bars[bar][all[i]->action]++;
    }
}

int con_select(con_list *l, const con_filter *f, size_t limit, con_sel *s)
{
    memset(s, 0, sizeof(*s));
    const con_req **all = malloc((l->n + 1) * sizeof(*all));
    if (!all)
        return -1;
    for (size_t i = l->n; i-- > 0;) {
        const con_req *r = l->v[i];
        if (!con_filter_match(f, r))
            continue;
        all[s->total++] = r;
        if (r->action >= 0 && r->action < 4)
            s->by_action[r->action]++;
        for (int c = 0; c < r->ncodes; c++)
            if (count_rule(s, r->codes, c) != 0) {
                free(all);
                con_sel_free(s);
                return -1;
            }
    }
    if (s->nrules)
        qsort(s->rules, s->nrules, sizeof(*s->rules), by_count_desc);
    chart(s, all, s->total);
    s->n = s->total < limit ? s->total : limit;
    s->reqs = all;
    return 0;
}

void con_sel_free(con_sel *s)
{
    free(s->reqs);
    free(s->rules);
    memset(s, 0, sizeof(*s));
}
