/* tc-test-watch.c: follow one test's signals and properties; see tc-test-watch.h. */
#include "config.h"

#include "tc-test-watch.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#define PROPERTIES_IFACE "org.freedesktop.DBus.Properties"

/* Signals kept while the test's path is not known yet. StartTest returns
 * quickly, so this is a safety bound, not a working size. */
#define MAX_BUFFERED_SIGNALS 4096

typedef struct {
  char     *path;
  char     *member;
  GVariant *parameters;
} BufferedSignal;

struct _TcTestWatch
{
  GObject          parent_instance;

  TcClient        *client;
  GDBusConnection *connection;
  char            *sender;          /* the service's unique name */
  char            *match_rule;
  guint            test_signals_id;
  guint            owner_changed_id;
  gulong           closed_id;
  GCancellable    *cancellable;

  GQueue           buffer;          /* BufferedSignal*, before the path is set */
  char            *path;
  char            *state;
  GHashTable      *properties;      /* name -> GVariant */
  gboolean         final_fetch_started;
  gboolean         ended;
  GError          *error;
};

enum {
  SIGNAL_INTERVAL,
  SIGNAL_LOG,
  SIGNAL_STATE_CHANGED,
  SIGNAL_PROPERTIES_CHANGED,
  SIGNAL_ENDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_TYPE (TcTestWatch, tc_test_watch, G_TYPE_OBJECT)

static void
buffered_signal_free (gpointer data)
{
  BufferedSignal *bs = data;

  g_free (bs->path);
  g_free (bs->member);
  g_variant_unref (bs->parameters);
  g_free (bs);
}

/* --- ending ----------------------------------------------------------------- */

static void
emit_ended (TcTestWatch *self)
{
  if (self->ended)
    return;
  self->ended = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_signal_emit (self, signals[SIGNAL_ENDED], 0, self->state);
}

/* Takes @error. */
static void
watch_fail (TcTestWatch *self,
            GError      *error)
{
  if (self->ended)
    {
      g_error_free (error);
      return;
    }
  g_clear_error (&self->error);
  self->error = error;
  emit_ended (self);
}

/* --- properties ------------------------------------------------------------- */

static void on_get_all_done (GObject *source, GAsyncResult *result, gpointer user_data);

static void
fetch_all_properties (TcTestWatch *self)
{
  g_dbus_connection_call (self->connection, self->sender, self->path,
                          PROPERTIES_IFACE, "GetAll",
                          g_variant_new ("(s)", TC_TEST_IFACE),
                          G_VARIANT_TYPE ("(a{sv})"),
                          G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable,
                          on_get_all_done, self);
}

static void
update_state (TcTestWatch *self,
              const char  *state)
{
  if (g_strcmp0 (self->state, state) == 0)
    return;
  /* A final state is final: never go back (defensive, replies and signals
   * arrive in order). */
  if (tc_client_state_is_final (self->state))
    return;

  g_free (self->state);
  self->state = g_strdup (state);
  g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0, self->state);
}

/* Merges @changed (a{sv}) and emits properties-changed and state-changed. */
static void
merge_properties (TcTestWatch *self,
                  GVariant    *changed)
{
  g_autoptr(GVariant) state = NULL;
  GVariantIter iter;
  const char *name;
  GVariant *value;

  g_variant_iter_init (&iter, changed);
  while (g_variant_iter_next (&iter, "{&sv}", &name, &value))
    g_hash_table_replace (self->properties, g_strdup (name), value);

  if (g_variant_n_children (changed) > 0)
    g_signal_emit (self, signals[SIGNAL_PROPERTIES_CHANGED], 0, changed);

  state = g_variant_lookup_value (changed, "State", G_VARIANT_TYPE_STRING);
  if (state != NULL)
    update_state (self, g_variant_get_string (state, NULL));
}

