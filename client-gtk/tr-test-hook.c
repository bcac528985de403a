/* tr-test-hook.c: see tr-test-hook.h. */
#include "config.h"

#include "tr-test-hook.h"

#define HOOK_PATH "/org/trafficd/Traffic/TestHook"

static const char hook_xml[] =
  "<node>"
  " <interface name='org.trafficd.Traffic.TestHook'>"
  "  <method name='SetField'><arg name='id' type='s' direction='in'/><arg name='value' type='s' direction='in'/></method>"
  "  <method name='ActivateAction'><arg name='name' type='s' direction='in'/><arg name='parameter' type='av' direction='in'/></method>"
  "  <method name='GetState'><arg name='state' type='a{sv}' direction='out'/></method>"
  "  <method name='Export'><arg name='kind' type='s' direction='in'/><arg name='path' type='s' direction='in'/></method>"
  "  <method name='Resize'><arg name='width' type='i' direction='in'/><arg name='height' type='i' direction='in'/></method>"
  " </interface>"
  "</node>";

struct _TrTestHook
{
  GObject          parent_instance;

  GDBusConnection *connection;
  guint            registration;
  TrWindow        *window;     /* weak */
};

G_DEFINE_TYPE (TrTestHook, tr_test_hook, G_TYPE_OBJECT)

static void
handle_method_call (GDBusConnection       *connection,
                    const char            *sender,
                    const char            *object_path,
                    const char            *interface_name,
                    const char            *method_name,
                    GVariant              *parameters,
                    GDBusMethodInvocation *invocation,
                    gpointer               user_data)
{
  TrTestHook *self = user_data;
  g_autoptr(GError) error = NULL;

  if (self->window == NULL)
    {
      g_dbus_method_invocation_return_dbus_error (invocation, "org.trafficd.Traffic.TestHook.NoWindow",
                                                  "the window is not open yet");
      return;
    }

  if (g_str_equal (method_name, "SetField"))
    {
      const char *id, *value;

      g_variant_get (parameters, "(&s&s)", &id, &value);
      if (!tr_window_set_field (self->window, id, value, &error))
        {
          g_dbus_method_invocation_return_gerror (invocation, error);
          return;
        }
    }
  else if (g_str_equal (method_name, "ActivateAction"))
    {
      const char *name;
      g_autoptr(GVariant) params = NULL;
      g_autoptr(GVariant) param = NULL;

      g_variant_get (parameters, "(&s@av)", &name, &params);
      if (g_variant_n_children (params) > 0)
        {
          g_autoptr(GVariant) boxed = g_variant_get_child_value (params, 0);
          param = g_variant_get_variant (boxed);
        }
      if (!g_action_group_has_action (G_ACTION_GROUP (self->window), name))
        {
          g_dbus_method_invocation_return_dbus_error (invocation, "org.trafficd.Traffic.TestHook.NoAction", name);
          return;
        }
      g_action_group_activate_action (G_ACTION_GROUP (self->window), name, param);
    }
  else if (g_str_equal (method_name, "GetState"))
    {
      g_autoptr(GVariant) state = tr_window_dup_state (self->window);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(@a{sv})", state));
      return;
    }
  else if (g_str_equal (method_name, "Export"))
    {
      const char *kind, *path;

      g_variant_get (parameters, "(&s&s)", &kind, &path);
      if (!tr_window_export_to (self->window, kind, path, &error))
        {
          g_dbus_method_invocation_return_gerror (invocation, error);
          return;
        }
    }
  else if (g_str_equal (method_name, "Resize"))
    {
      int width, height;

      g_variant_get (parameters, "(ii)", &width, &height);
      gtk_window_unmaximize (GTK_WINDOW (self->window));
      gtk_widget_set_visible (GTK_WIDGET (self->window), FALSE);
      gtk_window_set_default_size (GTK_WINDOW (self->window), width, height);
      gtk_window_present (GTK_WINDOW (self->window));
    }
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static const GDBusInterfaceVTable vtable = { handle_method_call, NULL, NULL, { 0 } };

void
tr_test_hook_set_window (TrTestHook *self,
                         TrWindow   *window)
{
  g_return_if_fail (TR_IS_TEST_HOOK (self));
  g_set_weak_pointer (&self->window, window);
}

static void
tr_test_hook_dispose (GObject *object)
{
  TrTestHook *self = TR_TEST_HOOK (object);

  if (self->registration != 0)
    g_dbus_connection_unregister_object (self->connection, self->registration);
  self->registration = 0;
  g_clear_weak_pointer (&self->window);
  g_clear_object (&self->connection);
  G_OBJECT_CLASS (tr_test_hook_parent_class)->dispose (object);
}

static void
tr_test_hook_class_init (TrTestHookClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = tr_test_hook_dispose;
}

static void
tr_test_hook_init (TrTestHook *self)
{
}

TrTestHook *
tr_test_hook_new (GDBusConnection  *connection,
                  GError          **error)
{
  g_autoptr(TrTestHook) self = g_object_new (TR_TYPE_TEST_HOOK, NULL);
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (hook_xml, error);

  if (info == NULL)
    return NULL;
  self->connection = g_object_ref (connection);
  self->registration = g_dbus_connection_register_object (connection, HOOK_PATH, info->interfaces[0],
                                                          &vtable, self, NULL, error);
  if (self->registration == 0)
    return NULL;
  return g_steal_pointer (&self);
}
