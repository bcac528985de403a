/* tr-server-options.h: validation of a managed iperf server's a{sv}
 * options (Manager.StartServer), with the same rules as client options. */
#pragma once

#include <glib.h>
#include "tr-option-spec.h"

G_BEGIN_DECLS

#define TR_SERVER_DEFAULT_IDLE_TIMEOUT 30

typedef struct {
  guint     port;           /* 0 = pick a free one from the configured range */
  char     *bind_address;   /* NULL = all addresses */
  gboolean  one_off;        /* serve one test, then stop */
  guint     idle_timeout;   /* seconds a test may stay silent before the server restarts */
  double    interval;       /* reporting interval, seconds */
  char     *label;          /* never NULL after parsing */
} TrServerOptions;

TrServerOptions *tr_server_options_new_from_variant (GVariant              *options,
                                                     GError               **error);
GVariant        *tr_server_options_to_variant       (const TrServerOptions *options);
void             tr_server_options_free             (TrServerOptions       *options);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrServerOptions, tr_server_options_free)

G_END_DECLS
