/* load.h - bulk loading of table data from JSON-lines files. */
#ifndef IX_LOAD_H
#define IX_LOAD_H

#include <stdint.h>
#include <stdio.h>

#include "decode.h"
#include "graph.h"

typedef struct load_stats {
    int64_t lines;    /* non-blank lines read */
    int64_t loaded;   /* entries written to the store */
    int64_t rejected; /* lines that failed to decode (each reported) */
} load_stats;

/* Load a watch list: one schemas/watchlist.v1.json object per line, blank
 * lines and lines starting with '#' ignored. Each rejected line is reported
 * on `report` as "path:line: reason" and skipped; the rest are loaded.
 * Returns 0 (even with rejections; see st), or -1 with errstr filled when
 * the file cannot be read or the store fails. */
int load_watchlist(graph *g, const char *path, FILE *report, load_stats *st, char *errstr,
                   size_t errstr_size);

#endif /* IX_LOAD_H */
