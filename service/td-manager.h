/* td-manager.h: the Manager interface and the tests it holds.
 *
 * Exports org.trafficd.Traffic1.Manager and the ObjectManager on
 * /org/trafficd/Traffic1; admits tests against the global and per-user
 * limits (FIFO queue or TooManyTests, exclusive tests), runs managed
 * servers on reserved ports, pairs client and server records of one iperf
 * test, and keeps ended objects on the bus for a while. */
#pragma once

#include <gio/gio.h>
#include "td-authority.h"
#include "td-config.h"
#include "td-history.h"

G_BEGIN_DECLS

#define TD_TYPE_MANAGER (td_manager_get_type ())
G_DECLARE_FINAL_TYPE (TdManager, td_manager, TD, MANAGER, GObject)

#define TD_MANAGER_PATH "/org/trafficd/Traffic1"

/* @registry_dir: where helpers are recorded (see td_helper_kill_leftovers). */
/* @config stays the daemon's; td_manager_reload() rereads its file. */
TdManager *td_manager_new      (GDBusConnection *connection,
                                TdConfig        *config,
                                const char      *registry_dir,
                                GError         **error);
guint      td_manager_get_running (TdManager   *self);
/* Rereads the configuration file (SIGHUP, Manager.Reload) and publishes the
 * new limits; on failure the old settings stay. */
gboolean   td_manager_reload   (TdManager       *self,
                                GError         **error);
/* The one authorization object (see td-authority.h): every mutating method
 * of the service asks it, e.g. History.DeleteTests:
 *   td_authority_check_async (authority, invocation, TD_ACTION_DELETE_HISTORY,
 *                             TD_AUTHORITY_NO_OWNER, TD_AUTHORITY_CHECK_NONE,
 *                             NULL, callback, data); */
TdAuthority *td_manager_get_authority (TdManager *self);
/* Every test created from now on is recorded in @history; new test ids
 * continue after the largest one it holds. */
void       td_manager_set_history (TdManager   *self,
                                   TdHistory   *history);
/* The ObjectManager on TD_MANAGER_PATH (interface objects are exported
 * through it too). Signal "test-added" (TdTest *) announces every test. */
GDBusObjectManagerServer *td_manager_get_object_manager (TdManager *self);
/* Stops every running test; @callback runs once none is left. */
void       td_manager_stop_all (TdManager       *self,
                                GCallback        callback,
                                gpointer         user_data);

G_END_DECLS
