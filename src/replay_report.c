/* replay_report.c - what a replay decided, for people (text) and for
 * scripts (JSON): per rule and action, the accounts flagged, and the
 * requests of one configuration against the other's.
 *
 * A comparison is by account and reason code, not by request id: the id
 * hashes the rule set, and the point of a comparison is that the two
 * configurations differ.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "replay_int.h"
#include "timefmt.h"

/* A row of the per-rule table: rules_table's index, or RULES_TRACE_SLOT. */
typedef struct rule_row {
    int slot;
    uint64_t findings;
    int64_t requests, by_action[4];
} rule_row;

/* One account's requests in a run, merged. */
typedef struct flagged {
    const char *account, *bank;
    ix_action action; /* the most severe */
    int requests;
    int ncodes;
    const char *codes[16];
} flagged;

/* (account, reason code) of a run, with the most severe action. */
typedef struct pair {
    const char *account, *code;
    ix_action action;
} pair;

/* ---- gathering --------------------------------------------------------- */

static const char *slot_name(int slot)
{
    return slot == RULES_TRACE_SLOT ? "trace" : rules_table[slot]->name;
}

/* The rule a reason code belongs to: its family ("WL" of "WL01") is in the
 * rule's code ("NB/DB" holds two families). */
static int slot_of_code(const char *code)
{
    if (strncmp(code, "VR", 2) == 0)
        return RULES_TRACE_SLOT;
    for (int i = 0; rules_table[i]; i++)
        for (const char *f = rules_table[i]->code; f && *f; f += f[2] == '/' ? 3 : 2)
            if (strncmp(f, code, 2) == 0)
                return i;
    return -1;
}

static int req_has_slot(const rp_req *q, int slot)
{
    for (int c = 0; c < q->ncodes; c++)
        if (slot_of_code(q->codes[c]) == slot)
            return 1;
    return 0;
}

/* The rows with anything to show, in evaluation order, trace last. */
static int rule_rows(const rp_run *r, rule_row *rows)
{
    int n = 0;
    for (int slot = 0; slot < RULES_COUNTERS; slot++) {
        if (slot != RULES_TRACE_SLOT && (size_t)slot >= rules_count())
            continue;
        rule_row row = {.slot = slot, .findings = r->hits[slot]};
        for (size_t i = 0; i < r->nreqs; i++)
            if (req_has_slot(&r->reqs[i], slot)) {
                row.requests++;
                row.by_action[r->reqs[i].action]++;
            }
        if (row.findings || row.requests)
            rows[n++] = row;
    }
    return n;
}

static int flagged_cmp(const void *a, const void *b)
{
    const flagged *x = a, *y = b;
    if (x->action != y->action)
        return x->action > y->action ? -1 : 1;
    return strcmp(x->account, y->account);
}

static void add_code(flagged *f, const char *code)
{
    for (int i = 0; i < f->ncodes; i++)
        if (strcmp(f->codes[i], code) == 0)
            return;
    if (f->ncodes < 16)
        f->codes[f->ncodes++] = code;
}

/* The accounts of a run's requests, most severe first; *n receives the count. */
static flagged *flag_accounts(const rp_run *r, size_t *n)
{
    flagged *fl = calloc(r->nreqs + 1, sizeof(*fl));
    *n = 0;
    for (size_t i = 0; fl && i < r->nreqs; i++) {
        const rp_req *q = &r->reqs[i];
        size_t k = 0;
        while (k < *n && strcmp(fl[k].account, q->account) != 0)
            k++;
        if (k == *n)
            fl[(*n)++] = (flagged){.account = q->account, .bank = q->bank};
        fl[k].requests++;
        if (q->action > fl[k].action)
            fl[k].action = q->action;
        for (int c = 0; c < q->ncodes; c++)
            add_code(&fl[k], q->codes[c]);
    }
    if (fl)
        qsort(fl, *n, sizeof(*fl), flagged_cmp);
    return fl;
}

