/* iso20022.c - pacs.008 documents into transfers, with expat (iso20022.h).
 *
 * expat reads the document as a stream of elements; the handlers follow the
 * path from the root through a small tree of the elements that carry a
 * field (`nodes` below) and ignore every other subtree. The text of a mapped
 * element is kept in a fixed buffer per field; at the end of each
 * CdtTrfTxInf its fields are checked, in the JSON decoder's order, and the
 * transfer written out. Only the first problem is kept, and parsing goes on
 * to the end, so that a document that is not well-formed is refused as
 * malformed whatever field problem came before the break, as a JSON message
 * with a syntax error anywhere is.
 *
 * The one exception is a DOCTYPE: the parser stops at its start, before the
 * internal subset is read, so an entity is never declared, let alone
 * expanded or fetched. Without a DTD, a reference to anything but the five
 * predefined entities is an expat error (malformed).
 */
#include "iso20022.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "currency.h"
#include "timefmt.h"

#define ISO_NS_PREFIX   "urn:iso:std:iso:20022:tech:xsd:pacs.008.001."
#define ISO_VERSION_MIN 8  /* the first pacs.008 with BICFI in our places */
#define ISO_VERSION_MAX 13 /* the newest published */
#define ISO_NS_MAX      96 /* longer namespaces are none of pacs.008's */
#define ISO_TEXT_MAX                                                                               \
    300                    /* bytes kept of one element's text: over every limit it is             \
                              checked against, and over the 256 dec_text_time() reads */
#define ISO_DEPTH_MAX  16  /* deeper than the tree: unmapped, only counted */
#define ISO_AMOUNT_MAX 40  /* longer text is no amount of 10^15 minor units */
#define ISO_COUNT_MAX  15  /* NbOfTxs is Max15NumericText */
#define ISO_NS_SEP     ' ' /* between namespace and local name: no URI holds a space */

/* The fields of one CdtTrfTxInf, then the group header's two. */
enum {
    F_TXID,
    F_AMOUNT,
    F_TX_DATE,
    F_ACCEPTED,
    F_DBTR_IBAN,
    F_DBTR_OTHR,
    F_DBTR_BIC,
    F_CDTR_IBAN,
    F_CDTR_OTHR,
    F_CDTR_BIC,
    F_TX_COUNT, /* the fields above are reset for every transaction */
    F_NB_OF_TXS = F_TX_COUNT,
    F_GRP_DATE,
    F__COUNT
};

/* The element tree below the root, as far as it carries fields. */
enum {
    N_DOCUMENT,
    N_MESSAGE,
    N_GRPHDR,
    N_TX = 5,
    N_ACCEPTED = 10, /* the last node before the accounts: a mark for field names */
    N_NONE = -1,     /* an element outside the tree, and everything below it */
};

typedef struct node {
    int parent;
    const char *name;
    int field;        /* F_*, or -1 for an element that only holds others */
    const char *path; /* for error fields, below CdtTrfTxInf or FIToFICstmrCdtTrf */
} node;

