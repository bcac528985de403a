/* td-history-watch.c: a TdTest's signals -> writer records. */
#include "config.h"

#include "td-history-watch.h"
#include "td-history.h"
#include "td-history-columns.h"
#include "td-history-env.h"
#include "tr-error.h"

#include <string.h>

struct _TdHistoryWatch
{
  GObject            *history;
  TdHistoryWriter    *writer;
  GDBusConnection    *connection;
  TdTest             *test;
  guint               id;
  TdHistoryWatchDone  done;
  gpointer            done_data;
  guint               streams;         /* the parallel option */
  guint               log_seq;
  guint64             dropped;
  gboolean            connected_seen;
  gboolean            ended;
};

/* ---- the row at creation ---- */

/* Options key -> column (any type the option has). */
static const struct { const char *option; const char *column; } option_columns[] = {
  { "host", "host" }, { "port", "port" }, { "protocol", "protocol" }, { "direction", "direction" },
  { "parallel", "streams" }, { "duration", "duration_seconds" }, { "bytes", "bytes_limit_bytes" },
  { "bitrate", "bitrate_bits_per_second" }, { "interval", "interval_seconds" }, { "omit", "omit_seconds" },
  { "bind_address", "bind_address" }, { "length", "length_bytes" }, { "window", "window_bytes" },
  { "tos", "tos" }, { "congestion", "congestion" }, { "zerocopy", "zerocopy" },
  { "connect_timeout", "connect_timeout_seconds" }, { "receive_timeout", "receive_timeout_seconds" },
  { "label", "label" },
};

static char *
dup_role (TrDBusTest *iface)
{
  char *role = NULL;

  /* Role arrives with servers; read it where it exists. */
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (iface), "role") != NULL)
    g_object_get (iface, "role", &role, NULL);
  if (role == NULL || *role == '\0')
    {
      g_free (role);
      role = g_strdup ("client");
    }
  return role;
}

static GVariant *
begin_columns (TdHistoryWatch *self, const TdHistoryHost *host)
{
  TrDBusTest *iface = td_test_get_iface (self->test);
  GVariant *options = tr_dbus_test_get_options (iface);
  g_autofree char *role = dup_role (iface);
  GVariantDict d;

  g_variant_dict_init (&d, NULL);
  g_variant_dict_insert (&d, "id", "u", self->id);
  g_variant_dict_insert (&d, "role", "s", role);
  g_variant_dict_insert (&d, "state", "s", tr_dbus_test_get_state (iface));
  g_variant_dict_insert (&d, "owner_uid", "u", tr_dbus_test_get_owner (iface));
  g_variant_dict_insert (&d, "start_time_us", "t", tr_dbus_test_get_start_time (iface));
  if (host->hostname != NULL)
    g_variant_dict_insert (&d, "hostname", "s", host->hostname);
  if (host->kernel != NULL)
    g_variant_dict_insert (&d, "kernel", "s", host->kernel);
  if (options != NULL)
    {
      g_variant_dict_insert_value (&d, "options", options);
      for (guint i = 0; i < G_N_ELEMENTS (option_columns); i++)
        {
          g_autoptr(GVariant) v = g_variant_lookup_value (options, option_columns[i].option, NULL);

          if (v != NULL && !g_variant_is_container (v))
            g_variant_dict_insert_value (&d, option_columns[i].column, v);
        }
    }
  return g_variant_dict_end (&d);
}

/* ---- asynchronous environment: route, caller executable ---- */

typedef struct {
  GObject *history;
  guint    id;
  char    *remote;
  char    *local;
} EnvJob;

static void
env_job_free (EnvJob *job)
{
  g_object_unref (job->history);
  g_free (job->remote);
  g_free (job->local);
  g_free (job);
}

