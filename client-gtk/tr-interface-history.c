/* tr-interface-history.c: see tr-interface-history.h. */
#include "config.h"

#include "tr-interface-history.h"

#include <glib/gi18n.h>

#include "tc-interfaces.h"
#include "tr-format.h"
#include "tr-graph.h"
#include "tr-util.h"

#define MIN_POINTS 200
#define MAX_POINTS 1000
#define PEAK_RGB   0xc01c28

static const struct {
  const char *id;
  const char *label;
  const char *tooltip;
  gint64      seconds;
} ranges[] = {
  /* TRANSLATORS: a period of interface history: the last hour */
  { "1h", N_("1 h"), N_("The last hour"), 3600 },
  /* TRANSLATORS: a period of interface history: the last 24 hours */
  { "24h", N_("24 h"), N_("The last 24 hours"), 86400 },
  /* TRANSLATORS: a period of interface history: the last 30 days */
  { "30d", N_("30 d"), N_("The last 30 days"), 30 * 86400 },
};

enum { RX, TX, N_DIRS };
/* the series of each plot: the peak first, so that the average is drawn on top */
enum { SERIES_PEAK, SERIES_P95, SERIES_AVG, N_SERIES };

typedef struct {
  TrPlot    *plot;
  GtkWidget *graph;
  GtkWidget *peak_label;
  double     peak;
  guint64    peak_time_us;
  double     average;
} Direction;

struct _TrInterfaceHistory
{
  GtkWidget     parent_instance;

  TcMonitor    *monitor;
  GCancellable *cancellable;
  char         *name;
  guint         range;
  gboolean      loading;
  guint         loads;        /* completed loads (for tests) */
  guint         n_points;
  guint         resolution;
  char         *error;

  GtkWidget    *box;
  GtkWidget    *title;
  GtkWidget    *spinner;
  GtkWidget    *toggles[G_N_ELEMENTS (ranges)];
  GtkWidget    *status;
  Direction     dirs[N_DIRS];
};

enum {
  SIGNAL_BACK,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_TYPE (TrInterfaceHistory, tr_interface_history, GTK_TYPE_WIDGET)

/* --- results ---------------------------------------------------------------------------- */

static char *
format_time (guint64  time_us,
             gboolean seconds)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local ((gint64) (time_us / G_USEC_PER_SEC));

  if (dt == NULL)
    return g_strdup ("?");
  return g_date_time_format (dt, seconds ? "%Y-%m-%d %H:%M:%S" : "%Y-%m-%d %H:%M");
}

static void
show_peak (TrInterfaceHistory *self,
           Direction          *d,
           double              span_seconds)
{
  g_autofree char *peak = NULL, *average = NULL, *when = NULL, *text = NULL;
  gboolean merged = span_seconds > 1.5 * MAX (self->resolution, 1);

  if (self->n_points == 0)
    {
      gtk_label_set_text (GTK_LABEL (d->peak_label), "");
      return;
    }
  peak = tr_format_rate (d->peak);
  average = tr_format_rate (d->average);
  if (merged)
    {
      g_autofree char *from = format_time (d->peak_time_us, self->resolution < 60);
      g_autofree char *to = format_time (d->peak_time_us + (guint64) (span_seconds * G_USEC_PER_SEC),
                                         self->resolution < 60);

      /* TRANSLATORS: "between 2024-05-01 14:00 and 2024-05-01 14:05" */
      when = g_strdup_printf (_("between %s and %s"), from, to);
    }
  else
    {
      g_autofree char *at = format_time (d->peak_time_us, self->resolution < 60);

      /* TRANSLATORS: "at 2024-05-01 14:03:05" */
      when = g_strdup_printf (_("at %s"), at);
    }
  /* TRANSLATORS: "Peak 941.20 Mbit/s at 2024-05-01 14:03:05 · average 12.00 Mbit/s" */
  text = g_strdup_printf (_("Peak %s %s · average %s"), peak, when, average);
  gtk_label_set_text (GTK_LABEL (d->peak_label), text);
}

static const char *
resolution_text (guint resolution)
{
  if (resolution <= 1)
    return _("1 s samples");
  if (resolution == 60)
    return _("1 min buckets");
  if (resolution == 3600)
    return _("1 h buckets");
  return _("stored buckets");
}

static void
set_loading (TrInterfaceHistory *self,
             gboolean            loading)
{
  self->loading = loading;
  gtk_spinner_set_spinning (GTK_SPINNER (self->spinner), loading);
  gtk_widget_set_visible (self->spinner, loading);
}