static const node nodes[] = {
    {-1, "Document", -1, ""},
    {0, "FIToFICstmrCdtTrf", -1, "FIToFICstmrCdtTrf"},
    {1, "GrpHdr", -1, "GrpHdr"},
    {2, "NbOfTxs", F_NB_OF_TXS, "GrpHdr/NbOfTxs"},
    {2, "IntrBkSttlmDt", F_GRP_DATE, "GrpHdr/IntrBkSttlmDt"},
    {1, "CdtTrfTxInf", -1, "CdtTrfTxInf"},
    {5, "PmtId", -1, "PmtId"},
    {6, "TxId", F_TXID, "PmtId/TxId"},
    {5, "IntrBkSttlmAmt", F_AMOUNT, "IntrBkSttlmAmt"},
    {5, "IntrBkSttlmDt", F_TX_DATE, "IntrBkSttlmDt"},
    {5, "AccptncDtTm", F_ACCEPTED, "AccptncDtTm"},
    {5, "DbtrAcct", -1, "DbtrAcct"},
    {11, "Id", -1, "DbtrAcct/Id"},
    {12, "IBAN", F_DBTR_IBAN, "DbtrAcct/Id/IBAN"},
    {12, "Othr", -1, "DbtrAcct/Id/Othr"},
    {14, "Id", F_DBTR_OTHR, "DbtrAcct/Id/Othr/Id"},
    {5, "DbtrAgt", -1, "DbtrAgt"},
    {16, "FinInstnId", -1, "DbtrAgt/FinInstnId"},
    {17, "BICFI", F_DBTR_BIC, "DbtrAgt/FinInstnId/BICFI"},
    {5, "CdtrAcct", -1, "CdtrAcct"},
    {19, "Id", -1, "CdtrAcct/Id"},
    {20, "IBAN", F_CDTR_IBAN, "CdtrAcct/Id/IBAN"},
    {20, "Othr", -1, "CdtrAcct/Id/Othr"},
    {22, "Id", F_CDTR_OTHR, "CdtrAcct/Id/Othr/Id"},
    {5, "CdtrAgt", -1, "CdtrAgt"},
    {24, "FinInstnId", -1, "CdtrAgt/FinInstnId"},
    {25, "BICFI", F_CDTR_BIC, "CdtrAgt/FinInstnId/BICFI"},
};

#define NNODES ((int)(sizeof nodes / sizeof nodes[0]))
_Static_assert(NNODES <= 32, "one bit per node in iso_ctx.seen");

/* The text of one mapped element: the first ISO_TEXT_MAX bytes, the whole
 * length in n. */
typedef struct leaf {
    char s[ISO_TEXT_MAX];
    size_t n;
    int seen;
} leaf;

typedef struct iso_ctx {
    XML_Parser p;
    const dec_limits *lim;
    ix_transfer *out;
    size_t ntx;
    dec_error *err;
    int failed;  /* err holds the first problem */
    int doctype; /* stopped at a DOCTYPE */
    int depth;
    int stack[ISO_DEPTH_MAX];       /* node of each open element, N_NONE outside the tree */
    int leaf_field;                 /* the field whose text is being read, or -1 */
    int leaf_depth;                 /* its depth */
    uint32_t seen;                  /* nodes met in the current scope, a bit each */
    int grp_done;                   /* the group header is closed */
    unsigned char when[ISO_MAX_TX]; /* the element each transfer's time came from (T_*) */
    char ns[ISO_NS_MAX + 1];        /* the root's namespace */
    size_t ns_len;
    char ccy[48]; /* IntrBkSttlmAmt/@Ccy: the first bytes, over what a detail quotes */
    size_t ccy_len;
    int ccy_seen;
    leaf f[F__COUNT];
} iso_ctx;

/* ---- errors ------------------------------------------------------------ */

/* The first problem is the one reported; the error's field is the path. */
static int first(iso_ctx *x)
{
    if (x->failed) {
        return 0;
    }
    x->failed = 1;
    return 1;
}

static void tx_field(const iso_ctx *x, const char *path, char *buf, size_t size)
{
    snprintf(buf, size, "CdtTrfTxInf[%zu]/%s", x->ntx + 1, path);
}

/* ---- names ------------------------------------------------------------- */

/* expat gives "namespace local" for a qualified name, "local" without one. */
static void split(const char *name, const char **ns, size_t *ns_len, const char **local)
{
    const char *sep = strrchr(name, ISO_NS_SEP);
    *ns = sep ? name : "";
    *ns_len = sep ? (size_t)(sep - name) : 0;
    *local = sep ? sep + 1 : name;
}

/* 1 when ns is "urn:...:pacs.008.001.NN"; *version set to NN. */
static int pacs008_version(const char *ns, size_t n, int *version)
{
    size_t pre = sizeof ISO_NS_PREFIX - 1;
    if (n != pre + 2 || memcmp(ns, ISO_NS_PREFIX, pre) != 0 || ns[pre] < '0' || ns[pre] > '9' ||
        ns[pre + 1] < '0' || ns[pre + 1] > '9') {
        return 0;
    }
    *version = (ns[pre] - '0') * 10 + ns[pre + 1] - '0';
    return 1;
}

