/* test-history.c: the history store, on real files.
 *
 * Recording and reading back, filters and paging, downsampling with peaks,
 * trends, exports, deletes, retention; migrations from the committed
 * fixture of every schema version; a newer schema refused untouched;
 * damaged files moved aside; a killed writer's rows marked interrupted; a
 * full disk (a 1 MiB tmpfs in a private mount namespace: needs root; with
 * CI=true missing root fails); readers and other processes' locks never
 * surfacing SQLITE_BUSY. */
#include "config.h"

#include "history-fake.h"
#include "td-history-export.h"
#include "td-history-query.h"
#include "td-history-schema.h"
#include "td-history-sql.h"
#include "td-history-stats.h"
#include "td-iface-history.h"
#include "td-variant-wire.h"
#include "tr-error.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#define WAIT_US (10 * G_USEC_PER_SEC)

typedef struct {
  char      *dir;
  char      *db_path;
  TdHistory *history;
} Fixture;

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-history-XXXXXX", &error);
  g_assert_no_error (error);
  f->db_path = g_build_filename (f->dir, TD_HISTORY_FILE_NAME, NULL);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->history);
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->db_path);
}

static void
open_history (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&f->history);
  f->history = td_history_new (f->dir);
  td_history_open (f->history, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (td_history_get_status (f->history), ==, TD_HISTORY_STATUS_OK);
}

static void
flush (Fixture *f)
{
  g_assert_true (td_history_flush_sync (f->history, WAIT_US));
}

/* Iterates the default main context until the status is @status. */
static void
wait_status (TdHistory *history, const char *status, gint64 timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;

  while (g_strcmp0 (td_history_get_status (history), status) != 0)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("status stayed %s (%s), expected %s", td_history_get_status (history),
                 td_history_get_status_message (history), status);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
}

static gint64
query_int (const char *path, const char *sql)
{
  g_autoptr(sqlite3) db = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 v;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  v = sqlite3_column_int64 (stmt, 0);
  return v;
}

static GVariant *
lookup (GVariant *dict, const char *key)
{
  GVariant *v = g_variant_lookup_value (dict, key, NULL);

  if (v == NULL)
    g_error ("no %s in %s", key, g_variant_print (dict, TRUE));
  return v;
}

static double
lookup_d (GVariant *dict, const char *key)
{
  g_autoptr(GVariant) v = lookup (dict, key);

  return g_variant_get_double (v);
}

static gint64
lookup_x (GVariant *dict, const char *key)
{
  g_autoptr(GVariant) v = lookup (dict, key);

  return g_variant_get_int64 (v);
}

static gint32
lookup_i (GVariant *dict, const char *key)
{
  g_autoptr(GVariant) v = lookup (dict, key);

  return g_variant_get_int32 (v);
}

static const char *
lookup_s (GVariant *dict, const char *key)
{
  const char *s = NULL;

  if (!g_variant_lookup (dict, key, "&s", &s))
    g_error ("no string %s in %s", key, g_variant_print (dict, TRUE));
  return s;
}

/* A finished TCP test with @n intervals per direction. */
static void
record_test (TdHistory *history, guint id, const char *options, guint n, guint streams, gboolean bidir,
             const char *state, double rate)
{
  g_autoptr(TdTest) t = fake_test_new (id, options, 1000);
  g_autofree char *result = g_strdup_printf ("{'forward': <{'receiver_bits_per_second': <%f>, "
                                             "'sender_bits_per_second': <%f>}>}", rate, rate * 1.01);
  gint64 now = g_get_real_time ();

  td_history_watch_test (history, t);
  fake_test_set_state (t, "running");
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GVariant) fwd = fake_interval ("forward", i, i + 1, 1e6 * (i + 1), streams, now + i);
      fake_test_interval (t, fwd);
      if (bidir)
        {
          g_autoptr(GVariant) rev = fake_interval ("reverse", i, i + 1, 2e6 * (i + 1), streams, now + i);
          fake_test_interval (t, rev);
        }
    }
  fake_test_log (t, 6, "a line");
  if (state != NULL)
    fake_test_end (t, state, result, NULL, NULL, (guint64) now + n * G_USEC_PER_SEC);
}

/* ---- basics ---- */

