/* worker.c - screening threads: decode, apply, rule, emit. */
#include "worker.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "hash.h"
#include "timefmt.h"

#define WK_MAX_REQUESTS RULES_MAX_TRACE /* requests one message can raise */

typedef struct item {
    rd_kafka_message_t *m;
    wk_part *pt;
} item;

typedef struct worker {
    struct wk_pool *pool;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t more; /* work arrived, or stop */
    pthread_cond_t idle; /* the queue ran dry and nothing is in hand */
    item *q;
    size_t head, len, cap;
    int busy, stop, started;
    stats interval;   /* since the last collect, guarded by lock */
    ix_request *reqs; /* scratch */
    dec_limits lim;
} worker;

struct wk_pool {
    wk_env env;
    worker *w;
    int n;
    pthread_mutex_t fail_lock;
    int failed;
    char fail_msg[1024];
};

static void fail(worker *w, const char *fmt, const char *detail)
{
    wk_pool *p = w->pool;
    pthread_mutex_lock(&p->fail_lock);
    if (!p->failed) {
        p->failed = 1;
        snprintf(p->fail_msg, sizeof(p->fail_msg), fmt, detail);
    }
    pthread_mutex_unlock(&p->fail_lock);
}

/* ---- screening one message; counters go to the worker's interval */

static void deadletter(worker *w, const rd_kafka_message_t *m, int suppress, rsn_reason reason,
                       const char *detail)
{
    char errstr[512];
    w->interval.dead_by_reason[reason]++;
    if (suppress)
        return;
    emit_source src = {rd_kafka_topic_name(m->rkt),
                       m->partition,
                       m->offset,
                       m->key,
                       m->key_len,
                       m->payload,
                       m->len};
    if (emit_deadletter(*w->pool->env.out, &src, rsn_code(reason), detail, errstr,
                        sizeof(errstr)) != 0)
        fail(w, "dead-letter: %s", errstr);
    w->interval.deadletters++;
}

static void reject(worker *w, const rd_kafka_message_t *m, int suppress, const dec_error *de)
{
    char detail[256];
    /* The reason has a header of its own; the detail names the field. */
    if (de->field[0])
        snprintf(detail, sizeof(detail), "%s: %s", de->field, de->detail);
    else
        snprintf(detail, sizeof(detail), "%s", de->detail);
    LOG_DEBUG(w->pool->env.log, "worker", "%s [%d] @%" PRId64 " rejected: %s",
              rd_kafka_topic_name(m->rkt), m->partition, m->offset, detail);
    deadletter(w, m, suppress, de->reason, detail);
}

static void emit_requests(worker *w, int n, int suppress)
{
    char errstr[512];
    for (int i = 0; i < n; i++) {
        const ix_request *rq = &w->reqs[i];
        if (!suppress && emit_request(*w->pool->env.out, rq, errstr, sizeof(errstr)) != 0) {
            fail(w, "emitting request: %s", errstr);
            return;
        }
        if (!suppress) {
            w->interval.requests++;
            w->interval.by_action[rq->action]++;
        }
        LOG_DEBUG(w->pool->env.log, "worker", "%s %s %s score %d%s", ix_action_name(rq->action),
                  rq->account, rq->id, rq->score, suppress ? " (replayed, not re-sent)" : "");
    }
}

/* Checks after decoding that need the configuration or the state. Returns 0
 * when the transfer is to be screened. */
static int admit_transfer(worker *w, const rd_kafka_message_t *m, int suppress,
                          const ix_transfer *t)
{
    char errstr[512], detail[160];
    const wk_env *env = &w->pool->env;
    if (strcmp(t->currency, env->c->currency) != 0) {
        snprintf(detail, sizeof(detail), "currency: %s, this instance screens %s", t->currency,
                 env->c->currency);
        deadletter(w, m, suppress, RSN_FOREIGN_CURRENCY, detail);
        return -1;
    }
    int seen = graph_seen_transfer(env->g, t->id, t->event_time_ms, errstr, sizeof(errstr));
    if (seen < 0) {
        fail(w, "graph: %s", errstr);
        return -1;
    }
    if (seen) {
        snprintf(detail, sizeof(detail), "transfer_id: %.64s was screened before", t->id);
        deadletter(w, m, suppress, RSN_DUPLICATE_TRANSFER, detail);
        return -1;
    }
    return 0;
}

