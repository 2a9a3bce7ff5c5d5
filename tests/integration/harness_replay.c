/* harness_replay.c - input builders and file helpers of the operator-tool
 * scenario tests (it_replay, it_backup). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "harness_replay.h"
#include "timefmt.h"

#define BANK_OF_ALL "ICBKCNBJ" /* counterparties' bank when none is given */

int64_t hx_time(const char *rfc3339)
{
    int64_t ms = 0;
    if (tf_parse(rfc3339, strlen(rfc3339), &ms) != 0)
        fail_msg("not an RFC 3339 time: %s", rfc3339);
    return ms;
}

static void copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src);
}

void hx_send_transfer(hx_env *e, feed *f, const char *id, const char *from, const char *to,
                      int64_t amount, int64_t time_ms)
{
    char json[ENC_RECORD_MAX];
    ix_transfer t;
    memset(&t, 0, sizeof(t));
    copy(t.id, sizeof(t.id), id);
    copy(t.from_account, sizeof(t.from_account), from);
    copy(t.from_bank, sizeof(t.from_bank), BANK_OF_ALL);
    copy(t.to_account, sizeof(t.to_account), to);
    copy(t.to_bank, sizeof(t.to_bank), BANK_OF_ALL);
    copy(t.currency, sizeof(t.currency), "CNY");
    t.amount = amount;
    t.event_time_ms = time_ms;
    t.channel = IX_CHANNEL_MOBILE;
    assert_true(enc_transfer(&t, json, sizeof(json)) > 0);
    hx_send(f, e->c.topic_transfers, from, json);
}

void hx_send_profile(hx_env *e, feed *f, const char *account, const char *bank, int64_t opened_ms)
{
    char json[ENC_RECORD_MAX];
    ix_account a;
    memset(&a, 0, sizeof(a));
    copy(a.account, sizeof(a.account), account);
    copy(a.bank, sizeof(a.bank), bank);
    a.opened_at_ms = opened_ms;
    a.holder_type = IX_HOLDER_PERSON;
    a.kyc_level = 2;
    copy(a.holder_hash, sizeof(a.holder_hash),
         "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0");
    copy(a.phone_hash, sizeof(a.phone_hash),
         "a0b1c2d3e4f5061728394a5b6c7d8e9fa0b1c2d3e4f5061728394a5b6c7d8e9f");
    a.updated_at_ms = opened_ms;
    assert_true(enc_account(&a, json, sizeof(json)) > 0);
    hx_send(f, e->c.topic_accounts, account, json);
}

void hx_send_watch(hx_env *e, feed *f, const char *account, const char *bank, const char *reason,
                   int64_t added_ms)
{
    char json[ENC_RECORD_MAX];
    ix_watch w;
    memset(&w, 0, sizeof(w));
    copy(w.account, sizeof(w.account), account);
    copy(w.bank, sizeof(w.bank), bank);
    copy(w.list, sizeof(w.list), "confirmed_mule");
    copy(w.reason, sizeof(w.reason), reason);
    w.added_at_ms = added_ms;
    assert_true(enc_watch(&w, json, sizeof(json)) > 0);
    hx_send(f, e->c.topic_watchlist, account, json);
}

void hx_send_report(hx_env *e, feed *f, const char *id, const char *transfer_id, const char *victim,
                    int64_t amount, int64_t reported_ms)
{
    char json[ENC_RECORD_MAX];
    ix_report r;
    memset(&r, 0, sizeof(r));
    copy(r.id, sizeof(r.id), id);
    copy(r.transfer_id, sizeof(r.transfer_id), transfer_id);
    copy(r.victim_account, sizeof(r.victim_account), victim);
    copy(r.currency, sizeof(r.currency), "CNY");
    copy(r.source, sizeof(r.source), "police");
    r.amount = amount;
    r.reported_at_ms = reported_ms;
    assert_true(enc_report(&r, json, sizeof(json)) > 0);
    hx_send(f, e->c.topic_reports, victim, json);
}

char *hx_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0;
    if (!f)
        return strdup("");
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        len = n > 0 ? (size_t)n : 0;
        rewind(f);
    }
    buf = calloc(len + 1, 1);
    assert_non_null(buf);
    if (len && fread(buf, 1, len, f) != len)
        fail_msg("reading %s", path);
    fclose(f);
    return buf;
}
