/* timefmt.h - RFC 3339 timestamps to and from Unix epoch milliseconds. */
#ifndef IX_TIMEFMT_H
#define IX_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* Longest string tf_format() writes, without the NUL:
 * "2026-11-23T10:31:01.123Z". */
#define TF_RFC3339_LEN 24

/* Parse "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" (the separator may
 * be 't' or 'T', 'z' for 'Z'). Fractions beyond milliseconds are truncated.
 * Years 1970..9999 only. Returns 0 and sets *ms, or -1.
 * Strict: exact digit counts, real calendar dates, hour 0..23, minute and
 * second 0..59 (no leap second), a fraction of 1 to 9 digits, offset hours
 * 0..23; s need not be NUL-terminated. The instant itself must also fall in
 * 1970-01-01T00:00:00Z .. 9999-12-31T23:59:59.999Z, so that every parsed
 * time can be formatted back. */
int tf_parse(const char *s, size_t len, int64_t *ms);

/* Format as UTC with milliseconds into buf (at least TF_RFC3339_LEN + 1
 * bytes). Returns the length written, or -1 if the time is out of range. */
int tf_format(int64_t ms, char *buf, size_t size);

/* Wall clock, Unix epoch milliseconds. */
int64_t tf_now_ms(void);

/* Monotonic clock in nanoseconds, for measuring durations. */
int64_t tf_mono_ns(void);

#endif /* IX_TIMEFMT_H */
