/* tr-history-page.c: see tr-history-page.h. */
#include "config.h"

#include "tr-history-page.h"

#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "tc-history-reader.h"
#include "tr-format.h"
#include "tr-graph.h"
#include "tr-util.h"

#define LIST_LIMIT  200
#define MAX_POINTS  1000
#define EXPORT_W    1200
#define EXPORT_H    500

static const guint32 palette[] = {
  0x1c71d8, 0xe66100, 0x26a269, 0x9141ac, 0xc01c28, 0x865e3c, 0x62a0ea, 0xf5c211,
};

struct _TrHistoryPage
{
  GtkWidget     parent_instance;

  TcMonitor    *monitor;
  GCancellable *cancellable;
  GCancellable *tests_cancellable;  /* the opened tests' loads */
  GtkWidget    *stack;
  GtkWidget    *host;
  GtkWidget    *label;
  GtkWidget    *protocol;
  GtkWidget    *state;
  GtkWidget    *period;
  GtkWidget    *graph_title;
  GtkWidget    *graph;
  TrPlot       *plot;
  GtkWidget    *compare;
  GtkWidget    *count;
  GtkWidget    *list;
  GArray       *ids;          /* guint, as listed */
  GArray       *checked;      /* guint, ticked for comparison */
  GHashTable   *checks;       /* id -> GtkCheckButton (unowned), as listed */
  guint         opened[2];
  guint         n_opened;
  guint         pending_tests;
};

G_DEFINE_TYPE (TrHistoryPage, tr_history_page, GTK_TYPE_WIDGET)

/* --- filters -------------------------------------------------------------------- */

static GVariant *
build_filter (TrHistoryPage *self,
              gboolean       paging)
{
  static const char *const protocols[] = { NULL, "tcp", "udp" };
  static const char *const states[] = { NULL, "finished", "failed", "stopped", "interrupted" };
  static const gint64 periods[] = { 0, 3600, 86400, 7 * 86400, 30 * 86400 };
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  const char *host = gtk_editable_get_text (GTK_EDITABLE (self->host));
  const char *label = gtk_editable_get_text (GTK_EDITABLE (self->label));
  guint p = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->protocol));
  guint s = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->state));
  guint t = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->period));

  if (*host != '\0')
    g_variant_dict_insert (&dict, "host", "s", host);
  if (*label != '\0')
    g_variant_dict_insert (&dict, "label", "s", label);
  if (p < G_N_ELEMENTS (protocols) && protocols[p] != NULL)
    g_variant_dict_insert (&dict, "protocol", "s", protocols[p]);
  if (s < G_N_ELEMENTS (states) && states[s] != NULL)
    g_variant_dict_insert (&dict, "state", "s", states[s]);
  if (t < G_N_ELEMENTS (periods) && periods[t] > 0)
    g_variant_dict_insert (&dict, "since", "t", (guint64) (g_get_real_time () - periods[t] * G_USEC_PER_SEC));
  if (paging)
    g_variant_dict_insert (&dict, "limit", "u", (guint32) LIST_LIMIT);
  return g_variant_dict_end (&dict);
}

static void
report (TrHistoryPage *self,
        const GError  *error,
        const char    *action)
{
  g_autofree char *message = tr_util_error_message (error, action, "org.trafficd.Traffic1.History");
  gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", message);
}

/* --- the list -------------------------------------------------------------------- */

static double
row_rate (GVariant   *row,
          const char *direction)
{
  g_autofree char *recv = g_strdup_printf ("%s_receiver_bits_per_second", direction);
  g_autofree char *send = g_strdup_printf ("%s_sender_bits_per_second", direction);
  double v = -1;

  if (!g_variant_lookup (row, recv, "d", &v))
    g_variant_lookup (row, send, "d", &v);
  return v;
}

static void
on_check_toggled (GtkCheckButton *check,
                  TrHistoryPage  *self)
{
  guint id = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (check), "id"));

  for (guint i = 0; i < self->checked->len; i++)
    if (g_array_index (self->checked, guint, i) == id)
      g_array_remove_index (self->checked, i--);
  if (gtk_check_button_get_active (check))
    g_array_append_val (self->checked, id);
  gtk_widget_set_sensitive (self->compare, self->checked->len == 2);
}

