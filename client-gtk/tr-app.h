/* tr-app.h: the application: command line, the connection to the service
 * (TcClient and TcMonitor, which follow the service across restarts),
 * recent hosts, the main window, and the optional test hook. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TR_APP_ID "org.trafficd.Traffic"

#define TR_TYPE_APP (tr_app_get_type ())
G_DECLARE_FINAL_TYPE (TrApp, tr_app, TR, APP, AdwApplication)

TrApp *tr_app_new (void);

G_END_DECLS
