/* console.c - the console's server: configuration, access control, routes.
 *
 * Threads: the calling thread reads the interceptions topic (tail.c) into
 * the list until told to stop; libmicrohttpd's thread pool serves the pages,
 * each reading the list under its lock and the state store under the
 * store's. Nothing is ever written: GET and HEAD are the only methods, and
 * no route changes anything.
 *
 * Why the store is opened read-only rather than asked of the screener: the
 * screener has no query interface to serve pages from, and giving it one
 * would put the console's load and its failures on the screening path. A
 * read-only RocksDB open takes no lock and writes nothing, so any number of
 * consoles (and inspects) can read beside the screener; the cost is that a
 * handle sees the store as it was when opened, so it is opened again when
 * older than CON_STORE_REFRESH_MS, and a page shows what the screener had
 * checkpointed by then.
 */
#include "console.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "console_int.h"
#include "http.h"
#include "tail.h"
#include "timefmt.h"

#define CON_TOKEN_MIN   16        /* shortest console.token accepted */
#define CON_PEM_MAX     (1 << 20) /* largest TLS file read */
#define CON_API_LIMIT   1000      /* requests an API list returns by default */
#define CON_API_MAX     100000    /* ... and at most */
#define CON_POOL        4         /* server threads */
#define CON_CONNECTIONS 64        /* open connections at most */

static const char *const security_headers[] = {
    "Content-Security-Policy",
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options",
    "nosniff",
    "X-Frame-Options",
    "DENY",
    "Referrer-Policy",
    "no-referrer",
    "Cache-Control",
    "no-store",
    NULL,
};

typedef struct con_server {
    const cfg *c;
    const ix_log *lg;
    con_view v;
    con_list *list;
    con_store store;
    struct MHD_Daemon *httpd;
    char *tls_cert, *tls_key;
} con_server;

/* ---- configuration ------------------------------------------------------------ */

static int check_token(const cfg *c, const struct sockaddr_in *sa, char *errstr, size_t errstr_size)
{
    const char *t = c->console_token ? c->console_token : "";
    if (!*t && !http_is_loopback(sa)) {
        snprintf(errstr, errstr_size,
                 "console.listen: %s is reachable from other hosts: set console.token (and "
                 "console.tls.cert) or bind to 127.0.0.1",
                 c->console_listen);
        return -1;
    }
    if (*t && strlen(t) < CON_TOKEN_MIN) {
        snprintf(errstr, errstr_size, "console.token: at least %d characters", CON_TOKEN_MIN);
        return -1;
    }
    return 0;
}

static int check_tls(const cfg *c, char *errstr, size_t errstr_size)
{
    int cert = c->console_tls_cert && *c->console_tls_cert;
    int key = c->console_tls_key && *c->console_tls_key;
    if (cert != key) {
        snprintf(errstr, errstr_size, "%s: set console.tls.cert and console.tls.key together",
                 cert ? "console.tls.key" : "console.tls.cert");
        return -1;
    }
    /* Unreadable files are a configuration error, found before serving. */
    const char *keys[] = {"console.tls.cert", "console.tls.key"};
    const char *paths[] = {c->console_tls_cert, c->console_tls_key};
    for (int i = 0; cert && i < 2; i++)
        if (access(paths[i], R_OK) != 0) {
            snprintf(errstr, errstr_size, "%s: %s: %s", keys[i], paths[i], strerror(errno));
            return -1;
        }
    if (cert && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        snprintf(errstr, errstr_size,
                 "console.tls.cert: this libmicrohttpd was built without TLS; serve plain HTTP "
                 "on loopback behind a TLS proxy instead");
        return -1;
    }
    return 0;
}

/* An IANA zone name of /usr/share/zoneinfo: letters, digits, _ + - and /,
 * no "..". */
