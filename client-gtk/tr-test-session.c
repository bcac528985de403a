/* tr-test-session.c: see tr-test-session.h. */
#include "config.h"

#include "tr-test-session.h"

#include <glib/gi18n.h>
#include <math.h>

#include "tc-test-watch.h"
#include "tr-format.h"

#define COLOR_FORWARD 0x1c71d8
#define COLOR_REVERSE 0xe66100
#define MAX_LOG_LINES 5000

static const guint32 stream_colors[] = {
  0x62a0ea, 0xffa348, 0x26a269, 0x9141ac, 0xc01c28, 0x865e3c, 0x1a5fb4, 0xf5c211,
};

typedef struct {
  guint8   direction;   /* TrDirection */
  gint32   socket;      /* -1 for the whole direction */
  gboolean omitted;
  double   start, end;
  guint64  bytes;
  double   bits_per_second;
  gint64   retransmits;
  double   jitter_ms;
  gint64   lost_packets;
  gint64   packets;
} Row;

struct _TrTestSession
{
  GObject           parent_instance;

  TcTestWatch      *watch;
  TrPlot           *plot;
  guint             series[TR_N_DIRECTIONS];
  GHashTable       *stream_series;    /* "d:socket" -> series index + 1 */
  gboolean          show_streams;
  TrDirectionStats  stats[TR_N_DIRECTIONS];
  double            sum_bps[TR_N_DIRECTIONS];
  GArray           *rows;             /* Row */
  GPtrArray        *log;              /* char* */
};

enum {
  SIGNAL_UPDATED,
  SIGNAL_LOG,
  SIGNAL_ENDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_TYPE (TrTestSession, tr_test_session, G_TYPE_OBJECT)

static double
lookup_double (GVariant *dict, const char *key, double fallback)
{
  double d;
  if (g_variant_lookup (dict, key, "d", &d))
    return d;
  return fallback;
}

static gint64
lookup_int (GVariant *dict, const char *key, gint64 fallback)
{
  g_autoptr(GVariant) v = g_variant_lookup_value (dict, key, NULL);

  if (v == NULL)
    return fallback;
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_INT64))
    return g_variant_get_int64 (v);
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT64))
    return (gint64) MIN (g_variant_get_uint64 (v), (guint64) G_MAXINT64);
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_INT32))
    return g_variant_get_int32 (v);
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT32))
    return g_variant_get_uint32 (v);
  return fallback;
}

static guint
stream_series_for (TrTestSession *self,
                   TrDirection    direction,
                   gint32         socket)
{
  g_autofree char *key = g_strdup_printf ("%d:%d", direction, socket);
  gpointer value = g_hash_table_lookup (self->stream_series, key);
  g_autofree char *label = NULL;
  guint index;

  if (value != NULL)
    return GPOINTER_TO_UINT (value) - 1;
  /* TRANSLATORS: a graph legend: direction and iperf's socket number */
  label = g_strdup_printf (direction == TR_DIRECTION_FORWARD ? _("fwd #%d") : _("rev #%d"), socket);
  index = tr_plot_add_series (self->plot, label,
                              stream_colors[g_hash_table_size (self->stream_series) % G_N_ELEMENTS (stream_colors)]);
  tr_plot_series_set_dashed (self->plot, index, TRUE);
  tr_plot_series_set_visible (self->plot, index, self->show_streams);
  g_hash_table_insert (self->stream_series, g_steal_pointer (&key), GUINT_TO_POINTER (index + 1));
  return index;
}

static void
add_row (TrTestSession *self,
         TrDirection    direction,
         gint32         socket,
         gboolean       omitted,
         GVariant      *sample)
{
  Row row = { 0 };

  row.direction = direction;
  row.socket = socket;
  row.omitted = omitted;
  row.start = lookup_double (sample, "start", 0);
  row.end = lookup_double (sample, "end", 0);
  row.bytes = (guint64) MAX (lookup_int (sample, "bytes", 0), 0);
  row.bits_per_second = lookup_double (sample, "bits_per_second", 0);
  row.retransmits = lookup_int (sample, "retransmits", -1);
  row.jitter_ms = lookup_double (sample, "jitter_ms", -1);
  row.lost_packets = lookup_int (sample, "lost_packets", -1);
  row.packets = lookup_int (sample, "packets", -1);
  g_array_append_val (self->rows, row);
}

