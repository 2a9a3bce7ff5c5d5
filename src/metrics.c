/* metrics.c - the Prometheus endpoint and its exposition text. */
#include "metrics.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "http.h"
#include "mem.h"
#include "reason.h"
#include "rules.h"

struct metrics {
    struct MHD_Daemon *httpd;
    int port;
    graph *g;
    pthread_mutex_t lock; /* guards the snapshot */
    stats total;
    pipe_live live;
};

/* ---- exposition */

static void counter(FILE *out, const char *name, const char *help, uint64_t v)
{
    fprintf(out, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, help, name, name,
            (unsigned long long)v);
}

static void gauge(FILE *out, const char *name, const char *help, double v)
{
    fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n%s %.17g\n", name, help, name, name, v);
}

static void histogram(FILE *out, const char *name, const char *help, const uint64_t *buckets,
                      double sum_seconds)
{
    uint64_t cum = 0;
    fprintf(out, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
    for (int b = 0; b < STATS_HIST_BUCKETS - 1; b++) {
        cum += buckets[b];
        fprintf(out, "%s_bucket{le=\"%g\"} %llu\n", name, stats_hist_bounds_us[b] / 1e6,
                (unsigned long long)cum);
    }
    cum += buckets[STATS_HIST_BUCKETS - 1];
    fprintf(out, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.9g\n%s_count %llu\n", name,
            (unsigned long long)cum, name, sum_seconds, name, (unsigned long long)cum);
}

static void render_requests(FILE *out, const stats *t)
{
    static const ix_action actions[] = {IX_ACTION_FREEZE, IX_ACTION_HOLD, IX_ACTION_REVIEW};
    fprintf(out, "# HELP interdict_freeze_requests_total Freeze requests emitted (committed), "
                 "by action.\n# TYPE interdict_freeze_requests_total counter\n");
    for (size_t i = 0; i < 3; i++)
        fprintf(out, "interdict_freeze_requests_total{action=\"%s\"} %llu\n",
                ix_action_name(actions[i]), (unsigned long long)t->by_action[actions[i]]);
}

static void render_deadletters(FILE *out, const stats *t)
{
    fprintf(out, "# HELP interdict_deadletters_total Input sent to the dead-letter topic "
                 "(committed), by reason.\n# TYPE interdict_deadletters_total counter\n");
    for (int r = RSN_OK + 1; r < RSN__COUNT; r++)
        fprintf(out, "interdict_deadletters_total{reason=\"%s\"} %llu\n", rsn_code((rsn_reason)r),
                (unsigned long long)t->dead_by_reason[r]);
}

static void render_rules(FILE *out, const stats *t)
{
    fprintf(out, "# HELP interdict_rule_hits_total Findings raised (committed), by rule; "
                 "repeats inside an incident's cooldown count too.\n"
                 "# TYPE interdict_rule_hits_total counter\n");
    for (size_t i = 0; rules_table[i] && i < RULES_TRACE_SLOT; i++)
        fprintf(out, "interdict_rule_hits_total{rule=\"%s\"} %llu\n", rules_table[i]->name,
                (unsigned long long)t->rule_hits[i]);
    fprintf(out, "interdict_rule_hits_total{rule=\"trace\"} %llu\n",
            (unsigned long long)t->rule_hits[RULES_TRACE_SLOT]);
}

static void render_pipeline(FILE *out, const stats *t, const pipe_live *l)
{
    counter(out, "interdict_transfers_consumed_total",
            "Transfer messages screened or rejected (committed).", t->transfers);
    counter(out, "interdict_transfers_screened_total",
            "Valid transfers applied to the graph and ruled on (committed).", t->screened);
    counter(out, "interdict_transfers_replayed_total",
            "Messages screened again after a restart with their output suppressed.", t->replayed);
    counter(out, "interdict_reports_consumed_total", "Fraud reports consumed (committed).",
            t->reports);
    counter(out, "interdict_reports_parked_total",
            "Fraud reports parked to wait for a transfer not screened yet (committed).", t->parked);
    counter(out, "interdict_reports_park_traced_total",
            "Parked fraud reports traced once their transfer was screened (committed).",
            t->park_traced);
    counter(out, "interdict_reports_park_expired_total",
            "Parked fraud reports dead-lettered as unknown_transfer: their transfer never came "
            "within reports.park.time, or the park was full (committed).",
            t->park_expired);
    counter(out, "interdict_table_updates_total",
            "Account-profile and watch-list messages applied.", t->table_updates);
    counter(out, "interdict_desk_updates_total",
            "The fraud desk's allow-list entries, removals and verdicts applied (committed).",
            t->desk_updates);
    counter(out, "interdict_desk_held_total",
            "Findings the desk held back: allow-listed or suppressed by a dismissed request "
            "(committed).",
            t->held);
    render_requests(out, t);
    render_deadletters(out, t);
    render_rules(out, t);
    counter(out, "interdict_checkpoints_total", "Checkpoints: transaction and state committed.",
            t->checkpoints);
    counter(out, "interdict_transaction_aborts_total",
            "Transactions aborted; their interval was screened again.", t->aborts);
    counter(out, "interdict_rule_reloads_total", "Successful rule reloads (SIGHUP).", t->reloads);
    counter(out, "interdict_worker_busy_seconds_total",
            "Time spent decoding and screening, over all threads (committed intervals).",
            t->busy_ns / 1000000000ull);
    fprintf(out,
            "# HELP interdict_stage_busy_seconds_total Time spent in each stage (committed "
            "intervals): decode on the workers, screen on the screening thread.\n"
            "# TYPE interdict_stage_busy_seconds_total counter\n"
            "interdict_stage_busy_seconds_total{stage=\"decode\"} %.3f\n"
            "interdict_stage_busy_seconds_total{stage=\"screen\"} %.3f\n",
            (double)t->decode_ns / 1e9, (double)t->screen_ns / 1e9);
    counter(out, "interdict_late_events_total",
            "Events screened after a later one had been (live input written out of event-time "
            "order; committed intervals).",
            t->late);
    gauge(out, "interdict_consumer_lag_messages",
          "Messages in the assigned partitions not yet consumed.", (double)l->lag);
    gauge(out, "interdict_queued_messages", "Messages consumed and not yet screened.",
          (double)l->queued);
    gauge(out, "interdict_consumption_paused", "1 while consumption is paused for back-pressure.",
          l->paused);
    gauge(out, "interdict_workers", "Decode threads (one screening thread besides).", l->workers);
    histogram(out, "interdict_processing_seconds",
              "Time to screen one transfer or report (committed intervals).", t->proc_hist,
              (double)t->proc_ns_sum / 1e9);
    histogram(out, "interdict_end_to_end_seconds",
              "From a message's Kafka create time to the end of its screening.", t->e2e_hist,
              (double)t->e2e_ms_sum / 1e3);
}

static void render_memory(FILE *out, graph *g)
{
    graph_stats gs;
    mem_stats ms;
    graph_get_stats(g, &gs);
    gauge(out, "interdict_state_cached_accounts", "Accounts in the account cache.",
          (double)gs.cached_accounts);
    gauge(out, "interdict_state_dirty_accounts", "Cached accounts with uncheckpointed changes.",
          (double)gs.dirty_accounts);
    gauge(out, "interdict_state_cache_bytes", "Memory of the account cache.",
          (double)gs.cache_bytes);
    gauge(out, "interdict_reports_parked", "Fraud reports waiting for their transfer now.",
          (double)gs.parked);
    gauge(out, "interdict_rocksdb_memory_bytes",
          "RocksDB memtables, table readers and block cache.", (double)gs.rocksdb_bytes);
    if (mem_get(&ms) != 0)
        return; /* jemalloc not linked (sanitizer builds) */
    gauge(out, "interdict_jemalloc_allocated_bytes", "Bytes allocated by the program.",
          (double)ms.allocated);
    gauge(out, "interdict_jemalloc_active_bytes", "Bytes in pages holding allocations.",
          (double)ms.active);
    gauge(out, "interdict_jemalloc_resident_bytes", "Allocator bytes in physical memory.",
          (double)ms.resident);
    gauge(out, "interdict_jemalloc_mapped_bytes", "Bytes the allocator has mapped.",
          (double)ms.mapped);
}

size_t met_render(metrics *m, FILE *out)
{
    stats t;
    pipe_live l;
    long start = ftell(out);
    pthread_mutex_lock(&m->lock);
    t = m->total;
    l = m->live;
    pthread_mutex_unlock(&m->lock);
    fprintf(out,
            "# HELP interdict_build_info The running version.\n"
            "# TYPE interdict_build_info gauge\ninterdict_build_info{version=\"%s\"} 1\n",
            INTERDICT_VERSION);
    render_pipeline(out, &t, &l);
    if (m->g)
        render_memory(out, m->g);
    long end = ftell(out);
    return start >= 0 && end >= start ? (size_t)(end - start) : 0;
}

void met_update(metrics *m, const stats *total, const pipe_live *live)
{
    if (!m)
        return;
    pthread_mutex_lock(&m->lock);
    m->total = *total;
    m->live = *live;
    pthread_mutex_unlock(&m->lock);
}

/* ---- HTTP */

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    metrics *m = cls;
    (void)version;
    (void)upload;
    (void)upload_size;
    (void)con_cls;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return http_reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", strdup("GET only\n"), 9,
                          NULL);
    if (strcmp(url, "/metrics") != 0)
        return http_reply(c, MHD_HTTP_NOT_FOUND, "text/plain",
                          strdup("interdict serves /metrics\n"), 26, NULL);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (!out)
        return MHD_NO;
    met_render(m, out);
    fclose(out);
    return http_reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", buf, len, NULL);
}

