/* it_console.c - `interdict console` against the real Kafka broker, driven
 * by a real browser: the load generator's stream with every pattern planted
 * is screened by `interdict run`, two hostile requests are written to the
 * topic beside its output, and headless Chromium (Debian's) loads the pages
 * after their script ran (--dump-dom): the list holds exactly the requests
 * on the topic, a filter narrows it to exactly the matching ones, a
 * request's page shows its reasons, figures, evidence and evidence graph,
 * an account's page and its API document match `interdict inspect --json`,
 * and the hostile strings are inert everywhere. Then the access token, TLS
 * and the refusal to listen beyond loopback without a token. Screenshots of
 * the three pages are kept in the build directory (docs/ has copies).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <librdkafka/rdkafka.h>

#include "encode.h"
#include "harness.h"
#include "harness_replay.h"
#include "rules.h"
#include "scenario.h"
#include "timefmt.h"

#define C_ACCOUNTS  3000
#define C_TRANSFERS 6000
#define C_MAX_REQ   400 /* the list page shows 500 */

static hx_env g_env;
static char g_shots[512]; /* where the screenshots go */
static pid_t g_console;   /* the running console, killed by the teardown if a test failed */

/* ---- the requests on the topic ------------------------------------------------- */

typedef struct topic_req {
    char id[8192];
    char account[256];
    json_t *doc;
} topic_req;

typedef struct topic {
    topic_req r[C_MAX_REQ];
    int n;
} topic;

static topic g_topic;

static int on_req(const rd_kafka_message_t *m, void *arg)
{
    topic *t = arg;
    assert_true(t->n < C_MAX_REQ);
    json_t *doc = json_loadb(m->payload, m->len, 0, NULL);
    assert_non_null(doc);
    topic_req *r = &t->r[t->n++];
    snprintf(r->id, sizeof(r->id), "%s", json_string_value(json_object_get(doc, "request_id")));
    snprintf(r->account, sizeof(r->account), "%s",
             json_string_value(json_object_get(doc, "account")));
    r->doc = doc;
    return 0;
}

static void read_topic(void)
{
    for (int i = 0; i < g_topic.n; i++)
        json_decref(g_topic.r[i].doc);
    g_topic.n = 0;
    hx_read(&g_env, g_env.c.topic_interceptions, on_req, &g_topic);
}

#define HOSTILE_ID "'\"><svg onload=alert(4)>"

static char g_long_id[6001];

/* Two requests render_check() accepts (it checks types, not contents), as
 * anyone with write access to the topic could put there. */
static void produce_hostile(void)
{
    memset(g_long_id, 'Z', 6000);
    g_long_id[6000] = '\0';
    const char *ids[2] = {HOSTILE_ID, g_long_id};
    feed *f = hx_feed(&g_env);
    for (int i = 0; i < 2; i++) {
        json_t *r = json_pack(
            "{s:i,s:s,s:s,s:s,s:s,s:s,s:i,s:{s:s,s:I,s:s,s:s},s:s,s:[{s:s,s:s,s:i,s:I,s:[s,s],"
            "s:[{s:s,s:s,s:s,s:I,s:s}],s:[{s:s,s:I,s:I}]}]}",
            "version", 1, "request_id", ids[i], "rule_set", "<i>x</i>", "account",
            i ? g_long_id : "<script>alert(1)</script>", "bank", "\"><img src=x onerror=alert(5)>",
            "action", "REVIEW", "score", 30, "trigger", "id", "<b>T</b>", "amount",
            (json_int_t)1000, "currency", "CNY", "event_time", "2026-11-23T10:00:00Z",
            "detected_at", "2026-11-23T10:00:01Z", "findings", "rule", "<u>rule</u>", "code",
            "'\"><img>", "score", 30, "amount", (json_int_t)1000, "path",
            "<script>alert(1)</script>", "\"><img src=x onerror=alert(2)>", "evidence",
            "transfer_id", "<script>alert(6)</script>", "from_account", "<script>alert(1)</script>",
            "to_account", "\"><img src=x onerror=alert(2)>", "amount", (json_int_t)1000, "time",
            "2026-11-23T10:00:00Z", "figures", "name", "<img src=x>", "value", (json_int_t)1,
            "threshold", (json_int_t)2);
        assert_non_null(r);
        char *s = json_dumps(r, JSON_COMPACT);
        hx_send(f, g_env.c.topic_interceptions, "hostile", s);
        free(s);
        json_decref(r);
    }
    hx_flush(f);
    feed_destroy(f);
}

