/* graphviz.c - an account's neighbourhood and a request's evidence path as
 * Graphviz DOT, rendered to SVG or PNG by Debian's `dot`.
 *
 * Why the counterparties appear twice when they both paid and were paid:
 * a DOT node has one place, and a counterparty on both sides would pull the
 * layout into a loop; drawn once on each side, money keeps flowing left to
 * right.
 */
#include "graphviz.h"

#include <errno.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "render.h"
#include "timefmt.h"

#define GV_EDGE_CAP   20000             /* counterparties read to rank the top ones */
#define GV_WINDOW_MS  (30 * 86400000LL) /* the window of the neighbourhood */
#define GV_FILE_MAX   (1 << 20)         /* largest request file read */
#define GV_LABEL_MAX  1024
#define GV_RED        "#cc0000"
#define GV_RED_FILL   "#ffe6e6"
#define GV_FOCUS_FILL "#e3ecfb"

extern char **environ;

/* ---- labels -------------------------------------------------------------- */

const char *gv_escape(const char *s, char *buf, size_t size)
{
    size_t n = 0;
    for (; s && *s && n + 2 < size; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            buf[n++] = '\\';
        buf[n++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    buf[n] = '\0';
    return buf;
}

/* Append escaped text, or a line break when s is NULL, to a label. */
static void lab(char *label, const char *s)
{
    size_t n = strlen(label);
    if (!s)
        snprintf(label + n, GV_LABEL_MAX - n, "\\n");
    else
        gv_escape(s, label + n, GV_LABEL_MAX - n);
}

/* "2026-11-23 11:40:21": seconds are enough on a picture (UTC, in the title). */
static const char *short_time(int64_t ms, char *buf, size_t size)
{
    char t[32];
    if (ms <= 0 || tf_format(ms, t, sizeof(t)) < 0) {
        snprintf(buf, size, "-");
        return buf;
    }
    t[10] = ' ';
    t[19] = '\0';
    snprintf(buf, size, "%s", t);
    return buf;
}

static void node_label(const gv_node *nd, char *label)
{
    label[0] = '\0';
    lab(label, nd->account);
    if (nd->bank[0]) {
        lab(label, NULL);
        lab(label, nd->bank);
    }
    if (nd->watch_list[0]) {
        lab(label, NULL);
        lab(label, "WATCH-LISTED: ");
        lab(label, nd->watch_list);
    }
}

static void write_node(FILE *out, const char *id, const gv_node *nd, int focus)
{
    char label[GV_LABEL_MAX];
    node_label(nd, label);
    fprintf(out, "    %s [label=\"%s\"", id, label);
    if (nd->href) {
        char href[GV_LABEL_MAX];
        fprintf(out, ", URL=\"%s\", target=\"_top\"", gv_escape(nd->href, href, sizeof(href)));
    }
    if (nd->watch_list[0])
        fprintf(out,
                ", color=\"" GV_RED "\", fontcolor=\"" GV_RED "\", fillcolor=\"" GV_RED_FILL "\"");
    if (focus)
        fprintf(out, ", penwidth=3, fontname=\"Helvetica-Bold\"%s",
                nd->watch_list[0] ? "" : ", fillcolor=\"" GV_FOCUS_FILL "\"");
    else if (nd->watch_list[0])
        fprintf(out, ", penwidth=2");
    fprintf(out, "];\n");
}

/* ---- the neighbourhood --------------------------------------------------- */

static void peer_label(const gv_peer *p, const char *currency, char *label)
{
    char amt[64], t1[32], t2[32], line[128];
    render_amount(p->sum, currency, amt, sizeof(amt));
    label[0] = '\0';
    lab(label, amt);
    lab(label, NULL);
    if (p->count == 1) {
        snprintf(line, sizeof(line), "1 transfer, %s", short_time(p->first_ms, t1, sizeof(t1)));
        lab(label, line);
        return;
    }
    snprintf(line, sizeof(line), "%lld transfers", (long long)p->count);
    lab(label, line);
    lab(label, NULL);
    snprintf(line, sizeof(line), "%s ..", short_time(p->first_ms, t1, sizeof(t1)));
    lab(label, line);
    lab(label, NULL);
    lab(label, short_time(p->last_ms, t2, sizeof(t2)));
}

static int64_t max_sum(const gv_neighbourhood *nb)
{
    int64_t m = 1;
    for (int i = 0; i < nb->nin; i++)
        m = nb->in[i].sum > m ? nb->in[i].sum : m;
    for (int i = 0; i < nb->nout; i++)
        m = nb->out[i].sum > m ? nb->out[i].sum : m;
    return m;
}

/* One side's peers and their edges to or from the focus (n0). */
static void write_side(FILE *out, const gv_neighbourhood *nb, int incoming, const char *currency)
{
    char id[32], label[GV_LABEL_MAX];
    const gv_peer *peers = incoming ? nb->in : nb->out;
    int n = incoming ? nb->nin : nb->nout;
    int64_t top = max_sum(nb);
    for (int i = 0; i < n; i++) {
        const gv_peer *p = &peers[i];
        int red = p->node.watch_list[0] || nb->focus.watch_list[0];
        snprintf(id, sizeof(id), "n%c%d", incoming ? 'i' : 'o', i);
        write_node(out, id, &p->node, 0);
        peer_label(p, currency, label);
        /* Line width follows the amount, so the big flows stand out. */
        double width = 1.0 + 3.0 * (double)p->sum / (double)top;
        fprintf(out, "    %s -> %s [label=\"%s\", penwidth=%.1f%s];\n", incoming ? id : "n0",
                incoming ? "n0" : id, label, width,
                red ? ", color=\"" GV_RED "\", fontcolor=\"" GV_RED "\"" : "");
    }
}

static void write_neighbourhood(FILE *out, const gv_neighbourhood *nb, const char *currency)
{
    char t[32], acct[128];
    fprintf(out, "  subgraph cluster_n {\n");
    fprintf(out,
            "    label=\"%s: paid by %d of %d counterparties (left), paid %d of %d (right), "
            "largest first, 30 days to %s UTC\";\n",
            gv_escape(nb->focus.account, acct, sizeof(acct)), nb->nin, nb->totin, nb->nout,
            nb->totout, short_time(nb->as_of_ms, t, sizeof(t)));
    /* Room between the title and the first edge label, which Graphviz
     * does not keep by itself. */
    fprintf(out, "    color=\"#bbbbbb\";\n    margin=24;\n");
    write_node(out, "n0", &nb->focus, 1);
    write_side(out, nb, 1, currency);
    write_side(out, nb, 0, currency);
    fprintf(out, "  }\n");
}

/* ---- the request --------------------------------------------------------- */

static void write_request(FILE *out, const gv_request *rq, const char *currency)
{
    char id[32], label[GV_LABEL_MAX], amt[64], t[32], e1[160], e2[160];
    fprintf(out, "  subgraph cluster_r {\n");
    fprintf(out, "    label=\"request %s: %s %s, score %d\\n%s\";\n",
            gv_escape(rq->id, e1, sizeof(e1)), gv_escape(rq->action, amt, sizeof(amt)),
            gv_escape(rq->account, t, sizeof(t)), rq->score, gv_escape(rq->codes, e2, sizeof(e2)));
    /* Room between the title and the first edge label, which Graphviz
     * does not keep by itself. */
    fprintf(out, "    color=\"#bbbbbb\";\n    margin=24;\n");
    for (int i = 0; i < rq->nnodes; i++) {
        snprintf(id, sizeof(id), "r%d", i);
        write_node(out, id, &rq->nodes[i], strcmp(rq->nodes[i].account, rq->account) == 0);
    }
    for (int i = 0; i < rq->nhops; i++) {
        const gv_hop *h = &rq->hops[i];
        int red = rq->nodes[h->from].watch_list[0] || rq->nodes[h->to].watch_list[0];
        render_amount(h->amount, currency, amt, sizeof(amt));
        label[0] = '\0';
        lab(label, h->transfer_id);
        lab(label, NULL);
        lab(label, amt);
        lab(label, NULL);
        lab(label, short_time(h->time_ms, t, sizeof(t)));
        fprintf(out, "    r%d -> r%d [label=\"%s\", penwidth=2%s];\n", h->from, h->to, label,
                red ? ", color=\"" GV_RED "\", fontcolor=\"" GV_RED "\"" : "");
    }
    fprintf(out, "  }\n");
}

/* ---- the whole picture ----------------------------------------------------- */

int gv_write_dot(const gv_neighbourhood *nb, const gv_request *rq, const char *currency, FILE *out)
{
    char title[GV_LABEL_MAX] = "";
    if (nb) {
        lab(title, "interdict: account ");
        lab(title, nb->focus.account);
    } else if (rq) {
        lab(title, "interdict: request ");
        lab(title, rq->id);
    }
    lab(title, NULL);
    lab(title, "money flows left to right; red: on the watch list; bold: the account in question");
    fprintf(out, "digraph interdict {\n");
    fprintf(out,
            "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=12, labelloc=t, "
            "nodesep=0.25, ranksep=1.2, label=\"%s\"];\n",
            title);
    fprintf(out, "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f5f5f5\", "
                 "color=\"#666666\", fontname=\"Helvetica\", fontsize=10];\n");
    fprintf(out, "  edge [color=\"#666666\", fontcolor=\"#333333\", fontname=\"Helvetica\", "
                 "fontsize=9, arrowsize=0.7];\n");
    if (nb)
        write_neighbourhood(out, nb, currency);
    if (rq)
        write_request(out, rq, currency);
    fprintf(out, "}\n");
    return ferror(out) ? -1 : 0;
}

/* ---- rendering ------------------------------------------------------------- */

int gv_format_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot || strchr(dot, '/'))
        return -1;
    if (strcmp(dot, ".dot") == 0 || strcmp(dot, ".gv") == 0)
        return GV_DOT;
    if (strcmp(dot, ".svg") == 0)
        return GV_SVG;
    if (strcmp(dot, ".png") == 0)
        return GV_PNG;
    return -1;
}