static void
test_open_fresh (Fixture *f, gconstpointer data)
{
  GStatBuf st;

  open_history (f);
  g_assert_cmpuint (td_history_get_schema_version (f->history), ==, TD_HISTORY_SCHEMA_VERSION);
  g_assert_cmpuint (td_history_get_next_test_id (f->history), ==, 1);
  g_assert_null (td_history_get_moved_aside (f->history)[0]);
  g_assert_cmpint (g_stat (f->db_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  td_history_close (f->history);
  /* closing checkpointed and removed the -wal */
  {
    g_autofree char *wal = g_strconcat (f->db_path, "-wal", NULL);
    g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  }
  g_assert_cmpint (query_int (f->db_path, "PRAGMA application_id"), ==, TD_HISTORY_APPLICATION_ID);
  g_assert_cmpint (query_int (f->db_path, "SELECT max(version) FROM schema_version"), ==, TD_HISTORY_SCHEMA_VERSION);
  {
    /* WAL is the file's journal mode (header bytes 18 and 19 are 2) */
    g_autofree char *contents = NULL;
    gsize len;

    g_assert_true (g_file_get_contents (f->db_path, &contents, &len, NULL));
    g_assert_cmpuint (len, >=, 100);
    g_assert_cmpint (contents[18], ==, 2);
    g_assert_cmpint (contents[19], ==, 2);
  }
}

static void
test_second_instance (Fixture *f, gconstpointer data)
{
  g_autoptr(TdHistory) other = NULL;
  g_autoptr(GError) error = NULL;

  open_history (f);
  other = td_history_new (f->dir);
  g_assert_false (td_history_open (other, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_assert_false (td_history_is_available (other));
}

static void
test_record_roundtrip (Fixture *f, gconstpointer data)
{
  g_autoptr(GVariant) list = NULL;
  g_autoptr(GVariant) row = NULL;
  g_autoptr(GVariant) rows = NULL;
  g_autoptr(GVariant) raw = NULL;
  g_autoptr(GVariant) raw_rows = NULL;
  g_autoptr(GVariant) points = NULL;
  g_autoptr(GError) error = NULL;
  guint32 total;
  guint64 count;

  open_history (f);
  record_test (f->history, 7, "{'host': <'192.0.2.7'>, 'parallel': <uint32 3>, 'direction': <'bidirectional'>,"
                              " 'label': <'round trip'>}", 20, 3, TRUE, "finished", 4.2e6);
  flush (f);
  g_assert_cmpuint (td_history_get_next_test_id (f->history), ==, 8);

  list = fake_list (f->history, "{}");
  g_variant_get (list, "(@aa{sv}u)", &rows, &total);
  g_assert_cmpuint (total, ==, 1);
  row = g_variant_get_child_value (rows, 0);
  g_assert_cmpstr (lookup_s (row, "state"), ==, "finished");
  g_assert_cmpstr (lookup_s (row, "label"), ==, "round trip");
  g_assert_cmpstr (lookup_s (row, "direction"), ==, "bidirectional");
  g_assert_cmpstr (lookup_s (row, "role"), ==, "client");
  g_assert_true (g_variant_lookup (row, "sample_count", "t", &count));
  g_assert_cmpuint (count, ==, 40);
  g_assert_cmpfloat (lookup_d (row, "forward_receiver_bits_per_second"), ==, 4.2e6);
  g_assert_null (g_variant_lookup_value (row, "options", NULL));   /* only in GetTest */

  /* every sample, per stream too: 40 totals + 120 stream rows */
  raw = fake_get_test (f->history, 7, "{'max_points': <uint32 0>, 'streams': <true>}", &error);
  g_assert_no_error (error);
  raw_rows = g_variant_get_child_value (raw, 1);
  g_assert_cmpuint (g_variant_n_children (raw_rows), ==, 160);
  /* ordered by direction, seq, stream: each total (stream -1) is
   * followed by its 3 streams, whose rates add up to it */
  for (gsize i = 0; i < 160; i++)
    {
      g_autoptr(GVariant) s = g_variant_get_child_value (raw_rows, i);
      guint k = (guint) (i % 80) / 4, sub = (guint) i % 4;
      double sum = (i < 80 ? 1e6 : 2e6) * (k + 1);
      gint32 stream;
      guint32 seq;

      g_assert_true (g_variant_lookup (s, "stream", "i", &stream));
      g_assert_cmpint (stream, ==, (gint32) sub - 1);
      g_assert_cmpstr (lookup_s (s, "direction"), ==, i < 80 ? "forward" : "reverse");
      g_assert_true (g_variant_lookup (s, "seq", "u", &seq));
      g_assert_cmpuint (seq, ==, k);
      g_assert_cmpfloat (lookup_d (s, "start_seconds"), ==, (double) k);
      g_assert_cmpfloat (lookup_d (s, "end_seconds"), ==, (double) k + 1);
      g_assert_cmpfloat_with_epsilon (lookup_d (s, "bits_per_second"),
                                      sub == 0 ? sum : sum * sub / 6.0, 1e-6);
      g_assert_cmpint (lookup_x (s, "retransmits"), ==, sub == 0 ? 0 : (gint64) sub + 5);
      if (sub > 0)
        g_assert_cmpint (lookup_i (s, "socket"), ==, (gint32) sub + 4);
      else
        g_assert_null (g_variant_lookup_value (s, "socket", NULL));
    }
  {
    g_autoptr(GVariant) full = g_variant_get_child_value (raw, 0);
    g_autoptr(GVariant) options = lookup (full, "options");
    g_autoptr(GVariant) result = lookup (full, "result");
    guint32 parallel;

    g_assert_true (g_variant_lookup (options, "parallel", "u", &parallel));
    g_assert_cmpuint (parallel, ==, 3);
    g_assert_true (g_variant_is_of_type (result, G_VARIANT_TYPE_VARDICT));
  }

  /* fewer samples than max_points: unchanged, with samples = 1 */
  points = fake_get_test (f->history, 7, "{}", &error);
  g_assert_no_error (error);
  {
    g_autoptr(GVariant) p = g_variant_get_child_value (points, 1);
    g_autoptr(GVariant) last = g_variant_get_child_value (p, 39);
    guint32 n;

    g_assert_cmpuint (g_variant_n_children (p), ==, 40);
    g_assert_true (g_variant_lookup (last, "samples", "u", &n));
    g_assert_cmpuint (n, ==, 1);
    g_assert_cmpstr (lookup_s (last, "direction"), ==, "reverse");
    g_assert_cmpfloat (lookup_d (last, "max_bits_per_second"), ==, 40e6);
  }

  g_assert_cmpint (query_int (f->db_path, "SELECT count(*) FROM logs WHERE test_id = 7"), ==, 1);
  {
    g_autoptr(GVariant) missing = fake_get_test (f->history, 99, "{}", &error);
    g_assert_null (missing);
    g_assert_error (error, TR_ERROR, TR_ERROR_NOT_FOUND);
  }
}

static void
test_filters_paging (Fixture *f, gconstpointer data)
{
  open_history (f);
  for (guint i = 1; i <= 30; i++)
    {
      g_autofree char *options = g_strdup_printf ("{'host': <'%s'>, 'protocol': <'%s'>, 'label': <'l%u'>}",
                                                  i % 3 == 0 ? "a.example" : "b.example",
                                                  i % 2 ? "tcp" : "udp", i % 5);
      record_test (f->history, i, options, 1, 1, FALSE, i == 30 ? "failed" : "finished", 1e6);
    }
  flush (f);

  {
    g_autoptr(GVariant) l = fake_list (f->history, "{'host': <'a.example'>}");
    g_autoptr(GVariant) rows = g_variant_get_child_value (l, 0);
    guint32 total;

    g_variant_get_child (l, 1, "u", &total);
    g_assert_cmpuint (total, ==, 10);
    g_assert_cmpuint (g_variant_n_children (rows), ==, 10);
  }
  {
    g_autoptr(GVariant) l = fake_list (f->history, "{'protocol': <'udp'>, 'label': <'l0'>}");
    guint32 total;

    g_variant_get_child (l, 1, "u", &total);
    g_assert_cmpuint (total, ==, 3);   /* 10, 20, 30 */
  }
  {
    g_autoptr(GVariant) l = fake_list (f->history, "{'state': <'failed'>}");
    guint32 total;

    g_variant_get_child (l, 1, "u", &total);
    g_assert_cmpuint (total, ==, 1);
  }
  {
    /* pages of 7, oldest first: ids come in order, the last page short */
    guint seen = 0;

    for (guint offset = 0; offset < 35; offset += 7)
      {
        g_autofree char *filter = g_strdup_printf ("{'order': <'oldest'>, 'limit': <7>, 'offset': <uint32 %u>}", offset);
        g_autoptr(GVariant) l = fake_list (f->history, filter);
        g_autoptr(GVariant) rows = g_variant_get_child_value (l, 0);

        for (gsize i = 0; i < g_variant_n_children (rows); i++)
          {
            g_autoptr(GVariant) row = g_variant_get_child_value (rows, i);
            guint32 id;

            g_assert_true (g_variant_lookup (row, "id", "u", &id));
            g_assert_cmpuint (id, ==, ++seen);
          }
      }
    g_assert_cmpuint (seen, ==, 30);
  }
  {
    /* only the columns asked for, and the id */
    g_autoptr(GVariant) l = fake_list (f->history, "{'columns': <['label', 'state']>, 'limit': <3>}");
    g_autoptr(GVariant) rows = g_variant_get_child_value (l, 0);

    g_assert_cmpuint (g_variant_n_children (rows), ==, 3);
    for (gsize i = 0; i < 3; i++)
      {
        g_autoptr(GVariant) row = g_variant_get_child_value (rows, i);

        g_assert_cmpuint (g_variant_n_children (row), ==, 3);
        g_assert_true (g_variant_lookup (row, "id", "u", NULL));
        g_assert_true (g_variant_lookup (row, "label", "&s", NULL));
        g_assert_true (g_variant_lookup (row, "state", "&s", NULL));
      }
  }
  {
    g_autoptr(GVariant) l = fake_list (f->history, "{'owner': <uint32 1000>, 'until': <int64 1>}");
    guint32 total;

    g_variant_get_child (l, 1, "u", &total);
    g_assert_cmpuint (total, ==, 0);
  }
}

static void
assert_filter_error (const char *text, TdFilterKeys keys, const char *prefix)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) dict = g_variant_parse (G_VARIANT_TYPE_VARDICT, text, NULL, NULL, NULL);
  g_autoptr(TdHistoryFilter) filter = td_history_filter_parse (dict, keys, &error);

  g_assert_null (filter);
  g_assert_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT);
  if (!g_str_has_prefix (error->message, prefix))
    g_error ("%s: message does not start with %s: %s", text, prefix, error->message);
}

static void
test_filter_errors (void)
{
  assert_filter_error ("{'colour': <'red'>}", TD_FILTER_KEYS_LIST, "colour: ");
  assert_filter_error ("{'limit': <0>}", TD_FILTER_KEYS_LIST, "limit: ");
  assert_filter_error ("{'limit': <1001>}", TD_FILTER_KEYS_LIST, "limit: ");
  assert_filter_error ("{'limit': <'10'>}", TD_FILTER_KEYS_LIST, "limit: ");
  assert_filter_error ("{'since': <int64 -1>}", TD_FILTER_KEYS_LIST, "since: ");
  assert_filter_error ("{'owner': <uint64 4294967296>}", TD_FILTER_KEYS_LIST, "owner: ");
  assert_filter_error ("{'protocol': <'sctp'>}", TD_FILTER_KEYS_LIST, "protocol: ");
  assert_filter_error ("{'host': <''>}", TD_FILTER_KEYS_LIST, "host: ");
  assert_filter_error ("{'label': <'a\\nb'>}", TD_FILTER_KEYS_LIST, "label: ");
  assert_filter_error ("{'since': <int64 10>, 'until': <int64 5>}", TD_FILTER_KEYS_LIST, "until: ");
  assert_filter_error ("{'group_by': <'host'>}", TD_FILTER_KEYS_LIST, "group_by: ");
  assert_filter_error ("{'bucket_seconds': <1>}", TD_FILTER_KEYS_TRENDS, "bucket_seconds: ");
  assert_filter_error ("{'streams': <true>}", TD_FILTER_KEYS_TEST, "streams: ");
  assert_filter_error ("{'max_points': <uint32 5001>}", TD_FILTER_KEYS_TEST, "max_points: ");
  assert_filter_error ("{'max_points': <uint32 0>, 'limit': <10001>}", TD_FILTER_KEYS_TEST, "limit: ");
  assert_filter_error ("{'offset': <1>}", TD_FILTER_KEYS_TRENDS, "offset: ");
  assert_filter_error ("{'columns': <['label', 'nope']>}", TD_FILTER_KEYS_LIST, "columns: ");
  assert_filter_error ("{'columns': <['final']>}", TD_FILTER_KEYS_LIST, "columns: ");
  assert_filter_error ("{'columns': <@as []>}", TD_FILTER_KEYS_LIST, "columns: ");
  assert_filter_error ("{'columns': <'label'>}", TD_FILTER_KEYS_LIST, "columns: ");
  assert_filter_error ("{'test': <1>, 'columns': <['label']>}", TD_FILTER_KEYS_EXPORT, "columns: ");
}

/* ---- downsampling ---- */

static void
check_points (GVariant *points, guint max_points, guint64 n, double peak, double dip)
{
  guint64 samples = 0;
  double max = 0, min = G_MAXDOUBLE;

  g_assert_cmpuint (g_variant_n_children (points), <=, max_points);
  g_assert_cmpuint (g_variant_n_children (points), >=, max_points / 2);
  for (gsize i = 0; i < g_variant_n_children (points); i++)
    {
      g_autoptr(GVariant) p = g_variant_get_child_value (points, i);
      guint32 k;

      g_assert_true (g_variant_lookup (p, "samples", "u", &k));
      samples += k;
      max = MAX (max, lookup_d (p, "max_bits_per_second"));
      min = MIN (min, lookup_d (p, "min_bits_per_second"));
    }
  g_assert_cmpuint (samples, ==, n);
  g_assert_cmpfloat (max, ==, peak);
  g_assert_cmpfloat (min, ==, dip);
}

static void
test_downsample_peaks (Fixture *f, gconstpointer data)
{
  g_autoptr(TdTest) t = fake_test_new (1, "{'host': <'192.0.2.1'>, 'duration': <uint32 0>}", 0);
  const guint n = 70000;
  g_autoptr(GError) error = NULL;

  open_history (f);
  td_history_watch_test (f->history, t);
  for (guint i = 0; i < n; i++)
    {
      double rate = i == 12345 ? 9e9 : i == 777 ? 1e3 : 1e8 + (i % 10) * 1e6;
      g_autoptr(GVariant) s = fake_interval ("forward", i * 0.1, (i + 1) * 0.1, rate, 1, i);

      fake_test_interval (t, s);
    }
  flush (f);

  /* running: no rollups yet, the samples themselves are merged */
  {
    g_autoptr(GVariant) r = fake_get_test (f->history, 1, "{'max_points': <uint32 500>}", &error);
    g_autoptr(GVariant) points = NULL;

    g_assert_no_error (error);
    points = g_variant_get_child_value (r, 1);
    check_points (points, 500, n, 9e9, 1e3);
  }
  fake_test_end (t, "stopped", NULL, NULL, NULL, (guint64) g_get_real_time ());
  flush (f);
  g_assert_cmpint (query_int (f->db_path, "SELECT rollups_built FROM tests WHERE id = 1"), ==, 1);
  g_assert_cmpint (query_int (f->db_path, "SELECT count(*) FROM sample_rollups WHERE test_id = 1 AND level = 1"),
                   ==, (n + 15) / 16);
  /* ended: from the rollups, the same totals and peaks */
  for (guint max = 10; max <= 5000; max *= 10)
    {
      g_autofree char *options = g_strdup_printf ("{'max_points': <uint32 %u>}", max);
      g_autoptr(GVariant) r = fake_get_test (f->history, 1, options, &error);
      g_autoptr(GVariant) points = NULL;

      g_assert_no_error (error);
      points = g_variant_get_child_value (r, 1);
      check_points (points, max, n, 9e9, 1e3);
    }
}

/* ---- trends ---- */

static GVariant *
read_trends (sqlite3 *db, gpointer data, GError **error)
{
  return td_history_query_trends (db, data, error);
}

static void
test_quantiles (void)
{
  double v[] = { 5, 1, 4, 2, 3 };
  double one[] = { 7 };

  td_history_sort (v, G_N_ELEMENTS (v));
  g_assert_cmpfloat (v[0], ==, 1);
  g_assert_cmpfloat (td_history_quantile (v, 5, 0.5), ==, 3);
  g_assert_cmpfloat (td_history_quantile (v, 5, 0.95), ==, 4.8);
  g_assert_cmpfloat (td_history_quantile (v, 5, 0), ==, 1);
  g_assert_cmpfloat (td_history_quantile (v, 5, 1), ==, 5);
  g_assert_cmpfloat (td_history_quantile (one, 1, 0.95), ==, 7);
}

static void
test_trends (Fixture *f, gconstpointer data)
{
  g_autoptr(GVariant) dict = g_variant_parse (G_VARIANT_TYPE_VARDICT, "{'bucket_seconds': <86400>}", NULL, NULL, NULL);
  g_autoptr(TdHistoryFilter) filter = td_history_filter_parse (dict, TD_FILTER_KEYS_TRENDS, NULL);
  g_autoptr(GVariant) result = NULL;
  g_autoptr(GVariant) buckets = NULL;
  g_autoptr(GError) error = NULL;

  open_history (f);
  /* host a: 1..20 Mbit/s; host b: 100 and 300; a failed one is left out */
  for (guint i = 1; i <= 20; i++)
    record_test (f->history, i, "{'host': <'a.example'>}", 1, 1, FALSE, "finished", 1e6 * i);
  record_test (f->history, 21, "{'host': <'b.example'>}", 1, 1, FALSE, "finished", 1e8);
  record_test (f->history, 22, "{'host': <'b.example'>}", 1, 1, FALSE, "finished", 3e8);
  record_test (f->history, 23, "{'host': <'b.example'>}", 1, 1, FALSE, "failed", 9e9);
  flush (f);

  result = td_history_read_sync (f->history, read_trends, filter, &error);
  g_assert_no_error (error);
  buckets = g_variant_get_child_value (result, 0);
  g_assert_cmpuint (g_variant_n_children (buckets), ==, 2);
  {
    g_autoptr(GVariant) a = g_variant_get_child_value (buckets, 0);
    guint32 count;
    guint64 start, end;

    g_assert_cmpstr (lookup_s (a, "host"), ==, "a.example");
    g_assert_true (g_variant_lookup (a, "count", "u", &count));
    g_assert_cmpuint (count, ==, 20);
    g_assert_cmpfloat (lookup_d (a, "median_bits_per_second"), ==, 10.5e6);
    g_assert_cmpfloat_with_epsilon (lookup_d (a, "p95_bits_per_second"), 19.05e6, 1e-3);
    g_assert_cmpfloat (lookup_d (a, "min_bits_per_second"), ==, 1e6);
    g_assert_cmpfloat (lookup_d (a, "max_bits_per_second"), ==, 20e6);
    g_assert_cmpfloat (lookup_d (a, "mean_bits_per_second"), ==, 10.5e6);
    g_assert_true (g_variant_lookup (a, "bucket_start_us", "t", &start));
    g_assert_true (g_variant_lookup (a, "bucket_end_us", "t", &end));
    g_assert_cmpuint (end - start, ==, (gint64) 86400 * G_USEC_PER_SEC);
    g_assert_cmpuint (start % ((gint64) 86400 * G_USEC_PER_SEC), ==, 0);
  }
  {
    g_autoptr(GVariant) b = g_variant_get_child_value (buckets, 1);
    guint32 count;

    g_assert_cmpstr (lookup_s (b, "host"), ==, "b.example");
    g_assert_true (g_variant_lookup (b, "count", "u", &count));
    g_assert_cmpuint (count, ==, 2);
    g_assert_cmpfloat (lookup_d (b, "median_bits_per_second"), ==, 2e8);
    g_assert_cmpfloat (lookup_d (b, "p95_bits_per_second"), ==, 2.9e8);
  }
}

/* ---- export ---- */

static void
test_csv_format (void)
{
  static const struct { const char *in, *out; } cases[] = {
    { "plain", "plain" }, { "", "" }, { "a,b", "\"a,b\"" }, { "say \"hi\"", "\"say \"\"hi\"\"\"" },
    { "two\nlines", "\"two\nlines\"" }, { "cr\r", "\"cr\r\"" },
  };
  static const double doubles[] = { 0.1, 1e300, 123456789.123, 2.9984e9, -0.0, 1.0 / 3.0, 5e-324 };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GString) s = g_string_new (NULL);

      td_history_csv_append_field (s, cases[i].in);
      g_assert_cmpstr (s->str, ==, cases[i].out);
    }
  for (guint i = 0; i < G_N_ELEMENTS (doubles); i++)
    {
      g_autoptr(GString) s = g_string_new (NULL);

      td_history_append_double (s, doubles[i]);
      g_assert_cmpfloat (g_ascii_strtod (s->str, NULL), ==, doubles[i]);
    }
  {
    g_autoptr(GString) s = g_string_new (NULL);
    td_history_append_double (s, 0.1);
    g_assert_cmpstr (s->str, ==, "0.1");
  }
}

