/* bench_latency.c - end-to-end alert latency as a fraud desk sees it: from
 * the moment a transfer was produced to the moment the freeze request it
 * triggered reaches a read_committed consumer of the interceptions topic.
 *
 * Live phase: every partition of the interceptions topic is read from the
 * beginning with isolation.level=read_committed and a short fetch wait, and
 * each request's arrival time (the wall clock when the client hands it over),
 * trigger id and account are kept. The phase ends at SIGTERM or SIGINT (sent
 * by bench/run.sh once the screener has exited); the topic is then read to
 * its end before moving on.
 *
 * Afterwards the transfers topic (and the reports topic, whose reports
 * trigger the victim-trace requests) is read in full and the Kafka CreateTime
 * of every trigger is looked up by its id. The latency of a request is its
 * arrival time minus its trigger's CreateTime. Both clocks are this
 * machine's wall clock: the producer sets CreateTime, this program reads the
 * arrival time.
 *
 * Requests triggered within --warmup-ms of the first transfer (the cold start:
 * empty caches, the first transaction) are kept apart from the percentiles.
 *
 * Output: the raw samples to --out (one line per request: latency in ms,
 * arrival ms, create ms, trigger id, account, kind), and a summary of the
 * transfer-triggered requests on stdout, one "key value" a line.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#include "bench_common.h"
#include "vec.h"

#define ID_MAX       40     /* longest trigger id kept */
#define ACCOUNT_MAX  40     /* longest account kept */
#define DRAIN_MS     20000  /* reading the rest of the topic after the stop signal */
#define READ_MS      300000 /* reading the transfers topic afterwards */
#define META_TIMEOUT 10000  /* metadata queries, ms */
#define PROG         "bench_latency"

static volatile sig_atomic_t g_run = 1; /* cleared by SIGINT / SIGTERM: end the live phase */

static void on_signal(int sig)
{
    (void)sig;
    g_run = 0;
}

typedef struct sample {
    char trigger[ID_MAX + 1];
    char account[ACCOUNT_MAX + 1];
    double arrival_ms;
    int64_t create_ms; /* the trigger's CreateTime; -1 until found */
} sample;

typedef struct bench {
    const char *brokers, *interceptions, *transfers, *reports, *out, *ready;
    int64_t warmup_ms; /* requests triggered this soon after the first transfer are set apart */
    int64_t stream_ms; /* CreateTime of the first transfer on the topic */
    sample *s;
    size_t n, cap;
    /* Open-addressing index from trigger id to the first sample with it;
     * later samples with the same trigger are found by a linear pass. */
    int64_t *slot;
    size_t nslot;
    int64_t found;
} bench;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: bench_latency --brokers HOST:PORT --interceptions TOPIC --transfers TOPIC\n"
            "                     --reports TOPIC --out FILE [--ready FILE] [--warmup-ms N]\n"
            "\n"
            "Reads the freeze requests on the interceptions topic live (read_committed,\n"
            "every partition from the beginning) and notes when each arrives, until\n"
            "SIGTERM; then reads the rest of the topic, then the transfers and reports\n"
            "topics to find each request's trigger and its Kafka CreateTime. Writes one\n"
            "line per request to FILE: latency_ms arrival_ms create_ms trigger account\n"
            "kind (transfer, warmup or report). Prints requests, transfer_triggered\n"
            "(and the distinct transfers behind them, triggers),\n"
            "report_triggered, unmatched and p50_ms, p99_ms, p999_ms, max_ms and mean_ms\n"
            "of the transfer-triggered requests (nearest rank on the raw samples).\n"
            "--ready FILE is created once every partition is being read. Requests whose\n"
            "trigger was produced within --warmup-ms (default 0) of the first transfer on\n"
            "the topic are left out of the percentiles and counted as warmup, with their\n"
            "largest latency as warmup_max_ms.\n");
}

static double wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Returns 0, 1 after --help, -1 on a usage error. */
static int parse(int argc, char **argv, bench *b)
{
    const bc_opt table[] = {{"brokers", BC_STR, &b->brokers, 1, NULL},
                            {"interceptions", BC_STR, &b->interceptions, 1, NULL},
                            {"transfers", BC_STR, &b->transfers, 1, NULL},
                            {"reports", BC_STR, &b->reports, 1, NULL},
                            {"out", BC_STR, &b->out, 1, NULL},
                            {"ready", BC_STR, &b->ready, 0, NULL},
                            {"warmup-ms", BC_I64, &b->warmup_ms, 0, NULL},
                            {0}};
    return bc_parse(argc, argv, table, usage);
}

/* The string value following `key` (e.g. "\"account\":\"") in a JSON text
 * written by interdict's encoder, copied into out. Returns 0, or -1 if absent. */
