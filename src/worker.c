/* worker.c - decode workers, the sequencer between them and the screening
 * thread, and the screening thread: screen (screen.h), count, emit. */
#include "worker.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "screen.h"
#include "sequencer.h"
#include "timefmt.h"

#define WK_BATCH 256 /* tables or events the screening thread takes at once */

typedef struct item {
    rd_kafka_message_t *m;
    wk_part *pt;
} item;

/* A FIFO of consumed messages. */
typedef struct ring {
    item *q;
    size_t head, len, cap;
} ring;

/* A message decoded by a worker, on its way through the sequencer. */
typedef struct event {
    rd_kafka_message_t *m;
    wk_part *pt;
    int ok;   /* decoded; otherwise res says why not */
    int late; /* released after a later event */
    uint64_t decode_ns;
    scr_result res;
    ix_report rep;    /* a message of the reports topic */
    size_t ntx;       /* the transfers of a message of the transfers topic, */
    ix_transfer tx[]; /* one in JSON, one per CdtTrfTxInf in pacs.008 */
} event;

typedef struct worker {
    struct wk_pool *pool;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t more; /* work arrived, or stop */
    pthread_cond_t idle; /* the queue ran dry and nothing is in hand */
    ring q;
    int busy, stop, started;
    stats interval;    /* since the last collect, guarded by lock */
    scr_ctx scr;       /* decoding only */
    scr_transfers *tx; /* scratch: the transfers of the message in hand */
} worker;

struct wk_pool {
    wk_env env;
    worker *w;
    int n;
    /* The screening stage: the sequencer, the table messages and the
     * screening thread's state, under one lock, so that the tables it takes
     * were all queued before any event it releases with them. */
    pthread_mutex_t lock;
    pthread_cond_t more; /* something to screen may have arrived, or stop */
    pthread_cond_t idle; /* nothing to screen now */
    seq *sq;
    ring tables;
    int busy, stop, hold, started;
    pthread_t thread;
    stats interval;   /* the screening thread's, guarded by lock */
    ix_request *reqs; /* scratch: the requests of the message in hand */
    scr_ctx scr;      /* its rules are the current set, taken per message */
    pthread_mutex_t fail_lock;
    int failed;
    char fail_msg[1024];
};

static void fail(wk_pool *p, const char *fmt, const char *detail)
{
    pthread_mutex_lock(&p->fail_lock);
    if (!p->failed) {
        p->failed = 1;
        snprintf(p->fail_msg, sizeof(p->fail_msg), fmt, detail);
    }
    pthread_mutex_unlock(&p->fail_lock);
}

static int64_t mono_ms(void)
{
    return tf_mono_ns() / 1000000;
}

/* ---- rings */

static int ring_push(ring *r, item it)
{
    if (r->len == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 1024;
        item *n = malloc(cap * sizeof(*n));
        if (!n)
            return -1;
        for (size_t k = 0; k < r->len; k++)
            n[k] = r->q[(r->head + k) % r->cap];
        free(r->q);
        r->q = n;
        r->cap = cap;
        r->head = 0;
    }
    r->q[(r->head + r->len) % r->cap] = it;
    r->len++;
    return 0;
}

static item ring_pop(ring *r)
{
    item it = r->q[r->head];
    r->head = (r->head + 1) % r->cap;
    r->len--;
    return it;
}

static void ring_free(ring *r)
{
    while (r->len)
        rd_kafka_message_destroy(ring_pop(r).m);
    free(r->q);
}

/* ---- screening one message (screen.h); counters go to the pool's interval */

/* The original message of a rejection goes out with why. */
static void deadletter_src(wk_pool *p, const emit_source *src, int suppress, const scr_result *res)
{
    char errstr[512];
    p->interval.dead_by_reason[res->reason]++;
    LOG_DEBUG(p->env.log, "worker", "%s [%d] @%" PRId64 " rejected: %s", src->topic, src->partition,
              src->offset, res->detail);
    if (suppress)
        return;
    if (emit_deadletter(*p->env.out, src, rsn_code(res->reason), res->detail, errstr,
                        sizeof(errstr)) != 0)
        fail(p, "dead-letter: %s", errstr);
    p->interval.deadletters++;
}

static void deadletter(wk_pool *p, const rd_kafka_message_t *m, int suppress, const scr_result *res)
{
    emit_source src = {rd_kafka_topic_name(m->rkt),
                       m->partition,
                       m->offset,
                       m->key,
                       m->key_len,
                       m->payload,
                       m->len};
    deadletter_src(p, &src, suppress, res);
}

