/* tr-plot.c: series, scales and the one drawing function; see tr-plot.h. */
#include "config.h"

#include "tr-plot.h"
#include "tr-plot-decimate.h"

#include <cairo-svg.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>
#include <pango/pangocairo.h>

#define MARGIN_LEFT    54.0
#define MARGIN_RIGHT   14.0
#define MARGIN_TOP     26.0
#define MARGIN_BOTTOM  22.0
/* The axis shrinks only when the visible data is below this share of it. */
#define SHRINK_BELOW   (1.0 / 3.0)
#define GROW_HEADROOM  1.05
#define LIGHT_FG       0x2e3436
#define LIGHT_BG       0xffffff

typedef struct {
  char     *label;
  guint32   rgb;
  gboolean  visible;
  gboolean  dashed;
  GArray   *xs;            /* double */
  GArray   *ys;            /* double */
  TrPlotSummary summary;   /* min and max of ys by blocks */
  /* what draw_series() draws (see decimate()) and what it was made for */
  gboolean  columns;
  GArray   *verts;
  guint64   verts_generation;
  double    verts_key[6];
} Series;

struct _TrPlot
{
  GObject     parent_instance;

  GPtrArray  *series;      /* Series* */
  double      max_value;
  double      x_span;
  double      x_extent;
  TrPlotXMode x_mode;
  char       *empty_text;
  guint32     fg;
  guint32     bg;
  gboolean    paint_bg;

  guint64     generation;  /* bumped by every data change */
  gboolean    ranges_dirty;
  double      axis_max;
  double      x0, x1;
};

enum {
  PROP_0,
  PROP_MAX_VALUE,
  PROP_X_SPAN,
  PROP_X_EXTENT,
  PROP_EMPTY_TEXT,
  PROP_N_SERIES,
  PROP_N_POINTS,
  N_PROPS
};

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_TYPE (TrPlot, tr_plot, G_TYPE_OBJECT)

static void
series_free (gpointer data)
{
  Series *s = data;

  g_free (s->label);
  g_array_unref (s->xs);
  g_array_unref (s->ys);
  tr_plot_summary_clear (&s->summary);
  g_array_unref (s->verts);
  g_free (s);
}

static Series *
get_series (TrPlot *self,
            guint   index)
{
  g_return_val_if_fail (index < self->series->len, NULL);
  return g_ptr_array_index (self->series, index);
}

