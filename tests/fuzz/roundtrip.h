/* roundtrip.h - the invariants every decoder harness checks, shared by fuzz_<parser>.c.
 *
 * For any input: the decoder returns, and its error is consistent and
 * bounded. For an input it accepts: the encoder can write the record, the
 * decoder reads back the identical record (byte for byte: decoders zero the
 * record first), and encoding that gives the same bytes again. A broken
 * invariant aborts, which libFuzzer reports as a crash with the input.
 */
#ifndef IX_FUZZ_ROUNDTRIP_H
#define IX_FUZZ_ROUNDTRIP_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "encode.h"

typedef rsn_reason (*rt_decode)(const void *buf, size_t len, const dec_limits *lim, void *out,
                                dec_error *err);
typedef int (*rt_encode)(const void *rec, char *buf, size_t size);

#define RT_CHECK(cond)                                                                             \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);          \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* Large enough and aligned for any input record. */
typedef union rt_record {
    ix_transfer t;
    ix_account a;
    ix_watch w;
    ix_report r;
    desk_allow al;
    desk_verdict v;
} rt_record;

static inline void rt_check_error(rsn_reason r, const dec_error *err)
{
    RT_CHECK(err->reason == r);
    RT_CHECK(memchr(err->field, '\0', sizeof err->field) != NULL);
    RT_CHECK(memchr(err->detail, '\0', sizeof err->detail) != NULL);
    RT_CHECK(r == RSN_OK || err->detail[0] != '\0');
    for (const char *p = err->detail; *p; p++) {
        RT_CHECK((unsigned char)*p >= 0x20 && *p != 0x7F); /* no control characters */
    }
}

static inline int rt_run(const uint8_t *data, size_t size, rt_decode dec, rt_encode enc)
{
    rt_record rec, back;
    dec_error err;
    /* The decoders zero their own record; zero the rest of the union too. */
    memset(&rec, 0, sizeof rec);
    memset(&back, 0, sizeof back);
    rsn_reason r = dec(data, size, NULL, &rec, &err);
    rt_check_error(r, &err);
    RT_CHECK((int)r >= 0 && (int)r < RSN_DECODE_COUNT);

    /* The time range is checked last: it can only turn success into
     * RSN_TIME_RANGE, never change another reason. */
    dec_limits lim;
    dec_limits_default(&lim);
    lim.now_ms = 1795401061123LL; /* 2026-11-23T02:31:01.123Z */
    rsn_reason ranged = dec(data, size, &lim, &back, &err);
    rt_check_error(ranged, &err);
    RT_CHECK(ranged == r || (r == RSN_OK && ranged == RSN_TIME_RANGE));
    if (r != RSN_OK) {
        return 0;
    }

    char buf[ENC_RECORD_MAX];
    char again[ENC_RECORD_MAX];
    int n = enc(&rec, buf, sizeof buf);
    RT_CHECK(n > 0 && (size_t)n < sizeof buf && buf[n] == '\0');
    RT_CHECK(dec(buf, (size_t)n, NULL, &back, &err) == RSN_OK);
    RT_CHECK(memcmp(&rec, &back, sizeof rec) == 0);
    RT_CHECK(enc(&back, again, sizeof again) == n);
    RT_CHECK(memcmp(buf, again, (size_t)n) == 0);
    return 0;
}

#endif /* IX_FUZZ_ROUNDTRIP_H */
