/* tc-monitor.h: everything the service currently holds, kept live.
 *
 * A monitor follows org.freedesktop.DBus.ObjectManager on
 * /org/trafficd/Traffic1: every Test and Server object (and any other object
 * the service announces, e.g. interfaces, as plain GDBusProxy) with its
 * properties kept up to date by PropertiesChanged. It also follows the
 * service itself: when org.trafficd.Traffic1 loses its owner (the service
 * stopped or crashed) every object is removed and TcMonitor:available turns
 * FALSE; when a new owner appears the objects are fetched again and it turns
 * TRUE. Callers never need to reconnect by hand.
 *
 * On each appearance the monitor also introspects the Manager object, so
 * callers can ask which optional interfaces this service offers
 * (tc_monitor_lookup_interface(), e.g. "org.trafficd.Traffic1.History").
 *
 * GObject signals:
 *   object-added (GDBusObject *object)      a test, server or other object appeared
 *   object-removed (GDBusObject *object)    it went away (ended and expired, or the service left)
 *   interfaces-changed ()                   the introspection of the Manager object was refreshed
 */
#pragma once

#include <gio/gio.h>

#include "tc-client.h"

G_BEGIN_DECLS

#define TC_TYPE_MONITOR (tc_monitor_get_type ())
G_DECLARE_FINAL_TYPE (TcMonitor, tc_monitor, TC, MONITOR, GObject)

/* Starts following at once; the objects arrive asynchronously (watch
 * TcMonitor:available and "object-added"). */
TcMonitor          *tc_monitor_new                (TcClient    *client);
TcClient           *tc_monitor_get_client         (TcMonitor   *self);
/* TRUE while the service owns its name and its objects are loaded. */
gboolean            tc_monitor_get_available      (TcMonitor   *self);
/* How many times the service appeared since the monitor was created
 * (1 after the first connection, 2 after a restart, ...). */
guint               tc_monitor_get_generation     (TcMonitor   *self);
/* The object manager, or NULL while it is being set up. */
GDBusObjectManager *tc_monitor_get_object_manager (TcMonitor   *self);

/* Tests and servers now known, ordered by id (transfer container: free the
 * list, not the proxies). */
GList              *tc_monitor_list_tests         (TcMonitor   *self);
GList              *tc_monitor_list_servers       (TcMonitor   *self);
/* A test or server proxy by object path, or NULL (transfer none). */
TrDBusTest         *tc_monitor_lookup_test        (TcMonitor   *self,
                                                   const char  *path);
TrDBusServer       *tc_monitor_lookup_server      (TcMonitor   *self,
                                                   const char  *path);

/* The introspection data of an interface the Manager object offers, or NULL
 * when this service does not offer it (or has not been introspected yet). */
GDBusInterfaceInfo *tc_monitor_lookup_interface   (TcMonitor   *self,
                                                   const char  *interface_name);

/* Object path -> id (last element), 0 when it has none. */
guint               tc_monitor_id_from_path       (const char  *path);

G_END_DECLS