static void
changed (TrPlot   *self,
         gboolean  data)
{
  if (data)
    self->generation++;
  self->ranges_dirty = TRUE;
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

/* --- scales ------------------------------------------------------------------- */

/* The smallest "nice" number (1, 2, 2.5, 5 × 10^k) at or above @v, and how
 * many grid divisions suit it. */
static double
nice_ceiling (double  v,
              int    *divisions)
{
  static const struct { double f; int div; } steps[] = {
    { 1.0, 5 }, { 2.0, 4 }, { 2.5, 5 }, { 5.0, 5 }, { 10.0, 5 },
  };
  double e, base;

  if (!(v > 0) || !isfinite (v))
    v = 1.0;
  e = floor (log10 (v));
  base = pow (10.0, e);
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (steps[i].f * base >= v * (1 - 1e-9))
      {
        if (divisions != NULL)
          *divisions = steps[i].div;
        return steps[i].f * base;
      }
  if (divisions != NULL)
    *divisions = 5;
  return 10.0 * base;
}

const char *
tr_plot_unit_for (double  max_value,
                  double *divisor)
{
  static const struct { double div; const char *unit; } units[] = {
    { 1e12, "Tbit/s" }, { 1e9, "Gbit/s" }, { 1e6, "Mbit/s" }, { 1e3, "Kbit/s" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    if (max_value >= units[i].div)
      {
        *divisor = units[i].div;
        return units[i].unit;
      }
  *divisor = 1.0;
  return "bit/s";
}

/* First index with xs[i] >= x. */
static gsize
lower_bound (const double *xs,
             gsize         n,
             double        x)
{
  gsize lo = 0, hi = n;

  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;
      if (xs[mid] < x)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* First index with xs[i] > x. */
static gsize
upper_bound (const double *xs,
             gsize         n,
             double        x)
{
  gsize lo = 0, hi = n;

  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;
      if (xs[mid] <= x)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static void
update_ranges (TrPlot *self)
{
  double first = INFINITY, last = -INFINITY, data_max = 0, target;
  gboolean any = FALSE;

  if (!self->ranges_dirty)
    return;
  self->ranges_dirty = FALSE;

  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);

      if (!s->visible || s->xs->len == 0)
        continue;
      any = TRUE;
      first = MIN (first, g_array_index (s->xs, double, 0));
      last = MAX (last, g_array_index (s->xs, double, s->xs->len - 1));
    }

  if (self->x_mode == TR_PLOT_X_CLOCK)
    {
      if (!any)
        {
          last = g_get_real_time () / 1e6;
          first = last - 60;
        }
      self->x1 = last;
      self->x0 = self->x_span > 0 ? last - self->x_span : first;
      if (self->x1 - self->x0 < 1)
        self->x0 = self->x1 - 60;
    }
  else
    {
      if (!any)
        first = last = 0;
      self->x1 = MAX (last, self->x_extent);
      if (self->x_span > 0)
        {
          self->x1 = MAX (self->x1, self->x_span);
          self->x0 = self->x1 - self->x_span;
        }
      else
        self->x0 = MIN (first, 0);
      if (self->x1 - self->x0 < 1e-9)
        self->x1 = self->x0 + 1;
    }

  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);
      const double *xs = (const double *) s->xs->data;
      gsize a, b;

      if (!s->visible || s->xs->len == 0)
        continue;
      a = lower_bound (xs, s->xs->len, self->x0);
      b = upper_bound (xs, s->xs->len, self->x1);
      data_max = MAX (data_max, tr_plot_summary_range (&s->summary, (const double *) s->ys->data, a, b).hi);
    }

  if (self->max_value > 0)
    {
      self->axis_max = self->max_value;
      return;
    }
  target = nice_ceiling (MAX (data_max * GROW_HEADROOM, 1000.0), NULL);
  if (self->axis_max <= 0 || target > self->axis_max ||
      data_max < self->axis_max * SHRINK_BELOW)
    self->axis_max = target;
}

/* --- public: series and points ----------------------------------------------- */

TrPlot *
tr_plot_new (void)
{
  return g_object_new (TR_TYPE_PLOT, NULL);
}

guint
tr_plot_add_series (TrPlot     *self,
                    const char *label,
                    guint32     rgb)
{
  Series *s;

  g_return_val_if_fail (TR_IS_PLOT (self), 0);

  s = g_new0 (Series, 1);
  s->label = g_strdup (label != NULL ? label : "");
  s->rgb = rgb;
  s->visible = TRUE;
  s->xs = g_array_new (FALSE, FALSE, sizeof (double));
  s->ys = g_array_new (FALSE, FALSE, sizeof (double));
  tr_plot_summary_init (&s->summary);
  s->verts = g_array_new (FALSE, FALSE, sizeof (double));
  s->verts_generation = G_MAXUINT64;
  g_ptr_array_add (self->series, s);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_SERIES]);
  changed (self, TRUE);
  return self->series->len - 1;
}

guint
tr_plot_get_n_series (TrPlot *self)
{
  g_return_val_if_fail (TR_IS_PLOT (self), 0);
  return self->series->len;
}

void
tr_plot_clear (TrPlot *self)
{
  g_return_if_fail (TR_IS_PLOT (self));
  g_ptr_array_set_size (self->series, 0);
  self->axis_max = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_SERIES]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_POINTS]);
  changed (self, TRUE);
}

void
tr_plot_series_set_visible (TrPlot   *self,
                            guint     series,
                            gboolean  visible)
{
  Series *s;

  g_return_if_fail (TR_IS_PLOT (self));
  if ((s = get_series (self, series)) == NULL || s->visible == !!visible)
    return;
  s->visible = !!visible;
  changed (self, FALSE);
}

gboolean
tr_plot_series_get_visible (TrPlot *self,
                            guint   series)
{
  Series *s;

  g_return_val_if_fail (TR_IS_PLOT (self), FALSE);
  s = get_series (self, series);
  return s != NULL && s->visible;
}

void
tr_plot_series_set_dashed (TrPlot   *self,
                           guint     series,
                           gboolean  dashed)
{
  Series *s;

  g_return_if_fail (TR_IS_PLOT (self));
  if ((s = get_series (self, series)) == NULL)
    return;
  s->dashed = !!dashed;
  changed (self, FALSE);
}

