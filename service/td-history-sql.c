/* td-history-sql.c: prepared statements, transactions and SQLite errors. */
#include "config.h"

#include "td-history-sql.h"
#include "tr-error.h"

G_DEFINE_QUARK (td-sql-error-quark, td_sql_error)

gboolean
td_sql_rc_is_full (int rc)
{
  return (rc & 0xff) == SQLITE_FULL;
}

void
td_sql_set_error (GError **error, sqlite3 *db, int rc, const char *what)
{
  const char *message = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      g_set_error (error, TR_ERROR, TR_ERROR_STORAGE_FULL,
                   "%s: the disk holding the history database is full (%s)", what, message);
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error (error, TD_SQL_ERROR, TD_SQL_ERROR_CORRUPT, "%s: %s", what, message);
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, TD_SQL_ERROR, TD_SQL_ERROR_BUSY, "%s: %s", what, message);
      break;
    default:
      g_set_error (error, TR_ERROR, TR_ERROR_INTERNAL, "%s: %s (SQLite code %d)", what, message, rc);
      break;
    }
}

sqlite3_stmt *
td_sql_prepare (sqlite3 *db, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      td_sql_set_error (error, db, rc, "preparing a statement");
      sqlite3_finalize (stmt);
      return NULL;
    }
  return stmt;
}

gboolean
td_sql_exec (sqlite3 *db, const char *sql, GError **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      td_sql_set_error (error, db, rc, "executing SQL");
      return FALSE;
    }
  return TRUE;
}

gboolean
td_sql_step_done (sqlite3_stmt *stmt, GError **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    ;
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    {
      td_sql_set_error (error, sqlite3_db_handle (stmt), rc, "writing");
      return FALSE;
    }
  return TRUE;
}

void
td_sql_bind_text (sqlite3_stmt *stmt, int index, const char *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

const char *
td_sql_column_text (sqlite3_stmt *stmt, int column)
{
  return (const char *) sqlite3_column_text (stmt, column);
}

TdSqlTransaction *
td_sql_begin (sqlite3 *db, gboolean immediate, GError **error)
{
  TdSqlTransaction *txn;

  if (!td_sql_exec (db, immediate ? "BEGIN IMMEDIATE" : "BEGIN", error))
    return NULL;
  txn = g_new0 (TdSqlTransaction, 1);
  txn->db = db;
  txn->open = TRUE;
  return txn;
}

gboolean
td_sql_commit (TdSqlTransaction *txn, GError **error)
{
  if (!td_sql_exec (txn->db, "COMMIT", error))
    return FALSE;
  txn->open = FALSE;
  return TRUE;
}

void
td_sql_transaction_free (TdSqlTransaction *txn)
{
  if (txn == NULL)
    return;
  /* After some errors (SQLITE_FULL among them) SQLite has already rolled
   * back; a second ROLLBACK would only fail. */
  if (txn->open && !sqlite3_get_autocommit (txn->db))
    sqlite3_exec (txn->db, "ROLLBACK", NULL, NULL, NULL);
  g_free (txn);
}
