/* truth.c - freeze requests judged against the generator's ground truth.
 *
 * Accounts and transfer ids are looked up in jansson objects (account ->
 * its record's index, transfer id -> its instance), so a request is judged
 * as it arrives and nothing but counters and per-instance results is kept:
 * the benchmark reads hundreds of thousands of requests.
 */
#include "truth.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "timefmt.h"
#include "vec.h"

#define NEVER INT64_MAX

typedef struct inst_rec {
    int pattern;   /* scn_pattern; a look-alike's: the one it resembles */
    int lookalike; /* scn_alike, or -1 */
    int near;      /* classic near miss */
    int attempt;   /* a realistic laundering attempt */
    scn_size size;
    int ntx;
    int64_t start_ms;
    uint8_t caught, caught_hold, classic_caught;
    int64_t first_ms, first_hold_ms; /* event time of the first catching request */
} inst_rec;

typedef struct acct_rec {
    uint8_t flagged;     /* flag true in an attempt (classic: in a planted instance) */
    uint8_t planted;     /* classic: member of a planted instance, any role */
    uint8_t near;        /* classic: member of a near miss */
    uint8_t participant; /* member of an attempt with flag false */
    uint8_t held, reviewed;
    int16_t alike; /* the kind of a look-alike it is in, or -1 */
    int32_t links; /* the instances that flag it: head of a list in links, or -1 */
} acct_rec;

typedef struct link_rec {
    int32_t inst, next;
} link_rec;

struct truth {
    int64_t population;
    int realistic, classic; /* lines of either profile seen */
    json_t *acct_ix;        /* account -> index into accts */
    json_t *tx_ix;          /* transfer id -> index into insts */
    json_t *ids;            /* request ids seen */
    vec insts, accts, links;
    truth_code codes[TRUTH_CODES_MAX];
    int ncodes;
    int64_t requests, review, hold, freeze, duplicates, unreadable, classic_right;
    int64_t hf_right, hf_participant, hf_lookalike, hf_near, hf_background;
};

/* ---- storage -------------------------------------------------------------- */

truth *truth_new(int64_t accounts)
{
    truth *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->population = accounts;
    t->acct_ix = json_object();
    t->tx_ix = json_object();
    t->ids = json_object();
    if (!t->acct_ix || !t->tx_ix || !t->ids) {
        truth_destroy(t);
        return NULL;
    }
    return t;
}

void truth_destroy(truth *t)
{
    if (!t)
        return;
    json_decref(t->acct_ix);
    json_decref(t->tx_ix);
    json_decref(t->ids);
    vec_free(&t->insts);
    vec_free(&t->accts);
    vec_free(&t->links);
    free(t);
}

static inst_rec *inst_at(const truth *t, int64_t i)
{
    return (inst_rec *)t->insts.p + i;
}

static acct_rec *acct_at(const truth *t, int64_t i)
{
    return (acct_rec *)t->accts.p + i;
}

/* The record of an account, created (belonging nowhere) when new. */
static acct_rec *account(truth *t, const char *id)
{
    json_t *ix = json_object_get(t->acct_ix, id);
    if (ix)
        return acct_at(t, json_integer_value(ix));
    acct_rec *a = vec_push(&t->accts, sizeof(*a));
    if (!a || json_object_set_new(t->acct_ix, id, json_integer(t->accts.n - 1)) != 0)
        return NULL;
    a->alike = -1;
    a->links = -1;
    return a;
}

static int link_to(truth *t, acct_rec *a, int64_t inst)
{
    link_rec *l = vec_push(&t->links, sizeof(*l));
    if (!l)
        return -1;
    l->inst = (int32_t)inst;
    l->next = a->links;
    a->links = (int32_t)(t->links.n - 1);
    return 0;
}

/* ---- the truth -------------------------------------------------------------- */