static void
on_row_activated (GtkListBox    *list,
                  GtkListBoxRow *row,
                  TrHistoryPage *self)
{
  guint id = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "id"));

  tr_history_page_open_tests (self, &id, 1);
}

static GtkWidget *
make_row (TrHistoryPage *self,
          GVariant      *row)
{
  GtkWidget *w = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();
  GtkWidget *icon;
  guint id = 0, port = 0;
  guint64 start = 0;
  const char *host = "?", *protocol = "tcp", *state = "", *label = NULL;
  g_autofree char *title = NULL, *when = NULL, *subtitle = NULL, *rates = NULL;
  double fwd, rev;

  g_variant_lookup (row, "id", "u", &id);
  g_variant_lookup (row, "host", "&s", &host);
  g_variant_lookup (row, "port", "u", &port);
  g_variant_lookup (row, "protocol", "&s", &protocol);
  g_variant_lookup (row, "state", "&s", &state);
  g_variant_lookup (row, "label", "&s", &label);
  g_variant_lookup (row, "start_time_us", "t", &start);
  fwd = row_rate (row, "forward");
  rev = row_rate (row, "reverse");

  title = g_strdup_printf ("#%u %s:%u %s%s%s", id, host, port, g_str_equal (protocol, "udp") ? "UDP" : "TCP",
                           label != NULL && *label != '\0' ? " — " : "", label != NULL ? label : "");
  if (start > 0)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local ((gint64) (start / G_USEC_PER_SEC));
      when = g_date_time_format (dt, "%Y-%m-%d %H:%M:%S");
    }
  if (fwd >= 0 && rev >= 0)
    {
      g_autofree char *a = tr_format_rate (fwd), *b = tr_format_rate (rev);
      rates = g_strdup_printf ("↑ %s ↓ %s", a, b);
    }
  else if (fwd >= 0 || rev >= 0)
    rates = tr_format_rate (fwd >= 0 ? fwd : rev);
  subtitle = g_strdup_printf ("%s · %s%s%s", when != NULL ? when : "", tr_util_state_label (state),
                              rates != NULL ? " · " : "", rates != NULL ? rates : "");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (w), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (w), subtitle);
  gtk_widget_set_tooltip_text (check, _("Select two tests to compare them"));
  g_hash_table_insert (self->checks, GUINT_TO_POINTER (id), check);
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  g_object_set_data (G_OBJECT (check), "id", GUINT_TO_POINTER (id));
  g_signal_connect (check, "toggled", G_CALLBACK (on_check_toggled), self);
  adw_action_row_add_prefix (ADW_ACTION_ROW (w), check);
  icon = gtk_image_new_from_icon_name (tr_util_state_icon (state));
  tr_util_set_css_class (icon, tr_util_state_css_class (state));
  adw_action_row_add_suffix (ADW_ACTION_ROW (w), icon);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (w), TRUE);
  g_object_set_data (G_OBJECT (w), "id", GUINT_TO_POINTER (id));
  return w;
}

