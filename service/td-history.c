/* td-history.c: the store: open/close, watched tests, worker threads. */
#include "config.h"

#include "td-history.h"
#include "td-history-db.h"
#include "td-history-env.h"
#include "td-history-file.h"
#include "td-history-schema.h"
#include "td-history-sql.h"
#include "td-history-watch.h"
#include "td-history-writer.h"
#include "tr-error.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <unistd.h>

#define MAX_READERS 4
#define MAX_EXPORTS 2
#define READ_BARRIER_US (1 * G_USEC_PER_SEC)
#define BUSY_RETRY_US (100 * 1000)
#define BUSY_RETRIES 100
#define DEFAULT_SAMPLES_DAYS 30

struct _TdHistory
{
  GObject           parent_instance;

  char             *state_dir;
  char             *path;
  int               lock_fd;
  GMainContext     *context;
  TdHistoryWriter  *writer;
  TdHistoryHost     host;
  GDBusConnection  *connection;
  GHashTable       *watches;          /* id -> TdHistoryWatch */
  guint             next_test_id;
  guint             schema_version;
  GPtrArray        *moved_aside;      /* NULL-terminated strv */
  char             *status;
  char             *status_message;
  guint             samples_days;
  guint             tests_days;
  guint             prune_interval_s;
  gsize             buffer_limit;
  gboolean          closed;

  /* worker threads */
  GThreadPool      *read_pool;
  GThreadPool      *export_pool;
  GMutex            readers_mutex;
  GPtrArray        *idle_readers;     /* sqlite3* */
  GCancellable     *closing;          /* cancelled at close: running reads stop */
  GMutex            status_mutex;
  GSource          *status_source;    /* pending writer state report */
};

enum { SIGNAL_STATUS_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TdHistory, td_history, G_TYPE_OBJECT)

static void job_thread (gpointer data, gpointer user_data);

static void
td_history_finalize (GObject *object)
{
  TdHistory *self = TD_HISTORY (object);

  td_history_close (self);
  g_hash_table_unref (self->watches);
  g_ptr_array_unref (self->idle_readers);
  g_mutex_clear (&self->readers_mutex);
  g_mutex_clear (&self->status_mutex);
  g_clear_object (&self->closing);
  g_clear_object (&self->connection);
  g_main_context_unref (self->context);
  g_ptr_array_unref (self->moved_aside);
  g_free (self->host.hostname);
  g_free (self->host.kernel);
  g_free (self->state_dir);
  g_free (self->path);
  g_free (self->status);
  g_free (self->status_message);
  G_OBJECT_CLASS (td_history_parent_class)->finalize (object);
}

static void
td_history_class_init (TdHistoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = td_history_finalize;
  /* status-changed: Status, its message or the counters changed (main context) */
  signals[SIGNAL_STATUS_CHANGED] = g_signal_new ("status-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                                 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
td_history_init (TdHistory *self)
{
  self->lock_fd = -1;
  self->context = g_main_context_ref_thread_default ();
  self->watches = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) td_history_watch_free);
  self->moved_aside = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->moved_aside, NULL);
  self->status = g_strdup (TD_HISTORY_STATUS_UNAVAILABLE);
  self->status_message = g_strdup ("the history database is not open");
  self->samples_days = DEFAULT_SAMPLES_DAYS;
  self->prune_interval_s = 3600;
  self->next_test_id = 1;
  self->idle_readers = g_ptr_array_new ();
  self->closing = g_cancellable_new ();
  g_mutex_init (&self->readers_mutex);
  g_mutex_init (&self->status_mutex);
}

TdHistory *
td_history_new (const char *state_dir)
{
  TdHistory *self = g_object_new (TD_TYPE_HISTORY, NULL);

  self->state_dir = g_strdup (state_dir);
  self->path = g_build_filename (state_dir, TD_HISTORY_FILE_NAME, NULL);
  return self;
}

void
td_history_set_retention (TdHistory *self, guint samples_days, guint tests_days)
{
  self->samples_days = samples_days;
  self->tests_days = tests_days;
  if (self->writer != NULL)
    td_history_writer_set_retention (self->writer, samples_days, tests_days, self->prune_interval_s);
}

void
td_history_set_buffer_limit (TdHistory *self, gsize bytes)
{
  self->buffer_limit = bytes;
}

void
td_history_set_prune_interval (TdHistory *self, guint seconds)
{
  self->prune_interval_s = MAX (seconds, 1);
  if (self->writer != NULL)
    td_history_writer_set_retention (self->writer, self->samples_days, self->tests_days, self->prune_interval_s);
}

/* ---- status ---- */

