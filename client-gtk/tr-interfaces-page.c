/* tr-interfaces-page.c: see tr-interfaces-page.h.
 *
 * Rates never come from PropertiesChanged (the service does not emit it for
 * them): one subscription to Interfaces.Sampled feeds the aggregate card
 * and every interface card each tick. */
#include "config.h"

#include "tr-interfaces-page.h"

#include <glib/gi18n.h>

#include "tc-interfaces.h"
#include "tr-interface-history.h"
#include "tr-interface-row.h"
#include "tr-object-rows.h"
#include "tr-util.h"

#define INTERFACES_IFACE "org.trafficd.Traffic1.Interfaces"

struct _TrInterfacesPage
{
  GtkWidget   parent_instance;

  TcMonitor  *monitor;
  TcClient   *client;
  guint       sampled_id;
  guint       ticks;
  gboolean    history_open;

  GtkWidget  *stack;
  GtkWidget  *total;     /* TrInterfaceRow without a proxy */
  GtkWidget  *flow;
  GtkWidget  *history;   /* TrInterfaceHistory */
  TrObjectRows *objects; /* the TrInterfaceRows in flow */
};

G_DEFINE_TYPE (TrInterfacesPage, tr_interfaces_page, GTK_TYPE_WIDGET)

static guint
rows_count (TrInterfacesPage *self)
{
  return self->objects != NULL ? tr_object_rows_size (self->objects) : 0;
}

/* --- which view --------------------------------------------------------------------------- */

gboolean
tr_interfaces_page_get_available (TrInterfacesPage *self)
{
  g_return_val_if_fail (TR_IS_INTERFACES_PAGE (self), FALSE);
  return rows_count (self) > 0 || tc_monitor_lookup_interface (self->monitor, INTERFACES_IFACE) != NULL;
}

static void
update_state (TrInterfacesPage *self)
{
  const char *view;

  if (self->history_open)
    view = "history";
  else if (tr_interfaces_page_get_available (self) || !tc_monitor_get_available (self->monitor))
    view = "list";   /* while the service is away the window's banner explains */
  else
    view = "unavailable";
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), view);
}

void
tr_interfaces_page_open_history (TrInterfacesPage *self,
                                 const char       *name)
{
  g_return_if_fail (TR_IS_INTERFACES_PAGE (self));
  g_return_if_fail (name != NULL && *name != '\0');

  tr_interface_history_set_interface (TR_INTERFACE_HISTORY (self->history), name);
  self->history_open = TRUE;
  update_state (self);
}

void
tr_interfaces_page_close_history (TrInterfacesPage *self)
{
  g_return_if_fail (TR_IS_INTERFACES_PAGE (self));
  self->history_open = FALSE;
  update_state (self);
}

gboolean
tr_interfaces_page_set_history_range (TrInterfacesPage *self,
                                      const char       *range)
{
  g_return_val_if_fail (TR_IS_INTERFACES_PAGE (self), FALSE);
  return tr_interface_history_set_range (TR_INTERFACE_HISTORY (self->history), range);
}

static void
on_history_back (TrInterfaceHistory *history,
                 TrInterfacesPage   *self)
{
  tr_interfaces_page_close_history (self);
}

static void
on_child_activated (GtkFlowBox       *flow,
                    GtkFlowBoxChild  *child,
                    TrInterfacesPage *self)
{
  TrInterfaceRow *row = TR_INTERFACE_ROW (gtk_flow_box_child_get_child (child));
  const char *name = tr_interface_row_get_name (row);

  if (name != NULL && *name != '\0')
    tr_interfaces_page_open_history (self, name);
}

/* --- samples -------------------------------------------------------------------------------- */

