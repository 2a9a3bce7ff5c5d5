/* console_api.c - the console's JSON documents, for case-management systems.
 *
 * A request is served as the bytes it has on the topic (what `interdict
 * tail --json` prints), an account as `interdict inspect --json` prints it
 * (console_account.c); the list wraps the requests' own documents with the
 * counts of the selection.
 */
#include "console_int.h"

#include <inttypes.h>
#include <string.h>

#include <jansson.h>

/* s as a JSON string. */
static void json_str(FILE *out, const char *s)
{
    json_t *j = json_string(s ? s : "");
    if (!j) { /* not UTF-8: cannot come from jansson, kept safe all the same */
        fputs("null", out);
        return;
    }
    json_dumpf(j, out, JSON_ENCODE_ANY);
    json_decref(j);
}

static void counts(FILE *out, const con_sel *s)
{
    fprintf(out,
            "\"counts\":{\"action\":{\"FREEZE\":%" PRId64 ",\"HOLD\":%" PRId64
            ",\"REVIEW\":%" PRId64 "},\"rule\":{",
            s->by_action[IX_ACTION_FREEZE], s->by_action[IX_ACTION_HOLD],
            s->by_action[IX_ACTION_REVIEW]);
    for (size_t i = 0; i < s->nrules; i++) {
        fputs(i ? "," : "", out);
        json_str(out, s->rules[i].code);
        fprintf(out, ":%" PRId64, s->rules[i].n);
    }
    fputs("}}", out);
}

void con_api_requests(FILE *out, con_list *l, const con_filter *f, size_t limit)
{
    con_sel s;
    con_list_lock(l);
    if (con_select(l, f, limit, &s) != 0) {
        con_list_unlock(l);
        fputs("{\"error\":\"out of memory\"}\n", out);
        return;
    }
    fprintf(out, "{\"total\":%zu,\"shown\":%zu,", s.total, s.n);
    counts(out, &s);
    fputs(",\"requests\":[", out);
    for (size_t i = 0; i < s.n; i++) {
        fputs(i ? ",\n" : "\n", out);
        fwrite(s.reqs[i]->json, 1, s.reqs[i]->len, out);
    }
    fputs("]}\n", out);
    con_sel_free(&s);
    con_list_unlock(l);
}

void con_api_status(FILE *out, con_list *l, const char *topic)
{
    con_list_stats st;
    con_list_stats_get(l, &st);
    fputs("{\"topic\":", out);
    json_str(out, topic);
    fprintf(out, ",\"seq\":%" PRIu64 ",\"kept\":%zu,\"dropped\":%" PRIu64 "}\n", st.seq, st.kept,
            st.dropped);
}
