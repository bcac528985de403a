/* td-history-export.c: CSV and JSON writers. */
#include "config.h"

#include "td-history-export.h"
#include "td-history-columns.h"
#include "td-history-query.h"
#include "td-history-sample.h"
#include "td-history-sql.h"
#include "tr-error.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FLUSH_AT (64 * 1024)

gboolean
td_history_format_parse (const char *name, TdHistoryFormat *format, GError **error)
{
  if (g_strcmp0 (name, "csv") == 0)
    *format = TD_HISTORY_FORMAT_CSV;
  else if (g_strcmp0 (name, "json") == 0)
    *format = TD_HISTORY_FORMAT_JSON;
  else
    {
      g_autofree char *shown = g_strescape (name ? name : "", NULL);

      g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT, "format: must be \"csv\" or \"json\", got \"%.32s\"",
                   shown);
      return FALSE;
    }
  return TRUE;
}

gboolean
td_history_export_check_fd (int fd, GError **error)
{
  struct stat st;
  int flags = fcntl (fd, F_GETFL);

  if (flags < 0 || fstat (fd, &st) < 0)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT, "fd: not an open file descriptor");
      return FALSE;
    }
  if ((flags & O_ACCMODE) == O_RDONLY)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT, "fd: not open for writing");
      return FALSE;
    }
  if (S_ISDIR (st.st_mode))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT, "fd: is a directory");
      return FALSE;
    }
  return TRUE;
}

/* ---- output ---- */

typedef struct {
  int      fd;
  gsize    chunk;     /* at most this much per write(): PIPE_BUF on pipes and sockets */
  GString *buf;
} Out;

static gboolean
out_flush (Out *out, GError **error)
{
  gsize done = 0;

  while (done < out->buf->len)
    {
      struct pollfd p = { out->fd, POLLOUT, 0 };
      int r = poll (&p, 1, TD_HISTORY_EXPORT_STALL_S * 1000);
      ssize_t w;

      if (r < 0 && errno == EINTR)
        continue;
      if (r == 0)
        {
          g_set_error (error, TR_ERROR, TR_ERROR_TIMEOUT,
                       "export: the reader took nothing for %d s; stopped", TD_HISTORY_EXPORT_STALL_S);
          return FALSE;
        }
      if (r < 0 || (p.revents & (POLLERR | POLLNVAL)))
        {
          g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT, "export: the file descriptor cannot be written");
          return FALSE;
        }
      w = write (out->fd, out->buf->str + done, MIN (out->buf->len - done, out->chunk));
      if (w < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (w < 0)
        {
          int saved = errno;

          if (saved == ENOSPC)
            g_set_error (error, TR_ERROR, TR_ERROR_STORAGE_FULL, "export: the destination is full");
          else
            g_set_error (error, TR_ERROR, TR_ERROR_INVALID_ARGUMENT, "export: writing failed: %s%s",
                         g_strerror (saved), saved == EPIPE ? " (the reader went away)" : "");
          return FALSE;
        }
      done += (gsize) w;
    }
  g_string_truncate (out->buf, 0);
  return TRUE;
}

static gboolean
out_maybe_flush (Out *out, GError **error)
{
  return out->buf->len < FLUSH_AT || out_flush (out, error);
}

/* ---- formatting ---- */