/* What the line says the instance is; NULL, or why it is not a truth line. */
static const char *classify(json_t *line, inst_rec *in)
{
    const char *kind = json_string_value(json_object_get(line, "kind"));
    const char *pattern = json_string_value(json_object_get(line, "pattern"));
    const char *size = json_string_value(json_object_get(line, "size"));
    in->pattern = pattern ? scn_pattern_parse(pattern) : -1;
    in->lookalike = -1;
    if (!kind) {
        in->near = json_is_true(json_object_get(line, "near_miss"));
        return in->pattern < 0 ? "no known pattern" : NULL;
    }
    in->size = size && scn_size_parse(size) > 0 ? (scn_size)scn_size_parse(size) : SCN_SIZE_NONE;
    if (strcmp(kind, "attempt") == 0) {
        in->attempt = 1;
        return in->pattern < 0 || in->size == SCN_SIZE_NONE
                   ? "an attempt needs a pattern and a size"
                   : NULL;
    }
    const char *alike = json_string_value(json_object_get(line, "lookalike"));
    if (strcmp(kind, "lookalike") != 0 || !alike || scn_alike_parse(alike) < 0)
        return "not an attempt or a known look-alike";
    in->lookalike = scn_alike_parse(alike);
    in->pattern = scn_alike_resembles((scn_alike)in->lookalike);
    return NULL;
}

static int add_members(truth *t, const inst_rec *in, int64_t ix, json_t *accounts)
{
    size_t i;
    json_t *m;
    json_array_foreach(accounts, i, m)
    {
        const char *id = json_string_value(json_object_get(m, "account"));
        int flag = json_is_true(json_object_get(m, "flag"));
        acct_rec *a = id ? account(t, id) : NULL;
        if (!a)
            return -1;
        if (in->lookalike >= 0 && a->alike < 0)
            a->alike = (int16_t)in->lookalike;
        if (in->near) {
            a->near = 1;
            continue;
        }
        a->planted |= !in->attempt && in->lookalike < 0;
        a->participant |= in->attempt && !flag;
        if (flag && in->lookalike < 0) {
            a->flagged = 1;
            if (link_to(t, a, ix) != 0)
                return -1;
        }
    }
    return 0;
}

static int add_transfers(truth *t, inst_rec *in, int64_t ix, json_t *transfers)
{
    size_t i;
    json_t *id;
    json_array_foreach(transfers, i, id)
    {
        const char *s = json_string_value(id);
        in->ntx++;
        if (s && !json_object_get(t->tx_ix, s) &&
            json_object_set_new(t->tx_ix, s, json_integer(ix)) != 0)
            return -1;
    }
    return 0;
}

static int64_t time_of(json_t *v)
{
    const char *s = json_string_value(v);
    int64_t ms;
    return s && tf_parse(s, strlen(s), &ms) == 0 ? ms : -1;
}

int truth_add_instance(truth *t, const char *json, size_t len, char *errstr, size_t errstr_size)
{
    json_error_t err;
    json_t *line = json_loadb(json, len, 0, &err);
    inst_rec in = {0};
    const char *why = line ? classify(line, &in) : err.text;
    json_t *accounts = json_object_get(line, "accounts");
    json_t *transfers = json_object_get(line, "transfers");
    in.start_ms = time_of(json_object_get(line, "start"));
    if (!why && (!json_is_array(accounts) || !json_is_array(transfers) || in.start_ms < 0))
        why = "no accounts, transfers or start";
    int rc = -1;
    inst_rec *slot = why ? NULL : vec_push(&t->insts, sizeof(in));
    if (why) {
        snprintf(errstr, errstr_size, "not a truth line: %s", why);
    } else if (slot) {
        in.first_ms = in.first_hold_ms = NEVER;
        *slot = in;
        int64_t ix = t->insts.n - 1;
        rc = add_members(t, &in, ix, accounts) || add_transfers(t, inst_at(t, ix), ix, transfers)
                 ? -1
                 : 0;
        t->realistic |= in.attempt || in.lookalike >= 0;
        t->classic |= !in.attempt && in.lookalike < 0;
    }
    if (rc != 0 && !why)
        snprintf(errstr, errstr_size, "out of memory");
    json_decref(line);
    return rc;
}

int truth_realistic(const truth *t)
{
    return t->realistic;
}

/* ---- the requests ------------------------------------------------------------ */

typedef enum action { ACT_REVIEW, ACT_HOLD, ACT_FREEZE } action;

static int parse_action(const char *s, action *out)
{
    static const char *const names[] = {"REVIEW", "HOLD", "FREEZE"};
    for (int k = 0; s && k < 3; k++)
        if (strcmp(s, names[k]) == 0) {
            *out = (action)k;
            return 0;
        }
    return -1;
}

