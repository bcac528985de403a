/* td-history-schema.c: every schema version, and the way up from each.
 *
 * Versions (never edit a released step; add a new one):
 *
 *   1  tests (one row per test: options, owner, environment, final state,
 *      result summary per direction), samples (every interval per
 *      direction, all streams together), stream_samples (the same per
 *      stream, for two or more), sample_rollups (min/mean/max over 16^level
 *      consecutive samples, for fast downsampling), logs (every log line).
 *   2  interface history (td-iface-history.c): iface_names, iface_samples
 *      (every tick, kept 24 h), iface_rollups (1 min and 1 h buckets with
 *      min/avg/max/p95), iface_test_samples (the test's interface while it
 *      runs, deleted with the test).
 *
 * A committed database of every version lives in tests/fixtures/history/
 * (tools/make-history-fixture.sh); tests/test-history.c migrates each. */
#include "config.h"

#include "td-history-schema.h"
#include "td-history-sql.h"
#include "tr-error.h"

typedef struct {
  guint       version;
  const char *summary;
  const char *sql;
} Migration;

static const char v1_sql[] =
  "CREATE TABLE schema_version ("
  "  version    INTEGER NOT NULL,"
  "  applied_us INTEGER NOT NULL"          /* when this version was reached */
  ");"
  "CREATE TABLE tests ("
  "  id                      INTEGER PRIMARY KEY," /* Test.Id on the bus */
  "  role                    TEXT NOT NULL DEFAULT 'client',"
  "  state                   TEXT NOT NULL,"
  "  final                   INTEGER NOT NULL DEFAULT 0,"
  "  owner_uid               INTEGER NOT NULL,"
  "  caller_executable       TEXT,"
  "  label                   TEXT NOT NULL DEFAULT '',"
  "  host                    TEXT NOT NULL DEFAULT '',"
  "  port                    INTEGER,"
  "  protocol                TEXT NOT NULL DEFAULT '',"
  "  direction               TEXT NOT NULL DEFAULT '',"
  "  streams                 INTEGER,"
  "  duration_seconds        INTEGER,"
  "  bytes_limit_bytes       INTEGER,"
  "  bitrate_bits_per_second INTEGER,"
  "  interval_seconds        REAL,"
  "  omit_seconds            INTEGER,"
  "  bind_address            TEXT,"
  "  length_bytes            INTEGER,"
  "  window_bytes            INTEGER,"
  "  tos                     INTEGER,"
  "  congestion              TEXT,"
  "  zerocopy                INTEGER,"
  "  connect_timeout_seconds REAL,"
  "  receive_timeout_seconds REAL,"
  "  options                 TEXT,"        /* Test.Options, GVariant text */
  "  start_time_us           INTEGER NOT NULL,"
  "  running_since_us        INTEGER,"
  "  end_time_us             INTEGER,"
  "  error_name              TEXT,"
  "  error_message           TEXT,"
  "  exact                   INTEGER,"
  "  partial                 INTEGER,"
  "  forward_sender_bytes              INTEGER,"
  "  forward_sender_bits_per_second    REAL,"
  "  forward_receiver_bytes            INTEGER,"
  "  forward_receiver_bits_per_second  REAL,"
  "  forward_seconds                   REAL,"
  "  forward_retransmits               INTEGER,"
  "  forward_jitter_ms                 REAL,"
  "  forward_lost_packets              INTEGER,"
  "  forward_packets                   INTEGER,"
  "  forward_lost_percent              REAL,"
  "  reverse_sender_bytes              INTEGER,"
  "  reverse_sender_bits_per_second    REAL,"
  "  reverse_receiver_bytes            INTEGER,"
  "  reverse_receiver_bits_per_second  REAL,"
  "  reverse_seconds                   REAL,"
  "  reverse_retransmits               INTEGER,"
  "  reverse_jitter_ms                 REAL,"
  "  reverse_lost_packets              INTEGER,"
  "  reverse_packets                   INTEGER,"
  "  reverse_lost_percent              REAL,"
  "  cpu_local_percent       REAL,"
  "  cpu_remote_percent      REAL,"
  "  result                  TEXT,"        /* Test.Result, GVariant text */
  "  hostname                TEXT,"
  "  kernel                  TEXT,"
  "  iperf_version           TEXT,"
  "  resolved_address        TEXT,"
  "  local_address           TEXT,"
  "  local_port              INTEGER,"
  "  remote_address          TEXT,"
  "  remote_port             INTEGER,"
  "  interface               TEXT,"
  "  link_speed_bits_per_second INTEGER,"
  "  network_connection      TEXT,"        /* NetworkManager connection: not filled yet */
  "  sample_count            INTEGER NOT NULL DEFAULT 0,"
  "  dropped_samples         INTEGER NOT NULL DEFAULT 0,"
  "  samples_pruned          INTEGER NOT NULL DEFAULT 0,"
  "  rollups_built           INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE INDEX tests_by_start ON tests (start_time_us);"
  "CREATE INDEX tests_by_host ON tests (host, start_time_us);"
  "CREATE INDEX tests_by_label ON tests (label, start_time_us);"
  "CREATE INDEX tests_by_end ON tests (final, end_time_us);"
  /* all streams together; appended in key order */
  "CREATE TABLE samples ("
  "  test_id         INTEGER NOT NULL,"
  "  direction       INTEGER NOT NULL,"    /* 0 forward, 1 reverse */
  "  seq             INTEGER NOT NULL,"    /* interval number per test and direction */
  "  timestamp_us    INTEGER NOT NULL,"
  "  start_seconds   REAL NOT NULL,"
  "  end_seconds     REAL NOT NULL,"
  "  bytes           INTEGER NOT NULL,"
  "  bits_per_second REAL NOT NULL,"
  "  omitted         INTEGER NOT NULL DEFAULT 0,"
  "  retransmits     INTEGER,"
  "  cwnd_bytes      INTEGER,"
  "  jitter_ms       REAL,"
  "  lost_packets    INTEGER,"
  "  packets         INTEGER,"
  "  lost_percent    REAL,"
  "  PRIMARY KEY (test_id, direction, seq)"
  ") WITHOUT ROWID;"
  /* each stream of an interval with two or more (times: the samples row) */
  "CREATE TABLE stream_samples ("
  "  test_id         INTEGER NOT NULL,"
  "  seq             INTEGER NOT NULL,"
  "  direction       INTEGER NOT NULL,"
  "  stream          INTEGER NOT NULL,"    /* 0-based index in the interval */
  "  socket          INTEGER,"             /* iperf's [ID] */
  "  bytes           INTEGER NOT NULL,"
  "  bits_per_second REAL NOT NULL,"
  "  omitted         INTEGER NOT NULL DEFAULT 0,"
  "  retransmits     INTEGER,"
  "  cwnd_bytes      INTEGER,"
  "  jitter_ms       REAL,"
  "  lost_packets    INTEGER,"
  "  packets         INTEGER,"
  "  lost_percent    REAL,"
  "  PRIMARY KEY (test_id, seq, direction, stream)"
  ") WITHOUT ROWID;"
  "CREATE TABLE sample_rollups ("
  "  test_id             INTEGER NOT NULL,"
  "  direction           INTEGER NOT NULL,"
  "  level               INTEGER NOT NULL," /* a bucket holds 16^level samples */
  "  bucket              INTEGER NOT NULL," /* seq / 16^level */
  "  samples             INTEGER NOT NULL,"
  "  timestamp_us        INTEGER NOT NULL," /* of the last sample */
  "  start_seconds       REAL NOT NULL,"
  "  end_seconds         REAL NOT NULL,"
  "  seconds             REAL NOT NULL,"    /* sum of the samples' durations */
  "  bytes               INTEGER NOT NULL,"
  "  bits_per_second     REAL NOT NULL,"    /* time-weighted mean */
  "  min_bits_per_second REAL NOT NULL,"
  "  max_bits_per_second REAL NOT NULL,"
  "  omitted             INTEGER NOT NULL," /* 1 when every sample was */
  "  retransmits         INTEGER,"
  "  cwnd_bytes          INTEGER,"          /* largest */
  "  jitter_ms           REAL,"             /* mean */
  "  lost_packets        INTEGER,"
  "  packets             INTEGER,"
  "  PRIMARY KEY (test_id, direction, level, bucket)"
  ") WITHOUT ROWID;"
  "CREATE TABLE logs ("
  "  test_id      INTEGER NOT NULL,"
  "  seq          INTEGER NOT NULL,"
  "  timestamp_us INTEGER NOT NULL,"
  "  level        INTEGER NOT NULL,"       /* syslog priority */
  "  text         TEXT NOT NULL,"
  "  PRIMARY KEY (test_id, seq)"
  ") WITHOUT ROWID;";

