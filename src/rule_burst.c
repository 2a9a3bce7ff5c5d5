/* rule_burst.c - new or dormant account burst: an account opened days ago,
 * or silent for months, suddenly moving large sums (bought or rented
 * accounts put to work as mules).
 *
 * Evaluated for both accounts of every transfer. An account's day volume is
 * its money in plus money out over [t - 1 day, t], this transfer included.
 *  - New (NB01): it has a profile and was at most rules.burst.new.age old
 *    when the day's activity began (at its first transfer ever, or a day
 *    before t if it was active before that), and its day volume is at least
 *    rules.burst.new.volume. Measuring the age at the start of the day, not
 *    at t, keeps a burst that straddles the age limit whole: an account
 *    opened six days and 23 hours before it started moving money is new for
 *    every transfer of that day.
 *  - Dormant (DB01): its bank reports it dormant (profile flag), or its last
 *    transfer before this one was at least rules.burst.dormant.after ago; and
 *    its day volume is at least rules.burst.dormant.volume. Silence is
 *    measured before this transfer, so an account waking up by time alone is
 *    caught by the transfer that brings its day volume over the limit only
 *    if that is the first one after the silence; the bank's flag has no such
 *    limit.
 *
 * Cost: the age and silence tests and the 1-day window (which covers at
 * least the day, so it bounds the volume from above) settle nearly every
 * transfer. Only then are the account's transfers of the day read (bounded
 * by rules.search.max.flows each way) for the exact volume and the evidence;
 * when a read reaches the bound the window's volume is used. At most one
 * finding per account: new before dormant. The amount at risk is the larger
 * of the day's money in and out.
 */
#include <string.h>

#include "decode.h"
#include "rules.h"

#define DAY_MS 86400000LL

/* Its own keys, rules.burst.*. */
typedef struct bu_params {
    int64_t new_age_ms;         /* new.age */
    int64_t new_volume;         /* new.volume */
    int64_t dormant_after_ms;   /* dormant.after */
    int64_t dormant_volume;     /* dormant.volume */
    int64_t dormant_kept_score; /* dormant.kept.score */
} bu_params;

/* One evaluation: the transfer, the rule's values, and the day's flows of an account (the
 * buffer serves both sides). */
typedef struct bu_eval {
    const rule_input *in;
    const bu_params *p;
    int score;
    rule_flows fl;
} bu_eval;

/* One account of the transfer and what the rule found about it. */
typedef struct bu_side {
    rule_side side;
    int is_new, by_flag, by_time;
    int64_t age_ms, silent_ms;
    int64_t day_in, day_out; /* this transfer included */
} bu_side;

static bu_side side_of(const rule_input *in, graph_dir dir)
{
    bu_side s;
    memset(&s, 0, sizeof(s));
    s.side = rule_side_of(in, dir);
    return s;
}

/* Classify the account from its profile and times alone. */
static void classify(const bu_params *p, int64_t t, bu_side *s)
{
    const graph_acct *a = s->side.state;
    if (a->has_profile) {
        int64_t start = a->first_seen_ms && a->first_seen_ms < t ? a->first_seen_ms : t;
        if (start < t - DAY_MS)
            start = t - DAY_MS;
        s->age_ms = start > a->opened_at_ms ? start - a->opened_at_ms : 0;
        s->is_new = s->age_ms <= p->new_age_ms;
    }
    s->by_flag = (a->flags & IX_ACCT_DORMANT) != 0;
    s->silent_ms = a->last_seen_ms ? t - a->last_seen_ms : 0;
    s->by_time = a->last_seen_ms != 0 && s->silent_ms >= p->dormant_after_ms;
}

/* The lowest volume that could make a finding; 0 when none can. */
static int64_t volume_needed(const bu_params *p, const bu_side *s)
{
    int dormant = s->by_flag || s->by_time;
    if (s->is_new && dormant)
        return p->new_volume < p->dormant_volume ? p->new_volume : p->dormant_volume;
    return s->is_new ? p->new_volume : dormant ? p->dormant_volume : 0;
}

/* The day's volume from the 1-day window: an upper bound. */
static void window_volume(const ix_transfer *t, bu_side *s)
{
    const win_totals *w = &s->side.state->win[WIN_1D];
    s->day_in = w->in_sum + (s->side.dir == GRAPH_IN ? t->amount : 0);
    s->day_out = w->out_sum + (s->side.dir == GRAPH_OUT ? t->amount : 0);
}

/* Read the day's transfers (into the buffer of both sides); the exact volume
 * replaces the window's unless a read reached the bound. */
static int read_day(const rule_input *in, bu_side *s, rule_flows *fl, char *errstr,
                    size_t errstr_size)
{
    int max = (int)in->c->search_max_flows;
    int64_t t = in->t->event_time_ms;
    if (rule_read_flows(in, s->side.account, t - DAY_MS, t, fl, errstr, errstr_size) != 0)
        return -1;
    if (fl->nin < max && fl->nout < max) {
        s->day_in = rule_sum_flows(fl->in, fl->nin);
        s->day_out = rule_sum_flows(fl->out, fl->nout);
    }
    return 0;
}

/* The day's money out to persons (rule_is_person), or -1 on a storage error. */
static int64_t out_to_persons(const rule_input *in, const rule_flows *fl, char *errstr,
                              size_t errstr_size)
{
    int64_t sum = 0;
    for (int i = 0; i < fl->nout; i++) {
        int rc = rule_is_person(in, fl->out[i].peer, errstr, errstr_size);
        if (rc < 0)
            return -1;
        sum += rc ? fl->out[i].amount : 0;
    }
    return sum;
}

