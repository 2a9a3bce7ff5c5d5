/* screen.c - screening one message: decode, admission, apply, rules
 * (screen.h). */
#include "screen.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "timefmt.h"

void scr_init(scr_ctx *s, const cfg *c, graph *g, const rules *r, ix_request *reqs, uint64_t *hits)
{
    memset(s, 0, sizeof(*s));
    s->currency = c->currency;
    s->format = (ix_format)c->transfers_format;
    dec_limits_default(&s->lim);
    s->lim.max_bytes = (size_t)c->input_max_bytes;
    s->lim.max_past_ms = c->input_max_past_ms;
    s->lim.max_future_ms = c->input_max_future_ms;
    s->report_past_ms =
        c->input_max_past_ms > c->state_retention_ms ? c->input_max_past_ms : c->state_retention_ms;
    s->park_time_ms = c->reports_park_time_ms;
    s->park_max = (size_t)c->reports_park_max;
    s->g = g;
    s->r = r;
    s->reqs = reqs;
    s->hits = hits;
    s->desk = g ? graph_desk(g) : NULL;
    s->dismiss_ms = c->verdict_dismiss_ms;
}

/* ---- verdicts */

static void done(scr_result *res, scr_verdict v, int nreqs)
{
    res->verdict = v;
    res->reason = RSN_OK;
    res->detail[0] = '\0';
    res->nreqs = nreqs;
}

/* Always 0: what a refused step returns. */
__attribute__((format(printf, 3, 4))) static int refuse(scr_result *res, rsn_reason why,
                                                        const char *fmt, ...)
{
    va_list ap;
    done(res, SCR_REJECTED, 0);
    res->reason = why;
    va_start(ap, fmt);
    vsnprintf(res->detail, sizeof(res->detail), fmt, ap);
    va_end(ap);
    return 0;
}

/* The reason has a header of its own on the dead letter; the detail names
 * the field. */
static int refuse_decoded(scr_result *res, const dec_error *de)
{
    if (de->field[0])
        return refuse(res, de->reason, "%s: %s", de->field, de->detail);
    return refuse(res, de->reason, "%s", de->detail);
}

/* Always -1: a storage or rule error, with the step that failed. */
static int broke(char *errstr, size_t errstr_size, const char *step, const char *why)
{
    snprintf(errstr, errstr_size, "%s: %s", step, why);
    return -1;
}

/* The key of a message must be its account: for a table message so that
 * compaction keeps the latest entry per account, for a transfer so that it
 * lands on the partition of its sender's state. */
static int key_is(const void *key, size_t key_len, const char *account)
{
    size_t n = strlen(account);
    return key && key_len == n && memcmp(key, account, n) == 0;
}

/* ---- step 1: decoding */

int scr_decode_transfer(const scr_ctx *s, const void *key, size_t key_len, const void *buf,
                        size_t len, int64_t now_ms, scr_transfers *out, scr_result *res)
{
    dec_limits lim = s->lim;
    dec_error de;
    rsn_reason r;
    lim.now_ms = now_ms;
    out->n = 0;
    if (s->format == IX_FORMAT_PACS008) {
        r = iso_decode_pacs008(buf, len, &lim, out->t, &out->n, &de);
    } else {
        r = dec_transfer(buf, len, &lim, out->t, &de);
        out->n = r == RSN_OK;
    }
    if (r != RSN_OK)
        return refuse_decoded(res, &de);
    for (size_t i = 0; i < out->n; i++)
        if (!key_is(key, key_len, out->t[i].from_account)) {
            if (out->n == 1)
                return refuse(res, RSN_BAD_KEY, "message key is not the transfer's from_account");
            return refuse(res, RSN_BAD_KEY,
                          "message key is not the from_account of CdtTrfTxInf[%zu] (every "
                          "transaction of a message must be from the key's account)",
                          i + 1);
        }
    return 1;
}

void scr_name_transaction(scr_result *res, size_t i, size_t n)
{
    char detail[SCR_DETAIL_MAX];
    if (n < 2)
        return;
    int k = snprintf(detail, sizeof(detail), "CdtTrfTxInf[%zu]: ", i + 1);
    snprintf(detail + k, sizeof(detail) - (size_t)k, "%.*s", (int)(sizeof(detail) - (size_t)k - 1),
             res->detail);
    memcpy(res->detail, detail, sizeof(detail));
}