typedef struct {
  gboolean done;
  gboolean ok;
  guint64  rows;
  GError  *error;
} ExportWait;

static void
on_export (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ExportWait *w = user_data;

  w->ok = td_history_export_finish (TD_HISTORY (source), result, &w->rows, &w->error);
  w->done = TRUE;
}

static char *
export_to_string (TdHistory *history, const char *options, TdHistoryFormat format, guint64 *rows)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) dict = g_variant_parse (G_VARIANT_TYPE_VARDICT, options, NULL, NULL, NULL);
  TdHistoryFilter *filter = td_history_filter_parse (dict, TD_FILTER_KEYS_EXPORT, &error);
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  ExportWait w = { FALSE, };
  int fd = g_file_open_tmp ("history-export-XXXXXX", &path, &error);

  g_assert_no_error (error);
  td_history_export_async (history, filter, format, fd, NULL, on_export, &w);
  while (!w.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_unlink (path);
  *rows = w.rows;
  return g_steal_pointer (&contents);
}

static void
test_export (Fixture *f, gconstpointer data)
{
  g_autofree char *csv = NULL;
  g_autofree char *json = NULL;
  g_autofree char *samples = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  guint64 rows;

  open_history (f);
  record_test (f->history, 1, "{'host': <'a.example'>, 'label': <'with, comma and \"quote\"'>}", 3, 1, FALSE,
               "finished", 5e6);
  record_test (f->history, 2, "{'host': <'b.example'>, 'parallel': <uint32 2>}", 4, 2, FALSE, "finished", 6e6);
  flush (f);

  csv = export_to_string (f->history, "{'order': <'oldest'>}", TD_HISTORY_FORMAT_CSV, &rows);
  g_assert_cmpuint (rows, ==, 2);
  lines = g_strsplit (csv, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);   /* header, 2 rows, "" after the last CRLF */
  g_assert_true (g_str_has_prefix (lines[0], "id,role,state,owner_uid,"));
  g_assert_nonnull (strstr (lines[0], ",forward_receiver_bits_per_second,"));
  g_assert_nonnull (strstr (lines[0], ",forward_sender_bytes,"));
  g_assert_null (strstr (lines[0], ",options,"));
  g_assert_nonnull (strstr (lines[1], ",\"with, comma and \"\"quote\"\"\","));
  g_assert_nonnull (strstr (lines[1], ",5000000,"));

  json = export_to_string (f->history, "{}", TD_HISTORY_FORMAT_JSON, &rows);
  g_assert_cmpuint (rows, ==, 2);
  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (json_parser_get_root (parser))), ==, 2);

  samples = export_to_string (f->history, "{'test': <uint32 2>, 'streams': <true>}", TD_HISTORY_FORMAT_JSON, &rows);
  g_assert_cmpuint (rows, ==, 12);
  json_parser_load_from_data (parser, samples, -1, &error);
  g_assert_no_error (error);
  {
    JsonObject *root = json_node_get_object (json_parser_get_root (parser));
    JsonObject *test = json_object_get_object_member (root, "test");

    g_assert_cmpint (json_object_get_int_member (test, "id"), ==, 2);
    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (test, "options"), "parallel"), ==, 2);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "samples")), ==, 12);
  }
  g_free (csv);
  csv = export_to_string (f->history, "{'test': <uint32 2>}", TD_HISTORY_FORMAT_CSV, &rows);
  g_assert_cmpuint (rows, ==, 4);
  g_assert_true (g_str_has_prefix (csv, "test_id,direction,stream,socket,seq,timestamp_us,start_seconds,"));
}

