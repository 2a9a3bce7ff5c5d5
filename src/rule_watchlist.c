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

static int wl_on_transfer(const rules *r, const rule_input *in, rule_hit *hits, int room,
                          char *errstr, size_t errstr_size)
{
    const cfg *c = rules_cfg(r);
    int n = 0;
    (void)errstr;
    (void)errstr_size;
    if (!c->wl_enabled)
        return 0;
    if (in->to->flags & IX_ACCT_WATCHLISTED)
        add_hit(hits, &n, room, in->t, 1, (int)c->wl_score);
    if (in->from->flags & IX_ACCT_WATCHLISTED)
        add_hit(hits, &n, room, in->t, 0, (int)c->wl_score);
    return n;
}

const rule_def rule_watchlist = {
    .name = "watchlist",
    .code = "WL",
    .summary = "payment into or out of an account on the watch list",
    .on_transfer = wl_on_transfer,
};
