/* test_metrics.c - the Prometheus exposition: its format, its values, the
 * HTTP endpoint, and that docs/metrics.md documents exactly the metrics the
 * program exports (no more, no fewer). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "graph.h"
#include "metrics.h"

static char *render(metrics *m)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    met_render(m, f);
    fclose(f);
    return buf;
}

static void sample(stats *t, pipe_live *l)
{
    memset(t, 0, sizeof(*t));
    memset(l, 0, sizeof(*l));
    t->transfers = 1000;
    t->screened = 990;
    t->by_action[IX_ACTION_FREEZE] = 7;
    t->by_action[IX_ACTION_HOLD] = 3;
    t->dead_by_reason[RSN_MALFORMED] = 4;
    t->dead_by_reason[RSN_DUPLICATE_TRANSFER] = 2;
    t->rule_hits[0] = 9;
    t->rule_hits[RULES_TRACE_SLOT] = 5;
    t->proc_hist[0] = 10;
    t->proc_hist[3] = 5;
    t->proc_hist[STATS_HIST_BUCKETS - 1] = 1;
    t->proc_ns_sum = 2500000000ull;
    l->lag = 42;
    l->workers = 2;
}

static void test_values_and_format(void **state)
{
    (void)state;
    char errstr[256];
    stats t;
    pipe_live l;
    metrics *m = met_start("off", NULL, errstr, sizeof(errstr));
    assert_non_null(m);
    assert_int_equal(met_port(m), 0);
    sample(&t, &l);
    met_update(m, &t, &l);
    char *s = render(m);
    assert_non_null(strstr(s, "# TYPE interdict_transfers_consumed_total counter\n"
                              "interdict_transfers_consumed_total 1000\n"));
    assert_non_null(strstr(s, "interdict_freeze_requests_total{action=\"FREEZE\"} 7\n"));
    assert_non_null(strstr(s, "interdict_freeze_requests_total{action=\"HOLD\"} 3\n"));
    assert_non_null(strstr(s, "interdict_freeze_requests_total{action=\"REVIEW\"} 0\n"));
    assert_non_null(strstr(s, "interdict_deadletters_total{reason=\"malformed\"} 4\n"));
    assert_non_null(strstr(s, "interdict_deadletters_total{reason=\"duplicate_transfer\"} 2\n"));
    assert_non_null(strstr(s, "interdict_rule_hits_total{rule=\"watchlist\"} 9\n"));
    assert_non_null(strstr(s, "interdict_rule_hits_total{rule=\"trace\"} 5\n"));
    assert_non_null(strstr(s, "interdict_consumer_lag_messages 42\n"));
    /* Histogram buckets are cumulative and end with +Inf == count. */
    assert_non_null(strstr(s, "interdict_processing_seconds_bucket{le=\"1e-05\"} 10\n"));
    assert_non_null(strstr(s, "interdict_processing_seconds_bucket{le=\"0.0001\"} 15\n"));
    assert_non_null(strstr(s, "interdict_processing_seconds_bucket{le=\"+Inf\"} 16\n"));
    assert_non_null(strstr(s, "interdict_processing_seconds_sum 2.5\n"));
    assert_non_null(strstr(s, "interdict_processing_seconds_count 16\n"));
    free(s);
    met_stop(m);
}

/* Every metric name (the part before '{' or ' ') of the exposition. */
static int names_of(const char *text, char names[][96], int max)
{
    int n = 0;
    for (const char *line = text; *line && n < max;) {
        const char *end = strchr(line, '\n');
        if (!end)
            break;
        if (strncmp(line, "# TYPE ", 7) == 0) {
            size_t len = strcspn(line + 7, " ");
            snprintf(names[n++], 96, "%.*s", (int)len, line + 7);
        }
        line = end + 1;
    }
    return n;
}

