/* td-test.c: a test's life, from helper records to D-Bus. A client test
 * owns its helper; a served test is fed the records of its server's helper
 * by TdServer. */
#include "config.h"

#include "td-test.h"
#include "td-authority.h"
#include "td-helper.h"
#include "td-proc.h"
#include "td-result.h"
#include "tr-dbus-generated.h"

#include <string.h>

#define STOP_GRACE_MS 2000
#define DEADLINE_GRACE_S 15
/* A running test whose helper prints no interval for this many intervals
 * (plus STALL_GRACE_S) is stalled: its helper hangs or is stopped. */
#define STALL_INTERVALS 3
#define STALL_GRACE_S 5
/* A running client test whose intervals keep coming but move no byte in
 * any direction for receive_timeout + STALL_GRACE_S is stuck too: the link
 * is down or the path is gone (libiperf's own receive timeout covers only
 * the receiving side, and a TCP sender just finds its socket full). */
#define TCP_DEFAULT_BLOCK 131072
#define UDP_TYPICAL_BLOCK 1460

struct _TdTest
{
  GObject              parent_instance;

  guint                id;
  char                *path;
  TrTestOptions       *options;
  guint32              owner;
  char                *sender;
  TrDBusObjectSkeleton *object;
  TrDBusTest          *iface;
  TdHelper            *helper;
  TdResult            *result;
  guint                deadline_timer;
  guint                stall_timer;
  gint64               last_progress;  /* monotonic µs of the last interval that moved bytes */
  gboolean             ended;
  gboolean             stop_requested;
  TrError              stop_reason;
  char                *stop_message;
  char                *end_status;     /* from the runner's "end" record */
  char                *error_kind;     /* from the runner's "error" record */
  char                *error_message;
  guint64              bytes_done;     /* for progress of bytes-limited tests */
  gboolean             served;         /* fed by a TdServer, no helper of its own */
  TdHelper            *server_helper;  /* served: the server's helper, for sampling */
  TdAuthority         *authority;      /* decides Stop(); NULL refuses it */
  char                *cookie;
  GVariant            *peer_result;
};

enum { SIGNAL_ENDED, SIGNAL_INTERVAL, SIGNAL_LOG, SIGNAL_RECORD, SIGNAL_STOP_REQUESTED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TdTest, td_test, G_TYPE_OBJECT)

static void
td_test_dispose (GObject *object)
{
  TdTest *self = TD_TEST (object);

  g_clear_handle_id (&self->deadline_timer, g_source_remove);
  g_clear_handle_id (&self->stall_timer, g_source_remove);
  if (self->helper != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->helper, self);
      td_helper_kill (self->helper);
      g_clear_object (&self->helper);
    }
  g_clear_object (&self->server_helper);
  g_clear_object (&self->authority);
  g_clear_object (&self->iface);
  g_clear_object (&self->object);
  G_OBJECT_CLASS (td_test_parent_class)->dispose (object);
}

static void
td_test_finalize (GObject *object)
{
  TdTest *self = TD_TEST (object);

  g_free (self->path);
  g_free (self->sender);
  g_free (self->stop_message);
  g_free (self->end_status);
  g_free (self->error_kind);
  g_free (self->error_message);
  g_free (self->cookie);
  g_clear_pointer (&self->peer_result, g_variant_unref);
  tr_test_options_free (self->options);
  td_result_free (self->result);
  G_OBJECT_CLASS (td_test_parent_class)->finalize (object);
}

