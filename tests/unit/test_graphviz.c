/* test_graphviz.c - the DOT text of `inspect --graph` for a small known
 * graph (exact lines, odd characters escaped), a request's evidence read
 * from its JSON, a neighbourhood gathered from a real store, and Graphviz's
 * dot accepting the text when it is installed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graphviz.h"
#include "timefmt.h"
#include "store_fixture.h"

#define MIN 60000LL

static int64_t at(const char *t)
{
    int64_t ms = 0;
    assert_int_equal(tf_parse(t, strlen(t), &ms), 0);
    return ms;
}

static gv_node node(const char *account, const char *bank, const char *list)
{
    gv_node n;
    memset(&n, 0, sizeof(n));
    snprintf(n.account, sizeof(n.account), "%s", account);
    snprintf(n.bank, sizeof(n.bank), "%s", bank);
    snprintf(n.watch_list, sizeof(n.watch_list), "%s", list);
    return n;
}

/* A mule M paid by a victim and by a listed account whose list name holds a
 * quote, a backslash and a newline; M pays on to two accounts. */
static gv_peer g_in[2], g_out[2];
static gv_neighbourhood g_nb;
static gv_node g_rnodes[4];
static gv_hop g_hops[2];
static gv_request g_rq;

static void build(void)
{
    g_nb.focus = node("6222000000000004", "ICBKCNBJ", "");
    g_in[0] = (gv_peer){node("6222000000000003", "CMBCCNBS", ""), 1, 3000000,
                        at("2026-11-20T09:10:00Z"), at("2026-11-20T09:10:00Z")};
    g_in[1] = (gv_peer){node("6281799000000499", "", "police \"report\" \\ 7\nx"), 3, 123456789,
                        at("2026-11-19T08:00:00Z"), at("2026-11-20T10:00:00.250Z")};
    g_out[0] = (gv_peer){node("6222000000000005", "ICBKCNBJ", ""), 1, 2900000,
                         at("2026-11-20T10:10:00Z"), at("2026-11-20T10:10:00Z")};
    g_out[1] = (gv_peer){node("6222000000000006", "BKCHCNBJ", ""), 2, 50000,
                         at("2026-11-20T11:00:00Z"), at("2026-11-21T11:00:00Z")};
    g_nb.in = g_in;
    g_nb.nin = 2;
    g_nb.totin = 5;
    g_nb.out = g_out;
    g_nb.nout = 2;
    g_nb.totout = 2;
    g_nb.as_of_ms = at("2026-11-23T12:00:00Z");

    snprintf(g_rq.id, sizeof(g_rq.id), "fr-0123456789abcdef");
    snprintf(g_rq.account, sizeof(g_rq.account), "6222000000000004");
    snprintf(g_rq.action, sizeof(g_rq.action), "FREEZE");
    g_rq.score = 100;
    snprintf(g_rq.codes, sizeof(g_rq.codes), "VR01 victim_trace");
    g_rnodes[0] = node("6222000000000003", "CMBCCNBS", "");
    g_rnodes[1] = node("6222000000000004", "ICBKCNBJ", "");
    g_rnodes[2] = node("6222000000000005", "", "");
    g_rnodes[3] = node("6281799000000499", "", "confirmed_mule");
    g_rq.nodes = g_rnodes;
    g_rq.nnodes = 4;
    g_rq.npath = 3;
    g_hops[0] = (gv_hop){0, 1, "T-VR-1", 3000000, at("2026-11-20T09:10:00Z")};
    g_hops[1] = (gv_hop){3, 1, "T-WL-\"9\"", 1000, at("2026-11-20T09:40:00Z")};
    g_rq.hops = g_hops;
    g_rq.nhops = 2;
}