/* The message a report came in, kept while it is parked. */
static park_src park_source(const rd_kafka_message_t *m)
{
    park_src src = {rd_kafka_topic_name(m->rkt),
                    m->partition,
                    m->offset,
                    m->key,
                    m->key_len,
                    m->payload,
                    m->len};
    return src;
}

static void emit_requests(wk_pool *p, int n, int suppress)
{
    char errstr[512];
    for (int i = 0; i < n; i++) {
        const ix_request *rq = &p->reqs[i];
        if (!suppress && emit_request(*p->env.out, rq, errstr, sizeof(errstr)) != 0) {
            fail(p, "emitting request: %s", errstr);
            return;
        }
        if (!suppress) {
            p->interval.requests++;
            p->interval.by_action[rq->action]++;
        }
        char acct[IX_LOG_ACCOUNT_MAX];
        LOG_DEBUG(p->env.log, "worker", "%s %s %s score %d%s", ix_action_name(rq->action),
                  ix_log_account(p->env.log, rq->account, acct, sizeof(acct)), rq->id, rq->score,
                  suppress ? " (replayed, not re-sent)" : "");
    }
}

/* The outcome of a screening: a fatal error, a dead letter, or on. Returns 1
 * when the message was screened or applied. */
static int settle(wk_pool *p, const rd_kafka_message_t *m, int suppress, int rc, const char *errstr,
                  const scr_result *res)
{
    if (rc != 0) {
        fail(p, "%s", errstr);
        return 0;
    }
    if (res->verdict == SCR_REJECTED) {
        deadletter(p, m, suppress, res);
        return 0;
    }
    return 1;
}

/* Step 3 (screen.h): the parked reports that came due after what was just
 * screened, traced or dead-lettered with their own message; t is the
 * transfer just screened, or NULL after a report. Their output goes as the
 * message's that made them due: suppressed with it in a replayed gap,
 * which decides the same way. */
static void settle_parks(wk_pool *p, const ix_transfer *t, int suppress)
{
    char errstr[512], victim[IX_LOG_ACCOUNT_MAX];
    park_entry *pe;
    scr_result res;
    int k;
    while ((k = scr_next_park(&p->scr, t, tf_now_ms(), &pe, &res, errstr, sizeof(errstr))) > 0) {
        if (res.verdict == SCR_SCREENED) {
            p->interval.park_traced++;
            LOG_INFO(p->env.log, "worker",
                     "report %s, parked, traced: money of %s traced to %d account(s)", pe->rep.id,
                     ix_log_account(p->env.log, pe->rep.victim_account, victim, sizeof(victim)),
                     res.nreqs);
            emit_requests(p, res.nreqs, suppress);
        } else {
            emit_source src = {pe->src.topic,   pe->src.partition, pe->src.offset,   pe->src.key,
                               pe->src.key_len, pe->src.value,     pe->src.value_len};
            p->interval.park_expired++;
            deadletter_src(p, &src, suppress, &res);
        }
        park_entry_free(pe);
    }
    if (k < 0)
        fail(p, "%s", errstr);
}

/* A message may carry several transfers (pacs.008): each is screened in
 * turn and judged on its own, a refused one dead-lettered by itself. */
static void screen_transfer(wk_pool *p, event *e, int suppress)
{
    char errstr[512];
    p->interval.transfers += !suppress;
    if (!e->ok) {
        settle(p, e->m, suppress, 0, "", &e->res);
        return;
    }
    int64_t now = tf_now_ms(); /* live: detection time */
    for (size_t i = 0; i < e->ntx; i++) {
        int rc = scr_transfer(&p->scr, &e->tx[i], now, &e->res, errstr, sizeof(errstr));
        if (rc == 0 && e->res.verdict == SCR_REJECTED)
            scr_name_transaction(&e->res, i, e->ntx);
        if (settle(p, e->m, suppress, rc, errstr, &e->res)) {
            p->interval.screened += !suppress;
            emit_requests(p, e->res.nreqs, suppress);
        } else if (rc != 0) {
            return;
        }
        settle_parks(p, &e->tx[i], suppress);
    }
}

