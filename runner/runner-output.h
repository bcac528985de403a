/* runner-output.h: iperf's text output → parser → protocol records.
 *
 * stdout and stderr are redirected into a pipe that a reader thread splits
 * into lines (bounded), forwards as "log" records and feeds to the parser.
 * A server's "listening" record comes from here too: iperf prints "Server
 * listening on PORT" only once its socket listens. The main thread can wait
 * until everything printed so far is parsed (runner_output_sync, used
 * between the tests a server serves, which also starts a fresh parser) and
 * close the stream at the end (drain). */
#pragma once

#include <glib.h>
#include "tr-iperf-parser.h"

/* @reverse/@bidirectional/@parallel: what a client asked for (0 for servers). */
void runner_output_start (TrIperfRole role,
                          gboolean    reverse,
                          gboolean    bidirectional,
                          guint       parallel);
void runner_output_sync  (void);
void runner_output_drain (void);