const char *
tr_plot_series_get_label (TrPlot *self,
                          guint   series)
{
  Series *s;

  g_return_val_if_fail (TR_IS_PLOT (self), NULL);
  s = get_series (self, series);
  return s != NULL ? s->label : NULL;
}

void
tr_plot_append (TrPlot *self,
                guint   series,
                double  x,
                double  y)
{
  Series *s;

  g_return_if_fail (TR_IS_PLOT (self));
  if ((s = get_series (self, series)) == NULL)
    return;
  if (!isfinite (x) || !isfinite (y))
    return;
  if (s->xs->len > 0 && x < g_array_index (s->xs, double, s->xs->len - 1))
    return;
  tr_plot_summary_append (&s->summary, s->ys->len, y);
  g_array_append_val (s->xs, x);
  g_array_append_val (s->ys, y);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_POINTS]);
  changed (self, TRUE);
}

void
tr_plot_set_points (TrPlot       *self,
                    guint         series,
                    const double *xs,
                    const double *ys,
                    gsize         n)
{
  Series *s;

  g_return_if_fail (TR_IS_PLOT (self));
  g_return_if_fail (n == 0 || (xs != NULL && ys != NULL));
  if ((s = get_series (self, series)) == NULL)
    return;
  g_array_set_size (s->xs, 0);
  g_array_set_size (s->ys, 0);
  for (gsize i = 0; i < n; i++)
    {
      if (!isfinite (xs[i]) || !isfinite (ys[i]))
        continue;
      if (s->xs->len > 0 && xs[i] < g_array_index (s->xs, double, s->xs->len - 1))
        continue;
      g_array_append_val (s->xs, xs[i]);
      g_array_append_val (s->ys, ys[i]);
    }
  tr_plot_summary_rebuild (&s->summary, (const double *) s->ys->data, s->ys->len);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_POINTS]);
  changed (self, TRUE);
}

void
tr_plot_drop_before (TrPlot *self,
                     double  x)
{
  gboolean dropped = FALSE;

  g_return_if_fail (TR_IS_PLOT (self));
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);
      gsize n = lower_bound ((const double *) s->xs->data, s->xs->len, x);

      if (n == 0)
        continue;
      g_array_remove_range (s->xs, 0, n);
      g_array_remove_range (s->ys, 0, n);
      tr_plot_summary_drop (&s->summary, (const double *) s->ys->data, s->ys->len, n);
      dropped = TRUE;
    }
  if (!dropped)
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_POINTS]);
  changed (self, TRUE);
}

gsize
tr_plot_series_get_n_points (TrPlot *self,
                             guint   series)
{
  Series *s;

  g_return_val_if_fail (TR_IS_PLOT (self), 0);
  s = get_series (self, series);
  return s != NULL ? s->xs->len : 0;
}

const double *
tr_plot_series_peek_x (TrPlot *self,
                       guint   series)
{
  Series *s;

  g_return_val_if_fail (TR_IS_PLOT (self), NULL);
  s = get_series (self, series);
  return s != NULL ? (const double *) s->xs->data : NULL;
}

const double *
tr_plot_series_peek_y (TrPlot *self,
                       guint   series)
{
  Series *s;

  g_return_val_if_fail (TR_IS_PLOT (self), NULL);
  s = get_series (self, series);
  return s != NULL ? (const double *) s->ys->data : NULL;
}

gsize
tr_plot_get_n_points (TrPlot *self)
{
  gsize n = 0;

  g_return_val_if_fail (TR_IS_PLOT (self), 0);
  for (guint i = 0; i < self->series->len; i++)
    n += ((Series *) g_ptr_array_index (self->series, i))->xs->len;
  return n;
}

/* --- public: settings ------------------------------------------------------- */

void
tr_plot_set_max_value (TrPlot *self,
                       double  max_value)
{
  g_return_if_fail (TR_IS_PLOT (self));
  max_value = MAX (max_value, 0);
  if (self->max_value == max_value)
    return;
  self->max_value = max_value;
  self->axis_max = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_VALUE]);
  changed (self, FALSE);
}

double
tr_plot_get_max_value (TrPlot *self)
{
  g_return_val_if_fail (TR_IS_PLOT (self), 0);
  return self->max_value;
}

