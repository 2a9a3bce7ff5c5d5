/* bench_topics.c - removes the topics a benchmark run created: every topic
 * whose name starts with a prefix. bench/run.sh calls it at the end when it
 * used a broker that was already running (a broker it started itself is
 * stopped, and its data deleted, instead).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "bench_common.h"

#define TIMEOUT_MS 30000 /* metadata and the deletion, each */

static void usage(FILE *out)
{
    fprintf(out, "usage: bench_topics --brokers HOST:PORT --delete-prefix PREFIX\n"
                 "\n"
                 "Deletes every topic whose name starts with PREFIX (at least 4 characters)\n"
                 "and prints how many.\n");
}

/* Returns 0, 1 after --help, -1 on a usage error. */
static int parse(int argc, char **argv, const char **brokers, const char **prefix)
{
    const bc_opt table[] = {
        {"brokers", BC_STR, brokers, 1, NULL}, {"delete-prefix", BC_STR, prefix, 1, NULL}, {0}};
    int rc = bc_parse(argc, argv, table, usage);
    if (rc == 0 && strlen(*prefix) < 4) {
        usage(stderr);
        rc = -1;
    }
    return rc;
}

/* The names of the topics starting with prefix; returns how many, or -1. */
static int matching(rd_kafka_t *rk, const char *prefix, rd_kafka_DeleteTopic_t ***out)
{
    char errstr[512];
    rd_kafka_topic_partition_list_t *l =
        kafka_partitions(rk, NULL, RD_KAFKA_OFFSET_INVALID, TIMEOUT_MS, errstr, sizeof(errstr));
    if (!l) {
        fprintf(stderr, "bench_topics: %s\n", errstr);
        return -1;
    }
    int n = 0;
    *out = calloc((size_t)l->cnt + 1, sizeof(**out));
    for (int i = 0; *out && i < l->cnt; i++) {
        const char *topic = l->elems[i].topic;
        /* A topic stands once per partition, its partitions together. */
        int first = i == 0 || strcmp(topic, l->elems[i - 1].topic) != 0;
        if (first && strncmp(topic, prefix, strlen(prefix)) == 0)
            (*out)[n++] = rd_kafka_DeleteTopic_new(topic);
    }
    rd_kafka_topic_partition_list_destroy(l);
    return *out ? n : -1;
}

static int delete_topics(rd_kafka_t *rk, rd_kafka_DeleteTopic_t **del, int n)
{
    char why[256];
    int rc = 0;
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *ao = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DELETETOPICS);
    rd_kafka_AdminOptions_set_operation_timeout(ao, TIMEOUT_MS, why, sizeof(why));
    rd_kafka_DeleteTopics(rk, del, (size_t)n, ao, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, TIMEOUT_MS + 5000);
    if (!ev || rd_kafka_event_error(ev)) {
        fprintf(stderr, "bench_topics: deleting: %s\n",
                ev ? rd_kafka_event_error_string(ev) : "no answer");
        rc = -1;
    } else {
        size_t cnt = 0;
        const rd_kafka_topic_result_t **res =
            rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &cnt);
        for (size_t i = 0; i < cnt; i++) {
            if (rd_kafka_topic_result_error(res[i])) {
                fprintf(stderr, "bench_topics: %s: %s\n", rd_kafka_topic_result_name(res[i]),
                        rd_kafka_topic_result_error_string(res[i]));
                rc = -1;
            }
        }
    }
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_AdminOptions_destroy(ao);
    rd_kafka_queue_destroy(q);
    return rc;
}

int main(int argc, char **argv)
{
    const char *brokers = NULL, *prefix = NULL;
    char errstr[512];
    int prc = parse(argc, argv, &brokers, &prefix);
    if (prc != 0)
        return prc > 0 ? 0 : 2;
    cfg c;
    rd_kafka_t *rk = NULL;
    if (bc_cfg(&c, "bench_topics", brokers) == 0) {
        rk = kafka_admin_new(&c, errstr, sizeof(errstr));
        if (!rk)
            fprintf(stderr, "bench_topics: %s\n", errstr);
    }
    cfg_free(&c);
    if (!rk)
        return 3;
    rd_kafka_DeleteTopic_t **del = NULL;
    int n = matching(rk, prefix, &del), rc = 3;
    if (n == 0)
        rc = 0;
    else if (n > 0 && delete_topics(rk, del, n) == 0)
        rc = 0;
    if (n >= 0)
        printf("%d topic(s) deleted\n", rc == 0 ? n : 0);
    for (int i = 0; i < n; i++)
        rd_kafka_DeleteTopic_destroy(del[i]);
    free(del);
    rd_kafka_destroy(rk);
    return rc;
}
