/* fuzz_pacs008.c - libFuzzer harness for iso_decode_pacs008(): any bytes, no
 * crash, a consistent error; an accepted document's transfers, written back
 * by enc_pacs008(), decode to the identical records, and writing those gives
 * the same bytes again. */
#include <stddef.h>
#include <stdint.h>

#include "iso20022.h"
#include "roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Shared by the runs: ISO_MAX_TX transfers are too large for the stack. */
static ix_transfer rec[ISO_MAX_TX], back[ISO_MAX_TX];
static char buf[ISO_MAX_TX * ENC_TRANSFER_MAX], again[ISO_MAX_TX * ENC_TRANSFER_MAX];

static rsn_reason decode(const void *in, size_t len, const dec_limits *lim, ix_transfer *out,
                         size_t *n, dec_error *err)
{
    rsn_reason r = iso_decode_pacs008(in, len, lim, out, n, err);
    rt_check_error(r, err);
    RT_CHECK((int)r >= 0 && (int)r < RSN_DECODE_COUNT);
    RT_CHECK(r == RSN_OK ? *n >= 1 && *n <= ISO_MAX_TX : *n == 0);
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dec_error err;
    dec_limits lim, big;
    size_t n, n2;
    rsn_reason r = decode(data, size, NULL, rec, &n, &err);

    /* The time window can only turn success into RSN_TIME_RANGE. */
    dec_limits_default(&lim);
    lim.now_ms = 1795401061123LL; /* 2026-11-23T02:31:01.123Z */
    rsn_reason ranged = decode(data, size, &lim, back, &n2, &err);
    RT_CHECK(ranged == r || (r == RSN_OK && ranged == RSN_TIME_RANGE));
    if (r != RSN_OK) {
        return 0;
    }

    int len = enc_pacs008(rec, n, buf, sizeof buf);
    RT_CHECK(len > 0 && (size_t)len < sizeof buf && buf[len] == '\0');
    /* The written form may be longer than the input: no size limit on it. */
    dec_limits_default(&big);
    big.max_bytes = sizeof buf;
    RT_CHECK(decode(buf, (size_t)len, &big, back, &n2, &err) == RSN_OK);
    RT_CHECK(n2 == n);
    RT_CHECK(memcmp(rec, back, n * sizeof rec[0]) == 0);
    RT_CHECK(enc_pacs008(back, n, again, sizeof again) == len);
    RT_CHECK(memcmp(buf, again, (size_t)len) == 0);
    return 0;
}