static truth_code *code_of(truth *t, const char *code)
{
    for (int i = 0; i < t->ncodes; i++)
        if (strcmp(t->codes[i].code, code) == 0)
            return &t->codes[i];
    if (t->ncodes == TRUTH_CODES_MAX)
        return NULL;
    truth_code *c = &t->codes[t->ncodes++];
    memset(c, 0, sizeof(*c));
    snprintf(c->code, sizeof(c->code), "%s", code);
    return c;
}

/* Which of the wrong-account counters a HOLD or FREEZE on `a` goes to
 * (NULL: the account is flagged, the request is right). */
static int64_t *wrong_counter(int64_t *participant, int64_t *lookalike, int64_t *near,
                              int64_t *background, const acct_rec *a)
{
    if (a->flagged)
        return NULL;
    if (a->participant)
        return participant;
    if (a->alike >= 0)
        return lookalike;
    return a->near ? near : background;
}

static void tally_code(truth *t, const char *code, action act, const acct_rec *a)
{
    truth_code *c = code ? code_of(t, code) : NULL;
    if (!c)
        return;
    c->requests++;
    c->classic_right += a->planted;
    c->review += act == ACT_REVIEW;
    c->hold += act == ACT_HOLD;
    c->freeze += act == ACT_FREEZE;
    if (act == ACT_REVIEW)
        return;
    int64_t *w =
        wrong_counter(&c->on_participant, &c->on_lookalike, &c->on_near, &c->on_background, a);
    ++*(w ? w : &c->right);
}

/* Each distinct code of the request's findings, once. */
static void tally_codes(truth *t, json_t *findings, action act, const acct_rec *a)
{
    size_t i;
    json_t *f;
    json_array_foreach(findings, i, f)
    {
        const char *code = json_string_value(json_object_get(f, "code"));
        int seen = 0;
        for (size_t j = 0; code && j < i && !seen; j++) {
            const char *c2 =
                json_string_value(json_object_get(json_array_get(findings, j), "code"));
            seen = c2 && strcmp(c2, code) == 0;
        }
        if (!seen)
            tally_code(t, code, act, a);
    }
}

/* Whether the instance flags the account (is on its list). */
static int flags(const truth *t, const acct_rec *a, int64_t inst)
{
    for (int32_t l = a->links; l >= 0; l = ((const link_rec *)t->links.p)[l].next)
        if (((const link_rec *)t->links.p)[l].inst == inst)
            return 1;
    return 0;
}

/* A cited transfer of an attempt that flags the account catches it. */
static void catch_by(truth *t, const acct_rec *a, const char *id, action act, int64_t at)
{
    json_t *ix = id ? json_object_get(t->tx_ix, id) : NULL;
    if (!ix || !flags(t, a, json_integer_value(ix)))
        return;
    inst_rec *in = inst_at(t, json_integer_value(ix));
    if (!in->attempt)
        return;
    in->caught = 1;
    in->first_ms = at < in->first_ms ? at : in->first_ms;
    if (act != ACT_REVIEW) {
        in->caught_hold = 1;
        in->first_hold_ms = at < in->first_hold_ms ? at : in->first_hold_ms;
    }
}

static void catch_attempts(truth *t, const acct_rec *a, json_t *rq, action act, int64_t at)
{
    json_t *findings = json_object_get(rq, "findings"), *f, *e;
    size_t i, k;
    catch_by(t, a, json_string_value(json_object_get(json_object_get(rq, "trigger"), "id")), act,
             at);
    json_array_foreach(findings, i, f)
    {
        json_array_foreach(json_object_get(f, "evidence"), k, e)
        {
            catch_by(t, a, json_string_value(json_object_get(e, "transfer_id")), act, at);
        }
    }
    /* Classic: any request on a flagged account catches its instances. */
    for (int32_t l = a->links; l >= 0; l = ((const link_rec *)t->links.p)[l].next)
        inst_at(t, ((const link_rec *)t->links.p)[l].inst)->classic_caught = 1;
}

static int judge(truth *t, json_t *rq, const char *acct, action act, int64_t at)
{
    acct_rec *a = account(t, acct);
    if (!a)
        return -1;
    t->requests++;
    t->classic_right += a->planted;
    t->review += act == ACT_REVIEW;
    t->hold += act == ACT_HOLD;
    t->freeze += act == ACT_FREEZE;
    if (act == ACT_REVIEW) {
        a->reviewed = 1;
    } else {
        a->held = 1;
        int64_t *w =
            wrong_counter(&t->hf_participant, &t->hf_lookalike, &t->hf_near, &t->hf_background, a);
        ++*(w ? w : &t->hf_right);
    }
    tally_codes(t, json_object_get(rq, "findings"), act, a);
    catch_attempts(t, a, rq, act, at);
    return 0;
}

