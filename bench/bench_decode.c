/* bench_decode.c - decoder speed: nanoseconds per message for each input decoder.
 *
 * Generates a few thousand distinct valid messages per type with the encoders
 * (the compact wire form interdict's own producers write; a transfer is about
 * 270 bytes), plus a mix of invalid transfers for the dead-letter path, and
 * decodes them round-robin, a few million times per decoder. Each decoder runs
 * in several rounds and the fastest round is reported: on a shared machine the
 * slower rounds measure the neighbours.
 *
 * Built twice: bench/ builds bench_decode, the decoders alone; tests/fuzz/
 * builds bench_decode_ref with IX_BENCH_REFERENCE, which also times the jansson
 * reference decoders (tests/fuzz/decode_ref.c, test code that the binary does
 * not contain) on the same messages in the same run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "encode.h"
#include "iso20022.h"
#include "timefmt.h"

#ifdef IX_BENCH_REFERENCE
#include "decode_ref.h"
#endif

#define BENCH_MESSAGES 4096      /* distinct messages per type, cycled */
#define BENCH_OPS      2000000LL /* default decodes per decoder */
#define BENCH_ROUNDS   10        /* the best round is reported */

/* Large enough and aligned for any decoded record. */
typedef union record {
    ix_transfer t;
    ix_account a;
    ix_watch w;
    ix_report r;
    ix_transfer pacs008[ISO_MAX_TX]; /* iso_decode_pacs008() writes up to as many */
} record;

typedef rsn_reason (*decode_fn)(const void *buf, size_t len, const dec_limits *lim, void *out,
                                dec_error *err);

/* One message set: the messages back to back in text, offsets in at. */
typedef struct corpus {
    char *text;
    size_t at[BENCH_MESSAGES + 1];
    size_t n;
    int invalid; /* 1: every message must be rejected, 0: accepted */
} corpus;

/* splitmix64: deterministic and good enough to vary field values. */
static uint64_t next_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static void hex(uint64_t *s, char *out, int n)
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < n; i++) {
        out[i] = digits[next_rand(s) & 15];
    }
    out[n] = '\0';
}

static const char *const banks[] = {"ICBKCNBJ", "COBADEFFXXX", "BKCHCNBJ110", "CMBCCNBS"};
static const char *const currencies[] = {"CNY", "USD", "EUR", "HKD", "JPY"};

static const char *pick(uint64_t *s, const char *const *from, size_t n)
{
    return from[next_rand(s) % n];
}

#define PICK(s, a) pick(s, a, sizeof(a) / sizeof((a)[0]))

static void account_number(uint64_t *s, char *out, size_t size)
{
    if (next_rand(s) % 4 == 0) {
        snprintf(out, size, "DE89%018llu",
                 (unsigned long long)(next_rand(s) % 1000000000000000000ULL));
    } else {
        snprintf(out, size, "62%017llu",
                 (unsigned long long)(next_rand(s) % 100000000000000000ULL));
    }
}

/* A time in late 2026, to the millisecond. */
static int64_t some_time(uint64_t *s)
{
    return 1795401061123LL - (int64_t)(next_rand(s) % (90LL * 86400000));
}

static void some_transfer(uint64_t *s, ix_transfer *out)
{
    ix_transfer t;
    memset(&t, 0, sizeof t);
    snprintf(t.id, sizeof t.id, "tx-20261123-%012llu",
             (unsigned long long)(next_rand(s) % 1000000000000ULL));
    account_number(s, t.from_account, sizeof t.from_account);
    account_number(s, t.to_account, sizeof t.to_account);
    snprintf(t.from_bank, sizeof t.from_bank, "%s", PICK(s, banks));
    snprintf(t.to_bank, sizeof t.to_bank, "%s", PICK(s, banks));
    t.amount = 1 + (int64_t)(next_rand(s) % 100000000);
    snprintf(t.currency, sizeof t.currency, "%s", PICK(s, currencies));
    t.event_time_ms = some_time(s);
    t.channel = (ix_channel)(next_rand(s) % IX_CHANNEL__COUNT);
    *out = t;
}

static int gen_transfer(uint64_t *s, char *buf, size_t size)
{
    ix_transfer t;
    some_transfer(s, &t);
    return enc_transfer(&t, buf, size);
}

/* The same transfers as pacs.008 documents of one transaction each. */
static int gen_pacs008(uint64_t *s, char *buf, size_t size)
{
    ix_transfer t;
    some_transfer(s, &t);
    return enc_pacs008(&t, 1, buf, size);
}

static int gen_account(uint64_t *s, char *buf, size_t size)
{
    ix_account a;
    memset(&a, 0, sizeof a);
    account_number(s, a.account, sizeof a.account);
    snprintf(a.bank, sizeof a.bank, "%s", PICK(s, banks));
    a.opened_at_ms = some_time(s) - 400LL * 86400000;
    a.holder_type = (ix_holder_type)(1 + next_rand(s) % 3);
    a.kyc_level = (int)(next_rand(s) % 4);
    hex(s, a.holder_hash, 64);
    hex(s, a.phone_hash, 64);
    if (next_rand(s) % 2) {
        hex(s, a.device_hash, 64);
    }
    a.flags = (uint32_t)(next_rand(s) % 4) & (IX_ACCT_DORMANT | IX_ACCT_FROZEN);
    a.updated_at_ms = some_time(s);
    return enc_account(&a, buf, size);
}

