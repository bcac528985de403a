/* tr-plot-decimate.h: what makes drawing 100,000 points cheap (private to
 * tr-plot.c).
 *
 * A series keeps, next to its points, the min and max y of every block of
 * TR_PLOT_BLOCK_SIZE consecutive points (a TrPlotSummary), maintained as
 * points are appended or dropped from the front. The min and max over any
 * range of points then costs a few blocks plus at most two partial blocks of
 * raw points, so the per-pixel-column decimation finds each column's points
 * by a short search on x and its min and max from the blocks: a frame walks
 * about one block per column, not every point, and no peak is lost.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TR_PLOT_BLOCK_SHIFT 4
#define TR_PLOT_BLOCK_SIZE  ((gsize) 1 << TR_PLOT_BLOCK_SHIFT)

/* The smallest and largest y of some points; lo > hi when there are none. */
typedef struct {
  double lo, hi;
} TrPlotRange;

/* Block b covers the points [b × SIZE − phase, (b + 1) × SIZE − phase) of
 * the series: dropping points from the front leaves the first block partly
 * gone (phase points) instead of moving every block boundary. The last
 * block may be partial. */
typedef struct {
  GArray *blocks;   /* TrPlotRange */
  gsize   phase;
} TrPlotSummary;

void        tr_plot_summary_init     (TrPlotSummary       *sum);
void        tr_plot_summary_clear    (TrPlotSummary       *sum);
/* All over again for the @n points @ys. */
void        tr_plot_summary_rebuild  (TrPlotSummary       *sum,
                                      const double        *ys,
                                      gsize                n);
/* @y was appended after the first @n points. */
void        tr_plot_summary_append   (TrPlotSummary       *sum,
                                      gsize                n,
                                      double               y);
/* @dropped points were removed from the front, leaving the @n points @ys. */
void        tr_plot_summary_drop     (TrPlotSummary       *sum,
                                      const double        *ys,
                                      gsize                n,
                                      gsize                dropped);
/* The min and max of ys[j..k). */
TrPlotRange tr_plot_summary_range    (const TrPlotSummary *sum,
                                      const double        *ys,
                                      gsize                j,
                                      gsize                k);

/* How x maps to pixel columns: column floor (origin + (x − x0) × scale),
 * but at most last_col for x up to x1 (the right end of the axis). */
typedef struct {
  double origin;
  double x0;
  double scale;
  double x1;
  gint64 last_col;
  gint64 max_gap;   /* at most this many empty columns are filled in a row */
} TrPlotColumnMap;

/* Appends to @out (double) a (column, top y, bottom y) triple, y in data
 * units, for every pixel column from points @i0 to @i1: the min and max of
 * the column's points, stretched to meet the previous column's last point
 * so the line stays connected, and a straight line through empty columns
 * between two points. */
void        tr_plot_decimate_columns (const double          *xs,
                                      const double          *ys,
                                      const TrPlotSummary   *sum,
                                      gsize                  i0,
                                      gsize                  i1,
                                      const TrPlotColumnMap *map,
                                      GArray                *out);

G_END_DECLS
