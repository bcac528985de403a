/* td-history-sample.h: Interval samples <-> rows of the samples table.
 *
 * One Interval a{sv} gives one row for all streams together (stream -1)
 * and, with two or more streams, one row per stream (0-based index in the
 * sample's "streams", iperf's socket number kept in socket). Keys of the
 * a{sv} rows the History interface returns (units in the names):
 *   direction s ("forward"/"reverse"), stream i, socket i, seq u,
 *   timestamp_us t, start_seconds d, end_seconds d, seconds d, bytes t,
 *   bits_per_second d, omitted b, retransmits x, cwnd_bytes t, jitter_ms d,
 *   lost_packets t, packets t, lost_percent d
 * (Interval's start/end/timestamp are start_seconds/end_seconds/
 * timestamp_us here; its retransmits -1 "unknown" is left out.) */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define TD_HISTORY_SAMPLE_INSERT_SQL \
  "INSERT OR REPLACE INTO samples (test_id, stream, direction, seq, socket, timestamp_us," \
  " start_seconds, end_seconds, bytes, bits_per_second, omitted, retransmits, cwnd_bytes," \
  " jitter_ms, lost_packets, packets, lost_percent)" \
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"

/* The columns td_history_sample_to_variant() reads, in order. */
#define TD_HISTORY_SAMPLE_SELECT_LIST \
  "stream, direction, seq, socket, timestamp_us, start_seconds, end_seconds, bytes," \
  " bits_per_second, omitted, retransmits, cwnd_bytes, jitter_ms, lost_packets, packets, lost_percent"

/* Rows the sample will take. */
guint     td_history_sample_rows       (GVariant     *sample);
/* Inserts them with @insert (TD_HISTORY_SAMPLE_INSERT_SQL); an SQLite code. */
int       td_history_sample_insert     (sqlite3_stmt *insert,
                                        guint         test_id,
                                        guint         seq,
                                        GVariant     *sample);
/* One row (TD_HISTORY_SAMPLE_SELECT_LIST from column @first) as a{sv}. */
GVariant *td_history_sample_to_variant (sqlite3_stmt *stmt,
                                        int           first);
/* "forward" / "reverse" for the stored 0 / 1. */
const char *td_history_direction_name  (int           direction);

G_END_DECLS
