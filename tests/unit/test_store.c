/* test_store.c - the store's free-space guard, and its pin. A full disk at start once
 * aborted the process inside RocksDB's info-log writer (exit 134); the
 * store now refuses to open, and to write, below state.min.free. The
 * thresholds are injected: the free space of the test's disk is whatever it
 * is, and any threshold above it must be refused, any below it accepted. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "store.h"
#include "store_fixture.h"

typedef struct fx {
    char dir[64];
    uint64_t avail; /* free bytes for this user on dir's file system now */
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    struct statvfs vfs;
    snprintf(f->dir, sizeof(f->dir), "/tmp/ix-store-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(statvfs(f->dir, &vfs), 0);
    f->avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    sfx_rmtree(f->dir);
    free(f);
    return 0;
}

static void test_threshold_against_free_space(void **state)
{
    fx *f = *state;
    char errstr[512];
    assert_int_equal(store_check_space(f->dir, 0, errstr, sizeof(errstr)), 0);
    assert_int_equal(store_check_space(f->dir, f->avail / 2, errstr, sizeof(errstr)), 0);
    assert_int_equal(store_check_space(f->dir, UINT64_MAX, errstr, sizeof(errstr)), -1);
    assert_non_null(strstr(errstr, "MB free on its file system, state.min.free asks for"));
    assert_non_null(strstr(errstr, f->dir));
}

/* A store not created yet is measured on its nearest existing parent. */
static void test_missing_dir_measured_on_its_parent(void **state)
{
    fx *f = *state;
    char errstr[512], deep[128];
    snprintf(deep, sizeof(deep), "%s/a/b/state", f->dir);
    assert_int_equal(store_check_space(deep, 0, errstr, sizeof(errstr)), 0);
    assert_int_equal(store_check_space(deep, UINT64_MAX, errstr, sizeof(errstr)), -1);
    assert_non_null(strstr(errstr, deep));
    assert_int_equal(store_check_space("relative-missing/state", 0, errstr, sizeof(errstr)), 0);
}

/* Below the threshold the store is not opened at all: RocksDB never runs,
 * so nothing of it is created, fresh store or existing one. */
static void test_open_refused_below_threshold(void **state)
{
    fx *f = *state;
    char errstr[512], dir[128];
    struct stat st;
    store *s = NULL;
    snprintf(dir, sizeof(dir), "%s/state", f->dir);
    store_opts o = {.dir = dir, .create = 1, .min_free_bytes = UINT64_MAX};
    assert_int_equal(store_open(&o, &s, errstr, sizeof(errstr)), -1);
    assert_null(s);
    assert_non_null(strstr(errstr, "state.min.free"));
    assert_int_equal(stat(dir, &st), -1);

    o.min_free_bytes = 1;
    assert_int_equal(store_open(&o, &s, errstr, sizeof(errstr)), 0);
    store_close(s);
    s = NULL;
    o.min_free_bytes = UINT64_MAX;
    assert_int_equal(store_open(&o, &s, errstr, sizeof(errstr)), -1);
    assert_null(s);
    /* Read-only opens (inspect, console, backup's source) write nothing. */
    o.read_only = 1;
    o.create = 0;
    assert_int_equal(store_open(&o, &s, errstr, sizeof(errstr)), 0);
    store_close(s);
}

/* RocksDB's info log goes where store_opts.log_dir says, named after the
 * store's path, and none is left in the store's folder. */
static void test_info_log_moved(void **state)
{
    fx *f = *state;
    char errstr[512], dir[128], logs[128], path[512];
    struct stat st;
    store *s = NULL;
    snprintf(dir, sizeof(dir), "%s/state", f->dir);
    snprintf(logs, sizeof(logs), "%s/logs", f->dir);
    store_opts o = {.dir = dir, .create = 1, .log_dir = logs};
    assert_int_equal(store_open(&o, &s, errstr, sizeof(errstr)), 0);
    store_close(s);
    snprintf(path, sizeof(path), "%s/LOG", dir);
    assert_int_equal(stat(path, &st), -1);
    /* RocksDB names it after the store's absolute path, '/' as '_'. */
    snprintf(path, sizeof(path), "%s/%s_state_LOG", logs, f->dir + 1);
    for (char *p = path + strlen(logs) + 1; *p; p++)
        if (*p == '/')
            *p = '_';
    assert_int_equal(stat(path, &st), 0);
}

static int count_prefix(store *s, store_cf cf, const char *prefix, size_t plen)
{
    int n = 0;
    store_iter *it = store_iter_new(s, cf, prefix, plen, NULL, 0);
    assert_non_null(it);
    for (; store_iter_valid(it); store_iter_next(it))
        n++;
    store_iter_destroy(it);
    return n;
}

static int has(store *s, store_cf cf, const char *key, size_t klen)
{
    char errstr[256], *v = NULL;
    size_t vl = 0;
    int found = store_get(s, cf, key, klen, &v, &vl, errstr, sizeof(errstr));
    free(v);
    return found;
}

/* While pinned, the families a checkpoint merges into (edges, flows) read
 * as they were at the pin, in point reads and in scans; the others, and
 * everything after unpinning, read as they are. */
static void test_pin_holds_edges_and_flows(void **state)
{
    fx *f = *state;
    char errstr[512];
    store *s = NULL;
    store_opts o = {.dir = f->dir, .create = 1};
    assert_int_equal(store_open(&o, &s, errstr, sizeof(errstr)), 0);
    store_batch *b = store_batch_new(s);
    store_batch_put(b, SCF_FLOWS, "A\0i1", 4, "x", 1);
    assert_int_equal(store_write(s, b, errstr, sizeof(errstr)), 0);
    assert_int_equal(store_pin(s, errstr, sizeof(errstr)), 0);
    store_batch_clear(b);
    store_batch_put(b, SCF_FLOWS, "A\0i2", 4, "y", 1);
    store_batch_put(b, SCF_ACCOUNTS, "A", 1, "z", 1);
    assert_int_equal(store_write(s, b, errstr, sizeof(errstr)), 0);
    assert_int_equal(has(s, SCF_FLOWS, "A\0i1", 4), 1);
    assert_int_equal(has(s, SCF_FLOWS, "A\0i2", 4), 0);
    assert_int_equal(count_prefix(s, SCF_FLOWS, "A\0", 2), 1);
    assert_int_equal(has(s, SCF_ACCOUNTS, "A", 1), 1);
    /* Pinned again, it stays where it was. */
    assert_int_equal(store_pin(s, errstr, sizeof(errstr)), 0);
    assert_int_equal(count_prefix(s, SCF_FLOWS, "A\0", 2), 1);
    store_unpin(s);
    assert_int_equal(has(s, SCF_FLOWS, "A\0i2", 4), 1);
    assert_int_equal(count_prefix(s, SCF_FLOWS, "A\0", 2), 2);
    store_batch_destroy(b);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_threshold_against_free_space, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_dir_measured_on_its_parent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_refused_below_threshold, setup, teardown),
        cmocka_unit_test_setup_teardown(test_info_log_moved, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pin_holds_edges_and_flows, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