/* A victim's fraud report: trace the reported money and freeze where it went. */
static void screen_report(wk_pool *p, event *e, int suppress)
{
    char errstr[512];
    int rc = 0;
    p->interval.reports++;
    if (e->ok) {
        park_src src = park_source(e->m);
        rc = scr_report(&p->scr, &e->rep, &src, tf_now_ms(), &e->res, errstr, sizeof(errstr));
    }
    if (!settle(p, e->m, suppress, rc, errstr, &e->res)) {
        if (e->ok && rc == 0)
            settle_parks(p, NULL, suppress);
        return;
    }
    char victim[IX_LOG_ACCOUNT_MAX];
    ix_log_account(p->env.log, e->rep.victim_account, victim, sizeof(victim));
    if (e->res.verdict == SCR_PARKED) {
        p->interval.parked++;
        LOG_INFO(p->env.log, "worker", "report %s of %s parked: transfer %s not screened yet",
                 e->rep.id, victim, e->rep.transfer_id);
    } else {
        LOG_INFO(p->env.log, "worker", "report %s: money of %s traced to %d account(s)", e->rep.id,
                 victim, e->res.nreqs);
        emit_requests(p, e->res.nreqs, suppress);
    }
    settle_parks(p, NULL, suppress);
}

/* Table messages are never suppressed: they are applied straight away. */
static void apply_table(wk_pool *p, const rd_kafka_message_t *m, wk_part *pt)
{
    char errstr[512];
    scr_update u;
    scr_result res;
    int table = scr_table_of(p->env.c, rd_kafka_topic_name(m->rkt));
    int rc = 0;

    if (scr_decode_update(&p->scr, (scr_table)table, m->key, m->key_len, m->payload, m->len, &u,
                          &res))
        rc = scr_apply_update(&p->scr, &u, &res, errstr, sizeof(errstr));
    atomic_store(&pt->next, m->offset + 1);
    if (!settle(p, m, 0, rc, errstr, &res))
        return;
    char acct[IX_LOG_ACCOUNT_MAX];
    if (u.kind == SCR_WATCH)
        LOG_DEBUG(p->env.log, "worker", "watch list: %s from %s [%" PRId32 "] @%" PRId64,
                  ix_log_account(p->env.log, u.watch.account, acct, sizeof(acct)),
                  rd_kafka_topic_name(m->rkt), m->partition, m->offset);
    if (table == SCR_T_ALLOWLIST || table == SCR_T_VERDICTS)
        p->interval.desk_updates++;
    else
        p->interval.table_updates++;
}

static void record_latency(wk_pool *p, const event *e, int64_t screen_ns)
{
    int64_t ns = (int64_t)e->decode_ns + screen_ns;
    rd_kafka_timestamp_type_t tt;
    int64_t ts = rd_kafka_message_timestamp(e->m, &tt);
    p->interval.screen_ns += (uint64_t)screen_ns;
    p->interval.busy_ns += (uint64_t)ns;
    p->interval.proc_ns_sum += (uint64_t)ns;
    p->interval.proc_hist[stats_hist_bucket(ns)]++;
    if (tt == RD_KAFKA_TIMESTAMP_CREATE_TIME && ts > 0) {
        int64_t e2e = tf_now_ms() - ts;
        if (e2e < 0)
            e2e = 0; /* clocks of producer and screener disagree */
        p->interval.e2e_ms_sum += (uint64_t)e2e;
        p->interval.e2e_hist[stats_hist_bucket(e2e * 1000000)]++;
    }
}

static void event_free(event *e)
{
    atomic_fetch_sub(&e->pt->pending, 1);
    rd_kafka_message_destroy(e->m);
    free(e);
}

static void screen_event(wk_pool *p, event *e)
{
    int64_t t0 = tf_mono_ns();
    const rd_kafka_message_t *m = e->m;
    int suppress = m->offset < e->pt->suppress_until;
    p->scr.r = *p->env.r;
    if (suppress)
        p->interval.replayed++;
    if (e->late) {
        p->interval.late++;
        LOG_DEBUG(p->env.log, "worker",
                  "%s [%d] @%" PRId64 " is late: a later event was screened before it",
                  rd_kafka_topic_name(m->rkt), m->partition, m->offset);
    }
    if (e->pt->kind == WK_REPORTS)
        screen_report(p, e, suppress);
    else
        screen_transfer(p, e, suppress);
    atomic_store(&e->pt->next, m->offset + 1);
    record_latency(p, e, tf_mono_ns() - t0);
    event_free(e);
}

/* ---- the screening thread */

/* Under p->lock: the table messages waiting, then, when none is left
 * behind them, what the sequencer releases. Returns how many of each. */
