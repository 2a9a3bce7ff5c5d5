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
 *   its own. Beside it, the money in and out of the current week, of the week
 *   before, and of the busiest week before that: what the account usually
 *   moves, which the rules compare a window's money against
 *   (score_base_money()).
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
#define SCORE_BASE_WIRE 44          /* bytes of a score_base */
#define SCORE_BASE_V1   20          /* bytes of one without the money (account value v3) */
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
    /* Money per week, in whole units of the currency (minor units / 100, each transfer
     * rounded up, saturating): [0] in, [1] out. */
    uint32_t money_now[2];  /* the current week */
    uint32_t money_prev[2]; /* the week before it (0 when that week was silent) */
    uint32_t money_peak[2]; /* the busiest of the weeks before that */
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

/* Count counterparty `who` (score_peer_hash() of its account id) and `amount` (minor units) of
 * money in (`incoming` 1) or out at event time `at_ms`. A transfer of a week before the current
 * one is not counted: event time is in order per account. */
void score_base_note(score_base *b, uint64_t who, int incoming, int64_t amount, int64_t at_ms);

/* At least the account's money in (`incoming` 1) or out, in minor units, from `since_ms` on:
 * the money of the remembered weeks that reach past `since_ms` (the current week, the one
 * before), or INT64_MAX when an older week does, which the baseline does not tell apart. The
 * cheap check of a window of at most a week. */
int64_t score_base_recent(const score_base *b, int incoming, int64_t since_ms);

/* The account's usual money in (`incoming` 1) or out, in minor units, before a window that
 * starts at `since_ms`: the busiest of the weeks it remembers (the current one, the one before,
 * the busiest before those) that ended before the week of `since_ms` began, so that money of
 * the window is never its own baseline. 0 when no such week moved money. */
int64_t score_base_money(const score_base *b, int incoming, int64_t since_ms);

/* Earlier weeks with any counterparty as of event time `now_ms`: b->weeks, plus the current
 * week once `now_ms` lies past it (a baseline read just before a transfer of a new week). */
int score_base_weeks(const score_base *b, int64_t now_ms);

/* Counterparties of the current week (a lower bound: two ids may share a bit). */
int score_base_now(const score_base *b);

/* Whether the current week is a surge: at least `min_weeks` earlier weeks, at least
 * `min_now` counterparties now and at least `factor` times the earlier peak. */
int score_base_surge(const score_base *b, int min_weeks, int min_now, int factor);

/* The two records, little-endian, and back: a 16-bit mask of the slots that hold a finding,
 * 9 bytes for each of them (event time, score), then the baseline's 44 bytes (week, set,
 * peak, weeks, then the money: now, previous week, peak, each in and out); so an account
 * with no finding costs 46 bytes. score_encode() returns the length written (at most
 * SCORE_WIRE_MAX). score_decode() reads the baseline of `base_wire` bytes (SCORE_BASE_WIRE,
 * or SCORE_BASE_V1 for a value written before the money was kept, which then reads as
 * none) and refuses (returns -1) a length that is not the mask's, and a masked slot whose
 * score is 0 or above SCORE_MAX. */
size_t score_encode(const score_mem *m, const score_base *b, uint8_t *out);
int score_decode(const uint8_t *in, size_t len, size_t base_wire, score_mem *m, score_base *b);

#endif
