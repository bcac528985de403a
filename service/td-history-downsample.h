/* td-history-downsample.h: at most N points for one direction of a test,
 * keeping the peaks.
 *
 * Consecutive samples (all streams together) are merged into points of
 * equal sample count; each point carries the keys of a sample (see
 * td-history-sample.h; seq is its first sample's, timestamp_us its last's,
 * seconds the sum of durations, bits_per_second the time-weighted mean,
 * counters summed) plus samples (u), min_bits_per_second and
 * max_bits_per_second (d). A test with no more samples than N gives its
 * samples unchanged (samples 1, min = max = the rate). Long ended tests
 * are read from their rollups (td-history-rollup.h), so a test of 10^6
 * samples costs a few thousand rows. */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* Adds the points of @direction (0 forward, 1 reverse) of @test_id to
 * @builder (aa{sv}). @use_rollups when the test's rollups are built. */
gboolean td_history_downsample (sqlite3          *db,
                                guint             test_id,
                                int               direction,
                                guint             max_points,
                                gboolean          use_rollups,
                                GVariantBuilder  *builder,
                                GError          **error);

G_END_DECLS