static int pair_cmp(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    int c = strcmp(x->account, y->account);
    return c ? c : strcmp(x->code, y->code);
}

/* A run's distinct (account, code) pairs, sorted. */
static pair *pairs_of(const rp_run *r, size_t *n)
{
    size_t total = 0, k = 0;
    for (size_t i = 0; i < r->nreqs; i++)
        total += (size_t)r->reqs[i].ncodes;
    pair *p = calloc(total + 1, sizeof(*p));
    *n = 0;
    if (!p)
        return NULL;
    for (size_t i = 0; i < r->nreqs; i++)
        for (int c = 0; c < r->reqs[i].ncodes; c++)
            p[k++] = (pair){r->reqs[i].account, r->reqs[i].codes[c], r->reqs[i].action};
    qsort(p, k, sizeof(*p), pair_cmp);
    for (size_t i = 0; i < k; i++) {
        if (*n > 0 && pair_cmp(&p[*n - 1], &p[i]) == 0) {
            if (p[i].action > p[*n - 1].action)
                p[*n - 1].action = p[i].action;
            continue;
        }
        p[(*n)++] = p[i];
    }
    return p;
}

/* The merge walk of two sorted pair lists: each pair with its place. */
typedef enum side { ONLY_A, ONLY_B, BOTH } side;
typedef void (*pair_fn)(void *arg, side s, const pair *a, const pair *b);

static void walk_pairs(const pair *a, size_t na, const pair *b, size_t nb, pair_fn fn, void *arg)
{
    size_t i = 0, j = 0;
    while (i < na || j < nb) {
        int c = i == na ? 1 : j == nb ? -1 : pair_cmp(&a[i], &b[j]);
        if (c < 0)
            fn(arg, ONLY_A, &a[i++], NULL);
        else if (c > 0)
            fn(arg, ONLY_B, NULL, &b[j++]);
        else
            fn(arg, BOTH, &a[i++], &b[j++]);
    }
}

/* ---- text -------------------------------------------------------------- */

static const char *when(int64_t ms, char *buf, size_t size)
{
    if (ms <= 0 || tf_format(ms, buf, size) < 0)
        snprintf(buf, size, "-");
    return buf;
}

