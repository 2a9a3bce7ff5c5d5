/* fuzz_decode_diff.c - differential libFuzzer harness: the decoders against their jansson
 * reference, on every input.
 *
 * Each input is decoded by all four decoders (transfer, account, watch-list
 * entry, fraud report) and by the matching reference decoder of
 * decode_ref.c, the jansson implementation they replaced, once without
 * limits and once with a time window. Any difference aborts: in the
 * accept/reject decision, the reason, the field, the detail, or (when both
 * accept) a single byte of the record.
 *
 * The one tolerated difference: jansson 2.14 skips a NUL byte that follows a
 * number or a literal, so the reference may accept such a message or reject
 * it for something later; the decoders reject it as malformed at the NUL
 * (docs/decoding.md). That is recognised from the new decoder's detail:
 * "malformed" at byte N where byte N-1 is that NUL.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "decode_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef union record {
    ix_transfer t;
    ix_account a;
    ix_watch w;
    ix_report r;
} record;

typedef rsn_reason (*decode_fn)(const void *buf, size_t len, const dec_limits *lim, void *out,
                                dec_error *err);

static rsn_reason new_transfer(const void *b, size_t n, const dec_limits *l, void *o, dec_error *e)
{
    return dec_transfer(b, n, l, o, e);
}

static rsn_reason ref_transfer(const void *b, size_t n, const dec_limits *l, void *o, dec_error *e)
{
    return ref_dec_transfer(b, n, l, o, e);
}

static rsn_reason new_account(const void *b, size_t n, const dec_limits *l, void *o, dec_error *e)
{
    return dec_account(b, n, l, o, e);
}

static rsn_reason ref_account(const void *b, size_t n, const dec_limits *l, void *o, dec_error *e)
{
    return ref_dec_account(b, n, l, o, e);
}

static rsn_reason new_watch(const void *b, size_t n, const dec_limits *l, void *o, dec_error *e)
{
    return dec_watch(b, n, l, o, e);
}

static rsn_reason ref_watch(const void *b, size_t n, const dec_limits *l, void *o, dec_error *e)
{
    return ref_dec_watch(b, n, l, o, e);
}

static rsn_reason new_report(const void *b, size_t n, const dec_limits *l, void *o, dec_error *e)
{
    return dec_report(b, n, l, o, e);
}

static rsn_reason ref_report(const void *b, size_t n, const dec_limits *l, void *o, dec_error *e)
{
    return ref_dec_report(b, n, l, o, e);
}

static const struct {
    const char *name;
    decode_fn now, ref;
    size_t size;
} decoders[] = {
    {"transfer", new_transfer, ref_transfer, sizeof(ix_transfer)},
    {"account", new_account, ref_account, sizeof(ix_account)},
    {"watch", new_watch, ref_watch, sizeof(ix_watch)},
    {"report", new_report, ref_report, sizeof(ix_report)},
};

/* Where the detail of a "malformed" rejection says it stopped, or 0. */
static size_t malformed_at(rsn_reason r, const dec_error *err)
{
    const char *at = strstr(err->detail, " at byte ");
    return r == RSN_MALFORMED && at ? strtoul(at + 9, NULL, 10) : 0;
}

/* The new decoder rejected a NUL that jansson skipped (see the top), and the
 * reference found nothing wrong before it. */
static int skipped_nul(const uint8_t *data, size_t size, rsn_reason rnow, const dec_error *enow,
                       rsn_reason rref, const dec_error *eref)
{
    size_t n = malformed_at(rnow, enow);
    if (n < 2 || n > size || data[n - 1] != 0) {
        return 0;
    }
    uint8_t before = data[n - 2];
    if ((before < '0' || before > '9') && ((before | 0x20) < 'a' || (before | 0x20) > 'z')) {
        return 0;
    }
    return rref != RSN_MALFORMED || malformed_at(rref, eref) >= n - 1;
}

static void differ(const char *name, const char *what, const dec_error *now, const dec_error *ref)
{
    char a[256], b[256];
    dec_error_format(now, a, sizeof a);
    dec_error_format(ref, b, sizeof b);
    fprintf(stderr, "%s decoders differ in %s:\n  new:       %s\n  reference: %s\n", name, what, a,
            b);
    abort();
}

static void compare(size_t i, const uint8_t *data, size_t size, const dec_limits *lim)
{
    record now, ref;
    dec_error enow, eref;
    memset(&now, 0, sizeof now);
    memset(&ref, 0, sizeof ref);
    rsn_reason rnow = decoders[i].now(data, size, lim, &now, &enow);
    rsn_reason rref = decoders[i].ref(data, size, lim, &ref, &eref);
    if (skipped_nul(data, size, rnow, &enow, rref, &eref) &&
        (rref != rnow || strcmp(enow.detail, eref.detail) != 0)) {
        return;
    }
    if (rnow != rref) {
        differ(decoders[i].name, "the reason", &enow, &eref);
    }
    if (strcmp(enow.field, eref.field) != 0) {
        differ(decoders[i].name, "the field", &enow, &eref);
    }
    if (strcmp(enow.detail, eref.detail) != 0) {
        differ(decoders[i].name, "the detail", &enow, &eref);
    }
    if (rnow == RSN_OK && memcmp(&now, &ref, decoders[i].size) != 0) {
        differ(decoders[i].name, "the record", &enow, &eref);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dec_limits window;
    dec_limits_default(&window);
    window.now_ms = 1795401061123LL; /* 2026-11-23T02:31:01.123Z */
    for (size_t i = 0; i < sizeof decoders / sizeof decoders[0]; i++) {
        compare(i, data, size, NULL);
        compare(i, data, size, &window);
    }
    return 0;
}
