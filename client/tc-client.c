/* tc-client.c: connection, Manager proxy and calls on tests; see tc-client.h. */
#include "config.h"

#include "tc-client.h"
#include "tc-proxy-loader.h"

#include <glib/gi18n-lib.h>
#include <string.h>

struct _TcClient
{
  GObject          parent_instance;

  GBusType         bus_type;
  GDBusConnection *connection;
  TrDBusManager   *manager;
};

enum {
  PROP_0,
  PROP_BUS_TYPE,
  PROP_CONNECTION,
  PROP_MANAGER,
  PROP_NAME_OWNER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_TYPE (TcClient, tc_client, G_TYPE_OBJECT)

G_DEFINE_QUARK (tc-client-error-quark, tc_client_error)

static const char *
bus_type_name (GBusType bus_type)
{
  return bus_type == G_BUS_TYPE_SESSION ? _("session") : _("system");
}

/* --- errors -------------------------------------------------------------- */

static void
retag_error (GError *error, GQuark domain, int code)
{
  error->domain = domain;
  error->code = code;
}

void
tc_client_normalize_error (GError     **error,
                           const char  *test_path)
{
  GError *e;

  if (error == NULL || *error == NULL)
    return;
  e = *error;

  if (g_dbus_error_is_remote_error (e))
    {
      g_autofree char *remote = g_dbus_error_get_remote_error (e);
      int code = tr_error_from_dbus_name (remote);

      g_dbus_error_strip_remote_error (e);
      /* Normally GDBus already mapped our names (the domain is registered
       * by tr_error_quark()); this covers a registration that came late. */
      if (code >= 0)
        retag_error (e, TR_ERROR, code);
    }

  if (e->domain == G_DBUS_ERROR)
    {
      switch (e->code)
        {
        case G_DBUS_ERROR_SERVICE_UNKNOWN:
        case G_DBUS_ERROR_NAME_HAS_NO_OWNER:
        case G_DBUS_ERROR_NO_REPLY:
        case G_DBUS_ERROR_TIMEOUT:
        case G_DBUS_ERROR_TIMED_OUT:
        case G_DBUS_ERROR_DISCONNECTED:
        case G_DBUS_ERROR_NO_SERVER:
        case G_DBUS_ERROR_NO_NETWORK:
        case G_DBUS_ERROR_SPAWN_EXEC_FAILED:
        case G_DBUS_ERROR_SPAWN_FORK_FAILED:
        case G_DBUS_ERROR_SPAWN_CHILD_EXITED:
        case G_DBUS_ERROR_SPAWN_CHILD_SIGNALED:
        case G_DBUS_ERROR_SPAWN_FAILED:
        case G_DBUS_ERROR_SPAWN_SETUP_FAILED:
        case G_DBUS_ERROR_SPAWN_CONFIG_INVALID:
        case G_DBUS_ERROR_SPAWN_SERVICE_INVALID:
        case G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND:
        case G_DBUS_ERROR_SPAWN_PERMISSIONS_INVALID:
        case G_DBUS_ERROR_SPAWN_FILE_INVALID:
        case G_DBUS_ERROR_SPAWN_NO_MEMORY:
          retag_error (e, TC_CLIENT_ERROR, TC_CLIENT_ERROR_SERVICE_UNAVAILABLE);
          break;
        case G_DBUS_ERROR_ACCESS_DENIED:
        case G_DBUS_ERROR_AUTH_FAILED:
          retag_error (e, TR_ERROR, TR_ERROR_ACCESS_DENIED);
          break;
        case G_DBUS_ERROR_INVALID_ARGS:
          retag_error (e, TR_ERROR, TR_ERROR_INVALID_ARGUMENT);
          break;
        case G_DBUS_ERROR_UNKNOWN_METHOD:
        case G_DBUS_ERROR_UNKNOWN_OBJECT:
        case G_DBUS_ERROR_UNKNOWN_INTERFACE:
        case G_DBUS_ERROR_UNKNOWN_PROPERTY:
          if (test_path != NULL && g_str_has_prefix (test_path, TC_SERVERS_PATH "/"))
            {
              guint64 id = 0;

              /* Not tc_client_server_id_from_path(): that is in tc-server.c. */
              g_ascii_string_to_unsigned (test_path + strlen (TC_SERVERS_PATH "/"), 10,
                                          1, G_MAXUINT32, &id, NULL);
              g_clear_error (error);
              g_set_error (error, TR_ERROR, TR_ERROR_NOT_FOUND,
                           _("No server %u"), (guint) id);
            }
          else if (test_path != NULL)
            {
              guint id = tc_client_test_id_from_path (test_path);

              g_clear_error (error);
              g_set_error (error, TR_ERROR, TR_ERROR_NOT_FOUND,
                           _("No test %u"), id);
            }
          break;
        default:
          break;
        }
    }
  else if (e->domain == G_IO_ERROR)
    {
      switch (e->code)
        {
        case G_IO_ERROR_TIMED_OUT:
        case G_IO_ERROR_CLOSED:
        case G_IO_ERROR_CONNECTION_CLOSED:
        case G_IO_ERROR_NOT_CONNECTED:
        case G_IO_ERROR_CONNECTION_REFUSED:
          retag_error (e, TC_CLIENT_ERROR, TC_CLIENT_ERROR_SERVICE_UNAVAILABLE);
          break;
        default:
          break;
        }
    }
}

/* Errors of g_bus_get(): whatever it is, the service is out of reach. */
static void
normalize_bus_error (GError   **error,
                     GBusType   bus_type)
{
  if (error == NULL || *error == NULL ||
      g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_prefix_error (error, _("Cannot connect to the %s bus: "), bus_type_name (bus_type));
  retag_error (*error, TC_CLIENT_ERROR, TC_CLIENT_ERROR_SERVICE_UNAVAILABLE);
}

/* --- helpers ------------------------------------------------------------- */

/* "N" or "BASE/N" with N in 1..G_MAXUINT32 -> "BASE/N"; NULL otherwise. */
char *
tc_object_path_from_string (const char *base,
                            const char *id_or_path)
{
  g_autofree char *prefix = g_strconcat (base, "/", NULL);
  const char *id_text = id_or_path;
  guint64 id = 0;

  if (id_text == NULL)
    return NULL;
  if (g_str_has_prefix (id_text, prefix))
    id_text += strlen (prefix);
  if (*id_text == '\0' || !g_ascii_isdigit (*id_text) ||
      !g_ascii_string_to_unsigned (id_text, 10, 1, G_MAXUINT32, &id, NULL))
    return NULL;
  return g_strdup_printf ("%s/%u", base, (guint) id);
}

/* "BASE/N" -> N; 0 for anything else. */
guint
tc_object_id_from_path (const char *base,
                        const char *path)
{
  gsize len = strlen (base);
  guint64 id = 0;

  if (path == NULL || strncmp (path, base, len) != 0 || path[len] != '/')
    return 0;
  if (!g_ascii_string_to_unsigned (path + len + 1, 10, 1, G_MAXUINT32, &id, NULL))
    return 0;
  return (guint) id;
}

char *
tc_client_test_path_from_string (const char  *id_or_path,
                                 GError     **error)
{
  char *path = tc_object_path_from_string (TC_TESTS_PATH, id_or_path);

  if (path == NULL)
    g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT,
                 _("“%s” is not a test id (a positive number) or a test object path (%s/N)"),
                 id_or_path != NULL ? id_or_path : "", TC_TESTS_PATH);
  return path;
}

guint
tc_client_test_id_from_path (const char *path)
{
  return tc_object_id_from_path (TC_TESTS_PATH, path);
}

gboolean
tc_client_state_is_final (const char *state)
{
  return g_strcmp0 (state, "finished") == 0 ||
         g_strcmp0 (state, "failed") == 0 ||
         g_strcmp0 (state, "stopped") == 0;
}

/* --- GObject ------------------------------------------------------------- */

static void
on_manager_name_owner_notify (GObject    *proxy,
                              GParamSpec *pspec,
                              gpointer    user_data)
{
  g_object_notify_by_pspec (G_OBJECT (user_data), properties[PROP_NAME_OWNER]);
}

static void
tc_client_constructed (GObject *object)
{
  TcClient *self = TC_CLIENT (object);

  G_OBJECT_CLASS (tc_client_parent_class)->constructed (object);

  g_return_if_fail (G_IS_DBUS_CONNECTION (self->connection));
  g_return_if_fail (TR_DBUS_IS_MANAGER (self->manager));

  g_signal_connect_object (self->manager, "notify::g-name-owner",
                           G_CALLBACK (on_manager_name_owner_notify), self, 0);
}

static void
tc_client_dispose (GObject *object)
{
  TcClient *self = TC_CLIENT (object);

  g_clear_object (&self->manager);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (tc_client_parent_class)->dispose (object);
}

static void
tc_client_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  TcClient *self = TC_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BUS_TYPE:
      g_value_set_enum (value, self->bus_type);
      break;
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_MANAGER:
      g_value_set_object (value, self->manager);
      break;
    case PROP_NAME_OWNER:
      g_value_set_string (value, tc_client_get_name_owner (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tc_client_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  TcClient *self = TC_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BUS_TYPE:
      self->bus_type = g_value_get_enum (value);
      break;
    case PROP_CONNECTION:
      self->connection = g_value_dup_object (value);
      break;
    case PROP_MANAGER:
      self->manager = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tc_client_class_init (TcClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = tc_client_constructed;
  object_class->dispose = tc_client_dispose;
  object_class->get_property = tc_client_get_property;
  object_class->set_property = tc_client_set_property;

  properties[PROP_BUS_TYPE] =
    g_param_spec_enum ("bus-type", NULL, NULL,
                       G_TYPE_BUS_TYPE, G_BUS_TYPE_SYSTEM,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL,
                         G_TYPE_DBUS_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MANAGER] =
    g_param_spec_object ("manager", NULL, NULL,
                         TR_DBUS_TYPE_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME_OWNER] =
    g_param_spec_string ("name-owner", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Registers org.trafficd.Traffic1.Error.* so replies map to TR_ERROR. */
  (void) tr_error_quark ();
}

static void
tc_client_init (TcClient *self)
{
}

/* --- construction ---------------------------------------------------------- */

static void
on_manager_proxy_ready (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = G_TASK (user_data);
  GDBusConnection *connection = g_task_get_task_data (task);
  g_autoptr(TrDBusManager) manager = NULL;
  GError *error = NULL;

  manager = tr_dbus_manager_proxy_new_finish (result, &error);
  if (manager == NULL)
    {
      tc_client_normalize_error (&error, NULL);
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task,
                         g_object_new (TC_TYPE_CLIENT,
                                       "bus-type", GPOINTER_TO_INT (g_object_get_data (G_OBJECT (task), "bus-type")),
                                       "connection", connection,
                                       "manager", manager,
                                       NULL),
                         g_object_unref);
}

static void
on_bus_ready (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = G_TASK (user_data);
  GBusType bus_type = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (task), "bus-type"));
  GDBusConnection *connection;
  GCancellable *cancellable;
  GError *error = NULL;

  connection = g_bus_get_finish (result, &error);
  if (connection == NULL)
    {
      normalize_bus_error (&error, bus_type);
      g_task_return_error (task, error);
      return;
    }

  g_task_set_task_data (task, connection, g_object_unref);
  /* Not g_steal_pointer() in the same call: argument order is unspecified. */
  cancellable = g_task_get_cancellable (task);
  tr_dbus_manager_proxy_new (connection, G_DBUS_PROXY_FLAGS_NONE,
                             TC_BUS_NAME, TC_MANAGER_PATH, cancellable,
                             on_manager_proxy_ready, g_steal_pointer (&task));
}

void
tc_client_new (GBusType             bus_type,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  GTask *task;

  (void) tr_error_quark ();
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tc_client_new);
  g_object_set_data (G_OBJECT (task), "bus-type", GINT_TO_POINTER (bus_type));
  g_bus_get (bus_type, cancellable, on_bus_ready, task);
}

TcClient *
tc_client_new_finish (GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

TcClient *
tc_client_new_sync (GBusType       bus_type,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(TrDBusManager) manager = NULL;

  (void) tr_error_quark ();
  connection = g_bus_get_sync (bus_type, cancellable, error);
  if (connection == NULL)
    {
      normalize_bus_error (error, bus_type);
      return NULL;
    }

  manager = tr_dbus_manager_proxy_new_sync (connection, G_DBUS_PROXY_FLAGS_NONE,
                                            TC_BUS_NAME, TC_MANAGER_PATH,
                                            cancellable, error);
  if (manager == NULL)
    {
      tc_client_normalize_error (error, NULL);
      return NULL;
    }

  return g_object_new (TC_TYPE_CLIENT,
                       "bus-type", bus_type,
                       "connection", connection,
                       "manager", manager,
                       NULL);
}

/* --- accessors ------------------------------------------------------------- */

GBusType
tc_client_get_bus_type (TcClient *self)
{
  g_return_val_if_fail (TC_IS_CLIENT (self), G_BUS_TYPE_NONE);
  return self->bus_type;
}

GDBusConnection *
tc_client_get_connection (TcClient *self)
{
  g_return_val_if_fail (TC_IS_CLIENT (self), NULL);
  return self->connection;
}

TrDBusManager *
tc_client_get_manager (TcClient *self)
{
  g_return_val_if_fail (TC_IS_CLIENT (self), NULL);
  return self->manager;
}

const char *
tc_client_get_name_owner (TcClient *self)
{
  g_autofree char *owner = NULL;
  const char *interned;

  g_return_val_if_fail (TC_IS_CLIENT (self), NULL);

  owner = g_dbus_proxy_get_name_owner (G_DBUS_PROXY (self->manager));
  if (owner == NULL)
    return NULL;
  /* Unique names are few and never reused; interning keeps the API simple. */
  interned = g_intern_string (owner);
  return interned;
}

gboolean
tc_client_check_service (TcClient  *self,
                         GError   **error)
{
  g_return_val_if_fail (TC_IS_CLIENT (self), FALSE);

  if (g_dbus_connection_is_closed (self->connection))
    {
      g_set_error (error, TC_CLIENT_ERROR, TC_CLIENT_ERROR_SERVICE_UNAVAILABLE,
                   _("The connection to the %s bus is closed"),
                   bus_type_name (self->bus_type));
      return FALSE;
    }
  if (tc_client_get_name_owner (self) == NULL)
    {
      g_set_error (error, TC_CLIENT_ERROR, TC_CLIENT_ERROR_SERVICE_UNAVAILABLE,
                   _("The trafficd service (%s) is not running on the %s bus"),
                   TC_BUS_NAME, bus_type_name (self->bus_type));
      return FALSE;
    }
  return TRUE;
}

/* --- StartTest ------------------------------------------------------------- */

static void
on_start_test_done (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = G_TASK (user_data);
  char *path = NULL;
  GError *error = NULL;

  if (!tr_dbus_manager_call_start_test_finish (TR_DBUS_MANAGER (source), &path, result, &error))
    {
      tc_client_normalize_error (&error, NULL);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, path, g_free);
}

void
tc_client_start_test (TcClient            *self,
                      GVariant            *options,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GVariant) sunk = NULL;
  GTask *task;

  g_return_if_fail (TC_IS_CLIENT (self));
  g_return_if_fail (options != NULL && g_variant_is_of_type (options, G_VARIANT_TYPE_VARDICT));

  sunk = g_variant_ref_sink (options);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tc_client_start_test);
  tr_dbus_manager_call_start_test (self->manager, sunk, cancellable,
                                   on_start_test_done, task);
}

