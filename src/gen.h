/* gen.h - synthetic bank populations and transfer streams, seeded and
 * reproducible: the same options always produce the same records.
 *
 * Two layers live here. The simple one (gen_opts .. gen_mule_transfer) is a
 * flat population whose first `mules` accounts are on the watch list, with
 * uniform background transfers at a fixed step: the demo and the watch-list
 * scenarios use it. Account i has a stable id (gen_account_id); transfers
 * are built one at a time, so callers stream them without holding the
 * stream in memory.
 *
 * The second layer (gen_pop_*) is a realistic population for the load
 * generator (scenario.h): persons, merchants and businesses in configurable
 * shares, each with a stable profile, social circle, employer, salary and
 * suppliers, all derived from the seed and the account index alone (no
 * per-account memory), plus the random primitives the stream model draws
 * from (gen_fork, gen_unit, gen_lognormal, ...).
 */
#ifndef IX_GEN_H
#define IX_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

typedef struct gen_opts {
    uint64_t seed;
    int64_t accounts; /* population size, > mules */
    int64_t mules;    /* watch-listed accounts among them */
    int64_t start_ms; /* event time of the first transfer */
    int64_t step_ms;  /* event time between consecutive transfers */
} gen_opts;

typedef struct gen {
    gen_opts o;
    uint64_t rng;
} gen;

void gen_init(gen *g, const gen_opts *o);

/* splitmix64: a small, fast, well-mixed generator. */
uint64_t gen_rand(gen *g);

/* A uniform integer in [0, n). */
int64_t gen_below(gen *g, int64_t n);

/* The id and bank of account i, stable for a given seed. */
void gen_account_id(const gen *g, int64_t i, char *out, size_t size);
const char *gen_account_bank(const gen *g, int64_t i);

/* Account i's profile and, for a mule, its watch-list entry. */
void gen_profile(const gen *g, int64_t i, ix_account *out);
void gen_watch(const gen *g, int64_t mule, ix_watch *out);

/* Transfer number seq between two ordinary (non-mule) accounts. */
void gen_background(gen *g, int64_t seq, ix_transfer *out);

/* Transfer number seq between an ordinary account and mule `mule`: into the
 * mule when incoming, else out of it. */
void gen_mule_transfer(gen *g, int64_t seq, int64_t mule, int incoming, ix_transfer *out);

/* ---- primitives of the stream model ---------------------------------- */

/* A stateless 64-bit mix of two values (splitmix64's finaliser over a ^ b'),
 * for stable per-account attributes: same inputs, same output. */
uint64_t gen_hash(uint64_t a, uint64_t b);

/* An independent generator for one sub-stream: same parent seed and stream
 * number, same sequence, whatever else was drawn from the parent. The child
 * keeps the parent's options, so gen_account_id() names the same accounts. */
void gen_fork(gen *child, const gen *parent, uint64_t stream);

/* A uniform double in [0, 1). */
double gen_unit(gen *g);

/* A uniform integer in [lo, hi]; lo when hi <= lo. */
int64_t gen_range(gen *g, int64_t lo, int64_t hi);

/* A standard normal variate (Box-Muller). */
double gen_normal(gen *g);

/* A log-normal amount: median * e^(sigma * N(0,1)), rounded, clamped to
 * [lo, hi]. Transfer amounts are log-normal-ish in real payment data: most
 * small, a long tail of large ones. */
int64_t gen_lognormal(gen *g, int64_t median, double sigma, int64_t lo, int64_t hi);

/* ---- the realistic population ----------------------------------------- */

/* Largest population: gen_account_id() keeps ids unique below 10^8. */
#define GEN_ACCOUNTS_MAX 100000000LL

/* Classes of accounts. Reserved accounts are persons by profile that the
 * background never touches: the stream model hands them to injected
 * patterns (mules, collectors, hubs), so a pattern's defining property is
 * not blurred by unrelated traffic. */
typedef enum gen_class {
    GEN_RESERVED = 0,
    GEN_BUSINESS,
    GEN_MERCHANT,
    GEN_PERSON,
    GEN_CLASS__COUNT
} gen_class;

