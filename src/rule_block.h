/* rule_block.h - dense sender-receiver blocks, for the bipartite rule.
 *
 * A block is built from transfers read either way: a row's (sender's)
 * transfers out or a column's (receiver's) transfers in. The same pair seen
 * from both ends is counted once. Peeling then looks for the densest block
 * inside: while the block is too sparse, the member (row or column, never the
 * anchor) whose removal leaves the highest pair density goes, within the
 * minimum sizes. Greedy and deterministic (ties go to the first member); the
 * cost is O((rows + columns)^2 + pairs), rows and columns being bounded by
 * the caller's `max`.
 *
 * @locality owned by one rule evaluation; no shared state.
 */
#ifndef IX_RULE_BLOCK_H
#define IX_RULE_BLOCK_H

#include <stdint.h>

#include "graph.h"

typedef struct blk_member {
    char account[IX_ACCOUNT_MAX + 1];
    char bank[IX_BANK_MAX + 1];
} blk_member;

/* One side: members in the order they were added, and which are in the block. */
typedef struct blk_side {
    blk_member *m;
    int *sorted; /* member indexes in account order, for lookup */
    uint8_t *in; /* 1 while the member is in the block */
    int *deg;    /* its pairs in the block (during peeling) */
    int n, max;
} blk_side;

/* Two members that transacted, paid from row to column. */
typedef struct blk_pair {
    int row, col;
    int64_t sum;      /* money paid */
    int64_t first_ms; /* the first transfer */
    int dead;         /* set by the caller: no longer counts */
} blk_pair;

typedef struct blk_raw blk_raw;

typedef struct block {
    blk_side rows, cols;
    blk_pair *pairs; /* after block_finalize(), ordered by row then column */
    int npairs;
    blk_raw *raw; /* transfers as read, before finalize */
    int nraw;
    size_t cap_raw;
} block;

/* At most `max` members a side. Returns 0, or -1 out of memory. */
int block_init(block *b, int max);
void block_free(block *b);

/* A member's index, added when new (-1 when the side is full). */
int block_member(blk_side *s, const char *account, const char *bank);
/* A member's index, or -1. */
int block_find(const blk_side *s, const char *account);

/* Record the transfers read of one member: a row's transfers out (is_row)
 * or a column's transfers in; their peers join the other side. Returns 0, or
 * -1 out of memory. */
int block_add_flows(block *b, int is_row, int member, const graph_flow *f, int n);

/* Merge what was read into pairs (call after the reads, before peeling).
 * Marks every member in the block. Returns 0, or -1 out of memory. */
int block_finalize(block *b);

/* Peel the members marked in the block down to one with at least min_rows
 * rows, min_cols columns and density_pct percent of its row-column pairs
 * live, keeping column `anchor` (-1: none). 1 found (its members stay
 * marked), 0 none, -1 out of memory. Peeling again after pairs died starts
 * from the block found. */
int block_peel(block *b, int anchor, int64_t min_rows, int64_t min_cols, int64_t density_pct);

/* A pair live in the block; the block's rows, columns and live pairs. */
int block_live(const block *b, const blk_pair *p);
void block_size(const block *b, int *rows, int *cols, int64_t *pairs);

#endif /* IX_RULE_BLOCK_H */
