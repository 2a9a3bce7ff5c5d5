/* score.h - what an account's score and baseline remember between transfers.
 *
 * Two fixed-size records per account, meant to sit in the account value beside
 * its windows (issue 11, items 3 and 4):
 *
 * - score_mem: per rule slot, the strongest finding within a horizon and its
 *   event time. The account's score is the sum over the slots still inside the
 *   horizon, capped at 100, so weak findings of different rules and days add up
 *   while one rule firing many times counts once (its strongest).
 * - score_base: distinct counterparties of the current week, as a 64-bit set of
 *   hashed account ids, and the highest weekly count of the weeks before. A
 *   surge (six payers for a person who never had more than two) is a signal of
 *   its own.
 *
 * Both are plain values: no allocation, no locks; the caller owns them. Nothing
 * here reads the configuration: the horizon and the surge bounds are arguments.
 * The account value carries both (graphcodec.c); rules_screen() notes each
 * finding and decides from the account's score.
 */
#ifndef IX_SCORE_H
#define IX_SCORE_H

#include <stddef.h>
#include <stdint.h>

#define SCORE_SLOTS     16          /* rule slots remembered per account */
#define SCORE_MAX       100         /* an account's score is capped here, like a request's */
#define SCORE_WEEK_MS   604800000LL /* the baseline's period: 7 days */
#define SCORE_BASE_WIRE 20          /* bytes of a score_base */
#define SCORE_WIRE_MAX  (2 + SCORE_SLOTS * 9 + SCORE_BASE_WIRE) /* most score_encode() writes */

typedef struct score_mem {
    int64_t at_ms[SCORE_SLOTS]; /* event time of the slot's kept finding; 0: none */
    uint8_t score[SCORE_SLOTS]; /* its score, 0..SCORE_MAX */
} score_mem;

/* One slot that counts towards the score, for the evidence. */
typedef struct score_part {
    int slot;
    int score;
    int64_t at_ms;
} score_part;

typedef struct score_base {
    int64_t week;   /* index of the current week (event time / SCORE_WEEK_MS) */
    uint64_t seen;  /* hashed counterparties of the current week, one bit each */
    uint16_t peak;  /* most counterparties in any earlier week */
    uint16_t weeks; /* earlier weeks with at least one counterparty, saturating */
} score_base;

/* Keep a finding of rule slot `slot` (0..SCORE_SLOTS-1) at event time `at_ms`: it replaces
 * the slot's finding when that one has left the horizon or is not stronger. Returns 0, or -1
 * when slot or score is out of range. */
int score_note(score_mem *m, int slot, int score, int64_t at_ms, int64_t horizon_ms);

/* The score at `now_ms`: the sum of the slots whose finding lies in (now - horizon, now],
 * capped at SCORE_MAX. When `parts` is not NULL it receives those slots (at most
 * SCORE_SLOTS), in slot order, and *nparts their number. */
int score_total(const score_mem *m, int64_t now_ms, int64_t horizon_ms, score_part *parts,
                int *nparts);

/* The hash of a counterparty's account id that score_base_note() counts. */
uint64_t score_peer_hash(const char *account);

/* Count counterparty `who` (score_peer_hash() of its account id) at event time `at_ms`. A transfer
 * of a week before the current one is not counted: event time is in order per account. */
void score_base_note(score_base *b, uint64_t who, int64_t at_ms);

/* Counterparties of the current week (a lower bound: two ids may share a bit). */
int score_base_now(const score_base *b);

/* Whether the current week is a surge: at least `min_weeks` earlier weeks, at least
 * `min_now` counterparties now and at least `factor` times the earlier peak. */
int score_base_surge(const score_base *b, int min_weeks, int min_now, int factor);

/* The two records, little-endian, and back: a 16-bit mask of the slots that hold a finding,
 * 9 bytes for each of them (event time, score), then the baseline's 20 bytes; so an
 * account with no finding costs 22 bytes. score_encode() returns the length written (at
 * most SCORE_WIRE_MAX). score_decode() refuses (returns -1) a length that is not the mask's,
 * and a masked slot whose score is 0 or above SCORE_MAX. */
size_t score_encode(const score_mem *m, const score_base *b, uint8_t *out);
int score_decode(const uint8_t *in, size_t len, score_mem *m, score_base *b);

#endif
