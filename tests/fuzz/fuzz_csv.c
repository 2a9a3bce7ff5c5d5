/* fuzz_csv.c - libFuzzer harness for csv_split(): any bytes, no crash; an accepted record's fields
 * lie inside it, are NUL-terminated, and quoting them again splits back to the same fields. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The fields written back as one record, every field quoted. */
static size_t requote(const csv_row *row, char *out)
{
    size_t k = 0;
    for (size_t i = 0; i < row->n; i++) {
        if (i)
            out[k++] = ',';
        out[k++] = '"';
        for (size_t j = 0; j < row->len[i]; j++) {
            if (row->field[i][j] == '"')
                out[k++] = '"';
            out[k++] = row->field[i][j];
        }
        out[k++] = '"';
    }
    return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[128];
    csv_row row, again;
    char *buf = malloc(size + 1);
    char *quoted = malloc(2 * size + 3 * CSV_MAX_FIELDS + 1);
    if (!buf || !quoted)
        abort();
    memcpy(buf, data, size);
    if (csv_split(buf, size, &row, why, sizeof(why)) == 0) {
        for (size_t i = 0; i < row.n; i++)
            if (row.field[i] < buf || row.field[i] + row.len[i] > buf + size ||
                row.field[i][row.len[i]] != '\0')
                abort();
        size_t n = requote(&row, quoted);
        if (csv_split(quoted, n, &again, why, sizeof(why)) != 0 || again.n != row.n)
            abort();
        for (size_t i = 0; i < row.n; i++)
            if (again.len[i] != row.len[i] || memcmp(again.field[i], row.field[i], row.len[i]))
                abort();
    }
    free(buf);
    free(quoted);
    return 0;
}