static void check_root(iso_ctx *x, const char *ns, size_t ns_len, const char *local)
{
    int version = 0;
    char quoted[DEC_ECHO_MAX + 4];
    if (strcmp(local, "Document") != 0 || !pacs008_version(ns, ns_len, &version)) {
        dec_echo(quoted, ns_len ? ns : local, ns_len ? ns_len : strlen(local), DEC_ECHO_MAX);
        if (first(x)) {
            dec_fail(x->err, RSN_MESSAGE_TYPE, "", "root element %s \"%s\"",
                     ns_len ? "in namespace" : "is", quoted);
        }
        return;
    }
    if (version < ISO_VERSION_MIN || version > ISO_VERSION_MAX) {
        if (first(x)) {
            dec_fail(x->err, RSN_VERSION, "", "pacs.008.001.%02d not supported (%02d to %02d are)",
                     version, ISO_VERSION_MIN, ISO_VERSION_MAX);
        }
        return;
    }
    memcpy(x->ns, ns, ns_len);
    x->ns_len = ns_len;
}

/* The node of a child element of parent, or N_NONE. */
static int child(const iso_ctx *x, int parent, const char *name)
{
    const char *ns, *local;
    size_t ns_len;
    split(name, &ns, &ns_len, &local);
    if (parent == N_NONE || ns_len != x->ns_len || memcmp(ns, x->ns, ns_len) != 0) {
        return N_NONE;
    }
    for (int i = parent + 1; i < NNODES; i++) {
        if (nodes[i].parent == parent && strcmp(nodes[i].name, local) == 0) {
            return i;
        }
    }
    return N_NONE;
}

/* ---- the handlers ------------------------------------------------------ */

/* A DTD could declare entities: stop before its internal subset. */
static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal_subset)
{
    iso_ctx *x = ud;
    (void)name;
    (void)sysid;
    (void)pubid;
    (void)has_internal_subset;
    x->doctype = 1;
    XML_StopParser(x->p, XML_FALSE);
}

/* Never reached past on_doctype; kept so that no entity is declared even if
 * a parser version called it first. */
static void XMLCALL on_entity(void *ud, const XML_Char *name, int is_param, const XML_Char *value,
                              int value_len, const XML_Char *base, const XML_Char *sysid,
                              const XML_Char *pubid, const XML_Char *notation)
{
    iso_ctx *x = ud;
    (void)name, (void)is_param, (void)value, (void)value_len, (void)base, (void)sysid, (void)pubid,
        (void)notation;
    x->doctype = 1;
    XML_StopParser(x->p, XML_FALSE);
}

static void keep_ccy(iso_ctx *x, const XML_Char **atts)
{
    x->ccy_seen = 0;
    for (int i = 0; atts[i]; i += 2) {
        if (strcmp(atts[i], "Ccy") == 0) {
            size_t n = strlen(atts[i + 1]);
            x->ccy_len = n;
            memcpy(x->ccy, atts[i + 1], n < sizeof x->ccy ? n : sizeof x->ccy);
            x->ccy_seen = 1;
        }
    }
}

static void begin_tx(iso_ctx *x)
{
    for (int i = 0; i < F_TX_COUNT; i++) {
        x->f[i].n = 0;
        x->f[i].seen = 0;
    }
    x->ccy_seen = 0;
    x->seen &= (1u << N_TX) - 1; /* the transaction's own nodes start unseen */
    if (!x->grp_done && first(x)) {
        dec_fail(x->err, RSN_MISSING_FIELD, "GrpHdr", "required before the first CdtTrfTxInf");
    }
}

/* A mapped element that is already there, once per scope. */
static void duplicate(iso_ctx *x, int id)
{
    char field[sizeof x->err->field];
    if (!first(x)) {
        return;
    }
    if (id > N_TX) {
        tx_field(x, nodes[id].path, field, sizeof field);
    } else {
        snprintf(field, sizeof field, "%s", nodes[id].path);
    }
    dec_fail(x->err, RSN_DUPLICATE_FIELD, field, "element appears more than once");
}

