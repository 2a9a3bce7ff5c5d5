/* html.h - text from input made safe for an HTML page (the console).
 *
 * Everything the console shows came off a Kafka topic or out of the state
 * store, and anyone who can write to the topics chooses those strings
 * (account ids, names, references): each goes through one of these on its
 * way into a page, as element text, as an attribute value or as a URL.
 */
#ifndef IX_HTML_H
#define IX_HTML_H

#include <stddef.h>
#include <stdio.h>

/* Write s escaped for element text and for a double- or single-quoted
 * attribute value: & < > " ' as character references; C0 controls and DEL
 * as '?'. At most max bytes of s are written, cut at a UTF-8 character
 * boundary and followed by an ellipsis; max 0 is no limit. NULL writes
 * nothing. */
void html_text(FILE *out, const char *s, size_t max);

/* The same into buf (always NUL-terminated, cut to fit at a character
 * boundary); returns buf. */
const char *html_escape(const char *s, char *buf, size_t size);

/* Write s percent-encoded as one URL path segment or query value: every
 * byte but A-Z a-z 0-9 - . _ ~ as %XX, so the result is also safe in any
 * attribute. */
void html_url(FILE *out, const char *s);

#endif /* IX_HTML_H */
