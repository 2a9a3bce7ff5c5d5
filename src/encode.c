/* encode.c - model records to compact JSON, written straight into a caller's buffer.
 *
 * Hand-written instead of built with jansson: this is the hot output path of
 * the load generator and of every freeze request, and building a jansson tree
 * would allocate per field. A small writer appends fragments and remembers
 * when the buffer ran out; nothing is ever written at or past `size`.
 *
 * String fields are read with strnlen() bounded by their array size, so a
 * record with a missing NUL still cannot make the encoder read past it.
 */
#include "encode.h"

#include <stdint.h>
#include <string.h>

#include "currency.h"
#include "timefmt.h"

typedef struct wbuf {
    char *p;
    size_t size;
    size_t len;
    int full; /* a write did not fit, or a value could not be encoded */
} wbuf;

static void put_raw(wbuf *w, const char *s, size_t n)
{
    if (w->full || n > w->size - w->len) {
        w->full = 1;
        return;
    }
    memcpy(w->p + w->len, s, n);
    w->len += n;
}

static void put_lit(wbuf *w, const char *s)
{
    put_raw(w, s, strlen(s));
}

/* A JSON string: quotes and backslashes escaped, control characters as
 * \u00XX, bytes >= 0x80 passed through (decoded strings are valid UTF-8). */
static void put_str(wbuf *w, const char *s, size_t max)
{
    static const char hex[] = "0123456789abcdef";
    if (!s) {
        s = ""; /* a finding's static name left unset: still valid JSON */
    }
    size_t n = strnlen(s, max);
    size_t run = 0; /* start of the pending stretch that needs no escape */
    put_raw(w, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        put_raw(w, s + run, i - run);
        run = i + 1;
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            put_raw(w, esc, 2);
        } else {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            put_raw(w, esc, 6);
        }
    }
    put_raw(w, s + run, n - run);
    put_raw(w, "\"", 1);
}

/* A string array field, e.g. char id[IX_ID_MAX + 1]. */
#define PUT_FIELD(w, arr) put_str((w), (arr), sizeof(arr))

static void put_int(wbuf *w, int64_t v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    /* Negate in unsigned arithmetic so that INT64_MIN does not overflow. */
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) {
        tmp[--i] = '-';
    }
    put_raw(w, tmp + i, sizeof tmp - i);
}

/* An RFC 3339 time, bare (XML) or quoted (JSON). */
static void put_time_in(wbuf *w, int64_t ms, const char *quote)
{
    char tmp[TF_RFC3339_LEN + 1];
    int n = tf_format(ms, tmp, sizeof tmp);
    if (n < 0) {
        w->full = 1; /* out of the schema's range: nothing valid to write */
        return;
    }
    put_lit(w, quote);
    put_raw(w, tmp, (size_t)n);
    put_lit(w, quote);
}

static void put_time(wbuf *w, int64_t ms)
{
    put_time_in(w, ms, "\"");
}

/* Appends the NUL when it fits; see encode.h for the return value. */
static int finish(wbuf *w)
{
    if (w->full || w->len > (size_t)INT32_MAX) {
        return -1;
    }
    if (w->len < w->size) {
        w->p[w->len] = '\0';
    }
    return (int)w->len;
}

static wbuf writer(char *buf, size_t size)
{
    wbuf w = {buf, buf ? size : 0, 0, 0};
    return w;
}

int enc_transfer(const ix_transfer *t, char *buf, size_t size)
{
    wbuf w = writer(buf, size);
    put_lit(&w, "{\"version\":1,\"transfer_id\":");
    PUT_FIELD(&w, t->id);
    put_lit(&w, ",\"from_account\":");
    PUT_FIELD(&w, t->from_account);
    put_lit(&w, ",\"from_bank\":");
    PUT_FIELD(&w, t->from_bank);
    put_lit(&w, ",\"to_account\":");
    PUT_FIELD(&w, t->to_account);
    put_lit(&w, ",\"to_bank\":");
    PUT_FIELD(&w, t->to_bank);
    put_lit(&w, ",\"amount\":");
    put_int(&w, t->amount);
    put_lit(&w, ",\"currency\":");
    PUT_FIELD(&w, t->currency);
    put_lit(&w, ",\"event_time\":");
    put_time(&w, t->event_time_ms);
    if (t->channel > IX_CHANNEL_UNKNOWN && t->channel < IX_CHANNEL__COUNT) {
        put_lit(&w, ",\"channel\":");
        put_str(&w, ix_channel_name(t->channel), IX_TEXT_MAX);
    }
    put_lit(&w, "}");
    return finish(&w);
}

