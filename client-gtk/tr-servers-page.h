/* tr-servers-page.h: start and stop managed iperf3 servers; each one's port,
 * state (idle/busy) and the number of tests it served. */
#pragma once

#include <adwaita.h>

#include "tc-monitor.h"

G_BEGIN_DECLS

#define TR_TYPE_SERVERS_PAGE (tr_servers_page_get_type ())
G_DECLARE_FINAL_TYPE (TrServersPage, tr_servers_page, TR, SERVERS_PAGE, GtkWidget)

GtkWidget *tr_servers_page_new     (TcMonitor     *monitor);
guint      tr_servers_page_n_rows  (TrServersPage *self);
/* Starts a server with the form's options (also the Start button). */
void       tr_servers_page_start   (TrServersPage *self);

G_END_DECLS
