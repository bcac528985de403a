/* td-manager.c: StartTest, StartServer, the queue and limits, and the
 * lifetimes of test and server objects. */
#include "config.h"

#include "td-manager.h"
#include "td-authority.h"
#include "td-caller.h"
#include "td-history.h"
#include "td-ports.h"
#include "td-server.h"
#include "td-test.h"
#include "tr-dbus-generated.h"
#include "tr-error.h"
#include "tr-server-options.h"

struct _TdManager
{
  GObject                   parent_instance;

  GDBusConnection          *connection;
  TdConfig                 *config;        /* the daemon's; td_manager_reload() rereads it */
  TdAuthority              *authority;     /* every mutating method asks it */
  TrDBusManager            *iface;
  GDBusObjectManagerServer *object_manager;
  GHashTable               *tests;         /* id -> TestEntry */
  GHashTable               *servers;       /* id -> ServerEntry */
  GQueue                    queue;         /* TestEntry waiting, FIFO */
  TdPorts                  *ports;
  char                     *registry_dir;
  guint                     next_test_id;
  guint                     next_server_id;
  guint                     running;       /* client tests started and not ended */
  guint                     servers_running;
  gboolean                  exclusive_running;
  GCallback                 all_stopped_cb;
  gpointer                  all_stopped_data;
  TdHistory                *history;       /* records every test; may be NULL */
};

typedef struct _ServerEntry ServerEntry;

typedef struct {
  TdManager   *manager;
  TdTest      *test;
  guint        linger_timer;
  guint        name_watch;
  gboolean     started;     /* counted in running */
  ServerEntry *local;       /* the one-off server of a local test */
} TestEntry;

struct _ServerEntry {
  TdManager *manager;
  TdServer  *server;
  guint      linger_timer;
  TestEntry *local_client;  /* the test this one-off server was made for */
};

G_DEFINE_FINAL_TYPE (TdManager, td_manager, G_TYPE_OBJECT)

/* "test-added" (TdTest *): every new test, before it starts (interface
 * monitoring follows the interface a test uses). */
static guint test_added_signal;

static void try_start_queued (TdManager *self);

static void
test_entry_free (TestEntry *entry)
{
  g_clear_handle_id (&entry->linger_timer, g_source_remove);
  g_clear_handle_id (&entry->name_watch, g_bus_unwatch_name);
  g_signal_handlers_disconnect_by_data (entry->test, entry);
  if (entry->local != NULL)
    entry->local->local_client = NULL;
  g_object_unref (entry->test);
  g_free (entry);
}

static void
server_entry_free (ServerEntry *entry)
{
  g_clear_handle_id (&entry->linger_timer, g_source_remove);
  g_signal_handlers_disconnect_by_data (entry->server, entry);
  if (entry->local_client != NULL)
    entry->local_client->local = NULL;
  g_object_unref (entry->server);
  g_free (entry);
}

static void
td_manager_dispose (GObject *object)
{
  TdManager *self = TD_MANAGER (object);

  if (self->iface != NULL)
    g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->iface));
  g_queue_clear (&self->queue);
  g_clear_pointer (&self->tests, g_hash_table_unref);
  g_clear_pointer (&self->servers, g_hash_table_unref);
  g_clear_pointer (&self->ports, td_ports_free);
  g_clear_pointer (&self->registry_dir, g_free);
  g_clear_object (&self->object_manager);
  g_clear_object (&self->iface);
  g_clear_object (&self->connection);
  g_clear_object (&self->history);
  g_clear_object (&self->authority);
  G_OBJECT_CLASS (td_manager_parent_class)->dispose (object);
}

static void
td_manager_class_init (TdManagerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = td_manager_dispose;
  test_added_signal = g_signal_new ("test-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_OBJECT);
}

static void
td_manager_init (TdManager *self)
{
  self->tests = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) test_entry_free);
  self->servers = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) server_entry_free);
  g_queue_init (&self->queue);
  self->next_test_id = 1;
  self->next_server_id = 1;
}

