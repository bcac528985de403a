/* td-daemon.c: bus, name, signals, shutdown. */
#include "config.h"

#include "td-daemon.h"
#include "td-helper.h"
#include "td-history.h"
#include "td-history-dbus.h"
#include "td-iface-monitor.h"
#include "td-manager.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <sys/file.h>
#include <unistd.h>

#define SHUTDOWN_TIMEOUT_MS 2500

struct _TdDaemon
{
  GObject          parent_instance;

  TdConfig        *config;
  GMainLoop       *loop;
  GDBusConnection *connection;
  TdManager       *manager;
  TdHistory       *history;
  TdHistoryDbus   *history_dbus;
  TdIfaceMonitor  *iface_monitor;
  guint            name_id;
  guint            sigterm_id;
  guint            sigint_id;
  guint            sighup_id;
  guint            shutdown_timer;
  char            *registry_dir;
  int              registry_lock_fd;   /* flock: one instance per runtime directory */
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
  g_clear_handle_id (&self->sighup_id, g_source_remove);
  g_clear_handle_id (&self->shutdown_timer, g_source_remove);
  g_clear_object (&self->history_dbus);
  g_clear_object (&self->iface_monitor);
  g_clear_object (&self->manager);
  g_clear_object (&self->history);
  g_clear_object (&self->connection);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->config, td_config_free);
  g_clear_pointer (&self->registry_dir, g_free);
  if (self->registry_lock_fd >= 0)
    close (self->registry_lock_fd);
  self->registry_lock_fd = -1;
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
  self->registry_lock_fd = -1;
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

static gboolean
quit_when_idle (gpointer user_data)
{
  quit (user_data, 0);
  return G_SOURCE_REMOVE;
}

/* Called from inside the last test's "ended" signal: its final State,
 * Result and Error go out as PropertiesChanged from an idle callback, so
 * quit only after those have been sent. */
static void
on_all_stopped (gpointer user_data)
{
  g_info ("all tests ended; exiting");
  g_idle_add_full (G_PRIORITY_LOW, quit_when_idle, user_data, NULL);
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

/* SIGHUP: reread the configuration file (limits). */
static gboolean
on_reload_signal (gpointer user_data)
{
  TdDaemon *self = user_data;
  g_autoptr(GError) error = NULL;

  if (self->manager != NULL)
    td_manager_reload (self->manager, &error);   /* logs what went wrong */
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
  td_manager_set_history (self->manager, self->history);
  td_history_set_connection (self->history, self->connection);
  self->history_dbus = td_history_dbus_new (self->history, td_manager_get_authority (self->manager),
                                            self->connection, self->config->session_bus, &error);
  if (self->history_dbus == NULL)
    {
      g_warning ("cannot export the History D-Bus interface: %s", error->message);
      quit (self, 1);
      return;
    }
  /* interface monitoring is an extra: without it the service still runs */
  self->iface_monitor = td_iface_monitor_new (self->connection, self->manager, self->history, self->config, &error);
  if (self->iface_monitor == NULL)
    {
      g_warning ("interface monitoring is off: %s", error->message);
      g_clear_error (&error);
    }
  self->name_id = g_bus_own_name_on_connection (self->connection, TD_BUS_NAME,
                                                G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                                on_name_acquired, on_name_lost, self, NULL);
}

/* Opens the history before anything else; FALSE when another trafficd
 * holds the state directory. Any other problem only disables the history. */
static gboolean
open_history (TdDaemon *self)
{
  g_autoptr(GError) error = NULL;

  self->history = td_history_new (self->config->state_dir);
  td_history_set_retention (self->history, self->config->retention_samples_days,
                            self->config->retention_tests_days);
  if (td_history_open (self->history, &error))
    return TRUE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BUSY))
    {
      g_warning ("%s; exiting", error->message);
      return FALSE;
    }
  return TRUE;   /* runs without history; td_history_open() said why */
}

int
td_daemon_run (TdDaemon *self)
{
  self->sigterm_id = g_unix_signal_add (SIGTERM, on_stop_signal, self);
  self->sigint_id = g_unix_signal_add (SIGINT, on_stop_signal, self);
  self->sighup_id = g_unix_signal_add (SIGHUP, on_reload_signal, self);
  /* First, so that a second instance stops here (the history's lock). */
  if (!open_history (self))
    return 1;
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
      /* The helpers recorded there may be those of another instance that
       * shares this runtime directory (but not the state directory, or
       * the history's lock would have stopped us): they are not leftovers. */
      g_autofree char *lock_path = g_strconcat (self->registry_dir, ".lock", NULL);
      int fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

      if (fd >= 0 && flock (fd, LOCK_EX | LOCK_NB) == 0)
        {
          guint killed = td_helper_kill_leftovers (self->registry_dir);

          self->registry_lock_fd = fd;
          if (killed > 0)
            g_warning ("killed %u helper processes left by a previous instance; their tests were interrupted", killed);
        }
      else if (fd >= 0 && errno == EWOULDBLOCK)
        {
          close (fd);
          g_warning ("another trafficd uses the runtime directory %s (%s is locked); exiting",
                     self->config->runtime_dir, lock_path);
          return 1;
        }
      else
        {
          g_warning ("cannot lock %s: %s; helpers left by a previous instance are not looked for",
                     lock_path, g_strerror (errno));
          if (fd >= 0)
            close (fd);
        }
    }
  g_bus_get (self->config->session_bus ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM, NULL, on_bus_get, self);
  g_main_loop_run (self->loop);
  td_history_close (self->history);
  if (self->connection != NULL)
    g_dbus_connection_flush_sync (self->connection, NULL, NULL);
  return self->exit_status;
}
