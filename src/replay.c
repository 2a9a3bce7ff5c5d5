/* replay.c - `interdict replay`: read a stretch of the input topics and
 * screen it into fresh temporary stores, once per configuration.
 *
 * Why in memory and sorted: the pipeline screens each partition in arrival
 * order, several partitions at once. A replay has the whole stretch in hand,
 * so it applies it in event-time order (ties: transfers before reports, then
 * partition and offset), which is what the pipeline approximates and what
 * makes the two runs of a comparison see exactly the same sequence. The cost
 * is memory: about 200 bytes per transfer read.
 *
 * The desk's messages (the allow-list and the verdicts) are read whole, as
 * the tables are, but applied among the transfers at their own time
 * (added_at, decided_at; a tombstone at its Kafka timestamp), after the
 * transfers and reports of the same millisecond: a verdict must find the
 * request it answers raised, as it did live.
 *
 * Why a clock of its own: the store expires flows and edges older than
 * state.retention at compaction, measured against a wall clock. Replaying
 * last quarter's transfers against today's clock would expire them while
 * they are screened; the store is given the replay's event time instead.
 */
#include "replay.h"

#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "encode.h"
#include "kafka.h"
#include "load.h"
#include "replay_int.h"
#include "timefmt.h"
#include "vec.h"

#define RP_POLL_MS     100 /* longest wait for a message; bounds the reaction to a signal */
#define RP_PROGRESS_NS 2000000000LL /* a progress line at most this often */
#define RP_CHECKPOINT  20000        /* events between writes of the temporary stores */

enum { RP_TRANSFER = 0, RP_REPORT = 1, RP_DESK = 2 }; /* event kinds, in tie-break order */

/* One transfer or report to screen, in the order of screening. */
typedef struct rp_event {
    int64_t time_ms;
    int32_t kind;
    int32_t partition;
    int64_t offset;
    size_t index; /* into the transfers or the reports */
} rp_event;

typedef struct replay_ctx {
    const cfg *c;
    const replay_opts *o;
    const ix_log *lg;
    volatile sig_atomic_t *run;
    FILE *err;
    rd_kafka_t *rk;
    scr_ctx rd;        /* decoding while reading: no state */
    scr_transfers *tx; /* the transfers of the message read */
    rp_input in;
    ix_transfer *tr;
    size_t ntr, captr;
    ix_report *rep;
    size_t nrep, caprep;
    scr_update *desk; /* allow-list entries, removals and verdicts */
    size_t ndesk, capdesk;
    rp_event *ev;
    size_t nev, capev;
    rp_run runs[2];
    int nruns;
    char tmp[PATH_MAX - 16];  /* the temporary directory; empty until created */
    _Atomic int64_t clock_ms; /* event time of the screening, for retention */
    int64_t next_progress_ns;
} replay_ctx;

/* ---- options ------------------------------------------------------------ */

int replay_parse_bound(const char *opt, const char *value, replay_bound *b, char *errstr,
                       size_t errstr_size)
{
    char *end;
    errno = 0;
    long long n = strtoll(value, &end, 10);
    if (*value >= '0' && *value <= '9' && !*end && !errno) {
        *b = (replay_bound){REPLAY_BOUND_OFFSET, n};
        return 0;
    }
    int64_t ms = 0;
    if (tf_parse(value, strlen(value), &ms) == 0) {
        *b = (replay_bound){REPLAY_BOUND_TIME, ms};
        return 0;
    }
    snprintf(errstr, errstr_size, "%s %.64s: expected an offset (0, 1, ...) or an RFC 3339 time",
             opt, value);
    return -1;
}

int replay_rule_key(const char *key)
{
    return strncmp(key, "rules.", 6) == 0 || strncmp(key, "action.", 7) == 0 ||
           strcmp(key, "rule.set") == 0 || strcmp(key, "incident.cooldown") == 0;
}

int replay_add_set(replay_opts *o, const char *kv, char *errstr, size_t errstr_size)
{
    const char *eq = strchr(kv, '=');
    char key[128];
    if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof(key)) {
        snprintf(errstr, errstr_size, "--set %.64s: expected KEY=VALUE", kv);
        return -1;
    }
    memcpy(key, kv, (size_t)(eq - kv));
    key[eq - kv] = '\0';
    if (!replay_rule_key(key)) {
        snprintf(errstr, errstr_size,
                 "--set %s: only rules.*, action.*, rule.set and incident.cooldown can differ "
                 "between the two runs",
                 key);
        return -1;
    }
    if (o->nsets >= REPLAY_SETS_MAX) {
        snprintf(errstr, errstr_size, "--set: at most %d", REPLAY_SETS_MAX);
        return -1;
    }
    o->sets[o->nsets++] = kv;
    return 0;
}

/* ---- the second configuration ------------------------------------------- */

/* The rule keys of a config file read over the defaults, in dst's currency: its amounts are
 * money of that currency, and one written for another would be misread. */
