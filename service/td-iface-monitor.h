/* td-iface-monitor.h: every network interface, sampled every tick.
 *
 * Keeps one TdIface per kernel interface (exported through the manager's
 * ObjectManager), reads all counters in one rtnetlink dump per tick
 * (TdConfig.iface_interval_seconds, default 1 s), emits one
 * Interfaces.Sampled signal per tick with every interface and the
 * aggregate (loopback excluded unless iface_include_loopback), and stores
 * each tick in the history (td-iface-history.h), the interface of each
 * running test also with the test. Inventory changes (rtnetlink
 * notifications; NetworkManager's through TdIfaceNm) apply at once. When
 * the interface a running test uses disappears, the test is stopped with
 * a reason naming it. */
#pragma once

#include <gio/gio.h>

#include "td-config.h"
#include "td-history.h"
#include "td-manager.h"

G_BEGIN_DECLS

#define TD_TYPE_IFACE_MONITOR (td_iface_monitor_get_type ())
G_DECLARE_FINAL_TYPE (TdIfaceMonitor, td_iface_monitor, TD, IFACE_MONITOR, GObject)

#define TD_IFACE_INTERVAL_DEFAULT 1.0
#define TD_IFACE_INTERVAL_MIN     0.1
#define TD_IFACE_INTERVAL_MAX     60.0

/* Exports Interfaces on TD_MANAGER_PATH and starts sampling; @history may
 * be NULL (nothing stored). */
TdIfaceMonitor *td_iface_monitor_new (GDBusConnection *connection,
                                      TdManager       *manager,
                                      TdHistory       *history,
                                      const TdConfig  *config,
                                      GError         **error);

G_END_DECLS
