/* bench_common.h - what the benchmark programs share: their command lines,
 * read from a table of long options, and the interdict configuration and
 * Kafka consumer they read the broker with (src/kafka.c underneath, so a
 * benchmark consumes the way interdict does).
 */
#ifndef IX_BENCH_COMMON_H
#define IX_BENCH_COMMON_H

#include <stdio.h>

#include <librdkafka/rdkafka.h>

#include "config.h"
#include "kafka.h"

typedef enum bc_type {
    BC_STR,  /* const char *: the argument itself */
    BC_INT,  /* int, by atoi() */
    BC_LONG, /* long, by strtol() */
    BC_I64,  /* int64_t, by strtoll() */
    BC_U64,  /* uint64_t, by strtoull() */
    BC_CALL, /* call(value, dst): returns 0, or -1 after its own message */
} bc_type;

/* One "--name VALUE" option; a table of them ends with a NULL name. */
typedef struct bc_opt {
    const char *name; /* without the leading "--" */
    bc_type type;
    void *dst;
    int required; /* absent: a usage error */
    int (*call)(const char *value, void *dst);
} bc_opt;

/* Read argv by the table, with -h and --help besides. No positional
 * arguments are taken. Returns 0; 1 after --help (usage on stdout); -1 on a
 * usage error (usage on stderr, except after a failed BC_CALL). */
int bc_parse(int argc, char **argv, const bc_opt *opts, void (*usage)(FILE *out));

/* interdict's defaults with `brokers`, and `prog` (the program's name) as
 * instance.id: the client id of every handle made from it. Returns 0, or -1
 * after printing "prog: why" on stderr; c is to be freed with cfg_free()
 * either way. */
int bc_cfg(cfg *c, const char *prog, const char *brokers);

/* A consumer of `brokers` built as interdict builds one (kafka_consumer_new()).
 * Returns NULL after printing "prog: why". */
rd_kafka_t *bc_consumer(const char *prog, const char *brokers, const kafka_consumer_opts *o);

/* kafka_read_topic() on `brokers`: every committed message of `topic` from
 * the beginning to its current end. Returns how many, or -1 after printing
 * "prog: why". */
int64_t bc_read_topic(const char *prog, const char *brokers, const char *topic, int timeout_ms,
                      kafka_msg_fn fn, void *arg);

#endif /* IX_BENCH_COMMON_H */