static const char v2_sql[] =
  "CREATE TABLE iface_names ("
  "  id   INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL UNIQUE"
  ");"
  "CREATE TABLE iface_samples ("
  "  iface_id           INTEGER NOT NULL,"
  "  timestamp_us       INTEGER NOT NULL,"  /* when the counters were read */
  "  seconds            REAL NOT NULL,"     /* since the previous reading */
  "  rx_bits_per_second REAL NOT NULL,"
  "  tx_bits_per_second REAL NOT NULL,"
  "  rx_bytes           INTEGER NOT NULL,"  /* over the tick */
  "  tx_bytes           INTEGER NOT NULL,"
  "  PRIMARY KEY (iface_id, timestamp_us)"
  ") WITHOUT ROWID;"
  "CREATE TABLE iface_rollups ("
  "  iface_id   INTEGER NOT NULL,"
  "  resolution INTEGER NOT NULL,"          /* seconds: 60 or 3600 */
  "  bucket_us  INTEGER NOT NULL,"          /* start of the bucket */
  "  samples    INTEGER NOT NULL,"
  "  seconds    REAL NOT NULL,"
  "  rx_min REAL NOT NULL, rx_avg REAL NOT NULL, rx_max REAL NOT NULL, rx_p95 REAL NOT NULL,"
  "  tx_min REAL NOT NULL, tx_avg REAL NOT NULL, tx_max REAL NOT NULL, tx_p95 REAL NOT NULL,"
  "  rx_bytes   INTEGER NOT NULL,"
  "  tx_bytes   INTEGER NOT NULL,"
  "  PRIMARY KEY (iface_id, resolution, bucket_us)"
  ") WITHOUT ROWID;"
  "CREATE TABLE iface_test_samples ("
  "  test_id            INTEGER NOT NULL,"
  "  timestamp_us       INTEGER NOT NULL,"
  "  interface          TEXT NOT NULL,"
  "  seconds            REAL NOT NULL,"
  "  rx_bits_per_second REAL NOT NULL,"
  "  tx_bits_per_second REAL NOT NULL,"
  "  rx_bytes           INTEGER NOT NULL,"
  "  tx_bytes           INTEGER NOT NULL,"
  "  PRIMARY KEY (test_id, timestamp_us)"
  ") WITHOUT ROWID;"
  "CREATE TRIGGER iface_test_samples_of_deleted_test AFTER DELETE ON tests BEGIN"
  "  DELETE FROM iface_test_samples WHERE test_id = OLD.id;"
  " END;";