void
tr_plot_set_x_span (TrPlot *self,
                    double  span)
{
  g_return_if_fail (TR_IS_PLOT (self));
  span = MAX (span, 0);
  if (self->x_span == span)
    return;
  self->x_span = span;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_X_SPAN]);
  changed (self, FALSE);
}

void
tr_plot_set_x_extent (TrPlot *self,
                      double  extent)
{
  g_return_if_fail (TR_IS_PLOT (self));
  extent = MAX (extent, 0);
  if (self->x_extent == extent)
    return;
  self->x_extent = extent;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_X_EXTENT]);
  changed (self, FALSE);
}

void
tr_plot_set_x_mode (TrPlot      *self,
                    TrPlotXMode  mode)
{
  g_return_if_fail (TR_IS_PLOT (self));
  self->x_mode = mode;
  changed (self, FALSE);
}

void
tr_plot_set_empty_text (TrPlot     *self,
                        const char *text)
{
  g_return_if_fail (TR_IS_PLOT (self));
  if (g_strcmp0 (self->empty_text, text) == 0)
    return;
  g_free (self->empty_text);
  self->empty_text = g_strdup (text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EMPTY_TEXT]);
  changed (self, FALSE);
}

void
tr_plot_set_colors (TrPlot   *self,
                    guint32   foreground,
                    guint32   background,
                    gboolean  paint_background)
{
  g_return_if_fail (TR_IS_PLOT (self));
  if (self->fg == foreground && self->bg == background && self->paint_bg == !!paint_background)
    return;
  self->fg = foreground;
  self->bg = background;
  self->paint_bg = !!paint_background;
  changed (self, FALSE);
}

double
tr_plot_get_axis_max (TrPlot *self)
{
  g_return_val_if_fail (TR_IS_PLOT (self), 0);
  update_ranges (self);
  return self->axis_max;
}

void
tr_plot_get_x_range (TrPlot *self,
                     double *x0,
                     double *x1)
{
  g_return_if_fail (TR_IS_PLOT (self));
  update_ranges (self);
  if (x0 != NULL)
    *x0 = self->x0;
  if (x1 != NULL)
    *x1 = self->x1;
}

/* --- drawing ------------------------------------------------------------------ */

static void
set_rgb (cairo_t *cr,
         guint32  rgb,
         double   alpha)
{
  cairo_set_source_rgba (cr, ((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0,
                         (rgb & 0xff) / 255.0, alpha);
}

void
tr_plot_get_area (TrPlot     *self,
                  int         width,
                  int         height,
                  TrPlotArea *area)
{
  g_return_if_fail (TR_IS_PLOT (self));
  area->x = MARGIN_LEFT;
  area->y = MARGIN_TOP;
  area->width = MAX (width - MARGIN_LEFT - MARGIN_RIGHT, 1);
  area->height = MAX (height - MARGIN_TOP - MARGIN_BOTTOM, 1);
}

static inline double
map_x (TrPlot           *self,
       const TrPlotArea *a,
       double            x)
{
  return a->x + (x - self->x0) * a->width / (self->x1 - self->x0);
}

static inline double
map_y (TrPlot           *self,
       const TrPlotArea *a,
       double            y)
{
  double f = y / self->axis_max;

  /* Keep far-off values near the area so cairo's fixed point never wraps. */
  f = CLAMP (f, -0.5, 1.5);
  return a->y + a->height - f * a->height;
}

void
tr_plot_map_point (TrPlot *self,
                   int     width,
                   int     height,
                   double  x,
                   double  y,
                   double *px,
                   double *py)
{
  TrPlotArea a;

  g_return_if_fail (TR_IS_PLOT (self));
  update_ranges (self);
  tr_plot_get_area (self, width, height, &a);
  *px = map_x (self, &a, x);
  *py = map_y (self, &a, y);
}

static void
draw_text (cairo_t     *cr,
           PangoLayout *layout,
           const char  *text,
           double       x,
           double       y,
           double       align_x,   /* 0 left, 0.5 centre, 1 right of x */
           double       align_y)
{
  int w, h;

  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, round (x - align_x * w), round (y - align_y * h));
  pango_cairo_show_layout (cr, layout);
}

static char *
format_tick_value (double value,
                   double step)
{
  int decimals = 0;

  while (decimals < 3 && fabs (step - round (step * pow (10, decimals)) / pow (10, decimals)) > 1e-9 * MAX (step, 1))
    decimals++;
  return g_strdup_printf ("%.*f", decimals, value);
}

static double
x_step_for (TrPlot *self,
            double  range,
            double  width)
{
  static const double steps[] = {
    0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200,
    3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400, 14 * 86400, 30 * 86400,
    91 * 86400, 182 * 86400, 365 * 86400,
  };
  double max_ticks = MAX (width / 72.0, 1);

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (range / steps[i] <= max_ticks)
      return steps[i];
  return range;
}

static char *
format_x_label (TrPlot *self,
                double  x,
                double  step)
{
  if (self->x_mode == TR_PLOT_X_CLOCK)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local ((gint64) floor (x));

      if (dt == NULL)
        return g_strdup ("");
      if (step < 60)
        return g_date_time_format (dt, "%H:%M:%S");
      if (step < 86400)
        return g_date_time_format (dt, "%H:%M");
      return g_date_time_format (dt, "%b %e");
    }
  if (step >= 3600)
    /* TRANSLATORS: an axis label, hours */
    return g_strdup_printf (_("%g h"), x / 3600);
  if (step >= 60)
    /* TRANSLATORS: an axis label, minutes */
    return g_strdup_printf (_("%g min"), x / 60);
  /* TRANSLATORS: an axis label, seconds */
  return g_strdup_printf (_("%g s"), x);
}