int truth_add_request(truth *t, const char *json, size_t len)
{
    json_error_t err;
    json_t *rq = json_loadb(json, len, 0, &err);
    const char *acct = json_string_value(json_object_get(rq, "account"));
    const char *id = json_string_value(json_object_get(rq, "request_id"));
    int64_t at = time_of(json_object_get(json_object_get(rq, "trigger"), "event_time"));
    action act;
    int rc = 1;
    if (acct && id && json_is_array(json_object_get(rq, "findings")) && at >= 0 &&
        parse_action(json_string_value(json_object_get(rq, "action")), &act) == 0) {
        if (json_object_get(t->ids, id))
            t->duplicates++; /* it reached the desk twice: judged twice */
        rc = json_object_set_new(t->ids, id, json_true()) != 0 || judge(t, rq, acct, act, at) != 0
                 ? -1
                 : 0;
    }
    t->unreadable += rc == 1;
    json_decref(rq);
    return rc;
}

/* ---- the measures --------------------------------------------------------------- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The median of n values (the lower one of an even count), -1 for none;
 * sorts v. */
static int64_t median(int64_t *v, int64_t n)
{
    if (n == 0)
        return -1;
    qsort(v, (size_t)n, sizeof(*v), cmp_i64);
    return v[(n - 1) / 2];
}

/* Whether instance `in` belongs to the cell (p, z); classic cells take
 * planted instances of the pattern, z == SCN_SIZE_NONE. */
static int in_cell(const inst_rec *in, int p, int z)
{
    if (in->near || in->lookalike >= 0 || (p >= 0 && in->pattern != p))
        return 0;
    return z < 0 || z == SCN_SIZE_NONE ? 1 : in->attempt && (int)in->size == z;
}

/* The cell (p, z); p < 0 or z < 0: every pattern or size. */
static void cell(const truth *t, int p, int z, truth_cell *out)
{
    int64_t n = t->insts.n, m = 0, mh = 0;
    int64_t *d = malloc((size_t)(n ? n : 1) * sizeof(*d));
    int64_t *dh = malloc((size_t)(n ? n : 1) * sizeof(*dh));
    memset(out, 0, sizeof(*out));
    for (int64_t i = 0; i < n; i++) {
        const inst_rec *in = inst_at(t, i);
        if (!in_cell(in, p, z))
            continue;
        int caught = in->attempt ? in->caught : in->classic_caught;
        if (in->attempt && in->ntx < TRUTH_MIN_TRANSFERS) {
            out->short_attempts++;
            out->short_caught += caught;
            continue;
        }
        out->attempts++;
        out->caught += caught;
        out->caught_hold += in->caught_hold;
        if (in->caught && d)
            d[m++] = in->first_ms - in->start_ms;
        if (in->caught_hold && dh)
            dh[mh++] = in->first_hold_ms - in->start_ms;
    }
    out->median_ms = d ? median(d, m) : -1;
    out->median_hold_ms = dh ? median(dh, mh) : -1;
    free(d);
    free(dh);
}

void truth_cell_get(const truth *t, scn_pattern p, scn_size z, truth_cell *out)
{
    cell(t, (int)p, (int)z, out);
}

int truth_code_count(const truth *t)
{
    return t->ncodes;
}

void truth_code_get(const truth *t, int i, truth_code *out)
{
    *out = t->codes[i];
}

void truth_alike_get(const truth *t, scn_alike k, truth_alike *out)
{
    memset(out, 0, sizeof(*out));
    for (int64_t i = 0; i < t->insts.n; i++)
        out->instances += inst_at(t, i)->lookalike == (int)k;
    for (int64_t i = 0; i < t->accts.n; i++) {
        const acct_rec *a = acct_at(t, i);
        if (a->alike != (int)k || a->flagged)
            continue;
        out->accounts++;
        out->held += a->held;
        out->reviewed += a->reviewed;
    }
}

