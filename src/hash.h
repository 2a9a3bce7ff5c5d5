/* hash.h - the hashes interdict depends on for placement and identity.
 *
 * hash_murmur2() is Kafka's default partitioner hash (the Java client's
 * Utils.murmur2 and librdkafka's "murmur2_random"), so the store can tell which
 * partition any account belongs to: partition = hash_partition(account, n).
 * hash_fnv1a64() is a stable 64-bit hash for lock striping and for
 * deterministic request ids; it must never change between versions because
 * ids derived from it are published.
 */
#ifndef IX_HASH_H
#define IX_HASH_H

#include <stddef.h>
#include <stdint.h>

uint32_t hash_murmur2(const void *key, size_t len);

/* The Kafka partition of a key among n partitions (Java client compatible). */
int32_t hash_partition(const void *key, size_t len, int32_t n);

#define HASH_FNV64_INIT 0xcbf29ce484222325ULL

/* FNV-1a over len bytes, continuing from h (start with HASH_FNV64_INIT). */
uint64_t hash_fnv1a64(uint64_t h, const void *data, size_t len);

#endif /* IX_HASH_H */
