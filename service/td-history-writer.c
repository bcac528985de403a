/* td-history-writer.c: the queue, the writer thread, batches, retries. */
#include "config.h"

#include "td-history-writer.h"
#include "td-history-columns.h"
#include "td-history-rollup.h"
#include "td-history-sample.h"
#include "td-history-sql.h"
#include "tr-error.h"

#include <string.h>

#define MAX_ROWS_PER_TRANSACTION 50000
/* Group commit: the writer waits this long after the first queued record
 * for more (unless enough rows are queued, or someone waits for them). */
#define LINGER_US (250 * 1000)
#define LINGER_ROWS 10000
#define RETRY_FIRST_US (1 * G_USEC_PER_SEC)
#define RETRY_MAX_US (5 * G_USEC_PER_SEC)
#define PRUNE_CHUNK 20
#define SAMPLE_ROW_BYTES 768   /* a stream's a{sv} in memory, tree or serialised */

typedef enum {
  OP_TEST_BEGIN,
  OP_TEST_UPDATE,
  OP_TEST_END,
  OP_SAMPLE,
  OP_LOG,
  OP_DELETE,
  OP_CALL,
} OpKind;

typedef struct {
  OpKind    kind;
  guint     id;
  guint     seq;
  guint     level;
  gint64    timestamp;
  GVariant *variant;        /* columns, or the sample */
  char     *text;
  GArray   *ids;            /* OP_DELETE */
  GTask    *task;           /* OP_DELETE */
  guint     deleted;        /* OP_DELETE, once applied */
  gsize     bytes;          /* what it counts against the buffer */
  guint     rows;           /* rows it writes, about */
  TdHistoryWriterFunc func; /* OP_CALL */
  gpointer  data;           /* OP_CALL */
  GDestroyNotify destroy;   /* OP_CALL */
} Op;

typedef struct {
  sqlite3_stmt *insert_test;
  sqlite3_stmt *update_test;
  sqlite3_stmt *final_test;
  sqlite3_stmt *add_sample_count;
  sqlite3_stmt *insert_sample;
  sqlite3_stmt *insert_stream_sample;
  sqlite3_stmt *insert_log;
  sqlite3_stmt *is_final;
  sqlite3_stmt *delete_samples;
  sqlite3_stmt *delete_stream_samples;
  sqlite3_stmt *delete_rollups;
  sqlite3_stmt *delete_logs;
  sqlite3_stmt *delete_iface_samples;
  sqlite3_stmt *delete_test;
} Statements;

struct _TdHistoryWriter
{
  sqlite3              *db;
  GThread              *thread;
  GMutex                mutex;
  GCond                 wake;          /* the writer: work, closing, settings */
  GCond                 committed_cond;/* td_history_writer_wait() */
  GQueue                queue;         /* Op*, oldest first */
  guint                 queued_rows;
  gint64                queued_since;  /* monotonic µs of the oldest queued op */
  guint                 waiters;       /* in td_history_writer_wait() */
  gsize                 queued_bytes;
  gsize                 max_bytes;
  guint64               enqueued;      /* ops ever queued: tickets */
  guint64               committed;     /* ops written (or given up at close) */
  guint64               dropped;
  gboolean              closing;
  TdHistoryWriterState  state;
  char                 *message;
  TdHistoryWriterNotify notify;
  gpointer              notify_data;
  guint                 samples_days;
  guint                 tests_days;
  guint                 prune_interval_s;
  gint64                next_prune;    /* monotonic µs, 0 = not scheduled */

  /* writer thread only */
  Statements            stmts;
  GHashTable           *seqs;          /* id -> Seqs: samples numbered so far */
  GPtrArray            *seqs_touched;  /* Seqs changed by the current batch */
  GArray               *ended_ids;     /* tests ended in the current batch */
  gboolean              closing_seen;  /* the thread saw closing */
};

/* Sample numbers per direction of a running test: the writer numbers
 * them in the order it stores them; a rolled-back batch takes its numbers
 * back. */
typedef struct {
  guint    id;
  guint    committed[2];
  guint    next[2];
  guint    uncounted;    /* samples of this batch not yet in tests.sample_count */
  gboolean touched;
} Seqs;

/* ---- ops ---- */

static void
op_free (Op *op)
{
  g_clear_pointer (&op->variant, g_variant_unref);
  g_free (op->text);
  g_clear_pointer (&op->ids, g_array_unref);
  g_clear_object (&op->task);
  if (op->destroy != NULL)
    op->destroy (op->data);
  g_free (op);
}