static void produce_stream(void)
{
    char buf[ENC_RECORD_MAX], errstr[256];
    scn *s = NULL;
    scn_opts so;
    scn_opts_default(&so);
    so.seed = 14;
    so.accounts = C_ACCOUNTS;
    so.transfers = C_TRANSFERS;
    so.now_ms = (tf_now_ms() / 1000) * 1000 - 60000;
    for (int p = 0; p < SCN_PATTERN__COUNT; p++)
        so.count[p] = 1;
    if (scn_new(&so, &s, errstr, sizeof(errstr)) != 0)
        fail_msg("scenario: %s", errstr);
    feed *f = hx_feed(&g_env);
    for (int64_t i = 0; i < scn_accounts(s); i++) {
        ix_account a;
        scn_profile(s, i, &a);
        assert_true(enc_account(&a, buf, sizeof(buf)) > 0);
        hx_send(f, g_env.c.topic_accounts, a.account, buf);
    }
    for (int64_t k = 0; k < scn_watch_count(s); k++) {
        ix_watch w;
        scn_watch(s, k, &w);
        assert_true(enc_watch(&w, buf, sizeof(buf)) > 0);
        hx_send(f, g_env.c.topic_watchlist, w.account, buf);
    }
    scn_event ev;
    int rc;
    while ((rc = scn_next(s, &ev, errstr, sizeof(errstr))) == 1) {
        if (ev.kind != SCN_EVENT_TRANSFER)
            continue;
        assert_true(enc_transfer(&ev.transfer, buf, sizeof(buf)) > 0);
        hx_send(f, g_env.c.topic_transfers, ev.transfer.from_account, buf);
    }
    assert_int_equal(rc, 0);
    hx_flush(f);
    feed_destroy(f);
    scn_destroy(s);
}

/* ---- HTTP and the browser --------------------------------------------------------- */

typedef struct reply {
    int status;
    char *body; /* after the headers */
    char *all;
} reply;

/* One GET over HTTP/1.0 to the console on loopback. */
static reply http_get(int port, const char *path, const char *extra_header, const char *method)
{
    reply r = {0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    char *req = NULL;
    int n = asprintf(&req, "%s %s HTTP/1.0\r\nHost: 127.0.0.1\r\n%s%s\r\n", method ? method : "GET",
                     path, extra_header ? extra_header : "", extra_header ? "\r\n" : "");
    assert_true(n > 0);
    assert_int_equal(write(fd, req, (size_t)n), n);
    free(req);
    size_t cap = 1 << 16, len = 0;
    r.all = malloc(cap);
    ssize_t got;
    while ((got = read(fd, r.all + len, cap - len - 1)) > 0) {
        len += (size_t)got;
        if (cap - len < 4096)
            r.all = realloc(r.all, cap *= 2);
    }
    close(fd);
    r.all[len] = '\0';
    assert_int_equal(sscanf(r.all, "HTTP/1.%*d %d", &r.status), 1);
    char *sep = strstr(r.all, "\r\n\r\n");
    r.body = sep ? sep + 4 : r.all + len;
    return r;
}

static void reply_free(reply *r)
{
    free(r->all);
}

/* Chromium's DOM of the page once its script ran (or a screenshot of it
 * into png), as a malloc'd string. */
static char *browse(const char *url, const char *png, int insecure)
{
    char out[600], prof[600], shot[700];
    snprintf(out, sizeof(out), "%s/dom.html", g_env.dir);
    snprintf(prof, sizeof(prof), "--user-data-dir=%s/chromium-XXXXXX", g_env.dir);
    assert_non_null(mkdtemp(prof + strlen("--user-data-dir=")));
    snprintf(shot, sizeof(shot), "--screenshot=%s", png ? png : "");
    const char *argv[] = {"chromium",
                          "--headless",
                          "--no-sandbox",
                          "--disable-gpu",
                          "--disable-quic",
                          "--no-first-run",
                          "--disable-background-networking",
                          "--disable-component-update",
                          "--disable-sync",
                          "--hide-scrollbars",
                          png ? "--window-size=1440,2000" : "--window-size=1440,1000",
                          "--virtual-time-budget=3000",
                          prof,
                          png ? shot : "--dump-dom",
                          insecure ? "--ignore-certificate-errors" : url,
                          insecure ? url : NULL,
                          NULL};
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        setenv("TZ", "Asia/Shanghai", 1);
        if (!freopen(out, "w", stdout) || !freopen("/dev/null", "w", stderr))
            _exit(126);
        execvp("chromium", (char **)argv);
        _exit(127);
    }
    int status = 0;
    for (int waited = 0; waitpid(pid, &status, WNOHANG) == 0; waited += 100) {
        if (waited > 90000) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            fail_msg("chromium did not finish within 90 s on %s", url);
        }
        hx_sleep_ms(100);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("chromium failed (status %d) on %s%s", status, url,
                 WIFEXITED(status) && WEXITSTATUS(status) == 127 ? ": not installed" : "");
    return hx_slurp(out);
}

