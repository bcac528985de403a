/* tr-history-page.h: past tests from the service's history: a filterable
 * list, a trend plot of rate over time per host or label, a past test's
 * interval graph, two tests overlaid on the same axes, and exports (CSV
 * through the service, the graph as PNG or SVG). A service without the
 * History interface gets a clear "not available" state. */
#pragma once

#include <adwaita.h>

#include "tc-monitor.h"

G_BEGIN_DECLS

#define TR_TYPE_HISTORY_PAGE (tr_history_page_get_type ())
G_DECLARE_FINAL_TYPE (TrHistoryPage, tr_history_page, TR, HISTORY_PAGE, GtkWidget)

GtkWidget *tr_history_page_new           (TcMonitor      *monitor);
gboolean   tr_history_page_get_available (TrHistoryPage  *self);
/* Reloads the list and the trend (also done on map and when a test ends). */
void       tr_history_page_refresh       (TrHistoryPage  *self);
/* The ids listed (au). */
GVariant  *tr_history_page_dup_ids       (TrHistoryPage  *self);
/* Opens one past test (its interval graph), or overlays two. */
void       tr_history_page_open_tests    (TrHistoryPage  *self,
                                          const guint    *ids,
                                          guint           n_ids);
/* Ticks or unticks test @id of the list (as a click on its check box). */
gboolean   tr_history_page_set_checked   (TrHistoryPage  *self,
                                          guint           id,
                                          gboolean        checked,
                                          GError        **error);
/* Overlays the two ticked tests (the Compare button); nothing when the
 * button is insensitive. */
void       tr_history_page_compare       (TrHistoryPage  *self);
/* What the page shows, for the test hook (a{sv}): series, points, loading,
 * compare_enabled, title, checked. */
GVariant  *tr_history_page_dup_state     (TrHistoryPage  *self);
/* "csv" (the opened test's samples, or the listed tests), "png", "svg".
 * CSV is written by the service, asynchronously; the result is toasted. */
gboolean   tr_history_page_export_to     (TrHistoryPage  *self,
                                          const char     *kind,
                                          const char     *path,
                                          GError        **error);

G_END_DECLS