int scr_decode_report(const scr_ctx *s, const void *buf, size_t len, ix_report *rep,
                      scr_result *res)
{
    dec_error de;
    if (dec_report(buf, len, &s->lim, rep, &de) != RSN_OK)
        return refuse_decoded(res, &de);
    return 1;
}

static int decode_tombstone(const void *key, size_t key_len, scr_update *u, scr_result *res)
{
    if (!dec_is_account(key, key_len))
        return refuse(res, RSN_BAD_KEY, "tombstone without a valid account key");
    memset(u, 0, sizeof(*u));
    u->kind = SCR_UNWATCH;
    memcpy(u->watch.account, key, key_len);
    return 1;
}

/* An allow-list key: the account, or account/counterparty for a pair. */
static int split_allow_key(const void *key, size_t key_len, desk_allow *a)
{
    const char *k = key, *slash = key ? memchr(key, '/', key_len) : NULL;
    size_t na = slash ? (size_t)(slash - k) : key_len;
    if (!dec_is_account(k, na) || (slash && !dec_is_account(slash + 1, key_len - na - 1)))
        return 0;
    memcpy(a->account, k, na);
    if (slash)
        memcpy(a->counterparty, slash + 1, key_len - na - 1);
    return 1;
}

static int decode_allow(const scr_ctx *s, const void *key, size_t key_len, const void *payload,
                        size_t len, scr_update *u, scr_result *res)
{
    dec_error de;
    desk_allow k;
    memset(u, 0, sizeof(*u));
    memset(&k, 0, sizeof(k));
    if (!payload) {
        if (!split_allow_key(key, key_len, &u->allow))
            return refuse(res, RSN_BAD_KEY,
                          "tombstone without a valid key (an account, or account/counterparty)");
        u->kind = SCR_UNALLOW;
        return 1;
    }
    u->kind = SCR_ALLOW;
    if (dec_allow(payload, len, &s->lim, &u->allow, &de) != RSN_OK)
        return refuse_decoded(res, &de);
    if (!split_allow_key(key, key_len, &k) || strcmp(k.account, u->allow.account) != 0 ||
        strcmp(k.counterparty, u->allow.counterparty) != 0)
        return refuse(res, RSN_BAD_KEY, "message key is not the entry's %s",
                      u->allow.counterparty[0] ? "account/counterparty" : "account");
    return 1;
}

int scr_decode_update(const scr_ctx *s, scr_table table, const void *key, size_t key_len,
                      const void *payload, size_t len, scr_update *u, scr_result *res)
{
    dec_error de;
    int watchlist = table == SCR_T_WATCHLIST;
    if (table == SCR_T_ALLOWLIST)
        return decode_allow(s, key, key_len, payload, len, u, res);
    if (watchlist && !payload)
        return decode_tombstone(key, key_len, u, res);
    if (table == SCR_T_VERDICTS) {
        u->kind = SCR_VERDICT;
        if (dec_verdict(payload, len, &s->lim, &u->verdict, &de) != RSN_OK)
            return refuse_decoded(res, &de);
        if (!key_is(key, key_len, u->verdict.account))
            return refuse(res, RSN_BAD_KEY, "message key is not the verdict's account");
        return 1;
    }
    u->kind = watchlist ? SCR_WATCH : SCR_PROFILE;
    if ((watchlist ? dec_watch(payload, len, &s->lim, &u->watch, &de)
                   : dec_account(payload, len, &s->lim, &u->profile, &de)) != RSN_OK)
        return refuse_decoded(res, &de);
    if (!key_is(key, key_len, watchlist ? u->watch.account : u->profile.account))
        return refuse(res, RSN_BAD_KEY, "message key is not the %s's account",
                      watchlist ? "entry" : "profile");
    return 1;
}

int scr_table_of(const cfg *c, const char *topic)
{
    if (strcmp(topic, c->topic_accounts) == 0)
        return SCR_T_ACCOUNTS;
    if (strcmp(topic, c->topic_watchlist) == 0)
        return SCR_T_WATCHLIST;
    if (strcmp(topic, c->topic_allowlist) == 0)
        return SCR_T_ALLOWLIST;
    if (strcmp(topic, c->topic_verdicts) == 0)
        return SCR_T_VERDICTS;
    return -1;
}

/* ---- step 2: the state */