static Op *
op_new (OpKind kind, guint id, GVariant *variant)
{
  Op *op = g_new0 (Op, 1);

  op->kind = kind;
  op->id = id;
  op->variant = variant ? g_variant_ref_sink (variant) : NULL;
  op->bytes = sizeof (Op) + (variant ? g_variant_get_size (variant) : 0);
  op->rows = 1;
  return op;
}

/* Queues @op; samples and log lines (@droppable) are refused beyond the
 * bound. Returns FALSE (and frees @op) when refused. */
static gboolean
push (TdHistoryWriter *self, Op *op, gboolean droppable)
{
  g_mutex_lock (&self->mutex);
  if (self->closing || (droppable && self->queued_bytes + op->bytes > self->max_bytes))
    {
      self->dropped++;
      g_mutex_unlock (&self->mutex);
      op_free (op);
      return FALSE;
    }
  if (self->queue.length == 0)
    self->queued_since = g_get_monotonic_time ();
  g_queue_push_tail (&self->queue, op);
  self->queued_bytes += op->bytes;
  self->queued_rows += op->rows;
  self->enqueued++;
  /* wake the writer only when it has something to decide: it lingers
   * for more otherwise (a futex wake per sample would cost more than the
   * sample) */
  if (self->queue.length == 1 || self->queued_rows >= LINGER_ROWS || op->kind == OP_DELETE)
    g_cond_signal (&self->wake);
  g_mutex_unlock (&self->mutex);
  return TRUE;
}

void
td_history_writer_test_begin (TdHistoryWriter *self, GVariant *columns)
{
  push (self, op_new (OP_TEST_BEGIN, 0, columns), FALSE);
}

void
td_history_writer_test_update (TdHistoryWriter *self, guint id, GVariant *columns)
{
  push (self, op_new (OP_TEST_UPDATE, id, columns), FALSE);
}

void
td_history_writer_test_end (TdHistoryWriter *self, guint id, GVariant *columns)
{
  push (self, op_new (OP_TEST_END, id, columns), FALSE);
}

gboolean
td_history_writer_sample (TdHistoryWriter *self, guint id, guint n_streams, GVariant *sample)
{
  Op *op = g_new0 (Op, 1);

  op->kind = OP_SAMPLE;
  op->id = id;
  op->variant = g_variant_ref_sink (sample);
  op->rows = 1 + (n_streams >= 2 ? n_streams : 0);
  /* what it holds in memory, about: not g_variant_get_size(), which walks
   * every child of a tree-form value on the caller's thread */
  op->bytes = sizeof (Op) + SAMPLE_ROW_BYTES * op->rows;
  return push (self, op, TRUE);
}

gboolean
td_history_writer_call (TdHistoryWriter *self, TdHistoryWriterFunc func, gpointer data,
                        GDestroyNotify destroy, gsize bytes, guint rows)
{
  Op *op = op_new (OP_CALL, 0, NULL);

  op->func = func;
  op->data = data;
  op->destroy = destroy;
  op->bytes += bytes;
  op->rows = MAX (rows, 1);
  return push (self, op, TRUE);
}

gboolean
td_history_writer_log (TdHistoryWriter *self, guint id, guint seq, gint64 timestamp_us,
                       guint level, const char *text)
{
  Op *op = op_new (OP_LOG, id, NULL);

  op->seq = seq;
  op->timestamp = timestamp_us;
  op->level = level;
  op->text = g_strdup (text);
  op->bytes += strlen (text);
  return push (self, op, TRUE);
}

void
td_history_writer_delete (TdHistoryWriter *self, GArray *ids, GTask *task)
{
  Op *op = op_new (OP_DELETE, 0, NULL);

  op->ids = g_array_ref (ids);
  op->task = g_object_ref (task);
  op->rows = ids->len * 4;
  g_mutex_lock (&self->mutex);
  if (self->state == TD_HISTORY_WRITER_STORAGE_FULL)
    {
      g_mutex_unlock (&self->mutex);
      g_task_return_new_error (task, TR_ERROR, TR_ERROR_STORAGE_FULL,
                               "the disk holding the history is full; nothing was deleted");
      op_free (op);
      return;
    }
  g_mutex_unlock (&self->mutex);
  push (self, op, FALSE);
}

/* ---- state ---- */

guint64
td_history_writer_get_ticket (TdHistoryWriter *self)
{
  guint64 ticket;

  g_mutex_lock (&self->mutex);
  ticket = self->enqueued;
  g_mutex_unlock (&self->mutex);
  return ticket;
}

