/* test_scenario.c - the load generator's stream model: determinism, a valid
 * stream, every ground-truth instance checked against the stream itself, the
 * classic profile byte for byte as it was, and the realistic profile's
 * attempts and look-alikes as docs/generator.md describes them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "decode.h"
#include "encode.h"
#include "hash.h"
#include "scenario.h"
#include "timefmt.h"

#define NOW_MS   1795435200000LL /* 2026-11-23T12:00:00Z */
#define MIN_MS   60000LL
#define HOUR_MS  3600000LL
#define DAY_MS   86400000LL
#define ACCT_LEN (IX_ACCOUNT_MAX + 1)
#define MEMBERS  192
#define INST_TXS 512

/* ---- generating a world ------------------------------------------------ */

/* interdict-gen's files, one record and a newline each. */
enum { OUT_ACCOUNTS, OUT_WATCHLIST, OUT_TRANSFERS, OUT_REPORTS, OUT_TRUTH, OUT__COUNT };

/* Everything one scenario produced, decoded back from its wire form. */
typedef struct world {
    scn_opts o;
    int64_t start, end;
    ix_transfer *tx; /* indexed by stream position = id number */
    int64_t ntx;
    ix_report *rep;
    int64_t nrep;
    ix_account *acct; /* indexed by population index */
    int64_t nacct;
    int64_t *by_id; /* account indices sorted by account id */
    ix_watch *watch;
    int64_t nwatch;
    char *truth;
    size_t truth_len;
    scn_stats st;
    uint64_t digest;           /* FNV-1a over every byte written */
    uint64_t file[OUT__COUNT]; /* FNV-1a of each file interdict-gen would write */
} world;

static int cmp_by_id(const void *a, const void *b, void *arg)
{
    const world *w = arg;
    return strcmp(w->acct[*(const int64_t *)a].account, w->acct[*(const int64_t *)b].account);
}

static void opts_small(scn_opts *o, uint64_t seed)
{
    scn_opts_default(o);
    o->seed = seed;
    o->accounts = 8000;
    o->transfers = 80000;
    o->now_ms = NOW_MS;
    o->duration_ms = 5 * DAY_MS; /* long enough for every near miss, chain_slow's too */
    o->near_misses = 1;
    for (int p = 0; p < SCN_PATTERN__COUNT; p++)
        o->count[p] = 4;
}

static void digest(world *w, int out, const char *buf, int len)
{
    assert_true(len > 0);
    w->digest = hash_fnv1a64(w->digest, buf, (size_t)len);
    w->file[out] = hash_fnv1a64(hash_fnv1a64(w->file[out], buf, (size_t)len), "\n", 1);
}

static void read_tables(world *w, scn *s)
{
    char buf[ENC_RECORD_MAX];
    w->nacct = scn_accounts(s);
    w->acct = calloc((size_t)w->nacct, sizeof(*w->acct));
    w->by_id = calloc((size_t)w->nacct, sizeof(*w->by_id));
    assert_non_null(w->acct);
    assert_non_null(w->by_id);
    for (int64_t i = 0; i < w->nacct; i++) {
        ix_account a, back;
        scn_profile(s, i, &a);
        int n = enc_account(&a, buf, sizeof(buf));
        digest(w, OUT_ACCOUNTS, buf, n);
        assert_int_equal(dec_account(buf, (size_t)n, NULL, &back, NULL), RSN_OK);
        assert_memory_equal(&a, &back, sizeof(a));
        w->acct[i] = a;
        w->by_id[i] = i;
    }
    qsort_r(w->by_id, (size_t)w->nacct, sizeof(int64_t), cmp_by_id, w);
    w->nwatch = scn_watch_count(s);
    w->watch = calloc((size_t)(w->nwatch + 1), sizeof(*w->watch));
    for (int64_t i = 0; i < w->nwatch; i++) {
        ix_watch back;
        scn_watch(s, i, &w->watch[i]);
        int n = enc_watch(&w->watch[i], buf, sizeof(buf));
        digest(w, OUT_WATCHLIST, buf, n);
        assert_int_equal(dec_watch(buf, (size_t)n, NULL, &back, NULL), RSN_OK);
    }
}

/* Each record goes through the wire and the strict decoder, with the
 * screener's event-time limits relative to the end of the timeline. */
static void take_event(world *w, const scn_event *ev)
{
    char buf[ENC_RECORD_MAX];
    dec_limits lim;
    dec_limits_default(&lim);
    lim.now_ms = w->end;
    dec_error err;
    if (ev->kind == SCN_EVENT_REPORT) {
        int n = enc_report(&ev->report, buf, sizeof(buf));
        digest(w, OUT_REPORTS, buf, n);
        assert_true(w->nrep < 4096);
        assert_int_equal(dec_report(buf, (size_t)n, &lim, &w->rep[w->nrep], &err), RSN_OK);
        assert_memory_equal(&w->rep[w->nrep], &ev->report, sizeof(ix_report));
        w->nrep++;
        return;
    }
    int n = enc_transfer(&ev->transfer, buf, sizeof(buf));
    digest(w, OUT_TRANSFERS, buf, n);
    assert_true(w->ntx < w->o.transfers);
    ix_transfer *t = &w->tx[w->ntx];
    if (dec_transfer(buf, (size_t)n, &lim, t, &err) != RSN_OK)
        fail_msg("transfer %lld does not decode: %s", (long long)w->ntx, err.detail);
    assert_memory_equal(t, &ev->transfer, sizeof(*t));
    w->ntx++;
}

static void world_make(world *w, const scn_opts *o)
{
    char errstr[256];
    scn *s = NULL;
    memset(w, 0, sizeof(*w));
    w->o = *o;
    w->digest = HASH_FNV64_INIT;
    for (int k = 0; k < OUT__COUNT; k++)
        w->file[k] = HASH_FNV64_INIT;
    if (scn_new(o, &s, errstr, sizeof(errstr)) != 0)
        fail_msg("scn_new: %s", errstr);
    w->start = scn_start_ms(s);
    w->end = scn_end_ms(s);
    w->tx = calloc((size_t)o->transfers + 1, sizeof(*w->tx));
    w->rep = calloc(4096, sizeof(*w->rep));
    assert_non_null(w->tx);
    read_tables(w, s);
    scn_event ev;
    int rc;
    while ((rc = scn_next(s, &ev, errstr, sizeof(errstr))) == 1)
        take_event(w, &ev);
    assert_int_equal(rc, 0);
    FILE *f = open_memstream(&w->truth, &w->truth_len);
    assert_non_null(f);
    for (int64_t k = 0; k < scn_instance_count(s); k++)
        assert_int_equal(scn_truth_write(s, k, f, errstr, sizeof(errstr)), 0);
    fclose(f);
    w->digest = hash_fnv1a64(w->digest, w->truth, w->truth_len);
    w->file[OUT_TRUTH] = hash_fnv1a64(w->file[OUT_TRUTH], w->truth, w->truth_len);
    scn_get_stats(s, &w->st);
    scn_destroy(s);
}

static void world_free(world *w)
{
    free(w->tx);
    free(w->rep);
    free(w->acct);
    free(w->by_id);
    free(w->watch);
    free(w->truth);
}

