/* td-manager.c: StartTest, ListTests and the tests' lifetimes. */
#include "config.h"

#include "td-manager.h"
#include "td-caller.h"
#include "td-test.h"
#include "tr-dbus-generated.h"
#include "tr-error.h"


struct _TdManager
{
  GObject                   parent_instance;

  GDBusConnection          *connection;
  const TdConfig           *config;
  TrDBusManager            *iface;
  GDBusObjectManagerServer *object_manager;
  GHashTable               *tests;         /* id -> TestEntry */
  guint                     next_id;
  guint                     running;
  guint                     starting;      /* admitted, waiting for the caller's uid */
  GCallback                 all_stopped_cb;
  gpointer                  all_stopped_data;
};

typedef struct {
  TdManager *manager;
  TdTest    *test;
  guint      linger_timer;
  guint      name_watch;
} TestEntry;

G_DEFINE_FINAL_TYPE (TdManager, td_manager, G_TYPE_OBJECT)

static void
test_entry_free (TestEntry *entry)
{
  g_clear_handle_id (&entry->linger_timer, g_source_remove);
  g_clear_handle_id (&entry->name_watch, g_bus_unwatch_name);
  g_signal_handlers_disconnect_by_data (entry->test, entry);
  g_object_unref (entry->test);
  g_free (entry);
}

static void
td_manager_dispose (GObject *object)
{
  TdManager *self = TD_MANAGER (object);

  if (self->iface != NULL)
    g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->iface));
  g_clear_pointer (&self->tests, g_hash_table_unref);
  g_clear_object (&self->object_manager);
  g_clear_object (&self->iface);
  g_clear_object (&self->connection);
  G_OBJECT_CLASS (td_manager_parent_class)->dispose (object);
}

static void
td_manager_class_init (TdManagerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = td_manager_dispose;
}

static void
td_manager_init (TdManager *self)
{
  self->tests = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) test_entry_free);
  self->next_id = 1;
}

static void
update_running (TdManager *self)
{
  tr_dbus_manager_set_running_tests (self->iface, self->running);
  if (self->running == 0 && self->starting == 0 && self->all_stopped_cb != NULL)
    {
      GCallback cb = self->all_stopped_cb;

      self->all_stopped_cb = NULL;
      ((void (*) (gpointer)) cb) (self->all_stopped_data);
    }
}

static gboolean
on_linger_done (gpointer user_data)
{
  TestEntry *entry = user_data;
  TdManager *self = entry->manager;

  entry->linger_timer = 0;
  g_dbus_object_manager_server_unexport (self->object_manager, td_test_get_object_path (entry->test));
  g_hash_table_remove (self->tests, GUINT_TO_POINTER (td_test_get_id (entry->test)));
  return G_SOURCE_REMOVE;
}

static void
on_test_ended (TdTest *test, gpointer user_data)
{
  TestEntry *entry = user_data;
  TdManager *self = entry->manager;

  g_clear_handle_id (&entry->name_watch, g_bus_unwatch_name);
  self->running--;
  entry->linger_timer = g_timeout_add_seconds (self->config->keep_ended_seconds, on_linger_done, entry);
  update_running (self);
}

static void
on_caller_vanished (GDBusConnection *connection, const char *name, gpointer user_data)
{
  TestEntry *entry = user_data;

  td_test_stop (entry->test, TR_ERROR_STOPPED,
                "stopped because its caller left the bus (option stop_on_disconnect)");
}

/* ---- StartTest ---- */

typedef struct {
  TdManager             *manager;
  GDBusMethodInvocation *invocation;
  TrTestOptions         *options;
} StartCall;

static void
start_call_free (StartCall *call)
{
  g_object_unref (call->manager);
  g_object_unref (call->invocation);
  tr_test_options_free (call->options);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StartCall, start_call_free)

static void
on_start_uid (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(StartCall) call = user_data;
  TdManager *self = call->manager;
  g_autoptr(GError) error = NULL;
  TestEntry *entry;
  guint32 uid;
  const char *sender = g_dbus_method_invocation_get_sender (call->invocation);

  self->starting--;
  if (!td_caller_lookup_uid_finish (result, &uid, &error))
    {
      g_warning ("StartTest from %s refused: cannot identify the caller: %s", sender, error->message);
      g_dbus_method_invocation_return_error (call->invocation, TR_ERROR, TR_ERROR_INTERNAL,
                                             "cannot identify the caller: %s", error->message);
      update_running (self);
      return;
    }

  entry = g_new0 (TestEntry, 1);
  entry->manager = self;
  entry->test = td_test_new (self->next_id++, g_steal_pointer (&call->options), uid, sender);
  g_hash_table_insert (self->tests, GUINT_TO_POINTER (td_test_get_id (entry->test)), entry);
  g_signal_connect (entry->test, "ended", G_CALLBACK (on_test_ended), entry);
  g_dbus_object_manager_server_export (self->object_manager, td_test_get_object (entry->test));
  self->running++;
  if (td_test_get_stop_on_disconnect (entry->test))
    entry->name_watch = g_bus_watch_name_on_connection (self->connection, sender,
                                                        G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
                                                        on_caller_vanished, entry, NULL);

  g_info ("test %u started by uid %u (%s)", td_test_get_id (entry->test), uid, sender);
  if (!td_test_start (entry->test, self->config->runner_path, &error))
    {
      g_dbus_method_invocation_return_gerror (call->invocation, error);
      return;
    }
  update_running (self);
  tr_dbus_manager_complete_start_test (self->iface, call->invocation,
                                       td_test_get_object_path (entry->test));
}

