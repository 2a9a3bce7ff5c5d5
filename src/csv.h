/* csv.h - a strict RFC 4180 reader of one CSV record.
 *
 * Fields are separated by ',', a field is either bare (no '"', no CR or LF)
 * or quoted ('"' ... '"', a quote inside written twice, commas and line ends
 * allowed). Nothing else is accepted: a quote inside a bare field, a
 * character after a closing quote, an unterminated quote, a NUL byte or a
 * lone CR are errors, never guesses. The caller splits its input into
 * records (csv_record_open() says when a line end falls inside a quoted
 * field) and hands each record over without its final line end.
 *
 * @locality any thread; no state.
 */
#ifndef IX_CSV_H
#define IX_CSV_H

#include <stddef.h>

#define CSV_MAX_FIELDS 32 /* more fields than any schema has columns */

/* One record's fields, pointing into the caller's text (which the split
 * rewrote in place: quotes removed, doubled quotes made single). Each field
 * is NUL-terminated at len. */
typedef struct csv_row {
    size_t n;
    char *field[CSV_MAX_FIELDS];
    size_t len[CSV_MAX_FIELDS];
} csv_row;

/* Split the record text[0..len) in place into *row. Returns 0, or -1 with a
 * one-line reason in errstr (the text is then unspecified). text needs one
 * byte of room at text[len] for the last field's NUL. */
int csv_split(char *text, size_t len, csv_row *row, char *errstr, size_t errstr_size);

/* 1 when text[0..len) ends inside a quoted field, so that the line end after
 * it belongs to the record; else 0. */
int csv_record_open(const char *text, size_t len);

#endif /* IX_CSV_H */
