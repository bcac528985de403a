/* tr-plot-decimate.c: block min/max summaries and column decimation; see
 * tr-plot-decimate.h. */
#include "config.h"

#include "tr-plot-decimate.h"

#include <math.h>

#define BLOCK_MASK (TR_PLOT_BLOCK_SIZE - 1)

/* --- the summary ------------------------------------------------------------- */

static inline void
range_add (TrPlotRange *r,
           double       y)
{
  if (y < r->lo)
    r->lo = y;
  if (y > r->hi)
    r->hi = y;
}

static inline void
range_merge (TrPlotRange       *r,
             const TrPlotRange *other)
{
  if (other->lo < r->lo)
    r->lo = other->lo;
  if (other->hi > r->hi)
    r->hi = other->hi;
}

static TrPlotRange
raw_range (const double *ys,
           gsize         j,
           gsize         k)
{
  TrPlotRange r = { INFINITY, -INFINITY };

  for (gsize i = j; i < k; i++)
    range_add (&r, ys[i]);
  return r;
}

void
tr_plot_summary_init (TrPlotSummary *sum)
{
  sum->blocks = g_array_new (FALSE, FALSE, sizeof (TrPlotRange));
  sum->phase = 0;
}

void
tr_plot_summary_clear (TrPlotSummary *sum)
{
  g_clear_pointer (&sum->blocks, g_array_unref);
  sum->phase = 0;
}

void
tr_plot_summary_rebuild (TrPlotSummary *sum,
                         const double  *ys,
                         gsize          n)
{
  gsize nb = (n + BLOCK_MASK) >> TR_PLOT_BLOCK_SHIFT;

  sum->phase = 0;
  g_array_set_size (sum->blocks, nb);
  for (gsize b = 0; b < nb; b++)
    g_array_index (sum->blocks, TrPlotRange, b) =
      raw_range (ys, b << TR_PLOT_BLOCK_SHIFT, MIN ((b + 1) << TR_PLOT_BLOCK_SHIFT, n));
}

void
tr_plot_summary_append (TrPlotSummary *sum,
                        gsize          n,
                        double         y)
{
  if (((n + sum->phase) & BLOCK_MASK) == 0)
    {
      TrPlotRange r = { y, y };
      g_array_append_val (sum->blocks, r);
      return;
    }
  range_add (&g_array_index (sum->blocks, TrPlotRange, sum->blocks->len - 1), y);
}

void
tr_plot_summary_drop (TrPlotSummary *sum,
                      const double  *ys,
                      gsize          n,
                      gsize          dropped)
{
  gsize gone = sum->phase + dropped;

  if (n == 0)
    {
      g_array_set_size (sum->blocks, 0);
      sum->phase = 0;
      return;
    }
  g_array_remove_range (sum->blocks, 0, gone >> TR_PLOT_BLOCK_SHIFT);
  sum->phase = gone & BLOCK_MASK;
  /* the first block lost some of its points: what remains of it */
  if (sum->phase > 0)
    g_array_index (sum->blocks, TrPlotRange, 0) =
      raw_range (ys, 0, MIN (TR_PLOT_BLOCK_SIZE - sum->phase, n));
}

TrPlotRange
tr_plot_summary_range (const TrPlotSummary *sum,
                       const double        *ys,
                       gsize                j,
                       gsize                k)
{
  /* the whole blocks inside [j, k): [first, last) */
  gsize first = (j + sum->phase + BLOCK_MASK) >> TR_PLOT_BLOCK_SHIFT;
  gsize last = (k + sum->phase) >> TR_PLOT_BLOCK_SHIFT;
  const TrPlotRange *blocks = (const TrPlotRange *) sum->blocks->data;
  TrPlotRange r, tail;

  if (first >= last)
    return raw_range (ys, j, k);
  r = raw_range (ys, j, (first << TR_PLOT_BLOCK_SHIFT) - sum->phase);
  for (gsize b = first; b < last; b++)
    range_merge (&r, &blocks[b]);
  tail = raw_range (ys, (last << TR_PLOT_BLOCK_SHIFT) - sum->phase, k);
  range_merge (&r, &tail);
  return r;
}

/* --- columns ------------------------------------------------------------------- */

