/* mem.h - process memory as jemalloc (the process's allocator) sees it.
 *
 * Under the sanitizers jemalloc is not linked (the sanitizer owns malloc);
 * mem_available() then says so and the figures are zero.
 */
#ifndef IX_MEM_H
#define IX_MEM_H

#include <stdint.h>
#include <stdio.h>

typedef struct mem_stats {
    uint64_t allocated; /* bytes the program has allocated and not freed */
    uint64_t active;    /* bytes in pages holding allocations */
    uint64_t resident;  /* bytes of the allocator in physical memory */
    uint64_t mapped;    /* bytes the allocator has mapped */
    uint64_t retained;  /* bytes unmapped-but-reserved, kept for reuse */
} mem_stats;

/* 1 when jemalloc is the allocator, 0 otherwise. */
int mem_available(void);

/* Fresh figures (jemalloc caches them; this refreshes). Returns 0, or -1
 * when jemalloc is not linked. */
int mem_get(mem_stats *st);

/* jemalloc's full statistics report (malloc_stats_print), or a line saying
 * why there is none. */
void mem_print(FILE *out);

#endif /* IX_MEM_H */