gboolean
td_history_writer_wait (TdHistoryWriter *self, guint64 ticket, gint64 timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;
  gboolean done;

  g_mutex_lock (&self->mutex);
  self->waiters++;
  g_cond_signal (&self->wake);   /* no lingering: someone waits */
  while (self->committed < ticket && self->state == TD_HISTORY_WRITER_OK && !self->closing)
    if (!g_cond_wait_until (&self->committed_cond, &self->mutex, deadline))
      break;
  self->waiters--;
  done = self->committed >= ticket;
  g_mutex_unlock (&self->mutex);
  return done;
}

TdHistoryWriterState
td_history_writer_get_state (TdHistoryWriter *self, char **message)
{
  TdHistoryWriterState state;

  g_mutex_lock (&self->mutex);
  state = self->state;
  if (message != NULL)
    *message = g_strdup (self->message ? self->message : "");
  g_mutex_unlock (&self->mutex);
  return state;
}

void
td_history_writer_get_counts (TdHistoryWriter *self, guint *queued, guint64 *dropped)
{
  g_mutex_lock (&self->mutex);
  *queued = self->queue.length;
  *dropped = self->dropped;
  g_mutex_unlock (&self->mutex);
}

void
td_history_writer_set_retention (TdHistoryWriter *self, guint samples_days, guint tests_days,
                                 guint interval_s)
{
  g_mutex_lock (&self->mutex);
  self->samples_days = samples_days;
  self->tests_days = tests_days;
  self->prune_interval_s = MAX (interval_s, 1);
  self->next_prune = g_get_monotonic_time ();
  g_cond_signal (&self->wake);
  g_mutex_unlock (&self->mutex);
}

/* Writer thread: records a state change and tells the owner. */
static void
set_state (TdHistoryWriter *self, TdHistoryWriterState state, const char *message)
{
  gboolean changed;

  g_mutex_lock (&self->mutex);
  changed = self->state != state || g_strcmp0 (self->message, message) != 0;
  self->state = state;
  g_free (self->message);
  self->message = g_strdup (message);
  g_cond_broadcast (&self->committed_cond);
  g_mutex_unlock (&self->mutex);
  if (!changed)
    return;
  if (state == TD_HISTORY_WRITER_OK)
    g_info ("history: writing again; every buffered record is stored");
  else
    g_warning ("history: %s", message);
  if (self->notify != NULL)
    self->notify (state, message, self->notify_data);
}

/* ---- applying ops (writer thread) ---- */

/* Errors after which the transaction cannot go on. */
static gboolean
rc_aborts_batch (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_NOMEM:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_INTERRUPT:
      return TRUE;
    default:
      return FALSE;
    }
}

static int
step (sqlite3_stmt *stmt)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    ;
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int
apply_test_begin (TdHistoryWriter *self, Op *op)
{
  Statements *s = &self->stmts;
  int rc;

  sqlite3_clear_bindings (s->insert_test);
  td_history_columns_bind (s->insert_test, op->variant);
  rc = step (s->insert_test);
  if (rc != SQLITE_OK)
    return rc;
  sqlite3_clear_bindings (s->update_test);
  td_history_columns_bind (s->update_test, op->variant);
  return step (s->update_test);
}

static int
apply_test_update (TdHistoryWriter *self, Op *op)
{
  Statements *s = &self->stmts;

  sqlite3_clear_bindings (s->update_test);
  td_history_columns_bind (s->update_test, op->variant);
  sqlite3_bind_int64 (s->update_test, sqlite3_bind_parameter_index (s->update_test, ":id"), op->id);
  return step (s->update_test);
}

/* tests.sample_count += what this batch stored so far, per test. */
static int
flush_sample_counts (TdHistoryWriter *self)
{
  for (guint i = 0; i < self->seqs_touched->len; i++)
    {
      Seqs *seqs = g_ptr_array_index (self->seqs_touched, i);
      int rc;

      if (seqs->uncounted == 0)
        continue;
      sqlite3_bind_int64 (self->stmts.add_sample_count, 1, seqs->id);
      sqlite3_bind_int64 (self->stmts.add_sample_count, 2, seqs->uncounted);
      rc = step (self->stmts.add_sample_count);
      if (rc != SQLITE_OK)
        return rc;
      seqs->uncounted = 0;
    }
  return SQLITE_OK;
}

