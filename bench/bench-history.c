/* bench-history.c: the history store's throughput and query times.
 *
 *   build/tests/bench-history [DIR]      (or: meson test -C build --benchmark history)
 *
 * Everything goes through the real code: fake TdTest objects emit the same
 * GObject signals a running test emits, TdHistory records them through its
 * writer thread, and queries run in its reader threads (td_history_read_sync,
 * the path a D-Bus call takes, minus the D-Bus serialization).
 *
 *  1. insert rate: intervals of 128 streams (129 rows each) and of 1
 *     stream, from the first signal until the writer has committed the
 *     last row; also the main thread's cost per interval (what could delay
 *     D-Bus replies);
 *  2. 10,000 tests: ListTests (first page of 100, and all 10,000), trends;
 *  3. one test of 1,000,000 samples: GetTest downsampled to 1,000 points.
 * Goals (issue 4): >= 200,000 rows/s; < 20 ms for each query. */
#include "config.h"

#include "history-fake.h"
#include "td-history-query.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>

#define QUERY_RUNS 21

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_unlink (child);
    }
  g_rmdir (path);
}

/* Inserts @n intervals of @streams streams into test @id; rows/s. */
static double
insert_rate (TdHistory *history, guint id, guint n, guint streams, gboolean distinct, double *main_us_mean,
             double *main_us_max, double *rollup_s)
{
  g_autoptr(TdTest) t = fake_test_new (id, streams > 1 ? "{'host': <'bench'>, 'parallel': <uint32 128>}"
                                                       : "{'host': <'bench'>}", 0);
  g_autoptr(GPtrArray) samples = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  guint rows_per = streams > 1 ? streams + 1 : 1;
  gint64 start, end;
  double main_total = 0, main_max = 0;

  td_history_watch_test (history, t);
  fake_test_set_state (t, "running");
  /* the samples exist before the clock starts: making them is the
   * helper's and the parser's work, not the store's. Each is its own
   * object, as in the service (a shared one would make both threads fight
   * over its reference count); @distinct 0 reuses 1000 (untimed runs) */
  {
    g_autoptr(GVariant) tree = fake_interval ("forward", 0.0, 0.1, 1e9, streams, 1);
    g_autoptr(GVariant) normal = g_variant_get_normal_form (tree);
    gsize size = g_variant_get_size (normal);
    gconstpointer data = g_variant_get_data (normal);

    for (guint i = 0; i < (distinct ? n : MIN (n, 1000)); i++)
      {
        gpointer copy = g_memdup2 (data, size);

        g_ptr_array_add (samples, g_variant_ref_sink (g_variant_new_from_data (G_VARIANT_TYPE_VARDICT, copy, size,
                                                                                TRUE, g_free, copy)));
      }
  }
  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      gint64 t0 = g_get_monotonic_time ();
      double us;

      fake_test_interval (t, g_ptr_array_index (samples, i % samples->len));
      us = (double) (g_get_monotonic_time () - t0);
      main_total += us;
      main_max = MAX (main_max, us);
    }
  if (!td_history_flush_sync (history, 600 * G_USEC_PER_SEC))
    g_error ("the writer did not finish");
  end = g_get_monotonic_time ();
  /* ending it builds its rollups: timed apart */
  fake_test_end (t, "finished", NULL, NULL, NULL, (guint64) g_get_real_time ());
  if (!td_history_flush_sync (history, 600 * G_USEC_PER_SEC))
    g_error ("the writer did not finish");
  *rollup_s = (double) (g_get_monotonic_time () - end) / G_USEC_PER_SEC;
  *main_us_mean = main_total / n;
  *main_us_max = main_max;
  return (double) n * rows_per / ((double) (end - start) / G_USEC_PER_SEC);
}

typedef struct {
  TdHistoryFilter *filter;
  guint            id;
  int              what;   /* 0 list, 1 test, 2 trends */
} Query;

