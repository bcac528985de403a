/* tr-graph.h: the one graph widget of the app.
 *
 * A GtkWidget that shows a TrPlot (see tr-plot.h): it draws through
 * tr_plot_draw() into a cairo node of its snapshot, redraws when the plot
 * changes, and does nothing while it is not mapped (a hidden page costs no
 * drawing; it catches up when shown).
 */
#pragma once

#include <gtk/gtk.h>

#include "tr-plot.h"

G_BEGIN_DECLS

#define TR_TYPE_GRAPH (tr_graph_get_type ())
G_DECLARE_FINAL_TYPE (TrGraph, tr_graph, TR, GRAPH, GtkWidget)

GtkWidget *tr_graph_new        (TrPlot  *plot);
/* The plot shown (transfer none). */
TrPlot    *tr_graph_get_plot   (TrGraph *self);
void       tr_graph_set_plot   (TrGraph *self,
                                TrPlot  *plot);
/* TRUE while not mapped: changes are not drawn. */
gboolean   tr_graph_get_paused (TrGraph *self);
/* How many frames were drawn (for tests). */
guint      tr_graph_get_frames (TrGraph *self);

G_END_DECLS
