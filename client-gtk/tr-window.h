/* tr-window.h: the main window: a view stack of pages (New Test, Live,
 * Tests, Servers, Interfaces, History), a banner while the service is away,
 * and toasts.
 *
 * Window actions: start-test, stop-test, open-test (s: object path),
 * export (s: "csv", "png", "svg"), show-page (s: page name), toast (s).
 */
#pragma once

#include <adwaita.h>

#include "tc-monitor.h"

G_BEGIN_DECLS

#define TR_TYPE_WINDOW (tr_window_get_type ())
G_DECLARE_FINAL_TYPE (TrWindow, tr_window, TR, WINDOW, AdwApplicationWindow)

TrWindow  *tr_window_new              (AdwApplication *app,
                                       TcMonitor      *monitor,
                                       GtkStringList  *recent_hosts);
void       tr_window_show_page        (TrWindow       *self,
                                       const char     *name);
void       tr_window_toast            (TrWindow       *self,
                                       const char     *message);

/* For the test hook: fill in a New Test field (or "history-check-ID":
 * tick a test of the History list, value "true" or "false"), export without
 * a dialog, and a snapshot of what the window shows. */
gboolean   tr_window_set_field        (TrWindow       *self,
                                       const char     *id,
                                       const char     *value,
                                       GError        **error);
gboolean   tr_window_export_to        (TrWindow       *self,
                                       const char     *kind,
                                       const char     *path,
                                       GError        **error);
GVariant  *tr_window_dup_state        (TrWindow       *self);

G_END_DECLS
