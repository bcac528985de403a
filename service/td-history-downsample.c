/* td-history-downsample.c: merging samples or rollups into points. */
#include "config.h"

#include "td-history-downsample.h"
#include "td-history-rollup.h"
#include "td-variant-wire.h"
#include "td-history-sample.h"
#include "td-history-sql.h"

#include <math.h>
#include <string.h>

/* Both queries give the same columns: first seq, samples, timestamp_us,
 * start_seconds, end_seconds, seconds, bytes, bits_per_second, min, max,
 * omitted, retransmits, cwnd_bytes, jitter_ms, lost_packets, packets,
 * lost_percent. */
static const char raw_sql[] =
  "SELECT seq, 1, timestamp_us, start_seconds, end_seconds, end_seconds - start_seconds, bytes,"
  " bits_per_second, bits_per_second, bits_per_second, omitted, retransmits, cwnd_bytes, jitter_ms,"
  " lost_packets, packets, lost_percent"
  " FROM samples WHERE test_id = ?1 AND direction = ?2 ORDER BY seq";

static const char rollup_sql[] =
  "SELECT bucket << (4 * ?3), samples, timestamp_us, start_seconds, end_seconds, seconds, bytes,"
  " bits_per_second, min_bits_per_second, max_bits_per_second, omitted, retransmits, cwnd_bytes,"
  " jitter_ms, lost_packets, packets, NULL"
  " FROM sample_rollups WHERE test_id = ?1 AND direction = ?2 AND level = ?3 ORDER BY bucket";

G_STATIC_ASSERT (TD_HISTORY_ROLLUP_FANOUT_BITS == 4);

typedef struct {
  gboolean used;
  gint64   seq;
  guint64  samples;
  gint64   timestamp;
  double   start, end, seconds;
  guint64  bytes;
  double   weighted, plain_sum;    /* sum of rate * seconds, sum of rates * samples */
  double   min, max;
  gboolean all_omitted;
  gboolean has_retransmits, has_cwnd, has_lost, has_packets, has_lost_percent;
  gint64   retransmits;
  guint64  cwnd, lost, packets;
  double   jitter_sum, lost_percent;
  guint64  jitter_n;
} Point;

static void
add_row (Point *p, sqlite3_stmt *s)
{
  guint64 n = (guint64) MAX (sqlite3_column_int64 (s, 1), 1);
  double seconds = sqlite3_column_double (s, 5);
  double rate = sqlite3_column_double (s, 7);

  if (!p->used)
    {
      memset (p, 0, sizeof *p);
      p->used = TRUE;
      p->seq = sqlite3_column_int64 (s, 0);
      p->start = sqlite3_column_double (s, 3);
      p->min = sqlite3_column_double (s, 8);
      p->max = sqlite3_column_double (s, 9);
      p->all_omitted = TRUE;
    }
  p->samples += n;
  p->timestamp = MAX (p->timestamp, sqlite3_column_int64 (s, 2));
  p->start = MIN (p->start, sqlite3_column_double (s, 3));
  p->end = MAX (p->end, sqlite3_column_double (s, 4));
  p->seconds += seconds;
  p->bytes += (guint64) MAX (sqlite3_column_int64 (s, 6), 0);
  p->weighted += rate * seconds;
  p->plain_sum += rate * (double) n;
  p->min = MIN (p->min, sqlite3_column_double (s, 8));
  p->max = MAX (p->max, sqlite3_column_double (s, 9));
  p->all_omitted = p->all_omitted && sqlite3_column_int (s, 10) != 0;
  if (sqlite3_column_type (s, 11) != SQLITE_NULL)
    {
      p->has_retransmits = TRUE;
      p->retransmits += sqlite3_column_int64 (s, 11);
    }
  if (sqlite3_column_type (s, 12) != SQLITE_NULL)
    {
      p->has_cwnd = TRUE;
      p->cwnd = MAX (p->cwnd, (guint64) sqlite3_column_int64 (s, 12));
    }
  if (sqlite3_column_type (s, 13) != SQLITE_NULL)
    {
      p->jitter_sum += sqlite3_column_double (s, 13) * (double) n;
      p->jitter_n += n;
    }
  if (sqlite3_column_type (s, 14) != SQLITE_NULL)
    {
      p->has_lost = TRUE;
      p->lost += (guint64) sqlite3_column_int64 (s, 14);
    }
  if (sqlite3_column_type (s, 15) != SQLITE_NULL)
    {
      p->has_packets = TRUE;
      p->packets += (guint64) sqlite3_column_int64 (s, 15);
    }
  if (sqlite3_column_type (s, 16) != SQLITE_NULL)
    {
      p->has_lost_percent = TRUE;
      p->lost_percent = sqlite3_column_double (s, 16);
    }
}