static int add_hit(const bu_eval *x, const bu_side *s, rule_hit *hits, int *n, int room,
                   char *errstr, size_t errstr_size)
{
    const bu_params *p = x->p;
    const rule_flows *fl = &x->fl;
    int64_t volume = s->day_in + s->day_out;
    int fresh = s->is_new && volume >= p->new_volume;
    int dormant = (s->by_flag || s->by_time) && volume >= p->dormant_volume;
    if (!fresh && !dormant)
        return 0; /* the exact volume fell short of the window's */
    int64_t at_risk = s->day_in > s->day_out ? s->day_in : s->day_out;
    int score = x->score;
    int64_t onward = 0;
    if (!fresh) {
        /* A dormant account woken by money it keeps or spends (a relative's help paying a
         * hospital) is a weaker sign than one moving most of it on to persons. */
        if ((onward = out_to_persons(x->in, fl, errstr, errstr_size)) < 0)
            return -1;
        if (onward * 2 < at_risk)
            score = (int)p->dormant_kept_score;
    }
    rule_hit *h = rule_hit_add(hits, n, room, s->side.account, s->side.bank, "burst",
                               fresh ? "NB01" : "DB01", score, at_risk);
    if (!h)
        return 0;
    ix_finding *f = &h->finding;
    if (fresh) {
        rule_figure(f, "account_age_days", s->age_ms / DAY_MS, p->new_age_ms / DAY_MS);
    } else {
        if (s->by_flag)
            rule_figure(f, "reported_dormant", 1, 1);
        if (s->by_time)
            rule_figure(f, "silent_days", s->silent_ms / DAY_MS, p->dormant_after_ms / DAY_MS);
    }
    rule_figure(f, "day_volume", volume, fresh ? p->new_volume : p->dormant_volume);
    if (!fresh)
        rule_figure(f, "to_persons_pct", (int64_t)((__int128)onward * 100 / at_risk), 50);
    /* The day's most recent money in and out; path: senders, the account, receivers. */
    rule_evidence_in_out(f, s->side.account, fl->in, fl->nin, fl->out, fl->nout);
    return 0;
}

static int judge_side(bu_eval *x, graph_dir dir, rule_hit *hits, int *n, int room, char *errstr,
                      size_t errstr_size)
{
    const rule_input *in = x->in;
    bu_side s = side_of(in, dir);
    classify(x->p, in->t->event_time_ms, &s);
    int64_t need = volume_needed(x->p, &s);
    if (need == 0)
        return 0;
    window_volume(in->t, &s);
    if (s.day_in + s.day_out < need)
        return 0;
    if (read_day(in, &s, &x->fl, errstr, errstr_size) != 0)
        return -1;
    return add_hit(x, &s, hits, n, room, errstr, errstr_size);
}

static int bu_on_transfer(const rules *r, const cfg_rule *self, const rule_input *in,
                          rule_hit *hits, int room, char *errstr, size_t errstr_size)
{
    bu_eval x = {.in = in, .p = self->params, .score = (int)self->score};
    int n = 0, rc;
    (void)r;
    rc = judge_side(&x, GRAPH_OUT, hits, &n, room, errstr, errstr_size);
    if (rc == 0)
        rc = judge_side(&x, GRAPH_IN, hits, &n, room, errstr, errstr_size);
    rule_flows_free(&x.fl);
    return rc < 0 ? -1 : n;
}

static const cfg_entry bu_keys[] = {
    {.name = "new.age",
     .type = CFG_DURATION,
     .offset = offsetof(bu_params, new_age_ms),
     .def = "7d",
     .min = CFG_HOUR,
     .max = 365 * CFG_DAY,
     .summary = "An account opened at most this long before a transfer is new.",
     .desc = "The opening time comes from the account's profile; without a profile the account is "
             "never new."},
    {.name = "new.volume",
     .type = CFG_MONEY,
     .offset = offsetof(bu_params, new_volume),
     .def = "100000.00",
     .min = 1,
     .max = DEC_AMOUNT_MAX,
     .summary = "A new account's money in and out within a day that is a burst.",
     .desc = "Money in and out counted together, as money of `currency`."},
    {.name = "dormant.after",
     .type = CFG_DURATION,
     .offset = offsetof(bu_params, dormant_after_ms),
     .def = "90d",
     .min = CFG_DAY,
     .max = 3650 * CFG_DAY,
     .summary = "Silence after which an account counts as dormant.",
     .desc = "An account is also dormant when its bank reports it so in its profile."},
    {.name = "dormant.volume",
     .type = CFG_MONEY,
     .offset = offsetof(bu_params, dormant_volume),
     .def = "50000.00",
     .min = 1,
     .max = DEC_AMOUNT_MAX,
     .summary = "A dormant account's money in and out within a day that is a burst.",
     .desc = "Money in and out counted together, as money of `currency`."},
    {.name = "dormant.kept.score",
     .type = CFG_INT,
     .offset = offsetof(bu_params, dormant_kept_score),
     .def = "20",
     .min = 0,
     .max = 100,
     .summary = "Score of a dormant burst whose money did not go on to persons.",
     .desc = "When the day's money out to persons is less than half of the larger of its "
             "money in and out (the money kept, or paid to a business: a hospital, a school), "
             "DB01 scores this instead of the rule's score: a REVIEW, until the money moves on "
             "to persons. Figure `to_persons_pct` (threshold 50)."},
    {.name = NULL},
};

const rule_def rule_burst = {
    .name = "burst",
    .code = "NB/DB", /* NB01 new account, DB01 dormant account */
    .summary = "a new or dormant account suddenly moving large sums",
    .config = {.what = "new or dormant account burst: a young or silent account suddenly moving "
                       "large sums",
               .score = "50",
               .keys = bu_keys,
               .size = sizeof(bu_params)},
    .on_transfer = bu_on_transfer,
};
