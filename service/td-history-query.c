/* td-history-query.c: lists, one test, logs, trends. */
#include "config.h"

#include "td-history-query.h"
#include "td-history-columns.h"
#include "td-history-downsample.h"
#include "td-history-sample.h"
#include "td-history-sql.h"
#include "td-history-stats.h"
#include "tr-error.h"

#include <string.h>

/* One WHERE clause for every filter: unset parameters are NULL. */
#define FILTER_WHERE \
  " WHERE start_time_us >= :since AND start_time_us < :until" \
  " AND (:host IS NULL OR host = :host)" \
  " AND (:protocol IS NULL OR protocol = :protocol)" \
  " AND (:state IS NULL OR state = :state)" \
  " AND (:owner IS NULL OR owner_uid = :owner)" \
  " AND (:label IS NULL OR label = :label)" \
  " AND (:role IS NULL OR role = :role)"

static const char list_newest_sql[] =
  "SELECT " TD_HISTORY_TEST_SELECT_LIST " FROM tests" FILTER_WHERE
  " ORDER BY start_time_us DESC, id DESC LIMIT :limit OFFSET :offset";
static const char list_oldest_sql[] =
  "SELECT " TD_HISTORY_TEST_SELECT_LIST " FROM tests" FILTER_WHERE
  " ORDER BY start_time_us, id LIMIT :limit OFFSET :offset";
static const char count_sql[] = "SELECT count(*) FROM tests" FILTER_WHERE;
static const char trends_sql[] =
  "SELECT host, label, start_time_us, forward_receiver_bits_per_second, forward_sender_bits_per_second,"
  " reverse_receiver_bits_per_second, reverse_sender_bits_per_second FROM tests" FILTER_WHERE
  " ORDER BY start_time_us";

static void
bind_named_text (sqlite3_stmt *stmt, const char *name, const char *value)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (index > 0)
    td_sql_bind_text (stmt, index, value);
}

static void
bind_named_int (sqlite3_stmt *stmt, const char *name, gint64 value)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (index > 0)
    sqlite3_bind_int64 (stmt, index, value);
}

static void
bind_filter (sqlite3_stmt *stmt, const TdHistoryFilter *f, const char *default_state)
{
  bind_named_int (stmt, ":since", f->since);
  bind_named_int (stmt, ":until", f->until);
  bind_named_text (stmt, ":host", f->host);
  bind_named_text (stmt, ":protocol", f->protocol);
  bind_named_text (stmt, ":state", f->state ? f->state : default_state);
  if (f->has_owner)
    bind_named_int (stmt, ":owner", f->owner);
  bind_named_text (stmt, ":label", f->label);
  bind_named_text (stmt, ":role", f->role);
  bind_named_int (stmt, ":limit", f->limit > 0 ? (gint64) f->limit : -1);
  bind_named_int (stmt, ":offset", f->offset);
}

sqlite3_stmt *
td_history_query_prepare_list (sqlite3 *db, const TdHistoryFilter *f, GError **error)
{
  sqlite3_stmt *stmt = td_sql_prepare (db, f->oldest_first ? list_oldest_sql : list_newest_sql, error);

  if (stmt != NULL)
    bind_filter (stmt, f, NULL);
  return stmt;
}

static gboolean
finish_read (sqlite3 *db, int rc, const char *what, GError **error)
{
  if (rc == SQLITE_DONE)
    return TRUE;
  td_sql_set_error (error, db, rc, what);
  return FALSE;
}

GVariant *
td_history_query_list (sqlite3 *db, const TdHistoryFilter *f, GError **error)
{
  g_autoptr(TdSqlTransaction) txn = td_sql_begin (db, FALSE, error);
  g_autoptr(sqlite3_stmt) list = NULL;
  g_autoptr(sqlite3_stmt) count = NULL;
  GVariantBuilder rows;
  g_auto(TdAsvBuilder) row = { NULL, NULL };
  guint64 total = 0;
  int rc;

  if (txn == NULL || (list = td_history_query_prepare_list (db, f, error)) == NULL ||
      (count = td_sql_prepare (db, count_sql, error)) == NULL)
    return NULL;
  bind_filter (count, f, NULL);
  if ((rc = sqlite3_step (count)) == SQLITE_ROW)
    total = (guint64) sqlite3_column_int64 (count, 0);
  else
    return finish_read (db, rc, "counting tests", error), NULL;

  g_variant_builder_init (&rows, G_VARIANT_TYPE ("aa{sv}"));
  td_asv_builder_init (&row);
  while ((rc = sqlite3_step (list)) == SQLITE_ROW)
    g_variant_builder_add_value (&rows, td_history_columns_build (&row, list, 0, TD_COL_ROW, f->columns));
  if (!finish_read (db, rc, "listing tests", error) || !td_sql_commit (txn, error))
    {
      g_variant_builder_clear (&rows);
      return NULL;
    }
  return g_variant_new ("(aa{sv}u)", &rows, (guint32) MIN (total, G_MAXUINT32));
}