static int check_zone(const char *z, char *errstr, size_t errstr_size)
{
    char path[320];
    struct stat st;
    int ok = strlen(z) < 64 && !strstr(z, "..") && z[0] != '/';
    for (size_t i = 0; ok && z[i]; i++)
        ok = (z[i] >= 'A' && z[i] <= 'Z') || (z[i] >= 'a' && z[i] <= 'z') ||
             (z[i] >= '0' && z[i] <= '9') || strchr("_+-/", z[i]);
    snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", z);
    if (!*z || (ok && stat(path, &st) == 0 && S_ISREG(st.st_mode)))
        return 0;
    snprintf(errstr, errstr_size,
             "console.timezone: \"%.64s\" is not a zone of /usr/share/zoneinfo", z);
    return -1;
}

int con_check_config(const cfg *c, char *errstr, size_t errstr_size)
{
    struct sockaddr_in sa;
    if (http_parse_listen("console.listen", c->console_listen ? c->console_listen : "", &sa, errstr,
                          errstr_size) != 0 ||
        check_token(c, &sa, errstr, errstr_size) != 0 || check_tls(c, errstr, errstr_size) != 0)
        return -1;
    return check_zone(c->console_timezone ? c->console_timezone : "", errstr, errstr_size);
}

static char *read_pem(const char *key, const char *path, char *errstr, size_t errstr_size)
{
    FILE *f = fopen(path, "rb");
    char *buf = f ? malloc(CON_PEM_MAX + 1) : NULL;
    size_t n = buf ? fread(buf, 1, CON_PEM_MAX, f) : 0;
    if (!buf || n == 0) {
        snprintf(errstr, errstr_size, "%s: %s: %s", key, path,
                 !f    ? strerror(errno)
                 : buf ? "empty"
                       : "out of memory");
        free(buf);
        buf = NULL;
    } else {
        buf[n] = '\0';
    }
    if (f)
        fclose(f);
    return buf;
}

/* ---- the store ------------------------------------------------------------------ */

void con_store_init(con_store *s, const cfg *c, const ix_log *lg)
{
    memset(s, 0, sizeof(*s));
    pthread_mutex_init(&s->lock, NULL);
    s->c = c;
    s->lg = lg;
}

void con_store_destroy(con_store *s)
{
    graph_close(s->g);
    s->g = NULL;
    pthread_mutex_destroy(&s->lock);
}

graph *con_store_get(con_store *s)
{
    pthread_mutex_lock(&s->lock);
    int64_t now = tf_mono_ns() / 1000000;
    if (s->g && now - s->opened_ms < CON_STORE_REFRESH_MS)
        return s->g;
    graph_close(s->g);
    s->g = NULL;
    graph_opts o = {.dir = s->c->state_dir,
                    .cache_bytes = 64 << 20,
                    .read_only = 1,
                    .retention_ms = s->c->state_retention_ms,
                    .log = s->lg};
    if (graph_open(&o, &s->g, s->err, sizeof(s->err)) != 0)
        s->g = NULL;
    s->opened_ms = now;
    return s->g;
}

void con_store_put(con_store *s)
{
    pthread_mutex_unlock(&s->lock);
}

/* ---- access ---------------------------------------------------------------------- */

/* Equal strings, in time that depends on their lengths only. */
static int same_secret(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    unsigned char d = na != nb;
    for (size_t i = 0; i < na && i < nb; i++)
        d |= (unsigned char)(a[i] ^ b[i]);
    return d == 0;
}

static int authorised(const con_server *s, struct MHD_Connection *conn)
{
    const char *token = s->c->console_token;
    if (!token || !*token)
        return 1;
    const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    if (h && strncmp(h, "Bearer ", 7) == 0)
        return same_secret(h + 7, token);
    char *pass = NULL;
    char *user = MHD_basic_auth_get_username_password(conn, &pass);
    int ok = user && pass && same_secret(pass, token);
    MHD_free(user);
    MHD_free(pass);
    return ok;
}

/* ---- responses -------------------------------------------------------------------- */

