/* bench_quality.c - detection quality offline: the load generator's stream
 * made in process (src/scenario.c), screened on one thread in event-time
 * order through src/screen.c on a temporary store (the path the workers
 * take), and judged by src/truth.c with the keys and tables of bench_detect.
 *
 * No Kafka: a run of the realistic default (100,000 accounts, 2,000,000
 * transfers over 28 days) takes a minute or two, a smaller one seconds, so
 * thresholds can be tried with --set and compared run against run. The
 * order is the one the pipeline gives once it screens in global event-time
 * order (ties: background, injected transfers, then reports).
 */
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_common.h"
#include "encode.h"
#include "graph.h"
#include "rules.h"
#include "scenario.h"
#include "screen.h"
#include "truth.h"

#define CHECKPOINT_EVERY 50000 /* transfers between checkpoints, as a worker batches */
#define REQUEST_JSON_MAX 65536 /* one encoded request */

typedef struct quality {
    cfg c;
    int cfg_ok;
    scn_opts so;
    const char *profile, *mix, *table_path, *dir_arg;
    int64_t accounts, transfers, now_s, duration_s;
    uint64_t seed;
    int near_misses;
    char dir[256];
    graph *g;
    rules *r;
    scn *s;
    truth *t;
    ix_request *reqs;
    char *json; /* every request, one a line, until the truth is in */
    size_t json_len;
    FILE *requests;          /* open_memstream over json */
    int64_t events, refused; /* screened, and refused by admission */
    double seconds;          /* screening alone */
} quality;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: bench_quality [--profile realistic|classic] [--accounts N] [--transfers N]\n"
            "                     [--seed N] [--now UNIX_S] [--duration-days N] [--mix P=N,...]\n"
            "                     [--near-misses 1] [--set KEY=VALUE]... [--table FILE]\n"
            "                     [--dir DIR]\n"
            "\n"
            "Generates the load generator's stream in process (the profile's defaults unless\n"
            "given: realistic 100,000 accounts, 2,000,000 transfers, 28 days), screens it on\n"
            "one thread in event-time order through the workers' screening path on a\n"
            "temporary store (under --dir, default /tmp), judges the requests against the\n"
            "truth and prints bench_detect's summary keys, one \"key value\" a line, with\n"
            "screening_seconds and transfers_per_second. --set changes an interdict\n"
            "configuration key (repeatable); --table writes the Markdown tables.\n");
}

static int opt_set(const char *value, void *dst)
{
    quality *q = dst;
    char key[128], errstr[512];
    const char *eq = strchr(value, '=');
    if (!eq || (size_t)(eq - value) >= sizeof(key)) {
        fprintf(stderr, "bench_quality: --set %s: not KEY=VALUE\n", value);
        return -1;
    }
    memcpy(key, value, (size_t)(eq - value));
    key[eq - value] = '\0';
    if (cfg_set(&q->c, key, eq + 1, errstr, sizeof(errstr)) != 0) {
        fprintf(stderr, "bench_quality: --set %s: %s\n", value, errstr);
        return -1;
    }
    return 0;
}

/* Returns 0, 1 after --help, -1 on a usage error. */
static int parse(int argc, char **argv, quality *q)
{
    const bc_opt table[] = {{"profile", BC_STR, &q->profile, 0, NULL},
                            {"accounts", BC_I64, &q->accounts, 0, NULL},
                            {"transfers", BC_I64, &q->transfers, 0, NULL},
                            {"seed", BC_U64, &q->seed, 0, NULL},
                            {"now", BC_I64, &q->now_s, 0, NULL},
                            {"duration-days", BC_I64, &q->duration_s, 0, NULL},
                            {"mix", BC_STR, &q->mix, 0, NULL},
                            {"near-misses", BC_INT, &q->near_misses, 0, NULL},
                            {"set", BC_CALL, q, 0, opt_set},
                            {"table", BC_STR, &q->table_path, 0, NULL},
                            {"dir", BC_STR, &q->dir_arg, 0, NULL},
                            {0}};
    return bc_parse(argc, argv, table, usage);
}