static gboolean
add_raw_samples (sqlite3 *db, guint id, const TdHistoryFilter *f, GVariantBuilder *out, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_auto(TdAsvBuilder) b = { NULL, NULL };
  int rc;

  if (f->streams)
    stmt = td_sql_prepare (db, TD_HISTORY_SAMPLE_TOTALS_SQL " UNION ALL " TD_HISTORY_SAMPLE_STREAMS_SQL
                           " ORDER BY 2, 3, 1 LIMIT ?2 OFFSET ?3", error);
  else
    stmt = td_sql_prepare (db, TD_HISTORY_SAMPLE_TOTALS_SQL " ORDER BY direction, seq LIMIT ?2 OFFSET ?3", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, f->limit > 0 ? (gint64) f->limit : -1);
  sqlite3_bind_int64 (stmt, 3, f->offset);
  td_asv_builder_init (&b);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_variant_builder_add_value (out, td_history_sample_build (&b, stmt, 0));
  return finish_read (db, rc, "reading samples", error);
}

GVariant *
td_history_query_test (sqlite3 *db, guint id, const TdHistoryFilter *f, GError **error)
{
  g_autoptr(TdSqlTransaction) txn = td_sql_begin (db, FALSE, error);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GVariant) row = NULL;
  GVariantBuilder samples;
  gboolean rollups = FALSE;
  int rc;

  if (txn == NULL ||
      (stmt = td_sql_prepare (db, "SELECT rollups_built, " TD_HISTORY_TEST_SELECT_LIST
                              " FROM tests WHERE id = ?1", error)) == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_NOT_FOUND, "the history has no test %u", id);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    return finish_read (db, rc, "reading a test", error), NULL;
  rollups = sqlite3_column_int (stmt, 0) != 0;
  row = g_variant_ref_sink (td_history_columns_to_variant (stmt, 1, TD_COL_ROW | TD_COL_FULL));

  g_variant_builder_init (&samples, G_VARIANT_TYPE ("aa{sv}"));
  if (f->max_points == 0)
    {
      if (!add_raw_samples (db, id, f, &samples, error))
        goto failed;
    }
  else
    for (int direction = 0; direction < 2; direction++)
      if (!td_history_downsample (db, id, direction, f->max_points, rollups, &samples, error))
        goto failed;
  if (!td_sql_commit (txn, error))
    goto failed;
  return g_variant_new ("(@a{sv}aa{sv})", row, &samples);

failed:
  g_variant_builder_clear (&samples);
  return NULL;
}

GVariant *
td_history_query_logs (sqlite3 *db, guint id, const TdHistoryFilter *f, GError **error)
{
  g_autoptr(TdSqlTransaction) txn = td_sql_begin (db, FALSE, error);
  g_autoptr(sqlite3_stmt) exists = NULL;
  g_autoptr(sqlite3_stmt) count = NULL;
  g_autoptr(sqlite3_stmt) lines = NULL;
  GVariantBuilder b;
  guint64 total = 0;
  int rc;

  if (txn == NULL ||
      (exists = td_sql_prepare (db, "SELECT 1 FROM tests WHERE id = ?1", error)) == NULL ||
      (count = td_sql_prepare (db, "SELECT count(*) FROM logs WHERE test_id = ?1", error)) == NULL ||
      (lines = td_sql_prepare (db, "SELECT timestamp_us, level, text FROM logs WHERE test_id = ?1"
                               " ORDER BY seq LIMIT ?2 OFFSET ?3", error)) == NULL)
    return NULL;
  sqlite3_bind_int64 (exists, 1, id);
  rc = sqlite3_step (exists);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_NOT_FOUND, "the history has no test %u", id);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    return finish_read (db, rc, "reading a test", error), NULL;
  sqlite3_bind_int64 (count, 1, id);
  if ((rc = sqlite3_step (count)) != SQLITE_ROW)
    return finish_read (db, rc, "counting log lines", error), NULL;
  total = (guint64) sqlite3_column_int64 (count, 0);

  sqlite3_bind_int64 (lines, 1, id);
  sqlite3_bind_int64 (lines, 2, f->limit > 0 ? (gint64) f->limit : -1);
  sqlite3_bind_int64 (lines, 3, f->offset);
  g_variant_builder_init (&b, G_VARIANT_TYPE ("a(tus)"));
  while ((rc = sqlite3_step (lines)) == SQLITE_ROW)
    {
      const char *text = td_sql_column_text (lines, 2);

      g_variant_builder_add (&b, "(tus)", (guint64) sqlite3_column_int64 (lines, 0),
                             (guint32) sqlite3_column_int (lines, 1),
                             text != NULL && g_utf8_validate (text, -1, NULL) ? text : "");
    }
  if (!finish_read (db, rc, "reading log lines", error) || !td_sql_commit (txn, error))
    {
      g_variant_builder_clear (&b);
      return NULL;
    }
  return g_variant_new ("(a(tus)u)", &b, (guint32) MIN (total, G_MAXUINT32));
}

/* ---- trends ---- */