static void enter(iso_ctx *x, int id, const XML_Char **atts)
{
    if (id == N_TX) {
        begin_tx(x);
    } else if (x->seen & (1u << id)) {
        duplicate(x, id);
    }
    x->seen |= 1u << id;
    if (nodes[id].field >= 0) {
        x->leaf_field = nodes[id].field;
        x->leaf_depth = x->depth;
        x->f[x->leaf_field].n = 0;
    }
    if (nodes[id].field == F_AMOUNT) {
        keep_ccy(x, atts);
    }
}

/* An element inside a field's text: the field is not text. */
static void nested_in_leaf(iso_ctx *x)
{
    char field[sizeof x->err->field];
    int id = x->stack[x->leaf_depth - 1];
    if (!first(x)) {
        return;
    }
    if (id > N_TX) {
        tx_field(x, nodes[id].path, field, sizeof field);
    } else {
        snprintf(field, sizeof field, "%s", nodes[id].path);
    }
    dec_fail(x->err, RSN_FIELD_TYPE, field, "expected text, got an element");
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    iso_ctx *x = ud;
    int id = N_NONE;
    if (x->depth == 0) {
        const char *ns, *local;
        size_t ns_len;
        split(name, &ns, &ns_len, &local);
        check_root(x, ns, ns_len, local);
        id = x->ns_len ? N_DOCUMENT : N_NONE;
    } else if (x->leaf_field >= 0) {
        nested_in_leaf(x);
    } else if (x->depth <= ISO_DEPTH_MAX) {
        id = child(x, x->stack[x->depth - 1], name);
    }
    x->depth++;
    if (x->depth <= ISO_DEPTH_MAX) {
        x->stack[x->depth - 1] = id;
    }
    if (id != N_NONE) {
        enter(x, id, atts);
    }
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
    iso_ctx *x = ud;
    if (x->leaf_field < 0 || len <= 0) {
        return;
    }
    leaf *l = &x->f[x->leaf_field];
    size_t room = l->n < ISO_TEXT_MAX ? ISO_TEXT_MAX - l->n : 0;
    size_t n = (size_t)len < room ? (size_t)len : room;
    if (n > 0) { /* past the buffer, not even a pointer to it may be formed */
        memcpy(l->s + l->n, s, n);
    }
    l->n += (size_t)len; /* the whole length, even past what is kept */
}

static void finish_tx(iso_ctx *x);

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    iso_ctx *x = ud;
    (void)name;
    int id = x->depth <= ISO_DEPTH_MAX ? x->stack[x->depth - 1] : N_NONE;
    if (x->leaf_field >= 0 && x->depth == x->leaf_depth) {
        x->f[x->leaf_field].seen = 1;
        x->leaf_field = -1;
    }
    if (id == N_TX) {
        finish_tx(x);
    } else if (id == N_GRPHDR) {
        x->grp_done = 1;
    }
    x->depth--;
}

/* ---- one transaction's fields ------------------------------------------ */

/* A field's text, NULL-safe to read up to its kept bytes. */
static const leaf *got(const iso_ctx *x, int field)
{
    return x->f[field].seen ? &x->f[field] : NULL;
}

static rsn_reason missing(iso_ctx *x, const char *path, const char *detail)
{
    char field[sizeof x->err->field];
    tx_field(x, path, field, sizeof field);
    return dec_fail(x->err, RSN_MISSING_FIELD, field, "%s", detail);
}

/* DbtrAcct or CdtrAcct: Id/IBAN or Id/Othr/Id, exactly one. */
static rsn_reason account(iso_ctx *x, int iban_f, int othr_f, const char *acct, char *out)
{
    char field[sizeof x->err->field];
    const leaf *iban = got(x, iban_f), *othr = got(x, othr_f);
    char path[32];
    snprintf(path, sizeof path, "%s/Id", acct);
    if (!iban && !othr) {
        return missing(x, path, "required: IBAN or Othr/Id");
    }
    if (iban && othr) {
        tx_field(x, path, field, sizeof field);
        return dec_fail(x->err, RSN_DUPLICATE_FIELD, field, "both IBAN and Othr/Id");
    }
    snprintf(path, sizeof path, "%s/Id/%s", acct, iban ? "IBAN" : "Othr/Id");
    tx_field(x, path, field, sizeof field);
    const leaf *l = iban ? iban : othr;
    rsn_reason r = dec_text_account(l->s, l->n, field, out, x->err);
    if (r == RSN_OK && iban && !ix_iban_shaped(l->s, l->n)) {
        return dec_fail(x->err, RSN_FIELD_FORMAT, field,
                        "not an ISO 13616 IBAN (two letters, two digits, letters and digits)");
    }
    return r;
}

