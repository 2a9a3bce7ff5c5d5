/* gen.c - the synthetic population and transfer generator. */
#include "gen.h"

#include <stdio.h>
#include <string.h>

#include "hash.h"

/* Banks of the synthetic population (BIC format). */
static const char *const gen_banks[] = {"ICBKCNBJ", "BKCHCNBJ", "PCBCCNBJ", "ABOCCNBJ",
                                        "COMMCNSH", "CMBCCNBS", "SPDBCNSH", "CIBKCNBJ"};
#define GEN_NBANKS (sizeof(gen_banks) / sizeof(gen_banks[0]))

void gen_init(gen *g, const gen_opts *o)
{
    g->o = *o;
    g->rng = o->seed;
}

uint64_t gen_rand(gen *g)
{
    uint64_t z = (g->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

int64_t gen_below(gen *g, int64_t n)
{
    return n > 0 ? (int64_t)(gen_rand(g) % (uint64_t)n) : 0;
}

/* A bijective scramble of i, so ids look random but never collide. */
static uint64_t scramble(uint64_t seed, int64_t i)
{
    uint64_t x = (uint64_t)i ^ (seed & 0xffffffffu);
    x = (x * 0x9e3779b1u) % 100000000000000ULL; /* 14 digits */
    return x;
}

void gen_account_id(const gen *g, int64_t i, char *out, size_t size)
{
    /* "62" + 14 digits: the shape of a domestic card-linked account number.
     * The last 8 digits are i itself, so ids are unique for up to 10^8
     * accounts whatever the scramble does to the prefix. */
    uint64_t s = scramble(g->o.seed, i) / 100000000ULL;
    snprintf(out, size, "62%06llu%08lld", (unsigned long long)(s % 1000000ULL), (long long)i);
}

const char *gen_account_bank(const gen *g, int64_t i)
{
    return gen_banks[(uint64_t)(i + (int64_t)(g->o.seed % GEN_NBANKS)) % GEN_NBANKS];
}

/* 64 hex digits standing in for a SHA-256 of a holder's identifier. People
 * share nothing here; shared devices are injected by the patterns. */
static void fake_sha256(const gen *g, int64_t i, const char *what, char *out, size_t size)
{
    uint64_t h = hash_fnv1a64(HASH_FNV64_INIT, what, strlen(what));
    h = hash_fnv1a64(h, &g->o.seed, sizeof(g->o.seed));
    size_t n = 0;
    for (int part = 0; part < 4 && n + 16 < size; part++) {
        h = hash_fnv1a64(h, &i, sizeof(i));
        n += (size_t)snprintf(out + n, size - n, "%016llx", (unsigned long long)h);
    }
}

void gen_profile(const gen *g, int64_t i, ix_account *out)
{
    memset(out, 0, sizeof(*out));
    gen_account_id(g, i, out->account, sizeof(out->account));
    snprintf(out->bank, sizeof(out->bank), "%s", gen_account_bank(g, i));
    /* Opened one to ten years before the stream starts. */
    out->opened_at_ms = g->o.start_ms - (int64_t)(365 + (i * 7919) % 3285) * 86400000LL;
    out->holder_type = i % 20 == 0  ? IX_HOLDER_MERCHANT
                       : i % 7 == 0 ? IX_HOLDER_BUSINESS
                                    : IX_HOLDER_PERSON;
    out->kyc_level = (int)(1 + i % 3);
    fake_sha256(g, i, "holder", out->holder_hash, sizeof(out->holder_hash));
    fake_sha256(g, i, "phone", out->phone_hash, sizeof(out->phone_hash));
    fake_sha256(g, i, "device", out->device_hash, sizeof(out->device_hash));
    out->updated_at_ms = g->o.start_ms;
}

void gen_watch(const gen *g, int64_t mule, ix_watch *out)
{
    memset(out, 0, sizeof(*out));
    gen_account_id(g, mule, out->account, sizeof(out->account));
    snprintf(out->bank, sizeof(out->bank), "%s", gen_account_bank(g, mule));
    snprintf(out->list, sizeof(out->list), "%s", mule % 2 ? "police_report" : "confirmed_mule");
    snprintf(out->reason, sizeof(out->reason), "synthetic mule %lld", (long long)mule);
    out->added_at_ms = g->o.start_ms - 86400000LL;
}

static void fill(gen *g, int64_t seq, int64_t from, int64_t to, int64_t amount, ix_transfer *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->id, sizeof(out->id), "T%012lld", (long long)seq);
    gen_account_id(g, from, out->from_account, sizeof(out->from_account));
    snprintf(out->from_bank, sizeof(out->from_bank), "%s", gen_account_bank(g, from));
    gen_account_id(g, to, out->to_account, sizeof(out->to_account));
    snprintf(out->to_bank, sizeof(out->to_bank), "%s", gen_account_bank(g, to));
    out->amount = amount;
    memcpy(out->currency, "CNY", 4);
    out->event_time_ms = g->o.start_ms + seq * g->o.step_ms;
    out->channel = (ix_channel)(1 + seq % (IX_CHANNEL__COUNT - 1));
}

/* Everyday amounts: mostly small, occasionally large (log-uniform-ish). */
static int64_t amount(gen *g)
{
    int64_t scale[] = {1000, 5000, 20000, 100000, 500000};
    return 100 + gen_below(g, scale[gen_below(g, 5)]) * 10;
}

void gen_background(gen *g, int64_t seq, ix_transfer *out)
{
    int64_t n = g->o.accounts - g->o.mules;
    int64_t from = g->o.mules + gen_below(g, n);
    int64_t to = g->o.mules + gen_below(g, n - 1);
    if (to >= from)
        to++;
    fill(g, seq, from, to, amount(g), out);
}

void gen_mule_transfer(gen *g, int64_t seq, int64_t mule, int incoming, ix_transfer *out)
{
    int64_t other = g->o.mules + gen_below(g, g->o.accounts - g->o.mules);
    int64_t amt = 500000 + gen_below(g, 4500000); /* 5,000 to 50,000.00 */
    if (incoming)
        fill(g, seq, other, mule, amt, out);
    else
        fill(g, seq, mule, other, amt, out);
}