static void
set_status (TdHistory *self, const char *status, const char *message)
{
  g_free (self->status);
  self->status = g_strdup (status);
  g_free (self->status_message);
  self->status_message = g_strdup (message);
  g_signal_emit (self, signals[SIGNAL_STATUS_CHANGED], 0);
}

static gboolean
on_writer_state_main (gpointer data)
{
  TdHistory *self = data;
  g_autofree char *message = NULL;
  TdHistoryWriterState state;

  g_mutex_lock (&self->status_mutex);
  g_clear_pointer (&self->status_source, g_source_unref);
  g_mutex_unlock (&self->status_mutex);
  if (self->writer == NULL)
    return G_SOURCE_REMOVE;
  state = td_history_writer_get_state (self->writer, &message);
  set_status (self, state == TD_HISTORY_WRITER_OK ? TD_HISTORY_STATUS_OK :
                    state == TD_HISTORY_WRITER_STORAGE_FULL ? TD_HISTORY_STATUS_STORAGE_FULL :
                    TD_HISTORY_STATUS_WRITE_ERROR,
              state == TD_HISTORY_WRITER_OK ? "" : message);
  return G_SOURCE_REMOVE;
}

/* Writer thread: an idle in the owner's context reads the new state (never
 * g_main_context_invoke(), which could run it here). It holds no
 * reference: td_history_close() joins the writer, then destroys it. */
static void
on_writer_state (TdHistoryWriterState state, const char *message, gpointer user_data)
{
  TdHistory *self = user_data;

  g_mutex_lock (&self->status_mutex);
  if (self->status_source == NULL)
    {
      self->status_source = g_idle_source_new ();
      g_source_set_priority (self->status_source, G_PRIORITY_DEFAULT);
      g_source_set_callback (self->status_source, on_writer_state_main, self, NULL);
      g_source_attach (self->status_source, self->context);
    }
  g_mutex_unlock (&self->status_mutex);
}

/* ---- open / close ---- */

static gboolean
gather_host (TdHistory *self)
{
  self->host.hostname = g_strdup (g_get_host_name ());
  self->host.kernel = td_history_env_kernel ();
  return TRUE;
}

gboolean
td_history_open (TdHistory *self, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *lock_path = g_build_filename (self->state_dir, TD_HISTORY_LOCK_NAME, NULL);
  TdHistoryDbInfo info = { 0, };
  sqlite3 *db;
  guint interrupted = 0, max_id = 0;

  g_return_val_if_fail (self->writer == NULL, FALSE);
  if (g_mkdir_with_parents (self->state_dir, 0700) < 0)
    {
      int saved = errno;

      g_set_error (&local_error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot create the state directory %s: %s", self->state_dir, g_strerror (saved));
      goto unavailable;
    }
  self->lock_fd = td_history_file_lock (lock_path, &local_error);
  if (self->lock_fd < 0)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_BUSY))
        {
          set_status (self, TD_HISTORY_STATUS_UNAVAILABLE, local_error->message);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      goto unavailable;
    }

  db = td_history_db_open (self->path, &info, &local_error);
  for (guint i = 0; info.moved_aside != NULL && i < info.moved_aside->len; i++)
    g_ptr_array_insert (self->moved_aside, (int) self->moved_aside->len - 1,
                        g_strdup (g_ptr_array_index (info.moved_aside, i)));
  if (db == NULL)
    {
      td_history_db_info_clear (&info);
      goto unavailable;
    }
  if (!td_history_db_mark_interrupted (db, &interrupted, &local_error) ||
      !td_history_db_max_test_id (db, &max_id, &local_error))
    {
      sqlite3_close_v2 (db);
      td_history_db_info_clear (&info);
      goto unavailable;
    }
  if (interrupted > 0)
    g_warning ("history: %u tests were still running when the service last stopped without finishing them; "
               "they are marked interrupted", interrupted);
  self->schema_version = info.schema_version;
  self->next_test_id = max_id + 1;
  gather_host (self);
  self->writer = td_history_writer_new (db, self->buffer_limit, on_writer_state, self);
  td_history_writer_set_retention (self->writer, self->samples_days, self->tests_days, self->prune_interval_s);
  self->read_pool = g_thread_pool_new (job_thread, self, MAX_READERS, FALSE, NULL);
  self->export_pool = g_thread_pool_new (job_thread, self, MAX_EXPORTS, FALSE, NULL);
  set_status (self, TD_HISTORY_STATUS_OK, info.damage ? info.damage : "");
  g_info ("history: %s, schema version %u%s", self->path, self->schema_version,
          info.found_version != 0 && info.found_version != self->schema_version ? " (migrated)" : "");
  td_history_db_info_clear (&info);
  return TRUE;

