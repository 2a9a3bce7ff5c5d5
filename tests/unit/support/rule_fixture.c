/* rule_fixture.c - the fixture of the rule tests (rule_fixture.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rule_fixture.h"

/* Only the rule under test is enabled, so a request's score is its own. */
static void only_rule(rfx *f, const char *name)
{
    char key[96], errstr[256];
    for (size_t i = 0; rules_table[i]; i++) {
        int mine = strcmp(rules_table[i]->name, name) == 0;
        snprintf(key, sizeof(key), "rules.%s.enabled", rules_table[i]->name);
        assert_int_equal(cfg_set(&f->c, key, mine ? "true" : "false", errstr, sizeof(errstr)), 0);
        if (mine)
            f->slot = i;
    }
}

int rfx_setup(void **state, const char *rule, rfx_banks banks)
{
    char errstr[512];
    rfx *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    f->banks = banks;
    snprintf(f->dir, sizeof(f->dir), "/tmp/ix-rule-%s-XXXXXX", rule ? rule : "all");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(cfg_init(&f->c, errstr, sizeof(errstr)), 0);
    if (rule)
        only_rule(f, rule);
    graph_opts o = {.dir = f->dir, .cache_bytes = 64 << 20, .create = 1};
    assert_int_equal(graph_open(&o, &f->g, errstr, sizeof(errstr)), 0);
    assert_int_equal(rules_create(&f->c, &f->r, errstr, sizeof(errstr)), 0);
    scr_init(&f->scr, &f->c, f->g, f->r, f->req, f->hits);
    *state = f;
    return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int rfx_teardown(void **state)
{
    rfx *f = *state;
    rules_destroy(f->r);
    graph_close(f->g);
    cfg_free(&f->c);
    nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

/* The bank of `account`, on the receiving side of a transfer or not. */
static void bank_of(const rfx *f, const char *account, int receiving, char *out, size_t size)
{
    if (f->banks == RFX_BANK_BY_ACCOUNT)
        snprintf(out, size, "BANK%.4s", account);
    else
        snprintf(out, size, "%s", receiving ? "ICBKCNBJ" : "BKCHCNBJ");
}

void rfx_transfer(const rfx *f, ix_transfer *x, const char *id, const char *from, const char *to,
                  int64_t amount, int64_t t)
{
    memset(x, 0, sizeof(*x));
    snprintf(x->id, sizeof(x->id), "%s", id);
    snprintf(x->from_account, sizeof(x->from_account), "%s", from);
    bank_of(f, from, 0, x->from_bank, sizeof(x->from_bank));
    snprintf(x->to_account, sizeof(x->to_account), "%s", to);
    bank_of(f, to, 1, x->to_bank, sizeof(x->to_bank));
    x->amount = amount;
    memcpy(x->currency, "CNY", 4);
    x->event_time_ms = t;
}

int rfx_send(rfx *f, const char *id, const char *from, const char *to, int64_t amount, int64_t t)
{
    char errstr[256];
    ix_transfer x;
    rfx_transfer(f, &x, id, from, to, amount, t);
    scr_result res;
    if (scr_transfer(&f->scr, &x, t + 5, &res, errstr, sizeof(errstr)) != 0)
        fail_msg("screening %s: %s", id, errstr);
    if (res.verdict != SCR_SCREENED)
        fail_msg("%s refused: %s: %s", id, rsn_code(res.reason), res.detail);
    int n = res.nreqs;
    for (int i = 0; i < n && f->nflagged < RFX_MAX_FLAGGED; i++)
        snprintf(f->flagged[f->nflagged++], sizeof(f->flagged[0]), "%s", f->req[i].account);
    return n;
}

static void apply_update(rfx *f, const scr_update *u)
{
    char errstr[256];
    scr_result res;
    assert_int_equal(scr_apply_update(&f->scr, u, &res, errstr, sizeof(errstr)), 0);
    assert_int_equal(res.verdict, SCR_APPLIED);
}

void rfx_profile_opened(rfx *f, const char *account, ix_holder_type holder, int64_t opened_at_ms,
                        uint32_t flags)
{
    ix_account a;
    memset(&a, 0, sizeof(a));
    snprintf(a.account, sizeof(a.account), "%s", account);
    bank_of(f, account, 0, a.bank, sizeof(a.bank));
    a.opened_at_ms = opened_at_ms;
    a.holder_type = holder;
    a.kyc_level = 3;
    a.flags = flags;
    apply_update(f, &(scr_update){.kind = SCR_PROFILE, .profile = a});
}

void rfx_profile(rfx *f, const char *account, ix_holder_type holder)
{
    rfx_profile_opened(f, account, holder, 0, 0);
}

void rfx_watch(rfx *f, const char *account)
{
    ix_watch w;
    memset(&w, 0, sizeof(w));
    snprintf(w.account, sizeof(w.account), "%s", account);
    bank_of(f, account, 1, w.bank, sizeof(w.bank));
    snprintf(w.list, sizeof(w.list), "confirmed_mule");
    apply_update(f, &(scr_update){.kind = SCR_WATCH, .watch = w});
}

void assert_figure(const ix_finding *fd, int i, const char *name, int64_t value, int64_t threshold)
{
    assert_true(i < fd->nfigures);
    assert_string_equal(fd->figures[i].name, name);
    assert_int_equal(fd->figures[i].value, value);
    assert_int_equal(fd->figures[i].threshold, threshold);
}

double rfx_seconds_since(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}
