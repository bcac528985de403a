/* td-history-columns.h: the columns of the tests table, once.
 *
 * The same names are the keys of the a{sv} rows of org.trafficd.Traffic1.
 * History, the CSV header and the JSON keys; units are in the names. The
 * list drives the SELECT column list, the generic UPDATE and the mapping
 * between rows and a{sv}. The CREATE TABLE statements themselves are
 * frozen per schema version in td-history-schema.c. */
#pragma once

#include <glib.h>
#include <sqlite3.h>

#include "td-variant-wire.h"

G_BEGIN_DECLS

typedef enum {
  TD_COL_ROW      = 1 << 0,   /* in every row (ListTests, CSV, JSON) */
  TD_COL_FULL     = 1 << 1,   /* only with the whole test (GetTest, JSON of one test) */
  TD_COL_INTERNAL = 1 << 2,   /* never shown */
} TdColumnFlags;

/* name, D-Bus type ('u' 't' 'x' 'd' 's' 'b', or 'v' for an a{sv} stored as
 * GVariant text), flags. "id" (u, row) comes first and is not listed. */
#define TD_HISTORY_TEST_COLUMNS(C) \
  C (role, 's', TD_COL_ROW) \
  C (state, 's', TD_COL_ROW) \
  C (final, 'b', TD_COL_INTERNAL) \
  C (owner_uid, 'u', TD_COL_ROW) \
  C (caller_executable, 's', TD_COL_ROW) \
  C (label, 's', TD_COL_ROW) \
  C (host, 's', TD_COL_ROW) \
  C (port, 'u', TD_COL_ROW) \
  C (protocol, 's', TD_COL_ROW) \
  C (direction, 's', TD_COL_ROW) \
  C (streams, 'u', TD_COL_ROW) \
  C (duration_seconds, 'u', TD_COL_ROW) \
  C (bytes_limit_bytes, 't', TD_COL_ROW) \
  C (bitrate_bits_per_second, 't', TD_COL_ROW) \
  C (interval_seconds, 'd', TD_COL_ROW) \
  C (omit_seconds, 'u', TD_COL_ROW) \
  C (bind_address, 's', TD_COL_ROW) \
  C (length_bytes, 'u', TD_COL_ROW) \
  C (window_bytes, 'u', TD_COL_ROW) \
  C (tos, 'u', TD_COL_ROW) \
  C (congestion, 's', TD_COL_ROW) \
  C (zerocopy, 'b', TD_COL_ROW) \
  C (connect_timeout_seconds, 'd', TD_COL_ROW) \
  C (receive_timeout_seconds, 'd', TD_COL_ROW) \
  C (options, 'v', TD_COL_FULL) \
  C (start_time_us, 't', TD_COL_ROW) \
  C (running_since_us, 't', TD_COL_ROW) \
  C (end_time_us, 't', TD_COL_ROW) \
  C (error_name, 's', TD_COL_ROW) \
  C (error_message, 's', TD_COL_ROW) \
  C (exact, 'b', TD_COL_ROW) \
  C (partial, 'b', TD_COL_ROW) \
  C (forward_sender_bytes, 't', TD_COL_ROW) \
  C (forward_sender_bits_per_second, 'd', TD_COL_ROW) \
  C (forward_receiver_bytes, 't', TD_COL_ROW) \
  C (forward_receiver_bits_per_second, 'd', TD_COL_ROW) \
  C (forward_seconds, 'd', TD_COL_ROW) \
  C (forward_retransmits, 'x', TD_COL_ROW) \
  C (forward_jitter_ms, 'd', TD_COL_ROW) \
  C (forward_lost_packets, 't', TD_COL_ROW) \
  C (forward_packets, 't', TD_COL_ROW) \
  C (forward_lost_percent, 'd', TD_COL_ROW) \
  C (reverse_sender_bytes, 't', TD_COL_ROW) \
  C (reverse_sender_bits_per_second, 'd', TD_COL_ROW) \
  C (reverse_receiver_bytes, 't', TD_COL_ROW) \
  C (reverse_receiver_bits_per_second, 'd', TD_COL_ROW) \
  C (reverse_seconds, 'd', TD_COL_ROW) \
  C (reverse_retransmits, 'x', TD_COL_ROW) \
  C (reverse_jitter_ms, 'd', TD_COL_ROW) \
  C (reverse_lost_packets, 't', TD_COL_ROW) \
  C (reverse_packets, 't', TD_COL_ROW) \
  C (reverse_lost_percent, 'd', TD_COL_ROW) \
  C (cpu_local_percent, 'd', TD_COL_ROW) \
  C (cpu_remote_percent, 'd', TD_COL_ROW) \
  C (result, 'v', TD_COL_FULL) \
  C (hostname, 's', TD_COL_ROW) \
  C (kernel, 's', TD_COL_ROW) \
  C (iperf_version, 's', TD_COL_ROW) \
  C (resolved_address, 's', TD_COL_ROW) \
  C (local_address, 's', TD_COL_ROW) \
  C (local_port, 'u', TD_COL_ROW) \
  C (remote_address, 's', TD_COL_ROW) \
  C (remote_port, 'u', TD_COL_ROW) \
  C (interface, 's', TD_COL_ROW) \
  C (link_speed_bits_per_second, 't', TD_COL_ROW) \
  C (network_connection, 's', TD_COL_ROW) \
  C (sample_count, 't', TD_COL_ROW) \
  C (dropped_samples, 't', TD_COL_ROW) \
  C (samples_pruned, 'b', TD_COL_ROW) \
  C (rollups_built, 'b', TD_COL_INTERNAL)