static void
test_export_bad_fd (void)
{
  g_autoptr(GError) error = NULL;
  int fds[2];

  g_assert_cmpint (pipe (fds), ==, 0);
  g_assert_false (td_history_export_check_fd (fds[0], &error));
  g_assert_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (td_history_export_check_fd (fds[1], &error));
  close (fds[0]);
  close (fds[1]);
}

/* ---- the hand-made serialisation (td-variant-wire.c) ---- */

typedef struct {
  GVariantDict *dict;
  guint         n;
} ScanCheck;

static void
on_scanned (const char *key, const char *type, gsize type_len, const guint8 *data, gsize size, gpointer user_data)
{
  ScanCheck *c = user_data;
  g_autofree char *type_string = g_strndup (type, type_len);
  g_autoptr(GVariant) expected = g_variant_dict_lookup_value (c->dict, key, NULL);
  g_autoptr(GVariant) got = NULL;
  gpointer copy = g_memdup2 (data, size);

  g_assert_nonnull (expected);
  g_assert_cmpstr (type_string, ==, g_variant_get_type_string (expected));

  got = g_variant_ref_sink (g_variant_new_from_data (G_VARIANT_TYPE (type_string), copy, size, FALSE, g_free, copy));
  g_assert_true (g_variant_equal (got, expected));
  c->n++;
}