static void
env_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  EnvJob *job = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *ifname = td_history_env_route (job->remote, job->local, &error);
  GVariantDict d;

  g_variant_dict_init (&d, NULL);
  if (ifname == NULL)
    g_debug ("history: test %u: no interface for %s: %s", job->id, job->remote, error->message);
  else
    {
      gint64 speed = td_history_env_link_speed (ifname);

      g_variant_dict_insert (&d, "interface", "s", ifname);
      if (speed > 0)
        g_variant_dict_insert (&d, "link_speed_bits_per_second", "t", (guint64) speed);
    }
  g_task_return_pointer (task, g_variant_ref_sink (g_variant_dict_end (&d)), (GDestroyNotify) g_variant_unref);
}

static void
on_env_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  EnvJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GVariant) columns = g_task_propagate_pointer (G_TASK (result), NULL);

  if (columns != NULL && g_variant_n_children (columns) > 0)
    td_history_update_test (TD_HISTORY (job->history), job->id, columns);
}

static void
run_env_job (GObject *history, guint id, const char *remote, const char *local)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, on_env_done, NULL);
  EnvJob *job = g_new0 (EnvJob, 1);

  job->history = g_object_ref (history);
  job->id = id;
  job->remote = g_strdup (remote);
  job->local = g_strdup (local);
  g_task_set_task_data (task, job, (GDestroyNotify) env_job_free);
  g_task_run_in_thread (task, env_thread);
}

/* The lookup outlives the watch when the test ends first: it keeps only
 * the history and the id. */
typedef struct {
  GObject *history;
  guint    id;
} PidCall;

static void
on_caller_pid (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PidCall *call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  guint32 pid;

  if (reply == NULL)
    g_debug ("history: test %u: the caller's process is unknown: %s", call->id, error->message);
  else
    {
      g_autofree char *exe = NULL;

      /* read at once: a short-lived caller (busctl) is gone a moment later;
       * a readlink on procfs does not block */
      g_variant_get (reply, "(u)", &pid);
      exe = td_history_env_executable (pid);
      if (exe != NULL && g_utf8_validate (exe, -1, NULL))
        {
          GVariantDict d;

          g_variant_dict_init (&d, NULL);
          g_variant_dict_insert (&d, "caller_executable", "s", exe);
          td_history_update_test (TD_HISTORY (call->history), call->id, g_variant_dict_end (&d));
        }
    }
  g_object_unref (call->history);
  g_free (call);
}

static void
lookup_caller (TdHistoryWatch *self)
{
  const char *sender = td_test_get_sender (self->test);
  PidCall *call;

  if (self->connection == NULL || sender == NULL || *sender == '\0')
    return;
  call = g_new0 (PidCall, 1);
  call->history = g_object_ref (self->history);
  call->id = self->id;
  g_dbus_connection_call (self->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                          g_variant_new ("(s)", sender), G_VARIANT_TYPE ("(u)"),
                          G_DBUS_CALL_FLAGS_NONE, 5000, NULL, on_caller_pid, call);
}

/* ---- signals ---- */

static void
update (TdHistoryWatch *self, GVariantDict *d)
{
  td_history_writer_test_update (self->writer, self->id, g_variant_dict_end (d));
}

static void
on_state (GObject *iface, GParamSpec *pspec, gpointer user_data)
{
  TdHistoryWatch *self = user_data;
  GVariantDict d;
  guint64 since = tr_dbus_test_get_running_since (TR_DBUS_TEST (iface));

  if (self->ended)
    return;
  g_variant_dict_init (&d, NULL);
  g_variant_dict_insert (&d, "state", "s", tr_dbus_test_get_state (TR_DBUS_TEST (iface)));
  if (since > 0)
    g_variant_dict_insert (&d, "running_since_us", "t", since);
  update (self, &d);
}

static void
copy_string (GVariantDict *d, const char *column, GVariant *record, const char *key)
{
  const char *s;

  if (g_variant_lookup (record, key, "&s", &s) && *s != '\0')
    g_variant_dict_insert (d, column, "s", s);
}

