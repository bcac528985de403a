/* tr-interfaces-page.h: network interfaces as the service reports them
 * (org.trafficd.Traffic1.Interface objects). A service without interface
 * monitoring gets a clear "not available" state instead. */
#pragma once

#include <adwaita.h>

#include "tc-monitor.h"

G_BEGIN_DECLS

#define TR_INTERFACE_IFACE "org.trafficd.Traffic1.Interface"

#define TR_TYPE_INTERFACES_PAGE (tr_interfaces_page_get_type ())
G_DECLARE_FINAL_TYPE (TrInterfacesPage, tr_interfaces_page, TR, INTERFACES_PAGE, GtkWidget)

GtkWidget *tr_interfaces_page_new           (TcMonitor        *monitor);
gboolean   tr_interfaces_page_get_available (TrInterfacesPage *self);

G_END_DECLS