static void
update_counts (TdManager *self)
{
  tr_dbus_manager_set_running_tests (self->iface, self->running);
  tr_dbus_manager_set_queued_tests (self->iface, self->queue.length);
  if (self->all_stopped_cb != NULL && self->running == 0 &&
      self->queue.length == 0 && self->servers_running == 0)
    {
      GCallback cb = self->all_stopped_cb;

      self->all_stopped_cb = NULL;
      ((void (*) (gpointer)) cb) (self->all_stopped_data);
    }
}

static void
update_queue_positions (TdManager *self)
{
  guint position = 1;

  for (GList *l = self->queue.head; l != NULL; l = l->next)
    td_test_set_queued (((TestEntry *) l->data)->test, position++);
}

static guint
running_of_user (TdManager *self, guint32 uid)
{
  GHashTableIter iter;
  TestEntry *entry;
  guint n = 0;

  g_hash_table_iter_init (&iter, self->tests);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (entry->started && !td_test_is_ended (entry->test) && td_test_get_owner (entry->test) == uid)
      n++;
  return n;
}

/* What keeps a test from starting now. */
typedef enum {
  ADMITTED,
  BLOCKED_BY_EXCLUSIVE,   /* an exclusive test runs */
  BLOCKED_NEEDS_IDLE,     /* an exclusive test waits for the running ones */
  BLOCKED_BY_GLOBAL,      /* max-running-tests */
  BLOCKED_BY_USER,        /* max-running-tests-per-user of its owner */
} Admission;

static Admission
admission (TdManager *self, guint32 uid, gboolean exclusive)
{
  if (self->exclusive_running)
    return BLOCKED_BY_EXCLUSIVE;
  if (exclusive && self->running > 0)
    return BLOCKED_NEEDS_IDLE;
  if (self->running >= self->config->max_running)
    return BLOCKED_BY_GLOBAL;
  if (running_of_user (self, uid) >= self->config->max_running_per_user)
    return BLOCKED_BY_USER;
  return ADMITTED;
}

static Admission
entry_admission (TdManager *self, TestEntry *entry)
{
  return admission (self, td_test_get_owner (entry->test), td_test_get_options (entry->test)->exclusive);
}

/* Why a test of @uid is not admitted, for messages. */
static char *
describe_admission (TdManager *self, Admission why, guint32 uid)
{
  switch (why)
    {
    case BLOCKED_BY_EXCLUSIVE:
      return g_strdup ("an exclusive test is running");
    case BLOCKED_NEEDS_IDLE:
      return g_strdup_printf ("an exclusive test needs the service idle, and %u tests are running", self->running);
    case BLOCKED_BY_GLOBAL:
      return g_strdup_printf ("%u tests are running, the limit is %u (max-running-tests)",
                              self->running, self->config->max_running);
    case BLOCKED_BY_USER:
      return g_strdup_printf ("uid %u runs %u tests, the per-user limit is %u (max-running-tests-per-user)",
                              uid, running_of_user (self, uid), self->config->max_running_per_user);
    case ADMITTED:
    default:
      return g_strdup ("it is about to start");
    }
}

/* The first queued test that a new test may not overtake, or NULL. FIFO
 * holds among tests that wait for the same limit: a test that waits only
 * for its owner's per-user limit holds back no other user's test (one of
 * the same user is blocked by that limit itself); one that waits for the
 * global limit or for the service to be idle (exclusive) holds back all
 * later ones. */
static TestEntry *
queued_ahead (TdManager *self)
{
  for (GList *l = self->queue.head; l != NULL; l = l->next)
    if (entry_admission (self, l->data) != BLOCKED_BY_USER)
      return l->data;
  return NULL;
}

