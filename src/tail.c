/* tail.c - `interdict tail`: freeze requests off the interceptions topic, for a fraud desk.
 *
 * A plain assigned consumer rather than a group member: a desk may run any
 * number of tails beside its real consumers, and none of them may take
 * partitions or commit offsets away from anyone. The cost is that partitions
 * added while it runs are not followed until it is restarted.
 */
#include "tail.h"

#include <ctype.h>
#include <inttypes.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <librdkafka/rdkafka.h>

#include "kafka.h"
#include "render.h"
#include "timefmt.h"

#define POLL_MS 100 /* longest wait for a message; bounds the reaction to a signal */

int tail_add_action(tail_opts *o, const char *value, char *errstr, size_t errstr_size)
{
    char up[16];
    size_t n = strlen(value);
    int a = -1;
    if (n < sizeof(up)) {
        for (size_t i = 0; i <= n; i++)
            up[i] = (char)toupper((unsigned char)value[i]);
        a = ix_action_parse(up);
    }
    if (a < IX_ACTION_REVIEW || a > IX_ACTION_FREEZE) {
        snprintf(errstr, errstr_size, "--action %.40s: expected FREEZE, HOLD or REVIEW", value);
        return -1;
    }
    o->actions |= 1u << a;
    return 0;
}

int tail_add_bank(tail_opts *o, const char *value, char *errstr, size_t errstr_size)
{
    size_t n = strlen(value);
    int ok = n == 8 || n == 11;
    for (size_t i = 0; ok && i < n; i++)
        ok = isalnum((unsigned char)value[i]) != 0;
    if (!ok) {
        snprintf(errstr, errstr_size, "--bank %.40s: expected a BIC of 8 or 11 letters and digits",
                 value);
        return -1;
    }
    if (o->nbanks >= TAIL_FILTER_MAX) {
        snprintf(errstr, errstr_size, "--bank: at most %d banks", TAIL_FILTER_MAX);
        return -1;
    }
    for (size_t i = 0; i <= n; i++)
        o->banks[o->nbanks][i] = (char)toupper((unsigned char)value[i]);
    o->nbanks++;
    return 0;
}

int tail_add_rule(tail_opts *o, const char *value, char *errstr, size_t errstr_size)
{
    size_t n = strlen(value);
    int ok = n >= 1 && n <= TAIL_RULE_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = isalnum((unsigned char)value[i]) || value[i] == '_';
    if (!ok) {
        snprintf(errstr, errstr_size,
                 "--rule %.40s: expected a rule name or reason code (letters, digits, _)", value);
        return -1;
    }
    if (o->nrules >= TAIL_FILTER_MAX) {
        snprintf(errstr, errstr_size, "--rule: at most %d rules", TAIL_FILTER_MAX);
        return -1;
    }
    memcpy(o->rules[o->nrules++], value, n + 1);
    return 0;
}

/* An 8-letter BIC is the bank with every branch; an 11-letter one a branch,
 * whose "XXX" form is the 8-letter one. */
static int bank_matches(const char *filter, const char *bank)
{
    size_t fl = strlen(filter), bl = strlen(bank);
    if (fl == 8)
        return (bl == 8 || bl == 11) && strncasecmp(filter, bank, 8) == 0;
    if (strcasecmp(filter, bank) == 0)
        return 1;
    return bl == 8 && strcasecmp(filter + 8, "XXX") == 0 && strncasecmp(filter, bank, 8) == 0;
}

int tail_match_action(const tail_opts *o, int action)
{
    return o->actions == 0 || (action > 0 && (o->actions & (1u << action)));
}

int tail_match_bank(const tail_opts *o, const char *bank)
{
    for (int i = 0; i < o->nbanks; i++)
        if (bank_matches(o->banks[i], bank))
            return 1;
    return o->nbanks == 0;
}

int tail_match_rule(const tail_opts *o, const char *rule, const char *code)
{
    for (int i = 0; i < o->nrules; i++)
        if (strcasecmp(o->rules[i], rule) == 0 || strcasecmp(o->rules[i], code) == 0)
            return 1;
    return 0;
}

/* Whether one of the findings carries one of the rules, by name or code. */
static int any_rule(const tail_opts *o, json_t *findings)
{
    for (size_t f = 0; f < json_array_size(findings); f++) {
        json_t *fi = json_array_get(findings, f);
        if (tail_match_rule(o, json_string_value(json_object_get(fi, "rule")),
                            json_string_value(json_object_get(fi, "code"))))
            return 1;
    }
    return o->nrules == 0;
}

