/* bench_consume.c - the consume ceiling: a plain librdkafka group consumer
 * that reads a topic from the beginning to its end and decodes nothing.
 *
 * It consumes the way interdict's pipeline does (a fresh consumer group,
 * read_committed, batches of 1024 from the consumer queue) and does nothing
 * else with the messages, so its rate is what the broker and the client can
 * deliver on this machine: the most interdict could screen. bench/run.sh
 * reports interdict's throughput as a ratio to it.
 *
 * Output, one "key value" per line on stdout: messages, bytes, the time from
 * the first message to the last (seconds), the time from start to the first
 * message (join_seconds), the rate (messages_per_second) and MB/s.
 */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#define BATCH        1024  /* messages per rd_kafka_consume_batch_queue, as interdict */
#define POLL_MS      100   /* longest wait for a batch */
#define MAX_PARTS    4096  /* partitions of one topic we can follow */
#define META_TIMEOUT 10000 /* metadata and watermark queries, ms */

static volatile sig_atomic_t g_run = 1; /* cleared by SIGINT / SIGTERM */

static void on_signal(int sig)
{
    (void)sig;
    g_run = 0;
}

typedef struct opts {
    const char *brokers;
    const char *topic;
    const char *group;
    int timeout_s;
} opts;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: bench_consume --brokers HOST:PORT --topic TOPIC [--group ID] [--timeout SEC]\n"
            "\n"
            "Reads every message of TOPIC, from the beginning to the end it has when the\n"
            "program starts, as the only member of a fresh consumer group (default\n"
            "bench-consume-<pid>-<time>), read_committed, in batches of %d, and decodes\n"
            "nothing. Prints messages, bytes, seconds (first to last message),\n"
            "join_seconds (start to first message), messages_per_second and\n"
            "mb_per_second, one \"key value\" a line. Fails (exit 3) if the end is not\n"
            "reached within --timeout seconds (default 600).\n",
            BATCH);
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Returns 0, 1 after --help, -1 on a usage error. */
static int parse(int argc, char **argv, opts *o)
{
    static const struct option lo[] = {
        {"brokers", required_argument, NULL, 'b'}, {"topic", required_argument, NULL, 't'},
        {"group", required_argument, NULL, 'g'},   {"timeout", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    int c;
    *o = (opts){.timeout_s = 600};
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (c) {
        case 'b':
            o->brokers = optarg;
            break;
        case 't':
            o->topic = optarg;
            break;
        case 'g':
            o->group = optarg;
            break;
        case 'T':
            o->timeout_s = atoi(optarg);
            break;
        case 'h':
            usage(stdout);
            return 1;
        default:
            usage(stderr);
            return -1;
        }
    }
    if (!o->brokers || !o->topic || o->timeout_s <= 0 || optind < argc) {
        usage(stderr);
        return -1;
    }
    return 0;
}

static int set(rd_kafka_conf_t *conf, const char *k, const char *v)
{
    char why[256];
    if (rd_kafka_conf_set(conf, k, v, why, sizeof(why)) == RD_KAFKA_CONF_OK)
        return 0;
    fprintf(stderr, "bench_consume: %s=%s: %s\n", k, v, why);
    return -1;
}

/* The number of messages between each partition's low and high watermark:
 * what a reader from the beginning has to read. */
static int64_t topic_size(rd_kafka_t *rk, const char *topic, int *nparts)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, META_TIMEOUT);
    rd_kafka_topic_destroy(rkt);
    if (err || md->topic_cnt != 1 || md->topics[0].err) {
        fprintf(stderr, "bench_consume: topic %s: %s\n", topic,
                rd_kafka_err2str(err ? err : md->topics[0].err));
        if (md)
            rd_kafka_metadata_destroy(md);
        return -1;
    }
    int64_t total = 0;
    *nparts = md->topics[0].partition_cnt;
    for (int i = 0; i < md->topics[0].partition_cnt; i++) {
        int64_t lo = 0, hi = 0;
        err = rd_kafka_query_watermark_offsets(rk, topic, md->topics[0].partitions[i].id, &lo, &hi,
                                               META_TIMEOUT);
        if (err) {
            fprintf(stderr, "bench_consume: watermarks of %s [%d]: %s\n", topic,
                    md->topics[0].partitions[i].id, rd_kafka_err2str(err));
            rd_kafka_metadata_destroy(md);
            return -1;
        }
        total += hi - lo;
    }
    rd_kafka_metadata_destroy(md);
    return total;
}