/* ---- pacs.008 (docs/iso20022.md) */

/* XML character data or an attribute value, the five markup characters as
 * entities. Model strings hold none of them; the writer does not rely on it. */
static void put_xml(wbuf *w, const char *s, size_t max)
{
    size_t n = strnlen(s, max), run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *ent = s[i] == '&'    ? "&amp;"
                          : s[i] == '<'  ? "&lt;"
                          : s[i] == '>'  ? "&gt;"
                          : s[i] == '"'  ? "&quot;"
                          : s[i] == '\'' ? "&apos;"
                                         : NULL;
        if (ent) {
            put_raw(w, s + run, i - run);
            put_lit(w, ent);
            run = i + 1;
        }
    }
    put_raw(w, s + run, n - run);
}

#define PUT_XML(w, arr) put_xml((w), (arr), sizeof(arr))

/* <name>text</name> */
static void put_elem(wbuf *w, const char *name, const char *text, size_t max)
{
    put_lit(w, "<");
    put_lit(w, name);
    put_lit(w, ">");
    put_xml(w, text, max);
    put_lit(w, "</");
    put_lit(w, name);
    put_lit(w, ">");
}

/* Minor units as the decimal amount ISO 20022 writes: 123450 EUR is 1234.50. */
static void put_decimal(wbuf *w, int64_t minor, const char *currency)
{
    int exp = cur_minor_units(currency);
    int64_t scale = 1;
    if (exp < 0 || minor < 0) {
        w->full = 1; /* no amount to write */
        return;
    }
    for (int i = 0; i < exp; i++) {
        scale *= 10;
    }
    put_int(w, minor / scale);
    if (exp > 0) {
        char frac[8];
        int64_t f = minor % scale;
        for (int i = exp - 1; i >= 0; i--, f /= 10) {
            frac[i] = (char)('0' + f % 10);
        }
        put_lit(w, ".");
        put_raw(w, frac, (size_t)exp);
    }
}

/* <DbtrAcct><Id><IBAN>..</IBAN></Id></DbtrAcct>, or Othr/Id when the
 * account has no IBAN's shape. */
static void put_account(wbuf *w, const char *elem, const char *account, size_t max)
{
    int iban = ix_iban_shaped(account, strnlen(account, max));
    put_lit(w, "<");
    put_lit(w, elem);
    put_lit(w, iban ? "><Id>" : "><Id><Othr>");
    put_elem(w, iban ? "IBAN" : "Id", account, max);
    put_lit(w, iban ? "</Id></" : "</Othr></Id></");
    put_lit(w, elem);
    put_lit(w, ">");
}

/* <DbtrAgt><FinInstnId><BICFI>..</BICFI></FinInstnId></DbtrAgt> */
static void put_agent(wbuf *w, const char *elem, const char *bank, size_t max)
{
    put_lit(w, "<");
    put_lit(w, elem);
    put_lit(w, "><FinInstnId>");
    put_elem(w, "BICFI", bank, max);
    put_lit(w, "</FinInstnId></");
    put_lit(w, elem);
    put_lit(w, ">");
}

