/* td-server.c: a managed server's life, from its helper's records to D-Bus. */
#include "config.h"

#include "td-server.h"
#include "td-authority.h"
#include "td-helper.h"
#include "tr-dbus-generated.h"
#include "tr-error.h"

#include <string.h>

#define STOP_GRACE_MS 2000
#define STUCK_GRACE_S 10
#define SAMPLE_PERIOD_S 1

struct _TdServer
{
  GObject               parent_instance;

  guint                 id;
  char                 *path;
  TrServerOptions      *options;
  guint32               owner;
  TrDBusObjectSkeleton *object;
  TrDBusServer         *iface;
  TdHelper             *helper;
  char                 *runner_path;
  char                 *registry_dir;
  TdServedTestFactory   factory;
  gpointer              factory_data;
  TdTest               *current;        /* the test being served */
  guint                 stuck_timer;
  guint                 sample_timer;
  gboolean              restarting;
  gboolean              stop_requested;
  char                 *stop_message;
  gboolean              ended;
  char                 *end_status;
  char                 *error_kind;
  char                 *error_message;
  TdAuthority          *authority;      /* decides Stop(); NULL refuses it */
};

enum { SIGNAL_ENDED, SIGNAL_LISTENING, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TdServer, td_server, G_TYPE_OBJECT)

static gboolean spawn_helper (TdServer *self, GError **error);

static void
drop_helper (TdServer *self)
{
  if (self->helper == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->helper, self);
  td_helper_kill (self->helper);
  g_clear_object (&self->helper);
}

static void
td_server_dispose (GObject *object)
{
  TdServer *self = TD_SERVER (object);

  g_clear_handle_id (&self->stuck_timer, g_source_remove);
  g_clear_handle_id (&self->sample_timer, g_source_remove);
  drop_helper (self);
  g_clear_object (&self->current);
  g_clear_object (&self->authority);
  g_clear_object (&self->iface);
  g_clear_object (&self->object);
  G_OBJECT_CLASS (td_server_parent_class)->dispose (object);
}

static void
td_server_finalize (GObject *object)
{
  TdServer *self = TD_SERVER (object);

  g_free (self->path);
  g_free (self->runner_path);
  g_free (self->registry_dir);
  g_free (self->stop_message);
  g_free (self->end_status);
  g_free (self->error_kind);
  g_free (self->error_message);
  tr_server_options_free (self->options);
  G_OBJECT_CLASS (td_server_parent_class)->finalize (object);
}