static void screen_transfer(worker *w, const wk_part *pt, const rd_kafka_message_t *m)
{
    char errstr[512];
    ix_transfer t;
    dec_error de;
    graph_acct from, to;
    const wk_env *env = &w->pool->env;
    int suppress = m->offset < pt->suppress_until;

    w->interval.transfers++;
    if (suppress)
        w->interval.replayed++;
    w->lim.now_ms = tf_now_ms();
    if (dec_transfer(m->payload, m->len, &w->lim, &t, &de) != RSN_OK) {
        reject(w, m, suppress, &de);
        return;
    }
    if (admit_transfer(w, m, suppress, &t) != 0)
        return;
    if (graph_apply_transfer(env->g, &t, &from, &to, errstr, sizeof(errstr)) != 0) {
        fail(w, "graph: %s", errstr);
        return;
    }
    int n = rules_screen(*env->r, env->g, &t, &from, &to, tf_now_ms(), w->reqs, WK_MAX_REQUESTS,
                         w->interval.rule_hits, errstr, sizeof(errstr));
    if (n < 0) {
        fail(w, "rules: %s", errstr);
        return;
    }
    w->interval.screened++;
    emit_requests(w, n, suppress);
}

/* A victim's fraud report: trace the reported money and freeze where it went. */
static void screen_report(worker *w, const wk_part *pt, const rd_kafka_message_t *m)
{
    char errstr[512];
    ix_report rep;
    dec_error de;
    const wk_env *env = &w->pool->env;
    int suppress = m->offset < pt->suppress_until, found = 0;

    w->interval.reports++;
    w->lim.now_ms = 0; /* a report may name an old transfer; the trace bounds time */
    if (dec_report(m->payload, m->len, &w->lim, &rep, &de) != RSN_OK) {
        reject(w, m, suppress, &de);
        return;
    }
    int n = rules_trace(*env->r, env->g, &rep, tf_now_ms(), w->reqs, WK_MAX_REQUESTS, &found,
                        w->interval.rule_hits, errstr, sizeof(errstr));
    if (n < 0) {
        fail(w, "trace: %s", errstr);
        return;
    }
    if (!found) {
        char detail[256];
        snprintf(detail, sizeof(detail),
                 "transfer_id: %s of %s is not in the state store (not screened yet, or older "
                 "than state.retention)",
                 rep.transfer_id, rep.victim_account);
        deadletter(w, m, suppress, RSN_UNKNOWN_TRANSFER, detail);
        return;
    }
    LOG_INFO(env->log, "worker", "report %s: money of %s traced to %d account(s)", rep.id,
             rep.victim_account, n);
    emit_requests(w, n, suppress);
}

/* The key of a table message must be its account, so that compaction keeps
 * the latest entry per account. */
static int key_is(const rd_kafka_message_t *m, const char *account)
{
    size_t n = strlen(account);
    return m->key && m->key_len == n && memcmp(m->key, account, n) == 0;
}

static void apply_tombstone(worker *w, const rd_kafka_message_t *m)
{
    char errstr[512], account[IX_ACCOUNT_MAX + 1];
    if (!m->key || m->key_len == 0 || m->key_len > IX_ACCOUNT_MAX ||
        memchr(m->key, '\0', m->key_len)) {
        deadletter(w, m, 0, RSN_BAD_KEY, "tombstone without a valid account key");
        return;
    }
    memcpy(account, m->key, m->key_len);
    account[m->key_len] = '\0';
    if (graph_del_watch(w->pool->env.g, account, NULL, errstr, sizeof(errstr)) != 0)
        fail(w, "graph: %s", errstr);
}