static const ix_account *find_account(const world *w, const char *id)
{
    int64_t lo = 0, hi = w->nacct - 1;
    while (lo <= hi) {
        int64_t mid = (lo + hi) / 2;
        int c = strcmp(w->acct[w->by_id[mid]].account, id);
        if (c == 0)
            return &w->acct[w->by_id[mid]];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

static int64_t account_pos(const world *w, const char *id)
{
    const ix_account *a = find_account(w, id);
    return a ? a - w->acct : -1;
}

/* ---- one instance of the ground truth ----------------------------------- */

typedef struct member {
    char account[ACCT_LEN];
    char role[32];
    int flag;
    int64_t expected;
} member;

typedef struct inst {
    char pattern[32], name[48], violates[64], report_id[32];
    char kind[16], lookalike[32], resembles[32], size[16], speed[16]; /* realistic */
    int degree;
    int near;
    member m[MEMBERS];
    int nm;
    const ix_transfer *t[INST_TXS]; /* the instance's transfers, in stream order */
    int nt;
    int64_t start, end;
} inst;

#define CHECK(in, cond)                                                                            \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fail_msg("%s: %s (line %d)", (in)->name, #cond, __LINE__);                             \
    } while (0)

static int64_t parse_time(const char *s)
{
    int64_t ms = 0;
    assert_non_null(s);
    assert_int_equal(tf_parse(s, strlen(s), &ms), 0);
    return ms;
}

static void parse_members(inst *in, json_t *accounts)
{
    size_t k;
    json_t *a;
    json_array_foreach(accounts, k, a)
    {
        assert_true(in->nm < MEMBERS);
        member *m = &in->m[in->nm++];
        snprintf(m->account, sizeof(m->account), "%s",
                 json_string_value(json_object_get(a, "account")));
        snprintf(m->role, sizeof(m->role), "%s", json_string_value(json_object_get(a, "role")));
        m->flag = json_is_true(json_object_get(a, "flag"));
        json_t *e = json_object_get(a, "expected_amount");
        m->expected = e ? json_integer_value(e) : -1;
    }
}

/* A string member of j, "" when absent. */
static void get_str(json_t *j, const char *key, char *out, size_t size)
{
    const char *v = json_string_value(json_object_get(j, key));
    snprintf(out, size, "%s", v ? v : "");
}

static void parse_inst(const world *w, json_t *j, inst *in)
{
    memset(in, 0, sizeof(*in));
    get_str(j, "pattern", in->pattern, sizeof(in->pattern));
    get_str(j, "kind", in->kind, sizeof(in->kind));
    get_str(j, "lookalike", in->lookalike, sizeof(in->lookalike));
    get_str(j, "resembles", in->resembles, sizeof(in->resembles));
    get_str(j, "size", in->size, sizeof(in->size));
    get_str(j, "speed", in->speed, sizeof(in->speed));
    in->degree = (int)json_integer_value(json_object_get(j, "degree"));
    snprintf(in->name, sizeof(in->name), "%s", json_string_value(json_object_get(j, "instance")));
    in->near = json_is_true(json_object_get(j, "near_miss"));
    json_t *v = json_object_get(j, "violates");
    snprintf(in->violates, sizeof(in->violates), "%s", v ? json_string_value(v) : "");
    if (v) { /* the bound missed, as configured */
        int p = scn_param_find(in->violates);
        CHECK(in, p >= 0 && json_integer_value(json_object_get(j, "limit")) == w->o.param[p]);
    }
    json_t *r = json_object_get(j, "report_id");
    snprintf(in->report_id, sizeof(in->report_id), "%s", r ? json_string_value(r) : "");
    parse_members(in, json_object_get(j, "accounts"));
    size_t k;
    json_t *id;
    json_array_foreach(json_object_get(j, "transfers"), k, id)
    {
        const char *s = json_string_value(id);
        assert_true(in->nt < INST_TXS);
        assert_true(s && s[0] == 'T');
        long long seq = atoll(s + 1);
        CHECK(in, seq >= 0 && seq < w->ntx && strcmp(w->tx[seq].id, s) == 0);
        in->t[in->nt++] = &w->tx[seq];
    }
    in->start = parse_time(json_string_value(json_object_get(j, "start")));
    in->end = parse_time(json_string_value(json_object_get(j, "end")));
}

static const member *member_of(const inst *in, const char *account)
{
    for (int k = 0; k < in->nm; k++)
        if (strcmp(in->m[k].account, account) == 0)
            return &in->m[k];
    return NULL;
}

static int has_role(const inst *in, const char *account, const char *role)
{
    const member *m = member_of(in, account);
    return m && strcmp(m->role, role) == 0;
}

/* The accounts in a role, in truth order. */
static int role_list(const inst *in, const char *role, const char **out)
{
    int n = 0;
    for (int k = 0; k < in->nm; k++)
        if (strcmp(in->m[k].role, role) == 0)
            out[n++] = in->m[k].account;
    return n;
}

static const char *the(const inst *in, const char *role)
{
    const char *one[MEMBERS];
    CHECK(in, role_list(in, role, one) == 1);
    return one[0];
}

static int64_t P(const world *w, scn_param p)
{
    return w->o.param[p];
}

/* Distinct counterparties of `acct` in the whole stream within [t0, t1]:
 * senders to it (incoming) or receivers from it. */
static int distinct_peers(const world *w, const char *acct, int incoming, int64_t t0, int64_t t1)
{
    const char *seen[4096];
    int n = 0;
    for (int64_t k = 0; k < w->ntx; k++) {
        const ix_transfer *t = &w->tx[k];
        if (t->event_time_ms < t0 || t->event_time_ms > t1)
            continue;
        const char *self = incoming ? t->to_account : t->from_account;
        const char *peer = incoming ? t->from_account : t->to_account;
        if (strcmp(self, acct) != 0)
            continue;
        int dup = 0;
        for (int i = 0; i < n && !dup; i++)
            dup = strcmp(seen[i], peer) == 0;
        if (!dup && n < 4096)
            seen[n++] = peer;
    }
    return n;
}

/* Transfers of the whole stream touching acct (from, to, or either). */
static int count_touching(const world *w, const char *acct, int from, int to)
{
    int n = 0;
    for (int64_t k = 0; k < w->ntx; k++)
        n += (from && strcmp(w->tx[k].from_account, acct) == 0) ||
             (to && strcmp(w->tx[k].to_account, acct) == 0);
    return n;
}

static int within_share(int64_t part, int64_t whole, int64_t lo, int64_t hi)
{
    return part * 1000 >= whole * lo && part * 1000 <= whole * hi;
}

/* ---- pattern properties -------------------------------------------------- */

static void check_passthrough(const world *w, const inst *in)
{
    const char *mule = the(in, "mule");
    int64_t in_sum = 0, out_sum = 0, first_in = INT64_MAX, last_in = 0, early = INT64_MAX;
    int nin = 0, nout = 0;
    int64_t late = 0;
    for (int k = 0; k < in->nt; k++) {
        const ix_transfer *t = in->t[k];
        if (strcmp(t->to_account, mule) == 0) {
            CHECK(in, has_role(in, t->from_account, "victim"));
            nin++;
            in_sum += t->amount;
            first_in = t->event_time_ms < first_in ? t->event_time_ms : first_in;
            last_in = t->event_time_ms > last_in ? t->event_time_ms : last_in;
        } else {
            CHECK(in, strcmp(t->from_account, mule) == 0 && has_role(in, t->to_account, "onward"));
            nout++;
            out_sum += t->amount;
            early = t->event_time_ms < early ? t->event_time_ms : early;
            late = t->event_time_ms > late ? t->event_time_ms : late;
        }
    }
    CHECK(in, count_touching(w, mule, 1, 1) == in->nt);
    CHECK(in, nin >= P(w, SCN_PT_VICTIMS_MIN) && nin <= P(w, SCN_PT_VICTIMS_MAX));
    CHECK(in, nout >= P(w, SCN_PT_ONWARD_MIN) && nout <= P(w, SCN_PT_ONWARD_MAX));
    CHECK(in, in_sum >= P(w, SCN_PT_AMOUNT_MIN) && in_sum <= P(w, SCN_PT_AMOUNT_MAX));
    CHECK(in, within_share(out_sum, in_sum, P(w, SCN_PT_FORWARD_MIN), P(w, SCN_PT_FORWARD_MAX)));
    CHECK(in, early - last_in >= P(w, SCN_PT_DELAY_MIN));
    if (in->near)
        CHECK(in, early - last_in > P(w, SCN_PT_DELAY_MAX));
    else
        CHECK(in, late - first_in <= P(w, SCN_PT_DELAY_MAX));
}

/* Fan-in and fan-out: distinct counterparties within the instance window,
 * counted over the whole stream. */
static void check_fan(const world *w, const inst *in, int incoming)
{
    const char *hub = the(in, incoming ? "collector" : "payer");
    scn_param nmin = incoming ? SCN_FI_SENDERS_MIN : SCN_FO_RECEIVERS_MIN;
    scn_param nmax = incoming ? SCN_FI_SENDERS_MAX : SCN_FO_RECEIVERS_MAX;
    scn_param wmin = incoming ? SCN_FI_WINDOW_MIN : SCN_FO_WINDOW_MIN;
    scn_param wmax = incoming ? SCN_FI_WINDOW_MAX : SCN_FO_WINDOW_MAX;
    scn_param amin = incoming ? SCN_FI_AMOUNT_MIN : SCN_FO_AMOUNT_MIN;
    scn_param amax = incoming ? SCN_FI_AMOUNT_MAX : SCN_FO_AMOUNT_MAX;
    int n = distinct_peers(w, hub, incoming, in->start, in->end);
    CHECK(in, count_touching(w, hub, 1, 1) == in->nt);
    if (in->near)
        CHECK(in, n == P(w, nmin) - 1);
    else
        CHECK(in, n >= P(w, nmin) && n <= P(w, nmax));
    if (n > 1)
        CHECK(in, in->end - in->start >= P(w, wmin) && in->end - in->start <= P(w, wmax));
    for (int k = 0; k < in->nt; k++) {
        const ix_transfer *t = in->t[k];
        const char *peer = incoming ? t->from_account : t->to_account;
        CHECK(in, strcmp(incoming ? t->to_account : t->from_account, hub) == 0);
        CHECK(in, find_account(w, peer)->holder_type == IX_HOLDER_PERSON);
        CHECK(in, t->amount >= P(w, amin) && t->amount <= P(w, amax));
    }
}

static void check_scatter_gather(const world *w, const inst *in)
{
    const char *mids[MEMBERS], *src = the(in, "source"), *sink = the(in, "sink");
    int m = role_list(in, "intermediary", mids);
    int64_t first = INT64_MAX, total = 0;
    for (int i = 0; i < m; i++) {
        const ix_transfer *a = NULL, *b = NULL;
        CHECK(in, count_touching(w, mids[i], 1, 1) == 2);
        for (int k = 0; k < in->nt; k++) {
            if (strcmp(in->t[k]->to_account, mids[i]) == 0)
                a = in->t[k];
            if (strcmp(in->t[k]->from_account, mids[i]) == 0)
                b = in->t[k];
        }
        CHECK(in, a && b && strcmp(a->from_account, src) == 0 && strcmp(b->to_account, sink) == 0);
        CHECK(in, within_share(b->amount, a->amount, P(w, SCN_SG_FORWARD_MIN),
                               P(w, SCN_SG_FORWARD_MAX)));
        int64_t d = b->event_time_ms - a->event_time_ms;
        CHECK(in, d >= P(w, SCN_SG_DELAY_MIN) && d <= P(w, SCN_SG_DELAY_MAX));
        first = a->event_time_ms < first ? a->event_time_ms : first;
        total += a->amount;
    }
    for (int k = 0; k < in->nt; k++)
        if (strcmp(in->t[k]->from_account, src) == 0)
            CHECK(in, in->t[k]->event_time_ms - first <= P(w, SCN_SG_SPLIT_WINDOW));
    CHECK(in, total >= P(w, SCN_SG_AMOUNT_MIN) && total <= P(w, SCN_SG_AMOUNT_MAX));
    if (in->near)
        CHECK(in, m == P(w, SCN_SG_MIDS_MIN) - 1);
    else
        CHECK(in, m >= P(w, SCN_SG_MIDS_MIN) && m <= P(w, SCN_SG_MIDS_MAX));
}

static void check_gather_scatter(const world *w, const inst *in)
{
    const char *hub = the(in, "hub");
    int64_t in_sum = 0, out_sum = 0, first_in = INT64_MAX, last_in = 0;
    int nin = distinct_peers(w, hub, 1, w->start, w->end);
    int nout = distinct_peers(w, hub, 0, w->start, w->end);
    for (int k = 0; k < in->nt; k++) {
        const ix_transfer *t = in->t[k];
        if (strcmp(t->to_account, hub) == 0) {
            in_sum += t->amount;
            first_in = t->event_time_ms < first_in ? t->event_time_ms : first_in;
            last_in = t->event_time_ms > last_in ? t->event_time_ms : last_in;
        } else {
            out_sum += t->amount;
        }
    }
    for (int k = 0; k < in->nt; k++) {
        int64_t d = in->t[k]->event_time_ms - last_in;
        if (strcmp(in->t[k]->from_account, hub) == 0)
            CHECK(in, d >= P(w, SCN_GS_DELAY_MIN) && d <= P(w, SCN_GS_DELAY_MAX));
    }
    CHECK(in, last_in - first_in <= P(w, SCN_GS_COLLECT_WINDOW));
    CHECK(in, within_share(out_sum, in_sum, P(w, SCN_GS_FORWARD_MIN), P(w, SCN_GS_FORWARD_MAX)));
    CHECK(in, nout >= P(w, SCN_GS_RECEIVERS_MIN) && nout <= P(w, SCN_GS_RECEIVERS_MAX));
    if (in->near)
        CHECK(in, nin == P(w, SCN_GS_SENDERS_MIN) - 1);
    else
        CHECK(in, nin >= P(w, SCN_GS_SENDERS_MIN) && nin <= P(w, SCN_GS_SENDERS_MAX));
}

/* A path of transfers: each starts where the previous ended. Returns the
 * number of hops whose amount kept less than `keep_min` of the previous
 * one, and checks the others against [keep_min, keep_max]. */
static int check_path(const inst *in, int64_t keep_min, int64_t keep_max)
{
    int below = 0;
    for (int k = 1; k < in->nt; k++) {
        const ix_transfer *a = in->t[k - 1], *b = in->t[k];
        CHECK(in, strcmp(a->to_account, b->from_account) == 0);
        CHECK(in, b->event_time_ms > a->event_time_ms);
        if (b->amount * 1000 < a->amount * keep_min)
            below++;
        else
            CHECK(in, b->amount * 1000 <= a->amount * keep_max);
    }
    return below;
}

/* Gaps between consecutive hops: how many exceed `over`, all checked
 * against [lo, hi] except those over `hi` (returned in *beyond). */
static int gaps_over(const inst *in, int64_t lo, int64_t hi, int64_t over, int *beyond)
{
    int n = 0;
    *beyond = 0;
    for (int k = 1; k < in->nt; k++) {
        int64_t g = in->t[k]->event_time_ms - in->t[k - 1]->event_time_ms;
        CHECK(in, g >= lo);
        *beyond += g > hi;
        n += g > over;
    }
    return n;
}

static void check_cycle(const world *w, const inst *in)
{
    int beyond;
    CHECK(in, strcmp(in->t[in->nt - 1]->to_account, in->t[0]->from_account) == 0);
    int below = check_path(in, P(w, SCN_CY_KEEP_MIN), 999);
    gaps_over(in, P(w, SCN_CY_GAP_MIN), P(w, SCN_CY_GAP_MAX), 0, &beyond);
    CHECK(in, beyond == 0);
    CHECK(in, in->end - in->start <= P(w, SCN_CY_SPAN_MAX));
    CHECK(in, in->nt >= P(w, SCN_CY_HOPS_MIN) && in->nt <= P(w, SCN_CY_HOPS_MAX));
    for (int k = 0; k < in->nt; k++)
        CHECK(in, count_touching(w, in->t[k]->from_account, 1, 1) == 2);
    CHECK(in, below == (in->near ? 1 : 0));
}

static void check_chain(const world *w, const inst *in, int slow)
{
    scn_param hmin = slow ? SCN_CS_HOPS_MIN : SCN_CH_HOPS_MIN;
    scn_param hmax = slow ? SCN_CS_HOPS_MAX : SCN_CH_HOPS_MAX;
    int64_t gmin = P(w, slow ? SCN_CS_GAP_MIN : SCN_CH_GAP_MIN);
    int64_t gmax = P(w, slow ? SCN_CS_GAP_MAX : SCN_CH_GAP_MAX);
    int64_t kmin = P(w, slow ? SCN_CS_KEEP_MIN : SCN_CH_KEEP_MIN);
    int64_t kmax = P(w, slow ? SCN_CS_KEEP_MAX : SCN_CH_KEEP_MAX);
    int beyond;
    CHECK(in, strcmp(in->t[0]->from_account, the(in, "origin")) == 0);
    CHECK(in, strcmp(in->t[in->nt - 1]->to_account, the(in, "end")) == 0);
    CHECK(in, in->nt >= P(w, hmin) && in->nt <= P(w, hmax));
    int below = check_path(in, kmin, kmax);
    int slow_gaps = gaps_over(in, gmin, gmax, P(w, SCN_CH_GAP_MAX), &beyond);
    for (int k = 0; k < in->nm; k++)
        CHECK(in, in->m[k].flag == (!in->near && strcmp(in->m[k].role, "origin") != 0));
    if (slow) {
        CHECK(in, below == 0);
        CHECK(in, slow_gaps >= 1);
        CHECK(in, beyond == (in->near ? 1 : 0));
    } else {
        CHECK(in, beyond == 0);
        CHECK(in, below == (in->near ? 1 : 0));
    }
}

/* Transfers from the `from` group to the `to` group: density and window. */
static void check_layer(const inst *in, const char **from, int nf, const char **to, int nt,
                        int64_t density, int expect_dense, int64_t *t0, int64_t *t1)
{
    uint8_t pair[32 * 32] = {0};
    int pairs = 0;
    *t0 = INT64_MAX;
    *t1 = 0;
    for (int k = 0; k < in->nt; k++) {
        const ix_transfer *t = in->t[k];
        int i = -1, j = -1;
        for (int a = 0; a < nf; a++)
            i = strcmp(t->from_account, from[a]) == 0 ? a : i;
        for (int b = 0; b < nt; b++)
            j = strcmp(t->to_account, to[b]) == 0 ? b : j;
        if (i < 0 || j < 0)
            continue;
        pairs += !pair[i * nt + j];
        pair[i * nt + j] = 1;
        *t0 = t->event_time_ms < *t0 ? t->event_time_ms : *t0;
        *t1 = t->event_time_ms > *t1 ? t->event_time_ms : *t1;
    }
    for (int i = 0; i < nf; i++) { /* everyone takes part */
        int any = 0;
        for (int j = 0; j < nt; j++)
            any |= pair[i * nt + j];
        CHECK(in, any);
    }
    CHECK(in, ((int64_t)pairs * 1000 >= density * nf * nt) == expect_dense);
}

static void check_bipartite(const world *w, const inst *in)
{
    const char *snd[MEMBERS], *rcv[MEMBERS];
    int ns = role_list(in, "sender", snd), nr = role_list(in, "receiver", rcv);
    int64_t t0, t1;
    CHECK(in, ns >= P(w, SCN_BP_SENDERS_MIN) && ns <= P(w, SCN_BP_SENDERS_MAX));
    CHECK(in, nr >= P(w, SCN_BP_RECEIVERS_MIN) && nr <= P(w, SCN_BP_RECEIVERS_MAX));
    check_layer(in, snd, ns, rcv, nr, P(w, SCN_BP_DENSITY_MIN), !in->near, &t0, &t1);
    CHECK(in, t1 - t0 >= P(w, SCN_BP_WINDOW_MIN) && t1 - t0 <= P(w, SCN_BP_WINDOW_MAX));
    if (in->near)
        CHECK(in, ns == P(w, SCN_BP_SENDERS_MIN) && nr == P(w, SCN_BP_RECEIVERS_MIN));
}

static void check_stack(const world *w, const inst *in)
{
    const char *tier[8][MEMBERS];
    int size[8], tiers = 0;
    int64_t prev_end = INT64_MIN;
    for (; tiers < 8; tiers++) {
        char role[16];
        snprintf(role, sizeof(role), "tier%d", tiers);
        if ((size[tiers] = role_list(in, role, tier[tiers])) == 0)
            break;
    }
    CHECK(in, tiers - 1 >= P(w, SCN_ST_LAYERS_MIN) && tiers - 1 <= P(w, SCN_ST_LAYERS_MAX));
    for (int l = 0; l + 1 < tiers; l++) {
        int64_t t0, t1;
        check_layer(in, tier[l], size[l], tier[l + 1], size[l + 1], P(w, SCN_ST_DENSITY_MIN), 1,
                    &t0, &t1);
        CHECK(in, t0 > prev_end && t1 - t0 <= P(w, SCN_ST_WINDOW_MAX));
        prev_end = t1;
    }
}

static void check_structuring(const world *w, const inst *in)
{
    const char *a = the(in, "structurer");
    int64_t thr = w->o.threshold;
    int out = strcmp(in->t[0]->from_account, a) == 0;
    for (int k = 0; k < in->nt; k++) {
        const ix_transfer *t = in->t[k];
        CHECK(in, strcmp(out ? t->from_account : t->to_account, a) == 0);
        CHECK(in, t->amount * 1000 >= thr * P(w, SCN_SR_BAND_MIN));
        CHECK(in, t->amount * 1000 < thr * P(w, SCN_SR_BAND_MAX));
    }
    CHECK(in, count_touching(w, a, 1, 1) == in->nt);
    if (in->nt > 1)
        CHECK(in, in->end - in->start >= P(w, SCN_SR_WINDOW_MIN) &&
                      in->end - in->start <= P(w, SCN_SR_WINDOW_MAX));
    if (in->near)
        CHECK(in, in->nt == P(w, SCN_SR_COUNT_MIN) - 1);
    else
        CHECK(in, in->nt >= P(w, SCN_SR_COUNT_MIN) && in->nt <= P(w, SCN_SR_COUNT_MAX));
}

static void check_burst(const world *w, const inst *in, int dormant)
{
    const char *a = the(in, dormant ? "dormant_account" : "new_account");
    const ix_account *p = find_account(w, a);
    int64_t sum = 0, vmin = P(w, dormant ? SCN_DB_VOLUME_MIN : SCN_NB_VOLUME_MIN);
    for (int k = 0; k < in->nt; k++) {
        CHECK(in, strcmp(in->t[k]->from_account, a) == 0);
        sum += in->t[k]->amount;
    }
    CHECK(in, count_touching(w, a, 1, 1) == in->nt);
    CHECK(in, in->end - in->start <= P(w, dormant ? SCN_DB_WINDOW : SCN_NB_WINDOW));
    if (dormant) {
        CHECK(in, p->flags & IX_ACCT_DORMANT);
        CHECK(in, in->near ? sum == vmin - 100 : sum >= vmin);
        return;
    }
    int64_t age = in->start - p->opened_at_ms;
    CHECK(in, sum >= vmin && !(p->flags & IX_ACCT_DORMANT));
    CHECK(in,
          in->near ? age == P(w, SCN_NB_AGE_MAX) + MIN_MS : age > 0 && age <= P(w, SCN_NB_AGE_MAX));
}

static void check_watchlist(const world *w, const inst *in)
{
    const char *a = the(in, "listed");
    int listed = 0;
    for (int64_t k = 0; k < w->nwatch; k++)
        listed += strcmp(w->watch[k].account, a) == 0 && w->watch[k].added_at_ms < in->start;
    CHECK(in, listed == 1);
    for (int k = 0; k < in->nt; k++)
        CHECK(in, strcmp(in->t[k]->from_account, a) == 0 || strcmp(in->t[k]->to_account, a) == 0);
    CHECK(in, in->nt >= P(w, SCN_WL_TRANSFERS_MIN) && in->nt <= P(w, SCN_WL_TRANSFERS_MAX));
}

/* Proportional tracing over the whole stream, independently of the
 * generator: outflows of a tainted account carry taint * amount / balance. */
static void trace(const world *w, int64_t victim_seq, int64_t *got)
{
    int64_t *bal = calloc((size_t)w->nacct, sizeof(int64_t));
    int64_t *taint = calloc((size_t)w->nacct, sizeof(int64_t));
    assert_non_null(bal);
    assert_non_null(taint);
    for (int64_t k = 0; k < w->ntx; k++) {
        const ix_transfer *t = &w->tx[k];
        int64_t f = account_pos(w, t->from_account), to = account_pos(w, t->to_account), moved = 0;
        if (k == victim_seq)
            moved = t->amount;
        else if (k > victim_seq && taint[f] > 0 && bal[f] > 0)
            moved = taint[f] * t->amount / bal[f];
        moved = k != victim_seq && moved > taint[f] ? taint[f] : moved;
        bal[f] -= t->amount;
        bal[to] += t->amount;
        taint[f] -= k == victim_seq ? 0 : moved;
        taint[to] += moved;
        got[to] += moved;
    }
    free(bal);
    free(taint);
}

/* Hops from the first mule to the farthest account the money reached. */
static int tree_depth(const inst *in, const char *from, int depth)
{
    int best = depth;
    for (int k = 0; k < in->nt; k++)
        if (strcmp(in->t[k]->from_account, from) == 0 &&
            has_role(in, in->t[k]->to_account, "mule")) {
            int d = tree_depth(in, in->t[k]->to_account, depth + 1);
            best = d > best ? d : best;
        }
    return best;
}

static void check_victim_report(const world *w, const inst *in)
{
    const ix_report *r = NULL;
    for (int64_t k = 0; k < w->nrep; k++)
        r = strcmp(w->rep[k].id, in->report_id) == 0 ? &w->rep[k] : r;
    CHECK(in, r != NULL);
    long long seq = atoll(r->transfer_id + 1);
    CHECK(in, seq >= 0 && seq < w->ntx);
    const ix_transfer *v = &w->tx[seq];
    CHECK(in,
          strcmp(v->id, r->transfer_id) == 0 && strcmp(v->from_account, r->victim_account) == 0);
    CHECK(in, has_role(in, r->victim_account, "victim") && v->amount == r->amount);
    int64_t lag = r->reported_at_ms - v->event_time_ms;
    CHECK(in, lag >= P(w, SCN_VR_REPORT_MIN) && lag <= P(w, SCN_VR_REPORT_MAX));
    CHECK(in, in->end >= r->reported_at_ms);
    int depth = tree_depth(in, v->to_account, 0);
    CHECK(in, depth >= P(w, SCN_VR_HOPS_MIN) && depth <= P(w, SCN_VR_HOPS_MAX));
    int64_t *got = calloc((size_t)w->nacct, sizeof(int64_t));
    assert_non_null(got);
    trace(w, seq, got);
    for (int64_t i = 0; i < w->nacct; i++) { /* reached exactly the flagged mules */
        const member *m = member_of(in, w->acct[i].account);
        if (got[i] > 0)
            CHECK(in, m && m->flag && strcmp(m->role, "mule") == 0 && m->expected == got[i]);
        else
            CHECK(in, !m || !m->flag);
    }
    free(got);
}

static void check_instance(const world *w, const inst *in)
{
    CHECK(in, in->nt > 0);
    CHECK(in, in->near == (in->violates[0] != '\0'));
    CHECK(in, in->start == in->t[0]->event_time_ms);
    CHECK(in, in->end >= in->t[in->nt - 1]->event_time_ms);
    for (int k = 0; k < in->nt; k++) /* every transfer is between listed accounts */
        CHECK(in, member_of(in, in->t[k]->from_account) && member_of(in, in->t[k]->to_account));
    for (int k = 0; k < in->nm; k++) {
        CHECK(in, find_account(w, in->m[k].account) != NULL);
        if (in->near)
            CHECK(in, !in->m[k].flag);
    }
    const char *p = in->pattern;
    if (!strcmp(p, "passthrough"))
        check_passthrough(w, in);
    else if (!strcmp(p, "fan_in") || !strcmp(p, "fan_out"))
        check_fan(w, in, !strcmp(p, "fan_in"));
    else if (!strcmp(p, "scatter_gather"))
        check_scatter_gather(w, in);
    else if (!strcmp(p, "gather_scatter"))
        check_gather_scatter(w, in);
    else if (!strcmp(p, "cycle"))
        check_cycle(w, in);
    else if (!strcmp(p, "chain") || !strcmp(p, "chain_slow"))
        check_chain(w, in, !strcmp(p, "chain_slow"));
    else if (!strcmp(p, "bipartite"))
        check_bipartite(w, in);
    else if (!strcmp(p, "stack"))
        check_stack(w, in);
    else if (!strcmp(p, "structuring"))
        check_structuring(w, in);
    else if (!strcmp(p, "new_account_burst") || !strcmp(p, "dormant_burst"))
        check_burst(w, in, !strcmp(p, "dormant_burst"));
    else if (!strcmp(p, "watchlist"))
        check_watchlist(w, in);
    else if (!strcmp(p, "victim_report"))
        check_victim_report(w, in);
    else
        fail_msg("%s: unknown pattern %s", in->name, p);
}

/* Check every truth line; count instances per pattern and near misses. */
static void check_truth(const world *w, int *per_pattern, int *near)
{
    inst in;
    const char *line = w->truth;
    while (*line) {
        const char *nl = strchr(line, '\n');
        assert_non_null(nl);
        json_error_t jerr;
        json_t *j = json_loadb(line, (size_t)(nl - line), 0, &jerr);
        if (!j)
            fail_msg("truth line does not parse: %s", jerr.text);
        parse_inst(w, j, &in);
        int p = scn_pattern_parse(in.pattern);
        assert_true(p >= 0);
        per_pattern[p]++;
        near[p] += in.near;
        check_instance(w, &in);
        json_decref(j);
        line = nl + 1;
    }
}

/* ---- the realistic profile ---------------------------------------------- */

/* Distinct counterparties of acct within the instance: senders to it
 * (incoming) or receivers from it. */
static int inst_peers(const inst *in, const char *acct, int incoming)
{
    const char *seen[INST_TXS];
    int n = 0;
    for (int k = 0; k < in->nt; k++) {
        const ix_transfer *t = in->t[k];
        const char *self = incoming ? t->to_account : t->from_account;
        const char *peer = incoming ? t->from_account : t->to_account;
        int dup = strcmp(self, acct) != 0;
        for (int i = 0; i < n && !dup; i++)
            dup = strcmp(seen[i], peer) == 0;
        if (!dup)
            seen[n++] = peer;
    }
    return n;
}

/* The instance's transfers touching acct. */
static int inst_touching(const inst *in, const char *acct)
{
    int n = 0;
    for (int k = 0; k < in->nt; k++)
        n += strcmp(in->t[k]->from_account, acct) == 0 || strcmp(in->t[k]->to_account, acct) == 0;
    return n;
}

static int role_count(const inst *in, const char *role)
{
    const char *all[MEMBERS];
    return role_list(in, role, all);
}

/* Whether every transfer of the instance goes from `a` to `b` roles. */
static int all_between(const inst *in, const char *a, const char *b)
{
    for (int k = 0; k < in->nt; k++)
        if (!has_role(in, in->t[k]->from_account, a) || !has_role(in, in->t[k]->to_account, b))
            return 0;
    return 1;
}

/* Distinct (from, to) pairs of the instance's transfers, in first-seen order. */
static int hop_pairs(const inst *in, const ix_transfer **hop)
{
    int n = 0;
    for (int k = 0; k < in->nt; k++) {
        int dup = 0;
        for (int i = 0; i < n && !dup; i++)
            dup = strcmp(hop[i]->from_account, in->t[k]->from_account) == 0 &&
                  strcmp(hop[i]->to_account, in->t[k]->to_account) == 0;
        if (!dup)
            hop[n++] = in->t[k];
    }
    return n;
}

static void check_real_cycle(const inst *in)
{
    CHECK(in, in->nt == in->degree && role_count(in, "cycle") == in->degree);
    for (int k = 0; k < in->nt; k++) /* a ring: each hop starts where the last one ended */
        CHECK(in,
              strcmp(in->t[k]->from_account, in->t[(k + in->nt - 1) % in->nt]->to_account) == 0);
}

static void check_real_chain(const inst *in)
{
    const ix_transfer *hop[INST_TXS];
    int n = hop_pairs(in, hop);
    CHECK(in, n == in->degree && role_count(in, "hop") == in->degree - 1);
    CHECK(in, has_role(in, hop[0]->from_account, "origin"));
    CHECK(in, has_role(in, hop[n - 1]->to_account, "end"));
    for (int k = 1; k < n; k++)
        CHECK(in, strcmp(hop[k]->from_account, hop[k - 1]->to_account) == 0);
}

static void check_real_structuring(const world *w, const inst *in)
{
    const char *a = the(in, "structurer");
    CHECK(in, in->nt == in->degree);
    for (int k = 0; k < in->nt; k++) {
        const ix_transfer *t = in->t[k];
        CHECK(in, strcmp(t->from_account, a) == 0 || strcmp(t->to_account, a) == 0);
        CHECK(in, t->amount * 1000 >= w->o.threshold * 850 && t->amount < w->o.threshold);
    }
}

/* The account of `role` and its counterparties in the instance. */
static int hub_degree(const inst *in, const char *role)
{
    const char *a = the(in, role);
    return inst_peers(in, a, 1) + inst_peers(in, a, 0);
}

static void check_real_burst(const world *w, const inst *in, int dormant)
{
    const char *a = the(in, dormant ? "dormant_account" : "new_account");
    const ix_account *acct = find_account(w, a);
    CHECK(in, hub_degree(in, dormant ? "dormant_account" : "new_account") == in->degree);
    if (dormant) {
        CHECK(in, (acct->flags & IX_ACCT_DORMANT) != 0);
        CHECK(in, count_touching(w, a, 1, 1) == in->nt); /* dormant but for the attempt */
    } else {
        CHECK(in, acct->opened_at_ms < in->start && in->start - acct->opened_at_ms <= 30 * DAY_MS);
        CHECK(in, count_touching(w, a, 1, 1) > in->nt); /* it shops too */
    }
}

static void check_real_watchlist(const world *w, const inst *in)
{
    const char *a = the(in, "listed");
    int listed = 0;
    for (int64_t k = 0; k < w->nwatch; k++)
        listed += strcmp(w->watch[k].account, a) == 0 && w->watch[k].added_at_ms < in->start;
    CHECK(in, listed == 1 && in->nt == in->degree && hub_degree(in, "listed") == in->degree);
}

static void check_real_victim(const world *w, const inst *in)
{
    const ix_report *r = NULL;
    for (int64_t k = 0; k < w->nrep; k++)
        r = strcmp(w->rep[k].id, in->report_id) == 0 ? &w->rep[k] : r;
    CHECK(in, r != NULL && role_count(in, "mule") == in->degree);
    long long seq = atoll(r->transfer_id + 1);
    const ix_transfer *v = &w->tx[seq];
    CHECK(in, strcmp(v->from_account, r->victim_account) == 0 && v->amount == r->amount);
    CHECK(in, has_role(in, v->from_account, "victim") && has_role(in, v->to_account, "mule"));
    CHECK(in, r->reported_at_ms >= v->event_time_ms && in->end >= r->reported_at_ms);
    for (int k = 0; k < in->nm; k++)
        CHECK(in, in->m[k].expected == -1); /* mules have lives: no proportional trace */
}

/* Every typology's degree as docs/generator.md defines it, and its shape. */
static void check_attempt(const world *w, const inst *in)
{
    const char *p = in->pattern;
    if (!strcmp(p, "passthrough")) {
        CHECK(in, hub_degree(in, "mule") == in->degree);
        CHECK(in, inst_peers(in, the(in, "mule"), 1) == role_count(in, "victim"));
    } else if (!strcmp(p, "fan_in")) {
        CHECK(in, inst_peers(in, the(in, "collector"), 1) == in->degree);
    } else if (!strcmp(p, "fan_out")) {
        CHECK(in, inst_peers(in, the(in, "payer"), 0) == in->degree);
    } else if (!strcmp(p, "scatter_gather")) {
        CHECK(in, role_count(in, "intermediary") == in->degree);
        CHECK(in, inst_peers(in, the(in, "sink"), 1) == in->degree);
    } else if (!strcmp(p, "gather_scatter")) {
        CHECK(in, hub_degree(in, "hub") == in->degree && in->degree >= 3);
    } else if (!strcmp(p, "cycle")) {
        check_real_cycle(in);
    } else if (!strcmp(p, "chain")) {
        check_real_chain(in);
    } else if (!strcmp(p, "bipartite")) {
        CHECK(in, role_count(in, "sender") + role_count(in, "receiver") == in->degree);
        CHECK(in, all_between(in, "sender", "receiver") && in->degree >= 4);
    } else if (!strcmp(p, "stack")) {
        CHECK(in, in->nm - role_count(in, "tier0") == in->degree && role_count(in, "tier2") >= 2);
    } else if (!strcmp(p, "structuring")) {
        check_real_structuring(w, in);
    } else if (!strcmp(p, "new_account_burst") || !strcmp(p, "dormant_burst")) {
        check_real_burst(w, in, !strcmp(p, "dormant_burst"));
    } else if (!strcmp(p, "watchlist")) {
        check_real_watchlist(w, in);
    } else if (!strcmp(p, "victim_report")) {
        check_real_victim(w, in);
    } else if (!strcmp(p, "random")) {
        CHECK(in, in->nt == in->degree && role_count(in, "member") == 2 + in->degree / 2);
    } else {
        fail_msg("%s: not a realistic typology: %s", in->name, p);
    }
}

static void check_lookalike(const world *w, const inst *in)
{
    int k = scn_alike_parse(in->lookalike);
    CHECK(in, k >= 0 && in->pattern[0] == '\0');
    CHECK(in, strcmp(in->resembles, scn_pattern_name(scn_alike_resembles((scn_alike)k))) == 0);
    for (int m = 0; m < in->nm; m++)
        CHECK(in, !in->m[m].flag);
    if (k == SCN_ALIKE_PAYROLL)
        CHECK(in, find_account(w, the(in, "employer"))->holder_type == IX_HOLDER_BUSINESS &&
                      all_between(in, "employer", "employee"));
    if (k == SCN_ALIKE_PROCESSOR)
        CHECK(in, find_account(w, the(in, "processor"))->holder_type == IX_HOLDER_BUSINESS);
    if (k == SCN_ALIKE_NEW_BUSINESS)
        CHECK(in, find_account(w, the(in, "new_business"))->holder_type == IX_HOLDER_BUSINESS);
    if (k == SCN_ALIKE_DOWN_PAYMENT) /* the relatives' sums, each under the threshold */
        for (int t = 0; t < in->nt; t++)
            if (has_role(in, in->t[t]->from_account, "relative"))
                CHECK(in, in->t[t]->amount * 1000 >= w->o.threshold * 850 &&
                              in->t[t]->amount < w->o.threshold);
    if (k == SCN_ALIKE_DORMANT_WAKEUP)
        CHECK(in, (find_account(w, the(in, "dormant_account"))->flags & IX_ACCT_DORMANT) != 0);
}

/* Roles of accounts that have no everyday life of their own. */
static int lifeless(const char *role)
{
    return !strcmp(role, "listed") || !strcmp(role, "dormant_account") ||
           !strcmp(role, "new_account") || !strcmp(role, "new_business");
}

/* Transfers of the whole stream touching each account, by population index. */
static int32_t *touch_counts(const world *w)
{
    int32_t *n = calloc((size_t)w->nacct, sizeof(*n));
    assert_non_null(n);
    for (int64_t k = 0; k < w->ntx; k++) {
        n[account_pos(w, w->tx[k].from_account)]++;
        n[account_pos(w, w->tx[k].to_account)]++;
    }
    return n;
}

/* Realistic instances: what every one shares, then its kind's shape. The
 * flagged accounts, recruited from the background, transfer outside their
 * instance too (ordinary lives), counted in *lives over *flagged. */
static void check_real_instance(const world *w, const inst *in, const int32_t *touch, int *flagged,
                                int *lives)
{
    int flags = 0;
    CHECK(in, in->nt > 0 && in->start == in->t[0]->event_time_ms);
    CHECK(in, in->end >= in->t[in->nt - 1]->event_time_ms);
    CHECK(in, scn_size_parse(in->size) == (int)scn_size_of(in->degree));
    CHECK(in, strcmp(in->speed, scn_speed_name(scn_speed_of(in->end - in->start))) == 0);
    CHECK(in, in->degree >= 2 && in->degree <= 15 && in->end - in->start <= 21 * DAY_MS);
    for (int k = 0; k < in->nt; k++)
        CHECK(in, member_of(in, in->t[k]->from_account) && member_of(in, in->t[k]->to_account));
    for (int k = 0; k < in->nm; k++) {
        const member *m = &in->m[k];
        flags += m->flag;
        if (!m->flag || lifeless(m->role))
            continue;
        (*flagged)++;
        *lives += touch[account_pos(w, m->account)] > inst_touching(in, m->account);
    }
    if (!strcmp(in->kind, "attempt")) {
        CHECK(in, flags > 0);
        check_attempt(w, in);
    } else {
        CHECK(in, !strcmp(in->kind, "lookalike"));
        check_lookalike(w, in);
    }
}

/* ---- the tests ----------------------------------------------------------- */

static void check_stream(const world *w)
{
    assert_int_equal(w->ntx, w->o.transfers);
    assert_int_equal(w->st.transfers, w->o.transfers);
    assert_int_equal(w->st.background + w->st.injected, w->o.transfers);
    for (int64_t k = 0; k < w->ntx; k++) {
        const ix_transfer *t = &w->tx[k];
        char id[IX_ID_MAX + 1];
        scn_transfer_id(k, id, sizeof(id));
        assert_string_equal(t->id, id); /* unique: numbered in stream order */
        assert_true(t->event_time_ms >= w->start && t->event_time_ms <= w->end);
        if (k)
            assert_true(t->event_time_ms >= w->tx[k - 1].event_time_ms);
        assert_string_not_equal(t->from_account, t->to_account);
        assert_non_null(find_account(w, t->from_account));
        assert_non_null(find_account(w, t->to_account));
        assert_true(t->amount > 0);
    }
    for (int64_t k = 1; k < w->nrep; k++)
        assert_true(w->rep[k].reported_at_ms >= w->rep[k - 1].reported_at_ms);
    for (int64_t k = 0; k < w->nwatch; k++)
        assert_non_null(find_account(w, w->watch[k].account));
}

static void test_stream_and_truth(void **state)
{
    (void)state;
    world w;
    scn_opts o;
    int per[SCN_PATTERN__COUNT] = {0}, near[SCN_PATTERN__COUNT] = {0};
    opts_small(&o, 7);
    world_make(&w, &o);
    check_stream(&w);
    check_truth(&w, per, near);
    assert_int_equal(w.st.skipped, 0);
    for (int p = 0; p < SCN_PATTERN__COUNT; p++) {
        assert_int_equal(per[p], 4 + (scn_pattern_has_near_miss((scn_pattern)p) ? 4 : 0));
        assert_int_equal(near[p], scn_pattern_has_near_miss((scn_pattern)p) ? 4 : 0);
    }
    assert_int_equal(w.nrep, 4);
    world_free(&w);
}

/* Patterns with other parameters: the generator honours them and the same
 * checks hold (passthrough over days, smaller fans, a lower threshold). */
static void test_custom_params(void **state)
{
    (void)state;
    world w;
    scn_opts o;
    char errstr[256];
    int per[SCN_PATTERN__COUNT] = {0}, near[SCN_PATTERN__COUNT] = {0};
    opts_small(&o, 99);
    o.transfers = 40000;
    static const char *const sets[][2] = {
        {"passthrough.delay_min", "1h"}, {"passthrough.delay_max", "2d"},
        {"fan_in.senders_min", "5"},     {"fan_in.senders_max", "6"},
        {"fan_out.window_max", "30m"},   {"fan_out.window_min", "10m"},
        {"chain.keep_min", "95%"},       {"chain.hops_max", "5"},
        {"cycle.keep_min", "99.5%"},     {"bipartite.density_min", "100%"},
        {"structuring.band_min", "95%"}, {"victim_report.split", "100%"},
        {"victim_report.mix", "100%"},   {"dormant_burst.volume_min", "1000000"}};
    for (size_t k = 0; k < sizeof(sets) / sizeof(sets[0]); k++)
        if (scn_param_set(&o, sets[k][0], sets[k][1], errstr, sizeof(errstr)) != 0)
            fail_msg("%s", errstr);
    o.threshold = 1000000;
    world_make(&w, &o);
    check_stream(&w);
    check_truth(&w, per, near);
    world_free(&w);
}

static void test_determinism(void **state)
{
    (void)state;
    world a, b, c;
    scn_opts o;
    opts_small(&o, 11);
    o.transfers = 30000;
    o.accounts = 5000;
    for (int p = 0; p < SCN_PATTERN__COUNT; p++)
        o.count[p] = 2;
    world_make(&a, &o);
    world_make(&b, &o);
    assert_true(a.digest == b.digest);
    assert_int_equal(a.truth_len, b.truth_len);
    assert_memory_equal(a.truth, b.truth, a.truth_len);
    assert_memory_equal(a.tx, b.tx, (size_t)a.ntx * sizeof(ix_transfer));
    o.seed = 12;
    world_make(&c, &o);
    assert_true(a.digest != c.digest);
    assert_true(memcmp(a.tx, c.tx, 64 * sizeof(ix_transfer)) != 0);
    world_free(&a);
    world_free(&b);
    world_free(&c);
}

/* The legitimate look-alikes a screener must not flag are all there. */
static void test_confounders(void **state)
{
    (void)state;
    world w;
    scn_opts o;
    opts_small(&o, 5);
    o.duration_ms = 3 * DAY_MS;
    world_make(&w, &o);
    /* A merchant paid by many distinct customers within six hours: the
     * busiest merchant of the stream. */
    int64_t *in_count = calloc((size_t)w.nacct, sizeof(int64_t)), busiest = -1;
    assert_non_null(in_count);
    for (int64_t k = 0; k < w.ntx; k++) {
        int64_t to = account_pos(&w, w.tx[k].to_account);
        if (w.acct[to].holder_type == IX_HOLDER_MERCHANT &&
            (busiest < 0 || ++in_count[to] > in_count[busiest]))
            busiest = to;
    }
    free(in_count);
    assert_true(distinct_peers(&w, w.acct[busiest].account, 1, w.end - 6 * HOUR_MS, w.end) >= 30);
    /* An employer paying ten or more employees within minutes (payroll):
     * look ahead ten minutes from each business payment to a person. */
    int payroll = 0;
    for (int64_t k = 0; k < w.ntx && !payroll; k++) {
        const ix_transfer *t = &w.tx[k];
        if (find_account(&w, t->from_account)->holder_type != IX_HOLDER_BUSINESS ||
            find_account(&w, t->to_account)->holder_type != IX_HOLDER_PERSON)
            continue;
        int n = 0;
        for (int64_t j = k; j < w.ntx && w.tx[j].event_time_ms <= t->event_time_ms + 10 * MIN_MS;
             j++)
            n += strcmp(w.tx[j].from_account, t->from_account) == 0;
        payroll = n >= 10;
    }
    assert_true(payroll);
    assert_true(w.st.salaries > 0 && w.st.spending > w.st.salaries);
    /* Nights are quieter than days (local time, UTC+8). */
    int64_t night = 0, day = 0;
    for (int64_t k = 0; k < w.ntx; k++) {
        int h = (int)(((w.tx[k].event_time_ms + 8 * HOUR_MS) / HOUR_MS) % 24);
        night += h >= 2 && h < 5;
        day += h >= 10 && h < 13;
    }
    assert_true(night * 5 < day);
    world_free(&w);
}

static void test_options(void **state)
{
    (void)state;
    scn_opts o;
    char errstr[256], buf[32];
    scn *s = NULL;
    scn_opts_default(&o);
    assert_int_equal(scn_param_set(&o, "fan_in.window_max", "8h", errstr, sizeof(errstr)), 0);
    assert_int_equal(o.param[SCN_FI_WINDOW_MAX], 8 * HOUR_MS);
    assert_int_equal(scn_param_set(&o, "chain.keep_min", "92.5%", errstr, sizeof(errstr)), 0);
    assert_int_equal(o.param[SCN_CH_KEEP_MIN], 925);
    scn_param_format(SCN_CH_KEEP_MIN, 925, buf, sizeof(buf));
    assert_string_equal(buf, "92.5%");
    scn_param_format(SCN_CS_GAP_MAX, 3 * DAY_MS, buf, sizeof(buf));
    assert_string_equal(buf, "3d");
    assert_int_equal(scn_param_set(&o, "fan_in.nope", "1", errstr, sizeof(errstr)), -1);
    assert_non_null(strstr(errstr, "no such"));
    assert_int_equal(scn_param_set(&o, "fan_in.senders_min", "1", errstr, sizeof(errstr)), -1);
    assert_non_null(strstr(errstr, "outside"));
    assert_int_equal(scn_param_set(&o, "chain.keep_min", "9x", errstr, sizeof(errstr)), -1);
    assert_int_equal(scn_mix_set(&o, "all=0,fan_in=3,cycle=1", errstr, sizeof(errstr)), 0);
    assert_int_equal(o.count[SCN_FAN_IN], 3);
    assert_int_equal(o.count[SCN_CHAIN], 0);
    assert_int_equal(scn_mix_set(&o, "fan_ni=3", errstr, sizeof(errstr)), -1);
    assert_int_equal(scn_mix_set(&o, "fan_in=-1", errstr, sizeof(errstr)), -1);
    assert_int_equal(scn_mix_set(&o, "fan_in", errstr, sizeof(errstr)), -1);
    for (int p = 0; p < SCN_PARAM__COUNT; p++) {
        assert_non_null(scn_params[p].name);
        assert_non_null(scn_params[p].summary);
        assert_int_equal(scn_param_find(scn_params[p].name), p);
    }
    /* Inconsistent scenarios are refused with a reason. */
    scn_opts_default(&o);
    assert_int_equal(scn_new(&o, &s, errstr, sizeof(errstr)), -1); /* no now */
    o.now_ms = NOW_MS;
    o.param[SCN_CS_GAP_MAX] = o.param[SCN_CH_GAP_MAX];
    assert_int_equal(scn_new(&o, &s, errstr, sizeof(errstr)), -1);
    assert_non_null(strstr(errstr, "chain_slow.gap_max"));
    scn_opts_default(&o);
    o.now_ms = NOW_MS;
    o.accounts = 2000;
    o.transfers = 100;
    assert_int_equal(scn_new(&o, &s, errstr, sizeof(errstr)), -1); /* mix > transfers */
    assert_non_null(strstr(errstr, "transfers"));
    for (int p = 0; p < SCN_PATTERN__COUNT; p++)
        o.count[p] = 40;
    assert_int_equal(scn_new(&o, &s, errstr, sizeof(errstr)), -1); /* too many mules */
    assert_non_null(strstr(errstr, "quarter"));
    assert_null(s);
}

/* No patterns at all, a short timeline: the background alone, exactly. */
static void test_background_only(void **state)
{
    (void)state;
    world w;
    scn_opts o;
    opts_small(&o, 3);
    o.duration_ms = 10 * MIN_MS;
    o.transfers = 20000;
    for (int p = 0; p < SCN_PATTERN__COUNT; p++)
        o.count[p] = 0;
    o.near_misses = 0;
    world_make(&w, &o);
    check_stream(&w);
    assert_int_equal(w.st.injected, 0);
    assert_int_equal(w.truth_len, 0);
    world_free(&w);
}

/* The classic profile is byte for byte what the generator wrote before the
 * realistic profile existed: each file's FNV-1a as interdict-gen
 * --accounts 20000 --transfers 200000 --seed 42 --now 2026-11-23T08:00:00Z
 * --near-misses --duration 5d wrote it then. */
static void test_classic_unchanged(void **state)
{
    (void)state;
    static const uint64_t want[OUT__COUNT] = {[OUT_ACCOUNTS] = 0xb1557a587339839dULL,
                                              [OUT_WATCHLIST] = 0xa38d71a6d1967261ULL,
                                              [OUT_TRANSFERS] = 0x300edfd02f46b973ULL,
                                              [OUT_REPORTS] = 0x2d19a05ee7eee2d6ULL,
                                              [OUT_TRUTH] = 0xb2a4b1288a23ac77ULL};
    world w;
    scn_opts o;
    scn_opts_default(&o);
    o.accounts = 20000;
    o.transfers = 200000;
    o.seed = 42;
    o.now_ms = 1795420800000LL; /* 2026-11-23T08:00:00Z */
    o.near_misses = 1;
    o.duration_ms = 5 * DAY_MS;
    world_make(&w, &o);
    for (int k = 0; k < OUT__COUNT; k++)
        if (w.file[k] != want[k])
            fail_msg("classic output %d changed: %016llx", k, (unsigned long long)w.file[k]);
    world_free(&w);
}

static void opts_realistic(scn_opts *o, uint64_t seed)
{
    scn_opts_default(o);
    scn_opts_profile(o, SCN_PROFILE_REALISTIC);
    o->seed = seed;
    o->accounts = 20000;
    o->transfers = 200000;
    o->now_ms = NOW_MS;
}

/* Accounts are in one instance each. */
static void check_exclusive(const world *w)
{
    int *owner = calloc((size_t)w->nacct, sizeof(int)), n = 0;
    const char *line = w->truth;
    inst in;
    assert_non_null(owner);
    for (; *line; line = strchr(line, '\n') + 1, n++) {
        json_t *j = json_loadb(line, (size_t)(strchr(line, '\n') - line), 0, NULL);
        parse_inst(w, j, &in);
        for (int k = 0; k < in.nm; k++) {
            int64_t i = account_pos(w, in.m[k].account);
            CHECK(&in, owner[i] == 0);
            owner[i] = n + 1;
        }
        json_decref(j);
    }
    free(owner);
}

static void test_realistic_stream(void **state)
{
    (void)state;
    world w;
    scn_opts o;
    int per[SCN_TYPOLOGY__COUNT] = {0}, alike[SCN_ALIKE__COUNT] = {0}, size[SCN_SIZE__COUNT] = {0};
    int flagged = 0, lives = 0;
    opts_realistic(&o, 7);
    world_make(&w, &o);
    check_stream(&w);
    int32_t *touch = touch_counts(&w);
    for (const char *line = w.truth; *line; line = strchr(line, '\n') + 1) {
        inst in;
        json_t *j = json_loadb(line, (size_t)(strchr(line, '\n') - line), 0, NULL);
        assert_non_null(j);
        assert_null(json_object_get(j, "near_miss"));
        parse_inst(&w, j, &in);
        check_real_instance(&w, &in, touch, &flagged, &lives);
        if (in.pattern[0]) {
            per[scn_pattern_parse(in.pattern)]++;
            size[scn_size_parse(in.size)]++;
        } else {
            alike[scn_alike_parse(in.lookalike)]++;
        }
        json_decref(j);
    }
    free(touch);
    int def = scn_default_count_realistic(o.accounts);
    for (int p = 0; p < SCN_TYPOLOGY__COUNT; p++)
        assert_int_equal(per[p], p == SCN_CHAIN_SLOW ? 0 : def);
    for (int k = 0; k < SCN_ALIKE__COUNT; k++)
        assert_int_equal(alike[k], def);
    /* Of every ten: five small, three medium, two large (eight: 4, 3, 1). */
    assert_int_equal(size[SCN_SIZE_SMALL], 4 * 15);
    assert_int_equal(size[SCN_SIZE_MEDIUM], 3 * 15);
    assert_int_equal(size[SCN_SIZE_LARGE], 1 * 15);
    assert_true(flagged > 500);
    assert_int_equal(lives, flagged); /* every recruited mule has an everyday life */
    assert_int_equal(w.st.skipped, 0);
    assert_int_equal(w.st.lookalikes, 15 * def);
    assert_int_equal(w.nrep, def);
    check_exclusive(&w);
    world_free(&w);
}

static void test_realistic_determinism(void **state)
{
    (void)state;
    world a, b, c;
    scn_opts o;
    opts_realistic(&o, 11);
    o.accounts = 10000;
    o.transfers = 60000;
    world_make(&a, &o);
    world_make(&b, &o);
    assert_true(a.digest == b.digest);
    assert_int_equal(a.truth_len, b.truth_len);
    assert_memory_equal(a.truth, b.truth, a.truth_len);
    o.seed = 12;
    world_make(&c, &o);
    assert_true(a.digest != c.digest);
    world_free(&a);
    world_free(&b);
    world_free(&c);
}

static void test_profiles(void **state)
{
    (void)state;
    scn_opts o;
    char errstr[256];
    scn *s = NULL;
    assert_int_equal(scn_profile_parse("realistic"), SCN_PROFILE_REALISTIC);
    assert_int_equal(scn_profile_parse("classic"), SCN_PROFILE_CLASSIC);
    assert_int_equal(scn_profile_parse("real"), -1);
    assert_string_equal(scn_pattern_name(SCN_RANDOM), "random");
    assert_string_equal(scn_alike_name(SCN_ALIKE_DOWN_PAYMENT), "down_payment");
    assert_int_equal(scn_alike_parse("landlord"), SCN_ALIKE_LANDLORD);
    assert_int_equal(scn_size_of(4), SCN_SIZE_SMALL);
    assert_int_equal(scn_size_of(5), SCN_SIZE_MEDIUM);
    assert_int_equal(scn_size_of(9), SCN_SIZE_MEDIUM);
    assert_int_equal(scn_size_of(10), SCN_SIZE_LARGE);
    assert_int_equal(scn_speed_of(6 * HOUR_MS - 1), SCN_SPEED_FAST);
    assert_int_equal(scn_speed_of(3 * DAY_MS), SCN_SPEED_SLOW);
    assert_false(scn_pattern_in_profile(SCN_PROFILE_CLASSIC, SCN_RANDOM));
    assert_false(scn_pattern_in_profile(SCN_PROFILE_REALISTIC, SCN_CHAIN_SLOW));
    /* The profile's stream defaults; all= sets the profile's patterns only. */
    opts_realistic(&o, 1);
    assert_int_equal(o.duration_ms, 28 * DAY_MS);
    scn_opts_profile(&o, SCN_PROFILE_REALISTIC);
    assert_int_equal(o.transfers, 2000000);
    assert_int_equal(scn_mix_set(&o, "all=0,fan_in=3,landlord=2", errstr, sizeof(errstr)), 0);
    assert_int_equal(o.count[SCN_FAN_IN], 3);
    assert_int_equal(o.count[SCN_RANDOM], 0);
    assert_int_equal(o.count[SCN_CHAIN_SLOW], -1);
    assert_int_equal(o.alike[SCN_ALIKE_LANDLORD], 2);
    assert_int_equal(o.alike[SCN_ALIKE_PAYROLL], -1);
    assert_int_equal(scn_mix_set(&o, "lookalikes=0", errstr, sizeof(errstr)), 0);
    assert_int_equal(o.alike[SCN_ALIKE_LANDLORD], 0);
    /* What a profile does not have is refused. */
    opts_realistic(&o, 1);
    o.near_misses = 1;
    assert_int_equal(scn_new(&o, &s, errstr, sizeof(errstr)), -1);
    assert_non_null(strstr(errstr, "near misses"));
    opts_realistic(&o, 1);
    o.count[SCN_CHAIN_SLOW] = 1;
    assert_int_equal(scn_new(&o, &s, errstr, sizeof(errstr)), -1);
    assert_non_null(strstr(errstr, "chain_slow"));
    opts_realistic(&o, 1);
    o.accounts = 2000; /* 240 instances of up to 16 accounts in 1,800 persons */
    assert_int_equal(scn_new(&o, &s, errstr, sizeof(errstr)), -1);
    assert_non_null(strstr(errstr, "too many"));
    scn_opts_default(&o);
    o.now_ms = NOW_MS;
    o.count[SCN_RANDOM] = 1;
    assert_int_equal(scn_new(&o, &s, errstr, sizeof(errstr)), -1);
    assert_non_null(strstr(errstr, "realistic profile"));
    scn_opts_default(&o);
    o.now_ms = NOW_MS;
    assert_int_equal(scn_mix_set(&o, "all=1,landlord=1", errstr, sizeof(errstr)), 0);
    assert_int_equal(o.count[SCN_RANDOM], -1);
    assert_int_equal(scn_new(&o, &s, errstr, sizeof(errstr)), -1);
    assert_non_null(strstr(errstr, "landlord"));
    assert_null(s);
}

/* ---- docs/generator.md's parameter block -------------------------------- */

#define DOC_PATH    IX_SOURCE_DIR "/docs/generator.md"
#define BLOCK_BEGIN "<!-- params:begin -->\n"
#define BLOCK_END   "<!-- params:end -->"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0;
    FILE *m = open_memstream(&buf, &cap);
    if (!f || !m)
        fail_msg("cannot read %s", path);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        fwrite(chunk, 1, n, m);
    fclose(f);
    fclose(m);
    *len = cap;
    return buf;
}