static void
emit (Point *p, int direction, TdAsvBuilder *b, GVariantBuilder *out)
{
  double rate = p->seconds > 0 ? p->weighted / p->seconds : p->plain_sum / (double) MAX (p->samples, 1);

  td_asv_add_string (b, "direction", td_history_direction_name (direction));
  td_asv_add_int32 (b, "stream", -1);
  td_asv_add_uint32 (b, "seq", (guint32) p->seq);
  td_asv_add_uint32 (b, "samples", (guint32) MIN (p->samples, G_MAXUINT32));
  td_asv_add_uint64 (b, "timestamp_us", (guint64) p->timestamp);
  td_asv_add_double (b, "start_seconds", p->start);
  td_asv_add_double (b, "end_seconds", p->end);
  td_asv_add_double (b, "seconds", p->seconds);
  td_asv_add_uint64 (b, "bytes", p->bytes);
  td_asv_add_double (b, "bits_per_second", p->samples == 1 ? p->min : rate);
  td_asv_add_double (b, "min_bits_per_second", p->min);
  td_asv_add_double (b, "max_bits_per_second", p->max);
  td_asv_add_boolean (b, "omitted", p->all_omitted);
  if (p->has_retransmits)
    td_asv_add_int64 (b, "retransmits", p->retransmits);
  if (p->has_cwnd)
    td_asv_add_uint64 (b, "cwnd_bytes", p->cwnd);
  if (p->jitter_n > 0)
    td_asv_add_double (b, "jitter_ms", p->jitter_sum / (double) p->jitter_n);
  if (p->has_lost)
    td_asv_add_uint64 (b, "lost_packets", p->lost);
  if (p->has_packets)
    td_asv_add_uint64 (b, "packets", p->packets);
  if (p->samples == 1 && p->has_lost_percent)
    td_asv_add_double (b, "lost_percent", p->lost_percent);
  else if (p->has_lost && p->packets > 0)
    td_asv_add_double (b, "lost_percent", 100.0 * (double) p->lost / (double) p->packets);
  g_variant_builder_add_value (out, td_asv_builder_end (b));
  p->used = FALSE;
}

gboolean
td_history_downsample (sqlite3 *db, guint test_id, int direction, guint max_points, gboolean use_rollups,
                       GVariantBuilder *out, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 n = td_history_rollup_count (db, test_id, direction);
  gint64 rows, per_point;
  int level = 0, rc;
  Point point = { FALSE, };
  g_auto(TdAsvBuilder) b = { NULL, NULL };
  gint64 current = -1;

  if (n < 0)
    {
      td_sql_set_error (error, db, sqlite3_errcode (db), "counting samples");
      return FALSE;
    }
  if (n == 0)
    return TRUE;
  max_points = MAX (max_points, 1);
  /* the finest source with at most 16 rows per point */
  if (use_rollups && n > (gint64) max_points * 16)
    for (level = 1; level < TD_HISTORY_ROLLUP_MAX_LEVEL; level++)
      if (((n + (1 << (4 * level)) - 1) >> (4 * level)) <= (gint64) max_points * 16)
        break;
  /* a level is only built while it has more than 16 buckets */
  while (level > 0 && (n >> (4 * (level + 1))) == 0)
    level--;

  rows = (n + (1 << (4 * level)) - 1) >> (4 * level);
  per_point = (rows + max_points - 1) / max_points;        /* rows per point */
  stmt = td_sql_prepare (db, level == 0 ? raw_sql : rollup_sql, error);
  if (stmt == NULL)
    return FALSE;
  td_asv_builder_init (&b);
  sqlite3_bind_int64 (stmt, 1, test_id);
  sqlite3_bind_int (stmt, 2, direction);
  if (level > 0)
    sqlite3_bind_int (stmt, 3, level);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      /* points are aligned on sample numbers, so gaps do not shift them */
      gint64 index = (sqlite3_column_int64 (stmt, 0) >> (4 * level)) / per_point;

      if (point.used && index != current)
        emit (&point, direction, &b, out);
      current = index;
      add_row (&point, stmt);
    }
  if (rc != SQLITE_DONE)
    {
      td_sql_set_error (error, db, rc, "reading samples");
      return FALSE;
    }
  if (point.used)
    emit (&point, direction, &b, out);
  return TRUE;
}