static void take_work(wk_pool *p, item *tabs, size_t *nt, event **evs, size_t *ne)
{
    *nt = *ne = 0;
    if (p->hold)
        return;
    while (*nt < WK_BATCH && p->tables.len)
        tabs[(*nt)++] = ring_pop(&p->tables);
    if (p->tables.len)
        return;
    int64_t now = mono_ms();
    while (*ne < WK_BATCH) {
        int late;
        event *e = seq_pop(p->sq, now, &late);
        if (!e)
            break;
        e->late = late;
        evs[(*ne)++] = e;
    }
}

static void *screen_run(void *arg)
{
    wk_pool *p = arg;
    item tabs[WK_BATCH];
    event *evs[WK_BATCH];
    size_t nt, ne;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        take_work(p, tabs, &nt, evs, &ne);
        if (nt == 0 && ne == 0) {
            if (p->stop)
                break;
            p->busy = 0;
            pthread_cond_broadcast(&p->idle);
            pthread_cond_wait(&p->more, &p->lock);
            continue;
        }
        p->busy = 1;
        /* Counters are only read at a barrier, when this thread is idle, so
         * screening outside the lock is safe. */
        pthread_mutex_unlock(&p->lock);
        for (size_t i = 0; i < nt; i++) {
            apply_table(p, tabs[i].m, tabs[i].pt);
            rd_kafka_message_destroy(tabs[i].m);
        }
        for (size_t i = 0; i < ne; i++)
            screen_event(p, evs[i]);
        pthread_mutex_lock(&p->lock);
    }
    p->busy = 0;
    pthread_cond_broadcast(&p->idle);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* Wake the screening thread: there may be something for it. */
static void poke(wk_pool *p)
{
    p->busy = 1;
    pthread_cond_signal(&p->more);
}

/* ---- decode workers */

/* The event of one message, sized for the transfers it carries. */
static event *event_new(worker *w, rd_kafka_message_t *m, wk_part *pt, seq_key *k)
{
    scr_result res = {0};
    ix_report rep = {0};
    int ok;
    size_t n = 0;
    if (pt->kind == WK_REPORTS) {
        ok = scr_decode_report(&w->scr, m->payload, m->len, &rep, &res);
        k->time_ms = rep.reported_at_ms;
    } else {
        ok = scr_decode_transfer(&w->scr, m->key, m->key_len, m->payload, m->len, tf_now_ms(),
                                 w->tx, &res);
        n = ok ? w->tx->n : 0;
        /* A pacs.008 message takes its place at its first transaction. */
        k->time_ms = n ? w->tx->t[0].event_time_ms : 0;
    }
    event *e = calloc(1, sizeof(*e) + n * sizeof(e->tx[0]));
    if (!e)
        return NULL;
    e->m = m;
    e->pt = pt;
    e->ok = ok;
    e->res = res;
    if (pt->kind == WK_REPORTS)
        e->rep = rep;
    e->ntx = n;
    if (n)
        memcpy(e->tx, w->tx->t, n * sizeof(e->tx[0]));
    return e;
}

static void decode(worker *w, rd_kafka_message_t *m, wk_part *pt)
{
    wk_pool *p = w->pool;
    int64_t t0 = tf_mono_ns();
    seq_key k = {.kind = pt->kind == WK_REPORTS ? SEQ_REPORT : SEQ_TRANSFER,
                 .partition = m->partition,
                 .offset = m->offset};
    event *e = event_new(w, m, pt, &k);
    if (!e) {
        fail(p, "%s", "out of memory decoding a message");
        atomic_fetch_sub(&pt->pending, 1);
        rd_kafka_message_destroy(m);
        return;
    }
    e->decode_ns = (uint64_t)(tf_mono_ns() - t0);
    w->interval.decode_ns += e->decode_ns;
    pthread_mutex_lock(&p->lock);
    int rc = seq_push(p->sq, pt->seq_in, e->ok ? &k : NULL, e, mono_ms());
    poke(p);
    pthread_mutex_unlock(&p->lock);
    if (rc != 0) {
        fail(p, "%s", "out of memory in the sequencer");
        event_free(e);
    }
}

static void *decode_run(void *arg)
{
    worker *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (w->q.len == 0 && !w->stop) {
            w->busy = 0;
            pthread_cond_broadcast(&w->idle);
            pthread_cond_wait(&w->more, &w->lock);
        }
        if (w->q.len == 0 && w->stop)
            break;
        item it = ring_pop(&w->q);
        w->busy = 1;
        pthread_mutex_unlock(&w->lock);
        decode(w, it.m, it.pt);
        pthread_mutex_lock(&w->lock);
    }
    w->busy = 0;
    pthread_cond_broadcast(&w->idle);
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* ---- the pool */

