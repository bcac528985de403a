/* test-plot.c: the graph's one drawing function rendered offscreen into a
 * cairo image surface, with pixel checks that the line lies where the data
 * says, that decimation keeps every column's min and max, that the axis
 * scales with hysteresis, and that PNG and SVG exports are written. */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "tr-plot.h"
#include "tr-plot-decimate.h"

#define W 400
#define H 200
#define LINE_RGB 0x1c71d8

typedef struct {
  cairo_surface_t *surface;
  cairo_t         *cr;
} Canvas;

static void
canvas_draw (Canvas *c,
             TrPlot *plot)
{
  c->surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, W, H);
  c->cr = cairo_create (c->surface);
  tr_plot_set_colors (plot, 0x2e3436, 0xffffff, TRUE);
  tr_plot_draw (plot, c->cr, W, H);
  cairo_surface_flush (c->surface);
}

static void
canvas_clear (Canvas *c)
{
  cairo_destroy (c->cr);
  cairo_surface_destroy (c->surface);
}

/* TRUE when the pixel is the series' line (strong blue), not the light fill
 * under it, the grid or the text. */
static gboolean
is_line (Canvas *c,
         int     x,
         int     y)
{
  const guint8 *data = cairo_image_surface_get_data (c->surface);
  int stride = cairo_image_surface_get_stride (c->surface);
  guint32 px;
  int r, g, b;

  if (x < 0 || y < 0 || x >= W || y >= H)
    return FALSE;
  px = *(const guint32 *) (data + y * stride + x * 4);
  r = (px >> 16) & 0xff;
  g = (px >> 8) & 0xff;
  b = px & 0xff;
  return b > 150 && r < 140 && g < 180 && b - r > 60;
}

/* The top and bottom rows of line pixels in column @x; FALSE when none. */
static gboolean
column_extent (Canvas *c,
               int     x,
               int    *top,
               int    *bottom)
{
  *top = -1;
  *bottom = -1;
  for (int y = 0; y < H; y++)
    if (is_line (c, x, y))
      {
        if (*top < 0)
          *top = y;
        *bottom = y;
      }
  return *top >= 0;
}

static void
test_line_position (void)
{
  g_autoptr(TrPlot) plot = tr_plot_new ();
  Canvas c;
  guint s = tr_plot_add_series (plot, "ramp", LINE_RGB);
  TrPlotArea area;

  /* a ramp 0..100 Mbit/s over 100 s, on a fixed 0..100 Mbit/s axis */
  for (int i = 0; i <= 100; i++)
    tr_plot_append (plot, s, i, i * 1e6);
  tr_plot_set_max_value (plot, 100e6);
  g_assert_cmpfloat (tr_plot_get_axis_max (plot), ==, 100e6);
  canvas_draw (&c, plot);
  tr_plot_get_area (plot, W, H, &area);

  /* every 10 s: the line is within 2 px of where the value maps */
  for (int t = 5; t <= 95; t += 10)
    {
      double px, py;
      int top, bottom;

      tr_plot_map_point (plot, W, H, t, t * 1e6, &px, &py);
      g_assert_cmpfloat (px, >, area.x);
      g_assert_cmpfloat (px, <, area.x + area.width);
      g_assert_true (column_extent (&c, (int) px, &top, &bottom));
      g_assert_cmpint (top, >=, (int) floor (py) - 3);
      g_assert_cmpint (bottom, <=, (int) ceil (py) + 3);
      /* far from the line there is none */
      g_assert_false (is_line (&c, (int) px, (int) py - 12));
      g_assert_false (is_line (&c, (int) px, (int) py + 12));
    }
  /* the line rises to the right: higher values are further up */
  {
    int t1, b1, t2, b2;
    double px1, py1, px2, py2;
    tr_plot_map_point (plot, W, H, 20, 20e6, &px1, &py1);
    tr_plot_map_point (plot, W, H, 80, 80e6, &px2, &py2);
    g_assert_true (column_extent (&c, (int) px1, &t1, &b1));
    g_assert_true (column_extent (&c, (int) px2, &t2, &b2));
    g_assert_cmpint (t2, <, t1 - 40);
  }
  canvas_clear (&c);
}

