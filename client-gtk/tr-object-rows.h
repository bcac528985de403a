/* tr-object-rows.h: one row widget per service object of one D-Bus
 * interface, kept in a GtkListBox or GtkFlowBox as objects come and go
 * (TcMonitor's object-added/removed, and those already there). The tests,
 * servers and interfaces pages each own one. */
#pragma once

#include <gtk/gtk.h>

#include "tc-monitor.h"

G_BEGIN_DECLS

typedef struct _TrObjectRows TrObjectRows;

/* Makes the row of @iface (a proxy of the interface given to new). */
typedef GtkWidget *(*TrObjectRowNew) (GDBusInterface *iface, gpointer user_data);
/* After a row was added or removed. */
typedef void       (*TrObjectRowsChanged) (gpointer user_data);

TrObjectRows *tr_object_rows_new    (TcMonitor           *monitor,
                                     GtkWidget           *container,
                                     const char          *iface_name,
                                     TrObjectRowNew       row_new,
                                     TrObjectRowsChanged  changed,
                                     gpointer             user_data);
void          tr_object_rows_free   (TrObjectRows        *self);
guint         tr_object_rows_size   (TrObjectRows        *self);
/* path -> row widget (unowned); do not modify. */
GHashTable   *tr_object_rows_table  (TrObjectRows        *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrObjectRows, tr_object_rows_free)

G_END_DECLS
