/* tr-new-test-page.h: the form that starts a test.
 *
 * Every field has an id (see tr_new_test_page_set_field()) so tests can fill
 * it in as a person would. The Start button activates "win.start-test";
 * the window then asks the page for the options.
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TR_TYPE_NEW_TEST_PAGE (tr_new_test_page_get_type ())
G_DECLARE_FINAL_TYPE (TrNewTestPage, tr_new_test_page, TR, NEW_TEST_PAGE, GtkWidget)

/* @recent_hosts: the app's list of recent hosts, newest first. */
GtkWidget *tr_new_test_page_new           (GtkStringList  *recent_hosts);
/* The StartTest a{sv} (floating), or NULL and a message for the user. */
GVariant  *tr_new_test_page_build_options (TrNewTestPage  *self,
                                           GError        **error);
const char *tr_new_test_page_get_host     (TrNewTestPage  *self);
/* Sets a field by id: "host", "port", "protocol" (tcp/udp), "streams",
 * "duration", "unlimited" (true/false), "direction" (forward/reverse/both),
 * "bitrate", "interval", "omit", "bind-address", "length", "window", "tos",
 * "congestion", "zerocopy", "label", "local", "queue", "exclusive". */
gboolean   tr_new_test_page_set_field     (TrNewTestPage  *self,
                                           const char     *id,
                                           const char     *value,
                                           GError        **error);
void       tr_new_test_page_set_busy      (TrNewTestPage  *self,
                                           gboolean        busy);

G_END_DECLS
