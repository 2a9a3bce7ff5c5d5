/* it_patterns.c - every rule in the real pipeline on the real broker: the
 * load generator's stream with each laundering pattern planted twice goes
 * through `interdict run`, the fraud reports after it (as victims report
 * after the money moved), and the freeze requests read back must catch every
 * planted instance, with at least 90% of them on planted accounts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "encode.h"
#include "harness.h"
#include "rules.h"
#include "scenario.h"
#include "timefmt.h"

#define P_ACCOUNTS  3000
#define P_TRANSFERS 10000

typedef struct outcome {
    char requested[P_ACCOUNTS];
    int requests, on_planted;
    const char *planted;
} outcome;

static int64_t index_of(const void *key, size_t len)
{
    char digits[9];
    if (len < 8)
        return -1;
    memcpy(digits, (const char *)key + len - 8, 8);
    digits[8] = '\0';
    return strtoll(digits, NULL, 10);
}

static int on_req(const rd_kafka_message_t *m, void *arg)
{
    outcome *o = arg;
    int64_t k = index_of(m->key, m->key_len);
    o->requests++;
    if (k >= 0 && k < P_ACCOUNTS) {
        o->requested[k] = 1;
        o->on_planted += o->planted[k];
    }
    return 0;
}

static void test_every_pattern_through_the_pipeline(void **state)
{
    (void)state;
    char errstr[256];
    hx_env e;
    scn *s = NULL;
    scn_opts so;
    ix_report reports[64];
    int nreports = 0;
    outcome o;
    memset(&o, 0, sizeof(o));

    hx_setup_partitions(&e, "patterns", hx_kafka_brokers(), 1);
    /* Every rule on (the harness turns the pattern rules off), and one
     * partition, so hops are screened in the order they happened. */
    for (const rule_def *const *r = rules_table; *r; r++) {
        char key[96];
        snprintf(key, sizeof(key), "rules.%s.enabled", (*r)->name);
        hx_set(&e, key, "true");
    }
    scn_opts_default(&so);
    so.seed = 99;
    so.accounts = P_ACCOUNTS;
    so.transfers = P_TRANSFERS;
    so.now_ms = (tf_now_ms() / 1000) * 1000 - 60000;
    for (int p = 0; p < SCN_PATTERN__COUNT; p++)
        so.count[p] = 2;
    if (scn_new(&so, &s, errstr, sizeof(errstr)) != 0)
        fail_msg("scenario: %s", errstr);
    hx_produce_scenario(&e, s, IX_FORMAT_JSON, reports, 64, &nreports);
    assert_int_equal(hx_run(&e, 300, 0, "run", "--until-idle", "3s", NULL), 0);
    hx_send_reports(&e, reports, nreports);
    assert_int_equal(hx_run(&e, 300, 0, "run", "--until-idle", "3s", NULL), 0);

    char *planted = calloc(P_ACCOUNTS, 1);
    for (int64_t i = 0; i < scn_instance_count(s); i++) {
        scn_instance in;
        scn_instance_get(s, i, &in);
        for (int m = 0; m < in.nmembers; m++)
            planted[in.members[m].index] = 1;
    }
    o.planted = planted;
    hx_read(&e, e.c.topic_interceptions, on_req, &o);
    for (int64_t i = 0; i < scn_instance_count(s); i++) {
        scn_instance in;
        scn_instance_get(s, i, &in);
        int hit = 0;
        for (int m = 0; m < in.nmembers && !hit; m++)
            hit = in.members[m].flag && o.requested[in.members[m].index];
        if (!hit)
            fail_msg("%s instance %d was not caught", scn_pattern_name(in.pattern), in.number);
    }
    printf("%d freeze requests, %d on planted accounts\n", o.requests, o.on_planted);
    assert_true(o.requests > 0);
    assert_true((double)o.on_planted / o.requests >= 0.9);
    free(planted);
    scn_destroy(s);
    hx_teardown(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_pattern_through_the_pipeline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