static GVariant *
run_query (sqlite3 *db, gpointer data, GError **error)
{
  Query *q = data;

  switch (q->what)
    {
    case 0: return td_history_query_list (db, q->filter, error);
    case 1: return td_history_query_test (db, q->id, q->filter, error);
    default: return td_history_query_trends (db, q->filter, error);
    }
}

/* Median and max of QUERY_RUNS runs in ms; *items the size of the reply. */
static void
time_query (TdHistory *history, Query *q, double *median, double *max, gsize *items)
{
  double ms[QUERY_RUNS];

  for (int i = 0; i < QUERY_RUNS; i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr(GVariant) reply = td_history_read_sync (history, run_query, q, &error);

      ms[i] = (double) (g_get_monotonic_time () - t0) / 1000.0;
      if (reply == NULL)
        g_error ("query failed: %s", error->message);
      {
        g_autoptr(GVariant) first = g_variant_get_child_value (reply, q->what == 1 ? 1 : 0);
        *items = g_variant_n_children (first);
      }
    }
  qsort (ms, QUERY_RUNS, sizeof (double), compare_doubles);
  *median = ms[QUERY_RUNS / 2];
  *max = ms[QUERY_RUNS - 1];
}

static TdHistoryFilter *
filter (const char *text, TdFilterKeys keys)
{
  g_autoptr(GVariant) dict = g_variant_parse (G_VARIANT_TYPE_VARDICT, text, NULL, NULL, NULL);
  g_autoptr(GError) error = NULL;
  TdHistoryFilter *f = td_history_filter_parse (dict, keys, &error);

  g_assert_no_error (error);
  return f;
}