static int write_file(const char *path, const char *data, size_t len, char *errstr,
                      size_t errstr_size)
{
    FILE *f = fopen(path, "w");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        snprintf(errstr, errstr_size, "%s: %s", path, strerror(errno));
        if (f)
            fclose(f);
        return -1;
    }
    return 0;
}

/* Run `dot -T<fmt> -o path input`; its own messages go to stderr. */
static int run_dot(const char *fmt, const char *input, const char *path, char *errstr,
                   size_t errstr_size)
{
    char flag[16];
    pid_t pid;
    int status = 0;
    snprintf(flag, sizeof(flag), "-T%s", fmt);
    char *argv[] = {"dot", flag, "-o", (char *)path, (char *)input, NULL};
    int err = posix_spawnp(&pid, "dot", NULL, NULL, argv, environ);
    if (err == ENOENT) {
        snprintf(errstr, errstr_size,
                 "`dot` not found: install graphviz for %s (Debian: apt-get install graphviz), "
                 "or name the file .dot",
                 fmt);
        return -1;
    }
    if (err) {
        snprintf(errstr, errstr_size, "running dot: %s", strerror(err));
        return -1;
    }
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(errstr, errstr_size, "dot -T%s failed (status %d) writing %s", fmt, status, path);
        return -1;
    }
    return 0;
}

