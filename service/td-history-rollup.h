/* td-history-rollup.h: pre-aggregated samples for fast downsampling.
 *
 * When a test ends, its all-streams samples are summarised per direction
 * into buckets of 16 (level 1), 256 (level 2), ... consecutive samples:
 * count, time-weighted mean, min and max rate, sums of bytes,
 * retransmits, lost and total packets. A level is built while it has more
 * than 16 buckets. Downsampling a long test then reads a few thousand
 * rollup rows instead of every sample, and keeps the peaks (min and max). */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define TD_HISTORY_ROLLUP_FANOUT_BITS 4   /* 16 per level */
#define TD_HISTORY_ROLLUP_MAX_LEVEL 5

/* (Re)builds the rollups of @test_id and sets rollups_built, inside the
 * caller's transaction. An SQLite result code. */
int      td_history_rollup_build     (sqlite3  *db,
                                      guint     test_id);
/* Samples of one direction (1 + the largest seq), or -1 on error. */
gint64   td_history_rollup_count     (sqlite3  *db,
                                      guint     test_id,
                                      int       direction);

G_END_DECLS