static int
apply_test_end (TdHistoryWriter *self, Op *op)
{
  int rc = apply_test_update (self, op);

  if (rc == SQLITE_OK)
    rc = flush_sample_counts (self);
  if (rc != SQLITE_OK)
    return rc;
  sqlite3_bind_int64 (self->stmts.final_test, 1, op->id);
  rc = step (self->stmts.final_test);
  if (rc != SQLITE_OK)
    return rc;
  g_array_append_val (self->ended_ids, op->id);
  /* at shutdown the rollups wait for the next start (rollups_built stays 0,
   * maintain() builds them): a long test would delay the exit */
  if (self->closing_seen)
    return SQLITE_OK;
  return td_history_rollup_build (self->db, op->id);
}

static Seqs *
seqs_for (TdHistoryWriter *self, guint id)
{
  Seqs *seqs = g_hash_table_lookup (self->seqs, GUINT_TO_POINTER (id));

  if (seqs == NULL)
    {
      seqs = g_new0 (Seqs, 1);
      seqs->id = id;
      g_hash_table_insert (self->seqs, GUINT_TO_POINTER (id), seqs);
    }
  if (!seqs->touched)
    {
      seqs->touched = TRUE;
      g_ptr_array_add (self->seqs_touched, seqs);
    }
  return seqs;
}

/* After a commit (@keep) or a rollback. */
static void
settle_seqs (TdHistoryWriter *self, gboolean keep)
{
  for (guint i = 0; i < self->seqs_touched->len; i++)
    {
      Seqs *seqs = g_ptr_array_index (self->seqs_touched, i);

      for (int d = 0; d < 2; d++)
        if (keep)
          seqs->committed[d] = seqs->next[d];
        else
          seqs->next[d] = seqs->committed[d];
      seqs->uncounted = 0;   /* counted in the commit, or rolled back with it */
      seqs->touched = FALSE;
    }
  g_ptr_array_set_size (self->seqs_touched, 0);
}

static int
apply_sample (TdHistoryWriter *self, Op *op)
{
  Seqs *seqs = seqs_for (self, op->id);
  int rc = td_history_sample_insert (self->stmts.insert_sample, self->stmts.insert_stream_sample, op->id,
                                     seqs->next, op->variant);

  if (rc == SQLITE_OK)
    seqs->uncounted++;
  return rc;
}

static int
apply_log (TdHistoryWriter *self, Op *op)
{
  sqlite3_stmt *stmt = self->stmts.insert_log;

  sqlite3_bind_int64 (stmt, 1, op->id);
  sqlite3_bind_int64 (stmt, 2, op->seq);
  sqlite3_bind_int64 (stmt, 3, op->timestamp);
  sqlite3_bind_int64 (stmt, 4, op->level);
  sqlite3_bind_text (stmt, 5, op->text, -1, SQLITE_STATIC);
  return step (stmt);
}

/* Removes a test's samples, rollups, logs and interface samples, and the
 * row when @row. */
static int
delete_test_data (TdHistoryWriter *self, guint id, gboolean row)
{
  sqlite3_stmt *stmts[] = {
    self->stmts.delete_samples, self->stmts.delete_stream_samples, self->stmts.delete_rollups,
    self->stmts.delete_logs, self->stmts.delete_iface_samples,
    row ? self->stmts.delete_test : NULL,
  };

  for (guint i = 0; i < G_N_ELEMENTS (stmts) && stmts[i] != NULL; i++)
    {
      int rc;

      sqlite3_bind_int64 (stmts[i], 1, id);
      rc = step (stmts[i]);
      if (rc != SQLITE_OK)
        return rc;
    }
  return SQLITE_OK;
}

static int
apply_delete (TdHistoryWriter *self, Op *op)
{
  op->deleted = 0;
  for (guint i = 0; i < op->ids->len; i++)
    {
      guint id = g_array_index (op->ids, guint, i);
      gboolean final = FALSE;
      int rc;

      sqlite3_bind_int64 (self->stmts.is_final, 1, id);
      if ((rc = sqlite3_step (self->stmts.is_final)) == SQLITE_ROW)
        final = sqlite3_column_int (self->stmts.is_final, 0) != 0;
      sqlite3_reset (self->stmts.is_final);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return rc;
      if (!final)      /* unknown, or still running: its rows would come back */
        continue;
      rc = delete_test_data (self, id, TRUE);
      if (rc != SQLITE_OK)
        return rc;
      op->deleted++;
    }
  return SQLITE_OK;
}

static int
apply_op (TdHistoryWriter *self, Op *op)
{
  switch (op->kind)
    {
    case OP_TEST_BEGIN:  return apply_test_begin (self, op);
    case OP_TEST_UPDATE: return apply_test_update (self, op);
    case OP_TEST_END:    return apply_test_end (self, op);
    case OP_SAMPLE:      return apply_sample (self, op);
    case OP_LOG:         return apply_log (self, op);
    case OP_DELETE:      return apply_delete (self, op);
    case OP_CALL:        return op->func (self->db, op->data);
    default:             g_assert_not_reached ();
    }
}

