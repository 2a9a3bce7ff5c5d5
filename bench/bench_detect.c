/* bench_detect.c - detection quality of a screening run: the freeze requests
 * on an interceptions topic compared with the load generator's ground truth
 * (truth.jsonl, docs/generator.md).
 *
 * The measures are those of tests/unit/test_quality.c and the demo:
 *  - recall of a pattern: the share of its planted instances (near misses
 *    excluded) in which at least one account the truth marks for flagging
 *    received a freeze request;
 *  - precision of a reason code: the share of the requests citing it that
 *    went to an account taking part in a planted instance (any role); a
 *    pattern's precision is that of the codes its rule raises;
 *  - overall precision: the share of all requests on such accounts.
 * Requests are read with read_committed, as a fraud desk reads them; a
 * request id seen twice is counted as a duplicate.
 *
 * Writes the table (Markdown) to --table and prints a summary on stdout, one
 * "key value" a line.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <librdkafka/rdkafka.h>

#include "bench_common.h"
#include "scenario.h"

#define READ_MS   300000 /* reading the interceptions topic */
#define MAX_CODES 64     /* distinct reason codes tallied */

/* The reason codes each pattern's rule raises (docs/rules.md). chain and
 * chain_slow share the chain rule. */
static const char *const pattern_codes[SCN_PATTERN__COUNT] = {
    [SCN_PASSTHROUGH] = "PT01",
    [SCN_FAN_IN] = "FI01",
    [SCN_FAN_OUT] = "FO01",
    [SCN_SCATTER_GATHER] = "SG01 SG02",
    [SCN_GATHER_SCATTER] = "GS01",
    [SCN_CYCLE] = "CY01",
    [SCN_CHAIN] = "CH01 CH02",
    [SCN_CHAIN_SLOW] = "CH01 CH02",
    [SCN_BIPARTITE] = "BP01",
    [SCN_STACK] = "BP02",
    [SCN_STRUCTURING] = "ST01 ST02",
    [SCN_NEW_ACCOUNT_BURST] = "NB01",
    [SCN_DORMANT_BURST] = "DB01",
    [SCN_WATCHLIST] = "WL01 WL02",
    [SCN_VICTIM_REPORT] = "VR01 VR02",
};

typedef struct tally {
    char code[8];
    int64_t requests, right;
} tally;

typedef struct detect {
    const char *brokers, *topic, *truth_path, *table_path;
    json_t *planted;   /* account -> true: member of a planted instance */
    json_t *instances; /* [pattern, [accounts to flag]] of planted instances */
    json_t *requested; /* account -> true: received a request */
    json_t *ids;       /* request id -> true */
    tally codes[MAX_CODES];
    int ncodes;
    int64_t requests, right, duplicates, unreadable;
} detect;

static void usage(FILE *out)
{
    fprintf(out, "usage: bench_detect --brokers HOST:PORT --interceptions TOPIC --truth FILE\n"
                 "                    --table FILE\n"
                 "\n"
                 "Reads every freeze request on TOPIC (read_committed) and the generator's\n"
                 "truth.jsonl, writes per-pattern recall and precision as a Markdown table to\n"
                 "--table, and prints planted, caught, recall, requests, right, precision,\n"
                 "duplicates, worst_recall, worst_recall_pattern, worst_precision and\n"
                 "worst_precision_code, one \"key value\" a line.\n");
}

/* Returns 0, 1 after --help, -1 on a usage error. */
static int parse(int argc, char **argv, detect *d)
{
    const bc_opt table[] = {{"brokers", BC_STR, &d->brokers, 1, NULL},
                            {"interceptions", BC_STR, &d->topic, 1, NULL},
                            {"truth", BC_STR, &d->truth_path, 1, NULL},
                            {"table", BC_STR, &d->table_path, 1, NULL},
                            {0}};
    return bc_parse(argc, argv, table, usage);
}

/* ---- the truth */

