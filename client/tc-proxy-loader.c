/* tc-proxy-loader.c: see tc-proxy-loader.h. */
#include "config.h"

#include "tc-proxy-loader.h"

typedef struct {
  char *iface;
  char *probe;
  char *path;
  GDBusProxy *proxy;
} Load;

static void
load_free (Load *load)
{
  g_free (load->iface);
  g_free (load->probe);
  g_free (load->path);
  g_clear_object (&load->proxy);
  g_free (load);
}

static gboolean
proxy_is_loaded (GDBusProxy *proxy, const char *probe)
{
  g_autoptr(GVariant) value = g_dbus_proxy_get_cached_property (proxy, probe);
  return value != NULL;
}

static void
on_probed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = G_TASK (user_data);
  Load *load = g_task_get_task_data (task);
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      tc_client_normalize_error (&error, load->path);
      g_task_return_error (task, error);
      return;
    }
  /* It exists after all (GetAll alone failed): hand out the proxy, whose
   * cache fills from PropertiesChanged. */
  g_task_return_pointer (task, g_steal_pointer (&load->proxy), g_object_unref);
}

static void
on_proxy_ready (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = G_TASK (user_data);
  Load *load = g_task_get_task_data (task);
  g_autoptr(GObject) object = NULL;
  GError *error = NULL;

  object = g_async_initable_new_finish (G_ASYNC_INITABLE (source), result, &error);
  if (object == NULL)
    {
      tc_client_normalize_error (&error, load->path);
      g_task_return_error (task, error);
      return;
    }
  if (proxy_is_loaded (G_DBUS_PROXY (object), load->probe))
    {
      g_task_return_pointer (task, g_steal_pointer (&object), g_object_unref);
      return;
    }
  load->proxy = G_DBUS_PROXY (g_steal_pointer (&object));
  g_dbus_connection_call (g_dbus_proxy_get_connection (load->proxy), TC_BUS_NAME, load->path,
                          "org.freedesktop.DBus.Properties", "Get",
                          g_variant_new ("(ss)", load->iface, load->probe), G_VARIANT_TYPE ("(v)"),
                          G_DBUS_CALL_FLAGS_NONE, -1, g_task_get_cancellable (task),
                          on_probed, g_object_ref (task));
}

void
tc_proxy_load (TcClient            *client,
               GType                proxy_type,
               const char          *iface,
               const char          *probe_property,
               const char          *path,
               gpointer             source_tag,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (client, cancellable, callback, user_data);
  Load *load = g_new0 (Load, 1);

  load->iface = g_strdup (iface);
  load->probe = g_strdup (probe_property);
  load->path = g_strdup (path);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, load, (GDestroyNotify) load_free);
  /* gdbus-codegen proxies set their interface info themselves */
  g_async_initable_new_async (proxy_type, G_PRIORITY_DEFAULT, cancellable, on_proxy_ready,
                              g_object_ref (task),
                              "g-flags", G_DBUS_PROXY_FLAGS_NONE,
                              "g-name", TC_BUS_NAME,
                              "g-connection", tc_client_get_connection (client),
                              "g-object-path", path,
                              "g-interface-name", iface,
                              NULL);
}

GDBusProxy *
tc_proxy_load_sync (TcClient      *client,
                    GType          proxy_type,
                    const char    *iface,
                    const char    *probe_property,
                    const char    *path,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(GDBusProxy) proxy = NULL;
  g_autoptr(GVariant) reply = NULL;
  GDBusConnection *connection = tc_client_get_connection (client);

  proxy = g_initable_new (proxy_type, cancellable, error,
                          "g-flags", G_DBUS_PROXY_FLAGS_NONE,
                          "g-name", TC_BUS_NAME,
                          "g-connection", connection,
                          "g-object-path", path,
                          "g-interface-name", iface,
                          NULL);
  if (proxy == NULL)
    {
      tc_client_normalize_error (error, path);
      return NULL;
    }
  if (proxy_is_loaded (proxy, probe_property))
    return g_steal_pointer (&proxy);

  reply = g_dbus_connection_call_sync (connection, TC_BUS_NAME, path,
                                       "org.freedesktop.DBus.Properties", "Get",
                                       g_variant_new ("(ss)", iface, probe_property),
                                       G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       cancellable, error);
  if (reply == NULL)
    {
      tc_client_normalize_error (error, path);
      return NULL;
    }
  return g_steal_pointer (&proxy);
}