static enum MHD_Result send_buf(struct MHD_Connection *conn, unsigned code, const char *type,
                                char *body, size_t len, int auth)
{
    const char *h[2 * 7 + 1];
    size_t n = 0;
    for (; security_headers[n]; n++)
        h[n] = security_headers[n];
    if (auth) {
        h[n++] = "WWW-Authenticate";
        h[n++] = "Basic realm=\"interdict console\", charset=\"UTF-8\"";
    }
    h[n] = NULL;
    return http_reply(conn, code, type, body, len, h);
}

/* A document written by fn into memory, then sent. */
typedef struct doc {
    char *buf;
    size_t len;
    FILE *out;
} doc;

static int doc_open(doc *d)
{
    d->buf = NULL;
    d->len = 0;
    d->out = open_memstream(&d->buf, &d->len);
    return d->out ? 0 : -1;
}

static enum MHD_Result doc_send(doc *d, struct MHD_Connection *conn, unsigned code,
                                const char *type)
{
    fclose(d->out);
    return send_buf(conn, code, type, d->buf, d->len, 0);
}

#define HTML "text/html; charset=utf-8"
#define JSON "application/json"

static enum MHD_Result message(con_server *s, struct MHD_Connection *conn, unsigned code,
                               const char *title, const char *what, const char *detail)
{
    doc d;
    if (doc_open(&d) != 0)
        return MHD_NO;
    con_page_message(d.out, &s->v, title, what, detail);
    return doc_send(&d, conn, code, HTML);
}

static enum MHD_Result json_error(struct MHD_Connection *conn, unsigned code, const char *why)
{
    doc d;
    if (doc_open(&d) != 0)
        return MHD_NO;
    json_t *j = json_pack("{s:s}", "error", why);
    json_dumpf(j, d.out, 0);
    json_decref(j);
    fputc('\n', d.out);
    return doc_send(&d, conn, code, JSON);
}

/* ---- query parameters --------------------------------------------------------------- */

typedef struct query {
    con_filter f;
    char error[256]; /* the first bad parameter */
    int64_t now_ms;
    int64_t at_ms;
    int64_t limit;
    const char *id; /* /accounts?id= */
} query;

static enum MHD_Result on_param(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
    query *q = cls;
    char err[256];
    (void)kind;
    if (!value || !*value || q->error[0])
        return MHD_YES;
    if (strcmp(key, "at") == 0) {
        if (tf_parse(value, strlen(value), &q->at_ms) != 0)
            snprintf(q->error, sizeof(q->error), "at %.40s: expected an RFC 3339 time", value);
    } else if (strcmp(key, "limit") == 0) {
        char *end;
        q->limit = strtoll(value, &end, 10);
        if (*end || q->limit < 1 || q->limit > CON_API_MAX)
            snprintf(q->error, sizeof(q->error), "limit %.40s: expected 1 to %d", value,
                     CON_API_MAX);
    } else if (strcmp(key, "id") == 0) {
        q->id = value;
    } else if (con_filter_add(&q->f, key, value, q->now_ms, err, sizeof(err)) != 0) {
        snprintf(q->error, sizeof(q->error), "%s", err);
    }
    return MHD_YES;
}

static void read_query(struct MHD_Connection *conn, query *q)
{
    memset(q, 0, sizeof(*q));
    q->now_ms = tf_now_ms();
    q->limit = CON_API_LIMIT;
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, on_param, q);
    if (q->at_ms == 0)
        q->at_ms = q->now_ms;
}

/* ---- routes ------------------------------------------------------------------------ */

static enum MHD_Result page_list(con_server *s, struct MHD_Connection *conn)
{
    query q;
    doc d;
    read_query(conn, &q);
    if (doc_open(&d) != 0)
        return MHD_NO;
    if (q.error[0])
        memset(&q.f, 0, sizeof(q.f)); /* the whole list, and say why */
    con_page_list(d.out, &s->v, &q.f, q.error[0] ? q.error : NULL);
    return doc_send(&d, conn, q.error[0] ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_OK, HTML);
}