static rd_kafka_t *new_consumer(const opts *o)
{
    char why[512], group[128];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (!o->group) {
        snprintf(group, sizeof(group), "bench-consume-%ld-%ld", (long)getpid(), (long)time(NULL));
    } else {
        snprintf(group, sizeof(group), "%s", o->group);
    }
    if (set(conf, "bootstrap.servers", o->brokers) || set(conf, "group.id", group) ||
        set(conf, "enable.auto.commit", "false") || set(conf, "auto.offset.reset", "earliest") ||
        set(conf, "isolation.level", "read_committed") ||
        set(conf, "enable.partition.eof", "true")) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof(why));
    if (!rk) {
        fprintf(stderr, "bench_consume: creating the consumer: %s\n", why);
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    /* rd_kafka_new() took ownership of conf. */
    rd_kafka_poll_set_consumer(rk);
    return rk;
}

/* Consume until `target` messages were read or every partition reported
 * its end; returns 0, or -1 on an error or the timeout. */
static int consume(rd_kafka_t *rk, const opts *o, int64_t target, int nparts)
{
    rd_kafka_queue_t *q = rd_kafka_queue_get_consumer(rk);
    rd_kafka_message_t *batch[BATCH];
    static unsigned char at_end[MAX_PARTS];
    int64_t msgs = 0, bytes = 0;
    int ends = 0, rc = 0;
    double t0 = mono_s(), first = 0, last = 0;

    while (g_run && msgs < target && ends < nparts) {
        if (mono_s() - t0 > o->timeout_s) {
            fprintf(stderr, "bench_consume: %" PRId64 " of %" PRId64 " messages after %d s\n", msgs,
                    target, o->timeout_s);
            rc = -1;
            break;
        }
        ssize_t n = rd_kafka_consume_batch_queue(q, POLL_MS, batch, BATCH);
        for (ssize_t i = 0; i < n; i++) {
            rd_kafka_message_t *m = batch[i];
            if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                if (m->partition >= 0 && m->partition < MAX_PARTS && !at_end[m->partition]) {
                    at_end[m->partition] = 1;
                    ends++;
                }
            } else if (m->err) {
                fprintf(stderr, "bench_consume: %s\n", rd_kafka_message_errstr(m));
            } else {
                if (!msgs)
                    first = mono_s();
                msgs++;
                bytes += (int64_t)(m->len + m->key_len);
            }
            rd_kafka_message_destroy(m);
        }
        if (n > 0 && msgs)
            last = mono_s();
    }
    rd_kafka_queue_destroy(q);
    if (!g_run) {
        fprintf(stderr, "bench_consume: interrupted\n");
        rc = -1;
    }
    double secs = last - first;
    printf("messages %" PRId64 "\n", msgs);
    printf("bytes %" PRId64 "\n", bytes);
    printf("seconds %.3f\n", secs);
    printf("join_seconds %.3f\n", msgs ? first - t0 : 0.0);
    printf("messages_per_second %.0f\n", secs > 0 ? (double)msgs / secs : 0.0);
    printf("mb_per_second %.1f\n", secs > 0 ? (double)bytes / secs / 1048576.0 : 0.0);
    return rc;
}

int main(int argc, char **argv)
{
    opts o;
    int nparts = 0;
    int prc = parse(argc, argv, &o);
    if (prc != 0)
        return prc > 0 ? 0 : 2;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    rd_kafka_t *rk = new_consumer(&o);
    if (!rk)
        return 3;
    int64_t target = topic_size(rk, o.topic, &nparts);
    int rc = 3;
    if (target >= 0 && nparts <= MAX_PARTS) {
        rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(sub, o.topic, RD_KAFKA_PARTITION_UA);
        rd_kafka_resp_err_t err = rd_kafka_subscribe(rk, sub);
        rd_kafka_topic_partition_list_destroy(sub);
        if (err)
            fprintf(stderr, "bench_consume: subscribe %s: %s\n", o.topic, rd_kafka_err2str(err));
        else if (consume(rk, &o, target, nparts) == 0)
            rc = 0;
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return rc;
}
