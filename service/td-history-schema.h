/* td-history-schema.h: the history database's schema and its migrations.
 *
 * The version is kept in the table schema_version (one row per version
 * reached, the current one is the largest). Every version ever released is
 * listed in td-history-schema.c with the SQL that leads to it from the one
 * before; an old database is brought up one step at a time, each step in
 * its own transaction. A database of a newer version than this code knows
 * is refused and left untouched. */
#pragma once

#include <sqlite3.h>
#include <glib.h>

G_BEGIN_DECLS

/* The version this code writes. */
#define TD_HISTORY_SCHEMA_VERSION 2

/* PRAGMA application_id of every trafficd history database ("TRHD"). */
#define TD_HISTORY_APPLICATION_ID 0x54524844

/* Reads the version: 0 for an empty database (no table at all).
 * TD_SQL_ERROR_CORRUPT when the file is damaged or holds tables but no
 * schema_version (it is not a history database). Only reads. */
gboolean td_history_schema_read_version (sqlite3  *db,
                                         guint    *version,
                                         GError  **error);
/* Gives a new database its identity: application_id and a random
 * user_version (see td-history-file.c). Call it on an empty database before
 * switching it to WAL, so that the identity is in the file itself. */
gboolean td_history_schema_set_identity (sqlite3  *db,
                                         GError  **error);
/* Brings a database of version @from (0 for a new one) to
 * TD_HISTORY_SCHEMA_VERSION, step by step; logs every step. */
gboolean td_history_schema_migrate      (sqlite3  *db,
                                         guint     from,
                                         GError  **error);

G_END_DECLS