typedef struct gen_pop_opts {
    uint64_t seed;
    int64_t accounts;      /* population size, 1000 .. GEN_ACCOUNTS_MAX */
    int64_t reserved;      /* accounts set aside for patterns, < accounts / 4 */
    int merchant_permille; /* share of the non-reserved accounts; default 60 */
    int business_permille; /* default 40; persons are the rest (900) */
    int dormant_permille;  /* persons whose bank reports them dormant; default 10 */
    int employed_permille; /* persons with an employer paying a salary; default 650 */
    int64_t now_ms;        /* accounts were opened 1 to 10 years before this */
} gen_pop_opts;

/* A population: a few numbers, no per-account memory. Accounts are spread
 * over the index space by a bijection, so the classes interleave in id order
 * as they would at a real bank. Read-only after gen_pop_init(), so any
 * number of threads may share it. */
typedef struct gen_pop {
    gen_pop_opts o;
    gen g;                               /* seeded with o.seed: ids and banks */
    int64_t first[GEN_CLASS__COUNT + 1]; /* class c holds ranks [first[c], first[c+1]) */
    uint64_t mul, inv, add;              /* index = (mul * rank + add) mod accounts */
} gen_pop;

/* The defaults above, seed 1, 100000 accounts, none reserved, now_ms 0. */
void gen_pop_defaults(gen_pop_opts *o);

/* Returns 0, or -1 with errstr filled when the options are inconsistent. */
int gen_pop_init(gen_pop *p, const gen_pop_opts *o, char *errstr, size_t errstr_size);

/* Accounts in class c. */
int64_t gen_pop_count(const gen_pop *p, gen_class c);

/* The account index of member k (0-based) of class c. */
int64_t gen_pop_index(const gen_pop *p, gen_class c, int64_t k);

/* The class of account i, and its rank k within the class when k != NULL. */
gen_class gen_pop_class(const gen_pop *p, int64_t i, int64_t *k);

/* Account i's profile: opened 1-10 years before now_ms, holder type by
 * class (reserved accounts are persons), KYC level, hashed identifiers,
 * the dormant flag for dormant persons. */
void gen_pop_profile(const gen_pop *p, int64_t i, ix_account *out);

/* Whether account i is a person reported dormant (the background leaves
 * dormant accounts silent). */
int gen_pop_dormant(const gen_pop *p, int64_t i);

/* Person i's social circle: 5 to 20 distinct other persons, stable, mostly
 * near i in rank so that circles overlap. Writes up to max indices and
 * returns how many. 0 for non-persons. */
int gen_pop_friends(const gen_pop *p, int64_t i, int64_t *out, int max);

/* The size of person i's circle (0 for non-persons), and friend j of it
 * (-1 when j is out of range): one friend without computing them all. */
int gen_pop_friend_count(const gen_pop *p, int64_t i);
int64_t gen_pop_friend(const gen_pop *p, int64_t i, int j);

/* Person i's employer (a business index), or -1 when i has none. Large
 * employers are more likely: employee counts are skewed. */
int64_t gen_pop_employer(const gen_pop *p, int64_t i);

/* Person i's monthly net salary in minor units (log-normal, median
 * 7,500.00 CNY, whole yuan). */
int64_t gen_pop_salary(const gen_pop *p, int64_t i);

/* Business b's payday, a day of the month in 1..28, and its payroll start
 * in ms after local midnight (0 to 3 hours). */
int gen_pop_payday(const gen_pop *p, int64_t b, int64_t *offset_ms);

/* The suppliers (business indices) of business or merchant i: 3 to 10,
 * stable; returns how many were written (up to max; 0 if there is none). */
int gen_pop_suppliers(const gen_pop *p, int64_t i, int64_t *out, int max);

/* A random member of class c, uniformly; for GEN_PERSON a person that is
 * not dormant. */
int64_t gen_pop_any(const gen_pop *p, gen *g, gen_class c);

/* A merchant to shop at, by popularity: a few large merchants take a large
 * share of the payments (the fan-in a screener must not flag). */
int64_t gen_pop_shop(const gen_pop *p, gen *g);

/* A biller (utility, telecom, rent platform): one of the first 0.5% of
 * merchants. */
int64_t gen_pop_biller(const gen_pop *p, gen *g);

#endif /* IX_GEN_H */
