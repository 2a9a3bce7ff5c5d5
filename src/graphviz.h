/* graphviz.h - `interdict inspect ACCOUNT --graph FILE`: an account's
 * neighbourhood, and a freeze request's evidence path, drawn with Graphviz.
 *
 * The DOT text is written here (gv_write_dot), so its shape is tested
 * without Graphviz; SVG and PNG are made by running Debian's `dot` on it.
 * Money flows left to right: who paid the account on the left, the account
 * in the middle, whom it paid on the right; watch-listed accounts are red,
 * the inspected account bold.
 */
#ifndef IX_GRAPHVIZ_H
#define IX_GRAPHVIZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "graph.h"
#include "model.h"

#define GV_TOP_MAX 100 /* counterparties drawn each way, at most */

/* An account as drawn. */
typedef struct gv_node {
    char account[IX_ACCOUNT_MAX + 1];
    char bank[IX_BANK_MAX + 1];       /* "" when unknown */
    char watch_list[IX_TEXT_MAX + 1]; /* the list it is on; "" when not watch-listed */
    const char *href;                 /* a link on the node (the console's); NULL: none */
} gv_node;

/* A counterparty and every transfer between it and the account one way. */
typedef struct gv_peer {
    gv_node node;
    int64_t count, sum;
    int64_t first_ms, last_ms;
} gv_peer;

/* The account, its top counterparties each way (by amount, largest first). */
typedef struct gv_neighbourhood {
    gv_node focus;
    gv_peer *in, *out;
    int nin, nout;
    int totin, totout; /* counterparties in the window, drawn or not */
    int64_t since_ms, as_of_ms;
} gv_neighbourhood;

/* One transfer cited as evidence; from and to index gv_request.nodes. */
typedef struct gv_hop {
    int from, to;
    char transfer_id[IX_ID_MAX + 1];
    int64_t amount, time_ms;
} gv_hop;

/* A freeze request's evidence: nodes[0 .. npath) are the path accounts of
 * its findings in order, the rest accounts only the evidence names. */
typedef struct gv_request {
    char id[IX_ID_MAX + 1];
    char account[IX_ACCOUNT_MAX + 1];
    char action[8];
    int score;
    char codes[128]; /* "WL01 watchlist_counterparty, ..." */
    gv_node *nodes;
    int nnodes, npath;
    gv_hop *hops;
    int nhops;
} gv_request;

/* Write the picture as DOT: the neighbourhood (may be NULL) and the
 * request (may be NULL), each in a cluster of its own. Amounts are shown in
 * `currency` with thousands separators. Labels are escaped: a quote,
 * a backslash or a control character in any string cannot break out of its
 * label. Returns 0, or -1 on a write error. */
int gv_write_dot(const gv_neighbourhood *nb, const gv_request *rq, const char *currency, FILE *out);

/* Escape s for a double-quoted DOT string into buf; returns buf. Control
 * characters become '?'. */
const char *gv_escape(const char *s, char *buf, size_t size);

/* Output formats, from the file name. */
typedef enum gv_format { GV_DOT = 0, GV_SVG, GV_PNG } gv_format;

/* The format a file name asks for (.dot or .gv, .svg, .png), or -1. */
int gv_format_of(const char *path);

/* Write DOT text (len bytes) to path in format f: as is for GV_DOT, else
 * through `dot -Tsvg` / `dot -Tpng`. Returns 0, or -1 with errstr filled;
 * without Graphviz installed the message says to install it or use .dot. */
int gv_render(const char *dot, size_t len, gv_format f, const char *path, char *errstr,
              size_t errstr_size);

/* Gather an account's neighbourhood from the store: counterparties whose
 * last transfer is in the 30 days to as_of_ms, the top `top` each way.
 * Returns 0, 1 when the store knows nothing of the account, or -1 with
 * errstr filled. Free with gv_neighbourhood_free. */
int gv_gather(graph *g, const char *account, int64_t as_of_ms, int top, gv_neighbourhood *nb,
              char *errstr, size_t errstr_size);
void gv_neighbourhood_free(gv_neighbourhood *nb);

/* Read a freeze request (its JSON, as `interdict tail --json` prints it)
 * from a file; banks and watch-list status of its accounts come from the
 * store when g is not NULL. Returns 0, or -1 with errstr filled. Free with
 * gv_request_free. */
int gv_load_request(const char *path, graph *g, gv_request *rq, char *errstr, size_t errstr_size);
void gv_request_free(gv_request *rq);

/* The same from the request's JSON in memory (len bytes). Returns 0, or -1
 * with "not one freeze request: why" in errstr. */
int gv_parse_request(const char *json, size_t len, graph *g, gv_request *rq, char *errstr,
                     size_t errstr_size);

/* What `inspect --graph` draws. */
typedef struct gv_opts {
    const char *account;      /* NULL: the request's account */
    const char *currency;     /* the clearing currency */
    int64_t as_of_ms;         /* the window ends here */
    int top;                  /* counterparties each way */
    const char *request_path; /* --request FILE.json, or NULL */
    const char *out_path;     /* .dot, .svg or .png */
} gv_opts;

/* Gather, write and render. Returns 0 (a one-line summary in summary),
 * 1 when the store knows nothing of the account and there is no request,
 * or -1 with errstr filled. */
int gv_inspect(graph *g, const gv_opts *o, char *summary, size_t summary_size, char *errstr,
               size_t errstr_size);

#endif /* IX_GRAPHVIZ_H */
