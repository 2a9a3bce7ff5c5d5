/* vec.c - a growable array of fixed-size items. */
#include "vec.h"

#include <stdlib.h>
#include <string.h>

void *vec_push(vec *v, size_t item)
{
    if (v->n == v->cap) {
        int64_t cap = v->cap ? v->cap * 2 : 64;
        void *p = realloc(v->p, (size_t)cap * item);
        if (!p)
            return NULL;
        v->p = p;
        v->cap = cap;
    }
    void *at = (char *)v->p + (size_t)v->n++ * item;
    memset(at, 0, item);
    return at;
}

void vec_free(vec *v)
{
    free(v->p);
    memset(v, 0, sizeof(*v));
}
