/* demo.h - `interdict demo`: the whole flow on an embedded Kafka cluster.
 *
 * Starts librdkafka's mock cluster inside the process, loads a synthetic
 * population and watch list, streams generated transfers (with known hits and
 * some malformed messages) through the real pipeline, then reads the
 * interceptions and dead-letter topics back and shows what was found next to
 * what was expected.
 */
#ifndef IX_DEMO_H
#define IX_DEMO_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "log.h"

typedef struct demo_opts {
    int64_t transfers; /* total transfers to stream */
    int64_t accounts;  /* population size */
    int64_t mules;     /* watch-listed accounts */
    int64_t hits;      /* transfers touching a distinct watch-listed account */
    int64_t repeats;   /* further hits on already-hit accounts (suppressed as repeats) */
    int64_t malformed; /* malformed messages mixed in */
    uint64_t seed;
    int show;       /* freeze requests to print in full */
    int keep_state; /* keep the state directory (path printed) */
} demo_opts;

void demo_opts_default(demo_opts *o);

/* Run the demo with c as the base configuration (its brokers and state.dir
 * are replaced). Returns 0 when everything expected was found, 1 when the
 * results differ from the expectation, -1 on an error (errstr filled). */
int demo_run(cfg *c, const demo_opts *o, const ix_log *lg, volatile sig_atomic_t *run, FILE *out,
             char *errstr, size_t errstr_size);

#endif /* IX_DEMO_H */