static void
test_variant_wire (void)
{
  /* sizes chosen to need 1-, 2- and 4-byte framing offsets */
  static const gsize lengths[] = { 0, 1, 7, 8, 200, 300, 70000 };

  for (guint round = 0; round < G_N_ELEMENTS (lengths); round++)
    {
      g_auto(TdAsvBuilder) b = { NULL, NULL };
      g_autofree char *text = g_strnfill (lengths[round], 'a' + round);
      g_autoptr(GVariant) mine = NULL;
      g_autoptr(GVariant) theirs = NULL;
      g_autoptr(GVariant) options = g_variant_ref_sink (g_variant_new_parsed ("{'parallel': <uint32 3>, 'label': <'x'>}"));
      GVariantDict d;
      ScanCheck check;

      td_asv_builder_init (&b);
      g_variant_dict_init (&d, NULL);
      if (round == 0)
        {
          mine = g_variant_ref_sink (td_asv_builder_end (&b));
          theirs = g_variant_ref_sink (g_variant_dict_end (&d));
          g_assert_true (g_variant_equal (mine, theirs));
          g_assert_cmpuint (g_variant_get_size (mine), ==, 0);
          continue;
        }
      td_asv_add_double (&b, "bits_per_second", 9.5e9);
      g_variant_dict_insert (&d, "bits_per_second", "d", 9.5e9);
      td_asv_add_string (&b, "label", text);
      g_variant_dict_insert (&d, "label", "s", text);
      td_asv_add_uint64 (&b, "bytes", G_MAXUINT64 - round);
      g_variant_dict_insert (&d, "bytes", "t", G_MAXUINT64 - round);
      td_asv_add_int64 (&b, "retransmits", -1);
      g_variant_dict_insert (&d, "retransmits", "x", (gint64) -1);
      td_asv_add_uint32 (&b, "port", 5201);
      g_variant_dict_insert (&d, "port", "u", 5201);
      td_asv_add_int32 (&b, "stream", -1);
      g_variant_dict_insert (&d, "stream", "i", -1);
      td_asv_add_boolean (&b, "omitted", round % 2);
      g_variant_dict_insert (&d, "omitted", "b", round % 2);
      td_asv_add_string (&b, "e", "");
      g_variant_dict_insert (&d, "e", "s", "");
      td_asv_add_value (&b, "options", options);
      g_variant_dict_insert_value (&d, "options", options);
      mine = g_variant_ref_sink (td_asv_builder_end (&b));
      theirs = g_variant_ref_sink (g_variant_dict_end (&d));

      /* GVariant writes the entries in its hash order: compare by key,
       * then check that ours is in normal form and reads back */
      g_assert_true (g_variant_is_normal_form (mine));
      g_assert_cmpuint (g_variant_n_children (mine), ==, 9);
      g_variant_dict_init (&d, theirs);
      check.dict = &d;
      check.n = 0;
      g_assert_true (td_variant_scan_asv (g_variant_get_data (mine), g_variant_get_size (mine), on_scanned, &check));
      g_assert_cmpuint (check.n, ==, 9);
      {
        GVariantDict back;
        g_autoptr(GVariant) rebuilt = NULL;
        g_autoptr(GVariant) theirs_sorted = NULL;

        /* the same entries in the same order, written by GVariant */
        g_variant_dict_init (&back, NULL);
        {
          GVariantBuilder gb;
          GVariantIter iter;
          const char *key;
          GVariant *value;

          g_variant_builder_init (&gb, G_VARIANT_TYPE_VARDICT);
          g_variant_iter_init (&iter, mine);
          while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
            {
              g_autoptr(GVariant) v = g_variant_dict_lookup_value (&d, key, NULL);

              g_variant_builder_add (&gb, "{sv}", key, v);
              g_variant_unref (value);
            }
          rebuilt = g_variant_ref_sink (g_variant_builder_end (&gb));
        }
        theirs_sorted = g_variant_get_normal_form (rebuilt);
        g_assert_cmpuint (g_variant_get_size (theirs_sorted), ==, g_variant_get_size (mine));
        g_assert_true (memcmp (g_variant_get_data (theirs_sorted), g_variant_get_data (mine),
                               g_variant_get_size (mine)) == 0);
        g_variant_dict_clear (&back);
      }
      g_variant_dict_clear (&d);
    }
}

/* ---- delete, retention, interrupted ---- */

typedef struct {
  gboolean done;
  gboolean ok;
  guint    deleted;
  GError  *error;
} DeleteWait;

static void
on_delete (GObject *source, GAsyncResult *result, gpointer user_data)
{
  DeleteWait *w = user_data;

  w->ok = td_history_delete_finish (TD_HISTORY (source), result, &w->deleted, &w->error);
  w->done = TRUE;
}

static DeleteWait
delete_ids (TdHistory *history, const guint *ids, guint n)
{
  g_autoptr(GArray) a = g_array_new (FALSE, FALSE, sizeof (guint));
  DeleteWait w = { FALSE, };

  g_array_append_vals (a, ids, n);
  td_history_delete_async (history, a, NULL, on_delete, &w);
  while (!w.done)
    g_main_context_iteration (NULL, TRUE);
  return w;
}

static void
test_delete (Fixture *f, gconstpointer data)
{
  static const guint ids[] = { 1, 2, 99 };
  DeleteWait w;

  open_history (f);
  record_test (f->history, 1, "{'host': <'a.example'>}", 5, 2, FALSE, "finished", 1e6);
  record_test (f->history, 2, "{'host': <'a.example'>}", 5, 2, FALSE, NULL, 1e6);   /* still running */
  flush (f);
  w = delete_ids (f->history, ids, G_N_ELEMENTS (ids));
  g_assert_no_error (w.error);
  g_assert_cmpuint (w.deleted, ==, 1);
  g_assert_cmpint (query_int (f->db_path, "SELECT count(*) FROM tests"), ==, 1);
  g_assert_cmpint (query_int (f->db_path, "SELECT count(*) FROM samples WHERE test_id = 1"), ==, 0);
  g_assert_cmpint (query_int (f->db_path, "SELECT count(*) FROM stream_samples WHERE test_id = 1"), ==, 0);
  g_assert_cmpint (query_int (f->db_path, "SELECT count(*) FROM logs WHERE test_id = 1"), ==, 0);
  g_assert_cmpint (query_int (f->db_path, "SELECT count(*) FROM samples WHERE test_id = 2"), ==, 5);
  g_assert_cmpint (query_int (f->db_path, "SELECT count(*) FROM stream_samples WHERE test_id = 2"), ==, 10);
}

static void
test_retention (Fixture *f, gconstpointer data)
{
  gint64 day = (gint64) 86400 * G_USEC_PER_SEC, now = g_get_real_time ();
  static const struct { guint id; gint64 age_days; } tests[] = { { 1, 1 }, { 2, 40 }, { 3, 100 } };

  TdIfaceTick *tick;
  TdIfaceTickRow row = { "eth0", 1.0, 8e6, 1e5, 1000000, 12500 };

  f->history = td_history_new (f->dir);
  td_history_set_retention (f->history, 30, 60);
  td_history_set_prune_interval (f->history, 1);
  g_assert_true (td_history_open (f->history, NULL));
  /* each test's interface samples (iface_test_samples), written before
   * the tests end: they go with the test's samples */
  tick = td_iface_tick_new (now);
  g_array_append_val (tick->rows, row);
  for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
    {
      TdIfaceTickTest t = { tests[i].id, 0 };

      g_array_append_val (tick->tests, t);
    }
  g_assert_true (td_history_write (f->history, td_iface_history_write_tick, tick, td_iface_tick_free, 256, 4));
  for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
    {
      g_autoptr(TdTest) t = fake_test_new (tests[i].id, "{'host': <'a.example'>}", 0);
      g_autoptr(GVariant) s = fake_interval ("forward", 0, 1, 1e6, 1, now);

      td_history_watch_test (f->history, t);
      fake_test_interval (t, s);
      fake_test_end (t, "finished", NULL, NULL, NULL, (guint64) (now - tests[i].age_days * day));
    }
  flush (f);
  /* the next prune runs within a second */
  for (int i = 0; i < 100 && query_int (f->db_path, "SELECT count(*) FROM tests") != 2; i++)
    g_usleep (50000);
  g_usleep (200000);
  g_assert_cmpint (query_int (f->db_path, "SELECT count(*) FROM tests"), ==, 2);        /* 3 is gone */
  g_assert_cmpint (query_int (f->db_path, "SELECT count(*) FROM samples WHERE test_id = 1"), ==, 1);
  g_assert_cmpint (query_int (f->db_path, "SELECT count(*) FROM samples WHERE test_id = 2"), ==, 0);
  g_assert_cmpint (query_int (f->db_path, "SELECT samples_pruned FROM tests WHERE id = 2"), ==, 1);
  g_assert_cmpint (query_int (f->db_path, "SELECT count(*) FROM logs WHERE test_id = 2"), ==, 0);
  g_assert_cmpint (query_int (f->db_path, "SELECT count(*) FROM iface_test_samples WHERE test_id = 1"), ==, 1);
  g_assert_cmpint (query_int (f->db_path, "SELECT count(*) FROM iface_test_samples WHERE test_id = 2"), ==, 0);
  g_assert_cmpint (query_int (f->db_path, "SELECT count(*) FROM iface_test_samples WHERE test_id = 3"), ==, 0);
}

static void
test_close_finalises_running (Fixture *f, gconstpointer data)
{
  open_history (f);
  record_test (f->history, 4, "{'host': <'a.example'>}", 3, 1, FALSE, NULL, 1e6);
  td_history_close (f->history);
  g_assert_cmpint (query_int (f->db_path, "SELECT final FROM tests WHERE id = 4"), ==, 1);
  g_assert_cmpint (query_int (f->db_path, "SELECT state = 'interrupted' FROM tests WHERE id = 4"), ==, 1);
  g_assert_cmpint (query_int (f->db_path, "SELECT sample_count FROM tests WHERE id = 4"), ==, 3);
}

