/* produce.h - `interdict produce`: operators' own records onto an input topic.
 *
 * A file of JSON lines (the schemas' messages, one per line) or of CSV (a
 * header row naming the schema's fields, docs/produce.md) is read record by
 * record. Each record is checked by the screener's own decoders
 * (scr_decode_*, screen.h) with the key the screener requires, the account
 * of the record: a transfer's from_account, a report's victim_account, a
 * profile's, a watch-list entry's or a verdict's account, an allow-list
 * entry's account (account/counterparty for a pair). So what is sent is what
 * `interdict run` accepts, keyed so that the murmur2 partitioner (feed.h)
 * places it on the partition of that account's state. A bad record is
 * reported as FILE:LINE: reason and never sent; production stops there
 * unless bad records are to be skipped. Records may be paced by count or by
 * their event times.
 *
 * @locality the calling thread; the reader and the context are its own.
 */
#ifndef IX_PRODUCE_H
#define IX_PRODUCE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "csv.h"
#include "model.h"
#include "screen.h"

/* The input topics a file can go to: topic.<name> names the real topic. */
typedef enum prd_topic {
    PRD_TRANSFERS = 0,
    PRD_REPORTS,
    PRD_ACCOUNTS,
    PRD_WATCHLIST,
    PRD_ALLOWLIST, /* the desk's allow-list: the bulk load of docs/desk.md */
    PRD_VERDICTS,
    PRD__TOPICS
} prd_topic;

typedef enum prd_format { PRD_JSON = 0, PRD_CSV, PRD__FORMATS } prd_format;

/* "transfers", "reports", "accounts", "watchlist", "allowlist", "verdicts"
 * and "json", "csv" to their values; -1 when unknown. */
int prd_topic_parse(const char *s);
int prd_format_parse(const char *s);
/* The format a file name implies: csv for a name ending ".csv", else json. */
prd_format prd_format_of(const char *path);

/* ---- reading: records of a file with the line each starts on. */

typedef struct prd_reader prd_reader;

/* A reader of f (not closed by it) in format fmt. NULL when out of memory. */
prd_reader *prd_reader_new(FILE *f, prd_format fmt);
/* The next record: 1 with text[0..len) (NUL-terminated, one spare byte
 * after it, valid until the next call) and the line it starts on; 0 at the
 * end; -1 with errstr on a read error. Line ends are not part of a record.
 * Blank lines are skipped, and in JSON lines also lines starting with '#'.
 * A CSV record runs on over line ends inside quotes; one that is still open
 * at 1 MiB or at the end of the input is returned as it is, and its split
 * then fails. */
int prd_reader_next(prd_reader *r, char **text, size_t *len, int64_t *line, char *errstr,
                    size_t errstr_size);
void prd_reader_destroy(prd_reader *r);

/* ---- CSV: a header row maps columns to the schema's fields. */

typedef struct prd_columns {
    prd_topic topic;
    size_t n;
    int field[CSV_MAX_FIELDS]; /* column i holds field[i] of the topic's table */
} prd_columns;

/* Map a header row: every column a field of the topic's schema, none
 * twice, every required field there. Returns 0, or -1 with errstr. */
int prd_csv_header(prd_topic t, const csv_row *row, prd_columns *cols, char *errstr,
                   size_t errstr_size);
/* One row as the schema's JSON object (version 1 unless a version column
 * says otherwise; an empty cell leaves its field out) into buf. Returns the
 * length, or 0 with *res refused (wrong number of cells, invalid UTF-8,
 * too long for buf). */
size_t prd_csv_json(const prd_columns *cols, const csv_row *row, char *buf, size_t size,
                    scr_result *res);

/* ---- checking: the screener's decoders and the key they require. */

typedef struct prd_record {
    char key[2 * IX_ACCOUNT_MAX + 2]; /* the account the record is keyed by (or a pair) */
    int64_t event_ms; /* event_time, reported_at, updated_at, added_at, decided_at */
    union {
        ix_transfer transfer;
        ix_report report;
        scr_update update;
    };
} prd_record;

/* Decode buf[0..len) as a message of topic t, exactly as `interdict run`
 * will (transfers within the input window around now_ms), into *rec with
 * its key. tx holds the transfers' decoding. Returns 1, or 0 with *res
 * refused (a reason of reason.h and its detail). */
int prd_check(const scr_ctx *s, prd_topic t, const void *buf, size_t len, int64_t now_ms,
              scr_transfers *tx, prd_record *rec, scr_result *res);
/* The record in its JSON wire form (encode.h). Returns the length or -1. */
int prd_encode(prd_topic t, const prd_record *rec, char *buf, size_t size);

/* ---- the command. */

typedef struct prd_opts {
    const char *path; /* "-": standard input */
    prd_topic topic;
    int format;     /* a prd_format, or -1: from the file name */
    double rate;    /* records per second; 0: as fast as the broker takes them */
    double speedup; /* pace by event time, gaps divided by this; 0: not */
    int dry_run;    /* check and count only: no producer, nothing sent */
    int skip_bad;   /* report and count bad records, go on */
} prd_opts;

typedef struct prd_stats {
    int64_t read;      /* records read (a CSV header is not one) */
    int64_t sent;      /* handed to the producer (dry run: would have been) */
    int64_t delivered; /* acknowledged by the broker */
    int64_t failed;    /* delivery failed */
    int64_t bad;       /* refused by the check, never sent */
} prd_stats;

/* When a paced record is due on the monotonic clock (ns), or 0 unpaced:
 * with o->rate the record sent after `sent` others is due at start_ns +
 * sent / rate s; with o->speedup a record of event time event_ms is due at
 * start_ns + (event_ms - first_event_ms) / speedup, first_event_ms being
 * the first record's. A due time already past means at once. */
int64_t prd_due_ns(const prd_opts *o, int64_t start_ns, int64_t sent, int64_t first_event_ms,
                   int64_t event_ms);

/* Produce o->path to topic o->topic of c. Bad records go to err as
 * "FILE:LINE: reason: detail", progress lines to err (when it is a
 * terminal, every progress.interval), the summary to out. Stops early when
 * *run is cleared. Returns 0 when every record was read, checked and
 * delivered; 1 when bad records were skipped and every other one delivered;
 * -2 on bad input (a file that cannot be opened, a bad header, the first
 * bad record without skip_bad: nothing after it is sent); -1 on a runtime
 * failure (a record not delivered, interrupted). errstr says why unless 0
 * or 1. */
int prd_run(const cfg *c, const prd_opts *o, volatile sig_atomic_t *run, FILE *out, FILE *err,
            prd_stats *st, char *errstr, size_t errstr_size);

#endif /* IX_PRODUCE_H */
