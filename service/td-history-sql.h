/* td-history-sql.h: the small SQLite toolkit the history code shares.
 *
 * Statements are always prepared with bound parameters (never built from
 * caller data); g_autoptr(sqlite3_stmt) finalizes them and
 * g_autoptr(TdSqlTransaction) rolls back a transaction that was not
 * committed. Errors become GErrors with the SQLite message and the step
 * that failed; the codes that matter to callers are mapped:
 *
 *   SQLITE_FULL                      -> TR_ERROR_STORAGE_FULL
 *   SQLITE_CORRUPT, SQLITE_NOTADB    -> TD_SQL_ERROR_CORRUPT
 *   SQLITE_BUSY, SQLITE_LOCKED       -> TD_SQL_ERROR_BUSY (never shown to a
 *                                       D-Bus caller: the writer and the
 *                                       readers retry)
 *   anything else                    -> TR_ERROR_INTERNAL
 */
#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3, sqlite3_close_v2)

#define TD_SQL_ERROR (td_sql_error_quark ())

typedef enum {
  TD_SQL_ERROR_CORRUPT,   /* the file is damaged or not a database */
  TD_SQL_ERROR_BUSY,      /* another connection holds a lock; retry */
} TdSqlError;

GQuark        td_sql_error_quark   (void);

/* Sets @error from @rc and the connection's message: "@what: message". */
void          td_sql_set_error     (GError      **error,
                                    sqlite3      *db,
                                    int           rc,
                                    const char   *what);
/* TRUE for the result codes that mean "the disk is full". */
gboolean      td_sql_rc_is_full    (int           rc);

sqlite3_stmt *td_sql_prepare       (sqlite3      *db,
                                    const char   *sql,
                                    GError      **error);
/* Runs SQL without parameters (DDL, pragmas, BEGIN/COMMIT). */
gboolean      td_sql_exec          (sqlite3      *db,
                                    const char   *sql,
                                    GError      **error);
/* Steps a statement that returns no row (or whose rows are ignored) and
 * resets it; clears the bindings. */
gboolean      td_sql_step_done     (sqlite3_stmt *stmt,
                                    GError      **error);

/* Binds NULL for a NULL string. */
void          td_sql_bind_text     (sqlite3_stmt *stmt,
                                    int           index,
                                    const char   *text);
/* The column as UTF-8 text, NULL for SQL NULL. */
const char   *td_sql_column_text   (sqlite3_stmt *stmt,
                                    int           column);

/* A transaction that rolls back unless committed. */
typedef struct {
  sqlite3  *db;
  gboolean  open;
} TdSqlTransaction;

/* BEGIN (a read snapshot from the first read) or BEGIN IMMEDIATE (takes
 * the write lock now). */
TdSqlTransaction *td_sql_begin     (sqlite3           *db,
                                    gboolean           immediate,
                                    GError           **error);
gboolean          td_sql_commit    (TdSqlTransaction  *txn,
                                    GError           **error);
/* Rolls back when not committed, then frees. */
void              td_sql_transaction_free (TdSqlTransaction *txn);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TdSqlTransaction, td_sql_transaction_free)

G_END_DECLS