static void put_cdt_trf_tx(wbuf *w, const ix_transfer *t)
{
    put_lit(w, "<CdtTrfTxInf><PmtId>");
    put_elem(w, "EndToEndId", t->id, 35); /* Max35Text */
    put_elem(w, "TxId", t->id, sizeof t->id);
    put_lit(w, "</PmtId><IntrBkSttlmAmt Ccy=\"");
    PUT_XML(w, t->currency);
    put_lit(w, "\">");
    put_decimal(w, t->amount, t->currency);
    put_lit(w, "</IntrBkSttlmAmt><AccptncDtTm>");
    put_time_in(w, t->event_time_ms, "");
    /* The schema's order, with the mandatory parties empty: the model has
     * no names or addresses. */
    put_lit(w, "</AccptncDtTm><ChrgBr>SLEV</ChrgBr><Dbtr/>");
    put_account(w, "DbtrAcct", t->from_account, sizeof t->from_account);
    put_agent(w, "DbtrAgt", t->from_bank, sizeof t->from_bank);
    put_agent(w, "CdtrAgt", t->to_bank, sizeof t->to_bank);
    put_lit(w, "<Cdtr/>");
    put_account(w, "CdtrAcct", t->to_account, sizeof t->to_account);
    put_lit(w, "</CdtTrfTxInf>");
}

int enc_pacs008(const ix_transfer *t, size_t n, char *buf, size_t size)
{
    wbuf w = writer(buf, size);
    if (n == 0) {
        return -1;
    }
    put_lit(&w, "<Document xmlns=\"" ENC_PACS008_NS "\"><FIToFICstmrCdtTrf><GrpHdr>");
    put_elem(&w, "MsgId", t[0].id, 35);
    put_lit(&w, "<CreDtTm>");
    put_time_in(&w, t[0].event_time_ms, "");
    put_lit(&w, "</CreDtTm><NbOfTxs>");
    put_int(&w, (int64_t)n);
    put_lit(&w, "</NbOfTxs><SttlmInf><SttlmMtd>CLRG</SttlmMtd></SttlmInf></GrpHdr>");
    for (size_t i = 0; i < n; i++) {
        put_cdt_trf_tx(&w, &t[i]);
    }
    put_lit(&w, "</FIToFICstmrCdtTrf></Document>");
    return finish(&w);
}

int enc_transfer_as(ix_format f, const ix_transfer *t, char *buf, size_t size)
{
    return f == IX_FORMAT_PACS008 ? enc_pacs008(t, 1, buf, size) : enc_transfer(t, buf, size);
}

static void put_status(wbuf *w, uint32_t flags)
{
    if (!(flags & (IX_ACCT_DORMANT | IX_ACCT_FROZEN))) {
        return; /* optional on the wire; IX_ACCT_WATCHLISTED is never sent */
    }
    put_lit(w, ",\"status\":[");
    if (flags & IX_ACCT_DORMANT) {
        put_lit(w, (flags & IX_ACCT_FROZEN) ? "\"dormant\",\"frozen\"" : "\"dormant\"");
    } else {
        put_lit(w, "\"frozen\"");
    }
    put_lit(w, "]");
}

int enc_account(const ix_account *a, char *buf, size_t size)
{
    wbuf w = writer(buf, size);
    put_lit(&w, "{\"version\":1,\"account\":");
    PUT_FIELD(&w, a->account);
    put_lit(&w, ",\"bank\":");
    PUT_FIELD(&w, a->bank);
    put_lit(&w, ",\"opened_at\":");
    put_time(&w, a->opened_at_ms);
    put_lit(&w, ",\"holder_type\":");
    put_str(&w, ix_holder_type_name(a->holder_type), IX_TEXT_MAX);
    put_lit(&w, ",\"kyc_level\":");
    put_int(&w, a->kyc_level);
    put_lit(&w, ",\"holder_hash\":");
    PUT_FIELD(&w, a->holder_hash);
    put_lit(&w, ",\"phone_hash\":");
    PUT_FIELD(&w, a->phone_hash);
    if (a->device_hash[0]) {
        put_lit(&w, ",\"device_hash\":");
        PUT_FIELD(&w, a->device_hash);
    }
    put_status(&w, a->flags);
    put_lit(&w, ",\"updated_at\":");
    put_time(&w, a->updated_at_ms);
    put_lit(&w, "}");
    return finish(&w);
}