static enum MHD_Result page_request(con_server *s, struct MHD_Connection *conn, const char *id)
{
    doc d;
    if (doc_open(&d) != 0)
        return MHD_NO;
    if (con_page_request(d.out, &s->v, id) == 0)
        return doc_send(&d, conn, MHD_HTTP_OK, HTML);
    fclose(d.out);
    free(d.buf);
    return message(s, conn, MHD_HTTP_NOT_FOUND, "No such request",
                   "The console has read no freeze request with this id:", id);
}

/* The account a path names: an id, or a token with masking on. */
static int account_of(const con_server *s, const char *seg, char *buf, size_t size)
{
    if (seg[0] == '~')
        return con_untoken(&s->v.key, seg, buf, size);
    if (strlen(seg) >= size)
        return -1;
    memcpy(buf, seg, strlen(seg) + 1);
    return 0;
}

static enum MHD_Result page_account(con_server *s, struct MHD_Connection *conn, const char *seg)
{
    query q;
    doc d;
    char account[512];
    read_query(conn, &q);
    if (!seg)
        seg = q.id ? q.id : "";
    if (!*seg || account_of(s, seg, account, sizeof(account)) != 0)
        return message(s, conn, MHD_HTTP_NOT_FOUND, "No such account",
                       "This is no account id, or a link of an earlier run of the console:", seg);
    if (q.error[0])
        return message(s, conn, MHD_HTTP_BAD_REQUEST, "Bad parameter", q.error, NULL);
    if (doc_open(&d) != 0)
        return MHD_NO;
    int rc = con_page_account(d.out, &s->v, account, q.at_ms);
    if (rc == 0)
        return doc_send(&d, conn, MHD_HTTP_OK, HTML);
    fclose(d.out);
    free(d.buf);
    graph *g = con_store_get(&s->store);
    char why[600];
    snprintf(why, sizeof(why), "%s", g ? "" : s->store.err);
    con_store_put(&s->store);
    return message(s, conn, MHD_HTTP_NOT_FOUND, "Unknown account",
                   "Neither the state store nor the freeze requests know this account.", why);
}

static enum MHD_Result api_requests(con_server *s, struct MHD_Connection *conn)
{
    query q;
    doc d;
    read_query(conn, &q);
    if (q.error[0])
        return json_error(conn, MHD_HTTP_BAD_REQUEST, q.error);
    if (doc_open(&d) != 0)
        return MHD_NO;
    con_api_requests(d.out, s->list, &q.f, (size_t)q.limit);
    return doc_send(&d, conn, MHD_HTTP_OK, JSON);
}

static enum MHD_Result api_request(con_server *s, struct MHD_Connection *conn, const char *id)
{
    con_list_lock(s->list);
    const con_req *r = con_list_find(s->list, id);
    char *body = r ? malloc(r->len + 1) : NULL;
    size_t len = r ? r->len : 0;
    if (body) {
        memcpy(body, r->json, len);
        body[len++] = '\n';
    }
    con_list_unlock(s->list);
    if (!body)
        return json_error(conn, MHD_HTTP_NOT_FOUND, r ? "out of memory" : "no such request");
    return send_buf(conn, MHD_HTTP_OK, JSON, body, len, 0);
}

static enum MHD_Result api_account(con_server *s, struct MHD_Connection *conn, const char *id)
{
    query q;
    doc d;
    char errstr[512];
    read_query(conn, &q);
    if (q.error[0])
        return json_error(conn, MHD_HTTP_BAD_REQUEST, q.error);
    if (doc_open(&d) != 0)
        return MHD_NO;
    graph *g = con_store_get(&s->store);
    int rc =
        g ? con_api_account(d.out, g, id, s->c->currency, q.at_ms, errstr, sizeof(errstr)) : -2;
    if (!g)
        snprintf(errstr, sizeof(errstr), "%s", s->store.err);
    con_store_put(&s->store);
    if (rc == 0)
        return doc_send(&d, conn, MHD_HTTP_OK, JSON);
    fclose(d.out);
    free(d.buf);
    if (rc == 1)
        return json_error(conn, MHD_HTTP_NOT_FOUND, "the state store knows nothing of it");
    return json_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, errstr);
}