static void
on_interval (TcTestWatch   *watch,
             GVariant      *sample,
             TrTestSession *self)
{
  const char *dir_text = NULL;
  TrDirection direction;
  TrDirectionStats *st;
  gboolean omitted = FALSE;
  double end, bps, jitter;
  gint64 retr, lost, packets;
  g_autoptr(GVariant) streams = NULL;

  if (!g_variant_lookup (sample, "direction", "&s", &dir_text))
    return;
  direction = g_str_equal (dir_text, "reverse") ? TR_DIRECTION_REVERSE : TR_DIRECTION_FORWARD;
  g_variant_lookup (sample, "omitted", "b", &omitted);
  end = lookup_double (sample, "end", 0);
  bps = lookup_double (sample, "bits_per_second", 0);

  add_row (self, direction, -1, omitted, sample);
  /* the first interval also marks where it began, so the line starts there */
  if (tr_plot_series_get_n_points (self->plot, self->series[direction]) == 0)
    tr_plot_append (self->plot, self->series[direction], lookup_double (sample, "start", 0), bps);
  tr_plot_append (self->plot, self->series[direction], end, bps);

  streams = g_variant_lookup_value (sample, "streams", G_VARIANT_TYPE ("aa{sv}"));
  if (streams != NULL && g_variant_n_children (streams) > 1)
    {
      for (gsize i = 0; i < g_variant_n_children (streams); i++)
        {
          g_autoptr(GVariant) stream = g_variant_get_child_value (streams, i);
          gint32 socket = (gint32) lookup_int (stream, "socket", (gint64) i);

          add_row (self, direction, socket, omitted, stream);
          tr_plot_append (self->plot, stream_series_for (self, direction, socket),
                          lookup_double (stream, "end", end),
                          lookup_double (stream, "bits_per_second", 0));
        }
    }

  st = &self->stats[direction];
  st->current = bps;
  if (!omitted)
    {
      st->n_intervals++;
      self->sum_bps[direction] += bps;
      st->average = self->sum_bps[direction] / st->n_intervals;
      st->max = MAX (st->max, bps);
    }
  retr = lookup_int (sample, "retransmits", -1);
  if (retr >= 0)
    st->retransmits = MAX (st->retransmits, 0) + retr;
  jitter = lookup_double (sample, "jitter_ms", -1);
  if (jitter >= 0)
    st->jitter_ms = jitter;
  lost = lookup_int (sample, "lost_packets", -1);
  packets = lookup_int (sample, "packets", -1);
  if (lost >= 0 && jitter >= 0)
    {
      st->has_loss = TRUE;
      st->lost_packets += lost;
      st->packets += MAX (packets, 0);
    }
  g_signal_emit (self, signals[SIGNAL_UPDATED], 0);
}

static void
on_log (TcTestWatch   *watch,
        guint          level,
        const char    *text,
        TrTestSession *self)
{
  if (self->log->len >= MAX_LOG_LINES)
    g_ptr_array_remove_index (self->log, 0);
  g_ptr_array_add (self->log, g_strdup (text));
  g_signal_emit (self, signals[SIGNAL_LOG], 0, level, text);
}

static void
apply_options (TrTestSession *self)
{
  double duration = tr_test_session_get_duration (self);

  if (duration > 0)
    {
      tr_plot_set_x_extent (self->plot, duration);
      tr_plot_set_x_span (self->plot, 0);
    }
  else
    tr_plot_set_x_span (self->plot, 60);
}

static void
on_properties_changed (TcTestWatch   *watch,
                       GVariant      *changed,
                       TrTestSession *self)
{
  g_autoptr(GVariant) options = g_variant_lookup_value (changed, "Options", NULL);

  if (options != NULL)
    apply_options (self);
  g_signal_emit (self, signals[SIGNAL_UPDATED], 0);
}

static void
on_state_changed (TcTestWatch   *watch,
                  const char    *state,
                  TrTestSession *self)
{
  apply_options (self);
  g_signal_emit (self, signals[SIGNAL_UPDATED], 0);
}

static void
on_ended (TcTestWatch   *watch,
          const char    *state,
          TrTestSession *self)
{
  g_signal_emit (self, signals[SIGNAL_UPDATED], 0);
  g_signal_emit (self, signals[SIGNAL_ENDED], 0, state);
}

/* --- public --------------------------------------------------------------------- */

TrTestSession *
tr_test_session_new (TcClient  *client,
                     GError   **error)
{
  g_autoptr(TcTestWatch) watch = NULL;
  TrTestSession *self;

  watch = tc_test_watch_new (client, error);
  if (watch == NULL)
    return NULL;
  self = g_object_new (TR_TYPE_TEST_SESSION, NULL);
  self->watch = g_steal_pointer (&watch);
  g_signal_connect_object (self->watch, "interval", G_CALLBACK (on_interval), self, 0);
  g_signal_connect_object (self->watch, "log", G_CALLBACK (on_log), self, 0);
  g_signal_connect_object (self->watch, "properties-changed", G_CALLBACK (on_properties_changed), self, 0);
  g_signal_connect_object (self->watch, "state-changed", G_CALLBACK (on_state_changed), self, 0);
  g_signal_connect_object (self->watch, "ended", G_CALLBACK (on_ended), self, 0);
  return self;
}