static void
td_server_class_init (TdServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = td_server_dispose;
  object_class->finalize = td_server_finalize;
  signals[SIGNAL_ENDED] = g_signal_new ("ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* listening: the server waits for a client (after start and each test) */
  signals[SIGNAL_LISTENING] = g_signal_new ("listening", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                            0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
td_server_init (TdServer *self)
{
}

static void
log_line (TdServer *self, guint level, const char *text)
{
  tr_dbus_server_emit_log (self->iface, level, text);
}

static void
set_state (TdServer *self, const char *state)
{
  if (g_strcmp0 (tr_dbus_server_get_state (self->iface), state) == 0)
    return;
  g_debug ("server %u on port %u: %s", self->id, self->options->port, state);
  tr_dbus_server_set_state (self->iface, state);
}

/* ---- Stop() over D-Bus: the owner, or who polkit allows manage-others ---- */

static void
stop_allowed (gpointer target, guint32 uid, GDBusMethodInvocation *invocation)
{
  TdServer *self = target;
  g_autofree char *message = g_strdup_printf ("stopped by uid %u", uid);

  td_server_stop (self, message);
  tr_dbus_server_complete_stop (self->iface, invocation);
}

static gboolean
on_handle_stop (TrDBusServer *iface, GDBusMethodInvocation *invocation, gpointer user_data)
{
  TdServer *self = user_data;
  g_autofree char *what = g_strdup_printf ("server %u", self->id);

  td_authority_authorize_owner_call (self->authority, invocation, self, self->owner, what, stop_allowed);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

void
td_server_set_authority (TdServer *self, TdAuthority *authority)
{
  g_set_object (&self->authority, authority);
}

TdServer *
td_server_new (guint id, TrServerOptions *options, guint32 owner_uid,
               TdServedTestFactory factory, gpointer factory_data)
{
  TdServer *self = g_object_new (TD_TYPE_SERVER, NULL);
  g_autoptr(GVariant) opts = NULL;

  self->id = id;
  self->options = options;
  self->owner = owner_uid;
  self->factory = factory;
  self->factory_data = factory_data;
  self->path = g_strdup_printf (TD_SERVERS_PATH "/%u", id);
  self->object = tr_dbus_object_skeleton_new (self->path);
  self->iface = tr_dbus_server_skeleton_new ();
  opts = g_variant_ref_sink (tr_server_options_to_variant (options));

  tr_dbus_server_set_id (self->iface, id);
  tr_dbus_server_set_port (self->iface, options->port);
  tr_dbus_server_set_bind_address (self->iface, options->bind_address ? options->bind_address : "");
  tr_dbus_server_set_state (self->iface, "starting");
  tr_dbus_server_set_peer (self->iface, "");
  tr_dbus_server_set_current_test (self->iface, "/");
  tr_dbus_server_set_last_result (self->iface, g_variant_new ("a{sv}", NULL));
  tr_dbus_server_set_options (self->iface, opts);
  tr_dbus_server_set_owner (self->iface, owner_uid);
  tr_dbus_server_set_start_time (self->iface, (guint64) g_get_real_time ());
  tr_dbus_server_set_error (self->iface, g_variant_new ("(ss)", "", ""));
  g_signal_connect (self->iface, "handle-stop", G_CALLBACK (on_handle_stop), self);
  tr_dbus_object_skeleton_set_server (self->object, self->iface);
  return self;
}

/* ---- the test being served ---- */

static void
end_current (TdServer *self, const char *status, const char *why)
{
  g_autoptr(TdTest) test = g_steal_pointer (&self->current);

  if (test == NULL)
    return;
  g_signal_handlers_disconnect_by_data (test, self);
  td_test_end_served (test, status, why);
  tr_dbus_server_set_last_result (self->iface, tr_dbus_test_get_result (td_test_get_iface (test)));
  tr_dbus_server_set_current_test (self->iface, "/");
  tr_dbus_server_set_peer (self->iface, "");
}

static gboolean
on_stuck (gpointer user_data)
{
  TdServer *self = user_data;
  g_autofree char *message = NULL;

  self->stuck_timer = 0;
  message = g_strdup_printf ("server on port %u made no progress for %u s while serving %s; its helper is restarted",
                             self->options->port, self->options->idle_timeout + STUCK_GRACE_S,
                             tr_dbus_server_get_peer (self->iface));
  g_warning ("%s", message);
  log_line (self, 4, message);
  end_current (self, "failed", message);
  self->restarting = TRUE;
  if (self->helper != NULL)
    td_helper_kill (self->helper);
  return G_SOURCE_REMOVE;
}

static void
rearm_stuck_timer (TdServer *self)
{
  g_clear_handle_id (&self->stuck_timer, g_source_remove);
  if (self->current != NULL)
    self->stuck_timer = g_timeout_add_seconds (self->options->idle_timeout + STUCK_GRACE_S, on_stuck, self);
}

static void
on_current_stop_requested (TdTest *test, gpointer user_data)
{
  TdServer *self = user_data;
  g_autofree char *message = g_strdup_printf ("the served test %u was stopped; the server's helper is restarted",
                                              td_test_get_id (test));

  log_line (self, 6, message);
  self->restarting = TRUE;
  if (self->helper != NULL)
    td_helper_stop (self->helper, STOP_GRACE_MS);
}

static void
begin_test (TdServer *self, GVariant *record)
{
  const char *address = "";
  guint32 port = 0;
  g_autofree char *peer = NULL;

  end_current (self, "failed", "the server accepted another client before this test ended");
  g_variant_lookup (record, "remote_address", "&s", &address);
  g_variant_lookup (record, "remote_port", "u", &port);
  peer = strchr (address, ':') ? g_strdup_printf ("[%s]:%u", address, port) : g_strdup_printf ("%s:%u", address, port);
  self->current = self->factory (self, address, self->factory_data);
  if (self->current == NULL)
    return;
  g_object_ref (self->current);   /* the manager holds it too */
  g_signal_connect (self->current, "stop-requested", G_CALLBACK (on_current_stop_requested), self);
  tr_dbus_server_set_peer (self->iface, peer);
  tr_dbus_server_set_current_test (self->iface, td_test_get_object_path (self->current));
  tr_dbus_server_set_tests_served (self->iface, tr_dbus_server_get_tests_served (self->iface) + 1);
  set_state (self, "busy");
  g_info ("server %u on port %u: serving %s as test %u", self->id, self->options->port, peer,
          td_test_get_id (self->current));
}

static void
on_helper_record (TdHelper *helper, const char *kind, gint64 timestamp, GVariant *record, gpointer user_data)
{
  TdServer *self = user_data;

  if (strcmp (kind, "listening") == 0)
    {
      end_current (self, "failed", "the server listened again before this test ended");
      set_state (self, "idle");
      g_signal_emit (self, signals[SIGNAL_LISTENING], 0);
    }
  else if (strcmp (kind, "accepted") == 0)
    begin_test (self, record);
  else if (strcmp (kind, "served") == 0)
    {
      const char *status = "failed";

      g_variant_lookup (record, "status", "&s", &status);
      end_current (self, status, NULL);
    }
  else if (strcmp (kind, "end") == 0)
    {
      const char *status = "failed";

      g_variant_lookup (record, "status", "&s", &status);
      g_free (self->end_status);
      self->end_status = g_strdup (status);
    }
  else if (self->current != NULL)
    td_test_handle_record (self->current, kind, timestamp, record);
  else if (strcmp (kind, "error") == 0 && self->error_kind == NULL)
    {
      const char *what = "iperf", *message = "";

      g_variant_lookup (record, "kind", "&s", &what);
      g_variant_lookup (record, "message", "&s", &message);
      self->error_kind = g_strdup (what);
      self->error_message = g_strdup (message);
    }

  if (strcmp (kind, "log") == 0)
    {
      guint level = 6;
      const char *text = "";

      g_variant_lookup (record, "level", "u", &level);
      g_variant_lookup (record, "text", "&s", &text);
      log_line (self, level, text);
    }
  rearm_stuck_timer (self);
}

static void
on_helper_log (TdHelper *helper, guint level, const char *text, gpointer user_data)
{
  TdServer *self = user_data;

  g_warning ("server %u: helper: %s", self->id, text);
  log_line (self, level, text);
}

static void
finish (TdServer *self, const char *state, TrError code, const char *message)
{
  self->ended = TRUE;
  g_clear_handle_id (&self->stuck_timer, g_source_remove);
  g_clear_handle_id (&self->sample_timer, g_source_remove);
  end_current (self, "failed", message ? message : "the server ended");
  tr_dbus_server_set_end_time (self->iface, (guint64) g_get_real_time ());
  tr_dbus_server_set_helper_pid (self->iface, 0);
  if (message != NULL && strcmp (state, "failed") == 0)
    tr_dbus_server_set_error (self->iface, g_variant_new ("(ss)", tr_error_dbus_name (code), message));
  set_state (self, state);
  if (strcmp (state, "failed") == 0)
    g_warning ("server %u on port %u failed: %s", self->id, self->options->port, message);
  else
    g_info ("server %u on port %u stopped%s%s", self->id, self->options->port,
            message ? ": " : "", message ? message : "");
  g_signal_emit (self, signals[SIGNAL_ENDED], 0);
}

static void
on_helper_exited (TdHelper *helper, gpointer user_data)
{
  TdServer *self = user_data;
  g_autofree char *how = td_helper_describe_exit (helper);
  g_autoptr(GError) error = NULL;

  drop_helper (self);
  if (self->stop_requested)
    {
      finish (self, "stopped", TR_ERROR_STOPPED, self->stop_message);
      return;
    }
  if (self->restarting)
    {
      self->restarting = FALSE;
      tr_dbus_server_set_restarts (self->iface, tr_dbus_server_get_restarts (self->iface) + 1);
      end_current (self, "failed", "the server's helper was restarted");
      set_state (self, "starting");
      if (spawn_helper (self, &error))
        return;
      finish (self, "failed", TR_ERROR_INTERNAL, error->message);
      return;
    }
  if (g_strcmp0 (self->end_status, "finished") == 0)
    finish (self, "stopped", 0, self->options->one_off ? "one-off server served its test" : NULL);
  else if (g_strcmp0 (self->error_kind, "port-in-use") == 0)
    {
      g_autofree char *message = g_strdup_printf ("port %u is in use by another program: %s",
                                                  self->options->port, self->error_message);
      finish (self, "failed", TR_ERROR_PORT_IN_USE, message);
    }
  else
    {
      g_autofree char *message = g_strdup_printf ("the server's helper ended with %s%s%s", how,
                                                  self->error_message ? ": " : "",
                                                  self->error_message ? self->error_message : "");
      finish (self, "failed", TR_ERROR_INTERNAL, message);
    }
}

static gboolean
on_sample (gpointer user_data)
{
  TdServer *self = user_data;
  double cpu;
  guint64 rss;

  if (self->helper != NULL && td_helper_sample (self->helper, &cpu, &rss))
    {
      tr_dbus_server_set_helper_cpu_percent (self->iface, cpu);
      tr_dbus_server_set_helper_rss_bytes (self->iface, rss);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
spawn_helper (TdServer *self, GError **error)
{
  g_autoptr(GVariant) config = NULL;
  GVariantDict d;

  g_variant_dict_init (&d, NULL);
  g_variant_dict_insert (&d, "role", "s", "server");
  g_variant_dict_insert_value (&d, "options", tr_server_options_to_variant (self->options));
  config = g_variant_ref_sink (g_variant_dict_end (&d));
  g_clear_pointer (&self->end_status, g_free);
  g_clear_pointer (&self->error_kind, g_free);
  g_clear_pointer (&self->error_message, g_free);

  self->helper = td_helper_new (self->runner_path, self->registry_dir);
  g_signal_connect (self->helper, "record", G_CALLBACK (on_helper_record), self);
  g_signal_connect (self->helper, "log", G_CALLBACK (on_helper_log), self);
  g_signal_connect (self->helper, "exited", G_CALLBACK (on_helper_exited), self);
  if (!td_helper_start (self->helper, config, error))
    {
      drop_helper (self);
      return FALSE;
    }
  tr_dbus_server_set_helper_pid (self->iface, (guint) td_helper_get_pid (self->helper));
  return TRUE;
}

gboolean
td_server_start (TdServer *self, const char *runner_path, const char *registry_dir, GError **error)
{
  g_autoptr(GError) local_error = NULL;

  self->runner_path = g_strdup (runner_path);
  self->registry_dir = g_strdup (registry_dir);
  if (!spawn_helper (self, &local_error))
    {
      g_autofree char *message = g_strdup_printf ("cannot start the helper %s: %s", runner_path,
                                                  local_error->message);
      finish (self, "failed", TR_ERROR_INTERNAL, message);
      g_set_error_literal (error, TR_ERROR, TR_ERROR_INTERNAL, message);
      return FALSE;
    }
  self->sample_timer = g_timeout_add_seconds (SAMPLE_PERIOD_S, on_sample, self);
  return TRUE;
}

void
td_server_stop (TdServer *self, const char *message)
{
  if (self->ended || self->stop_requested)
    return;
  self->stop_requested = TRUE;
  self->stop_message = g_strdup (message);
  log_line (self, 6, message);
  if (self->helper != NULL)
    td_helper_stop (self->helper, STOP_GRACE_MS);
  else
    finish (self, "stopped", TR_ERROR_STOPPED, message);
}

GDBusObjectSkeleton *
td_server_get_object (TdServer *self)
{
  return G_DBUS_OBJECT_SKELETON (self->object);
}

const char *
td_server_get_object_path (TdServer *self)
{
  return self->path;
}

guint
td_server_get_id (TdServer *self)
{
  return self->id;
}

guint
td_server_get_port (TdServer *self)
{
  return self->options->port;
}

guint32
td_server_get_owner (TdServer *self)
{
  return self->owner;
}

gboolean
td_server_is_ended (TdServer *self)
{
  return self->ended;
}

TdHelper *
td_server_get_helper (TdServer *self)
{
  return self->helper;
}

double
td_server_get_interval (TdServer *self)
{
  return self->options->interval;
}