unavailable:
  g_warning ("history: not recording: %s", local_error->message);
  set_status (self, TD_HISTORY_STATUS_UNAVAILABLE, local_error->message);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

void
td_history_close (TdHistory *self)
{
  GHashTableIter iter;
  TdHistoryWatch *watch;

  if (self->closed)
    return;
  self->closed = TRUE;

  /* rows of tests still running become final ("interrupted") */
  g_hash_table_iter_init (&iter, self->watches);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &watch))
    td_history_watch_abandon (watch);
  g_hash_table_remove_all (self->watches);

  g_cancellable_cancel (self->closing);
  if (self->read_pool != NULL)
    g_thread_pool_free (g_steal_pointer (&self->read_pool), FALSE, TRUE);
  if (self->export_pool != NULL)
    g_thread_pool_free (g_steal_pointer (&self->export_pool), FALSE, TRUE);
  for (guint i = 0; i < self->idle_readers->len; i++)
    sqlite3_close_v2 (g_ptr_array_index (self->idle_readers, i));
  g_ptr_array_set_size (self->idle_readers, 0);
  /* the writer's connection closes last: it checkpoints and removes the -wal */
  g_clear_pointer (&self->writer, td_history_writer_free);
  g_mutex_lock (&self->status_mutex);
  if (self->status_source != NULL)
    {
      g_source_destroy (self->status_source);
      g_clear_pointer (&self->status_source, g_source_unref);
    }
  g_mutex_unlock (&self->status_mutex);
  if (self->lock_fd >= 0)
    {
      close (self->lock_fd);
      self->lock_fd = -1;
    }
}

/* ---- tests ---- */

void
td_history_set_connection (TdHistory *self, GDBusConnection *connection)
{
  g_set_object (&self->connection, connection);
}

static void
on_watch_done (TdHistoryWatch *watch, gpointer user_data)
{
  TdHistory *self = user_data;

  g_hash_table_remove (self->watches, GUINT_TO_POINTER (td_history_watch_get_id (watch)));
  g_signal_emit (self, signals[SIGNAL_STATUS_CHANGED], 0);
}

void
td_history_watch_test (TdHistory *self, TdTest *test)
{
  TdHistoryWatch *watch;
  guint id = td_test_get_id (test);

  if (self->writer == NULL || self->closed)
    return;
  if (g_hash_table_contains (self->watches, GUINT_TO_POINTER (id)))
    {
      g_critical ("history: test %u is already recorded", id);
      return;
    }
  self->next_test_id = MAX (self->next_test_id, id + 1);
  watch = td_history_watch_new (G_OBJECT (self), self->writer, &self->host, self->connection, test,
                                on_watch_done, self);
  g_hash_table_insert (self->watches, GUINT_TO_POINTER (id), watch);
}

void
td_history_update_test (TdHistory *self, guint id, GVariant *columns)
{
  if (self->writer != NULL && !self->closed)
    td_history_writer_test_update (self->writer, id, columns);
  else if (g_variant_is_floating (columns))
    g_variant_unref (g_variant_ref_sink (columns));
}

gboolean
td_history_write (TdHistory *self, TdHistoryWriterFunc func, gpointer data, GDestroyNotify destroy,
                  gsize bytes, guint rows)
{
  if (self->writer != NULL && !self->closed)
    return td_history_writer_call (self->writer, func, data, destroy, bytes, rows);
  if (destroy != NULL)
    destroy (data);
  return FALSE;
}

/* ---- getters ---- */

gboolean
td_history_is_available (TdHistory *self)
{
  return self->writer != NULL && !self->closed;
}

guint
td_history_get_next_test_id (TdHistory *self)
{
  return self->next_test_id;
}

const char *
td_history_get_path (TdHistory *self)
{
  return self->path;
}

guint
td_history_get_schema_version (TdHistory *self)
{
  return self->schema_version;
}

const char *
td_history_get_status (TdHistory *self)
{
  return self->status;
}

const char *
td_history_get_status_message (TdHistory *self)
{
  return self->status_message;
}

const char *const *
td_history_get_moved_aside (TdHistory *self)
{
  return (const char *const *) self->moved_aside->pdata;
}

void
td_history_get_counts (TdHistory *self, guint *queued, guint64 *dropped)
{
  *queued = 0;
  *dropped = 0;
  if (self->writer != NULL)
    td_history_writer_get_counts (self->writer, queued, dropped);
}

guint
td_history_get_retention_samples_days (TdHistory *self)
{
  return self->samples_days;
}

