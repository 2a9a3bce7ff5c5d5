/* http.c - listen addresses and responses for the HTTP endpoints. */
#include "http.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int http_parse_listen(const char *key, const char *listen, struct sockaddr_in *sa, char *errstr,
                      size_t errstr_size)
{
    char host[64];
    const char *colon = strrchr(listen, ':');
    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    if (!colon || (size_t)(colon - listen) >= sizeof(host)) {
        snprintf(errstr, errstr_size, "%s: expected HOST:PORT, got \"%.80s\"", key, listen);
        return -1;
    }
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535) {
        snprintf(errstr, errstr_size, "%s: bad port in \"%.80s\"", key, listen);
        return -1;
    }
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof(host), "127.0.0.1");
    if (inet_pton(AF_INET, host, &sa->sin_addr) != 1) {
        snprintf(errstr, errstr_size, "%s: \"%s\" is not an IPv4 address", key, host);
        return -1;
    }
    sa->sin_port = htons((uint16_t)port);
    return 0;
}

int http_is_loopback(const struct sockaddr_in *sa)
{
    return (ntohl(sa->sin_addr.s_addr) >> 24) == 127;
}

enum MHD_Result http_reply(struct MHD_Connection *c, unsigned code, const char *type, char *body,
                           size_t len, const char *const *headers)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        body ? len : 0, body, body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", type);
    for (size_t i = 0; headers && headers[i]; i += 2)
        MHD_add_response_header(r, headers[i], headers[i + 1]);
    enum MHD_Result ok = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ok;
}
