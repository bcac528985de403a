/* tr-servers-page.c: see tr-servers-page.h. */
#include "config.h"

#include "tr-servers-page.h"

#include <glib/gi18n.h>

#include "tc-server.h"
#include "tr-object-rows.h"
#include "tr-server-row.h"
#include "tr-util.h"

struct _TrServersPage
{
  GtkWidget   parent_instance;

  TcMonitor  *monitor;
  GtkWidget  *scroller;
  GtkWidget  *port;
  GtkWidget  *one_off;
  GtkWidget  *label;
  GtkWidget  *start;
  GtkWidget    *list;
  TrObjectRows *rows;
};

G_DEFINE_TYPE (TrServersPage, tr_servers_page, GTK_TYPE_WIDGET)

static int
sort_newest_first (GtkListBoxRow *a,
                   GtkListBoxRow *b,
                   gpointer       user_data)
{
  guint ia = tr_server_row_get_id (TR_SERVER_ROW (a));
  guint ib = tr_server_row_get_id (TR_SERVER_ROW (b));

  return ia > ib ? -1 : ia < ib;
}

static GtkWidget *
make_row (GDBusInterface *iface, gpointer user_data)
{
  TrServersPage *self = user_data;

  return tr_server_row_new (tc_monitor_get_client (self->monitor), TR_DBUS_SERVER (iface));
}

static void
on_start_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TrServersPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  path = tc_client_start_server_finish (TC_CLIENT (source), result, &error);
  gtk_widget_set_sensitive (self->start, TRUE);
  if (path == NULL)
    {
      g_autofree char *message = tr_util_error_message (error, _("start a server"),
                                                        "org.trafficd.Traffic1.Manager.StartServer");
      gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", message);
    }
}

void
tr_servers_page_start (TrServersPage *self)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  const char *label = gtk_editable_get_text (GTK_EDITABLE (self->label));

  g_return_if_fail (TR_IS_SERVERS_PAGE (self));

  g_variant_dict_insert (&dict, "port", "u",
                         (guint32) gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->port)));
  if (gtk_switch_get_active (GTK_SWITCH (self->one_off)))
    g_variant_dict_insert (&dict, "one_off", "b", TRUE);
  if (*label != '\0')
    g_variant_dict_insert (&dict, "label", "s", label);
  gtk_widget_set_sensitive (self->start, FALSE);
  tc_client_start_server (tc_monitor_get_client (self->monitor), g_variant_dict_end (&dict),
                          NULL, on_start_done, g_object_ref (self));
}

static void
on_start_clicked (GtkButton     *button,
                  TrServersPage *self)
{
  tr_servers_page_start (self);
}

guint
tr_servers_page_n_rows (TrServersPage *self)
{
  g_return_val_if_fail (TR_IS_SERVERS_PAGE (self), 0);
  return self->rows != NULL ? tr_object_rows_size (self->rows) : 0;
}

static void
tr_servers_page_dispose (GObject *object)
{
  TrServersPage *self = TR_SERVERS_PAGE (object);

  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);
  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  g_clear_pointer (&self->rows, tr_object_rows_free);
  G_OBJECT_CLASS (tr_servers_page_parent_class)->dispose (object);
}

static void
tr_servers_page_class_init (TrServersPageClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = tr_servers_page_dispose;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
tr_servers_page_init (TrServersPage *self)
{
  GtkWidget *box, *group, *row, *placeholder;

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  self->scroller = tr_util_scrolled_page (800, 18, box);
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));

  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("New Server"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         _("An iperf3 server run and supervised by the service"));
  gtk_box_append (GTK_BOX (box), group);

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Port"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("0 picks a free port"));
  self->port = gtk_spin_button_new_with_range (0, 65535, 1);
  gtk_widget_set_name (self->port, "server-port");
  gtk_widget_set_valign (self->port, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), self->port);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("One test only"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Stop after serving one test"));
  self->one_off = gtk_switch_new ();
  gtk_widget_set_valign (self->one_off, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), self->one_off);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), self->one_off);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);

  self->label = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->label), _("Label"));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), self->label);

  self->start = gtk_button_new_with_mnemonic (_("Start _Server"));
  gtk_widget_set_name (self->start, "start-server");
  gtk_widget_add_css_class (self->start, "suggested-action");
  gtk_widget_add_css_class (self->start, "pill");
  gtk_widget_set_halign (self->start, GTK_ALIGN_CENTER);
  g_signal_connect (self->start, "clicked", G_CALLBACK (on_start_clicked), self);
  gtk_box_append (GTK_BOX (box), self->start);

  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Servers"));
  gtk_box_append (GTK_BOX (box), group);
  self->list = gtk_list_box_new ();
  gtk_widget_set_name (self->list, "servers-list");
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (self->list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (self->list, "boxed-list");
  gtk_list_box_set_sort_func (GTK_LIST_BOX (self->list), sort_newest_first, NULL, NULL);
  placeholder = gtk_label_new (_("No managed servers"));
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 18);
  gtk_widget_set_margin_bottom (placeholder, 18);
  gtk_list_box_set_placeholder (GTK_LIST_BOX (self->list), placeholder);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), self->list);
}

GtkWidget *
tr_servers_page_new (TcMonitor *monitor)
{
  TrServersPage *self = g_object_new (TR_TYPE_SERVERS_PAGE, NULL);

  self->monitor = g_object_ref (monitor);
  self->rows = tr_object_rows_new (monitor, self->list, TC_SERVER_IFACE, make_row, NULL, self);
  return GTK_WIDGET (self);
}