static int plan(quality *q, char *errstr, size_t errstr_size)
{
    int f = scn_profile_parse(q->profile ? q->profile : "realistic");
    if (f < 0) {
        snprintf(errstr, errstr_size, "--profile: not realistic or classic");
        return -1;
    }
    scn_opts_default(&q->so);
    scn_opts_profile(&q->so, (scn_profile_id)f);
    q->so.seed = q->seed ? q->seed : 1;
    if (q->accounts)
        q->so.accounts = q->accounts;
    if (q->transfers)
        q->so.transfers = q->transfers;
    if (q->duration_s)
        q->so.duration_ms = q->duration_s * 86400000LL;
    q->so.near_misses = q->near_misses;
    /* Fixed by default: the same stream every run. */
    q->so.now_ms = (q->now_s ? q->now_s : 1795400000LL) * 1000;
    if (q->mix && scn_mix_set(&q->so, q->mix, errstr, errstr_size) != 0)
        return -1;
    return scn_new(&q->so, &q->s, errstr, errstr_size);
}

static int open_store(quality *q, char *errstr, size_t errstr_size)
{
    snprintf(q->dir, sizeof(q->dir), "%s/ix-quality-XXXXXX", q->dir_arg ? q->dir_arg : "/tmp");
    if (!mkdtemp(q->dir)) {
        snprintf(errstr, errstr_size, "%s: cannot create", q->dir);
        q->dir[0] = '\0';
        return -1;
    }
    graph_opts go = {.dir = q->dir, .cache_bytes = (size_t)512 << 20, .create = 1};
    if (graph_open(&go, &q->g, errstr, errstr_size) != 0 ||
        rules_create(&q->c, &q->r, errstr, errstr_size) != 0)
        return -1;
    q->reqs = calloc(SCR_MAX_REQUESTS, sizeof(*q->reqs));
    q->requests = open_memstream(&q->json, &q->json_len);
    if (!q->reqs || !q->requests) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    return 0;
}

static int apply(const scr_ctx *x, const scr_update *u, char *errstr, size_t errstr_size)
{
    scr_result res;
    return scr_apply_update(x, u, &res, errstr, errstr_size);
}

static int load_tables(quality *q, const scr_ctx *x, char *errstr, size_t errstr_size)
{
    scr_update u = {.kind = SCR_PROFILE};
    for (int64_t i = 0; i < scn_accounts(q->s); i++) {
        scn_profile(q->s, i, &u.profile);
        if (apply(x, &u, errstr, errstr_size) != 0)
            return -1;
    }
    u.kind = SCR_WATCH;
    for (int64_t k = 0; k < scn_watch_count(q->s); k++) {
        scn_watch(q->s, k, &u.watch);
        if (apply(x, &u, errstr, errstr_size) != 0)
            return -1;
    }
    return 0;
}