static int worker_init(wk_pool *p, worker *w, char *errstr, size_t errstr_size)
{
    w->pool = p;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->more, NULL);
    pthread_cond_init(&w->idle, NULL);
    w->tx = malloc(sizeof(*w->tx));
    if (!w->tx) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    scr_init(&w->scr, p->env.c, p->env.g, NULL, NULL, NULL);
    if (pthread_create(&w->thread, NULL, decode_run, w) != 0) {
        snprintf(errstr, errstr_size, "cannot start a worker thread");
        return -1;
    }
    w->started = 1;
    return 0;
}

static int stage_init(wk_pool *p, char *errstr, size_t errstr_size)
{
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->more, NULL);
    pthread_cond_init(&p->idle, NULL);
    p->sq = seq_new(p->env.idle_ms);
    p->reqs = calloc(SCR_MAX_REQUESTS, sizeof(*p->reqs));
    if (!p->sq || !p->reqs) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    scr_init(&p->scr, p->env.c, p->env.g, NULL, p->reqs, p->interval.rule_hits);
    p->scr.held = &p->interval.held;
    if (pthread_create(&p->thread, NULL, screen_run, p) != 0) {
        snprintf(errstr, errstr_size, "cannot start the screening thread");
        return -1;
    }
    p->started = 1;
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
    pthread_mutex_init(&p->fail_lock, NULL);
    if (stage_init(p, errstr, errstr_size) != 0) {
        wk_pool_free(p);
        return NULL;
    }
    p->w = calloc((size_t)n, sizeof(*p->w));
    if (!p->w) {
        snprintf(errstr, errstr_size, "out of memory");
        wk_pool_free(p);
        return NULL;
    }
    p->n = n;
    for (int i = 0; i < n; i++)
        if (worker_init(p, &p->w[i], errstr, errstr_size) != 0) {
            wk_pool_free(p);
            return NULL;
        }
    return p;
}

static void drop_event(void *ev, void *arg)
{
    (void)arg;
    event_free(ev);
}

static void stop_screening(wk_pool *p)
{
    if (p->started) {
        pthread_mutex_lock(&p->lock);
        p->stop = 1;
        pthread_cond_signal(&p->more);
        pthread_mutex_unlock(&p->lock);
        pthread_join(p->thread, NULL);
    }
    if (p->sq)
        seq_drop(p->sq, drop_event, NULL);
    seq_free(p->sq);
    ring_free(&p->tables);
    free(p->reqs);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->more);
    pthread_cond_destroy(&p->idle);
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
        ring_free(&w->q);
        free(w->tx);
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->more);
        pthread_cond_destroy(&w->idle);
    }
    free(p->w);
    stop_screening(p); /* after the workers: they push into the sequencer */
    pthread_mutex_destroy(&p->fail_lock);
    free(p);
}

int wk_part_open(wk_pool *p, wk_part *pt)
{
    pt->seq_in = -1;
    if (pt->kind == WK_TABLE)
        return 0;
    pthread_mutex_lock(&p->lock);
    pt->seq_in = seq_input_add(p->sq);
    pthread_mutex_unlock(&p->lock);
    return pt->seq_in >= 0 ? 0 : -1;
}

void wk_part_close(wk_pool *p, wk_part *pt)
{
    if (pt->seq_in < 0)
        return;
    pthread_mutex_lock(&p->lock);
    seq_input_remove(p->sq, pt->seq_in, drop_event, NULL);
    pthread_mutex_unlock(&p->lock);
    pt->seq_in = -1;
}

/* The worker of a partition: FNV over topic and partition, so that the same
 * partition always lands on the same worker. */
static worker *worker_of(wk_pool *p, const wk_part *pt)
{
    uint64_t h = hash_fnv1a64(HASH_FNV64_INIT, pt->topic, strlen(pt->topic));
    h = hash_fnv1a64(h, &pt->partition, sizeof(pt->partition));
    return &p->w[h % (uint64_t)p->n];
}

static void submit_table(wk_pool *p, rd_kafka_message_t *m, wk_part *pt)
{
    pthread_mutex_lock(&p->lock);
    int rc = ring_push(&p->tables, (item){m, pt});
    p->hold = 0;
    poke(p);
    pthread_mutex_unlock(&p->lock);
    if (rc != 0) {
        fail(p, "%s", "out of memory queueing a table message");
        rd_kafka_message_destroy(m);
    }
}

