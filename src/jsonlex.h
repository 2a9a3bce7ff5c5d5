/* jsonlex.h - a strict, allocation-free JSON reader for interdict's flat wire messages.
 *
 * A pull reader over one message in memory: jl_next() returns the next token
 * (object and array boundaries, keys, scalar values) as offsets into the
 * caller's buffer; nothing is copied or allocated. Strings are handed out raw,
 * with a flag saying whether they hold escapes; jl_string() decodes one when
 * the caller needs its value.
 *
 * What it accepts is RFC 8259 JSON, exactly as jansson 2.14's json_loadb()
 * with JSON_REJECT_DUPLICATES | JSON_DECODE_ANY accepted it, and every
 * rejection carries jansson's message and byte position, so that decoders
 * built on it keep the dead-letter details they had (docs/decoding.md):
 *  - UTF-8 is validated everywhere: no overlong forms, no encoded surrogates,
 *    nothing above U+10FFFF, no truncated sequence;
 *  - strings: no raw control characters, only the JSON escapes, \u escapes
 *    with surrogate pairs joined and a lone surrogate rejected; \u0000 is
 *    rejected in keys and values;
 *  - numbers by the JSON grammar (no leading zeros, no '+', no NaN or
 *    Infinity); an integer outside int64 and a real that overflows a double
 *    are errors (JL_E_OVERFLOW);
 *  - whitespace is space, tab, CR and LF only; nothing may follow the top
 *    value; values nest at most JL_MAX_DEPTH deep.
 * Duplicate keys are not the reader's business (it keeps no key sets):
 * jl_validate() checks them at every depth, and a decoder that binds known
 * keys can check its own with a bit set and report one with jl_duplicate().
 *
 * One deliberate difference from jansson: a NUL byte directly after a number
 * or a literal is an invalid token here; jansson 2.14 silently skips it.
 *
 * @locality any thread; a reader is used by one thread at a time.
 */
#ifndef IX_JSONLEX_H
#define IX_JSONLEX_H

#include <stddef.h>
#include <stdint.h>

#define JL_MAX_DEPTH 2048 /* deepest value, the top level being 1 (jansson's limit) */
#define JL_TEXT_MAX  64   /* room for the longest error message */

typedef enum jl_kind {
    JL_END = 0,    /* after the top-level value: the input is exhausted */
    JL_OBJECT,     /* '{': members follow, each a JL_KEY and a value */
    JL_OBJECT_END, /* '}' */
    JL_ARRAY,      /* '[': values follow */
    JL_ARRAY_END,  /* ']' */
    JL_KEY,        /* a member name; its value is the next token */
    JL_STRING,
    JL_INTEGER, /* fits int64_t; the value is in jl_token.integer */
    JL_REAL,    /* has a fraction or an exponent (1.0 and 1e2 are reals) */
    JL_TRUE,
    JL_FALSE,
    JL_NULL
} jl_kind;

/* One token. Offsets index the buffer given to jl_init(). */
typedef struct jl_token {
    jl_kind kind;
    int escaped;     /* JL_KEY, JL_STRING: the raw text holds backslash escapes */
    size_t start;    /* first byte: of the content for keys and strings (after the quote) */
    size_t end;      /* one past the last byte (before the closing quote) */
    int64_t integer; /* JL_INTEGER only */
} jl_token;

typedef enum jl_code {
    JL_OK = 0,
    JL_E_SYNTAX,    /* not JSON: grammar, UTF-8, escapes, NUL, depth, trailing data */
    JL_E_OVERFLOW,  /* an integer outside int64, or a real beyond a double */
    JL_E_DUPLICATE, /* a key twice in one object (jl_validate(), jl_duplicate()) */
} jl_code;

/* Why and where the input was rejected; only the first error is kept. */
typedef struct jl_error {
    jl_code code;
    size_t pos;             /* the byte offset jansson reports for the same error */
    int has_key;            /* key_start/key_end name a member key (raw, as written): */
    size_t key_start;       /*   JL_E_DUPLICATE: the repeated key; JL_E_OVERFLOW: the */
    size_t key_end;         /*   key whose value overflowed, when the number is one */
    char text[JL_TEXT_MAX]; /* jansson's message, e.g. "invalid token" */
} jl_error;

/* Reader state; initialise with jl_init(), then call jl_next() until JL_END
 * or an error. The fields are private. */
typedef struct jl_reader {
    const unsigned char *buf;
    size_t len;
    size_t pos;       /* next byte to read */
    int state;        /* what the grammar expects next */
    unsigned depth;   /* open objects and arrays */
    int nul;          /* the string just read decodes to a NUL */
    int in_member;    /* the value being read is an object member's */
    size_t key_start; /* raw span of the last key, for JL_E_OVERFLOW */
    size_t key_end;
    jl_error err;
    unsigned char is_object[JL_MAX_DEPTH / 8]; /* a bit per open level */
} jl_reader;

void jl_init(jl_reader *r, const void *buf, size_t len);

/* The next token into *t. Returns JL_OK (t->kind JL_END once the input is
 * complete and valid) or the error, which r->err describes; after an error
 * every call returns it again. */
jl_code jl_next(jl_reader *r, jl_token *t);

/* Reads past the rest of the object or array whose JL_OBJECT or JL_ARRAY
 * token was just returned, validating it. Sets *objects to 1 if an object
 * was opened inside it (left alone otherwise), so that the caller knows
 * whether keys were skipped unchecked for duplicates. */
jl_code jl_skip(jl_reader *r, int *objects);

/* Records that key (a JL_KEY token just returned) repeats an earlier key of
 * its object, as jansson reports it; returns JL_E_DUPLICATE. */
jl_code jl_duplicate(jl_reader *r, const jl_token *key);

/* The decoded length of a JL_KEY or JL_STRING token of buf; its first
 * min(length, size) decoded bytes are copied to out (no NUL is added). */
size_t jl_string(const void *buf, const jl_token *t, char *out, size_t size);

/* Checks a whole message: everything jl_next() checks, plus duplicate keys
 * in every object at every depth (compared decoded: "a" and "\u0061" are the
 * same key). Returns JL_OK or the first error in input order, as jansson
 * reports it, into *err. Uses about 18 KiB of stack and never allocates; an
 * object with more than a few hundred keys costs one more pass over the
 * input per few hundred keys. */
jl_code jl_validate(const void *buf, size_t len, jl_error *err);

#endif /* IX_JSONLEX_H */
