/* log.c - writes one timestamped, leveled log line per call. */

/*
 * The whole line is built in a stack buffer and written with a single fwrite: stdio locks
 * the stream for each call, so lines from different threads never interleave, and nothing
 * here allocates, so logging still works when memory has run out. The clock is read here
 * rather than through timefmt.c so that the lowest layer depends on nothing else.
 */
#include "log.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "model.h"

#define TIMESTAMP_LEN 24 /* "2026-11-23T10:31:01.123Z" */

static const char *level_name(int level)
{
    static const char *const names[] = {"ERROR", "WARN", "INFO", "DEBUG"};

    if (level < 0 || level >= (int)(sizeof(names) / sizeof(names[0])))
        return "?";
    return names[level];
}

/* The wall clock as RFC 3339 UTC with milliseconds; returns the length written. */
static int format_now(char *buf, size_t size)
{
    struct timespec ts;
    struct tm tm;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    return snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
                    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                    ts.tv_nsec / 1000000);
}

/* Control characters in a message, e.g. from logged input, become '?' so that every line
 * of the log is one entry and none can be forged. */
static void scrub(char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            s[i] = '?';
}

/* n as returned by snprintf, clamped to what fits in a buffer of `room` bytes. */
static size_t fitted(int n, size_t room)
{
    if (n < 0)
        return 0;
    return (size_t)n < room ? (size_t)n : room - 1;
}

void ix_log_write(const ix_log *lg, int level, const char *module, const char *fmt, ...)
{
    char line[IX_LOG_LINE_MAX];
    size_t head, len;
    va_list ap;
    int n;

    head = fitted(format_now(line, sizeof(line)), sizeof(line));
    n = snprintf(line + head, sizeof(line) - head, " %-5s %s: ", level_name(level),
                 module ? module : "-");
    head += fitted(n, sizeof(line) - head);
    va_start(ap, fmt);
    n = vsnprintf(line + head, sizeof(line) - head, fmt, ap);
    va_end(ap);
    len = head + (n < 0 ? 0 : (size_t)n);
    /* The newline takes the place of the terminating NUL, so a full line is exactly
     * IX_LOG_LINE_MAX bytes; a cut one shows it. */
    if (len > sizeof(line) - 1) {
        len = sizeof(line) - 1;
        memcpy(line + len - 3, "...", 3);
    }
    if (len > head && line[len - 1] == '\n')
        len--;
    scrub(line + head, len - head);
    line[len++] = '\n';
    fwrite(line, 1, len, lg && lg->out ? lg->out : stderr);
}

const char *ix_log_account(const ix_log *lg, const char *account, char *buf, size_t size)
{
    if (lg && lg->full_accounts) {
        if (size)
            snprintf(buf, size, "%s", account ? account : "");
        return buf;
    }
    return ix_mask_account(account, 4, 4, buf, size);
}
