/* tc-monitor.c: live view of the service's objects; see tc-monitor.h. */
#include "config.h"

#include "tc-monitor.h"

#include <glib/gi18n-lib.h>
#include <string.h>

struct _TcMonitor
{
  GObject             parent_instance;

  TcClient           *client;
  GDBusObjectManager *manager;        /* GDBusObjectManagerClient */
  GCancellable       *cancellable;
  GCancellable       *introspect_cancellable;
  GDBusNodeInfo      *node_info;      /* of the Manager object, or NULL */
  gboolean            available;
  guint               generation;
};

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_AVAILABLE,
  PROP_GENERATION,
  N_PROPS
};

enum {
  SIGNAL_OBJECT_ADDED,
  SIGNAL_OBJECT_REMOVED,
  SIGNAL_INTERFACES_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_TYPE (TcMonitor, tc_monitor, G_TYPE_OBJECT)

guint
tc_monitor_id_from_path (const char *path)
{
  const char *slash;
  guint64 id = 0;

  if (path == NULL || (slash = strrchr (path, '/')) == NULL)
    return 0;
  if (!g_ascii_string_to_unsigned (slash + 1, 10, 1, G_MAXUINT32, &id, NULL))
    return 0;
  return (guint) id;
}

/* --- availability ------------------------------------------------------------ */

static void
set_available (TcMonitor *self,
               gboolean   available)
{
  if (self->available == available)
    return;
  self->available = available;
  if (available)
    {
      self->generation++;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GENERATION]);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AVAILABLE]);
}

static void
on_introspect_done (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  TcMonitor *self;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  const char *xml = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = TC_MONITOR (user_data);
  g_clear_pointer (&self->node_info, g_dbus_node_info_unref);
  if (reply != NULL)
    {
      g_variant_get (reply, "(&s)", &xml);
      self->node_info = g_dbus_node_info_new_for_xml (xml, &error);
    }
  if (self->node_info == NULL)
    g_debug ("cannot introspect the trafficd Manager object: %s",
             error != NULL ? error->message : "no reply");
  g_signal_emit (self, signals[SIGNAL_INTERFACES_CHANGED], 0);
}

static void
introspect_manager (TcMonitor *self)
{
  g_cancellable_cancel (self->introspect_cancellable);
  g_clear_object (&self->introspect_cancellable);
  self->introspect_cancellable = g_cancellable_new ();
  g_dbus_connection_call (tc_client_get_connection (self->client), TC_BUS_NAME, TC_MANAGER_PATH,
                          "org.freedesktop.DBus.Introspectable", "Introspect", NULL,
                          G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, -1,
                          self->introspect_cancellable, on_introspect_done, self);
}

static void
update_owner (TcMonitor *self)
{
  g_autofree char *owner = NULL;

  if (self->manager != NULL)
    owner = g_dbus_object_manager_client_get_name_owner (G_DBUS_OBJECT_MANAGER_CLIENT (self->manager));

  if (owner == NULL)
    {
      gboolean had = self->node_info != NULL;

      g_clear_pointer (&self->node_info, g_dbus_node_info_unref);
      set_available (self, FALSE);
      if (had)
        g_signal_emit (self, signals[SIGNAL_INTERFACES_CHANGED], 0);
      return;
    }
  introspect_manager (self);
  set_available (self, TRUE);
}

static void
on_name_owner_notify (GObject    *object,
                      GParamSpec *pspec,
                      gpointer    user_data)
{
  update_owner (TC_MONITOR (user_data));
}

static void
on_object_added (GDBusObjectManager *manager,
                 GDBusObject        *object,
                 gpointer            user_data)
{
  g_signal_emit (user_data, signals[SIGNAL_OBJECT_ADDED], 0, object);
}

static void
on_object_removed (GDBusObjectManager *manager,
                   GDBusObject        *object,
                   gpointer            user_data)
{
  g_signal_emit (user_data, signals[SIGNAL_OBJECT_REMOVED], 0, object);
}

static void
on_manager_ready (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  TcMonitor *self;
  g_autoptr(GError) error = NULL;
  GDBusObjectManager *manager;
  GList *objects;

  manager = tr_dbus_object_manager_client_new_finish (result, &error);
  if (manager == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("cannot follow the trafficd objects: %s", error->message);
      return;
    }
  self = TC_MONITOR (user_data);
  self->manager = manager;
  g_signal_connect_object (manager, "notify::name-owner", G_CALLBACK (on_name_owner_notify), self, 0);
  g_signal_connect_object (manager, "object-added", G_CALLBACK (on_object_added), self, 0);
  g_signal_connect_object (manager, "object-removed", G_CALLBACK (on_object_removed), self, 0);

  update_owner (self);
  objects = g_dbus_object_manager_get_objects (manager);
  for (GList *l = objects; l != NULL; l = l->next)
    g_signal_emit (self, signals[SIGNAL_OBJECT_ADDED], 0, l->data);
  g_list_free_full (objects, g_object_unref);
}

/* --- queries ---------------------------------------------------------------- */

static int
compare_by_path_id (gconstpointer a,
                    gconstpointer b)
{
  guint ia = tc_monitor_id_from_path (g_dbus_proxy_get_object_path (G_DBUS_PROXY (a)));
  guint ib = tc_monitor_id_from_path (g_dbus_proxy_get_object_path (G_DBUS_PROXY (b)));

  return ia < ib ? -1 : ia > ib;
}