/* What belongs between the markers: the table as --help prints it. */
static char *params_block(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_non_null(m);
    fputs("```\n", m);
    scn_print_params(m);
    fputs("```\n", m);
    fclose(m);
    return buf;
}

/* The document split around the block: returns the block's start and end
 * offsets (the text after BLOCK_BEGIN up to BLOCK_END). */
static void find_block(const char *doc, size_t *from, size_t *to)
{
    const char *b = strstr(doc, BLOCK_BEGIN), *e = strstr(doc, BLOCK_END);
    if (!b || !e || e < b)
        fail_msg("%s: no %s ... %s block", DOC_PATH, "params:begin", "params:end");
    *from = (size_t)(b - doc) + strlen(BLOCK_BEGIN);
    *to = (size_t)(e - doc);
}

static void test_docs_params(void **state)
{
    (void)state;
    size_t len, from, to;
    char *doc = slurp(DOC_PATH, &len), *want = params_block();
    find_block(doc, &from, &to);
    if (to - from != strlen(want) || memcmp(doc + from, want, to - from) != 0)
        fail_msg("docs/generator.md's parameter table is stale: run "
                 "tests/test_scenario --write-docs");
    free(doc);
    free(want);
}

static int write_docs(void)
{
    size_t len, from, to;
    char *doc = slurp(DOC_PATH, &len), *want = params_block();
    find_block(doc, &from, &to);
    FILE *f = fopen(DOC_PATH, "wb");
    if (!f)
        return 1;
    fwrite(doc, 1, from, f);
    fputs(want, f);
    fwrite(doc + to, 1, len - to, f);
    free(doc);
    free(want);
    return fclose(f) != 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--write-docs") == 0)
        return write_docs();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_docs_params),
        cmocka_unit_test(test_stream_and_truth),
        cmocka_unit_test(test_custom_params),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_confounders),
        cmocka_unit_test(test_background_only),
        cmocka_unit_test(test_classic_unchanged),
        cmocka_unit_test(test_profiles),
        cmocka_unit_test(test_realistic_stream),
        cmocka_unit_test(test_realistic_determinism),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
