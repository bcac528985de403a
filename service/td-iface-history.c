/* td-iface-history.c: interface samples, rollups and queries (SQLite). */
#include "config.h"

#include "td-iface-history.h"
#include "td-history-sql.h"
#include "tr-error.h"

#include <math.h>
#include <string.h>

struct _TdIfaceIds
{
  GHashTable *ids;        /* name -> id (GUINT_TO_POINTER) */
  sqlite3    *db;         /* whose ids they are; only compared */
  gint64      max_id;     /* max(id) and count(*) of iface_names as they */
  gint64      count;      /* should be if the ids are still right */
};

static void
ids_clear (gpointer data)
{
  TdIfaceIds *ids = data;

  g_hash_table_unref (ids->ids);
}

TdIfaceIds *
td_iface_ids_new (void)
{
  TdIfaceIds *ids = g_atomic_rc_box_new0 (TdIfaceIds);

  ids->ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return ids;
}

TdIfaceIds *
td_iface_ids_ref (TdIfaceIds *ids)
{
  return g_atomic_rc_box_acquire (ids);
}

void
td_iface_ids_unref (TdIfaceIds *ids)
{
  g_atomic_rc_box_release_full (ids, ids_clear);
}

TdIfaceTick *
td_iface_tick_new (gint64 timestamp_us)
{
  TdIfaceTick *tick = g_new0 (TdIfaceTick, 1);

  tick->timestamp_us = timestamp_us;
  tick->rows = g_array_new (FALSE, TRUE, sizeof (TdIfaceTickRow));
  tick->tests = g_array_new (FALSE, TRUE, sizeof (TdIfaceTickTest));
  return tick;
}

void
td_iface_tick_free (gpointer data)
{
  TdIfaceTick *tick = data;

  g_array_unref (tick->rows);
  g_array_unref (tick->tests);
  g_clear_pointer (&tick->ids, td_iface_ids_unref);
  g_free (tick);
}

static int
step_done (sqlite3_stmt *stmt)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    ;
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int
prepare (sqlite3 *db, const char *sql, sqlite3_stmt **stmt)
{
  return sqlite3_prepare_v2 (db, sql, -1, stmt, NULL);
}

/* The statement of @sql that an earlier tick left prepared on @db, or a
 * new one left there for the next: a tick costs no parsing. The
 * connection is the cache, so nothing outlives it: the history writer
 * finalizes what is left before it closes (td-history-writer.c). */
static int
prepare_kept (sqlite3 *db, const char *sql, sqlite3_stmt **stmt)
{
  for (sqlite3_stmt *s = sqlite3_next_stmt (db, NULL); s != NULL; s = sqlite3_next_stmt (db, s))
    if (!sqlite3_stmt_busy (s) && strcmp (sqlite3_sql (s), sql) == 0)
      {
        *stmt = s;
        return SQLITE_OK;
      }
  return sqlite3_prepare_v3 (db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL);
}

#define INSERT_SAMPLE_SQL                                                                     \
  "INSERT OR REPLACE INTO iface_samples (iface_id, timestamp_us, seconds,"                     \
  " rx_bits_per_second, tx_bits_per_second, rx_bytes, tx_bytes)"                               \
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
#define INSERT_NAME_SQL "INSERT OR IGNORE INTO iface_names (name) VALUES (?1)"
#define SELECT_NAME_SQL "SELECT id FROM iface_names WHERE name = ?1"
#define CHECK_NAMES_SQL "SELECT coalesce(max(id), 0), count(*) FROM iface_names"
#define INSERT_TEST_SAMPLE_SQL                                                                \
  "INSERT OR REPLACE INTO iface_test_samples (test_id, timestamp_us, interface, seconds,"     \
  " rx_bits_per_second, tx_bits_per_second, rx_bytes, tx_bytes)"                               \
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"