static void
on_get_all_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  TcTestWatch *self;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) all = NULL;
  GError *error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* The watch may be gone: do not touch it. */
      g_error_free (error);
      return;
    }

  self = g_object_ref (TC_TEST_WATCH (user_data));
  if (reply == NULL)
    {
      tc_client_normalize_error (&error, self->path);
      watch_fail (self, error);
    }
  else if (!self->ended)
    {
      all = g_variant_get_child_value (reply, 0);
      merge_properties (self, all);
      /* A reply is at least as recent as every signal seen before it, so a
       * final state here comes with its Result and Error. */
      if (tc_client_state_is_final (self->state))
        {
          self->final_fetch_started = TRUE;
          emit_ended (self);
        }
    }
  g_object_unref (self);
}

/* --- signals of the test ---------------------------------------------------- */

static void
handle_test_signal (TcTestWatch *self,
                    const char  *member,
                    GVariant    *parameters)
{
  if (self->ended)
    return;

  if (strcmp (member, "Interval") == 0)
    {
      g_autoptr(GVariant) sample = g_variant_get_child_value (parameters, 0);
      g_signal_emit (self, signals[SIGNAL_INTERVAL], 0, sample);
    }
  else if (strcmp (member, "Log") == 0)
    {
      guint32 level;
      const char *text;

      g_variant_get (parameters, "(u&s)", &level, &text);
      g_signal_emit (self, signals[SIGNAL_LOG], 0, (guint) level, text);
    }
  else if (strcmp (member, "PropertiesChanged") == 0)
    {
      g_autoptr(GVariant) changed = NULL;
      g_autofree const char **invalidated = NULL;

      g_variant_get (parameters, "(&s@a{sv}^a&s)", NULL, &changed, &invalidated);
      for (guint i = 0; invalidated != NULL && invalidated[i] != NULL; i++)
        g_hash_table_remove (self->properties, invalidated[i]);
      merge_properties (self, changed);

      if (tc_client_state_is_final (self->state) && !self->final_fetch_started && !self->ended)
        {
          /* Fetch everything once more: Result and Error may have changed
           * in the same breath as State. */
          self->final_fetch_started = TRUE;
          fetch_all_properties (self);
        }
    }
}

static gboolean
is_test_signal (const char *interface_name,
                const char *member,
                GVariant   *parameters)
{
  if (g_strcmp0 (interface_name, TC_TEST_IFACE) == 0)
    return (g_strcmp0 (member, "Interval") == 0 &&
            g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(a{sv})"))) ||
           (g_strcmp0 (member, "Log") == 0 &&
            g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(us)")));

  if (g_strcmp0 (interface_name, PROPERTIES_IFACE) == 0 &&
      g_strcmp0 (member, "PropertiesChanged") == 0 &&
      g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sa{sv}as)")))
    {
      const char *iface;

      g_variant_get_child (parameters, 0, "&s", &iface);
      return strcmp (iface, TC_TEST_IFACE) == 0;
    }

  return FALSE;
}

static void
on_test_signal (GDBusConnection *connection,
                const char      *sender_name,
                const char      *object_path,
                const char      *interface_name,
                const char      *signal_name,
                GVariant        *parameters,
                gpointer         user_data)
{
  g_autoptr(TcTestWatch) self = g_object_ref (TC_TEST_WATCH (user_data));

  if (self->ended ||
      !g_str_has_prefix (object_path, TC_TESTS_PATH "/") ||
      !is_test_signal (interface_name, signal_name, parameters))
    return;

  if (self->path == NULL)
    {
      BufferedSignal *bs = g_new0 (BufferedSignal, 1);

      bs->path = g_strdup (object_path);
      bs->member = g_strdup (signal_name);
      bs->parameters = g_variant_ref (parameters);
      g_queue_push_tail (&self->buffer, bs);
      if (g_queue_get_length (&self->buffer) > MAX_BUFFERED_SIGNALS)
        buffered_signal_free (g_queue_pop_head (&self->buffer));
      return;
    }

  if (strcmp (object_path, self->path) == 0)
    handle_test_signal (self, signal_name, parameters);
}

/* --- the service and the bus ------------------------------------------------ */

static void
on_name_owner_changed (GDBusConnection *connection,
                       const char      *sender_name,
                       const char      *object_path,
                       const char      *interface_name,
                       const char      *signal_name,
                       GVariant        *parameters,
                       gpointer         user_data)
{
  TcTestWatch *self = TC_TEST_WATCH (user_data);
  const char *name, *old_owner, *new_owner;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sss)")))
    return;
  g_variant_get (parameters, "(&s&s&s)", &name, &old_owner, &new_owner);
  if (strcmp (name, TC_BUS_NAME) != 0 || strcmp (new_owner, self->sender) == 0)
    return;

  g_object_ref (self);
  watch_fail (self, g_error_new (TC_CLIENT_ERROR, TC_CLIENT_ERROR_SERVICE_UNAVAILABLE,
                                 *new_owner == '\0'
                                 ? _("The trafficd service went away")
                                 : _("The trafficd service was restarted")));
  g_object_unref (self);
}

static void
on_connection_closed (GDBusConnection *connection,
                      gboolean         remote_peer_vanished,
                      GError          *error,
                      gpointer         user_data)
{
  TcTestWatch *self = TC_TEST_WATCH (user_data);

  g_object_ref (self);
  watch_fail (self, g_error_new (TC_CLIENT_ERROR, TC_CLIENT_ERROR_SERVICE_UNAVAILABLE,
                                 _("The connection to the bus was closed")));
  g_object_unref (self);
}

static void
on_add_match_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Cannot subscribe to the signals of trafficd's tests: %s", error->message);
}