int tail_match(const tail_opts *o, const void *json, size_t len, char *errstr, size_t errstr_size)
{
    /* The renderer's check first, so that --json and the readable form
     * accept exactly the same messages. */
    if (render_check(json, len, errstr, errstr_size) != 0)
        return -1;
    json_t *r = json_loadb(json, len, 0, NULL);
    if (!r) {
        snprintf(errstr, errstr_size, "not JSON");
        return -1;
    }
    int action = ix_action_parse(json_string_value(json_object_get(r, "action")));
    int match = tail_match_action(o, action) &&
                tail_match_bank(o, json_string_value(json_object_get(r, "bank"))) &&
                any_rule(o, json_object_get(r, "findings"));
    json_decref(r);
    return match;
}

/* ---- the consumer ------------------------------------------------------- */

typedef struct tail_ctx {
    const cfg *c;
    const tail_opts *o;
    const ix_log *lg;
    FILE *out, *err;
    tail_stats *st;
    rd_kafka_t *rk;
    const char *name;   /* the command, in report lines: "tail", "console" */
    tail_request_fn fn; /* where requests go; NULL: printed to out */
    void *fn_arg;
} tail_ctx;

static rd_kafka_t *new_consumer(const tail_ctx *t, char *errstr, size_t errstr_size)
{
    /* A group id only because librdkafka's consumer API wants one: partitions
     * are assigned, not subscribed, and nothing is ever committed, so the
     * group never forms on the brokers. */
    kafka_consumer_opts o = {.group_id = "interdict-tail",
                             .offset_reset = t->o->from_beginning ? "earliest" : "latest"};
    return kafka_consumer_new(t->c, &o, errstr, errstr_size);
}

/* Assign every partition of the topic at its start or its end (for a
 * read_committed consumer the end is the last stable offset, so requests of
 * a transaction still open when the tail starts are shown once committed).
 * Returns the partition count, or -1. */
static int assign_all(const tail_ctx *t, volatile sig_atomic_t *run, char *errstr,
                      size_t errstr_size)
{
    /* Asked in slices of a second, so that SIGTERM is honoured within one
     * while the brokers do not answer (kafka.timeout is 30 s by default). */
    int64_t left = t->c->kafka_timeout_ms;
    for (;;) {
        int slice = left < 1000 ? (int)left : 1000;
        int n = kafka_assign_topic(t->rk, t->c->topic_interceptions,
                                   t->o->from_beginning ? RD_KAFKA_OFFSET_BEGINNING
                                                        : RD_KAFKA_OFFSET_END,
                                   slice, errstr, errstr_size);
        left -= slice;
        if (n >= 0 || left <= 0)
            return n;
        if (!*run) {
            snprintf(errstr, errstr_size, "stopped while waiting for the brokers (%s)",
                     t->c->brokers);
            return -1;
        }
    }
}

/* The message key for a report line: printable ASCII, at most 40 bytes. */
static const char *key_text(const rd_kafka_message_t *m, char *buf, size_t size)
{
    size_t n = 0;
    const unsigned char *k = m->key;
    for (size_t i = 0; k && i < m->key_len && n + 1 < size && i < 40; i++)
        buf[n++] = k[i] >= 0x20 && k[i] < 0x7f ? (char)k[i] : '?';
    buf[n] = '\0';
    return buf;
}

static void report_unreadable(const tail_ctx *t, const rd_kafka_message_t *m, const char *why)
{
    char key[48];
    key_text(m, key, sizeof(key));
    fprintf(t->err, "interdict %s: skipped %s [%" PRId32 "] @%" PRId64 "%s%s%s: %s\n", t->name,
            rd_kafka_topic_name(m->rkt), m->partition, m->offset, key[0] ? " (key " : "", key,
            key[0] ? ")" : "", why);
}

/* The request as one line of JSON: its own bytes unless they span lines. */
static int print_json(const tail_ctx *t, const rd_kafka_message_t *m)
{
    if (!memchr(m->payload, '\n', m->len) && !memchr(m->payload, '\r', m->len)) {
        fwrite(m->payload, 1, m->len, t->out);
    } else {
        json_t *r = json_loadb(m->payload, m->len, 0, NULL);
        int rc = r ? json_dumpf(r, t->out, JSON_COMPACT) : -1;
        json_decref(r);
        if (rc != 0)
            return -1;
    }
    fputc('\n', t->out);
    return 0;
}

/* Print a request that passed the filters, or hand it to t->fn. Returns 0,
 * or -1 with why filled. */
static int show(const tail_ctx *t, const rd_kafka_message_t *m, char *why, size_t why_size)
{
    if (t->fn)
        return t->fn(t->fn_arg, m, why, why_size);
    if (t->o->json) {
        if (print_json(t, m) == 0)
            return 0;
        snprintf(why, why_size, "could not be written as one line of JSON");
        return -1;
    }
    if (render_request(m->payload, m->len, t->out, why, why_size) != 0)
        return -1;
    fputc('\n', t->out);
    return 0;
}