void truth_totals_get(const truth *t, truth_totals *out)
{
    truth_cell all;
    memset(out, 0, sizeof(*out));
    cell(t, -1, -1, &all);
    for (int64_t i = 0; i < t->insts.n; i++) {
        const inst_rec *in = inst_at(t, i);
        out->attempts += in->attempt;
        out->lookalikes += in->lookalike >= 0;
        out->classic_planted += !in->attempt && in->lookalike < 0 && !in->near;
        out->classic_caught += !in->attempt && in->lookalike < 0 && !in->near && in->classic_caught;
    }
    out->counted = all.attempts - out->classic_planted;
    out->caught = all.caught - out->classic_caught;
    out->caught_hold = all.caught_hold;
    out->median_ms = all.median_ms;
    out->median_hold_ms = all.median_hold_ms;
    out->requests = t->requests;
    out->review = t->review;
    out->hold = t->hold;
    out->freeze = t->freeze;
    out->duplicates = t->duplicates;
    out->unreadable = t->unreadable;
    out->classic_right = t->classic_right;
    out->hf_right = t->hf_right;
    out->hf_participant = t->hf_participant;
    out->hf_lookalike = t->hf_lookalike;
    out->hf_near = t->hf_near;
    out->hf_background = t->hf_background;
    out->accounts = t->population;
    for (int64_t i = 0; i < t->accts.n; i++) {
        const acct_rec *a = acct_at(t, i);
        out->flagged += a->flagged;
        out->innocent_held += a->held && !a->flagged;
        out->innocent_reviewed += a->reviewed && !a->flagged;
    }
    out->innocent = t->population > out->flagged ? t->population - out->flagged : 0;
}

/* ---- the reports ------------------------------------------------------------------ */

/* The reason codes each classic pattern's rule raises (docs/rules.md).
 * chain and chain_slow share the chain rule. */
static const char *const pattern_codes[SCN_TYPOLOGY__COUNT] = {
    [SCN_PASSTHROUGH] = "PT01",
    [SCN_FAN_IN] = "FI01",
    [SCN_FAN_OUT] = "FO01",
    [SCN_SCATTER_GATHER] = "SG01 SG02",
    [SCN_GATHER_SCATTER] = "GS01",
    [SCN_CYCLE] = "CY01",
    [SCN_CHAIN] = "CH01 CH02",
    [SCN_CHAIN_SLOW] = "CH01 CH02",
    [SCN_BIPARTITE] = "BP01",
    [SCN_STACK] = "BP02",
    [SCN_STRUCTURING] = "ST01 ST02",
    [SCN_NEW_ACCOUNT_BURST] = "NB01",
    [SCN_DORMANT_BURST] = "DB01",
    [SCN_WATCHLIST] = "WL01 WL02",
    [SCN_VICTIM_REPORT] = "VR01 VR02",
    [SCN_RANDOM] = "",
};

static double ratio(int64_t a, int64_t b)
{
    return b ? (double)a / (double)b : 1.0;
}

/* Requests and right ones (classic) over the codes of a pattern's rule. */
static void pattern_precision(const truth *t, int p, int64_t *req, int64_t *right)
{
    char codes[32], *save = NULL;
    *req = *right = 0;
    snprintf(codes, sizeof(codes), "%s", pattern_codes[p]);
    for (char *c = strtok_r(codes, " ", &save); c; c = strtok_r(NULL, " ", &save))
        for (int i = 0; i < t->ncodes; i++)
            if (strcmp(t->codes[i].code, c) == 0) {
                *req += t->codes[i].requests;
                *right += t->codes[i].classic_right;
            }
}

static void classic_markdown(const truth *t, FILE *f)
{
    truth_totals tot;
    truth_totals_get(t, &tot);
    fprintf(f, "| pattern | planted | caught | recall | codes | requests citing them | on planted "
               "accounts | precision |\n");
    fprintf(f, "| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |\n");
    for (int p = 0; p < SCN_PATTERN__COUNT; p++) {
        truth_cell c;
        int64_t req, right;
        char prec[16] = "–";
        cell(t, p, SCN_SIZE_NONE, &c);
        pattern_precision(t, p, &req, &right);
        if (req)
            snprintf(prec, sizeof(prec), "%.3f", ratio(right, req));
        fprintf(f, "| %s | %d | %d | %.2f | %s | %" PRId64 " | %" PRId64 " | %s |\n",
                scn_pattern_name((scn_pattern)p), c.attempts, c.caught, ratio(c.caught, c.attempts),
                pattern_codes[p], req, right, prec);
    }
    fprintf(f,
            "| **all** | %d | %d | **%.3f** | | %" PRId64 " requests | %" PRId64 " | **%.3f** |\n",
            tot.classic_planted, tot.classic_caught, ratio(tot.classic_caught, tot.classic_planted),
            tot.requests, tot.classic_right, ratio(tot.classic_right, tot.requests));
}