int gv_render(const char *dot, size_t len, gv_format f, const char *path, char *errstr,
              size_t errstr_size)
{
    char tmp[512];
    if (f == GV_DOT)
        return write_file(path, dot, len, errstr, errstr_size);
    const char *base = getenv("TMPDIR");
    snprintf(tmp, sizeof(tmp), "%s/interdict-graph-XXXXXX", base && *base ? base : "/tmp");
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(errstr, errstr_size, "%s: %s", tmp, strerror(errno));
        return -1;
    }
    close(fd);
    int rc = write_file(tmp, dot, len, errstr, errstr_size);
    if (rc == 0)
        rc = run_dot(f == GV_SVG ? "svg" : "png", tmp, path, errstr, errstr_size);
    unlink(tmp);
    return rc;
}

/* ---- gathering from the store --------------------------------------------- */

/* An account's bank (from its profile) and watch-list status. */
static int describe(graph *g, const char *account, gv_node *nd, char *errstr, size_t errstr_size)
{
    ix_account prof;
    ix_watch w;
    memset(nd, 0, sizeof(*nd));
    snprintf(nd->account, sizeof(nd->account), "%s", account);
    if (!g)
        return 0;
    int has = graph_get_profile(g, account, &prof, errstr, errstr_size);
    int watched = has < 0 ? -1 : graph_get_watch(g, account, &w, errstr, errstr_size);
    if (watched < 0)
        return -1;
    if (has)
        snprintf(nd->bank, sizeof(nd->bank), "%s", prof.bank);
    if (watched) {
        snprintf(nd->watch_list, sizeof(nd->watch_list), "%s", w.list);
        if (!nd->bank[0])
            snprintf(nd->bank, sizeof(nd->bank), "%s", w.bank);
    }
    return has || watched;
}