static rsn_reason bank(iso_ctx *x, int f, const char *path, char *out)
{
    char field[sizeof x->err->field];
    const leaf *l = got(x, f);
    if (!l) {
        return missing(x, path, "required");
    }
    tx_field(x, path, field, sizeof field);
    return dec_text_bank(l->s, l->n, field, out, x->err);
}

/* A decimal of at most the currency's minor-unit digits after the point,
 * as minor units: "1234.5" EUR is 123450 (cur_parse_decimal() has the form). */
static rsn_reason minor_units(const char *s, size_t n, int exponent, const char *field,
                              int64_t *out, dec_error *err)
{
    cur_decimal d;
    if (n > ISO_AMOUNT_MAX) {
        return dec_fail(err, RSN_AMOUNT, field, "%zu bytes: no amount is that long", n);
    }
    if (n > 0 && s[0] == '-') {
        return dec_fail(err, RSN_AMOUNT, field, "negative");
    }
    if (cur_parse_decimal(s, n, exponent, DEC_AMOUNT_MAX, &d) != 0) {
        char quoted[DEC_ECHO_MAX + 4];
        dec_echo(quoted, s, n, DEC_ECHO_MAX);
        return dec_fail(err, RSN_AMOUNT, field, "\"%s\" is not a decimal amount", quoted);
    }
    if (d.decimals > exponent) {
        return dec_fail(err, RSN_AMOUNT, field, "%d decimals, the currency has %d", d.decimals,
                        exponent);
    }
    if (d.minor < 1 || d.minor > DEC_AMOUNT_MAX) {
        return dec_fail(err, RSN_AMOUNT, field, "%s minor units, allowed 1..%lld",
                        d.minor < 1 ? "0" : "more than 10^15", DEC_AMOUNT_MAX);
    }
    *out = d.minor;
    return RSN_OK;
}

static rsn_reason amount(iso_ctx *x, ix_transfer *t)
{
    char field[sizeof x->err->field];
    const leaf *l = got(x, F_AMOUNT);
    if (!l) {
        return missing(x, "IntrBkSttlmAmt", "required");
    }
    if (!x->ccy_seen) {
        return missing(x, "IntrBkSttlmAmt/@Ccy", "required");
    }
    tx_field(x, "IntrBkSttlmAmt/@Ccy", field, sizeof field);
    rsn_reason r = dec_text_currency(x->ccy, x->ccy_len, field, t->currency, x->err);
    if (r != RSN_OK) {
        return r;
    }
    tx_field(x, "IntrBkSttlmAmt", field, sizeof field);
    return minor_units(l->s, l->n, cur_minor_units(t->currency), field, &t->amount, x->err);
}

/* An ISODate, YYYY-MM-DD, as its midnight UTC. */
static rsn_reason date(const leaf *l, const char *field, int64_t *ms, dec_error *err)
{
    char t[32];
    if (l->n == 10) {
        memcpy(t, l->s, 10);
        memcpy(t + 10, "T00:00:00Z", 11);
    }
    if (l->n != 10 || l->s[4] != '-' || l->s[7] != '-' || tf_parse(t, 20, ms) != 0) {
        char quoted[DEC_ECHO_MAX + 4];
        dec_echo(quoted, l->s, l->n, DEC_ECHO_MAX);
        return dec_fail(err, RSN_TIME, field, "\"%s\" is not an ISO 8601 date (YYYY-MM-DD)",
                        quoted);
    }
    return RSN_OK;
}

/* Where a transfer's event time came from, in order of preference. */
enum { T_ACCEPTED, T_TX_DATE, T_GRP_DATE };

