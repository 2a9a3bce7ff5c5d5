/* store_fixture.c - see store_fixture.h. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <string.h>

#include "store_fixture.h"

void sfx_apply(graph *g, const char *id, const char *from, const char *to, int64_t amount,
               int64_t t)
{
    char errstr[256];
    graph_acct a, b;
    ix_transfer x;
    memset(&x, 0, sizeof(x));
    snprintf(x.id, sizeof(x.id), "%s", id);
    snprintf(x.from_account, sizeof(x.from_account), "%s", from);
    snprintf(x.to_account, sizeof(x.to_account), "%s", to);
    x.amount = amount;
    memcpy(x.currency, "CNY", 4);
    x.event_time_ms = t;
    assert_int_equal(graph_apply_transfer(g, &x, &a, &b, errstr, sizeof(errstr)), 0);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void sfx_rmtree(const char *dir)
{
    nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}