static void on_message(const tail_ctx *t, const rd_kafka_message_t *m)
{
    char why[512] = "";
    t->st->read++;
    int match = tail_match(t->o, m->payload, m->len, why, sizeof(why));
    if (match == 0) {
        t->st->filtered++;
        return;
    }
    if (match > 0 && show(t, m, why, sizeof(why)) == 0) {
        t->st->shown++;
        /* One request at a time, also into a pipe: a desk watches it live. */
        if (t->out)
            fflush(t->out);
        return;
    }
    t->st->unreadable++;
    report_unreadable(t, m, why);
}

/* A consumer error: the topic gone or a fatal client error end the tail,
 * anything else (a broker down, a timeout) is reported and waited out. */
static int on_error(const tail_ctx *t, const rd_kafka_message_t *m, char *errstr,
                    size_t errstr_size)
{
    switch (m->err) {
    case RD_KAFKA_RESP_ERR__PARTITION_EOF:
        return 0;
    case RD_KAFKA_RESP_ERR__FATAL:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
        snprintf(errstr, errstr_size, "reading %s: %s", t->c->topic_interceptions,
                 rd_kafka_message_errstr(m));
        return -1;
    default:
        LOG_WARN(t->lg, "tail", "reading %s: %s", t->c->topic_interceptions,
                 rd_kafka_message_errstr(m));
        return 0;
    }
}

static int follow(const tail_ctx *t, volatile sig_atomic_t *run, char *errstr, size_t errstr_size)
{
    int64_t last_ns = tf_mono_ns();
    while (*run) {
        if (t->o->count > 0 && t->st->shown >= t->o->count)
            return 0;
        if (t->o->until_idle_ms > 0 && (tf_mono_ns() - last_ns) / 1000000 >= t->o->until_idle_ms)
            return 0;
        rd_kafka_message_t *m = rd_kafka_consumer_poll(t->rk, POLL_MS);
        if (!m)
            continue;
        int rc = 0;
        if (m->err) {
            rc = on_error(t, m, errstr, errstr_size);
        } else {
            last_ns = tf_mono_ns();
            on_message(t, m);
        }
        rd_kafka_message_destroy(m);
        if (rc != 0)
            return -1;
    }
    return 0;
}

static int consume(tail_ctx t, volatile sig_atomic_t *run, char *errstr, size_t errstr_size)
{
    const cfg *c = t.c;
    const tail_opts *o = t.o;
    const ix_log *lg = t.lg;
    FILE *err = t.err;
    tail_stats *st = t.st;
    int rc = -1;
    memset(st, 0, sizeof(*st));
    t.rk = new_consumer(&t, errstr, errstr_size);
    if (!t.rk)
        return -1;
    int nparts = assign_all(&t, run, errstr, errstr_size);
    if (nparts < 0)
        goto out;
    if (lg->level >= CFG_LOG_INFO)
        fprintf(err,
                "interdict %s: topic %s on %s, %d partitions, from the %s, committed "
                "requests only\n",
                t.name, c->topic_interceptions, c->brokers, nparts,
                o->from_beginning ? "beginning" : "end");
    rc = follow(&t, run, errstr, errstr_size);
    if (rc == 0 && lg->level >= CFG_LOG_INFO)
        fprintf(err,
                "interdict %s: %" PRId64 " read, %" PRId64 " shown, %" PRId64
                " filtered out, %" PRId64 " unreadable\n",
                t.name, st->read, st->shown, st->filtered, st->unreadable);
out:
    rd_kafka_consumer_close(t.rk);
    rd_kafka_destroy(t.rk);
    return rc;
}

int tail_run(const cfg *c, const tail_opts *o, const ix_log *lg, volatile sig_atomic_t *run,
             FILE *out, FILE *err, tail_stats *st, char *errstr, size_t errstr_size)
{
    tail_ctx t = {.c = c, .o = o, .lg = lg, .out = out, .err = err, .st = st, .name = "tail"};
    return consume(t, run, errstr, errstr_size);
}

int tail_follow(const cfg *c, const tail_opts *o, const ix_log *lg, volatile sig_atomic_t *run,
                const char *name, tail_request_fn fn, void *arg, tail_stats *st, char *errstr,
                size_t errstr_size)
{
    tail_ctx t = {
        .c = c, .o = o, .lg = lg, .err = lg->out, .st = st, .name = name, .fn = fn, .fn_arg = arg};
    return consume(t, run, errstr, errstr_size);
}
