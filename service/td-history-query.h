/* td-history-query.h: the read side: lists, one test, logs, trends.
 *
 * Each function runs on a reader connection (td_history_db_open_reader())
 * in a worker thread, inside one read transaction (a consistent snapshot;
 * in WAL mode it never waits for the writer), and returns the reply of
 * the History method of the same name as a GVariant tuple. */
#pragma once

#include <glib.h>
#include <sqlite3.h>

#include "td-history-filter.h"

G_BEGIN_DECLS

/* (aa{sv}u): a page of tests rows (newest first unless order is
 * "oldest") and the number of tests the filter matches. */
GVariant *td_history_query_list   (sqlite3                *db,
                                   const TdHistoryFilter  *filter,
                                   GError                **error);
/* (a{sv}aa{sv}): the whole row of test @id and its samples (see
 * td-history-downsample.h); TR_ERROR_NOT_FOUND when there is none. */
GVariant *td_history_query_test   (sqlite3                *db,
                                   guint                   id,
                                   const TdHistoryFilter  *filter,
                                   GError                **error);
/* (a(tus)u): a page of the log lines of test @id (timestamp_us, level,
 * text), oldest first, and their number. */
GVariant *td_history_query_logs   (sqlite3                *db,
                                   guint                   id,
                                   const TdHistoryFilter  *filter,
                                   GError                **error);
/* (aa{sv}): per group (host or label) and time bucket, statistics of the
 * tests' rates. */
GVariant *td_history_query_trends (sqlite3                *db,
                                   const TdHistoryFilter  *filter,
                                   GError                **error);

/* For exports: prepares the list statement for @filter (no paging when
 * limit is 0); rows are TD_HISTORY_TEST_SELECT_LIST. */
sqlite3_stmt *td_history_query_prepare_list (sqlite3               *db,
                                             const TdHistoryFilter *filter,
                                             GError               **error);

G_END_DECLS
