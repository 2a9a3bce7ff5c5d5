/* bench_watch.c - watches a running screener from outside: the offsets its
 * consumer group has committed on a topic, its peak resident size, and the
 * CPU time it (and any other process named) used, until it exits.
 *
 * interdict commits input offsets only inside its checkpoint transaction,
 * together with the freeze requests and after the state is safe, so a
 * committed offset is a transfer screened end to end. The watcher polls the
 * group's committed offsets every --interval-ms and notes when the committed
 * total first moved and when it last moved. The screening rate is then
 *
 *     (last committed total - first committed total) / (last time - first time)
 *
 * which leaves out start-up (connecting, loading tables, joining the group),
 * the first checkpoint interval and the idle wait before --until-idle stops
 * the process. Peak resident size is VmHWM from /proc/PID/status, read at
 * every poll (the kernel keeps the maximum, so the last reading before the
 * process exits is its peak up to one interval).
 *
 * Output, one "key value" per line on stdout when PID has exited: see usage().
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "bench_common.h"

#define MAX_PIDS     8     /* processes whose CPU time is reported */
#define META_TIMEOUT 10000 /* metadata queries, ms */
#define QUERY_MS     5000  /* one committed-offsets query, ms */

static volatile sig_atomic_t g_run = 1; /* cleared by SIGINT / SIGTERM */

static void on_signal(int sig)
{
    (void)sig;
    g_run = 0;
}

typedef struct opts {
    const char *brokers, *group, *topic;
    long pid;
    long cpu_pids[MAX_PIDS];
    int ncpu;
    int interval_ms;
} opts;

