/* metrics.h - what the screener has done and how it is doing, in the
 * Prometheus text format, served over HTTP on a local address
 * (`metrics.listen`) by libmicrohttpd. docs/metrics.md lists every metric.
 *
 * The pipeline hands over a snapshot after every checkpoint and every few
 * seconds (met_update); scrapes read the latest snapshot, so a scrape never
 * waits for screening and screening never waits for a scrape.
 */
#ifndef IX_METRICS_H
#define IX_METRICS_H

#include <stddef.h>
#include <stdio.h>

#include "graph.h"
#include "pipeline.h"

typedef struct metrics metrics;

/* Check metrics.listen ("", "off", or HOST:PORT) before anything starts, so
 * a bad address is a configuration error. Returns 0, or -1 with errstr. */
int met_check_listen(const char *listen, char *errstr, size_t errstr_size);

/* Serve on `listen` ("host:port"; "" or "off" to serve nothing and only
 * keep the snapshot). Returns NULL with errstr filled (e.g. port in use). */
metrics *met_start(const char *listen, graph *g, char *errstr, size_t errstr_size);
void met_stop(metrics *m); /* m may be NULL */

/* The port actually bound (useful with port 0), or 0 when not serving. */
int met_port(const metrics *m);

/* A new snapshot from the pipeline. */
void met_update(metrics *m, const stats *total, const pipe_live *live);

/* Write the exposition text of the latest snapshot (also what /metrics
 * serves). Returns the number of bytes written. */
size_t met_render(metrics *m, FILE *out);

#endif /* IX_METRICS_H */
