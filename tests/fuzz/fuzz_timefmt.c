/* fuzz_timefmt.c - libFuzzer harness for tf_parse() and tf_format(): parse∘format is the identity.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timefmt.h"

#define MAX_MS 253402300799999LL /* 9999-12-31T23:59:59.999Z */

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);          \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A formatted instant is 24 bytes of a fixed shape and parses back to itself. */
static void check_format(int64_t ms)
{
    char buf[TF_RFC3339_LEN + 1];
    int n = tf_format(ms, buf, sizeof buf);
    if (ms < 0 || ms > MAX_MS) {
        CHECK(n == -1);
        return;
    }
    CHECK(n == TF_RFC3339_LEN && buf[n] == '\0' && buf[10] == 'T' && buf[23] == 'Z');
    int64_t back = -1;
    CHECK(tf_parse(buf, (size_t)n, &back) == 0);
    CHECK(back == ms);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int64_t ms = -1;
    if (tf_parse((const char *)data, size, &ms) == 0) {
        CHECK(ms >= 0 && ms <= MAX_MS);
        check_format(ms);
    }
    /* The same bytes read as an instant exercise the formatter directly. */
    if (size >= sizeof(int64_t)) {
        int64_t raw;
        memcpy(&raw, data, sizeof raw);
        check_format(raw);
        check_format(raw < 0 ? -(raw + 1) % (MAX_MS + 1) : raw % (MAX_MS + 1));
    }
    return 0;
}