static int
prune (sqlite3 *db, gint64 now_us, gint64 samples_keep_us)
{
  g_autoptr(sqlite3_stmt) ids = NULL;
  g_autoptr(sqlite3_stmt) del_samples = NULL;
  g_autoptr(sqlite3_stmt) del_rollups = NULL;
  int rc;

  if ((rc = prepare (db, "SELECT id FROM iface_names", &ids)) != SQLITE_OK ||
      (rc = prepare (db, "DELETE FROM iface_samples WHERE iface_id = ?1 AND timestamp_us < ?2", &del_samples)) != SQLITE_OK ||
      (rc = prepare (db, "DELETE FROM iface_rollups WHERE iface_id = ?1 AND resolution = ?2 AND bucket_us < ?3",
                     &del_rollups)) != SQLITE_OK)
    return rc;
  /* per interface, so that every delete is a range of the primary key */
  while ((rc = sqlite3_step (ids)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (ids, 0);

      sqlite3_bind_int64 (del_samples, 1, id);
      sqlite3_bind_int64 (del_samples, 2, now_us - samples_keep_us);
      if ((rc = step_done (del_samples)) != SQLITE_OK)
        return rc;
      sqlite3_bind_int64 (del_rollups, 1, id);
      sqlite3_bind_int64 (del_rollups, 2, 60);
      sqlite3_bind_int64 (del_rollups, 3, now_us - TD_IFACE_MINUTES_KEEP_US);
      if ((rc = step_done (del_rollups)) != SQLITE_OK)
        return rc;
      sqlite3_bind_int64 (del_rollups, 2, 3600);
      sqlite3_bind_int64 (del_rollups, 3, now_us - TD_IFACE_HOURS_KEEP_US);
      if ((rc = step_done (del_rollups)) != SQLITE_OK)
        return rc;
    }
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Forgets the ids when iface_names is not what they say it is: names are
 * only ever added, so a change of its max(id) or count(*) that was not
 * ours means a rolled-back tick took names away (or another database). */
static int
ids_check (TdIfaceIds *ids, sqlite3 *db)
{
  sqlite3_stmt *check;
  gint64 max_id, count;
  int rc;

  if ((rc = prepare_kept (db, CHECK_NAMES_SQL, &check)) != SQLITE_OK)
    return rc;
  if ((rc = sqlite3_step (check)) != SQLITE_ROW)
    {
      sqlite3_reset (check);
      return rc == SQLITE_DONE ? SQLITE_ERROR : rc;
    }
  max_id = sqlite3_column_int64 (check, 0);
  count = sqlite3_column_int64 (check, 1);
  sqlite3_reset (check);
  if (ids->db != db || ids->max_id != max_id || ids->count != count)
    {
      g_hash_table_remove_all (ids->ids);
      ids->db = db;
      ids->max_id = max_id;
      ids->count = count;
    }
  return SQLITE_OK;
}

/* The id of @name, added to iface_names the first time; 0 on error (*rc). */
static gint64
name_id (TdIfaceIds *ids, sqlite3 *db, const char *name, int *rc)
{
  gint64 id = GPOINTER_TO_UINT (g_hash_table_lookup (ids->ids, name));
  sqlite3_stmt *insert, *select;
  gboolean added;

  if (id > 0)
    return id;
  if ((*rc = prepare_kept (db, INSERT_NAME_SQL, &insert)) != SQLITE_OK ||
      (*rc = prepare_kept (db, SELECT_NAME_SQL, &select)) != SQLITE_OK)
    return 0;
  sqlite3_bind_text (insert, 1, name, -1, SQLITE_STATIC);
  *rc = step_done (insert);
  sqlite3_clear_bindings (insert);
  if (*rc != SQLITE_OK)
    return 0;
  added = sqlite3_changes (db) > 0;
  sqlite3_bind_text (select, 1, name, -1, SQLITE_STATIC);
  if ((*rc = sqlite3_step (select)) == SQLITE_ROW)
    {
      id = sqlite3_column_int64 (select, 0);
      *rc = SQLITE_OK;
    }
  sqlite3_reset (select);
  sqlite3_clear_bindings (select);
  if (id <= 0)
    {
      *rc = *rc != SQLITE_OK && *rc != SQLITE_DONE ? *rc : SQLITE_ERROR;
      return 0;
    }
  if (added)
    {
      ids->max_id = MAX (ids->max_id, id);
      ids->count++;
    }
  if (id <= G_MAXUINT)
    g_hash_table_insert (ids->ids, g_strdup (name), GUINT_TO_POINTER ((guint) id));
  return id;
}

static int
write_row (sqlite3_stmt *insert, gint64 id, gint64 timestamp_us, const TdIfaceTickRow *row)
{
  sqlite3_bind_int64 (insert, 1, id);
  sqlite3_bind_int64 (insert, 2, timestamp_us);
  sqlite3_bind_double (insert, 3, row->seconds);
  sqlite3_bind_double (insert, 4, row->rx_bits_per_second);
  sqlite3_bind_double (insert, 5, row->tx_bits_per_second);
  sqlite3_bind_int64 (insert, 6, (gint64) MIN (row->rx_bytes, (guint64) G_MAXINT64));
  sqlite3_bind_int64 (insert, 7, (gint64) MIN (row->tx_bytes, (guint64) G_MAXINT64));
  return step_done (insert);
}

static int
write_rows (sqlite3 *db, TdIfaceIds *ids, const TdIfaceTick *tick)
{
  sqlite3_stmt *insert;
  int rc;

  if ((rc = ids_check (ids, db)) != SQLITE_OK || (rc = prepare_kept (db, INSERT_SAMPLE_SQL, &insert)) != SQLITE_OK)
    return rc;
  for (guint i = 0; i < tick->rows->len && rc == SQLITE_OK; i++)
    {
      const TdIfaceTickRow *row = &g_array_index (tick->rows, TdIfaceTickRow, i);
      gint64 id = name_id (ids, db, row->name, &rc);

      if (id > 0)
        rc = write_row (insert, id, tick->timestamp_us, row);
    }
  return rc;
}

static int
write_test_rows (sqlite3 *db, const TdIfaceTick *tick)
{
  sqlite3_stmt *insert_test;
  int rc;

  if ((rc = prepare_kept (db, INSERT_TEST_SAMPLE_SQL, &insert_test)) != SQLITE_OK)
    return rc;
  for (guint i = 0; i < tick->tests->len && rc == SQLITE_OK; i++)
    {
      const TdIfaceTickTest *t = &g_array_index (tick->tests, TdIfaceTickTest, i);
      const TdIfaceTickRow *row = &g_array_index (tick->rows, TdIfaceTickRow, t->row);

      sqlite3_bind_int64 (insert_test, 1, t->test_id);
      sqlite3_bind_int64 (insert_test, 2, tick->timestamp_us);
      sqlite3_bind_text (insert_test, 3, row->name, -1, SQLITE_STATIC);
      sqlite3_bind_double (insert_test, 4, row->seconds);
      sqlite3_bind_double (insert_test, 5, row->rx_bits_per_second);
      sqlite3_bind_double (insert_test, 6, row->tx_bits_per_second);
      sqlite3_bind_int64 (insert_test, 7, (gint64) MIN (row->rx_bytes, (guint64) G_MAXINT64));
      sqlite3_bind_int64 (insert_test, 8, (gint64) MIN (row->tx_bytes, (guint64) G_MAXINT64));
      rc = step_done (insert_test);
    }
  sqlite3_clear_bindings (insert_test);   /* the names are the tick's */
  return rc;
}

int
td_iface_history_write_tick (sqlite3 *db, gpointer data)
{
  TdIfaceTick *tick = data;
  g_autoptr(TdIfaceIds) ids = tick->ids != NULL ? td_iface_ids_ref (tick->ids) : td_iface_ids_new ();
  int rc;

  if ((rc = write_rows (db, ids, tick)) != SQLITE_OK)
    return rc;
  if (tick->tests->len > 0 && (rc = write_test_rows (db, tick)) != SQLITE_OK)
    return rc;
  if (tick->rollup_before_us > 0)
    {
      gint64 before = tick->rollup_before_us;

      if ((rc = td_iface_history_rollup (db, TD_IFACE_MINUTE_US, before - before % TD_IFACE_MINUTE_US)) != SQLITE_OK)
        return rc;
      if ((rc = td_iface_history_rollup (db, TD_IFACE_HOUR_US, before - before % TD_IFACE_HOUR_US)) != SQLITE_OK)
        return rc;
      if ((rc = prune (db, tick->timestamp_us, tick->samples_keep_us)) != SQLITE_OK)
        return rc;
    }
  return SQLITE_OK;
}

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

void
td_iface_history_summarise (double *values, guint n, double *min, double *avg, double *max, double *p95)
{
  double sum = 0;
  guint rank;

  if (n == 0)
    {
      *min = *avg = *max = *p95 = 0;
      return;
    }
  qsort (values, n, sizeof (double), compare_double);
  for (guint i = 0; i < n; i++)
    sum += values[i];
  *min = values[0];
  *max = values[n - 1];
  *avg = sum / n;
  /* nearest rank: the smallest value with at least 95% at or below it */
  rank = (guint) ceil (0.95 * n);
  *p95 = values[CLAMP (rank, 1, n) - 1];
}

typedef struct {
  GArray *rx, *tx;
  double  seconds;
  gint64  rx_bytes, tx_bytes;
  gint64  bucket;
} Bucket;

static int
flush_bucket (sqlite3_stmt *insert, gint64 id, gint64 resolution_us, Bucket *b)
{
  double rmin, ravg, rmax, rp95, tmin, tavg, tmax, tp95;
  int rc;

  if (b->rx->len == 0)
    return SQLITE_OK;
  td_iface_history_summarise ((double *) (void *) b->rx->data, b->rx->len, &rmin, &ravg, &rmax, &rp95);
  td_iface_history_summarise ((double *) (void *) b->tx->data, b->tx->len, &tmin, &tavg, &tmax, &tp95);
  sqlite3_bind_int64 (insert, 1, id);
  sqlite3_bind_int64 (insert, 2, resolution_us / G_USEC_PER_SEC);
  sqlite3_bind_int64 (insert, 3, b->bucket);
  sqlite3_bind_int64 (insert, 4, b->rx->len);
  sqlite3_bind_double (insert, 5, b->seconds);
  sqlite3_bind_double (insert, 6, rmin);
  sqlite3_bind_double (insert, 7, ravg);
  sqlite3_bind_double (insert, 8, rmax);
  sqlite3_bind_double (insert, 9, rp95);
  sqlite3_bind_double (insert, 10, tmin);
  sqlite3_bind_double (insert, 11, tavg);
  sqlite3_bind_double (insert, 12, tmax);
  sqlite3_bind_double (insert, 13, tp95);
  sqlite3_bind_int64 (insert, 14, b->rx_bytes);
  sqlite3_bind_int64 (insert, 15, b->tx_bytes);
  rc = step_done (insert);
  g_array_set_size (b->rx, 0);
  g_array_set_size (b->tx, 0);
  b->seconds = 0;
  b->rx_bytes = b->tx_bytes = 0;
  return rc;
}

int
td_iface_history_rollup (sqlite3 *db, gint64 resolution_us, gint64 before_us)
{
  g_autoptr(sqlite3_stmt) ids = NULL;
  g_autoptr(sqlite3_stmt) last = NULL;
  g_autoptr(sqlite3_stmt) samples = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autoptr(GArray) rx = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) tx = g_array_new (FALSE, FALSE, sizeof (double));
  Bucket b = { rx, tx, 0, 0, 0, 0 };
  int rc;

  if ((rc = prepare (db, "SELECT id FROM iface_names", &ids)) != SQLITE_OK ||
      (rc = prepare (db, "SELECT max(bucket_us) FROM iface_rollups WHERE iface_id = ?1 AND resolution = ?2",
                     &last)) != SQLITE_OK ||
      (rc = prepare (db, "SELECT timestamp_us, seconds, rx_bits_per_second, tx_bits_per_second, rx_bytes, tx_bytes"
                     " FROM iface_samples WHERE iface_id = ?1 AND timestamp_us >= ?2 AND timestamp_us < ?3"
                     " ORDER BY timestamp_us", &samples)) != SQLITE_OK ||
      (rc = prepare (db, "INSERT OR REPLACE INTO iface_rollups (iface_id, resolution, bucket_us, samples, seconds,"
                     " rx_min, rx_avg, rx_max, rx_p95, tx_min, tx_avg, tx_max, tx_p95, rx_bytes, tx_bytes)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                     &insert)) != SQLITE_OK)
    return rc;

  while ((rc = sqlite3_step (ids)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (ids, 0);
      gint64 from = G_MININT64;

      sqlite3_bind_int64 (last, 1, id);
      sqlite3_bind_int64 (last, 2, resolution_us / G_USEC_PER_SEC);
      if ((rc = sqlite3_step (last)) == SQLITE_ROW && sqlite3_column_type (last, 0) != SQLITE_NULL)
        from = sqlite3_column_int64 (last, 0) + resolution_us;
      sqlite3_reset (last);
      if (rc != SQLITE_ROW)
        return rc;

      sqlite3_bind_int64 (samples, 1, id);
      sqlite3_bind_int64 (samples, 2, from);
      sqlite3_bind_int64 (samples, 3, before_us);
      b.bucket = G_MININT64;
      while ((rc = sqlite3_step (samples)) == SQLITE_ROW)
        {
          gint64 ts = sqlite3_column_int64 (samples, 0);
          /* floor, also for times before 1970 (tests) */
          gint64 bucket = ts - (((ts % resolution_us) + resolution_us) % resolution_us);
          double r = sqlite3_column_double (samples, 2), t = sqlite3_column_double (samples, 3);

          if (bucket != b.bucket)
            {
              if ((rc = flush_bucket (insert, id, resolution_us, &b)) != SQLITE_OK)
                {
                  sqlite3_reset (samples);
                  return rc;
                }
              b.bucket = bucket;
            }
          g_array_append_val (b.rx, r);
          g_array_append_val (b.tx, t);
          b.seconds += sqlite3_column_double (samples, 1);
          b.rx_bytes += sqlite3_column_int64 (samples, 4);
          b.tx_bytes += sqlite3_column_int64 (samples, 5);
        }
      sqlite3_reset (samples);
      if (rc != SQLITE_DONE)
        return rc;
      if ((rc = flush_bucket (insert, id, resolution_us, &b)) != SQLITE_OK)
        return rc;
    }
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* ---- queries ---- */

typedef struct {
  gint64 start_us;
  double seconds;
  guint  samples;
  double rx_min, rx_avg, rx_max, rx_p95;
  double tx_min, tx_avg, tx_max, tx_p95;
} Point;

/* Appends the rows of @resolution (1: the samples) in [from, to) to
 * @points; returns the end of the last one (@from when none), or -1. */
static gint64
read_level (sqlite3 *db, gint64 id, guint resolution, gint64 from, gint64 to, GArray *points, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 end = from;
  int rc;

  if (resolution == 1)
    stmt = td_sql_prepare (db, "SELECT timestamp_us, seconds, rx_bits_per_second, tx_bits_per_second"
                           " FROM iface_samples WHERE iface_id = ?1 AND timestamp_us >= ?2 AND timestamp_us < ?3"
                           " ORDER BY timestamp_us", error);
  else
    stmt = td_sql_prepare (db, "SELECT bucket_us, seconds, samples, rx_min, rx_avg, rx_max, rx_p95,"
                           " tx_min, tx_avg, tx_max, tx_p95 FROM iface_rollups"
                           " WHERE iface_id = ?1 AND resolution = ?4 AND bucket_us >= ?2 AND bucket_us < ?3"
                           " ORDER BY bucket_us", error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, from);
  sqlite3_bind_int64 (stmt, 3, to);
  if (resolution != 1)
    sqlite3_bind_int64 (stmt, 4, resolution);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Point p;

      if (resolution == 1)
        {
          gint64 ts = sqlite3_column_int64 (stmt, 0);

          p.seconds = sqlite3_column_double (stmt, 1);
          p.start_us = ts - (gint64) (p.seconds * G_USEC_PER_SEC);
          p.samples = 1;
          p.rx_min = p.rx_avg = p.rx_max = p.rx_p95 = sqlite3_column_double (stmt, 2);
          p.tx_min = p.tx_avg = p.tx_max = p.tx_p95 = sqlite3_column_double (stmt, 3);
          end = ts + 1;
        }
      else
        {
          p.start_us = sqlite3_column_int64 (stmt, 0);
          p.seconds = sqlite3_column_double (stmt, 1);
          p.samples = (guint) sqlite3_column_int64 (stmt, 2);
          p.rx_min = sqlite3_column_double (stmt, 3);
          p.rx_avg = sqlite3_column_double (stmt, 4);
          p.rx_max = sqlite3_column_double (stmt, 5);
          p.rx_p95 = sqlite3_column_double (stmt, 6);
          p.tx_min = sqlite3_column_double (stmt, 7);
          p.tx_avg = sqlite3_column_double (stmt, 8);
          p.tx_max = sqlite3_column_double (stmt, 9);
          p.tx_p95 = sqlite3_column_double (stmt, 10);
          end = p.start_us + (gint64) resolution * G_USEC_PER_SEC;
        }
      g_array_append_val (points, p);
    }
  if (rc != SQLITE_DONE)
    {
      td_sql_set_error (error, db, rc, "reading the interface history");
      return -1;
    }
  return end;
}

static void
merge (Point *into, const Point *p)
{
  guint n = into->samples + p->samples;

  if (n > 0)
    {
      into->rx_avg = (into->rx_avg * into->samples + p->rx_avg * p->samples) / n;
      into->tx_avg = (into->tx_avg * into->samples + p->tx_avg * p->samples) / n;
    }
  into->rx_min = MIN (into->rx_min, p->rx_min);
  into->tx_min = MIN (into->tx_min, p->tx_min);
  into->rx_max = MAX (into->rx_max, p->rx_max);
  into->tx_max = MAX (into->tx_max, p->tx_max);
  into->rx_p95 = MAX (into->rx_p95, p->rx_p95);
  into->tx_p95 = MAX (into->tx_p95, p->tx_p95);
  into->seconds += p->seconds;
  into->samples = n;
}

/* One point as GetHistory sends it: (tdudddddddd), 88 bytes with the
 * padding GVariant puts after the u. */
typedef struct {
  guint64 timestamp_us;
  double  seconds;
  guint32 samples;
  guint32 padding;
  double  rates[8];   /* rx avg min max p95, tx avg min max p95 */
} WirePoint;

G_STATIC_ASSERT (sizeof (WirePoint) == 88);

static void
add_point (GArray *out, const Point *p)
{
  WirePoint w = {
    (guint64) MAX (p->start_us, 0), p->seconds, p->samples, 0,
    { p->rx_avg, p->rx_min, p->rx_max, p->rx_p95, p->tx_avg, p->tx_min, p->tx_max, p->tx_p95 },
  };

  g_array_append_val (out, w);
}

GVariant *
td_iface_history_query (sqlite3 *db, const char *name, gint64 since_us, gint64 until_us, guint max_points,
                        gint64 now_us, gint64 samples_keep_us, guint *resolution_s, GError **error)
{
  static const guint resolutions[] = { 3600, 60, 1 };
  g_autoptr(sqlite3_stmt) lookup = NULL;
  g_autoptr(GArray) points = g_array_new (FALSE, FALSE, sizeof (Point));
  gint64 id = -1, range = until_us - since_us, from = since_us;
  guint first = G_N_ELEMENTS (resolutions) - 1;
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (WirePoint));
  int rc;

  *resolution_s = 1;
  lookup = td_sql_prepare (db, "SELECT id FROM iface_names WHERE name = ?1", error);
  if (lookup == NULL)
    return NULL;
  sqlite3_bind_text (lookup, 1, name, -1, SQLITE_STATIC);
  rc = sqlite3_step (lookup);
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64 (lookup, 0);
  else if (rc != SQLITE_DONE)
    {
      td_sql_set_error (error, db, rc, "reading the interface history");
      return NULL;
    }
  if (id < 0 || range <= 0)
    return g_variant_new_fixed_array (G_VARIANT_TYPE (TD_IFACE_POINT_TYPE), NULL, 0, sizeof (WirePoint));

  /* the coarsest level that still gives max_points / 2 points over the
   * range and still holds its start (the finest that holds it otherwise):
   * reading 43,200 minute rows for 30 days costs ~85 ms where 720 hourly
   * ones, each with its min, max and p95, cost 2 */
  for (guint i = 0; i < G_N_ELEMENTS (resolutions); i++)
    {
      gint64 keep = resolutions[i] == 1 ? samples_keep_us
                    : resolutions[i] == 60 ? TD_IFACE_MINUTES_KEEP_US : TD_IFACE_HOURS_KEEP_US;

      /* a little slack: "the last 30 days" asked a moment ago */
      if (since_us < now_us - keep - keep / 100 && resolutions[i] != 3600)
        break;
      first = i;
      if (range / ((gint64) resolutions[i] * G_USEC_PER_SEC) >= (max_points + 1) / 2)
        break;
    }
  *resolution_s = resolutions[first];
  /* that level, then the finer ones for the time not rolled up yet;
   * the resolution reported is the coarsest that gave points */
  for (guint i = first, found = 0; i < G_N_ELEMENTS (resolutions) && from < until_us; i++)
    {
      gint64 end = read_level (db, id, resolutions[i], from, until_us, points, error);

      if (end < 0)
        return NULL;
      if (found == 0 && points->len > 0)
        {
          *resolution_s = resolutions[i];
          found = 1;
        }
      from = MAX (from, end);
    }

  if (points->len <= max_points)
    for (guint i = 0; i < points->len; i++)
      add_point (out, &g_array_index (points, Point, i));
  else
    {
      /* equal runs of consecutive points, so that peaks survive */
      for (guint k = 0; k < max_points; k++)
        {
          guint lo = (guint) ((guint64) k * points->len / max_points);
          guint hi = (guint) ((guint64) (k + 1) * points->len / max_points);
          Point p = g_array_index (points, Point, lo);

          for (guint j = lo + 1; j < hi; j++)
            merge (&p, &g_array_index (points, Point, j));
          add_point (out, &p);
        }
    }
  return g_variant_new_fixed_array (G_VARIANT_TYPE (TD_IFACE_POINT_TYPE), out->data, out->len, sizeof (WirePoint));
}