static const char *
op_name (OpKind kind)
{
  static const char *const names[] = { "new test", "test update", "test end", "sample", "log line", "delete", "call" };

  return names[kind];
}

/* Writes @batch in one transaction. SQLITE_OK, or the code that aborted
 * it (the transaction is then rolled back). Ops that fail on their own
 * (a constraint, say) are logged and skipped. */
static int
apply_batch_inner (TdHistoryWriter *self, GQueue *batch, GError **error)
{
  g_autoptr(TdSqlTransaction) txn = NULL;
  g_autoptr(GError) local_error = NULL;
  int rc;

  txn = td_sql_begin (self->db, TRUE, &local_error);
  if (txn == NULL)
    {
      rc = sqlite3_extended_errcode (self->db);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return rc != SQLITE_OK ? rc : SQLITE_ERROR;
    }
  for (GList *l = batch->head; l != NULL; l = l->next)
    {
      Op *op = l->data;

      rc = apply_op (self, op);
      if (rc == SQLITE_OK)
        continue;
      if (rc_aborts_batch (rc))
        {
          td_sql_set_error (error, self->db, rc, op_name (op->kind));
          return rc;
        }
      g_warning ("history: a %s of test %u was not stored: %s (SQLite code %d)",
                 op_name (op->kind), op->id, sqlite3_errmsg (self->db), rc);
    }
  rc = flush_sample_counts (self);
  if (rc != SQLITE_OK)
    {
      td_sql_set_error (error, self->db, rc, "counting samples");
      return rc;
    }
  if (!td_sql_commit (txn, error))
    {
      rc = sqlite3_extended_errcode (self->db);
      return rc != SQLITE_OK ? rc : SQLITE_ERROR;
    }
  return SQLITE_OK;
}

static int
apply_batch (TdHistoryWriter *self, GQueue *batch, GError **error)
{
  int rc = apply_batch_inner (self, batch, error);

  settle_seqs (self, rc == SQLITE_OK);
  for (guint i = 0; i < self->ended_ids->len; i++)
    if (rc == SQLITE_OK)
      g_hash_table_remove (self->seqs, GUINT_TO_POINTER (g_array_index (self->ended_ids, guint, i)));
  g_array_set_size (self->ended_ids, 0);
  return rc;
}

/* ---- retention and rollups of interrupted tests (writer thread) ---- */

static gboolean
select_ids (sqlite3 *db, const char *sql, gint64 cutoff, GArray *ids)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = td_sql_prepare (db, sql, &error);
  int rc;

  g_array_set_size (ids, 0);
  if (stmt == NULL)
    {
      g_warning ("history: cannot prepare a prune query: %s", error->message);
      return FALSE;
    }
  sqlite3_bind_int64 (stmt, 1, cutoff);
  sqlite3_bind_int (stmt, 2, PRUNE_CHUNK);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      guint id = (guint) sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  return rc == SQLITE_DONE;
}

/* One chunk: @what (0 delete tests, 1 prune samples, 2 build rollups) on
 * the ids; FALSE when it failed (retried at the next pass). */
static gboolean
maintain_chunk (TdHistoryWriter *self, int what, GArray *ids)
{
  g_autoptr(TdSqlTransaction) txn = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) mark = NULL;

  txn = td_sql_begin (self->db, TRUE, &error);
  if (txn == NULL)
    goto failed;
  if (what == 1)
    mark = td_sql_prepare (self->db, "UPDATE tests SET samples_pruned = 1 WHERE id = ?1", &error);
  else if (what == 2)
    mark = td_sql_prepare (self->db, "UPDATE tests SET rollups_built = 1 WHERE id = ?1", &error);
  if (what != 0 && mark == NULL)
    goto failed;
  for (guint i = 0; i < ids->len; i++)
    {
      guint id = g_array_index (ids, guint, i);
      int rc = what == 2 ? td_history_rollup_build (self->db, id) : delete_test_data (self, id, what == 0);

      if (rc == SQLITE_OK && mark != NULL)
        {
          sqlite3_bind_int64 (mark, 1, id);
          rc = step (mark);
        }
      if (rc != SQLITE_OK)
        {
          td_sql_set_error (&error, self->db, rc, "pruning");
          goto failed;
        }
    }
  if (td_sql_commit (txn, &error))
    return TRUE;
