/* inspect.h - `interdict inspect ACCOUNT`: what the state store knows about
 * one account, for a fraud desk: profile and watch-list status, totals per
 * window, the top counterparties each way and the recent flow, as text or
 * JSON. Opens the store read-only, so it works beside a running screener.
 */
#ifndef IX_INSPECT_H
#define IX_INSPECT_H

#include <stdint.h>
#include <stdio.h>

#include "graph.h"

typedef struct inspect_opts {
    const char *account;
    const char *currency; /* for amounts: the clearing currency */
    int64_t as_of_ms;     /* windows end here; 0 = now */
    int top;              /* counterparties listed each way */
    int flows;            /* recent transfers listed */
    int json;
} inspect_opts;

/* Print the account's picture. Returns 0, 1 when the store knows nothing
 * of the account, or -1 with errstr filled. */
int inspect_account(graph *g, const inspect_opts *o, FILE *out, char *errstr, size_t errstr_size);

#endif /* IX_INSPECT_H */