static const char *plural(int64_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static void text_input(const rp_input *in, const rp_run *a, FILE *out)
{
    char t1[32], t2[32];
    int64_t reports = a->traced + a->unknown;
    fprintf(out, "replay: %" PRId64 " %s and %" PRId64 " %s", a->screened,
            plural(a->screened, "transfer", "transfers"), reports,
            plural(reports, "fraud report", "fraud reports"));
    if (in->first_event_ms)
        fprintf(out, ", event times %s .. %s", when(in->first_event_ms, t1, sizeof(t1)),
                when(in->last_event_ms, t2, sizeof(t2)));
    fprintf(out,
            "\n  %-14s %s: read %" PRId64 " from %d partitions, screened %" PRId64
            ", duplicates %" PRId64 ", rejected %" PRId64 ", other currency %" PRId64 "\n",
            "transfers", in->transfers.topic, in->transfers.messages, in->transfers.n, a->screened,
            a->duplicates, in->rejected_total, in->foreign);
    if (in->rejected_total) {
        fprintf(out, "  %-14s", "rejected");
        for (int r = 1, first = 1; r < RSN_DECODE_COUNT; r++)
            if (in->rejected[r]) {
                fprintf(out, "%s%s %" PRId64, first ? " " : ", ", rsn_code((rsn_reason)r),
                        in->rejected[r]);
                first = 0;
            }
        fputc('\n', out);
    }
    fprintf(out,
            "  %-14s %s: read %" PRId64 ", traced %" PRId64 ", transfer not screened %" PRId64
            ", rejected %" PRId64 "\n",
            "fraud reports", in->reports.topic, in->reports.messages, a->traced, a->unknown,
            in->reports_rejected);
    fprintf(out,
            "  %-14s profiles %" PRId64 ", watch-list entries %" PRId64 ", removals %" PRId64
            ", rejected %" PRId64 "\n",
            "tables", in->profiles, in->watch, in->tombstones, in->table_rejected);
    fprintf(out,
            "  %-14s allow-list entries %" PRId64 ", removals %" PRId64 ", verdicts %" PRId64
            ", rejected %" PRId64 "\n",
            "desk", in->allows, in->unallows, in->verdicts_read, in->desk_rejected);
}

static void text_run(const rp_run *r, FILE *out)
{
    rule_row rows[RULES_COUNTERS];
    int64_t by[4] = {0};
    size_t nf = 0;
    for (size_t i = 0; i < r->nreqs; i++)
        by[r->reqs[i].action]++;
    flagged *fl = flag_accounts(r, &nf);
    fprintf(out, "\n%s: %s (rule set %s)\n", r->label, r->desc, r->c.rule_set);
    fprintf(out, "  %zu %s on %zu %s: FREEZE %" PRId64 ", HOLD %" PRId64 ", REVIEW %" PRId64 "\n",
            r->nreqs, plural((int64_t)r->nreqs, "request", "requests"), nf,
            plural((int64_t)nf, "account", "accounts"), by[IX_ACTION_FREEZE], by[IX_ACTION_HOLD],
            by[IX_ACTION_REVIEW]);
    fprintf(out, "  desk: %" PRIu64 " %s held back, %" PRId64 " %s applied, %" PRId64 " refused\n",
            r->held, r->held == 1 ? "finding" : "findings", r->verdicts,
            plural(r->verdicts, "verdict", "verdicts"), r->refused);
    int n = rule_rows(r, rows);
    if (n > 0)
        fprintf(out, "  %-16s %9s %9s %7s %7s %7s\n", "rule", "findings", "requests", "FREEZE",
                "HOLD", "REVIEW");
    for (int i = 0; i < n; i++)
        fprintf(out, "  %-16s %9" PRIu64 " %9" PRId64 " %7" PRId64 " %7" PRId64 " %7" PRId64 "\n",
                slot_name(rows[i].slot), rows[i].findings, rows[i].requests,
                rows[i].by_action[IX_ACTION_FREEZE], rows[i].by_action[IX_ACTION_HOLD],
                rows[i].by_action[IX_ACTION_REVIEW]);
    if (nf > 0)
        fprintf(out, "  accounts flagged\n");
    for (size_t i = 0; fl && i < nf; i++) {
        fprintf(out, "    %-6s  %-20s  %-11s  %d %-8s ", ix_action_name(fl[i].action),
                fl[i].account, fl[i].bank[0] ? fl[i].bank : "-", fl[i].requests,
                plural(fl[i].requests, "request", "requests"));
        for (int c = 0; c < fl[i].ncodes; c++)
            fprintf(out, " %s", fl[i].codes[c]);
        fputc('\n', out);
    }
    free(fl);
}

typedef struct text_cmp {
    FILE *out;
    side want;
    int64_t count;
    int print;
} text_cmp;

static void text_pair(void *arg, side s, const pair *a, const pair *b)
{
    text_cmp *t = arg;
    if (s != t->want)
        return;
    t->count++;
    if (!t->print)
        return;
    const pair *p = a ? a : b;
    fprintf(t->out, "    %-6s  %-20s  %s", ix_action_name(p->action), p->account, p->code);
    if (s == BOTH && a->action != b->action)
        fprintf(t->out, "  (B: %s)", ix_action_name(b->action));
    fputc('\n', t->out);
}

static void text_compare(const rp_run *runs, FILE *out)
{
    static const char *const titles[] = {"only in A", "only in B", "in both"};
    size_t na = 0, nb = 0;
    pair *a = pairs_of(&runs[0], &na), *b = pairs_of(&runs[1], &nb);
    fprintf(out, "\nA against B, by account and reason code\n");
    for (int s = ONLY_A; s <= BOTH; s++) {
        text_cmp t = {.out = out, .want = (side)s};
        walk_pairs(a, a ? na : 0, b, b ? nb : 0, text_pair, &t);
        fprintf(out, "  %s: %" PRId64 "\n", titles[s], t.count);
        t.print = 1;
        walk_pairs(a, a ? na : 0, b, b ? nb : 0, text_pair, &t);
    }
    free(a);
    free(b);
}

void rp_report_text(const rp_input *in, const rp_run *runs, int nruns, const char *currency,
                    FILE *out)
{
    (void)currency;
    text_input(in, &runs[0], out);
    for (int i = 0; i < nruns; i++)
        text_run(&runs[i], out);
    if (nruns == 2)
        text_compare(runs, out);
}

/* ---- JSON -------------------------------------------------------------- */

static json_t *time_json(int64_t ms)
{
    char t[32];
    return ms > 0 && tf_format(ms, t, sizeof(t)) > 0 ? json_string(t) : json_null();
}

static json_t *range_json(const rp_range *rg)
{
    json_t *parts = json_array();
    for (int i = 0; i < rg->n; i++)
        json_array_append_new(parts,
                              json_pack("{s:i,s:I,s:I}", "partition", (int)rg->part[i], "from",
                                        (json_int_t)rg->start[i], "to", (json_int_t)rg->end[i]));
    return json_pack("{s:s,s:o,s:I}", "topic", rg->topic ? rg->topic : "", "partitions", parts,
                     "read", (json_int_t)rg->messages);
}

static json_t *input_json(const rp_input *in, const rp_run *a)
{
    json_t *rej = json_object();
    for (int r = 1; r < RSN_DECODE_COUNT; r++)
        if (in->rejected[r])
            json_object_set_new(rej, rsn_code((rsn_reason)r),
                                json_integer((json_int_t)in->rejected[r]));
    json_t *t = range_json(&in->transfers);
    json_object_set_new(t, "screened", json_integer((json_int_t)a->screened));
    json_object_set_new(t, "duplicates", json_integer((json_int_t)a->duplicates));
    json_object_set_new(t, "rejected", rej);
    json_object_set_new(t, "foreign_currency", json_integer((json_int_t)in->foreign));
    json_t *r = range_json(&in->reports);
    json_object_set_new(r, "rejected", json_integer((json_int_t)in->reports_rejected));
    return json_pack(
        "{s:o,s:o,s:{s:I,s:I,s:I,s:I},s:{s:I,s:I,s:I,s:I},s:o,s:o}", "transfers", t, "reports", r,
        "tables", "profiles", (json_int_t)in->profiles, "watchlist", (json_int_t)in->watch,
        "removals", (json_int_t)in->tombstones, "rejected", (json_int_t)in->table_rejected, "desk",
        "allowlist", (json_int_t)in->allows, "removals", (json_int_t)in->unallows, "verdicts",
        (json_int_t)in->verdicts_read, "rejected", (json_int_t)in->desk_rejected, "first_event",
        time_json(in->first_event_ms), "last_event", time_json(in->last_event_ms));
}

static json_t *codes_json(const char (*codes)[RP_CODE_MAX], int n)
{
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, json_string(codes[i]));
    return arr;
}