static const Migration migrations[] = {
  { 1, "tests, samples, stream_samples, sample_rollups, logs", v1_sql },
  { 2, "interface history: iface_names, iface_samples, iface_rollups, iface_test_samples", v2_sql },
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == TD_HISTORY_SCHEMA_VERSION);

gboolean
td_history_schema_read_version (sqlite3 *db, guint *version, GError **error)
{
  g_autoptr(sqlite3_stmt) count = NULL;
  g_autoptr(sqlite3_stmt) max = NULL;
  int rc;

  count = td_sql_prepare (db, "SELECT count(*) FROM sqlite_master", error);
  if (count == NULL)
    return FALSE;
  rc = sqlite3_step (count);
  if (rc != SQLITE_ROW)
    {
      td_sql_set_error (error, db, rc, "reading the schema");
      return FALSE;
    }
  if (sqlite3_column_int64 (count, 0) == 0)
    {
      *version = 0;
      return TRUE;
    }

  rc = sqlite3_prepare_v2 (db, "SELECT max(version) FROM schema_version", -1, &max, NULL);
  if (rc == SQLITE_ERROR)
    {
      g_set_error (error, TD_SQL_ERROR, TD_SQL_ERROR_CORRUPT,
                   "the file holds tables but no schema_version: it is not a trafficd history database");
      return FALSE;
    }
  if (rc != SQLITE_OK)
    {
      td_sql_set_error (error, db, rc, "reading the schema version");
      return FALSE;
    }
  rc = sqlite3_step (max);
  if (rc != SQLITE_ROW || sqlite3_column_type (max, 0) == SQLITE_NULL)
    {
      if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        g_set_error (error, TD_SQL_ERROR, TD_SQL_ERROR_CORRUPT, "the schema_version table is empty");
      else
        td_sql_set_error (error, db, rc, "reading the schema version");
      return FALSE;
    }
  *version = (guint) CLAMP (sqlite3_column_int64 (max, 0), 0, G_MAXUINT);
  return TRUE;
}

/* The new database's identity: a random user_version, so that a -wal file
 * of another database can be recognised (td-history-file.c). The value is
 * ours, not the caller's; PRAGMA takes no bound parameter. */
gboolean
td_history_schema_set_identity (sqlite3 *db, GError **error)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA application_id = %d; PRAGMA user_version = %d",
                                          TD_HISTORY_APPLICATION_ID,
                                          (int) g_random_int_range (1, G_MAXINT32));

  return td_sql_exec (db, sql, error);
}

static gboolean
apply (sqlite3 *db, const Migration *m, GError **error)
{
  g_autoptr(TdSqlTransaction) txn = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  txn = td_sql_begin (db, TRUE, error);
  if (txn == NULL)
    return FALSE;
  if (!td_sql_exec (db, m->sql, error))
    {
      g_prefix_error (error, "schema version %u: ", m->version);
      return FALSE;
    }
  stmt = td_sql_prepare (db, "INSERT INTO schema_version (version, applied_us) VALUES (?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, m->version);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time ());
  if (!td_sql_step_done (stmt, error))
    return FALSE;
  return td_sql_commit (txn, error);
}

gboolean
td_history_schema_migrate (sqlite3 *db, guint from, GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (migrations); i++)
    {
      const Migration *m = &migrations[i];

      if (m->version <= from)
        continue;
      if (!apply (db, m, error))
        return FALSE;
      if (from == 0)
        g_debug ("history: created schema version %u (%s)", m->version, m->summary);
      else
        g_info ("history: migrated the database to schema version %u (%s)", m->version, m->summary);
    }
  return TRUE;
}