/* rules_hold's question, asked of the desk: the finding `code` on `account`
 * is allow-listed (the account, or the account with the transfer's other
 * side) or its rule dismissed for the account, at the transfer's event time.
 * ud is the screening context; the entry that holds it counts it. */
static int desk_holds(const void *ud, const ix_transfer *t, const char *account, const char *code)
{
    const scr_ctx *s = ud;
    const char *cp = strcmp(account, t->from_account) == 0 ? t->to_account : t->from_account;
    return desk_hold(s->desk, account, cp, code, t->event_time_ms) != DESK_NONE;
}

/* What each request raised leaves for the desk's verdict on it. */
static int note_requests(const scr_ctx *s, int n, char *errstr, size_t errstr_size)
{
    char why[256];
    desk_request q;
    for (int i = 0; i < n; i++) {
        desk_request_of(&s->reqs[i], &q);
        if (graph_desk_put_request(s->g, &q, why, sizeof(why)) != 0)
            return broke(errstr, errstr_size, "graph", why);
    }
    return 0;
}

int scr_admit_transfer(const scr_ctx *s, const ix_transfer *t, scr_result *res)
{
    if (strcmp(t->currency, s->currency) != 0)
        return refuse(res, RSN_FOREIGN_CURRENCY, "currency: %s, this instance screens %s",
                      t->currency, s->currency);
    return 1;
}

int scr_transfer(const scr_ctx *s, const ix_transfer *t, int64_t now_ms, scr_result *res,
                 char *errstr, size_t errstr_size)
{
    char why[512];
    graph_acct from, to;
    if (!scr_admit_transfer(s, t, res))
        return 0;
    graph_park_advance(s->g, t->event_time_ms);
    int seen = graph_seen_transfer(s->g, t->id, t->event_time_ms, why, sizeof(why));
    if (seen < 0)
        return broke(errstr, errstr_size, "graph", why);
    if (seen)
        return refuse(res, RSN_DUPLICATE_TRANSFER, "transfer_id: %.64s was screened before", t->id);
    if (graph_apply_transfer(s->g, t, &from, &to, why, sizeof(why)) != 0)
        return broke(errstr, errstr_size, "graph", why);
    rules_hold hold = {.holds = desk_holds, .ud = s, .held = s->held};
    int n = rules_screen(s->r, s->g, t, &from, &to, now_ms, s->desk ? &hold : NULL, s->reqs,
                         SCR_MAX_REQUESTS, s->hits, why, sizeof(why));
    if (n < 0)
        return broke(errstr, errstr_size, "rules", why);
    if (note_requests(s, n, errstr, errstr_size) != 0)
        return -1;
    done(res, SCR_SCREENED, n);
    return 0;
}

/* The trace of a report not traced before: SCR_SCREENED with its requests
 * (the id recorded), or refused as unknown_transfer. */
static int trace(const scr_ctx *s, const ix_report *rep, int64_t now_ms, scr_result *res,
                 char *errstr, size_t errstr_size)
{
    char why[512];
    int found = 0;
    int n = rules_trace(s->r, s->g, rep, now_ms, s->reqs, SCR_MAX_REQUESTS, &found, s->hits, why,
                        sizeof(why));
    if (n < 0)
        return broke(errstr, errstr_size, "trace", why);
    if (!found)
        return refuse(res, RSN_UNKNOWN_TRANSFER,
                      "transfer_id: %s of %s is not in the state store (not screened yet, or "
                      "older than state.retention)",
                      rep->transfer_id, rep->victim_account);
    if (graph_seen_report(s->g, rep->id, rep->reported_at_ms, 1, why, sizeof(why)) < 0)
        return broke(errstr, errstr_size, "graph", why);
    if (note_requests(s, n, errstr, errstr_size) != 0)
        return -1;
    done(res, SCR_SCREENED, n);
    return 0;
}