failed:
  g_warning ("history: retention/maintenance stopped for now: %s", error ? error->message : "?");
  return FALSE;
}

static void
maintain (TdHistoryWriter *self, guint samples_days, guint tests_days)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint));
  gint64 now = g_get_real_time ();
  guint pruned_tests = 0, pruned_samples = 0;

  if (tests_days > 0)
    while (select_ids (self->db, "SELECT id FROM tests WHERE final = 1 AND end_time_us < ?1 LIMIT ?2",
                       now - (gint64) tests_days * 86400 * G_USEC_PER_SEC, ids) &&
           ids->len > 0 && maintain_chunk (self, 0, ids))
      pruned_tests += ids->len;
  if (samples_days > 0)
    while (select_ids (self->db, "SELECT id FROM tests WHERE final = 1 AND end_time_us < ?1"
                       " AND samples_pruned = 0 LIMIT ?2",
                       now - (gint64) samples_days * 86400 * G_USEC_PER_SEC, ids) &&
           ids->len > 0 && maintain_chunk (self, 1, ids))
      pruned_samples += ids->len;
  /* tests ended by a killed instance have no rollups yet */
  while (select_ids (self->db, "SELECT id FROM tests WHERE final = 1 AND rollups_built = 0"
                     " AND samples_pruned = 0 AND ?1 = ?1 LIMIT ?2", 0, ids) &&
         ids->len > 0 && maintain_chunk (self, 2, ids))
    ;
  if (pruned_tests > 0 || pruned_samples > 0)
    g_info ("history: retention removed %u tests (older than %u days) and the samples and logs of %u more (older than %u days)",
            pruned_tests, tests_days, pruned_samples, samples_days);
}

/* ---- the thread ---- */