void
td_history_append_double (GString *out, double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    {
      g_string_append (out, isnan (value) ? "nan" : value > 0 ? "inf" : "-inf");
      return;
    }
  for (int precision = 15; precision <= 17; precision++)
    {
      g_ascii_formatd (buf, sizeof buf, precision == 15 ? "%.15g" : precision == 16 ? "%.16g" : "%.17g", value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }
  g_string_append (out, buf);
}

void
td_history_csv_append_field (GString *line, const char *value)
{
  if (value == NULL)
    return;
  if (strpbrk (value, ",\"\r\n") == NULL)
    {
      g_string_append (line, value);
      return;
    }
  g_string_append_c (line, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (line, '"');
      g_string_append_c (line, *p);
    }
  g_string_append_c (line, '"');
}

/* One SQLite value as CSV text of D-Bus type @type. */
static void
csv_value (GString *line, sqlite3_stmt *stmt, int col, char type)
{
  switch (sqlite3_column_type (stmt, col))
    {
    case SQLITE_NULL:
      return;
    default:
      break;
    }
  switch (type)
    {
    case 'd':
      td_history_append_double (line, sqlite3_column_double (stmt, col));
      break;
    case 'b':
      g_string_append (line, sqlite3_column_int64 (stmt, col) ? "true" : "false");
      break;
    case 's':
    case 'v':
      td_history_csv_append_field (line, td_sql_column_text (stmt, col));
      break;
    default:
      g_string_append_printf (line, "%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, col));
      break;
    }
}

static void
json_value (JsonObject *o, const char *name, sqlite3_stmt *stmt, int col, char type)
{
  if (sqlite3_column_type (stmt, col) == SQLITE_NULL)
    {
      json_object_set_null_member (o, name);
      return;
    }
  switch (type)
    {
    case 'd':
      {
        double d = sqlite3_column_double (stmt, col);

        if (isfinite (d))
          json_object_set_double_member (o, name, d);
        else
          json_object_set_null_member (o, name);
      }
      break;
    case 'b':
      json_object_set_boolean_member (o, name, sqlite3_column_int64 (stmt, col) != 0);
      break;
    case 's':
      {
        const char *text = td_sql_column_text (stmt, col);

        json_object_set_string_member (o, name, text && g_utf8_validate (text, -1, NULL) ? text : "");
      }
      break;
    case 'v':
      {
        const char *text = td_sql_column_text (stmt, col);
        g_autoptr(GVariant) v = text ? g_variant_parse (G_VARIANT_TYPE_VARDICT, text, NULL, NULL, NULL) : NULL;

        if (v != NULL)
          json_object_set_member (o, name, json_gvariant_serialize (v));
        else
          json_object_set_null_member (o, name);
      }
      break;
    default:
      json_object_set_int_member (o, name, sqlite3_column_int64 (stmt, col));
      break;
    }
}

static void
json_append_object (GString *out, JsonObject *o)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *text = NULL;

  json_node_set_object (node, o);
  text = json_to_string (node, FALSE);
  g_string_append (out, text);
}

/* ---- tests ---- */

static gboolean
export_tests (sqlite3 *db, const TdHistoryFilter *f, TdHistoryFormat format, Out *out, guint64 *rows,
              GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = td_history_query_prepare_list (db, f, error);
  const TdHistoryColumn *columns;
  guint n_columns;
  int rc;

  if (stmt == NULL)
    return FALSE;
  columns = td_history_columns (&n_columns);
  if (format == TD_HISTORY_FORMAT_CSV)
    {
      gboolean first = TRUE;

      for (guint i = 0; i < n_columns; i++)
        if ((columns[i].flags & TD_COL_ROW) && (f->columns == NULL || f->columns[i]))
          {
            g_string_append (out->buf, first ? "" : ",");
            g_string_append (out->buf, columns[i].name);
            first = FALSE;
          }
      g_string_append (out->buf, "\r\n");
    }
  else
    g_string_append (out->buf, "[");

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (format == TD_HISTORY_FORMAT_CSV)
        {
          gboolean first = TRUE;

          for (guint i = 0; i < n_columns; i++)
            if ((columns[i].flags & TD_COL_ROW) && (f->columns == NULL || f->columns[i]))
              {
                if (!first)
                  g_string_append_c (out->buf, ',');
                csv_value (out->buf, stmt, (int) i, columns[i].type);
                first = FALSE;
              }
          g_string_append (out->buf, "\r\n");
        }
      else
        {
          g_autoptr(JsonObject) o = json_object_new ();

          for (guint i = 0; i < n_columns; i++)
            if ((columns[i].flags & TD_COL_ROW) && (f->columns == NULL || f->columns[i]))
              json_value (o, columns[i].name, stmt, (int) i, columns[i].type);
          g_string_append (out->buf, *rows == 0 ? "\n" : ",\n");
          json_append_object (out->buf, o);
        }
      (*rows)++;
      if (!out_maybe_flush (out, error))
        return FALSE;
    }
  if (rc != SQLITE_DONE)
    {
      td_sql_set_error (error, db, rc, "export: reading tests");
      return FALSE;
    }
  if (format == TD_HISTORY_FORMAT_JSON)
    g_string_append (out->buf, "\n]\n");
  return TRUE;
}

/* ---- samples of one test ---- */

static const struct { const char *name; int col; char type; } sample_fields[] = {
  /* col: in TD_HISTORY_SAMPLE_TOTALS_SQL; -1 test_id, -2 seconds */
  { "test_id", -1, 'u' }, { "direction", 1, 'D' }, { "stream", 0, 'x' }, { "socket", 3, 'x' },
  { "seq", 2, 'u' }, { "timestamp_us", 4, 't' }, { "start_seconds", 5, 'd' }, { "end_seconds", 6, 'd' },
  { "seconds", -2, 'd' }, { "bytes", 7, 't' }, { "bits_per_second", 8, 'd' }, { "omitted", 9, 'b' },
  { "retransmits", 10, 'x' }, { "cwnd_bytes", 11, 't' }, { "jitter_ms", 12, 'd' },
  { "lost_packets", 13, 't' }, { "packets", 14, 't' }, { "lost_percent", 15, 'd' },
};