static int by_sum_desc(const void *x, const void *y)
{
    const graph_edge *a = x, *b = y;
    if (a->sum != b->sum)
        return a->sum > b->sum ? -1 : 1;
    return strcmp(a->peer, b->peer);
}

static int gather_side(graph *g, gv_neighbourhood *nb, graph_dir dir, int top, char *errstr,
                       size_t errstr_size)
{
    graph_edge *e = calloc(GV_EDGE_CAP, sizeof(*e));
    gv_peer *p = calloc((size_t)top + 1, sizeof(*p));
    int rc = -1;
    if (!e || !p) {
        snprintf(errstr, errstr_size, "out of memory");
        goto out;
    }
    int total =
        graph_edges(g, nb->focus.account, dir, nb->since_ms, e, GV_EDGE_CAP, errstr, errstr_size);
    if (total < 0)
        goto out;
    int n = total < GV_EDGE_CAP ? total : GV_EDGE_CAP;
    qsort(e, (size_t)n, sizeof(*e), by_sum_desc);
    int keep = n < top ? n : top;
    for (int i = 0; i < keep; i++) {
        if (describe(g, e[i].peer, &p[i].node, errstr, errstr_size) < 0)
            goto out;
        p[i].count = e[i].count;
        p[i].sum = e[i].sum;
        p[i].first_ms = e[i].first_ms;
        p[i].last_ms = e[i].last_ms;
    }
    if (dir == GRAPH_IN) {
        nb->in = p, nb->nin = keep, nb->totin = total;
    } else {
        nb->out = p, nb->nout = keep, nb->totout = total;
    }
    p = NULL;
    rc = 0;
out:
    free(e);
    free(p);
    return rc;
}

int gv_gather(graph *g, const char *account, int64_t as_of_ms, int top, gv_neighbourhood *nb,
              char *errstr, size_t errstr_size)
{
    graph_acct a;
    memset(nb, 0, sizeof(*nb));
    nb->as_of_ms = as_of_ms;
    nb->since_ms = as_of_ms - GV_WINDOW_MS;
    top = top < 0 ? 0 : top > GV_TOP_MAX ? GV_TOP_MAX : top;
    int known = describe(g, account, &nb->focus, errstr, errstr_size);
    if (known < 0 || graph_get(g, account, as_of_ms, &a, errstr, errstr_size) != 0)
        return -1;
    if (!known && a.first_seen_ms == 0)
        return 1;
    if (gather_side(g, nb, GRAPH_IN, top, errstr, errstr_size) != 0 ||
        gather_side(g, nb, GRAPH_OUT, top, errstr, errstr_size) != 0)
        return -1;
    return 0;
}

void gv_neighbourhood_free(gv_neighbourhood *nb)
{
    if (!nb)
        return;
    free(nb->in);
    free(nb->out);
    nb->in = nb->out = NULL;
}

/* ---- the request file -------------------------------------------------------- */

static char *read_file(const char *path, size_t *len, char *errstr, size_t errstr_size)
{
    FILE *f = fopen(path, "rb");
    char *buf = f ? malloc(GV_FILE_MAX + 1) : NULL;
    if (!f || !buf) {
        snprintf(errstr, errstr_size, "%s: %s", path, f ? "out of memory" : strerror(errno));
        if (f)
            fclose(f);
        free(buf);
        return NULL;
    }
    *len = fread(buf, 1, GV_FILE_MAX + 1, f);
    fclose(f);
    if (*len > GV_FILE_MAX) {
        snprintf(errstr, errstr_size, "%s: larger than %d bytes, not one freeze request", path,
                 GV_FILE_MAX);
        free(buf);
        return NULL;
    }
    buf[*len] = '\0';
    return buf;
}

