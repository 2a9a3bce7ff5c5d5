/* worker.c - screening threads: screen (screen.h), count, emit. */
#include "worker.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "screen.h"
#include "timefmt.h"

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
    stats interval;    /* since the last collect, guarded by lock */
    ix_request *reqs;  /* scratch: the requests of the message in hand */
    scr_transfers *tx; /* scratch: the transfers of the message in hand */
    scr_ctx scr;       /* its rules are the current set, taken per message */
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

/* ---- screening one message (screen.h); counters go to the worker's interval */

static void deadletter(worker *w, const rd_kafka_message_t *m, int suppress, const scr_result *res)
{
    char errstr[512];
    w->interval.dead_by_reason[res->reason]++;
    LOG_DEBUG(w->pool->env.log, "worker", "%s [%d] @%" PRId64 " rejected: %s",
              rd_kafka_topic_name(m->rkt), m->partition, m->offset, res->detail);
    if (suppress)
        return;
    emit_source src = {rd_kafka_topic_name(m->rkt),
                       m->partition,
                       m->offset,
                       m->key,
                       m->key_len,
                       m->payload,
                       m->len};
    if (emit_deadletter(*w->pool->env.out, &src, rsn_code(res->reason), res->detail, errstr,
                        sizeof(errstr)) != 0)
        fail(w, "dead-letter: %s", errstr);
    w->interval.deadletters++;
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
        char acct[IX_LOG_ACCOUNT_MAX];
        LOG_DEBUG(w->pool->env.log, "worker", "%s %s %s score %d%s", ix_action_name(rq->action),
                  ix_log_account(w->pool->env.log, rq->account, acct, sizeof(acct)), rq->id,
                  rq->score, suppress ? " (replayed, not re-sent)" : "");
    }
}

/* The outcome of a screening: a fatal error, a dead letter, or on. Returns 1
 * when the message was screened or applied. */
static int settle(worker *w, const rd_kafka_message_t *m, int suppress, int rc, const char *errstr,
                  const scr_result *res)
{
    if (rc != 0) {
        fail(w, "%s", errstr);
        return 0;
    }
    if (res->verdict == SCR_REJECTED) {
        deadletter(w, m, suppress, res);
        return 0;
    }
    return 1;
}

/* A message may carry several transfers (pacs.008): each is screened in
 * turn and judged on its own, a refused one dead-lettered by itself. */
static void screen_transfer(worker *w, const wk_part *pt, const rd_kafka_message_t *m)
{
    char errstr[512];
    scr_result res;
    int suppress = m->offset < pt->suppress_until;
    int64_t now = tf_now_ms(); /* live: the input window and detection time */

    w->interval.transfers++;
    if (suppress)
        w->interval.replayed++;
    if (!scr_decode_transfer(&w->scr, m->key, m->key_len, m->payload, m->len, now, w->tx, &res)) {
        settle(w, m, suppress, 0, "", &res);
        return;
    }
    for (size_t i = 0; i < w->tx->n; i++) {
        int rc = scr_transfer(&w->scr, &w->tx->t[i], now, &res, errstr, sizeof(errstr));
        if (rc == 0 && res.verdict == SCR_REJECTED)
            scr_name_transaction(&res, i, w->tx->n);
        if (!settle(w, m, suppress, rc, errstr, &res)) {
            if (rc != 0)
                return;
            continue;
        }
        w->interval.screened++;
        emit_requests(w, res.nreqs, suppress);
    }
}

/* A victim's fraud report: trace the reported money and freeze where it went. */
static void screen_report(worker *w, const wk_part *pt, const rd_kafka_message_t *m)
{
    char errstr[512];
    ix_report rep;
    scr_result res;
    int suppress = m->offset < pt->suppress_until, rc = 0;

    w->interval.reports++;
    if (scr_decode_report(&w->scr, m->payload, m->len, &rep, &res))
        rc = scr_report(&w->scr, &rep, tf_now_ms(), &res, errstr, sizeof(errstr));
    if (!settle(w, m, suppress, rc, errstr, &res))
        return;
    char victim[IX_LOG_ACCOUNT_MAX];
    LOG_INFO(w->pool->env.log, "worker", "report %s: money of %s traced to %d account(s)", rep.id,
             ix_log_account(w->pool->env.log, rep.victim_account, victim, sizeof(victim)),
             res.nreqs);
    emit_requests(w, res.nreqs, suppress);
}

/* Table messages are never suppressed: they are applied straight away. */
static void apply_table(worker *w, const rd_kafka_message_t *m)
{
    char errstr[512];
    scr_update u;
    scr_result res;
    int watchlist = strcmp(rd_kafka_topic_name(m->rkt), w->pool->env.c->topic_watchlist) == 0;
    int rc = 0;

    if (scr_decode_update(&w->scr, watchlist, m->key, m->key_len, m->payload, m->len, &u, &res))
        rc = scr_apply_update(&w->scr, &u, &res, errstr, sizeof(errstr));
    if (!settle(w, m, 0, rc, errstr, &res))
        return;
    char acct[IX_LOG_ACCOUNT_MAX];
    if (u.kind == SCR_WATCH)
        LOG_DEBUG(w->pool->env.log, "worker", "watch list: %s from %s [%" PRId32 "] @%" PRId64,
                  ix_log_account(w->pool->env.log, u.watch.account, acct, sizeof(acct)),
                  rd_kafka_topic_name(m->rkt), m->partition, m->offset);
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
    w->scr.r = *w->pool->env.r;
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
    w->reqs = calloc(SCR_MAX_REQUESTS, sizeof(*w->reqs));
    w->tx = malloc(sizeof(*w->tx));
    if (!w->q || !w->reqs || !w->tx) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    scr_init(&w->scr, p->env.c, p->env.g, NULL, w->reqs, w->interval.rule_hits);
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
        free(w->tx);
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