static int add_instance(detect *d, json_t *line, const char *path, long lineno)
{
    const char *pattern = json_string_value(json_object_get(line, "pattern"));
    json_t *accounts = json_object_get(line, "accounts");
    int p = pattern ? scn_pattern_parse(pattern) : -1;
    if (p < 0 || !json_is_array(accounts)) {
        fprintf(stderr, "bench_detect: %s:%ld: not a truth line\n", path, lineno);
        return -1;
    }
    if (json_is_true(json_object_get(line, "near_miss")))
        return 0;
    json_t *flag = json_array();
    size_t i;
    json_t *a;
    json_array_foreach(accounts, i, a)
    {
        const char *acct = json_string_value(json_object_get(a, "account"));
        if (!acct)
            continue;
        json_object_set_new(d->planted, acct, json_true());
        if (json_is_true(json_object_get(a, "flag")))
            json_array_append_new(flag, json_string(acct));
    }
    json_array_append_new(d->instances, json_pack("[io]", p, flag));
    return 0;
}

static int read_truth(detect *d)
{
    FILE *f = fopen(d->truth_path, "r");
    if (!f) {
        perror(d->truth_path);
        return -1;
    }
    char *buf = NULL;
    size_t cap = 0;
    long lineno = 0;
    int rc = 0;
    while (rc == 0 && getline(&buf, &cap, f) > 0) {
        json_error_t err;
        lineno++;
        json_t *line = json_loads(buf, 0, &err);
        if (!line) {
            fprintf(stderr, "bench_detect: %s:%ld: %s\n", d->truth_path, lineno, err.text);
            rc = -1;
            break;
        }
        rc = add_instance(d, line, d->truth_path, lineno);
        json_decref(line);
    }
    free(buf);
    fclose(f);
    return rc;
}

/* ---- the requests */

static tally *tally_of(detect *d, const char *code)
{
    for (int i = 0; i < d->ncodes; i++)
        if (strcmp(d->codes[i].code, code) == 0)
            return &d->codes[i];
    if (d->ncodes == MAX_CODES)
        return NULL;
    tally *t = &d->codes[d->ncodes++];
    snprintf(t->code, sizeof(t->code), "%s", code);
    return t;
}

static int on_request(const rd_kafka_message_t *m, void *arg)
{
    detect *d = arg;
    json_error_t err;
    json_t *rq = json_loadb(m->payload, m->len, 0, &err);
    const char *acct = json_string_value(json_object_get(rq, "account"));
    const char *id = json_string_value(json_object_get(rq, "request_id"));
    json_t *findings = json_object_get(rq, "findings");
    if (!acct || !id || !json_is_array(findings)) {
        d->unreadable++;
        json_decref(rq);
        return 0;
    }
    if (json_object_get(d->ids, id))
        d->duplicates++;
    json_object_set_new(d->ids, id, json_true());
    int right = json_object_get(d->planted, acct) != NULL;
    d->requests++;
    d->right += right;
    json_object_set_new(d->requested, acct, json_true());
    /* A request citing two rules counts once for each code it cites. */
    size_t i;
    json_t *fd;
    json_array_foreach(findings, i, fd)
    {
        const char *code = json_string_value(json_object_get(fd, "code"));
        int seen = 0;
        for (size_t j = 0; code && j < i && !seen; j++) {
            const char *c2 =
                json_string_value(json_object_get(json_array_get(findings, j), "code"));
            seen = c2 && strcmp(c2, code) == 0;
        }
        tally *t = code && !seen ? tally_of(d, code) : NULL;
        if (t) {
            t->requests++;
            t->right += right;
        }
    }
    json_decref(rq);
    return 0;
}

static int read_requests(detect *d)
{
    return bc_read_topic("bench_detect", d->brokers, d->topic, READ_MS, on_request, d) < 0 ? -1 : 0;
}

/* ---- the verdict */

typedef struct verdict {
    int planted[SCN_PATTERN__COUNT], caught[SCN_PATTERN__COUNT];
    int total_planted, total_caught;
} verdict;

static void judge(const detect *d, verdict *v)
{
    size_t i;
    json_t *in;
    memset(v, 0, sizeof(*v));
    json_array_foreach(d->instances, i, in)
    {
        int p = (int)json_integer_value(json_array_get(in, 0));
        json_t *flag = json_array_get(in, 1), *a;
        size_t k;
        int hit = 0;
        json_array_foreach(flag, k, a)
        {
            hit |= json_object_get(d->requested, json_string_value(a)) != NULL;
        }
        v->planted[p]++;
        v->caught[p] += hit;
        v->total_planted++;
        v->total_caught += hit;
    }
}

