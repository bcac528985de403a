/* td-manager.h: the Manager interface and the tests it holds.
 *
 * Exports org.trafficd.Traffic1.Manager and the ObjectManager on
 * /org/trafficd/Traffic1, validates StartTest options, enforces the limit
 * on running tests, and keeps ended tests on the bus for a while. */
#pragma once

#include <gio/gio.h>
#include "td-config.h"

G_BEGIN_DECLS

#define TD_TYPE_MANAGER (td_manager_get_type ())
G_DECLARE_FINAL_TYPE (TdManager, td_manager, TD, MANAGER, GObject)

#define TD_MANAGER_PATH "/org/trafficd/Traffic1"

TdManager *td_manager_new      (GDBusConnection *connection,
                                const TdConfig  *config,
                                GError         **error);
guint      td_manager_get_running (TdManager   *self);
/* Stops every running test; @callback runs once none is left. */
void       td_manager_stop_all (TdManager       *self,
                                GCallback        callback,
                                gpointer         user_data);

G_END_DECLS
