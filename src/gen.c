/* gen.c - the synthetic populations and the random primitives of the stream model. */
#include "gen.h"

#include <math.h>
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

/* Fixed-width decimal digits, most significant first. */
static void put_digits(char *out, uint64_t v, int width)
{
    for (int k = width - 1; k >= 0; k--) {
        out[k] = (char)('0' + v % 10);
        v /= 10;
    }
}

void gen_account_id(const gen *g, int64_t i, char *out, size_t size)
{
    /* "62" + 14 digits: the shape of a domestic card-linked account number.
     * The last 8 digits are i itself, so ids are unique for up to 10^8
     * accounts whatever the scramble does to the prefix. */
    uint64_t s = scramble(g->o.seed, i) / 100000000ULL;
    if (i >= 0 && i < 100000000 && size >= 17) {
        /* The same digits without snprintf: the load generator's hot path. */
        out[0] = '6';
        out[1] = '2';
        put_digits(out + 2, s % 1000000ULL, 6);
        put_digits(out + 8, (uint64_t)i, 8);
        out[16] = '\0';
        return;
    }
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

/* ---- primitives of the stream model ---------------------------------- */

#define GEN_DAY_MS  86400000LL
#define GEN_HOUR_MS 3600000LL

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t gen_hash(uint64_t a, uint64_t b)
{
    return mix64(a ^ mix64(b + 0x9e3779b97f4a7c15ULL));
}

void gen_fork(gen *child, const gen *parent, uint64_t stream)
{
    child->o = parent->o;
    child->rng = gen_hash(parent->o.seed, stream);
}

/* The top 53 bits as a double in [0, 1). */
static double unit_of(uint64_t x)
{
    return (double)(x >> 11) * (1.0 / 9007199254740992.0);
}

double gen_unit(gen *g)
{
    return unit_of(gen_rand(g));
}

int64_t gen_range(gen *g, int64_t lo, int64_t hi)
{
    return hi <= lo ? lo : lo + gen_below(g, hi - lo + 1);
}

/* Box-Muller over two uniforms; u1 in (0, 1] keeps the logarithm finite. */
static double normal_of(double u1, double u2)
{
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

double gen_normal(gen *g)
{
    double u1 = 1.0 - gen_unit(g);
    return normal_of(u1, gen_unit(g));
}

static int64_t clamp_round(double v, int64_t lo, int64_t hi)
{
    if (!(v > (double)lo)) /* also catches NaN */
        return lo;
    if (v >= (double)hi)
        return hi;
    return (int64_t)llround(v);
}

int64_t gen_lognormal(gen *g, int64_t median, double sigma, int64_t lo, int64_t hi)
{
    return clamp_round((double)median * exp(sigma * gen_normal(g)), lo, hi);
}

/* ---- the realistic population ----------------------------------------- */

/* Salts that keep the per-account attributes independent of each other. */
#define SALT_PROFILE  0x70726f66696c65ULL
#define SALT_DORMANT  0x646f726d616e74ULL
#define SALT_FRIENDS  0x667269656e6473ULL
#define SALT_EMPLOYED 0x656d706c6f7964ULL
#define SALT_EMPLOYER 0x656d706c6f7972ULL
#define SALT_SALARY   0x73616c617279ULL
#define SALT_PAYDAY   0x706179646179ULL
#define SALT_SUPPLIER 0x737570706c79ULL

static uint64_t attr(const gen_pop *p, uint64_t salt, int64_t i)
{
    return gen_hash(p->o.seed ^ salt, (uint64_t)i);
}

void gen_pop_defaults(gen_pop_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->seed = 1;
    o->accounts = 100000;
    o->merchant_permille = 60;
    o->business_permille = 40;
    o->dormant_permille = 10;
    o->employed_permille = 650;
}

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* The inverse of a modulo n (gcd(a, n) == 1), by the extended Euclid. */
static int64_t modinv(int64_t a, int64_t n)
{
    int64_t t = 0, nt = 1, r = n, nr = a % n;
    while (nr) {
        int64_t q = r / nr, tmp = t - q * nt;
        t = nt;
        nt = tmp;
        tmp = r - q * nr;
        r = nr;
        nr = tmp;
    }
    return t < 0 ? t + n : t;
}

static int pop_check(const gen_pop_opts *o, char *errstr, size_t errstr_size)
{
    const char *why = NULL;
    if (o->accounts < 1000 || o->accounts > GEN_ACCOUNTS_MAX)
        why = "accounts must be between 1000 and 100000000";
    else if (o->reserved < 0 || o->reserved > o->accounts / 4)
        why = "reserved accounts must be at most a quarter of the population";
    else if (o->merchant_permille < 0 || o->business_permille < 0 ||
             o->merchant_permille + o->business_permille > 500)
        why = "merchants and businesses together may be at most half the population";
    else if (o->dormant_permille < 0 || o->dormant_permille > 500)
        why = "dormant persons must be 0 to 50%";
    else if (o->employed_permille < 0 || o->employed_permille > 1000)
        why = "employed persons must be 0 to 100%";
    else if (o->now_ms < 11 * 365 * GEN_DAY_MS)
        why = "now must be a time after 1981";
    if (why)
        snprintf(errstr, errstr_size, "population: %s", why);
    return why ? -1 : 0;
}

int gen_pop_init(gen_pop *p, const gen_pop_opts *o, char *errstr, size_t errstr_size)
{
    if (pop_check(o, errstr, errstr_size) != 0)
        return -1;
    memset(p, 0, sizeof(*p));
    p->o = *o;
    int64_t n = o->accounts, rest = n - o->reserved;
    int64_t nb = rest * o->business_permille / 1000, nm = rest * o->merchant_permille / 1000;
    nb = nb < 1 ? 1 : nb;
    nm = nm < 1 ? 1 : nm;
    p->first[GEN_RESERVED] = 0;
    p->first[GEN_BUSINESS] = o->reserved;
    p->first[GEN_MERCHANT] = o->reserved + nb;
    p->first[GEN_PERSON] = o->reserved + nb + nm;
    p->first[GEN_CLASS__COUNT] = n;
    /* A multiplier near n / golden ratio spreads consecutive ranks evenly
     * over the index space; it must be coprime with n to be a bijection. */
    int64_t mul = (int64_t)((double)n * 0.6180339887) + (int64_t)(o->seed % 997);
    mul = 1 + mul % (n - 1);
    while (gcd64(mul, n) != 1)
        mul = 1 + mul % (n - 1);
    p->mul = (uint64_t)mul;
    p->inv = (uint64_t)modinv(mul, n);
    p->add = o->seed % (uint64_t)n;
    gen_opts go = {.seed = o->seed, .accounts = n, .start_ms = o->now_ms};
    gen_init(&p->g, &go);
    return 0;
}

int64_t gen_pop_count(const gen_pop *p, gen_class c)
{
    return p->first[c + 1] - p->first[c];
}

int64_t gen_pop_index(const gen_pop *p, gen_class c, int64_t k)
{
    uint64_t n = (uint64_t)p->o.accounts, r = (uint64_t)(p->first[c] + k);
    return (int64_t)((p->mul * r + p->add) % n);
}

gen_class gen_pop_class(const gen_pop *p, int64_t i, int64_t *k)
{
    uint64_t n = (uint64_t)p->o.accounts;
    int64_t r = (int64_t)((p->inv * (((uint64_t)i + n - p->add) % n)) % n);
    gen_class c = GEN_PERSON;
    while (c > GEN_RESERVED && r < p->first[c])
        c--;
    if (k)
        *k = r - p->first[c];
    return c;
}

int gen_pop_dormant(const gen_pop *p, int64_t i)
{
    return gen_pop_class(p, i, NULL) == GEN_PERSON &&
           attr(p, SALT_DORMANT, i) % 1000 < (uint64_t)p->o.dormant_permille;
}

void gen_pop_profile(const gen_pop *p, int64_t i, ix_account *out)
{
    gen_class c = gen_pop_class(p, i, NULL);
    uint64_t h = attr(p, SALT_PROFILE, i);
    memset(out, 0, sizeof(*out));
    gen_account_id(&p->g, i, out->account, sizeof(out->account));
    snprintf(out->bank, sizeof(out->bank), "%s", gen_account_bank(&p->g, i));
    int64_t age = (365 + (int64_t)(h % 3285)) * GEN_DAY_MS + (int64_t)((h >> 16) % GEN_DAY_MS);
    out->opened_at_ms = p->o.now_ms - age;
    int tier = (int)((h >> 40) % 10);
    if (c == GEN_BUSINESS || c == GEN_MERCHANT) {
        out->holder_type = c == GEN_BUSINESS ? IX_HOLDER_BUSINESS : IX_HOLDER_MERCHANT;
        out->kyc_level = tier < 8 ? 3 : 2;
    } else {
        out->holder_type = IX_HOLDER_PERSON;
        out->kyc_level = tier < 2 ? 1 : tier < 6 ? 2 : 3;
    }
    fake_sha256(&p->g, i, "holder", out->holder_hash, sizeof(out->holder_hash));
    fake_sha256(&p->g, i, "phone", out->phone_hash, sizeof(out->phone_hash));
    fake_sha256(&p->g, i, "device", out->device_hash, sizeof(out->device_hash));
    out->flags = gen_pop_dormant(p, i) ? IX_ACCT_DORMANT : 0;
    int64_t updated = p->o.now_ms - (int64_t)((h >> 48) % 30) * GEN_DAY_MS;
    out->updated_at_ms = updated > out->opened_at_ms ? updated : out->opened_at_ms;
}

/* Person i's circle: its size, and what places friend j. Friends sit
 * within `window` ranks of i, one in each of n disjoint buckets of offsets,
 * so they are distinct and never i itself. */
typedef struct circle {
    int64_t rank, persons, bucket;
    uint64_t h;
    int n;
} circle;

static int circle_of(const gen_pop *p, int64_t i, circle *c)
{
    if (gen_pop_class(p, i, &c->rank) != GEN_PERSON)
        return 0;
    c->persons = gen_pop_count(p, GEN_PERSON);
    c->h = attr(p, SALT_FRIENDS, i);
    c->n = 5 + (int)(c->h % 16);
    int64_t window = c->persons - 1 < 1000 ? c->persons - 1 : 1000;
    c->bucket = window / 20;
    if (c->bucket == 0 && c->n > window)
        c->n = (int)window;
    return c->n;
}

static int64_t friend_at(const gen_pop *p, const circle *c, int j)
{
    int64_t off =
        c->bucket ? 1 + j * c->bucket + (int64_t)(gen_hash(c->h, (uint64_t)j) % (uint64_t)c->bucket)
                  : 1 + j;
    return gen_pop_index(p, GEN_PERSON, (c->rank + off) % c->persons);
}

int gen_pop_friend_count(const gen_pop *p, int64_t i)
{
    circle c;
    return circle_of(p, i, &c);
}

int64_t gen_pop_friend(const gen_pop *p, int64_t i, int j)
{
    circle c;
    return j >= 0 && j < circle_of(p, i, &c) ? friend_at(p, &c, j) : -1;
}

int gen_pop_friends(const gen_pop *p, int64_t i, int64_t *out, int max)
{
    circle c;
    int n = circle_of(p, i, &c), w = 0;
    for (int j = 0; j < n && w < max; j++)
        out[w++] = friend_at(p, &c, j);
    return w;
}

int64_t gen_pop_employer(const gen_pop *p, int64_t i)
{
    if (gen_pop_class(p, i, NULL) != GEN_PERSON ||
        attr(p, SALT_EMPLOYED, i) % 1000 >= (uint64_t)p->o.employed_permille)
        return -1;
    /* u^2 skews employees towards the low ranks: a few large employers. */
    double u = unit_of(attr(p, SALT_EMPLOYER, i));
    int64_t nb = gen_pop_count(p, GEN_BUSINESS);
    int64_t b = (int64_t)((double)nb * u * u);
    return gen_pop_index(p, GEN_BUSINESS, b < nb ? b : nb - 1);
}

int64_t gen_pop_salary(const gen_pop *p, int64_t i)
{
    uint64_t h = attr(p, SALT_SALARY, i);
    double z = normal_of(1.0 - unit_of(h), unit_of(gen_hash(h, 1)));
    int64_t v = clamp_round(750000.0 * exp(0.45 * z), 200000, 10000000);
    return v / 100 * 100;
}

int gen_pop_payday(const gen_pop *p, int64_t b, int64_t *offset_ms)
{
    uint64_t h = attr(p, SALT_PAYDAY, b);
    if (offset_ms)
        *offset_ms = (int64_t)((h >> 8) % (uint64_t)(3 * GEN_HOUR_MS));
    return 1 + (int)(h % 28);
}

int gen_pop_suppliers(const gen_pop *p, int64_t i, int64_t *out, int max)
{
    int64_t k;
    gen_class c = gen_pop_class(p, i, &k);
    int64_t nb = gen_pop_count(p, GEN_BUSINESS);
    if ((c != GEN_BUSINESS && c != GEN_MERCHANT) || (c == GEN_BUSINESS && nb < 2))
        return 0;
    uint64_t h = attr(p, SALT_SUPPLIER, i);
    int n = 3 + (int)(h % 8), w = 0;
    for (int j = 0; j < n && w < max; j++) {
        int64_t s = (int64_t)(gen_hash(h, (uint64_t)j) % (uint64_t)nb);
        if (c == GEN_BUSINESS && s == k)
            s = (s + 1) % nb; /* nobody supplies themselves */
        out[w++] = gen_pop_index(p, GEN_BUSINESS, s);
    }
    return w;
}

int64_t gen_pop_any(const gen_pop *p, gen *g, gen_class c)
{
    int64_t n = gen_pop_count(p, c);
    for (;;) {
        int64_t i = gen_pop_index(p, c, gen_below(g, n));
        if (c != GEN_PERSON || !gen_pop_dormant(p, i))
            return i;
    }
}

int64_t gen_pop_shop(const gen_pop *p, gen *g)
{
    /* u^3: the top merchant takes about n^(-1/3) of all shopping. */
    int64_t nm = gen_pop_count(p, GEN_MERCHANT);
    double u = gen_unit(g);
    int64_t m = (int64_t)((double)nm * u * u * u);
    return gen_pop_index(p, GEN_MERCHANT, m < nm ? m : nm - 1);
}

int64_t gen_pop_biller(const gen_pop *p, gen *g)
{
    int64_t nm = gen_pop_count(p, GEN_MERCHANT), nbill = nm / 200 > 1 ? nm / 200 : 1;
    return gen_pop_index(p, GEN_MERCHANT, gen_below(g, nbill));
}