static void
test_decimation_keeps_min_max (void)
{
  g_autoptr(TrPlot) plot = tr_plot_new ();
  g_autofree double *xs = g_new (double, 100000);
  g_autofree double *ys = g_new (double, 100000);
  guint s = tr_plot_add_series (plot, "dense", LINE_RGB);
  double spike_px, spike_py, dip_px, dip_py, base_px, base_py;
  int top, bottom;
  Canvas c;

  /* 100,000 points on ~330 pixel columns: flat at 50 Mbit/s, one sample of
   * 95 Mbit/s (a spike) and one of 5 Mbit/s (a dip) */
  for (int i = 0; i < 100000; i++)
    {
      xs[i] = i * 0.01;
      ys[i] = 50e6;
    }
  ys[30000] = 95e6;
  ys[70000] = 5e6;
  tr_plot_set_points (plot, s, xs, ys, 100000);
  tr_plot_set_max_value (plot, 100e6);
  g_assert_cmpuint (tr_plot_get_n_points (plot), ==, 100000);
  canvas_draw (&c, plot);

  tr_plot_map_point (plot, W, H, xs[30000], 95e6, &spike_px, &spike_py);
  tr_plot_map_point (plot, W, H, xs[70000], 5e6, &dip_px, &dip_py);
  tr_plot_map_point (plot, W, H, xs[50000], 50e6, &base_px, &base_py);

  /* the spike's column reaches up to the spike */
  g_assert_true (column_extent (&c, (int) floor (spike_px), &top, &bottom));
  g_assert_cmpint (top, <=, (int) spike_py + 3);
  /* the dip's column reaches down to the dip */
  g_assert_true (column_extent (&c, (int) floor (dip_px), &top, &bottom));
  g_assert_cmpint (bottom, >=, (int) dip_py - 3);
  /* an ordinary column stays at the flat level */
  g_assert_true (column_extent (&c, (int) floor (base_px), &top, &bottom));
  g_assert_cmpint (top, >=, (int) base_py - 3);
  g_assert_cmpint (bottom, <=, (int) base_py + 3);
  canvas_clear (&c);
}

/* The line's topmost row in the columns around @px (a spike is one column
 * wide; which one depends on rounding). */
static int
top_near (Canvas *c,
          double  px)
{
  int best = H;

  for (int x = (int) floor (px) - 1; x <= (int) floor (px) + 1; x++)
    {
      int top, bottom;

      if (column_extent (c, x, &top, &bottom))
        best = MIN (best, top);
    }
  return best;
}

/* One sample of 90 Mbit/s among 100,000 points at 10 Mbit/s, appended one
 * by one (the block summary grows with them), wherever it falls in its
 * block: first, last, middle, or the very first or last point. */
static void
test_decimation_block_spike (void)
{
  static const int at[] = { 0, 31, 32, 33, 50015, 77777, 99999 };

  for (guint t = 0; t < G_N_ELEMENTS (at); t++)
    {
      g_autoptr(TrPlot) plot = tr_plot_new ();
      guint s = tr_plot_add_series (plot, "spike", LINE_RGB);
      double spike_px, spike_py, base_px, base_py;
      Canvas c;

      for (int i = 0; i < 100000; i++)
        tr_plot_append (plot, s, i * 0.01, i == at[t] ? 90e6 : 10e6);
      tr_plot_set_max_value (plot, 100e6);
      canvas_draw (&c, plot);
      tr_plot_map_point (plot, W, H, at[t] * 0.01, 90e6, &spike_px, &spike_py);
      tr_plot_map_point (plot, W, H, 500, 10e6, &base_px, &base_py);
      if (g_test_verbose ())
        g_printerr ("spike at %d: column %.1f, top %d (want <= %.1f)\n",
                    at[t], spike_px, top_near (&c, spike_px), spike_py + 3);
      g_assert_cmpint (top_near (&c, spike_px), <=, (int) spike_py + 3);
      /* and only there: columns away from it stay flat */
      g_assert_cmpint (top_near (&c, spike_px + 10), >=, (int) base_py - 3);
      g_assert_cmpint (top_near (&c, spike_px - 10), >=, (int) base_py - 3);
      canvas_clear (&c);
    }
}

/* After tr_plot_drop_before() (a cut inside a block), appending goes on:
 * a spike among the new points and one among the kept ones both show, the
 * dropped one no longer counts, and the axis follows what remains. */
