/* td-ports.h: ports for managed servers.
 *
 * A port is free when nobody (this service or anyone else) has a TCP
 * listener or UDP socket bound on it: checked by binding both, which is a
 * non-blocking system call. Port 0 picks the next free port of the
 * configured range, round robin, so a port just released by a server is not
 * handed out again at once. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _TdPorts TdPorts;

TdPorts  *td_ports_new      (guint        min,
                             guint        max);
void      td_ports_free     (TdPorts     *ports);
/* Reserves @requested (or a free one from the range when 0) on
 * @bind_address (NULL = any). Fails with TR_ERROR_PORT_IN_USE. */
gboolean  td_ports_reserve  (TdPorts     *ports,
                             guint        requested,
                             const char  *bind_address,
                             guint       *port,
                             GError     **error);
void      td_ports_release  (TdPorts     *ports,
                             guint        port);
gboolean  td_ports_is_free  (const char  *bind_address,
                             guint        port);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TdPorts, td_ports_free)

G_END_DECLS
