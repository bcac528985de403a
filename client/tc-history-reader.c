/* tc-history-reader.c: see tc-history-reader.h. */
#include "config.h"

#include "tc-history-reader.h"

#include <gio/gunixfdlist.h>
#include <glib/gi18n-lib.h>
#include <unistd.h>

static void
on_call_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = G_TASK (user_data);
  GVariant *reply;
  GError *error = NULL;

  reply = g_dbus_connection_call_with_unix_fd_list_finish (G_DBUS_CONNECTION (source), NULL, result, &error);
  if (reply == NULL)
    {
      if (g_dbus_error_is_remote_error (error))
        {
          g_autofree char *name = g_dbus_error_get_remote_error (error);

          if (g_strcmp0 (name, "org.freedesktop.DBus.Error.UnknownInterface") == 0 ||
              g_strcmp0 (name, "org.freedesktop.DBus.Error.UnknownMethod") == 0)
            {
              g_clear_error (&error);
              g_set_error (&error, TR_ERROR, TR_ERROR_UNAVAILABLE,
                           _("This trafficd service keeps no history"));
            }
        }
      tc_client_normalize_error (&error, NULL);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, reply, (GDestroyNotify) g_variant_unref);
}

static void
call (TcClient            *client,
      gpointer             source_tag,
      const char          *method,
      GVariant            *parameters,
      const char          *reply_type,
      GUnixFDList         *fds,
      GCancellable        *cancellable,
      GAsyncReadyCallback  callback,
      gpointer             user_data)
{
  GTask *task;

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_dbus_connection_call_with_unix_fd_list (tc_client_get_connection (client), TC_BUS_NAME, TC_MANAGER_PATH,
                                            TC_HISTORY_IFACE, method, parameters,
                                            G_VARIANT_TYPE (reply_type), G_DBUS_CALL_FLAGS_NONE,
                                            -1, fds, cancellable, on_call_done, task);
}

/* The reply of call(), or NULL with @error set. */
static GVariant *
take_reply (TcClient *client, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static GVariant *
empty_if_null (GVariant *dict)
{
  return dict != NULL ? dict : g_variant_new ("a{sv}", NULL);
}

void
tc_history_reader_list_tests (TcClient            *client,
                              GVariant            *filter,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (TC_IS_CLIENT (client));
  call (client, tc_history_reader_list_tests, "ListTests",
        g_variant_new ("(@a{sv})", empty_if_null (filter)), "(aa{sv}u)",
        NULL, cancellable, callback, user_data);
}

gboolean
tc_history_reader_list_tests_finish (TcClient      *client,
                                     GAsyncResult  *result,
                                     GVariant     **tests,
                                     guint         *total,
                                     GError       **error)
{
  g_autoptr(GVariant) reply = take_reply (client, result, error);

  if (reply == NULL)
    return FALSE;
  if (tests != NULL)
    *tests = g_variant_get_child_value (reply, 0);
  if (total != NULL)
    g_variant_get_child (reply, 1, "u", total);
  return TRUE;
}

void
tc_history_reader_get_test (TcClient            *client,
                            guint                id,
                            GVariant            *options,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (TC_IS_CLIENT (client));
  call (client, tc_history_reader_get_test, "GetTest",
        g_variant_new ("(u@a{sv})", id, empty_if_null (options)), "(a{sv}aa{sv})",
        NULL, cancellable, callback, user_data);
}

gboolean
tc_history_reader_get_test_finish (TcClient      *client,
                                   GAsyncResult  *result,
                                   GVariant     **test,
                                   GVariant     **samples,
                                   GError       **error)
{
  g_autoptr(GVariant) reply = take_reply (client, result, error);

  if (reply == NULL)
    return FALSE;
  if (test != NULL)
    *test = g_variant_get_child_value (reply, 0);
  if (samples != NULL)
    *samples = g_variant_get_child_value (reply, 1);
  return TRUE;
}

void
tc_history_reader_get_trends (TcClient            *client,
                              GVariant            *filter,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (TC_IS_CLIENT (client));
  call (client, tc_history_reader_get_trends, "GetTrends",
        g_variant_new ("(@a{sv})", empty_if_null (filter)), "(aa{sv})",
        NULL, cancellable, callback, user_data);
}

GVariant *
tc_history_reader_get_trends_finish (TcClient      *client,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_autoptr(GVariant) reply = NULL;

  g_return_val_if_fail (g_task_is_valid (result, client), NULL);
  reply = g_task_propagate_pointer (G_TASK (result), error);
  if (reply == NULL)
    return NULL;
  return g_variant_get_child_value (reply, 0);
}

void
tc_history_reader_export (TcClient            *client,
                          int                  fd,
                          const char          *format,
                          GVariant            *options,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  GError *error = NULL;
  int index;

  g_return_if_fail (TC_IS_CLIENT (client));

  index = g_unix_fd_list_append (fds, fd, &error);
  if (index < 0)
    {
      g_autoptr(GTask) task = g_task_new (client, cancellable, callback, user_data);
      g_task_set_source_tag (task, tc_history_reader_export);
      g_task_return_error (task, error);
      return;
    }
  call (client, tc_history_reader_export, "Export",
        g_variant_new ("(hs@a{sv})", index, format, empty_if_null (options)), "(t)",
        fds, cancellable, callback, user_data);
}

gboolean
tc_history_reader_export_finish (TcClient      *client,
                                 GAsyncResult  *result,
                                 guint64       *rows,
                                 GError       **error)
{
  g_autoptr(GVariant) reply = take_reply (client, result, error);

  if (reply == NULL)
    return FALSE;
  if (rows != NULL)
    g_variant_get (reply, "(t)", rows);
  return TRUE;
}