static int listen_on(const char *listen)
{
    return listen && *listen && strcmp(listen, "off") != 0;
}

int met_check_listen(const char *listen, char *errstr, size_t errstr_size)
{
    struct sockaddr_in sa;
    return listen_on(listen) ? http_parse_listen("metrics.listen", listen, &sa, errstr, errstr_size)
                             : 0;
}

metrics *met_start(const char *listen, graph *g, char *errstr, size_t errstr_size)
{
    struct sockaddr_in sa;
    metrics *m = calloc(1, sizeof(*m));
    if (!m) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    m->g = g;
    pthread_mutex_init(&m->lock, NULL);
    if (!listen_on(listen))
        return m;
    if (http_parse_listen("metrics.listen", listen, &sa, errstr, errstr_size) != 0)
        goto fail;
    m->httpd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
                                on_request, m, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                                MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10, MHD_OPTION_END);
    if (!m->httpd) {
        snprintf(errstr, errstr_size, "metrics: cannot listen on %s (address in use?)", listen);
        goto fail;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(m->httpd, MHD_DAEMON_INFO_BIND_PORT);
    m->port = info ? info->port : ntohs(sa.sin_port);
    return m;
fail:
    met_stop(m);
    return NULL;
}

void met_stop(metrics *m)
{
    if (!m)
        return;
    if (m->httpd)
        MHD_stop_daemon(m->httpd);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

int met_port(const metrics *m)
{
    return m && m->httpd ? m->port : 0;
}
