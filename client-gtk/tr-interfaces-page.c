/* tr-interfaces-page.c: see tr-interfaces-page.h.
 *
 * The Interface API is not part of dbus/org.trafficd.Traffic1.xml yet, so
 * this page only lists what such objects carry (their properties, rates
 * formatted when the name says bits per second) and otherwise explains
 * that the service does not offer interface monitoring. */
#include "config.h"

#include "tr-interfaces-page.h"

#include <glib/gi18n.h>

#include "tr-format.h"

struct _TrInterfacesPage
{
  GtkWidget   parent_instance;

  TcMonitor  *monitor;
  GtkWidget  *stack;
  GtkWidget  *list;
  GHashTable *rows;      /* path -> row (unowned) */
};

G_DEFINE_TYPE (TrInterfacesPage, tr_interfaces_page, GTK_TYPE_WIDGET)

static void
update_row (GtkWidget  *row,
            GDBusProxy *proxy)
{
  g_auto(GStrv) names = g_dbus_proxy_get_cached_property_names (proxy);
  g_autoptr(GString) subtitle = g_string_new (NULL);
  g_autoptr(GVariant) name = g_dbus_proxy_get_cached_property (proxy, "Name");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 name != NULL && g_variant_is_of_type (name, G_VARIANT_TYPE_STRING)
                                   ? g_variant_get_string (name, NULL)
                                   : g_dbus_proxy_get_object_path (proxy));
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      g_autoptr(GVariant) v = g_dbus_proxy_get_cached_property (proxy, names[i]);
      g_autofree char *text = NULL;

      if (g_str_equal (names[i], "Name") || v == NULL)
        continue;
      if (g_variant_is_of_type (v, G_VARIANT_TYPE_DOUBLE) && g_strrstr (names[i], "Rate") != NULL)
        text = tr_format_rate (g_variant_get_double (v));
      else if (g_variant_is_of_type (v, G_VARIANT_TYPE_STRING))
        text = g_variant_dup_string (v, NULL);
      else if (g_variant_is_of_type (v, G_VARIANT_TYPE_DOUBLE) || g_variant_is_of_type (v, G_VARIANT_TYPE_UINT64) ||
               g_variant_is_of_type (v, G_VARIANT_TYPE_UINT32) || g_variant_is_of_type (v, G_VARIANT_TYPE_BOOLEAN))
        text = g_variant_print (v, FALSE);
      if (text == NULL || *text == '\0')
        continue;
      if (subtitle->len > 0)
        g_string_append (subtitle, " · ");
      g_string_append_printf (subtitle, "%s %s", names[i], text);
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
}

static void
on_properties_changed (GDBusProxy *proxy,
                       GVariant   *changed,
                       GStrv       invalidated,
                       GtkWidget  *row)
{
  update_row (row, proxy);
}

static void
update_state (TrInterfacesPage *self)
{
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack),
                                    g_hash_table_size (self->rows) > 0 ? "list" : "unavailable");
}

static void
on_object_added (TcMonitor        *monitor,
                 GDBusObject      *object,
                 TrInterfacesPage *self)
{
  g_autoptr(GDBusInterface) iface = g_dbus_object_get_interface (object, TR_INTERFACE_IFACE);
  const char *path = g_dbus_object_get_object_path (object);
  GtkWidget *row;

  if (iface == NULL || g_hash_table_contains (self->rows, path))
    return;
  row = adw_action_row_new ();
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("network-wired-symbolic"));
  g_signal_connect_object (iface, "g-properties-changed", G_CALLBACK (on_properties_changed), row, 0);
  update_row (row, G_DBUS_PROXY (iface));
  g_hash_table_insert (self->rows, g_strdup (path), row);
  gtk_list_box_append (GTK_LIST_BOX (self->list), row);
  update_state (self);
}

static void
on_object_removed (TcMonitor        *monitor,
                   GDBusObject      *object,
                   TrInterfacesPage *self)
{
  const char *path = g_dbus_object_get_object_path (object);
  GtkWidget *row = g_hash_table_lookup (self->rows, path);

  if (row == NULL)
    return;
  gtk_list_box_remove (GTK_LIST_BOX (self->list), row);
  g_hash_table_remove (self->rows, path);
  update_state (self);
}

gboolean
tr_interfaces_page_get_available (TrInterfacesPage *self)
{
  g_return_val_if_fail (TR_IS_INTERFACES_PAGE (self), FALSE);
  return g_hash_table_size (self->rows) > 0;
}

static void
tr_interfaces_page_dispose (GObject *object)
{
  TrInterfacesPage *self = TR_INTERFACES_PAGE (object);

  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);
  g_clear_pointer (&self->stack, gtk_widget_unparent);
  g_clear_pointer (&self->rows, g_hash_table_unref);
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
  GtkWidget *status, *scroller, *clamp;

  self->rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
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

  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  clamp = adw_clamp_new ();
  gtk_widget_set_margin_top (clamp, 18);
  gtk_widget_set_margin_bottom (clamp, 18);
  gtk_widget_set_margin_start (clamp, 12);
  gtk_widget_set_margin_end (clamp, 12);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);
  self->list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (self->list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (self->list, "boxed-list");
  gtk_widget_set_valign (self->list, GTK_ALIGN_START);
  adw_clamp_set_child (ADW_CLAMP (clamp), self->list);
  gtk_stack_add_named (GTK_STACK (self->stack), scroller, "list");
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "unavailable");
}

GtkWidget *
tr_interfaces_page_new (TcMonitor *monitor)
{
  TrInterfacesPage *self = g_object_new (TR_TYPE_INTERFACES_PAGE, NULL);
  GDBusObjectManager *manager = tc_monitor_get_object_manager (monitor);

  self->monitor = g_object_ref (monitor);
  g_signal_connect (monitor, "object-added", G_CALLBACK (on_object_added), self);
  g_signal_connect (monitor, "object-removed", G_CALLBACK (on_object_removed), self);
  if (manager != NULL)
    {
      GList *objects = g_dbus_object_manager_get_objects (manager);
      for (GList *l = objects; l != NULL; l = l->next)
        on_object_added (monitor, l->data, self);
      g_list_free_full (objects, g_object_unref);
    }
  return GTK_WIDGET (self);
}
