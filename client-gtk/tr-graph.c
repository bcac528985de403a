/* tr-graph.c: the graph widget; see tr-graph.h. */
#include "config.h"

#include "tr-graph.h"

struct _TrGraph
{
  GtkWidget  parent_instance;

  TrPlot    *plot;
  gulong     changed_id;
  gboolean   dirty;       /* changed while unmapped */
  guint      frames;
};

enum {
  PROP_0,
  PROP_PLOT,
  PROP_PAUSED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_TYPE (TrGraph, tr_graph, GTK_TYPE_WIDGET)

static guint32
rgba_to_rgb (const GdkRGBA *c)
{
  return ((guint32) (CLAMP (c->red, 0, 1) * 255) << 16) |
         ((guint32) (CLAMP (c->green, 0, 1) * 255) << 8) |
         (guint32) (CLAMP (c->blue, 0, 1) * 255);
}

static void
on_plot_changed (TrPlot  *plot,
                 TrGraph *self)
{
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    gtk_widget_queue_draw (GTK_WIDGET (self));
  else
    self->dirty = TRUE;
}

static void
tr_graph_snapshot (GtkWidget   *widget,
                   GtkSnapshot *snapshot)
{
  TrGraph *self = TR_GRAPH (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GdkRGBA fg;
  cairo_t *cr;

  if (self->plot == NULL || width <= 0 || height <= 0)
    return;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  /* text and grid follow the theme; the card behind is the background */
  tr_plot_set_colors (self->plot, rgba_to_rgb (&fg), 0xffffff, FALSE);

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  tr_plot_draw (self->plot, cr, width, height);
  cairo_destroy (cr);
  self->frames++;
  self->dirty = FALSE;
}

static void
tr_graph_map (GtkWidget *widget)
{
  TrGraph *self = TR_GRAPH (widget);

  GTK_WIDGET_CLASS (tr_graph_parent_class)->map (widget);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
  if (self->dirty)
    gtk_widget_queue_draw (widget);
}

static void
tr_graph_unmap (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (tr_graph_parent_class)->unmap (widget);
  g_object_notify_by_pspec (G_OBJECT (widget), properties[PROP_PAUSED]);
}

static void
tr_graph_measure (GtkWidget      *widget,
                  GtkOrientation  orientation,
                  int             for_size,
                  int            *minimum,
                  int            *natural,
                  int            *minimum_baseline,
                  int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 200;
      *natural = 600;
    }
  else
    {
      *minimum = 140;
      *natural = 220;
    }
}

void
tr_graph_set_plot (TrGraph *self,
                   TrPlot  *plot)
{
  g_return_if_fail (TR_IS_GRAPH (self));
  g_return_if_fail (plot == NULL || TR_IS_PLOT (plot));

  if (self->plot == plot)
    return;
  if (self->plot != NULL)
    {
      g_clear_signal_handler (&self->changed_id, self->plot);
      g_clear_object (&self->plot);
    }
  if (plot != NULL)
    {
      self->plot = g_object_ref (plot);
      self->changed_id = g_signal_connect (plot, "changed", G_CALLBACK (on_plot_changed), self);
    }
  on_plot_changed (plot, self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLOT]);
}

TrPlot *
tr_graph_get_plot (TrGraph *self)
{
  g_return_val_if_fail (TR_IS_GRAPH (self), NULL);
  return self->plot;
}

gboolean
tr_graph_get_paused (TrGraph *self)
{
  g_return_val_if_fail (TR_IS_GRAPH (self), TRUE);
  return !gtk_widget_get_mapped (GTK_WIDGET (self));
}

guint
tr_graph_get_frames (TrGraph *self)
{
  g_return_val_if_fail (TR_IS_GRAPH (self), 0);
  return self->frames;
}

static void
tr_graph_dispose (GObject *object)
{
  tr_graph_set_plot (TR_GRAPH (object), NULL);
  G_OBJECT_CLASS (tr_graph_parent_class)->dispose (object);
}

static void
tr_graph_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  TrGraph *self = TR_GRAPH (object);

  switch (prop_id)
    {
    case PROP_PLOT:
      g_value_set_object (value, self->plot);
      break;
    case PROP_PAUSED:
      g_value_set_boolean (value, tr_graph_get_paused (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_graph_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_PLOT:
      tr_graph_set_plot (TR_GRAPH (object), g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_graph_class_init (TrGraphClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tr_graph_dispose;
  object_class->get_property = tr_graph_get_property;
  object_class->set_property = tr_graph_set_property;
  widget_class->snapshot = tr_graph_snapshot;
  widget_class->map = tr_graph_map;
  widget_class->unmap = tr_graph_unmap;
  widget_class->measure = tr_graph_measure;

  properties[PROP_PLOT] =
    g_param_spec_object ("plot", NULL, NULL, TR_TYPE_PLOT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAUSED] =
    g_param_spec_boolean ("paused", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "graph");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
tr_graph_init (TrGraph *self)
{
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
}

GtkWidget *
tr_graph_new (TrPlot *plot)
{
  g_autoptr(TrPlot) own = NULL;

  if (plot == NULL)
    plot = own = tr_plot_new ();
  return g_object_new (TR_TYPE_GRAPH, "plot", plot, NULL);
}