/* Prepares what draw_series() draws, cached until the data or the scales
 * change. Up to one point per three pixel columns: a polyline through the points
 * (@s->columns FALSE, verts = x, y pairs). More: one entry per pixel column
 * (@s->columns TRUE, verts = column, top y, bottom y) spanning the min and
 * max of the points in the column, stretched to meet the previous column's
 * last point so the line stays connected. No peak is lost, and a column is
 * drawn as one pixel-aligned box, which cairo fills fastest. The columns'
 * min and max come from the series' block summary (tr-plot-decimate.h), so
 * a frame walks blocks, not all the points. */
static void
decimate (TrPlot           *self,
          Series           *s,
          const TrPlotArea *a)
{
  const double *xs = (const double *) s->xs->data;
  const double *ys = (const double *) s->ys->data;
  gsize n = s->xs->len, i0, i1;
  double key[6] = { a->width, a->height, self->x0, self->x1, self->axis_max, a->x };
  double sx;
  TrPlotColumnMap map;
  double *v;

  if (s->verts_generation == self->generation && memcmp (key, s->verts_key, sizeof key) == 0)
    return;
  s->verts_generation = self->generation;
  memcpy (s->verts_key, key, sizeof key);
  g_array_set_size (s->verts, 0);
  if (n == 0)
    return;

  i0 = lower_bound (xs, n, self->x0);
  if (i0 > 0)
    i0--;
  i1 = upper_bound (xs, n, self->x1);
  if (i1 < n)
    i1++;
  sx = a->width / (self->x1 - self->x0);

  s->columns = (double) (i1 - i0) > a->width / 3;
  if (!s->columns)
    {
      for (gsize i = i0; i < i1; i++)
        {
          double p[2] = { a->x + (xs[i] - self->x0) * sx, map_y (self, a, ys[i]) };
          g_array_append_vals (s->verts, p, 2);
        }
      return;
    }

  map.origin = a->x;
  map.x0 = self->x0;
  map.scale = sx;
  map.x1 = self->x1;
  map.last_col = (gint64) ceil (a->x + a->width) - 1;
  map.max_gap = (gint64) a->width + 2;
  tr_plot_decimate_columns (xs, ys, &s->summary, i0, i1, &map, s->verts);
  /* data values to pixels */
  v = (double *) s->verts->data;
  for (guint i = 0; i + 2 < s->verts->len; i += 3)
    {
      v[i + 1] = map_y (self, a, v[i + 1]);
      v[i + 2] = map_y (self, a, v[i + 2]);
    }
}

/* The pixel rows [*top, *bottom) of a column's line box: from its max to its
 * min, two pixels thick at least. */
static inline void
line_rows (const double *v,
           double       *top,
           double       *bottom)
{
  *top = round (v[1] - 1);
  *bottom = *top + MAX (round (v[2] + 1) - *top, 2);
}

/* The light area under the line, one box per column from the line down to
 * the base. The opaque line drawn over it next covers each column's rows
 * [top, bottom), so the area's box may start at any row of that span with
 * the same pixels as a result; neighbouring columns whose spans share a row
 * share one box, so there are a few times fewer boxes than columns. */