/* Why a new test of @uid cannot start now, or NULL when it can. */
static char *
admission_refusal (TdManager *self, guint32 uid, gboolean exclusive)
{
  Admission why = admission (self, uid, exclusive);
  TestEntry *ahead;
  g_autofree char *ahead_why = NULL;

  if (why != ADMITTED)
    return describe_admission (self, why, uid);
  if ((ahead = queued_ahead (self)) == NULL)
    return NULL;
  ahead_why = describe_admission (self, entry_admission (self, ahead), td_test_get_owner (ahead->test));
  return g_strdup_printf ("test %u waits in the queue ahead of it (%s)", td_test_get_id (ahead->test), ahead_why);
}

/* ---- lingering and correlation ---- */

static gboolean
on_test_linger_done (gpointer user_data)
{
  TestEntry *entry = user_data;
  TdManager *self = entry->manager;

  entry->linger_timer = 0;
  g_dbus_object_manager_server_unexport (self->object_manager, td_test_get_object_path (entry->test));
  g_hash_table_remove (self->tests, GUINT_TO_POINTER (td_test_get_id (entry->test)));
  return G_SOURCE_REMOVE;
}

/* Client and server records of one iperf test share its cookie. */
static void
correlate (TdManager *self, TestEntry *entry)
{
  const char *cookie = td_test_get_cookie (entry->test);
  GHashTableIter iter;
  TestEntry *other;

  if (cookie == NULL)
    return;
  g_hash_table_iter_init (&iter, self->tests);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &other))
    if (other != entry && td_test_is_ended (other->test) &&
        g_strcmp0 (td_test_get_cookie (other->test), cookie) == 0)
      {
        td_test_set_peer (entry->test, other->test);
        td_test_set_peer (other->test, entry->test);
        g_debug ("tests %u and %u are the two sides of one iperf test", td_test_get_id (entry->test),
                 td_test_get_id (other->test));
        return;
      }
}

static void
on_test_ended (TdTest *test, gpointer user_data)
{
  TestEntry *entry = user_data;
  TdManager *self = entry->manager;

  g_clear_handle_id (&entry->name_watch, g_bus_unwatch_name);
  g_queue_remove (&self->queue, entry);
  if (entry->started)
    {
      entry->started = FALSE;
      self->running--;
      if (td_test_get_options (test)->exclusive)
        self->exclusive_running = FALSE;
    }
  if (entry->local != NULL && !td_server_is_ended (entry->local->server))
    td_server_stop (entry->local->server, "its local test ended");
  correlate (self, entry);
  entry->linger_timer = g_timeout_add_seconds (self->config->keep_ended_seconds, on_test_linger_done, entry);
  update_queue_positions (self);
  try_start_queued (self);
  update_counts (self);
}

static void
on_caller_vanished (GDBusConnection *connection, const char *name, gpointer user_data)
{
  TestEntry *entry = user_data;

  td_test_stop (entry->test, TR_ERROR_STOPPED,
                "stopped because its caller left the bus (option stop_on_disconnect)");
}

static TestEntry *
add_test (TdManager *self, TdTest *test)
{
  TestEntry *entry = g_new0 (TestEntry, 1);

  entry->manager = self;
  entry->test = test;
  td_test_set_authority (test, self->authority);
  g_hash_table_insert (self->tests, GUINT_TO_POINTER (td_test_get_id (test)), entry);
  if (self->history != NULL)
    td_history_watch_test (self->history, test);
  g_signal_emit (self, test_added_signal, 0, test);
  g_signal_connect (test, "ended", G_CALLBACK (on_test_ended), entry);
  g_dbus_object_manager_server_export (self->object_manager, td_test_get_object (test));
  return entry;
}

/* ---- servers ---- */

static gboolean
on_server_linger_done (gpointer user_data)
{
  ServerEntry *entry = user_data;
  TdManager *self = entry->manager;

  entry->linger_timer = 0;
  g_dbus_object_manager_server_unexport (self->object_manager, td_server_get_object_path (entry->server));
  g_hash_table_remove (self->servers, GUINT_TO_POINTER (td_server_get_id (entry->server)));
  return G_SOURCE_REMOVE;
}