static void
td_test_class_init (TdTestClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = td_test_dispose;
  object_class->finalize = td_test_finalize;
  signals[SIGNAL_ENDED] = g_signal_new ("ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* interval (a{sv}): exactly what the Interval D-Bus signal carries */
  signals[SIGNAL_INTERVAL] = g_signal_new ("interval", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_VARIANT);
  /* log (level, text): exactly what the Log D-Bus signal carries */
  signals[SIGNAL_LOG] = g_signal_new ("log", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);
  /* stop-requested: a served test was asked to stop; its server acts */
  signals[SIGNAL_STOP_REQUESTED] = g_signal_new ("stop-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                                 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* record (kind, timestamp_us, a{sv}): every record from the helper, for
   * observers that want more than the D-Bus API shows (history) */
  signals[SIGNAL_RECORD] = g_signal_new ("record", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                                         G_TYPE_STRING, G_TYPE_INT64, G_TYPE_VARIANT);
}

static void
td_test_init (TdTest *self)
{
}

static void
log_line (TdTest *self, guint level, const char *text)
{
  tr_dbus_test_emit_log (self->iface, level, text);
  g_signal_emit (self, signals[SIGNAL_LOG], 0, level, text);
}

static void
set_state (TdTest *self, const char *state)
{
  if (g_strcmp0 (tr_dbus_test_get_state (self->iface), state) == 0)
    return;
  g_debug ("test %u: %s", self->id, state);
  tr_dbus_test_set_state (self->iface, state);
}

/* ---- Stop() over D-Bus: the owner, or who polkit allows manage-others ---- */

static void
stop_allowed (gpointer target, guint32 uid, GDBusMethodInvocation *invocation)
{
  TdTest *self = target;

  if (!self->ended)
    {
      g_autofree char *message = g_strdup_printf ("stopped by uid %u", uid);
      g_info ("test %u: stop requested by uid %u", self->id, uid);
      td_test_stop (self, TR_ERROR_STOPPED, message);
    }
  tr_dbus_test_complete_stop (self->iface, invocation);
}

static gboolean
on_handle_stop (TrDBusTest *iface, GDBusMethodInvocation *invocation, gpointer user_data)
{
  TdTest *self = user_data;
  g_autofree char *what = g_strdup_printf ("test %u", self->id);

  td_authority_authorize_owner_call (self->authority, invocation, self, self->owner, what, stop_allowed);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

void
td_test_set_authority (TdTest *self, TdAuthority *authority)
{
  g_set_object (&self->authority, authority);
}

static TdTest *
test_new (guint id, TrTestOptions *options, guint32 owner_uid, const char *sender, const char *role)
{
  TdTest *self = g_object_new (TD_TYPE_TEST, NULL);
  g_autoptr(GVariant) opts = NULL;

  self->id = id;
  self->options = options;
  self->owner = owner_uid;
  self->sender = g_strdup (sender);
  self->path = g_strdup_printf (TD_TESTS_PATH "/%u", id);
  self->object = tr_dbus_object_skeleton_new (self->path);
  self->iface = tr_dbus_test_skeleton_new ();
  self->result = td_result_new (strcmp (role, "server") == 0);
  opts = g_variant_ref_sink (tr_test_options_to_variant (options));

  tr_dbus_test_set_id (self->iface, id);
  tr_dbus_test_set_state (self->iface, "pending");
  tr_dbus_test_set_role (self->iface, role);
  tr_dbus_test_set_server (self->iface, "/");
  tr_dbus_test_set_peer (self->iface, "/");
  tr_dbus_test_set_options (self->iface, opts);
  tr_dbus_test_set_owner (self->iface, owner_uid);
  tr_dbus_test_set_start_time (self->iface, (guint64) g_get_real_time ());
  tr_dbus_test_set_end_time (self->iface, 0);
  tr_dbus_test_set_progress (self->iface, options->duration == 0 && options->bytes == 0 ? -1.0 : 0.0);
  tr_dbus_test_set_result (self->iface, g_variant_new ("a{sv}", NULL));
  tr_dbus_test_set_error (self->iface, g_variant_new ("(ss)", "", ""));
  g_signal_connect (self->iface, "handle-stop", G_CALLBACK (on_handle_stop), self);
  tr_dbus_object_skeleton_set_test (self->object, self->iface);
  return self;
}

TdTest *
td_test_new (guint id, TrTestOptions *options, guint32 owner_uid, const char *sender)
{
  return test_new (id, options, owner_uid, sender, "client");
}

TdTest *
td_test_new_served (guint id, const char *server_path, TdHelper *server_helper, guint32 owner_uid,
                    const char *peer_address, guint server_port, double interval)
{
  TrTestOptions *options = g_new0 (TrTestOptions, 1);
  TdTest *self;

  /* what the client asked for is known once iperf prints "Starting Test" */
  options->host = g_strdup (peer_address);
  options->port = server_port;
  options->parallel = 1;
  options->interval = interval;
  options->duration = 0;
  options->label = g_strdup ("");
  self = test_new (id, options, owner_uid, NULL, "server");
  self->served = TRUE;
  self->server_helper = g_object_ref (server_helper);
  tr_dbus_test_set_server (self->iface, server_path);
  tr_dbus_test_set_helper_pid (self->iface, (guint) td_helper_get_pid (server_helper));
  set_state (self, "connecting");
  return self;
}

/* ---- records from the helper ---- */

static gboolean
on_stalled (gpointer user_data)
{
  TdTest *self = user_data;
  g_autofree char *message = NULL;

  self->stall_timer = 0;
  message = g_strdup_printf ("stalled: the helper reported no interval for %.0f s; stopped",
                             STALL_INTERVALS * self->options->interval + STALL_GRACE_S);
  td_test_stop (self, TR_ERROR_TIMEOUT, message);
  return G_SOURCE_REMOVE;
}

static void
rearm_stall_timer (TdTest *self)
{
  g_clear_handle_id (&self->stall_timer, g_source_remove);
  if (!self->ended && !self->stop_requested)
    self->stall_timer = g_timeout_add ((guint) ((STALL_INTERVALS * self->options->interval + STALL_GRACE_S) * 1000),
                                       on_stalled, self);
}

/* Seconds without a byte moved after which a running client test is stuck,
 * or 0 when a test may legitimately be that quiet: a rate cap so low that
 * one block takes more than half that long. */
static double
no_progress_limit (TdTest *self)
{
  double limit = self->options->receive_timeout + STALL_GRACE_S;
  double block_bits;

  if (self->served || self->helper == NULL)
    return 0;
  if (self->options->bitrate == 0)
    return limit;
  block_bits = 8.0 * (self->options->length > 0 ? self->options->length :
                      self->options->protocol == TR_PROTOCOL_UDP ? UDP_TYPICAL_BLOCK : TCP_DEFAULT_BLOCK);
  return block_bits / (double) self->options->bitrate > limit / 2 ? 0 : limit;
}

static void
check_progress (TdTest *self, guint64 bytes)
{
  double limit = no_progress_limit (self);
  gint64 now = g_get_monotonic_time ();
  g_autofree char *message = NULL;

  if (bytes > 0 || self->last_progress == 0)
    {
      self->last_progress = now;
      return;
    }
  if (limit <= 0 || now - self->last_progress < (gint64) (limit * G_USEC_PER_SEC))
    return;
  message = g_strdup_printf ("no data moved for %.0f s (receive timeout %.0f s + %d s): "
                             "the network link or the path to %s is down, or the server is gone; stopped",
                             (double) (now - self->last_progress) / G_USEC_PER_SEC,
                             self->options->receive_timeout, STALL_GRACE_S, self->options->host);
  td_test_stop (self, TR_ERROR_TIMEOUT, message);
}

static void
sample_helper (TdTest *self)
{
  TdHelper *helper = self->served ? self->server_helper : self->helper;
  double cpu;
  guint64 rss;

  if (helper != NULL && td_helper_sample (helper, &cpu, &rss))
    {
      tr_dbus_test_set_helper_cpu_percent (self->iface, cpu);
      tr_dbus_test_set_helper_rss_bytes (self->iface, rss);
    }
}

/* A served test learns its parameters from iperf's "Starting Test" line. */
static void
learn_served_options (TdTest *self, GVariant *record)
{
  const char *protocol = "tcp";
  gboolean reverse = FALSE, bidir = FALSE;
  guint32 streams = 1, duration = 0;
  guint64 bytes = 0;
  g_autoptr(GVariant) opts = NULL;

  g_variant_lookup (record, "protocol", "&s", &protocol);
  g_variant_lookup (record, "reverse", "b", &reverse);
  g_variant_lookup (record, "bidirectional", "b", &bidir);
  g_variant_lookup (record, "streams", "u", &streams);
  g_variant_lookup (record, "duration", "u", &duration);
  g_variant_lookup (record, "bytes", "t", &bytes);
  self->options->protocol = g_strcmp0 (protocol, "udp") == 0 ? TR_PROTOCOL_UDP : TR_PROTOCOL_TCP;
  self->options->direction = bidir ? TR_DIRECTION_BIDIRECTIONAL : reverse ? TR_DIRECTION_REVERSE : TR_DIRECTION_FORWARD;
  self->options->parallel = CLAMP (streams, 1, TR_OPTIONS_MAX_PARALLEL);
  self->options->duration = MIN (duration, 86400);
  self->options->bytes = bytes;
  opts = g_variant_ref_sink (tr_test_options_to_variant (self->options));
  tr_dbus_test_set_options (self->iface, opts);
  tr_dbus_test_set_progress (self->iface, duration == 0 && bytes == 0 ? -1.0 : 0.0);
}

static void
handle_interval (TdTest *self, gint64 timestamp, GVariant *record)
{
  GVariantDict d;
  const char *direction = "forward";
  double rate = 0, end = 0;
  guint64 bytes = 0;
  gboolean omitted = FALSE;

  g_variant_lookup (record, "direction", "&s", &direction);
  g_variant_lookup (record, "bits_per_second", "d", &rate);
  g_variant_lookup (record, "end", "d", &end);
  g_variant_lookup (record, "bytes", "t", &bytes);
  g_variant_lookup (record, "omitted", "b", &omitted);

  if (strcmp (direction, "reverse") == 0)
    tr_dbus_test_set_rate_reverse (self->iface, rate);
  else
    tr_dbus_test_set_rate_forward (self->iface, rate);

  if (!omitted)
    {
      if (self->options->bytes > 0)
        {
          self->bytes_done += bytes;
          tr_dbus_test_set_progress (self->iface, MIN (1.0, (double) self->bytes_done / self->options->bytes));
        }
      else if (self->options->duration > 0)
        tr_dbus_test_set_progress (self->iface, CLAMP (end / self->options->duration, 0.0, 1.0));
    }

  rearm_stall_timer (self);
  sample_helper (self);
  g_variant_dict_init (&d, record);
  g_variant_dict_insert (&d, "timestamp", "t", (guint64) timestamp);
  {
    g_autoptr(GVariant) sample = g_variant_ref_sink (g_variant_dict_end (&d));

    tr_dbus_test_emit_interval (self->iface, sample);
    g_signal_emit (self, signals[SIGNAL_INTERVAL], 0, sample);
  }
  check_progress (self, bytes);
}

static void
handle_error_record (TdTest *self, GVariant *record)
{
  const char *kind = "iperf", *message = "";

  g_variant_lookup (record, "kind", "&s", &kind);
  g_variant_lookup (record, "message", "&s", &message);
  if (self->error_kind == NULL)
    {
      self->error_kind = g_strdup (kind);
      self->error_message = g_strdup (message);
    }
  /* iperf reports the interrupt we asked for as an error: it is not one */
  log_line (self, self->stop_requested ? 6 : 3, message);
}

void
td_test_handle_record (TdTest *self, const char *kind, gint64 timestamp, GVariant *record)
{
  if (self->ended)
    return;
  td_result_add_record (self->result, kind, record);
  g_signal_emit (self, signals[SIGNAL_RECORD], 0, kind, timestamp, record);

  if (strcmp (kind, "interval") == 0)
    handle_interval (self, timestamp, record);
  else if (strcmp (kind, "log") == 0)
    {
      guint level = 6;
      const char *text = "";

      g_variant_lookup (record, "level", "u", &level);
      g_variant_lookup (record, "text", "&s", &text);
      log_line (self, level, text);
    }
  else if (strcmp (kind, "start") == 0)
    {
      if (self->served)
        learn_served_options (self, record);
      tr_dbus_test_set_running_since (self->iface, (guint64) timestamp);
      set_state (self, "running");
      self->last_progress = g_get_monotonic_time ();
      /* omitted intervals are reported too, so the first is due after one interval */
      rearm_stall_timer (self);
    }
  else if (strcmp (kind, "cookie") == 0)
    {
      const char *cookie = NULL;

      if (self->cookie == NULL && g_variant_lookup (record, "cookie", "&s", &cookie))
        self->cookie = g_strdup (cookie);
    }
  else if (strcmp (kind, "error") == 0)
    handle_error_record (self, record);
  else if (strcmp (kind, "end") == 0)
    {
      const char *status = "failed";

      g_variant_lookup (record, "status", "&s", &status);
      g_free (self->end_status);
      self->end_status = g_strdup (status);
    }
}

static void
on_helper_record (TdHelper *helper, const char *kind, gint64 timestamp, GVariant *record, gpointer user_data)
{
  td_test_handle_record (user_data, kind, timestamp, record);
}

static void
on_helper_log (TdHelper *helper, guint level, const char *text, gpointer user_data)
{
  TdTest *self = user_data;

  g_warning ("test %u: helper: %s", self->id, text);
  log_line (self, level, text);
}

static TrError
error_from_kind (const char *kind)
{
  static const struct { const char *kind; TrError code; } map[] = {
    { "connection-refused", TR_ERROR_CONNECTION_REFUSED },
    { "host-not-found",     TR_ERROR_HOST_NOT_FOUND },
    { "server-busy",        TR_ERROR_SERVER_BUSY },
    { "timeout",            TR_ERROR_TIMEOUT },
  };

  for (guint i = 0; kind != NULL && i < G_N_ELEMENTS (map); i++)
    if (strcmp (map[i].kind, kind) == 0)
      return map[i].code;
  return TR_ERROR_INTERNAL;
}

static void
publish_result (TdTest *self)
{
  g_autoptr(GVariant) built = g_variant_ref_sink (td_result_build (self->result, self->options,
                                                                    g_strcmp0 (tr_dbus_test_get_state (self->iface), "finished") != 0));
  GVariantDict d;

  g_variant_dict_init (&d, built);
  if (self->peer_result != NULL)
    g_variant_dict_insert_value (&d, "peer", self->peer_result);
  tr_dbus_test_set_result (self->iface, g_variant_dict_end (&d));
}

static void
finish (TdTest *self, const char *state, TrError code, const char *message)
{
  gboolean ok = strcmp (state, "finished") == 0;
  const char *to = self->served ? "from" : "to";

  self->ended = TRUE;
  g_clear_handle_id (&self->deadline_timer, g_source_remove);
  g_clear_handle_id (&self->stall_timer, g_source_remove);
  tr_dbus_test_set_end_time (self->iface, (guint64) g_get_real_time ());
  tr_dbus_test_set_helper_pid (self->iface, 0);
  tr_dbus_test_set_queue_position (self->iface, 0);
  if (ok)
    tr_dbus_test_set_progress (self->iface, 1.0);
  else
    tr_dbus_test_set_error (self->iface, g_variant_new ("(ss)", tr_error_dbus_name (code), message));
  set_state (self, state);
  publish_result (self);

  if (ok)
    g_info ("test %u %s %s:%u finished", self->id, to, self->options->host, self->options->port);
  else if (code == TR_ERROR_STOPPED)
    g_info ("test %u %s %s:%u %s", self->id, to, self->options->host, self->options->port, message);
  else
    g_warning ("test %u %s %s:%u failed: %s", self->id, to, self->options->host, self->options->port, message);
  g_signal_emit (self, signals[SIGNAL_ENDED], 0);
}

/* The final state from what is known: a stop request wins, then the
 * helper's own "end", then its error, then how the process ended. */
static void
conclude (TdTest *self, const char *fallback_message)
{
  if (self->ended)
    return;
  if (self->stop_requested)
    finish (self, self->stop_reason == TR_ERROR_STOPPED ? "stopped" : "failed",
            self->stop_reason, self->stop_message);
  else if (g_strcmp0 (self->end_status, "finished") == 0)
    finish (self, "finished", 0, NULL);
  else if (self->error_kind != NULL)
    finish (self, "failed", error_from_kind (self->error_kind), self->error_message);
  else
    finish (self, "failed", TR_ERROR_INTERNAL, fallback_message);
}

static void
on_helper_exited (TdHelper *helper, gpointer user_data)
{
  TdTest *self = user_data;
  g_autofree char *how = td_helper_describe_exit (helper);
  g_autofree char *message = g_strdup_printf ("the test's helper (trafficd-runner) ended with %s before the test finished", how);

  conclude (self, message);
}

void
td_test_end_served (TdTest *self, const char *status, const char *why)
{
  g_free (self->end_status);
  self->end_status = g_strdup (status);
  conclude (self, why != NULL ? why : "the server ended the test without a result");
}

void
td_test_set_queued (TdTest *self, guint position)
{
  tr_dbus_test_set_queue_position (self->iface, position);
  set_state (self, position > 0 ? "queued" : "pending");
}

void
td_test_set_port (TdTest *self, guint port)
{
  g_autoptr(GVariant) opts = NULL;

  self->options->port = port;
  opts = g_variant_ref_sink (tr_test_options_to_variant (self->options));
  tr_dbus_test_set_options (self->iface, opts);
}

void
td_test_set_peer (TdTest *self, TdTest *peer)
{
  GVariantDict d;

  tr_dbus_test_set_peer (self->iface, peer->path);
  g_clear_pointer (&self->peer_result, g_variant_unref);
  /* the peer's own result, not what it knows of us */
  g_variant_dict_init (&d, tr_dbus_test_get_result (peer->iface));
  g_variant_dict_remove (&d, "peer");
  self->peer_result = g_variant_ref_sink (g_variant_dict_end (&d));
  if (self->ended)
    publish_result (self);
}

const char *
td_test_get_cookie (TdTest *self)
{
  return self->cookie;
}

static gboolean
on_deadline (gpointer user_data)
{
  TdTest *self = user_data;
  g_autofree char *message = NULL;

  self->deadline_timer = 0;
  message = g_strdup_printf ("the test did not end within its deadline (connect timeout + omit + duration + %d s); stopped",
                             DEADLINE_GRACE_S);
  td_test_stop (self, TR_ERROR_TIMEOUT, message);
  return G_SOURCE_REMOVE;
}

static const char *const service_only_keys[] = {
  "local", "queue", "exclusive", "stop_on_disconnect", "label",
};

gboolean
td_test_start (TdTest *self, const char *runner_path, const char *registry_dir, GError **error)
{
  g_autoptr(GVariant) config = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GVariant) all_options = g_variant_ref_sink (tr_test_options_to_variant (self->options));
  GVariantDict runner_options;
  GVariantDict d;

  /* The runner gets what libiperf needs; the service-only keys stay here. */
  g_variant_dict_init (&runner_options, all_options);
  for (guint i = 0; i < G_N_ELEMENTS (service_only_keys); i++)
    g_variant_dict_remove (&runner_options, service_only_keys[i]);
  g_variant_dict_init (&d, NULL);
  g_variant_dict_insert (&d, "role", "s", "client");
  g_variant_dict_insert_value (&d, "options", g_variant_dict_end (&runner_options));
  config = g_variant_ref_sink (g_variant_dict_end (&d));

  tr_dbus_test_set_queue_position (self->iface, 0);
  self->helper = td_helper_new (runner_path, registry_dir);
  g_signal_connect (self->helper, "record", G_CALLBACK (on_helper_record), self);
  g_signal_connect (self->helper, "log", G_CALLBACK (on_helper_log), self);
  g_signal_connect (self->helper, "exited", G_CALLBACK (on_helper_exited), self);
  if (!td_helper_start (self->helper, config, &local_error))
    {
      g_autofree char *message = g_strdup_printf ("cannot start the helper %s: %s", runner_path,
                                                  local_error->message);
      finish (self, "failed", TR_ERROR_INTERNAL, message);
      g_set_error_literal (error, TR_ERROR, TR_ERROR_INTERNAL, message);
      return FALSE;
    }
  tr_dbus_test_set_helper_pid (self->iface, (guint) td_helper_get_pid (self->helper));
  set_state (self, "connecting");
  if (self->options->duration > 0)
    self->deadline_timer = g_timeout_add_seconds ((guint) self->options->connect_timeout + 1 +
                                                  self->options->omit + self->options->duration +
                                                  DEADLINE_GRACE_S,
                                                  on_deadline, self);
  return TRUE;
}

void
td_test_stop (TdTest *self, TrError reason, const char *message)
{
  if (self->ended || self->stop_requested)
    return;
  self->stop_requested = TRUE;
  self->stop_reason = reason;
  self->stop_message = g_strdup (message);
  g_clear_handle_id (&self->stall_timer, g_source_remove);
  log_line (self, 6, message);
  if (self->helper != NULL)
    td_helper_stop (self->helper, STOP_GRACE_MS);
  else if (self->served)
    g_signal_emit (self, signals[SIGNAL_STOP_REQUESTED], 0);
  else
    conclude (self, message);   /* queued or pending: nothing runs yet */
}

GDBusObjectSkeleton *
td_test_get_object (TdTest *self)
{
  return G_DBUS_OBJECT_SKELETON (self->object);
}

const char *
td_test_get_object_path (TdTest *self)
{
  return self->path;
}

guint
td_test_get_id (TdTest *self)
{
  return self->id;
}

guint32
td_test_get_owner (TdTest *self)
{
  return self->owner;
}

const char *
td_test_get_sender (TdTest *self)
{
  return self->sender;
}

gboolean
td_test_get_stop_on_disconnect (TdTest *self)
{
  return self->options->stop_on_disconnect;
}

gboolean
td_test_is_ended (TdTest *self)
{
  return self->ended;
}

const TrTestOptions *
td_test_get_options (TdTest *self)
{
  return self->options;
}

/* The D-Bus view of the test (State, Result, Error, StartTime, ...). */
TrDBusTest *
td_test_get_iface (TdTest *self)
{
  return self->iface;
}