int enc_watch(const ix_watch *wl, char *buf, size_t size)
{
    wbuf w = writer(buf, size);
    put_lit(&w, "{\"version\":1,\"account\":");
    PUT_FIELD(&w, wl->account);
    put_lit(&w, ",\"bank\":");
    PUT_FIELD(&w, wl->bank);
    put_lit(&w, ",\"list\":");
    PUT_FIELD(&w, wl->list);
    put_lit(&w, ",\"reason\":");
    PUT_FIELD(&w, wl->reason);
    put_lit(&w, ",\"added_at\":");
    put_time(&w, wl->added_at_ms);
    put_lit(&w, "}");
    return finish(&w);
}

int enc_allow(const desk_allow *a, char *buf, size_t size)
{
    wbuf w = writer(buf, size);
    put_lit(&w, "{\"version\":1,\"account\":");
    PUT_FIELD(&w, a->account);
    if (a->counterparty[0]) {
        put_lit(&w, ",\"counterparty\":");
        PUT_FIELD(&w, a->counterparty);
    }
    if (a->either_way) {
        put_lit(&w, ",\"either_way\":true");
    }
    if (a->n_rules > 0) {
        put_lit(&w, ",\"rules\":[");
        for (size_t i = 0; i < a->n_rules && i < DESK_RULES_MAX; i++) {
            put_lit(&w, i ? "," : "");
            PUT_FIELD(&w, a->rules[i]);
        }
        put_lit(&w, "]");
    }
    put_lit(&w, ",\"reason\":");
    PUT_FIELD(&w, a->reason);
    put_lit(&w, ",\"added_at\":");
    put_time(&w, a->added_ms);
    if (a->expires_ms != DESK_NO_EXPIRY) {
        put_lit(&w, ",\"expires_at\":");
        put_time(&w, a->expires_ms);
    }
    put_lit(&w, "}");
    return finish(&w);
}

int enc_verdict(const desk_verdict *v, char *buf, size_t size)
{
    wbuf w = writer(buf, size);
    put_lit(&w, "{\"version\":1,\"request_id\":");
    PUT_FIELD(&w, v->request_id);
    put_lit(&w, ",\"account\":");
    PUT_FIELD(&w, v->account);
    put_lit(&w, ",\"verdict\":");
    put_str(&w, desk_answer_name(v->answer), IX_TEXT_MAX);
    put_lit(&w, ",\"decided_at\":");
    put_time(&w, v->decided_ms);
    if (v->note[0]) {
        put_lit(&w, ",\"note\":");
        PUT_FIELD(&w, v->note);
    }
    put_lit(&w, "}");
    return finish(&w);
}

int enc_report(const ix_report *r, char *buf, size_t size)
{
    wbuf w = writer(buf, size);
    put_lit(&w, "{\"version\":1,\"report_id\":");
    PUT_FIELD(&w, r->id);
    put_lit(&w, ",\"transfer_id\":");
    PUT_FIELD(&w, r->transfer_id);
    put_lit(&w, ",\"victim_account\":");
    PUT_FIELD(&w, r->victim_account);
    put_lit(&w, ",\"amount\":");
    put_int(&w, r->amount);
    put_lit(&w, ",\"currency\":");
    PUT_FIELD(&w, r->currency);
    put_lit(&w, ",\"reported_at\":");
    put_time(&w, r->reported_at_ms);
    put_lit(&w, ",\"source\":");
    PUT_FIELD(&w, r->source);
    put_lit(&w, "}");
    return finish(&w);
}

/* A count from a record, clamped to its array so that a corrupt count can
 * never read outside the record. */
static int clamp_count(int n, int max)
{
    return n < 0 ? 0 : n > max ? max : n;
}

static void put_evidence(wbuf *w, const ix_evidence *e)
{
    put_lit(w, "{\"transfer_id\":");
    PUT_FIELD(w, e->transfer_id);
    put_lit(w, ",\"from_account\":");
    PUT_FIELD(w, e->from_account);
    put_lit(w, ",\"to_account\":");
    PUT_FIELD(w, e->to_account);
    put_lit(w, ",\"amount\":");
    put_int(w, e->amount);
    put_lit(w, ",\"time\":");
    put_time(w, e->time_ms);
    put_lit(w, "}");
}