static int gen_watch(uint64_t *s, char *buf, size_t size)
{
    ix_watch w;
    memset(&w, 0, sizeof w);
    account_number(s, w.account, sizeof w.account);
    snprintf(w.bank, sizeof w.bank, "%s", PICK(s, banks));
    snprintf(w.list, sizeof w.list, "%s", next_rand(s) % 2 ? "confirmed_mule" : "police_report");
    snprintf(w.reason, sizeof w.reason, "Sold to a fraud ring (\xe6\xa1\x88\xe4\xbb\xb6 %llu)",
             (unsigned long long)(next_rand(s) % 100000));
    w.added_at_ms = some_time(s);
    return enc_watch(&w, buf, size);
}

static int gen_report(uint64_t *s, char *buf, size_t size)
{
    static const char *const sources[] = {"police", "bank", "telecom", "victim"};
    ix_report r;
    memset(&r, 0, sizeof r);
    snprintf(r.id, sizeof r.id, "police:SZ-2026-%06llu",
             (unsigned long long)(next_rand(s) % 1000000));
    snprintf(r.transfer_id, sizeof r.transfer_id, "tx-20261123-%012llu",
             (unsigned long long)(next_rand(s) % 1000000000000ULL));
    account_number(s, r.victim_account, sizeof r.victim_account);
    r.amount = 1 + (int64_t)(next_rand(s) % 100000000);
    snprintf(r.currency, sizeof r.currency, "%s", PICK(s, currencies));
    r.reported_at_ms = some_time(s);
    snprintf(r.source, sizeof r.source, "%s", PICK(s, sources));
    return enc_report(&r, buf, size);
}

/* A valid transfer spoilt in one of the ways the dead-letter topic sees. */
static int gen_invalid(uint64_t *s, char *buf, size_t size)
{
    char ok[ENC_RECORD_MAX];
    int n = gen_transfer(s, ok, sizeof ok);
    if (n < 2) {
        return -1;
    }
    switch (next_rand(s) % 4) {
    case 0: /* truncated */
        return snprintf(buf, size, "%.*s", n / 2, ok);
    case 1: /* a field the schema does not define */
        return snprintf(buf, size, "%.*s,\"memo\":\"rent\"}", n - 1, ok);
    case 2: /* a currency that is not ISO 4217 */
        return snprintf(buf, size, "%.*s,\"currency\":\"CNH\"}", n - 1, ok);
    default: /* an amount written as a string */
        return snprintf(buf, size, "{\"amount\":\"100\",%s", ok + 1);
    }
}

typedef int (*gen_fn)(uint64_t *s, char *buf, size_t size);

