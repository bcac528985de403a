/* td-history-export.h: CSV and JSON into a file descriptor.
 *
 * What is written:
 *   the tests a filter selects: CSV with one header line of the column
 *     names (td-history-columns.h: units in the names, such as
 *     forward_receiver_bits_per_second, forward_sender_bytes), then one
 *     line per test; JSON: an array of objects with the same keys.
 *   the samples of one test: CSV with test_id, direction, stream, socket,
 *     seq, timestamp_us, start_seconds, end_seconds, seconds, bytes,
 *     bits_per_second, omitted, retransmits, cwnd_bytes, jitter_ms,
 *     lost_packets, packets, lost_percent (ordered by direction, seq,
 *     stream; stream -1 is all streams together); JSON: {"test": {the whole row, options and result as
 *     objects}, "samples": [...]}.
 * CSV follows RFC 4180: CRLF line ends, fields with a comma, a quote, CR
 * or LF quoted with quotes doubled; NULL is an empty field; booleans are
 * true/false; numbers use '.' and the shortest text that reads back to the
 * same double. JSON has null for NULL.
 *
 * The descriptor is the caller's (received over D-Bus); it is written with
 * poll() so that a reader that stops reading makes the export fail after
 * TD_HISTORY_EXPORT_STALL_S instead of blocking a thread forever. Runs in a
 * worker thread, never in the main loop. */
#pragma once

#include <glib.h>
#include <sqlite3.h>

#include "td-history-filter.h"

G_BEGIN_DECLS

#define TD_HISTORY_EXPORT_STALL_S 30

typedef enum {
  TD_HISTORY_FORMAT_CSV,
  TD_HISTORY_FORMAT_JSON,
} TdHistoryFormat;

/* "csv" / "json"; FALSE with TR_ERROR_INVALID_ARGUMENT otherwise. */
gboolean td_history_format_parse (const char        *name,
                                  TdHistoryFormat   *format,
                                  GError           **error);
/* Checks that @fd is open for writing and not a directory. */
gboolean td_history_export_check_fd (int             fd,
                                     GError        **error);
/* Writes the tests @filter selects (or the samples of filter->test) to
 * @fd; *rows is the number of data rows written. */
gboolean td_history_export (sqlite3                *db,
                            const TdHistoryFilter  *filter,
                            TdHistoryFormat         format,
                            int                     fd,
                            guint64                *rows,
                            GError                **error);

/* RFC 4180 field (exposed for tests). */
void     td_history_csv_append_field  (GString      *line,
                                       const char   *value);
/* The shortest "%.*g" that reads back to @value (exposed for tests). */
void     td_history_append_double     (GString      *out,
                                       double        value);

G_END_DECLS
