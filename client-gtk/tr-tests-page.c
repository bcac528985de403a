/* tr-tests-page.c: see tr-tests-page.h. */
#include "config.h"

#include "tr-tests-page.h"

#include <glib/gi18n.h>

#include "tr-object-rows.h"
#include "tr-test-row.h"
#include "tr-util.h"

struct _TrTestsPage
{
  GtkWidget   parent_instance;

  TcMonitor  *monitor;
  GtkWidget  *scroller;
  GtkWidget    *list;
  TrObjectRows *rows;
};

G_DEFINE_TYPE (TrTestsPage, tr_tests_page, GTK_TYPE_WIDGET)

static int
sort_newest_first (GtkListBoxRow *a,
                   GtkListBoxRow *b,
                   gpointer       user_data)
{
  guint ia = tr_test_row_get_id (TR_TEST_ROW (a));
  guint ib = tr_test_row_get_id (TR_TEST_ROW (b));

  return ia > ib ? -1 : ia < ib;
}

static GtkWidget *
make_row (GDBusInterface *iface, gpointer user_data)
{
  GtkWidget *row = tr_test_row_new (TR_DBUS_TEST (iface));

  gtk_widget_set_name (row, g_dbus_object_get_object_path (g_dbus_interface_get_object (iface)));
  return row;
}

static void
on_row_activated (GtkListBox    *list,
                  GtkListBoxRow *row,
                  TrTestsPage   *self)
{
  TrDBusTest *test = tr_test_row_get_test (TR_TEST_ROW (row));

  gtk_widget_activate_action (GTK_WIDGET (self), "win.open-test", "s",
                              g_dbus_proxy_get_object_path (G_DBUS_PROXY (test)));
}

GArray *
tr_tests_page_list_ids (TrTestsPage *self)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (guint));

  for (GtkWidget *child = gtk_widget_get_first_child (self->list); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (TR_IS_TEST_ROW (child))
      {
        guint id = tr_test_row_get_id (TR_TEST_ROW (child));
        g_array_append_val (ids, id);
      }
  return ids;
}

static void
tr_tests_page_dispose (GObject *object)
{
  TrTestsPage *self = TR_TESTS_PAGE (object);

  g_clear_pointer (&self->rows, tr_object_rows_free);
  g_clear_object (&self->monitor);
  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  G_OBJECT_CLASS (tr_tests_page_parent_class)->dispose (object);
}

static void
tr_tests_page_class_init (TrTestsPageClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = tr_tests_page_dispose;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
tr_tests_page_init (TrTestsPage *self)
{
  GtkWidget *box, *title, *placeholder;

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  self->scroller = tr_util_scrolled_page (900, 18, box);
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));

  title = gtk_label_new (_("Running and recent tests of every user, from this app, trafficctl and other callers"));
  gtk_widget_add_css_class (title, "dim-label");
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_box_append (GTK_BOX (box), title);

  self->list = gtk_list_box_new ();
  gtk_widget_set_name (self->list, "tests-list");
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (self->list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (self->list, "boxed-list");
  gtk_list_box_set_sort_func (GTK_LIST_BOX (self->list), sort_newest_first, NULL, NULL);
  placeholder = adw_status_page_new ();
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (placeholder), "view-list-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (placeholder), _("No Tests"));
  adw_status_page_set_description (ADW_STATUS_PAGE (placeholder),
                                   _("Tests appear here while they run and for a while after they end."));
  gtk_widget_add_css_class (placeholder, "compact");
  gtk_list_box_set_placeholder (GTK_LIST_BOX (self->list), placeholder);
  g_signal_connect (self->list, "row-activated", G_CALLBACK (on_row_activated), self);
  gtk_box_append (GTK_BOX (box), self->list);
}

GtkWidget *
tr_tests_page_new (TcMonitor *monitor)
{
  TrTestsPage *self = g_object_new (TR_TYPE_TESTS_PAGE, NULL);

  self->monitor = g_object_ref (monitor);
  self->rows = tr_object_rows_new (monitor, self->list, TC_TEST_IFACE, make_row, NULL, self);
  return GTK_WIDGET (self);
}