#define TD_HISTORY_COLUMN_SELECT_(name, type, flags) ", " #name
/* "id, role, state, ..." for a SELECT on tests (no alias). */
#define TD_HISTORY_TEST_SELECT_LIST "id" TD_HISTORY_TEST_COLUMNS (TD_HISTORY_COLUMN_SELECT_)

typedef struct {
  const char   *name;
  char          type;
  TdColumnFlags flags;
} TdHistoryColumn;

/* Every column in SELECT order, "id" first. */
const TdHistoryColumn *td_history_columns        (guint          *n_columns);
/* The index of @name in that order, -1 when unknown. */
int                    td_history_column_index   (const char     *name);

/* A row of a statement whose columns (from @first on) are
 * TD_HISTORY_TEST_SELECT_LIST, as a{sv} of the columns with @flags
 * (NULL values left out); a new, non-floating reference. */
GVariant              *td_history_columns_to_variant (sqlite3_stmt *stmt,
                                                      int           first,
                                                      TdColumnFlags flags);
/* The same with a builder reused from row to row, and only the columns
 * @selected says (an array as long as td_history_columns(); NULL: all). */
GVariant              *td_history_columns_build  (TdAsvBuilder   *builder,
                                                  sqlite3_stmt   *stmt,
                                                  int             first,
                                                  TdColumnFlags   flags,
                                                  const gboolean *selected);
/* Binds the values of @columns (a{sv}) to the statement's ":NAME"
 * parameters (keys the statement does not use are skipped; parameters
 * without a value keep their binding). Keys that are not columns and wrong
 * types are programming errors (critical, ignored). */
#define TD_HISTORY_COLUMN_UPDATE_(name, type, flags) #name " = coalesce(:" #name ", " #name "), "
/* "UPDATE tests SET role = coalesce(:role, role), ... WHERE id = :id" */
#define TD_HISTORY_TEST_UPDATE_SQL \
  "UPDATE tests SET " TD_HISTORY_TEST_COLUMNS (TD_HISTORY_COLUMN_UPDATE_) "id = id WHERE id = :id"

void                   td_history_columns_bind   (sqlite3_stmt   *stmt,
                                                  GVariant       *columns);

G_END_DECLS