/* The path of the time of transfer i, for an error. */
static void time_field(const iso_ctx *x, size_t i, char *buf, size_t size)
{
    if (x->when[i] == T_GRP_DATE) {
        snprintf(buf, size, "GrpHdr/IntrBkSttlmDt");
    } else {
        snprintf(buf, size, "CdtTrfTxInf[%zu]/%s", i + 1,
                 x->when[i] == T_ACCEPTED ? "AccptncDtTm" : "IntrBkSttlmDt");
    }
}

/* AccptncDtTm (with a zone), else the transaction's IntrBkSttlmDt, else the
 * group header's; x->when[] records which. */
static rsn_reason event_time(iso_ctx *x, int64_t *ms)
{
    char field[sizeof x->err->field];
    const leaf *acc = got(x, F_ACCEPTED), *d = got(x, F_TX_DATE), *gd = got(x, F_GRP_DATE);
    const leaf *l = acc ? acc : d ? d : gd;
    if (!l) {
        return missing(x, "AccptncDtTm", "required: AccptncDtTm or IntrBkSttlmDt");
    }
    x->when[x->ntx] = acc ? T_ACCEPTED : d ? T_TX_DATE : T_GRP_DATE;
    time_field(x, x->ntx, field, sizeof field);
    return acc ? dec_text_time(l->s, l->n, field, ms, x->err) : date(l, field, ms, x->err);
}

/* The JSON decoder's order: id, accounts and banks, amount and currency,
 * time, then the checks of the whole transfer but the time window, which
 * in_window() applies once every transaction has passed the others: as in
 * JSON, it never hides another reason. */
static rsn_reason transfer(iso_ctx *x, ix_transfer *t)
{
    char field[sizeof x->err->field], to[sizeof x->err->field];
    dec_limits no_window = *x->lim;
    const leaf *id = got(x, F_TXID);
    memset(t, 0, sizeof *t);
    if (!id) {
        return missing(x, "PmtId/TxId", "required");
    }
    tx_field(x, "PmtId/TxId", field, sizeof field);
    DEC_CHECK(dec_text_id(id->s, id->n, field, t->id, x->err));
    DEC_CHECK(account(x, F_DBTR_IBAN, F_DBTR_OTHR, "DbtrAcct", t->from_account));
    DEC_CHECK(bank(x, F_DBTR_BIC, "DbtrAgt/FinInstnId/BICFI", t->from_bank));
    DEC_CHECK(account(x, F_CDTR_IBAN, F_CDTR_OTHR, "CdtrAcct", t->to_account));
    DEC_CHECK(bank(x, F_CDTR_BIC, "CdtrAgt/FinInstnId/BICFI", t->to_bank));
    DEC_CHECK(amount(x, t));
    DEC_CHECK(event_time(x, &t->event_time_ms));
    tx_field(x, "CdtrAcct", to, sizeof to);
    no_window.now_ms = 0;
    return dec_transfer_check(t, &no_window, to, "", x->err);
}

/* Every transfer's event time within the input window, in order. */
static rsn_reason in_window(iso_ctx *x)
{
    char field[sizeof x->err->field];
    for (size_t i = 0; i < x->ntx; i++) {
        time_field(x, i, field, sizeof field);
        DEC_CHECK(dec_transfer_check(&x->out[i], x->lim, "", field, x->err));
    }
    return RSN_OK;
}

static void finish_tx(iso_ctx *x)
{
    if (x->failed) {
        return;
    }
    if (x->ntx >= ISO_MAX_TX) {
        first(x);
        dec_fail(x->err, RSN_TOO_LARGE, "", "more than %d CdtTrfTxInf in one message", ISO_MAX_TX);
        return;
    }
    if (transfer(x, &x->out[x->ntx]) != RSN_OK) {
        first(x);
        return;
    }
    x->ntx++;
}

/* ---- the document ------------------------------------------------------ */

