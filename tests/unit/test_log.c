/* test_log.c - unit tests of the leveled logger: filtering, line format, threads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

#define THREADS          8
#define LINES_PER_THREAD 2000

/* Everything written to fp so far, as a malloc'ed string. */
static char *contents(FILE *fp)
{
    long size;
    char *buf;

    fflush(fp);
    size = ftell(fp);
    buf = malloc((size_t)size + 1);
    assert_non_null(buf);
    rewind(fp);
    assert_int_equal(fread(buf, 1, (size_t)size, fp), (size_t)size);
    buf[size] = '\0';
    return buf;
}

/* Counts its calls, so a test can tell whether a log argument was evaluated. */
static int bump(int *calls)
{
    return ++*calls;
}

static void test_level_filtering(void **state)
{
    FILE *fp = tmpfile();
    ix_log lg = {.level = CFG_LOG_INFO, .out = fp};
    const ix_log *none = NULL;
    int calls = 0;
    char *out;

    assert_non_null(fp);
    LOG_DEBUG(&lg, "test", "skipped %d", bump(&calls));
    assert_int_equal(calls, 0); /* below the level, the arguments are not even evaluated */
    LOG_INFO(&lg, "test", "info %d", bump(&calls));
    LOG_WARN(&lg, "test", "warn %d", bump(&calls));
    LOG_ERROR(&lg, "test", "error %d", bump(&calls));
    assert_int_equal(calls, 3);
    LOG_ERROR(none, "test", "no logger %d", bump(&calls));
    assert_int_equal(calls, 3);

    lg.level = CFG_LOG_ERROR;
    LOG_WARN(&lg, "test", "quiet %d", bump(&calls));
    assert_int_equal(calls, 3);
    lg.level = CFG_LOG_DEBUG;
    LOG_DEBUG(&lg, "test", "debug %d", bump(&calls));
    assert_int_equal(calls, 4);

    out = contents(fp);
    assert_non_null(strstr(out, " INFO  test: info 1\n"));
    assert_non_null(strstr(out, " WARN  test: warn 2\n"));
    assert_non_null(strstr(out, " ERROR test: error 3\n"));
    assert_non_null(strstr(out, " DEBUG test: debug 4\n"));
    assert_null(strstr(out, "skipped"));
    assert_null(strstr(out, "quiet"));
    free(out);
    fclose(fp);
}

/* Seconds since the epoch of a "2026-11-23T10:31:01.123Z" prefix, or -1 if malformed. */
static time_t parse_stamp(const char *s)
{
    struct tm tm = {0};
    int ms = -1, used = 0;

    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms, &used) != 7 ||
        used != 24 || ms < 0)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return timegm(&tm);
}

static void test_line_format(void **state)
{
    FILE *fp = tmpfile();
    ix_log lg = {.level = CFG_LOG_DEBUG, .out = fp};
    time_t before = time(NULL), stamp;
    char *out;

    assert_non_null(fp);
    ix_log_write(&lg, CFG_LOG_WARN, "ingest", "partition %d lagging by %s", 7, "12s");
    out = contents(fp);
    assert_int_equal(strlen(out), 24 + strlen(" WARN  ingest: partition 7 lagging by 12s\n"));
    assert_string_equal(out + 24, " WARN  ingest: partition 7 lagging by 12s\n");
    stamp = parse_stamp(out);
    assert_true(stamp >= before - 1 && stamp <= time(NULL) + 1);
    free(out);
    fclose(fp);
}

static void test_message_cleanup(void **state)
{
    FILE *fp = tmpfile();
    ix_log lg = {.level = CFG_LOG_DEBUG, .out = fp};
    char *out;

    assert_non_null(fp);
    ix_log_write(&lg, CFG_LOG_INFO, "decode", "trailing newline dropped\n");
    ix_log_write(&lg, CFG_LOG_WARN, "decode", "bad id \"%s\"", "x\n2026-01-01T00:00:00.000Z ERROR");
    ix_log_write(&lg, CFG_LOG_ERROR, NULL, "no module");
    ix_log_write(&lg, 9, "m", "odd level");
    out = contents(fp);
    assert_non_null(strstr(out, " INFO  decode: trailing newline dropped\n2"));
    assert_non_null(strstr(out, " WARN  decode: bad id \"x?2026-01-01T00:00:00.000Z ERROR\"\n"));
    assert_non_null(strstr(out, " ERROR -: no module\n"));
    assert_non_null(strstr(out, " ?     m: odd level\n"));
    free(out);
    fclose(fp);
}

