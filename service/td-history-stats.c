/* td-history-stats.c: quantiles. */
#include "config.h"

#include "td-history-stats.h"

#include <math.h>
#include <stdlib.h>

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

void
td_history_sort (double *values, gsize n)
{
  qsort (values, n, sizeof (double), compare_doubles);
}

double
td_history_quantile (const double *sorted, gsize n, double p)
{
  double rank, lower;
  gsize i;

  g_return_val_if_fail (n > 0, 0.0);
  p = CLAMP (p, 0.0, 1.0);
  rank = p * (double) (n - 1);
  lower = floor (rank);
  i = (gsize) lower;
  if (i + 1 >= n)
    return sorted[n - 1];
  return sorted[i] + (rank - lower) * (sorted[i + 1] - sorted[i]);
}