static void
on_list_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  TrHistoryPage *self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) tests = NULL;
  g_autofree char *count = NULL;
  guint total = 0;
  GtkWidget *child;

  if (!tc_history_reader_list_tests_finish (TC_CLIENT (source), result, &tests, &total, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      report (user_data, error, _("read the history"));
      return;
    }
  self = TR_HISTORY_PAGE (user_data);
  while ((child = gtk_widget_get_first_child (self->list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->list), child);
  g_array_set_size (self->ids, 0);
  g_array_set_size (self->checked, 0);
  g_hash_table_remove_all (self->checks);
  gtk_widget_set_sensitive (self->compare, FALSE);
  for (gsize i = 0; i < g_variant_n_children (tests); i++)
    {
      g_autoptr(GVariant) row = g_variant_get_child_value (tests, i);
      guint id = 0;

      g_variant_lookup (row, "id", "u", &id);
      g_array_append_val (self->ids, id);
      gtk_list_box_append (GTK_LIST_BOX (self->list), make_row (self, row));
    }
  count = g_strdup_printf (g_dngettext (NULL, "%u test matches", "%u tests match", total), total);
  gtk_label_set_text (GTK_LABEL (self->count), count);
}

/* --- plots ----------------------------------------------------------------------- */

static void
on_trends_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  TrHistoryPage *self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) buckets = NULL;
  g_autoptr(GHashTable) series = NULL;

  buckets = tc_history_reader_get_trends_finish (TC_CLIENT (source), result, &error);
  if (buckets == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        report (user_data, error, _("read the trends"));
      return;
    }
  self = TR_HISTORY_PAGE (user_data);
  if (self->n_opened > 0)
    return;   /* a test was opened meanwhile */
  tr_plot_clear (self->plot);
  tr_plot_set_x_mode (self->plot, TR_PLOT_X_CLOCK);
  tr_plot_set_x_extent (self->plot, 0);
  tr_plot_set_empty_text (self->plot, _("No finished tests match"));
  series = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (gsize i = 0; i < g_variant_n_children (buckets); i++)
    {
      g_autoptr(GVariant) b = g_variant_get_child_value (buckets, i);
      const char *group = NULL;
      guint64 start = 0, end = 0;
      double median = 0;
      gpointer index;

      if (!g_variant_lookup (b, "host", "&s", &group))
        g_variant_lookup (b, "label", "&s", &group);
      g_variant_lookup (b, "bucket_start_us", "t", &start);
      g_variant_lookup (b, "bucket_end_us", "t", &end);
      g_variant_lookup (b, "median_bits_per_second", "d", &median);
      if (group == NULL)
        group = "";
      if (!g_hash_table_lookup_extended (series, group, NULL, &index))
        {
          guint n = g_hash_table_size (series);
          index = GUINT_TO_POINTER (tr_plot_add_series (self->plot, group, palette[n % G_N_ELEMENTS (palette)]));
          g_hash_table_insert (series, g_strdup (group), index);
        }
      /* a plateau over the bucket: the median holds for that period */
      tr_plot_append (self->plot, GPOINTER_TO_UINT (index), start / 1e6, median);
      tr_plot_append (self->plot, GPOINTER_TO_UINT (index), end / 1e6 - 1e-3, median);
    }
  gtk_label_set_text (GTK_LABEL (self->graph_title), _("Trend: median rate per period, by host or label"));
}

static void
load_trend (TrHistoryPage *self)
{
  static const guint32 buckets[] = { 86400, 300, 3600, 21600, 86400 };
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (build_filter (self, FALSE));
  guint t = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->period));

  if (*gtk_editable_get_text (GTK_EDITABLE (self->label)) != '\0')
    g_variant_dict_insert (&dict, "group_by", "s", "label");
  g_variant_dict_insert (&dict, "bucket_seconds", "u", buckets[MIN (t, G_N_ELEMENTS (buckets) - 1)]);
  tc_history_reader_get_trends (tc_monitor_get_client (self->monitor), g_variant_dict_end (&dict),
                                self->cancellable, on_trends_done, self);
}

static void
on_test_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  TrHistoryPage *self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) test = NULL;
  g_autoptr(GVariant) samples = NULL;
  guint id = 0, first_series;
  gboolean overlay;

  if (!tc_history_reader_get_test_finish (TC_CLIENT (source), result, &test, &samples, &error))
    {
      /* cancelled: another test was opened meanwhile, or the page went */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self = TR_HISTORY_PAGE (user_data);
      self->pending_tests--;
      report (self, error, _("open a past test"));
      return;
    }
  self = TR_HISTORY_PAGE (user_data);
  self->pending_tests--;
  if (self->n_opened == 0)
    return;   /* back to the trend meanwhile */
  g_variant_lookup (test, "id", "u", &id);
  overlay = self->n_opened > 1;
  first_series = tr_plot_get_n_series (self->plot);
  for (guint d = 0; d < 2; d++)
    {
      const char *dir = d == 0 ? "forward" : "reverse";
      g_autofree char *label = overlay ? g_strdup_printf ("#%u %s", id, d == 0 ? _("forward") : _("reverse"))
                                       : g_strdup (d == 0 ? _("Forward") : _("Reverse"));
      guint index = G_MAXUINT;

      for (gsize i = 0; i < g_variant_n_children (samples); i++)
        {
          g_autoptr(GVariant) s = g_variant_get_child_value (samples, i);
          const char *direction = NULL;
          double end = 0, bps = 0;
          gint32 stream = -1;

          g_variant_lookup (s, "direction", "&s", &direction);
          g_variant_lookup (s, "stream", "i", &stream);
          if (g_strcmp0 (direction, dir) != 0 || stream >= 0)
            continue;
          if (index == G_MAXUINT)
            {
              index = tr_plot_add_series (self->plot, label,
                                          palette[(first_series + d) % G_N_ELEMENTS (palette)]);
              if (overlay && self->opened[1] == id)
                tr_plot_series_set_dashed (self->plot, index, TRUE);
            }
          g_variant_lookup (s, "end_seconds", "d", &end);
          g_variant_lookup (s, "bits_per_second", "d", &bps);
          tr_plot_append (self->plot, index, end, bps);
        }
    }
}

