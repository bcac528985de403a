/* td-history-dbus.h: org.trafficd.Traffic1.History on /org/trafficd/Traffic1.
 *
 * Every method checks its arguments, then runs in a worker thread of
 * TdHistory and replies from the main loop. Reading is open to anyone.
 * DeleteTests is authorized asynchronously: on the system bus by polkit
 * (org.trafficd.traffic.delete-history, through TdAuthority); on a session
 * bus, where TdAuthority trusts every caller, only root and the user the
 * service runs as may delete. Anyone else gets AccessDenied. The
 * properties follow the history's status. */
#pragma once

#include <gio/gio.h>

#include "td-authority.h"
#include "td-history.h"

G_BEGIN_DECLS

#define TD_HISTORY_DBUS_PATH "/org/trafficd/Traffic1"

#define TD_TYPE_HISTORY_DBUS (td_history_dbus_get_type ())
G_DECLARE_FINAL_TYPE (TdHistoryDbus, td_history_dbus, TD, HISTORY_DBUS, GObject)

/* @authority may be NULL (then root and the service's own user may delete). */
TdHistoryDbus *td_history_dbus_new (TdHistory        *history,
                                    TdAuthority      *authority,
                                    GDBusConnection  *connection,
                                    gboolean          session_bus,
                                    GError          **error);

G_END_DECLS
