/* mock_fulldisk.c - the state disk fills up while the screener runs: it
 * stops at its next checkpoint with exit 3 and the free space in its
 * message while there is still room (RocksDB's info-log writer aborts the
 * process on a full disk), and once space is back the stream is screened
 * in full. The disk is a 64 MB tmpfs of the test's own: it needs root (as
 * CI's container has) and is skipped where it cannot mount one. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "harness.h"
#include "timefmt.h"

#define DISK_BYTES (64 << 20)
#define MIN_FREE   "16MB"
#define LEFT_FREE  (8 << 20) /* what the filler leaves: under MIN_FREE, far from full */

typedef struct fx {
    hx_env e;
    char disk[320];
    int mounted;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    hx_setup(&f->e, "fulldisk", NULL);
    snprintf(f->disk, sizeof(f->disk), "%s/disk", f->e.dir);
    assert_int_equal(mkdir(f->disk, 0700), 0);
    char opts[32];
    snprintf(opts, sizeof(opts), "size=%d", DISK_BYTES);
    f->mounted = mount("tmpfs", f->disk, "tmpfs", 0, opts) == 0;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    if (f->mounted)
        umount(f->disk);
    hx_teardown(&f->e);
    free(f);
    return 0;
}

/* Write zeros into path until the file system has `left` bytes free. */
static void fill_until(const char *dir, const char *path, uint64_t left)
{
    static char zeros[1 << 16];
    struct statvfs vfs;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    for (;;) {
        assert_int_equal(statvfs(dir, &vfs), 0);
        uint64_t avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
        if (avail <= left)
            break;
        size_t n = avail - left < sizeof(zeros) ? (size_t)(avail - left) : sizeof(zeros);
        assert_true(write(fd, zeros, n) > 0);
    }
    close(fd);
}

static void test_disk_fills_mid_run(void **state)
{
    fx *f = *state;
    if (!f->mounted)
        skip();
    static const hx_chaos spec = {.seed = 31, .transfers = 30000, .hits = 8, .rate = 3000};
    char state_dir[400], filler[400];
    hx_chaos_expect x;
    snprintf(state_dir, sizeof(state_dir), "%s/state", f->disk);
    snprintf(filler, sizeof(filler), "%s/filler", f->disk);
    hx_set(&f->e, "state.dir", state_dir);
    hx_set(&f->e, "state.min.free", MIN_FREE);

    pthread_t feeder = hx_chaos_start(&f->e, &spec, (tf_now_ms() / 1000) * 1000 - 3600000, &x);
    pid_t pid = hx_spawn(&f->e, NULL, "run", NULL);
    hx_wait_for_log(&f->e, "assigned", 30000);
    hx_sleep_ms(2000); /* screening and checkpointing */
    fill_until(f->disk, filler, LEFT_FREE);
    /* Without the guard it goes on (or meets ENOSPC later, or aborts). */
    assert_int_equal(hx_wait(&f->e, pid, 60, 3), 3);
    assert_true(hx_log_contains(&f->e, "free on its file system, state.min.free asks for 16.0 MB"));
    pthread_join(feeder, NULL);

    /* Space again: what was not checkpointed is screened from the store,
     * and the store holds the whole stream. */
    assert_int_equal(unlink(filler), 0);
    assert_int_equal(hx_run(&f->e, 300, 0, "run", "--until-idle", "3s", NULL), 0);
    hx_chaos_verify_present(&f->e, &x);
    assert_int_equal(hx_stored_sum(&f->e, f->e.c.topic_transfers), x.messages);
    hx_chaos_free(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_disk_fills_mid_run, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
