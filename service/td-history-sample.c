/* td-history-sample.c: one Interval a{sv} -> rows, one row -> a{sv}. */
#include "config.h"

#include "td-history-sample.h"
#include "td-variant-wire.h"

#include <string.h>

typedef struct {
  int      direction;
  double   start, end, bps, jitter, lost_percent;
  guint64  bytes, cwnd, lost, packets, timestamp;
  gint64   retransmits;
  gint32   socket;
  gboolean omitted;
  gboolean has_cwnd, has_jitter, has_lost, has_packets, has_lost_percent, has_socket;
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

/* One pass over the dictionary, by hand (no format strings: this runs for
 * every row); unknown keys are ignored. */
static void
parse (GVariant *dict, Values *out, GVariant **streams_owned)
{
  gsize n = g_variant_n_children (dict);

  memset (out, 0, sizeof *out);
  out->retransmits = -1;
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (dict, i);
      g_autoptr(GVariant) k = g_variant_get_child_value (entry, 0);
      g_autoptr(GVariant) boxed = g_variant_get_child_value (entry, 1);
      g_autoptr(GVariant) value = g_variant_get_variant (boxed);
      const char *key = g_variant_get_string (k, NULL);

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

static void
bind_opt_int (sqlite3_stmt *stmt, int index, gboolean has, guint64 value)
{
  if (has)
    sqlite3_bind_int64 (stmt, index, (sqlite3_int64) MIN (value, (guint64) G_MAXINT64));
  else
    sqlite3_bind_null (stmt, index);
}

static void
bind_opt_double (sqlite3_stmt *stmt, int index, gboolean has, double value)
{
  if (has)
    sqlite3_bind_double (stmt, index, value);
  else
    sqlite3_bind_null (stmt, index);
}

/* The counters shared by both tables, from parameter @first on: bytes,
 * bits_per_second, omitted, retransmits, cwnd_bytes, jitter_ms,
 * lost_packets, packets, lost_percent. */
static void
bind_counters (sqlite3_stmt *stmt, int first, const Values *v)
{
  sqlite3_bind_int64 (stmt, first, (sqlite3_int64) MIN (v->bytes, (guint64) G_MAXINT64));
  sqlite3_bind_double (stmt, first + 1, v->bps);
  sqlite3_bind_int (stmt, first + 2, v->omitted);
  bind_opt_int (stmt, first + 3, v->retransmits >= 0, (guint64) MAX (v->retransmits, 0));
  bind_opt_int (stmt, first + 4, v->has_cwnd, v->cwnd);
  bind_opt_double (stmt, first + 5, v->has_jitter, v->jitter);
  bind_opt_int (stmt, first + 6, v->has_lost, v->lost);
  bind_opt_int (stmt, first + 7, v->has_packets, v->packets);
  bind_opt_double (stmt, first + 8, v->has_lost_percent, v->lost_percent);
}

static int
run (sqlite3_stmt *stmt)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int
insert_total (sqlite3_stmt *stmt, guint test_id, guint seq, const Values *v)
{
  sqlite3_bind_int64 (stmt, 1, test_id);
  sqlite3_bind_int (stmt, 2, v->direction);
  sqlite3_bind_int64 (stmt, 3, seq);
  sqlite3_bind_int64 (stmt, 4, (sqlite3_int64) MIN (v->timestamp, (guint64) G_MAXINT64));
  sqlite3_bind_double (stmt, 5, v->start);
  sqlite3_bind_double (stmt, 6, v->end);
  bind_counters (stmt, 7, v);
  return run (stmt);
}

static int
insert_stream (sqlite3_stmt *stmt, guint test_id, guint seq, int direction, int stream, const Values *v)
{
  sqlite3_bind_int64 (stmt, 1, test_id);
  sqlite3_bind_int64 (stmt, 2, seq);
  sqlite3_bind_int (stmt, 3, direction);
  sqlite3_bind_int (stmt, 4, stream);
  bind_opt_int (stmt, 5, v->has_socket, (guint64) MAX (v->socket, 0));
  bind_counters (stmt, 6, v);
  return run (stmt);
}

/* ---- the fast path: straight from the serialised bytes ---- */

typedef struct {
  Values       *values;
  const guint8 *streams;       /* aa{sv} data, when wanted */
  gsize         streams_size;
  gboolean      want_streams;
  gboolean      bad;
} Wire;

static gboolean
wire_u64 (const char *type, gsize len, const guint8 *data, gsize size, guint64 *out)
{
  if (len != 1)
    return FALSE;
  switch (type[0])
    {
    case 't': { guint64 v; if (size != 8) return FALSE; memcpy (&v, data, 8); *out = v; return TRUE; }
    case 'x': { gint64 v; if (size != 8) return FALSE; memcpy (&v, data, 8); *out = (guint64) MAX (v, 0); return TRUE; }
    case 'u': { guint32 v; if (size != 4) return FALSE; memcpy (&v, data, 4); *out = v; return TRUE; }
    case 'i': { gint32 v; if (size != 4) return FALSE; memcpy (&v, data, 4); *out = (guint64) MAX (v, 0); return TRUE; }
    default: return FALSE;
    }
}

static gboolean
wire_double (const char *type, gsize len, const guint8 *data, gsize size, double *out)
{
  guint64 u;

  if (len == 1 && type[0] == 'd' && size == 8)
    {
      memcpy (out, data, 8);
      return TRUE;
    }
  if (!wire_u64 (type, len, data, size, &u))
    return FALSE;
  *out = (double) u;
  return TRUE;
}

static gboolean
wire_is (const char *type, gsize len, const char *want)
{
  return len == strlen (want) && memcmp (type, want, len) == 0;
}

static void
on_wire_entry (const char *key, const char *type, gsize len, const guint8 *data, gsize size, gpointer user_data)
{
  Wire *w = user_data;
  Values *out = w->values;
  gboolean ok = TRUE;

  switch (key[0])
    {
    case 'b':
      if (strcmp (key, "bytes") == 0) ok = wire_u64 (type, len, data, size, &out->bytes);
      else if (strcmp (key, "bits_per_second") == 0) ok = wire_double (type, len, data, size, &out->bps);
      break;
    case 'c':
      if (strcmp (key, "cwnd_bytes") == 0) ok = out->has_cwnd = wire_u64 (type, len, data, size, &out->cwnd);
      break;
    case 'd':
      if (strcmp (key, "direction") == 0 && wire_is (type, len, "s") && size >= 1 && data[size - 1] == '\0')
        out->direction = strcmp ((const char *) data, "reverse") == 0;
      break;
    case 'e':
      if (strcmp (key, "end") == 0) ok = wire_double (type, len, data, size, &out->end);
      break;
    case 'j':
      if (strcmp (key, "jitter_ms") == 0) ok = out->has_jitter = wire_double (type, len, data, size, &out->jitter);
      break;
    case 'l':
      if (strcmp (key, "lost_packets") == 0) ok = out->has_lost = wire_u64 (type, len, data, size, &out->lost);
      else if (strcmp (key, "lost_percent") == 0)
        ok = out->has_lost_percent = wire_double (type, len, data, size, &out->lost_percent);
      break;
    case 'o':
      if (strcmp (key, "omitted") == 0 && wire_is (type, len, "b") && size == 1)
        out->omitted = data[0] != 0;
      break;
    case 'p':
      if (strcmp (key, "packets") == 0) ok = out->has_packets = wire_u64 (type, len, data, size, &out->packets);
      break;
    case 'r':
      if (strcmp (key, "retransmits") == 0 && wire_is (type, len, "x") && size == 8)
        memcpy (&out->retransmits, data, 8);
      break;
    case 's':
      if (strcmp (key, "start") == 0) ok = wire_double (type, len, data, size, &out->start);
      else if (strcmp (key, "socket") == 0 && wire_is (type, len, "i") && size == 4)
        {
          memcpy (&out->socket, data, 4);
          out->has_socket = TRUE;
        }
      else if (w->want_streams && strcmp (key, "streams") == 0 && wire_is (type, len, "aa{sv}"))
        {
          w->streams = data;
          w->streams_size = size;
        }
      break;
    case 't':
      if (strcmp (key, "timestamp") == 0) ok = wire_u64 (type, len, data, size, &out->timestamp);
      break;
    default:
      break;
    }
  if (!ok)
    w->bad = TRUE;   /* a known key with an unexpected type: let GVariant judge */
}

static gboolean
wire_values (const guint8 *data, gsize size, Values *out, Wire *w)
{
  memset (out, 0, sizeof *out);
  out->retransmits = -1;
  w->values = out;
  w->bad = FALSE;
  return td_variant_scan_asv (data, size, on_wire_entry, w) && !w->bad;
}

typedef struct {
  Values *streams;
  guint   n;
} StreamScan;

static gboolean
on_wire_stream (guint index, const guint8 *data, gsize size, gpointer user_data)
{
  StreamScan *scan = user_data;
  Wire w = { NULL, NULL, 0, FALSE, FALSE };

  if (index >= scan->n)
    return FALSE;
  return wire_values (data, size, &scan->streams[index], &w);
}

static int
insert_values (sqlite3_stmt *insert, sqlite3_stmt *insert_streams, guint test_id, guint *seqs, Values *total,
               Values *streams, guint n)
{
  guint seq = seqs[total->direction]++;
  int rc;

  rc = insert_total (insert, test_id, seq, total);
  if (rc != SQLITE_OK || n < 2)
    return rc;
  for (guint i = 0; i < n; i++)
    {
      rc = insert_stream (insert_streams, test_id, seq, total->direction, (int) i, &streams[i]);
      if (rc != SQLITE_OK)
        return rc;
    }
  return SQLITE_OK;
}

/* TRUE when the bytes could be read (*rc then says how the insert went). */
static gboolean
insert_fast (sqlite3_stmt *insert, sqlite3_stmt *insert_streams, guint test_id, guint *seqs, GVariant *sample,
             int *rc)
{
  const guint8 *data = g_variant_get_data (sample);   /* serialises a tree-form value once */
  gsize size = g_variant_get_size (sample);
  g_autofree Values *streams = NULL;
  Wire w = { NULL, NULL, 0, TRUE, FALSE };
  StreamScan scan = { NULL, 0 };
  Values total;
  gssize n = 0;

  if (data == NULL && size > 0)
    return FALSE;
  if (!wire_values (data, size, &total, &w))
    return FALSE;
  if (w.streams != NULL && (n = td_variant_array_length (w.streams, w.streams_size)) < 0)
    return FALSE;
  if (n >= 2)
    {
      scan.streams = streams = g_new (Values, n);
      scan.n = (guint) n;
      if (!td_variant_scan_array (w.streams, w.streams_size, on_wire_stream, &scan))
        return FALSE;
    }
  *rc = insert_values (insert, insert_streams, test_id, seqs, &total, streams, (guint) n);
  return TRUE;
}

int
td_history_sample_insert (sqlite3_stmt *insert, sqlite3_stmt *insert_streams, guint test_id, guint seqs[2],
                          GVariant *sample)
{
  g_autoptr(GVariant) streams = NULL;
  g_autofree Values *values = NULL;
  Values total;
  gsize n;
  int rc;

  if (insert_fast (insert, insert_streams, test_id, seqs, sample, &rc))
    return rc;

  /* the slow path, through GVariant: for data the scanner does not take */
  parse (sample, &total, &streams);
  n = streams != NULL ? g_variant_n_children (streams) : 0;
  if (n >= 2)
    {
      values = g_new (Values, n);
      for (gsize i = 0; i < n; i++)
        {
          g_autoptr(GVariant) stream = g_variant_get_child_value (streams, i);

          parse (stream, &values[i], NULL);
        }
    }
  return insert_values (insert, insert_streams, test_id, seqs, &total, values, (guint) n);
}

const char *
td_history_direction_name (int direction)
{
  return direction == 1 ? "reverse" : "forward";
}

GVariant *
td_history_sample_build (TdAsvBuilder *b, sqlite3_stmt *stmt, int first)
{
  double start = sqlite3_column_double (stmt, first + 5);
  double end = sqlite3_column_double (stmt, first + 6);

  td_asv_add_string (b, "direction", td_history_direction_name (sqlite3_column_int (stmt, first + 1)));
  td_asv_add_int32 (b, "stream", sqlite3_column_int (stmt, first));
  if (sqlite3_column_type (stmt, first + 3) != SQLITE_NULL)
    td_asv_add_int32 (b, "socket", sqlite3_column_int (stmt, first + 3));
  td_asv_add_uint32 (b, "seq", (guint32) sqlite3_column_int64 (stmt, first + 2));
  td_asv_add_uint64 (b, "timestamp_us", (guint64) sqlite3_column_int64 (stmt, first + 4));
  td_asv_add_double (b, "start_seconds", start);
  td_asv_add_double (b, "end_seconds", end);
  td_asv_add_double (b, "seconds", end - start);
  td_asv_add_uint64 (b, "bytes", (guint64) sqlite3_column_int64 (stmt, first + 7));
  td_asv_add_double (b, "bits_per_second", sqlite3_column_double (stmt, first + 8));
  td_asv_add_boolean (b, "omitted", sqlite3_column_int (stmt, first + 9) != 0);
  if (sqlite3_column_type (stmt, first + 10) != SQLITE_NULL)
    td_asv_add_int64 (b, "retransmits", sqlite3_column_int64 (stmt, first + 10));
  if (sqlite3_column_type (stmt, first + 11) != SQLITE_NULL)
    td_asv_add_uint64 (b, "cwnd_bytes", (guint64) sqlite3_column_int64 (stmt, first + 11));
  if (sqlite3_column_type (stmt, first + 12) != SQLITE_NULL)
    td_asv_add_double (b, "jitter_ms", sqlite3_column_double (stmt, first + 12));
  if (sqlite3_column_type (stmt, first + 13) != SQLITE_NULL)
    td_asv_add_uint64 (b, "lost_packets", (guint64) sqlite3_column_int64 (stmt, first + 13));
  if (sqlite3_column_type (stmt, first + 14) != SQLITE_NULL)
    td_asv_add_uint64 (b, "packets", (guint64) sqlite3_column_int64 (stmt, first + 14));
  if (sqlite3_column_type (stmt, first + 15) != SQLITE_NULL)
    td_asv_add_double (b, "lost_percent", sqlite3_column_double (stmt, first + 15));
  return td_asv_builder_end (b);
}
