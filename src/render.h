/* render.h - freeze requests and dead letters made readable for people
 * (the demo, `interdict tail`). Input is the wire JSON, so anything read
 * back from Kafka can be shown.
 */
#ifndef IX_RENDER_H
#define IX_RENDER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* "12,345.67 CNY" using the currency's minor units (2 for an unknown code). */
void render_amount(int64_t minor, const char *currency, char *buf, size_t size);

/* Whether a finding's figure of this name is money (shown as money; counts,
 * percents and times are plain numbers). */
int render_is_money(const char *name);

/* Check that `json` is a freeze request the renderer can show in full: a
 * JSON object with "version": 1 and every field of
 * schemas/freeze-request.v1.json present with its JSON type (strings,
 * integers, objects, arrays), and an action that is FREEZE, HOLD or REVIEW.
 * Values are not range-checked and unknown keys are ignored: this reads what
 * is on a topic, it does not police it. Returns 0, or -1 with the first
 * problem in errstr, e.g. `findings[1].evidence[0].amount: expected an
 * integer`; errstr never holds control characters. */
int render_check(const void *json, size_t len, char *errstr, size_t errstr_size);

/* A freeze request as a few indented lines, for a fraud desk:
 *
 *   FREEZE account 6222021234567890123 at ICBKCNBJ  score 85  [fr-3f9a1c0e5b7d2a46]
 *       trigger tx-1  12,400.00 CNY  event 2026-11-23T02:34:12.000Z  detected ...
 *       PT01  pass_through               score  60  at risk 12,400.00 CNY
 *             path A -> B -> C
 *             out_in_ratio_pct = 99 (threshold 80)
 *             tx-0  A -> B  12,500.00 CNY  2026-11-23T02:31:01.123Z
 *
 * The header names the action, the account, its bank, the score and the
 * request id; then the trigger; then per finding its reason code, rule,
 * score and amount at risk, the path the money took, the figures next to
 * their thresholds, and the transfers cited as evidence. Amounts are in the
 * trigger's currency. Control characters in the message's strings are shown
 * as '?', so a message cannot move a terminal's cursor or forge lines.
 * Nothing is written unless render_check() passes; returns 0, or -1 with
 * errstr filled as there. */
int render_request(const void *json, size_t len, FILE *out, char *errstr, size_t errstr_size);

#endif /* IX_RENDER_H */