char *
tc_client_start_test_finish (TcClient      *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
tc_client_start_test_sync (TcClient      *self,
                           GVariant      *options,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autoptr(GVariant) sunk = NULL;
  char *path = NULL;

  g_return_val_if_fail (TC_IS_CLIENT (self), NULL);
  g_return_val_if_fail (options != NULL && g_variant_is_of_type (options, G_VARIANT_TYPE_VARDICT), NULL);

  sunk = g_variant_ref_sink (options);
  if (!tr_dbus_manager_call_start_test_sync (self->manager, sunk, &path, cancellable, error))
    {
      tc_client_normalize_error (error, NULL);
      return NULL;
    }
  return path;
}

/* --- ListTests ------------------------------------------------------------- */

static void
on_list_tests_done (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = G_TASK (user_data);
  char **paths = NULL;
  GError *error = NULL;

  if (!tr_dbus_manager_call_list_tests_finish (TR_DBUS_MANAGER (source), &paths, result, &error))
    {
      tc_client_normalize_error (&error, NULL);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, paths, (GDestroyNotify) g_strfreev);
}

void
tc_client_list_tests (TcClient            *self,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (TC_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tc_client_list_tests);
  tr_dbus_manager_call_list_tests (self->manager, cancellable, on_list_tests_done, task);
}

GStrv
tc_client_list_tests_finish (TcClient      *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

GStrv
tc_client_list_tests_sync (TcClient      *self,
                           GCancellable  *cancellable,
                           GError       **error)
{
  char **paths = NULL;

  g_return_val_if_fail (TC_IS_CLIENT (self), NULL);

  if (!tr_dbus_manager_call_list_tests_sync (self->manager, &paths, cancellable, error))
    {
      tc_client_normalize_error (error, NULL);
      return NULL;
    }
  return paths;
}

/* --- test proxies ---------------------------------------------------------- */

void
tc_client_get_test (TcClient            *self,
                    const char          *path,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_return_if_fail (TC_IS_CLIENT (self));
  g_return_if_fail (path != NULL && g_variant_is_object_path (path));

  tc_proxy_load (self, TR_DBUS_TYPE_TEST_PROXY, TC_TEST_IFACE, "State", path,
                 tc_client_get_test, cancellable, callback, user_data);
}

TrDBusTest *
tc_client_get_test_finish (TcClient      *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

TrDBusTest *
tc_client_get_test_sync (TcClient      *self,
                         const char    *path,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_return_val_if_fail (TC_IS_CLIENT (self), NULL);
  g_return_val_if_fail (path != NULL && g_variant_is_object_path (path), NULL);

  return TR_DBUS_TEST (tc_proxy_load_sync (self, TR_DBUS_TYPE_TEST_PROXY, TC_TEST_IFACE, "State",
                                           path, cancellable, error));
}

/* --- Stop ------------------------------------------------------------------ */

static void
on_stop_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = G_TASK (user_data);
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      tc_client_normalize_error (&error, g_task_get_task_data (task));
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
tc_client_stop_test (TcClient            *self,
                     const char          *path,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (TC_IS_CLIENT (self));
  g_return_if_fail (path != NULL && g_variant_is_object_path (path));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tc_client_stop_test);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_dbus_connection_call (self->connection, TC_BUS_NAME, path,
                          TC_TEST_IFACE, "Stop", NULL, G_VARIANT_TYPE_UNIT,
                          G_DBUS_CALL_FLAGS_NONE, -1, cancellable,
                          on_stop_done, task);
}

gboolean
tc_client_stop_test_finish (TcClient      *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
tc_client_stop_test_sync (TcClient      *self,
                          const char    *path,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(GVariant) reply = NULL;

  g_return_val_if_fail (TC_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (path != NULL && g_variant_is_object_path (path), FALSE);

  reply = g_dbus_connection_call_sync (self->connection, TC_BUS_NAME, path,
                                       TC_TEST_IFACE, "Stop", NULL, G_VARIANT_TYPE_UNIT,
                                       G_DBUS_CALL_FLAGS_NONE, -1, cancellable, error);
  if (reply == NULL)
    {
      tc_client_normalize_error (error, path);
      return FALSE;
    }
  return TRUE;
}

/* --- property snapshots ---------------------------------------------------- */

GVariant *
tc_client_dup_manager_properties_sync (TcClient      *self,
                                       GCancellable  *cancellable,
                                       GError       **error)
{
  g_autoptr(GVariant) reply = NULL;

  g_return_val_if_fail (TC_IS_CLIENT (self), NULL);

  reply = g_dbus_connection_call_sync (self->connection, TC_BUS_NAME, TC_MANAGER_PATH,
                                       "org.freedesktop.DBus.Properties", "GetAll",
                                       g_variant_new ("(s)", TC_MANAGER_IFACE),
                                       G_VARIANT_TYPE ("(a{sv})"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, cancellable, error);
  if (reply == NULL)
    {
      tc_client_normalize_error (error, NULL);
      return NULL;
    }
  return g_variant_get_child_value (reply, 0);
}

GVariant *
tc_client_dup_test_properties (TrDBusTest *test)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  g_auto(GStrv) names = NULL;

  g_return_val_if_fail (TR_DBUS_IS_TEST (test), NULL);

  names = g_dbus_proxy_get_cached_property_names (G_DBUS_PROXY (test));
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_dbus_proxy_get_cached_property (G_DBUS_PROXY (test), names[i]);

      if (value != NULL)
        g_variant_dict_insert_value (&dict, names[i], value);
    }
  return g_variant_ref_sink (g_variant_dict_end (&dict));
}

/* --- all objects at once ---------------------------------------------------- */

typedef struct {
  guint64     id;
  const char *path;
  GVariant   *props;   /* owned */
} ObjectRow;

static void
object_row_clear (gpointer data)
{
  ObjectRow *row = data;

  g_clear_pointer (&row->props, g_variant_unref);
}

static int
compare_object_rows (gconstpointer a,
                     gconstpointer b)
{
  const ObjectRow *ra = a, *rb = b;

  if (ra->id != rb->id)
    return ra->id < rb->id ? -1 : 1;
  return g_strcmp0 (ra->path, rb->path);
}

/* The objects under @prefix that carry @iface, as a sorted a{oa{sv}}. */
static GVariant *
collect_objects (GVariant   *managed_objects,
                 const char *prefix,
                 const char *iface)
{
  g_autoptr(GArray) rows = g_array_new (FALSE, TRUE, sizeof (ObjectRow));
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{oa{sv}}"));
  g_autofree char *prefix_slash = g_strconcat (prefix, "/", NULL);
  GVariantIter iter;
  const char *path;
  GVariant *interfaces;

  g_array_set_clear_func (rows, object_row_clear);

  g_variant_iter_init (&iter, managed_objects);
  while (g_variant_iter_next (&iter, "{&o@a{sa{sv}}}", &path, &interfaces))
    {
      g_autoptr(GVariant) owned_interfaces = interfaces;
      GVariant *props;
      ObjectRow row = { 0, path, NULL };

      if (!g_str_has_prefix (path, prefix_slash) ||
          !g_ascii_string_to_unsigned (path + strlen (prefix_slash), 10, 1, G_MAXUINT32, &row.id, NULL))
        continue;
      props = g_variant_lookup_value (owned_interfaces, iface, G_VARIANT_TYPE_VARDICT);
      if (props == NULL)
        continue;
      row.props = props;
      g_array_append_val (rows, row);
    }

  g_array_sort (rows, compare_object_rows);
  for (guint i = 0; i < rows->len; i++)
    {
      ObjectRow *row = &g_array_index (rows, ObjectRow, i);

      g_variant_builder_add (&builder, "{o@a{sv}}", row->path, row->props);
    }
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

void
tc_client_split_objects (GVariant  *managed_objects,
                         GVariant **tests,
                         GVariant **servers)
{
  g_return_if_fail (managed_objects != NULL &&
                    g_variant_is_of_type (managed_objects, G_VARIANT_TYPE ("a{oa{sa{sv}}}")));

  if (tests != NULL)
    *tests = collect_objects (managed_objects, TC_TESTS_PATH, TC_TEST_IFACE);
  if (servers != NULL)
    *servers = collect_objects (managed_objects, TC_SERVERS_PATH, TC_SERVER_IFACE);
}

gboolean
tc_client_dup_objects_sync (TcClient      *self,
                            GVariant     **tests,
                            GVariant     **servers,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) objects = NULL;

  g_return_val_if_fail (TC_IS_CLIENT (self), FALSE);

  reply = g_dbus_connection_call_sync (self->connection, TC_BUS_NAME, TC_MANAGER_PATH,
                                       "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
                                       NULL, G_VARIANT_TYPE ("(a{oa{sa{sv}}})"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, cancellable, error);
  if (reply == NULL)
    {
      tc_client_normalize_error (error, NULL);
      return FALSE;
    }
  objects = g_variant_get_child_value (reply, 0);
  tc_client_split_objects (objects, tests, servers);
  return TRUE;
}