static void
copy_port (GVariantDict *d, const char *column, GVariant *record, const char *key)
{
  guint32 port;

  if (g_variant_lookup (record, key, "u", &port))
    g_variant_dict_insert (d, column, "u", port);
}

static void
on_record (TdTest *test, const char *kind, gint64 timestamp, GVariant *record, gpointer user_data)
{
  TdHistoryWatch *self = user_data;
  GVariantDict d;

  if (strcmp (kind, "hello") != 0 && strcmp (kind, "resolved") != 0 &&
      (strcmp (kind, "connected") != 0 || self->connected_seen))
    return;
  g_variant_dict_init (&d, NULL);
  if (strcmp (kind, "hello") == 0)
    copy_string (&d, "iperf_version", record, "iperf_version");
  else if (strcmp (kind, "resolved") == 0)
    copy_string (&d, "resolved_address", record, "address");
  else
    {
      const char *remote = NULL, *local = NULL;

      self->connected_seen = TRUE;
      copy_string (&d, "local_address", record, "local_address");
      copy_string (&d, "remote_address", record, "remote_address");
      copy_port (&d, "local_port", record, "local_port");
      copy_port (&d, "remote_port", record, "remote_port");
      if (g_variant_lookup (record, "remote_address", "&s", &remote))
        {
          g_variant_lookup (record, "local_address", "&s", &local);
          run_env_job (self->history, self->id, remote, local);
        }
    }
  update (self, &d);
}

static void
on_interval (TdTest *test, GVariant *sample, gpointer user_data)
{
  TdHistoryWatch *self = user_data;

  /* nothing is read from the sample here: the writer thread does that */
  if (!td_history_writer_sample (self->writer, self->id, self->streams, sample))
    self->dropped++;
}

static void
on_log (TdTest *test, guint level, const char *text, gpointer user_data)
{
  TdHistoryWatch *self = user_data;

  td_history_writer_log (self->writer, self->id, self->log_seq++, g_get_real_time (), level, text);
}

/* Result's per-direction keys -> forward_KEY / reverse_KEY columns. */
static void
add_result (GVariantDict *d, GVariant *result)
{
  static const char *const top[] = { "cpu_local_percent", "cpu_remote_percent", "exact", "partial",
                                     "iperf_version", "local_address", "remote_address" };
  static const char *const directions[] = { "forward", "reverse" };

  for (guint i = 0; i < G_N_ELEMENTS (top); i++)
    {
      g_autoptr(GVariant) v = g_variant_lookup_value (result, top[i], NULL);

      if (v != NULL && !(g_variant_is_of_type (v, G_VARIANT_TYPE_STRING) && *g_variant_get_string (v, NULL) == '\0'))
        g_variant_dict_insert_value (d, top[i], v);
    }
  for (guint i = 0; i < G_N_ELEMENTS (directions); i++)
    {
      g_autoptr(GVariant) dir = g_variant_lookup_value (result, directions[i], G_VARIANT_TYPE_VARDICT);
      GVariantIter iter;
      const char *key;
      GVariant *value;

      if (dir == NULL)
        continue;
      g_variant_iter_init (&iter, dir);
      while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
        {
          g_autoptr(GVariant) owned = value;
          g_autofree char *column = g_strdup_printf ("%s_%s", directions[i], key);

          if (td_history_column_index (column) >= 0 && !g_variant_is_container (value))
            g_variant_dict_insert_value (d, column, value);
        }
    }
}

