/* log.h - leveled logging to stderr.
 *
 * The level lives in a logger handle owned by main, not in a global; modules
 * receive it through their context. The macros skip formatting below the
 * configured level, so debug logging costs one comparison when disabled.
 */
#ifndef IX_LOG_H
#define IX_LOG_H

#include <stdio.h>

typedef struct ix_log {
    int level;         /* cfg_log_level: messages above it are dropped */
    FILE *out;         /* stderr unless redirected (tests) */
    int full_accounts; /* log.accounts=full: account ids as they are */
} ix_log;

/* Room for an account id as ix_log_account() writes it. */
#define IX_LOG_ACCOUNT_MAX 48

/* An account id for a log line: masked by default as the console masks it
 * (ix_mask_account(): the first 4 and the last 4 characters kept, the rest
 * '*'; ids of 10 or fewer all '*'), as it was with log.accounts=full. A log
 * is read by more people than a victim's id should be shown to. Returns buf. */
const char *ix_log_account(const ix_log *lg, const char *account, char *buf, size_t size);

/* Longest line written, newline included; longer messages are cut and end in "...". */
#define IX_LOG_LINE_MAX 2048

/* Write one line, whatever the level (the macros below do the filtering):
 * "2026-11-23T10:31:01.123Z WARN  module: message\n", UTC, to lg->out or
 * stderr if NULL. One fwrite per line, so lines from threads do not mix.
 * Control characters in the message become '?', so logged input cannot forge
 * lines; a trailing newline in fmt is dropped. */
void ix_log_write(const ix_log *lg, int level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The handle is copied once into a local, so `lg` is evaluated once and `&ctx_log` does not
 * trip -Waddress ("will always evaluate as true"). The format arguments are evaluated only
 * when the level lets the line through. */
#define LOG_AT(lg, lvl, mod, ...)                                                                  \
    do {                                                                                           \
        const ix_log *ix_log_at_ = (lg);                                                           \
        if (ix_log_at_ && (lvl) <= ix_log_at_->level)                                              \
            ix_log_write(ix_log_at_, (lvl), (mod), __VA_ARGS__);                                   \
    } while (0)

#define LOG_ERROR(lg, mod, ...) LOG_AT(lg, 0, mod, __VA_ARGS__)
#define LOG_WARN(lg, mod, ...)  LOG_AT(lg, 1, mod, __VA_ARGS__)
#define LOG_INFO(lg, mod, ...)  LOG_AT(lg, 2, mod, __VA_ARGS__)
#define LOG_DEBUG(lg, mod, ...) LOG_AT(lg, 3, mod, __VA_ARGS__)

#endif /* IX_LOG_H */
