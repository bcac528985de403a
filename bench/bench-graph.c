/* bench-graph.c: frame time of the app's graph (client-gtk/tr-plot.c, the
 * one drawing function the TrGraph widget calls from its snapshot) with
 * 100,000 points, drawn offscreen into a cairo image surface.
 *
 *   build/client-gtk/bench-graph [WIDTH HEIGHT FRAMES POINTS]
 *   (defaults 1200 400 200 100000; also `meson test -C build --benchmark graph`)
 *
 * Four cases, median and p99 over FRAMES frames each, goal < 8 ms:
 *   static     the same data every frame (a redraw with nothing new)
 *   streaming  one point appended before every frame (decimation redone,
 *              from the series' block min/max summary)
 *   two-series two series of POINTS points each, streaming
 *   window     two-series in a scrolling window (x-span) whose oldest
 *              points are dropped every 30 frames, as the app's live graphs
 * BENCH_GRAPH_PNG=FILE saves the last two-series frame, to look at.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <time.h>

#include "tr-plot.h"

/* CPU time of this thread, ms: unlike the wall clock it leaves out the
 * time other processes had the CPU (a shared machine is noisy). */
static double
thread_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static void
fill (TrPlot *plot, guint series, guint n, double phase)
{
  g_autofree double *xs = g_new (double, n);
  g_autofree double *ys = g_new (double, n);

  for (guint i = 0; i < n; i++)
    {
      xs[i] = i * 0.1;
      /* a noisy rate around 900 Mbit/s with slow swings and a few spikes */
      ys[i] = 900e6 + 80e6 * sin (i / 500.0 + phase) + 20e6 * sin (i * 1.7)
              + ((i % 9973) == 0 ? 300e6 : 0);
    }
  tr_plot_set_points (plot, series, xs, ys, n);
}

/* Drops what scrolled out of a window of @span, in steps of @step: the
 * app's live graphs trim so, not on every point. */
static void
trim_window (TrPlot *plot, double newest, double span, double step)
{
  if (tr_plot_series_get_n_points (plot, 0) > 0 &&
      tr_plot_series_peek_x (plot, 0)[0] < newest - span - step)
    tr_plot_drop_before (plot, newest - span);
}

static void
run_case (const char *name, int width, int height, int frames, guint points,
          guint n_series, gboolean streaming, gboolean window)
{
  g_autoptr(TrPlot) plot = tr_plot_new ();
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  g_autofree double *ms = g_new (double, frames);
  g_autofree double *cpu = g_new (double, frames);
  double next_x = points * 0.1;
  double span = points * 0.1;

  for (guint s = 0; s < n_series; s++)
    fill (plot, tr_plot_add_series (plot, s == 0 ? "Forward" : "Reverse", s == 0 ? 0x1c71d8 : 0xe66100),
          points, s);
  if (window)
    tr_plot_set_x_span (plot, span);

  for (int f = -5; f < frames; f++)   /* five warm-up frames */
    {
      cairo_t *cr;
      gint64 t0, t1;
      double c0, c1;

      if (streaming)
        {
          for (guint s = 0; s < n_series; s++)
            tr_plot_append (plot, s, next_x, 900e6 + 50e6 * sin (next_x));
          if (window)
            trim_window (plot, next_x, span, 3.0);
          next_x += 0.1;
        }
      t0 = g_get_monotonic_time ();
      c0 = thread_cpu_ms ();
      cr = cairo_create (surface);
      tr_plot_draw (plot, cr, width, height);
      cairo_destroy (cr);
      cairo_surface_flush (surface);
      c1 = thread_cpu_ms ();
      t1 = g_get_monotonic_time ();
      if (f >= 0)
        {
          ms[f] = (t1 - t0) / 1000.0;
          cpu[f] = c1 - c0;
        }
    }
  if (g_getenv ("BENCH_GRAPH_PNG") != NULL && n_series == 2 && !window)
    cairo_surface_write_to_png (surface, g_getenv ("BENCH_GRAPH_PNG"));
  qsort (ms, frames, sizeof (double), compare_doubles);
  qsort (cpu, frames, sizeof (double), compare_doubles);
  {
    int p99 = MIN (frames - 1, (int) ceil (frames * 0.99) - 1);

    printf ("%-11s %dx%d, %u series x %u points: wall median %.2f ms, p99 %.2f ms | "
            "CPU median %.2f ms, p99 %.2f ms  [goal < 8 ms: %s]\n",
            name, width, height, n_series, points, ms[frames / 2], ms[p99], cpu[frames / 2], cpu[p99],
            ms[p99] < 8.0 ? "met" : cpu[p99] < 8.0 ? "met in CPU time, wall p99 over (machine busy?)" : "NOT met");
  }
  cairo_surface_destroy (surface);
}

int
main (int argc, char **argv)
{
  int width = argc > 1 ? atoi (argv[1]) : 1200;
  int height = argc > 2 ? atoi (argv[2]) : 400;
  int frames = argc > 3 ? atoi (argv[3]) : 200;
  guint points = argc > 4 ? (guint) atoi (argv[4]) : 100000;

  if (width <= 0 || height <= 0 || frames <= 0 || points == 0)
    {
      fprintf (stderr, "usage: %s [WIDTH HEIGHT FRAMES POINTS]\n", argv[0]);
      return 2;
    }
  run_case ("static", width, height, frames, points, 1, FALSE, FALSE);
  run_case ("streaming", width, height, frames, points, 1, TRUE, FALSE);
  run_case ("two-series", width, height, frames, points, 2, TRUE, FALSE);
  run_case ("window", width, height, frames, points, 2, TRUE, TRUE);
  return 0;
}
