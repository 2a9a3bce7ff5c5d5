/* console.h - `interdict console`: the fraud desk's web console.
 *
 * A read-only web server inside interdict (libmicrohttpd): the live list of
 * freeze requests on the interceptions topic, read as `interdict tail`
 * reads it (read_committed, assigned every partition, nothing committed),
 * a page per request with its reasons, evidence and evidence graph, a page
 * per account with what `interdict inspect` shows, and the same as a JSON
 * API. It opens the state store read-only, as inspect does, so it runs
 * beside a screener without disturbing it. docs/console.md has the pages,
 * the API and the security model.
 */
#ifndef IX_CONSOLE_H
#define IX_CONSOLE_H

#include <signal.h>
#include <stddef.h>

#include "config.h"
#include "log.h"

/* Check the console.* keys: the listen address, a token when it is beyond
 * loopback, the TLS files (and TLS in libmicrohttpd), the time zone.
 * Returns 0, or -1 with "key: why" in errstr. */
int con_check_config(const cfg *c, char *errstr, size_t errstr_size);

/* Serve until *run becomes 0 (SIGINT, SIGTERM). A line naming the URL goes
 * to lg->out at start. Returns 0, -2 with errstr filled for a configuration
 * error (con_check_config), or -1 with errstr filled (the port in use, the
 * topic missing). */
int con_run(const cfg *c, const ix_log *lg, volatile sig_atomic_t *run, char *errstr,
            size_t errstr_size);

#endif /* IX_CONSOLE_H */
