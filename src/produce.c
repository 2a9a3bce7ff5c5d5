/* produce.c - `interdict produce`: the command around the records of
 * produce_input.c: opening the input, pacing, the producer (feed.h, which
 * counts every delivery), progress and the summary.
 *
 * Pacing schedules each record on the monotonic clock from the first one:
 * --rate N sends record i at i/N s, --speedup X at (its event time - the
 * first record's) / X. A record already due is sent at once, so event times
 * going backwards, or a broker slower than the pace, never pile up waits.
 */
#include "produce.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "encode.h"
#include "feed.h"
#include "reason.h"
#include "timefmt.h"

#define PRD_FLUSH_TIMEOUT_MS 60000
#define PRD_PARTITIONS_SHOWN 64                   /* partitions listed in the summary */
#define PRD_JSON_MAX         (ENC_RECORD_MAX * 4) /* a CSV row as JSON, before the decoder */
#define PRD_SLEEP_SLICE_NS   100000000LL          /* how often a wait looks at the stop flag */

/* Everything one run holds. */
typedef struct prd_ctx {
    const cfg *c;
    const prd_opts *o;
    const char *name;  /* the input's name in messages */
    const char *topic; /* the real topic */
    volatile sig_atomic_t *run;
    FILE *out, *err;
    FILE *in;
    prd_reader *rd;
    feed *f;
    scr_ctx scr;
    scr_transfers *tx;
    char *json; /* a CSV row as JSON, PRD_JSON_MAX bytes */
    prd_columns cols;
    prd_stats *st;
    int64_t start_ns, first_event_ms;
    int64_t next_progress_ns, last_progress_ns, last_progress_sent;
    int tty;
} prd_ctx;

/* ---- pacing */

int64_t prd_due_ns(const prd_opts *o, int64_t start_ns, int64_t sent, int64_t first_event_ms,
                   int64_t event_ms)
{
    if (o->rate > 0)
        return start_ns + (int64_t)((double)sent * 1e9 / o->rate);
    if (o->speedup > 0)
        return start_ns + (int64_t)((double)(event_ms - first_event_ms) * 1e6 / o->speedup);
    return 0;
}

/* Sleep until due (monotonic ns), in slices so that a stop is seen. */
static void wait_until(const prd_ctx *x, int64_t due)
{
    for (int64_t now = tf_mono_ns(); now < due && *x->run; now = tf_mono_ns()) {
        int64_t ns = due - now < PRD_SLEEP_SLICE_NS ? due - now : PRD_SLEEP_SLICE_NS;
        struct timespec ts = {.tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL};
        nanosleep(&ts, NULL);
    }
}

static void progress(prd_ctx *x)
{
    int64_t now = tf_mono_ns();
    if (!x->tty || x->c->progress_interval_ms <= 0 || now < x->next_progress_ns)
        return;
    double secs = (double)(now - x->last_progress_ns) / 1e9;
    double rate = secs > 0 ? (double)(x->st->sent - x->last_progress_sent) / secs : 0;
    fprintf(x->err,
            "interdict produce: %s: %" PRId64 " read, %" PRId64 " sent (%.0f/s), %" PRId64 " bad\n",
            x->name, x->st->read, x->st->sent, rate, x->st->bad);
    x->last_progress_ns = now;
    x->last_progress_sent = x->st->sent;
    x->next_progress_ns = now + x->c->progress_interval_ms * 1000000;
}

/* ---- one record */

/* The bytes to send: a JSON line as it is, a CSV row in the encoder's form
 * of what the decoder read from it. */
static int value_of(const prd_ctx *x, const char *text, size_t len, const prd_record *rec,
                    char *buf, size_t size, const char **value, size_t *vlen)
{
    if (x->cols.n == 0) {
        *value = text;
        *vlen = len;
        return 0;
    }
    int n = prd_encode(x->o->topic, rec, buf, size);
    if (n < 0)
        return -1;
    *value = buf;
    *vlen = (size_t)n;
    return 0;
}

static int refused(prd_ctx *x, int64_t line, const scr_result *res)
{
    x->st->bad++;
    fprintf(x->err, "%s:%" PRId64 ": %s: %s\n", x->name, line, rsn_code(res->reason), res->detail);
    return x->o->skip_bad ? 0 : -2;
}

