/* td-history-writer.h: the only thread that writes the history database.
 *
 * Callers (the main thread) push records into a bounded in-memory queue and
 * never wait: a push takes a mutex for a few instructions. The writer
 * thread takes whatever is queued, writes it in one transaction (at most
 * about 50,000 rows each) and commits. When a write fails because the disk
 * is full (or the database is locked by another process for longer than
 * the busy timeout), the transaction is rolled back, the records stay
 * queued in order, and the writer retries with a growing pause (1 s up to
 * 5 s) until it succeeds; the database is never left half-written.
 * Meanwhile samples and log lines are buffered up to max_buffer_bytes and
 * dropped (counted) beyond; test rows are always kept.
 *
 * The writer also prunes old data (retention) and builds the sample rollups
 * of ended tests. */
#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

G_BEGIN_DECLS

typedef struct _TdHistoryWriter TdHistoryWriter;

typedef enum {
  TD_HISTORY_WRITER_OK,
  TD_HISTORY_WRITER_STORAGE_FULL,  /* retrying; records buffered */
  TD_HISTORY_WRITER_FAILING,       /* another error; retrying */
} TdHistoryWriterState;

/* Called in the writer thread whenever the state changes; @message is one
 * human line ("" when OK). */
typedef void (*TdHistoryWriterNotify) (TdHistoryWriterState  state,
                                       const char           *message,
                                       gpointer              user_data);

#define TD_HISTORY_WRITER_DEFAULT_BUFFER (64 * 1024 * 1024)

/* Takes ownership of @db (a connection from td_history_db_open()) and
 * starts the thread. */
TdHistoryWriter *td_history_writer_new      (sqlite3               *db,
                                             gsize                  max_buffer_bytes,
                                             TdHistoryWriterNotify  notify,
                                             gpointer               user_data);
/* Writes what is queued (one last attempt when the disk is full), stops
 * the thread and closes the connection. */
void             td_history_writer_free     (TdHistoryWriter       *self);

/* Retention in days, 0 keeping forever; @interval_s between prunes (the
 * first one runs at once). */
void             td_history_writer_set_retention (TdHistoryWriter  *self,
                                                  guint             samples_days,
                                                  guint             tests_days,
                                                  guint             interval_s);

/* ---- records (main thread; never blocks) ---- */

/* A new test row: @columns is an a{sv} of tests columns (see
 * td-history-columns.h) and must hold id, state, owner_uid and
 * start_time_us. A floating reference is sunk. */
void     td_history_writer_test_begin  (TdHistoryWriter *self,
                                        GVariant        *columns);
/* Sets the columns in @columns (an a{sv}) of test @id; absent ones are
 * unchanged. */
void     td_history_writer_test_update (TdHistoryWriter *self,
                                        guint            id,
                                        GVariant        *columns);
/* Final columns of test @id (state, end_time_us, error, result...): marks
 * the row final and builds its sample rollups. */
void     td_history_writer_test_end    (TdHistoryWriter *self,
                                        guint            id,
                                        GVariant        *columns);
/* One Interval sample (the a{sv} of the D-Bus signal) of about
 * @n_streams streams (for the memory bound); the writer numbers the
 * samples of each direction in the order it stores them (seq). Nothing
 * here looks into the sample. FALSE when the buffer is full and it was
 * dropped. */
gboolean td_history_writer_sample      (TdHistoryWriter *self,
                                        guint            id,
                                        guint            n_streams,
                                        GVariant        *sample);
/* Runs @func (@data) in the writer thread inside its transaction; it
 * returns an SQLite code and may run again when the batch is retried, so
 * it must be idempotent (INSERT OR REPLACE). @destroy frees @data once it
 * is written or dropped. @bytes and @rows count against the buffer like a
 * sample. FALSE when the buffer is full (@data is then freed at once). */
typedef int (*TdHistoryWriterFunc) (sqlite3 *db, gpointer data);
gboolean td_history_writer_call        (TdHistoryWriter     *self,
                                        TdHistoryWriterFunc  func,
                                        gpointer             data,
                                        GDestroyNotify       destroy,
                                        gsize                bytes,
                                        guint                rows);
/* One log line; FALSE when dropped. */
gboolean td_history_writer_log         (TdHistoryWriter *self,
                                        guint            id,
                                        guint            seq,
                                        gint64           timestamp_us,
                                        guint            level,
                                        const char      *text);
/* Deletes the final tests among @ids (with their samples and logs); the
 * task's result is the number deleted (g_task_propagate_int). Fails at once
 * with TR_ERROR_STORAGE_FULL while the disk is full. */
void     td_history_writer_delete      (TdHistoryWriter *self,
                                        GArray          *ids,
                                        GTask           *task);

/* ---- state (any thread) ---- */

/* A ticket for "everything queued so far". */
guint64  td_history_writer_get_ticket  (TdHistoryWriter *self);
/* Waits until everything up to @ticket is committed, at most @timeout_us;
 * returns at once while writes fail (what is committed is all there is).
 * TRUE when committed. */
gboolean td_history_writer_wait        (TdHistoryWriter *self,
                                        guint64          ticket,
                                        gint64           timeout_us);
TdHistoryWriterState td_history_writer_get_state (TdHistoryWriter *self,
                                                  char           **message);
/* Records queued and not yet committed; samples and log lines dropped
 * since the start because the buffer was full. */
void     td_history_writer_get_counts  (TdHistoryWriter *self,
                                        guint           *queued,
                                        guint64         *dropped);

G_END_DECLS