static void fill(corpus *c, gen_fn gen, uint64_t seed, int invalid)
{
    char buf[ENC_TRANSFER_MAX];
    size_t cap = (size_t)BENCH_MESSAGES * sizeof buf;
    c->text = malloc(cap);
    c->n = 0;
    c->invalid = invalid;
    c->at[0] = 0;
    if (!c->text) {
        fprintf(stderr, "bench_decode: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < BENCH_MESSAGES; i++) {
        int n = gen(&seed, buf, sizeof buf);
        if (n <= 0 || (size_t)n >= sizeof buf) {
            fprintf(stderr, "bench_decode: generator failed\n");
            exit(1);
        }
        memcpy(c->text + c->at[i], buf, (size_t)n);
        c->at[i + 1] = c->at[i] + (size_t)n;
        c->n++;
    }
}

/* Every message decodes as the corpus says it should; a benchmark of a
 * decoder that rejects its input would measure the wrong path. */
static int check(const corpus *c, decode_fn dec, const char *name)
{
    record rec;
    for (size_t i = 0; i < c->n; i++) {
        dec_error err;
        rsn_reason r = dec(c->text + c->at[i], c->at[i + 1] - c->at[i], NULL, &rec, &err);
        if ((r == RSN_OK) == c->invalid) {
            char line[256];
            dec_error_format(&err, line, sizeof line);
            fprintf(stderr, "bench_decode: %s: message %zu: %s: %.*s\n", name, i,
                    r == RSN_OK ? "accepted" : line, (int)(c->at[i + 1] - c->at[i]),
                    c->text + c->at[i]);
            return -1;
        }
    }
    return 0;
}

/* Best ns per decode over BENCH_ROUNDS rounds of ops / BENCH_ROUNDS decodes,
 * or -1 if a decode did not end as check() saw it end. */
static double time_decoder(const corpus *c, decode_fn dec, long long ops)
{
    record rec;
    double best = 0;
    long long per_round = ops / BENCH_ROUNDS > 0 ? ops / BENCH_ROUNDS : 1;
    for (int round = 0; round < BENCH_ROUNDS; round++) {
        long long accepted = 0;
        int64_t start = tf_mono_ns();
        size_t i = 0;
        for (long long k = 0; k < per_round; k++) {
            accepted +=
                dec(c->text + c->at[i], c->at[i + 1] - c->at[i], NULL, &rec, NULL) == RSN_OK;
            i = i + 1 < c->n ? i + 1 : 0;
        }
        double ns = (double)(tf_mono_ns() - start) / (double)per_round;
        if (accepted != (c->invalid ? 0 : per_round)) {
            return -1;
        }
        best = round == 0 || ns < best ? ns : best;
    }
    return best;
}

/* The decoders, behind one signature. */
static rsn_reason transfer(const void *b, size_t n, const dec_limits *l, void *o, dec_error *e)
{
    return dec_transfer(b, n, l, o, e);
}

static rsn_reason pacs008(const void *b, size_t n, const dec_limits *l, void *o, dec_error *e)
{
    size_t count;
    return iso_decode_pacs008(b, n, l, o, &count, e);
}

static rsn_reason account(const void *b, size_t n, const dec_limits *l, void *o, dec_error *e)
{
    return dec_account(b, n, l, o, e);
}

static rsn_reason watch(const void *b, size_t n, const dec_limits *l, void *o, dec_error *e)
{
    return dec_watch(b, n, l, o, e);
}

static rsn_reason report(const void *b, size_t n, const dec_limits *l, void *o, dec_error *e)
{
    return dec_report(b, n, l, o, e);
}

#ifdef IX_BENCH_REFERENCE
static rsn_reason ref_transfer(const void *b, size_t n, const dec_limits *l, void *o, dec_error *e)
{
    return ref_dec_transfer(b, n, l, o, e);
}

static rsn_reason ref_account(const void *b, size_t n, const dec_limits *l, void *o, dec_error *e)
{
    return ref_dec_account(b, n, l, o, e);
}

static rsn_reason ref_watch(const void *b, size_t n, const dec_limits *l, void *o, dec_error *e)
{
    return ref_dec_watch(b, n, l, o, e);
}

static rsn_reason ref_report(const void *b, size_t n, const dec_limits *l, void *o, dec_error *e)
{
    return ref_dec_report(b, n, l, o, e);
}
#define REF(f) f
#else
#define REF(f) NULL
#endif

typedef struct bench_case {
    const char *name;
    gen_fn gen;
    int invalid;
    decode_fn dec;
    decode_fn ref; /* NULL unless built with the reference */
} bench_case;

static const bench_case cases[] = {
    {"dec_transfer", gen_transfer, 0, transfer, REF(ref_transfer)},
    {"dec_account", gen_account, 0, account, REF(ref_account)},
    {"dec_watch", gen_watch, 0, watch, REF(ref_watch)},
    {"dec_report", gen_report, 0, report, REF(ref_report)},
    {"dec_transfer, rejected", gen_invalid, 1, transfer, REF(ref_transfer)},
    {"iso_decode_pacs008", gen_pacs008, 0, pacs008, NULL},
};

static void usage(FILE *to)
{
    fprintf(to,
            "usage: bench_decode [-n DECODES]\n\n"
            "Times every input decoder on %d distinct generated messages, cycled for\n"
            "DECODES decodes each (default %lld), in %d rounds; prints the best round's\n"
            "nanoseconds per message.%s\n",
            BENCH_MESSAGES, BENCH_OPS, BENCH_ROUNDS,
#ifdef IX_BENCH_REFERENCE
            " The jansson reference decoders run on the same\n"
            "messages, and the speed-up is new over reference."
#else
            " tests/fuzz builds bench_decode_ref, which also times the\n"
            "jansson reference decoders in the same run."
#endif
    );
}

int main(int argc, char **argv)
{
    long long ops = BENCH_OPS;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc && atoll(argv[i + 1]) > 0) {
            ops = atoll(argv[++i]);
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    printf("%-24s %9s %10s %12s %10s %9s\n", "decoder", "bytes/msg", "ns/msg", "msgs/s",
           "jansson ns", "speed-up");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const bench_case *bc = &cases[i];
        corpus c;
        fill(&c, bc->gen, 0x1D5EED + i, bc->invalid);
        if (check(&c, bc->dec, bc->name) != 0 || (bc->ref && check(&c, bc->ref, bc->name) != 0)) {
            free(c.text);
            return 1;
        }
        double ns = time_decoder(&c, bc->dec, ops);
        double ref_ns = bc->ref ? time_decoder(&c, bc->ref, ops) : 0;
        free(c.text);
        if (ns < 0 || ref_ns < 0) {
            fprintf(stderr, "bench_decode: %s: a decode changed its answer\n", bc->name);
            return 1;
        }
        printf("%-24s %9zu %10.0f %12.0f", bc->name, c.at[c.n] / c.n, ns, 1e9 / ns);
        if (bc->ref) {
            printf(" %10.0f %8.1fx", ref_ns, ref_ns / ns);
        }
        printf("\n");
        fflush(stdout);
    }
    return 0;
}