static int load_rules_of(cfg *dst, const char *path, char *errstr, size_t errstr_size)
{
    cfg f;
    int rc = -1;
    if (cfg_init(&f, errstr, errstr_size) != 0)
        return -1;
    if (cfg_set(&f, "currency", dst->currency, errstr, errstr_size) != 0 ||
        cfg_load_file(&f, path, errstr, errstr_size) != 0 ||
        cfg_validate(&f, errstr, errstr_size) != 0)
        goto cleanup;
    if (strcmp(f.currency, dst->currency) != 0) {
        snprintf(errstr, errstr_size, "%s: currency %s differs from the first run's %s", path,
                 f.currency, dst->currency);
        goto cleanup;
    }
    rc = cfg_copy(dst, &f, replay_rule_key, errstr, errstr_size);
cleanup:
    cfg_free(&f);
    return rc;
}

static void describe_b(const replay_opts *o, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    if (o->compare_file)
        n = (size_t)snprintf(buf, size, "--compare-with %s", o->compare_file);
    for (int i = 0; i < o->nsets && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s--set %s", n ? ", " : "", o->sets[i]);
}

/* B: A, then the rule keys of --compare-with, then --set. Returns 0 or -2. */
static int build_b(const cfg *a, const replay_opts *o, cfg *b, char *errstr, size_t errstr_size)
{
    char why[512];
    if (cfg_init(b, errstr, errstr_size) != 0 || cfg_copy(b, a, NULL, errstr, errstr_size) != 0)
        return -1;
    if (o->compare_file && load_rules_of(b, o->compare_file, why, sizeof(why)) != 0) {
        snprintf(errstr, errstr_size, "--compare-with %s", why);
        return -2;
    }
    for (int i = 0; i < o->nsets; i++)
        if (cfg_set_pair(b, o->sets[i], why, sizeof(why)) != 0) {
            snprintf(errstr, errstr_size, "--set %s", why);
            return -2;
        }
    if (cfg_validate(b, why, sizeof(why)) != 0) {
        snprintf(errstr, errstr_size, "the second configuration: %s", why);
        return -2;
    }
    return 0;
}

/* ---- temporary stores ---------------------------------------------------- */

static int64_t replay_clock(void *arg)
{
    replay_ctx *x = arg;
    return atomic_load(&x->clock_ms);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int make_tmp(replay_ctx *x, char *errstr, size_t errstr_size)
{
    const char *base = getenv("TMPDIR");
    snprintf(x->tmp, sizeof(x->tmp), "%s/interdict-replay-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(x->tmp)) {
        snprintf(errstr, errstr_size, "creating a temporary directory in %s: %s",
                 base && *base ? base : "/tmp", strerror(errno));
        x->tmp[0] = '\0';
        return -1;
    }
    return 0;
}

static int open_run(replay_ctx *x, rp_run *r, char *errstr, size_t errstr_size)
{
    snprintf(r->dir, sizeof(r->dir), "%s/%c", x->tmp, r->label[0] == 'A' ? 'a' : 'b');
    graph_opts go = {.dir = r->dir,
                     .cache_bytes = (size_t)r->c.state_cache_bytes,
                     .create = 1,
                     .retention_ms = r->c.state_retention_ms,
                     .log = x->lg,
                     .clock_ms = replay_clock,
                     .clock_arg = x};
    if (graph_open(&go, &r->g, errstr, errstr_size) != 0 ||
        rules_create(&r->c, &r->r, errstr, errstr_size) != 0)
        return -1;
    if (!(r->q = calloc(SCR_MAX_REQUESTS, sizeof(*r->q)))) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    scr_init(&r->scr, &r->c, r->g, r->r, r->q, r->hits);
    r->scr.held = &r->held;
    return 0;
}

static int setup_runs(replay_ctx *x, char *errstr, size_t errstr_size)
{
    rp_run *a = &x->runs[0], *b = &x->runs[1];
    char why[512];
    snprintf(a->label, sizeof(a->label), "A");
    snprintf(a->desc, sizeof(a->desc), "%s", x->o->base_name ? x->o->base_name : "defaults");
    if (cfg_init(&a->c, errstr, errstr_size) != 0 ||
        cfg_copy(&a->c, x->c, NULL, errstr, errstr_size) != 0)
        return -1;
    x->nruns = 1;
    if (x->o->compare_file || x->o->nsets > 0) {
        snprintf(b->label, sizeof(b->label), "B");
        describe_b(x->o, b->desc, sizeof(b->desc));
        x->nruns = 2;
        int rc = build_b(x->c, x->o, &b->c, errstr, errstr_size);
        if (rc != 0)
            return rc;
    }
    if (make_tmp(x, errstr, errstr_size) != 0)
        return -1;
    for (int i = 0; i < x->nruns; i++)
        if (open_run(x, &x->runs[i], why, sizeof(why)) != 0) {
            snprintf(errstr, errstr_size, "temporary state of run %s: %s", x->runs[i].label, why);
            return -1;
        }
    return 0;
}

static void teardown(replay_ctx *x)
{
    for (int i = 0; i < 2; i++) {
        rp_run *r = &x->runs[i];
        rules_destroy(r->r);
        graph_close(r->g);
        cfg_free(&r->c);
        for (size_t q = 0; q < r->nreqs; q++)
            free(r->reqs[q].doc);
        free(r->reqs);
        free(r->q);
    }
    if (x->tmp[0])
        nftw(x->tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    if (x->rk) {
        rd_kafka_consumer_close(x->rk);
        rd_kafka_destroy(x->rk);
    }
    rp_range *rgs[] = {&x->in.transfers, &x->in.reports,   &x->in.accounts,
                       &x->in.watchlist, &x->in.allowlist, &x->in.verdicts};
    for (size_t i = 0; i < sizeof(rgs) / sizeof(rgs[0]); i++) {
        free(rgs[i]->part);
        free(rgs[i]->start);
        free(rgs[i]->end);
    }
    free(x->tr);
    free(x->tx);
    free(x->rep);
    free(x->desk);
    free(x->ev);
}

/* ---- progress ------------------------------------------------------------ */

static void progress(replay_ctx *x, const char *fmt, int64_t a, int64_t b)
{
    int64_t now = tf_mono_ns();
    if (now < x->next_progress_ns || x->lg->level < CFG_LOG_INFO)
        return;
    if (x->next_progress_ns) {
        fprintf(x->err, "interdict replay: ");
        fprintf(x->err, fmt, a, b);
        fputc('\n', x->err);
    }
    x->next_progress_ns = now + RP_PROGRESS_NS;
}

/* ---- reading Kafka ------------------------------------------------------- */

static rd_kafka_t *new_consumer(const cfg *c, char *errstr, size_t errstr_size)
{
    /* Assigned, never subscribed, nothing committed: the group id only
     * satisfies librdkafka; no group forms on the brokers. */
    kafka_consumer_opts o = {.group_id = "interdict-replay", .partition_eof = 1};
    return kafka_consumer_new(c, &o, errstr, errstr_size);
}

/* The topic's partitions, sorted, into rg. */
static int list_partitions(replay_ctx *x, rp_range *rg, char *errstr, size_t errstr_size)
{
    rd_kafka_topic_partition_list_t *l =
        kafka_partitions(x->rk, rg->topic, RD_KAFKA_OFFSET_INVALID, (int)x->c->kafka_timeout_ms,
                         errstr, errstr_size);
    if (!l)
        return -1;
    rg->n = l->cnt;
    rg->part = calloc((size_t)rg->n + 1, sizeof(*rg->part));
    rg->start = calloc((size_t)rg->n + 1, sizeof(*rg->start));
    rg->end = calloc((size_t)rg->n + 1, sizeof(*rg->end));
    for (int i = 0; rg->part && i < rg->n; i++)
        rg->part[i] = l->elems[i].partition;
    rd_kafka_topic_partition_list_destroy(l);
    if (!rg->part || !rg->start || !rg->end) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    return 0;
}

/* The first offset at or after time ms in each partition (the end where there
 * is none), from the brokers' time index. */
static int offsets_at(replay_ctx *x, const rp_range *rg, int64_t ms, int64_t *out, char *errstr,
                      size_t errstr_size)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(rg->n);
    for (int i = 0; i < rg->n; i++)
        rd_kafka_topic_partition_list_add(l, rg->topic, rg->part[i])->offset = ms;
    rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(x->rk, l, (int)x->c->kafka_timeout_ms);
    for (int i = 0; !err && i < l->cnt; i++) {
        err = l->elems[i].err;
        out[i] = l->elems[i].offset;
    }
    rd_kafka_topic_partition_list_destroy(l);
    if (err)
        snprintf(errstr, errstr_size, "offsets of %s by time: %s", rg->topic,
                 rd_kafka_err2str(err));
    return err ? -1 : 0;
}

static int64_t clamp(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Resolve one bound for every partition into pos (lo/hi: the watermarks). */
static int resolve_bound(replay_ctx *x, const rp_range *rg, const replay_bound *b,
                         const int64_t *lo, const int64_t *hi, int64_t *pos, int is_end,
                         char *errstr, size_t errstr_size)
{
    if (b->kind == REPLAY_BOUND_TIME && offsets_at(x, rg, b->value, pos, errstr, errstr_size) != 0)
        return -1;
    for (int i = 0; i < rg->n; i++) {
        if (b->kind == REPLAY_BOUND_NONE)
            pos[i] = is_end ? hi[i] : lo[i];
        else if (b->kind == REPLAY_BOUND_OFFSET)
            pos[i] = clamp(b->value, lo[i], hi[i]);
        else
            pos[i] = pos[i] < 0 ? hi[i] : clamp(pos[i], lo[i], hi[i]);
    }
    return 0;
}

/* The range [from, to) of a topic, per partition. */
static int resolve(replay_ctx *x, rp_range *rg, const replay_bound *from, const replay_bound *to,
                   char *errstr, size_t errstr_size)
{
    int rc = -1;
    if (list_partitions(x, rg, errstr, errstr_size) != 0)
        return -1;
    int64_t *lo = calloc((size_t)rg->n + 1, sizeof(*lo)),
            *hi = calloc((size_t)rg->n + 1, sizeof(*hi));
    if (!lo || !hi) {
        snprintf(errstr, errstr_size, "out of memory");
        goto out;
    }
    for (int i = 0; i < rg->n; i++) {
        rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
            x->rk, rg->topic, rg->part[i], &lo[i], &hi[i], (int)x->c->kafka_timeout_ms);
        if (err) {
            snprintf(errstr, errstr_size, "watermarks of %s [%d]: %s", rg->topic, rg->part[i],
                     rd_kafka_err2str(err));
            goto out;
        }
    }
    if (resolve_bound(x, rg, from, lo, hi, rg->start, 0, errstr, errstr_size) != 0 ||
        resolve_bound(x, rg, to, lo, hi, rg->end, 1, errstr, errstr_size) != 0)
        goto out;
    for (int i = 0; i < rg->n; i++)
        if (rg->end[i] < rg->start[i])
            rg->end[i] = rg->start[i];
    rc = 0;
out:
    free(lo);
    free(hi);
    return rc;
}

/* Handle one message; returns 0, or -1 with errstr filled. */
typedef int (*rp_msg_fn)(replay_ctx *x, rp_range *rg, const rd_kafka_message_t *m, char *errstr,
                         size_t errstr_size);

/* Where a message belongs: its range and partition index, or -1. */
static int locate(rp_range **rgs, int nrg, const rd_kafka_message_t *m, rp_range **rg)
{
    const char *topic = rd_kafka_topic_name(m->rkt);
    for (int r = 0; r < nrg; r++)
        if (strcmp(rgs[r]->topic, topic) == 0)
            for (int i = 0; i < rgs[r]->n; i++)
                if (rgs[r]->part[i] == m->partition) {
                    *rg = rgs[r];
                    return i;
                }
    return -1;
}

static int assign_ranges(replay_ctx *x, rp_range **rgs, int nrg, char *errstr, size_t errstr_size)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(16);
    for (int r = 0; r < nrg; r++)
        for (int i = 0; i < rgs[r]->n; i++)
            if (rgs[r]->start[i] < rgs[r]->end[i])
                rd_kafka_topic_partition_list_add(l, rgs[r]->topic, rgs[r]->part[i])->offset =
                    rgs[r]->start[i];
    int n = l->cnt;
    rd_kafka_resp_err_t err = rd_kafka_assign(x->rk, n ? l : NULL);
    rd_kafka_topic_partition_list_destroy(l);
    if (err) {
        snprintf(errstr, errstr_size, "assigning %s: %s", rgs[0]->topic, rd_kafka_err2str(err));
        return -1;
    }
    return n;
}

/* A consumer error: fatal ones end the replay, the rest (a broker down) are
 * waited out within kafka.timeout. */
static int consume_error(replay_ctx *x, const rd_kafka_message_t *m, char *errstr,
                         size_t errstr_size)
{
    switch (m->err) {
    case RD_KAFKA_RESP_ERR__FATAL:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE:
        snprintf(errstr, errstr_size, "reading %s: %s",
                 m->rkt ? rd_kafka_topic_name(m->rkt) : "input", rd_kafka_message_errstr(m));
        return -1;
    default:
        LOG_WARN(x->lg, "replay", "reading: %s", rd_kafka_message_errstr(m));
        return 0;
    }
}

/* One message of a range: hand it on, and note when its partition is done.
 * Returns 1 when the partition just finished, 0, or -1. */
static int consume_one(replay_ctx *x, rp_range **rgs, int nrg, char *done,
                       const rd_kafka_message_t *m, rp_msg_fn fn, char *errstr, size_t errstr_size)
{
    rp_range *rg = NULL;
    int i = locate(rgs, nrg, m, &rg);
    if (i < 0)
        return 0; /* left over from an earlier assignment */
    int slot = 0;
    for (int r = 0; r < nrg && rgs[r] != rg; r++)
        slot += rgs[r]->n;
    slot += i;
    if (done[slot])
        return 0;
    /* With read_committed the end seen may be the last stable offset, before
     * the watermark: a transaction still open is not read. */
    int finished = m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF || m->offset >= rg->end[i] - 1;
    if (!m->err && m->offset < rg->end[i]) {
        rd_kafka_timestamp_type_t tt;
        int64_t ts = rd_kafka_message_timestamp(m, &tt);
        rg->messages++;
        if (ts > 0 && (rg->first_ts == 0 || ts < rg->first_ts))
            rg->first_ts = ts;
        if (ts > rg->last_ts)
            rg->last_ts = ts;
        if (fn(x, rg, m, errstr, errstr_size) != 0)
            return -1;
    }
    done[slot] = (char)finished;
    return finished;
}

/* Read every range to its end, calling fn for each message in it. */
static int consume(replay_ctx *x, rp_range **rgs, int nrg, rp_msg_fn fn, const char *what,
                   char *errstr, size_t errstr_size)
{
    int total = 0, rc = -1;
    for (int r = 0; r < nrg; r++)
        total += rgs[r]->n;
    char *done = calloc((size_t)total + 1, 1);
    if (!done) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    /* Empty partitions are done before they start. */
    int slot = 0, left = 0;
    for (int r = 0; r < nrg; r++)
        for (int i = 0; i < rgs[r]->n; i++, slot++)
            done[slot] = rgs[r]->start[i] >= rgs[r]->end[i];
    for (int s = 0; s < total; s++)
        left += !done[s];
    if (left == 0 || assign_ranges(x, rgs, nrg, errstr, errstr_size) < 0) {
        rc = left == 0 ? 0 : -1;
        goto out;
    }
    int64_t last_ns = tf_mono_ns();
    while (left > 0) {
        if (!*x->run) {
            snprintf(errstr, errstr_size, "interrupted");
            goto out;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(x->rk, RP_POLL_MS);
        progress(x, what, rgs[0]->messages, 0);
        if (!m) {
            if ((tf_mono_ns() - last_ns) / 1000000 > x->c->kafka_timeout_ms) {
                snprintf(errstr, errstr_size,
                         "reading %s: nothing arrived within kafka.timeout, %d partition(s) not "
                         "at the end of the range",
                         rgs[0]->topic, left);
                goto out;
            }
            continue;
        }
        last_ns = tf_mono_ns();
        int k = m->err && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF
                    ? consume_error(x, m, errstr, errstr_size)
                    : consume_one(x, rgs, nrg, done, m, fn, errstr, errstr_size);
        rd_kafka_message_destroy(m);
        if (k < 0)
            goto out;
        left -= k;
    }
    rc = 0;
out:
    rd_kafka_assign(x->rk, NULL);
    free(done);
    return rc;
}

/* ---- input records -------------------------------------------------------- */

static int push_event(replay_ctx *x, int64_t time_ms, int kind, const rd_kafka_message_t *m,
                      size_t index)
{
    if (vec_reserve((void **)&x->ev, &x->capev, x->nev + 1, sizeof(*x->ev), 4096) != 0)
        return -1;
    x->ev[x->nev++] = (rp_event){time_ms, kind, m->partition, m->offset, index};
    return 0;
}

/* Room for one more item after the n there are. */
static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
    return vec_reserve(arr, cap, n + 1, size, 4096);
}

static int oom(char *errstr, size_t errstr_size)
{
    snprintf(errstr, errstr_size, "out of memory holding the range: replay a shorter one");
    return -1;
}

/* Decoded and admitted as far as that needs no state; the rest of the
 * admission happens in screening, per run. */
static int on_transfer(replay_ctx *x, rp_range *rg, const rd_kafka_message_t *m, char *errstr,
                       size_t errstr_size)
{
    scr_result res;
    (void)rg;
    if (!x->tx && !(x->tx = malloc(sizeof(*x->tx))))
        return oom(errstr, errstr_size);
    /* History: no event-time window against today's clock. */
    if (!scr_decode_transfer(&x->rd, m->key, m->key_len, m->payload, m->len, 0, x->tx, &res)) {
        x->in.rejected[res.reason]++;
        x->in.rejected_total++;
        return 0;
    }
    for (size_t i = 0; i < x->tx->n; i++) {
        const ix_transfer *t = &x->tx->t[i];
        if (!scr_admit_transfer(&x->rd, t, &res)) {
            x->in.foreign++;
            continue;
        }
        if (grow((void **)&x->tr, &x->captr, x->ntr, sizeof(*x->tr)) != 0)
            return oom(errstr, errstr_size);
        x->tr[x->ntr] = *t;
        if (push_event(x, t->event_time_ms, RP_TRANSFER, m, x->ntr++) != 0)
            return oom(errstr, errstr_size);
    }
    return 0;
}

static int on_report(replay_ctx *x, rp_range *rg, const rd_kafka_message_t *m, char *errstr,
                     size_t errstr_size)
{
    scr_result res;
    (void)rg;
    if (grow((void **)&x->rep, &x->caprep, x->nrep, sizeof(*x->rep)) != 0)
        return oom(errstr, errstr_size);
    ix_report *r = &x->rep[x->nrep];
    if (!scr_decode_report(&x->rd, m->payload, m->len, r, &res)) {
        x->in.reports_rejected++;
        return 0;
    }
    if (push_event(x, r->reported_at_ms, RP_REPORT, m, x->nrep++) != 0)
        return oom(errstr, errstr_size);
    return 0;
}

/* A table record, decoded once and applied to every run's store. */
static int on_table(replay_ctx *x, rp_range *rg, const rd_kafka_message_t *m, char *errstr,
                    size_t errstr_size)
{
    char why[512];
    scr_update u;
    scr_result res;
    if (!scr_decode_update(&x->rd, rg == &x->in.watchlist, m->key, m->key_len, m->payload, m->len,
                           &u, &res)) {
        x->in.table_rejected++;
        return 0;
    }
    for (int i = 0; i < x->nruns; i++)
        if (scr_apply_update(&x->runs[i].scr, &u, &res, why, sizeof(why)) != 0) {
            snprintf(errstr, errstr_size, "temporary state: %s", why);
            return -1;
        }
    x->in.profiles += u.kind == SCR_PROFILE;
    x->in.watch += u.kind == SCR_WATCH;
    x->in.tombstones += u.kind == SCR_UNWATCH;
    return 0;
}

/* A desk message, decoded once and kept to be applied at its time. */
static int on_desk(replay_ctx *x, rp_range *rg, const rd_kafka_message_t *m, char *errstr,
                   size_t errstr_size)
{
    scr_result res;
    rd_kafka_timestamp_type_t tt;
    scr_table table = rg == &x->in.allowlist ? SCR_T_ALLOWLIST : SCR_T_VERDICTS;
    if (grow((void **)&x->desk, &x->capdesk, x->ndesk, sizeof(*x->desk)) != 0)
        return oom(errstr, errstr_size);
    scr_update *u = &x->desk[x->ndesk];
    if (!scr_decode_update(&x->rd, table, m->key, m->key_len, m->payload, m->len, u, &res)) {
        x->in.desk_rejected++;
        return 0;
    }
    int64_t at = u->kind == SCR_ALLOW     ? u->allow.added_ms
                 : u->kind == SCR_VERDICT ? u->verdict.decided_ms
                                          : rd_kafka_message_timestamp(m, &tt);
    x->in.allows += u->kind == SCR_ALLOW;
    x->in.unallows += u->kind == SCR_UNALLOW;
    x->in.verdicts_read += u->kind == SCR_VERDICT;
    if (push_event(x, at, RP_DESK, m, x->ndesk++) != 0)
        return oom(errstr, errstr_size);
    return 0;
}

/* ---- reading the input ----------------------------------------------------- */

static int read_tables(replay_ctx *x, char *errstr, size_t errstr_size)
{
    static const replay_bound all = {REPLAY_BOUND_NONE, 0};
    char why[512];
    load_stats st;
    x->in.accounts.topic = x->c->topic_accounts;
    x->in.watchlist.topic = x->c->topic_watchlist;
    for (int i = 0; x->c->watchlist_file && x->c->watchlist_file[0] && i < x->nruns; i++)
        if (load_watchlist(x->runs[i].g, x->c->watchlist_file, i == 0 ? x->err : NULL, &st, why,
                           sizeof(why)) != 0) {
            snprintf(errstr, errstr_size, "watchlist.file: %s", why);
            return -1;
        }
    rp_range *rgs[2] = {&x->in.accounts, &x->in.watchlist};
    if (resolve(x, rgs[0], &all, &all, errstr, errstr_size) != 0 ||
        resolve(x, rgs[1], &all, &all, errstr, errstr_size) != 0)
        return -1;
    return consume(x, rgs, 2, on_table, "%" PRId64 " table records read", errstr, errstr_size);
}

/* With offsets as bounds, the reports are bounded by the Kafka timestamps
 * of the first and last transfer read: the same stretch of time. */
static void report_bounds(const replay_ctx *x, replay_bound *from, replay_bound *to)
{
    const rp_range *t = &x->in.transfers;
    *from = x->o->from;
    *to = x->o->to;
    if (from->kind == REPLAY_BOUND_OFFSET)
        *from = (replay_bound){REPLAY_BOUND_TIME, t->first_ts};
    if (to->kind == REPLAY_BOUND_OFFSET)
        *to = (replay_bound){REPLAY_BOUND_TIME, t->last_ts + 1};
    if (t->messages == 0 &&
        (x->o->from.kind == REPLAY_BOUND_OFFSET || x->o->to.kind == REPLAY_BOUND_OFFSET))
        *from = *to = (replay_bound){REPLAY_BOUND_TIME, INT64_MAX / 2};
}

static int read_desk(replay_ctx *x, char *errstr, size_t errstr_size)
{
    static const replay_bound all = {REPLAY_BOUND_NONE, 0};
    rp_range *rgs[2] = {&x->in.allowlist, &x->in.verdicts};
    x->in.allowlist.topic = x->c->topic_allowlist;
    x->in.verdicts.topic = x->c->topic_verdicts;
    if (resolve(x, rgs[0], &all, &all, errstr, errstr_size) != 0 ||
        resolve(x, rgs[1], &all, &all, errstr, errstr_size) != 0)
        return -1;
    return consume(x, rgs, 2, on_desk, "%" PRId64 " desk records read", errstr, errstr_size);
}

static int read_stream(replay_ctx *x, char *errstr, size_t errstr_size)
{
    replay_bound rf, rt;
    rp_range *t = &x->in.transfers, *r = &x->in.reports;
    t->topic = x->c->topic_transfers;
    r->topic = x->c->topic_reports;
    if (resolve(x, t, &x->o->from, &x->o->to, errstr, errstr_size) != 0 ||
        consume(x, &t, 1, on_transfer, "%" PRId64 " transfers read", errstr, errstr_size) != 0)
        return -1;
    report_bounds(x, &rf, &rt);
    if (resolve(x, r, &rf, &rt, errstr, errstr_size) != 0 ||
        consume(x, &r, 1, on_report, "%" PRId64 " reports read", errstr, errstr_size) != 0)
        return -1;
    return 0;
}

/* ---- screening ------------------------------------------------------------- */

static int event_cmp(const void *a, const void *b)
{
    const rp_event *x = a, *y = b;
    if (x->time_ms != y->time_ms)
        return x->time_ms < y->time_ms ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    if (x->partition != y->partition)
        return x->partition < y->partition ? -1 : 1;
    if (x->offset != y->offset)
        return x->offset < y->offset ? -1 : 1;
    /* The transactions of one message, in document order. */
    return x->index < y->index ? -1 : x->index > y->index;
}

/* The request's document, as emit.c publishes it. Returns 0, or -2 when out
 * of memory. */
static int keep_document(rp_req *k, const ix_request *q)
{
    char *buf = malloc(ENC_REQUEST_MAX);
    if (!buf)
        return -2;
    int n = enc_request(q, buf, ENC_REQUEST_MAX);
    if (n <= 0) {
        /* Bounded by the encoder's clamps; the report then shows null. */
        free(buf);
        return 0;
    }
    char *fit = realloc(buf, (size_t)n + 1);
    k->doc = fit ? fit : buf;
    k->doc_len = (size_t)n;
    return 0;
}

/* Returns 0, or -2 when out of memory. */
static int keep_requests(rp_run *r, const ix_request *q, int n)
{
    for (int i = 0; i < n; i++) {
        if (grow((void **)&r->reqs, &r->capreqs, r->nreqs, sizeof(*r->reqs)) != 0)
            return -2;
        rp_req *k = &r->reqs[r->nreqs++];
        memset(k, 0, sizeof(*k));
        if (keep_document(k, &q[i]) != 0)
            return -2;
        memcpy(k->account, q[i].account, sizeof(k->account));
        memcpy(k->bank, q[i].bank, sizeof(k->bank));
        memcpy(k->id, q[i].id, sizeof(k->id));
        memcpy(k->trigger, q[i].trigger_id, sizeof(k->trigger));
        k->trigger_time_ms = q[i].trigger_time_ms;
        k->action = q[i].action;
        k->score = q[i].score;
        for (int f = 0; f < q[i].nfindings; f++) {
            const char *code = q[i].findings[f].code;
            int seen = 0;
            for (int j = 0; j < k->ncodes && !seen; j++)
                seen = strcmp(k->codes[j], code) == 0;
            if (!seen)
                snprintf(k->codes[k->ncodes++], RP_CODE_MAX, "%s", code);
        }
    }
    return 0;
}

/* Step 3 (screen.h) after each event at time now_ms: a parked report
 * traced counts as traced, one that expired as unknown. Returns 0, -1 with
 * errstr, or -2 when out of memory. */
static int settle_parks(rp_run *r, const ix_transfer *t, int64_t now_ms, char *errstr,
                        size_t errstr_size)
{
    park_entry *pe;
    scr_result res;
    int k;
    while ((k = scr_next_park(&r->scr, t, now_ms, &pe, &res, errstr, errstr_size)) > 0) {
        int found = res.verdict == SCR_SCREENED;
        park_entry_free(pe);
        r->traced += found;
        r->unknown += !found;
        if (found && keep_requests(r, r->scr.reqs, res.nreqs) != 0)
            return -2;
    }
    return k;
}

/* Screened at its own event time: the replay's clock. */
static int screen_transfer(rp_run *r, const ix_transfer *t, char *errstr, size_t errstr_size)
{
    scr_result res;
    if (scr_transfer(&r->scr, t, t->event_time_ms, &res, errstr, errstr_size) != 0)
        return -1;
    if (res.verdict == SCR_REJECTED) {
        r->duplicates += res.reason == RSN_DUPLICATE_TRANSFER;
    } else {
        r->screened++;
        if (keep_requests(r, r->scr.reqs, res.nreqs) != 0)
            return -2;
    }
    return settle_parks(r, t, t->event_time_ms, errstr, errstr_size);
}

/* No original message is kept: a replay sends no dead letters. */
static int screen_report(rp_run *r, const ix_report *rep, char *errstr, size_t errstr_size)
{
    scr_result res;
    if (scr_report(&r->scr, rep, NULL, rep->reported_at_ms, &res, errstr, errstr_size) != 0)
        return -1;
    int found = res.verdict == SCR_SCREENED;
    r->traced += found;
    r->unknown += res.verdict == SCR_REJECTED;
    if (keep_requests(r, r->scr.reqs, found ? res.nreqs : 0) != 0)
        return -2;
    return settle_parks(r, NULL, rep->reported_at_ms, errstr, errstr_size);
}

/* A verdict refused here was dead-lettered live: counted, not fatal. */
static int screen_desk(rp_run *r, const scr_update *u, char *errstr, size_t errstr_size)
{
    scr_result res;
    if (scr_apply_update(&r->scr, u, &res, errstr, errstr_size) != 0)
        return -1;
    r->verdicts += u->kind == SCR_VERDICT && res.verdict == SCR_APPLIED;
    r->refused += res.verdict == SCR_REJECTED;
    return 0;
}

/* Returns 0, or -1 with errstr filled. */
static int screen_event(replay_ctx *x, rp_run *r, const rp_event *e, char *errstr,
                        size_t errstr_size)
{
    char why[512];
    int rc = e->kind == RP_TRANSFER ? screen_transfer(r, &x->tr[e->index], why, sizeof(why))
             : e->kind == RP_REPORT ? screen_report(r, &x->rep[e->index], why, sizeof(why))
                                    : screen_desk(r, &x->desk[e->index], why, sizeof(why));
    if (rc != 0)
        snprintf(errstr, errstr_size, "run %s: %s", r->label, rc == -1 ? why : "out of memory");
    return rc != 0 ? -1 : 0;
}

/* Write the stores now and then, so that the account caches can evict. */
static int checkpoint_all(replay_ctx *x, char *errstr, size_t errstr_size)
{
    char why[512];
    for (int i = 0; i < x->nruns; i++)
        if (graph_checkpoint(x->runs[i].g, NULL, 0, why, sizeof(why)) != 0) {
            snprintf(errstr, errstr_size, "temporary state of run %s: %s", x->runs[i].label, why);
            return -1;
        }
    return 0;
}

static int screen_all(replay_ctx *x, char *errstr, size_t errstr_size)
{
    if (x->nev > 0) {
        qsort(x->ev, x->nev, sizeof(*x->ev), event_cmp);
        x->in.first_event_ms = x->ev[0].time_ms;
        x->in.last_event_ms = x->ev[x->nev - 1].time_ms;
    }
    for (size_t i = 0; i < x->nev; i++) {
        if ((i & 1023) == 0 && !*x->run) {
            snprintf(errstr, errstr_size, "interrupted");
            return -1;
        }
        atomic_store(&x->clock_ms, x->ev[i].time_ms);
        for (int k = 0; k < x->nruns; k++)
            if (screen_event(x, &x->runs[k], &x->ev[i], errstr, errstr_size) != 0)
                return -1;
        if ((i + 1) % RP_CHECKPOINT == 0 && checkpoint_all(x, errstr, errstr_size) != 0)
            return -1;
        progress(x, "%" PRId64 " of %" PRId64 " screened", (int64_t)i + 1, (int64_t)x->nev);
    }
    /* Reports still waiting at the end of the range never found their
     * transfer in it. */
    for (int k = 0; k < x->nruns; k++) {
        graph_stats gs;
        graph_get_stats(x->runs[k].g, &gs);
        x->runs[k].unknown += (int64_t)gs.parked;
    }
    return 0;
}

/* ---- the command ------------------------------------------------------------ */

static int replay_main(replay_ctx *x, char *errstr, size_t errstr_size)
{
    int rc = setup_runs(x, errstr, errstr_size);
    if (rc != 0)
        return rc;
    x->rk = new_consumer(x->c, errstr, errstr_size);
    if (!x->rk || read_tables(x, errstr, errstr_size) != 0 ||
        read_desk(x, errstr, errstr_size) != 0 || read_stream(x, errstr, errstr_size) != 0 ||
        screen_all(x, errstr, errstr_size) != 0)
        return -1;
    return 0;
}

/* Bounds of one kind can be compared before anything is read; an offset and
 * a time only once resolved, per partition (resolve(), where an end before
 * its start reads nothing). */
static int check_range(const replay_opts *o, char *errstr, size_t errstr_size)
{
    if (o->from.kind == REPLAY_BOUND_NONE || o->from.kind != o->to.kind ||
        o->from.value <= o->to.value)
        return 0; /* from == to is an empty range, asked for: not an error */
    snprintf(errstr, errstr_size, "--from is after --to: the range [from, to) is inverted");
    return -2;
}

int replay_run(const cfg *c, const replay_opts *o, const ix_log *lg, volatile sig_atomic_t *run,
               FILE *out, FILE *err, char *errstr, size_t errstr_size)
{
    if (check_range(o, errstr, errstr_size) != 0)
        return -2;
    replay_ctx *x = calloc(1, sizeof(*x));
    if (!x) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    x->c = c;
    x->o = o;
    x->lg = lg;
    x->run = run;
    x->err = err;
    scr_init(&x->rd, c, NULL, NULL, NULL, NULL);
    errstr[0] = '\0';
    int rc = replay_main(x, errstr, errstr_size);
    if (rc == 0 && o->json && rp_report_json(&x->in, x->runs, x->nruns, c->currency, out) != 0) {
        snprintf(errstr, errstr_size, "encoding the JSON report failed");
        rc = -1;
    } else if (rc == 0 && !o->json) {
        rp_report_text(&x->in, x->runs, x->nruns, c->currency, out);
    }
    teardown(x);
    free(x);
    return rc;
}