static void
on_history_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  TrInterfaceHistory *self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) points = NULL;
  g_autofree double *xs = NULL;
  g_autofree double *ys = NULL;   /* N_DIRS × N_SERIES × n */
  double span[N_DIRS] = { 0, 0 }, weights = 0;
  guint resolution = 0;
  gsize n;

  points = tc_interfaces_get_history_finish (TC_CLIENT (source), result, &resolution, &error);
  if (points == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;   /* another load (or dispose) replaced this one */
  self = TR_INTERFACE_HISTORY (user_data);
  set_loading (self, FALSE);
  self->loads++;
  g_clear_pointer (&self->error, g_free);
  if (points == NULL)
    {
      self->error = tr_util_error_message (error, _("read the interface history"),
                                           "org.trafficd.Traffic1.Interfaces.GetHistory");
      self->n_points = 0;
      gtk_label_set_text (GTK_LABEL (self->status), self->error);
      for (guint d = 0; d < N_DIRS; d++)
        {
          for (guint s = 0; s < N_SERIES; s++)
            tr_plot_set_points (self->dirs[d].plot, s, NULL, NULL, 0);
          gtk_label_set_text (GTK_LABEL (self->dirs[d].peak_label), "");
        }
      return;
    }

  n = g_variant_n_children (points);
  self->n_points = (guint) n;
  self->resolution = resolution;
  xs = g_new (double, MAX (n, 1));
  ys = g_new (double, MAX (n, 1) * N_DIRS * N_SERIES);
  for (guint d = 0; d < N_DIRS; d++)
    {
      self->dirs[d].peak = -1;
      self->dirs[d].peak_time_us = 0;
      self->dirs[d].average = 0;
    }
  for (gsize i = 0; i < n; i++)
    {
      guint64 ts;
      double seconds, v[N_DIRS][4];   /* avg, min, max, p95 */
      guint32 samples;

      g_variant_get_child (points, i, "(tdudddddddd)", &ts, &seconds, &samples,
                           &v[RX][0], &v[RX][1], &v[RX][2], &v[RX][3],
                           &v[TX][0], &v[TX][1], &v[TX][2], &v[TX][3]);
      xs[i] = ts / 1e6 + seconds / 2;
      weights += MAX (samples, 1);
      for (guint d = 0; d < N_DIRS; d++)
        {
          Direction *dir = &self->dirs[d];

          ys[(d * N_SERIES + SERIES_AVG) * n + i] = v[d][0];
          ys[(d * N_SERIES + SERIES_P95) * n + i] = v[d][3];
          ys[(d * N_SERIES + SERIES_PEAK) * n + i] = v[d][2];
          dir->average += v[d][0] * MAX (samples, 1);
          if (v[d][2] > dir->peak)
            {
              dir->peak = v[d][2];
              dir->peak_time_us = ts;
              span[d] = seconds;
            }
        }
    }
  for (guint d = 0; d < N_DIRS; d++)
    {
      Direction *dir = &self->dirs[d];

      if (weights > 0)
        dir->average /= weights;
      tr_plot_set_x_span (dir->plot, (double) ranges[self->range].seconds);
      for (guint s = 0; s < N_SERIES; s++)
        tr_plot_set_points (dir->plot, s, xs, ys + (d * N_SERIES + s) * n, n);
      show_peak (self, dir, span[d]);
    }
  if (n == 0)
    gtk_label_set_text (GTK_LABEL (self->status), _("No samples in this period yet"));
  else
    {
      g_autofree char *status = g_strdup_printf (g_dngettext (NULL, "%u point, from %s", "%u points, from %s", n),
                                                 (guint) n, resolution_text (resolution));
      gtk_label_set_text (GTK_LABEL (self->status), status);
    }
}

static void
load (TrInterfaceHistory *self)
{
  gint64 now = g_get_real_time ();
  int width = gtk_widget_get_width (self->dirs[RX].graph);
  guint max_points = width > 0 ? (guint) CLAMP (width, MIN_POINTS, MAX_POINTS) : MAX_POINTS;

  if (self->name == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_loading (self, TRUE);
  gtk_label_set_text (GTK_LABEL (self->status), _("Loading…"));
  tc_interfaces_get_history (tc_monitor_get_client (self->monitor), self->name,
                             (guint64) (now - ranges[self->range].seconds * G_USEC_PER_SEC), 0, max_points,
                             self->cancellable, on_history_done, self);
}

/* --- public --------------------------------------------------------------------------------- */

void
tr_interface_history_set_interface (TrInterfaceHistory *self,
                                    const char         *name)
{
  g_autofree char *title = NULL;

  g_return_if_fail (TR_IS_INTERFACE_HISTORY (self));
  g_return_if_fail (name != NULL);

  if (g_strcmp0 (self->name, name) != 0)
    {
      g_free (self->name);
      self->name = g_strdup (name);
      self->n_points = 0;
      for (guint d = 0; d < N_DIRS; d++)
        {
          for (guint s = 0; s < N_SERIES; s++)
            tr_plot_set_points (self->dirs[d].plot, s, NULL, NULL, 0);
          gtk_label_set_text (GTK_LABEL (self->dirs[d].peak_label), "");
        }
    }
  /* TRANSLATORS: %s is an interface name ("eth0") */
  title = g_strdup_printf (_("History of %s"), name);
  gtk_label_set_text (GTK_LABEL (self->title), title);
  load (self);
}

const char *
tr_interface_history_get_interface (TrInterfaceHistory *self)
{
  g_return_val_if_fail (TR_IS_INTERFACE_HISTORY (self), NULL);
  return self->name;
}

gboolean
tr_interface_history_set_range (TrInterfaceHistory *self,
                                const char         *range)
{
  g_return_val_if_fail (TR_IS_INTERFACE_HISTORY (self), FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (ranges); i++)
    if (g_strcmp0 (ranges[i].id, range) == 0)
      {
        if (i == self->range)
          load (self);
        else
          gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->toggles[i]), TRUE);   /* loads */
        return TRUE;
      }
  return FALSE;
}

