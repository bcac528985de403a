/* test-iface.c: interface monitoring without a network: rollups (min, avg,
 * max, p95 per bucket) from known samples, queries that keep the peaks, a
 * test's interface samples (GetTestInterface), object path escaping, rates
 * and counter resets. */
#include "config.h"

#include "td-history-schema.h"
#include "td-iface.h"
#include "td-iface-history.h"
#include "td-iface-test-history.h"
#include "tr-error.h"

#include <sqlite3.h>
#include <string.h>

#define SEC G_GINT64_CONSTANT (1000000)
#define BASE_US (G_GINT64_CONSTANT (1700000000) * SEC / TD_IFACE_HOUR_US * TD_IFACE_HOUR_US)

static sqlite3 *
open_db (void)
{
  sqlite3 *db = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  g_assert_true (td_history_schema_migrate (db, 0, &error));
  g_assert_no_error (error);
  return db;
}

/* @n samples of @name, one a second from @start: rx = i, tx = 1000 - i. */
static void
insert_samples (sqlite3 *db, const char *name, gint64 start, guint n)
{
  g_assert_cmpint (sqlite3_exec (db, "BEGIN", NULL, NULL, NULL), ==, SQLITE_OK);
  for (guint i = 0; i < n; i++)
    {
      TdIfaceTick *tick = td_iface_tick_new (start + (gint64) i * SEC);
      TdIfaceTickRow row = { { 0 } };

      g_strlcpy (row.name, name, sizeof row.name);
      row.seconds = 1;
      row.rx_bits_per_second = i % 60;
      row.tx_bits_per_second = 1000 - (double) (i % 60);
      row.rx_bytes = i;
      row.tx_bytes = 2 * i;
      g_array_append_val (tick->rows, row);
      g_assert_cmpint (td_iface_history_write_tick (db, tick), ==, SQLITE_OK);
      td_iface_tick_free (tick);
    }
  g_assert_cmpint (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
}

static void
test_summarise (void)
{
  double v[20], min, avg, max, p95;

  for (guint i = 0; i < 20; i++)
    v[i] = 20 - i;         /* 20..1, unsorted */
  td_iface_history_summarise (v, 20, &min, &avg, &max, &p95);
  g_assert_cmpfloat (min, ==, 1);
  g_assert_cmpfloat (max, ==, 20);
  g_assert_cmpfloat (avg, ==, 10.5);
  g_assert_cmpfloat (p95, ==, 19);   /* nearest rank: ceil(0.95 * 20) = 19th */
  v[0] = 7;
  td_iface_history_summarise (v, 1, &min, &avg, &max, &p95);
  g_assert_cmpfloat (p95, ==, 7);
}

static void
test_rollups (void)
{
  sqlite3 *db = open_db ();
  sqlite3_stmt *stmt;
  guint rows = 0;

  /* 2 h 1 min of samples: 121 minutes, 2 complete hours */
  insert_samples (db, "eth0", BASE_US, 7260);
  insert_samples (db, "veth-a", BASE_US, 60);
  g_assert_cmpint (td_iface_history_rollup (db, TD_IFACE_MINUTE_US, BASE_US + 7260 * SEC), ==, SQLITE_OK);
  g_assert_cmpint (td_iface_history_rollup (db, TD_IFACE_HOUR_US, BASE_US + 2 * TD_IFACE_HOUR_US), ==, SQLITE_OK);

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT resolution, bucket_us, samples, rx_min, rx_avg, rx_max, rx_p95,"
                                       " tx_min, tx_avg, tx_max, tx_p95, rx_bytes, seconds FROM iface_rollups r"
                                       " JOIN iface_names n ON n.id = r.iface_id WHERE n.name = 'eth0'"
                                       " ORDER BY resolution, bucket_us", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      int resolution = sqlite3_column_int (stmt, 0);
      gint64 bucket = sqlite3_column_int64 (stmt, 1);
      guint n = resolution == 60 ? 60 : 3600;

      g_assert_cmpint (sqlite3_column_int (stmt, 2), ==, n);
      g_assert_cmpfloat (sqlite3_column_double (stmt, 3), ==, 0);
      g_assert_cmpfloat (sqlite3_column_double (stmt, 4), ==, 29.5);
      g_assert_cmpfloat (sqlite3_column_double (stmt, 5), ==, 59);
      g_assert_cmpfloat (sqlite3_column_double (stmt, 6), ==, 56);   /* 57th of 0..59 */
      g_assert_cmpfloat (sqlite3_column_double (stmt, 7), ==, 941);
      g_assert_cmpfloat (sqlite3_column_double (stmt, 8), ==, 970.5);
      g_assert_cmpfloat (sqlite3_column_double (stmt, 9), ==, 1000);
      g_assert_cmpfloat (sqlite3_column_double (stmt, 10), ==, 997);
      g_assert_cmpfloat (sqlite3_column_double (stmt, 12), ==, n);
      g_assert_cmpint ((bucket - BASE_US) % (resolution * SEC), ==, 0);
      if (resolution == 60 && bucket == BASE_US)
        g_assert_cmpint (sqlite3_column_int64 (stmt, 11), ==, 59 * 60 / 2);   /* bytes 0..59 */
      rows++;
    }
  sqlite3_finalize (stmt);
  g_assert_cmpuint (rows, ==, 121 + 2);

  /* building again adds nothing; the next minute only when it is complete */
  g_assert_cmpint (td_iface_history_rollup (db, TD_IFACE_MINUTE_US, BASE_US + 7260 * SEC), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM iface_rollups", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 121 + 2 + 2);   /* + veth-a: a minute, an hour */
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static void
test_query (void)
{
  sqlite3 *db = open_db ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) points = NULL;
  gint64 now = BASE_US + 7260 * SEC;
  guint resolution = 0;
  double rx_max = 0, rx_min = G_MAXDOUBLE;
  guint64 samples = 0;

  insert_samples (db, "eth0", BASE_US, 7260);
  g_assert_cmpint (td_iface_history_rollup (db, TD_IFACE_MINUTE_US, now), ==, SQLITE_OK);
  g_assert_cmpint (td_iface_history_rollup (db, TD_IFACE_HOUR_US, now), ==, SQLITE_OK);

  /* 2 minutes at 8 points: the 1 s samples, 15 a point */
  points = td_iface_history_query (db, "eth0", BASE_US, BASE_US + 120 * SEC, 8, now, TD_IFACE_HOUR_US * 24,
                                   &resolution, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (resolution, ==, 1);
  g_assert_cmpuint (g_variant_n_children (points), ==, 8);
  for (guint i = 0; i < 8; i++)
    {
      g_autoptr(GVariant) p = g_variant_get_child_value (points, i);
      double max, min;
      guint n;

      g_variant_get (p, "(tdudddddddd)", NULL, NULL, &n, NULL, &min, &max, NULL, NULL, NULL, NULL, NULL);
      g_assert_cmpuint (n, ==, 15);
      g_assert_cmpfloat (max, ==, 15 * (i % 4) + 14);
      g_assert_cmpfloat (min, ==, 15 * (i % 4));
    }
  g_clear_pointer (&points, g_variant_unref);

  /* the whole range at 10 points: minutes; the peak survives */
  points = td_iface_history_query (db, "eth0", BASE_US, now, 10, now, TD_IFACE_HOUR_US * 24, &resolution, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (resolution, ==, 60);
  g_assert_cmpuint (g_variant_n_children (points), ==, 10);
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(GVariant) p = g_variant_get_child_value (points, i);
      double max, min;
      guint n;

      g_variant_get (p, "(tdudddddddd)", NULL, NULL, &n, NULL, &min, &max, NULL, NULL, NULL, NULL, NULL);
      rx_max = MAX (rx_max, max);
      rx_min = MIN (rx_min, min);
      samples += n;
    }
  g_assert_cmpfloat (rx_max, ==, 59);
  g_assert_cmpfloat (rx_min, ==, 0);
  g_assert_cmpuint (samples, ==, 7260);
  g_clear_pointer (&points, g_variant_unref);

  /* an unknown interface: no points */
  points = td_iface_history_query (db, "nope", BASE_US, now, 10, now, TD_IFACE_HOUR_US, &resolution, &error);
  g_assert_cmpuint (g_variant_n_children (points), ==, 0);
  sqlite3_close (db);
}

static void
test_test_samples (void)
{
  sqlite3 *db = open_db ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) samples = NULL;
  const char *name = NULL;
  guint64 ts, rx_bytes, tx_bytes;
  double seconds, rx, tx;

  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO tests (id, state, owner_uid, start_time_us)"
                                 " VALUES (7, 'finished', 0, 1), (8, 'finished', 0, 1)", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  /* test 7 on eth0 for 3 ticks (written in another order than time's),
   * test 8 on wlan0 once: other interfaces and tests stay out */
  for (guint i = 0; i < 4; i++)
    {
      static const guint order[] = { 2, 0, 1, 3 };
      gint64 t = BASE_US + (gint64) order[i] * SEC;
      TdIfaceTick *tick = td_iface_tick_new (t);
      TdIfaceTickRow rows[2] = { { "eth0", 1.0, 8e6 + order[i], 16e6, 1000000 + order[i], 2000000 },
                                 { "wlan0", 0.5, 1, 2, 3, 4 } };
      TdIfaceTickTest a = { 7, 0 }, b = { 8, 1 };

      g_array_append_vals (tick->rows, rows, 2);
      if (order[i] < 3)
        g_array_append_val (tick->tests, a);
      else
        g_array_append_val (tick->tests, b);
      g_assert_cmpint (td_iface_history_write_tick (db, tick), ==, SQLITE_OK);
      td_iface_tick_free (tick);
    }

  reply = g_variant_ref_sink (td_iface_test_history_query (db, 7, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (g_variant_get_type_string (reply), ==, "(sa" TD_IFACE_TEST_SAMPLE_TYPE ")");
  g_variant_get (reply, "(&s@a(tdddtt))", &name, &samples);
  g_assert_cmpstr (name, ==, "eth0");
  g_assert_cmpuint (g_variant_n_children (samples), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_variant_get_child (samples, i, "(tdddtt)", &ts, &seconds, &rx, &tx, &rx_bytes, &tx_bytes);
      g_assert_cmpuint (ts, ==, (guint64) (BASE_US + (gint64) i * SEC));
      g_assert_cmpfloat (seconds, ==, 1.0);
      g_assert_cmpfloat (rx, ==, 8e6 + i);
      g_assert_cmpfloat (tx, ==, 16e6);
      g_assert_cmpuint (rx_bytes, ==, 1000000 + i);
      g_assert_cmpuint (tx_bytes, ==, 2000000);
    }
  g_clear_pointer (&reply, g_variant_unref);
  g_clear_pointer (&samples, g_variant_unref);

  reply = g_variant_ref_sink (td_iface_test_history_query (db, 8, &error));
  g_assert_no_error (error);
  g_variant_get (reply, "(&s@a(tdddtt))", &name, &samples);
  g_assert_cmpstr (name, ==, "wlan0");
  g_assert_cmpuint (g_variant_n_children (samples), ==, 1);
  g_clear_pointer (&reply, g_variant_unref);
  g_clear_pointer (&samples, g_variant_unref);

  /* a test without samples: no interface; no test: NotFound */
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO tests (id, state, owner_uid, start_time_us)"
                                 " VALUES (9, 'failed', 0, 1)", NULL, NULL, NULL), ==, SQLITE_OK);
  reply = g_variant_ref_sink (td_iface_test_history_query (db, 9, &error));
  g_assert_no_error (error);
  g_variant_get (reply, "(&s@a(tdddtt))", &name, &samples);
  g_assert_cmpstr (name, ==, "");
  g_assert_cmpuint (g_variant_n_children (samples), ==, 0);
  g_assert_null (td_iface_test_history_query (db, 10, &error));
  g_assert_error (error, TR_ERROR, TR_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* deleting the test deletes them */
  g_assert_cmpint (sqlite3_exec (db, "DELETE FROM tests WHERE id = 7", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_null (td_iface_test_history_query (db, 7, &error));
  g_assert_error (error, TR_ERROR, TR_ERROR_NOT_FOUND);
  {
    sqlite3_stmt *stmt;

    g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM iface_test_samples WHERE test_id = 7", -1,
                                         &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 0);
    sqlite3_finalize (stmt);
  }
  sqlite3_close (db);
}

static void
test_paths (void)
{
  g_autofree char *a = td_iface_path_for_name ("eth0");
  g_autofree char *b = td_iface_path_for_name ("veth-a");
  g_autofree char *c = td_iface_path_for_name ("br_0.100");

  g_assert_cmpstr (a, ==, TD_IFACES_PATH "/eth0");
  g_assert_cmpstr (b, ==, TD_IFACES_PATH "/veth_2da");
  g_assert_cmpstr (c, ==, TD_IFACES_PATH "/br_5f0_2e100");
  g_assert_true (g_variant_is_object_path (a));
  g_assert_true (g_variant_is_object_path (b));
  g_assert_true (g_variant_is_object_path (c));
}

static void
test_rates (void)
{
  TdIfaceLink link = { .index = 7, .name = "dummy0", .kind = "dummy" };
  g_autoptr(TdIface) iface = td_iface_new (&link);
  TdIfaceCounters c = { 0 };

  td_iface_set_link (iface, &link, NULL, 100000000);
  c.rx_bytes = G_MAXUINT64 - 2000000;       /* near the top: 64 bits */
  td_iface_update_counters (iface, &c, 1000000);
  g_assert_cmpfloat (td_iface_get_rx_rate (iface), ==, 0);   /* the first reading */
  c.rx_bytes += 1250000;                     /* 10 Mbit in 0.5 s */
  c.tx_bytes = 625000;
  td_iface_update_counters (iface, &c, 1500000);
  g_assert_cmpfloat (td_iface_get_rx_rate (iface), ==, 20e6);
  g_assert_cmpfloat (td_iface_get_tx_rate (iface), ==, 10e6);
  g_assert_cmpuint (td_iface_get_rx_delta (iface), ==, 1250000);
  /* a reset (re-created): no rate, no negative delta */
  c.rx_bytes = 100;
  c.tx_bytes = 100;
  td_iface_update_counters (iface, &c, 2500000);
  g_assert_cmpfloat (td_iface_get_rx_rate (iface), ==, 0);
  g_assert_cmpuint (td_iface_get_rx_delta (iface), ==, 0);
  /* and counting again from there */
  c.rx_bytes += 1000;
  td_iface_update_counters (iface, &c, 3500000);
  g_assert_cmpfloat (td_iface_get_rx_rate (iface), ==, 8000);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/iface/summarise", test_summarise);
  g_test_add_func ("/iface/rollups", test_rollups);
  g_test_add_func ("/iface/query", test_query);
  g_test_add_func ("/iface/test-samples", test_test_samples);
  g_test_add_func ("/iface/paths", test_paths);
  g_test_add_func ("/iface/rates", test_rates);
  return g_test_run ();
}
