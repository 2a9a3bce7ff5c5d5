/* bench_detect.c - detection quality of a screening run: the freeze requests
 * on an interceptions topic judged against the load generator's ground
 * truth (truth.jsonl, docs/generator.md) by src/truth.c.
 *
 * With a classic truth the measures are those of tests/unit/test_quality.c
 * and the demo (recall per pattern, precision per reason code, any role
 * counting as right); with a realistic one, recall per typology and size
 * class (any action, and HOLD/FREEZE only), precision of HOLD and FREEZE
 * per reason code against the look-alikes and the background, innocent
 * accounts held per 100,000 and reviewed in percent, and the time to the
 * first request (src/truth.h says exactly how each is counted). Requests
 * are read with read_committed, as a fraud desk reads them.
 *
 * Writes the report (Markdown) to --table and prints a summary on stdout,
 * one "key value" a line.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "bench_common.h"
#include "truth.h"

#define READ_MS 300000 /* reading the interceptions topic */

typedef struct detect {
    const char *brokers, *topic, *truth_path, *table_path;
    int64_t accounts;
    truth *t;
    int oom;
} detect;

static void usage(FILE *out)
{
    fprintf(out, "usage: bench_detect --brokers HOST:PORT --interceptions TOPIC --truth FILE\n"
                 "                    --table FILE [--accounts N]\n"
                 "\n"
                 "Reads every freeze request on TOPIC (read_committed) and the generator's\n"
                 "truth.jsonl, writes the detection report as Markdown to --table and a summary\n"
                 "on stdout, one \"key value\" a line. A classic truth gives planted, caught,\n"
                 "recall, requests, right, precision, duplicates, unreadable, worst_recall,\n"
                 "worst_recall_pattern, worst_precision and worst_precision_code; a realistic\n"
                 "one recall by typology and size class, HOLD/FREEZE precision and the\n"
                 "innocent accounts held (bench/README.md lists the keys). --accounts is the\n"
                 "population (interdict-gen --accounts), for the figures per 100,000.\n");
}

/* Returns 0, 1 after --help, -1 on a usage error. */
static int parse(int argc, char **argv, detect *d)
{
    const bc_opt table[] = {
        {"brokers", BC_STR, &d->brokers, 1, NULL},   {"interceptions", BC_STR, &d->topic, 1, NULL},
        {"truth", BC_STR, &d->truth_path, 1, NULL},  {"table", BC_STR, &d->table_path, 1, NULL},
        {"accounts", BC_I64, &d->accounts, 0, NULL}, {0}};
    return bc_parse(argc, argv, table, usage);
}

static int read_truth(detect *d)
{
    FILE *f = fopen(d->truth_path, "r");
    if (!f) {
        perror(d->truth_path);
        return -1;
    }
    char *buf = NULL, errstr[256];
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    int rc = 0;
    while (rc == 0 && (len = getline(&buf, &cap, f)) > 0) {
        lineno++;
        rc = truth_add_instance(d->t, buf, (size_t)len, errstr, sizeof(errstr));
        if (rc != 0)
            fprintf(stderr, "bench_detect: %s:%ld: %s\n", d->truth_path, lineno, errstr);
    }
    free(buf);
    fclose(f);
    return rc;
}

static int on_request(const rd_kafka_message_t *m, void *arg)
{
    detect *d = arg;
    if (truth_add_request(d->t, m->payload, m->len) < 0) {
        d->oom = 1;
        return -1;
    }
    return 0;
}

static int write_table(const detect *d)
{
    FILE *f = fopen(d->table_path, "w");
    if (!f) {
        perror(d->table_path);
        return -1;
    }
    truth_write_markdown(d->t, f);
    return fclose(f) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    detect d;
    memset(&d, 0, sizeof(d));
    int prc = parse(argc, argv, &d);
    if (prc != 0)
        return prc > 0 ? 0 : 2;
    if (!(d.t = truth_new(d.accounts))) {
        fprintf(stderr, "bench_detect: out of memory\n");
        return 3;
    }
    int rc = 3;
    if (read_truth(&d) == 0 &&
        bc_read_topic("bench_detect", d.brokers, d.topic, READ_MS, on_request, &d) >= 0 && !d.oom &&
        write_table(&d) == 0) {
        truth_write_summary(d.t, stdout);
        rc = 0;
    } else if (d.oom) {
        fprintf(stderr, "bench_detect: out of memory judging the requests\n");
    }
    truth_destroy(d.t);
    return rc;
}