static void
add_area_boxes (cairo_t      *cr,
                const double *v,
                guint         nc,
                double        base)
{
  for (guint i = 0; i < nc;)
    {
      double lo, hi, start;
      guint j;

      line_rows (&v[3 * i], &lo, &hi);
      for (j = i + 1; j < nc && v[3 * j] == v[3 * (j - 1)] + 1; j++)
        {
          double t, b;

          line_rows (&v[3 * j], &t, &b);
          if (MAX (lo, t) > MIN (hi, b))
            break;
          lo = MAX (lo, t);
          hi = MIN (hi, b);
        }
      start = hi;
      if (start < base)
        cairo_rectangle (cr, v[3 * i], start, j - i, base - start);
      i = j;
    }
}

/* The line: each column's box, neighbours with the same rows as one box. */
static void
add_line_boxes (cairo_t      *cr,
                const double *v,
                guint         nc,
                gboolean      dashed)
{
  double x = 0, w = 0, top = 0, bottom = 0;

  for (guint i = 0; i < nc; i++)
    {
      double t, b;

      line_rows (&v[3 * i], &t, &b);
      if (dashed && (i / 6) % 2 == 1 && b - t < 4)
        continue;
      if (w > 0 && v[3 * i] == x + w && t == top && b == bottom)
        {
          w++;
          continue;
        }
      if (w > 0)
        cairo_rectangle (cr, x, top, w, bottom - top);
      x = v[3 * i];
      w = 1;
      top = t;
      bottom = b;
    }
  if (w > 0)
    cairo_rectangle (cr, x, top, w, bottom - top);
}

static void
draw_columns (TrPlot           *self,
              cairo_t          *cr,
              Series           *s,
              const TrPlotArea *a)
{
  const double *v = (const double *) s->verts->data;
  guint nc = s->verts->len / 3;

  /* Whole-pixel boxes without antialiasing: cairo fills them as plain
   * rectangles, by far its fastest path. */
  cairo_save (cr);
  cairo_set_antialias (cr, CAIRO_ANTIALIAS_NONE);
  cairo_new_path (cr);
  if (!s->dashed)
    {
      add_area_boxes (cr, v, nc, round (a->y + a->height));
      set_rgb (cr, s->rgb, 0.14);
      cairo_fill (cr);
    }
  add_line_boxes (cr, v, nc, s->dashed);
  set_rgb (cr, s->rgb, 1.0);
  cairo_fill (cr);
  cairo_restore (cr);
}

static void
draw_series (TrPlot           *self,
             cairo_t          *cr,
             Series           *s,
             const TrPlotArea *a)
{
  const double *v;
  guint nv;

  decimate (self, s, a);
  if (s->columns)
    {
      draw_columns (self, cr, s, a);
      return;
    }
  nv = s->verts->len / 2;
  if (nv == 0)
    return;
  v = (const double *) s->verts->data;

  cairo_new_path (cr);
  cairo_move_to (cr, v[0], v[1]);
  for (guint i = 1; i < nv; i++)
    cairo_line_to (cr, v[2 * i], v[2 * i + 1]);

  if (!s->dashed)
    {
      /* a light area under the line */
      cairo_path_t *line = cairo_copy_path (cr);

      cairo_line_to (cr, v[2 * (nv - 1)], a->y + a->height);
      cairo_line_to (cr, v[0], a->y + a->height);
      cairo_close_path (cr);
      set_rgb (cr, s->rgb, 0.14);
      cairo_fill (cr);
      cairo_append_path (cr, line);
      cairo_path_destroy (line);
    }
  else
    {
      static const double dash[] = { 6.0, 4.0 };
      cairo_set_dash (cr, dash, 2, 0);
    }
  set_rgb (cr, s->rgb, 1.0);
  cairo_set_line_width (cr, 1.6);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);

  /* sparse data: a dot on every point, so even a single one shows */
  if (nv * 6 <= a->width)
    {
      for (guint i = 0; i < nv; i++)
        {
          cairo_new_sub_path (cr);
          cairo_arc (cr, v[2 * i], v[2 * i + 1], 2.5, 0, 2 * G_PI);
        }
      cairo_fill (cr);
    }
}

