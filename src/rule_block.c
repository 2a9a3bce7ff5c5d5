/* rule_block.c - dense sender-receiver blocks (rule_block.h).
 *
 * Transfers are kept as read (one record each, with the side they were read
 * from) until block_finalize() sorts them by pair: a pair read from both ends
 * takes the column's reading only, so no transfer counts twice. The peeling
 * keeps degrees per member and the pairs indexed by row and by column, so
 * removing a member costs its own pairs; choosing whom to remove is a scan of
 * the members.
 */
#include "rule_block.h"
#include "vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct blk_raw {
    int row, col;
    int from_row; /* read from the row's transfers out (else the column's in) */
    int64_t amount, time_ms;
};

static void side_free(blk_side *s)
{
    free(s->m);
    free(s->sorted);
    free(s->in);
    free(s->deg);
}

static int side_init(blk_side *s, int max)
{
    s->max = max;
    s->m = calloc((size_t)max, sizeof(*s->m));
    s->sorted = calloc((size_t)max, sizeof(*s->sorted));
    s->in = calloc((size_t)max, 1);
    s->deg = calloc((size_t)max, sizeof(*s->deg));
    return s->m && s->sorted && s->in && s->deg ? 0 : -1;
}

int block_init(block *b, int max)
{
    memset(b, 0, sizeof(*b));
    return side_init(&b->rows, max) == 0 && side_init(&b->cols, max) == 0 ? 0 : -1;
}

void block_free(block *b)
{
    side_free(&b->rows);
    side_free(&b->cols);
    free(b->pairs);
    free(b->raw);
    memset(b, 0, sizeof(*b));
}

/* Where `account` is or would go in s->sorted. */
static int side_search(const blk_side *s, const char *account, int *found)
{
    int lo = 0, hi = s->n - 1;
    *found = 0;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2, c = strcmp(s->m[s->sorted[mid]].account, account);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return lo;
}

int block_find(const blk_side *s, const char *account)
{
    int found, at = side_search(s, account, &found);
    return found ? s->sorted[at] : -1;
}

int block_member(blk_side *s, const char *account, const char *bank)
{
    int found, at = side_search(s, account, &found);
    if (found)
        return s->sorted[at];
    if (s->n >= s->max)
        return -1;
    int k = s->n++;
    snprintf(s->m[k].account, sizeof(s->m[k].account), "%s", account);
    snprintf(s->m[k].bank, sizeof(s->m[k].bank), "%s", bank);
    memmove(&s->sorted[at + 1], &s->sorted[at], (size_t)(k - at) * sizeof(int));
    s->sorted[at] = k;
    return k;
}

int block_add_flows(block *b, int is_row, int member, const graph_flow *f, int n)
{
    blk_side *own = is_row ? &b->rows : &b->cols, *other = is_row ? &b->cols : &b->rows;
    for (int k = 0; k < n; k++) {
        if (strcmp(f[k].peer, own->m[member].account) == 0)
            continue; /* to oneself */
        int peer = block_member(other, f[k].peer, f[k].peer_bank);
        if (peer < 0)
            continue; /* the side is full: work with what is there */
        if (vec_reserve((void **)&b->raw, &b->cap_raw, (size_t)b->nraw + 1, sizeof(*b->raw), 64) !=
            0)
            return -1;
        b->raw[b->nraw++] = (blk_raw){is_row ? member : peer, is_row ? peer : member, is_row,
                                      f[k].amount, f[k].time_ms};
    }
    return 0;
}

static int by_pair(const void *a, const void *b)
{
    const blk_raw *x = a, *y = b;
    if (x->row != y->row)
        return x->row < y->row ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return (x->from_row > y->from_row) - (x->from_row < y->from_row);
}

int block_finalize(block *b)
{
    free(b->pairs);
    b->npairs = 0;
    b->pairs = malloc(((size_t)b->nraw + 1) * sizeof(*b->pairs));
    if (!b->pairs)
        return -1;
    if (b->nraw > 0)
        qsort(b->raw, (size_t)b->nraw, sizeof(*b->raw), by_pair);
    int src = 0; /* the reading the current pair is taken from */
    for (int k = 0; k < b->nraw; k++) {
        const blk_raw *r = &b->raw[k];
        blk_pair *p = b->npairs ? &b->pairs[b->npairs - 1] : NULL;
        if (!p || p->row != r->row || p->col != r->col) {
            b->pairs[b->npairs++] = (blk_pair){r->row, r->col, r->amount, r->time_ms, 0};
            src = r->from_row;
            continue;
        }
        if (r->from_row != src)
            continue; /* the column's reading of this pair already counted it */
        p->sum += r->amount;
        p->first_ms = r->time_ms < p->first_ms ? r->time_ms : p->first_ms;
    }
    memset(b->rows.in, 1, (size_t)b->rows.n);
    memset(b->cols.in, 1, (size_t)b->cols.n);
    return 0;
}

int block_live(const block *b, const blk_pair *p)
{
    return !p->dead && b->rows.in[p->row] && b->cols.in[p->col];
}

void block_size(const block *b, int *rows, int *cols, int64_t *pairs)
{
    *rows = *cols = 0;
    *pairs = 0;
    for (int i = 0; i < b->rows.n; i++)
        *rows += b->rows.in[i];
    for (int j = 0; j < b->cols.n; j++)
        *cols += b->cols.in[j];
    for (int p = 0; p < b->npairs; p++)
        *pairs += block_live(b, &b->pairs[p]);
}