/* A duration for people: "42 s", "17 min", "5.2 h", "2.6 d"; "–" for none. */
static void put_duration(FILE *f, int64_t ms)
{
    double s = (double)ms / 1000.0;
    if (ms < 0)
        fputs("–", f);
    else if (s < 120)
        fprintf(f, "%.0f s", s);
    else if (s < 7200)
        fprintf(f, "%.0f min", s / 60);
    else if (s < 2 * 86400)
        fprintf(f, "%.1f h", s / 3600);
    else
        fprintf(f, "%.1f d", s / 86400);
}

/* A share of n with two decimals, "–" when n is 0. */
static void put_share(FILE *f, int64_t k, int64_t n)
{
    if (n)
        fprintf(f, "%.2f", ratio(k, n));
    else
        fputs("–", f);
}

static void recall_row(FILE *f, const char *name, const char *size, const truth_cell *c)
{
    fprintf(f, "| %s | %s | %d | %d | ", name, size, c->attempts, c->caught);
    put_share(f, c->caught, c->attempts);
    fprintf(f, " | %d | ", c->caught_hold);
    put_share(f, c->caught_hold, c->attempts);
    fputs(" | ", f);
    put_duration(f, c->median_ms);
    fputs(" | ", f);
    put_duration(f, c->median_hold_ms);
    fprintf(f, " | %d / %d |\n", c->short_caught, c->short_attempts);
}

static void recall_markdown(const truth *t, FILE *f)
{
    fprintf(f,
            "Recall by typology and size class, over the attempts with at least %d transfers "
            "(shorter ones in the last column, caught / attempts, any action):\n\n",
            TRUTH_MIN_TRANSFERS);
    fprintf(f,
            "| typology | size | attempts | caught (any action) | recall | caught (HOLD or "
            "FREEZE) | recall | median to first request | median to first HOLD/FREEZE | "
            "fewer than %d transfers |\n",
            TRUTH_MIN_TRANSFERS);
    fprintf(f, "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (int p = 0; p < SCN_TYPOLOGY__COUNT; p++) {
        if (!scn_pattern_in_profile(SCN_PROFILE_REALISTIC, (scn_pattern)p))
            continue;
        for (int z = SCN_SIZE_SMALL; z < SCN_SIZE__COUNT; z++) {
            truth_cell c;
            cell(t, p, z, &c);
            if (c.attempts || c.short_attempts)
                recall_row(f, scn_pattern_name((scn_pattern)p), scn_size_name((scn_size)z), &c);
        }
    }
    for (int z = SCN_SIZE_SMALL; z < SCN_SIZE__COUNT; z++) {
        truth_cell c;
        cell(t, -1, z, &c);
        recall_row(f, "**all**", scn_size_name((scn_size)z), &c);
    }
    truth_cell all;
    cell(t, -1, -1, &all);
    recall_row(f, "**all**", "**all**", &all);
}

