/* rules.c - the rule table, scoring, actions and request building. */
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

#define RULE_PATH_SENDERS 4 /* senders on an in-and-out finding's path */

extern const rule_def rule_watchlist;
/* single-account and one-step rules */
extern const rule_def rule_structuring;
extern const rule_def rule_burst;
extern const rule_def rule_passthrough;
extern const rule_def rule_fanin;
extern const rule_def rule_fanout;
extern const rule_def rule_gatherscatter;
extern const rule_def rule_surge;
/* multi-hop rules */
extern const rule_def rule_chain;
extern const rule_def rule_cycle;
extern const rule_def rule_scattergather;
extern const rule_def rule_bipartite;
/* victim reports */
extern const rule_def rule_trace;

/* Evaluation order: cheap single-account checks before anything that reads
 * further into the graph. A rule's index here is its slot in every account's
 * stored score memory (score.h), so the table only grows at its end: moving
 * a rule would hand its remembered findings to another. */
const rule_def *const rules_table[] = {
    &rule_watchlist,
    /* single-account and one-step rules */
    &rule_structuring,
    &rule_burst,
    &rule_passthrough,
    &rule_fanin,
    &rule_fanout,
    &rule_gatherscatter,
    /* multi-hop rules */
    &rule_chain,
    &rule_cycle,
    &rule_scattergather,
    &rule_bipartite,
    /* added later: new rules go at the end */
    &rule_surge,
    NULL,
};

/* Every rule with keys, in the order --help and docs/configuration.md show them (not the
 * evaluation order): the list, the patterns as the product brief names them, then the trace.
 * The cfg's rule values are indexed like this table (cfg_rule_at). */
const rule_def *const rules_all[] = {
    &rule_watchlist,
    /* transfer patterns */
    &rule_passthrough,
    &rule_fanin,
    &rule_fanout,
    &rule_scattergather,
    &rule_gatherscatter,
    &rule_chain,
    &rule_cycle,
    &rule_bipartite,
    &rule_structuring,
    &rule_burst,
    &rule_surge,
    /* victim reports */
    &rule_trace,
    NULL,
};

struct rules {
    const cfg *c;
    const cfg_rule **conf; /* each rule's values, indexed like rules_table */
};

size_t rules_count(void)
{
    size_t n = 0;
    while (rules_table[n])
        n++;
    return n;
}

/* The values of d in c: cfg->rules is indexed like rules_all. NULL when d is not there. */
static const cfg_rule *conf_of(const cfg *c, const rule_def *d)
{
    for (size_t i = 0; rules_all[i]; i++)
        if (rules_all[i] == d)
            return cfg_rule_at(c, i);
    return NULL;
}