static gboolean
on_handle_start_test (TrDBusManager *iface, GDBusMethodInvocation *invocation,
                      GVariant *options, gpointer user_data)
{
  TdManager *self = user_data;
  g_autoptr(GError) error = NULL;
  StartCall *call;
  TrTestOptions *parsed = tr_test_options_new_from_variant (options, &error);

  if (parsed == NULL)
    {
      g_info ("StartTest from %s rejected: %s", g_dbus_method_invocation_get_sender (invocation),
              error->message);
      g_dbus_method_invocation_return_gerror (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  if (self->all_stopped_cb != NULL)
    {
      tr_test_options_free (parsed);
      g_dbus_method_invocation_return_error (invocation, TR_ERROR, TR_ERROR_INTERNAL,
                                             "the service is shutting down");
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  if (self->running + self->starting >= self->config->max_running)
    {
      tr_test_options_free (parsed);
      g_dbus_method_invocation_return_error (invocation, TR_ERROR, TR_ERROR_TOO_MANY_TESTS,
                                             "%u tests are running, the limit is %u (max-running-tests); "
                                             "wait for one to end or stop one",
                                             self->running + self->starting, self->config->max_running);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }

  self->starting++;
  call = g_new0 (StartCall, 1);
  call->manager = g_object_ref (self);
  call->invocation = g_object_ref (invocation);
  call->options = parsed;
  td_caller_lookup_uid_async (self->connection, g_dbus_method_invocation_get_sender (invocation),
                              NULL, on_start_uid, call);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static int
compare_ids (gconstpointer a, gconstpointer b)
{
  guint ia = GPOINTER_TO_UINT (a), ib = GPOINTER_TO_UINT (b);
  return ia < ib ? -1 : ia > ib;
}

static gboolean
on_handle_list_tests (TrDBusManager *iface, GDBusMethodInvocation *invocation, gpointer user_data)
{
  TdManager *self = user_data;
  g_autoptr(GList) ids = g_list_sort (g_hash_table_get_keys (self->tests), compare_ids);
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();

  for (GList *l = ids; l != NULL; l = l->next)
    {
      TestEntry *entry = g_hash_table_lookup (self->tests, l->data);
      g_ptr_array_add (paths, (gpointer) td_test_get_object_path (entry->test));
    }
  g_ptr_array_add (paths, NULL);
  tr_dbus_manager_complete_list_tests (iface, invocation, (const char *const *) paths->pdata);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
on_version_output (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(TdManager) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  if (!g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &out, NULL, &error) ||
      !g_subprocess_get_if_exited (G_SUBPROCESS (source)) || g_subprocess_get_exit_status (G_SUBPROCESS (source)) != 0)
    {
      g_warning ("the test helper %s does not start (%s); tests will fail until it is fixed",
                 self->config->runner_path, error ? error->message : "it exited with an error");
      return;
    }
  if (self->iface != NULL)
    tr_dbus_manager_set_iperf_version (self->iface, g_strstrip (out));
}

/* The service itself never loads libiperf: the helper says which it has. */
static void
ask_iperf_version (TdManager *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                                     &error, self->config->runner_path, "--iperf-version", NULL);

  if (process == NULL)
    {
      g_warning ("cannot start the test helper %s: %s", self->config->runner_path, error->message);
      return;
    }
  g_subprocess_communicate_utf8_async (process, NULL, NULL, on_version_output, g_object_ref (self));
}

TdManager *
td_manager_new (GDBusConnection *connection, const TdConfig *config, GError **error)
{
  g_autoptr(TdManager) self = g_object_new (TD_TYPE_MANAGER, NULL);

  self->connection = g_object_ref (connection);
  self->config = config;
  self->iface = tr_dbus_manager_skeleton_new ();
  tr_dbus_manager_set_version (self->iface, PACKAGE_VERSION);
  tr_dbus_manager_set_iperf_version (self->iface, "unknown");
  ask_iperf_version (self);
  tr_dbus_manager_set_running_tests (self->iface, 0);
  tr_dbus_manager_set_max_running_tests (self->iface, config->max_running);
  tr_dbus_manager_set_keep_ended_seconds (self->iface, config->keep_ended_seconds);
  g_signal_connect (self->iface, "handle-start-test", G_CALLBACK (on_handle_start_test), self);
  g_signal_connect (self->iface, "handle-list-tests", G_CALLBACK (on_handle_list_tests), self);

  self->object_manager = g_dbus_object_manager_server_new (TD_MANAGER_PATH);
  g_dbus_object_manager_server_set_connection (self->object_manager, connection);
  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->iface), connection,
                                         TD_MANAGER_PATH, error))
    return NULL;
  return g_steal_pointer (&self);
}

guint
td_manager_get_running (TdManager *self)
{
  return self->running;
}

void
td_manager_stop_all (TdManager *self, GCallback callback, gpointer user_data)
{
  GHashTableIter iter;
  TestEntry *entry;

  self->all_stopped_cb = callback;
  self->all_stopped_data = user_data;
  g_hash_table_iter_init (&iter, self->tests);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    td_test_stop (entry->test, TR_ERROR_STOPPED, "stopped because the service is shutting down");
  update_running (self);
}
