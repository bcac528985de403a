/* tr-options.h: validation of a client test's a{sv} options.
 *
 * Every key is checked against one table (type, range, default) and turned
 * into a TrTestOptions; unknown keys, wrong types and out-of-range values
 * fail with TR_ERROR_INVALID_ARGUMENT and a message that names the field and
 * the allowed range. Nothing here ever becomes a command-line flag: the
 * runner hands the values to libiperf through its setters. */
#pragma once

#include <glib.h>
#include "tr-option-spec.h"

G_BEGIN_DECLS

typedef enum {
  TR_PROTOCOL_TCP,
  TR_PROTOCOL_UDP,
} TrProtocol;

typedef enum {
  TR_DIRECTION_FORWARD,
  TR_DIRECTION_REVERSE,
  TR_DIRECTION_BIDIRECTIONAL,
} TrDirection;

#define TR_OPTIONS_MAX_PARALLEL 128
#define TR_OPTIONS_DEFAULT_PORT 5201
#define TR_OPTIONS_DEFAULT_UDP_BITRATE 1000000

typedef struct {
  char       *host;
  guint       port;
  TrProtocol  protocol;
  guint       duration;         /* seconds; 0 = until stopped */
  guint64     bytes;            /* 0 = not set */
  guint       parallel;
  TrDirection direction;
  guint64     bitrate;          /* bits/s; 0 = unlimited */
  double      interval;         /* seconds */
  guint       omit;             /* seconds */
  char       *bind_address;     /* NULL = any */
  guint       length;           /* bytes; 0 = iperf's default */
  guint       window;           /* bytes; 0 = system default */
  guint       tos;
  char       *congestion;       /* NULL = system default */
  gboolean    zerocopy;
  double      connect_timeout;  /* seconds */
  double      receive_timeout;  /* seconds */
  gboolean    stop_on_disconnect;
  gboolean    local;            /* run against a one-off managed server on loopback */
  gboolean    queue;            /* wait in the queue when limits are reached */
  gboolean    exclusive;        /* run alone */
  char       *label;            /* never NULL after parsing */
} TrTestOptions;

TrTestOptions *tr_test_options_new_from_variant (GVariant       *options,
                                                 GError        **error);
/* Every option, defaults included, as a{sv} with canonical types. */
GVariant      *tr_test_options_to_variant       (const TrTestOptions *options);
void           tr_test_options_free             (TrTestOptions  *options);

const char    *tr_protocol_to_string            (TrProtocol      protocol);
const char    *tr_direction_to_string           (TrDirection     direction);


G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrTestOptions, tr_test_options_free)

G_END_DECLS
