/* it_trace.c - a victim's fraud report traced through the real pipeline on
 * the real broker: every account the money reached is frozen with the amount
 * traced to it, a report that came before its transfer is parked and traced
 * once the transfer is screened, and a report naming a transfer that never
 * comes is dead-lettered after reports.park.time.
 * Then what a fraud desk does next, for real: `interdict tail --json` prints
 * the requests, and `interdict inspect` shows the first mule's account and
 * draws its neighbourhood with the request's evidence path. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "harness_replay.h"

static void assert_has(const char *text, const char *what, const char *where)
{
    if (!strstr(text, what))
        fail_msg("%s does not mention \"%s\":\n%s", where, what, text);
}

/* The request for M1 as `tail --json` prints it, into its own file. */
static void request_of_m1(const char *tail_out, const char *path)
{
    char *all = hx_slurp(tail_out);
    char *line = strtok(all, "\n");
    while (line && !strstr(line, "\"account\":\"M1\""))
        line = strtok(NULL, "\n");
    if (!line)
        fail_msg("tail --json printed no request for M1");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "%s\n", line);
    fclose(f);
    free(all);
}

static void desk_tools(hx_env *e)
{
    char out[400], req[400], dot[400];
    snprintf(out, sizeof(out), "%s/tail.out", e->dir);
    snprintf(req, sizeof(req), "%s/request.json", e->dir);
    snprintf(dot, sizeof(dot), "%s/m1.dot", e->dir);

    assert_int_equal(
        hx_run_capture(e, 60, 0, out, "tail", "--from-beginning", "--json", "--count", "5", NULL),
        0);
    request_of_m1(out, req);

    /* Text: M1 received from the victim and paid M2 and M3. */
    assert_int_equal(hx_run_capture(e, 60, 0, out, "inspect", "M1", NULL), 0);
    char *text = hx_slurp(out);
    assert_has(text, "M1", "inspect M1");
    assert_has(text, "VICTIM", "inspect M1");
    assert_has(text, "M2", "inspect M1");
    assert_has(text, "M3", "inspect M1");
    free(text);

    /* The picture, as Graphviz source: edges to the counterparties and the
     * evidence path of the request. */
    assert_int_equal(
        hx_run_capture(e, 60, 0, out, "inspect", "M1", "--graph", dot, "--request", req, NULL), 0);
    char *g = hx_slurp(dot);
    assert_has(g, "digraph", "the .dot file");
    assert_has(g, "\"M1\"", "the .dot file");
    assert_has(g, "\"M2\"", "the .dot file");
    assert_has(g, "\"VICTIM\"", "the .dot file");
    assert_has(g, "->", "the .dot file");
    assert_has(g, "600.00 CNY", "the .dot file");        /* the edge M1 -> M2 */
    assert_has(g, "VR01 victim_trace", "the .dot file"); /* the request's path */
    free(g);
}

static void test_trace_real_broker(void **state)
{
    (void)state;
    hx_env e;
    hx_setup(&e, "ittr", hx_kafka_brokers());
    hx_scenario_trace(&e);
    desk_tools(&e);
    hx_teardown(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trace_real_broker),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