static gboolean
export_samples (sqlite3 *db, const TdHistoryFilter *f, TdHistoryFormat format, Out *out, guint64 *rows,
                GError **error)
{
  g_autoptr(sqlite3_stmt) test = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  test = td_sql_prepare (db, "SELECT " TD_HISTORY_TEST_SELECT_LIST " FROM tests WHERE id = ?1", error);
  if (test == NULL)
    return FALSE;
  sqlite3_bind_int64 (test, 1, f->test);
  rc = sqlite3_step (test);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_NOT_FOUND, "the history has no test %u", f->test);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      td_sql_set_error (error, db, rc, "export: reading the test");
      return FALSE;
    }
  if (f->streams)
    stmt = td_sql_prepare (db, TD_HISTORY_SAMPLE_TOTALS_SQL " UNION ALL " TD_HISTORY_SAMPLE_STREAMS_SQL
                           " ORDER BY 2, 3, 1", error);
  else
    stmt = td_sql_prepare (db, TD_HISTORY_SAMPLE_TOTALS_SQL " ORDER BY direction, seq", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, f->test);

  if (format == TD_HISTORY_FORMAT_CSV)
    {
      for (guint i = 0; i < G_N_ELEMENTS (sample_fields); i++)
        {
          g_string_append (out->buf, i ? "," : "");
          g_string_append (out->buf, sample_fields[i].name);
        }
      g_string_append (out->buf, "\r\n");
    }
  else
    {
      g_autoptr(JsonObject) o = json_object_new ();
      const TdHistoryColumn *columns;
      guint n_columns;

      columns = td_history_columns (&n_columns);
      for (guint i = 0; i < n_columns; i++)
        if (columns[i].flags & (TD_COL_ROW | TD_COL_FULL))
          json_value (o, columns[i].name, test, (int) i, columns[i].type);
      g_string_append (out->buf, "{\"test\": ");
      json_append_object (out->buf, o);
      g_string_append (out->buf, ",\n\"samples\": [");
    }

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(JsonObject) o = format == TD_HISTORY_FORMAT_JSON ? json_object_new () : NULL;

      for (guint i = 0; i < G_N_ELEMENTS (sample_fields); i++)
        {
          const char *name = sample_fields[i].name;
          int col = sample_fields[i].col;

          if (format == TD_HISTORY_FORMAT_CSV && i > 0)
            g_string_append_c (out->buf, ',');
          if (col == -1 || col == -2)
            {
              if (format == TD_HISTORY_FORMAT_CSV && col == -1)
                g_string_append_printf (out->buf, "%u", f->test);
              else if (format == TD_HISTORY_FORMAT_CSV)
                td_history_append_double (out->buf, sqlite3_column_double (stmt, 6) - sqlite3_column_double (stmt, 5));
              else if (col == -1)
                json_object_set_int_member (o, name, f->test);
              else
                json_object_set_double_member (o, name, sqlite3_column_double (stmt, 6) - sqlite3_column_double (stmt, 5));
            }
          else if (sample_fields[i].type == 'D')
            {
              const char *direction = td_history_direction_name (sqlite3_column_int (stmt, col));

              if (format == TD_HISTORY_FORMAT_CSV)
                g_string_append (out->buf, direction);
              else
                json_object_set_string_member (o, name, direction);
            }
          else if (format == TD_HISTORY_FORMAT_CSV)
            csv_value (out->buf, stmt, col, sample_fields[i].type);
          else
            json_value (o, name, stmt, col, sample_fields[i].type);
        }
      if (format == TD_HISTORY_FORMAT_CSV)
        g_string_append (out->buf, "\r\n");
      else
        {
          g_string_append (out->buf, *rows == 0 ? "\n" : ",\n");
          json_append_object (out->buf, o);
        }
      (*rows)++;
      if (!out_maybe_flush (out, error))
        return FALSE;
    }
  if (rc != SQLITE_DONE)
    {
      td_sql_set_error (error, db, rc, "export: reading samples");
      return FALSE;
    }
  if (format == TD_HISTORY_FORMAT_JSON)
    g_string_append (out->buf, "\n]}\n");
  return TRUE;
}

gboolean
td_history_export (sqlite3 *db, const TdHistoryFilter *f, TdHistoryFormat format, int fd, guint64 *rows,
                   GError **error)
{
  g_autoptr(TdSqlTransaction) txn = td_sql_begin (db, FALSE, error);
  g_autoptr(GString) buf = g_string_sized_new (FLUSH_AT + 4096);
  struct stat st;
  Out out = { fd, FLUSH_AT, buf };
  gboolean ok;

  *rows = 0;
  if (txn == NULL)
    return FALSE;
  if (fstat (fd, &st) == 0 && !S_ISREG (st.st_mode))
    out.chunk = PIPE_BUF;   /* POLLOUT on a pipe promises room for this much */
  ok = f->has_test ? export_samples (db, f, format, &out, rows, error)
                   : export_tests (db, f, format, &out, rows, error);
  if (!ok || !out_flush (&out, error))
    return FALSE;
  return td_sql_commit (txn, error);
}