void
tr_test_session_set_path (TrTestSession *self,
                          const char    *path)
{
  g_return_if_fail (TR_IS_TEST_SESSION (self));
  tc_test_watch_set_path (self->watch, path);
}

const char *
tr_test_session_get_path (TrTestSession *self)
{
  g_return_val_if_fail (TR_IS_TEST_SESSION (self), NULL);
  return tc_test_watch_get_path (self->watch);
}

guint
tr_test_session_get_id (TrTestSession *self)
{
  g_return_val_if_fail (TR_IS_TEST_SESSION (self), 0);
  return tc_client_test_id_from_path (tc_test_watch_get_path (self->watch));
}

TrPlot *
tr_test_session_get_plot (TrTestSession *self)
{
  g_return_val_if_fail (TR_IS_TEST_SESSION (self), NULL);
  return self->plot;
}

const char *
tr_test_session_get_state (TrTestSession *self)
{
  g_return_val_if_fail (TR_IS_TEST_SESSION (self), "");
  return tc_test_watch_get_state (self->watch);
}

gboolean
tr_test_session_is_ended (TrTestSession *self)
{
  g_return_val_if_fail (TR_IS_TEST_SESSION (self), TRUE);
  return tc_test_watch_is_ended (self->watch);
}

const GError *
tr_test_session_get_watch_error (TrTestSession *self)
{
  g_return_val_if_fail (TR_IS_TEST_SESSION (self), NULL);
  return tc_test_watch_get_error (self->watch);
}

GVariant *
tr_test_session_dup_property (TrTestSession *self,
                              const char    *name)
{
  g_return_val_if_fail (TR_IS_TEST_SESSION (self), NULL);
  return tc_test_watch_dup_property (self->watch, name);
}

const TrDirectionStats *
tr_test_session_get_stats (TrTestSession *self,
                           TrDirection    direction)
{
  g_return_val_if_fail (TR_IS_TEST_SESSION (self), NULL);
  g_return_val_if_fail (direction < TR_N_DIRECTIONS, NULL);
  return &self->stats[direction];
}

double
tr_test_session_get_duration (TrTestSession *self)
{
  g_autoptr(GVariant) options = tr_test_session_dup_property (self, "Options");

  if (options == NULL || lookup_int (options, "bytes", 0) > 0)
    return 0;
  return (double) MAX (lookup_int (options, "duration", 0), 0);
}

double
tr_test_session_get_elapsed (TrTestSession *self)
{
  g_autoptr(GVariant) since = tr_test_session_dup_property (self, "RunningSince");
  g_autoptr(GVariant) end = tr_test_session_dup_property (self, "EndTime");
  guint64 t0 = since != NULL ? g_variant_get_uint64 (since) : 0;
  guint64 t1 = end != NULL ? g_variant_get_uint64 (end) : 0;

  if (t0 == 0)
    return 0;
  if (t1 == 0)
    t1 = (guint64) g_get_real_time ();
  return t1 > t0 ? (t1 - t0) / 1e6 : 0;
}

const char *
tr_test_session_get_protocol (TrTestSession *self)
{
  g_autoptr(GVariant) options = tr_test_session_dup_property (self, "Options");
  const char *protocol = NULL;

  if (options == NULL || !g_variant_lookup (options, "protocol", "&s", &protocol))
    return "";
  return g_intern_string (protocol);
}

char *
tr_test_session_describe (TrTestSession *self)
{
  g_autoptr(GVariant) options = tr_test_session_dup_property (self, "Options");
  const char *host = "?", *protocol = "tcp", *direction = "forward";
  const char *dir_text;
  gint64 port, parallel;

  if (options == NULL)
    return g_strdup (_("Waiting for the test’s options…"));
  g_variant_lookup (options, "host", "&s", &host);
  g_variant_lookup (options, "protocol", "&s", &protocol);
  g_variant_lookup (options, "direction", "&s", &direction);
  port = lookup_int (options, "port", 5201);
  parallel = lookup_int (options, "parallel", 1);
  if (g_str_equal (direction, "reverse"))
    dir_text = _("reverse");
  else if (g_str_equal (direction, "bidirectional"))
    dir_text = _("both directions");
  else
    dir_text = _("forward");
  /* TRANSLATORS: host:port, protocol, number of streams, direction */
  return g_strdup_printf (g_dngettext (NULL, "%s:%u, %s, %u stream, %s", "%s:%u, %s, %u streams, %s",
                                       (gulong) parallel),
                          host, (guint) port, g_str_equal (protocol, "udp") ? "UDP" : "TCP",
                          (guint) parallel, dir_text);
}