void
tr_history_page_open_tests (TrHistoryPage *self,
                            const guint   *ids,
                            guint          n_ids)
{
  g_auto(GVariantDict) options = G_VARIANT_DICT_INIT (NULL);
  g_autoptr(GVariant) opts = NULL;
  g_autofree char *title = NULL;

  g_return_if_fail (TR_IS_HISTORY_PAGE (self));
  g_return_if_fail (n_ids >= 1 && n_ids <= 2);

  g_cancellable_cancel (self->tests_cancellable);
  g_clear_object (&self->tests_cancellable);
  self->tests_cancellable = g_cancellable_new ();
  self->pending_tests = 0;
  self->n_opened = n_ids;
  self->opened[0] = ids[0];
  self->opened[1] = n_ids > 1 ? ids[1] : 0;
  tr_plot_clear (self->plot);
  tr_plot_set_x_mode (self->plot, TR_PLOT_X_SECONDS);
  tr_plot_set_empty_text (self->plot, _("This test has no stored samples"));
  if (n_ids == 1)
    title = g_strdup_printf (_("Test %u: rate per interval"), ids[0]);
  else
    /* TRANSLATORS: two test numbers overlaid on one graph */
    title = g_strdup_printf (_("Test %u and test %u on the same axes"), ids[0], ids[1]);
  gtk_label_set_text (GTK_LABEL (self->graph_title), title);

  g_variant_dict_insert (&options, "max_points", "u", (guint32) MAX_POINTS);
  opts = g_variant_ref_sink (g_variant_dict_end (&options));
  for (guint i = 0; i < n_ids; i++)
    {
      self->pending_tests++;
      tc_history_reader_get_test (tc_monitor_get_client (self->monitor), ids[i], opts,
                                  self->tests_cancellable, on_test_done, self);
    }
}

static void
on_compare_clicked (GtkButton     *button,
                    TrHistoryPage *self)
{
  if (self->checked->len == 2)
    tr_history_page_open_tests (self, (const guint *) self->checked->data, 2);
}

gboolean
tr_history_page_set_checked (TrHistoryPage  *self,
                             guint           id,
                             gboolean        checked,
                             GError        **error)
{
  GtkWidget *check;

  g_return_val_if_fail (TR_IS_HISTORY_PAGE (self), FALSE);
  check = g_hash_table_lookup (self->checks, GUINT_TO_POINTER (id));
  if (check == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "test %u is not listed", id);
      return FALSE;
    }
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), checked);
  return TRUE;
}

void
tr_history_page_compare (TrHistoryPage *self)
{
  g_return_if_fail (TR_IS_HISTORY_PAGE (self));
  if (gtk_widget_get_sensitive (self->compare))
    on_compare_clicked (GTK_BUTTON (self->compare), self);
}

