/* td-history-db.c: open, check, move aside, migrate. */
#include "config.h"

#include "td-history-db.h"
#include "td-history-file.h"
#include "td-history-schema.h"
#include "td-history-sql.h"
#include "tr-error.h"

#include <fcntl.h>
#include <gio/gio.h>
#include <string.h>
#include <unistd.h>

void
td_history_db_info_clear (TdHistoryDbInfo *info)
{
  g_clear_pointer (&info->moved_aside, g_ptr_array_unref);
  g_clear_pointer (&info->damage, g_free);
}

static sqlite3 *
open_connection (const char *path, int flags, GError **error)
{
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2 (path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL);

  if (rc != SQLITE_OK)
    {
      g_autofree char *what = g_strdup_printf ("opening %s", path);

      td_sql_set_error (error, db, rc, what);
      sqlite3_close_v2 (db);
      return NULL;
    }
  sqlite3_extended_result_codes (db, TRUE);
  sqlite3_busy_timeout (db, TD_HISTORY_BUSY_TIMEOUT_MS);
  return db;
}

/* TRUE when quick_check says "ok"; FALSE with TD_SQL_ERROR_CORRUPT and the
 * first problems when it does not, or with another error when it cannot
 * read the file. */
static gboolean
quick_check (sqlite3 *db, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = td_sql_prepare (db, "PRAGMA quick_check(5)", error);
  g_autoptr(GString) problems = g_string_new (NULL);
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *line = td_sql_column_text (stmt, 0);

      if (g_strcmp0 (line, "ok") == 0)
        continue;
      if (problems->len > 0)
        g_string_append (problems, "; ");
      g_string_append (problems, line ? line : "?");
    }
  if (rc != SQLITE_DONE)
    {
      td_sql_set_error (error, db, rc, "quick_check");
      return FALSE;
    }
  if (problems->len > 0)
    {
      g_set_error (error, TD_SQL_ERROR, TD_SQL_ERROR_CORRUPT, "quick_check: %s", problems->str);
      return FALSE;
    }
  return TRUE;
}

/* Opens an existing file and judges it. Returns the connection when it can
 * be used (its version in *version), NULL with TD_SQL_ERROR_CORRUPT when it
 * is damaged, NULL with another error when it must be left alone. */
static sqlite3 *
open_existing (const char *path, guint *version, GError **error)
{
  g_autoptr(sqlite3) db = open_connection (path, SQLITE_OPEN_READWRITE, error);

  if (db == NULL)
    return NULL;
  /* Until the file is judged, closing must not checkpoint a -wal into it. */
  sqlite3_db_config (db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
  if (!td_history_schema_read_version (db, version, error))
    return NULL;
  if (*version > TD_HISTORY_SCHEMA_VERSION)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_UNAVAILABLE,
                   "%s has schema version %u, newer than this trafficd knows (%u); it is left "
                   "untouched: run the newer trafficd, or move the file away to start a new history",
                   path, *version, TD_HISTORY_SCHEMA_VERSION);
      return NULL;
    }
  if (!quick_check (db, error))
    return NULL;
  sqlite3_db_config (db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);
  return g_steal_pointer (&db);
}

static gboolean
set_pragmas (sqlite3 *db, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = td_sql_prepare (db, "PRAGMA journal_mode = WAL", error);
  const char *mode;
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      td_sql_set_error (error, db, rc, "switching to WAL");
      return FALSE;
    }
  mode = td_sql_column_text (stmt, 0);
  if (g_strcmp0 (mode, "wal") != 0)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INTERNAL, "the database stays in journal mode %s, not WAL", mode);
      return FALSE;
    }
  return td_sql_exec (db, "PRAGMA synchronous = NORMAL", error);
}

sqlite3 *
td_history_db_open (const char *path, TdHistoryDbInfo *info, GError **error)
{
  g_autoptr(sqlite3) db = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *wal_reason = NULL;
  guint version = 0;

  if (info->moved_aside == NULL)
    info->moved_aside = g_ptr_array_new_with_free_func (g_free);

  if (td_history_file_wal_is_foreign (path, &wal_reason))
    {
      guint before = info->moved_aside->len;

      if (!td_history_file_move_aside (path, "foreign", TRUE, info->moved_aside, error))
        return NULL;
      info->damage = g_strdup_printf ("the -wal file next to %s was not this database's (%s)", path, wal_reason);
      g_warning ("history: %s; moved it aside to %s and kept the database",
                 info->damage, (char *) g_ptr_array_index (info->moved_aside, before));
    }

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      db = open_existing (path, &version, &local_error);
      if (db == NULL)
        {
          guint before = info->moved_aside->len;

          if (!g_error_matches (local_error, TD_SQL_ERROR, TD_SQL_ERROR_CORRUPT))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return NULL;
            }
          if (!td_history_file_move_aside (path, "damaged", FALSE, info->moved_aside, error))
            return NULL;
          g_free (info->damage);
          info->damage = g_strdup_printf ("%s is damaged (%s)", path, local_error->message);
          g_warning ("history: %s; moved it aside to %s and started a new, empty history",
                     info->damage,
                     info->moved_aside->len > before ? (char *) g_ptr_array_index (info->moved_aside, before) : "?");
          version = 0;
        }
    }
  info->found_version = version;

  if (db == NULL)
    {
      /* the history tells who ran what: only the service may read the file
       * (SQLite gives the -wal and -shm the same mode) */
      int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);

      if (fd >= 0)
        close (fd);
      db = open_connection (path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, error);
      if (db == NULL || !td_history_schema_set_identity (db, error))
        return NULL;
    }
  if (!set_pragmas (db, error) || !td_history_schema_migrate (db, version, error))
    return NULL;
  info->schema_version = TD_HISTORY_SCHEMA_VERSION;
  return g_steal_pointer (&db);
}

sqlite3 *
td_history_db_open_reader (const char *path, GError **error)
{
  g_autoptr(sqlite3) db = open_connection (path, SQLITE_OPEN_READWRITE, error);

  /* a cache that holds the tests table of a large history */
  if (db == NULL || !td_sql_exec (db, "PRAGMA query_only = 1; PRAGMA cache_size = -16384", error))
    return NULL;
  return g_steal_pointer (&db);
}

gboolean
td_history_db_mark_interrupted (sqlite3 *db, guint *count, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = td_sql_prepare (db,
                         "UPDATE tests SET state = 'interrupted', final = 1, partial = 1,"
                         " error_name = ?1, error_message = ?2,"
                         " sample_count = (SELECT count(*) FROM samples s WHERE s.test_id = tests.id),"
                         " end_time_us = max(start_time_us,"
                         "   coalesce((SELECT max(timestamp_us) FROM samples s WHERE s.test_id = tests.id), 0),"
                         "   coalesce((SELECT max(timestamp_us) FROM logs l WHERE l.test_id = tests.id), 0))"
                         " WHERE final = 0", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, TR_DBUS_ERROR_PREFIX "Interrupted", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, "the service ended (killed or crashed) while the test ran; "
                     "what it recorded until then is kept", -1, SQLITE_STATIC);
  if (!td_sql_step_done (stmt, error))
    return FALSE;
  *count = (guint) sqlite3_changes (db);
  return TRUE;
}

gboolean
td_history_db_max_test_id (sqlite3 *db, guint *id, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = td_sql_prepare (db, "SELECT coalesce(max(id), 0) FROM tests", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      td_sql_set_error (error, db, rc, "reading the largest test id");
      return FALSE;
    }
  *id = (guint) CLAMP (sqlite3_column_int64 (stmt, 0), 0, G_MAXUINT);
  return TRUE;
}
