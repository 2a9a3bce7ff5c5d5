/* vec.h - a growable array of fixed-size items, for code that collects
 * records whose number it learns as it goes (the generator's planned
 * instances, the judge's accounts). The caller owns p and frees it with
 * vec_free().
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

/* Free the items; v is empty again. */
void vec_free(vec *v);

#endif /* IX_VEC_H */
