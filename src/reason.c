/* reason.c - the table of dead-letter reasons (reason.h). */
#include "reason.h"

typedef struct rsn_entry {
    const char *code; /* stable: part of the dead-letter and metrics contract */
    const char *text;
} rsn_entry;

/* Indexed by rsn_reason. */
static const rsn_entry table[RSN__COUNT] = {
    [RSN_OK] = {"ok", "accepted"},
    [RSN_EMPTY] = {"empty", "zero-length or null value"},
    [RSN_TOO_LARGE] = {"too_large", "over the size limit"},
    [RSN_MALFORMED] = {"malformed",
                       "not well-formed JSON (or XML): syntax error, truncation, invalid UTF-8"},
    [RSN_NOT_OBJECT] = {"not_object", "JSON, but not an object"},
    [RSN_DUPLICATE_FIELD] = {"duplicate_field", "a key twice in one object"},
    [RSN_UNKNOWN_FIELD] = {"unknown_field", "a key the schema does not define"},
    [RSN_VERSION] = {"unsupported_version", "version missing or not a supported version"},
    [RSN_MISSING_FIELD] = {"missing_field", "a required field is absent"},
    [RSN_FIELD_TYPE] = {"wrong_type", "a field of the wrong JSON type"},
    [RSN_FIELD_LENGTH] = {"bad_length", "a string empty or over its limit"},
    [RSN_FIELD_FORMAT] = {"bad_format", "a character the field's format does not allow"},
    [RSN_AMOUNT] = {"bad_amount", "amount not an integer in 1 to 10^15"},
    [RSN_CURRENCY] = {"unknown_currency", "not an active ISO 4217 code"},
    [RSN_TIME] = {"bad_time", "not an RFC 3339 time"},
    [RSN_TIME_RANGE] = {"time_out_of_range", "transfer event time outside the window"},
    [RSN_SAME_ACCOUNT] = {"same_account", "a transfer from an account to itself"},
    [RSN_ENUM] = {"not_in_enum", "a value outside the field's set"},
    [RSN_XML_DOCTYPE] = {"xml_doctype",
                         "an XML document with a DOCTYPE: DTDs and entities are refused"},
    [RSN_MESSAGE_TYPE] = {"wrong_message_type",
                          "XML, but not an ISO 20022 pacs.008 FIToFICstmrCdtTrf document"},
    [RSN_BAD_KEY] = {"bad_key", "a table message whose key is not its account"},
    [RSN_FOREIGN_CURRENCY] = {"foreign_currency",
                              "a transfer or fraud report not in the clearing currency"},
    [RSN_DUPLICATE_TRANSFER] = {"duplicate_transfer", "a transfer whose id was screened before"},
    [RSN_UNKNOWN_TRANSFER] = {"unknown_transfer",
                              "a fraud report naming a transfer not in the state"},
    [RSN_DUPLICATE_REPORT] = {"duplicate_report", "a fraud report whose id was traced before"},
    [RSN_UNKNOWN_REQUEST] = {"unknown_request",
                             "a verdict naming a request the state does not hold for its account"},
    [RSN_DUPLICATE_VERDICT] = {"duplicate_verdict", "a verdict on a request answered before"},
};

static int in_table(rsn_reason r)
{
    return (int)r >= 0 && (int)r < RSN__COUNT;
}

const char *rsn_code(rsn_reason r)
{
    return in_table(r) ? table[r].code : "unknown_reason";
}

const char *rsn_text(rsn_reason r)
{
    return in_table(r) ? table[r].text : "";
}