/* --- GObject ---------------------------------------------------------------- */

static void
tc_test_watch_dispose (GObject *object)
{
  TcTestWatch *self = TC_TEST_WATCH (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);

  if (self->connection != NULL)
    {
      if (self->test_signals_id != 0)
        g_dbus_connection_signal_unsubscribe (self->connection, self->test_signals_id);
      if (self->owner_changed_id != 0)
        g_dbus_connection_signal_unsubscribe (self->connection, self->owner_changed_id);
      g_clear_signal_handler (&self->closed_id, self->connection);
      self->test_signals_id = 0;
      self->owner_changed_id = 0;

      if (self->match_rule != NULL && !g_dbus_connection_is_closed (self->connection))
        g_dbus_connection_call (self->connection, "org.freedesktop.DBus",
                                "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                "RemoveMatch", g_variant_new ("(s)", self->match_rule),
                                NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL, NULL);
      g_clear_pointer (&self->match_rule, g_free);
    }

  g_queue_clear_full (&self->buffer, buffered_signal_free);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->connection);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (tc_test_watch_parent_class)->dispose (object);
}

static void
tc_test_watch_finalize (GObject *object)
{
  TcTestWatch *self = TC_TEST_WATCH (object);

  g_free (self->sender);
  g_free (self->path);
  g_free (self->state);
  g_hash_table_unref (self->properties);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (tc_test_watch_parent_class)->finalize (object);
}