static void
write_end (TdHistoryWatch *self, const char *state_override, const char *error_name, const char *error_message)
{
  TrDBusTest *iface = td_test_get_iface (self->test);
  GVariant *result = tr_dbus_test_get_result (iface);
  GVariant *error = tr_dbus_test_get_error (iface);
  const char *name = "", *message = "";
  guint64 end = tr_dbus_test_get_end_time (iface), since = tr_dbus_test_get_running_since (iface);
  GVariantDict d;

  if (error != NULL)
    g_variant_get (error, "(&s&s)", &name, &message);
  if (error_name != NULL)
    {
      name = error_name;
      message = error_message;
    }
  g_variant_dict_init (&d, NULL);
  if (result != NULL)
    {
      add_result (&d, result);
      g_variant_dict_insert_value (&d, "result", result);
    }
  g_variant_dict_insert (&d, "state", "s", state_override ? state_override : tr_dbus_test_get_state (iface));
  g_variant_dict_insert (&d, "end_time_us", "t", end > 0 ? end : (guint64) g_get_real_time ());
  if (since > 0)
    g_variant_dict_insert (&d, "running_since_us", "t", since);
  if (*name != '\0')
    {
      g_variant_dict_insert (&d, "error_name", "s", name);
      g_variant_dict_insert (&d, "error_message", "s", message);
    }
  if (state_override != NULL)
    g_variant_dict_insert (&d, "partial", "b", TRUE);
  g_variant_dict_insert (&d, "dropped_samples", "t", self->dropped);
  td_history_writer_test_end (self->writer, self->id, g_variant_dict_end (&d));
}

static void
disconnect (TdHistoryWatch *self)
{
  g_signal_handlers_disconnect_by_data (self->test, self);
  g_signal_handlers_disconnect_by_data (td_test_get_iface (self->test), self);
}

static void
on_ended (TdTest *test, gpointer user_data)
{
  TdHistoryWatch *self = user_data;

  if (self->ended)
    return;
  self->ended = TRUE;
  write_end (self, NULL, NULL, NULL);
  disconnect (self);
  if (self->dropped > 0)
    g_warning ("history: test %u: %" G_GUINT64_FORMAT " samples were not stored (the write buffer was full)",
               self->id, self->dropped);
  self->done (self, self->done_data);
}

TdHistoryWatch *
td_history_watch_new (GObject *history, TdHistoryWriter *writer, const TdHistoryHost *host,
                      GDBusConnection *connection, TdTest *test, TdHistoryWatchDone done, gpointer user_data)
{
  TdHistoryWatch *self = g_new0 (TdHistoryWatch, 1);

  self->history = history;   /* owns us */
  self->writer = writer;
  self->connection = connection ? g_object_ref (connection) : NULL;
  self->test = g_object_ref (test);
  self->id = td_test_get_id (test);
  self->done = done;
  self->done_data = user_data;

  {
    GVariant *options = tr_dbus_test_get_options (td_test_get_iface (test));
    guint32 parallel = 1;

    if (options != NULL)
      g_variant_lookup (options, "parallel", "u", &parallel);
    self->streams = parallel;
  }
  td_history_writer_test_begin (writer, begin_columns (self, host));
  g_signal_connect (test, "record", G_CALLBACK (on_record), self);
  g_signal_connect (test, "interval", G_CALLBACK (on_interval), self);
  g_signal_connect (test, "log", G_CALLBACK (on_log), self);
  g_signal_connect (test, "ended", G_CALLBACK (on_ended), self);
  g_signal_connect (td_test_get_iface (test), "notify::state", G_CALLBACK (on_state), self);
  lookup_caller (self);
  return self;
}

guint
td_history_watch_get_id (TdHistoryWatch *self)
{
  return self->id;
}

void
td_history_watch_abandon (TdHistoryWatch *self)
{
  if (self->ended)
    return;
  self->ended = TRUE;
  write_end (self, "interrupted", TR_DBUS_ERROR_PREFIX "Interrupted",
             "the service stopped before the test ended; what it recorded until then is kept");
  disconnect (self);
}

void
td_history_watch_free (TdHistoryWatch *self)
{
  if (self == NULL)
    return;
  if (!self->ended)
    disconnect (self);
  g_object_unref (self->test);
  g_clear_object (&self->connection);
  g_free (self);
}
