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
    int level;   /* cfg_log_level: messages above it are dropped */
    FILE *out;   /* stderr unless redirected (tests) */
} ix_log;

void ix_log_write(const ix_log *lg, int level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define LOG_AT(lg, lvl, mod, ...)                                                                  \
    do {                                                                                           \
        if ((lg) && (lvl) <= (lg)->level)                                                          \
            ix_log_write((lg), (lvl), (mod), __VA_ARGS__);                                         \
    } while (0)

#define LOG_ERROR(lg, mod, ...) LOG_AT(lg, 0, mod, __VA_ARGS__)
#define LOG_WARN(lg, mod, ...)  LOG_AT(lg, 1, mod, __VA_ARGS__)
#define LOG_INFO(lg, mod, ...)  LOG_AT(lg, 2, mod, __VA_ARGS__)
#define LOG_DEBUG(lg, mod, ...) LOG_AT(lg, 3, mod, __VA_ARGS__)

#endif /* IX_LOG_H */