static gboolean
prepare_statements (TdHistoryWriter *self, GError **error)
{
  static const struct { gsize offset; const char *sql; } list[] = {
    { G_STRUCT_OFFSET (Statements, insert_test),
      "INSERT INTO tests (id, state, owner_uid, start_time_us) VALUES (:id, :state, :owner_uid, :start_time_us)" },
    { G_STRUCT_OFFSET (Statements, update_test), TD_HISTORY_TEST_UPDATE_SQL },
    { G_STRUCT_OFFSET (Statements, final_test), "UPDATE tests SET final = 1 WHERE id = ?1" },
    { G_STRUCT_OFFSET (Statements, add_sample_count),
      "UPDATE tests SET sample_count = sample_count + ?2 WHERE id = ?1" },
    { G_STRUCT_OFFSET (Statements, insert_sample), TD_HISTORY_SAMPLE_INSERT_SQL },
    { G_STRUCT_OFFSET (Statements, insert_stream_sample), TD_HISTORY_STREAM_SAMPLE_INSERT_SQL },
    { G_STRUCT_OFFSET (Statements, insert_log),
      "INSERT OR REPLACE INTO logs (test_id, seq, timestamp_us, level, text) VALUES (?1, ?2, ?3, ?4, ?5)" },
    { G_STRUCT_OFFSET (Statements, is_final), "SELECT final FROM tests WHERE id = ?1" },
    { G_STRUCT_OFFSET (Statements, delete_samples), "DELETE FROM samples WHERE test_id = ?1" },
    { G_STRUCT_OFFSET (Statements, delete_stream_samples), "DELETE FROM stream_samples WHERE test_id = ?1" },
    { G_STRUCT_OFFSET (Statements, delete_rollups), "DELETE FROM sample_rollups WHERE test_id = ?1" },
    { G_STRUCT_OFFSET (Statements, delete_logs), "DELETE FROM logs WHERE test_id = ?1" },
    { G_STRUCT_OFFSET (Statements, delete_iface_samples), "DELETE FROM iface_test_samples WHERE test_id = ?1" },
    { G_STRUCT_OFFSET (Statements, delete_test), "DELETE FROM tests WHERE id = ?1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (list); i++)
    {
      sqlite3_stmt **slot = G_STRUCT_MEMBER_P (&self->stmts, list[i].offset);

      *slot = td_sql_prepare (self->db, list[i].sql, error);
      if (*slot == NULL)
        return FALSE;
    }
  return TRUE;
}

static void
finalize_statements (TdHistoryWriter *self)
{
  sqlite3_stmt **all = (sqlite3_stmt **) &self->stmts;
  sqlite3_stmt *kept;

  for (guint i = 0; i < sizeof (Statements) / sizeof (sqlite3_stmt *); i++)
    g_clear_pointer (&all[i], sqlite3_finalize);
  /* and those that writer functions keep prepared between calls
   * (td-iface-history.c), so that the close really closes */
  while ((kept = sqlite3_next_stmt (self->db, NULL)) != NULL)
    sqlite3_finalize (kept);
}

/* Takes the next batch off the queue (lock held). */
static void
take_batch (TdHistoryWriter *self, GQueue *batch)
{
  guint rows = 0;

  while (self->queue.length > 0 && (rows == 0 || rows + ((Op *) g_queue_peek_head (&self->queue))->rows <= MAX_ROWS_PER_TRANSACTION))
    {
      Op *op = g_queue_pop_head (&self->queue);

      rows += op->rows;
      g_queue_push_tail (batch, op);
    }
  self->queued_rows -= MIN (rows, self->queued_rows);
}

/* After a failed batch: deletes fail now when the disk is full; the rest
 * goes back to the head of the queue, in order (lock held). */
static void
requeue (TdHistoryWriter *self, GQueue *batch, gboolean full, GQueue *failed_deletes)
{
  Op *op;

  while ((op = g_queue_pop_tail (batch)) != NULL)
    {
      if (full && op->kind == OP_DELETE)
        {
          self->queued_bytes -= op->bytes;
          self->committed++;   /* answered */
          g_queue_push_head (failed_deletes, op);
          continue;
        }
      self->queued_rows += op->rows;
      g_queue_push_head (&self->queue, op);
    }
}

/* Done with a committed (or given-up) batch: answer deletes, free. */
static void
retire (TdHistoryWriter *self, GQueue *batch, const GError *error)
{
  Op *op;
  gsize bytes = 0;
  guint n = batch->length;

  while ((op = g_queue_pop_head (batch)) != NULL)
    {
      bytes += op->bytes;
      if (op->kind == OP_DELETE)
        {
          if (error == NULL)
            g_task_return_int (op->task, op->deleted);
          else
            g_task_return_error (op->task, g_error_copy (error));
        }
      op_free (op);
    }
  g_mutex_lock (&self->mutex);
  self->queued_bytes -= bytes;
  self->committed += n;
  g_cond_broadcast (&self->committed_cond);
  g_mutex_unlock (&self->mutex);
}

static gpointer
writer_thread (gpointer data)
{
  TdHistoryWriter *self = data;
  gint64 retry_at = 0, retry_delay = RETRY_FIRST_US;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      GQueue batch = G_QUEUE_INIT, failed_deletes = G_QUEUE_INIT;
      gboolean closing, prune = FALSE;
      guint samples_days, tests_days;
      int rc;

      g_mutex_lock (&self->mutex);
      for (;;)
        {
          gint64 now = g_get_monotonic_time ();
          gint64 deadline = G_MAXINT64;

          if (self->next_prune != 0 && now >= self->next_prune && retry_at == 0 && !self->closing)
            {
              prune = TRUE;
              self->next_prune = now + (gint64) self->prune_interval_s * G_USEC_PER_SEC;
              break;
            }
          if (self->closing)
            break;
          if (self->queue.length > 0 && retry_at == 0)
            {
              gint64 linger_end = self->queued_since + LINGER_US;

              if (self->queued_rows >= LINGER_ROWS || self->waiters > 0 || now >= linger_end ||
                  ((Op *) g_queue_peek_tail (&self->queue))->kind == OP_DELETE)
                break;
              deadline = linger_end;
            }
          if (self->queue.length > 0 && retry_at != 0 && now >= retry_at)
            break;
          if (retry_at != 0 && self->queue.length > 0)
            deadline = retry_at;
          if (self->next_prune != 0 && retry_at == 0)
            deadline = MIN (deadline, self->next_prune);
          if (deadline == G_MAXINT64)
            g_cond_wait (&self->wake, &self->mutex);
          else
            g_cond_wait_until (&self->wake, &self->mutex, deadline);
        }
      closing = self->closing;
      self->closing_seen = closing;
      samples_days = self->samples_days;
      tests_days = self->tests_days;
      if (!prune)
        take_batch (self, &batch);
      g_mutex_unlock (&self->mutex);

      if (prune)
        {
          maintain (self, samples_days, tests_days);
          continue;
        }
      if (batch.length == 0)
        break;   /* closing, all written */

      rc = apply_batch (self, &batch, &error);
      if (rc == SQLITE_OK)
        {
          retire (self, &batch, NULL);
          if (retry_at != 0)
            {
              retry_at = 0;
              retry_delay = RETRY_FIRST_US;
              set_state (self, TD_HISTORY_WRITER_OK, "");
            }
          continue;
        }

      if (closing)
        {
          g_autoptr(GError) lost = NULL;
          guint n;

          g_mutex_lock (&self->mutex);
          n = self->queue.length + batch.length;
          g_mutex_unlock (&self->mutex);
          g_warning ("history: %u records could not be written before the service stopped: %s",
                     n, error->message);
          lost = g_error_new (TR_ERROR, TR_ERROR_UNAVAILABLE, "the service is stopping");
          retire (self, &batch, lost);
          g_mutex_lock (&self->mutex);
          while (self->queue.length > 0)
            g_queue_push_tail (&batch, g_queue_pop_head (&self->queue));
          g_mutex_unlock (&self->mutex);
          retire (self, &batch, lost);
          break;
        }

      g_mutex_lock (&self->mutex);
      requeue (self, &batch, td_sql_rc_is_full (rc), &failed_deletes);
      g_mutex_unlock (&self->mutex);
      if (failed_deletes.length > 0)
        {
          g_autoptr(GError) full = g_error_new (TR_ERROR, TR_ERROR_STORAGE_FULL,
                                                "the disk holding the history is full; nothing was deleted");
          Op *op;

          while ((op = g_queue_pop_head (&failed_deletes)) != NULL)
            {
              g_task_return_error (op->task, g_error_copy (full));
              op_free (op);
            }
        }
      retry_at = g_get_monotonic_time () + retry_delay;
      retry_delay = MIN (retry_delay * 2, RETRY_MAX_US);
      {
        g_autofree char *message = NULL;

        if (td_sql_rc_is_full (rc))
          message = g_strdup_printf ("the disk holding the history database is full; tests go on, their "
                                     "samples are kept in memory (up to %zu MiB) and written once there is "
                                     "space again (%s)", self->max_bytes / (1024 * 1024), error->message);
        else
          message = g_strdup_printf ("cannot write the history database, retrying: %s", error->message);
        set_state (self, td_sql_rc_is_full (rc) ? TD_HISTORY_WRITER_STORAGE_FULL : TD_HISTORY_WRITER_FAILING,
                   message);
      }
    }

  finalize_statements (self);
  return NULL;
}

TdHistoryWriter *
td_history_writer_new (sqlite3 *db, gsize max_buffer_bytes, TdHistoryWriterNotify notify, gpointer user_data)
{
  TdHistoryWriter *self = g_new0 (TdHistoryWriter, 1);
  g_autoptr(GError) error = NULL;

  self->db = db;
  self->max_bytes = max_buffer_bytes > 0 ? max_buffer_bytes : TD_HISTORY_WRITER_DEFAULT_BUFFER;
  self->notify = notify;
  self->notify_data = user_data;
  self->prune_interval_s = 3600;
  self->seqs = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->seqs_touched = g_ptr_array_new ();
  self->ended_ids = g_array_new (FALSE, FALSE, sizeof (guint));
  g_mutex_init (&self->mutex);
  g_cond_init (&self->wake);
  g_cond_init (&self->committed_cond);
  g_queue_init (&self->queue);
  /* keep the -wal from staying large after a burst; a page cache large
   * enough that a batch does not spill into the -wal before its commit */
  td_sql_exec (db, "PRAGMA journal_size_limit = 16777216; PRAGMA cache_size = -32768", NULL);
  if (!prepare_statements (self, &error))
    g_error ("history: the writer's statements do not compile: %s", error->message);
  self->thread = g_thread_new ("history-writer", writer_thread, self);
  return self;
}

void
td_history_writer_free (TdHistoryWriter *self)
{
  if (self == NULL)
    return;
  g_mutex_lock (&self->mutex);
  self->closing = TRUE;
  g_cond_broadcast (&self->wake);
  g_cond_broadcast (&self->committed_cond);
  g_mutex_unlock (&self->mutex);
  /* The last reference to the history can be dropped by a task completed
   * on this very thread: it cannot join itself. It stops on its own
   * (closing is set); its few resources are left to the process. */
  if (g_thread_self () == self->thread)
    {
      g_debug ("history writer released from its own thread; it stops without a final cleanup");
      g_thread_unref (self->thread);
      return;
    }
  g_thread_join (self->thread);

  sqlite3_close_v2 (self->db);
  g_hash_table_unref (self->seqs);
  g_ptr_array_unref (self->seqs_touched);
  g_array_unref (self->ended_ids);
  g_free (self->message);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->wake);
  g_cond_clear (&self->committed_cond);
  g_free (self);
}