static void
on_server_ended (TdServer *server, gpointer user_data)
{
  ServerEntry *entry = user_data;
  TdManager *self = entry->manager;

  td_ports_release (self->ports, td_server_get_port (server));
  self->servers_running--;
  if (entry->local_client != NULL && !td_test_is_ended (entry->local_client->test) &&
      g_strcmp0 (tr_dbus_test_get_state (td_test_get_iface (entry->local_client->test)), "pending") == 0)
    td_test_stop (entry->local_client->test, TR_ERROR_INTERNAL,
                  "the local server ended before the test started; see its Server object for why");
  entry->linger_timer = g_timeout_add_seconds (self->config->keep_ended_seconds, on_server_linger_done, entry);
  update_counts (self);
}

static TdTest *
make_served_test (TdServer *server, const char *peer_address, gpointer user_data)
{
  TdManager *self = user_data;
  TdTest *test = td_test_new_served (self->next_test_id++, td_server_get_object_path (server),
                                     td_server_get_helper (server), td_server_get_owner (server),
                                     peer_address, td_server_get_port (server),
                                     td_server_get_interval (server));

  add_test (self, test);
  return test;
}

/* Reserves the port and starts the server; NULL with an error when it cannot. */
static ServerEntry *
create_server (TdManager *self, TrServerOptions *options, guint32 uid, GError **error)
{
  g_autoptr(TrServerOptions) owned = options;
  ServerEntry *entry;
  guint port;

  if (self->servers_running >= self->config->max_servers)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_LIMIT_EXCEEDED,
                   "%u servers are running, the limit is %u (max-servers)",
                   self->servers_running, self->config->max_servers);
      return NULL;
    }
  if (!td_ports_reserve (self->ports, options->port, options->bind_address, &port, error))
    return NULL;
  options->port = port;

  entry = g_new0 (ServerEntry, 1);
  entry->manager = self;
  entry->server = td_server_new (self->next_server_id++, g_steal_pointer (&owned), uid, make_served_test, self);
  td_server_set_authority (entry->server, self->authority);
  g_hash_table_insert (self->servers, GUINT_TO_POINTER (td_server_get_id (entry->server)), entry);
  g_signal_connect (entry->server, "ended", G_CALLBACK (on_server_ended), entry);
  g_dbus_object_manager_server_export (self->object_manager, td_server_get_object (entry->server));
  self->servers_running++;
  g_info ("server %u on port %u started by uid %u", td_server_get_id (entry->server), port, uid);
  if (!td_server_start (entry->server, self->config->runner_path, self->registry_dir, error))
    return NULL;   /* it has ended as failed and lingers */
  return entry;
}

/* ---- starting tests ---- */

static void
launch (TdManager *self, TestEntry *entry)
{
  g_autoptr(GError) error = NULL;

  if (!td_test_start (entry->test, self->config->runner_path, self->registry_dir, &error))
    g_warning ("test %u could not start: %s", td_test_get_id (entry->test), error->message);
}

static void
on_local_server_listening (TdServer *server, gpointer user_data)
{
  TestEntry *entry = user_data;

  g_signal_handlers_disconnect_by_func (server, on_local_server_listening, entry);
  if (td_test_is_ended (entry->test))
    return;
  td_test_set_port (entry->test, td_server_get_port (server));
  launch (entry->manager, entry);
}

/* The one-off loopback server a local test runs against. */
static ServerEntry *
create_local_server (TdManager *self, const TrTestOptions *options, guint32 uid, guint test_id, GError **error)
{
  TrServerOptions *server_options = g_new0 (TrServerOptions, 1);

  server_options->port = 0;
  server_options->bind_address = g_strdup (g_hostname_is_ip_address (options->host) ? options->host : "127.0.0.1");
  server_options->one_off = TRUE;
  server_options->idle_timeout = MAX ((guint) options->receive_timeout, 2);
  server_options->interval = options->interval;
  server_options->label = g_strdup_printf ("local server of test %u", test_id);
  return create_server (self, server_options, uid, error);
}

