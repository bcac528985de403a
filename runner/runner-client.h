/* runner-client.h: turn validated options into a libiperf client test, and
 * libiperf's outcome into protocol records. */
#pragma once

#include <glib.h>
#include "tr-options.h"

struct iperf_test;

/* Resolves the host (getaddrinfo in this helper, never in the service) and
 * returns the numeric address to hand to libiperf. */
char              *runner_resolve_host      (const char          *host,
                                             int                 *gai_error);
struct iperf_test *runner_client_new        (const TrTestOptions *options,
                                             const char          *address);
/* Error kind for the service ("connection-refused", "server-busy",
 * "timeout", "iperf") from libiperf's i_errno and the saved errno. */
const char        *runner_classify_error    (int                  iperf_error,
                                             int                  errnum);