void wk_submit(wk_pool *p, rd_kafka_message_t *m, wk_part *pt)
{
    if (pt->kind == WK_TABLE) {
        submit_table(p, m, pt);
        return;
    }
    /* The sequencer waits for this partition from now on: its message may
     * be the earliest. */
    pthread_mutex_lock(&p->lock);
    seq_behind(p->sq, pt->seq_in);
    p->hold = 0;
    pthread_mutex_unlock(&p->lock);
    atomic_fetch_add(&pt->pending, 1);
    worker *w = worker_of(p, pt);
    pthread_mutex_lock(&w->lock);
    /* The pipeline pauses consumption long before a queue gets large; a
     * failed grow is an out-of-memory condition worth stopping for. */
    if (ring_push(&w->q, (item){m, pt}) != 0) {
        pthread_mutex_unlock(&w->lock);
        fail(p, "%s", "out of memory growing a worker queue");
        atomic_fetch_sub(&pt->pending, 1);
        rd_kafka_message_destroy(m);
        return;
    }
    w->busy = 1;
    pthread_cond_signal(&w->more);
    pthread_mutex_unlock(&w->lock);
}

void wk_caught_up(wk_pool *p, wk_part *pt, int caught_up)
{
    if (pt->seq_in < 0)
        return;
    pthread_mutex_lock(&p->lock);
    if (caught_up)
        seq_caught_up(p->sq, pt->seq_in, mono_ms());
    else
        seq_behind(p->sq, pt->seq_in);
    pthread_mutex_unlock(&p->lock);
}

void wk_wake(wk_pool *p)
{
    pthread_mutex_lock(&p->lock);
    p->hold = 0;
    poke(p);
    pthread_mutex_unlock(&p->lock);
}

size_t wk_queued(wk_pool *p)
{
    size_t n = 0;
    for (int i = 0; i < p->n; i++) {
        pthread_mutex_lock(&p->w[i].lock);
        n += p->w[i].q.len;
        pthread_mutex_unlock(&p->w[i].lock);
    }
    pthread_mutex_lock(&p->lock);
    n += seq_pending(p->sq) + p->tables.len;
    pthread_mutex_unlock(&p->lock);
    return n;
}

void wk_drain(wk_pool *p)
{
    for (int i = 0; i < p->n; i++) {
        worker *w = &p->w[i];
        pthread_mutex_lock(&w->lock);
        while (w->q.len > 0 || w->busy)
            pthread_cond_wait(&w->idle, &w->lock);
        pthread_mutex_unlock(&w->lock);
    }
    /* The workers are idle: what they decoded is in the sequencer. */
    pthread_mutex_lock(&p->lock);
    p->hold = 0;
    poke(p);
    while (p->busy)
        pthread_cond_wait(&p->idle, &p->lock);
    p->hold = 1;
    pthread_mutex_unlock(&p->lock);
}

/* Decode time is counted in two places: by the workers in decode_ns, and
 * by the screening thread in busy_ns and the processing histogram, with the
 * event that carried it. */
static void collect(wk_pool *p, stats *sum)
{
    for (int i = 0; i < p->n; i++) {
        worker *w = &p->w[i];
        pthread_mutex_lock(&w->lock);
        stats_add(sum, &w->interval);
        memset(&w->interval, 0, sizeof(w->interval));
        pthread_mutex_unlock(&w->lock);
    }
    pthread_mutex_lock(&p->lock);
    stats_add(sum, &p->interval);
    memset(&p->interval, 0, sizeof(p->interval));
    pthread_mutex_unlock(&p->lock);
}

void wk_collect(wk_pool *p, stats *sum)
{
    collect(p, sum);
    pthread_mutex_lock(&p->lock);
    seq_mark(p->sq);
    pthread_mutex_unlock(&p->lock);
}

void wk_discard(wk_pool *p)
{
    stats scratch;
    memset(&scratch, 0, sizeof(scratch));
    collect(p, &scratch);
    pthread_mutex_lock(&p->lock);
    seq_drop(p->sq, drop_event, NULL);
    seq_rewind(p->sq);
    pthread_mutex_unlock(&p->lock);
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
    /* Nothing was submitted yet, so the screening thread is idle and its
     * counters and scratch can be used from here. */
    p->scr.r = *p->env.r;
    apply_table(p, m, pt);
    rd_kafka_message_destroy(m);
}
