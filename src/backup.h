/* backup.h - `interdict backup DIR`: a consistent copy of the state store,
 * taken beside a running screener or of a stopped one.
 *
 * A RocksDB checkpoint of the store opened read-only (no lock is needed, so
 * the screener keeps running): the table files are hard-linked (copied
 * across file systems), the manifest and the write-ahead log copied. The
 * screener writes each checkpoint as one atomic batch, so the copy holds
 * whole checkpoints only. docs/operations.md has the procedure and the
 * restore.
 */
#ifndef IX_BACKUP_H
#define IX_BACKUP_H

#include <stddef.h>
#include <stdint.h>

#include "log.h"

typedef struct backup_stats {
    int attempts;   /* checkpoints taken until one was not overtaken by the screener */
    uint64_t files; /* files in the backup */
    uint64_t bytes; /* their size */
} backup_stats;

/* Copy the store in state_dir into dest, which must not exist (its parent
 * must). The copy is then opened to check it. Returns 0; -2 when dest
 * exists or is not creatable (a usage error); -1 with errstr filled
 * otherwise (no store, the store kept changing, I/O). */
int backup_create(const char *state_dir, const char *dest, const ix_log *lg, backup_stats *st,
                  char *errstr, size_t errstr_size);

#endif /* IX_BACKUP_H */