static void put_figure(wbuf *w, const ix_figure *fig)
{
    put_lit(w, "{\"name\":");
    put_str(w, fig->name, IX_TEXT_MAX);
    put_lit(w, ",\"value\":");
    put_int(w, fig->value);
    put_lit(w, ",\"threshold\":");
    put_int(w, fig->threshold);
    put_lit(w, "}");
}

static void put_finding(wbuf *w, const ix_finding *f)
{
    put_lit(w, "{\"rule\":");
    put_str(w, f->rule, IX_TEXT_MAX);
    put_lit(w, ",\"code\":");
    put_str(w, f->code, IX_TEXT_MAX);
    put_lit(w, ",\"score\":");
    put_int(w, f->score);
    put_lit(w, ",\"amount\":");
    put_int(w, f->amount);
    put_lit(w, ",\"path\":[");
    int n = clamp_count(f->npath, IX_PATH_MAX);
    for (int i = 0; i < n; i++) {
        put_lit(w, i ? "," : "");
        PUT_FIELD(w, f->path[i]);
    }
    put_lit(w, "],\"evidence\":[");
    n = clamp_count(f->nevidence, IX_EVIDENCE_MAX);
    for (int i = 0; i < n; i++) {
        put_lit(w, i ? "," : "");
        put_evidence(w, &f->evidence[i]);
    }
    put_lit(w, "],\"figures\":[");
    n = clamp_count(f->nfigures, IX_FIGURES_MAX);
    for (int i = 0; i < n; i++) {
        put_lit(w, i ? "," : "");
        put_figure(w, &f->figures[i]);
    }
    put_lit(w, "]}");
}

static void put_part(wbuf *w, const ix_score_part *p)
{
    put_lit(w, "{\"rule\":");
    put_str(w, p->rule, IX_TEXT_MAX);
    put_lit(w, ",\"code\":");
    put_str(w, p->code, IX_TEXT_MAX);
    put_lit(w, ",\"score\":");
    put_int(w, p->score);
    put_lit(w, ",\"time\":");
    put_time(w, p->time_ms);
    put_lit(w, "}");
}

int enc_request(const ix_request *r, char *buf, size_t size)
{
    wbuf w = writer(buf, size);
    put_lit(&w, "{\"version\":1,\"request_id\":");
    PUT_FIELD(&w, r->id);
    put_lit(&w, ",\"rule_set\":");
    PUT_FIELD(&w, r->rule_set);
    put_lit(&w, ",\"account\":");
    PUT_FIELD(&w, r->account);
    put_lit(&w, ",\"bank\":");
    PUT_FIELD(&w, r->bank);
    put_lit(&w, ",\"action\":");
    put_str(&w, ix_action_name(r->action), IX_TEXT_MAX);
    put_lit(&w, ",\"score\":");
    put_int(&w, r->score);
    put_lit(&w, ",\"trigger\":{\"id\":");
    PUT_FIELD(&w, r->trigger_id);
    put_lit(&w, ",\"amount\":");
    put_int(&w, r->trigger_amount);
    put_lit(&w, ",\"currency\":");
    PUT_FIELD(&w, r->currency);
    put_lit(&w, ",\"event_time\":");
    put_time(&w, r->trigger_time_ms);
    put_lit(&w, "},\"detected_at\":");
    put_time(&w, r->detected_at_ms);
    put_lit(&w, ",\"findings\":[");
    int n = clamp_count(r->nfindings, IX_FINDINGS_MAX);
    for (int i = 0; i < n; i++) {
        put_lit(&w, i ? "," : "");
        put_finding(&w, &r->findings[i]);
    }
    put_lit(&w, "]");
    n = clamp_count(r->nparts, IX_PARTS_MAX);
    if (n > 0) {
        put_lit(&w, ",\"score_parts\":[");
        for (int i = 0; i < n; i++) {
            put_lit(&w, i ? "," : "");
            put_part(&w, &r->parts[i]);
        }
        put_lit(&w, "]");
    }
    put_lit(&w, "}");
    return finish(&w);
}
