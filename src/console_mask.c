/* console_mask.c - account ids hidden on screens others see, and the link
 * tokens that keep them out of the address bar.
 *
 * The tokens are not for secrecy against the user of the console (who is
 * authenticated and may read the API): they keep an id from being read off
 * a wall screen or a shared screen. The id is XORed with a keystream drawn
 * from a per-run random key, so equal ids give equal tokens within a run and
 * nothing can be learnt across runs.
 */
#include "console_int.h"

#include <string.h>
#include <sys/random.h>

#include "hash.h"

const char *con_mask(con_mask_mode mode, const char *account, char *buf, size_t size)
{
    size_t head = mode == CON_MASK_PARTIAL ? CON_MASK_SHOW : 0;
    size_t tail = mode == CON_MASK_NONE ? 0 : CON_MASK_SHOW;
    if (size == 0)
        return buf;
    if (mode == CON_MASK_NONE) {
        snprintf(buf, size, "%s", account);
        return buf;
    }
    return ix_mask_account(account, head, tail, buf, size);
}

int con_key_new(con_key *key, char *errstr, size_t errstr_size)
{
    if (getrandom(key->k, sizeof(key->k), 0) != (ssize_t)sizeof(key->k)) {
        snprintf(errstr, errstr_size, "no random bytes for the console's link key");
        return -1;
    }
    return 0;
}

/* Byte i of the keystream. */
static unsigned char stream(const con_key *key, size_t i)
{
    uint64_t block = i / 8;
    uint64_t h = hash_fnv1a64(HASH_FNV64_INIT ^ key->k[0], &block, sizeof(block));
    h = hash_fnv1a64(h ^ key->k[1], &key->k, sizeof(key->k));
    return (unsigned char)(h >> (8 * (i % 8)));
}

const char *con_token(const con_key *key, const char *account, char *buf, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    if (size < 2) {
        if (size)
            buf[0] = '\0';
        return buf;
    }
    buf[o++] = '~';
    for (size_t i = 0; account[i] && o + 2 < size; i++) {
        unsigned char c = (unsigned char)account[i] ^ stream(key, i);
        buf[o++] = hex[c >> 4];
        buf[o++] = hex[c & 15];
    }
    buf[o] = '\0';
    return buf;
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int con_untoken(const con_key *key, const char *token, char *buf, size_t size)
{
    size_t n = strlen(token);
    if (n < 3 || token[0] != '~' || (n - 1) % 2 || (n - 1) / 2 >= size)
        return -1;
    for (size_t i = 0; i < (n - 1) / 2; i++) {
        int hi = nibble(token[1 + 2 * i]), lo = nibble(token[2 + 2 * i]);
        if (hi < 0 || lo < 0)
            return -1;
        unsigned char c = (unsigned char)(hi * 16 + lo) ^ stream(key, i);
        if (c < 0x20 || c == 0x7f)
            return -1;
        buf[i] = (char)c;
    }
    buf[(n - 1) / 2] = '\0';
    return 0;
}
