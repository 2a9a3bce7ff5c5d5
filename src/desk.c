/* desk.c - allow-list entries and dismissal suppressions (desk.h). */
#include "desk.h"

#include <string.h>

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

static int same_key(const desk_allow *a, const char *account, const char *counterparty)
{
    return strcmp(a->account, account) == 0 && strcmp(a->counterparty, counterparty) == 0;
}

static desk_allow *find_allow(const desk_set *d, const char *account, const char *counterparty)
{
    desk_allow *all = d->allow.p;
    for (size_t i = 0; i < (size_t)d->allow.n; i++)
        if (same_key(&all[i], account, counterparty))
            return &all[i];
    return NULL;
}

int desk_allow_put(desk_set *d, const desk_allow *e)
{
    desk_allow *slot = find_allow(d, e->account, e->counterparty);
    if (!slot)
        slot = vec_push(&d->allow, sizeof(desk_allow));
    if (!slot)
        return -1;
    *slot = *e;
    return 0;
}

/* Remove item i of an unordered array by moving the last one into it. */
static void take_out(vec *v, size_t i, size_t item)
{
    char *base = v->p;
    if (i + 1 < (size_t)v->n)
        memcpy(base + i * item, base + (size_t)(v->n - 1) * item, item);
    v->n--;
}

int desk_allow_del(desk_set *d, const char *account, const char *counterparty)
{
    desk_allow *hit = find_allow(d, account, or_empty(counterparty));
    if (!hit)
        return 0;
    take_out(&d->allow, (size_t)(hit - (desk_allow *)d->allow.p), sizeof(desk_allow));
    return 1;
}

int desk_dismiss(desk_set *d, const char *account, const char *rule, const char *request_id,
                 int64_t until_ms)
{
    desk_suppress *all = d->suppress.p;
    for (size_t i = 0; i < (size_t)d->suppress.n; i++) {
        if (strcmp(all[i].account, account) != 0 || strcmp(all[i].rule, rule) != 0)
            continue;
        if (until_ms > all[i].until_ms) { /* never shorten what the desk decided */
            all[i].until_ms = until_ms;
            strncpy(all[i].request_id, request_id, IX_ID_MAX);
        }
        return 0;
    }
    desk_suppress *s = vec_push(&d->suppress, sizeof(desk_suppress));
    if (!s)
        return -1;
    strncpy(s->account, account, IX_ACCOUNT_MAX);
    strncpy(s->rule, rule, DESK_CODE_MAX);
    strncpy(s->request_id, request_id, IX_ID_MAX);
    s->until_ms = until_ms;
    return 0;
}

static int covers_rule(const desk_allow *a, const char *rule)
{
    if (a->n_rules == 0)
        return 1;
    for (size_t i = 0; i < a->n_rules; i++)
        if (strcmp(a->rules[i], rule) == 0)
            return 1;
    return 0;
}

static int covers_accounts(const desk_allow *a, const char *account, const char *cp)
{
    if (a->counterparty[0] == '\0')
        return strcmp(a->account, account) == 0;
    if (strcmp(a->account, account) == 0 && strcmp(a->counterparty, cp) == 0)
        return 1;
    return a->either_way && strcmp(a->account, cp) == 0 && strcmp(a->counterparty, account) == 0;
}

desk_why desk_check(const desk_set *d, const char *account, const char *counterparty,
                    const char *rule, int64_t now_ms)
{
    const char *cp = or_empty(counterparty);
    const desk_allow *all = d->allow.p;
    for (size_t i = 0; i < (size_t)d->allow.n; i++)
        if (now_ms < all[i].expires_ms && covers_accounts(&all[i], account, cp) &&
            covers_rule(&all[i], rule))
            return DESK_ALLOWED;
    const desk_suppress *sup = d->suppress.p;
    for (size_t i = 0; i < (size_t)d->suppress.n; i++)
        if (now_ms < sup[i].until_ms && strcmp(sup[i].account, account) == 0 &&
            strcmp(sup[i].rule, rule) == 0)
            return DESK_DISMISSED;
    return DESK_NONE;
}

size_t desk_expire(desk_set *d, int64_t now_ms)
{
    size_t dropped = 0;
    for (size_t i = (size_t)d->allow.n; i-- > 0;)
        if (((desk_allow *)d->allow.p)[i].expires_ms <= now_ms) {
            take_out(&d->allow, i, sizeof(desk_allow));
            dropped++;
        }
    for (size_t i = (size_t)d->suppress.n; i-- > 0;)
        if (((desk_suppress *)d->suppress.p)[i].until_ms <= now_ms) {
            take_out(&d->suppress, i, sizeof(desk_suppress));
            dropped++;
        }
    return dropped;
}

void desk_free(desk_set *d)
{
    vec_free(&d->allow);
    vec_free(&d->suppress);
}