typedef struct {
  char   *group;
  gint64  bucket;
  GArray *rates;   /* double */
} TrendBucket;

static void
trend_bucket_free (TrendBucket *t)
{
  g_free (t->group);
  g_array_unref (t->rates);
  g_free (t);
}

static guint
trend_bucket_hash (gconstpointer key)
{
  const TrendBucket *t = key;

  return g_str_hash (t->group) ^ (guint) t->bucket ^ (guint) (t->bucket >> 32);
}

static gboolean
trend_bucket_equal (gconstpointer a, gconstpointer b)
{
  const TrendBucket *x = a, *y = b;

  return x->bucket == y->bucket && strcmp (x->group, y->group) == 0;
}

static int
compare_buckets (gconstpointer a, gconstpointer b)
{
  const TrendBucket *x = *(TrendBucket *const *) a, *y = *(TrendBucket *const *) b;
  int c = strcmp (x->group, y->group);

  return c != 0 ? c : (x->bucket > y->bucket) - (x->bucket < y->bucket);
}

/* The rate of a test for trends: the receiver's (the sender's when the
 * receiver's is unknown) of the chosen direction; for "any" the forward
 * direction when it ran, else the reverse. */
static gboolean
test_rate (sqlite3_stmt *stmt, int direction, double *rate)
{
  for (int d = 0; d < 2; d++)
    {
      int dir = direction >= 0 ? direction : d;
      int col = 3 + 2 * dir;

      for (int c = col; c <= col + 1; c++)
        if (sqlite3_column_type (stmt, c) != SQLITE_NULL)
          {
            *rate = sqlite3_column_double (stmt, c);
            return TRUE;
          }
      if (direction >= 0)
        break;
    }
  return FALSE;
}

GVariant *
td_history_query_trends (sqlite3 *db, const TdHistoryFilter *f, GError **error)
{
  g_autoptr(TdSqlTransaction) txn = td_sql_begin (db, FALSE, error);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GHashTable) buckets = NULL;
  g_autoptr(GPtrArray) sorted = NULL;
  gint64 width = (gint64) f->bucket_seconds * G_USEC_PER_SEC;
  GVariantBuilder b;
  int rc;

  if (txn == NULL || (stmt = td_sql_prepare (db, trends_sql, error)) == NULL)
    return NULL;
  bind_filter (stmt, f, "finished");
  buckets = g_hash_table_new_full (trend_bucket_hash, trend_bucket_equal, (GDestroyNotify) trend_bucket_free, NULL);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *group = td_sql_column_text (stmt, f->group_by_label ? 1 : 0);
      TrendBucket probe = { (char *) group, sqlite3_column_int64 (stmt, 2) / width, NULL };
      TrendBucket *t;
      double rate;

      if (group == NULL || !test_rate (stmt, f->direction, &rate))
        continue;
      t = g_hash_table_lookup (buckets, &probe);
      if (t == NULL)
        {
          if (!g_utf8_validate (group, -1, NULL))
            continue;
          t = g_new0 (TrendBucket, 1);
          t->group = g_strdup (group);
          t->bucket = probe.bucket;
          t->rates = g_array_new (FALSE, FALSE, sizeof (double));
          g_hash_table_add (buckets, t);
        }
      g_array_append_val (t->rates, rate);
    }
  if (!finish_read (db, rc, "reading tests for trends", error) || !td_sql_commit (txn, error))
    return NULL;

  sorted = g_ptr_array_new ();
  {
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init (&iter, buckets);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      g_ptr_array_add (sorted, value);
  }
  g_ptr_array_sort (sorted, compare_buckets);
  g_variant_builder_init (&b, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < sorted->len; i++)
    {
      TrendBucket *t = g_ptr_array_index (sorted, i);
      double *v = (double *) (void *) t->rates->data;
      gsize n = t->rates->len;
      double sum = 0;
      GVariantDict d;

      td_history_sort (v, n);
      for (gsize j = 0; j < n; j++)
        sum += v[j];
      g_variant_dict_init (&d, NULL);
      g_variant_dict_insert (&d, f->group_by_label ? "label" : "host", "s", t->group);
      g_variant_dict_insert (&d, "bucket_start_us", "t", (guint64) (t->bucket * width));
      g_variant_dict_insert (&d, "bucket_end_us", "t", (guint64) ((t->bucket + 1) * width));
      g_variant_dict_insert (&d, "count", "u", (guint32) n);
      g_variant_dict_insert (&d, "median_bits_per_second", "d", td_history_quantile (v, n, 0.5));
      g_variant_dict_insert (&d, "p95_bits_per_second", "d", td_history_quantile (v, n, 0.95));
      g_variant_dict_insert (&d, "min_bits_per_second", "d", v[0]);
      g_variant_dict_insert (&d, "max_bits_per_second", "d", v[n - 1]);
      g_variant_dict_insert (&d, "mean_bits_per_second", "d", sum / (double) n);
      g_variant_builder_add_value (&b, g_variant_dict_end (&d));
    }
  return g_variant_new ("(aa{sv})", &b);
}