/* Returns 0, -2 for a bad record that stops the run, -1 with errstr. */
static int one_record(prd_ctx *x, char *text, size_t len, int64_t line, char *errstr,
                      size_t errstr_size)
{
    char *json = x->json;
    char enc[ENC_RECORD_MAX];
    prd_record rec;
    scr_result res;
    const char *value;
    size_t vlen;
    x->st->read++;
    if (x->cols.n) {
        csv_row row;
        if (csv_split(text, len, &row, res.detail, sizeof(res.detail)) != 0) {
            res.reason = RSN_MALFORMED;
            return refused(x, line, &res);
        }
        if ((len = prd_csv_json(&x->cols, &row, json, PRD_JSON_MAX, &res)) == 0)
            return refused(x, line, &res);
        text = json;
    }
    if (!prd_check(&x->scr, x->o->topic, text, len, tf_now_ms(), x->tx, &rec, &res))
        return refused(x, line, &res);
    if (value_of(x, text, len, &rec, enc, sizeof(enc), &value, &vlen) != 0) {
        snprintf(errstr, errstr_size, "%s:%" PRId64 ": the record could not be encoded", x->name,
                 line);
        return -1;
    }
    if (x->st->sent == 0) {
        x->start_ns = tf_mono_ns();
        x->first_event_ms = rec.event_ms;
    }
    if (!x->o->dry_run) {
        wait_until(x, prd_due_ns(x->o, x->start_ns, x->st->sent, x->first_event_ms, rec.event_ms));
        if (!*x->run)
            return 0;
        if (feed_send(x->f, x->topic, rec.key, value, vlen, errstr, errstr_size) != 0)
            return -1;
    }
    x->st->sent++;
    progress(x);
    return 0;
}

/* ---- the run */

static int open_input(prd_ctx *x, char *errstr, size_t errstr_size)
{
    const prd_opts *o = x->o;
    int fmt = o->format >= 0 ? o->format : (int)prd_format_of(o->path);
    x->name = strcmp(o->path, "-") == 0 ? "stdin" : o->path;
    x->in = strcmp(o->path, "-") == 0 ? stdin : fopen(o->path, "r");
    if (!x->in) {
        snprintf(errstr, errstr_size, "%s: %s", o->path, strerror(errno));
        return -2;
    }
    x->rd = prd_reader_new(x->in, (prd_format)fmt);
    x->tx = malloc(sizeof(*x->tx));
    x->json = malloc(PRD_JSON_MAX);
    if (!x->rd || !x->tx || !x->json) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    if (fmt != PRD_CSV)
        return 0;
    return 1; /* a header to read */
}

/* The first record of a CSV file names its columns. */
static int read_header(prd_ctx *x, char *errstr, size_t errstr_size)
{
    char *text, why[512];
    size_t len;
    int64_t line = 0;
    csv_row row;
    int rc = prd_reader_next(x->rd, &text, &len, &line, why, sizeof(why));
    if (rc <= 0) {
        snprintf(errstr, errstr_size, "%s: %s", x->name, rc < 0 ? why : "no header row");
        return rc < 0 ? -1 : -2;
    }
    if (csv_split(text, len, &row, why, sizeof(why)) != 0 ||
        prd_csv_header(x->o->topic, &row, &x->cols, why, sizeof(why)) != 0) {
        snprintf(errstr, errstr_size, "%s:%" PRId64 ": header: %s", x->name, line, why);
        return -2;
    }
    return 0;
}

static const char *topic_name(const cfg *c, prd_topic t)
{
    switch (t) {
    case PRD_REPORTS:
        return c->topic_reports;
    case PRD_ACCOUNTS:
        return c->topic_accounts;
    case PRD_WATCHLIST:
        return c->topic_watchlist;
    case PRD_ALLOWLIST:
        return c->topic_allowlist;
    case PRD_VERDICTS:
        return c->topic_verdicts;
    default:
        return c->topic_transfers;
    }
}