static void precision_markdown(const truth *t, FILE *f)
{
    fprintf(f, "\nHOLD and FREEZE by reason code: right when the account is flagged in an "
               "attempt; wrong on another account of an attempt (a victim, an innocent "
               "counterparty), on a look-alike's account, or on the background:\n\n");
    fprintf(f,
            "| code | REVIEW | HOLD | FREEZE | HOLD/FREEZE right | on attempts' other accounts | "
            "on look-alikes | on the background | precision |\n");
    fprintf(f, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (int i = 0; i < t->ncodes; i++) {
        const truth_code *c = &t->codes[i];
        char prec[16] = "–";
        if (c->hold + c->freeze)
            snprintf(prec, sizeof(prec), "%.3f", ratio(c->right, c->hold + c->freeze));
        fprintf(f,
                "| %s | %" PRId64 " | %" PRId64 " | %" PRId64 " | %" PRId64 " | %" PRId64
                " | %" PRId64 " | %" PRId64 " | %s |\n",
                c->code, c->review, c->hold, c->freeze, c->right, c->on_participant,
                c->on_lookalike, c->on_background, prec);
    }
    truth_totals x;
    truth_totals_get(t, &x);
    fprintf(f,
            "| **all** | %" PRId64 " | %" PRId64 " | %" PRId64 " | %" PRId64 " | %" PRId64
            " | %" PRId64 " | %" PRId64 " | **%.3f** |\n",
            x.review, x.hold, x.freeze, x.hf_right, x.hf_participant, x.hf_lookalike,
            x.hf_background, ratio(x.hf_right, x.hold + x.freeze));
}

static void innocent_markdown(const truth *t, FILE *f)
{
    truth_totals x;
    truth_totals_get(t, &x);
    fprintf(f, "\nInnocent accounts (every account the truth does not flag: the background, "
               "look-alikes, victims):\n\n");
    fprintf(f, "| accounts | flagged in attempts | innocent | with HOLD or FREEZE | per 100,000 | "
               "with REVIEW | of the innocent |\n");
    fprintf(f, "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    if (x.innocent)
        fprintf(f,
                "| %" PRId64 " | %" PRId64 " | %" PRId64 " | %" PRId64 " | %.1f | %" PRId64
                " | %.3f %% |\n",
                x.accounts, x.flagged, x.innocent, x.innocent_held,
                1e5 * ratio(x.innocent_held, x.innocent), x.innocent_reviewed,
                100 * ratio(x.innocent_reviewed, x.innocent));
    else
        fprintf(f, "| – | %" PRId64 " | – | %" PRId64 " | – | %" PRId64 " | – |\n", x.flagged,
                x.innocent_held, x.innocent_reviewed);
    fprintf(f, "\nLook-alikes by kind (their accounts, flag false everywhere):\n\n");
    fprintf(
        f,
        "| look-alike | resembles | instances | accounts | with HOLD or FREEZE | with REVIEW |\n");
    fprintf(f, "| --- | --- | ---: | ---: | ---: | ---: |\n");
    for (int k = 0; k < SCN_ALIKE__COUNT; k++) {
        truth_alike a;
        truth_alike_get(t, (scn_alike)k, &a);
        fprintf(f, "| %s | %s | %d | %" PRId64 " | %" PRId64 " | %" PRId64 " |\n",
                scn_alike_name((scn_alike)k), scn_pattern_name(scn_alike_resembles((scn_alike)k)),
                a.instances, a.accounts, a.held, a.reviewed);
    }
}

void truth_write_markdown(const truth *t, FILE *out)
{
    if (!t->realistic) {
        classic_markdown(t, out);
        return;
    }
    recall_markdown(t, out);
    precision_markdown(t, out);
    innocent_markdown(t, out);
}

/* The weakest code by precision (classic: all requests; realistic: HOLD
 * and FREEZE): the first of the lowest, "-" and 1 when no code was cited. */
static const char *worst_code(const truth *t, double *worst)
{
    const char *name = "-";
    *worst = 2.0;
    for (int i = 0; i < t->ncodes; i++) {
        const truth_code *c = &t->codes[i];
        int64_t n = t->realistic ? c->hold + c->freeze : c->requests;
        double pr = ratio(t->realistic ? c->right : c->classic_right, n);
        if (n && pr < *worst) {
            *worst = pr;
            name = c->code;
        }
    }
    *worst = *worst > 1.0 ? 1.0 : *worst;
    return name;
}

static void classic_summary(const truth *t, FILE *out)
{
    truth_totals x;
    double worst_r = 2, worst_p;
    const char *worst_rp = "-";
    truth_totals_get(t, &x);
    for (int p = 0; p < SCN_PATTERN__COUNT; p++) {
        truth_cell c;
        cell(t, p, SCN_SIZE_NONE, &c);
        if (c.attempts && ratio(c.caught, c.attempts) < worst_r) {
            worst_r = ratio(c.caught, c.attempts);
            worst_rp = scn_pattern_name((scn_pattern)p);
        }
    }
    const char *worst_pc = worst_code(t, &worst_p);
    fprintf(out, "planted %d\n", x.classic_planted);
    fprintf(out, "caught %d\n", x.classic_caught);
    fprintf(out, "recall %.3f\n", ratio(x.classic_caught, x.classic_planted));
    fprintf(out, "requests %" PRId64 "\n", x.requests);
    fprintf(out, "right %" PRId64 "\n", x.classic_right);
    fprintf(out, "precision %.3f\n", ratio(x.classic_right, x.requests));
    fprintf(out, "duplicates %" PRId64 "\n", x.duplicates);
    fprintf(out, "unreadable %" PRId64 "\n", x.unreadable);
    fprintf(out, "worst_recall %.3f\n", worst_r > 1 ? 1.0 : worst_r);
    fprintf(out, "worst_recall_pattern %s\n", worst_rp);
    fprintf(out, "worst_precision %.3f\n", worst_p);
    fprintf(out, "worst_precision_code %s\n", worst_pc);
}

/* The weakest typology and size cell with attempts, by recall. */
static void worst_cell(const truth *t, int hold, double *worst, char *name, size_t size)
{
    *worst = 1.0;
    snprintf(name, size, "-");
    for (int p = 0; p < SCN_TYPOLOGY__COUNT; p++)
        for (int z = SCN_SIZE_SMALL; z < SCN_SIZE__COUNT; z++) {
            truth_cell c;
            cell(t, p, z, &c);
            double r = ratio(hold ? c.caught_hold : c.caught, c.attempts);
            if (c.attempts && r < *worst) {
                *worst = r;
                snprintf(name, size, "%s/%s", scn_pattern_name((scn_pattern)p),
                         scn_size_name((scn_size)z));
            }
        }
}

static void realistic_summary(const truth *t, FILE *out)
{
    truth_totals x;
    double wr, wh, wp;
    char cr[48], ch[48];
    truth_totals_get(t, &x);
    worst_cell(t, 0, &wr, cr, sizeof(cr));
    worst_cell(t, 1, &wh, ch, sizeof(ch));
    const char *wc = worst_code(t, &wp);
    int64_t hf = x.hold + x.freeze;
    fprintf(out, "profile realistic\n");
    fprintf(out, "attempts %d\n", x.attempts);
    fprintf(out, "counted %d\n", x.counted);
    fprintf(out, "planted %d\n", x.counted);
    fprintf(out, "caught %d\n", x.caught);
    fprintf(out, "recall %.3f\n", ratio(x.caught, x.counted));
    fprintf(out, "caught_hold %d\n", x.caught_hold);
    fprintf(out, "recall_hold %.3f\n", ratio(x.caught_hold, x.counted));
    fprintf(out, "worst_cell_recall %.3f\n", wr);
    fprintf(out, "worst_cell %s\n", cr);
    fprintf(out, "worst_cell_recall_hold %.3f\n", wh);
    fprintf(out, "worst_cell_hold %s\n", ch);
    fprintf(out, "lookalikes %d\n", x.lookalikes);
    fprintf(out, "requests %" PRId64 "\n", x.requests);
    fprintf(out, "review %" PRId64 "\n", x.review);
    fprintf(out, "hold %" PRId64 "\n", x.hold);
    fprintf(out, "freeze %" PRId64 "\n", x.freeze);
    fprintf(out, "right %" PRId64 "\n", x.hf_right);
    fprintf(out, "precision %.3f\n", ratio(x.hf_right, hf));
    fprintf(out, "on_participants %" PRId64 "\n", x.hf_participant);
    fprintf(out, "on_lookalikes %" PRId64 "\n", x.hf_lookalike);
    fprintf(out, "on_background %" PRId64 "\n", x.hf_background);
    fprintf(out, "worst_precision %.3f\n", wp);
    fprintf(out, "worst_precision_code %s\n", wc);
    fprintf(out, "innocent %" PRId64 "\n", x.innocent);
    fprintf(out, "innocent_held %" PRId64 "\n", x.innocent_held);
    fprintf(out, "innocent_reviewed %" PRId64 "\n", x.innocent_reviewed);
    if (x.innocent) {
        fprintf(out, "false_hold_per_100k %.1f\n", 1e5 * ratio(x.innocent_held, x.innocent));
        fprintf(out, "review_pct %.3f\n", 100 * ratio(x.innocent_reviewed, x.innocent));
    } else {
        fprintf(out, "false_hold_per_100k -\nreview_pct -\n");
    }
    fprintf(out, "median_first_request_s %.0f\n", x.median_ms < 0 ? -1.0 : x.median_ms / 1000.0);
    fprintf(out, "median_first_hold_s %.0f\n",
            x.median_hold_ms < 0 ? -1.0 : x.median_hold_ms / 1000.0);
    fprintf(out, "duplicates %" PRId64 "\n", x.duplicates);
    fprintf(out, "unreadable %" PRId64 "\n", x.unreadable);
}

void truth_write_summary(const truth *t, FILE *out)
{
    if (t->realistic)
        realistic_summary(t, out);
    else
        classic_summary(t, out);
}