const char *
tr_interface_history_get_range (TrInterfaceHistory *self)
{
  g_return_val_if_fail (TR_IS_INTERFACE_HISTORY (self), NULL);
  return ranges[self->range].id;
}

void
tr_interface_history_reload (TrInterfaceHistory *self)
{
  g_return_if_fail (TR_IS_INTERFACE_HISTORY (self));
  load (self);
}

GVariant *
tr_interface_history_dup_state (TrInterfaceHistory *self)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);

  g_return_val_if_fail (TR_IS_INTERFACE_HISTORY (self), NULL);
  g_variant_dict_insert (&dict, "name", "s", self->name != NULL ? self->name : "");
  g_variant_dict_insert (&dict, "range", "s", ranges[self->range].id);
  g_variant_dict_insert (&dict, "loading", "b", self->loading);
  g_variant_dict_insert (&dict, "loads", "u", self->loads);
  g_variant_dict_insert (&dict, "points", "u", self->n_points);
  g_variant_dict_insert (&dict, "resolution", "u", self->resolution);
  g_variant_dict_insert (&dict, "status", "s", gtk_label_get_text (GTK_LABEL (self->status)));
  g_variant_dict_insert (&dict, "error", "s", self->error != NULL ? self->error : "");
  g_variant_dict_insert (&dict, "peak_rx", "d", self->dirs[RX].peak);
  g_variant_dict_insert (&dict, "peak_rx_time_us", "t", self->dirs[RX].peak_time_us);
  g_variant_dict_insert (&dict, "peak_rx_text", "s", gtk_label_get_text (GTK_LABEL (self->dirs[RX].peak_label)));
  g_variant_dict_insert (&dict, "peak_tx", "d", self->dirs[TX].peak);
  g_variant_dict_insert (&dict, "peak_tx_time_us", "t", self->dirs[TX].peak_time_us);
  g_variant_dict_insert (&dict, "peak_tx_text", "s", gtk_label_get_text (GTK_LABEL (self->dirs[TX].peak_label)));
  g_variant_dict_insert (&dict, "series", "u", tr_plot_get_n_series (self->dirs[RX].plot));
  g_variant_dict_insert (&dict, "plot_points", "t",
                         (guint64) (tr_plot_get_n_points (self->dirs[RX].plot) +
                                    tr_plot_get_n_points (self->dirs[TX].plot)));
  return g_variant_ref_sink (g_variant_dict_end (&dict));
}

/* --- construction --------------------------------------------------------------------------- */

static void
on_range_toggled (GtkToggleButton    *button,
                  TrInterfaceHistory *self)
{
  if (!gtk_toggle_button_get_active (button))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (ranges); i++)
    if (self->toggles[i] == GTK_WIDGET (button))
      self->range = i;
  load (self);
}

static void
on_back_clicked (GtkButton          *button,
                 TrInterfaceHistory *self)
{
  g_signal_emit (self, signals[SIGNAL_BACK], 0);
}