static void apply_table(worker *w, const rd_kafka_message_t *m)
{
    char errstr[512];
    dec_error de;
    const wk_env *env = &w->pool->env;
    int is_watch = strcmp(rd_kafka_topic_name(m->rkt), env->c->topic_watchlist) == 0;
    int rc = 0;

    w->lim.now_ms = 0; /* table entries may be old; no event-time range */
    if (is_watch && !m->payload) {
        apply_tombstone(w, m);
    } else if (is_watch) {
        ix_watch wl;
        if (dec_watch(m->payload, m->len, &w->lim, &wl, &de) != RSN_OK) {
            reject(w, m, 0, &de);
            return;
        }
        if (!key_is(m, wl.account)) {
            deadletter(w, m, 0, RSN_BAD_KEY, "message key is not the entry's account");
            return;
        }
        rc = graph_put_watch(env->g, &wl, NULL, errstr, sizeof(errstr));
        LOG_DEBUG(env->log, "worker", "watch list: %s from %s [%" PRId32 "] @%" PRId64, wl.account,
                  rd_kafka_topic_name(m->rkt), m->partition, m->offset);
    } else {
        ix_account a;
        if (dec_account(m->payload, m->len, &w->lim, &a, &de) != RSN_OK) {
            reject(w, m, 0, &de);
            return;
        }
        if (!key_is(m, a.account)) {
            deadletter(w, m, 0, RSN_BAD_KEY, "message key is not the profile's account");
            return;
        }
        rc = graph_put_profile(env->g, &a, NULL, errstr, sizeof(errstr));
    }
    if (rc != 0)
        fail(w, "graph: %s", errstr);
    w->interval.table_updates++;
}

static void record_latency(worker *w, const rd_kafka_message_t *m, int64_t t0)
{
    int64_t ns = tf_mono_ns() - t0;
    rd_kafka_timestamp_type_t tt;
    int64_t ts = rd_kafka_message_timestamp(m, &tt);
    w->interval.busy_ns += (uint64_t)ns;
    w->interval.proc_ns_sum += (uint64_t)ns;
    w->interval.proc_hist[stats_hist_bucket(ns)]++;
    if (tt == RD_KAFKA_TIMESTAMP_CREATE_TIME && ts > 0) {
        int64_t e2e = tf_now_ms() - ts;
        if (e2e < 0)
            e2e = 0; /* clocks of producer and screener disagree */
        w->interval.e2e_ms_sum += (uint64_t)e2e;
        w->interval.e2e_hist[stats_hist_bucket(e2e * 1000000)]++;
    }
}

static void process(worker *w, rd_kafka_message_t *m, wk_part *pt)
{
    int64_t t0 = tf_mono_ns();
    if (pt->kind == WK_TABLE)
        apply_table(w, m);
    else if (pt->kind == WK_REPORTS)
        screen_report(w, pt, m);
    else
        screen_transfer(w, pt, m);
    atomic_store(&pt->next, m->offset + 1);
    if (pt->kind != WK_TABLE)
        record_latency(w, m, t0);
    rd_kafka_message_destroy(m);
}

/* ---- threads */

static void *run(void *arg)
{
    worker *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (w->len == 0 && !w->stop) {
            w->busy = 0;
            pthread_cond_broadcast(&w->idle);
            pthread_cond_wait(&w->more, &w->lock);
        }
        if (w->len == 0 && w->stop)
            break;
        item it = w->q[w->head];
        w->head = (w->head + 1) % w->cap;
        w->len--;
        w->busy = 1;
        /* Counters are only read at a barrier, when this worker is idle, so
         * screening outside the lock is safe. */
        pthread_mutex_unlock(&w->lock);
        process(w, it.m, it.pt);
        pthread_mutex_lock(&w->lock);
    }
    w->busy = 0;
    pthread_cond_broadcast(&w->idle);
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

static int worker_init(wk_pool *p, worker *w, char *errstr, size_t errstr_size)
{
    w->pool = p;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->more, NULL);
    pthread_cond_init(&w->idle, NULL);
    w->cap = 1024;
    w->q = calloc(w->cap, sizeof(*w->q));
    w->reqs = calloc(WK_MAX_REQUESTS, sizeof(*w->reqs));
    if (!w->q || !w->reqs) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    dec_limits_default(&w->lim);
    w->lim.max_bytes = (size_t)p->env.c->input_max_bytes;
    w->lim.max_past_ms = p->env.c->input_max_past_ms;
    w->lim.max_future_ms = p->env.c->input_max_future_ms;
    if (pthread_create(&w->thread, NULL, run, w) != 0) {
        snprintf(errstr, errstr_size, "cannot start a worker thread");
        return -1;
    }
    w->started = 1;
    return 0;
}

wk_pool *wk_pool_new(int n, const wk_env *env, char *errstr, size_t errstr_size)
{
    wk_pool *p = calloc(1, sizeof(*p));
    if (!p || n < 1) {
        snprintf(errstr, errstr_size, n < 1 ? "no workers" : "out of memory");
        free(p);
        return NULL;
    }
    p->env = *env;
    p->n = n;
    pthread_mutex_init(&p->fail_lock, NULL);
    p->w = calloc((size_t)n, sizeof(*p->w));
    if (!p->w) {
        snprintf(errstr, errstr_size, "out of memory");
        wk_pool_free(p);
        return NULL;
    }
    for (int i = 0; i < n; i++)
        if (worker_init(p, &p->w[i], errstr, errstr_size) != 0) {
            wk_pool_free(p);
            return NULL;
        }
    return p;
}