static int count(const char *s, const char *needle)
{
    int n = 0;
    for (const char *q = s; (q = strstr(q, needle)); q += strlen(needle))
        n++;
    return n;
}

/* Undo the serializer's escapes in an attribute value. */
static void unescape(const char *s, size_t n, char *out, size_t size)
{
    static const struct {
        const char *ref, *ch;
    } refs[] = {{"&amp;", "&"}, {"&quot;", "\""}, {"&lt;", "<"}, {"&gt;", ">"}, {"&#39;", "'"}};
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < size;) {
        size_t k = 0;
        for (; k < sizeof(refs) / sizeof(refs[0]); k++)
            if (strncmp(s + i, refs[k].ref, strlen(refs[k].ref)) == 0)
                break;
        if (k < sizeof(refs) / sizeof(refs[0])) {
            out[o++] = refs[k].ch[0];
            i += strlen(refs[k].ref);
        } else {
            out[o++] = s[i++];
        }
    }
    out[o] = '\0';
}

/* The ids of the list's rows, in order. */
static int row_ids(const char *dom, char (*ids)[8192], int max)
{
    int n = 0;
    const char *tag = "<tr class=\"req\" data-id=\"";
    for (const char *p = dom; (p = strstr(p, tag)); n++) {
        p += strlen(tag);
        const char *end = strchr(p, '"');
        assert_non_null(end);
        assert_true(n < max);
        unescape(p, (size_t)(end - p), ids[n], sizeof(ids[0]));
        p = end;
    }
    return n;
}

/* The rows are exactly the requests of the topic that `want` accepts,
 * each once, newest detected first. */
static void assert_rows(const char *dom, int (*want)(const topic_req *, const void *),
                        const void *arg)
{
    static char ids[C_MAX_REQ][8192];
    int n = row_ids(dom, ids, C_MAX_REQ), expect = 0;
    for (int i = 0; i < g_topic.n; i++) {
        const topic_req *r = &g_topic.r[i];
        if (!want(r, arg))
            continue;
        expect++;
        int seen = 0;
        for (int k = 0; k < n; k++)
            seen += strcmp(ids[k], r->id) == 0;
        if (seen != 1)
            fail_msg("request %.80s is listed %d times", r->id, seen);
    }
    assert_int_equal(n, expect);
}

static int any_request(const topic_req *r, const void *arg)
{
    (void)r;
    (void)arg;
    return 1;
}

typedef struct crit {
    const char *action, *code;
} crit;

static int has_code(const topic_req *r, const char *code)
{
    json_t *fs = json_object_get(r->doc, "findings");
    for (size_t i = 0; i < json_array_size(fs); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(fs, i), "code")), code) == 0)
            return 1;
    return 0;
}

static int action_and_code(const topic_req *r, const void *arg)
{
    const crit *c = arg;
    return strcmp(json_string_value(json_object_get(r->doc, "action")), c->action) == 0 &&
           has_code(r, c->code);
}

/* Nothing of a hostile string is markup in a DOM. */
static void assert_inert(const char *dom)
{
    assert_int_equal(count(dom, "<script"), 1); /* our own, from /static */
    assert_null(strstr(dom, "<img"));
    assert_null(strstr(dom, "<svg onload"));
    assert_null(strstr(dom, "<u>"));
    assert_null(strstr(dom, "<i>x"));
    assert_null(strstr(dom, "alert(2)>"));
}

/* ---- the console process ----------------------------------------------------------- */

typedef struct console {
    pid_t pid;
    int port;
} console;