/* The node of an account, added when new. */
static int node_of(gv_request *rq, int cap, const char *account)
{
    for (int i = 0; i < rq->nnodes; i++)
        if (strcmp(rq->nodes[i].account, account) == 0)
            return i;
    if (rq->nnodes >= cap)
        return -1;
    snprintf(rq->nodes[rq->nnodes].account, sizeof(rq->nodes[0].account), "%s", account);
    return rq->nnodes++;
}

/* The path's accounts, in order, as the first nodes. The path is not
 * always a chain (fan-in lists the senders, then the account), so only the
 * cited transfers are drawn as edges. */
static void add_path(gv_request *rq, int cap, json_t *path)
{
    for (size_t i = 0; i < json_array_size(path); i++)
        node_of(rq, cap, json_string_value(json_array_get(path, i)));
}

static void add_evidence(gv_request *rq, int cap, json_t *ev)
{
    for (size_t i = 0; i < json_array_size(ev); i++) {
        json_t *e = json_array_get(ev, i);
        const char *id = json_string_value(json_object_get(e, "transfer_id"));
        const char *when = json_string_value(json_object_get(e, "time"));
        int dup = 0;
        for (int h = 0; h < rq->nhops && !dup; h++)
            dup = strcmp(rq->hops[h].transfer_id, id) == 0;
        int from = node_of(rq, cap, json_string_value(json_object_get(e, "from_account")));
        int to = node_of(rq, cap, json_string_value(json_object_get(e, "to_account")));
        if (dup || from < 0 || to < 0 || rq->nhops >= cap)
            continue;
        gv_hop *h = &rq->hops[rq->nhops++];
        h->from = from;
        h->to = to;
        snprintf(h->transfer_id, sizeof(h->transfer_id), "%s", id);
        h->amount = (int64_t)json_integer_value(json_object_get(e, "amount"));
        if (tf_parse(when, strlen(when), &h->time_ms) != 0)
            h->time_ms = 0;
    }
}

/* Fill rq from a request that render_check() accepted. */
static int parse_request(json_t *r, gv_request *rq, char *errstr, size_t errstr_size)
{
    json_t *findings = json_object_get(r, "findings");
    int cap = IX_FINDINGS_MAX * (IX_PATH_MAX + 2 * IX_EVIDENCE_MAX);
    rq->nodes = calloc((size_t)cap, sizeof(*rq->nodes));
    rq->hops = calloc((size_t)cap, sizeof(*rq->hops));
    if (!rq->nodes || !rq->hops) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    snprintf(rq->id, sizeof(rq->id), "%s", json_string_value(json_object_get(r, "request_id")));
    snprintf(rq->account, sizeof(rq->account), "%s",
             json_string_value(json_object_get(r, "account")));
    snprintf(rq->action, sizeof(rq->action), "%s", json_string_value(json_object_get(r, "action")));
    rq->score = (int)json_integer_value(json_object_get(r, "score"));
    size_t n = 0;
    for (size_t i = 0; i < json_array_size(findings); i++) {
        json_t *f = json_array_get(findings, i);
        n += (size_t)snprintf(rq->codes + n, n < sizeof(rq->codes) ? sizeof(rq->codes) - n : 0,
                              "%s%s %s", i ? ", " : "",
                              json_string_value(json_object_get(f, "code")),
                              json_string_value(json_object_get(f, "rule")));
        add_path(rq, cap, json_object_get(f, "path"));
    }
    rq->npath = rq->nnodes;
    for (size_t i = 0; i < json_array_size(findings); i++)
        add_evidence(rq, cap, json_object_get(json_array_get(findings, i), "evidence"));
    node_of(rq, cap, rq->account); /* the account itself, even without a path */
    return 0;
}