static int setup(prd_ctx *x, char *errstr, size_t errstr_size)
{
    if (x->o->topic == PRD_TRANSFERS && x->c->transfers_format != IX_FORMAT_JSON) {
        snprintf(errstr, errstr_size,
                 "topic.transfers.format is %s: produce writes JSON transfers only",
                 ix_format_names[x->c->transfers_format]);
        return -2;
    }
    scr_init(&x->scr, x->c, NULL, NULL, NULL, NULL);
    x->topic = topic_name(x->c, x->o->topic);
    x->tty = isatty(fileno(x->err));
    x->last_progress_ns = tf_mono_ns();
    x->next_progress_ns = x->last_progress_ns + x->c->progress_interval_ms * 1000000;
    int rc = open_input(x, errstr, errstr_size);
    if (rc == 1)
        rc = read_header(x, errstr, errstr_size);
    if (rc == 0 && !x->o->dry_run && !(x->f = feed_new(x->c, errstr, errstr_size)))
        rc = -1;
    return rc;
}

/* Every record of the input; stops at the first bad one unless skipping. */
static int records(prd_ctx *x, char *errstr, size_t errstr_size)
{
    char *text;
    size_t len;
    int64_t line;
    int rc;
    while (*x->run && (rc = prd_reader_next(x->rd, &text, &len, &line, errstr, errstr_size)) > 0)
        if ((rc = one_record(x, text, len, line, errstr, errstr_size)) != 0)
            return rc;
    if (!*x->run) {
        snprintf(errstr, errstr_size, "%s: interrupted after %" PRId64 " records", x->name,
                 x->st->read);
        return -1;
    }
    if (rc < 0) {
        char why[512];
        snprintf(why, sizeof(why), "%s", errstr);
        snprintf(errstr, errstr_size, "%s: %s", x->name, why);
    }
    return rc;
}

static void summary(prd_ctx *x)
{
    const prd_stats *st = x->st;
    if (x->o->dry_run) {
        fprintf(x->out,
                "%s: %" PRId64 " read, %" PRId64 " valid, %" PRId64
                " bad; dry run, nothing sent to %s\n",
                x->name, st->read, st->sent, st->bad, x->topic);
        return;
    }
    uint64_t parts[PRD_PARTITIONS_SHOWN];
    int n = x->f ? feed_partition_counts(x->f, x->topic, parts, PRD_PARTITIONS_SHOWN) : 0;
    fprintf(x->out,
            "%s: %" PRId64 " read, %" PRId64 " sent, %" PRId64 " delivered, %" PRId64
            " failed, %" PRId64 " bad; topic %s",
            x->name, st->read, st->sent, st->delivered, st->failed, st->bad, x->topic);
    for (int p = 0; p < n; p++)
        fprintf(x->out, "%s%d:%" PRIu64, p ? " " : ", by partition ", p, parts[p]);
    fprintf(x->out, "\n");
}

/* Wait for every delivery report; a failure wins over an earlier rc. */
static int flush(prd_ctx *x, int rc, char *errstr, size_t errstr_size)
{
    char why[512];
    feed_stats fs;
    if (!x->f)
        return rc;
    int frc = feed_flush(x->f, PRD_FLUSH_TIMEOUT_MS, why, sizeof(why));
    feed_get_stats(x->f, &fs);
    x->st->delivered = (int64_t)fs.delivered;
    x->st->failed = (int64_t)fs.failed;
    if (frc != 0 && rc != -1) {
        snprintf(errstr, errstr_size, "%s", why);
        return -1;
    }
    return rc;
}

int prd_run(const cfg *c, const prd_opts *o, volatile sig_atomic_t *run, FILE *out, FILE *err,
            prd_stats *st, char *errstr, size_t errstr_size)
{
    prd_ctx x = {.c = c, .o = o, .run = run, .out = out, .err = err, .st = st};
    memset(st, 0, sizeof(*st));
    int rc = setup(&x, errstr, errstr_size);
    if (rc == 0)
        rc = records(&x, errstr, errstr_size);
    if (rc == -2 && x.st->bad)
        snprintf(errstr, errstr_size,
                 "%s: stopped at the first bad record, nothing after it "
                 "sent (--skip-bad goes on)",
                 x.name);
    if (x.rd)
        rc = flush(&x, rc, errstr, errstr_size);
    if (x.rd)
        summary(&x);
    if (rc == 0 && st->bad)
        rc = 1;
    feed_destroy(x.f);
    prd_reader_destroy(x.rd);
    if (x.in && x.in != stdin)
        fclose(x.in);
    free(x.tx);
    free(x.json);
    return rc;
}