static void
test_killed_writer (Fixture *f, gconstpointer data)
{
  /* the child finds the directory by its parent's pid (no setenv() with
   * threads running) */
  if (g_test_subprocess ())
    {
      g_autofree char *dir = g_strdup_printf ("%s/test-history-killed-%d", g_get_tmp_dir (), (int) getppid ());
      g_autoptr(TdHistory) history = td_history_new (dir);

      g_assert_true (td_history_open (history, NULL));
      record_test (history, 5, "{'host': <'a.example'>}", 4, 1, FALSE, NULL, 1e6);
      g_assert_true (td_history_flush_sync (history, WAIT_US));
      remove_tree (f->dir);   /* this process's own, unused, fixture directory */
      _exit (0);   /* as if killed: nothing is closed */
    }
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->db_path);
  f->dir = g_strdup_printf ("%s/test-history-killed-%d", g_get_tmp_dir (), (int) getpid ());
  f->db_path = g_build_filename (f->dir, TD_HISTORY_FILE_NAME, NULL);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  open_history (f);
  g_assert_cmpuint (td_history_get_next_test_id (f->history), ==, 6);
  td_history_close (f->history);
  g_assert_cmpint (query_int (f->db_path, "SELECT state = 'interrupted' AND final = 1 AND sample_count = 4"
                                          " AND end_time_us >= start_time_us"
                                          " AND error_name = 'org.trafficd.Traffic1.Error.Interrupted'"
                                          " FROM tests WHERE id = 5"), ==, 1);
}

/* ---- fixtures of every schema version ---- */

static void
copy_file (const char *from, const char *to)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  g_file_get_contents (from, &contents, &len, &error);
  g_assert_no_error (error);
  g_file_set_contents (to, contents, (gssize) len, &error);
  g_assert_no_error (error);
}

static GVariant *
row_of (GVariant *rows, guint id)
{
  for (gsize i = 0; i < g_variant_n_children (rows); i++)
    {
      GVariant *row = g_variant_get_child_value (rows, i);
      guint32 v;

      if (g_variant_lookup (row, "id", "u", &v) && v == id)
        return row;
      g_variant_unref (row);
    }
  g_error ("no test %u", id);
}

/* What tests/fixtures/history/README.md promises for every version. */
static void
check_fixture_content (TdHistory *history)
{
  g_autoptr(GVariant) list = fake_list (history, "{'order': <'oldest'>}");
  g_autoptr(GVariant) rows = g_variant_get_child_value (list, 0);
  g_autoptr(GVariant) t1 = NULL;
  g_autoptr(GVariant) t2 = NULL;
  g_autoptr(GVariant) t3 = NULL;
  g_autoptr(GVariant) full = NULL;
  g_autoptr(GVariant) samples = NULL;
  g_autoptr(GError) error = NULL;
  guint64 n;

  g_assert_cmpuint (g_variant_n_children (rows), ==, 3);
  t1 = row_of (rows, 1);
  t2 = row_of (rows, 2);
  t3 = row_of (rows, 3);
  g_assert_cmpstr (lookup_s (t1, "state"), ==, "finished");
  g_assert_cmpstr (lookup_s (t1, "label"), ==, "fixture tcp");
  g_assert_cmpstr (lookup_s (t1, "iperf_version"), ==, "3.12");
  g_assert_cmpstr (lookup_s (t1, "remote_address"), ==, "192.0.2.10");
  g_assert_cmpfloat (lookup_d (t1, "forward_receiver_bits_per_second"), ==, 2.9984e9);
  g_assert_cmpint (lookup_x (t1, "forward_retransmits"), ==, 7);
  g_assert_true (g_variant_lookup (t1, "sample_count", "t", &n));
  g_assert_cmpuint (n, ==, 5);
  g_assert_cmpstr (lookup_s (t2, "state"), ==, "failed");
  g_assert_cmpstr (lookup_s (t2, "label"), ==, "fixture, \"udp\"");
  g_assert_cmpstr (lookup_s (t2, "error_name"), ==, "org.trafficd.Traffic1.Error.Timeout");
  g_assert_cmpfloat (lookup_d (t2, "reverse_jitter_ms"), ==, 0.5);
  g_assert_cmpstr (lookup_s (t3, "state"), ==, "interrupted");

  full = fake_get_test (history, 1, "{'max_points': <uint32 0>, 'streams': <true>}", &error);
  g_assert_no_error (error);
  samples = g_variant_get_child_value (full, 1);
  g_assert_cmpuint (g_variant_n_children (samples), ==, 15);   /* 5 totals + 2 × 5 streams */
  {
    /* ordered by direction, seq, stream: the last interval's total is 13th */
    g_autoptr(GVariant) last = g_variant_get_child_value (samples, 12);
    gint32 stream;

    g_assert_true (g_variant_lookup (last, "stream", "i", &stream));
    g_assert_cmpint (stream, ==, -1);
    g_assert_cmpfloat (lookup_d (last, "bits_per_second"), ==, 5e9);
  }
}

static void
test_migrate_fixtures (Fixture *f, gconstpointer data)
{
  const char *dir = TD_HISTORY_FIXTURES;
  g_autoptr(GDir) d = NULL;
  const char *name;
  guint found = 0;
  gboolean seen[TD_HISTORY_SCHEMA_VERSION + 1] = { FALSE, };

  g_assert_nonnull (dir);
  d = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *from = g_build_filename (dir, name, NULL);
      guint version;

      if (!g_str_has_prefix (name, "v") || !g_str_has_suffix (name, ".db"))
        continue;
      version = (guint) g_ascii_strtoull (name + 1, NULL, 10);
      g_assert_cmpuint (version, >=, 1);
      g_assert_cmpuint (version, <=, TD_HISTORY_SCHEMA_VERSION);
      g_test_message ("migrating %s", name);
      g_clear_object (&f->history);
      g_unlink (f->db_path);
      copy_file (from, f->db_path);
      g_assert_cmpint (query_int (f->db_path, "SELECT max(version) FROM schema_version"), ==, version);
      open_history (f);
      g_assert_cmpuint (td_history_get_schema_version (f->history), ==, TD_HISTORY_SCHEMA_VERSION);
      check_fixture_content (f->history);
      td_history_close (f->history);
      g_assert_cmpint (query_int (f->db_path, "SELECT max(version) FROM schema_version"), ==, TD_HISTORY_SCHEMA_VERSION);
      seen[version] = TRUE;
      found++;
    }
  /* a fixture for every version ever released */
  for (guint v = 1; v <= TD_HISTORY_SCHEMA_VERSION; v++)
    if (!seen[v])
      g_error ("no fixture tests/fixtures/history/v%u.db: run tools/make-history-fixture.sh", v);
  g_assert_cmpuint (found, ==, TD_HISTORY_SCHEMA_VERSION);
}