GVariant *
tr_history_page_dup_state (TrHistoryPage *self)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  GVariantBuilder checked, labels;

  g_return_val_if_fail (TR_IS_HISTORY_PAGE (self), NULL);
  g_variant_builder_init (&checked, G_VARIANT_TYPE ("au"));
  for (guint i = 0; i < self->checked->len; i++)
    g_variant_builder_add (&checked, "u", g_array_index (self->checked, guint, i));
  g_variant_builder_init (&labels, G_VARIANT_TYPE ("as"));
  for (guint i = 0; i < tr_plot_get_n_series (self->plot); i++)
    g_variant_builder_add (&labels, "s", tr_plot_series_get_label (self->plot, i));
  g_variant_dict_insert_value (&dict, "checked", g_variant_builder_end (&checked));
  g_variant_dict_insert (&dict, "compare_enabled", "b", gtk_widget_get_sensitive (self->compare));
  g_variant_dict_insert (&dict, "opened", "u", self->n_opened);
  g_variant_dict_insert (&dict, "loading", "u", self->pending_tests);
  g_variant_dict_insert (&dict, "series", "u", tr_plot_get_n_series (self->plot));
  g_variant_dict_insert_value (&dict, "series_labels", g_variant_builder_end (&labels));
  g_variant_dict_insert (&dict, "points", "t", (guint64) tr_plot_get_n_points (self->plot));
  g_variant_dict_insert (&dict, "title", "s", gtk_label_get_text (GTK_LABEL (self->graph_title)));
  g_variant_dict_insert (&dict, "graph_frames", "u", tr_graph_get_frames (TR_GRAPH (self->graph)));
  return g_variant_ref_sink (g_variant_dict_end (&dict));
}

static void
on_trend_clicked (GtkButton     *button,
                  TrHistoryPage *self)
{
  self->n_opened = 0;
  load_trend (self);
}

/* --- export ------------------------------------------------------------------------ */

typedef struct {
  TrHistoryPage *self;
  int            fd;
  char          *path;
} ExportCall;

static void
on_export_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  ExportCall *call = user_data;
  g_autoptr(GError) error = NULL;
  guint64 rows = 0;

  close (call->fd);
  if (!tc_history_reader_export_finish (TC_CLIENT (source), result, &rows, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        report (call->self, error, _("export the history"));
    }
  else
    {
      g_autofree char *message = g_strdup_printf (g_dngettext (NULL, "Saved %s (%" G_GUINT64_FORMAT " row)",
                                                               "Saved %s (%" G_GUINT64_FORMAT " rows)", rows),
                                                  call->path, rows);
      gtk_widget_activate_action (GTK_WIDGET (call->self), "win.toast", "s", message);
    }
  g_object_unref (call->self);
  g_free (call->path);
  g_free (call);
}

gboolean
tr_history_page_export_to (TrHistoryPage  *self,
                           const char     *kind,
                           const char     *path,
                           GError        **error)
{
  g_auto(GVariantDict) options = G_VARIANT_DICT_INIT (NULL);
  ExportCall *call;
  int fd;

  g_return_val_if_fail (TR_IS_HISTORY_PAGE (self), FALSE);

  if (g_strcmp0 (kind, "png") == 0)
    return tr_plot_write_png (self->plot, path, EXPORT_W, EXPORT_H, error);
  if (g_strcmp0 (kind, "svg") == 0)
    return tr_plot_write_svg (self->plot, path, EXPORT_W, EXPORT_H, error);
  if (g_strcmp0 (kind, "csv") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "unknown export kind “%s”", kind);
      return FALSE;
    }

  fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot write “%s”: %s"), path, g_strerror (saved));
      return FALSE;
    }
  if (self->n_opened == 1)
    g_variant_dict_insert (&options, "test", "u", self->opened[0]);
  else
    g_variant_dict_init (&options, build_filter (self, FALSE));
  call = g_new0 (ExportCall, 1);
  call->self = g_object_ref (self);
  call->fd = fd;
  call->path = g_strdup (path);
  tc_history_reader_export (tc_monitor_get_client (self->monitor), fd, "csv", g_variant_dict_end (&options),
                            NULL, on_export_done, call);
  return TRUE;
}

/* --- availability ---------------------------------------------------------------------- */

gboolean
tr_history_page_get_available (TrHistoryPage *self)
{
  g_return_val_if_fail (TR_IS_HISTORY_PAGE (self), FALSE);
  return tc_monitor_lookup_interface (self->monitor, TC_HISTORY_IFACE) != NULL;
}

void
tr_history_page_refresh (TrHistoryPage *self)
{
  g_return_if_fail (TR_IS_HISTORY_PAGE (self));

  if (!tr_history_page_get_available (self))
    {
      if (tc_monitor_get_available (self->monitor))
        gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "unavailable");
      return;
    }
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "history");
  tc_history_reader_list_tests (tc_monitor_get_client (self->monitor), build_filter (self, TRUE),
                                self->cancellable, on_list_done, self);
  if (self->n_opened == 0)
    load_trend (self);
}

