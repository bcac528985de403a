/* td-daemon.c: bus, name, signals, shutdown. */
#include "config.h"

#include "td-daemon.h"
#include "td-helper.h"
#include "td-manager.h"

#include <glib-unix.h>
#include <glib/gstdio.h>

#define SHUTDOWN_TIMEOUT_MS 2500

struct _TdDaemon
{
  GObject          parent_instance;

  TdConfig        *config;
  GMainLoop       *loop;
  GDBusConnection *connection;
  TdManager       *manager;
  guint            name_id;
  guint            sigterm_id;
  guint            sigint_id;
  guint            shutdown_timer;
  char            *registry_dir;
  gboolean         shutting_down;
  int              exit_status;
};

G_DEFINE_FINAL_TYPE (TdDaemon, td_daemon, G_TYPE_OBJECT)

static void
td_daemon_dispose (GObject *object)
{
  TdDaemon *self = TD_DAEMON (object);

  g_clear_handle_id (&self->name_id, g_bus_unown_name);
  g_clear_handle_id (&self->sigterm_id, g_source_remove);
  g_clear_handle_id (&self->sigint_id, g_source_remove);
  g_clear_handle_id (&self->shutdown_timer, g_source_remove);
  g_clear_object (&self->manager);
  g_clear_object (&self->connection);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->config, td_config_free);
  g_clear_pointer (&self->registry_dir, g_free);
  G_OBJECT_CLASS (td_daemon_parent_class)->dispose (object);
}

static void
td_daemon_class_init (TdDaemonClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = td_daemon_dispose;
}

static void
td_daemon_init (TdDaemon *self)
{
  self->loop = g_main_loop_new (NULL, FALSE);
}

TdDaemon *
td_daemon_new (TdConfig *config)
{
  TdDaemon *self = g_object_new (TD_TYPE_DAEMON, NULL);

  self->config = config;
  return self;
}

static void
quit (TdDaemon *self, int status)
{
  self->exit_status = status;
  g_main_loop_quit (self->loop);
}

static void
on_all_stopped (gpointer user_data)
{
  TdDaemon *self = user_data;

  g_info ("all tests ended; exiting");
  quit (self, 0);
}

static gboolean
on_shutdown_timeout (gpointer user_data)
{
  TdDaemon *self = user_data;

  self->shutdown_timer = 0;
  g_warning ("%u tests did not end within %d ms of the shutdown request; their helpers are killed",
             self->manager ? td_manager_get_running (self->manager) : 0, SHUTDOWN_TIMEOUT_MS);
  quit (self, 0);
  return G_SOURCE_REMOVE;
}

static gboolean
on_stop_signal (gpointer user_data)
{
  TdDaemon *self = user_data;

  if (self->shutting_down)
    return G_SOURCE_CONTINUE;
  self->shutting_down = TRUE;
  g_info ("shutdown requested; stopping running tests");
  if (self->manager == NULL)
    {
      quit (self, 0);
      return G_SOURCE_CONTINUE;
    }
  self->shutdown_timer = g_timeout_add (SHUTDOWN_TIMEOUT_MS, on_shutdown_timeout, self);
  td_manager_stop_all (self->manager, G_CALLBACK (on_all_stopped), self);
  return G_SOURCE_CONTINUE;
}

static void
on_name_acquired (GDBusConnection *connection, const char *name, gpointer user_data)
{
  g_info ("trafficd %s ready on the %s bus as %s", PACKAGE_VERSION,
          ((TdDaemon *) user_data)->config->session_bus ? "session" : "system", name);
}

static void
on_name_lost (GDBusConnection *connection, const char *name, gpointer user_data)
{
  TdDaemon *self = user_data;

  if (connection == NULL)
    g_warning ("lost the connection to the bus; exiting");
  else
    g_warning ("cannot own %s: another trafficd is running, or the bus policy does not allow this user to own it", name);
  quit (self, 1);
}

static void
on_bus_get (GObject *source, GAsyncResult *result, gpointer user_data)
{
  TdDaemon *self = user_data;
  g_autoptr(GError) error = NULL;

  self->connection = g_bus_get_finish (result, &error);
  if (self->connection == NULL)
    {
      g_warning ("cannot connect to the %s bus: %s", self->config->session_bus ? "session" : "system",
                 error->message);
      quit (self, 1);
      return;
    }
  g_dbus_connection_set_exit_on_close (self->connection, FALSE);
  self->manager = td_manager_new (self->connection, self->config, self->registry_dir, &error);
  if (self->manager == NULL)
    {
      g_warning ("cannot export the D-Bus interface: %s", error->message);
      quit (self, 1);
      return;
    }
  self->name_id = g_bus_own_name_on_connection (self->connection, TD_BUS_NAME,
                                                G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                                on_name_acquired, on_name_lost, self, NULL);
}

int
td_daemon_run (TdDaemon *self)
{
  self->sigterm_id = g_unix_signal_add (SIGTERM, on_stop_signal, self);
  self->sigint_id = g_unix_signal_add (SIGINT, on_stop_signal, self);
  /* Helpers a killed instance left behind are found by their records. */
  self->registry_dir = g_build_filename (self->config->runtime_dir, "helpers", NULL);
  if (g_mkdir_with_parents (self->registry_dir, 0700) < 0)
    {
      g_warning ("cannot create %s: %s; helpers will not be recorded, so a crash could leave them running",
                 self->registry_dir, g_strerror (errno));
      g_clear_pointer (&self->registry_dir, g_free);
    }
  else
    {
      guint killed = td_helper_kill_leftovers (self->registry_dir);
      if (killed > 0)
        g_warning ("killed %u helper processes left by a previous instance; their tests were interrupted", killed);
    }
  g_bus_get (self->config->session_bus ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM, NULL, on_bus_get, self);
  g_main_loop_run (self->loop);
  if (self->connection != NULL)
    g_dbus_connection_flush_sync (self->connection, NULL, NULL);
  return self->exit_status;
}