static inline gint64
column_of (const TrPlotColumnMap *map,
           double                 x)
{
  /* floor() without the call; far-off points stay far off, without overflow */
  double v = CLAMP (map->origin + (x - map->x0) * map->scale, -1e18, 1e18);
  gint64 c = (gint64) v;

  if ((double) c > v)
    c--;
  /* x1 itself (the newest point) maps onto the area's right edge: it
   * belongs to the last column inside */
  if (c > map->last_col && x <= map->x1)
    c = map->last_col;
  return c;
}

/* The end of the run of points from @i that lie in @i's column @c: the
 * first index in (i, end] that is @end or in a later column. Searched from
 * the guess that the run is @hint points long, as the previous one was
 * (points are usually evenly spaced), galloping outwards from there. */
static gsize
column_end (const TrPlotColumnMap *map,
            const double          *xs,
            gsize                  i,
            gsize                  end,
            gint64                 c,
            gsize                  hint)
{
  gsize guess = MIN (i + MAX (hint, 1), end);
  gsize lo, hi, step = 1;   /* the answer is in [lo, hi] */

  if (guess < end && column_of (map, xs[guess]) <= c)
    {
      /* the run is longer: up from the guess */
      lo = guess + 1;
      hi = end;
      while (lo < hi)
        {
          gsize probe = lo + step - 1;

          if (probe >= hi)
            break;
          if (column_of (map, xs[probe]) > c)
            {
              hi = probe;
              break;
            }
          lo = probe + 1;
          step *= 2;
        }
    }
  else
    {
      /* the run ends at the guess or before: down from it */
      lo = i + 1;
      hi = guess;
      while (lo < hi)
        {
          gsize probe = hi - MIN (step, hi - lo);

          if (column_of (map, xs[probe]) <= c)
            {
              lo = probe + 1;
              break;
            }
          hi = probe;
          step *= 2;
        }
    }
  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;

      if (column_of (map, xs[mid]) > c)
        hi = mid;
      else
        lo = mid + 1;
    }
  return lo;
}

static inline void
push_column (GArray *out,
             gint64  col,
             double  top,
             double  bottom)
{
  double v[3] = { (double) col, top, bottom };

  g_array_append_vals (out, v, 3);
}

/* Empty columns between the last point of column *@prev_col, *@prev_last,
 * and the next point (@y in column @c): a straight line through them. Moves
 * *@prev_col and *@prev_last to the last filled column. */
static void
fill_gap (const TrPlotColumnMap *map,
          GArray                *out,
          gint64                *prev_col,
          double                *prev_last,
          gint64                 c,
          double                 y)
{
  gint64 col = *prev_col;
  double last = *prev_last;
  gint64 gap = MIN (c - col, map->max_gap);

  for (gint64 k = 1; k < gap; k++)
    {
      double y0 = last + (y - last) * (k - 0.5) / (c - col);
      double y1 = last + (y - last) * (k + 0.5) / (c - col);
      push_column (out, col + k, MAX (y0, y1), MIN (y0, y1));
    }
  *prev_col = col + gap - 1;
  *prev_last = last + (y - last) * (gap - 0.5) / (c - col);
}

void
tr_plot_decimate_columns (const double          *xs,
                          const double          *ys,
                          const TrPlotSummary   *sum,
                          gsize                  i0,
                          gsize                  i1,
                          const TrPlotColumnMap *map,
                          GArray                *out)
{
  gint64 prev_col = G_MININT64;
  double prev_last = NAN;
  gsize hint = 1;

  for (gsize i = i0; i < i1;)
    {
      gint64 c = column_of (map, xs[i]);
      gsize k = column_end (map, xs, i, i1, c, hint);
      TrPlotRange r = tr_plot_summary_range (sum, ys, i, k);

      if (prev_col != G_MININT64 && c - prev_col > 1)
        fill_gap (map, out, &prev_col, &prev_last, c, ys[i]);
      /* joined to the previous column */
      if (!isnan (prev_last) && prev_col == c - 1)
        {
          r.hi = MAX (r.hi, prev_last);
          r.lo = MIN (r.lo, prev_last);
        }
      push_column (out, c, r.hi, r.lo);
      prev_col = c;
      prev_last = ys[k - 1];
      hint = k - i;
      i = k;
    }
}