GVariant *
tr_history_page_dup_ids (TrHistoryPage *self)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("au"));
  for (guint i = 0; i < self->ids->len; i++)
    g_variant_builder_add (&b, "u", g_array_index (self->ids, guint, i));
  return g_variant_ref_sink (g_variant_builder_end (&b));
}

static void
on_interfaces_changed (TcMonitor     *monitor,
                       TrHistoryPage *self)
{
  tr_history_page_refresh (self);
}

static void
on_filter_changed (TrHistoryPage *self)
{
  self->n_opened = 0;
  tr_history_page_refresh (self);
}

/* --- construction -------------------------------------------------------------------- */

static GtkWidget *
drop_down (const char *const *items,
           const char        *tooltip)
{
  GtkWidget *dd = gtk_drop_down_new_from_strings (items);

  gtk_widget_set_tooltip_text (dd, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (dd), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
  return dd;
}

static GtkWidget *
build_export_menu (void)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  GtkWidget *button = gtk_menu_button_new ();

  g_menu_append (menu, _("Tests or samples as _CSV…"), "win.export::csv");
  g_menu_append (menu, _("Graph as _PNG…"), "win.export::png");
  g_menu_append (menu, _("Graph as _SVG…"), "win.export::svg");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (button), G_MENU_MODEL (menu));
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "document-save-symbolic");
  gtk_widget_set_tooltip_text (button, _("Export"));
  return button;
}

static void
build (TrHistoryPage *self)
{
  const char *protocols[] = { _("Any protocol"), "TCP", "UDP", NULL };
  const char *states[] = { _("Any state"), _("Finished"), _("Failed"), _("Stopped"), _("Interrupted"), NULL };
  const char *periods[] = { _("All time"), _("Last hour"), _("Last 24 hours"), _("Last 7 days"), _("Last 30 days"), NULL };
  GtkWidget *status, *scroller, *box, *filters, *frame, *bar, *trend, *placeholder;

  self->stack = gtk_stack_new ();
  gtk_widget_set_parent (self->stack, GTK_WIDGET (self));

  status = adw_status_page_new ();
  gtk_widget_set_name (status, "history-unavailable");
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (status), "document-open-recent-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (status), _("History Not Available"));
  adw_status_page_set_description (ADW_STATUS_PAGE (status),
                                   _("This trafficd service does not keep a history of tests."));
  gtk_stack_add_named (GTK_STACK (self->stack), status, "unavailable");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  scroller = tr_util_scrolled_page (1100, 12, box);
  gtk_stack_add_named (GTK_STACK (self->stack), scroller, "history");

  filters = gtk_flow_box_new ();
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (filters), GTK_SELECTION_NONE);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (filters), 5);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (filters), 6);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (filters), 6);
  self->host = gtk_search_entry_new ();
  g_object_set (self->host, "placeholder-text", _("Host"), NULL);
  gtk_widget_set_name (self->host, "history-host");
  self->label = gtk_search_entry_new ();
  g_object_set (self->label, "placeholder-text", _("Label"), NULL);
  self->protocol = drop_down (protocols, _("Protocol"));
  self->state = drop_down (states, _("State"));
  self->period = drop_down (periods, _("Period"));
  gtk_flow_box_append (GTK_FLOW_BOX (filters), self->host);
  gtk_flow_box_append (GTK_FLOW_BOX (filters), self->label);
  gtk_flow_box_append (GTK_FLOW_BOX (filters), self->protocol);
  gtk_flow_box_append (GTK_FLOW_BOX (filters), self->state);
  gtk_flow_box_append (GTK_FLOW_BOX (filters), self->period);
  gtk_box_append (GTK_BOX (box), filters);
  g_signal_connect_swapped (self->host, "search-changed", G_CALLBACK (on_filter_changed), self);
  g_signal_connect_swapped (self->label, "search-changed", G_CALLBACK (on_filter_changed), self);
  g_signal_connect_swapped (self->protocol, "notify::selected", G_CALLBACK (on_filter_changed), self);
  g_signal_connect_swapped (self->state, "notify::selected", G_CALLBACK (on_filter_changed), self);
  g_signal_connect_swapped (self->period, "notify::selected", G_CALLBACK (on_filter_changed), self);

  bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  self->graph_title = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->graph_title, "heading");
  gtk_label_set_xalign (GTK_LABEL (self->graph_title), 0);
  gtk_label_set_wrap (GTK_LABEL (self->graph_title), TRUE);
  gtk_widget_set_hexpand (self->graph_title, TRUE);
  gtk_box_append (GTK_BOX (bar), self->graph_title);
  trend = gtk_button_new_with_mnemonic (_("_Trend"));
  gtk_widget_set_tooltip_text (trend, _("Show the trend of the listed tests"));
  g_signal_connect (trend, "clicked", G_CALLBACK (on_trend_clicked), self);
  gtk_box_append (GTK_BOX (bar), trend);
  self->compare = gtk_button_new_with_mnemonic (_("_Compare"));
  gtk_widget_set_tooltip_text (self->compare, _("Overlay the two ticked tests"));
  gtk_widget_set_sensitive (self->compare, FALSE);
  g_signal_connect (self->compare, "clicked", G_CALLBACK (on_compare_clicked), self);
  gtk_box_append (GTK_BOX (bar), self->compare);
  gtk_box_append (GTK_BOX (bar), build_export_menu ());
  gtk_box_append (GTK_BOX (box), bar);

  frame = gtk_frame_new (NULL);
  gtk_widget_add_css_class (frame, "view");
  self->plot = tr_plot_new ();
  tr_plot_set_empty_text (self->plot, _("No data"));
  self->graph = tr_graph_new (self->plot);
  gtk_widget_set_size_request (self->graph, -1, 220);
  gtk_frame_set_child (GTK_FRAME (frame), self->graph);
  gtk_box_append (GTK_BOX (box), frame);

  self->count = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->count, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (self->count), 0);
  gtk_box_append (GTK_BOX (box), self->count);

  self->list = gtk_list_box_new ();
  gtk_widget_set_name (self->list, "history-list");
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (self->list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (self->list, "boxed-list");
  placeholder = gtk_label_new (_("No tests in the history match"));
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 18);
  gtk_widget_set_margin_bottom (placeholder, 18);
  gtk_list_box_set_placeholder (GTK_LIST_BOX (self->list), placeholder);
  g_signal_connect (self->list, "row-activated", G_CALLBACK (on_row_activated), self);
  gtk_box_append (GTK_BOX (box), self->list);
}