int scr_report(const scr_ctx *s, const ix_report *rep, const park_src *src, int64_t now_ms,
               scr_result *res, char *errstr, size_t errstr_size)
{
    char why[512];
    if (strcmp(rep->currency, s->currency) != 0)
        return refuse(res, RSN_FOREIGN_CURRENCY, "currency: %s, this instance screens %s",
                      rep->currency, s->currency);
    /* A report dated 1970 or 9999 names no transfer the state could hold: a
     * bad time, not an unknown transfer. */
    if (rep->reported_at_ms > now_ms + s->lim.max_future_ms)
        return refuse(res, RSN_TIME, "reported_at: %lld ms after now, limit %lld",
                      (long long)(rep->reported_at_ms - now_ms), (long long)s->lim.max_future_ms);
    if (rep->reported_at_ms < now_ms - s->report_past_ms)
        return refuse(res, RSN_TIME,
                      "reported_at: %lld ms before now, longer than input.max.past and "
                      "state.retention (%lld)",
                      (long long)(now_ms - rep->reported_at_ms), (long long)s->report_past_ms);
    graph_park_advance(s->g, rep->reported_at_ms);
    int seen = graph_seen_report(s->g, rep->id, rep->reported_at_ms, 0, why, sizeof(why));
    if (seen < 0)
        return broke(errstr, errstr_size, "graph", why);
    if (seen)
        return refuse(res, RSN_DUPLICATE_REPORT, "report_id: %.64s was traced before", rep->id);
    if (graph_parked(s->g, rep->id))
        return refuse(res, RSN_DUPLICATE_REPORT,
                      "report_id: %.64s is parked, waiting for transfer_id %.64s", rep->id,
                      rep->transfer_id);
    if (trace(s, rep, now_ms, res, errstr, errstr_size) != 0)
        return -1;
    if (res->verdict != SCR_REJECTED || s->park_max == 0)
        return 0;
    /* Not screened yet, perhaps: the clearing stream may lag the reports. */
    park_src none = {0};
    if (graph_park(s->g, rep, src ? src : &none, why, sizeof(why)) != 0)
        return broke(errstr, errstr_size, "graph", why);
    done(res, SCR_PARKED, 0);
    return 0;
}

/* A parked report whose transfer was just screened: traced, or refused
 * when the trace does not find it (a transfer more than a day after the
 * report is outside the window the trace searches). */
static int trace_parked(const scr_ctx *s, const park_entry *e, int64_t now_ms, scr_result *res,
                        char *errstr, size_t errstr_size)
{
    if (trace(s, &e->rep, now_ms, res, errstr, errstr_size) != 0)
        return -1;
    if (res->verdict == SCR_REJECTED)
        refuse(res, RSN_UNKNOWN_TRANSFER,
               "transfer_id: %s of %s came after the report, out of the time the trace "
               "searches around reported_at",
               e->rep.transfer_id, e->rep.victim_account);
    return 0;
}

/* Why a parked report is given up: it waited out reports.park.time, or it
 * was the oldest of a full park. */
static void expired(const scr_ctx *s, const park_entry *e, scr_result *res)
{
    long long waited = (long long)(graph_park_clock(s->g) - e->rep.reported_at_ms) / 1000;
    if (waited * 1000 > s->park_time_ms)
        refuse(res, RSN_UNKNOWN_TRANSFER,
               "transfer_id: %s of %s never came: the report waited %llds and expired "
               "(reports.park.time %llds)",
               e->rep.transfer_id, e->rep.victim_account, waited,
               (long long)s->park_time_ms / 1000);
    else
        refuse(res, RSN_UNKNOWN_TRANSFER,
               "transfer_id: %s of %s never came: the report waited %llds and expired, the "
               "oldest of reports.park.max (%zu) parked reports",
               e->rep.transfer_id, e->rep.victim_account, waited, s->park_max);
}

int scr_next_park(const scr_ctx *s, const ix_transfer *t, int64_t now_ms, park_entry **out,
                  scr_result *res, char *errstr, size_t errstr_size)
{
    scr_result admit;
    park_entry *e = NULL;
    *out = NULL;
    if (t && scr_admit_transfer(s, t, &admit))
        e = graph_unpark_transfer(s->g, t->id, t->from_account);
    if (e) {
        if (trace_parked(s, e, now_ms, res, errstr, errstr_size) != 0) {
            park_entry_free(e);
            return -1;
        }
        *out = e;
        return 1;
    }
    if (!(e = graph_unpark_due(s->g, s->park_time_ms, s->park_max)))
        return 0;
    expired(s, e, res);
    *out = e;
    return 1;
}

/* A confirmed mule joins the watch list under a list of the desk's, its
 * reason naming the verdict, so that the watch-list rule catches whoever
 * pays it or is paid by it from now on. */