static void
build_direction (TrInterfaceHistory *self,
                 Direction          *d,
                 const char         *heading_text,
                 const char         *css,
                 guint32             avg_rgb,
                 guint32             p95_rgb)
{
  GtkWidget *heading = gtk_label_new (heading_text);
  GtkWidget *frame = gtk_frame_new (NULL);
  guint p95;

  gtk_widget_add_css_class (heading, "heading");
  gtk_widget_add_css_class (heading, css);
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_set_margin_top (heading, 6);
  gtk_box_append (GTK_BOX (self->box), heading);

  d->plot = tr_plot_new ();
  tr_plot_set_x_mode (d->plot, TR_PLOT_X_CLOCK);
  tr_plot_set_empty_text (d->plot, _("No samples in this period"));
  tr_plot_add_series (d->plot, _("Peak"), PEAK_RGB);
  p95 = tr_plot_add_series (d->plot, _("95th percentile"), p95_rgb);
  tr_plot_series_set_dashed (d->plot, p95, TRUE);
  tr_plot_add_series (d->plot, _("Average"), avg_rgb);
  gtk_widget_add_css_class (frame, "view");
  d->graph = tr_graph_new (d->plot);
  gtk_frame_set_child (GTK_FRAME (frame), d->graph);
  gtk_box_append (GTK_BOX (self->box), frame);

  d->peak_label = gtk_label_new (NULL);
  gtk_widget_add_css_class (d->peak_label, "numeric");
  gtk_label_set_xalign (GTK_LABEL (d->peak_label), 0);
  gtk_label_set_wrap (GTK_LABEL (d->peak_label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (d->peak_label), PANGO_WRAP_WORD_CHAR);
  gtk_box_append (GTK_BOX (self->box), d->peak_label);
}

static void
build (TrInterfaceHistory *self)
{
  GtkWidget *header, *back, *switcher;

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  back = gtk_button_new_from_icon_name ("go-previous-symbolic");
  gtk_widget_set_name (back, "interface-history-back");
  gtk_widget_set_tooltip_text (back, _("Back to the interfaces"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (back), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Back"), -1);
  gtk_widget_set_valign (back, GTK_ALIGN_CENTER);
  g_signal_connect (back, "clicked", G_CALLBACK (on_back_clicked), self);
  gtk_box_append (GTK_BOX (header), back);
  self->title = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->title, "title-3");
  gtk_label_set_xalign (GTK_LABEL (self->title), 0);
  gtk_label_set_wrap (GTK_LABEL (self->title), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (self->title), PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_hexpand (self->title, TRUE);
  gtk_box_append (GTK_BOX (header), self->title);
  self->spinner = gtk_spinner_new ();
  gtk_widget_set_visible (self->spinner, FALSE);
  gtk_box_append (GTK_BOX (header), self->spinner);
  gtk_box_append (GTK_BOX (self->box), header);

  switcher = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_add_css_class (switcher, "linked");
  gtk_widget_set_halign (switcher, GTK_ALIGN_CENTER);
  gtk_widget_set_margin_top (switcher, 6);
  gtk_widget_set_margin_bottom (switcher, 6);
  for (guint i = 0; i < G_N_ELEMENTS (ranges); i++)
    {
      self->toggles[i] = gtk_toggle_button_new_with_label (_(ranges[i].label));
      gtk_widget_set_tooltip_text (self->toggles[i], _(ranges[i].tooltip));
      if (i > 0)
        gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (self->toggles[i]), GTK_TOGGLE_BUTTON (self->toggles[0]));
      gtk_box_append (GTK_BOX (switcher), self->toggles[i]);
    }
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->toggles[0]), TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (ranges); i++)
    g_signal_connect (self->toggles[i], "toggled", G_CALLBACK (on_range_toggled), self);
  gtk_box_append (GTK_BOX (self->box), switcher);

  self->status = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->status, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (self->status), 0);
  gtk_label_set_wrap (GTK_LABEL (self->status), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (self->status), PANGO_WRAP_WORD_CHAR);
  gtk_box_append (GTK_BOX (self->box), self->status);

  build_direction (self, &self->dirs[RX], _("Received"), "forward", 0x1c71d8, 0x62a0ea);
  build_direction (self, &self->dirs[TX], _("Sent"), "reverse", 0xe66100, 0xffa348);
}

static void
tr_interface_history_dispose (GObject *object)
{
  TrInterfaceHistory *self = TR_INTERFACE_HISTORY (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  for (guint d = 0; d < N_DIRS; d++)
    g_clear_object (&self->dirs[d].plot);
  g_clear_object (&self->monitor);
  G_OBJECT_CLASS (tr_interface_history_parent_class)->dispose (object);
}

static void
tr_interface_history_finalize (GObject *object)
{
  TrInterfaceHistory *self = TR_INTERFACE_HISTORY (object);

  g_free (self->name);
  g_free (self->error);
  G_OBJECT_CLASS (tr_interface_history_parent_class)->finalize (object);
}

static void
tr_interface_history_class_init (TrInterfaceHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tr_interface_history_dispose;
  object_class->finalize = tr_interface_history_finalize;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);

  signals[SIGNAL_BACK] = g_signal_new ("back", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
tr_interface_history_init (TrInterfaceHistory *self)
{
  build (self);
}

GtkWidget *
tr_interface_history_new (TcMonitor *monitor)
{
  TrInterfaceHistory *self = g_object_new (TR_TYPE_INTERFACE_HISTORY, NULL);

  g_return_val_if_fail (TC_IS_MONITOR (monitor), NULL);
  self->monitor = g_object_ref (monitor);
  return GTK_WIDGET (self);
}
