/* tc-proxy-loader.h: a checked proxy for one of the service's objects.
 *
 * GDBusProxy ignores a failing GetAll, so an unknown path gives a proxy
 * without properties. Such a proxy is checked with an explicit Get of
 * @probe_property, whose error says why (no such object, access denied,
 * service gone). Tests and servers are loaded this way. */
#pragma once

#include "tc-client.h"

G_BEGIN_DECLS

/* @proxy_type: a gdbus-codegen proxy type of @iface. The result is valid
 * for @client (a GTask whose source object is @client, tagged
 * @source_tag): finish it with g_task_propagate_pointer(). */
void        tc_proxy_load      (TcClient            *client,
                                GType                proxy_type,
                                const char          *iface,
                                const char          *probe_property,
                                const char          *path,
                                gpointer             source_tag,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data);
GDBusProxy *tc_proxy_load_sync (TcClient            *client,
                                GType                proxy_type,
                                const char          *iface,
                                const char          *probe_property,
                                const char          *path,
                                GCancellable        *cancellable,
                                GError             **error);

G_END_DECLS
