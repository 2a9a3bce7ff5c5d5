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
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "bench_common.h"

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
    const bc_opt table[] = {{"brokers", BC_STR, &o->brokers, 1, NULL},
                            {"topic", BC_STR, &o->topic, 1, NULL},
                            {"group", BC_STR, &o->group, 0, NULL},
                            {"timeout", BC_INT, &o->timeout_s, 0, NULL},
                            {0}};
    *o = (opts){.timeout_s = 600};
    int rc = bc_parse(argc, argv, table, usage);
    if (rc == 0 && o->timeout_s <= 0) {
        usage(stderr);
        rc = -1;
    }
    return rc;
}

/* The number of messages between each partition's low and high watermark:
 * what a reader from the beginning has to read. */
static int64_t topic_size(rd_kafka_t *rk, const char *topic, int *nparts)
{
    char errstr[512];
    int64_t total = 0;
    int truncated = 0;
    rd_kafka_topic_partition_list_t *l =
        kafka_partitions(rk, topic, RD_KAFKA_OFFSET_INVALID, META_TIMEOUT, errstr, sizeof(errstr));
    if (l) {
        *nparts = l->cnt;
        rd_kafka_topic_partition_list_destroy(l);
    }
    if (!l || kafka_topic_counts(rk, topic, &total, &truncated, META_TIMEOUT, errstr,
                                 sizeof(errstr)) != 0) {
        fprintf(stderr, "bench_consume: %s\n", errstr);
        return -1;
    }
    return total;
}

static rd_kafka_t *new_consumer(const opts *o)
{
    char group[128];
    if (!o->group) {
        snprintf(group, sizeof(group), "bench-consume-%ld-%ld", (long)getpid(), (long)time(NULL));
    } else {
        snprintf(group, sizeof(group), "%s", o->group);
    }
    kafka_consumer_opts co = {.group_id = group, .offset_reset = "earliest", .partition_eof = 1};
    return bc_consumer("bench_consume", o->brokers, &co);
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
