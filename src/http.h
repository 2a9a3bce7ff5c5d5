/* http.h - what interdict's HTTP endpoints share (the metrics endpoint, the
 * console): parsing a listen address and queueing a response, both over
 * libmicrohttpd. Nothing here is a server of its own.
 */
#ifndef IX_HTTP_H
#define IX_HTTP_H

#include <stddef.h>

#include <microhttpd.h>
#include <netinet/in.h>

/* Parse "HOST:PORT" (HOST an IPv4 address or "localhost", PORT 0..65535)
 * for the configuration key `key`. Returns 0, or -1 with "key: why" in
 * errstr. */
int http_parse_listen(const char *key, const char *listen, struct sockaddr_in *sa, char *errstr,
                      size_t errstr_size);

/* Whether the address is in 127.0.0.0/8: reachable from this host only. */
int http_is_loopback(const struct sockaddr_in *sa);

/* Queue a response of `code` with body (len bytes, malloc'd: freed by
 * libmicrohttpd, also on failure; NULL for an empty body) and the
 * Content-Type `type`, plus each "Name", "value" pair of `headers` (NULL,
 * or NULL-terminated). */
enum MHD_Result http_reply(struct MHD_Connection *c, unsigned code, const char *type, char *body,
                           size_t len, const char *const *headers);

#endif /* IX_HTTP_H */
