/* td-history-stats.h: order statistics for trends. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The @p quantile (0..1) of @n sorted values, interpolating linearly
 * between the two closest ranks (rank p*(n-1), as numpy's default and
 * Excel's PERCENTILE.INC). @n must be > 0. */
double td_history_quantile (const double *sorted,
                            gsize         n,
                            double        p);

/* Sorts @values in place (ascending). */
void   td_history_sort     (double       *values,
                            gsize         n);

G_END_DECLS