void
tr_test_session_set_show_streams (TrTestSession *self,
                                  gboolean       show)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (TR_IS_TEST_SESSION (self));
  self->show_streams = !!show;
  g_hash_table_iter_init (&iter, self->stream_series);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    tr_plot_series_set_visible (self->plot, GPOINTER_TO_UINT (value) - 1, self->show_streams);
}

gboolean
tr_test_session_get_show_streams (TrTestSession *self)
{
  g_return_val_if_fail (TR_IS_TEST_SESSION (self), FALSE);
  return self->show_streams;
}

guint
tr_test_session_get_n_intervals (TrTestSession *self)
{
  g_return_val_if_fail (TR_IS_TEST_SESSION (self), 0);
  return self->stats[0].n_intervals + self->stats[1].n_intervals;
}

GPtrArray *
tr_test_session_get_log (TrTestSession *self)
{
  g_return_val_if_fail (TR_IS_TEST_SESSION (self), NULL);
  return self->log;
}

static void
csv_number (GString *out, double v, gboolean valid)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_c (out, ',');
  if (valid)
    g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.6g", v));
}

static void
csv_int (GString *out, gint64 v, gboolean valid)
{
  g_string_append_c (out, ',');
  if (valid)
    g_string_append_printf (out, "%" G_GINT64_FORMAT, v);
}

char *
tr_test_session_to_csv (TrTestSession *self)
{
  GString *out = g_string_new (NULL);
  guint id = tr_test_session_get_id (self);

  g_string_append (out, "test_id,direction,stream_socket,start_seconds,end_seconds,omitted,"
                        "bytes,bits_per_second,retransmits,jitter_ms,lost_packets,packets\r\n");
  for (guint i = 0; i < self->rows->len; i++)
    {
      const Row *r = &g_array_index (self->rows, Row, i);

      g_string_append_printf (out, "%u,%s", id, r->direction == TR_DIRECTION_REVERSE ? "reverse" : "forward");
      csv_int (out, r->socket, r->socket >= 0);
      csv_number (out, r->start, TRUE);
      csv_number (out, r->end, TRUE);
      g_string_append (out, r->omitted ? ",true" : ",false");
      csv_int (out, (gint64) r->bytes, TRUE);
      csv_number (out, r->bits_per_second, TRUE);
      csv_int (out, r->retransmits, r->retransmits >= 0);
      csv_number (out, r->jitter_ms, r->jitter_ms >= 0);
      csv_int (out, r->lost_packets, r->lost_packets >= 0 && r->jitter_ms >= 0);
      csv_int (out, r->packets, r->packets >= 0);
      g_string_append (out, "\r\n");
    }
  return g_string_free (out, FALSE);
}

gboolean
tr_test_session_write_csv (TrTestSession  *self,
                           const char     *path,
                           GError        **error)
{
  g_autofree char *csv = tr_test_session_to_csv (self);

  return g_file_set_contents (path, csv, -1, error);
}

/* --- GObject -------------------------------------------------------------------- */

static void
tr_test_session_dispose (GObject *object)
{
  TrTestSession *self = TR_TEST_SESSION (object);

  g_clear_object (&self->watch);
  G_OBJECT_CLASS (tr_test_session_parent_class)->dispose (object);
}

static void
tr_test_session_finalize (GObject *object)
{
  TrTestSession *self = TR_TEST_SESSION (object);

  g_clear_object (&self->plot);
  g_hash_table_unref (self->stream_series);
  g_array_unref (self->rows);
  g_ptr_array_unref (self->log);
  G_OBJECT_CLASS (tr_test_session_parent_class)->finalize (object);
}

static void
tr_test_session_class_init (TrTestSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tr_test_session_dispose;
  object_class->finalize = tr_test_session_finalize;

  signals[SIGNAL_UPDATED] =
    g_signal_new ("updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_LOG] =
    g_signal_new ("log", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);
  signals[SIGNAL_ENDED] =
    g_signal_new ("ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
tr_test_session_init (TrTestSession *self)
{
  self->plot = tr_plot_new ();
  self->series[TR_DIRECTION_FORWARD] = tr_plot_add_series (self->plot, _("Forward"), COLOR_FORWARD);
  self->series[TR_DIRECTION_REVERSE] = tr_plot_add_series (self->plot, _("Reverse"), COLOR_REVERSE);
  tr_plot_set_empty_text (self->plot, _("Waiting for the first interval…"));
  self->stream_series = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->rows = g_array_new (FALSE, TRUE, sizeof (Row));
  self->log = g_ptr_array_new_with_free_func (g_free);
  for (guint d = 0; d < TR_N_DIRECTIONS; d++)
    {
      self->stats[d].retransmits = -1;
      self->stats[d].jitter_ms = -1;
    }
}
