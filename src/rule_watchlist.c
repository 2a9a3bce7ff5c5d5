/* rule_watchlist.c - watch-listed counterparty: money paid into or out of an
 * account on the watch list (confirmed mules, accounts reported by police).
 *
 * The hit is on the watch-listed account itself: it is the one to stop. Reason
 * codes: WL01 money arriving at a listed account, WL02 money leaving one.
 */
#include "rules.h"

static void add_hit(rule_hit *hits, int *n, int room, const ix_transfer *t, int incoming, int score)
{
    rule_hit *h = rule_hit_add(hits, n, room, incoming ? t->to_account : t->from_account,
                               incoming ? t->to_bank : t->from_bank, "watchlist_counterparty",
                               incoming ? "WL01" : "WL02", score, t->amount);
    if (!h)
        return;
    rule_path(&h->finding, t->from_account);
    rule_path(&h->finding, t->to_account);
    rule_evidence_transfer(&h->finding, t);
}

static int wl_on_transfer(const rules *r, const cfg_rule *self, const rule_input *in,
                          rule_hit *hits, int room, char *errstr, size_t errstr_size)
{
    int n = 0;
    (void)r;
    (void)errstr;
    (void)errstr_size;
    if (in->to->flags & IX_ACCT_WATCHLISTED)
        add_hit(hits, &n, room, in->t, 1, (int)self->score);
    if (in->from->flags & IX_ACCT_WATCHLISTED)
        add_hit(hits, &n, room, in->t, 0, (int)self->score);
    return n;
}

const rule_def rule_watchlist = {
    .name = "watchlist",
    .code = "WL",
    .summary = "payment into or out of an account on the watch list",
    /* No thresholds of its own: the list decides. */
    .config = {.score = "100",
               .enabled_text = {.summary = "Flag accounts that pay into or receive from a "
                                           "watch-listed account.",
                                .desc = "This is the watch-listed counterparty rule. The list "
                                        "comes from `topic.watchlist` and `watchlist.file`; "
                                        "every hit cites the transfer and the listed account "
                                        "as evidence."},
               .score_text = {.summary = "Score of a watch-list hit, from 0 to 100.",
                              .desc = "An account's findings add up to its score (capped at "
                                      "100), and the score picks the action (see the Actions "
                                      "keys). The default makes any dealing with a listed "
                                      "account a FREEZE request on its own; set it below "
                                      "`action.freeze.score` to ask only for a HOLD or a "
                                      "REVIEW unless other findings add to it."}},
    .on_transfer = wl_on_transfer,
};