/* The request's own document (what `tail --json` prints for it), or null. */
static json_t *document_json(const rp_req *q)
{
    json_t *d = q->doc ? json_loadb(q->doc, q->doc_len, 0, NULL) : NULL;
    return d ? d : json_null();
}

static json_t *requests_json(const rp_run *r)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < r->nreqs; i++) {
        const rp_req *q = &r->reqs[i];
        json_array_append_new(
            arr,
            json_pack("{s:s,s:s,s:s,s:s,s:i,s:s,s:o,s:o,s:o}", "id", q->id, "account", q->account,
                      "bank", q->bank, "action", ix_action_name(q->action), "score", q->score,
                      "trigger", q->trigger, "trigger_time", time_json(q->trigger_time_ms), "codes",
                      codes_json(q->codes, q->ncodes), "request", document_json(q)));
    }
    return arr;
}

static json_t *by_action_json(const int64_t *by)
{
    return json_pack("{s:I,s:I,s:I}", "FREEZE", (json_int_t)by[IX_ACTION_FREEZE], "HOLD",
                     (json_int_t)by[IX_ACTION_HOLD], "REVIEW", (json_int_t)by[IX_ACTION_REVIEW]);
}

static json_t *rules_json(const rp_run *r)
{
    rule_row rows[RULES_COUNTERS];
    int n = rule_rows(r, rows);
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s,s:I,s:I,s:o}", "rule", slot_name(rows[i].slot),
                                             "findings", (json_int_t)rows[i].findings, "requests",
                                             (json_int_t)rows[i].requests, "by_action",
                                             by_action_json(rows[i].by_action)));
    return arr;
}

