/* vec.h - a growable array of fixed-size items, for code that collects
 * records whose number it learns as it goes (the generator's planned
 * instances, the judge's accounts). The caller owns p and frees it with
 * vec_free(). vec_reserve() grows any array by the same rule.
 */
#ifndef IX_VEC_H
#define IX_VEC_H

#include <stddef.h>
#include <stdint.h>

typedef struct vec {
    void *p;
    int64_t n, cap; /* items used, items allocated */
} vec;

/* Append one zeroed item of `item` bytes; returns it, or NULL when out of
 * memory (v unchanged). Earlier items may move. */
void *vec_push(vec *v, size_t item);

/* Make room for at least `need` items of `item` bytes in the array *p of
 * *cap items: the capacity doubles, from `first` items (> 0) for an empty
 * array, until it holds `need`. Returns 0, or -1 when out of memory (*p and
 * *cap unchanged). The one growth policy of every array in interdict, for
 * arrays that keep their own count and capacity fields. */
int vec_reserve(void **p, size_t *cap, size_t need, size_t item, size_t first);

/* Free the items; v is empty again. */
void vec_free(vec *v);

#endif /* IX_VEC_H */