guint
td_history_get_retention_tests_days (TdHistory *self)
{
  return self->tests_days;
}

/* ---- worker jobs ---- */

typedef enum { JOB_READ, JOB_EXPORT } JobKind;

typedef struct {
  JobKind            kind;
  guint64            ticket;
  TdHistoryReadFunc  func;
  gpointer           data;
  GDestroyNotify     destroy;
  TdHistoryFilter   *filter;      /* export */
  TdHistoryFormat    format;
  int                fd;
  GTask             *task;
  GDBusMethodInvocation *invocation;  /* answered from the worker thread */
} Job;

static void
job_free (Job *job)
{
  if (job->destroy != NULL)
    job->destroy (job->data);
  td_history_filter_free (job->filter);
  if (job->fd >= 0)
    close (job->fd);
  g_clear_object (&job->invocation);
  g_free (job);
}

/* Stops a long read when the service closes. */
static int
on_progress (void *data)
{
  return g_cancellable_is_cancelled (G_CANCELLABLE (data));
}

static sqlite3 *
acquire_reader (TdHistory *self, GError **error)
{
  sqlite3 *db = NULL;

  g_mutex_lock (&self->readers_mutex);
  if (self->idle_readers->len > 0)
    db = g_ptr_array_steal_index_fast (self->idle_readers, self->idle_readers->len - 1);
  g_mutex_unlock (&self->readers_mutex);
  if (db != NULL)
    return db;
  db = td_history_db_open_reader (self->path, error);
  if (db != NULL)
    sqlite3_progress_handler (db, 10000, on_progress, self->closing);
  return db;
}

static void
release_reader (TdHistory *self, sqlite3 *db)
{
  /* a failed read leaves no transaction open, but be sure */
  if (!sqlite3_get_autocommit (db))
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  g_mutex_lock (&self->readers_mutex);
  g_ptr_array_add (self->idle_readers, db);
  g_mutex_unlock (&self->readers_mutex);
}

/* What a D-Bus caller may see: our domain only, never SQLite's codes. */
static GError *
public_error (GError *error)
{
  GError *out;

  if (error->domain == TR_ERROR)
    return error;
  if (g_error_matches (error, TD_SQL_ERROR, TD_SQL_ERROR_BUSY))
    out = g_error_new (TR_ERROR, TR_ERROR_INTERNAL, "the history database stayed locked by another program: %s",
                       error->message);
  else
    out = g_error_new (TR_ERROR, TR_ERROR_INTERNAL, "history: %s", error->message);
  g_error_free (error);
  return out;
}

/* Completes @job with @result (floating or not) or @error (taken). A job
 * with an invocation answers it here, in the worker thread: GDBus
 * serialises the reply in the thread that sends it, and a reply of
 * thousands of rows must not take the main loop's time. */
static void
job_finish (Job *job, GVariant *result, GError *error)
{
  if (job->invocation != NULL)
    {
      /* both take the invocation's reference */
      if (result != NULL)
        g_dbus_method_invocation_return_value (g_steal_pointer (&job->invocation), result);
      else
        {
          g_dbus_method_invocation_return_gerror (g_steal_pointer (&job->invocation), error);
          g_error_free (error);
        }
      g_task_return_boolean (job->task, TRUE);
      return;
    }
  if (result != NULL)
    g_task_return_pointer (job->task, g_variant_ref_sink (result), (GDestroyNotify) g_variant_unref);
  else
    g_task_return_error (job->task, error);
}

static void
job_thread (gpointer data, gpointer user_data)
{
  Job *job = data;
  TdHistory *self = user_data;
  GError *error = NULL;
  GVariant *result = NULL;
  guint64 rows = 0;
  sqlite3 *db;

  if (g_cancellable_is_cancelled (self->closing))
    {
      job_finish (job, NULL, g_error_new (TR_ERROR, TR_ERROR_UNAVAILABLE, "the service is stopping"));
      goto out;
    }
  td_history_writer_wait (self->writer, job->ticket, READ_BARRIER_US);
  db = acquire_reader (self, &error);
  if (db == NULL)
    {
      job_finish (job, NULL, public_error (error));
      goto out;
    }
  for (guint attempt = 0; attempt < BUSY_RETRIES; attempt++)
    {
      g_clear_error (&error);
      if (job->kind == JOB_READ)
        result = job->func (db, job->data, &error);
      else if (td_history_export (db, job->filter, job->format, job->fd, &rows, &error))
        result = g_variant_new_uint64 (rows);
      /* an export may have written part already: never repeat it */
      if (result != NULL || job->kind == JOB_EXPORT || !g_error_matches (error, TD_SQL_ERROR, TD_SQL_ERROR_BUSY))
        break;
      g_usleep (BUSY_RETRY_US);
    }
  release_reader (self, db);
  job_finish (job, result, result != NULL ? NULL : public_error (error));
out:
  g_object_unref (job->task);
}

