/* harness.c - environment, process and Kafka helpers of the scenario tests. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "graph.h"
#include "harness.h"
#include "rules.h"

const char *hx_kafka_brokers(void)
{
    const char *b = getenv("KAFKA_BROKERS");
    if (!b || !*b)
        fail_msg("KAFKA_BROKERS is not set: run this test through ctest");
    return b;
}

static void set(cfg *c, const char *key, const char *value)
{
    char errstr[512];
    if (cfg_set(c, key, value, errstr, sizeof(errstr)) != 0)
        fail_msg("cfg_set %s=%s: %s", key, value, errstr);
}

static void set_topics(hx_env *e)
{
    static const char *const keys[] = {"topic.transfers", "topic.accounts",      "topic.watchlist",
                                       "topic.reports",   "topic.interceptions", "topic.deadletter",
                                       "topic.allowlist", "topic.verdicts"};
    static const char *const names[] = {"transfers",     "accounts",   "watchlist", "reports",
                                        "interceptions", "deadletter", "allowlist", "verdicts"};
    char v[200];
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        snprintf(v, sizeof(v), "%s-%d-%s", e->name, (int)getpid(), names[i]);
        set(&e->c, keys[i], v);
    }
    snprintf(v, sizeof(v), "%s-%d", e->name, (int)getpid());
    set(&e->c, "group.id", v);
    set(&e->c, "instance.id", v);
}

static void write_conf(hx_env *e)
{
    FILE *f = fopen(e->conf_path, "w");
    assert_non_null(f);
    cfg_print_effective(&e->c, f);
    fclose(f);
}

void hx_write_conf(hx_env *e)
{
    write_conf(e);
}

void hx_setup(hx_env *e, const char *name, const char *brokers)
{
    hx_setup_partitions(e, name, brokers, 4);
}

void hx_setup_partitions(hx_env *e, const char *name, const char *brokers, int partitions)
{
    char errstr[512];
    memset(e, 0, sizeof(*e));
    snprintf(e->name, sizeof(e->name), "%s", name);
    snprintf(e->dir, sizeof(e->dir), "/tmp/ix-%s-XXXXXX", name);
    assert_non_null(mkdtemp(e->dir));
    snprintf(e->conf_path, sizeof(e->conf_path), "%s/interdict.conf", e->dir);
    snprintf(e->log_path, sizeof(e->log_path), "%s/interdict.log", e->dir);
    assert_int_equal(cfg_init(&e->c, errstr, sizeof(errstr)), 0);
    set_topics(e);
    char state[300];
    snprintf(state, sizeof(state), "%s/state", e->dir);
    set(&e->c, "state.dir", state);
    char nparts[16];
    snprintf(nparts, sizeof(nparts), "%d", partitions);
    set(&e->c, "topic.partitions", nparts);
    set(&e->c, "commit.interval", "200ms");
    set(&e->c, "kafka.timeout", "20s");
    set(&e->c, "log.level", "info");
    set(&e->c, "metrics.listen", "off");
    /* These scenarios check the pipeline with the watch-list and trace
     * rules; the pattern rules have tests of their own (test_rule_*,
     * test_quality) and would also fire on this synthetic background. */
    for (const rule_def *const *r = rules_table; *r; r++) {
        char key[96];
        if (strcmp((*r)->name, "watchlist") == 0)
            continue;
        snprintf(key, sizeof(key), "rules.%s.enabled", (*r)->name);
        set(&e->c, key, "false");
    }
    if (brokers) {
        set(&e->c, "brokers", brokers);
        if (kafka_create_topics(&e->c, errstr, sizeof(errstr)) != 0)
            fail_msg("creating topics: %s", errstr);
    } else {
        e->mock = kafka_mock_start(&e->c, 1, errstr, sizeof(errstr));
        if (!e->mock)
            fail_msg("embedded broker: %s", errstr);
        set(&e->c, "brokers", kafka_mock_bootstraps(e->mock));
        /* The mock cluster ignores LeaveGroup: a restarted member waits for
         * its predecessor's session to time out before it can join. */
        set(&e->c, "rdkafka.consumer.session.timeout.ms", "6000");
    }
    write_conf(e);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void hx_teardown(hx_env *e)
{
    kafka_mock_stop(e->mock);
    cfg_free(&e->c);
    if (!getenv("IX_KEEP_TEST_DIRS"))
        nftw(e->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void print_log(const hx_env *e)
{
    char line[1024];
    FILE *f = fopen(e->log_path, "r");
    if (!f)
        return;
    fprintf(stderr, "---- %s ----\n", e->log_path);
    while (fgets(line, sizeof(line), f))
        fputs(line, stderr);
    fprintf(stderr, "----\n");
    fclose(f);
}

static int wait_child(pid_t pid, int timeout_s)
{
    int status = 0;
    for (int waited_ms = 0;; waited_ms += 50) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            break;
        if (r < 0)
            fail_msg("waitpid: %s", strerror(errno));
        if (waited_ms >= timeout_s * 1000) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            fail_msg("interdict did not finish within %d s", timeout_s);
        }
        struct timespec ts = {0, 50 * 1000000};
        nanosleep(&ts, NULL);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Start `interdict <command> -c conf args...` with stderr appended to the
 * environment's log and stdout to out_path (or the log when NULL). */
static pid_t spawn_v(hx_env *e, const char *out_path, const char *command, va_list ap)
{
    const char *bin = getenv("INTERDICT_BIN");
    const char *argv[64];
    int n = 0;
    if (!bin)
        fail_msg("INTERDICT_BIN is not set: run this test through ctest");
    write_conf(e);
    argv[n++] = bin;
    argv[n++] = command;
    argv[n++] = "-c";
    argv[n++] = e->conf_path;
    for (const char *a; n < 63 && (a = va_arg(ap, const char *));)
        argv[n++] = a;
    argv[n] = NULL;

    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* The child may only _exit: a failed redirection must not run the
         * parent's cmocka handlers in the child. */
        if (!freopen(e->log_path, "a", stderr) ||
            !freopen(out_path ? out_path : e->log_path, out_path ? "w" : "a", stdout))
            _exit(126);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    return pid;
}

pid_t hx_spawn(hx_env *e, const char *out_path, const char *command, ...)
{
    va_list ap;
    va_start(ap, command);
    pid_t pid = spawn_v(e, out_path, command, ap);
    va_end(ap);
    return pid;
}

int hx_wait(hx_env *e, pid_t pid, int timeout_s, int expect)
{
    int status = wait_child(pid, timeout_s);
    if (status != expect)
        print_log(e);
    return status;
}

int hx_run(hx_env *e, int timeout_s, int expect, const char *command, ...)
{
    va_list ap;
    va_start(ap, command);
    pid_t pid = spawn_v(e, NULL, command, ap);
    va_end(ap);
    return hx_wait(e, pid, timeout_s, expect);
}

int hx_run_capture(hx_env *e, int timeout_s, int expect, const char *out_path, const char *command,
                   ...)
{
    va_list ap;
    va_start(ap, command);
    pid_t pid = spawn_v(e, out_path, command, ap);
    va_end(ap);
    return hx_wait(e, pid, timeout_s, expect);
}

void hx_digest(hx_env *e, char *out, size_t size)
{
    char path[400];
    snprintf(path, sizeof(path), "%s/digest.txt", e->dir);
    assert_int_equal(hx_run_capture(e, 120, 0, path, "inspect", "--digest", NULL), 0);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(out, (int)size, f));
    fclose(f);
    out[strcspn(out, "\n")] = '\0';
}

void hx_kafka(const char *args)
{
    char cmd[512];
    const char *src = getenv("IX_SOURCE_DIR");
    assert_non_null(src);
    snprintf(cmd, sizeof(cmd), "%s/scripts/kafka.sh %s >&2", src, args);
    if (system(cmd) != 0)
        fail_msg("%s failed", cmd);
}

void hx_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int64_t hx_read(hx_env *e, const char *topic, kafka_msg_fn fn, void *arg)
{
    char errstr[512];
    int64_t n = kafka_read_topic(&e->c, topic, 30000, fn, arg, errstr, sizeof(errstr));
    if (n < 0)
        fail_msg("reading %s: %s", topic, errstr);
    return n;
}

static int64_t sum_offsets(hx_env *e, const char *topic, int committed)
{
    char errstr[512];
    /* A handle of the screener's group that never subscribes: it only asks
     * the coordinator for committed offsets and takes no part in the group. */
    kafka_consumer_opts o = {.group_id = e->c.group_id};
    rd_kafka_t *rk = kafka_consumer_new(&e->c, &o, errstr, sizeof(errstr));
    if (!rk)
        fail_msg("%s", errstr);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(64);
    for (int p = 0; p < e->c.topic_partitions; p++)
        rd_kafka_topic_partition_list_add(l, topic, p);
    int64_t sum = 0;
    if (committed) {
        assert_int_equal(rd_kafka_committed(rk, l, 20000), RD_KAFKA_RESP_ERR_NO_ERROR);
        for (int i = 0; i < l->cnt; i++)
            sum += l->elems[i].offset > 0 ? l->elems[i].offset : 0;
    } else {
        for (int i = 0; i < l->cnt; i++) {
            int64_t lo, hi;
            assert_int_equal(
                rd_kafka_query_watermark_offsets(rk, topic, l->elems[i].partition, &lo, &hi, 20000),
                RD_KAFKA_RESP_ERR_NO_ERROR);
            sum += hi;
        }
    }
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_destroy(rk);
    return sum;
}

int64_t hx_committed_sum(hx_env *e, const char *topic)
{
    return sum_offsets(e, topic, 1);
}

int64_t hx_end_sum(hx_env *e, const char *topic)
{
    return sum_offsets(e, topic, 0);
}

int64_t hx_stored_sum(hx_env *e, const char *topic)
{
    char errstr[512];
    graph *g = NULL;
    graph_opts o = {.dir = e->c.state_dir, .cache_bytes = 8 << 20, .create = 0};
    if (graph_open(&o, &g, errstr, sizeof(errstr)) != 0)
        fail_msg("opening the state store: %s", errstr);
    int64_t sum = 0;
    for (int p = 0; p < e->c.topic_partitions; p++) {
        int64_t off = 0;
        int found = graph_get_offset(g, topic, p, &off, errstr, sizeof(errstr));
        assert_true(found >= 0);
        sum += found ? off : 0;
    }
    graph_close(g);
    return sum;
}

feed *hx_feed(hx_env *e)
{
    char errstr[512];
    feed *f = feed_new(&e->c, errstr, sizeof(errstr));
    if (!f)
        fail_msg("producer: %s", errstr);
    return f;
}

void hx_send(feed *f, const char *topic, const char *key, const char *value)
{
    char errstr[512];
    if (feed_send(f, topic, key, value, value ? strlen(value) : 0, errstr, sizeof(errstr)) != 0)
        fail_msg("%s", errstr);
}

void hx_flush(feed *f)
{
    char errstr[512];
    if (feed_flush(f, 30000, errstr, sizeof(errstr)) != 0)
        fail_msg("%s", errstr);
}

const char *hx_header(const void *rkmessage, const char *name, char *buf, size_t size)
{
    rd_kafka_headers_t *h = NULL;
    const void *v = NULL;
    size_t len = 0;
    buf[0] = '\0';
    if (rd_kafka_message_headers(rkmessage, &h) == 0 &&
        rd_kafka_header_get_last(h, name, &v, &len) == 0)
        snprintf(buf, size, "%.*s", (int)len, (const char *)v);
    return buf;
}
