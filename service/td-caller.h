/* td-caller.h: who is calling, asked of the bus asynchronously. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void     td_caller_lookup_uid_async  (GDBusConnection     *connection,
                                      const char          *sender,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
gboolean td_caller_lookup_uid_finish (GAsyncResult        *result,
                                      guint32             *uid,
                                      GError             **error);

/* The caller's Unix user and process id in one round trip
 * (GetConnectionCredentials); fails when the caller has left the bus. */
void     td_caller_lookup_credentials_async  (GDBusConnection     *connection,
                                              const char          *sender,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean td_caller_lookup_credentials_finish (GAsyncResult        *result,
                                              guint32             *uid,
                                              guint32             *pid,
                                              GError             **error);

G_END_DECLS
