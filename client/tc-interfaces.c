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