/* @local: the local test's server when the caller already made it. */
static void
start_test (TdManager *self, TestEntry *entry, ServerEntry *local)
{
  const TrTestOptions *options = td_test_get_options (entry->test);
  g_autoptr(GError) error = NULL;

  entry->started = TRUE;
  self->running++;
  if (options->exclusive)
    self->exclusive_running = TRUE;
  if (!options->local)
    {
      launch (self, entry);
      return;
    }

  entry->local = local != NULL ? local :
    create_local_server (self, options, td_test_get_owner (entry->test), td_test_get_id (entry->test), &error);
  if (entry->local == NULL)
    {
      /* a queued local test: nobody waits for a reply any more */
      td_test_stop (entry->test, error->code, error->message);
      return;
    }
  entry->local->local_client = entry;
  g_signal_connect (entry->local->server, "listening", G_CALLBACK (on_local_server_listening), entry);
}

static void
try_start_queued (TdManager *self)
{
  GList *l = self->queue.head;

  if (self->all_stopped_cb != NULL)
    return;
  while (l != NULL)
    {
      TestEntry *entry = l->data;
      GList *next = l->next;
      Admission why = entry_admission (self, entry);

      if (why == ADMITTED)
        {
          g_queue_delete_link (&self->queue, l);
          td_test_set_queued (entry->test, 0);
          start_test (self, entry, NULL);
        }
      else if (why != BLOCKED_BY_USER)
        break;   /* FIFO behind a test that waits for the global limit or for idle */
      l = next;  /* one that waits for its owner's limit is overtaken */
    }
  update_queue_positions (self);
}

typedef struct {
  TdManager             *manager;
  GDBusMethodInvocation *invocation;
  TrTestOptions         *test_options;
  TrServerOptions       *server_options;
} StartCall;

static void
start_call_free (StartCall *call)
{
  g_object_unref (call->manager);
  g_object_unref (call->invocation);
  tr_test_options_free (call->test_options);
  tr_server_options_free (call->server_options);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StartCall, start_call_free)

static StartCall *
start_call_new (TdManager *self, GDBusMethodInvocation *invocation)
{
  StartCall *call = g_new0 (StartCall, 1);

  call->manager = g_object_ref (self);
  call->invocation = g_object_ref (invocation);
  return call;
}

static gboolean refuse_when_shutting_down (TdManager *self, GDBusMethodInvocation *invocation);

/* Per-test limits bind callers that are not administrators; whether one is
 * costs a polkit round trip, asked only when the options break a limit. */
static TdAuthorityCheckFlags
limits_check_flags (gboolean within_limits)
{
  return within_limits ? TD_AUTHORITY_CHECK_NONE : TD_AUTHORITY_CHECK_ADMIN;
}