static void
test_newer_schema_refused (Fixture *f, gconstpointer data)
{
  g_autofree char *fixture = g_build_filename (TD_HISTORY_FIXTURES, "v1.db", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *wal = g_strconcat (f->db_path, "-wal", NULL);
  g_autoptr(GError) error = NULL;
  gsize before_len, after_len;

  copy_file (fixture, f->db_path);
  {
    g_autoptr(sqlite3) db = NULL;
    g_autofree char *sql = g_strdup_printf ("INSERT INTO schema_version VALUES (%d, 0)", TD_HISTORY_SCHEMA_VERSION + 1);

    g_assert_cmpint (sqlite3_open (f->db_path, &db), ==, SQLITE_OK);
    g_assert_true (td_sql_exec (db, sql, NULL));
  }
  g_assert_true (g_file_get_contents (f->db_path, &before, &before_len, NULL));

  f->history = td_history_new (f->dir);
  g_assert_false (td_history_open (f->history, &error));
  g_assert_error (error, TR_ERROR, TR_ERROR_UNAVAILABLE);
  g_assert_nonnull (strstr (error->message, "newer"));
  g_assert_cmpstr (td_history_get_status (f->history), ==, TD_HISTORY_STATUS_UNAVAILABLE);
  g_assert_false (td_history_is_available (f->history));
  g_assert_null (td_history_get_moved_aside (f->history)[0]);
  td_history_close (f->history);

  g_assert_true (g_file_get_contents (f->db_path, &after, &after_len, NULL));
  g_assert_cmpuint (before_len, ==, after_len);
  g_assert_true (memcmp (before, after, before_len) == 0);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
}

/* ---- damage ---- */

static void
make_history_with_test (Fixture *f)
{
  open_history (f);
  record_test (f->history, 1, "{'host': <'a.example'>}", 50, 4, FALSE, "finished", 1e6);
  td_history_close (f->history);
  g_clear_object (&f->history);
}

static void
assert_moved_aside_and_fresh (Fixture *f, const char *tag)
{
  const char *const *moved = td_history_get_moved_aside (f->history);
  g_autoptr(GVariant) list = NULL;
  guint32 total;

  g_assert_nonnull (moved[0]);
  g_assert_nonnull (strstr (moved[0], tag));
  g_assert_true (g_file_test (moved[0], G_FILE_TEST_EXISTS));
  g_assert_cmpstr (td_history_get_status (f->history), ==, TD_HISTORY_STATUS_OK);
  g_assert_nonnull (strstr (td_history_get_status_message (f->history), tag));
  /* the fresh database works */
  list = fake_list (f->history, "{}");
  g_variant_get_child (list, 1, "u", &total);
  g_assert_cmpuint (total, ==, 0);
  record_test (f->history, 2, "{'host': <'b.example'>}", 2, 1, FALSE, "finished", 1e6);
  flush (f);
  g_clear_pointer (&list, g_variant_unref);
  list = fake_list (f->history, "{}");
  g_variant_get_child (list, 1, "u", &total);
  g_assert_cmpuint (total, ==, 1);
}

static void
test_corrupt_header (Fixture *f, gconstpointer data)
{
  int fd;

  make_history_with_test (f);
  fd = open (f->db_path, O_WRONLY);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, "this is not a database, not at all, definitely not one", 54), ==, 54);
  close (fd);
  open_history (f);
  assert_moved_aside_and_fresh (f, "damaged");
}

static void
test_corrupt_truncated (Fixture *f, gconstpointer data)
{
  GStatBuf st;

  make_history_with_test (f);
  g_assert_cmpint (g_stat (f->db_path, &st), ==, 0);
  g_assert_cmpint (truncate (f->db_path, st.st_size / 2), ==, 0);
  open_history (f);
  assert_moved_aside_and_fresh (f, "damaged");
}

static void
test_corrupt_pages (Fixture *f, gconstpointer data)
{
  GStatBuf st;
  int fd;
  char junk[4096];

  make_history_with_test (f);
  g_assert_cmpint (g_stat (f->db_path, &st), ==, 0);
  memset (junk, 0x5a, sizeof junk);
  fd = open (f->db_path, O_WRONLY);
  g_assert_cmpint (pwrite (fd, junk, sizeof junk, (st.st_size / 4096 / 2) * 4096), ==, sizeof junk);
  close (fd);
  open_history (f);
  assert_moved_aside_and_fresh (f, "damaged");
}

/* A -wal written by another history database, copied next to ours. */
static void
test_foreign_wal (Fixture *f, gconstpointer data)
{
  g_autofree char *other_dir = g_build_filename (f->dir, "other", NULL);
  g_autofree char *other = g_build_filename (other_dir, TD_HISTORY_FILE_NAME, NULL);
  g_autofree char *other_wal = g_strconcat (other, "-wal", NULL);
  g_autofree char *wal = g_strconcat (f->db_path, "-wal", NULL);
  g_autoptr(sqlite3) db = NULL;
  g_autoptr(GVariant) list = NULL;
  guint32 total;

  make_history_with_test (f);
  /* the other database: a history too, with its own identity */
  {
    g_autoptr(TdHistory) h = td_history_new (other_dir);

    g_assert_true (td_history_open (h, NULL));
    td_history_close (h);
  }
  g_assert_cmpint (sqlite3_open (other, &db), ==, SQLITE_OK);
  g_assert_true (td_sql_exec (db, "PRAGMA wal_autocheckpoint = 0; DELETE FROM tests;"
                                  " INSERT INTO tests (id, state, owner_uid, start_time_us) VALUES (77, 'x', 0, 0);"
                                  " PRAGMA user_version = 12345", NULL));
  copy_file (other_wal, wal);   /* while the other is open, its -wal holds page 1 */
  open_history (f);
  {
    const char *const *moved = td_history_get_moved_aside (f->history);

    g_assert_nonnull (moved[0]);
    g_assert_nonnull (strstr (moved[0], "foreign"));
    g_assert_true (g_str_has_suffix (moved[0], "-wal"));
    g_assert_true (g_file_test (moved[0], G_FILE_TEST_EXISTS));
  }
  /* our own data is intact; the other's row never got in */
  list = fake_list (f->history, "{}");
  g_variant_get_child (list, 1, "u", &total);
  g_assert_cmpuint (total, ==, 1);
  {
    g_autoptr(GVariant) rows = g_variant_get_child_value (list, 0);
    g_autoptr(GVariant) row = row_of (rows, 1);
  }
}

static void
test_garbage_wal (Fixture *f, gconstpointer data)
{
  g_autofree char *wal = g_strconcat (f->db_path, "-wal", NULL);
  char junk[10000];

  make_history_with_test (f);
  for (gsize i = 0; i < sizeof junk; i++)
    junk[i] = (char) g_random_int ();
  g_assert_true (g_file_set_contents (wal, junk, sizeof junk, NULL));
  open_history (f);
  g_assert_nonnull (td_history_get_moved_aside (f->history)[0]);
  g_assert_nonnull (strstr (td_history_get_moved_aside (f->history)[0], "foreign"));
  {
    g_autoptr(GVariant) list = fake_list (f->history, "{}");
    guint32 total;

    g_variant_get_child (list, 1, "u", &total);
    g_assert_cmpuint (total, ==, 1);
  }
}

/* ---- concurrency ---- */

static GVariant *
read_list_all (sqlite3 *db, gpointer data, GError **error)
{
  g_autoptr(TdHistoryFilter) filter = td_history_filter_new (TD_FILTER_KEYS_LIST);

  return td_history_query_list (db, filter, error);
}

/* Another connection holds a read transaction for the whole time: the
 * writer goes on, readers see new data, nobody gets SQLITE_BUSY. */
static void
test_long_reader (Fixture *f, gconstpointer data)
{
  g_autoptr(sqlite3) reader = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;

  open_history (f);
  record_test (f->history, 1, "{'host': <'a.example'>}", 10, 1, FALSE, "finished", 1e6);
  flush (f);
  g_assert_cmpint (sqlite3_open (f->db_path, &reader), ==, SQLITE_OK);
  g_assert_true (td_sql_exec (reader, "BEGIN", NULL));
  g_assert_cmpint (sqlite3_prepare_v2 (reader, "SELECT count(*) FROM samples", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 10);

  for (guint id = 2; id <= 20; id++)
    {
      g_autoptr(GVariant) list = NULL;
      guint32 total;

      record_test (f->history, id, "{'host': <'a.example'>}", 300, 4, FALSE, "finished", 1e6);
      list = td_history_read_sync (f->history, read_list_all, NULL, &error);
      g_assert_no_error (error);
      g_variant_get_child (list, 1, "u", &total);
      g_assert_cmpuint (total, ==, id);
    }
  flush (f);
  g_assert_cmpstr (td_history_get_status (f->history), ==, TD_HISTORY_STATUS_OK);
  /* the old snapshot is still what it was */
  sqlite3_reset (stmt);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 10);
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_assert_true (td_sql_exec (reader, "COMMIT", NULL));
  g_assert_cmpint (query_int (f->db_path, "SELECT count(*) FROM samples"), ==, 10 + 19 * 300);
  g_assert_cmpint (query_int (f->db_path, "SELECT count(*) FROM stream_samples"), ==, 19 * 300 * 4);
}