static void
tr_history_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (tr_history_page_parent_class)->map (widget);
  tr_history_page_refresh (TR_HISTORY_PAGE (widget));
}

static void
tr_history_page_dispose (GObject *object)
{
  TrHistoryPage *self = TR_HISTORY_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->tests_cancellable);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);
  g_clear_pointer (&self->stack, gtk_widget_unparent);
  g_clear_object (&self->plot);
  G_OBJECT_CLASS (tr_history_page_parent_class)->dispose (object);
}

static void
tr_history_page_finalize (GObject *object)
{
  TrHistoryPage *self = TR_HISTORY_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->tests_cancellable);
  g_hash_table_unref (self->checks);
  g_array_unref (self->ids);
  g_array_unref (self->checked);
  G_OBJECT_CLASS (tr_history_page_parent_class)->finalize (object);
}

static void
tr_history_page_class_init (TrHistoryPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tr_history_page_dispose;
  object_class->finalize = tr_history_page_finalize;
  GTK_WIDGET_CLASS (klass)->map = tr_history_page_map;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
tr_history_page_init (TrHistoryPage *self)
{
  self->cancellable = g_cancellable_new ();
  self->ids = g_array_new (FALSE, FALSE, sizeof (guint));
  self->checked = g_array_new (FALSE, FALSE, sizeof (guint));
  self->checks = g_hash_table_new (NULL, NULL);
  self->tests_cancellable = g_cancellable_new ();
  build (self);
}

GtkWidget *
tr_history_page_new (TcMonitor *monitor)
{
  TrHistoryPage *self = g_object_new (TR_TYPE_HISTORY_PAGE, NULL);

  self->monitor = g_object_ref (monitor);
  g_signal_connect (monitor, "interfaces-changed", G_CALLBACK (on_interfaces_changed), self);
  tr_history_page_refresh (self);
  return GTK_WIDGET (self);
}
