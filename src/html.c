/* html.c - escaping for HTML text, attributes and URLs. */
#include "html.h"

#include <string.h>

/* The escaped form of byte c, or NULL when it is written as is. */
static const char *entity(unsigned char c)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    default:
        return c < 0x20 || c == 0x7f ? "?" : NULL;
    }
}

/* Bytes of s to keep within max, not splitting a UTF-8 sequence. */
static size_t cut(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (max == 0 || n <= max)
        return n;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    return n;
}

void html_text(FILE *out, const char *s, size_t max)
{
    if (!s)
        return;
    size_t n = cut(s, max);
    for (size_t i = 0; i < n; i++) {
        const char *e = entity((unsigned char)s[i]);
        if (e)
            fputs(e, out);
        else
            fputc(s[i], out);
    }
    if (n < strlen(s))
        fputs("\xe2\x80\xa6", out); /* U+2026, the ellipsis */
}

const char *html_escape(const char *s, char *buf, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; s && s[i]; i++) {
        const char *e = entity((unsigned char)s[i]);
        char one[2] = {s[i], '\0'};
        const char *w = e ? e : one;
        size_t wl = strlen(w);
        /* A lead byte starts a character: stop there when the whole
         * sequence might not fit, so no character is split. */
        size_t need = wl;
        unsigned char c = (unsigned char)s[i];
        if (c >= 0xc0)
            need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
        if (o + need >= size)
            break;
        memcpy(buf + o, w, wl);
        o += wl;
    }
    if (size)
        buf[o] = '\0';
    return buf;
}

static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

void html_url(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (unreserved(c))
            fputc(c, out);
        else
            fprintf(out, "%%%02X", c);
    }
}
