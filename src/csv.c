/* csv.c - strict RFC 4180 records, split in place.
 *
 * One pass over the record: a read position r and a write position w
 * (w <= r), so unquoting never needs a copy. Every byte is one of a small
 * set of cases, and anything RFC 4180 does not allow ends the record with
 * an error naming the field and the byte offset.
 */
#include "csv.h"

#include <stdio.h>

/* Always -1: the record is refused for why, in field i at offset at. */
static int fail(char *errstr, size_t errstr_size, size_t i, size_t at, const char *why)
{
    snprintf(errstr, errstr_size, "CSV field %zu (byte %zu): %s", i + 1, at + 1, why);
    return -1;
}

/* A quoted field from text[*r] (the opening quote) to its closing quote;
 * leaves *r after the closing quote. */
static int read_quoted(char *text, size_t len, size_t *r, size_t *w, size_t i, char *errstr,
                       size_t errstr_size)
{
    size_t start = (*r)++;
    for (;;) {
        if (*r == len)
            return fail(errstr, errstr_size, i, start, "quoted field not terminated");
        char c = text[*r];
        if (c == '\0')
            return fail(errstr, errstr_size, i, *r, "NUL byte");
        if (c == '"') {
            if (*r + 1 < len && text[*r + 1] == '"') {
                text[(*w)++] = '"';
                *r += 2;
                continue;
            }
            (*r)++;
            return 0;
        }
        text[(*w)++] = c;
        (*r)++;
    }
}

/* A bare field up to the next comma or the end. */
static int read_bare(char *text, size_t len, size_t *r, size_t *w, size_t i, char *errstr,
                     size_t errstr_size)
{
    while (*r < len && text[*r] != ',') {
        char c = text[*r];
        if (c == '"')
            return fail(errstr, errstr_size, i, *r, "quote in a field that is not quoted");
        if (c == '\0')
            return fail(errstr, errstr_size, i, *r, "NUL byte");
        if (c == '\r' || c == '\n')
            return fail(errstr, errstr_size, i, *r, "line end in a field that is not quoted");
        text[(*w)++] = c;
        (*r)++;
    }
    return 0;
}

int csv_split(char *text, size_t len, csv_row *row, char *errstr, size_t errstr_size)
{
    size_t r = 0, w = 0;
    row->n = 0;
    for (size_t i = 0;; i++) {
        if (i == CSV_MAX_FIELDS)
            return fail(errstr, errstr_size, i, r, "too many fields");
        size_t begin = w;
        int rc = r < len && text[r] == '"' ? read_quoted(text, len, &r, &w, i, errstr, errstr_size)
                                           : read_bare(text, len, &r, &w, i, errstr, errstr_size);
        if (rc != 0)
            return -1;
        if (r < len && text[r] != ',')
            return fail(errstr, errstr_size, i, r, "character after the closing quote");
        row->field[i] = text + begin;
        row->len[i] = w - begin;
        row->n = i + 1;
        if (r == len)
            break;
        /* Terminating in place: w < r here, the comma's byte is free. */
        text[w++] = '\0';
        r++;
    }
    /* The last field's NUL goes at w <= len: the caller's spare byte. */
    text[w] = '\0';
    return 0;
}

int csv_record_open(const char *text, size_t len)
{
    int open = 0;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '"')
            open = !open;
    return open;
}
