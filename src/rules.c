/* rules.c - the rule table, scoring, actions and request building. */
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

extern const rule_def rule_watchlist;
/* single-account and one-step rules */
extern const rule_def rule_structuring;
extern const rule_def rule_burst;
extern const rule_def rule_passthrough;
extern const rule_def rule_fanin;
extern const rule_def rule_fanout;
extern const rule_def rule_gatherscatter;
/* multi-hop rules */
extern const rule_def rule_chain;
extern const rule_def rule_cycle;
extern const rule_def rule_scattergather;
extern const rule_def rule_bipartite;

/* Evaluation order: cheap single-account checks before anything that reads
 * further into the graph. */
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
    NULL,
};

struct rules {
    const cfg *c;
};

size_t rules_count(void)
{
    size_t n = 0;
    while (rules_table[n])
        n++;
    return n;
}

int rules_create(const cfg *c, rules **out, char *errstr, size_t errstr_size)
{
    rules *r = calloc(1, sizeof(*r));
    if (!r) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    r->c = c;
    *out = r;
    return 0;
}

void rules_destroy(rules *r)
{
    free(r);
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

/* ---- requests */

static void build_request(const rules *r, const ix_transfer *t, const rule_hit *hits, int nhits,
                          const char *account, int score, ix_action action, int64_t now_ms,
                          ix_request *req)
{
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
}

static int collect_hits(const rules *r, const rule_input *in, rule_hit *hits, uint64_t *hit_counts,
                        char *errstr, size_t errstr_size)
{
    int n = 0;
    for (size_t i = 0; rules_table[i] && n < RULES_MAX_HITS; i++) {
        const rule_def *d = rules_table[i];
        if (!d->on_transfer)
            continue;
        int k = d->on_transfer(r, in, hits + n, RULES_MAX_HITS - n, errstr, errstr_size);
        if (k < 0)
            return -1;
        if (hit_counts)
            hit_counts[i] += (uint64_t)k;
        n += k;
    }
    return n;
}

int rules_screen(const rules *r, graph *g, const ix_transfer *t, const graph_acct *from,
                 const graph_acct *to, int64_t now_ms, ix_request *out, int max,
                 uint64_t *hit_counts, char *errstr, size_t errstr_size)
{
    rule_hit hits[RULES_MAX_HITS];
    rule_input in = {.t = t, .from = from, .to = to, .g = g, .c = r->c};
    int nhits = collect_hits(r, &in, hits, hit_counts, errstr, errstr_size);
    int nout = 0;
    if (nhits <= 0)
        return nhits;

    for (int i = 0; i < nhits && nout < max; i++) {
        int seen = 0, score = 0;
        for (int j = 0; j < i && !seen; j++)
            seen = strcmp(hits[j].account, hits[i].account) == 0;
        if (seen)
            continue; /* this account's hits were summed at its first hit */
        for (int j = i; j < nhits; j++)
            if (strcmp(hits[j].account, hits[i].account) == 0)
                score += hits[j].finding.score;
        if (score > 100)
            score = 100;
        ix_action action = rules_action_for(r, score);
        if (action == IX_ACTION_NONE)
            continue;
        int rc = graph_raise_incident(g, hits[i].account, action, t->event_time_ms,
                                      r->c->incident_cooldown_ms, errstr, errstr_size);
        if (rc < 0)
            return -1;
        if (rc == 0)
            continue;
        build_request(r, t, hits, nhits, hits[i].account, score, action, now_ms, &out[nout++]);
    }
    return nout;
}