static enum MHD_Result api_status(con_server *s, struct MHD_Connection *conn)
{
    doc d;
    if (doc_open(&d) != 0)
        return MHD_NO;
    con_api_status(d.out, s->list, s->c->topic_interceptions);
    return doc_send(&d, conn, MHD_HTTP_OK, JSON);
}

static enum MHD_Result api_index(con_server *s, struct MHD_Connection *conn)
{
    static const char *const rows[][2] = {
        {"/api/requests?action=&amp;bank=&amp;rule=&amp;account=&amp;since=&amp;from=&amp;to="
         "&amp;limit=",
         "the freeze requests the filters select, newest first, each as it is on the topic "
         "(what <code>interdict tail --json</code> prints), with the counts by action and "
         "reason code"},
        {"/api/requests/ID", "one request, as it is on the topic"},
        {"/api/accounts/ID?at=", "an account, as <code>interdict inspect ID --json</code> "
                                 "prints it (top 10 counterparties, 20 newest transfers)"},
        {"/api/status", "the number of requests read so far (changes when one arrives), kept "
                        "and dropped"},
    };
    doc d;
    if (doc_open(&d) != 0)
        return MHD_NO;
    con_list_stats st;
    con_list_stats_get(s->list, &st);
    con_page_head(d.out, &s->v, "JSON API", st.seq);
    fputs("<h1>JSON API</h1><p class=\"sub\">Read-only; GET only. The same filters as the "
          "list's. docs/console.md has the details.</p><div class=\"card\"><table><thead><tr>"
          "<th>Path</th><th>Returns</th></tr></thead><tbody>",
          d.out);
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        fprintf(d.out, "<tr><td class=\"mono\">%s</td><td>%s</td></tr>", rows[i][0], rows[i][1]);
    fputs("</tbody></table></div>\n", d.out);
    con_page_foot(d.out);
    return doc_send(&d, conn, MHD_HTTP_OK, HTML);
}

static enum MHD_Result asset(struct MHD_Connection *conn, const char *text, const char *type)
{
    char *body = strdup(text);
    return body ? send_buf(conn, MHD_HTTP_OK, type, body, strlen(body), 0) : MHD_NO;
}

/* The rest of url after prefix, or NULL. */
static const char *under(const char *url, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(url, prefix, n) == 0 ? url + n : NULL;
}

static enum MHD_Result route(con_server *s, struct MHD_Connection *conn, const char *url)
{
    const char *rest;
    if (strcmp(url, "/") == 0)
        return page_list(s, conn);
    if (strcmp(url, "/static/console.css") == 0)
        return asset(conn, con_css, "text/css; charset=utf-8");
    if (strcmp(url, "/static/console.js") == 0)
        return asset(conn, con_js, "text/javascript; charset=utf-8");
    if ((rest = under(url, "/requests/")) && *rest)
        return page_request(s, conn, rest);
    if (strcmp(url, "/accounts") == 0)
        return page_account(s, conn, NULL);
    if ((rest = under(url, "/accounts/")) && *rest)
        return page_account(s, conn, rest);
    if (strcmp(url, "/api") == 0 || strcmp(url, "/api/") == 0)
        return api_index(s, conn);
    if (strcmp(url, "/api/status") == 0)
        return api_status(s, conn);
    if (strcmp(url, "/api/requests") == 0)
        return api_requests(s, conn);
    if ((rest = under(url, "/api/requests/")) && *rest)
        return api_request(s, conn, rest);
    if ((rest = under(url, "/api/accounts/")) && *rest)
        return api_account(s, conn, rest);
    if (under(url, "/api/"))
        return json_error(conn, MHD_HTTP_NOT_FOUND, "no such endpoint (see /api)");
    return message(s, conn, MHD_HTTP_NOT_FOUND, "Not found", "The console has no such page:", url);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    con_server *s = cls;
    (void)version;
    (void)upload;
    (void)upload_size;
    (void)con_cls;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return send_buf(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
                        strdup("the console is read-only: GET only\n"), 35, 0);
    if (!authorised(s, conn))
        return send_buf(conn, MHD_HTTP_UNAUTHORIZED, "text/plain; charset=utf-8",
                        strdup("the console needs its access token\n"), 35, 1);
    return route(s, conn, url);
}

