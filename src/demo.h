/* demo.h - `interdict demo`: the whole flow on an embedded Kafka cluster.
 *
 * Starts librdkafka's mock cluster inside the process, loads the load
 * generator's population, watch list and three days of transfers with every
 * laundering pattern planted (and some malformed messages), screens them with
 * the real pipeline, then reads the interceptions and dead-letter topics back
 * and compares them with the generator's ground truth.
 */
#ifndef IX_DEMO_H
#define IX_DEMO_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "log.h"

typedef struct demo_opts {
    int64_t transfers;   /* transfers in the stream, background and planted; 0: the
                            default of the format */
    int64_t accounts;    /* population size */
    int64_t per_pattern; /* instances of each laundering pattern planted */
    int64_t malformed;   /* malformed messages mixed in */
    uint64_t seed;
    int show;       /* reason codes to show a freeze request of */
    int keep_state; /* keep the state directory (path printed) */
    int format;     /* ix_format of the transfers topic; -1: topic.transfers.format */
} demo_opts;

void demo_opts_default(demo_opts *o);

/* Run the demo with c as the base configuration (its brokers, state.dir and
 * partitions are replaced). Returns 0 when recall and precision reach 0.95
 * and 0.9 and every bad message was dead-lettered, 1 when they fall short,
 * -1 on an error (errstr filled). */
int demo_run(cfg *c, const demo_opts *o, const ix_log *lg, volatile sig_atomic_t *run, FILE *out,
             char *errstr, size_t errstr_size);

#endif /* IX_DEMO_H */
