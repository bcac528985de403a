/* make-history-fixture.c: writes the fixture database of the current
 * schema version with the real history code (tools/make-history-fixture.sh
 * runs it; the result is committed as tests/fixtures/history/vN.db and
 * never regenerated). What it holds is in tests/fixtures/history/README.md
 * and checked for every version by tests/test-history.c.
 *
 *   make-history-fixture --record DIR   records the tests into DIR and
 *                                       exits without closing, as a killed
 *                                       service would (test 3 stays running)
 *   make-history-fixture --finish DIR OUT  folds the -wal into the file,
 *                                       switches it to a rollback journal
 *                                       (one self-contained file) and
 *                                       copies it to OUT */
#include "config.h"

#include "history-fake.h"
#include "td-history-sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void
record (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdHistory) history = td_history_new (dir);
  g_autoptr(TdTest) t1 = NULL;
  g_autoptr(TdTest) t2 = NULL;
  g_autoptr(TdTest) t3 = NULL;
  gint64 now = g_get_real_time ();

  if (!td_history_open (history, &error))
    g_error ("cannot open %s: %s", dir, error->message);

  /* 1: TCP forward, 2 streams, finished */
  t1 = fake_test_new (1, "{'host': <'192.0.2.10'>, 'parallel': <uint32 2>, 'duration': <uint32 5>,"
                         " 'label': <'fixture tcp'>}", 1000);
  td_history_watch_test (history, t1);
  fake_test_record (t1, "hello", "{'pid': <uint32 4242>, 'iperf_version': <'3.12'>}");
  fake_test_record (t1, "resolved", "{'host': <'192.0.2.10'>, 'address': <'192.0.2.10'>}");
  fake_test_record (t1, "connected", "{'socket': <5>, 'local_address': <'192.0.2.1'>, 'local_port': <uint32 40000>,"
                                     " 'remote_address': <'192.0.2.10'>, 'remote_port': <uint32 5201>}");
  fake_test_set_state (t1, "running");
  for (int i = 0; i < 5; i++)
    {
      g_autoptr(GVariant) s = fake_interval ("forward", i, i + 1, 1e9 * (i + 1), 2, now + i * G_USEC_PER_SEC);
      fake_test_interval (t1, s);
    }
  fake_test_log (t1, 6, "Connecting to host 192.0.2.10, port 5201");
  fake_test_log (t1, 4, "a warning, with a comma and \"quotes\"");
  fake_test_log (t1, 6, "iperf Done.");
  fake_test_end (t1, "finished",
                 "{'forward': <{'sender_bytes': <uint64 1875000000>, 'sender_bits_per_second': <3e9>,"
                 " 'receiver_bytes': <uint64 1874000000>, 'receiver_bits_per_second': <2.9984e9>,"
                 " 'seconds': <5.0>, 'retransmits': <int64 7>}>, 'cpu_local_percent': <12.5>,"
                 " 'cpu_remote_percent': <30.25>, 'exact': <true>, 'partial': <false>,"
                 " 'protocol': <'tcp'>, 'streams': <uint32 2>, 'iperf_version': <'3.12'>}",
                 NULL, NULL, (guint64) (now + 5 * G_USEC_PER_SEC));

  /* 2: UDP reverse, failed; a label that needs CSV quoting */
  t2 = fake_test_new (2, "{'host': <'fixture.example'>, 'protocol': <'udp'>, 'direction': <'reverse'>,"
                         " 'bitrate': <uint64 10000000>, 'label': <'fixture, \"udp\"'>}", 0);
  td_history_watch_test (history, t2);
  fake_test_set_state (t2, "running");
  for (int i = 0; i < 3; i++)
    {
      GVariantDict d;
      g_autoptr(GVariant) base = fake_interval ("reverse", i, i + 1, 1e7, 1, now + i * G_USEC_PER_SEC);
      g_autoptr(GVariant) s = NULL;

      g_variant_dict_init (&d, base);
      g_variant_dict_insert (&d, "jitter_ms", "d", 0.25 * (i + 1));
      g_variant_dict_insert (&d, "lost_packets", "t", (guint64) i);
      g_variant_dict_insert (&d, "packets", "t", (guint64) 100);
      g_variant_dict_insert (&d, "lost_percent", "d", (double) i);
      g_variant_dict_remove (&d, "retransmits");
      s = g_variant_ref_sink (g_variant_dict_end (&d));
      fake_test_interval (t2, s);
    }
  fake_test_end (t2, "failed", "{'reverse': <{'receiver_bytes': <uint64 3750000>, 'jitter_ms': <0.5>,"
                               " 'lost_packets': <uint64 3>, 'packets': <uint64 300>, 'lost_percent': <1.0>}>,"
                               " 'exact': <false>, 'partial': <true>}",
                 "org.trafficd.Traffic1.Error.Timeout", "no data for 10 s", (guint64) (now + 3 * G_USEC_PER_SEC));

  /* 3: still running when the "service" dies */
  t3 = fake_test_new (3, "{'host': <'192.0.2.30'>, 'duration': <uint32 0>}", 1000);
  td_history_watch_test (history, t3);
  fake_test_set_state (t3, "running");
  for (int i = 0; i < 2; i++)
    {
      g_autoptr(GVariant) s = fake_interval ("forward", i, i + 1, 5e8, 1, now + i * G_USEC_PER_SEC);
      fake_test_interval (t3, s);
    }

  if (!td_history_flush_sync (history, 10 * G_USEC_PER_SEC))
    g_error ("the writer did not finish");
  fflush (NULL);
  _exit (0);   /* no close: test 3 stays non-final, as after a crash */
}

static void
finish (const char *dir, const char *out)
{
  g_autofree char *path = g_build_filename (dir, TD_HISTORY_FILE_NAME, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;
  gsize len;

  if (sqlite3_open (path, &db) != SQLITE_OK ||
      !td_sql_exec (db, "PRAGMA journal_mode = DELETE; VACUUM", &error))
    g_error ("cannot fold %s: %s", path, error ? error->message : sqlite3_errmsg (db));
  sqlite3_close (db);
  if (!g_file_get_contents (path, &contents, &len, &error) ||
      !g_file_set_contents (out, contents, (gssize) len, &error))
    g_error ("%s", error->message);
}

int
main (int argc, char **argv)
{
  if (argc == 3 && g_strcmp0 (argv[1], "--record") == 0)
    record (argv[2]);
  else if (argc == 4 && g_strcmp0 (argv[1], "--finish") == 0)
    finish (argv[2], argv[3]);
  else
    {
      fprintf (stderr, "usage: %s --record DIR | --finish DIR OUT\n", argv[0]);
      return 2;
    }
  return 0;
}