/* GrpHdr/NbOfTxs must state the count the message holds. */
static rsn_reason check_count(iso_ctx *x)
{
    const leaf *l = got(x, F_NB_OF_TXS);
    uint64_t v = 0;
    if (!(x->seen & (1u << N_MESSAGE))) {
        return dec_fail(x->err, RSN_MESSAGE_TYPE, "", "no FIToFICstmrCdtTrf in the Document");
    }
    if (!l) {
        return dec_fail(x->err, RSN_MISSING_FIELD, "GrpHdr/NbOfTxs", "required");
    }
    size_t i = 0;
    for (; i < l->n && i < ISO_COUNT_MAX && l->s[i] >= '0' && l->s[i] <= '9'; i++) {
        v = v * 10 + (uint64_t)(l->s[i] - '0');
    }
    if (l->n == 0 || i < l->n) {
        char quoted[DEC_ECHO_MAX + 4];
        dec_echo(quoted, l->s, l->n, DEC_ECHO_MAX);
        return dec_fail(x->err, RSN_FIELD_FORMAT, "GrpHdr/NbOfTxs", "\"%s\" is not 1 to 15 digits",
                        quoted);
    }
    if (x->ntx == 0) {
        return dec_fail(x->err, RSN_MISSING_FIELD, "CdtTrfTxInf", "required: at least one");
    }
    if (v != x->ntx) {
        return dec_fail(x->err, RSN_FIELD_FORMAT, "GrpHdr/NbOfTxs",
                        "says %llu, the message holds %zu CdtTrfTxInf", (unsigned long long)v,
                        x->ntx);
    }
    return RSN_OK;
}

static rsn_reason not_well_formed(iso_ctx *x)
{
    enum XML_Error e = XML_GetErrorCode(x->p);
    return dec_fail(x->err, RSN_MALFORMED, "", "%s at line %lu, column %lu", XML_ErrorString(e),
                    (unsigned long)XML_GetCurrentLineNumber(x->p),
                    (unsigned long)XML_GetCurrentColumnNumber(x->p));
}

static rsn_reason parse(iso_ctx *x, const char *buf, size_t len)
{
    XML_SetUserData(x->p, x);
    XML_SetParamEntityParsing(x->p, XML_PARAM_ENTITY_PARSING_NEVER);
    XML_SetStartDoctypeDeclHandler(x->p, on_doctype);
    XML_SetEntityDeclHandler(x->p, on_entity);
    XML_SetElementHandler(x->p, on_start, on_end);
    XML_SetCharacterDataHandler(x->p, on_text);
    enum XML_Status st = XML_Parse(x->p, buf, (int)len, XML_TRUE);
    if (x->doctype) {
        return dec_fail(x->err, RSN_XML_DOCTYPE, "",
                        "a DOCTYPE: DTDs and entity declarations are refused");
    }
    if (st != XML_STATUS_OK) {
        return not_well_formed(x);
    }
    if (x->failed) {
        return x->err->reason;
    }
    rsn_reason r = check_count(x);
    return r != RSN_OK ? r : in_window(x);
}

rsn_reason iso_decode_pacs008(const void *buf, size_t len, const dec_limits *lim, ix_transfer *out,
                              size_t *n, dec_error *err)
{
    dec_error scratch;
    dec_limits defaults;
    iso_ctx *x = NULL;
    rsn_reason r;
    *n = 0;
    err = err ? err : &scratch;
    memset(err, 0, sizeof *err);
    if (!lim) {
        dec_limits_default(&defaults);
        lim = &defaults;
    }
    if (!buf || len == 0) {
        return dec_fail(err, RSN_EMPTY, "", "empty message");
    }
    if (len > lim->max_bytes || len > INT_MAX) {
        return dec_fail(err, RSN_TOO_LARGE, "", "%zu bytes, limit %zu", len, lim->max_bytes);
    }
    /* The context is 4 KB of field text: on the heap, as the parser is. */
    x = calloc(1, sizeof *x);
    if (!x || !(x->p = XML_ParserCreateNS(NULL, ISO_NS_SEP))) {
        free(x);
        return dec_fail(err, RSN_TOO_LARGE, "", "out of memory for the XML parser");
    }
    x->lim = lim;
    x->out = out;
    x->err = err;
    x->leaf_field = -1;
    r = parse(x, buf, len);
    if (r == RSN_OK) {
        *n = x->ntx;
    }
    XML_ParserFree(x->p);
    free(x);
    return r;
}