static console start_console(const char *a1, const char *a2, const char *a3, const char *a4)
{
    console c;
    char *before = hx_slurp(g_env.log_path);
    size_t from = strlen(before);
    free(before);
    c.pid = hx_spawn(&g_env, NULL, "console", "-X", "console.listen=127.0.0.1:0", "-X",
                     "console.timezone=Asia/Shanghai", a1, a2, a3, a4, NULL);
    g_console = c.pid;
    for (int waited = 0;; waited += 100) {
        char *log = hx_slurp(g_env.log_path);
        const char *p = strstr(log + from, "interdict console: serving http");
        if (p && (p = strstr(p, "://127.0.0.1:")) && sscanf(p, "://127.0.0.1:%d/", &c.port) == 1) {
            free(log);
            break;
        }
        free(log);
        if (waited > 60000)
            fail_msg("the console printed no URL within 60 s");
        hx_sleep_ms(100);
    }
    return c;
}

static void stop_console(console *c)
{
    kill(c->pid, SIGTERM);
    g_console = 0;
    assert_int_equal(hx_wait(&g_env, c->pid, 60, 0), 0);
}

/* Wait until the console has read `n` requests. */
static void wait_for_requests(const console *c, int n)
{
    char want[64];
    snprintf(want, sizeof(want), "\"seq\":%d,", n);
    for (int waited = 0;; waited += 200) {
        reply r = http_get(c->port, "/api/status", NULL, NULL);
        int done = strstr(r.body, want) != NULL;
        reply_free(&r);
        if (done)
            return;
        if (waited > 60000)
            fail_msg("the console did not read %d requests within 60 s", n);
        hx_sleep_ms(200);
    }
}

static char *url(const console *c, const char *path)
{
    char *u = malloc(strlen(path) + 64);
    sprintf(u, "http://127.0.0.1:%d%s", c->port, path);
    return u;
}

/* ---- set-up -------------------------------------------------------------------------- */

static int group_setup(void **state)
{
    (void)state;
    hx_setup(&g_env, "itconsole", hx_kafka_brokers());
    for (const rule_def *const *r = rules_table; *r; r++) {
        char key[96];
        snprintf(key, sizeof(key), "rules.%s.enabled", (*r)->name);
        hx_set(&g_env, key, "true");
    }
    const char *build = getenv("IX_BUILD_DIR");
    snprintf(g_shots, sizeof(g_shots), "%s/console-screenshots", build ? build : g_env.dir);
    mkdir(g_shots, 0755);
    int64_t t0 = tf_mono_ns();
    produce_stream();
    assert_int_equal(hx_run(&g_env, 300, 0, "run", "--until-idle", "3s", NULL), 0);
    produce_hostile();
    read_topic();
    print_message("%d requests on the topic (2 hostile), produced and screened in %.1f s\n",
                  g_topic.n, (double)(tf_mono_ns() - t0) / 1e9);
    assert_true(g_topic.n > 20);
    return 0;
}

