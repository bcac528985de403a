/* td-daemon.h: the service as a whole: bus connection, name ownership,
 * the manager, and an orderly shutdown on SIGTERM/SIGINT. */
#pragma once

#include <gio/gio.h>
#include "td-config.h"

G_BEGIN_DECLS

#define TD_TYPE_DAEMON (td_daemon_get_type ())
G_DECLARE_FINAL_TYPE (TdDaemon, td_daemon, TD, DAEMON, GObject)

#define TD_BUS_NAME "org.trafficd.Traffic1"

/* Takes ownership of @config. */
TdDaemon *td_daemon_new (TdConfig *config);
/* Runs until asked to stop; returns the process exit status. */
int       td_daemon_run (TdDaemon *self);

G_END_DECLS