static void
tc_test_watch_class_init (TcTestWatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tc_test_watch_dispose;
  object_class->finalize = tc_test_watch_finalize;

  signals[SIGNAL_INTERVAL] =
    g_signal_new ("interval", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_VARIANT);
  signals[SIGNAL_LOG] =
    g_signal_new ("log", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  G_TYPE_UINT, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[SIGNAL_STATE_CHANGED] =
    g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[SIGNAL_PROPERTIES_CHANGED] =
    g_signal_new ("properties-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_VARIANT);
  signals[SIGNAL_ENDED] =
    g_signal_new ("ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
tc_test_watch_init (TcTestWatch *self)
{
  g_queue_init (&self->buffer);
  self->state = g_strdup ("");
  self->properties = g_hash_table_new_full (g_str_hash, g_str_equal,
                                            g_free, (GDestroyNotify) g_variant_unref);
  self->cancellable = g_cancellable_new ();
}

/* --- public ----------------------------------------------------------------- */

TcTestWatch *
tc_test_watch_new (TcClient  *client,
                   GError   **error)
{
  g_autoptr(TcTestWatch) self = NULL;
  const char *owner;

  g_return_val_if_fail (TC_IS_CLIENT (client), NULL);

  if (!tc_client_check_service (client, error))
    return NULL;
  owner = tc_client_get_name_owner (client);

  self = g_object_new (TC_TYPE_TEST_WATCH, NULL);
  self->client = g_object_ref (client);
  self->connection = g_object_ref (tc_client_get_connection (client));
  self->sender = g_strdup (owner);

  /* One match rule for every test object of this service instance. The bus
   * handles our messages in order, so it is in force before any StartTest
   * sent after this returns. */
  self->match_rule = g_strdup_printf ("type='signal',sender='%s',path_namespace='%s'",
                                      self->sender, TC_TESTS_PATH);
  g_dbus_connection_call (self->connection, "org.freedesktop.DBus",
                          "/org/freedesktop/DBus", "org.freedesktop.DBus",
                          "AddMatch", g_variant_new ("(s)", self->match_rule),
                          NULL, G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable,
                          on_add_match_done, NULL);
  self->test_signals_id =
    g_dbus_connection_signal_subscribe (self->connection, self->sender,
                                        NULL, NULL, NULL, NULL,
                                        G_DBUS_SIGNAL_FLAGS_NO_MATCH_RULE,
                                        on_test_signal, self, NULL);

  self->owner_changed_id =
    g_dbus_connection_signal_subscribe (self->connection, "org.freedesktop.DBus",
                                        "org.freedesktop.DBus", "NameOwnerChanged",
                                        "/org/freedesktop/DBus", TC_BUS_NAME,
                                        G_DBUS_SIGNAL_FLAGS_NONE,
                                        on_name_owner_changed, self, NULL);
  self->closed_id = g_signal_connect (self->connection, "closed",
                                      G_CALLBACK (on_connection_closed), self);

  return g_steal_pointer (&self);
}

void
tc_test_watch_set_path (TcTestWatch *self,
                        const char  *path)
{
  BufferedSignal *bs;

  g_return_if_fail (TC_IS_TEST_WATCH (self));
  g_return_if_fail (path != NULL && g_variant_is_object_path (path));
  g_return_if_fail (self->path == NULL);

  g_object_ref (self);
  self->path = g_strdup (path);

  /* The initial GetAll goes out before the replay: its reply arrives later
   * and is newer than every buffered signal anyway. */
  if (!self->ended)
    fetch_all_properties (self);

  while ((bs = g_queue_pop_head (&self->buffer)) != NULL)
    {
      if (strcmp (bs->path, self->path) == 0)
        handle_test_signal (self, bs->member, bs->parameters);
      buffered_signal_free (bs);
    }

  g_object_unref (self);
}

const char *
tc_test_watch_get_path (TcTestWatch *self)
{
  g_return_val_if_fail (TC_IS_TEST_WATCH (self), NULL);
  return self->path;
}

const char *
tc_test_watch_get_state (TcTestWatch *self)
{
  g_return_val_if_fail (TC_IS_TEST_WATCH (self), NULL);
  return self->state;
}

gboolean
tc_test_watch_is_ended (TcTestWatch *self)
{
  g_return_val_if_fail (TC_IS_TEST_WATCH (self), FALSE);
  return self->ended;
}

const GError *
tc_test_watch_get_error (TcTestWatch *self)
{
  g_return_val_if_fail (TC_IS_TEST_WATCH (self), NULL);
  return self->error;
}

GVariant *
tc_test_watch_dup_property (TcTestWatch *self,
                            const char  *name)
{
  GVariant *value;

  g_return_val_if_fail (TC_IS_TEST_WATCH (self), NULL);

  value = g_hash_table_lookup (self->properties, name);
  return value != NULL ? g_variant_ref (value) : NULL;
}

GVariant *
tc_test_watch_dup_properties (TcTestWatch *self)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  GHashTableIter iter;
  gpointer name, value;

  g_return_val_if_fail (TC_IS_TEST_WATCH (self), NULL);

  g_hash_table_iter_init (&iter, self->properties);
  while (g_hash_table_iter_next (&iter, &name, &value))
    g_variant_dict_insert_value (&dict, name, value);
  return g_variant_ref_sink (g_variant_dict_end (&dict));
}
