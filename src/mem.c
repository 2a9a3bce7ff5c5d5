/* mem.c - jemalloc statistics. */
#include "mem.h"

#include <string.h>

#ifndef INTERDICT_NO_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

int mem_available(void)
{
#ifdef INTERDICT_NO_JEMALLOC
    return 0;
#else
    return 1;
#endif
}

#ifndef INTERDICT_NO_JEMALLOC
static uint64_t read_stat(const char *name)
{
    size_t v = 0, len = sizeof(v);
    return mallctl(name, &v, &len, NULL, 0) == 0 ? (uint64_t)v : 0;
}

static void print_line(void *arg, const char *s)
{
    fputs(s, arg);
}
#endif

int mem_get(mem_stats *st)
{
    memset(st, 0, sizeof(*st));
#ifdef INTERDICT_NO_JEMALLOC
    return -1;
#else
    /* Statistics are snapshots taken at an "epoch"; advance it first. */
    uint64_t epoch = 1;
    size_t len = sizeof(epoch);
    mallctl("epoch", &epoch, &len, &epoch, len);
    st->allocated = read_stat("stats.allocated");
    st->active = read_stat("stats.active");
    st->resident = read_stat("stats.resident");
    st->mapped = read_stat("stats.mapped");
    st->retained = read_stat("stats.retained");
    return 0;
#endif
}

void mem_print(FILE *out)
{
#ifdef INTERDICT_NO_JEMALLOC
    fprintf(out, "jemalloc is not linked in this build (sanitizers own malloc)\n");
#else
    malloc_stats_print(print_line, out, NULL);
#endif
}
