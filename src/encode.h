/* encode.h - model records to their JSON wire form (schemas/<name>.v1.json).
 *
 * The encoders write into a caller's buffer and never allocate. They are the
 * exact inverse of the decoders: dec_*(enc_*(x)) == x for every valid record.
 * Output is compact JSON with keys in schema order.
 *
 * Optional fields are omitted when they hold their zero value (no channel, no
 * device hash, no status flags); IX_ACCT_WATCHLISTED is never written. String
 * fields are read up to their array size, so a record missing a NUL cannot
 * make the encoder read past it; counts (npath, nevidence, ...) are clamped
 * to their arrays.
 *
 * @returns the number of bytes written (without a NUL; one is appended when it
 *          fits), or -1 if buf is too small or a time lies outside what
 *          tf_format() can write (before 1970 or after 9999). Nothing is ever
 *          written at or past buf[size].
 */
#ifndef IX_ENCODE_H
#define IX_ENCODE_H

#include <stddef.h>

#include "desk.h"
#include "model.h"

/* Enough for any transfer, account, watch entry, report, allow-list entry
 * or verdict. */
#define ENC_RECORD_MAX 1024
/* Enough for a transfer in either wire form (enc_transfer_as), and for
 * each further transaction of a pacs.008 message. */
#define ENC_TRANSFER_MAX 2048
/* The namespace enc_pacs008 writes. */
#define ENC_PACS008_NS "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"
/* Enough for any freeze request with all findings and evidence filled. */
#define ENC_REQUEST_MAX 65536

int enc_transfer(const ix_transfer *t, char *buf, size_t size);
/* n transfers (1 or more) as one pacs.008.001.08 FIToFICstmrCdtTrf document,
 * a CdtTrfTxInf each, compact, without an XML declaration: TxId and
 * EndToEndId the id (EndToEndId cut to its 35 characters), the account as
 * IBAN when it has an IBAN's shape, else Othr/Id; the channel is not
 * written (docs/iso20022.md). iso_decode_pacs008() reads back the same
 * transfers, channel apart. Needs ENC_TRANSFER_MAX bytes per transaction. */
int enc_pacs008(const ix_transfer *t, size_t n, char *buf, size_t size);

/* One transfer in the wire form of a transfers topic: the one place the
 * generator, the demo and the tests choose it. */
int enc_transfer_as(ix_format f, const ix_transfer *t, char *buf, size_t size);
int enc_account(const ix_account *a, char *buf, size_t size);
int enc_watch(const ix_watch *w, char *buf, size_t size);
int enc_report(const ix_report *r, char *buf, size_t size);
/* The desk's messages (schemas/allowlist.v1.json, verdict.v1.json): what
 * dec_allow and dec_verdict read back; optional fields written only when
 * set (a counterparty, either_way, rules, an expiry, a note). */
int enc_allow(const desk_allow *a, char *buf, size_t size);
int enc_verdict(const desk_verdict *v, char *buf, size_t size);
int enc_request(const ix_request *r, char *buf, size_t size);

#endif /* IX_ENCODE_H */