/* Requests and right ones over the codes of a pattern's rule. */
static void pattern_precision(detect *d, int p, int64_t *req, int64_t *right)
{
    char codes[32], *save = NULL;
    *req = *right = 0;
    snprintf(codes, sizeof(codes), "%s", pattern_codes[p]);
    for (char *c = strtok_r(codes, " ", &save); c; c = strtok_r(NULL, " ", &save))
        for (int i = 0; i < d->ncodes; i++)
            if (strcmp(d->codes[i].code, c) == 0) {
                *req += d->codes[i].requests;
                *right += d->codes[i].right;
            }
}

static double ratio(int64_t a, int64_t b)
{
    return b ? (double)a / (double)b : 1.0;
}

static int write_table(detect *d, const verdict *v)
{
    FILE *f = fopen(d->table_path, "w");
    if (!f) {
        perror(d->table_path);
        return -1;
    }
    fprintf(f, "| pattern | planted | caught | recall | codes | requests citing them | on planted "
               "accounts | precision |\n");
    fprintf(f, "| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |\n");
    for (int p = 0; p < SCN_PATTERN__COUNT; p++) {
        int64_t req, right;
        char prec[16] = "–";
        pattern_precision(d, p, &req, &right);
        if (req)
            snprintf(prec, sizeof(prec), "%.3f", ratio(right, req));
        fprintf(f, "| %s | %d | %d | %.2f | %s | %" PRId64 " | %" PRId64 " | %s |\n",
                scn_pattern_name((scn_pattern)p), v->planted[p], v->caught[p],
                ratio(v->caught[p], v->planted[p]), pattern_codes[p], req, right, prec);
    }
    fprintf(f,
            "| **all** | %d | %d | **%.3f** | | %" PRId64 " requests | %" PRId64 " | **%.3f** |\n",
            v->total_planted, v->total_caught, ratio(v->total_caught, v->total_planted),
            d->requests, d->right, ratio(d->right, d->requests));
    return fclose(f) == 0 ? 0 : -1;
}

static void print_summary(const detect *d, const verdict *v)
{
    double worst_r = 2, worst_p = 2;
    const char *worst_rp = "-", *worst_pc = "-";
    for (int p = 0; p < SCN_PATTERN__COUNT; p++) {
        double r = ratio(v->caught[p], v->planted[p]);
        if (v->planted[p] && r < worst_r) {
            worst_r = r;
            worst_rp = scn_pattern_name((scn_pattern)p);
        }
    }
    for (int i = 0; i < d->ncodes; i++) {
        double pr = ratio(d->codes[i].right, d->codes[i].requests);
        if (pr < worst_p) {
            worst_p = pr;
            worst_pc = d->codes[i].code;
        }
    }
    printf("planted %d\n", v->total_planted);
    printf("caught %d\n", v->total_caught);
    printf("recall %.3f\n", ratio(v->total_caught, v->total_planted));
    printf("requests %" PRId64 "\n", d->requests);
    printf("right %" PRId64 "\n", d->right);
    printf("precision %.3f\n", ratio(d->right, d->requests));
    printf("duplicates %" PRId64 "\n", d->duplicates);
    printf("unreadable %" PRId64 "\n", d->unreadable);
    printf("worst_recall %.3f\n", worst_r > 1 ? 1.0 : worst_r);
    printf("worst_recall_pattern %s\n", worst_rp);
    printf("worst_precision %.3f\n", worst_p > 1 ? 1.0 : worst_p);
    printf("worst_precision_code %s\n", worst_pc);
}

int main(int argc, char **argv)
{
    detect d;
    verdict v;
    memset(&d, 0, sizeof(d));
    int prc = parse(argc, argv, &d);
    if (prc != 0)
        return prc > 0 ? 0 : 2;
    d.planted = json_object();
    d.instances = json_array();
    d.requested = json_object();
    d.ids = json_object();
    int rc = 3;
    if (read_truth(&d) == 0 && read_requests(&d) == 0) {
        judge(&d, &v);
        if (write_table(&d, &v) == 0) {
            print_summary(&d, &v);
            rc = 0;
        }
    }
    json_decref(d.planted);
    json_decref(d.instances);
    json_decref(d.requested);
    json_decref(d.ids);
    return rc;
}
