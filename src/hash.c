/* hash.c - Kafka-compatible murmur2 and FNV-1a. */
#include "hash.h"

uint32_t hash_murmur2(const void *key, size_t len)
{
    /* Constants and seed of Kafka's Utils.murmur2. */
    const uint32_t seed = 0x9747b28cu;
    const uint32_t m = 0x5bd1e995u;
    const int r = 24;
    const unsigned char *data = key;
    uint32_t h = seed ^ (uint32_t)len;
    size_t n4 = len / 4;

    for (size_t i = 0; i < n4; i++) {
        /* Kafka reads little-endian words whatever the host order. */
        uint32_t k = (uint32_t)data[i * 4] | (uint32_t)data[i * 4 + 1] << 8 |
                     (uint32_t)data[i * 4 + 2] << 16 | (uint32_t)data[i * 4 + 3] << 24;
        k *= m;
        k ^= k >> r;
        k *= m;
        h *= m;
        h ^= k;
    }
    data += n4 * 4;
    switch (len & 3) {
    case 3:
        h ^= (uint32_t)data[2] << 16;
        /* fall through */
    case 2:
        h ^= (uint32_t)data[1] << 8;
        /* fall through */
    case 1:
        h ^= data[0];
        h *= m;
    }
    h ^= h >> 13;
    h *= m;
    h ^= h >> 15;
    return h;
}

int32_t hash_partition(const void *key, size_t len, int32_t n)
{
    if (n <= 0)
        return -1;
    return (int32_t)((hash_murmur2(key, len) & 0x7fffffffu) % (uint32_t)n);
}

uint64_t hash_fnv1a64(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}
