/* tr-live-page.h: one test, live: state, graph, figures, times and log.
 *
 * Its buttons activate window actions: "win.stop-test", "win.export"
 * (s: "csv", "png" or "svg").
 */
#pragma once

#include <adwaita.h>

#include "tr-graph.h"
#include "tr-test-session.h"

G_BEGIN_DECLS

#define TR_TYPE_LIVE_PAGE (tr_live_page_get_type ())
G_DECLARE_FINAL_TYPE (TrLivePage, tr_live_page, TR, LIVE_PAGE, GtkWidget)

GtkWidget     *tr_live_page_new         (void);
void           tr_live_page_set_session (TrLivePage     *self,
                                         TrTestSession  *session);
TrTestSession *tr_live_page_get_session (TrLivePage     *self);
TrGraph       *tr_live_page_get_graph   (TrLivePage     *self);

G_END_DECLS
