/* model.c - names of the model's enumerations, as they appear on the wire. */
#include "model.h"

#include <string.h>

/* Indexed by the enum value; the wire names come from the schemas. */
static const char *const action_names[] = {"NONE", "REVIEW", "HOLD", "FREEZE"};
static const char *const channel_names[IX_CHANNEL__COUNT] = {"unknown", "mobile", "online",
                                                             "branch",  "atm",    "pos"};
static const char *const holder_names[IX_HOLDER__COUNT] = {"unknown", "person", "business",
                                                           "merchant"};

const char *const ix_format_names[IX_FORMAT__COUNT + 1] = {"json", "pacs008", NULL};

#define NAMES_COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char *name_of(const char *const *names, int count, int v)
{
    return v >= 0 && v < count ? names[v] : "invalid";
}

static int index_of(const char *const *names, int count, const char *s)
{
    if (!s) {
        return -1;
    }
    for (int i = 0; i < count; i++) {
        if (strcmp(names[i], s) == 0) {
            return i;
        }
    }
    return -1;
}

const char *ix_action_name(ix_action a)
{
    return name_of(action_names, NAMES_COUNT(action_names), (int)a);
}

const char *ix_channel_name(ix_channel c)
{
    return name_of(channel_names, NAMES_COUNT(channel_names), (int)c);
}

const char *ix_holder_type_name(ix_holder_type h)
{
    return name_of(holder_names, NAMES_COUNT(holder_names), (int)h);
}

int ix_action_parse(const char *s)
{
    return index_of(action_names, NAMES_COUNT(action_names), s);
}

int ix_channel_parse(const char *s)
{
    return index_of(channel_names, NAMES_COUNT(channel_names), s);
}

int ix_holder_type_parse(const char *s)
{
    return index_of(holder_names, NAMES_COUNT(holder_names), s);
}

int ix_format_parse(const char *s)
{
    return index_of(ix_format_names, IX_FORMAT__COUNT, s);
}

int ix_iban_shaped(const char *s, size_t n)
{
    if (n < 5 || n > IX_ACCOUNT_MAX || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' ||
        s[2] < '0' || s[2] > '9' || s[3] < '0' || s[3] > '9') {
        return 0;
    }
    for (size_t i = 4; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
            return 0;
        }
    }
    return 1;
}

const char *ix_mask_account(const char *account, size_t head, size_t tail, char *buf, size_t size)
{
    size_t n = account ? strlen(account) : 0, o = 0;
    if (size == 0)
        return buf;
    if (n <= head + tail + 2)
        head = tail = 0;
    for (size_t i = 0; i < n && o + 1 < size; i++)
        buf[o++] = i < head || i >= n - tail ? account[i] : '*';
    buf[o] = '\0';
    return buf;
}