/* After each test: a console a failed test left running. */
static int kill_console(void **state)
{
    (void)state;
    if (g_console > 0) {
        kill(g_console, SIGKILL);
        waitpid(g_console, NULL, 0);
        g_console = 0;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    for (int i = 0; i < g_topic.n; i++)
        json_decref(g_topic.r[i].doc);
    hx_teardown(&g_env);
    return 0;
}

/* ---- the pages ----------------------------------------------------------------------- */

/* A request of the screener's with the most evidence and figures. */
static const topic_req *rich_request(void)
{
    const topic_req *best = NULL;
    size_t best_n = 0;
    for (int i = 0; i < g_topic.n; i++) {
        json_t *fs = json_object_get(g_topic.r[i].doc, "findings");
        size_t n = 0;
        for (size_t k = 0; k < json_array_size(fs); k++) {
            json_t *f = json_array_get(fs, k);
            n += json_array_size(json_object_get(f, "evidence")) *
                 (json_array_size(json_object_get(f, "figures")) > 0);
        }
        if (strncmp(g_topic.r[i].id, "fr-", 3) == 0 && n > best_n && n <= 12) {
            best = &g_topic.r[i];
            best_n = n;
        }
    }
    assert_non_null(best);
    return best;
}

static void check_list(const console *c)
{
    char *u = url(c, "/");
    char png[600];
    snprintf(png, sizeof(png), "%s/console-requests.png", g_shots);
    char *dom = browse(u, NULL, 0);
    assert_rows(dom, any_request, NULL);
    assert_inert(dom);
    assert_non_null(strstr(dom, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    /* The script ran: times in the operator's zone beside UTC. */
    assert_non_null(strstr(dom, "GMT+8</span>"));
    assert_non_null(strstr(dom, "Asia/Shanghai"));
    free(dom);
    free(browse(u, png, 0));
    free(u);
}

static void check_filter(const console *c)
{
    /* The most frequent reason code among HOLD requests. */
    static char codes[64][16];
    int n[64] = {0}, ncodes = 0, best = -1;
    for (int i = 0; i < g_topic.n; i++) {
        json_t *doc = g_topic.r[i].doc;
        if (strcmp(json_string_value(json_object_get(doc, "action")), "HOLD") != 0)
            continue;
        json_t *fs = json_object_get(doc, "findings");
        for (size_t k = 0; k < json_array_size(fs); k++) {
            const char *code = json_string_value(json_object_get(json_array_get(fs, k), "code"));
            int j = 0;
            while (j < ncodes && strcmp(codes[j], code) != 0)
                j++;
            if (j == ncodes && ncodes < 64)
                snprintf(codes[ncodes++], sizeof(codes[0]), "%s", code);
            if (j < 64)
                n[j]++;
        }
    }
    for (int j = 0; j < ncodes; j++)
        if (best < 0 || n[j] > n[best])
            best = j;
    assert_true(best >= 0);
    crit cr = {"HOLD", codes[best]};
    char path[128];
    snprintf(path, sizeof(path), "/?action=HOLD&rule=%s", codes[best]);
    char *u = url(c, path);
    char *dom = browse(u, NULL, 0);
    assert_rows(dom, action_and_code, &cr);
    int shown = count(dom, "<tr class=\"req\"");
    print_message("filter action=HOLD&rule=%s: %d of %d requests\n", codes[best], shown, g_topic.n);
    assert_true(shown > 0 && shown < g_topic.n);
    free(dom);
    free(u);
}

static void check_request(const console *c)
{
    const topic_req *r = rich_request();
    char path[8300], png[600], needle[4200];
    snprintf(path, sizeof(path), "/requests/%s", r->id);
    snprintf(png, sizeof(png), "%s/console-request.png", g_shots);
    char *u = url(c, path);
    char *dom = browse(u, NULL, 0);
    json_t *fs = json_object_get(r->doc, "findings");
    char accounts[64][64];
    int naccounts = 0;
    for (size_t k = 0; k < json_array_size(fs); k++) {
        json_t *f = json_array_get(fs, k);
        snprintf(needle, sizeof(needle), "<span class=\"code\">%s</span> %s",
                 json_string_value(json_object_get(f, "code")),
                 json_string_value(json_object_get(f, "rule")));
        assert_non_null(strstr(dom, needle));
        json_t *figs = json_object_get(f, "figures");
        for (size_t g = 0; g < json_array_size(figs); g++) {
            json_t *fig = json_array_get(figs, g);
            snprintf(needle, sizeof(needle), "<td class=\"mono\">%s</td>",
                     json_string_value(json_object_get(fig, "name")));
            assert_non_null(strstr(dom, needle));
        }
        json_t *ev = json_object_get(f, "evidence");
        for (size_t e = 0; e < json_array_size(ev); e++) {
            json_t *x = json_array_get(ev, e);
            snprintf(needle, sizeof(needle), "<td class=\"mono\">%s</td>",
                     json_string_value(json_object_get(x, "transfer_id")));
            assert_non_null(strstr(dom, needle));
            const char *ends[] = {json_string_value(json_object_get(x, "from_account")),
                                  json_string_value(json_object_get(x, "to_account"))};
            for (int s = 0; s < 2; s++) {
                int seen = 0;
                for (int a = 0; a < naccounts; a++)
                    seen |= strcmp(accounts[a], ends[s]) == 0;
                if (!seen && naccounts < 64)
                    snprintf(accounts[naccounts++], sizeof(accounts[0]), "%s", ends[s]);
            }
        }
    }
    /* The evidence graph: a node with a link for each account it cites. */
    const char *svg = strstr(dom, "id=\"evidence-graph\"");
    assert_non_null(svg);
    assert_true(count(svg, "class=\"node\"") >= naccounts);
    for (int a = 0; a < naccounts; a++) {
        snprintf(needle, sizeof(needle), "href=\"/accounts/%s\"", accounts[a]);
        assert_non_null(strstr(svg, needle));
    }
    print_message("request %s: %zu findings, %d accounts in its graph\n", r->id,
                  json_array_size(fs), naccounts);
    free(dom);
    free(browse(u, png, 0));
    free(u);
}

static void check_account(const console *c)
{
    const topic_req *r = rich_request();
    char at[32], path[600], png[600], needle[1024], out_path[400];
    tf_format(tf_now_ms(), at, sizeof(at));
    /* inspect beside the running console, both reading the store. */
    snprintf(out_path, sizeof(out_path), "%s/inspect.json", g_env.dir);
    assert_int_equal(
        hx_run_capture(&g_env, 60, 0, out_path, "inspect", r->account, "--json", "--at", at, NULL),
        0);
    char *inspected = hx_slurp(out_path);
    snprintf(path, sizeof(path), "/api/accounts/%s?at=%s", r->account, at);
    reply api = http_get(c->port, path, NULL, NULL);
    assert_int_equal(api.status, 200);
    assert_string_equal(api.body, inspected);
    reply_free(&api);

    snprintf(path, sizeof(path), "/accounts/%s?at=%s", r->account, at);
    snprintf(png, sizeof(png), "%s/console-account.png", g_shots);
    char *u = url(c, path);
    char *dom = browse(u, NULL, 0);
    json_t *doc = json_loads(inspected, 0, NULL);
    assert_non_null(doc);
    const char *name;
    json_t *w;
    json_object_foreach(json_object_get(doc, "windows"), name, w)
    {
        snprintf(needle, sizeof(needle),
                 "<tr class=\"window\"><td>%s</td><td class=\"num\">%lld</td>", name,
                 (long long)json_integer_value(json_object_get(w, "in_count")));
        assert_non_null(strstr(dom, needle));
    }
    json_t *cp = json_object_get(doc, "counterparties");
    for (int side = 0; side < 2; side++) {
        json_t *arr = json_object_get(cp, side ? "out" : "in");
        for (size_t i = 0; i < json_array_size(arr); i++) {
            json_t *e = json_array_get(arr, i);
            snprintf(needle, sizeof(needle),
                     "href=\"/accounts/%s\">%s</a></td><td class=\"num\">%lld</td>",
                     json_string_value(json_object_get(e, "account")),
                     json_string_value(json_object_get(e, "account")),
                     (long long)json_integer_value(json_object_get(e, "count")));
            assert_non_null(strstr(dom, needle));
        }
    }
    json_t *recent = json_object_get(doc, "recent");
    assert_int_equal(count(dom, "<tr class=\"flow\">"), (int)json_array_size(recent));
    for (size_t i = 0; i < json_array_size(recent); i++) {
        snprintf(needle, sizeof(needle), "<td class=\"mono\">%s</td>",
                 json_string_value(json_object_get(json_array_get(recent, i), "transfer_id")));
        assert_non_null(strstr(dom, needle));
    }
    if (json_is_object(json_object_get(doc, "watchlist")))
        assert_non_null(strstr(dom, "WATCH-LISTED on "));
    assert_non_null(strstr(dom, "id=\"neighbourhood-graph\""));
    /* The requests raised on it: every one of the topic's for this account. */
    int raised = 0;
    for (int i = 0; i < g_topic.n; i++)
        raised += strcmp(g_topic.r[i].account, r->account) == 0;
    snprintf(needle, sizeof(needle), "Freeze requests raised on it (%d)", raised);
    assert_non_null(strstr(dom, needle));
    json_decref(doc);
    free(inspected);
    free(dom);
    free(browse(u, png, 0));
    free(u);
}

static void check_hostile_pages(const console *c)
{
    char *u = url(c, "/requests/%27%22%3E%3Csvg%20onload%3Dalert%284%29%3E");
    char *dom = browse(u, NULL, 0);
    assert_inert(dom);
    assert_non_null(strstr(dom, "&lt;script&gt;alert(6)&lt;/script&gt;"));
    assert_non_null(strstr(dom, "&lt;u&gt;rule&lt;/u&gt;"));
    assert_non_null(strstr(dom, "id=\"evidence-graph\""));
    free(dom);
    free(u);
    /* The 6000-byte id: its page exists, and nothing of it is cut into markup. */
    char *path = malloc(strlen(g_long_id) + 16);
    sprintf(path, "/requests/%s", g_long_id);
    reply r = http_get(c->port, path, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_inert(r.body);
    reply_free(&r);
    free(path);
    u = url(c, "/accounts/%3Cscript%3Ealert(1)%3C%2Fscript%3E");
    dom = browse(u, NULL, 0);
    assert_inert(dom);
    assert_non_null(strstr(dom, "Freeze requests raised on it (1)"));
    free(dom);
    free(u);
}

static void test_console_pages_in_a_browser(void **state)
{
    (void)state;
    int64_t t0 = tf_mono_ns();
    console c = start_console(NULL, NULL, NULL, NULL);
    wait_for_requests(&c, g_topic.n);
    check_list(&c);
    check_filter(&c);
    check_request(&c);
    check_account(&c);
    check_hostile_pages(&c);

    /* Read-only: no method but GET and HEAD; and it follows the topic. */
    reply r = http_get(c.port, "/", NULL, "POST");
    assert_int_equal(r.status, 405);
    reply_free(&r);
    r = http_get(c.port, "/api/requests?action=STOP", NULL, NULL);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "action STOP: expected FREEZE, HOLD or REVIEW"));
    reply_free(&r);
    r = http_get(c.port, "/", NULL, NULL);
    assert_non_null(
        strstr(r.all, "Content-Security-Policy: default-src 'none'; script-src 'self'"));
    reply_free(&r);
    produce_hostile();
    wait_for_requests(&c, g_topic.n + 2);
    stop_console(&c);
    print_message("console pages in a browser: %.1f s\n", (double)(tf_mono_ns() - t0) / 1e9);
}

static void test_token_and_tls(void **state)
{
    (void)state;
    /* Beyond loopback without a token: refused at start. */
    assert_int_equal(hx_run(&g_env, 60, 2, "console", "-X", "console.listen=0.0.0.0:0", NULL), 2);
    assert_true(hx_log_contains(&g_env, "is reachable from other hosts: set console.token"));

    console c = start_console("-X", "console.token=it-console-token-0123", NULL, NULL);
    reply r = http_get(c.port, "/api/status", NULL, NULL);
    assert_int_equal(r.status, 401);
    assert_non_null(strstr(r.all, "WWW-Authenticate: Basic realm=\"interdict console\""));
    reply_free(&r);
    r = http_get(c.port, "/api/status", "Authorization: Bearer it-console-token-wrong", NULL);
    assert_int_equal(r.status, 401);
    reply_free(&r);
    r = http_get(c.port, "/api/status", "Authorization: Bearer it-console-token-0123", NULL);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    /* A browser sends it as basic authentication's password. */
    r = http_get(c.port, "/api/status", "Authorization: Basic ZGVzazppdC1jb25zb2xlLXRva2VuLTAxMjM=",
                 NULL); /* desk:it-console-token-0123 */
    assert_int_equal(r.status, 200);
    reply_free(&r);
    stop_console(&c);

    /* TLS with a self-signed certificate, read by the browser. */
    char cmd[1200], cert[400], key[400];
    snprintf(cert, sizeof(cert), "%s/console-cert.pem", g_env.dir);
    snprintf(key, sizeof(key), "%s/console-key.pem", g_env.dir);
    snprintf(cmd, sizeof(cmd),
             "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -keyout %s "
             "-out %s >/dev/null 2>&1",
             key, cert);
    assert_int_equal(system(cmd), 0);
    char xc[450], xk[450];
    snprintf(xc, sizeof(xc), "console.tls.cert=%s", cert);
    snprintf(xk, sizeof(xk), "console.tls.key=%s", key);
    c = start_console("-X", xc, "-X", xk);
    assert_true(hx_log_contains(&g_env, "interdict console: serving https://127.0.0.1:"));
    char u[128];
    snprintf(u, sizeof(u), "https://127.0.0.1:%d/", c.port);
    char *dom = NULL;
    for (int i = 0; i < 20; i++) { /* until it has read the topic */
        free(dom);
        dom = browse(u, NULL, 1);
        if (count(dom, "<tr class=\"req\"") == g_topic.n + 2)
            break;
        hx_sleep_ms(500);
    }
    assert_int_equal(count(dom, "<tr class=\"req\""), g_topic.n + 2);
    free(dom);
    stop_console(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_console_pages_in_a_browser, kill_console),
        cmocka_unit_test_teardown(test_token_and_tls, kill_console),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
