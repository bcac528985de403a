/* td-history.h: the history store of the service.
 *
 * One SQLite database, $STATE_DIRECTORY/history.db, owned by the service
 * (see td-history-db.h for how it is opened, checked and migrated). Tests
 * handed to td_history_watch_test() are recorded through the writer thread
 * (td-history-writer.h); reads, exports and deletes run in worker threads
 * and report back in the main context with GTask. Nothing here blocks the
 * main loop except td_history_open() and td_history_close(), which run at
 * start and at exit.
 *
 * When the database cannot be used (a newer schema, no permission...) the
 * object stays "unavailable": tests run, nothing is recorded, the reason is
 * in the status, and reads fail with TR_ERROR_UNAVAILABLE. */
#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

#include "td-history-export.h"
#include "td-history-filter.h"
#include "td-history-writer.h"
#include "td-test.h"

G_BEGIN_DECLS

#define TD_TYPE_HISTORY (td_history_get_type ())
G_DECLARE_FINAL_TYPE (TdHistory, td_history, TD, HISTORY, GObject)

#define TD_HISTORY_FILE_NAME "history.db"
#define TD_HISTORY_LOCK_NAME "history.lock"

/* Status strings (History.Status). */
#define TD_HISTORY_STATUS_OK           "ok"
#define TD_HISTORY_STATUS_STORAGE_FULL "storage-full"
#define TD_HISTORY_STATUS_WRITE_ERROR  "write-error"
#define TD_HISTORY_STATUS_UNAVAILABLE  "unavailable"

TdHistory   *td_history_new                (const char      *state_dir);
/* Before td_history_open(): days to keep samples and log lines, and test
 * rows (0 = forever); the memory bound of the write queue. */
void         td_history_set_retention      (TdHistory       *self,
                                            guint            samples_days,
                                            guint            tests_days);
void         td_history_set_buffer_limit   (TdHistory       *self,
                                            gsize            bytes);
/* How often retention runs (default 3600 s; for tests). */
void         td_history_set_prune_interval (TdHistory       *self,
                                            guint            seconds);
/* Opens (or creates) the database; marks rows a previous instance left
 * unfinished as interrupted. Fails with G_IO_ERROR_BUSY when another
 * trafficd holds the state directory (the caller should exit); any other
 * failure leaves the history unavailable, with the reason in the status. */
gboolean     td_history_open               (TdHistory       *self,
                                            GError         **error);
/* Finalises the rows of tests still running (interrupted), writes what is
 * queued, stops the threads and closes the database. Idempotent. */
void         td_history_close              (TdHistory       *self);

/* For the caller lookups of new tests (GetConnectionUnixProcessID). */
void         td_history_set_connection     (TdHistory       *self,
                                            GDBusConnection *connection);
/* Records @test from now on until it ends. Call before starting it. */
void         td_history_watch_test         (TdHistory       *self,
                                            TdTest          *test);
/* Sets columns of a test's row (a{sv}, see td-history-columns.h). */
void         td_history_update_test        (TdHistory       *self,
                                            guint            id,
                                            GVariant        *columns);

/* Runs @func in the writer thread, in its transaction (see
 * td_history_writer_call()); FALSE (and @data freed) when unavailable or
 * the buffer is full. For other tables (interface history). */
gboolean     td_history_write              (TdHistory           *self,
                                            TdHistoryWriterFunc  func,
                                            gpointer             data,
                                            GDestroyNotify       destroy,
                                            gsize                bytes,
                                            guint                rows);

gboolean     td_history_is_available       (TdHistory       *self);
/* The first id not used by any stored test (1 when empty), so that test
 * ids stay unique across restarts. */
guint        td_history_get_next_test_id   (TdHistory       *self);
const char  *td_history_get_path           (TdHistory       *self);
guint        td_history_get_schema_version (TdHistory       *self);
const char  *td_history_get_status         (TdHistory       *self);
const char  *td_history_get_status_message (TdHistory       *self);
/* Files moved aside at open (damaged database, foreign -wal). */
const char *const *td_history_get_moved_aside (TdHistory    *self);
void         td_history_get_counts         (TdHistory       *self,
                                            guint           *queued,
                                            guint64         *dropped);
guint        td_history_get_retention_samples_days (TdHistory *self);
guint        td_history_get_retention_tests_days   (TdHistory *self);

/* ---- reads, in a worker thread with a reader connection ---- */

/* A read job: returns the reply (a GVariant, floating or not) or NULL with
 * @error set. It sees everything queued before td_history_read() was
 * called (it waits up to 1 s for the writer), unless writes are failing. */
typedef GVariant *(*TdHistoryReadFunc) (sqlite3   *db,
                                        gpointer   data,
                                        GError   **error);

void         td_history_read               (TdHistory            *self,
                                            TdHistoryReadFunc     func,
                                            gpointer              data,
                                            GDestroyNotify        destroy,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
/* The same, answering @invocation with the reply (or the error) from the
 * worker thread, so that serialising a big reply costs the main loop
 * nothing. */
void         td_history_read_reply         (TdHistory            *self,
                                            TdHistoryReadFunc     func,
                                            gpointer              data,
                                            GDestroyNotify        destroy,
                                            GDBusMethodInvocation *invocation);
GVariant    *td_history_read_finish        (TdHistory            *self,
                                            GAsyncResult         *result,
                                            GError              **error);
/* The same, waiting (tests and benchmarks; never on the main loop). */
GVariant    *td_history_read_sync          (TdHistory            *self,
                                            TdHistoryReadFunc     func,
                                            gpointer              data,
                                            GError              **error);

/* Writes the export into @fd (takes ownership of @filter and @fd). */
void         td_history_export_async       (TdHistory            *self,
                                            TdHistoryFilter      *filter,
                                            TdHistoryFormat       format,
                                            int                   fd,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
gboolean     td_history_export_finish      (TdHistory            *self,
                                            GAsyncResult         *result,
                                            guint64              *rows,
                                            GError              **error);

/* Deletes the ended tests among @ids; the result is how many. */
void         td_history_delete_async       (TdHistory            *self,
                                            GArray               *ids,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
gboolean     td_history_delete_finish      (TdHistory            *self,
                                            GAsyncResult         *result,
                                            guint                *deleted,
                                            GError              **error);

/* Waits until everything queued so far is written (tests, benchmarks). */
gboolean     td_history_flush_sync         (TdHistory            *self,
                                            gint64                timeout_us);

G_END_DECLS