static GList *
list_interfaces (TcMonitor  *self,
                 const char *interface_name)
{
  GList *objects, *out = NULL;

  if (self->manager == NULL)
    return NULL;
  objects = g_dbus_object_manager_get_objects (self->manager);
  for (GList *l = objects; l != NULL; l = l->next)
    {
      GDBusInterface *iface = g_dbus_object_get_interface (l->data, interface_name);

      if (iface != NULL)
        {
          out = g_list_prepend (out, iface);
          /* the object keeps it alive */
          g_object_unref (iface);
        }
    }
  g_list_free_full (objects, g_object_unref);
  return g_list_sort (out, compare_by_path_id);
}

GList *
tc_monitor_list_tests (TcMonitor *self)
{
  g_return_val_if_fail (TC_IS_MONITOR (self), NULL);
  return list_interfaces (self, TC_TEST_IFACE);
}

GList *
tc_monitor_list_servers (TcMonitor *self)
{
  g_return_val_if_fail (TC_IS_MONITOR (self), NULL);
  return list_interfaces (self, TC_SERVER_IFACE);
}

static GDBusInterface *
lookup (TcMonitor  *self,
        const char *path,
        const char *interface_name)
{
  GDBusInterface *iface;

  if (self->manager == NULL || path == NULL || !g_variant_is_object_path (path))
    return NULL;
  iface = g_dbus_object_manager_get_interface (self->manager, path, interface_name);
  if (iface != NULL)
    g_object_unref (iface);   /* the manager keeps it */
  return iface;
}

TrDBusTest *
tc_monitor_lookup_test (TcMonitor  *self,
                        const char *path)
{
  g_return_val_if_fail (TC_IS_MONITOR (self), NULL);
  return (TrDBusTest *) lookup (self, path, TC_TEST_IFACE);
}

TrDBusServer *
tc_monitor_lookup_server (TcMonitor  *self,
                          const char *path)
{
  g_return_val_if_fail (TC_IS_MONITOR (self), NULL);
  return (TrDBusServer *) lookup (self, path, TC_SERVER_IFACE);
}

GDBusInterfaceInfo *
tc_monitor_lookup_interface (TcMonitor  *self,
                             const char *interface_name)
{
  g_return_val_if_fail (TC_IS_MONITOR (self), NULL);
  if (self->node_info == NULL)
    return NULL;
  return g_dbus_node_info_lookup_interface (self->node_info, interface_name);
}

TcClient *
tc_monitor_get_client (TcMonitor *self)
{
  g_return_val_if_fail (TC_IS_MONITOR (self), NULL);
  return self->client;
}

gboolean
tc_monitor_get_available (TcMonitor *self)
{
  g_return_val_if_fail (TC_IS_MONITOR (self), FALSE);
  return self->available;
}

guint
tc_monitor_get_generation (TcMonitor *self)
{
  g_return_val_if_fail (TC_IS_MONITOR (self), 0);
  return self->generation;
}

GDBusObjectManager *
tc_monitor_get_object_manager (TcMonitor *self)
{
  g_return_val_if_fail (TC_IS_MONITOR (self), NULL);
  return self->manager;
}

/* --- GObject ------------------------------------------------------------------ */

static void
tc_monitor_constructed (GObject *object)
{
  TcMonitor *self = TC_MONITOR (object);

  G_OBJECT_CLASS (tc_monitor_parent_class)->constructed (object);
  g_return_if_fail (TC_IS_CLIENT (self->client));

  tr_dbus_object_manager_client_new (tc_client_get_connection (self->client),
                                     G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START,
                                     TC_BUS_NAME, TC_MANAGER_PATH, self->cancellable,
                                     on_manager_ready, self);
}

static void
tc_monitor_dispose (GObject *object)
{
  TcMonitor *self = TC_MONITOR (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->introspect_cancellable);
  g_clear_object (&self->introspect_cancellable);
  g_clear_object (&self->manager);
  g_clear_object (&self->client);
  g_clear_pointer (&self->node_info, g_dbus_node_info_unref);

  G_OBJECT_CLASS (tc_monitor_parent_class)->dispose (object);
}

static void
tc_monitor_finalize (GObject *object)
{
  TcMonitor *self = TC_MONITOR (object);

  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (tc_monitor_parent_class)->finalize (object);
}

static void
tc_monitor_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  TcMonitor *self = TC_MONITOR (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_AVAILABLE:
      g_value_set_boolean (value, self->available);
      break;
    case PROP_GENERATION:
      g_value_set_uint (value, self->generation);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tc_monitor_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  TcMonitor *self = TC_MONITOR (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tc_monitor_class_init (TcMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = tc_monitor_constructed;
  object_class->dispose = tc_monitor_dispose;
  object_class->finalize = tc_monitor_finalize;
  object_class->get_property = tc_monitor_get_property;
  object_class->set_property = tc_monitor_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, TC_TYPE_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_AVAILABLE] =
    g_param_spec_boolean ("available", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_GENERATION] =
    g_param_spec_uint ("generation", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_OBJECT_ADDED] =
    g_signal_new ("object-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_DBUS_OBJECT);
  signals[SIGNAL_OBJECT_REMOVED] =
    g_signal_new ("object-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_DBUS_OBJECT);
  signals[SIGNAL_INTERFACES_CHANGED] =
    g_signal_new ("interfaces-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
tc_monitor_init (TcMonitor *self)
{
  self->cancellable = g_cancellable_new ();
}

TcMonitor *
tc_monitor_new (TcClient *client)
{
  g_return_val_if_fail (TC_IS_CLIENT (client), NULL);
  return g_object_new (TC_TYPE_MONITOR, "client", client, NULL);
}
