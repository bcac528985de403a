/* test-iface.c: interface monitoring without a network: rollups (min, avg,
 * max, p95 per bucket) from known samples, queries that keep the peaks, a
 * test's interface samples (GetTestInterface), object path escaping, rates
 * and counter resets, the Sampled entries (reused while nothing changes)
 * and the properties read from the last counters. */
#include "config.h"

#include "td-history-schema.h"
#include "td-iface.h"
#include "td-iface-history.h"
#include "td-iface-test-history.h"
#include "tr-dbus-generated.h"
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

/* Closes @db, finalizing the statements td_iface_history_write_tick()
 * keeps on it (as the history writer does). */
static void
close_db (sqlite3 *db)
{
  sqlite3_stmt *stmt;

  while ((stmt = sqlite3_next_stmt (db, NULL)) != NULL)
    sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

static gint64
query_int (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *stmt;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
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
  close_db (db);
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
  close_db (db);
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
  close_db (db);
}

/* One tick of @names at @t (rx rate: the index). */
static TdIfaceTick *
tick_of (gint64 t, const char *const *names)
{
  TdIfaceTick *tick = td_iface_tick_new (t);

  for (guint i = 0; names[i] != NULL; i++)
    {
      TdIfaceTickRow row = { { 0 }, 1.0, i, 2 * i, i, 2 * i };

      g_strlcpy (row.name, names[i], sizeof row.name);
      g_array_append_val (tick->rows, row);
    }
  return tick;
}

static void
test_write_tick (void)
{
  static const char *const first[] = { "eth0", "wlan0", NULL };
  static const char *const second[] = { "wlan0", "veth-b", "eth0", NULL };
  static const char *const third[] = { "new0", "eth0", NULL };
  g_autoptr(TdIfaceIds) ids = td_iface_ids_new ();
  sqlite3 *db = open_db (), *other;
  TdIfaceTick *tick;

  /* names are added as they come; ids and statements are kept between
   * ticks (a tick without ids looks them up) */
  tick = tick_of (BASE_US, first);
  g_assert_cmpint (td_iface_history_write_tick (db, tick), ==, SQLITE_OK);
  td_iface_tick_free (tick);
  tick = tick_of (BASE_US + SEC, second);
  tick->ids = td_iface_ids_ref (ids);
  g_assert_cmpint (td_iface_history_write_tick (db, tick), ==, SQLITE_OK);
  /* a batch retried: the same rows again */
  g_assert_cmpint (td_iface_history_write_tick (db, tick), ==, SQLITE_OK);
  td_iface_tick_free (tick);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM iface_names"), ==, 3);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM iface_samples"), ==, 5);
  g_assert_cmpint (query_int (db, "SELECT s.rx_bits_per_second FROM iface_samples s JOIN iface_names n"
                               " ON n.id = s.iface_id WHERE n.name = 'eth0' ORDER BY s.timestamp_us DESC LIMIT 1"),
                   ==, 2);
  g_assert_cmpint (query_int (db, "SELECT s.tx_bytes FROM iface_samples s JOIN iface_names n"
                               " ON n.id = s.iface_id WHERE n.name = 'veth-b'"), ==, 2);

  /* a tick rolled back with the name it added (its id remembered), then
   * written again: the name comes back, and its samples with it */
  g_assert_cmpint (sqlite3_exec (db, "BEGIN", NULL, NULL, NULL), ==, SQLITE_OK);
  tick = tick_of (BASE_US + 2 * SEC, third);
  tick->ids = td_iface_ids_ref (ids);
  g_assert_cmpint (td_iface_history_write_tick (db, tick), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM iface_names"), ==, 3);
  g_assert_cmpint (td_iface_history_write_tick (db, tick), ==, SQLITE_OK);
  td_iface_tick_free (tick);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM iface_samples s JOIN iface_names n"
                               " ON n.id = s.iface_id WHERE n.name = 'new0'"), ==, 1);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM iface_samples"), ==, 7);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM iface_samples WHERE iface_id NOT IN"
                               " (SELECT id FROM iface_names)"), ==, 0);

  /* the same ids on another database whose names have other ids */
  other = open_db ();
  g_assert_cmpint (sqlite3_exec (other, "INSERT INTO iface_names (name) VALUES ('x'), ('y'), ('new0'), ('eth0')",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  tick = tick_of (BASE_US, third);
  tick->ids = td_iface_ids_ref (ids);
  g_assert_cmpint (td_iface_history_write_tick (other, tick), ==, SQLITE_OK);
  td_iface_tick_free (tick);
  g_assert_cmpint (query_int (other, "SELECT iface_id FROM iface_samples WHERE rx_bits_per_second = 1"), ==, 4);
  g_assert_cmpint (query_int (other, "SELECT iface_id FROM iface_samples WHERE rx_bits_per_second = 0"), ==, 3);
  close_db (other);
  close_db (db);
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

static gboolean
lookup_double (GVariant *dict, const char *key, double *value)
{
  return g_variant_lookup (dict, key, "d", value);
}

static void
test_sample (void)
{
  TdIfaceLink link = { .index = 3, .name = "veth-a", .kind = "veth" };
  g_autoptr(TdIface) iface = td_iface_new (&link);
  g_autoptr(TdIface) other = td_iface_new (&(TdIfaceLink) { .index = 4, .name = "veth-b", .kind = "veth" });
  TdIfaceCounters c = { .rx_bytes = 1000, .tx_bytes = 2000 };
  GVariant *sample, *entry, *again;
  g_autoptr(GVariant) tx_bytes_before = NULL;
  g_autoptr(GVariant) old_sample = NULL;
  g_autoptr(GVariant) old_entry = NULL;
  g_autoptr(GVariant) key = NULL;
  g_autoptr(GVariant) value = NULL;
  g_autofree char *text = NULL;
  const char *name;
  guint64 bytes;
  double rate;

  td_iface_set_link (iface, &link, NULL, 0);   /* speed unknown */
  td_iface_update_counters (iface, &c, 1000000);
  sample = td_iface_sample_variant (iface);
  g_assert_false (g_variant_is_floating (sample));
  text = g_variant_print (sample, TRUE);
  g_assert_cmpstr (text, ==, "{'name': <'veth-a'>, 'rx_bits_per_second': <0.0>, 'tx_bits_per_second': <0.0>,"
                             " 'rx_bytes': <uint64 1000>, 'tx_bytes': <uint64 2000>}");
  entry = td_iface_sample_entry (iface);
  g_assert_cmpstr (g_variant_get_type_string (entry), ==, "{oa{sv}}");
  g_variant_get_child (entry, 0, "@o", &key);
  g_assert_cmpstr (g_variant_get_string (key, NULL), ==, td_iface_get_path (iface));
  value = g_variant_get_child_value (entry, 1);
  g_assert_true (value == sample);

  /* nothing changed: the very same values */
  td_iface_update_counters (iface, &c, 2000000);
  g_assert_true (td_iface_sample_variant (iface) == sample);
  g_assert_true (td_iface_sample_entry (iface) == entry);
  tx_bytes_before = g_variant_get_child_value (sample, 4);

  /* 800 bytes in: a new sample; the other interface's idle one shares
   * its zero entries, and this one its unchanged counter (the old values
   * kept alive, so that their addresses are not reused) */
  old_sample = g_variant_ref (sample);
  old_entry = g_variant_ref (entry);
  c.rx_bytes += 800;
  td_iface_update_counters (iface, &c, 3000000);
  again = td_iface_sample_variant (iface);
  g_assert_true (again != sample);
  g_assert_true (td_iface_sample_entry (iface) != entry);
  /* (before g_variant_lookup(), which serialises the value) */
  td_iface_update_counters (other, &(TdIfaceCounters) { 0 }, 1000000);
  {
    g_autoptr(GVariant) a = g_variant_get_child_value (again, 2);
    g_autoptr(GVariant) b = g_variant_get_child_value (td_iface_sample_variant (other), 2);
    g_autoptr(GVariant) tx_bytes = g_variant_get_child_value (again, 4);

    g_assert_true (a == b);   /* tx_bits_per_second: 0 */
    g_assert_true (tx_bytes == tx_bytes_before);
  }
  g_assert_true (lookup_double (again, "rx_bits_per_second", &rate));
  g_assert_cmpfloat (rate, ==, 6400);
  g_assert_true (g_variant_lookup (again, "rx_bytes", "t", &bytes));
  g_assert_cmpuint (bytes, ==, 1800);
  g_assert_true (g_variant_lookup (again, "tx_bytes", "t", &bytes));
  g_assert_cmpuint (bytes, ==, 2000);
  g_assert_false (g_variant_lookup (again, "utilisation", "d", &rate));
  g_assert_true (g_variant_lookup (again, "name", "&s", &name));
  g_assert_cmpstr (name, ==, "veth-a");

  /* with a known speed: the utilisation */
  td_iface_set_link (iface, &link, NULL, 64000);
  c.rx_bytes += 4000;
  td_iface_update_counters (iface, &c, 4000000);
  g_assert_true (lookup_double (td_iface_sample_variant (iface), "utilisation", &rate));
  g_assert_cmpfloat (rate, ==, 0.5);
  {
    g_autoptr(GVariant) first = g_variant_get_child_value (td_iface_sample_variant (iface), 0);
    g_autoptr(GVariant) expected = g_variant_ref_sink (g_variant_new_parsed ("{'name', <'veth-a'>}"));

    g_assert_true (g_variant_equal (first, expected));
  }
}

static void
test_properties (void)
{
  TdIfaceLink link = { .index = 5, .name = "eth1", .kind = "" , .arphrd = 1 };
  g_autoptr(TdIface) iface = td_iface_new (&link);
  TrDBusNetInterface *skeleton = tr_dbus_object_peek_net_interface (TR_DBUS_OBJECT (td_iface_get_object (iface)));
  TdIfaceCounters c = { 100, 200, 1, 2, 3, 4, 5, 6 };
  g_autoptr(GVariant) all = NULL;
  g_autoptr(GVariant) counters = NULL;
  double rate, util;
  guint64 bytes;

  /* before any counters: zero rates, unknown utilisation, zero counters */
  g_assert_cmpfloat (tr_dbus_net_interface_get_rx_bits_per_second (skeleton), ==, 0);
  g_assert_cmpfloat (tr_dbus_net_interface_get_utilisation (skeleton), ==, -1);
  g_assert_true (g_variant_lookup (tr_dbus_net_interface_get_counters (skeleton), "tx_dropped", "t", &bytes));
  g_assert_cmpuint (bytes, ==, 0);

  td_iface_set_link (iface, &link, NULL, 8000);
  td_iface_update_counters (iface, &c, 1000000);
  c.rx_bytes += 500;     /* 4000 bit/s */
  c.tx_bytes += 1000;    /* 8000 bit/s: the link's speed */
  c.tx_dropped = 7;
  td_iface_update_counters (iface, &c, 2000000);

  /* the C getters */
  g_assert_cmpfloat (tr_dbus_net_interface_get_rx_bits_per_second (skeleton), ==, 4000);
  g_assert_cmpfloat (tr_dbus_net_interface_get_tx_bits_per_second (skeleton), ==, 8000);
  g_assert_cmpfloat (tr_dbus_net_interface_get_utilisation (skeleton), ==, 1);
  g_assert_true (g_variant_lookup (tr_dbus_net_interface_get_counters (skeleton), "tx_dropped", "t", &bytes));
  g_assert_cmpuint (bytes, ==, 7);

  /* what Get and GetAll send (GObject properties) */
  g_object_get (skeleton, "rx-bits-per-second", &rate, "utilisation", &util, "counters", &counters, NULL);
  g_assert_cmpfloat (rate, ==, 4000);
  g_assert_cmpfloat (util, ==, 1);
  g_assert_true (g_variant_lookup (counters, "rx_bytes", "t", &bytes));
  g_assert_cmpuint (bytes, ==, 600);
  all = g_dbus_interface_skeleton_get_properties (G_DBUS_INTERFACE_SKELETON (skeleton));
  g_assert_true (g_variant_lookup (all, "TxBitsPerSecond", "d", &rate));
  g_assert_cmpfloat (rate, ==, 8000);
  g_assert_true (g_variant_lookup (all, "Utilisation", "d", &util));
  g_assert_cmpfloat (util, ==, 1);
  {
    g_autoptr(GVariant) dict = g_variant_lookup_value (all, "Counters", G_VARIANT_TYPE_VARDICT);
    g_autofree char *text = g_variant_print (dict, TRUE);

    g_assert_cmpstr (text, ==, "{'rx_bytes': <uint64 600>, 'tx_bytes': <uint64 1200>, 'rx_packets': <uint64 1>,"
                               " 'tx_packets': <uint64 2>, 'rx_errors': <uint64 3>, 'tx_errors': <uint64 4>,"
                               " 'rx_dropped': <uint64 5>, 'tx_dropped': <uint64 7>}");
  }
  g_assert_true (g_variant_lookup (all, "LinkSpeed", "t", &bytes));
  g_assert_cmpuint (bytes, ==, 8000);
  g_assert_true (g_variant_lookup (all, "Name", "s", NULL));
}

static void
test_total (void)
{
  TdIfaceTotal a = { { 1, 2, 3, 4, 5, 6, 7, 8 }, 1.5, 2.5, 2 }, b = a;
  g_autoptr(GVariant) v = g_variant_ref_sink (td_iface_total_variant (&a));
  g_autofree char *text = g_variant_print (v, TRUE);

  g_assert_cmpstr (text, ==, "{'rx_bits_per_second': <1.5>, 'tx_bits_per_second': <2.5>, 'rx_bytes': <uint64 1>,"
                             " 'tx_bytes': <uint64 2>, 'rx_packets': <uint64 3>, 'tx_packets': <uint64 4>,"
                             " 'rx_errors': <uint64 5>, 'tx_errors': <uint64 6>, 'rx_dropped': <uint64 7>,"
                             " 'tx_dropped': <uint64 8>, 'interfaces': <uint32 2>}");
  g_assert_true (td_iface_total_equal (&a, &b));
  b.counters.tx_dropped++;
  g_assert_false (td_iface_total_equal (&a, &b));
  b = a;
  b.interfaces = 3;
  g_assert_false (td_iface_total_equal (&a, &b));
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
  g_test_add_func ("/iface/write-tick", test_write_tick);
  g_test_add_func ("/iface/sample", test_sample);
  g_test_add_func ("/iface/properties", test_properties);
  g_test_add_func ("/iface/total", test_total);
  return g_test_run ();
}
