/* rule_watchlist.c - watch-listed counterparty: money paid into or out of an
 * account on the watch list (confirmed mules, accounts reported by police).
 *
 * The hit is on the watch-listed account itself: it is the one to stop. Reason
 * codes: WL01 money arriving at a listed account, WL02 money leaving one.
 */
#include <stdio.h>
#include <string.h>

#include "rules.h"

static void fill_hit(rule_hit *h, const ix_transfer *t, int incoming, int score)
{
    memset(h, 0, sizeof(*h));
    const char *acct = incoming ? t->to_account : t->from_account;
    const char *bank = incoming ? t->to_bank : t->from_bank;
    memcpy(h->account, acct, strlen(acct) + 1);
    memcpy(h->bank, bank, strlen(bank) + 1);

    ix_finding *f = &h->finding;
    f->rule = "watchlist_counterparty";
    f->code = incoming ? "WL01" : "WL02";
    f->score = score;
    f->amount = t->amount;
    f->npath = 2;
    memcpy(f->path[0], t->from_account, strlen(t->from_account) + 1);
    memcpy(f->path[1], t->to_account, strlen(t->to_account) + 1);
    f->nevidence = 1;
    ix_evidence *ev = &f->evidence[0];
    memcpy(ev->transfer_id, t->id, strlen(t->id) + 1);
    memcpy(ev->from_account, t->from_account, strlen(t->from_account) + 1);
    memcpy(ev->to_account, t->to_account, strlen(t->to_account) + 1);
    ev->amount = t->amount;
    ev->time_ms = t->event_time_ms;
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
    if ((in->to->flags & IX_ACCT_WATCHLISTED) && n < room)
        fill_hit(&hits[n++], in->t, 1, (int)c->wl_score);
    if ((in->from->flags & IX_ACCT_WATCHLISTED) && n < room)
        fill_hit(&hits[n++], in->t, 0, (int)c->wl_score);
    return n;
}

const rule_def rule_watchlist = {
    .name = "watchlist",
    .code = "WL",
    .summary = "payment into or out of an account on the watch list",
    .on_transfer = wl_on_transfer,
};
