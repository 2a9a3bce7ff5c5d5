/* reason.h - why a message was refused: one code for every dead letter.
 *
 * Every way an input message can end on the dead-letter topic has one entry
 * in one table: the decoder's reasons (decode.h returns only those below
 * RSN_DECODE_COUNT) and the ones screening adds once a message has decoded
 * (screen.h: a foreign currency, a transfer id seen before, a report naming
 * an unknown transfer, a table key that is not its account, a verdict
 * on a request never raised or answered before). The codes are
 * stable: they are the `interdict.reason` header of a dead letter and the
 * `reason` label of interdict_deadletters_total, and schemas/README.md lists
 * them (test_reason holds the two together). They are added, never renamed
 * or reused.
 *
 * @locality any thread; the table is constant.
 */
#ifndef IX_REASON_H
#define IX_REASON_H

typedef enum rsn_reason {
    RSN_OK = 0,
    /* The decoder's. */
    RSN_EMPTY,           /* zero-length or null message */
    RSN_TOO_LARGE,       /* larger than dec_limits.max_bytes */
    RSN_MALFORMED,       /* not well-formed JSON or XML: syntax, truncation, encoding */
    RSN_NOT_OBJECT,      /* JSON, but the top level is not an object */
    RSN_DUPLICATE_FIELD, /* the same key twice in one object */
    RSN_UNKNOWN_FIELD,   /* a key the schema does not define */
    RSN_VERSION,         /* "version" missing or not a supported version */
    RSN_MISSING_FIELD,   /* a required field is absent */
    RSN_FIELD_TYPE,      /* a field has the wrong JSON type */
    RSN_FIELD_LENGTH,    /* a string is empty or longer than its limit */
    RSN_FIELD_FORMAT,    /* a string has characters its format does not allow */
    RSN_AMOUNT,          /* amount not an integer in 1 .. DEC_AMOUNT_MAX */
    RSN_CURRENCY,        /* not an active ISO 4217 alphabetic code */
    RSN_TIME,            /* not an RFC 3339 timestamp */
    RSN_TIME_RANGE,      /* event time too far in the past or future */
    RSN_SAME_ACCOUNT,    /* a transfer from an account to itself */
    RSN_ENUM,            /* a value outside the field's allowed set */
    RSN_XML_DOCTYPE,     /* an XML document with a DOCTYPE (DTD, entities): refused */
    RSN_MESSAGE_TYPE,    /* XML, but not a pacs.008 FIToFICstmrCdtTrf document */
    RSN_DECODE_COUNT,    /* the decoder's reasons are those below */
    /* Screening's, for messages that decoded. */
    RSN_BAD_KEY = RSN_DECODE_COUNT, /* a table message whose key is not its account */
    RSN_FOREIGN_CURRENCY,           /* a transfer not in the clearing currency */
    RSN_DUPLICATE_TRANSFER,         /* a transfer whose id was screened before */
    RSN_UNKNOWN_TRANSFER,           /* a report naming a transfer not in the state */
    RSN_DUPLICATE_REPORT,           /* a fraud report whose id was traced before */
    RSN_UNKNOWN_REQUEST,            /* a verdict on a request the state does not hold */
    RSN_DUPLICATE_VERDICT,          /* a verdict on a request answered before */
    RSN__COUNT
} rsn_reason;

/* The stable snake_case code, e.g. "unknown_currency"; "unknown_reason"
 * outside the table. */
const char *rsn_code(rsn_reason r);

/* When the reason applies, in one line for people ("" outside the table). */
const char *rsn_text(rsn_reason r);

#endif /* IX_REASON_H */
