/* tr-object-rows.c: see tr-object-rows.h. */
#include "config.h"

#include "tr-object-rows.h"

struct _TrObjectRows
{
  TcMonitor           *monitor;
  GtkWidget           *container;   /* unowned: the page owns it and us */
  char                *iface_name;
  TrObjectRowNew       row_new;
  TrObjectRowsChanged  changed;
  gpointer             user_data;
  GHashTable          *rows;        /* path -> row (unowned) */
};

static void
notify_changed (TrObjectRows *self)
{
  if (self->changed != NULL)
    self->changed (self->user_data);
}

static void
on_object_added (TcMonitor *monitor, GDBusObject *object, TrObjectRows *self)
{
  g_autoptr(GDBusInterface) iface = g_dbus_object_get_interface (object, self->iface_name);
  const char *path = g_dbus_object_get_object_path (object);
  GtkWidget *row;

  if (iface == NULL || g_hash_table_contains (self->rows, path))
    return;
  row = self->row_new (iface, self->user_data);
  g_hash_table_insert (self->rows, g_strdup (path), row);
  if (GTK_IS_LIST_BOX (self->container))
    gtk_list_box_append (GTK_LIST_BOX (self->container), row);
  else
    gtk_flow_box_append (GTK_FLOW_BOX (self->container), row);
  notify_changed (self);
}

static void
on_object_removed (TcMonitor *monitor, GDBusObject *object, TrObjectRows *self)
{
  const char *path = g_dbus_object_get_object_path (object);
  GtkWidget *row = g_hash_table_lookup (self->rows, path);

  if (row == NULL)
    return;
  g_hash_table_remove (self->rows, path);
  if (GTK_IS_LIST_BOX (self->container))
    gtk_list_box_remove (GTK_LIST_BOX (self->container), row);
  else
    gtk_flow_box_remove (GTK_FLOW_BOX (self->container), row);
  notify_changed (self);
}

TrObjectRows *
tr_object_rows_new (TcMonitor           *monitor,
                    GtkWidget           *container,
                    const char          *iface_name,
                    TrObjectRowNew       row_new,
                    TrObjectRowsChanged  changed,
                    gpointer             user_data)
{
  TrObjectRows *self = g_new0 (TrObjectRows, 1);
  GDBusObjectManager *manager = tc_monitor_get_object_manager (monitor);

  g_return_val_if_fail (GTK_IS_LIST_BOX (container) || GTK_IS_FLOW_BOX (container), NULL);

  self->monitor = g_object_ref (monitor);
  self->container = container;
  self->iface_name = g_strdup (iface_name);
  self->row_new = row_new;
  self->changed = changed;
  self->user_data = user_data;
  self->rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_signal_connect (monitor, "object-added", G_CALLBACK (on_object_added), self);
  g_signal_connect (monitor, "object-removed", G_CALLBACK (on_object_removed), self);
  if (manager != NULL)
    {
      GList *objects = g_dbus_object_manager_get_objects (manager);

      for (GList *l = objects; l != NULL; l = l->next)
        on_object_added (monitor, l->data, self);
      g_list_free_full (objects, g_object_unref);
    }
  return self;
}

void
tr_object_rows_free (TrObjectRows *self)
{
  if (self == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_object_unref (self->monitor);
  g_hash_table_unref (self->rows);
  g_free (self->iface_name);
  g_free (self);
}

guint
tr_object_rows_size (TrObjectRows *self)
{
  return g_hash_table_size (self->rows);
}

GHashTable *
tr_object_rows_table (TrObjectRows *self)
{
  return self->rows;
}