static void
on_start_test_authorized (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(StartCall) call = user_data;
  TdManager *self = call->manager;
  g_autoptr(GError) error = NULL;
  g_autofree char *refusal = NULL;
  g_auto(TdCallerInfo) caller = { 0 };
  const char *sender = g_dbus_method_invocation_get_sender (call->invocation);
  gboolean queue_it;
  TestEntry *entry;
  ServerEntry *local = NULL;
  guint32 uid;

  if (!td_authority_check_finish (self->authority, result, &caller, &error))
    {
      g_dbus_method_invocation_return_gerror (call->invocation, error);
      return;
    }
  if (refuse_when_shutting_down (self, call->invocation))
    return;
  uid = caller.uid;
  if (!caller.is_admin && !td_limits_check_test (self->config->limits, call->test_options, &error))
    {
      g_info ("StartTest from uid %u refused: %s", uid, error->message);
      g_dbus_method_invocation_return_gerror (call->invocation, error);
      return;
    }

  refusal = admission_refusal (self, uid, call->test_options->exclusive);
  queue_it = refusal != NULL;
  if (queue_it && !call->test_options->queue)
    {
      g_info ("StartTest from uid %u refused: %s", uid, refusal);
      g_dbus_method_invocation_return_error (call->invocation, TR_ERROR, TR_ERROR_TOO_MANY_TESTS,
                                             "%s; wait for one to end, or pass queue=true to wait in the queue",
                                             refusal);
      update_counts (self);
      return;
    }
  if (queue_it && self->queue.length >= self->config->max_queue)
    {
      g_dbus_method_invocation_return_error (call->invocation, TR_ERROR, TR_ERROR_LIMIT_EXCEEDED,
                                             "the queue holds %u tests, the limit is %u (max-queued-tests)",
                                             self->queue.length, self->config->max_queue);
      update_counts (self);
      return;
    }

  /* A local test that can start now gets its server first, so that a
   * failure (no free port, too many servers) is StartTest's error. */
  if (!queue_it && call->test_options->local &&
      (local = create_local_server (self, call->test_options, uid, self->next_test_id, &error)) == NULL)
    {
      g_info ("StartTest from uid %u refused: %s", uid, error->message);
      g_dbus_method_invocation_return_gerror (call->invocation, error);
      update_counts (self);
      return;
    }

  entry = add_test (self, td_test_new (self->next_test_id++, g_steal_pointer (&call->test_options), uid, sender));
  if (td_test_get_stop_on_disconnect (entry->test))
    entry->name_watch = g_bus_watch_name_on_connection (self->connection, sender,
                                                        G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
                                                        on_caller_vanished, entry, NULL);
  g_info ("test %u %s by uid %u (%s)", td_test_get_id (entry->test), queue_it ? "queued" : "started", uid, sender);
  if (queue_it)
    {
      g_queue_push_tail (&self->queue, entry);
      update_queue_positions (self);
      try_start_queued (self);
    }
  else
    start_test (self, entry, local);
  update_counts (self);
  tr_dbus_manager_complete_start_test (self->iface, call->invocation, td_test_get_object_path (entry->test));
}