static Job *
job_new (TdHistory *self, JobKind kind, GCancellable *cancellable, GAsyncReadyCallback callback,
         gpointer user_data, gpointer source_tag)
{
  Job *job = g_new0 (Job, 1);

  job->kind = kind;
  job->fd = -1;
  job->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (job->task, source_tag);
  g_task_set_task_data (job->task, job, (GDestroyNotify) job_free);
  return job;
}

static void
job_push (TdHistory *self, Job *job, GThreadPool *pool)
{
  g_autoptr(GError) error = NULL;

  if (pool == NULL)
    {
      job_finish (job, NULL, g_error_new (TR_ERROR, TR_ERROR_UNAVAILABLE, "the history is unavailable: %s",
                                          self->status_message));
      g_object_unref (job->task);
      return;
    }
  job->ticket = td_history_writer_get_ticket (self->writer);
  if (!g_thread_pool_push (pool, job, &error))
    {
      job_finish (job, NULL, g_error_new (TR_ERROR, TR_ERROR_INTERNAL, "cannot start a worker thread: %s",
                                          error->message));
      g_object_unref (job->task);
    }
}

void
td_history_read (TdHistory *self, TdHistoryReadFunc func, gpointer data, GDestroyNotify destroy,
                 GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  Job *job = job_new (self, JOB_READ, cancellable, callback, user_data, td_history_read);

  job->func = func;
  job->data = data;
  job->destroy = destroy;
  job_push (self, job, self->closed ? NULL : self->read_pool);
}

void
td_history_read_reply (TdHistory *self, TdHistoryReadFunc func, gpointer data, GDestroyNotify destroy,
                       GDBusMethodInvocation *invocation)
{
  Job *job = job_new (self, JOB_READ, NULL, NULL, NULL, td_history_read_reply);

  job->func = func;
  job->data = data;
  job->destroy = destroy;
  job->invocation = g_object_ref (invocation);
  job_push (self, job, self->closed ? NULL : self->read_pool);
}

GVariant *
td_history_read_finish (TdHistory *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct {
  GMutex    mutex;
  GCond     cond;
  gboolean  done;
  GVariant *result;
  GError   *error;
} SyncRead;

static void
on_sync_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SyncRead *s = user_data;

  s->result = td_history_read_finish (TD_HISTORY (source), result, &s->error);
  s->done = TRUE;
}

GVariant *
td_history_read_sync (TdHistory *self, TdHistoryReadFunc func, gpointer data, GError **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  SyncRead s = { 0, };

  g_main_context_push_thread_default (context);
  td_history_read (self, func, data, NULL, NULL, on_sync_done, &s);
  while (!s.done)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  if (s.error != NULL)
    g_propagate_error (error, s.error);
  return s.result;
}

void
td_history_export_async (TdHistory *self, TdHistoryFilter *filter, TdHistoryFormat format, int fd,
                         GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  Job *job = job_new (self, JOB_EXPORT, cancellable, callback, user_data, td_history_export_async);

  job->filter = filter;
  job->format = format;
  job->fd = fd;
  job_push (self, job, self->closed ? NULL : self->export_pool);
}

gboolean
td_history_export_finish (TdHistory *self, GAsyncResult *result, guint64 *rows, GError **error)
{
  g_autoptr(GVariant) v = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  v = g_task_propagate_pointer (G_TASK (result), error);
  if (v == NULL)
    return FALSE;
  *rows = g_variant_get_uint64 (v);
  return TRUE;
}

void
td_history_delete_async (TdHistory *self, GArray *ids, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, td_history_delete_async);
  if (self->writer == NULL || self->closed)
    {
      g_task_return_new_error (task, TR_ERROR, TR_ERROR_UNAVAILABLE, "the history is unavailable: %s",
                               self->status_message);
      return;
    }
  td_history_writer_delete (self->writer, ids, task);
}

gboolean
td_history_delete_finish (TdHistory *self, GAsyncResult *result, guint *deleted, GError **error)
{
  gssize n;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  n = g_task_propagate_int (G_TASK (result), error);
  if (n < 0)
    return FALSE;
  *deleted = (guint) n;
  return TRUE;
}

gboolean
td_history_flush_sync (TdHistory *self, gint64 timeout_us)
{
  if (self->writer == NULL)
    return FALSE;
  return td_history_writer_wait (self->writer, td_history_writer_get_ticket (self->writer), timeout_us);
}