/* ---- peeling */

/* Pairs listed by member of one side (counting sort). */
typedef struct blk_index {
    int *start; /* member i's pairs: list[start[i] .. start[i + 1]) */
    int *list;
} blk_index;

static void index_free(blk_index *x)
{
    free(x->start);
    free(x->list);
}

static int index_build(const block *b, int by_row, blk_index *x)
{
    int n = by_row ? b->rows.n : b->cols.n;
    x->start = calloc((size_t)n + 2, sizeof(int));
    x->list = malloc(((size_t)b->npairs + 1) * sizeof(int));
    if (!x->start || !x->list)
        return -1;
    for (int p = 0; p < b->npairs; p++)
        x->start[(by_row ? b->pairs[p].row : b->pairs[p].col) + 2]++;
    for (int i = 0; i < n; i++)
        x->start[i + 2] += x->start[i + 1];
    /* start[i + 1] is now where member i's pairs go; filling moves it to its end. */
    for (int p = 0; p < b->npairs; p++)
        x->list[x->start[(by_row ? b->pairs[p].row : b->pairs[p].col) + 1]++] = p;
    return 0;
}

typedef struct blk_peel {
    block *b;
    blk_index byrow, bycol;
    int nr, nc;
    int64_t pairs;
    int anchor;
} blk_peel;

/* Degrees in the block; members without a pair in it leave at once. */
static void count_block(blk_peel *k)
{
    block *b = k->b;
    memset(b->rows.deg, 0, (size_t)b->rows.max * sizeof(int));
    memset(b->cols.deg, 0, (size_t)b->cols.max * sizeof(int));
    k->pairs = 0;
    for (int p = 0; p < b->npairs; p++)
        if (block_live(b, &b->pairs[p])) {
            b->rows.deg[b->pairs[p].row]++;
            b->cols.deg[b->pairs[p].col]++;
            k->pairs++;
        }
    k->nr = k->nc = 0;
    for (int i = 0; i < b->rows.n; i++) {
        b->rows.in[i] = b->rows.in[i] && b->rows.deg[i] > 0;
        k->nr += b->rows.in[i];
    }
    for (int j = 0; j < b->cols.n; j++) {
        b->cols.in[j] = b->cols.in[j] && b->cols.deg[j] > 0;
        k->nc += b->cols.in[j];
    }
}

static void remove_member(blk_peel *k, int is_row, int m)
{
    block *b = k->b;
    const blk_index *x = is_row ? &k->byrow : &k->bycol;
    blk_side *own = is_row ? &b->rows : &b->cols, *other = is_row ? &b->cols : &b->rows;
    int *other_n = is_row ? &k->nc : &k->nr;
    for (int q = x->start[m]; q < x->start[m + 1]; q++) {
        const blk_pair *p = &b->pairs[x->list[q]];
        if (!block_live(b, p))
            continue;
        k->pairs--;
        int o = is_row ? p->col : p->row;
        if (--other->deg[o] == 0) {
            other->in[o] = 0; /* no pair left in the block */
            (*other_n)--;
        }
    }
    own->in[m] = 0;
    if (is_row)
        k->nr--;
    else
        k->nc--;
}

/* The member whose removal leaves the densest block within the minimum
 * sizes; 0 when none may go. */
static int pick(const blk_peel *k, int64_t min_rows, int64_t min_cols, int *is_row, int *m)
{
    const block *b = k->b;
    __int128 best_num = -1, best_den = 1;
    for (int side = 1; side >= 0; side--) {
        const blk_side *s = side ? &b->rows : &b->cols;
        if (side ? k->nr - 1 < min_rows : k->nc - 1 < min_cols)
            continue;
        __int128 den = side ? (__int128)(k->nr - 1) * k->nc : (__int128)k->nr * (k->nc - 1);
        for (int i = 0; i < s->n; i++) {
            if (!s->in[i] || (!side && i == k->anchor))
                continue;
            __int128 num = k->pairs - s->deg[i];
            if (num * best_den > best_num * den) {
                best_num = num;
                best_den = den;
                *is_row = side;
                *m = i;
            }
        }
    }
    return best_num >= 0;
}

int block_peel(block *b, int anchor, int64_t min_rows, int64_t min_cols, int64_t density_pct)
{
    blk_peel k = {.b = b, .anchor = anchor};
    int rc = 0;
    if (index_build(b, 1, &k.byrow) != 0 || index_build(b, 0, &k.bycol) != 0) {
        index_free(&k.byrow);
        index_free(&k.bycol);
        return -1;
    }
    count_block(&k);
    for (;;) {
        if (anchor >= 0 && !b->cols.in[anchor])
            break;
        if (k.nr >= min_rows && k.nc >= min_cols &&
            (__int128)k.pairs * 100 >= (__int128)density_pct * k.nr * k.nc) {
            rc = 1;
            break;
        }
        int is_row = 0, m = -1;
        if (!pick(&k, min_rows, min_cols, &is_row, &m))
            break;
        remove_member(&k, is_row, m);
    }
    index_free(&k.byrow);
    index_free(&k.bycol);
    return rc;
}