static json_t *flagged_json(const rp_run *r)
{
    size_t nf = 0;
    flagged *fl = flag_accounts(r, &nf);
    json_t *arr = json_array();
    for (size_t i = 0; fl && i < nf; i++) {
        json_t *codes = json_array();
        for (int c = 0; c < fl[i].ncodes; c++)
            json_array_append_new(codes, json_string(fl[i].codes[c]));
        json_array_append_new(arr,
                              json_pack("{s:s,s:s,s:s,s:i,s:o}", "account", fl[i].account, "bank",
                                        fl[i].bank, "action", ix_action_name(fl[i].action),
                                        "requests", fl[i].requests, "codes", codes));
    }
    free(fl);
    return arr;
}

static json_t *run_json(const rp_run *r)
{
    int64_t by[4] = {0};
    for (size_t i = 0; i < r->nreqs; i++)
        by[r->reqs[i].action]++;
    json_t *acc = flagged_json(r);
    return json_pack(
        "{s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:{s:I,s:I,s:I},s:o,s:o,s:o,s:o}", "run", r->label,
        "configuration", r->desc, "rule_set", r->c.rule_set, "screened", (json_int_t)r->screened,
        "reports_traced", (json_int_t)r->traced, "reports_unknown", (json_int_t)r->unknown,
        "request_count", (json_int_t)r->nreqs, "desk", "held", (json_int_t)r->held, "verdicts",
        (json_int_t)r->verdicts, "refused", (json_int_t)r->refused, "by_action", by_action_json(by),
        "by_rule", rules_json(r), "accounts", acc, "requests", requests_json(r));
}

static void json_pair(void *arg, side s, const pair *a, const pair *b)
{
    json_t **lists = arg;
    const pair *p = a ? a : b;
    json_t *o = json_pack("{s:s,s:s}", "account", p->account, "code", p->code);
    if (a)
        json_object_set_new(o, "action_a", json_string(ix_action_name(a->action)));
    if (b)
        json_object_set_new(o, "action_b", json_string(ix_action_name(b->action)));
    json_array_append_new(lists[s], o);
}

static json_t *compare_json(const rp_run *runs)
{
    size_t na = 0, nb = 0;
    pair *a = pairs_of(&runs[0], &na), *b = pairs_of(&runs[1], &nb);
    json_t *lists[3] = {json_array(), json_array(), json_array()};
    walk_pairs(a, a ? na : 0, b, b ? nb : 0, json_pair, lists);
    free(a);
    free(b);
    return json_pack("{s:o,s:o,s:o}", "only_a", lists[ONLY_A], "only_b", lists[ONLY_B], "both",
                     lists[BOTH]);
}

int rp_report_json(const rp_input *in, const rp_run *runs, int nruns, const char *currency,
                   FILE *out)
{
    json_t *arr = json_array();
    for (int i = 0; i < nruns; i++)
        json_array_append_new(arr, run_json(&runs[i]));
    json_t *root = json_pack("{s:s,s:o,s:o}", "currency", currency, "input",
                             input_json(in, &runs[0]), "runs", arr);
    if (!root)
        return -1;
    if (nruns == 2)
        json_object_set_new(root, "comparison", compare_json(runs));
    int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', out);
    json_decref(root);
    return rc;
}