static int has(char names[][96], int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return 1;
    return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* The docs list each metric as a table row starting "| `name` |". */
static void test_docs_list_exactly_the_exported_metrics(void **state)
{
    (void)state;
    char errstr[512], dir[] = "/tmp/ix-metrics-XXXXXX", names[128][96], docnames[128][96];
    stats t;
    pipe_live l;
    graph *g = NULL;
    assert_non_null(mkdtemp(dir));
    graph_opts o = {.dir = dir, .cache_bytes = 8 << 20, .create = 1};
    assert_int_equal(graph_open(&o, &g, errstr, sizeof(errstr)), 0);
    metrics *m = met_start("off", g, errstr, sizeof(errstr));
    sample(&t, &l);
    met_update(m, &t, &l);
    char *s = render(m);
    int n = names_of(s, names, 128);

    int nd = 0;
    char line[1024];
    FILE *f = fopen(IX_SOURCE_DIR "/docs/metrics.md", "r");
    assert_non_null(f);
    while (fgets(line, sizeof(line), f) && nd < 128)
        if (strncmp(line, "| `interdict_", 13) == 0) {
            size_t len = strcspn(line + 3, "`");
            snprintf(docnames[nd++], 96, "%.*s", (int)len, line + 3);
        }
    fclose(f);
    for (int i = 0; i < n; i++)
        if (!has(docnames, nd, names[i]) && strncmp(names[i], "interdict_jemalloc_", 19) != 0)
            fail_msg("%s is exported but not documented in docs/metrics.md", names[i]);
    for (int i = 0; i < nd; i++)
        if (!has(names, n, docnames[i]) && strncmp(docnames[i], "interdict_jemalloc_", 19) != 0)
            fail_msg("%s is documented but not exported", docnames[i]);
    /* jemalloc's figures exist only when jemalloc is linked (not under the
     * sanitizers); then they must be documented too. */
    for (int i = 0; i < n; i++)
        if (strncmp(names[i], "interdict_jemalloc_", 19) == 0)
            assert_true(has(docnames, nd, names[i]));
    free(s);
    met_stop(m);
    graph_close(g);
    nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static void test_http_endpoint(void **state)
{
    (void)state;
    char errstr[256], buf[65536];
    stats t;
    pipe_live l;
    metrics *m = met_start("127.0.0.1:0", NULL, errstr, sizeof(errstr));
    assert_non_null(m);
    int port = met_port(m);
    assert_true(port > 0);
    sample(&t, &l);
    met_update(m, &t, &l);

    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    const char *req = "GET /metrics HTTP/1.0\r\n\r\n";
    assert_true(write(fd, req, strlen(req)) == (ssize_t)strlen(req));
    size_t got = 0;
    ssize_t r;
    while ((r = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
        got += (size_t)r;
    buf[got] = '\0';
    close(fd);
    assert_non_null(strstr(buf, "HTTP/1.0 200") ? strstr(buf, "HTTP/1.0 200")
                                                : strstr(buf, "HTTP/1.1 200"));
    assert_non_null(strstr(buf, "text/plain; version=0.0.4"));
    assert_non_null(strstr(buf, "interdict_transfers_consumed_total 1000\n"));

    /* Anything else is not found. */
    fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    req = "GET /secrets HTTP/1.0\r\n\r\n";
    assert_true(write(fd, req, strlen(req)) == (ssize_t)strlen(req));
    got = 0;
    while ((r = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
        got += (size_t)r;
    buf[got] = '\0';
    close(fd);
    assert_non_null(strstr(buf, " 404 "));
    met_stop(m);
}

static void test_bad_listen_addresses(void **state)
{
    (void)state;
    char errstr[256];
    assert_null(met_start("nonsense", NULL, errstr, sizeof(errstr)));
    assert_non_null(strstr(errstr, "expected HOST:PORT"));
    assert_null(met_start("127.0.0.1:99999", NULL, errstr, sizeof(errstr)));
    assert_non_null(strstr(errstr, "bad port"));
    assert_null(met_start("example.org:80", NULL, errstr, sizeof(errstr)));
    assert_non_null(strstr(errstr, "not an IPv4 address"));
}

/* A bad metrics.listen is a configuration error found before anything
 * starts (it used to surface only when the endpoint was started). */
static void test_check_listen(void **state)
{
    (void)state;
    char err[256];
    assert_int_equal(met_check_listen("", err, sizeof(err)), 0);
    assert_int_equal(met_check_listen("off", err, sizeof(err)), 0);
    assert_int_equal(met_check_listen(NULL, err, sizeof(err)), 0);
    assert_int_equal(met_check_listen("127.0.0.1:9464", err, sizeof(err)), 0);
    assert_int_equal(met_check_listen("1.2.3:99", err, sizeof(err)), -1);
    assert_string_equal(err, "metrics.listen: \"1.2.3\" is not an IPv4 address");
    assert_int_equal(met_check_listen("127.0.0.1", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "metrics.listen: "));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_listen),
        cmocka_unit_test(test_values_and_format),
        cmocka_unit_test(test_docs_list_exactly_the_exported_metrics),
        cmocka_unit_test(test_http_endpoint),
        cmocka_unit_test(test_bad_listen_addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
