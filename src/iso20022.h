/* iso20022.h - ISO 20022 pacs.008 customer credit transfers, decoded into transfers.
 *
 * A clearing system sends one FIToFICstmrCdtTrf document per message
 * (pacs.008.001.08 to .13, the versions with BICFI), holding one or more
 * CdtTrfTxInf. iso_decode_pacs008() reads it with expat and maps each
 * CdtTrfTxInf onto an ix_transfer, field by field (docs/iso20022.md has the
 * table): the same field rules as the JSON schemas (decode.h's dec_text_*),
 * the amount turned into minor units by the currency's ISO 4217 exponent.
 * A message is accepted whole or refused whole, with the first problem in
 * document order, as the JSON decoder refuses a message.
 *
 * Elements the model has no place for (names, addresses, remittance
 * information, charges, intermediary agents ...) are skipped: they are valid
 * pacs.008 content, and a screener that refused them would refuse real
 * traffic. A DOCTYPE is refused outright (RSN_XML_DOCTYPE), before its
 * internal subset is read: no DTD, no entity declaration and no external
 * entity is ever processed, so entity expansion cannot happen.
 *
 * @locality any thread; each call has its own parser and keeps no state.
 */
#ifndef IX_ISO20022_H
#define IX_ISO20022_H

#include <stddef.h>

#include "decode.h"
#include "model.h"
#include "reason.h"

/* Most CdtTrfTxInf one message may hold; more is RSN_TOO_LARGE. 64 KiB
 * (input.max.bytes) holds about 90 of the smallest. */
#define ISO_MAX_TX 256

/* Decode one pacs.008 document: RSN_OK with *n (1..ISO_MAX_TX) transfers in
 * out[0..*n), which has room for ISO_MAX_TX, each zeroed first; or a reason
 * below RSN_DECODE_COUNT with *err filled (err may be NULL, lim NULL for the
 * defaults) and *n 0. The field of an error names the transaction, 1-based,
 * and the element path below FIToFICstmrCdtTrf:
 * "CdtTrfTxInf[2]/DbtrAcct/Id/Othr/Id". */
rsn_reason iso_decode_pacs008(const void *buf, size_t len, const dec_limits *lim, ix_transfer *out,
                              size_t *n, dec_error *err);

#endif /* IX_ISO20022_H */
