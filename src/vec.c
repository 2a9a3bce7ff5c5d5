/* vec.c - a growable array of fixed-size items. */
#include "vec.h"

#include <stdlib.h>
#include <string.h>

int vec_reserve(void **p, size_t *cap, size_t need, size_t item, size_t first)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : first;
    while (c < need)
        c = c > SIZE_MAX / 2 ? need : c * 2;
    if (item && c > SIZE_MAX / item)
        return -1;
    void *n = realloc(*p, c * item);
    if (!n)
        return -1;
    *p = n;
    *cap = c;
    return 0;
}

void *vec_push(vec *v, size_t item)
{
    size_t cap = (size_t)v->cap;
    if (vec_reserve(&v->p, &cap, (size_t)v->n + 1, item, 64) != 0)
        return NULL;
    v->cap = (int64_t)cap;
    void *at = (char *)v->p + (size_t)v->n++ * item;
    memset(at, 0, item);
    return at;
}

void vec_free(vec *v)
{
    free(v->p);
    memset(v, 0, sizeof(*v));
}
