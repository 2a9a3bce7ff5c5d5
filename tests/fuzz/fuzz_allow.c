/* fuzz_allow.c - libFuzzer harness for dec_allow(): any bytes, no crash; accepted input
 * round-trips. */
#include <stddef.h>
#include <stdint.h>

#include "roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static rsn_reason decode(const void *buf, size_t len, const dec_limits *lim, void *out,
                         dec_error *err)
{
    return dec_allow(buf, len, lim, out, err);
}

static int encode(const void *rec, char *buf, size_t size)
{
    return enc_allow(rec, buf, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return rt_run(data, size, decode, encode);
}