static int json_str(const void *buf, size_t len, const char *key, char *out, size_t size)
{
    size_t klen = strlen(key);
    const char *p = memmem(buf, len, key, klen);
    if (!p)
        return -1;
    p += klen;
    const char *end = (const char *)buf + len;
    size_t n = 0;
    while (p + n < end && p[n] != '"')
        n++;
    if (p + n >= end || n >= size)
        return -1;
    memcpy(out, p, n);
    out[n] = '\0';
    return 0;
}

/* ---- live phase */

static int add_sample(bench *b, const rd_kafka_message_t *m, double arrival)
{
    if (vec_reserve((void **)&b->s, &b->cap, b->n + 1, sizeof(*b->s), 4096) != 0) {
        fprintf(stderr, "bench_latency: out of memory\n");
        return -1;
    }
    sample *s = &b->s[b->n];
    memset(s, 0, sizeof(*s));
    s->arrival_ms = arrival;
    s->create_ms = -1;
    if (json_str(m->payload, m->len, "\"trigger\":{\"id\":\"", s->trigger, sizeof(s->trigger)) ||
        json_str(m->payload, m->len, "\"account\":\"", s->account, sizeof(s->account))) {
        fprintf(stderr, "bench_latency: a request at [%d] @%" PRId64 " has no trigger or account\n",
                m->partition, m->offset);
        return 0;
    }
    b->n++;
    return 0;
}

static rd_kafka_t *live_consumer(const bench *b)
{
    /* The broker answers a fetch as soon as data is there; without data it
     * waits at most this long. */
    const char *const tuning[] = {"fetch.wait.max.ms", "5", NULL};
    kafka_consumer_opts o = {.group_id = "bench-latency", .partition_eof = 1, .defaults = tuning};
    return bc_consumer(PROG, b->brokers, &o);
}

/* Assign every partition of the topic from the beginning; returns how many. */
static int assign_all(rd_kafka_t *rk, const char *topic)
{
    char errstr[512];
    int n = kafka_assign_topic(rk, topic, RD_KAFKA_OFFSET_BEGINNING, META_TIMEOUT, errstr,
                               sizeof(errstr));
    if (n < 0)
        fprintf(stderr, "bench_latency: %s\n", errstr);
    return n;
}

/* Read until the stop signal, then until every partition has reported its
 * end with nothing after it. Returns 0 or -1. */
static int live(bench *b)
{
    rd_kafka_t *rk = live_consumer(b);
    if (!rk)
        return -1;
    int nparts = assign_all(rk, b->interceptions), rc = 0;
    unsigned char *at_end = nparts > 0 ? calloc((size_t)nparts, 1) : NULL;
    int ends = 0, ready = 0;
    double drain_until = 0;
    if (nparts <= 0 || !at_end)
        rc = -1;
    while (rc == 0) {
        if (!g_run && drain_until == 0) {
            drain_until = wall_ms() + DRAIN_MS;
            memset(at_end, 0, (size_t)nparts); /* ends seen from now on count */
            ends = 0;
        }
        if (drain_until > 0 && (ends == nparts || wall_ms() > drain_until))
            break;
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 50);
        if (!m)
            continue;
        double now = wall_ms();
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            if (m->partition >= 0 && m->partition < nparts && !at_end[m->partition]) {
                at_end[m->partition] = 1;
                ends++;
            }
            if (!ready && ends == nparts) {
                ready = 1;
                FILE *f = b->ready ? fopen(b->ready, "w") : NULL;
                if (f)
                    fclose(f);
            }
        } else if (m->err) {
            fprintf(stderr, "bench_latency: %s\n", rd_kafka_message_errstr(m));
        } else {
            if (m->partition >= 0 && m->partition < nparts && at_end[m->partition]) {
                at_end[m->partition] = 0;
                ends--;
            }
            rc = add_sample(b, m, now);
        }
        rd_kafka_message_destroy(m);
    }
    if (rc == 0 && ends < nparts)
        fprintf(stderr, "bench_latency: warning: the end of %s not reached within %d ms of stop\n",
                b->interceptions, DRAIN_MS);
    free(at_end);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return rc;
}

/* ---- trigger lookup */

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static int64_t *slot_of(bench *b, const char *id)
{
    size_t i = (size_t)(fnv1a(id) & (b->nslot - 1));
    while (b->slot[i] >= 0 && strcmp(b->s[b->slot[i]].trigger, id) != 0)
        i = (i + 1) & (b->nslot - 1);
    return &b->slot[i];
}

static int build_index(bench *b)
{
    b->nslot = 1024;
    while (b->nslot < b->n * 2 + 2)
        b->nslot *= 2;
    b->slot = malloc(b->nslot * sizeof(*b->slot));
    if (!b->slot)
        return -1;
    for (size_t i = 0; i < b->nslot; i++)
        b->slot[i] = -1;
    for (size_t i = 0; i < b->n; i++) {
        int64_t *sl = slot_of(b, b->s[i].trigger);
        if (*sl < 0)
            *sl = (int64_t)i;
    }
    return 0;
}

