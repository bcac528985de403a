/* tr-plot.h: the data and the drawing of one rate graph, without a widget.
 *
 * A plot holds series of (x, y) points, y in bits per second, x in seconds
 * (since the start of a test, or since the epoch with TR_PLOT_X_CLOCK), each
 * series in increasing x order. tr_plot_draw() is the ONE drawing function:
 * the TrGraph widget calls it from its snapshot, the exports call it on
 * cairo image and SVG surfaces, and the tests and the benchmark call it on
 * offscreen image surfaces.
 *
 * Drawing keeps the min and max of every pixel column (decimation), so
 * 100,000 points draw as a few thousand segments and no peak disappears.
 * Each series keeps the min and max of blocks of its points, up to date as
 * points are appended or dropped, so a frame's decimation reads blocks, not
 * every point (tr-plot-decimate.h).
 * The y axis follows the data with hysteresis: it grows at once when a point
 * exceeds it, but shrinks only when the visible data falls below a third of
 * it, so it does not flicker. Units (bit/s, Kbit/s, Mbit/s, Gbit/s, Tbit/s)
 * follow the axis.
 *
 * Signal "changed": the data or the look changed (a redraw is due).
 */
#pragma once

#include <cairo.h>
#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
  TR_PLOT_X_SECONDS,   /* x is seconds from 0 (a test's own time) */
  TR_PLOT_X_CLOCK,     /* x is seconds since the epoch (wall-clock labels) */
} TrPlotXMode;

/* Where the data lies inside a surface of the given size. */
typedef struct {
  double x, y, width, height;
} TrPlotArea;

#define TR_TYPE_PLOT (tr_plot_get_type ())
G_DECLARE_FINAL_TYPE (TrPlot, tr_plot, TR, PLOT, GObject)

TrPlot     *tr_plot_new                 (void);

/* Series. @rgb is 0xRRGGBB. Returns the index of the new series. */
guint       tr_plot_add_series          (TrPlot       *self,
                                         const char   *label,
                                         guint32       rgb);
guint       tr_plot_get_n_series        (TrPlot       *self);
/* Removes every series. */
void        tr_plot_clear               (TrPlot       *self);
void        tr_plot_series_set_visible  (TrPlot       *self,
                                         guint         series,
                                         gboolean      visible);
gboolean    tr_plot_series_get_visible  (TrPlot       *self,
                                         guint         series);
void        tr_plot_series_set_dashed   (TrPlot       *self,
                                         guint         series,
                                         gboolean      dashed);
const char *tr_plot_series_get_label    (TrPlot       *self,
                                         guint         series);

/* Points. A point whose x is below the series' last x is dropped. */
void        tr_plot_append              (TrPlot       *self,
                                         guint         series,
                                         double        x,
                                         double        y);
/* Replaces a series' points (copied). */
void        tr_plot_set_points          (TrPlot       *self,
                                         guint         series,
                                         const double *xs,
                                         const double *ys,
                                         gsize         n);
/* Removes every point whose x is below @x, from every series (a bounded
 * window of recent points). */
void        tr_plot_drop_before         (TrPlot       *self,
                                         double        x);
gsize       tr_plot_series_get_n_points (TrPlot       *self,
                                         guint         series);
/* The points of a series (transfer none, valid until the next change). */
const double *tr_plot_series_peek_x     (TrPlot       *self,
                                         guint         series);
const double *tr_plot_series_peek_y     (TrPlot       *self,
                                         guint         series);
/* Total over all series. */
gsize       tr_plot_get_n_points        (TrPlot       *self);

/* Properties (also as GObject properties). */
/* A fixed top of the y axis in bits/s; 0 (default) follows the data. */
void        tr_plot_set_max_value       (TrPlot       *self,
                                         double        max_value);
double      tr_plot_get_max_value       (TrPlot       *self);
/* Show only the last @span seconds (a scrolling window); 0 shows all. */
void        tr_plot_set_x_span          (TrPlot       *self,
                                         double        span);
/* The x axis covers at least [0, @extent] (TR_PLOT_X_SECONDS): a 10 s test
 * fills its graph from left to right. 0: just the data. */
void        tr_plot_set_x_extent        (TrPlot       *self,
                                         double        extent);
void        tr_plot_set_x_mode          (TrPlot       *self,
                                         TrPlotXMode   mode);
/* Shown in the middle while there are no points. */
void        tr_plot_set_empty_text      (TrPlot       *self,
                                         const char   *text);
/* Foreground (text, axes) and background colours, 0xRRGGBB; the background
 * is not painted when @paint_background is FALSE (the widget's own shows). */
void        tr_plot_set_colors          (TrPlot       *self,
                                         guint32       foreground,
                                         guint32       background,
                                         gboolean      paint_background);

/* The current top of the y axis in bits/s (after hysteresis) and the x range. */
double      tr_plot_get_axis_max        (TrPlot       *self);
void        tr_plot_get_x_range         (TrPlot       *self,
                                         double       *x0,
                                         double       *x1);

/* Drawing. */
void        tr_plot_get_area            (TrPlot       *self,
                                         int           width,
                                         int           height,
                                         TrPlotArea   *area);
/* Where the data point (x, y) is drawn on a @width × @height surface. */
void        tr_plot_map_point           (TrPlot       *self,
                                         int           width,
                                         int           height,
                                         double        x,
                                         double        y,
                                         double       *px,
                                         double       *py);
void        tr_plot_draw                (TrPlot       *self,
                                         cairo_t      *cr,
                                         int           width,
                                         int           height);

/* Exports through tr_plot_draw() (always on a light background). */
gboolean    tr_plot_write_png           (TrPlot       *self,
                                         const char   *path,
                                         int           width,
                                         int           height,
                                         GError      **error);
gboolean    tr_plot_write_svg           (TrPlot       *self,
                                         const char   *path,
                                         int           width,
                                         int           height,
                                         GError      **error);

/* "941 Mbit/s" style unit for an axis top: sets *divisor, returns the unit. */
const char *tr_plot_unit_for            (double        max_value,
                                         double       *divisor);

G_END_DECLS