static void
test_append_after_drop (void)
{
  g_autoptr(TrPlot) plot = tr_plot_new ();
  guint s = tr_plot_add_series (plot, "window", LINE_RGB);
  double px, py, base_px, base_py;
  Canvas c;

  for (int i = 0; i < 100000; i++)
    tr_plot_append (plot, s, i * 0.01, i == 500 ? 900e6 : i == 60003 ? 90e6 : 10e6);
  g_assert_cmpfloat (tr_plot_get_axis_max (plot), ==, 1e9);

  /* drop the first 1,237 points, the 900 Mbit/s spike with them */
  tr_plot_drop_before (plot, 12.365);
  g_assert_cmpuint (tr_plot_series_get_n_points (plot, s), ==, 100000 - 1237);
  /* the axis shrinks to what is left (below a third of it) */
  g_assert_cmpfloat (tr_plot_get_axis_max (plot), ==, 100e6);

  for (int i = 100000; i < 120000; i++)
    tr_plot_append (plot, s, i * 0.01, i == 110017 ? 70e6 : 10e6);
  g_assert_cmpuint (tr_plot_series_get_n_points (plot, s), ==, 120000 - 1237);
  g_assert_cmpfloat (tr_plot_get_axis_max (plot), ==, 100e6);
  canvas_draw (&c, plot);

  tr_plot_map_point (plot, W, H, 300, 10e6, &base_px, &base_py);
  tr_plot_map_point (plot, W, H, 600.03, 90e6, &px, &py);
  g_assert_cmpint (top_near (&c, px), <=, (int) py + 3);
  tr_plot_map_point (plot, W, H, 1100.17, 70e6, &px, &py);
  g_assert_cmpint (top_near (&c, px), <=, (int) py + 3);
  /* where the dropped spike was, nothing is drawn any more */
  tr_plot_map_point (plot, W, H, 5.0, 900e6, &px, &py);
  g_assert_cmpint (top_near (&c, px), >=, (int) base_py - 3);
  canvas_clear (&c);

  /* dropping everything, then appending, starts afresh */
  tr_plot_drop_before (plot, 1e9);
  g_assert_cmpuint (tr_plot_series_get_n_points (plot, s), ==, 0);
  for (int i = 0; i < 1000; i++)
    tr_plot_append (plot, s, 2e9 + i, i == 999 ? 30e6 : 1e6);
  g_assert_cmpfloat (tr_plot_get_axis_max (plot), ==, 50e6);
}

/* The block summary against plain loops, through appends and drops that
 * cut blocks anywhere. */
static void
test_block_summary (void)
{
  g_autoptr(GArray) ys = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  TrPlotSummary sum;

  tr_plot_summary_init (&sum);
  for (int round = 0; round < 200; round++)
    {
      guint add = g_rand_int_range (rand, 0, 300);
      const double *y;

      for (guint i = 0; i < add; i++)
        {
          double v = g_rand_double_range (rand, -1e6, 1e6);

          tr_plot_summary_append (&sum, ys->len, v);
          g_array_append_val (ys, v);
        }
      if (ys->len > 0 && g_rand_boolean (rand))
        {
          guint drop = g_rand_int_range (rand, 0, ys->len + 1);

          g_array_remove_range (ys, 0, drop);
          tr_plot_summary_drop (&sum, (const double *) ys->data, ys->len, drop);
        }
      y = (const double *) ys->data;
      for (int q = 0; q < 20 && ys->len > 0; q++)
        {
          guint j = g_rand_int_range (rand, 0, ys->len);
          guint k = g_rand_int_range (rand, j + 1, ys->len + 1);
          double lo = INFINITY, hi = -INFINITY;
          TrPlotRange r = tr_plot_summary_range (&sum, y, j, k);

          for (guint i = j; i < k; i++)
            {
              lo = MIN (lo, y[i]);
              hi = MAX (hi, y[i]);
            }
          g_assert_cmpfloat (r.lo, ==, lo);
          g_assert_cmpfloat (r.hi, ==, hi);
        }
    }
  tr_plot_summary_clear (&sum);
}

static void
test_autoscale_hysteresis (void)
{
  g_autoptr(TrPlot) plot = tr_plot_new ();
  guint s = tr_plot_add_series (plot, "rate", LINE_RGB);
  double t = 0;

  tr_plot_set_x_span (plot, 10);
  for (int i = 0; i < 10; i++)
    tr_plot_append (plot, s, t++, 9e6);
  g_assert_cmpfloat (tr_plot_get_axis_max (plot), ==, 10e6);

  /* grows at once */
  tr_plot_append (plot, s, t++, 11e6);
  g_assert_cmpfloat (tr_plot_get_axis_max (plot), ==, 20e6);

  /* 8 Mbit/s once the peak scrolled away: above a third of 20, no change */
  for (int i = 0; i < 12; i++)
    {
      tr_plot_append (plot, s, t++, 8e6);
      g_assert_cmpfloat (tr_plot_get_axis_max (plot), ==, 20e6);
    }
  /* 5 Mbit/s: below a third, shrinks to fit */
  for (int i = 0; i < 12; i++)
    tr_plot_append (plot, s, t++, 5e6);
  g_assert_cmpfloat (tr_plot_get_axis_max (plot), ==, 10e6);

  /* small jitter around an axis boundary does not flip the axis */
  for (int i = 0; i < 20; i++)
    {
      tr_plot_append (plot, s, t++, (i % 2) ? 9e6 : 4e6);
      g_assert_cmpfloat (tr_plot_get_axis_max (plot), ==, 10e6);
    }
}