typedef struct {
  char  *path;
  guint  hold_ms;
} Locker;

static gpointer
hold_write_lock (gpointer data)
{
  Locker *l = data;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (l->path, &db), ==, SQLITE_OK);
  g_assert_true (td_sql_exec (db, "BEGIN IMMEDIATE", NULL));
  g_usleep (l->hold_ms * 1000);
  g_assert_true (td_sql_exec (db, "COMMIT", NULL));
  sqlite3_close (db);
  return NULL;
}

/* Another program holds the write lock for a while: our writer waits for
 * it, reads go on meanwhile, and nothing fails. */
static void
test_external_write_lock (Fixture *f, gconstpointer data)
{
  Locker l;
  GThread *thread;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) list = NULL;

  open_history (f);
  record_test (f->history, 1, "{'host': <'a.example'>}", 5, 1, FALSE, "finished", 1e6);
  flush (f);
  l.path = f->db_path;
  l.hold_ms = 1500;
  thread = g_thread_new ("locker", hold_write_lock, &l);
  g_usleep (200000);
  record_test (f->history, 2, "{'host': <'a.example'>}", 5, 1, FALSE, "finished", 1e6);
  list = td_history_read_sync (f->history, read_list_all, NULL, &error);   /* during the lock */
  g_assert_no_error (error);
  flush (f);
  g_thread_join (thread);
  g_assert_cmpstr (td_history_get_status (f->history), ==, TD_HISTORY_STATUS_OK);
  g_assert_cmpint (query_int (f->db_path, "SELECT count(*) FROM tests"), ==, 2);
}

/* ---- disk full ---- */

static gboolean
in_ci (void)
{
  return g_strcmp0 (g_getenv ("CI"), "true") == 0;
}

static gboolean
need_root (const char *what)
{
  if (geteuid () == 0)
    return TRUE;
  if (in_ci ())
    g_error ("%s needs root (CI=true makes this a failure)", what);
  g_test_skip ("needs root");
  return FALSE;
}

static void
test_disk_full (Fixture *f, gconstpointer data)
{
  g_autofree char *mnt = g_build_filename (f->dir, "small", NULL);
  g_autofree char *filler = NULL;
  g_autoptr(TdTest) t = NULL;
  static const guint ids[] = { 1 };
  char block[4096];
  gint64 now = g_get_real_time ();
  guint emitted = 0;
  DeleteWait w;
  int fd;

  if (!need_root ("the disk-full test (it mounts a 1 MiB tmpfs)"))
    return;
  /* a private mount namespace: the tmpfs disappears with this process */
  if (unshare (CLONE_NEWNS) < 0 || mount ("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
    g_error ("cannot make a private mount namespace: %s", g_strerror (errno));
  g_assert_cmpint (g_mkdir (mnt, 0700), ==, 0);
  if (mount ("tmpfs", mnt, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0700") < 0)
    g_error ("cannot mount a tmpfs on %s: %s", mnt, g_strerror (errno));

  g_free (f->db_path);
  f->db_path = g_build_filename (mnt, TD_HISTORY_FILE_NAME, NULL);
  f->history = td_history_new (mnt);
  td_history_set_buffer_limit (f->history, 8 * 1024 * 1024);
  g_assert_true (td_history_open (f->history, NULL));
  record_test (f->history, 1, "{'host': <'a.example'>}", 5, 1, FALSE, "finished", 1e6);
  flush (f);

  /* fill the disk */
  filler = g_build_filename (mnt, "filler", NULL);
  fd = open (filler, O_WRONLY | O_CREAT, 0600);
  g_assert_cmpint (fd, >=, 0);
  memset (block, 'x', sizeof block);
  while (write (fd, block, sizeof block) > 0)
    ;
  g_assert_cmpint (errno, ==, ENOSPC);
  close (fd);

  /* a test goes on while nothing can be written */
  t = fake_test_new (2, "{'host': <'b.example'>, 'parallel': <uint32 8>}", 0);
  td_history_watch_test (f->history, t);
  fake_test_set_state (t, "running");
  for (; emitted < 300; emitted++)
    {
      g_autoptr(GVariant) s = fake_interval ("forward", emitted, emitted + 1, 1e6, 8, now + emitted);

      fake_test_interval (t, s);
      if (emitted == 10)
        wait_status (f->history, TD_HISTORY_STATUS_STORAGE_FULL, WAIT_US);
    }
  g_assert_cmpstr (td_history_get_status (f->history), ==, TD_HISTORY_STATUS_STORAGE_FULL);
  g_assert_nonnull (strstr (td_history_get_status_message (f->history), "full"));
  /* writes that must answer now fail clearly */
  w = delete_ids (f->history, ids, 1);
  g_assert_false (w.ok);
  g_assert_error (w.error, TR_ERROR, TR_ERROR_STORAGE_FULL);
  g_clear_error (&w.error);
  {
    guint queued;
    guint64 dropped;

    td_history_get_counts (f->history, &queued, &dropped);
    g_assert_cmpuint (queued, >, 0);
    g_assert_cmpuint (dropped, ==, 0);
  }
  fake_test_end (t, "finished", NULL, NULL, NULL, (guint64) g_get_real_time ());

  /* space returns: everything buffered is written, the database is sound */
  g_assert_cmpint (g_unlink (filler), ==, 0);
  wait_status (f->history, TD_HISTORY_STATUS_OK, 3 * WAIT_US);
  flush (f);
  td_history_close (f->history);
  g_assert_cmpint (query_int (f->db_path, "SELECT count(*) FROM samples WHERE test_id = 2"), ==, emitted);
  g_assert_cmpint (query_int (f->db_path, "SELECT count(DISTINCT seq) FROM samples WHERE test_id = 2"), ==, emitted);
  g_assert_cmpint (query_int (f->db_path, "SELECT count(*) FROM stream_samples WHERE test_id = 2"), ==, emitted * 8);
  g_assert_cmpint (query_int (f->db_path, "SELECT final FROM tests WHERE id = 2"), ==, 1);
  g_assert_cmpint (query_int (f->db_path, "SELECT sample_count FROM tests WHERE id = 2"), ==, emitted);
  g_assert_cmpint (query_int (f->db_path, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check != 'ok'"),
                   ==, 0);
  g_clear_object (&f->history);
  umount2 (mnt, MNT_DETACH);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* damage, a full disk and killed writers are logged as warnings, on
   * purpose; criticals stay fatal */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);

#define ADD(path, func) g_test_add ("/history/" path, Fixture, NULL, setup, func, teardown)
  ADD ("open-fresh", test_open_fresh);
  ADD ("second-instance", test_second_instance);
  ADD ("record-roundtrip", test_record_roundtrip);
  ADD ("filters-paging", test_filters_paging);
  g_test_add_func ("/history/filter-errors", test_filter_errors);
  ADD ("downsample-peaks", test_downsample_peaks);
  g_test_add_func ("/history/quantiles", test_quantiles);
  ADD ("trends", test_trends);
  g_test_add_func ("/history/csv-format", test_csv_format);
  ADD ("export", test_export);
  g_test_add_func ("/history/export-bad-fd", test_export_bad_fd);
  g_test_add_func ("/history/variant-wire", test_variant_wire);
  ADD ("delete", test_delete);
  ADD ("retention", test_retention);
  ADD ("close-finalises-running", test_close_finalises_running);
  ADD ("killed-writer", test_killed_writer);
  ADD ("migrate-fixtures", test_migrate_fixtures);
  ADD ("newer-schema-refused", test_newer_schema_refused);
  ADD ("corrupt-header", test_corrupt_header);
  ADD ("corrupt-truncated", test_corrupt_truncated);
  ADD ("corrupt-pages", test_corrupt_pages);
  ADD ("foreign-wal", test_foreign_wal);
  ADD ("garbage-wal", test_garbage_wal);
  ADD ("long-reader", test_long_reader);
  ADD ("external-write-lock", test_external_write_lock);
  ADD ("disk-full", test_disk_full);
#undef ADD
  return g_test_run ();
}
