/* store_fixture.h - a real state store for the tests that read one
 * (inspect, graphviz, console): transfers applied as the pipeline applies
 * them, and the temporary directory removed afterwards. */
#ifndef IX_TEST_STORE_FIXTURE_H
#define IX_TEST_STORE_FIXTURE_H

#include <stdint.h>

#include "graph.h"

/* Apply one CNY transfer to the graph; fails the test on an error. */
void sfx_apply(graph *g, const char *id, const char *from, const char *to, int64_t amount,
               int64_t t);

/* Remove a directory and everything below it. */
void sfx_rmtree(const char *dir);

#endif /* IX_TEST_STORE_FIXTURE_H */
