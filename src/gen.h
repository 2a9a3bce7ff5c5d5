/* gen.h - synthetic bank populations and transfer streams, seeded and
 * reproducible: the same options always produce the same records.
 *
 * Account i of a population has a stable id (gen_account_id); the first
 * `mules` accounts are the population's known mules, which go on the watch
 * list. Transfers are built one at a time, so callers stream them without
 * holding the whole stream in memory.
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

#endif /* IX_GEN_H */
