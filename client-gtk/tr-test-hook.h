/* tr-test-hook.h: a D-Bus object for automated UI tests, exported on the
 * app's own session-bus connection at /org/trafficd/Traffic/TestHook only
 * when the app runs with --test-hooks. Interface org.trafficd.Traffic.TestHook:
 *   SetField (s id, s value)           fill in a New Test field; "history-check-ID"
 *                                      ticks ("true") a test of the History list
 *   ActivateAction (s name, av param)  activate "win.NAME" (param: none or one value),
 *                                      e.g. interface-history "lo", interface-range "1h",
 *                                      interfaces-back, history-compare
 *   GetState () -> a{sv}               what the window shows (see tr_window_dup_state())
 *   Export (s kind, s path)            export as with win.export, without a dialog
 *   Resize (i width, i height)         resize the window
 */
#pragma once

#include "tr-window.h"

G_BEGIN_DECLS

#define TR_TYPE_TEST_HOOK (tr_test_hook_get_type ())
G_DECLARE_FINAL_TYPE (TrTestHook, tr_test_hook, TR, TEST_HOOK, GObject)

TrTestHook *tr_test_hook_new        (GDBusConnection  *connection,
                                     GError          **error);
void        tr_test_hook_set_window (TrTestHook       *self,
                                     TrWindow         *window);

G_END_DECLS
