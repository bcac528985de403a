/* td-caller.c: the caller's Unix user, from the bus daemon (never from a
 * PID, which the caller could recycle). */
#include "td-caller.h"

static void
on_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  guint32 uid;

  if (reply == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_variant_get (reply, "(u)", &uid);
  g_task_return_int (task, uid);
}

void
td_caller_lookup_uid_async (GDBusConnection *connection, const char *sender,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  GTask *task = g_task_new (connection, cancellable, callback, user_data);

  g_task_set_source_tag (task, td_caller_lookup_uid_async);
  g_dbus_connection_call (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "GetConnectionUnixUser",
                          g_variant_new ("(s)", sender), G_VARIANT_TYPE ("(u)"),
                          G_DBUS_CALL_FLAGS_NONE, 5000, cancellable, on_reply, task);
}

gboolean
td_caller_lookup_uid_finish (GAsyncResult *result, guint32 *uid, GError **error)
{
  gssize value = g_task_propagate_int (G_TASK (result), error);

  if (value < 0)
    return FALSE;
  *uid = (guint32) value;
  return TRUE;
}

typedef struct {
  guint32 uid;
  guint32 pid;
} Credentials;

static void
on_credentials_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  g_autoptr(GVariant) dict = NULL;
  Credentials *credentials;

  if (reply == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  dict = g_variant_get_child_value (reply, 0);
  credentials = g_new0 (Credentials, 1);
  if (!g_variant_lookup (dict, "UnixUserID", "u", &credentials->uid))
    {
      g_free (credentials);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               "the bus did not tell the caller's user id");
      return;
    }
  /* ProcessID is missing only on platforms without SO_PEERCRED; 0 = unknown */
  if (!g_variant_lookup (dict, "ProcessID", "u", &credentials->pid))
    credentials->pid = 0;
  g_task_return_pointer (task, credentials, g_free);
}

void
td_caller_lookup_credentials_async (GDBusConnection *connection, const char *sender,
                                    GCancellable *cancellable, GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  GTask *task = g_task_new (connection, cancellable, callback, user_data);

  g_task_set_source_tag (task, td_caller_lookup_credentials_async);
  g_dbus_connection_call (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "GetConnectionCredentials",
                          g_variant_new ("(s)", sender), G_VARIANT_TYPE ("(a{sv})"),
                          G_DBUS_CALL_FLAGS_NONE, 5000, cancellable, on_credentials_reply, task);
}

gboolean
td_caller_lookup_credentials_finish (GAsyncResult *result, guint32 *uid, guint32 *pid, GError **error)
{
  g_autofree Credentials *credentials = g_task_propagate_pointer (G_TASK (result), error);

  if (credentials == NULL)
    return FALSE;
  *uid = credentials->uid;
  *pid = credentials->pid;
  return TRUE;
}
