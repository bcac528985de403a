/* td-history-sample.c: one Interval a{sv} -> rows, one row -> a{sv}. */
#include "config.h"

#include "td-history-sample.h"

#include <string.h>

typedef struct {
  int      direction;
  double   start, end, bps, jitter, lost_percent;
  guint64  bytes, cwnd, lost, packets, timestamp;
  gint64   retransmits;
  gint32   socket;
  gboolean omitted;
  gboolean has_cwnd, has_jitter, has_lost, has_packets, has_lost_percent, has_socket;
  GVariant *streams;   /* borrowed */
} Values;

static guint64
as_u64 (GVariant *v)
{
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT64)) return g_variant_get_uint64 (v);
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT32)) return g_variant_get_uint32 (v);
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_INT64)) return (guint64) MAX (g_variant_get_int64 (v), 0);
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_INT32)) return (guint64) MAX (g_variant_get_int32 (v), 0);
  return 0;
}

static double
as_double (GVariant *v)
{
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_DOUBLE))
    return g_variant_get_double (v);
  return (double) as_u64 (v);
}

/* One pass over the dictionary; unknown keys are ignored. */
static void
parse (GVariant *dict, Values *out, GVariant **streams_owned)
{
  GVariantIter iter;
  const char *key;
  GVariant *value;

  memset (out, 0, sizeof *out);
  out->retransmits = -1;
  g_variant_iter_init (&iter, dict);
  while (g_variant_iter_loop (&iter, "{&sv}", &key, &value))
    {
      switch (key[0])
        {
        case 'b':
          if (strcmp (key, "bytes") == 0) out->bytes = as_u64 (value);
          else if (strcmp (key, "bits_per_second") == 0) out->bps = as_double (value);
          break;
        case 'c':
          if (strcmp (key, "cwnd_bytes") == 0) { out->cwnd = as_u64 (value); out->has_cwnd = TRUE; }
          break;
        case 'd':
          if (strcmp (key, "direction") == 0 && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
            out->direction = strcmp (g_variant_get_string (value, NULL), "reverse") == 0;
          break;
        case 'e':
          if (strcmp (key, "end") == 0) out->end = as_double (value);
          break;
        case 'j':
          if (strcmp (key, "jitter_ms") == 0) { out->jitter = as_double (value); out->has_jitter = TRUE; }
          break;
        case 'l':
          if (strcmp (key, "lost_packets") == 0) { out->lost = as_u64 (value); out->has_lost = TRUE; }
          else if (strcmp (key, "lost_percent") == 0) { out->lost_percent = as_double (value); out->has_lost_percent = TRUE; }
          break;
        case 'o':
          if (strcmp (key, "omitted") == 0 && g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
            out->omitted = g_variant_get_boolean (value);
          break;
        case 'p':
          if (strcmp (key, "packets") == 0) { out->packets = as_u64 (value); out->has_packets = TRUE; }
          break;
        case 'r':
          if (strcmp (key, "retransmits") == 0 && g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
            out->retransmits = g_variant_get_int64 (value);
          break;
        case 's':
          if (strcmp (key, "start") == 0) out->start = as_double (value);
          else if (strcmp (key, "socket") == 0 && g_variant_is_of_type (value, G_VARIANT_TYPE_INT32))
            { out->socket = g_variant_get_int32 (value); out->has_socket = TRUE; }
          else if (streams_owned != NULL && strcmp (key, "streams") == 0 &&
                   g_variant_is_of_type (value, G_VARIANT_TYPE ("aa{sv}")))
            {
              g_clear_pointer (streams_owned, g_variant_unref);
              *streams_owned = g_variant_ref (value);
            }
          break;
        case 't':
          if (strcmp (key, "timestamp") == 0) out->timestamp = as_u64 (value);
          break;
        default:
          break;
        }
    }
}

guint
td_history_sample_rows (GVariant *sample)
{
  g_autoptr(GVariant) streams = g_variant_lookup_value (sample, "streams", G_VARIANT_TYPE ("aa{sv}"));
  gsize n = streams ? g_variant_n_children (streams) : 0;

  return 1 + (n >= 2 ? (guint) n : 0);
}

static int
insert_row (sqlite3_stmt *stmt, guint test_id, int stream, int direction, guint seq,
            guint64 timestamp, const Values *v)
{
  int rc;

  sqlite3_bind_int64 (stmt, 1, test_id);
  sqlite3_bind_int (stmt, 2, stream);
  sqlite3_bind_int (stmt, 3, direction);
  sqlite3_bind_int64 (stmt, 4, seq);
  if (v->has_socket) sqlite3_bind_int (stmt, 5, v->socket); else sqlite3_bind_null (stmt, 5);
  sqlite3_bind_int64 (stmt, 6, (sqlite3_int64) MIN (timestamp, (guint64) G_MAXINT64));
  sqlite3_bind_double (stmt, 7, v->start);
  sqlite3_bind_double (stmt, 8, v->end);
  sqlite3_bind_int64 (stmt, 9, (sqlite3_int64) MIN (v->bytes, (guint64) G_MAXINT64));
  sqlite3_bind_double (stmt, 10, v->bps);
  sqlite3_bind_int (stmt, 11, v->omitted);
  if (v->retransmits >= 0) sqlite3_bind_int64 (stmt, 12, v->retransmits); else sqlite3_bind_null (stmt, 12);
  if (v->has_cwnd) sqlite3_bind_int64 (stmt, 13, (sqlite3_int64) MIN (v->cwnd, (guint64) G_MAXINT64)); else sqlite3_bind_null (stmt, 13);
  if (v->has_jitter) sqlite3_bind_double (stmt, 14, v->jitter); else sqlite3_bind_null (stmt, 14);
  if (v->has_lost) sqlite3_bind_int64 (stmt, 15, (sqlite3_int64) MIN (v->lost, (guint64) G_MAXINT64)); else sqlite3_bind_null (stmt, 15);
  if (v->has_packets) sqlite3_bind_int64 (stmt, 16, (sqlite3_int64) MIN (v->packets, (guint64) G_MAXINT64)); else sqlite3_bind_null (stmt, 16);
  if (v->has_lost_percent) sqlite3_bind_double (stmt, 17, v->lost_percent); else sqlite3_bind_null (stmt, 17);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int
td_history_sample_insert (sqlite3_stmt *insert, guint test_id, guint seq, GVariant *sample)
{
  g_autoptr(GVariant) streams = NULL;
  Values total;
  int rc;

  parse (sample, &total, &streams);
  total.has_socket = FALSE;
  rc = insert_row (insert, test_id, -1, total.direction, seq, total.timestamp, &total);
  if (rc != SQLITE_OK || streams == NULL || g_variant_n_children (streams) < 2)
    return rc;

  for (gsize i = 0; i < g_variant_n_children (streams); i++)
    {
      g_autoptr(GVariant) stream = g_variant_get_child_value (streams, i);
      Values v;

      parse (stream, &v, NULL);
      rc = insert_row (insert, test_id, (int) i, total.direction, seq, total.timestamp, &v);
      if (rc != SQLITE_OK)
        return rc;
    }
  return SQLITE_OK;
}

const char *
td_history_direction_name (int direction)
{
  return direction == 1 ? "reverse" : "forward";
}

GVariant *
td_history_sample_to_variant (sqlite3_stmt *stmt, int first)
{
  GVariantBuilder b;
  int stream = sqlite3_column_int (stmt, first);
  double start = sqlite3_column_double (stmt, first + 5);
  double end = sqlite3_column_double (stmt, first + 6);

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "direction",
                         g_variant_new_string (td_history_direction_name (sqlite3_column_int (stmt, first + 1))));
  g_variant_builder_add (&b, "{sv}", "stream", g_variant_new_int32 (stream));
  if (sqlite3_column_type (stmt, first + 3) != SQLITE_NULL)
    g_variant_builder_add (&b, "{sv}", "socket", g_variant_new_int32 (sqlite3_column_int (stmt, first + 3)));
  g_variant_builder_add (&b, "{sv}", "seq", g_variant_new_uint32 ((guint32) sqlite3_column_int64 (stmt, first + 2)));
  g_variant_builder_add (&b, "{sv}", "timestamp_us", g_variant_new_uint64 ((guint64) sqlite3_column_int64 (stmt, first + 4)));
  g_variant_builder_add (&b, "{sv}", "start_seconds", g_variant_new_double (start));
  g_variant_builder_add (&b, "{sv}", "end_seconds", g_variant_new_double (end));
  g_variant_builder_add (&b, "{sv}", "seconds", g_variant_new_double (end - start));
  g_variant_builder_add (&b, "{sv}", "bytes", g_variant_new_uint64 ((guint64) sqlite3_column_int64 (stmt, first + 7)));
  g_variant_builder_add (&b, "{sv}", "bits_per_second", g_variant_new_double (sqlite3_column_double (stmt, first + 8)));
  g_variant_builder_add (&b, "{sv}", "omitted", g_variant_new_boolean (sqlite3_column_int (stmt, first + 9) != 0));
  if (sqlite3_column_type (stmt, first + 10) != SQLITE_NULL)
    g_variant_builder_add (&b, "{sv}", "retransmits", g_variant_new_int64 (sqlite3_column_int64 (stmt, first + 10)));
  if (sqlite3_column_type (stmt, first + 11) != SQLITE_NULL)
    g_variant_builder_add (&b, "{sv}", "cwnd_bytes", g_variant_new_uint64 ((guint64) sqlite3_column_int64 (stmt, first + 11)));
  if (sqlite3_column_type (stmt, first + 12) != SQLITE_NULL)
    g_variant_builder_add (&b, "{sv}", "jitter_ms", g_variant_new_double (sqlite3_column_double (stmt, first + 12)));
  if (sqlite3_column_type (stmt, first + 13) != SQLITE_NULL)
    g_variant_builder_add (&b, "{sv}", "lost_packets", g_variant_new_uint64 ((guint64) sqlite3_column_int64 (stmt, first + 13)));
  if (sqlite3_column_type (stmt, first + 14) != SQLITE_NULL)
    g_variant_builder_add (&b, "{sv}", "packets", g_variant_new_uint64 ((guint64) sqlite3_column_int64 (stmt, first + 14)));
  if (sqlite3_column_type (stmt, first + 15) != SQLITE_NULL)
    g_variant_builder_add (&b, "{sv}", "lost_percent", g_variant_new_double (sqlite3_column_double (stmt, first + 15)));
  return g_variant_builder_end (&b);
}