static int keep_requests(quality *q, int n, char *errstr, size_t errstr_size)
{
    static char buf[REQUEST_JSON_MAX];
    for (int i = 0; i < n; i++) {
        int len = enc_request(&q->reqs[i], buf, sizeof(buf));
        if (len < 0 || (size_t)len >= sizeof(buf)) {
            snprintf(errstr, errstr_size, "request %s does not encode", q->reqs[i].id);
            return -1;
        }
        fwrite(buf, 1, (size_t)len, q->requests);
        fputc('\n', q->requests);
    }
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Every event at its own time, as a replay screens it. */
static int screen(quality *q, const scr_ctx *x, char *errstr, size_t errstr_size)
{
    scn_event ev;
    scr_result res;
    int rc;
    double t0 = now_s();
    while ((rc = scn_next(q->s, &ev, errstr, errstr_size)) == 1) {
        int src = ev.kind == SCN_EVENT_TRANSFER
                      ? scr_transfer(x, &ev.transfer, ev.time_ms, &res, errstr, errstr_size)
                      : scr_report(x, &ev.report, NULL, ev.time_ms, &res, errstr, errstr_size);
        if (src != 0)
            return -1;
        if (res.verdict == SCR_REJECTED)
            q->refused++;
        else if (keep_requests(q, res.nreqs, errstr, errstr_size) != 0)
            return -1;
        if (++q->events % CHECKPOINT_EVERY == 0) {
            graph_offset off = {"transfers", 0, q->events};
            if (graph_checkpoint(q->g, &off, 1, errstr, errstr_size) != 0)
                return -1;
        }
    }
    q->seconds = now_s() - t0;
    return rc;
}

/* The truth first, then the requests, as truth.h wants them. */
static int judge(quality *q, char *errstr, size_t errstr_size)
{
    char *tbuf = NULL, *line = NULL;
    size_t tlen = 0, cap = 0;
    ssize_t len;
    FILE *tf = open_memstream(&tbuf, &tlen);
    int rc = -1;
    if (!tf || !(q->t = truth_new(q->so.accounts)))
        goto oom;
    for (int64_t k = 0; k < scn_instance_count(q->s); k++)
        if (scn_truth_write(q->s, k, tf, errstr, errstr_size) != 0)
            goto done;
    fclose(tf);
    tf = fmemopen(tbuf, tlen ? tlen : 1, "r");
    while (tf && tlen && (len = getline(&line, &cap, tf)) > 0)
        if (truth_add_instance(q->t, line, (size_t)len, errstr, errstr_size) != 0)
            goto done;
    if (tf)
        fclose(tf);
    tf = NULL;
    fflush(q->requests);
    for (char *p = q->json, *end = q->json + q->json_len; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (truth_add_request(q->t, p, n) < 0)
            goto oom;
        p += n + 1;
    }
    rc = 0;
    goto done;
oom:
    snprintf(errstr, errstr_size, "out of memory judging the requests");
done:
    if (tf)
        fclose(tf);
    free(tbuf);
    free(line);
    return rc;
}

static int write_table(const quality *q)
{
    if (!q->table_path)
        return 0;
    FILE *f = fopen(q->table_path, "w");
    if (!f) {
        perror(q->table_path);
        return -1;
    }
    truth_write_markdown(q->t, f);
    return fclose(f) == 0 ? 0 : -1;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void teardown(quality *q)
{
    truth_destroy(q->t);
    scn_destroy(q->s);
    rules_destroy(q->r);
    graph_close(q->g);
    if (q->requests)
        fclose(q->requests);
    free(q->json);
    free(q->reqs);
    if (q->dir[0])
        nftw(q->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    if (q->cfg_ok)
        cfg_free(&q->c);
}

static int run(quality *q, char *errstr, size_t errstr_size)
{
    scr_ctx x;
    if (cfg_validate(&q->c, errstr, errstr_size) != 0 || plan(q, errstr, errstr_size) != 0 ||
        open_store(q, errstr, errstr_size) != 0)
        return -1;
    scr_init(&x, &q->c, q->g, q->r, q->reqs, NULL);
    if (load_tables(q, &x, errstr, errstr_size) != 0 || screen(q, &x, errstr, errstr_size) != 0 ||
        judge(q, errstr, errstr_size) != 0)
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    static quality q;
    char errstr[512];
    if (cfg_init(&q.c, errstr, sizeof(errstr)) != 0) {
        fprintf(stderr, "bench_quality: %s\n", errstr);
        return 3;
    }
    q.cfg_ok = 1;
    int prc = parse(argc, argv, &q);
    if (prc != 0) {
        teardown(&q);
        return prc > 0 ? 0 : 2;
    }
    int rc = 3;
    if (run(&q, errstr, sizeof(errstr)) != 0) {
        fprintf(stderr, "bench_quality: %s\n", errstr);
    } else if (write_table(&q) == 0) {
        printf("events %" PRId64 "\nrefused %" PRId64 "\n", q.events, q.refused);
        printf("screening_seconds %.1f\ntransfers_per_second %.0f\n", q.seconds,
               q.seconds > 0 ? (double)q.events / q.seconds : 0.0);
        truth_write_summary(q.t, stdout);
        rc = 0;
    }
    teardown(&q);
    return rc;
}
