/* td-iface-test-history.c: a test's interface samples (GetTestInterface). */
#include "config.h"

#include "td-iface-test-history.h"
#include "td-history-sql.h"
#include "tr-error.h"

#include <string.h>

/* One sample as the reply carries it: (tdddtt), 48 bytes, no padding. */
typedef struct {
  guint64 timestamp_us;
  double  seconds;
  double  rx_bits_per_second;
  double  tx_bits_per_second;
  guint64 rx_bytes;
  guint64 tx_bytes;
} WireSample;

G_STATIC_ASSERT (sizeof (WireSample) == 48);

static guint64
column_u64 (sqlite3_stmt *stmt, int column)
{
  return (guint64) MAX (sqlite3_column_int64 (stmt, column), 0);
}

GVariant *
td_iface_test_history_query (sqlite3 *db, guint id, GError **error)
{
  g_autoptr(TdSqlTransaction) txn = td_sql_begin (db, FALSE, error);
  g_autoptr(sqlite3_stmt) exists = NULL;
  g_autoptr(sqlite3_stmt) rows = NULL;
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (WireSample));
  g_autofree char *name = NULL;
  GVariant *samples;
  int rc;

  if (txn == NULL ||
      (exists = td_sql_prepare (db, "SELECT 1 FROM tests WHERE id = ?1", error)) == NULL ||
      (rows = td_sql_prepare (db, "SELECT interface, timestamp_us, seconds, rx_bits_per_second,"
                              " tx_bits_per_second, rx_bytes, tx_bytes FROM iface_test_samples"
                              " WHERE test_id = ?1 ORDER BY timestamp_us", error)) == NULL)
    return NULL;
  sqlite3_bind_int64 (exists, 1, id);
  rc = sqlite3_step (exists);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_NOT_FOUND, "the history has no test %u", id);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      td_sql_set_error (error, db, rc, "reading a test");
      return NULL;
    }

  sqlite3_bind_int64 (rows, 1, id);
  while ((rc = sqlite3_step (rows)) == SQLITE_ROW)
    {
      const char *interface = td_sql_column_text (rows, 0);
      WireSample s;

      if (interface == NULL || !g_utf8_validate (interface, -1, NULL))
        continue;
      /* a test is tied to the interface of its route when it connected */
      if (name == NULL)
        name = g_strdup (interface);
      else if (strcmp (name, interface) != 0)
        continue;
      s.timestamp_us = column_u64 (rows, 1);
      s.seconds = sqlite3_column_double (rows, 2);
      s.rx_bits_per_second = sqlite3_column_double (rows, 3);
      s.tx_bits_per_second = sqlite3_column_double (rows, 4);
      s.rx_bytes = column_u64 (rows, 5);
      s.tx_bytes = column_u64 (rows, 6);
      g_array_append_val (out, s);
    }
  if (rc != SQLITE_DONE)
    {
      td_sql_set_error (error, db, rc, "reading the test's interface samples");
      return NULL;
    }
  if (!td_sql_commit (txn, error))
    return NULL;
  samples = g_variant_new_fixed_array (G_VARIANT_TYPE (TD_IFACE_TEST_SAMPLE_TYPE), out->data, out->len,
                                       sizeof (WireSample));
  return g_variant_new ("(s@a" TD_IFACE_TEST_SAMPLE_TYPE ")", name ? name : "", samples);
}
