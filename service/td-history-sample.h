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

#include "td-variant-wire.h"

G_BEGIN_DECLS

#define TD_HISTORY_SAMPLE_INSERT_SQL \
  "INSERT INTO samples (test_id, direction, seq, timestamp_us, start_seconds, end_seconds," \
  " bytes, bits_per_second, omitted, retransmits, cwnd_bytes, jitter_ms, lost_packets, packets, lost_percent)" \
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
#define TD_HISTORY_STREAM_SAMPLE_INSERT_SQL \
  "INSERT INTO stream_samples (test_id, seq, direction, stream, socket, bytes, bits_per_second," \
  " omitted, retransmits, cwnd_bytes, jitter_ms, lost_packets, packets, lost_percent)" \
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"

/* The samples of test ?1 in the columns td_history_sample_build() reads,
 * ordered by direction, seq, stream: all streams together only, or (with
 * ?2 true) each stream too. */
#define TD_HISTORY_SAMPLE_TOTALS_SQL \
  "SELECT -1, direction, seq, NULL, timestamp_us, start_seconds, end_seconds, bytes, bits_per_second," \
  " omitted, retransmits, cwnd_bytes, jitter_ms, lost_packets, packets, lost_percent" \
  " FROM samples WHERE test_id = ?1"
#define TD_HISTORY_SAMPLE_STREAMS_SQL \
  "SELECT s.stream, s.direction, s.seq, s.socket, t.timestamp_us, t.start_seconds, t.end_seconds, s.bytes," \
  " s.bits_per_second, s.omitted, s.retransmits, s.cwnd_bytes, s.jitter_ms, s.lost_packets, s.packets," \
  " s.lost_percent FROM stream_samples s JOIN samples t" \
  " ON t.test_id = s.test_id AND t.direction = s.direction AND t.seq = s.seq WHERE s.test_id = ?1"

/* Inserts them with @insert (TD_HISTORY_SAMPLE_INSERT_SQL) and
 * @insert_stream (TD_HISTORY_STREAM_SAMPLE_INSERT_SQL) as sample
 * seqs[direction] of its direction, and counts it there; an SQLite code. */
int       td_history_sample_insert     (sqlite3_stmt *insert,
                                        sqlite3_stmt *insert_stream,
                                        guint         test_id,
                                        guint         seqs[2],
                                        GVariant     *sample);
/* One row (TD_HISTORY_SAMPLE_TOTALS_SQL columns from @first on) as a{sv}
 * (a new reference), with a builder reused from row to row. */
GVariant *td_history_sample_build      (TdAsvBuilder *builder,
                                        sqlite3_stmt *stmt,
                                        int           first);
/* "forward" / "reverse" for the stored 0 / 1. */
const char *td_history_direction_name  (int           direction);

G_END_DECLS