static const char WANT[] =
    "digraph interdict {\n"
    "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=12, labelloc=t, nodesep=0.25, "
    "ranksep=1.2, label=\"interdict: account 6222000000000004\\nmoney flows left to right; red: "
    "on the watch list; bold: the account in question\"];\n"
    "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f5f5f5\", color=\"#666666\", "
    "fontname=\"Helvetica\", fontsize=10];\n"
    "  edge [color=\"#666666\", fontcolor=\"#333333\", fontname=\"Helvetica\", fontsize=9, "
    "arrowsize=0.7];\n"
    "  subgraph cluster_n {\n"
    "    label=\"6222000000000004: paid by 2 of 5 counterparties (left), paid 2 of 2 (right), "
    "largest first, 30 days to 2026-11-23 12:00:00 UTC\";\n"
    "    color=\"#bbbbbb\";\n"
    "    margin=24;\n"
    "    n0 [label=\"6222000000000004\\nICBKCNBJ\", penwidth=3, fontname=\"Helvetica-Bold\", "
    "fillcolor=\"#e3ecfb\"];\n"
    "    ni0 [label=\"6222000000000003\\nCMBCCNBS\"];\n"
    "    ni0 -> n0 [label=\"30,000.00 CNY\\n1 transfer, 2026-11-20 09:10:00\", penwidth=1.1];\n"
    "    ni1 [label=\"6281799000000499\\nWATCH-LISTED: police \\\"report\\\" \\\\ 7?x\", "
    "color=\"#cc0000\", fontcolor=\"#cc0000\", fillcolor=\"#ffe6e6\", penwidth=2];\n"
    "    ni1 -> n0 [label=\"1,234,567.89 CNY\\n3 transfers\\n2026-11-19 08:00:00 ..\\n2026-11-20 "
    "10:00:00\", penwidth=4.0, color=\"#cc0000\", fontcolor=\"#cc0000\"];\n"
    "    no0 [label=\"6222000000000005\\nICBKCNBJ\"];\n"
    "    n0 -> no0 [label=\"29,000.00 CNY\\n1 transfer, 2026-11-20 10:10:00\", penwidth=1.1];\n"
    "    no1 [label=\"6222000000000006\\nBKCHCNBJ\"];\n"
    "    n0 -> no1 [label=\"500.00 CNY\\n2 transfers\\n2026-11-20 11:00:00 ..\\n2026-11-21 "
    "11:00:00\", penwidth=1.0];\n"
    "  }\n"
    "  subgraph cluster_r {\n"
    "    label=\"request fr-0123456789abcdef: FREEZE 6222000000000004, score 100\\nVR01 "
    "victim_trace\";\n"
    "    color=\"#bbbbbb\";\n"
    "    margin=24;\n"
    "    r0 [label=\"6222000000000003\\nCMBCCNBS\"];\n"
    "    r1 [label=\"6222000000000004\\nICBKCNBJ\", penwidth=3, fontname=\"Helvetica-Bold\", "
    "fillcolor=\"#e3ecfb\"];\n"
    "    r2 [label=\"6222000000000005\"];\n"
    "    r3 [label=\"6281799000000499\\nWATCH-LISTED: confirmed_mule\", color=\"#cc0000\", "
    "fontcolor=\"#cc0000\", fillcolor=\"#ffe6e6\", penwidth=2];\n"
    "    r0 -> r1 [label=\"T-VR-1\\n30,000.00 CNY\\n2026-11-20 09:10:00\", penwidth=2];\n"
    "    r3 -> r1 [label=\"T-WL-\\\"9\\\"\\n10.00 CNY\\n2026-11-20 09:40:00\", penwidth=2, "
    "color=\"#cc0000\", fontcolor=\"#cc0000\"];\n"
    "  }\n"
    "}\n";

static char *dot_text(const gv_neighbourhood *nb, const gv_request *rq)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_non_null(m);
    assert_int_equal(gv_write_dot(nb, rq, "CNY", m), 0);
    fclose(m);
    return buf;
}

static void test_dot_text(void **state)
{
    (void)state;
    char *got = dot_text(&g_nb, &g_rq);
    if (strcmp(got, WANT) != 0) {
        /* Line by line, so a failure names the line. */
        const char *a = got, *b = WANT;
        for (int line = 1; *a || *b; line++) {
            size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
            if (la != lb || memcmp(a, b, la) != 0)
                fail_msg("line %d:\n got %.*s\nwant %.*s", line, (int)la, a, (int)lb, b);
            a += la + (a[la] != 0);
            b += lb + (b[lb] != 0);
        }
    }
    free(got);
}

static void test_escape(void **state)
{
    (void)state;
    char buf[64];
    assert_string_equal(gv_escape("a\"b\\c\nd\te", buf, sizeof(buf)), "a\\\"b\\\\c?d?e");
    assert_string_equal(gv_escape("\\\\", buf, sizeof(buf)), "\\\\\\\\");
    assert_string_equal(gv_escape("", buf, sizeof(buf)), "");
    /* Never a dangling backslash when the buffer ends. */
    assert_string_equal(gv_escape("ab\"", buf, 4), "ab");
    assert_string_equal(gv_escape("中文", buf, sizeof(buf)), "中文");
}

