/* render.h - freeze requests and dead letters made readable for people
 * (the demo, `interdict tail`). Input is the wire JSON, so anything read
 * back from Kafka can be shown.
 */
#ifndef IX_RENDER_H
#define IX_RENDER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* "12,345.67 CNY" using the currency's minor units. */
void render_amount(int64_t minor, const char *currency, char *buf, size_t size);

/* A freeze request (schemas/freeze-request.v1.json) as a few indented lines.
 * Returns 0, or -1 with errstr filled when the JSON is not a request. */
int render_request(const void *json, size_t len, FILE *out, char *errstr, size_t errstr_size);

#endif /* IX_RENDER_H */