int
main (int argc, char **argv)
{
  g_autofree char *dir = argc > 1 ? g_strdup (argv[1]) : g_dir_make_tmp ("bench-history-XXXXXX", NULL);
  g_autoptr(TdHistory) history = td_history_new (dir);
  g_autoptr(GError) error = NULL;
  double rate128, rate1, mean128, max128, mean1, max1, median, max, rollup128, rollup1, rollup_1m;
  gsize items;
  guint id = 1;
  gint64 t0;

  /* the producer here is far faster than any test: let it queue
   * everything, the rate is the writer's */
  td_history_set_buffer_limit (history, (gsize) 8 * 1024 * 1024 * 1024);
  if (!td_history_open (history, &error))
    g_error ("%s", error->message);
  {
    g_autofree char *load = NULL;

    g_file_get_contents ("/proc/loadavg", &load, NULL, NULL);
    printf ("history benchmark in %s (SQLite %s, %u CPUs, load average at start: %s)\n\n", dir,
            sqlite3_libversion (), g_get_num_processors (), load ? g_strstrip (load) : "?");
  }

  rate128 = insert_rate (history, id++, 10000, 128, TRUE, &mean128, &max128, &rollup128);
  rate1 = insert_rate (history, id++, 500000, 1, TRUE, &mean1, &max1, &rollup1);
  printf ("| insert, intervals of 128 streams (129 rows each), 10,000 intervals | %.0f rows/s |\n", rate128);
  printf ("| insert, intervals of 1 stream, 500,000 intervals | %.0f rows/s |\n", rate1);
  printf ("| main-thread cost per 128-stream interval (signal + queueing) | mean %.1f µs, max %.0f µs |\n",
          mean128, max128);
  printf ("| main-thread cost per 1-stream interval | mean %.2f µs, max %.0f µs |\n", mean1, max1);
  printf ("| end of test: rollups of 10,000 / 500,000 samples (writer thread) | %.2f s / %.2f s |\n", rollup128, rollup1);
  fflush (stdout);

  /* one test of 1,000,000 samples */
  t0 = g_get_monotonic_time ();
  {
    double m, x;
    insert_rate (history, id++, 1000000, 1, FALSE, &m, &x, &rollup_1m);
  }
  {
    Query q = { filter ("{'max_points': <uint32 1000>}", TD_FILTER_KEYS_TEST), id - 1, 1 };

    time_query (history, &q, &median, &max, &items);
    printf ("| GetTest of 1,000,000 samples, max_points 1000 (%zu points; insert + rollups took %.1f s) | median %.2f ms, max %.2f ms |\n",
            items, (double) (g_get_monotonic_time () - t0) / G_USEC_PER_SEC, median, max);
    td_history_filter_free (q.filter);
  }
  fflush (stdout);

  /* 10,000 tests (the 3 above count too) */
  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < 10000 - 3; i++)
    {
      g_autoptr(TdTest) t = NULL;
      g_autofree char *options = g_strdup_printf ("{'host': <'host%u.example'>, 'label': <'label%u'>}", i % 20, i % 7);
      g_autofree char *result = g_strdup_printf ("{'forward': <{'receiver_bits_per_second': <%f>}>}", 1e8 + i);

      t = fake_test_new (id++, options, 1000);
      td_history_watch_test (history, t);
      fake_test_end (t, "finished", result, NULL, NULL, (guint64) g_get_real_time ());
    }
  td_history_flush_sync (history, 600 * G_USEC_PER_SEC);
  printf ("| (recording 10,000 test rows took %.1f s) | |\n", (double) (g_get_monotonic_time () - t0) / G_USEC_PER_SEC);
  {
    Query q = { filter ("{}", TD_FILTER_KEYS_LIST), 0, 0 };

    time_query (history, &q, &median, &max, &items);
    printf ("| ListTests of 10,000 tests, first page (%zu rows) | median %.2f ms, max %.2f ms |\n", items, median, max);
    td_history_filter_free (q.filter);
  }
  {
    Query q = { filter ("{'host': <'host7.example'>, 'limit': <100>, 'offset': <uint32 200>}", TD_FILTER_KEYS_LIST), 0, 0 };

    time_query (history, &q, &median, &max, &items);
    printf ("| ListTests of 10,000 tests, host filter, third page (%zu rows) | median %.2f ms, max %.2f ms |\n",
            items, median, max);
    td_history_filter_free (q.filter);
  }
  {
    Query q = { filter ("{'limit': <1000>, 'offset': <uint32 5000>}", TD_FILTER_KEYS_LIST), 0, 0 };

    time_query (history, &q, &median, &max, &items);
    printf ("| ListTests of 10,000 tests, a page of the largest size (%zu rows, offset 5000) | median %.2f ms, max %.2f ms |\n",
            items, median, max);
    td_history_filter_free (q.filter);
  }
  {
    Query q = { filter ("{'limit': <1000>, 'offset': <uint32 5000>, 'columns': <['start_time_us', 'state', 'host', 'protocol', 'label',"
                        " 'forward_receiver_bits_per_second', 'reverse_receiver_bits_per_second']>}",
                        TD_FILTER_KEYS_LIST), 0, 0 };

    time_query (history, &q, &median, &max, &items);
    printf ("| ListTests of 10,000 tests, the same page, 8 columns (%zu rows) | median %.2f ms, max %.2f ms |\n",
            items, median, max);
    td_history_filter_free (q.filter);
  }
  {
    Query q = { filter ("{'bucket_seconds': <3600>}", TD_FILTER_KEYS_TRENDS), 0, 2 };

    time_query (history, &q, &median, &max, &items);
    printf ("| GetTrends over 10,000 tests per host, 1 h buckets (%zu buckets) | median %.2f ms, max %.2f ms |\n",
            items, median, max);
    td_history_filter_free (q.filter);
  }

  {
    g_autofree char *load = NULL;

    g_file_get_contents ("/proc/loadavg", &load, NULL, NULL);
    printf ("\nload average at the end: %s\n", load ? g_strstrip (load) : "?");
  }
  td_history_close (history);
  if (argc <= 1)
    remove_tree (dir);
  return 0;
}
