/* bench_topics.c - removes the topics a benchmark run created: every topic
 * whose name starts with a prefix. bench/run.sh calls it at the end when it
 * used a broker that was already running (a broker it started itself is
 * stopped, and its data deleted, instead).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

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
    static const struct option lo[] = {{"brokers", required_argument, NULL, 'b'},
                                       {"delete-prefix", required_argument, NULL, 'p'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        if (c == 'b') {
            *brokers = optarg;
        } else if (c == 'p') {
            *prefix = optarg;
        } else if (c == 'h') {
            usage(stdout);
            return 1;
        } else {
            usage(stderr);
            return -1;
        }
    }
    if (!*brokers || !*prefix || strlen(*prefix) < 4 || optind < argc) {
        usage(stderr);
        return -1;
    }
    return 0;
}

/* The names of the topics starting with prefix; returns how many, or -1. */
static int matching(rd_kafka_t *rk, const char *prefix, rd_kafka_DeleteTopic_t ***out)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, NULL, &md, TIMEOUT_MS);
    if (err) {
        fprintf(stderr, "bench_topics: listing topics: %s\n", rd_kafka_err2str(err));
        return -1;
    }
    int n = 0;
    *out = calloc((size_t)md->topic_cnt + 1, sizeof(**out));
    for (int i = 0; *out && i < md->topic_cnt; i++)
        if (strncmp(md->topics[i].topic, prefix, strlen(prefix)) == 0)
            (*out)[n++] = rd_kafka_DeleteTopic_new(md->topics[i].topic);
    rd_kafka_metadata_destroy(md);
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
    char why[512];
    int prc = parse(argc, argv, &brokers, &prefix);
    if (prc != 0)
        return prc > 0 ? 0 : 2;
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", brokers, why, sizeof(why)) !=
        RD_KAFKA_CONF_OK) {
        fprintf(stderr, "bench_topics: %s\n", why);
        rd_kafka_conf_destroy(conf);
        return 2;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof(why));
    if (!rk) {
        fprintf(stderr, "bench_topics: creating the client: %s\n", why);
        rd_kafka_conf_destroy(conf);
        return 3;
    }
    /* rd_kafka_new() took ownership of conf. */
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