static gboolean
refuse_when_shutting_down (TdManager *self, GDBusMethodInvocation *invocation)
{
  if (self->all_stopped_cb == NULL)
    return FALSE;
  g_dbus_method_invocation_return_error (invocation, TR_ERROR, TR_ERROR_INTERNAL, "the service is shutting down");
  return TRUE;
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
      g_info ("StartTest from %s rejected: %s", g_dbus_method_invocation_get_sender (invocation), error->message);
      g_dbus_method_invocation_return_gerror (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  if (refuse_when_shutting_down (self, invocation))
    {
      tr_test_options_free (parsed);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  call = start_call_new (self, invocation);
  call->test_options = parsed;
  td_authority_check_async (self->authority, invocation, TD_ACTION_RUN_TEST, TD_AUTHORITY_NO_OWNER,
                            limits_check_flags (td_limits_check_test (self->config->limits, parsed, NULL)),
                            NULL, on_start_test_authorized, call);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
on_start_server_authorized (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(StartCall) call = user_data;
  TdManager *self = call->manager;
  g_autoptr(GError) error = NULL;
  g_auto(TdCallerInfo) caller = { 0 };
  ServerEntry *entry;
  guint32 uid;

  if (!td_authority_check_finish (self->authority, result, &caller, &error))
    {
      g_dbus_method_invocation_return_gerror (call->invocation, error);
      return;
    }
  if (refuse_when_shutting_down (self, call->invocation))
    return;
  uid = caller.uid;
  if (!caller.is_admin && !td_limits_check_server (self->config->limits, call->server_options, &error))
    {
      g_info ("StartServer from uid %u refused: %s", uid, error->message);
      g_dbus_method_invocation_return_gerror (call->invocation, error);
      return;
    }
  entry = create_server (self, g_steal_pointer (&call->server_options), uid, &error);
  if (entry == NULL)
    {
      g_info ("StartServer from uid %u refused: %s", uid, error->message);
      g_dbus_method_invocation_return_gerror (call->invocation, error);
      return;
    }
  tr_dbus_manager_complete_start_server (self->iface, call->invocation, td_server_get_object_path (entry->server));
}

static gboolean
on_handle_start_server (TrDBusManager *iface, GDBusMethodInvocation *invocation,
                        GVariant *options, gpointer user_data)
{
  TdManager *self = user_data;
  g_autoptr(GError) error = NULL;
  StartCall *call;
  TrServerOptions *parsed = tr_server_options_new_from_variant (options, &error);

  if (parsed == NULL)
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  if (refuse_when_shutting_down (self, invocation))
    {
      tr_server_options_free (parsed);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  call = start_call_new (self, invocation);
  call->server_options = parsed;
  td_authority_check_async (self->authority, invocation, TD_ACTION_RUN_SERVER, TD_AUTHORITY_NO_OWNER,
                            limits_check_flags (td_limits_check_server (self->config->limits, parsed, NULL)),
                            NULL, on_start_server_authorized, call);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* ---- configuration ---- */

static void
publish_config (TdManager *self)
{
  tr_dbus_manager_set_max_running_tests (self->iface, self->config->max_running);
  tr_dbus_manager_set_max_running_tests_per_user (self->iface, self->config->max_running_per_user);
  tr_dbus_manager_set_max_servers (self->iface, self->config->max_servers);
  tr_dbus_manager_set_limits (self->iface, td_limits_to_variant (self->config->limits));
  tr_dbus_manager_set_config_file (self->iface, self->config->config_file ? self->config->config_file : "");
}

gboolean
td_manager_reload (TdManager *self, GError **error)
{
  g_autoptr(GError) local = NULL;

  if (!td_config_load_file (self->config, &local))
    {
      g_warning ("configuration not reloaded, the old settings stay: %s", local->message);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  g_message ("configuration reloaded from %s", self->config->config_file ? self->config->config_file : "(none)");
  publish_config (self);
  /* a higher limit may admit queued tests */
  try_start_queued (self);
  update_counts (self);
  return TRUE;
}

static void
on_reload_authorized (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(StartCall) call = user_data;
  TdManager *self = call->manager;
  g_autoptr(GError) error = NULL;

  if (!td_authority_check_finish (self->authority, result, NULL, &error) || !td_manager_reload (self, &error))
    {
      g_dbus_method_invocation_return_gerror (call->invocation, error);
      return;
    }
  tr_dbus_manager_complete_reload (self->iface, call->invocation);
}

static gboolean
on_handle_reload (TrDBusManager *iface, GDBusMethodInvocation *invocation, gpointer user_data)
{
  TdManager *self = user_data;

  td_authority_check_async (self->authority, invocation, TD_ACTION_CONFIGURE, TD_AUTHORITY_NO_OWNER,
                            TD_AUTHORITY_CHECK_NONE, NULL, on_reload_authorized,
                            start_call_new (self, invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

TdAuthority *
td_manager_get_authority (TdManager *self)
{
  return self->authority;
}

/* ---- listing ---- */

static int
compare_ids (gconstpointer a, gconstpointer b)
{
  guint ia = GPOINTER_TO_UINT (a), ib = GPOINTER_TO_UINT (b);
  return ia < ib ? -1 : ia > ib;
}

typedef const char *(*PathOf) (gpointer entry);

static const char *
test_path_of (gpointer entry)
{
  return td_test_get_object_path (((TestEntry *) entry)->test);
}

static const char *
server_path_of (gpointer entry)
{
  return td_server_get_object_path (((ServerEntry *) entry)->server);
}

static GPtrArray *
sorted_paths (GHashTable *table, PathOf path_of)
{
  g_autoptr(GList) ids = g_list_sort (g_hash_table_get_keys (table), compare_ids);
  GPtrArray *paths = g_ptr_array_new ();

  for (GList *l = ids; l != NULL; l = l->next)
    g_ptr_array_add (paths, (gpointer) path_of (g_hash_table_lookup (table, l->data)));
  g_ptr_array_add (paths, NULL);
  return paths;
}

static gboolean
on_handle_list_tests (TrDBusManager *iface, GDBusMethodInvocation *invocation, gpointer user_data)
{
  g_autoptr(GPtrArray) paths = sorted_paths (((TdManager *) user_data)->tests, test_path_of);

  tr_dbus_manager_complete_list_tests (iface, invocation, (const char *const *) paths->pdata);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_handle_list_servers (TrDBusManager *iface, GDBusMethodInvocation *invocation, gpointer user_data)
{
  g_autoptr(GPtrArray) paths = sorted_paths (((TdManager *) user_data)->servers, server_path_of);

  tr_dbus_manager_complete_list_servers (iface, invocation, (const char *const *) paths->pdata);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* ---- construction ---- */

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
td_manager_new (GDBusConnection *connection, TdConfig *config, const char *registry_dir, GError **error)
{
  g_autoptr(TdManager) self = g_object_new (TD_TYPE_MANAGER, NULL);

  self->connection = g_object_ref (connection);
  self->config = config;
  self->authority = td_authority_new (connection, config->session_bus);
  self->registry_dir = g_strdup (registry_dir);
  self->ports = td_ports_new (config->server_port_min, config->server_port_max);
  self->iface = tr_dbus_manager_skeleton_new ();
  tr_dbus_manager_set_version (self->iface, PACKAGE_VERSION);
  tr_dbus_manager_set_iperf_version (self->iface, "unknown");
  tr_dbus_manager_set_max_running_tests (self->iface, config->max_running);
  tr_dbus_manager_set_max_running_tests_per_user (self->iface, config->max_running_per_user);
  tr_dbus_manager_set_keep_ended_seconds (self->iface, config->keep_ended_seconds);
  tr_dbus_manager_set_max_servers (self->iface, config->max_servers);
  tr_dbus_manager_set_server_port_min (self->iface, config->server_port_min);
  tr_dbus_manager_set_server_port_max (self->iface, config->server_port_max);
  publish_config (self);
  update_counts (self);
  ask_iperf_version (self);
  g_signal_connect (self->iface, "handle-start-test", G_CALLBACK (on_handle_start_test), self);
  g_signal_connect (self->iface, "handle-start-server", G_CALLBACK (on_handle_start_server), self);
  g_signal_connect (self->iface, "handle-list-tests", G_CALLBACK (on_handle_list_tests), self);
  g_signal_connect (self->iface, "handle-list-servers", G_CALLBACK (on_handle_list_servers), self);
  g_signal_connect (self->iface, "handle-reload", G_CALLBACK (on_handle_reload), self);

  self->object_manager = g_dbus_object_manager_server_new (TD_MANAGER_PATH);
  g_dbus_object_manager_server_set_connection (self->object_manager, connection);
  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->iface), connection,
                                         TD_MANAGER_PATH, error))
    return NULL;
  return g_steal_pointer (&self);
}

void
td_manager_set_history (TdManager *self, TdHistory *history)
{
  g_set_object (&self->history, history);
  /* ids stay unique across restarts: the history is keyed by them */
  if (history != NULL)
    self->next_test_id = MAX (self->next_test_id, td_history_get_next_test_id (history));
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
  gpointer entry;

  self->all_stopped_cb = callback;
  self->all_stopped_data = user_data;
  g_hash_table_iter_init (&iter, self->tests);
  while (g_hash_table_iter_next (&iter, NULL, &entry))
    td_test_stop (((TestEntry *) entry)->test, TR_ERROR_STOPPED, "stopped because the service is shutting down");
  g_hash_table_iter_init (&iter, self->servers);
  while (g_hash_table_iter_next (&iter, NULL, &entry))
    td_server_stop (((ServerEntry *) entry)->server, "stopped because the service is shutting down");
  update_counts (self);
}

GDBusObjectManagerServer *
td_manager_get_object_manager (TdManager *self)
{
  return self->object_manager;
}