/* ---- start and stop ------------------------------------------------------------------ */

static int start_httpd(con_server *s, char *errstr, size_t errstr_size)
{
    struct sockaddr_in sa;
    const cfg *c = s->c;
    int tls = c->console_tls_cert && *c->console_tls_cert;
    if (http_parse_listen("console.listen", c->console_listen, &sa, errstr, errstr_size) != 0)
        return -1;
    if (tls &&
        (!(s->tls_cert = read_pem("console.tls.cert", c->console_tls_cert, errstr, errstr_size)) ||
         !(s->tls_key = read_pem("console.tls.key", c->console_tls_key, errstr, errstr_size))))
        return -1;
    /* Without TLS the option list ends before the certificate options. */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | (tls ? MHD_USE_TLS : 0);
    s->httpd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
                                (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE,
                                (unsigned int)CON_POOL, MHD_OPTION_CONNECTION_LIMIT,
                                (unsigned int)CON_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
                                (unsigned int)30, tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END,
                                s->tls_cert, MHD_OPTION_HTTPS_MEM_KEY, s->tls_key, MHD_OPTION_END);
    if (!s->httpd) {
        snprintf(errstr, errstr_size,
                 "console.listen: cannot serve on %s (address in use, or the TLS files are not "
                 "a PEM certificate and its key)",
                 c->console_listen);
        return -1;
    }
    return 0;
}

static int on_message(void *arg, const rd_kafka_message_t *m, char *why, size_t why_size)
{
    con_server *s = arg;
    return con_list_add(s->list, m->payload, m->len, m->partition, m->offset, why, why_size);
}

static void announce(const con_server *s)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->httpd, MHD_DAEMON_INFO_BIND_PORT);
    const char *listen = s->c->console_listen;
    const char *colon = strrchr(listen, ':');
    if (s->lg->level < CFG_LOG_INFO)
        return;
    fprintf(s->lg->out,
            "interdict console: serving %s://%.*s:%u/ (read-only%s), requests from %s, state "
            "store %s read-only\n",
            s->tls_cert ? "https" : "http", (int)(colon - listen), listen,
            info ? (unsigned)info->port : 0u,
            s->c->console_token && *s->c->console_token ? ", token required" : "",
            s->c->topic_interceptions, s->c->state_dir);
    fflush(s->lg->out);
}

int con_run(const cfg *c, const ix_log *lg, volatile sig_atomic_t *run, char *errstr,
            size_t errstr_size)
{
    con_server s;
    tail_stats ts;
    tail_opts o = {.from_beginning = 1};
    int rc = -1;
    memset(&s, 0, sizeof(s));
    if (con_check_config(c, errstr, errstr_size) != 0)
        return -2;
    s.c = c;
    s.lg = lg;
    con_store_init(&s.store, c, lg);
    s.list = con_list_new((size_t)c->console_max_requests);
    s.v = (con_view){.c = c,
                     .mask = (con_mask_mode)c->console_mask,
                     .zone = c->console_timezone ? c->console_timezone : "",
                     .list = s.list,
                     .store = &s.store};
    if (!s.list) {
        snprintf(errstr, errstr_size, "out of memory");
        goto out;
    }
    if (con_key_new(&s.v.key, errstr, errstr_size) != 0 ||
        start_httpd(&s, errstr, errstr_size) != 0)
        goto out;
    announce(&s);
    rc = tail_follow(c, &o, lg, run, "console", on_message, &s, &ts, errstr, errstr_size);
out:
    if (s.httpd)
        MHD_stop_daemon(s.httpd);
    con_list_free(s.list);
    con_store_destroy(&s.store);
    free(s.tls_cert);
    free(s.tls_key);
    return rc;
}