static void
on_sampled (guint64   timestamp_us,
            double    interval_seconds,
            GVariant *total,
            GVariant *interfaces,
            gpointer  user_data)
{
  TrInterfacesPage *self = user_data;
  double t = timestamp_us / 1e6;
  guint summed = 0;
  GVariantIter iter;
  const char *path;
  GVariant *sample;
  GHashTableIter rows;
  gpointer row;

  self->ticks++;
  tr_interface_row_add_sample (TR_INTERFACE_ROW (self->total), t, total);
  g_variant_iter_init (&iter, interfaces);
  while (g_variant_iter_next (&iter, "{&o@a{sv}}", &path, &sample))
    {
      row = g_hash_table_lookup (tr_object_rows_table (self->objects), path);
      if (row != NULL)
        tr_interface_row_add_sample (row, t, sample);
      g_variant_unref (sample);
    }
  /* loopback is left out of the total unless the service counts every
   * interface (its interface-include-loopback setting) */
  g_variant_lookup (total, "interfaces", "u", &summed);
  g_hash_table_iter_init (&rows, tr_object_rows_table (self->objects));
  while (g_hash_table_iter_next (&rows, NULL, &row))
    if (tr_interface_row_is_loopback (row))
      tr_interface_row_set_counted (row, summed > 0 && summed >= rows_count (self));
}

/* --- objects -------------------------------------------------------------------------------- */

static int
compare_rows (GtkFlowBoxChild *a,
              GtkFlowBoxChild *b,
              gpointer         user_data)
{
  TrInterfaceRow *ra = TR_INTERFACE_ROW (gtk_flow_box_child_get_child (a));
  TrInterfaceRow *rb = TR_INTERFACE_ROW (gtk_flow_box_child_get_child (b));
  gboolean la = tr_interface_row_is_loopback (ra), lb = tr_interface_row_is_loopback (rb);

  /* loopback last: it carries no traffic of the network */
  if (la != lb)
    return la ? 1 : -1;
  return g_utf8_collate (tr_interface_row_get_name (ra), tr_interface_row_get_name (rb));
}

static GtkWidget *
make_row (GDBusInterface *iface, gpointer user_data)
{
  return tr_interface_row_new (G_DBUS_PROXY (iface));
}


static void
on_rows_changed (gpointer user_data)
{
  update_state (user_data);
}

static void
on_monitor_changed (TrInterfacesPage *self)
{
  update_state (self);
}

/* --- the test hook ---------------------------------------------------------------------------- */

GVariant *
tr_interfaces_page_dup_state (TrInterfacesPage *self)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  GVariantBuilder rows;
  GHashTableIter iter;
  gpointer row;

  g_return_val_if_fail (TR_IS_INTERFACES_PAGE (self), NULL);
  g_variant_dict_insert (&dict, "view", "s", gtk_stack_get_visible_child_name (GTK_STACK (self->stack)));
  g_variant_dict_insert (&dict, "available", "b", tr_interfaces_page_get_available (self));
  g_variant_dict_insert (&dict, "ticks", "u", self->ticks);
  g_variant_dict_insert_value (&dict, "total", tr_interface_row_dup_state (TR_INTERFACE_ROW (self->total)));
  g_variant_builder_init (&rows, G_VARIANT_TYPE ("a{sa{sv}}"));
  g_hash_table_iter_init (&iter, tr_object_rows_table (self->objects));
  while (g_hash_table_iter_next (&iter, NULL, &row))
    {
      g_autoptr(GVariant) state = tr_interface_row_dup_state (row);
      g_variant_builder_add (&rows, "{s@a{sv}}", tr_interface_row_get_name (row), state);
    }
  g_variant_dict_insert_value (&dict, "rows", g_variant_builder_end (&rows));
  g_variant_dict_insert_value (&dict, "history",
                               tr_interface_history_dup_state (TR_INTERFACE_HISTORY (self->history)));
  return g_variant_ref_sink (g_variant_dict_end (&dict));
}

/* --- construction ------------------------------------------------------------------------------ */


