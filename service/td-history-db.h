/* td-history-db.h: opening the history database safely.
 *
 * td_history_db_open() runs once at start, before anything else uses the
 * file, in this order:
 *   1. a -wal file that is not this database's (td-history-file.c) is moved
 *      aside, so SQLite never replays it;
 *   2. the schema version is read (reading only); a newer version than
 *      TD_HISTORY_SCHEMA_VERSION is refused with the file untouched;
 *   3. PRAGMA quick_check; a damaged file (or one that is not a history
 *      database) is moved aside with its -wal and -shm, and a fresh
 *      database is created in its place;
 *   4. WAL, synchronous=NORMAL, busy_timeout; migrations step by step.
 * Errors other than damage (permissions, I/O) leave the files alone. */
#pragma once

#include <sqlite3.h>
#include <glib.h>

G_BEGIN_DECLS

/* How long a connection waits for a lock before SQLITE_BUSY, in ms. */
#define TD_HISTORY_BUSY_TIMEOUT_MS 5000

typedef struct {
  guint  schema_version;     /* after migrations */
  guint  found_version;      /* before; 0 for a new database */
  GPtrArray *moved_aside;    /* (element-type filename): paths moved aside */
  char  *damage;             /* why files were moved aside, or NULL */
} TdHistoryDbInfo;

void     td_history_db_info_clear  (TdHistoryDbInfo *info);

/* The writer's connection; @info is filled even on failure (what was moved
 * aside). TR_ERROR_UNAVAILABLE with the reason for a newer schema. */
sqlite3 *td_history_db_open        (const char       *path,
                                    TdHistoryDbInfo  *info,
                                    GError          **error);
/* A reader's connection to a database td_history_db_open() prepared:
 * query_only, busy_timeout. */
sqlite3 *td_history_db_open_reader (const char       *path,
                                    GError          **error);
/* Marks the rows a previous instance left unfinished as "interrupted"
 * (final), with an end time from their last sample or log line. */
gboolean td_history_db_mark_interrupted (sqlite3     *db,
                                         guint       *count,
                                         GError     **error);
/* The largest test id stored, 0 when none. */
gboolean td_history_db_max_test_id (sqlite3          *db,
                                    guint            *id,
                                    GError          **error);

G_END_DECLS