static void test_long_line_cut(void **state)
{
    FILE *fp = tmpfile();
    ix_log lg = {.level = CFG_LOG_DEBUG, .out = fp};
    char *big = malloc(3 * IX_LOG_LINE_MAX), *out;

    assert_non_null(fp);
    assert_non_null(big);
    memset(big, 'a', 3 * IX_LOG_LINE_MAX - 1);
    big[3 * IX_LOG_LINE_MAX - 1] = '\0';
    ix_log_write(&lg, CFG_LOG_INFO, "m", "%s", big);
    out = contents(fp);
    assert_int_equal(strlen(out), IX_LOG_LINE_MAX);
    assert_string_equal(out + IX_LOG_LINE_MAX - 6, "aa...\n");
    free(out);
    free(big);
    fclose(fp);
}

/* With lg->out NULL the line goes to stderr: point fd 2 at a file for the call. */
static void test_default_stderr(void **state)
{
    FILE *fp = tmpfile();
    ix_log lg = {.level = CFG_LOG_INFO, .out = NULL};
    int saved = dup(STDERR_FILENO);
    char *out;

    assert_non_null(fp);
    fflush(stderr);
    assert_true(dup2(fileno(fp), STDERR_FILENO) >= 0);
    LOG_INFO(&lg, "main", "to stderr");
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    fseek(fp, 0, SEEK_END);
    out = contents(fp);
    assert_non_null(strstr(out, " INFO  main: to stderr\n"));
    free(out);
    fclose(fp);
}

typedef struct writer {
    const ix_log *lg;
    int id;
} writer;

static void *write_lines(void *arg)
{
    const writer *w = arg;

    for (int i = 0; i < LINES_PER_THREAD; i++)
        LOG_INFO(w->lg, "thread", "writer %d line %d %s", w->id, i,
                 "padding padding padding padding padding padding padding padding");
    return NULL;
}

/* Lines written concurrently come out whole: each one parses on its own. */
static void test_threads_do_not_interleave(void **state)
{
    FILE *fp = tmpfile();
    ix_log lg = {.level = CFG_LOG_INFO, .out = fp};
    pthread_t tid[THREADS];
    writer w[THREADS];
    int seen[THREADS] = {0}, lines = 0;
    char *out, *line, *save = NULL;

    assert_non_null(fp);
    for (int t = 0; t < THREADS; t++) {
        w[t] = (writer){.lg = &lg, .id = t};
        assert_int_equal(pthread_create(&tid[t], NULL, write_lines, &w[t]), 0);
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(tid[t], NULL);
    out = contents(fp);
    for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        int id, i, used = 0;
        if (sscanf(line + 24, " INFO  thread: writer %d line %d padding%n", &id, &i, &used) != 2 ||
            used == 0 || id < 0 || id >= THREADS || i != seen[id])
            fail_msg("mangled line: %s", line);
        seen[id]++;
        lines++;
    }
    assert_int_equal(lines, THREADS * LINES_PER_THREAD);
    free(out);
    fclose(fp);
}

/* Account ids in log lines are masked, as the console masks them, unless
 * log.accounts=full. */
static void test_account_masking(void **state)
{
    (void)state;
    char buf[IX_LOG_ACCOUNT_MAX];
    ix_log masked = {.level = 3}, full = {.level = 3, .full_accounts = 1};
    assert_string_equal(ix_log_account(&masked, "6222021234567890123", buf, sizeof(buf)),
                        "6222***********0123");
    assert_string_equal(ix_log_account(&masked, "12345678901", buf, sizeof(buf)), "1234***8901");
    /* Too short to keep both ends and still hide two: all hidden. */
    assert_string_equal(ix_log_account(&masked, "1234567890", buf, sizeof(buf)), "**********");
    assert_string_equal(ix_log_account(&masked, "V1", buf, sizeof(buf)), "**");
    assert_string_equal(ix_log_account(&masked, "", buf, sizeof(buf)), "");
    assert_string_equal(ix_log_account(NULL, "6222021234567890123", buf, sizeof(buf)),
                        "6222***********0123");
    assert_string_equal(ix_log_account(&full, "6222021234567890123", buf, sizeof(buf)),
                        "6222021234567890123");
    char small[6];
    assert_string_equal(ix_log_account(&masked, "6222021234567890123", small, sizeof(small)),
                        "6222*");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_level_filtering),
        cmocka_unit_test(test_line_format),
        cmocka_unit_test(test_account_masking),
        cmocka_unit_test(test_message_cleanup),
        cmocka_unit_test(test_long_line_cut),
        cmocka_unit_test(test_default_stderr),
        cmocka_unit_test(test_threads_do_not_interleave),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