static void
test_units (void)
{
  double div;

  g_assert_cmpstr (tr_plot_unit_for (500, &div), ==, "bit/s");
  g_assert_cmpfloat (div, ==, 1);
  g_assert_cmpstr (tr_plot_unit_for (2e3, &div), ==, "Kbit/s");
  g_assert_cmpstr (tr_plot_unit_for (250e6, &div), ==, "Mbit/s");
  g_assert_cmpfloat (div, ==, 1e6);
  g_assert_cmpstr (tr_plot_unit_for (10e9, &div), ==, "Gbit/s");
}

static void
test_exports (void)
{
  g_autoptr(TrPlot) plot = tr_plot_new ();
  g_autofree char *dir = g_dir_make_tmp ("trplot-XXXXXX", NULL);
  g_autofree char *png = g_build_filename (dir, "graph.png", NULL);
  g_autofree char *svg = g_build_filename (dir, "graph.svg", NULL);
  g_autofree char *svg_text = NULL;
  g_autoptr(GError) error = NULL;
  cairo_surface_t *loaded;
  guint s = tr_plot_add_series (plot, "Forward", LINE_RGB);

  for (int i = 0; i < 50; i++)
    tr_plot_append (plot, s, i, 1e9 + 1e8 * sin (i / 5.0));
  g_assert_true (tr_plot_write_png (plot, png, 640, 240, &error));
  g_assert_no_error (error);
  g_assert_true (tr_plot_write_svg (plot, svg, 640, 240, &error));
  g_assert_no_error (error);

  loaded = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (loaded), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (loaded), ==, 640);
  g_assert_cmpint (cairo_image_surface_get_height (loaded), ==, 240);
  cairo_surface_destroy (loaded);
  g_assert_true (g_file_get_contents (svg, &svg_text, NULL, NULL));
  g_assert_nonnull (strstr (svg_text, "<svg"));
  g_assert_nonnull (strstr (svg_text, "<path"));

  /* writing into a directory that does not exist is an error, not a crash */
  {
    g_autofree char *bad = g_build_filename (dir, "no", "such", "x.png", NULL);
    g_assert_false (tr_plot_write_png (plot, bad, 100, 100, &error));
    g_assert_nonnull (error);
  }
  g_unlink (png);
  g_unlink (svg);
  g_rmdir (dir);
}

/* A bounded window: tr_plot_drop_before() removes the older points of
 * every series and keeps the rest in order. */
static void
test_drop_before (void)
{
  g_autoptr(TrPlot) plot = tr_plot_new ();
  guint a = tr_plot_add_series (plot, "a", 0x1c71d8);
  guint b = tr_plot_add_series (plot, "b", 0xe66100);

  for (int i = 0; i < 10; i++)
    {
      tr_plot_append (plot, a, i, i * 10.0);
      tr_plot_append (plot, b, i + 0.5, i * 20.0);
    }
  tr_plot_drop_before (plot, 5);
  g_assert_cmpuint (tr_plot_series_get_n_points (plot, a), ==, 5);
  g_assert_cmpuint (tr_plot_series_get_n_points (plot, b), ==, 5);
  g_assert_cmpfloat (tr_plot_series_peek_x (plot, a)[0], ==, 5);
  g_assert_cmpfloat (tr_plot_series_peek_y (plot, a)[0], ==, 50);
  g_assert_cmpfloat (tr_plot_series_peek_x (plot, b)[0], ==, 5.5);
  g_assert_cmpuint (tr_plot_get_n_points (plot), ==, 10);
  tr_plot_drop_before (plot, 100);
  g_assert_cmpuint (tr_plot_get_n_points (plot), ==, 0);
  /* appending goes on after the window moved */
  tr_plot_append (plot, a, 101, 1);
  g_assert_cmpuint (tr_plot_series_get_n_points (plot, a), ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plot/line-position", test_line_position);
  g_test_add_func ("/plot/decimation-keeps-min-max", test_decimation_keeps_min_max);
  g_test_add_func ("/plot/decimation-block-spike", test_decimation_block_spike);
  g_test_add_func ("/plot/append-after-drop", test_append_after_drop);
  g_test_add_func ("/plot/block-summary", test_block_summary);
  g_test_add_func ("/plot/autoscale-hysteresis", test_autoscale_hysteresis);
  g_test_add_func ("/plot/units", test_units);
  g_test_add_func ("/plot/exports", test_exports);
  g_test_add_func ("/plot/drop-before", test_drop_before);
  return g_test_run ();
}
