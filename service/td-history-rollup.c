/* td-history-rollup.c: building the sample_rollups of a test. */
#include "config.h"

#include "td-history-rollup.h"
#include "td-history-sql.h"

static const char from_samples_sql[] =
  "INSERT OR REPLACE INTO sample_rollups (test_id, direction, level, bucket, samples, timestamp_us,"
  " start_seconds, end_seconds, seconds, bytes, bits_per_second, min_bits_per_second,"
  " max_bits_per_second, omitted, retransmits, cwnd_bytes, jitter_ms, lost_packets, packets)"
  " SELECT test_id, direction, 1, seq >> 4, count(*), max(timestamp_us), min(start_seconds),"
  "  max(end_seconds), total(end_seconds - start_seconds), sum(bytes),"
  "  coalesce(total(bits_per_second * (end_seconds - start_seconds))"
  "           / nullif(total(end_seconds - start_seconds), 0), avg(bits_per_second)),"
  "  min(bits_per_second), max(bits_per_second), min(omitted), sum(retransmits), max(cwnd_bytes),"
  "  avg(jitter_ms), sum(lost_packets), sum(packets)"
  " FROM samples WHERE test_id = ?1 AND direction = ?2 GROUP BY seq >> 4";

static const char from_level_sql[] =
  "INSERT OR REPLACE INTO sample_rollups (test_id, direction, level, bucket, samples, timestamp_us,"
  " start_seconds, end_seconds, seconds, bytes, bits_per_second, min_bits_per_second,"
  " max_bits_per_second, omitted, retransmits, cwnd_bytes, jitter_ms, lost_packets, packets)"
  " SELECT test_id, direction, ?3, bucket >> 4, sum(samples), max(timestamp_us), min(start_seconds),"
  "  max(end_seconds), total(seconds), sum(bytes),"
  "  coalesce(total(bits_per_second * seconds) / nullif(total(seconds), 0), avg(bits_per_second)),"
  "  min(min_bits_per_second), max(max_bits_per_second), min(omitted), sum(retransmits),"
  "  max(cwnd_bytes), avg(jitter_ms), sum(lost_packets), sum(packets)"
  " FROM sample_rollups WHERE test_id = ?1 AND direction = ?2 AND level = ?3 - 1 GROUP BY bucket >> 4";

gint64
td_history_rollup_count (sqlite3 *db, guint test_id, int direction)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 n = -1;

  /* a bare max() over the primary key's last column is one seek; any
   * expression around it would make SQLite scan every sample */
  if (sqlite3_prepare_v2 (db, "SELECT max(seq) FROM samples WHERE test_id = ?1 AND direction = ?2",
                          -1, &stmt, NULL) != SQLITE_OK)
    return -1;
  sqlite3_bind_int64 (stmt, 1, test_id);
  sqlite3_bind_int (stmt, 2, direction);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_type (stmt, 0) == SQLITE_NULL ? 0 : sqlite3_column_int64 (stmt, 0) + 1;
  return n;
}

static int
run (sqlite3_stmt *stmt, guint test_id, int direction, int level)
{
  int rc;

  sqlite3_bind_int64 (stmt, 1, test_id);
  sqlite3_bind_int (stmt, 2, direction);
  if (level > 0)
    sqlite3_bind_int (stmt, 3, level);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int
td_history_rollup_build (sqlite3 *db, guint test_id)
{
  g_autoptr(sqlite3_stmt) clear = NULL;
  g_autoptr(sqlite3_stmt) level1 = NULL;
  g_autoptr(sqlite3_stmt) higher = NULL;
  g_autoptr(sqlite3_stmt) built = NULL;
  int rc;

  if ((rc = sqlite3_prepare_v2 (db, "DELETE FROM sample_rollups WHERE test_id = ?1", -1, &clear, NULL)) != SQLITE_OK ||
      (rc = sqlite3_prepare_v2 (db, from_samples_sql, -1, &level1, NULL)) != SQLITE_OK ||
      (rc = sqlite3_prepare_v2 (db, from_level_sql, -1, &higher, NULL)) != SQLITE_OK ||
      (rc = sqlite3_prepare_v2 (db, "UPDATE tests SET rollups_built = 1 WHERE id = ?1", -1, &built, NULL)) != SQLITE_OK)
    return rc;
  sqlite3_bind_int64 (clear, 1, test_id);
  if ((rc = sqlite3_step (clear)) != SQLITE_DONE)
    return rc;

  for (int direction = 0; direction < 2; direction++)
    {
      gint64 n = td_history_rollup_count (db, test_id, direction);

      if (n < 0)
        return sqlite3_errcode (db) != SQLITE_OK ? sqlite3_errcode (db) : SQLITE_ERROR;
      for (int level = 1; level <= TD_HISTORY_ROLLUP_MAX_LEVEL; level++)
        {
          /* only while the level has more than 16 buckets */
          if ((n >> (TD_HISTORY_ROLLUP_FANOUT_BITS * (level + 1))) == 0)
            break;
          rc = run (level == 1 ? level1 : higher, test_id, direction, level == 1 ? 0 : level);
          if (rc != SQLITE_OK)
            return rc;
        }
    }
  sqlite3_bind_int64 (built, 1, test_id);
  rc = sqlite3_step (built);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}
