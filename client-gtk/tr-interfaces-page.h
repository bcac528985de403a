/* tr-interfaces-page.h: network interfaces as the service reports them
 * (org.trafficd.Traffic1.Interfaces and .Interface objects).
 *
 * The aggregate total (every interface but loopback) with a live graph,
 * then one card per interface (TrInterfaceRow), fed from the Sampled signal
 * of every tick; cards come and go with the objects (TcMonitor). Activating
 * a card opens the interface's history (TrInterfaceHistory). A service
 * without interface monitoring gets a clear "not available" state. */
#pragma once

#include <adwaita.h>

#include "tc-monitor.h"

G_BEGIN_DECLS

#define TR_TYPE_INTERFACES_PAGE (tr_interfaces_page_get_type ())
G_DECLARE_FINAL_TYPE (TrInterfacesPage, tr_interfaces_page, TR, INTERFACES_PAGE, GtkWidget)

GtkWidget *tr_interfaces_page_new               (TcMonitor        *monitor);
gboolean   tr_interfaces_page_get_available     (TrInterfacesPage *self);
/* Opens the history view of the interface @name. */
void       tr_interfaces_page_open_history      (TrInterfacesPage *self,
                                                 const char       *name);
/* Back to the list of interfaces. */
void       tr_interfaces_page_close_history     (TrInterfacesPage *self);
/* "1h", "24h" or "30d" in the history view; FALSE for another value. */
gboolean   tr_interfaces_page_set_history_range (TrInterfacesPage *self,
                                                 const char       *range);
/* What the page shows, for the test hook (a{sv}): "view", "total" (a{sv}),
 * "rows" (a{sa{sv}} by name), "history" (a{sv}). */
GVariant  *tr_interfaces_page_dup_state         (TrInterfacesPage *self);

G_END_DECLS