void
tr_plot_draw (TrPlot  *self,
              cairo_t *cr,
              int      width,
              int      height)
{
  g_autoptr(PangoFontDescription) font = NULL;
  g_autoptr(PangoLayout) layout = NULL;
  TrPlotArea a;
  const char *unit;
  double divisor, step, xstep, legend_x;
  int divisions = 5;
  gboolean any_points = FALSE;

  g_return_if_fail (TR_IS_PLOT (self));
  g_return_if_fail (cr != NULL);
  if (width <= 0 || height <= 0)
    return;

  update_ranges (self);
  tr_plot_get_area (self, width, height, &a);

  cairo_save (cr);
  if (self->paint_bg)
    {
      set_rgb (cr, self->bg, 1.0);
      cairo_rectangle (cr, 0, 0, width, height);
      cairo_fill (cr);
    }

  layout = pango_cairo_create_layout (cr);
  font = pango_font_description_from_string ("Sans 8");
  pango_layout_set_font_description (layout, font);

  /* y grid and labels */
  nice_ceiling (self->axis_max, &divisions);
  step = self->axis_max / divisions;
  unit = tr_plot_unit_for (self->axis_max, &divisor);
  cairo_set_line_width (cr, 1.0);
  for (int i = 0; i <= divisions; i++)
    {
      double v = i * step;
      double y = round (map_y (self, &a, v)) + 0.5;
      g_autofree char *label = format_tick_value (v / divisor, step / divisor);

      set_rgb (cr, self->fg, i == 0 ? 0.55 : 0.14);
      cairo_move_to (cr, a.x, y);
      cairo_line_to (cr, a.x + a.width, y);
      cairo_stroke (cr);
      set_rgb (cr, self->fg, 0.75);
      draw_text (cr, layout, label, a.x - 6, y, 1.0, 0.5);
    }
  set_rgb (cr, self->fg, 0.75);
  draw_text (cr, layout, unit, 4, 4, 0.0, 0.0);

  /* x grid and labels */
  xstep = x_step_for (self, self->x1 - self->x0, a.width);
  for (double x = ceil (self->x0 / xstep - 1e-9) * xstep; x <= self->x1 + 1e-9; x += xstep)
    {
      int lw, lh;
      double px = round (map_x (self, &a, x)) + 0.5;
      g_autofree char *label = format_x_label (self, fabs (x) < xstep * 1e-6 ? 0.0 : x, xstep);

      set_rgb (cr, self->fg, 0.10);
      cairo_move_to (cr, px, a.y);
      cairo_line_to (cr, px, a.y + a.height);
      cairo_stroke (cr);
      set_rgb (cr, self->fg, 0.75);
      pango_layout_set_text (layout, label, -1);
      pango_layout_get_pixel_size (layout, &lw, &lh);
      /* centred under the tick, but never cut at the edges */
      cairo_move_to (cr, round (CLAMP (px - lw / 2.0, 0, width - lw)), round (a.y + a.height + 4));
      pango_cairo_show_layout (cr, layout);
    }
  set_rgb (cr, self->fg, 0.55);
  cairo_move_to (cr, a.x - 0.5, a.y);
  cairo_line_to (cr, a.x - 0.5, a.y + a.height);
  cairo_stroke (cr);

  /* series, clipped to the area */
  cairo_save (cr);
  cairo_rectangle (cr, a.x, a.y - 1, a.width, a.height + 1);
  cairo_clip (cr);
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);

      if (!s->visible || s->xs->len == 0)
        continue;
      any_points = TRUE;
      draw_series (self, cr, s, &a);
    }
  cairo_restore (cr);

  /* legend, right to left above the area */
  legend_x = a.x + a.width;
  for (guint i = self->series->len; i-- > 0;)
    {
      Series *s = g_ptr_array_index (self->series, i);
      int w, h;

      if (!s->visible || s->label[0] == '\0' || s->xs->len == 0)
        continue;
      pango_layout_set_text (layout, s->label, -1);
      pango_layout_get_pixel_size (layout, &w, &h);
      legend_x -= w;
      if (legend_x < 90)
        break;
      set_rgb (cr, self->fg, 0.85);
      cairo_move_to (cr, legend_x, 4);
      pango_cairo_show_layout (cr, layout);
      legend_x -= 16;
      set_rgb (cr, s->rgb, 1.0);
      cairo_rectangle (cr, legend_x, 4 + h / 2.0 - 2, 12, 4);
      cairo_fill (cr);
      legend_x -= 12;
    }

  if (!any_points && self->empty_text != NULL)
    {
      set_rgb (cr, self->fg, 0.55);
      draw_text (cr, layout, self->empty_text, a.x + a.width / 2, a.y + a.height / 2, 0.5, 0.5);
    }

  cairo_restore (cr);
}

