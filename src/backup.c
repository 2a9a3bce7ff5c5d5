/* backup.c - a consistent copy of the state store, beside a running screener.
 *
 * Why the manifest is watched: the copy is a RocksDB checkpoint of the store
 * opened read-only, and a read-only handle does not stop the screener from
 * flushing, compacting and deleting files meanwhile. Every file the
 * screener may delete (a table file after a compaction, a log after a
 * flush) becomes deletable only after the screener records the change in
 * its MANIFEST. So when the MANIFEST is the same file with the same size
 * before the read-only open and after the checkpoint, nothing the copy
 * refers to can have gone: the copy is consistent. Otherwise it is thrown
 * away and taken again; memtables are 128 MB, so flushes are minutes apart
 * and a retry nearly always succeeds.
 */
#include "backup.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "graph.h"

#define BACKUP_ATTEMPTS 8   /* checkpoints tried before giving up */
#define BACKUP_PAUSE_MS 250 /* between attempts */

/* Which MANIFEST the store uses and how long it is. */
typedef struct manifest_mark {
    char name[128];
    off_t size;
} manifest_mark;

static int mark(const char *dir, manifest_mark *m, char *errstr, size_t errstr_size)
{
    char path[4200];
    struct stat sb;
    memset(m, 0, sizeof(*m));
    snprintf(path, sizeof(path), "%s/CURRENT", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(errstr, errstr_size, "no state store at %s (%s)", dir, strerror(errno));
        return -1;
    }
    int ok = fgets(m->name, sizeof(m->name), f) != NULL;
    fclose(f);
    m->name[strcspn(m->name, "\n")] = '\0';
    snprintf(path, sizeof(path), "%s/%s", dir, m->name);
    if (!ok || strchr(m->name, '/') || stat(path, &sb) != 0) {
        snprintf(errstr, errstr_size, "state store %s: no readable manifest", dir);
        return -1;
    }
    m->size = sb.st_size;
    return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void remove_tree(const char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* One checkpoint of the store opened read-only (no lock, so the screener
 * keeps running). Returns 0 or -1. */
static int checkpoint_once(const char *dir, const char *dest, const ix_log *lg, char *errstr,
                           size_t errstr_size)
{
    graph *g = NULL;
    graph_opts o = {.dir = dir, .cache_bytes = 8 << 20, .read_only = 1, .log = lg};
    if (graph_open(&o, &g, errstr, errstr_size) != 0)
        return -1;
    int rc = graph_copy(g, dest, errstr, errstr_size);
    graph_close(g);
    return rc;
}

static void pause_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Checkpoints until one is not overtaken by the screener. A checkpoint
 * that fails while the manifest stood still failed for a reason of its own
 * (space, permissions): that is reported at once. */
static int take(const char *dir, const char *dest, const ix_log *lg, backup_stats *st, char *errstr,
                size_t errstr_size)
{
    manifest_mark before, after;
    char why[512];
    for (st->attempts = 1; st->attempts <= BACKUP_ATTEMPTS; st->attempts++) {
        if (mark(dir, &before, errstr, errstr_size) != 0)
            return -1;
        int rc = checkpoint_once(dir, dest, lg, why, sizeof(why));
        if (mark(dir, &after, errstr, errstr_size) != 0)
            return -1;
        int moved = strcmp(before.name, after.name) != 0 || before.size != after.size;
        if (!moved && rc == 0)
            return 0;
        remove_tree(dest);
        if (!moved) {
            snprintf(errstr, errstr_size, "%s", why);
            return -1;
        }
        LOG_INFO(lg, "backup", "attempt %d overtaken by the screener's flush or compaction; again",
                 st->attempts);
        pause_ms(BACKUP_PAUSE_MS);
    }
    snprintf(errstr, errstr_size,
             "state store %s kept changing during %d attempts; try again, or stop the "
             "screener for the backup",
             dir, BACKUP_ATTEMPTS);
    return -1;
}

/* Files and bytes of the backup: a checkpoint is one flat directory. */
static void count(const char *dest, backup_stats *st)
{
    char path[4400];
    struct stat sb;
    DIR *d = opendir(dest);
    for (struct dirent *de; d && (de = readdir(d));) {
        snprintf(path, sizeof(path), "%s/%s", dest, de->d_name);
        if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
            st->files++;
            st->bytes += (uint64_t)sb.st_size;
        }
    }
    if (d)
        closedir(d);
}

/* dest must not exist, its parent must. */
static int check_dest(const char *dest, char *errstr, size_t errstr_size)
{
    char parent[4096];
    struct stat sb;
    if (stat(dest, &sb) == 0) {
        snprintf(errstr, errstr_size, "%s already exists: a backup goes into a new directory",
                 dest);
        return -1;
    }
    snprintf(parent, sizeof(parent), "%s", dest);
    char *slash = strrchr(parent, '/');
    if (!slash)
        snprintf(parent, sizeof(parent), ".");
    else if (slash == parent)
        parent[1] = '\0';
    else
        *slash = '\0';
    if (stat(parent, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        snprintf(errstr, errstr_size, "%s: no such directory to put the backup in", parent);
        return -1;
    }
    return 0;
}

/* The copy must open as a store of this version's format. */
static int verify(const char *dest, const ix_log *lg, char *errstr, size_t errstr_size)
{
    char why[512];
    graph *g = NULL;
    graph_opts o = {.dir = dest, .cache_bytes = 8 << 20, .read_only = 1, .log = lg};
    if (graph_open(&o, &g, why, sizeof(why)) != 0) {
        snprintf(errstr, errstr_size, "the backup does not open: %s", why);
        return -1;
    }
    graph_close(g);
    return 0;
}

int backup_create(const char *state_dir, const char *dest, const ix_log *lg, backup_stats *st,
                  char *errstr, size_t errstr_size)
{
    memset(st, 0, sizeof(*st));
    if (check_dest(dest, errstr, errstr_size) != 0)
        return -2;
    if (take(state_dir, dest, lg, st, errstr, errstr_size) != 0)
        return -1;
    if (verify(dest, lg, errstr, errstr_size) != 0) {
        remove_tree(dest);
        return -1;
    }
    count(dest, st);
    return 0;
}