static void
build (TrInterfacesPage *self)
{
  GtkWidget *status, *box, *heading;

  self->stack = gtk_stack_new ();
  gtk_widget_set_parent (self->stack, GTK_WIDGET (self));

  status = adw_status_page_new ();
  gtk_widget_set_name (status, "interfaces-unavailable");
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (status), "network-wired-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (status), _("Interfaces Not Available"));
  adw_status_page_set_description (ADW_STATUS_PAGE (status),
                                   _("This trafficd service does not monitor network interfaces. "
                                     "Interface rates and their history appear here once it does."));
  gtk_stack_add_named (GTK_STACK (self->stack), status, "unavailable");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  self->total = tr_interface_row_new (NULL);
  gtk_widget_set_name (self->total, "interfaces-total");
  gtk_box_append (GTK_BOX (box), self->total);

  heading = gtk_label_new (_("Interfaces"));
  gtk_widget_add_css_class (heading, "heading");
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_set_margin_top (heading, 6);
  gtk_box_append (GTK_BOX (box), heading);

  self->flow = gtk_flow_box_new ();
  gtk_widget_set_name (self->flow, "interfaces-list");
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (self->flow), GTK_SELECTION_NONE);
  gtk_flow_box_set_activate_on_single_click (GTK_FLOW_BOX (self->flow), TRUE);
  gtk_flow_box_set_homogeneous (GTK_FLOW_BOX (self->flow), TRUE);
  gtk_flow_box_set_min_children_per_line (GTK_FLOW_BOX (self->flow), 1);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (self->flow), 2);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (self->flow), 12);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (self->flow), 12);
  gtk_flow_box_set_sort_func (GTK_FLOW_BOX (self->flow), compare_rows, NULL, NULL);
  gtk_widget_set_valign (self->flow, GTK_ALIGN_START);
  g_signal_connect (self->flow, "child-activated", G_CALLBACK (on_child_activated), self);
  gtk_box_append (GTK_BOX (box), self->flow);
  gtk_stack_add_named (GTK_STACK (self->stack), tr_util_scrolled_page (1100, 12, box), "list");

  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "list");
}

static void
tr_interfaces_page_dispose (GObject *object)
{
  TrInterfacesPage *self = TR_INTERFACES_PAGE (object);

  if (self->sampled_id != 0)
    tc_interfaces_unwatch (self->client, self->sampled_id);
  self->sampled_id = 0;
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);
  g_clear_object (&self->client);
  g_clear_pointer (&self->stack, gtk_widget_unparent);
  g_clear_pointer (&self->objects, tr_object_rows_free);
  G_OBJECT_CLASS (tr_interfaces_page_parent_class)->dispose (object);
}

static void
tr_interfaces_page_class_init (TrInterfacesPageClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = tr_interfaces_page_dispose;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
tr_interfaces_page_init (TrInterfacesPage *self)
{
  build (self);
}

GtkWidget *
tr_interfaces_page_new (TcMonitor *monitor)
{
  TrInterfacesPage *self = g_object_new (TR_TYPE_INTERFACES_PAGE, NULL);

  self->monitor = g_object_ref (monitor);
  self->client = g_object_ref (tc_monitor_get_client (monitor));

  self->history = tr_interface_history_new (monitor);
  g_signal_connect (self->history, "back", G_CALLBACK (on_history_back), self);
  gtk_stack_add_named (GTK_STACK (self->stack), tr_util_scrolled_page (1100, 12, self->history), "history");

  self->sampled_id = tc_interfaces_watch (self->client, on_sampled, self);
  g_signal_connect_swapped (monitor, "interfaces-changed", G_CALLBACK (on_monitor_changed), self);
  g_signal_connect_swapped (monitor, "notify::available", G_CALLBACK (on_monitor_changed), self);
  self->objects = tr_object_rows_new (monitor, self->flow, TR_INTERFACE_IFACE, make_row,
                                      on_rows_changed, self);
  update_state (self);
  return GTK_WIDGET (self);
}
