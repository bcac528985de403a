/* tc-interfaces.h: the service's interface monitoring (Interfaces on the
 * manager's path): the inventory with current rates, the history, and the
 * Sampled signal of every tick. */
#pragma once

#include "tc-client.h"

G_BEGIN_DECLS

/* Every interface (aa{sv}, see ListInterfaces in the D-Bus XML). */
GVariant *tc_interfaces_list_sync        (TcClient      *client,
                                          GCancellable  *cancellable,
                                          GError       **error);
/* Points of @name in [@since_us, @until_us) (0: now), at most
 * @max_points, as a(tdudddddddd) (see GetHistory); *@resolution_s the
 * level read. */
GVariant *tc_interfaces_get_history_sync (TcClient      *client,
                                          const char    *name,
                                          guint64        since_us,
                                          guint64        until_us,
                                          guint          max_points,
                                          guint         *resolution_s,
                                          GCancellable  *cancellable,
                                          GError       **error);

/* The same calls, asynchronous (for the GTK main loop). Errors are
 * normalised as in tc-client.h. _finish() gives the a(tdudddddddd) of
 * GetHistory (and *@resolution_s) or ListInterfaces' aa{sv}. */
void      tc_interfaces_list             (TcClient             *client,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
GVariant *tc_interfaces_list_finish      (TcClient             *client,
                                          GAsyncResult         *result,
                                          GError              **error);
void      tc_interfaces_get_history      (TcClient             *client,
                                          const char           *name,
                                          guint64               since_us,
                                          guint64               until_us,
                                          guint                 max_points,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
GVariant *tc_interfaces_get_history_finish (TcClient           *client,
                                          GAsyncResult         *result,
                                          guint                *resolution_s,
                                          GError              **error);

/* Called for every Sampled signal: @total a{sv}, @interfaces a{oa{sv}}. */
typedef void (*TcInterfacesSampledFunc) (guint64    timestamp_us,
                                         double     interval_seconds,
                                         GVariant  *total,
                                         GVariant  *interfaces,
                                         gpointer   user_data);
/* A subscription id for tc_interfaces_unwatch(). */
guint     tc_interfaces_watch            (TcClient                *client,
                                          TcInterfacesSampledFunc  func,
                                          gpointer                 user_data);
void      tc_interfaces_unwatch          (TcClient                *client,
                                          guint                    id);

G_END_DECLS