void wk_pool_free(wk_pool *p)
{
    if (!p)
        return;
    for (int i = 0; p->w && i < p->n; i++) {
        worker *w = &p->w[i];
        if (w->started) {
            pthread_mutex_lock(&w->lock);
            w->stop = 1;
            pthread_cond_signal(&w->more);
            pthread_mutex_unlock(&w->lock);
            pthread_join(w->thread, NULL);
        }
        for (size_t k = 0; k < w->len; k++)
            rd_kafka_message_destroy(w->q[(w->head + k) % w->cap].m);
        free(w->q);
        free(w->reqs);
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->more);
        pthread_cond_destroy(&w->idle);
    }
    free(p->w);
    pthread_mutex_destroy(&p->fail_lock);
    free(p);
}

/* The worker of a partition: FNV over topic and partition, so that the same
 * partition always lands on the same worker. */
static worker *worker_of(wk_pool *p, const wk_part *pt)
{
    uint64_t h = hash_fnv1a64(HASH_FNV64_INIT, pt->topic, strlen(pt->topic));
    h = hash_fnv1a64(h, &pt->partition, sizeof(pt->partition));
    return &p->w[h % (uint64_t)p->n];
}

static int queue_grow(worker *w)
{
    size_t cap = w->cap * 2;
    item *n = malloc(cap * sizeof(*n));
    if (!n)
        return -1;
    for (size_t k = 0; k < w->len; k++)
        n[k] = w->q[(w->head + k) % w->cap];
    free(w->q);
    w->q = n;
    w->cap = cap;
    w->head = 0;
    return 0;
}

void wk_submit(wk_pool *p, rd_kafka_message_t *m, wk_part *pt)
{
    worker *w = worker_of(p, pt);
    pthread_mutex_lock(&w->lock);
    /* The pipeline pauses consumption long before a queue gets large; a
     * failed grow is an out-of-memory condition worth stopping for. */
    if (w->len == w->cap && queue_grow(w) != 0) {
        pthread_mutex_unlock(&w->lock);
        fail(w, "%s", "out of memory growing a worker queue");
        rd_kafka_message_destroy(m);
        return;
    }
    w->q[(w->head + w->len) % w->cap] = (item){m, pt};
    w->len++;
    w->busy = 1;
    pthread_cond_signal(&w->more);
    pthread_mutex_unlock(&w->lock);
}

size_t wk_queued(wk_pool *p)
{
    size_t n = 0;
    for (int i = 0; i < p->n; i++) {
        pthread_mutex_lock(&p->w[i].lock);
        n += p->w[i].len;
        pthread_mutex_unlock(&p->w[i].lock);
    }
    return n;
}

void wk_drain(wk_pool *p)
{
    for (int i = 0; i < p->n; i++) {
        worker *w = &p->w[i];
        pthread_mutex_lock(&w->lock);
        while (w->len > 0 || w->busy)
            pthread_cond_wait(&w->idle, &w->lock);
        pthread_mutex_unlock(&w->lock);
    }
}

void wk_collect(wk_pool *p, stats *sum)
{
    for (int i = 0; i < p->n; i++) {
        worker *w = &p->w[i];
        pthread_mutex_lock(&w->lock);
        stats_add(sum, &w->interval);
        memset(&w->interval, 0, sizeof(w->interval));
        pthread_mutex_unlock(&w->lock);
    }
}

void wk_discard(wk_pool *p)
{
    stats scratch;
    wk_collect(p, &scratch);
}

int wk_failed(wk_pool *p, char *msg, size_t size)
{
    pthread_mutex_lock(&p->fail_lock);
    int f = p->failed;
    if (f && msg)
        snprintf(msg, size, "%s", p->fail_msg);
    pthread_mutex_unlock(&p->fail_lock);
    return f;
}

void wk_process_inline(wk_pool *p, rd_kafka_message_t *m, wk_part *pt)
{
    worker *w = worker_of(p, pt);
    /* The worker is idle (nothing was submitted yet), so its counters and
     * scratch can be used from here. */
    process(w, m, pt);
}