static int confirm(const scr_ctx *s, const desk_request *q, const desk_verdict *v, char *why,
                   size_t why_size)
{
    ix_watch w;
    memset(&w, 0, sizeof(w));
    snprintf(w.account, sizeof(w.account), "%s", q->account);
    snprintf(w.bank, sizeof(w.bank), "%s", q->bank);
    snprintf(w.list, sizeof(w.list), "desk_confirmed");
    snprintf(w.reason, sizeof(w.reason), "verdict on request %.64s%s%.40s", q->id,
             v->note[0] ? ": " : "", v->note);
    w.added_at_ms = v->decided_ms;
    return graph_put_watch(s->g, &w, NULL, why, why_size);
}

/* A dismissed request's reason codes, suppressed for its account until the
 * verdict's time plus verdict.dismiss.time. */
static int dismiss(const scr_ctx *s, const desk_request *q, const desk_verdict *v, char *why,
                   size_t why_size)
{
    int64_t until = v->decided_ms + s->dismiss_ms;
    for (size_t i = 0; i < q->n_codes; i++)
        if (desk_dismiss(s->desk, q->account, q->codes[i], q->id, until) != 0) {
            snprintf(why, why_size, "out of memory");
            return -1;
        }
    return 0;
}

static int apply_verdict(const scr_ctx *s, const desk_verdict *v, scr_result *res, char *errstr,
                         size_t errstr_size)
{
    char why[512], at[TF_RFC3339_LEN + 1];
    desk_request q;
    int found = graph_desk_get_request(s->g, v->request_id, &q, why, sizeof(why));
    if (found < 0)
        return broke(errstr, errstr_size, "graph", why);
    if (!found)
        return refuse(res, RSN_UNKNOWN_REQUEST, "request_id: %.64s was never raised",
                      v->request_id);
    if (strcmp(q.account, v->account) != 0)
        return refuse(res, RSN_UNKNOWN_REQUEST, "request_id: %.64s was raised for another account",
                      v->request_id);
    if (q.answer != DESK_ANSWER_OPEN) {
        if (tf_format(q.answered_ms, at, sizeof(at)) < 0)
            snprintf(at, sizeof(at), "?");
        return refuse(res, RSN_DUPLICATE_VERDICT, "request_id: %.64s was %s at %s", v->request_id,
                      desk_answer_name(q.answer), at);
    }
    q.answer = v->answer;
    q.answered_ms = v->decided_ms;
    int rc = v->answer == DESK_ANSWER_CONFIRMED ? confirm(s, &q, v, why, sizeof(why))
                                                : dismiss(s, &q, v, why, sizeof(why));
    if (rc != 0 || graph_desk_put_request(s->g, &q, why, sizeof(why)) != 0)
        return broke(errstr, errstr_size, "desk", why);
    done(res, SCR_APPLIED, 0);
    return 0;
}

static int apply_desk(const scr_ctx *s, const scr_update *u, scr_result *res, char *errstr,
                      size_t errstr_size)
{
    if (!s->desk)
        return broke(errstr, errstr_size, "desk", "no desk to apply the message to");
    if (u->kind == SCR_VERDICT)
        return apply_verdict(s, &u->verdict, res, errstr, errstr_size);
    if (u->kind == SCR_ALLOW && desk_allow_put(s->desk, &u->allow) != 0)
        return broke(errstr, errstr_size, "desk", "out of memory");
    if (u->kind == SCR_UNALLOW)
        desk_allow_del(s->desk, u->allow.account, u->allow.counterparty);
    done(res, SCR_APPLIED, 0);
    return 0;
}

int scr_apply_update(const scr_ctx *s, const scr_update *u, scr_result *res, char *errstr,
                     size_t errstr_size)
{
    char why[512];
    if (u->kind == SCR_ALLOW || u->kind == SCR_UNALLOW || u->kind == SCR_VERDICT)
        return apply_desk(s, u, res, errstr, errstr_size);
    int rc = u->kind == SCR_PROFILE ? graph_put_profile(s->g, &u->profile, NULL, why, sizeof(why))
             : u->kind == SCR_WATCH
                 ? graph_put_watch(s->g, &u->watch, NULL, why, sizeof(why))
                 : graph_del_watch(s->g, u->watch.account, NULL, why, sizeof(why));
    if (rc != 0)
        return broke(errstr, errstr_size, "graph", why);
    done(res, SCR_APPLIED, 0);
    return 0;
}
