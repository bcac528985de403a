/* tr-tests-page.h: every test the service holds, newest first: running and
 * recently ended ones, whoever started them (this app, trafficctl, others).
 * Activating one opens it in the live view ("win.open-test"). */
#pragma once

#include <adwaita.h>

#include "tc-monitor.h"

G_BEGIN_DECLS

#define TR_TYPE_TESTS_PAGE (tr_tests_page_get_type ())
G_DECLARE_FINAL_TYPE (TrTestsPage, tr_tests_page, TR, TESTS_PAGE, GtkWidget)

GtkWidget *tr_tests_page_new        (TcMonitor   *monitor);
/* The ids listed, newest first (for tests). */
GArray    *tr_tests_page_list_ids   (TrTestsPage *self);

G_END_DECLS
