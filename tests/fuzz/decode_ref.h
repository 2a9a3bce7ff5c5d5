/* decode_ref.h - the jansson reference decoders (decode_ref.c), for the differential fuzzer and
 * the decoder benchmark.
 *
 * Same contract as decode.h's dec_transfer() and friends; they share
 * dec_limits, dec_error and rsn_code() with the real decoders.
 */
#ifndef IX_DECODE_REF_H
#define IX_DECODE_REF_H

#include "decode.h"

rsn_reason ref_dec_transfer(const void *buf, size_t len, const dec_limits *lim, ix_transfer *out,
                            dec_error *err);
rsn_reason ref_dec_account(const void *buf, size_t len, const dec_limits *lim, ix_account *out,
                           dec_error *err);
rsn_reason ref_dec_watch(const void *buf, size_t len, const dec_limits *lim, ix_watch *out,
                         dec_error *err);
rsn_reason ref_dec_report(const void *buf, size_t len, const dec_limits *lim, ix_report *out,
                          dec_error *err);

#endif /* IX_DECODE_REF_H */
