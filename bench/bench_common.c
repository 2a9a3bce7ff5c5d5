/* bench_common.c - command lines and Kafka set-up of the benchmark programs. */
#include "bench_common.h"

#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>

#define BC_FIRST_VAL 256 /* getopt values of the table's options: above every char */

static void store(const bc_opt *o, const char *v)
{
    switch (o->type) {
    case BC_STR:
        *(const char **)o->dst = v;
        break;
    case BC_INT:
        *(int *)o->dst = atoi(v);
        break;
    case BC_LONG:
        *(long *)o->dst = strtol(v, NULL, 10);
        break;
    case BC_I64:
        *(int64_t *)o->dst = strtoll(v, NULL, 10);
        break;
    case BC_U64:
        *(uint64_t *)o->dst = strtoull(v, NULL, 10);
        break;
    case BC_CALL:
        break; /* called by the caller, which needs its answer */
    }
}

/* The getopt_long() table for opts, with --help; NULL when out of memory. */
static struct option *long_options(const bc_opt *opts, size_t n)
{
    struct option *lo = calloc(n + 2, sizeof(*lo));
    for (size_t i = 0; lo && i < n; i++)
        lo[i] = (struct option){opts[i].name, required_argument, NULL, BC_FIRST_VAL + (int)i};
    if (lo)
        lo[n] = (struct option){"help", no_argument, NULL, 'h'};
    return lo;
}

/* Every option read; returns 0, 1 after --help, -1 on a usage error, -2
 * after a failed BC_CALL. */
static int read_options(int argc, char **argv, const bc_opt *opts, const struct option *lo,
                        unsigned char *seen)
{
    int c;
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        if (c == 'h')
            return 1;
        if (c < BC_FIRST_VAL)
            return -1;
        const bc_opt *o = &opts[c - BC_FIRST_VAL];
        seen[c - BC_FIRST_VAL] = 1;
        if (o->type == BC_CALL && o->call(optarg, o->dst) != 0)
            return -2;
        store(o, optarg);
    }
    return optind < argc ? -1 : 0;
}

int bc_parse(int argc, char **argv, const bc_opt *opts, void (*usage)(FILE *out))
{
    size_t n = 0;
    while (opts[n].name)
        n++;
    struct option *lo = long_options(opts, n);
    unsigned char *seen = calloc(n + 1, 1);
    int rc = lo && seen ? read_options(argc, argv, opts, lo, seen) : -1;
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (opts[i].required && !seen[i])
            rc = -1;
    free(lo);
    free(seen);
    if (rc == 1)
        usage(stdout);
    else if (rc == -1)
        usage(stderr);
    return rc < 0 ? -1 : rc;
}

int bc_cfg(cfg *c, const char *prog, const char *brokers)
{
    char errstr[512];
    if (cfg_init(c, errstr, sizeof(errstr)) != 0 ||
        cfg_set(c, "brokers", brokers, errstr, sizeof(errstr)) != 0 ||
        cfg_set(c, "instance.id", prog, errstr, sizeof(errstr)) != 0) {
        fprintf(stderr, "%s: %s\n", prog, errstr);
        return -1;
    }
    return 0;
}

rd_kafka_t *bc_consumer(const char *prog, const char *brokers, const kafka_consumer_opts *o)
{
    char errstr[512];
    cfg c;
    rd_kafka_t *rk = NULL;
    if (bc_cfg(&c, prog, brokers) == 0) {
        /* librdkafka copies every property: c is not needed afterwards. */
        rk = kafka_consumer_new(&c, o, errstr, sizeof(errstr));
        if (!rk)
            fprintf(stderr, "%s: %s\n", prog, errstr);
    }
    cfg_free(&c);
    return rk;
}

int64_t bc_read_topic(const char *prog, const char *brokers, const char *topic, int timeout_ms,
                      kafka_msg_fn fn, void *arg)
{
    char errstr[512];
    cfg c;
    int64_t n = -1;
    if (bc_cfg(&c, prog, brokers) == 0) {
        n = kafka_read_topic(&c, topic, timeout_ms, fn, arg, errstr, sizeof(errstr));
        if (n < 0)
            fprintf(stderr, "%s: %s\n", prog, errstr);
    }
    cfg_free(&c);
    return n;
}