static void test_format_of(void **state)
{
    (void)state;
    assert_int_equal(gv_format_of("x.svg"), GV_SVG);
    assert_int_equal(gv_format_of("/tmp/a.b/x.png"), GV_PNG);
    assert_int_equal(gv_format_of("x.dot"), GV_DOT);
    assert_int_equal(gv_format_of("x.gv"), GV_DOT);
    assert_int_equal(gv_format_of("x.pdf"), -1);
    assert_int_equal(gv_format_of("/tmp/a.svg/x"), -1);
    assert_int_equal(gv_format_of("x"), -1);
}

/* Only the neighbourhood, or only the request: one cluster each. */
static void test_one_cluster(void **state)
{
    (void)state;
    char *a = dot_text(&g_nb, NULL), *b = dot_text(NULL, &g_rq);
    assert_non_null(strstr(a, "subgraph cluster_n"));
    assert_null(strstr(a, "subgraph cluster_r"));
    assert_null(strstr(b, "subgraph cluster_n"));
    assert_non_null(strstr(b, "label=\"interdict: request fr-0123456789abcdef\\nmoney flows"));
    free(a);
    free(b);
}

static int have_dot(void)
{
    const char *path = getenv("PATH");
    char buf[4096], file[4200];
    snprintf(buf, sizeof(buf), "%s", path ? path : "");
    for (char *save = NULL, *d = strtok_r(buf, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        snprintf(file, sizeof(file), "%s/dot", d);
        if (access(file, X_OK) == 0)
            return 1;
    }
    return 0;
}

/* Graphviz itself reads the text: SVG and PNG come out. */
static void test_dot_accepts(void **state)
{
    (void)state;
    char dir[64] = "/tmp/ix-gv-XXXXXX", svg[128], png[128], errstr[512];
    if (!have_dot()) {
        print_message("dot is not installed (Debian: graphviz): skipped\n");
        skip();
    }
    assert_non_null(mkdtemp(dir));
    snprintf(svg, sizeof(svg), "%s/n.svg", dir);
    snprintf(png, sizeof(png), "%s/n.png", dir);
    char *text = dot_text(&g_nb, &g_rq);
    if (gv_render(text, strlen(text), GV_SVG, svg, errstr, sizeof(errstr)) != 0 ||
        gv_render(text, strlen(text), GV_PNG, png, errstr, sizeof(errstr)) != 0)
        fail_msg("%s", errstr);
    FILE *f = fopen(svg, "r");
    char head[4096];
    size_t n = fread(head, 1, sizeof(head) - 1, f);
    head[n] = '\0';
    fclose(f);
    assert_non_null(strstr(head, "<svg"));
    f = fopen(png, "rb");
    assert_int_equal(fread(head, 1, 8, f), 8);
    fclose(f);
    assert_memory_equal(head, "\x89PNG\r\n\x1a\n", 8);
    free(text);
    sfx_rmtree(dir);
}

/* Without Graphviz the message says what to do. */
static void test_no_dot(void **state)
{
    (void)state;
    char errstr[512], *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
    setenv("PATH", "/nonexistent", 1);
    int rc = gv_render("digraph{}", 9, GV_SVG, "/tmp/ix-never.svg", errstr, sizeof(errstr));
    if (old)
        setenv("PATH", old, 1);
    free(old);
    assert_int_equal(rc, -1);
    assert_string_equal(errstr, "`dot` not found: install graphviz for svg (Debian: apt-get "
                                "install graphviz), or name the file .dot");
}

static void test_load_request(void **state)
{
    (void)state;
    char path[512], errstr[512];
    gv_request rq;
    snprintf(path, sizeof(path), "%s/schemas/examples/freeze-request.valid.json", IX_SOURCE_DIR);
    if (gv_load_request(path, NULL, &rq, errstr, sizeof(errstr)) != 0)
        fail_msg("%s", errstr);
    assert_string_equal(rq.id, "fr-3f9a1c0e5b7d2a46");
    assert_string_equal(rq.account, "6222021234567890123");
    assert_string_equal(rq.action, "FREEZE");
    assert_int_equal(rq.score, 85);
    assert_string_equal(rq.codes, "PT01 pass_through, NA01 new_account_burst");
    assert_int_equal(rq.npath, 3);
    assert_int_equal(rq.nnodes, 3);
    assert_string_equal(rq.nodes[0].account, "DE89370400440532013000");
    assert_string_equal(rq.nodes[2].account, "6217000010001234567");
    assert_int_equal(rq.nhops, 2);
    assert_int_equal(rq.hops[0].from, 0);
    assert_int_equal(rq.hops[0].to, 1);
    assert_int_equal(rq.hops[1].amount, 1240000);
    assert_int_equal(rq.hops[1].time_ms, at("2026-11-23T02:34:12.000Z"));
    gv_request_free(&rq);

    snprintf(path, sizeof(path), "%s/schemas/examples/freeze-request.invalid-missing-key.json",
             IX_SOURCE_DIR);
    assert_int_equal(gv_load_request(path, NULL, &rq, errstr, sizeof(errstr)), -1);
    assert_non_null(strstr(errstr, "freeze-request.invalid-missing-key.json: not one freeze "
                                   "request: "));
    gv_request_free(&rq);
    assert_int_equal(gv_load_request("/nonexistent.json", NULL, &rq, errstr, sizeof(errstr)), -1);
    assert_string_equal(errstr, "/nonexistent.json: No such file or directory");
}

/* From a real store: the top counterparties by amount, banks and listing. */
static void test_gather(void **state)
{
    (void)state;
    char dir[64] = "/tmp/ix-gvg-XXXXXX", errstr[512];
    graph *g = NULL;
    assert_non_null(mkdtemp(dir));
    graph_opts o = {.dir = dir, .cache_bytes = 16 << 20, .create = 1};
    assert_int_equal(graph_open(&o, &g, errstr, sizeof(errstr)), 0);
    ix_watch w;
    memset(&w, 0, sizeof(w));
    snprintf(w.account, sizeof(w.account), "L");
    snprintf(w.bank, sizeof(w.bank), "PCBCCNBJ");
    snprintf(w.list, sizeof(w.list), "police_report");
    assert_int_equal(graph_put_watch(g, &w, NULL, errstr, sizeof(errstr)), 0);
    int64_t t0 = at("2026-11-20T09:00:00Z");
    sfx_apply(g, "t1", "A", "M", 1000, t0);
    sfx_apply(g, "t2", "B", "M", 5000, t0 + MIN);
    sfx_apply(g, "t3", "L", "M", 3000, t0 + 2 * MIN);
    sfx_apply(g, "t4", "L", "M", 3000, t0 + 3 * MIN);
    sfx_apply(g, "t5", "M", "C", 9000, t0 + 4 * MIN);
    assert_int_equal(graph_checkpoint(g, NULL, 0, errstr, sizeof(errstr)), 0);

    gv_neighbourhood nb;
    assert_int_equal(gv_gather(g, "M", t0 + 10 * MIN, 2, &nb, errstr, sizeof(errstr)), 0);
    assert_int_equal(nb.totin, 3);
    assert_int_equal(nb.nin, 2);
    assert_string_equal(nb.in[0].node.account, "L"); /* 6,000 in two transfers */
    assert_string_equal(nb.in[0].node.watch_list, "police_report");
    assert_string_equal(nb.in[0].node.bank, "PCBCCNBJ");
    assert_int_equal(nb.in[0].count, 2);
    assert_int_equal(nb.in[0].sum, 6000);
    assert_string_equal(nb.in[1].node.account, "B");
    assert_int_equal(nb.nout, 1);
    assert_string_equal(nb.out[0].node.account, "C");
    gv_neighbourhood_free(&nb);
    assert_int_equal(gv_gather(g, "NOBODY", t0, 2, &nb, errstr, sizeof(errstr)), 1);
    gv_neighbourhood_free(&nb);
    graph_close(g);
    sfx_rmtree(dir);
}

int main(void)
{
    build();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dot_text),     cmocka_unit_test(test_escape),
        cmocka_unit_test(test_format_of),    cmocka_unit_test(test_one_cluster),
        cmocka_unit_test(test_dot_accepts),  cmocka_unit_test(test_no_dot),
        cmocka_unit_test(test_load_request), cmocka_unit_test(test_gather),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