int gv_parse_request(const char *json, size_t len, graph *g, gv_request *rq, char *errstr,
                     size_t errstr_size)
{
    char why[512] = "not JSON";
    int rc = -1;
    memset(rq, 0, sizeof(*rq));
    /* The renderer's check: exactly what `interdict tail` accepts. */
    json_t *r = NULL;
    if (render_check(json, len, why, sizeof(why)) != 0 || !(r = json_loadb(json, len, 0, NULL))) {
        snprintf(errstr, errstr_size, "not one freeze request: %s", why);
        goto out;
    }
    if (parse_request(r, rq, errstr, errstr_size) != 0)
        goto out;
    for (int i = 0; i < rq->nnodes; i++) {
        gv_node *nd = &rq->nodes[i];
        char account[IX_ACCOUNT_MAX + 1];
        memcpy(account, nd->account, sizeof(account));
        if (describe(g, account, nd, errstr, errstr_size) < 0)
            goto out;
    }
    rc = 0;
out:
    json_decref(r);
    return rc;
}

int gv_load_request(const char *path, graph *g, gv_request *rq, char *errstr, size_t errstr_size)
{
    char why[512];
    size_t len = 0;
    memset(rq, 0, sizeof(*rq));
    char *buf = read_file(path, &len, errstr, errstr_size);
    if (!buf)
        return -1;
    int rc = gv_parse_request(buf, len, g, rq, why, sizeof(why));
    if (rc != 0)
        snprintf(errstr, errstr_size, "%s: %s", path, why);
    free(buf);
    return rc;
}

void gv_request_free(gv_request *rq)
{
    if (!rq)
        return;
    free(rq->nodes);
    free(rq->hops);
    memset(rq, 0, sizeof(*rq));
}

/* ---- the command ---------------------------------------------------------------- */

static void summarise(const gv_opts *o, const gv_neighbourhood *nb, int have_nb,
                      const gv_request *rq, char *summary, size_t size)
{
    size_t n = (size_t)snprintf(summary, size, "%s:", o->out_path);
    if (have_nb && n < size)
        n += (size_t)snprintf(summary + n, size - n,
                              " %s paid by %d of %d counterparties, paid %d of %d",
                              nb->focus.account, nb->nin, nb->totin, nb->nout, nb->totout);
    if (rq && n < size)
        snprintf(summary + n, size - n, "%s request %s with %d account%s and %d transfer%s",
                 have_nb ? ";" : "", rq->id, rq->nnodes, rq->nnodes == 1 ? "" : "s", rq->nhops,
                 rq->nhops == 1 ? "" : "s");
}

int gv_inspect(graph *g, const gv_opts *o, char *summary, size_t summary_size, char *errstr,
               size_t errstr_size)
{
    gv_request rq;
    gv_neighbourhood nb;
    char *dot = NULL;
    size_t len = 0;
    int rc = -1, known = 1, f = gv_format_of(o->out_path);
    memset(&rq, 0, sizeof(rq));
    memset(&nb, 0, sizeof(nb));
    if (f < 0) {
        snprintf(errstr, errstr_size, "--graph %s: name the file .svg, .png or .dot", o->out_path);
        return -1;
    }
    if (o->request_path && gv_load_request(o->request_path, g, &rq, errstr, errstr_size) != 0)
        goto out;
    const char *account = o->account ? o->account : rq.account;
    known = gv_gather(g, account, o->as_of_ms, o->top, &nb, errstr, errstr_size);
    if (known < 0 || (known == 1 && !o->request_path)) {
        rc = known;
        goto out;
    }
    FILE *m = open_memstream(&dot, &len);
    if (!m ||
        gv_write_dot(known == 0 ? &nb : NULL, o->request_path ? &rq : NULL, o->currency, m) != 0) {
        snprintf(errstr, errstr_size, "writing the picture: out of memory");
        if (m)
            fclose(m);
        goto out;
    }
    fclose(m);
    if (gv_render(dot, len, (gv_format)f, o->out_path, errstr, errstr_size) != 0)
        goto out;
    summarise(o, &nb, known == 0, o->request_path ? &rq : NULL, summary, summary_size);
    rc = 0;
out:
    free(dot);
    gv_request_free(&rq);
    gv_neighbourhood_free(&nb);
    return rc;
}