/* --- exports --------------------------------------------------------------------- */

static gboolean
check_status (cairo_status_t   status,
              const char      *path,
              GError         **error)
{
  if (status == CAIRO_STATUS_SUCCESS)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               _("Cannot write “%s”: %s"), path, cairo_status_to_string (status));
  return FALSE;
}

static void
draw_for_export (TrPlot  *self,
                 cairo_t *cr,
                 int      width,
                 int      height)
{
  guint32 fg = self->fg, bg = self->bg;
  gboolean paint = self->paint_bg;

  self->fg = LIGHT_FG;
  self->bg = LIGHT_BG;
  self->paint_bg = TRUE;
  tr_plot_draw (self, cr, width, height);
  self->fg = fg;
  self->bg = bg;
  self->paint_bg = paint;
}

gboolean
tr_plot_write_png (TrPlot      *self,
                   const char  *path,
                   int          width,
                   int          height,
                   GError     **error)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;

  g_return_val_if_fail (TR_IS_PLOT (self), FALSE);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (surface);
  draw_for_export (self, cr, width, height);
  status = cairo_status (cr);
  cairo_destroy (cr);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_write_to_png (surface, path);
  cairo_surface_destroy (surface);
  return check_status (status, path, error);
}

gboolean
tr_plot_write_svg (TrPlot      *self,
                   const char  *path,
                   int          width,
                   int          height,
                   GError     **error)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;

  g_return_val_if_fail (TR_IS_PLOT (self), FALSE);
  surface = cairo_svg_surface_create (path, width, height);
  cr = cairo_create (surface);
  draw_for_export (self, cr, width, height);
  status = cairo_status (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  return check_status (status, path, error);
}

/* --- GObject ----------------------------------------------------------------------- */

static void
tr_plot_finalize (GObject *object)
{
  TrPlot *self = TR_PLOT (object);

  g_ptr_array_unref (self->series);
  g_free (self->empty_text);
  G_OBJECT_CLASS (tr_plot_parent_class)->finalize (object);
}

static void
tr_plot_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  TrPlot *self = TR_PLOT (object);

  switch (prop_id)
    {
    case PROP_MAX_VALUE:
      g_value_set_double (value, self->max_value);
      break;
    case PROP_X_SPAN:
      g_value_set_double (value, self->x_span);
      break;
    case PROP_X_EXTENT:
      g_value_set_double (value, self->x_extent);
      break;
    case PROP_EMPTY_TEXT:
      g_value_set_string (value, self->empty_text);
      break;
    case PROP_N_SERIES:
      g_value_set_uint (value, self->series->len);
      break;
    case PROP_N_POINTS:
      g_value_set_uint64 (value, tr_plot_get_n_points (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_plot_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  TrPlot *self = TR_PLOT (object);

  switch (prop_id)
    {
    case PROP_MAX_VALUE:
      tr_plot_set_max_value (self, g_value_get_double (value));
      break;
    case PROP_X_SPAN:
      tr_plot_set_x_span (self, g_value_get_double (value));
      break;
    case PROP_X_EXTENT:
      tr_plot_set_x_extent (self, g_value_get_double (value));
      break;
    case PROP_EMPTY_TEXT:
      tr_plot_set_empty_text (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_plot_class_init (TrPlotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tr_plot_finalize;
  object_class->get_property = tr_plot_get_property;
  object_class->set_property = tr_plot_set_property;

  properties[PROP_MAX_VALUE] =
    g_param_spec_double ("max-value", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_X_SPAN] =
    g_param_spec_double ("x-span", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_X_EXTENT] =
    g_param_spec_double ("x-extent", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_EMPTY_TEXT] =
    g_param_spec_string ("empty-text", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_SERIES] =
    g_param_spec_uint ("n-series", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_POINTS] =
    g_param_spec_uint64 ("n-points", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
tr_plot_init (TrPlot *self)
{
  self->series = g_ptr_array_new_with_free_func (series_free);
  self->fg = LIGHT_FG;
  self->bg = LIGHT_BG;
  self->paint_bg = TRUE;
  self->ranges_dirty = TRUE;
}