int rules_create(const cfg *c, rules **out, char *errstr, size_t errstr_size)
{
    size_t n = rules_count();
    rules *r = calloc(1, sizeof(*r));
    if (!r || !(r->conf = calloc(n + 1, sizeof(*r->conf)))) {
        free(r);
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    r->c = c;
    if (n > SCORE_SLOTS) {
        snprintf(errstr, errstr_size, "%zu transfer rules, but the score memory has %d slots", n,
                 SCORE_SLOTS);
        rules_destroy(r);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (!(r->conf[i] = conf_of(c, rules_table[i]))) {
            snprintf(errstr, errstr_size, "rule %s has no keys: it is missing from rules_all",
                     rules_table[i]->name);
            rules_destroy(r);
            return -1;
        }
    }
    *out = r;
    return 0;
}

void rules_destroy(rules *r)
{
    if (r)
        free(r->conf);
    free(r);
}

const cfg_rule *rules_conf(const rules *r, const rule_def *d)
{
    return conf_of(r->c, d);
}

const cfg *rules_cfg(const rules *r)
{
    return r->c;
}

ix_action rules_action_for(const rules *r, int score)
{
    if (score >= r->c->action_freeze_score)
        return IX_ACTION_FREEZE;
    if (score >= r->c->action_hold_score)
        return IX_ACTION_HOLD;
    if (score >= r->c->action_review_score)
        return IX_ACTION_REVIEW;
    return IX_ACTION_NONE;
}

void rules_request_id(const char *account, const char *trigger_id, const char *rule_set, char *out,
                      size_t size)
{
    /* NUL separators keep ("ab","c") and ("a","bc") apart. */
    uint64_t h = hash_fnv1a64(HASH_FNV64_INIT, account, strlen(account) + 1);
    h = hash_fnv1a64(h, trigger_id, strlen(trigger_id) + 1);
    h = hash_fnv1a64(h, rule_set, strlen(rule_set) + 1);
    snprintf(out, size, "fr-%016llx", (unsigned long long)h);
}

/* ---- helpers for rules */

static void copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = strnlen(src, cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

rule_hit *rule_hit_add(rule_hit *hits, int *n, int room, const char *account, const char *bank,
                       const char *rule, const char *code, int score, int64_t amount)
{
    if (*n >= room)
        return NULL;
    rule_hit *h = &hits[(*n)++];
    memset(h, 0, sizeof(*h));
    copy_str(h->account, sizeof(h->account), account);
    copy_str(h->bank, sizeof(h->bank), bank ? bank : "");
    h->finding.rule = rule;
    h->finding.code = code;
    h->finding.score = score;
    h->finding.amount = amount;
    return h;
}

void rule_path(ix_finding *f, const char *account)
{
    if (f->npath > 0 && strcmp(f->path[f->npath - 1], account) == 0)
        return;
    if (f->npath < IX_PATH_MAX)
        copy_str(f->path[f->npath++], sizeof(f->path[0]), account);
}

void rule_evidence_transfer(ix_finding *f, const ix_transfer *t)
{
    if (f->nevidence >= IX_EVIDENCE_MAX)
        return;
    ix_evidence *e = &f->evidence[f->nevidence++];
    copy_str(e->transfer_id, sizeof(e->transfer_id), t->id);
    copy_str(e->from_account, sizeof(e->from_account), t->from_account);
    copy_str(e->to_account, sizeof(e->to_account), t->to_account);
    e->amount = t->amount;
    e->time_ms = t->event_time_ms;
}

void rule_evidence_flow(ix_finding *f, const char *account, const graph_flow *fl)
{
    if (f->nevidence >= IX_EVIDENCE_MAX)
        return;
    ix_evidence *e = &f->evidence[f->nevidence++];
    copy_str(e->transfer_id, sizeof(e->transfer_id), fl->transfer_id);
    copy_str(e->from_account, sizeof(e->from_account), fl->dir == GRAPH_OUT ? account : fl->peer);
    copy_str(e->to_account, sizeof(e->to_account), fl->dir == GRAPH_OUT ? fl->peer : account);
    e->amount = fl->amount;
    e->time_ms = fl->time_ms;
}

void rule_figure(ix_finding *f, const char *name, int64_t value, int64_t threshold)
{
    if (f->nfigures >= IX_FIGURES_MAX)
        return;
    ix_figure *g = &f->figures[f->nfigures++];
    g->name = name;
    g->value = value;
    g->threshold = threshold;
}

rule_side rule_side_of(const rule_input *in, graph_dir dir)
{
    rule_side s = {dir, in->t->from_account, in->t->from_bank, in->from};
    if (dir == GRAPH_IN) {
        s.account = in->t->to_account;
        s.bank = in->t->to_bank;
        s.state = in->to;
    }
    return s;
}

win_id rule_window_covering(int64_t len_ms)
{
    for (int w = 0; w < WIN__COUNT; w++)
        if (win_length_ms((win_id)w) >= len_ms)
            return (win_id)w;
    return WIN_30D;
}

int rule_holder_is_trade(ix_holder_type holder)
{
    return holder == IX_HOLDER_BUSINESS || holder == IX_HOLDER_MERCHANT;
}

int rule_is_trade(const graph_acct *a)
{
    return rule_holder_is_trade(a->holder_type);
}

rule_baseline rule_baseline_of(const rule_input *in, const graph_acct *a, int64_t since)
{
    rule_baseline b = {.weeks = score_base_weeks(&a->base, in->t->event_time_ms)};
    int64_t usual_in = score_base_money(&a->base, 1, since);
    int64_t usual_out = score_base_money(&a->base, 0, since);
    b.known = b.weeks >= in->c->baseline_weeks;
    b.usual = usual_in > usual_out ? usual_in : usual_out;
    b.recent_in = score_base_recent(&a->base, 1, since);
    b.recent_out = score_base_recent(&a->base, 0, since);
    return b;
}

int rule_beyond_baseline(const rule_input *in, const rule_baseline *b, int64_t amount,
                         int64_t factor)
{
    return b->known && amount >= in->c->baseline_min_amount &&
           (__int128)amount >= (__int128)b->usual * factor;
}

int rule_baseline_score(const rule_input *in, int64_t amount, int64_t weak, int64_t large,
                        int64_t *threshold)
{
    int is_large = amount >= in->c->baseline_large_amount;
    *threshold = is_large ? in->c->baseline_large_amount : in->c->baseline_min_amount;
    return (int)(is_large ? large : weak);
}

void rule_figure_baseline(ix_finding *f, const rule_input *in, const rule_baseline *b,
                          int64_t amount, int64_t factor)
{
    rule_figure(f, "usual_week", b->usual, amount / factor);
    rule_figure(f, "weeks_of_history", b->weeks, in->c->baseline_weeks);
}

int rule_read_flows(const rule_input *in, const char *account, int64_t since, int64_t until,
                    rule_flows *fl, char *errstr, size_t errstr_size)
{
    int max = (int)in->c->search_max_flows;
    if (!fl->in && !(fl->in = malloc(2 * (size_t)max * sizeof(graph_flow)))) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    fl->out = fl->in + max;
    fl->nin = graph_flows(in->g, account, GRAPH_IN, since, until, fl->in, max, errstr, errstr_size);
    if (fl->nin < 0)
        return -1;
    fl->nout =
        graph_flows(in->g, account, GRAPH_OUT, since, until, fl->out, max, errstr, errstr_size);
    return fl->nout < 0 ? -1 : 0;
}

void rule_flows_free(rule_flows *fl)
{
    free(fl->in);
    memset(fl, 0, sizeof(*fl));
}

int64_t rule_sum_flows(const graph_flow *f, int n)
{
    int64_t s = 0;
    for (int i = 0; i < n; i++)
        s += f[i].amount;
    return s;
}

int64_t rule_sent_on(const rule_flows *fl, int *first)
{
    int k = 0;
    while (k < fl->nout && fl->out[k].time_ms < fl->in[0].time_ms)
        k++; /* sent before any money arrived: the account's own */
    *first = k;
    return rule_sum_flows(fl->out + k, fl->nout - k);
}

int rule_edge_is_new(const graph_edge *e, int64_t since, int64_t until)
{
    return e->first_ms >= since && e->first_ms <= until;
}

int rule_read_edges(const rule_input *in, const char *account, graph_dir dir, int64_t since,
                    rule_edges *ed, char *errstr, size_t errstr_size)
{
    int max = (int)in->c->search_max_edges;
    if (!ed->e && !(ed->e = malloc((size_t)max * sizeof(*ed->e)))) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    ed->n = ed->nnew = 0;
    ed->sum_new = 0;
    int total = graph_edges(in->g, account, dir, since, ed->e, max, errstr, errstr_size);
    if (total < 0)
        return -1;
    ed->n = total < max ? total : max; /* past the bound: judge by what was read */
    for (int i = 0; i < ed->n; i++)
        if (rule_edge_is_new(&ed->e[i], since, in->t->event_time_ms)) {
            ed->nnew++;
            ed->sum_new += ed->e[i].sum;
        }
    return 0;
}

int rule_is_person(const rule_input *in, const char *account, char *errstr, size_t errstr_size)
{
    ix_account a;
    int rc = graph_get_profile(in->g, account, &a, errstr, errstr_size);
    if (rc < 0)
        return -1;
    return rc == 0 || !rule_holder_is_trade(a.holder_type);
}

int rule_edges_keep_persons(const rule_input *in, rule_edges *ed, int64_t since, char *errstr,
                            size_t errstr_size)
{
    int k = 0;
    ed->nnew = 0;
    ed->sum_new = 0;
    for (int i = 0; i < ed->n; i++) {
        if (!rule_edge_is_new(&ed->e[i], since, in->t->event_time_ms))
            continue;
        int rc = rule_is_person(in, ed->e[i].peer, errstr, errstr_size);
        if (rc < 0)
            return -1;
        if (rc == 0)
            continue;
        ed->e[k++] = ed->e[i];
        ed->nnew++;
        ed->sum_new += ed->e[i].sum;
    }
    ed->n = k;
    return 0;
}

void rule_edges_free(rule_edges *ed)
{
    free(ed->e);
    memset(ed, 0, sizeof(*ed));
}

static int in_path(const ix_finding *f, const char *account)
{
    for (int i = 0; i < f->npath; i++)
        if (strcmp(f->path[i], account) == 0)
            return 1;
    return 0;
}

void rule_evidence_flows(ix_finding *f, const char *account, graph_dir dir, const graph_flow *fl,
                         int n)
{
    int first = n > IX_EVIDENCE_MAX ? n - IX_EVIDENCE_MAX : 0;
    for (int i = first; i < n; i++)
        rule_evidence_flow(f, account, &fl[i]);
    /* Counterparties of the newest evidence first, so the path keeps the latest. */
    int pick[IX_PATH_MAX - 1], npick = 0;
    for (int i = n - 1; i >= first && npick < IX_PATH_MAX - 1; i--) {
        int dup = 0;
        for (int j = 0; j < npick && !dup; j++)
            dup = strcmp(fl[pick[j]].peer, fl[i].peer) == 0;
        if (!dup)
            pick[npick++] = i;
    }
    if (dir == GRAPH_OUT)
        rule_path(f, account);
    for (int j = npick - 1; j >= 0; j--)
        if (!in_path(f, fl[pick[j]].peer))
            rule_path(f, fl[pick[j]].peer);
    if (dir == GRAPH_IN)
        rule_path(f, account);
}

/* Up to `limit` distinct counterparties of the flows, in their order. */
static void path_peers(ix_finding *f, const graph_flow *fl, int n, int limit)
{
    for (int i = 0; i < n && limit > 0; i++)
        if (!in_path(f, fl[i].peer)) {
            rule_path(f, fl[i].peer);
            limit--;
        }
}

void rule_evidence_in_out(ix_finding *f, const char *account, const graph_flow *in, int nin,
                          const graph_flow *out, int nout)
{
    int room = IX_EVIDENCE_MAX - f->nevidence;
    int kin = nout < room / 2 ? room - nout : room / 2;
    if (kin > nin)
        kin = nin;
    int kout = room - kin < nout ? room - kin : nout;
    for (int i = nin - kin; i < nin; i++)
        rule_evidence_flow(f, account, &in[i]);
    for (int i = nout - kout; i < nout; i++)
        rule_evidence_flow(f, account, &out[i]);
    path_peers(f, in, nin, RULE_PATH_SENDERS);
    rule_path(f, account);
    path_peers(f, out, nout, IX_PATH_MAX - f->npath);
}

/* ---- requests */

/* The account's score and its parts, after its findings of this transfer are
 * remembered. */
typedef struct acct_score {
    int score;
    int nparts;
    score_part parts[SCORE_SLOTS];
} acct_score;

static void build_request(const rules *r, const ix_transfer *t, const rule_hit *hits, int nhits,
                          const char *account, const acct_score *sc, ix_action action,
                          int64_t now_ms, ix_request *req)
{
    int score = sc->score;
    memset(req, 0, sizeof(*req));
    rules_request_id(account, t->id, r->c->rule_set, req->id, sizeof(req->id));
    memcpy(req->account, account, strnlen(account, IX_ACCOUNT_MAX));
    req->action = action;
    req->score = score;
    snprintf(req->rule_set, sizeof(req->rule_set), "%s", r->c->rule_set);
    memcpy(req->trigger_id, t->id, sizeof(req->trigger_id));
    req->trigger_amount = t->amount;
    memcpy(req->currency, t->currency, sizeof(req->currency));
    req->trigger_time_ms = t->event_time_ms;
    req->detected_at_ms = now_ms;
    for (int i = 0; i < nhits; i++) {
        if (strcmp(hits[i].account, account) != 0)
            continue;
        if (!req->bank[0])
            memcpy(req->bank, hits[i].bank, sizeof(req->bank));
        if (req->nfindings < IX_FINDINGS_MAX)
            req->findings[req->nfindings++] = hits[i].finding;
    }
    for (int i = 0; i < sc->nparts && req->nparts < IX_PARTS_MAX; i++) {
        const rule_def *d = rules_table[sc->parts[i].slot];
        req->parts[req->nparts++] = (ix_score_part){.rule = d->name,
                                                    .code = d->code,
                                                    .score = sc->parts[i].score,
                                                    .time_ms = sc->parts[i].at_ms};
    }
}

static int collect_hits(const rules *r, const rule_input *in, rule_hit *hits, uint64_t *hit_counts,
                        char *errstr, size_t errstr_size)
{
    int n = 0;
    for (size_t i = 0; rules_table[i] && n < RULES_MAX_HITS; i++) {
        const rule_def *d = rules_table[i];
        if (!d->on_transfer || !r->conf[i]->enabled)
            continue;
        int k =
            d->on_transfer(r, r->conf[i], in, hits + n, RULES_MAX_HITS - n, errstr, errstr_size);
        if (k < 0)
            return -1;
        for (int j = n; j < n + k; j++)
            hits[j].slot = (int)i;
        if (hit_counts)
            hit_counts[i] += (uint64_t)k;
        n += k;
    }
    return n;
}

/* Drop the hits the desk holds back, keeping the others in order: before
 * the score is summed and the incident opened, so a held finding neither
 * raises an action nor starts the account's cooldown. The hits kept. */
static int hold_back(const rules_hold *hold, const ix_transfer *t, rule_hit *hits, int nhits)
{
    int kept = 0;
    if (!hold || !hold->holds)
        return nhits;
    for (int i = 0; i < nhits; i++) {
        if (hold->holds(hold->ud, t, hits[i].account, hits[i].finding.code)) {
            if (hold->held)
                (*hold->held)++;
            continue;
        }
        if (kept != i)
            hits[kept] = hits[i];
        kept++;
    }
    return kept;
}

/* Remember the findings of account hits[i] (its first hit) and return its
 * score with the parts. */
static int score_account(const rules *r, graph *g, const ix_transfer *t, const rule_hit *hits,
                         int i, int nhits, acct_score *sc, char *errstr, size_t errstr_size)
{
    graph_score_note notes[RULES_MAX_HITS];
    int n = 0;
    for (int j = i; j < nhits; j++)
        if (strcmp(hits[j].account, hits[i].account) == 0)
            notes[n++] = (graph_score_note){hits[j].slot, hits[j].finding.score};
    sc->score = graph_score(g, hits[i].account, notes, n, t->event_time_ms, r->c->score_horizon_ms,
                            sc->parts, &sc->nparts, errstr, errstr_size);
    return sc->score < 0 ? -1 : 0;
}

int rules_screen(const rules *r, graph *g, const ix_transfer *t, const graph_acct *from,
                 const graph_acct *to, int64_t now_ms, const rules_hold *hold, ix_request *out,
                 int max, uint64_t *hit_counts, char *errstr, size_t errstr_size)
{
    rule_hit hits[RULES_MAX_HITS];
    rule_input in = {.t = t, .from = from, .to = to, .g = g, .c = r->c};
    int nhits = collect_hits(r, &in, hits, hit_counts, errstr, errstr_size);
    int nout = 0;
    if (nhits > 0)
        nhits = hold_back(hold, t, hits, nhits);
    if (nhits <= 0)
        return nhits;

    for (int i = 0; i < nhits && nout < max; i++) {
        int seen = 0;
        for (int j = 0; j < i && !seen; j++)
            seen = strcmp(hits[j].account, hits[i].account) == 0;
        if (seen)
            continue; /* this account's hits were taken at its first hit */
        acct_score sc;
        if (score_account(r, g, t, hits, i, nhits, &sc, errstr, errstr_size) != 0)
            return -1;
        ix_action action = rules_action_for(r, sc.score);
        if (action == IX_ACTION_NONE)
            continue; /* remembered: a later finding may add to it */
        int rc = graph_raise_incident(g, hits[i].account, action, t->event_time_ms,
                                      r->c->incident_cooldown_ms, errstr, errstr_size);
        if (rc < 0)
            return -1;
        if (rc == 0)
            continue;
        build_request(r, t, hits, nhits, hits[i].account, &sc, action, now_ms, &out[nout++]);
    }
    return nout;
}
