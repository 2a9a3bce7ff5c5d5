/* test_inspect.c - `interdict inspect` output for a known account history. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "graph.h"
#include "inspect.h"
#include "store_fixture.h"

#define T0  1795000000000LL /* 2026-11-18T..., any fixed time */
#define MIN 60000LL

typedef struct fx {
    char dir[64];
    graph *g;
} fx;

static int setup(void **state)
{
    char errstr[512];
    fx *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/ix-inspect-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    graph_opts o = {.dir = f->dir, .cache_bytes = 16 << 20, .create = 1};
    assert_int_equal(graph_open(&o, &f->g, errstr, sizeof(errstr)), 0);
    ix_account p;
    memset(&p, 0, sizeof(p));
    snprintf(p.account, sizeof(p.account), "MULE");
    snprintf(p.bank, sizeof(p.bank), "ICBKCNBJ");
    p.opened_at_ms = T0 - 3 * 86400000LL;
    p.holder_type = IX_HOLDER_PERSON;
    p.kyc_level = 1;
    assert_int_equal(graph_put_profile(f->g, &p, NULL, errstr, sizeof(errstr)), 0);
    ix_watch w;
    memset(&w, 0, sizeof(w));
    snprintf(w.account, sizeof(w.account), "MULE");
    snprintf(w.list, sizeof(w.list), "police_report");
    snprintf(w.reason, sizeof(w.reason), "case 7");
    w.added_at_ms = T0 - 86400000LL;
    assert_int_equal(graph_put_watch(f->g, &w, NULL, errstr, sizeof(errstr)), 0);
    /* Two victims pay in, the mule sends most of it on within minutes. */
    sfx_apply(f->g, "T1", "VICTIM1", "MULE", 3000000, T0);
    sfx_apply(f->g, "T2", "VICTIM2", "MULE", 2000000, T0 + 2 * MIN);
    sfx_apply(f->g, "T3", "MULE", "CASHOUT", 4800000, T0 + 9 * MIN);
    sfx_apply(f->g, "T4", "VICTIM1", "MULE", 100, T0 + 20 * MIN);
    graph_offset off = {"transfers", 0, 4};
    assert_int_equal(graph_checkpoint(f->g, &off, 1, errstr, sizeof(errstr)), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    graph_close(f->g);
    sfx_rmtree(f->dir);
    free(f);
    return 0;
}

static char *run_inspect(fx *f, const char *account, int json, int top, int flows, int *rc)
{
    char errstr[256], *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    inspect_opts o = {.account = account,
                      .currency = "CNY",
                      .as_of_ms = T0 + 30 * MIN,
                      .top = top,
                      .flows = flows,
                      .json = json};
    *rc = inspect_account(f->g, &o, out, errstr, sizeof(errstr));
    fclose(out);
    return buf;
}

static void test_text_picture(void **state)
{
    fx *f = *state;
    int rc;
    char *s = run_inspect(f, "MULE", 0, 10, 20, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(s, "account MULE at ICBKCNBJ  person, KYC level 1, opened "
                              "2026-11-15T"));
    assert_non_null(strstr(s, "  WATCH-LISTED on police_report since 2026-11-17T"));
    /* The hour holds everything: 50,001.00 in, 48,000.00 out, 2,001.00 held. */
    assert_non_null(strstr(s, "  1h               3            50,001.00 CNY        1            "
                              "48,000.00 CNY             2,001.00 CNY"));
    /* The 10-minute window (20..30 minutes after T0, rounded to 100 s
     * buckets) holds only the last 1.00. */
    assert_non_null(strstr(s, "  10m              1                 1.00 CNY        0"));
    assert_non_null(strstr(s, "counterparties paying in (2 in the last 30 days, top 2 by amount)"));
    assert_non_null(
        strstr(s, "  VICTIM1                                 2x          30,001.00 CNY"));
    assert_non_null(strstr(s, "recent transfers (4, oldest first)"));
    char *t1 = strstr(s, "T1\n"), *t3 = strstr(s, "T3\n"), *t4 = strstr(s, "T4\n");
    assert_true(t1 && t3 && t4 && t1 < t3 && t3 < t4);
    assert_non_null(strstr(s, "-> CASHOUT"));
    free(s);
}

static void test_json_picture(void **state)
{
    fx *f = *state;
    int rc;
    char *s = run_inspect(f, "MULE", 1, 1, 2, &rc);
    assert_int_equal(rc, 0);
    json_error_t jerr;
    json_t *j = json_loads(s, 0, &jerr);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "account")), "MULE");
    json_t *h = json_object_get(json_object_get(j, "windows"), "1h");
    assert_int_equal(json_integer_value(json_object_get(h, "in_amount")), 5000100);
    assert_int_equal(json_integer_value(json_object_get(h, "out_amount")), 4800000);
    assert_int_equal(json_integer_value(json_object_get(h, "held")), 200100);
    json_t *in = json_object_get(json_object_get(j, "counterparties"), "in");
    assert_int_equal(json_array_size(in), 1); /* --top 1 */
    assert_string_equal(json_string_value(json_object_get(json_array_get(in, 0), "account")),
                        "VICTIM1");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(in, 0), "count")), 2);
    json_t *recent = json_object_get(j, "recent");
    assert_int_equal(json_array_size(recent), 2); /* --flows 2: the newest two */
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(recent, 0), "transfer_id")), "T3");
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(recent, 1), "transfer_id")), "T4");
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "watchlist"), "list")),
                        "police_report");
    json_decref(j);
    free(s);
}

static void test_unknown_account(void **state)
{
    fx *f = *state;
    int rc;
    char *s = run_inspect(f, "NOBODY", 0, 10, 20, &rc);
    assert_int_equal(rc, 1);
    assert_string_equal(s, "");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_text_picture, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_picture, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_account, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
