/* tc-interfaces.c: calls and the signal of org.trafficd.Traffic1.Interfaces. */
#include "config.h"

#include "tc-interfaces.h"

#define INTERFACES_IFACE "org.trafficd.Traffic1.Interfaces"
#define MANAGER_PATH     "/org/trafficd/Traffic1"

static GVariant *
call (TcClient *client, const char *method, GVariant *params, const char *reply_type,
      GCancellable *cancellable, GError **error)
{
  GVariant *reply = g_dbus_connection_call_sync (tc_client_get_connection (client), TC_BUS_NAME, MANAGER_PATH,
                                                 INTERFACES_IFACE, method, params, G_VARIANT_TYPE (reply_type),
                                                 G_DBUS_CALL_FLAGS_NONE, 60000, cancellable, error);

  if (reply == NULL && error != NULL && *error != NULL)
    g_dbus_error_strip_remote_error (*error);
  return reply;
}

GVariant *
tc_interfaces_list_sync (TcClient *client, GCancellable *cancellable, GError **error)
{
  g_autoptr(GVariant) reply = call (client, "ListInterfaces", NULL, "(aa{sv})", cancellable, error);

  return reply ? g_variant_get_child_value (reply, 0) : NULL;
}

GVariant *
tc_interfaces_get_history_sync (TcClient *client, const char *name, guint64 since_us, guint64 until_us,
                                guint max_points, guint *resolution_s, GCancellable *cancellable, GError **error)
{
  g_autoptr(GVariant) reply = call (client, "GetHistory",
                                    g_variant_new ("(sttu)", name, since_us, until_us, max_points),
                                    "(ua(tdudddddddd))", cancellable, error);

  if (reply == NULL)
    return NULL;
  if (resolution_s != NULL)
    g_variant_get_child (reply, 0, "u", resolution_s);
  return g_variant_get_child_value (reply, 1);
}

/* --- asynchronous calls ------------------------------------------------------ */

static void
on_call_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = G_TASK (user_data);
  GError *error = NULL;
  GVariant *reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  if (reply == NULL)
    {
      tc_client_normalize_error (&error, NULL);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, reply, (GDestroyNotify) g_variant_unref);
}

static void
call_async (TcClient *client, gpointer source_tag, const char *method, GVariant *params, const char *reply_type,
            GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (client, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_dbus_connection_call (tc_client_get_connection (client), TC_BUS_NAME, MANAGER_PATH, INTERFACES_IFACE,
                          method, params, G_VARIANT_TYPE (reply_type), G_DBUS_CALL_FLAGS_NONE, 60000,
                          cancellable, on_call_done, task);
}

void
tc_interfaces_list (TcClient *client, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (TC_IS_CLIENT (client));
  call_async (client, tc_interfaces_list, "ListInterfaces", NULL, "(aa{sv})", cancellable, callback, user_data);
}

GVariant *
tc_interfaces_list_finish (TcClient *client, GAsyncResult *result, GError **error)
{
  g_autoptr(GVariant) reply = NULL;

  g_return_val_if_fail (g_task_is_valid (result, client), NULL);
  reply = g_task_propagate_pointer (G_TASK (result), error);
  return reply ? g_variant_get_child_value (reply, 0) : NULL;
}

void
tc_interfaces_get_history (TcClient *client, const char *name, guint64 since_us, guint64 until_us,
                           guint max_points, GCancellable *cancellable, GAsyncReadyCallback callback,
                           gpointer user_data)
{
  g_return_if_fail (TC_IS_CLIENT (client));
  g_return_if_fail (name != NULL);
  call_async (client, tc_interfaces_get_history, "GetHistory",
              g_variant_new ("(sttu)", name, since_us, until_us, max_points), "(ua(tdudddddddd))",
              cancellable, callback, user_data);
}

GVariant *
tc_interfaces_get_history_finish (TcClient *client, GAsyncResult *result, guint *resolution_s, GError **error)
{
  g_autoptr(GVariant) reply = NULL;

  g_return_val_if_fail (g_task_is_valid (result, client), NULL);
  reply = g_task_propagate_pointer (G_TASK (result), error);
  if (reply == NULL)
    return NULL;
  if (resolution_s != NULL)
    g_variant_get_child (reply, 0, "u", resolution_s);
  return g_variant_get_child_value (reply, 1);
}

/* --- the Sampled signal -------------------------------------------------------- */

typedef struct {
  TcInterfacesSampledFunc func;
  gpointer                user_data;
} Watch;

static void
on_sampled (GDBusConnection *connection, const char *sender, const char *path, const char *iface,
            const char *signal, GVariant *params, gpointer user_data)
{
  Watch *w = user_data;
  g_autoptr(GVariant) total = NULL;
  g_autoptr(GVariant) interfaces = NULL;
  guint64 ts;
  double seconds;

  if (!g_variant_is_of_type (params, G_VARIANT_TYPE ("(tda{sv}a{oa{sv}})")))
    return;
  g_variant_get (params, "(td@a{sv}@a{oa{sv}})", &ts, &seconds, &total, &interfaces);
  w->func (ts, seconds, total, interfaces, w->user_data);
}

guint
tc_interfaces_watch (TcClient *client, TcInterfacesSampledFunc func, gpointer user_data)
{
  Watch *w = g_new0 (Watch, 1);

  w->func = func;
  w->user_data = user_data;
  return g_dbus_connection_signal_subscribe (tc_client_get_connection (client), TC_BUS_NAME, INTERFACES_IFACE,
                                             "Sampled", MANAGER_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                             on_sampled, w, g_free);
}

void
tc_interfaces_unwatch (TcClient *client, guint id)
{
  g_dbus_connection_signal_unsubscribe (tc_client_get_connection (client), id);
}
