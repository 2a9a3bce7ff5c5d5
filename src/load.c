/* load.c - bulk loading of watch lists. */
#include "load.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int load_watchlist(graph *g, const char *path, FILE *report, load_stats *st, char *errstr,
                   size_t errstr_size)
{
    dec_limits lim;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int64_t lineno = 0;
    int rc = 0;

    memset(st, 0, sizeof(*st));
    dec_limits_default(&lim);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(errstr, errstr_size, "%s: %s", path, strerror(errno));
        return -1;
    }
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        size_t skip = strspn(line, " \t");
        if (line[skip] == '\0' || line[skip] == '#')
            continue;
        st->lines++;
        ix_watch w;
        dec_error de;
        if (dec_watch(line, (size_t)n, &lim, &w, &de) != RSN_OK) {
            char why[256];
            dec_error_format(&de, why, sizeof(why));
            fprintf(report, "%s:%lld: %s\n", path, (long long)lineno, why);
            st->rejected++;
            continue;
        }
        if (graph_put_watch(g, &w, NULL, errstr, errstr_size) != 0) {
            rc = -1;
            break;
        }
        st->loaded++;
    }
    if (rc == 0 && ferror(f)) {
        snprintf(errstr, errstr_size, "%s: read error", path);
        rc = -1;
    }
    free(line);
    fclose(f);
    return rc;
}