static void usage(FILE *out)
{
    fprintf(out, "usage: bench_watch --brokers HOST:PORT --group ID --topic TOPIC --pid PID\n"
                 "                   [--cpu-pid PID]... [--interval-ms N]\n"
                 "\n"
                 "Polls the offsets consumer group ID has committed on TOPIC and the peak\n"
                 "resident size of process PID every --interval-ms (default 50) until PID\n"
                 "exits, then prints, one \"key value\" a line:\n"
                 "  committed_first   committed total at the first poll that saw one\n"
                 "  committed_last    the last committed total seen while PID ran\n"
                 "  first_commit_ms   wall-clock time (ms since the epoch) of that first poll\n"
                 "  last_commit_ms    wall-clock time of the poll that first saw that total\n"
                 "  span_seconds      last_commit_ms - first_commit_ms\n"
                 "  rate              (committed_last - committed_first) / span_seconds\n"
                 "  committed_at_exit the committed total after PID exited\n"
                 "  commits_seen      how many times the committed total was seen to move\n"
                 "  peak_rss_kb       VmHWM of PID\n"
                 "  cpu_seconds       CPU time (user + system) PID used during the span\n"
                 "  cpu_seconds_PID   the same for every --cpu-pid (e.g. the broker)\n"
                 "  machine_cpu_seconds  CPU time all processes used during the span\n"
                 "  wall_seconds      from the start of the watch to the exit of PID\n");
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One more --cpu-pid. */
static int add_cpu_pid(const char *v, void *dst)
{
    opts *o = dst;
    if (o->ncpu == MAX_PIDS) {
        fprintf(stderr, "bench_watch: at most %d --cpu-pid\n", MAX_PIDS);
        return -1;
    }
    o->cpu_pids[o->ncpu++] = strtol(v, NULL, 10);
    return 0;
}

/* Returns 0, 1 after --help, -1 on a usage error. */
static int parse(int argc, char **argv, opts *o)
{
    const bc_opt table[] = {{"brokers", BC_STR, &o->brokers, 1, NULL},
                            {"group", BC_STR, &o->group, 1, NULL},
                            {"topic", BC_STR, &o->topic, 1, NULL},
                            {"pid", BC_LONG, &o->pid, 0, NULL},
                            {"cpu-pid", BC_CALL, o, 0, add_cpu_pid},
                            {"interval-ms", BC_INT, &o->interval_ms, 0, NULL},
                            {0}};
    *o = (opts){.interval_ms = 50};
    int rc = bc_parse(argc, argv, table, usage);
    if (rc == 0 && (o->pid <= 0 || o->interval_ms <= 0)) {
        usage(stderr);
        rc = -1;
    }
    return rc;
}

/* VmHWM of a process in kB, or -1 when it is gone. */
static long peak_rss_kb(long pid)
{
    char path[64], line[256];
    long kb = -1;
    snprintf(path, sizeof(path), "/proc/%ld/status", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    fclose(f);
    return kb;
}

/* User + system CPU time of a process in seconds, or -1 when it is gone. */
static double cpu_seconds(long pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* Fields after the command name, which ends at the last ')': state is
     * field 3, utime 14 and stime 15. */
    char *p = strrchr(buf, ')');
    unsigned long long ut = 0, st = 0;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* Whether the process runs: it exists and is not a zombie waiting to be reaped. */
static int alive(long pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

/* CPU time all processes on the machine used so far (user, nice, system,
 * irq, softirq, steal), in seconds, from /proc/stat. */
static double machine_seconds(void)
{
    unsigned long long v[8] = {0};
    FILE *f = fopen("/proc/stat", "r");
    if (!f)
        return -1;
    int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                   &v[4], &v[5], &v[6], &v[7]);
    fclose(f);
    if (n != 8)
        return -1;
    /* idle (3) and iowait (4) are not busy time */
    return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / (double)sysconf(_SC_CLK_TCK);
}

static rd_kafka_t *new_client(const opts *o)
{
    /* A consumer handle of the group that never subscribes: it only asks the
     * group coordinator for committed offsets and takes no part in the group. */
    kafka_consumer_opts co = {.group_id = o->group};
    return bc_consumer("bench_watch", o->brokers, &co);
}

/* Every partition of the topic, with no offsets yet. */
static rd_kafka_topic_partition_list_t *partitions(rd_kafka_t *rk, const char *topic)
{
    char errstr[512];
    rd_kafka_topic_partition_list_t *l =
        kafka_partitions(rk, topic, RD_KAFKA_OFFSET_INVALID, META_TIMEOUT, errstr, sizeof(errstr));
    if (!l)
        fprintf(stderr, "bench_watch: %s\n", errstr);
    return l;
}

/* The group's committed total over the partitions, or -1 if the query failed. */
static int64_t committed(rd_kafka_t *rk, rd_kafka_topic_partition_list_t *l)
{
    for (int i = 0; i < l->cnt; i++)
        l->elems[i].offset = RD_KAFKA_OFFSET_INVALID;
    if (rd_kafka_committed(rk, l, QUERY_MS) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return -1;
    int64_t total = 0;
    for (int i = 0; i < l->cnt; i++)
        if (l->elems[i].offset > 0)
            total += l->elems[i].offset;
    return total;
}

typedef struct watch {
    int64_t first, last;        /* committed totals */
    int64_t first_ms, last_ms;  /* when they were seen */
    double cpu_first, cpu_last; /* CPU seconds of the main pid then */
    double peer_first[MAX_PIDS], peer_last[MAX_PIDS];
    double all_first, all_last; /* CPU seconds of the whole machine then */
    long rss_kb;
    int moves;
} watch;

static void sample_cpu(const opts *o, double *main_cpu, double *peers, double *all)
{
    *all = machine_seconds();
    double c = cpu_seconds(o->pid);
    if (c >= 0)
        *main_cpu = c;
    for (int i = 0; i < o->ncpu; i++) {
        double p = cpu_seconds(o->cpu_pids[i]);
        if (p >= 0)
            peers[i] = p;
    }
}

static void poll_until_exit(const opts *o, rd_kafka_t *rk, rd_kafka_topic_partition_list_t *l,
                            watch *w)
{
    struct timespec pause = {o->interval_ms / 1000, (o->interval_ms % 1000) * 1000000L};
    memset(w, 0, sizeof(*w));
    while (g_run && alive(o->pid)) {
        long kb = peak_rss_kb(o->pid);
        if (kb > w->rss_kb)
            w->rss_kb = kb;
        int64_t total = committed(rk, l);
        int64_t now = wall_ms();
        if (total > 0 && w->first_ms == 0) {
            w->first = w->last = total;
            w->first_ms = w->last_ms = now;
            sample_cpu(o, &w->cpu_first, w->peer_first, &w->all_first);
            memcpy(w->peer_last, w->peer_first, sizeof(w->peer_last));
            w->cpu_last = w->cpu_first;
            w->all_last = w->all_first;
        } else if (total > w->last) {
            w->last = total;
            w->last_ms = now;
            w->moves++;
            sample_cpu(o, &w->cpu_last, w->peer_last, &w->all_last);
        }
        nanosleep(&pause, NULL);
    }
}

int main(int argc, char **argv)
{
    opts o;
    watch w;
    int prc = parse(argc, argv, &o);
    if (prc != 0)
        return prc > 0 ? 0 : 2;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    int64_t t0 = wall_ms();
    rd_kafka_t *rk = new_client(&o);
    if (!rk)
        return 3;
    rd_kafka_topic_partition_list_t *l = partitions(rk, o.topic);
    if (!l) {
        rd_kafka_destroy(rk);
        return 3;
    }
    poll_until_exit(&o, rk, l, &w);
    /* Anything committed after the last poll (a checkpoint at shutdown) is
     * reported apart: its time is not known. */
    int64_t at_exit = committed(rk, l);
    double span = (double)(w.last_ms - w.first_ms) / 1000.0;
    printf("committed_first %" PRId64 "\n", w.first);
    printf("committed_last %" PRId64 "\n", w.last);
    printf("first_commit_ms %" PRId64 "\n", w.first_ms);
    printf("last_commit_ms %" PRId64 "\n", w.last_ms);
    printf("span_seconds %.3f\n", span);
    printf("rate %.0f\n", span > 0 ? (double)(w.last - w.first) / span : 0.0);
    printf("committed_at_exit %" PRId64 "\n", at_exit);
    printf("commits_seen %d\n", w.moves);
    printf("peak_rss_kb %ld\n", w.rss_kb);
    printf("cpu_seconds %.2f\n", w.cpu_last - w.cpu_first);
    for (int i = 0; i < o.ncpu; i++)
        printf("cpu_seconds_%ld %.2f\n", o.cpu_pids[i], w.peer_last[i] - w.peer_first[i]);
    printf("machine_cpu_seconds %.2f\n", w.all_last - w.all_first);
    printf("wall_seconds %.3f\n", (double)(wall_ms() - t0) / 1000.0);
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_destroy(rk);
    return g_run ? 0 : 3;
}