typedef struct lookup {
    bench *b;
    const char *key; /* the id field of the topic's records */
    int transfers;   /* the transfers topic: note where the stream starts */
} lookup;

static int on_input(const rd_kafka_message_t *m, void *arg)
{
    lookup *lk = arg;
    char id[ID_MAX + 1];
    rd_kafka_timestamp_type_t tt;
    int64_t ts = rd_kafka_message_timestamp(m, &tt);
    if (lk->transfers && ts > 0 && (lk->b->stream_ms == 0 || ts < lk->b->stream_ms))
        lk->b->stream_ms = ts;
    if (!m->payload || json_str(m->payload, m->len, lk->key, id, sizeof(id)) != 0)
        return 0;
    int64_t *sl = slot_of(lk->b, id);
    if (*sl < 0)
        return 0;
    for (size_t i = (size_t)*sl; i < lk->b->n; i++) {
        sample *s = &lk->b->s[i];
        if (s->create_ms < 0 && strcmp(s->trigger, id) == 0) {
            s->create_ms = ts;
            lk->b->found++;
        }
    }
    return 0;
}

static int find_triggers(bench *b)
{
    lookup lt = {.b = b, .key = "\"transfer_id\":\"", .transfers = 1};
    lookup lr = {.b = b, .key = "\"report_id\":\""};
    if (bc_read_topic(PROG, b->brokers, b->transfers, READ_MS, on_input, &lt) < 0 ||
        bc_read_topic(PROG, b->brokers, b->reports, READ_MS, on_input, &lr) < 0)
        return -1;
    return 0;
}

/* ---- results */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest rank: the smallest sample with at least q of the samples at or below it. */
static double rank(const double *v, size_t n, double q)
{
    size_t k = (size_t)(q * (double)n + 0.999999);
    if (k < 1)
        k = 1;
    return v[(k > n ? n : k) - 1];
}

static int report(bench *b)
{
    FILE *f = fopen(b->out, "w");
    if (!f) {
        perror(b->out);
        return -1;
    }
    double *lat = malloc((b->n + 1) * sizeof(*lat)), sum = 0, warm_max = 0;
    size_t nt = 0, nr = 0, unmatched = 0, warm = 0, triggers = 0;
    if (!lat) {
        fclose(f);
        return -1;
    }
    fprintf(f, "# latency_ms arrival_ms create_ms trigger account kind\n");
    for (size_t i = 0; i < b->n; i++) {
        const sample *s = &b->s[i];
        int is_report = s->trigger[0] == 'R';
        if (s->create_ms < 0) {
            unmatched++;
            continue;
        }
        double l = s->arrival_ms - (double)s->create_ms;
        int in_warmup = s->create_ms < b->stream_ms + b->warmup_ms;
        fprintf(f, "%.3f %.3f %" PRId64 " %s %s %s\n", l, s->arrival_ms, s->create_ms, s->trigger,
                s->account,
                is_report   ? "report"
                : in_warmup ? "warmup"
                            : "transfer");
        if (is_report) {
            nr++;
        } else if (in_warmup) {
            warm++;
            warm_max = l > warm_max ? l : warm_max;
        } else {
            lat[nt++] = l;
            sum += l;
            /* A transfer can trigger several requests (one per account):
             * count each trigger once, at its first sample. */
            triggers += *slot_of(b, s->trigger) == (int64_t)i;
        }
    }
    int rc = fclose(f) == 0 ? 0 : -1;
    qsort(lat, nt, sizeof(*lat), cmp_double);
    printf("requests %zu\n", b->n);
    printf("transfer_triggered %zu\n", nt);
    printf("triggers %zu\n", triggers);
    printf("report_triggered %zu\n", nr);
    printf("unmatched %zu\n", unmatched);
    printf("warmup %zu\n", warm);
    printf("warmup_max_ms %.1f\n", warm_max);
    if (nt) {
        printf("min_ms %.1f\n", lat[0]);
        printf("p50_ms %.1f\n", rank(lat, nt, 0.50));
        printf("p99_ms %.1f\n", rank(lat, nt, 0.99));
        printf("p999_ms %.1f\n", rank(lat, nt, 0.999));
        printf("max_ms %.1f\n", lat[nt - 1]);
        printf("mean_ms %.1f\n", sum / (double)nt);
    }
    free(lat);
    return rc;
}

int main(int argc, char **argv)
{
    bench b;
    memset(&b, 0, sizeof(b));
    int prc = parse(argc, argv, &b);
    if (prc != 0)
        return prc > 0 ? 0 : 2;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    int rc = 3;
    if (live(&b) == 0 && build_index(&b) == 0 && find_triggers(&b) == 0 && report(&b) == 0)
        rc = 0;
    free(b.s);
    free(b.slot);
    return rc;
}
